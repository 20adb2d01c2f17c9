//! The machinery behind [`super::engine::run`]: setup (stat, cache lookup),
//! the worker pool, and assembling the report.
//!
//! Work units:
//! - a *stream* is a file whose SHA-256 and/or git blob SHA-1 must be
//!   computed; it is hashed strictly in order, one chunk at a time, by
//!   whichever worker picks it up (the hasher state moves between threads).
//!   Each block read also goes to the pieces it belongs to ([`super::pieces`]).
//! - a *piece job* reads a piece whose first byte lies in a file that no
//!   stream reads (pieces-only runs, or files whose digests are cached), or
//!   before the point a resumed stream continues from.
//!
//! Workers pick the idle stream with the most bytes left (staying on their
//! last one while it is within `STICKY` of that, so each file is read in
//! long sequential runs), then piece jobs in runs of consecutive pieces.
//! Chunks are small (8 MiB) next to files (GiBs), so the schedule is close
//! to the optimum for chains on two cores: max(total/2, longest file).
//!
//! Siblings: [`super::io`] reads bytes, [`super::checkpoint`] talks to the
//! cache during the run, [`super::report`] assembles the result.

use std::collections::{BinaryHeap, VecDeque};
use std::fs::File;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256};

use super::cache::{Cache, Fingerprint};
use super::checkpoint::{cached_pieces, piece_set_id, resume_from};
use super::engine::{CacheMode, FileStatus, HashPlan, HashReport, Progress};
use super::io::{file_resident, for_each_block, WorkerIo};
use super::lanes::LaneKernel;
use super::multibuffer::{self, Kernel};
use super::pieces::Pieces;
use crate::torrent::pieces::PieceMap;
use crate::Result;

/// Bytes a stream is hashed in before its worker looks for other work.
#[cfg(not(test))]
const CHUNK: u64 = 8 << 20;
/// Tiny in unit tests, so small fixtures cross many chunk boundaries.
#[cfg(test)]
const CHUNK: u64 = 12 << 10;
/// Bytes fed to the digests at a time: small enough that a block stays in
/// L2 cache while every digest that needs it runs over it.
#[cfg(not(test))]
pub(super) const BLOCK: usize = 256 << 10;
#[cfg(test)]
pub(super) const BLOCK: usize = 4 << 10;
/// How many more bytes another stream must have left before a worker
/// leaves its current one (see `next_unit`).
const STICKY: u64 = 256 << 20;
/// Most piece jobs a worker takes at once (see `next_unit`), unless they
/// are hashed in multi-buffer lanes (`Pieces::run_len`).
const PIECE_RUN: usize = 8;
/// Progress is reported when the byte count crosses a multiple of this.
const PROGRESS_STEP: u64 = 32 << 20;
/// How often the cache is written during a run, for resuming after Ctrl-C.
pub(super) const SAVE_EVERY: Duration = Duration::from_secs(2);

/// Per-file facts gathered before hashing.
pub(super) struct FileInfo {
    pub rel: String,
    pub abs: PathBuf,
    pub expected: u64,
    pub fingerprint: Option<Fingerprint>,
    pub status: FileStatus,
    pub error: Option<String>,
    /// Whether a stream reads this file (so pieces wait for its delivery,
    /// unless `pieces_apart`).
    pub stream: bool,
    /// Whether pieces read this file themselves although a stream reads it
    /// too: when the page cache holds all of it, a second read costs little
    /// next to hashing, and pieces hashed 16 at a time in multi-buffer lanes
    /// cost a fraction of feeding each stream block to one SHA-1. Such reads
    /// are not counted as progress (the stream's are).
    pub pieces_apart: bool,
    /// Whether the page cache held all of the file when the run began;
    /// looked at only for streams, and only where lanes could use it.
    pub resident: bool,
    /// Where the stream starts: past 0 when resuming an interrupted run;
    /// pieces read the bytes before it themselves.
    pub stream_start: u64,
    pub cached_sha256: Option<String>,
    pub cached_git: Option<String>,
    pub need_sha256: bool,
    pub need_git: bool,
    /// MD5 is never cached (an MD5 list is rare and the cache's format
    /// would need a new field and its partial states a new hasher), so a
    /// file that needs it is always read, from the start.
    pub need_md5: bool,
}

impl FileInfo {
    /// How many of the `len` bytes at `offset` pieces must read themselves
    /// (the rest a stream delivers).
    pub fn self_serve(&self, offset: u64, len: u64) -> u64 {
        if self.stream && !self.pieces_apart {
            len.min(self.stream_start.saturating_sub(offset))
        } else {
            len
        }
    }

    /// How many of the `len` bytes at `offset` count as progress when
    /// pieces read them: those no stream reads.
    pub fn counted(&self, offset: u64, len: u64) -> u64 {
        if self.stream {
            len.min(self.stream_start.saturating_sub(offset))
        } else {
            len
        }
    }

    /// Bytes on disk, if the file exists and is a regular file.
    pub fn actual(&self) -> Option<u64> {
        self.fingerprint.map(|f| f.size)
    }

    /// Why bytes `[offset, offset+len)` of this file cannot be read, if so.
    pub fn unavailable(&self, offset: u64, len: u64) -> Option<String> {
        match (self.status, self.actual()) {
            (FileStatus::Missing, _) => Some(format!("{} is missing", self.rel)),
            (FileStatus::Unreadable, _) | (_, None) => Some(format!(
                "{}: {}",
                self.rel,
                self.error.as_deref().unwrap_or("unreadable")
            )),
            (_, Some(actual)) if offset + len > actual => Some(format!(
                "{} is short: {actual} of {} bytes",
                self.rel, self.expected
            )),
            _ => None,
        }
    }
}

pub(super) struct StreamState {
    pub file: File,
    pub pos: u64,
    pub sha256: Option<Sha256>,
    pub git: Option<Sha1>,
    pub md5: Option<Md5>,
}

/// Hasher states to continue an interrupted file from.
pub(super) struct Resume {
    pub pos: u64,
    pub sha256: Option<Sha256>,
    pub git: Option<Sha1>,
}

pub(super) enum Phase {
    Unopened(Option<Box<Resume>>),
    Idle(Box<StreamState>),
    Busy,
    Done,
}

pub(super) struct Stream {
    pub file: usize,
    pub end: u64,
    pub pos: u64,
    pub phase: Phase,
}

#[derive(Default)]
pub(super) struct Sched {
    pub streams: Vec<Stream>,
    /// Waiting streams by bytes left (largest first), plus entries left
    /// behind by workers that stayed on a stream (see `next_unit`).
    pub idle: BinaryHeap<(u64, usize)>,
    /// Runs of consecutive piece jobs (millions of pieces of a missing
    /// file are one run, not millions of entries).
    pub piece_jobs: VecDeque<Range<usize>>,
    /// How many pieces `piece_jobs` holds.
    pub piece_jobs_left: usize,
    /// Streams that may be hashed whole in SHA-256 lanes, smallest first
    /// (see [`super::lanes`]); each is also in `idle`, and whichever path
    /// takes it first marks it busy.
    pub lane_pool: Vec<usize>,
}

enum Unit {
    Chunk {
        stream: usize,
        state: std::result::Result<Box<StreamState>, Option<Box<Resume>>>,
        pos: u64,
        end: u64,
    },
    /// Consecutive piece jobs, done in order by one worker.
    Pieces(Vec<usize>),
    /// Whole files for SHA-256 lanes.
    Lanes(Vec<usize>),
}

#[derive(Default, Clone)]
pub(super) struct Digests {
    pub sha256: Option<[u8; 32]>,
    pub git: Option<[u8; 20]>,
    pub md5: Option<[u8; 16]>,
    pub error: Option<String>,
    pub done: bool,
}

pub(super) struct Saver {
    pub cache: Cache,
    pub last: Instant,
    /// Grows with the time a save takes, so a huge cache costs at most ~5 %
    /// of one core.
    pub every: Duration,
    pub warning: Option<String>,
}

pub(super) struct Job<'a> {
    pub files: Vec<FileInfo>,
    pub pieces: Option<Pieces<'a>>,
    pub sched: Mutex<Sched>,
    pub digests: Mutex<Vec<Digests>>,
    pub done: AtomicU64,
    pub total: u64,
    pub progress: &'a (dyn Fn(Progress) + Sync),
    pub saver: Option<Mutex<Saver>>,
    pub run_start_ns: i64,
    pub piece_set_id: Option<String>,
    pub stop: Option<&'static AtomicBool>,
    /// Set when a worker stopped on `stop` with work left.
    pub cut_short: AtomicBool,
    /// The kernel for whole files in SHA-256 lanes, if one pays here.
    pub lanes_kernel: Option<LaneKernel>,
}

pub(super) fn execute(
    root: &Path,
    plan: &HashPlan,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<HashReport> {
    let started = Instant::now();
    let run_start_ns = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX));

    let (cache, mut cache_warning) = match plan.cache {
        CacheMode::Off => (None, None),
        CacheMode::On | CacheMode::Full => {
            match plan
                .cache_file
                .clone()
                .or_else(|| Cache::default_path(root))
            {
                Some(path) => {
                    let (c, w) = Cache::open(path, root);
                    (Some(c), w)
                }
                None => (
                    None,
                    Some("no cache directory ($XDG_CACHE_HOME and $HOME unset)".into()),
                ),
            }
        }
    };
    let reuse = plan.cache == CacheMode::On;
    let cache_file = cache.as_ref().map(|c| c.path().to_path_buf());

    let mut files: Vec<FileInfo> = plan.files.iter().map(|f| stat_file(root, f)).collect();
    if let (Some(c), true) = (&cache, reuse) {
        for (info, pf) in files.iter_mut().zip(&plan.files) {
            if let Some(e) = info.fingerprint.and_then(|fp| c.file(&info.rel, &fp)) {
                if pf.sha256 {
                    info.cached_sha256 = e.sha256.clone();
                }
                if pf.git_blob {
                    info.cached_git = e.git_blob_sha1.clone();
                }
            }
        }
    }
    let mut resumes: Vec<Option<Box<Resume>>> = Vec::with_capacity(files.len());
    for (info, pf) in files.iter_mut().zip(&plan.files) {
        info.need_sha256 = pf.sha256 && info.cached_sha256.is_none();
        info.need_git = pf.git_blob && info.cached_git.is_none();
        info.need_md5 = pf.md5;
        info.stream =
            info.fingerprint.is_some() && (info.need_sha256 || info.need_git || info.need_md5);
        // Saved partial states hold no MD5 hasher: such a file starts over.
        let resume = match (
            &cache,
            info.fingerprint,
            reuse && info.stream && !info.need_md5,
        ) {
            (Some(c), Some(fp), true) => c
                .partial(&info.rel, &fp)
                .and_then(|p| resume_from(p, info.need_sha256, info.need_git)),
            _ => None,
        };
        info.stream_start = resume.as_ref().map_or(0, |r| r.pos);
        resumes.push(resume);
    }

    let piece_set_id = plan.pieces.as_ref().and_then(|p| {
        p.hashes
            .as_ref()
            .map(|h| piece_set_id(p.piece_length, &p.files, h, plan))
    });
    let pieces = plan.pieces.as_ref().map(|p| {
        let map = PieceMap::new(
            p.piece_length,
            p.files.iter().map(|&i| plan.files[i].size).collect(),
        );
        let cached: Vec<bool> = match (&cache, &piece_set_id, reuse) {
            (Some(c), Some(id), true) => cached_pieces(c.piece_set(id), &map, &p.files, &files),
            _ => vec![false; map.piece_count()],
        };
        Pieces::new(
            map,
            p.files.clone(),
            p.hashes.as_ref(),
            cached,
            plan.kernel
                .unwrap_or_else(Kernel::best_for::<multibuffer::Sha1>),
        )
    });

    let mut sched = Sched::default();
    let mut total = 0u64;
    for ((i, info), resume) in files.iter().enumerate().zip(resumes) {
        if info.stream {
            let end = info.actual().unwrap_or(0);
            let pos = info.stream_start;
            total += end - pos;
            sched.idle.push((end - pos, sched.streams.len()));
            sched.streams.push(Stream {
                file: i,
                end,
                pos,
                phase: Phase::Unopened(resume),
            });
        }
    }
    let lanes_kernel = LaneKernel::new(plan.kernel);
    if lanes_kernel.is_some() || pieces.as_ref().is_some_and(Pieces::lanes) {
        for info in files.iter_mut().filter(|i| i.stream) {
            info.resident = info
                .actual()
                .is_some_and(|size| file_resident(&info.abs, size));
        }
    }
    if let Some(p) = &pieces {
        if p.lanes() {
            for (i, info) in files.iter_mut().enumerate() {
                info.pieces_apart = info.stream && p.stream_offset(i).is_some() && info.resident;
            }
        }
        let (jobs, self_serve_bytes) = p.jobs(&files);
        sched.piece_jobs_left = jobs.iter().map(ExactSizeIterator::len).sum();
        sched.piece_jobs = jobs.into();
        total += self_serve_bytes;
    }

    if let Some(lk) = &lanes_kernel {
        let pool: Vec<(u64, usize)> = sched
            .streams
            .iter()
            .enumerate()
            .filter(|(_, st)| {
                let info = &files[st.file];
                let delivers = pieces
                    .as_ref()
                    .is_some_and(|p| p.stream_offset(st.file).is_some() && !info.pieces_apart);
                matches!(st.phase, Phase::Unopened(None))
                    && st.end > 0
                    && info.need_sha256
                    && !info.need_git
                    && !info.need_md5
                    && !delivers
                    && info.resident
            })
            .map(|(i, st)| (st.end, i))
            .collect();
        sched.lane_pool = lk.choose(pool, rayon::current_num_threads());
    }

    let saver = cache.map(|cache| {
        Mutex::new(Saver {
            cache,
            last: Instant::now(),
            every: SAVE_EVERY,
            warning: None,
        })
    });
    let job = Job {
        digests: Mutex::new(vec![Digests::default(); files.len()]),
        files,
        pieces,
        sched: Mutex::new(sched),
        done: AtomicU64::new(0),
        total,
        progress,
        saver,
        run_start_ns,
        piece_set_id,
        stop: plan.stop,
        cut_short: AtomicBool::new(false),
        lanes_kernel,
    };
    progress(Progress {
        bytes_done: 0,
        bytes_total: total,
    });
    let workers = rayon::current_num_threads().max(1);
    rayon::scope(|s| {
        for _ in 0..workers {
            s.spawn(|_| job.worker());
        }
    });
    // An interrupted run's unfinished pieces are "not checked", not failed.
    if let (Some(p), false) = (&job.pieces, job.cut_short.load(Ordering::Relaxed)) {
        let digests = lock(&job.digests).clone();
        p.finish_incomplete(&job.files, &|i| digests[i].error.clone());
    }
    let bytes_hashed = job.done.load(Ordering::Relaxed);
    progress(Progress {
        bytes_done: bytes_hashed,
        bytes_total: total.max(bytes_hashed),
    });
    if let Some(s) = &job.saver {
        let mut s = lock(s);
        job.snapshot(&mut s.cache);
        if let Err(e) = s.cache.save() {
            s.warning = Some(format!(
                "{}: cannot write the cache: {e}",
                s.cache.path().display()
            ));
        }
        cache_warning = cache_warning.or(s.warning.take());
    }
    Ok(job.report(
        plan,
        bytes_hashed,
        started.elapsed(),
        cache_file,
        cache_warning,
    ))
}

pub(super) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A worker that panicked mid-update cannot leave these structures in a
    // state worse than "incomplete", which the report already handles.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn stat_file(root: &Path, f: &super::engine::PlanFile) -> FileInfo {
    let abs = root.join(&f.path);
    let mut info = FileInfo {
        rel: f.path.clone(),
        abs,
        expected: f.size,
        fingerprint: None,
        status: FileStatus::Ok,
        error: None,
        stream: false,
        pieces_apart: false,
        resident: false,
        stream_start: 0,
        cached_sha256: None,
        cached_git: None,
        need_sha256: false,
        need_git: false,
        need_md5: false,
    };
    match std::fs::metadata(&info.abs) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => info.status = FileStatus::Missing,
        Err(e) => {
            info.status = FileStatus::Unreadable;
            info.error = Some(e.to_string());
        }
        Ok(m) if !m.is_file() => {
            info.status = FileStatus::Unreadable;
            info.error = Some("not a regular file".into());
        }
        Ok(m) => {
            let fp = Fingerprint::of(&m);
            info.status = match fp.size.cmp(&f.size) {
                std::cmp::Ordering::Equal => FileStatus::Ok,
                std::cmp::Ordering::Less => FileStatus::Short,
                std::cmp::Ordering::Greater => FileStatus::Long,
            };
            info.fingerprint = Some(fp);
        }
    }
    info
}

impl Job<'_> {
    fn worker(&self) {
        let mut io = WorkerIo::new();
        // Streams' own buffer: piece reads (through `io`) can happen while
        // a stream's block is being delivered.
        let mut buf = Vec::new();
        let mut last = None;
        while let Some(unit) = self.next_unit(last) {
            match unit {
                Unit::Chunk {
                    stream,
                    state,
                    pos,
                    end,
                } => {
                    let state = self.run_chunk(stream, state, pos, end, &mut io, &mut buf);
                    self.return_stream(stream, state);
                    last = Some(stream);
                }
                Unit::Pieces(run) => {
                    if let Some(pieces) = &self.pieces {
                        pieces.start_many(&run, self, &mut io);
                    }
                }
                Unit::Lanes(group) => {
                    if let Some(lk) = &self.lanes_kernel {
                        self.run_lanes(group, lk);
                    }
                }
            }
            self.maybe_save();
        }
    }

    /// The next unit for a worker whose last stream was `last`.
    fn next_unit(&self, last: Option<usize>) -> Option<Unit> {
        let mut s = lock(&self.sched);
        if self.stop.is_some_and(|f| f.load(Ordering::Relaxed)) {
            let waiting = s
                .streams
                .iter()
                .any(|st| matches!(st.phase, Phase::Idle(_) | Phase::Unopened(_)));
            if waiting || s.piece_jobs_left > 0 {
                self.cut_short.store(true, Ordering::Relaxed);
            }
            return None;
        }
        // Stay with the last stream unless another has clearly more left:
        // long sequential runs per file let the kernel's readahead work on
        // a cold cache. Staying leaves the stream's heap entry behind with
        // its old byte count; such an entry is still taken when popped if
        // its stream is waiting, which keeps workers on their files longer
        // than STICKY alone. Tried and measured slower on a cold cache
        // (8-15 %, `COLD=1 scripts/bench-verify.sh`): dropping those entries,
        // and fixed runs of up to 1 GiB per pick.
        if let Some(group) = self
            .lanes_kernel
            .as_ref()
            .and_then(|k| s.take_lane_group(k))
        {
            return Some(Unit::Lanes(group));
        }
        let top = s.idle.peek().map_or(0, |&(left, _)| left);
        let mut stay = last.filter(|&i| {
            let st = &s.streams[i];
            matches!(st.phase, Phase::Idle(_)) && st.end - st.pos + STICKY >= top
        });
        while let Some(i) = stay.take().or_else(|| s.idle.pop().map(|(_, i)| i)) {
            let st = &mut s.streams[i];
            let state = match std::mem::replace(&mut st.phase, Phase::Busy) {
                Phase::Unopened(resume) => Err(resume),
                Phase::Idle(state) => Ok(state),
                other => {
                    st.phase = other;
                    continue;
                }
            };
            let end = (st.pos + CHUNK).min(st.end);
            return Some(Unit::Chunk {
                stream: i,
                state,
                pos: st.pos,
                end,
            });
        }
        // Runs of consecutive pieces, so that each worker reads its files
        // sequentially and the kernel's readahead keeps ahead of it (pieces
        // handed out one by one make every worker's reads strided); shorter
        // towards the end, so the workers finish together.
        let left = s.piece_jobs_left;
        let most = self
            .pieces
            .as_ref()
            .map_or(PIECE_RUN, |p| p.run_len(PIECE_RUN));
        let want = if most > PIECE_RUN {
            // Multi-buffer lanes: a run fills them; what is left at the end is
            // shared evenly between the workers, so they finish together with
            // lanes as full as it allows (runs shrinking early left the lanes
            // half empty with 122 pieces on 2 cores).
            left.div_ceil(rayon::current_num_threads().max(1))
                .clamp(1, most)
                .min(left)
        } else {
            (left / 8).clamp(1, most).min(left)
        };
        let mut run = Vec::with_capacity(want);
        while run.len() < want {
            let Some(r) = s.piece_jobs.front_mut() else {
                break;
            };
            match r.next() {
                Some(p) => run.push(p),
                None => {
                    s.piece_jobs.pop_front();
                }
            }
        }
        s.piece_jobs_left -= run.len();
        (!run.is_empty()).then_some(Unit::Pieces(run))
    }

    fn return_stream(&self, i: usize, state: std::result::Result<Box<StreamState>, String>) {
        let finished = {
            let mut s = lock(&self.sched);
            let st = &mut s.streams[i];
            match state {
                Ok(state) if state.pos < st.end => {
                    st.pos = state.pos;
                    st.phase = Phase::Idle(state);
                    let left = st.end - st.pos;
                    s.idle.push((left, i));
                    None
                }
                Ok(state) => {
                    st.phase = Phase::Done;
                    Some(Ok(state))
                }
                Err(e) => {
                    st.phase = Phase::Done;
                    Some(Err(e))
                }
            }
        };
        let Some(result) = finished else { return };
        let file = lock(&self.sched).streams[i].file;
        let mut d = lock(&self.digests);
        let d = &mut d[file];
        d.done = true;
        match result {
            Ok(state) => {
                d.sha256 = state.sha256.map(|h| h.finalize().into());
                d.git = state.git.map(|h| h.finalize().into());
                d.md5 = state.md5.map(|h| h.finalize().into());
            }
            Err(e) => d.error = Some(e),
        }
    }

    fn run_chunk(
        &self,
        stream: usize,
        state: std::result::Result<Box<StreamState>, Option<Box<Resume>>>,
        pos: u64,
        end: u64,
        io: &mut WorkerIo,
        buf: &mut Vec<u8>,
    ) -> std::result::Result<Box<StreamState>, String> {
        let fi = lock(&self.sched).streams[stream].file;
        let info = &self.files[fi];
        let mut st = match state {
            Ok(st) => st,
            Err(Some(resume)) => Box::new(StreamState {
                file: crate::paths::open_regular(&info.abs).map_err(|e| e.to_string())?,
                pos: resume.pos,
                sha256: resume.sha256,
                git: resume.git,
                // Never resumed when MD5 is wanted (see `need_md5`).
                md5: None,
            }),
            Err(None) => {
                let file = crate::paths::open_regular(&info.abs).map_err(|e| e.to_string())?;
                let mut git = info.need_git.then(Sha1::new);
                if let Some(g) = &mut git {
                    g.update(format!("blob {}\0", info.actual().unwrap_or(0)).as_bytes());
                }
                Box::new(StreamState {
                    file,
                    pos,
                    sha256: info.need_sha256.then(Sha256::new),
                    git,
                    md5: info.need_md5.then(Md5::new),
                })
            }
        };
        let torrent = self
            .pieces
            .as_ref()
            .filter(|_| !info.pieces_apart)
            .and_then(|p| p.stream_offset(fi).map(|off| (p, off)));
        let StreamState {
            file,
            pos: at,
            sha256,
            git,
            md5,
        } = &mut *st;
        let start = *at;
        for_each_block(file, start, end - start, buf, &mut |data| {
            if let Some(h) = sha256 {
                h.update(data);
            }
            if let Some(h) = git {
                h.update(data);
            }
            if let Some(h) = md5 {
                h.update(data);
            }
            if let Some((pieces, base)) = torrent {
                // Bytes past the torrent's length for this file belong to no piece.
                let usable = info.expected.saturating_sub(*at).min(data.len() as u64) as usize;
                if usable > 0 {
                    pieces.deliver(base + *at, &data[..usable], self, io);
                }
            }
            *at += data.len() as u64;
            self.advance(data.len() as u64);
        })
        .map_err(|e| format!("read error at byte {}: {e}", *at))?;
        Ok(st)
    }

    /// Counts `n` more bytes read and reports progress every few MiB.
    pub(super) fn advance(&self, n: u64) {
        let old = self.done.fetch_add(n, Ordering::Relaxed);
        if old / PROGRESS_STEP != (old + n) / PROGRESS_STEP {
            (self.progress)(Progress {
                bytes_done: old + n,
                bytes_total: self.total.max(old + n),
            });
        }
    }
}
