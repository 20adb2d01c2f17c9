//! The Grok-1 family (xAI's JAX/Haiku mixture-of-experts transformer).
//!
//! File order is the official loader's: `checkpoint.py` reads file *i* into
//! the *i*-th leaf of `jax.tree_util`'s flatten of the Haiku params dict,
//! whose keys are module paths such as `transformer/decoder_layer_10/moe/linear`
//! sorted as strings. Layers therefore come 0, 1, 10, 11, …, 19, 2, 20, …;
//! reading them in numeric order is the bug early converters had.

use crate::formats::{DType, StoredAs};
use crate::manifest::Architecture;
use crate::{Error, Result};

use super::ExpectedTensor;

/// Grok-1 hyperparameters, with run.py's names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Vocabulary size.
    pub vocab_size: u64,
    /// Model width.
    pub emb_size: u64,
    /// Feed-forward widening factor.
    pub widening_factor: u64,
    /// Width of one attention head.
    pub key_size: u64,
    /// Query heads.
    pub num_q_heads: u64,
    /// Key/value heads.
    pub num_kv_heads: u64,
    /// Transformer layers.
    pub num_layers: u64,
    /// Experts per MoE layer.
    pub num_experts: u64,
    /// Experts selected per token.
    pub num_selected_experts: u64,
    /// Rows of scales on the input dimension of the blocked-quantized
    /// weights (`moe/linear_1`, attention output): 8 in the release.
    pub quant_input_blocks: u64,
}

impl Config {
    /// Reads the hyperparameters from a manifest's architecture.
    pub fn from_arch(arch: &Architecture) -> Result<Self> {
        let c = Config {
            vocab_size: arch.int("vocab_size")?,
            emb_size: arch.int("emb_size")?,
            widening_factor: arch.int("widening_factor")?,
            key_size: arch.int("key_size")?,
            num_q_heads: arch.int("num_q_heads")?,
            num_kv_heads: arch.int("num_kv_heads")?,
            num_layers: arch.int("num_layers")?,
            num_experts: arch.int("num_experts")?,
            num_selected_experts: arch.int("num_selected_experts")?,
            quant_input_blocks: arch.int_or("quant_input_blocks", 8)?,
        };
        let too_big = [
            c.vocab_size,
            c.emb_size,
            c.key_size,
            c.num_q_heads,
            c.num_kv_heads,
            c.num_experts,
        ]
        .iter()
        .any(|&v| v > 1 << 24)
            || c.num_layers > 4096
            || c.widening_factor > 64;
        if too_big || c.emb_size == 0 || c.quant_input_blocks == 0 {
            return Err(Error::Architecture(format!(
                "implausible grok1 hyperparameters: {c:?}"
            )));
        }
        if c.num_selected_experts > c.num_experts {
            return Err(Error::Architecture(
                "num_selected_experts exceeds num_experts".into(),
            ));
        }
        Ok(c)
    }

    /// The feed-forward width: `int(widening_factor * emb) * 2 // 3`,
    /// rounded up to a multiple of 8 (model.py's `ffn_size`).
    pub fn ffn_size(&self) -> u64 {
        let size = self.widening_factor * self.emb_size * 2 / 3;
        size.div_ceil(8) * 8
    }
}

/// The expected tensors of a Grok-1 checkpoint, in file order.
pub fn expected(c: &Config) -> Result<Vec<ExpectedTensor>> {
    let ffn = c.ffn_size();
    let emb = c.emb_size;
    let q = c.num_q_heads * c.key_size;
    let kv = c.num_kv_heads * c.key_size;
    let e = c.num_experts;
    let b = c.quant_input_blocks;
    let plain = |module: String, param: &str, shape: Vec<u64>, layer| {
        (
            module,
            param.to_string(),
            StoredAs::Array,
            shape,
            None,
            layer,
            false,
        )
    };
    let quant = |module: String, shape: Vec<u64>, scales: Vec<u64>, layer, expert| {
        (
            module,
            "w".to_string(),
            StoredAs::QuantizedWeight8bit,
            shape,
            Some(scales),
            layer,
            expert,
        )
    };
    let mut leaves = vec![
        plain(
            "language_model/in_out_embed".into(),
            "embeddings",
            vec![c.vocab_size, emb],
            None,
        ),
        plain("language_model/rms_norm".into(), "scale", vec![emb], None),
    ];
    for l in 0..c.num_layers {
        let m = |s: &str| format!("transformer/decoder_layer_{l}/{s}");
        let layer = Some(l);
        leaves.extend([
            quant(
                m("moe/linear"),
                vec![e, emb, ffn],
                vec![e, 1, ffn],
                layer,
                true,
            ),
            quant(
                m("moe/linear_1"),
                vec![e, ffn, emb],
                vec![e, b, emb],
                layer,
                true,
            ),
            quant(
                m("moe/linear_v"),
                vec![e, emb, ffn],
                vec![e, 1, ffn],
                layer,
                true,
            ),
            quant(
                m("multi_head_attention/key"),
                vec![emb, kv],
                vec![1, kv],
                layer,
                false,
            ),
            quant(
                m("multi_head_attention/linear"),
                vec![q, emb],
                vec![b, emb],
                layer,
                false,
            ),
            quant(
                m("multi_head_attention/query"),
                vec![emb, q],
                vec![1, q],
                layer,
                false,
            ),
            quant(
                m("multi_head_attention/value"),
                vec![emb, kv],
                vec![1, kv],
                layer,
                false,
            ),
            plain(m("rms_norm"), "scale", vec![emb], layer),
            plain(m("rms_norm_1"), "scale", vec![emb], layer),
            plain(m("rms_norm_2"), "scale", vec![emb], layer),
            plain(m("rms_norm_3"), "scale", vec![emb], layer),
            plain(m("router"), "w", vec![emb, e], layer),
        ]);
    }
    // jax flattens the outer dict (module paths) and each inner dict
    // (parameter names) with keys sorted as strings.
    leaves.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    Ok(leaves
        .into_iter()
        .map(
            |(module, param, stored_as, shape, scales, layer, expert)| ExpectedTensor {
                name: format!("{module}/{param}"),
                stored_as,
                dtype: if stored_as == StoredAs::QuantizedWeight8bit {
                    DType::Int8
                } else {
                    DType::Float32
                },
                shape,
                scales: scales.map(|s| (s, DType::Bfloat16)),
                layer,
                expert,
            },
        )
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn published() -> Config {
        Config {
            vocab_size: 131072,
            emb_size: 6144,
            widening_factor: 8,
            key_size: 128,
            num_q_heads: 48,
            num_kv_heads: 8,
            num_layers: 64,
            num_experts: 8,
            num_selected_experts: 2,
            quant_input_blocks: 8,
        }
    }

    #[test]
    fn published_config_gives_770_tensors_in_loader_order() {
        let t = expected(&published()).unwrap();
        assert_eq!(t.len(), 770);
        assert_eq!(published().ffn_size(), 32768);
        assert_eq!(t[0].name, "language_model/in_out_embed/embeddings");
        assert_eq!(t[2].name, "transformer/decoder_layer_0/moe/linear/w");
        assert_eq!(t[26].name, "transformer/decoder_layer_10/moe/linear/w");
        assert_eq!(t[146].name, "transformer/decoder_layer_2/moe/linear/w");
        assert_eq!(t[769].name, "transformer/decoder_layer_9/router/w");
        let total: u64 = t.iter().map(|t| t.elements()).sum();
        assert_eq!(total, 315_684_820_992);
    }
}
