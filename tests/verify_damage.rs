//! `weightcheck verify` on a scaled-down release with its own manifest
//! (sizes and SHA-256s): it passes, and each kind of damage is caught and
//! named.

mod common;

use std::path::{Path, PathBuf};

use common::{assert_output, run};
use snapbox::{str, IntoData};
use weightcheck::formats::writer::{write_shard, ArraySpec, ShardSpec};
use weightcheck::formats::DType;
use weightcheck::synth::{self, Content};

struct Release {
    _dir: tempfile::TempDir,
    root: PathBuf,
    manifest: PathBuf,
}

fn release() -> Release {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("release");
    let arch = synth::small_grok_architecture();
    let written = synth::write_grok_release(&root, &arch, Content::Random(7)).unwrap();
    let manifest = dir.path().join("demo.toml");
    std::fs::write(
        &manifest,
        synth::manifest_toml("demo", &arch, &written).unwrap(),
    )
    .unwrap();
    Release {
        _dir: dir,
        root,
        manifest,
    }
}

fn verify(r: &Release, extra: &[&str]) -> (i32, String, String) {
    let mut argv = vec![
        "verify".to_string(),
        r.root.display().to_string(),
        "--manifest".into(),
        r.manifest.display().to_string(),
        "--quiet".into(),
    ];
    argv.extend(extra.iter().map(|s| s.to_string()));
    run(argv, &r.root)
}

/// Whole stdout and stderr of a run, the release's temporary directory as
/// `[ROOT]`. Long runs of table rows that verified `ok` are written `...`
/// in the snapshots; the summary lines below each table pin their count.
#[track_caller]
fn assert_outputs(
    r: &Release,
    out: &str,
    want_out: impl IntoData,
    err: &str,
    want_err: impl IntoData,
) {
    assert_output(out, want_out, r._dir.path());
    assert_output(err, want_err, r._dir.path());
}

fn shard(r: &Release, i: usize) -> PathBuf {
    r.root.join(format!("ckpt-0/tensor{i:05}_000"))
}

#[test]
fn intact_release_verifies() {
    let r = release();
    let (code, out, err) = verify(&r, &[]);
    assert_eq!(code, 0, "{out}{err}");
    assert_outputs(
        &r,
        &out,
        str![[r#"
weightcheck verify: demo (synthetic Grok-style release) (weightcheck, 2024-03-17) in [ROOT]/release
  looked: [ROOT]/release: 146 of 146 release files present


files: 146/146 present, 0 missing, 0 extra, 0 wrong size
structure: 146/146 structurally correct
digests: 146 match, 0 differ, 0 not published in the manifest
hashed 3,639,012 bytes, 0 bytes from the verification cache

result: VERIFIED — every byte of 146 files matched a published or pinned digest

"#]],
        &err,
        str![],
    );
}

#[test]
fn accepts_the_shard_directory_itself() {
    let r = release();
    let (code, out, err) = run(
        [
            "verify",
            "ckpt-0",
            "--manifest",
            r.manifest.to_str().unwrap(),
            "--no-hash",
        ],
        &r.root,
    );
    assert_eq!(code, 0, "{out}{err}");
    assert_outputs(
        &r,
        &out,
        str![[r#"
weightcheck verify: demo (synthetic Grok-style release) (weightcheck, 2024-03-17) in [ROOT]/release
  looked: [ROOT]/release: 146 of 146 release files present

file                    tensor                                                      verdict        digest
...

files: 146/146 present, 0 missing, 0 extra, 0 wrong size
structure: 146/146 structurally correct
digests: 0 match, 0 differ, 146 not checked (--no-hash), 0 not published in the manifest

note: 146 of 146 files were checked by shape only. Every transformer layer has the same shapes, so shapes cannot detect two layers' files swapped or a shard from another checkpoint of the same architecture; only content hashes can (SHA-256s from the manifest, skipped here by --no-hash, or the torrent's piece hashes with --torrent).

result: STRUCTURE OK — nothing wrong found, but the content of 146 of 146 files was not checked against any published digest (--no-hash: structure only, as asked)
  not checked: ckpt-0/tensor00000_000, ckpt-0/tensor00001_000, ckpt-0/tensor00002_000, ckpt-0/tensor00003_000, ckpt-0/tensor00004_000 and 141 more
  to check them: hash with the release's .torrent (`weightcheck fetch --release ID --metadata-only`, then `verify --torrent FILE`), with the publisher's checksums (`verify --sums FILE`), against the Hugging Face Hub's digests (`weightcheck hf OWNER/REPO DIR`), or against a trusted copy pinned with `weightcheck manifest pin DIR -o FILE`

"#]],
        &err,
        str![],
    );
}

#[test]
fn missing_shard_is_named() {
    let r = release();
    std::fs::remove_file(shard(&r, 5)).unwrap();
    let (code, out, err) = verify(&r, &[]);
    assert_eq!(code, 1, "{out}{err}");
    assert_outputs(
        &r,
        &out,
        str![[r#"
weightcheck verify: demo (synthetic Grok-style release) (weightcheck, 2024-03-17) in [ROOT]/release
  looked: [ROOT]/release: 145 of 146 release files present

file                    tensor                                                      verdict        digest
ckpt-0/tensor00005_000  transformer/decoder_layer_0/multi_head_attention/key/w      missing        not checked
                          - missing

files: 145/146 present, 1 missing, 0 extra, 0 wrong size
structure: 145/146 structurally correct
digests: 145 match, 0 differ, 1 not checked (missing or unreadable), 0 not published in the manifest
hashed 3,636,605 bytes, 0 bytes from the verification cache

result: FAILED — 1 problem found (above)

"#]],
        &err,
        str![],
    );
}

#[test]
fn extra_file_is_named() {
    let r = release();
    std::fs::write(r.root.join("ckpt-0/tensor00146_000"), b"stray").unwrap();
    let (code, out, err) = verify(&r, &[]);
    assert_eq!(code, 1, "{out}{err}");
    assert_outputs(
        &r,
        &out,
        str![[r#"
weightcheck verify: demo (synthetic Grok-style release) (weightcheck, 2024-03-17) in [ROOT]/release
  looked: [ROOT]/release: 146 of 146 release files present

file                    tensor                                                      verdict        digest
ckpt-0/tensor00146_000  -                                                           extra          not published
                          - not part of the release

files: 146/146 present, 0 missing, 1 extra, 0 wrong size
structure: 146/146 structurally correct
digests: 146 match, 0 differ, 0 not published in the manifest
hashed 3,639,012 bytes, 0 bytes from the verification cache

result: FAILED — 1 problem found (above)

"#]],
        &err,
        str![],
    );
}

#[test]
fn truncated_shard_is_named_with_offset() {
    let r = release();
    let path = shard(&r, 2);
    let len = std::fs::metadata(&path).unwrap().len();
    let f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    f.set_len(len / 2).unwrap();
    let (code, out, err) = verify(&r, &[]);
    assert_eq!(code, 1, "{out}{err}");
    assert_outputs(
        &r,
        &out,
        str![[r#"
weightcheck verify: demo (synthetic Grok-style release) (weightcheck, 2024-03-17) in [ROOT]/release
  looked: [ROOT]/release: 146 of 146 release files present

file                    tensor                                                      verdict        digest
ckpt-0/tensor00002_000  transformer/decoder_layer_0/moe/linear/w                    wrong_size     sha256 DIFFERS
                          - size 45564 bytes, expected 91129
                          - byte 195: BINBYTES claims 88064 bytes but only 45364 remain (truncated or hostile)
                          - SHA-256 differs from the manifest
                          expected 9cb2068cd1a6c278aafd434ca74e49bfb35ef29723276e4577f37c5af747b40b
                          actual   b346249bc9994078ec108e989e9b45d0f4bfa6f56472db9b3d05171b9030a74b

files: 146/146 present, 0 missing, 0 extra, 1 wrong size
structure: 145/146 structurally correct
digests: 145 match, 1 differ, 0 not published in the manifest
hashed 3,593,447 bytes, 0 bytes from the verification cache

result: FAILED — 1 problem found (above)

"#]],
        &err,
        str![],
    );
}

fn replace(path: &Path, spec: &ShardSpec) {
    write_shard(path, spec).unwrap();
}

#[test]
fn shard_of_another_shape_is_named() {
    let r = release();
    // A router weight (64x4) where the embedding-norm (64) belongs.
    replace(
        &shard(&r, 1),
        &ShardSpec::Array(ArraySpec {
            shape: vec![64, 4],
            dtype: DType::Float32,
            data: None,
        }),
    );
    let (code, out, err) = verify(&r, &["--no-hash"]);
    assert_eq!(code, 1, "{out}{err}");
    assert_outputs(
        &r,
        &out,
        str![[r#"
weightcheck verify: demo (synthetic Grok-style release) (weightcheck, 2024-03-17) in [ROOT]/release
  looked: [ROOT]/release: 146 of 146 release files present

file                    tensor                                                      verdict        digest
ckpt-0/tensor00001_000  language_model/rms_norm/scale                               wrong_size     not checked
                          - size 1176 bytes, expected 406
                          - shape 64x4, expected 64

files: 146/146 present, 0 missing, 0 extra, 1 wrong size
structure: 145/146 structurally correct
digests: 0 match, 0 differ, 146 not checked (--no-hash), 0 not published in the manifest

note: 146 of 146 files were checked by shape only. Every transformer layer has the same shapes, so shapes cannot detect two layers' files swapped or a shard from another checkpoint of the same architecture; only content hashes can (SHA-256s from the manifest, skipped here by --no-hash, or the torrent's piece hashes with --torrent).

result: FAILED — 1 problem found (above)

"#]],
        &err,
        str![],
    );
}

#[test]
fn wrong_dtype_is_named() {
    let r = release();
    replace(
        &shard(&r, 1),
        &ShardSpec::Array(ArraySpec {
            shape: vec![64],
            dtype: DType::Bfloat16,
            data: None,
        }),
    );
    let (code, out, err) = verify(&r, &["--no-hash"]);
    assert_eq!(code, 1, "{out}{err}");
    assert_outputs(
        &r,
        &out,
        str![[r#"
weightcheck verify: demo (synthetic Grok-style release) (weightcheck, 2024-03-17) in [ROOT]/release
  looked: [ROOT]/release: 146 of 146 release files present

file                    tensor                                                      verdict        digest
ckpt-0/tensor00001_000  language_model/rms_norm/scale                               wrong_size     not checked
                          - size 289 bytes, expected 406
                          - dtype bfloat16, expected float32

files: 146/146 present, 0 missing, 0 extra, 1 wrong size
structure: 145/146 structurally correct
digests: 0 match, 0 differ, 146 not checked (--no-hash), 0 not published in the manifest

note: 146 of 146 files were checked by shape only. Every transformer layer has the same shapes, so shapes cannot detect two layers' files swapped or a shard from another checkpoint of the same architecture; only content hashes can (SHA-256s from the manifest, skipped here by --no-hash, or the torrent's piece hashes with --torrent).

result: FAILED — 1 problem found (above)

"#]],
        &err,
        str![],
    );
}

#[test]
fn swapped_layers_pass_shapes_but_fail_sha256() {
    let r = release();
    // Files 2.. hold layer 0, 14.. layer 1: swap layer 0's and layer 1's moe/linear.
    let (a, b) = (shard(&r, 2), shard(&r, 14));
    let tmp = r.root.join("swap");
    std::fs::rename(&a, &tmp).unwrap();
    std::fs::rename(&b, &a).unwrap();
    std::fs::rename(&tmp, &b).unwrap();
    let (code, out, err) = verify(&r, &["--no-hash"]);
    assert_eq!(code, 0, "shapes alone cannot see a layer swap: {out}");
    assert_outputs(
        &r,
        &out,
        str![[r#"
weightcheck verify: demo (synthetic Grok-style release) (weightcheck, 2024-03-17) in [ROOT]/release
  looked: [ROOT]/release: 146 of 146 release files present


files: 146/146 present, 0 missing, 0 extra, 0 wrong size
structure: 146/146 structurally correct
digests: 0 match, 0 differ, 146 not checked (--no-hash), 0 not published in the manifest

note: 146 of 146 files were checked by shape only. Every transformer layer has the same shapes, so shapes cannot detect two layers' files swapped or a shard from another checkpoint of the same architecture; only content hashes can (SHA-256s from the manifest, skipped here by --no-hash, or the torrent's piece hashes with --torrent).

result: STRUCTURE OK — nothing wrong found, but the content of 146 of 146 files was not checked against any published digest (--no-hash: structure only, as asked)
  not checked: ckpt-0/tensor00000_000, ckpt-0/tensor00001_000, ckpt-0/tensor00002_000, ckpt-0/tensor00003_000, ckpt-0/tensor00004_000 and 141 more
  to check them: hash with the release's .torrent (`weightcheck fetch --release ID --metadata-only`, then `verify --torrent FILE`), with the publisher's checksums (`verify --sums FILE`), against the Hugging Face Hub's digests (`weightcheck hf OWNER/REPO DIR`), or against a trusted copy pinned with `weightcheck manifest pin DIR -o FILE`

"#]],
        &err,
        str![],
    );
    let (code, out, err) = verify(&r, &[]);
    assert_eq!(code, 1, "{out}{err}");
    assert_outputs(
        &r,
        &out,
        str![[r#"
weightcheck verify: demo (synthetic Grok-style release) (weightcheck, 2024-03-17) in [ROOT]/release
  looked: [ROOT]/release: 146 of 146 release files present

file                    tensor                                                      verdict        digest
ckpt-0/tensor00002_000  transformer/decoder_layer_0/moe/linear/w                    hash_mismatch  sha256 DIFFERS
                          - SHA-256 differs from the manifest
                          expected 9cb2068cd1a6c278aafd434ca74e49bfb35ef29723276e4577f37c5af747b40b
                          actual   1a08692a810923f8837bd4e1b6f6e453b2a46a22e3a8d9c13a8dc6277f1bc261
ckpt-0/tensor00014_000  transformer/decoder_layer_1/moe/linear/w                    hash_mismatch  sha256 DIFFERS
                          - SHA-256 differs from the manifest
                          expected 1a08692a810923f8837bd4e1b6f6e453b2a46a22e3a8d9c13a8dc6277f1bc261
                          actual   9cb2068cd1a6c278aafd434ca74e49bfb35ef29723276e4577f37c5af747b40b

files: 146/146 present, 0 missing, 0 extra, 0 wrong size
structure: 146/146 structurally correct
digests: 144 match, 2 differ, 0 not published in the manifest
hashed 3,639,012 bytes, 0 bytes from the verification cache

result: FAILED — 2 problems found (above)

"#]],
        &err,
        str![],
    );
}

#[test]
fn json_output_has_summary_and_files() {
    let r = release();
    std::fs::remove_file(shard(&r, 9)).unwrap();
    let (code, out, err) = verify(&r, &["--json", "--no-hash"]);
    assert_eq!(code, 1);
    assert_eq!(err, "");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["summary"]["missing"], 1);
    assert_eq!(v["files"][9]["verdict"], "missing");
    assert_eq!(
        v["files"][9]["tensor"],
        "transformer/decoder_layer_0/rms_norm/scale"
    );
}

#[cfg(unix)]
#[test]
fn hugging_face_cache_layout_is_found_and_blob_names_checked() {
    use std::os::unix::fs::symlink;
    let r = release();
    let hub = r.root.parent().unwrap().join("hub");
    let repo = hub.join("models--xai-org--grok-1");
    let snap = repo.join("snapshots/abc123/ckpt-0");
    std::fs::create_dir_all(&snap).unwrap();
    std::fs::create_dir_all(repo.join("blobs")).unwrap();
    let text = std::fs::read_to_string(&r.manifest).unwrap()
        + "\n[sources.huggingface]\nrepo = \"xai-org/grok-1\"\n";
    std::fs::write(&r.manifest, &text).unwrap();
    let manifest = weightcheck::manifest::Manifest::from_file(&r.manifest).unwrap();
    for f in &manifest.files {
        let blob = repo.join("blobs").join(f.sha256.as_ref().unwrap());
        std::fs::copy(r.root.join(&f.path), &blob).unwrap();
        let name = f.path.rsplit('/').next().unwrap();
        symlink(
            format!("../../../blobs/{}", f.sha256.as_ref().unwrap()),
            snap.join(name),
        )
        .unwrap();
    }
    // One link that escapes the cache must not be followed.
    let outside = r.root.parent().unwrap().join("outside");
    std::fs::copy(shard(&r, 3), &outside).unwrap();
    std::fs::remove_file(snap.join("tensor00003_000")).unwrap();
    symlink(&outside, snap.join("tensor00003_000")).unwrap();

    let empty = tempfile::tempdir().unwrap();
    let located =
        weightcheck::verify::Located::search(empty.path(), Some(&hub), &manifest).unwrap();
    assert!(
        located.root.ends_with("snapshots/abc123"),
        "{:?}",
        located.root
    );
    let report = weightcheck::verify::verify(
        &manifest,
        &located,
        &weightcheck::verify::Options::default(),
    )
    .unwrap();
    let bad = &report.files[3];
    assert_eq!(bad.verdict, weightcheck::verdict::FileVerdict::Missing);
    assert!(
        bad.problems[0].contains("symlink leads outside"),
        "{:?}",
        bad.problems
    );
    assert_eq!(report.summary.structure_ok, 145);
    assert!(report.files[0]
        .resolved
        .as_deref()
        .unwrap()
        .contains("blobs"));
}

/// A .torrent made by Debian's mktorrent (not by weightcheck) over the
/// release directory, 32 KiB pieces (mktorrent's smallest): shards are not piece multiples, so
/// pieces straddle files.
fn mktorrent(r: &Release) -> PathBuf {
    common::require("mktorrent");
    let out = r.root.parent().unwrap().join("release.torrent");
    let status = std::process::Command::new("mktorrent")
        .args(["-l", "15", "-n", "release", "-o"])
        .arg(&out)
        .arg(r.root.join("ckpt-0"))
        .status()
        .expect("mktorrent must be installed (scripts/install-test-deps.sh)");
    assert!(status.success());
    out
}

#[test]
fn torrent_pieces_and_sha256_in_one_pass() {
    let r = release();
    // The torrent's root is the shard directory: verify that directory
    // against a manifest whose paths are relative to it.
    let text = std::fs::read_to_string(&r.manifest)
        .unwrap()
        .replace("ckpt-0/", "");
    std::fs::write(&r.manifest, text).unwrap();
    let torrent = mktorrent(&r);
    let dir = r.root.join("ckpt-0");
    let run = |extra: &[&str]| {
        let mut argv = vec!["verify", ".", "--manifest", r.manifest.to_str().unwrap()];
        argv.extend_from_slice(&["--torrent", torrent.to_str().unwrap(), "--no-cache"]);
        argv.extend_from_slice(extra);
        run(argv, &dir)
    };
    let (code, out, err) = run(&[]);
    assert_eq!(code, 0, "{out}{err}");
    assert_outputs(
        &r,
        &out,
        str![[r#"
weightcheck verify: demo (synthetic Grok-style release) (weightcheck, 2024-03-17) in [ROOT]/release/ckpt-0
  looked: [ROOT]/release/ckpt-0: 146 of 146 release files present

file             tensor                                                      verdict        digest
...

files: 146/146 present, 0 missing, 0 extra, 0 wrong size
structure: 146/146 structurally correct
digests: 146 match, 0 differ, 0 not published in the manifest
torrent 4ff93f81c5914631bdfd1a693edee0136625c347: 112/112 pieces of 32768 bytes match
hashed 3,639,012 bytes, 0 bytes from the verification cache

result: VERIFIED — every byte of 146 files matched a published or pinned digest

"#]],
        &err,
        str![],
    );

    // Flip one byte in the middle of shard 2's payload.
    let path = dir.join("tensor00002_000");
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[40_000] ^= 1;
    std::fs::write(&path, &bytes).unwrap();
    let (code, out, err) = run(&[]);
    assert_eq!(code, 1, "{out}{err}");
    assert_outputs(
        &r,
        &out,
        str![[r#"
weightcheck verify: demo (synthetic Grok-style release) (weightcheck, 2024-03-17) in [ROOT]/release/ckpt-0
  looked: [ROOT]/release/ckpt-0: 146 of 146 release files present

file             tensor                                                      verdict        digest
tensor00000_000  language_model/in_out_embed/embeddings                      ok             sha256 matches
tensor00001_000  language_model/rms_norm/scale                               ok             sha256 matches
tensor00002_000  transformer/decoder_layer_0/moe/linear/w                    hash_mismatch  sha256 DIFFERS
                   - SHA-256 differs from the manifest
                   - torrent piece 5 has the wrong SHA-1 (bytes 32200..64968 of this file)
                   expected 9cb2068cd1a6c278aafd434ca74e49bfb35ef29723276e4577f37c5af747b40b
                   actual   2ba7a737f2b0dc7ca5a05336f4be5eb4989177aa16227607b6e8d72ae9f6f1fe
...

files: 146/146 present, 0 missing, 0 extra, 0 wrong size
structure: 146/146 structurally correct
digests: 145 match, 1 differ, 0 not published in the manifest
torrent 4ff93f81c5914631bdfd1a693edee0136625c347: 111/112 pieces of 32768 bytes match
  piece 5 mismatch: tensor00002_000 bytes 32200..64968
hashed 3,639,012 bytes, 0 bytes from the verification cache

result: FAILED — 2 problems found (above)

"#]],
        &err,
        str![],
    );

    // Restore it; damage the 406-byte shard 1, whose piece straddles three files.
    bytes[40_000] ^= 1;
    std::fs::write(&path, &bytes).unwrap();
    let path = dir.join("tensor00001_000");
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[200] ^= 1;
    std::fs::write(&path, &bytes).unwrap();
    let (code, out, err) = run(&[]);
    assert_eq!(code, 1, "{out}{err}");
    assert_outputs(
        &r,
        &out,
        str![[r#"
weightcheck verify: demo (synthetic Grok-style release) (weightcheck, 2024-03-17) in [ROOT]/release/ckpt-0
  looked: [ROOT]/release/ckpt-0: 146 of 146 release files present

file             tensor                                                      verdict        digest
tensor00000_000  language_model/in_out_embed/embeddings                      ok             sha256 matches
                   - torrent piece 4 has the wrong SHA-1 (bytes 131072..131234 of this file)
                   - its own bytes match their SHA-256: the damage is in another file of that piece
tensor00001_000  language_model/rms_norm/scale                               hash_mismatch  sha256 DIFFERS
                   - SHA-256 differs from the manifest
                   - torrent piece 4 has the wrong SHA-1 (bytes 0..406 of this file)
                   expected c2bbd47923c441b4c83f1fb3d0561e4af7ee5788b42b0d950f58bd17aa0284bd
                   actual   3178f209884c8493b207c1f007957b53117eb058755f97eb7b5b15b9fc25c01a
tensor00002_000  transformer/decoder_layer_0/moe/linear/w                    ok             sha256 matches
...

files: 146/146 present, 0 missing, 0 extra, 0 wrong size
structure: 146/146 structurally correct
digests: 145 match, 1 differ, 0 not published in the manifest
torrent 4ff93f81c5914631bdfd1a693edee0136625c347: 111/112 pieces of 32768 bytes match
  piece 4 mismatch: tensor00000_000 bytes 131072..131234; tensor00001_000 bytes 0..406; tensor00002_000 bytes 0..32200
hashed 3,639,012 bytes, 0 bytes from the verification cache

result: FAILED — 2 problems found (above)

"#]],
        &err,
        str![],
    );

    // A magnet for another torrent is refused before any hashing.
    let (code, out, err) = run(&[
        "--magnet",
        "magnet:?xt=urn:btih:5f96d43576e3d386c9ba65b883210a393b68210e",
    ]);
    assert_eq!(code, 1, "{out}{err}");
    assert_outputs(
        &r,
        &out,
        str![],
        &err,
        str![[r#"
weightcheck: error: refusing [ROOT]/release.torrent: its info-hash 4ff93f81c5914631bdfd1a693edee0136625c347 is not the magnet link's 5f96d43576e3d386c9ba65b883210a393b68210e

"#]],
    );
}
