//! `weightcheck man [--out DIR]`: the manual page in roff, generated from
//! the same clap definitions as `--help`.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, CommandFactory};

use weightcheck::env::Env;

use super::{Cli, EXIT_OK};

/// Arguments of `weightcheck man`.
#[derive(Debug, Args)]
pub struct Man {
    /// Write one page per command into DIR (weightcheck.1,
    /// weightcheck-verify.1, weightcheck-manifest-pin.1, …) instead of
    /// printing weightcheck(1).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

impl Man {
    /// Runs the command.
    pub fn run(self, env: &mut Env) -> anyhow::Result<i32> {
        let cmd = Cli::command();
        match &self.out {
            Some(dir) => {
                let dir = env.resolve(dir);
                std::fs::create_dir_all(&dir)
                    .with_context(|| format!("cannot create {}", dir.display()))?;
                clap_mangen::generate_to(cmd, &dir).with_context(|| {
                    format!("cannot write the man pages into {}", dir.display())
                })?;
            }
            None => clap_mangen::Man::new(cmd).render(&mut env.out)?,
        }
        Ok(EXIT_OK)
    }
}

#[cfg(test)]
mod tests {
    use weightcheck::env::Env;

    #[test]
    fn the_page_is_roff_with_the_exit_codes_and_environment() {
        let (mut env, cap) = Env::capture(".");
        assert_eq!(crate::cli::run(["weightcheck", "man"], &mut env), 0);
        let page = cap.out();
        assert!(page.starts_with(".ie \\n(.g .ds Aq"), "{page}");
        assert!(page.contains(".TH weightcheck 1"), "{page}");
        assert!(page.contains("130"), "exit codes");
        assert!(page.contains("GH_TOKEN"), "environment");
    }

    #[test]
    fn out_writes_one_page_per_command() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (mut env, cap) = Env::capture(dir.path());
        let code = crate::cli::run(["weightcheck", "man", "--out", "pages"], &mut env);
        assert_eq!(code, 0, "{}", cap.err());
        for page in [
            "weightcheck.1",
            "weightcheck-verify.1",
            "weightcheck-manifest-pin.1",
        ] {
            let text = std::fs::read_to_string(dir.path().join("pages").join(page))
                .unwrap_or_else(|e| panic!("{page}: {e}"));
            assert!(text.contains(".TH "), "{page}");
        }
    }
}
