//! Plain text for a terminal.

use std::fmt::Write;

use crate::printer::width::wrap;
use crate::report::evaluate::State;
use crate::report::{status_label, Comparison, Report};
use crate::units::{claimed, human_count, thousands, Bytes};

/// Lays out rows in columns; `right` marks right-aligned columns.
pub(crate) fn table(
    indent: &str,
    header: &[&str],
    rows: &[Vec<String>],
    right: &[usize],
) -> String {
    let cols = header.len();
    let mut width: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, cell) in r.iter().enumerate().take(cols) {
            width[i] = width[i].max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let line = |out: &mut String, cells: &[String]| {
        let mut s = String::from(indent);
        for (i, cell) in cells.iter().enumerate().take(cols) {
            let pad = width[i].saturating_sub(cell.chars().count());
            let last = i + 1 == cols;
            if right.contains(&i) {
                s.push_str(&" ".repeat(pad));
                s.push_str(cell);
            } else {
                s.push_str(cell);
                if !last {
                    s.push_str(&" ".repeat(pad));
                }
            }
            if !last {
                s.push_str("  ");
            }
        }
        out.push_str(s.trim_end());
        out.push('\n');
    };
    line(
        &mut out,
        &header.iter().map(|h| h.to_string()).collect::<Vec<_>>(),
    );
    for r in rows {
        line(&mut out, r);
    }
    out
}

/// The report as text.
pub fn report(r: &Report) -> String {
    let mut o = String::new();
    let rel = &r.release;
    let _ = writeln!(
        o,
        "weightcheck report: {} ({}, {})",
        rel.name, rel.publisher, rel.date
    );
    if !rel.summary.is_empty() {
        let _ = writeln!(o, "{}", rel.summary);
    }
    let _ = writeln!(o);
    let _ = writeln!(o, "{}", r.headline);
    let list = |v: &[String]| {
        if v.is_empty() {
            "none".to_string()
        } else {
            v.join(", ")
        }
    };
    let _ = writeln!(o, "  released:      {}", list(&r.released));
    let _ = writeln!(o, "  partly:        {}", list(&r.partial));
    let _ = writeln!(o, "  not released:  {}", list(&r.not_released));
    let _ = writeln!(o, "  unknown:       {}", list(&r.unknown));

    let _ = writeln!(
        o,
        "\n== Verdicts (judged from the components the manifest declares)\n"
    );
    wrapped(
        &mut o,
        &format!(
            "OSAID 1.0 (OSI Open Source AI Definition): {}",
            r.osaid.verdict
        ),
    );
    for c in &r.osaid.conditions {
        let _ = writeln!(o, "  {:<17} {}", c.name, c.state.label());
        wrapped(&mut o, &format!("      clause: {}", c.cite));
        for k in &c.checks {
            let mark = match k.state {
                State::Met => "+",
                State::NotMet => "-",
                State::Unknown => "?",
            };
            wrapped(&mut o, &format!("    {mark} {}", k.reason));
        }
    }

    let _ = writeln!(o);
    let m = &r.mof;
    let class = m.class.map_or("no class", |c| c.label());
    let _ = write!(o, "MOF (Model Openness Framework): {class}");
    match m.next {
        Some(next) if m.blocking.is_empty() && m.unknown.is_empty() => {
            let _ = writeln!(o, "; nothing blocks {}", next.label());
        }
        Some(next) => {
            let _ = writeln!(
                o,
                "; {}: {} blocking, {} unknown",
                next.label(),
                m.blocking.len(),
                m.unknown.len()
            );
            wrapped(&mut o, &format!("      clause: {}", m.cite));
            for b in &m.blocking {
                wrapped(&mut o, &format!("    - {}", blocker(b)));
            }
            for b in &m.unknown {
                wrapped(&mut o, &format!("    ? {}", blocker(b)));
            }
        }
        None => {
            let _ = writeln!(o, ", the highest class");
        }
    }

    let _ = writeln!(o, "\nEOSAI (European Open Source AI Index):");
    let rows: Vec<Vec<String>> = r
        .eosai
        .iter()
        .map(|e| {
            vec![
                e.category.label().to_string(),
                e.parameter.clone(),
                e.rating.label().to_string(),
            ]
        })
        .collect();
    let t = table("  ", &["group", "parameter", "rating"], &rows, &[]);
    let mut lines = t.lines();
    if let Some(head) = lines.next() {
        let _ = writeln!(o, "{head}");
    }
    for (line, e) in lines.zip(&r.eosai) {
        let _ = writeln!(o, "{line}");
        wrapped(&mut o, &format!("      asks: {}", e.asks));
        wrapped(&mut o, &format!("      {}", e.reason));
    }

    let _ = writeln!(o, "\n== Components\n");
    let undeclared: Vec<&str> = r
        .components
        .iter()
        .filter(|c| c.status.is_none())
        .map(|c| c.label.as_str())
        .collect();
    for c in r.components.iter().filter(|c| c.status.is_some()) {
        let license = match (&c.license, c.license_class) {
            (Some(l), Some(class)) => format!("{l} ({})", class.label()),
            _ => "-".to_string(),
        };
        let _ = writeln!(
            o,
            "  {:<26} {:<13} {}",
            c.label,
            status_label(c.status),
            license
        );
        if !c.evidence.is_empty() {
            wrapped(&mut o, &format!("      {}", c.evidence));
        }
        wrapped(&mut o, &format!("      {}", c.basis.label()));
    }
    if !undeclared.is_empty() {
        let _ = writeln!(
            o,
            "  not declared by the manifest: {}",
            undeclared.join(", ")
        );
    }
    for l in &r.licenses {
        wrapped(
            &mut o,
            &format!("\n  {}: the publisher's own license ({})", l.name, l.url),
        );
        for t in &l.terms {
            wrapped(&mut o, &format!("    - {} ({})", t.says, t.kind()));
            wrapped(&mut o, &format!("      source: {}", t.source));
        }
    }

    if !r.claims.is_empty() {
        let _ = writeln!(o, "\n== Claims\n");
        let rows: Vec<Vec<String>> = r
            .claims
            .iter()
            .map(|c| {
                vec![
                    c.text.clone(),
                    claimed(c.claimed),
                    c.computed.map_or_else(|| "-".to_string(), thousands),
                    c.verdict.clone(),
                ]
            })
            .collect();
        let t = table(
            "  ",
            &["claim", "claimed", "computed", "verdict"],
            &rows,
            &[1, 2],
        );
        let mut lines = t.lines();
        if let Some(head) = lines.next() {
            let _ = writeln!(o, "{head}");
        }
        for (line, c) in lines.zip(&r.claims) {
            let _ = writeln!(o, "{line}");
            let word = if c.computed.is_some() { "how" } else { "why" };
            let _ = writeln!(o, "      {word}: {}", c.how);
            wrapped(&mut o, &format!("      {}", c.basis.label()));
        }
    }

    if let Some(v) = &r.verification {
        let _ = writeln!(o, "\n== Files (verified here, in {})\n", v.root);
        let _ = writeln!(o, "  {}", v.files);
        for p in &v.problems {
            let _ = writeln!(o, "    - {p}");
        }
        let _ = writeln!(o, "  result: {}", v.result.word());
    }

    if let Some(inv) = &r.inventory {
        let _ = writeln!(
            o,
            "\n== Tensor inventory (verified here: decoded from the files)\n"
        );
        let _ = writeln!(
            o,
            "  {} files ({} undecodable), {} tensors, {} parameters ({}), {} payload bytes ({})\n",
            thousands(inv.files),
            inv.undecodable,
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
                    g.name.clone(),
                    thousands(g.tensors),
                    thousands(g.parameters),
                    thousands(g.bytes),
                    share(g.bytes, inv.payload_bytes),
                ]
            })
            .collect();
        o.push_str(&table(
            "  ",
            &["tensor kind", "tensors", "parameters", "bytes", "of bytes"],
            &rows,
            &[1, 2, 3, 4],
        ));
        if let (Some(first), true) = (inv.by_layer.first(), inv.layers_uniform()) {
            let _ = writeln!(
                o,
                "\n  {} layers, each {} tensors, {} parameters, {} bytes",
                inv.by_layer.len(),
                first.tensors,
                thousands(first.parameters),
                thousands(first.bytes)
            );
        } else if !inv.by_layer.is_empty() {
            let _ = writeln!(o);
            let rows: Vec<Vec<String>> = inv
                .by_layer
                .iter()
                .map(|g| {
                    vec![
                        g.name.clone(),
                        thousands(g.tensors),
                        thousands(g.parameters),
                        thousands(g.bytes),
                    ]
                })
                .collect();
            o.push_str(&table(
                "  ",
                &["layer", "tensors", "parameters", "bytes"],
                &rows,
                &[1, 2, 3],
            ));
        }
    }

    o.push_str(&raters(&r.raters));

    if !r.notes.is_empty() {
        let _ = writeln!(o);
        for n in &r.notes {
            wrapped(&mut o, &format!("note: {n}"));
        }
    }
    o
}

/// Pushes `text` wrapped at 100 columns, as a line.
fn wrapped(o: &mut String, text: &str) {
    o.push_str(&wrap(text));
    o.push('\n');
}

/// A blocking component: the framework's name for it when that differs
/// from the manifest's, then why it blocks.
pub(crate) fn blocker(b: &crate::report::evaluate::Check) -> String {
    if b.reason.starts_with(&b.asks) {
        b.reason.clone()
    } else {
        format!("{} — {}", b.asks, b.reason)
    }
}

/// `12.3%` of a total.
pub(crate) fn share(part: u64, total: u64) -> String {
    if total == 0 {
        return "-".to_string();
    }
    format!("{:.1}%", part as f64 * 100.0 / total as f64)
}

/// The comparison as one table.
pub fn compare(c: &Comparison) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "weightcheck report --compare: {} releases\n",
        c.releases.len()
    );
    let mut header: Vec<&str> = vec![""];
    header.extend(c.releases.iter().map(String::as_str));
    let mut rows = Vec::new();
    let mut section = "";
    for r in &c.rows {
        if r.section != section {
            section = &r.section;
            let mut head = vec![format!("[{section}]")];
            head.extend(c.releases.iter().map(|_| String::new()));
            rows.push(head);
        }
        let mut row = vec![format!("  {}", r.label)];
        row.extend(r.cells.iter().cloned());
        rows.push(row);
    }
    o.push_str(&table("", &header, &rows, &[]));
    if !c.differences.is_empty() {
        let _ = writeln!(o, "\nWhere weightcheck differs from a rater, and why:");
        for d in &c.differences {
            wrapped(
                &mut o,
                &format!(
                    "- {}, {}, {}: weightcheck {}, rater {}",
                    d.release, d.rater, d.label, d.weightcheck, d.rater_says
                ),
            );
            match (&d.why, &d.source) {
                (Some(w), Some(s)) => {
                    wrapped(&mut o, &format!("    why: {w}"));
                    wrapped(&mut o, &format!("    source: {s}"));
                }
                _ => {
                    let _ = writeln!(o, "    why: unexplained (the manifest gives no reason)");
                }
            }
        }
    }
    o
}

/// The raters' findings next to weightcheck's, one table per record; a
/// disagreement is followed by the manifest's explanation and source.
pub fn raters(views: &[crate::report::raters::RaterView]) -> String {
    use crate::report::raters::Agreement;
    let mut o = String::new();
    if views.is_empty() {
        return o;
    }
    let _ = writeln!(o, "\n== Independent raters\n");
    for v in views {
        wrapped(&mut o, &format!("{}: {:?} ({})", v.title, v.record, v.from));
        wrapped(&mut o, &format!("  rates: {}", v.rates));
        let rows: Vec<Vec<String>> = v
            .rows
            .iter()
            .map(|r| {
                vec![
                    r.label.clone(),
                    r.weightcheck.clone(),
                    r.rater.clone(),
                    r.agreement.mark().to_string(),
                ]
            })
            .collect();
        let t = table("  ", &["", "weightcheck", "rater", ""], &rows, &[]);
        let mut lines = t.lines();
        if let Some(head) = lines.next() {
            let _ = writeln!(o, "{head}");
        }
        for (line, r) in lines.zip(&v.rows) {
            let _ = writeln!(o, "{line}");
            if !r.rater_note.is_empty() {
                wrapped(&mut o, &format!("      rater: {}", r.rater_note));
            }
            if r.agreement != Agreement::Disagree {
                continue;
            }
            match &r.note {
                Some(n) => {
                    wrapped(&mut o, &format!("      why: {}", n.why));
                    wrapped(&mut o, &format!("      source: {}", n.source));
                }
                None => {
                    let _ = writeln!(o, "      why: unexplained (the manifest gives no reason)");
                }
            }
        }
        let _ = writeln!(o);
    }
    o.pop();
    o
}
