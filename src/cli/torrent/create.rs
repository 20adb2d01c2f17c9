//! `weightcheck torrent create`: a BitTorrent v1 .torrent for a file or a
//! directory, with mktorrent's info-hash for the same piece length.

use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::Args;

use weightcheck::create_torrent::{self as create, CreateOptions};
use weightcheck::env::Env;
use weightcheck::printer::{self, progress::Bar};

use crate::cli::EXIT_OK;

/// Arguments of `weightcheck torrent create`.
#[derive(Debug, Args)]
pub struct Create {
    /// The directory (multi-file torrent) or file (single-file torrent).
    path: PathBuf,
    /// The torrent's name (default: the directory's name).
    #[arg(long, short)]
    name: Option<String>,
    /// Piece length: bytes (`16777216`), with a binary suffix (`16M`,
    /// `16MiB`, `256K`), or a power of two as mktorrent's -l takes it (`24`)
    /// [default: about 2,048 pieces, from 16 KiB to 16 MiB].
    #[arg(long, short = 'l', value_parser = parse_piece_length)]
    piece_length: Option<u64>,
    /// Output file (default: `<name>.torrent`).
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Tracker URL; repeat for backups. Default: none (trackerless).
    #[arg(long, short)]
    announce: Vec<String>,
    /// Set the private flag.
    #[arg(long)]
    private: bool,
    /// Overwrite the output file if it exists.
    #[arg(long)]
    force: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Parses a piece length: an exponent below 64 (`24` is 2^24 bytes) or
/// a byte count with an optional unit (`16M`, `16MiB`, `256k`, `65536`),
/// the forms mktorrent and imdl accept.
pub fn parse_piece_length(s: &str) -> Result<u64, String> {
    match s.trim().parse::<u64>() {
        Ok(n) if n < 64 => Ok(1u64 << n),
        _ => s.parse::<weightcheck::units::Bytes>().map(|b| b.0),
    }
}

impl Create {
    pub(super) fn run(self, env: &mut Env) -> anyhow::Result<i32> {
        let path = env.resolve(&self.path);
        let mut opts = CreateOptions::default();
        opts.piece_length = self.piece_length;
        opts.name = self.name.clone();
        opts.trackers = self.announce.clone();
        opts.private = self.private;
        let bar = Bar::new(env, "hashing");
        let created = create::create(&path, &opts, &|p| bar.update(p));
        bar.finish();
        let created = created?;
        let m = &created.metainfo;
        let out = env.resolve(
            self.output
                .clone()
                .unwrap_or_else(|| PathBuf::from(format!("{}.torrent", m.name))),
        );
        if out.exists() && !self.force {
            bail!("{} exists (use --force to overwrite)", out.display());
        }
        std::fs::write(&out, &created.bytes)
            .with_context(|| format!("cannot write {}", out.display()))?;
        let chosen = self.piece_length.is_none();
        if self.json {
            printer::torrent::created_json(&mut env.out, &out, m, chosen)?;
        } else {
            printer::torrent::created(&mut env.out, &out, m, chosen)?;
        }
        Ok(EXIT_OK)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn piece_length_forms() {
        assert_eq!(parse_piece_length("24"), Ok(1 << 24));
        assert_eq!(parse_piece_length("16M"), Ok(16 << 20));
        assert_eq!(parse_piece_length("16MiB"), Ok(16 << 20));
        assert_eq!(parse_piece_length("256k"), Ok(256 << 10));
        assert_eq!(parse_piece_length("65536"), Ok(65536));
        assert!(parse_piece_length("16X").is_err());
        assert!(parse_piece_length("M").is_err());
        assert!(parse_piece_length("99999999999G").is_err());
    }

    #[test]
    fn create_then_show() {
        let dir = tempfile::tempdir().expect("tempdir");
        let ds = dir.path().join("set");
        std::fs::create_dir_all(ds.join("sub")).expect("mkdir");
        std::fs::write(ds.join("sub/a b"), vec![1u8; 40_000]).expect("write");
        std::fs::write(ds.join("z"), b"zz").expect("write");
        let (mut env, cap) = Env::capture(dir.path());
        let create = [
            "weightcheck",
            "torrent",
            "create",
            "set",
            "-l",
            "15",
            "-o",
            "t.torrent",
        ];
        let code = crate::cli::run(create, &mut env);
        assert_eq!(code, 0, "{}", cap.err());
        assert!(
            cap.out()
                .contains("2 files, 40,002 bytes, 2 pieces of 32,768"),
            "{}",
            cap.out()
        );
        let code = crate::cli::run(create, &mut env);
        assert_eq!(code, 2, "refuses to overwrite");
        assert!(cap.err().contains("--force"));

        let (mut env, cap) = Env::capture(dir.path());
        let code = crate::cli::run(
            [
                "weightcheck",
                "torrent",
                "create",
                "--json",
                "set",
                "-o",
                "auto.torrent",
            ],
            &mut env,
        );
        assert_eq!(code, 0, "{}", cap.err());
        let j: serde_json::Value = serde_json::from_str(&cap.out()).expect("json");
        // 40,002 bytes: the smallest piece length there is.
        assert_eq!(j["piece_length"], 16384);
        assert_eq!(j["piece_length_chosen"], true);
        assert_eq!(j["pieces"], 3);

        let (mut env, cap) = Env::capture(dir.path());
        assert_eq!(
            crate::cli::run(["weightcheck", "torrent", "show", "t.torrent"], &mut env),
            0
        );
        let out = cap.out();
        assert!(out.contains("name          set\n"), "{out}");
        assert!(out.contains("piece length  32,768 (2 pieces)"), "{out}");
        assert!(out.contains("  40,000  sub/a b\n"), "{out}");
        assert!(out.contains("&dn=set"), "{out}");

        let (mut env, cap) = Env::capture(dir.path());
        assert_eq!(
            crate::cli::run(
                ["weightcheck", "torrent", "show", "--json", "t.torrent"],
                &mut env
            ),
            0
        );
        let j: serde_json::Value = serde_json::from_str(&cap.out()).expect("json");
        assert_eq!(j["name"], "set");
        assert_eq!(j["piece_count"], 2);
        assert_eq!(j["files"][0]["path"][1], "a b");
        assert_eq!(j["info_hash"].as_str().map(str::len), Some(40));
    }
}
