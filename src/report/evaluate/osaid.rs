//! OSAID 1.0: data information, code and parameters, each under
//! OSI-approved terms; a system is Open Source AI only if all hold.

use serde::Serialize;

use super::*;

/// One OSAID 1.0 condition.
#[derive(Debug, Clone, Copy)]
pub struct OsaidRule {
    /// The definition's name for it.
    pub name: &'static str,
    /// What the definition says, briefly, and where.
    pub cite: &'static str,
    /// Components that must all be released under the terms.
    pub all: &'static [(&'static str, Pick)],
    /// Components of which one suffices (empty: no such group).
    pub any: &'static [(&'static str, Pick)],
    /// What to say when no component of `any` qualifies.
    pub any_missing: &'static str,
    /// Components required only where used: judged when the manifest
    /// declares them (a declared component was part of building the system).
    pub if_declared: &'static [(&'static str, Pick)],
    /// Acceptable licenses.
    pub terms: Terms,
}

/// The OSAID 1.0 conditions. A system is Open Source AI only if all hold.
pub const OSAID: &[OsaidRule] = &[
    OsaidRule {
        name: "data information",
        cite: "OSAID 1.0, Data Information: sufficiently detailed information about the data used to \
               train the system that a skilled person could build a substantially equivalent system \
               (the data itself, or a complete description of it), under OSI-approved terms",
        all: &[],
        any: &[
            ("training data", Pick::Kind("training_data")),
            ("complete data description", Pick::Kind("data_card")),
        ],
        any_missing: "no data information",
        if_declared: &[],
        terms: Terms::FitForType,
    },
    OsaidRule {
        name: "code",
        cite: "OSAID 1.0, Code: the complete source code used to train and run the system (data \
               processing, training, validation and testing, inference, model architecture), under \
               OSI-approved licenses",
        all: &[
            ("model architecture", Pick::Kind("architecture")),
            ("inference code", Pick::Kind("inference_code")),
            ("training code", Pick::Kind("training_code")),
        ],
        any: &[],
        any_missing: "",
        if_declared: &[
            ("validation and testing code", Pick::Kind("evaluation_code")),
            ("data processing code", Pick::Kind("data_preprocessing_code")),
        ],
        terms: Terms::OsiApproved,
    },
    OsaidRule {
        name: "parameters",
        cite: "OSAID 1.0, Parameters: the model parameters, such as weights or other configuration \
               settings, under OSI-approved terms",
        all: &[("model parameters", Pick::ModelWeights)],
        any: &[],
        any_missing: "",
        if_declared: &[],
        terms: Terms::FitForType,
    },
];

/// One condition's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct OsaidCondition {
    /// The condition's name.
    pub name: String,
    /// Whether it is met.
    pub met: bool,
    /// Each component looked at.
    pub checks: Vec<Check>,
    /// What keeps it from being met, briefly (empty when met).
    pub missing: Vec<String>,
    /// The definition's words.
    pub cite: String,
}

/// The OSAID 1.0 verdict.
#[derive(Debug, Clone, Serialize)]
pub struct Osaid {
    /// Open Source AI under OSAID 1.0.
    pub open_source_ai: bool,
    /// The verdict in a line.
    pub verdict: String,
    /// Each condition.
    pub conditions: Vec<OsaidCondition>,
}

/// Judges a release against OSAID 1.0.
pub fn osaid(m: &Manifest) -> Osaid {
    let mut conditions = Vec::new();
    for rule in OSAID {
        let judge = |list: &[(&str, Pick)]| -> Vec<Check> {
            list.iter()
                .map(|(asks, pick)| check(m, asks, *pick, rule.terms))
                .collect()
        };
        let all = judge(rule.all);
        let any = judge(rule.any);
        let declared: Vec<Check> = judge(rule.if_declared)
            .into_iter()
            .filter(|c| matches!(c.status, Some(s) if s != Status::Unknown))
            .collect();
        let mut missing: Vec<String> = all
            .iter()
            .chain(&declared)
            .filter(|c| !c.met)
            .map(|c| c.short.clone())
            .collect();
        let any_ok = any.is_empty() || any.iter().any(|c| c.met);
        if !any_ok {
            missing.insert(0, rule.any_missing.to_string());
        }
        conditions.push(OsaidCondition {
            name: rule.name.to_string(),
            met: missing.is_empty(),
            checks: all.into_iter().chain(any).chain(declared).collect(),
            missing,
            cite: rule.cite.to_string(),
        });
    }
    let open_source_ai = conditions.iter().all(|c| c.met);
    let verdict = if open_source_ai {
        "open source AI: data information, code and parameters are all available under open terms"
            .to_string()
    } else {
        let why: Vec<String> = conditions
            .iter()
            .filter(|c| !c.met)
            .map(|c| c.missing.join(", "))
            .collect();
        format!("not open source AI: {}", why.join("; "))
    };
    Osaid {
        open_source_ai,
        verdict,
        conditions,
    }
}
