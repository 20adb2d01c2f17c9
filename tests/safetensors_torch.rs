//! safetensors sets, PyTorch zip checkpoints and the by-name architecture
//! check, on scaled-down Mixtral 8x7B (the torrent's consolidated .pth and
//! the hub's sharded safetensors) and Flan-T5-XXL (safetensors and .bin
//! shards), written by scripts/st_fixture.py (the `safetensors` package) and
//! scripts/torch_zip_fixture.py (torch's zip layout, checked byte for byte
//! against files torch.save wrote, in tests/data/torch/).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use weightcheck::arch::{self, check_by_name, Finding, FindingKind};
use weightcheck::formats::index::{self, IndexProblem};
use weightcheck::formats::{self, torch, DType, Format, TensorInFile};
use weightcheck::manifest::Manifest;

fn run(script: &str, args: &[&str]) {
    let python = common::python();
    let out = Command::new(&python)
        .arg(common::repo().join("scripts").join(script))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
    assert!(
        out.status.success(),
        "{script} {args:?} failed ({}); if the venv is stale run scripts/setup-python.sh\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn fixture(script: &str, kind: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join(kind);
    run(script, &[kind, out.to_str().expect("utf-8 path")]);
    (dir, out)
}

/// Runs a Python snippet with the reference interpreter (for damaging
/// fixtures with the real safetensors package).
fn python(code: &str, args: &[&Path]) {
    let out = Command::new(common::python())
        .arg("-c")
        .arg(code)
        .args(args)
        .output()
        .expect("run python");
    assert!(
        out.status.success(),
        "python failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn findings(arch_config: &Path, tensors: &[TensorInFile]) -> Vec<Finding> {
    let arch = arch::architecture_from_config(arch_config).expect("config");
    let layout = arch::expected(&arch).expect("layout");
    assert!(layout.by_name);
    check_by_name(&layout, tensors.iter().map(|t| (&*t.file, &t.record)))
}

fn names(tensors: &[TensorInFile]) -> Vec<&str> {
    tensors
        .iter()
        .filter_map(|t| t.record.name.as_deref())
        .collect()
}

#[test]
fn mixtral_hf_safetensors_set_inspects_and_verifies_by_name() {
    let (_tmp, dir) = fixture("st_fixture.py", "mixtral");
    let idx = dir.join("model.safetensors.index.json");
    assert_eq!(formats::detect(&idx).unwrap(), Format::ShardIndex);
    let shard = dir.join("model-00002-of-00003.safetensors");
    assert_eq!(formats::detect(&shard).unwrap(), Format::Safetensors);

    let tensors = formats::inspect_located(&idx).expect("inspect");
    // 2 layers x (4 attention + gate + 4 experts x 3 + 2 norms) + 4.
    assert_eq!(tensors.len(), 2 * 19 + 3);
    assert!(tensors.iter().all(|t| t.record.dtype == DType::Bfloat16));
    let set = index::read_set(&idx).unwrap();
    assert!(set.problems.is_empty(), "{:?}", set.problems);
    assert_eq!(set.index.total_size, Some(set.tensor_bytes));
    // Spans are absolute offsets into each shard and end at its last byte.
    for t in &tensors {
        let len = std::fs::metadata(&t.file).unwrap().len();
        assert!(t.record.data.offset + t.record.data.len <= len);
    }
    assert_eq!(
        formats::inspect_file(&shard).unwrap().len(),
        tensors.iter().filter(|t| *t.file == *shard).count()
    );

    let f = findings(&dir.join("config.json"), &tensors);
    assert!(f.is_empty(), "{f:#?}");
}

#[test]
fn mixtral_torrent_pth_inspects_and_verifies_by_name() {
    let (_tmp, dir) = fixture("torch_zip_fixture.py", "mixtral");
    let pth = dir.join("consolidated.00.pth");
    assert_eq!(formats::detect(&pth).unwrap(), Format::TorchZip);
    let ckpt = torch::read_file(&pth).expect("torch zip");
    assert_eq!(ckpt.prefix, "consolidated.00");
    assert_eq!(ckpt.version.as_deref(), Some("3"));
    let tensors = formats::inspect_located(&pth).unwrap();
    assert_eq!(tensors.len(), 2 * 19 + 3);
    assert!(tensors.iter().all(|t| t.strides.is_none()));
    // Each payload starts on torch's 64-byte alignment.
    assert!(tensors.iter().all(|t| t.record.data.offset % 64 == 0));
    let f = findings(&dir.join("params.json"), &tensors);
    assert!(f.is_empty(), "{f:#?}");

    // The embedded manifest names the same tensors (at full size).
    let m = Manifest::embedded("mixtral-8x7b").unwrap();
    let full = arch::expected(m.architecture.as_ref().unwrap()).unwrap();
    assert_eq!(full.tensors.len(), 32 * 31 + 3);
    let full_names: std::collections::HashSet<&str> =
        full.tensors.iter().map(|t| t.name.as_str()).collect();
    for name in names(&tensors) {
        assert!(
            full_names.contains(name),
            "{name} not in the manifest's layout"
        );
    }
    let total: u64 = full.tensors.iter().map(|t| t.elements()).sum();
    assert_eq!(total, 46_702_792_704);
    assert!(full.dtype_pinned);
}

#[test]
fn flan_t5_safetensors_and_bin_shards_verify_by_name() {
    let (_tmp, st) = fixture("st_fixture.py", "flan-t5");
    let st_tensors = formats::inspect_located(&st.join("model.safetensors.index.json")).unwrap();
    let f = findings(&st.join("config.json"), &st_tensors);
    assert!(f.is_empty(), "{f:#?}");

    let (_tmp2, bin) = fixture("torch_zip_fixture.py", "flan-t5");
    let idx = bin.join("pytorch_model.bin.index.json");
    let bin_tensors = formats::inspect_located(&idx).unwrap();
    // torch.save keeps the tied embedding under its three names.
    assert_eq!(bin_tensors.len(), st_tensors.len() + 2);
    let f = findings(&bin.join("config.json"), &bin_tensors);
    assert!(f.is_empty(), "{f:#?}");
    // The aliases view the shared embedding's storage in their file.
    let find = |n: &str| {
        bin_tensors
            .iter()
            .find(|t| t.record.name.as_deref() == Some(n))
    };
    let shared = find("shared.weight").unwrap();
    let enc = find("encoder.embed_tokens.weight").unwrap();
    if enc.file == shared.file {
        assert_eq!(enc.record.data, shared.record.data);
    }
    // Same names, shapes and values either way.
    for t in &st_tensors {
        let other = find(t.record.name.as_deref().unwrap()).unwrap();
        assert_eq!(other.record.shape, t.record.shape);
        let a = &std::fs::read(&t.file).unwrap()[t.record.data.offset as usize..]
            [..t.record.data.len as usize];
        let b = &std::fs::read(&other.file).unwrap()[other.record.data.offset as usize..]
            [..other.record.data.len as usize];
        assert_eq!(a, b, "{:?}", t.record.name);
    }

    // The embedded manifest's architecture gives Flan-T5-XXL's size.
    let m = Manifest::embedded("flan-t5-xxl").unwrap();
    let full = arch::expected(m.architecture.as_ref().unwrap()).unwrap();
    let total: u64 = full.tensors.iter().map(|t| t.elements()).sum();
    assert_eq!(total, 11_135_332_352);
    assert!(!full.dtype_pinned);
}

const DAMAGE: &str = r#"
import sys, numpy as np, ml_dtypes
from safetensors import deserialize
from safetensors.numpy import save_file
# load_file cannot hold bfloat16 (numpy has no such type): go through raw bytes.
types = {"BF16": ml_dtypes.bfloat16, "F32": np.float32}
shard, action, name = sys.argv[1], sys.argv[2], sys.argv[3]
with open(shard, "rb") as f:
    raw = deserialize(f.read())
t = {n: np.frombuffer(bytes(v["data"]), dtype=types[v["dtype"]]).reshape(v["shape"]) for n, v in raw}
if action == "transpose":
    t[name] = t[name].T.copy()
elif action == "drop":
    del t[name]
save_file(t, shard, metadata={"format": "pt"})
"#;

#[test]
fn a_wrong_shape_is_caught() {
    let (_tmp, dir) = fixture("st_fixture.py", "mixtral");
    let idx = dir.join("model.safetensors.index.json");
    // k_proj is not square (fewer key/value heads), so a transposed copy
    // has the wrong shape.
    let name = "model.layers.0.self_attn.k_proj.weight";
    let before = formats::inspect_located(&idx).unwrap();
    let file = by_name(&before, name).file.clone();
    python(DAMAGE, &[&file, Path::new("transpose"), Path::new(name)]);
    let tensors = formats::inspect_located(&idx).expect("still a consistent set");
    let f = findings(&dir.join("config.json"), &tensors);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].kind, FindingKind::WrongShape);
    assert_eq!(f[0].name, name);
    assert_eq!(f[0].file.as_deref(), Some(&*file));
    assert!(
        f[0].message
            .contains("has shape 64x32 but the architecture implies 32x64"),
        "{}",
        f[0]
    );
}

#[test]
fn a_missing_tensor_is_caught() {
    let (_tmp, dir) = fixture("st_fixture.py", "flan-t5");
    let idx = dir.join("model.safetensors.index.json");
    let name = "decoder.block.1.layer.1.EncDecAttention.v.weight";
    let set = index::read_set(&idx).unwrap();
    let file = set
        .tensors
        .iter()
        .find(|t| t.record.name.as_deref() == Some(name))
        .unwrap()
        .file
        .clone();
    python(DAMAGE, &[&file, Path::new("drop"), Path::new(name)]);
    // Drop it from the index too, so the set itself is consistent.
    let text = std::fs::read_to_string(&idx).unwrap();
    let mut json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json["weight_map"].as_object_mut().unwrap().remove(name);
    std::fs::write(&idx, serde_json::to_string_pretty(&json).unwrap()).unwrap();

    let tensors = formats::inspect_located(&idx).expect("consistent set");
    let f = findings(&dir.join("config.json"), &tensors);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].kind, FindingKind::Missing);
    assert_eq!(f[0].name, name);
}

#[test]
fn an_index_entry_pointing_at_a_shard_without_the_tensor_is_caught() {
    let (_tmp, dir) = fixture("st_fixture.py", "mixtral");
    let idx = dir.join("model.safetensors.index.json");
    let text = std::fs::read_to_string(&idx).unwrap();
    let mut json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let map = json["weight_map"].as_object_mut().unwrap();
    let name = "model.norm.weight";
    let real = map[name].as_str().unwrap().to_string();
    assert_eq!(real, "model-00003-of-00003.safetensors");
    map.insert(name.into(), "model-00001-of-00003.safetensors".into());
    map.insert(
        "model.layers.9.ghost.weight".into(),
        "model-00002-of-00003.safetensors".into(),
    );
    map.remove("lm_head.weight");
    std::fs::write(&idx, serde_json::to_string_pretty(&json).unwrap()).unwrap();

    let set = index::read_set(&idx).unwrap();
    assert_eq!(
        set.problems,
        vec![
            IndexProblem::NotInShard {
                name: "model.layers.9.ghost.weight".into(),
                shard: "model-00002-of-00003.safetensors".into(),
                found_in: vec![],
            },
            IndexProblem::NotInShard {
                name: name.into(),
                shard: "model-00001-of-00003.safetensors".into(),
                found_in: vec![real.clone()],
            },
            IndexProblem::NotIndexed {
                name: "lm_head.weight".into(),
                shard: real.clone(),
            },
        ]
    );
    let e = formats::inspect_located(&idx).expect_err("inconsistent index");
    let msg = e.to_string();
    assert!(
        msg.contains("index and shards disagree (3 problems)"),
        "{msg}"
    );
    assert!(
        msg.contains("index maps model.norm.weight to model-00001-of-00003.safetensors, which does not hold it (it is in model-00003-of-00003.safetensors)"),
        "{msg}"
    );

    // A shard that is gone is a problem too, not a crash.
    std::fs::remove_file(dir.join("model-00002-of-00003.safetensors")).unwrap();
    let set = index::read_set(&idx).unwrap();
    assert!(set.problems.contains(&IndexProblem::MissingShard {
        shard: "model-00002-of-00003.safetensors".into()
    }));
}

#[test]
fn a_truncated_shard_is_reported_with_its_tensor() {
    let (_tmp, dir) = fixture("st_fixture.py", "flan-t5");
    let shard = dir.join("model-00002-of-00002.safetensors");
    let len = std::fs::metadata(&shard).unwrap().len();
    let f = std::fs::OpenOptions::new()
        .write(true)
        .open(&shard)
        .unwrap();
    f.set_len(len - 10).unwrap();
    let e = formats::inspect_file(&shard).expect_err("truncated");
    assert!(e.to_string().contains("truncated"), "{e}");
    let set = index::read_set(&dir.join("model.safetensors.index.json")).unwrap();
    assert!(matches!(
        &set.problems[..],
        [IndexProblem::UnreadableShard { .. }]
    ));
}

fn data(name: &str) -> PathBuf {
    common::repo().join("tests/data/torch").join(name)
}

fn by_name<'a>(t: &'a [TensorInFile], name: &str) -> &'a TensorInFile {
    t.iter()
        .find(|t| t.record.name.as_deref() == Some(name))
        .unwrap_or_else(|| panic!("{name} missing"))
}

#[test]
fn real_torch_save_files_decode_with_views_and_dtypes() {
    let t = formats::inspect_located(&data("strided.pth")).unwrap();
    assert_eq!(names(&t), ["a", "t", "tail", "b", "h"]);
    let (a, tr, tail) = (by_name(&t, "a"), by_name(&t, "t"), by_name(&t, "tail"));
    assert_eq!(a.record.shape, [2, 3]);
    assert_eq!(a.strides, None);
    // a.t() is reported as a strided view over all of a's bytes.
    assert_eq!(tr.record.shape, [3, 2]);
    assert_eq!(tr.strides.as_deref(), Some(&[1, 3][..]));
    assert_eq!(tr.record.data, a.record.data);
    // a[1] is contiguous, 12 bytes into the same storage.
    assert_eq!(tail.strides, None);
    assert_eq!(tail.record.data.offset, a.record.data.offset + 12);
    assert_eq!(tail.record.data.len, 12);
    assert_eq!(by_name(&t, "b").record.dtype, DType::Int64);
    assert_eq!(by_name(&t, "h").record.dtype, DType::Bfloat16);
    let ckpt = torch::read_file(&data("strided.pth")).unwrap();
    assert!(!ckpt.tensors[1].contiguous && ckpt.tensors[2].contiguous);
    assert_eq!(ckpt.tensors[2].storage_offset, 3);

    // Payload bytes are the tensor's: bfloat16(0..12) is f32 bits >> 16.
    let t = formats::inspect_located(&data("plain.pth")).unwrap();
    let w = by_name(&t, "w");
    let bytes = std::fs::read(data("plain.pth")).unwrap();
    let got = &bytes[w.record.data.offset as usize..][..w.record.data.len as usize];
    let want: Vec<u8> = (0..12)
        .flat_map(|i| (((i as f32).to_bits() >> 16) as u16).to_le_bytes())
        .collect();
    assert_eq!(got, &want[..]);
    let dtypes: Vec<DType> = t.iter().map(|t| t.record.dtype).collect();
    assert_eq!(
        dtypes,
        [DType::Bfloat16, DType::Float16, DType::Int32, DType::Bool]
    );

    // nn.Module.state_dict(): an OrderedDict whose _metadata is BUILD state.
    let t = formats::inspect_located(&data("module.bin")).unwrap();
    assert_eq!(names(&t), ["0.weight", "0.bias", "1.weight", "1.bias"]);
    assert_eq!(t[0].record.shape, [2, 3]);
    // nn.Parameter goes through _rebuild_parameter.
    let t = formats::inspect_located(&data("parameter.pth")).unwrap();
    assert_eq!(names(&t), ["p"]);
}

#[test]
fn legacy_torch_files_are_named_and_refused() {
    let path = data("legacy.pt");
    assert_eq!(formats::detect(&path).unwrap(), Format::TorchLegacy);
    let e = formats::inspect_file(&path).expect_err("legacy");
    assert!(
        e.to_string().contains("legacy PyTorch serialization"),
        "{e}"
    );
    assert!(e.to_string().contains("not supported"), "{e}");
}

#[test]
fn the_fixture_writer_matches_torch_save_byte_for_byte() {
    for name in ["strided", "plain"] {
        let real = data(&format!("{name}.pth"));
        let ckpt = torch::read_file(&real).unwrap();
        let id_entry = ckpt
            .entries
            .iter()
            .find(|e| e.name.ends_with(".data/serialization_id"))
            .unwrap();
        let bytes = std::fs::read(&real).unwrap();
        let id = std::str::from_utf8(
            &bytes[id_entry.data.offset as usize..][..id_entry.data.len as usize],
        )
        .unwrap()
        .to_string();
        let dir = tempfile::tempdir().unwrap();
        let ours = dir.path().join(format!("{name}.pth"));
        run("torch_zip_fixture.py", &[name, ours.to_str().unwrap(), &id]);
        assert!(
            std::fs::read(&ours).unwrap() == bytes,
            "{name}.pth differs from torch.save's"
        );
    }
}

#[test]
fn damaged_torch_zips_are_refused_with_offsets() {
    let good = std::fs::read(data("plain.pth")).unwrap();
    let path = Path::new("plain.pth");
    // Storage entry shorter than its numel claims: overwrite the storage
    // numel of "w" (12 elements, BININT1 0x0c after the location string).
    let pkl = torch::read_bytes(path, &good).unwrap();
    let entry = pkl
        .entries
        .iter()
        .find(|e| e.name.ends_with("data.pkl"))
        .unwrap();
    let start = entry.data.offset as usize;
    let text = &good[start..start + entry.data.len as usize];
    let at = text
        .windows(3)
        .position(|w| w == b"K\x0ct")
        .expect("numel of w");
    let mut bad = good.clone();
    bad[start + at + 1] = 13;
    let e = torch::read_bytes(path, &bad).expect_err("numel");
    assert!(
        e.to_string().contains("claims 13 bfloat16 elements but"),
        "{e}"
    );

    // A cut-off file has no end record.
    let e = torch::read_bytes(path, &good[..good.len() - 30]).expect_err("cut");
    assert!(e.to_string().contains("end-of-central-directory"), "{e}");

    // A hostile global in data.pkl is refused by name, never resolved.
    let mut bad = good.clone();
    let g = text.windows(12).position(|w| w == b"_rebuild_ten").unwrap();
    bad[start + g..start + g + 12].copy_from_slice(b"_rebuild_xxx");
    let e = torch::read_bytes(path, &bad).expect_err("global");
    assert!(
        e.to_string()
            .contains("unknown global torch._utils._rebuild_xxxsor_v2"),
        "{e}"
    );
}

/// Timing for scripts/bench-inspect-safetensors.sh: inspects the set in
/// `$WEIGHTCHECK_BENCH_SET` (an index and its shards) `$WEIGHTCHECK_BENCH_RUNS`
/// times after one warm-up, and prints the figures.
#[test]
#[ignore = "benchmark, run by scripts/bench-inspect-safetensors.sh"]
fn bench_inspect_set() {
    let Some(dir) = std::env::var_os("WEIGHTCHECK_BENCH_SET") else {
        eprintln!("WEIGHTCHECK_BENCH_SET is not set: nothing to time");
        return;
    };
    let idx = PathBuf::from(dir).join("model.safetensors.index.json");
    let runs: usize = std::env::var("WEIGHTCHECK_BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(30);
    let warm = formats::inspect_located(&idx).expect("inspect");
    let shards: std::collections::BTreeSet<&Path> = warm.iter().map(|t| &*t.file).collect();
    let bytes: u64 = warm.iter().map(|t| t.record.data.len).sum();
    let mut ms: Vec<f64> = (0..runs.max(1))
        .map(|_| {
            let t = std::time::Instant::now();
            let n = formats::inspect_located(&idx).expect("inspect").len();
            assert_eq!(n, warm.len());
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    ms.sort_by(f64::total_cmp);
    let mean = ms.iter().sum::<f64>() / ms.len() as f64;
    println!(
        "inspect {}: {} shards, {} tensors, {} tensor bytes; {} runs: min {:.2} ms, median {:.2} ms, mean {:.2} ms, max {:.2} ms",
        idx.display(),
        shards.len(),
        warm.len(),
        bytes,
        ms.len(),
        ms[0],
        ms[ms.len() / 2],
        mean,
        ms[ms.len() - 1]
    );
}
