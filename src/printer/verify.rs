//! `verify`'s text: one row per file (verdict, digest status, problems),
//! the summary, the claims table, notes and the result line.

use std::io::Write;
use std::path::Path;

use super::escape;
use crate::manifest::Manifest;
use crate::units::thousands;
use crate::verdict::FileVerdict;
use crate::verdict::Outcome;
use crate::verify::{ClaimVerdict, FileResult, HashCheck, Report, Widest};

/// Prints a verification report as text.
pub fn text(
    out: &mut dyn Write,
    manifest: &Manifest,
    r: &Report,
    quiet: bool,
) -> std::io::Result<()> {
    title(out, manifest, &r.root, &r.located)?;
    let mut table = Table::new(&mut *out, quiet);
    table.begin(Widest {
        path: r.files.iter().map(|f| f.path.len()).max().unwrap_or(0),
        tensor: r
            .files
            .iter()
            .filter_map(|f| f.tensor.as_ref())
            .map(|t| t.len())
            .max()
            .unwrap_or(0),
    })?;
    for f in &r.files {
        table.row(f)?;
    }
    tail(out, r)
}

/// The first lines: the release, the directory and where files were looked
/// for.
pub fn title(
    out: &mut dyn Write,
    manifest: &Manifest,
    root: &Path,
    located: &[String],
) -> std::io::Result<()> {
    let rel = &manifest.release;
    writeln!(
        out,
        "weightcheck verify: {} ({}, {}) in {}",
        rel.name,
        rel.publisher,
        rel.date,
        root.display()
    )?;
    for note in located {
        writeln!(out, "  looked: {note}")?;
    }
    writeln!(out)
}

/// The per-file table, printed a row at a time (a manifest may list 10^6
/// files: rows are not kept to be printed at the end).
pub struct Table<W> {
    out: W,
    quiet: bool,
    width: usize,
    twidth: usize,
    header: bool,
}

impl<W: Write> Table<W> {
    /// A table on `out`; `quiet` prints only files with problems.
    pub fn new(out: W, quiet: bool) -> Self {
        Table {
            out,
            quiet,
            width: 4,
            twidth: 6,
            header: false,
        }
    }

    /// Sizes the columns; without --quiet, prints the header.
    pub fn begin(&mut self, widest: Widest) -> std::io::Result<()> {
        self.width = widest.path.max(4);
        self.twidth = widest.tensor.max(6);
        if !self.quiet {
            self.header()?;
        }
        Ok(())
    }

    /// The output, to print around the table.
    pub fn out(&mut self) -> &mut W {
        &mut self.out
    }

    fn header(&mut self) -> std::io::Result<()> {
        self.header = true;
        let (width, twidth) = (self.width, self.twidth);
        writeln!(
            self.out,
            "{:<width$}  {:<twidth$}  {:<13}  digest",
            "file", "tensor", "verdict"
        )
    }

    /// One file's row and its problems.
    pub fn row(&mut self, f: &FileResult) -> std::io::Result<()> {
        if self.quiet && f.verdict == FileVerdict::Ok {
            return Ok(());
        }
        // With --quiet and nothing to list, no empty table.
        if !self.header {
            self.header()?;
        }
        let (out, width, twidth) = (&mut self.out, self.width, self.twidth);
        // The column names the digest that decided: an MD5 or git SHA-1
        // match is weaker than a SHA-256 one.
        let hash = match f.digest() {
            None => "not published".to_string(),
            Some((_, HashCheck::NotChecked)) => "not checked".to_string(),
            Some((kind, HashCheck::Matched)) => format!("{kind} matches"),
            Some((kind, HashCheck::Mismatch { .. })) => format!("{kind} DIFFERS"),
            Some((_, HashCheck::NotKnown)) => "not published".to_string(),
        };
        writeln!(
            out,
            "{:<width$}  {:<twidth$}  {:<13}  {}",
            escape(&f.path),
            f.tensor.as_deref().unwrap_or("-"),
            f.verdict,
            hash
        )?;
        for p in &f.problems {
            writeln!(out, "{:<width$}    - {}", "", escape(p))?;
        }
        if let Some((_, HashCheck::Mismatch { expected, actual })) = f.digest() {
            writeln!(
                out,
                "{:<width$}    expected {expected}\n{:<width$}    actual   {actual}",
                "", ""
            )?;
        }
        if let Some(target) = &f.resolved {
            writeln!(out, "{:<width$}    -> {target}", "")?;
        }
        Ok(())
    }
}

/// Everything after the table: tensor findings, the summary, pieces,
/// claims, notes and the result.
pub fn tail(out: &mut dyn Write, r: &Report) -> std::io::Result<()> {
    if !r.findings.is_empty() {
        writeln!(out, "\ntensors:")?;
        for f in &r.findings {
            writeln!(out, "  - {f}")?;
        }
    }
    let s = &r.summary;
    writeln!(out)?;
    writeln!(
        out,
        "files: {}/{} present, {} missing, {} extra, {} wrong size",
        s.present, s.expected, s.missing, s.extra, s.wrong_size
    )?;
    writeln!(
        out,
        "structure: {}/{} structurally correct",
        s.structure_ok, s.expected
    )?;
    let mut weaker = Vec::new();
    if s.hash_matched_git_sha1 > 0 {
        weaker.push(format!("{} by git SHA-1", s.hash_matched_git_sha1));
    }
    if s.hash_matched_md5 > 0 {
        weaker.push(format!("{} by MD5 only", s.hash_matched_md5));
    }
    let weaker = if weaker.is_empty() {
        String::new()
    } else {
        format!(" ({})", weaker.join(", "))
    };
    write!(
        out,
        "digests: {} match{weaker}, {} differ",
        s.hash_matched, s.hash_mismatched
    )?;
    if s.hash_not_checked > 0 {
        let why = if r.hashed {
            " (missing or unreadable)"
        } else {
            " (--no-hash)"
        };
        write!(out, ", {} not checked{why}", s.hash_not_checked)?;
    }
    writeln!(out, ", {} not published in the manifest", s.hash_unknown)?;
    if let Some(p) = &r.pieces {
        writeln!(
            out,
            "torrent {}: {}/{} pieces of {} bytes match",
            p.info_hash, p.passed, p.count, p.piece_length
        )?;
        for bad in &p.failed {
            let spans: Vec<String> = bad
                .spans
                .iter()
                .map(|s| {
                    format!(
                        "{} bytes {}..{}",
                        escape(&s.path),
                        s.offset,
                        s.offset + s.length
                    )
                })
                .collect();
            writeln!(
                out,
                "  {} {}: {}",
                bad.label(),
                bad.reason,
                spans.join("; ")
            )?;
        }
    }
    if r.bytes_hashed + r.bytes_cached > 0 {
        writeln!(
            out,
            "hashed {} bytes, {} bytes from the verification cache",
            thousands(r.bytes_hashed),
            thousands(r.bytes_cached)
        )?;
    }
    if !r.claims.is_empty() {
        writeln!(out)?;
        claims(out, r)?;
    }
    for note in &r.notes {
        writeln!(out, "\nnote: {note}")?;
    }
    writeln!(out)?;
    result(out, r)
}

/// The result line, with what it rests on and, short of VERIFIED, what was
/// not established and how to establish it.
pub fn result(out: &mut dyn Write, r: &Report) -> std::io::Result<()> {
    let s = &r.summary;
    let word = r.result.word();
    match r.result {
        Outcome::Verified => writeln!(
            out,
            "result: {word} — every byte of {} matched a published or pinned digest",
            crate::units::count(s.content_verified as u64, "file")
        ),
        Outcome::Failed => writeln!(
            out,
            "result: {word} — {} problem{} found (above)",
            r.tally.failures,
            if r.tally.failures == 1 { "" } else { "s" }
        ),
        Outcome::NothingChecked => writeln!(
            out,
            "result: {word} — no file of the release was found in {}",
            r.root.display()
        ),
        Outcome::StructureOk => {
            let asked = if r.hashed {
                ""
            } else {
                " (--no-hash: structure only, as asked)"
            };
            writeln!(
                out,
                "result: {word} — nothing wrong found, but the content of {} of {} was not \
                 checked against any published digest{asked}",
                thousands(s.content_unchecked as u64),
                crate::units::count(s.present as u64, "file")
            )?;
            let more = s.content_unchecked.saturating_sub(r.not_checked.len());
            let mut named = r.not_checked.join(", ");
            if more > 0 {
                named.push_str(&format!(" and {more} more"));
            }
            writeln!(out, "  not checked: {named}")?;
            writeln!(
                out,
                "  to check them: hash with the release's .torrent (`weightcheck fetch --release ID \
                 --metadata-only`, then `verify --torrent FILE`), with the publisher's checksums \
                 (`verify --sums FILE`), against the Hugging Face Hub's digests (`weightcheck hf \
                 OWNER/REPO DIR`), or against a trusted copy pinned with `weightcheck manifest pin \
                 DIR -o FILE`"
            )
        }
    }
}

/// Prints the claims table.
pub fn claims(out: &mut dyn Write, r: &Report) -> std::io::Result<()> {
    let width = |texts: &mut dyn Iterator<Item = usize>, at_least: usize| {
        texts.max().unwrap_or(0).max(at_least)
    };
    let tw = width(&mut r.claims.iter().map(|c| c.text.len()), 5);
    let claimed: Vec<String> = r
        .claims
        .iter()
        .map(|c| thousands(c.claimed as u64))
        .collect();
    let computed: Vec<String> = r
        .claims
        .iter()
        .map(|c| c.computed.map(thousands).unwrap_or_else(|| "-".into()))
        .collect();
    let cw = width(&mut claimed.iter().map(String::len), 7);
    let pw = width(&mut computed.iter().map(String::len), 8);
    let mut text = Vec::new();
    writeln!(
        text,
        "{:<tw$}  {:>cw$}  {:>pw$}  verdict",
        "claim", "claimed", "computed"
    )?;
    for ((c, claimed), computed) in r.claims.iter().zip(&claimed).zip(&computed) {
        writeln!(
            text,
            "{:<tw$}  {claimed:>cw$}  {computed:>pw$}  {}",
            c.text,
            c.verdict.label()
        )?;
        // Under the row, not under its column: the reasons are prose.
        match &c.verdict {
            ClaimVerdict::NotVerifiable { why } => writeln!(text, "    why: {why}")?,
            _ => writeln!(text, "    how: {}", c.how)?,
        }
        writeln!(text, "    source: {}", c.source)?;
    }
    out.write_all(super::width::wrap(&String::from_utf8_lossy(&text)).as_bytes())
}
