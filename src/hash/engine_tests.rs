//! Engine tests against a naive reference, with tiny chunks and blocks so
//! that streams, pending ranges and piece jobs all interleave.

use sha1::{Digest, Sha1};
use sha2::Sha256;

use super::engine::{self, CacheMode, FileStatus, HashPlan, PiecePlan, PlanFile};
use super::multibuffer::Kernel;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

struct Fixture {
    dir: tempfile::TempDir,
    files: Vec<(String, Vec<u8>)>,
}

fn fixture(rng: &mut Rng, n: usize) -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut files = Vec::new();
    for i in 0..n {
        let len = match rng.below(4) {
            0 => 0,
            1 => rng.below(100),
            _ => rng.below(60_000),
        } as usize;
        let data: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        let name = format!("d{}/f{i}", i % 3);
        let path = dir.path().join(&name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, &data).expect("write");
        files.push((name, data));
    }
    Fixture { dir, files }
}

fn piece_hashes(files: &[&[u8]], pl: usize) -> Vec<[u8; 20]> {
    let all: Vec<u8> = files.concat();
    all.chunks(pl).map(|c| Sha1::digest(c).into()).collect()
}

fn git_blob(data: &[u8]) -> String {
    let mut h = Sha1::new();
    h.update(format!("blob {}\0", data.len()).as_bytes());
    h.update(data);
    hex::encode(h.finalize())
}

fn run_in_pool(threads: usize, root: &std::path::Path, plan: &HashPlan) -> engine::HashReport {
    run_with_kernel(threads, root, plan, plan.kernel)
}

/// `plan` on `threads` workers, with `kernel` for the lanes (`None`: the
/// engine's own choice).
fn run_with_kernel(
    threads: usize,
    root: &std::path::Path,
    plan: &HashPlan,
    kernel: Option<Kernel>,
) -> engine::HashReport {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("pool");
    let plan = HashPlan {
        kernel,
        ..plan.clone()
    };
    pool.install(|| engine::run(root, &plan, &|_| {}))
        .expect("run")
}

#[test]
fn matches_reference_in_every_mode() {
    let mut rng = Rng(0x9e3779b97f4a7c15);
    for round in 0..40 {
        let n = 1 + rng.below(7) as usize;
        let fx = fixture(&mut rng, n);
        let pl = [64u64, 1000, 4096, 16384, 100_000][rng.below(5) as usize];
        let mode = round % 4; // 0 sha256 only, 1 pieces only, 2 both, 3 mixed per file
        let mut plan_files = Vec::new();
        for (name, data) in &fx.files {
            let (sha, git) = match mode {
                0 => (true, rng.below(2) == 0),
                1 => (false, false),
                2 => (true, false),
                _ => (rng.below(2) == 0, rng.below(3) == 0),
            };
            plan_files.push(PlanFile {
                path: name.clone(),
                size: data.len() as u64,
                sha256: sha,
                git_blob: git,
                md5: false,
            });
        }
        // Torrent order differs from plan order, as in the CLI's extras.
        let mut order: Vec<usize> = (0..fx.files.len()).collect();
        order.reverse();
        let datas: Vec<&[u8]> = order.iter().map(|&i| fx.files[i].1.as_slice()).collect();
        let expected = piece_hashes(&datas, pl as usize);
        let mut plan = HashPlan::new(plan_files.clone());
        if mode != 0 {
            // Without expected hashes the run computes them (torrent creation).
            plan = plan.with_pieces(PiecePlan {
                piece_length: pl,
                files: order.clone(),
                hashes: (round % 2 == 0).then(|| expected.clone().into()),
            });
        }
        let threads = 1 + round % 4;
        // The fastest kernel reads a page-cached file's pieces apart from
        // its stream, in lanes; Single feeds them the stream's blocks.
        plan.kernel = [None, Some(Kernel::Single)][round / 4 % 2];
        let r = run_in_pool(threads, fx.dir.path(), &plan);
        assert!(r.all_ok(), "round {round}: {r:#?}");
        for ((f, (_, data)), pf) in r.files.iter().zip(&fx.files).zip(&plan_files) {
            assert_eq!(f.status, FileStatus::Ok);
            assert_eq!(f.sha256.is_some(), pf.sha256);
            if pf.sha256 {
                assert_eq!(
                    f.sha256.as_deref(),
                    Some(hex::encode(Sha256::digest(data)).as_str())
                );
            }
            if pf.git_blob {
                assert_eq!(f.git_blob_sha1.as_deref(), Some(git_blob(data).as_str()));
            }
        }
        if mode != 0 {
            let p = r.pieces.as_ref().expect("pieces");
            assert_eq!(p.passed, expected.len(), "round {round}");
            if round % 2 == 0 {
                assert!(
                    p.digests.is_empty(),
                    "round {round}: kept only when computing"
                );
            } else {
                assert_eq!(p.digests, expected, "round {round}");
            }
        }
        let total: u64 = fx.files.iter().map(|f| f.1.len() as u64).sum();
        assert_eq!(r.bytes_hashed, total, "round {round}: each byte read once");
    }
}

#[test]
fn reports_flipped_byte_piece_and_span() {
    let mut rng = Rng(42);
    let fx = fixture(&mut rng, 0);
    let a: Vec<u8> = (0..10_000u32).map(|i| i as u8).collect();
    let b: Vec<u8> = (0..7_000u32).map(|i| (i * 3) as u8).collect();
    for (n, d) in [("a", &a), ("b", &b)] {
        std::fs::write(fx.dir.path().join(n), d).expect("write");
    }
    let expected = piece_hashes(&[&a, &b], 4096);
    let mut bad = b.clone();
    bad[100] ^= 1; // stream offset 10100: piece 2 = [8192, 12288) straddles a and b
    std::fs::write(fx.dir.path().join("b"), &bad).expect("write");
    for sha in [false, true] {
        let plan = HashPlan::new(vec![
            PlanFile {
                sha256: sha,
                ..PlanFile::sha256("a", 10_000)
            },
            PlanFile {
                sha256: sha,
                ..PlanFile::sha256("b", 7_000)
            },
        ])
        .with_pieces(PiecePlan {
            piece_length: 4096,
            files: vec![0, 1],
            hashes: Some(expected.clone().into()),
        });
        let r = run_in_pool(2, fx.dir.path(), &plan);
        let p = r.pieces.as_ref().expect("pieces");
        assert_eq!(p.failed.len(), 1);
        let f = &p.failed[0];
        assert_eq!(f.index, 2);
        assert_eq!(f.reason, "mismatch");
        assert_eq!(f.stream_offset, 8192);
        assert_eq!(f.spans.len(), 2);
        assert_eq!(
            (
                f.spans[0].path.as_str(),
                f.spans[0].offset,
                f.spans[0].length
            ),
            ("a", 8192, 1808)
        );
        assert_eq!(
            (
                f.spans[1].path.as_str(),
                f.spans[1].offset,
                f.spans[1].length
            ),
            ("b", 0, 2288)
        );
        assert_eq!(r.files[0].failed_pieces, vec![2..3]);
        assert_eq!(r.files[1].failed_pieces, vec![2..3]);
        assert!(!r.all_ok());
    }
}

#[test]
fn missing_and_short_files_fail_their_pieces_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = vec![1u8; 5000];
    let b = vec![2u8; 5000];
    let c = vec![3u8; 5000];
    std::fs::write(dir.path().join("a"), &a).expect("write");
    std::fs::write(dir.path().join("c"), &c[..4000]).expect("write");
    let expected = piece_hashes(&[&a, &b, &c], 4096);
    for sha in [false, true] {
        let plan = HashPlan::new(vec![
            PlanFile {
                sha256: sha,
                ..PlanFile::sha256("a", 5000)
            },
            PlanFile {
                sha256: sha,
                ..PlanFile::sha256("b", 5000)
            },
            PlanFile {
                sha256: sha,
                ..PlanFile::sha256("c", 5000)
            },
        ])
        .with_pieces(PiecePlan {
            piece_length: 4096,
            files: vec![0, 1, 2],
            hashes: Some(expected.clone().into()),
        });
        let r = run_in_pool(2, dir.path(), &plan);
        assert_eq!(r.files[1].status, FileStatus::Missing);
        assert_eq!(r.files[2].status, FileStatus::Short);
        assert_eq!(r.files[2].actual_size, Some(4000));
        let p = r.pieces.as_ref().expect("pieces");
        let failed: Vec<(usize, usize)> = p.failed.iter().map(|f| (f.index, f.count)).collect();
        // pieces: [0,4096) ok; [4096,8192) and [8192,12288) touch b (one
        // run: same reason); [12288,15000) c short
        assert_eq!(failed, vec![(1, 2), (3, 1)]);
        assert_eq!(p.failed_count, 3);
        assert_eq!(r.files[0].failed_pieces, vec![1..2]);
        assert_eq!(r.files[1].failed_pieces, vec![1..3]);
        assert_eq!(r.files[2].failed_pieces, vec![2..4]);
        assert_eq!(p.failed[0].reason, "unreadable");
        assert!(p.failed[0]
            .detail
            .as_deref()
            .unwrap_or("")
            .contains("b is missing"));
        assert!(
            p.failed[1]
                .detail
                .as_deref()
                .unwrap_or("")
                .contains("c is short"),
            "{:?}",
            p.failed[1]
        );
        if sha {
            assert_eq!(
                r.files[2].sha256.as_deref(),
                Some(hex::encode(Sha256::digest(&c[..4000])).as_str())
            );
        }
    }
}

fn set_old_mtime(path: &std::path::Path, secs_ago: u64) {
    let t = std::time::SystemTime::now() - std::time::Duration::from_secs(secs_ago);
    std::fs::File::options()
        .write(true)
        .open(path)
        .and_then(|f| f.set_modified(t))
        .expect("set mtime");
}

#[test]
fn cache_skips_unchanged_and_rehashes_changed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cache_dir = tempfile::tempdir().expect("tempdir");
    let a = vec![5u8; 9000];
    let b = vec![6u8; 3000];
    std::fs::write(dir.path().join("a"), &a).expect("write");
    std::fs::write(dir.path().join("b"), &b).expect("write");
    set_old_mtime(&dir.path().join("a"), 100);
    set_old_mtime(&dir.path().join("b"), 100);
    let expected = piece_hashes(&[&a, &b], 4096);
    let plan = |mode| HashPlan {
        cache: mode,
        cache_file: Some(cache_dir.path().join("c.json")),
        ..HashPlan::new(vec![
            PlanFile::sha256("a", 9000),
            PlanFile::sha256("b", 3000),
        ])
        .with_pieces(PiecePlan {
            piece_length: 4096,
            files: vec![0, 1],
            hashes: Some(expected.clone().into()),
        })
    };
    let r1 = run_in_pool(2, dir.path(), &plan(CacheMode::On));
    assert!(r1.all_ok());
    assert_eq!(r1.bytes_hashed, 12_000);
    let r2 = run_in_pool(2, dir.path(), &plan(CacheMode::On));
    assert!(r2.all_ok());
    assert_eq!(r2.bytes_hashed, 0, "second run hashes nothing");
    assert_eq!(r2.pieces.as_ref().map(|p| p.from_cache), Some(3));
    assert_eq!(r2.files[0].sha256, r1.files[0].sha256);
    assert!(r2.files[0].from_cache);

    set_old_mtime(&dir.path().join("b"), 50);
    let r3 = run_in_pool(2, dir.path(), &plan(CacheMode::On));
    assert_eq!(
        r3.bytes_hashed,
        3000 + 808,
        "b again, plus piece 2's bytes in a"
    );
    assert!(r3.all_ok());
    assert_eq!(r3.pieces.as_ref().map(|p| p.from_cache), Some(2));

    let r4 = run_in_pool(2, dir.path(), &plan(CacheMode::Full));
    assert_eq!(r4.bytes_hashed, 12_000, "full re-hashes everything");

    // A fresh file (mtime now) is hashed but never cached.
    std::fs::write(dir.path().join("b"), &b).expect("write");
    run_in_pool(2, dir.path(), &plan(CacheMode::On));
    let r5 = run_in_pool(2, dir.path(), &plan(CacheMode::On));
    assert_eq!(r5.bytes_hashed, 3000 + 808);
}

#[test]
fn resumes_a_file_from_its_checkpoint() {
    use super::cache::{Cache, Fingerprint, PartialEntry};
    use sha2::digest::common::hazmat::SerializableState;

    let dir = tempfile::tempdir().expect("tempdir");
    let cache_dir = tempfile::tempdir().expect("tempdir");
    let a: Vec<u8> = (0..50_000u32).map(|i| (i * 13 % 256) as u8).collect();
    let b: Vec<u8> = (0..9_000u32).map(|i| (i * 7 % 256) as u8).collect();
    std::fs::write(dir.path().join("a"), &a).expect("write");
    std::fs::write(dir.path().join("b"), &b).expect("write");
    set_old_mtime(&dir.path().join("a"), 100);
    set_old_mtime(&dir.path().join("b"), 100);
    let cache_file = cache_dir.path().join("c.json");

    // What an interrupted run leaves: `a` hashed up to byte 30_000.
    let mut h = Sha256::new();
    h.update(&a[..30_000]);
    let mut g = Sha1::new();
    g.update(b"blob 50000\0");
    g.update(&a[..30_000]);
    let meta = std::fs::metadata(dir.path().join("a")).expect("stat");
    let (mut cache, _) = Cache::open(cache_file.clone(), dir.path());
    cache.record_partial(
        "a",
        PartialEntry {
            fingerprint: Fingerprint::of(&meta),
            pos: 30_000,
            sha256_state: Some(hex::encode(h.serialize())),
            git_state: Some(hex::encode(g.serialize())),
        },
    );
    cache.save().expect("save");

    let expected = piece_hashes(&[&a, &b], 4096);
    let plan = HashPlan {
        cache: CacheMode::On,
        cache_file: Some(cache_file),
        ..HashPlan::new(vec![
            PlanFile {
                git_blob: true,
                ..PlanFile::sha256("a", 50_000)
            },
            PlanFile::sha256("b", 9_000),
        ])
        .with_pieces(PiecePlan {
            piece_length: 4096,
            files: vec![0, 1],
            hashes: Some(expected.clone().into()),
        })
    };
    let r = run_in_pool(2, dir.path(), &plan);
    assert!(r.all_ok(), "{r:#?}");
    assert_eq!(
        r.files[0].sha256.as_deref(),
        Some(hex::encode(Sha256::digest(&a)).as_str())
    );
    assert_eq!(
        r.files[0].git_blob_sha1.as_deref(),
        Some(git_blob(&a).as_str())
    );
    // a from 30_000 by the stream, a's first 30_000 by the pieces (none of
    // them cached), b by its stream: every byte once.
    assert_eq!(r.bytes_hashed, 59_000);
    assert_eq!(r.pieces.as_ref().map(|p| p.passed), Some(expected.len()));
}

#[test]
fn a_raised_stop_flag_ends_the_run_with_nothing_failed() {
    static STOP: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);
    let dir = tempfile::tempdir().expect("tempdir");
    let a = vec![5u8; 20_000];
    std::fs::write(dir.path().join("a"), &a).expect("write");
    let plan = HashPlan::new(vec![PlanFile::sha256("a", 20_000)])
        .with_pieces(PiecePlan {
            piece_length: 4096,
            files: vec![0],
            hashes: Some(piece_hashes(&[&a], 4096).into()),
        })
        .with_stop(Some(&STOP));
    let r = run_in_pool(2, dir.path(), &plan);
    assert!(r.interrupted);
    assert!(!r.all_ok(), "an interrupted run proves nothing");
    assert!(r.files[0].unchecked && r.files[0].sha256.is_none());
    let p = r.pieces.as_ref().expect("pieces");
    assert!(p.failed.is_empty(), "{:?}", p.failed);
    assert_eq!(p.not_checked, 5);
}

#[test]
fn files_not_in_the_page_cache_are_read_and_hashed_the_same() {
    use std::os::fd::AsRawFd;
    let mut rng = Rng(0x5eed_c01d);
    let fx = fixture(&mut rng, 9);
    // Evict the files, so the engine takes its pread(2) path (where the
    // file system honours DONTNEED; io.rs tests that path directly).
    for (name, _) in &fx.files {
        let f = std::fs::File::open(fx.dir.path().join(name)).expect("open");
        f.sync_all().expect("fsync");
        // SAFETY: a hint on an open descriptor.
        unsafe { libc::posix_fadvise(f.as_raw_fd(), 0, 0, libc::POSIX_FADV_DONTNEED) };
    }
    let data: Vec<&[u8]> = fx.files.iter().map(|(_, d)| d.as_slice()).collect();
    let plan = HashPlan::new(
        fx.files
            .iter()
            .map(|(n, d)| PlanFile::sha256(n.clone(), d.len() as u64))
            .collect(),
    )
    .with_pieces(PiecePlan {
        piece_length: 5000,
        files: (0..fx.files.len()).collect(),
        hashes: Some(piece_hashes(&data, 5000).into()),
    });
    let r = run_in_pool(2, fx.dir.path(), &plan);
    assert!(r.all_ok(), "{r:#?}");
    for ((_, d), f) in fx.files.iter().zip(&r.files) {
        assert_eq!(
            f.sha256.as_deref(),
            Some(hex::encode(Sha256::digest(d)).as_str())
        );
    }
}

#[test]
fn md5_is_computed_in_the_same_read_as_the_other_digests() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut rng = Rng(7);
    let a: Vec<u8> = (0..70_001).map(|_| rng.next() as u8).collect();
    std::fs::write(dir.path().join("a"), &a).expect("write");
    std::fs::write(dir.path().join("b"), &a[..1000]).expect("write");
    let expected = piece_hashes(&[&a], 4096);
    let plan = HashPlan::new(vec![
        PlanFile {
            git_blob: true,
            md5: true,
            ..PlanFile::sha256("a", 70_001)
        },
        // Not asked for: not computed.
        PlanFile::sha256("b", 1000),
    ])
    .with_pieces(PiecePlan {
        piece_length: 4096,
        files: vec![0],
        hashes: Some(expected.into()),
    });
    let r = run_in_pool(2, dir.path(), &plan);
    assert!(r.all_ok(), "{r:#?}");
    assert_eq!(
        r.files[0].md5.as_deref(),
        Some(hex::encode(md5::Md5::digest(&a)).as_str())
    );
    assert_eq!(
        r.files[0].sha256.as_deref(),
        Some(hex::encode(Sha256::digest(&a)).as_str())
    );
    assert_eq!(
        r.files[0].git_blob_sha1.as_deref(),
        Some(git_blob(&a).as_str())
    );
    assert_eq!(r.files[1].md5, None);
    // Every byte read once: MD5, SHA-256, git blob and pieces share the pass.
    assert_eq!(r.bytes_hashed, 70_001 + 1000);
}

/// Pieces-only runs hash runs of piece jobs together in multi-buffer lanes
/// (`Pieces::start_many`) where the CPU has a kernel for it: every piece,
/// the short last one included, passes or fails exactly as alone, with
/// each kernel this CPU runs.
#[test]
fn pieces_in_lanes_catch_every_flipped_piece() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pl = 1000usize;
    let a: Vec<u8> = (0..203 * pl as u32 + 17)
        .map(|i| (i * 7 + i / 991) as u8)
        .collect();
    let b: Vec<u8> = (0..2_500u32).map(|i| (i * 5) as u8).collect();
    let c: Vec<u8> = (0..300u32).map(|i| (i * 3) as u8).collect();
    let expected = piece_hashes(&[&a, &b, &c], pl);
    let mut bad = a.clone();
    for p in [0, 37, 150, 201] {
        bad[p * pl + 123] ^= 0x40;
    }
    // Pieces 203 (a's end and b's start) and 205 (b's end and all of c,
    // the short last piece) cross files: hashed in lanes as parts.
    let (mut bad_b, mut bad_c) = (b.clone(), c.clone());
    bad_b[5] ^= 1;
    bad_c[10] ^= 1;
    std::fs::write(dir.path().join("a"), &bad).expect("write");
    std::fs::write(dir.path().join("b"), &bad_b).expect("write");
    std::fs::write(dir.path().join("c"), &bad_c).expect("write");
    let kernels = crate::hash::multibuffer::Kernel::ALL
        .into_iter()
        .filter(|k| k.available());
    for (threads, kernel) in [1, 2]
        .into_iter()
        .flat_map(|t| kernels.clone().map(move |k| (t, k)))
    {
        let plan = HashPlan::new(vec![
            PlanFile {
                sha256: false,
                ..PlanFile::sha256("a", a.len() as u64)
            },
            PlanFile {
                sha256: false,
                ..PlanFile::sha256("b", b.len() as u64)
            },
            PlanFile {
                sha256: false,
                ..PlanFile::sha256("c", c.len() as u64)
            },
        ])
        .with_pieces(PiecePlan {
            piece_length: pl as u64,
            files: vec![0, 1, 2],
            hashes: Some(expected.clone().into()),
        });
        let r = run_with_kernel(threads, dir.path(), &plan, Some(kernel));
        let p = r.pieces.as_ref().expect("pieces");
        let failed: Vec<usize> = p.failed.iter().map(|f| f.index).collect();
        assert_eq!(
            failed,
            vec![0, 37, 150, 201, 203, 205],
            "threads {threads}, {}",
            kernel.name()
        );
        assert!(p.failed.iter().all(|f| f.reason == "mismatch"));
        assert_eq!(p.passed, expected.len() - 6);
        assert_eq!(r.bytes_hashed, (a.len() + b.len() + c.len()) as u64);
    }
}

/// Page-cached files whose SHA-256 alone is wanted are hashed whole in
/// SHA-256 lanes where a 16-lane kernel runs (`super::lanes`), many more
/// than 16 of them, of uneven sizes, with lanes refilled as files end:
/// every digest equals the crates' and every byte is counted once.
#[test]
fn many_cached_files_hash_alike_in_sha256_lanes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut rng = Rng(7);
    let mut files = Vec::new();
    for i in 0..40 {
        // Sizes close enough that lanes pay (`lanes::choose`), with a few
        // tiny ones and an empty one among them.
        let len = match i % 8 {
            0 => rng.below(70) as usize,
            _ => 20_000 + rng.below(5_000) as usize,
        };
        let data: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        std::fs::write(dir.path().join(format!("f{i}")), &data).expect("write");
        files.push(data);
    }
    let total: u64 = files.iter().map(|f| f.len() as u64).sum();
    let lanes = Kernel::Avx512x16.available();
    // The 2-way kernel where it runs: asked for by name, it takes every
    // file that may go in lanes, so it is tested even where it measured
    // slower than one stream.
    let x2 = Some(Kernel::ShaNiX2).filter(|k| k.available());
    for kernel in [None, Some(Kernel::Single)].into_iter().chain([x2]) {
        for threads in [1, 2] {
            let before = super::lanes::FILES_IN_LANES.load(std::sync::atomic::Ordering::Relaxed);
            let mut plan = HashPlan::new(
                files
                    .iter()
                    .enumerate()
                    .map(|(i, f)| PlanFile::sha256(format!("f{i}"), f.len() as u64))
                    .collect(),
            );
            plan.kernel = kernel;
            let r = run_in_pool(threads, dir.path(), &plan);
            assert!(r.all_ok(), "{kernel:?} {threads}: {r:#?}");
            for (f, data) in r.files.iter().zip(&files) {
                assert_eq!(
                    f.sha256.as_deref(),
                    Some(hex::encode(Sha256::digest(data)).as_str()),
                    "{}",
                    f.path
                );
            }
            assert_eq!(r.bytes_hashed, total);
            let after = super::lanes::FILES_IN_LANES.load(std::sync::atomic::Ordering::Relaxed);
            if (lanes && kernel.is_none()) || kernel == Some(Kernel::ShaNiX2) {
                assert!(after >= before + 16, "the lanes ran: {before} -> {after}");
            }
        }
    }
}
