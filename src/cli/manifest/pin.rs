//! `weightcheck manifest pin DIR -o FILE`: the sizes and SHA-256s of a
//! trusted copy, written as a manifest; `--hf OWNER/REPO[@REV]` takes them
//! from the Hugging Face Hub's listing instead.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use crate::cli::{ReleaseArgs, EXIT_MISMATCH, EXIT_OK};
use weightcheck::env::Env;
use weightcheck::hf::api::Hub;
use weightcheck::manifest::Manifest;
use weightcheck::pin::{self, PinResult, Pinned};
use weightcheck::printer::{self, progress::Bar};
use weightcheck::Result;

/// Arguments of `weightcheck manifest pin`.
#[derive(Debug, Args)]
pub struct Pin {
    /// The trusted copy: the release's root directory (or, as for verify,
    /// the `ckpt-0` directory inside it).
    #[arg(required_unless_present = "hf", conflicts_with = "hf")]
    dir: Option<PathBuf>,
    /// Take sizes and digests from the Hugging Face Hub's listing of this
    /// repository (at REV: a branch, tag or commit; default main) instead
    /// of reading a copy: SHA-256 for LFS files, git blob SHA-1 for the
    /// rest. The manifest records the commit.
    #[arg(long, value_name = "OWNER/REPO[@REV]")]
    hf: Option<String>,
    #[command(flatten)]
    hub: crate::cli::net_args::HubArgs,
    /// The manifest to write (`-`: standard output, with the summary on
    /// standard error). Replaced atomically if it exists.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: PathBuf,
    // Without one, a bare local manifest; with one, the copy must match
    // its file list, sizes, structure and SHA-256s to be pinned.
    #[command(flatten)]
    release: ReleaseArgs,
    /// Print the summary as JSON.
    #[arg(long)]
    json: bool,
}

impl Pin {
    /// Runs the command.
    pub fn run(self, env: &mut Env) -> anyhow::Result<i32> {
        let (outcome, base) = match (&self.dir, &self.hf) {
            (_, Some(repo)) => self.pin_listing(env, repo)?,
            (Some(dir), None) => {
                let dir = env.resolve(dir);
                let base = match self.release.selector(env, None) {
                    Some(sel) => sel.load()?,
                    None => Manifest::local(&dir.display().to_string()),
                };
                let bar = Bar::new(env, "hashing");
                let outcome = pin::pin(&dir, &base, &|p| bar.update(p));
                bar.finish();
                (outcome, base)
            }
            (None, None) => anyhow::bail!("name the copy to pin (DIR) or --hf OWNER/REPO"),
        };
        let to_stdout = self.output.as_os_str() == "-";
        let out = env.resolve(&self.output);
        let (pinned, contradictions, root) = match &outcome? {
            PinResult::Pinned(p) => {
                let text = pin::to_toml(p)?;
                if to_stdout {
                    env.out.write_all(text.as_bytes())?;
                } else {
                    pin::write_atomically(&text, &out)?;
                }
                (Some(Pinned::clone(p)), Vec::new(), p.root.clone())
            }
            PinResult::Refused {
                root,
                contradictions,
            } => (None, contradictions.clone(), root.clone()),
        };
        // With `-o -` the manifest owns standard output.
        let summary: &mut dyn Write = if to_stdout {
            &mut env.err
        } else {
            &mut env.out
        };
        let written = (!to_stdout).then(|| out.display().to_string());
        if self.json {
            printer::pin::json(summary, &base, pinned.as_ref(), written, &contradictions)?;
        } else {
            printer::pin::text(
                summary,
                &base,
                &root,
                self.hf.is_some(),
                pinned.as_ref(),
                &contradictions,
                written,
            )?;
        }
        Ok(if pinned.is_some() {
            EXIT_OK
        } else {
            EXIT_MISMATCH
        })
    }

    /// The Hub's listing of `spec` (`OWNER/REPO[@REV]`) at the commit REV is
    /// at now, pinned against the release's manifest or a bare one.
    fn pin_listing(
        &self,
        env: &mut Env,
        spec: &str,
    ) -> anyhow::Result<(Result<PinResult>, Manifest)> {
        let (repo, revision) = spec.split_once('@').unwrap_or((spec, "main"));
        weightcheck::hf::api::parse_repo(repo)?;
        let base = match self.release.selector(env, None) {
            Some(sel) => sel.load()?,
            None => Manifest::local(&format!("huggingface.co/{repo}")),
        };
        let opts = self.hub.options();
        // Listed at the commit, not the branch: the record and the listing
        // must be of the same revision even if the branch moves meanwhile.
        let (commit, listing) = crate::cli::net_args::runtime()?.block_on(async {
            let hub = Hub::new(&opts)?;
            let commit = hub.commit(repo, revision).await?;
            let listing = hub.list(repo, &commit).await?;
            Ok::<_, weightcheck::Error>((commit, listing))
        })?;
        Ok((pin::hub::pin(&listing, &commit, &base), base))
    }
}
