//! The parts of a manifest that the openness report reads beside the
//! components: custom licenses described by their terms, and what the
//! independent raters said about the release.

use serde::{Deserialize, Serialize};

/// A license that is not on the SPDX list, described by the terms that
/// decide whether it is open (`[[license]]`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LicenseTerms {
    /// The name components give as their `license`.
    pub name: String,
    /// Where its text is published.
    #[serde(default)]
    pub url: String,
    /// The terms that decide it.
    #[serde(default, rename = "term")]
    pub terms: Vec<Term>,
}

/// One term of a custom license.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Term {
    /// The term: the license's own words when `quoted`, else a summary.
    pub says: String,
    /// Whether `says` is copied from the license text.
    #[serde(default)]
    pub quoted: bool,
    /// Where `says` comes from.
    pub source: String,
    /// The Open Source Definition clause it conflicts with, if any.
    #[serde(default)]
    pub conflicts_with: Option<String>,
}

impl Term {
    /// `quoted` or `summary`, and the clause it conflicts with.
    pub fn kind(&self) -> String {
        let how = if self.quoted { "quoted" } else { "summary" };
        match &self.conflicts_with {
            Some(c) => format!("{how}; conflicts with {c}"),
            None => how.to_string(),
        }
    }
}

/// An independent rater's view of the release (`[[rater]]`): which of its
/// records rates this release, and why weightcheck disagrees where it does.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rater {
    /// `mot` (Model Openness Tool), `eosai` (European Open Source AI
    /// Index) or `osi` (OSI's validation of OSAID 1.0).
    pub name: String,
    /// The record's own name for what it rates (`release.name` in a MOT
    /// record, `system.name` in an Index record, OSI's wording).
    pub record: String,
    /// What the record rates, relative to this release (`this release`,
    /// `the base model, T5 1.1 XXL`).
    pub rates: String,
    /// Whether the record rates another model than this release (the
    /// Index's Mistral record rates Mistral Large 3, not Mixtral 8x7B): its
    /// lines are shown beside weightcheck's, not compared.
    #[serde(default)]
    pub other_model: bool,
    /// For `osi`: the published verdict, in OSI's words: it starts `met`
    /// or `fell short` (any other wording is compared as unknown).
    #[serde(default)]
    pub verdict: Option<String>,
    /// Where the rating is published.
    pub source: String,
    /// Explanations of the disagreements with this rater.
    #[serde(default, rename = "note")]
    pub notes: Vec<RaterNote>,
}

/// Why weightcheck's finding differs from a rater's for one component or
/// parameter.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RaterNote {
    /// The component kind (`paper`) or Index parameter (`licenses`); `osaid`
    /// for OSI's verdict.
    pub about: String,
    /// The explanation.
    pub why: String,
    /// A document one can open that shows it.
    pub source: String,
}
