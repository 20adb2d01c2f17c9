//! The BitTorrent v1 byte stream: all files concatenated in torrent order,
//! cut into fixed-length pieces. Maps pieces to the file byte ranges they
//! cover (a piece may straddle several files) and files to their pieces.

use std::ops::Range;

use serde::Serialize;

/// Piece geometry of a torrent: piece length plus every file's length.
#[derive(Debug, Clone)]
pub struct PieceMap {
    piece_length: u64,
    lengths: Vec<u64>,
    /// Offset of each file in the stream; one extra entry holds the total.
    starts: Vec<u64>,
}

/// A byte range of one file covered by a piece.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FileSpan {
    /// Index of the file in torrent order.
    pub file: usize,
    /// Offset of the range in the file.
    pub offset: u64,
    /// Length of the range.
    pub length: u64,
}

impl PieceMap {
    /// The map for files of `lengths` (torrent order) in pieces of `piece_length`.
    ///
    /// # Panics
    /// If `piece_length` is 0 or the lengths overflow `u64`; parsed torrents
    /// have been checked for both.
    pub fn new(piece_length: u64, lengths: Vec<u64>) -> Self {
        assert!(piece_length > 0, "piece length must be positive");
        let mut starts = Vec::with_capacity(lengths.len() + 1);
        let mut at: u64 = 0;
        for &l in &lengths {
            starts.push(at);
            at = at.checked_add(l).expect("total length overflows u64");
        }
        starts.push(at);
        PieceMap {
            piece_length,
            lengths,
            starts,
        }
    }

    /// Bytes per piece.
    pub fn piece_length(&self) -> u64 {
        self.piece_length
    }

    /// Total length of the stream.
    pub fn total_length(&self) -> u64 {
        self.starts[self.lengths.len()]
    }

    /// Number of files.
    pub fn file_count(&self) -> usize {
        self.lengths.len()
    }

    /// Number of pieces.
    pub fn piece_count(&self) -> usize {
        self.total_length().div_ceil(self.piece_length) as usize
    }

    /// Stream offsets of file `file`.
    pub fn file_range(&self, file: usize) -> Range<u64> {
        self.starts[file]..self.starts[file + 1]
    }

    /// Stream offsets of piece `piece`.
    pub fn piece_range(&self, piece: usize) -> Range<u64> {
        let start = piece as u64 * self.piece_length;
        start..(start + self.piece_length).min(self.total_length())
    }

    /// The file holding stream offset `offset` (skipping empty files), if any.
    pub fn file_at(&self, offset: u64) -> Option<usize> {
        if offset >= self.total_length() {
            return None;
        }
        // The last file whose start <= offset; empty files share a start
        // with their successor, and the successor is the one holding bytes.
        let i = self.starts.partition_point(|&s| s <= offset) - 1;
        Some(i)
    }

    /// The file ranges that piece `piece` covers, in stream order.
    pub fn spans(&self, piece: usize) -> Vec<FileSpan> {
        self.spans_of_range(self.piece_range(piece))
    }

    /// The file ranges that the stream range `range` covers.
    pub fn spans_of_range(&self, range: Range<u64>) -> Vec<FileSpan> {
        let mut out = Vec::new();
        let Some(mut f) = self.file_at(range.start) else {
            return out;
        };
        let mut at = range.start;
        while at < range.end && f < self.lengths.len() {
            let fr = self.file_range(f);
            if fr.end > at {
                let end = fr.end.min(range.end);
                out.push(FileSpan {
                    file: f,
                    offset: at - fr.start,
                    length: end - at,
                });
                at = end;
            }
            f += 1;
        }
        out
    }

    /// The pieces holding any byte of file `file` (empty for an empty file).
    pub fn pieces_of_file(&self, file: usize) -> Range<usize> {
        let r = self.file_range(file);
        if r.is_empty() {
            return 0..0;
        }
        let first = r.start / self.piece_length;
        let last = (r.end - 1) / self.piece_length;
        first as usize..last as usize + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_straddle_files_and_skip_empty_ones() {
        // files: 10, 0, 5, 20 bytes; pieces of 8
        let m = PieceMap::new(8, vec![10, 0, 5, 20]);
        assert_eq!(m.total_length(), 35);
        assert_eq!(m.piece_count(), 5);
        assert_eq!(m.piece_range(4), 32..35);
        assert_eq!(
            m.spans(1),
            vec![
                FileSpan {
                    file: 0,
                    offset: 8,
                    length: 2
                },
                FileSpan {
                    file: 2,
                    offset: 0,
                    length: 5
                },
                FileSpan {
                    file: 3,
                    offset: 0,
                    length: 1
                },
            ]
        );
        assert_eq!(m.file_at(10), Some(2));
        assert_eq!(m.file_at(35), None);
        assert_eq!(m.pieces_of_file(0), 0..2);
        assert_eq!(m.pieces_of_file(1), 0..0);
        assert_eq!(m.pieces_of_file(2), 1..2);
        assert_eq!(m.pieces_of_file(3), 1..5);
    }

    #[test]
    fn spans_cover_every_byte_once() {
        let lengths = vec![3, 17, 0, 0, 64, 1, 9];
        let m = PieceMap::new(16, lengths.clone());
        let mut per_file = vec![0u64; lengths.len()];
        for p in 0..m.piece_count() {
            let spans = m.spans(p);
            let sum: u64 = spans.iter().map(|s| s.length).sum();
            assert_eq!(sum, m.piece_range(p).end - m.piece_range(p).start);
            for s in spans {
                assert_eq!(s.offset, per_file[s.file], "spans are contiguous");
                per_file[s.file] += s.length;
                assert!(m.pieces_of_file(s.file).contains(&p));
            }
        }
        assert_eq!(per_file, lengths);
    }

    #[test]
    fn empty_stream_has_no_pieces() {
        let m = PieceMap::new(16, vec![0, 0]);
        assert_eq!(m.piece_count(), 0);
        assert!(m.spans_of_range(0..0).is_empty());
    }
}
