//! Llama-shaped dense decoders — Llama, Mistral, Qwen2, Gemma — and the
//! decoder shared with [`super::mixtral`], under either naming a release
//! may use.
//!
//! - `consolidated`: Meta's and Mistral's reference checkpoints
//!   (`consolidated.00.pth` with `params.json`): `tok_embeddings.weight`,
//!   `layers.N.attention.wq.weight`, `layers.N.feed_forward.w1.weight`,
//!   `layers.N.attention_norm.weight`, `norm.weight`, `output.weight`.
//! - `hf`: Hugging Face transformers (`config.json`):
//!   `model.embed_tokens.weight`, `model.layers.N.self_attn.q_proj.weight`,
//!   `model.layers.N.mlp.gate_proj.weight`, `model.norm.weight`, `lm_head.weight`.
//!   config.json's `architectures` names the class that was saved: the bare
//!   decoder (`LlamaModel`, `MistralModel`, `Qwen2Model`, `GemmaModel`) has
//!   no `model.` prefix and no `lm_head`; `*ForCausalLM` has both, the head
//!   only when `tie_word_embeddings` is false.
//!
//! The families differ only where their transformers modeling files do:
//! Qwen2's query, key and value projections have biases; Gemma ties its
//! output to the embedding by default and gives `head_dim` on its own
//! (2B: 8 heads of 256 over a width of 2,048).
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
    /// Prefix of the decoder's Hugging Face names: `model.` as the
    /// `*ForCausalLM` classes save them, empty for the bare decoder class.
    pub prefix: &'static str,
    /// Whether the saved class has an output projection at all (the bare
    /// decoder class has none, tied or not).
    pub head: bool,
    /// Whether the query, key and value projections have biases (Qwen2).
    pub qkv_bias: bool,
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
        // The bare decoder class is saved without the causal-LM wrapper's
        // `model.` attribute and without its head.
        let bare = p.architecture_is(bare_class(&arch.family));
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
            // GemmaConfig ties by default; the others' configs do not.
            tie_embeddings: p.bool_or(&["tie_word_embeddings"], arch.family == "gemma")?,
            prefix: if bare { "" } else { "model." },
            head: !bare,
            qkv_bias: arch.family == "qwen2",
        })
    }

    /// The prefix of the per-layer names (`layers`, `model.layers`).
    pub(crate) fn layers(&self) -> String {
        match self.naming {
            Naming::Consolidated => "layers".into(),
            Naming::HuggingFace => format!("{}layers", self.prefix),
        }
    }
}

/// transformers' bare decoder class of a family (`LlamaModel`), the one
/// saved without prefix and head.
fn bare_class(family: &str) -> &'static str {
    match family {
        "mistral" => "MistralModel",
        "mixtral" => "MixtralModel",
        "qwen2" => "Qwen2Model",
        "gemma" => "GemmaModel",
        _ => "LlamaModel",
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
                q: "attention.wq",
                k: "attention.wk",
                v: "attention.wv",
                o: "attention.wo",
                attn_norm: "attention_norm",
                ffn_norm: "ffn_norm",
            },
            Naming::HuggingFace => Names {
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
        Naming::Consolidated => (
            "tok_embeddings.weight".to_string(),
            "norm.weight".to_string(),
            "output.weight",
        ),
        Naming::HuggingFace => (
            format!("{}embed_tokens.weight", c.prefix),
            format!("{}norm.weight", c.prefix),
            "lm_head.weight",
        ),
    };
    let layers = c.layers();
    let mut t = vec![ExpectedTensor::array(
        embed,
        vec![c.vocab_size, d],
        dt,
        None,
    )];
    let mut optional = Vec::new();
    for l in 0..c.n_layers {
        let name = |s: &str, kind: &str| format!("{layers}.{l}.{s}.{kind}");
        let layer = Some(l);
        t.extend([
            ExpectedTensor::array(name(n.q, "weight"), vec![q, d], dt, layer),
            ExpectedTensor::array(name(n.k, "weight"), vec![kv, d], dt, layer),
            ExpectedTensor::array(name(n.v, "weight"), vec![kv, d], dt, layer),
        ]);
        if c.qkv_bias {
            t.extend([
                ExpectedTensor::array(name(n.q, "bias"), vec![q], dt, layer),
                ExpectedTensor::array(name(n.k, "bias"), vec![kv], dt, layer),
                ExpectedTensor::array(name(n.v, "bias"), vec![kv], dt, layer),
            ]);
        }
        t.extend([
            ExpectedTensor::array(name(n.o, "weight"), vec![d, q], dt, layer),
            ExpectedTensor::array(name(n.attn_norm, "weight"), vec![d], dt, layer),
            ExpectedTensor::array(name(n.ffn_norm, "weight"), vec![d], dt, layer),
        ]);
        t.extend(ffn(l));
        if c.naming == Naming::HuggingFace {
            // Written by transformers before 4.31 as a persistent buffer.
            optional.push(ExpectedTensor::array(
                format!("{layers}.{l}.self_attn.rotary_emb.inv_freq"),
                vec![c.head_dim / 2],
                DType::Float32,
                layer,
            ));
        }
    }
    t.push(ExpectedTensor::array(norm, vec![d], dt, None));
    if c.head {
        let head = ExpectedTensor::array(output, vec![c.vocab_size, d], dt, None);
        if c.tie_embeddings {
            optional.push(head);
        } else {
            t.push(head);
        }
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
        let prefix = c.layers();
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

    fn total(t: &[ExpectedTensor]) -> u64 {
        t.iter().map(|t| t.elements()).sum()
    }

    fn layout(config: &str) -> (Config, Vec<ExpectedTensor>, Vec<ExpectedTensor>) {
        let a = architecture_from_json(config, "config.json").unwrap();
        let c = Config::from_arch(&a).unwrap();
        let (t, o) = expected(&c);
        (c, t, o)
    }

    // mistralai/Mistral-7B-v0.1's config.json.
    const MISTRAL_7B: &str = r#"{"architectures": ["MistralForCausalLM"], "bos_token_id": 1, "eos_token_id": 2, "hidden_act": "silu", "hidden_size": 4096, "initializer_range": 0.02, "intermediate_size": 14336, "max_position_embeddings": 32768, "model_type": "mistral", "num_attention_heads": 32, "num_hidden_layers": 32, "num_key_value_heads": 8, "rms_norm_eps": 1e-05, "rope_theta": 10000.0, "sliding_window": 4096, "tie_word_embeddings": false, "torch_dtype": "bfloat16", "transformers_version": "4.34.0.dev0", "use_cache": true, "vocab_size": 32000}"#;

    #[test]
    fn mistral_7b_has_its_published_count() {
        let (c, t, o) = layout(MISTRAL_7B);
        assert_eq!(c.dtype, Some(DType::Bfloat16));
        assert_eq!(t.len(), 1 + 32 * 9 + 2);
        assert_eq!(t[0].name, "model.embed_tokens.weight");
        assert_eq!(t.last().unwrap().name, "lm_head.weight");
        assert!(o.iter().all(|t| t.name.ends_with("inv_freq")));
        // 7,241,732,096: the Hub's safetensors total for
        // mistralai/Mistral-7B-v0.1 ("7.24B params"); sliding_window does
        // not change a shape.
        assert_eq!(total(&t), 7_241_732_096);
    }

    #[test]
    fn the_saved_class_decides_prefix_and_head() {
        let llama = MISTRAL_7B
            .replace("MistralForCausalLM", "LlamaForCausalLM")
            .replace(r#""model_type": "mistral""#, r#""model_type": "llama""#);
        let (_, causal, _) = layout(&llama);
        assert_eq!(causal[1].name, "model.layers.0.self_attn.q_proj.weight");
        assert_eq!(causal.last().unwrap().name, "lm_head.weight");

        let (c, bare, o) = layout(&llama.replace("LlamaForCausalLM", "LlamaModel"));
        assert!(!c.head);
        assert_eq!(bare[0].name, "embed_tokens.weight");
        assert_eq!(bare[1].name, "layers.0.self_attn.q_proj.weight");
        assert_eq!(bare.last().unwrap().name, "norm.weight");
        assert!(!bare.iter().chain(&o).any(|t| t.name == "lm_head.weight"));
        assert_eq!(total(&bare), total(&causal) - 32000 * 4096);

        // A tied causal LM stores no head; a copy is allowed.
        let (_, tied, o) = layout(&llama.replace(
            r#""tie_word_embeddings": false"#,
            r#""tie_word_embeddings": true"#,
        ));
        assert_eq!(tied.len(), causal.len() - 1);
        assert!(o.iter().any(|t| t.name == "lm_head.weight"));

        // Without `architectures`, as before: model. prefix and a head.
        let (_, none, _) = layout(&llama.replace(r#""architectures": ["LlamaForCausalLM"], "#, ""));
        assert_eq!(none, causal);
    }

    // Qwen/Qwen2-0.5B's config.json.
    const QWEN2_0_5B: &str = r#"{"architectures": ["Qwen2ForCausalLM"], "attention_dropout": 0.0, "bos_token_id": 151643, "eos_token_id": 151643, "hidden_act": "silu", "hidden_size": 896, "initializer_range": 0.02, "intermediate_size": 4864, "max_position_embeddings": 131072, "max_window_layers": 24, "model_type": "qwen2", "num_attention_heads": 14, "num_hidden_layers": 24, "num_key_value_heads": 2, "rms_norm_eps": 1e-06, "rope_theta": 1000000.0, "sliding_window": 131072, "tie_word_embeddings": true, "torch_dtype": "bfloat16", "transformers_version": "4.40.1", "use_cache": true, "use_sliding_window": false, "vocab_size": 151936}"#;

    #[test]
    fn qwen2_has_qkv_biases_and_a_tied_head() {
        let (c, t, o) = layout(QWEN2_0_5B);
        assert_eq!(c.head_dim, 64);
        let bias = |n: &str| t.iter().find(|t| t.name == n).map(|t| t.shape.clone());
        assert_eq!(
            bias("model.layers.0.self_attn.q_proj.bias"),
            Some(vec![896])
        );
        assert_eq!(
            bias("model.layers.0.self_attn.k_proj.bias"),
            Some(vec![128])
        );
        assert_eq!(
            bias("model.layers.23.self_attn.v_proj.bias"),
            Some(vec![128])
        );
        assert_eq!(bias("model.layers.0.self_attn.o_proj.bias"), None);
        assert_eq!(t.len(), 1 + 24 * 12 + 1);
        assert!(o.iter().any(|t| t.name == "lm_head.weight"));
        // Qwen's model card: 0.49B parameters, 0.36B without the embedding.
        assert_eq!(total(&t), 494_032_768);
        assert_eq!(total(&t) - 151_936 * 896, 357_898_112);
    }

    // google/gemma-2b's config.json.
    const GEMMA_2B: &str = r#"{"architectures": ["GemmaForCausalLM"], "attention_bias": false, "attention_dropout": 0.0, "bos_token_id": 2, "eos_token_id": 1, "head_dim": 256, "hidden_act": "gelu", "hidden_size": 2048, "initializer_range": 0.02, "intermediate_size": 16384, "max_position_embeddings": 8192, "model_type": "gemma", "num_attention_heads": 8, "num_hidden_layers": 18, "num_key_value_heads": 1, "pad_token_id": 0, "rms_norm_eps": 1e-06, "rope_scaling": null, "rope_theta": 10000.0, "torch_dtype": "bfloat16", "transformers_version": "4.38.0.dev0", "use_cache": true, "vocab_size": 256000}"#;

    #[test]
    fn gemma_takes_head_dim_from_its_config_and_ties_its_head() {
        let (c, t, o) = layout(GEMMA_2B);
        assert_eq!((c.head_dim, c.n_kv_heads), (256, 1));
        assert!(c.tie_embeddings);
        let q = t
            .iter()
            .find(|t| t.name == "model.layers.0.self_attn.k_proj.weight")
            .unwrap();
        assert_eq!(q.shape, [256, 2048]);
        assert!(!t.iter().any(|t| t.name == "lm_head.weight"));
        assert!(o.iter().any(|t| t.name == "lm_head.weight"));
        // The Gemma report (arXiv:2403.08295, Table 2) gives the 2B model
        // 1,981,884,416 non-embedding parameters (its embedding counts a
        // 256,128-row vocabulary; the released config has 256,000 rows).
        let embedding = 256_000 * 2048;
        assert_eq!(total(&t) - embedding, 1_981_884_416);
        assert_eq!(total(&t), 2_506_172_416);
    }
}
