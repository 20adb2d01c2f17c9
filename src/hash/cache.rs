//! The verification cache: results of earlier runs, reused for files that
//! have not changed, so re-verifying an unchanged tree costs a `stat` per
//! file instead of reading gigabytes.
//!
//! Location: `$XDG_CACHE_HOME/weightcheck/hash-<id>.json` (or
//! `~/.cache/weightcheck/...`), where `<id>` is derived from the canonical
//! root path. It lives outside the verified directory on purpose: that
//! directory may be read-only, and an extra file in it would change what
//! "every file in DIR" means.
//!
//! What is stored and why it is safe to reuse:
//! - per file: size, mtime and ctime (ns), inode and device at the time it
//!   was hashed,
//!   with the digests computed then (SHA-256, git blob SHA-1). Digests are
//!   stored rather than verdicts, so a new manifest with different expected
//!   values is still checked against the real content.
//! - per file being hashed when the cache was last written: how far it had
//!   got and the serialised hasher states, so an interrupted run (Ctrl-C)
//!   continues each file where it stopped instead of from byte 0.
//! - per piece set (piece length + file list + expected piece hashes, which
//!   is what an info-hash pins): which pieces passed, and the fingerprints
//!   of the files at that time. A piece is reused only if every file it
//!   touches still has the same fingerprint.
//!
//! Files modified less than [`RACY_WINDOW_NS`] before a run started are
//! never recorded: a write in the same timestamp tick as our `stat` could
//! otherwise leave the size and mtime unchanged (git's "racy clean" problem).
//! The file is written to a temporary name and renamed over the old one, so
//! an interrupted run leaves either the old or the new cache, never a torn
//! one; a corrupt or unreadable cache is ignored, never fatal.
//!
//! What the cache guards against, and what not: it is for accidents and
//! stale state — a file rewritten, truncated, replaced or edited in place
//! since it was hashed changes its size, mtime, ctime or inode, and is read
//! again. ctime is in the fingerprint because it cannot be set back from
//! user space (`touch -d` restores an mtime, not a ctime). The cache file
//! carries a SHA-256 of its own content, so a torn, corrupted or hand-edited
//! cache is discarded with a warning instead of believed. It does not guard
//! against someone who can write both the data and the cache file (they can
//! recompute the checksum): `--no-cache` or `--full` re-reads everything,
//! and `seed` re-reads unless told `--trust-cache`.

use std::collections::BTreeMap;
use std::fs::Metadata;
use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Files changed this recently (nanoseconds) before a run are not cached.
pub const RACY_WINDOW_NS: i64 = 2_000_000_000;

/// Piece sets remembered per root (most recently used kept).
const MAX_PIECE_SETS: usize = 8;

const VERSION: u32 = 2;

/// What identifies a file's content without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    /// Size in bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the epoch.
    pub mtime_ns: i64,
    /// Status change time, nanoseconds since the epoch (moves on every
    /// write and cannot be set back by the file's owner).
    pub ctime_ns: i64,
    /// Inode number.
    pub ino: u64,
    /// Device number.
    pub dev: u64,
}

impl Fingerprint {
    /// The fingerprint of a file's metadata.
    pub fn of(meta: &Metadata) -> Self {
        Fingerprint {
            size: meta.size(),
            mtime_ns: meta
                .mtime()
                .saturating_mul(1_000_000_000)
                .saturating_add(meta.mtime_nsec()),
            ctime_ns: meta
                .ctime()
                .saturating_mul(1_000_000_000)
                .saturating_add(meta.ctime_nsec()),
            ino: meta.ino(),
            dev: meta.dev(),
        }
    }

    /// Whether the file was last modified long enough before `run_start_ns`
    /// that a later change must show in the fingerprint.
    pub fn settled(&self, run_start_ns: i64) -> bool {
        self.mtime_ns < run_start_ns.saturating_sub(RACY_WINDOW_NS)
    }
}

/// Cached digests of one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// The file's fingerprint when it was hashed.
    #[serde(flatten)]
    pub fingerprint: Fingerprint,
    /// SHA-256 (hex), if it was computed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// git blob SHA-1 (hex), if it was computed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git_blob_sha1: Option<String>,
}

/// A file hashed part of the way, with hasher states to continue from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartialEntry {
    /// The file's fingerprint when it was being hashed.
    #[serde(flatten)]
    pub fingerprint: Fingerprint,
    /// Bytes hashed so far.
    pub pos: u64,
    /// Serialised SHA-256 state (hex), if SHA-256 was being computed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256_state: Option<String>,
    /// Serialised git blob SHA-1 state (hex), if it was being computed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git_state: Option<String>,
}

/// Cached piece results for one piece set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PieceSetEntry {
    /// Bytes per piece.
    pub piece_length: u64,
    /// Fingerprint of each torrent file when its pieces passed (`None`:
    /// missing or not settled, so no piece touching it counts).
    pub files: Vec<Option<Fingerprint>>,
    /// Bitmap of passed pieces, hex, bit `i % 8` (LSB first) of byte `i / 8`.
    pub passed: String,
    /// Unix seconds of the last run that used this set.
    pub used: u64,
}

impl PieceSetEntry {
    /// Whether piece `i` is marked passed.
    pub fn passed(&self, i: usize) -> bool {
        let Some(pair) = self.passed.get(i / 8 * 2..i / 8 * 2 + 2) else {
            return false;
        };
        u8::from_str_radix(pair, 16).is_ok_and(|b| b & (1 << (i % 8)) != 0)
    }
}

/// Encodes a pass bitmap as stored in [`PieceSetEntry::passed`].
pub fn encode_bitmap(bits: &[bool]) -> String {
    let bytes: Vec<u8> = bits
        .chunks(8)
        .map(|c| {
            c.iter()
                .enumerate()
                .fold(0u8, |b, (i, &on)| b | (u8::from(on) << i))
        })
        .collect();
    hex::encode(bytes)
}

/// The file as stored: the data and the SHA-256 of the data's JSON as
/// weightcheck writes it (maps are sorted, so re-serialising what was read
/// gives the same bytes unless something was changed).
#[derive(Debug, Serialize, Deserialize)]
struct Sealed {
    checksum: String,
    data: CacheData,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct CacheData {
    version: u32,
    root: String,
    files: BTreeMap<String, FileEntry>,
    #[serde(default)]
    partial: BTreeMap<String, PartialEntry>,
    piece_sets: BTreeMap<String, PieceSetEntry>,
}

/// An open cache file for one root.
#[derive(Debug)]
pub struct Cache {
    path: PathBuf,
    data: CacheData,
}

/// Reads a sealed cache file, refusing one whose checksum does not match
/// its data: a corrupt or hand-edited cache must not vouch for anything.
fn unseal(bytes: &[u8]) -> std::result::Result<CacheData, String> {
    let sealed: Sealed =
        serde_json::from_slice(bytes).map_err(|e| format!("corrupt cache ({e})"))?;
    let actual = checksum(&sealed.data).map_err(|e| format!("corrupt cache ({e})"))?;
    if !actual.eq_ignore_ascii_case(&sealed.checksum) {
        return Err("the cache's checksum does not match its content (corrupt or edited)".into());
    }
    Ok(sealed.data)
}

#[derive(Serialize)]
struct SealedRef<'a> {
    checksum: String,
    data: &'a CacheData,
}

fn checksum(data: &CacheData) -> serde_json::Result<String> {
    Ok(hex::encode(Sha256::digest(serde_json::to_string(data)?)))
}

impl Cache {
    /// Where the cache for `root` lives by default, if a cache directory
    /// can be found.
    pub fn default_path(root: &Path) -> Option<PathBuf> {
        let base = std::env::var_os("XDG_CACHE_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
        let canon = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        let id = Sha256::digest(canon.as_os_str().as_encoded_bytes());
        Some(
            base.join("weightcheck")
                .join(format!("hash-{}.json", hex::encode(&id[..12]))),
        )
    }

    /// Opens the cache at `path` for `root`; starts empty if the file is
    /// missing, unreadable, corrupt, from another version or another root.
    /// The second value says why an existing file was ignored.
    pub fn open(path: PathBuf, root: &Path) -> (Self, Option<String>) {
        let root_s = std::fs::canonicalize(root)
            .unwrap_or_else(|_| root.to_path_buf())
            .to_string_lossy()
            .into_owned();
        let fresh = CacheData {
            version: VERSION,
            root: root_s.clone(),
            ..CacheData::default()
        };
        let (data, warning) = match std::fs::read(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (fresh, None),
            Err(e) => (
                fresh,
                Some(format!("{}: {e}; ignoring the cache", path.display())),
            ),
            Ok(bytes) => match unseal(&bytes) {
                Ok(d) if d.version == VERSION && d.root == root_s => (d, None),
                Ok(_) => (fresh, None),
                Err(why) => (
                    fresh,
                    Some(format!(
                        "{}: {why}; discarded, everything is read again",
                        path.display()
                    )),
                ),
            },
        };
        tracing::debug!(
            cache = %path.display(),
            files = data.files.len(),
            "verification cache opened"
        );
        (Cache { path, data }, warning)
    }

    /// The cache file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The cached entry for `rel` if its fingerprint still matches.
    pub fn file(&self, rel: &str, now: &Fingerprint) -> Option<&FileEntry> {
        self.data.files.get(rel).filter(|e| e.fingerprint == *now)
    }

    /// Records digests for `rel`; digests not given are kept from an entry
    /// with the same fingerprint.
    pub fn record_file(
        &mut self,
        rel: &str,
        fingerprint: Fingerprint,
        sha256: Option<String>,
        git_blob_sha1: Option<String>,
    ) {
        let old = self.file(rel, &fingerprint).cloned();
        let entry = FileEntry {
            fingerprint,
            sha256: sha256.or_else(|| old.as_ref().and_then(|o| o.sha256.clone())),
            git_blob_sha1: git_blob_sha1.or_else(|| old.and_then(|o| o.git_blob_sha1)),
        };
        self.data.files.insert(rel.to_string(), entry);
        self.data.partial.remove(rel);
    }

    /// Where an interrupted run left `rel`, if its fingerprint still matches.
    pub fn partial(&self, rel: &str, now: &Fingerprint) -> Option<&PartialEntry> {
        self.data.partial.get(rel).filter(|e| e.fingerprint == *now)
    }

    /// Records how far `rel` has been hashed.
    pub fn record_partial(&mut self, rel: &str, entry: PartialEntry) {
        self.data.partial.insert(rel.to_string(), entry);
    }

    /// The piece set `id`, if known.
    pub fn piece_set(&self, id: &str) -> Option<&PieceSetEntry> {
        self.data.piece_sets.get(id)
    }

    /// Replaces the record of piece set `id`.
    pub fn record_piece_set(&mut self, id: &str, entry: PieceSetEntry) {
        self.data.piece_sets.insert(id.to_string(), entry);
        while self.data.piece_sets.len() > MAX_PIECE_SETS {
            let oldest = self
                .data
                .piece_sets
                .iter()
                .filter(|(k, _)| k.as_str() != id)
                .min_by_key(|(_, e)| e.used)
                .map(|(k, _)| k.clone());
            match oldest {
                Some(k) => self.data.piece_sets.remove(&k),
                None => break,
            };
        }
    }

    /// Writes the cache atomically: a temporary file in the same directory,
    /// then a rename over the old one.
    pub fn save(&self) -> std::io::Result<()> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
        let checksum = checksum(&self.data)?;
        let sealed = SealedRef {
            checksum,
            data: &self.data,
        };
        serde_json::to_writer(std::io::BufWriter::new(tmp.as_file_mut()), &sealed)?;
        tmp.as_file_mut().flush()?;
        tmp.persist(&self.path).map_err(|e| e.error)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fp(mtime_ns: i64) -> Fingerprint {
        Fingerprint {
            size: 10,
            mtime_ns,
            ctime_ns: mtime_ns,
            ino: 7,
            dev: 1,
        }
    }

    #[test]
    fn bitmap_round_trips() {
        let bits: Vec<bool> = (0..19).map(|i| i % 3 == 0).collect();
        let e = PieceSetEntry {
            piece_length: 1,
            files: vec![],
            passed: encode_bitmap(&bits),
            used: 0,
        };
        for (i, &b) in bits.iter().enumerate() {
            assert_eq!(e.passed(i), b, "{i}");
        }
        assert!(!e.passed(1000));
    }

    #[test]
    fn saves_atomically_and_reloads_only_for_same_root() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("sub/cache.json");
        let (mut c, w) = Cache::open(path.clone(), dir.path());
        assert!(w.is_none());
        c.record_file("a", fp(5), Some("aa".into()), None);
        c.record_file("a", fp(5), None, Some("gg".into()));
        c.save().expect("save");
        let (c2, _) = Cache::open(path.clone(), dir.path());
        let e = c2.file("a", &fp(5)).expect("cached");
        assert_eq!(e.sha256.as_deref(), Some("aa"));
        assert_eq!(e.git_blob_sha1.as_deref(), Some("gg"));
        assert!(c2.file("a", &fp(6)).is_none(), "mtime change invalidates");
        let other = tempfile::tempdir().expect("tempdir");
        let (c3, _) = Cache::open(path.clone(), other.path());
        assert!(c3.file("a", &fp(5)).is_none(), "other root starts empty");
        std::fs::write(&path, b"{not json").expect("write");
        let (_, w) = Cache::open(path, dir.path());
        assert!(w.expect("warning").contains("corrupt cache"));
    }

    #[test]
    fn a_changed_ctime_or_an_edited_cache_vouches_for_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("cache.json");
        let (mut c, _) = Cache::open(path.clone(), dir.path());
        c.record_file("a", fp(5), Some("aa".into()), None);
        c.save().expect("save");
        let touched_back = Fingerprint {
            ctime_ns: 9,
            ..fp(5)
        };
        let (c2, w) = Cache::open(path.clone(), dir.path());
        assert_eq!(w, None);
        assert!(c2.file("a", &fp(5)).is_some());
        assert!(
            c2.file("a", &touched_back).is_none(),
            "ctime change invalidates"
        );

        let text = std::fs::read_to_string(&path).expect("read");
        assert!(text.contains("\"aa\""), "{text}");
        std::fs::write(&path, text.replace("\"aa\"", "\"ab\"")).expect("edit");
        let (c3, w) = Cache::open(path, dir.path());
        assert!(
            c3.file("a", &fp(5)).is_none(),
            "an edited cache is discarded"
        );
        let w = w.expect("warning");
        assert!(
            w.ends_with("the cache's checksum does not match its content (corrupt or edited); discarded, everything is read again"),
            "{w}"
        );
    }

    #[test]
    fn settled_uses_racy_window() {
        let now = 10 * RACY_WINDOW_NS;
        assert!(fp(now - RACY_WINDOW_NS - 1).settled(now));
        assert!(!fp(now - 1).settled(now));
    }
}
