//! What `weightcheck fetch` refuses before any byte moves (hostile paths,
//! symlinks out of the destination, a download larger than the disk, no
//! way to find peers), and what it refuses to call fetched afterwards (a
//! full-length file without its bytes, a partial neighbour, a damaged
//! piece). No network: every peer named here is a closed loopback port.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{assert_output, run};
use snapbox::str;
use weightcheck::create_torrent::{create, CreateOptions};
use weightcheck::fetch::check::{self, FileState};
use weightcheck::torrent::bencode::Encoder;
use weightcheck::torrent::Metainfo;

const OFFLINE: &[&str] = &[
    "--peer",
    "127.0.0.1:9",
    "--no-dht",
    "--no-trackers",
    "--bind",
    "127.0.0.1",
    "--port",
    "0",
    "--timeout",
    "30",
];

fn fetch(torrent: &Path, dest: &Path) -> (i32, String, String) {
    let mut a = vec![
        "fetch",
        "--torrent",
        torrent.to_str().unwrap(),
        "--dest",
        dest.to_str().unwrap(),
    ];
    a.extend_from_slice(OFFLINE);
    run(&a, dest.parent().unwrap())
}

/// A multi-file torrent whose one file has the given raw path components.
/// A v1 torrent of `content` in 16 KiB pieces.
fn torrent_of(content: &Path) -> weightcheck::create_torrent::Created {
    create(content, &CreateOptions::new(16384), &|_| {}).unwrap()
}

fn torrent_with_path(name: &[u8], path: &[&[u8]]) -> Vec<u8> {
    let mut e = Encoder::new();
    e.dict(|d| {
        d.entry("info", |e| {
            e.dict(|d| {
                d.entry("files", |e| {
                    e.list(|e| {
                        e.dict(|d| {
                            d.entry("length", |e| {
                                e.int(10);
                            });
                            d.entry("path", |e| {
                                e.list(|e| {
                                    for c in path {
                                        e.bytes(c);
                                    }
                                });
                            });
                        });
                    });
                });
                d.entry("name", |e| {
                    e.bytes(name);
                });
                d.entry("piece length", |e| {
                    e.int(16384);
                });
                d.entry("pieces", |e| {
                    e.bytes(&[0u8; 20]);
                });
            });
        });
    });
    e.finish()
}

#[test]
fn hostile_torrent_paths_are_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let cases: &[(&[u8], &[&[u8]])] = &[
        (b"rel", &[b"..", b"..", b"escaped"]),
        (b"rel", &[b"/etc/cron.d/x"]),
        (b"..", &[b"escaped"]),
        (b"rel", &[b"a\\..\\..\\escaped"]),
    ];
    let want = [
        str![[r#"
weightcheck: error: [ROOT]/hostile0.torrent: byte 36: unsafe path component "..": a relative directory reference

"#]],
        str![[r#"
weightcheck: error: [ROOT]/hostile1.torrent: byte 36: unsafe path component "/etc/cron.d/x": contains a path separator

"#]],
        str![[r#"
weightcheck: error: [ROOT]/hostile2.torrent: byte 54: unsafe path component "..": a relative directory reference

"#]],
        str![[r#"
weightcheck: error: [ROOT]/hostile3.torrent: byte 36: unsafe path component "a\\..\\..\\escaped": contains a path separator

"#]],
    ];
    for (i, ((name, path), want)) in cases.iter().zip(want).enumerate() {
        let t = dir.path().join(format!("hostile{i}.torrent"));
        std::fs::write(&t, torrent_with_path(name, path)).unwrap();
        let dest = dir.path().join(format!("dest{i}"));
        let (code, out, err) = fetch(&t, &dest);
        assert_eq!(code, 2, "case {i}: {out}\n{err}");
        assert_output(&out, str![], dir.path());
        assert_output(&err, want, dir.path());
        assert!(!dest.exists(), "case {i}: the destination was created");
    }
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!names.iter().any(|n| n.contains("escaped")), "{names:?}");
}

#[test]
fn symlinks_out_of_the_destination_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("rel");
    std::fs::create_dir_all(content.join("sub")).unwrap();
    std::fs::write(content.join("sub/a.bin"), vec![7u8; 40_000]).unwrap();
    let t = dir.path().join("rel.torrent");
    std::fs::write(&t, &torrent_of(&content).bytes).unwrap();
    let outside = dir.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();

    // The torrent's top directory, then a directory inside it, as links.
    let d1 = dir.path().join("d1");
    std::fs::create_dir_all(&d1).unwrap();
    std::os::unix::fs::symlink(&outside, d1.join("rel")).unwrap();
    let d2 = dir.path().join("d2");
    std::fs::create_dir_all(d2.join("rel")).unwrap();
    std::os::unix::fs::symlink(&outside, d2.join("rel/sub")).unwrap();
    let d3 = dir.path().join("d3");
    std::fs::create_dir_all(&d3).unwrap();
    std::os::unix::fs::symlink(&outside, d3.join(".weightcheck")).unwrap();
    let want = [
        (
            str![[r#"
weightcheck fetch: [ROOT]/rel.torrent
  peers: DHT off, trackers off, local discovery off, 1 explicit peer(s)
  metadata: "rel": 1 file, 40,000 bytes, piece length 16,384, info-hash 2b3b4efda6cb298672437776587d659df136f45f

"#]],
            str![[r#"
weightcheck: error: [ROOT]/d1/rel is a symlink; a fetch writes only to real files and directories under [ROOT]/d1 (remove the link or choose another --dest)

"#]],
        ),
        (
            str![[r#"
weightcheck fetch: [ROOT]/rel.torrent
  peers: DHT off, trackers off, local discovery off, 1 explicit peer(s)
  metadata: "rel": 1 file, 40,000 bytes, piece length 16,384, info-hash 2b3b4efda6cb298672437776587d659df136f45f

"#]],
            str![[r#"
weightcheck: error: [ROOT]/d2/rel/sub is a symlink; a fetch writes only to real files and directories under [ROOT]/d2 (remove the link or choose another --dest)

"#]],
        ),
        (
            str![[r#"
weightcheck fetch: [ROOT]/rel.torrent
  peers: DHT off, trackers off, local discovery off, 1 explicit peer(s)

"#]],
            str![[r#"
weightcheck: error: [ROOT]/d3/.weightcheck is a symlink; a fetch writes only to real files and directories under [ROOT]/d3 (remove the link or choose another --dest)

"#]],
        ),
    ];
    for (d, (want_out, want_err)) in [&d1, &d2, &d3].into_iter().zip(want) {
        let (code, out, err) = fetch(&t, d);
        assert_eq!(code, 2, "{}: {out}\n{err}", d.display());
        assert_output(&out, want_out, dir.path());
        assert_output(&err, want_err, dir.path());
    }
    assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 0);
}

#[test]
fn a_fetch_larger_than_the_free_space_fails_at_once() {
    let dir = tempfile::tempdir().unwrap();
    // 64 TiB in 1 GiB pieces: a 1.3 MB .torrent.
    let length: u64 = 64 << 40;
    let pieces = vec![0u8; (length >> 30) as usize * 20];
    let mut e = Encoder::new();
    e.dict(|d| {
        d.entry("info", |e| {
            e.dict(|d| {
                d.entry("length", |e| {
                    e.int(length as i64);
                });
                d.entry("name", |e| {
                    e.bytes(b"huge.bin");
                });
                d.entry("piece length", |e| {
                    e.int(1 << 30);
                });
                d.entry("pieces", |e| {
                    e.bytes(&pieces);
                });
            });
        });
    });
    let t = dir.path().join("huge.torrent");
    std::fs::write(&t, e.finish()).unwrap();
    let dest = dir.path().join("dest");
    let started = Instant::now();
    let (code, out, err) = fetch(&t, &dest);
    assert_eq!(code, 2, "{out}\n{err}");
    assert_output(
        &out,
        str![[r#"
weightcheck fetch: [ROOT]/huge.torrent
  peers: DHT off, trackers off, local discovery off, 1 explicit peer(s)
  metadata: "huge.bin": 1 file, 70,368,744,177,664 bytes, piece length 1,073,741,824, info-hash 5ba9d4ff8dfbb44b33e9db72a78bf4f9f52d8653

"#]],
        dir.path(),
    );
    assert_output(
        &err,
        str![[r#"
weightcheck: error: not enough free space in [ROOT]/dest: the fetch needs 70.4 TB more (70.4 TB selected, 0 B already on disk, 0 B of neighbouring files in shared pieces) but only [..] is available; free space or choose fewer files with --only

"#]],
        dir.path(),
    );
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(!dest.join("huge.bin").exists());
}

#[test]
fn no_peer_source_fails_fast_and_never_touches_the_network() {
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let (code, out, err) = run(
        [
            "fetch",
            "grok-1",
            "--metadata-only",
            "--no-dht",
            "--no-trackers",
        ],
        dir.path(),
    );
    assert_eq!(code, 2, "{out}\n{err}");
    assert_output(
        &out,
        str![[r#"
weightcheck fetch --metadata-only: magnet 5f96d43576e3d386c9ba65b883210a393b68210e (Grok-1)
  peers: DHT off, trackers off, local discovery off, 0 explicit peer(s)

"#]],
        dir.path(),
    );
    assert_output(
        &err,
        str![[r#"
weightcheck: error: no way to find peers for the metadata: DHT and trackers are off (or the magnet has no trackers) and no --peer was given

"#]],
        dir.path(),
    );
    let dest = dir.path().join("g");
    let (code, out, err) = run(
        [
            "fetch",
            "grok-1",
            "--dest",
            dest.to_str().unwrap(),
            "--no-dht",
            "--no-trackers",
            "--bind",
            "127.0.0.1",
            "--port",
            "0",
        ],
        dir.path(),
    );
    assert_eq!(code, 2, "{err}");
    assert_output(
        &out,
        str![[r#"
weightcheck fetch: Grok-1 (xAI, 2024-03-17), magnet 5f96d43576e3d386c9ba65b883210a393b68210e
  peers: DHT off, trackers off, local discovery off, 0 explicit peer(s)

"#]],
        dir.path(),
    );
    assert_output(
        &err,
        str![[r#"
weightcheck: error: no way to find peers for the metadata: DHT and trackers are off (or the magnet has no trackers) and no --peer was given

"#]],
        dir.path(),
    );
    assert!(started.elapsed() < Duration::from_secs(10));
}

/// Full-length files without their bytes, partial neighbours and a flipped
/// byte: none of them is "fetched".
#[test]
fn only_complete_files_count_as_fetched() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src/rel");
    std::fs::create_dir_all(&src).unwrap();
    let sizes = [50_000usize, 30_000, 70_000, 20_000];
    for (i, n) in sizes.iter().enumerate() {
        let bytes: Vec<u8> = (0..*n).map(|k| (k * 31 + i * 7) as u8).collect();
        std::fs::write(src.join(format!("f{i}")), bytes).unwrap();
    }
    let meta: Metainfo = torrent_of(&src).metainfo;
    let dest = dir.path().join("dest");
    let copy = |name: &str| {
        std::fs::create_dir_all(dest.join("rel")).unwrap();
        std::fs::copy(src.join(name), dest.join("rel").join(name)).unwrap();
    };
    // f1 selected and complete; f2 selected but only a sparse file of full
    // length; f0 not selected with its first 20,000 bytes; f3 absent.
    copy("f1");
    let f2 = std::fs::File::create(dest.join("rel/f2")).unwrap();
    f2.set_len(70_000).unwrap();
    let f0 = std::fs::read(src.join("f0")).unwrap();
    std::fs::write(dest.join("rel/f0"), &f0[..20_000]).unwrap();
    let selected = [1usize, 2];
    let r = check::check(&dest, &meta, &selected, None, None, &|_| {}).unwrap();
    let state = |name: &str| {
        r.files
            .iter()
            .find(|f| f.path == format!("rel/{name}"))
            .unwrap()
            .state
            .clone()
    };
    assert!(
        matches!(state("f2"), FileState::Incomplete { .. }),
        "{:?}",
        state("f2")
    );
    assert!(matches!(
        state("f0"),
        FileState::PartialNotSelected { on_disk: 20_000 }
    ));
    assert_eq!(state("f3"), FileState::NotSelected);
    // f1 shares its first piece with f0, which is partial: unprovable
    // without a manifest SHA-256, so not verified either.
    assert!(
        matches!(state("f1"), FileState::Incomplete { .. }),
        "{:?}",
        state("f1")
    );
    assert!(!r.passed());

    // With its neighbours whole, f2's boundary pieces are checkable;
    // everything verifies, until a byte of f1 flips.
    copy("f0");
    copy("f2");
    copy("f3");
    let r = check::check(&dest, &meta, &selected, None, None, &|_| {}).unwrap();
    assert!(r.passed(), "{:?}", r.files);
    let mut b = std::fs::read(dest.join("rel/f1")).unwrap();
    b[12_345] ^= 1;
    std::fs::write(dest.join("rel/f1"), b).unwrap();
    let r = check::check(&dest, &meta, &selected, None, None, &|_| {}).unwrap();
    assert!(matches!(state_of(&r, "f1"), FileState::Incomplete { .. }));
    assert!(!r.passed());
}

fn state_of(r: &check::CheckReport, name: &str) -> FileState {
    r.files
        .iter()
        .find(|f| f.path == format!("rel/{name}"))
        .unwrap()
        .state
        .clone()
}

#[test]
fn seed_refuses_a_damaged_copy() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("rel");
    std::fs::create_dir_all(&content).unwrap();
    std::fs::write(content.join("a.bin"), vec![1u8; 50_000]).unwrap();
    std::fs::write(content.join("b.bin"), vec![2u8; 50_000]).unwrap();
    let t = dir.path().join("rel.torrent");
    std::fs::write(&t, &torrent_of(&content).bytes).unwrap();
    let mut b = std::fs::read(content.join("b.bin")).unwrap();
    b[40_000] ^= 0xff;
    std::fs::write(content.join("b.bin"), b).unwrap();
    let (code, out, err) = run(
        [
            "seed",
            dir.path().join("rel").to_str().unwrap(),
            "--torrent",
            t.to_str().unwrap(),
            "--bind",
            "127.0.0.1",
            "--port",
            "0",
            "--no-dht",
            "--no-trackers",
            "--timeout",
            "5",
        ],
        dir.path(),
    );
    assert_eq!(code, 1, "{out}\n{err}");
    assert_output(
        &out,
        str![[r#"
weightcheck seed: "rel" (2 files, 100,000 bytes, info-hash 48897c14afe901e5f654bb6277c022d5dc98d178) from [ROOT]/rel
  verified: 6 of 7 pieces pass (100,000 bytes read in [..] s)
  - b.bin: hash_mismatch, 1 bad piece(s)

result: FAILED — the copy does not match the torrent; not seeding it

"#]],
        dir.path(),
    );
    assert_output(&err, str![], dir.path());
    assert!(!out.contains("seeding on"), "{out}");
}
