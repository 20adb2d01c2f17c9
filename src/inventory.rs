//! Finding tensor files under user-given paths and decoding them in
//! parallel: the engine behind `inspect` and `verify`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use crate::formats::{self, gguf, index, DType, Format, StoredAs, TensorRecord};
use crate::{Error, Result};

/// One decoded file.
#[derive(Debug)]
pub struct Entry {
    /// The file on disk.
    pub path: PathBuf,
    /// Path relative to the root it was found under, `/`-separated.
    pub rel: String,
    /// Size in bytes.
    pub size: u64,
    /// Its format.
    pub format: Format,
    /// Its tensors, or why they could not be read. An index lists none (its
    /// shards are entries of their own) but fails if it disagrees with them.
    pub tensors: Result<Vec<TensorRecord>>,
    /// A GGUF file's version, layout and key/values (the one format whose
    /// metadata `inspect` shows).
    pub gguf: Option<Box<gguf::Header>>,
}

/// Decodes every file in parallel, reading only headers (and, for Grok-1
/// shards, trailers). Files in no tensor format are left out unless
/// `keep_unknown`, when they are reported as errors (a file the user named).
pub fn decode_all(files: &[(PathBuf, String)], keep_unknown: bool) -> Vec<Entry> {
    tracing::info!(files = files.len(), "decoding headers");
    files
        .par_iter()
        .filter_map(|(path, rel)| {
            let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
            // A file named like a Grok-1 shard is decoded as one unless its
            // magic says otherwise, so a damaged shard gets the pickle
            // reader's precise error rather than "unknown format".
            let shard_name = formats::grok::shard_index(rel.rsplit('/').next().unwrap_or(rel)).is_some();
            let format = match (size, formats::detect(path)) {
                (0, _) | (_, Ok(Format::Unknown)) if shard_name => Format::GrokShard,
                (0, _) if !keep_unknown => return None,
                // Compressed files in a directory are not weights; named, one is
                // refused saying what it holds.
                (_, Ok(Format::Unknown | Format::Gzip)) if !keep_unknown => return None,
                (_, Ok(f)) => f,
                (_, Err(e)) => {
                    return Some(Entry { path: path.clone(), rel: rel.clone(), size, format: Format::Unknown, tensors: Err(e), gguf: None })
                }
            };
            let mut header = None;
            let tensors = match format {
                Format::ShardIndex => index_problems(path),
                Format::Unknown => Err(Error::Invalid(format!(
                    "{}: not a tensor file weightcheck recognises (Grok-1 pickle shard, safetensors, PyTorch zip, GGUF, shard index)",
                    path.display()
                ))),
                Format::GrokShard => formats::grok::decode_shard(path).map(|t| vec![t]),
                Format::Gguf => gguf::read_file(path).map(|f| {
                    header = Some(Box::new(f.header));
                    f.tensors
                }),
                _ => formats::inspect_file(path),
            };
            Some(Entry { path: path.clone(), rel: rel.clone(), size, format, tensors, gguf: header })
        })
        .collect()
}

/// What `inspect PATH...` lists: every tensor file named or found under a
/// directory, decoded, and the files under directories that are not tensor
/// files.
#[derive(Debug)]
pub struct Inventory {
    /// Named files first (each index followed by its shards), then what was
    /// found under directories, sorted by path within each directory.
    pub entries: Vec<Entry>,
    /// Files under the directories that are not tensor files.
    pub other_files: Vec<String>,
}

/// Inventories `paths` as `inspect` does. A file named outright must be a
/// tensor file (else its entry holds the error); inside a directory, other
/// files (READMEs, configs) are passed over and listed in `other_files`.
/// Fails only when a path cannot be listed (missing, unreadable, not a
/// regular file or directory); undecodable files are entries with errors.
pub fn of_paths(paths: &[PathBuf]) -> Result<Inventory> {
    let (named, dirs): (Vec<PathBuf>, Vec<PathBuf>) =
        paths.iter().cloned().partition(|p| p.is_file());
    let named = with_index_shards(crate::paths::tensor_files(&named)?);
    let mut entries = decode_all(&named, true);
    let in_dirs = crate::paths::tensor_files(&dirs)?;
    let found = decode_all(&in_dirs, false);
    let other_files = passed_over(&in_dirs, &found);
    entries.extend(found);
    Ok(Inventory {
        entries,
        other_files,
    })
}

/// The files a named index's shards are, after it (each once): naming an
/// index lists its tensors through its shards. Shards missing or outside
/// the index's directory are left to the index's own check.
pub fn with_index_shards(files: Vec<(PathBuf, String)>) -> Vec<(PathBuf, String)> {
    let mut out: Vec<(PathBuf, String)> = Vec::with_capacity(files.len());
    for (path, rel) in files {
        let shards = match formats::detect(&path) {
            Ok(Format::ShardIndex) => index::read_index(&path).ok().map(|i| {
                let dir = i.dir().to_path_buf();
                let canon = dir.canonicalize().ok();
                i.shards()
                    .iter()
                    .map(|s| (dir.join(s), s.clone()))
                    .filter(|(p, _)| {
                        p.is_file()
                            && canon
                                .as_ref()
                                .zip(p.canonicalize().ok())
                                .is_some_and(|(c, real)| real.starts_with(c))
                    })
                    .collect::<Vec<_>>()
            }),
            _ => None,
        };
        out.push((path, rel));
        for shard in shards.unwrap_or_default() {
            if !out.iter().any(|(p, _)| *p == shard.0) {
                out.push(shard);
            }
        }
    }
    out
}

/// The files under directories that are not tensor files (configs,
/// tokenizers, READMEs): `files` minus the decoded `entries`.
pub fn passed_over(files: &[(PathBuf, String)], entries: &[Entry]) -> Vec<String> {
    let decoded: std::collections::HashSet<&Path> =
        entries.iter().map(|e| e.path.as_path()).collect();
    files
        .iter()
        .filter(|(p, _)| !decoded.contains(p.as_path()))
        .map(|(_, rel)| rel.clone())
        .collect()
}

/// An index's disagreements with its shards, as an error.
fn index_problems(path: &Path) -> Result<Vec<TensorRecord>> {
    let set = index::read_set(path)?;
    if set.problems.is_empty() {
        return Ok(Vec::new());
    }
    let lines: Vec<String> = set.problems.iter().map(|p| p.to_string()).collect();
    Err(Error::Invalid(format!(
        "{}: index disagrees with its shards:\n  {}",
        path.display(),
        lines.join("\n  ")
    )))
}

/// Totals over an inventory.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Totals {
    /// Files decoded.
    pub files: u64,
    /// Files that could not be decoded.
    pub errors: u64,
    /// Tensors.
    pub tensors: u64,
    /// Logical parameters (elements of tensors that are not buffers);
    /// `u64::MAX` when the sum overflows.
    pub parameters: u64,
    /// Elements of registered buffers (`position_ids`, running statistics,
    /// `inv_freq`…), counted apart from parameters.
    pub buffers: u64,
    /// The sum of parameters does not fit 64 bits (hostile shapes, or
    /// stride-0 views of enormous logical size): printers say "overflow".
    pub parameters_overflow: bool,
    /// Bytes of all files.
    pub file_bytes: u64,
    /// Payload bytes per stored dtype (scales counted under their dtype);
    /// GGUF tensors are counted by ggml type instead.
    pub bytes_per_dtype: BTreeMap<DType, u64>,
    /// Payload bytes of GGUF tensors per ggml type (absent without any).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub bytes_per_ggml_type: BTreeMap<gguf::GgmlType, u64>,
}

/// Sums an inventory.
pub fn totals(entries: &[Entry]) -> Totals {
    let mut t = Totals::default();
    for e in entries {
        t.file_bytes += e.size;
        match &e.tensors {
            Ok(tensors) => {
                t.files += 1;
                for r in tensors {
                    t.tensors += 1;
                    match r.stored_as {
                        StoredAs::Ggml(g) => {
                            *t.bytes_per_ggml_type.entry(g).or_default() += r.data.len
                        }
                        _ => *t.bytes_per_dtype.entry(r.dtype).or_default() += r.data.len,
                    }
                    if r.is_buffer() {
                        t.buffers = t.buffers.saturating_add(r.elements());
                        continue;
                    }
                    match t.parameters.checked_add(r.elements()) {
                        Some(sum) => t.parameters = sum,
                        None => {
                            t.parameters = u64::MAX;
                            t.parameters_overflow = true;
                        }
                    }
                    if let Some(s) = &r.scales {
                        *t.bytes_per_dtype.entry(s.dtype).or_default() += s.data.len;
                    }
                }
            }
            Err(_) => t.errors += 1,
        }
    }
    t
}
