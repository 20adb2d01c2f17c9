//! `weightcheck verify [DIR]`: holds a release on disk against its manifest
//! (file set, sizes, tensor structure, SHA-256s) and the publisher's claims
//! against the weights. Exit 0 verified, 1 a mismatch, 2 usage or I/O error.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;

use weightcheck::env::Env;
use weightcheck::hash::engine::CacheMode;
use weightcheck::manifest::Manifest;
use weightcheck::printer::{self, progress::Bar};
use weightcheck::verify::{self, request::Prepared, request::Request};

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
    /// An OpenSSF model_signing signature (Sigstore bundle) of DIR: its
    /// signature is checked with --public-key or --certificate-chain, then
    /// every signed file or shard, and no unsigned file may be there.
    #[arg(
        long,
        value_name = "BUNDLE",
        requires_all = ["dir", "signer"],
        conflicts_with_all = ["config", "sums", "no_hash", "torrent", "tokenizer"]
    )]
    model_signing: Option<PathBuf>,
    /// The PEM ECDSA P-256 public key the --model-signing bundle must be
    /// signed with (model_signing sign key).
    #[arg(long, value_name = "PEM", requires = "model_signing", group = "signer")]
    public_key: Option<PathBuf>,
    /// PEM certificates to trust as roots for a certificate-signed
    /// --model-signing bundle (model_signing sign certificate); repeatable,
    /// or several in one file.
    #[arg(long, value_name = "PEM", requires = "model_signing", group = "signer")]
    certificate_chain: Vec<PathBuf>,
    /// Print JSON (the whole report) instead of text.
    #[arg(long)]
    json: bool,
}

impl Verify {
    /// Runs the command.
    pub fn run(self, env: &mut Env) -> anyhow::Result<i32> {
        let resolve = |p: &Option<PathBuf>| p.as_ref().map(|p| env.resolve(p));
        if let (Some(dir), Some(bundle)) = (resolve(&self.dir), resolve(&self.model_signing)) {
            let signer = match resolve(&self.public_key) {
                Some(key) => super::model_signing::Signer::Key(key),
                None => super::model_signing::Signer::Roots(
                    self.certificate_chain
                        .iter()
                        .map(|p| env.resolve(p))
                        .collect(),
                ),
            };
            let cache = CacheMode::from_flags(self.no_cache, self.full);
            return super::model_signing::verify(env, &dir, &bundle, signer, cache, self.json);
        }
        let request = Request {
            dir: resolve(&self.dir),
            release: self.release.selector(env, None),
            config: resolve(&self.config),
            sums: resolve(&self.sums),
            torrent: resolve(&self.torrent),
            magnet: self.magnet.clone(),
            tokenizer: resolve(&self.tokenizer),
            check_hashes: !self.no_hash,
            cache: CacheMode::from_flags(self.no_cache, self.full),
        };
        let mut prepared = request.prepare(&env.cwd)?;
        // Only hashing stops on Ctrl-C; without it, Ctrl-C keeps its
        // default effect.
        prepared.options.stop = (!self.no_hash).then(weightcheck::hash::interrupt::on_ctrl_c);
        let bar = Bar::new(env, "hashing");
        let progress = |p| bar.update(p);
        let report = if self.json {
            let report = prepared.report(&progress);
            bar.finish();
            let report = report?;
            serde_json::to_writer_pretty(&mut env.out, &report)?;
            writeln!(env.out)?;
            report
        } else {
            let Prepared {
                manifest,
                chosen,
                located,
                options,
            } = prepared;
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
            let report = verify::verify_each(&manifest, &located, &options, &progress, &mut rows);
            bar.finish();
            let mut report = report?;
            report.located = notes;
            printer::verify::tail(&mut env.out, &report)?;
            report
        };
        Ok(report.exit_code)
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
