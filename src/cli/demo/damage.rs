//! The demo's second act: a copy of the release damaged three ways a real
//! download goes wrong, each caught and named by the same verification
//! that passed the intact copy.

use std::io::Write;
use std::path::Path;

use weightcheck::manifest::Manifest;
use weightcheck::verdict::FileVerdict;
use weightcheck::verify::{self, Located};

/// One damage done to the copy: what, to which shard files, and how.
struct Damage {
    what: &'static str,
    files: &'static [&'static str],
    how: fn(&Path) -> std::io::Result<String>,
}

/// Shard indices in the 12-layer demo's file order: 2-13 hold layer 0,
/// 14-25 layer 1 and 26-37 layer 10 (names sort as strings), in the same
/// order within each layer, so 14 and 26 are two layers' `moe/linear/w`.
const DAMAGES: [Damage; 3] = [
    Damage {
        what: "one flipped byte",
        files: &["ckpt-0/tensor00003_000"],
        how: flip_middle_byte,
    },
    Damage {
        what: "a truncated shard",
        files: &["ckpt-0/tensor00005_000"],
        how: cut_in_half,
    },
    Damage {
        what: "two layers swapped",
        files: &["ckpt-0/tensor00014_000", "ckpt-0/tensor00026_000"],
        how: swap_14_and_26,
    },
];

fn flip_middle_byte(ckpt: &Path) -> std::io::Result<String> {
    let path = ckpt.join("tensor00003_000");
    let mut bytes = std::fs::read(&path)?;
    let at = bytes.len() / 2;
    bytes[at] ^= 0x01;
    std::fs::write(&path, bytes)?;
    Ok(format!("bit 0 of byte {at} flipped"))
}

fn cut_in_half(ckpt: &Path) -> std::io::Result<String> {
    let path = ckpt.join("tensor00005_000");
    let len = std::fs::metadata(&path)?.len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&path)?
        .set_len(len / 2)?;
    Ok(format!("cut from {len} to {} bytes", len / 2))
}

fn swap_14_and_26(ckpt: &Path) -> std::io::Result<String> {
    let (a, b) = (ckpt.join("tensor00014_000"), ckpt.join("tensor00026_000"));
    let held = ckpt.join("swap.tmp");
    std::fs::rename(&a, &held)?;
    std::fs::rename(&b, &a)?;
    std::fs::rename(&held, &b)?;
    Ok("layer 1's and layer 10's moe/linear/w exchanged (same shapes)".to_string())
}

/// Copies `root/ckpt-0` into a temporary directory, damages the copy,
/// verifies it against `manifest` and prints what was caught. Returns
/// whether every damaged file was caught and the copy failed.
pub fn run(out: &mut dyn Write, root: &Path, manifest: &Manifest) -> anyhow::Result<bool> {
    let copy = tempfile::Builder::new()
        .prefix("weightcheck-demo-damaged-")
        .tempdir()?;
    let ckpt = copy.path().join("ckpt-0");
    std::fs::create_dir(&ckpt)?;
    for entry in std::fs::read_dir(root.join("ckpt-0"))? {
        let entry = entry?;
        std::fs::copy(entry.path(), ckpt.join(entry.file_name()))?;
    }
    for d in &DAMAGES {
        writeln!(out, "   damage: {:<19} {}", d.what, (d.how)(&ckpt)?)?;
    }
    let located = Located::at(copy.path(), manifest)?;
    let mut opts = verify::Options::default();
    opts.check_hashes = true;
    let report = verify::verify(manifest, &located, &opts)?;
    writeln!(out)?;
    let mut all_caught = true;
    for d in &DAMAGES {
        for file in d.files {
            let found = report.files.iter().find(|f| f.path == *file);
            match found {
                Some(f) if f.verdict != FileVerdict::Ok => {
                    writeln!(out, "   caught: {:<19} {file}: {}", d.what, f.verdict)?;
                    if let Some(p) = f.problems.first() {
                        writeln!(out, "{:32}- {p}", "")?;
                    }
                }
                _ => {
                    all_caught = false;
                    writeln!(out, "   MISSED: {:<19} {file}", d.what)?;
                }
            }
        }
    }
    let others = report
        .files
        .iter()
        .filter(|f| f.verdict == FileVerdict::Ok)
        .count();
    writeln!(
        out,
        "   the other {others} files: ok; the damaged copy's result: {}\n",
        if report.verified() {
            "VERIFIED (wrong!)"
        } else {
            "FAILED"
        }
    )?;
    Ok(all_caught && !report.verified())
}
