//! `weightcheck verify [DIR]`: holds a release on disk against its manifest
//! (file set, sizes, tensor structure, SHA-256s) and the publisher's claims
//! against the weights. Exit 0 verified, 1 a mismatch, 2 usage or I/O error.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;

use weightcheck::env::Env;
use weightcheck::hash::engine::CacheMode;
use weightcheck::manifest::select::{self, Detected};
use weightcheck::manifest::Manifest;
use weightcheck::printer::{self, progress::Bar};
use weightcheck::torrent::{Magnet, Metainfo};
use weightcheck::verify::{self, locate, Located};

use super::ReleaseArgs;

/// Arguments of `weightcheck verify`.
#[derive(Debug, Args)]
pub struct Verify {
    /// The release directory (holding `ckpt-0/`, or `ckpt-0` itself). Without
    /// it, weightcheck looks in ./checkpoints, the Hugging Face cache and the
    /// current directory.
    dir: Option<PathBuf>,
    #[command(flatten)]
    release: ReleaseArgs,
    /// Take the architecture from a config.json (Hugging Face) or
    /// params.json (Mistral) instead of the manifest; without --release,
    /// check the directory against this config alone.
    #[arg(long)]
    config: Option<PathBuf>,
    /// A checksum list (`sha256sum`/`md5sum` output: SHA256SUMS, MD5SUMS,
    /// checklist.chk) whose digests the files must match; alone, its files
    /// are the release.
    #[arg(long, requires = "dir", conflicts_with = "no_hash")]
    sums: Option<PathBuf>,
    /// Check structure and sizes only; do not hash content.
    #[arg(long, conflicts_with_all = ["torrent", "full"])]
    no_hash: bool,
    /// Also check every BitTorrent v1 piece of this .torrent (its paths are
    /// relative to DIR), in the same read pass as the SHA-256s.
    #[arg(long)]
    torrent: Option<PathBuf>,
    /// Refuse the .torrent unless its info-hash is this magnet link's (by
    /// default, the manifest's magnet is checked).
    #[arg(long, requires = "torrent")]
    magnet: Option<String>,
    /// Hash everything again, ignoring the verification cache.
    #[arg(long, conflicts_with = "no_cache")]
    full: bool,
    /// Neither read nor write the verification cache.
    #[arg(long)]
    no_cache: bool,
    /// The tokenizer.model to count the vocabulary from (default: found
    /// next to the release, if there).
    #[arg(long)]
    tokenizer: Option<PathBuf>,
    /// Print JSON (the whole report) instead of text.
    #[arg(long)]
    json: bool,
}

impl Verify {
    /// Runs the command.
    pub fn run(self, env: &mut Env) -> anyhow::Result<i32> {
        let dir = self.dir.as_ref().map(|d| env.resolve(d));
        // Read once: it may name the release, and it is checked below.
        let torrent = match &self.torrent {
            Some(path) => {
                let path = env.resolve(path);
                let meta = Metainfo::from_file(&path)?;
                Some((path, meta))
            }
            None => None,
        };
        let (manifest, chosen) = match (&self.sums, &dir) {
            (Some(sums), Some(dir)) => self.with_sums(env, &env.resolve(sums), dir)?,
            _ => self.manifest(env, dir.as_deref(), torrent.as_ref().map(|(_, m)| m))?,
        };
        let located = match &dir {
            Some(dir) => Located::at(dir, &manifest)?,
            None => Located::search(&env.cwd, locate::hf_hub_from_env().as_deref(), &manifest)?,
        };
        let tokenizer = match &self.tokenizer {
            Some(t) => Some(env.resolve(t)),
            None => locate::find_tokenizer(&located.root, &env.cwd),
        };
        let torrent = match torrent {
            Some((path, meta)) => {
                let magnet = self.magnet.as_deref().map(Magnet::parse).transpose()?;
                select::check_torrent(&path, &meta, magnet.as_ref(), Some(&manifest))?;
                Some(meta)
            }
            None => None,
        };
        let mut opts = verify::Options::default();
        opts.check_hashes = !self.no_hash;
        opts.tokenizer = tokenizer;
        opts.torrent = torrent;
        opts.cache = CacheMode::from_flags(self.no_cache, self.full);
        // Only hashing stops on Ctrl-C; without it, Ctrl-C keeps its
        // default effect.
        opts.stop = (!self.no_hash).then(weightcheck::hash::interrupt::on_ctrl_c);
        opts.not_extra = self.list_inside(env, &located.root);
        let bar = Bar::new(env, "hashing");
        let progress = |p| bar.update(p);
        let report = if self.json {
            let report = verify::verify_with_progress(&manifest, &located, &opts, &progress);
            bar.finish();
            let mut report = report?;
            report.located.splice(0..0, chosen);
            serde_json::to_writer_pretty(&mut env.out, &report)?;
            writeln!(env.out)?;
            report
        } else {
            // Rows are printed as verify hands them on, not kept: a
            // manifest may list 10^6 files.
            let mut notes: Vec<String> = chosen.into_iter().collect();
            notes.extend(located.notes.iter().cloned());
            let mut rows = TextRows {
                table: printer::verify::Table::new(&mut env.out, env.quiet),
                bar: &bar,
                manifest: &manifest,
                root: &located.root,
                notes: &notes,
            };
            let report = verify::verify_each(&manifest, &located, &opts, &progress, &mut rows);
            bar.finish();
            let mut report = report?;
            report.located = notes;
            printer::verify::tail(&mut env.out, &report)?;
            report
        };
        Ok(report.exit_code)
    }

    /// The manifest named (if any) with `--sums`'s digests added, or the
    /// list alone.
    fn with_sums(
        &self,
        env: &Env,
        sums: &Path,
        dir: &Path,
    ) -> anyhow::Result<(Manifest, Option<String>)> {
        use weightcheck::manifest::sums;
        let list = sums::read(sums)?;
        let md5s = list
            .iter()
            .filter(|e| e.kind == sums::DigestKind::Md5)
            .count();
        let m = match self.release.selector(env, None) {
            Some(sel) => {
                let mut m = sel.load()?;
                sums::apply(&mut m, &list, sums, dir)?;
                m
            }
            None => sums::manifest_of(&list, sums, dir)?,
        };
        let mut why = format!("checksum list: {} ({} files", sums.display(), list.len());
        if md5s > 0 {
            // Said on every run, so nobody reads an MD5 match as more.
            why += &format!("; {md5s} by MD5, which proves bytes against accidental damage, not against a collision made on purpose");
        }
        why += ")";
        Ok((m, Some(why)))
    }

    /// The `--sums` list's path under `root`, if it is inside it.
    fn list_inside(&self, env: &Env, root: &Path) -> Vec<String> {
        let canon = |p: &Path| p.canonicalize().ok();
        let list = self.sums.as_ref().and_then(|s| canon(&env.resolve(s)));
        list.zip(canon(root))
            .and_then(|(l, r)| Some(l.strip_prefix(r).ok()?.to_str()?.to_string()))
            .into_iter()
            .collect()
    }

    /// The manifest to verify against, and, when nobody named it but it was
    /// found from the inputs, a line saying how it was chosen.
    fn manifest(
        &self,
        env: &Env,
        dir: Option<&Path>,
        torrent: Option<&Metainfo>,
    ) -> anyhow::Result<(Manifest, Option<String>)> {
        let named = self.release.selector(env, None);
        if let Some(config) = &self.config {
            let base = named.map(|sel| sel.load()).transpose()?;
            return Ok((
                weightcheck::arch::with_config(&env.resolve(config), base)?,
                None,
            ));
        }
        if let Some(sel) = named {
            return Ok((sel.load()?, None));
        }
        if let Some(meta) = torrent {
            if let Some(m) = select::by_info_hash(meta.info_hash()) {
                let why = format!(
                    "release: {} (the .torrent's info-hash {} is its magnet's)",
                    m.release.id,
                    meta.info_hash()
                );
                return Ok((m, Some(why)));
            }
        }
        let detected = match dir {
            Some(d) => select::detect(d)?,
            None => select::detect_nearby(&env.cwd, locate::hf_hub_from_env().as_deref())?,
        };
        Ok(match detected {
            Detected::Release { id, why } => {
                let m = Manifest::embedded(&id)?;
                let why = format!("release: {id} ({why}); name another with --release");
                (m, Some(why))
            }
            Detected::Config(config) => {
                let m = weightcheck::arch::with_config(&config, None)?;
                let why = format!(
                    "release: the model described by {} (no release named: checked against its config)",
                    config.display()
                );
                (m, Some(why))
            }
        })
    }
}

/// verify's rows, printed as they come.
struct TextRows<'a, W> {
    table: printer::verify::Table<W>,
    bar: &'a Bar,
    // For the title, printed with the first row: a run that fails before
    // (an architecture refused, hashing interrupted) prints nothing.
    manifest: &'a Manifest,
    root: &'a Path,
    notes: &'a [String],
}

impl<W: Write> verify::Rows for TextRows<'_, W> {
    type Error = anyhow::Error;

    fn begin(&mut self, widest: verify::Widest) -> anyhow::Result<()> {
        // Hashing is over: the bar would be drawn over the rows.
        self.bar.finish();
        printer::verify::title(self.table.out(), self.manifest, self.root, self.notes)?;
        Ok(self.table.begin(widest)?)
    }

    fn row(&mut self, file: verify::FileResult) -> anyhow::Result<()> {
        Ok(self.table.row(&file)?)
    }
}
