//! Sharded-checkpoint index JSON on arbitrary bytes: shard names that come back are safe relative paths.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;
use weightcheck::formats::index::parse_index;

fuzz_target!(|data: &[u8]| {
    if let Ok(i) = parse_index(Path::new("/nonexistent/model.safetensors.index.json"), data) {
        for shard in i.shards() {
            assert!(weightcheck::paths::is_safe_relative(shard));
        }
    }
});
