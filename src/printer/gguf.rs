//! The key/values of GGUF files in `inspect`'s output: a section per file
//! after the table, and `gguf` in the JSON document.

use std::io::Write;

use serde::Serialize;

use super::escape;
use crate::formats::gguf::{Header, Value};
use crate::inventory::Entry;

/// Characters of a value shown in the table; JSON holds what was kept.
const SHOWN: usize = 100;

/// A GGUF file's header, with the file it is in.
#[derive(Debug, Serialize)]
pub struct FileHeader<'a> {
    /// File path relative to the argument it was found under.
    pub file: &'a str,
    /// Version, alignment, data start and key/values.
    #[serde(flatten)]
    pub header: &'a Header,
}

/// The headers of the GGUF files of an inventory, in order.
pub fn headers(entries: &[Entry]) -> Vec<FileHeader<'_>> {
    entries
        .iter()
        .filter_map(|e| {
            e.gguf.as_deref().map(|header| FileHeader {
                file: &e.rel,
                header,
            })
        })
        .collect()
}

/// A section per file: what the header says, then a line per key/value,
/// every name and string escaped for the terminal.
pub fn table(out: &mut dyn Write, headers: &[FileHeader]) -> std::io::Result<()> {
    for h in headers {
        let m = &h.header.metadata;
        writeln!(out)?;
        writeln!(
            out,
            "{}: GGUF v{}, alignment {}, data at byte {}, {} key{}",
            escape(h.file),
            h.header.version,
            h.header.alignment,
            h.header.data_start,
            m.len(),
            if m.len() == 1 { "" } else { "s" }
        )?;
        let key_w = m.iter().map(|kv| kv.key.chars().count()).max().unwrap_or(0);
        for kv in m {
            writeln!(
                out,
                "  {:<key_w$}  {:<6}  {}",
                escape(&kv.key),
                kv.value.value_type().name(),
                shown(&kv.value)
            )?;
        }
    }
    Ok(())
}

/// A value cut to [`SHOWN`] characters, saying how long a cut string is.
fn shown(value: &Value) -> String {
    let text = value.display();
    let escaped = escape(&text);
    if escaped.chars().count() <= SHOWN {
        return escaped.into_owned();
    }
    let cut: String = escaped.chars().take(SHOWN).collect();
    match value {
        Value::String(t) => format!("{cut}... ({} bytes)", t.len),
        _ => format!("{cut}..."),
    }
}
