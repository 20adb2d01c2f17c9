//! GGUF re-releases name tensors the llama.cpp way (`blk.0.attn_q.weight`),
//! not as the checkpoint they were converted from
//! (`model.layers.0.self_attn.q_proj.weight`). For the dense Llama-family
//! decoders, each name an architecture implies has exactly one GGUF name
//! (llama.cpp's `convert_hf_to_gguf.py` tensor map), and the converter keeps
//! every tensor's logical shape, so a GGUF file can be held against the
//! same config once its names are mapped back.
//!
//! Families whose conversion merges or splits tensors (Mixtral's experts
//! become one `ffn_*_exps` tensor per layer) have no one-to-one map; they
//! are refused rather than reported as every tensor missing.

use std::collections::HashMap;

use super::Layout;
use crate::{Error, Result};

/// Families whose tensors map one to one onto GGUF names.
const MAPPED: &[&str] = &["llama", "mistral", "qwen2", "gemma"];

/// GGUF name → the architecture's name, for every tensor `layout` implies.
pub fn names_for(layout: &Layout) -> Result<HashMap<String, String>> {
    if !MAPPED.contains(&layout.family.as_str()) {
        return Err(Error::Architecture(format!(
            "GGUF tensor names can be held against a config of the dense Llama-family decoders only ({}), not {}: its conversion merges or renames tensors",
            MAPPED.join(", "),
            layout.family
        )));
    }
    Ok(layout
        .tensors
        .iter()
        .chain(&layout.optional)
        .filter_map(|t| gguf_name(&t.name).map(|g| (g, t.name.clone())))
        .collect())
}

/// llama.cpp's name for a tensor of the Hugging Face or Meta naming.
fn gguf_name(name: &str) -> Option<String> {
    let (stem, suffix) = name.rsplit_once('.')?;
    if suffix != "weight" && suffix != "bias" {
        return None;
    }
    let stem = stem.strip_prefix("model.").unwrap_or(stem);
    let top = match stem {
        "embed_tokens" | "tok_embeddings" => Some("token_embd"),
        "norm" => Some("output_norm"),
        "lm_head" | "output" => Some("output"),
        _ => None,
    };
    if let Some(top) = top {
        return Some(format!("{top}.{suffix}"));
    }
    let rest = stem.strip_prefix("layers.")?;
    let (layer, part) = rest.split_once('.')?;
    layer.parse::<u64>().ok()?;
    let part = match part {
        "self_attn.q_proj" | "attention.wq" => "attn_q",
        "self_attn.k_proj" | "attention.wk" => "attn_k",
        "self_attn.v_proj" | "attention.wv" => "attn_v",
        "self_attn.o_proj" | "attention.wo" => "attn_output",
        "input_layernorm" | "attention_norm" => "attn_norm",
        "post_attention_layernorm" | "ffn_norm" => "ffn_norm",
        "mlp.gate_proj" | "feed_forward.w1" => "ffn_gate",
        "mlp.up_proj" | "feed_forward.w3" => "ffn_up",
        "mlp.down_proj" | "feed_forward.w2" => "ffn_down",
        _ => return None,
    };
    Some(format!("blk.{layer}.{part}.{suffix}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_namings_map_to_llama_cpp_names() {
        for (from, to) in [
            ("model.embed_tokens.weight", "token_embd.weight"),
            ("tok_embeddings.weight", "token_embd.weight"),
            ("model.norm.weight", "output_norm.weight"),
            ("lm_head.weight", "output.weight"),
            ("model.layers.7.self_attn.q_proj.bias", "blk.7.attn_q.bias"),
            ("layers.0.attention.wo.weight", "blk.0.attn_output.weight"),
            (
                "model.layers.3.mlp.gate_proj.weight",
                "blk.3.ffn_gate.weight",
            ),
            ("layers.3.feed_forward.w3.weight", "blk.3.ffn_up.weight"),
            ("layers.3.feed_forward.w2.weight", "blk.3.ffn_down.weight"),
            (
                "model.layers.1.post_attention_layernorm.weight",
                "blk.1.ffn_norm.weight",
            ),
        ] {
            assert_eq!(gguf_name(from).as_deref(), Some(to), "{from}");
        }
        assert_eq!(gguf_name("model.layers.x.mlp.up_proj.weight"), None);
        assert_eq!(gguf_name("model.rotary_emb.inv_freq"), None);
    }
}
