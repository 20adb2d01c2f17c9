//! Magnet links (from users and from README files) on arbitrary text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use weightcheck::torrent::Magnet;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = Magnet::parse(text);
    }
});
