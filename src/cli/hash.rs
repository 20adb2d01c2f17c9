//! `weightcheck hash DIR [--torrent FILE [--magnet URI]]`: SHA-256 of every
//! file and, with a torrent, every BitTorrent v1 piece, in one pass over the
//! data on all cores, with a cache that makes re-runs on an unchanged tree
//! instant. Exit 0 all good, 1 a mismatch (bad piece, missing or wrong-size
//! file, torrent not matching the magnet link), 2 usage or I/O error.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::Args;
use serde::Serialize;

use crate::env::Env;
use crate::hash::engine::{
    self, CacheMode, FileReport, FileStatus, HashPlan, HashReport, PiecePlan, PlanFile,
};
use crate::torrent::{create::list_files, Magnet, Metainfo};

use super::progress::Bar;
use super::{EXIT_ERROR, EXIT_MISMATCH, EXIT_OK};

/// Arguments of `weightcheck hash`.
#[derive(Debug, Args)]
pub struct Hash {
    /// The directory to hash. With a multi-file torrent: its top directory
    /// (or the directory holding it); with a single-file torrent: the
    /// directory holding the file, or the file itself.
    dir: PathBuf,
    /// Also verify every piece of this BitTorrent v1 .torrent.
    #[arg(long, value_name = "FILE")]
    torrent: Option<PathBuf>,
    /// Require the torrent's info-hash to be this magnet link's (needs --torrent;
    /// weightcheck never fetches metadata from the network).
    #[arg(long, value_name = "URI")]
    magnet: Option<String>,
    /// Only verify torrent pieces; skip per-file SHA-256.
    #[arg(long, requires = "torrent")]
    pieces_only: bool,
    /// Also compute each file's git blob SHA-1 (as `git hash-object`).
    #[arg(long)]
    git: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
    /// Hash everything again even if the cache says it is unchanged.
    #[arg(long)]
    full: bool,
    /// Neither read nor write the verification cache.
    #[arg(long, conflicts_with = "full")]
    no_cache: bool,
}

/// One file's verdict, as printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum Verdict {
    Ok,
    Bad,
    Missing,
    Short,
    Long,
    Unreadable,
    /// On disk but not in the torrent.
    Extra,
    /// On disk but not in the torrent, and not hashed (--pieces-only).
    Unchecked,
    /// Not finished: the run was interrupted first.
    NotChecked,
}

#[derive(Serialize)]
struct TorrentJson {
    name: String,
    info_hash: String,
    piece_length: u64,
    pieces: usize,
}

#[derive(Serialize)]
struct Output<'a> {
    root: &'a Path,
    ok: bool,
    torrent: Option<TorrentJson>,
    magnet: Option<&'a Magnet>,
    verdicts: Vec<VerdictJson<'a>>,
    report: &'a HashReport,
}

#[derive(Serialize)]
struct VerdictJson<'a> {
    path: &'a str,
    verdict: Verdict,
}

impl Hash {
    /// Runs the command.
    pub fn run(self, env: &mut Env) -> anyhow::Result<i32> {
        let given = env.resolve(&self.dir);
        let torrent = match &self.torrent {
            Some(t) => Some(Metainfo::from_file(env.resolve(t))?),
            None => None,
        };
        if let Some(uri) = &self.magnet {
            let magnet = Magnet::parse(uri)?;
            let Some(t) = &torrent else {
                bail!(
                    "--magnet needs --torrent: a magnet link holds no piece hashes, and \
                     weightcheck does not fetch metadata from peers"
                );
            };
            if t.info_hash() != magnet.info_hash {
                writeln!(
                    env.err,
                    "weightcheck: refusing {}: its info-hash {} is not the magnet link's {}",
                    self.torrent.as_deref().unwrap_or(Path::new("")).display(),
                    t.info_hash_hex(),
                    magnet.info_hash_hex()
                )?;
                return Ok(EXIT_MISMATCH);
            }
        }
        let magnet = self.magnet.as_deref().map(Magnet::parse).transpose()?;

        let (root, plan, extras) = self.plan(&given, torrent.as_ref())?;
        let plan = plan.with_stop(Some(crate::hash::interrupt::on_ctrl_c()));
        let bar = Bar::new(env, "hashing");
        let report = engine::run(&root, &plan, &|p| bar.update(p));
        bar.finish();
        let report = report?;
        if let Some(w) = &report.cache_warning {
            writeln!(env.err, "weightcheck: warning: {w}")?;
        }

        let verdicts: Vec<(&str, Verdict)> = report
            .files
            .iter()
            .map(|f| {
                (
                    f.path.as_str(),
                    verdict(f, extras.contains(&f.path), self.pieces_only),
                )
            })
            .collect();
        let unreadable = verdicts.iter().any(|(_, v)| *v == Verdict::Unreadable);
        let bad = verdicts.iter().any(|(_, v)| {
            !matches!(
                v,
                Verdict::Ok
                    | Verdict::Extra
                    | Verdict::Unchecked
                    | Verdict::Unreadable
                    | Verdict::NotChecked
            )
        }) || report.pieces.as_ref().is_some_and(|p| !p.failed.is_empty());
        // A mismatch found before an interruption is still a finding.
        let code = if unreadable {
            EXIT_ERROR
        } else if bad {
            EXIT_MISMATCH
        } else if report.interrupted {
            EXIT_ERROR
        } else {
            EXIT_OK
        };

        if self.json {
            let out = Output {
                root: &root,
                ok: code == EXIT_OK,
                torrent: torrent.as_ref().map(|t| TorrentJson {
                    name: t.name.clone(),
                    info_hash: t.info_hash_hex(),
                    piece_length: t.piece_length,
                    pieces: t.pieces.len(),
                }),
                magnet: magnet.as_ref(),
                verdicts: verdicts
                    .iter()
                    .map(|&(path, verdict)| VerdictJson { path, verdict })
                    .collect(),
                report: &report,
            };
            serde_json::to_writer_pretty(&mut env.out, &out)?;
            writeln!(env.out)?;
        } else {
            print_text(env, &root, torrent.as_ref(), &report, &verdicts)?;
        }
        if report.interrupted {
            writeln!(
                env.err,
                "weightcheck: interrupted; {}",
                report.resume_hint()
            )?;
        }
        Ok(code)
    }

    /// Works out the content root and the plan; returns the paths of files
    /// on disk that the torrent does not list.
    fn plan(
        &self,
        given: &Path,
        torrent: Option<&Metainfo>,
    ) -> anyhow::Result<(PathBuf, HashPlan, HashSet<String>)> {
        let cache = CacheMode::from_flags(self.no_cache, self.full);
        let git = self.git;
        let Some(t) = torrent else {
            if !given.is_dir() {
                bail!("{} is not a directory", given.display());
            }
            let files = list_files(given)?;
            let plan = HashPlan::new(
                files
                    .into_iter()
                    .map(|(p, size)| PlanFile {
                        git_blob: git,
                        ..PlanFile::sha256(p, size)
                    })
                    .collect(),
            )
            .with_cache(cache);
            return Ok((given.to_path_buf(), plan, HashSet::new()));
        };

        let sha = !self.pieces_only;
        let tfile = |path: String, size| PlanFile {
            path,
            size,
            sha256: sha,
            git_blob: git,
        };
        let (root, mut files) = if t.single_file {
            let (root, name) = if given.is_file() {
                let name = given
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .context("file has no name")?;
                (given.parent().unwrap_or(Path::new("/")).to_path_buf(), name)
            } else {
                (given.to_path_buf(), t.name.clone())
            };
            (root, vec![tfile(name, t.files[0].length)])
        } else {
            let first = &t.files[0].path;
            let nested = given.join(&t.name);
            let root = if !crate::torrent::metainfo::join_under(given, first).exists()
                && nested.is_dir()
            {
                nested
            } else {
                given.to_path_buf()
            };
            let files = t
                .files
                .iter()
                .map(|f| tfile(f.relative_path(), f.length))
                .collect();
            (root, files)
        };
        if !root.is_dir() {
            bail!("{} is not a directory", root.display());
        }
        let mut extras = HashSet::new();
        if !t.single_file {
            let listed: HashSet<String> = files.iter().map(|f| f.path.clone()).collect();
            for (p, size) in list_files(&root)? {
                if !listed.contains(&p) {
                    extras.insert(p.clone());
                    files.push(PlanFile {
                        path: p,
                        size,
                        sha256: sha,
                        git_blob: git && sha,
                    });
                }
            }
        }
        let plan = HashPlan::new(files)
            .with_pieces(PiecePlan {
                piece_length: t.piece_length,
                files: (0..t.files.len()).collect(),
                hashes: Some(t.pieces.clone()),
            })
            .with_cache(cache);
        Ok((root, plan, extras))
    }
}

fn verdict(f: &FileReport, extra: bool, pieces_only: bool) -> Verdict {
    match f.status {
        FileStatus::Unreadable => Verdict::Unreadable,
        _ if f.error.is_some() => Verdict::Unreadable,
        _ if extra && pieces_only => Verdict::Unchecked,
        _ if extra => Verdict::Extra,
        FileStatus::Missing => Verdict::Missing,
        FileStatus::Short => Verdict::Short,
        FileStatus::Long => Verdict::Long,
        FileStatus::Ok if !f.failed_pieces.is_empty() => Verdict::Bad,
        FileStatus::Ok if f.unchecked => Verdict::NotChecked,
        FileStatus::Ok => Verdict::Ok,
    }
}

fn gb(bytes: u64) -> String {
    format!("{:.2} GB", bytes as f64 / 1e9)
}

fn print_text(
    env: &mut Env,
    root: &Path,
    torrent: Option<&Metainfo>,
    report: &HashReport,
    verdicts: &[(&str, Verdict)],
) -> anyhow::Result<()> {
    let o = &mut env.out;
    writeln!(o, "root {}", root.display())?;
    if let Some(t) = torrent {
        writeln!(
            o,
            "torrent {} info-hash {} ({} pieces of {} bytes)",
            t.name,
            t.info_hash_hex(),
            t.pieces.len(),
            t.piece_length
        )?;
    }
    let show_sha = report.files.iter().any(|f| f.sha256.is_some());
    for (f, (_, v)) in report.files.iter().zip(verdicts) {
        let label = match v {
            Verdict::Ok => "ok",
            Verdict::Bad => "BAD",
            Verdict::Missing => "MISSING",
            Verdict::Short => "SHORT",
            Verdict::Long => "LONG",
            Verdict::Unreadable => "ERROR",
            Verdict::Extra => "extra",
            Verdict::Unchecked => "extra",
            Verdict::NotChecked => "-",
        };
        let mut line = format!("{label:<8}");
        if show_sha {
            line.push_str(&format!(" {:<64}", f.sha256.as_deref().unwrap_or("-")));
        }
        line.push_str("  ");
        line.push_str(&f.path);
        let note = match v {
            Verdict::Bad => Some(format!("pieces {} failed", ranges(&f.failed_pieces))),
            Verdict::Short | Verdict::Long => Some(format!(
                "{} bytes, expected {}",
                f.actual_size.unwrap_or(0),
                f.expected_size
            )),
            Verdict::Unreadable => f.error.clone(),
            Verdict::Extra => Some("not in the torrent".into()),
            Verdict::Unchecked => Some("not in the torrent, not hashed".into()),
            Verdict::NotChecked => Some("not finished: interrupted".into()),
            _ => None,
        };
        if let Some(n) = note {
            line.push_str(&format!("  ({n})"));
        }
        writeln!(o, "{line}")?;
    }
    if let Some(p) = &report.pieces {
        for b in &p.failed {
            let what = match &b.detail {
                Some(d) => format!("{}: {d}", b.reason),
                None => b.reason.clone(),
            };
            writeln!(o, "bad piece {} ({what}) covers:", b.index)?;
            for s in &b.spans {
                writeln!(
                    o,
                    "    {} bytes {}..{} ({} bytes)",
                    s.path,
                    s.offset,
                    s.offset + s.length,
                    s.length
                )?;
            }
        }
    }
    let n_ok = verdicts.iter().filter(|(_, v)| *v == Verdict::Ok).count();
    let total: u64 = report.files.iter().filter_map(|f| f.actual_size).sum();
    let mut summary = format!(
        "summary: {} files ({}), {} ok",
        report.files.len(),
        gb(total),
        n_ok
    );
    let problems = verdicts
        .iter()
        .filter(|(_, v)| {
            !matches!(
                v,
                Verdict::Ok | Verdict::Extra | Verdict::Unchecked | Verdict::NotChecked
            )
        })
        .count();
    if problems > 0 {
        summary.push_str(&format!(", {problems} with problems"));
    }
    let extras = verdicts
        .iter()
        .filter(|(_, v)| matches!(v, Verdict::Extra | Verdict::Unchecked))
        .count();
    if extras > 0 {
        summary.push_str(&format!(", {extras} not in the torrent"));
    }
    let unfinished = verdicts
        .iter()
        .filter(|(_, v)| *v == Verdict::NotChecked)
        .count();
    if unfinished > 0 {
        summary.push_str(&format!(", {unfinished} not finished"));
    }
    if let Some(p) = &report.pieces {
        summary.push_str(&format!(
            "; pieces {}/{} ok, {} failed",
            p.passed,
            p.count,
            p.failed.len()
        ));
        if p.not_checked > 0 {
            summary.push_str(&format!(", {} not checked", p.not_checked));
        }
    }
    let rate = if report.seconds > 0.0 {
        report.bytes_hashed as f64 / report.seconds / 1e9
    } else {
        0.0
    };
    summary.push_str(&format!(
        "; read {} in {:.2} s ({rate:.2} GB/s), {} from cache",
        gb(report.bytes_hashed),
        report.seconds,
        gb(report.bytes_cached)
    ));
    writeln!(o, "{summary}")?;
    Ok(())
}

/// `1, 3-5, 9` from sorted indices.
fn ranges(v: &[usize]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < v.len() {
        let mut j = i;
        while j + 1 < v.len() && v[j + 1] == v[j] + 1 {
            j += 1;
        }
        parts.push(if i == j {
            v[i].to_string()
        } else {
            format!("{}-{}", v[i], v[j])
        });
        i = j + 1;
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_compress_runs() {
        assert_eq!(ranges(&[1, 2, 3, 7, 9, 10]), "1-3, 7, 9-10");
        assert_eq!(ranges(&[]), "");
    }

    fn cli(dir: &Path, args: &[&str]) -> (i32, String, String) {
        let (mut env, cap) = Env::capture(dir);
        let mut full = vec!["weightcheck", "hash"];
        full.extend_from_slice(args);
        let code = crate::cli::run(full, &mut env);
        (code, cap.out(), cap.err())
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
            out.contains("summary: 2 files (0.00 GB), 2 ok; read"),
            "{out}"
        );

        let (mut env, cap) = Env::capture(dir.path());
        let code = crate::cli::run(
            [
                "weightcheck",
                "torrent",
                "create",
                "set",
                "-l",
                "15",
                "-o",
                "set.torrent",
            ],
            &mut env,
        );
        assert_eq!(code, 0, "{}", cap.err());
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
        let (mut env, _) = Env::capture(dir.path());
        crate::cli::run(
            [
                "weightcheck",
                "torrent",
                "create",
                "f",
                "-l",
                "14",
                "-o",
                "f.torrent",
            ],
            &mut env,
        );
        let (code, _, err) = cli(dir.path(), &[".", "--torrent", "f.torrent", "--magnet", m]);
        assert_eq!(code, 1);
        assert!(err.contains("refusing f.torrent: its info-hash"), "{err}");
    }
}
