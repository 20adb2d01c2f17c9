//! Llama-style dense decoders (Llama, Mistral 7B): the layout shared with
//! [`super::mixtral`], under either naming a release may use.
//!
//! - `consolidated`: Meta's and Mistral's reference checkpoints
//!   (`consolidated.00.pth` with `params.json`): `tok_embeddings.weight`,
//!   `layers.N.attention.wq.weight`, `layers.N.feed_forward.w1.weight`,
//!   `layers.N.attention_norm.weight`, `norm.weight`, `output.weight`.
//! - `hf`: Hugging Face transformers (`config.json`):
//!   `model.embed_tokens.weight`, `model.layers.N.self_attn.q_proj.weight`,
//!   `model.layers.N.mlp.gate_proj.weight`, `model.norm.weight`, `lm_head.weight`.
//!
//! Linear weights are `[out_features, in_features]`, as `nn.Linear` stores them.

use crate::formats::DType;
use crate::manifest::Architecture;
use crate::{Error, Result};

use super::{check_sizes, ExpectedTensor, Params};

/// Which tensor names a checkpoint uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Naming {
    /// Meta's / Mistral's reference names (`layers.N.attention.wq.weight`).
    Consolidated,
    /// Hugging Face transformers names (`model.layers.N.self_attn.q_proj.weight`).
    HuggingFace,
}

/// Decoder hyperparameters, under either config naming.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Model width (`dim` / `hidden_size`).
    pub dim: u64,
    /// Layers (`n_layers` / `num_hidden_layers`).
    pub n_layers: u64,
    /// Query heads (`n_heads` / `num_attention_heads`).
    pub n_heads: u64,
    /// Key/value heads (`n_kv_heads` / `num_key_value_heads`; defaults to `n_heads`).
    pub n_kv_heads: u64,
    /// Width of a head (`head_dim`; defaults to `dim / n_heads`).
    pub head_dim: u64,
    /// Feed-forward width (`hidden_dim` / `intermediate_size`, or Meta's
    /// `multiple_of` / `ffn_dim_multiplier` rule).
    pub hidden_dim: u64,
    /// Vocabulary size.
    pub vocab_size: u64,
    /// Tensor names.
    pub naming: Naming,
    /// Element type, where the config says.
    pub dtype: Option<DType>,
    /// Whether the output projection is the embedding (then not stored).
    pub tie_embeddings: bool,
}

impl Config {
    /// Reads the hyperparameters. `tensor_names = "consolidated" | "hf"`
    /// chooses the naming; by default a Hugging Face config (`hidden_size`)
    /// means `hf` and a params.json means `consolidated`.
    pub fn from_arch(arch: &Architecture) -> Result<Self> {
        let p = Params(arch);
        let dim = p.int(&["dim", "hidden_size"])?;
        let n_layers = p.int(&["n_layers", "num_hidden_layers"])?;
        let n_heads = p.int(&["n_heads", "num_attention_heads"])?;
        let n_kv_heads = p
            .int_opt(&["n_kv_heads", "num_key_value_heads"])?
            .unwrap_or(n_heads);
        let vocab_size = p.int(&["vocab_size"])?;
        check_sizes(
            &arch.family,
            &[
                ("dim", dim),
                ("n_layers", n_layers),
                ("n_heads", n_heads),
                ("n_kv_heads", n_kv_heads),
                ("vocab_size", vocab_size),
            ],
        )?;
        if n_heads == 0 || n_kv_heads == 0 || n_heads % n_kv_heads != 0 {
            return Err(Error::Architecture(format!(
                "{}: {n_heads} query heads cannot share {n_kv_heads} key/value heads",
                arch.family
            )));
        }
        let head_dim = match p.int_opt(&["head_dim"])? {
            Some(h) => h,
            None if dim % n_heads == 0 => dim / n_heads,
            None => {
                return Err(Error::Architecture(format!(
                    "{}: dim {dim} is not a multiple of {n_heads} heads and head_dim is not given",
                    arch.family
                )))
            }
        };
        let hidden_dim = match p.int_opt(&["hidden_dim", "intermediate_size"])? {
            Some(h) => h,
            None => meta_hidden_dim(dim, &p)?,
        };
        check_sizes(
            &arch.family,
            &[("head_dim", head_dim), ("hidden_dim", hidden_dim)],
        )?;
        let naming = match p.str_opt(&["tensor_names"])? {
            Some("consolidated") => Naming::Consolidated,
            Some("hf") => Naming::HuggingFace,
            Some(other) => {
                return Err(Error::Architecture(format!(
                    "{}: tensor_names {other:?} (expected \"consolidated\" or \"hf\")",
                    arch.family
                )))
            }
            None if p.has(&["hidden_size"]) => Naming::HuggingFace,
            None => Naming::Consolidated,
        };
        Ok(Config {
            dim,
            n_layers,
            n_heads,
            n_kv_heads,
            head_dim,
            hidden_dim,
            vocab_size,
            naming,
            dtype: p.dtype()?,
            tie_embeddings: p.bool_or(&["tie_word_embeddings"], false)?,
        })
    }
}

/// Meta's feed-forward width when params.json gives `multiple_of` (and
/// perhaps `ffn_dim_multiplier`) instead of `hidden_dim`.
fn meta_hidden_dim(dim: u64, p: &Params) -> Result<u64> {
    let Some(multiple_of) = p.int_opt(&["multiple_of"])?.filter(|&m| m > 0) else {
        return Err(Error::Architecture(format!(
            "{}: neither hidden_dim / intermediate_size nor multiple_of is given",
            p.0.family
        )));
    };
    let mut hidden = 2 * (4 * dim) / 3;
    if let Some(m) = p.float_opt(&["ffn_dim_multiplier"])? {
        hidden = (m * hidden as f64) as u64;
    }
    Ok(hidden.div_ceil(multiple_of) * multiple_of)
}

/// Names of the per-layer tensors, by naming.
pub(crate) struct Names {
    pub layer: &'static str,
    pub q: &'static str,
    pub k: &'static str,
    pub v: &'static str,
    pub o: &'static str,
    pub attn_norm: &'static str,
    pub ffn_norm: &'static str,
}

impl Naming {
    pub(crate) fn names(self) -> Names {
        match self {
            Naming::Consolidated => Names {
                layer: "layers",
                q: "attention.wq",
                k: "attention.wk",
                v: "attention.wv",
                o: "attention.wo",
                attn_norm: "attention_norm",
                ffn_norm: "ffn_norm",
            },
            Naming::HuggingFace => Names {
                layer: "model.layers",
                q: "self_attn.q_proj",
                k: "self_attn.k_proj",
                v: "self_attn.v_proj",
                o: "self_attn.o_proj",
                attn_norm: "input_layernorm",
                ffn_norm: "post_attention_layernorm",
            },
        }
    }
}

/// The decoder's tensors with `ffn(layer)` supplying each layer's
/// feed-forward block: (required, optional).
pub(crate) fn decoder(
    c: &Config,
    ffn: impl Fn(u64) -> Vec<ExpectedTensor>,
) -> (Vec<ExpectedTensor>, Vec<ExpectedTensor>) {
    let dt = c.dtype.unwrap_or(DType::Bfloat16);
    let n = c.naming.names();
    let (d, q, kv) = (c.dim, c.n_heads * c.head_dim, c.n_kv_heads * c.head_dim);
    let (embed, norm, output) = match c.naming {
        Naming::Consolidated => ("tok_embeddings.weight", "norm.weight", "output.weight"),
        Naming::HuggingFace => (
            "model.embed_tokens.weight",
            "model.norm.weight",
            "lm_head.weight",
        ),
    };
    let mut t = vec![ExpectedTensor::array(
        embed,
        vec![c.vocab_size, d],
        dt,
        None,
    )];
    let mut optional = Vec::new();
    for l in 0..c.n_layers {
        let name = |s: &str| format!("{}.{l}.{s}.weight", n.layer);
        let layer = Some(l);
        t.extend([
            ExpectedTensor::array(name(n.q), vec![q, d], dt, layer),
            ExpectedTensor::array(name(n.k), vec![kv, d], dt, layer),
            ExpectedTensor::array(name(n.v), vec![kv, d], dt, layer),
            ExpectedTensor::array(name(n.o), vec![d, q], dt, layer),
            ExpectedTensor::array(name(n.attn_norm), vec![d], dt, layer),
            ExpectedTensor::array(name(n.ffn_norm), vec![d], dt, layer),
        ]);
        t.extend(ffn(l));
        if c.naming == Naming::HuggingFace {
            // Written by transformers before 4.31 as a persistent buffer.
            optional.push(ExpectedTensor::array(
                format!("{}.{l}.self_attn.rotary_emb.inv_freq", n.layer),
                vec![c.head_dim / 2],
                DType::Float32,
                layer,
            ));
        }
    }
    t.push(ExpectedTensor::array(norm, vec![d], dt, None));
    let head = ExpectedTensor::array(output, vec![c.vocab_size, d], dt, None);
    if c.tie_embeddings {
        optional.push(head);
    } else {
        t.push(head);
    }
    if c.naming == Naming::Consolidated {
        // Meta's Llama 1/2 checkpoints keep the rotary frequencies.
        optional.push(ExpectedTensor::array(
            "rope.freqs",
            vec![c.head_dim / 2],
            DType::Float32,
            None,
        ));
    }
    (t, optional)
}

/// The expected tensors of a dense Llama-style checkpoint: (required, optional).
pub fn expected(c: &Config) -> (Vec<ExpectedTensor>, Vec<ExpectedTensor>) {
    let dt = c.dtype.unwrap_or(DType::Bfloat16);
    let (d, f) = (c.dim, c.hidden_dim);
    decoder(c, |l| {
        let layer = Some(l);
        let parts: [(&str, Vec<u64>); 3] = match c.naming {
            Naming::Consolidated => [
                ("feed_forward.w1", vec![f, d]),
                ("feed_forward.w2", vec![d, f]),
                ("feed_forward.w3", vec![f, d]),
            ],
            Naming::HuggingFace => [
                ("mlp.gate_proj", vec![f, d]),
                ("mlp.up_proj", vec![f, d]),
                ("mlp.down_proj", vec![d, f]),
            ],
        };
        let prefix = c.naming.names().layer;
        parts
            .into_iter()
            .map(|(s, shape)| {
                ExpectedTensor::array(format!("{prefix}.{l}.{s}.weight"), shape, dt, layer)
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arch::architecture_from_json;

    #[test]
    fn meta_params_json_derives_the_ffn_width() {
        // Llama-2-7B's params.json shape: no hidden_dim, multiple_of 256.
        let a = architecture_from_json(
            r#"{"dim": 4096, "multiple_of": 256, "n_heads": 32, "n_layers": 32, "norm_eps": 1e-05, "vocab_size": 32000}"#,
            "params.json",
        )
        .unwrap();
        let c = Config::from_arch(&a).unwrap();
        assert_eq!(c.hidden_dim, 11008);
        assert_eq!(c.naming, Naming::Consolidated);
        let (t, o) = expected(&c);
        assert_eq!(t.len(), 3 + 32 * 9);
        assert_eq!(t[1].name, "layers.0.attention.wq.weight");
        assert!(o.iter().any(|t| t.name == "rope.freqs"));
        let total: u64 = t.iter().map(|t| t.elements()).sum();
        assert_eq!(total, 6_738_415_616);
    }
}
