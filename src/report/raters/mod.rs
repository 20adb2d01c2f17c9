//! weightcheck's findings next to the independent raters' own: the Model
//! Openness Tool's records, the European Open Source AI Index's records,
//! and OSI's published validation of OSAID 1.0 (which the manifest cites,
//! having no record file). Every disagreement is marked, with the
//! manifest's explanation and source where it gives one.

pub mod mot;
pub mod record;

use std::path::PathBuf;

use serde::Serialize;

use crate::manifest::{Manifest, RaterNote, Status};
use crate::report::evaluate::{self, Openness, State};
use crate::report::{status_label, Report};
use record::{EosaiRecord, MotRecord, Record};

/// Whether weightcheck and a rater agree on one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Agreement {
    /// The same finding.
    Agree,
    /// Different findings.
    Disagree,
    /// weightcheck does not know, so cannot agree or disagree.
    Undetermined,
    /// The record rates another model (per the manifest): not compared.
    OtherModel,
}

impl Agreement {
    /// Words for tables.
    pub fn mark(self) -> &'static str {
        match self {
            Agreement::Agree => "agree",
            Agreement::Disagree => "DIFFERS",
            Agreement::Undetermined => "weightcheck unknown",
            Agreement::OtherModel => "other model",
        }
    }
}

/// One line of a comparison.
#[derive(Debug, Clone, Serialize)]
pub struct RaterRow {
    /// The component kind, Index key, or `osaid`.
    pub about: String,
    /// Words for it.
    pub label: String,
    /// weightcheck's finding.
    pub weightcheck: String,
    /// The rater's.
    pub rater: String,
    /// The rater's own note on it, if any.
    pub rater_note: String,
    /// Whether they agree.
    pub agreement: Agreement,
    /// The manifest's explanation of a disagreement.
    pub note: Option<RaterNote>,
}

/// One rater's record next to weightcheck's findings.
#[derive(Debug, Clone, Serialize)]
pub struct RaterView {
    /// `mot`, `eosai` or `osi`.
    pub rater: String,
    /// The rater's full name.
    pub title: String,
    /// The record's name for what it rates.
    pub record: String,
    /// The record file, or the published source for OSI.
    pub from: String,
    /// What the record rates relative to this release, per the manifest.
    pub rates: String,
    /// For a MOT record: the MOF class its components earn under
    /// weightcheck's rules (the record seeded as a manifest).
    pub mof_class: Option<String>,
    /// The lines.
    pub rows: Vec<RaterRow>,
}

impl RaterView {
    /// Disagreements the manifest does not explain.
    pub fn unexplained(&self) -> impl Iterator<Item = &RaterRow> {
        self.rows
            .iter()
            .filter(|r| r.agreement == Agreement::Disagree && r.note.is_none())
    }
}

fn title(rater: &str) -> &'static str {
    match rater {
        "mot" => "Model Openness Tool (LF AI & Data; MIT-licensed records)",
        "eosai" => "European Open Source AI Index (osai-index.eu; CC-BY 4.0)",
        _ => "OSI's validation of OSAID 1.0",
    }
}

/// The MOF class a MOT record's components earn under weightcheck's rules.
fn record_class(rec: &MotRecord) -> String {
    let text = mot::import(rec, "the record");
    match Manifest::from_toml(&text, "the record") {
        Ok(m) => evaluate::mof(&m).label,
        Err(e) => format!("not computed: {e}"),
    }
}

/// Compares `report` (built from `m`) with each record, and with OSI's
/// validation where the manifest cites it. `records` pair each record with
/// the name to show for its file.
pub fn compare(m: &Manifest, report: &Report, records: &[(PathBuf, Record)]) -> Vec<RaterView> {
    let mut views = Vec::new();
    for r in m.raters.iter().filter(|r| r.name == "osi") {
        let theirs = r.verdict.clone().unwrap_or_default();
        // OSI's two published wordings; anything else is not read as either.
        let their_state = if theirs.starts_with("met") {
            State::Met
        } else if theirs.starts_with("fell short") {
            State::NotMet
        } else {
            State::Unknown
        };
        let agreement = match (report.osaid.state, their_state) {
            (State::Unknown, _) | (_, State::Unknown) => Agreement::Undetermined,
            (ours, theirs) if ours == theirs => Agreement::Agree,
            _ => Agreement::Disagree,
        };
        views.push(RaterView {
            rater: "osi".into(),
            title: title("osi").into(),
            record: r.record.clone(),
            from: r.source.clone(),
            rates: r.rates.clone(),
            mof_class: None,
            rows: vec![RaterRow {
                about: "osaid".into(),
                label: "OSAID 1.0".into(),
                weightcheck: match report.osaid.state {
                    State::Met => "open source AI",
                    State::NotMet => "not open source AI",
                    State::Unknown => "not shown to be open source AI",
                }
                .to_string(),
                rater: theirs,
                rater_note: String::new(),
                agreement,
                note: note(&r.notes, "osaid", agreement),
            }],
        });
    }
    for (path, record) in records {
        let entry = m
            .raters
            .iter()
            .find(|r| r.name == record.rater() && r.record.eq_ignore_ascii_case(record.name()));
        let notes = entry.map_or(&[][..], |e| &e.notes[..]);
        let mut rows = match record {
            Record::Mot(rec) => mot_rows(m, rec, notes),
            Record::Eosai(rec) => eosai_rows(report, rec, notes),
        };
        if entry.is_some_and(|e| e.other_model) {
            for r in &mut rows {
                r.agreement = Agreement::OtherModel;
                r.note = None;
            }
        }
        views.push(RaterView {
            rater: record.rater().into(),
            title: title(record.rater()).into(),
            record: record.name().to_string(),
            from: path.display().to_string(),
            rates: entry.map_or_else(
                || "not named by the manifest: compared as given".to_string(),
                |e| e.rates.clone(),
            ),
            mof_class: match record {
                Record::Mot(rec) => Some(record_class(rec)),
                Record::Eosai(_) => None,
            },
            rows,
        });
    }
    views
}

/// Whether the manifest names `record` as one of its raters' records.
pub fn names(m: &Manifest, record: &Record) -> bool {
    m.raters
        .iter()
        .any(|r| r.name == record.rater() && r.record.eq_ignore_ascii_case(record.name()))
}

fn note(notes: &[RaterNote], about: &str, agreement: Agreement) -> Option<RaterNote> {
    (agreement == Agreement::Disagree)
        .then(|| notes.iter().find(|n| n.about == about).cloned())
        .flatten()
}

/// A license as compared: SPDX expressions by their canonical form, other
/// names by their letters; `unlicensed` is no license.
fn same_license(a: Option<&str>, b: Option<&str>) -> bool {
    let norm = |l: Option<&str>| -> Option<String> {
        let l = l?.trim();
        if l.is_empty() || l.eq_ignore_ascii_case(mot::UNLICENSED) {
            return None;
        }
        Some(
            crate::report::license::parse(l)
                .map_or_else(|| l.to_ascii_lowercase(), |e| e.to_string()),
        )
    };
    norm(a) == norm(b)
}

fn mot_rows(m: &Manifest, rec: &MotRecord, notes: &[RaterNote]) -> Vec<RaterRow> {
    let mut rows = Vec::new();
    for c in mot::COMPONENTS {
        let kind = c.pick.resolve(m);
        let ours = evaluate::find(m, kind);
        let theirs = rec
            .release
            .components
            .iter()
            .find(|x| x.name.eq_ignore_ascii_case(c.name));
        if ours.is_none() && theirs.is_none() {
            continue;
        }
        let weightcheck = match ours {
            Some(o) => match &o.license {
                Some(l) if matches!(o.status, Status::Released | Status::Partial) => {
                    format!("{} ({l})", status_label(Some(o.status)))
                }
                _ => status_label(Some(o.status)).to_string(),
            },
            None => status_label(None).to_string(),
        };
        let rater = match theirs {
            Some(t) => match t.license.as_deref() {
                Some(l) => format!("listed ({l})"),
                None => "listed".to_string(),
            },
            None => "not listed".to_string(),
        };
        let agreement = match (ours.map(|o| o.status), theirs) {
            (None | Some(Status::Unknown), _) => Agreement::Undetermined,
            (Some(Status::NotReleased), None) => Agreement::Agree,
            (Some(Status::NotReleased), Some(_)) | (Some(_), None) => Agreement::Disagree,
            (Some(_), Some(t)) => {
                let ours = ours.and_then(|o| o.license.as_deref());
                // A record that names no license does not contradict one.
                if t.license.is_none() || same_license(ours, t.license.as_deref()) {
                    Agreement::Agree
                } else {
                    Agreement::Disagree
                }
            }
        };
        rows.push(RaterRow {
            about: kind.to_string(),
            label: c.name.to_string(),
            weightcheck,
            rater,
            rater_note: String::new(),
            agreement,
            note: note(notes, kind, agreement),
        });
    }
    rows
}

fn eosai_rows(report: &Report, rec: &EosaiRecord, notes: &[RaterNote]) -> Vec<RaterRow> {
    let mut rows = Vec::new();
    for ours in &report.eosai {
        let Some(theirs) = rec.ratings.iter().find(|r| r.key == ours.key) else {
            continue;
        };
        let agreement = if ours.rating == Openness::Unknown {
            Agreement::Undetermined
        } else if ours.rating.label() == theirs.class {
            Agreement::Agree
        } else {
            Agreement::Disagree
        };
        rows.push(RaterRow {
            about: ours.key.clone(),
            label: ours.parameter.clone(),
            weightcheck: ours.rating.label().to_string(),
            rater: theirs.class.clone(),
            rater_note: theirs.notes.clone(),
            agreement,
            note: note(notes, &ours.key, agreement),
        });
    }
    rows
}
