//! `weightcheck manifest export --model-signing DIR`: the unsigned in-toto
//! statement OpenSSF model_signing's key method would sign for DIR with its
//! defaults (files serialization, SHA-256, git paths ignored): the same
//! resources in the same order, so the same subject digest. A publisher
//! can sign weightcheck's result with model_signing. Exit 0 written, 2
//! usage or I/O error (a symbolic link in DIR included, as model_signing
//! refuses them by default).

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use weightcheck::env::Env;

use crate::cli::EXIT_OK;

/// Arguments of `weightcheck manifest export`.
#[derive(Debug, Args)]
pub struct Export {
    /// The model directory to describe as model_signing would.
    #[arg(long = "model-signing", value_name = "DIR")]
    model_signing: PathBuf,
    /// Write the statement to FILE instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
}

impl Export {
    /// Runs the command.
    pub fn run(self, env: &mut Env) -> anyhow::Result<i32> {
        let dir = env.resolve(&self.model_signing);
        let statement = weightcheck::signing::statement::for_directory(&dir)?;
        let mut text = serde_json::to_string_pretty(&statement)?;
        text.push('\n');
        match &self.output {
            Some(out) => {
                let out = env.resolve(out);
                std::fs::write(&out, &text)
                    .with_context(|| format!("cannot write {}", out.display()))?;
                writeln!(env.out, "statement written to {}", out.display())?;
            }
            None => env.out.write_all(text.as_bytes())?,
        }
        Ok(EXIT_OK)
    }
}
