//! SentencePiece `tokenizer.model` files: a `ModelProto` protobuf whose
//! field 1 is repeated once per vocabulary piece. Counting those entries
//! gives the vocabulary size without a protobuf dependency.

use std::path::Path;

use crate::{Error, Result};

/// What a tokenizer model holds.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Vocabulary {
    /// Number of pieces.
    pub pieces: u64,
    /// The first few pieces' text (ids 0, 1, …), for display.
    pub first: Vec<String>,
}

/// Reads a `tokenizer.model` file.
pub fn read_vocabulary(path: &Path) -> Result<Vocabulary> {
    // Real tokenizer models are a few MB; 64 MiB leaves room and bounds memory.
    let data = crate::paths::read_limited(path, 64 << 20)?;
    parse_vocabulary(&data).map_err(|(offset, msg)| Error::format(path, offset, msg))
}

fn varint(data: &[u8], pos: &mut usize) -> Result<u64, (u64, String)> {
    let start = *pos;
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let Some(&b) = data.get(*pos) else {
            return Err((start as u64, "truncated varint".into()));
        };
        *pos += 1;
        value |= ((b & 0x7f) as u64) << shift;
        if b & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err((start as u64, "varint longer than 10 bytes".into()))
}

/// Counts the pieces of a serialized `ModelProto`.
pub fn parse_vocabulary(data: &[u8]) -> Result<Vocabulary, (u64, String)> {
    let mut pos = 0usize;
    let mut pieces = 0u64;
    let mut first = Vec::new();
    while pos < data.len() {
        let at = pos as u64;
        let key = varint(data, &mut pos)?;
        let (field, wire) = (key >> 3, key & 7);
        match wire {
            0 => {
                varint(data, &mut pos)?;
            }
            1 => pos += 8,
            5 => pos += 4,
            2 => {
                let len = varint(data, &mut pos)?;
                if len > (data.len() - pos.min(data.len())) as u64 {
                    return Err((at, format!("field {field} claims {len} bytes past the end")));
                }
                let body = &data[pos..pos + len as usize];
                pos += len as usize;
                if field == 1 {
                    pieces += 1;
                    if first.len() < 4 {
                        first.push(piece_text(body));
                    }
                }
            }
            _ => return Err((at, format!("unsupported protobuf wire type {wire}"))),
        }
        if pos > data.len() {
            return Err((at, "truncated field".into()));
        }
    }
    if pieces == 0 {
        return Err((0, "no vocabulary pieces: not a SentencePiece model".into()));
    }
    Ok(Vocabulary { pieces, first })
}

/// The `piece` string (field 1) of a `SentencePiece` message.
fn piece_text(body: &[u8]) -> String {
    let mut pos = 0;
    while pos < body.len() {
        let Ok(key) = varint(body, &mut pos) else {
            break;
        };
        if key & 7 != 2 {
            match key & 7 {
                0 => {
                    if varint(body, &mut pos).is_err() {
                        break;
                    }
                }
                5 => pos += 4,
                1 => pos += 8,
                _ => break,
            }
            continue;
        }
        let Ok(len) = varint(body, &mut pos) else {
            break;
        };
        let end = pos.saturating_add(len as usize).min(body.len());
        if key >> 3 == 1 {
            return String::from_utf8_lossy(&body[pos..end]).into_owned();
        }
        pos = end;
    }
    String::new()
}
