//! Hostile and huge inputs, round two: each input that once crashed, hung,
//! blew up or spoofed weightcheck's output, generated here and run through
//! the binary with a time limit (a hang fails the test instead of stalling
//! the suite).

mod common;

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs the binary; fails the test if it has not ended within `limit`.
/// Output is collected by a thread, so a child writing more than a pipe
/// holds never blocks.
fn run_within(limit: Duration, args: &[&str], cwd: &Path) -> (i32, String, String) {
    let child = Command::new(env!("CARGO_BIN_EXE_weightcheck"))
        .args(args)
        .current_dir(cwd)
        .env("XDG_CACHE_HOME", cwd.join(".cache-for-test"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn weightcheck");
    let pid = child.id() as libc::pid_t;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let out = match rx.recv_timeout(limit) {
        Ok(out) => out.expect("output"),
        Err(_) => {
            // SAFETY: signalling our own child by its pid.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            panic!("weightcheck {args:?} did not end within {limit:?}");
        }
    };
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const LIMIT: Duration = Duration::from_secs(10);

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn mkfifo(path: &Path) {
    let c = CString::new(path.as_os_str().as_bytes()).expect("path");
    // SAFETY: a valid NUL-terminated path; mkfifo only creates a node.
    let rc = unsafe { libc::mkfifo(c.as_ptr(), 0o600) };
    assert_eq!(rc, 0, "mkfifo {}", path.display());
}

/// A multi-file .torrent with the given raw `files` list entries.
fn torrent(name: &str, files: &str, extra_root: &str) -> Vec<u8> {
    format!(
        "d{extra_root}4:infod5:filesl{files}e4:name{}:{name}12:piece lengthi16384e6:pieces20:{}ee",
        name.len(),
        "x".repeat(20)
    )
    .into_bytes()
}

fn file_entry(len: u64, components: &[&str]) -> String {
    let path: String = components
        .iter()
        .map(|c| format!("{}:{c}", c.len()))
        .collect();
    format!("d6:lengthi{len}e4:pathl{path}ee")
}

// 3. A 300-byte Mixtral config whose product of layers and experts is
//    absurd is refused before the tensor list is built.
#[test]
fn absurd_config_is_refused_before_allocating() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = r#"{"architectures": ["MixtralForCausalLM"], "model_type": "mixtral",
        "hidden_size": 64, "intermediate_size": 96, "num_hidden_layers": 4096,
        "num_attention_heads": 4, "num_key_value_heads": 2, "num_local_experts": 16777216,
        "num_experts_per_tok": 2, "vocab_size": 128}"#;
    std::fs::write(dir.path().join("config.json"), config).expect("write");
    let (code, out, err) = run_within(
        LIMIT,
        &["verify", ".", "--config", "config.json"],
        dir.path(),
    );
    assert_eq!(code, 2, "{out}{err}");
    assert_eq!(
        err,
        "weightcheck: error: implausible mixtral: 4096 layers of 16777216 experts imply \
         206158467072 tensors (limit 200000)\n"
    );
}

// 5. Quadratic torrent parsing: a path of 10,000 components, and 80,000
//    tracker URLs.
#[test]
fn deep_paths_and_many_trackers_parse_in_linear_time() {
    let dir = tempfile::tempdir().expect("tempdir");
    let deep: Vec<&str> = vec!["a"; 10_000];
    std::fs::write(
        dir.path().join("deep.torrent"),
        torrent("t", &file_entry(1, &deep), ""),
    )
    .expect("write");
    let (code, _, err) = run_within(LIMIT, &["torrent", "show", "deep.torrent"], dir.path());
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("'path' has 10000 components (limit 256)"),
        "{err}"
    );

    let tiers: String = (0..80_000)
        .map(|i| format!("l15:http://t{i:05}/ae"))
        .collect();
    let trackers = format!("13:announce-listl{tiers}e");
    let bytes = torrent("t", &file_entry(1, &["f"]), &trackers);
    std::fs::write(dir.path().join("trackers.torrent"), bytes).expect("write");
    let start = Instant::now();
    let (code, out, err) = run_within(LIMIT, &["torrent", "show", "trackers.torrent"], dir.path());
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out.lines().filter(|l| l.starts_with("tracker ")).count(),
        80_000
    );
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
}

// 6. A symlink DAG (two links per level to the next) under `hash DIR`.
#[test]
fn a_symlink_dag_is_refused_not_walked_exponentially() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("tree");
    let levels = 24;
    for l in 0..=levels {
        std::fs::create_dir_all(root.join(format!("l{l}"))).expect("mkdir");
    }
    std::fs::write(root.join(format!("l{levels}/leaf")), b"x").expect("write");
    for l in 0..levels {
        for k in ["a", "b"] {
            std::os::unix::fs::symlink(
                root.join(format!("l{}", l + 1)),
                root.join(format!("l{l}/{k}")),
            )
            .expect("symlink");
        }
    }
    let (code, out, err) = run_within(
        LIMIT,
        &["hash", s(&root.join("l0")), "--no-cache"],
        dir.path(),
    );
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("is reached twice through symlinks"), "{err}");
}

// 7. A FIFO wherever a file is read blocked forever in open(2).
#[test]
fn a_fifo_anywhere_is_refused_at_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let fifo = d.join("fifo");
    mkfifo(&fifo);
    std::fs::create_dir(d.join("rel")).expect("mkdir");
    std::fs::write(d.join("rel/config.json"), "{}").expect("write");
    for args in [
        vec!["verify", "rel", "--manifest", "fifo"],
        vec!["verify", "rel", "--config", "fifo"],
        vec![
            "verify",
            "rel",
            "--release",
            "grok-1",
            "--tokenizer",
            "fifo",
            "--no-hash",
        ],
        vec!["verify", "rel", "--release", "grok-1", "--torrent", "fifo"],
        vec!["torrent", "show", "fifo"],
        vec!["inspect", "fifo"],
    ] {
        let (code, out, err) = run_within(LIMIT, &args, d);
        assert_ne!(code, 0, "{args:?}: {out}{err}");
        assert!(
            err.contains("not a regular file (a FIFO)"),
            "{args:?}: {err}"
        );
    }
    // A shard that is a FIFO, named by a manifest.
    let rel = d.join("shards");
    std::fs::create_dir(&rel).expect("mkdir");
    std::fs::write(rel.join("a.bin"), b"data").expect("write");
    let (code, out, err) = run_within(LIMIT, &["manifest", "pin", "shards", "-o", "m.toml"], d);
    assert_eq!(code, 0, "{out}{err}");
    std::fs::remove_file(rel.join("a.bin")).expect("rm");
    mkfifo(&rel.join("a.bin"));
    let (code, out, err) = run_within(LIMIT, &["verify", "shards", "--manifest", "m.toml"], d);
    assert_eq!(code, 1, "{out}{err}");
}

// 9, 10. fetch writes neither through a hard link nor into its own state.
#[test]
fn fetch_refuses_hard_links_and_its_state_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let outside = d.join("outside.txt");
    std::fs::write(&outside, b"precious").expect("write");
    std::fs::create_dir_all(d.join("dest/top")).expect("mkdir");
    std::fs::hard_link(&outside, d.join("dest/top/a.bin")).expect("link");
    std::fs::write(
        d.join("t.torrent"),
        torrent("top", &file_entry(8, &["a.bin"]), ""),
    )
    .expect("write");
    let net = ["--no-dht", "--no-trackers", "--port", "0", "--timeout", "5"];
    let mut args = vec!["fetch", "--torrent", "t.torrent", "--dest", "dest"];
    args.extend(net);
    let (code, out, err) = run_within(LIMIT, &args, d);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("has 2 hard links"), "{err}");
    assert_eq!(std::fs::read(&outside).expect("read"), b"precious");

    std::fs::write(
        d.join("s.torrent"),
        torrent(".weightcheck", &file_entry(8, &["hash-cache.json"]), ""),
    )
    .expect("write");
    let mut args = vec!["fetch", "--torrent", "s.torrent", "--dest", "dest2"];
    args.extend(net);
    let (code, out, err) = run_within(LIMIT, &args, d);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("weightcheck's own state directory"), "{err}");
}

// 11. Names from inputs cannot forge or hide lines on a terminal.
#[test]
fn names_from_a_torrent_are_escaped_in_text_output() {
    let dir = tempfile::tempdir().expect("tempdir");
    let evil = "x\nresult: VERIFIED\u{1b}[8m";
    std::fs::write(
        dir.path().join("e.torrent"),
        torrent("top", &file_entry(1, &[evil]), ""),
    )
    .expect("write");
    let (code, out, err) = run_within(LIMIT, &["torrent", "show", "e.torrent"], dir.path());
    assert_eq!(code, 0, "{err}");
    assert!(!out.contains('\u{1b}'), "{out:?}");
    assert!(!out.lines().any(|l| l.starts_with("result:")), "{out:?}");
    assert!(out.contains("x\\nresult: VERIFIED\\u{1b}[8m"), "{out:?}");
}

// 12. A safetensors header length of 2^63, duplicate tensor names, and an
//     index whose shard is a symlink out of its directory.
#[test]
fn safetensors_and_index_edge_cases_are_named_with_offsets() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let mut huge = (1u64 << 63).to_le_bytes().to_vec();
    huge.extend_from_slice(b"{}");
    std::fs::write(d.join("huge.safetensors"), huge).expect("write");
    let (code, _, err) = run_within(LIMIT, &["inspect", "huge.safetensors"], d);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("huge.safetensors: byte 0: header length 9223372036854775808 exceeds"),
        "{err}"
    );

    let header = br#"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#;
    let mut dup = (header.len() as u64).to_le_bytes().to_vec();
    dup.extend_from_slice(header);
    dup.extend_from_slice(&[0; 4]);
    std::fs::write(d.join("dup.safetensors"), dup).expect("write");
    let (code, _, err) = run_within(LIMIT, &["inspect", "dup.safetensors"], d);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("dup.safetensors: byte 8: safetensors header: the name \"w\" appears twice"),
        "{err}"
    );

    let set = d.join("set");
    std::fs::create_dir(&set).expect("mkdir");
    let header = br#"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#;
    let mut one = (header.len() as u64).to_le_bytes().to_vec();
    one.extend_from_slice(header);
    one.extend_from_slice(&[0; 4]);
    std::fs::write(d.join("elsewhere.safetensors"), one).expect("write");
    std::os::unix::fs::symlink(
        d.join("elsewhere.safetensors"),
        set.join("model-00001-of-00001.safetensors"),
    )
    .expect("symlink");
    std::fs::write(
        set.join("model.safetensors.index.json"),
        r#"{"metadata": {"total_size": 4}, "weight_map": {"w": "model-00001-of-00001.safetensors"}}"#,
    )
    .expect("write");
    let (code, _, err) = run_within(LIMIT, &["inspect", "set/model.safetensors.index.json"], d);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("leads outside the index's directory"), "{err}");
}

// 12. v2 and hybrid torrents, written by libtorrent (Debian's
//     python3-libtorrent): `torrent show` lists them, says their v2 pieces
//     are not verified and gives both info-hashes as libtorrent computes
//     them; verifying commands refuse them.
#[test]
fn v2_and_hybrid_torrents_are_shown_not_verified() {
    let ok = Command::new("/usr/bin/python3")
        .args(["-c", "import libtorrent"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok,
        "python3-libtorrent is missing: run scripts/install-test-deps.sh"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::create_dir_all(d.join("content/sub")).expect("mkdir");
    let a: Vec<u8> = (0..40_000u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(d.join("content/a.bin"), a).expect("write");
    std::fs::write(d.join("content/sub/b.txt"), b"hi\n").expect("write");
    let script = r#"
import libtorrent as lt
for flags, out in [(0, "hybrid.torrent"), (lt.create_torrent.v2_only, "v2.torrent")]:
    fs = lt.file_storage()
    lt.add_files(fs, "content")
    t = lt.create_torrent(fs, 16384, flags=flags)
    t.set_creator("libtorrent")
    lt.set_piece_hashes(t, ".")
    open(out, "wb").write(lt.bencode(t.generate()))
    h = lt.torrent_info(out).info_hashes()
    print(out, h.v1, h.v2)
"#;
    let made = Command::new("/usr/bin/python3")
        .args(["-c", script])
        .current_dir(d)
        .output()
        .expect("python3");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let hashes = String::from_utf8_lossy(&made.stdout).into_owned();
    let libtorrent: Vec<Vec<&str>> = hashes.lines().map(|l| l.split(' ').collect()).collect();

    let (code, out, err) = run_within(LIMIT, &["torrent", "show", "hybrid.torrent"], d);
    assert_eq!((code, err.as_str()), (0, ""));
    let (v1, v2) = (libtorrent[0][1], libtorrent[0][2]);
    assert_eq!(
        out,
        format!(
            "name          content
version       hybrid v1+v2 (v2 piece layers are not verified by weightcheck; hash and verify refuse it)
info-hash     {v1}
info-hash v2  {v2}
piece length  16,384 (4 pieces)
total         40,003 bytes in 2 files, and 25,533 padding bytes in 2 padding files
created by    libtorrent
magnet        magnet:?xt=urn:btih:{v1}&xt=urn:btmh:1220{v2}&dn=content
files:
  40,000  a.bin
   9,152  .pad/9152  (padding)
       3  sub/b.txt
  16,381  .pad/16381  (padding)
"
        )
    );
    let (code, out, err) = run_within(LIMIT, &["torrent", "show", "v2.torrent"], d);
    assert_eq!((code, err.as_str()), (0, ""));
    let v2 = libtorrent[1][2];
    assert_eq!(
        out,
        format!(
            "name          content
version       BitTorrent v2 (per-file piece layers are not verified by weightcheck; hash and verify refuse it)
info-hash v2  {v2}
piece length  16,384
total         40,003 bytes in 2 files
created by    libtorrent
magnet        magnet:?xt=urn:btmh:1220{v2}&dn=content
files:
  40,000  a.bin
       3  sub/b.txt
"
        )
    );
    let (code, out, _) = run_within(LIMIT, &["torrent", "show", "--json", "v2.torrent"], d);
    assert_eq!(code, 0);
    let j: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(j["version"], "v2");
    assert_eq!(j["piece_count"], serde_json::Value::Null);
    assert_eq!(j["info_hash_v2"], v2);

    for t in ["hybrid", "v2"] {
        let torrent = format!("{t}.torrent");
        let (code, out, err) = run_within(LIMIT, &["hash", "--torrent", &torrent, "content"], d);
        assert_eq!((code, out.as_str()), (2, ""), "{err}");
        assert!(
            err.contains("torrent; v2 piece verification is not supported yet (`weightcheck torrent show` lists its files)"),
            "{err}"
        );
    }
}

// 1. A page-cached file truncated to 0 bytes while `hash` reads it through
//    a memory map: a clean FAILED, not "Bus error" (exit 135).
#[test]
fn a_file_truncated_under_the_memory_map_fails_cleanly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let set = dir.path().join("set");
    std::fs::create_dir(&set).expect("mkdir");
    let big = set.join("big");
    // Written, not sparse, so every page is in the page cache and the
    // engine reads it through a map.
    let block = vec![7u8; 1 << 20];
    let mut f = std::fs::File::create(&big).expect("create");
    for _ in 0..1536 {
        std::io::Write::write_all(&mut f, &block).expect("write");
    }
    drop(f);
    let child = Command::new(env!("CARGO_BIN_EXE_weightcheck"))
        .args(["hash", s(&set), "--no-cache"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    std::thread::sleep(Duration::from_millis(150));
    std::fs::File::options()
        .write(true)
        .open(&big)
        .expect("open")
        .set_len(0)
        .expect("truncate");
    let out = child.wait_with_output().expect("wait");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stdout.contains("ERROR"), "{stdout}");
    assert!(stdout.contains("changed while being read"), "{stdout}");
}

// 8. Hostile repository files: 100,000 magnet lines in a README, an 80 KB
//    run.py of backslash-quote runs, and a README over the size cap.
#[test]
fn hostile_repository_files_are_scanned_in_linear_time_and_capped() {
    let readme: String = (0..100_000)
        .map(|i| format!("magnet:?xt=urn:btih:{i:040}\n"))
        .collect();
    let start = Instant::now();
    let links = weightcheck::github::magnet_links::find_magnets(&readme);
    assert_eq!(links.len(), 100_000);
    assert_eq!(links[99_999].line, 100_000);
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );

    let run_py = "x = Config(a=\"\\\"\\\"".repeat(10_000);
    let start = Instant::now();
    let _ = weightcheck::formats::pyconfig::extract_config(&run_py, None);
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );

    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("README.md"), "x".repeat((1 << 20) + 1)).expect("write");
    let (code, out, err) = run_within(
        LIMIT,
        &["github", "--local", s(dir.path()), "--release", "grok-1"],
        dir.path(),
    );
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("README.md: 1048577 bytes, over the 1048576-byte limit"),
        "{err}"
    );
}

// 2. A small .pth whose data.pkl memoises one long key and reuses it in 60
//    nested dicts: names are bounded, the file is refused at the key.
#[test]
fn a_memoised_long_key_cannot_inflate_tensor_names() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pth = dir.path().join("memo.pth");
    common::torch_fixture(&["memo-names", s(&pth)]);
    let size = std::fs::metadata(&pth).expect("stat").len();
    assert!(size < 1 << 20, "a small file: {size} bytes");
    let (code, out, err) = run_within(LIMIT, &["inspect", s(&pth)], dir.path());
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("tensor names longer than 4096 bytes"), "{err}");
    assert!(out.len() < 1 << 20, "{} bytes printed", out.len());
}

// 13. Crying wolf is a wrong verdict too: arrays as numpy 1.x and 2.x
//     pickle them with protocols 2-5 are read, not refused.
#[test]
fn numpy_1_and_2_arrays_of_every_protocol_are_benign() {
    let dir = tempfile::tempdir().expect("tempdir");
    for python in [common::python(), common::python_numpy2()] {
        let out = Command::new(&python)
            .arg(common::repo().join("scripts/numpy_pickles.py"))
            .arg(dir.path())
            .output()
            .expect("run numpy_pickles.py");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let (code, out, err) = run_within(LIMIT, &["inspect", s(dir.path())], dir.path());
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        out,
        "\
index  file             kind                 shape             dtype     scales                         bytes
   10  tensor00010_000  ndarray              2x3               float32   -                                 94
   11  tensor00011_000  ndarray              2x3               float32   -                                 29
   12  tensor00012_000  ndarray              2x3               float32   -                                 29
   13  tensor00013_000  ndarray              2x3               float32   -                                 24
   14  tensor00014_000  ndarray              2x3               float32   -                                 24
   15  tensor00015_000  ndarray              2x3               float32   -                                 24
   20  tensor00020_000  ndarray              2x3               float32   -                                 94
   21  tensor00021_000  ndarray              2x3               float32   -                                 29
   22  tensor00022_000  ndarray              2x3               float32   -                                 29
   23  tensor00023_000  ndarray              2x3               float32   -                                 24
   24  tensor00024_000  ndarray              2x3               float32   -                                 24
   25  tensor00025_000  ndarray              2x3               float32   -                                 24

12 files, 12 tensors, 72 parameters, 2,664 bytes on disk
  float32                   448 bytes
"
    );
}

// 13. The malicious side of protocol 0 and of compression: a call by INST
//     (no PROTO, text opcodes) and a pickle inside gzip are refused with
//     the global they would call named, like any other pickle.
#[test]
fn protocol_0_and_gzip_pickles_name_the_global_they_would_call() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::write(d.join("inst.pkl"), b"(S'echo pwned'\nios\nsystem\n.").expect("write");
    let (code, out, err) = run_within(LIMIT, &["inspect", "inst.pkl"], d);
    assert_eq!(
        (code, out.lines().last()),
        (1, Some("1 file could not be decoded (see errors)"))
    );
    common::assert_output(
        &err,
        snapbox::str![[r#"
weightcheck: [ROOT]/inst.pkl: byte 15: unknown global os.system (refused, never resolved)

"#]],
        d,
    );
    let script = "import gzip, sys; sys.stdout.buffer.write(gzip.compress(b'\\x80\\x02cposix\\nsystem\\nX\\x02\\x00\\x00\\x00id\\x85R.'))";
    let gz = Command::new(common::python())
        .args(["-c", script])
        .output()
        .expect("python");
    assert!(
        gz.status.success(),
        "{}",
        String::from_utf8_lossy(&gz.stderr)
    );
    std::fs::write(d.join("model.pkl.gz"), gz.stdout).expect("write");
    let (code, _, err) = run_within(LIMIT, &["inspect", "model.pkl.gz"], d);
    assert_eq!(code, 1);
    common::assert_output(
        &err,
        snapbox::str![[r#"
weightcheck: [ROOT]/model.pkl.gz: byte 0: a gzip-compressed pickle; inside it, byte 2: unknown global posix.system (refused, never resolved); weightcheck decodes only uncompressed tensor files

"#]],
        d,
    );
    // In a directory, a compressed file is not a weight file: passed over.
    std::fs::remove_file(d.join("inst.pkl")).expect("rm");
    let (code, _, err) = run_within(LIMIT, &["inspect", "."], d);
    assert_eq!(
        (code, err.as_str()),
        (1, "weightcheck: no tensor files found\n")
    );
}
