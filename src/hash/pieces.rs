//! Piece SHA-1s fed from wherever the bytes happen to be read.
//!
//! A piece must be hashed in order, but its bytes may come from several
//! files that different workers stream concurrently (a piece straddling
//! the end of one shard and the start of the next). Each piece therefore
//! tracks how far it has been fed (`fed`). A block arriving exactly at
//! `fed` is hashed at once, while it is still in the CPU cache; a block
//! arriving early is only noted as *pending*, and whoever later brings
//! `fed` up to it re-reads it (from the page cache: at most one piece per
//! file boundary). Bytes of files that no stream reads are read here
//! directly ("self-serve").
//!
//! The hasher is taken out of the slot while it is being fed, so no lock is
//! held during hashing or I/O; a busy slot turns deliveries into pending
//! ranges, which the busy worker collects before giving the slot back.

use std::ops::Range;
use std::sync::{Mutex, MutexGuard};

use sha1::{Digest, Sha1};

use super::exec::FileInfo;
use super::io::WorkerIo;
use crate::torrent::pieces::PieceMap;

/// Why bytes could not be read.
#[derive(Debug)]
pub(super) struct ReadError(pub String);

/// Where pieces get file facts and bytes from.
pub(super) trait Source {
    /// Facts about plan file `plan_index`.
    fn file_info(&self, plan_index: usize) -> &FileInfo;
    /// Reads `len` bytes at `offset` of a plan file into `sink`, block by block.
    fn read_into(
        &self,
        plan_index: usize,
        offset: u64,
        len: u64,
        count_progress: bool,
        io: &mut WorkerIo,
        sink: &mut dyn FnMut(&[u8]),
    ) -> Result<(), ReadError>;
}

/// What became of a piece.
#[derive(Debug, Clone)]
pub(super) enum PieceOutcome {
    /// Not finished (yet).
    Todo,
    /// Passed in an earlier run, files unchanged.
    Cached,
    /// Hashed, and matched (or nothing to match against).
    Passed([u8; 20]),
    /// Hashed, and did not match.
    Mismatch([u8; 20]),
    /// Could not be read completely.
    Unreadable(String),
}

struct Slot {
    /// Created on first use, so a million-piece torrent costs no memory
    /// for pieces not in flight.
    hasher: Option<Sha1>,
    busy: bool,
    fed: u64,
    pending: Vec<Range<u64>>,
    outcome: PieceOutcome,
}

pub(super) struct Pieces<'a> {
    map: PieceMap,
    /// Plan file index of each torrent file.
    order: Vec<usize>,
    /// Torrent stream offset of each plan file (None: not in the torrent).
    offsets: Vec<Option<u64>>,
    expected: Option<&'a [[u8; 20]]>,
    slots: Vec<Mutex<Slot>>,
}

fn lock(m: &Mutex<Slot>) -> MutexGuard<'_, Slot> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl<'a> Pieces<'a> {
    pub fn new(
        map: PieceMap,
        order: Vec<usize>,
        expected: Option<&'a [[u8; 20]]>,
        cached: Vec<bool>,
    ) -> Self {
        let plan_len = order.iter().max().map_or(0, |m| m + 1);
        let mut offsets = vec![None; plan_len];
        for (t, &p) in order.iter().enumerate() {
            offsets[p] = Some(map.file_range(t).start);
        }
        let slots = (0..map.piece_count())
            .map(|i| {
                Mutex::new(Slot {
                    hasher: None,
                    busy: false,
                    fed: map.piece_range(i).start,
                    pending: Vec::new(),
                    outcome: if cached[i] {
                        PieceOutcome::Cached
                    } else {
                        PieceOutcome::Todo
                    },
                })
            })
            .collect();
        Pieces {
            map,
            order,
            offsets,
            expected,
            slots,
        }
    }

    pub fn map(&self) -> &PieceMap {
        &self.map
    }

    /// Plan file index of each torrent file.
    pub fn order(&self) -> &[usize] {
        &self.order
    }

    /// Where plan file `plan_index` starts in the torrent stream, if it is in it.
    pub fn stream_offset(&self, plan_index: usize) -> Option<u64> {
        self.offsets.get(plan_index).copied().flatten()
    }

    pub fn outcome(&self, i: usize) -> PieceOutcome {
        lock(&self.slots[i]).outcome.clone()
    }

    pub fn passed(&self, i: usize) -> bool {
        matches!(
            lock(&self.slots[i]).outcome,
            PieceOutcome::Passed(_) | PieceOutcome::Cached
        )
    }

    /// The pieces no stream will start (their first byte is in a file no
    /// stream reads), and how many bytes pieces will read themselves.
    pub fn jobs(&self, files: &[FileInfo]) -> (Vec<usize>, u64) {
        let mut jobs = Vec::new();
        let mut bytes = 0;
        for (i, slot) in self.slots.iter().enumerate() {
            if !matches!(lock(slot).outcome, PieceOutcome::Todo) {
                continue;
            }
            let spans = self.map.spans(i);
            let own = |s: &crate::torrent::pieces::FileSpan| {
                files[self.order[s.file]].self_serve(s.offset, s.length)
            };
            if spans.first().is_some_and(|s| own(s) > 0) {
                jobs.push(i);
            }
            bytes += spans.iter().map(own).sum::<u64>();
        }
        (jobs, bytes)
    }

    /// A stream read `data` at torrent stream offset `at`.
    pub fn deliver(&self, at: u64, data: &[u8], src: &dyn Source, io: &mut WorkerIo) {
        let pl = self.map.piece_length();
        let end = at + data.len() as u64;
        let mut pos = at;
        while pos < end {
            let p = (pos / pl) as usize;
            let piece_end = ((p as u64 + 1) * pl).min(end);
            let slice = &data[(pos - at) as usize..(piece_end - at) as usize];
            self.feed(p, pos..piece_end, slice, src, io);
            pos = piece_end;
        }
    }

    fn feed(&self, p: usize, r: Range<u64>, data: &[u8], src: &dyn Source, io: &mut WorkerIo) {
        let mut g = lock(&self.slots[p]);
        if !matches!(g.outcome, PieceOutcome::Todo) {
            return;
        }
        if g.busy || g.fed != r.start {
            push_pending(&mut g.pending, r);
            return;
        }
        let mut h = g.hasher.take().unwrap_or_default();
        g.busy = true;
        drop(g);
        h.update(data);
        let mut g = lock(&self.slots[p]);
        g.busy = false;
        g.fed = r.end;
        g.hasher = Some(h);
        self.catch_up(p, g, src, io);
    }

    /// Runs a piece job: starts a piece whose first bytes nobody delivers.
    pub fn start(&self, p: usize, src: &dyn Source, io: &mut WorkerIo) {
        let g = lock(&self.slots[p]);
        if matches!(g.outcome, PieceOutcome::Todo) && !g.busy {
            self.catch_up(p, g, src, io);
        }
    }

    /// Feeds piece `p` as far as bytes are available, then finishes it if
    /// complete. Called with the slot locked and not busy.
    fn catch_up<'s>(
        &'s self,
        p: usize,
        mut g: MutexGuard<'s, Slot>,
        src: &dyn Source,
        io: &mut WorkerIo,
    ) {
        let range = self.map.piece_range(p);
        loop {
            if g.fed == range.end {
                let digest: [u8; 20] = g.hasher.take().unwrap_or_default().finalize().into();
                g.outcome = match self.expected {
                    Some(e) if e[p] != digest => PieceOutcome::Mismatch(digest),
                    _ => PieceOutcome::Passed(digest),
                };
                return;
            }
            let fed = g.fed;
            let next = if let Some(i) = g.pending.iter().position(|r| r.start == fed) {
                Some((g.pending.remove(i), false))
            } else {
                let span = self.map.spans_of_range(fed..range.end);
                span.first()
                    .map(|s| {
                        src.file_info(self.order[s.file])
                            .self_serve(s.offset, s.length)
                    })
                    .filter(|&n| n > 0)
                    .map(|n| (fed..fed + n, true))
            };
            let Some((r, count)) = next else { return };
            let mut h = g.hasher.take().unwrap_or_default();
            g.busy = true;
            drop(g);
            let result = self.read_range(r.clone(), count, &mut h, src, io);
            g = lock(&self.slots[p]);
            g.busy = false;
            match result {
                Ok(()) => {
                    g.fed = r.end;
                    g.hasher = Some(h);
                }
                Err(e) => {
                    g.outcome = PieceOutcome::Unreadable(e.0);
                    g.pending.clear();
                    return;
                }
            }
        }
    }

    fn read_range(
        &self,
        r: Range<u64>,
        count: bool,
        h: &mut Sha1,
        src: &dyn Source,
        io: &mut WorkerIo,
    ) -> Result<(), ReadError> {
        for s in self.map.spans_of_range(r) {
            src.read_into(
                self.order[s.file],
                s.offset,
                s.length,
                count,
                io,
                &mut |b| h.update(b),
            )?;
        }
        Ok(())
    }

    /// Marks pieces that never got all their bytes, saying why.
    pub fn finish_incomplete(
        &self,
        files: &[FileInfo],
        stream_error: &dyn Fn(usize) -> Option<String>,
    ) {
        for (p, slot) in self.slots.iter().enumerate() {
            let mut g = lock(slot);
            if !matches!(g.outcome, PieceOutcome::Todo) {
                continue;
            }
            let fed = g.fed;
            let why = self
                .map
                .spans_of_range(fed..self.map.piece_range(p).end)
                .iter()
                .find_map(|s| {
                    let fi = self.order[s.file];
                    files[fi]
                        .unavailable(s.offset, s.length)
                        .or_else(|| stream_error(fi).map(|e| format!("{}: {e}", files[fi].rel)))
                })
                .unwrap_or_else(|| "not all bytes were read".into());
            g.outcome = PieceOutcome::Unreadable(why);
            g.hasher = None;
        }
    }
}

fn push_pending(pending: &mut Vec<Range<u64>>, r: Range<u64>) {
    if let Some(prev) = pending.iter_mut().find(|x| x.end == r.start) {
        prev.end = r.end;
    } else {
        pending.push(r);
    }
}
