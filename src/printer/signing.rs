//! Text output of `verify --model-signing`: the signature's result, one
//! line per resource or file that is not fine, and the result line.

use std::io::Write;

use super::escape;
use crate::signing::Report;
use crate::verdict::FileVerdict;

/// Prints the whole report. Names come from the bundle and the directory,
/// so they are escaped.
pub fn report(out: &mut dyn Write, r: &Report, quiet: bool) -> std::io::Result<()> {
    match &r.signature_failure {
        Some(why) => writeln!(out, "signature: FAILED — {}", escape(why))?,
        None => writeln!(
            out,
            "signature: verified (model {}, {} serialization, subject sha256 {})",
            escape(r.model.as_deref().unwrap_or("")),
            r.method.as_deref().unwrap_or(""),
            r.subject_sha256.as_deref().unwrap_or("")
        )?,
    }
    if let Some(signer) = &r.signer {
        write!(out, "signed by: {}", escape(&signer.subject))?;
        for issuer in &signer.issuers {
            write!(out, " <- {}", escape(issuer))?;
        }
        writeln!(out, " (a root given)")?;
    }
    for f in &r.files {
        if quiet && f.verdict == FileVerdict::Ok {
            continue;
        }
        write!(out, "{:<13} {}", f.verdict, escape(&f.name))?;
        if let Some(detail) = &f.detail {
            write!(out, " — {}", escape(detail))?;
        }
        writeln!(out)?;
    }
    let word = r.outcome.word();
    if r.outcome.is_verified() {
        let n = r.files.len();
        writeln!(
            out,
            "result: {word} — the signature and every byte of the {n} signed resource{} matched",
            if n == 1 { "" } else { "s" }
        )
    } else if r.signature_failure.is_some() {
        writeln!(
            out,
            "result: {word} — the bundle proves nothing (above); no file was checked"
        )
    } else if r.tally.failures == 0 && r.tally.content_unchecked > 0 {
        let n = r.tally.content_unchecked;
        writeln!(
            out,
            "result: {word} — every signed byte matched, but {n} file{} the signature does not cover (above)",
            if n == 1 { " is there that" } else { "s are there that" }
        )
    } else {
        let n = r.tally.failures;
        writeln!(
            out,
            "result: {word} — {n} problem{} found (above)",
            if n == 1 { "" } else { "s" }
        )
    }
}
