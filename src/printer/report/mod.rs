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

/// Renders a comparison.
pub fn compare(c: &Comparison, format: Format) -> Result<String> {
    Ok(match format {
        Format::Text => text::compare(c),
        Format::Json => json::to_string(c)?,
        Format::Markdown => md::compare(c),
        Format::Html => html::compare(c),
    })
}
