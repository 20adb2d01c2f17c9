//! Markdown, for issues, pull requests and documentation.

use std::fmt::Write;

use super::text::share;
use crate::report::evaluate::State;
use crate::report::{status_label, Comparison, Report};
use crate::units::{claimed, human_count, thousands, Bytes};

/// Escapes what would break a table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn table(o: &mut String, header: &[&str], rows: &[Vec<String>], right: &[usize]) {
    let _ = writeln!(o, "| {} |", header.join(" | "));
    let rule: Vec<&str> = (0..header.len())
        .map(|i| if right.contains(&i) { "---:" } else { "---" })
        .collect();
    let _ = writeln!(o, "| {} |", rule.join(" | "));
    for r in rows {
        let cells: Vec<String> = r.iter().map(|c| cell(c)).collect();
        let _ = writeln!(o, "| {} |", cells.join(" | "));
    }
}

/// The report as Markdown.
pub fn report(r: &Report) -> String {
    let mut o = String::new();
    let rel = &r.release;
    let _ = writeln!(o, "# {} ({}, {})\n", rel.name, rel.publisher, rel.date);
    if !rel.summary.is_empty() {
        let _ = writeln!(o, "{}\n", rel.summary);
    }
    let _ = writeln!(o, "**{}**\n", r.headline);
    let list = |v: &[String]| {
        if v.is_empty() {
            "none".to_string()
        } else {
            v.join(", ")
        }
    };
    let _ = writeln!(o, "- Released: {}", list(&r.released));
    let _ = writeln!(o, "- Partly released: {}", list(&r.partial));
    let _ = writeln!(o, "- Not released: {}", list(&r.not_released));
    let _ = writeln!(o, "- Unknown: {}\n", list(&r.unknown));

    let _ = writeln!(o, "## Verdicts\n");
    let _ = writeln!(o, "Judged from the components the manifest declares.\n");
    let _ = writeln!(o, "### OSI Open Source AI Definition 1.0\n");
    let _ = writeln!(o, "**{}**\n", r.osaid.verdict);
    let rows: Vec<Vec<String>> = r
        .osaid
        .conditions
        .iter()
        .map(|c| {
            let reasons: Vec<String> = c.checks.iter().map(|k| k.reason.clone()).collect();
            vec![
                c.name.clone(),
                match c.state {
                    State::Met => "met",
                    State::NotMet => "**not met**",
                    State::Unknown => "unknown",
                }
                .to_string(),
                c.cite.clone(),
                reasons.join("<br>"),
            ]
        })
        .collect();
    table(
        &mut o,
        &["condition", "", "clause", "components"],
        &rows,
        &[],
    );

    let m = &r.mof;
    let _ = writeln!(o, "\n### Model Openness Framework\n");
    let _ = writeln!(o, "Class achieved: **{}**.", m.label);
    match m.next {
        Some(next) if !m.blocking.is_empty() || !m.unknown.is_empty() => {
            let _ = writeln!(o, " {} ({}) is blocked by:\n", next.label(), m.cite);
            for b in &m.blocking {
                let _ = writeln!(o, "- {}", super::text::blocker(b));
            }
            for b in &m.unknown {
                let _ = writeln!(o, "- unknown: {}", super::text::blocker(b));
            }
        }
        _ => {
            let _ = writeln!(o);
        }
    }

    let _ = writeln!(o, "\n### European Open Source AI Index\n");
    let rows: Vec<Vec<String>> = r
        .eosai
        .iter()
        .map(|e| {
            vec![
                e.category.label().to_string(),
                e.parameter.clone(),
                e.rating.label().to_string(),
                e.asks.clone(),
                e.reason.clone(),
            ]
        })
        .collect();
    table(
        &mut o,
        &["group", "parameter", "rating", "the Index asks", "why"],
        &rows,
        &[],
    );

    let _ = writeln!(o, "\n## Components\n");
    let rows: Vec<Vec<String>> = r
        .components
        .iter()
        .map(|c| {
            vec![
                c.label.clone(),
                status_label(c.status).to_string(),
                c.license.clone().unwrap_or_else(|| "-".to_string()),
                c.evidence.clone(),
                c.basis.label(),
            ]
        })
        .collect();
    table(
        &mut o,
        &["component", "status", "license", "evidence", "basis"],
        &rows,
        &[],
    );

    if !r.claims.is_empty() {
        let _ = writeln!(o, "\n## Claims\n");
        let rows: Vec<Vec<String>> = r
            .claims
            .iter()
            .map(|c| {
                vec![
                    c.text.clone(),
                    claimed(c.claimed),
                    c.computed.map_or_else(|| "-".to_string(), thousands),
                    c.verdict.clone(),
                    c.how.clone(),
                    c.basis.label(),
                ]
            })
            .collect();
        table(
            &mut o,
            &["claim", "claimed", "computed", "verdict", "how", "basis"],
            &rows,
            &[1, 2],
        );
    }

    if let Some(v) = &r.verification {
        let _ = writeln!(o, "\n## Files (verified here)\n");
        let _ = writeln!(
            o,
            "In `{}`: {}. Result: **{}**.",
            v.root,
            v.files,
            v.result.word()
        );
        for p in &v.problems {
            let _ = writeln!(o, "- {p}");
        }
    }
    if let Some(inv) = &r.inventory {
        let _ = writeln!(o, "\n## Tensor inventory (verified here)\n");
        let _ = writeln!(
            o,
            "{} files, {} tensors, {} parameters ({}), {} payload bytes ({}).\n",
            thousands(inv.files),
            thousands(inv.tensors),
            thousands(inv.parameters),
            human_count(inv.parameters),
            thousands(inv.payload_bytes),
            Bytes(inv.payload_bytes)
        );
        let rows: Vec<Vec<String>> = inv
            .by_kind
            .iter()
            .map(|g| {
                vec![
                    format!("`{}`", g.name),
                    thousands(g.tensors),
                    thousands(g.parameters),
                    thousands(g.bytes),
                    share(g.bytes, inv.payload_bytes),
                ]
            })
            .collect();
        table(
            &mut o,
            &["tensor kind", "tensors", "parameters", "bytes", "of bytes"],
            &rows,
            &[1, 2, 3, 4],
        );
    }
    for l in &r.licenses {
        let _ = writeln!(
            o,
            "\n**{}**, the publisher's own license ({}):\n",
            l.name, l.url
        );
        for t in &l.terms {
            let _ = writeln!(o, "- {} ({}; source: {})", t.says, t.kind(), t.source);
        }
    }

    raters(&mut o, &r.raters);

    if !r.notes.is_empty() {
        let _ = writeln!(o, "\n## Notes\n");
        for n in &r.notes {
            let _ = writeln!(o, "- {n}");
        }
    }
    o
}

/// The comparison as one Markdown table.
pub fn compare(c: &Comparison) -> String {
    let mut o = String::new();
    let mut header: Vec<&str> = vec![""];
    header.extend(c.releases.iter().map(String::as_str));
    let rows: Vec<Vec<String>> = c
        .rows
        .iter()
        .map(|r| {
            let mut row = vec![format!("{}: {}", r.section, r.label)];
            row.extend(r.cells.iter().cloned());
            row
        })
        .collect();
    table(&mut o, &header, &rows, &[]);
    if !c.differences.is_empty() {
        let _ = writeln!(o, "\nWhere weightcheck differs from a rater, and why:\n");
        for d in &c.differences {
            let why = match (&d.why, &d.source) {
                (Some(w), Some(s)) => format!("{w} (source: {s})."),
                _ => "unexplained.".to_string(),
            };
            let _ = writeln!(
                o,
                "- **{}**, {}, {}: weightcheck *{}*, rater *{}*: {}",
                d.release, d.rater, d.label, d.weightcheck, d.rater_says, why
            );
        }
    }
    o
}

/// The raters' findings next to weightcheck's: one table per record,
/// disagreements explained below it.
fn raters(o: &mut String, views: &[crate::report::raters::RaterView]) {
    use crate::report::raters::Agreement;
    if views.is_empty() {
        return;
    }
    let _ = writeln!(o, "\n## Independent raters\n");
    for v in views {
        let _ = writeln!(
            o,
            "### {}\n\nRecord \"{}\" ({}); it rates {}.\n",
            v.title,
            cell(&v.record),
            cell(&v.from),
            cell(&v.rates)
        );
        let rows: Vec<Vec<String>> = v
            .rows
            .iter()
            .map(|r| {
                let theirs = if r.rater_note.is_empty() {
                    r.rater.clone()
                } else {
                    format!("{} ({})", r.rater, r.rater_note)
                };
                let why = match (&r.note, r.agreement) {
                    (Some(n), _) => format!("{} (source: {})", n.why, n.source),
                    (None, Agreement::Disagree) => "unexplained".to_string(),
                    (None, _) => String::new(),
                };
                vec![
                    r.label.clone(),
                    r.weightcheck.clone(),
                    theirs,
                    r.agreement.mark().to_string(),
                    why,
                ]
            })
            .collect();
        table(
            o,
            &["", "weightcheck", "rater", "", "why they differ"],
            &rows,
            &[],
        );
        let _ = writeln!(o);
    }
}
