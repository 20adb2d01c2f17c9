//! The openness report ([`crate::report`]) as text, JSON, Markdown or one
//! self-contained HTML page.

use super::Format;
use crate::report::{Comparison, Report};
use crate::Result;

pub mod html;
pub mod json;
pub mod md;
pub mod text;

/// Renders one report.
pub fn report(r: &Report, format: Format) -> Result<String> {
    Ok(match format {
        Format::Text => text::report(r),
        Format::Json => json::to_string(r)?,
        Format::Markdown => md::report(r),
        Format::Html => html::report(r),
    })
}

/// A Model Openness Tool record as YAML, the form the tool keeps them in.
pub fn mot(record: &crate::report::raters::record::MotRecord) -> Result<String> {
    let yaml = serde_yaml_ng::to_string(record)
        .map_err(|e| crate::Error::Invalid(format!("cannot write the record as YAML: {e}")))?;
    Ok(quote_dates(&yaml))
}

/// Quotes plain scalars that look like dates (`date: 2024-03-17`): YAML
/// 1.2 reads them as strings, as the schema wants, but YAML 1.1 readers
/// (PyYAML, the tool's own PHP) read a date, which the schema refuses.
fn quote_dates(yaml: &str) -> String {
    let is_date = |v: &str| {
        let b = v.as_bytes();
        b.len() == 10
            && b.iter().enumerate().all(|(i, c)| {
                if i == 4 || i == 7 {
                    *c == b'-'
                } else {
                    c.is_ascii_digit()
                }
            })
    };
    let mut out = String::with_capacity(yaml.len() + 16);
    for line in yaml.lines() {
        match line.split_once(": ") {
            Some((key, value)) if is_date(value) => {
                out.push_str(&format!("{key}: '{value}'"));
            }
            _ => out.push_str(line),
        }
        out.push('\n');
    }
    out
}

/// Renders a comparison.
pub fn compare(c: &Comparison, format: Format) -> Result<String> {
    Ok(match format {
        Format::Text => text::compare(c),
        Format::Json => json::to_string(c)?,
        Format::Markdown => md::compare(c),
        Format::Html => html::compare(c),
    })
}
