//! The one vocabulary for what was found about a file, shared by `verify`,
//! `hash` (and so `torrent`/`seed`) and their printers. A verdict is a
//! finding, worst first when several apply; whether a run as a whole passed
//! is decided from these, never from printed words.

use std::fmt;

use serde::Serialize;

/// What was found about one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FileVerdict {
    /// Present, and everything checked about it matched.
    Ok,
    /// Listed by the release (manifest or torrent), not on disk.
    Missing,
    /// On disk where the release lists files, but not part of it.
    Extra,
    /// On disk, but its size is not the listed size.
    WrongSize,
    /// Its bytes could not be decoded as the format it must have.
    Undecodable,
    /// Decoded, but not the tensor(s) the architecture puts there.
    BadStructure,
    /// Its content differs from a published digest (SHA-256, or a torrent
    /// piece holding its bytes).
    HashMismatch,
    /// It could not be read (permissions, I/O error, not a regular file).
    Unreadable,
    /// Its content was not checked: not part of the digests asked for, or
    /// the run stopped before reaching it.
    NotChecked,
}

impl FileVerdict {
    /// The verdict's name, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            FileVerdict::Ok => "ok",
            FileVerdict::Missing => "missing",
            FileVerdict::Extra => "extra",
            FileVerdict::WrongSize => "wrong_size",
            FileVerdict::Undecodable => "undecodable",
            FileVerdict::BadStructure => "bad_structure",
            FileVerdict::HashMismatch => "hash_mismatch",
            FileVerdict::Unreadable => "unreadable",
            FileVerdict::NotChecked => "not_checked",
        }
    }

    /// Whether this is a problem with the data (as opposed to a file that
    /// is fine, or one that simply was not checked).
    pub fn is_failure(self) -> bool {
        !matches!(self, FileVerdict::Ok | FileVerdict::NotChecked)
    }
}

impl fmt::Display for FileVerdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}
