//! BitTorrent metainfo (`.torrent`) files. v1 torrents are read for
//! verification; v2 and hybrid v1+v2 torrents (BEP 52) are read for showing
//! only, since their v2 piece layers (per-file Merkle trees) are not checked.
//!
//! Everything that later becomes a filesystem path is sanitised here, once,
//! so no caller can be led outside the directory it verifies: a hostile
//! torrent with `..`, an absolute path or a separator hidden inside a
//! component is refused, not "cleaned up".

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

use super::InfoHash;
use crate::paths::check_component;
use sha1::{Digest, Sha1};

use super::bencode::{self, Value};
use crate::{Error, Result};

/// Largest piece length accepted. Real torrents use 16 KiB..64 MiB; a
/// bigger value is far more likely an attack on a reader's memory.
pub const MAX_PIECE_LENGTH: u64 = 1 << 30;

/// Largest .torrent file read from disk.
pub const MAX_TORRENT_FILE: u64 = 256 << 20;

/// A parsed, validated BitTorrent v1 torrent.
#[derive(Debug, Clone, Serialize)]
pub struct Metainfo {
    /// The suggested name: the top directory (multi-file) or the file name.
    pub name: String,
    /// Bytes per piece (the last piece may be shorter).
    pub piece_length: u64,
    /// Expected SHA-1 of every piece, in order.
    #[serde(skip)]
    pub pieces: PieceHashes,
    /// The files, in torrent order. Paths are relative to the directory
    /// `name` for a multi-file torrent; a single-file torrent has one file
    /// whose path is `[name]`, relative to the directory holding it.
    pub files: Vec<TorrentFile>,
    /// Whether the torrent is single-file (no `files` list).
    pub single_file: bool,
    /// The `private` flag (BEP 27).
    pub private: bool,
    /// Tracker URLs from `announce` and `announce-list`, deduplicated.
    pub trackers: Vec<String>,
    /// The free-text `comment`, if any.
    pub comment: Option<String>,
    /// The `created by` field, if any.
    pub created_by: Option<String>,
    /// v1, hybrid v1+v2, or v2 only.
    pub version: Version,
    /// SHA-256 of the info dictionary (v2 and hybrid torrents), in hex.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub info_hash_v2: Option<String>,
    info_hash: InfoHash,
}

/// Which BitTorrent protocol versions a torrent's info dictionary serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Version {
    /// BEP 3: SHA-1 pieces over the concatenated files.
    V1,
    /// BEP 52 hybrid: v1 pieces (with BEP 47 padding files) and v2 piece layers.
    Hybrid,
    /// BEP 52 only: a file tree and per-file SHA-256 Merkle roots.
    V2,
}

/// The expected SHA-1 of every piece, 20 bytes each.
///
/// They are most of a torrent's bytes (100 MB for 5 million pieces), so
/// they stay where the .torrent was read into and clones share them: a
/// copy per holder (metainfo, hash plan) doubled the memory of a run.
#[derive(Clone, Default)]
pub struct PieceHashes {
    buf: Arc<Vec<u8>>,
    /// Where the hashes start in `buf`.
    start: usize,
    count: usize,
}

impl PieceHashes {
    /// Number of pieces.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether there are no pieces.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The hash of piece `i`, if there is such a piece.
    pub fn get(&self, i: usize) -> Option<&[u8; 20]> {
        if i >= self.count {
            return None;
        }
        let at = self.start + i * 20;
        self.buf.get(at..at + 20)?.try_into().ok()
    }

    /// All hashes, concatenated (the `pieces` string of the info dictionary).
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[self.start..self.start + self.count * 20]
    }
}

impl From<Vec<[u8; 20]>> for PieceHashes {
    fn from(v: Vec<[u8; 20]>) -> Self {
        PieceHashes {
            count: v.len(),
            buf: Arc::new(v.as_flattened().to_vec()),
            start: 0,
        }
    }
}

impl PartialEq for PieceHashes {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for PieceHashes {}

impl std::fmt::Debug for PieceHashes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Millions of hashes make a debug print unreadable, not more useful.
        write!(f, "PieceHashes({} pieces)", self.count)
    }
}

/// One file of a torrent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TorrentFile {
    /// Sanitised path components.
    pub path: Vec<String>,
    /// Length in bytes.
    pub length: u64,
    /// A BEP 47 padding file (hybrid torrents): zeros that align the next
    /// file to a piece boundary, not part of the content.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub padding: bool,
}

impl TorrentFile {
    /// The path with `/` separators, relative to the content root.
    pub fn relative_path(&self) -> String {
        self.path.join("/")
    }
}

impl Metainfo {
    /// A magnet link for this torrent (info-hashes, name, trackers).
    pub fn magnet_link(&self) -> String {
        let mut s = String::from("magnet:?");
        if self.version != Version::V2 {
            s.push_str(&format!("xt=urn:btih:{}&", self.info_hash_hex()));
        }
        if let Some(v2) = &self.info_hash_v2 {
            // BEP 52 / BEP 9: a multihash, 0x12 (SHA-256) of 0x20 bytes.
            s.push_str(&format!("xt=urn:btmh:1220{v2}&"));
        }
        s.push_str(&format!("dn={}", crate::percent::component(&self.name)));
        for t in &self.trackers {
            s.push_str("&tr=");
            s.push_str(&crate::percent::component(t));
        }
        s
    }

    /// Where this torrent's content is, given a path a person named: for a
    /// single-file torrent the directory holding the file (or the file
    /// itself); for a multi-file torrent the directory named after the
    /// torrent inside `given` when it holds the first file (or `given` does
    /// not and it exists), else `given` itself. `hash`, `torrent verify`
    /// and `seed` all use this rule.
    pub fn content_root(&self, given: &Path) -> PathBuf {
        if self.single_file {
            if given.is_file() {
                return given
                    .parent()
                    .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
            }
            return given.to_path_buf();
        }
        let Some(first) = self.files.first() else {
            return given.to_path_buf();
        };
        let named = given.join(&self.name);
        if join_under(&named, &first.path).exists()
            || (!join_under(given, &first.path).exists() && named.is_dir())
        {
            named
        } else {
            given.to_path_buf()
        }
    }

    /// Reads and validates a v1 .torrent file, to verify content against.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let bytes = crate::paths::read_limited(path, MAX_TORRENT_FILE)?;
        Self::parse(Arc::new(bytes), path, false)
    }

    /// Reads a .torrent file of any version, to be shown, never verified
    /// against: a v2-only torrent has no v1 pieces at all.
    pub fn from_file_to_show(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let bytes = crate::paths::read_limited(path, MAX_TORRENT_FILE)?;
        Self::parse(Arc::new(bytes), path, true)
    }

    /// Validates a v1 .torrent held in memory.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        Self::parse(Arc::new(bytes.to_vec()), Path::new("<torrent>"), false)
    }

    /// The SHA-1 of the exact bytes of the info dictionary.
    pub fn info_hash(&self) -> InfoHash {
        self.info_hash
    }

    /// [`Metainfo::info_hash`] in lower-case hex, as in magnet links.
    pub fn info_hash_hex(&self) -> String {
        self.info_hash.to_string()
    }

    /// Sum of all file lengths.
    pub fn total_length(&self) -> u64 {
        // Cannot overflow: checked when parsing.
        self.files.iter().map(|f| f.length).sum()
    }

    /// The piece map of this torrent's byte stream.
    pub fn piece_map(&self) -> super::pieces::PieceMap {
        super::pieces::PieceMap::new(
            self.piece_length,
            self.files.iter().map(|f| f.length).collect(),
        )
    }

    /// Parses `buf`, which the result keeps for its piece hashes.
    fn parse(buf: Arc<Vec<u8>>, origin: &Path, any_version: bool) -> Result<Self> {
        let bytes: &[u8] = &buf;
        let root = bencode::decode(bytes)
            .map_err(|e| Error::format(origin, e.offset as u64, e.message))?;
        let p = Parser { origin };
        let info = p.field(&root, "info", "the top level")?;
        if info.as_dict().is_none() {
            return Err(p.at(info, "'info' is not a dictionary"));
        }
        let version = match (
            info.get("meta version").is_some() || info.get("file tree").is_some(),
            info.get("pieces").is_some(),
        ) {
            (false, _) => Version::V1,
            (true, true) => Version::Hybrid,
            (true, false) => Version::V2,
        };
        if version != Version::V1 && !any_version {
            let kind = if version == Version::Hybrid {
                "a hybrid v1+v2"
            } else {
                "a BitTorrent v2"
            };
            return Err(Error::Invalid(format!(
                "{}: {kind} torrent; v2 piece verification is not supported yet \
                 (`weightcheck torrent show` lists its files)",
                origin.display()
            )));
        }
        let info_hash_v2 =
            (version != Version::V1).then(|| hex::encode(sha2::Sha256::digest(info.raw)));
        let name_v = p.field(info, "name", "info")?;
        let name = p.component(name_v, p.bytes(name_v, "name")?)?;
        let piece_length = p.uint(p.field(info, "piece length", "info")?, "piece length")?;
        if piece_length == 0 || piece_length > MAX_PIECE_LENGTH {
            return Err(p.at(
                p.field(info, "piece length", "info")?,
                format!("piece length {piece_length} is outside 1..={MAX_PIECE_LENGTH}"),
            ));
        }
        let private = match info.get("private") {
            None => false,
            Some(v) => p.int(v, "private")? == 1,
        };
        if version == Version::V2 {
            let tree = p.field(info, "file tree", "info")?;
            let mut files = Vec::new();
            p.file_tree(tree, &mut Vec::new(), 0, &mut files)?;
            if files.is_empty() {
                return Err(p.at(tree, "'file tree' holds no file"));
            }
            let mut total: u64 = 0;
            for f in &files {
                total = total
                    .checked_add(f.length)
                    .ok_or_else(|| p.at(tree, "file lengths add up to more than 2^64 bytes"))?;
            }
            let single_file = files.len() == 1 && files[0].path == [name.clone()];
            return Ok(Metainfo {
                name,
                piece_length,
                pieces: PieceHashes::default(),
                files,
                single_file,
                private,
                trackers: trackers(&root),
                comment: text(&root, "comment"),
                created_by: text(&root, "created by"),
                version,
                info_hash_v2,
                info_hash: InfoHash(Sha1::digest(info.raw).into()),
            });
        }
        let pieces_v = p.field(info, "pieces", "info")?;
        let pieces_raw = p.bytes(pieces_v, "pieces")?;
        if pieces_raw.len() % 20 != 0 {
            return Err(p.at(
                pieces_v,
                format!(
                    "'pieces' is {} bytes, not a multiple of 20",
                    pieces_raw.len()
                ),
            ));
        }
        // A byte string's raw span is its length prefix, then the bytes.
        let pieces_start = pieces_v.offset + pieces_v.raw.len() - pieces_raw.len();
        let piece_count = pieces_raw.len() / 20;

        let (files, single_file) = match (info.get("length"), info.get("files")) {
            (Some(_), Some(v)) => {
                return Err(p.at(v, "info has both 'length' and 'files'"));
            }
            (Some(len), None) => {
                let length = p.uint(len, "length")?;
                (
                    vec![TorrentFile {
                        path: vec![name.clone()],
                        length,
                        padding: false,
                    }],
                    true,
                )
            }
            (None, Some(list)) => (p.files(list, version == Version::Hybrid)?, false),
            (None, None) => {
                return Err(p.at(info, "info has neither 'length' nor 'files'"));
            }
        };

        let mut total: u64 = 0;
        for f in &files {
            total = total
                .checked_add(f.length)
                .ok_or_else(|| p.at(info, "file lengths add up to more than 2^64 bytes"))?;
        }
        let expected = total.div_ceil(piece_length);
        if expected != piece_count as u64 {
            return Err(p.at(
                pieces_v,
                format!(
                    "{total} bytes in pieces of {piece_length} need {expected} piece hashes, \
                     but 'pieces' holds {piece_count}"
                ),
            ));
        }

        let info_hash = InfoHash(Sha1::digest(info.raw).into());
        let (trackers, comment, created_by) = (
            trackers(&root),
            text(&root, "comment"),
            text(&root, "created by"),
        );
        Ok(Metainfo {
            name,
            piece_length,
            pieces: PieceHashes {
                buf,
                start: pieces_start,
                count: piece_count,
            },
            files,
            single_file,
            private,
            trackers,
            comment,
            created_by,
            version,
            info_hash_v2,
            info_hash,
        })
    }
}

/// Tracker URLs from `announce` and `announce-list`, first seen first,
/// each once.
fn trackers(root: &Value<'_>) -> Vec<String> {
    let mut trackers: Vec<String> = Vec::new();
    // A set beside the list: `contains` on the list was quadratic in the
    // number of trackers (80,000 cost 14 s).
    let mut known: HashSet<String> = HashSet::new();
    let mut push = |s: &[u8]| {
        let s = String::from_utf8_lossy(s).into_owned();
        if !s.is_empty() && known.insert(s.clone()) {
            trackers.push(s);
        }
    };
    if let Some(a) = root.get("announce").and_then(Value::as_bytes) {
        push(a);
    }
    if let Some(tiers) = root.get("announce-list").and_then(Value::as_list) {
        for tier in tiers {
            for url in tier.as_list().unwrap_or(&[]) {
                if let Some(u) = url.as_bytes() {
                    push(u);
                }
            }
        }
    }
    trackers
}

fn text(root: &Value<'_>, key: &str) -> Option<String> {
    root.get(key)
        .and_then(Value::as_bytes)
        .map(|b| String::from_utf8_lossy(b).into_owned())
}

struct Parser<'p> {
    origin: &'p Path,
}

impl Parser<'_> {
    fn at(&self, v: &Value<'_>, msg: impl Into<String>) -> Error {
        Error::format(self.origin, v.offset as u64, msg)
    }

    fn field<'v, 'a>(&self, d: &'v Value<'a>, key: &str, within: &str) -> Result<&'v Value<'a>> {
        d.get(key)
            .ok_or_else(|| self.at(d, format!("missing '{key}' in {within}")))
    }

    fn bytes<'a>(&self, v: &Value<'a>, what: &str) -> Result<&'a [u8]> {
        v.as_bytes()
            .ok_or_else(|| self.at(v, format!("'{what}' is a {}, not a string", v.type_name())))
    }

    fn int(&self, v: &Value<'_>, what: &str) -> Result<i64> {
        v.as_int().ok_or_else(|| {
            self.at(
                v,
                format!("'{what}' is a {}, not an integer", v.type_name()),
            )
        })
    }

    fn uint(&self, v: &Value<'_>, what: &str) -> Result<u64> {
        let n = self.int(v, what)?;
        u64::try_from(n).map_err(|_| self.at(v, format!("'{what}' is negative ({n})")))
    }

    fn component(&self, v: &Value<'_>, raw: &[u8]) -> Result<String> {
        check_component(raw).map_err(|why| {
            self.at(
                v,
                format!(
                    "unsafe path component {:?}: {why}",
                    String::from_utf8_lossy(raw)
                ),
            )
        })
    }

    /// Walks a BEP 52 `file tree`: directories are dictionaries keyed by
    /// path component, a file is a dictionary whose only key is the empty
    /// string. Depth is bounded by the bencode decoder's nesting limit.
    fn file_tree(
        &self,
        node: &Value<'_>,
        path: &mut Vec<String>,
        path_bytes: usize,
        files: &mut Vec<TorrentFile>,
    ) -> Result<()> {
        let Some(entries) = node.as_dict() else {
            return Err(self.at(node, "'file tree' entry is not a dictionary"));
        };
        for (key, child) in entries {
            if key.is_empty() {
                if !path.is_empty() && entries.len() == 1 {
                    let length =
                        self.uint(self.field(child, "length", "a file entry")?, "length")?;
                    files.push(TorrentFile {
                        path: path.clone(),
                        length,
                        padding: false,
                    });
                    return Ok(());
                }
                return Err(self.at(node, "'file tree' entry is both a file and a directory"));
            }
            if path.len() >= MAX_PATH_COMPONENTS {
                return Err(self.at(
                    child,
                    format!("path has more than {MAX_PATH_COMPONENTS} components"),
                ));
            }
            let bytes = path_bytes + key.len() + 1;
            if bytes > MAX_PATH_BYTES {
                return Err(self.at(child, format!("path longer than {MAX_PATH_BYTES} bytes")));
            }
            path.push(self.component(child, key)?);
            self.file_tree(child, path, bytes, files)?;
            path.pop();
        }
        Ok(())
    }

    fn files(&self, list: &Value<'_>, padding_allowed: bool) -> Result<Vec<TorrentFile>> {
        let items = list
            .as_list()
            .ok_or_else(|| self.at(list, "'files' is not a list"))?;
        if items.is_empty() {
            return Err(self.at(list, "'files' is empty"));
        }
        let mut files = Vec::with_capacity(items.len());
        for item in items {
            if item.as_dict().is_none() {
                return Err(self.at(item, "entry of 'files' is not a dictionary"));
            }
            let length = self.uint(self.field(item, "length", "a file entry")?, "length")?;
            let padding = item
                .get("attr")
                .and_then(Value::as_bytes)
                .is_some_and(|attr| attr.contains(&b'p'));
            if padding && !padding_allowed {
                return Err(self.at(item, "BEP 47 padding files are not supported yet"));
            }
            let path_v = self.field(item, "path", "a file entry")?;
            let comps = path_v
                .as_list()
                .ok_or_else(|| self.at(path_v, "'path' is not a list"))?;
            if comps.is_empty() {
                return Err(self.at(path_v, "'path' is empty"));
            }
            if comps.len() > MAX_PATH_COMPONENTS {
                return Err(self.at(
                    path_v,
                    format!(
                        "'path' has {} components (limit {MAX_PATH_COMPONENTS})",
                        comps.len()
                    ),
                ));
            }
            let mut path = Vec::with_capacity(comps.len());
            let mut bytes = 0;
            for c in comps {
                let raw = self.bytes(c, "path component")?;
                bytes += raw.len() + 1;
                if bytes > MAX_PATH_BYTES {
                    return Err(self.at(path_v, format!("path longer than {MAX_PATH_BYTES} bytes")));
                }
                path.push(self.component(c, raw)?);
            }
            files.push(TorrentFile {
                path,
                length,
                padding,
            });
        }
        // A path that is a prefix of another is both a file and a
        // directory. Sorted, a prefix sits right before the paths under it,
        // so neighbours are all that need comparing (storing every
        // directory prefix was quadratic in the path depth).
        // The same sort finds a file listed twice (equal neighbours); one
        // sort of references instead of a set of cloned paths.
        let mut sorted: Vec<&Vec<String>> = files.iter().map(|f| &f.path).collect();
        sorted.sort_unstable();
        if let Some(w) = sorted.windows(2).find(|w| w[1].starts_with(w[0])) {
            let what = if w[0] == w[1] {
                format!("file {:?} is listed twice", w[0].join("/"))
            } else {
                format!("{:?} is both a file and a directory", w[0].join("/"))
            };
            return Err(self.at(list, what));
        }
        Ok(files)
    }
}

/// Most components a file path in a torrent may have.
pub const MAX_PATH_COMPONENTS: usize = 256;
/// Longest file path in a torrent, as Linux's PATH_MAX.
pub const MAX_PATH_BYTES: usize = 4096;

/// Joins sanitised components under `root`.
pub fn join_under(root: &Path, components: &[String]) -> PathBuf {
    let mut p = root.to_path_buf();
    p.extend(components);
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::torrent::bencode::Encoder;

    fn torrent(info: impl FnOnce(&mut bencode::DictEncoder<'_>)) -> Vec<u8> {
        let mut e = Encoder::new();
        e.dict(|d| {
            d.entry("announce", |e| {
                e.bytes(b"http://tracker.example/announce");
            });
            d.entry("info", |e| {
                e.dict(info);
            });
        });
        e.finish()
    }

    fn multi(paths: &[&[&[u8]]], piece_length: i64, npieces: usize) -> Vec<u8> {
        torrent(|d| {
            d.entry("files", |e| {
                e.list(|e| {
                    for p in paths {
                        e.dict(|d| {
                            d.entry("length", |e| {
                                e.int(10);
                            });
                            d.entry("path", |e| {
                                e.list(|e| {
                                    for c in *p {
                                        e.bytes(c);
                                    }
                                });
                            });
                        });
                    }
                });
            });
            d.entry("name", |e| {
                e.bytes(b"top");
            });
            d.entry("piece length", |e| {
                e.int(piece_length);
            });
            d.entry("pieces", |e| {
                e.bytes(&vec![7u8; 20 * npieces]);
            });
        })
    }

    #[test]
    fn parses_multi_file() {
        let bytes = multi(&[&[b"a", b"b.bin"], &[b"c"]], 16, 2);
        let m = Metainfo::from_bytes(&bytes).expect("valid");
        assert_eq!(m.name, "top");
        assert!(!m.single_file);
        assert_eq!(m.files.len(), 2);
        assert_eq!(m.files[0].relative_path(), "a/b.bin");
        assert_eq!(m.total_length(), 20);
        assert_eq!(m.trackers, vec!["http://tracker.example/announce"]);
        assert_eq!(m.pieces.len(), 2);
        assert_eq!(m.pieces.get(1), Some(&[7u8; 20]));
        assert_eq!(m.pieces.get(2), None);
        assert_eq!(m.pieces.as_bytes(), &[7u8; 40][..]);
        let info_start = bytes
            .windows(6)
            .position(|w| w == b"4:info")
            .expect("info key")
            + 6;
        let expect: [u8; 20] = Sha1::digest(&bytes[info_start..bytes.len() - 1]).into();
        assert_eq!(m.info_hash(), InfoHash(expect));
    }

    fn refused(bytes: &[u8]) -> String {
        Metainfo::from_bytes(bytes)
            .expect_err("should be refused")
            .to_string()
    }

    #[test]
    fn refuses_hostile_paths() {
        assert!(refused(&multi(&[&[b"..", b"x"]], 16, 2)).contains("relative directory"));
        assert!(refused(&multi(&[&[b"/etc/passwd"]], 16, 2)).contains("separator"));
        assert!(refused(&multi(&[&[b"a\\b"]], 16, 2)).contains("separator"));
        assert!(refused(&multi(&[&[b""]], 16, 2)).contains("empty"));
        assert!(refused(&multi(&[&[b"."]], 16, 2)).contains("relative directory"));
        assert!(refused(&multi(&[&[b"a\0b"]], 16, 2)).contains("NUL"));
        assert!(refused(&multi(&[&[b"\xff"]], 16, 2)).contains("UTF-8"));
        assert!(refused(&multi(&[&[]], 16, 2)).contains("'path' is empty"));
        assert!(refused(&multi(&[&[b"a"], &[b"a"]], 16, 2)).contains("twice"));
        assert!(refused(&multi(&[&[b"a"], &[b"a", b"b"]], 16, 2))
            .contains("both a file and a directory"));
    }

    #[test]
    fn refuses_inconsistent_sizes() {
        assert!(refused(&multi(&[&[b"a"]], 16, 2)).contains("need 1 piece hashes"));
        assert!(refused(&multi(&[&[b"a"]], 0, 0)).contains("outside"));
        assert!(refused(&multi(&[&[b"a"]], 1 << 31, 1)).contains("outside"));
        let huge = torrent(|d| {
            d.entry("length", |e| {
                e.int(i64::MAX);
            });
            d.entry("name", |e| {
                e.bytes(b"x");
            });
            d.entry("piece length", |e| {
                e.int(16384);
            });
            d.entry("pieces", |e| {
                e.bytes(&[0; 20]);
            });
        });
        assert!(refused(&huge).contains("need 562949953421312 piece hashes"));
        let neg = torrent(|d| {
            d.entry("length", |e| {
                e.int(-1);
            });
            d.entry("name", |e| {
                e.bytes(b"x");
            });
            d.entry("piece length", |e| {
                e.int(16384);
            });
            d.entry("pieces", |e| {
                e.bytes(&[0; 20]);
            });
        });
        assert!(refused(&neg).contains("negative"));
    }

    #[test]
    fn names_v2_as_unsupported() {
        let v2 = torrent(|d| {
            d.entry("file tree", |e| {
                e.dict(|_| {});
            });
            d.entry("meta version", |e| {
                e.int(2);
            });
            d.entry("name", |e| {
                e.bytes(b"x");
            });
            d.entry("piece length", |e| {
                e.int(16384);
            });
        });
        let msg = refused(&v2);
        assert!(msg.contains("BitTorrent v2 torrent"), "{msg}");
        assert!(msg.contains("not supported yet"), "{msg}");
    }

    #[test]
    fn error_names_offset() {
        let msg = refused(b"d4:infod4:name2:..ee");
        assert!(msg.contains("byte 14"), "{msg}");
    }
}
