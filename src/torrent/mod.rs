//! BitTorrent v1 metadata: bencode, .torrent files, magnet links, piece maps.
//!
//! - [`bencode`]: strict decoder (keeps raw spans for the info-hash) and encoder.
//! - [`metainfo`]: .torrent files, with every path sanitised.
//! - [`magnet`]: magnet links.
//! - [`pieces`]: which file bytes each piece covers.
//! - [`create`]: writing a v1 .torrent that matches Debian's mktorrent.

pub mod bencode;
pub mod create;
pub mod magnet;
pub mod metainfo;
pub mod pieces;

pub use magnet::Magnet;
pub use metainfo::{Metainfo, TorrentFile};
