//! safetensors headers on arbitrary bytes, against the reference parser:
//! whatever weightcheck accepts, the `safetensors` crate accepts too, with
//! the same tensors at the same offsets, all inside the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;
use weightcheck::formats::safetensors::read_bytes;

fuzz_target!(|data: &[u8]| {
    let Ok(ours) = read_bytes(Path::new("fuzz.safetensors"), data) else {
        return;
    };
    let (_, reference) = safetensors::SafeTensors::read_metadata(data)
        .expect("weightcheck accepted a header the reference parser refuses");
    assert_eq!(ours.tensors.len(), reference.tensors().len());
    let start = ours.data_start();
    for t in &ours.tensors {
        assert!(t.data.offset + t.data.len <= data.len() as u64);
        let name = t.name.as_deref().expect("safetensors tensors are named");
        let info = reference.info(name).expect("the reference has the tensor");
        let (a, b) = info.data_offsets;
        assert_eq!(
            (t.data.offset - start, t.data.len),
            (a as u64, (b - a) as u64)
        );
    }
});
