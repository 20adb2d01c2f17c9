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
    /// declares them (a declared component was part of building the
    /// system); declared unknown, they leave the condition unknown.
    pub if_declared: &'static [(&'static str, Pick)],
    /// Acceptable licenses.
    pub terms: Terms,
}

/// The OSAID 1.0 conditions. A system is Open Source AI only if all hold.
pub const OSAID: &[OsaidRule] = &[
    OsaidRule {
        name: "data information",
        cite: "OSAID 1.0, Data Information: information about the training data detailed enough for a \
               skilled person to build a substantially equivalent system: a complete description of \
               the data, and a listing of the public and third-party data with where to obtain it. \
               The data itself is not required",
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
        cite: "OSAID 1.0, Code: the complete source code used to train and run the system, under \
               OSI-approved licenses; where used, this includes data processing and filtering, \
               training, validation and testing, supporting libraries, inference and the model \
               architecture",
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
            ("supporting libraries", Pick::Kind("supporting_libraries")),
        ],
        terms: Terms::OsiApproved,
    },
    OsaidRule {
        name: "parameters",
        cite: "OSAID 1.0, Parameters: the model parameters, such as weights or other configuration \
               settings, under OSI-approved terms (OSI has approved no licenses for parameters as \
               such; weightcheck accepts OSI-approved and open content licenses)",
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
    /// Whether it holds.
    pub state: State,
    /// Each component looked at.
    pub checks: Vec<Check>,
    /// What keeps it from holding, or from being known, briefly (empty
    /// when met).
    pub missing: Vec<String>,
    /// The definition's clause, briefly.
    pub cite: String,
}

/// The OSAID 1.0 verdict.
#[derive(Debug, Clone, Serialize)]
pub struct Osaid {
    /// Open Source AI under OSAID 1.0: every condition met.
    pub open_source_ai: bool,
    /// Met, not met, or not known (no condition fails, some are unknown).
    pub state: State,
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
        // "If used": judged when the manifest declares them at all.
        let declared: Vec<Check> = judge(rule.if_declared)
            .into_iter()
            .filter(|c| c.status.is_some())
            .collect();
        let any_state = if any.is_empty() {
            State::Met
        } else {
            State::any(any.iter().map(|c| c.state))
        };
        let state = State::all(
            all.iter()
                .chain(&declared)
                .map(|c| c.state)
                .chain([any_state]),
        );
        let mut missing: Vec<String> = all
            .iter()
            .chain(&declared)
            .filter(|c| !c.met())
            .map(|c| c.short.clone())
            .collect();
        match any_state {
            State::NotMet => missing.insert(0, rule.any_missing.to_string()),
            State::Unknown => missing.insert(0, format!("{} unknown", rule.name)),
            State::Met => {}
        }
        conditions.push(OsaidCondition {
            name: rule.name.to_string(),
            state,
            checks: all.into_iter().chain(any).chain(declared).collect(),
            missing,
            cite: rule.cite.to_string(),
        });
    }
    let state = State::all(conditions.iter().map(|c| c.state));
    let why = |wanted: State| -> String {
        conditions
            .iter()
            .filter(|c| c.state == wanted)
            .map(|c| c.missing.join(", "))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let verdict = match state {
        State::Met => "open source AI: data information, code and parameters are all available \
                       under open terms"
            .to_string(),
        State::NotMet => format!("not open source AI: {}", why(State::NotMet)),
        State::Unknown => format!(
            "not shown to be open source AI: no condition fails, but {}",
            why(State::Unknown)
        ),
    };
    Osaid {
        open_source_ai: state == State::Met,
        state,
        verdict,
        conditions,
    }
}
