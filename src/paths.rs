//! Paths from inputs: which relative paths are safe to join to a root, and
//! directory walks. Two walking policies, kept apart on purpose:
//! - [`list_files`]: every regular file in mktorrent's order, symlinks
//!   followed and hidden files included, because a .torrent made from a
//!   directory must list exactly what mktorrent would (torrent creation,
//!   `hash DIR`, `manifest pin`);
//! - [`tensor_files`]: the files a person points `inspect`/`verify` at,
//!   hidden entries skipped and symlinks not followed out of the tree.

use std::collections::HashSet;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crate::torrent::metainfo::check_component;
use crate::{Error, Result};

/// Whether `path` is relative, `/`-separated, and free of `.`, `..` and empty
/// components, so joining it to a directory stays inside that directory.
pub fn is_safe_relative(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && !path.contains('\\')
        && !path.contains('\0')
        && path
            .split('/')
            .all(|c| !c.is_empty() && c != "." && c != "..")
}

/// The files of a directory in mktorrent's order: `(relative path, size)`.
pub fn list_files(dir: &Path) -> Result<Vec<(String, u64)>> {
    let mut out = Vec::new();
    let mut ancestors = HashSet::new();
    walk(dir, String::new(), &mut ancestors, &mut out)?;
    out.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    Ok(out)
}

fn walk(
    dir: &Path,
    prefix: String,
    ancestors: &mut HashSet<(u64, u64)>,
    out: &mut Vec<(String, u64)>,
) -> Result<()> {
    let meta = std::fs::metadata(dir).map_err(|e| Error::io(dir, e))?;
    let id = (meta.dev(), meta.ino());
    if !ancestors.insert(id) {
        return Err(Error::Invalid(format!(
            "{}: symlink loop (directory contains itself)",
            dir.display()
        )));
    }
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let path = entry.path();
        let name = entry.file_name();
        let name = check_component(name.as_encoded_bytes()).map_err(|why| {
            Error::Invalid(format!("{}: unusable file name: {why}", path.display()))
        })?;
        let rel = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        let meta = std::fs::metadata(&path).map_err(|e| Error::io(&path, e))?;
        if meta.is_dir() {
            walk(&path, rel, ancestors, out)?;
        } else if meta.is_file() {
            out.push((rel, meta.len()));
        } else {
            return Err(Error::Invalid(format!(
                "{}: not a regular file or directory",
                path.display()
            )));
        }
    }
    ancestors.remove(&id);
    Ok(())
}

/// Lists the files under each path (a file stands for itself), sorted by
/// their relative path; hidden files and directories are skipped.
pub fn tensor_files(paths: &[PathBuf]) -> Result<Vec<(PathBuf, String)>> {
    let mut out = Vec::new();
    for root in paths {
        let meta = std::fs::metadata(root).map_err(|e| Error::io(root, e))?;
        if meta.is_file() {
            let name = root
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            out.push((root.clone(), name));
            continue;
        }
        let mut found = Vec::new();
        walk_tree(root, root, &mut found, 0)?;
        found.sort_by(|a, b| a.1.cmp(&b.1));
        out.extend(found);
    }
    Ok(out)
}

fn walk_tree(
    root: &Path,
    dir: &Path,
    out: &mut Vec<(PathBuf, String)>,
    depth: usize,
) -> Result<()> {
    if depth > 32 {
        return Err(Error::Invalid(format!(
            "{}: directories nested more than 32 deep",
            dir.display()
        )));
    }
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        // Symlinks are not followed out of the tree: only regular files and
        // real directories are listed.
        let kind = entry.file_type().map_err(|e| Error::io(&path, e))?;
        if kind.is_dir() {
            walk_tree(root, &path, out, depth + 1)?;
        } else if kind.is_file() {
            let rel = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            out.push((path, rel));
        }
    }
    Ok(())
}
