//! BitTorrent v1 metadata: bencode, .torrent files, magnet links, piece maps.
//!
//! - [`bencode`]: strict decoder (keeps raw spans for the info-hash) and encoder.
//! - [`metainfo`]: .torrent files, with every path sanitised.
//! - [`info_hash`]: the info-hash type.
//! - [`magnet`]: magnet links.
//! - [`pieces`]: which file bytes each piece covers.

pub mod bencode;
pub mod info_hash;
pub mod magnet;
pub mod metainfo;
pub mod pieces;

pub use info_hash::InfoHash;
pub use magnet::Magnet;
pub use metainfo::{Metainfo, PieceHashes, TorrentFile};
