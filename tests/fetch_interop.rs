//! `weightcheck fetch` and `weightcheck seed` against real BitTorrent
//! clients, on 127.0.0.1 only (DHT, local discovery, UPnP and trackers off;
//! the one tracker used is a 20-line one in this file, on loopback).
//!
//! The payload is the scaled-down Grok-style demo release (146 shards,
//! 3.6 MB) and its .torrent made by Debian's mktorrent with 32 KiB pieces,
//! so many pieces straddle shards. Peers:
//! - a librqbit session in this process (seeder),
//! - aria2c (seeder, and downloader checking its own result with -V),
//! - `weightcheck seed` as a real process, stopped with SIGINT.
//!
//! The tools come from scripts/install-test-deps.sh, which the test command
//! runs first; a test whose tool is missing fails and names it.
//! Every wait is bounded (≤ 60 s).

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{assert_output, require};
use snapbox::{str, IntoData};
use weightcheck::synth::{self, Content};

const WAIT: Duration = Duration::from_secs(60);

/// The demo release, its manifest, and a .torrent of `ckpt-0/` by mktorrent.
struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new(tracker: Option<&str>) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let rel = dir.path().join("rel");
        let arch = synth::small_grok_architecture();
        let written = synth::write_grok_release(&rel, &arch, Content::Random(7)).unwrap();
        let manifest = synth::manifest_toml("grok-demo", &arch, &written).unwrap();
        std::fs::write(dir.path().join("grok-demo.toml"), manifest).unwrap();
        let mut cmd = Command::new("mktorrent");
        cmd.args(["-l", "15", "-o"])
            .arg(dir.path().join("rel.torrent"))
            .arg(rel.join("ckpt-0"));
        if let Some(t) = tracker {
            cmd.args(["-a", t]);
        }
        let out = cmd.output().expect("run mktorrent");
        assert!(out.status.success(), "mktorrent: {out:?}");
        Fixture { dir }
    }
    fn path(&self) -> &Path {
        self.dir.path()
    }
    fn torrent(&self) -> PathBuf {
        self.path().join("rel.torrent")
    }
    fn content(&self) -> PathBuf {
        self.path().join("rel/ckpt-0")
    }
    fn s(&self, p: &str) -> String {
        self.path().join(p).display().to_string()
    }
}

/// Every command here waits on peers at most `WAIT`; a little more is a hang.
fn run(args: Vec<String>, cwd: &Path) -> (i32, String, String) {
    common::run_within(args, cwd, WAIT + Duration::from_secs(10))
}

/// Whole output of a command, the fixture's directory as `[ROOT]` and
/// loopback ports as `[PORT]`; timings and rates are `[..]` in the snapshots.
#[track_caller]
fn assert_run(text: &str, want: impl IntoData, fx: &Fixture) {
    assert_output(&common::loopback_ports(text), want, fx.path());
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// Loopback-only network flags.
fn lo(mut a: Vec<String>) -> Vec<String> {
    a.extend(args(&[
        "--bind",
        "127.0.0.1",
        "--port",
        "0",
        "--no-dht",
        "--no-trackers",
        "--timeout",
        "60",
    ]));
    a
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_for_port(port: u16, what: &str) {
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(start.elapsed() < WAIT, "{what} never listened on {port}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A plain librqbit session seeding the fixture, in its own runtime.
struct RqbitSeeder {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl RqbitSeeder {
    fn start(
        content: &Path,
        torrent: &Path,
        port: u16,
        limit: Option<u32>,
        peer: Option<u16>,
    ) -> Self {
        let (content, bytes) = (content.to_path_buf(), std::fs::read(torrent).unwrap());
        let (ready_tx, ready_rx) = mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let opts = librqbit::SessionOptions {
                    dht: None,
                    disable_trackers: true,
                    disable_local_service_discovery: true,
                    ipv4_only: true,
                    listen: Some(librqbit::ListenerOptions {
                        mode: librqbit::ListenerMode::TcpOnly,
                        listen_addr: SocketAddr::from(([127, 0, 0, 1], port)),
                        enable_upnp_port_forwarding: false,
                        ipv4_only: true,
                        ..Default::default()
                    }),
                    ratelimits: librqbit::limits::LimitsConfig {
                        upload_bps: limit.and_then(NonZeroU32::new),
                        download_bps: None,
                    },
                    ..Default::default()
                };
                let session = librqbit::Session::new_with_opts(content.clone(), opts)
                    .await
                    .unwrap();
                let handle = session
                    .add_torrent(
                        librqbit::AddTorrent::from_bytes(bytes),
                        Some(librqbit::AddTorrentOptions {
                            overwrite: true,
                            output_folder: Some(content.display().to_string()),
                            initial_peers: peer
                                .map(|p| vec![SocketAddr::from(([127, 0, 0, 1], p))]),
                            ..Default::default()
                        }),
                    )
                    .await
                    .unwrap()
                    .into_handle()
                    .unwrap();
                handle.wait_until_initialized().await.unwrap();
                assert!(handle.stats().finished, "seeder lacks data");
                let _ = ready_tx.send(session.listen_addr().unwrap());
                let _ = stop_rx.await;
                session.stop().await;
            });
            rt.shutdown_timeout(Duration::from_secs(1));
        });
        let addr = ready_rx.recv_timeout(WAIT).expect("seeder did not start");
        RqbitSeeder {
            addr,
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }

    fn kill(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for RqbitSeeder {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

/// A child process killed when dropped.
struct Kid(Child);

impl Drop for Kid {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn sigint(child: &Child) {
    // SAFETY: kill(2) with a pid we own and a valid signal number.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGINT);
    }
}

fn wait_exit(child: &mut Child) -> std::process::ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return s;
        }
        assert!(start.elapsed() < WAIT, "process did not exit");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A minimal HTTP tracker on loopback that hands every announcer the one
/// peer it knows (aria2c cannot be given a peer any other way).
struct Tracker {
    url: String,
    peer: Arc<Mutex<Option<SocketAddr>>>,
    done: Arc<std::sync::atomic::AtomicBool>,
}

impl Tracker {
    fn start() -> Tracker {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}/announce", listener.local_addr().unwrap());
        let peer: Arc<Mutex<Option<SocketAddr>>> = Arc::default();
        let done: Arc<std::sync::atomic::AtomicBool> = Arc::default();
        let (p, d) = (peer.clone(), done.clone());
        std::thread::spawn(move || {
            let start = Instant::now();
            while !d.load(std::sync::atomic::Ordering::Relaxed) && start.elapsed() < WAIT * 2 {
                let Ok((mut s, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(20));
                    continue;
                };
                let _ = s.set_nonblocking(false);
                let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
                let mut buf = [0u8; 4096];
                let _ = s.read(&mut buf);
                let mut body = b"d8:intervali5e5:peers".to_vec();
                match *p.lock().unwrap() {
                    Some(SocketAddr::V4(a)) => {
                        body.extend_from_slice(b"6:");
                        body.extend_from_slice(&a.ip().octets());
                        body.extend_from_slice(&a.port().to_be_bytes());
                    }
                    _ => body.extend_from_slice(b"0:"),
                }
                body.push(b'e');
                let _ = write!(
                    s,
                    "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n",
                    body.len()
                );
                let _ = s.write_all(&body);
            }
        });
        Tracker { url, peer, done }
    }
}

impl Drop for Tracker {
    fn drop(&mut self) {
        self.done.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

// (a) an in-process librqbit seeder → weightcheck fetch: everything, then
// `--only` with its boundary pieces, then `--metadata-only` and pinning.
#[test]
fn librqbit_seeder_to_weightcheck_fetch_all_only_and_metadata() {
    require("mktorrent");
    let fx = Fixture::new(None);
    let seeder = RqbitSeeder::start(&fx.content(), &fx.torrent(), 0, None, None);
    let peer = seeder.addr.to_string();

    let (code, out, err) = run(
        lo(args(&[
            "fetch",
            "--torrent",
            &fx.s("rel.torrent"),
            "--manifest",
            &fx.s("grok-demo.toml"),
            "--dest",
            &fx.s("all"),
            "--peer",
            &peer,
        ])),
        fx.path(),
    );
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("files: 146 selected: 146 verified"), "{out}");
    assert!(
        out.contains("verified (pieces, sha256, structure)"),
        "{out}"
    );
    assert!(out.contains("result: VERIFIED"), "{out}");
    assert_run(
        &out,
        str![[r#"
weightcheck fetch: [ROOT]/rel.torrent — held against the grok-demo manifest
  peers: DHT off, trackers off, local discovery off, 1 explicit peer(s)
  metadata: "ckpt-0": 146 files, 3,639,012 bytes, piece length 32,768, info-hash 1e08b3baafd360e0cb06634b7a56c7e5df35e1b9
  selected: 146 of 146 files, 3,639,012 bytes in 112 pieces
  disk: 3.6 MB to write (0 B of it in neighbouring files that share pieces), [..] free
  into: [ROOT]/all/ckpt-0
  checking: every piece against the torrent's SHA-1s, and selected files against the manifest where there is one
  transfer: 3,639,012 bytes in [..] s ([..]/s); 0 bytes were already there

file                       size  verdict
...

pieces: 112 of 112 pass (3,639,012 bytes read)
files: 146 selected: 146 verified, 0 incomplete, 0 mismatched; 0 unselected file(s) partly on disk (not fetched), 0 complete though not selected

result: VERIFIED

"#]],
        &fx,
    );
    for e in std::fs::read_dir(fx.content()).unwrap() {
        let e = e.unwrap();
        let got = std::fs::read(fx.path().join("all/ckpt-0").join(e.file_name())).unwrap();
        assert_eq!(got, std::fs::read(e.path()).unwrap(), "{:?}", e.file_name());
    }

    // Shards 0-4 end inside a piece shared with shards 5-14; 14 is larger
    // than the rest of that piece, so it lands on disk partially.
    let (code, out, err) = run(
        lo(args(&[
            "fetch",
            "--torrent",
            &fx.s("rel.torrent"),
            "--manifest",
            &fx.s("grok-demo.toml"),
            "--dest",
            &fx.s("some"),
            "--peer",
            &peer,
            "--only",
            "ckpt-0/tensor0000[0-4]_000",
        ])),
        fx.path(),
    );
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("files: 5 selected: 5 verified"), "{out}");
    let partial = out
        .lines()
        .find(|l| l.starts_with("ckpt-0/tensor00014_000"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(partial.ends_with("partial, not selected"), "{partial}");
    assert!(!out.contains("tensor00014_000  91,129  verified"), "{out}");
    assert_run(
        &out,
        str![[r#"
weightcheck fetch: [ROOT]/rel.torrent — held against the grok-demo manifest
  peers: DHT off, trackers off, local discovery off, 1 explicit peer(s)
  metadata: "ckpt-0": 146 files, 3,639,012 bytes, piece length 32,768, info-hash 1e08b3baafd360e0cb06634b7a56c7e5df35e1b9
  selected: 5 of 146 files, 406,370 bytes in 13 pieces
  disk: [..] to write ([..] of it in neighbouring files that share pieces), [..] free
  into: [ROOT]/some/ckpt-0
  checking: every piece against the torrent's SHA-1s, and selected files against the manifest where there is one
  transfer: 425,984 bytes in [..] s ([..]/s); 0 bytes were already there

file                       size  verdict
...
ckpt-0/tensor00014_000   91,129  partial, not selected
                          - 2,063 bytes on disk from pieces shared with selected files; not fetched, not verified

pieces: 13 of 112 pass (425,984 bytes read)
files: 5 selected: 5 verified, 0 incomplete, 0 mismatched; 1 unselected file(s) partly on disk (not fetched), 9 complete though not selected

result: VERIFIED

"#]],
        &fx,
    );
    // Unselected files the client created empty are gone again.
    assert!(!fx.path().join("some/ckpt-0/tensor00100_000").exists());
    let on_disk = std::fs::metadata(fx.path().join("some/ckpt-0/tensor00014_000")).unwrap();
    assert!(on_disk.len() < 91_129);

    // `weightcheck verify` on the partial copy does not call it complete either.
    let (code, vout, verr) = run(
        args(&[
            "verify",
            &fx.s("some"),
            "--manifest",
            &fx.s("grok-demo.toml"),
            "--quiet",
        ]),
        fx.path(),
    );
    assert_eq!(code, 1, "{vout}");
    assert!(vout.contains("result: FAILED"), "{vout}");
    assert_run(
        &vout,
        str![[r#"
weightcheck verify: grok-demo (synthetic Grok-style release) (weightcheck, 2024-03-17) in [ROOT]/some
  looked: [ROOT]/some: 15 of 146 release files present

file                    tensor                                                      verdict        digest
ckpt-0/tensor00014_000  transformer/decoder_layer_1/moe/linear/w                    wrong_size     sha256 DIFFERS
                          - size 2063 bytes, expected 91129
                          - byte 195: BINBYTES claims 88064 bytes but only 1863 remain (truncated or hostile)
                          - SHA-256 differs from the manifest
                          expected 1a08692a810923f8837bd4e1b6f6e453b2a46a22e3a8d9c13a8dc6277f1bc261
                          actual   a2749fd4d70559803dfcae6efb981b4ff449d0fe9096c17b307499866322be75
...

files: 15/146 present, 131 missing, 0 extra, 1 wrong size
structure: 14/146 structurally correct
digests: 14 match, 1 differ, 131 not checked (missing or unreadable), 0 not published in the manifest
hashed 425,984 bytes, 0 bytes from the verification cache

result: FAILED — 132 problems found (above)

"#]],
        &fx,
    );
    assert_run(&verr, str![], &fx);

    // --metadata-only: the info dictionary from the peer, byte for byte.
    let info_hash = weightcheck::torrent::Metainfo::from_file(fx.torrent())
        .unwrap()
        .info_hash_hex();
    let (code, out, err) = run(
        lo(args(&[
            "fetch",
            "--metadata-only",
            "--magnet",
            &format!("magnet:?xt=urn:btih:{info_hash}"),
            "--peer",
            &peer,
            "--out",
            &fx.s("meta.torrent"),
            "--manifest",
            &fx.s("grok-demo.toml"),
        ])),
        fx.path(),
    );
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("its SHA-1 is the magnet's info-hash"), "{out}");
    assert!(
        out.contains("piece length 32,768 bytes, 112 pieces, 146 files"),
        "{out}"
    );
    assert!(out.contains("131,234  tensor00000_000"), "{out}");
    assert_run(
        &out,
        str![[r#"
weightcheck fetch --metadata-only: magnet 1e08b3baafd360e0cb06634b7a56c7e5df35e1b9 (grok-demo (synthetic Grok-style release))
  peers: DHT off, trackers off, local discovery off, 1 explicit peer(s)
metadata: "ckpt-0" from peers; its SHA-1 is the magnet's info-hash 1e08b3baafd360e0cb06634b7a56c7e5df35e1b9
  piece length 32,768 bytes, 112 pieces, 146 files, 3,639,012 bytes
  saved: [ROOT]/meta.torrent

   size  path
131,234  tensor00000_000
...

manifest grok-demo: 146 of its 146 files are in the torrent, 0 with another size

pin this layout in a manifest: weightcheck manifest pin-torrent [ROOT]/meta.torrent --manifest FILE

"#]],
        &fx,
    );
    assert!(
        out.contains(
            "manifest grok-demo: 146 of its 146 files are in the torrent, 0 with another size"
        ),
        "{out}"
    );
    let ours = std::fs::read(fx.path().join("meta.torrent")).unwrap();
    let theirs = std::fs::read(fx.torrent()).unwrap();
    let info = |b: &[u8]| weightcheck::fetch::metadata::raw_info(b).unwrap().to_vec();
    assert_eq!(info(&ours), info(&theirs));

    // Pinning it into a manifest that names the magnet.
    let with_source = std::fs::read_to_string(fx.path().join("grok-demo.toml")).unwrap()
        + &format!(
            "\n[sources.torrent]\nmagnet = \"magnet:?xt=urn:btih:{info_hash}\"\ninfo_hash = \"{info_hash}\"\n"
        );
    std::fs::write(fx.path().join("pinned.toml"), with_source).unwrap();
    let (code, out, err) = run(
        args(&[
            "manifest",
            "pin-torrent",
            &fx.s("meta.torrent"),
            "--manifest",
            &fx.s("pinned.toml"),
        ]),
        fx.path(),
    );
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("result: PINNED"), "{out}");
    assert_run(
        &out,
        str![[r#"
weightcheck manifest pin-torrent: [ROOT]/meta.torrent into [ROOT]/pinned.toml (grok-demo (synthetic Grok-style release))
manifest grok-demo: 146 of its 146 files are in the torrent, 0 with another size
  pinned: name "ckpt-0", piece length 32,768, 146 files, 3,639,012 bytes

result: PINNED

"#]],
        &fx,
    );
    assert_run(&err, str![], &fx);
    let pinned =
        weightcheck::manifest::Manifest::from_file(&fx.path().join("pinned.toml")).unwrap();
    let t = pinned.sources.torrent.unwrap();
    assert_eq!(t.piece_length, Some(32768));
    assert_eq!(t.name.as_deref(), Some("ckpt-0"));
    assert_eq!(t.files.len(), 146);
    assert_eq!(
        (t.files[0].path.as_str(), t.files[0].size),
        ("tensor00000_000", 131_234)
    );
    seeder.kill();
}

// (b) aria2c seeding → weightcheck fetch --peer.
#[test]
fn aria2c_seeder_to_weightcheck_fetch() {
    require("mktorrent");
    require("aria2c");
    let fx = Fixture::new(None);
    let port = free_port();
    let _aria = Kid(Command::new("aria2c")
        .args([
            "--seed-ratio=0.0",
            "--check-integrity=true",
            "--enable-dht=false",
            "--enable-dht6=false",
            "--bt-enable-lpd=false",
            "--enable-peer-exchange=false",
            "--disable-ipv6=true",
            "--interface=127.0.0.1",
            "--summary-interval=0",
            "--console-log-level=warn",
            &format!("--listen-port={port}"),
            "-d",
        ])
        .arg(fx.path().join("rel"))
        .arg(fx.torrent())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start aria2c"));
    wait_for_port(port, "aria2c");
    let (code, out, err) = run(
        lo(args(&[
            "fetch",
            "--torrent",
            &fx.s("rel.torrent"),
            "--manifest",
            &fx.s("grok-demo.toml"),
            "--dest",
            &fx.s("dl"),
            "--peer",
            &format!("127.0.0.1:{port}"),
        ])),
        fx.path(),
    );
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("files: 146 selected: 146 verified"), "{out}");
    assert!(out.contains("result: VERIFIED"), "{out}");
}

// (c) weightcheck seed (a real process) → aria2c downloads it and its own
// integrity check passes; SIGINT stops the seed cleanly.
#[test]
fn weightcheck_seed_to_aria2c() {
    require("mktorrent");
    require("aria2c");
    let tracker = Tracker::start();
    let fx = Fixture::new(Some(&tracker.url));
    let mut seed = Kid(Command::new(env!("CARGO_BIN_EXE_weightcheck"))
        .args(["seed"])
        .arg(fx.content())
        .arg("--torrent")
        .arg(fx.torrent())
        .args([
            "--bind",
            "127.0.0.1",
            "--port",
            "0",
            "--no-dht",
            "--no-trackers",
            "--timeout",
            "60",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start weightcheck seed"));
    let mut lines = BufReader::new(seed.0.stdout.take().unwrap()).lines();
    let mut head = String::new();
    let addr: SocketAddr = loop {
        let line = lines.next().expect("seed exited early").unwrap();
        head.push_str(&line);
        head.push('\n');
        if let Some(rest) = line.trim().strip_prefix("seeding on ") {
            break rest.split_whitespace().next().unwrap().parse().unwrap();
        }
    };
    assert!(head.contains("verified: 112 of 112 pieces pass"), "{head}");
    *tracker.peer.lock().unwrap() = Some(addr);

    let dl = fx.path().join("aria");
    let aria = |extra: &[&str]| {
        let mut c = Command::new("timeout");
        c.arg("60")
            .arg("aria2c")
            .args([
                "--seed-time=0",
                "--enable-dht=false",
                "--enable-dht6=false",
                "--bt-enable-lpd=false",
                "--enable-peer-exchange=false",
                "--disable-ipv6=true",
                "--interface=127.0.0.1",
                "--summary-interval=0",
                &format!("--listen-port={}", free_port()),
            ])
            .args(extra)
            .arg("-d")
            .arg(&dl)
            .arg(fx.torrent());
        c.output().expect("run aria2c")
    };
    let got = aria(&[]);
    assert!(got.status.success(), "aria2c download: {got:?}");
    let check = aria(&["--check-integrity=true"]);
    let text = String::from_utf8_lossy(&check.stdout);
    assert!(check.status.success(), "aria2c -V: {check:?}");
    assert!(text.contains("OK"), "{text}");
    for e in std::fs::read_dir(fx.content()).unwrap() {
        let e = e.unwrap();
        let got = std::fs::read(dl.join("ckpt-0").join(e.file_name())).unwrap();
        assert_eq!(got, std::fs::read(e.path()).unwrap(), "{:?}", e.file_name());
    }

    sigint(&seed.0);
    let status = wait_exit(&mut seed.0);
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(status.success(), "{status:?} {rest:?}");
    assert!(
        rest.iter().any(|l| l.contains("stopped: uploaded")),
        "{rest:?}"
    );
}

// (d) the seeder dies mid-transfer and comes back: the same fetch carries
// on and ends verified; then a fetch stopped by Ctrl-C resumes.
#[test]
fn fetch_survives_a_seeder_restart_and_resumes_after_ctrl_c() {
    require("mktorrent");
    let fx = Fixture::new(None);
    let fetch_port = free_port();
    // 512 KiB/s: the 3.6 MB payload takes about seven seconds.
    let first = RqbitSeeder::start(&fx.content(), &fx.torrent(), 0, Some(512 << 10), None);
    let (tx, rx) = mpsc::channel();
    {
        let a = args(&[
            "fetch",
            "--torrent",
            &fx.s("rel.torrent"),
            "--manifest",
            &fx.s("grok-demo.toml"),
            "--dest",
            &fx.s("d"),
            "--peer",
            &first.addr.to_string(),
            "--bind",
            "127.0.0.1",
            "--port",
            &fetch_port.to_string(),
            "--no-dht",
            "--no-trackers",
            "--timeout",
            "60",
        ]);
        let cwd = fx.path().to_path_buf();
        std::thread::spawn(move || {
            let _ = tx.send(run(a, &cwd));
        });
    }
    std::thread::sleep(Duration::from_millis(1500));
    first.kill();
    let landed = dir_bytes(&fx.path().join("d/ckpt-0"));
    assert!(
        landed < 3_639_012,
        "the transfer was already over ({landed} bytes)"
    );
    // Back, and dialling the fetcher, which would otherwise wait out its
    // reconnect back-off (10 s and more) before trying the old address.
    let second = RqbitSeeder::start(&fx.content(), &fx.torrent(), 0, None, Some(fetch_port));
    let (code, out, err) = rx.recv_timeout(WAIT).expect("fetch did not finish");
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("files: 146 selected: 146 verified"), "{out}");
    assert!(out.contains("result: VERIFIED"), "{out}");
    second.kill();

    // Ctrl-C on a real process mid-transfer, then the same command again.
    let slow = RqbitSeeder::start(&fx.content(), &fx.torrent(), 0, Some(512 << 10), None);
    let cmd = |peer: &SocketAddr| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_weightcheck"));
        c.args(["fetch", "--torrent"])
            .arg(fx.torrent())
            .arg("--manifest")
            .arg(fx.path().join("grok-demo.toml"))
            .arg("--dest")
            .arg(fx.path().join("r"))
            .args([
                "--peer",
                &peer.to_string(),
                "--bind",
                "127.0.0.1",
                "--port",
                "0",
            ])
            .args(["--no-dht", "--no-trackers", "--timeout", "60"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        c
    };
    let mut child = Kid(cmd(&slow.addr).spawn().unwrap());
    std::thread::sleep(Duration::from_millis(1500));
    sigint(&child.0);
    let status = wait_exit(&mut child.0);
    let mut out = String::new();
    child
        .0
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    assert_eq!(status.code(), Some(130), "{out}");
    assert!(out.contains("result: INTERRUPTED"), "{out}");
    assert!(
        !out.contains("verified ("),
        "an interrupted fetch verified nothing: {out}"
    );
    assert!(fx.path().join("r/.weightcheck/session").is_dir());
    let kept = dir_bytes(&fx.path().join("r/ckpt-0"));
    slow.kill();

    let fast = RqbitSeeder::start(&fx.content(), &fx.torrent(), 0, None, None);
    let done = cmd(&fast.addr).output().unwrap();
    let out = String::from_utf8_lossy(&done.stdout);
    assert_eq!(
        done.status.code(),
        Some(0),
        "{out}\n{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let already: u64 = out
        .lines()
        .find_map(|l| {
            l.split("; ")
                .nth(1)?
                .strip_suffix(" bytes were already there")
                .map(str::to_string)
        })
        .map(|n| n.replace(',', "").parse().unwrap())
        .unwrap_or_else(|| panic!("{out}"));
    // Pieces in flight at Ctrl-C are dropped; the rest must be reused.
    assert!(
        already > 0 && already >= kept / 2,
        "resumed {already} of {kept} bytes: {out}"
    );
    assert!(out.contains("files: 146 selected: 146 verified"), "{out}");
    fast.kill();
}

fn dir_bytes(dir: &Path) -> u64 {
    // Allocated blocks, not lengths: selected files are created at full length.
    use std::os::unix::fs::MetadataExt;
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok()?.metadata().ok())
                .map(|m| m.blocks() * 512)
                .sum()
        })
        .unwrap_or(0)
}
