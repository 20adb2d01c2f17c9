//! `weightcheck report RELEASE`: what a release actually released, judged
//! against OSAID 1.0, the Model Openness Framework and the European Open
//! Source AI Index, with each line marked verified here or declared by the
//! manifest. With `--dir` the release's files are verified and inventoried
//! first; `--compare` lays several releases side by side.
//! Exit 0 report written, 1 the files checked do not match, 2 usage or I/O error.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;

use crate::env::Env;
use crate::manifest::Manifest;
use crate::report::{self, Evidence, Format};
use crate::verify::{self, Located};

use super::{EXIT_MISMATCH, EXIT_OK};

/// Arguments of `weightcheck report`.
#[derive(Debug, Args)]
pub struct Report {
    /// The release: a built-in id (grok-1, mixtral-8x7b, flan-t5-xxl,
    /// chatgpt, grok-2).
    #[arg(required_unless_present_any = ["manifest", "compare"], conflicts_with_all = ["manifest", "compare"])]
    release: Option<String>,
    /// A manifest file instead of a built-in release.
    #[arg(long, conflicts_with = "compare")]
    manifest: Option<PathBuf>,
    /// Verify the release's files in DIR and merge what they show.
    #[arg(long, conflicts_with = "compare")]
    dir: Option<PathBuf>,
    /// Compare releases side by side (built-in ids or manifest files).
    #[arg(long, num_args = 1.., value_name = "RELEASE")]
    compare: Vec<String>,
    /// Output format.
    #[arg(long, default_value = "text", value_parser = ["text", "json", "md", "html"])]
    format: String,
    /// Write the report to FILE instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
    /// With --dir: check structure and sizes only; do not hash content.
    #[arg(long, requires = "dir")]
    no_hash: bool,
    /// With --dir: the tokenizer.model to count the vocabulary from
    /// (default: found next to the release, if there).
    #[arg(long, requires = "dir")]
    tokenizer: Option<PathBuf>,
}

impl Report {
    /// Runs the command.
    pub fn run(self, env: &mut Env) -> anyhow::Result<i32> {
        let format: Format = self.format.parse()?;
        let (text, passed) = if self.compare.is_empty() {
            let manifest = match (&self.manifest, &self.release) {
                (Some(path), _) => Manifest::from_file(&env.resolve(path))?,
                (None, Some(id)) => load(env, id)?,
                (None, None) => anyhow::bail!("name a release, or give --manifest or --compare"),
            };
            let evidence = match &self.dir {
                Some(dir) => Some(self.evidence(env, &manifest, &env.resolve(dir))?),
                None => None,
            };
            let r = report::build(&manifest, evidence.as_ref());
            (report::render::report(&r, format)?, r.passed())
        } else {
            let reports = self
                .compare
                .iter()
                .map(|id| load(env, id).map(|m| report::build(&m, None)))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let c = report::compare(&reports);
            (report::render::compare(&c, format)?, true)
        };
        match &self.output {
            Some(path) => {
                let path = env.resolve(path);
                std::fs::write(&path, &text)
                    .with_context(|| format!("cannot write {}", path.display()))?;
                writeln!(env.out, "report written to {}", path.display())?;
            }
            None => env.out.write_all(text.as_bytes())?,
        }
        Ok(if passed { EXIT_OK } else { EXIT_MISMATCH })
    }

    fn evidence(&self, env: &Env, manifest: &Manifest, dir: &Path) -> anyhow::Result<Evidence> {
        let located = Located::at(dir, manifest)?;
        let tokenizer = match &self.tokenizer {
            Some(t) => Some(env.resolve(t)),
            None => [Some(located.root.as_path()), located.root.parent()]
                .into_iter()
                .flatten()
                .map(|d| d.join("tokenizer.model"))
                .find(|p| p.is_file()),
        };
        let opts = verify::Options {
            check_hashes: !self.no_hash,
            tokenizer,
            ..Default::default()
        };
        Ok(Evidence::collect(manifest, &located, &opts)?)
    }
}

/// A built-in release by id, or a manifest file when the argument names one.
fn load(env: &Env, id: &str) -> anyhow::Result<Manifest> {
    let path = env.resolve(id);
    if id.ends_with(".toml") || path.is_file() {
        Ok(Manifest::from_file(&path)?)
    } else {
        Ok(Manifest::embedded(id)?)
    }
}
