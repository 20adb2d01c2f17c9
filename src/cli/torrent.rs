//! `weightcheck torrent create|show`: make a BitTorrent v1 .torrent whose
//! info-hash matches Debian's `mktorrent -d`, or describe one.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use serde::Serialize;

use crate::env::Env;
use crate::torrent::create::{self, CreateOptions};
use crate::torrent::Metainfo;

use super::inspect::thousands;
use super::progress::Bar;
use super::EXIT_OK;

/// Arguments of `weightcheck torrent`.
#[derive(Debug, Args)]
pub struct Torrent {
    #[command(subcommand)]
    command: TorrentCommand,
}

#[derive(Debug, Subcommand)]
enum TorrentCommand {
    /// Write a BitTorrent v1 .torrent for a directory (same info-hash as `mktorrent -d`).
    Create(Create),
    /// Print a .torrent's name, info-hash, piece length and files.
    Show(Show),
}

/// Arguments of `weightcheck torrent create`.
#[derive(Debug, Args)]
pub struct Create {
    /// The directory (multi-file torrent) or file (single-file torrent).
    path: PathBuf,
    /// The torrent's name (default: the directory's name).
    #[arg(long, short)]
    name: Option<String>,
    /// Piece length: bytes (`16777216`), with a binary suffix (`16M`,
    /// `16MiB`, `256K`), or a power of two as mktorrent's -l takes it (`24`).
    #[arg(long, short = 'l', value_parser = parse_piece_length)]
    piece_length: u64,
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
}

/// Arguments of `weightcheck torrent show`.
#[derive(Debug, Args)]
pub struct Show {
    /// The .torrent file.
    file: PathBuf,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

impl Torrent {
    /// Runs the command.
    pub fn run(self, env: &mut Env) -> anyhow::Result<i32> {
        match self.command {
            TorrentCommand::Create(c) => c.run(env),
            TorrentCommand::Show(s) => s.run(env),
        }
    }
}

/// Parses `24` (2^24), `16M`, `16MiB`, `256k` or a byte count.
pub fn parse_piece_length(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, suffix) = t.split_at(split);
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("{s:?} is not a piece length"))?;
    let shift = match suffix.to_ascii_lowercase().as_str() {
        "" if n < 64 => return Ok(1u64 << n),
        "" | "b" => 0,
        "k" | "kib" => 10,
        "m" | "mib" => 20,
        "g" | "gib" => 30,
        _ => return Err(format!("{s:?}: unknown unit {suffix:?} (use K, M or G)")),
    };
    n.checked_shl(shift)
        .filter(|v| v >> shift == n)
        .ok_or_else(|| format!("{s:?} is too large"))
}

impl Create {
    fn run(self, env: &mut Env) -> anyhow::Result<i32> {
        let path = env.resolve(&self.path);
        let opts = CreateOptions {
            name: self.name.clone(),
            piece_length: self.piece_length,
            trackers: self.announce.clone(),
            private: self.private,
        };
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
        writeln!(
            env.out,
            "{}\ninfo-hash {}\n{} files, {} bytes, {} pieces of {}",
            out.display(),
            m.info_hash_hex(),
            m.files.len(),
            thousands(m.total_length()),
            m.pieces.len(),
            thousands(m.piece_length)
        )?;
        Ok(EXIT_OK)
    }
}

#[derive(Serialize)]
struct ShowJson<'a> {
    magnet: String,
    total_length: u64,
    piece_count: usize,
    #[serde(flatten)]
    metainfo: &'a Metainfo,
}

/// A magnet link for `m` (info-hash, name, trackers).
pub fn magnet_link(m: &Metainfo) -> String {
    let mut s = format!(
        "magnet:?xt=urn:btih:{}&dn={}",
        m.info_hash_hex(),
        escape(&m.name)
    );
    for t in &m.trackers {
        s.push_str("&tr=");
        s.push_str(&escape(t));
    }
    s
}

fn escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl Show {
    fn run(self, env: &mut Env) -> anyhow::Result<i32> {
        let m = Metainfo::from_file(env.resolve(&self.file))?;
        if self.json {
            let j = ShowJson {
                magnet: magnet_link(&m),
                total_length: m.total_length(),
                piece_count: m.pieces.len(),
                metainfo: &m,
            };
            serde_json::to_writer_pretty(&mut env.out, &j)?;
            writeln!(env.out)?;
            return Ok(EXIT_OK);
        }
        let o = &mut env.out;
        writeln!(o, "name          {}", m.name)?;
        writeln!(o, "info-hash     {}", m.info_hash_hex())?;
        writeln!(
            o,
            "piece length  {} ({} pieces)",
            thousands(m.piece_length),
            m.pieces.len()
        )?;
        writeln!(
            o,
            "total         {} bytes in {} file{}{}",
            thousands(m.total_length()),
            m.files.len(),
            if m.files.len() == 1 { "" } else { "s" },
            if m.single_file {
                " (single-file torrent)"
            } else {
                ""
            }
        )?;
        if m.private {
            writeln!(o, "private       yes")?;
        }
        for t in &m.trackers {
            writeln!(o, "tracker       {t}")?;
        }
        if let Some(c) = &m.created_by {
            writeln!(o, "created by    {c}")?;
        }
        if let Some(c) = &m.comment {
            writeln!(o, "comment       {c}")?;
        }
        writeln!(o, "magnet        {}", magnet_link(&m))?;
        writeln!(o, "files:")?;
        let width = thousands(m.files.iter().map(|f| f.length).max().unwrap_or(0)).len();
        for f in &m.files {
            writeln!(
                o,
                "  {:>width$}  {}",
                thousands(f.length),
                f.relative_path()
            )?;
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
        let code = crate::cli::run(
            [
                "weightcheck",
                "torrent",
                "create",
                "set",
                "-l",
                "15",
                "-o",
                "t.torrent",
            ],
            &mut env,
        );
        assert_eq!(code, 0, "{}", cap.err());
        assert!(
            cap.out()
                .contains("2 files, 40,002 bytes, 2 pieces of 32,768"),
            "{}",
            cap.out()
        );
        let code = crate::cli::run(
            [
                "weightcheck",
                "torrent",
                "create",
                "set",
                "-l",
                "15",
                "-o",
                "t.torrent",
            ],
            &mut env,
        );
        assert_eq!(code, 2, "refuses to overwrite");
        assert!(cap.err().contains("--force"));

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
