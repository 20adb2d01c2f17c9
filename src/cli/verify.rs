//! `weightcheck verify [DIR]`: holds a release on disk against its manifest
//! (file set, sizes, tensor structure, SHA-256s) and the publisher's claims
//! against the weights. Exit 0 verified, 1 a mismatch, 2 usage or I/O error.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;

use crate::env::Env;
use crate::hash::engine::CacheMode;
use crate::manifest::Manifest;
use crate::torrent::{Magnet, Metainfo};

use super::progress::Bar;
use crate::verify::{self, locate, ClaimVerdict, HashCheck, Located, Report};

use super::inspect::thousands;
use super::{EXIT_MISMATCH, EXIT_OK};

/// Arguments of `weightcheck verify`.
#[derive(Debug, Args)]
pub struct Verify {
    /// The release directory (holding `ckpt-0/`, or `ckpt-0` itself). Without
    /// it, weightcheck looks in ./checkpoints, the Hugging Face cache and the
    /// current directory.
    dir: Option<PathBuf>,
    #[command(flatten)]
    which: Which,
    /// Take the architecture from a config.json (Hugging Face) or
    /// params.json (Mistral) instead of the manifest; without --release or
    /// --manifest, check the directory against this config alone.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Check structure and sizes only; do not hash content.
    #[arg(long, conflicts_with_all = ["torrent", "full"])]
    no_hash: bool,
    /// Also check every BitTorrent v1 piece of this .torrent (its paths are
    /// relative to DIR), in the same read pass as the SHA-256s.
    #[arg(long)]
    torrent: Option<PathBuf>,
    /// Refuse the .torrent unless its info-hash is this magnet link's (by
    /// default, the manifest's magnet is checked).
    #[arg(long, requires = "torrent")]
    magnet: Option<String>,
    /// Hash everything again, ignoring the verification cache.
    #[arg(long, conflicts_with = "no_cache")]
    full: bool,
    /// Neither read nor write the verification cache.
    #[arg(long)]
    no_cache: bool,
    /// The tokenizer.model to count the vocabulary from (default: found
    /// next to the release, if there).
    #[arg(long)]
    tokenizer: Option<PathBuf>,
    /// Print only files with problems.
    #[arg(long, short)]
    quiet: bool,
    /// Print JSON (the whole report) instead of text.
    #[arg(long)]
    json: bool,
}

/// Which manifest to use: a built-in release or a file.
#[derive(Debug, Args)]
pub struct Which {
    /// A built-in release (`grok-1`, …).
    #[arg(long, conflicts_with = "manifest")]
    pub release: Option<String>,
    /// A manifest file.
    #[arg(long)]
    pub manifest: Option<PathBuf>,
}

impl Which {
    /// Loads the manifest (default: grok-1).
    pub fn load(&self, env: &Env) -> crate::Result<Manifest> {
        match (&self.manifest, &self.release) {
            (Some(path), _) => Manifest::from_file(&env.resolve(path)),
            (None, Some(id)) => Manifest::embedded(id),
            (None, None) => Manifest::embedded("grok-1"),
        }
    }
}

impl Verify {
    /// Runs the command.
    pub fn run(self, env: &mut Env) -> anyhow::Result<i32> {
        let manifest = match &self.config {
            Some(config) => {
                let arch = crate::arch::architecture_from_config(&env.resolve(config))?;
                let mut m = if self.which.release.is_none() && self.which.manifest.is_none() {
                    Manifest::local(&config.display().to_string())
                } else {
                    self.which.load(env)?
                };
                m.architecture = Some(arch);
                m
            }
            None => self.which.load(env)?,
        };
        let located = match &self.dir {
            Some(dir) => Located::at(&env.resolve(dir), &manifest)?,
            None => Located::search(&env.cwd, locate::hf_hub_from_env().as_deref(), &manifest)?,
        };
        let tokenizer = match &self.tokenizer {
            Some(t) => Some(env.resolve(t)),
            None => find_tokenizer(&located.root, &env.cwd),
        };
        let torrent = match &self.torrent {
            Some(path) => Some(self.checked_torrent(&env.resolve(path), &manifest)?),
            None => None,
        };
        let opts = verify::Options {
            check_hashes: !self.no_hash,
            tokenizer,
            torrent,
            cache: CacheMode::from_flags(self.no_cache, self.full),
            // Only hashing stops on Ctrl-C; without it, Ctrl-C keeps its
            // default effect.
            stop: (!self.no_hash).then(crate::hash::interrupt::on_ctrl_c),
        };
        let bar = Bar::new(env, "hashing");
        let report = verify::verify_with_progress(&manifest, &located, &opts, &|p| bar.update(p));
        bar.finish();
        let report = report?;
        if self.json {
            serde_json::to_writer_pretty(&mut env.out, &report)?;
            writeln!(env.out)?;
        } else {
            print_report(&mut env.out, &manifest, &report, self.quiet)?;
        }
        Ok(if report.passed() {
            EXIT_OK
        } else {
            EXIT_MISMATCH
        })
    }
}

impl Verify {
    /// Reads the .torrent and refuses it if its info-hash is not the magnet
    /// link's (`--magnet`, else the manifest's, when it has one).
    fn checked_torrent(&self, path: &Path, manifest: &Manifest) -> anyhow::Result<Metainfo> {
        let t = Metainfo::from_file(path)?;
        let (want, from) = match (&self.magnet, &manifest.sources.torrent) {
            (Some(uri), _) => (Magnet::parse(uri)?.info_hash_hex(), "the magnet link"),
            (None, Some(src)) => (
                src.info_hash.to_ascii_lowercase(),
                "the manifest's magnet link",
            ),
            (None, None) => return Ok(t),
        };
        if t.info_hash_hex() != want {
            anyhow::bail!(
                "refusing {}: its info-hash {} is not {from}'s {want}",
                path.display(),
                t.info_hash_hex()
            );
        }
        Ok(t)
    }
}

/// A tokenizer.model beside the release (the GitHub repo keeps it one level
/// above `checkpoints/`), or in the current directory.
fn find_tokenizer(root: &Path, cwd: &Path) -> Option<PathBuf> {
    [Some(root), root.parent(), Some(cwd)]
        .into_iter()
        .flatten()
        .map(|d| d.join("tokenizer.model"))
        .find(|p| p.is_file())
}

/// Prints a verification report as text.
pub fn print_report(
    out: &mut dyn Write,
    manifest: &Manifest,
    r: &Report,
    quiet: bool,
) -> std::io::Result<()> {
    let rel = &manifest.release;
    writeln!(
        out,
        "weightcheck verify: {} ({}, {}) in {}",
        rel.name,
        rel.publisher,
        rel.date,
        r.root.display()
    )?;
    for note in &r.located {
        writeln!(out, "  looked: {note}")?;
    }
    writeln!(out)?;
    let width = r
        .files
        .iter()
        .map(|f| f.path.len())
        .max()
        .unwrap_or(4)
        .max(4);
    let twidth = r
        .files
        .iter()
        .filter_map(|f| f.tensor.as_ref())
        .map(|t| t.len())
        .max()
        .unwrap_or(6)
        .max(6);
    writeln!(
        out,
        "{:<width$}  {:<twidth$}  {:<13}  sha256",
        "file", "tensor", "verdict"
    )?;
    for f in &r.files {
        if quiet && f.verdict == "ok" {
            continue;
        }
        let hash = match &f.sha256 {
            HashCheck::NotKnown => "not published",
            HashCheck::NotChecked => "not checked",
            HashCheck::Matched => "matches",
            HashCheck::Mismatch { .. } => "DIFFERS",
        };
        writeln!(
            out,
            "{:<width$}  {:<twidth$}  {:<13}  {}",
            f.path,
            f.tensor.as_deref().unwrap_or("-"),
            f.verdict,
            hash
        )?;
        for p in &f.problems {
            writeln!(out, "{:<width$}    - {p}", "")?;
        }
        if let HashCheck::Mismatch { expected, actual } = &f.sha256 {
            writeln!(
                out,
                "{:<width$}    expected {expected}\n{:<width$}    actual   {actual}",
                "", ""
            )?;
        }
        if let Some(target) = &f.resolved {
            writeln!(out, "{:<width$}    -> {target}", "")?;
        }
    }
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
    write!(
        out,
        "sha256: {} match, {} differ",
        s.hash_matched, s.hash_mismatched
    )?;
    if s.hash_not_checked > 0 {
        write!(out, ", {} not checked (--no-hash)", s.hash_not_checked)?;
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
                .map(|s| format!("{} bytes {}..{}", s.path, s.offset, s.offset + s.length))
                .collect();
            writeln!(
                out,
                "  piece {} {}: {}",
                bad.index,
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
        print_claims(out, r)?;
    }
    for note in &r.notes {
        writeln!(out, "\nnote: {note}")?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "result: {}",
        if r.passed() { "VERIFIED" } else { "MISMATCH" }
    )?;
    Ok(())
}

/// Prints the claims table.
pub fn print_claims(out: &mut dyn Write, r: &Report) -> std::io::Result<()> {
    let tw = r
        .claims
        .iter()
        .map(|c| c.text.len())
        .max()
        .unwrap_or(5)
        .max(5);
    writeln!(
        out,
        "{:<tw$}  {:>17}  {:>17}  verdict",
        "claim", "claimed", "computed"
    )?;
    for c in &r.claims {
        let computed = c.computed.map(thousands).unwrap_or_else(|| "-".into());
        writeln!(
            out,
            "{:<tw$}  {:>17}  {:>17}  {}",
            c.text,
            thousands(c.claimed as u64),
            computed,
            c.verdict.label()
        )?;
        match &c.verdict {
            ClaimVerdict::NotVerifiable { why } => writeln!(out, "{:<tw$}    why: {why}", "")?,
            _ => writeln!(out, "{:<tw$}    how: {}", "", c.how)?,
        }
        writeln!(out, "{:<tw$}    source: {}", "", c.source)?;
    }
    Ok(())
}
