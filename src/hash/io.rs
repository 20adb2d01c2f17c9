//! Reading file bytes for the engine: memory-mapped ranges, and the
//! [`Source`] through which pieces read the bytes no stream delivers.

use std::fs::File;
use std::path::Path;

use memmap2::{Mmap, MmapOptions};

use super::exec::{FileInfo, Job, BLOCK};
use super::pieces::{ReadError, Source};

/// Per-worker reusable state: a few open files for piece reads.
pub(super) struct WorkerIo {
    open: Vec<(usize, File)>,
}

impl WorkerIo {
    pub(super) fn new() -> Self {
        WorkerIo { open: Vec::new() }
    }

    /// An open handle for plan file `i`, kept for later reads.
    pub(super) fn file(&mut self, i: usize, path: &Path) -> std::io::Result<&File> {
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
pub(super) fn map_range(file: &File, offset: u64, len: u64) -> std::io::Result<Mmap> {
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
