//! The library's error type: every failure names the file and, for parse
//! errors, the byte offset, so a user can find the damage with `xxd`.

use std::path::{Path, PathBuf};

/// Errors raised by the weightcheck library.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An operating-system error on a named file.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// Malformed, truncated, hostile or unsupported content at a byte offset.
    #[error("{}: byte {offset}: {message}", path.display())]
    Format {
        /// The file being decoded.
        path: PathBuf,
        /// Byte offset of the offending item from the start of the file.
        offset: u64,
        /// What is wrong there.
        message: String,
    },
    /// A manifest, torrent or other input that is well-formed but unusable.
    #[error("{0}")]
    Invalid(String),
    /// An architecture's hyperparameters (from a manifest or a config
    /// file) are missing, malformed or implausible.
    #[error("{0}")]
    Architecture(String),
    /// A hashing plan that cannot be carried out (piece lengths, sizes,
    /// file lists that contradict one another).
    #[error("{0}")]
    HashPlan(String),
    /// A .torrent cannot be made from the given files or options.
    #[error("{0}")]
    TorrentCreate(String),
    /// A BitTorrent transfer could not be set up or carried out.
    #[error("{0}")]
    Fetch(String),
    /// The user stopped the work (Ctrl-C) before it finished.
    #[error("interrupted: {0}")]
    Interrupted(String),
    /// A remote service (the GitHub API) answered with an error, or not at
    /// all. `kind` says which, so callers can tell a missing repository
    /// from a rate limit.
    #[error("{message}")]
    Remote {
        /// What went wrong, as a category.
        kind: RemoteKind,
        /// What went wrong, for people (service, request, status, advice).
        message: String,
    },
    /// A checksum list (`SHA256SUMS`, `MD5SUMS`, `checklist.chk`) that does
    /// not parse, names an unsafe path, or lists a file twice.
    #[error("{}: line {line} (byte {offset}): {message}", path.display())]
    Sums {
        /// The list.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// Byte offset of the line's start.
        offset: u64,
        /// What is wrong.
        message: String,
    },
    /// A manifest that does not parse or contradicts itself.
    #[error("manifest {origin}: {message}")]
    Manifest {
        /// The file or built-in id.
        origin: String,
        /// What is wrong.
        message: String,
    },
    /// An input that is not a regular file (a FIFO would block `open(2)`
    /// forever, a device could be endless).
    #[error("{}: not a regular file ({kind}); weightcheck reads only regular files", path.display())]
    NotAFile {
        /// The path.
        path: PathBuf,
        /// What it is instead.
        kind: &'static str,
    },
    /// An input file larger than weightcheck reads into memory.
    #[error("{}: {size} bytes, over the {limit}-byte limit for this kind of file", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// A .torrent that is not the one a magnet link or manifest names.
    #[error("refusing {}: its info-hash {actual} is not {expected_from}'s {expected}", torrent.display())]
    TorrentMismatch {
        /// The .torrent given.
        torrent: PathBuf,
        /// Its info-hash.
        actual: crate::torrent::InfoHash,
        /// The info-hash it had to have.
        expected: crate::torrent::InfoHash,
        /// Whose info-hash that is ("the magnet link", "the grok-1 manifest").
        expected_from: String,
    },
    /// No built-in release has this id.
    #[error("no built-in manifest for release {id:?}; known: {known}")]
    UnknownRelease {
        /// What was asked for.
        id: String,
        /// The built-in ids, comma-separated.
        known: String,
    },
    /// Nothing said which release a directory holds, and it could not be
    /// told from its contents.
    #[error("cannot tell which release {} holds ({looked}); say which: {choices}", dir.display())]
    ReleaseNotDetected {
        /// The directory.
        dir: PathBuf,
        /// What was looked for.
        looked: String,
        /// The options a user has.
        choices: String,
    },
    /// `manifest pin` found no file to pin (hidden files are not part of a
    /// release, as for verify).
    #[error("{}: no files to pin (hidden files do not count)", dir.display())]
    NothingToPin {
        /// The release root examined.
        dir: PathBuf,
    },
    /// A file of a copy being pinned could not be hashed to its end, so its
    /// digest cannot be vouched for.
    #[error("{path}: could not be hashed: {why}; nothing pinned")]
    NotHashed {
        /// Release-relative path.
        path: String,
        /// What went wrong.
        why: String,
    },
    /// A manifest could not be serialised as TOML.
    #[error("cannot write the manifest as TOML: {0}")]
    ManifestToml(#[source] toml::ser::Error),
}

impl Error {
    /// Wraps an I/O error with the path it happened on.
    pub fn io(path: impl AsRef<Path>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.as_ref().to_path_buf(),
            source,
        }
    }

    /// A format error at `offset` in `path`.
    pub fn format(path: impl AsRef<Path>, offset: u64, message: impl Into<String>) -> Self {
        Error::Format {
            path: path.as_ref().to_path_buf(),
            offset,
            message: message.into(),
        }
    }
}

/// The categories of [`Error::Remote`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RemoteKind {
    /// The request could not be sent or answered (offline, DNS, TLS).
    Unreachable,
    /// 404: no such repository, ref or file (or it is private).
    NotFound,
    /// 401: the token was refused.
    Unauthorized,
    /// 403 or 429 with rate-limit headers.
    RateLimited,
    /// 403 for another reason.
    Forbidden,
    /// 5xx after retries.
    Server,
    /// Another status.
    Http,
    /// An answer that is not what the API documents.
    BadAnswer,
}

impl Error {
    /// Whether this error is a finding about the data (the input
    /// contradicts what it must be), as opposed to a usage or I/O problem:
    /// commands exit 1 for findings, 2 for the rest.
    pub fn is_mismatch(&self) -> bool {
        matches!(self, Error::TorrentMismatch { .. })
    }
}

/// Result alias for the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The deepest cause of a client error, which names the reason ("Connection
/// refused (os error 111)") where octocrab's own text says only "Service
/// Error: client error (Connect)".
#[cfg(any(feature = "github", feature = "hub"))]
pub(crate) fn root_cause(e: &dyn std::error::Error) -> String {
    let mut deepest = e.to_string();
    let mut cause = e.source();
    // Bounded: a cause chain is short, but nothing guarantees it ends.
    for _ in 0..16 {
        let Some(c) = cause else { break };
        deepest = c.to_string();
        cause = c.source();
    }
    deepest
}
