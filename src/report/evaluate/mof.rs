//! The Model Openness Framework: three cumulative classes of components,
//! each under an open license fit for the component's type.

use serde::Serialize;

use super::*;

/// A Model Openness Framework class. Class III is the entry level; each
/// class includes the components of the classes above it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum MofClass {
    /// Class III, Open Model.
    #[serde(rename = "III")]
    III,
    /// Class II, Open Tooling.
    #[serde(rename = "II")]
    II,
    /// Class I, Open Science.
    #[serde(rename = "I")]
    I,
}

impl MofClass {
    /// `Class III (Open Model)` and so on.
    pub fn label(self) -> &'static str {
        match self {
            MofClass::III => "Class III (Open Model)",
            MofClass::II => "Class II (Open Tooling)",
            MofClass::I => "Class I (Open Science)",
        }
    }

    /// The framework's clause for the class.
    pub fn cite(self) -> &'static str {
        match self {
            MofClass::III => {
                "MOF 1.0 (arXiv:2403.13784), Class III Open Model: model architecture, final \
                 parameters, evaluation results, model card, data card and technical report, each \
                 under an open license fit for its type"
            }
            MofClass::II => {
                "MOF 1.0, Class II Open Tooling: Class III, plus training, inference and evaluation \
                 code and evaluation data, each under an open license"
            }
            MofClass::I => {
                "MOF 1.0, Class I Open Science: Class II, plus the training datasets, data \
                 preprocessing code, intermediate parameters and a research paper, each under an \
                 open license"
            }
        }
    }

    /// `Class III` and so on.
    pub fn short(self) -> &'static str {
        match self {
            MofClass::III => "Class III",
            MofClass::II => "Class II",
            MofClass::I => "Class I",
        }
    }

    fn next(class: Option<MofClass>) -> Option<MofClass> {
        match class {
            None => Some(MofClass::III),
            Some(MofClass::III) => Some(MofClass::II),
            Some(MofClass::II) => Some(MofClass::I),
            Some(MofClass::I) => None,
        }
    }
}

/// The MOF's required components by class, each under an open license fit
/// for its type (MOF §4, Table 1; the optional ones — sample outputs,
/// supporting libraries, model metadata — are left out).
pub const MOF: &[(MofClass, &str, Pick)] = &[
    (
        MofClass::III,
        "model architecture",
        Pick::Kind("architecture"),
    ),
    (MofClass::III, "final model parameters", Pick::ModelWeights),
    (
        MofClass::III,
        "evaluation results",
        Pick::Kind("evaluation_results"),
    ),
    (MofClass::III, "model card", Pick::Kind("model_card")),
    (MofClass::III, "data card", Pick::Kind("data_card")),
    (
        MofClass::III,
        "technical report",
        Pick::Either("technical_report", "paper"),
    ),
    (MofClass::II, "training code", Pick::Kind("training_code")),
    (MofClass::II, "inference code", Pick::Kind("inference_code")),
    (
        MofClass::II,
        "evaluation code",
        Pick::Kind("evaluation_code"),
    ),
    (
        MofClass::II,
        "evaluation data",
        Pick::Kind("evaluation_data"),
    ),
    (MofClass::I, "datasets", Pick::Kind("training_data")),
    (
        MofClass::I,
        "data preprocessing code",
        Pick::Kind("data_preprocessing_code"),
    ),
    (
        MofClass::I,
        "intermediate model parameters",
        Pick::Kind("intermediate_weights"),
    ),
    (MofClass::I, "research paper", Pick::Kind("paper")),
];

/// One MOF component judged.
#[derive(Debug, Clone, Serialize)]
pub struct MofCheck {
    /// The class that requires it.
    pub class: MofClass,
    /// The judgement.
    #[serde(flatten)]
    pub check: Check,
}

/// The MOF classification.
#[derive(Debug, Clone, Serialize)]
pub struct Mof {
    /// The highest class achieved, if any.
    pub class: Option<MofClass>,
    /// The class achieved in words (`none`, `Class III (Open Model)`).
    pub label: String,
    /// The next class up, if there is one.
    pub next: Option<MofClass>,
    /// The next class's clause.
    pub cite: String,
    /// The components keeping the release from the next class.
    pub blocking: Vec<Check>,
    /// The next class's components not known either way (the class is not
    /// shown even if nothing blocks it).
    pub unknown: Vec<Check>,
    /// Every component judged.
    pub checks: Vec<MofCheck>,
}

/// Classifies a release under the MOF.
pub fn mof(m: &Manifest) -> Mof {
    let checks: Vec<MofCheck> = MOF
        .iter()
        .map(|(class, asks, pick)| MofCheck {
            class: *class,
            check: check(m, asks, *pick, Terms::FitForType),
        })
        .collect();
    let complete = |class: MofClass| {
        checks
            .iter()
            .filter(|c| c.class == class)
            .all(|c| c.check.met())
    };
    let mut class = None;
    for c in [MofClass::III, MofClass::II, MofClass::I] {
        if !complete(c) {
            break;
        }
        class = Some(c);
    }
    let next = MofClass::next(class);
    let of_next = |state: State| -> Vec<Check> {
        checks
            .iter()
            .filter(|c| Some(c.class) == next && c.check.state == state)
            .map(|c| c.check.clone())
            .collect()
    };
    Mof {
        class,
        label: class.map_or_else(|| "none".to_string(), |c| c.label().to_string()),
        next,
        cite: next.map_or("", MofClass::cite).to_string(),
        blocking: of_next(State::NotMet),
        unknown: of_next(State::Unknown),
        checks,
    }
}
