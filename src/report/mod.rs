//! What a release actually released, judged against the openness
//! frameworks, with every line marked as either verified in this run or
//! declared by the manifest.
//!
//! [`build`] joins a [`Manifest`] with optional [`Evidence`] (a verification
//! and a tensor inventory taken from disk); [`evaluate`] holds the rules of
//! the three frameworks; [`crate::printer::report`] prints the result as text, JSON,
//! Markdown or a self-contained HTML page.

use serde::Serialize;

use crate::manifest::{Manifest, Release, Status};
use crate::verdict::{FileVerdict, Outcome};
use crate::verify::ClaimVerdict;

pub mod compare;
pub mod evaluate;
pub mod evidence;
pub mod license;
pub mod raters;

pub use compare::{compare, CompareRow, Comparison, Difference};
pub use evaluate::{EosaiRating, Mof, MofClass, Openness, Osaid};
pub use evidence::{Evidence, Group, Inventory};
pub use license::LicenseClass;

/// Where a line of the report comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "basis")]
pub enum Basis {
    /// Established from the files on disk in this run, every byte proven
    /// by a digest.
    VerifiedHere {
        /// What was checked.
        detail: String,
    },
    /// Looked at on disk in this run, but not proven: the verification's
    /// result was short of VERIFIED (structure only, nothing checked, or
    /// failed).
    CheckedHere {
        /// What was checked and the result word.
        detail: String,
    },
    /// Computed from what is on disk in this run (a parameter count from
    /// the shapes): evidence, but not a proof of content.
    ComputedHere {
        /// How.
        detail: String,
    },
    /// Stated by the manifest, with the source it cites.
    Declared {
        /// The manifest's source for it.
        source: String,
    },
    /// Neither checked nor declared: the manifest is silent about it.
    Undeclared,
}

impl Basis {
    /// `verified here: …` or `declared by the manifest (…)`.
    pub fn label(&self) -> String {
        match self {
            Basis::VerifiedHere { detail } => format!("verified here: {detail}"),
            Basis::CheckedHere { detail } => format!("checked here, not proven: {detail}"),
            Basis::ComputedHere { detail } => format!("computed here: {detail}"),
            Basis::Declared { source } if source.is_empty() => {
                "declared by the manifest".to_string()
            }
            Basis::Declared { source } => format!("declared by the manifest ({source})"),
            Basis::Undeclared => "not declared by the manifest".to_string(),
        }
    }
}

/// One component of the release.
#[derive(Debug, Clone, Serialize)]
pub struct ComponentLine {
    /// The manifest's kind.
    pub kind: String,
    /// Words for it.
    pub label: String,
    /// Its status; `None` when the manifest does not declare it.
    pub status: Option<Status>,
    /// Its license.
    pub license: Option<String>,
    /// How open that license is.
    pub license_class: Option<LicenseClass>,
    /// The manifest's evidence for the status.
    pub evidence: String,
    /// Where the line comes from.
    #[serde(flatten)]
    pub basis: Basis,
}

/// A publisher's claim, with what this run computed for it.
#[derive(Debug, Clone, Serialize)]
pub struct ClaimLine {
    /// The claim in the publisher's words.
    pub text: String,
    /// The claimed value.
    pub claimed: f64,
    /// What the weights show, when checked.
    pub computed: Option<u64>,
    /// The verdict in words.
    pub verdict: String,
    /// How `computed` was obtained, or why it could not be.
    pub how: String,
    /// Where the line comes from.
    #[serde(flatten)]
    pub basis: Basis,
}

/// The verification behind a report, in brief.
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    /// The directory checked.
    pub root: String,
    /// What the verification established (the same word `verify` prints).
    pub result: Outcome,
    /// The exit code that result gives.
    pub exit_code: i32,
    /// Files, structure and hashes in a line.
    pub files: String,
    /// Files with problems (at most [`MAX_PROBLEMS`]).
    pub problems: Vec<String>,
}

/// How many problem files a report lists before summarising.
pub const MAX_PROBLEMS: usize = 20;

/// The report on one release.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Report {
    /// Who released what, when.
    pub release: Release,
    /// The release in a sentence.
    pub headline: String,
    /// Components released in full (with licenses).
    pub released: Vec<String>,
    /// Components released in part.
    pub partial: Vec<String>,
    /// Components not released.
    pub not_released: Vec<String>,
    /// Components not known to be released or not.
    pub unknown: Vec<String>,
    /// OSI Open Source AI Definition 1.0.
    pub osaid: Osaid,
    /// Model Openness Framework class.
    pub mof: Mof,
    /// European Open Source AI Index ratings.
    pub eosai: Vec<EosaiRating>,
    /// Every component.
    pub components: Vec<ComponentLine>,
    /// The custom licenses components name, with the terms that decide
    /// them.
    pub licenses: Vec<crate::manifest::LicenseTerms>,
    /// The publisher's claims.
    pub claims: Vec<ClaimLine>,
    /// The files on disk, when a directory was given.
    pub verification: Option<Verification>,
    /// The tensors on disk, when a directory was given.
    pub inventory: Option<Inventory>,
    /// What the report cannot establish.
    pub notes: Vec<String>,
    /// The independent raters' findings next to these, when records were
    /// given (`--raters`) or the manifest cites OSI's validation.
    pub raters: Vec<raters::RaterView>,
}

impl Report {
    /// The exit code: the verification's, or 0 when no files were checked
    /// (a report from the manifest alone claims nothing about files).
    pub fn exit_code(&self) -> i32 {
        self.verification.as_ref().map_or(0, |v| v.exit_code)
    }
}

/// Builds the report on `manifest`, merging what `evidence` verified.
pub fn build(manifest: &Manifest, evidence: Option<&Evidence>) -> Report {
    let released = evaluate::released(manifest);
    let weights_kind = evaluate::Pick::ModelWeights.resolve(manifest);
    let has_files = !manifest.files.is_empty();

    let mut components = Vec::new();
    let declared_kinds = manifest.components.iter().map(|c| c.kind.as_str());
    let core = evaluate::KINDS.iter().filter(|k| k.core).map(|k| k.kind);
    let mut kinds: Vec<&str> = core.collect();
    for k in declared_kinds {
        if !kinds.contains(&k) {
            kinds.push(k);
        }
    }
    for kind in kinds {
        let c = evaluate::find(manifest, kind);
        let basis = match (evidence, kind == weights_kind && has_files, c) {
            (Some(ev), true, _) if ev.verify.verified() => Basis::VerifiedHere {
                detail: ev.files_line(),
            },
            (Some(ev), true, _) => Basis::CheckedHere {
                detail: format!("{} — result {}", ev.files_line(), ev.verify.result),
            },
            (_, _, Some(c)) => Basis::Declared {
                source: c.source.clone(),
            },
            (_, _, None) => Basis::Undeclared,
        };
        let license = c.and_then(|c| c.license.clone());
        components.push(ComponentLine {
            kind: kind.to_string(),
            label: evaluate::label(kind),
            status: c.map(|c| c.status),
            license_class: license
                .as_deref()
                .map(|l| evaluate::license_class(manifest, l)),
            license,
            evidence: c.map(|c| c.evidence.clone()).unwrap_or_default(),
            basis,
        });
    }

    let claims = match evidence {
        Some(ev) if !ev.verify.claims.is_empty() => ev
            .verify
            .claims
            .iter()
            .map(|c| {
                let basis = match &c.verdict {
                    ClaimVerdict::NotVerifiable { .. } => Basis::Declared {
                        source: c.source.clone(),
                    },
                    _ => Basis::ComputedHere {
                        detail: "computed from the tensors on disk".to_string(),
                    },
                };
                ClaimLine {
                    text: c.text.clone(),
                    claimed: c.claimed,
                    computed: c.computed,
                    verdict: c.verdict.label(),
                    how: c.how.clone(),
                    basis,
                }
            })
            .collect(),
        _ => manifest
            .claims
            .iter()
            .map(|c| ClaimLine {
                text: c.text.clone(),
                claimed: c.value,
                computed: None,
                verdict: "not checked in this run".to_string(),
                how: "give --dir with the release's files to compute it".to_string(),
                basis: Basis::Declared {
                    source: c.source.clone(),
                },
            })
            .collect(),
    };

    let verification = evidence.map(|ev| {
        let mut problems: Vec<String> = ev
            .verify
            .files
            .iter()
            .filter(|f| f.verdict != FileVerdict::Ok)
            .map(|f| format!("{}: {} ({})", f.path, f.verdict, f.problems.join("; ")))
            .collect();
        let more = problems.len().saturating_sub(MAX_PROBLEMS);
        problems.truncate(MAX_PROBLEMS);
        if more > 0 {
            problems.push(format!("… and {more} more"));
        }
        Verification {
            root: ev.verify.root.display().to_string(),
            result: ev.verify.result,
            exit_code: ev.verify.exit_code,
            files: ev.files_line(),
            problems,
        }
    });

    let mut notes = Vec::new();
    notes.push(
        "The verdicts judge the components the manifest declares; a run with --dir verifies the \
         weight files and the claims, not licenses or documents."
            .to_string(),
    );
    match evidence {
        Some(ev) => {
            if ev.verify.result == Outcome::Failed {
                notes.push(
                    "The files on disk do not match the manifest: the verdicts describe the release \
                     as published, not this copy of it."
                        .to_string(),
                );
            }
            notes.extend(ev.verify.notes.iter().cloned());
        }
        None if has_files => notes.push(
            "No files were checked in this run: give --dir to verify the weights and compute the claims."
                .to_string(),
        ),
        None => {}
    }

    Report {
        release: manifest.release.clone(),
        headline: released.headline,
        released: released.released,
        partial: released.partial,
        not_released: released.not_released,
        unknown: released.unknown,
        osaid: evaluate::osaid(manifest),
        mof: evaluate::mof(manifest),
        eosai: evaluate::eosai(manifest),
        components,
        licenses: manifest.licenses.clone(),
        claims,
        verification,
        inventory: evidence.map(|ev| ev.inventory.clone()),
        notes,
        raters: Vec::new(),
    }
}

/// `released`, `partial`, `not released`, `unknown`, or `not declared`.
pub fn status_label(status: Option<Status>) -> &'static str {
    match status {
        Some(Status::Released) => "released",
        Some(Status::Partial) => "partial",
        Some(Status::NotReleased) => "not released",
        Some(Status::Unknown) => "unknown",
        None => "not declared",
    }
}
