//! `inspect`'s output: a table (default), `--json` or `--csv` of every
//! tensor (schema in README, "inspect output").

use std::io::Write;

use serde::Serialize;

use super::escape;
use super::gguf::FileHeader;
use crate::formats::grok::shard_index;
use crate::formats::tensor::shape_str;
use crate::inventory::{Entry, Totals};
use crate::units::{count, thousands};

/// One tensor as printed, borrowed from the inventory: a file of a million
/// tensors is printed without a second copy of it.
#[derive(Debug, Serialize)]
pub struct Row<'a> {
    /// Shard index from the file name (Grok-1), if any.
    pub index: Option<u32>,
    /// File path relative to the argument it was found under.
    pub file: &'a str,
    /// Tensor name inside the file, if the format has names.
    pub name: Option<&'a str>,
    /// `ndarray` or `QuantizedWeight8bit`.
    pub kind: &'static str,
    /// Logical shape.
    pub shape: &'a [u64],
    /// Stored element type: a numpy dtype, or a ggml type for GGUF
    /// tensors (`Q4_K`).
    pub dtype: &'static str,
    /// Scales shape (quantized weights).
    pub scales_shape: Option<&'a [u64]>,
    /// Scales element type.
    pub scales_dtype: Option<&'static str>,
    /// Logical elements.
    pub parameters: u64,
    /// Payload offset in the file.
    pub data_offset: u64,
    /// Payload bytes (scales included).
    pub payload_bytes: u64,
    /// File size.
    pub file_bytes: u64,
}

/// The rows of an inventory, in order.
pub fn rows(entries: &[Entry]) -> impl Iterator<Item = Row<'_>> + Clone {
    entries.iter().flat_map(|e| {
        let index = shard_index(e.rel.rsplit('/').next().unwrap_or(&e.rel));
        let tensors = e.tensors.as_deref().unwrap_or(&[]);
        tensors.iter().map(move |t| Row {
            index,
            file: &e.rel,
            name: t.name.as_deref(),
            kind: t.stored_as.name(),
            shape: &t.shape,
            dtype: t.type_name(),
            scales_shape: t.scales.as_ref().map(|s| s.shape.as_slice()),
            scales_dtype: t.scales.as_ref().map(|s| s.dtype.name()),
            parameters: t.elements(),
            data_offset: t.data.offset,
            payload_bytes: t.payload_bytes(),
            file_bytes: e.size,
        })
    })
}

/// The files that could not be decoded, and why.
pub fn errors(entries: &[Entry]) -> Vec<(&str, String)> {
    entries
        .iter()
        .filter_map(|e| {
            e.tensors
                .as_ref()
                .err()
                .map(|err| (e.rel.as_str(), err.to_string()))
        })
        .collect()
}

/// A sequence serialised as it is produced.
struct Streamed<I>(I);

impl<'a, I: Iterator<Item = Row<'a>> + Clone> Serialize for Streamed<I> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.clone())
    }
}

#[derive(Serialize)]
#[serde(bound = "")]
struct JsonOut<'a, I: Iterator<Item = Row<'a>> + Clone> {
    tensors: Streamed<I>,
    errors: Vec<JsonError<'a>>,
    other_files: &'a [String],
    totals: &'a Totals,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    gguf: Vec<FileHeader<'a>>,
}

#[derive(Serialize)]
struct JsonError<'a> {
    file: &'a str,
    error: &'a str,
}

/// `inspect --csv`: the table's columns, one header line.
pub fn csv<'a>(out: &mut dyn Write, rows: impl Iterator<Item = Row<'a>>) -> std::io::Result<()> {
    writeln!(out, "index,file,name,kind,shape,dtype,scales_shape,scales_dtype,parameters,data_offset,payload_bytes,file_bytes")?;
    for r in rows {
        writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{},{}",
            r.index.map(|i| i.to_string()).unwrap_or_default(),
            csv_field(r.file),
            csv_field(r.name.unwrap_or("")),
            r.kind,
            shape_str(r.shape),
            r.dtype,
            r.scales_shape.map(shape_str).unwrap_or_default(),
            r.scales_dtype.unwrap_or(""),
            r.parameters,
            r.data_offset,
            r.payload_bytes,
            r.file_bytes
        )?;
    }
    Ok(())
}

/// `inspect --json`: `{"tensors": [Row...], "errors": [{file, error}],
/// "other_files": [path...], "totals": Totals}`, and `"gguf": [header...]`
/// when there are GGUF files.
pub fn json<'a>(
    out: &mut dyn Write,
    rows: impl Iterator<Item = Row<'a>> + Clone + 'a,
    errors: &'a [(&'a str, String)],
    other_files: &'a [String],
    totals: &'a Totals,
    gguf: Vec<FileHeader<'a>>,
) -> std::io::Result<()> {
    serde_json::to_writer_pretty(
        &mut *out,
        &document(rows, errors, other_files, totals, gguf),
    )?;
    writeln!(out)
}

/// The document `inspect --json` prints, for callers that serialise it
/// elsewhere (the Python package turns it into a dict).
pub fn document<'a, I: Iterator<Item = Row<'a>> + Clone + 'a>(
    rows: I,
    errors: &'a [(&'a str, String)],
    other_files: &'a [String],
    totals: &'a Totals,
    gguf: Vec<FileHeader<'a>>,
) -> impl Serialize + 'a {
    JsonOut {
        tensors: Streamed(rows),
        errors: errors
            .iter()
            .map(|(file, error)| JsonError { file, error })
            .collect(),
        other_files,
        totals,
        gguf,
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// `inspect`'s table: a row per tensor, then totals, bytes per dtype (and
/// per ggml type), and each GGUF file's key/values.
pub fn table<'a>(
    out: &mut dyn Write,
    rows: impl Iterator<Item = Row<'a>> + Clone,
    other_files: &[String],
    totals: &Totals,
    gguf: &[FileHeader],
) -> std::io::Result<()> {
    let file_w = rows.clone().map(|r| r.file.len()).max().unwrap_or(4).max(4);
    writeln!(
        out,
        "{:>5}  {:<file_w$}  {:<19}  {:<16}  {:<8}  {:<19}  {:>15}",
        "index", "file", "kind", "shape", "dtype", "scales", "bytes"
    )?;
    for r in rows {
        let scales = match (r.scales_shape, r.scales_dtype) {
            (Some(s), Some(d)) => format!("{} {}", shape_str(s), d),
            _ => "-".into(),
        };
        let label = escape(r.name.unwrap_or(r.file));
        writeln!(
            out,
            "{:>5}  {:<file_w$}  {:<19}  {:<16}  {:<8}  {:<19}  {:>15}",
            r.index.map(|i| i.to_string()).unwrap_or_else(|| "-".into()),
            label,
            r.kind,
            shape_str(r.shape),
            r.dtype,
            scales,
            thousands(r.payload_bytes)
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "{}, {}, {} parameters{}, {} bytes on disk",
        count(totals.files, "file"),
        count(totals.tensors, "tensor"),
        if totals.parameters_overflow {
            "overflow".to_string()
        } else {
            thousands(totals.parameters)
        },
        if totals.buffers > 0 {
            format!(" (and {} buffer elements)", thousands(totals.buffers))
        } else {
            String::new()
        },
        thousands(totals.file_bytes)
    )?;
    for (dtype, bytes) in &totals.bytes_per_dtype {
        writeln!(out, "  {:<9} {:>19} bytes", dtype.name(), thousands(*bytes))?;
    }
    for (ty, bytes) in &totals.bytes_per_ggml_type {
        writeln!(out, "  {:<9} {:>19} bytes", ty.name(), thousands(*bytes))?;
    }
    if totals.errors > 0 {
        writeln!(
            out,
            "{} could not be decoded (see errors)",
            count(totals.errors, "file")
        )?;
    }
    if !other_files.is_empty() {
        const SHOWN: usize = 20;
        let names: Vec<String> = other_files
            .iter()
            .take(SHOWN)
            .map(|f| escape(f).into_owned())
            .collect();
        let more = other_files.len().saturating_sub(SHOWN);
        writeln!(
            out,
            "not tensor files: {}{}",
            names.join(", "),
            if more > 0 {
                format!(", and {more} more")
            } else {
                String::new()
            }
        )?;
    }
    super::gguf::table(out, gguf)
}
