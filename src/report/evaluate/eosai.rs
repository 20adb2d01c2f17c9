//! The European Open Source AI Index: availability, documentation and
//! access parameters, each open, partial or closed.

use serde::Serialize;

use super::*;

/// An openness rating of the European Open Source AI Index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Openness {
    /// Open.
    Open,
    /// Partly open.
    Partial,
    /// Closed (the Index also rates missing information closed).
    Closed,
    /// Not known: the manifest does not say (weightcheck's own state; the
    /// Index has none).
    Unknown,
}

impl Openness {
    /// `open`, `partial` or `closed`.
    pub fn label(self) -> &'static str {
        match self {
            Openness::Open => "open",
            Openness::Partial => "partial",
            Openness::Closed => "closed",
            Openness::Unknown => "unknown",
        }
    }
}

/// The index's three groups of parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EosaiCategory {
    /// Availability of data, weights and code.
    Availability,
    /// Documentation.
    Documentation,
    /// Access (licensing).
    Access,
}

impl EosaiCategory {
    /// Lower-case name.
    pub fn label(self) -> &'static str {
        match self {
            EosaiCategory::Availability => "availability",
            EosaiCategory::Documentation => "documentation",
            EosaiCategory::Access => "access",
        }
    }
}

/// How a parameter is rated.
#[derive(Debug, Clone, Copy)]
pub enum EosaiRule {
    /// From one component's status: released → open, partial → partial,
    /// anything else → closed (the index rates missing information closed).
    Status(&'static str),
    /// The `code_documentation` component when declared; otherwise partial
    /// when any code was released (a repository documents itself at least
    /// in part) and closed when none was.
    CodeDocs,
    /// The licenses of the released weights and code: open when all are
    /// open, partial when some restrict use, closed when nothing was
    /// released under a license.
    Licenses,
}

/// One of the Index's parameters, as weightcheck rates it.
#[derive(Debug, Clone, Copy)]
pub struct EosaiParam {
    /// Its group.
    pub category: EosaiCategory,
    /// weightcheck's name for it.
    pub parameter: &'static str,
    /// The key of the Index's records (`datasources_basemodel`).
    pub key: &'static str,
    /// How weightcheck rates it.
    pub rule: EosaiRule,
    /// The Index's question, briefly (osai-index.eu, "Parameter
    /// descriptions").
    pub asks: &'static str,
}

/// The index's parameters as weightcheck rates them.
pub const EOSAI: &[EosaiParam] = &[
    EosaiParam {
        category: EosaiCategory::Availability,
        parameter: "base-model data",
        key: "datasources_basemodel",
        rule: EosaiRule::Status("training_data"),
        asks: "Are the base model's training data sources comprehensively documented and freely available?",
    },
    EosaiParam {
        category: EosaiCategory::Availability,
        parameter: "end-model data",
        key: "datasources_endmodel",
        rule: EosaiRule::Status("finetuning_data"),
        asks: "Are the end model's training data sources comprehensively documented and freely available?",
    },
    EosaiParam {
        category: EosaiCategory::Availability,
        parameter: "base-model weights",
        key: "weights_basemodel",
        rule: EosaiRule::Status("base_weights"),
        asks: "Are the base model's weights freely available?",
    },
    EosaiParam {
        category: EosaiCategory::Availability,
        parameter: "end-model weights",
        key: "weights_endmodel",
        rule: EosaiRule::Status("finetuned_weights"),
        asks: "Are the weights of the model end users interact with freely available?",
    },
    EosaiParam {
        category: EosaiCategory::Availability,
        parameter: "training code",
        key: "trainingcode",
        rule: EosaiRule::Status("training_code"),
        asks: "Is the code for data processing, training and tuning freely available?",
    },
    EosaiParam {
        category: EosaiCategory::Documentation,
        parameter: "code docs",
        key: "code",
        rule: EosaiRule::CodeDocs,
        asks: "Is that code comprehensively documented?",
    },
    EosaiParam {
        category: EosaiCategory::Documentation,
        parameter: "hardware/architecture",
        key: "hardware_architecture",
        rule: EosaiRule::Status("architecture"),
        asks: "Is the hardware and architecture used for training comprehensively documented?",
    },
    EosaiParam {
        category: EosaiCategory::Documentation,
        parameter: "preprint",
        key: "preprint",
        rule: EosaiRule::Status("paper"),
        asks: "Is an archived preprint detailing all major parts of the system available?",
    },
    EosaiParam {
        category: EosaiCategory::Documentation,
        parameter: "paper",
        key: "paper",
        rule: EosaiRule::Status("peer_reviewed_paper"),
        asks: "Is a peer-reviewed paper detailing all major parts of the system available?",
    },
    EosaiParam {
        category: EosaiCategory::Documentation,
        parameter: "model card",
        key: "modelcard",
        rule: EosaiRule::Status("model_card"),
        asks: "Is a model card in a standard format available?",
    },
    EosaiParam {
        category: EosaiCategory::Documentation,
        parameter: "datasheet",
        key: "datasheet",
        rule: EosaiRule::Status("data_card"),
        asks: "Is a datasheet for the training data available?",
    },
    EosaiParam {
        category: EosaiCategory::Access,
        parameter: "licenses",
        key: "licenses",
        rule: EosaiRule::Licenses,
        asks: "Is the system covered by OSI-approved licenses?",
    },
];

/// Components whose licenses the index's access rating looks at.
const LICENSED: &[&str] = &[
    "base_weights",
    "finetuned_weights",
    "architecture",
    "inference_code",
    "training_code",
];

/// Code components, for the code-documentation fallback.
pub(super) const CODE: &[&str] = &[
    "architecture",
    "inference_code",
    "training_code",
    "evaluation_code",
    "data_preprocessing_code",
];

/// One rated parameter.
#[derive(Debug, Clone, Serialize)]
pub struct EosaiRating {
    /// Its group.
    pub category: EosaiCategory,
    /// weightcheck's name for it.
    pub parameter: String,
    /// The key of the Index's records.
    pub key: String,
    /// The Index's question for it, briefly: the clause applied.
    pub asks: String,
    /// The rating.
    pub rating: Openness,
    /// Why.
    pub reason: String,
}

pub(super) fn shipped(c: &Component) -> bool {
    matches!(c.status, Status::Released | Status::Partial)
}

/// Rates a release on the European Open Source AI Index's parameters.
pub fn eosai(m: &Manifest) -> Vec<EosaiRating> {
    EOSAI
        .iter()
        .map(|p| {
            let (rating, reason) = match p.rule {
                EosaiRule::Status(kind) => by_status(m, kind),
                EosaiRule::CodeDocs => match find(m, "code_documentation") {
                    Some(_) => by_status(m, "code_documentation"),
                    None => {
                        let code: Vec<String> = CODE
                            .iter()
                            .filter(|k| find(m, k).is_some_and(shipped))
                            .map(|k| label(k))
                            .collect();
                        let unknown = CODE.iter().any(|k| {
                            find(m, k).map_or(kind_info(k).is_some_and(|i| i.core), |c| {
                                c.status == Status::Unknown
                            })
                        });
                        if code.is_empty() && unknown {
                            (
                                Openness::Unknown,
                                "no code known to be released; some code's release is not known"
                                    .to_string(),
                            )
                        } else if code.is_empty() {
                            (Openness::Closed, "no code released, so none documented".to_string())
                        } else {
                            (
                                Openness::Partial,
                                format!(
                                    "code released ({}); how fully it is documented is not declared",
                                    code.join(", ")
                                ),
                            )
                        }
                    }
                },
                EosaiRule::Licenses => licenses(m),
            };
            EosaiRating {
                category: p.category,
                parameter: p.parameter.to_string(),
                key: p.key.to_string(),
                asks: p.asks.to_string(),
                rating,
                reason,
            }
        })
        .collect()
}

fn by_status(m: &Manifest, kind: &str) -> (Openness, String) {
    let what = label(kind);
    match find(m, kind) {
        None => (
            Openness::Unknown,
            format!("{what}: not declared by the manifest"),
        ),
        Some(c) => {
            let detail = if c.evidence.is_empty() {
                String::new()
            } else {
                format!(": {}", c.evidence)
            };
            match c.status {
                Status::Released => (Openness::Open, format!("{what} released{detail}")),
                Status::Partial => (Openness::Partial, format!("{what} partly released{detail}")),
                Status::NotReleased => (Openness::Closed, format!("{what} not released{detail}")),
                Status::Unknown => (Openness::Unknown, format!("{what}: not known{detail}")),
            }
        }
    }
}

fn licenses(m: &Manifest) -> (Openness, String) {
    let released: Vec<&Component> = LICENSED
        .iter()
        .filter_map(|k| find(m, k))
        .filter(|c| shipped(c))
        .collect();
    if released.is_empty() {
        return (
            Openness::Closed,
            "no weights or code released under any license".to_string(),
        );
    }
    let mut parts = Vec::new();
    let (mut open, mut closed) = (0, 0);
    for c in &released {
        let fit = match &c.license {
            None => {
                parts.push(format!("{}: no license", label(&c.kind)));
                false
            }
            Some(lic) => {
                let class = license_class(m, lic);
                parts.push(format!("{}: {lic} ({})", label(&c.kind), class.label()));
                fits(Terms::FitForType, &c.kind, class)
            }
        };
        if fit {
            open += 1;
        } else {
            closed += 1;
        }
    }
    // Open when everything released is under open terms, closed when
    // nothing is, partial between.
    let rating = match (open, closed) {
        (_, 0) => Openness::Open,
        (0, _) => Openness::Closed,
        _ => Openness::Partial,
    };
    (rating, parts.join("; "))
}
