//! `weightcheck manifest …`: maintaining release manifests.
//!
//! `manifest pin DIR -o FILE` records the size and SHA-256 of every file of
//! a trusted copy (see [`crate::manifest::pin`]); with `--release` or
//! `--manifest` the copy must first agree with that manifest's file list,
//! structure and published SHA-256s. Exit 0 pinned, 1 the copy contradicts
//! the manifest (nothing written), 2 usage or I/O error.
//!
//! `manifest pin-torrent FILE --manifest OUT` records a torrent's layout —
//! name, piece length and every file with its size — in a manifest, after
//! checking that the torrent is the release's (same info-hash as the
//! manifest's magnet link) and that its files agree with the manifest's.
//! With `fetch --metadata-only` this is how the real Grok-1 layout is
//! pinned: its piece length and the files beyond the 770 shards are
//! published nowhere but in the swarm. Exit 0 pinned, 1 the torrent
//! contradicts the manifest (nothing written), 2 usage or I/O error.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::{Args, Subcommand};

use crate::env::Env;
use crate::manifest::pin::{self, Outcome, Pinned};
use crate::manifest::{Manifest, TorrentFileEntry};
use crate::torrent::Metainfo;

use super::fetch::compare_layout;
use super::inspect::thousands;
use super::progress::Bar;
use super::verify::Which;
use super::{EXIT_MISMATCH, EXIT_OK};

/// Arguments of `weightcheck manifest`.
#[derive(Debug, Args)]
pub struct ManifestCmd {
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, Subcommand)]
enum Action {
    /// Record the sizes and SHA-256s of a trusted copy in a manifest.
    Pin(Pin),
    /// Record a torrent's layout (name, piece length, files) in a manifest.
    PinTorrent(PinTorrent),
}

impl ManifestCmd {
    /// Runs the command.
    pub fn run(self, env: &mut Env) -> anyhow::Result<i32> {
        match self.action {
            Action::Pin(cmd) => cmd.run(env),
            Action::PinTorrent(cmd) => cmd.run(env),
        }
    }
}

/// Arguments of `weightcheck manifest pin`.
#[derive(Debug, Args)]
pub struct Pin {
    /// The trusted copy: the release's root directory (or, as for verify,
    /// the `ckpt-0` directory inside it).
    dir: PathBuf,
    /// The manifest to write (`-`: standard output, with the summary on
    /// standard error). Replaced atomically if it exists.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: PathBuf,
    // Without either, a bare local manifest; with one, the copy must match
    // its file list, sizes, structure and SHA-256s to be pinned.
    #[command(flatten)]
    which: Which,
    /// Print the summary as JSON.
    #[arg(long)]
    json: bool,
}

/// The `--json` summary of `manifest pin`.
#[derive(serde::Serialize)]
struct PinJson<'a> {
    result: &'static str,
    release: &'a str,
    output: Option<String>,
    #[serde(flatten)]
    pinned: Option<&'a Pinned>,
    contradictions: &'a [pin::Contradiction],
}

impl Pin {
    /// Runs the command.
    pub fn run(self, env: &mut Env) -> anyhow::Result<i32> {
        let dir = env.resolve(&self.dir);
        let base = match (&self.which.manifest, &self.which.release) {
            (None, None) => Manifest::local(&dir.display().to_string()),
            _ => self.which.load(env)?,
        };
        let bar = Bar::new(env, "hashing");
        let outcome = pin::pin(&dir, &base, &|p| bar.update(p));
        bar.finish();
        let to_stdout = self.output.as_os_str() == "-";
        let out = env.resolve(&self.output);
        let (pinned, contradictions, root) = match &outcome? {
            Outcome::Pinned(p) => {
                let text = pin::to_toml(p)?;
                if to_stdout {
                    env.out.write_all(text.as_bytes())?;
                } else {
                    pin::write_atomically(&text, &out)?;
                }
                (Some(Pinned::clone(p)), Vec::new(), p.root.clone())
            }
            Outcome::Refused {
                root,
                contradictions,
            } => (None, contradictions.clone(), root.clone()),
        };
        // With `-o -` the manifest owns standard output.
        let summary: &mut dyn Write = if to_stdout {
            &mut env.err
        } else {
            &mut env.out
        };
        let written = (!to_stdout).then(|| out.display().to_string());
        if self.json {
            let doc = PinJson {
                result: if pinned.is_some() {
                    "PINNED"
                } else {
                    "MISMATCH"
                },
                release: &base.release.id,
                output: pinned.as_ref().and(written),
                pinned: pinned.as_ref(),
                contradictions: &contradictions,
            };
            serde_json::to_writer_pretty(&mut *summary, &doc)?;
            writeln!(summary)?;
        } else {
            print_pin(
                summary,
                &base,
                &root,
                pinned.as_ref(),
                &contradictions,
                written,
            )?;
        }
        Ok(if pinned.is_some() {
            EXIT_OK
        } else {
            EXIT_MISMATCH
        })
    }
}

/// How many ignored paths are named before "and N more".
const IGNORED_SHOWN: usize = 5;

fn print_pin(
    out: &mut dyn Write,
    base: &Manifest,
    root: &std::path::Path,
    pinned: Option<&Pinned>,
    contradictions: &[pin::Contradiction],
    written: Option<String>,
) -> std::io::Result<()> {
    writeln!(
        out,
        "weightcheck manifest pin: {} ({})",
        root.display(),
        base.release.name
    )?;
    let Some(p) = pinned else {
        for c in contradictions {
            writeln!(out, "  {c}")?;
        }
        writeln!(
            out,
            "\nresult: MISMATCH — the copy contradicts the manifest (nothing written)"
        )?;
        return Ok(());
    };
    match p.structure_checked {
        Some(n) => writeln!(out, "  structure: {n} files as the architecture expects")?,
        None => writeln!(
            out,
            "  structure: not checked (the manifest has no architecture)"
        )?,
    }
    writeln!(
        out,
        "  pinned: {} files, {} bytes; SHA-256s: {} added, {} already in the manifest and confirmed",
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

/// Arguments of `weightcheck manifest pin-torrent`.
#[derive(Debug, Args)]
pub struct PinTorrent {
    /// The .torrent (e.g. saved by `weightcheck fetch --metadata-only`).
    torrent: PathBuf,
    /// The manifest to write. If it exists it is updated; otherwise it
    /// starts from the built-in manifest (--release, or the one whose
    /// magnet has the torrent's info-hash).
    #[arg(long, value_name = "FILE")]
    manifest: PathBuf,
    /// The built-in release to start from when FILE does not exist yet.
    #[arg(long)]
    release: Option<String>,
}

impl PinTorrent {
    /// Runs the command.
    pub fn run(self, env: &mut Env) -> anyhow::Result<i32> {
        let torrent = env.resolve(&self.torrent);
        let meta = Metainfo::from_file(&torrent)?;
        let out = env.resolve(&self.manifest);
        let mut manifest = if out.exists() {
            Manifest::from_file(&out)?
        } else if let Some(id) = &self.release {
            Manifest::embedded(id)?
        } else {
            crate::manifest::EMBEDDED
                .iter()
                .filter_map(|(id, _)| Manifest::embedded(id).ok())
                .find(|m| {
                    m.sources
                        .torrent
                        .as_ref()
                        .is_some_and(|t| t.info_hash.eq_ignore_ascii_case(&meta.info_hash_hex()))
                })
                .with_context(|| {
                    format!(
                        "no built-in manifest has info-hash {}; name one with --release",
                        meta.info_hash_hex()
                    )
                })?
        };
        let Some(source) = manifest.sources.torrent.as_ref() else {
            bail!(
                "the {} manifest has no [sources.torrent] to pin the layout in",
                manifest.release.id
            );
        };
        writeln!(
            env.out,
            "weightcheck manifest pin-torrent: {} into {} ({})",
            torrent.display(),
            out.display(),
            manifest.release.name
        )?;
        if !source.info_hash.eq_ignore_ascii_case(&meta.info_hash_hex()) {
            writeln!(
                env.out,
                "  the torrent's info-hash is {}, the manifest's magnet says {}: not the release's torrent",
                meta.info_hash_hex(),
                source.info_hash
            )?;
            writeln!(env.out, "\nresult: MISMATCH (nothing written)")?;
            return Ok(EXIT_MISMATCH);
        }
        let agrees = if manifest.files.is_empty() {
            true
        } else {
            compare_layout(&mut env.out, &meta, &manifest)?
        };
        if !agrees {
            writeln!(
                env.out,
                "\nresult: MISMATCH — the torrent and the manifest disagree (nothing written)"
            )?;
            return Ok(EXIT_MISMATCH);
        }
        if let Some(t) = manifest.sources.torrent.as_mut() {
            t.piece_length = Some(meta.piece_length);
            t.name = Some(meta.name.clone());
            t.files = meta
                .files
                .iter()
                .map(|f| TorrentFileEntry {
                    path: f.relative_path(),
                    size: f.length,
                })
                .collect();
        }
        let text = toml::to_string(&manifest).context("serialising the manifest")?;
        // Re-read what is written, so a manifest this command writes always loads.
        Manifest::from_toml(&text, &out.display().to_string())?;
        let header = format!(
            "# {} manifest; torrent layout pinned by `weightcheck manifest pin-torrent` from\n\
             # the swarm's metadata (info-hash {}).\n\n",
            manifest.release.name,
            meta.info_hash_hex()
        );
        std::fs::write(&out, header + &text)
            .with_context(|| format!("writing {}", out.display()))?;
        writeln!(
            env.out,
            "  pinned: name {:?}, piece length {}, {} files, {} bytes",
            meta.name,
            thousands(meta.piece_length),
            meta.files.len(),
            thousands(meta.total_length())
        )?;
        writeln!(env.out, "\nresult: PINNED")?;
        Ok(EXIT_OK)
    }
}
