//! weightcheck against torrents made by Debian's `mktorrent` (not by our
//! code): verification, bad-piece reports, identical info-hashes from
//! `torrent create`, magnet checks and hostile .torrent files.
//!
//! These tests need `mktorrent` (`scripts/install-test-deps.sh`) and fail,
//! not skip, without it.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::assert_output;
use snapbox::str;

const PIECE_LOG2: u32 = 15;
const PIECE: u64 = 1 << PIECE_LOG2;

fn weightcheck(cwd: &Path, args: &[&str]) -> (i32, String, String) {
    // Each test run gets a cache of its own; --no-cache is used where it matters.
    common::run_bin(args, cwd, &cwd.join(".cache"))
}

fn mktorrent(cwd: &Path, args: &[&str]) {
    common::require("mktorrent");
    let out = Command::new("mktorrent")
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "mktorrent is required for these tests and could not be run ({e}); \
             install it with scripts/install-test-deps.sh"
            )
        });
    assert!(
        out.status.success(),
        "mktorrent {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Deterministic incompressible bytes.
fn bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// `(path, size)` in mktorrent's (strcmp) order; no size is a piece multiple.
const FILES: &[(&str, usize)] = &[
    (".hidden", 5),
    ("a-c", 1000),
    ("a/b.bin", 100_001),
    ("a/empty", 0),
    ("ckpt-0/tensor00000_000", 70_000),
    ("ckpt-0/tensor00001_000", 65_539),
    ("tiny", 37),
];

struct Fixture {
    _dir: tempfile::TempDir,
    work: PathBuf,
    ds: PathBuf,
}

/// `work/release/...` plus `work/mk.torrent` made by mktorrent.
fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let work = dir.path().to_path_buf();
    let ds = work.join("release");
    for (i, (p, len)) in FILES.iter().enumerate() {
        let path = ds.join(p);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, bytes(i as u64 + 1, *len)).expect("write");
    }
    mktorrent(
        &work,
        &[
            "-d",
            "-l",
            &PIECE_LOG2.to_string(),
            "-o",
            "mk.torrent",
            "release",
        ],
    );
    Fixture {
        _dir: dir,
        work,
        ds,
    }
}

fn stream_offset(path: &str) -> u64 {
    FILES
        .iter()
        .take_while(|(p, _)| *p != path)
        .map(|(_, l)| *l as u64)
        .sum()
}

fn flip(path: &Path, offset: u64) {
    let mut data = std::fs::read(path).expect("read");
    data[offset as usize] ^= 0x01;
    std::fs::write(path, data).expect("write");
}

fn json(out: &str) -> serde_json::Value {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("bad JSON ({e}): {out}"))
}

#[test]
fn mktorrent_torrent_verifies_in_every_mode() {
    let fx = fixture();
    let modes = [
        (
            &[][..],
            str![[r#"
root [ROOT]/release
torrent release info-hash 348783449503791a09695fd455bfece223d4a963 (8 pieces of 32768 bytes)
ok       41fc05d5a03287db62822261b509ae0ba365571e2f2d9e291ada9f941f08e731  .hidden
ok       48f99f3f759645235634a20226e06736c895faf1c24bfd3a8b0032312b20dae6  a-c
ok       24220a5841ec8e4b239573d90db4a1a857b31f92173ad69be5cfaddd34a52368  a/b.bin
ok       e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  a/empty
ok       b290f4279bb69858fe537f2d1f578f7071c4672ddf9c26d3593acad2f96fa166  ckpt-0/tensor00000_000
ok       43d8cd93c9425347d96f51dc4da469452d6bf621815a9098f93bbbd8a3bde59f  ckpt-0/tensor00001_000
ok       19b2773fd3264462b0730af5bd60d4a37db5d3f75f0d95d715e79c4281d1bb19  tiny
summary: 7 files (236.58 kB), 7 ok; pieces 8/8 ok, 0 failed; read 236.58 kB in [..] s ([..] GB/s), 0 B from cache
result: VERIFIED — all 8 pieces matched the torrent

"#]],
        ),
        (
            &["--pieces-only"][..],
            str![[r#"
root [ROOT]/release
torrent release info-hash 348783449503791a09695fd455bfece223d4a963 (8 pieces of 32768 bytes)
ok        .hidden
ok        a-c
ok        a/b.bin
ok        a/empty
ok        ckpt-0/tensor00000_000
ok        ckpt-0/tensor00001_000
ok        tiny
summary: 7 files (236.58 kB), 7 ok; pieces 8/8 ok, 0 failed; read 236.58 kB in [..] s ([..] GB/s), 0 B from cache
result: VERIFIED — all 8 pieces matched the torrent

"#]],
        ),
        (
            &["--git"][..],
            str![[r#"
root [ROOT]/release
torrent release info-hash 348783449503791a09695fd455bfece223d4a963 (8 pieces of 32768 bytes)
ok       41fc05d5a03287db62822261b509ae0ba365571e2f2d9e291ada9f941f08e731  .hidden
ok       48f99f3f759645235634a20226e06736c895faf1c24bfd3a8b0032312b20dae6  a-c
ok       24220a5841ec8e4b239573d90db4a1a857b31f92173ad69be5cfaddd34a52368  a/b.bin
ok       e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  a/empty
ok       b290f4279bb69858fe537f2d1f578f7071c4672ddf9c26d3593acad2f96fa166  ckpt-0/tensor00000_000
ok       43d8cd93c9425347d96f51dc4da469452d6bf621815a9098f93bbbd8a3bde59f  ckpt-0/tensor00001_000
ok       19b2773fd3264462b0730af5bd60d4a37db5d3f75f0d95d715e79c4281d1bb19  tiny
summary: 7 files (236.58 kB), 7 ok; pieces 8/8 ok, 0 failed; read 236.58 kB in [..] s ([..] GB/s), 0 B from cache
result: VERIFIED — all 8 pieces matched the torrent

"#]],
        ),
    ];
    for (extra, want) in modes {
        let mut args = vec!["hash", "release", "--torrent", "mk.torrent", "--no-cache"];
        args.extend_from_slice(extra);
        let (code, out, err) = weightcheck(&fx.work, &args);
        assert_eq!(code, 0, "{args:?}\n{out}\n{err}");
        let total: u64 = FILES.iter().map(|f| f.1 as u64).sum();
        let pieces = total.div_ceil(PIECE);
        assert!(
            out.contains(&format!("pieces {pieces}/{pieces} ok, 0 failed")),
            "{out}"
        );
        assert_output(&out, want, &fx.work);
        assert_output(&err, str![], &fx.work);
    }
    // The parent directory is accepted too (like libtorrent's save path).
    let (code, out, err) = weightcheck(
        &fx.work,
        &["hash", ".", "--torrent", "mk.torrent", "--no-cache"],
    );
    assert_eq!(code, 0, "{out}");
    assert_output(
        &out,
        str![[r#"
root [ROOT]/release
torrent release info-hash 348783449503791a09695fd455bfece223d4a963 (8 pieces of 32768 bytes)
ok       41fc05d5a03287db62822261b509ae0ba365571e2f2d9e291ada9f941f08e731  .hidden
ok       48f99f3f759645235634a20226e06736c895faf1c24bfd3a8b0032312b20dae6  a-c
ok       24220a5841ec8e4b239573d90db4a1a857b31f92173ad69be5cfaddd34a52368  a/b.bin
ok       e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  a/empty
ok       b290f4279bb69858fe537f2d1f578f7071c4672ddf9c26d3593acad2f96fa166  ckpt-0/tensor00000_000
ok       43d8cd93c9425347d96f51dc4da469452d6bf621815a9098f93bbbd8a3bde59f  ckpt-0/tensor00001_000
ok       19b2773fd3264462b0730af5bd60d4a37db5d3f75f0d95d715e79c4281d1bb19  tiny
summary: 7 files (236.58 kB), 7 ok; pieces 8/8 ok, 0 failed; read 236.58 kB in [..] s ([..] GB/s), 0 B from cache
result: VERIFIED — all 8 pieces matched the torrent

"#]],
        &fx.work,
    );
    assert_output(&err, str![], &fx.work);
}

#[test]
fn flipped_byte_names_piece_file_and_range() {
    let fx = fixture();
    let file = "ckpt-0/tensor00000_000";
    let off = 50_000;
    flip(&fx.ds.join(file), off);
    let global = stream_offset(file) + off;
    let piece = global / PIECE;
    for mode in ["--pieces-only", "--git"] {
        let (code, out, err) = weightcheck(
            &fx.work,
            &[
                "hash",
                "release",
                "--torrent",
                "mk.torrent",
                "--no-cache",
                "--json",
                mode,
            ],
        );
        assert_eq!(code, 1, "{out}{err}");
        let j = json(&out);
        let failed = j["report"]["pieces"]["failed"].as_array().expect("failed");
        assert_eq!(failed.len(), 1, "{out}");
        assert_eq!(failed[0]["count"], 1, "{out}");
        let f = &failed[0];
        assert_eq!(f["index"], piece);
        assert_eq!(f["reason"], "mismatch");
        let spans = f["spans"].as_array().expect("spans");
        let hit = spans
            .iter()
            .find(|s| s["path"] == file)
            .expect("the flipped file is named");
        let (so, sl) = (
            hit["offset"].as_u64().expect("offset"),
            hit["length"].as_u64().expect("length"),
        );
        assert!(
            so <= off && off < so + sl,
            "range {so}+{sl} holds byte {off}"
        );
        assert_eq!(so, (piece * PIECE).saturating_sub(stream_offset(file)));
        let files = j["report"]["files"].as_array().expect("files");
        let rec = files.iter().find(|x| x["path"] == file).expect("file");
        assert_eq!(
            rec["failed_pieces"],
            serde_json::json!([{"start": piece, "end": piece + 1}])
        );
    }
    let (_, out, err) = weightcheck(
        &fx.work,
        &["hash", "release", "--torrent", "mk.torrent", "--no-cache"],
    );
    assert_output(
        &out,
        str![[r#"
root [ROOT]/release
torrent release info-hash 348783449503791a09695fd455bfece223d4a963 (8 pieces of 32768 bytes)
ok       41fc05d5a03287db62822261b509ae0ba365571e2f2d9e291ada9f941f08e731  .hidden
ok       48f99f3f759645235634a20226e06736c895faf1c24bfd3a8b0032312b20dae6  a-c
ok       24220a5841ec8e4b239573d90db4a1a857b31f92173ad69be5cfaddd34a52368  a/b.bin
ok       e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  a/empty
BAD      4512a3e01d55d8486f121d3115110015f25a630a0ba6f84519c8ddab514ee00a  ckpt-0/tensor00000_000  (pieces 4 failed)
ok       43d8cd93c9425347d96f51dc4da469452d6bf621815a9098f93bbbd8a3bde59f  ckpt-0/tensor00001_000
ok       19b2773fd3264462b0730af5bd60d4a37db5d3f75f0d95d715e79c4281d1bb19  tiny
bad piece 4 (mismatch) covers:
    ckpt-0/tensor00000_000 bytes 30066..62834 (32768 bytes)
summary: 7 files (236.58 kB), 6 ok, 1 with problems; pieces 7/8 ok, 1 failed; read 236.58 kB in [..] s ([..] GB/s), 0 B from cache
result: FAILED — 1 bad piece, 1 file with problems

"#]],
        &fx.work,
    );
    assert_output(&err, str![], &fx.work);
    assert!(
        out.contains("BAD      ") && out.contains(&format!("{file}  (pieces {piece} failed)")),
        "{out}"
    );
    assert!(
        out.contains(&format!("bad piece {piece} (mismatch) covers:")),
        "{out}"
    );
}

#[test]
fn corrupt_straddling_piece_names_both_files() {
    let fx = fixture();
    // The piece holding the boundary between a/b.bin and ckpt-0/tensor00000_000.
    let boundary = stream_offset("ckpt-0/tensor00000_000");
    let piece = boundary / PIECE;
    assert_ne!(boundary % PIECE, 0, "fixture must straddle");
    flip(&fx.ds.join("ckpt-0/tensor00000_000"), 3);
    let (code, out, _) = weightcheck(
        &fx.work,
        &[
            "hash",
            "release",
            "--torrent",
            "mk.torrent",
            "--no-cache",
            "--json",
        ],
    );
    assert_eq!(code, 1);
    let j = json(&out);
    let f = &j["report"]["pieces"]["failed"][0];
    assert_eq!(f["index"], piece);
    let spans = f["spans"].as_array().expect("spans");
    let names: Vec<&str> = spans.iter().filter_map(|s| s["path"].as_str()).collect();
    // a/empty lies between them but holds no bytes, so it is not a span.
    assert_eq!(names, vec!["a/b.bin", "ckpt-0/tensor00000_000"]);
    assert_eq!(spans[0]["offset"], piece * PIECE - stream_offset("a/b.bin"));
    assert_eq!(spans[0]["length"], boundary - piece * PIECE);
    assert_eq!(spans[1]["offset"], 0);
    // The text report lists both ranges too.
    let (_, text, err) = weightcheck(
        &fx.work,
        &["hash", "release", "--torrent", "mk.torrent", "--no-cache"],
    );
    assert_output(
        &text,
        str![[r#"
root [ROOT]/release
torrent release info-hash 348783449503791a09695fd455bfece223d4a963 (8 pieces of 32768 bytes)
ok       41fc05d5a03287db62822261b509ae0ba365571e2f2d9e291ada9f941f08e731  .hidden
ok       48f99f3f759645235634a20226e06736c895faf1c24bfd3a8b0032312b20dae6  a-c
BAD      24220a5841ec8e4b239573d90db4a1a857b31f92173ad69be5cfaddd34a52368  a/b.bin  (pieces 3 failed)
ok       e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  a/empty
BAD      1a2b140327dd3eeeb86ea582177b932495af745d712e48bae276173f1f20d842  ckpt-0/tensor00000_000  (pieces 3 failed)
ok       43d8cd93c9425347d96f51dc4da469452d6bf621815a9098f93bbbd8a3bde59f  ckpt-0/tensor00001_000
ok       19b2773fd3264462b0730af5bd60d4a37db5d3f75f0d95d715e79c4281d1bb19  tiny
bad piece 3 (mismatch) covers:
    a/b.bin bytes 97299..100001 (2702 bytes)
    ckpt-0/tensor00000_000 bytes 0..30066 (30066 bytes)
summary: 7 files (236.58 kB), 5 ok, 2 with problems; pieces 7/8 ok, 1 failed; read 236.58 kB in [..] s ([..] GB/s), 0 B from cache
result: FAILED — 1 bad piece, 2 files with problems

"#]],
        &fx.work,
    );
    assert_output(&err, str![], &fx.work);
    assert!(
        text.contains(&format!(
            "bad piece {piece} (mismatch) covers:\n    a/b.bin bytes "
        )),
        "{text}"
    );
    assert!(
        text.contains("\n    ckpt-0/tensor00000_000 bytes 0.."),
        "{text}"
    );
}

fn info_hash(work: &Path, torrent: &str) -> String {
    let (code, out, err) = weightcheck(work, &["torrent", "show", "--json", torrent]);
    assert_eq!(code, 0, "{err}");
    json(&out)["info_hash"]
        .as_str()
        .expect("info_hash")
        .to_string()
}

#[test]
fn torrent_create_matches_mktorrent_info_hash() {
    let fx = fixture();
    // Names that sort differently by path component than by strcmp, a symlink.
    std::fs::write(fx.ds.join("a+"), b"plus").expect("write");
    std::fs::create_dir_all(fx.ds.join("zdir/deeper")).expect("mkdir");
    std::fs::write(fx.ds.join("zdir/deeper/x"), bytes(99, 40_000)).expect("write");
    std::os::unix::fs::symlink("tiny", fx.ds.join("tiny-link")).expect("symlink");
    for log2 in [15u32, 16, 18] {
        let mk = format!("mk{log2}.torrent");
        let ours = format!("ours{log2}.torrent");
        mktorrent(
            &fx.work,
            &[
                "-d",
                "-l",
                &log2.to_string(),
                "-n",
                "named",
                "-o",
                &mk,
                "release",
            ],
        );
        let (code, out, err) = weightcheck(
            &fx.work,
            &[
                "torrent",
                "create",
                "release",
                "--name",
                "named",
                "--piece-length",
                &log2.to_string(),
                "-o",
                &ours,
            ],
        );
        assert_eq!(code, 0, "{out}{err}");
        let want = info_hash(&fx.work, &mk);
        assert_eq!(info_hash(&fx.work, &ours), want, "piece length 2^{log2}");
        assert!(out.contains(&format!("info-hash {want}")), "{out}");
    }
    // Single file.
    mktorrent(
        &fx.work,
        &[
            "-d",
            "-l",
            "15",
            "-o",
            "single-mk.torrent",
            "release/a/b.bin",
        ],
    );
    let (code, _, err) = weightcheck(
        &fx.work,
        &[
            "torrent",
            "create",
            "release/a/b.bin",
            "-l",
            "32K",
            "-o",
            "single-ours.torrent",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        info_hash(&fx.work, "single-ours.torrent"),
        info_hash(&fx.work, "single-mk.torrent")
    );
    let (code, out, _) = weightcheck(
        &fx.work,
        &[
            "hash",
            "release/a/b.bin",
            "--torrent",
            "single-mk.torrent",
            "--no-cache",
        ],
    );
    assert_eq!(code, 0, "{out}");
}

#[test]
fn magnet_mismatch_is_refused_and_match_accepted() {
    let fx = fixture();
    let ih = info_hash(&fx.work, "mk.torrent");
    let good = format!("magnet:?xt=urn:btih:{}&dn=release", ih.to_uppercase());
    let (code, out, err) = weightcheck(
        &fx.work,
        &[
            "hash",
            "release",
            "--torrent",
            "mk.torrent",
            "--magnet",
            &good,
            "--no-cache",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    let mut other = ih.into_bytes();
    other[0] = if other[0] == b'0' { b'1' } else { b'0' };
    let bad = format!(
        "magnet:?xt=urn:btih:{}",
        String::from_utf8(other).expect("ascii")
    );
    let (code, out, err) = weightcheck(
        &fx.work,
        &[
            "hash",
            "release",
            "--torrent",
            "mk.torrent",
            "--magnet",
            &bad,
            "--no-cache",
        ],
    );
    assert_eq!(code, 1, "{out}{err}");
    // Nothing hashed: no output but the refusal.
    assert_output(&out, str![], &fx.work);
    assert_output(
        &err,
        str![[r#"
weightcheck: error: refusing [ROOT]/mk.torrent: its info-hash 348783449503791a09695fd455bfece223d4a963 is not the magnet link's 048783449503791a09695fd455bfece223d4a963

"#]],
        &fx.work,
    );
}

/// A multi-file torrent with one file entry whose raw bencoded `path` list
/// and `length` are given.
fn hostile(path_list: &str, length: &str) -> Vec<u8> {
    format!(
        "d4:infod5:filesld6:length{length}4:path{path_list}ee4:name4:evil12:piece lengthi32768e6:pieces20:{}ee",
        "x".repeat(20)
    )
    .into_bytes()
}

#[test]
fn hostile_torrents_are_refused_with_clear_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let work = dir.path();
    std::fs::create_dir_all(work.join("evil")).expect("mkdir");
    let deep = format!("d4:info{}{}e", "l".repeat(5000), "e".repeat(5000)).into_bytes();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "dotdot",
            hostile("l2:..6:passwde", "i5e"),
            "unsafe path component \"..\"",
        ),
        (
            "absolute",
            hostile("l11:/etc/passwde", "i5e"),
            "unsafe path component \"/etc/passwd\": contains a path separator",
        ),
        (
            "empty",
            hostile("l0:e", "i5e"),
            "unsafe path component \"\": empty",
        ),
        (
            "huge",
            hostile("l1:ae", "i9223372036854775807e"),
            "need 281474976710656 piece hashes",
        ),
        (
            "overflow",
            hostile("l1:ae", "i99999999999999999999e"),
            "integer out of the 64-bit range",
        ),
        ("negative", hostile("l1:ae", "i-5e"), "'length' is negative"),
        ("deep", deep, "nesting deeper than 64 levels"),
    ];
    for (name, bytes, want) in cases {
        let file = format!("{name}.torrent");
        std::fs::write(work.join(&file), &bytes).expect("write");
        let (code, out, err) = weightcheck(work, &["torrent", "show", &file]);
        assert_eq!(code, 2, "{name}: {out}");
        assert!(err.contains(want), "{name}: {err}");
        assert!(
            err.contains(&file) && err.contains("byte "),
            "{name} names file and offset: {err}"
        );
        let (code, _, err) = weightcheck(work, &["hash", ".", "--torrent", &file]);
        assert_eq!(code, 2, "{name}");
        assert!(err.contains(want), "{name}: {err}");
    }
    assert!(!work.join("passwd").exists() && !work.join("etc").exists());
}

#[test]
fn torrent_verify_checks_pieces_like_hash_pieces_only() {
    let fx = fixture();
    // From the directory holding the copy, as imdl's `torrent verify` is
    // used: DIR defaults to `.`, where the torrent's name is found.
    let (code, out, err) = weightcheck(&fx.work, &["torrent", "verify", "mk.torrent"]);
    assert_eq!((code, err.as_str()), (0, ""), "{out}");
    let (code, same, _) = weightcheck(
        &fx.work,
        &["hash", ".", "--torrent", "mk.torrent", "--pieces-only"],
    );
    assert_eq!(code, 0);
    let untimed = |s: &str| {
        s.lines()
            .filter(|l| !l.starts_with("summary:"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(untimed(&out), untimed(&same));
    assert!(out.contains("pieces 8/8 ok, 0 failed"), "{out}");

    let file = "ckpt-0/tensor00001_000";
    flip(&fx.ds.join(file), 10);
    let piece = (stream_offset(file) + 10) / PIECE;
    let (code, out, _) = weightcheck(
        &fx.work,
        &[
            "torrent",
            "verify",
            "mk.torrent",
            "release",
            "--json",
            "--magnet",
            "magnet:?xt=urn:btih:348783449503791a09695fd455bfece223d4a963",
        ],
    );
    assert_eq!(code, 1, "{out}");
    let j = json(&out);
    assert_eq!(j["report"]["pieces"]["failed"][0]["index"], piece);
}
