//! What a fetch really produced, file by file.
//!
//! A file counts as fetched only when every piece holding its bytes hashes
//! to the torrent's SHA-1 (or, where a boundary piece cannot be read
//! because its neighbour was not fetched, when the whole file matches the
//! manifest's SHA-256). A file's size on disk says nothing: the client
//! creates selected files at full length before it has their bytes, and
//! writes into unselected neighbours the parts of pieces they share.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::hash::engine::{self, CacheMode, FileStatus, HashPlan, PiecePlan, PlanFile, Progress};
use crate::manifest::Manifest;
use crate::torrent::Metainfo;
use crate::verdict::{FileVerdict, Outcome, Tally};
use crate::verify::{self, Located};
use crate::{Error, Result};

/// Where the manifest's files are inside a torrent.
#[derive(Debug, Clone, Serialize)]
pub struct ManifestMap {
    /// The directory, relative to the destination, that the manifest's
    /// paths are relative to (`""` or `grok-1`).
    pub prefix: String,
    /// For each torrent file, the index of the manifest file it is.
    pub of_torrent_file: Vec<Option<usize>>,
    /// Manifest files the torrent does not have.
    pub not_in_torrent: Vec<String>,
}

/// A torrent file's path relative to the destination directory: under the
/// torrent's name for a multi-file torrent, the name itself for a single
/// file.
pub fn dest_path(meta: &Metainfo, file: usize) -> String {
    if meta.single_file {
        meta.name.clone()
    } else {
        format!("{}/{}", meta.name, meta.files[file].relative_path())
    }
}

/// The directory a torrent's files are written under, inside `dest`.
pub fn download_root(dest: &Path, meta: &Metainfo) -> PathBuf {
    if meta.single_file {
        dest.to_path_buf()
    } else {
        dest.join(&meta.name)
    }
}

/// Matches manifest paths to torrent files: a torrent file is a manifest
/// file when its destination path ends with the manifest path, all under
/// one common directory.
pub fn map_manifest(meta: &Metainfo, manifest: &Manifest) -> Result<ManifestMap> {
    let by_path: HashMap<&str, usize> = manifest
        .files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.path.as_str(), i))
        .collect();
    let mut votes: HashMap<String, usize> = HashMap::new();
    let full: Vec<String> = (0..meta.files.len()).map(|i| dest_path(meta, i)).collect();
    for p in &full {
        for (prefix, rest) in suffixes(p) {
            if by_path.contains_key(rest) {
                *votes.entry(prefix.to_string()).or_default() += 1;
            }
        }
    }
    let Some(prefix) = votes
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
        .map(|(p, _)| p)
    else {
        return Err(Error::Fetch(format!(
            "the torrent ({} files, e.g. {:?}) holds none of the manifest's {} files (e.g. {:?}): \
             is it the right manifest?",
            meta.files.len(),
            full.first().cloned().unwrap_or_default(),
            manifest.files.len(),
            manifest
                .files
                .first()
                .map(|f| f.path.clone())
                .unwrap_or_default()
        )));
    };
    let mut of_torrent_file = vec![None; meta.files.len()];
    let mut found = vec![false; manifest.files.len()];
    for (i, p) in full.iter().enumerate() {
        let rest = if prefix.is_empty() {
            Some(p.as_str())
        } else {
            p.strip_prefix(prefix.as_str())
                .and_then(|r| r.strip_prefix('/'))
        };
        if let Some(&m) = rest.and_then(|r| by_path.get(r)) {
            of_torrent_file[i] = Some(m);
            found[m] = true;
        }
    }
    let not_in_torrent = manifest
        .files
        .iter()
        .zip(&found)
        .filter(|(_, f)| !**f)
        .map(|(e, _)| e.path.clone())
        .collect();
    Ok(ManifestMap {
        prefix,
        of_torrent_file,
        not_in_torrent,
    })
}

/// Every split of `a/b/c` into a directory and the rest: ("", "a/b/c"),
/// ("a", "b/c"), ("a/b", "c").
fn suffixes(p: &str) -> impl Iterator<Item = (&str, &str)> {
    std::iter::once(("", p)).chain(
        p.match_indices('/')
            .map(move |(i, _)| (&p[..i], &p[i + 1..])),
    )
}

/// The verdict on one torrent file after a fetch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "state")]
#[non_exhaustive]
pub enum FileState {
    /// Selected, and its content is proven.
    Verified {
        /// Every piece holding its bytes matched the torrent.
        pieces: bool,
        /// Its SHA-256 matched the manifest.
        sha256: bool,
        /// Its decoded structure matched what the manifest's architecture
        /// puts there.
        structure: bool,
    },
    /// Selected, but not all of its content is there or proven.
    Incomplete {
        /// Pieces holding its bytes that did not pass.
        failed_pieces: usize,
        /// Pieces holding its bytes.
        pieces: usize,
        /// Why, for the user.
        detail: String,
    },
    /// Selected and complete per the torrent, but not what the manifest says.
    Mismatch {
        /// What differs.
        problems: Vec<String>,
    },
    /// Not selected and not on disk.
    NotSelected,
    /// Not selected; some of its bytes are on disk because they share a
    /// piece with a selected file. Not fetched, not verified.
    PartialNotSelected {
        /// Bytes on disk.
        on_disk: u64,
    },
    /// Not selected, yet every piece of it passed (it lies within pieces
    /// shared with selected files).
    CompleteNotSelected,
}

impl FileState {
    /// The state in the vocabulary every command shares: a selected file
    /// is ok only when verified; incomplete is content missing, a mismatch
    /// is content that differs; unselected files were not checked.
    pub fn verdict(&self) -> FileVerdict {
        match self {
            FileState::Verified { .. } => FileVerdict::Ok,
            FileState::Incomplete { .. } => FileVerdict::Missing,
            FileState::Mismatch { .. } => FileVerdict::HashMismatch,
            FileState::NotSelected
            | FileState::PartialNotSelected { .. }
            | FileState::CompleteNotSelected => FileVerdict::NotChecked,
        }
    }

    /// A short label for tables.
    pub fn label(&self) -> String {
        match self {
            FileState::Verified {
                pieces,
                sha256,
                structure,
            } => {
                let by: Vec<&str> = [
                    (*pieces, "pieces"),
                    (*sha256, "sha256"),
                    (*structure, "structure"),
                ]
                .iter()
                .filter(|(b, _)| *b)
                .map(|(_, s)| *s)
                .collect();
                format!("verified ({})", by.join(", "))
            }
            FileState::Incomplete {
                failed_pieces,
                pieces,
                ..
            } => format!("INCOMPLETE ({failed_pieces} of {pieces} pieces missing or bad)"),
            FileState::Mismatch { .. } => "MISMATCH".into(),
            FileState::NotSelected => "not selected".into(),
            FileState::PartialNotSelected { .. } => "partial, not selected".into(),
            FileState::CompleteNotSelected => "complete, not selected".into(),
        }
    }
}

/// One torrent file after a fetch.
#[derive(Debug, Clone, Serialize)]
pub struct FileCheck {
    /// Index in the torrent.
    pub index: usize,
    /// Path relative to the destination directory.
    pub path: String,
    /// Length per the torrent.
    pub length: u64,
    /// Whether it was selected for the fetch.
    pub selected: bool,
    /// The verdict.
    pub state: FileState,
    /// The manifest path, if the manifest lists it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manifest_path: Option<String>,
    /// The tensor the manifest's architecture puts in it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tensor: Option<String>,
}

/// Everything checked after a fetch.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct CheckReport {
    /// Every torrent file, in torrent order.
    pub files: Vec<FileCheck>,
    /// Pieces in the torrent.
    pub pieces: usize,
    /// Pieces that hashed correctly.
    pub pieces_passed: usize,
    /// Bytes read to check.
    pub bytes_hashed: u64,
    /// Bytes whose results came from the verification cache.
    pub bytes_cached: u64,
    /// Wall-clock seconds spent checking.
    pub seconds: f64,
    /// Where the manifest's files are in the torrent, if a manifest was used.
    pub manifest: Option<ManifestMap>,
    /// What could not be established, and other remarks.
    pub notes: Vec<String>,
}

/// Counts over a [`CheckReport`].
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Counts {
    /// Selected files.
    pub selected: usize,
    /// Selected and verified.
    pub verified: usize,
    /// Selected and incomplete.
    pub incomplete: usize,
    /// Selected and complete but contradicting the manifest.
    pub mismatched: usize,
    /// Unselected files with some bytes on disk.
    pub partial_not_selected: usize,
    /// Unselected files that are complete all the same.
    pub complete_not_selected: usize,
}

impl CheckReport {
    /// Whether every selected file is verified.
    pub fn passed(&self) -> bool {
        let c = self.counts();
        c.verified == c.selected
    }

    /// The verdict rule ([`Outcome`]) on a fetch: every selected file's
    /// pieces proven → VERIFIED; any selected file incomplete or not what
    /// the manifest says → FAILED; nothing selected → NOTHING CHECKED.
    pub fn outcome(&self) -> Outcome {
        let selected = self.files.iter().filter(|f| f.selected);
        let failures = selected
            .clone()
            .filter(|f| f.state.verdict() != FileVerdict::Ok)
            .count();
        Outcome::judge(&Tally {
            present: selected.count(),
            failures,
            content_unchecked: 0,
        })
    }

    /// Counts by verdict.
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for f in &self.files {
            if f.selected {
                c.selected += 1;
            }
            match f.state {
                FileState::Verified { .. } => c.verified += 1,
                FileState::Incomplete { .. } => c.incomplete += 1,
                FileState::Mismatch { .. } => c.mismatched += 1,
                FileState::PartialNotSelected { .. } => c.partial_not_selected += 1,
                FileState::CompleteNotSelected => c.complete_not_selected += 1,
                FileState::NotSelected => {}
            }
        }
        c
    }
}

/// Checks the files of `meta` under `dest` after a fetch of `selected`:
/// every piece against the torrent, selected files' SHA-256s and structure
/// against `manifest` when given. `cache_file` is the verification cache
/// to use (none: hash everything).
pub fn check(
    dest: &Path,
    meta: &Metainfo,
    selected: &[usize],
    manifest: Option<&Manifest>,
    cache_file: Option<PathBuf>,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<CheckReport> {
    let mut is_selected = vec![false; meta.files.len()];
    for &i in selected {
        if let Some(s) = is_selected.get_mut(i) {
            *s = true;
        }
    }
    let map = manifest.map(|m| map_manifest(meta, m)).transpose()?;
    let manifest_entry = |i: usize| {
        let m = manifest?;
        let k = map.as_ref()?.of_torrent_file[i]?;
        m.files.get(k)
    };

    let files: Vec<PlanFile> = meta
        .files
        .iter()
        .enumerate()
        .map(|(i, f)| PlanFile {
            path: dest_path(meta, i),
            size: f.length,
            sha256: is_selected[i] && manifest_entry(i).is_some_and(|e| e.sha256.is_some()),
            git_blob: false,
            md5: false,
        })
        .collect();
    let mut plan = HashPlan::new(files).with_pieces(PiecePlan::of_torrent(meta));
    if let Some(c) = cache_file {
        plan = plan.with_cache(CacheMode::On);
        plan.cache_file = Some(c);
    }
    let report = engine::run(dest, &plan, progress)?;
    let pieces = report
        .pieces
        .as_ref()
        .ok_or_else(|| Error::Fetch("the hash engine returned no piece results".into()))?;

    // Structure, through the same checks as `weightcheck verify`.
    let structure: HashMap<String, verify::FileResult> = match (manifest, &map) {
        (Some(m), Some(mm)) => {
            let root = if mm.prefix.is_empty() {
                dest.to_path_buf()
            } else {
                dest.join(&mm.prefix)
            };
            match Located::at(&root, m) {
                Ok(located) => verify::verify(
                    m,
                    &located,
                    &verify::Options {
                        check_hashes: false,
                        tokenizer: None,
                        ..Default::default()
                    },
                )?
                .files
                .into_iter()
                .map(|f| (f.path.clone(), f))
                .collect(),
                // Nothing was written under the manifest's root.
                Err(_) => HashMap::new(),
            }
        }
        _ => HashMap::new(),
    };

    let piece_map = meta.piece_map();
    let mut out = Vec::with_capacity(meta.files.len());
    for (i, f) in meta.files.iter().enumerate() {
        let fr = &report.files[i];
        let entry = manifest_entry(i);
        let piece_range = piece_map.pieces_of_file(i);
        let n_pieces = piece_range.len();
        let bad: Vec<&engine::BadPiece> = pieces
            .failed
            .iter()
            .filter(|b| b.index < piece_range.end && piece_range.start < b.pieces().end)
            .collect();
        let on_disk = fr.actual_size.unwrap_or(0);
        let present = fr.status == FileStatus::Ok && fr.error.is_none();
        let pieces_ok = present && fr.failed_pieces.is_empty();
        let sha = match (entry.and_then(|e| e.sha256.as_deref()), &fr.sha256) {
            (Some(want), Some(got)) => Some(want.eq_ignore_ascii_case(got)),
            _ => None,
        };
        let state = if !is_selected[i] {
            if pieces_ok && (on_disk > 0 || f.length == 0) {
                FileState::CompleteNotSelected
            } else if on_disk > 0 {
                FileState::PartialNotSelected { on_disk }
            } else {
                FileState::NotSelected
            }
        } else if pieces_ok || (present && sha == Some(true)) {
            let mut problems = Vec::new();
            if sha == Some(false) {
                problems.push(format!(
                    "SHA-256 {} differs from the manifest's {}",
                    fr.sha256.as_deref().unwrap_or("?"),
                    entry.and_then(|e| e.sha256.as_deref()).unwrap_or("?")
                ));
            }
            let mut structure_ok = false;
            if let Some(e) = entry {
                if e.size != f.length {
                    problems.push(format!(
                        "the torrent says {} bytes, the manifest {}",
                        f.length, e.size
                    ));
                }
                match structure.get(&e.path) {
                    Some(r) if r.verdict == FileVerdict::Ok => structure_ok = r.structure_ok,
                    Some(r) => problems.extend(r.problems.iter().cloned()),
                    None => problems.push("not found where the manifest's files are".into()),
                }
            }
            if problems.is_empty() {
                FileState::Verified {
                    pieces: pieces_ok,
                    sha256: sha == Some(true),
                    structure: structure_ok,
                }
            } else {
                FileState::Mismatch { problems }
            }
        } else {
            let detail = if !present {
                match fr.status {
                    FileStatus::Missing => "not on disk".to_string(),
                    FileStatus::Short => format!("{on_disk} of {} bytes on disk", f.length),
                    _ => fr
                        .error
                        .clone()
                        .unwrap_or_else(|| format!("{:?}", fr.status).to_lowercase()),
                }
            } else if bad.iter().all(|b| b.reason == "unreadable")
                // Only a file's first and last pieces can reach into a
                // neighbour: a long run is decided by its first piece
                // that lies wholly inside the file.
                && fr
                    .failed_pieces
                    .iter()
                    .all(|r| r.clone().all(|p| piece_map.spans(p).len() > 1))
            {
                "its boundary pieces cannot be checked because a neighbouring file is missing, \
                 and the manifest has no SHA-256 for it"
                    .to_string()
            } else {
                let first: Vec<String> = fr
                    .failed_pieces
                    .iter()
                    .flat_map(Clone::clone)
                    .take(5)
                    .map(|p| p.to_string())
                    .collect();
                format!(
                    "pieces {}{} missing or bad",
                    first.join(", "),
                    if fr.failed_piece_count() > 5 {
                        ", …"
                    } else {
                        ""
                    }
                )
            };
            FileState::Incomplete {
                failed_pieces: fr.failed_piece_count(),
                pieces: n_pieces,
                detail,
            }
        };
        out.push(FileCheck {
            index: i,
            path: dest_path(meta, i),
            length: f.length,
            selected: is_selected[i],
            state,
            manifest_path: entry.map(|e| e.path.clone()),
            tensor: entry
                .and_then(|e| structure.get(&e.path))
                .and_then(|r| r.tensor.clone()),
        });
    }

    let mut notes = Vec::new();
    if let (Some(m), Some(mm)) = (manifest, &map) {
        if let Some(t) = &m.sources.torrent {
            if t.info_hash != meta.info_hash() {
                notes.push(format!(
                    "this torrent ({}) is not the release's own ({}); files were held against \
                     the manifest all the same",
                    meta.info_hash_hex(),
                    t.info_hash
                ));
            }
        }
        if !mm.not_in_torrent.is_empty() {
            notes.push(format!(
                "{} of the manifest's files are not in the torrent (e.g. {})",
                mm.not_in_torrent.len(),
                mm.not_in_torrent[0]
            ));
        }
        let extra = mm.of_torrent_file.iter().filter(|m| m.is_none()).count();
        if extra > 0 {
            notes.push(format!(
                "{extra} torrent file(s) are not in the manifest; they are checked by piece hashes only"
            ));
        }
    }
    if let Some(w) = &report.cache_warning {
        notes.push(w.clone());
    }
    Ok(CheckReport {
        files: out,
        pieces: pieces.count,
        pieces_passed: pieces.passed,
        bytes_hashed: report.bytes_hashed,
        bytes_cached: report.bytes_cached,
        seconds: report.seconds,
        manifest: map,
        notes,
    })
}

/// How a torrent's files line up with a manifest's.
#[derive(Debug, Clone)]
pub struct LayoutComparison {
    /// The manifest's files found in the torrent.
    pub matched: usize,
    /// Found, with another size: (manifest path, torrent size, manifest size).
    pub wrong_size: Vec<(String, u64, u64)>,
    /// Torrent files (indices) the manifest does not list.
    pub extra: Vec<usize>,
    /// Manifest paths the torrent does not hold.
    pub not_in_torrent: Vec<String>,
    /// The torrent directory the manifest's paths sit under.
    pub prefix: String,
}

impl LayoutComparison {
    /// Whether the torrent holds every manifest file at the manifest's size
    /// (files only the torrent has are allowed: READMEs, licenses).
    pub fn agrees(&self) -> bool {
        self.wrong_size.is_empty() && self.not_in_torrent.is_empty()
    }
}

/// Compares a torrent's layout with a manifest's file list.
pub fn compare_layout(meta: &Metainfo, man: &Manifest) -> Result<LayoutComparison> {
    let map = map_manifest(meta, man)?;
    let mut wrong_size = Vec::new();
    let mut matched = 0;
    let mut extra = Vec::new();
    for (i, k) in map.of_torrent_file.iter().enumerate() {
        match k {
            Some(k) => {
                matched += 1;
                if man.files[*k].size != meta.files[i].length {
                    wrong_size.push((
                        man.files[*k].path.clone(),
                        meta.files[i].length,
                        man.files[*k].size,
                    ));
                }
            }
            None => extra.push(i),
        }
    }
    Ok(LayoutComparison {
        matched,
        wrong_size,
        extra,
        not_in_torrent: map.not_in_torrent,
        prefix: map.prefix,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffix_splits() {
        let v: Vec<_> = suffixes("a/b/c").collect();
        assert_eq!(v, vec![("", "a/b/c"), ("a", "b/c"), ("a/b", "c")]);
    }
}
