//! Choosing the manifest a command holds its inputs against, once, before
//! any work: a built-in release, a manifest file, the release whose magnet
//! has a torrent's info-hash, the release published in a repository, or —
//! for a directory nobody named a release for — what the directory holds.
//! Every command goes through here, so they spell and decide this alike.

use std::path::{Path, PathBuf};

use super::{Manifest, EMBEDDED};
use crate::torrent::{InfoHash, Magnet, Metainfo};
use crate::{Error, Result};

/// How a person named a release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    /// A built-in release id (`grok-1`).
    Release(String),
    /// A manifest file.
    File(PathBuf),
}

impl Selector {
    /// `--release ARG`: a manifest file when ARG ends in `.toml` or names
    /// an existing file (relative to `cwd`), else a built-in id.
    pub fn parse(arg: &str, cwd: &Path) -> Selector {
        let path = cwd.join(arg);
        if arg.ends_with(".toml") || path.is_file() {
            Selector::File(path)
        } else {
            Selector::Release(arg.to_string())
        }
    }

    /// Loads the manifest.
    pub fn load(&self) -> Result<Manifest> {
        match self {
            Selector::Release(id) => Manifest::embedded(id),
            Selector::File(path) => Manifest::from_file(path),
        }
    }
}

/// Every built-in manifest.
pub fn embedded() -> impl Iterator<Item = Manifest> {
    EMBEDDED
        .iter()
        .filter_map(|(id, _)| Manifest::embedded(id).ok())
}

/// The built-in release whose torrent has this info-hash.
pub fn by_info_hash(hash: InfoHash) -> Option<Manifest> {
    embedded().find(|m| {
        m.sources
            .torrent
            .as_ref()
            .is_some_and(|t| t.info_hash == hash)
    })
}

/// The built-in release published in the GitHub repository `owner/name`.
pub fn by_repository(repo: &str) -> Option<Manifest> {
    embedded().find(|m| {
        m.sources
            .github
            .as_ref()
            .is_some_and(|g| g.repo.eq_ignore_ascii_case(repo))
    })
}

/// The ids of the built-in releases, for messages.
pub fn known_ids() -> String {
    EMBEDDED
        .iter()
        .map(|(id, _)| *id)
        .collect::<Vec<_>>()
        .join(", ")
}

/// What a directory was found to hold, when no release was named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detected {
    /// A built-in release, recognised by its layout.
    Release {
        /// Its id.
        id: String,
        /// What gave it away, for the user.
        why: String,
    },
    /// A model described by its own config file (Hugging Face
    /// `config.json`, Mistral `params.json`).
    Config(PathBuf),
}

/// Works out what `dir` holds: Grok-1's `ckpt-0/tensor00000_000` layout
/// (or `ckpt-0` itself), else a `config.json`/`params.json` beside the
/// weights. Refuses with the list of choices when neither is there; a
/// verifier must not guess a release.
pub fn detect(dir: &Path) -> Result<Detected> {
    let grok = [
        dir.join("ckpt-0/tensor00000_000"),
        dir.join("tensor00000_000"),
    ];
    if let Some(found) = grok.iter().find(|p| p.is_file()) {
        let shown = found.strip_prefix(dir).unwrap_or(found);
        return Ok(Detected::Release {
            id: "grok-1".into(),
            why: format!("Grok-1 checkpoint layout ({})", shown.display()),
        });
    }
    for name in ["config.json", "params.json"] {
        let config = dir.join(name);
        if config.is_file() {
            return Ok(Detected::Config(config));
        }
    }
    Err(Error::ReleaseNotDetected {
        dir: dir.to_path_buf(),
        looked: "no ckpt-0/tensor00000_000, config.json or params.json".into(),
        choices: format!(
            "--release ID (built in: {}), --release FILE.toml, or --config FILE",
            known_ids()
        ),
    })
}

/// For `verify` with no directory and no release: what the usual places
/// hold (`./checkpoints`, then the current directory), else the first
/// built-in release with files in the Hugging Face cache `hf_hub`.
pub fn detect_nearby(cwd: &Path, hf_hub: Option<&Path>) -> Result<Detected> {
    let near = [cwd.join("checkpoints"), cwd.to_path_buf()];
    let mut first_err = None;
    for dir in near.iter().filter(|d| d.is_dir()) {
        match detect(dir) {
            Ok(found) => return Ok(found),
            Err(e) => {
                first_err.get_or_insert(e);
            }
        }
    }
    if let Some(hub) = hf_hub {
        for m in embedded() {
            let Some(hf) = &m.sources.huggingface else {
                continue;
            };
            let repo_dir = hub.join(format!("models--{}", hf.repo.replace('/', "--")));
            if repo_dir.join("snapshots").is_dir() {
                return Ok(Detected::Release {
                    why: format!("{} is in the Hugging Face cache {}", hf.repo, hub.display()),
                    id: m.release.id,
                });
            }
        }
    }
    Err(first_err.unwrap_or_else(|| Error::ReleaseNotDetected {
        dir: cwd.to_path_buf(),
        looked: "no ./checkpoints, and nothing in the Hugging Face cache".into(),
        choices: format!(
            "a directory (`weightcheck verify DIR`), --release ID (built in: {}), or --config FILE",
            known_ids()
        ),
    }))
}

/// Refuses a .torrent that is not the one the magnet link names, or, with
/// no magnet link, the one the manifest's magnet names. A torrent nobody
/// vouched for (neither given) passes: its pieces still prove its own
/// content, and the output says which torrent it was.
pub fn check_torrent(
    path: &Path,
    meta: &Metainfo,
    magnet: Option<&Magnet>,
    manifest: Option<&Manifest>,
) -> Result<()> {
    let (expected, expected_from) = match (
        magnet,
        manifest.and_then(|m| m.sources.torrent.as_ref().map(|t| (m, t))),
    ) {
        (Some(m), _) => (m.info_hash, "the magnet link".to_string()),
        (None, Some((m, t))) => (t.info_hash, format!("the {} manifest", m.release.id)),
        (None, None) => return Ok(()),
    };
    if meta.info_hash() != expected {
        return Err(Error::TorrentMismatch {
            torrent: path.to_path_buf(),
            actual: meta.info_hash(),
            expected,
            expected_from,
        });
    }
    Ok(())
}

/// The .torrent whose pieces `hash` checks, read and held against
/// `magnet` ([`check_torrent`], no manifest). A magnet link alone is
/// refused: it holds no piece hashes, and weightcheck does not fetch
/// metadata from peers.
pub fn torrent_to_hash(
    torrent: Option<&Path>,
    magnet: Option<&str>,
) -> Result<(Option<Metainfo>, Option<Magnet>)> {
    let magnet = magnet.map(Magnet::parse).transpose()?;
    let meta = match torrent {
        Some(path) => {
            let meta = Metainfo::from_file(path)?;
            check_torrent(path, &meta, magnet.as_ref(), None)?;
            Some(meta)
        }
        None if magnet.is_some() => {
            return Err(Error::Invalid(
                "--magnet needs --torrent: a magnet link holds no piece hashes, and \
                 weightcheck does not fetch metadata from peers"
                    .into(),
            ))
        }
        None => None,
    };
    Ok((meta, magnet))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_is_recognised_or_refused_with_the_choices() {
        let dir = tempfile::tempdir().expect("tempdir");
        let err = detect(dir.path()).expect_err("empty directory");
        let text = err.to_string();
        assert!(text.contains("--release ID (built in: grok-1, "), "{text}");

        std::fs::write(dir.path().join("config.json"), "{}").expect("write");
        assert_eq!(
            detect(dir.path()).expect("config"),
            Detected::Config(dir.path().join("config.json"))
        );

        std::fs::create_dir(dir.path().join("ckpt-0")).expect("mkdir");
        std::fs::write(dir.path().join("ckpt-0/tensor00000_000"), b"").expect("write");
        assert!(matches!(
            detect(dir.path()).expect("grok"),
            Detected::Release { id, .. } if id == "grok-1"
        ));
    }

    #[test]
    fn a_release_is_named_by_id_or_by_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert_eq!(
            Selector::parse("grok-1", dir.path()),
            Selector::Release("grok-1".into())
        );
        assert_eq!(
            Selector::parse("m.toml", dir.path()),
            Selector::File(dir.path().join("m.toml"))
        );
        assert!(matches!(
            Selector::parse("nope", dir.path()).load(),
            Err(Error::UnknownRelease { .. })
        ));
        assert!(by_repository("XAI-ORG/grok-1").is_some());
    }
}
