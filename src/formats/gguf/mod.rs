//! GGUF files (llama.cpp's format), versions 2 and 3, little-endian: the
//! magic `GGUF`, a u32 version, u64 tensor and key/value counts, the
//! key/values, one info per tensor (name, dims, ggml type, offset), then
//! the data section at the next multiple of `general.alignment`.
//!
//! Every count read from the file is held against the bytes left before
//! anything is allocated for it, and only the start of long strings and
//! arrays is kept ([`value`]), so memory is bounded whatever the file
//! says. Shapes are reported outermost first, as numpy and PyTorch write
//! them: the file stores ggml's `ne`, innermost first, so a GGUF tensor
//! reads as the same shape as the safetensors tensor it was converted
//! from (gguf-py's `ReaderTensor.shape` is the stored order).

mod reader;
mod types;
mod value;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::Serialize;

pub use types::{GgmlType, ValueType};
pub use value::{Array, Kv, Text, Value, ARRAY_HEAD, STRING_HEAD};

use super::pickle::Span;
use super::{DType, StoredAs, TensorRecord};
use crate::Result;
use reader::Reader;

/// The file's first four bytes.
pub const MAGIC: &[u8; 4] = b"GGUF";
/// Most tensors accepted: real files hold a few thousand; this bounds
/// the records kept (about 200 bytes each) to some 50 MB.
pub const MAX_TENSORS: u64 = 1 << 18;
/// Most key/values accepted: real files hold a few dozen.
pub const MAX_KVS: u64 = 1 << 16;
/// ggml tensors have at most four dimensions (`GGML_MAX_DIMS`).
pub const MAX_DIMS: u32 = 4;
/// Longest tensor name: ggml keeps names in 64 bytes with their NUL.
pub const MAX_NAME_BYTES: u64 = 63;
/// Deepest nesting of arrays in arrays.
pub const MAX_DEPTH: u32 = 8;
/// Most bytes of metadata kept in memory (keys, string starts, array
/// heads); past it the file is refused rather than held.
pub const MAX_RETAINED: usize = 64 << 20;
/// The data section's alignment when `general.alignment` is absent.
pub const DEFAULT_ALIGNMENT: u64 = 32;

/// One GGUF file, decoded from its header.
#[derive(Debug, Clone)]
pub struct GgufFile {
    /// The file.
    pub path: PathBuf,
    /// What the file says besides its tensors.
    pub header: Header,
    /// The tensors in file order, stored as [`StoredAs::Ggml`], with
    /// absolute spans.
    pub tensors: Vec<TensorRecord>,
}

/// A GGUF file's version, layout and key/values.
#[derive(Debug, Clone, Serialize)]
pub struct Header {
    /// Format version (2 or 3).
    pub version: u32,
    /// Alignment of the data section and of every tensor in it.
    pub alignment: u64,
    /// Offset of the data section.
    pub data_start: u64,
    /// The key/values, in file order.
    pub metadata: Vec<Kv>,
}

/// Reads the GGUF file at `path` through a memory map: only the pages of
/// its header are touched.
pub fn read_file(path: &Path) -> Result<GgufFile> {
    let map = super::grok::map_file(path)?;
    read_bytes(path, &map)
}

/// Decodes a GGUF file held in `data` (a memory map, or fuzz input);
/// `path` names it in errors.
pub fn read_bytes(path: &Path, data: &[u8]) -> Result<GgufFile> {
    let mut r = Reader::new(path, data);
    let version = header(&mut r)?;
    let tensor_count = r.count("tensor count", MAX_TENSORS, 8 + 4 + 4 + 8)?;
    let kv_count = r.count("key/value count", MAX_KVS, 8 + 4 + 1)?;
    let (metadata, alignment) = key_values(&mut r, kv_count)?;
    let mut infos = Vec::with_capacity(tensor_count as usize);
    let mut names = HashSet::with_capacity(tensor_count as usize);
    for _ in 0..tensor_count {
        let info = tensor_info(&mut r, alignment)?;
        if !names.insert(info.name) {
            return Err(r.err(
                info.at,
                format!("tensor name {:?} appears twice", info.name),
            ));
        }
        infos.push(info);
    }
    let end = r.at as u64;
    let data_start = end
        .checked_next_multiple_of(alignment)
        .ok_or_else(|| r.err(r.at, "data section start overflows 64 bits"))?;
    let tensors = place(&r, infos, data_start)?;
    Ok(GgufFile {
        path: path.to_path_buf(),
        header: Header {
            version,
            alignment,
            data_start,
            metadata,
        },
        tensors,
    })
}

/// The magic and a supported version.
fn header(r: &mut Reader) -> Result<u32> {
    let magic = r.bytes(4, "the GGUF magic")?;
    if magic != MAGIC {
        return Err(r.err(
            0,
            format!(
                "not a GGUF file: it starts {:?}, not \"GGUF\"",
                String::from_utf8_lossy(magic)
            ),
        ));
    }
    let version = r.u32("the version")?;
    // A byte-swapped small version has zeros in its low half: the file was
    // written big-endian.
    if version & 0xffff == 0 && version != 0 {
        return Err(r.err(
            4,
            format!(
                "big-endian GGUF (version {} byte-swapped) is not supported",
                version.swap_bytes()
            ),
        ));
    }
    match version {
        2 | 3 => Ok(version),
        1 => Err(r.err(4, "GGUF version 1 (32-bit counts, before August 2023) is not supported; convert it to version 3 with llama.cpp")),
        v => Err(r.err(4, format!("GGUF version {v} is not supported (only 2 and 3)"))),
    }
}

/// The key/values, and the alignment they set.
fn key_values(r: &mut Reader, count: u64) -> Result<(Vec<Kv>, u64)> {
    let mut kvs = Vec::with_capacity(count as usize);
    let mut keys = HashSet::with_capacity(count as usize);
    let mut alignment = DEFAULT_ALIGNMENT;
    for _ in 0..count {
        let at = r.at;
        let key = r.name("key", u64::MAX)?;
        if !keys.insert(key) {
            return Err(r.err(at, format!("key {key:?} appears twice")));
        }
        r.charge(at, key.len())?;
        let type_at = r.at;
        let ty = r.value_type()?;
        let value = r.value(ty, 0, true)?;
        if key == "general.alignment" {
            alignment = match value {
                Some(Value::U32(a)) if a.is_power_of_two() => u64::from(a),
                Some(Value::U32(a)) => {
                    return Err(r.err(
                        type_at + 4,
                        format!("general.alignment {a} is not a power of two"),
                    ))
                }
                _ => {
                    return Err(r.err(
                        type_at,
                        format!("general.alignment is a {}, not a u32", ty.name()),
                    ))
                }
            };
        }
        if let Some(value) = value {
            kvs.push(Kv {
                key: key.to_string(),
                value,
            });
        }
    }
    Ok((kvs, alignment))
}

/// A tensor info as read, its offset still relative to the data section.
struct Info<'a> {
    /// Where the info starts, for errors.
    at: usize,
    name: &'a str,
    shape: Vec<u64>,
    ty: GgmlType,
    offset: u64,
    len: u64,
}

fn tensor_info<'a>(r: &mut Reader<'a>, alignment: u64) -> Result<Info<'a>> {
    let at = r.at;
    let name = r.name("tensor name", MAX_NAME_BYTES)?;
    let dims_at = r.at;
    let n_dims = r.u32("the number of dimensions")?;
    if n_dims > MAX_DIMS {
        return Err(r.err(
            dims_at,
            format!("tensor {name:?} has {n_dims} dimensions; ggml allows at most {MAX_DIMS}"),
        ));
    }
    let mut ne = Vec::with_capacity(n_dims as usize);
    for _ in 0..n_dims {
        let dim_at = r.at;
        let d = r.u64("a dimension")?;
        // ggml holds dimensions and element counts as int64.
        if d > i64::MAX as u64 {
            return Err(r.err(
                dim_at,
                format!("tensor {name:?}: dimension {d} exceeds 2^63 - 1"),
            ));
        }
        ne.push(d);
    }
    let type_at = r.at;
    let id = r.u32("the ggml type")?;
    let ty = GgmlType::from_id(id).ok_or_else(|| {
        r.err(
            type_at,
            format!("tensor {name:?} has ggml type id {id}, which weightcheck does not know"),
        )
    })?;
    let offset_at = r.at;
    let offset = r.u64("the tensor offset")?;
    let elements = super::tensor::checked_elements(&ne)
        .filter(|&n| n <= i64::MAX as u64)
        .ok_or_else(|| {
            r.err(
                dims_at,
                format!("tensor {name:?}: element count of dims {ne:?} overflows 63 bits"),
            )
        })?;
    let row = ne.first().copied().unwrap_or(1);
    if row % ty.block_size() != 0 {
        return Err(r.err(
            dims_at,
            format!(
                "tensor {name:?}: its first dimension {row} is not a multiple of {}'s block of {}",
                ty.name(),
                ty.block_size()
            ),
        ));
    }
    let len = (elements / ty.block_size())
        .checked_mul(ty.type_size())
        .ok_or_else(|| {
            r.err(
                dims_at,
                format!("tensor {name:?}: byte size overflows 64 bits"),
            )
        })?;
    if offset % alignment != 0 {
        return Err(r.err(
            offset_at,
            format!(
                "tensor {name:?}: offset {offset} is not a multiple of the alignment {alignment}"
            ),
        ));
    }
    ne.reverse();
    Ok(Info {
        at,
        name,
        shape: ne,
        ty,
        offset,
        len,
    })
}

/// Places the tensors: each inside the file, none overlapping another.
fn place(r: &Reader, infos: Vec<Info>, data_start: u64) -> Result<Vec<TensorRecord>> {
    let file_len = r.data.len() as u64;
    let mut order: Vec<u32> = (0..infos.len() as u32).collect();
    // At one offset, the tensor declared later is the one blamed.
    order.sort_unstable_by_key(|&i| (infos[i as usize].offset, i));
    let mut prev: Option<&Info> = None;
    for &i in &order {
        let t = &infos[i as usize];
        let end = data_start
            .checked_add(t.offset)
            .and_then(|s| s.checked_add(t.len));
        match end {
            Some(end) if end <= file_len => {}
            _ => {
                return Err(r.err(t.at, format!(
                    "tensor {:?}: data bytes [{}, +{}) of the data section at byte {data_start} run past the end of the {file_len}-byte file",
                    t.name, t.offset, t.len
                )))
            }
        }
        if let Some(p) = prev.filter(|p| t.len > 0 && p.offset + p.len > t.offset) {
            return Err(r.err(
                t.at,
                format!(
                    "tensor {:?} at data bytes [{}, {}) overlaps {:?} at [{}, {})",
                    t.name,
                    t.offset,
                    t.offset + t.len,
                    p.name,
                    p.offset,
                    p.offset + p.len
                ),
            ));
        }
        if t.len > 0 {
            prev = Some(t);
        }
    }
    Ok(infos
        .into_iter()
        .map(|t| TensorRecord {
            name: Some(t.name.to_string()),
            stored_as: StoredAs::Ggml(t.ty),
            shape: t.shape,
            // Block-quantised payloads are bytes to anything but ggml.
            dtype: t.ty.dtype().unwrap_or(DType::Uint8),
            data: Span {
                offset: data_start + t.offset,
                len: t.len,
            },
            scales: None,
        })
        .collect())
}

#[cfg(test)]
mod tests;
