//! Writing BitTorrent v1 .torrent files whose info-hash is the one Debian's
//! `mktorrent -d` produces for the same content, name and piece length.
//!
//! What mktorrent 1.1 does, and so what we do (checked by
//! `tests/torrent_mktorrent.rs` against the real tool):
//! - a directory always gives a multi-file torrent, even with one file; a
//!   plain file gives a single-file torrent (`length` instead of `files`);
//! - every regular file below the directory is included, hidden files and
//!   empty files too; symlinks are followed; empty directories vanish;
//! - files are ordered by `strcmp` of their `/`-joined relative paths
//!   (so `a-c` sorts before `a/b`);
//! - the info dictionary holds exactly `files`/`length`, `name`,
//!   `piece length`, `pieces` (and `private` only when asked);
//! - outside the info dictionary: `announce`/`announce-list` if trackers
//!   are given and `created by`; no `creation date` (reproducible output).

use std::path::{Path, PathBuf};

use crate::hash::engine::{self, HashPlan, PiecePlan, PlanFile, Progress};
use crate::paths::check_component;
use crate::paths::list_files;
use crate::torrent::bencode::Encoder;
use crate::torrent::metainfo::{Metainfo, MAX_PIECE_LENGTH};
use crate::{Error, Result};

/// Smallest piece length written (BitTorrent clients assume 16 KiB blocks).
pub const MIN_PIECE_LENGTH: u64 = 16 << 10;

/// The largest piece length [`auto_piece_length`] chooses.
pub const MAX_AUTO_PIECE_LENGTH: u64 = 16 << 20;

/// A piece length for `total` bytes when none is given: the smallest power
/// of two from 16 KiB that keeps the torrent to about 2,048 pieces, capped
/// at 16 MiB. The piece list (20 bytes a piece) then stays under ~40 KB for
/// anything up to 32 GiB, and a damaged piece costs at most 16 MiB to fetch
/// again; Grok-1's 318 GB gets 16 MiB pieces. mktorrent instead takes a
/// fixed 256 KiB, which gives Grok-1 over a million pieces (24 MB of hashes).
pub fn auto_piece_length(total: u64) -> u64 {
    const TARGET_PIECES: u64 = 2048;
    let wanted = total.div_ceil(TARGET_PIECES).max(1).next_power_of_two();
    wanted.clamp(MIN_PIECE_LENGTH, MAX_AUTO_PIECE_LENGTH)
}

/// Options for [`create`]; `Default` chooses the piece length from the size.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CreateOptions {
    /// The torrent's name; defaults to the file or directory name.
    pub name: Option<String>,
    /// Bytes per piece: a power of two, 16 KiB to 1 GiB; `None` chooses
    /// one from the total size ([`auto_piece_length`]).
    pub piece_length: Option<u64>,
    /// Tracker URLs (first is `announce`; all go to `announce-list` if more than one).
    pub trackers: Vec<String>,
    /// Set the `private` flag.
    pub private: bool,
}

impl CreateOptions {
    /// Pieces of `piece_length` bytes, named after the input, no tracker,
    /// not private; the fields are public to change the rest.
    pub fn new(piece_length: u64) -> Self {
        CreateOptions {
            piece_length: Some(piece_length),
            ..CreateOptions::default()
        }
    }
}

/// A created torrent.
#[derive(Debug, Clone)]
pub struct Created {
    /// The .torrent bytes.
    pub bytes: Vec<u8>,
    /// The same, parsed back.
    pub metainfo: Metainfo,
}

/// Hashes `path` (a directory or a file) and returns the .torrent.
pub fn create(
    path: &Path,
    opts: &CreateOptions,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Created> {
    if let Some(pl) = opts.piece_length {
        if !pl.is_power_of_two() || !(MIN_PIECE_LENGTH..=MAX_PIECE_LENGTH).contains(&pl) {
            return Err(Error::TorrentCreate(format!(
                "piece length {pl} is not a power of two from {MIN_PIECE_LENGTH} to {MAX_PIECE_LENGTH}"
            )));
        }
    }
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    let default_name = path
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_default();
    let name = opts.name.clone().unwrap_or(default_name);
    check_component(name.as_bytes())
        .map_err(|why| Error::TorrentCreate(format!("torrent name {name:?}: {why}")))?;

    let (root, files, single): (PathBuf, Vec<(String, u64)>, bool) = if meta.is_dir() {
        let files = list_files(path)?;
        if files.is_empty() {
            return Err(Error::TorrentCreate(format!(
                "{}: no files",
                path.display()
            )));
        }
        (path.to_path_buf(), files, false)
    } else if meta.is_file() {
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| Error::TorrentCreate(format!("{}: no file name", path.display())))?;
        let root = path
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        let root = if root.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            root
        };
        (root, vec![(file_name, meta.len())], true)
    } else {
        return Err(Error::TorrentCreate(format!(
            "{}: not a file or directory",
            path.display()
        )));
    };

    let total = files.iter().map(|(_, size)| size).sum();
    let pl = opts
        .piece_length
        .unwrap_or_else(|| auto_piece_length(total));
    let plan = HashPlan::new(
        files
            .iter()
            .map(|(p, s)| PlanFile::pieces_only(p.clone(), *s))
            .collect(),
    )
    .with_pieces(PiecePlan {
        piece_length: pl,
        files: (0..files.len()).collect(),
        hashes: None,
    });
    let report = engine::run(&root, &plan, progress)?;
    if let Some(bad) = report
        .files
        .iter()
        .find(|f| f.status != engine::FileStatus::Ok)
    {
        return Err(Error::TorrentCreate(format!(
            "{}: changed or unreadable while hashing ({:?}{})",
            root.join(&bad.path).display(),
            bad.status,
            bad.error
                .as_deref()
                .map(|e| format!(": {e}"))
                .unwrap_or_default()
        )));
    }
    let pieces_report = report
        .pieces
        .ok_or_else(|| Error::TorrentCreate("engine returned no pieces".into()))?;
    if let Some(bad) = pieces_report.failed.first() {
        return Err(Error::TorrentCreate(format!(
            "piece {} could not be read: {}",
            bad.index,
            bad.detail.as_deref().unwrap_or(&bad.reason)
        )));
    }
    if pieces_report.digests.len() != pieces_report.count {
        return Err(Error::TorrentCreate("a piece was not hashed".into()));
    }
    let pieces = pieces_report.digests.as_flattened();

    let mut e = Encoder::new();
    e.dict(|d| {
        if let Some(first) = opts.trackers.first() {
            d.entry("announce", |e| {
                e.bytes(first.as_bytes());
            });
        }
        if opts.trackers.len() > 1 {
            d.entry("announce-list", |e| {
                e.list(|e| {
                    for t in &opts.trackers {
                        e.list(|e| {
                            e.bytes(t.as_bytes());
                        });
                    }
                });
            });
        }
        d.entry("created by", |e| {
            e.bytes(format!("weightcheck {}", env!("CARGO_PKG_VERSION")).as_bytes());
        });
        d.entry("info", |e| {
            e.dict(|d| {
                if single {
                    d.entry("length", |e| {
                        e.int(files[0].1 as i64);
                    });
                } else {
                    d.entry("files", |e| {
                        e.list(|e| {
                            for (p, size) in &files {
                                e.dict(|d| {
                                    d.entry("length", |e| {
                                        e.int(*size as i64);
                                    });
                                    d.entry("path", |e| {
                                        e.list(|e| {
                                            for c in p.split('/') {
                                                e.bytes(c.as_bytes());
                                            }
                                        });
                                    });
                                });
                            }
                        });
                    });
                }
                d.entry("name", |e| {
                    e.bytes(name.as_bytes());
                });
                d.entry("piece length", |e| {
                    e.int(pl as i64);
                });
                d.entry("pieces", |e| {
                    e.bytes(pieces);
                });
                if opts.private {
                    d.entry("private", |e| {
                        e.int(1);
                    });
                }
            });
        });
    });
    let bytes = e.finish();
    let metainfo = Metainfo::from_bytes(&bytes)?;
    Ok(Created { bytes, metainfo })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chosen_piece_lengths_grow_with_the_release() {
        let grok_1 = 318_239_886_140; // its 770 shards
        for (total, expected) in [
            (0, 16 << 10),
            (1, 16 << 10),
            (32 << 20, 16 << 10),
            ((32 << 20) + 1, 32 << 10),
            (1 << 30, 512 << 10),
            (32 << 30, 16 << 20),
            (grok_1, 16 << 20),
            (u64::MAX, 16 << 20),
        ] {
            assert_eq!(auto_piece_length(total), expected, "{total} bytes");
        }
    }

    #[test]
    fn lists_files_in_strcmp_order() {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        std::fs::create_dir_all(d.join("a")).expect("mkdir");
        std::fs::create_dir_all(d.join("empty")).expect("mkdir");
        for (p, body) in [("a-c", "1"), ("a/b", "22"), (".hidden", ""), ("B", "333")] {
            std::fs::write(d.join(p), body).expect("write");
        }
        let names: Vec<(String, u64)> = list_files(d).expect("list");
        assert_eq!(
            names,
            vec![
                (".hidden".to_string(), 0),
                ("B".to_string(), 3),
                ("a-c".to_string(), 1),
                ("a/b".to_string(), 2),
            ]
        );
    }

    #[test]
    fn refuses_bad_piece_lengths() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("x"), "x").expect("write");
        for pl in [0, 1000, 1 << 13, 3 << 14] {
            let opts = CreateOptions {
                name: None,
                piece_length: Some(pl),
                trackers: vec![],
                private: false,
            };
            assert!(create(dir.path(), &opts, &|_| {}).is_err(), "{pl}");
        }
    }

    #[test]
    fn creates_torrent_whose_pieces_verify() {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path().join("ds");
        std::fs::create_dir_all(d.join("sub")).expect("mkdir");
        let big: Vec<u8> = (0..70_000u32).map(|i| (i * 7 % 251) as u8).collect();
        std::fs::write(d.join("sub/big"), &big).expect("write");
        std::fs::write(d.join("small"), b"hello").expect("write");
        let opts = CreateOptions {
            name: Some("named".into()),
            piece_length: Some(1 << 15),
            trackers: vec!["http://t/a".into(), "http://t/b".into()],
            private: true,
        };
        let c = create(&d, &opts, &|_| {}).expect("create");
        let m = &c.metainfo;
        assert_eq!(m.name, "named");
        assert!(m.private);
        assert_eq!(m.trackers.len(), 2);
        assert_eq!(m.pieces.len(), 3);
        // "small" sorts before "sub/big"
        let mut all = b"hello".to_vec();
        all.extend_from_slice(&big);
        use sha1::Digest;
        let first: [u8; 20] = sha1::Sha1::digest(&all[..1 << 15]).into();
        assert_eq!(m.pieces.get(0), Some(&first));
        let last: [u8; 20] = sha1::Sha1::digest(&all[2 << 15..]).into();
        assert_eq!(m.pieces.get(2), Some(&last));
    }
}
