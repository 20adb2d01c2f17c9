//! What this run established on disk, as opposed to what the manifest
//! declares: the verification (files, structure, hashes, claims) and an
//! inventory of the tensors actually stored, grouped by kind and by layer.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::arch::{self, Layout};
use crate::inventory;
use crate::manifest::Manifest;
use crate::verify::{self, HashCheck, Located};
use crate::Result;

/// Evidence gathered in this run.
#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    /// The verification of the files against the manifest.
    pub verify: verify::Report,
    /// The tensors found in them.
    pub inventory: Inventory,
    /// Whether content hashes were computed.
    pub hashes_checked: bool,
}

impl Evidence {
    /// Verifies the release at `located` and takes its inventory.
    pub fn collect(manifest: &Manifest, located: &Located, opts: &verify::Options) -> Result<Self> {
        let verify = verify::verify(manifest, located, opts)?;
        let inventory = Inventory::take(manifest, located)?;
        Ok(Self::from_parts(verify, inventory))
    }

    /// Evidence from a verification already run and an inventory.
    pub fn from_parts(verify: verify::Report, inventory: Inventory) -> Self {
        let hashes_checked = verify
            .files
            .iter()
            .any(|f| matches!(f.sha256, HashCheck::Matched | HashCheck::Mismatch { .. }));
        Evidence {
            verify,
            inventory,
            hashes_checked,
        }
    }

    /// The verification in a line (`770/770 files present, …`).
    pub fn files_line(&self) -> String {
        let s = &self.verify.summary;
        let hashes = if s.hash_matched + s.hash_mismatched > 0 {
            format!(
                "digests: {} match, {} differ, {} not published",
                s.hash_matched, s.hash_mismatched, s.hash_unknown
            )
        } else if self
            .verify
            .files
            .iter()
            .any(|f| matches!(f.digest(), Some((_, HashCheck::NotChecked))))
        {
            "digests not checked in this run".to_string()
        } else {
            "no digest published to check".to_string()
        };
        format!(
            "{}/{} files present, {} missing, {} extra, {} wrong size; {}/{} structurally correct; {}",
            s.present,
            s.expected,
            s.missing,
            s.extra,
            s.wrong_size,
            s.structure_ok,
            s.expected,
            hashes
        )
    }
}

/// Parameters and bytes of a group of tensors.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Group {
    /// The group (`moe/linear/w`, `layer 12`).
    pub name: String,
    /// Tensors in it.
    pub tensors: u64,
    /// Logical elements.
    pub parameters: u64,
    /// Stored payload bytes (weights and scales).
    pub bytes: u64,
}

/// The tensors found on disk.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Inventory {
    /// Files the manifest lists that were found.
    pub files: u64,
    /// Of those, files that could not be decoded.
    pub undecodable: u64,
    /// Tensors decoded.
    pub tensors: u64,
    /// Logical parameters.
    pub parameters: u64,
    /// Payload bytes.
    pub payload_bytes: u64,
    /// Bytes of the files.
    pub file_bytes: u64,
    /// Per kind of tensor (its name without the layer), largest first.
    pub by_kind: Vec<Group>,
    /// Per transformer layer, in layer order; tensors outside the layers
    /// (embeddings, final norm) are in `by_kind` only.
    pub by_layer: Vec<Group>,
}

impl Inventory {
    /// Decodes the manifest's files found at `located` (headers only) and
    /// groups their tensors, named after the manifest's architecture.
    pub fn take(manifest: &Manifest, located: &Located) -> Result<Self> {
        let layout = match &manifest.architecture {
            Some(a) => Some(arch::expected(a)?),
            None => None,
        };
        let mut files = Vec::new();
        for f in &manifest.files {
            if let Ok(Some(r)) = located.resolve(&f.path) {
                files.push((r.path, f.path.clone()));
            }
        }
        let entries = inventory::decode_all(&files, false);
        // Entries keep the manifest's relative path, which leads back to
        // the file's position (and so, for unnamed shards, its tensor).
        let position: HashMap<&str, usize> = manifest
            .files
            .iter()
            .enumerate()
            .map(|(i, f)| (f.path.as_str(), i))
            .collect();
        Ok(Self::from_entries(
            entries
                .iter()
                .filter_map(|e| position.get(e.rel.as_str()).map(|i| (*i, e))),
            layout.as_ref(),
        ))
    }

    /// Groups decoded entries; each comes with its index in the manifest's
    /// file list, which is how unnamed shards (Grok-1's) get their names.
    pub fn from_entries<'a>(
        entries: impl IntoIterator<Item = (usize, &'a inventory::Entry)>,
        layout: Option<&Layout>,
    ) -> Self {
        let mut inv = Inventory::default();
        let mut kinds: BTreeMap<String, Group> = BTreeMap::new();
        let mut layers: BTreeMap<u64, Group> = BTreeMap::new();
        for (index, e) in entries {
            inv.files += 1;
            inv.file_bytes += e.size;
            let Ok(tensors) = &e.tensors else {
                inv.undecodable += 1;
                continue;
            };
            for t in tensors {
                let expected = match (&t.name, layout) {
                    (Some(n), Some(l)) => l.tensors.iter().find(|x| &x.name == n),
                    (None, Some(l)) if !l.by_name => l.tensors.get(index),
                    _ => None,
                };
                let name = t
                    .name
                    .clone()
                    .or_else(|| expected.map(|x| x.name.clone()))
                    .unwrap_or_else(|| e.rel.clone());
                let layer = expected.and_then(|x| x.layer);
                let (params, bytes) = (t.elements(), t.payload_bytes());
                inv.tensors += 1;
                inv.parameters += params;
                inv.payload_bytes += bytes;
                add(
                    kinds.entry(tensor_kind(&name, layer)).or_default(),
                    params,
                    bytes,
                );
                if let Some(l) = layer {
                    add(layers.entry(l).or_default(), params, bytes);
                }
            }
        }
        inv.by_kind = kinds
            .into_iter()
            .map(|(name, g)| Group { name, ..g })
            .collect();
        inv.by_kind
            .sort_by(|a, b| b.bytes.cmp(&a.bytes).then(a.name.cmp(&b.name)));
        inv.by_layer = layers
            .into_iter()
            .map(|(l, g)| Group {
                name: format!("layer {l}"),
                ..g
            })
            .collect();
        inv
    }

    /// Whether every layer holds the same number of parameters and bytes
    /// (true of every uniform transformer).
    pub fn layers_uniform(&self) -> bool {
        self.by_layer.windows(2).all(|w| {
            (w[0].parameters, w[0].bytes, w[0].tensors)
                == (w[1].parameters, w[1].bytes, w[1].tensors)
        })
    }
}

fn add(g: &mut Group, params: u64, bytes: u64) {
    g.tensors += 1;
    g.parameters += params;
    g.bytes += bytes;
}

/// A tensor's kind: its name with everything up to and including the
/// layer's own path segment removed, so the same tensor of every layer
/// falls in one group (`transformer/decoder_layer_7/moe/linear/w` →
/// `moe/linear/w`, `model.layers.7.mlp.up_proj.weight` →
/// `mlp.up_proj.weight`). Names outside the layers stay whole.
pub fn tensor_kind(name: &str, layer: Option<u64>) -> String {
    let Some(layer) = layer else {
        return name.to_string();
    };
    let number = layer.to_string();
    let sep = if name.contains('/') { '/' } else { '.' };
    let parts: Vec<&str> = name.split(sep).collect();
    let at = parts.iter().position(|p| {
        p.strip_suffix(number.as_str())
            .is_some_and(|head| head.is_empty() || !head.ends_with(|c: char| c.is_ascii_digit()))
    });
    match at {
        Some(i) if i + 1 < parts.len() => parts[i + 1..].join(&sep.to_string()),
        _ => name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_drop_the_layer_prefix() {
        assert_eq!(
            tensor_kind("transformer/decoder_layer_12/moe/linear/w", Some(12)),
            "moe/linear/w"
        );
        assert_eq!(
            tensor_kind("model.layers.3.self_attn.q_proj.weight", Some(3)),
            "self_attn.q_proj.weight"
        );
        // Layer 1 must not match the "11" of another segment.
        assert_eq!(
            tensor_kind("encoder.block.1.layer.11.x", Some(1)),
            "layer.11.x"
        );
        assert_eq!(
            tensor_kind("language_model/in_out_embed/embeddings", None),
            "language_model/in_out_embed/embeddings"
        );
    }
}
