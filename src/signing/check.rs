//! Holds a directory against the resources of a verified statement: every
//! signed file (or shard) must be there with its signed SHA-256, and every
//! file there must be signed, apart from the paths the signature ignores.
//! Each file is read once, front to back (its shards in order).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use rayon::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::statement::{Item, Method, Signed};
use super::SigningError;
use crate::hash::engine::{self, CacheMode, FileStatus, HashPlan, PlanFile, Progress};
use crate::verdict::FileVerdict;

/// What was found about one signed resource or one unsigned file.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// The resource's name as signed (`path` or `path:start:end`), or the
    /// unsigned file's path.
    pub name: String,
    /// The finding.
    pub verdict: FileVerdict,
    /// What exactly differs, when something does.
    pub detail: Option<String>,
}

impl Finding {
    fn new(name: &str, verdict: FileVerdict, detail: Option<String>) -> Finding {
        Finding {
            name: name.to_owned(),
            verdict,
            detail,
        }
    }
}

/// Whether `rel` is one of the ignored paths or inside one.
fn ignored(rel: &str, ignore: &[String]) -> bool {
    ignore.iter().any(|p| {
        rel == p
            || rel
                .strip_prefix(p.as_str())
                .is_some_and(|r| r.starts_with('/'))
    })
}

/// The files under `dir` (relative, `/`-separated) that are not ignored,
/// each with whether it is a symbolic link. Ignored directories (`.git`)
/// are not entered.
fn walk(dir: &Path, ignore: &[String]) -> Result<Vec<(String, bool)>, SigningError> {
    let mut out = Vec::new();
    let mut pending = vec![(dir.to_path_buf(), String::new())];
    while let Some((path, prefix)) = pending.pop() {
        for entry in std::fs::read_dir(&path).map_err(|e| crate::Error::io(&path, e))? {
            let entry = entry.map_err(|e| crate::Error::io(&path, e))?;
            let full = entry.path();
            let name = crate::paths::check_component(entry.file_name().as_encoded_bytes())
                .map_err(|why| SigningError::Directory {
                    path: full.clone(),
                    why: format!("unusable file name: {why}"),
                })?;
            let rel = if prefix.is_empty() {
                name
            } else {
                format!("{prefix}/{name}")
            };
            if ignored(&rel, ignore) {
                continue;
            }
            let kind = entry.file_type().map_err(|e| crate::Error::io(&full, e))?;
            if kind.is_dir() {
                pending.push((full, rel));
            } else if kind.is_symlink() {
                let target = std::fs::metadata(&full).map_err(|e| crate::Error::io(&full, e))?;
                if target.is_dir() {
                    return Err(SigningError::Directory {
                        path: full,
                        why: "a symbolic link to a directory, which model_signing does not follow"
                            .to_owned(),
                    });
                }
                out.push((rel, true));
            } else {
                out.push((rel, false));
            }
        }
    }
    Ok(out)
}

/// Every file under `dir` but the ignored, with its SHA-256, hashed by the
/// engine on every core; a symbolic link is refused, as model_signing
/// refuses it by default.
pub fn hash_files(dir: &Path, ignore: &[String]) -> Result<Vec<(String, [u8; 32])>, SigningError> {
    let mut plan = Vec::new();
    for (rel, symlink) in walk(dir, ignore)? {
        let path = dir.join(&rel);
        if symlink {
            return Err(SigningError::Directory {
                path,
                why: "a symbolic link, which model_signing refuses by default".to_owned(),
            });
        }
        let size = crate::paths::open_regular(&path)?
            .metadata()
            .map_err(|e| crate::Error::io(&path, e))?
            .len();
        plan.push(PlanFile::sha256(rel, size));
    }
    let report = engine::run(dir, &HashPlan::new(plan), &|_| {})?;
    report
        .files
        .into_iter()
        .map(|f| {
            let path = dir.join(&f.path);
            let digest = match (f.error, f.status, f.sha256) {
                (Some(why), _, _) => Err(why),
                (None, FileStatus::Ok, Some(sha)) => {
                    let mut d = [0u8; 32];
                    hex::decode_to_slice(&sha, &mut d)
                        .map(|()| d)
                        .map_err(|e| e.to_string())
                }
                _ => Err("the file changed while it was read".to_owned()),
            };
            digest
                .map(|d| (f.path, d))
                .map_err(|why| SigningError::Directory { path, why })
        })
        .collect()
}

/// The SHA-256 of `len` bytes from `start` (to the end when `None`).
fn hash_range(
    file: &mut std::fs::File,
    start: u64,
    len: Option<u64>,
    progress: &(dyn Fn(u64) + Sync),
) -> std::io::Result<[u8; 32]> {
    file.seek(SeekFrom::Start(start))?;
    let mut h = Sha256::new();
    let mut left = len.unwrap_or(u64::MAX);
    let mut buf = vec![0u8; 1 << 20];
    while left > 0 {
        let want = usize::try_from(left).unwrap_or(usize::MAX).min(buf.len());
        let n = file.read(&mut buf[..want])?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
        left -= n as u64;
        progress(n as u64);
    }
    if len.is_some() && left > 0 {
        return Err(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "the file shrank while being read",
        ));
    }
    Ok(h.finalize().into())
}

/// The shards model_signing cuts a file of `size` bytes into: `[0, s)`,
/// `[s, 2s)`, … the last one ending at `size`; none for an empty file.
fn shards(shard_size: u64, size: u64) -> Vec<(u64, u64)> {
    let mut out = Vec::new();
    let mut start: u64 = 0;
    while start < size {
        let end = start.saturating_add(shard_size).min(size);
        out.push((start, end));
        start = end;
    }
    out
}

/// How signed files are read: the verification cache, Ctrl-C and progress,
/// as for every other hashing command.
pub struct Hashing<'a> {
    /// Whether the verification cache is read and written.
    pub cache: CacheMode,
    /// Raised by Ctrl-C: the run ends early, as an interruption.
    pub stop: Option<&'static AtomicBool>,
    /// Called every few MiB.
    pub progress: &'a (dyn Fn(Progress) + Sync),
}

/// The files of a files-serialization signature, hashed by the engine in
/// one pass on every core (and from the cache when unchanged).
fn whole_files(
    dir: &Path,
    files: &[(&str, Vec<&Item>)],
    hashing: &Hashing,
) -> Result<Vec<Finding>, SigningError> {
    let mut out = Vec::new();
    let mut plan = Vec::new();
    let mut signed = Vec::new();
    for (path, items) in files {
        let [item] = items.as_slice() else {
            // Names are unique in a verified statement; a files resource
            // has no range, so a path has one item.
            out.extend(unreadable(items, "listed more than once".to_owned()));
            continue;
        };
        match std::fs::metadata(dir.join(path)) {
            Ok(m) => {
                plan.push(PlanFile::sha256(*path, m.len()));
                signed.push(*item);
            }
            Err(e) => out.push(Finding::new(
                &item.name,
                FileVerdict::Unreadable,
                Some(e.to_string()),
            )),
        }
    }
    let plan = HashPlan::new(plan)
        .with_cache(hashing.cache)
        .with_stop(hashing.stop);
    let report = engine::run(dir, &plan, hashing.progress)?;
    if report.interrupted {
        return Err(crate::Error::Interrupted(format!(
            "hashing stopped after {} bytes; {}",
            report.bytes_hashed,
            report.resume_hint()
        ))
        .into());
    }
    // One finding per signed file whatever the report holds: a file the
    // report left out must not go unmentioned (and so pass).
    for (i, item) in signed.into_iter().enumerate() {
        let Some(file) = report.files.get(i).filter(|f| f.path == item.path) else {
            out.push(Finding::new(
                &item.name,
                FileVerdict::Unreadable,
                Some("not hashed".to_owned()),
            ));
            continue;
        };
        let finding = match (&file.error, file.status, &file.sha256) {
            (Some(why), _, _) => {
                Finding::new(&item.name, FileVerdict::Unreadable, Some(why.clone()))
            }
            (None, FileStatus::Ok, Some(sha)) if *sha == hex::encode(item.digest) => {
                Finding::new(&item.name, FileVerdict::Ok, None)
            }
            (None, FileStatus::Ok, Some(sha)) => Finding::new(
                &item.name,
                FileVerdict::HashMismatch,
                Some(format!(
                    "SHA-256 {sha}, signed {}",
                    hex::encode(item.digest)
                )),
            ),
            _ => Finding::new(
                &item.name,
                FileVerdict::Unreadable,
                Some("the file changed while it was read".to_owned()),
            ),
        };
        out.push(finding);
    }
    Ok(out)
}

/// The files of a shards-serialization signature, each read once front to
/// back (its shards in order), several files at a time.
fn sharded_files(
    dir: &Path,
    files: Vec<(&str, Vec<&Item>)>,
    method: Method,
    hashing: &Hashing,
) -> Vec<Finding> {
    let total = files
        .iter()
        .filter_map(|(path, _)| std::fs::metadata(dir.join(path)).ok())
        .map(|m| m.len())
        .sum();
    let done = AtomicU64::new(0);
    let progress = |n: u64| {
        let bytes_done = done.fetch_add(n, Ordering::Relaxed) + n;
        (hashing.progress)(Progress {
            bytes_done,
            bytes_total: total,
        });
    };
    files
        .into_par_iter()
        .flat_map_iter(|(path, mut items)| check_file(dir, path, &mut items, method, &progress))
        .collect()
}

/// Every resource of a file that could not be read as it was signed.
fn unreadable(items: &[&Item], why: String) -> Vec<Finding> {
    items
        .iter()
        .map(|i| Finding::new(&i.name, FileVerdict::Unreadable, Some(why.clone())))
        .collect()
}

/// Checks the signed shards of one file that is there.
fn check_file(
    dir: &Path,
    path: &str,
    items: &mut [&Item],
    method: Method,
    progress: &(dyn Fn(u64) + Sync),
) -> Vec<Finding> {
    let full = dir.join(path);
    let mut file = match crate::paths::open_regular(&full) {
        Ok(f) => f,
        Err(e) => return unreadable(items, e.to_string()),
    };
    let size = match file.metadata() {
        Ok(m) => m.len(),
        Err(e) => return unreadable(items, e.to_string()),
    };
    let expected = match method {
        Method::Files => vec![(0, size)],
        Method::Shards(s) => shards(s, size),
    };
    items.sort_by_key(|i| i.range);
    let mut out = Vec::new();
    for item in items.iter() {
        let (start, end) = item.range.unwrap_or((0, size));
        if !expected.contains(&(start, end)) {
            let why = format!("the file is {size} bytes: this is not one of its shards");
            out.push(Finding::new(&item.name, FileVerdict::WrongSize, Some(why)));
            continue;
        }
        match hash_range(&mut file, start, Some(end - start), progress) {
            Ok(d) if d == item.digest => out.push(Finding::new(&item.name, FileVerdict::Ok, None)),
            Ok(d) => {
                let why = format!(
                    "SHA-256 {}, signed {}",
                    hex::encode(d),
                    hex::encode(item.digest)
                );
                out.push(Finding::new(
                    &item.name,
                    FileVerdict::HashMismatch,
                    Some(why),
                ));
            }
            Err(e) => out.push(Finding::new(
                &item.name,
                FileVerdict::Unreadable,
                Some(e.to_string()),
            )),
        }
    }
    for (start, end) in expected {
        if !items
            .iter()
            .any(|i| i.range.unwrap_or((0, size)) == (start, end))
        {
            let name = format!("{path}:{start}:{end}");
            let why = "bytes of a signed file that no signed shard covers".to_owned();
            out.push(Finding::new(&name, FileVerdict::Extra, Some(why)));
        }
    }
    // Bytes appended after the size was read would be hashed by no range.
    if file.metadata().map(|m| m.len()).ok() != Some(size) {
        return unreadable(items, "the file changed while it was read".to_owned());
    }
    out
}

/// Every signed resource and every unsigned file of `dir`, by name.
/// `also_ignore` is the bundle itself when it lies inside `dir`.
pub fn check(
    dir: &Path,
    signed: &Signed,
    also_ignore: Option<&str>,
    hashing: &Hashing,
) -> Result<Vec<Finding>, SigningError> {
    let mut ignore = signed.ignore_paths.clone();
    ignore.extend(also_ignore.map(str::to_owned));
    let on_disk: HashMap<String, bool> = walk(dir, &ignore)?.into_iter().collect();
    let mut by_path: BTreeMap<&str, Vec<&Item>> = BTreeMap::new();
    for item in &signed.items {
        by_path.entry(item.path.as_str()).or_default().push(item);
    }
    let mut out = Vec::new();
    let mut to_read = Vec::new();
    for (path, items) in by_path {
        let (verdict, why) = match on_disk.get(path) {
            None => (FileVerdict::Missing, "signed, not in the directory"),
            Some(true) if !signed.allow_symlinks => (
                FileVerdict::Unreadable,
                "a symbolic link, which the signature does not allow",
            ),
            Some(_) => {
                to_read.push((path, items));
                continue;
            }
        };
        out.extend(
            items
                .iter()
                .map(|i| Finding::new(&i.name, verdict, Some(why.to_owned()))),
        );
    }
    match signed.method {
        Method::Files => out.extend(whole_files(dir, &to_read, hashing)?),
        Method::Shards(_) => out.extend(sharded_files(dir, to_read, signed.method, hashing)),
    }
    let signed_paths: HashSet<&str> = signed.items.iter().map(|i| i.path.as_str()).collect();
    for rel in on_disk
        .keys()
        .filter(|rel| !signed_paths.contains(rel.as_str()))
    {
        // model_signing cuts an empty file into no shard at all, so a shards
        // signature cannot say whether one belongs (model_signing's own
        // verify leaves it out too): its bytes, none, are not in doubt, but
        // its presence is not signed, so it is unchecked rather than failed.
        let empty = std::fs::metadata(dir.join(rel)).is_ok_and(|m| m.len() == 0);
        out.push(if empty && matches!(signed.method, Method::Shards(_)) {
            Finding::new(
                rel,
                FileVerdict::NotChecked,
                Some(
                    "empty, and a shards signature lists no empty file: its presence is not signed"
                        .to_owned(),
                ),
            )
        } else {
            Finding::new(rel, FileVerdict::Extra, Some("not signed".to_owned()))
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_are_cut_as_model_signing_cuts_them() {
        assert_eq!(shards(2, 8), [(0, 2), (2, 4), (4, 6), (6, 8)]);
        assert_eq!(shards(2, 9), [(0, 2), (2, 4), (4, 6), (6, 8), (8, 9)]);
        assert!(shards(4, 0).is_empty());
    }

    #[test]
    fn shards_past_the_end_of_the_file_are_not_its_shards() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("w"), [1u8; 100]).expect("write");
        let item = |start: u64, end: u64| Item {
            name: format!("w:{start}:{end}"),
            path: "w".to_owned(),
            range: Some((start, end)),
            digest: Sha256::digest([1u8; 64]).into(),
        };
        let signed = Signed {
            model: "m".to_owned(),
            subject_sha256: String::new(),
            method: Method::Shards(64),
            allow_symlinks: false,
            ignore_paths: Vec::new(),
            items: vec![item(0, 64), item(64, 128)],
        };
        let hashing = Hashing {
            cache: CacheMode::Off,
            stop: None,
            progress: &|_| {},
        };
        let found = check(dir.path(), &signed, None, &hashing).expect("checked");
        let got: Vec<(&str, FileVerdict)> =
            found.iter().map(|f| (f.name.as_str(), f.verdict)).collect();
        assert_eq!(
            got,
            [
                ("w:0:64", FileVerdict::Ok),
                ("w:64:100", FileVerdict::Extra),
                ("w:64:128", FileVerdict::WrongSize),
            ]
        );
    }

    #[test]
    fn ignored_paths_cover_their_contents_only() {
        let ignore = vec![".git".to_owned()];
        assert!(ignored(".git", &ignore));
        assert!(ignored(".git/HEAD", &ignore));
        assert!(!ignored(".gitignore", &ignore));
    }
}
