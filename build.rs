//! Sets `WEIGHTCHECK_VERSION` for `--version`: the package version, then the
//! git commit it was built from (`0.1.0 (1a2b3c4)`, `-dirty` when tracked
//! files differed from it). Without git or outside a checkout it is the
//! version alone, or the commit `cargo package` recorded in
//! `.cargo_vcs_info.json` when built from a published tarball.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    // Without any rerun-if-changed line cargo reruns this script whenever
    // any file of the package changes; this one keeps it to what matters.
    println!("cargo:rerun-if-changed=build.rs");
    avx512_cfg();
    let commit = from_git(&dir).or_else(|| from_vcs_info(&dir));
    match commit {
        Some(commit) => println!("cargo:rustc-env=WEIGHTCHECK_VERSION={version} ({commit})"),
        None => println!("cargo:rustc-env=WEIGHTCHECK_VERSION={version}"),
    }
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The short commit, if `dir` is the top of a git checkout. A tarball
/// unpacked inside somebody else's repository must not take its commit.
fn from_git(dir: &Path) -> Option<String> {
    let top = git(dir, &["rev-parse", "--show-toplevel"])?;
    if Path::new(&top).canonicalize().ok()? != dir.canonicalize().ok()? {
        return None;
    }
    let short = git(dir, &["rev-parse", "--short", "HEAD"])?;
    // Rerun when HEAD moves: a checkout changes HEAD, a commit changes the
    // ref HEAD names (a loose file, or packed-refs once packed). Editing a
    // file does not rerun this script (that would run it on every build), so
    // `-dirty` describes the tree as it was when HEAD last moved or on a
    // clean build, which is how release builds are made.
    let watch = |path: String| {
        let path = dir.join(path);
        // A path that does not exist would make cargo rerun every time.
        if path.exists() {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    };
    if let Some(head) = git(dir, &["rev-parse", "--git-path", "HEAD"]) {
        watch(head);
    }
    if let Some(name) = git(dir, &["symbolic-ref", "-q", "HEAD"]) {
        if let Some(path) = git(dir, &["rev-parse", "--git-path", &name]) {
            watch(path);
        }
        if let Some(packed) = git(dir, &["rev-parse", "--git-path", "packed-refs"]) {
            watch(packed);
        }
    }
    let dirty =
        git(dir, &["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
    Some(if dirty {
        format!("{short}-dirty")
    } else {
        short
    })
}

/// The commit `cargo package` recorded: `{"git": {"sha1": "…", "dirty": true}, …}`.
fn from_vcs_info(dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join(".cargo_vcs_info.json")).ok()?;
    let after = &text[text.find("\"sha1\"")? + "\"sha1\"".len()..];
    let start = after.find('"')? + 1;
    let sha: String = after[start..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .take(7)
        .collect();
    if sha.len() < 7 {
        return None;
    }
    let dirty = text.contains("\"dirty\": true") || text.contains("\"dirty\":true");
    Some(if dirty { format!("{sha}-dirty") } else { sha })
}

/// Sets `cfg(weightcheck_avx512)` when the compiler has stable AVX-512
/// intrinsics (Rust 1.89): the multi-buffer kernels (src/hash/multibuffer)
/// need them, and older compilers down to the crate's rust-version build
/// without them and hash lanes one by one instead.
fn avx512_cfg() {
    println!("cargo:rustc-check-cfg=cfg(weightcheck_avx512)");
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let Ok(out) = Command::new(rustc).arg("--version").output() else {
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    // "rustc 1.95.0 (59807616e 2026-04-14)"
    let minor = text
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.split('.').nth(1))
        .and_then(|m| m.parse::<u32>().ok());
    if minor.is_some_and(|m| m >= 89) {
        println!("cargo:rustc-cfg=weightcheck_avx512");
    }
}
