//! `hash`'s output: text (a line per file, bad pieces with the ranges they
//! cover, a summary) and JSON (the engine's report plus every verdict).

use std::io::Write;
use std::ops::Range;
use std::path::Path;

use serde::Serialize;

use super::escape;
use crate::hash::engine::{FileStatus, HashReport};
use crate::manifest::sums::{self, DigestKind, SumEntry};
use crate::torrent::{Magnet, Metainfo};
use crate::units::Bytes;
use crate::verdict::FileVerdict;

#[derive(Serialize)]
struct TorrentJson {
    name: String,
    info_hash: String,
    piece_length: u64,
    pieces: usize,
}

#[derive(Serialize)]
struct Output<'a> {
    root: &'a Path,
    ok: bool,
    torrent: Option<TorrentJson>,
    magnet: Option<&'a Magnet>,
    verdicts: Vec<VerdictJson<'a>>,
    report: &'a HashReport,
}

#[derive(Serialize)]
struct VerdictJson<'a> {
    path: &'a str,
    verdict: FileVerdict,
}

/// `hash --json`: the engine's report, the torrent, and every file's verdict.
pub fn json(
    o: &mut dyn Write,
    root: &Path,
    passed: bool,
    torrent: Option<&Metainfo>,
    magnet: Option<&Magnet>,
    report: &HashReport,
    verdicts: &[FileVerdict],
) -> std::io::Result<()> {
    let out = document(root, passed, torrent, magnet, report, verdicts);
    serde_json::to_writer_pretty(&mut *o, &out)?;
    writeln!(o)
}

/// The document `hash --json` prints, for callers that serialise it
/// elsewhere (the Python package turns it into a dict).
pub fn document<'a>(
    root: &'a Path,
    passed: bool,
    torrent: Option<&Metainfo>,
    magnet: Option<&'a Magnet>,
    report: &'a HashReport,
    verdicts: &[FileVerdict],
) -> impl Serialize + 'a {
    Output {
        root,
        ok: passed,
        torrent: torrent.map(|t| TorrentJson {
            name: t.name.clone(),
            info_hash: t.info_hash_hex(),
            piece_length: t.piece_length,
            pieces: t.pieces.len(),
        }),
        magnet,
        verdicts: report
            .files
            .iter()
            .zip(verdicts)
            .map(|(f, &verdict)| VerdictJson {
                path: &f.path,
                verdict,
            })
            .collect(),
        report,
    }
}

/// `hash`'s text: the root (and torrent), a line per file, every bad piece
/// with the byte ranges it covers, and the summary.
pub fn text(
    o: &mut dyn Write,
    root: &Path,
    torrent: Option<&Metainfo>,
    report: &HashReport,
    verdicts: &[FileVerdict],
) -> std::io::Result<()> {
    writeln!(o, "root {}", root.display())?;
    if let Some(t) = torrent {
        writeln!(
            o,
            "torrent {} info-hash {} ({} pieces of {} bytes)",
            escape(&t.name),
            t.info_hash_hex(),
            t.pieces.len(),
            t.piece_length
        )?;
    }
    let show_sha = report.files.iter().any(|f| f.sha256.is_some());
    for (f, v) in report.files.iter().zip(verdicts) {
        let label = match (v, f.status) {
            (FileVerdict::Ok, _) => "ok",
            (FileVerdict::HashMismatch, _) => "BAD",
            (FileVerdict::Missing, _) => "MISSING",
            (FileVerdict::WrongSize, FileStatus::Long) => "LONG",
            (FileVerdict::WrongSize, _) => "SHORT",
            (FileVerdict::Extra, _) => "extra",
            (FileVerdict::NotChecked, _) => "-",
            _ => "ERROR",
        };
        let mut line = format!("{label:<8}");
        if show_sha {
            line.push_str(&format!(" {:<64}", f.sha256.as_deref().unwrap_or("-")));
        }
        line.push_str("  ");
        line.push_str(&escape(&f.path));
        let note = match v {
            FileVerdict::HashMismatch => {
                Some(format!("pieces {} failed", ranges(&f.failed_pieces)))
            }
            FileVerdict::WrongSize => Some(format!(
                "{} bytes, expected {}",
                f.actual_size.unwrap_or(0),
                f.expected_size
            )),
            FileVerdict::Extra if f.sha256.is_none() => {
                Some("not in the torrent, not hashed".into())
            }
            FileVerdict::Extra => Some("not in the torrent".into()),
            FileVerdict::NotChecked => Some("not finished: interrupted".into()),
            FileVerdict::Unreadable => f.error.clone(),
            _ => None,
        };
        if let Some(n) = note {
            line.push_str(&format!("  ({n})"));
        }
        writeln!(o, "{line}")?;
    }
    if let Some(p) = &report.pieces {
        for b in &p.failed {
            let what = match &b.detail {
                Some(d) => format!("{}: {d}", b.reason),
                None => b.reason.clone(),
            };
            if b.count == 1 {
                writeln!(o, "bad piece {} ({what}) covers:", b.index)?;
            } else {
                writeln!(o, "bad {} ({}, {what}) cover:", b.label(), b.count)?;
            }
            for s in &b.spans {
                writeln!(
                    o,
                    "    {} bytes {}..{} ({} bytes)",
                    escape(&s.path),
                    s.offset,
                    s.offset + s.length,
                    s.length
                )?;
            }
        }
    }
    let n_ok = verdicts.iter().filter(|v| **v == FileVerdict::Ok).count();
    let total: u64 = report.files.iter().filter_map(|f| f.actual_size).sum();
    let mut summary = format!(
        "summary: {} ({:.2}), {} ok",
        crate::units::count(report.files.len() as u64, "file"),
        Bytes(total),
        n_ok
    );
    let problems = verdicts
        .iter()
        .filter(|v| {
            !matches!(
                v,
                FileVerdict::Ok | FileVerdict::Extra | FileVerdict::NotChecked
            )
        })
        .count();
    if problems > 0 {
        summary.push_str(&format!(", {problems} with problems"));
    }
    let extras = verdicts
        .iter()
        .filter(|v| **v == FileVerdict::Extra)
        .count();
    if extras > 0 {
        summary.push_str(&format!(", {extras} not in the torrent"));
    }
    let unfinished = verdicts
        .iter()
        .filter(|v| **v == FileVerdict::NotChecked)
        .count();
    if unfinished > 0 {
        summary.push_str(&format!(", {unfinished} not finished"));
    }
    if let Some(p) = &report.pieces {
        summary.push_str(&format!(
            "; pieces {}/{} ok, {} failed",
            p.passed, p.count, p.failed_count
        ));
        if p.not_checked > 0 {
            summary.push_str(&format!(", {} not checked", p.not_checked));
        }
    }
    let rate = if report.seconds > 0.0 {
        report.bytes_hashed as f64 / report.seconds / 1e9
    } else {
        0.0
    };
    summary.push_str(&format!(
        "; read {:.2} in {:.2} s ({rate:.2} GB/s), {:.2} from cache",
        Bytes(report.bytes_hashed),
        report.seconds,
        Bytes(report.bytes_cached)
    ));
    writeln!(o, "{summary}")?;
    // Against a torrent there is something to verify; a plain tree only
    // gets its digests listed.
    if let Some(p) = report.pieces.as_ref().filter(|_| torrent.is_some()) {
        let failed = verdicts
            .iter()
            .filter(|v| v.is_failure() && **v != FileVerdict::Extra)
            .count();
        if report.interrupted {
            writeln!(
                o,
                "result: INTERRUPTED (progress saved: run the same command to continue)"
            )?;
        } else if failed == 0 && p.failed_count == 0 {
            writeln!(
                o,
                "result: VERIFIED — all {} pieces matched the torrent",
                p.count
            )?;
        } else {
            writeln!(
                o,
                "result: FAILED — {} bad piece{}, {failed} file{} with problems",
                p.failed_count,
                if p.failed_count == 1 { "" } else { "s" },
                if failed == 1 { "" } else { "s" }
            )?;
        }
    }
    Ok(())
}

/// `1, 3-5, 9` from sorted ranges.
fn ranges(v: &[Range<usize>]) -> String {
    v.iter()
        .filter(|r| !r.is_empty())
        .map(|r| match r.len() {
            1 => r.start.to_string(),
            _ => format!("{}-{}", r.start, r.end - 1),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `hash --sums`: a checksum list of every file read whole, in the format
/// of `sha256sum`/`md5sum` (`manifest::sums::write`), on `out`; the files
/// left out, and why, on `err`: a list must never hold a digest of a file
/// that was not read to its end. Returns how many were left out.
pub fn sums(
    out: &mut dyn Write,
    err: &mut dyn Write,
    report: &HashReport,
    kind: DigestKind,
) -> std::io::Result<usize> {
    let mut entries = Vec::with_capacity(report.files.len());
    let mut left_out = Vec::new();
    for f in &report.files {
        let digest = match kind {
            DigestKind::Sha256 => &f.sha256,
            DigestKind::Md5 => &f.md5,
        };
        match (&f.status, &f.error, digest) {
            (FileStatus::Ok, None, Some(hex)) => entries.push(SumEntry {
                path: f.path.clone(),
                kind,
                hex: hex.clone(),
                line: 0,
                offset: 0,
            }),
            (status, error, _) => left_out.push((
                f.path.clone(),
                error
                    .clone()
                    .unwrap_or_else(|| format!("{status:?}").to_lowercase()),
            )),
        }
    }
    out.write_all(sums::write(&entries).as_bytes())?;
    for (path, why) in &left_out {
        writeln!(err, "weightcheck: {}: not listed: {why}", escape(path))?;
    }
    Ok(left_out.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_compress_runs() {
        assert_eq!(ranges(&[1..4, 7..8, 9..11]), "1-3, 7, 9-10");
        assert_eq!(ranges(&[]), "");
    }
}
