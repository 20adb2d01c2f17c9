//! PyTorch zip checkpoints (zip directory, data.pkl through the pickle reader, storages) on arbitrary bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;
use weightcheck::formats::torch::read_bytes;

fuzz_target!(|data: &[u8]| {
    let _ = read_bytes(Path::new("fuzz.pth"), data);
});
