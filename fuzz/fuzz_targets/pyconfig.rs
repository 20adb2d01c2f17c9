//! run.py model configs evaluated without Python, on arbitrary source text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use weightcheck::formats::pyconfig::{eval_expr, extract_config};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = extract_config(text, None);
        let _ = eval_expr(text);
    }
});
