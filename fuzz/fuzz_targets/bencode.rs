//! Strict bencode and .torrent metainfo on arbitrary bytes (also what peers send as metadata): a value or an error, never a panic, hang or blow-up.
#![no_main]

use libfuzzer_sys::fuzz_target;
use weightcheck::torrent::{bencode, Metainfo};

fuzz_target!(|data: &[u8]| {
    let _ = bencode::decode(data);
    if let Ok(m) = Metainfo::from_bytes(data) {
        assert!(m.piece_length > 0);
        assert!(!m.files.is_empty());
    }
});
