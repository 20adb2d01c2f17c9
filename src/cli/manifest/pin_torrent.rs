//! `weightcheck manifest pin-torrent FILE --manifest OUT`: a torrent's
//! layout recorded in a manifest.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::Args;

use crate::cli::{EXIT_MISMATCH, EXIT_OK};
use weightcheck::env::Env;
use weightcheck::manifest::{Manifest, TorrentFileEntry};
use weightcheck::torrent::Metainfo;
use weightcheck::units::thousands;

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
            weightcheck::manifest::select::by_info_hash(meta.info_hash()).with_context(|| {
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
        if source.info_hash != meta.info_hash() {
            writeln!(
                env.out,
                "  the torrent's info-hash is {}, the manifest's magnet says {}: not the release's torrent",
                meta.info_hash_hex(),
                source.info_hash
            )?;
            writeln!(env.out, "\nresult: FAILED (nothing written)")?;
            return Ok(EXIT_MISMATCH);
        }
        let agrees = if manifest.files.is_empty() {
            true
        } else {
            weightcheck::printer::fetch::layout(&mut env.out, &meta, &manifest)?
        };
        if !agrees {
            writeln!(
                env.out,
                "\nresult: FAILED — the torrent and the manifest disagree (nothing written)"
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
