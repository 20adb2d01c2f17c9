//! safetensors files: an 8-byte little-endian header length, a JSON header
//! naming each tensor's dtype, shape and `data_offsets`, then the data.
//!
//! The header is parsed here in one streaming pass rather than by the
//! `safetensors` crate (the format's reference implementation): the crate
//! builds three copies of the header (a JSON map, its `Metadata`, then our
//! records), 1.1 GB for a legal 85 MB header of 1.25 M tensors, and it keeps
//! the last of two tensors with one name. Read from the file through a
//! buffer, the header never has to be resident either; only the records are
//! kept. The rules are the crate's (every byte of the data section belongs
//! to exactly one tensor, in offset order, sized by shape × itemsize), plus
//! one the crate cannot check: a name may appear once. The crate remains the
//! oracle: tests and the fuzz target check that nothing accepted here is
//! refused by it, and that both see the same tensors.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use serde::de::{Deserializer as _, MapAccess, Visitor};
use serde::Deserialize;

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

/// Reads the header of the safetensors file at `path`, streaming it from the
/// file (see the module comment for why not through a memory map).
pub fn read_file(path: &Path) -> Result<SafetensorsFile> {
    let mut file = crate::paths::open_regular(path)?;
    let file_len = file.metadata().map_err(|e| Error::io(path, e))?.len();
    let mut len_bytes = [0u8; 8];
    if file_len < 8 {
        return Err(too_short(path, file_len));
    }
    file.read_exact(&mut len_bytes)
        .map_err(|e| Error::io(path, e))?;
    let header_len = check_header_len(path, u64::from_le_bytes(len_bytes), file_len)?;
    let mut reader = BufReader::with_capacity(1 << 16, file.take(header_len));
    let first = reader
        .fill_buf()
        .map_err(|e| Error::io(path, e))?
        .first()
        .copied();
    let de = serde_json::Deserializer::from_reader(reader);
    parse_header(path, first, de, header_len, file_len)
}

/// Decodes a safetensors file held in `data` (a memory map, or fuzz input);
/// `path` names it in errors.
pub fn read_bytes(path: &Path, data: &[u8]) -> Result<SafetensorsFile> {
    let file_len = data.len() as u64;
    let Some(len_bytes) = data.get(..8) else {
        return Err(too_short(path, file_len));
    };
    let mut buf = [0u8; 8];
    buf.copy_from_slice(len_bytes);
    let header_len = check_header_len(path, u64::from_le_bytes(buf), file_len)?;
    let header = &data[8..(8 + header_len) as usize];
    let de = serde_json::Deserializer::from_slice(header);
    parse_header(path, header.first().copied(), de, header_len, file_len)
}

fn too_short(path: &Path, file_len: u64) -> Error {
    Error::format(
        path,
        0,
        format!("{file_len} bytes: too short for a safetensors header length"),
    )
}

fn check_header_len(path: &Path, header_len: u64, file_len: u64) -> Result<u64> {
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
    Ok(header_len)
}

/// One header entry as written. Unknown fields are ignored, as by the
/// reference implementation.
#[derive(Deserialize)]
struct RawEntry {
    dtype: String,
    shape: Vec<u64>,
    data_offsets: [u64; 2],
}

/// What the streaming pass collects: the metadata map, and each tensor with
/// its offsets still relative to the data section.
#[derive(Default)]
struct Collected {
    metadata: Option<BTreeMap<String, String>>,
    tensors: Vec<TensorRecord>,
    /// The entry being read, for errors serde reports inside it.
    current: Option<String>,
}

struct HeaderVisitor<'c>(&'c mut Collected);

impl<'de> Visitor<'de> for HeaderVisitor<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object of tensors")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        use serde::de::Error as _;
        let c = self.0;
        while let Some(key) = map.next_key::<String>()? {
            if key == "__metadata__" {
                c.current = Some(key);
                let m = map.next_value::<Option<BTreeMap<String, String>>>()?;
                if c.metadata.is_some() {
                    return Err(A::Error::custom("the name \"__metadata__\" appears twice"));
                }
                c.metadata = Some(m.unwrap_or_default());
                continue;
            }
            c.current = Some(key);
            let raw: RawEntry = map.next_value()?;
            let name = c.current.take().unwrap_or_default();
            let record = entry(name, raw).map_err(A::Error::custom)?;
            c.tensors.push(record);
        }
        c.current = None;
        Ok(())
    }
}

/// Checks one entry on its own: a dtype weightcheck decodes, offsets in
/// order, and exactly shape × itemsize bytes.
fn entry(name: String, raw: RawEntry) -> std::result::Result<TensorRecord, String> {
    let Some(dtype) = DType::from_safetensors(&raw.dtype) else {
        return Err(format!(
            "tensor {name:?} has dtype {:?}, which weightcheck does not decode",
            raw.dtype
        ));
    };
    let [start, end] = raw.data_offsets;
    if end < start {
        return Err(format!(
            "tensor {name:?}: data_offsets [{start}, {end}] end before they start"
        ));
    }
    let needed =
        super::tensor::checked_elements(&raw.shape).and_then(|n| n.checked_mul(dtype.itemsize()));
    match needed {
        None => {
            return Err(format!(
                "tensor {name:?}: shape {:?} overflows 64 bits",
                raw.shape
            ))
        }
        Some(n) if n != end - start => {
            return Err(format!(
                "tensor {name:?}: data_offsets [{start}, {end}] hold {} bytes but shape {:?} of {} needs {n}",
                end - start,
                raw.shape,
                raw.dtype
            ))
        }
        Some(_) => {}
    }
    Ok(TensorRecord {
        name: Some(name),
        stored_as: StoredAs::Array,
        shape: raw.shape,
        dtype,
        data: Span {
            offset: start,
            len: end - start,
        },
        scales: None,
    })
}

/// The streaming pass, then the checks that need every entry: names
/// unique, and the data section tiled exactly.
fn parse_header<'de, R: serde_json::de::Read<'de>>(
    path: &Path,
    first: Option<u8>,
    mut de: serde_json::Deserializer<R>,
    header_len: u64,
    file_len: u64,
) -> Result<SafetensorsFile> {
    if first != Some(b'{') {
        return Err(Error::format(
            path,
            8,
            "safetensors header does not start with '{'",
        ));
    }
    let mut c = Collected::default();
    let parsed = (&mut de)
        .deserialize_map(HeaderVisitor(&mut c))
        .and_then(|()| de.end());
    if let Err(e) = parsed {
        let within = match c.current.take() {
            Some(name) if name == "__metadata__" => {
                "__metadata__ must map strings to strings: ".to_string()
            }
            Some(name) => format!("tensor {name:?}: "),
            None => String::new(),
        };
        // serde_json counts columns in bytes; a one-line header (what every
        // writer produces) gets the exact offset, others the header's start.
        let offset = if e.line() == 1 {
            8 + e.column().saturating_sub(1) as u64
        } else {
            8
        };
        return Err(Error::format(
            path,
            offset,
            format!("safetensors header: {within}{e}"),
        ));
    }
    let data_start = 8 + header_len;
    let data_len = file_len - data_start;
    let mut tensors = c.tensors;
    unique_names(&tensors)
        .map_err(|m| Error::format(path, 8, format!("safetensors header: {m}")))?;
    // In place: a stable sort would allocate half the records again.
    tensors.sort_unstable_by(|a, b| {
        (a.data.offset, a.data.len, &a.name).cmp(&(b.data.offset, b.data.len, &b.name))
    });
    tiled(&tensors, data_len).map_err(|m| Error::format(path, 8, m))?;
    for t in &mut tensors {
        t.data.offset += data_start;
    }
    Ok(SafetensorsFile {
        path: path.to_path_buf(),
        header_len,
        metadata: c.metadata.unwrap_or_default(),
        tensors,
    })
}

/// JSON parsers keep the last of two values with one key, so a duplicated
/// tensor name would let two tools see two different tensors in one file.
fn unique_names(tensors: &[TensorRecord]) -> std::result::Result<(), String> {
    let mut order: Vec<u32> = (0..tensors.len() as u32).collect();
    let name = |i: u32| tensors[i as usize].name.as_deref().unwrap_or("");
    order.sort_unstable_by(|&a, &b| name(a).cmp(name(b)));
    match order.windows(2).find(|w| name(w[0]) == name(w[1])) {
        Some(w) => Err(format!("the name {:?} appears twice", name(w[0]))),
        None => Ok(()),
    }
}

/// Every byte of the data section belongs to exactly one tensor: `tensors`
/// sorted by offset, relative offsets, must follow one another from 0 to
/// the end of the file.
fn tiled(tensors: &[TensorRecord], data_len: u64) -> std::result::Result<(), String> {
    let mut at = 0u64;
    let mut prev: Option<&str> = None;
    for t in tensors {
        let (start, end) = (t.data.offset, t.data.offset + t.data.len);
        let name = t.name.as_deref().unwrap_or("");
        if start < at {
            return Err(format!(
                "tensor {name:?} at data bytes [{start}, {end}) overlaps {:?}, which ends at {at}",
                prev.unwrap_or("")
            ));
        }
        if start > at {
            return Err(format!(
                "data bytes [{at}, {start}) before tensor {name:?} belong to no tensor"
            ));
        }
        at = end;
        prev = Some(name);
    }
    if at != data_len {
        return Err(format!(
            "tensors end at data byte {at} but the data section holds {data_len} bytes ({})",
            if at > data_len {
                "truncated file or offsets past the end"
            } else {
                "trailing bytes belong to no tensor"
            }
        ));
    }
    Ok(())
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

    /// The reference parser agrees on everything accepted here, and what it
    /// refuses is refused here too.
    #[test]
    fn agrees_with_the_reference_parser() {
        let headers = [
            r#"{"__metadata__":{"format":"pt"},"b":{"dtype":"BF16","shape":[2],"data_offsets":[24,28]},"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]}}"#,
            r#"{"z":{"dtype":"U8","shape":[0],"data_offsets":[0,0]},"y":{"dtype":"U8","shape":[],"data_offsets":[0,1]}}"#,
            r#"{"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}}"#,
            r#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#,
            r#"{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#,
            r#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8,9]}}"#,
            r#"{"__metadata__":{"n":1}}"#,
            "{}  ",
            "{} x",
        ];
        for (h, data_len) in headers.iter().zip([28, 1, 20, 12, 8, 8, 0, 0, 0]) {
            let bytes = file(h, data_len);
            let ours = read_bytes(Path::new("x"), &bytes);
            let reference = safetensors::SafeTensors::read_metadata(&bytes);
            assert_eq!(ours.is_ok(), reference.is_ok(), "{h}: {ours:?}");
            if let (Ok(ours), Ok((_, reference))) = (ours, reference) {
                assert_eq!(ours.tensors.len(), reference.tensors().len(), "{h}");
                for t in &ours.tensors {
                    let info = reference.info(t.name.as_deref().unwrap()).unwrap();
                    let start = t.data.offset - ours.data_start();
                    assert_eq!(
                        (start, start + t.data.len),
                        (info.data_offsets.0 as u64, info.data_offsets.1 as u64)
                    );
                }
            }
        }
    }

    #[test]
    fn names_the_entry_serde_refused_and_duplicate_names() {
        let h = r#"{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#;
        let e = err(&file(h, 8));
        assert!(e.starts_with("x.safetensors: byte 38: safetensors header: tensor \"a\": invalid value: integer `-2`"), "{e}");
        let h = r#"{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"w":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}"#;
        assert!(err(&file(h, 2)).contains("the name \"w\" appears twice"));
        let h = r#"{"__metadata__":{"n":1}}"#;
        assert!(
            err(&file(h, 0)).contains("__metadata__ must map strings to strings"),
            "{}",
            err(&file(h, 0))
        );
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
