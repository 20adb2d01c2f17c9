//! Pinning a trusted copy: recording every file's size and SHA-256 in a
//! manifest, so that later copies can be verified byte by byte instead of
//! by shape (only 18 of Grok-1's 770 SHA-256s are published).
//!
//! A copy is pinned only if it agrees with everything the manifest already
//! says: its file list and sizes, the structure its architecture implies,
//! and any SHA-256 the publisher published. A pin that silently replaced a
//! published digest with a damaged copy's would turn the next `verify` of
//! that damaged copy into a pass.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::io::Write;
use std::path::Path;

use serde::Serialize;

use crate::hash::engine::{self, FileStatus, HashPlan, PlanFile, Progress};
use crate::manifest::{FileEntry, Manifest};
use crate::verify::{self, Located};
use crate::{Error, Result};

pub mod hub;

/// The `sha256_source` of every digest this module computes.
pub const SHA256_SOURCE: &str = "pinned from a trusted copy by `weightcheck manifest pin`";

/// A way the copy disagrees with the manifest it is pinned against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
#[non_exhaustive]
pub enum Contradiction {
    /// A file of the manifest's list is not in the copy.
    Missing {
        /// Release-relative path.
        path: String,
        /// The size the manifest gives.
        size: u64,
    },
    /// A file has another size than the manifest's.
    WrongSize {
        /// Release-relative path.
        path: String,
        /// The manifest's size.
        expected: u64,
        /// The copy's size.
        actual: u64,
    },
    /// A file in one of the release's directories that the manifest does
    /// not list (verify would report it as extra).
    Extra {
        /// Release-relative path.
        path: String,
        /// Its size.
        size: u64,
    },
    /// A file whose decoded structure is not what the architecture expects.
    Structure {
        /// Release-relative path.
        path: String,
        /// verify's verdict on it.
        verdict: String,
        /// What is wrong.
        problems: Vec<String>,
    },
    /// A tensor-level problem no single file explains (by-name checks).
    Tensors {
        /// What is wrong.
        message: String,
    },
    /// The copy's digest is not the one the manifest already has.
    Digest {
        /// `SHA-256`, `MD5` or `git SHA-1`.
        algorithm: &'static str,
        /// Release-relative path.
        path: String,
        /// The manifest's digest.
        manifest: String,
        /// The digest found.
        found: String,
        /// Where: `the copy` or `the Hub`.
        found_in: &'static str,
    },
}

impl fmt::Display for Contradiction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Contradiction::Missing { path, size } => {
                write!(f, "missing: {path} (the manifest lists {size} bytes)")
            }
            Contradiction::WrongSize {
                path,
                expected,
                actual,
            } => write!(
                f,
                "wrong size: {path} is {actual} bytes, the manifest says {expected}"
            ),
            Contradiction::Extra { path, size } => write!(
                f,
                "extra: {path} ({size} bytes) is not in the manifest's file list"
            ),
            Contradiction::Structure {
                path,
                verdict,
                problems,
            } => write!(f, "{verdict}: {path}: {}", problems.join("; ")),
            Contradiction::Tensors { message } => write!(f, "tensors: {message}"),
            Contradiction::Digest {
                algorithm,
                path,
                manifest,
                found,
                found_in,
            } => write!(
                f,
                "{algorithm} differs: {path}: the manifest has {manifest}, {found_in} {found}"
            ),
        }
    }
}

/// A copy that agreed with its manifest, and the manifest pinned from it.
#[derive(Debug, Clone, Serialize)]
pub struct Pinned {
    /// The manifest with every file's size, SHA-256 and source.
    #[serde(skip)]
    pub manifest: Manifest,
    /// What was pinned: the release root the paths are relative to, or the
    /// Hub repository and commit.
    pub root: String,
    /// Files pinned.
    pub files: usize,
    /// Their total size.
    pub bytes: u64,
    /// SHA-256s the manifest already had, confirmed by the copy (their
    /// source is kept: a publisher's digest outranks a pin).
    pub confirmed: usize,
    /// SHA-256s the manifest did not have, taken from the copy.
    pub added: usize,
    /// git blob SHA-1s the manifest did not have (the Hub's digests of
    /// files not in LFS).
    pub git_sha1_added: usize,
    /// Files whose structure was checked against the architecture; `None`
    /// when the manifest has no architecture.
    pub structure_checked: Option<usize>,
    /// Files under the root that are not part of the release: hidden ones
    /// (verify ignores them too) and, with a file list, those outside the
    /// list's directories.
    pub ignored: Vec<String>,
}

/// How pinning ended.
#[derive(Debug, Clone)]
pub enum PinResult {
    /// The copy agreed with the manifest.
    Pinned(Box<Pinned>),
    /// The copy contradicts the manifest; nothing may be written.
    Refused {
        /// The release root examined, or the Hub repository and commit.
        root: String,
        /// Every contradiction found by the first check that found any.
        contradictions: Vec<Contradiction>,
    },
}

/// Pins the copy in `dir` against `base`: the file set and sizes first, then
/// structure (when `base` has an architecture), then every byte's SHA-256.
/// Each stage runs only if the previous found nothing, so a copy that is
/// plainly wrong is refused before hours of hashing.
///
/// `base` with an empty file list (a names-only or local manifest) takes
/// every file under the root; otherwise exactly the listed files.
pub fn pin(dir: &Path, base: &Manifest, progress: &(dyn Fn(Progress) + Sync)) -> Result<PinResult> {
    let located = Located::at(dir, base)?;
    let root_dir = located.root.clone();
    let root = root_dir.display().to_string();
    let on_disk = crate::paths::list_files(&root_dir)?;
    // The listed files are read where they are: the pinned list is the one
    // copy made.
    let (entries, ignored) = match select(base, on_disk) {
        Ok(selected) => selected,
        Err(contradictions) => {
            return Ok(PinResult::Refused {
                root,
                contradictions,
            })
        }
    };
    if entries.is_empty() {
        return Err(Error::NothingToPin { dir: root_dir });
    }

    let structure_checked = match &base.architecture {
        Some(_) => {
            let (checked, contradictions) = check_structure(base, &located)?;
            if !contradictions.is_empty() {
                return Ok(PinResult::Refused {
                    root,
                    contradictions,
                });
            }
            Some(checked)
        }
        None => None,
    };

    // The verification cache is not used: a pin vouches for every byte, so
    // every byte is read now rather than trusted from an earlier run.
    let plan = HashPlan::new(
        entries
            .iter()
            .map(|e| PlanFile {
                // The manifest's other digests are held against the same
                // read: a pin must not add a SHA-256 of bytes they refute.
                md5: e.md5.is_some(),
                git_blob: e.git_sha1.is_some(),
                ..PlanFile::sha256(e.path.clone(), e.size)
            })
            .collect(),
    );
    let report = engine::run(&root_dir, &plan, progress)?;
    let digests: HashMap<&str, &engine::FileReport> =
        report.files.iter().map(|f| (f.path.as_str(), f)).collect();

    let mut contradictions = Vec::new();
    let mut files = Vec::with_capacity(entries.len());
    let (mut confirmed, mut added) = (0, 0);
    for entry in entries.iter() {
        let got = digests
            .get(entry.path.as_str())
            .ok_or_else(|| Error::NotHashed {
                path: entry.path.clone(),
                why: "not in the hash report".into(),
            })?;
        let actual = match (&got.status, &got.error, &got.sha256) {
            (FileStatus::Ok, None, Some(h)) => h.to_ascii_lowercase(),
            (status, error, _) => {
                return Err(Error::NotHashed {
                    path: entry.path.clone(),
                    why: error.clone().unwrap_or_else(|| match status {
                        FileStatus::Missing => "it disappeared while being pinned".into(),
                        FileStatus::Short | FileStatus::Long => format!(
                            "its size changed while being pinned ({} bytes, then {})",
                            entry.size,
                            got.actual_size.map_or("unknown".into(), |s| s.to_string())
                        ),
                        _ => "unreadable".into(),
                    }),
                })
            }
        };
        let others = [
            ("MD5", &entry.md5, &got.md5),
            ("git SHA-1", &entry.git_sha1, &got.git_blob_sha1),
        ];
        for (algorithm, want, copy) in others {
            if let Some(want) = want {
                let copy = copy.clone().unwrap_or_else(|| "not computed".into());
                if !want.eq_ignore_ascii_case(&copy) {
                    contradictions.push(Contradiction::Digest {
                        algorithm,
                        path: entry.path.clone(),
                        manifest: want.to_ascii_lowercase(),
                        found: copy,
                        found_in: "the copy",
                    });
                }
            }
        }
        let source = match &entry.sha256 {
            Some(want) if want.eq_ignore_ascii_case(&actual) => {
                confirmed += 1;
                entry.sha256_source.clone()
            }
            Some(want) => {
                contradictions.push(Contradiction::Digest {
                    algorithm: "SHA-256",
                    path: entry.path.clone(),
                    manifest: want.to_ascii_lowercase(),
                    found: actual.clone(),
                    found_in: "the copy",
                });
                continue;
            }
            None => {
                added += 1;
                Some(SHA256_SOURCE.to_string())
            }
        };
        files.push(FileEntry {
            path: entry.path.clone(),
            size: entry.size,
            sha256: Some(actual),
            sha256_source: source,
            // Published digests stay: pinning adds SHA-256s, it drops nothing.
            md5: entry.md5.clone(),
            git_sha1: entry.git_sha1.clone(),
        });
    }
    if !contradictions.is_empty() {
        return Ok(PinResult::Refused {
            root,
            contradictions,
        });
    }

    let bytes = files.iter().map(|f| f.size).sum();
    let manifest = with_files(base, files, base.sources.clone());
    Ok(PinResult::Pinned(Box::new(Pinned {
        files: manifest.files.len(),
        manifest,
        root,
        bytes,
        confirmed,
        added,
        git_sha1_added: 0,
        structure_checked,
        ignored,
    })))
}

/// Whether any component of a release-relative path is hidden.
fn is_hidden(path: &str) -> bool {
    path.split('/').any(|c| c.starts_with('.'))
}

/// The files to pin, and the paths passed over.
type Selected<'a> = (Cow<'a, [FileEntry]>, Vec<String>);

/// The files to pin out of `found` (path, size), and the ones passed over,
/// sorted: hidden ones always (verify ignores them too); with no list in
/// `base` every other file, else exactly `base`'s list, which must agree
/// with what was found ([`check_file_set`]) or its contradictions are
/// returned.
fn select(
    base: &Manifest,
    found: Vec<(String, u64)>,
) -> std::result::Result<Selected<'_>, Vec<Contradiction>> {
    let (visible, hidden): (Vec<_>, Vec<_>) = found.into_iter().partition(|(p, _)| !is_hidden(p));
    let mut ignored: Vec<String> = hidden.into_iter().map(|(p, _)| p).collect();
    let entries = if base.files.is_empty() {
        Cow::Owned(
            visible
                .into_iter()
                .map(|(path, size)| FileEntry {
                    path,
                    size,
                    ..FileEntry::default()
                })
                .collect(),
        )
    } else {
        let contradictions = check_file_set(&base.files, visible, &mut ignored);
        if !contradictions.is_empty() {
            return Err(contradictions);
        }
        Cow::Borrowed(&base.files[..])
    };
    ignored.sort();
    Ok((entries, ignored))
}

/// Everything of `base` but its file list and sources, which `files` and
/// `sources` replace (a clone of `base` would copy the list once more).
fn with_files(
    base: &Manifest,
    files: Vec<FileEntry>,
    sources: crate::manifest::Sources,
) -> Manifest {
    Manifest {
        release: base.release.clone(),
        architecture: base.architecture.clone(),
        claims: base.claims.clone(),
        sources,
        files,
        listed_files: base.listed_files.clone(),
        components: base.components.clone(),
        licenses: base.licenses.clone(),
        raters: base.raters.clone(),
    }
}

/// Compares the copy's files with the manifest's list the way verify does:
/// every listed file present with its size, and nothing unlisted in the
/// directories the list uses. Files elsewhere go to `ignored`.
fn check_file_set(
    listed: &[FileEntry],
    on_disk: Vec<(String, u64)>,
    ignored: &mut Vec<String>,
) -> Vec<Contradiction> {
    let sizes: HashMap<&str, u64> = on_disk.iter().map(|(p, s)| (p.as_str(), *s)).collect();
    let mut out = Vec::new();
    for f in listed {
        match sizes.get(f.path.as_str()) {
            None => out.push(Contradiction::Missing {
                path: f.path.clone(),
                size: f.size,
            }),
            Some(&actual) if actual != f.size => out.push(Contradiction::WrongSize {
                path: f.path.clone(),
                expected: f.size,
                actual,
            }),
            Some(_) => {}
        }
    }
    let names: BTreeSet<&str> = listed.iter().map(|f| f.path.as_str()).collect();
    let dirs: BTreeSet<&str> = listed.iter().map(|f| parent(&f.path)).collect();
    for (path, size) in &on_disk {
        if names.contains(path.as_str()) {
            continue;
        }
        if dirs.contains(parent(path)) {
            out.push(Contradiction::Extra {
                path: path.clone(),
                size: *size,
            });
        } else {
            ignored.push(path.clone());
        }
    }
    out
}

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

/// verify's structure check without hashing; returns how many files it
/// checked and every file it did not pass.
fn check_structure(base: &Manifest, located: &Located) -> Result<(usize, Vec<Contradiction>)> {
    /// Keeps the failing files only: a row per listed file is not needed.
    struct Failing(Vec<Contradiction>);
    impl verify::Rows for Failing {
        type Error = Error;
        fn begin(&mut self, _: verify::Widest) -> Result<()> {
            Ok(())
        }
        fn row(&mut self, f: verify::FileResult) -> Result<()> {
            if f.verdict.is_failure() {
                self.0.push(Contradiction::Structure {
                    path: f.path,
                    verdict: f.verdict.to_string(),
                    problems: f.problems,
                });
            }
            Ok(())
        }
    }
    let opts = verify::Options::default();
    let mut failing = Failing(Vec::new());
    let report = verify::verify_each(base, located, &opts, &|_| {}, &mut failing)?;
    let mut out = failing.0;
    out.extend(report.findings.iter().map(|f| Contradiction::Tensors {
        message: f.to_string(),
    }));
    Ok((report.summary.present, out))
}

/// The manifest as TOML, with a header saying where its digests come from.
/// The text is parsed back, so what this returns always loads.
pub fn to_toml(pinned: &Pinned) -> Result<String> {
    let body = toml::to_string(&pinned.manifest).map_err(Error::ManifestToml)?;
    let header = format!(
        "# Manifest of {}: sizes and SHA-256s of {} files pinned from a trusted\n\
         # copy by `weightcheck manifest pin` ({} SHA-256s confirmed, {} added).\n\n",
        pinned.manifest.release.name, pinned.files, pinned.confirmed, pinned.added
    );
    let text = header + &body;
    Manifest::from_toml(&text, "the pinned manifest")?;
    Ok(text)
}

/// Writes `text` (from [`to_toml`], which has parsed it back) to `path`
/// atomically: a temporary file beside it, renamed over `path`. An
/// interrupted or failed write leaves any earlier file at `path` as it was.
pub fn write_atomically(text: &str, path: &Path) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".weightcheck-pin-")
        .suffix(".toml")
        .tempfile_in(dir)
        .map_err(|e| Error::io(dir, e))?;
    tmp.write_all(text.as_bytes())
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| Error::io(tmp.path(), e))?;
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, size: u64) -> FileEntry {
        FileEntry {
            path: path.into(),
            size,
            ..FileEntry::default()
        }
    }

    #[test]
    fn file_set_reports_missing_wrong_size_and_extra_and_ignores_other_directories() {
        let listed = [
            entry("ckpt-0/a", 1),
            entry("ckpt-0/b", 2),
            entry("ckpt-0/c", 3),
        ];
        let on_disk = vec![
            ("ckpt-0/a".to_string(), 1),
            ("ckpt-0/b".to_string(), 5),
            ("ckpt-0/z".to_string(), 7),
            ("README.md".to_string(), 9),
        ];
        let mut ignored = Vec::new();
        let got = check_file_set(&listed, on_disk, &mut ignored);
        assert_eq!(
            got.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
            [
                "wrong size: ckpt-0/b is 5 bytes, the manifest says 2",
                "missing: ckpt-0/c (the manifest lists 3 bytes)",
                "extra: ckpt-0/z (7 bytes) is not in the manifest's file list",
            ]
        );
        assert_eq!(ignored, ["README.md"]);
    }

    #[test]
    fn hidden_means_any_component() {
        assert!(is_hidden(".git/config"));
        assert!(is_hidden("a/.cache/b"));
        assert!(!is_hidden("ckpt-0/tensor00000_000"));
    }
}
