//! `weightcheck torrent verify`: `hash --torrent --pieces-only` under the
//! name people type (imdl has it).

use std::path::PathBuf;

use clap::Args;

use weightcheck::env::Env;

/// Arguments of `weightcheck torrent verify`.
#[derive(Debug, Args)]
pub struct Verify {
    /// The .torrent.
    torrent: PathBuf,
    /// The copy: the torrent's top directory or the directory holding it
    /// (a single file, or the directory holding it).
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// Require the torrent's info-hash to be this magnet link's.
    #[arg(long, value_name = "URI")]
    magnet: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

impl Verify {
    pub(super) fn run(self, env: &mut Env) -> anyhow::Result<i32> {
        crate::cli::hash::Hash {
            dir: self.dir,
            torrent: Some(self.torrent),
            magnet: self.magnet,
            pieces_only: true,
            git: false,
            sums: None,
            json: self.json,
            full: false,
            no_cache: false,
        }
        .run(env)
    }
}
