//! The fetch: metadata (from a `.torrent` or from peers), selection, disk
//! checks, the transfer, then [`super::check`] on what landed.
//!
//! Resume state lives in `DEST/.weightcheck/`: the torrent's metadata
//! (`<info-hash>.torrent`, so a magnet fetch does not ask peers again) and
//! librqbit's piece bitfield (`session/<info-hash>.bitv`, "fastresume").
//! librqbit re-hashes a sample of the pieces that bitfield claims before
//! trusting it, and weightcheck re-hashes every selected byte at the end
//! whatever it claims: a bitfield is a hint for what to download, never
//! evidence of what was downloaded.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use librqbit::{
    AddTorrent, AddTorrentOptions, AddTorrentResponse, TorrentStats, TorrentStatsState,
};
use serde::Serialize;

use super::check::{self, CheckReport, ManifestMap};
use super::disk::{self, SpaceNeed};
use super::metadata;
use super::net::{self, NetOptions, SessionSpec};
use super::{bt_error, select, Stop, STATE_DIR};
use crate::hash::engine;
use crate::manifest::Manifest;
use crate::torrent::{Magnet, Metainfo};
use crate::{Error, Result};

/// What to fetch.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Source {
    /// A magnet link: metadata comes from peers (or from an earlier run).
    Magnet(Magnet),
    /// The bytes of a `.torrent`.
    Torrent(Vec<u8>),
}

/// How to fetch.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct FetchOptions {
    /// Directory to download into (the torrent's top directory is created
    /// inside it).
    pub dest: PathBuf,
    /// `--only` globs; empty means every file.
    pub only: Vec<String>,
    /// Network options.
    pub net: NetOptions,
    /// A manifest to hold the fetched files against.
    pub manifest: Option<Manifest>,
    /// Check what was fetched (turning this off leaves the result unproven).
    pub verify: bool,
}

impl FetchOptions {
    /// Every file into `dest`, with the default network options, no
    /// manifest, verified; the fields are public to change the rest.
    pub fn new(dest: impl Into<PathBuf>) -> Self {
        FetchOptions {
            dest: dest.into(),
            only: Vec::new(),
            net: NetOptions::default(),
            manifest: None,
            verify: true,
        }
    }
}

/// What the fetch is about to do, once the metadata is known.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    /// Where the torrent's files go.
    pub content_root: PathBuf,
    /// Indices of the selected files.
    pub selected: Vec<usize>,
    /// Bytes of the selected files.
    pub selected_bytes: u64,
    /// Pieces holding bytes of selected files.
    pub selected_pieces: usize,
    /// Disk space needed and available.
    pub space: SpaceNeed,
    /// Where the manifest's files are in the torrent.
    pub manifest: Option<ManifestMap>,
}

/// A progress report during the transfer.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Progress {
    /// `true` while existing data is checked before the transfer.
    pub checking: bool,
    /// Bytes of selected pieces present and hash-checked by the client.
    pub have_bytes: u64,
    /// Bytes of selected pieces.
    pub total_bytes: u64,
    /// Pieces downloaded and checked in this run.
    pub pieces_done: u64,
    /// Pieces holding bytes of selected files.
    pub pieces_total: usize,
    /// Download speed, bytes per second.
    pub bytes_per_second: u64,
    /// Connected peers.
    pub peers: u32,
    /// Estimated time left.
    pub eta: Option<Duration>,
}

/// Hooks for showing a fetch as it happens.
pub trait Observer {
    /// The metadata is known; `from_peers` when it was just fetched.
    fn metadata(&mut self, meta: &Metainfo, from_peers: bool) {
        let _ = (meta, from_peers);
    }
    /// The plan is made and checked; the transfer starts.
    fn plan(&mut self, meta: &Metainfo, plan: &Plan) {
        let _ = (meta, plan);
    }
    /// Called about twice a second during the transfer.
    fn progress(&mut self, p: &Progress) {
        let _ = p;
    }
    /// The transfer is over; checking starts.
    fn verifying(&mut self) {}
}

/// An [`Observer`] that shows nothing.
pub struct Quiet;

impl Observer for Quiet {}

/// The outcome of a fetch.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct FetchReport {
    /// The torrent, once its metadata was known.
    pub metainfo: Option<Metainfo>,
    /// The saved copy of the torrent in the state directory.
    pub torrent_file: Option<PathBuf>,
    /// The plan, once made.
    pub plan: Option<Plan>,
    /// Bytes of selected pieces already present when the transfer started.
    pub resumed_bytes: u64,
    /// Bytes of selected pieces gained in this run.
    pub downloaded_bytes: u64,
    /// Wall-clock seconds of the transfer.
    pub transfer_seconds: f64,
    /// Stopped (Ctrl-C, timeout) before the end: nothing was verified.
    pub interrupted: bool,
    /// Empty placeholder files of unselected files that were removed.
    pub placeholders_removed: usize,
    /// The check of what was fetched.
    pub check: Option<CheckReport>,
    /// Remarks for the user.
    pub notes: Vec<String>,
}

impl FetchReport {
    /// Whether the fetch ended and every selected file is verified.
    pub fn passed(&self) -> bool {
        !self.interrupted && self.check.as_ref().is_some_and(CheckReport::passed)
    }

    fn new() -> Self {
        FetchReport {
            metainfo: None,
            torrent_file: None,
            plan: None,
            resumed_bytes: 0,
            downloaded_bytes: 0,
            transfer_seconds: 0.0,
            interrupted: false,
            placeholders_removed: 0,
            check: None,
            notes: Vec::new(),
        }
    }
}

/// Fetches `source` into `opts.dest`. Returns when every selected file is
/// downloaded and checked, or when `stop` fires (the report then says
/// `interrupted` and the state is kept for the next run).
/// `hash_progress` is called while the result is checked.
pub async fn fetch(
    source: Source,
    opts: &FetchOptions,
    observer: &mut dyn Observer,
    hash_progress: &(dyn Fn(engine::Progress) + Sync),
    mut stop: Stop,
) -> Result<FetchReport> {
    let dest = &opts.dest;
    std::fs::create_dir_all(dest).map_err(|e| Error::io(dest, e))?;
    let state = dest.join(STATE_DIR);
    disk::check_no_escape(dest, &[PathBuf::from(STATE_DIR).join("session")])?;
    std::fs::create_dir_all(&state).map_err(|e| Error::io(&state, e))?;
    let session_dir = state.join("session");
    let session = net::start_session(
        &opts.net,
        SessionSpec {
            output: dest,
            persistence: Some(session_dir.clone()),
            listen: true,
        },
    )
    .await?;
    let mut report = FetchReport::new();
    let transfer = transfer(
        &session,
        source,
        opts,
        &state,
        observer,
        &mut stop,
        &mut report,
    )
    .await;
    session.stop().await;
    flush_resume_state(session).await;
    transfer?;
    let (Some(meta), Some(plan)) = (report.metainfo.clone(), report.plan.clone()) else {
        return Ok(report);
    };
    report.placeholders_removed = remove_placeholders(&plan.content_root, &meta, &plan.selected);
    if report.interrupted {
        report.notes.push(
            "stopped before the end: nothing was verified; run the same command again to resume"
                .into(),
        );
        return Ok(report);
    }
    if !opts.verify {
        report
            .notes
            .push("--no-verify: the fetched files were not checked".into());
        return Ok(report);
    }
    observer.verifying();
    let result = check::check(
        dest,
        &meta,
        &plan.selected,
        opts.manifest.as_ref(),
        Some(state.join("hash-cache.json")),
        hash_progress,
    )?;
    if result.counts().incomplete > 0 {
        // The bitfield said these pieces were there. Forget it, so the next
        // run checks every piece and fetches what is missing.
        let bitv = session_dir.join(format!("{}.bitv", meta.info_hash_hex()));
        if std::fs::remove_file(&bitv).is_ok() {
            report.notes.push(
                "the client's resume state was discarded: the next run re-checks every piece"
                    .into(),
            );
        }
    }
    report.check = Some(result);
    Ok(report)
}

async fn transfer(
    session: &std::sync::Arc<librqbit::Session>,
    source: Source,
    opts: &FetchOptions,
    state: &Path,
    observer: &mut dyn Observer,
    stop: &mut Stop,
    report: &mut FetchReport,
) -> Result<()> {
    let dest = &opts.dest;
    let mut peers = opts.net.peers.clone();
    let (bytes, meta, from_peers) = match source {
        Source::Torrent(bytes) => {
            let meta = Metainfo::from_bytes(&bytes)?;
            (bytes, meta, false)
        }
        Source::Magnet(m) => {
            peers = metadata::initial_peers(&m, &opts.net);
            match saved_metadata(state, &m) {
                Some((bytes, meta)) => (bytes, meta, false),
                None => match metadata::fetch_in(session, &m, &opts.net, stop).await? {
                    Some(f) => {
                        peers.extend(f.peers);
                        (f.bytes, f.metainfo, true)
                    }
                    None => {
                        report.interrupted = true;
                        return Ok(());
                    }
                },
            }
        }
    };
    let saved = state.join(format!("{}.torrent", meta.info_hash_hex()));
    std::fs::write(&saved, &bytes).map_err(|e| Error::io(&saved, e))?;
    report.torrent_file = Some(saved);
    report.metainfo = Some(meta.clone());
    observer.metadata(&meta, from_peers);

    let selected = select::select(&meta, &opts.only)?;
    let rel: Vec<PathBuf> = (0..meta.files.len())
        .map(|i| PathBuf::from(check::dest_path(&meta, i)))
        .collect();
    // The state directory holds the resume state and the verification
    // cache; a torrent named after it would overwrite both.
    if rel.iter().any(|p| p.starts_with(STATE_DIR)) {
        return Err(Error::Fetch(format!(
            "refusing the torrent {:?}: its files would be written into {STATE_DIR}/, \
             weightcheck's own state directory in --dest",
            meta.name
        )));
    }
    disk::check_no_escape(dest, &rel)?;
    let manifest = opts
        .manifest
        .as_ref()
        .map(|m| check::map_manifest(&meta, m))
        .transpose()?;
    let content_root = check::download_root(dest, &meta);
    let space = disk::check_space(&content_root, &meta, &selected)?;
    let piece_map = meta.piece_map();
    let selected_pieces = selected
        .iter()
        .flat_map(|&i| piece_map.pieces_of_file(i))
        .collect::<BTreeSet<usize>>()
        .len();
    let plan = Plan {
        content_root: content_root.clone(),
        selected_bytes: selected.iter().map(|&i| meta.files[i].length).sum(),
        selected: selected.clone(),
        selected_pieces,
        space,
        manifest,
    };
    report.plan = Some(plan.clone());
    observer.plan(&meta, &plan);

    peers.sort();
    peers.dedup();
    let output = content_root
        .to_str()
        .ok_or_else(|| {
            Error::Fetch(format!(
                "{}: the destination path must be valid UTF-8",
                content_root.display()
            ))
        })?
        .to_string();
    let added = session
        .add_torrent(
            AddTorrent::from_bytes(bytes),
            Some(AddTorrentOptions {
                only_files: Some(selected),
                // Resuming means opening what an earlier run wrote.
                overwrite: true,
                output_folder: Some(output),
                initial_peers: (!peers.is_empty()).then(|| peers.clone()),
                ..Default::default()
            }),
        )
        .await
        .map_err(|e| bt_error("cannot start the download", e))?;
    let handle = match added {
        AddTorrentResponse::Added(_, h) | AddTorrentResponse::AlreadyManaged(_, h) => h,
        AddTorrentResponse::ListOnly(_) => {
            return Err(Error::Fetch("the session only listed the torrent".into()))
        }
    };

    let mut tick = tokio::time::interval(Duration::from_millis(500));
    {
        let mut init = handle.wait_until_initialized();
        loop {
            tokio::select! {
                r = &mut init => {
                    r.map_err(|e| bt_error("checking the existing data failed", e))?;
                    break;
                }
                () = stop.wait() => {
                    report.interrupted = true;
                    return Ok(());
                }
                _ = tick.tick() => {
                    let s = handle.stats();
                    observer.progress(&progress_of(&s, true, selected_pieces));
                }
            }
        }
    }
    let start = handle.stats();
    report.resumed_bytes = start.progress_bytes;
    let searchable = NetOptions {
        peers: peers.clone(),
        ..opts.net.clone()
    };
    if !start.finished && !searchable.can_find_peers(&meta.trackers) {
        return Err(Error::Fetch(format!(
            "{} of the selected bytes are still missing and there is no way to find peers: \
             DHT and trackers are off (or the torrent has none) and no --peer was given",
            crate::units::Bytes(start.total_bytes - start.progress_bytes)
        )));
    }
    let began = Instant::now();
    {
        let mut done = handle.wait_until_completed();
        loop {
            tokio::select! {
                r = &mut done => {
                    r.map_err(|e| bt_error("the download failed", e))?;
                    break;
                }
                () = stop.wait() => {
                    report.interrupted = true;
                    break;
                }
                _ = tick.tick() => {
                    let s = handle.stats();
                    if let (TorrentStatsState::Error, Some(e)) = (s.state, &s.error) {
                        return Err(Error::Fetch(format!("the download failed: {e}")));
                    }
                    observer.progress(&progress_of(&s, false, selected_pieces));
                }
            }
        }
    }
    let end = handle.stats();
    observer.progress(&progress_of(&end, false, selected_pieces));
    report.transfer_seconds = began.elapsed().as_secs_f64();
    report.downloaded_bytes = end.progress_bytes.saturating_sub(report.resumed_bytes);
    Ok(())
}

/// librqbit writes its piece bitfield every 16 MiB and, for the rest, only
/// when the torrent is dropped, from a background task. Dropping the
/// session here, while the runtime still runs, and giving that task a
/// moment is what makes an interrupted fetch resumable from its last piece.
async fn flush_resume_state(session: std::sync::Arc<librqbit::Session>) {
    let weak = std::sync::Arc::downgrade(&session);
    drop(session);
    let start = Instant::now();
    while weak.strong_count() > 0 && start.elapsed() < Duration::from_secs(5) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
}

/// Metadata saved by an earlier run for this magnet, if intact.
fn saved_metadata(state: &Path, m: &Magnet) -> Option<(Vec<u8>, Metainfo)> {
    let bytes = std::fs::read(state.join(format!("{}.torrent", m.info_hash_hex()))).ok()?;
    let meta = Metainfo::from_bytes(&bytes).ok()?;
    (meta.info_hash() == m.info_hash).then_some((bytes, meta))
}

fn progress_of(s: &TorrentStats, checking: bool, pieces_total: usize) -> Progress {
    let live = s.live.as_ref();
    let bps = live.map_or(0, |l| l.download_speed.as_bytes());
    let left = s.total_bytes.saturating_sub(s.progress_bytes);
    Progress {
        checking,
        have_bytes: s.progress_bytes,
        total_bytes: s.total_bytes,
        pieces_done: live.map_or(0, |l| l.snapshot.downloaded_and_checked_pieces),
        pieces_total,
        bytes_per_second: bps,
        peers: live.map_or(0, |l| l.snapshot.peer_stats.live),
        eta: (bps > 0 && !checking).then(|| Duration::from_secs(left / bps)),
    }
}

/// The client creates every file of the torrent, selected or not. Empty
/// ones that were not selected are removed again, with any directory left
/// empty, so the destination holds only what was fetched (and the partial
/// neighbours the report names).
fn remove_placeholders(root: &Path, meta: &Metainfo, selected: &[usize]) -> usize {
    let chosen: BTreeSet<usize> = selected.iter().copied().collect();
    let mut removed = 0;
    let mut dirs = BTreeSet::new();
    for (i, f) in meta.files.iter().enumerate() {
        if chosen.contains(&i) {
            continue;
        }
        let path = root.join(f.path.iter().collect::<PathBuf>());
        let empty = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file() && m.len() == 0);
        if empty && std::fs::remove_file(&path).is_ok() {
            removed += 1;
            let mut at = path.parent();
            while let Some(d) = at.filter(|d| d.starts_with(root) && *d != root) {
                dirs.insert(d.to_path_buf());
                at = d.parent();
            }
        }
    }
    // Deepest first; a directory that still holds anything stays.
    let mut dirs: Vec<PathBuf> = dirs.into_iter().collect();
    dirs.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
    for d in dirs {
        let _ = std::fs::remove_dir(&d);
    }
    removed
}
