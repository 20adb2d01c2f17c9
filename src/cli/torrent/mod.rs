//! `weightcheck torrent create|show|verify`: make a BitTorrent v1 .torrent
//! whose info-hash matches Debian's `mktorrent -d`, describe one, or check
//! a copy's pieces against one.

use clap::{Args, Subcommand};

use weightcheck::env::Env;

mod create;
mod show;
mod verify;

/// Arguments of `weightcheck torrent`.
#[derive(Debug, Args)]
pub struct Torrent {
    #[command(subcommand)]
    command: TorrentCommand,
}

#[derive(Debug, Subcommand)]
enum TorrentCommand {
    /// Write a BitTorrent v1 .torrent for a directory (same info-hash as `mktorrent -d`).
    Create(create::Create),
    /// Print a .torrent's name, info-hash, piece length and files.
    Show(show::Show),
    /// Check every piece of a local copy against a .torrent (`hash
    /// --torrent --pieces-only`; the same engine and exit codes).
    Verify(verify::Verify),
}

impl Torrent {
    /// Runs the command.
    pub fn run(self, env: &mut Env) -> anyhow::Result<i32> {
        match self.command {
            TorrentCommand::Create(c) => c.run(env),
            TorrentCommand::Show(s) => s.run(env),
            TorrentCommand::Verify(v) => v.run(env),
        }
    }
}
