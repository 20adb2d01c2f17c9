//! BERT encoders as Hugging Face transformers names them
//! (`bert.embeddings.word_embeddings.weight`,
//! `bert.encoder.layer.N.attention.self.query.weight`, …), from config.json:
//! `hidden_size`, `num_hidden_layers`, `intermediate_size`, `vocab_size`,
//! `max_position_embeddings`, `type_vocab_size`.
//!
//! weightcheck's own parameters: `tensor_prefix` (default `bert.`, as the
//! `BertFor*` classes save it; empty when config.json's `architectures` is
//! `BertModel`, the bare encoder sentence-transformers folders hold), `layer_norm_names` (`weight_bias`,
//! or `gamma_beta` for Google's original conversions) and `pooler`
//! (default true). Pre-training heads (`cls.*`) are optional.

use crate::formats::DType;
use crate::manifest::Architecture;
use crate::{Error, Result};

use super::{check_sizes, ExpectedTensor, Params};

/// BERT hyperparameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Model width.
    pub hidden: u64,
    /// Encoder layers.
    pub layers: u64,
    /// Feed-forward width.
    pub intermediate: u64,
    /// Vocabulary size.
    pub vocab_size: u64,
    /// Learned positions.
    pub max_positions: u64,
    /// Segment (token type) vocabulary.
    pub type_vocab: u64,
    /// Prefix of every encoder tensor (`bert.`).
    pub prefix: String,
    /// LayerNorm parameter names: (`weight`, `bias`) or (`gamma`, `beta`).
    pub norm_names: (&'static str, &'static str),
    /// Whether the pooler is part of the checkpoint.
    pub pooler: bool,
    /// Element type, where the config says.
    pub dtype: Option<DType>,
}

impl Config {
    /// Reads config.json's hyperparameters.
    pub fn from_arch(arch: &Architecture) -> Result<Self> {
        let p = Params(arch);
        let c = Config {
            hidden: p.int(&["hidden_size"])?,
            layers: p.int(&["num_hidden_layers"])?,
            intermediate: p.int(&["intermediate_size"])?,
            vocab_size: p.int(&["vocab_size"])?,
            max_positions: p.int_opt(&["max_position_embeddings"])?.unwrap_or(512),
            type_vocab: p.int_opt(&["type_vocab_size"])?.unwrap_or(2),
            prefix: p
                .str_opt(&["tensor_prefix"])?
                .unwrap_or(if p.architecture_is("BertModel") {
                    ""
                } else {
                    "bert."
                })
                .to_string(),
            norm_names: match p.str_opt(&["layer_norm_names"])?.unwrap_or("weight_bias") {
                "weight_bias" => ("weight", "bias"),
                "gamma_beta" => ("gamma", "beta"),
                other => {
                    return Err(Error::Architecture(format!(
                        "bert: layer_norm_names {other:?} (expected weight_bias or gamma_beta)"
                    )))
                }
            },
            pooler: p.bool_or(&["pooler"], true)?,
            dtype: p.dtype()?,
        };
        check_sizes(
            "bert",
            &[
                ("hidden_size", c.hidden),
                ("num_hidden_layers", c.layers),
                ("intermediate_size", c.intermediate),
                ("vocab_size", c.vocab_size),
                ("max_position_embeddings", c.max_positions),
                ("type_vocab_size", c.type_vocab),
            ],
        )?;
        Ok(c)
    }
}

/// The expected tensors of a BERT checkpoint: (required, optional).
pub fn expected(c: &Config) -> (Vec<ExpectedTensor>, Vec<ExpectedTensor>) {
    let dt = c.dtype.unwrap_or(DType::Float32);
    let (h, i, p) = (c.hidden, c.intermediate, c.prefix.as_str());
    let (nw, nb) = c.norm_names;
    let a = |name: String, shape: Vec<u64>, layer| ExpectedTensor::array(name, shape, dt, layer);
    let linear = |base: String, out: u64, inp: u64, layer| {
        vec![
            a(format!("{base}.weight"), vec![out, inp], layer),
            a(format!("{base}.bias"), vec![out], layer),
        ]
    };
    let norm = |base: String, layer| {
        vec![
            a(format!("{base}.{nw}"), vec![h], layer),
            a(format!("{base}.{nb}"), vec![h], layer),
        ]
    };
    let mut t = vec![
        a(
            format!("{p}embeddings.word_embeddings.weight"),
            vec![c.vocab_size, h],
            None,
        ),
        a(
            format!("{p}embeddings.position_embeddings.weight"),
            vec![c.max_positions, h],
            None,
        ),
        a(
            format!("{p}embeddings.token_type_embeddings.weight"),
            vec![c.type_vocab, h],
            None,
        ),
    ];
    t.extend(norm(format!("{p}embeddings.LayerNorm"), None));
    for l in 0..c.layers {
        let b = format!("{p}encoder.layer.{l}");
        let layer = Some(l);
        for part in ["query", "key", "value"] {
            t.extend(linear(format!("{b}.attention.self.{part}"), h, h, layer));
        }
        t.extend(linear(format!("{b}.attention.output.dense"), h, h, layer));
        t.extend(norm(format!("{b}.attention.output.LayerNorm"), layer));
        t.extend(linear(format!("{b}.intermediate.dense"), i, h, layer));
        t.extend(linear(format!("{b}.output.dense"), h, i, layer));
        t.extend(norm(format!("{b}.output.LayerNorm"), layer));
    }
    if c.pooler {
        t.extend(linear(format!("{p}pooler.dense"), h, h, None));
    }
    let mut optional = vec![ExpectedTensor::array(
        format!("{p}embeddings.position_ids"),
        vec![1, c.max_positions],
        DType::Int64,
        None,
    )];
    optional.push(a("cls.predictions.bias".into(), vec![c.vocab_size], None));
    optional.extend(linear("cls.predictions.transform.dense".into(), h, h, None));
    optional.extend(norm("cls.predictions.transform.LayerNorm".into(), None));
    optional.extend(linear(
        "cls.predictions.decoder".into(),
        c.vocab_size,
        h,
        None,
    ));
    optional.extend(linear("cls.seq_relationship".into(), 2, h, None));
    (t, optional)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arch::architecture_from_json;

    #[test]
    fn bert_base_has_its_published_size() {
        let cfg = r#"{"model_type": "bert", "hidden_size": 768, "num_hidden_layers": 12, "num_attention_heads": 12, "intermediate_size": 3072, "vocab_size": 30522, "max_position_embeddings": 512, "type_vocab_size": 2}"#;
        let c = Config::from_arch(&architecture_from_json(cfg, "config.json").unwrap()).unwrap();
        let (t, _) = expected(&c);
        assert_eq!(t.len(), 5 + 12 * 16 + 2);
        let total: u64 = t.iter().map(|t| t.elements()).sum();
        // BertModel(bert-base-uncased) with pooler: 109,482,240 parameters.
        assert_eq!(total, 109_482_240);
    }
}
