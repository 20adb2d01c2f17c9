//! safetensors headers on arbitrary bytes: every accepted tensor lies inside the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;
use weightcheck::formats::safetensors::read_bytes;

fuzz_target!(|data: &[u8]| {
    if let Ok(f) = read_bytes(Path::new("fuzz.safetensors"), data) {
        for t in &f.tensors {
            assert!(t.data.offset + t.data.len <= data.len() as u64);
        }
    }
});
