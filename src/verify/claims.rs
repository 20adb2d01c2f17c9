//! The publisher's claims against what the weights show. Each claim gets a
//! verdict from evidence computed here — never from the manifest's own
//! numbers — and says how the figure was computed.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::arch::{ExpectedTensor, Layout};
use crate::formats::sentencepiece::Vocabulary;
use crate::formats::TensorRecord;
use crate::manifest::{Architecture, Claim, Quantity};

/// Relative difference up to which a claim is "approximately" right.
pub const APPROXIMATE: f64 = 0.05;

/// The verdict on one claim.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "verdict")]
#[non_exhaustive]
pub enum ClaimVerdict {
    /// The evidence equals the claim (within the claim's stated rounding).
    Confirmed,
    /// Close, but not equal even allowing for rounding.
    Approximately {
        /// (computed − claimed) / claimed.
        relative_difference: f64,
    },
    /// The evidence says otherwise.
    Contradicted {
        /// (computed − claimed) / claimed.
        relative_difference: f64,
    },
    /// These artifacts cannot show it.
    NotVerifiable {
        /// Why not.
        why: String,
    },
}

impl ClaimVerdict {
    /// A short label for tables.
    pub fn label(&self) -> String {
        match self {
            ClaimVerdict::Confirmed => "confirmed".into(),
            ClaimVerdict::Approximately {
                relative_difference,
            } => {
                format!("approximately ({:+.2}%)", relative_difference * 100.0)
            }
            ClaimVerdict::Contradicted {
                relative_difference,
            } => {
                format!("contradicted ({:+.2}%)", relative_difference * 100.0)
            }
            ClaimVerdict::NotVerifiable { .. } => "not verifiable here".into(),
        }
    }
}

/// One claim with its evidence.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct ClaimResult {
    /// What is claimed.
    pub quantity: Quantity,
    /// The claim in the publisher's words.
    pub text: String,
    /// Where it was claimed.
    pub source: String,
    /// The claimed value.
    pub claimed: f64,
    /// What the evidence shows.
    pub computed: Option<u64>,
    /// How `computed` was obtained.
    pub how: String,
    /// The verdict.
    #[serde(flatten)]
    pub verdict: ClaimVerdict,
}

/// Judges each claim from the decoded tensors (`(file index, record)`).
pub fn evaluate(
    claims: &[Claim],
    arch: &Architecture,
    layout: &Layout,
    decoded: &[(usize, &TensorRecord)],
    vocabulary: Option<&Vocabulary>,
    tokenizer: Option<&std::path::Path>,
) -> Vec<ClaimResult> {
    let ev = Evidence {
        arch,
        layout,
        decoded,
    };
    claims
        .iter()
        .map(|c| result(c, ev.compute(c.quantity, vocabulary, tokenizer)))
        .collect()
}

/// Judges each claim from the tensors of a checkpoint matched by name
/// (every record of every file), against `layout`'s required tensors.
pub fn evaluate_by_name<'a>(
    claims: &[Claim],
    layout: &'a Layout,
    records: impl IntoIterator<Item = &'a TensorRecord>,
) -> Vec<ClaimResult> {
    let ev = ByName::new(layout, records);
    claims
        .iter()
        .map(|c| result(c, ev.compute(c.quantity)))
        .collect()
}

fn result(c: &Claim, evidence: Result<(u64, String), String>) -> ClaimResult {
    let (computed, how) = match evidence {
        Ok((v, how)) => (Some(v), how),
        Err(why) => (None, why),
    };
    let verdict = match computed {
        Some(v) => judge(c, v),
        None => ClaimVerdict::NotVerifiable { why: how.clone() },
    };
    ClaimResult {
        quantity: c.quantity,
        text: c.text.clone(),
        source: c.source.clone(),
        claimed: c.value,
        computed,
        how,
        verdict,
    }
}

/// What a by-name checkpoint shows: its tensors sorted into the ones the
/// architecture requires, registered buffers, and the rest (copies of tied
/// weights that `torch.save` keeps).
struct ByName<'a> {
    layout: &'a Layout,
    /// Required tensors found, each once: (expected, as stored).
    required: Vec<(&'a ExpectedTensor, &'a TensorRecord)>,
    /// Buffers: count and elements.
    buffers: (u64, u64),
    /// Other tensors (tied copies): count and elements.
    copies: (u64, u64),
}

impl<'a> ByName<'a> {
    fn new(layout: &'a Layout, records: impl IntoIterator<Item = &'a TensorRecord>) -> Self {
        let wanted: HashMap<&str, &ExpectedTensor> = layout
            .tensors
            .iter()
            .map(|t| (t.name.as_str(), t))
            .collect();
        let mut seen = HashSet::new();
        let (mut required, mut buffers, mut copies) = (Vec::new(), (0, 0), (0, 0));
        for r in records {
            let name = r.name.as_deref().unwrap_or("");
            match wanted.get(name) {
                Some(t) if seen.insert(name) => required.push((*t, r)),
                // A duplicate is a structure failure, reported there; it
                // adds nothing here.
                Some(_) => {}
                None if r.is_buffer() => {
                    buffers = (buffers.0 + 1, buffers.1 + r.elements());
                }
                None => copies = (copies.0 + 1, copies.1 + r.elements()),
            }
        }
        ByName {
            layout,
            required,
            buffers,
            copies,
        }
    }

    fn all_found(&self) -> Result<(), String> {
        let want = self.layout.tensors.len();
        if self.required.len() == want {
            Ok(())
        } else {
            Err(format!(
                "only {} of the {want} tensors the architecture implies could be read",
                self.required.len()
            ))
        }
    }

    fn compute(&self, q: Quantity) -> Result<(u64, String), String> {
        match q {
            Quantity::TotalParameters => {
                self.all_found()?;
                let total: u64 = self.required.iter().map(|(_, r)| r.elements()).sum();
                let mut how = format!(
                    "sum of the logical elements of the {} tensors the architecture implies, as stored",
                    self.required.len()
                );
                let tensors = |k: u64| {
                    if k == 1 {
                        "1 tensor".to_string()
                    } else {
                        format!("{k} tensors")
                    }
                };
                if self.buffers.0 > 0 {
                    how += &format!(
                        "; {} buffer elements ({}: position ids, masks, rotary frequencies) apart, not parameters",
                        n(self.buffers.1),
                        tensors(self.buffers.0)
                    );
                }
                if self.copies.0 > 0 {
                    how += &format!(
                        "; copies of tied weights ({}, {} elements) counted once",
                        tensors(self.copies.0),
                        n(self.copies.1)
                    );
                }
                Ok((total, how))
            }
            Quantity::ActiveParameters => {
                self.all_found()?;
                let Some(moe) = self.layout.moe else {
                    return Err(format!(
                        "{} is not a mixture of experts: every parameter is active",
                        self.layout.family
                    ));
                };
                let (expert, other) = self.required.iter().fold((0, 0), |(e, o), (t, r)| {
                    if t.expert {
                        (e + r.elements(), o)
                    } else {
                        (e, o + r.elements())
                    }
                });
                if moe.experts == 0 || expert % moe.experts != 0 {
                    return Err("expert weights do not split evenly into experts".into());
                }
                let active = other + expert / moe.experts * moe.per_token;
                Ok((
                    active,
                    format!(
                        "{} non-expert (embedding, attention, norms, routers, output) + {}/{} of {} expert parameters ({} experts per token, from the architecture)",
                        n(other),
                        moe.per_token,
                        moe.experts,
                        n(expert),
                        moe.per_token
                    ),
                ))
            }
            Quantity::Layers => {
                let mut layers: Vec<u64> =
                    self.required.iter().filter_map(|(t, _)| t.layer).collect();
                layers.sort_unstable();
                layers.dedup();
                Ok((
                    layers.len() as u64,
                    "distinct layers among the tensors found".into(),
                ))
            }
            Quantity::Experts => self
                .required
                .iter()
                .find(|(t, _)| !t.expert && t.name.ends_with(".gate.weight"))
                .and_then(|(t, r)| {
                    Some((
                        *r.shape.first()?,
                        format!("first axis of the router weight {}", t.name),
                    ))
                })
                .ok_or_else(|| "no router weight (a layer's gate.weight) was read".into()),
            _ => Err(format!(
                "not computed from a {} checkpoint matched by name",
                self.layout.family
            )),
        }
    }
}

fn judge(c: &Claim, computed: u64) -> ClaimVerdict {
    let diff = computed as f64 - c.value;
    let half_unit = c.precision.unwrap_or(0.0) / 2.0;
    if diff.abs() <= half_unit || diff == 0.0 {
        return ClaimVerdict::Confirmed;
    }
    let relative_difference = if c.value == 0.0 {
        f64::INFINITY
    } else {
        diff / c.value
    };
    if relative_difference.abs() <= APPROXIMATE && c.precision.is_some() {
        ClaimVerdict::Approximately {
            relative_difference,
        }
    } else {
        ClaimVerdict::Contradicted {
            relative_difference,
        }
    }
}

struct Evidence<'a> {
    arch: &'a Architecture,
    layout: &'a Layout,
    decoded: &'a [(usize, &'a TensorRecord)],
}

fn n(v: u64) -> String {
    crate::units::thousands(v)
}

impl Evidence<'_> {
    fn all_read(&self) -> Result<(), String> {
        let want = self.layout.tensors.len();
        if self.decoded.len() == want {
            Ok(())
        } else {
            Err(format!(
                "only {} of {want} shards could be read",
                self.decoded.len()
            ))
        }
    }

    /// The first decoded tensor whose expected name ends with `suffix`.
    fn find(&self, suffix: &str) -> Result<&TensorRecord, String> {
        self.decoded
            .iter()
            .find(|(i, _)| {
                self.layout
                    .tensors
                    .get(*i)
                    .is_some_and(|t| t.name.ends_with(suffix))
            })
            .map(|(_, r)| *r)
            .ok_or_else(|| format!("no readable shard holds {suffix}"))
    }

    fn dim(&self, suffix: &str, axis: usize) -> Result<u64, String> {
        self.find(suffix)?
            .shape
            .get(axis)
            .copied()
            .ok_or_else(|| format!("{suffix} has no axis {axis}"))
    }

    fn compute(
        &self,
        q: Quantity,
        vocab: Option<&Vocabulary>,
        tokenizer: Option<&std::path::Path>,
    ) -> Result<(u64, String), String> {
        let a = self.arch;
        match q {
            Quantity::TotalParameters => {
                self.all_read()?;
                let total: u64 = self.decoded.iter().map(|(_, r)| r.elements()).sum();
                Ok((total, format!("sum of the logical elements of all {} tensors as stored", self.decoded.len())))
            }
            Quantity::ActiveParameters => {
                self.all_read()?;
                let experts = a.int("num_experts").map_err(|e| e.to_string())?;
                let selected = a.int("num_selected_experts").map_err(|e| e.to_string())?;
                let is_expert = |i: &usize| self.layout.tensors.get(*i).is_some_and(|t| t.expert);
                let expert: u64 = self.decoded.iter().filter(|(i, _)| is_expert(i)).map(|(_, r)| r.elements()).sum();
                let other: u64 = self.decoded.iter().filter(|(i, _)| !is_expert(i)).map(|(_, r)| r.elements()).sum();
                if experts == 0 || expert % experts != 0 {
                    return Err("expert weights do not split evenly into experts".into());
                }
                let active = other + expert / experts * selected;
                Ok((
                    active,
                    format!(
                        "{} non-expert (embedding and final norm counted once; attention, norms, routers) + {selected}/{experts} of {} expert parameters (num_selected_experts = {selected}, from the architecture)",
                        n(other),
                        n(expert)
                    ),
                ))
            }
            Quantity::Layers => {
                let mut layers: Vec<u64> = self
                    .decoded
                    .iter()
                    .filter_map(|(i, _)| self.layout.tensors.get(*i).and_then(|t| t.layer))
                    .collect();
                layers.sort_unstable();
                layers.dedup();
                Ok((layers.len() as u64, "distinct decoder layers among the readable shards".into()))
            }
            Quantity::Experts => Ok((self.dim("moe/linear/w", 0)?, "first axis of moe/linear/w".into())),
            Quantity::EmbeddingSize => Ok((self.dim("in_out_embed/embeddings", 1)?, "second axis of the embedding matrix".into())),
            Quantity::QueryHeads | Quantity::KvHeads => {
                let key_size = a.int("key_size").map_err(|e| e.to_string())?;
                let name = if q == Quantity::QueryHeads { "multi_head_attention/query/w" } else { "multi_head_attention/key/w" };
                let width = self.dim(name, 1)?;
                if key_size == 0 || width % key_size != 0 {
                    return Err(format!("{name} width {width} is not a multiple of key_size {key_size}"));
                }
                Ok((width / key_size, format!("{name} output width {} / key_size {key_size}", n(width))))
            }
            Quantity::Vocabulary => {
                let rows = self.dim("in_out_embed/embeddings", 0);
                match (vocab, rows) {
                    (Some(v), Ok(rows)) if v.pieces != rows => Ok((
                        v.pieces,
                        format!("{} pieces in {}, but the embedding has {} rows", n(v.pieces), tok(tokenizer), n(rows)),
                    )),
                    (Some(v), Ok(_)) => Ok((v.pieces, format!("{} pieces in {}; the embedding has as many rows", n(v.pieces), tok(tokenizer)))),
                    (Some(v), Err(_)) => Ok((v.pieces, format!("{} pieces in {}", n(v.pieces), tok(tokenizer)))),
                    (None, Ok(rows)) => Ok((rows, "rows of the embedding matrix (no tokenizer.model given)".into())),
                    (None, Err(e)) => Err(e),
                }
            }
            Quantity::SelectedExperts => Err(
                "experts per token is a runtime setting of the router (run.py's num_selected_experts); no weight fixes it".into(),
            ),
            Quantity::ContextLength => Err(
                "rotary position embeddings have no learned table, so the weights do not bound the context; it is run.py's sequence_len".into(),
            ),
        }
    }
}

fn tok(path: Option<&std::path::Path>) -> String {
    path.map(|p| p.display().to_string())
        .unwrap_or_else(|| "tokenizer.model".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arch::{ExpectedTensor, Moe};
    use crate::formats::pickle::Span;
    use crate::formats::{DType, StoredAs};

    fn record(name: &str, shape: Vec<u64>) -> TensorRecord {
        TensorRecord {
            name: Some(name.into()),
            stored_as: StoredAs::Array,
            shape,
            dtype: DType::Float32,
            data: Span { offset: 0, len: 0 },
            scales: None,
        }
    }

    fn claim(quantity: Quantity, value: f64) -> Claim {
        Claim {
            quantity,
            value,
            precision: None,
            text: String::new(),
            source: String::new(),
        }
    }

    #[test]
    fn by_name_counts_buffers_and_tied_copies_apart() {
        let mut expert = ExpectedTensor::array("e.0", vec![4, 2], DType::Float32, Some(0));
        expert.expert = true;
        let mut expert1 = expert.clone();
        expert1.name = "e.1".into();
        let layout = Layout {
            family: "test".into(),
            tensors: vec![
                ExpectedTensor::array("embed.weight", vec![10, 2], DType::Float32, None),
                ExpectedTensor::array("layers.0.gate.weight", vec![2, 2], DType::Float32, Some(0)),
                expert,
                expert1,
            ],
            by_name: true,
            optional: Vec::new(),
            dtype_pinned: true,
            moe: Some(Moe {
                experts: 2,
                per_token: 1,
            }),
        };
        let records = [
            record("embed.weight", vec![10, 2]),
            record("layers.0.gate.weight", vec![2, 2]),
            record("e.0", vec![4, 2]),
            record("e.1", vec![4, 2]),
            record("embeddings.position_ids", vec![1, 7]),
            record("lm_head.weight", vec![10, 2]),
        ];
        let claims = [
            claim(Quantity::TotalParameters, 40.0),
            claim(Quantity::ActiveParameters, 32.0),
            claim(Quantity::Experts, 2.0),
            claim(Quantity::Vocabulary, 10.0),
        ];
        let r = evaluate_by_name(&claims, &layout, &records);
        assert_eq!(r[0].computed, Some(20 + 4 + 16));
        assert_eq!(r[0].verdict, ClaimVerdict::Confirmed);
        assert!(
            r[0].how.contains("7 buffer elements (1 tensor: "),
            "{}",
            r[0].how
        );
        assert!(r[0]
            .how
            .contains("copies of tied weights (1 tensor, 20 elements)"));
        assert_eq!(r[1].computed, Some(24 + 8));
        assert_eq!(r[2].computed, Some(2));
        assert!(matches!(r[3].verdict, ClaimVerdict::NotVerifiable { .. }));

        // A tensor missing: no total, and no guess.
        let r = evaluate_by_name(&claims[..1], &layout, &records[1..]);
        assert_eq!(r[0].computed, None);
        assert!(r[0].how.contains("only 3 of the 4 tensors"), "{}", r[0].how);
    }
}
