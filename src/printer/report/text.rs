//! Plain text for a terminal.

use std::fmt::Write;

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

    let _ = writeln!(
        o,
        "\n== Verdicts (judged from the components the manifest declares)\n"
    );
    let _ = writeln!(
        o,
        "OSAID 1.0 (OSI Open Source AI Definition): {}",
        r.osaid.verdict
    );
    for c in &r.osaid.conditions {
        let _ = writeln!(
            o,
            "  {:<17} {}",
            c.name,
            if c.met { "met" } else { "NOT MET" }
        );
        for k in &c.checks {
            let _ = writeln!(o, "    {} {}", if k.met { "+" } else { "-" }, k.reason);
        }
    }

    let _ = writeln!(o);
    let m = &r.mof;
    let class = m.class.map_or("no class", |c| c.label());
    let _ = write!(o, "MOF (Model Openness Framework): {class}");
    match m.next {
        Some(next) if m.blocking.is_empty() => {
            let _ = writeln!(o, "; nothing blocks {}", next.label());
        }
        Some(next) => {
            let _ = writeln!(o, "; {} blocked by {}:", next.label(), m.blocking.len());
            for b in &m.blocking {
                let _ = writeln!(o, "    - {}", blocker(b));
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
                e.reason.clone(),
            ]
        })
        .collect();
    o.push_str(&table(
        "  ",
        &["group", "parameter", "rating", "why"],
        &rows,
        &[],
    ));

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
            let _ = writeln!(o, "      {}", c.evidence);
        }
        let _ = writeln!(o, "      {}", c.basis.label());
    }
    if !undeclared.is_empty() {
        let _ = writeln!(
            o,
            "  not declared by the manifest: {}",
            undeclared.join(", ")
        );
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
            let _ = writeln!(o, "      {}", c.basis.label());
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

    if !r.notes.is_empty() {
        let _ = writeln!(o);
        for n in &r.notes {
            let _ = writeln!(o, "note: {n}");
        }
    }
    o
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
    o
}
