//! `weightcheck manifest …`: maintaining release manifests.
//!
//! `manifest pin DIR -o FILE` records the size and SHA-256 of every file of
//! a trusted copy (see [`weightcheck::pin`]); with `--release` or
//! `--manifest` the copy must first agree with that manifest's file list,
//! structure and published SHA-256s. Exit 0 pinned, 1 the copy contradicts
//! the manifest (nothing written), 2 usage or I/O error.
//!
//! `manifest import-mot RECORD` seeds a manifest from a Model Openness Tool
//! record (see `import_mot.rs`).
//!
//! `manifest export --model-signing DIR` writes the unsigned in-toto
//! statement OpenSSF model_signing would sign for DIR (see `export.rs`).
//!
//! `manifest pin-torrent FILE --manifest OUT` records a torrent's layout —
//! name, piece length and every file with its size — in a manifest, after
//! checking that the torrent is the release's (same info-hash as the
//! manifest's magnet link) and that its files agree with the manifest's.
//! With `fetch --metadata-only` this is how the real Grok-1 layout is
//! pinned: its piece length and the files beyond the 770 shards are
//! published nowhere but in the swarm. Exit 0 pinned, 1 the torrent
//! contradicts the manifest (nothing written), 2 usage or I/O error.

use clap::{Args, Subcommand};

use weightcheck::env::Env;

mod export;
mod import_mot;
mod pin;
mod pin_torrent;

use export::Export;
use import_mot::ImportMot;
use pin::Pin;
use pin_torrent::PinTorrent;

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
    /// Seed a manifest's components from a Model Openness Tool record.
    ImportMot(ImportMot),
    /// Write the in-toto statement OpenSSF model_signing would sign for a directory.
    Export(Export),
}

impl ManifestCmd {
    /// Runs the command.
    pub fn run(self, env: &mut Env) -> anyhow::Result<i32> {
        match self.action {
            Action::Pin(cmd) => cmd.run(env),
            Action::PinTorrent(cmd) => cmd.run(env),
            Action::ImportMot(cmd) => cmd.run(env),
            Action::Export(cmd) => cmd.run(env),
        }
    }
}
