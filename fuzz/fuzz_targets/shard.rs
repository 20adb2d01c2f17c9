//! Grok-1 shard decoding (pickle reader plus numpy and QuantizedWeight8bit
//! interpretation) on arbitrary bytes: every accepted record's payload must
//! lie inside the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;
use weightcheck::formats::grok::decode_shard_bytes;

fuzz_target!(|data: &[u8]| {
    if let Ok(r) = decode_shard_bytes(Path::new("fuzz"), data) {
        assert!(r.data.offset + r.data.len <= data.len() as u64);
        if let Some(s) = &r.scales {
            assert!(s.data.offset + s.data.len <= data.len() as u64);
        }
    }
});
