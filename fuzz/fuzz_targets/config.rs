//! Hugging Face config.json / params.json on arbitrary text, then the expected-tensor list it implies (bounded before it is built).
#![no_main]

use libfuzzer_sys::fuzz_target;
use weightcheck::arch;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(a) = arch::architecture_from_json(text, "fuzz") {
            if let Ok(layout) = arch::expected(&a) {
                assert!(layout.tensors.len() as u64 <= arch::MAX_EXPECTED_TENSORS);
            }
        }
    }
});
