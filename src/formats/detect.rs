//! Which format a file is in, from its first bytes, and one entry point that
//! lists the tensors of any supported file.

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use serde::Serialize;

use super::{gguf, grok, index, safetensors, torch, TensorRecord};
use crate::{Error, Result};

/// A file format weightcheck recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Format {
    /// A pickled numpy array or `QuantizedWeight8bit` (a Grok-1 shard).
    GrokShard,
    /// A safetensors file.
    Safetensors,
    /// A sharded-checkpoint index (`*.index.json` with a `weight_map`).
    ShardIndex,
    /// A PyTorch zip checkpoint (`torch.save` since torch 1.6).
    TorchZip,
    /// A legacy PyTorch file (pre-1.6 pickle stream or tar): recognised, not supported.
    TorchLegacy,
    /// A GGUF file (llama.cpp's format), version 2 or 3.
    Gguf,
    /// A gzip-compressed file: refused, saying what is inside.
    Gzip,
    /// None of the above.
    Unknown,
}

impl Format {
    /// The name used in messages and tables.
    pub fn name(self) -> &'static str {
        match self {
            Format::GrokShard => "grok-shard",
            Format::Safetensors => "safetensors",
            Format::ShardIndex => "shard-index",
            Format::TorchZip => "torch-zip",
            Format::TorchLegacy => "torch-legacy",
            Format::Gguf => "gguf",
            Format::Gzip => "gzip",
            Format::Unknown => "unknown",
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Bytes read from the start of a file to tell its format.
const HEAD: usize = 512;

/// Tells the format of the file at `path` from its first bytes (and, for
/// JSON, its name). Reads at most 512 bytes.
pub fn detect(path: &Path) -> Result<Format> {
    let mut file = crate::paths::open_regular(path)?;
    let mut head = Vec::with_capacity(HEAD);
    file.by_ref()
        .take(HEAD as u64)
        .read_to_end(&mut head)
        .map_err(|e| Error::io(path, e))?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    Ok(detect_bytes(name, &head))
}

/// Whether a file's name says it holds tensors (`*.safetensors`, `*.pth`,
/// `*.pt`, `*.ckpt`, `*.gguf`, Grok-1's `tensorNNNNN_NNN`): such a file that
/// decodes as nothing is damaged, not "some other file".
pub fn named_as_tensor_file(file_name: &str) -> bool {
    [".safetensors", ".pth", ".pt", ".ckpt", ".gguf"]
        .iter()
        .any(|ext| file_name.ends_with(ext))
        || super::grok::shard_index(file_name).is_some()
}

/// Tells a format from a file's name and first bytes (up to 512).
pub fn detect_bytes(file_name: &str, head: &[u8]) -> Format {
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return Format::TorchZip;
    }
    // Named .gguf: its own decoder says what is wrong with the magic or
    // version, at byte 0 or 4.
    if head.starts_with(gguf::MAGIC) || file_name.ends_with(".gguf") {
        return Format::Gguf;
    }
    if head.starts_with(&[0x1f, 0x8b]) {
        return Format::Gzip;
    }
    if torch::is_legacy(head) || head.get(257..262) == Some(b"ustar") {
        return Format::TorchLegacy;
    }
    // Named .safetensors: its own decoder says what is wrong (an absurd
    // header length, at byte 0) rather than "not a tensor file".
    if file_name.ends_with(".safetensors") && head.len() >= 8 {
        return Format::Safetensors;
    }
    if head.len() >= 9 && head[8] == b'{' {
        let mut n = [0u8; 8];
        n.copy_from_slice(&head[..8]);
        if u64::from_le_bytes(n) <= safetensors::MAX_HEADER_BYTES {
            return Format::Safetensors;
        }
    }
    if head.first() == Some(&0x80) && head.get(1).is_some_and(|v| (2..=5).contains(v)) {
        return Format::GrokShard;
    }
    // Protocol 0 and 1 pickles start with no magic; a file named as a
    // pickle goes to the pickle reader, which names any global it refuses.
    if file_name.ends_with(".pkl") || file_name.ends_with(".pickle") {
        return Format::GrokShard;
    }
    // An index is named `*.index.json` by every writer; under another name,
    // JSON is one only if its `weight_map` shows in the first bytes.
    // Other JSON (config, tokenizer, modules.json) is not a tensor file.
    let first = head.iter().find(|b| !b.is_ascii_whitespace());
    let names_weight_map = head.windows(12).any(|w| w == b"\"weight_map\"");
    if file_name.ends_with(".index.json") || (first == Some(&b'{') && names_weight_map) {
        return Format::ShardIndex;
    }
    Format::Unknown
}

/// A tensor and the file its span refers to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TensorInFile {
    /// The file holding the tensor's bytes, shared by all of its tensors
    /// (a shard of a million tensors holds its path once).
    pub file: Arc<Path>,
    /// The tensor.
    pub record: TensorRecord,
    /// Element strides, for a tensor that is not C-contiguous (PyTorch
    /// views); its span then covers every byte the view touches.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strides: Option<Vec<u64>>,
}

/// Lists the tensors of any supported file: a Grok-1 shard, a safetensors
/// file, a PyTorch zip checkpoint, or an index (whose shards are all read
/// and held against it; any disagreement is an error here — use
/// [`index::read_set`] to get every problem as data). Spans refer to each
/// tensor's own file.
pub fn inspect_located(path: &Path) -> Result<Vec<TensorInFile>> {
    match detect(path)? {
        Format::ShardIndex => {
            let set = index::read_set(path)?;
            if set.problems.is_empty() {
                return Ok(set.tensors);
            }
            let shown: Vec<String> = set
                .problems
                .iter()
                .take(10)
                .map(|p| p.to_string())
                .collect();
            let more = set.problems.len().saturating_sub(shown.len());
            Err(Error::Invalid(format!(
                "{}: index and shards disagree ({} problem{}): {}{}",
                path.display(),
                set.problems.len(),
                if set.problems.len() == 1 { "" } else { "s" },
                shown.join("; "),
                if more > 0 {
                    format!("; and {more} more")
                } else {
                    String::new()
                }
            )))
        }
        _ => read_located(path),
    }
}

/// Lists the tensors of one weight file (not an index).
pub fn read_located(path: &Path) -> Result<Vec<TensorInFile>> {
    let file: Arc<Path> = Arc::from(path);
    let plain = |record: TensorRecord| TensorInFile {
        file: file.clone(),
        record,
        strides: None,
    };
    match detect(path)? {
        Format::GrokShard => Ok(vec![plain(grok::decode_shard(path)?)]),
        Format::Safetensors => Ok(safetensors::read_file(path)?
            .tensors
            .into_iter()
            .map(plain)
            .collect()),
        Format::TorchZip => Ok(torch::read_file(path)?
            .tensors
            .into_iter()
            .map(|t| TensorInFile {
                file: file.clone(),
                strides: (!t.contiguous).then_some(t.strides),
                record: t.record,
            })
            .collect()),
        Format::Gguf => Ok(gguf::read_file(path)?
            .tensors
            .into_iter()
            .map(plain)
            .collect()),
        Format::TorchLegacy => Err(Error::format(path, 0, torch::LEGACY_MESSAGE)),
        Format::Gzip => Err(super::gzip::refuse(path)),
        Format::ShardIndex => Err(Error::Invalid(format!(
            "{} is an index; an index may not name another index",
            path.display()
        ))),
        Format::Unknown => Err(Error::format(
            path,
            0,
            "unrecognised format: not a safetensors file, PyTorch zip checkpoint, GGUF file, shard index or Grok-1 shard",
        )),
    }
}

/// Lists the tensors of any supported file (see [`inspect_located`]); for
/// an index, spans refer to the shard each tensor is in.
///
/// A safetensors file of one tensor, written by hand (an 8-byte header
/// length, the JSON header, the data):
///
/// ```
/// use weightcheck::formats::{inspect_file, DType};
///
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("model.safetensors");
/// let header = br#"{"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]}}"#;
/// let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
/// bytes.extend_from_slice(header);
/// bytes.extend_from_slice(&[0; 24]);
/// std::fs::write(&path, bytes)?;
///
/// let tensors = inspect_file(&path)?;
/// assert_eq!(tensors[0].name.as_deref(), Some("w"));
/// assert_eq!(tensors[0].shape, [2, 3]);
/// assert_eq!(tensors[0].dtype, DType::Float32);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn inspect_file(path: &Path) -> Result<Vec<TensorRecord>> {
    // A file's own records are returned as decoded: going through
    // [`TensorInFile`] would copy the path once per tensor.
    match detect(path)? {
        Format::Safetensors => Ok(safetensors::read_file(path)?.tensors),
        Format::GrokShard => Ok(vec![grok::decode_shard(path)?]),
        Format::TorchZip => Ok(torch::read_file(path)?
            .tensors
            .into_iter()
            .map(|t| t.record)
            .collect()),
        Format::Gguf => Ok(gguf::read_file(path)?.tensors),
        _ => Ok(inspect_located(path)?
            .into_iter()
            .map(|l| l.record)
            .collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_formats_from_first_bytes() {
        assert_eq!(detect_bytes("a.pth", b"PK\x03\x04rest"), Format::TorchZip);
        assert_eq!(
            detect_bytes("a.pt", &torch::LEGACY_MAGIC),
            Format::TorchLegacy
        );
        let mut st = 2u64.to_le_bytes().to_vec();
        st.extend_from_slice(b"{}");
        assert_eq!(detect_bytes("m.safetensors", &st), Format::Safetensors);
        assert_eq!(
            detect_bytes("tensor00000_000", b"\x80\x04\x95"),
            Format::GrokShard
        );
        assert_eq!(
            detect_bytes("i.index.json", b"  {\"meta\":{\"x\":1}}"),
            Format::ShardIndex
        );
        assert_eq!(detect_bytes("x", b"{\"weight_map\":{"), Format::ShardIndex);
        assert_eq!(
            detect_bytes("config.json", b"{\"architectures\":[]}"),
            Format::Unknown
        );
        assert_eq!(detect_bytes("x.bin", b"GGUF\x03\0\0\0"), Format::Gguf);
        assert_eq!(detect_bytes("m.gguf", b"GGML"), Format::Gguf);
    }
}
