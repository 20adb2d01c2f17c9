//! `weightcheck hf`: a folder (by default the Hugging Face cache snapshot)
//! against the files, sizes and digests the Hugging Face Hub publishes for
//! a repository revision.

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use weightcheck::env::Env;
use weightcheck::hf::api::Hub;
use weightcheck::hf::{cache, check};
use weightcheck::printer;

/// Arguments of `weightcheck hf`.
#[derive(Debug, Args)]
pub struct Hf {
    /// The model repository on the Hub.
    #[arg(value_name = "OWNER/REPO")]
    repo: String,
    /// The folder to check [default: the Hugging Face cache snapshot of the
    /// revision].
    #[arg(value_name = "DIR")]
    dir: Option<PathBuf>,
    /// Branch, tag or commit.
    #[arg(long, value_name = "REV", default_value = "main")]
    revision: String,
    /// The Hugging Face hub cache [default: HF_HUB_CACHE, else HF_HOME/hub,
    /// else ~/.cache/huggingface/hub].
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
    #[command(flatten)]
    hub: super::net_args::HubArgs,
    /// Report listed files absent from the folder without failing (a
    /// partial download); the result is then STRUCTURE OK at best, never
    /// VERIFIED.
    #[arg(long, conflicts_with = "fail_on_missing_files")]
    allow_missing_files: bool,
    /// Report files the Hub does not list without failing.
    #[arg(long, conflicts_with = "fail_on_extra_files")]
    allow_extra_files: bool,
    /// Fail on missing files: the default, accepted for scripts written
    /// for `hf cache verify`.
    #[arg(long)]
    fail_on_missing_files: bool,
    /// Fail on extra files: the default, as above.
    #[arg(long)]
    fail_on_extra_files: bool,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

impl Hf {
    /// Runs the command.
    pub fn run(self, env: &mut Env) -> anyhow::Result<i32> {
        weightcheck::hf::api::parse_repo(&self.repo)?;
        // The folder and its boundary for symlinks; for a cache snapshot,
        // the Hub is asked for the commit the snapshot is of, so a branch
        // that moved since the download is not reported as damage.
        let (root, boundary, revision, source) = match &self.dir {
            Some(d) => {
                let root = env.resolve(d);
                (root.clone(), root, self.revision.clone(), None)
            }
            None => {
                let hub = self
                    .cache_dir
                    .as_ref()
                    .map(|d| env.resolve(d))
                    .or_else(weightcheck::verify::locate::hf_hub_from_env)
                    .context("no Hugging Face cache (HOME is not set); name the folder")?;
                let snap = cache::snapshot(&hub, &self.repo, &self.revision)?;
                let from = if snap.commit == self.revision {
                    "cache snapshot".to_string()
                } else {
                    format!("cache snapshot of {}", self.revision)
                };
                (snap.dir, snap.boundary, snap.commit, Some(from))
            }
        };
        let opts = self.hub.options();
        let listing = super::net_args::runtime()?.block_on(async {
            let hub = Hub::new(&opts)?;
            hub.list(&self.repo, &revision).await
        })?;
        let allow = check::Allow {
            missing: self.allow_missing_files && !self.fail_on_missing_files,
            extra: self.allow_extra_files && !self.fail_on_extra_files,
        };
        let report = check::check(&listing, &root, &boundary, allow, &|_| {})?;
        if self.json {
            printer::hf::json(&mut env.out, &report)?;
        } else {
            let shown = match &source {
                Some(from) => format!("{} ({from})", root.display()),
                None => root.display().to_string(),
            };
            printer::hf::text(&mut env.out, &report, &printer::escape(&shown))?;
        }
        Ok(report.result.exit_code(false))
    }
}
