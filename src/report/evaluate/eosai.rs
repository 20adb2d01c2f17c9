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
    /// Closed (including: no information).
    Closed,
}

impl Openness {
    /// `open`, `partial` or `closed`.
    pub fn label(self) -> &'static str {
        match self {
            Openness::Open => "open",
            Openness::Partial => "partial",
            Openness::Closed => "closed",
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

/// The index's parameters as weightcheck rates them.
pub const EOSAI: &[(EosaiCategory, &str, EosaiRule)] = &[
    (
        EosaiCategory::Availability,
        "base-model data",
        EosaiRule::Status("training_data"),
    ),
    (
        EosaiCategory::Availability,
        "end-model data",
        EosaiRule::Status("finetuning_data"),
    ),
    (
        EosaiCategory::Availability,
        "base-model weights",
        EosaiRule::Status("base_weights"),
    ),
    (
        EosaiCategory::Availability,
        "end-model weights",
        EosaiRule::Status("finetuned_weights"),
    ),
    (
        EosaiCategory::Availability,
        "training code",
        EosaiRule::Status("training_code"),
    ),
    (
        EosaiCategory::Documentation,
        "code docs",
        EosaiRule::CodeDocs,
    ),
    (
        EosaiCategory::Documentation,
        "hardware/architecture",
        EosaiRule::Status("architecture"),
    ),
    (
        EosaiCategory::Documentation,
        "preprint",
        EosaiRule::Status("paper"),
    ),
    (
        EosaiCategory::Documentation,
        "paper",
        EosaiRule::Status("peer_reviewed_paper"),
    ),
    (
        EosaiCategory::Documentation,
        "model card",
        EosaiRule::Status("model_card"),
    ),
    (
        EosaiCategory::Documentation,
        "datasheet",
        EosaiRule::Status("data_card"),
    ),
    (EosaiCategory::Access, "licenses", EosaiRule::Licenses),
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
    /// The index's name for it.
    pub parameter: String,
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
        .map(|(category, parameter, rule)| {
            let (rating, reason) = match rule {
                EosaiRule::Status(kind) => by_status(m, kind),
                EosaiRule::CodeDocs => match find(m, "code_documentation") {
                    Some(_) => by_status(m, "code_documentation"),
                    None => {
                        let code: Vec<String> = CODE
                            .iter()
                            .filter(|k| find(m, k).is_some_and(shipped))
                            .map(|k| label(k))
                            .collect();
                        if code.is_empty() {
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
                category: *category,
                parameter: parameter.to_string(),
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
            Openness::Closed,
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
                Status::Unknown => (Openness::Closed, format!("{what}: nothing known{detail}")),
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
    let (mut open, mut some_grant) = (true, false);
    for c in &released {
        match &c.license {
            None => {
                open = false;
                parts.push(format!("{}: no license", label(&c.kind)));
            }
            Some(lic) => {
                let class = classify(lic);
                open &= fits(Terms::FitForType, &c.kind, class);
                some_grant |= class != LicenseClass::Unknown;
                parts.push(format!("{}: {lic} ({})", label(&c.kind), class.label()));
            }
        }
    }
    let rating = if open {
        Openness::Open
    } else if some_grant {
        Openness::Partial
    } else {
        Openness::Closed
    };
    (rating, parts.join("; "))
}
