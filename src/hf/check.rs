//! A folder against the Hub's listing, in one read pass of the hash engine:
//! LFS files by SHA-256, the rest by git blob SHA-1 (the digests the Hub
//! publishes), every file read once. Symlinks (a cache snapshot's files all
//! are) are followed only while they stay inside the boundary.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{Algorithm, Listing};
use crate::hash::engine::{self, FileStatus, HashPlan, PlanFile, Progress};
use crate::verdict::{FileVerdict, Outcome, Tally};
use crate::{Error, Result};

/// One file's result.
#[derive(Debug, Clone, Serialize)]
pub struct FileCheck {
    /// Repository-relative path.
    pub path: String,
    /// What was found.
    pub verdict: FileVerdict,
    /// The Hub's size (for an extra file: its size on disk).
    pub expected_size: u64,
    /// Its size on disk, if present.
    pub actual_size: Option<u64>,
    /// The digest it was checked by (`None` for an extra file).
    pub algorithm: Option<Algorithm>,
    /// The Hub's digest.
    pub expected: Option<String>,
    /// The digest of the bytes on disk, when read to the end.
    pub actual: Option<String>,
    /// Why it could not be read, if so.
    pub note: Option<String>,
}

/// Which differences from the listing are reported without failing the
/// check (huggingface_hub's `hf cache verify` lets both pass unless told
/// `--fail-on-missing-files`/`--fail-on-extra-files`; here both fail unless
/// allowed).
#[derive(Debug, Clone, Copy, Default)]
pub struct Allow {
    /// Listed files absent from the folder (a download of some files
    /// only). The result can then not be VERIFIED: the revision was not
    /// all there to check.
    pub missing: bool,
    /// Files in the folder the Hub does not list (they are not the
    /// release's, so the listed files may still all be verified).
    pub extra: bool,
}

/// The result of a check.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct HfReport {
    /// `owner/name`.
    pub repo: String,
    /// The revision the listing is of.
    pub revision: String,
    /// The folder checked.
    pub dir: PathBuf,
    /// Listed files (sorted), then extra files on disk.
    pub files: Vec<FileCheck>,
    /// The counts behind the result.
    pub tally: Tally,
    /// The result.
    pub result: Outcome,
    /// Bytes read.
    pub bytes_hashed: u64,
    /// Missing files reported without failing (`Allow::missing`).
    pub allowed_missing: usize,
    /// Extra files reported without failing (`Allow::extra`).
    pub allowed_extra: usize,
}

fn hidden(path: &str) -> bool {
    path.split('/').any(|c| c.starts_with('.'))
}

/// Checks `root` against `listing`. Symlinks must resolve inside `boundary`
/// (the folder itself, or a cache snapshot's repository directory).
pub fn check(
    listing: &Listing,
    root: &Path,
    boundary: &Path,
    allow: Allow,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<HfReport> {
    if !root.is_dir() {
        return Err(Error::Invalid(format!(
            "{} is not a directory",
            root.display()
        )));
    }
    let boundary = boundary
        .canonicalize()
        .map_err(|e| Error::io(boundary, e))?;
    let mut outside: Vec<Option<String>> = Vec::with_capacity(listing.files.len());
    let mut plan_files = Vec::new();
    for f in &listing.files {
        let p = root.join(&f.path);
        let escape = match p.canonicalize() {
            Ok(real) if !real.starts_with(&boundary) => Some(format!(
                "symlink leads outside {} (to {}); not followed",
                boundary.display(),
                real.display()
            )),
            _ => None,
        };
        if escape.is_none() {
            plan_files.push(PlanFile {
                path: f.path.clone(),
                size: f.size,
                sha256: f.lfs_sha256.is_some(),
                git_blob: f.lfs_sha256.is_none(),
                md5: false,
            });
        }
        outside.push(escape);
    }
    let plan = HashPlan::new(plan_files);
    let report = engine::run(root, &plan, progress)?;
    let mut reports = report.files.iter();
    let mut files = Vec::new();
    for (f, escape) in listing.files.iter().zip(outside) {
        let (algorithm, expected) = f.expected();
        let mut c = FileCheck {
            path: f.path.clone(),
            verdict: FileVerdict::Unreadable,
            expected_size: f.size,
            actual_size: None,
            algorithm: Some(algorithm),
            expected: Some(expected.to_string()),
            actual: None,
            note: escape.clone(),
        };
        if escape.is_none() {
            // The plan holds the listed files in order, minus the escapes.
            let r = reports
                .next()
                .ok_or_else(|| Error::HashPlan("the hash engine lost a file".into()))?;
            c.actual_size = r.actual_size;
            c.note = r.error.clone();
            c.actual = match algorithm {
                Algorithm::Sha256 => r.sha256.clone(),
                Algorithm::GitSha1 => r.git_blob_sha1.clone(),
            };
            c.verdict = match r.status {
                FileStatus::Missing => FileVerdict::Missing,
                FileStatus::Short | FileStatus::Long => FileVerdict::WrongSize,
                FileStatus::Unreadable => FileVerdict::Unreadable,
                FileStatus::Ok if r.error.is_some() => FileVerdict::Unreadable,
                FileStatus::Ok => match &c.actual {
                    Some(a) if a.eq_ignore_ascii_case(expected) => FileVerdict::Ok,
                    Some(_) => FileVerdict::HashMismatch,
                    // Never a pass: a file whose digest was not computed
                    // to the end is not checked.
                    None if r.unchecked => FileVerdict::NotChecked,
                    None => FileVerdict::Unreadable,
                },
            };
        }
        files.push(c);
    }
    let listed: HashSet<&str> = listing.files.iter().map(|f| f.path.as_str()).collect();
    for (p, size) in crate::paths::list_files(root)? {
        // Hidden files (a `--local-dir` download's `.cache/`) are not part of
        // a release unless the Hub lists them (`.gitattributes` is checked).
        if listed.contains(p.as_str()) || hidden(&p) {
            continue;
        }
        files.push(FileCheck {
            path: p,
            verdict: FileVerdict::Extra,
            expected_size: size,
            actual_size: Some(size),
            algorithm: None,
            expected: None,
            actual: None,
            note: None,
        });
    }
    let listed_checks = &files[..listing.files.len()];
    let count = |v: FileVerdict| files.iter().filter(|c| c.verdict == v).count();
    let allowed_missing = if allow.missing {
        count(FileVerdict::Missing)
    } else {
        0
    };
    let allowed_extra = if allow.extra {
        count(FileVerdict::Extra)
    } else {
        0
    };
    let tally = Tally {
        present: listed_checks
            .iter()
            .filter(|c| c.verdict != FileVerdict::Missing)
            .count(),
        failures: files.iter().filter(|c| c.verdict.is_failure()).count()
            - allowed_missing
            - allowed_extra,
        // An allowed missing file is still a file of the revision whose
        // bytes nobody checked.
        content_unchecked: count(FileVerdict::NotChecked) + allowed_missing,
    };
    Ok(HfReport {
        repo: listing.repo.clone(),
        revision: listing.revision.clone(),
        dir: root.to_path_buf(),
        files,
        result: Outcome::judge(&tally),
        tally,
        bytes_hashed: report.bytes_hashed,
        allowed_missing,
        allowed_extra,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::github::tree::git_blob_sha1;
    use crate::hf::HubFile;
    use sha2::Digest;

    fn listing(files: &[(&str, &[u8], bool)]) -> Listing {
        Listing {
            repo: "o/r".into(),
            revision: "main".into(),
            pages: 1,
            files: files
                .iter()
                .map(|(p, c, lfs)| HubFile {
                    path: p.to_string(),
                    size: c.len() as u64,
                    git_sha1: git_blob_sha1(c),
                    lfs_sha256: lfs.then(|| hex::encode(sha2::Sha256::digest(c))),
                })
                .collect(),
        }
    }

    #[test]
    fn digests_decide_and_escaping_links_are_not_read() {
        let t = tempfile::tempdir().unwrap();
        let root = t.path().join("r");
        std::fs::create_dir(&root).unwrap();
        std::fs::write(root.join("a.txt"), b"hello").unwrap();
        std::fs::write(root.join("w.bin"), b"weights!").unwrap();
        std::fs::write(t.path().join("secret"), b"elsewhere").unwrap();
        std::os::unix::fs::symlink(t.path().join("secret"), root.join("s.bin")).unwrap();
        let l = listing(&[
            ("a.txt", b"hello", false),
            ("s.bin", b"elsewhere", true),
            ("w.bin", b"weights!", true),
        ]);
        let r = check(&l, &root, &root, Allow::default(), &|_| {}).unwrap();
        let v: Vec<_> = r.files.iter().map(|f| f.verdict).collect();
        assert_eq!(
            v,
            [FileVerdict::Ok, FileVerdict::Unreadable, FileVerdict::Ok]
        );
        assert_eq!(r.result, Outcome::Failed);
        let l = listing(&[("a.txt", b"hellO", false), ("w.bin", b"weights!", true)]);
        std::fs::remove_file(root.join("s.bin")).unwrap();
        let r = check(&l, &root, &root, Allow::default(), &|_| {}).unwrap();
        assert_eq!(r.files[0].verdict, FileVerdict::HashMismatch);
        assert_eq!(r.result, Outcome::Failed);
        let l = listing(&[("a.txt", b"hello", false), ("w.bin", b"weights!", true)]);
        let r = check(&l, &root, &root, Allow::default(), &|_| {}).unwrap();
        assert_eq!(r.result, Outcome::Verified);
    }
}
