//! T5 encoder-decoders as Hugging Face transformers names them, including
//! T5 v1.1 and Flan-T5: gated-GELU feed-forward (`wi_0`, `wi_1`), relative
//! position biases held only by block 0 of each stack, and an output
//! projection (`lm_head`) that v1.1 no longer ties to the embedding.
//!
//! Hyperparameters are config.json's: `d_model`, `d_ff`, `d_kv`,
//! `num_heads`, `num_layers`, `num_decoder_layers`, `vocab_size`,
//! `relative_attention_num_buckets`, `feed_forward_proj`,
//! `tie_word_embeddings` and `torch_dtype`. Its `architectures` names the
//! class saved: `T5ForConditionalGeneration` (the default) has `lm_head`
//! unless tied, `T5Model` has both stacks and no head, `T5EncoderModel`
//! only the encoder.

use crate::formats::DType;
use crate::manifest::Architecture;
use crate::{Error, Result};

use super::{check_sizes, ExpectedTensor, Params};

/// T5 hyperparameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Model width.
    pub d_model: u64,
    /// Feed-forward width.
    pub d_ff: u64,
    /// Width of one attention head.
    pub d_kv: u64,
    /// Attention heads.
    pub num_heads: u64,
    /// Encoder blocks.
    pub num_layers: u64,
    /// Decoder blocks (defaults to `num_layers`).
    pub num_decoder_layers: u64,
    /// Vocabulary size (padded: 32,128 for the released checkpoints).
    pub vocab_size: u64,
    /// Relative-position buckets (default 32).
    pub num_buckets: u64,
    /// Gated feed-forward (`gated-gelu`, `gated-silu`): `wi_0` and `wi_1`
    /// instead of `wi`.
    pub gated: bool,
    /// Whether `lm_head` is the shared embedding (T5 1.0) or its own tensor.
    pub tie_embeddings: bool,
    /// Element type, where the config says.
    pub dtype: Option<DType>,
    /// Which class was saved.
    pub class: Class,
}

/// The transformers class a T5 checkpoint was saved from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// `T5ForConditionalGeneration`: encoder, decoder and `lm_head`.
    ConditionalGeneration,
    /// `T5Model`: encoder and decoder, no head.
    Model,
    /// `T5EncoderModel`: the encoder alone.
    Encoder,
}

impl Config {
    /// Reads config.json's hyperparameters.
    pub fn from_arch(arch: &Architecture) -> Result<Self> {
        let p = Params(arch);
        let num_layers = p.int(&["num_layers"])?;
        let c = Config {
            d_model: p.int(&["d_model"])?,
            d_ff: p.int(&["d_ff"])?,
            d_kv: p.int(&["d_kv"])?,
            num_heads: p.int(&["num_heads"])?,
            num_layers,
            num_decoder_layers: p.int_opt(&["num_decoder_layers"])?.unwrap_or(num_layers),
            vocab_size: p.int(&["vocab_size"])?,
            num_buckets: p
                .int_opt(&["relative_attention_num_buckets"])?
                .unwrap_or(32),
            gated: match p.str_opt(&["feed_forward_proj"])?.unwrap_or("relu") {
                "relu" | "gelu" | "gelu_new" => false,
                s if s.starts_with("gated-") => true,
                other => {
                    return Err(Error::Architecture(format!(
                        "t5: feed_forward_proj {other:?} not understood"
                    )))
                }
            },
            // transformers' T5Config ties by default; v1.1 and Flan say false.
            tie_embeddings: p.bool_or(&["tie_word_embeddings"], true)?,
            dtype: p.dtype()?,
            class: if p.architecture_is("T5EncoderModel") {
                Class::Encoder
            } else if p.architecture_is("T5Model") {
                Class::Model
            } else {
                Class::ConditionalGeneration
            },
        };
        check_sizes(
            "t5",
            &[
                ("d_model", c.d_model),
                ("d_ff", c.d_ff),
                ("d_kv", c.d_kv),
                ("num_heads", c.num_heads),
                ("num_layers", c.num_layers),
                ("num_decoder_layers", c.num_decoder_layers),
                ("vocab_size", c.vocab_size),
                ("relative_attention_num_buckets", c.num_buckets),
            ],
        )?;
        Ok(c)
    }
}

/// The expected tensors of a T5 checkpoint: (required, optional).
pub fn expected(c: &Config) -> (Vec<ExpectedTensor>, Vec<ExpectedTensor>) {
    let dt = c.dtype.unwrap_or(DType::Float32);
    let (d, f, inner) = (c.d_model, c.d_ff, c.num_heads * c.d_kv);
    let a = |name: String, shape: Vec<u64>, layer: Option<u64>| {
        ExpectedTensor::array(name, shape, dt, layer)
    };
    let attention = |base: String, layer: u64, bias: bool| {
        let mut t = vec![
            a(format!("{base}.q.weight"), vec![inner, d], Some(layer)),
            a(format!("{base}.k.weight"), vec![inner, d], Some(layer)),
            a(format!("{base}.v.weight"), vec![inner, d], Some(layer)),
            a(format!("{base}.o.weight"), vec![d, inner], Some(layer)),
        ];
        if bias {
            t.push(a(
                format!("{base}.relative_attention_bias.weight"),
                vec![c.num_buckets, c.num_heads],
                Some(layer),
            ));
        }
        t
    };
    let ffn = |base: String, layer: u64| {
        let mut t = if c.gated {
            vec![
                a(
                    format!("{base}.DenseReluDense.wi_0.weight"),
                    vec![f, d],
                    Some(layer),
                ),
                a(
                    format!("{base}.DenseReluDense.wi_1.weight"),
                    vec![f, d],
                    Some(layer),
                ),
            ]
        } else {
            vec![a(
                format!("{base}.DenseReluDense.wi.weight"),
                vec![f, d],
                Some(layer),
            )]
        };
        t.push(a(
            format!("{base}.DenseReluDense.wo.weight"),
            vec![d, f],
            Some(layer),
        ));
        t.push(a(format!("{base}.layer_norm.weight"), vec![d], Some(layer)));
        t
    };
    let mut t = vec![a("shared.weight".into(), vec![c.vocab_size, d], None)];
    for l in 0..c.num_layers {
        let b = format!("encoder.block.{l}.layer");
        t.extend(attention(format!("{b}.0.SelfAttention"), l, l == 0));
        t.push(a(format!("{b}.0.layer_norm.weight"), vec![d], Some(l)));
        t.extend(ffn(format!("{b}.1"), l));
    }
    t.push(a("encoder.final_layer_norm.weight".into(), vec![d], None));
    // torch.save keeps the stacks' references to the shared embedding as
    // tensors of their own; safetensors writers drop them.
    let embed_copy = |stack: &str| {
        a(
            format!("{stack}.embed_tokens.weight"),
            vec![c.vocab_size, d],
            None,
        )
    };
    if c.class == Class::Encoder {
        return (t, vec![embed_copy("encoder")]);
    }
    for l in 0..c.num_decoder_layers {
        let b = format!("decoder.block.{l}.layer");
        t.extend(attention(format!("{b}.0.SelfAttention"), l, l == 0));
        t.push(a(format!("{b}.0.layer_norm.weight"), vec![d], Some(l)));
        t.extend(attention(format!("{b}.1.EncDecAttention"), l, false));
        t.push(a(format!("{b}.1.layer_norm.weight"), vec![d], Some(l)));
        t.extend(ffn(format!("{b}.2"), l));
    }
    t.push(a("decoder.final_layer_norm.weight".into(), vec![d], None));
    let mut optional = vec![embed_copy("encoder"), embed_copy("decoder")];
    if c.class == Class::ConditionalGeneration {
        let head = a("lm_head.weight".into(), vec![c.vocab_size, d], None);
        if c.tie_embeddings {
            optional.push(head);
        } else {
            t.push(head);
        }
    }
    (t, optional)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arch::architecture_from_json;

    #[test]
    fn flan_t5_xxl_config_gives_its_parameter_count() {
        let cfg = r#"{"model_type": "t5", "d_model": 4096, "d_ff": 10240, "d_kv": 64, "num_heads": 64, "num_layers": 24, "num_decoder_layers": 24, "vocab_size": 32128, "relative_attention_num_buckets": 32, "feed_forward_proj": "gated-gelu", "tie_word_embeddings": false}"#;
        let c = Config::from_arch(&architecture_from_json(cfg, "config.json").unwrap()).unwrap();
        let (t, optional) = expected(&c);
        // shared, 24 encoder blocks of 9, bias, final norm, 24 decoder
        // blocks of 14, bias, final norm, lm_head.
        assert_eq!(t.len(), 1 + 24 * 9 + 1 + 1 + 24 * 14 + 1 + 1 + 1);
        assert_eq!(
            t.iter()
                .filter(|t| t.name.contains("relative_attention_bias"))
                .count(),
            2
        );
        assert!(t
            .iter()
            .any(|t| t.name == "decoder.block.23.layer.2.DenseReluDense.wi_1.weight"));
        assert_eq!(optional.len(), 2);
        let total: u64 = t.iter().map(|t| t.elements()).sum();
        // 11,135,332,352: google/flan-t5-xxl's num_parameters() in
        // transformers. Equal, because v1.1 unties lm_head (stored and
        // counted on its own) and the stacks' embed_tokens are the shared
        // embedding, counted once in both counts.
        assert_eq!(total, 11_135_332_352);

        // The same config saved from the other classes.
        let with = |class: &str| {
            let cfg = cfg.replace('{', &format!(r#"{{"architectures": ["{class}"], "#));
            let c =
                Config::from_arch(&architecture_from_json(&cfg, "config.json").unwrap()).unwrap();
            let (t, o) = expected(&c);
            let total: u64 = t.iter().map(|t| t.elements()).sum();
            (t, o, total)
        };
        let lm_head = 32128 * 4096;
        let (t, _, same) = with("T5ForConditionalGeneration");
        assert_eq!((t.len(), same), (1 + 24 * 9 + 2 + 24 * 14 + 3, total));
        let (t, o, bare) = with("T5Model");
        assert_eq!(bare, total - lm_head);
        assert!(!t.iter().chain(&o).any(|t| t.name == "lm_head.weight"));
        let (t, o, encoder) = with("T5EncoderModel");
        assert!(t.iter().all(|t| !t.name.starts_with("decoder.")));
        assert_eq!(t.len(), 1 + 24 * 9 + 2);
        assert_eq!(o.len(), 1);
        // The shared embedding and the encoder stack.
        assert_eq!(encoder, 4_762_310_656);
    }
}
