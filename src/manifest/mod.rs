//! Release manifests: what a publisher released, where, with which sizes,
//! hashes and licenses, the architecture it documented and the claims it
//! made. The format is TOML and is documented in `manifests/README.md`.
//!
//! Manifests in `manifests/` are embedded in the binary, so
//! `--release grok-1` works anywhere; any manifest can be given by path.

pub mod select;

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::paths::is_safe_relative;
use crate::torrent::InfoHash;
use crate::{Error, Result};

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
#[derive(Debug, Clone, Serialize, Deserialize)]
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
        let m: Manifest = toml::from_str(text).map_err(|e| Error::Manifest {
            origin: origin.to_string(),
            message: e.to_string(),
        })?;
        m.check(origin)?;
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
            },
            architecture: None,
            claims: Vec::new(),
            sources: Sources::default(),
            files: Vec::new(),
            listed_files: Vec::new(),
            components: Vec::new(),
        }
    }

    /// Reads a manifest file.
    pub fn from_file(path: &Path) -> Result<Self> {
        // Grok-1's manifest with every file pinned is ~300 kB; 64 MiB bounds
        // memory for a hostile one.
        let text = crate::paths::read_text_limited(path, 64 << 20)?;
        Self::from_toml(&text, &path.display().to_string())
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
        let mut seen = std::collections::HashSet::new();
        for f in &self.files {
            if !is_safe_relative(&f.path) {
                return Err(Error::Manifest {
                    origin: origin.to_string(),
                    message: format!("file path {:?} is not a plain relative path", f.path),
                });
            }
            if !seen.insert(f.path.as_str()) {
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
