//! The Hugging Face Hub as a source of truth: the Hub publishes, for every
//! file of a repository revision, its size, its git blob SHA-1 and, for LFS
//! files, its SHA-256. `api` (feature `hub`) reads that list; [`cache`]
//! finds the local Hugging Face cache snapshot of a revision; [`check`]
//! holds a folder against the list in one read pass of the hash engine.

#[cfg(feature = "hub")]
pub mod api;
pub mod cache;
pub mod check;

use serde::Serialize;

/// One file the Hub lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HubFile {
    /// Repository-relative path (checked safe).
    pub path: String,
    /// Size in bytes (of the content, also for LFS files).
    pub size: u64,
    /// git blob SHA-1 of what git stores: the content for a regular file,
    /// the pointer file for an LFS file.
    pub git_sha1: String,
    /// SHA-256 of the content of an LFS file.
    pub lfs_sha256: Option<String>,
}

impl HubFile {
    /// The digest the content is checked against: SHA-256 for LFS files,
    /// the git blob SHA-1 for the rest.
    pub fn expected(&self) -> (Algorithm, &str) {
        match &self.lfs_sha256 {
            Some(s) => (Algorithm::Sha256, s),
            None => (Algorithm::GitSha1, &self.git_sha1),
        }
    }
}

/// Which digest a file is checked by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Algorithm {
    /// SHA-256 of the content (LFS files).
    Sha256,
    /// git blob SHA-1 (`blob <len>\0` + content).
    GitSha1,
}

impl Algorithm {
    /// For people.
    pub fn label(self) -> &'static str {
        match self {
            Algorithm::Sha256 => "SHA-256",
            Algorithm::GitSha1 => "git SHA-1",
        }
    }
}

/// A repository revision's files as the Hub lists them.
#[derive(Debug, Clone, Serialize)]
pub struct Listing {
    /// `owner/name`.
    pub repo: String,
    /// The revision asked for (branch, tag or commit).
    pub revision: String,
    /// Every file, sorted by path.
    pub files: Vec<HubFile>,
    /// Pages read.
    pub pages: usize,
}
