//! BitTorrent v1 metadata: bencode, .torrent files, magnet links, piece maps.
