//! `weightcheck manifest pin` end to end, in-process: pin a trusted copy,
//! verify it against the pinned manifest, damage one byte and see verify
//! name the file; and the refusals (a copy that contradicts the manifest it
//! is pinned against is never written down).

mod common;

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use weightcheck::manifest::Manifest;
use weightcheck::pin::SHA256_SOURCE;
use weightcheck::synth::{self, Content};

fn run(args: &[&str], cwd: &Path) -> (i32, String, String) {
    common::run(args.iter().copied(), cwd)
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 temp path")
}

/// `1234567` as `1,234,567`, as weightcheck prints byte counts.
fn commas(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The small demo release in `dir/rel` (shards only, under `ckpt-0/`), and
/// its synth manifest beside it, outside the copy.
struct Release {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    rel: PathBuf,
    synth_manifest: PathBuf,
    files: Vec<(String, u64)>,
}

fn small_release() -> Release {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().to_path_buf();
    let rel = dir.join("rel");
    let (code, out, err) = run(&["synth", s(&rel), "--small"], &dir);
    assert_eq!(code, 0, "{out}\n{err}");
    let synth_manifest = dir.join("grok-demo.synth.toml");
    std::fs::rename(rel.join("grok-demo.synth.toml"), &synth_manifest).expect("move manifest");
    let mut files: Vec<(String, u64)> = std::fs::read_dir(rel.join("ckpt-0"))
        .expect("ckpt-0")
        .map(|e| {
            let e = e.expect("entry");
            (
                format!("ckpt-0/{}", e.file_name().to_string_lossy()),
                e.metadata().expect("metadata").len(),
            )
        })
        .collect();
    files.sort();
    assert!(files.len() > 10, "{files:?}");
    Release {
        _tmp: tmp,
        dir,
        rel,
        synth_manifest,
        files,
    }
}

fn flip_byte(path: &Path, at: usize) {
    let mut bytes = std::fs::read(path).expect("read shard");
    bytes[at] ^= 0x01;
    std::fs::write(path, bytes).expect("write shard");
}

fn sha256_hex(path: &Path) -> String {
    hex::encode(Sha256::digest(std::fs::read(path).expect("read")))
}

/// verify's table rows for the release's files, each split into its words.
fn rows<'a>(out: &'a str, files: &[(String, u64)]) -> Vec<Vec<&'a str>> {
    out.lines()
        .filter(|l| files.iter().any(|(p, _)| l.starts_with(p.as_str())))
        .map(|l| l.split_whitespace().collect())
        .collect()
}

#[test]
fn pin_then_verify_passes_and_one_flipped_byte_is_named_with_both_digests() {
    let r = small_release();
    let m = r.dir.join("m.toml");
    let (code, out, err) = run(&["manifest", "pin", s(&r.rel), "-o", "m.toml"], &r.dir);
    assert_eq!(code, 0, "{out}\n{err}");
    let bytes: u64 = r.files.iter().map(|(_, n)| n).sum();
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
        [
            format!(
                "weightcheck manifest pin: {} (local release described by {})",
                r.rel.display(),
                r.rel.display()
            ),
            "  structure: not checked (the manifest has no architecture)".to_string(),
            format!(
                "  pinned: {} files, {} bytes; SHA-256s: {} added, 0 already in the manifest and confirmed",
                r.files.len(),
                commas(bytes),
                r.files.len()
            ),
            format!("  written: {}", m.display()),
            String::new(),
            "result: PINNED".to_string(),
        ]
    );
    assert_eq!(err, "");

    let pinned = Manifest::from_file(&m).expect("the pinned manifest loads");
    let got: Vec<(&str, u64, Option<&str>, Option<&str>)> = pinned
        .files
        .iter()
        .map(|f| {
            (
                f.path.as_str(),
                f.size,
                f.sha256.as_deref(),
                f.sha256_source.as_deref(),
            )
        })
        .collect();
    let digests: Vec<String> = r
        .files
        .iter()
        .map(|(p, _)| sha256_hex(&r.rel.join(p)))
        .collect();
    let want: Vec<(&str, u64, Option<&str>, Option<&str>)> = r
        .files
        .iter()
        .zip(&digests)
        .map(|((p, n), d)| (p.as_str(), *n, Some(d.as_str()), Some(SHA256_SOURCE)))
        .collect();
    assert_eq!(got, want);

    let (code, out, err) = run(
        &["verify", s(&r.rel), "--manifest", "m.toml", "--no-cache"],
        &r.dir,
    );
    assert_eq!(code, 0, "{out}\n{err}");
    let want_rows: Vec<Vec<&str>> = r
        .files
        .iter()
        .map(|(p, _)| vec![p.as_str(), "-", "ok", "sha256", "matches"])
        .collect();
    assert_eq!(rows(&out, &r.files), want_rows, "{out}");
    let n = r.files.len();
    for line in [
        format!("files: {n}/{n} present, 0 missing, 0 extra, 0 wrong size"),
        format!("digests: {n} match, 0 differ, 0 not published in the manifest"),
        format!("result: VERIFIED — every byte of {n} files matched a published or pinned digest"),
    ] {
        assert!(out.lines().any(|l| l == line), "no line {line:?} in\n{out}");
    }

    // One byte in the middle of one shard's payload.
    let (victim, size) = &r.files[3];
    let victim_path = r.rel.join(victim);
    flip_byte(&victim_path, (*size / 2) as usize);
    let damaged = sha256_hex(&victim_path);
    let (code, out, err) = run(
        &["verify", s(&r.rel), "--manifest", "m.toml", "--no-cache"],
        &r.dir,
    );
    assert_eq!(code, 1, "{out}\n{err}");
    let lines: Vec<&str> = out.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with(victim.as_str()))
        .expect("the damaged file has a row");
    assert_eq!(
        lines[at].split_whitespace().collect::<Vec<_>>(),
        [victim.as_str(), "-", "hash_mismatch", "sha256", "DIFFERS"]
    );
    assert_eq!(
        lines[at + 1..at + 4]
            .iter()
            .map(|l| l.trim())
            .collect::<Vec<_>>(),
        [
            "- SHA-256 differs from the manifest".to_string(),
            format!("expected {}", digests[3]),
            format!("actual   {damaged}"),
        ]
    );
    let others: Vec<Vec<&str>> = rows(&out, &r.files)
        .into_iter()
        .filter(|row| row[0] != victim)
        .collect();
    assert!(
        others
            .iter()
            .all(|row| row[1..] == ["-", "ok", "sha256", "matches"]),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l == "result: FAILED — 1 problem found (above)"),
        "{out}"
    );
}

#[test]
fn pinning_against_a_manifest_confirms_its_digests_and_checks_structure() {
    let r = small_release();
    // The synth manifest sits in the copy's root, outside ckpt-0/: not part
    // of the release's file list, so ignored and named as such.
    std::fs::copy(&r.synth_manifest, r.rel.join("grok-demo.synth.toml")).expect("copy");
    let (code, out, err) = run(
        &[
            "manifest",
            "pin",
            s(&r.rel),
            "--manifest",
            "grok-demo.synth.toml",
            "-o",
            "m.toml",
        ],
        &r.dir,
    );
    assert_eq!(code, 0, "{out}\n{err}");
    let n = r.files.len();
    let bytes: u64 = r.files.iter().map(|(_, b)| b).sum();
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
        [
            format!(
                "weightcheck manifest pin: {} (grok-demo (synthetic Grok-style release))",
                r.rel.display()
            ),
            format!("  structure: {n} files as the architecture expects"),
            format!(
                "  pinned: {n} files, {} bytes; SHA-256s: 0 added, {n} already in the manifest and confirmed",
                commas(bytes)
            ),
            "  ignored (hidden, or outside the release's directories): grok-demo.synth.toml"
                .to_string(),
            format!("  written: {}", r.dir.join("m.toml").display()),
            String::new(),
            "result: PINNED".to_string(),
        ]
    );
    let pinned = Manifest::from_file(&r.dir.join("m.toml")).expect("loads");
    let original = Manifest::from_file(&r.synth_manifest).expect("loads");
    // The publisher's digests and their sources are kept, not re-attributed.
    let key = |m: &Manifest| {
        m.files
            .iter()
            .map(|f| {
                (
                    f.path.clone(),
                    f.size,
                    f.sha256.clone(),
                    f.sha256_source.clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(key(&pinned), key(&original));
    assert_eq!(pinned.release.id, "grok-demo");
    assert!(pinned.architecture.is_some());
}

#[test]
fn a_copy_whose_digest_differs_from_the_manifests_is_refused() {
    let r = small_release();
    let (victim, size) = &r.files[5];
    let before = sha256_hex(&r.rel.join(victim));
    flip_byte(&r.rel.join(victim), (*size / 2) as usize);
    let after = sha256_hex(&r.rel.join(victim));
    let (code, out, err) = run(
        &[
            "manifest",
            "pin",
            s(&r.rel),
            "--manifest",
            s(&r.synth_manifest),
            "-o",
            "m.toml",
        ],
        &r.dir,
    );
    assert_eq!(code, 1, "{out}\n{err}");
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
        [
            format!(
                "weightcheck manifest pin: {} (grok-demo (synthetic Grok-style release))",
                r.rel.display()
            ),
            format!("  SHA-256 differs: {victim}: the manifest has {before}, the copy {after}"),
            String::new(),
            "result: FAILED — the copy contradicts the manifest (nothing written)".to_string(),
        ]
    );
    assert!(!r.dir.join("m.toml").exists());
}

#[test]
fn a_missing_file_is_refused_against_a_manifest_file() {
    let r = small_release();
    let (victim, size) = &r.files[2];
    std::fs::remove_file(r.rel.join(victim)).expect("remove");
    let (code, out, err) = run(
        &[
            "manifest",
            "pin",
            s(&r.rel),
            "--manifest",
            s(&r.synth_manifest),
            "-o",
            "m.toml",
        ],
        &r.dir,
    );
    assert_eq!(code, 1, "{out}\n{err}");
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
        [
            format!(
                "weightcheck manifest pin: {} (grok-demo (synthetic Grok-style release))",
                r.rel.display()
            ),
            format!("  missing: {victim} (the manifest lists {size} bytes)"),
            String::new(),
            "result: FAILED — the copy contradicts the manifest (nothing written)".to_string(),
        ]
    );
    assert!(!r.dir.join("m.toml").exists());
}

#[test]
fn a_missing_shard_is_refused_against_a_built_in_release_before_any_hashing() {
    // The full-size Grok-1 layout as sparse files: 318 GB apparent, so the
    // refusal has to come from the file list, not from reading.
    let tmp = tempfile::tempdir().expect("tempdir");
    let rel = tmp.path().join("grok-1");
    let manifest = Manifest::embedded("grok-1").expect("grok-1");
    let arch = manifest.architecture.clone().expect("architecture");
    synth::write_grok_release(&rel, &arch, Content::Holes).expect("synth");
    let victim = &manifest.files[146];
    std::fs::remove_file(rel.join(&victim.path)).expect("remove");
    let (code, out, err) = run(
        &[
            "manifest",
            "pin",
            s(&rel),
            "--release",
            "grok-1",
            "-o",
            "m.toml",
            "--json",
        ],
        tmp.path(),
    );
    assert_eq!(code, 1, "{out}\n{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(
        doc,
        serde_json::json!({
            "result": "FAILED",
            "release": "grok-1",
            "output": null,
            "contradictions": [
                {"kind": "missing", "path": victim.path, "size": victim.size}
            ]
        })
    );
    assert!(!tmp.path().join("m.toml").exists());
}

#[test]
fn dash_writes_the_manifest_to_stdout_and_the_summary_to_stderr() {
    let r = small_release();
    let (code, out, err) = run(&["manifest", "pin", s(&r.rel), "-o", "-"], &r.dir);
    assert_eq!(code, 0, "{out}\n{err}");
    let m = Manifest::from_toml(&out, "stdout").expect("stdout is a manifest");
    assert_eq!(m.files.len(), r.files.len());
    assert!(
        err.lines().any(|l| l == "  written: standard output"),
        "{err}"
    );
    assert!(err.lines().any(|l| l == "result: PINNED"), "{err}");
}

#[test]
fn an_empty_directory_is_an_error_not_an_empty_manifest() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(tmp.path().join("empty")).expect("mkdir");
    std::fs::write(tmp.path().join("empty/.hidden"), b"x").expect("write");
    let (code, out, err) = run(&["manifest", "pin", "empty", "-o", "m.toml"], tmp.path());
    assert_eq!(code, 2, "{out}\n{err}");
    assert_eq!(
        err,
        format!(
            "weightcheck: error: {}: no files to pin (hidden files do not count)\n",
            tmp.path().join("empty").display()
        )
    );
    assert!(!tmp.path().join("m.toml").exists());
}

#[test]
fn a_copy_with_a_damaged_shard_is_refused_by_the_structure_check_with_verifys_words() {
    let r = small_release();
    let (victim, size) = &r.files[4];
    std::fs::write(r.rel.join(victim), vec![0u8; *size as usize]).expect("overwrite");
    // What verify says about the file, structure only.
    let (code, out, err) = run(
        &[
            "verify",
            s(&r.rel),
            "--manifest",
            s(&r.synth_manifest),
            "--no-hash",
            "--quiet",
        ],
        &r.dir,
    );
    assert_eq!(code, 1, "{out}\n{err}");
    let lines: Vec<&str> = out.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with(victim.as_str()))
        .expect("the damaged file has a row");
    let verdict = lines[at].split_whitespace().nth(2).expect("verdict");
    let problem = lines[at + 1].trim().strip_prefix("- ").expect("problem");

    let (code, out, err) = run(
        &[
            "manifest",
            "pin",
            s(&r.rel),
            "--manifest",
            s(&r.synth_manifest),
            "-o",
            "m.toml",
        ],
        &r.dir,
    );
    assert_eq!(code, 1, "{out}\n{err}");
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
        [
            format!(
                "weightcheck manifest pin: {} (grok-demo (synthetic Grok-style release))",
                r.rel.display()
            ),
            format!("  {verdict}: {victim}: {problem}"),
            String::new(),
            "result: FAILED — the copy contradicts the manifest (nothing written)".to_string(),
        ]
    );
    assert!(!r.dir.join("m.toml").exists());
}
