//! Serving a local copy to the swarm, for mirror operators: every piece is
//! verified first with weightcheck's own engine, so a damaged copy is never
//! offered, then librqbit seeds it until stopped.

use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use librqbit::{AddTorrent, AddTorrentOptions, AddTorrentResponse};
use serde::Serialize;

use super::net::{self, NetOptions, SessionSpec};
use super::{bt_error, Stop};
use crate::hash::engine::{self, CacheMode, HashPlan, HashReport, PiecePlan, PlanFile};
use crate::torrent::Metainfo;
use crate::{Error, Result};

/// Hashes every piece of `meta` under `root` (see [`Metainfo::content_root`]).
/// `cache` is [`CacheMode::Full`] unless the operator trusts the cache: a
/// seed announces every piece it has, so it should have read them.
pub fn verify_local(
    root: &Path,
    meta: &Metainfo,
    cache: CacheMode,
    progress: &(dyn Fn(engine::Progress) + Sync),
) -> Result<HashReport> {
    let files = meta
        .files
        .iter()
        .map(|f| PlanFile::pieces_only(f.relative_path(), f.length))
        .collect();
    let plan = HashPlan::new(files)
        .with_pieces(PiecePlan::of_torrent(meta))
        .with_cache(cache);
    engine::run(root, &plan, progress)
}

/// A seed that has started.
#[derive(Debug, Clone, Serialize)]
pub struct Seeding {
    /// Where it accepts peers.
    pub listen: Option<SocketAddr>,
    /// The torrent's info-hash (hex).
    pub info_hash: String,
}

/// How a seed went.
#[derive(Debug, Clone, Default, Serialize)]
#[non_exhaustive]
pub struct SeedSummary {
    /// Bytes uploaded.
    pub uploaded_bytes: u64,
    /// Most peers connected at once.
    pub peak_peers: u32,
    /// Seconds seeded.
    pub seconds: f64,
}

/// Seeds the verified copy at `root` until `stop` fires; calls `ready`
/// once peers can connect. Call only after [`verify_local`] passed.
pub async fn serve(
    root: &Path,
    torrent: Vec<u8>,
    meta: &Metainfo,
    net: &NetOptions,
    ready: &mut (dyn FnMut(&Seeding) + Send),
    mut stop: Stop,
) -> Result<SeedSummary> {
    let state = tempfile::Builder::new()
        .prefix("weightcheck-seed-")
        .tempdir()
        .map_err(|e| Error::io(std::env::temp_dir(), e))?;
    // The pieces were just verified: hand librqbit that result as its resume
    // bitfield, so it re-hashes a sample instead of the whole copy.
    write_full_bitfield(state.path(), meta)?;
    let session = net::start_session(
        net,
        SessionSpec {
            output: root,
            persistence: Some(state.path().to_path_buf()),
            listen: true,
        },
    )
    .await?;
    let result = serve_in(&session, root, torrent, meta, net, ready, &mut stop).await;
    session.stop().await;
    result
}

fn write_full_bitfield(dir: &Path, meta: &Metainfo) -> Result<()> {
    let n = meta.pieces.len();
    // librqbit's format: one bit per piece, most significant bit first.
    let mut bits = vec![0u8; n.div_ceil(8)];
    for i in 0..n {
        bits[i / 8] |= 0x80 >> (i % 8);
    }
    let path = dir.join(format!("{}.bitv", meta.info_hash_hex()));
    std::fs::write(&path, bits).map_err(|e| Error::io(&path, e))
}

async fn serve_in(
    session: &std::sync::Arc<librqbit::Session>,
    root: &Path,
    torrent: Vec<u8>,
    meta: &Metainfo,
    net: &NetOptions,
    ready: &mut (dyn FnMut(&Seeding) + Send),
    stop: &mut Stop,
) -> Result<SeedSummary> {
    let output = root
        .to_str()
        .ok_or_else(|| Error::Fetch(format!("{}: path must be valid UTF-8", root.display())))?
        .to_string();
    let added = session
        .add_torrent(
            AddTorrent::from_bytes(torrent),
            Some(AddTorrentOptions {
                overwrite: true,
                output_folder: Some(output),
                initial_peers: (!net.peers.is_empty()).then(|| net.peers.clone()),
                ..Default::default()
            }),
        )
        .await
        .map_err(|e| bt_error("cannot start seeding", e))?;
    let handle = match added {
        AddTorrentResponse::Added(_, h) | AddTorrentResponse::AlreadyManaged(_, h) => h,
        AddTorrentResponse::ListOnly(_) => {
            return Err(Error::Fetch("the session only listed the torrent".into()))
        }
    };
    tokio::select! {
        r = handle.wait_until_initialized() => {
            r.map_err(|e| bt_error("the BitTorrent client could not open the copy", e))?;
        }
        () = stop.wait() => return Ok(SeedSummary::default()),
    }
    let stats = handle.stats();
    if !stats.finished {
        return Err(Error::Fetch(format!(
            "the BitTorrent client finds only {} of {} bytes in {}, although every piece verified",
            stats.progress_bytes,
            stats.total_bytes,
            root.display()
        )));
    }
    ready(&Seeding {
        listen: session.listen_addr(),
        info_hash: meta.info_hash_hex(),
    });
    let began = Instant::now();
    let mut summary = SeedSummary::default();
    let mut tick = tokio::time::interval(Duration::from_millis(500));
    loop {
        tokio::select! {
            () = stop.wait() => break,
            _ = tick.tick() => {
                let s = handle.stats();
                summary.uploaded_bytes = s.uploaded_bytes;
                if let Some(l) = &s.live {
                    summary.peak_peers = summary.peak_peers.max(l.snapshot.peer_stats.live);
                }
            }
        }
    }
    summary.uploaded_bytes = handle.stats().uploaded_bytes;
    summary.seconds = began.elapsed().as_secs_f64();
    Ok(summary)
}
