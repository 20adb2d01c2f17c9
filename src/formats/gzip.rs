//! gzip-compressed files: never decoded as weights, but looked into so that
//! the refusal says what is inside. Loaders that decompress on the fly
//! (joblib, some `.pkl.gz` readers) would unpickle what a scanner that
//! skips compressed files never saw; here a pickle inside is parsed like
//! any other, and a global it would call is named.

use std::io::Read;
use std::path::Path;

use super::pickle::{self, Allowlist, Limits};
use crate::Error;

/// Most decompressed bytes looked at: enough for any pickle's opcodes to
/// reach its globals, and a bound on a decompression bomb.
pub const MAX_INFLATED: u64 = 64 << 20;

/// The error for a gzip file at `path`, naming what it holds.
pub fn refuse(path: &Path) -> Error {
    let file = match crate::paths::open_regular(path) {
        Ok(f) => f,
        Err(e) => return e,
    };
    let mut inner = Vec::new();
    let read = flate2::read::GzDecoder::new(file)
        .take(MAX_INFLATED)
        .read_to_end(&mut inner);
    const NOT_DECODED: &str = "weightcheck decodes only uncompressed tensor files";
    let message = match read {
        Err(e) => format!("gzip-compressed, and it does not decompress ({e}); {NOT_DECODED}"),
        Ok(_) if !inner.first().is_some_and(|&b| pickle::may_start(b)) => {
            format!("gzip-compressed ({} bytes inside, not a pickle); {NOT_DECODED}", inner.len())
        }
        Ok(_) => match pickle::parse(&inner, Allowlist::NUMPY, Limits::default()) {
            Ok(_) => format!("a gzip-compressed pickle (it calls no global beyond numpy's arrays); {NOT_DECODED}"),
            Err(e) => format!(
                "a gzip-compressed pickle; inside it, byte {}: {}; {NOT_DECODED}",
                e.offset, e.message
            ),
        },
    };
    Error::format(path, 0, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).expect("compress");
        e.finish().expect("finish")
    }

    fn message(bytes: &[u8]) -> String {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("x.pkl.gz");
        std::fs::write(&path, bytes).expect("write");
        refuse(&path).to_string()
    }

    #[test]
    fn names_the_global_inside() {
        let m = message(&gz(
            b"\x80\x02cos\nsystem\nq\x00X\x02\x00\x00\x00idq\x01\x85q\x02Rq\x03.",
        ));
        assert!(
            m.contains("inside it, byte 2: unknown global os.system (refused, never resolved)"),
            "{m}"
        );
        let m = message(&gz(b"plain text"));
        assert!(m.contains("not a pickle"), "{m}");
        let m = message(b"\x1f\x8b\x08\x00garbage");
        assert!(m.contains("does not decompress"), "{m}");
    }

    #[test]
    fn a_bomb_is_read_no_further_than_the_limit() {
        let bomb = gz(&vec![b'('; (MAX_INFLATED as usize) * 2]);
        let m = message(&bomb);
        assert!(m.contains("gzip-compressed pickle"), "{m}");
    }
}
