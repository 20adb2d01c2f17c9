//! The command-line interface: one file per subcommand, each holding its
//! clap arguments, its `run` and its tests. Commands write only through an
//! [`Env`], so tests run them in-process and check their exact output.
//!
//! Exit codes, shared by every subcommand (see [`EXIT_CODES`]): 0 VERIFIED
//! (or STRUCTURE OK when only structure was asked for), 1 FAILED, 2 usage or
//! I/O error, 3 STRUCTURE OK or NOTHING CHECKED, 130 interrupted.

use std::ffi::OsString;

use clap::{Parser, Subcommand};

use weightcheck::env::Env;
use weightcheck::manifest::select::Selector;

mod color;
pub mod completions;
pub mod demo;
mod error_text;
pub mod fetch;
pub mod github;
pub mod hash;
pub mod hf;
pub mod inspect;
mod logging;
pub mod man;
pub mod manifest;
mod model_signing;
pub mod net_args;
pub mod report;
pub mod seed;
pub mod synth;
pub mod torrent;
pub mod verify;

#[cfg(test)]
mod readme_tests;

/// Exit code: everything checked out.
pub const EXIT_OK: i32 = 0;
/// Exit code: the data was read and something did not match.
pub const EXIT_MISMATCH: i32 = 1;
/// Exit code: bad usage, unreadable input or another error.
pub const EXIT_ERROR: i32 = 2;
/// Exit code: stopped by Ctrl-C (progress is kept where the command says).
pub const EXIT_INTERRUPTED: i32 = 130;

/// What every command's exit code means, for `--help` and the README.
pub const EXIT_CODES: &str = "\
Exit codes:
  0    VERIFIED: every file present and every byte matched a published or pinned
       digest (or STRUCTURE OK, when structure was all that was asked: --no-hash)
  1    FAILED: a mismatch, missing, extra, wrong-size, undecodable or unreadable
       file, bad structure, an inconsistent shard index, or aliasing tensors
  2    usage or I/O error
  3    STRUCTURE OK (some content not checked against any digest) or
       NOTHING CHECKED (no file of the release was there)
  130  interrupted (Ctrl-C); progress is saved and the same command continues";

/// The environment variables weightcheck reads, for `--help` and the README.
pub const ENVIRONMENT: &str = "\
Environment:
  GITHUB_TOKEN    token for the GitHub API (github); GH_TOKEN when it is unset
  HF_TOKEN        token for gated or private Hugging Face repositories (hf,
                  manifest pin --hf; --token-env names another variable)
  HF_ENDPOINT     the Hugging Face Hub's base URL [default: https://huggingface.co]
  HF_HUB_CACHE    the Hugging Face cache (hf, verify); else HF_HOME/hub, else
                  ~/.cache/huggingface/hub
  XDG_CACHE_HOME  the verification cache is XDG_CACHE_HOME/weightcheck, else
                  ~/.cache/weightcheck
  NO_COLOR        any non-empty value: no colour, unless --color always
  RUST_LOG        log targets (weightcheck=debug,librqbit=info), instead of -q/-v
  WEIGHTCHECK_HASH_KERNEL
                  a hashing kernel that runs here (avx512-x16, shani-x2,
                  single), to compare them [default: the fastest that pays]";

/// How every command names a release: `--release` takes a built-in id or a
/// manifest file; `--manifest FILE` stays as the explicit spelling of the
/// latter.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ReleaseArgs {
    /// The release: a built-in id (grok-1, mixtral-8x7b, flan-t5-xxl,
    /// chatgpt, grok-2) or a manifest file (.toml).
    #[arg(long, short = 'r', value_name = "ID|FILE")]
    pub release: Option<String>,
    /// A manifest file (the same as --release FILE).
    #[arg(long, value_name = "FILE", conflicts_with = "release")]
    pub manifest: Option<std::path::PathBuf>,
}

impl ReleaseArgs {
    /// What was named, if anything; `positional` is a command's older
    /// positional spelling of `--release`.
    pub fn selector(&self, env: &Env, positional: Option<&str>) -> Option<Selector> {
        if let Some(path) = &self.manifest {
            return Some(Selector::File(env.resolve(path)));
        }
        self.release
            .as_deref()
            .or(positional)
            .map(|arg| Selector::parse(arg, &env.cwd))
    }
}

/// weightcheck: what an open-weights model release really contains, proven byte by byte.
#[derive(Debug, Parser)]
#[command(
    name = "weightcheck",
    version = env!("WEIGHTCHECK_VERSION"),
    about,
    long_about = None,
    after_help = format!("{EXIT_CODES}\n\n{ENVIRONMENT}"),
)]
pub struct Cli {
    /// When to colour the output (NO_COLOR turns auto off).
    #[arg(long, global = true, value_enum, value_name = "WHEN", default_value_t = color::Color::Auto)]
    color: color::Color,
    /// Print less: only problems and the verdict, no progress bars.
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// Log what is being done to stderr: -v steps, -vv details with the
    /// BitTorrent and HTTP clients' own logs, -vvv everything (RUST_LOG
    /// overrides).
    #[arg(long, short, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// List the tensors in shards or directories without loading payloads.
    Inspect(inspect::Inspect),
    /// Check a release on disk against its manifest and its publisher's claims.
    Verify(verify::Verify),
    /// Build a scaled-down Grok-style release offline and run every check on it.
    Demo(demo::Demo),
    /// Write a synthetic Grok-style release (full-size sparse layout, or the small demo).
    Synth(synth::Synth),
    /// What a release actually released, judged against the openness frameworks.
    Report(report::ReportCmd),
    /// SHA-256 every file and verify BitTorrent v1 pieces, in one pass on all cores.
    Hash(hash::Hash),
    /// Create or show BitTorrent v1 .torrent files (info-hash identical to mktorrent's).
    Torrent(torrent::Torrent),
    /// Check a release's GitHub repository (or a local clone) against its manifest.
    Github(github::Github),
    /// Check a folder (default: the Hugging Face cache) against the Hub's published digests.
    Hf(hf::Hf),
    /// Download a release over BitTorrent (all of it or --only some files), then verify it.
    Fetch(fetch::Fetch),
    /// Verify a local copy against its .torrent, then seed it (for mirrors).
    Seed(seed::Seed),
    /// Maintain release manifests (pin a torrent's layout).
    Manifest(manifest::ManifestCmd),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(completions::Completions),
    /// Print the man page (roff), or write one page per command with --out DIR.
    Man(man::Man),
}

/// Runs the process: parses `std::env::args`, runs the command, returns the exit code.
pub fn main() -> i32 {
    let mut env = match Env::main() {
        Ok(env) => env,
        Err(e) => {
            eprintln!("weightcheck: cannot read the current directory: {e}");
            return EXIT_ERROR;
        }
    };
    run(std::env::args_os(), &mut env)
}

/// Parses `args` (program name first) and runs the command in `env`.
pub fn run<I, T>(args: I, env: &mut Env) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    env.color = color::color_in(&args);
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_ERROR } else { EXIT_OK };
            // Help and --version go to stdout, errors to stderr: each is
            // coloured as its own stream allows.
            let colors = if e.use_stderr() {
                env.err_colors()
            } else {
                env.out_colors()
            };
            let text = if colors {
                e.render().ansi().to_string()
            } else {
                e.render().to_string()
            };
            let _ = if e.use_stderr() {
                env.err.write_all(text.as_bytes())
            } else {
                env.out.write_all(text.as_bytes())
            };
            return code;
        }
    };
    env.color = cli.color.into();
    env.quiet = cli.quiet;
    env.verbose = cli.verbose;
    logging::init(env);
    let result = match cli.command {
        Command::Inspect(cmd) => cmd.run(env),
        Command::Verify(cmd) => cmd.run(env),
        Command::Demo(cmd) => cmd.run(env),
        Command::Synth(cmd) => cmd.run(env),
        Command::Report(cmd) => cmd.run(env),
        Command::Hash(cmd) => cmd.run(env),
        Command::Torrent(cmd) => cmd.run(env),
        Command::Github(cmd) => cmd.run(env),
        Command::Hf(cmd) => cmd.run(env),
        Command::Fetch(cmd) => cmd.run(env),
        Command::Seed(cmd) => cmd.run(env),
        Command::Manifest(cmd) => cmd.run(env),
        Command::Completions(cmd) => cmd.run(env),
        Command::Man(cmd) => cmd.run(env),
    };
    let code = match result {
        Ok(code) => code,
        Err(e) => {
            // Errors quote file and torrent names: escape them, line by line.
            let text = error_text::error_text(&e);
            let safe: Vec<_> = text.split('\n').map(weightcheck::printer::escape).collect();
            let _ = writeln!(env.err, "weightcheck: error: {}", safe.join("\n"));
            match e.downcast_ref::<weightcheck::Error>() {
                Some(e) if e.is_mismatch() => EXIT_MISMATCH,
                Some(weightcheck::Error::Interrupted(_)) => EXIT_INTERRUPTED,
                _ => EXIT_ERROR,
            }
        }
    };
    let _ = env.out.flush();
    let _ = env.err.flush();
    code
}

use std::io::Write as _;
