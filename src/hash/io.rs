//! Reading file bytes for the engine: memory-mapped when the page cache
//! holds them, read(2) when it does not, and the [`Source`] through which
//! pieces read the bytes no stream delivers.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::Path;

use memmap2::{Mmap, MmapOptions};

use super::exec::{FileInfo, Job, BLOCK};
use super::pieces::{ReadError, Source};

/// Per-worker reusable state: a few open files and a buffer for piece reads.
pub(super) struct WorkerIo {
    open: Vec<(usize, File)>,
    buf: Vec<u8>,
}

impl WorkerIo {
    pub(super) fn new() -> Self {
        WorkerIo {
            open: Vec::new(),
            buf: Vec::new(),
        }
    }
}

/// An open handle for plan file `i`, kept in `open` for later reads.
fn cached_file<'a>(
    open: &'a mut Vec<(usize, File)>,
    i: usize,
    path: &Path,
) -> std::io::Result<&'a File> {
    if let Some(pos) = open.iter().position(|(j, _)| *j == i) {
        return Ok(&open[pos].1);
    }
    let f = crate::paths::open_regular(path).map_err(std::io::Error::other)?;
    if open.len() >= 8 {
        open.remove(0);
    }
    open.push((i, f));
    Ok(&open[open.len() - 1].1)
}

/// Feeds the `len` bytes of `file` at `offset` to `f`, [`BLOCK`] bytes at
/// a time: from a memory map if every page is in the page cache, else
/// with pread(2) into `buf`.
///
/// Why both: mapped reads of cached data cost ~10 % less CPU than copying
/// them (see [`map_range`]). But on a cold cache a mapping is filled by
/// page faults, which wait for each readahead window in turn; read(2)
/// keeps the kernel's asynchronous readahead running ahead of the reader,
/// as `cat` does (measured with `COLD=1 scripts/bench-verify.sh`). When the
/// disk is the limit the copy's CPU cost is free.
pub(super) fn for_each_block(
    file: &File,
    offset: u64,
    len: u64,
    buf: &mut Vec<u8>,
    f: &mut dyn FnMut(&[u8]),
) -> std::io::Result<()> {
    let map = map_range(file, offset, len)?;
    if resident(&map) {
        if let Some(guard) = super::sigbus::guard(&map) {
            map.chunks(BLOCK).for_each(f);
            if guard.faulted() {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "changed while being read: truncated under the reader",
                ));
            }
            return Ok(());
        }
    }
    drop(map);
    // Ask for the next range too, before reading this one: the kernel's
    // readahead only ramps up as reads arrive, and the hasher's pauses
    // between them let the disk idle; with the next range already queued
    // it stays busy while this one is hashed.
    // SAFETY: posix_fadvise only reads its arguments; the range may run
    // past the end of the file, which the kernel clamps.
    unsafe {
        libc::posix_fadvise(
            std::os::fd::AsRawFd::as_raw_fd(file),
            (offset + len) as libc::off_t,
            len as libc::off_t,
            libc::POSIX_FADV_WILLNEED,
        );
    }
    read_blocks(file, offset, len, buf, f)
}

/// The pread(2) side of [`for_each_block`].
fn read_blocks(
    file: &File,
    offset: u64,
    len: u64,
    buf: &mut Vec<u8>,
    f: &mut dyn FnMut(&[u8]),
) -> std::io::Result<()> {
    buf.resize(BLOCK, 0);
    let end = offset + len;
    let mut pos = offset;
    while pos < end {
        let n = (end - pos).min(BLOCK as u64) as usize;
        file.read_exact_at(&mut buf[..n], pos)?;
        f(&buf[..n]);
        pos += n as u64;
    }
    Ok(())
}

/// Drops from `map` the whole pages below `upto` that earlier calls have
/// not (`*dropped` marks how far they went), so that hashing a
/// mapping in place keeps little of it resident: the pages stay in the
/// page cache, and would refault from there if read again. Lanes call it
/// after every step (2 MiB); dropping less often was faster here but held
/// more than 256 MB (README, Performance).
pub(super) fn drop_hashed(map: &Mmap, upto: usize, dropped: &mut usize) {
    const PAGE: usize = 4096;
    // memmap2 maps from the page boundary below the range's start; the
    // pages of the mapping begin there.
    let lead = map.as_ptr() as usize % PAGE;
    let end = (lead + upto.min(map.len())) / PAGE * PAGE;
    let start = *dropped;
    if end <= start {
        return;
    }
    // SAFETY: [start, end) lies inside the private read-only mapping (from
    // its first page), and the caller no longer reads it; MADV_DONTNEED on
    // such a mapping only drops the page-table entries.
    unsafe {
        libc::madvise(
            (map.as_ptr() as usize - lead + start) as *mut libc::c_void,
            end - start,
            libc::MADV_DONTNEED,
        );
    }
    *dropped = end;
}

/// Whether the page cache holds all `size` bytes of the file at `path`,
/// looked at 1 GiB at a time so that a cold file costs one small mincore(2).
pub(super) fn file_resident(path: &Path, size: u64) -> bool {
    const WINDOW: u64 = 1 << 30;
    let Ok(file) = crate::paths::open_regular(path) else {
        return false;
    };
    let mut at = 0;
    while at < size {
        let len = (size - at).min(WINDOW);
        match map_range(&file, at, len) {
            Ok(map) if resident(&map) => at += len,
            _ => return false,
        }
    }
    true
}

/// Whether every page of `map` is in the page cache (mincore(2)).
fn resident(map: &Mmap) -> bool {
    if map.is_empty() {
        return true;
    }
    // SAFETY: sysconf has no preconditions.
    let page = match unsafe { libc::sysconf(libc::_SC_PAGESIZE) } {
        p if p > 0 => p as usize,
        _ => return false,
    };
    let addr = map.as_ptr() as usize;
    let start = addr - addr % page;
    let len = addr + map.len() - start;
    let mut vec = vec![0u8; len.div_ceil(page)];
    // SAFETY: [start, start+len) lies within the mapping (memmap2 maps from
    // the page boundary below the requested offset), and `vec` has one byte
    // per page of it.
    let rc = unsafe { libc::mincore(start as *mut libc::c_void, len, vec.as_mut_ptr()) };
    rc == 0 && vec.iter().all(|b| b & 1 == 1)
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
/// shrunk is reported as an error instead. A truncation racing with the
/// read itself is caught by [`super::sigbus`], which [`for_each_block`]
/// registers every mapped read with.
pub(super) fn map_range(file: &File, offset: u64, len: u64) -> std::io::Result<Mmap> {
    let size = file.metadata()?.len();
    if offset + len > size {
        return Err(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            format!("changed while being read: the file shrank to {size} bytes"),
        ));
    }
    let len = usize::try_from(len)
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidInput, "range too large"))?;
    // SAFETY: the mapping is read-only and private to the caller, and the
    // file's size was checked just above (see the SIGBUS note).
    unsafe { MmapOptions::new().offset(offset).len(len).map(file) }
}

/// Lets [`Pieces`] read plan files and count progress.
impl Source for Job<'_> {
    fn file_info(&self, plan_index: usize) -> &FileInfo {
        &self.files[plan_index]
    }

    fn read_into(
        &self,
        plan_index: usize,
        offset: u64,
        len: u64,
        mut count: u64,
        io: &mut WorkerIo,
        sink: &mut dyn FnMut(&[u8]),
    ) -> std::result::Result<(), ReadError> {
        let info = &self.files[plan_index];
        if let Some(why) = info.unavailable(offset, len) {
            return Err(ReadError(why));
        }
        let WorkerIo { open, buf } = io;
        let file = cached_file(open, plan_index, &info.abs)
            .map_err(|e| ReadError(format!("{}: {e}", info.rel)))?;
        for_each_block(file, offset, len, buf, &mut |data| {
            sink(data);
            let n = count.min(data.len() as u64);
            if n > 0 {
                self.advance(n);
                count -= n;
            }
        })
        .map_err(|e| ReadError(format!("{}: read error at byte {offset}: {e}", info.rel)))
    }

    fn map_resident(
        &self,
        plan_index: usize,
        offset: u64,
        len: u64,
        io: &mut WorkerIo,
    ) -> Option<Mmap> {
        let info = &self.files[plan_index];
        if len == 0 || info.unavailable(offset, len).is_some() {
            return None;
        }
        let file = cached_file(&mut io.open, plan_index, &info.abs).ok()?;
        map_range(file, offset, len).ok().filter(resident)
    }

    fn count(&self, n: u64) {
        self.advance(n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_blocks_delivers_the_range_in_blocks() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("f");
        let data: Vec<u8> = (0..3 * BLOCK as u32 + 777).map(|i| (i * 7) as u8).collect();
        std::fs::write(&path, &data).expect("write");
        let file = File::open(&path).expect("open");
        for (offset, len) in [(0, data.len()), (5, 2 * BLOCK + 3), (BLOCK, 0), (9, 1)] {
            let (mut got, mut sizes) = (Vec::new(), Vec::new());
            let mut buf = Vec::new();
            read_blocks(&file, offset as u64, len as u64, &mut buf, &mut |b| {
                got.extend_from_slice(b);
                sizes.push(b.len());
            })
            .expect("read");
            assert_eq!(got, &data[offset..offset + len]);
            assert!(sizes.iter().all(|&n| n > 0 && n <= BLOCK), "{sizes:?}");
        }
        // Past the end: an error, not a short delivery.
        let err = read_blocks(
            &file,
            data.len() as u64 - 10,
            20,
            &mut Vec::new(),
            &mut |_| {},
        );
        assert!(err.is_err());
    }
}
