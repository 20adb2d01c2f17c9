//! The pickle reader on arbitrary bytes, with both allowlists: it must
//! return (a value or an error), never panic, hang or over-allocate.
#![no_main]

use libfuzzer_sys::fuzz_target;
use weightcheck::formats::pickle::{parse, Allowlist, Limits};

fuzz_target!(|data: &[u8]| {
    for allow in [Allowlist::NUMPY, Allowlist::TORCH] {
        if let Ok(p) = parse(data, allow, Limits::default()) {
            assert!(p.end as usize <= data.len());
        }
    }
});
