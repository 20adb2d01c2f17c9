//! The library's error type: every failure names the file and, for parse
//! errors, the byte offset, so a user can find the damage with `xxd`.

use std::path::{Path, PathBuf};

/// Errors raised by the weightcheck library.
#[derive(Debug, thiserror::Error)]
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
    /// The user stopped the work (Ctrl-C) before it finished.
    #[error("interrupted: {0}")]
    Interrupted(String),
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

/// Result alias for the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;
