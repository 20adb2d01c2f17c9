//! Mixtral (Mistral AI's sparse mixture-of-experts decoder): a Llama-style
//! decoder whose feed-forward block is a router over `num_experts` SwiGLU
//! experts, `num_experts_per_tok` of them used per token.
//!
//! Both of the release's namings are understood:
//! - the torrent's `params.json` (`dim`, `n_layers`, `head_dim`,
//!   `hidden_dim`, `n_heads`, `n_kv_heads`, `vocab_size`,
//!   `moe.num_experts`, `moe.num_experts_per_tok`) with the reference
//!   implementation's tensor names: `layers.N.feed_forward.gate.weight` and
//!   `layers.N.feed_forward.experts.E.w1.weight` (mistral-inference's
//!   `MoeLayer` has `gate` and `experts`; llama.cpp's tensor map lists the
//!   same names for Mixtral);
//! - Hugging Face's `config.json` (`hidden_size`, `intermediate_size`,
//!   `num_hidden_layers`, `num_attention_heads`, `num_key_value_heads`,
//!   `num_local_experts`, `num_experts_per_tok`) with
//!   `model.layers.N.block_sparse_moe.gate.weight` and
//!   `model.layers.N.block_sparse_moe.experts.E.w1.weight`.

use crate::formats::DType;
use crate::manifest::Architecture;
use crate::{Error, Result};

use super::llama::{self, Naming};
use super::{check_sizes, ExpectedTensor, Params};

/// Mixtral hyperparameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The decoder around the experts.
    pub base: llama::Config,
    /// Experts per layer (`moe.num_experts` / `num_local_experts`).
    pub num_experts: u64,
    /// Experts used per token (`moe.num_experts_per_tok` / `num_experts_per_tok`).
    pub experts_per_tok: u64,
}

impl Config {
    /// Reads the hyperparameters under either naming.
    pub fn from_arch(arch: &Architecture) -> Result<Self> {
        let base = llama::Config::from_arch(arch)?;
        let p = Params(arch);
        let num_experts = p.int(&["moe.num_experts", "num_local_experts", "num_experts"])?;
        let experts_per_tok = p.int(&["moe.num_experts_per_tok", "num_experts_per_tok"])?;
        check_sizes(&arch.family, &[("num_experts", num_experts)])?;
        // Each dimension can be plausible while their product is not: the
        // expected-tensor list is built in memory, so its length is bounded
        // before anything is allocated.
        let tensors = base
            .n_layers
            .saturating_mul(num_experts.saturating_mul(3).saturating_add(9));
        if tensors > super::MAX_EXPECTED_TENSORS {
            return Err(Error::Architecture(format!(
                "implausible {}: {} layers of {num_experts} experts imply {tensors} tensors \
                 (limit {})",
                arch.family,
                base.n_layers,
                super::MAX_EXPECTED_TENSORS
            )));
        }
        if num_experts == 0 || experts_per_tok > num_experts {
            return Err(Error::Architecture(format!(
                "mixtral: {experts_per_tok} experts per token out of {num_experts}"
            )));
        }
        Ok(Config {
            base,
            num_experts,
            experts_per_tok,
        })
    }
}

/// The expected tensors of a Mixtral checkpoint: (required, optional).
pub fn expected(c: &Config) -> (Vec<ExpectedTensor>, Vec<ExpectedTensor>) {
    let b = &c.base;
    let dt = b.dtype.unwrap_or(DType::Bfloat16);
    let (d, f) = (b.dim, b.hidden_dim);
    let moe = match b.naming {
        Naming::Consolidated => "feed_forward",
        Naming::HuggingFace => "block_sparse_moe",
    };
    let layer_prefix = b.layers();
    llama::decoder(b, |l| {
        let layer = Some(l);
        let base = format!("{layer_prefix}.{l}.{moe}");
        let mut t = vec![ExpectedTensor::array(
            format!("{base}.gate.weight"),
            vec![c.num_experts, d],
            dt,
            layer,
        )];
        for e in 0..c.num_experts {
            for (w, shape) in [("w1", vec![f, d]), ("w2", vec![d, f]), ("w3", vec![f, d])] {
                let mut x = ExpectedTensor::array(
                    format!("{base}.experts.{e}.{w}.weight"),
                    shape,
                    dt,
                    layer,
                );
                x.expert = true;
                t.push(x);
            }
        }
        t
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arch::architecture_from_json;

    const PARAMS_JSON: &str = r#"{"dim": 4096, "n_layers": 32, "head_dim": 128, "hidden_dim": 14336, "n_heads": 32, "n_kv_heads": 8, "norm_eps": 1e-05, "vocab_size": 32000, "moe": {"num_experts_per_tok": 2, "num_experts": 8}}"#;

    #[test]
    fn published_params_give_46_7b_parameters_either_naming() {
        let a = architecture_from_json(PARAMS_JSON, "params.json").unwrap();
        let c = Config::from_arch(&a).unwrap();
        let (t, _) = expected(&c);
        assert_eq!(t.len(), 3 + 32 * (6 + 1 + 24));
        assert_eq!(t[7].name, "layers.0.feed_forward.gate.weight");
        assert_eq!(t[8].name, "layers.0.feed_forward.experts.0.w1.weight");
        let total: u64 = t.iter().map(|t| t.elements()).sum();
        assert_eq!(total, 46_702_792_704);

        let hf = r#"{"model_type": "mixtral", "hidden_size": 4096, "intermediate_size": 14336, "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 8, "num_local_experts": 8, "num_experts_per_tok": 2, "vocab_size": 32000, "torch_dtype": "bfloat16", "tie_word_embeddings": false}"#;
        let c = Config::from_arch(&architecture_from_json(hf, "config.json").unwrap()).unwrap();
        let (h, _) = expected(&c);
        assert_eq!(h.len(), t.len());
        assert_eq!(
            h[8].name,
            "model.layers.0.block_sparse_moe.experts.0.w1.weight"
        );
        assert_eq!(h.last().map(|t| t.name.as_str()), Some("lm_head.weight"));
        assert!(h.iter().all(|t| t.dtype == DType::Bfloat16));
        let total_hf: u64 = h.iter().map(|t| t.elements()).sum();
        assert_eq!(total_hf, total);
    }
}
