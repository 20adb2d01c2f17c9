//! Finding a revision in the Hugging Face cache, laid out as huggingface_hub
//! documents it (`Manage huggingface_hub cache-system`):
//! `{hub}/models--OWNER--REPO/refs/{revision}` holds the commit a branch or
//! tag pointed to at download time, `snapshots/{commit}/` holds the files
//! as symlinks into `../../blobs/` (named by SHA-256 for LFS files, by git
//! SHA-1 for the rest).

use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// A snapshot in the cache.
#[derive(Debug, Clone)]
pub struct CachedSnapshot {
    /// `snapshots/{commit}`.
    pub dir: PathBuf,
    /// `models--OWNER--REPO`: symlinks may lead anywhere inside, nowhere else.
    pub boundary: PathBuf,
    /// The commit the snapshot is of.
    pub commit: String,
}

fn is_commit(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The snapshot of `repo` at `revision` under the hub cache `hub`; an
/// error saying where it looked when there is none.
pub fn snapshot(hub: &Path, repo: &str, revision: &str) -> Result<CachedSnapshot> {
    let repo_dir = hub.join(format!("models--{}", repo.replace('/', "--")));
    let not_there = |why: String| {
        Error::Invalid(format!(
            "no Hugging Face cache snapshot of {repo} at {revision}: {why}; name the folder: \
             weightcheck hf {repo} DIR"
        ))
    };
    let commit = if is_commit(revision) {
        revision.to_ascii_lowercase()
    } else {
        if !crate::paths::is_safe_relative(revision) {
            return Err(not_there(format!("{revision:?} is not a usable ref name")));
        }
        let ref_file = repo_dir.join("refs").join(revision);
        // A ref file holds one commit id; anything longer is not one.
        let text = crate::paths::read_limited(&ref_file, 256)
            .map_err(|_| not_there(format!("{} is not there", ref_file.display())))?;
        let text = String::from_utf8_lossy(&text).trim().to_string();
        if !is_commit(&text) {
            return Err(not_there(format!(
                "{} does not hold a commit id",
                ref_file.display()
            )));
        }
        text.to_ascii_lowercase()
    };
    let dir = repo_dir.join("snapshots").join(&commit);
    if !dir.is_dir() {
        return Err(not_there(format!("{} is not there", dir.display())));
    }
    let boundary = repo_dir
        .canonicalize()
        .map_err(|e| Error::io(&repo_dir, e))?;
    Ok(CachedSnapshot {
        dir,
        boundary,
        commit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_branch_is_read_through_its_ref() {
        let t = tempfile::tempdir().unwrap();
        let commit = "0123456789abcdef0123456789abcdef01234567";
        let repo = t.path().join("models--o--r");
        std::fs::create_dir_all(repo.join("refs")).unwrap();
        std::fs::create_dir_all(repo.join("snapshots").join(commit)).unwrap();
        std::fs::write(repo.join("refs/main"), commit).unwrap();
        let s = snapshot(t.path(), "o/r", "main").unwrap();
        assert_eq!(s.commit, commit);
        assert!(snapshot(t.path(), "o/r", commit).is_ok());
        let e = snapshot(t.path(), "o/r", "dev").unwrap_err().to_string();
        assert!(e.contains("refs/dev is not there"), "{e}");
        assert!(snapshot(t.path(), "o/r", "../x").is_err());
    }
}
