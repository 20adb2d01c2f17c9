//! Whole files hashed together in SHA-256 lanes.
//!
//! A file's SHA-256 is one chain of compressions, so no file goes faster
//! than one SHA-NI stream; but a release of hundreds of shards holds
//! hundreds of independent chains, and the 16-lane kernel
//! ([`super::multibuffer`]) runs 16 of them at once for more bytes per core
//! than one stream, as long as enough are busy ([`Kernel::min_lanes`]).
//! Without AVX-512, two interleaved SHA-NI streams run two at once, where
//! they measured faster than one on this core ([`LaneKernel::new`]).
//!
//! A file goes into lanes only when that can pay and nothing else needs its
//! bytes in order: the page cache holds all of it (a cold read is limited
//! by the disk, which one stream per core keeps up with), its SHA-256 is
//! wanted from byte 0 (no resumed state) and no git blob SHA-1, MD5 or
//! piece delivery rides on the same read. A worker takes such files only
//! while enough of them wait to fill the lanes, and refills a lane as soon
//! as its file ends; the rest go through the ordinary streams of
//! [`super::exec`].
//!
//! Files are mapped whole and hashed in place; pages already hashed are
//! dropped from the mapping as the lanes move on ([`drop_hashed`]), so
//! resident memory stays flat however large the files.

use memmap2::Mmap;

use super::exec::{lock, Job, Phase, Sched};
use super::io::{drop_hashed, map_range};
use super::multibuffer::{Algorithm, Kernel, MultiHasher, Sha256};
use super::sigbus::Guard;
use std::sync::atomic::Ordering;

/// Blocks each lane advances between looks at the stop flag and progress,
/// and drops of the pages it hashed (2 MiB per lane: 16 lanes on each of
/// 2 cores keep under 64 MiB of their files mapped).
#[cfg(not(test))]
pub(super) const STEP_BLOCKS: usize = (2 << 20) / 64;
/// Tiny in unit tests, so small files take many steps.
#[cfg(test)]
pub(super) const STEP_BLOCKS: usize = 16;

/// Files hashed in lanes, for tests to see that the lanes ran.
#[cfg(test)]
pub(super) static FILES_IN_LANES: std::sync::atomic::AtomicUsize =
    std::sync::atomic::AtomicUsize::new(0);

/// A file in a lane.
struct Held {
    stream: usize,
    map: Mmap,
    guard: Guard,
    /// Bytes counted as progress so far (whole blocks hashed in place).
    counted: u64,
    /// Bytes at the start of the mapping already dropped from it.
    dropped: usize,
}

/// The kernel for SHA-256 lanes, with what the schedule needs to know of
/// it.
#[derive(Debug, Clone, Copy)]
pub(super) struct LaneKernel {
    pub kernel: Kernel,
    /// Busy lanes below which it is slower than one stream per file.
    pub min_lanes: usize,
    /// How much faster its full lanes are than one stream each.
    pub speedup: f64,
    /// Asked for by name: every file that may go in lanes does, whatever
    /// the predicted times, so kernels can be compared.
    pub forced: bool,
}

/// How much faster 16 full SHA-256 lanes are than one SHA-NI stream on
/// the same core: 2.84 GB/s (examples/hash_multibuffer.rs) against
/// OpenSSL's 1.79 on AMD EPYC (../shared/bench), and 2.87 against 1.28 on
/// an Intel Xeon (examples/hash_ceiling.rs on 2 cores, halved); the lower
/// figure, so lanes are chosen only where they pay on both.
const X16_SPEEDUP: f64 = 1.6;

impl LaneKernel {
    /// The kernel for SHA-256 lanes: the one asked for (a plan's, or
    /// `WEIGHTCHECK_HASH_KERNEL`'s, to compare them) wherever it runs and
    /// has lanes, even if it measured slower here; else the fastest one
    /// that beats one stream per core here, if any.
    pub(super) fn new(asked: Option<Kernel>) -> Option<LaneKernel> {
        let (kernel, min_lanes, forced) = match asked.or_else(Kernel::forced) {
            Some(k) => (k, k.min_lanes::<Sha256>().unwrap_or(2), true),
            None => {
                let k = Kernel::best_for::<Sha256>();
                (k, k.min_lanes::<Sha256>()?, false)
            }
        };
        (kernel.available() && kernel.width() > 1).then_some(LaneKernel {
            kernel,
            min_lanes,
            speedup: Self::speedup_of(kernel),
            forced,
        })
    }

    fn speedup_of(kernel: Kernel) -> f64 {
        match kernel {
            Kernel::Avx512x16 => X16_SPEEDUP,
            Kernel::ShaNiX2 => Sha256::x2_speedup(),
            Kernel::Single => 1.0,
        }
    }

    /// The files of `files` to hash in these lanes on `workers` cores
    /// ([`choose`]).
    pub(super) fn choose(&self, mut files: Vec<(u64, usize)>, workers: usize) -> Vec<usize> {
        if self.forced {
            if files.len() < self.min_lanes {
                return Vec::new();
            }
            files.sort_unstable();
            return files.into_iter().map(|(_, i)| i).collect();
        }
        choose(
            files,
            workers,
            self.kernel.width(),
            self.speedup,
            self.min_lanes,
        )
    }
}

/// The files (of `(size, stream)`) to hash in lanes of `width` messages
/// that run `speedup` times faster than one stream each when full: the
/// largest set, got by leaving out the largest files one by one, whose
/// predicted time in lanes on `workers` cores beats one stream per file.
///
/// A file's SHA-256 is one chain however many lanes there are, and a lane
/// runs at speedup/width of one stream, so one big file among small ones
/// would hold its lanes far longer than a stream would take: five 400 MB
/// files keep 5 of 16 lanes busy (slower than 2 streams), while sixty-four
/// 32 MB files fill them. Streams move between workers a chunk at a time,
/// so they share the cores evenly to the end; a lane stays on its worker,
/// and the last file left may run alone for up to a file's time. In units
/// of one stream's time per byte: lanes take max(total / (workers x
/// speedup), longest x width / speedup) + longest, streams max(total /
/// workers, longest).
pub(super) fn choose(
    mut files: Vec<(u64, usize)>,
    workers: usize,
    width: usize,
    speedup: f64,
    min_lanes: usize,
) -> Vec<usize> {
    files.sort_unstable();
    let workers = workers.max(1) as f64;
    let mut total: f64 = files.iter().map(|f| f.0 as f64).sum();
    while files.len() >= min_lanes && speedup > 1.0 {
        let longest = files.last().map_or(0.0, |f| f.0 as f64);
        let lanes = (total / (workers * speedup)).max(longest * width as f64 / speedup) + longest;
        let streams = (total / workers).max(longest);
        if lanes < streams {
            return files.into_iter().map(|(_, i)| i).collect();
        }
        total -= longest;
        files.pop();
    }
    Vec::new()
}

impl Sched {
    /// Takes a file for a lane from the pool, if one is still waiting.
    fn take_lane_file(&mut self) -> Option<usize> {
        while let Some(i) = self.lane_pool.pop() {
            if matches!(self.streams[i].phase, Phase::Unopened(None)) {
                self.streams[i].phase = Phase::Busy;
                return Some(i);
            }
        }
        None
    }

    /// Files for a worker's lanes, if enough wait to make `lk` pay.
    pub(super) fn take_lane_group(&mut self, lk: &LaneKernel) -> Option<Vec<usize>> {
        let streams = &self.streams;
        self.lane_pool
            .retain(|&i| matches!(streams[i].phase, Phase::Unopened(None)));
        if self.lane_pool.len() < lk.min_lanes {
            return None;
        }
        let width = lk.kernel.width();
        let mut group = Vec::with_capacity(width);
        while group.len() < width {
            match self.take_lane_file() {
                Some(i) => group.push(i),
                None => break,
            }
        }
        Some(group)
    }

    /// Gives a file back to the ordinary streams, unread.
    fn put_back(&mut self, i: usize) {
        let st = &mut self.streams[i];
        st.phase = Phase::Unopened(None);
        let left = st.end - st.pos;
        self.idle.push((left, i));
    }
}

impl Job<'_> {
    /// Hashes the files of `group`, and more from the pool as lanes free
    /// up, in SHA-256 lanes with `lk`'s kernel.
    pub(super) fn run_lanes(&self, group: Vec<usize>, lk: &LaneKernel) {
        let kernel = lk.kernel;
        // Declared before `lanes`, so it is dropped after them: the lanes
        // borrow the mappings it holds (see `load`).
        let mut held: Vec<Option<Held>> = Vec::new();
        let mut lanes = MultiHasher::<Sha256, usize>::new();
        if lanes.set_kernel(kernel).is_err() {
            let mut s = lock(&self.sched);
            for i in group {
                s.put_back(i);
            }
            return;
        }
        let mut pending = group;
        loop {
            if self.stop.is_some_and(|f| f.load(Ordering::Relaxed)) {
                // Unfinished files start over on the next run: a lane's
                // state cannot be saved as a stream's can.
                let mut s = lock(&self.sched);
                for h in held.iter().flatten() {
                    s.put_back(h.stream);
                }
                for i in pending.drain(..) {
                    s.put_back(i);
                }
                return;
            }
            while lanes.busy() < kernel.width() {
                let next = match pending.pop() {
                    Some(i) => Some(i),
                    None => lock(&self.sched).take_lane_file(),
                };
                let Some(i) = next else { break };
                self.load(i, &mut lanes, &mut held);
            }
            if lanes.busy() == 0 {
                return;
            }
            if lanes.busy() < lk.min_lanes && lock(&self.sched).lane_pool.is_empty() {
                // Too few left to fill the lanes: a slower kernel or one
                // after another is faster.
                let _ = lanes.set_kernel(kernel.for_busy::<Sha256>(lanes.busy()));
            }
            let (blocks, done) = lanes.step_at_most(STEP_BLOCKS);
            for h in held.iter_mut().flatten() {
                let whole = h.map.len() as u64 / 64 * 64;
                let n = (blocks as u64 * 64).min(whole - h.counted);
                h.counted += n;
                self.advance(n);
                drop_hashed(&h.map, h.counted as usize, &mut h.dropped);
            }
            for (slot, digest) in done {
                if let Some(h) = held.get_mut(slot).and_then(Option::take) {
                    self.advance(h.map.len() as u64 - h.counted);
                    self.finish_lane_file(h, digest);
                }
            }
        }
    }

    /// Maps file `i` whole and puts it in a lane, or gives it back to the
    /// ordinary streams if it cannot be mapped and guarded.
    fn load(
        &self,
        i: usize,
        lanes: &mut MultiHasher<'_, Sha256, usize>,
        held: &mut Vec<Option<Held>>,
    ) {
        let fi = lock(&self.sched).streams[i].file;
        let info = &self.files[fi];
        let mapped = crate::paths::open_regular(&info.abs)
            .ok()
            .and_then(|f| map_range(&f, 0, info.actual()?).ok())
            .and_then(|map| Some((super::sigbus::guard(&map)?, map)));
        let Some((guard, map)) = mapped else {
            lock(&self.sched).put_back(i);
            return;
        };
        let slot = held.iter().position(Option::is_none).unwrap_or_else(|| {
            held.push(None);
            held.len() - 1
        });
        // SAFETY: the lanes get the mapping's bytes for longer than this
        // borrow of `map` says. The mapping (moved, not copied: its pages
        // stay put) is owned by `held[slot]`, which `run_lanes` drops only
        // after the lanes have returned its digest, or after the lanes
        // themselves are dropped.
        let bytes: &[u8] = unsafe { std::slice::from_raw_parts(map.as_ptr(), map.len()) };
        if lanes.push(slot, bytes).is_err() {
            lock(&self.sched).put_back(i);
            return;
        }
        held[slot] = Some(Held {
            stream: i,
            map,
            guard,
            counted: 0,
            dropped: 0,
        });
    }

    fn finish_lane_file(&self, h: Held, digest: [u8; 32]) {
        #[cfg(test)]
        FILES_IN_LANES.fetch_add(1, Ordering::Relaxed);
        let file = {
            let mut s = lock(&self.sched);
            let st = &mut s.streams[h.stream];
            st.pos = st.end;
            st.phase = Phase::Done;
            st.file
        };
        let mut d = lock(&self.digests);
        let d = &mut d[file];
        d.done = true;
        if h.guard.faulted() {
            d.error =
                Some("read error: changed while being read: truncated under the reader".into());
        } else {
            d.sha256 = Some(digest);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{choose, X16_SPEEDUP};

    fn sizes(spec: &[(usize, u64)]) -> Vec<(u64, usize)> {
        spec.iter()
            .flat_map(|&(n, size)| std::iter::repeat_n(size, n))
            .enumerate()
            .map(|(i, s)| (s, i))
            .collect()
    }

    #[test]
    fn lanes_only_where_they_stay_full() {
        let mb = 1 << 20;
        // The benchmark's Grok-1-shaped set: five big shards hold almost all.
        let x16 = |files, workers| choose(files, workers, 16, X16_SPEEDUP, 9);
        let grok_mini = sizes(&[(5, 384 * mb), (11, 2 * mb)]);
        assert!(x16(grok_mini.clone(), 2).is_empty());
        // Sixty-four equal shards fill 16 lanes on each of 2 cores.
        assert_eq!(x16(sizes(&[(64, 32 * mb)]), 2).len(), 64);
        // Big files are left to streams; the many small ones go in lanes.
        let mut mixed = x16(sizes(&[(100, 4 * mb), (3, 400 * mb)]), 2);
        mixed.sort_unstable();
        assert_eq!(mixed, (0..100).collect::<Vec<_>>());
        // Fewer files than the kernel needs busy: none.
        assert!(x16(sizes(&[(8, 32 * mb)]), 1).is_empty());
        // Two interleaved streams 1.3x one: five big files on two cores
        // would leave the fifth alone at the end, so they stay streams;
        // the small ones and sixty-four shards go in pairs.
        let x2 = |files| choose(files, 2, 2, 1.3, 2);
        let mut small = x2(grok_mini);
        small.sort_unstable();
        assert_eq!(small, (5..16).collect::<Vec<_>>());
        assert_eq!(x2(sizes(&[(64, 32 * mb)])).len(), 64);
        // A kernel no faster than one stream: never.
        assert!(choose(sizes(&[(64, 32 * mb)]), 2, 2, 1.0, 2).is_empty());
    }
}
