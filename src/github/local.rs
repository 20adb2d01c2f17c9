//! The same checks offline, on a clone or a plain directory.
//!
//! Files are hashed from the work tree (git blob SHA-1 of the bytes on
//! disk), because the question is what the user actually has, not what the
//! repository's objects say. Git is asked only for HEAD, for the list of
//! files it tracks or would track, and for whether the work tree is clean.
//!
//! Why the `git` CLI rather than reading `.git` ourselves or using gix:
//! reading objects directly means zlib (flate2) for loose objects plus the
//! pack and delta formats, packed refs and worktree indirections, which is
//! a lot of format code to get right for three facts; gix does all of it
//! but is a heavy build on this project's 2-core machines. The `git` binary
//! is on every machine that has a clone, answers exactly these questions
//! (including `.gitignore` rules, so checkpoints downloaded into an ignored
//! directory are not hashed), and when it is absent the file checks still
//! run and only the HEAD/dirty facts are left out, with a note saying why.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use rayon::prelude::*;

use super::tree::{git_blob_sha1, git_blob_sha1_reader, TreeEntry};
use super::{config_file_name, pick_license, pick_readme, GitState, Origin, Snapshot, TextFile};
use crate::manifest::Manifest;
use crate::{Error, Result};

/// A directory read from disk: its snapshot and where it came from.
pub struct LocalRead {
    /// Files and texts.
    pub snapshot: Snapshot,
    /// The directory, with its git facts.
    pub origin: Origin,
}

/// Reads `root` (a clone or a plain directory) for the checks.
pub fn read_local(root: &Path, manifest: &Manifest) -> Result<LocalRead> {
    let meta = fs::metadata(root).map_err(|e| Error::io(root, e))?;
    if !meta.is_dir() {
        return Err(Error::Invalid(format!(
            "{} is not a directory",
            root.display()
        )));
    }
    let is_repo = root.join(".git").exists();
    let (git, git_note, paths) = if is_repo {
        match git_facts(root) {
            Ok((state, paths)) => (Some(state), None, paths),
            Err(why) => (None, Some(why), walk(root)?),
        }
    } else {
        (None, None, walk(root)?)
    };
    let files: Vec<TreeEntry> = paths
        .par_iter()
        .map(|p| hash_entry(root, p))
        .collect::<Result<Vec<Option<TreeEntry>>>>()?
        .into_iter()
        .flatten()
        .collect();
    let read = |path: Option<String>| -> Result<Option<TextFile>> {
        let Some(path) = path else { return Ok(None) };
        let full = root.join(&path);
        let bytes = crate::paths::read_limited(&full, super::MAX_TEXT_FILE)?;
        Ok(Some(TextFile {
            path,
            text: String::from_utf8_lossy(&bytes).into_owned(),
        }))
    };
    let config_name = config_file_name(manifest);
    let has = |p: &str| files.iter().any(|f| f.path == p);
    let snapshot = Snapshot {
        readme: read(pick_readme(&files))?,
        config: read(has(&config_name).then_some(config_name.clone()))?,
        license_file: read(pick_license(&files))?,
        license_api: None,
        files,
    };
    Ok(LocalRead {
        snapshot,
        origin: Origin::Local {
            path: root.display().to_string(),
            git,
            git_note,
        },
    })
}

fn git(root: &Path, args: &[&str]) -> std::result::Result<Vec<u8>, String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        // The user's environment must not point git at another repository.
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(format!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// HEAD, dirtiness, and the files git tracks or would track (tracked plus
/// untracked-but-not-ignored), as `/`-separated paths.
fn git_facts(root: &Path) -> std::result::Result<(GitState, Vec<String>), String> {
    // An unborn branch has no HEAD commit; that is a fact, not an error.
    let head = git(root, &["rev-parse", "--verify", "-q", "HEAD^{commit}"])
        .ok()
        .map(|o| String::from_utf8_lossy(&o).trim().to_string())
        .filter(|h| !h.is_empty());
    // --no-optional-locks: a read-only check must not write the index.
    let status = git(
        root,
        &[
            "--no-optional-locks",
            "status",
            "--porcelain",
            "--untracked-files=all",
        ],
    )?;
    let changes: Vec<String> = String::from_utf8_lossy(&status)
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    let listed = git(
        root,
        &[
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ],
    )?;
    let paths: BTreeSet<String> = listed
        .split(|&b| b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect();
    Ok((
        GitState {
            head,
            dirty: !changes.is_empty(),
            changes,
        },
        paths.into_iter().collect(),
    ))
}

/// Every file under `root` except inside `.git` directories, sorted.
fn walk(root: &Path) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let mut stack: Vec<(PathBuf, String)> = vec![(root.to_path_buf(), String::new())];
    while let Some((dir, rel)) = stack.pop() {
        let entries = fs::read_dir(&dir).map_err(|e| Error::io(&dir, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(&dir, e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name == ".git" {
                continue;
            }
            let path = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            let ft = entry.file_type().map_err(|e| Error::io(entry.path(), e))?;
            // Symlinked directories are not followed: git records the link.
            if ft.is_dir() {
                stack.push((entry.path(), path));
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Size and git blob SHA-1 of one path; `None` if it is gone or is a
/// directory (a deleted tracked file, a submodule).
fn hash_entry(root: &Path, rel: &str) -> Result<Option<TreeEntry>> {
    let full = root.join(rel);
    let meta = match fs::symlink_metadata(&full) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(&full, e)),
    };
    if meta.file_type().is_symlink() {
        // Git stores a symlink as a blob holding the target path.
        let target = fs::read_link(&full).map_err(|e| Error::io(&full, e))?;
        let bytes = link_bytes(&target);
        return Ok(Some(TreeEntry {
            path: rel.to_string(),
            size: bytes.len() as u64,
            git_sha1: git_blob_sha1(&bytes),
        }));
    }
    if meta.is_dir() {
        return Ok(None);
    }
    let file = fs::File::open(&full).map_err(|e| Error::io(&full, e))?;
    let sha = git_blob_sha1_reader(meta.len(), std::io::BufReader::new(file))
        .map_err(|e| Error::io(&full, e))?;
    Ok(Some(TreeEntry {
        path: rel.to_string(),
        size: meta.len(),
        git_sha1: sha,
    }))
}

#[cfg(unix)]
fn link_bytes(target: &Path) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    target.as_os_str().as_bytes().to_vec()
}

#[cfg(not(unix))]
fn link_bytes(target: &Path) -> Vec<u8> {
    target.to_string_lossy().replace('\\', "/").into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_directory_skips_dot_git_and_hashes_like_git() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("sub/.git")).unwrap();
        fs::write(dir.path().join("sub/.git/HEAD"), "x").unwrap();
        fs::write(dir.path().join("sub/a.txt"), "hello\n").unwrap();
        fs::write(dir.path().join("b"), "").unwrap();
        let paths = walk(dir.path()).unwrap();
        assert_eq!(paths, vec!["b", "sub/a.txt"]);
        let e = hash_entry(dir.path(), "sub/a.txt").unwrap().unwrap();
        assert_eq!(e.git_sha1, "ce013625030ba8dba906f756967f9e9ca394464a");
        assert_eq!(hash_entry(dir.path(), "gone").unwrap(), None);
    }
}
