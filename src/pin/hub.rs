//! Pinning from the Hugging Face Hub's listing instead of a copy: the Hub
//! publishes every file's size, the SHA-256 of every LFS file and the git
//! blob SHA-1 of the rest, so a manifest holding all of them needs no
//! download. The same rule as for a copy holds: the listing must agree with
//! everything the manifest already says, or nothing is written.

use std::collections::HashMap;

use super::{select, with_files, Contradiction, PinResult, Pinned};
use crate::hf::Listing;
use crate::manifest::{HuggingfaceSource, Manifest};
use crate::{Error, Result};

/// Pins `base` from `listing`, which must be of `commit` (a revision that
/// cannot move, so the record says what it is of).
///
/// `base` with an empty file list takes every file the Hub lists, hidden
/// ones (`.gitattributes`) aside; otherwise exactly the listed files, under
/// the same file-set rule as a copy.
pub fn pin(listing: &Listing, commit: &str, base: &Manifest) -> Result<PinResult> {
    let root = format!("huggingface.co/{}@{commit}", listing.repo);
    let source = format!(
        "the Hugging Face Hub's LFS oid of {} at commit {commit}",
        listing.repo
    );
    let found = listing
        .files
        .iter()
        .map(|f| (f.path.clone(), f.size))
        .collect();
    let (entries, ignored) = match select(base, found) {
        Ok(selected) => selected,
        Err(contradictions) => {
            return Ok(PinResult::Refused {
                root,
                contradictions,
            })
        }
    };
    if entries.is_empty() {
        return Err(Error::NothingToPin { dir: root.into() });
    }

    let by_path: HashMap<&str, &crate::hf::HubFile> =
        listing.files.iter().map(|f| (f.path.as_str(), f)).collect();
    let mut contradictions = Vec::new();
    let mut files = Vec::with_capacity(entries.len());
    let (mut confirmed, mut added, mut git_sha1_added) = (0, 0, 0);
    for entry in entries.iter() {
        let hub = by_path.get(entry.path.as_str()).ok_or_else(|| {
            Error::HashPlan(format!("{} left the listing while pinning", entry.path))
        })?;
        let mut pinned = entry.clone();
        let mut differs = |algorithm, manifest: &str, hub: &str| {
            contradictions.push(Contradiction::Digest {
                algorithm,
                path: entry.path.clone(),
                manifest: manifest.to_ascii_lowercase(),
                found: hub.to_string(),
                found_in: "the Hub",
            })
        };
        match (&hub.lfs_sha256, &entry.sha256) {
            (Some(hub_sha), Some(want)) if want.eq_ignore_ascii_case(hub_sha) => confirmed += 1,
            (Some(hub_sha), Some(want)) => differs("SHA-256", want, hub_sha),
            (Some(hub_sha), None) => {
                pinned.sha256 = Some(hub_sha.clone());
                pinned.sha256_source = Some(source.clone());
                added += 1;
            }
            // A file outside LFS: git's blob SHA-1 of its content is the
            // Hub's digest. (For an LFS file it is the pointer's, which says
            // nothing about the content, so it is not recorded.)
            (None, _) => match &entry.git_sha1 {
                Some(want) if want.eq_ignore_ascii_case(&hub.git_sha1) => confirmed += 1,
                Some(want) => differs("git SHA-1", want, &hub.git_sha1),
                None => {
                    pinned.git_sha1 = Some(hub.git_sha1.clone());
                    git_sha1_added += 1;
                }
            },
        }
        files.push(pinned);
    }
    if !contradictions.is_empty() {
        return Ok(PinResult::Refused {
            root,
            contradictions,
        });
    }
    let bytes = files.iter().map(|f| f.size).sum();
    let mut sources = base.sources.clone();
    sources.huggingface = Some(HuggingfaceSource {
        repo: listing.repo.clone(),
        revision: commit.to_string(),
    });
    let manifest = with_files(base, files, sources);
    Ok(PinResult::Pinned(Box::new(Pinned {
        files: manifest.files.len(),
        manifest,
        root,
        bytes,
        confirmed,
        added,
        git_sha1_added,
        structure_checked: None,
        ignored,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hf::HubFile;
    use crate::manifest::FileEntry;

    fn listing() -> Listing {
        let file = |path: &str, size, lfs: Option<char>| HubFile {
            path: path.into(),
            size,
            git_sha1: "1".repeat(40),
            lfs_sha256: lfs.map(|c| c.to_string().repeat(64)),
        };
        Listing {
            repo: "o/r".into(),
            revision: "c".repeat(40),
            files: vec![
                file(".gitattributes", 10, None),
                file("README.md", 5, None),
                file("w/model.safetensors", 1000, Some('a')),
            ],
            pages: 1,
        }
    }

    #[test]
    fn a_bare_manifest_takes_every_visible_file_with_its_digest() {
        let commit = "c".repeat(40);
        let PinResult::Pinned(p) = pin(&listing(), &commit, &Manifest::local("t")).unwrap() else {
            panic!("refused")
        };
        assert_eq!(
            (p.files, p.added, p.git_sha1_added, p.bytes),
            (2, 1, 1, 1005)
        );
        assert_eq!(p.ignored, [".gitattributes"]);
        let f = &p.manifest.files;
        assert_eq!(f[0].git_sha1.as_deref(), Some("1".repeat(40).as_str()));
        assert_eq!(f[0].sha256, None);
        assert_eq!(f[1].sha256.as_deref(), Some("a".repeat(64).as_str()));
        let hf = p.manifest.sources.huggingface.as_ref().unwrap();
        assert_eq!(
            (hf.repo.as_str(), hf.revision.as_str()),
            ("o/r", commit.as_str())
        );
    }

    #[test]
    fn a_listing_that_contradicts_the_manifest_is_refused() {
        let mut base = Manifest::local("t");
        base.files = vec![
            FileEntry {
                path: "w/model.safetensors".into(),
                size: 1000,
                sha256: Some("b".repeat(64)),
                ..FileEntry::default()
            },
            FileEntry {
                path: "w/other.safetensors".into(),
                size: 1,
                ..FileEntry::default()
            },
        ];
        let Ok(PinResult::Refused { contradictions, .. }) = pin(&listing(), "c", &base) else {
            panic!("pinned")
        };
        assert_eq!(contradictions.len(), 1, "{contradictions:?}");
        base.files.pop();
        let Ok(PinResult::Refused { contradictions, .. }) = pin(&listing(), "c", &base) else {
            panic!("pinned")
        };
        assert!(matches!(
            &contradictions[..],
            [Contradiction::Digest {
                algorithm: "SHA-256",
                ..
            }]
        ));
    }
}
