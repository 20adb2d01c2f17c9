//! Finding a release on disk: a directory the user names, or the places
//! Grok-1 downloads usually end up — `./checkpoints/` (the GitHub README's
//! layout), the Hugging Face cache (whose files are symlinks into `blobs/`
//! named by their LFS SHA-256), and the current directory.
//!
//! Symlinks are followed only while they stay inside the chosen root (for a
//! Hugging Face cache, the model's cache directory), so a hostile link
//! cannot make weightcheck read or report on files elsewhere.

use std::path::{Path, PathBuf};

use crate::manifest::Manifest;
use crate::{Error, Result};

/// Where a release was found.
#[derive(Debug, Clone)]
pub struct Located {
    /// The directory manifest paths are relative to.
    pub root: PathBuf,
    /// Symlinks may lead anywhere inside this directory, and nowhere else.
    pub boundary: PathBuf,
    /// What was looked at and what was found, for the user.
    pub notes: Vec<String>,
}

/// A manifest path resolved on disk.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The real file.
    pub path: PathBuf,
    /// Whether a symlink was followed to reach it.
    pub via_link: bool,
    /// The SHA-256 a Hugging Face cache blob is named by.
    pub blob_sha256: Option<String>,
}

impl Located {
    /// The release in a directory the user named. Accepts the release root
    /// or, as users often do, the directory that holds the shards
    /// (`checkpoints/ckpt-0` for paths like `ckpt-0/tensor…`).
    pub fn at(dir: &Path, manifest: &Manifest) -> Result<Self> {
        let meta = std::fs::metadata(dir).map_err(|e| Error::io(dir, e))?;
        if !meta.is_dir() {
            return Err(Error::Invalid(format!(
                "{} is not a directory",
                dir.display()
            )));
        }
        let mut root = dir.to_path_buf();
        if let Some(first) = first_component(manifest) {
            let named_after_it = dir
                .file_name()
                .is_some_and(|n| n.to_string_lossy() == first);
            if !dir.join(&first).exists() && named_after_it {
                if let Some(parent) = dir.parent() {
                    root = parent.to_path_buf();
                }
            }
        }
        let boundary = root.canonicalize().map_err(|e| Error::io(&root, e))?;
        let note = if manifest.files.is_empty() {
            format!(
                "{}: the manifest lists no files; the tensor files found here are checked",
                root.display()
            )
        } else {
            format!(
                "{}: {} of {} release files present",
                root.display(),
                count_present(&root, manifest),
                manifest.files.len()
            )
        };
        Ok(Located {
            notes: vec![note],
            root,
            boundary,
        })
    }

    /// Looks where downloads usually end up and picks the place holding the
    /// most release files. `hf_hub` is the Hugging Face hub cache directory.
    pub fn search(cwd: &Path, hf_hub: Option<&Path>, manifest: &Manifest) -> Result<Self> {
        let mut candidates: Vec<(PathBuf, PathBuf)> = Vec::new();
        candidates.push((cwd.join("checkpoints"), cwd.join("checkpoints")));
        if let (Some(hub), Some(hf)) = (hf_hub, &manifest.sources.huggingface) {
            let repo_dir = hub.join(format!("models--{}", hf.repo.replace('/', "--")));
            if let Ok(snaps) = std::fs::read_dir(repo_dir.join("snapshots")) {
                let mut snaps: Vec<PathBuf> =
                    snaps.filter_map(|e| e.ok()).map(|e| e.path()).collect();
                snaps.sort();
                candidates.extend(snaps.into_iter().map(|s| (s, repo_dir.clone())));
            }
        }
        candidates.push((cwd.to_path_buf(), cwd.to_path_buf()));
        let mut notes = Vec::new();
        let mut best: Option<(usize, PathBuf, PathBuf)> = None;
        for (root, boundary) in candidates {
            if !root.is_dir() {
                notes.push(format!("{}: not there", root.display()));
                continue;
            }
            let found = count_present(&root, manifest);
            notes.push(format!(
                "{}: {found} of {} release files",
                root.display(),
                manifest.files.len()
            ));
            if found > 0 && best.as_ref().is_none_or(|(n, _, _)| found > *n) {
                best = Some((found, root, boundary));
            }
        }
        match best {
            Some((_, root, boundary)) => {
                notes.push(format!("using {}", root.display()));
                let boundary = boundary.canonicalize().map_err(|e| Error::io(&boundary, e))?;
                Ok(Located { root, boundary, notes })
            }
            None => Err(Error::Invalid(format!(
                "no files of release {} found; looked in:\n  {}\nname the directory: weightcheck verify DIR",
                manifest.release.id,
                notes.join("\n  ")
            ))),
        }
    }

    /// Resolves a manifest path. `Ok(None)` when absent; `Err` with a
    /// message when a symlink leads outside the boundary.
    pub fn resolve(&self, rel: &str) -> std::result::Result<Option<Resolved>, String> {
        let path = self.root.join(rel);
        if std::fs::symlink_metadata(&path).is_err() {
            return Ok(None);
        }
        let real = match path.canonicalize() {
            Ok(r) => r,
            Err(e) => return Err(format!("cannot resolve: {e}")),
        };
        if !real.starts_with(&self.boundary) {
            return Err(format!(
                "symlink leads outside {} (to {}); not followed",
                self.boundary.display(),
                real.display()
            ));
        }
        let via_link = self
            .root
            .canonicalize()
            .map(|r| r.join(rel) != real)
            .unwrap_or(true);
        let blob_sha256 = (real
            .parent()
            .and_then(|p| p.file_name())
            .is_some_and(|n| n == "blobs"))
        .then(|| real.file_name().map(|n| n.to_string_lossy().into_owned()))
        .flatten()
        .filter(|n| n.len() == 64 && n.bytes().all(|b| b.is_ascii_hexdigit()));
        Ok(Some(Resolved {
            path: real,
            via_link,
            blob_sha256,
        }))
    }
}

fn first_component(manifest: &Manifest) -> Option<String> {
    manifest
        .files
        .first()
        .and_then(|f| f.path.split_once('/'))
        .map(|(d, _)| d.to_string())
}

fn count_present(root: &Path, manifest: &Manifest) -> usize {
    manifest
        .files
        .iter()
        .filter(|f| root.join(&f.path).exists())
        .count()
}

/// The Hugging Face hub cache directory from the environment
/// (`HF_HUB_CACHE`, else `HF_HOME/hub`, else `~/.cache/huggingface/hub`).
pub fn hf_hub_from_env() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("HF_HUB_CACHE") {
        return Some(PathBuf::from(p));
    }
    if let Some(p) = std::env::var_os("HF_HOME") {
        return Some(PathBuf::from(p).join("hub"));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/huggingface/hub"))
}

/// A tokenizer.model beside the release (the GitHub repo keeps it one level
/// above `checkpoints/`), or in the current directory.
pub fn find_tokenizer(root: &Path, cwd: &Path) -> Option<PathBuf> {
    [Some(root), root.parent(), Some(cwd)]
        .into_iter()
        .flatten()
        .map(|d| d.join("tokenizer.model"))
        .find(|p| p.is_file())
}
