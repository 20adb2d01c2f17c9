//! One-pass content hashing: every byte is read once and fed to every
//! digest that needs it — per-file SHA-256, git blob SHA-1, MD5 and BitTorrent
//! v1 piece SHA-1s across file boundaries — on all cores.
//!
//! ```no_run
//! use weightcheck::hash::engine::{self, HashPlan, PlanFile};
//! let plan = HashPlan::new(vec![PlanFile::sha256("ckpt-0/tensor00000_000", 1_610_625_024)]);
//! let report = engine::run("/data/grok-1".as_ref(), &plan, &|_| {})?;
//! println!("{:?}", report.files[0].sha256);
//! # Ok::<(), weightcheck::Error>(())
//! ```
//!
//! How work is split (see `exec.rs`): each file whose SHA-256 or git blob
//! hash is wanted is a *stream*, hashed in order in 8 MiB chunks; the
//! chunk's bytes also feed the SHA-1 of every piece they belong to. Workers
//! take the stream with the most bytes left (longest remaining processing
//! time first, within 256 MiB), so five equal shards on two cores finish
//! together instead of leaving one core idle for the last one. Bytes no
//! stream reads (pieces-only runs, cached files) are read by independent
//! piece jobs. Cached pages are hashed straight from a memory map; pages
//! not in the page cache are read with pread(2) so the kernel's readahead
//! keeps the disk busy.
//!
//! One exception to "read once": where a multi-buffer kernel runs (see
//! [`super::multibuffer`]) and the page cache holds a whole file, its
//! pieces are read again apart from its stream and hashed 16 at a time in
//! lanes. A second read from memory costs less than feeding every block to
//! one SHA-1 more; a file not cached keeps the single read, as the disk is
//! the limit there.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use serde::Serialize;

use super::multibuffer::Kernel;
use crate::torrent::PieceHashes;
use crate::{Error, Result};

/// What to hash under a root directory.
#[derive(Debug, Clone, Default)]
pub struct HashPlan {
    /// The files, with their expected sizes.
    pub files: Vec<PlanFile>,
    /// BitTorrent v1 pieces over some of the files, if wanted.
    pub pieces: Option<PiecePlan>,
    /// Whether to use the verification cache (see [`super::cache`]).
    pub cache: CacheMode,
    /// Cache file to use instead of the default for the root.
    pub cache_file: Option<PathBuf>,
    /// When this flag is raised, workers finish the unit in hand, the
    /// cache records how far every file got, and the run ends early with
    /// [`HashReport::interrupted`] set (see [`super::interrupt`]).
    pub stop: Option<&'static AtomicBool>,
    /// The multi-buffer kernel for pieces and files; `None`: the fastest
    /// this CPU runs for each digest ([`Kernel::best_for`]).
    /// [`Kernel::Single`] uses no lanes: each piece and file is one stream,
    /// each byte read once.
    pub kernel: Option<Kernel>,
}

/// One file of a [`HashPlan`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanFile {
    /// Path relative to the root, `/`-separated, without `.` or `..`.
    pub path: String,
    /// Expected size in bytes (the torrent's or manifest's figure).
    pub size: u64,
    /// Compute the file's SHA-256.
    pub sha256: bool,
    /// Compute the file's git blob SHA-1 (`blob <len>\0` + content).
    pub git_blob: bool,
    /// Compute the file's MD5 (for publishers' MD5 lists), in the same
    /// read. Off unless asked for: it costs CPU time, and the cache does
    /// not keep it (see `exec.rs`), so a file that needs it is read again.
    pub md5: bool,
}

impl PlanFile {
    /// A file whose SHA-256 is wanted.
    pub fn sha256(path: impl Into<String>, size: u64) -> Self {
        PlanFile {
            path: path.into(),
            size,
            sha256: true,
            git_blob: false,
            md5: false,
        }
    }

    /// A file only read for torrent pieces.
    pub fn pieces_only(path: impl Into<String>, size: u64) -> Self {
        PlanFile {
            sha256: false,
            ..Self::sha256(path, size)
        }
    }
}

/// BitTorrent v1 pieces over plan files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PiecePlan {
    /// Bytes per piece.
    pub piece_length: u64,
    /// Indices into [`HashPlan::files`], in torrent order; their `size`s
    /// are the torrent's file lengths.
    pub files: Vec<usize>,
    /// The expected SHA-1 of every piece; `None` only computes them (for
    /// making a torrent).
    pub hashes: Option<PieceHashes>,
}

/// How a run uses the verification cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CacheMode {
    /// Neither read nor write it.
    #[default]
    Off,
    /// Reuse results for unchanged files; record new ones.
    On,
    /// Hash everything again, then record the results.
    Full,
}

/// Progress of a run, reported to the callback every few MiB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Bytes read and hashed so far.
    pub bytes_done: u64,
    /// Bytes this run will read (cached files excluded).
    pub bytes_total: u64,
}

impl CacheMode {
    /// The mode the `--no-cache` and `--full` flags ask for.
    pub fn from_flags(no_cache: bool, full: bool) -> Self {
        match (no_cache, full) {
            (true, _) => CacheMode::Off,
            (false, true) => CacheMode::Full,
            (false, false) => CacheMode::On,
        }
    }
}

impl HashPlan {
    /// A plan over `files`, no pieces, cache off.
    pub fn new(files: Vec<PlanFile>) -> Self {
        HashPlan {
            files,
            ..Self::default()
        }
    }

    /// Adds pieces.
    pub fn with_pieces(mut self, pieces: PiecePlan) -> Self {
        self.pieces = Some(pieces);
        self
    }

    /// Sets the cache mode.
    pub fn with_cache(mut self, mode: CacheMode) -> Self {
        self.cache = mode;
        self
    }

    /// Stops the run early when `flag` is raised.
    pub fn with_stop(mut self, flag: Option<&'static AtomicBool>) -> Self {
        self.stop = flag;
        self
    }

    /// Checks the plan is self-consistent and its paths stay under the root.
    pub fn validate(&self) -> Result<()> {
        let mut seen = std::collections::HashSet::new();
        for f in &self.files {
            check_relative(&f.path)?;
            if !seen.insert(f.path.as_str()) {
                return Err(Error::HashPlan(format!(
                    "hash plan lists {:?} twice",
                    f.path
                )));
            }
        }
        if let Some(p) = &self.pieces {
            if p.piece_length == 0 {
                return Err(Error::HashPlan("piece length 0".into()));
            }
            let mut used = vec![false; self.files.len()];
            let mut total: u64 = 0;
            for &i in &p.files {
                let f = self.files.get(i).ok_or_else(|| {
                    Error::HashPlan(format!(
                        "piece plan names file #{i}, which is not in the plan"
                    ))
                })?;
                if std::mem::replace(&mut used[i], true) {
                    return Err(Error::HashPlan(format!(
                        "piece plan lists {:?} twice",
                        f.path
                    )));
                }
                total = total
                    .checked_add(f.size)
                    .ok_or_else(|| Error::HashPlan("torrent larger than 2^64 bytes".into()))?;
            }
            if let Some(h) = &p.hashes {
                let want = total.div_ceil(p.piece_length);
                if h.len() as u64 != want {
                    return Err(Error::HashPlan(format!(
                        "{total} bytes in pieces of {} need {want} piece hashes, got {}",
                        p.piece_length,
                        h.len()
                    )));
                }
            }
        }
        Ok(())
    }
}

/// Refuses paths that could leave the root.
fn check_relative(path: &str) -> Result<()> {
    let bad = |why: &str| {
        Err(Error::HashPlan(format!(
            "unsafe path {path:?} in hash plan: {why}"
        )))
    };
    if path.is_empty() {
        return bad("empty");
    }
    if path.starts_with('/') {
        return bad("absolute");
    }
    for c in path.split('/') {
        match c {
            "" => return bad("empty component"),
            "." | ".." => return bad("relative directory reference"),
            _ if c.contains('\0') => return bad("NUL byte"),
            _ => {}
        }
    }
    Ok(())
}

/// Results of a run.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct HashReport {
    /// One entry per plan file, in plan order.
    pub files: Vec<FileReport>,
    /// Piece results, if the plan had pieces.
    pub pieces: Option<PieceReport>,
    /// Bytes read from files in this run (re-reads excluded).
    pub bytes_hashed: u64,
    /// Bytes whose results came from the cache instead.
    pub bytes_cached: u64,
    /// Wall-clock duration of the run.
    pub seconds: f64,
    /// The cache file used, if any.
    pub cache_file: Option<PathBuf>,
    /// Why the cache could not be read or written, if so (never fatal).
    pub cache_warning: Option<String>,
    /// The run was stopped (Ctrl-C) before everything was read: files and
    /// pieces it did not finish are marked `unchecked` / counted in
    /// [`PieceReport::not_checked`], not failed, and the cache holds the
    /// progress so the next run continues from there.
    pub interrupted: bool,
}

/// Results for one plan file.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct FileReport {
    /// Root-relative path.
    pub path: String,
    /// Size the plan expected.
    pub expected_size: u64,
    /// Size on disk, if the file exists.
    pub actual_size: Option<u64>,
    /// Presence and size verdict.
    pub status: FileStatus,
    /// Why the file could not be read, if so.
    pub error: Option<String>,
    /// SHA-256 in hex, if asked for and the file was read to the end.
    pub sha256: Option<String>,
    /// git blob SHA-1 in hex, if asked for and the file was read to the end.
    pub git_blob_sha1: Option<String>,
    /// MD5 in hex, if asked for and the file was read to the end in this run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub md5: Option<String>,
    /// Whether the digests came from the cache.
    pub from_cache: bool,
    /// Torrent pieces holding bytes of this file that failed, as ranges
    /// of piece indices (`end` exclusive), in order.
    pub failed_pieces: Vec<Range<usize>>,
    /// The run was interrupted before this file's digests, or all of its
    /// pieces, were computed.
    pub unchecked: bool,
}

/// Presence and size of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FileStatus {
    /// Present with the expected size.
    Ok,
    /// Not there.
    Missing,
    /// Smaller than expected.
    Short,
    /// Larger than expected.
    Long,
    /// There but not readable (or not a regular file).
    Unreadable,
}

/// Piece results.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct PieceReport {
    /// Bytes per piece.
    pub piece_length: u64,
    /// Number of pieces.
    pub count: usize,
    /// Pieces that matched (or, with no expected hashes, were computed).
    pub passed: usize,
    /// Of `passed`, how many came from the cache.
    pub from_cache: usize,
    /// Every piece that did not pass, in runs of consecutive pieces that
    /// failed the same way (a missing file's million pieces are one entry).
    pub failed: Vec<BadPiece>,
    /// How many pieces did not pass: the sum of `failed`'s counts.
    pub failed_count: usize,
    /// Pieces an interrupted run did not get to (neither passed nor failed).
    pub not_checked: usize,
    /// The computed SHA-1 of every piece, only when the plan had no
    /// expected hashes (making a torrent) and every piece was hashed;
    /// empty otherwise.
    #[serde(skip)]
    pub digests: Vec<[u8; 20]>,
}

/// A run of consecutive pieces that did not pass for the same reason,
/// with every file range they cover.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BadPiece {
    /// Index of the first piece.
    pub index: usize,
    /// Number of pieces (1: a single piece).
    pub count: usize,
    /// `mismatch` (read, wrong hash) or `unreadable` (data missing or I/O error).
    pub reason: String,
    /// For `unreadable`: what was missing.
    pub detail: Option<String>,
    /// Offset of the first piece in the torrent's byte stream.
    pub stream_offset: u64,
    /// Each file range the pieces cover, in order.
    pub spans: Vec<Span>,
}

impl BadPiece {
    /// The piece indices of the run.
    pub fn pieces(&self) -> Range<usize> {
        self.index..self.index + self.count
    }

    /// `piece 4`, or `pieces 4-9` for a run.
    pub fn label(&self) -> String {
        match self.count {
            1 => format!("piece {}", self.index),
            n => format!("pieces {}-{}", self.index, self.index + n - 1),
        }
    }
}

impl FileReport {
    /// How many failed pieces hold bytes of this file.
    pub fn failed_piece_count(&self) -> usize {
        self.failed_pieces.iter().map(ExactSizeIterator::len).sum()
    }
}

/// A byte range of a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Span {
    /// Root-relative path.
    pub path: String,
    /// First byte.
    pub offset: u64,
    /// Number of bytes.
    pub length: u64,
}

impl HashReport {
    /// What an interrupted run left for the next one, in words.
    pub fn resume_hint(&self) -> &'static str {
        if self.cache_file.is_some() {
            "progress is saved in the verification cache: run the same command again to continue"
        } else {
            "nothing was saved (no verification cache)"
        }
    }

    /// Whether every file is present with its size and every piece passed.
    /// Digest comparisons against manifests are the caller's job.
    pub fn all_ok(&self) -> bool {
        !self.interrupted
            && self
                .files
                .iter()
                .all(|f| f.status == FileStatus::Ok && f.error.is_none())
            && self.pieces.as_ref().is_none_or(|p| p.failed_count == 0)
    }
}

/// Runs `plan` against the files under `root`, calling `progress` every
/// few MiB. I/O problems with individual files are reported per file, not
/// as an error; errors are for an unusable plan or root.
pub fn run(
    root: &Path,
    plan: &HashPlan,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<HashReport> {
    plan.validate()?;
    let meta = std::fs::metadata(root).map_err(|e| Error::io(root, e))?;
    if !meta.is_dir() {
        return Err(Error::HashPlan(format!(
            "{} is not a directory",
            root.display()
        )));
    }
    let bytes: u64 = plan.files.iter().map(|f| f.size).sum();
    tracing::info!(
        root = %root.display(),
        files = plan.files.len(),
        bytes,
        pieces = plan.pieces.is_some(),
        "hashing"
    );
    let report = super::exec::execute(root, plan, progress)?;
    tracing::info!(interrupted = report.interrupted, "hashing done");
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validate_refuses_escapes_and_bad_piece_plans() {
        for p in ["../x", "/etc/passwd", "a//b", "a/./b", ""] {
            let plan = HashPlan::new(vec![PlanFile::sha256(p, 1)]);
            assert!(plan.validate().is_err(), "{p}");
        }
        let files = vec![PlanFile::sha256("a", 10), PlanFile::sha256("b", 10)];
        let plan = HashPlan::new(files.clone()).with_pieces(PiecePlan {
            piece_length: 8,
            files: vec![0, 1],
            hashes: Some(vec![[0; 20]; 2].into()),
        });
        let msg = plan.validate().expect_err("needs 3").to_string();
        assert!(msg.contains("need 3 piece hashes"), "{msg}");
        let plan = HashPlan::new(files).with_pieces(PiecePlan {
            piece_length: 8,
            files: vec![0, 0],
            hashes: None,
        });
        assert!(plan.validate().is_err());
    }
}
