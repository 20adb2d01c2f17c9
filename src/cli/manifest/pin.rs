//! `weightcheck manifest pin DIR -o FILE`: the sizes and SHA-256s of a
//! trusted copy, written as a manifest.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use crate::cli::{ReleaseArgs, EXIT_MISMATCH, EXIT_OK};
use crate::env::Env;
use crate::manifest::Manifest;
use crate::pin::{self, PinResult, Pinned};
use crate::printer::{self, progress::Bar};

/// Arguments of `weightcheck manifest pin`.
#[derive(Debug, Args)]
pub struct Pin {
    /// The trusted copy: the release's root directory (or, as for verify,
    /// the `ckpt-0` directory inside it).
    dir: PathBuf,
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
        let dir = env.resolve(&self.dir);
        let base = match self.release.selector(env, None) {
            Some(sel) => sel.load()?,
            None => Manifest::local(&dir.display().to_string()),
        };
        let bar = Bar::new(env, "hashing");
        let outcome = pin::pin(&dir, &base, &|p| bar.update(p));
        bar.finish();
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
}
