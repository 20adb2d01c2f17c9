//! Several reports side by side: one row per verdict, rating and
//! component, one column per release; with the raters' records, their
//! findings too, and every difference from them with its explanation.

use serde::Serialize;

use super::raters::Agreement;
use super::{status_label, Report};

/// The side-by-side comparison of several reports: one row per verdict,
/// rating and component, one column per release.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    /// Release names, in column order.
    pub releases: Vec<String>,
    /// The rows.
    pub rows: Vec<CompareRow>,
    /// Every difference from a rater, with the manifest's explanation.
    pub differences: Vec<Difference>,
}

/// One line on which weightcheck and a rater differ.
#[derive(Debug, Clone, Serialize)]
pub struct Difference {
    /// The release.
    pub release: String,
    /// The rater and record.
    pub rater: String,
    /// What differs.
    pub label: String,
    /// weightcheck's finding.
    pub weightcheck: String,
    /// The rater's.
    pub rater_says: String,
    /// Why, per the manifest (`None`: unexplained).
    pub why: Option<String>,
    /// The explanation's source.
    pub source: Option<String>,
}

/// One row of a [`Comparison`].
#[derive(Debug, Clone, Serialize)]
pub struct CompareRow {
    /// The section (`verdicts`, `EOSAI availability`, `components`).
    pub section: String,
    /// What the row shows.
    pub label: String,
    /// One cell per release.
    pub cells: Vec<String>,
}

/// Lays several reports side by side.
pub fn compare(reports: &[Report]) -> Comparison {
    let mut rows = Vec::new();
    let mut row = |section: &str, label: &str, cells: Vec<String>| {
        rows.push(CompareRow {
            section: section.to_string(),
            label: label.to_string(),
            cells,
        })
    };
    row(
        "verdicts",
        "OSAID 1.0",
        reports
            .iter()
            .map(|r| {
                match r.osaid.state {
                    crate::report::evaluate::State::Met => "open source AI",
                    crate::report::evaluate::State::NotMet => "not open source",
                    crate::report::evaluate::State::Unknown => "not shown",
                }
                .to_string()
            })
            .collect(),
    );
    row(
        "verdicts",
        "MOF class",
        reports
            .iter()
            .map(|r| {
                r.mof
                    .class
                    .map_or("none", crate::report::MofClass::short)
                    .to_string()
            })
            .collect(),
    );
    row(
        "verdicts",
        "MOF: blocking next class",
        reports
            .iter()
            .map(|r| match r.mof.next {
                Some(next) => format!("{} of {}", r.mof.blocking.len(), next.short()),
                None => "-".to_string(),
            })
            .collect(),
    );
    for (i, p) in crate::report::evaluate::EOSAI.iter().enumerate() {
        row(
            &format!("EOSAI {}", p.category.label()),
            p.parameter,
            reports
                .iter()
                .map(|r| r.eosai.get(i).map_or("-", |e| e.rating.label()).to_string())
                .collect(),
        );
    }
    let mut kinds: Vec<&str> = crate::report::evaluate::KINDS
        .iter()
        .filter(|k| k.core)
        .map(|k| k.kind)
        .collect();
    for r in reports {
        for c in &r.components {
            if c.status.is_some() && !kinds.contains(&c.kind.as_str()) {
                kinds.push(&c.kind);
            }
        }
    }
    for kind in kinds {
        row(
            "components",
            &crate::report::evaluate::label(kind),
            reports
                .iter()
                .map(|r| {
                    let status = r
                        .components
                        .iter()
                        .find(|c| c.kind == kind)
                        .and_then(|c| c.status);
                    status_label(status).to_string()
                })
                .collect(),
        );
    }
    if reports.iter().any(|r| !r.raters.is_empty()) {
        rater_rows(reports, &mut row);
    }
    Comparison {
        releases: reports.iter().map(|r| r.release.name.clone()).collect(),
        rows,
        differences: differences(reports),
    }
}

/// The raters' verdicts, one row each, and how often weightcheck agrees.
fn rater_rows(reports: &[Report], row: &mut impl FnMut(&str, &str, Vec<String>)) {
    let view = |r: &Report, rater: &str| r.raters.iter().find(|v| v.rater == rater).cloned();
    let cells = |f: &dyn Fn(&Report) -> String| reports.iter().map(f).collect::<Vec<_>>();
    row(
        "raters",
        "OSI's validation",
        cells(&|r| {
            view(r, "osi").map_or("-".into(), |v| {
                format!(
                    "{}: {}",
                    v.record,
                    v.rows.first().map_or("", |x| x.rater.as_str())
                )
            })
        }),
    );
    row(
        "raters",
        "MOT record",
        cells(&|r| view(r, "mot").map_or("-".into(), |v| v.record)),
    );
    row(
        "raters",
        "MOT record's MOF class",
        cells(&|r| {
            view(r, "mot")
                .and_then(|v| v.mof_class)
                .unwrap_or_else(|| "-".into())
        }),
    );
    row(
        "raters",
        "Index record",
        cells(&|r| {
            view(r, "eosai").map_or("-".into(), |v| {
                let other = v.rows.iter().any(|x| x.agreement == Agreement::OtherModel);
                if other {
                    format!("{} (another model)", v.record)
                } else {
                    v.record
                }
            })
        }),
    );
    row(
        "raters",
        "Index: open/partial/closed",
        cells(&|r| {
            view(r, "eosai").map_or("-".into(), |v| {
                let n = |c: &str| v.rows.iter().filter(|x| x.rater == c).count();
                format!("{}/{}/{}", n("open"), n("partial"), n("closed"))
            })
        }),
    );
    let count = |r: &Report, a: Agreement| {
        r.raters
            .iter()
            .flat_map(|v| &v.rows)
            .filter(|x| x.agreement == a)
            .count()
    };
    row(
        "raters",
        "agree/differ/unknown",
        cells(&|r| {
            format!(
                "{}/{}/{}",
                count(r, Agreement::Agree),
                count(r, Agreement::Disagree),
                count(r, Agreement::Undetermined)
            )
        }),
    );
    row(
        "raters",
        "differences explained",
        cells(&|r| {
            let unexplained: usize = r.raters.iter().map(|v| v.unexplained().count()).sum();
            let all = count(r, Agreement::Disagree);
            format!("{} of {all}", all - unexplained)
        }),
    );
}

fn differences(reports: &[Report]) -> Vec<Difference> {
    let mut out = Vec::new();
    for r in reports {
        for v in &r.raters {
            for x in v.rows.iter().filter(|x| x.agreement == Agreement::Disagree) {
                out.push(Difference {
                    release: r.release.name.clone(),
                    rater: match v.rater.as_str() {
                        "mot" => format!("the Model Openness Tool's record {:?}", v.record),
                        "eosai" => format!("the Index's record {:?}", v.record),
                        _ => format!("OSI's validation ({})", v.record),
                    },
                    label: x.label.clone(),
                    weightcheck: x.weightcheck.clone(),
                    rater_says: x.rater.clone(),
                    why: x.note.as_ref().map(|n| n.why.clone()),
                    source: x.note.as_ref().map(|n| n.source.clone()),
                });
            }
        }
    }
    out
}
