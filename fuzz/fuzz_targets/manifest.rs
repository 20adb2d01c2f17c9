//! Manifest TOML on arbitrary text: loads or is refused; file paths that load are safe.
#![no_main]

use libfuzzer_sys::fuzz_target;
use weightcheck::manifest::Manifest;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(m) = Manifest::from_toml(text, "fuzz") {
            for f in &m.files {
                assert!(weightcheck::paths::is_safe_relative(&f.path));
            }
        }
    }
});
