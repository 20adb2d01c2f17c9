use super::*;

/// A GGUF file written by hand: `kvs` are raw key/value bytes, each tensor
/// (name, ne, ggml type id, offset), then `data` after the aligned start.
struct Build {
    version: u32,
    kvs: Vec<Vec<u8>>,
    tensors: Vec<(String, Vec<u64>, u32, u64)>,
    data: usize,
}

fn s(text: &str) -> Vec<u8> {
    let mut v = (text.len() as u64).to_le_bytes().to_vec();
    v.extend_from_slice(text.as_bytes());
    v
}

fn kv(key: &str, ty: u32, value: &[u8]) -> Vec<u8> {
    let mut v = s(key);
    v.extend_from_slice(&ty.to_le_bytes());
    v.extend_from_slice(value);
    v
}

impl Build {
    fn new() -> Self {
        Build {
            version: 3,
            kvs: Vec::new(),
            tensors: Vec::new(),
            data: 0,
        }
    }

    fn tensor(mut self, name: &str, ne: &[u64], ty: u32, offset: u64) -> Self {
        self.tensors.push((name.into(), ne.to_vec(), ty, offset));
        self
    }

    fn bytes(&self) -> Vec<u8> {
        let mut v = b"GGUF".to_vec();
        v.extend_from_slice(&self.version.to_le_bytes());
        v.extend_from_slice(&(self.tensors.len() as u64).to_le_bytes());
        v.extend_from_slice(&(self.kvs.len() as u64).to_le_bytes());
        for k in &self.kvs {
            v.extend_from_slice(k);
        }
        for (name, ne, ty, offset) in &self.tensors {
            v.extend_from_slice(&s(name));
            v.extend_from_slice(&(ne.len() as u32).to_le_bytes());
            for d in ne {
                v.extend_from_slice(&d.to_le_bytes());
            }
            v.extend_from_slice(&ty.to_le_bytes());
            v.extend_from_slice(&offset.to_le_bytes());
        }
        v.resize(v.len().next_multiple_of(32) + self.data, 0);
        v
    }
}

fn read(b: &Build) -> Result<GgufFile> {
    read_bytes(Path::new("m.gguf"), &b.bytes())
}

fn err(b: &Build) -> String {
    read(b).expect_err("must fail").to_string()
}

#[test]
fn reads_tensors_outermost_first_with_absolute_spans() {
    let mut b = Build::new()
        .tensor("w", &[256, 3], 12, 0)
        .tensor("b", &[3], 0, 448);
    b.kvs.push(kv("general.name", 8, &s("tiny")));
    b.data = 460;
    let f = read(&b).unwrap();
    assert_eq!(f.header.version, 3);
    assert_eq!(f.header.metadata[0].key, "general.name");
    let w = &f.tensors[0];
    assert_eq!((w.type_name(), w.shape.as_slice()), ("Q4_K", &[3, 256][..]));
    assert_eq!(w.data.offset, f.header.data_start);
    assert_eq!(w.data.len, 3 * 144);
    assert_eq!(f.tensors[1].dtype, DType::Float32);
    assert_eq!(f.tensors[1].data.offset, f.header.data_start + 448);
}

#[test]
fn keeps_the_start_of_long_arrays_and_nested_ones() {
    let mut b = Build::new();
    let mut arr = 4u32.to_le_bytes().to_vec();
    arr.extend_from_slice(&100u64.to_le_bytes());
    for i in 0..100u32 {
        arr.extend_from_slice(&i.to_le_bytes());
    }
    b.kvs.push(kv("a", 9, &arr));
    let mut nested = 9u32.to_le_bytes().to_vec();
    nested.extend_from_slice(&1u64.to_le_bytes());
    nested.extend_from_slice(&8u32.to_le_bytes());
    nested.extend_from_slice(&1u64.to_le_bytes());
    nested.extend_from_slice(&s("x"));
    b.kvs.push(kv("n", 9, &nested));
    let f = read(&b).unwrap();
    let Value::Array(a) = &f.header.metadata[0].value else {
        panic!("not an array")
    };
    assert_eq!((a.len, a.head.len()), (100, ARRAY_HEAD));
    assert_eq!(
        f.header.metadata[1].value.display(),
        "[array; 1] [[string; 1] [\"x\"]]"
    );
}

#[test]
fn refuses_bad_headers_with_their_offsets() {
    let mut b = Build::new();
    b.version = 1;
    assert!(err(&b).contains("byte 4: GGUF version 1"), "{}", err(&b));
    b.version = 3u32.swap_bytes();
    assert!(
        err(&b).contains("big-endian GGUF (version 3"),
        "{}",
        err(&b)
    );
    let e = read_bytes(Path::new("m.gguf"), b"GGUF\x03\0")
        .unwrap_err()
        .to_string();
    assert!(e.contains("byte 4: the version: 4 bytes needed"), "{e}");
    let e = read_bytes(Path::new("m.gguf"), b"GGML")
        .unwrap_err()
        .to_string();
    assert!(e.contains("byte 0: not a GGUF file"), "{e}");
}

#[test]
fn refuses_counts_strings_and_arrays_longer_than_the_file() {
    let mut v = Build::new().bytes();
    v[8..16].copy_from_slice(&(MAX_TENSORS + 1).to_le_bytes());
    let e = read_bytes(Path::new("m.gguf"), &v).unwrap_err().to_string();
    assert!(e.contains("byte 8: tensor count 262145 exceeds"), "{e}");
    v[8..16].copy_from_slice(&1000u64.to_le_bytes());
    let e = read_bytes(Path::new("m.gguf"), &v).unwrap_err().to_string();
    assert!(
        e.contains("byte 8: tensor count 1000 needs at least"),
        "{e}"
    );
    let mut b = Build::new();
    b.kvs.push(kv("k", 8, &u64::MAX.to_le_bytes()));
    assert!(
        err(&b).contains("byte 37: a string of 18446744073709551615 bytes runs past"),
        "{}",
        err(&b)
    );
    let mut b = Build::new();
    let mut arr = 0u32.to_le_bytes().to_vec();
    arr.extend_from_slice(&(1u64 << 40).to_le_bytes());
    b.kvs.push(kv("k", 9, &arr));
    assert!(
        err(&b).contains("byte 41: array length 1099511627776 needs at least"),
        "{}",
        err(&b)
    );
}

#[test]
fn refuses_deep_nesting_unknown_types_and_bad_alignment() {
    let mut b = Build::new();
    let mut deep = Vec::new();
    for _ in 0..MAX_DEPTH {
        deep.extend_from_slice(&9u32.to_le_bytes());
        deep.extend_from_slice(&1u64.to_le_bytes());
    }
    b.kvs.push(kv("k", 9, &deep));
    assert!(err(&b).contains("nested deeper than 8"), "{}", err(&b));
    let mut b = Build::new();
    b.kvs.push(kv("k", 13, &[]));
    assert!(
        err(&b).contains("byte 33: unknown metadata value type id 13"),
        "{}",
        err(&b)
    );
    let mut b = Build::new();
    b.kvs.push(kv("general.alignment", 4, &48u32.to_le_bytes()));
    assert!(
        err(&b).contains("general.alignment 48 is not a power of two"),
        "{}",
        err(&b)
    );
    let mut b = Build::new();
    b.kvs
        .push(kv("general.alignment", 10, &64u64.to_le_bytes()));
    assert!(
        err(&b).contains("general.alignment is a u64, not a u32"),
        "{}",
        err(&b)
    );
    let mut b = Build::new();
    b.kvs.push(kv("k", 0, &[1]));
    b.kvs.push(kv("k", 0, &[1]));
    assert!(err(&b).contains("key \"k\" appears twice"), "{}", err(&b));
}

#[test]
fn refuses_bad_tensors() {
    let b = Build::new().tensor("w", &[1, 1, 1, 1, 1], 0, 0);
    assert!(
        err(&b).contains("has 5 dimensions; ggml allows at most 4"),
        "{}",
        err(&b)
    );
    let b = Build::new().tensor("w", &[4], 36, 0);
    assert!(
        err(&b).contains("ggml type id 36, which weightcheck does not know"),
        "{}",
        err(&b)
    );
    let b = Build::new().tensor("w", &[1 << 32, 1 << 32], 0, 0);
    assert!(err(&b).contains("overflows 63 bits"), "{}", err(&b));
    let b = Build::new().tensor("w", &[u64::MAX], 0, 0);
    assert!(err(&b).contains("exceeds 2^63 - 1"), "{}", err(&b));
    let b = Build::new().tensor("w", &[48], 8, 0);
    assert!(
        err(&b).contains("not a multiple of Q8_0's block of 32"),
        "{}",
        err(&b)
    );
    let b = Build::new().tensor("w", &[4], 0, 8);
    assert!(
        err(&b).contains("offset 8 is not a multiple of the alignment 32"),
        "{}",
        err(&b)
    );
    let mut b = Build::new().tensor("w", &[16], 0, 0);
    b.data = 60;
    assert!(err(&b).contains("run past the end"), "{}", err(&b));
    let mut b = Build::new()
        .tensor("a", &[16], 0, 0)
        .tensor("b", &[16], 0, 32);
    b.data = 128;
    assert!(
        err(&b).contains("tensor \"b\" at data bytes [32, 96) overlaps \"a\" at [0, 64)"),
        "{}",
        err(&b)
    );
    let mut b = Build::new()
        .tensor("a", &[8], 0, 0)
        .tensor("a", &[8], 0, 32);
    b.data = 64;
    assert!(
        err(&b).contains("tensor name \"a\" appears twice"),
        "{}",
        err(&b)
    );
    let b = Build::new().tensor(&"n".repeat(64), &[8], 0, 0);
    assert!(
        err(&b).contains("tensor name of 64 bytes is longer than 63"),
        "{}",
        err(&b)
    );
}

#[test]
fn every_type_has_a_whole_block_size_and_ids_ascend() {
    for t in GgmlType::all() {
        assert!(t.block_size() >= 1 && t.type_size() >= 1, "{}", t.name());
        assert_eq!(GgmlType::from_id(t.id()), Some(t));
    }
    let ids: Vec<u32> = GgmlType::all().map(GgmlType::id).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
}

/// Every truncation, and every byte of the header set to each of a few
/// values: never a panic, and what is accepted lies inside the input.
#[test]
fn damage_anywhere_is_refused_or_stays_inside_the_input() {
    let mut b = Build::new()
        .tensor("w", &[256, 2], 12, 0)
        .tensor("b", &[32], 8, 320);
    b.kvs.push(kv("general.alignment", 4, &32u32.to_le_bytes()));
    let mut arr = 8u32.to_le_bytes().to_vec();
    arr.extend_from_slice(&2u64.to_le_bytes());
    arr.extend_from_slice(&s("x"));
    arr.extend_from_slice(&s("yz"));
    b.kvs.push(kv("tokens", 9, &arr));
    b.data = 360;
    let good = b.bytes();
    let check = |bytes: &[u8]| {
        if let Ok(f) = read_bytes(Path::new("m.gguf"), bytes) {
            for t in &f.tensors {
                assert!(t.data.offset >= f.header.data_start);
                assert!(t.data.offset + t.data.len <= bytes.len() as u64);
            }
        }
    };
    for len in 0..good.len() {
        check(&good[..len]);
    }
    let header_len = good.len() - 360;
    for at in 0..header_len {
        for v in [0u8, 1, 2, 9, 0x20, 0x7f, 0x80, 0xff] {
            let mut bytes = good.clone();
            bytes[at] = v;
            check(&bytes);
        }
    }
}

#[test]
fn refuses_more_metadata_than_it_keeps() {
    let mut b = Build::new();
    b.kvs.push(kv(&"k".repeat(MAX_RETAINED + 1), 0, &[0]));
    let e = err(&b);
    assert!(
        e.contains("byte 24: metadata to keep exceeds 67108864 bytes"),
        "{}",
        &e[..200.min(e.len())]
    );
}
