//! The disk side of a fetch, checked before any byte is requested: enough
//! free space for what was selected, and no path that would land outside
//! the destination (through a symlink already there — the torrent's own
//! paths are sanitised when it is parsed, see [`crate::torrent::metainfo`]).

use std::collections::BTreeSet;
use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::torrent::Metainfo;
use crate::units::Bytes;
use crate::{Error, Result};

/// Bytes available to an unprivileged user on the filesystem holding
/// `path` (or its nearest existing ancestor).
pub fn free_space(path: &Path) -> Result<u64> {
    let mut at = path;
    while !at.exists() {
        at = at
            .parent()
            .ok_or_else(|| Error::Fetch(format!("{}: no existing ancestor", path.display())))?;
    }
    let c = CString::new(at.as_os_str().as_bytes())
        .map_err(|_| Error::Fetch(format!("{}: path contains a NUL byte", at.display())))?;
    // SAFETY: an all-zero statvfs is a valid value of this plain C struct.
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c` is NUL-terminated and outlives the call; `st` is a valid,
    // exclusively borrowed out-parameter.
    let rc = unsafe { libc::statvfs(c.as_ptr(), &mut st) };
    if rc != 0 {
        return Err(Error::io(at, std::io::Error::last_os_error()));
    }
    #[allow(clippy::unnecessary_cast)] // the field types differ between targets
    Ok((st.f_bavail as u64).saturating_mul(st.f_frsize as u64))
}

/// What a fetch still needs on disk.
#[derive(Debug, Clone, Serialize)]
pub struct SpaceNeed {
    /// Bytes of the selected files.
    pub selected: u64,
    /// Of those, already allocated on disk (a resumed or repeated fetch).
    pub present: u64,
    /// Bytes of unselected files that share a piece with a selected one,
    /// which the client writes too.
    pub boundary: u64,
    /// What remains to be written: `selected - present + boundary`.
    pub needed: u64,
    /// Free space on the destination's filesystem.
    pub available: u64,
}

/// Works out the space a fetch of `selected` files into `root` needs and
/// fails, before anything is downloaded, when the filesystem lacks it.
pub fn check_space(root: &Path, meta: &Metainfo, selected: &[usize]) -> Result<SpaceNeed> {
    let chosen: BTreeSet<usize> = selected.iter().copied().collect();
    let mut need = SpaceNeed {
        selected: 0,
        present: 0,
        boundary: 0,
        needed: 0,
        available: free_space(root)?,
    };
    for &i in &chosen {
        let f = &meta.files[i];
        need.selected += f.length;
        // Blocks, not length: the client makes sparse files of full length
        // before it has their bytes.
        if let Ok(m) = std::fs::symlink_metadata(root.join(f.relative_path())) {
            if m.is_file() {
                need.present += (m.blocks() * 512).min(f.length);
            }
        }
    }
    let map = meta.piece_map();
    let mut pieces = BTreeSet::new();
    for &i in &chosen {
        pieces.extend(map.pieces_of_file(i));
    }
    for p in pieces {
        for span in map.spans(p) {
            if !chosen.contains(&span.file) {
                need.boundary += span.length;
            }
        }
    }
    need.needed = need.selected - need.present + need.boundary;
    if need.needed > need.available {
        return Err(Error::Fetch(format!(
            "not enough free space in {}: the fetch needs {} more ({} selected, {} already on disk, \
             {} of neighbouring files in shared pieces) but only {} is available; \
             free space or choose fewer files with --only",
            root.display(),
            Bytes(need.needed),
            Bytes(need.selected),
            Bytes(need.present),
            Bytes(need.boundary),
            Bytes(need.available)
        )));
    }
    Ok(need)
}

/// Refuses to start when a path the client will create under `dest`
/// already exists as a symlink (or passes through one): writing through it
/// would put downloaded bytes outside the destination. `paths` are
/// relative to `dest`.
pub fn check_no_escape(dest: &Path, paths: &[PathBuf]) -> Result<()> {
    let mut checked = BTreeSet::<PathBuf>::new();
    for full in paths {
        let mut at = PathBuf::new();
        for c in full.components() {
            at.push(c);
            if !checked.insert(at.clone()) {
                continue;
            }
            match std::fs::symlink_metadata(dest.join(&at)) {
                Ok(m) if m.file_type().is_symlink() => {
                    return Err(Error::Fetch(format!(
                        "{} is a symlink; a fetch writes only to real files and directories \
                         under {} (remove the link or choose another --dest)",
                        dest.join(&at).display(),
                        dest.display()
                    )))
                }
                // A hard-linked file is also some other file: writing the
                // torrent's bytes into it would change a file outside DEST.
                Ok(m) if m.is_file() && m.nlink() > 1 => {
                    return Err(Error::Fetch(format!(
                        "{} has {} hard links; a fetch writes only to files of its own under {} \
                         (remove it or choose another --dest)",
                        dest.join(&at).display(),
                        m.nlink(),
                        dest.display()
                    )))
                }
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => break,
                Err(e) => return Err(Error::io(dest.join(&at), e)),
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_space_of_a_missing_path_is_its_ancestors() {
        let dir = tempfile::tempdir().unwrap();
        let a = free_space(dir.path()).unwrap();
        let b = free_space(&dir.path().join("not/there/yet")).unwrap();
        assert!(a > 0);
        // Same filesystem; other processes may write in between.
        assert!(a.abs_diff(b) < 1 << 30);
    }
}
