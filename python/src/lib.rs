//! The native half of the `weightcheck` Python package
//! (`weightcheck._native`): `inspect`, `inventory`, `verify` and `hash`,
//! each returning the document the CLI prints with `--json`, built by the
//! library's own printers and turned into Python objects by `pythonize`.
//! `weightcheck/__init__.py` re-exports these with the exception classes.
//!
//! Work runs with the GIL released, on a worker thread, while the calling
//! thread waits and polls for signals: Ctrl-C raises the library's stop
//! flag (hashing saves its progress to the cache and ends early), and the
//! call then raises `KeyboardInterrupt`.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use weightcheck::hash::engine::{self, CacheMode};
use weightcheck::hash::tree::{self, TreeOptions, TreeResult};
use weightcheck::manifest::select::{self, Selector};
use weightcheck::printer;
use weightcheck::verify::request::Request;
use weightcheck::{inventory, paths, Error};

/// The tensor records of every tensor file at `path` (a file or a
/// directory, searched recursively): `inspect PATH --json`'s `tensors`.
/// An undecodable file raises; a directory without tensor files gives [].
#[pyfunction]
fn inspect(py: Python<'_>, path: PathBuf) -> PyResult<Py<PyAny>> {
    let path = resolve(py, &path)?;
    let inv = detached(py, move |_| inventory::of_paths(&[path]))?.map_err(|e| error(py, &e))?;
    // A list missing a file's tensors would pass for the whole inventory.
    if let Some(Err(e)) = inv.entries.iter().map(|e| &e.tensors).find(|t| t.is_err()) {
        return Err(error(py, e));
    }
    let rows: Vec<_> = printer::inspect::rows(&inv.entries).collect();
    to_python(py, &rows)
}

/// The whole document of `inspect PATH --json`: tensors, undecodable files
/// (listed, not raised), files that are not tensor files, and totals.
#[pyfunction(name = "inventory")]
fn inventory_document(py: Python<'_>, path: PathBuf) -> PyResult<Py<PyAny>> {
    let path = resolve(py, &path)?;
    let inv = detached(py, move |_| inventory::of_paths(&[path]))?.map_err(|e| error(py, &e))?;
    let totals = inventory::totals(&inv.entries);
    let errors = printer::inspect::errors(&inv.entries);
    let rows = printer::inspect::rows(&inv.entries);
    let gguf = printer::gguf::headers(&inv.entries);
    let doc = printer::inspect::document(rows, &errors, &inv.other_files, &totals, gguf);
    to_python(py, &doc)
}

/// `verify PATH --json`: the release at `path` against a built-in release
/// or manifest file (`release`), a manifest file (`manifest`), a
/// config.json (`config`) and/or a checksum list (`sums`); with none of
/// them, what the directory holds decides, as in the CLI. A failed
/// verification is a document whose `result` says so, not an exception.
#[pyfunction]
#[pyo3(signature = (path, release=None, manifest=None, config=None, sums=None))]
fn verify(
    py: Python<'_>,
    path: PathBuf,
    release: Option<String>,
    manifest: Option<PathBuf>,
    config: Option<PathBuf>,
    sums: Option<PathBuf>,
) -> PyResult<Py<PyAny>> {
    let cwd = cwd(py)?;
    let resolve = |p: Option<PathBuf>| p.map(|p| paths::resolve(&cwd, &p));
    let release = match (release, manifest) {
        (Some(_), Some(_)) => {
            return Err(error(
                py,
                &Error::Invalid("give release or manifest, not both".into()),
            ))
        }
        (Some(r), None) => Some(Selector::parse(&r, &cwd)),
        (None, Some(m)) => Some(Selector::File(paths::resolve(&cwd, &m))),
        (None, None) => None,
    };
    let request = Request {
        dir: Some(paths::resolve(&cwd, &path)),
        release,
        config: resolve(config),
        sums: resolve(sums),
        check_hashes: true,
        cache: CacheMode::On,
        ..Request::default()
    };
    let report = detached(py, move |stop| {
        let mut prepared = request.prepare(&cwd)?;
        prepared.options.stop = Some(stop);
        prepared.report(&|_| {})
    })?
    .map_err(|e| error(py, &e))?;
    to_python(py, &report)
}

/// `hash PATH --json [--torrent FILE [--magnet URI]]`: SHA-256 of every file
/// under the directory `path` and, with a torrent, every piece. Bad pieces
/// and missing files are in the document (`ok` false), not exceptions.
#[pyfunction]
#[pyo3(signature = (path, torrent=None, magnet=None))]
fn hash(
    py: Python<'_>,
    path: PathBuf,
    torrent: Option<PathBuf>,
    magnet: Option<String>,
) -> PyResult<Py<PyAny>> {
    let path = resolve(py, &path)?;
    let torrent = torrent.map(|t| resolve(py, &t)).transpose()?;
    let run = detached(py, move |stop| -> weightcheck::Result<_> {
        // The engine says "not a directory" for a path that is not there;
        // Python callers expect FileNotFoundError.
        std::fs::metadata(&path).map_err(|e| Error::io(&path, e))?;
        let (meta, magnet) = select::torrent_to_hash(torrent.as_deref(), magnet.as_deref())?;
        let mut opts = TreeOptions::default();
        opts.sha256 = true;
        opts.cache = CacheMode::On;
        let mut planned = tree::plan(&path, meta.as_ref(), opts)?;
        planned.plan.stop = Some(stop);
        let report = engine::run(&planned.root, &planned.plan, &|_| {})?;
        let (verdicts, result) = tree::verdicts(&planned, &report);
        Ok((planned, report, verdicts, result, meta, magnet))
    })?
    .map_err(|e| error(py, &e))?;
    let (planned, report, verdicts, result, meta, magnet) = run;
    let doc = printer::hash::document(
        &planned.root,
        result == TreeResult::Passed,
        meta.as_ref(),
        magnet.as_ref(),
        &report,
        &verdicts,
    );
    to_python(py, &doc)
}

/// The working directory, which relative paths are relative to.
fn cwd(py: Python<'_>) -> PyResult<PathBuf> {
    std::env::current_dir().map_err(|e| error(py, &Error::io(".", e)))
}

/// `path` as the CLI resolves it, so documents name paths alike.
fn resolve(py: Python<'_>, path: &Path) -> PyResult<PathBuf> {
    Ok(paths::resolve(&cwd(py)?, path))
}

/// Runs `work` without the GIL on a worker thread, handing it a stop flag
/// that Ctrl-C raises: the calling thread (Python's main thread, where
/// signal handlers run) waits and checks for signals between waits. After
/// a signal the work is still waited for, so the hash cache is saved, and
/// the signal's exception (KeyboardInterrupt) is raised.
fn detached<R: Send>(
    py: Python<'_>,
    work: impl FnOnce(&'static AtomicBool) -> R + Send,
) -> PyResult<R> {
    // The library's stop flag is `&'static` (a signal handler raises it in
    // the CLI); one flag per call, so a Ctrl-C during one call does not
    // stop calls made later. One byte per call is leaked for that.
    let stop: &'static AtomicBool = Box::leak(Box::new(AtomicBool::new(false)));
    let (outcome, signal) = py.detach(|| {
        std::thread::scope(|scope| {
            let (tx, rx) = mpsc::channel();
            let worker = scope.spawn(move || {
                let out = work(stop);
                // The receiver outlives the worker (it is joined below).
                let _ = tx.send(());
                out
            });
            let mut signal = None;
            while let Err(mpsc::RecvTimeoutError::Timeout) =
                rx.recv_timeout(Duration::from_millis(100))
            {
                if signal.is_none() {
                    if let Err(e) = Python::attach(|py| py.check_signals()) {
                        stop.store(true, Ordering::SeqCst);
                        signal = Some(e);
                    }
                }
            }
            (worker.join(), signal)
        })
    });
    if let Some(e) = signal {
        return Err(e);
    }
    outcome.map_err(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".into());
        PyRuntimeError::new_err(format!("weightcheck failed internally: {what}"))
    })
}

fn to_python<T: serde::Serialize + ?Sized>(py: Python<'_>, value: &T) -> PyResult<Py<PyAny>> {
    Ok(pythonize::pythonize(py, value)?.unbind())
}

/// The library's error as an instance of the package's exception classes
/// (`weightcheck/_errors.py`): OS errors as `OSError`s (a missing path as
/// `FileNotFoundError`), malformed input as `ValueError`s, each also a
/// `WeightcheckError`.
fn error(py: Python<'_>, e: &Error) -> PyErr {
    match make_error(py, e) {
        Ok(err) => err,
        Err(import_failed) => import_failed,
    }
}

fn make_error(py: Python<'_>, e: &Error) -> PyResult<PyErr> {
    let errors = py.import("weightcheck._errors")?;
    let message = e.to_string();
    let (class, path, offset) = match e {
        Error::Io { path, source } => {
            let class = match source.kind() {
                std::io::ErrorKind::NotFound => "NotFoundError",
                std::io::ErrorKind::PermissionDenied => "PermissionDeniedError",
                _ => "WeightcheckOSError",
            };
            let cls = errors.getattr(class)?;
            // As Python's own OSErrors: `[Errno 2] No such file or
            // directory: 'path'`, with errno, strerror and filename set.
            let exc = match source.raw_os_error() {
                Some(code) => {
                    let strerror = std::io::Error::from_raw_os_error(code).to_string();
                    let strerror = strerror
                        .strip_suffix(&format!(" (os error {code})"))
                        .unwrap_or(&strerror)
                        .to_string();
                    cls.call1((code, strerror, path.as_os_str()))?
                }
                None => cls.call1((message,))?,
            };
            exc.setattr("path", path.as_os_str())?;
            return Ok(PyErr::from_value(exc));
        }
        Error::Format { path, offset, .. } => ("FormatError", Some(path), Some(*offset)),
        Error::Sums { path, offset, .. } => ("FormatError", Some(path), Some(*offset)),
        Error::TorrentMismatch { torrent, .. } => ("TorrentMismatchError", Some(torrent), None),
        Error::NotAFile { path, .. } | Error::TooLarge { path, .. } => {
            ("InputError", Some(path), None)
        }
        Error::Invalid(_)
        | Error::Architecture(_)
        | Error::HashPlan(_)
        | Error::Manifest { .. }
        | Error::UnknownRelease { .. }
        | Error::ReleaseNotDetected { .. } => ("InputError", None, None),
        // Network, interruption and whatever later versions add.
        _ => ("WeightcheckError", None, None),
    };
    let exc = errors.getattr(class)?.call1(PyTuple::new(py, [message])?)?;
    if let Some(path) = path {
        // As `str`, like OSError.filename (pathlib would be the odd one).
        exc.setattr("path", path.as_os_str())?;
    }
    if let Some(offset) = offset {
        exc.setattr("offset", offset)?;
    }
    Ok(PyErr::from_value(exc))
}

#[pymodule]
#[pyo3(name = "_native")]
fn native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(inspect, m)?)?;
    m.add_function(wrap_pyfunction!(inventory_document, m)?)?;
    m.add_function(wrap_pyfunction!(verify, m)?)?;
    m.add_function(wrap_pyfunction!(hash, m)?)?;
    Ok(())
}
