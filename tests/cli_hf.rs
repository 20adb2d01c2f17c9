//! `weightcheck hf` against a loopback server that answers like the Hugging
//! Face Hub (tests/common/hub_server.rs), on a Hugging Face cache laid out
//! as huggingface_hub documents it (blobs, snapshot symlinks, refs) and on
//! caches the real huggingface_hub builds from that server
//! (`snapshot_download`), checked again by its own `hf cache verify`.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::hub_server::{lay_out_cache, HubServer, ServedModel, HUB_COMMIT};
use common::{EXIT_ERROR, EXIT_MISMATCH, EXIT_OK};
use snapbox::str;

/// No token in these runs, whatever the environment holds.
const NO_TOKEN: &str = "WEIGHTCHECK_TEST_HF_TOKEN_NEVER_SET";

/// `weightcheck hf REPO --endpoint URL --token-env NO_TOKEN ARGS` in-process,
/// bounded in time.
fn hf(dir: &Path, server: &str, args: &[&str]) -> (i32, String, String) {
    let mut all = vec![
        "hf",
        "acme/tiny-model",
        "--endpoint",
        server,
        "--token-env",
        NO_TOKEN,
    ];
    all.extend_from_slice(args);
    common::run_within(all, dir, Duration::from_secs(60))
}

#[track_caller]
fn assert_run(out: &str, want: impl snapbox::IntoData, dir: &Path) {
    common::assert_output(&common::loopback_ports(out), want, dir);
}

#[test]
fn a_clean_cache_snapshot_is_verified_over_two_pages() {
    let model = ServedModel::small();
    let dir = tempfile::tempdir().unwrap();
    lay_out_cache(&dir.path().join("hub"), &model);
    let server = HubServer::start(model);
    let (code, out, err) = hf(dir.path(), &server.url(), &["--cache-dir", "hub"]);
    assert_run(
        &out,
        str![[r#"
Hugging Face Hub  acme/tiny-model at 1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c
folder            [ROOT]/hub/models--acme--tiny-model/snapshots/1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c (cache snapshot of main)
ok          .gitattributes  (git SHA-1 [..])
ok          config.json  (git SHA-1 [..])
ok          model-00001-of-00002.safetensors  (SHA-256 [..])
ok          model-00002-of-00002.safetensors  (SHA-256 [..])
ok          tokenizer/tokenizer_config.json  (git SHA-1 [..])
result: VERIFIED — every byte of 5 files matched the Hub's digests (SHA-256 for 2 LFS, git blob SHA-1 for 3)

"#]],
        dir.path(),
    );
    assert_eq!(err, "");
    assert_eq!(code, EXIT_OK);
    // The branch was resolved through refs/main, and the listing took the
    // Link header to its second page.
    let paths: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(
        paths,
        [
            format!("/api/models/acme/tiny-model/tree/{HUB_COMMIT}?recursive=true&expand=true"),
            format!(
                "/api/models/acme/tiny-model/tree/{HUB_COMMIT}?recursive=true&expand=true&cursor=3"
            ),
        ]
    );
}

#[test]
fn a_flipped_byte_in_an_lfs_file_and_in_a_small_file_are_named_with_both_digests() {
    let model = ServedModel::small();
    let dir = tempfile::tempdir().unwrap();
    let snap = lay_out_cache(&dir.path().join("hub"), &model);
    for name in ["model-00002-of-00002.safetensors", "config.json"] {
        // The snapshot file is a symlink: the blob it leads to is damaged.
        let blob = snap.join(name).canonicalize().unwrap();
        let mut bytes = std::fs::read(&blob).unwrap();
        bytes[10] ^= 0x01;
        std::fs::write(&blob, bytes).unwrap();
    }
    let server = HubServer::start(model);
    let (code, out, err) = hf(dir.path(), &server.url(), &["--cache-dir", "hub"]);
    assert_run(
        &out,
        str![[r#"
Hugging Face Hub  acme/tiny-model at 1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c
folder            [ROOT]/hub/models--acme--tiny-model/snapshots/1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c (cache snapshot of main)
ok          .gitattributes  (git SHA-1 [..])
MISMATCH    config.json
              git SHA-1 expected [..]
              git SHA-1 actual   [..]
ok          model-00001-of-00002.safetensors  (SHA-256 [..])
MISMATCH    model-00002-of-00002.safetensors
              SHA-256 expected [..]
              SHA-256 actual   [..]
ok          tokenizer/tokenizer_config.json  (git SHA-1 [..])
result: FAILED — 2 problems found (above)

"#]],
        dir.path(),
    );
    assert_eq!(err, "");
    assert_eq!(code, EXIT_MISMATCH);
    // Both digests of each file, exactly: the Hub's and the bytes'.
    let m = &ServedModel::small().files;
    let want_lfs = common::hub_server::sha256_hex(&m["model-00002-of-00002.safetensors"].0);
    let want_git = weightcheck::github::tree::git_blob_sha1(&m["config.json"].0);
    let mut bad = m["config.json"].0.clone();
    bad[10] ^= 1;
    let got_git = weightcheck::github::tree::git_blob_sha1(&bad);
    let mut bad = m["model-00002-of-00002.safetensors"].0.clone();
    bad[10] ^= 1;
    let got_lfs = common::hub_server::sha256_hex(&bad);
    for d in [want_lfs, want_git, got_lfs, got_git] {
        assert!(out.contains(&d), "{d} not in {out}");
    }
}

#[test]
fn a_missing_file_and_an_extra_file_fail() {
    let model = ServedModel::small();
    let dir = tempfile::tempdir().unwrap();
    let snap = lay_out_cache(&dir.path().join("hub"), &model);
    std::fs::remove_file(snap.join("tokenizer/tokenizer_config.json")).unwrap();
    std::fs::write(snap.join("notes.txt"), b"not from the Hub").unwrap();
    let server = HubServer::start(model);
    let (code, out, err) = hf(dir.path(), &server.url(), &["--cache-dir", "hub"]);
    assert_run(
        &out,
        str![[r#"
Hugging Face Hub  acme/tiny-model at 1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c
folder            [ROOT]/hub/models--acme--tiny-model/snapshots/1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c (cache snapshot of main)
ok          .gitattributes  (git SHA-1 [..])
ok          config.json  (git SHA-1 [..])
ok          model-00001-of-00002.safetensors  (SHA-256 [..])
ok          model-00002-of-00002.safetensors  (SHA-256 [..])
MISSING     tokenizer/tokenizer_config.json  (26 bytes on the Hub)
EXTRA       notes.txt  (16 bytes; not in the Hub's listing)
result: FAILED — 2 problems found (above)

"#]],
        dir.path(),
    );
    assert_eq!(err, "");
    assert_eq!(code, EXIT_MISMATCH);

    // hf cache verify's switches: failing is the default here, so they
    // change nothing.
    let (code, _, _) = hf(
        dir.path(),
        &server.url(),
        &[
            "--cache-dir",
            "hub",
            "--fail-on-missing-files",
            "--fail-on-extra-files",
        ],
    );
    assert_eq!(code, EXIT_MISMATCH);

    // An extra file allowed: the listed files may still fail or pass on
    // their own; a missing file allowed: never VERIFIED, since the revision
    // was not all there to check.
    let (code, out, err) = hf(
        dir.path(),
        &server.url(),
        &[
            "--cache-dir",
            "hub",
            "--allow-missing-files",
            "--allow-extra-files",
        ],
    );
    assert_run(
        &out,
        str![[r#"
Hugging Face Hub  acme/tiny-model at 1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c
folder            [ROOT]/hub/models--acme--tiny-model/snapshots/1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c (cache snapshot of main)
ok          .gitattributes  (git SHA-1 580d310c2d211aca166288a207e972ced9bb0100)
ok          config.json  (git SHA-1 51aacd43fc17669604d11e12c4580247c43a00a3)
ok          model-00001-of-00002.safetensors  (SHA-256 e86adb39661e24e5697a957885e796851faa6043777824e9bd1bdc086d86f0b9)
ok          model-00002-of-00002.safetensors  (SHA-256 47700dacc828eea9221e6fafcb3ddd5d993c6336544ee99ea968618c1ef881c6)
MISSING     tokenizer/tokenizer_config.json  (26 bytes on the Hub; allowed)
EXTRA       notes.txt  (16 bytes; not in the Hub's listing; allowed)
result: STRUCTURE OK — the 4 files present matched the Hub's digests; 1 listed file absent (--allow-missing-files): not the whole revision

"#]],
        dir.path(),
    );
    assert_eq!((code, err.as_str()), (3, ""));
    std::fs::write(
        snap.join("tokenizer/tokenizer_config.json"),
        br#"{"model_max_length": 2048}"#,
    )
    .unwrap();
    let (code, out, err) = hf(
        dir.path(),
        &server.url(),
        &["--cache-dir", "hub", "--allow-extra-files"],
    );
    assert_run(
        &out,
        str![[r#"
Hugging Face Hub  acme/tiny-model at 1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c
folder            [ROOT]/hub/models--acme--tiny-model/snapshots/1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c (cache snapshot of main)
ok          .gitattributes  (git SHA-1 580d310c2d211aca166288a207e972ced9bb0100)
ok          config.json  (git SHA-1 51aacd43fc17669604d11e12c4580247c43a00a3)
ok          model-00001-of-00002.safetensors  (SHA-256 e86adb39661e24e5697a957885e796851faa6043777824e9bd1bdc086d86f0b9)
ok          model-00002-of-00002.safetensors  (SHA-256 47700dacc828eea9221e6fafcb3ddd5d993c6336544ee99ea968618c1ef881c6)
ok          tokenizer/tokenizer_config.json  (git SHA-1 2be70c972a0d728eab88ed97b06c997a7f631a83)
EXTRA       notes.txt  (16 bytes; not in the Hub's listing; allowed)
result: VERIFIED — every byte of 5 files matched the Hub's digests (SHA-256 for 2 LFS, git blob SHA-1 for 3); 1 extra file not in the listing (--allow-extra-files)

"#]],
        dir.path(),
    );
    assert_eq!((code, err.as_str()), (EXIT_OK, ""));
}

#[test]
fn a_snapshot_link_leading_out_of_the_cache_is_not_followed() {
    let model = ServedModel::small();
    let dir = tempfile::tempdir().unwrap();
    let snap = lay_out_cache(&dir.path().join("hub"), &model);
    let outside = dir.path().join("elsewhere.json");
    std::fs::write(&outside, &model.files["config.json"].0).unwrap();
    std::fs::remove_file(snap.join("config.json")).unwrap();
    std::os::unix::fs::symlink(&outside, snap.join("config.json")).unwrap();
    let server = HubServer::start(model);
    let (code, out, _) = hf(dir.path(), &server.url(), &["--cache-dir", "hub"]);
    assert!(
        out.contains("UNREADABLE  config.json  (symlink leads outside"),
        "{out}"
    );
    assert_eq!(code, EXIT_MISMATCH);
}

#[test]
fn a_plain_folder_is_checked_at_the_revision_named() {
    let model = ServedModel::small();
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("dl");
    for (p, (content, _)) in &model.files {
        let f = folder.join(p);
        std::fs::create_dir_all(f.parent().unwrap()).unwrap();
        std::fs::write(f, content).unwrap();
    }
    // huggingface_hub's --local-dir metadata is hidden: not an extra file.
    std::fs::create_dir_all(folder.join(".cache/huggingface")).unwrap();
    std::fs::write(folder.join(".cache/huggingface/.gitignore"), b"*").unwrap();
    let server = HubServer::start(model);
    let (code, out, err) = hf(dir.path(), &server.url(), &["dl", "--json"]);
    assert_eq!((code, err.as_str()), (EXIT_OK, ""), "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["result"], "verified");
    assert_eq!(v["exit_code"], 0);
    assert_eq!(v["revision"], "main");
    assert_eq!(v["files"].as_array().unwrap().len(), 5);
}

#[test]
fn a_gated_repository_without_a_token_says_to_set_hf_token() {
    let model = ServedModel {
        gated_token: Some("T".into()),
        ..ServedModel::small()
    };
    let dir = tempfile::tempdir().unwrap();
    lay_out_cache(&dir.path().join("hub"), &model);
    let server = HubServer::start(model);
    let (code, out, err) = hf(dir.path(), &server.url(), &["--cache-dir", "hub"]);
    assert_eq!(out, "");
    common::assert_output(
        &err,
        str![[r#"
weightcheck: error: Hugging Face Hub: file list of acme/tiny-model at 1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c: 401 (Access to model acme/tiny-model is restricted. You must have access to it and be authenticated to access it. Please log in.); the repository is gated or private: set HF_TOKEN to a token of an account that has accepted its terms on its Hub page

"#]],
        dir.path(),
    );
    assert_eq!(code, EXIT_ERROR);
    assert_eq!(server.requests()[0].authorization, None);
}

/// The binary, with the environment a user sets: HF_ENDPOINT, HF_HUB_CACHE
/// and HF_TOKEN (sent as `Authorization: Bearer`).
#[test]
fn a_gated_repository_with_hf_token_is_verified_through_the_environment() {
    let model = ServedModel {
        gated_token: Some("T".into()),
        ..ServedModel::small()
    };
    let dir = tempfile::tempdir().unwrap();
    lay_out_cache(&dir.path().join("hub"), &model);
    let server = HubServer::start(model);
    let out = Command::new(env!("CARGO_BIN_EXE_weightcheck"))
        .args(["hf", "acme/tiny-model"])
        .current_dir(dir.path())
        .env("HF_ENDPOINT", server.url())
        .env("HF_HUB_CACHE", dir.path().join("hub"))
        .env("HF_TOKEN", "T")
        .env_remove("HF_HOME")
        .output()
        .expect("run weightcheck");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(EXIT_OK), "{stdout}{stderr}");
    assert!(stdout.contains("result: VERIFIED"), "{stdout}");
    let seen = server.requests();
    assert_eq!(seen.len(), 2);
    assert!(seen
        .iter()
        .all(|r| r.authorization.as_deref() == Some("Bearer T")));
}

#[test]
fn not_found_rate_limited_and_offline_are_explained() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("dl")).unwrap();
    let server = HubServer::start(ServedModel::small());
    let (code, _, err) = hf(
        dir.path(),
        &server.url(),
        &["dl", "--revision", "no-such-branch"],
    );
    common::assert_output(
        &err,
        str![[r#"
weightcheck: error: Hugging Face Hub: file list of acme/tiny-model at no-such-branch: not found (404): the revision does not exist

"#]],
        dir.path(),
    );
    assert_eq!(code, EXIT_ERROR);

    let (code, _, err) = common::run_within(
        [
            "hf",
            "acme/other",
            "dl",
            "--endpoint",
            &server.url(),
            "--token-env",
            NO_TOKEN,
        ],
        dir.path(),
        Duration::from_secs(60),
    );
    common::assert_output(
        &err,
        str![[r#"
weightcheck: error: Hugging Face Hub: file list of acme/other at main: not found (404): the repository or revision does not exist (or it is private: set HF_TOKEN)

"#]],
        dir.path(),
    );
    assert_eq!(code, EXIT_ERROR);

    let limited = HubServer::start(ServedModel {
        rate_limited: Some(7),
        ..ServedModel::small()
    });
    let (code, _, err) = hf(dir.path(), &limited.url(), &["dl"]);
    common::assert_output(
        &err,
        str![[r#"
weightcheck: error: Hugging Face Hub: file list of acme/tiny-model at main: rate limited (429); the Hub asks to retry after 7 s; set HF_TOKEN for a higher limit

"#]],
        dir.path(),
    );
    assert_eq!(code, EXIT_ERROR);

    // A port nobody listens on: bound, then closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (code, _, err) = hf(dir.path(), &format!("http://127.0.0.1:{port}"), &["dl"]);
    common::assert_output(
        &common::loopback_ports(&err),
        str![[r#"
weightcheck: error: Hugging Face Hub: file list of acme/tiny-model at main: no answer from http://127.0.0.1:[PORT] ([..]); check the network or HF_ENDPOINT

"#]],
        dir.path(),
    );
    assert_eq!(code, EXIT_ERROR);
}

/// A hostile server cannot lead the client, and its token, to another
/// host, nor make it check a path outside the folder: the listing is
/// refused whole, since a partial one would report files missing.
#[test]
fn a_hostile_listing_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("dl")).unwrap();
    let elsewhere = HubServer::start(ServedModel {
        next_elsewhere: Some("http://127.0.0.2:1".into()),
        ..ServedModel::small()
    });
    let (code, out, err) = hf(dir.path(), &elsewhere.url(), &["dl"]);
    assert_eq!(out, "");
    common::assert_output(
        &err,
        str![[r#"
weightcheck: error: Hugging Face Hub: a next-page link to another server (http://127.0.0.2:1/api/models/acme/tiny-model/tree/main?recursive=true&expand=true&cursor=3); not followed

"#]],
        dir.path(),
    );
    assert_eq!(code, EXIT_ERROR);
    assert_eq!(elsewhere.requests().len(), 1);

    let escaping = HubServer::start(ServedModel {
        extra_entry: Some(serde_json::json!({
            "type": "file", "oid": "a".repeat(40), "size": 5, "path": "../../etc/passwd",
        })),
        ..ServedModel::small()
    });
    let (code, out, err) = hf(dir.path(), &escaping.url(), &["dl"]);
    assert_eq!(out, "");
    common::assert_output(
        &err,
        str![[r#"
weightcheck: error: Hugging Face Hub: file list of acme/tiny-model at main: entry ../../etc/passwd: not a safe relative path; the listing is refused

"#]],
        dir.path(),
    );
    assert_eq!(code, EXIT_ERROR);
}

/// The Hugging Face cache as the real huggingface_hub builds it: the
/// loopback Hub's files downloaded into `dir/hub` by `snapshot_download`
/// (scripts/hf_snapshot.py), through the Hub API huggingface_hub speaks
/// (model_info, list_repo_tree, HEAD and GET of /resolve/). Returns the
/// snapshot folder it reports.
fn snapshot_download(dir: &Path, server: &HubServer) -> std::path::PathBuf {
    let out = common::hub_client(&common::python_hub(), &server.url(), &dir.join("hf-home"))
        .arg(common::repo().join("scripts/hf_snapshot.py"))
        .args(["acme/tiny-model", "hub"])
        .current_dir(dir)
        .output()
        .expect("run python");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "snapshot_download failed ({}): {stdout}{stderr}",
        out.status
    );
    std::path::PathBuf::from(stdout.trim())
}

/// `hf cache verify acme/tiny-model --cache-dir hub`, the real CLI of the
/// same huggingface_hub: (exit code, what it printed: stdout then stderr).
fn hf_cache_verify(dir: &Path, server: &HubServer) -> (i32, String) {
    let hf = common::python_hub().with_file_name("hf");
    let out = common::hub_client(&hf, &server.url(), &dir.join("hf-home"))
        .args(["cache", "verify", "acme/tiny-model", "--cache-dir", "hub"])
        .args(["--format", "human"])
        .current_dir(dir)
        .output()
        .expect("run hf");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn a_cache_built_by_huggingface_hub_is_verified_and_hf_cache_verify_agrees() {
    let dir = tempfile::tempdir().unwrap();
    let server = HubServer::start(ServedModel::small());
    let snap = snapshot_download(dir.path(), &server);
    assert_eq!(
        snap,
        dir.path()
            .join("hub/models--acme--tiny-model/snapshots")
            .join(HUB_COMMIT)
    );
    // huggingface_hub asked what main is, listed the tree (two pages), then
    // took each file's metadata and its bytes from the server.
    let seen = server.requests();
    let count = |method: &str, prefix: &str| {
        seen.iter()
            .filter(|r| r.method == method && r.path.starts_with(prefix))
            .count()
    };
    assert_eq!(count("GET", "/api/models/acme/tiny-model/revision/main"), 1);
    assert_eq!(count("GET", "/api/models/acme/tiny-model/tree/"), 2);
    assert_eq!(count("HEAD", "/acme/tiny-model/resolve/"), 5);
    assert_eq!(count("GET", "/acme/tiny-model/resolve/"), 5);
    assert_eq!(seen.len(), 13, "{seen:?}");

    let (code, out, err) = hf(dir.path(), &server.url(), &["--cache-dir", "hub"]);
    assert_run(
        &out,
        str![[r#"
Hugging Face Hub  acme/tiny-model at 1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c
folder            [ROOT]/hub/models--acme--tiny-model/snapshots/1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c (cache snapshot of main)
ok          .gitattributes  (git SHA-1 [..])
ok          config.json  (git SHA-1 [..])
ok          model-00001-of-00002.safetensors  (SHA-256 [..])
ok          model-00002-of-00002.safetensors  (SHA-256 [..])
ok          tokenizer/tokenizer_config.json  (git SHA-1 [..])
result: VERIFIED — every byte of 5 files matched the Hub's digests (SHA-256 for 2 LFS, git blob SHA-1 for 3)

"#]],
        dir.path(),
    );
    assert_eq!(err, "");
    assert_eq!(code, EXIT_OK);

    let (code, text) = hf_cache_verify(dir.path(), &server);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("Verified 5 file(s) for model 'acme/tiny-model'. All checksums match."),
        "{text}"
    );
}

#[test]
fn a_flipped_byte_in_a_cache_built_by_huggingface_hub_is_named_as_hf_cache_verify_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let server = HubServer::start(ServedModel::small());
    let snap = snapshot_download(dir.path(), &server);
    for name in ["model-00002-of-00002.safetensors", "config.json"] {
        // The blob huggingface_hub wrote, behind the snapshot's symlink.
        let blob = snap.join(name).canonicalize().unwrap();
        let mut bytes = std::fs::read(&blob).unwrap();
        bytes[10] ^= 0x01;
        std::fs::write(&blob, bytes).unwrap();
    }
    let (code, out, err) = hf(dir.path(), &server.url(), &["--cache-dir", "hub"]);
    assert_run(
        &out,
        str![[r#"
Hugging Face Hub  acme/tiny-model at 1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c
folder            [ROOT]/hub/models--acme--tiny-model/snapshots/1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c (cache snapshot of main)
ok          .gitattributes  (git SHA-1 [..])
MISMATCH    config.json
              git SHA-1 expected [..]
              git SHA-1 actual   [..]
ok          model-00001-of-00002.safetensors  (SHA-256 [..])
MISMATCH    model-00002-of-00002.safetensors
              SHA-256 expected [..]
              SHA-256 actual   [..]
ok          tokenizer/tokenizer_config.json  (git SHA-1 [..])
result: FAILED — 2 problems found (above)

"#]],
        dir.path(),
    );
    assert_eq!(err, "");
    assert_eq!(code, EXIT_MISMATCH);

    // The same two files, with the same two digests each, in
    // huggingface_hub's own verification and in weightcheck's --json.
    let (code, text) = hf_cache_verify(dir.path(), &server);
    assert_eq!(code, 1, "{text}");
    // Its lines `  - PATH: expected DIGEST (ALGORITHM), got DIGEST`.
    let theirs: Vec<(String, String, String)> = text
        .lines()
        .filter_map(|l| {
            let (path, rest) = l.strip_prefix("  - ")?.split_once(": expected ")?;
            let (expected, rest) = rest.split_once(' ')?;
            let (_, actual) = rest.split_once(", got ")?;
            Some((path.into(), expected.into(), actual.into()))
        })
        .collect();
    let (_, json, _) = hf(dir.path(), &server.url(), &["--cache-dir", "hub", "--json"]);
    let ours: serde_json::Value = serde_json::from_str(&json).unwrap();
    let ours: Vec<(String, String, String)> = ours["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["verdict"] != "ok")
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            (s("path"), s("expected"), s("actual"))
        })
        .collect();
    assert_eq!(ours.len(), 2, "{json}");
    assert_eq!(theirs, ours);
    // And they are the digests of the bytes served and of the bytes damaged.
    use weightcheck::github::tree::git_blob_sha1;
    let m = &ServedModel::small().files;
    let mut bad = m["model-00002-of-00002.safetensors"].0.clone();
    bad[10] ^= 1;
    assert_eq!(
        ours[1].1,
        common::hub_server::sha256_hex(&m["model-00002-of-00002.safetensors"].0)
    );
    assert_eq!(ours[1].2, common::hub_server::sha256_hex(&bad));
    let mut bad = m["config.json"].0.clone();
    bad[10] ^= 1;
    assert_eq!(ours[0].0, "config.json");
    assert_eq!(ours[0].1, git_blob_sha1(&m["config.json"].0));
    assert_eq!(ours[0].2, git_blob_sha1(&bad));
}
