//! Git blob SHA-1s and the comparison of a repository's files with the
//! `[[sources.github.file]]` list of a manifest.

use std::collections::BTreeMap;
use std::io::Read;

use serde::Serialize;
use sha1::{Digest, Sha1};

use crate::manifest::GitFile;

/// One file of a tree as read from GitHub or from disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TreeEntry {
    /// `/`-separated path from the repository root.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// Git blob SHA-1, lowercase hex.
    pub git_sha1: String,
}

/// The git blob SHA-1 of `content`: SHA-1 over `blob <len>\0` and the bytes,
/// which is what git stores as the file's object id.
pub fn git_blob_sha1(content: &[u8]) -> String {
    let mut h = Sha1::new();
    h.update(format!("blob {}\0", content.len()).as_bytes());
    h.update(content);
    hex::encode(h.finalize())
}

/// The git blob SHA-1 of `len` bytes read from `reader`; fails if the reader
/// yields a different number of bytes, since the header already committed
/// to `len`.
pub fn git_blob_sha1_reader(len: u64, mut reader: impl Read) -> std::io::Result<String> {
    let mut h = Sha1::new();
    h.update(format!("blob {len}\0").as_bytes());
    let mut buf = vec![0u8; 1 << 20];
    let mut seen = 0u64;
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        seen += n as u64;
        h.update(&buf[..n]);
    }
    if seen != len {
        return Err(std::io::Error::other(format!(
            "file changed while being hashed: expected {len} bytes, read {seen}"
        )));
    }
    Ok(hex::encode(h.finalize()))
}

/// A file whose size or SHA-1 differs from the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangedFile {
    /// Path from the repository root.
    pub path: String,
    /// Size in the manifest.
    pub expected_size: u64,
    /// Size found.
    pub actual_size: u64,
    /// Git blob SHA-1 in the manifest.
    pub expected_sha1: String,
    /// Git blob SHA-1 found.
    pub actual_sha1: String,
}

/// How a tree compares with a manifest's file list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TreeComparison {
    /// Files that match in path, size and SHA-1.
    pub matched: Vec<String>,
    /// Files present on both sides with different content.
    pub changed: Vec<ChangedFile>,
    /// Files in the manifest but not in the tree.
    pub missing: Vec<TreeEntry>,
    /// Files in the tree but not in the manifest.
    pub extra: Vec<TreeEntry>,
}

impl TreeComparison {
    /// Whether the tree is exactly what the manifest lists.
    pub fn is_ok(&self) -> bool {
        self.changed.is_empty() && self.missing.is_empty() && self.extra.is_empty()
    }
}

/// Compares `actual` with the manifest's `expected` files, path by path.
pub fn compare_trees(expected: &[GitFile], actual: &[TreeEntry]) -> TreeComparison {
    let found: BTreeMap<&str, &TreeEntry> = actual.iter().map(|e| (e.path.as_str(), e)).collect();
    let wanted: BTreeMap<&str, &GitFile> = expected.iter().map(|f| (f.path.as_str(), f)).collect();
    let mut cmp = TreeComparison::default();
    for (path, want) in &wanted {
        match found.get(path) {
            None => cmp.missing.push(TreeEntry {
                path: want.path.clone(),
                size: want.size,
                git_sha1: want.git_sha1.to_ascii_lowercase(),
            }),
            Some(got) => {
                if got.size == want.size && got.git_sha1.eq_ignore_ascii_case(&want.git_sha1) {
                    cmp.matched.push(path.to_string());
                } else {
                    cmp.changed.push(ChangedFile {
                        path: path.to_string(),
                        expected_size: want.size,
                        actual_size: got.size,
                        expected_sha1: want.git_sha1.to_ascii_lowercase(),
                        actual_sha1: got.git_sha1.clone(),
                    });
                }
            }
        }
    }
    for (path, got) in &found {
        if !wanted.contains_key(path) {
            cmp.extra.push((*got).clone());
        }
    }
    cmp
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gf(path: &str, content: &[u8]) -> GitFile {
        GitFile {
            path: path.into(),
            size: content.len() as u64,
            git_sha1: git_blob_sha1(content),
            sha256: None,
        }
    }

    fn te(path: &str, content: &[u8]) -> TreeEntry {
        TreeEntry {
            path: path.into(),
            size: content.len() as u64,
            git_sha1: git_blob_sha1(content),
        }
    }

    #[test]
    fn blob_sha1_matches_git() {
        // `git hash-object /dev/null` and `printf 'hello\n' | git hash-object --stdin`.
        assert_eq!(
            git_blob_sha1(b""),
            "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"
        );
        assert_eq!(
            git_blob_sha1(b"hello\n"),
            "ce013625030ba8dba906f756967f9e9ca394464a"
        );
        assert_eq!(
            git_blob_sha1_reader(6, &b"hello\n"[..]).unwrap(),
            "ce013625030ba8dba906f756967f9e9ca394464a"
        );
        assert!(git_blob_sha1_reader(7, &b"hello\n"[..]).is_err());
    }

    #[test]
    fn finds_missing_extra_changed() {
        let expected = vec![gf("a", b"1"), gf("b/c", b"2"), gf("d", b"3")];
        let actual = vec![te("a", b"1"), te("b/c", b"two"), te("e", b"4")];
        let cmp = compare_trees(&expected, &actual);
        assert_eq!(cmp.matched, vec!["a"]);
        assert_eq!(cmp.changed.len(), 1);
        assert_eq!(cmp.changed[0].path, "b/c");
        assert_eq!(cmp.changed[0].expected_size, 1);
        assert_eq!(cmp.changed[0].actual_size, 3);
        assert_eq!(cmp.missing[0].path, "d");
        assert_eq!(cmp.extra[0].path, "e");
        assert!(!cmp.is_ok());
        assert!(compare_trees(&expected[..1], &actual[..1]).is_ok());
    }
}
