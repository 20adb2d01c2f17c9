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
//! One file per framework ([`osaid`], [`mof`], [`eosai`]); this one holds
//! the component kinds and the rule interpreter they share.
//!
//! Verdicts rest on what the manifest declares; the report marks which of
//! its lines were also verified on disk.

use serde::Serialize;

use super::license::{judge, LicenseClass};
use crate::manifest::{Component, Manifest, Status};

mod eosai;
mod mof;
mod osaid;

pub use eosai::*;
pub use mof::*;
pub use osaid::*;

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
    /// where a framework asks for it; undeclared, they are unknown.
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
    kind("paper", "research paper", WorkType::Documentation, true),
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
    kind(
        "technical_report",
        "technical report",
        WorkType::Documentation,
        false,
    ),
    kind(
        "supporting_libraries",
        "supporting libraries and tools",
        WorkType::Code,
        false,
    ),
    kind(
        "model_metadata",
        "model metadata",
        WorkType::Documentation,
        false,
    ),
    kind(
        "sample_outputs",
        "sample model outputs",
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
    /// The weights of the model that was released: the base weights when
    /// the release's treatment is `pre-trained`, the fine-tuned weights when
    /// it names a fine-tuning or (without a treatment) when those were even
    /// in part released. The frameworks judge the model a release delivers.
    ModelWeights,
    /// Whichever of two kinds meets the rule (MOF's technical report, which
    /// an openly licensed research paper stands in for); the first when it
    /// is declared and neither does, else the second.
    Either(&'static str, &'static str),
}

impl Pick {
    /// The manifest kind this resolves to.
    pub fn resolve(self, m: &Manifest) -> &'static str {
        match self {
            Pick::Kind(k) => k,
            Pick::Either(k, _) if find(m, k).is_some() => k,
            Pick::Either(_, other) => other,
            Pick::ModelWeights => {
                let ft = find(m, "finetuned_weights").map(|c| c.status);
                let treatment = m.release.treatment.as_deref();
                if treatment == Some("pre-trained") {
                    "base_weights"
                } else if treatment.is_some()
                    || matches!(ft, Some(Status::Released | Status::Partial))
                {
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

/// Whether a rule holds. Unknown is its own state: a component the
/// manifest does not know about is neither released nor withheld.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// The rule holds.
    Met,
    /// The rule does not hold.
    NotMet,
    /// Not established either way.
    Unknown,
}

impl State {
    /// The state of rules that must all hold: not met if any is not,
    /// unknown if any is unknown.
    pub fn all(states: impl IntoIterator<Item = State>) -> State {
        let mut out = State::Met;
        for s in states {
            match s {
                State::NotMet => return State::NotMet,
                State::Unknown => out = State::Unknown,
                State::Met => {}
            }
        }
        out
    }

    /// The state of rules of which one suffices.
    pub fn any(states: impl IntoIterator<Item = State>) -> State {
        let mut out = State::NotMet;
        for s in states {
            match s {
                State::Met => return State::Met,
                State::Unknown => out = State::Unknown,
                State::NotMet => {}
            }
        }
        out
    }

    /// `met`, `NOT MET`, `unknown`.
    pub fn label(self) -> &'static str {
        match self {
            State::Met => "met",
            State::NotMet => "NOT MET",
            State::Unknown => "unknown",
        }
    }
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
    /// Whether the rule holds.
    pub state: State,
    /// Why, in a sentence.
    pub reason: String,
    /// Why, in a few words (`no training code`).
    pub short: String,
}

impl Check {
    /// Whether the rule holds.
    pub fn met(&self) -> bool {
        self.state == State::Met
    }
}

/// The manifest's component of a kind.
pub fn find<'a>(m: &'a Manifest, kind: &str) -> Option<&'a Component> {
    m.components.iter().find(|c| c.kind == kind)
}

/// How open a component's license is, custom licenses judged by the
/// manifest's description of them.
pub fn license_class(m: &Manifest, license: &str) -> LicenseClass {
    judge(license, &m.licenses)
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

/// Judges one component: released in full, under acceptable terms. Of
/// two kinds ([`Pick::Either`]), the one that meets the rule counts.
pub fn check(m: &Manifest, asks: &str, pick: Pick, terms: Terms) -> Check {
    if let Pick::Either(a, b) = pick {
        let first = check(m, asks, Pick::Kind(a), terms);
        let second = check(m, asks, Pick::Kind(b), terms);
        return match (first.state, second.state, first.status) {
            (State::Met, _, _) => first,
            (_, State::Met, _) => second,
            (_, _, Some(_)) => first,
            _ => second,
        };
    }
    let kind = pick.resolve(m);
    let what = label(kind);
    let c = find(m, kind);
    let mut out = Check {
        asks: asks.to_string(),
        kind: kind.to_string(),
        status: c.map(|c| c.status),
        license: c.and_then(|c| c.license.clone()),
        state: State::NotMet,
        reason: String::new(),
        short: String::new(),
    };
    let Some(c) = c else {
        out.state = State::Unknown;
        out.reason = format!("{what}: not declared by the manifest, so not known");
        out.short = format!("{what} unknown");
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
            out.state = State::Unknown;
            out.reason = format!("{what}: not known whether released{whence}");
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
                let class = license_class(m, lic);
                let met = fits(terms, kind, class);
                let wanted = match (terms, kind_info(kind).map(|k| k.work)) {
                    (Terms::FitForType, Some(w)) if w != WorkType::Code => "an open license",
                    _ => "an OSI-approved license",
                };
                if met {
                    out.state = State::Met;
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

/// What was released, in four lists of labels (with licenses).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Released {
    /// Released in full.
    pub released: Vec<String>,
    /// Released in part.
    pub partial: Vec<String>,
    /// Established as not released.
    pub not_released: Vec<String>,
    /// Not known: declared unknown, or (core kinds only) not declared.
    pub unknown: Vec<String>,
    /// The release in one sentence.
    pub headline: String,
}

/// Sorts the components into released, partial, not released and unknown,
/// and states the release in a sentence.
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
        match find(m, kind).map(|c| (c.status, c)) {
            Some((Status::Released, c)) => r.released.push(match &c.license {
                Some(l) => format!("{what} ({l})"),
                None => what,
            }),
            Some((Status::Partial, _)) => r.partial.push(what),
            Some((Status::NotReleased, _)) => r.not_released.push(what),
            Some((Status::Unknown, _)) => r.unknown.push(what),
            None if kind_info(kind).is_some_and(|k| k.core) => {
                r.unknown.push(format!("{what} (not declared)"))
            }
            None => {}
        }
    }
    // Shipped, withheld, or not known for every kind of a group.
    let say = |kinds: &[&str], yes: &str, unknown: &str, no: &str| -> String {
        let statuses: Vec<(&str, Option<Status>)> = kinds
            .iter()
            .map(|k| (*k, find(m, k).map(|c| c.status)))
            .collect();
        // An optional kind left undeclared is not a gap in what is known.
        let gap = |(k, s): &(&str, Option<Status>)| match s {
            Some(Status::Unknown) => true,
            None => kind_info(k).is_some_and(|i| i.core),
            _ => false,
        };
        if statuses
            .iter()
            .any(|(_, s)| matches!(s, Some(Status::Released | Status::Partial)))
        {
            yes.to_string()
        } else if statuses.iter().any(gap) {
            unknown.to_string()
        } else {
            no.to_string()
        }
    };
    let weights = say(
        &["base_weights", "finetuned_weights", "intermediate_weights"],
        "Weights released",
        "Weights not known to be released",
        "No weights",
    );
    let code = say(CODE, "some code released", "code not known", "no code");
    let data = say(
        &["training_data", "finetuning_data"],
        "some training data released",
        "training data not known",
        "no training data",
    );
    let api = find(m, "api_access").is_some_and(shipped);
    r.headline = if weights == "No weights" && code == "no code" && data == "no training data" {
        format!(
            "Nothing of the model was released: no weights, no code, no data.{}",
            if api { " API access only." } else { "" }
        )
    } else {
        format!("{weights}; {code}; {data}.")
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
        assert_eq!(params.state, State::NotMet);
        assert_eq!(params.checks[0].kind, "finetuned_weights");
        let access = eosai(&m)
            .into_iter()
            .find(|r| r.parameter == "licenses")
            .unwrap();
        // Nothing released is under open terms.
        assert_eq!(access.rating, Openness::Closed);
    }

    #[test]
    fn an_api_only_service_says_so() {
        let withheld: String = KINDS
            .iter()
            .filter(|k| k.core)
            .map(|k| comp(k.kind, "not_released", None))
            .collect();
        let m = manifest(&format!(
            "{withheld}{}",
            comp("api_access", "released", None)
        ));
        let r = released(&m);
        assert_eq!(
            r.headline,
            "Nothing of the model was released: no weights, no code, no data. API access only."
        );
        // Nothing is open; what the core kinds do not cover is unknown.
        for r in eosai(&m) {
            let want = if matches!(r.parameter.as_str(), "end-model data" | "paper") {
                Openness::Unknown
            } else {
                Openness::Closed
            };
            assert_eq!(r.rating, want, "{}", r.parameter);
        }
        assert_eq!(mof(&m).class, None);
    }

    #[test]
    fn undeclared_parameters_are_unknown_not_closed() {
        let m = manifest(&format!(
            "{}{}",
            comp("base_weights", "not_released", None),
            comp("api_access", "released", None)
        ));
        for r in eosai(&m) {
            let want = if matches!(r.parameter.as_str(), "base-model weights" | "licenses") {
                Openness::Closed
            } else {
                Openness::Unknown
            };
            assert_eq!(r.rating, want, "{}", r.parameter);
        }
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
        assert_eq!(code.state, State::Met, "{:?}", code.missing);
    }

    #[test]
    fn unknown_is_neither_released_nor_not() {
        let m = manifest(&format!(
            "{}{}{}",
            comp("base_weights", "released", Some("Apache-2.0")),
            comp("training_code", "unknown", None),
            comp("evaluation_code", "unknown", None),
        ));
        let r = released(&m);
        assert!(r.not_released.is_empty(), "{:?}", r.not_released);
        assert!(
            r.unknown.contains(&"training code".to_string()),
            "{:?}",
            r.unknown
        );
        assert!(r
            .unknown
            .contains(&"architecture (not declared)".to_string()));
        assert_eq!(
            r.headline,
            "Weights released; code not known; training data not known."
        );
        let o = osaid(&m);
        assert_eq!(o.state, State::Unknown, "{}", o.verdict);
        assert!(!o.open_source_ai);
        assert!(
            o.verdict.starts_with("not shown to be open source AI"),
            "{}",
            o.verdict
        );
    }

    #[test]
    fn unknown_never_passes_and_a_failure_outranks_it() {
        assert_eq!(State::all([State::Met, State::Unknown]), State::Unknown);
        assert_eq!(State::all([State::Unknown, State::NotMet]), State::NotMet);
        assert_eq!(State::all([]), State::Met);
        assert_eq!(State::any([State::NotMet, State::Unknown]), State::Unknown);
        assert_eq!(State::any([State::Unknown, State::Met]), State::Met);
        assert_eq!(State::any([]), State::NotMet);
    }

    #[test]
    fn an_openly_licensed_paper_stands_in_for_the_technical_report() {
        let m = manifest(&format!(
            "{}{}",
            comp("technical_report", "released", None),
            comp("paper", "released", Some("CC-BY-4.0")),
        ));
        let c = check(
            &m,
            "technical report",
            Pick::Either("technical_report", "paper"),
            Terms::FitForType,
        );
        assert_eq!(c.state, State::Met);
        assert_eq!(c.kind, "paper");
    }

    #[test]
    fn a_custom_license_is_judged_by_the_manifest_and_never_osi_approved() {
        let m = manifest(&format!(
            "{}[[license]]\nname = \"Acme Model License\"\n[[license.term]]\nsays = \"no military use\"\nsource = \"s\"\nconflicts_with = \"OSD 6\"\n",
            comp("base_weights", "released", Some("Acme Model License")),
        ));
        assert_eq!(
            license_class(&m, "Acme Model License"),
            LicenseClass::Custom
        );
        let params = osaid(&m)
            .conditions
            .into_iter()
            .find(|c| c.name == "parameters")
            .unwrap();
        assert_eq!(params.state, State::NotMet);
    }
}
