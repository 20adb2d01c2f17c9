//! Hostile and malformed shards: each gets a clear error naming the file and
//! a byte offset, a non-zero exit, and no panic, hang or large allocation.

mod common;

use std::time::{Duration, Instant};

use common::run;
use weightcheck::formats::writer::{shard_bytes, ArraySpec, ShardSpec};
use weightcheck::formats::DType;

/// Runs `inspect` on one file holding `bytes`; returns (exit code, stderr).
fn inspect(bytes: &[u8]) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tensor00000_000");
    std::fs::write(&path, bytes).unwrap();
    let start = Instant::now();
    let (code, _, err) = run(["inspect", path.to_str().unwrap()], dir.path());
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "took {:?}",
        start.elapsed()
    );
    (code, err)
}

fn expect_error(bytes: &[u8], offset: u64, needle: &str) {
    let (code, err) = inspect(bytes);
    assert_eq!(code, 1, "{err}");
    let want = format!("tensor00000_000: byte {offset}: ");
    assert!(err.contains(&want), "expected {want:?} in {err:?}");
    assert!(err.contains(needle), "expected {needle:?} in {err:?}");
}

fn small_array() -> Vec<u8> {
    let data = [0u8; 16];
    shard_bytes(&ShardSpec::Array(ArraySpec {
        shape: vec![2, 2],
        dtype: DType::Float32,
        data: Some(&data),
    }))
    .unwrap()
}

#[test]
fn a_valid_shard_inspects() {
    let (code, err) = inspect(&small_array());
    assert_eq!(code, 0, "{err}");
}

#[test]
fn truncated_shard() {
    let full = small_array();
    for cut in [1, 2, 10, full.len() / 2, full.len() - 1] {
        let (code, err) = inspect(&full[..cut]);
        assert_eq!(code, 1, "cut {cut}: {err}");
        assert!(
            err.contains("byte ") && err.contains("tensor00000_000"),
            "cut {cut}: {err}"
        );
    }
    expect_error(
        &full[..full.len() - 1],
        2,
        "FRAME claims 154 bytes but only 153 remain (truncated or hostile)",
    );
    // Past the frame header, the cut shows where the data ends.
    let mut unframed = full.clone();
    unframed.drain(2..11);
    expect_error(
        &unframed[..unframed.len() - 1],
        unframed.len() as u64 - 1,
        "truncated: end of data before STOP",
    );
}

#[test]
fn empty_file() {
    expect_error(b"", 0, "empty file");
}

#[test]
fn wrong_magic() {
    // Zip magic makes it a PyTorch checkpoint, and a broken one.
    expect_error(
        b"PK\x03\x04 this is no zip at all, no",
        30,
        "no zip end-of-central-directory record",
    );
    expect_error(b"\x93NUMPY", 0, "not a pickle");
}

#[test]
fn random_bytes() {
    let mut x = 0x1234_5678_9abc_def0u64;
    for round in 0..200 {
        let mut bytes = vec![0x80, 4];
        for _ in 0..(round % 64 + 1) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            bytes.extend_from_slice(&x.to_le_bytes());
        }
        let (code, err) = inspect(&bytes);
        assert_eq!(code, 1, "{err}");
        assert!(err.contains("tensor00000_000: byte "), "{err}");
    }
}

#[test]
fn os_system_is_refused_never_resolved() {
    expect_error(
        b"\x80\x04\x8c\x02os\x8c\x06system\x93\x8c\x02ls\x85R.",
        14,
        "unknown global os.system",
    );
    expect_error(
        b"\x80\x02cposix\nsystem\nX\x02\x00\x00\x00ls\x85R.",
        2,
        "unknown global posix.system",
    );
}

#[test]
fn builtins_eval_is_refused() {
    expect_error(
        b"\x80\x02cbuiltins\neval\nX\x04\x00\x00\x001+1\x85R.",
        2,
        "unknown global builtins.eval",
    );
}

#[test]
fn subprocess_is_refused() {
    expect_error(
        b"\x80\x04\x8c\nsubprocess\x8c\x05Popen\x93\x8c\x02id\x85R.",
        21,
        "unknown global subprocess.Popen",
    );
}

#[test]
fn memo_bomb_costs_nothing() {
    // Each level is a list holding the previous level twice: 2^60 leaves if
    // expanded, 60 nodes as parsed.
    let mut p = b"\x80\x04]\x94".to_vec();
    for level in 0..60u32 {
        p.extend_from_slice(b"](j");
        p.extend_from_slice(&level.to_le_bytes());
        p.push(b'j');
        p.extend_from_slice(&level.to_le_bytes());
        p.extend_from_slice(b"e\x94");
    }
    p.push(b'.');
    let root = p.len() as u64 - 2; // the last MEMOIZE's list, made by `]`
    let (code, err) = inspect(&p);
    assert_eq!(code, 1);
    assert!(
        err.contains("neither a numpy array nor a QuantizedWeight8bit"),
        "{err}"
    );
    assert!(err.contains("byte "), "{err} (root near {root})");
}

#[test]
fn absurd_lengths_do_not_allocate() {
    let mut p = b"\x80\x04\x8e".to_vec();
    p.extend_from_slice(&(1u64 << 63).to_le_bytes());
    p.push(b'.');
    expect_error(&p, 2, "BINBYTES8 claims 9223372036854775808 bytes");
    let mut p = b"\x80\x04\x8d".to_vec();
    p.extend_from_slice(&u64::MAX.to_le_bytes());
    expect_error(&p, 2, "BINUNICODE8 of 18446744073709551615 bytes");
    let mut p = b"\x80\x04\x95".to_vec();
    p.extend_from_slice(&(1u64 << 62).to_le_bytes());
    expect_error(&p, 2, "FRAME claims");
}

#[test]
fn deep_nesting() {
    let mut p = b"\x80\x04".to_vec();
    p.extend(std::iter::repeat_n(b'(', 1_000_000));
    expect_error(&p, 4098, "MARKs nested deeper than 4096");
    // A million nested tuples: a flat arena, no recursion.
    let mut p = b"\x80\x04)".to_vec();
    p.extend(std::iter::repeat_n(0x85, 1_000_000));
    p.push(b'.');
    expect_error(
        &p,
        1_000_002,
        "neither a numpy array nor a QuantizedWeight8bit",
    );
}

#[test]
fn shape_product_overflowing_u64() {
    let good = small_array();
    let shape = b"K\x02K\x02\x86";
    let at = good
        .windows(shape.len())
        .position(|w| w == shape)
        .expect("shape encoding");
    let big = b"\x8a\x06\x00\x00\x00\x00\x00\x01"; // 2**40
    let mut bad = good[..at].to_vec();
    bad.extend_from_slice(big);
    bad.extend_from_slice(big);
    bad.push(0x86);
    bad.extend_from_slice(&good[at + shape.len()..]);
    // Reported at the TUPLE2 that closes the shape.
    expect_error(&bad, at as u64 + 16, "overflows 64 bits");
}

#[test]
fn payload_not_matching_shape() {
    let good = small_array();
    let shape = b"K\x02K\x02\x86";
    let at = good.windows(shape.len()).position(|w| w == shape).unwrap();
    let mut bad = good.clone();
    bad[at + 1] = 3; // 3x2 float32 needs 24 bytes, the payload has 16
    let (code, err) = inspect(&bad);
    assert_eq!(code, 1);
    assert!(
        err.contains("array payload is 16 bytes but shape [3, 2] of float32 needs 24"),
        "{err}"
    );
}

#[test]
fn directory_with_one_bad_file_reports_it_and_lists_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("tensor00000_000"), small_array()).unwrap();
    std::fs::write(dir.path().join("tensor00001_000"), b"\x80\x04\xffgarbage").unwrap();
    let (code, out, err) = run(["inspect", "."], dir.path());
    assert_eq!(code, 1);
    assert!(out.contains("1 files, 1 tensors, 4 parameters"), "{out}");
    assert!(
        err.contains("tensor00001_000: byte 2: unknown opcode 0xff"),
        "{err}"
    );
}
