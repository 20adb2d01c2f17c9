//! GGUF headers on arbitrary bytes: whatever weightcheck accepts lies
//! inside the input (every tensor within the file, after the data start,
//! aligned, none overlapping another) and keeps at most the bounded start
//! of each value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;
use weightcheck::formats::gguf::{read_bytes, Value, ARRAY_HEAD, STRING_HEAD};

fn bounded(v: &Value) {
    match v {
        Value::String(t) => assert!(t.text.len() <= 3 * STRING_HEAD),
        Value::Array(a) => {
            assert!(a.head.len() <= ARRAY_HEAD && a.head.len() as u64 <= a.len);
            a.head.iter().for_each(bounded);
        }
        _ => {}
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(f) = read_bytes(Path::new("fuzz.gguf"), data) else {
        return;
    };
    let h = &f.header;
    assert!(h.alignment.is_power_of_two());
    let mut spans: Vec<(u64, u64)> = Vec::new();
    for t in &f.tensors {
        assert!(t.data.offset >= h.data_start);
        assert_eq!((t.data.offset - h.data_start) % h.alignment, 0);
        assert!(t.data.offset + t.data.len <= data.len() as u64);
        if t.data.len > 0 {
            spans.push((t.data.offset, t.data.offset + t.data.len));
        }
    }
    spans.sort_unstable();
    assert!(spans.windows(2).all(|w| w[0].1 <= w[1].0));
    f.header.metadata.iter().for_each(|kv| bounded(&kv.value));
});
