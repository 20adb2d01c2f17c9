//! The cursor the GGUF decoder reads with: every read bounds-checked,
//! every error naming the file and the byte, and the metadata it keeps
//! counted against [`MAX_RETAINED`](super::MAX_RETAINED).

use std::path::Path;

use super::value::{Array, Text, Value, ARRAY_HEAD, STRING_HEAD};
use super::{ValueType, MAX_DEPTH, MAX_RETAINED};
use crate::{Error, Result};

/// A cursor over the file's bytes that names the file and offset in every
/// error, and counts the metadata bytes kept.
pub(super) struct Reader<'a> {
    path: &'a Path,
    pub(super) data: &'a [u8],
    pub(super) at: usize,
    retained: usize,
}

impl<'a> Reader<'a> {
    pub(super) fn new(path: &'a Path, data: &'a [u8]) -> Self {
        Reader {
            path,
            data,
            at: 0,
            retained: 0,
        }
    }

    pub(super) fn err(&self, at: usize, message: impl Into<String>) -> Error {
        Error::format(self.path, at as u64, message)
    }

    fn left(&self) -> u64 {
        (self.data.len() - self.at) as u64
    }

    pub(super) fn bytes(&mut self, n: u64, what: &str) -> Result<&'a [u8]> {
        if n > self.left() {
            return Err(self.err(
                self.at,
                format!(
                    "{what}: {n} bytes needed but the file ends {} bytes on (truncated?)",
                    self.left()
                ),
            ));
        }
        let start = self.at;
        self.at += n as usize;
        Ok(&self.data[start..self.at])
    }

    fn fixed<const N: usize>(&mut self, what: &str) -> Result<[u8; N]> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.bytes(N as u64, what)?);
        Ok(out)
    }

    pub(super) fn u32(&mut self, what: &str) -> Result<u32> {
        Ok(u32::from_le_bytes(self.fixed(what)?))
    }

    pub(super) fn u64(&mut self, what: &str) -> Result<u64> {
        Ok(u64::from_le_bytes(self.fixed(what)?))
    }

    /// A count, refused past `max` or when even `min_each` bytes per item
    /// would run past the end of the file.
    pub(super) fn count(&mut self, what: &str, max: u64, min_each: u64) -> Result<u64> {
        let at = self.at;
        let n = self.u64(what)?;
        if n > max {
            return Err(self.err(at, format!("{what} {n} exceeds the limit of {max}")));
        }
        if n.saturating_mul(min_each) > self.left() {
            return Err(self.err(
                at,
                format!(
                    "{what} {n} needs at least {} bytes but the file ends {} bytes on",
                    n.saturating_mul(min_each),
                    self.left()
                ),
            ));
        }
        Ok(n)
    }

    /// A string's length and bytes, the length checked against the bytes left.
    fn string(&mut self, what: &str) -> Result<&'a [u8]> {
        let at = self.at;
        let len = self.u64(what)?;
        if len > self.left() {
            return Err(self.err(
                at,
                format!(
                    "{what} of {len} bytes runs past the end of the file ({} bytes left)",
                    self.left()
                ),
            ));
        }
        self.bytes(len, what)
    }

    /// A key or tensor name: UTF-8, at most `max` bytes.
    pub(super) fn name(&mut self, what: &str, max: u64) -> Result<&'a str> {
        let at = self.at;
        let bytes = self.string(what)?;
        if bytes.len() as u64 > max {
            return Err(self.err(
                at,
                format!("{what} of {} bytes is longer than {max}", bytes.len()),
            ));
        }
        std::str::from_utf8(bytes)
            .map_err(|e| self.err(at + 8, format!("{what} is not UTF-8: {e}")))
    }

    pub(super) fn charge(&mut self, at: usize, n: usize) -> Result<()> {
        self.retained = self.retained.saturating_add(n);
        if self.retained > MAX_RETAINED {
            return Err(self.err(at, format!("metadata to keep exceeds {MAX_RETAINED} bytes")));
        }
        Ok(())
    }

    pub(super) fn value_type(&mut self) -> Result<ValueType> {
        let at = self.at;
        let id = self.u32("a value type")?;
        ValueType::from_id(id)
            .ok_or_else(|| self.err(at, format!("unknown metadata value type id {id}")))
    }

    /// A value of type `ty`, kept if `keep` (else read, checked and
    /// dropped); `depth` counts the arrays around it.
    pub(super) fn value(&mut self, ty: ValueType, depth: u32, keep: bool) -> Result<Option<Value>> {
        let at = self.at;
        if keep {
            self.charge(at, std::mem::size_of::<Value>())?;
        }
        let v = match ty {
            ValueType::U8 => Value::U8(u8::from_le_bytes(self.fixed("a u8")?)),
            ValueType::I8 => Value::I8(i8::from_le_bytes(self.fixed("an i8")?)),
            ValueType::U16 => Value::U16(u16::from_le_bytes(self.fixed("a u16")?)),
            ValueType::I16 => Value::I16(i16::from_le_bytes(self.fixed("an i16")?)),
            ValueType::U32 => Value::U32(self.u32("a u32")?),
            ValueType::I32 => Value::I32(i32::from_le_bytes(self.fixed("an i32")?)),
            ValueType::F32 => Value::F32(f32::from_le_bytes(self.fixed("an f32")?)),
            ValueType::U64 => Value::U64(self.u64("a u64")?),
            ValueType::I64 => Value::I64(i64::from_le_bytes(self.fixed("an i64")?)),
            ValueType::F64 => Value::F64(f64::from_le_bytes(self.fixed("an f64")?)),
            ValueType::Bool => match self.fixed::<1>("a bool")? {
                // Any byte but 0 is true, as to llama.cpp and gguf-py.
                [b] => Value::Bool(b != 0),
            },
            ValueType::String => {
                let bytes = self.string("a string")?;
                if !keep {
                    return Ok(None);
                }
                let kept = &bytes[..bytes.len().min(STRING_HEAD)];
                self.charge(at, kept.len())?;
                Value::String(Text {
                    text: String::from_utf8_lossy(kept).into_owned(),
                    len: bytes.len() as u64,
                })
            }
            ValueType::Array => Value::Array(self.array(depth, keep)?),
        };
        Ok(keep.then_some(v))
    }

    fn array(&mut self, depth: u32, keep: bool) -> Result<Array> {
        let at = self.at;
        let element = self.value_type()?;
        if element == ValueType::Array && depth + 1 >= MAX_DEPTH {
            return Err(self.err(at, format!("arrays nested deeper than {MAX_DEPTH}")));
        }
        let len = self.count("array length", u64::MAX, element.min_size())?;
        let kept = if keep { len.min(ARRAY_HEAD as u64) } else { 0 };
        let mut head = Vec::with_capacity(kept as usize);
        for _ in 0..kept {
            if let Some(v) = self.value(element, depth + 1, true)? {
                head.push(v);
            }
        }
        match element.fixed_size() {
            // Checked by `count`: the rest fits in the file.
            Some(size) => {
                self.bytes((len - kept) * size, "array elements")?;
            }
            None => {
                for _ in kept..len {
                    self.value(element, depth + 1, false)?;
                }
            }
        }
        Ok(Array { element, len, head })
    }
}
