//! What the integration tests share: running weightcheck with its output
//! captured and comparing that output whole, failing when a program a test
//! needs is missing, a loopback server answering like the GitHub API
//! ([`github_server`]), and the reference Grok-1 writer (CPython 3.11
//! `pickle.dump` with numpy 1.26.4 and ml_dtypes 0.4.0, run through
//! scripts/grok_fixture.py).

// Each test crate compiles this module and uses a different part of it.
#![allow(dead_code)]

pub mod github_server;
pub mod hub_server;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::mpsc;
use std::time::Duration;

use weightcheck::formats::writer::{ArraySpec, ShardSpec};
use weightcheck::formats::TensorRecord;

/// Exit codes, as the binary documents them in `--help`.
pub const EXIT_OK: i32 = 0;
pub const EXIT_MISMATCH: i32 = 1;
pub const EXIT_ERROR: i32 = 2;
/// STRUCTURE OK or NOTHING CHECKED: less than VERIFIED was established.
pub const EXIT_STRUCTURE_ONLY: i32 = 3;

/// Runs the real `weightcheck ARGS` binary in `cwd`, with standard input
/// closed; returns (exit code, stdout, stderr). Its streams are pipes, so
/// it draws no progress bars and writes no colour (as in a script).
pub fn run<I, T>(args: I, cwd: &Path) -> (i32, String, String)
where
    I: IntoIterator<Item = T>,
    T: Into<OsString>,
{
    let mut command = Command::new(env!("CARGO_BIN_EXE_weightcheck"));
    command
        .args(args.into_iter().map(Into::into))
        .current_dir(cwd);
    outcome(command)
}

/// [`run`] on a thread of its own, failing the test when the command has
/// not finished within `limit`, so that a hung network command fails
/// instead of stalling the suite.
pub fn run_within<I, T>(args: I, cwd: &Path, limit: Duration) -> (i32, String, String)
where
    I: IntoIterator<Item = T>,
    T: Into<OsString>,
{
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    let cwd = cwd.to_path_buf();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(run(args, &cwd));
    });
    rx.recv_timeout(limit)
        .unwrap_or_else(|_| panic!("the command did not finish within {limit:?}"))
}

/// Asserts that `actual` is all of `expected`, a snapbox [`str!`] snapshot
/// in which `[..]` stands for any text within one line and a line `...`
/// for any run of lines,
/// with `root` (a test's temporary directory) written as `[ROOT]`. Whole
/// output, so that a line nobody looked for cannot slip into a verdict.
/// `SNAPSHOTS=overwrite cargo test --test NAME` rewrites the snapshots in
/// place after a deliberate change of output; review the diff.
///
/// [`str!`]: snapbox::str
#[track_caller]
pub fn assert_output(actual: &str, expected: impl snapbox::IntoData, root: &Path) {
    assert_redacted(actual, expected, root, &[]);
}

/// [`assert_output`] with more values that change from run to run (a commit
/// made by the test, a time computed from the clock) written as
/// placeholders, e.g. `("[HEAD]", &head)`.
#[track_caller]
pub fn assert_redacted(
    actual: &str,
    expected: impl snapbox::IntoData,
    root: &Path,
    more: &[(&'static str, &str)],
) {
    let mut redactions = snapbox::Redactions::new();
    redactions
        .insert("[ROOT]", root.to_path_buf())
        .expect("[ROOT] is a valid placeholder");
    for (placeholder, value) in more {
        redactions
            .insert(placeholder, value.to_string())
            .unwrap_or_else(|e| panic!("{placeholder}: {e}"));
    }
    // Backslashes are output (a hostile path, an escaped string), not
    // Windows separators: compare them as they are.
    snapbox::Assert::new()
        .action_env(snapbox::assert::DEFAULT_ACTION_ENV)
        .normalize_paths(false)
        .redact_with(redactions)
        .eq(actual.to_string(), expected);
}

/// `text` with every `127.0.0.1:PORT` written `127.0.0.1:[PORT]`: test servers
/// and peers listen on ports the kernel picks.
pub fn loopback_ports(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("127.0.0.1:") {
        let (head, tail) = rest.split_at(at + "127.0.0.1:".len());
        out.push_str(head);
        let digits = tail.bytes().take_while(u8::is_ascii_digit).count();
        out.push_str(if digits > 0 { "[PORT]" } else { "" });
        rest = &tail[digits..];
    }
    out.push_str(rest);
    out
}

/// Runs the built `weightcheck` binary in `cwd` with `XDG_CACHE_HOME` set to
/// `cache_home`, for what only a separate process can show: its own
/// verification cache location, its exit status, signals.
pub fn run_bin<I, T>(args: I, cwd: &Path, cache_home: &Path) -> (i32, String, String)
where
    I: IntoIterator<Item = T>,
    T: AsRef<std::ffi::OsStr>,
{
    let mut command = Command::new(env!("CARGO_BIN_EXE_weightcheck"));
    command
        .args(args)
        .current_dir(cwd)
        .env("XDG_CACHE_HOME", cache_home);
    outcome(command)
}

/// Runs `command` with standard input closed: (exit code, stdout, stderr).
/// A signal (no code) is a crash: reported as -1, which no test expects.
fn outcome(mut command: Command) -> (i32, String, String) {
    let out = command
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run the weightcheck binary");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Panics unless `program` is an executable on `PATH`. A peer client or
/// reference tool that is missing must fail the test that needs it, naming
/// the fix: a test that returns early would pass without checking anything.
/// Tests install nothing themselves; the test command does.
pub fn require(program: &str) {
    use std::os::unix::fs::PermissionsExt;
    let found = std::env::var_os("PATH").is_some_and(|paths| {
        std::env::split_paths(&paths).any(|dir| {
            std::fs::metadata(dir.join(program))
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
    });
    assert!(
        found,
        "{program} is not installed, and this test needs it: \
         run scripts/install-test-deps.sh (as root), which installs every program the tests run"
    );
}

/// The reference Python: `$WEIGHTCHECK_PYTHON`, else `<repo>/.venv/bin/python`.
/// Panics (never skips) when it is missing.
pub fn python() -> PathBuf {
    let python = std::env::var_os("WEIGHTCHECK_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".venv/bin/python"));
    assert!(
        python.exists(),
        "the reference Python {} is missing: run scripts/setup-python.sh \
         (or point WEIGHTCHECK_PYTHON at a python with numpy==1.26.4 and ml_dtypes==0.4.0)",
        python.display()
    );
    python
}

/// A Python with numpy 2.x: `$WEIGHTCHECK_PYTHON_NUMPY2`, else
/// `<repo>/.venv-numpy2/bin/python` (made by the test command). Panics
/// (never skips) when it is missing.
pub fn python_numpy2() -> PathBuf {
    let python = std::env::var_os("WEIGHTCHECK_PYTHON_NUMPY2")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".venv-numpy2/bin/python"));
    assert!(
        python.exists(),
        "the numpy 2.x Python {} is missing: run scripts/test.sh (it makes .venv-numpy2) \
         or point WEIGHTCHECK_PYTHON_NUMPY2 at a python with numpy 2.x",
        python.display()
    );
    python
}

/// A Python with the real huggingface_hub from PyPI (the version
/// scripts/test.sh pins): `$WEIGHTCHECK_PYTHON_HUB`, else
/// `<repo>/.venv-hub/bin/python`; its `hf` CLI is next to it. Panics (never
/// skips) when it is missing.
pub fn python_hub() -> PathBuf {
    let python = std::env::var_os("WEIGHTCHECK_PYTHON_HUB")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".venv-hub/bin/python"));
    assert!(
        python.exists(),
        "the huggingface_hub Python {} is missing: run scripts/test.sh (it makes .venv-hub) \
         or point WEIGHTCHECK_PYTHON_HUB at a python with huggingface_hub installed",
        python.display()
    );
    python
}

/// A Python with the real `gguf` package from PyPI (the version
/// scripts/test.sh pins): `$WEIGHTCHECK_PYTHON_GGUF`, else
/// `<repo>/.venv-gguf/bin/python`. Panics (never skips) when it is missing.
pub fn python_gguf() -> PathBuf {
    let python = std::env::var_os("WEIGHTCHECK_PYTHON_GGUF")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".venv-gguf/bin/python"));
    assert!(
        python.exists(),
        "the gguf Python {} is missing: run scripts/test.sh (it makes .venv-gguf) \
         or point WEIGHTCHECK_PYTHON_GGUF at a python with gguf==0.19.0 installed",
        python.display()
    );
    python
}

/// The Python with model-signing 1.1.1 (scripts/test.sh makes it); panics
/// when it is missing, so a signing test never passes without the real package.
pub fn python_signing() -> PathBuf {
    let python = std::env::var_os("WEIGHTCHECK_PYTHON_SIGNING")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".venv-signing/bin/python"));
    assert!(
        python.exists(),
        "the model-signing Python {} is missing: run scripts/test.sh (it makes .venv-signing) \
         or point WEIGHTCHECK_PYTHON_SIGNING at a python with model-signing 1.1.1 installed",
        python.display()
    );
    python
}

/// Runs [`python_signing`] with `args`; panics with its stderr when it
/// fails.
pub fn run_python_signing(args: &[&str]) {
    let out = Command::new(python_signing())
        .args(args)
        .output()
        .expect("run python");
    assert!(
        out.status.success(),
        "python {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `timeout 120 PROGRAM` for huggingface_hub (its Python or its `hf` CLI)
/// talking to the loopback Hub at `endpoint` only: HF_HOME is `home` (no
/// stored token, no cache outside the test), no token, no proxy, and no
/// Xet, telemetry or progress bars, so every request goes to `endpoint`
/// over plain HTTP and the output is the program's alone.
pub fn hub_client(program: &Path, endpoint: &str, home: &Path) -> Command {
    require("timeout");
    let mut c = Command::new("timeout");
    c.arg("120").arg(program);
    for var in [
        "HF_TOKEN",
        "HF_HUB_CACHE",
        "HF_HUB_OFFLINE",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ] {
        c.env_remove(var);
    }
    c.env("HF_ENDPOINT", endpoint)
        .env("HF_HOME", home)
        .env("HF_HUB_DISABLE_XET", "1")
        .env("HF_HUB_DISABLE_TELEMETRY", "1")
        .env("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        .env("HF_HUB_DISABLE_IMPLICIT_TOKEN", "1")
        .env("NO_PROXY", "127.0.0.1")
        .env("NO_COLOR", "1");
    c
}

/// Runs `scripts/grok_fixture.py ARGS` with the reference Python; panics with
/// its output when it fails. Returns its standard output.
pub fn fixture(args: &[&str]) -> String {
    script("grok_fixture.py", args)
}

/// `scripts/st_fixture.py ARGS`: files written by the `safetensors` package.
pub fn safetensors_fixture(args: &[&str]) -> String {
    script("st_fixture.py", args)
}

/// `scripts/torch_zip_fixture.py ARGS`: PyTorch zip checkpoints.
pub fn torch_fixture(args: &[&str]) -> String {
    script("torch_zip_fixture.py", args)
}

fn script(name: &str, args: &[&str]) -> String {
    let python = python();
    let out = Command::new(&python)
        .arg(repo().join("scripts").join(name))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
    assert!(
        out.status.success(),
        "{name} {args:?} failed ({}); if the venv is stale run scripts/setup-python.sh\n\
         stdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Feeds a decoded shard's own bytes back to the Rust writer.
pub fn spec_of<'a>(rec: &TensorRecord, bytes: &'a [u8]) -> ShardSpec<'a> {
    let slice = |off: u64, len: u64| &bytes[off as usize..(off + len) as usize];
    let weight = ArraySpec {
        shape: rec.shape.clone(),
        dtype: rec.dtype,
        data: Some(slice(rec.data.offset, rec.data.len)),
    };
    match &rec.scales {
        None => ShardSpec::Array(weight),
        Some(s) => ShardSpec::Quantized {
            weight,
            scales: ArraySpec {
                shape: s.shape.clone(),
                dtype: s.dtype,
                data: Some(slice(s.data.offset, s.data.len)),
            },
        },
    }
}

/// `python -m pickletools` of a file, each line cut to 120 characters.
pub fn pickletools(path: &Path) -> Vec<String> {
    let out = Command::new(python())
        .args(["-m", "pickletools"])
        .arg(path)
        .output()
        .expect("run pickletools");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .chain(String::from_utf8_lossy(&out.stderr).lines())
        .map(|l| l.chars().take(120).collect())
        .collect()
}

/// Explains how `ours` differs from the reference file at `reference`: the
/// first differing byte, both files' frames, and the two disassemblies
/// around the first opcode that differs (frame lengths and offsets aside).
pub fn explain_difference(reference: &Path, ours: &[u8]) -> String {
    let theirs = std::fs::read(reference).expect("read reference");
    let first = theirs
        .iter()
        .zip(ours)
        .position(|(a, b)| a != b)
        .unwrap_or(theirs.len().min(ours.len()));
    let ours_path = reference.with_extension("rust");
    std::fs::write(&ours_path, ours).expect("write ours");
    let (a, b) = (pickletools(reference), pickletools(&ours_path));
    // Opcodes without their offsets, frames left out.
    let ops = |v: &[String]| -> Vec<(usize, String)> {
        v.iter()
            .enumerate()
            .filter(|(_, l)| !l.contains("FRAME"))
            .map(|(i, l)| (i, l.split_once(':').map_or(l.as_str(), |x| x.1).to_string()))
            .collect()
    };
    let (oa, ob) = (ops(&a), ops(&b));
    let k = oa
        .iter()
        .zip(&ob)
        .position(|(x, y)| x.1 != y.1)
        .unwrap_or(oa.len().min(ob.len()));
    let show = |v: &[String], o: &[(usize, String)]| {
        let at = o.get(k).or(o.last()).map_or(0, |x| x.0);
        v[at.saturating_sub(8)..(at + 6).min(v.len())].join("\n")
    };
    let frames = |v: &[String]| {
        v.iter()
            .filter(|l| l.contains("FRAME"))
            .map(|l| l.trim().to_string())
            .collect::<Vec<_>>()
            .join("; ")
    };
    format!(
        "{}: python wrote {} bytes, rust {}; first differing byte at {first}\n\
         frames: python [{}], rust [{}]\n\
         --- python (pickletools)\n{}\n--- rust (pickletools)\n{}",
        reference.display(),
        theirs.len(),
        ours.len(),
        frames(&a),
        frames(&b),
        show(&a, &oa),
        show(&b, &ob)
    )
}

/// What [`run_bin_peak_rss`] saw.
pub struct Peak {
    /// Exit code (128 + signal if killed).
    pub code: i32,
    /// Standard output if at most 1 MiB; otherwise its first and last
    /// 64 KiB around a line `...`. Never read whole: the test process's own
    /// peak would count in the next child's figure (see below).
    pub out: String,
    /// Lines of standard output.
    pub out_lines: usize,
    /// Standard error.
    pub err: String,
    /// Peak resident memory in bytes.
    pub rss: u64,
}

/// Runs the binary with stdout and stderr in files under `cwd`, and returns
/// its exit code, output and peak resident memory as the kernel counted it
/// for that child (`wait4`'s `ru_maxrss`). The child is killed and the test
/// fails if it has not ended within `limit`. For the "memory stays flat"
/// limits of large inputs; the figure includes pages of memory-mapped files
/// the child touched, and, because the child is forked from the test
/// process before it execs, the test process's own peak: keep that small.
pub fn run_bin_peak_rss(args: &[&str], cwd: &Path, limit: Duration) -> Peak {
    use std::io::{BufRead, Read, Seek};
    let out_path = cwd.join(".peak-rss-stdout");
    let err_path = cwd.join(".peak-rss-stderr");
    // Reaped by wait4 below, which, unlike Child::wait, reports its rusage.
    #[allow(clippy::zombie_processes)]
    let child = Command::new(env!("CARGO_BIN_EXE_weightcheck"))
        .args(args)
        .current_dir(cwd)
        .env("XDG_CACHE_HOME", cwd.join(".cache-for-test"))
        .stdin(std::process::Stdio::null())
        .stdout(std::fs::File::create(&out_path).expect("stdout file"))
        .stderr(std::fs::File::create(&err_path).expect("stderr file"))
        .spawn()
        .expect("spawn weightcheck");
    let pid = child.id() as libc::pid_t;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut status = 0;
        // SAFETY: a zeroed rusage is a valid out-parameter; pid is our child.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        let _ = tx.send((r, status, usage.ru_maxrss as u64 * 1024));
    });
    let (r, status, rss) = match rx.recv_timeout(limit) {
        Ok(v) => v,
        Err(_) => {
            // SAFETY: signalling our own child by its pid.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            panic!("weightcheck {args:?} did not end within {limit:?}");
        }
    };
    assert_eq!(r, pid, "wait4 failed");
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        128 + libc::WTERMSIG(status)
    };
    let mut f = std::io::BufReader::new(std::fs::File::open(&out_path).expect("stdout"));
    let mut out_lines = 0;
    let mut line = Vec::new();
    while f.read_until(b'\n', &mut line).expect("read stdout") > 0 {
        out_lines += 1;
        line.clear();
    }
    let len = f.get_ref().metadata().expect("stat").len();
    const WHOLE: u64 = 1 << 20;
    const EDGE: u64 = 1 << 16;
    let mut read_at = |at: u64, n: u64| {
        let mut buf = Vec::new();
        f.seek(std::io::SeekFrom::Start(at)).expect("seek");
        f.by_ref().take(n).read_to_end(&mut buf).expect("read");
        String::from_utf8_lossy(&buf).into_owned()
    };
    let out = if len <= WHOLE {
        read_at(0, len)
    } else {
        format!("{}\n...\n{}", read_at(0, EDGE), read_at(len - EDGE, EDGE))
    };
    let err = String::from_utf8_lossy(&std::fs::read(&err_path).unwrap_or_default()).into_owned();
    Peak {
        code,
        out,
        out_lines,
        err,
        rss,
    }
}
