//! `weightcheck verify --config` on releases whose tensors are matched by
//! name: a scaled-down Mixtral in Hugging Face's sharded safetensors layout
//! (written by the real `safetensors` package through scripts/st_fixture.py).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::assert_output;
use snapbox::str;

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

fn verify(dir: &Path) -> (i32, String, String) {
    common::run(["verify", ".", "--config", "config.json"], dir)
}

#[test]
fn mixtral_safetensors_set_verifies_against_its_config() {
    let (_t, dir) = fixture("mixtral");
    let (code, out, err) = verify(&dir);
    // The structure is sound, but a config publishes no digests: exit 3.
    assert_eq!(code, 3, "{out}{err}");
    assert_output(
        &out,
        str![[r#"
weightcheck verify: local release described by [ROOT]/config.json (unknown, unknown) in [ROOT]
  looked: [ROOT]: the manifest lists no files; the tensor files found here are checked

file                              tensor  verdict        digest
model-00001-of-00003.safetensors  -       ok             not published
model-00002-of-00003.safetensors  -       ok             not published
model-00003-of-00003.safetensors  -       ok             not published

files: 3/3 present, 0 missing, 0 extra, 0 wrong size
structure: 3/3 structurally correct
digests: 0 match, 0 differ, 3 not published in the manifest

note: the manifest publishes no file sizes: the 3 tensor files found were checked by content, not against a file list

note: the manifest has no SHA-256s: pin them with `weightcheck manifest pin` from a trusted copy

result: STRUCTURE OK — nothing wrong found, but the content of 3 of 3 files was not checked against any published digest
  not checked: model-00001-of-00003.safetensors, model-00002-of-00003.safetensors, model-00003-of-00003.safetensors
  to check them: hash with the release's .torrent (`weightcheck fetch --release ID --metadata-only`, then `verify --torrent FILE`), with the publisher's checksums (`verify --sums FILE`), against the Hugging Face Hub's digests (`weightcheck hf OWNER/REPO DIR`), or against a trusted copy pinned with `weightcheck manifest pin DIR -o FILE`

"#]],
        &dir,
    );
    assert_output(&err, str![], &dir);
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
    let (code, out, err) = verify(&dir);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains(&format!(
            "model.layers.{layers}.self_attn.q_proj.weight is missing"
        )),
        "{out}"
    );
    assert_output(
        &out,
        str![[r#"
weightcheck verify: local release described by [ROOT]/config.json (unknown, unknown) in [ROOT]
  looked: [ROOT]: the manifest lists no files; the tensor files found here are checked

file                              tensor  verdict        digest
model-00001-of-00003.safetensors  -       ok             not published
model-00002-of-00003.safetensors  -       ok             not published
model-00003-of-00003.safetensors  -       ok             not published

tensors:
  - model.layers.2.self_attn.q_proj.weight is missing (expected 64x64 bfloat16)
  - model.layers.2.self_attn.k_proj.weight is missing (expected 32x64 bfloat16)
  - model.layers.2.self_attn.v_proj.weight is missing (expected 32x64 bfloat16)
  - model.layers.2.self_attn.o_proj.weight is missing (expected 64x64 bfloat16)
  - model.layers.2.input_layernorm.weight is missing (expected 64 bfloat16)
  - model.layers.2.post_attention_layernorm.weight is missing (expected 64 bfloat16)
  - model.layers.2.block_sparse_moe.gate.weight is missing (expected 4x64 bfloat16)
  - model.layers.2.block_sparse_moe.experts.0.w1.weight is missing (expected 96x64 bfloat16)
  - model.layers.2.block_sparse_moe.experts.0.w2.weight is missing (expected 64x96 bfloat16)
  - model.layers.2.block_sparse_moe.experts.0.w3.weight is missing (expected 96x64 bfloat16)
  - model.layers.2.block_sparse_moe.experts.1.w1.weight is missing (expected 96x64 bfloat16)
  - model.layers.2.block_sparse_moe.experts.1.w2.weight is missing (expected 64x96 bfloat16)
  - model.layers.2.block_sparse_moe.experts.1.w3.weight is missing (expected 96x64 bfloat16)
  - model.layers.2.block_sparse_moe.experts.2.w1.weight is missing (expected 96x64 bfloat16)
  - model.layers.2.block_sparse_moe.experts.2.w2.weight is missing (expected 64x96 bfloat16)
  - model.layers.2.block_sparse_moe.experts.2.w3.weight is missing (expected 96x64 bfloat16)
  - model.layers.2.block_sparse_moe.experts.3.w1.weight is missing (expected 96x64 bfloat16)
  - model.layers.2.block_sparse_moe.experts.3.w2.weight is missing (expected 64x96 bfloat16)
  - model.layers.2.block_sparse_moe.experts.3.w3.weight is missing (expected 96x64 bfloat16)

files: 3/3 present, 0 missing, 0 extra, 0 wrong size
structure: 3/3 structurally correct
digests: 0 match, 0 differ, 3 not published in the manifest

note: the manifest publishes no file sizes: the 3 tensor files found were checked by content, not against a file list

note: the manifest has no SHA-256s: pin them with `weightcheck manifest pin` from a trusted copy

result: FAILED — 19 problems found (above)

"#]],
        &dir,
    );
    assert_output(&err, str![], &dir);
}
