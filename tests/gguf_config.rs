//! `verify DIR --config config.json` on a GGUF re-release written by the
//! real writer (PyPI `gguf` 0.19.0, through scripts/gguf_llama_fixture.py):
//! llama.cpp's tensor names are held against the Hugging Face config they
//! were converted from, by shape, whatever their ggml types.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{run, EXIT_ERROR, EXIT_MISMATCH, EXIT_STRUCTURE_ONLY};

/// A Llama GGUF and its config.json in `dir/name`, with the fixture's
/// options (`drop=NAME`, `reshape=NAME`).
fn release(dir: &Path, name: &str, opts: &[&str]) -> PathBuf {
    let out = dir.join(name);
    let python = common::python_gguf();
    let made = Command::new(&python)
        .arg(common::repo().join("scripts/gguf_llama_fixture.py"))
        .arg(&out)
        .args(opts)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
    assert!(
        made.status.success(),
        "gguf_llama_fixture.py failed ({}); if the venv is stale run scripts/test.sh\n{}",
        made.status,
        String::from_utf8_lossy(&made.stderr)
    );
    out
}

#[test]
fn a_llama_gguf_matches_its_config_by_shape() {
    let tmp = tempfile::tempdir().expect("tempdir");
    release(tmp.path(), "good", &[]);
    let out = run(
        ["verify", "good", "--config", "good/config.json"],
        tmp.path(),
    );
    // No digest is published for it: structure is all that is established.
    assert_eq!(out.0, EXIT_STRUCTURE_ONLY, "{out:?}");
    assert!(out.1.contains("model.gguf  -       ok"), "{out:?}");
    assert!(
        out.1.contains("structure: 1/1 structurally correct"),
        "{out:?}"
    );
    assert!(
        out.1.contains("note: GGUF tensors were held against the config under the names they were converted from"),
        "{out:?}"
    );
}

#[test]
fn a_missing_or_misshapen_gguf_tensor_fails_under_its_config_name() {
    let tmp = tempfile::tempdir().expect("tempdir");
    release(
        tmp.path(),
        "bad",
        &["drop=blk.1.ffn_up.weight", "reshape=blk.0.attn_k.weight"],
    );
    let out = run(["verify", "bad", "--config", "bad/config.json"], tmp.path());
    assert_eq!(out.0, EXIT_MISMATCH, "{out:?}");
    assert!(
        out.1.contains("model.layers.0.self_attn.k_proj.weight has shape 31x64 but the architecture implies 32x64"),
        "{out:?}"
    );
    assert!(
        out.1
            .contains("model.layers.1.mlp.up_proj.weight is missing (expected 128x64 bfloat16)"),
        "{out:?}"
    );
    assert!(
        out.1.contains("result: FAILED — 2 problems found"),
        "{out:?}"
    );
}

#[test]
fn a_family_whose_conversion_merges_tensors_is_refused() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = release(tmp.path(), "moe", &[]);
    let mixtral = r#"{"architectures": ["MixtralForCausalLM"], "model_type": "mixtral",
        "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
        "num_key_value_heads": 2, "intermediate_size": 128, "vocab_size": 96,
        "num_local_experts": 4, "num_experts_per_tok": 2}"#;
    std::fs::write(dir.join("config.json"), mixtral).expect("write");
    let out = run(["verify", "moe", "--config", "moe/config.json"], tmp.path());
    assert_eq!(out.0, EXIT_ERROR, "{out:?}");
    assert!(
        out.2.contains("GGUF tensor names can be held against a config of the dense Llama-family decoders only (llama, mistral, qwen2, gemma), not mixtral"),
        "{out:?}"
    );
}
