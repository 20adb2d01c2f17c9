//! The openness rules, in one place: which manifest components each
//! framework looks at, and how it judges them. Each framework is a table
//! ([`OSAID`], [`MOF`], [`EOSAI`]) read by a small interpreter, so a rule can
//! be checked against its framework's text line by line.
//!
//! The frameworks:
//! - OSI, *The Open Source AI Definition 1.0* (October 2024),
//!   opensource.org/ai/open-source-ai-definition. "The preferred form of
//!   making modifications to a machine-learning system" is Data Information,
//!   Code and Parameters, each available under OSI-approved terms.
//! - White et al., *The Model Openness Framework* (LF AI & Data, 2024),
//!   arXiv:2403.13784. Components in three cumulative classes, each under an
//!   open license fit for the component's type.
//! - Liesenfeld & Dingemanse, *Rethinking open source generative AI:
//!   open-washing and the EU AI Act* (FAccT 2024), and the European Open
//!   Source AI Index (osai-index.eu) built on it: availability,
//!   documentation and access parameters, each open, partial or closed.
//!
//! Verdicts rest on what the manifest declares; the report marks which of
//! its lines were also verified on disk.

use serde::Serialize;

use super::license::{classify, LicenseClass};
use crate::manifest::{Component, Manifest, Status};

/// What kind of work a component is, which decides which licenses are fit
/// for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkType {
    /// Source code: needs an OSI-approved license.
    Code,
    /// Weights and other learned files: OSI-approved or open content terms.
    Parameters,
    /// Data sets: open content / open data terms (or OSI-approved).
    Data,
    /// Documents: open content terms (or OSI-approved).
    Documentation,
    /// Hosted access, which is not a work anyone receives.
    Service,
}

/// A component kind the report knows.
#[derive(Debug, Clone, Copy)]
pub struct KindInfo {
    /// The manifest's `kind`.
    pub kind: &'static str,
    /// Words for reports.
    pub label: &'static str,
    /// Which licenses fit it.
    pub work: WorkType,
    /// Whether every manifest is expected to declare it. Optional kinds let
    /// a manifest say more (fine-tuning data, intermediate checkpoints…)
    /// where a framework asks for it; undeclared, they count as not
    /// released.
    pub core: bool,
}

const fn kind(kind: &'static str, label: &'static str, work: WorkType, core: bool) -> KindInfo {
    KindInfo {
        kind,
        label,
        work,
        core,
    }
}

/// Every component kind, core ones first in report order.
pub const KINDS: &[KindInfo] = &[
    kind(
        "base_weights",
        "base-model weights",
        WorkType::Parameters,
        true,
    ),
    kind(
        "finetuned_weights",
        "fine-tuned weights",
        WorkType::Parameters,
        true,
    ),
    kind("architecture", "architecture", WorkType::Code, true),
    kind("inference_code", "inference code", WorkType::Code, true),
    kind("training_code", "training code", WorkType::Code, true),
    kind("training_data", "training data", WorkType::Data, true),
    kind("data_card", "data card", WorkType::Documentation, true),
    kind("evaluation_code", "evaluation code", WorkType::Code, true),
    kind(
        "evaluation_results",
        "evaluation results",
        WorkType::Documentation,
        true,
    ),
    kind("model_card", "model card", WorkType::Documentation, true),
    kind(
        "paper",
        "paper or technical report",
        WorkType::Documentation,
        true,
    ),
    kind("tokenizer", "tokenizer", WorkType::Parameters, true),
    kind("finetuning_data", "fine-tuning data", WorkType::Data, false),
    kind("evaluation_data", "evaluation data", WorkType::Data, false),
    kind(
        "data_preprocessing_code",
        "data preprocessing code",
        WorkType::Code,
        false,
    ),
    kind(
        "intermediate_weights",
        "intermediate checkpoints",
        WorkType::Parameters,
        false,
    ),
    kind(
        "code_documentation",
        "code documentation",
        WorkType::Documentation,
        false,
    ),
    kind(
        "peer_reviewed_paper",
        "peer-reviewed paper",
        WorkType::Documentation,
        false,
    ),
    kind("api_access", "API access", WorkType::Service, false),
];

/// The entry for a kind (`None` for kinds this table does not know).
pub fn kind_info(kind: &str) -> Option<&'static KindInfo> {
    KINDS.iter().find(|k| k.kind == kind)
}

/// A kind's label, or the kind itself when unknown.
pub fn label(kind: &str) -> String {
    kind_info(kind).map_or_else(|| kind.replace('_', " "), |k| k.label.to_string())
}

/// Which manifest component a rule looks at.
#[derive(Debug, Clone, Copy)]
pub enum Pick {
    /// The component of this kind.
    Kind(&'static str),
    /// The weights of the model that was released: the fine-tuned weights
    /// when those were (even in part) released, else the base weights. The
    /// frameworks judge the model a release actually delivers.
    ModelWeights,
}

impl Pick {
    /// The manifest kind this resolves to.
    pub fn resolve(self, m: &Manifest) -> &'static str {
        match self {
            Pick::Kind(k) => k,
            Pick::ModelWeights => {
                let ft = find(m, "finetuned_weights").map(|c| c.status);
                if matches!(ft, Some(Status::Released | Status::Partial)) {
                    "finetuned_weights"
                } else {
                    "base_weights"
                }
            }
        }
    }
}

/// Which licenses a rule accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Terms {
    /// OSI-approved licenses only (OSAID's "OSI-approved licenses" for code).
    OsiApproved,
    /// An open license fit for the component's [`WorkType`]: OSI-approved
    /// for code; OSI-approved or open content for everything else (MOF's
    /// "open license fit for the type", OSAID's "OSI-approved terms").
    FitForType,
}

/// One component judged against one rule.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// The framework's name for what it asks for.
    pub asks: String,
    /// The manifest kind looked at.
    pub kind: String,
    /// Its declared status; `None` when the manifest does not declare it.
    pub status: Option<Status>,
    /// Its declared license.
    pub license: Option<String>,
    /// Whether the rule is satisfied.
    pub met: bool,
    /// Why, in a sentence.
    pub reason: String,
    /// Why, in a few words (`no training code`).
    pub short: String,
}

/// The manifest's component of a kind.
pub fn find<'a>(m: &'a Manifest, kind: &str) -> Option<&'a Component> {
    m.components.iter().find(|c| c.kind == kind)
}

/// Whether `license` is acceptable under `terms` for a component of `kind`.
fn fits(terms: Terms, kind: &str, class: LicenseClass) -> bool {
    let work = kind_info(kind).map_or(WorkType::Code, |k| k.work);
    match (terms, work) {
        (Terms::OsiApproved, _) | (Terms::FitForType, WorkType::Code) => {
            class == LicenseClass::OsiApproved
        }
        (Terms::FitForType, _) => class.is_open(),
    }
}

/// Judges one component: released in full, under acceptable terms.
pub fn check(m: &Manifest, asks: &str, pick: Pick, terms: Terms) -> Check {
    let kind = pick.resolve(m);
    let what = label(kind);
    let c = find(m, kind);
    let mut out = Check {
        asks: asks.to_string(),
        kind: kind.to_string(),
        status: c.map(|c| c.status),
        license: c.and_then(|c| c.license.clone()),
        met: false,
        reason: String::new(),
        short: String::new(),
    };
    let Some(c) = c else {
        out.reason = format!("{what}: not declared by the manifest, so not shown to be released");
        out.short = format!("no {what}");
        return out;
    };
    let whence = if c.evidence.is_empty() {
        String::new()
    } else {
        format!(" ({})", c.evidence)
    };
    match c.status {
        Status::NotReleased => {
            out.reason = format!("{what}: not released{whence}");
            out.short = format!("no {what}");
        }
        Status::Unknown => {
            out.reason = format!("{what}: not known to be released{whence}");
            out.short = format!("{what} unknown");
        }
        Status::Partial => {
            out.reason = format!("{what}: only partly released{whence}");
            out.short = format!("{what} only partial");
        }
        Status::Released => match &c.license {
            None => {
                out.reason = format!("{what}: released without a stated license{whence}");
                out.short = format!("{what} unlicensed");
            }
            Some(lic) => {
                let class = classify(lic);
                out.met = fits(terms, kind, class);
                let wanted = match (terms, kind_info(kind).map(|k| k.work)) {
                    (Terms::FitForType, Some(w)) if w != WorkType::Code => "an open license",
                    _ => "an OSI-approved license",
                };
                if out.met {
                    out.reason = format!("{what}: released under {lic} ({})", class.label());
                    out.short = format!("{what} under {lic}");
                } else {
                    out.reason = format!(
                        "{what}: released under {lic}, which is not {wanted} ({})",
                        class.label()
                    );
                    out.short = format!("{what} not under {wanted} ({lic})");
                }
            }
        },
    }
    out
}

// ---------------------------------------------------------------- OSAID 1.0

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

// ------------------------------------------------------------------- MOF

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
    (MofClass::III, "technical report", Pick::Kind("paper")),
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
    /// The components keeping the release from the next class.
    pub blocking: Vec<Check>,
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
            .all(|c| c.check.met)
    };
    let mut class = None;
    for c in [MofClass::III, MofClass::II, MofClass::I] {
        if !complete(c) {
            break;
        }
        class = Some(c);
    }
    let next = MofClass::next(class);
    let blocking = checks
        .iter()
        .filter(|c| Some(c.class) == next && !c.check.met)
        .map(|c| c.check.clone())
        .collect();
    Mof {
        class,
        label: class.map_or_else(|| "none".to_string(), |c| c.label().to_string()),
        next,
        blocking,
        checks,
    }
}

// ----------------------------------------------------------------- EOSAI

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
const CODE: &[&str] = &[
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

fn shipped(c: &Component) -> bool {
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

// ---------------------------------------------------------------- summary

/// What was released, in three lists of labels (with licenses).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Released {
    /// Released in full.
    pub released: Vec<String>,
    /// Released in part.
    pub partial: Vec<String>,
    /// Not released, unknown, or (core kinds only) not declared.
    pub not_released: Vec<String>,
    /// The release in one sentence.
    pub headline: String,
}

/// Sorts the components into released, partial and not released, and
/// states the release in a sentence.
pub fn released(m: &Manifest) -> Released {
    let mut r = Released::default();
    let known = KINDS.iter().map(|k| k.kind);
    let extra = m
        .components
        .iter()
        .map(|c| c.kind.as_str())
        .filter(|k| kind_info(k).is_none());
    for kind in known.chain(extra) {
        let what = label(kind);
        match find(m, kind) {
            Some(c) if c.status == Status::Released => r.released.push(match &c.license {
                Some(l) => format!("{what} ({l})"),
                None => what,
            }),
            Some(c) if c.status == Status::Partial => r.partial.push(what),
            Some(_) => r.not_released.push(what),
            None if kind_info(kind).is_some_and(|k| k.core) => r.not_released.push(what),
            None => {}
        }
    }
    let any = |kinds: &[&str]| kinds.iter().any(|k| find(m, k).is_some_and(shipped));
    let weights = any(&["base_weights", "finetuned_weights", "intermediate_weights"]);
    let code = any(CODE);
    let data = any(&["training_data", "finetuning_data", "evaluation_data"]);
    let api = find(m, "api_access").is_some_and(shipped);
    r.headline = match (weights, code, data) {
        (false, false, false) => format!(
            "Nothing of the model was released: no weights, no code, no data.{}",
            if api { " API access only." } else { "" }
        ),
        _ => {
            let say =
                |has: bool, yes: &str, no: &str| if has { yes.to_string() } else { no.to_string() };
            format!(
                "{}; {}; {}.",
                say(weights, "Weights released", "No weights"),
                say(code, "some code released", "no code"),
                say(data, "some training data released", "no training data"),
            )
        }
    };
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(components: &str) -> Manifest {
        let text = format!(
            "[release]\nid = \"t\"\nname = \"T\"\npublisher = \"p\"\ndate = \"2024\"\n{components}"
        );
        Manifest::from_toml(&text, "test").unwrap()
    }

    fn comp(kind: &str, status: &str, license: Option<&str>) -> String {
        let lic = license.map_or(String::new(), |l| format!("license = \"{l}\"\n"));
        format!("[[component]]\nkind = \"{kind}\"\nstatus = \"{status}\"\n{lic}")
    }

    fn all_open() -> String {
        [
            ("base_weights", "Apache-2.0"),
            ("architecture", "Apache-2.0"),
            ("inference_code", "Apache-2.0"),
            ("training_code", "Apache-2.0"),
            ("training_data", "CC-BY-4.0"),
            ("data_card", "CC-BY-4.0"),
            ("evaluation_code", "MIT"),
            ("evaluation_results", "CC-BY-4.0"),
            ("model_card", "CC-BY-4.0"),
            ("paper", "CC-BY-4.0"),
            ("evaluation_data", "CC-BY-4.0"),
            ("data_preprocessing_code", "MIT"),
            ("intermediate_weights", "Apache-2.0"),
        ]
        .iter()
        .map(|(k, l)| comp(k, "released", Some(l)))
        .collect()
    }

    #[test]
    fn everything_open_is_open_source_ai_and_class_i() {
        let m = manifest(&all_open());
        let o = osaid(&m);
        assert!(o.open_source_ai, "{:?}", o.verdict);
        let c = mof(&m);
        assert_eq!(c.class, Some(MofClass::I));
        assert!(c.blocking.is_empty());
        assert_eq!(c.next, None);
    }

    #[test]
    fn code_under_an_open_content_license_is_not_open_source() {
        let text = all_open().replace(
            "kind = \"training_code\"\nstatus = \"released\"\nlicense = \"Apache-2.0\"",
            "kind = \"training_code\"\nstatus = \"released\"\nlicense = \"CC-BY-4.0\"",
        );
        let m = manifest(&text);
        let o = osaid(&m);
        assert!(!o.open_source_ai);
        assert!(
            o.verdict
                .contains("training code not under an OSI-approved license"),
            "{}",
            o.verdict
        );
        let c = mof(&m);
        assert_eq!(c.class, Some(MofClass::III));
        assert_eq!(c.blocking.len(), 1);
        assert_eq!(c.blocking[0].kind, "training_code");
    }

    #[test]
    fn restrictive_weights_fail_parameters_and_rate_partial_access() {
        let m = manifest(&format!(
            "{}{}",
            comp("base_weights", "not_released", None),
            comp(
                "finetuned_weights",
                "released",
                Some("Grok 2 Community License Agreement")
            )
        ));
        let o = osaid(&m);
        let params = o
            .conditions
            .iter()
            .find(|c| c.name == "parameters")
            .unwrap();
        assert!(!params.met);
        assert_eq!(params.checks[0].kind, "finetuned_weights");
        let access = eosai(&m)
            .into_iter()
            .find(|r| r.parameter == "licenses")
            .unwrap();
        assert_eq!(access.rating, Openness::Partial);
    }

    #[test]
    fn an_api_only_service_says_so() {
        let m = manifest(&format!(
            "{}{}",
            comp("base_weights", "not_released", None),
            comp("api_access", "released", None)
        ));
        let r = released(&m);
        assert_eq!(
            r.headline,
            "Nothing of the model was released: no weights, no code, no data. API access only."
        );
        assert!(eosai(&m).iter().all(|r| r.rating == Openness::Closed));
        assert_eq!(mof(&m).class, None);
    }

    #[test]
    fn undeclared_if_used_code_does_not_block_osaid_code() {
        let m = manifest(
            &[
                ("architecture", "MIT"),
                ("inference_code", "MIT"),
                ("training_code", "MIT"),
            ]
            .iter()
            .map(|(k, l)| comp(k, "released", Some(l)))
            .collect::<String>(),
        );
        let code = osaid(&m)
            .conditions
            .into_iter()
            .find(|c| c.name == "code")
            .unwrap();
        assert!(code.met, "{:?}", code.missing);
    }
}
