//! `torrent show`'s and `torrent create`'s text and JSON.

use std::io::Write;

use serde::Serialize;

use super::escape;
use crate::torrent::metainfo::Version;
use crate::torrent::Metainfo;
use crate::units::{count, thousands};

#[derive(Serialize)]
struct ShowJson<'a> {
    magnet: String,
    total_length: u64,
    /// v1 pieces; null for a v2-only torrent, which has none.
    piece_count: Option<usize>,
    #[serde(flatten)]
    metainfo: &'a Metainfo,
}

/// `torrent show --json`: the metainfo, its magnet link and totals.
pub fn show_json(o: &mut dyn Write, m: &Metainfo) -> std::io::Result<()> {
    let j = ShowJson {
        magnet: m.magnet_link(),
        total_length: m.total_length(),
        piece_count: (m.version != Version::V2).then_some(m.pieces.len()),
        metainfo: m,
    };
    serde_json::to_writer_pretty(&mut *o, &j)?;
    writeln!(o)
}

/// `torrent show`: name, info-hash, pieces, trackers, magnet, files.
pub fn show(o: &mut dyn Write, m: &Metainfo) -> std::io::Result<()> {
    writeln!(o, "name          {}", escape(&m.name))?;
    match m.version {
        Version::V1 => {}
        Version::Hybrid => writeln!(
            o,
            "version       hybrid v1+v2 (v2 piece layers are not verified by weightcheck; \
             hash and verify refuse it)"
        )?,
        Version::V2 => writeln!(
            o,
            "version       BitTorrent v2 (per-file piece layers are not verified by weightcheck; \
             hash and verify refuse it)"
        )?,
    }
    if m.version != Version::V2 {
        writeln!(o, "info-hash     {}", m.info_hash_hex())?;
    }
    if let Some(v2) = &m.info_hash_v2 {
        writeln!(o, "info-hash v2  {v2}")?;
    }
    if m.version == Version::V2 {
        writeln!(o, "piece length  {}", thousands(m.piece_length))?;
    } else {
        writeln!(
            o,
            "piece length  {} ({} pieces)",
            thousands(m.piece_length),
            m.pieces.len()
        )?;
    }
    let (content, padding): (Vec<_>, Vec<_>) = m.files.iter().partition(|f| !f.padding);
    writeln!(
        o,
        "total         {} bytes in {} file{}{}{}",
        thousands(content.iter().map(|f| f.length).sum()),
        content.len(),
        if content.len() == 1 { "" } else { "s" },
        if m.single_file {
            " (single-file torrent)"
        } else {
            ""
        },
        if padding.is_empty() {
            String::new()
        } else {
            format!(
                ", and {} padding bytes in {} padding file{}",
                thousands(padding.iter().map(|f| f.length).sum()),
                padding.len(),
                if padding.len() == 1 { "" } else { "s" }
            )
        }
    )?;
    if m.private {
        writeln!(o, "private       yes")?;
    }
    for t in &m.trackers {
        writeln!(o, "tracker       {}", escape(t))?;
    }
    if let Some(c) = &m.created_by {
        writeln!(o, "created by    {}", escape(c))?;
    }
    if let Some(c) = &m.comment {
        writeln!(o, "comment       {}", escape(c))?;
    }
    writeln!(o, "magnet        {}", m.magnet_link())?;
    writeln!(o, "files:")?;
    let width = thousands(m.files.iter().map(|f| f.length).max().unwrap_or(0)).len();
    for f in &m.files {
        writeln!(
            o,
            "  {:>width$}  {}{}",
            thousands(f.length),
            escape(&f.relative_path()),
            if f.padding { "  (padding)" } else { "" }
        )?;
    }
    Ok(())
}

#[derive(Serialize)]
struct CreatedJson<'a> {
    output: String,
    info_hash: String,
    magnet: String,
    files: usize,
    total_length: u64,
    pieces: usize,
    piece_length: u64,
    /// Whether weightcheck chose the piece length (no -l).
    piece_length_chosen: bool,
    name: &'a str,
}

/// `torrent create --json`: where the .torrent went and what it holds.
pub fn created_json(
    o: &mut dyn Write,
    output: &std::path::Path,
    m: &Metainfo,
    chosen: bool,
) -> std::io::Result<()> {
    let j = CreatedJson {
        output: output.display().to_string(),
        info_hash: m.info_hash_hex(),
        magnet: m.magnet_link(),
        files: m.files.len(),
        total_length: m.total_length(),
        pieces: m.pieces.len(),
        piece_length: m.piece_length,
        piece_length_chosen: chosen,
        name: &m.name,
    };
    serde_json::to_writer_pretty(&mut *o, &j)?;
    writeln!(o)
}

/// `torrent create`: where the .torrent went, its info-hash and its size.
pub fn created(
    o: &mut dyn Write,
    output: &std::path::Path,
    m: &Metainfo,
    chosen: bool,
) -> std::io::Result<()> {
    writeln!(
        o,
        "{}\ninfo-hash {}\n{}, {} bytes, {} of {} bytes{}",
        escape(&output.display().to_string()),
        m.info_hash_hex(),
        count(m.files.len() as u64, "file"),
        thousands(m.total_length()),
        count(m.pieces.len() as u64, "piece"),
        thousands(m.piece_length),
        if chosen {
            " (chosen from the size; -l sets it)"
        } else {
            ""
        }
    )
}
