//! The cache during a run: what earlier runs left (cached digests, passed
//! pieces, mid-file hasher states) and writing this run's progress every
//! few seconds so an interrupted run continues where it stopped.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use sha1::Sha1;
use sha2::digest::common::hazmat::{SerializableState, SerializedState};
use sha2::{Digest, Sha256};

use super::cache::{encode_bitmap, Cache, Fingerprint, PartialEntry, PieceSetEntry};
use super::engine::{FileStatus, HashPlan};
use super::exec::{lock, FileInfo, Job, Phase, Resume, SAVE_EVERY};
use crate::torrent::pieces::PieceMap;
use crate::torrent::PieceHashes;

/// Identifies a piece set: piece length, file paths and sizes, expected hashes.
pub(super) fn piece_set_id(
    piece_length: u64,
    order: &[usize],
    hashes: &PieceHashes,
    plan: &HashPlan,
) -> String {
    let mut h = Sha1::new();
    h.update(b"weightcheck piece set v1\0");
    h.update(piece_length.to_le_bytes());
    for &i in order {
        h.update(plan.files[i].path.as_bytes());
        h.update(b"\0");
        h.update(plan.files[i].size.to_le_bytes());
    }
    h.update(hashes.as_bytes());
    hex::encode(h.finalize())
}

/// Hasher states from a cache entry, if they cover every digest needed.
pub(super) fn resume_from(
    p: &PartialEntry,
    need_sha256: bool,
    need_git: bool,
) -> Option<Box<Resume>> {
    fn load<H: SerializableState>(hex_state: Option<&String>) -> Option<H> {
        let bytes = hex::decode(hex_state?).ok()?;
        let state = SerializedState::<H>::try_from(bytes.as_slice()).ok()?;
        H::deserialize(&state).ok()
    }
    let sha256 = if need_sha256 {
        Some(load::<Sha256>(p.sha256_state.as_ref())?)
    } else {
        None
    };
    let git = if need_git {
        Some(load::<Sha1>(p.git_state.as_ref())?)
    } else {
        None
    };
    (p.pos > 0 && p.pos <= p.fingerprint.size).then(|| {
        Box::new(Resume {
            pos: p.pos,
            sha256,
            git,
        })
    })
}

pub(super) fn cached_pieces(
    set: Option<&PieceSetEntry>,
    map: &PieceMap,
    order: &[usize],
    files: &[FileInfo],
) -> Vec<bool> {
    let n = map.piece_count();
    let Some(set) =
        set.filter(|s| s.piece_length == map.piece_length() && s.files.len() == order.len())
    else {
        return vec![false; n];
    };
    let unchanged: Vec<bool> = order
        .iter()
        .zip(&set.files)
        .map(|(&i, old)| {
            let info = &files[i];
            info.status == FileStatus::Ok && old.is_some() && *old == info.fingerprint
        })
        .collect();
    (0..n)
        .map(|p| set.passed(p) && map.spans(p).iter().all(|s| unchanged[s.file]))
        .collect()
}

impl Job<'_> {
    pub(super) fn maybe_save(&self) {
        let Some(saver) = &self.saver else { return };
        let Ok(mut s) = saver.try_lock() else { return };
        if s.last.elapsed() < s.every {
            return;
        }
        let t = Instant::now();
        self.snapshot(&mut s.cache);
        if let Err(e) = s.cache.save() {
            s.warning = Some(format!(
                "{}: cannot write the cache: {e}",
                s.cache.path().display()
            ));
        }
        s.every = SAVE_EVERY.max(t.elapsed() * 20);
        s.last = Instant::now();
    }

    /// Copies finished, cacheable results into the cache, and the state of
    /// streams between chunks so an interrupted run can continue them.
    pub(super) fn snapshot(&self, cache: &mut Cache) {
        {
            let sched = lock(&self.sched);
            for st in &sched.streams {
                let Phase::Idle(state) = &st.phase else {
                    continue;
                };
                let info = &self.files[st.file];
                let Some(fp) = info.fingerprint.filter(|fp| fp.settled(self.run_start_ns)) else {
                    continue;
                };
                cache.record_partial(
                    &info.rel,
                    PartialEntry {
                        fingerprint: fp,
                        pos: state.pos,
                        sha256_state: state.sha256.as_ref().map(|h| hex::encode(h.serialize())),
                        git_state: state.git.as_ref().map(|h| hex::encode(h.serialize())),
                    },
                );
            }
        }
        let digests = lock(&self.digests).clone();
        for (info, d) in self.files.iter().zip(&digests) {
            let Some(fp) = info.fingerprint.filter(|fp| fp.settled(self.run_start_ns)) else {
                continue;
            };
            if !d.done || d.error.is_some() {
                continue;
            }
            cache.record_file(
                &info.rel,
                fp,
                d.sha256.map(hex::encode),
                d.git.map(hex::encode),
            );
        }
        let (Some(p), Some(id)) = (&self.pieces, &self.piece_set_id) else {
            return;
        };
        let settled: Vec<Option<Fingerprint>> = p
            .order()
            .iter()
            .map(|&i| {
                let info = &self.files[i];
                info.fingerprint
                    .filter(|fp| info.status == FileStatus::Ok && fp.settled(self.run_start_ns))
            })
            .collect();
        let passed: Vec<bool> = (0..p.map().piece_count())
            .map(|i| p.passed(i) && p.map().spans(i).iter().all(|s| settled[s.file].is_some()))
            .collect();
        let used = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        cache.record_piece_set(
            id,
            PieceSetEntry {
                piece_length: p.map().piece_length(),
                files: settled,
                passed: encode_bitmap(&passed),
                used,
            },
        );
    }
}
