//! `weightcheck verify --config` on releases whose tensors are matched by
//! name: a scaled-down Mixtral in Hugging Face's sharded safetensors layout
//! (written by the real `safetensors` package through scripts/st_fixture.py).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture(kind: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join(kind);
    let status = Command::new(common::python())
        .arg(common::repo().join("scripts/st_fixture.py"))
        .args([kind, out.to_str().unwrap()])
        .status()
        .expect("run scripts/st_fixture.py (run scripts/setup-python.sh first)");
    assert!(status.success());
    (dir, out)
}

fn verify(dir: &Path) -> (i32, String) {
    let (code, out, err) = common::run(["verify", ".", "--config", "config.json"], dir);
    (code, out + &err)
}

#[test]
fn mixtral_safetensors_set_verifies_against_its_config() {
    let (_t, dir) = fixture("mixtral");
    let (code, out) = verify(&dir);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("3/3 structurally correct"), "{out}");
    assert!(out.contains("result: VERIFIED"), "{out}");
}

#[test]
fn a_tensor_missing_from_every_shard_is_named() {
    let (_t, dir) = fixture("mixtral");
    // Rewrite the config with one layer more than the shards hold.
    let config = std::fs::read_to_string(dir.join("config.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&config).unwrap();
    let layers = v["num_hidden_layers"].as_u64().unwrap();
    let mut v = v;
    v["num_hidden_layers"] = (layers + 1).into();
    std::fs::write(dir.join("config.json"), v.to_string()).unwrap();
    let (code, out) = verify(&dir);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!(
            "model.layers.{layers}.self_attn.q_proj.weight is missing"
        )),
        "{out}"
    );
}
