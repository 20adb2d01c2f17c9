//! `weightcheck torrent show`: a .torrent's name, info-hash, pieces and files.

use std::path::PathBuf;

use clap::Args;

use weightcheck::env::Env;
use weightcheck::printer;
use weightcheck::torrent::Metainfo;

use crate::cli::EXIT_OK;

/// Arguments of `weightcheck torrent show`.
#[derive(Debug, Args)]
pub struct Show {
    /// The .torrent file.
    file: PathBuf,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

impl Show {
    pub(super) fn run(self, env: &mut Env) -> anyhow::Result<i32> {
        // Showing needs no verification: v2 and hybrid torrents are listed
        // too, saying that their v2 pieces are not checked.
        let m = Metainfo::from_file_to_show(env.resolve(&self.file))?;
        if self.json {
            printer::torrent::show_json(&mut env.out, &m)?;
        } else {
            printer::torrent::show(&mut env.out, &m)?;
        }
        Ok(EXIT_OK)
    }
}
