//! Writes Grok-1 shards byte for byte as CPython 3.11's `pickle.dump` does
//! for numpy 1.26 arrays and xAI's `QuantizedWeight8bit`, so weightcheck can
//! build demo and test releases without Python.
//!
//! It mirrors the C pickler (`Modules/_pickle.c`): protocol 4 framing, where
//! a frame is committed once it has reached 64 KiB when the next object's
//! `save()` starts (`_Pickler_OpcodeBoundary` runs first thing in `save()`,
//! so the opcodes that close an object stay in the frame of its last item)
//! and payloads of 64 KiB or more bypass frames; and the memo, where an
//! object already pickled is referenced by `BINGET`. CPython memoizes by
//! identity, so the writer memoizes by value exactly the objects that are
//! identical in CPython: globals, interned module names, one-character
//! strings, empty and one-byte bytes (all cached by the interpreter, and
//! numpy's payloads of 0 or 1 byte are those very objects), dict keys, and
//! dtypes.
//! A test compares its output with the real writer's.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Seek, SeekFrom, Write};
use std::path::Path;

use super::DType;

const FRAME_SIZE_TARGET: usize = 64 * 1024;
const FRAME_SIZE_MIN: usize = 4;

/// A numpy array to be pickled.
#[derive(Debug, Clone)]
pub struct ArraySpec<'a> {
    /// Shape.
    pub shape: Vec<u64>,
    /// Element type.
    pub dtype: DType,
    /// The element bytes, or `None` for a hole of the right size (a sparse
    /// file whose payload reads as zeros).
    pub data: Option<&'a [u8]>,
}

impl ArraySpec<'_> {
    fn payload_len(&self) -> u64 {
        self.shape.iter().product::<u64>() * self.dtype.itemsize()
    }
}

/// What one Grok-1 shard holds.
#[derive(Debug, Clone)]
pub enum ShardSpec<'a> {
    /// A plain numpy array.
    Array(ArraySpec<'a>),
    /// `QuantizedWeight8bit(weight=int8 array, scales=array)`.
    Quantized {
        /// The int8 weight.
        weight: ArraySpec<'a>,
        /// The scales (bfloat16 in Grok-1).
        scales: ArraySpec<'a>,
    },
}

enum Chunk<'a> {
    Bytes(Vec<u8>),
    Payload(Option<&'a [u8]>, u64),
}

#[derive(Hash, PartialEq, Eq)]
enum MemoKey {
    Str(String),
    Bytes(Vec<u8>),
    Global(String, String),
    Dtype(DType),
}

struct Pickler<'a> {
    out: Vec<Chunk<'a>>,
    frame: Option<Vec<u8>>,
    memo: HashMap<MemoKey, u32>,
    memo_len: u32,
}

impl<'a> Pickler<'a> {
    fn new() -> Self {
        Pickler {
            out: vec![Chunk::Bytes(vec![0x80, 4])],
            frame: None,
            memo: HashMap::new(),
            memo_len: 0,
        }
    }

    fn write(&mut self, bytes: &[u8]) {
        self.frame
            .get_or_insert_with(Vec::new)
            .extend_from_slice(bytes);
    }

    fn raw(&mut self, bytes: Vec<u8>) {
        self.out.push(Chunk::Bytes(bytes));
    }

    fn commit_frame(&mut self) {
        if let Some(frame) = self.frame.take() {
            if frame.len() >= FRAME_SIZE_MIN {
                let mut header = vec![0x95];
                header.extend_from_slice(&(frame.len() as u64).to_le_bytes());
                self.raw(header);
            }
            self.raw(frame);
        }
    }

    /// Called where CPython's `save()` starts: a full frame is committed.
    fn boundary(&mut self) {
        if self
            .frame
            .as_ref()
            .is_some_and(|f| f.len() >= FRAME_SIZE_TARGET)
        {
            self.commit_frame();
        }
    }

    fn memoize(&mut self, key: Option<MemoKey>) {
        self.write(&[0x94]);
        if let Some(key) = key {
            self.memo.insert(key, self.memo_len);
        }
        self.memo_len += 1;
    }

    fn memo_get(&mut self, key: &MemoKey) -> bool {
        let Some(&i) = self.memo.get(key) else {
            return false;
        };
        if i < 256 {
            self.write(&[b'h', i as u8]);
        } else {
            let mut op = vec![b'j'];
            op.extend_from_slice(&i.to_le_bytes());
            self.write(&op);
        }
        true
    }

    fn save_str(&mut self, s: &str, identical_by_value: bool) {
        self.boundary();
        let key =
            (identical_by_value || s.chars().count() == 1).then(|| MemoKey::Str(s.to_string()));
        if key.as_ref().is_some_and(|k| self.memo_get(k)) {
            return;
        }
        if s.len() < 256 {
            self.write(&[0x8c, s.len() as u8]);
        } else {
            let mut op = vec![b'X'];
            op.extend_from_slice(&(s.len() as u32).to_le_bytes());
            self.write(&op);
        }
        self.write(s.as_bytes());
        self.memoize(key);
    }

    fn save_int(&mut self, v: i64) {
        self.boundary();
        if (0..256).contains(&v) {
            self.write(&[b'K', v as u8]);
        } else if (0..65536).contains(&v) {
            let mut op = vec![b'M'];
            op.extend_from_slice(&(v as u16).to_le_bytes());
            self.write(&op);
        } else if let Ok(v32) = i32::try_from(v) {
            let mut op = vec![b'J'];
            op.extend_from_slice(&v32.to_le_bytes());
            self.write(&op);
        } else {
            // LONG1 with the minimal two's-complement length, as CPython does.
            let bytes = v.to_le_bytes();
            let mut n = 8;
            while n > 1 {
                let (last, prev) = (bytes[n - 1], bytes[n - 2]);
                if (last == 0 && prev & 0x80 == 0) || (last == 0xff && prev & 0x80 != 0) {
                    n -= 1;
                } else {
                    break;
                }
            }
            self.write(&[0x8a, n as u8]);
            self.write(&bytes[..n]);
        }
    }

    /// Saves an object pickled as one opcode (`None`, `True`, `False`, `()`).
    fn save_op(&mut self, op: u8) {
        self.boundary();
        self.write(&[op]);
    }

    fn save_global(&mut self, module: &str, name: &str) {
        self.boundary();
        let key = MemoKey::Global(module.into(), name.into());
        if self.memo_get(&key) {
            return;
        }
        self.save_str(module, true);
        self.save_str(name, true);
        self.write(&[0x93]);
        self.memoize(Some(key));
    }

    /// Saves a tuple whose items are written by `items` (`n` of them).
    fn save_tuple(&mut self, n: usize, items: impl FnOnce(&mut Self)) {
        self.boundary();
        if n == 0 {
            self.save_op(b')');
            return;
        }
        if n > 3 {
            self.write(b"(");
        }
        items(self);
        self.write(&[match n {
            1 => 0x85,
            2 => 0x86,
            3 => 0x87,
            _ => b't',
        }]);
        self.memoize(None);
    }

    fn save_small_bytes(&mut self, b: &[u8]) {
        self.boundary();
        let key = (b.len() <= 1).then(|| MemoKey::Bytes(b.to_vec()));
        if key.as_ref().is_some_and(|k| self.memo_get(k)) {
            return;
        }
        self.write(&[b'C', b.len() as u8]);
        self.write(b);
        self.memoize(key);
    }

    fn save_payload(&mut self, data: Option<&'a [u8]>, len: u64) {
        if len <= 1 {
            // b'' and one-byte bytes are interpreter singletons: an array of
            // one int8 98 shares the memo entry of `_reconstruct`'s b'b'.
            let bytes = data.map_or_else(|| vec![0; len as usize], <[u8]>::to_vec);
            self.save_small_bytes(&bytes);
            return;
        }
        self.boundary();
        let mut header = Vec::with_capacity(9);
        if len < 256 {
            header.extend_from_slice(&[b'C', len as u8]);
        } else if len <= u32::MAX as u64 {
            header.push(b'B');
            header.extend_from_slice(&(len as u32).to_le_bytes());
        } else {
            header.push(0x8e);
            header.extend_from_slice(&len.to_le_bytes());
        }
        if len >= FRAME_SIZE_TARGET as u64 {
            self.commit_frame();
            self.raw(header);
            self.out.push(Chunk::Payload(data, len));
        } else {
            self.write(&header);
            match data {
                Some(d) => self.write(d),
                None => self.write(&vec![0u8; len as usize]),
            }
        }
        self.memoize(None);
    }

    fn save_dtype(&mut self, dtype: DType) {
        self.boundary();
        let key = MemoKey::Dtype(dtype);
        if self.memo_get(&key) {
            return;
        }
        self.save_global("numpy", "dtype");
        self.save_tuple(3, |p| {
            match dtype.ml_dtypes_name() {
                Some(name) => p.save_global("ml_dtypes", name),
                None => p.save_str(dtype.numpy_code().unwrap_or("V"), false),
            }
            p.save_op(0x89);
            p.save_op(0x88);
        });
        self.write(b"R");
        self.memoize(Some(key));
        let custom = dtype.ml_dtypes_name().is_some();
        // numpy's builtin one-byte types have no byte order ('|'); ml_dtypes
        // registers every type of its own as native ('='), pickled as '<'.
        let order = if custom || dtype.has_byte_order() {
            "<"
        } else {
            "|"
        };
        self.save_tuple(8, |p| {
            p.save_int(3);
            p.save_str(order, false);
            p.save_op(b'N');
            p.save_op(b'N');
            p.save_op(b'N');
            if custom {
                // ml_dtypes types report their itemsize, alignment and flags.
                p.save_int(dtype.itemsize() as i64);
                p.save_int(dtype.itemsize() as i64);
                p.save_int(0x50);
            } else {
                p.save_int(-1);
                p.save_int(-1);
                p.save_int(0);
            }
        });
        self.write(b"b");
    }

    fn save_array(&mut self, a: &ArraySpec<'a>) {
        self.boundary();
        self.save_global("numpy.core.multiarray", "_reconstruct");
        self.save_tuple(3, |p| {
            p.save_global("numpy", "ndarray");
            p.save_tuple(1, |p| p.save_int(0));
            p.save_small_bytes(b"b");
        });
        self.write(b"R");
        self.memoize(None);
        self.save_tuple(5, |p| {
            p.save_int(1);
            p.save_tuple(a.shape.len(), |p| {
                for &d in &a.shape {
                    p.save_int(d as i64);
                }
            });
            p.save_dtype(a.dtype);
            p.save_op(0x89);
            p.save_payload(a.data, a.payload_len());
        });
        self.write(b"b");
    }

    fn save_shard(mut self, spec: &ShardSpec<'a>) -> Vec<Chunk<'a>> {
        match spec {
            ShardSpec::Array(a) => self.save_array(a),
            ShardSpec::Quantized { weight, scales } => {
                self.save_global("__main__", "QuantizedWeight8bit");
                self.save_tuple(0, |_| {});
                self.write(&[0x81]);
                self.memoize(None);
                // The state: the instance's __dict__.
                self.boundary();
                self.write(b"}");
                self.memoize(None);
                self.write(b"(");
                self.save_str("weight", true);
                self.save_array(weight);
                self.save_str("scales", true);
                self.save_array(scales);
                self.write(b"u");
                self.write(b"b");
            }
        }
        self.write(b".");
        self.commit_frame();
        self.out
    }
}

/// Checks that every array's data, when given, has the length its shape needs.
fn check(spec: &ShardSpec) -> io::Result<()> {
    let arrays: Vec<&ArraySpec> = match spec {
        ShardSpec::Array(a) => vec![a],
        ShardSpec::Quantized { weight, scales } => vec![weight, scales],
    };
    for a in arrays {
        if let Some(d) = a.data {
            if d.len() as u64 != a.payload_len() {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!(
                        "array data is {} bytes, shape {:?} of {} needs {}",
                        d.len(),
                        a.shape,
                        a.dtype,
                        a.payload_len()
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// The pickle of `spec` as bytes (holes written as zeros).
pub fn shard_bytes(spec: &ShardSpec) -> io::Result<Vec<u8>> {
    check(spec)?;
    let mut out = Vec::new();
    for chunk in Pickler::new().save_shard(spec) {
        match chunk {
            Chunk::Bytes(b) => out.extend_from_slice(&b),
            Chunk::Payload(Some(d), _) => out.extend_from_slice(d),
            Chunk::Payload(None, len) => out.resize(out.len() + len as usize, 0),
        }
    }
    Ok(out)
}

/// Writes `spec` to `path` (created or truncated); holes are left sparse.
/// Returns the file size.
pub fn write_shard(path: &Path, spec: &ShardSpec) -> io::Result<u64> {
    check(spec)?;
    let mut file = io::BufWriter::new(File::create(path)?);
    let mut size = 0u64;
    for chunk in Pickler::new().save_shard(spec) {
        match chunk {
            Chunk::Bytes(b) => {
                file.write_all(&b)?;
                size += b.len() as u64;
            }
            Chunk::Payload(Some(d), _) => {
                file.write_all(d)?;
                size += d.len() as u64;
            }
            Chunk::Payload(None, len) => {
                size += len;
                file.seek(SeekFrom::Start(size))?;
            }
        }
    }
    let file = file.into_inner().map_err(|e| e.into_error())?;
    file.set_len(size)?;
    Ok(size)
}
