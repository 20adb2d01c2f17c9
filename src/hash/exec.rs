//! The machinery behind [`super::engine::run`]: setup (stat, cache lookup),
//! the worker pool, and assembling the report.
//!
//! Work units:
//! - a *stream* is a file whose SHA-256 and/or git blob SHA-1 must be
//!   computed; it is hashed strictly in order, one chunk at a time, by
//!   whichever worker picks it up (the hasher state moves between threads).
//!   Each block read also goes to the pieces it belongs to ([`super::pieces`]).
//! - a *piece job* reads a piece whose first byte lies in a file that no
//!   stream reads (pieces-only runs, or files whose digests are cached).
//!
//! Workers pick the idle stream with the most bytes left, then piece jobs.
//! Chunks are small (8 MiB) next to files (GiBs), so the schedule is close
//! to the optimum for chains on two cores: max(total/2, longest file).

use std::collections::{BinaryHeap, VecDeque};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use memmap2::{Mmap, MmapOptions};
use sha1::Sha1;
use sha2::digest::common::hazmat::{SerializableState, SerializedState};
use sha2::{Digest, Sha256};

use super::cache::{encode_bitmap, Cache, Fingerprint, PartialEntry, PieceSetEntry};
use super::engine::{
    BadPiece, CacheMode, FileReport, FileStatus, HashPlan, HashReport, PieceReport, Progress, Span,
};
use super::pieces::{PieceOutcome, Pieces, ReadError};
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
const BLOCK: usize = 256 << 10;
#[cfg(test)]
const BLOCK: usize = 4 << 10;
/// Progress is reported when the byte count crosses a multiple of this.
const PROGRESS_STEP: u64 = 32 << 20;
/// How often the cache is written during a run, for resuming after Ctrl-C.
const SAVE_EVERY: Duration = Duration::from_secs(2);

/// Per-file facts gathered before hashing.
pub(super) struct FileInfo {
    pub rel: String,
    pub abs: PathBuf,
    pub expected: u64,
    pub fingerprint: Option<Fingerprint>,
    pub status: FileStatus,
    pub error: Option<String>,
    /// Whether a stream reads this file (so pieces wait for its delivery).
    pub stream: bool,
    /// Where the stream starts: past 0 when resuming an interrupted run;
    /// pieces read the bytes before it themselves.
    pub stream_start: u64,
    cached_sha256: Option<String>,
    cached_git: Option<String>,
    need_sha256: bool,
    need_git: bool,
}

impl FileInfo {
    /// How many of the `len` bytes at `offset` pieces must read themselves
    /// (the rest a stream delivers).
    pub fn self_serve(&self, offset: u64, len: u64) -> u64 {
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

struct StreamState {
    file: File,
    pos: u64,
    sha256: Option<Sha256>,
    git: Option<Sha1>,
}

/// Hasher states to continue an interrupted file from.
struct Resume {
    pos: u64,
    sha256: Option<Sha256>,
    git: Option<Sha1>,
}

enum Phase {
    Unopened(Option<Box<Resume>>),
    Idle(Box<StreamState>),
    Busy,
    Done,
}

struct Stream {
    file: usize,
    end: u64,
    pos: u64,
    phase: Phase,
}

#[derive(Default)]
struct Sched {
    streams: Vec<Stream>,
    /// Idle streams by bytes left (largest first).
    idle: BinaryHeap<(u64, usize)>,
    piece_jobs: VecDeque<usize>,
}

enum Unit {
    Chunk {
        stream: usize,
        state: std::result::Result<Box<StreamState>, Option<Box<Resume>>>,
        pos: u64,
        end: u64,
    },
    Piece(usize),
}

#[derive(Default, Clone)]
struct Digests {
    sha256: Option<[u8; 32]>,
    git: Option<[u8; 20]>,
    error: Option<String>,
    done: bool,
}

struct Saver {
    cache: Cache,
    last: Instant,
    /// Grows with the time a save takes, so a huge cache costs at most ~5 %
    /// of one core.
    every: Duration,
    warning: Option<String>,
}

pub(super) struct Job<'a> {
    pub files: Vec<FileInfo>,
    pieces: Option<Pieces<'a>>,
    sched: Mutex<Sched>,
    digests: Mutex<Vec<Digests>>,
    done: AtomicU64,
    total: u64,
    progress: &'a (dyn Fn(Progress) + Sync),
    saver: Option<Mutex<Saver>>,
    run_start_ns: i64,
    piece_set_id: Option<String>,
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
        info.stream = info.fingerprint.is_some() && (info.need_sha256 || info.need_git);
        let resume = match (&cache, info.fingerprint, reuse && info.stream) {
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
        Pieces::new(map, p.files.clone(), p.hashes.as_deref(), cached)
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
    if let Some(p) = &pieces {
        let (jobs, self_serve_bytes) = p.jobs(&files);
        sched.piece_jobs = jobs.into();
        total += self_serve_bytes;
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
    if let Some(p) = &job.pieces {
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

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
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
        stream_start: 0,
        cached_sha256: None,
        cached_git: None,
        need_sha256: false,
        need_git: false,
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

/// Identifies a piece set: piece length, file paths and sizes, expected hashes.
fn piece_set_id(
    piece_length: u64,
    order: &[usize],
    hashes: &[[u8; 20]],
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
    for x in hashes {
        h.update(x);
    }
    hex::encode(h.finalize())
}

/// Hasher states from a cache entry, if they cover every digest needed.
fn resume_from(p: &PartialEntry, need_sha256: bool, need_git: bool) -> Option<Box<Resume>> {
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

fn cached_pieces(
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

/// Per-worker reusable state: a few open files for piece reads.
pub(super) struct WorkerIo {
    open: Vec<(usize, File)>,
}

impl WorkerIo {
    fn new() -> Self {
        WorkerIo { open: Vec::new() }
    }

    /// An open handle for plan file `i`, kept for later reads.
    fn file(&mut self, i: usize, path: &Path) -> std::io::Result<&File> {
        if let Some(pos) = self.open.iter().position(|(j, _)| *j == i) {
            return Ok(&self.open[pos].1);
        }
        let f = File::open(path)?;
        if self.open.len() >= 8 {
            self.open.remove(0);
        }
        self.open.push((i, f));
        Ok(&self.open[self.open.len() - 1].1)
    }
}

/// Maps `len` bytes of `file` at `offset` for reading.
///
/// Why mmap and not read(2): on this 2-vCPU VM, hashing 2.04 GB of
/// page-cached data with SHA-1 on both cores cost 1.23-1.37 s user +
/// 0.28-0.38 s sys with 256 KiB pread()s, against 1.37 s user + 0.09-0.11 s
/// sys when mapped (the kernel's copy into the buffer is the difference):
/// ~10 % less CPU, which is the margin between reaching and missing the
/// hash ceiling. Chunks are mapped and unmapped one at a time so resident
/// memory stays flat.
///
/// The size is checked first: touching a mapping past the end of a file
/// that another process truncated raises SIGBUS, so a file that has already
/// shrunk is reported as an error instead. (A truncation racing with the
/// read itself can still kill the process; weightcheck does not verify
/// files that are being written.)
fn map_range(file: &File, offset: u64, len: u64) -> std::io::Result<Mmap> {
    let size = file.metadata()?.len();
    if offset + len > size {
        return Err(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            format!("file shrank to {size} bytes while being read"),
        ));
    }
    let len = usize::try_from(len)
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidInput, "range too large"))?;
    // SAFETY: the mapping is read-only and private to the caller, and the
    // file's size was checked just above (see the SIGBUS note).
    unsafe { MmapOptions::new().offset(offset).len(len).map(file) }
}

impl Job<'_> {
    fn worker(&self) {
        let mut io = WorkerIo::new();
        while let Some(unit) = self.next_unit() {
            match unit {
                Unit::Chunk {
                    stream,
                    state,
                    pos,
                    end,
                } => {
                    let state = self.run_chunk(stream, state, pos, end, &mut io);
                    self.return_stream(stream, state);
                }
                Unit::Piece(p) => {
                    if let Some(pieces) = &self.pieces {
                        pieces.start(p, self, &mut io);
                    }
                }
            }
            self.maybe_save();
        }
    }

    fn next_unit(&self) -> Option<Unit> {
        let mut s = lock(&self.sched);
        while let Some((_, i)) = s.idle.pop() {
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
        s.piece_jobs.pop_front().map(Unit::Piece)
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
    ) -> std::result::Result<Box<StreamState>, String> {
        let fi = lock(&self.sched).streams[stream].file;
        let info = &self.files[fi];
        let mut st = match state {
            Ok(st) => st,
            Err(Some(resume)) => Box::new(StreamState {
                file: File::open(&info.abs).map_err(|e| e.to_string())?,
                pos: resume.pos,
                sha256: resume.sha256,
                git: resume.git,
            }),
            Err(None) => {
                let file = File::open(&info.abs).map_err(|e| e.to_string())?;
                let mut git = info.need_git.then(Sha1::new);
                if let Some(g) = &mut git {
                    g.update(format!("blob {}\0", info.actual().unwrap_or(0)).as_bytes());
                }
                Box::new(StreamState {
                    file,
                    pos,
                    sha256: info.need_sha256.then(Sha256::new),
                    git,
                })
            }
        };
        let torrent = self
            .pieces
            .as_ref()
            .and_then(|p| p.stream_offset(fi).map(|off| (p, off)));
        let map = map_range(&st.file, st.pos, end - st.pos)
            .map_err(|e| format!("read error at byte {}: {e}", st.pos))?;
        for data in map.chunks(BLOCK) {
            if let Some(h) = &mut st.sha256 {
                h.update(data);
            }
            if let Some(h) = &mut st.git {
                h.update(data);
            }
            if let Some((pieces, base)) = torrent {
                // Bytes past the torrent's length for this file belong to no piece.
                let usable = info.expected.saturating_sub(st.pos).min(data.len() as u64) as usize;
                if usable > 0 {
                    pieces.deliver(base + st.pos, &data[..usable], self, io);
                }
            }
            st.pos += data.len() as u64;
            self.advance(data.len() as u64);
        }
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

    fn maybe_save(&self) {
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
    fn snapshot(&self, cache: &mut Cache) {
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

    fn report(
        &self,
        plan: &HashPlan,
        bytes_hashed: u64,
        elapsed: Duration,
        cache_file: Option<PathBuf>,
        cache_warning: Option<String>,
    ) -> HashReport {
        let digests = lock(&self.digests).clone();
        let mut files: Vec<FileReport> = self
            .files
            .iter()
            .zip(&digests)
            .map(|(info, d)| {
                let complete = d.done && d.error.is_none();
                let sha256 = info
                    .cached_sha256
                    .clone()
                    .or_else(|| d.sha256.filter(|_| complete).map(hex::encode));
                let git_blob_sha1 = info
                    .cached_git
                    .clone()
                    .or_else(|| d.git.filter(|_| complete).map(hex::encode));
                let mut status = info.status;
                let error = info.error.clone().or_else(|| d.error.clone());
                if d.error.is_some() {
                    status = FileStatus::Unreadable;
                }
                FileReport {
                    path: info.rel.clone(),
                    expected_size: info.expected,
                    actual_size: info.actual(),
                    status,
                    error,
                    sha256,
                    git_blob_sha1,
                    from_cache: info.cached_sha256.is_some() || info.cached_git.is_some(),
                    failed_pieces: Vec::new(),
                }
            })
            .collect();
        let bytes_cached = self
            .files
            .iter()
            .filter(|i| i.cached_sha256.is_some() || i.cached_git.is_some())
            .filter_map(FileInfo::actual)
            .sum();

        let pieces = plan
            .pieces
            .as_ref()
            .zip(self.pieces.as_ref())
            .map(|(pp, p)| {
                let map = p.map();
                let mut failed = Vec::new();
                let mut digests_out = Vec::with_capacity(map.piece_count());
                let (mut passed, mut from_cache) = (0, 0);
                for i in 0..map.piece_count() {
                    let outcome = p.outcome(i);
                    digests_out.push(match &outcome {
                        PieceOutcome::Passed(d) | PieceOutcome::Mismatch(d) => Some(*d),
                        _ => None,
                    });
                    let (reason, detail) = match outcome {
                        PieceOutcome::Passed(_) => {
                            passed += 1;
                            continue;
                        }
                        PieceOutcome::Cached => {
                            passed += 1;
                            from_cache += 1;
                            continue;
                        }
                        PieceOutcome::Mismatch(_) => ("mismatch", None),
                        PieceOutcome::Unreadable(why) => ("unreadable", Some(why)),
                        PieceOutcome::Todo => ("unreadable", Some("not read".to_string())),
                    };
                    let spans: Vec<Span> = map
                        .spans(i)
                        .into_iter()
                        .map(|s| {
                            let fi = pp.files[s.file];
                            if files[fi].failed_pieces.last() != Some(&i) {
                                files[fi].failed_pieces.push(i);
                            }
                            Span {
                                path: plan.files[fi].path.clone(),
                                offset: s.offset,
                                length: s.length,
                            }
                        })
                        .collect();
                    failed.push(BadPiece {
                        index: i,
                        reason: reason.into(),
                        detail,
                        stream_offset: map.piece_range(i).start,
                        spans,
                    });
                }
                PieceReport {
                    piece_length: map.piece_length(),
                    count: map.piece_count(),
                    passed,
                    from_cache,
                    failed,
                    digests: digests_out,
                }
            });
        HashReport {
            files,
            pieces,
            bytes_hashed,
            bytes_cached,
            seconds: elapsed.as_secs_f64(),
            cache_file,
            cache_warning,
        }
    }
}

/// Lets [`Pieces`] read plan files and count progress.
impl super::pieces::Source for Job<'_> {
    fn file_info(&self, plan_index: usize) -> &FileInfo {
        &self.files[plan_index]
    }

    fn read_into(
        &self,
        plan_index: usize,
        offset: u64,
        len: u64,
        count_progress: bool,
        io: &mut WorkerIo,
        sink: &mut dyn FnMut(&[u8]),
    ) -> std::result::Result<(), ReadError> {
        let info = &self.files[plan_index];
        if let Some(why) = info.unavailable(offset, len) {
            return Err(ReadError(why));
        }
        let file = io
            .file(plan_index, &info.abs)
            .map_err(|e| ReadError(format!("{}: {e}", info.rel)))?;
        let map = map_range(file, offset, len)
            .map_err(|e| ReadError(format!("{}: read error at byte {offset}: {e}", info.rel)))?;
        for data in map.chunks(BLOCK) {
            sink(data);
            if count_progress {
                self.advance(data.len() as u64);
            }
        }
        Ok(())
    }
}
