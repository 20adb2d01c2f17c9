//! The full-size Grok-1 layout, written by the real writer as sparse files
//! (scripts/grok_fixture.py full), decoded by weightcheck and checked
//! against the sourced facts in tests/data/grok-1/ckpt-0.tsv: every shape,
//! dtype, scales shape and file size, and the parameter total. The Rust
//! writer, given the same shapes and holes, makes the same files.

mod common;

use std::collections::HashMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::Instant;

use common::fixture;
use weightcheck::formats::grok::{decode_shard, map_file};
use weightcheck::formats::tensor::parse_shape;
use weightcheck::formats::writer::{write_shard, ArraySpec, ShardSpec};
use weightcheck::formats::{DType, TensorRecord};

fn facts_path() -> PathBuf {
    common::repo().join("tests/data/grok-1/ckpt-0.tsv")
}

fn read_tsv(path: &Path) -> Vec<HashMap<String, String>> {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split('\t').collect();
    lines
        .filter(|l| !l.is_empty())
        .map(|l| {
            header
                .iter()
                .zip(l.split('\t'))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

fn shape(text: &str) -> Vec<u64> {
    parse_shape(text).unwrap_or_else(|| panic!("bad shape {text:?} in the facts"))
}

fn dtype(name: &str) -> DType {
    DType::from_name(name).unwrap_or_else(|| panic!("unknown dtype {name:?} in the facts"))
}

/// The shard spec a facts row describes, all payloads holes.
fn hole_spec(row: &HashMap<String, String>) -> ShardSpec<'static> {
    let weight = ArraySpec {
        shape: shape(&row["logical_shape"]),
        dtype: dtype(&row["weight_dtype"]),
        data: None,
    };
    if row["stored_as"] == "ndarray" {
        ShardSpec::Array(weight)
    } else {
        ShardSpec::Quantized {
            weight,
            scales: ArraySpec {
                shape: shape(&row["scales_shape"]),
                dtype: dtype(&row["scales_dtype"]),
                data: None,
            },
        }
    }
}

/// The byte ranges of a shard outside its payloads of 64 KiB or more (the
/// pickle's structure; smaller payloads sit inside frames and are kept).
fn structure(rec: &TensorRecord, size: u64) -> Vec<(u64, u64)> {
    let mut big: Vec<(u64, u64)> = std::iter::once(rec.data)
        .chain(rec.scales.as_ref().map(|s| s.data))
        .filter(|s| s.len >= 64 * 1024)
        .map(|s| (s.offset, s.offset + s.len))
        .collect();
    big.sort();
    let mut out = Vec::new();
    let mut at = 0;
    for (start, end) in big {
        out.push((at, start));
        at = end;
    }
    out.push((at, size));
    out
}

#[test]
fn full_layout_matches_the_facts() {
    let facts = read_tsv(&facts_path());
    assert_eq!(facts.len(), 770);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("grok-1");

    let start = Instant::now();
    let said = fixture(&[
        "full",
        out.to_str().unwrap(),
        "--facts",
        facts_path().to_str().unwrap(),
    ]);
    let build = start.elapsed();

    let start = Instant::now();
    let mut params = 0u64;
    let mut total = 0u64;
    let mut disk = 0u64;
    let mut records = Vec::new();
    for row in &facts {
        let path = out.join(&row["file"]);
        let what = format!("{} ({})", row["file"], row["param_path"]);
        let meta = std::fs::metadata(&path).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(
            meta.len().to_string(),
            row["file_bytes"],
            "{what}: file size"
        );
        total += meta.len();
        disk += meta.blocks() * 512;
        let rec = decode_shard(&path).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(rec.stored_as.name(), row["stored_as"], "{what}: stored as");
        assert_eq!(rec.shape, shape(&row["logical_shape"]), "{what}: shape");
        assert_eq!(rec.dtype.name(), row["weight_dtype"], "{what}: dtype");
        match &rec.scales {
            Some(s) => {
                assert_eq!(s.shape, shape(&row["scales_shape"]), "{what}: scales shape");
                assert_eq!(s.dtype.name(), row["scales_dtype"], "{what}: scales dtype");
            }
            None => assert_eq!(row["scales_shape"], "", "{what}: scales"),
        }
        params += rec.elements();
        records.push(rec);
    }
    let decode = start.elapsed();
    assert_eq!(total, 318_239_886_140);
    assert_eq!(params, 315_684_820_992);
    // Sparse: the structure and the small in-frame payloads only.
    assert!(
        disk < 64 << 20,
        "the sparse layout takes {disk} bytes of disk"
    );

    // The Rust writer, given the facts' shapes and holes, writes the same
    // files: same sizes, payloads at the same offsets, same structure bytes.
    let start = Instant::now();
    let ours_dir = dir.path().join("rust");
    std::fs::create_dir_all(ours_dir.join("ckpt-0")).unwrap();
    for (row, rec) in facts.iter().zip(&records) {
        let what = &row["file"];
        let ours_path = ours_dir.join(what);
        let size = write_shard(&ours_path, &hole_spec(row)).unwrap();
        assert_eq!(size.to_string(), row["file_bytes"], "{what}: rust size");
        let ours_rec = decode_shard(&ours_path).unwrap();
        assert_eq!(&ours_rec, rec, "{what}: rust layout");
        let (theirs, ours) = (
            map_file(&out.join(what)).unwrap(),
            map_file(&ours_path).unwrap(),
        );
        for (a, b) in structure(rec, size) {
            let r = a as usize..b as usize;
            assert!(
                theirs[r.clone()] == ours[r],
                "{what}: rust bytes {a}..{b} differ from the real writer's"
            );
        }
        std::fs::remove_file(&ours_path).unwrap();
    }
    let rust = start.elapsed();
    eprintln!(
        "{}python build {build:.1?}, {disk} bytes on disk; decode of 770 shards {decode:.1?}; \
         rust re-write and compare {rust:.1?}",
        said
    );
}
