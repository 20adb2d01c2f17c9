//! `hf`'s output: one line per file, then the result line.

use std::io::Write;

use super::escape;
use crate::hf::check::HfReport;
use crate::hf::Algorithm;
use crate::units::{count, thousands};
use crate::verdict::{FileVerdict, Outcome};

/// The `--json` document.
#[derive(serde::Serialize)]
struct Json<'a> {
    schema_version: u32,
    #[serde(flatten)]
    report: &'a HfReport,
    exit_code: i32,
}

/// `hf --json`.
pub fn json(out: &mut dyn Write, r: &HfReport) -> std::io::Result<()> {
    let doc = Json {
        schema_version: 1,
        report: r,
        exit_code: r.result.exit_code(false),
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

/// `hf`'s text. `source` says where the folder came from (a cache
/// snapshot, or the folder named).
pub fn text(out: &mut dyn Write, r: &HfReport, source: &str) -> std::io::Result<()> {
    writeln!(
        out,
        "Hugging Face Hub  {} at {}",
        escape(&r.repo),
        escape(&r.revision)
    )?;
    writeln!(out, "folder            {source}")?;
    for f in &r.files {
        let path = escape(&f.path);
        let label = f.algorithm.map_or("", Algorithm::label);
        let expected = f.expected.as_deref().unwrap_or("");
        match f.verdict {
            FileVerdict::Ok => writeln!(out, "ok          {path}  ({label} {expected})")?,
            FileVerdict::Missing => writeln!(
                out,
                "MISSING     {path}  ({} bytes on the Hub{})",
                thousands(f.expected_size),
                if r.allowed_missing > 0 {
                    "; allowed"
                } else {
                    ""
                }
            )?,
            FileVerdict::Extra => writeln!(
                out,
                "EXTRA       {path}  ({} bytes; not in the Hub's listing{})",
                thousands(f.expected_size),
                if r.allowed_extra > 0 { "; allowed" } else { "" }
            )?,
            FileVerdict::WrongSize => writeln!(
                out,
                "WRONG SIZE  {path}  ({} bytes, the Hub says {})",
                thousands(f.actual_size.unwrap_or(0)),
                thousands(f.expected_size)
            )?,
            FileVerdict::HashMismatch => {
                writeln!(out, "MISMATCH    {path}")?;
                writeln!(out, "              {label} expected {expected}")?;
                writeln!(
                    out,
                    "              {label} actual   {}",
                    f.actual.as_deref().unwrap_or("")
                )?;
            }
            FileVerdict::NotChecked => writeln!(out, "NOT CHECKED {path}")?,
            _ => writeln!(
                out,
                "UNREADABLE  {path}  ({})",
                escape(f.note.as_deref().unwrap_or("could not be read"))
            )?,
        }
    }
    let t = &r.tally;
    let listed = r
        .files
        .iter()
        .filter(|f| f.verdict != FileVerdict::Extra)
        .count();
    let word = r.result.word();
    match r.result {
        Outcome::Verified => {
            let lfs = r
                .files
                .iter()
                .filter(|f| f.algorithm == Some(Algorithm::Sha256))
                .count();
            let extra = match r.allowed_extra {
                0 => String::new(),
                n => format!(
                    "; {} not in the listing (--allow-extra-files)",
                    count(n as u64, "extra file")
                ),
            };
            writeln!(
                out,
                "result: {word} — every byte of {} matched the Hub's digests \
                 (SHA-256 for {lfs} LFS, git blob SHA-1 for {}){extra}",
                count(listed as u64, "file"),
                listed - lfs
            )
        }
        Outcome::Failed => writeln!(
            out,
            "result: {word} — {} problem{} found (above)",
            t.failures,
            if t.failures == 1 { "" } else { "s" }
        ),
        Outcome::NothingChecked if listed == 0 => writeln!(
            out,
            "result: {word} — the Hub lists no files at this revision"
        ),
        Outcome::NothingChecked => writeln!(
            out,
            "result: {word} — none of the {} the Hub lists is in the folder",
            count(listed as u64, "file")
        ),
        Outcome::StructureOk if r.allowed_missing == t.content_unchecked => writeln!(
            out,
            "result: {word} — the {} present matched the Hub's digests; {} absent \
             (--allow-missing-files): not the whole revision",
            count(t.present as u64, "file"),
            count(r.allowed_missing as u64, "listed file")
        ),
        Outcome::StructureOk => writeln!(
            out,
            "result: {word} — nothing wrong found, but {} not read to the end",
            count(t.content_unchecked as u64, "file")
        ),
    }
}
