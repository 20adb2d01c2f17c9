//! `manifest pin`'s output.

use std::io::Write;

use crate::manifest::Manifest;
use crate::pin::{Contradiction, Pinned};
use crate::units::thousands;

/// The `--json` summary of `manifest pin`.
#[derive(serde::Serialize)]
struct Json<'a> {
    result: &'static str,
    release: &'a str,
    output: Option<String>,
    #[serde(flatten)]
    pinned: Option<&'a Pinned>,
    contradictions: &'a [Contradiction],
}

/// `manifest pin --json`.
pub fn json(
    out: &mut dyn Write,
    base: &Manifest,
    pinned: Option<&Pinned>,
    written: Option<String>,
    contradictions: &[Contradiction],
) -> std::io::Result<()> {
    let doc = Json {
        result: if pinned.is_some() { "PINNED" } else { "FAILED" },
        release: &base.release.id,
        output: pinned.and(written),
        pinned,
        contradictions,
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

/// How many ignored paths are named before "and N more".
const IGNORED_SHOWN: usize = 5;

/// `manifest pin`'s summary: what was pinned, or every contradiction.
pub fn text(
    out: &mut dyn Write,
    base: &Manifest,
    root: &str,
    from_hub: bool,
    pinned: Option<&Pinned>,
    contradictions: &[Contradiction],
    written: Option<String>,
) -> std::io::Result<()> {
    writeln!(
        out,
        "weightcheck manifest pin: {} ({})",
        super::escape(root),
        base.release.name
    )?;
    let Some(p) = pinned else {
        for c in contradictions {
            writeln!(out, "  {c}")?;
        }
        writeln!(
            out,
            "\nresult: FAILED — the {} contradicts the manifest (nothing written)",
            if from_hub { "Hub's listing" } else { "copy" }
        )?;
        return Ok(());
    };
    match p.structure_checked {
        Some(n) => writeln!(out, "  structure: {n} files as the architecture expects")?,
        None if from_hub => writeln!(
            out,
            "  structure: not checked (digests taken from the Hub's listing; no bytes were read)"
        )?,
        None => writeln!(
            out,
            "  structure: not checked (the manifest has no architecture)"
        )?,
    }
    let git = if p.git_sha1_added > 0 {
        format!("; git SHA-1s: {} added", p.git_sha1_added)
    } else {
        String::new()
    };
    writeln!(
        out,
        "  pinned: {} files, {} bytes; SHA-256s: {} added, {} already in the manifest and confirmed{git}",
        p.files,
        thousands(p.bytes),
        p.added,
        p.confirmed
    )?;
    if !p.ignored.is_empty() {
        let mut named = p
            .ignored
            .iter()
            .take(IGNORED_SHOWN)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        if p.ignored.len() > IGNORED_SHOWN {
            named += &format!(" and {} more", p.ignored.len() - IGNORED_SHOWN);
        }
        writeln!(
            out,
            "  ignored (hidden, or outside the release's directories): {named}"
        )?;
    }
    match written {
        Some(path) => writeln!(out, "  written: {path}")?,
        None => writeln!(out, "  written: standard output")?,
    }
    writeln!(out, "\nresult: PINNED")
}
