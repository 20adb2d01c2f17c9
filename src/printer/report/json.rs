//! JSON: the report's own structure, for other tools.

use serde::Serialize;

use crate::{Error, Result};

/// Pretty-printed JSON with a final newline.
pub fn to_string<T: Serialize>(value: &T) -> Result<String> {
    let mut s = serde_json::to_string_pretty(value)
        .map_err(|e| Error::Invalid(format!("cannot encode the report as JSON: {e}")))?;
    s.push('\n');
    Ok(s)
}
