//! GPT-2 as Hugging Face transformers names it, from config.json: `n_embd`,
//! `n_layer`, `n_positions` (or the older `n_ctx`), `n_inner` (default
//! 4 × `n_embd`), `vocab_size`.
//!
//! GPT-2 keeps OpenAI's `Conv1D` layers, whose weights are stored
//! `[in_features, out_features]` — the transpose of `nn.Linear`'s — so
//! `h.N.attn.c_attn.weight` is `[n_embd, 3 × n_embd]` (query, key and value
//! side by side). Every projection and LayerNorm has a bias.
//!
//! `GPT2Model` is saved with bare names (`wte.weight`, `h.0.ln_1.weight`);
//! `GPT2LMHeadModel` wraps it as `transformer.` and ties `lm_head` to `wte`,
//! so `lm_head.weight` is only a copy `torch.save` may keep. The causal mask
//! `h.N.attn.bias` and `h.N.attn.masked_bias` are buffers that older
//! transformers saved and newer ones do not: optional, and never counted as
//! parameters ([`crate::formats::tensor::is_buffer`]).
//!
//! openai-community/gpt2's own checkpoint names `GPT2LMHeadModel` in its
//! config but was saved from the bare model (`h.0.attn.c_attn.weight`, no
//! `transformer.`): weightcheck's `tensor_prefix` parameter (`""`) says so.

use crate::formats::DType;
use crate::manifest::Architecture;
use crate::Result;

use super::{check_sizes, ExpectedTensor, Params};

/// GPT-2 hyperparameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Model width (`n_embd`).
    pub n_embd: u64,
    /// Blocks (`n_layer`).
    pub n_layer: u64,
    /// Learned positions (`n_positions`, or `n_ctx` in older configs).
    pub n_positions: u64,
    /// Feed-forward width (`n_inner`, default 4 × `n_embd`).
    pub n_inner: u64,
    /// Vocabulary size.
    pub vocab_size: u64,
    /// Prefix of the transformer's names: `transformer.` for
    /// `GPT2LMHeadModel`, empty for `GPT2Model`.
    pub prefix: String,
    /// Whether the saved class has the (tied) language-model head.
    pub head: bool,
    /// Element type, where the config says.
    pub dtype: Option<DType>,
}

impl Config {
    /// Reads config.json's hyperparameters.
    pub fn from_arch(arch: &Architecture) -> Result<Self> {
        let p = Params(arch);
        let n_embd = p.int(&["n_embd", "hidden_size"])?;
        let head = p.architecture_is("GPT2LMHeadModel");
        let c = Config {
            n_embd,
            n_layer: p.int(&["n_layer", "num_hidden_layers"])?,
            n_positions: p.int(&["n_positions", "n_ctx"])?,
            n_inner: p
                .int_opt(&["n_inner"])?
                .unwrap_or_else(|| n_embd.saturating_mul(4)),
            vocab_size: p.int(&["vocab_size"])?,
            prefix: p
                .str_opt(&["tensor_prefix"])?
                .unwrap_or(if head { "transformer." } else { "" })
                .to_string(),
            head,
            dtype: p.dtype()?,
        };
        check_sizes(
            "gpt2",
            &[
                ("n_embd", c.n_embd),
                ("n_layer", c.n_layer),
                ("n_positions", c.n_positions),
                ("n_inner", c.n_inner),
                ("vocab_size", c.vocab_size),
            ],
        )?;
        Ok(c)
    }
}

/// The expected tensors of a GPT-2 checkpoint: (required, optional).
pub fn expected(c: &Config) -> (Vec<ExpectedTensor>, Vec<ExpectedTensor>) {
    let dt = c.dtype.unwrap_or(DType::Float32);
    let (d, f, p) = (c.n_embd, c.n_inner, c.prefix.as_str());
    let a = |name: String, shape: Vec<u64>, layer| ExpectedTensor::array(name, shape, dt, layer);
    // Conv1D: weight [in, out], bias [out].
    let conv = |base: String, inp: u64, out: u64, layer| {
        vec![
            a(format!("{base}.weight"), vec![inp, out], layer),
            a(format!("{base}.bias"), vec![out], layer),
        ]
    };
    let norm = |base: String, layer| {
        vec![
            a(format!("{base}.weight"), vec![d], layer),
            a(format!("{base}.bias"), vec![d], layer),
        ]
    };
    let mut t = vec![
        a(format!("{p}wte.weight"), vec![c.vocab_size, d], None),
        a(format!("{p}wpe.weight"), vec![c.n_positions, d], None),
    ];
    let mut optional = Vec::new();
    for l in 0..c.n_layer {
        let b = format!("{p}h.{l}");
        let layer = Some(l);
        t.extend(norm(format!("{b}.ln_1"), layer));
        t.extend(conv(format!("{b}.attn.c_attn"), d, 3 * d, layer));
        t.extend(conv(format!("{b}.attn.c_proj"), d, d, layer));
        t.extend(norm(format!("{b}.ln_2"), layer));
        t.extend(conv(format!("{b}.mlp.c_fc"), d, f, layer));
        t.extend(conv(format!("{b}.mlp.c_proj"), f, d, layer));
        // The causal mask (bool, or uint8/float32 from older writers) and
        // the scalar fill value: buffers, dtype whatever the writer used.
        optional.push(a(
            format!("{b}.attn.bias"),
            vec![1, 1, c.n_positions, c.n_positions],
            layer,
        ));
        optional.push(a(format!("{b}.attn.masked_bias"), vec![], layer));
    }
    t.extend(norm(format!("{p}ln_f"), None));
    if c.head {
        optional.push(a("lm_head.weight".into(), vec![c.vocab_size, d], None));
    }
    (t, optional)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arch::architecture_from_json;

    // openai-community/gpt2's config.json (the 124M "small" model).
    const GPT2: &str = r#"{"activation_function": "gelu_new", "architectures": ["GPT2LMHeadModel"], "attn_pdrop": 0.1, "bos_token_id": 50256, "embd_pdrop": 0.1, "eos_token_id": 50256, "initializer_range": 0.02, "layer_norm_epsilon": 1e-05, "model_type": "gpt2", "n_ctx": 1024, "n_embd": 768, "n_head": 12, "n_layer": 12, "n_positions": 1024, "resid_pdrop": 0.1, "summary_activation": null, "vocab_size": 50257}"#;

    #[test]
    fn gpt2_small_has_124m_parameters() {
        let a = architecture_from_json(GPT2, "config.json").unwrap();
        assert_eq!(a.family, "gpt2");
        let c = Config::from_arch(&a).unwrap();
        let (t, o) = expected(&c);
        assert_eq!(t.len(), 2 + 12 * 12 + 2);
        assert_eq!(t[0].name, "transformer.wte.weight");
        let c_attn = t
            .iter()
            .find(|t| t.name == "transformer.h.0.attn.c_attn.weight")
            .unwrap();
        assert_eq!(c_attn.shape, [768, 2304]);
        assert!(o.iter().any(|t| t.name == "lm_head.weight"));
        assert!(o
            .iter()
            .filter(|t| t.name.contains(".attn."))
            .all(|t| crate::formats::tensor::is_buffer(&t.name)));
        // 124,439,808: transformers' GPT2LMHeadModel.num_parameters() for
        // gpt2 (lm_head tied to wte, counted once; buffers not parameters).
        let total: u64 = t.iter().map(|t| t.elements()).sum();
        assert_eq!(total, 124_439_808);
    }

    #[test]
    fn the_saved_class_decides_the_prefix_and_head() {
        let bare = GPT2.replace("GPT2LMHeadModel", "GPT2Model");
        let c = Config::from_arch(&architecture_from_json(&bare, "config.json").unwrap()).unwrap();
        let (t, o) = expected(&c);
        assert_eq!(t[0].name, "wte.weight");
        assert!(!o.iter().any(|t| t.name == "lm_head.weight"));
        // The gpt2 repository's own checkpoint: bare names under GPT2LMHeadModel.
        let own = GPT2.replace(r#""vocab_size""#, r#""tensor_prefix": "", "vocab_size""#);
        let c = Config::from_arch(&architecture_from_json(&own, "config.json").unwrap()).unwrap();
        let (t, o) = expected(&c);
        assert_eq!(t[2].name, "h.0.ln_1.weight");
        assert!(o.iter().any(|t| t.name == "lm_head.weight"));
    }
}
