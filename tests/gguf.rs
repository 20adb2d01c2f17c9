//! GGUF files written by the real writer (PyPI `gguf` 0.19.0, the package
//! llama.cpp's converters use, through scripts/gguf_fixture.py): `inspect
//! --json` lists exactly what the package's own reader lists, for a tensor
//! of every ggml type it knows; the ggml type table is the package's; the
//! text output whole; and damaged copies refused with the byte at fault.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::Value;
use snapbox::str;
use weightcheck::formats::gguf::GgmlType;

/// The fixtures of scripts/gguf_fixture.py in a temporary directory, and
/// its `reference.json`.
fn fixtures() -> (tempfile::TempDir, Value) {
    let dir = tempfile::tempdir().expect("tempdir");
    let python = common::python_gguf();
    let out = Command::new(&python)
        .arg(common::repo().join("scripts/gguf_fixture.py"))
        .arg(dir.path())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
    assert!(
        out.status.success(),
        "gguf_fixture.py failed ({}); if the venv is stale run scripts/test.sh\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let reference = std::fs::read_to_string(dir.path().join("reference.json")).expect("reference");
    (
        dir,
        serde_json::from_str(&reference).expect("reference JSON"),
    )
}

fn inspect_json(dir: &Path, file: &str) -> Value {
    let (code, out, err) = common::run(["inspect", "--json", file], dir);
    assert_eq!(code, common::EXIT_OK, "{err}");
    serde_json::from_str(&out).expect("inspect --json")
}

/// gguf-py's value type names, as weightcheck prints them.
fn type_name(py: &Value) -> String {
    match py.as_str().expect("type name") {
        "UINT8" => "u8",
        "INT8" => "i8",
        "UINT16" => "u16",
        "INT16" => "i16",
        "UINT32" => "u32",
        "INT32" => "i32",
        "FLOAT32" => "f32",
        "BOOL" => "bool",
        "STRING" => "string",
        "ARRAY" => "array",
        "UINT64" => "u64",
        "INT64" => "i64",
        "FLOAT64" => "f64",
        other => panic!("unknown gguf-py type {other}"),
    }
    .to_string()
}

/// Equal as JSON, floats compared as the f32 or f64 the file holds.
fn same_value(ours: &Value, reference: &Value, ty: &str) -> bool {
    match (ours, reference) {
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_value(x, y, ty))
        }
        (Value::Number(x), Value::Number(y)) if ty == "f32" => {
            x.as_f64().map(|v| v as f32) == y.as_f64().map(|v| v as f32)
        }
        _ => ours == reference,
    }
}

fn check_file(dir: &Path, file: &str, reference: &Value) {
    let ours = inspect_json(dir, file);
    let header = &ours["gguf"][0];
    assert_eq!(header["file"], file);
    assert_eq!(header["alignment"], reference["alignment"], "{file}");
    assert_eq!(header["data_start"], reference["data_offset"], "{file}");

    let tensors = ours["tensors"].as_array().expect("tensors");
    let want = reference["tensors"].as_array().expect("reference tensors");
    assert_eq!(tensors.len(), want.len(), "{file}");
    for (t, w) in tensors.iter().zip(want) {
        let name = w["name"].as_str().expect("name");
        assert_eq!(t["name"], w["name"], "{file}");
        assert_eq!(t["kind"], "ggml", "{name}");
        assert_eq!(t["dtype"], w["type"], "{name}");
        // Outermost first: the reverse of the stored order gguf-py reports.
        let mut shape = w["shape"].as_array().expect("shape").clone();
        shape.reverse();
        assert_eq!(t["shape"], Value::Array(shape), "{name}");
        assert_eq!(t["parameters"], w["n_elements"], "{name}");
        assert_eq!(t["payload_bytes"], w["n_bytes"], "{name}");
        assert_eq!(t["data_offset"], w["data_offset"], "{name}");
    }

    let kvs = header["metadata"].as_array().expect("metadata");
    let want = reference["kv"].as_array().expect("reference kv");
    let keys = |v: &[Value]| -> Vec<String> {
        v.iter()
            .map(|kv| kv["key"].as_str().expect("key").to_string())
            .collect()
    };
    assert_eq!(keys(kvs), keys(want), "{file}");
    for (kv, w) in kvs.iter().zip(want) {
        let key = w["key"].as_str().expect("key");
        let types = w["types"].as_array().expect("types");
        assert_eq!(
            kv["type"].as_str(),
            Some(type_name(&types[0]).as_str()),
            "{key}"
        );
        let value_type = match types.as_slice() {
            [_, element, ..] => {
                assert_eq!(kv["element_type"], type_name(element), "{key}");
                type_name(element)
            }
            _ => type_name(&types[0]),
        };
        if let Some(len) = w.get("len") {
            assert_eq!(&kv["len"], len, "{key}");
        }
        if let Some(value) = w.get("value") {
            assert!(
                same_value(&kv["value"], value, &value_type),
                "{key}: {} is not {value}",
                kv["value"]
            );
        }
    }
}

#[test]
fn inspect_lists_what_the_reference_reader_lists() {
    let (dir, reference) = fixtures();
    for file in ["model.gguf", "aligned.gguf", "small.gguf"] {
        check_file(dir.path(), file, &reference[file]);
    }
    // A tensor of every type the package has a size for, and block-
    // quantised ones among those quantised by the package itself.
    let types: Vec<&str> = reference["model.gguf"]["tensors"]
        .as_array()
        .expect("tensors")
        .iter()
        .filter_map(|t| t["type"].as_str())
        .collect();
    let sizes = reference["quant_sizes"].as_object().expect("sizes");
    assert_eq!(types.len(), sizes.len());
    assert!(sizes.keys().all(|k| types.contains(&k.as_str())));
    let how = &reference["written_as"];
    for quantised in [
        "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "TQ1_0", "TQ2_0", "MXFP4",
    ] {
        assert_eq!(how[quantised], "quantized", "{quantised}");
    }
    // Nested arrays, which gguf-py's reader flattens, are checked here.
    let nested = &inspect_json(dir.path(), "model.gguf")["gguf"][0]["metadata"];
    let nested = nested
        .as_array()
        .expect("metadata")
        .iter()
        .find(|kv| kv["key"] == "t.array.nested")
        .expect("nested");
    assert_eq!(nested["len"], 2);
    assert_eq!(nested["value"][0]["value"], serde_json::json!([1, 2]));
    assert_eq!(nested["value"][1]["len"], 1);
}

#[test]
fn ggml_types_are_the_packages() {
    let (_dir, reference) = fixtures();
    let mut theirs: Vec<(String, u64, u64, u64)> = reference["quant_sizes"]
        .as_object()
        .expect("sizes")
        .iter()
        .map(|(name, v)| {
            let n = |i: usize| v[i].as_u64().expect("number");
            (name.clone(), n(0), n(1), n(2))
        })
        .collect();
    let mut ours: Vec<(String, u64, u64, u64)> = GgmlType::all()
        .map(|t| {
            (
                t.name().to_string(),
                u64::from(t.id()),
                t.block_size(),
                t.type_size(),
            )
        })
        .collect();
    ours.sort();
    theirs.sort();
    assert_eq!(ours, theirs);
}

#[test]
fn inspect_text_of_a_small_file() {
    let (dir, _) = fixtures();
    let (code, out, err) = common::run(["inspect", "small.gguf"], dir.path());
    assert_eq!((code, err.as_str()), (common::EXIT_OK, ""));
    common::assert_output(
        &out,
        str![[r#"
index  file        kind                 shape             dtype     scales                         bytes
    -  token_embd.weight  ggml                 4x32              F16       -                                256
    -  blk.0.attn_q.weight  ggml                 2x32              Q8_0      -                                 68

1 file, 2 tensors, 192 parameters, 1,056 bytes on disk
  F16                       256 bytes
  Q8_0                       68 bytes

small.gguf: GGUF v3, alignment 32, data at byte 704, 5 keys
  general.architecture   string  "llama"
  general.name           string  "tiny"
  llama.context_length   u32     2048
  t.escape               string  "red\u{1b}[31m text\nnext line"
  tokenizer.ggml.tokens  array   [string; 32] ["<unk>", "<s>", "</s>", "t0", "t1", "t2", "t3", "t4", ...]

"#]],
        dir.path(),
    );
}

/// A copy of `file` in `dir` under `name` with `edit` applied.
fn damaged(dir: &Path, file: &str, name: &str, edit: impl FnOnce(&mut Vec<u8>)) -> PathBuf {
    let mut bytes = std::fs::read(dir.join(file)).expect("read fixture");
    edit(&mut bytes);
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write");
    path
}

/// Where `needle` starts in `bytes`.
fn find(bytes: &[u8], needle: &[u8]) -> usize {
    bytes
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("in the fixture")
}

/// The byte just after tensor `name`'s name in its info: its `n_dims`.
fn after_name(bytes: &[u8], name: &str) -> usize {
    let at = find(bytes, name.as_bytes());
    assert_eq!(
        bytes[at - 8..at],
        (name.len() as u64).to_le_bytes(),
        "a tensor info"
    );
    at + name.len()
}

fn put(bytes: &mut [u8], at: usize, value: &[u8]) {
    bytes[at..at + value.len()].copy_from_slice(value);
}

/// A change made to a copy of a fixture.
type Edit = Box<dyn FnOnce(&mut Vec<u8>)>;

/// Each damage is refused by `inspect`, exit 1, with the file, the byte
/// at fault and what is wrong there; none takes long or much memory.
#[test]
fn damaged_files_are_refused_at_the_byte_at_fault() {
    let (dir, _) = fixtures();
    let d = dir.path();
    let q = "blk.0.attn_q.weight";
    let small = std::fs::read(d.join("small.gguf")).expect("read");
    let q_dims = after_name(&small, q);
    let e_dims = after_name(&small, "token_embd.weight");
    // n_dims, two dims, the type, then the offset.
    let q_offset = q_dims + 4 + 16 + 4;
    let first_key = 24;
    let cases: Vec<(&str, Edit, String)> = vec![
        ("truncated.gguf", Box::new(|b| b.truncate(12)), "byte 8: tensor count: 8 bytes needed but the file ends 4 bytes on (truncated?)".into()),
        ("v1.gguf", Box::new(|b| put(b, 4, &1u32.to_le_bytes())), "byte 4: GGUF version 1".into()),
        ("big-endian.gguf", Box::new(|b| put(b, 4, &3u32.to_be_bytes())), "byte 4: big-endian GGUF (version 3 byte-swapped) is not supported".into()),
        ("tensors.gguf", Box::new(|b| put(b, 8, &u64::MAX.to_le_bytes())), "byte 8: tensor count 18446744073709551615 exceeds the limit of 262144".into()),
        ("kvs.gguf", Box::new(|b| put(b, 16, &60_000u64.to_le_bytes())), "byte 16: key/value count 60000 needs at least 780000 bytes but the file ends".into()),
        ("string.gguf", Box::new(move |b| put(b, first_key, &(1u64 << 62).to_le_bytes())), format!("byte {first_key}: key of 4611686018427387904 bytes runs past the end of the file")),
        // The second tensor ends at 704 + 256 + 68 = 1028 (then padding).
        ("past-end.gguf", Box::new(|b| b.truncate(1020)), format!("byte {}: tensor \"{q}\": data bytes [256, +68) of the data section at byte 704 run past the end of the 1020-byte file", q_dims - 8 - q.len())),
        ("overlap.gguf", Box::new(move |b| put(b, q_offset, &0u64.to_le_bytes())), format!("byte {}: tensor \"{q}\" at data bytes [0, 68) overlaps \"token_embd.weight\" at [0, 256)", q_dims - 8 - q.len())),
        ("misaligned.gguf", Box::new(move |b| put(b, q_offset, &260u64.to_le_bytes())), format!("byte {q_offset}: tensor \"{q}\": offset 260 is not a multiple of the alignment 32")),
        ("type.gguf", Box::new(move |b| put(b, q_offset - 4, &99u32.to_le_bytes())), format!("byte {}: tensor \"{q}\" has ggml type id 99, which weightcheck does not know", q_offset - 4)),
        ("dims.gguf", Box::new(move |b| put(b, e_dims, &5u32.to_le_bytes())), format!("byte {e_dims}: tensor \"token_embd.weight\" has 5 dimensions; ggml allows at most 4")),
        ("overflow.gguf", Box::new(move |b| {
            put(b, e_dims + 4, &(1u64 << 40).to_le_bytes());
            put(b, e_dims + 12, &(1u64 << 40).to_le_bytes());
        }), format!("byte {e_dims}: tensor \"token_embd.weight\": element count of dims [1099511627776, 1099511627776] overflows 63 bits")),
    ];
    for (name, edit, message) in cases {
        let path = damaged(d, "small.gguf", name, edit);
        let peak = common::run_bin_peak_rss(&["inspect", name], d, Duration::from_secs(10));
        assert_eq!(peak.code, common::EXIT_MISMATCH, "{name}: {}", peak.err);
        let want = format!("weightcheck: {}: {message}", path.display());
        assert!(
            peak.err.contains(&want),
            "{name}:\n{}\nwants\n{want}",
            peak.err
        );
        assert!(peak.rss < 64 << 20, "{name}: {} bytes resident", peak.rss);
    }
    let aligned = std::fs::read(d.join("aligned.gguf")).expect("read");
    let key = find(&aligned, b"general.alignment") + "general.alignment".len();
    let path = damaged(d, "aligned.gguf", "alignment.gguf", |b| {
        put(b, key + 4, &48u32.to_le_bytes())
    });
    let (code, _, err) = common::run(["inspect", "alignment.gguf"], d);
    assert_eq!(code, common::EXIT_MISMATCH);
    let want = format!(
        "{}: byte {}: general.alignment 48 is not a power of two",
        path.display(),
        key + 4
    );
    assert!(err.contains(&want), "{err}\nwants {want}");
}

/// A sparse file of 3 GiB whose one string and one array fill it: the
/// values are counted, their start kept, and memory stays flat.
#[test]
fn huge_values_cost_no_memory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut v = b"GGUF".to_vec();
    v.extend_from_slice(&3u32.to_le_bytes());
    v.extend_from_slice(&0u64.to_le_bytes());
    v.extend_from_slice(&2u64.to_le_bytes());
    let key = |v: &mut Vec<u8>, k: &str, ty: u32| {
        v.extend_from_slice(&(k.len() as u64).to_le_bytes());
        v.extend_from_slice(k.as_bytes());
        v.extend_from_slice(&ty.to_le_bytes());
    };
    key(&mut v, "s", 8);
    v.extend_from_slice(&(1u64 << 30).to_le_bytes());
    let string_at = v.len() as u64;
    let mut file = std::fs::File::create(dir.path().join("huge.gguf")).expect("create");
    std::io::Write::write_all(&mut file, &v).expect("write");
    let mut tail = Vec::new();
    key(&mut tail, "a", 9);
    tail.extend_from_slice(&0u32.to_le_bytes());
    tail.extend_from_slice(&(2u64 << 30).to_le_bytes());
    let tail_at = string_at + (1 << 30);
    std::os::unix::fs::FileExt::write_all_at(&file, &tail, tail_at).expect("write");
    file.set_len(tail_at + tail.len() as u64 + (2 << 30))
        .expect("sparse");
    let peak = common::run_bin_peak_rss(
        &["inspect", "--json", "huge.gguf"],
        dir.path(),
        Duration::from_secs(20),
    );
    assert_eq!(peak.code, common::EXIT_OK, "{}", peak.err);
    let doc: Value = serde_json::from_str(&peak.out).expect("json");
    let kvs = &doc["gguf"][0]["metadata"];
    assert_eq!(kvs[0]["len"], 1u64 << 30);
    assert_eq!(kvs[0]["value"].as_str().map(str::len), Some(64 * 1024));
    assert_eq!(kvs[1]["len"], 2u64 << 30);
    assert_eq!(kvs[1]["value"], serde_json::json!([0, 0, 0, 0, 0, 0, 0, 0]));
    assert!(peak.rss < 64 << 20, "{} bytes resident", peak.rss);
}
