//! `inspect`'s output: a table (default), `--json` or `--csv` of every
//! tensor (schema in README, "inspect output").

use std::io::Write;

use serde::Serialize;

use super::escape;
use crate::formats::grok::shard_index;
use crate::formats::tensor::shape_str;
use crate::inventory::{Entry, Totals};
use crate::units::thousands;

/// One tensor as printed.
#[derive(Debug, Serialize)]
pub struct Row {
    /// Shard index from the file name (Grok-1), if any.
    pub index: Option<u32>,
    /// File path relative to the argument it was found under.
    pub file: String,
    /// Tensor name inside the file, if the format has names.
    pub name: Option<String>,
    /// `ndarray` or `QuantizedWeight8bit`.
    pub kind: &'static str,
    /// Logical shape.
    pub shape: Vec<u64>,
    /// Stored element type.
    pub dtype: String,
    /// Scales shape (quantized weights).
    pub scales_shape: Option<Vec<u64>>,
    /// Scales element type.
    pub scales_dtype: Option<String>,
    /// Logical elements.
    pub parameters: u64,
    /// Payload offset in the file.
    pub data_offset: u64,
    /// Payload bytes (scales included).
    pub payload_bytes: u64,
    /// File size.
    pub file_bytes: u64,
}

/// The rows of an inventory, and its undecodable files.
pub fn rows(entries: &[Entry]) -> (Vec<Row>, Vec<(String, String)>) {
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for e in entries {
        match &e.tensors {
            Ok(tensors) => {
                for t in tensors {
                    rows.push(Row {
                        index: shard_index(e.rel.rsplit('/').next().unwrap_or(&e.rel)),
                        file: e.rel.clone(),
                        name: t.name.clone(),
                        kind: t.stored_as.name(),
                        shape: t.shape.clone(),
                        dtype: t.dtype.to_string(),
                        scales_shape: t.scales.as_ref().map(|s| s.shape.clone()),
                        scales_dtype: t.scales.as_ref().map(|s| s.dtype.to_string()),
                        parameters: t.elements(),
                        data_offset: t.data.offset,
                        payload_bytes: t.payload_bytes(),
                        file_bytes: e.size,
                    })
                }
            }
            Err(err) => errors.push((e.rel.clone(), err.to_string())),
        }
    }
    (rows, errors)
}

#[derive(Serialize)]
struct JsonOut<'a> {
    tensors: &'a [Row],
    errors: Vec<JsonError<'a>>,
    totals: &'a Totals,
}

#[derive(Serialize)]
struct JsonError<'a> {
    file: &'a str,
    error: &'a str,
}

/// `inspect --csv`: the table's columns, one header line.
pub fn csv(out: &mut dyn Write, rows: &[Row]) -> std::io::Result<()> {
    writeln!(out, "index,file,name,kind,shape,dtype,scales_shape,scales_dtype,parameters,data_offset,payload_bytes,file_bytes")?;
    for r in rows {
        writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{},{}",
            r.index.map(|i| i.to_string()).unwrap_or_default(),
            csv_field(&r.file),
            csv_field(r.name.as_deref().unwrap_or("")),
            r.kind,
            shape_str(&r.shape),
            r.dtype,
            r.scales_shape.as_deref().map(shape_str).unwrap_or_default(),
            r.scales_dtype.as_deref().unwrap_or(""),
            r.parameters,
            r.data_offset,
            r.payload_bytes,
            r.file_bytes
        )?;
    }
    Ok(())
}

/// `inspect --json`: `{"tensors": [Row...], "errors": [{file, error}], "totals": Totals}`.
pub fn json(
    out: &mut dyn Write,
    rows: &[Row],
    errors: &[(String, String)],
    totals: &Totals,
) -> std::io::Result<()> {
    let doc = JsonOut {
        tensors: rows,
        errors: errors
            .iter()
            .map(|(file, error)| JsonError { file, error })
            .collect(),
        totals,
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// `inspect`'s table: a row per tensor, then totals and bytes per dtype.
pub fn table(out: &mut dyn Write, rows: &[Row], totals: &Totals) -> std::io::Result<()> {
    let file_w = rows.iter().map(|r| r.file.len()).max().unwrap_or(4).max(4);
    writeln!(
        out,
        "{:>5}  {:<file_w$}  {:<19}  {:<16}  {:<8}  {:<19}  {:>15}",
        "index", "file", "kind", "shape", "dtype", "scales", "bytes"
    )?;
    for r in rows {
        let scales = match (&r.scales_shape, &r.scales_dtype) {
            (Some(s), Some(d)) => format!("{} {}", shape_str(s), d),
            _ => "-".into(),
        };
        let label = escape(r.name.as_deref().unwrap_or(&r.file)).into_owned();
        writeln!(
            out,
            "{:>5}  {:<file_w$}  {:<19}  {:<16}  {:<8}  {:<19}  {:>15}",
            r.index.map(|i| i.to_string()).unwrap_or_else(|| "-".into()),
            label,
            r.kind,
            shape_str(&r.shape),
            r.dtype,
            scales,
            thousands(r.payload_bytes)
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "{} files, {} tensors, {} parameters, {} bytes on disk",
        thousands(totals.files),
        thousands(totals.tensors),
        if totals.parameters_overflow {
            "overflow".to_string()
        } else {
            thousands(totals.parameters)
        },
        thousands(totals.file_bytes)
    )?;
    for (dtype, bytes) in &totals.bytes_per_dtype {
        writeln!(out, "  {:<9} {:>19} bytes", dtype.name(), thousands(*bytes))?;
    }
    if totals.errors > 0 {
        writeln!(
            out,
            "{} files could not be decoded (see errors)",
            totals.errors
        )?;
    }
    Ok(())
}
