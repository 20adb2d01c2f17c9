//! `weightcheck manifest import-mot RECORD`: a manifest seeded from a Model
//! Openness Tool record. Each MOF component the record lists becomes a
//! released component (with its license, or none when the record says
//! `unlicensed`); each it does not list becomes `unknown`. The manifest is
//! a start: its files, architecture and claims are for a person to add.
//! Exit 0 written, 2 usage or I/O error (including a record that is not a
//! MOT record).

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use weightcheck::env::Env;
use weightcheck::manifest::Manifest;
use weightcheck::report::raters::{mot, record};

use crate::cli::EXIT_OK;

/// Arguments of `weightcheck manifest import-mot`.
#[derive(Debug, Args)]
pub struct ImportMot {
    /// The Model Openness Tool record (`model.yaml`).
    record: PathBuf,
    /// Write the manifest to FILE instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
}

impl ImportMot {
    /// Runs the command.
    pub fn run(self, env: &mut Env) -> anyhow::Result<i32> {
        let path = env.resolve(&self.record);
        let record::Record::Mot(rec) = record::read(&path)? else {
            anyhow::bail!(
                "{}: an Index record, not a Model Openness Tool record",
                path.display()
            );
        };
        let name = self.record.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let text = mot::import(&rec, &format!("the Model Openness Tool record {name}"));
        // What is written must read back as a manifest.
        Manifest::from_toml(&text, &name)?;
        match &self.output {
            Some(out) => {
                let out = env.resolve(out);
                std::fs::write(&out, &text)
                    .with_context(|| format!("cannot write {}", out.display()))?;
                writeln!(env.out, "manifest written to {}", out.display())?;
            }
            None => env.out.write_all(text.as_bytes())?,
        }
        Ok(EXIT_OK)
    }
}
