//! One self-contained HTML page: inline CSS, an inline SVG chart, no
//! scripts and no external assets, so it opens offline and can be mailed
//! or archived as a single file.

use std::fmt::Write;

use super::text::share;
use crate::report::evaluate::State;
use crate::report::{status_label, Basis, Comparison, Group, Inventory, Report};
use crate::units::{claimed, human_count, thousands, Bytes};
use crate::verdict::Outcome;

/// Escapes text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

const STYLE: &str = r#"
:root { --fg:#1f2328; --muted:#59636e; --line:#d1d9e0; --bg:#ffffff; --panel:#f6f8fa;
  --open:#1a7f37; --open-bg:#dafbe1; --partial:#9a6700; --partial-bg:#fff8c5;
  --closed:#cf222e; --closed-bg:#ffebe9; --none:#59636e; --none-bg:#eff2f5;
  --bytes:#0969da; --params:#8250df; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--fg);
  font:15px/1.5 -apple-system, "Segoe UI", "DejaVu Sans", Helvetica, Arial, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 28px 32px 48px; }
header h1 { margin:0; font-size:28px; }
header .meta { color:var(--muted); margin-top:2px; }
header .summary { margin-top:8px; }
.headline { margin:18px 0 8px; padding:14px 18px; border-left:5px solid var(--fg);
  background:var(--panel); font-size:18px; font-weight:600; }
.lists { display:grid; grid-template-columns: 130px 1fr; gap:4px 12px; margin:8px 0 0; }
.lists dt { color:var(--muted); }
.lists dd { margin:0; }
h2 { margin:34px 0 6px; font-size:21px; border-bottom:1px solid var(--line); padding-bottom:4px; }
h3 { margin:0 0 6px; font-size:16px; }
.sub { color:var(--muted); margin:0 0 12px; font-size:14px; }
.cards { display:grid; grid-template-columns: repeat(3, 1fr); gap:16px; }
.card { border:1px solid var(--line); border-radius:8px; padding:14px 16px; background:var(--bg); }
.card .big { font-size:20px; font-weight:700; margin:4px 0 8px; }
.card ul { margin:6px 0 0; padding-left:18px; }
.card li { margin:2px 0; font-size:14px; }
.pill { display:inline-block; padding:1px 9px; border-radius:999px; font-size:13px;
  font-weight:600; white-space:nowrap; color:var(--fg); background:var(--none-bg); }
.open, .released, .met, .verified { color:var(--open); background:var(--open-bg); }
.partial { color:var(--partial); background:var(--partial-bg); }
.open-source-AI { color:var(--open); background:var(--open-bg); }
.closed, .not-released, .not-met, .mismatch, .not-open-source { color:var(--closed); background:var(--closed-bg); }
.unknown, .not-declared { color:var(--none); background:var(--none-bg); }
.big.open-source { color:var(--open); }
.big.not-open { color:var(--closed); }
table { border-collapse:collapse; width:100%; font-size:14px; }
th, td { text-align:left; vertical-align:top; padding:6px 10px; border-bottom:1px solid var(--line); }
th { background:var(--panel); font-weight:600; }
td.num, th.num { text-align:right; font-variant-numeric: tabular-nums; white-space:nowrap; }
.detail { color:var(--muted); font-size:12.5px; margin-top:2px; }
td.nowrap, th.nowrap { white-space:nowrap; }
.confirmed { color:var(--open); background:var(--open-bg); }
.approximately { color:var(--partial); background:var(--partial-bg); }
.contradicted { color:var(--closed); background:var(--closed-bg); }
.eosai-grid { display:grid; grid-template-columns: 1fr auto; gap:3px 10px; font-size:14px; }
.eosai-grid .cat { grid-column: 1 / span 2; color:var(--muted); font-size:12.5px;
  text-transform:uppercase; letter-spacing:.04em; margin-top:6px; }
code { font: 13px ui-monospace, "DejaVu Sans Mono", Menlo, monospace; }
.stats { display:flex; gap:28px; flex-wrap:wrap; margin:6px 0 14px; }
.stats div { font-size:14px; color:var(--muted); }
.stats b { display:block; font-size:20px; color:var(--fg); }
.chart { border:1px solid var(--line); border-radius:8px; padding:10px; margin:8px 0 16px; }
#claims td:first-child { min-width: 170px; }
.card .rule { color:var(--muted); font-size:13px; margin-top:12px; border-top:1px solid var(--line);
  padding-top:8px; }
.notes li { color:var(--muted); margin:4px 0; }
footer { margin-top:36px; color:var(--muted); font-size:13px; }
.compare td:first-child { white-space:nowrap; }
.compare tr.section td { background:var(--panel); font-weight:600; }
@media (max-width: 900px) { .cards { grid-template-columns: 1fr; } }
"#;

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n{body}\
         <footer>Generated by weightcheck {}. Frameworks: OSI Open Source AI Definition 1.0; \
         Model Openness Framework (LF AI &amp; Data); European Open Source AI Index.</footer>\n\
         </main>\n</body>\n</html>\n",
        esc(title),
        env!("CARGO_PKG_VERSION")
    )
}

/// A CSS class for a cell value (`released`, `not released`, `open` …).
fn class_of(value: &str) -> String {
    value.replace(' ', "-")
}

/// A basis cell: a pill saying where the line comes from, the detail below.
fn basis(b: &Basis) -> String {
    match b {
        Basis::VerifiedHere { detail } => format!(
            "<span class=\"pill verified\">verified here</span><div class=\"detail\">{}</div>",
            esc(detail)
        ),
        Basis::Declared { source } => format!(
            "<span class=\"pill declared\">declared by the manifest</span><div class=\"detail\">{}</div>",
            esc(source)
        ),
        Basis::ComputedHere { detail } => format!(
            "<span class=\"pill computed\">computed here</span><div class=\"detail\">{}</div>",
            esc(detail)
        ),
        Basis::CheckedHere { detail } => format!(
            "<span class=\"pill partial\">checked here, not proven</span><div class=\"detail\">{}</div>",
            esc(detail)
        ),
        Basis::Undeclared => "<span class=\"pill not-declared\">not declared</span>".to_string(),
    }
}

/// A claim verdict as a pill coloured by its first word.
fn verdict_pill(label: &str) -> String {
    let class = match label.split_whitespace().next() {
        Some("confirmed") => "confirmed",
        Some("approximately") => "approximately",
        Some("contradicted") => "contradicted",
        _ => "unknown",
    };
    format!("<span class=\"pill {class}\">{}</span>", esc(label))
}

/// The verification's result word; green only when every byte was proven.
fn outcome_pill(o: Outcome) -> String {
    let class = match o {
        Outcome::Verified => "verified",
        Outcome::Failed => "mismatch",
        _ => "partial",
    };
    format!("<span class=\"pill {class}\">{}</span>", o.word())
}

fn pill(value: &str) -> String {
    format!(
        "<span class=\"pill {}\">{}</span>",
        esc(&class_of(value)),
        esc(value)
    )
}

/// The report as an HTML page.
pub fn report(r: &Report) -> String {
    let mut o = String::new();
    let rel = &r.release;
    let _ = writeln!(
        o,
        "<header><h1>{}</h1><div class=\"meta\">{} · {} · release id <code>{}</code></div>",
        esc(&rel.name),
        esc(&rel.publisher),
        esc(&rel.date),
        esc(&rel.id)
    );
    if !rel.summary.is_empty() {
        let _ = write!(o, "<div class=\"summary\">{}</div>", esc(&rel.summary));
    }
    let _ = writeln!(o, "</header>");
    let _ = writeln!(o, "<div class=\"headline\">{}</div>", esc(&r.headline));
    let list = |v: &[String]| {
        if v.is_empty() {
            "none".to_string()
        } else {
            esc(&v.join(", "))
        }
    };
    let _ = writeln!(
        o,
        "<dl class=\"lists\"><dt>Released</dt><dd>{}</dd><dt>Partly released</dt><dd>{}</dd>\
         <dt>Not released</dt><dd>{}</dd><dt>Unknown</dt><dd>{}</dd></dl>",
        list(&r.released),
        list(&r.partial),
        list(&r.not_released),
        list(&r.unknown)
    );

    verdicts(&mut o, r);
    if !r.claims.is_empty() {
        claims(&mut o, r);
    }
    components(&mut o, r);
    if let Some(v) = &r.verification {
        let _ = writeln!(
            o,
            "<h2>Files</h2><p class=\"sub\">Verified here, in <code>{}</code>.</p>\
             <p>{} {}</p>",
            esc(&v.root),
            outcome_pill(v.result),
            esc(&v.files)
        );
        if !v.problems.is_empty() {
            let _ = writeln!(o, "<ul>");
            for p in &v.problems {
                let _ = writeln!(o, "<li>{}</li>", esc(p));
            }
            let _ = writeln!(o, "</ul>");
        }
    }
    if let Some(inv) = &r.inventory {
        inventory(&mut o, inv);
    }
    why(&mut o, r);
    raters(&mut o, r);
    if !r.notes.is_empty() {
        let _ = writeln!(o, "<h2>Notes</h2><ul class=\"notes\">");
        for n in &r.notes {
            let _ = writeln!(o, "<li>{}</li>", esc(n));
        }
        let _ = writeln!(o, "</ul>");
    }
    page(&format!("weightcheck report: {}", rel.name), &o)
}

fn verdicts(o: &mut String, r: &Report) {
    let _ = writeln!(
        o,
        "<h2>Verdicts</h2><p class=\"sub\">Judged from the components the manifest declares.</p>\
         <div class=\"cards\">"
    );
    // OSAID
    let (cls, word) = match r.osaid.state {
        State::Met => ("open-source", "Open source AI"),
        State::NotMet => ("not-open", "Not open source AI"),
        State::Unknown => ("unknown", "Not shown to be open source AI"),
    };
    let _ = writeln!(
        o,
        "<div class=\"card\" id=\"osaid\"><h3>OSI Open Source AI Definition 1.0</h3>\
         <div class=\"big {cls}\">{word}</div><ul>"
    );
    for c in &r.osaid.conditions {
        let status = state_word(c.state);
        let why = if c.state == State::Met {
            String::new()
        } else {
            format!(" — {}", esc(&c.missing.join(", ")))
        };
        let _ = writeln!(o, "<li>{} {}{why}</li>", esc(&c.name), pill(status));
    }
    let _ = writeln!(
        o,
        "</ul><div class=\"rule\">Open source AI needs all three — data information, the \
         complete code to train and run, and the parameters — under OSI-approved terms.</div></div>"
    );
    // MOF
    let m = &r.mof;
    let class = m.class.map_or("No class", |c| c.label());
    let _ = writeln!(
        o,
        "<div class=\"card\" id=\"mof\"><h3>Model Openness Framework</h3>\
         <div class=\"big\">{}</div>",
        esc(class)
    );
    match m.next {
        Some(next) if !m.blocking.is_empty() => {
            let _ = writeln!(o, "<div>Blocking {}:</div><ul>", esc(next.label()));
            for b in &m.blocking {
                let _ = writeln!(
                    o,
                    "<li>{} {}</li>",
                    esc(&b.asks),
                    pill(status_label(b.status))
                );
            }
            let _ = writeln!(o, "</ul>");
        }
        Some(next) => {
            let _ = writeln!(o, "<div>Nothing blocks {}.</div>", esc(next.label()));
        }
        None => {
            let _ = writeln!(o, "<div>The highest class.</div>");
        }
    }
    let _ = writeln!(
        o,
        "<div class=\"rule\">Class III (Open Model): architecture, final parameters, evaluation \
         results, model card, data card, technical report. Class II adds training, inference and \
         evaluation code and evaluation data; Class I adds the datasets, preprocessing code, \
         intermediate parameters and a research paper. Each under an open license fit for its \
         type.</div></div>"
    );
    // EOSAI
    let count = |w: &str| r.eosai.iter().filter(|e| e.rating.label() == w).count();
    let _ = writeln!(
        o,
        "<div class=\"card\" id=\"eosai\"><h3>European Open Source AI Index</h3>\
         <div class=\"big\">{} open · {} partial · {} closed</div><div class=\"eosai-grid\">",
        count("open"),
        count("partial"),
        count("closed")
    );
    let mut category = None;
    for e in &r.eosai {
        if category != Some(e.category) {
            category = Some(e.category);
            let _ = writeln!(o, "<div class=\"cat\">{}</div>", esc(e.category.label()));
        }
        let _ = writeln!(
            o,
            "<div>{}</div><div>{}</div>",
            esc(&e.parameter),
            pill(e.rating.label())
        );
    }
    let _ = writeln!(o, "</div></div></div>");
}

/// Every rule applied, with its reason.
fn why(o: &mut String, r: &Report) {
    let m = &r.mof;
    let _ = writeln!(
        o,
        "<h2>Why: every rule applied</h2><p class=\"sub\">Each framework's requirement, the \
         manifest component it looks at, and the outcome.</p><table id=\"why\"><thead><tr>\
         <th>framework</th><th>asks for</th><th></th><th>reason</th></tr></thead><tbody>"
    );
    for c in &r.osaid.conditions {
        for k in &c.checks {
            let _ = writeln!(
                o,
                "<tr><td class=\"nowrap\">OSAID: {}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&c.name),
                esc(&k.asks),
                pill(state_word(k.state)),
                esc(&k.reason)
            );
        }
    }
    for k in &m.checks {
        let _ = writeln!(
            o,
            "<tr><td class=\"nowrap\">MOF: {}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(k.class.short()),
            esc(&k.check.asks),
            pill(state_word(k.check.state)),
            esc(&k.check.reason)
        );
    }
    for e in &r.eosai {
        let _ = writeln!(
            o,
            "<tr><td class=\"nowrap\">EOSAI: {}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(e.category.label()),
            esc(&e.parameter),
            pill(e.rating.label()),
            esc(&e.reason)
        );
    }
    let _ = writeln!(o, "</tbody></table>");
}

fn claims(o: &mut String, r: &Report) {
    let _ = writeln!(
        o,
        "<h2>Claims</h2><p class=\"sub\">The publisher's claims against the weights.</p>\
         <table id=\"claims\"><thead><tr><th>claim</th><th class=\"num\">claimed</th>\
         <th class=\"num\">computed</th><th>verdict</th><th>how</th><th>basis</th></tr></thead><tbody>"
    );
    for c in &r.claims {
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td>\
             <td>{}</td><td>{}</td></tr>",
            esc(&c.text),
            esc(&claimed(c.claimed)),
            esc(&c.computed.map_or_else(|| "-".to_string(), thousands)),
            verdict_pill(&c.verdict),
            esc(&c.how),
            basis(&c.basis)
        );
    }
    let _ = writeln!(o, "</tbody></table>");
}

fn components(o: &mut String, r: &Report) {
    let _ = writeln!(
        o,
        "<h2>Components</h2><table id=\"components\"><thead><tr><th>component</th><th>status</th>\
         <th>license</th><th>evidence</th><th>basis</th></tr></thead><tbody>"
    );
    for c in &r.components {
        let license = match (&c.license, c.license_class) {
            (Some(l), Some(class)) => {
                format!("{}<br><small>{}</small>", esc(l), esc(class.label()))
            }
            _ => "-".to_string(),
        };
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td>{}</td><td class=\"nowrap\">{license}</td><td>{}</td><td>{}</td></tr>",
            esc(&c.label),
            pill(status_label(c.status)),
            esc(&c.evidence),
            basis(&c.basis)
        );
    }
    let _ = writeln!(o, "</tbody></table>");
}

fn inventory(o: &mut String, inv: &Inventory) {
    let _ = writeln!(
        o,
        "<h2>Tensor inventory</h2><p class=\"sub\">Verified here: decoded from the files on disk \
         (headers only).</p><div class=\"stats\">\
         <div><b>{}</b>files</div><div><b>{}</b>tensors</div>\
         <div><b>{}</b>parameters ({})</div><div><b>{}</b>payload bytes ({})</div></div>",
        thousands(inv.files),
        thousands(inv.tensors),
        human_count(inv.parameters),
        thousands(inv.parameters),
        Bytes(inv.payload_bytes),
        thousands(inv.payload_bytes)
    );
    let _ = writeln!(o, "<div class=\"chart\">{}</div>", chart(&inv.by_kind));
    let _ = writeln!(
        o,
        "<table id=\"inventory\"><thead><tr><th>tensor kind</th><th class=\"num\">tensors</th>\
         <th class=\"num\">parameters</th><th class=\"num\">bytes</th><th class=\"num\">of bytes</th>\
         </tr></thead><tbody>"
    );
    for g in &inv.by_kind {
        let _ = writeln!(
            o,
            "<tr><td><code>{}</code></td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(&g.name),
            thousands(g.tensors),
            thousands(g.parameters),
            thousands(g.bytes),
            share(g.bytes, inv.payload_bytes)
        );
    }
    let _ = writeln!(o, "</tbody></table>");
    if let (Some(first), true) = (inv.by_layer.first(), inv.layers_uniform()) {
        let _ = writeln!(
            o,
            "<p>{} transformer layers, each {} tensors, {} parameters and {} bytes.</p>",
            inv.by_layer.len(),
            first.tensors,
            thousands(first.parameters),
            thousands(first.bytes)
        );
    } else if !inv.by_layer.is_empty() {
        let _ = writeln!(
            o,
            "<h3>Per layer</h3><div class=\"chart\">{}</div>",
            chart(&inv.by_layer)
        );
    }
}

/// A horizontal bar chart: for each group, its bytes and its parameters,
/// each scaled to the largest of its measure.
pub fn chart(groups: &[Group]) -> String {
    const LABEL: f64 = 300.0;
    const BAR: f64 = 560.0;
    const ROW: f64 = 36.0;
    const TOP: f64 = 30.0;
    let width = LABEL + BAR + 190.0;
    let height = TOP + ROW * groups.len() as f64 + 8.0;
    let max_bytes = groups.iter().map(|g| g.bytes).max().unwrap_or(0).max(1) as f64;
    let max_params = groups
        .iter()
        .map(|g| g.parameters)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"100%\" \
         role=\"img\" aria-label=\"bytes and parameters per tensor kind\" \
         font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"13\">"
    );
    let _ = write!(
        s,
        "<rect x=\"{LABEL}\" y=\"6\" width=\"12\" height=\"12\" fill=\"#0969da\"/>\
         <text x=\"{}\" y=\"16\" fill=\"#1f2328\">bytes</text>\
         <rect x=\"{}\" y=\"6\" width=\"12\" height=\"12\" fill=\"#8250df\"/>\
         <text x=\"{}\" y=\"16\" fill=\"#1f2328\">parameters</text>",
        LABEL + 18.0,
        LABEL + 80.0,
        LABEL + 98.0
    );
    for (i, g) in groups.iter().enumerate() {
        let y = TOP + ROW * i as f64;
        let wb = (g.bytes as f64 / max_bytes * BAR).max(1.0);
        let wp = (g.parameters as f64 / max_params * BAR).max(1.0);
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#1f2328\">{}</text>\
             <rect x=\"{LABEL}\" y=\"{}\" width=\"{wb:.1}\" height=\"13\" fill=\"#0969da\"><title>{} bytes</title></rect>\
             <text x=\"{:.1}\" y=\"{}\" fill=\"#59636e\" font-size=\"12\">{}</text>\
             <rect x=\"{LABEL}\" y=\"{}\" width=\"{wp:.1}\" height=\"13\" fill=\"#8250df\"><title>{} parameters</title></rect>\
             <text x=\"{:.1}\" y=\"{}\" fill=\"#59636e\" font-size=\"12\">{}</text>",
            LABEL - 10.0,
            y + 19.0,
            esc(&g.name),
            y + 2.0,
            thousands(g.bytes),
            LABEL + wb + 6.0,
            y + 13.0,
            Bytes(g.bytes),
            y + 16.0,
            thousands(g.parameters),
            LABEL + wp + 6.0,
            y + 27.0,
            human_count(g.parameters)
        );
    }
    s.push_str("</svg>");
    s
}

/// The comparison as an HTML page.
pub fn compare(c: &Comparison) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "<header><h1>What was released</h1><div class=\"meta\">{} releases side by side</div></header>\
         <table class=\"compare\" id=\"compare\"><thead><tr><th></th>",
        c.releases.len()
    );
    for r in &c.releases {
        let _ = write!(o, "<th>{}</th>", esc(r));
    }
    let _ = writeln!(o, "</tr></thead><tbody>");
    let mut section = "";
    for row in &c.rows {
        if row.section != section {
            section = &row.section;
            let _ = writeln!(
                o,
                "<tr class=\"section\"><td colspan=\"{}\">{}</td></tr>",
                c.releases.len() + 1,
                esc(section)
            );
        }
        let _ = write!(o, "<tr><td>{}</td>", esc(&row.label));
        for cell in &row.cells {
            let _ = write!(o, "<td>{}</td>", pill(cell));
        }
        let _ = writeln!(o, "</tr>");
    }
    let _ = writeln!(o, "</tbody></table>");
    if !c.differences.is_empty() {
        let _ = writeln!(
            o,
            "<h2>Where weightcheck differs from a rater, and why</h2><ul class=\"notes\">"
        );
        for d in &c.differences {
            let why = match (&d.why, &d.source) {
                (Some(w), Some(s)) => {
                    format!("{} <span class=\"detail\">{}</span>", esc(w), esc(s))
                }
                _ => "unexplained".to_string(),
            };
            let _ = writeln!(
                o,
                "<li><b>{}</b>, {}, {}: weightcheck {}, rater {}. {why}</li>",
                esc(&d.release),
                esc(&d.rater),
                esc(&d.label),
                esc(&d.weightcheck),
                esc(&d.rater_says)
            );
        }
        let _ = writeln!(o, "</ul>");
    }
    page("weightcheck report --compare", &o)
}

/// `met`, `not met`, `unknown`.
fn state_word(state: State) -> &'static str {
    match state {
        State::Met => "met",
        State::NotMet => "not met",
        State::Unknown => "unknown",
    }
}

/// The raters' findings next to weightcheck's, one table per record.
fn raters(o: &mut String, r: &Report) {
    if r.raters.is_empty() {
        return;
    }
    let _ = writeln!(o, "<h2>Independent raters</h2>");
    for v in &r.raters {
        let _ = writeln!(
            o,
            "<h3>{}</h3><p>Record “{}” ({}); it rates {}.</p><table><tr><th></th>\
             <th>weightcheck</th><th>rater</th><th></th><th>why they differ</th></tr>",
            esc(&v.title),
            esc(&v.record),
            esc(&v.from),
            esc(&v.rates)
        );
        for row in &v.rows {
            let why = row.note.as_ref().map_or_else(String::new, |n| {
                format!(
                    "{} <span class=\"detail\">{}</span>",
                    esc(&n.why),
                    esc(&n.source)
                )
            });
            let _ = writeln!(
                o,
                "<tr><td>{}</td><td>{}</td><td>{} <span class=\"detail\">{}</span></td>\
                 <td>{}</td><td>{why}</td></tr>",
                esc(&row.label),
                esc(&row.weightcheck),
                esc(&row.rater),
                esc(&row.rater_note),
                esc(row.agreement.mark()),
            );
        }
        let _ = writeln!(o, "</table>");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }

    #[test]
    fn chart_has_a_bar_pair_per_group() {
        let g = |name: &str, p, b| Group {
            name: name.to_string(),
            tensors: 1,
            parameters: p,
            bytes: b,
        };
        let svg = chart(&[g("moe/linear/w", 100, 200), g("<norm>", 1, 2)]);
        assert_eq!(svg.matches("<rect").count(), 2 + 4);
        assert!(svg.contains("&lt;norm&gt;"));
        assert!(!svg.contains("http://") || svg.matches("http://").count() == 1);
    }
}
