//! Renders a [`Report`] or a [`Comparison`] as text, JSON, Markdown or one
//! self-contained HTML page.

use std::str::FromStr;

use super::{Comparison, Report};
use crate::{Error, Result};

pub mod html;
pub mod json;
pub mod md;
pub mod text;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Plain text for a terminal.
    Text,
    /// The whole report as JSON.
    Json,
    /// Markdown (GitHub-flavoured tables).
    Markdown,
    /// One HTML page with inline CSS and SVG, no external assets.
    Html,
}

impl FromStr for Format {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "text" => Ok(Format::Text),
            "json" => Ok(Format::Json),
            "md" | "markdown" => Ok(Format::Markdown),
            "html" => Ok(Format::Html),
            other => Err(Error::Invalid(format!(
                "unknown report format {other:?} (text, json, md, html)"
            ))),
        }
    }
}

/// Renders one report.
pub fn report(r: &Report, format: Format) -> Result<String> {
    Ok(match format {
        Format::Text => text::report(r),
        Format::Json => json::to_string(r)?,
        Format::Markdown => md::report(r),
        Format::Html => html::report(r),
    })
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

/// Groups digits in threes.
pub(crate) fn thousands(n: u64) -> String {
    crate::cli::inspect::thousands(n)
}

/// A byte count for people: `318.2 GB` (decimal units, as hubs and
/// torrent sites print them).
pub(crate) fn human_bytes(n: u64) -> String {
    const UNITS: &[&str] = &["B", "kB", "MB", "GB", "TB", "PB"];
    let mut v = n as f64;
    let mut unit = 0;
    while v >= 1000.0 && unit + 1 < UNITS.len() {
        v /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

/// A parameter count for people: `315.7B`, `3.4M`.
pub(crate) fn human_count(n: u64) -> String {
    let v = n as f64;
    if v >= 1e9 {
        format!("{:.1}B", v / 1e9)
    } else if v >= 1e6 {
        format!("{:.1}M", v / 1e6)
    } else if v >= 1e3 {
        format!("{:.1}k", v / 1e3)
    } else {
        n.to_string()
    }
}

/// A claimed value: whole numbers grouped in threes.
pub(crate) fn claimed(v: f64) -> String {
    if v.fract() == 0.0 && (0.0..1.8e19).contains(&v) {
        thousands(v as u64)
    } else {
        format!("{v}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn humane_numbers() {
        assert_eq!(human_bytes(318_239_886_140), "318.2 GB");
        assert_eq!(human_bytes(999), "999 B");
        assert_eq!(human_count(83_756_587_008), "83.8B");
        assert_eq!(claimed(86e9), "86,000,000,000");
        assert_eq!("md".parse::<Format>().ok(), Some(Format::Markdown));
        assert!("pdf".parse::<Format>().is_err());
    }
}
