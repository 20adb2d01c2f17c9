//! Every printer, apart from the engines (the engines never print and never
//! import this module): one file per command's output, each turning a
//! library result into text, and JSON where the shape is the command's own.
//! Names that come from inputs are written here, so this is where terminal
//! output is made safe.
//!
//! - [`verify`], [`hash`], `fetch` (features `bittorrent` and `cli`),
//!   [`github`], [`inspect`] (with [`gguf`]), [`torrent`]: the text (and
//!   JSON) of those commands;
//! - [`report`]: the openness report as text, JSON, Markdown or HTML;
//! - `progress` (feature `cli`): the one progress-bar style every long run uses;
//! - [`width`]: prose wrapped to 100 columns.

use std::borrow::Cow;
use std::str::FromStr;

use crate::{Error, Result};

#[cfg(all(feature = "bittorrent", feature = "cli"))]
pub mod fetch;
pub mod gguf;
pub mod github;
pub mod hash;
pub mod hf;
pub mod inspect;
pub mod pin;
#[cfg(feature = "cli")]
pub mod progress;
pub mod report;
#[cfg(feature = "signing")]
pub mod signing;
pub mod torrent;
pub mod verify;
pub mod width;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
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

/// A name that came from an input (a file name, a torrent's name, a
/// tracker, a comment), made safe for a terminal: control characters
/// (newlines, escape sequences, carriage returns) are shown escaped, so a
/// name cannot fake a line such as `result: VERIFIED` or hide one. JSON
/// output carries names exactly; only text goes through here.
pub fn escape(name: &str) -> Cow<'_, str> {
    if !name.chars().any(char::is_control) {
        return Cow::Borrowed(name);
    }
    let mut out = String::with_capacity(name.len() + 8);
    for c in name.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_cannot_forge_lines_or_hide_them() {
        assert_eq!(escape("ckpt-0/tensor00001_000"), "ckpt-0/tensor00001_000");
        assert_eq!(
            escape("a\nresult: VERIFIED\u{1b}[8m"),
            "a\\nresult: VERIFIED\\u{1b}[8m"
        );
        assert_eq!(escape("tab\there\r"), "tab\\there\\r");
        assert_eq!(escape("ünïcode ok"), "ünïcode ok");
    }

    #[test]
    fn formats_parse() {
        assert_eq!("md".parse::<Format>().ok(), Some(Format::Markdown));
        assert!("pdf".parse::<Format>().is_err());
    }
}
