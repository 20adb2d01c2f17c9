//! What `verify` is asked, resolved to the manifest, the files and the
//! options [`super::verify_each`] runs with: the choice of manifest (named,
//! from a checksum list, from a torrent's info-hash, or detected from the
//! directory) lives here so every caller (the CLI, the Python package)
//! decides it alike and says alike how it decided.

use std::path::{Path, PathBuf};

use super::{locate, Located, Options, Report};
use crate::hash::engine::{CacheMode, Progress};
use crate::manifest::select::{self, Detected, Selector};
use crate::manifest::{sums, Manifest};
use crate::torrent::{Magnet, Metainfo};
use crate::Result;

/// The inputs of a verification; paths are absolute or relative to the
/// working directory given to [`Request::prepare`].
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// The release directory; `None` looks in the usual places.
    pub dir: Option<PathBuf>,
    /// The release named (`--release`, `--manifest`), if any.
    pub release: Option<Selector>,
    /// A config.json/params.json to take the architecture from.
    pub config: Option<PathBuf>,
    /// A checksum list whose digests the files must match (needs `dir`).
    pub sums: Option<PathBuf>,
    /// A .torrent whose pieces to check too.
    pub torrent: Option<PathBuf>,
    /// A magnet link the .torrent's info-hash must be.
    pub magnet: Option<String>,
    /// The tokenizer.model to count the vocabulary from; `None` looks next
    /// to the release.
    pub tokenizer: Option<PathBuf>,
    /// Hash content (off: structure and sizes only).
    pub check_hashes: bool,
    /// How hashing uses the verification cache.
    pub cache: CacheMode,
}

/// A request resolved: ready to run.
#[derive(Debug)]
pub struct Prepared {
    /// The manifest the files are held against.
    pub manifest: Manifest,
    /// How the manifest was chosen, when nobody named it outright (or a
    /// checksum list made it): a line for the output.
    pub chosen: Option<String>,
    /// Where the release's files are.
    pub located: Located,
    /// What to check; `stop` is left unset for the caller to decide.
    pub options: Options,
}

impl Request {
    /// Chooses the manifest, finds the files and reads the .torrent: every
    /// failure that is not a finding about the files happens here, before
    /// any hashing.
    pub fn prepare(&self, cwd: &Path) -> Result<Prepared> {
        // A directory that is not there is said so, before any guessing
        // about which release it holds.
        if let Some(dir) = &self.dir {
            std::fs::metadata(dir).map_err(|e| crate::Error::io(dir, e))?;
        }
        // Read once: it may name the release, and it is checked below.
        let torrent = match &self.torrent {
            Some(path) => Some((path, Metainfo::from_file(path)?)),
            None => None,
        };
        let (manifest, chosen) = match (&self.sums, &self.dir) {
            (Some(sums), Some(dir)) => self.with_sums(sums, dir)?,
            // Never dropped: a list the files were asked to match and were
            // not held against could let them pass.
            (Some(_), None) => {
                return Err(crate::Error::Invalid(
                    "a checksum list needs the directory its paths are relative to".into(),
                ))
            }
            (None, _) => self.manifest(cwd, torrent.as_ref().map(|(_, m)| m))?,
        };
        let located = match &self.dir {
            Some(dir) => Located::at(dir, &manifest)?,
            None => Located::search(cwd, locate::hf_hub_from_env().as_deref(), &manifest)?,
        };
        let tokenizer = match &self.tokenizer {
            Some(t) => Some(t.clone()),
            None => locate::find_tokenizer(&located.root, cwd),
        };
        let torrent = match torrent {
            Some((path, meta)) => {
                let magnet = self.magnet.as_deref().map(Magnet::parse).transpose()?;
                select::check_torrent(path, &meta, magnet.as_ref(), Some(&manifest))?;
                Some(meta)
            }
            None => None,
        };
        let not_extra = self.list_inside(&located.root);
        Ok(Prepared {
            manifest,
            chosen,
            located,
            options: Options {
                check_hashes: self.check_hashes,
                tokenizer,
                torrent,
                cache: self.cache,
                stop: None,
                not_extra,
            },
        })
    }

    /// The manifest named (if any) with the checksum list's digests added,
    /// or the list alone.
    fn with_sums(&self, list_path: &Path, dir: &Path) -> Result<(Manifest, Option<String>)> {
        let list = sums::read(list_path)?;
        let md5s = list
            .iter()
            .filter(|e| e.kind == sums::DigestKind::Md5)
            .count();
        let m = match &self.release {
            Some(sel) => {
                let mut m = sel.load()?;
                sums::apply(&mut m, &list, list_path, dir)?;
                m
            }
            None => sums::manifest_of(&list, list_path, dir)?,
        };
        let mut why = format!(
            "checksum list: {} ({} files",
            list_path.display(),
            list.len()
        );
        if md5s > 0 {
            // Said on every run, so nobody reads an MD5 match as more.
            why += &format!("; {md5s} by MD5, which proves bytes against accidental damage, not against a collision made on purpose");
        }
        why += ")";
        Ok((m, Some(why)))
    }

    /// The checksum list's path under `root`, if it is inside it.
    fn list_inside(&self, root: &Path) -> Vec<String> {
        let canon = |p: &Path| p.canonicalize().ok();
        let list = self.sums.as_deref().and_then(canon);
        list.zip(canon(root))
            .and_then(|(l, r)| Some(l.strip_prefix(r).ok()?.to_str()?.to_string()))
            .into_iter()
            .collect()
    }

    /// The manifest to verify against, and, when nobody named it but it was
    /// found from the inputs, a line saying how it was chosen.
    fn manifest(
        &self,
        cwd: &Path,
        torrent: Option<&Metainfo>,
    ) -> Result<(Manifest, Option<String>)> {
        if let Some(config) = &self.config {
            let base = self.release.as_ref().map(|sel| sel.load()).transpose()?;
            return Ok((crate::arch::with_config(config, base)?, None));
        }
        if let Some(sel) = &self.release {
            return Ok((sel.load()?, None));
        }
        if let Some(meta) = torrent {
            if let Some(m) = select::by_info_hash(meta.info_hash()) {
                let why = format!(
                    "release: {} (the .torrent's info-hash {} is its magnet's)",
                    m.release.id,
                    meta.info_hash()
                );
                return Ok((m, Some(why)));
            }
        }
        let detected = match &self.dir {
            Some(d) => select::detect(d)?,
            None => select::detect_nearby(cwd, locate::hf_hub_from_env().as_deref())?,
        };
        Ok(match detected {
            Detected::Release { id, why } => {
                let m = Manifest::embedded(&id)?;
                let why = format!("release: {id} ({why}); name another with --release");
                (m, Some(why))
            }
            Detected::Config(config) => {
                let m = crate::arch::with_config(&config, None)?;
                let why = format!(
                    "release: the model described by {} (no release named: checked against its config)",
                    config.display()
                );
                (m, Some(why))
            }
        })
    }
}

impl Prepared {
    /// Runs the verification and returns the whole report, every file's
    /// row in it and the line on how the manifest was chosen first among
    /// `located`: the document `verify --json` prints.
    pub fn report(self, progress: &(dyn Fn(Progress) + Sync)) -> Result<Report> {
        let mut report =
            super::verify_with_progress(&self.manifest, &self.located, &self.options, progress)?;
        report.located.splice(0..0, self.chosen);
        Ok(report)
    }
}
