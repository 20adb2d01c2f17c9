//! The demo's torrent leg: the demo release made into a .torrent, seeded
//! and fetched on 127.0.0.1 with real librqbit sessions, then checked.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use anyhow::Context;

use weightcheck::create_torrent::{create, CreateOptions};
use weightcheck::fetch::{self, FetchOptions, NetOptions, Source, Stop};
use weightcheck::manifest::Manifest;
use weightcheck::units::thousands;

/// The demo's torrent leg: `root/ckpt-0` is made into a torrent, seeded
/// and fetched over BitTorrent on 127.0.0.1 (DHT, trackers and local
/// discovery off), and the copy is checked against `manifest`. Returns
/// whether the copy verified.
pub fn run(out: &mut dyn Write, root: &Path, manifest: &Manifest) -> anyhow::Result<bool> {
    writeln!(
        out,
        "== 5/7 torrent: seeded and fetched over BitTorrent on 127.0.0.1 (librqbit), then verified\n"
    )?;
    let content = root.join("ckpt-0");
    let created = create(&content, &CreateOptions::new(32 << 10), &|_| {})?;
    let meta = created.metainfo.clone();
    writeln!(
        out,
        "   torrent: {:?}, {} files, {} bytes in {} pieces of {} KiB\n   \
         info-hash {} (the same as mktorrent's)",
        meta.name,
        meta.files.len(),
        thousands(meta.total_length()),
        meta.pieces.len(),
        meta.piece_length >> 10,
        meta.info_hash_hex()
    )?;
    let seeded = fetch::seed::verify_local(
        &content,
        &meta,
        weightcheck::hash::engine::CacheMode::Off,
        &|_| {},
    )?;
    if !seeded.all_ok() {
        writeln!(out, "   the seeder's copy does not verify")?;
        return Ok(false);
    }
    let dest = tempfile::Builder::new()
        .prefix("weightcheck-demo-fetch-")
        .tempdir()?;
    let net = NetOptions::loopback();
    let rt = fetch::runtime()?;
    let result = rt.block_on(async {
        let (stop_seed, seed_stop) = Stop::new();
        let (tx, rx) = tokio::sync::oneshot::channel();
        let seeder = {
            let (content, bytes, meta, net) = (
                content.clone(),
                created.bytes.clone(),
                meta.clone(),
                net.clone(),
            );
            tokio::spawn(async move {
                let mut tx = Some(tx);
                let mut ready = |s: &fetch::seed::Seeding| {
                    if let Some(tx) = tx.take() {
                        let _ = tx.send(s.listen);
                    }
                };
                fetch::seed::serve(&content, bytes, &meta, &net, &mut ready, seed_stop).await
            })
        };
        let addr = tokio::time::timeout(Duration::from_secs(20), rx)
            .await
            .context("the seeder did not start within 20 s")?
            .context("the seeder stopped before it was ready")?
            .context("the seeder has no listen address")?;
        let mut opts = FetchOptions::new(dest.path());
        opts.net = net.clone();
        opts.net.peers = vec![addr];
        opts.manifest = Some(manifest.clone());
        let (_h, stop) = Stop::new();
        let fetched = tokio::time::timeout(
            Duration::from_secs(60),
            fetch::fetch(
                Source::Torrent(created.bytes.clone()),
                &opts,
                &mut fetch::download::Quiet,
                &|_| {},
                stop,
            ),
        )
        .await
        .context("the fetch did not finish within 60 s")?;
        stop_seed.stop();
        let summary = seeder.await.context("the seeder panicked")??;
        anyhow::Ok((addr, fetched?, summary))
    });
    rt.shutdown_timeout(Duration::from_secs(2));
    let (addr, report, summary) = result?;
    writeln!(
        out,
        "   seeder: every piece verified, then served on {addr}; uploaded {} bytes",
        thousands(summary.uploaded_bytes)
    )?;
    writeln!(
        out,
        "   fetch: {} bytes in {:.1} s into {} (temporary)",
        thousands(report.downloaded_bytes),
        report.transfer_seconds,
        dest.path().display()
    )?;
    let Some(check) = &report.check else {
        writeln!(out, "   the fetch was not checked")?;
        return Ok(false);
    };
    let k = check.counts();
    writeln!(
        out,
        "   check: {}/{} pieces pass; {}/{} files verified by piece hashes, SHA-256 and structure\n",
        check.pieces_passed, check.pieces, k.verified, k.selected
    )?;
    if !report.passed() {
        weightcheck::printer::fetch::check(out, check, true)?;
    }
    Ok(report.passed())
}
