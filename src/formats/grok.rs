//! Grok-1 checkpoint shards: one pickled numpy array or `QuantizedWeight8bit`
//! per file (`ckpt-0/tensor00000_000` … `tensor00769_000`).
//!
//! Only the pickle's opcodes are read; payload pages of the memory map are
//! never touched, so decoding 318 GB of shards reads a few hundred kilobytes.

use std::path::Path;

use memmap2::Mmap;

use super::numpy::{decode_array, is_array, DecodeError};
use super::pickle::{self, Allowlist, CallKind, Limits, Node, Pickle};
use super::{DType, Scales, StoredAs, TensorRecord};
use crate::{Error, Result};

/// Memory-maps a file read-only. Empty files cannot be mapped and are reported.
pub fn map_file(path: &Path) -> Result<Mmap> {
    let file = crate::paths::open_regular(path)?;
    let len = file.metadata().map_err(|e| Error::io(path, e))?.len();
    if len == 0 {
        return Err(Error::format(path, 0, "empty file"));
    }
    // SAFETY: the map is read-only; a file truncated underneath us by another
    // process is the one hazard, as with every mmap-based reader.
    unsafe { Mmap::map(&file) }.map_err(|e| Error::io(path, e))
}

/// The shard index in a Grok-1 file name (`tensor00042_000` → 42).
pub fn shard_index(file_name: &str) -> Option<u32> {
    let rest = file_name.strip_prefix("tensor")?;
    let (index, part) = rest.split_once('_')?;
    if index.len() != 5 || part != "000" || !index.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    index.parse().ok()
}

/// Decodes the Grok-1 shard at `path`.
pub fn decode_shard(path: &Path) -> Result<TensorRecord> {
    let map = map_file(path)?;
    decode_shard_bytes(path, &map)
}

/// Decodes a Grok-1 shard held in `data`; `path` names it in errors.
pub fn decode_shard_bytes(path: &Path, data: &[u8]) -> Result<TensorRecord> {
    // Protocols 0 and 1 have no PROTO opcode, but open with a value.
    if !data.first().is_some_and(|&b| pickle::may_start(b)) {
        return Err(Error::format(
            path,
            0,
            "not a pickle (no PROTO opcode 0x80 at the start)",
        ));
    }
    let p = pickle::parse(data, Allowlist::NUMPY, Limits::default())
        .map_err(|e| Error::format(path, e.offset, e.message))?;
    if p.end != data.len() as u64 {
        return Err(Error::format(
            path,
            p.end,
            format!(
                "{} bytes of trailing data after the pickle's STOP",
                data.len() as u64 - p.end
            ),
        ));
    }
    decode_root(&p).map_err(|e| Error::format(path, e.offset, e.message))
}

fn decode_root(p: &Pickle) -> Result<TensorRecord, DecodeError> {
    let root = p.root();
    if is_array(p, root) {
        let a = decode_array(p, root)?;
        return Ok(TensorRecord {
            name: None,
            stored_as: StoredAs::Array,
            shape: a.shape,
            dtype: a.dtype,
            data: a.data,
            scales: None,
        });
    }
    let err = |id, message: &str| DecodeError {
        offset: p.offset(id),
        message: message.to_string(),
    };
    let Node::Object {
        kind: CallKind::NewObj,
        callable,
        state,
        ..
    } = p.node(root)
    else {
        return Err(err(
            root,
            "shard holds neither a numpy array nor a QuantizedWeight8bit",
        ));
    };
    if p.global(*callable) != Some(("__main__", "QuantizedWeight8bit")) {
        return Err(err(
            root,
            "shard holds neither a numpy array nor a QuantizedWeight8bit",
        ));
    }
    let Some(state) = *state else {
        return Err(err(root, "QuantizedWeight8bit without state"));
    };
    let (Some(w), Some(s)) = (p.dict_get(state, "weight"), p.dict_get(state, "scales")) else {
        return Err(err(
            state,
            "QuantizedWeight8bit state lacks weight or scales",
        ));
    };
    let weight = decode_array(p, w)?;
    let scales = decode_array(p, s)?;
    if weight.dtype != DType::Int8 {
        return Err(err(
            w,
            &format!("quantized weight is {}, expected int8", weight.dtype),
        ));
    }
    let broadcasts = scales.shape.len() == weight.shape.len()
        && scales
            .shape
            .iter()
            .zip(&weight.shape)
            .all(|(&s, &w)| s != 0 && w % s == 0);
    if !broadcasts {
        return Err(err(
            s,
            &format!(
                "scales shape {:?} does not block-broadcast against weight shape {:?}",
                scales.shape, weight.shape
            ),
        ));
    }
    Ok(TensorRecord {
        name: None,
        stored_as: StoredAs::QuantizedWeight8bit,
        shape: weight.shape,
        dtype: weight.dtype,
        data: weight.data,
        scales: Some(Box::new(Scales {
            shape: scales.shape,
            dtype: scales.dtype,
            data: scales.data,
        })),
    })
}
