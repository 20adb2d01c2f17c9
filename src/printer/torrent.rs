//! `torrent show`'s text and JSON.

use std::io::Write;

use serde::Serialize;

use super::escape;
use crate::torrent::Metainfo;
use crate::units::thousands;

#[derive(Serialize)]
struct ShowJson<'a> {
    magnet: String,
    total_length: u64,
    piece_count: usize,
    #[serde(flatten)]
    metainfo: &'a Metainfo,
}

/// `torrent show --json`: the metainfo, its magnet link and totals.
pub fn show_json(o: &mut dyn Write, m: &Metainfo) -> std::io::Result<()> {
    let j = ShowJson {
        magnet: m.magnet_link(),
        total_length: m.total_length(),
        piece_count: m.pieces.len(),
        metainfo: m,
    };
    serde_json::to_writer_pretty(&mut *o, &j)?;
    writeln!(o)
}

/// `torrent show`: name, info-hash, pieces, trackers, magnet, files.
pub fn show(o: &mut dyn Write, m: &Metainfo) -> std::io::Result<()> {
    writeln!(o, "name          {}", escape(&m.name))?;
    writeln!(o, "info-hash     {}", m.info_hash_hex())?;
    writeln!(
        o,
        "piece length  {} ({} pieces)",
        thousands(m.piece_length),
        m.pieces.len()
    )?;
    writeln!(
        o,
        "total         {} bytes in {} file{}{}",
        thousands(m.total_length()),
        m.files.len(),
        if m.files.len() == 1 { "" } else { "s" },
        if m.single_file {
            " (single-file torrent)"
        } else {
            ""
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
            "  {:>width$}  {}",
            thousands(f.length),
            escape(&f.relative_path())
        )?;
    }
    Ok(())
}
