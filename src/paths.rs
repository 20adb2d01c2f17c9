//! Paths from inputs: which relative paths are safe to join to a root, and
//! directory walks. Two walking policies, kept apart on purpose:
//! - [`list_files`]: every regular file in mktorrent's order, symlinks
//!   followed and hidden files included, because a .torrent made from a
//!   directory must list exactly what mktorrent would (torrent creation,
//!   `hash DIR`, `manifest pin`);
//! - [`tensor_files`]: the files a person points `inspect`/`verify` at,
//!   hidden entries skipped and symlinks not followed out of the tree.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// Checks one path component of untrusted origin; returns it as a string
/// or says why it cannot be used as a file name.
pub fn check_component(raw: &[u8]) -> std::result::Result<String, &'static str> {
    if raw.is_empty() {
        return Err("empty");
    }
    if raw == b"." || raw == b".." {
        return Err("a relative directory reference");
    }
    if raw.contains(&0) {
        return Err("contains a NUL byte");
    }
    if raw.contains(&b'/') || raw.contains(&b'\\') {
        return Err("contains a path separator");
    }
    if raw.len() > 255 {
        return Err("longer than 255 bytes");
    }
    String::from_utf8(raw.to_vec()).map_err(|_| "not valid UTF-8")
}

/// Opens an input for reading, refusing anything but a regular file. The
/// open itself is non-blocking, so a FIFO named as a shard, manifest,
/// config, tokenizer or torrent is refused at once instead of hanging in
/// `open(2)` until a writer appears.
pub fn open_regular(path: &Path) -> Result<File> {
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| Error::io(path, e))?;
    let kind = file.metadata().map_err(|e| Error::io(path, e))?.file_type();
    if kind.is_file() {
        return Ok(file);
    }
    let kind = if kind.is_dir() {
        "a directory"
    } else if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_socket() {
        "a socket"
    } else if kind.is_char_device() || kind.is_block_device() {
        "a device"
    } else {
        "not a file"
    };
    Err(Error::NotAFile {
        path: path.to_path_buf(),
        kind,
    })
}

/// Reads a whole input file of at most `limit` bytes (manifests, configs,
/// indexes, tokenizers, torrents), through [`open_regular`].
pub fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>> {
    let file = open_regular(path)?;
    let size = file.metadata().map_err(|e| Error::io(path, e))?.len();
    if size > limit {
        return Err(Error::TooLarge {
            path: path.to_path_buf(),
            size,
            limit,
        });
    }
    let mut bytes = Vec::with_capacity(size as usize);
    // One byte more than the limit tells a file that grew since the stat.
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    if bytes.len() as u64 > limit {
        return Err(Error::TooLarge {
            path: path.to_path_buf(),
            size: bytes.len() as u64,
            limit,
        });
    }
    Ok(bytes)
}

/// [`read_limited`] as UTF-8 text.
pub fn read_text_limited(path: &Path, limit: u64) -> Result<String> {
    String::from_utf8(read_limited(path, limit)?)
        .map_err(|e| Error::format(path, e.utf8_error().valid_up_to() as u64, "not UTF-8 text"))
}

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
    let mut visited = HashSet::new();
    walk(dir, String::new(), &mut visited, &mut out)?;
    out.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    Ok(out)
}

fn walk(
    dir: &Path,
    prefix: String,
    visited: &mut HashSet<(u64, u64)>,
    out: &mut Vec<(String, u64)>,
) -> Result<()> {
    let meta = std::fs::metadata(dir).map_err(|e| Error::io(dir, e))?;
    let id = (meta.dev(), meta.ino());
    // Every directory once: a loop would never end, and links fanning out
    // to one directory (a DAG) would list it 2^depth times.
    if !visited.insert(id) {
        return Err(Error::Invalid(format!(
            "{}: this directory is reached twice through symlinks (a loop, or two links \
             to one directory); a release lists each file once",
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
            walk(&path, rel, visited, out)?;
        } else if meta.is_file() {
            out.push((rel, meta.len()));
        } else {
            return Err(Error::Invalid(format!(
                "{}: not a regular file or directory",
                path.display()
            )));
        }
    }
    Ok(())
}

/// `path` as every command shows it: absolute (joined to `cwd` when
/// relative), without `.` components, which only clutter messages; `..` is
/// kept (symlinks make removing it lexically wrong).
pub fn resolve(cwd: &Path, path: &Path) -> PathBuf {
    cwd.join(path)
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect()
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
        if !meta.is_dir() {
            // Named outright, a FIFO or device is refused the way a reader
            // would refuse it (without opening it).
            open_regular(root)?;
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
