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

use super::license::{classify, LicenseClass};
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
