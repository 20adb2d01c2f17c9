//! Content hashing: SHA-256 per file, BitTorrent v1 pieces and git blob SHA-1s in one pass.
