//! Checksum lists (SHA256SUMS, MD5SUMS, checklist.chk) on arbitrary text:
//! parsing never panics, and what parses writes back to the same entries.
#![no_main]

use libfuzzer_sys::fuzz_target;
use weightcheck::manifest::sums;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(entries) = sums::parse(text, "SUMS".as_ref()) {
            let again = sums::parse(&sums::write(&entries), "SUMS".as_ref())
                .expect("a written list parses");
            let strip = |v: &[sums::SumEntry]| -> Vec<_> {
                v.iter()
                    .map(|e| (e.path.clone(), e.kind, e.hex.clone()))
                    .collect()
            };
            assert_eq!(strip(&again), strip(&entries));
        }
    }
});
