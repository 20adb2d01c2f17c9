//! Sharded checkpoints: an index JSON (`model.safetensors.index.json`,
//! `pytorch_model.bin.index.json`) mapping each tensor name to the shard
//! that holds it, as Hugging Face's `save_pretrained` writes.
//!
//! The index is held against the shards themselves: every entry must name a
//! tensor its shard really has, every tensor of every shard must be indexed
//! to that shard, and no tensor may live in two shards. Loaders trust the
//! index to find a tensor, so a stale or edited index silently loads the
//! wrong bytes or fails late; here it is a finding.

use std::io::Read;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::de::{DeserializeSeed, Deserializer as _, IgnoredAny, MapAccess, Visitor};

use super::detect::{read_located, TensorInFile};
use crate::paths::is_safe_relative;
use crate::{Error, Result};

/// Largest index file accepted, in bytes (Mixtral's is about 90 KB).
pub const MAX_INDEX_BYTES: u64 = 100_000_000;

/// A parsed index file, held compactly: an index of a million tensors names
/// a handful of shards, so each entry keeps its shard as a number.
#[derive(Debug, Clone)]
pub struct ShardIndex {
    /// The index file.
    pub path: PathBuf,
    /// `metadata.total_size`, where present: the writer's count of tensor bytes.
    pub total_size: Option<u64>,
    /// The distinct shard files (relative to the index's directory), sorted.
    shards: Vec<String>,
    /// Tensor name and the number of its shard in `shards`, sorted by name.
    entries: Vec<(String, u32)>,
}

impl ShardIndex {
    /// The distinct shard files, sorted.
    pub fn shards(&self) -> &[String] {
        &self.shards
    }

    /// Tensor name → shard file, by name.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries
            .iter()
            .map(|(name, s)| (name.as_str(), self.shards[*s as usize].as_str()))
    }

    /// The shard the index names for tensor `name`.
    pub fn shard_of(&self, name: &str) -> Option<&str> {
        let i = self
            .entries
            .binary_search_by(|(n, _)| n.as_str().cmp(name))
            .ok()?;
        Some(self.shards[self.entries[i].1 as usize].as_str())
    }

    /// The directory shard paths are relative to.
    pub fn dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }
}

/// A disagreement between an index and its shards.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
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

/// Reads an index file (names only; shards are not opened), streaming it:
/// only the entries are kept, never a JSON tree of the whole file.
pub fn read_index(path: &Path) -> Result<ShardIndex> {
    let file = crate::paths::open_regular(path)?;
    let len = file.metadata().map_err(|e| Error::io(path, e))?.len();
    if len > MAX_INDEX_BYTES {
        return Err(Error::TooLarge {
            path: path.to_path_buf(),
            size: len,
            limit: MAX_INDEX_BYTES,
        });
    }
    let reader = std::io::BufReader::with_capacity(1 << 16, file.take(MAX_INDEX_BYTES));
    parse(path, serde_json::Deserializer::from_reader(reader))
}

/// Parses index JSON held in `text`; `path` names it and locates its shards.
pub fn parse_index(path: &Path, text: &[u8]) -> Result<ShardIndex> {
    parse(path, serde_json::Deserializer::from_slice(text))
}

/// What the streaming pass collects.
#[derive(Default)]
struct Collected {
    weight_map: Option<Vec<(String, u32)>>,
    shards: Vec<String>,
    total_size: Option<u64>,
}

struct Top<'c>(&'c mut Collected);

impl<'de> Visitor<'de> for Top<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object with a \"weight_map\"")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        use serde::de::Error as _;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "weight_map" if self.0.weight_map.is_some() => {
                    return Err(A::Error::custom("\"weight_map\" appears twice"))
                }
                "weight_map" => map.next_value_seed(WeightMap(self.0))?,
                "metadata" => self.0.total_size = map.next_value_seed(Metadata)?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

/// The `weight_map` object: names to shard files, each shard file kept once.
struct WeightMap<'c>(&'c mut Collected);

impl<'de> DeserializeSeed<'de> for WeightMap<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for WeightMap<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an object mapping tensor names to shard files")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        use serde::de::Error as _;
        let c = self.0;
        let mut entries = Vec::new();
        let mut numbers: std::collections::HashMap<String, u32> = Default::default();
        while let Some(name) = map.next_key::<String>()? {
            let Ok(shard) = map.next_value::<String>() else {
                return Err(A::Error::custom(format!(
                    "weight_map entry {name:?} is not a file name"
                )));
            };
            let n = match numbers.get(&shard) {
                Some(&n) => n,
                None => {
                    if !is_safe_relative(&shard) {
                        return Err(A::Error::custom(format!(
                            "weight_map entry {name:?} names {shard:?}, not a plain relative path"
                        )));
                    }
                    if c.shards.len() >= MAX_SHARDS {
                        return Err(A::Error::custom(format!(
                            "weight_map names more than {MAX_SHARDS} shard files"
                        )));
                    }
                    let n = c.shards.len() as u32;
                    numbers.insert(shard.clone(), n);
                    c.shards.push(shard);
                    n
                }
            };
            entries.push((name, n));
        }
        c.weight_map = Some(entries);
        Ok(())
    }
}

/// Most distinct shard files an index may name (Grok-1 has 770 files; the
/// largest Hugging Face checkpoints a few hundred shards).
const MAX_SHARDS: usize = 100_000;

/// `metadata`: only `total_size` is read.
struct Metadata;

impl<'de> DeserializeSeed<'de> for Metadata {
    type Value = Option<u64>;
    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        d: D,
    ) -> std::result::Result<Option<u64>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Metadata {
    type Value = Option<u64>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a metadata object")
    }
    fn visit_map<A: MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<Option<u64>, A::Error> {
        let mut total = None;
        while let Some(key) = map.next_key::<String>()? {
            if key == "total_size" {
                // Writers have emitted it as an integer and as a float.
                total = match map.next_value::<serde_json::Value>()? {
                    serde_json::Value::Number(n) => {
                        n.as_u64().or_else(|| n.as_f64().map(|f| f as u64))
                    }
                    _ => None,
                };
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(total)
    }
    fn visit_unit<E>(self) -> std::result::Result<Option<u64>, E> {
        Ok(None)
    }
    fn visit_bool<E>(self, _: bool) -> std::result::Result<Option<u64>, E> {
        Ok(None)
    }
    fn visit_i64<E>(self, _: i64) -> std::result::Result<Option<u64>, E> {
        Ok(None)
    }
    fn visit_u64<E>(self, _: u64) -> std::result::Result<Option<u64>, E> {
        Ok(None)
    }
    fn visit_f64<E>(self, _: f64) -> std::result::Result<Option<u64>, E> {
        Ok(None)
    }
    fn visit_str<E>(self, _: &str) -> std::result::Result<Option<u64>, E> {
        Ok(None)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(
        self,
        mut seq: A,
    ) -> std::result::Result<Option<u64>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }
}

fn parse<'de, R: serde_json::de::Read<'de>>(
    path: &Path,
    mut de: serde_json::Deserializer<R>,
) -> Result<ShardIndex> {
    let mut c = Collected::default();
    (&mut de)
        .deserialize_map(Top(&mut c))
        .and_then(|()| de.end())
        .map_err(|e| {
            Error::format(
                path,
                0,
                format!(
                    "not a valid index (line {}, column {}): {e}",
                    e.line(),
                    e.column()
                ),
            )
        })?;
    let Some(mut entries) = c.weight_map else {
        return Err(Error::format(
            path,
            0,
            "no \"weight_map\" object: not a sharded-checkpoint index",
        ));
    };
    // Shards sorted by name, entries renumbered to match.
    let mut order: Vec<usize> = (0..c.shards.len()).collect();
    order.sort_by(|&a, &b| c.shards[a].cmp(&c.shards[b]));
    let mut renumber = vec![0u32; order.len()];
    for (new, &old) in order.iter().enumerate() {
        renumber[old] = new as u32;
    }
    let shards: Vec<String> = order
        .iter()
        .map(|&i| std::mem::take(&mut c.shards[i]))
        .collect();
    for e in &mut entries {
        e.1 = renumber[e.1 as usize];
    }
    entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    // JSON readers keep the last of two entries with one name; which shard
    // a loader looks in would then depend on the reader.
    if let Some(w) = entries.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(Error::format(
            path,
            0,
            format!("weight_map names tensor {:?} twice", w[0].0),
        ));
    }
    Ok(ShardIndex {
        path: path.to_path_buf(),
        total_size: c.total_size,
        shards,
        entries,
    })
}

/// Reads an index and every shard it names (headers only), and holds them
/// against each other. I/O errors on the index itself are errors; problems
/// with shards are reported in [`ShardSet::problems`].
pub fn read_set(index_path: &Path) -> Result<ShardSet> {
    let index = read_index(index_path)?;
    let dir = index.dir().to_path_buf();
    let shards: Vec<String> = index.shards().to_vec();
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
    let problems = disagreements(&index, &decoded);
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

type Decoded = (String, std::result::Result<Vec<TensorInFile>, IndexProblem>);

/// Holds the index against what the readable shards hold, by merging two
/// lists sorted by tensor name (no map of a million names).
fn disagreements(index: &ShardIndex, decoded: &[Decoded]) -> Vec<IndexProblem> {
    let mut problems: Vec<IndexProblem> = decoded
        .iter()
        .filter_map(|(_, r)| r.as_ref().err().cloned())
        .collect();
    // In shard order, which is sorted.
    let readable: Vec<&str> = decoded
        .iter()
        .filter(|(_, r)| r.is_ok())
        .map(|(s, _)| s.as_str())
        .collect();
    // (name, shard) for every tensor stored, sorted by name then shard.
    let mut stored: Vec<(&str, &str)> = decoded
        .iter()
        .filter_map(|(shard, r)| r.as_ref().ok().map(|t| (shard, t)))
        .flat_map(|(shard, tensors)| {
            tensors
                .iter()
                .filter_map(move |t| t.record.name.as_deref().map(|n| (n, shard.as_str())))
        })
        .collect();
    stored.sort_unstable();
    let holders = |name: &str| -> &[(&str, &str)] {
        let from = stored.partition_point(|(n, _)| *n < name);
        let to = from + stored[from..].partition_point(|(n, _)| *n == name);
        &stored[from..to]
    };
    for (name, shard) in index.entries() {
        if readable.binary_search(&shard).is_err() {
            continue;
        }
        let found = holders(name);
        if !found.iter().any(|(_, s)| *s == shard) {
            problems.push(IndexProblem::NotInShard {
                name: name.to_string(),
                shard: shard.to_string(),
                found_in: found.iter().map(|(_, s)| s.to_string()).collect(),
            });
        }
    }
    for group in stored.chunk_by(|a, b| a.0 == b.0) {
        let name = group[0].0;
        if group.len() > 1 {
            problems.push(IndexProblem::Duplicate {
                name: name.to_string(),
                shards: group.iter().map(|(_, s)| s.to_string()).collect(),
            });
        }
        // Indexed elsewhere is already a NotInShard on the other side.
        if index.shard_of(name).is_none() {
            for (_, shard) in group {
                problems.push(IndexProblem::NotIndexed {
                    name: name.to_string(),
                    shard: shard.to_string(),
                });
            }
        }
    }
    problems
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
