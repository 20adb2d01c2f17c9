//! Turning a finished run into a [`HashReport`]: digests, piece verdicts,
//! and for every bad piece the file ranges it covers (and for every file
//! the pieces of it that failed).

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::Duration;

use super::cache::Fingerprint;
use super::engine::{BadPiece, FileReport, FileStatus, HashPlan, HashReport, PieceReport, Span};
use super::exec::{lock, FileInfo, Job};
use super::pieces::Outcome;
use crate::torrent::pieces::PieceMap;

/// Why a file is not the one that was read: its size, ctime, mtime or
/// inode now differ from what they were when the run stat'ed it. A file
/// that grew, shrank or was rewritten while being hashed must fail, never
/// pass with the digest of whatever bytes happened to be read.
fn changed_since(path: &Path, start: &Fingerprint) -> Option<String> {
    let now = match std::fs::metadata(path) {
        Ok(m) => Fingerprint::of(&m),
        Err(e) => return Some(format!("changed while being read: {e}")),
    };
    if now.size != start.size {
        Some(format!(
            "changed while being read: {} bytes when the read began, {} at its end",
            start.size, now.size
        ))
    } else if now != *start {
        Some("changed while being read: rewritten in place (its ctime or inode moved)".into())
    } else {
        None
    }
}

impl Job<'_> {
    pub(super) fn report(
        &self,
        plan: &HashPlan,
        bytes_hashed: u64,
        elapsed: Duration,
        cache_file: Option<PathBuf>,
        cache_warning: Option<String>,
    ) -> HashReport {
        let digests = lock(&self.digests).clone();
        let cut_short = self.cut_short.load(Ordering::Relaxed);
        let mut files: Vec<FileReport> = self
            .files
            .iter()
            .zip(&digests)
            .map(|(info, d)| {
                let complete = d.done && d.error.is_none();
                let sha256 = info
                    .cached_sha256
                    .clone()
                    .or_else(|| d.sha256.filter(|_| complete).map(hex::encode));
                let git_blob_sha1 = info
                    .cached_git
                    .clone()
                    .or_else(|| d.git.filter(|_| complete).map(hex::encode));
                let md5 = d.md5.filter(|_| complete).map(hex::encode);
                let mut status = info.status;
                let changed = info
                    .fingerprint
                    .and_then(|start| changed_since(&info.abs, &start));
                let error = info
                    .error
                    .clone()
                    .or_else(|| d.error.clone())
                    .or_else(|| changed.clone());
                if d.error.is_some() || changed.is_some() {
                    status = FileStatus::Unreadable;
                }
                // Digests of bytes that moved under the reader prove nothing.
                let (sha256, git_blob_sha1, md5) = if changed.is_some() {
                    (None, None, None)
                } else {
                    (sha256, git_blob_sha1, md5)
                };
                FileReport {
                    path: info.rel.clone(),
                    expected_size: info.expected,
                    actual_size: info.actual(),
                    status,
                    error,
                    sha256,
                    git_blob_sha1,
                    md5,
                    from_cache: info.cached_sha256.is_some() || info.cached_git.is_some(),
                    failed_pieces: Vec::new(),
                    unchecked: cut_short && info.stream && !d.done,
                }
            })
            .collect();
        let bytes_cached = self
            .files
            .iter()
            // A file read for its MD5 was read, whatever the cache held.
            .filter(|i| (i.cached_sha256.is_some() || i.cached_git.is_some()) && !i.need_md5)
            .filter_map(FileInfo::actual)
            .sum();

        let pieces = plan
            .pieces
            .as_ref()
            .zip(self.pieces.as_ref())
            .map(|(pp, p)| {
                let map = p.map();
                let mut failed = Vec::new();
                let (mut passed, mut from_cache, mut not_checked) = (0, 0, 0);
                for (run, outcome) in p.runs() {
                    let (reason, detail) = match outcome {
                        Outcome::Passed => {
                            passed += run.len();
                            continue;
                        }
                        Outcome::Cached => {
                            passed += run.len();
                            from_cache += run.len();
                            continue;
                        }
                        Outcome::Todo if cut_short => {
                            not_checked += run.len();
                            for s in map.spans_of_range(stream_range(map, &run)) {
                                files[pp.files[s.file]].unchecked = true;
                            }
                            continue;
                        }
                        Outcome::Mismatch => ("mismatch", None),
                        Outcome::Unreadable(why) => ("unreadable", Some(p.reason(why))),
                        Outcome::Todo => ("unreadable", Some("not read".to_string())),
                    };
                    let range = stream_range(map, &run);
                    let spans: Vec<Span> = map
                        .spans_of_range(range.clone())
                        .into_iter()
                        .map(|s| {
                            let fi = pp.files[s.file];
                            let of_file = map.pieces_of_file(s.file);
                            let mine = run.start.max(of_file.start)..run.end.min(of_file.end);
                            let list = &mut files[fi].failed_pieces;
                            match list.last_mut() {
                                Some(last) if last.end >= mine.start => {
                                    last.end = last.end.max(mine.end);
                                }
                                _ => list.push(mine),
                            }
                            Span {
                                path: plan.files[fi].path.clone(),
                                offset: s.offset,
                                length: s.length,
                            }
                        })
                        .collect();
                    failed.push(BadPiece {
                        index: run.start,
                        count: run.len(),
                        reason: reason.into(),
                        detail,
                        stream_offset: range.start,
                        spans,
                    });
                }
                PieceReport {
                    piece_length: map.piece_length(),
                    count: map.piece_count(),
                    passed,
                    from_cache,
                    failed_count: failed.iter().map(|b: &BadPiece| b.count).sum(),
                    failed,
                    not_checked,
                    digests: p.digests(),
                }
            });
        HashReport {
            files,
            pieces,
            bytes_hashed,
            bytes_cached,
            seconds: elapsed.as_secs_f64(),
            cache_file,
            cache_warning,
            interrupted: cut_short,
        }
    }
}

/// The torrent stream bytes of a run of pieces.
fn stream_range(map: &PieceMap, run: &Range<usize>) -> Range<u64> {
    let start = map.piece_range(run.start).start;
    let end = run
        .end
        .checked_sub(1)
        .map_or(start, |last| map.piece_range(last).end);
    start..end
}
