//! Holding a directory of weight files against a release manifest: the file
//! set and sizes, each shard's decoded structure against the tensor its
//! architecture puts at that position, content hashes where the manifest has
//! them, and the publisher's claims against what the weights show.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use crate::arch::{self, ExpectedTensor, Finding, FindingKind, Layout};
use crate::formats::tensor::shape_str;
use crate::formats::{self, grok, Format, StoredAs, TensorRecord};
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
pub mod request;

pub use claims::{ClaimResult, ClaimVerdict};
pub use locate::Located;

/// What to check besides structure.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
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
    /// Root-relative files that are not extras though no manifest lists
    /// them: the checksum list being used, when it sits in the release
    /// (Llama's `checklist.chk`).
    pub not_extra: Vec<String>,
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
#[non_exhaustive]
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
#[non_exhaustive]
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
    /// The MD5 check (a checksum list's or the manifest's `md5`).
    pub md5: HashCheck,
    /// The git blob SHA-1 check (the Hugging Face Hub's digest of a file
    /// not in LFS).
    pub git_sha1: HashCheck,
    /// The digests that proved this file's bytes in this run (`sha256`,
    /// `torrent pieces`); empty when its content was not checked.
    pub content_verified_by: Vec<&'static str>,
    /// The symlink target, for files resolved through a Hugging Face cache.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolved: Option<String>,
}

impl FileResult {
    /// The digest that decides this file's content, with its name: a
    /// mismatch of any published digest, else the strongest published one
    /// (SHA-256, then git SHA-1, then MD5); `None` when none is published.
    pub fn digest(&self) -> Option<(&'static str, &HashCheck)> {
        let all = [
            ("sha256", &self.sha256),
            ("git sha1", &self.git_sha1),
            ("md5", &self.md5),
        ];
        all.iter()
            .find(|(_, c)| matches!(c, HashCheck::Mismatch { .. }))
            .or_else(|| all.iter().find(|(_, c)| **c != HashCheck::NotKnown))
            .copied()
    }
}

/// Counts over a verification.
#[derive(Debug, Clone, Default, Serialize)]
#[non_exhaustive]
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
    /// Every published digest matched (see [`FileResult::digest`]).
    pub hash_matched: usize,
    /// Of `hash_matched`, decided by a git SHA-1 (no SHA-256 published).
    pub hash_matched_git_sha1: usize,
    /// Of `hash_matched`, decided by an MD5 alone.
    pub hash_matched_md5: usize,
    /// A published digest differed.
    pub hash_mismatched: usize,
    /// Files with no published digest (SHA-256, git SHA-1 or MD5).
    pub hash_unknown: usize,
    /// Files with a published digest that were not hashed (`--no-hash`,
    /// or missing).
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
#[non_exhaustive]
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
    /// Every expected file, then every extra one (empty from
    /// [`verify_each`], which hands them on instead).
    pub files: Vec<FileResult>,
    /// The first [`NAMED`] present files whose content no digest checked
    /// (there are `summary.content_unchecked`).
    #[serde(skip)]
    pub not_checked: Vec<String>,
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
}

/// A release file that was there to look at (extras are not release files).
fn is_present(f: &FileResult) -> bool {
    !matches!(f.verdict, FileVerdict::Missing | FileVerdict::Extra)
}

/// Verifies the release found at `located` against `manifest`.
///
/// A directory held against a manifest that pins one file's size and
/// SHA-256:
///
/// ```
/// use weightcheck::manifest::Manifest;
/// use weightcheck::verdict::Outcome;
/// use weightcheck::verify::{self, Located};
///
/// let dir = tempfile::tempdir()?;
/// std::fs::write(dir.path().join("a.txt"), "hello")?;
/// let manifest = Manifest::from_toml(
///     r#"
///     [release]
///     id = "example"
///     name = "Example"
///     publisher = "me"
///     date = "2025-01-01"
///
///     [[file]]
///     path = "a.txt"
///     size = 5
///     sha256 = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
///     "#,
///     "example.toml",
/// )?;
///
/// let located = Located::at(dir.path(), &manifest)?;
/// let mut opts = verify::Options::default();
/// opts.check_hashes = true;
/// let report = verify::verify(&manifest, &located, &opts)?;
/// assert_eq!(report.result, Outcome::Verified);
/// assert_eq!(report.summary.hash_matched, 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
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
    struct Collect(Vec<FileResult>);
    impl Rows for Collect {
        type Error = Error;
        fn begin(&mut self, _: Widest) -> Result<()> {
            Ok(())
        }
        fn row(&mut self, file: FileResult) -> Result<()> {
            self.0.push(file);
            Ok(())
        }
    }
    let mut rows = Collect(Vec::new());
    let mut report = verify_each(manifest, located, opts, progress, &mut rows)?;
    report.files = rows.0;
    Ok(report)
}

/// The longest path and tensor name among the rows to come, for a printer
/// to size its columns before the first row.
#[derive(Debug, Clone, Copy, Default)]
pub struct Widest {
    /// Bytes of the longest path.
    pub path: usize,
    /// Bytes of the longest expected tensor name.
    pub tensor: usize,
}

/// Where [`verify_each`] hands each file's verdict, once final.
pub trait Rows {
    /// What a row can fail with (a closed output), besides verify's errors.
    type Error: From<Error>;
    /// Called once, before the first row.
    fn begin(&mut self, widest: Widest) -> std::result::Result<(), Self::Error>;
    /// One file: every expected file in manifest order, then every extra one.
    fn row(&mut self, file: FileResult) -> std::result::Result<(), Self::Error>;
}

/// A file between its check and its row: `None` when it was simply not
/// there. A manifest can list 10^6 files; a missing file's row is rebuilt
/// from its entry when it is handed on, instead of holding one
/// [`FileResult`] per listed file (a path copy and a problem list each).
type Checked = Option<Box<FileResult>>;

/// [`verify_with_progress`] handing each file's verdict to `rows` as soon as
/// every check is done, instead of keeping them: the returned report's
/// `files` is empty. Everything that can fail without `rows` failing fails
/// before the first row.
pub fn verify_each<R: Rows>(
    manifest: &Manifest,
    located: &Located,
    opts: &Options,
    progress: &(dyn Fn(Progress) + Sync),
    rows: &mut R,
) -> std::result::Result<Report, R::Error> {
    tracing::info!(
        release = %manifest.release.id,
        root = %located.root.display(),
        hash = opts.check_hashes,
        "verifying"
    );
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
    // Every change to a file's verdict goes through here: a missing file
    // gets its full result the first time something is added to it.
    let result_of = |i: usize, checked: &mut Checked| -> Box<FileResult> {
        checked
            .take()
            .unwrap_or_else(|| Box::new(missing(&entries[i], expected_at(i))))
    };

    let decoding = match (&layout, by_name) {
        (Some(_), false) => Decoding::GrokShard,
        (Some(_), true) => Decoding::ByName,
        (None, _) => Decoding::TensorFilesOnly,
    };
    let mut files: Vec<(Checked, Vec<TensorRecord>)> = entries
        .par_iter()
        .enumerate()
        .map(|(i, entry)| check_file(located, entry, expected_at(i), decoding))
        .collect();

    let mut findings = Vec::new();
    for (i, (checked, records)) in files.iter_mut().enumerate() {
        let aliased = aliasing::findings(records);
        if !aliased.is_empty() {
            let mut f = result_of(i, checked);
            f.structure_ok = false;
            if f.verdict == FileVerdict::Ok {
                f.verdict = FileVerdict::BadStructure;
            }
            f.problems.extend(aliased);
            *checked = Some(f);
        }
    }
    findings.extend(index_findings(root)?);
    if let (true, Some(layout)) = (by_name, &layout) {
        let is_gguf = |r: &TensorRecord| matches!(r.stored_as, StoredAs::Ggml(_));
        // A GGUF re-release names its tensors the llama.cpp way: they are
        // held against the config under the names they were converted from.
        let gguf_names = if files.iter().any(|(_, records)| records.iter().any(is_gguf)) {
            let names = arch::gguf_names::names_for(layout)?;
            notes.push(
                "GGUF tensors were held against the config under the names they were converted from (llama.cpp's blk.N.attn_q.weight is model.layers.N.self_attn.q_proj.weight), by shape; their ggml types (quantised or not) stand in for the config's dtype".to_owned(),
            );
            names
        } else {
            HashMap::new()
        };
        let named: Vec<(PathBuf, Cow<TensorRecord>)> = entries
            .iter()
            .zip(&files)
            .flat_map(|(e, (_, records))| {
                let gguf_names = &gguf_names;
                records.iter().map(move |r| {
                    let mapped = r
                        .name
                        .as_ref()
                        .filter(|_| is_gguf(r))
                        .and_then(|n| gguf_names.get(n));
                    let record = match mapped {
                        Some(name) => Cow::Owned(TensorRecord {
                            name: Some(name.clone()),
                            ..r.clone()
                        }),
                        None => Cow::Borrowed(r),
                    };
                    (PathBuf::from(&e.path), record)
                })
            })
            .collect();
        let by_name_findings =
            arch::check_by_name(layout, named.iter().map(|(p, r)| (p.as_path(), r.as_ref())));
        drop(named);
        for finding in by_name_findings {
            let owner = finding
                .file
                .as_ref()
                .and_then(|p| entries.iter().position(|e| Path::new(&e.path) == p));
            match owner {
                Some(i) => {
                    let checked = &mut files[i].0;
                    let mut f = result_of(i, checked);
                    f.structure_ok = false;
                    if f.verdict == FileVerdict::Ok {
                        f.verdict = FileVerdict::BadStructure;
                    }
                    f.problems.push(finding.message.clone());
                    *checked = Some(f);
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
            &result_of,
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

    let extras = if manifest.files.is_empty() {
        Vec::new()
    } else {
        let mut extras = extra_files(root, entries)?;
        extras.retain(|rel| !opts.not_extra.contains(rel));
        extras
    };
    let decoded: Vec<(usize, &TensorRecord)> = files
        .iter()
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
        (Some(l), Some(_)) => {
            claims::evaluate_by_name(&manifest.claims, l, files.iter().flat_map(|(_, r)| r))
        }
        _ => Vec::new(),
    };
    drop(decoded);

    // Every check is done: hand the rows on, counting as they go.
    rows.begin(Widest {
        path: entries
            .iter()
            .map(|e| e.path.len())
            .chain(extras.iter().map(String::len))
            .max()
            .unwrap_or(0),
        tensor: (0..entries.len())
            .filter_map(|i| expected_at(i).map(|t| t.name.len()))
            .max()
            .unwrap_or(0),
    })?;
    let structural = layout.is_some();
    let mut summary = Summary {
        expected: entries.len(),
        ..Summary::default()
    };
    let mut failures = 0;
    let mut not_checked = Vec::new();
    let mut count = |f: &FileResult| {
        summary.add(f, structural);
        failures += usize::from(f.verdict.is_failure());
        if is_present(f) && f.content_verified_by.is_empty() && not_checked.len() < NAMED {
            not_checked.push(f.path.clone());
        }
    };
    for (i, (mut checked, records)) in files.into_iter().enumerate() {
        drop(records);
        let f = *result_of(i, &mut checked);
        count(&f);
        rows.row(f)?;
    }
    for rel in extras {
        let f = FileResult {
            size: std::fs::metadata(root.join(&rel)).ok().map(|m| m.len()),
            path: rel,
            tensor: None,
            verdict: FileVerdict::Extra,
            problems: vec!["not part of the release".into()],
            structure_ok: false,
            sha256: HashCheck::NotKnown,
            md5: HashCheck::NotKnown,
            git_sha1: HashCheck::NotKnown,
            content_verified_by: Vec::new(),
            resolved: None,
        };
        count(&f);
        rows.row(f)?;
    }

    notes.extend(permutation_notes(manifest, &summary, opts, layout.as_ref()));
    let failures = failures
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
        files: Vec::new(),
        not_checked,
        summary,
        findings,
        pieces,
        bytes_hashed,
        bytes_cached,
        claims,
        notes,
    })
}

/// How many files whose content was not checked a report names.
pub const NAMED: usize = 5;

impl Summary {
    /// Counts one verdict; `structural` when there was an architecture to
    /// check against.
    fn add(&mut self, f: &FileResult, structural: bool) {
        match f.verdict {
            FileVerdict::Missing => self.missing += 1,
            FileVerdict::Extra => self.extra += 1,
            FileVerdict::WrongSize => self.wrong_size += 1,
            _ => {}
        }
        if is_present(f) {
            self.present += 1;
            if f.content_verified_by.is_empty() {
                self.content_unchecked += 1;
            } else {
                self.content_verified += 1;
            }
            if f.structure_ok {
                self.structure_ok += 1;
            } else if structural {
                self.structure_bad += 1;
            }
        }
        match f.digest() {
            Some((kind, HashCheck::Matched)) => {
                self.hash_matched += 1;
                match kind {
                    "git sha1" => self.hash_matched_git_sha1 += 1,
                    "md5" => self.hash_matched_md5 += 1,
                    _ => {}
                }
            }
            Some((_, HashCheck::Mismatch { .. })) => self.hash_mismatched += 1,
            Some((_, HashCheck::NotChecked)) => self.hash_not_checked += 1,
            _ if f.verdict != FileVerdict::Extra => self.hash_unknown += 1,
            _ => {}
        }
    }
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
        .filter(|(path, _)| matches!(formats::detect(path), Ok(f) if !matches!(f, Format::Unknown | Format::ShardIndex | Format::Gzip)))
        .map(|(path, rel)| FileEntry {
            size: std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0),
            path: rel,
            sha256: None,
            ..FileEntry::default()
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

/// The result of a listed file that is not there.
fn missing(entry: &FileEntry, expected: Option<&ExpectedTensor>) -> FileResult {
    let mut result = unchecked(entry, expected);
    result.verdict = FileVerdict::Missing;
    result.problems.push("missing".into());
    result
}

/// A digest's check before hashing: known or not.
fn published(digest: &Option<String>) -> HashCheck {
    match digest {
        Some(_) => HashCheck::NotChecked,
        None => HashCheck::NotKnown,
    }
}

/// A listed file's result before anything was found about it.
fn unchecked(entry: &FileEntry, expected: Option<&ExpectedTensor>) -> FileResult {
    FileResult {
        path: entry.path.clone(),
        tensor: expected.map(|t| t.name.clone()),
        verdict: FileVerdict::Ok,
        problems: Vec::new(),
        size: None,
        structure_ok: false,
        sha256: published(&entry.sha256),
        md5: published(&entry.md5),
        git_sha1: published(&entry.git_sha1),
        content_verified_by: Vec::new(),
        resolved: None,
    }
}

fn check_file(
    located: &Located,
    entry: &FileEntry,
    expected: Option<&ExpectedTensor>,
    decoding: Decoding,
) -> (Checked, Vec<TensorRecord>) {
    let path = match located.resolve(&entry.path) {
        Ok(Some(resolved)) => resolved,
        Ok(None) => return (None, Vec::new()),
        Err(problem) => {
            let mut result = unchecked(entry, expected);
            result.verdict = FileVerdict::Missing;
            result.problems.push(problem);
            return (Some(Box::new(result)), Vec::new());
        }
    };
    let mut result = unchecked(entry, expected);
    if path.via_link {
        result.resolved = Some(path.path.display().to_string());
    }
    let size = match std::fs::metadata(&path.path) {
        Ok(m) => m.len(),
        Err(e) => {
            result.verdict = FileVerdict::Missing;
            result.problems.push(format!("unreadable: {e}"));
            return (Some(Box::new(result)), Vec::new());
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
    (Some(Box::new(result)), records)
}

/// Hashes in one pass (the engine reads each byte once): the SHA-256 of
/// every present file whose digest the manifest knows, and, with a torrent,
/// every piece. Results are written into `files`.
#[allow(clippy::too_many_arguments)]
fn hash_pass(
    root: &Path,
    entries: &[FileEntry],
    files: &mut [(Checked, Vec<TensorRecord>)],
    result_of: &dyn Fn(usize, &mut Checked) -> Box<FileResult>,
    torrent: Option<&Metainfo>,
    cache: CacheMode,
    stop: Option<&'static std::sync::atomic::AtomicBool>,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<HashReport> {
    let mut plan_files: Vec<PlanFile> = Vec::new();
    for (entry, (checked, _)) in entries.iter().zip(files.iter()) {
        // Missing files, and links that led outside the root, are not read.
        let present = checked
            .as_ref()
            .is_some_and(|f| f.verdict != FileVerdict::Missing);
        let published = entry.sha256.is_some() || entry.md5.is_some() || entry.git_sha1.is_some();
        if published && present {
            // Only the digests published are computed, all in the one read.
            plan_files.push(PlanFile {
                sha256: entry.sha256.is_some(),
                md5: entry.md5.is_some(),
                git_blob: entry.git_sha1.is_some(),
                ..PlanFile::sha256(entry.path.clone(), entry.size)
            });
        }
    }
    let mut pieces = None;
    if let Some(t) = torrent {
        let mut index: HashMap<String, usize> = plan_files
            .iter()
            .enumerate()
            .map(|(i, f)| (f.path.clone(), i))
            .collect();
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
    drop(plan);
    if report.interrupted {
        return Err(Error::Interrupted(format!(
            "hashing stopped after {} bytes; {}",
            report.bytes_hashed,
            report.resume_hint()
        )));
    }
    let by_path: HashMap<&str, &engine::FileReport> =
        report.files.iter().map(|f| (f.path.as_str(), f)).collect();
    for (i, (entry, (checked, _))) in entries.iter().zip(files.iter_mut()).enumerate() {
        let (Some(want), Some(got)) = (&entry.sha256, by_path.get(entry.path.as_str())) else {
            continue;
        };
        match &got.sha256 {
            Some(actual) if actual.eq_ignore_ascii_case(want) => {
                let mut result = result_of(i, checked);
                result.sha256 = HashCheck::Matched;
                result.content_verified_by.push("sha256");
                *checked = Some(result);
            }
            Some(actual) => {
                let mut result = result_of(i, checked);
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
                *checked = Some(result);
            }
            None => {
                if let Some(e) = &got.error {
                    let mut result = result_of(i, checked);
                    result.problems.push(format!("could not be hashed: {e}"));
                    if !result.verdict.is_failure() || result.verdict == FileVerdict::BadStructure {
                        result.verdict = FileVerdict::Unreadable;
                    }
                    *checked = Some(result);
                }
            }
        }
    }
    for (i, (entry, (checked, _))) in entries.iter().zip(files.iter_mut()).enumerate() {
        let Some(got) = by_path.get(entry.path.as_str()) else {
            continue;
        };
        // MD5 proves the bytes against damage, not against a collision made
        // on purpose; git SHA-1 is what the Hub publishes for small files.
        // The verdict names the digest so readers can tell.
        let weaker = [
            ("md5", "MD5", &entry.md5, &got.md5),
            ("git sha1", "git SHA-1", &entry.git_sha1, &got.git_blob_sha1),
        ];
        for (key, label, want, actual) in weaker {
            let Some(want) = want else { continue };
            let mut result = result_of(i, checked);
            let check = match actual {
                Some(actual) if actual.eq_ignore_ascii_case(want) => {
                    result.content_verified_by.push(key);
                    HashCheck::Matched
                }
                Some(actual) => {
                    if matches!(result.verdict, FileVerdict::Ok | FileVerdict::BadStructure) {
                        result.verdict = FileVerdict::HashMismatch;
                    }
                    result
                        .problems
                        .push(format!("{label} differs from the manifest"));
                    HashCheck::Mismatch {
                        expected: want.to_ascii_lowercase(),
                        actual: actual.clone(),
                    }
                }
                None => {
                    let e = got.error.as_deref().unwrap_or("not read to the end");
                    let said = format!("could not be hashed: {e}");
                    if !result.problems.contains(&said) {
                        result.problems.push(said);
                    }
                    if !result.verdict.is_failure() || result.verdict == FileVerdict::BadStructure {
                        result.verdict = FileVerdict::Unreadable;
                    }
                    HashCheck::NotChecked
                }
            };
            if key == "md5" {
                result.md5 = check;
            } else {
                result.git_sha1 = check;
            }
            *checked = Some(result);
        }
    }
    if let Some(p) = report.pieces.as_ref().filter(|p| !p.failed.is_empty()) {
        let position: HashMap<&str, usize> = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.path.as_str(), i))
            .collect();
        for bad in &p.failed {
            for span in &bad.spans {
                let Some(&i) = position.get(span.path.as_str()) else {
                    continue;
                };
                let what = match (bad.reason == "mismatch", bad.count == 1) {
                    (true, true) => "has the wrong SHA-1",
                    (true, false) => "have the wrong SHA-1",
                    (false, _) => "could not be read",
                };
                let checked = &mut files[i].0;
                let mut result = result_of(i, checked);
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
                *checked = Some(result);
            }
        }
    }
    if let (Some(t), Some(_)) = (torrent, &report.pieces) {
        // Every byte of a torrent file is in some piece, so all of its
        // pieces passing proves the file.
        let in_torrent: std::collections::HashSet<String> =
            t.files.iter().map(|f| f.relative_path()).collect();
        for (i, (entry, (checked, _))) in entries.iter().zip(files.iter_mut()).enumerate() {
            let Some(got) = by_path.get(entry.path.as_str()) else {
                continue;
            };
            if in_torrent.contains(&entry.path)
                && got.status == engine::FileStatus::Ok
                && got.error.is_none()
                && got.failed_pieces.is_empty()
                && !got.unchecked
            {
                let mut result = result_of(i, checked);
                result.content_verified_by.push("torrent pieces");
                *checked = Some(result);
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
                Format::Gzip if formats::detect::named_as_tensor_file(name) => {
                    Err(formats::gzip::refuse(path))
                }
                Format::Unknown if formats::detect::named_as_tensor_file(name) => {
                    Err(Error::format(
                        path,
                        0,
                        "named as a tensor file, but its bytes are no tensor format \
                         (safetensors, PyTorch zip, pickle)",
                    ))
                }
                Format::Unknown | Format::ShardIndex | Format::Gzip => Ok(Vec::new()),
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
fn extra_files(root: &Path, files: &[FileEntry]) -> Result<Vec<String>> {
    let dirs: BTreeSet<&str> = files
        .iter()
        .map(|f| f.path.rsplit_once('/').map_or("", |(d, _)| d))
        .collect();
    let mut found = Vec::new();
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
            found.push(if dir.is_empty() {
                name
            } else {
                format!("{dir}/{name}")
            });
        }
    }
    // The set of listed paths is only worth building when there is
    // something to look up in it (a large manifest against a partial copy
    // often has nothing on disk).
    if !found.is_empty() {
        let listed: HashSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
        found.retain(|rel| !listed.contains(rel.as_str()));
    }
    found.sort();
    Ok(found)
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
