//! weightcheck's Rust shard writer against the real one: CPython 3.11
//! `pickle.dump` with numpy 1.26.4 and ml_dtypes 0.4.0, driven through
//! scripts/grok_fixture.py in the venv that scripts/setup-python.sh makes.
//! Every case must come out byte for byte identical.

mod common;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use common::{explain_difference, fixture, spec_of};
use weightcheck::formats::grok::{decode_shard, decode_shard_bytes};
use weightcheck::formats::tensor::{parse_shape, shape_str};
use weightcheck::formats::writer::{shard_bytes, write_shard, ArraySpec, ShardSpec};
use weightcheck::formats::{DType, StoredAs, TensorRecord};

/// One shard for `grok_fixture.py one`.
#[derive(Debug, Clone)]
struct Case {
    name: String,
    shape: Vec<u64>,
    dtype: DType,
    scales: Option<(Vec<u64>, DType)>,
    zeros: bool,
    fill: Option<i64>,
}

fn array(name: &str, shape: &[u64], dtype: DType) -> Case {
    Case {
        name: name.into(),
        shape: shape.to_vec(),
        dtype,
        scales: None,
        zeros: false,
        fill: None,
    }
}

fn quantized(name: &str, shape: &[u64], scales: &[u64], scales_dtype: DType) -> Case {
    Case {
        name: name.into(),
        shape: shape.to_vec(),
        dtype: DType::Int8,
        scales: Some((scales.to_vec(), scales_dtype)),
        zeros: false,
        fill: None,
    }
}

impl Case {
    fn payload(&self) -> u64 {
        self.shape.iter().product::<u64>() * self.dtype.itemsize()
    }

    /// The `one` arguments, for a line of a batch file.
    fn args(&self, out: &Path, seed: usize) -> String {
        let mut line = format!(
            "'{}' --seed {seed} --shape '{}' --dtype {}",
            out.display(),
            if self.shape.is_empty() {
                String::new()
            } else {
                shape_str(&self.shape)
            },
            self.dtype
        );
        match &self.scales {
            None => line.push_str(" --kind array"),
            Some((shape, dtype)) => {
                write!(
                    line,
                    " --kind quantized --scales-shape {} --scales-dtype {dtype}",
                    shape_str(shape)
                )
                .unwrap();
            }
        }
        if self.zeros {
            line.push_str(" --zeros");
        }
        if let Some(v) = self.fill {
            write!(line, " --fill {v}").unwrap();
        }
        line
    }
}

/// Writes every case with the real writer in one Python run.
fn write_reference(dir: &Path, cases: &[Case]) -> Vec<PathBuf> {
    let mut spec = String::new();
    let mut paths = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let path = dir.join(format!("{i:03}-{}.pkl", case.name));
        writeln!(spec, "{}", case.args(&path, i)).unwrap();
        paths.push(path);
    }
    let spec_file = dir.join("batch.txt");
    std::fs::write(&spec_file, spec).unwrap();
    fixture(&["batch", spec_file.to_str().unwrap()]);
    paths
}

fn check_record(case: &Case, rec: &TensorRecord) {
    assert_eq!(rec.shape, case.shape, "{}: shape", case.name);
    assert_eq!(rec.dtype, case.dtype, "{}: dtype", case.name);
    match (&case.scales, &rec.scales) {
        (None, None) => assert_eq!(rec.stored_as, StoredAs::Array),
        (Some((shape, dtype)), Some(s)) => {
            assert_eq!(rec.stored_as, StoredAs::QuantizedWeight8bit);
            assert_eq!(&s.shape, shape, "{}: scales shape", case.name);
            assert_eq!(s.dtype, *dtype, "{}: scales dtype", case.name);
        }
        (want, got) => panic!("{}: scales {want:?}, decoded {got:?}", case.name),
    }
}

/// Decodes each reference file, re-writes it with the Rust writer from its
/// own payload bytes and compares. Returns the failures, explained.
fn compare(cases: &[Case], paths: &[PathBuf]) -> Vec<String> {
    let mut failures = Vec::new();
    for (case, path) in cases.iter().zip(paths) {
        let reference = std::fs::read(path).unwrap();
        let rec = decode_shard_bytes(path, &reference)
            .unwrap_or_else(|e| panic!("{}: decode: {e}", case.name));
        check_record(case, &rec);
        let ours = shard_bytes(&spec_of(&rec, &reference)).unwrap();
        if ours != reference {
            failures.push(explain_difference(path, &ours));
        }
    }
    failures
}

fn assert_no_failures(failures: Vec<String>, total: usize) {
    assert!(
        failures.is_empty(),
        "{} of {total} shards differ from the real writer:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

const KIB64: u64 = 64 * 1024;

fn named_cases() -> Vec<Case> {
    use DType::*;
    let mut cases = vec![
        // Plain arrays as Grok-1 stores them, small and full size.
        array("norm-f32", &[6144], Float32),
        array("small-norm-f32", &[64], Float32),
        array("router-f32", &[6144, 8], Float32),
        array("small-router-f32", &[64, 4], Float32),
        array("small-embedding-f32", &[512, 64], Float32),
        // Other element types.
        array("bf16-short", &[100], Bfloat16),
        array("bf16-2d", &[300, 7], Bfloat16),
        array("bf16-large", &[40_000], Bfloat16),
        array("i8", &[1000], Int8),
        array("i8-2d", &[3, 5, 7], Int8),
        array("u8", &[17], Uint8),
        array("bool", &[9], Bool),
        array("f16", &[33], Float16),
        array("f64", &[12], Float64),
        array("i16", &[12], Int16),
        array("i32", &[12], Int32),
        array("i64", &[12], Int64),
        array("u16", &[12], Uint16),
        array("u32", &[12], Uint32),
        array("u64", &[12], Uint64),
        array("f8e4m3fn", &[40], Float8E4m3fn),
        array("f8e5m2", &[40], Float8E5m2),
        array("scalar-f32", &[], Float32),
        array("empty-f32", &[0], Float32),
        array("tiny-i8", &[1], Int8),
        array("payload-255", &[255], Int8),
        array("payload-256", &[256], Int8),
        // Payloads around the 64 KiB frame target.
        array("i8-64k-minus-1", &[KIB64 - 1], Int8),
        array("i8-64k", &[KIB64], Int8),
        array("i8-64k-plus-1", &[KIB64 + 1], Int8),
        array("f32-64k-minus-4", &[KIB64 / 4 - 1], Float32),
        array("f32-64k", &[KIB64 / 4], Float32),
        array("bf16-64k-plus-2", &[KIB64 / 2 + 1], Bfloat16),
        // Dimensions past BININT2 (65535) and BININT1 (255).
        array("i8-dim-65535", &[65_535], Int8),
        array("i8-dim-65536", &[65_536], Int8),
        array("i8-dim-70000", &[2, 70_000], Int8),
        array("f32-vocab-like", &[131_072, 2], Float32),
        array("i8-dims-mixed", &[1, 255, 256], Int8),
        // Quantized weights as Grok-1 stores them, scaled down.
        quantized("q-key", &[64, 32], &[1, 32], Bfloat16),
        quantized("q-attn-out", &[64, 64], &[8, 64], Bfloat16),
        quantized("q-experts", &[4, 64, 344], &[4, 1, 344], Bfloat16),
        quantized("q-experts-1", &[4, 344, 64], &[4, 8, 64], Bfloat16),
        quantized("q-key-full", &[6144, 1024], &[1, 1024], Bfloat16),
        quantized("q-attn-out-full", &[6144, 6144], &[8, 6144], Bfloat16),
        // Weight and scales sharing one frame that ends up past 64 KiB.
        quantized("q-frame-shared-1", &[255, 256], &[1, 256], Bfloat16),
        quantized("q-frame-shared-2", &[256, 255], &[1, 255], Bfloat16),
        quantized("q-frame-shared-3", &[128, 500], &[8, 500], Bfloat16),
        quantized("q-frame-shared-4", &[64, 1000], &[64, 1000], Bfloat16),
        // Weight just under, at and over 64 KiB, scales small or large.
        quantized("q-w-64k-minus-1", &[1, KIB64 - 1], &[1, 1], Bfloat16),
        quantized("q-w-64k", &[1, KIB64], &[1, 1], Bfloat16),
        quantized("q-w-64k-plus-1", &[1, KIB64 + 1], &[1, 1], Bfloat16),
        quantized("q-both-big", &[2, 40_000], &[2, 40_000], Bfloat16),
        quantized("q-scales-big", &[1, 40_000], &[1, 40_000], Bfloat16),
        quantized("q-dim-70000", &[70_000, 2], &[1, 2], Bfloat16),
        quantized("q-scales-dim-70000", &[2, 70_000], &[1, 70_000], Bfloat16),
        // Scales of other types (the dtype memo: int8 twice).
        quantized("q-scales-i8", &[16, 16], &[1, 16], Int8),
        quantized("q-scales-f32", &[16, 16], &[4, 16], Float32),
        quantized("q-scales-f16", &[16, 16], &[1, 1], Float16),
        quantized("q-scalar-scales-shape", &[3, 3], &[1, 1], Bfloat16),
    ];
    // Holes: zero content.
    for c in [
        array("zeros-norm", &[6144], Float32),
        array("zeros-big", &[100_000], Int8),
        quantized("zeros-q", &[4, 64, 344], &[4, 8, 344], Bfloat16),
    ] {
        cases.push(Case { zeros: true, ..c });
    }
    // Payloads of one byte are the interpreter's cached bytes objects: one
    // equal to b'b' is a BINGET of `_reconstruct`'s third argument.
    for (c, v) in [
        (array("one-byte-b", &[1], Int8), 98),
        (array("one-byte-0", &[1, 1], Int8), 0),
        (array("one-byte-u8-b", &[1], Uint8), 98),
        (array("one-byte-bool", &[1], Bool), 1),
        (quantized("q-one-byte-b", &[1, 1], &[1, 1], Bfloat16), 98),
        (quantized("q-one-byte-i8-scales", &[1, 1], &[1, 1], Int8), 5),
    ] {
        cases.push(Case { fill: Some(v), ..c });
    }
    // Dimensions past BININT (LONG1), on arrays with no elements.
    cases.extend([
        array("dim-2^31-1", &[0, (1 << 31) - 1], Int8),
        array("dim-2^31", &[0, 1 << 31], Int8),
        array("dim-2^32", &[0, 1 << 32], Float32),
        array("dim-2^40", &[1 << 40, 0], Bfloat16),
        quantized("q-dim-2^31", &[0, 1 << 31], &[1, 1], Bfloat16),
    ]);
    cases
}

/// Empty weight and empty scales share CPython's empty bytes object (the
/// second is a BINGET). The decoder refuses scales with a zero dimension, so
/// this one is fed to the Rust writer directly.
#[test]
fn empty_payloads_share_a_memo_entry() {
    let dir = tempfile::tempdir().unwrap();
    let case = quantized("q-empty", &[0, 4], &[0, 4], DType::Bfloat16);
    let paths = write_reference(dir.path(), std::slice::from_ref(&case));
    let spec = ShardSpec::Quantized {
        weight: ArraySpec {
            shape: vec![0, 4],
            dtype: DType::Int8,
            data: Some(&[]),
        },
        scales: ArraySpec {
            shape: vec![0, 4],
            dtype: DType::Bfloat16,
            data: None,
        },
    };
    let ours = shard_bytes(&spec).unwrap();
    let reference = std::fs::read(&paths[0]).unwrap();
    assert!(
        ours == reference,
        "{}",
        explain_difference(&paths[0], &ours)
    );
}

#[test]
fn named_cases_are_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let cases = named_cases();
    for c in &cases {
        if c.payload() >= 1 << 26 {
            panic!("{}: keep cases small", c.name);
        }
    }
    let paths = write_reference(dir.path(), &cases);
    assert_no_failures(compare(&cases, &paths), cases.len());
}

/// The frame target crossed at every opcode of the pickle: arrays and
/// quantized weights whose payloads put the frame just under, at and just
/// over 64 KiB at each point of the structure that follows them.
#[test]
fn frame_boundary_sweep_is_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let mut cases = Vec::new();
    for n in (KIB64 - 320)..=KIB64 {
        cases.push(array(&format!("sweep-i8-{n}"), &[n], DType::Int8));
    }
    for n in (KIB64 - 480)..=KIB64 {
        cases.push(quantized(
            &format!("sweep-q-{n}"),
            &[1, n],
            &[1, 1],
            DType::Bfloat16,
        ));
    }
    // Scales whose payload brings a shared frame over 64 KiB.
    for n in (0..=40).map(|k| 32_500 + 8 * k) {
        cases.push(quantized(
            &format!("sweep-qs-{n}"),
            &[2, n],
            &[2, 1],
            DType::Bfloat16,
        ));
    }
    let paths = write_reference(dir.path(), &cases);
    assert_no_failures(compare(&cases, &paths), cases.len());
}

/// `write_shard` with holes (no data) makes the same file as the real writer
/// pickling zeros, and leaves the large payloads sparse.
#[test]
fn sparse_writes_match_zeros() {
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<Case> = [
        array("zeros-embedding-like", &[4096, 64], DType::Float32),
        array("zeros-norm", &[6144], DType::Float32),
        quantized(
            "zeros-experts",
            &[4, 256, 344],
            &[4, 8, 256],
            DType::Bfloat16,
        ),
        quantized("zeros-key", &[512, 128], &[1, 128], DType::Bfloat16),
    ]
    .into_iter()
    .map(|c| Case { zeros: true, ..c })
    .collect();
    let paths = write_reference(dir.path(), &cases);
    for (case, path) in cases.iter().zip(&paths) {
        let hole = |shape: &[u64], dtype| ArraySpec {
            shape: shape.to_vec(),
            dtype,
            data: None,
        };
        let spec = match &case.scales {
            None => ShardSpec::Array(hole(&case.shape, case.dtype)),
            Some((s, d)) => ShardSpec::Quantized {
                weight: hole(&case.shape, case.dtype),
                scales: hole(s, *d),
            },
        };
        let ours_path = path.with_extension("sparse");
        let size = write_shard(&ours_path, &spec).unwrap();
        let ours = std::fs::read(&ours_path).unwrap();
        assert_eq!(size, ours.len() as u64, "{}: reported size", case.name);
        let reference = std::fs::read(path).unwrap();
        assert!(ours == reference, "{}", explain_difference(path, &ours));
        assert_eq!(shard_bytes(&spec).unwrap(), reference, "{}", case.name);
    }
}

/// Parses a `tensors.tsv` / `ckpt-0.tsv` table into rows keyed by header.
fn read_tsv(path: &Path) -> Vec<HashMap<String, String>> {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split('\t').collect();
    lines
        .filter(|l| !l.is_empty())
        .map(|l| {
            header
                .iter()
                .zip(l.split('\t'))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// The scaled-down checkpoint: 12 layers in the loader's string order, every
/// shard decodes to what tensors.tsv says, and re-writing each from its own
/// bytes gives the same file.
#[test]
fn small_fixture_decodes_as_listed() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("small");
    fixture(&["small", out.to_str().unwrap(), "--seed", "7"]);
    let rows = read_tsv(&out.join("tensors.tsv"));
    let config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("config.json")).unwrap()).unwrap();
    let layers = config["num_layers"].as_u64().unwrap();
    assert_eq!(layers, 12);
    assert_eq!(rows.len() as u64, 2 + 12 * layers);
    let files: Vec<_> = std::fs::read_dir(out.join("ckpt-0"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(files.len(), rows.len());

    // Loader order: embedding, final norm, then layers 0, 1, 10, 11, 2, ….
    assert_eq!(
        rows[0]["param_path"],
        "language_model/in_out_embed/embeddings"
    );
    assert_eq!(rows[1]["param_path"], "language_model/rms_norm/scale");
    let layer_order: Vec<String> = rows[2..]
        .iter()
        .step_by(12)
        .map(|r| r["param_path"].split('/').nth(1).unwrap().to_string())
        .collect();
    let mut want: Vec<String> = (0..layers).map(|l| format!("decoder_layer_{l}")).collect();
    want.sort();
    assert_eq!(layer_order, want);
    assert_eq!(layer_order[2], "decoder_layer_10");

    let mut params = 0u64;
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row["index"], i.to_string());
        let path = out.join(&row["file"]);
        assert_eq!(row["file"], format!("ckpt-0/tensor{i:05}_000"));
        let rec = decode_shard(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let what = &row["param_path"];
        assert_eq!(rec.stored_as.name(), row["stored_as"], "{what}");
        assert_eq!(
            Some(rec.shape.clone()),
            parse_shape(&row["logical_shape"]),
            "{what}"
        );
        assert_eq!(rec.dtype.name(), row["weight_dtype"], "{what}");
        match &rec.scales {
            Some(s) => {
                assert_eq!(
                    Some(s.shape.clone()),
                    parse_shape(&row["scales_shape"]),
                    "{what}"
                );
                assert_eq!(s.dtype.name(), row["scales_dtype"], "{what}");
            }
            None => assert_eq!(row["scales_shape"], "", "{what}"),
        }
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(bytes.len().to_string(), row["file_bytes"], "{what}");
        let ours = shard_bytes(&spec_of(&rec, &bytes)).unwrap();
        assert!(ours == bytes, "{}", explain_difference(&path, &ours));
        params += rec.elements();
    }
    // The small config's parameter count, from its shapes.
    let c = |k: &str| config[k].as_u64().unwrap();
    let emb = c("emb_size");
    let ffn = {
        let f = c("widening_factor") * emb * 2 / 3;
        f + (8 - f % 8) % 8
    };
    let per_layer = 3 * c("num_experts") * emb * ffn
        + 2 * emb * c("num_kv_heads") * c("key_size")
        + 2 * emb * c("num_q_heads") * c("key_size")
        + 4 * emb
        + emb * c("num_experts");
    assert_eq!(params, c("vocab_size") * emb + emb + layers * per_layer);
}
