//! The loopback Hugging Face Hub of the hf tests (tests/common/hub_server.rs,
//! the same code, not a second implementation) as a program, for
//! scripts/bench-hf-verify.sh:
//!
//!     cargo run --release --example hub_server -- OWNER/NAME DIR [SECONDS=3600]
//!
//! Serves every file under DIR as repository OWNER/NAME at commit
//! `HUB_COMMIT` (branch `main`): `*.safetensors` files as LFS files read
//! from disk (their SHA-256 computed first), the others as git files held in
//! memory. Prints its URL (`http://127.0.0.1:PORT`) on the first line of
//! standard output once it answers, then serves until SECONDS have passed.

// The module is the tests' server; the parts only tests use (laying out a
// cache by hand, the request log) are unused here.
#[allow(dead_code)]
#[path = "../tests/common/hub_server.rs"]
mod hub_server;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use hub_server::{DiskBlob, HubServer, ServedModel};

fn main() {
    if let Err(e) = run() {
        eprintln!("hub_server: {e}");
        std::process::exit(2);
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (repo, dir) = match args.as_slice() {
        [repo, dir, ..] => (repo.clone(), PathBuf::from(dir)),
        _ => return Err("usage: hub_server OWNER/NAME DIR [SECONDS]".into()),
    };
    let seconds: u64 = match args.get(2) {
        Some(s) => s.parse().map_err(|e| format!("SECONDS {s:?}: {e}"))?,
        None => 3600,
    };
    let mut model = ServedModel {
        repo,
        files: BTreeMap::new(),
        lfs_on_disk: BTreeMap::new(),
        // The Hub's page size for unexpanded listings.
        page_size: 1000,
        ..ServedModel::small()
    };
    add_files(&dir, &dir, &mut model)?;
    // Every connection of a benchmark run fits, with room to spare; the
    // lifetime bounds a server its script failed to stop.
    let server = HubServer::start_bounded(model, 100_000, Duration::from_secs(seconds));
    let mut out = std::io::stdout();
    writeln!(out, "{}", server.url())?;
    out.flush()?;
    server.wait();
    Ok(())
}

/// Adds the files under `dir` (recursively) to `model`, named relative to
/// `root`.
fn add_files(
    root: &Path,
    dir: &Path,
    model: &mut ServedModel,
) -> Result<(), Box<dyn std::error::Error>> {
    for entry in std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            add_files(root, &path, model)?;
            continue;
        }
        let name = path
            .strip_prefix(root)?
            .to_str()
            .ok_or_else(|| format!("{}: not UTF-8", path.display()))?
            .to_string();
        if name.ends_with(".safetensors") {
            let blob =
                DiskBlob::hash(path.clone()).map_err(|e| format!("{}: {e}", path.display()))?;
            model.lfs_on_disk.insert(name, blob);
        } else {
            let content = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            model.files.insert(name, (content, false));
        }
    }
    Ok(())
}
