//! The GitHub side of a release: whether a repository, on GitHub or cloned
//! on disk, holds exactly the files a manifest lists, and whether what its
//! README, license file and model config say agrees with the manifest.
//!
//! Both sources are first reduced to a [`Snapshot`] (file list with git blob
//! SHA-1s, plus the text of the few files that are read), so the checks in
//! [`analyze`] are the same for `api` (octocrab; feature `github`) and
//! [`local`] (a clone or a plain directory).
//!
//! - [`tree`]: git blob SHA-1s and the path/size/SHA-1 comparison.
//! - [`magnet_links`]: magnet links in the README against the torrent.
//! - [`license`]: the license, by GitHub's SPDX id and by its text.
//! - run.py's model config: its keyword arguments are evaluated without
//!   Python by [`crate::formats::pyconfig`] and held against the
//!   manifest's architecture parameters.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::manifest::{Manifest, Status};
use crate::{Error, Result};

/// Largest README, LICENSE or config source read (the real ones are a few
/// kB; the checks scan them, so a hostile one is refused by size first).
pub const MAX_TEXT_FILE: u64 = 1 << 20;

#[cfg(feature = "github")]
pub mod api;
pub mod license;
pub mod local;
pub mod magnet_links;
pub mod tree;

use license::TextLicense;
use magnet_links::MagnetLink;
use tree::{TreeComparison, TreeEntry};

/// A file read as text, with its path from the repository root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TextFile {
    /// Path from the repository root.
    pub path: String,
    /// Content (invalid UTF-8 replaced).
    pub text: String,
}

/// What GitHub's license API says about a repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiLicense {
    /// The license file GitHub picked.
    pub path: String,
    /// GitHub's SPDX id (`NOASSERTION` when GitHub did not recognize it).
    pub spdx_id: String,
    /// GitHub's name for it.
    pub name: String,
}

/// Everything the checks need from a repository, however it was read.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// Every file (blob) of the tree.
    pub files: Vec<TreeEntry>,
    /// The root README.
    pub readme: Option<TextFile>,
    /// The file holding the model config (run.py for Grok-1).
    pub config: Option<TextFile>,
    /// The root license file.
    pub license_file: Option<TextFile>,
    /// GitHub's license detection (remote only).
    pub license_api: Option<ApiLicense>,
}

/// The state of a local git repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GitState {
    /// The HEAD commit, `None` on a branch with no commit yet.
    pub head: Option<String>,
    /// Whether the work tree or index differs from HEAD (untracked files
    /// that are not ignored count).
    pub dirty: bool,
    /// `git status --porcelain` lines.
    pub changes: Vec<String>,
}

/// Where the checked files came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Origin {
    /// The GitHub REST API.
    Github {
        /// `owner/name`.
        repo: String,
        /// The ref as asked for.
        git_ref: String,
        /// The commit it resolved to.
        commit: String,
    },
    /// A directory on disk.
    Local {
        /// The directory.
        path: String,
        /// Git facts, when the directory is a git repository.
        git: Option<GitState>,
        /// Why git facts are missing, when the directory looks like a
        /// repository but git could not be asked.
        git_note: Option<String>,
    },
}

/// Magnet links in the README against the manifest's torrent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MagnetCheck {
    /// The README read, if any.
    pub file: Option<String>,
    /// The links found.
    pub links: Vec<MagnetLink>,
    /// The manifest's info-hash.
    pub expected_info_hash: Option<String>,
    /// What is wrong.
    pub problems: Vec<String>,
}

/// The license, by GitHub's detection and by its text, against the manifest.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LicenseCheck {
    /// The license the manifest gives the repository's components.
    pub expected: Option<String>,
    /// GitHub's detection (remote only).
    pub api: Option<ApiLicense>,
    /// The license file read.
    pub file: Option<String>,
    /// What its text was recognized as.
    pub text: Option<TextLicense>,
    /// What is wrong.
    pub problems: Vec<String>,
}

/// How one architecture parameter compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ParamStatus {
    /// Same value on both sides.
    Match,
    /// Different values.
    Differ,
    /// In the manifest; the config sets it to something that cannot be
    /// evaluated without Python.
    Unevaluated,
    /// In the manifest only.
    OnlyInManifest,
    /// In the config only.
    OnlyInConfig,
}

/// One architecture parameter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParamCheck {
    /// The parameter name.
    pub name: String,
    /// Its dotted path in the config call (`model.emb_size`).
    pub path: Option<String>,
    /// The expression in the config (`48 * 128`).
    pub expr: Option<String>,
    /// The config's value, evaluated.
    pub config_value: Option<String>,
    /// The manifest's value.
    pub manifest_value: Option<String>,
    /// How they compare.
    pub status: ParamStatus,
    /// Why it could not be evaluated.
    pub note: Option<String>,
}

/// The model config against the manifest's architecture parameters.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ConfigCheck {
    /// The file the config was read from.
    pub file: String,
    /// The config call found (`LanguageModelConfig`).
    pub callee: Option<String>,
    /// Its line.
    pub line: Option<usize>,
    /// Every parameter on either side.
    pub params: Vec<ParamCheck>,
    /// What is wrong.
    pub problems: Vec<String>,
}

/// The full result of `weightcheck github`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Report {
    /// Where the files came from.
    pub origin: Origin,
    /// The manifest's release id.
    pub release: String,
    /// The manifest's repository.
    pub manifest_repo: String,
    /// The manifest's commit.
    pub manifest_commit: String,
    /// Files against the manifest.
    pub tree: TreeComparison,
    /// Magnet links against the torrent.
    pub magnets: MagnetCheck,
    /// The license.
    pub license: LicenseCheck,
    /// The model config.
    pub config: ConfigCheck,
}

impl Report {
    /// Every problem found, one line each.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let t = &self.tree;
        for c in &t.changed {
            out.push(format!("{} differs from the manifest", c.path));
        }
        for m in &t.missing {
            out.push(format!("{} is missing", m.path));
        }
        for e in &t.extra {
            out.push(format!("{} is not in the manifest", e.path));
        }
        out.extend(self.magnets.problems.iter().cloned());
        out.extend(self.license.problems.iter().cloned());
        out.extend(self.config.problems.iter().cloned());
        out
    }

    /// Whether everything matched.
    pub fn is_ok(&self) -> bool {
        self.problems().is_empty()
    }
}

/// The manifest's GitHub source, or an error naming the manifest.
pub fn github_source(manifest: &Manifest) -> Result<&crate::manifest::GithubSource> {
    manifest.sources.github.as_ref().ok_or_else(|| {
        Error::Invalid(format!(
            "manifest {} has no [sources.github] to compare with",
            manifest.release.id
        ))
    })
}

/// The file holding the model config: the first word of
/// `architecture.source` when it names a `.py` file, else `run.py`.
pub fn config_file_name(manifest: &Manifest) -> String {
    manifest
        .architecture
        .as_ref()
        .and_then(|a| a.source.split_whitespace().next())
        .filter(|w| w.ends_with(".py") && crate::paths::is_safe_relative(w))
        .unwrap_or("run.py")
        .to_string()
}

/// The root README among `files`, preferring `README.md`.
pub fn pick_readme(files: &[TreeEntry]) -> Option<String> {
    let root: Vec<&str> = files
        .iter()
        .map(|f| f.path.as_str())
        .filter(|p| !p.contains('/'))
        .collect();
    root.iter()
        .find(|p| p.eq_ignore_ascii_case("README.md"))
        .or_else(|| {
            root.iter()
                .find(|p| p.to_ascii_uppercase().starts_with("README"))
        })
        .map(|p| p.to_string())
}

/// The root license file among `files`.
pub fn pick_license(files: &[TreeEntry]) -> Option<String> {
    files
        .iter()
        .map(|f| f.path.as_str())
        .find(|p| !p.contains('/') && license::is_license_file_name(p))
        .map(str::to_string)
}

/// The license the manifest gives the components published in `repo`: the
/// one license named by every released component whose source mentions the
/// repository. `None` when none does, or when they disagree.
pub fn expected_license(manifest: &Manifest, repo: &str) -> Option<String> {
    let repo = repo.to_ascii_lowercase();
    let licenses: BTreeSet<&str> = manifest
        .components
        .iter()
        .filter(|c| matches!(c.status, Status::Released | Status::Partial))
        .filter(|c| c.source.to_ascii_lowercase().contains(&repo))
        .filter_map(|c| c.license.as_deref())
        .collect();
    match licenses.len() {
        1 => licenses.into_iter().next().map(str::to_string),
        _ => None,
    }
}

/// Runs every check on `snap` against `manifest`.
pub fn analyze(origin: Origin, snap: &Snapshot, manifest: &Manifest) -> Result<Report> {
    let gh = github_source(manifest)?;
    Ok(Report {
        origin,
        release: manifest.release.id.clone(),
        manifest_repo: gh.repo.clone(),
        manifest_commit: gh.commit.clone(),
        tree: tree::compare_trees(&gh.files, &snap.files),
        magnets: check_magnets(snap, manifest),
        license: check_license(snap, manifest, &gh.repo),
        config: check_config(snap, manifest),
    })
}

fn check_magnets(snap: &Snapshot, manifest: &Manifest) -> MagnetCheck {
    let expected = manifest
        .sources
        .torrent
        .as_ref()
        .map(|t| t.info_hash.to_string());
    let mut check = MagnetCheck {
        file: snap.readme.as_ref().map(|r| r.path.clone()),
        links: snap
            .readme
            .as_ref()
            .map(|r| magnet_links::find_magnets(&r.text))
            .unwrap_or_default(),
        expected_info_hash: expected.clone(),
        problems: Vec::new(),
    };
    let Some(expected) = expected else {
        return check;
    };
    let readme = check.file.clone().unwrap_or_else(|| "README".to_string());
    if snap.readme.is_none() {
        check
            .problems
            .push("no README to find the magnet link in".to_string());
    } else if check.links.is_empty() {
        check.problems.push(format!(
            "{readme} has no magnet link; the manifest's torrent is {expected}"
        ));
    }
    for l in &check.links {
        match &l.info_hash {
            Some(h) if *h == expected => {}
            Some(h) => check.problems.push(format!(
                "{readme}:{}: magnet info-hash {h} is not the manifest's {expected}",
                l.line
            )),
            None => check.problems.push(format!(
                "{readme}:{}: magnet link without a valid btih info-hash",
                l.line
            )),
        }
    }
    check
}

fn check_license(snap: &Snapshot, manifest: &Manifest, repo: &str) -> LicenseCheck {
    let mut check = LicenseCheck {
        expected: expected_license(manifest, repo),
        api: snap.license_api.clone(),
        file: snap.license_file.as_ref().map(|f| f.path.clone()),
        text: snap
            .license_file
            .as_ref()
            .map(|f| license::identify_license_text(&f.text)),
        problems: Vec::new(),
    };
    match (&check.file, &check.text) {
        (Some(file), Some(text)) => match &text.spdx {
            None => check
                .problems
                .push(format!("{file} matches no known license text")),
            Some(spdx) => {
                if !text.complete {
                    check.problems.push(format!("{file}: {}", text.evidence));
                }
                if let Some(e) = &check.expected {
                    if !spdx.eq_ignore_ascii_case(e) {
                        check
                            .problems
                            .push(format!("{file} reads as {spdx}, the manifest says {e}"));
                    }
                }
            }
        },
        _ => check
            .problems
            .push("no license file at the repository root".to_string()),
    }
    if let Some(api) = &check.api {
        let reference = check
            .expected
            .clone()
            .or_else(|| check.text.as_ref().and_then(|t| t.spdx.clone()));
        if let Some(r) = reference {
            if !api.spdx_id.eq_ignore_ascii_case(&r) {
                check.problems.push(format!(
                    "GitHub identifies the license in {} as {} ({}), expected {r}",
                    api.path, api.spdx_id, api.name
                ));
            }
        }
    }
    check
}

fn check_config(snap: &Snapshot, manifest: &Manifest) -> ConfigCheck {
    let file = config_file_name(manifest);
    let mut check = ConfigCheck {
        file: file.clone(),
        ..ConfigCheck::default()
    };
    let params = manifest
        .architecture
        .as_ref()
        .map(|a| a.params.clone())
        .unwrap_or_default();
    let Some(config) = &snap.config else {
        if !params.is_empty() {
            check.problems.push(format!(
                "{file} is not in the repository, so the architecture parameters cannot be checked"
            ));
        }
        return check;
    };
    let Some(call) = crate::formats::pyconfig::extract_config(&config.text, None) else {
        if !params.is_empty() {
            check.problems.push(format!(
                "{file} has no `...Config(...)` call to read parameters from"
            ));
        }
        return check;
    };
    check.callee = Some(call.callee.clone());
    check.line = Some(call.line);
    let mut used = vec![false; call.args.len()];
    for (name, want) in &params {
        let found = call
            .args
            .iter()
            .position(|a| a.path == *name)
            .or_else(|| call.args.iter().position(|a| a.name == *name));
        let manifest_value = Some(toml_display(want));
        let Some(idx) = found else {
            check.params.push(ParamCheck {
                name: name.clone(),
                path: None,
                expr: None,
                config_value: None,
                manifest_value,
                status: ParamStatus::OnlyInManifest,
                note: None,
            });
            continue;
        };
        used[idx] = true;
        let arg = &call.args[idx];
        let (status, config_value, note) = match &arg.value {
            Ok(v) if values_equal(want, v) => (ParamStatus::Match, Some(v.to_string()), None),
            Ok(v) => {
                let shown = v.to_string();
                let expr = if arg.expr == shown {
                    String::new()
                } else {
                    format!(" ({})", arg.expr)
                };
                check.problems.push(format!(
                    "{file}: {} = {shown}{expr}, the manifest says {}",
                    arg.path,
                    toml_display(want)
                ));
                (ParamStatus::Differ, Some(v.to_string()), None)
            }
            Err(why) => {
                check.problems.push(format!(
                    "{file}: {} = {} cannot be checked: {why}",
                    arg.path, arg.expr
                ));
                (ParamStatus::Unevaluated, None, Some(why.clone()))
            }
        };
        check.params.push(ParamCheck {
            name: name.clone(),
            path: Some(arg.path.clone()),
            expr: Some(arg.expr.clone()),
            config_value,
            manifest_value,
            status,
            note,
        });
    }
    for (arg, used) in call.args.iter().zip(used) {
        if used {
            continue;
        }
        check.params.push(ParamCheck {
            name: arg.name.clone(),
            path: Some(arg.path.clone()),
            expr: Some(arg.expr.clone()),
            config_value: arg.value.as_ref().ok().map(|v| v.to_string()),
            manifest_value: None,
            status: ParamStatus::OnlyInConfig,
            note: arg.value.as_ref().err().cloned(),
        });
    }
    check
}

/// Whether a manifest value equals a Python value, with Python's `==`
/// between ints and floats (`6144 == 6144.0`).
pub fn values_equal(want: &toml::Value, got: &crate::formats::pyconfig::PyValue) -> bool {
    use crate::formats::pyconfig::PyValue as P;
    use toml::Value as T;
    match (want, got) {
        (T::Integer(a), P::Int(b)) => a == b,
        (T::Integer(a), P::Float(b)) => (*a as f64) == *b,
        (T::Float(a), P::Int(b)) => *a == (*b as f64),
        (T::Float(a), P::Float(b)) => a == b,
        (T::String(a), P::Str(b)) => a == b,
        (T::Boolean(a), P::Bool(b)) => a == b,
        (T::Array(a), P::Seq(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| values_equal(x, y))
        }
        _ => false,
    }
}

fn toml_display(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    }
}

/// Formats a Unix time as `YYYY-MM-DD HH:MM:SS UTC`.
pub fn format_utc(epoch: i64) -> String {
    let days = epoch.div_euclid(86_400);
    let secs = epoch.rem_euclid(86_400);
    // Howard Hinnant's civil-from-days: exact for the proleptic Gregorian
    // calendar, so no date crate is needed for one timestamp.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_formatting() {
        assert_eq!(format_utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(format_utc(1_710_863_302), "2024-03-19 15:48:22 UTC");
        assert_eq!(format_utc(951_782_400), "2000-02-29 00:00:00 UTC");
    }

    #[test]
    fn grok_manifest_expectations() {
        let m = Manifest::embedded("grok-1").expect("grok-1 manifest");
        assert_eq!(config_file_name(&m), "run.py");
        assert_eq!(
            expected_license(&m, "xai-org/grok-1").as_deref(),
            Some("Apache-2.0")
        );
        assert_eq!(github_source(&m).unwrap().files.len(), 12);
    }

    #[test]
    fn int_float_equality_follows_python() {
        use crate::formats::pyconfig::PyValue;
        assert!(values_equal(
            &toml::Value::Integer(6144),
            &PyValue::Float(6144.0)
        ));
        assert!(!values_equal(
            &toml::Value::Integer(6144),
            &PyValue::Int(6145)
        ));
        assert!(!values_equal(
            &toml::Value::Integer(1),
            &PyValue::Bool(true)
        ));
    }
}
