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

use weightcheck::env::Env;
use weightcheck::manifest::select::Selector;
use weightcheck::manifest::Manifest;
use weightcheck::printer::{self, Format};
use weightcheck::report::{self, raters, Evidence};
use weightcheck::verify::{self, locate, Located};

use super::{ReleaseArgs, EXIT_OK};

/// Arguments of `weightcheck report`.
#[derive(Debug, Args)]
pub struct ReportCmd {
    /// The release, as with --release: a built-in id (grok-1,
    /// mixtral-8x7b, flan-t5-xxl, chatgpt, grok-2) or a manifest file.
    #[arg(value_name = "RELEASE", conflicts_with_all = ["release", "manifest", "compare"])]
    release_arg: Option<String>,
    #[command(flatten)]
    release: ReleaseArgs,
    /// Verify the release's files in DIR and merge what they show.
    #[arg(long, conflicts_with = "compare")]
    dir: Option<PathBuf>,
    /// Compare releases side by side (built-in ids or manifest files).
    #[arg(long, num_args = 1.., value_name = "RELEASE")]
    compare: Vec<String>,
    /// Output format; `mot` writes a Model Openness Tool record (YAML) of
    /// the release.
    #[arg(long, default_value = "text", value_parser = ["text", "json", "md", "html", "mot"])]
    format: String,
    /// Show the independent raters' findings next to weightcheck's: OSI's
    /// validation where the manifest cites it, and each Model Openness Tool
    /// or European Open Source AI Index record given.
    /// With --compare, each release is shown with the records its manifest
    /// names.
    #[arg(long, num_args = 0.., value_name = "RECORD")]
    raters: Option<Vec<PathBuf>>,
    /// Print JSON (the same as --format json).
    #[arg(long, conflicts_with = "format")]
    json: bool,
    /// Write the report to FILE instead of standard output (`-`: standard
    /// output).
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

impl ReportCmd {
    /// Runs the command.
    pub fn run(self, env: &mut Env) -> anyhow::Result<i32> {
        if self.format == "mot" {
            return self.mot(env);
        }
        let format: Format = if self.json {
            Format::Json
        } else {
            self.format.parse()?
        };
        let (text, code) = if self.compare.is_empty() {
            let Some(selector) = self.release.selector(env, self.release_arg.as_deref()) else {
                anyhow::bail!("name a release (`weightcheck report grok-1`), or give --compare");
            };
            let manifest = selector.load()?;
            let evidence = match &self.dir {
                Some(dir) => Some(self.evidence(env, &manifest, &env.resolve(dir))?),
                None => None,
            };
            let mut r = report::build(&manifest, evidence.as_ref());
            if self.raters.is_some() {
                r.raters = raters::compare(&manifest, &r, &self.records(env)?);
            }
            (printer::report::report(&r, format)?, r.exit_code())
        } else {
            let records = match self.raters {
                Some(_) => self.records(env)?,
                None => Vec::new(),
            };
            let mut reports = Vec::new();
            for id in &self.compare {
                let m = Selector::parse(id, &env.cwd).load()?;
                let mut r = report::build(&m, None);
                if self.raters.is_some() {
                    let mine: Vec<_> = records
                        .iter()
                        .filter(|(_, rec)| raters::names(&m, rec))
                        .cloned()
                        .collect();
                    r.raters = raters::compare(&m, &r, &mine);
                }
                reports.push(r);
            }
            let c = report::compare(&reports);
            (printer::report::compare(&c, format)?, EXIT_OK)
        };
        self.write(env, &text)?;
        Ok(code)
    }

    /// The records of --raters, each with its path as given.
    fn records(&self, env: &Env) -> anyhow::Result<Vec<(PathBuf, raters::record::Record)>> {
        let files = self.raters.as_deref().unwrap_or_default();
        Ok(files
            .iter()
            .map(|f| raters::record::read(&env.resolve(f)).map(|rec| (f.clone(), rec)))
            .collect::<weightcheck::Result<Vec<_>>>()?)
    }

    /// `--format mot`: the release as a Model Openness Tool record.
    fn mot(&self, env: &mut Env) -> anyhow::Result<i32> {
        anyhow::ensure!(
            self.compare.is_empty() && self.dir.is_none() && self.raters.is_none(),
            "--format mot writes one release's record: it takes no --compare, --dir or --raters"
        );
        let Some(selector) = self.release.selector(env, self.release_arg.as_deref()) else {
            anyhow::bail!("name a release (`weightcheck report grok-1 --format mot`)");
        };
        let record = raters::mot::export(&selector.load()?);
        self.write(env, &printer::report::mot(&record)?)?;
        Ok(EXIT_OK)
    }

    fn write(&self, env: &mut Env, text: &str) -> anyhow::Result<()> {
        match self.output.as_ref().filter(|p| p.as_os_str() != "-") {
            Some(path) => {
                let path = env.resolve(path);
                std::fs::write(&path, text)
                    .with_context(|| format!("cannot write {}", path.display()))?;
                writeln!(env.out, "report written to {}", path.display())?;
            }
            None => env.out.write_all(text.as_bytes())?,
        }
        Ok(())
    }

    fn evidence(&self, env: &Env, manifest: &Manifest, dir: &Path) -> anyhow::Result<Evidence> {
        let located = Located::at(dir, manifest)?;
        let tokenizer = match &self.tokenizer {
            Some(t) => Some(env.resolve(t)),
            None => locate::find_tokenizer(&located.root, &env.cwd),
        };
        let mut opts = verify::Options::default();
        opts.check_hashes = !self.no_hash;
        opts.tokenizer = tokenizer;
        Ok(Evidence::collect(manifest, &located, &opts)?)
    }
}
