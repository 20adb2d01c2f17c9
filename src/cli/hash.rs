//! `weightcheck hash DIR [--torrent FILE [--magnet URI]]`: SHA-256 of every
//! file and, with a torrent, every BitTorrent v1 piece, in one pass over the
//! data on all cores, with a cache that makes re-runs on an unchanged tree
//! instant. Exit 0 all good, 1 a mismatch (bad piece, missing or wrong-size
//! file, torrent not matching the magnet link), 2 usage or I/O error.

use std::io::Write;
use std::path::PathBuf;

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::Args;

use weightcheck::env::Env;
use weightcheck::hash::engine::{self, CacheMode};
use weightcheck::hash::tree::{self, TreeOptions, TreeResult};
use weightcheck::manifest::select;
use weightcheck::manifest::sums::DigestKind;
use weightcheck::printer::{self, progress::Bar};

use super::{EXIT_INTERRUPTED, EXIT_MISMATCH, EXIT_OK};

/// Arguments of `weightcheck hash`.
#[derive(Debug, Args)]
pub struct Hash {
    /// The directory to hash. With a multi-file torrent: its top directory
    /// (or the directory holding it); with a single-file torrent: the
    /// directory holding the file, or the file itself.
    pub(super) dir: PathBuf,
    /// Also verify every piece of this BitTorrent v1 .torrent.
    #[arg(long, value_name = "FILE")]
    pub(super) torrent: Option<PathBuf>,
    /// Require the torrent's info-hash to be this magnet link's (needs --torrent;
    /// weightcheck never fetches metadata from the network).
    #[arg(long, value_name = "URI")]
    pub(super) magnet: Option<String>,
    /// Only verify torrent pieces; skip per-file SHA-256.
    #[arg(long, requires = "torrent")]
    pub(super) pieces_only: bool,
    /// Also compute each file's git blob SHA-1 (as `git hash-object`).
    #[arg(long)]
    pub(super) git: bool,
    /// Print a checksum list instead, as `sha256sum` or `md5sum` write it
    /// (`sha256sum -c` and `verify --sums` read it back).
    #[arg(long, value_name = "DIGEST", conflicts_with_all = ["torrent", "json", "git"],
          value_parser = PossibleValuesParser::new(["sha256", "md5"])
              .map(|s| if s == "md5" { DigestKind::Md5 } else { DigestKind::Sha256 }))]
    pub(super) sums: Option<DigestKind>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub(super) json: bool,
    /// Hash everything again even if the cache says it is unchanged.
    #[arg(long)]
    pub(super) full: bool,
    /// Neither read nor write the verification cache.
    #[arg(long, conflicts_with = "full")]
    pub(super) no_cache: bool,
}

impl Hash {
    /// Runs the command.
    pub fn run(self, env: &mut Env) -> anyhow::Result<i32> {
        let given = env.resolve(&self.dir);
        let torrent_path = self.torrent.as_ref().map(|t| env.resolve(t));
        let (torrent, magnet) =
            select::torrent_to_hash(torrent_path.as_deref(), self.magnet.as_deref())?;
        let mut opts = TreeOptions::default();
        opts.sha256 = !self.pieces_only && self.sums != Some(DigestKind::Md5);
        opts.git_blob = self.git;
        opts.md5 = self.sums == Some(DigestKind::Md5);
        opts.cache = CacheMode::from_flags(self.no_cache, self.full);
        let mut planned = tree::plan(&given, torrent.as_ref(), opts)?;
        planned.plan.stop = Some(weightcheck::hash::interrupt::on_ctrl_c());
        let bar = Bar::new(env, "hashing");
        let report = engine::run(&planned.root, &planned.plan, &|p| bar.update(p));
        bar.finish();
        let report = report?;
        if let Some(w) = &report.cache_warning {
            writeln!(env.err, "weightcheck: warning: {w}")?;
        }
        let (verdicts, result) = tree::verdicts(&planned, &report);
        let root = &planned.root;
        if let Some(kind) = self.sums {
            let left_out = printer::hash::sums(&mut env.out, &mut env.err, &report, kind)?;
            return Ok(if report.interrupted {
                EXIT_INTERRUPTED
            } else if left_out == 0 {
                EXIT_OK
            } else {
                EXIT_MISMATCH
            });
        }
        if self.json {
            let passed = result == TreeResult::Passed;
            let t = torrent.as_ref();
            printer::hash::json(
                &mut env.out,
                root,
                passed,
                t,
                magnet.as_ref(),
                &report,
                &verdicts,
            )?;
        } else {
            printer::hash::text(&mut env.out, root, torrent.as_ref(), &report, &verdicts)?;
        }
        if report.interrupted {
            writeln!(
                env.err,
                "weightcheck: interrupted; {}",
                report.resume_hint()
            )?;
        }
        Ok(match result {
            TreeResult::Passed => EXIT_OK,
            TreeResult::Failed => EXIT_MISMATCH,
            TreeResult::Interrupted => EXIT_INTERRUPTED,
            // An outcome this binary does not know is not a pass.
            _ => EXIT_MISMATCH,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn cli(dir: &Path, args: &[&str]) -> (i32, String, String) {
        let (mut env, cap) = Env::capture(dir);
        let mut full = vec!["weightcheck", "hash"];
        full.extend_from_slice(args);
        let code = crate::cli::run(full, &mut env);
        (code, cap.out(), cap.err())
    }

    /// `weightcheck torrent create NAME -l LOG2 -o NAME.torrent` in `dir`.
    fn make_torrent(dir: &Path, name: &str, log2: &str) -> i32 {
        let (mut env, _) = Env::capture(dir);
        let out = format!("{name}.torrent");
        let args = [
            "weightcheck",
            "torrent",
            "create",
            name,
            "-l",
            log2,
            "-o",
            &out,
        ];
        crate::cli::run(args, &mut env)
    }

    #[test]
    fn hashes_a_directory_and_verifies_its_torrent() {
        let dir = tempfile::tempdir().expect("tempdir");
        let ds = dir.path().join("set");
        std::fs::create_dir_all(ds.join("sub")).expect("mkdir");
        std::fs::write(ds.join("sub/a"), vec![1u8; 40_000]).expect("write");
        std::fs::write(ds.join("b"), b"hello").expect("write");
        let (code, out, err) = cli(dir.path(), &["set", "--no-cache"]);
        assert_eq!(code, 0, "{err}");
        assert!(
            out.contains(
                "ok       2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824  b\n"
            ),
            "{out}"
        );
        assert!(
            out.contains("summary: 2 files (40.01 kB), 2 ok; read"),
            "{out}"
        );

        assert_eq!(make_torrent(dir.path(), "set", "15"), 0);
        // The parent directory works too: the torrent's name is found in it.
        let (code, out, err) = cli(dir.path(), &[".", "--torrent", "set.torrent", "--no-cache"]);
        assert_eq!(code, 0, "{out}{err}");
        assert!(out.contains("pieces 2/2 ok, 0 failed"), "{out}");

        std::fs::write(ds.join("extra.txt"), b"x").expect("write");
        let mut a = vec![1u8; 40_000];
        a[33_000] = 0;
        std::fs::write(ds.join("sub/a"), &a).expect("write");
        let (code, out, _) = cli(
            dir.path(),
            &["set", "--torrent", "set.torrent", "--no-cache"],
        );
        assert_eq!(code, 1, "{out}");
        assert!(out.contains("(pieces 1 failed)"), "{out}");
        assert!(out.contains("extra.txt  (not in the torrent)"), "{out}");
        assert!(
            out.contains(
                "bad piece 1 (mismatch) covers:\n    sub/a bytes 32763..40000 (7237 bytes)\n"
            ),
            "{out}"
        );

        let (code, out, _) = cli(
            dir.path(),
            &[
                "set",
                "--torrent",
                "set.torrent",
                "--no-cache",
                "--json",
                "--pieces-only",
            ],
        );
        assert_eq!(code, 1);
        let j: serde_json::Value = serde_json::from_str(&out).expect("json");
        assert_eq!(j["ok"], false);
        assert_eq!(j["report"]["pieces"]["failed"][0]["index"], 1);
        assert_eq!(j["report"]["files"][0]["sha256"], serde_json::Value::Null);
    }

    #[test]
    fn magnet_needs_torrent_and_must_match() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("f"), b"data").expect("write");
        let m = "magnet:?xt=urn:btih:c12fe1c06bba254a9dc9f519b335aa7c1367a88a";
        let (code, _, err) = cli(dir.path(), &[".", "--magnet", m]);
        assert_eq!(code, 2);
        assert!(err.contains("--magnet needs --torrent"), "{err}");
        assert_eq!(make_torrent(dir.path(), "f", "14"), 0);
        let (code, _, err) = cli(dir.path(), &[".", "--torrent", "f.torrent", "--magnet", m]);
        assert_eq!(code, 1);
        assert!(err.contains("f.torrent: its info-hash"), "{err}");
    }
}
