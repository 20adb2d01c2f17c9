//! Sharded checkpoints: an index JSON (`model.safetensors.index.json`,
//! `pytorch_model.bin.index.json`) mapping each tensor name to the shard
//! that holds it, as Hugging Face's `save_pretrained` writes.
//!
//! The index is held against the shards themselves: every entry must name a
//! tensor its shard really has, every tensor of every shard must be indexed
//! to that shard, and no tensor may live in two shards. Loaders trust the
//! index to find a tensor, so a stale or edited index silently loads the
//! wrong bytes or fails late; here it is a finding.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde_json::Value;

use super::detect::{read_located, TensorInFile};
use crate::paths::is_safe_relative;
use crate::{Error, Result};

/// Largest index file accepted, in bytes (Mixtral's is about 90 KB).
pub const MAX_INDEX_BYTES: u64 = 100_000_000;

/// A parsed index file.
#[derive(Debug, Clone)]
pub struct ShardIndex {
    /// The index file.
    pub path: PathBuf,
    /// `metadata.total_size`, where present: the writer's count of tensor bytes.
    pub total_size: Option<u64>,
    /// Tensor name → shard file (relative to the index's directory), by name.
    pub weight_map: BTreeMap<String, String>,
}

impl ShardIndex {
    /// The distinct shard files, sorted.
    pub fn shards(&self) -> Vec<&str> {
        let set: BTreeSet<&str> = self.weight_map.values().map(String::as_str).collect();
        set.into_iter().collect()
    }

    /// The directory shard paths are relative to.
    pub fn dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }
}

/// A disagreement between an index and its shards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexProblem {
    /// The index names a shard file that does not exist.
    MissingShard {
        /// Shard file, as the index names it.
        shard: String,
    },
    /// A shard exists but could not be decoded.
    UnreadableShard {
        /// Shard file.
        shard: String,
        /// Why.
        error: String,
    },
    /// The index maps a tensor to a shard that does not hold it.
    NotInShard {
        /// Tensor name.
        name: String,
        /// The shard the index names.
        shard: String,
        /// Shards that do hold it, if any.
        found_in: Vec<String>,
    },
    /// A shard holds a tensor that the index does not list at all.
    NotIndexed {
        /// Tensor name.
        name: String,
        /// Shard holding it.
        shard: String,
    },
    /// The same tensor name is stored in more than one shard.
    Duplicate {
        /// Tensor name.
        name: String,
        /// The shards holding it.
        shards: Vec<String>,
    },
}

impl std::fmt::Display for IndexProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IndexProblem::MissingShard { shard } => {
                write!(f, "shard {shard} named by the index does not exist")
            }
            IndexProblem::UnreadableShard { shard, error } => {
                write!(f, "shard {shard} cannot be read: {error}")
            }
            IndexProblem::NotInShard {
                name,
                shard,
                found_in,
            } => {
                write!(f, "index maps {name} to {shard}, which does not hold it")?;
                if found_in.is_empty() {
                    write!(f, " (no shard does)")
                } else {
                    write!(f, " (it is in {})", found_in.join(", "))
                }
            }
            IndexProblem::NotIndexed { name, shard } => {
                write!(f, "{shard} holds {name}, which the index does not list")
            }
            IndexProblem::Duplicate { name, shards } => {
                write!(
                    f,
                    "{name} is stored in several shards: {}",
                    shards.join(", ")
                )
            }
        }
    }
}

/// An index together with what its shards really hold.
#[derive(Debug, Clone)]
pub struct ShardSet {
    /// The index.
    pub index: ShardIndex,
    /// Every tensor of every readable shard, shard by shard (sorted by shard
    /// name), each in its file's order.
    pub tensors: Vec<TensorInFile>,
    /// Disagreements between the index and the shards (empty when they agree).
    pub problems: Vec<IndexProblem>,
    /// Sum of the tensors' byte lengths, to hold against `total_size`.
    pub tensor_bytes: u64,
}

/// Reads an index file (names only; shards are not opened).
pub fn read_index(path: &Path) -> Result<ShardIndex> {
    let text = crate::paths::read_limited(path, MAX_INDEX_BYTES)?;
    parse_index(path, &text)
}

/// Parses index JSON held in `text`; `path` names it and locates its shards.
pub fn parse_index(path: &Path, text: &[u8]) -> Result<ShardIndex> {
    let json: Value = serde_json::from_slice(text).map_err(|e| {
        Error::format(
            path,
            0,
            format!("not JSON (line {}, column {}): {e}", e.line(), e.column()),
        )
    })?;
    let Some(map) = json.get("weight_map").and_then(Value::as_object) else {
        return Err(Error::format(
            path,
            0,
            "no \"weight_map\" object: not a sharded-checkpoint index",
        ));
    };
    let mut weight_map = BTreeMap::new();
    for (name, shard) in map {
        let Some(shard) = shard.as_str() else {
            return Err(Error::format(
                path,
                0,
                format!("weight_map entry {name:?} is not a file name"),
            ));
        };
        if !is_safe_relative(shard) {
            return Err(Error::format(
                path,
                0,
                format!("weight_map entry {name:?} names {shard:?}, not a plain relative path"),
            ));
        }
        weight_map.insert(name.clone(), shard.to_string());
    }
    let total_size = json
        .get("metadata")
        .and_then(|m| m.get("total_size"))
        .and_then(|t| t.as_u64().or_else(|| t.as_f64().map(|f| f as u64)));
    Ok(ShardIndex {
        path: path.to_path_buf(),
        total_size,
        weight_map,
    })
}

/// Reads an index and every shard it names (headers only), and holds them
/// against each other. I/O errors on the index itself are errors; problems
/// with shards are reported in [`ShardSet::problems`].
pub fn read_set(index_path: &Path) -> Result<ShardSet> {
    let index = read_index(index_path)?;
    let dir = index.dir().to_path_buf();
    let shards: Vec<String> = index.shards().into_iter().map(str::to_string).collect();
    let canon_dir = dir.canonicalize().map_err(|e| Error::io(&dir, e))?;
    let decoded: Vec<(String, std::result::Result<Vec<TensorInFile>, IndexProblem>)> = shards
        .par_iter()
        .map(|shard| {
            let path = dir.join(shard);
            // A shard name is a plain relative path, but a symlink on disk
            // could still lead out of the index's directory.
            let outside = path
                .canonicalize()
                .is_ok_and(|real| !real.starts_with(&canon_dir));
            let result = if !path.exists() {
                Err(IndexProblem::MissingShard {
                    shard: shard.clone(),
                })
            } else if outside {
                Err(IndexProblem::UnreadableShard {
                    shard: shard.clone(),
                    error: "a symlink that leads outside the index's directory; not followed"
                        .into(),
                })
            } else {
                read_located(&path).map_err(|e| IndexProblem::UnreadableShard {
                    shard: shard.clone(),
                    error: e.to_string(),
                })
            };
            (shard.clone(), result)
        })
        .collect();
    let mut problems = Vec::new();
    let mut holders: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut readable = BTreeSet::new();
    for (shard, result) in &decoded {
        match result {
            Ok(tensors) => {
                readable.insert(shard.as_str());
                for t in tensors {
                    if let Some(name) = &t.record.name {
                        holders.entry(name).or_default().push(shard);
                    }
                }
            }
            Err(p) => problems.push(p.clone()),
        }
    }
    for (name, shard) in &index.weight_map {
        if !readable.contains(shard.as_str()) {
            continue;
        }
        let found: Vec<&str> = holders.get(name.as_str()).cloned().unwrap_or_default();
        if !found.contains(&shard.as_str()) {
            problems.push(IndexProblem::NotInShard {
                name: name.clone(),
                shard: shard.clone(),
                found_in: found.iter().map(|s| s.to_string()).collect(),
            });
        }
    }
    for (name, shards_of) in &holders {
        if shards_of.len() > 1 {
            problems.push(IndexProblem::Duplicate {
                name: name.to_string(),
                shards: shards_of.iter().map(|s| s.to_string()).collect(),
            });
        }
        for shard in shards_of {
            if index.weight_map.get(*name).map(String::as_str) != Some(shard) {
                // Indexed elsewhere is already a NotInShard on the other side.
                if !index.weight_map.contains_key(*name) {
                    problems.push(IndexProblem::NotIndexed {
                        name: name.to_string(),
                        shard: shard.to_string(),
                    });
                }
            }
        }
    }
    let tensors: Vec<TensorInFile> = decoded
        .into_iter()
        .filter_map(|(_, r)| r.ok())
        .flatten()
        .collect();
    let tensor_bytes = tensors.iter().map(|t| t.record.data.len).sum();
    Ok(ShardSet {
        index,
        tensors,
        problems,
        tensor_bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_escaping_shard_paths() {
        let e = parse_index(
            Path::new("i.json"),
            br#"{"weight_map":{"a":"../etc/passwd"}}"#,
        )
        .expect_err("unsafe");
        assert!(e.to_string().contains("not a plain relative path"), "{e}");
        let e = parse_index(Path::new("i.json"), br#"{"a":1}"#).expect_err("no map");
        assert!(e.to_string().contains("weight_map"), "{e}");
        let i = parse_index(
            Path::new("d/i.json"),
            br#"{"metadata":{"total_size":12},"weight_map":{"b":"2.st","a":"1.st","c":"1.st"}}"#,
        )
        .unwrap();
        assert_eq!(i.total_size, Some(12));
        assert_eq!(i.shards(), ["1.st", "2.st"]);
        assert_eq!(i.dir(), Path::new("d"));
    }
}
