//! `fetch`'s output: live lines and bars while it runs, the post-fetch
//! check file by file, a torrent's file list and how it lines up with a
//! manifest, and the result line.

use std::io::Write;
use std::path::Path;

use indicatif::ProgressBar;

use super::{escape, progress};
use crate::fetch::check::{compare_layout, CheckReport, FileState};
use crate::fetch::download::{Observer, Plan, Progress};
use crate::fetch::FetchReport;
use crate::manifest::Manifest;
use crate::torrent::Metainfo;
use crate::units::{thousands, Bytes};
use crate::verdict::Outcome;

/// Prints a torrent's files: size and path.
pub fn file_list(out: &mut dyn Write, meta: &Metainfo) -> std::io::Result<()> {
    let w = meta
        .files
        .iter()
        .map(|f| thousands(f.length).len())
        .max()
        .unwrap_or(4)
        .max(4);
    writeln!(out, "{:>w$}  path", "size")?;
    for f in &meta.files {
        writeln!(
            out,
            "{:>w$}  {}",
            thousands(f.length),
            escape(&f.relative_path())
        )?;
    }
    Ok(())
}

/// How a torrent's files line up with a manifest's (or why they cannot
/// be compared); returns whether they agree.
pub fn layout(out: &mut dyn Write, meta: &Metainfo, man: &Manifest) -> std::io::Result<bool> {
    let cmp = match compare_layout(meta, man) {
        Ok(c) => c,
        Err(e) => {
            writeln!(out, "manifest {}: {e}", man.release.id)?;
            return Ok(false);
        }
    };
    writeln!(
        out,
        "manifest {}: {} of its {} files are in the torrent{}, {} with another size",
        man.release.id,
        cmp.matched,
        man.files.len(),
        if cmp.prefix.is_empty() {
            String::new()
        } else {
            format!(" under {}/", cmp.prefix)
        },
        cmp.wrong_size.len()
    )?;
    for (path, torrent, manifest) in &cmp.wrong_size {
        writeln!(
            out,
            "  - {path}: torrent {} bytes, manifest {}",
            thousands(*torrent),
            thousands(*manifest)
        )?;
    }
    if !cmp.extra.is_empty() {
        let extra: Vec<String> = cmp
            .extra
            .iter()
            .map(|&i| {
                format!(
                    "{} ({} bytes)",
                    escape(&meta.files[i].relative_path()),
                    thousands(meta.files[i].length)
                )
            })
            .collect();
        writeln!(
            out,
            "  {} torrent file(s) the manifest does not list: {}",
            extra.len(),
            extra.join(", ")
        )?;
    }
    if let Some(first) = cmp.not_in_torrent.first() {
        writeln!(
            out,
            "  {} manifest file(s) not in the torrent, e.g. {first}",
            cmp.not_in_torrent.len()
        )?;
    }
    Ok(cmp.agrees())
}

/// Prints the fetch as it goes.
pub struct Live<'a> {
    /// Where lines go.
    pub out: &'a mut Box<dyn Write + Send>,
    /// Print nothing but the bar (for --json).
    pub quiet: bool,
    /// Draw a bar on stderr.
    pub tty: bool,
    /// The bar, once the transfer starts.
    pub bar: Option<ProgressBar>,
}

impl Live<'_> {
    /// Removes the bar.
    pub fn finish_bar(&mut self) {
        if let Some(b) = self.bar.take() {
            b.finish_and_clear();
        }
    }
}

impl Observer for Live<'_> {
    fn metadata(&mut self, meta: &Metainfo, from_peers: bool) {
        if self.quiet {
            return;
        }
        let _ = writeln!(
            self.out,
            "  metadata: {:?}{}: {}, {} bytes, piece length {}, info-hash {}",
            meta.name,
            if from_peers {
                " from peers, checked against the magnet"
            } else {
                ""
            },
            crate::units::count(meta.files.len() as u64, "file"),
            thousands(meta.total_length()),
            thousands(meta.piece_length),
            meta.info_hash_hex()
        );
        let _ = self.out.flush();
    }

    fn plan(&mut self, meta: &Metainfo, plan: &Plan) {
        if self.quiet {
            return;
        }
        let s = &plan.space;
        let _ = writeln!(
            self.out,
            "  selected: {} of {} files, {} bytes in {} pieces\n  disk: {} to write \
             ({} of it in neighbouring files that share pieces), {} free\n  into: {}",
            plan.selected.len(),
            meta.files.len(),
            thousands(plan.selected_bytes),
            thousands(plan.selected_pieces as u64),
            Bytes(s.needed),
            Bytes(s.boundary),
            Bytes(s.available),
            plan.content_root.display()
        );
        let _ = self.out.flush();
        if self.tty {
            let bar = progress::stderr_bar(
                "{prefix} [{bar:30}] {decimal_bytes}/{decimal_total_bytes} {msg}",
            );
            bar.set_prefix("fetching");
            self.bar = Some(bar);
        }
    }

    fn progress(&mut self, p: &Progress) {
        let Some(bar) = &self.bar else {
            return;
        };
        bar.set_length(p.total_bytes);
        bar.set_position(p.have_bytes);
        if p.checking {
            bar.set_prefix("checking existing data");
            bar.set_message(String::new());
            return;
        }
        bar.set_prefix("fetching");
        let eta = p
            .eta
            .map(|d| format!(" · ETA {}", indicatif::HumanDuration(d)))
            .unwrap_or_default();
        bar.set_message(format!(
            "{}/s · {} peers · {} pieces this run of {}{eta}",
            Bytes(p.bytes_per_second),
            p.peers,
            p.pieces_done,
            p.pieces_total
        ));
    }

    fn verifying(&mut self) {
        self.finish_bar();
        if !self.quiet {
            let _ = writeln!(
                self.out,
                "  checking: every piece against the torrent's SHA-1s, and selected files \
                 against the manifest where there is one"
            );
            let _ = self.out.flush();
        }
    }
}

/// The end of a fetch: transfer figures, the check, notes, the result line.
pub fn outcome(out: &mut dyn Write, r: &FetchReport, quiet: bool) -> std::io::Result<()> {
    if r.plan.is_some() {
        let rate = if r.transfer_seconds > 0.0 {
            format!(
                " ({}/s)",
                Bytes((r.downloaded_bytes as f64 / r.transfer_seconds) as u64)
            )
        } else {
            String::new()
        };
        writeln!(
            out,
            "  transfer: {} bytes in {:.1} s{rate}; {} bytes were already there",
            thousands(r.downloaded_bytes),
            r.transfer_seconds,
            thousands(r.resumed_bytes)
        )?;
    }
    if let Some(c) = &r.check {
        writeln!(out)?;
        check(out, c, quiet)?;
    }
    for n in &r.notes {
        writeln!(out, "\nnote: {n}")?;
    }
    writeln!(out)?;
    let verdict = if r.interrupted {
        "INTERRUPTED (state kept: run the same command to resume)".to_string()
    } else if let Some(c) = &r.check {
        let k = c.counts();
        match c.outcome() {
            Outcome::Failed => format!(
                "FAILED — {} of {} selected files not verified ({} incomplete, {} not what the manifest says)",
                k.selected - k.verified,
                k.selected,
                k.incomplete,
                k.mismatched
            ),
            o => o.word().to_string(),
        }
    } else {
        "NOTHING CHECKED — downloaded, not verified (--no-verify)".to_string()
    };
    writeln!(out, "result: {verdict}")?;
    Ok(())
}

/// Prints a post-fetch check: every selected file (with `quiet`, only
/// those not verified), and every unselected one that has bytes on disk.
pub fn check(out: &mut dyn Write, c: &CheckReport, quiet: bool) -> std::io::Result<()> {
    let shown: Vec<_> = c
        .files
        .iter()
        .filter(|f| match f.state {
            FileState::NotSelected => false,
            FileState::Verified { .. } => !quiet,
            _ => true,
        })
        .collect();
    let w = shown.iter().map(|f| f.path.len()).max().unwrap_or(4).max(4);
    let sw = shown
        .iter()
        .map(|f| thousands(f.length).len())
        .max()
        .unwrap_or(4)
        .max(4);
    // With --quiet and nothing to list, no empty table.
    if !shown.is_empty() {
        writeln!(out, "{:<w$}  {:>sw$}  verdict", "file", "size")?;
    }
    for f in &shown {
        writeln!(
            out,
            "{:<w$}  {:>sw$}  {}",
            escape(&f.path),
            thousands(f.length),
            f.state.label()
        )?;
        match &f.state {
            FileState::Incomplete { detail, .. } => writeln!(out, "{:<w$}    - {detail}", "")?,
            FileState::Mismatch { problems } => {
                for p in problems {
                    writeln!(out, "{:<w$}    - {p}", "")?;
                }
            }
            FileState::PartialNotSelected { on_disk } => writeln!(
                out,
                "{:<w$}    - {} bytes on disk from pieces shared with selected files; not fetched, not verified",
                "",
                thousands(*on_disk)
            )?,
            _ => {}
        }
    }
    let k = c.counts();
    writeln!(out)?;
    writeln!(
        out,
        "pieces: {} of {} pass ({} bytes read{})",
        thousands(c.pieces_passed as u64),
        thousands(c.pieces as u64),
        thousands(c.bytes_hashed),
        if c.bytes_cached > 0 {
            format!(", {} from the cache", thousands(c.bytes_cached))
        } else {
            String::new()
        }
    )?;
    writeln!(
        out,
        "files: {} selected: {} verified, {} incomplete, {} mismatched; \
         {} unselected file(s) partly on disk (not fetched), {} complete though not selected",
        k.selected,
        k.verified,
        k.incomplete,
        k.mismatched,
        k.partial_not_selected,
        k.complete_not_selected
    )?;
    for n in &c.notes {
        writeln!(out, "note: {n}")?;
    }
    Ok(())
}

/// `fetch --metadata-only --json`: the info-hash, where the .torrent was
/// saved, and the torrent.
pub fn metadata_json(o: &mut dyn Write, meta: &Metainfo, saved: &Path) -> std::io::Result<()> {
    #[derive(serde::Serialize)]
    struct Out<'a> {
        info_hash: String,
        saved: &'a Path,
        torrent: &'a Metainfo,
    }
    let doc = Out {
        info_hash: meta.info_hash_hex(),
        saved,
        torrent: meta,
    };
    serde_json::to_writer_pretty(&mut *o, &doc)?;
    writeln!(o)
}

/// `fetch --metadata-only`: what arrived, where it was saved, its files,
/// how they line up with the manifest, and how to pin them.
pub fn metadata(
    o: &mut dyn Write,
    meta: &Metainfo,
    saved: &Path,
    manifest: Option<&Manifest>,
) -> std::io::Result<()> {
    writeln!(
        o,
        "metadata: {:?} from peers; its SHA-1 is the magnet's info-hash {}",
        meta.name,
        meta.info_hash_hex()
    )?;
    writeln!(
        o,
        "  piece length {} bytes, {} pieces, {} files, {} bytes",
        thousands(meta.piece_length),
        thousands(meta.pieces.len() as u64),
        meta.files.len(),
        thousands(meta.total_length())
    )?;
    writeln!(o, "  saved: {}", saved.display())?;
    writeln!(o)?;
    file_list(o, meta)?;
    if let Some(man) = manifest {
        writeln!(o)?;
        layout(o, meta, man)?;
    }
    writeln!(
        o,
        "\npin this layout in a manifest: weightcheck manifest pin-torrent {} --manifest FILE",
        saved.display()
    )
}
