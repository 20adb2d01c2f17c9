//! `weightcheck seed DIR --torrent FILE`: for mirror operators. Verifies
//! every piece of the local copy first — a damaged copy is never served —
//! then seeds it until Ctrl-C (or `--stop-after`). Exit 0 after seeding, 1
//! the copy does not match the torrent (nothing served), 2 usage, network
//! or I/O error.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::Args;

use weightcheck::env::Env;
use weightcheck::fetch::{self, seed, Stop};
use weightcheck::torrent::{Magnet, Metainfo};
use weightcheck::units::Bytes;

use super::net_args::NetArgs;
use super::{EXIT_MISMATCH, EXIT_OK};
use weightcheck::hash::engine::CacheMode;
use weightcheck::printer::progress::Bar;
use weightcheck::units::thousands;

/// Arguments of `weightcheck seed`.
#[derive(Debug, Args)]
pub struct Seed {
    /// The local copy: the torrent's top directory, or the directory
    /// holding it (for a single-file torrent, the file or its directory).
    dir: PathBuf,
    /// The .torrent to serve.
    #[arg(long, value_name = "FILE")]
    torrent: PathBuf,
    /// Refuse to seed unless the torrent's info-hash is this magnet's.
    #[arg(long, value_name = "URI")]
    magnet: Option<String>,
    /// Take pieces the verification cache recorded as passed for files
    /// whose size, mtime, ctime and inode are unchanged, instead of reading
    /// every piece again before announcing it.
    #[arg(long)]
    trust_cache: bool,
    /// Stop after SECS (default: run until Ctrl-C).
    #[arg(long, value_name = "SECS")]
    stop_after: Option<u64>,
    #[command(flatten)]
    net: NetArgs,
}

impl Seed {
    /// Runs the command.
    pub fn run(self, env: &mut Env) -> anyhow::Result<i32> {
        let net = self.net.options()?;
        let torrent = env.resolve(&self.torrent);
        let meta = Metainfo::from_file(&torrent)?;
        let bytes = weightcheck::paths::read_limited(
            &torrent,
            weightcheck::torrent::metainfo::MAX_TORRENT_FILE,
        )?;
        let magnet = self.magnet.as_deref().map(Magnet::parse).transpose()?;
        weightcheck::manifest::select::check_torrent(&torrent, &meta, magnet.as_ref(), None)?;
        let root = meta.content_root(&env.resolve(&self.dir));
        writeln!(
            env.out,
            "weightcheck seed: {:?} ({} files, {} bytes, info-hash {}) from {}",
            meta.name,
            meta.files.len(),
            thousands(meta.total_length()),
            meta.info_hash_hex(),
            root.display()
        )?;
        env.out.flush()?;
        let bar = Bar::new(env, "verifying");
        let cache = if self.trust_cache {
            CacheMode::On
        } else {
            CacheMode::Full
        };
        let hashed = seed::verify_local(&root, &meta, cache, &|p| bar.update(p));
        bar.finish();
        let hashed = hashed?;
        let pieces = hashed
            .pieces
            .as_ref()
            .context("the hash engine returned no piece results")?;
        writeln!(
            env.out,
            "  verified: {} of {} pieces pass ({} bytes read in {:.1} s)",
            thousands(pieces.passed as u64),
            thousands(pieces.count as u64),
            thousands(hashed.bytes_hashed),
            hashed.seconds
        )?;
        if !hashed.all_ok() {
            for f in &hashed.files {
                let verdict = weightcheck::hash::tree::file_verdict(f, false);
                if verdict.is_failure() {
                    writeln!(
                        env.out,
                        "  - {}: {verdict}, {} bad piece(s)",
                        weightcheck::printer::escape(&f.path),
                        f.failed_piece_count()
                    )?;
                }
            }
            writeln!(
                env.out,
                "\nresult: FAILED — the copy does not match the torrent; not seeding it"
            )?;
            return Ok(EXIT_MISMATCH);
        }
        let rt = fetch::runtime()?;
        let stop_after = self.stop_after.map(Duration::from_secs);
        let describe = self.net.describe();
        let info_hash = meta.info_hash_hex();
        let summary = {
            let out = &mut env.out;
            let mut ready = |s: &seed::Seeding| {
                let at = s
                    .listen
                    .map_or_else(|| "no listening socket".to_string(), |a| a.to_string());
                let _ = writeln!(out, "  seeding on {at} ({describe}); Ctrl-C to stop");
                if let Some(a) = s.listen.filter(|a| !a.ip().is_unspecified()) {
                    let _ = writeln!(out, "  magnet: magnet:?xt=urn:btih:{info_hash}&x.pe={a}");
                }
                let _ = out.flush();
            };
            let r = rt.block_on(async {
                let stop = Stop::on_ctrl_c(stop_after);
                seed::serve(&root, bytes, &meta, &net, &mut ready, stop).await
            });
            rt.shutdown_timeout(Duration::from_secs(2));
            r?
        };
        writeln!(
            env.out,
            "  stopped: uploaded {} to up to {} peer(s) in {:.0} s",
            Bytes(summary.uploaded_bytes).binary(),
            summary.peak_peers,
            summary.seconds
        )?;
        Ok(EXIT_OK)
    }
}
