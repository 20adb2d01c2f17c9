//! `weightcheck github`: the GitHub side of a release, through the REST API
//! or offline on a clone: files (path, size, git blob SHA-1), the README's
//! magnet links, the license, and run.py's model config against the
//! manifest.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context};
use clap::Args;

use crate::cli::{ReleaseArgs, EXIT_MISMATCH, EXIT_OK};
use weightcheck::env::Env;
use weightcheck::github::api::{ClientOptions, GithubRepo};
use weightcheck::github::local::read_local;
use weightcheck::github::{analyze, github_source, Origin};
use weightcheck::manifest::{select, Manifest};
use weightcheck::printer;

/// Arguments of `weightcheck github`.
#[derive(Debug, Args)]
pub struct Github {
    /// The repository on GitHub.
    #[arg(
        value_name = "OWNER/REPO",
        required_unless_present = "local",
        conflicts_with = "local"
    )]
    repo: Option<String>,
    /// Branch, tag or commit to check [default: the manifest's commit when
    /// OWNER/REPO is the manifest's repository, else HEAD].
    #[arg(long = "ref", value_name = "REF")]
    git_ref: Option<String>,
    /// Check a clone or a plain directory offline instead of the API.
    #[arg(long, value_name = "PATH", conflicts_with_all = ["git_ref", "api_url"])]
    local: Option<PathBuf>,
    /// The release to compare with [default: the built-in release published
    /// in OWNER/REPO].
    #[command(flatten)]
    release: ReleaseArgs,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// Base URL of the GitHub API (also WEIGHTCHECK_GITHUB_API).
    #[arg(long, value_name = "URL")]
    api_url: Option<String>,
}

impl Github {
    fn manifest(&self, env: &Env) -> anyhow::Result<Manifest> {
        if let Some(sel) = self.release.selector(env, None) {
            return Ok(sel.load()?);
        }
        if let Some(repo) = &self.repo {
            return select::by_repository(repo).with_context(|| {
                format!("no built-in manifest for {repo}; give --release ID or --manifest FILE")
            });
        }
        bail!("--local needs --release ID or --manifest FILE to compare with")
    }

    /// Runs the command.
    pub fn run(self, env: &mut Env) -> anyhow::Result<i32> {
        let manifest = self.manifest(env)?;
        let report = if let Some(path) = &self.local {
            let root = env.resolve(path);
            let read = read_local(&root, &manifest)?;
            analyze(read.origin, &read.snapshot, &manifest)?
        } else {
            let repo = self.repo.clone().context("OWNER/REPO is required")?;
            let gh = github_source(&manifest)?;
            let git_ref = match &self.git_ref {
                Some(r) => r.clone(),
                None if gh.repo.eq_ignore_ascii_case(&repo) => gh.commit.clone(),
                None => "HEAD".to_string(),
            };
            let opts = ClientOptions {
                api_url: self
                    .api_url
                    .clone()
                    .or_else(|| super::net_args::non_empty_env("WEIGHTCHECK_GITHUB_API")),
                // GH_TOKEN is the GitHub CLI's name for the same token.
                token: super::net_args::non_empty_env("GITHUB_TOKEN")
                    .or_else(|| super::net_args::non_empty_env("GH_TOKEN")),
                retries: 3,
                timeout: Duration::from_secs(30),
            };
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .context("cannot start the async runtime")?;
            let (commit, snapshot) = rt.block_on(async {
                let client = GithubRepo::new(&repo, &opts)?;
                client.snapshot(&git_ref, &manifest).await
            })?;
            let origin = Origin::Github {
                repo,
                git_ref,
                commit: commit.sha,
            };
            analyze(origin, &snapshot, &manifest)?
        };
        if self.json {
            serde_json::to_writer_pretty(&mut env.out, &report)?;
            writeln!(env.out)?;
        } else {
            printer::github::text(&report, &mut env.out)?;
        }
        Ok(if report.is_ok() {
            EXIT_OK
        } else {
            EXIT_MISMATCH
        })
    }
}
