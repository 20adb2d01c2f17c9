//! A verdict you can trust: every way weightcheck once printed VERIFIED and
//! exited 0 without having proven every byte, each run end to end with the
//! exact result line and exit code it must give now. (The rule itself,
//! row by row, is tested in src/verdict.rs.)

use std::fs::OpenOptions;
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use weightcheck::manifest::Manifest;
use weightcheck::synth::{self, Content};

mod common;

fn run(args: &[&str], cwd: &Path) -> (i32, String, String) {
    common::run(args.iter().copied(), cwd)
}

fn result_line(out: &str) -> &str {
    out.lines()
        .find(|l| l.starts_with("result: "))
        .unwrap_or("(no result line)")
}

/// The scaled-down Grok-style release, with its manifest (sizes and every
/// SHA-256) beside it, outside the release directory.
fn small_release(dir: &Path) -> (PathBuf, PathBuf) {
    let rel = dir.join("rel");
    let arch = synth::small_grok_architecture();
    let written = synth::write_grok_release(&rel, &arch, Content::Random(5)).expect("synth");
    let manifest = dir.join("m.toml");
    let text = synth::manifest_toml("grok-demo", &arch, &written).expect("manifest");
    std::fs::write(&manifest, text).expect("write manifest");
    (rel, manifest)
}

/// `manifest pin REL -o m.toml`, then `verify REL --manifest m.toml`: the
/// copy's own digests, so only what verify finds beyond bytes can fail it.
fn pin_then_verify(rel: &Path, dir: &Path) -> (i32, String, String) {
    let (code, out, err) = run(&["manifest", "pin", s(rel), "-o", "m.toml"], dir);
    assert_eq!(code, 0, "{out}{err}");
    run(&["verify", s(rel), "--manifest", "m.toml"], dir)
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

// 1. An empty directory checked as ChatGPT, and a directory checked as
//    grok-2 (names-only manifests): nothing was there to check.
#[test]
fn case1_nothing_to_check_is_not_verified() {
    let dir = tempfile::tempdir().expect("tempdir");
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).expect("mkdir");
    let (code, out, err) = run(&["verify", s(&empty), "--release", "chatgpt"], dir.path());
    assert_eq!(
        (code, result_line(&out)),
        (
            3,
            format!(
                "result: NOTHING CHECKED — no file of the release was found in {}",
                empty.display()
            )
            .as_str()
        ),
        "{out}{err}"
    );
    std::fs::write(empty.join("notes.txt"), "not a weight file").expect("write");
    let (code, out, err) = run(&["verify", s(&empty), "--release", "grok-2"], dir.path());
    assert_eq!(
        (code, result_line(&out)),
        (
            3,
            format!(
                "result: NOTHING CHECKED — no file of the release was found in {}",
                empty.display()
            )
            .as_str()
        ),
        "{out}{err}"
    );
}

// 2. --no-hash checks shapes only: STRUCTURE OK, exit 0 because that is
//    what was asked; the report marks nothing green.
#[test]
fn case2_no_hash_is_structure_ok_and_never_green() {
    let dir = tempfile::tempdir().expect("tempdir");
    let arch = Manifest::embedded("grok-1")
        .expect("grok-1")
        .architecture
        .expect("architecture");
    synth::write_grok_release(dir.path(), &arch, Content::Holes).expect("synth");
    let args = [
        "verify",
        s(dir.path()),
        "--release",
        "grok-1",
        "--no-hash",
        "--quiet",
    ];
    let (code, out, err) = run(&args, dir.path());
    assert_eq!(
        (code, result_line(&out)),
        (
            0,
            "result: STRUCTURE OK — nothing wrong found, but the content of 770 of 770 files was \
             not checked against any published digest (--no-hash: structure only, as asked)"
        ),
        "{out}{err}"
    );
    assert!(out.contains("\ndigests: 0 match, 0 differ, 18 not checked (--no-hash), 752 not published in the manifest\n"), "{out}");

    let html = dir.path().join("r.html");
    let (code, out, err) = run(
        &[
            "report",
            "grok-1",
            "--dir",
            s(dir.path()),
            "--no-hash",
            "--format",
            "html",
            "-o",
            s(&html),
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{out}{err}");
    let page = std::fs::read_to_string(&html).expect("html");
    assert!(
        page.contains("<span class=\"pill partial\">STRUCTURE OK</span>"),
        "result pill"
    );
    assert!(
        !page.contains("class=\"pill verified\""),
        "no green mark without content verified"
    );
}

// 3. A file truncated while it is being hashed: FAILED, never "not
//    checked (--no-hash)". The progress callback runs on the reading
//    thread between chunks, so the truncation lands between two reads.
#[test]
fn case3_a_file_truncated_while_hashed_fails() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (rel, manifest_path) = pinned_blob(dir.path(), 64 << 20);
    let blob = rel.join("blob.bin");
    let manifest = Manifest::from_file(&manifest_path).expect("manifest");
    let located = weightcheck::verify::Located::at(&rel, &manifest).expect("located");
    let truncated = AtomicBool::new(false);
    let mut opts = weightcheck::verify::Options::default();
    opts.check_hashes = true;
    let report = weightcheck::verify::verify_with_progress(&manifest, &located, &opts, &|p| {
        if p.bytes_done > 0 && !truncated.swap(true, Ordering::SeqCst) {
            OpenOptions::new()
                .write(true)
                .open(&blob)
                .expect("open")
                .set_len(1 << 20)
                .expect("truncate");
        }
    })
    .expect("verify");
    assert!(truncated.load(Ordering::SeqCst), "truncated during the run");
    let mut text = Vec::new();
    weightcheck::printer::verify::text(&mut text, &manifest, &report, true).expect("print");
    let text = String::from_utf8(text).expect("utf-8");
    assert_eq!(
        (report.exit_code, result_line(&text)),
        (1, "result: FAILED — 1 problem found (above)"),
        "{text}"
    );
    assert_eq!(report.files[0].verdict.as_str(), "unreadable", "{text}");
    assert!(!text.contains("(--no-hash)"), "{text}");
}

/// A release of one sparse file of `size` bytes (not a tensor file, so
/// only its bytes are checked), pinned into a manifest beside it.
fn pinned_blob(dir: &Path, size: u64) -> (PathBuf, PathBuf) {
    let rel = dir.join("rel");
    std::fs::create_dir(&rel).expect("mkdir");
    let f = std::fs::File::create(rel.join("blob.bin")).expect("create");
    f.set_len(size).expect("size");
    let manifest = dir.join("m.toml");
    let (code, out, err) = run(&["manifest", "pin", s(&rel), "-o", s(&manifest)], dir);
    assert_eq!(code, 0, "{out}{err}");
    (rel, manifest)
}

// 4. The cache cannot vouch for changed bytes: a byte flipped in place with
//    the old mtime put back is read again and caught; seed re-hashes too.
#[test]
fn case4_a_flipped_byte_with_its_old_mtime_is_caught() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cache = dir.path().join("cache");
    let (rel, manifest) = small_release(dir.path());
    let victim = rel.join("ckpt-0/tensor00003_000");
    // Old enough that the cache records it (files changed in the last 2 s
    // are never cached).
    let old = SystemTime::now() - Duration::from_secs(3600);
    for entry in std::fs::read_dir(rel.join("ckpt-0")).expect("ls") {
        let f = std::fs::File::options()
            .write(true)
            .open(entry.expect("entry").path())
            .expect("open");
        f.set_modified(old).expect("mtime");
    }
    let args = ["verify", s(&rel), "--manifest", s(&manifest), "--quiet"];
    let (code, out, err) = common::run_bin(args, dir.path(), &cache);
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = common::run_bin(args, dir.path(), &cache);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("hashed 0 bytes"),
        "the second run is served by the cache: {out}"
    );

    let mut f = std::fs::File::options()
        .read(true)
        .write(true)
        .open(&victim)
        .expect("open");
    f.seek(SeekFrom::Start(400)).expect("seek");
    let mut byte = [0u8; 1];
    std::io::Read::read_exact(&mut f, &mut byte).expect("read");
    f.seek(SeekFrom::Start(400)).expect("seek");
    f.write_all(&[byte[0] ^ 0x40]).expect("flip");
    f.set_modified(old).expect("put the old mtime back");
    drop(f);

    let (code, out, err) = common::run_bin(args, dir.path(), &cache);
    assert_eq!(
        (code, result_line(&out)),
        (1, "result: FAILED — 1 problem found (above)"),
        "{out}{err}"
    );
    assert!(out.contains("ckpt-0/tensor00003_000"), "{out}");

    // A hand-edited cache is discarded, not believed.
    let cache_file = std::fs::read_dir(cache.join("weightcheck"))
        .expect("cache dir")
        .map(|e| e.expect("entry").path())
        .find(|p| p.extension().is_some_and(|e| e == "json"))
        .expect("cache file");
    let text = std::fs::read_to_string(&cache_file).expect("cache");
    std::fs::write(
        &cache_file,
        text.replacen("\"sha256\":\"", "\"sha256\":\"0", 1),
    )
    .expect("edit");
    let (code, out, err) = common::run_bin(args, dir.path(), &cache);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("the cache's checksum does not match its content (corrupt or edited); discarded, everything is read again"),
        "{out}"
    );
}

// 5. A shard index that maps a tensor to the wrong shard and names a shard
//    that does not exist fails verify, as it fails a loader.
#[test]
fn case5_an_inconsistent_shard_index_fails() {
    let dir = tempfile::tempdir().expect("tempdir");
    let st = dir.path().join("st");
    common::safetensors_fixture(&["mixtral", s(&st)]);
    let index = st.join("model.safetensors.index.json");
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&index).expect("index")).expect("json");
    let map = doc["weight_map"].as_object_mut().expect("weight_map");
    let first = map.keys().next().expect("entry").clone();
    let now = map[&first].as_str().expect("shard").to_string();
    let other = map
        .values()
        .filter_map(|v| v.as_str())
        .find(|v| *v != now)
        .expect("another shard")
        .to_string();
    map.insert(first.clone(), other.into());
    let last = map.keys().next_back().expect("entry").clone();
    map.insert(last, "model-00009-of-00009.safetensors".into());
    std::fs::write(&index, serde_json::to_string_pretty(&doc).expect("json")).expect("write");

    let (code, out, err) = pin_then_verify(&st, dir.path());
    assert_eq!(code, 1, "{out}{err}");
    assert!(result_line(&out).starts_with("result: FAILED — "), "{out}");
    assert!(out.contains(&first), "{out}");
    assert!(
        out.contains("shard model-00009-of-00009.safetensors named by the index does not exist"),
        "{out}"
    );
}

// 6. No [architecture] in the manifest: a file that does not decode is a
//    failure, not "0/1 structurally correct" and VERIFIED.
#[test]
fn case6_an_undecodable_file_fails_without_an_architecture() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rel = dir.path().join("rel");
    std::fs::create_dir(&rel).expect("mkdir");
    std::fs::write(
        rel.join("model.safetensors"),
        b"this is not a safetensors file at all",
    )
    .expect("write");
    let (code, out, err) = pin_then_verify(&rel, dir.path());
    assert_eq!(
        (code, result_line(&out)),
        (1, "result: FAILED — 1 problem found (above)"),
        "{out}{err}"
    );
    assert!(
        out.contains("model.safetensors  -       undecodable"),
        "{out}"
    );
}

// 7. Twelve stride-0 views of one 4-byte storage: aliasing is a failure;
//    totals that overflow say so instead of wrapping.
#[test]
fn case7_stride_zero_views_and_overflowing_totals() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rel = dir.path().join("rel");
    std::fs::create_dir(&rel).expect("mkdir");
    common::torch_fixture(&["stride0", s(&rel.join("model.pth"))]);
    let (code, out, err) = pin_then_verify(&rel, dir.path());
    assert_eq!(
        (code, result_line(&out)),
        (1, "result: FAILED — 1 problem found (above)"),
        "{out}{err}"
    );
    assert!(out.contains("layer0.weight: 10 elements of float32 need 40 bytes but its view covers 4 (stride 0 or an aliasing view): the weights are not all there"), "{out}");

    let huge = dir.path().join("huge.pth");
    common::torch_fixture(&["huge", s(&huge)]);
    let (_, out, err) = run(&["inspect", s(&huge)], dir.path());
    assert!(
        out.lines()
            .any(|l| l.starts_with("1 file, 4 tensors, overflow parameters")),
        "{out}{err}"
    );
}

// 8. A file that grows while it is hashed is FAILED ("changed while being
//    read"), never ok with the digest of its first N bytes.
#[test]
fn case8_a_file_that_grows_while_hashed_fails() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (rel, manifest) = pinned_blob(dir.path(), 1 << 30);
    let blob = rel.join("blob.bin");
    let stop = Arc::new(AtomicBool::new(false));
    let grower = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            // Starts once verify has stat'ed the file and is reading it,
            // then appends until it ends (bounded: 30 s).
            std::thread::sleep(Duration::from_millis(150));
            let mut f = OpenOptions::new().append(true).open(&blob).expect("open");
            for _ in 0..30_000 {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                f.write_all(&[0u8; 16]).expect("append");
                std::thread::sleep(Duration::from_millis(1));
            }
        })
    };
    let args = [
        "verify",
        s(&rel),
        "--manifest",
        s(&manifest),
        "--no-cache",
        "--quiet",
    ];
    let (code, out, err) = run(&args, dir.path());
    stop.store(true, Ordering::SeqCst);
    grower.join().expect("grower");
    assert_eq!(
        (code, result_line(&out)),
        (1, "result: FAILED — 1 problem found (above)"),
        "{out}{err}"
    );
    assert!(
        out.contains(
            "could not be hashed: changed while being read: 1073741824 bytes when the read began"
        ),
        "{out}"
    );
}
