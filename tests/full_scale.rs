//! The full-size Grok-1 layout, written by the real writer as sparse files
//! (scripts/grok_fixture.py full), decoded by weightcheck and checked
//! against the sourced facts in tests/data/grok-1/ckpt-0.tsv: every shape,
//! dtype, scales shape and file size, and the parameter total. The Rust
//! writer, given the same shapes and holes, makes the same files.
//!
//! Mixtral 8x7B and Flan-T5-XXL the same way: the hub's safetensors shards
//! at full size (scripts/st_fixture.py, whose header writer matches the
//! `safetensors` package byte for byte; payloads are holes), held by name
//! against the built-in manifests, whose publishers' parameter claims are
//! computed from the shards and must hold — in verify, in report, and in
//! the README table that shows them.

mod common;

use std::collections::HashMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::Instant;

use common::{assert_output, fixture};
use snapbox::str;
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

/// Writes the full-size sparse safetensors release `kind` into `dir/name`.
fn sparse_release(kind: &str, dir: &Path, name: &str) {
    let out = dir.join(name);
    common::safetensors_fixture(&[kind, out.to_str().unwrap()]);
}

/// The claims table of a verify output: from its header line to the blank
/// line after it.
fn claims_block(out: &str) -> String {
    let lines: Vec<&str> = out
        .lines()
        .skip_while(|l| !l.starts_with("claim "))
        .take_while(|l| !l.is_empty())
        .collect();
    assert!(!lines.is_empty(), "no claims table in:\n{out}");
    lines.join("\n")
}

/// Runs the README's command for a release's claims and returns its
/// output; checks that the claims table it prints is the README's, and
/// that `verify --json` and `report --dir` agree that every claim holds,
/// with the `computed` figures.
fn claims_hold(dir: &Path, args: &[&str], computed: &[(&str, u64)]) -> String {
    let (code, out, err) = common::run(args, dir);
    assert_eq!(code, 0, "{out}{err}");
    let block = claims_block(&out);
    let readme = std::fs::read_to_string(common::repo().join("README.md")).unwrap();
    let shown = format!("$ weightcheck {}", args.join(" "));
    assert!(readme.contains(&shown), "README does not show `{shown}`");
    assert!(
        readme.contains(&block),
        "README does not show the claims table `{shown}` prints:\n{block}"
    );

    let mut json = args.to_vec();
    json.push("--json");
    let (code, verify_json, err) = common::run(&json, dir);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&verify_json).unwrap();
    let release = args[args.iter().position(|a| *a == "--release").unwrap() + 1];
    let (code, report_json, err) = common::run(
        ["report", release, "--dir", args[1], "--format", "json"],
        dir,
    );
    // The report hashes, and no digest is published: STRUCTURE OK.
    assert_eq!(code, 3, "{err}");
    let r: serde_json::Value = serde_json::from_str(&report_json).unwrap();
    let (claims, shown) = (
        v["claims"].as_array().unwrap(),
        r["claims"].as_array().unwrap(),
    );
    assert_eq!(claims.len(), computed.len(), "{verify_json}");
    assert_eq!(shown.len(), computed.len(), "{report_json}");
    for ((c, line), (quantity, value)) in claims.iter().zip(shown).zip(computed) {
        assert_eq!(c["quantity"], *quantity);
        assert_eq!(c["computed"], *value, "verify: {quantity}");
        assert_eq!(c["verdict"], "confirmed", "verify: {quantity}");
        assert_eq!(line["text"], c["text"]);
        assert_eq!(line["computed"], *value, "report: {quantity}");
        assert_eq!(line["verdict"], "confirmed", "report: {quantity}");
    }
    out
}

#[test]
fn mixtral_8x7b_claims_hold_at_full_size() {
    let dir = tempfile::tempdir().unwrap();
    sparse_release("sparse-mixtral", dir.path(), "mixtral");
    // 46,702,792,704 is the Hub's count for mistralai/Mixtral-8x7B-v0.1;
    // active = 1,605,636,096 non-expert + 2/8 of 45,097,156,608 expert.
    let out = claims_hold(
        dir.path(),
        &[
            "verify",
            "mixtral",
            "--release",
            "mixtral-8x7b",
            "--no-hash",
            "--quiet",
        ],
        &[
            ("total_parameters", 46_702_792_704),
            ("active_parameters", 12_879_925_248),
            ("experts", 8),
        ],
    );
    assert_output(
        &out,
        str![[r#"
weightcheck verify: Mixtral 8x7B (Mistral AI, 2023-12-08) in [ROOT]/mixtral
  looked: [ROOT]/mixtral: the manifest lists no files; the tensor files found here are checked


files: 19/19 present, 0 missing, 0 extra, 0 wrong size
structure: 19/19 structurally correct
digests: 0 match, 0 differ, 19 not published in the manifest

claim                                             claimed        computed  verdict
46.7B total parameters                     46,700,000,000  46,702,792,704  confirmed
    how: sum of the logical elements of the 995 tensors the architecture implies, as stored
    source: Mistral AI, "Mixtral of experts" (mistral.ai/news/mixtral-of-experts, 11 December 2023)
12.9B parameters per token                 12,900,000,000  12,879,925,248  confirmed
    how: 1,605,636,096 non-expert (embedding, attention, norms, routers, output) + 2/8 of
         45,097,156,608 expert parameters (2 experts per token, from the architecture)
    source: Mistral AI, "Mixtral of experts" (mistral.ai/news/mixtral-of-experts, 11 December 2023)
8 distinct groups of parameters (experts)               8               8  confirmed
    how: first axis of the router weight model.layers.0.block_sparse_moe.gate.weight
    source: Mistral AI, "Mixtral of experts" (mistral.ai/news/mixtral-of-experts, 11 December 2023)

note: safetensors shards found: tensor names checked in the Hugging Face (transformers) naming

note: the manifest publishes no file sizes: the 19 tensor files found were checked by content, not against a file list

note: the manifest has no SHA-256s: pin them with `weightcheck manifest pin` from a trusted copy

result: STRUCTURE OK — nothing wrong found, but the content of 19 of 19 files was not checked against any published digest (--no-hash: structure only, as asked)
  not checked: model-00001-of-00019.safetensors, model-00002-of-00019.safetensors, model-00003-of-00019.safetensors, model-00004-of-00019.safetensors, model-00005-of-00019.safetensors and 14 more
  to check them: hash with the release's .torrent (`weightcheck fetch --release ID --metadata-only`, then `verify --torrent FILE`), with the publisher's checksums (`verify --sums FILE`), against the Hugging Face Hub's digests (`weightcheck hf OWNER/REPO DIR`), or against a trusted copy pinned with `weightcheck manifest pin DIR -o FILE`

"#]],
        dir.path(),
    );
}

#[test]
fn flan_t5_xxl_claim_holds_at_full_size() {
    let dir = tempfile::tempdir().unwrap();
    sparse_release("sparse-flan-t5-xxl", dir.path(), "flan-t5-xxl");
    // 11,135,332,352 is transformers' num_parameters() for
    // google/flan-t5-xxl: the untied lm_head counted, the shared embedding once.
    let out = claims_hold(
        dir.path(),
        &[
            "verify",
            "flan-t5-xxl",
            "--release",
            "flan-t5-xxl",
            "--no-hash",
            "--quiet",
        ],
        &[("total_parameters", 11_135_332_352)],
    );
    assert_output(
        &out,
        str![[r#"
weightcheck verify: Flan-T5-XXL (Google, 2022-10-20) in [ROOT]/flan-t5-xxl
  looked: [ROOT]/flan-t5-xxl: the manifest lists no files; the tensor files found here are checked


files: 5/5 present, 0 missing, 0 extra, 0 wrong size
structure: 5/5 structurally correct
digests: 0 match, 0 differ, 5 not published in the manifest

claim                               claimed        computed  verdict
Flan-T5-XXL: 11B parameters  11,000,000,000  11,135,332,352  confirmed
    how: sum of the logical elements of the 558 tensors the architecture implies, as stored
    source: Chung et al., "Scaling Instruction-Finetuned Language Models" (arXiv:2210.11416), and
            the google/flan-t5-xxl model card

note: the manifest publishes no file sizes: the 5 tensor files found were checked by content, not against a file list

note: the manifest has no SHA-256s: pin them with `weightcheck manifest pin` from a trusted copy

result: STRUCTURE OK — nothing wrong found, but the content of 5 of 5 files was not checked against any published digest (--no-hash: structure only, as asked)
  not checked: model-00001-of-00005.safetensors, model-00002-of-00005.safetensors, model-00003-of-00005.safetensors, model-00004-of-00005.safetensors, model-00005-of-00005.safetensors
  to check them: hash with the release's .torrent (`weightcheck fetch --release ID --metadata-only`, then `verify --torrent FILE`), with the publisher's checksums (`verify --sums FILE`), against the Hugging Face Hub's digests (`weightcheck hf OWNER/REPO DIR`), or against a trusted copy pinned with `weightcheck manifest pin DIR -o FILE`

"#]],
        dir.path(),
    );
}
