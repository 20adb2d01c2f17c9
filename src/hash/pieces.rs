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

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::sync::{Mutex, MutexGuard};

use memmap2::Mmap;
use sha1::{Digest, Sha1};

use super::exec::FileInfo;
use super::io::{drop_hashed, WorkerIo};
use super::multibuffer::{self, Kernel, MultiHasher, Sha1 as MbSha1};
use crate::torrent::pieces::PieceMap;
use crate::torrent::PieceHashes;

/// Why bytes could not be read.
#[derive(Debug)]
pub(super) struct ReadError(pub String);

/// Where pieces get file facts and bytes from.
pub(super) trait Source {
    /// Facts about plan file `plan_index`.
    fn file_info(&self, plan_index: usize) -> &FileInfo;
    /// Reads `len` bytes at `offset` of a plan file into `sink`, block by
    /// block, counting the first `count` of them as progress.
    fn read_into(
        &self,
        plan_index: usize,
        offset: u64,
        len: u64,
        count: u64,
        io: &mut WorkerIo,
        sink: &mut dyn FnMut(&[u8]),
    ) -> Result<(), ReadError>;
    /// The `len` bytes at `offset` of a plan file, mapped, if all of them
    /// are in the page cache (else `None`: read them with `read_into`).
    fn map_resident(
        &self,
        plan_index: usize,
        offset: u64,
        len: u64,
        io: &mut WorkerIo,
    ) -> Option<Mmap>;
    /// Counts `n` bytes hashed from a mapping.
    fn count(&self, n: u64);
}

/// What became of a piece: one byte per piece, so that millions of pieces
/// cost megabytes; why a piece was unreadable is kept aside, per run of
/// pieces (see [`Reasons`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum State {
    /// Not finished (yet).
    Todo,
    /// Passed in an earlier run, files unchanged.
    Cached,
    /// Hashed, and matched (or nothing to match against).
    Passed,
    /// Hashed, and did not match.
    Mismatch,
    /// Could not be read completely.
    Unreadable,
}

/// What became of a run of consecutive pieces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Outcome {
    Todo,
    Cached,
    Passed,
    Mismatch,
    /// Why, as an index into [`Pieces::reason`].
    Unreadable(u32),
}

/// A piece being fed. Only pieces in flight have one, so a torrent of
/// millions of pieces costs no memory for the pieces not being read.
struct Slot {
    hasher: Option<Sha1>,
    busy: bool,
    fed: u64,
    pending: Vec<Range<u64>>,
}

/// A file's part of a piece hashed in place.
struct Mapped {
    /// Plan file index, and where the part starts in it.
    file: usize,
    offset: u64,
    map: Mmap,
    guard: super::sigbus::Guard,
}

/// Locks are spread over shards: a lock per piece cost ~40 bytes for each
/// of millions of pieces, one lock for all of them would serialise the
/// workers. Piece `p` lives in shard `p % SHARDS`, at `p / SHARDS`.
const SHARDS: usize = 64;

struct Shard {
    state: Vec<State>,
    live: HashMap<usize, Slot>,
    /// Digests of passed pieces, only when there are no expected hashes to
    /// compare with (a torrent being made needs them).
    digests: Vec<[u8; 20]>,
}

/// Why pieces were unreadable: each distinct message once, and runs of
/// consecutive pieces with the same message. A missing file makes one run
/// however many pieces it holds.
#[derive(Default)]
struct Reasons {
    texts: Vec<String>,
    ids: HashMap<String, u32>,
    /// First piece of a run -> (end of the run, message id).
    runs: BTreeMap<usize, (usize, u32)>,
}

impl Reasons {
    fn add(&mut self, p: usize, why: String) {
        let id = match self.ids.get(&why) {
            Some(&id) => id,
            None => {
                let id = u32::try_from(self.texts.len()).unwrap_or(u32::MAX);
                self.texts.push(why.clone());
                self.ids.insert(why, id);
                id
            }
        };
        let mut start = p;
        let mut end = p + 1;
        if let Some((&s, &(e, i))) = self.runs.range(..p).next_back() {
            if e == p && i == id {
                start = s;
            }
        }
        if let Some(&(e, i)) = self.runs.get(&(p + 1)) {
            if i == id {
                self.runs.remove(&(p + 1));
                end = e;
            }
        }
        self.runs.insert(start, (end, id));
    }

    /// The message id of unreadable piece `p`.
    fn of(&self, p: usize) -> Option<(Range<usize>, u32)> {
        let (&s, &(e, id)) = self.runs.range(..=p).next_back()?;
        (p < e).then_some((s..e, id))
    }
}

pub(super) struct Pieces<'a> {
    map: PieceMap,
    /// Plan file index of each torrent file.
    order: Vec<usize>,
    /// Torrent stream offset of each plan file (None: not in the torrent).
    offsets: Vec<Option<u64>>,
    expected: Option<&'a PieceHashes>,
    shards: Vec<Mutex<Shard>>,
    reasons: Mutex<Reasons>,
    /// The kernel piece jobs are hashed in, in multi-buffer lanes: only
    /// when one faster than one SHA-NI stream per core runs here (16
    /// AVX-512 lanes, or two interleaved SHA-NI streams).
    lanes: Option<Kernel>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shard {
    fn state(&self, p: usize) -> State {
        self.state
            .get(p / SHARDS)
            .copied()
            .unwrap_or(State::Unreadable)
    }

    fn set(&mut self, p: usize, s: State) {
        if let Some(x) = self.state.get_mut(p / SHARDS) {
            *x = s;
        }
    }
}

impl<'a> Pieces<'a> {
    pub fn new(
        map: PieceMap,
        order: Vec<usize>,
        expected: Option<&'a PieceHashes>,
        cached: Vec<bool>,
        kernel: Kernel,
    ) -> Self {
        let plan_len = order.iter().max().map_or(0, |m| m + 1);
        let mut offsets = vec![None; plan_len];
        for (t, &p) in order.iter().enumerate() {
            offsets[p] = Some(map.file_range(t).start);
        }
        let n = map.piece_count();
        let shards = (0..SHARDS)
            .map(|s| {
                let state: Vec<State> = (s..n)
                    .step_by(SHARDS)
                    .map(|p| {
                        if cached.get(p).copied().unwrap_or(false) {
                            State::Cached
                        } else {
                            State::Todo
                        }
                    })
                    .collect();
                let digests = if expected.is_none() {
                    vec![[0; 20]; state.len()]
                } else {
                    Vec::new()
                };
                Mutex::new(Shard {
                    state,
                    live: HashMap::new(),
                    digests,
                })
            })
            .collect();
        Pieces {
            map,
            order,
            offsets,
            expected,
            shards,
            reasons: Mutex::new(Reasons::default()),
            lanes: Some(kernel).filter(|k| k.available() && k.min_lanes::<MbSha1>().is_some()),
        }
    }

    fn shard(&self, p: usize) -> MutexGuard<'_, Shard> {
        lock(&self.shards[p % SHARDS])
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

    pub fn passed(&self, i: usize) -> bool {
        matches!(self.shard(i).state(i), State::Passed | State::Cached)
    }

    /// Runs of consecutive pieces with the same outcome, in piece order.
    pub fn runs(&self) -> Vec<(Range<usize>, Outcome)> {
        let shards: Vec<MutexGuard<'_, Shard>> = self.shards.iter().map(lock).collect();
        let reasons = lock(&self.reasons);
        let mut out: Vec<(Range<usize>, Outcome)> = Vec::new();
        let mut why: Option<(Range<usize>, u32)> = None;
        for p in 0..self.map.piece_count() {
            let o = match shards[p % SHARDS].state(p) {
                State::Todo => Outcome::Todo,
                State::Cached => Outcome::Cached,
                State::Passed => Outcome::Passed,
                State::Mismatch => Outcome::Mismatch,
                State::Unreadable => {
                    if !why.as_ref().is_some_and(|(r, _)| r.contains(&p)) {
                        why = reasons.of(p);
                    }
                    // Every unreadable piece has a reason; should one not,
                    // it still fails.
                    Outcome::Unreadable(why.as_ref().map_or(u32::MAX, |w| w.1))
                }
            };
            match out.last_mut() {
                Some((r, last)) if *last == o => r.end = p + 1,
                _ => out.push((p..p + 1, o)),
            }
        }
        out
    }

    /// The text of an [`Outcome::Unreadable`] reason.
    pub fn reason(&self, id: u32) -> String {
        lock(&self.reasons)
            .texts
            .get(id as usize)
            .cloned()
            .unwrap_or_else(|| "not all bytes were read".into())
    }

    /// Every piece's digest, when there was nothing to compare with and
    /// every piece was hashed; else empty.
    pub fn digests(&self) -> Vec<[u8; 20]> {
        let shards: Vec<MutexGuard<'_, Shard>> = self.shards.iter().map(lock).collect();
        let n = self.map.piece_count();
        let mut out = Vec::with_capacity(if self.expected.is_none() { n } else { 0 });
        if self.expected.is_some() {
            return out;
        }
        for p in 0..n {
            let s = &shards[p % SHARDS];
            match (s.state(p), s.digests.get(p / SHARDS)) {
                (State::Passed, Some(d)) => out.push(*d),
                _ => return Vec::new(),
            }
        }
        out
    }

    /// The pieces no stream will start (their first byte is in a file no
    /// stream reads), as runs of consecutive pieces, and how many bytes
    /// pieces will read themselves.
    pub fn jobs(&self, files: &[FileInfo]) -> (Vec<Range<usize>>, u64) {
        let mut jobs: Vec<Range<usize>> = Vec::new();
        let mut bytes = 0;
        for i in 0..self.map.piece_count() {
            if self.shard(i).state(i) != State::Todo {
                continue;
            }
            let spans = self.map.spans(i);
            let own = |s: &crate::torrent::pieces::FileSpan| {
                files[self.order[s.file]].self_serve(s.offset, s.length)
            };
            if spans.first().is_some_and(|s| own(s) > 0) {
                match jobs.last_mut() {
                    Some(r) if r.end == i => r.end = i + 1,
                    _ => jobs.push(i..i + 1),
                }
            }
            bytes += spans
                .iter()
                .map(|s| files[self.order[s.file]].counted(s.offset, s.length))
                .sum::<u64>();
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

    fn new_slot(&self, p: usize) -> Slot {
        Slot {
            hasher: None,
            busy: false,
            fed: self.map.piece_range(p).start,
            pending: Vec::new(),
        }
    }

    fn feed(&self, p: usize, r: Range<u64>, data: &[u8], src: &dyn Source, io: &mut WorkerIo) {
        let mut g = self.shard(p);
        if g.state(p) != State::Todo {
            return;
        }
        let slot = match g.live.entry(p) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => e.insert(self.new_slot(p)),
        };
        if slot.busy || slot.fed != r.start {
            push_pending(&mut slot.pending, r);
            return;
        }
        let mut h = slot.hasher.take().unwrap_or_default();
        slot.busy = true;
        drop(g);
        h.update(data);
        let mut g = self.shard(p);
        // A busy slot is never removed, so it is still there.
        let Some(slot) = g.live.get_mut(&p) else {
            return;
        };
        slot.busy = false;
        slot.fed = r.end;
        slot.hasher = Some(h);
        self.catch_up(p, g, src, io);
    }

    /// Records piece `p`'s digest: passed or mismatched.
    fn settle(&self, g: &mut Shard, p: usize, digest: [u8; 20]) {
        let state = match self.expected {
            Some(e) if e.get(p) != Some(&digest) => State::Mismatch,
            Some(_) => State::Passed,
            None => {
                if let Some(d) = g.digests.get_mut(p / SHARDS) {
                    *d = digest;
                }
                State::Passed
            }
        };
        g.set(p, state);
    }

    /// Whether piece jobs are hashed in multi-buffer lanes.
    pub fn lanes(&self) -> bool {
        self.lanes.is_some()
    }

    /// Most piece jobs a worker should take at once: enough to fill the
    /// lanes when they are used, else `default`.
    pub fn run_len(&self, default: usize) -> usize {
        // Even with two lanes, a run fills a MultiHasher (16 messages): a
        // pair whose pieces end together takes the next two at once, and
        // the worker reads its 16 pieces sequentially either way.
        if self.lanes.is_some() {
            multibuffer::LANES
        } else {
            default
        }
    }

    /// Runs piece jobs, several at once where that is faster: the pieces
    /// whose bytes no stream delivers, all in the page cache, are hashed in
    /// place in multi-buffer lanes (16 pieces per core-pass with AVX-512, 2
    /// with interleaved SHA-NI: [`multibuffer`]; a piece across files as
    /// one message in parts); the others one by one ([`Self::start`]).
    pub fn start_many(&self, run: &[usize], src: &dyn Source, io: &mut WorkerIo) {
        let kernel = match self.lanes {
            Some(k)
                if k.for_busy::<MbSha1>(run.len().min(multibuffer::LANES)) != Kernel::Single =>
            {
                k
            }
            _ => Kernel::Single,
        };
        if kernel == Kernel::Single {
            for &p in run {
                self.start(p, src, io);
            }
            return;
        }
        let mut claimed: Vec<(usize, Vec<Mapped>)> = Vec::new();
        for &p in run {
            match self.claim_mapped(p, src, io) {
                Some(c) => claimed.push((p, c)),
                None => self.start(p, src, io),
            }
        }
        if claimed.is_empty() {
            return;
        }
        // Checked available in Pieces::new, so never the default.
        let mut lanes = MultiHasher::<MbSha1, usize>::with_kernel(kernel).unwrap_or_default();
        let mut next = 0;
        let mut digests = Vec::with_capacity(claimed.len());
        // Per claimed piece: bytes hashed, whether done, and how far each
        // part's mapping has been dropped (see `drop_hashed`).
        let mut hashed = vec![0u64; claimed.len()];
        let mut finished = vec![false; claimed.len()];
        let mut dropped: Vec<Vec<usize>> = claimed.iter().map(|c| vec![0; c.1.len()]).collect();
        loop {
            while next < claimed.len() {
                let parts = claimed[next].1.iter().map(|m| &m.map[..]).collect();
                if lanes.push_parts(next, parts).is_err() {
                    break;
                }
                next += 1;
            }
            // Too few lanes left busy: the stragglers go faster in fewer
            // lanes or one by one.
            if next == claimed.len() {
                let _ = lanes.set_kernel(kernel.for_busy::<MbSha1>(lanes.busy()));
            }
            if lanes.busy() == 0 {
                break;
            }
            let (blocks, done) = lanes.step_at_most(super::lanes::STEP_BLOCKS);
            for i in (0..next).filter(|&i| !finished[i]) {
                hashed[i] += blocks as u64 * 64;
                let mut part_start = 0u64;
                for (m, d) in claimed[i].1.iter().zip(&mut dropped[i]) {
                    let upto = hashed[i].saturating_sub(part_start) as usize;
                    drop_hashed(&m.map, upto, d);
                    part_start += m.map.len() as u64;
                }
            }
            for &(i, _) in &done {
                finished[i] = true;
            }
            digests.extend(done);
        }
        for (i, digest) in digests {
            let (p, spans) = &claimed[i];
            let mut g = self.shard(*p);
            g.live.remove(p);
            if let Some(m) = spans.iter().find(|m| m.guard.faulted()) {
                g.set(*p, State::Unreadable);
                drop(g);
                // The words for_each_block's readers give (super::io).
                let why = format!(
                    "{}: read error at byte {}: changed while being read: \
                     truncated under the reader",
                    src.file_info(m.file).rel,
                    m.offset
                );
                lock(&self.reasons).add(*p, why);
            } else {
                self.settle(&mut g, *p, digest);
                drop(g);
                let n = spans
                    .iter()
                    .map(|m| src.file_info(m.file).counted(m.offset, m.map.len() as u64))
                    .sum();
                src.count(n);
            }
        }
    }

    /// Claims piece `p` for hashing in place: if nobody has started it,
    /// no stream delivers any of its bytes, and all of them are in the page
    /// cache, returns the mapping of each file's part of it (guarded
    /// against truncation while it is read), with the piece marked busy.
    fn claim_mapped(&self, p: usize, src: &dyn Source, io: &mut WorkerIo) -> Option<Vec<Mapped>> {
        let mut parts = Vec::new();
        for s in self.map.spans(p).iter().filter(|s| s.length > 0) {
            let file = self.order[s.file];
            if src.file_info(file).self_serve(s.offset, s.length) != s.length {
                return None;
            }
            let map = src.map_resident(file, s.offset, s.length, io)?;
            let guard = super::sigbus::guard(&map)?;
            parts.push(Mapped {
                file,
                offset: s.offset,
                map,
                guard,
            });
        }
        let mut g = self.shard(p);
        if parts.is_empty() || g.state(p) != State::Todo || g.live.contains_key(&p) {
            return None;
        }
        let mut slot = self.new_slot(p);
        slot.busy = true;
        g.live.insert(p, slot);
        Some(parts)
    }

    /// Runs a piece job: starts a piece whose first bytes nobody delivers.
    pub fn start(&self, p: usize, src: &dyn Source, io: &mut WorkerIo) {
        let g = self.shard(p);
        if g.state(p) == State::Todo && !g.live.get(&p).is_some_and(|s| s.busy) {
            self.catch_up(p, g, src, io);
        }
    }

    /// Feeds piece `p` as far as bytes are available, then finishes it if
    /// complete. Called with its shard locked and the piece not busy.
    fn catch_up<'s>(
        &'s self,
        p: usize,
        mut g: MutexGuard<'s, Shard>,
        src: &dyn Source,
        io: &mut WorkerIo,
    ) {
        let range = self.map.piece_range(p);
        loop {
            let slot = match g.live.entry(p) {
                Entry::Occupied(e) => e.into_mut(),
                Entry::Vacant(e) => e.insert(self.new_slot(p)),
            };
            if slot.fed == range.end {
                let h = slot.hasher.take().unwrap_or_default();
                g.live.remove(&p);
                self.settle(&mut g, p, h.finalize().into());
                return;
            }
            let fed = slot.fed;
            let next = if let Some(i) = slot.pending.iter().position(|r| r.start == fed) {
                Some((slot.pending.remove(i), 0))
            } else {
                let span = self.map.spans_of_range(fed..range.end);
                span.first()
                    .map(|s| {
                        let info = src.file_info(self.order[s.file]);
                        let n = info.self_serve(s.offset, s.length);
                        (n, info.counted(s.offset, n))
                    })
                    .filter(|&(n, _)| n > 0)
                    .map(|(n, count)| (fed..fed + n, count))
            };
            let Some((r, count)) = next else {
                // Nothing fed and nothing waiting: no need to keep a slot.
                if slot.hasher.is_none() && slot.pending.is_empty() {
                    g.live.remove(&p);
                }
                return;
            };
            let mut h = slot.hasher.take().unwrap_or_default();
            slot.busy = true;
            drop(g);
            let result = self.read_range(r.clone(), count, &mut h, src, io);
            g = self.shard(p);
            match result {
                Ok(()) => {
                    // A busy slot is never removed, so it is still there.
                    let Some(slot) = g.live.get_mut(&p) else {
                        return;
                    };
                    slot.busy = false;
                    slot.fed = r.end;
                    slot.hasher = Some(h);
                }
                Err(e) => {
                    g.live.remove(&p);
                    g.set(p, State::Unreadable);
                    lock(&self.reasons).add(p, e.0);
                    return;
                }
            }
        }
    }

    fn read_range(
        &self,
        r: Range<u64>,
        mut count: u64,
        h: &mut Sha1,
        src: &dyn Source,
        io: &mut WorkerIo,
    ) -> Result<(), ReadError> {
        for s in self.map.spans_of_range(r) {
            let c = count.min(s.length);
            count -= c;
            src.read_into(self.order[s.file], s.offset, s.length, c, io, &mut |b| {
                h.update(b)
            })?;
        }
        Ok(())
    }

    /// Marks pieces that never got all their bytes, saying why.
    pub fn finish_incomplete(
        &self,
        files: &[FileInfo],
        stream_error: &dyn Fn(usize) -> Option<String>,
    ) {
        for p in 0..self.map.piece_count() {
            let mut g = self.shard(p);
            if g.state(p) != State::Todo {
                continue;
            }
            let fed = g
                .live
                .remove(&p)
                .map_or(self.map.piece_range(p).start, |s| s.fed);
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
            g.set(p, State::Unreadable);
            lock(&self.reasons).add(p, why);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_merge_runs_in_any_order() {
        let mut r = Reasons::default();
        // Workers finish pieces out of order; a run closes its gaps.
        for p in [3, 0, 2, 1, 5, 4] {
            r.add(p, "a is missing".into());
        }
        r.add(6, "b is missing".into());
        r.add(8, "a is missing".into());
        assert_eq!(r.texts.len(), 2, "each message once");
        let runs: Vec<(usize, usize, u32)> = r.runs.iter().map(|(&s, &(e, i))| (s, e, i)).collect();
        assert_eq!(runs, vec![(0, 6, 0), (6, 7, 1), (8, 9, 0)]);
        assert_eq!(r.of(4), Some((0..6, 0)));
        assert_eq!(r.of(7), None);
        assert_eq!(r.of(8), Some((8..9, 0)));
    }
}
