//! Synthetic Grok-style releases for the demo, tests and benchmarks,
//! written by [`crate::formats::writer`] (byte-identical to CPython's
//! pickle), so none of them needs Python.

use std::path::Path;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::arch::{self, ExpectedTensor};
use crate::formats::writer::{write_shard, ArraySpec, ShardSpec};
use crate::formats::{DType, StoredAs};
use crate::manifest::Architecture;
use crate::{Error, Result};

/// What the payloads hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Content {
    /// Pseudo-random bytes from a seed (small checkpoints).
    Random(u64),
    /// Holes: sparse files with real headers and trailers (full-size layouts).
    Holes,
}

/// One file written.
#[derive(Debug, Clone, Serialize)]
pub struct Written {
    /// Path relative to the release root.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256, for random content.
    pub sha256: Option<String>,
}

/// A scaled-down Grok-1 architecture: 12 layers (so the loader's lexical
/// layer order matters), every other dimension tiny.
pub fn small_grok_architecture() -> Architecture {
    let text = r#"
family = "grok1"
source = "weightcheck demo: Grok-1's layout scaled down"
[params]
vocab_size = 512
pad_token = 0
eos_token = 2
sequence_len = 256
emb_size = 64
widening_factor = 8
key_size = 16
num_q_heads = 4
num_kv_heads = 2
num_layers = 12
num_experts = 4
num_selected_experts = 2
quant_input_blocks = 8
"#;
    // The literal above is fixed and valid: a failure here is a bug in it.
    toml::from_str(text).expect("built-in demo architecture parses")
}

/// Writes every shard of `arch` under `root/ckpt-0/` in loader order.
pub fn write_grok_release(
    root: &Path,
    arch: &Architecture,
    content: Content,
) -> Result<Vec<Written>> {
    let layout = arch::expected(arch)?;
    let dir = root.join("ckpt-0");
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let mut rng = match content {
        Content::Random(seed) => Some(SplitMix(seed)),
        Content::Holes => None,
    };
    let mut out = Vec::with_capacity(layout.tensors.len());
    for (i, t) in layout.tensors.iter().enumerate() {
        let rel = format!("ckpt-0/tensor{i:05}_000");
        let path = root.join(&rel);
        let weight = rng
            .as_mut()
            .map(|r| r.bytes(payload_len(&t.shape, t.dtype)));
        let scales = match (&t.scales, rng.as_mut()) {
            (Some((shape, dtype)), Some(r)) => Some(r.bytes(payload_len(shape, *dtype))),
            _ => None,
        };
        let spec = spec_for(t, weight.as_deref(), scales.as_deref());
        let size = write_shard(&path, &spec).map_err(|e| Error::io(&path, e))?;
        let sha256 = match content {
            Content::Random(_) => {
                let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
                Some(hex::encode(Sha256::digest(&bytes)))
            }
            Content::Holes => None,
        };
        out.push(Written {
            path: rel,
            size,
            sha256,
        });
    }
    Ok(out)
}

fn payload_len(shape: &[u64], dtype: DType) -> usize {
    (shape.iter().product::<u64>() * dtype.itemsize()) as usize
}

/// The writer's description of an expected tensor with the given payloads.
pub fn spec_for<'a>(
    t: &ExpectedTensor,
    weight: Option<&'a [u8]>,
    scales: Option<&'a [u8]>,
) -> ShardSpec<'a> {
    let weight = ArraySpec {
        shape: t.shape.clone(),
        dtype: t.dtype,
        data: weight,
    };
    match (&t.scales, t.stored_as) {
        (Some((shape, dtype)), StoredAs::QuantizedWeight8bit) => ShardSpec::Quantized {
            weight,
            scales: ArraySpec {
                shape: shape.clone(),
                dtype: *dtype,
                data: scales,
            },
        },
        _ => ShardSpec::Array(weight),
    }
}

/// Renders a manifest for a synthetic release: its architecture, every file
/// with size and SHA-256, and the components a demo release has.
pub fn manifest_toml(id: &str, arch: &Architecture, files: &[Written]) -> Result<String> {
    let mut doc = toml::Table::new();
    let mut release = toml::Table::new();
    release.insert("id".into(), id.into());
    release.insert(
        "name".into(),
        format!("{id} (synthetic Grok-style release)").into(),
    );
    release.insert("publisher".into(), "weightcheck".into());
    release.insert("date".into(), "2024-03-17".into());
    doc.insert("release".into(), release.into());
    let arch_value = toml::Value::try_from(arch).map_err(|e| Error::Invalid(e.to_string()))?;
    doc.insert("architecture".into(), arch_value);
    let files: Vec<toml::Value> = files
        .iter()
        .map(|f| {
            let mut t = toml::Table::new();
            t.insert("path".into(), f.path.clone().into());
            t.insert("size".into(), (f.size as i64).into());
            if let Some(h) = &f.sha256 {
                t.insert("sha256".into(), h.clone().into());
                t.insert(
                    "sha256_source".into(),
                    "computed when the demo release was written".into(),
                );
            }
            t.into()
        })
        .collect();
    doc.insert("file".into(), files.into());
    toml::to_string(&doc).map_err(|e| Error::Invalid(e.to_string()))
}

/// A small, fast, seedable generator (SplitMix64): reproducible fixtures
/// without a dependency.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(n + 8);
        while out.len() < n {
            out.extend_from_slice(&self.next().to_le_bytes());
        }
        out.truncate(n);
        out
    }
}
