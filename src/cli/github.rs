//! `weightcheck github`: the GitHub side of a release, through the REST API
//! or offline on a clone: files (path, size, git blob SHA-1), the README's
//! magnet links, the license, and run.py's model config against the
//! manifest.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context};
use clap::Args;

use crate::cli::{EXIT_MISMATCH, EXIT_OK};
use crate::env::Env;
use crate::github::api::{ClientOptions, GithubRepo};
use crate::github::local::read_local;
use crate::github::{analyze, github_source, Origin, ParamStatus, Report};
use crate::manifest::{Manifest, EMBEDDED};

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
    /// Built-in manifest to compare with (e.g. grok-1) [default: the
    /// built-in manifest of OWNER/REPO].
    #[arg(long, value_name = "ID", conflicts_with = "manifest")]
    release: Option<String>,
    /// Manifest file to compare with.
    #[arg(long, value_name = "FILE")]
    manifest: Option<PathBuf>,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// Base URL of the GitHub API (also WEIGHTCHECK_GITHUB_API).
    #[arg(long, value_name = "URL")]
    api_url: Option<String>,
}

fn non_empty_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl Github {
    fn manifest(&self, env: &Env) -> anyhow::Result<Manifest> {
        if let Some(path) = &self.manifest {
            return Ok(Manifest::from_file(&env.resolve(path))?);
        }
        if let Some(id) = &self.release {
            return Ok(Manifest::embedded(id)?);
        }
        if let Some(repo) = &self.repo {
            for (id, _) in EMBEDDED {
                let m = Manifest::embedded(id)?;
                let same = m
                    .sources
                    .github
                    .as_ref()
                    .is_some_and(|g| g.repo.eq_ignore_ascii_case(repo));
                if same {
                    return Ok(m);
                }
            }
            bail!("no built-in manifest for {repo}; give --release ID or --manifest FILE");
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
                    .or_else(|| non_empty_env("WEIGHTCHECK_GITHUB_API")),
                token: non_empty_env("GITHUB_TOKEN"),
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
            render(&report, &mut env.out)?;
        }
        Ok(if report.is_ok() {
            EXIT_OK
        } else {
            EXIT_MISMATCH
        })
    }
}

fn render(r: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let commit_note = |c: &str| {
        if c.eq_ignore_ascii_case(&r.manifest_commit) {
            "the manifest's commit".to_string()
        } else {
            format!("not the manifest's {}", r.manifest_commit)
        }
    };
    match &r.origin {
        Origin::Github {
            repo,
            git_ref,
            commit,
        } => {
            writeln!(out, "repository  {repo} (GitHub API)")?;
            writeln!(
                out,
                "ref         {git_ref} -> {commit} ({})",
                commit_note(commit)
            )?;
        }
        Origin::Local {
            path,
            git,
            git_note,
        } => {
            writeln!(out, "directory   {path}")?;
            match git {
                Some(g) => {
                    match &g.head {
                        Some(h) => writeln!(out, "git HEAD    {h} ({})", commit_note(h))?,
                        None => writeln!(out, "git HEAD    none (no commit yet)")?,
                    }
                    if g.dirty {
                        writeln!(
                            out,
                            "work tree   differs from HEAD ({} {})",
                            g.changes.len(),
                            if g.changes.len() == 1 {
                                "entry"
                            } else {
                                "entries"
                            }
                        )?;
                        for c in g.changes.iter().take(20) {
                            writeln!(out, "              {c}")?;
                        }
                        if g.changes.len() > 20 {
                            writeln!(out, "              … {} more", g.changes.len() - 20)?;
                        }
                    } else {
                        writeln!(out, "work tree   clean")?;
                    }
                }
                None => match git_note {
                    Some(n) => writeln!(out, "git         not read: {n}")?,
                    None => writeln!(out, "git         not a git repository")?,
                },
            }
        }
    }
    writeln!(
        out,
        "manifest    {} ({} at {})",
        r.release, r.manifest_repo, r.manifest_commit
    )?;

    let t = &r.tree;
    writeln!(out)?;
    writeln!(
        out,
        "files: {} match, {} changed, {} missing, {} extra",
        t.matched.len(),
        t.changed.len(),
        t.missing.len(),
        t.extra.len()
    )?;
    for c in &t.changed {
        writeln!(out, "  changed  {}", c.path)?;
        writeln!(
            out,
            "           manifest  {} bytes  git sha1 {}",
            c.expected_size, c.expected_sha1
        )?;
        writeln!(
            out,
            "           found     {} bytes  git sha1 {}",
            c.actual_size, c.actual_sha1
        )?;
    }
    for m in &t.missing {
        writeln!(
            out,
            "  missing  {}  ({} bytes, git sha1 {})",
            m.path, m.size, m.git_sha1
        )?;
    }
    for e in &t.extra {
        writeln!(
            out,
            "  extra    {}  ({} bytes, git sha1 {})",
            e.path, e.size, e.git_sha1
        )?;
    }

    let m = &r.magnets;
    writeln!(out)?;
    match (&m.file, &m.expected_info_hash) {
        (Some(f), Some(h)) => writeln!(
            out,
            "magnet: {} link(s) in {f}; manifest info-hash {h}",
            m.links.len()
        )?,
        (Some(f), None) => writeln!(
            out,
            "magnet: {} link(s) in {f}; the manifest has no torrent",
            m.links.len()
        )?,
        (None, _) => writeln!(out, "magnet: no README")?,
    }
    for l in &m.links {
        let verdict = match (&l.info_hash, &m.expected_info_hash) {
            (Some(h), Some(e)) if h == e => "matches",
            (Some(_), Some(_)) => "DIFFERS",
            (Some(_), None) => "",
            (None, _) => "no valid info-hash",
        };
        writeln!(
            out,
            "  line {:<4} {}  {}  ({} tracker{})",
            l.line,
            l.info_hash.as_deref().unwrap_or("-"),
            verdict,
            l.trackers.len(),
            if l.trackers.len() == 1 { "" } else { "s" }
        )?;
    }

    let lic = &r.license;
    writeln!(out)?;
    writeln!(
        out,
        "license: manifest says {}",
        lic.expected
            .as_deref()
            .unwrap_or("nothing for this repository")
    )?;
    if let Some(a) = &lic.api {
        writeln!(
            out,
            "  GitHub license API  {} ({}) in {}",
            a.spdx_id, a.name, a.path
        )?;
    }
    match (&lic.file, &lic.text) {
        (Some(f), Some(t)) => writeln!(
            out,
            "  text of {f}  {} ({})",
            t.spdx.as_deref().unwrap_or("unrecognized"),
            t.evidence
        )?,
        _ => writeln!(out, "  no license file at the repository root")?,
    }

    let c = &r.config;
    writeln!(out)?;
    let count = |s: ParamStatus| c.params.iter().filter(|p| p.status == s).count();
    match (&c.callee, c.line) {
        (Some(callee), Some(line)) => writeln!(
            out,
            "config: {}:{line} {callee}(...): {} match, {} differ, {} unevaluated, {} only in the manifest, {} only in {}",
            c.file,
            count(ParamStatus::Match),
            count(ParamStatus::Differ),
            count(ParamStatus::Unevaluated),
            count(ParamStatus::OnlyInManifest),
            count(ParamStatus::OnlyInConfig),
            c.file
        )?,
        _ => writeln!(out, "config: no config call read from {}", c.file)?,
    }
    for p in &c.params {
        let label = match p.status {
            ParamStatus::Match => "match",
            ParamStatus::Differ => "DIFFERS",
            ParamStatus::Unevaluated => "UNEVALUATED",
            ParamStatus::OnlyInManifest => "manifest only",
            ParamStatus::OnlyInConfig => "config only",
        };
        let name = p.path.as_deref().unwrap_or(&p.name);
        let mut line = format!("  {label:<13} {name}");
        match (&p.config_value, &p.manifest_value, p.status) {
            (Some(v), Some(_), ParamStatus::Match) => line.push_str(&format!(" = {v}")),
            (Some(v), Some(mv), _) => line.push_str(&format!(" = {v}, manifest {mv}")),
            (Some(v), None, _) => line.push_str(&format!(" = {v}")),
            (None, Some(mv), _) => line.push_str(&format!(", manifest {mv}")),
            (None, None, _) => {}
        }
        if let Some(e) = &p.expr {
            if p.config_value.as_deref() != Some(e.as_str()) {
                line.push_str(&format!("  [{e}]"));
            }
        }
        if let Some(n) = &p.note {
            line.push_str(&format!("  ({n})"));
        }
        writeln!(out, "{line}")?;
    }

    writeln!(out)?;
    let problems = r.problems();
    if problems.is_empty() {
        writeln!(out, "result: OK, the repository matches the manifest")?;
    } else {
        writeln!(
            out,
            "result: {} problem{}",
            problems.len(),
            if problems.len() == 1 { "" } else { "s" }
        )?;
        for p in &problems {
            writeln!(out, "  - {p}")?;
        }
    }
    Ok(())
}
