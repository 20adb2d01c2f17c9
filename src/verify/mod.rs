//! Holding a directory of weight files against a release manifest: the file
//! set and sizes, each shard's decoded structure against the tensor its
//! architecture puts at that position, content hashes where the manifest has
//! them, and the publisher's claims against what the weights show.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use crate::arch::{self, ExpectedTensor, Finding, FindingKind, Layout};
use crate::formats::tensor::shape_str;
use crate::formats::{self, grok, Format, TensorRecord};
use crate::hash::engine::{
    self, BadPiece, CacheMode, HashPlan, HashReport, PiecePlan, PlanFile, Progress,
};
use crate::manifest::{Architecture, FileEntry, Manifest};
use crate::torrent::Metainfo;
use crate::verdict::{FileVerdict, Outcome, Tally};
use crate::{Error, Result};

pub mod aliasing;
pub mod claims;
pub mod locate;

pub use claims::{ClaimResult, ClaimVerdict};
pub use locate::Located;

/// What to check besides structure.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Hash files whose SHA-256 the manifest knows (and, with `torrent`,
    /// every piece), in one pass.
    pub check_hashes: bool,
    /// A SentencePiece tokenizer.model to count the vocabulary from.
    pub tokenizer: Option<PathBuf>,
    /// A .torrent whose piece hashes to check the files against; its paths
    /// are relative to the release root.
    pub torrent: Option<Metainfo>,
    /// How hashing uses the verification cache.
    pub cache: CacheMode,
    /// Raised to stop hashing early (Ctrl-C); see [`crate::hash::interrupt`].
    pub stop: Option<&'static std::sync::atomic::AtomicBool>,
}

/// Torrent piece results.
#[derive(Debug, Clone, Serialize)]
pub struct Pieces {
    /// The torrent's info-hash (hex).
    pub info_hash: String,
    /// Bytes per piece.
    pub piece_length: u64,
    /// Number of pieces.
    pub count: usize,
    /// Pieces that matched.
    pub passed: usize,
    /// Every piece that did not, with the file ranges it covers, in runs
    /// of consecutive pieces that failed the same way.
    pub failed: Vec<BadPiece>,
}

/// How a content hash check ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum HashCheck {
    /// The manifest has no hash for this file.
    NotKnown,
    /// Not hashed in this run (`--no-hash`).
    NotChecked,
    /// Content matches the manifest's SHA-256.
    Matched,
    /// Content differs.
    Mismatch {
        /// What the manifest says.
        expected: String,
        /// What the file hashes to.
        actual: String,
    },
}

/// The verdict on one expected or found file.
#[derive(Debug, Clone, Serialize)]
pub struct FileResult {
    /// Path relative to the release root.
    pub path: String,
    /// The tensor expected in this file, by name.
    pub tensor: Option<String>,
    /// What was found.
    pub verdict: FileVerdict,
    /// Human-readable problems found.
    pub problems: Vec<String>,
    /// Size on disk.
    pub size: Option<u64>,
    /// Whether the decoded structure matched the expected tensor.
    pub structure_ok: bool,
    /// The SHA-256 check.
    pub sha256: HashCheck,
    /// The digests that proved this file's bytes in this run (`sha256`,
    /// `torrent pieces`); empty when its content was not checked.
    pub content_verified_by: Vec<&'static str>,
    /// The symlink target, for files resolved through a Hugging Face cache.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolved: Option<String>,
}

/// Counts over a verification.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    /// Files the manifest lists.
    pub expected: usize,
    /// Of those, present on disk.
    pub present: usize,
    /// Missing from disk.
    pub missing: usize,
    /// On disk in the release's directories but not in the manifest.
    pub extra: usize,
    /// Present with the wrong size.
    pub wrong_size: usize,
    /// Decoded and equal to the expected tensor.
    pub structure_ok: usize,
    /// Decoded but different from the expected tensor, or undecodable.
    pub structure_bad: usize,
    /// SHA-256 matched.
    pub hash_matched: usize,
    /// SHA-256 differed.
    pub hash_mismatched: usize,
    /// Files whose SHA-256 the manifest does not know.
    pub hash_unknown: usize,
    /// Files whose SHA-256 is known but were not hashed (`--no-hash`).
    pub hash_not_checked: usize,
    /// Present release files whose bytes a digest proved.
    pub content_verified: usize,
    /// Present release files whose bytes no digest checked.
    pub content_unchecked: usize,
}

/// Version of the JSON document `verify --json` prints. 3: bad pieces come
/// as runs (`pieces.failed[]` entries with a `count`; a file's
/// `failed_pieces` as `{start, end}` ranges).
pub const SCHEMA_VERSION: u32 = 3;

/// The outcome of `verify`.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The result word's value: what this run established.
    pub result: Outcome,
    /// The exit code the command ends with.
    pub exit_code: i32,
    /// The counts behind the result.
    pub tally: Tally,
    /// Whether content was hashed (false with `--no-hash`).
    pub hashed: bool,
    /// Release id.
    pub release: String,
    /// The directory checked.
    pub root: PathBuf,
    /// Where files were looked for and found.
    pub located: Vec<String>,
    /// Every expected file, then every extra one.
    pub files: Vec<FileResult>,
    /// Counts.
    pub summary: Summary,
    /// Tensor-level findings of a by-name check (names, shapes, dtypes)
    /// that no single file explains, such as a missing tensor.
    pub findings: Vec<Finding>,
    /// Torrent piece results, with `--torrent`.
    pub pieces: Option<Pieces>,
    /// Bytes read and hashed in this run.
    pub bytes_hashed: u64,
    /// Bytes whose digests came from the verification cache.
    pub bytes_cached: u64,
    /// The publisher's claims against the evidence.
    pub claims: Vec<ClaimResult>,
    /// What the checks could not establish.
    pub notes: Vec<String>,
}

impl Report {
    /// Whether every byte was proven ([`Outcome::Verified`]).
    pub fn verified(&self) -> bool {
        self.result.is_verified()
    }

    /// Present files whose content no digest checked, by path.
    pub fn unchecked_files(&self) -> impl Iterator<Item = &FileResult> {
        self.files
            .iter()
            .filter(|f| is_present(f) && f.content_verified_by.is_empty())
    }
}

/// A release file that was there to look at (extras are not release files).
fn is_present(f: &FileResult) -> bool {
    !matches!(f.verdict, FileVerdict::Missing | FileVerdict::Extra)
}

/// Verifies the release found at `located` against `manifest`.
pub fn verify(manifest: &Manifest, located: &Located, opts: &Options) -> Result<Report> {
    verify_with_progress(manifest, located, opts, &|_| {})
}

/// [`verify`], reporting hashing progress (bytes done and total).
pub fn verify_with_progress(
    manifest: &Manifest,
    located: &Located,
    opts: &Options,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Report> {
    let mut notes = Vec::new();
    let layout = match &manifest.architecture {
        Some(a) => Some(arch::expected(&adapt_naming(a, &located.root, &mut notes))?),
        None => None,
    };
    let by_name = layout.as_ref().is_some_and(|l| l.by_name);
    let root = &located.root;

    // Names-only manifests (no sizes published) check what is there.
    let found_entries;
    let entries: &[FileEntry] = if manifest.files.is_empty() {
        found_entries = found_tensor_files(root)?;
        notes.push(format!(
            "the manifest publishes no file sizes: the {} tensor files found were checked by content, not against a file list",
            found_entries.len()
        ));
        &found_entries
    } else {
        &manifest.files
    };
    let expected_at = |i: usize| {
        if by_name {
            None
        } else {
            layout.as_ref().and_then(|l| l.tensors.get(i))
        }
    };

    let decoding = match (&layout, by_name) {
        (Some(_), false) => Decoding::GrokShard,
        (Some(_), true) => Decoding::ByName,
        (None, _) => Decoding::TensorFilesOnly,
    };
    let mut files: Vec<(FileResult, Vec<TensorRecord>)> = entries
        .par_iter()
        .enumerate()
        .map(|(i, entry)| check_file(located, entry, expected_at(i), decoding))
        .collect();

    let mut findings = Vec::new();
    for (f, records) in files.iter_mut() {
        let aliased = aliasing::findings(records);
        if !aliased.is_empty() {
            f.structure_ok = false;
            if f.verdict == FileVerdict::Ok {
                f.verdict = FileVerdict::BadStructure;
            }
            f.problems.extend(aliased);
        }
    }
    findings.extend(index_findings(root)?);
    if let (true, Some(layout)) = (by_name, &layout) {
        let named: Vec<(PathBuf, &TensorRecord)> = files
            .iter()
            .flat_map(|(f, records)| records.iter().map(move |r| (PathBuf::from(&f.path), r)))
            .collect();
        for finding in arch::check_by_name(layout, named.iter().map(|(p, r)| (p.as_path(), *r))) {
            let owner = finding
                .file
                .as_ref()
                .and_then(|p| files.iter_mut().find(|(f, _)| Path::new(&f.path) == p));
            match owner {
                Some((f, _)) => {
                    f.structure_ok = false;
                    if f.verdict == FileVerdict::Ok {
                        f.verdict = FileVerdict::BadStructure;
                    }
                    f.problems.push(finding.message.clone());
                }
                None => findings.push(finding),
            }
        }
    }

    let (pieces, bytes_hashed, bytes_cached) = if opts.check_hashes {
        let report = hash_pass(
            root,
            entries,
            &mut files,
            opts.torrent.as_ref(),
            opts.cache,
            opts.stop,
            progress,
        )?;
        if let Some(w) = &report.cache_warning {
            notes.push(format!("verification cache: {w}"));
        }
        let pieces = report
            .pieces
            .as_ref()
            .zip(opts.torrent.as_ref())
            .map(|(p, t)| Pieces {
                info_hash: t.info_hash_hex(),
                piece_length: p.piece_length,
                count: p.count,
                passed: p.passed,
                failed: p.failed.clone(),
            });
        (pieces, report.bytes_hashed, report.bytes_cached)
    } else {
        (None, 0, 0)
    };

    let listed: BTreeSet<&str> = entries.iter().map(|f| f.path.as_str()).collect();
    let extras = if manifest.files.is_empty() {
        Vec::new()
    } else {
        extra_files(root, entries, &listed)?
    };
    for rel in extras {
        files.push((
            FileResult {
                path: rel.clone(),
                tensor: None,
                verdict: FileVerdict::Extra,
                problems: vec!["not part of the release".into()],
                size: std::fs::metadata(root.join(&rel)).ok().map(|m| m.len()),
                structure_ok: false,
                sha256: HashCheck::NotKnown,
                content_verified_by: Vec::new(),
                resolved: None,
            },
            Vec::new(),
        ));
    }

    let summary = summarize(
        entries.len(),
        files.iter().map(|(f, _)| f),
        layout.is_some(),
    );
    let decoded: Vec<(usize, &TensorRecord)> = files
        .iter()
        .take(entries.len())
        .enumerate()
        .filter_map(|(i, (_, t))| t.first().map(|t| (i, t)))
        .collect();
    let vocabulary = match &opts.tokenizer {
        Some(path) => Some(crate::formats::sentencepiece::read_vocabulary(path)?),
        None => None,
    };
    let claims = match (&layout, &manifest.architecture) {
        (Some(l), Some(a)) if !l.by_name => claims::evaluate(
            &manifest.claims,
            a,
            l,
            &decoded,
            vocabulary.as_ref(),
            opts.tokenizer.as_deref(),
        ),
        _ => Vec::new(),
    };
    notes.extend(permutation_notes(manifest, &summary, opts, layout.as_ref()));
    let failures = files.iter().filter(|(f, _)| f.verdict.is_failure()).count()
        + findings.len()
        + pieces
            .as_ref()
            .map_or(0, |p| p.failed.iter().map(|b| b.count).sum());
    let tally = Tally {
        present: summary.present,
        failures,
        content_unchecked: summary.content_unchecked,
    };
    let result = Outcome::judge(&tally);
    Ok(Report {
        schema_version: SCHEMA_VERSION,
        result,
        exit_code: result.exit_code(!opts.check_hashes),
        tally,
        hashed: opts.check_hashes,
        release: manifest.release.id.clone(),
        root: root.clone(),
        located: located.notes.clone(),
        files: files.into_iter().map(|(f, _)| f).collect(),
        summary,
        findings,
        pieces,
        bytes_hashed,
        bytes_cached,
        claims,
        notes,
    })
}

/// Counts verdicts; `structural` when there was an architecture to check against.
fn summarize<'a>(
    expected: usize,
    files: impl Iterator<Item = &'a FileResult>,
    structural: bool,
) -> Summary {
    let mut summary = Summary {
        expected,
        ..Summary::default()
    };
    for f in files {
        match f.verdict {
            FileVerdict::Missing => summary.missing += 1,
            FileVerdict::Extra => summary.extra += 1,
            FileVerdict::WrongSize => summary.wrong_size += 1,
            _ => {}
        }
        if f.verdict != FileVerdict::Missing && f.verdict != FileVerdict::Extra {
            summary.present += 1;
            if f.content_verified_by.is_empty() {
                summary.content_unchecked += 1;
            } else {
                summary.content_verified += 1;
            }
            if f.structure_ok {
                summary.structure_ok += 1;
            } else if structural {
                summary.structure_bad += 1;
            }
        }
        match f.sha256 {
            HashCheck::Matched => summary.hash_matched += 1,
            HashCheck::Mismatch { .. } => summary.hash_mismatched += 1,
            HashCheck::NotKnown if f.verdict != FileVerdict::Extra => summary.hash_unknown += 1,
            HashCheck::NotChecked => summary.hash_not_checked += 1,
            _ => {}
        }
    }
    summary
}

/// Releases published under two tensor namings (Mixtral: the torrent's
/// reference names, the Hugging Face shards' transformers names) are checked
/// with the naming of the files actually present.
fn adapt_naming(arch: &Architecture, root: &Path, notes: &mut Vec<String>) -> Architecture {
    let mut arch = arch.clone();
    let has_safetensors = std::fs::read_dir(root)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .any(|e| e.file_name().to_string_lossy().ends_with(".safetensors"))
        })
        .unwrap_or(false);
    if has_safetensors
        && arch.params.get("tensor_names").and_then(|v| v.as_str()) == Some("consolidated")
    {
        arch.params.insert("tensor_names".into(), "hf".into());
        notes.push("safetensors shards found: tensor names checked in the Hugging Face (transformers) naming".into());
    }
    arch
}

/// Tensor files under `root` as manifest entries with their own sizes.
fn found_tensor_files(root: &Path) -> Result<Vec<FileEntry>> {
    let files = crate::paths::tensor_files(&[root.to_path_buf()])?;
    Ok(files
        .into_iter()
        .filter(|(path, _)| matches!(formats::detect(path), Ok(f) if f != Format::Unknown && f != Format::ShardIndex))
        .map(|(path, rel)| FileEntry {
            size: std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0),
            path: rel,
            sha256: None,
            sha256_source: None,
        })
        .collect())
}

/// How a release's files are decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decoding {
    /// As Grok-1 shards, each held against the tensor at its position.
    GrokShard,
    /// By their detected format, tensors held against the architecture by name.
    ByName,
    /// No architecture: tensor files are decoded (and must decode); other
    /// files (READMEs, configs, tokenizers) are not tensor files and only
    /// their bytes can be checked.
    TensorFilesOnly,
}

fn check_file(
    located: &Located,
    entry: &FileEntry,
    expected: Option<&ExpectedTensor>,
    decoding: Decoding,
) -> (FileResult, Vec<TensorRecord>) {
    let mut result = FileResult {
        path: entry.path.clone(),
        tensor: expected.map(|t| t.name.clone()),
        verdict: FileVerdict::Ok,
        problems: Vec::new(),
        size: None,
        structure_ok: false,
        sha256: if entry.sha256.is_some() {
            HashCheck::NotChecked
        } else {
            HashCheck::NotKnown
        },
        content_verified_by: Vec::new(),
        resolved: None,
    };
    let path = match located.resolve(&entry.path) {
        Ok(Some(resolved)) => resolved,
        Ok(None) => {
            result.verdict = FileVerdict::Missing;
            result.problems.push("missing".into());
            return (result, Vec::new());
        }
        Err(problem) => {
            result.verdict = FileVerdict::Missing;
            result.problems.push(problem);
            return (result, Vec::new());
        }
    };
    if path.via_link {
        result.resolved = Some(path.path.display().to_string());
    }
    let size = match std::fs::metadata(&path.path) {
        Ok(m) => m.len(),
        Err(e) => {
            result.verdict = FileVerdict::Missing;
            result.problems.push(format!("unreadable: {e}"));
            return (result, Vec::new());
        }
    };
    result.size = Some(size);
    if size != entry.size {
        result.verdict = FileVerdict::WrongSize;
        result
            .problems
            .push(format!("size {size} bytes, expected {}", entry.size));
    }
    let records = match decode(&path.path, decoding) {
        Ok(r) => r,
        Err(e) => {
            if result.verdict == FileVerdict::Ok {
                result.verdict = FileVerdict::Undecodable;
            }
            result.problems.push(strip_path(&e, &path.path));
            Vec::new()
        }
    };
    match (records.first(), expected) {
        (Some(r), Some(t)) => {
            let diffs = structure_diffs(r, t);
            result.structure_ok = diffs.is_empty();
            if !diffs.is_empty() && result.verdict == FileVerdict::Ok {
                result.verdict = FileVerdict::BadStructure;
            }
            result.problems.extend(diffs);
        }
        // By-name findings are attached by the caller; without an
        // architecture, decoding is all there is to check.
        (Some(_), None) => result.structure_ok = true,
        _ => {}
    }
    if let Some(blob) = path.blob_sha256.as_deref() {
        // A Hugging Face cache names each blob by its LFS SHA-256.
        match &entry.sha256 {
            Some(want) if !want.eq_ignore_ascii_case(blob) => {
                result.problems.push(format!(
                    "Hugging Face cache blob is {blob}, manifest says {want}"
                ));
                if result.verdict == FileVerdict::Ok {
                    result.verdict = FileVerdict::HashMismatch;
                }
            }
            _ => {}
        }
    }
    (result, records)
}

/// Hashes in one pass (the engine reads each byte once): the SHA-256 of
/// every present file whose digest the manifest knows, and, with a torrent,
/// every piece. Results are written into `files`.
fn hash_pass(
    root: &Path,
    entries: &[FileEntry],
    files: &mut [(FileResult, Vec<TensorRecord>)],
    torrent: Option<&Metainfo>,
    cache: CacheMode,
    stop: Option<&'static std::sync::atomic::AtomicBool>,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<HashReport> {
    let mut plan_files: Vec<PlanFile> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for (entry, (result, _)) in entries.iter().zip(files.iter()) {
        // Missing files, and links that led outside the root, are not read.
        if entry.sha256.is_some() && result.verdict != FileVerdict::Missing {
            index.insert(entry.path.clone(), plan_files.len());
            plan_files.push(PlanFile::sha256(entry.path.clone(), entry.size));
        }
    }
    let mut pieces = None;
    if let Some(t) = torrent {
        let mut order = Vec::with_capacity(t.files.len());
        for f in &t.files {
            let rel = f.relative_path();
            let i = *index.entry(rel.clone()).or_insert_with(|| {
                plan_files.push(PlanFile::pieces_only(rel.clone(), f.length));
                plan_files.len() - 1
            });
            if plan_files[i].size != f.length {
                return Err(Error::Invalid(format!(
                    "the torrent says {rel} is {} bytes, the manifest {}",
                    f.length, plan_files[i].size
                )));
            }
            order.push(i);
        }
        pieces = Some(PiecePlan {
            piece_length: t.piece_length,
            files: order,
            hashes: Some(t.pieces.clone()),
        });
    }
    let mut plan = HashPlan::new(plan_files).with_cache(cache).with_stop(stop);
    plan.pieces = pieces;
    let report = engine::run(root, &plan, progress)?;
    if report.interrupted {
        return Err(Error::Interrupted(format!(
            "hashing stopped after {} bytes; {}",
            report.bytes_hashed,
            report.resume_hint()
        )));
    }
    let by_path: HashMap<&str, &engine::FileReport> =
        report.files.iter().map(|f| (f.path.as_str(), f)).collect();
    for (entry, (result, _)) in entries.iter().zip(files.iter_mut()) {
        let (Some(want), Some(got)) = (&entry.sha256, by_path.get(entry.path.as_str())) else {
            continue;
        };
        match &got.sha256 {
            Some(actual) if actual.eq_ignore_ascii_case(want) => {
                result.sha256 = HashCheck::Matched;
                result.content_verified_by.push("sha256");
            }
            Some(actual) => {
                result.sha256 = HashCheck::Mismatch {
                    expected: want.to_ascii_lowercase(),
                    actual: actual.clone(),
                };
                if matches!(result.verdict, FileVerdict::Ok | FileVerdict::BadStructure) {
                    result.verdict = FileVerdict::HashMismatch;
                }
                result
                    .problems
                    .push("SHA-256 differs from the manifest".into());
            }
            None => {
                if let Some(e) = &got.error {
                    result.problems.push(format!("could not be hashed: {e}"));
                    if !result.verdict.is_failure() || result.verdict == FileVerdict::BadStructure {
                        result.verdict = FileVerdict::Unreadable;
                    }
                }
            }
        }
    }
    if let Some(p) = &report.pieces {
        for bad in &p.failed {
            for span in &bad.spans {
                let Some((result, _)) = files.iter_mut().find(|(f, _)| f.path == span.path) else {
                    continue;
                };
                let what = match (bad.reason == "mismatch", bad.count == 1) {
                    (true, true) => "has the wrong SHA-1",
                    (true, false) => "have the wrong SHA-1",
                    (false, _) => "could not be read",
                };
                result.problems.push(format!(
                    "torrent {} {what} (bytes {}..{} of this file)",
                    bad.label(),
                    span.offset,
                    span.offset + span.length
                ));
                // A piece spans files: when this file's own bytes match
                // their SHA-256, the damage is in a neighbour. The bad piece
                // still fails the run; this file is not the one to blame.
                if result.sha256 == HashCheck::Matched {
                    result.problems.push(
                        "its own bytes match their SHA-256: the damage is in another file of that piece"
                            .into(),
                    );
                } else if matches!(result.verdict, FileVerdict::Ok | FileVerdict::BadStructure) {
                    result.verdict = FileVerdict::HashMismatch;
                }
            }
        }
    }
    if let (Some(t), Some(_)) = (torrent, &report.pieces) {
        // Every byte of a torrent file is in some piece, so all of its
        // pieces passing proves the file.
        let in_torrent: std::collections::HashSet<String> =
            t.files.iter().map(|f| f.relative_path()).collect();
        for (result, _) in files.iter_mut() {
            let Some(got) = by_path.get(result.path.as_str()) else {
                continue;
            };
            if in_torrent.contains(&result.path)
                && got.status == engine::FileStatus::Ok
                && got.error.is_none()
                && got.failed_pieces.is_empty()
                && !got.unchecked
            {
                result.content_verified_by.push("torrent pieces");
            }
        }
    }
    Ok(report)
}

/// Decodes a release file: a Grok-1 shard by position, anything else by its
/// detected format; without an architecture, files of no tensor format are
/// not decoded (an index is checked on its own, by [`index_findings`]).
fn decode(path: &Path, decoding: Decoding) -> Result<Vec<TensorRecord>> {
    match decoding {
        Decoding::GrokShard => grok::decode_shard(path).map(|r| vec![r]),
        Decoding::ByName => formats::inspect_file(path),
        Decoding::TensorFilesOnly => {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            match formats::detect(path)? {
                Format::Unknown if formats::detect::named_as_tensor_file(name) => {
                    Err(Error::format(
                        path,
                        0,
                        "named as a tensor file, but its bytes are no tensor format \
                         (safetensors, PyTorch zip, pickle)",
                    ))
                }
                Format::Unknown | Format::ShardIndex => Ok(Vec::new()),
                _ => formats::inspect_file(path),
            }
        }
    }
}

/// Every shard index under `root` held against its shards, both ways:
/// each entry names a shard that exists and holds that tensor, and each
/// tensor of each shard is indexed. A loader trusts the index, so an index
/// that disagrees with its shards fails the release.
fn index_findings(root: &Path) -> Result<Vec<Finding>> {
    let mut findings = Vec::new();
    for (path, rel) in crate::paths::tensor_files(&[root.to_path_buf()])? {
        // Hugging Face names every index `*.index.json`; config.json and
        // tokenizer files are JSON too and are not indexes.
        if !rel.ends_with(".index.json")
            || !matches!(formats::detect(&path), Ok(Format::ShardIndex))
        {
            continue;
        }
        let finding = |message: String| Finding {
            kind: FindingKind::Index,
            name: rel.clone(),
            file: Some(PathBuf::from(&rel)),
            message,
        };
        match formats::index::read_set(&path) {
            Ok(set) => findings.extend(set.problems.iter().map(|p| finding(p.to_string()))),
            Err(e) => findings.push(finding(strip_path(&e, &path))),
        }
    }
    Ok(findings)
}

/// An error message without the path (the row already names the file).
fn strip_path(e: &Error, path: &Path) -> String {
    let text = e.to_string();
    let prefix = format!("{}: ", path.display());
    text.strip_prefix(&prefix)
        .map(str::to_string)
        .unwrap_or(text)
}

/// Differences between a decoded shard and the tensor expected there.
pub fn structure_diffs(r: &TensorRecord, t: &ExpectedTensor) -> Vec<String> {
    let mut d = Vec::new();
    if r.stored_as != t.stored_as {
        d.push(format!(
            "stored as {}, expected {}",
            r.stored_as.name(),
            t.stored_as.name()
        ));
    }
    if r.shape != t.shape {
        d.push(format!(
            "shape {}, expected {}",
            shape_str(&r.shape),
            shape_str(&t.shape)
        ));
    }
    if r.dtype != t.dtype {
        d.push(format!("dtype {}, expected {}", r.dtype, t.dtype));
    }
    match (&r.scales, &t.scales) {
        (Some(s), Some((shape, dtype))) => {
            if &s.shape != shape {
                d.push(format!(
                    "scales shape {}, expected {}",
                    shape_str(&s.shape),
                    shape_str(shape)
                ));
            }
            if s.dtype != *dtype {
                d.push(format!("scales dtype {}, expected {}", s.dtype, dtype));
            }
        }
        (None, None) => {}
        (Some(_), None) => d.push("has scales, expected none".into()),
        (None, Some(_)) => d.push("has no scales, expected some".into()),
    }
    d
}

/// Files under the release's directories that the manifest does not list.
fn extra_files(root: &Path, files: &[FileEntry], listed: &BTreeSet<&str>) -> Result<Vec<String>> {
    let dirs: BTreeSet<&str> = files
        .iter()
        .map(|f| f.path.rsplit_once('/').map_or("", |(d, _)| d))
        .collect();
    let mut extra = Vec::new();
    for dir in dirs {
        let full = if dir.is_empty() {
            root.to_path_buf()
        } else {
            root.join(dir)
        };
        let Ok(entries) = std::fs::read_dir(&full) else {
            continue;
        };
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(&full, e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || entry.file_type().is_ok_and(|t| t.is_dir()) {
                continue;
            }
            let rel = if dir.is_empty() {
                name
            } else {
                format!("{dir}/{name}")
            };
            if !listed.contains(rel.as_str()) {
                extra.push(rel);
            }
        }
    }
    extra.sort();
    Ok(extra)
}

fn permutation_notes(
    manifest: &Manifest,
    s: &Summary,
    opts: &Options,
    layout: Option<&Layout>,
) -> Vec<String> {
    let mut notes = Vec::new();
    let hashed = s.hash_matched + s.hash_mismatched;
    if layout.is_some_and(|l| !l.by_name) && hashed < s.present {
        let layered: HashMap<u64, usize> = layout
            .map(|l| {
                l.tensors
                    .iter()
                    .filter_map(|t| t.layer)
                    .fold(HashMap::new(), |mut m, l| {
                        *m.entry(l).or_insert(0) += 1;
                        m
                    })
            })
            .unwrap_or_default();
        if layered.len() > 1 {
            notes.push(format!(
                "{} of {} files were checked by shape only. Every transformer layer has the same shapes, \
                 so shapes cannot detect two layers' files swapped or a shard from another checkpoint of the \
                 same architecture; only content hashes can (SHA-256s from the manifest{}, or the torrent's piece \
                 hashes with --torrent).",
                s.present - hashed,
                s.present,
                if opts.check_hashes { "" } else { ", skipped here by --no-hash" }
            ));
        }
    }
    if manifest.files.iter().all(|f| f.sha256.is_none()) {
        notes.push("the manifest has no SHA-256s: pin them with `weightcheck manifest pin` from a trusted copy".into());
    }
    notes
}
