//! Fetching and serving releases over BitTorrent, with librqbit as the
//! transport and weightcheck's own engines as the judge.
//!
//! librqbit moves the bytes; nothing it says is taken as proof. A fetch is
//! reported verified only after [`check`] has re-read every selected file
//! and matched it against the torrent's piece hashes (through
//! [`crate::hash::engine`]) and, when a manifest is given, against the
//! manifest's SHA-256s and tensor structure.
//!
//! - [`net`]: session setup shared by every command (DHT, LSD, trackers,
//!   listen port, explicit peers).
//! - [`metadata`]: BEP 9 — the info dictionary from peers, checked against
//!   the magnet's info-hash and saved as a `.torrent`.
//! - [`select`]: `--only` globs over a torrent's files.
//! - [`disk`]: free space and paths that would leave the destination.
//! - [`download`]: the fetch itself, resumable.
//! - [`check`]: what was fetched, file by file, by piece coverage.
//! - [`seed`]: verify a local copy, then serve it.
//!
//! librqbit writes whole pieces, so the bytes of an unselected file that
//! share a boundary piece with a selected one land on disk too. Such a file
//! is reported as "partial, not selected", never as fetched.

pub mod check;
pub mod disk;
pub mod download;
pub mod metadata;
pub mod net;
pub mod seed;
pub mod select;

pub use download::{fetch, FetchOptions, FetchReport, Observer, Progress, Source};
pub use net::{NetOptions, PortRange};

use crate::{Error, Result};

/// Name of the directory under a destination that holds resume state,
/// saved metadata and the verification cache.
pub const STATE_DIR: &str = ".weightcheck";

/// A tokio runtime for the blocking entry points (the CLI, the demo).
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("weightcheck-bt")
        .build()
        .map_err(|e| Error::Fetch(format!("cannot start the async runtime: {e}")))
}

/// Asks a running fetch or seed to stop. Stopping is not failing: a fetch
/// leaves its resume state and reports nothing as verified.
#[derive(Debug, Clone)]
pub struct Stop {
    rx: tokio::sync::watch::Receiver<bool>,
    /// Keeps an unfired sender alive for [`Stop::never`].
    _keep: Option<std::sync::Arc<tokio::sync::watch::Sender<bool>>>,
}

/// The sending side of a [`Stop`].
#[derive(Debug, Clone)]
pub struct StopHandle {
    tx: std::sync::Arc<tokio::sync::watch::Sender<bool>>,
}

impl StopHandle {
    /// Fires the stop.
    pub fn stop(&self) {
        self.tx.send_replace(true);
    }
}

impl Stop {
    /// A stop and the handle that fires it.
    pub fn new() -> (StopHandle, Stop) {
        let (tx, rx) = tokio::sync::watch::channel(false);
        (
            StopHandle {
                tx: std::sync::Arc::new(tx),
            },
            Stop { rx, _keep: None },
        )
    }

    /// A stop that never fires.
    pub fn never() -> Stop {
        let (tx, rx) = tokio::sync::watch::channel(false);
        Stop {
            rx,
            _keep: Some(std::sync::Arc::new(tx)),
        }
    }

    /// A stop fired by Ctrl-C (SIGINT) or, if given, after `timeout`.
    /// Must be called inside a tokio runtime.
    pub fn on_ctrl_c(timeout: Option<std::time::Duration>) -> Stop {
        let (handle, stop) = Stop::new();
        tokio::spawn(async move {
            match timeout {
                Some(t) => {
                    tokio::select! {
                        _ = tokio::signal::ctrl_c() => {}
                        () = tokio::time::sleep(t) => {}
                    }
                }
                None => {
                    if tokio::signal::ctrl_c().await.is_err() {
                        // No signal handler: dropping the handle means "never".
                        return;
                    }
                }
            }
            handle.stop();
        });
        stop
    }

    /// Whether the stop has fired.
    pub fn is_stopped(&self) -> bool {
        *self.rx.borrow()
    }

    /// Resolves once the stop fires (never, if its handle is dropped unfired).
    pub async fn wait(&mut self) {
        if self.rx.wait_for(|s| *s).await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

/// Wraps a librqbit (anyhow) error in the library's error type.
pub(crate) fn bt_error(context: &str, e: impl std::fmt::Display) -> Error {
    Error::Fetch(format!("{context}: {e:#}"))
}
