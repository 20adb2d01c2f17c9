//! Hostile and malformed shards: each gets a clear error naming the file and
//! a byte offset, a non-zero exit, and no panic, hang or large allocation.

mod common;

use std::time::{Duration, Instant};

use common::run;
use snapbox::{assert_data_eq, str, IntoData};
use weightcheck::formats::writer::{shard_bytes, ArraySpec, ShardSpec};
use weightcheck::formats::DType;

/// Runs `inspect` on one file holding `bytes`; returns (exit code, stdout,
/// stderr), the temporary directory written as `[ROOT]` in both.
fn inspect(bytes: &[u8]) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tensor00000_000");
    std::fs::write(&path, bytes).unwrap();
    let start = Instant::now();
    let (code, out, err) = run(["inspect", path.to_str().unwrap()], dir.path());
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "took {:?}",
        start.elapsed()
    );
    let root = dir.path().to_str().unwrap();
    (
        code,
        out.replace(root, "[ROOT]"),
        err.replace(root, "[ROOT]"),
    )
}

/// `inspect` fails at `offset`, and prints `want_out` and `want_err` (whole).
#[track_caller]
fn expect_error(bytes: &[u8], offset: u64, want_out: impl IntoData, want_err: impl IntoData) {
    let (code, out, err) = inspect(bytes);
    assert_eq!(code, 1, "{err}");
    let at = format!("tensor00000_000: byte {offset}: ");
    assert!(err.contains(&at), "expected {at:?} in {err:?}");
    assert_data_eq!(out, want_out);
    assert_data_eq!(err, want_err);
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
    let (code, out, err) = inspect(&small_array());
    assert_eq!(code, 0, "{err}");
    assert_data_eq!(
        out,
        str![[r#"
index  file             kind                 shape             dtype     scales                         bytes
    0  tensor00000_000  ndarray              2x2               float32   -                                 16

1 file, 1 tensor, 4 parameters, 165 bytes on disk
  float32                    16 bytes

"#]]
    );
    assert_data_eq!(err, str![]);
}

#[test]
fn truncated_shard() {
    let full = small_array();
    for cut in [1, 2, 10, full.len() / 2, full.len() - 1] {
        let (code, _, err) = inspect(&full[..cut]);
        assert_eq!(code, 1, "cut {cut}: {err}");
        assert!(
            err.contains("byte ") && err.contains("tensor00000_000"),
            "cut {cut}: {err}"
        );
    }
    expect_error(
        &full[..full.len() - 1],
        2,
        str![[r#"
index  file  kind                 shape             dtype     scales                         bytes

0 files, 0 tensors, 0 parameters, 164 bytes on disk
1 file could not be decoded (see errors)

"#]],
        str![[r#"
weightcheck: [ROOT]/tensor00000_000: byte 2: FRAME claims 154 bytes but only 153 remain (truncated or hostile)

"#]],
    );
    // Past the frame header, the cut shows where the data ends.
    let mut unframed = full.clone();
    unframed.drain(2..11);
    expect_error(
        &unframed[..unframed.len() - 1],
        unframed.len() as u64 - 1,
        str![[r#"
index  file  kind                 shape             dtype     scales                         bytes

0 files, 0 tensors, 0 parameters, 155 bytes on disk
1 file could not be decoded (see errors)

"#]],
        str![[r#"
weightcheck: [ROOT]/tensor00000_000: byte 155: truncated: end of data before STOP

"#]],
    );
}

#[test]
fn empty_file() {
    expect_error(
        b"",
        0,
        str![[r#"
index  file  kind                 shape             dtype     scales                         bytes

0 files, 0 tensors, 0 parameters, 0 bytes on disk
1 file could not be decoded (see errors)

"#]],
        str![[r#"
weightcheck: [ROOT]/tensor00000_000: byte 0: empty file

"#]],
    );
}

#[test]
fn wrong_magic() {
    // Zip magic makes it a PyTorch checkpoint, and a broken one.
    expect_error(
        b"PK\x03\x04 this is no zip at all, no",
        30,
        str![[r#"
index  file  kind                 shape             dtype     scales                         bytes

0 files, 0 tensors, 0 parameters, 30 bytes on disk
1 file could not be decoded (see errors)

"#]],
        str![[r#"
weightcheck: [ROOT]/tensor00000_000: byte 30: no zip end-of-central-directory record

"#]],
    );
    expect_error(
        b"\x93NUMPY",
        0,
        str![[r#"
index  file  kind                 shape             dtype     scales                         bytes

0 files, 0 tensors, 0 parameters, 6 bytes on disk
1 file could not be decoded (see errors)

"#]],
        str![[r#"
weightcheck: [ROOT]/tensor00000_000: byte 0: not a pickle (no PROTO opcode 0x80 at the start)

"#]],
    );
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
        let (code, _, err) = inspect(&bytes);
        assert_eq!(code, 1, "{err}");
        assert!(err.contains("tensor00000_000: byte "), "{err}");
    }
}

#[test]
fn os_system_is_refused_never_resolved() {
    expect_error(
        b"\x80\x04\x8c\x02os\x8c\x06system\x93\x8c\x02ls\x85R.",
        14,
        str![[r#"
index  file  kind                 shape             dtype     scales                         bytes

0 files, 0 tensors, 0 parameters, 22 bytes on disk
1 file could not be decoded (see errors)

"#]],
        str![[r#"
weightcheck: [ROOT]/tensor00000_000: byte 14: unknown global os.system (refused, never resolved)

"#]],
    );
    expect_error(
        b"\x80\x02cposix\nsystem\nX\x02\x00\x00\x00ls\x85R.",
        2,
        str![[r#"
index  file  kind                 shape             dtype     scales                         bytes

0 files, 0 tensors, 0 parameters, 26 bytes on disk
1 file could not be decoded (see errors)

"#]],
        str![[r#"
weightcheck: [ROOT]/tensor00000_000: byte 2: unknown global posix.system (refused, never resolved)

"#]],
    );
}

#[test]
fn builtins_eval_is_refused() {
    expect_error(
        b"\x80\x02cbuiltins\neval\nX\x04\x00\x00\x001+1\x85R.",
        2,
        str![[r#"
index  file  kind                 shape             dtype     scales                         bytes

0 files, 0 tensors, 0 parameters, 28 bytes on disk
1 file could not be decoded (see errors)

"#]],
        str![[r#"
weightcheck: [ROOT]/tensor00000_000: byte 2: unknown global builtins.eval (refused, never resolved)

"#]],
    );
}

#[test]
fn subprocess_is_refused() {
    expect_error(
        b"\x80\x04\x8c\nsubprocess\x8c\x05Popen\x93\x8c\x02id\x85R.",
        21,
        str![[r#"
index  file  kind                 shape             dtype     scales                         bytes

0 files, 0 tensors, 0 parameters, 29 bytes on disk
1 file could not be decoded (see errors)

"#]],
        str![[r#"
weightcheck: [ROOT]/tensor00000_000: byte 21: unknown global subprocess.Popen (refused, never resolved)

"#]],
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
    let (code, out, err) = inspect(&p);
    assert_eq!(code, 1, "{err} (root near {root})");
    assert_data_eq!(
        out,
        str![[r#"
index  file  kind                 shape             dtype     scales                         bytes

0 files, 0 tensors, 0 parameters, 845 bytes on disk
1 file could not be decoded (see errors)

"#]]
    );
    assert_data_eq!(
        err,
        str![[r#"
weightcheck: [ROOT]/tensor00000_000: byte 830: shard holds neither a numpy array nor a QuantizedWeight8bit

"#]]
    );
}

#[test]
fn absurd_lengths_do_not_allocate() {
    let mut p = b"\x80\x04\x8e".to_vec();
    p.extend_from_slice(&(1u64 << 63).to_le_bytes());
    p.push(b'.');
    expect_error(
        &p,
        2,
        str![[r#"
index  file  kind                 shape             dtype     scales                         bytes

0 files, 0 tensors, 0 parameters, 12 bytes on disk
1 file could not be decoded (see errors)

"#]],
        str![[r#"
weightcheck: [ROOT]/tensor00000_000: byte 2: BINBYTES8 claims 9223372036854775808 bytes but only 1 remain (truncated or hostile)

"#]],
    );
    let mut p = b"\x80\x04\x8d".to_vec();
    p.extend_from_slice(&u64::MAX.to_le_bytes());
    expect_error(
        &p,
        2,
        str![[r#"
index  file  kind                 shape             dtype     scales                         bytes

0 files, 0 tensors, 0 parameters, 11 bytes on disk
1 file could not be decoded (see errors)

"#]],
        str![[r#"
weightcheck: [ROOT]/tensor00000_000: byte 2: BINUNICODE8 of 18446744073709551615 bytes is longer than the 1048576 allowed

"#]],
    );
    let mut p = b"\x80\x04\x95".to_vec();
    p.extend_from_slice(&(1u64 << 62).to_le_bytes());
    expect_error(
        &p,
        2,
        str![[r#"
index  file  kind                 shape             dtype     scales                         bytes

0 files, 0 tensors, 0 parameters, 11 bytes on disk
1 file could not be decoded (see errors)

"#]],
        str![[r#"
weightcheck: [ROOT]/tensor00000_000: byte 2: FRAME claims 4611686018427387904 bytes but only 0 remain (truncated or hostile)

"#]],
    );
}

#[test]
fn deep_nesting() {
    let mut p = b"\x80\x04".to_vec();
    p.extend(std::iter::repeat_n(b'(', 1_000_000));
    expect_error(
        &p,
        4098,
        str![[r#"
index  file  kind                 shape             dtype     scales                         bytes

0 files, 0 tensors, 0 parameters, 1,000,002 bytes on disk
1 file could not be decoded (see errors)

"#]],
        str![[r#"
weightcheck: [ROOT]/tensor00000_000: byte 4098: MARKs nested deeper than 4096

"#]],
    );
    // A million nested tuples: a flat arena, no recursion.
    let mut p = b"\x80\x04)".to_vec();
    p.extend(std::iter::repeat_n(0x85, 1_000_000));
    p.push(b'.');
    expect_error(
        &p,
        1_000_002,
        str![[r#"
index  file  kind                 shape             dtype     scales                         bytes

0 files, 0 tensors, 0 parameters, 1,000,004 bytes on disk
1 file could not be decoded (see errors)

"#]],
        str![[r#"
weightcheck: [ROOT]/tensor00000_000: byte 1000002: shard holds neither a numpy array nor a QuantizedWeight8bit

"#]],
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
    expect_error(
        &bad,
        at as u64 + 16,
        str![[r#"
index  file  kind                 shape             dtype     scales                         bytes

0 files, 0 tensors, 0 parameters, 177 bytes on disk
1 file could not be decoded (see errors)

"#]],
        str![[r#"
weightcheck: [ROOT]/tensor00000_000: byte 103: shape's element count overflows 64 bits

"#]],
    );
}

#[test]
fn payload_not_matching_shape() {
    let good = small_array();
    let shape = b"K\x02K\x02\x86";
    let at = good.windows(shape.len()).position(|w| w == shape).unwrap();
    let mut bad = good.clone();
    bad[at + 1] = 3; // 3x2 float32 needs 24 bytes, the payload has 16
    let (code, out, err) = inspect(&bad);
    assert_eq!(code, 1);
    assert_data_eq!(
        out,
        str![[r#"
index  file  kind                 shape             dtype     scales                         bytes

0 files, 0 tensors, 0 parameters, 165 bytes on disk
1 file could not be decoded (see errors)

"#]]
    );
    assert_data_eq!(
        err,
        str![[r#"
weightcheck: [ROOT]/tensor00000_000: byte 142: array payload is 16 bytes but shape [3, 2] of float32 needs 24

"#]]
    );
}

#[test]
fn directory_with_one_bad_file_reports_it_and_lists_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("tensor00000_000"), small_array()).unwrap();
    std::fs::write(dir.path().join("tensor00001_000"), b"\x80\x04\xffgarbage").unwrap();
    let (code, out, err) = run(["inspect", "."], dir.path());
    assert_eq!(code, 1);
    common::assert_output(
        &out,
        str![[r#"
index  file             kind                 shape             dtype     scales                         bytes
    0  tensor00000_000  ndarray              2x2               float32   -                                 16

1 file, 1 tensor, 4 parameters, 175 bytes on disk
  float32                    16 bytes
1 file could not be decoded (see errors)

"#]],
        dir.path(),
    );
    common::assert_output(
        &err,
        str![[r#"
weightcheck: [ROOT]/tensor00001_000: byte 2: unknown opcode 0xff

"#]],
        dir.path(),
    );
}
