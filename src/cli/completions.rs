//! `weightcheck completions SHELL`: prints a completion script generated
//! from the same clap definitions the parser uses, so completions cannot
//! drift from the commands.

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use weightcheck::env::Env;

use super::{Cli, EXIT_OK};

/// Arguments of `weightcheck completions`.
#[derive(Debug, Args)]
pub struct Completions {
    /// The shell to complete in.
    #[arg(value_enum)]
    shell: Shell,
}

impl Completions {
    /// Runs the command.
    pub fn run(self, env: &mut Env) -> anyhow::Result<i32> {
        clap_complete::generate(self.shell, &mut Cli::command(), "weightcheck", &mut env.out);
        Ok(EXIT_OK)
    }
}

#[cfg(test)]
mod tests {
    use weightcheck::env::Env;

    fn completions(shell: &str) -> (i32, String) {
        let (mut env, cap) = Env::capture(".");
        let code = crate::cli::run(["weightcheck", "completions", shell], &mut env);
        (code, cap.out())
    }

    #[test]
    fn every_shell_gets_a_script_naming_the_subcommands() {
        for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
            let (code, out) = completions(shell);
            assert_eq!(code, 0, "{shell}");
            for word in ["verify", "inspect", "manifest", "pin", "color"] {
                assert!(out.contains(word), "{shell}: no {word}");
            }
        }
    }

    #[test]
    fn an_unknown_shell_is_a_usage_error() {
        assert_eq!(completions("tcsh").0, 2);
    }
}
