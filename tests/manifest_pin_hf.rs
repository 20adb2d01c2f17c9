//! `manifest pin --hf`: a manifest of every size and digest the Hugging Face
//! Hub publishes for a revision, taken from a loopback server that answers
//! like the Hub (tests/common/hub_server.rs), then verify of a download
//! against it: every byte content-verified, and damage named.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::hub_server::{HubServer, ServedModel, HUB_COMMIT};
use common::{EXIT_MISMATCH, EXIT_OK};
use snapbox::str;

/// No token in these runs, whatever the environment holds.
const NO_TOKEN: &str = "WEIGHTCHECK_TEST_HF_TOKEN_NEVER_SET";

/// A model as the real `safetensors` package writes it, with a config and
/// a tokenizer file beside it, served as the Hub would (weights in LFS).
fn served(dir: &Path) -> ServedModel {
    let script = r#"
import sys, numpy as np
from safetensors.numpy import save_file
save_file({"embed.weight": np.arange(12, dtype=np.float32).reshape(3, 4),
           "norm.weight": np.ones(4, dtype=np.float32)}, sys.argv[1], metadata={"format": "pt"})
"#;
    let weights = dir.join("written.safetensors");
    let out = Command::new(common::python())
        .args(["-c", script])
        .arg(&weights)
        .output()
        .expect("python");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut files = BTreeMap::new();
    files.insert(
        ".gitattributes".to_string(),
        (
            b"*.safetensors filter=lfs diff=lfs merge=lfs -text\n".to_vec(),
            false,
        ),
    );
    files.insert(
        "config.json".to_string(),
        (
            br#"{"model_type": "tiny", "hidden_size": 4}"#.to_vec(),
            false,
        ),
    );
    files.insert(
        "tokenizer.json".to_string(),
        (br#"{"version": "1.0"}"#.to_vec(), false),
    );
    files.insert(
        "model.safetensors".to_string(),
        (std::fs::read(&weights).unwrap(), true),
    );
    std::fs::remove_file(weights).unwrap();
    ServedModel {
        files,
        ..ServedModel::small()
    }
}

/// The served files written to `dir/dl`, as a download would leave them.
fn download(dir: &Path, model: &ServedModel) {
    for (p, (content, _)) in &model.files {
        let f = dir.join("dl").join(p);
        std::fs::create_dir_all(f.parent().unwrap()).unwrap();
        std::fs::write(f, content).unwrap();
    }
}

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    common::run_within(args.iter().copied(), dir, Duration::from_secs(60))
}

#[track_caller]
fn assert_run(out: &str, want: impl snapbox::IntoData, dir: &Path) {
    common::assert_output(&common::loopback_ports(out), want, dir);
}

#[test]
fn a_pin_from_the_hub_verifies_every_byte_of_a_download_and_names_damage() {
    let dir = tempfile::tempdir().unwrap();
    let model = served(dir.path());
    download(dir.path(), &model);
    let server = HubServer::start(model);
    let url = server.url();
    let pin = [
        "manifest",
        "pin",
        "--hf",
        "acme/tiny-model",
        "--endpoint",
        &url,
        "--token-env",
        NO_TOKEN,
        "-o",
        "pinned.toml",
    ];
    let (code, out, err) = run(dir.path(), &pin);
    assert_run(
        &out,
        str![[r#"
weightcheck manifest pin: huggingface.co/acme/tiny-model@1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c (local release described by huggingface.co/acme/tiny-model)
  structure: not checked (digests taken from the Hub's listing; no bytes were read)
  pinned: 3 files, [..] bytes; SHA-256s: 1 added, 0 already in the manifest and confirmed; git SHA-1s: 2 added
  ignored (hidden, or outside the release's directories): .gitattributes
  written: [ROOT]/pinned.toml

result: PINNED

"#]],
        dir.path(),
    );
    assert_eq!((code, err.as_str()), (EXIT_OK, ""));
    // `main` was resolved to its commit first, and the tree listed at the
    // commit: the record and the listing are of one revision.
    let paths: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(
        paths[..2],
        [
            "/api/models/acme/tiny-model/revision/main".to_string(),
            format!("/api/models/acme/tiny-model/tree/{HUB_COMMIT}?recursive=true&expand=true"),
        ]
    );
    let toml = std::fs::read_to_string(dir.path().join("pinned.toml")).unwrap();
    assert!(
        toml.contains(&format!(
            "[sources.huggingface]\nrepo = \"acme/tiny-model\"\nrevision = \"{HUB_COMMIT}\""
        )),
        "{toml}"
    );

    let (code, out, err) = run(dir.path(), &["verify", "dl", "--manifest", "pinned.toml"]);
    assert_run(
        &out,
        str![[r#"
weightcheck verify: local release described by huggingface.co/acme/tiny-model (unknown, unknown) in [ROOT]/dl
  looked: [ROOT]/dl: 3 of 3 release files present

file               tensor  verdict        digest
config.json        -       ok             git sha1 matches
model.safetensors  -       ok             sha256 matches
tokenizer.json     -       ok             git sha1 matches

files: 3/3 present, 0 missing, 0 extra, 0 wrong size
structure: 1/3 structurally correct
digests: 3 match (2 by git SHA-1), 0 differ, 0 not published in the manifest
hashed 298 bytes, 0 bytes from the verification cache

result: VERIFIED — every byte of 3 files matched a published or pinned digest

"#]],
        dir.path(),
    );
    assert_eq!((code, err.as_str()), (EXIT_OK, ""), "{out}");

    // One flipped byte in the small file: named, with both git SHA-1s.
    let config = dir.path().join("dl/config.json");
    let mut bytes = std::fs::read(&config).unwrap();
    bytes[2] ^= 0x20;
    std::fs::write(&config, &bytes).unwrap();
    let (code, out, _) = run(
        dir.path(),
        &["verify", "dl", "--manifest", "pinned.toml", "--quiet"],
    );
    assert_run(
        &out,
        str![[r#"
weightcheck verify: local release described by huggingface.co/acme/tiny-model (unknown, unknown) in [ROOT]/dl
  looked: [ROOT]/dl: 3 of 3 release files present

file               tensor  verdict        digest
config.json        -       hash_mismatch  git sha1 DIFFERS
                     - git SHA-1 differs from the manifest
                     expected 5628f006f3288e3acef05466e7d1d001d93348f3
                     actual   167c95c988d30e0bc2251ef9da03e59633ae6ee2

files: 3/3 present, 0 missing, 0 extra, 0 wrong size
structure: 1/3 structurally correct
digests: 2 match (1 by git SHA-1), 1 differ, 0 not published in the manifest
hashed 298 bytes, 0 bytes from the verification cache

result: FAILED — 1 problem found (above)

"#]],
        dir.path(),
    );
    assert_eq!(code, EXIT_MISMATCH, "{out}");
}

#[test]
fn a_listing_that_contradicts_the_release_manifest_is_not_pinned() {
    let dir = tempfile::tempdir().unwrap();
    let model = served(dir.path());
    let size = |p: &str| model.files[p].0.len();
    std::fs::write(
        dir.path().join("base.toml"),
        format!(
            r#"[release]
id = "tiny"
name = "Tiny"
publisher = "Acme"
date = "2026-01-01"

[[file]]
path = "config.json"
size = {}

[[file]]
path = "model.safetensors"
size = {}
sha256 = "{}"

[[file]]
path = "tokenizer.json"
size = {}
"#,
            size("config.json"),
            size("model.safetensors"),
            "ab".repeat(32),
            size("tokenizer.json"),
        ),
    )
    .unwrap();
    let server = HubServer::start(model);
    let url = server.url();
    let (code, out, err) = run(
        dir.path(),
        &[
            "manifest",
            "pin",
            "--hf",
            &format!("acme/tiny-model@{HUB_COMMIT}"),
            "--manifest",
            "base.toml",
            "--endpoint",
            &url,
            "--token-env",
            NO_TOKEN,
            "-o",
            "pinned.toml",
        ],
    );
    assert_run(
        &out,
        str![[r#"
weightcheck manifest pin: huggingface.co/acme/tiny-model@1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c (Tiny)
  SHA-256 differs: model.safetensors: the manifest has abababababababababababababababababababababababababababababababab, the Hub [..]

result: FAILED — the Hub's listing contradicts the manifest (nothing written)

"#]],
        dir.path(),
    );
    assert_eq!((code, err.as_str()), (EXIT_MISMATCH, ""));
    assert!(!dir.path().join("pinned.toml").exists());
}
