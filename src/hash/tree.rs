//! Hashing a tree a person names, alone or against a .torrent: which
//! directory holds the content, which files to read with which digests,
//! and the verdict on every file afterwards. `hash`, `torrent verify` and
//! `seed` go through here, so they agree on all three.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::engine::{CacheMode, FileReport, FileStatus, HashPlan, HashReport, PiecePlan, PlanFile};
use crate::paths::list_files;
use crate::torrent::Metainfo;
use crate::verdict::FileVerdict;
use crate::{Error, Result};

/// What to compute.
#[derive(Debug, Clone, Copy, Default)]
#[non_exhaustive]
pub struct TreeOptions {
    /// SHA-256 of every file (off: torrent pieces only).
    pub sha256: bool,
    /// git blob SHA-1 of every file.
    pub git_blob: bool,
    /// MD5 of every file (for an `md5sum` list).
    pub md5: bool,
    /// How the verification cache is used.
    pub cache: CacheMode,
}

/// A planned run over a tree.
#[derive(Debug)]
pub struct TreePlan {
    /// The directory the plan's paths are relative to.
    pub root: PathBuf,
    /// What the engine reads.
    pub plan: HashPlan,
    /// Files on disk that the torrent does not list.
    pub extras: HashSet<String>,
}

impl PiecePlan {
    /// Every piece of `meta`, over the first `meta.files.len()` plan files.
    pub fn of_torrent(meta: &Metainfo) -> Self {
        PiecePlan {
            piece_length: meta.piece_length,
            files: (0..meta.files.len()).collect(),
            hashes: Some(meta.pieces.clone()),
        }
    }
}

/// Plans hashing `given`: every file below it, or, with a torrent, the
/// torrent's files (found by [`Metainfo::content_root`]) with every piece,
/// plus the files on disk the torrent does not list.
///
/// The SHA-256 of every file of a directory, in one pass:
///
/// ```
/// use weightcheck::hash::{engine, tree};
///
/// let dir = tempfile::tempdir()?;
/// std::fs::write(dir.path().join("a.txt"), "hello")?;
///
/// let mut opts = tree::TreeOptions::default();
/// opts.sha256 = true;
/// let planned = tree::plan(dir.path(), None, opts)?;
/// let report = engine::run(&planned.root, &planned.plan, &|_progress| {})?;
/// assert!(report.all_ok());
/// assert_eq!(report.files[0].path, "a.txt");
/// assert_eq!(
///     report.files[0].sha256.as_deref(),
///     Some("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn plan(given: &Path, torrent: Option<&Metainfo>, opts: TreeOptions) -> Result<TreePlan> {
    let file = |path: String, size| PlanFile {
        path,
        size,
        sha256: opts.sha256,
        git_blob: opts.git_blob,
        md5: opts.md5,
    };
    let Some(t) = torrent else {
        if !given.is_dir() {
            return Err(Error::Invalid(format!(
                "{} is not a directory",
                given.display()
            )));
        }
        let files = list_files(given)?
            .into_iter()
            .map(|(p, size)| file(p, size))
            .collect();
        return Ok(TreePlan {
            root: given.to_path_buf(),
            plan: HashPlan::new(files).with_cache(opts.cache),
            extras: HashSet::new(),
        });
    };
    let root = t.content_root(given);
    let mut files: Vec<PlanFile> = if t.single_file {
        // A single file may be named anything on disk: the one given.
        let name = match given.is_file().then(|| given.file_name()).flatten() {
            Some(n) => n.to_string_lossy().into_owned(),
            None => t.name.clone(),
        };
        vec![file(name, t.files[0].length)]
    } else {
        t.files
            .iter()
            .map(|f| file(f.relative_path(), f.length))
            .collect()
    };
    if !root.is_dir() {
        return Err(Error::Invalid(format!(
            "{} is not a directory",
            root.display()
        )));
    }
    let mut extras = HashSet::new();
    if !t.single_file {
        let listed: HashSet<String> = files.iter().map(|f| f.path.clone()).collect();
        for (p, size) in list_files(&root)? {
            if !listed.contains(&p) {
                extras.insert(p.clone());
                files.push(PlanFile {
                    git_blob: opts.git_blob && opts.sha256,
                    md5: false,
                    ..file(p, size)
                });
            }
        }
    }
    let plan = HashPlan::new(files)
        .with_pieces(PiecePlan::of_torrent(t))
        .with_cache(opts.cache);
    Ok(TreePlan { root, plan, extras })
}

/// One file's verdict after a run; `extra` when the torrent does not list it.
pub fn file_verdict(f: &FileReport, extra: bool) -> FileVerdict {
    match f.status {
        FileStatus::Unreadable => FileVerdict::Unreadable,
        _ if f.error.is_some() => FileVerdict::Unreadable,
        _ if extra => FileVerdict::Extra,
        FileStatus::Missing => FileVerdict::Missing,
        FileStatus::Short | FileStatus::Long => FileVerdict::WrongSize,
        FileStatus::Ok if !f.failed_pieces.is_empty() => FileVerdict::HashMismatch,
        FileStatus::Ok if f.unchecked => FileVerdict::NotChecked,
        FileStatus::Ok => FileVerdict::Ok,
    }
}

/// How a run over a tree ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TreeResult {
    /// Every file read, every piece matched, nothing missing or short.
    Passed,
    /// A piece failed, a listed file is missing or has the wrong size, or
    /// a file could not be read or changed while it was read.
    Failed,
    /// Stopped before the end (progress is in the cache); nothing failed
    /// in what was read.
    Interrupted,
}

/// Every file's verdict and the result of the run. A failure found
/// before an interruption is still a finding.
pub fn verdicts(plan: &TreePlan, report: &HashReport) -> (Vec<FileVerdict>, TreeResult) {
    let verdicts: Vec<FileVerdict> = report
        .files
        .iter()
        .map(|f| file_verdict(f, plan.extras.contains(&f.path)))
        .collect();
    // Extra files are listed, not judged: the torrent is what is verified.
    let bad = verdicts
        .iter()
        .any(|v| v.is_failure() && *v != FileVerdict::Extra)
        || report.pieces.as_ref().is_some_and(|p| !p.failed.is_empty());
    let result = if bad {
        TreeResult::Failed
    } else if report.interrupted {
        TreeResult::Interrupted
    } else {
        TreeResult::Passed
    };
    (verdicts, result)
}
