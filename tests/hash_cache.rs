//! The verification cache through the CLI: a second run over an unchanged
//! tree reads nothing, a changed mtime re-hashes that file, `--full` and
//! `--no-cache` bypass it.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, SystemTime};

use snapbox::{str, IntoData};

/// Runs `weightcheck ARGS --json`; returns the exit code, the parsed JSON
/// and the whole stdout and stderr, for [`assert_run`].
fn weightcheck(
    cwd: &Path,
    cache: &Path,
    args: &[&str],
) -> (i32, serde_json::Value, (String, String)) {
    let (code, out, err) = common::run_bin(args.iter().chain(&["--json"]), cwd, cache);
    let j = serde_json::from_str(&out).unwrap_or_else(|e| panic!("bad JSON ({e}): {out}\n{err}"));
    (code, j, (out, err))
}

/// Whole stdout and stderr of a run, the test's directory as `[ROOT]`, its
/// cache directory as `[CACHE]`; the snapshots write the hashing time and
/// the cache file's name (a digest of the temporary root) as `[..]`.
#[track_caller]
fn assert_run(
    (out, err): &(String, String),
    want_out: impl IntoData,
    want_err: impl IntoData,
    dir: &Path,
    cache: &Path,
) {
    let cache = cache.display().to_string();
    common::assert_redacted(out, want_out, dir, &[("[CACHE]", &cache)]);
    common::assert_redacted(err, want_err, dir, &[("[CACHE]", &cache)]);
}

fn age(path: &Path, secs: u64) {
    let f = std::fs::File::options()
        .write(true)
        .open(path)
        .expect("open");
    f.set_modified(SystemTime::now() - Duration::from_secs(secs))
        .expect("set mtime");
}

fn hashed(j: &serde_json::Value) -> u64 {
    j["report"]["bytes_hashed"].as_u64().expect("bytes_hashed")
}

#[test]
fn second_run_hashes_nothing_and_mtime_change_rehashes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cache = tempfile::tempdir().expect("tempdir");
    let ds = dir.path().join("ds");
    std::fs::create_dir_all(ds.join("sub")).expect("mkdir");
    let files = [("a", 300_000usize), ("sub/b", 123_457), ("c", 0)];
    for (p, len) in files {
        std::fs::write(ds.join(p), vec![7u8; len]).expect("write");
        age(&ds.join(p), 3600);
    }
    // A cache of its own, so that what the first hash run reads is not
    // decided by whether creating the torrent recorded anything.
    let create_cache = tempfile::tempdir().expect("tempdir");
    let (code, out, err) = common::run_bin(
        ["torrent", "create", "ds", "-l", "15", "-o", "ds.torrent"],
        dir.path(),
        create_cache.path(),
    );
    assert_eq!(code, 0, "{out}{err}");
    // The torrent file itself is outside ds.
    let args = ["hash", "ds", "--torrent", "ds.torrent"];
    let (code, j1, run1) = weightcheck(dir.path(), cache.path(), &args);
    assert_run(
        &run1,
        str![[r#"
{
  "root": "[ROOT]/ds",
  "ok": true,
  "torrent": {
    "name": "ds",
    "info_hash": "22f05eeb3ba2c843015c10fd6c3c98304cbe4623",
    "piece_length": 32768,
    "pieces": 13
  },
  "magnet": null,
  "verdicts": [
    {
      "path": "a",
      "verdict": "ok"
    },
    {
      "path": "c",
      "verdict": "ok"
    },
    {
      "path": "sub/b",
      "verdict": "ok"
    }
  ],
  "report": {
    "files": [
      {
        "path": "a",
        "expected_size": 300000,
        "actual_size": 300000,
        "status": "ok",
        "error": null,
        "sha256": "08f166476de183f7a1b2874d544d37912aaf8d19b92013e1aafe233ba231024a",
        "git_blob_sha1": null,
        "from_cache": false,
        "failed_pieces": [],
        "unchecked": false
      },
      {
        "path": "c",
        "expected_size": 0,
        "actual_size": 0,
        "status": "ok",
        "error": null,
        "sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "git_blob_sha1": null,
        "from_cache": false,
        "failed_pieces": [],
        "unchecked": false
      },
      {
        "path": "sub/b",
        "expected_size": 123457,
        "actual_size": 123457,
        "status": "ok",
        "error": null,
        "sha256": "a56e00f21cf384cc72a009bafc4903294f6d9609b76fb11d5b5016b41fbab543",
        "git_blob_sha1": null,
        "from_cache": false,
        "failed_pieces": [],
        "unchecked": false
      }
    ],
    "pieces": {
      "piece_length": 32768,
      "count": 13,
      "passed": 13,
      "from_cache": 0,
      "failed": [],
      "failed_count": 0,
      "not_checked": 0
    },
    "bytes_hashed": 423457,
    "bytes_cached": 0,
    "seconds": [..],
    "cache_file": "[CACHE]/weightcheck/hash-[..].json",
    "cache_warning": null,
    "interrupted": false
  }
}

"#]],
        str![],
        dir.path(),
        cache.path(),
    );
    assert_eq!(code, 0, "{j1}");
    assert_eq!(hashed(&j1), 423_457);
    let cache_file = j1["report"]["cache_file"]
        .as_str()
        .expect("cache file")
        .to_string();
    assert!(cache_file.starts_with(cache.path().to_str().expect("utf8")));

    let (code, j2, run2) = weightcheck(dir.path(), cache.path(), &args);
    assert_run(
        &run2,
        str![[r#"
{
  "root": "[ROOT]/ds",
  "ok": true,
  "torrent": {
    "name": "ds",
    "info_hash": "22f05eeb3ba2c843015c10fd6c3c98304cbe4623",
    "piece_length": 32768,
    "pieces": 13
  },
  "magnet": null,
  "verdicts": [
    {
      "path": "a",
      "verdict": "ok"
    },
    {
      "path": "c",
      "verdict": "ok"
    },
    {
      "path": "sub/b",
      "verdict": "ok"
    }
  ],
  "report": {
    "files": [
      {
        "path": "a",
        "expected_size": 300000,
        "actual_size": 300000,
        "status": "ok",
        "error": null,
        "sha256": "08f166476de183f7a1b2874d544d37912aaf8d19b92013e1aafe233ba231024a",
        "git_blob_sha1": null,
        "from_cache": true,
        "failed_pieces": [],
        "unchecked": false
      },
      {
        "path": "c",
        "expected_size": 0,
        "actual_size": 0,
        "status": "ok",
        "error": null,
        "sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "git_blob_sha1": null,
        "from_cache": true,
        "failed_pieces": [],
        "unchecked": false
      },
      {
        "path": "sub/b",
        "expected_size": 123457,
        "actual_size": 123457,
        "status": "ok",
        "error": null,
        "sha256": "a56e00f21cf384cc72a009bafc4903294f6d9609b76fb11d5b5016b41fbab543",
        "git_blob_sha1": null,
        "from_cache": true,
        "failed_pieces": [],
        "unchecked": false
      }
    ],
    "pieces": {
      "piece_length": 32768,
      "count": 13,
      "passed": 13,
      "from_cache": 13,
      "failed": [],
      "failed_count": 0,
      "not_checked": 0
    },
    "bytes_hashed": 0,
    "bytes_cached": 423457,
    "seconds": [..],
    "cache_file": "[CACHE]/weightcheck/hash-[..].json",
    "cache_warning": null,
    "interrupted": false
  }
}

"#]],
        str![],
        dir.path(),
        cache.path(),
    );
    assert_eq!(code, 0);
    assert_eq!(hashed(&j2), 0, "unchanged tree: nothing read");
    assert_eq!(
        j2["report"]["pieces"]["from_cache"],
        j2["report"]["pieces"]["count"]
    );
    assert_eq!(j2["report"]["files"][0]["from_cache"], true);
    assert_eq!(
        j2["report"]["files"][0]["sha256"],
        j1["report"]["files"][0]["sha256"]
    );

    // New mtime, same content: sub/b is read again (and the pieces it shares).
    age(&ds.join("sub/b"), 1800);
    let (code, j3, run3) = weightcheck(dir.path(), cache.path(), &args);
    assert_run(
        &run3,
        str![[r#"
{
  "root": "[ROOT]/ds",
  "ok": true,
  "torrent": {
    "name": "ds",
    "info_hash": "22f05eeb3ba2c843015c10fd6c3c98304cbe4623",
    "piece_length": 32768,
    "pieces": 13
  },
  "magnet": null,
  "verdicts": [
    {
      "path": "a",
      "verdict": "ok"
    },
    {
      "path": "c",
      "verdict": "ok"
    },
    {
      "path": "sub/b",
      "verdict": "ok"
    }
  ],
  "report": {
    "files": [
      {
        "path": "a",
        "expected_size": 300000,
        "actual_size": 300000,
        "status": "ok",
        "error": null,
        "sha256": "08f166476de183f7a1b2874d544d37912aaf8d19b92013e1aafe233ba231024a",
        "git_blob_sha1": null,
        "from_cache": true,
        "failed_pieces": [],
        "unchecked": false
      },
      {
        "path": "c",
        "expected_size": 0,
        "actual_size": 0,
        "status": "ok",
        "error": null,
        "sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "git_blob_sha1": null,
        "from_cache": true,
        "failed_pieces": [],
        "unchecked": false
      },
      {
        "path": "sub/b",
        "expected_size": 123457,
        "actual_size": 123457,
        "status": "ok",
        "error": null,
        "sha256": "a56e00f21cf384cc72a009bafc4903294f6d9609b76fb11d5b5016b41fbab543",
        "git_blob_sha1": null,
        "from_cache": false,
        "failed_pieces": [],
        "unchecked": false
      }
    ],
    "pieces": {
      "piece_length": 32768,
      "count": 13,
      "passed": 13,
      "from_cache": 9,
      "failed": [],
      "failed_count": 0,
      "not_checked": 0
    },
    "bytes_hashed": 128545,
    "bytes_cached": 300000,
    "seconds": [..],
    "cache_file": "[CACHE]/weightcheck/hash-[..].json",
    "cache_warning": null,
    "interrupted": false
  }
}

"#]],
        str![],
        dir.path(),
        cache.path(),
    );
    assert_eq!(code, 0);
    let h3 = hashed(&j3);
    assert!((123_457..123_457 + 32_768).contains(&h3), "{h3}");

    // Same size, same mtime, different content through a new inode.
    let tmp = ds.join("sub/b.new");
    std::fs::write(&tmp, vec![8u8; 123_457]).expect("write");
    age(&tmp, 1800);
    std::fs::rename(&tmp, ds.join("sub/b")).expect("rename");
    let (code, j4, run4) = weightcheck(dir.path(), cache.path(), &args);
    assert_run(
        &run4,
        str![[r#"
{
  "root": "[ROOT]/ds",
  "ok": false,
  "torrent": {
    "name": "ds",
    "info_hash": "22f05eeb3ba2c843015c10fd6c3c98304cbe4623",
    "piece_length": 32768,
    "pieces": 13
  },
  "magnet": null,
  "verdicts": [
    {
      "path": "a",
      "verdict": "hash_mismatch"
    },
    {
      "path": "c",
      "verdict": "ok"
    },
    {
      "path": "sub/b",
      "verdict": "hash_mismatch"
    }
  ],
  "report": {
    "files": [
      {
        "path": "a",
        "expected_size": 300000,
        "actual_size": 300000,
        "status": "ok",
        "error": null,
        "sha256": "08f166476de183f7a1b2874d544d37912aaf8d19b92013e1aafe233ba231024a",
        "git_blob_sha1": null,
        "from_cache": true,
        "failed_pieces": [
          {
            "start": 9,
            "end": 10
          }
        ],
        "unchecked": false
      },
      {
        "path": "c",
        "expected_size": 0,
        "actual_size": 0,
        "status": "ok",
        "error": null,
        "sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "git_blob_sha1": null,
        "from_cache": true,
        "failed_pieces": [],
        "unchecked": false
      },
      {
        "path": "sub/b",
        "expected_size": 123457,
        "actual_size": 123457,
        "status": "ok",
        "error": null,
        "sha256": "eb944a71ce028a0e724f9a8aeda4a4c478e73f490dd6a0d169b10cccdc6be138",
        "git_blob_sha1": null,
        "from_cache": false,
        "failed_pieces": [
          {
            "start": 9,
            "end": 13
          }
        ],
        "unchecked": false
      }
    ],
    "pieces": {
      "piece_length": 32768,
      "count": 13,
      "passed": 9,
      "from_cache": 9,
      "failed": [
        {
          "index": 9,
          "count": 4,
          "reason": "mismatch",
          "detail": null,
          "stream_offset": 294912,
          "spans": [
            {
              "path": "a",
              "offset": 294912,
              "length": 5088
            },
            {
              "path": "sub/b",
              "offset": 0,
              "length": 123457
            }
          ]
        }
      ],
      "failed_count": 4,
      "not_checked": 0
    },
    "bytes_hashed": 128545,
    "bytes_cached": 300000,
    "seconds": [..],
    "cache_file": "[CACHE]/weightcheck/hash-[..].json",
    "cache_warning": null,
    "interrupted": false
  }
}

"#]],
        str![],
        dir.path(),
        cache.path(),
    );
    assert_eq!(code, 1, "replaced content is caught: {j4}");

    let (_, j5, run5) = weightcheck(dir.path(), cache.path(), &["hash", "ds", "--full"]);
    assert_run(
        &run5,
        str![[r#"
{
  "root": "[ROOT]/ds",
  "ok": true,
  "torrent": null,
  "magnet": null,
  "verdicts": [
    {
      "path": "a",
      "verdict": "ok"
    },
    {
      "path": "c",
      "verdict": "ok"
    },
    {
      "path": "sub/b",
      "verdict": "ok"
    }
  ],
  "report": {
    "files": [
      {
        "path": "a",
        "expected_size": 300000,
        "actual_size": 300000,
        "status": "ok",
        "error": null,
        "sha256": "08f166476de183f7a1b2874d544d37912aaf8d19b92013e1aafe233ba231024a",
        "git_blob_sha1": null,
        "from_cache": false,
        "failed_pieces": [],
        "unchecked": false
      },
      {
        "path": "c",
        "expected_size": 0,
        "actual_size": 0,
        "status": "ok",
        "error": null,
        "sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "git_blob_sha1": null,
        "from_cache": false,
        "failed_pieces": [],
        "unchecked": false
      },
      {
        "path": "sub/b",
        "expected_size": 123457,
        "actual_size": 123457,
        "status": "ok",
        "error": null,
        "sha256": "eb944a71ce028a0e724f9a8aeda4a4c478e73f490dd6a0d169b10cccdc6be138",
        "git_blob_sha1": null,
        "from_cache": false,
        "failed_pieces": [],
        "unchecked": false
      }
    ],
    "pieces": null,
    "bytes_hashed": 423457,
    "bytes_cached": 0,
    "seconds": [..],
    "cache_file": "[CACHE]/weightcheck/hash-[..].json",
    "cache_warning": null,
    "interrupted": false
  }
}

"#]],
        str![],
        dir.path(),
        cache.path(),
    );
    assert_eq!(hashed(&j5), 423_457);
    let (_, j6, run6) = weightcheck(dir.path(), cache.path(), &["hash", "ds"]);
    assert_run(
        &run6,
        str![[r#"
{
  "root": "[ROOT]/ds",
  "ok": true,
  "torrent": null,
  "magnet": null,
  "verdicts": [
    {
      "path": "a",
      "verdict": "ok"
    },
    {
      "path": "c",
      "verdict": "ok"
    },
    {
      "path": "sub/b",
      "verdict": "ok"
    }
  ],
  "report": {
    "files": [
      {
        "path": "a",
        "expected_size": 300000,
        "actual_size": 300000,
        "status": "ok",
        "error": null,
        "sha256": "08f166476de183f7a1b2874d544d37912aaf8d19b92013e1aafe233ba231024a",
        "git_blob_sha1": null,
        "from_cache": true,
        "failed_pieces": [],
        "unchecked": false
      },
      {
        "path": "c",
        "expected_size": 0,
        "actual_size": 0,
        "status": "ok",
        "error": null,
        "sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "git_blob_sha1": null,
        "from_cache": true,
        "failed_pieces": [],
        "unchecked": false
      },
      {
        "path": "sub/b",
        "expected_size": 123457,
        "actual_size": 123457,
        "status": "ok",
        "error": null,
        "sha256": "eb944a71ce028a0e724f9a8aeda4a4c478e73f490dd6a0d169b10cccdc6be138",
        "git_blob_sha1": null,
        "from_cache": true,
        "failed_pieces": [],
        "unchecked": false
      }
    ],
    "pieces": null,
    "bytes_hashed": 0,
    "bytes_cached": 423457,
    "seconds": [..],
    "cache_file": "[CACHE]/weightcheck/hash-[..].json",
    "cache_warning": null,
    "interrupted": false
  }
}

"#]],
        str![],
        dir.path(),
        cache.path(),
    );
    assert_eq!(hashed(&j6), 0, "--full recorded its results");
    let (_, j7, run7) = weightcheck(dir.path(), cache.path(), &["hash", "ds", "--no-cache"]);
    assert_run(
        &run7,
        str![[r#"
{
  "root": "[ROOT]/ds",
  "ok": true,
  "torrent": null,
  "magnet": null,
  "verdicts": [
    {
      "path": "a",
      "verdict": "ok"
    },
    {
      "path": "c",
      "verdict": "ok"
    },
    {
      "path": "sub/b",
      "verdict": "ok"
    }
  ],
  "report": {
    "files": [
      {
        "path": "a",
        "expected_size": 300000,
        "actual_size": 300000,
        "status": "ok",
        "error": null,
        "sha256": "08f166476de183f7a1b2874d544d37912aaf8d19b92013e1aafe233ba231024a",
        "git_blob_sha1": null,
        "from_cache": false,
        "failed_pieces": [],
        "unchecked": false
      },
      {
        "path": "c",
        "expected_size": 0,
        "actual_size": 0,
        "status": "ok",
        "error": null,
        "sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "git_blob_sha1": null,
        "from_cache": false,
        "failed_pieces": [],
        "unchecked": false
      },
      {
        "path": "sub/b",
        "expected_size": 123457,
        "actual_size": 123457,
        "status": "ok",
        "error": null,
        "sha256": "eb944a71ce028a0e724f9a8aeda4a4c478e73f490dd6a0d169b10cccdc6be138",
        "git_blob_sha1": null,
        "from_cache": false,
        "failed_pieces": [],
        "unchecked": false
      }
    ],
    "pieces": null,
    "bytes_hashed": 423457,
    "bytes_cached": 0,
    "seconds": [..],
    "cache_file": null,
    "cache_warning": null,
    "interrupted": false
  }
}

"#]],
        str![],
        dir.path(),
        cache.path(),
    );
    assert_eq!(hashed(&j7), 423_457);
    assert!(j7["report"]["cache_file"].is_null());
}

#[test]
fn recently_modified_files_are_not_cached() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cache = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("fresh"), b"just written").expect("write");
    let (_, j1, run8) = weightcheck(dir.path(), cache.path(), &["hash", "."]);
    assert_run(
        &run8,
        str![[r#"
{
  "root": "[ROOT]",
  "ok": true,
  "torrent": null,
  "magnet": null,
  "verdicts": [
    {
      "path": "fresh",
      "verdict": "ok"
    }
  ],
  "report": {
    "files": [
      {
        "path": "fresh",
        "expected_size": 12,
        "actual_size": 12,
        "status": "ok",
        "error": null,
        "sha256": "4ee614141387f4e8f15bb314eb1245f5e5cefc5c3f21ede9c81742b4e27c9bb5",
        "git_blob_sha1": null,
        "from_cache": false,
        "failed_pieces": [],
        "unchecked": false
      }
    ],
    "pieces": null,
    "bytes_hashed": 12,
    "bytes_cached": 0,
    "seconds": [..],
    "cache_file": "[CACHE]/weightcheck/hash-[..].json",
    "cache_warning": null,
    "interrupted": false
  }
}

"#]],
        str![],
        dir.path(),
        cache.path(),
    );
    assert_eq!(hashed(&j1), 12);
    let (_, j2, run9) = weightcheck(dir.path(), cache.path(), &["hash", "."]);
    assert_run(
        &run9,
        str![[r#"
{
  "root": "[ROOT]",
  "ok": true,
  "torrent": null,
  "magnet": null,
  "verdicts": [
    {
      "path": "fresh",
      "verdict": "ok"
    }
  ],
  "report": {
    "files": [
      {
        "path": "fresh",
        "expected_size": 12,
        "actual_size": 12,
        "status": "ok",
        "error": null,
        "sha256": "4ee614141387f4e8f15bb314eb1245f5e5cefc5c3f21ede9c81742b4e27c9bb5",
        "git_blob_sha1": null,
        "from_cache": false,
        "failed_pieces": [],
        "unchecked": false
      }
    ],
    "pieces": null,
    "bytes_hashed": 12,
    "bytes_cached": 0,
    "seconds": [..],
    "cache_file": "[CACHE]/weightcheck/hash-[..].json",
    "cache_warning": null,
    "interrupted": false
  }
}

"#]],
        str![],
        dir.path(),
        cache.path(),
    );
    assert_eq!(
        hashed(&j2),
        12,
        "a file modified within 2 s of the run is re-read"
    );
}

/// SHA-256 of 4 GiB of zero bytes.
const ZEROS_4G_SHA256: &str = "8479e43911dc45e89f934fe48d01297e16f51d17aa561d4d1c216b1ae0fcddca";

#[test]
fn ctrl_c_saves_progress_and_the_next_run_continues() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cache = tempfile::tempdir().expect("tempdir");
    let ds = dir.path().join("ds");
    std::fs::create_dir_all(&ds).expect("mkdir");
    // Sparse: costs no disk, but hashing it takes seconds (one file is one
    // stream, read in order on one core).
    let size: u64 = 4 << 30;
    let f = std::fs::File::create(ds.join("big")).expect("create");
    f.set_len(size).expect("set_len");
    drop(f);
    age(&ds.join("big"), 3600);

    let child = Command::new(env!("CARGO_BIN_EXE_weightcheck"))
        .args(["hash", "ds", "--json"])
        .current_dir(dir.path())
        .env("XDG_CACHE_HOME", cache.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn weightcheck");
    std::thread::sleep(Duration::from_millis(400));
    // SAFETY: signalling our own child process.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGINT);
    }
    let out = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let j: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("bad JSON ({e}); stderr: {stderr}"));
    assert_eq!(out.status.code(), Some(130), "{j}\n{stderr}");
    assert_eq!(j["report"]["interrupted"], true, "{j}");
    assert_eq!(j["verdicts"][0]["verdict"], "not_checked", "{j}");
    assert!(j["report"]["files"][0]["sha256"].is_null(), "{j}");
    assert!(
        stderr.contains("interrupted; progress is saved"),
        "{stderr}"
    );
    let first = hashed(&j);
    assert!(first > 0 && first < size, "first run read {first} bytes");

    // The second run continues from where the first stopped.
    let (code, j, _) = weightcheck(dir.path(), cache.path(), &["hash", "ds"]);
    assert_eq!(code, 0, "{j}");
    assert_eq!(j["report"]["interrupted"], false, "{j}");
    assert_eq!(j["report"]["files"][0]["sha256"], ZEROS_4G_SHA256, "{j}");
    assert_eq!(hashed(&j), size - first, "{j}");
}
