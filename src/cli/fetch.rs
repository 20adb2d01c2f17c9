//! `weightcheck fetch`: download a release (or some of its files) over
//! BitTorrent, then prove what arrived — every piece against the torrent,
//! and, with a manifest, every file's SHA-256 and tensor structure.
//! `--metadata-only` fetches just the torrent's metadata from peers, checks
//! it against the magnet link and saves it as a .torrent.
//!
//! Exit 0 every selected file verified (or metadata saved), 1 a file
//! incomplete or contradicting the manifest, 2 usage, network or I/O error,
//! or interrupted (the state is kept: the same command resumes).

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context};
use clap::Args;

use weightcheck::env::Env;
use weightcheck::fetch::{self, metadata, FetchOptions, NetOptions, Source, Stop};
use weightcheck::manifest::{select, Manifest};
use weightcheck::printer;
use weightcheck::torrent::{Magnet, Metainfo};

use super::net_args::NetArgs;
use super::{ReleaseArgs, EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK};

/// Arguments of `weightcheck fetch`.
#[derive(Debug, Args)]
pub struct Fetch {
    /// The release to fetch, as with --release: its magnet link, and its
    /// manifest to verify against.
    #[arg(value_name = "RELEASE", conflicts_with_all = ["release", "manifest"])]
    release_arg: Option<String>,
    /// The release (a built-in id or a manifest file) whose magnet link is
    /// fetched and whose manifest the files are held against; with --magnet
    /// or --torrent, only the manifest (default: the built-in release with
    /// the same info-hash, if any).
    #[command(flatten)]
    release: ReleaseArgs,
    /// Fetch this magnet link.
    #[arg(long, value_name = "URI", conflicts_with_all = ["release_arg", "torrent"])]
    magnet: Option<String>,
    /// Fetch the torrent described by this .torrent file.
    #[arg(long, value_name = "FILE", conflicts_with = "release_arg")]
    torrent: Option<PathBuf>,
    /// Directory to download into; the torrent's top directory is created
    /// in it, resume state goes to DIR/.weightcheck/.
    #[arg(long, value_name = "DIR", required_unless_present = "metadata_only")]
    dest: Option<PathBuf>,
    /// Fetch only the files matching GLOB (repeatable): `*` and `?` stop at
    /// `/`, `**` does not, `[0-4]` is a class. Matched against paths inside
    /// the torrent, with or without its name in front.
    #[arg(long, value_name = "GLOB")]
    only: Vec<String>,
    /// Fetch only the metadata from peers (BEP 9), check it against the
    /// magnet's info-hash, save it as a .torrent and list its files.
    #[arg(long, conflicts_with_all = ["only", "no_verify", "torrent"])]
    metadata_only: bool,
    /// Where --metadata-only saves the .torrent (default: NAME.torrent in
    /// --dest or the current directory).
    #[arg(
        short = 'o',
        long = "output",
        visible_alias = "out",
        value_name = "FILE",
        requires = "metadata_only"
    )]
    out: Option<PathBuf>,
    /// Do not check the fetched files (the result is then unproven).
    #[arg(long)]
    no_verify: bool,
    /// Stop after SECS; the state is kept and the same command resumes.
    #[arg(long, value_name = "SECS")]
    timeout: Option<u64>,
    /// Print JSON (the whole report) instead of text.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    net: NetArgs,
}

impl Fetch {
    /// Runs the command.
    pub fn run(self, env: &mut Env) -> anyhow::Result<i32> {
        let net = self.net.options()?;
        let (source, manifest, label) = self.source(env)?;
        if self.metadata_only {
            let Source::Magnet(m) = source else {
                bail!("--metadata-only needs a magnet link (a release, --magnet or --manifest)");
            };
            return self.metadata_only(env, &m, manifest.as_ref(), &net);
        }
        let Some(dest) = &self.dest else {
            bail!("--dest DIR is required");
        };
        let mut opts = FetchOptions::new(env.resolve(dest));
        opts.only = self.only.clone();
        opts.net = net;
        opts.manifest = manifest.clone();
        opts.verify = !self.no_verify;
        if !self.json {
            writeln!(env.out, "weightcheck fetch: {label}")?;
            writeln!(env.out, "  peers: {}", self.net.describe())?;
            env.out.flush()?;
        }
        let hash_bar = printer::progress::Bar::new(env, "checking");
        let rt = fetch::runtime()?;
        let timeout = self.timeout.map(Duration::from_secs);
        let json = self.json;
        let bars = env.progress();
        let result = {
            let mut show = printer::fetch::Live {
                out: &mut env.out,
                quiet: json,
                bar: None,
                tty: bars,
            };
            let r = rt.block_on(async {
                let stop = Stop::on_ctrl_c(timeout);
                fetch::fetch(source, &opts, &mut show, &|p| hash_bar.update(p), stop).await
            });
            show.finish_bar();
            r
        };
        hash_bar.finish();
        rt.shutdown_timeout(Duration::from_secs(2));
        let report = result?;
        if self.json {
            serde_json::to_writer_pretty(&mut env.out, &report)?;
            writeln!(env.out)?;
        } else {
            printer::fetch::outcome(&mut env.out, &report, env.quiet)?;
        }
        Ok(if report.interrupted {
            EXIT_INTERRUPTED
        } else {
            // --no-verify asked for no check: like --no-hash, exit 0.
            report
                .check
                .as_ref()
                .map_or(EXIT_OK, |c| c.outcome().exit_code(false))
        })
    }

    /// What to fetch, the manifest to hold it against, and a label.
    fn source(&self, env: &Env) -> anyhow::Result<(Source, Option<Manifest>, String)> {
        let named = self.release.selector(env, self.release_arg.as_deref());
        let file_manifest = named.map(|s| s.load()).transpose()?;
        if let Some(uri) = &self.magnet {
            let m = Magnet::parse(uri)?;
            let manifest = file_manifest.or_else(|| select::by_info_hash(m.info_hash));
            let label = format!("magnet {}{}", m.info_hash_hex(), for_release(&manifest));
            return Ok((Source::Magnet(m), manifest, label));
        }
        if let Some(path) = &self.torrent {
            let path = env.resolve(path);
            // Parsed (and its paths sanitised) before anything else sees it.
            let meta = Metainfo::from_file(&path)?;
            let bytes = weightcheck::paths::read_limited(
                &path,
                weightcheck::torrent::metainfo::MAX_TORRENT_FILE,
            )?;
            let manifest = file_manifest.or_else(|| select::by_info_hash(meta.info_hash()));
            let label = format!("{}{}", path.display(), for_release(&manifest));
            return Ok((Source::Torrent(bytes), manifest, label));
        }
        let Some(manifest) = file_manifest else {
            bail!(
                "say what to fetch: a release (`weightcheck fetch grok-1`), --magnet URI, \
                 --torrent FILE or --manifest FILE"
            );
        };
        let Some(t) = &manifest.sources.torrent else {
            bail!(
                "the manifest of {} has no BitTorrent source; use --magnet or --torrent",
                manifest.release.id
            );
        };
        let m = Magnet::parse(&t.magnet)?;
        if t.info_hash != m.info_hash {
            bail!(
                "the manifest's magnet ({}) and info_hash ({}) disagree",
                m.info_hash_hex(),
                t.info_hash
            );
        }
        let label = format!(
            "{} ({}, {}), magnet {}",
            manifest.release.name,
            manifest.release.publisher,
            manifest.release.date,
            m.info_hash_hex()
        );
        Ok((Source::Magnet(m), Some(manifest), label))
    }

    fn metadata_only(
        &self,
        env: &mut Env,
        m: &Magnet,
        manifest: Option<&Manifest>,
        net: &NetOptions,
    ) -> anyhow::Result<i32> {
        if !self.json {
            writeln!(
                env.out,
                "weightcheck fetch --metadata-only: magnet {}{}",
                m.info_hash_hex(),
                manifest
                    .map(|x| format!(" ({})", x.release.name))
                    .unwrap_or_default()
            )?;
            writeln!(env.out, "  peers: {}", self.net.describe())?;
            env.out.flush()?;
        }
        let rt = fetch::runtime()?;
        let timeout = self.timeout.map(Duration::from_secs);
        let fetched = rt.block_on(async {
            let mut stop = Stop::on_ctrl_c(timeout);
            metadata::fetch(m, net, &mut stop).await
        });
        rt.shutdown_timeout(Duration::from_secs(2));
        let Some(fetched) = fetched? else {
            writeln!(env.err, "weightcheck: stopped before the metadata arrived")?;
            return Ok(EXIT_ERROR);
        };
        let meta = &fetched.metainfo;
        let out = match &self.out {
            Some(p) => env.resolve(p),
            None => {
                let dir = self
                    .dest
                    .as_ref()
                    .map_or_else(|| env.cwd.clone(), |d| env.resolve(d));
                std::fs::create_dir_all(&dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
                dir.join(format!("{}.torrent", meta.name))
            }
        };
        std::fs::write(&out, &fetched.bytes)
            .with_context(|| format!("writing {}", out.display()))?;
        if self.json {
            printer::fetch::metadata_json(&mut env.out, meta, &out)?;
        } else {
            printer::fetch::metadata(&mut env.out, meta, &out, manifest)?;
        }
        Ok(EXIT_OK)
    }
}

fn for_release(m: &Option<Manifest>) -> String {
    m.as_ref()
        .map(|m| format!(" — held against the {} manifest", m.release.id))
        .unwrap_or_default()
}
