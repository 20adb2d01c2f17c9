//! safetensors files: an 8-byte little-endian header length, a JSON header
//! naming each tensor's dtype, shape and `data_offsets`, then the data.
//!
//! Parsing and validation go through the `safetensors` crate (the format's
//! reference implementation), over a memory map: only the header's pages are
//! read, so inspecting a 5 GB shard touches a few kilobytes. The crate
//! refuses offsets that overlap, leave gaps, disagree with shape × itemsize or
//! do not end exactly at the end of the file; when it refuses, weightcheck
//! re-reads the header itself to say which tensor is wrong and how.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use safetensors::SafeTensors;
use serde_json::Value;

use super::grok::map_file;
use super::pickle::Span;
use super::{DType, StoredAs, TensorRecord};
use crate::{Error, Result};

/// Largest header accepted, in bytes: the reference implementation's limit.
/// Checked on the 8-byte length before anything is read or allocated.
pub const MAX_HEADER_BYTES: u64 = 100_000_000;

/// One safetensors file, decoded from its header alone.
#[derive(Debug, Clone)]
pub struct SafetensorsFile {
    /// The file.
    pub path: PathBuf,
    /// Length of the JSON header (the data section starts at `8 + header_len`).
    pub header_len: u64,
    /// The free-form `__metadata__` map (`{"format": "pt"}` from transformers).
    pub metadata: BTreeMap<String, String>,
    /// The tensors in data order, each named, with spans into the file.
    pub tensors: Vec<TensorRecord>,
}

impl SafetensorsFile {
    /// Offset of the first data byte.
    pub fn data_start(&self) -> u64 {
        8 + self.header_len
    }
}

/// Refuses a header that names one key twice. JSON parsers keep the last
/// value, so a duplicated tensor name would let two tools see two different
/// tensors in one file; the safetensors crate's parser cannot tell.
fn unique_keys(header: &[u8]) -> std::result::Result<(), serde_json::Error> {
    use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};

    struct Keys;
    impl<'de> Visitor<'de> for Keys {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
            let mut seen = std::collections::HashSet::new();
            while let Some(key) = map.next_key::<String>()? {
                map.next_value::<IgnoredAny>()?;
                if !seen.insert(key.clone()) {
                    return Err(serde::de::Error::custom(format!(
                        "the name {key:?} appears twice"
                    )));
                }
            }
            Ok(())
        }
    }
    serde_json::Deserializer::from_slice(header).deserialize_map(Keys)
}

/// Reads the header of the safetensors file at `path`.
pub fn read_file(path: &Path) -> Result<SafetensorsFile> {
    let map = map_file(path)?;
    read_bytes(path, &map)
}

/// Decodes a safetensors file held in `data` (a memory map); `path` names it
/// in errors.
pub fn read_bytes(path: &Path, data: &[u8]) -> Result<SafetensorsFile> {
    let file_len = data.len() as u64;
    let Some(len_bytes) = data.get(..8) else {
        return Err(Error::format(
            path,
            0,
            format!("{file_len} bytes: too short for a safetensors header length"),
        ));
    };
    let mut buf = [0u8; 8];
    buf.copy_from_slice(len_bytes);
    let header_len = u64::from_le_bytes(buf);
    if header_len > MAX_HEADER_BYTES {
        return Err(Error::format(
            path,
            0,
            format!(
                "header length {header_len} exceeds the {MAX_HEADER_BYTES}-byte limit (refused before reading it)"
            ),
        ));
    }
    if 8 + header_len > file_len {
        return Err(Error::format(
            path,
            0,
            format!(
                "header length {header_len} runs past the end of the {file_len}-byte file (truncated?)"
            ),
        ));
    }
    let header = &data[8..(8 + header_len) as usize];
    if header.first() != Some(&b'{') {
        return Err(Error::format(
            path,
            8,
            "safetensors header does not start with '{'",
        ));
    }
    if let Err(e) = unique_keys(header) {
        return Err(Error::format(path, 8, format!("safetensors header: {e}")));
    }
    let metadata = match SafeTensors::read_metadata(data) {
        Ok((_, m)) => m,
        Err(e) => {
            let (offset, message) = diagnose(header, file_len - 8 - header_len)
                .unwrap_or_else(|| (8, format!("invalid safetensors header: {e}")));
            return Err(Error::format(path, offset, message));
        }
    };
    let data_start = 8 + header_len;
    let mut tensors = Vec::with_capacity(metadata.tensors().len());
    for name in metadata.offset_keys() {
        let Some(info) = metadata.info(&name) else {
            continue;
        };
        let code = info.dtype.to_string();
        let Some(dtype) = DType::from_safetensors(&code) else {
            return Err(Error::format(
                path,
                8,
                format!("tensor {name:?} has dtype {code}, which weightcheck does not decode"),
            ));
        };
        let (start, end) = info.data_offsets;
        tensors.push(TensorRecord {
            name: Some(name),
            stored_as: StoredAs::Array,
            shape: info.shape.iter().map(|&d| d as u64).collect(),
            dtype,
            data: Span {
                offset: data_start + start as u64,
                len: (end - start) as u64,
            },
            scales: None,
        });
    }
    Ok(SafetensorsFile {
        path: path.to_path_buf(),
        header_len,
        metadata: metadata
            .metadata()
            .as_ref()
            .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default(),
        tensors,
    })
}

/// Finds what the reference parser refused, for a message that names the
/// tensor. Returns `None` when nothing specific is found.
fn diagnose(header: &[u8], data_len: u64) -> Option<(u64, String)> {
    let text = match std::str::from_utf8(header) {
        Ok(t) => t,
        Err(e) => {
            return Some((
                8 + e.valid_up_to() as u64,
                "header is not valid UTF-8".into(),
            ))
        }
    };
    let json: serde_json::Map<String, Value> = match serde_json::from_str(text) {
        Ok(j) => j,
        Err(e) => {
            return Some((8, format!("header is not a JSON object: {e}")));
        }
    };
    let mut spans = Vec::new();
    for (name, entry) in &json {
        if name == "__metadata__" {
            if !entry
                .as_object()
                .is_some_and(|m| m.values().all(Value::is_string))
            {
                return Some((8, "__metadata__ must map strings to strings".into()));
            }
            continue;
        }
        let dtype = entry.get("dtype").and_then(Value::as_str);
        let Some(bits) = dtype.and_then(|d| {
            serde_json::from_value::<safetensors::Dtype>(Value::String(d.to_string()))
                .ok()
                .map(|d| d.bitsize() as u64)
        }) else {
            return Some((
                8,
                format!("tensor {name:?}: unknown or missing dtype {dtype:?}"),
            ));
        };
        let shape: Option<Vec<u64>> = entry
            .get("shape")
            .and_then(Value::as_array)
            .and_then(|dims| dims.iter().map(Value::as_u64).collect());
        let Some(shape) = shape else {
            return Some((
                8,
                format!("tensor {name:?}: shape is not a list of non-negative integers"),
            ));
        };
        let offsets: Option<Vec<u64>> = entry
            .get("data_offsets")
            .and_then(Value::as_array)
            .and_then(|o| o.iter().map(Value::as_u64).collect());
        let pair = offsets
            .as_deref()
            .and_then(|o| <[u64; 2]>::try_from(o).ok());
        let Some([start, end]) = pair else {
            return Some((
                8,
                format!("tensor {name:?}: data_offsets is not a pair of non-negative integers"),
            ));
        };
        if end < start {
            return Some((
                8,
                format!("tensor {name:?}: data_offsets [{start}, {end}] end before they start"),
            ));
        }
        let needed = shape
            .iter()
            .try_fold(1u64, |a, &d| a.checked_mul(d))
            .and_then(|n| n.checked_mul(bits))
            .map(|b| b.div_ceil(8));
        match needed {
            None => {
                return Some((
                    8,
                    format!("tensor {name:?}: shape {shape:?} overflows 64 bits"),
                ))
            }
            Some(n) if n != end - start => {
                return Some((
                    8,
                    format!(
                        "tensor {name:?}: data_offsets [{start}, {end}] hold {} bytes but shape {shape:?} of {} needs {n}",
                        end - start,
                        dtype.unwrap_or("?")
                    ),
                ))
            }
            Some(_) => {}
        }
        spans.push((start, end, name.as_str()));
    }
    spans.sort();
    let mut at = 0u64;
    let mut prev = "";
    for (start, end, name) in spans {
        if start < at {
            return Some((
                8,
                format!("tensor {name:?} at data bytes [{start}, {end}) overlaps {prev:?}, which ends at {at}"),
            ));
        }
        if start > at {
            return Some((
                8,
                format!("data bytes [{at}, {start}) before tensor {name:?} belong to no tensor"),
            ));
        }
        at = end;
        prev = name;
    }
    if at != data_len {
        return Some((
            8,
            format!(
                "tensors end at data byte {at} but the data section holds {data_len} bytes ({})",
                if at > data_len {
                    "truncated file or offsets past the end"
                } else {
                    "trailing bytes belong to no tensor"
                }
            ),
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(header: &str, data_len: usize) -> Vec<u8> {
        let mut v = (header.len() as u64).to_le_bytes().to_vec();
        v.extend_from_slice(header.as_bytes());
        v.resize(v.len() + data_len, 0);
        v
    }

    fn err(data: &[u8]) -> String {
        read_bytes(Path::new("x.safetensors"), data)
            .expect_err("must fail")
            .to_string()
    }

    #[test]
    fn reads_names_shapes_and_absolute_spans() {
        let h = r#"{"__metadata__":{"format":"pt"},"b":{"dtype":"BF16","shape":[2],"data_offsets":[24,28]},"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]}}"#;
        let f = read_bytes(Path::new("x"), &file(h, 28)).unwrap();
        assert_eq!(f.metadata.get("format").map(String::as_str), Some("pt"));
        let names: Vec<_> = f.tensors.iter().map(|t| t.name.clone().unwrap()).collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(f.tensors[0].shape, [2, 3]);
        assert_eq!(f.tensors[1].dtype, DType::Bfloat16);
        assert_eq!(f.tensors[1].data.offset, 8 + h.len() as u64 + 24);
        assert_eq!(f.tensors[1].data.len, 4);
    }

    #[test]
    fn refuses_absurd_header_length_up_front() {
        let mut v = (1u64 << 40).to_le_bytes().to_vec();
        v.extend_from_slice(b"{}");
        assert!(
            err(&v).contains("exceeds the 100000000-byte limit"),
            "{}",
            err(&v)
        );
        let mut v = 50u64.to_le_bytes().to_vec();
        v.extend_from_slice(b"{}");
        assert!(err(&v).contains("runs past the end"));
    }

    #[test]
    fn names_the_tensor_with_bad_offsets() {
        let h = r#"{"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}}"#;
        assert!(err(&file(h, 20)).contains("hold 20 bytes but shape [2, 3] of F32 needs 24"));
        let h = r#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#;
        assert!(
            err(&file(h, 12)).contains("overlaps \"a\""),
            "{}",
            err(&file(h, 12))
        );
        let h = r#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#;
        assert!(
            err(&file(h, 4)).contains("truncated"),
            "{}",
            err(&file(h, 4))
        );
        assert!(err(&file(h, 12)).contains("trailing bytes"));
        let h = r#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}"#;
        assert!(err(&file(h, 16)).contains("belong to no tensor"));
    }
}
