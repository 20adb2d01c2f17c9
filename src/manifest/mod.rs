//! Release manifests: what a publisher released, where, with which sizes,
//! hashes and licenses, the architecture it documented and the claims it
//! made. The format is TOML and is documented in `manifests/README.md`.
//!
//! Manifests in `manifests/` are embedded in the binary, so
//! `--release grok-1` works anywhere; any manifest can be given by path.

mod openness;
mod sections;
pub mod select;
pub mod sums;

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::paths::is_safe_relative;
use crate::torrent::InfoHash;
use crate::{Error, Result};
use sections::Section;

pub use openness::{LicenseTerms, Rater, RaterNote, Term};

/// The manifests shipped inside the binary, by release id.
pub const EMBEDDED: &[(&str, &str)] = &[
    ("grok-1", include_str!("../../manifests/grok-1.toml")),
    (
        "mixtral-8x7b",
        include_str!("../../manifests/mixtral-8x7b.toml"),
    ),
    (
        "flan-t5-xxl",
        include_str!("../../manifests/flan-t5-xxl.toml"),
    ),
    ("chatgpt", include_str!("../../manifests/chatgpt.toml")),
    ("grok-2", include_str!("../../manifests/grok-2.toml")),
];

/// A release manifest.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Who released what, when.
    pub release: Release,
    /// The architecture as published.
    #[serde(default)]
    pub architecture: Option<Architecture>,
    /// The publisher's claims about the release.
    #[serde(default, rename = "claim")]
    pub claims: Vec<Claim>,
    /// Where the release is distributed.
    #[serde(default)]
    pub sources: Sources,
    /// The weight files, relative to the weights directory, in file order.
    #[serde(default, rename = "file")]
    pub files: Vec<FileEntry>,
    /// Files named by the publisher whose sizes are not pinned yet.
    #[serde(default, rename = "listed_file")]
    pub listed_files: Vec<ListedFile>,
    /// Each component of the release and whether it was released.
    #[serde(default, rename = "component")]
    pub components: Vec<Component>,
    /// Custom licenses the components name, with their terms.
    #[serde(default, rename = "license")]
    pub licenses: Vec<LicenseTerms>,
    /// What the independent raters said, and why weightcheck differs.
    #[serde(default, rename = "rater")]
    pub raters: Vec<Rater>,
}

/// Identity of a release.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Release {
    /// Short id used on the command line (`grok-1`).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Who published it.
    pub publisher: String,
    /// Release date (ISO 8601).
    pub date: String,
    /// One-line description.
    #[serde(default)]
    pub summary: String,
    /// How the released model was trained, in the Model Openness Tool's
    /// words: `pre-trained`, `instruct fine-tuned` or `chat fine-tuned`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub treatment: Option<String>,
}

/// The architecture family and its hyperparameters, exactly as published.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Architecture {
    /// Family name understood by [`crate::arch`] (`grok1`, …).
    pub family: String,
    /// Where the hyperparameters were published.
    pub source: String,
    /// The hyperparameters, with the publisher's names.
    pub params: BTreeMap<String, toml::Value>,
}

impl Architecture {
    /// An integer hyperparameter.
    pub fn int(&self, name: &str) -> Result<u64> {
        match self.params.get(name) {
            Some(toml::Value::Integer(v)) if *v >= 0 => Ok(*v as u64),
            Some(other) => Err(Error::Invalid(format!(
                "architecture parameter {name} must be a non-negative integer, found {other}"
            ))),
            None => Err(Error::Invalid(format!(
                "architecture parameter {name} is missing"
            ))),
        }
    }

    /// An integer hyperparameter with a default.
    pub fn int_or(&self, name: &str, default: u64) -> Result<u64> {
        if self.params.contains_key(name) {
            self.int(name)
        } else {
            Ok(default)
        }
    }
}

/// What a claim is about, so weightcheck knows how to check it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Quantity {
    /// Total parameter count.
    TotalParameters,
    /// Parameters used per token (mixture-of-experts).
    ActiveParameters,
    /// Transformer layers.
    Layers,
    /// Attention query heads.
    QueryHeads,
    /// Attention key/value heads.
    KvHeads,
    /// Embedding (model) width.
    EmbeddingSize,
    /// Experts per MoE layer.
    Experts,
    /// Experts selected per token.
    SelectedExperts,
    /// Vocabulary size.
    Vocabulary,
    /// Maximum context length.
    ContextLength,
}

/// A claim by the publisher, with its source.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claim {
    /// What is claimed.
    pub quantity: Quantity,
    /// The claimed value.
    pub value: f64,
    /// The unit the claim is rounded to (`1e9` for "314B"); exact if absent.
    #[serde(default)]
    pub precision: Option<f64>,
    /// The claim in the publisher's words (`314B parameters`).
    pub text: String,
    /// Where it was claimed.
    pub source: String,
}

/// Distribution channels.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sources {
    /// The BitTorrent release.
    #[serde(default)]
    pub torrent: Option<TorrentSource>,
    /// The GitHub repository.
    #[serde(default)]
    pub github: Option<GithubSource>,
    /// The Hugging Face repository.
    #[serde(default)]
    pub huggingface: Option<HuggingfaceSource>,
}

/// A BitTorrent release.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TorrentSource {
    /// The magnet link as published.
    pub magnet: String,
    /// BitTorrent v1 info-hash (hex in the file).
    pub info_hash: InfoHash,
    /// Trackers from the magnet.
    #[serde(default)]
    pub trackers: Vec<String>,
    /// Piece length, once pinned from the swarm's metadata.
    #[serde(default)]
    pub piece_length: Option<u64>,
    /// Where the magnet was published.
    #[serde(default)]
    pub source: String,
    /// The torrent's name (its top directory), once pinned from the
    /// swarm's metadata (`weightcheck manifest pin-torrent`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Every file of the torrent in torrent order, once pinned.
    #[serde(default, rename = "file", skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<TorrentFileEntry>,
}

/// One file of a pinned torrent layout.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TorrentFileEntry {
    /// Path inside the torrent's top directory, `/`-separated.
    pub path: String,
    /// Exact size in bytes.
    pub size: u64,
}

/// A GitHub repository at a release commit.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GithubSource {
    /// `owner/name`.
    pub repo: String,
    /// The release commit.
    pub commit: String,
    /// Every file of the tree at that commit.
    #[serde(default, rename = "file")]
    pub files: Vec<GitFile>,
}

/// One file of a git tree.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GitFile {
    /// Path in the repository.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// Git blob SHA-1 (hex).
    pub git_sha1: String,
    /// SHA-256 of the content (hex).
    #[serde(default)]
    pub sha256: Option<String>,
}

/// A Hugging Face repository.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HuggingfaceSource {
    /// `owner/name`.
    pub repo: String,
    /// Revision the file list refers to.
    #[serde(default)]
    pub revision: String,
}

/// One weight file of the release.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileEntry {
    /// Path relative to the weights directory (`ckpt-0/tensor00000_000`).
    pub path: String,
    /// Exact size in bytes.
    pub size: u64,
    /// SHA-256 of the content (hex), where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// Where the hash comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256_source: Option<String>,
    /// MD5 of the content (hex), where the publisher gave only that (an
    /// `MD5SUMS` or `checklist.chk`): proves the bytes against accidental
    /// damage, not against a deliberately made collision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub md5: Option<String>,
    /// git blob SHA-1 (hex, as `git hash-object` prints it), where that is
    /// the digest published: the Hugging Face Hub gives only this for files
    /// not stored in LFS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git_sha1: Option<String>,
}

/// A file the publisher named whose exact size is not pinned yet, so it
/// cannot be a [`FileEntry`]: verification reports it as listed, not as
/// checked. Once its size is known (from a torrent's metadata or the hub's
/// API) it moves to `[[file]]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListedFile {
    /// Path relative to the release's root (`consolidated.00.pth`).
    pub path: String,
    /// Which distribution channel ships it (`torrent`, `huggingface`).
    pub source: String,
    /// MD5 of the content (hex), where the publisher gave one (Mistral's
    /// RELEASE card). Weak as a security hash, but it is the publisher's
    /// own statement and can be checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub md5: Option<String>,
    /// What the file is, and what is known of it.
    #[serde(default)]
    pub note: String,
}

/// Whether a component was released.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Released in full.
    Released,
    /// Released in part.
    Partial,
    /// Not released.
    NotReleased,
    /// Not known.
    Unknown,
}

/// A component of a release (weights, code, data, documentation…).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Component {
    /// Which component (`base_weights`, `training_code`, …).
    pub kind: String,
    /// Whether it was released.
    pub status: Status,
    /// SPDX id or license name, where released.
    #[serde(default)]
    pub license: Option<String>,
    /// Where it is (or where its absence was established).
    #[serde(default)]
    pub source: String,
    /// What shows it.
    #[serde(default)]
    pub evidence: String,
}

impl Manifest {
    /// Parses a manifest from TOML text; `origin` names it in errors.
    pub fn from_toml(text: &str, origin: &str) -> Result<Self> {
        let m = Self::parse(text, origin)?;
        m.check(origin)?;
        Ok(m)
    }

    /// [`Manifest::from_toml`] without [`Manifest::check`].
    fn parse(text: &str, origin: &str) -> Result<Self> {
        let invalid = |message: String| Error::Manifest {
            origin: origin.to_string(),
            message,
        };
        // The non-`[[file]]` sections, joined, and where each came from in
        // `text` (offset here, offset there), to place toml's errors.
        let mut rest = String::new();
        let mut origins: Vec<(usize, usize)> = Vec::new();
        let mut files = Vec::new();
        let root_file_key = sections::split(text, |section| {
            match section {
                Section::Other(range) => {
                    origins.push((rest.len(), range.start));
                    rest.push_str(&text[range]);
                }
                Section::File { header, body } => {
                    // The body starts after the header, never with a key: an
                    // error at its start is about the table (a missing
                    // field), which toml places at the header.
                    let to_original = |span: Range<usize>| {
                        if span.start == 0 {
                            header.clone()
                        } else {
                            body.start + span.start..body.start + span.end
                        }
                    };
                    let entry: FileEntry = toml::from_str(&text[body.clone()])
                        .map_err(|e| invalid(toml_error(text, &e, to_original)))?;
                    files.push(entry);
                }
            }
            Ok(())
        })?;
        let mut m: Manifest = toml::from_str(&rest).map_err(|e| {
            invalid(toml_error(text, &e, |span| {
                let i = origins.partition_point(|&(here, _)| here <= span.start);
                let shift = origins
                    .get(i.wrapping_sub(1))
                    .map_or(0, |&(here, there)| there - here);
                span.start + shift..span.end + shift
            }))
        })?;
        if !files.is_empty() {
            if let Some(key) = root_file_key {
                // toml refuses an array defined by a key and extended by
                // `[[file]]` tables; the split hides that from it.
                return Err(invalid(error_at(
                    text,
                    key,
                    "duplicate key: `file` is defined as a key and by [[file]] tables",
                )));
            }
            m.files = files;
        }
        Ok(m)
    }

    /// A manifest for a release known only by its files and a config: no
    /// file list, hashes, claims or components.
    pub fn local(origin: &str) -> Self {
        Manifest {
            release: Release {
                id: "local".into(),
                name: format!("local release described by {origin}"),
                publisher: "unknown".into(),
                date: "unknown".into(),
                summary: String::new(),
                treatment: None,
            },
            architecture: None,
            claims: Vec::new(),
            sources: Sources::default(),
            files: Vec::new(),
            listed_files: Vec::new(),
            components: Vec::new(),
            licenses: Vec::new(),
            raters: Vec::new(),
        }
    }

    /// Reads a manifest file.
    pub fn from_file(path: &Path) -> Result<Self> {
        // Grok-1's manifest with every file pinned is ~300 kB; 64 MiB bounds
        // memory for a hostile one.
        let text = crate::paths::read_text_limited(path, 64 << 20)?;
        let origin = path.display().to_string();
        let m = Self::parse(&text, &origin)?;
        // The text is as large as the file list: not kept while it is checked.
        drop(text);
        m.check(&origin)?;
        Ok(m)
    }

    /// The embedded manifest of a release.
    pub fn embedded(id: &str) -> Result<Self> {
        match EMBEDDED.iter().find(|(name, _)| *name == id) {
            Some((name, text)) => Self::from_toml(text, name),
            None => Err(Error::UnknownRelease {
                id: id.to_string(),
                known: EMBEDDED
                    .iter()
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
        }
    }

    /// Refuses paths that could escape the directory they are joined to.
    fn check(&self, origin: &str) -> Result<()> {
        let mut pinned = self.sources.torrent.iter().flat_map(|t| &t.files);
        if let Some(f) = pinned.find(|f| !is_safe_relative(&f.path)) {
            return Err(Error::Manifest {
                origin: origin.to_string(),
                message: format!(
                    "torrent file path {:?} is not a plain relative path",
                    f.path
                ),
            });
        }
        // Duplicates are looked for in a sorted list of the paths (16 bytes
        // a file, against twice that for a hash set); only when there is one
        // is the set built, to name the first repeat in file order.
        let mut paths: Vec<&str> = self.files.iter().map(|f| f.path.as_str()).collect();
        paths.sort_unstable();
        let repeated = paths.windows(2).any(|w| w[0] == w[1]);
        drop(paths);
        let mut seen = std::collections::HashSet::new();
        for f in &self.files {
            if !is_safe_relative(&f.path) {
                return Err(Error::Manifest {
                    origin: origin.to_string(),
                    message: format!("file path {:?} is not a plain relative path", f.path),
                });
            }
            if repeated && !seen.insert(f.path.as_str()) {
                return Err(Error::Manifest {
                    origin: origin.to_string(),
                    message: format!("file {:?} is listed twice", f.path),
                });
            }
            if let Some(h) = &f.sha256 {
                if h.len() != 64 || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(Error::Manifest {
                        origin: origin.to_string(),
                        message: format!("sha256 of {:?} is not 64 hex digits", f.path),
                    });
                }
            }
            if let Some(h) = &f.md5 {
                if h.len() != 32 || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(Error::Manifest {
                        origin: origin.to_string(),
                        message: format!("md5 of {:?} is not 32 hex digits", f.path),
                    });
                }
            }
            if let Some(h) = &f.git_sha1 {
                if h.len() != 40 || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(Error::Manifest {
                        origin: origin.to_string(),
                        message: format!("git_sha1 of {:?} is not 40 hex digits", f.path),
                    });
                }
            }
        }
        let mut seen = std::collections::HashSet::new();
        for f in &self.listed_files {
            if !is_safe_relative(&f.path) {
                return Err(Error::Manifest {
                    origin: origin.to_string(),
                    message: format!("listed file path {:?} is not a plain relative path", f.path),
                });
            }
            if !seen.insert((f.source.as_str(), f.path.as_str())) {
                return Err(Error::Manifest {
                    origin: origin.to_string(),
                    message: format!("listed file {:?} appears twice for {}", f.path, f.source),
                });
            }
            if let Some(h) = &f.md5 {
                if h.len() != 32 || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(Error::Manifest {
                        origin: origin.to_string(),
                        message: format!("md5 of {:?} is not 32 hex digits", f.path),
                    });
                }
            }
        }
        Ok(())
    }
}

/// toml's error message, placed in the whole manifest: `to_original` maps a
/// span in the text toml was given (a section) to one in `text`.
fn toml_error(
    text: &str,
    e: &toml::de::Error,
    to_original: impl Fn(Range<usize>) -> Range<usize>,
) -> String {
    match e.span() {
        Some(span) => error_at(text, to_original(span), e.message()),
        None => e.to_string(),
    }
}

/// An error message laid out as toml 0.9 lays out its own (line, column,
/// the line with the span marked, the message), so a manifest error reads
/// the same whichever section it was found in; toml's error type cannot be
/// given another span.
fn error_at(text: &str, span: Range<usize>, message: &str) -> String {
    let start = span.start.min(text.len());
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line = text[..line_start].bytes().filter(|&b| b == b'\n').count() + 1;
    let content = text[line_start..].split('\n').next().unwrap_or("");
    let column = text
        .get(line_start..start)
        .map_or(start - line_start, |s| s.chars().count());
    let gutter = " ".repeat(line.to_string().len() + 1);
    let marks = "^".repeat(
        (span.end - span.start)
            .min(content.len().saturating_sub(column))
            .max(1),
    );
    format!(
        "TOML parse error at line {line}, column {}\n{gutter}|\n{line} | {content}\n{gutter}|{} {marks}\n{message}\n",
        column + 1,
        " ".repeat(column)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "[release]\nid = \"r\"\nname = \"r\"\npublisher = \"p\"\ndate = \"d\"\n";

    fn files(n: usize) -> String {
        (0..n)
            .map(|i| format!("[[file]]\npath = \"f{i}\"\nsize = {i}\n"))
            .collect()
    }

    fn message(e: Error) -> String {
        match e {
            Error::Manifest { origin, message } => {
                assert_eq!(origin, "test.toml");
                message
            }
            other => panic!("not a manifest error: {other}"),
        }
    }

    /// Split or not, a manifest toml refuses is refused with toml's own
    /// message for the whole text: the same line, column and words.
    #[test]
    fn errors_read_as_toml_reads_them_whole() {
        let cases = [
            // an unknown key in a [[file]] table
            format!("{HEAD}{}[[file]]\npath = \"x\"\nsize = 1\nsha = \"y\"\n", files(3)),
            // a key given twice in a [[file]] table
            format!("{HEAD}{}[[file]]\npath = \"x\"\npath = \"y\"\nsize = 1\n", files(2)),
            // a syntax error in a [[file]] table
            format!("{HEAD}{}[[file]]\npath = \"x\nsize = 1\n", files(2)),
            // a [[file]] table without its size
            format!("{HEAD}{}[[file]]\npath = \"x\"\n", files(2)),
            // a field of the wrong type
            format!("{HEAD}{}[[file]]\npath = \"x\"\nsize = \"big\"\n", files(1)),
            // an unknown key in a table after the files
            format!("{HEAD}{}[[component]]\nkind = \"k\"\nstatus = \"released\"\nwho = 1\n", files(3)),
            // an unknown key in [release], before them
            format!("[release]\nid = \"r\"\nname = \"r\"\nextra = 1\n{}", files(2)),
            // a table defined twice around the files
            format!("{HEAD}[sources.github]\nrepo = \"a/b\"\ncommit = \"c\"\n{}[sources.github]\nrepo = \"a/b\"\n", files(2)),
        ];
        for text in cases {
            let whole = toml::from_str::<Manifest>(&text)
                .map(|_| ())
                .expect_err("toml refuses it");
            let ours = Manifest::from_toml(&text, "test.toml").map(|_| ());
            assert_eq!(ours.map_err(message), Err(whole.to_string()), "for\n{text}");
        }
    }

    /// What toml would have refused across the split is refused too.
    #[test]
    fn file_defined_other_ways_next_to_file_tables_is_refused() {
        for (text, line) in [
            (format!("file = []\n{HEAD}{}", files(2)), 1),
            (format!("\"file\".x = 1\n{HEAD}{}", files(2)), 1),
            (format!("{HEAD}{}[file.extra]\na = 1\n", files(2)), 0),
            (
                format!("{HEAD}[file]\npath = \"x\"\nsize = 1\n{}", files(1)),
                0,
            ),
            (format!("{HEAD}{}[[file.part]]\na = 1\n", files(1)), 0),
        ] {
            assert!(toml::from_str::<Manifest>(&text).is_err(), "{text}");
            let e = message(Manifest::from_toml(&text, "test.toml").expect_err(&text));
            if line > 0 {
                assert!(
                    e.starts_with(&format!("TOML parse error at line {line}, column 1\n")),
                    "{e}"
                );
            }
        }
    }

    #[test]
    fn file_tables_and_the_inline_form_read_the_same() {
        let tables = Manifest::from_toml(
            &format!("{HEAD}[[file]]\npath = \"a\"\nsize = 1\n[[ 'file' ]] # b\npath = \"b\"\nsize = 2\nsha256 = \"{}\"\n[[component]]\nkind = \"k\"\nstatus = \"released\"\n", "0".repeat(64)),
            "test.toml",
        )
        .expect("tables");
        let inline = Manifest::from_toml(
            &format!("file = [{{ path = \"a\", size = 1 }}, {{ path = \"b\", size = 2, sha256 = \"{}\" }}]\n{HEAD}[[component]]\nkind = \"k\"\nstatus = \"released\"\n", "0".repeat(64)),
            "test.toml",
        )
        .expect("inline");
        for m in [&tables, &inline] {
            let got: Vec<(&str, u64, bool)> = m
                .files
                .iter()
                .map(|f| (f.path.as_str(), f.size, f.sha256.is_some()))
                .collect();
            assert_eq!(got, [("a", 1, false), ("b", 2, true)]);
            assert_eq!(m.components.len(), 1);
            assert_eq!(m.release.id, "r");
        }
    }

    #[test]
    fn a_repeated_path_is_named_at_its_first_repeat() {
        let text = format!(
            "{HEAD}{}[[file]]\npath = \"f1\"\nsize = 1\n[[file]]\npath = \"f0\"\nsize = 1\n",
            files(3)
        );
        let e = message(Manifest::from_toml(&text, "test.toml").expect_err("repeat"));
        assert_eq!(e, "file \"f1\" is listed twice");
    }
}
