//! Reading a repository through the GitHub REST API with octocrab.
//!
//! Requests go through octocrab's raw `_get` so the status and headers of a
//! failure are still there to explain it: GitHub's 403 and 429 carry the
//! rate-limit reset time, which octocrab's typed errors drop. Retries on 5xx
//! and transport errors are octocrab's (`RetryConfig::Simple`), which never
//! sleeps: its rate-limit-aware policy would wait up to an hour for the
//! reset, and a command-line check should say when to come back instead.

use std::time::Duration;

use http::header::{HeaderMap, HeaderValue, ACCEPT};
use octocrab::service::middleware::retry::RetryConfig;
use octocrab::Octocrab;
use serde::Deserialize;

use super::tree::{git_blob_sha1, TreeEntry};
use super::{
    config_file_name, format_utc, pick_license, pick_readme, ApiLicense, Snapshot, TextFile,
};
use crate::error::RemoteKind;
use crate::manifest::Manifest;
use crate::{Error, Result};

/// The public API's base URL.
pub const DEFAULT_API_URL: &str = "https://api.github.com";

/// How to reach the API.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ClientOptions {
    /// Base URL (`https://api.github.com` when `None`).
    pub api_url: Option<String>,
    /// A token for the `Authorization` header (GITHUB_TOKEN).
    pub token: Option<String>,
    /// Retries after a 5xx, a 429 or a transport error.
    pub retries: usize,
    /// Connect and read timeout of each request.
    pub timeout: Duration,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            api_url: None,
            token: None,
            retries: 3,
            timeout: Duration::from_secs(30),
        }
    }
}

/// A commit a ref resolved to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitInfo {
    /// Full SHA-1.
    pub sha: String,
}

/// One repository on the API.
pub struct GithubRepo {
    octo: Octocrab,
    owner: String,
    name: String,
    has_token: bool,
    /// Named in the error when nothing answers.
    api_url: String,
}

/// Splits `owner/name`, refusing anything that is not a plain GitHub name.
pub fn parse_repo(repo: &str) -> Result<(String, String)> {
    let ok = |s: &str| {
        !s.is_empty()
            && s != "."
            && s != ".."
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    };
    match repo.split_once('/') {
        Some((o, n)) if ok(o) && ok(n) => Ok((o.to_string(), n.to_string())),
        _ => Err(Error::Invalid(format!(
            "{repo:?} is not a GitHub repository name of the form OWNER/REPO"
        ))),
    }
}

#[derive(Deserialize)]
struct CommitJson {
    sha: String,
}

#[derive(Deserialize)]
struct TreeJson {
    #[serde(default)]
    tree: Vec<TreeItemJson>,
    #[serde(default)]
    truncated: bool,
}

#[derive(Deserialize)]
struct TreeItemJson {
    path: String,
    #[serde(rename = "type")]
    kind: String,
    sha: String,
    #[serde(default)]
    size: Option<u64>,
}

#[derive(Deserialize)]
struct LicenseJson {
    path: String,
    license: Option<LicenseInfoJson>,
}

#[derive(Deserialize)]
struct LicenseInfoJson {
    #[serde(default)]
    spdx_id: Option<String>,
    #[serde(default)]
    name: String,
}

impl GithubRepo {
    /// A client for `owner/name`. Must be called inside a tokio runtime.
    pub fn new(repo: &str, opts: &ClientOptions) -> Result<Self> {
        let (owner, name) = parse_repo(repo)?;
        let url = opts.api_url.as_deref().unwrap_or(DEFAULT_API_URL);
        let mut builder = Octocrab::builder()
            .base_uri(url)
            .map_err(|e| Error::Invalid(format!("bad GitHub API URL {url:?}: {e}")))?
            .add_retry_config(RetryConfig::Simple(opts.retries))
            .set_connect_timeout(Some(opts.timeout))
            .set_read_timeout(Some(opts.timeout));
        if let Some(token) = &opts.token {
            builder = builder.personal_token(token.clone());
        }
        let octo = builder
            .build()
            .map_err(|e| Error::Invalid(format!("cannot set up the GitHub client: {e}")))?;
        Ok(GithubRepo {
            octo,
            owner,
            name,
            has_token: opts.token.is_some(),
            api_url: url.to_string(),
        })
    }

    /// `owner/name`.
    pub fn full_name(&self) -> String {
        format!("{}/{}", self.owner, self.name)
    }

    /// GETs `route`; `Ok(None)` on 404 when `missing_ok`, and an error that
    /// says what happened otherwise.
    async fn get(
        &self,
        what: &str,
        route: &str,
        raw: bool,
        missing_ok: bool,
    ) -> Result<Option<String>> {
        let mut headers = HeaderMap::new();
        headers.insert(
            ACCEPT,
            HeaderValue::from_static(if raw {
                "application/vnd.github.raw+json"
            } else {
                "application/vnd.github+json"
            }),
        );
        tracing::debug!(route, "GitHub API: GET ({what})");
        let resp = self
            .octo
            ._get_with_headers(route, Some(headers))
            .await
            .map_err(|e| {
                remote(
                    RemoteKind::Unreachable,
                    format!(
                        "GitHub API: {what}: no answer from {} ({}); check the network, \
                         or the API's address (--api-url, WEIGHTCHECK_GITHUB_API); \
                         --local PATH checks a clone offline",
                        self.api_url,
                        crate::error::root_cause(&e)
                    ),
                )
            })?;
        let status = resp.status().as_u16();
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let remaining = header("x-ratelimit-remaining");
        let reset = header("x-ratelimit-reset").and_then(|v| v.parse::<i64>().ok());
        let retry_after = header("retry-after");
        let body = self.octo.body_to_string(resp).await.map_err(|e| {
            remote(
                RemoteKind::Unreachable,
                format!("GitHub API: {what}: cannot read the answer: {e}"),
            )
        })?;
        if (200..300).contains(&status) {
            return Ok(Some(body));
        }
        let message = serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| {
                v.get("message")
                    .and_then(|m| m.as_str())
                    .map(str::to_string)
            })
            .unwrap_or_else(|| body.chars().take(200).collect());
        let repo = self.full_name();
        match status {
            404 if missing_ok => Ok(None),
            404 => Err(remote(
                RemoteKind::NotFound,
                format!(
                "GitHub API: {what}: not found (404) in {repo}: the repository or ref does not \
                 exist, or the repository is private (set GITHUB_TOKEN)"
            ),
            )),
            401 => Err(remote(
                RemoteKind::Unauthorized,
                format!("GitHub API: {what}: 401 unauthorized ({message}): check GITHUB_TOKEN"),
            )),
            403 | 429
                if status == 429 || remaining.as_deref() == Some("0") || retry_after.is_some() =>
            {
                let when = match (reset, &retry_after) {
                    (Some(t), _) => {
                        let now = std::time::SystemTime::now()
                            .duration_since(std::time::UNIX_EPOCH)
                            .map(|d| d.as_secs() as i64)
                            .unwrap_or(0);
                        let wait = t - now;
                        if wait > 0 {
                            format!(
                                "the limit resets at {} (in {} min)",
                                format_utc(t),
                                (wait + 59) / 60
                            )
                        } else {
                            format!("the limit resets at {}", format_utc(t))
                        }
                    }
                    (None, Some(s)) => format!("GitHub asks to retry after {s} s"),
                    (None, None) => "GitHub gave no reset time".to_string(),
                };
                let hint = if self.has_token {
                    ""
                } else {
                    "; set GITHUB_TOKEN for a higher limit"
                };
                Err(remote(
                    RemoteKind::RateLimited,
                    format!("GitHub API: {what}: rate limited ({status}: {message}); {when}{hint}"),
                ))
            }
            403 => Err(remote(
                RemoteKind::Forbidden,
                format!("GitHub API: {what}: forbidden (403): {message}"),
            )),
            s if s >= 500 => Err(remote(
                RemoteKind::Server,
                format!("GitHub API: {what}: server error {s} (after retries): {message}"),
            )),
            s => Err(remote(
                RemoteKind::Http,
                format!("GitHub API: {what}: HTTP {s}: {message}"),
            )),
        }
    }

    fn required(what: &str, got: Option<String>) -> Result<String> {
        got.ok_or_else(|| {
            remote(
                RemoteKind::NotFound,
                format!("GitHub API: {what}: not found"),
            )
        })
    }

    /// Resolves a branch, tag or SHA to its commit.
    pub async fn commit(&self, git_ref: &str) -> Result<CommitInfo> {
        let what = format!("commit {git_ref}");
        let route = format!(
            "/repos/{}/{}/commits/{}",
            self.owner,
            self.name,
            crate::percent::path(git_ref)
        );
        let body = Self::required(&what, self.get(&what, &route, false, false).await?)?;
        let c: CommitJson = serde_json::from_str(&body).map_err(|e| {
            remote(
                RemoteKind::BadAnswer,
                format!("GitHub API: {what}: unexpected answer: {e}"),
            )
        })?;
        Ok(CommitInfo { sha: c.sha })
    }

    /// Every blob of the recursive tree at `commit`. A truncated tree is an
    /// error: comparing part of a tree would report files as missing.
    pub async fn tree(&self, commit: &str) -> Result<Vec<TreeEntry>> {
        let what = format!("tree of {commit}");
        let route = format!(
            "/repos/{}/{}/git/trees/{}?recursive=1",
            self.owner,
            self.name,
            crate::percent::path(commit)
        );
        let body = Self::required(&what, self.get(&what, &route, false, false).await?)?;
        let t: TreeJson = serde_json::from_str(&body).map_err(|e| {
            remote(
                RemoteKind::BadAnswer,
                format!("GitHub API: {what}: unexpected answer: {e}"),
            )
        })?;
        if t.truncated {
            return Err(Error::Invalid(format!(
                "GitHub API: {what}: GitHub truncated the recursive tree ({} entries returned), \
                 so files would be reported missing that are not; clone the repository and run \
                 `weightcheck github --local PATH` instead",
                t.tree.len()
            )));
        }
        let mut files = Vec::new();
        for item in t.tree {
            // Directories are implied by paths; submodules are commits, not
            // content, and have no size.
            if item.kind != "blob" {
                continue;
            }
            let size = item.size.ok_or_else(|| {
                Error::Invalid(format!(
                    "GitHub API: {what}: blob {} has no size",
                    item.path
                ))
            })?;
            files.push(TreeEntry {
                path: item.path,
                size,
                git_sha1: item.sha.to_ascii_lowercase(),
            });
        }
        Ok(files)
    }

    /// The content of `path` at `commit`, `None` if absent.
    pub async fn file(&self, path: &str, commit: &str) -> Result<Option<String>> {
        let what = format!("contents of {path}");
        let route = format!(
            "/repos/{}/{}/contents/{}?ref={}",
            self.owner,
            self.name,
            crate::percent::path(path),
            crate::percent::path(commit)
        );
        self.get(&what, &route, true, true).await
    }

    /// GitHub's license detection at `commit`, `None` if GitHub finds none.
    pub async fn license(&self, commit: &str) -> Result<Option<ApiLicense>> {
        let what = "license".to_string();
        let route = format!(
            "/repos/{}/{}/license?ref={}",
            self.owner,
            self.name,
            crate::percent::path(commit)
        );
        let Some(body) = self.get(&what, &route, false, true).await? else {
            return Ok(None);
        };
        let l: LicenseJson = serde_json::from_str(&body).map_err(|e| {
            remote(
                RemoteKind::BadAnswer,
                format!("GitHub API: {what}: unexpected answer: {e}"),
            )
        })?;
        let info = l.license.unwrap_or(LicenseInfoJson {
            spdx_id: None,
            name: String::new(),
        });
        Ok(Some(ApiLicense {
            path: l.path,
            spdx_id: info.spdx_id.unwrap_or_else(|| "NOASSERTION".to_string()),
            name: info.name,
        }))
    }

    /// Reads `path` and checks that what was served is the blob the tree
    /// names, so the text checks run on exactly the content compared.
    async fn text_file(
        &self,
        path: &str,
        commit: &str,
        files: &[TreeEntry],
    ) -> Result<Option<TextFile>> {
        let Some(entry) = files.iter().find(|f| f.path == path) else {
            return Ok(None);
        };
        if entry.size > super::MAX_TEXT_FILE {
            return Err(Error::TooLarge {
                path: path.into(),
                size: entry.size,
                limit: super::MAX_TEXT_FILE,
            });
        }
        let Some(text) = self.file(path, commit).await? else {
            return Err(Error::Invalid(format!(
                "GitHub API: {path} is in the tree of {commit} but its contents are not found"
            )));
        };
        let sha = git_blob_sha1(text.as_bytes());
        if sha != entry.git_sha1 {
            return Err(Error::Invalid(format!(
                "GitHub API: contents of {path} served with git SHA-1 {sha}, but the tree says {}",
                entry.git_sha1
            )));
        }
        Ok(Some(TextFile {
            path: path.to_string(),
            text,
        }))
    }

    /// Resolves `git_ref` and reads everything the checks need.
    pub async fn snapshot(
        &self,
        git_ref: &str,
        manifest: &Manifest,
    ) -> Result<(CommitInfo, Snapshot)> {
        let commit = self.commit(git_ref).await?;
        let files = self.tree(&commit.sha).await?;
        let license_api = self.license(&commit.sha).await?;
        let license_path = license_api
            .as_ref()
            .map(|l| l.path.clone())
            .filter(|p| files.iter().any(|f| f.path == *p))
            .or_else(|| pick_license(&files));
        let readme = match pick_readme(&files) {
            Some(p) => self.text_file(&p, &commit.sha, &files).await?,
            None => None,
        };
        let config = self
            .text_file(&config_file_name(manifest), &commit.sha, &files)
            .await?;
        let license_file = match license_path {
            Some(p) => self.text_file(&p, &commit.sha, &files).await?,
            None => None,
        };
        Ok((
            commit,
            Snapshot {
                files,
                readme,
                config,
                license_file,
                license_api,
            },
        ))
    }
}

fn remote(kind: RemoteKind, message: String) -> Error {
    Error::Remote { kind, message }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repo_names() {
        assert!(parse_repo("xai-org/grok-1").is_ok());
        assert!(parse_repo("xai-org").is_err());
        assert!(parse_repo("a/b/c").is_err());
        assert!(parse_repo("../x").is_err());
    }
}
