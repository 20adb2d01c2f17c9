//! Reading a repository's file list from the Hugging Face Hub's tree API
//! (`GET {endpoint}/api/models/{repo}/tree/{revision}?recursive=true&expand=true`,
//! huggingface_hub's `list_repo_tree`), page by page along the `Link:
//! <…>; rel="next"` header.
//!
//! The HTTP client is octocrab's (hyper + rustls, already built for
//! `weightcheck github`): its raw `_get_with_headers` accepts an absolute
//! URI and any headers, which is all a plain GET needs, so no second HTTP
//! stack is compiled. The token is sent as our own `Authorization` header
//! (octocrab's own token would be GitHub's and is only sent to GitHub).
//! Bodies are read frame by frame up to [`MAX_PAGE_BYTES`], and at most
//! [`MAX_PAGES`] pages are followed, each only on the endpoint's own
//! origin, so a hostile server can neither exhaust memory nor lead the
//! token elsewhere.

use std::time::Duration;

use http::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION};
use http::Uri;
use http_body_util::BodyExt;
use octocrab::service::middleware::retry::RetryConfig;
use octocrab::Octocrab;
use serde::Deserialize;

use super::{HubFile, Listing};
use crate::error::RemoteKind;
use crate::{Error, Result};

/// The public Hub.
pub const DEFAULT_ENDPOINT: &str = "https://huggingface.co";
/// Most bytes read from one page of the listing (the Hub sends ~1,000
/// entries of a few hundred bytes each).
pub const MAX_PAGE_BYTES: usize = 16 << 20;
/// Most pages followed: 10,000 pages of 1,000 entries is far beyond any
/// model repository, and a server that keeps sending `next` is stopped.
pub const MAX_PAGES: usize = 10_000;
/// Most files accepted in one listing.
pub const MAX_FILES: usize = 1_000_000;

/// How to reach the Hub.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct HubOptions {
    /// Base URL (`HF_ENDPOINT`; [`DEFAULT_ENDPOINT`] when `None`).
    pub endpoint: Option<String>,
    /// Sent as `Authorization: Bearer …` (HF_TOKEN), for gated and private repos.
    pub token: Option<String>,
    /// Retries after a 5xx or a transport error (octocrab's, no sleeping).
    pub retries: usize,
    /// Connect and read timeout of each request.
    pub timeout: Duration,
}

impl Default for HubOptions {
    fn default() -> Self {
        HubOptions {
            endpoint: None,
            token: None,
            retries: 2,
            timeout: Duration::from_secs(30),
        }
    }
}

#[derive(Deserialize)]
struct EntryJson {
    #[serde(rename = "type")]
    kind: String,
    path: String,
    #[serde(default)]
    oid: Option<String>,
    #[serde(default)]
    size: Option<u64>,
    #[serde(default)]
    lfs: Option<LfsJson>,
}

#[derive(Deserialize)]
struct LfsJson {
    oid: String,
    size: u64,
}

/// Splits `owner/name`, refusing anything that is not a plain Hub repo id.
pub fn parse_repo(repo: &str) -> Result<(String, String)> {
    let ok = |s: &str| {
        !s.is_empty()
            && s.len() <= 96
            && s != "."
            && s != ".."
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    };
    match repo.split_once('/') {
        Some((o, n)) if ok(o) && ok(n) => Ok((o.to_string(), n.to_string())),
        _ => Err(Error::Invalid(format!(
            "{repo:?} is not a Hugging Face repository id of the form OWNER/REPO"
        ))),
    }
}

fn remote(kind: RemoteKind, message: String) -> Error {
    Error::Remote { kind, message }
}

fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The `rel="next"` target of a `Link` header, if any.
pub fn next_link(header: &str) -> Option<String> {
    header.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
        params
            .split(';')
            .any(|p| {
                let p = p.trim().replace(' ', "");
                p == "rel=\"next\"" || p == "rel=next"
            })
            .then(|| target.to_string())
    })
}

/// A client for one Hub endpoint.
pub struct Hub {
    octo: Octocrab,
    endpoint: Uri,
    endpoint_text: String,
    token: Option<String>,
}

impl Hub {
    /// Must be called inside a tokio runtime.
    pub fn new(opts: &HubOptions) -> Result<Self> {
        let text = opts
            .endpoint
            .as_deref()
            .unwrap_or(DEFAULT_ENDPOINT)
            .trim_end_matches('/')
            .to_string();
        let endpoint: Uri = text
            .parse()
            .map_err(|e| Error::Invalid(format!("bad Hugging Face endpoint {text:?}: {e}")))?;
        if endpoint.scheme().is_none() || endpoint.authority().is_none() {
            return Err(Error::Invalid(format!(
                "bad Hugging Face endpoint {text:?}: give a URL like {DEFAULT_ENDPOINT}"
            )));
        }
        let octo = Octocrab::builder()
            .base_uri(text.as_str())
            .map_err(|e| Error::Invalid(format!("bad Hugging Face endpoint {text:?}: {e}")))?
            .add_retry_config(RetryConfig::Simple(opts.retries))
            .set_connect_timeout(Some(opts.timeout))
            .set_read_timeout(Some(opts.timeout))
            .build()
            .map_err(|e| Error::Invalid(format!("cannot set up the HTTP client: {e}")))?;
        Ok(Hub {
            octo,
            endpoint,
            endpoint_text: text,
            token: opts.token.clone(),
        })
    }

    /// One page: its body and the next page's URL.
    async fn page(&self, what: &str, url: &str) -> Result<(String, Option<String>)> {
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        if let Some(t) = &self.token {
            let mut v = HeaderValue::from_str(&format!("Bearer {t}")).map_err(|_| {
                Error::Invalid("HF_TOKEN holds characters a header cannot carry".into())
            })?;
            v.set_sensitive(true);
            headers.insert(AUTHORIZATION, v);
        }
        tracing::debug!(url, "Hugging Face Hub: GET ({what})");
        let resp = self
            .octo
            ._get_with_headers(url, Some(headers))
            .await
            .map_err(|e| {
                remote(
                    RemoteKind::Unreachable,
                    format!(
                        "Hugging Face Hub: {what}: no answer from {} ({}); check the network \
                         or HF_ENDPOINT",
                        self.endpoint_text,
                        crate::error::root_cause(&e)
                    ),
                )
            })?;
        let status = resp.status().as_u16();
        tracing::debug!(url, status, "Hugging Face Hub: answered");
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let next = header("link").as_deref().and_then(next_link);
        let retry_after = header("retry-after");
        let error_code = header("x-error-code");
        let declared = header("content-length").and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > MAX_PAGE_BYTES as u64) {
            return Err(remote(
                RemoteKind::BadAnswer,
                format!("Hugging Face Hub: {what}: an answer of {declared:?} bytes, over the {MAX_PAGE_BYTES}-byte limit"),
            ));
        }
        let mut body = resp.into_body();
        let mut bytes = Vec::new();
        // Bounded by MAX_PAGE_BYTES: each frame adds its length or ends the loop.
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| {
                remote(
                    RemoteKind::Unreachable,
                    format!("Hugging Face Hub: {what}: the answer broke off: {e}"),
                )
            })?;
            if let Ok(data) = frame.into_data() {
                if bytes.len() + data.len() > MAX_PAGE_BYTES {
                    return Err(remote(
                        RemoteKind::BadAnswer,
                        format!("Hugging Face Hub: {what}: the answer is over the {MAX_PAGE_BYTES}-byte limit"),
                    ));
                }
                bytes.extend_from_slice(&data);
            }
        }
        let text = String::from_utf8_lossy(&bytes).into_owned();
        if (200..300).contains(&status) {
            return Ok((text, next));
        }
        let message = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| v.get("error").and_then(|m| m.as_str()).map(str::to_string))
            .unwrap_or_else(|| text.chars().take(200).collect());
        let token_hint = if self.token.is_some() {
            "the token given was refused: check that it is valid and that its account has \
             accepted the repository's terms on its Hub page"
        } else {
            "the repository is gated or private: set HF_TOKEN to a token of an account that \
             has accepted its terms on its Hub page"
        };
        Err(match status {
            401 | 403 => remote(
                if status == 401 {
                    RemoteKind::Unauthorized
                } else {
                    RemoteKind::Forbidden
                },
                format!("Hugging Face Hub: {what}: {status} ({message}); {token_hint}"),
            ),
            404 => {
                let which = match error_code.as_deref() {
                    Some("RevisionNotFound") => "the revision does not exist",
                    Some("EntryNotFound") => "the path does not exist",
                    _ => {
                        "the repository or revision does not exist (or it is private: set HF_TOKEN)"
                    }
                };
                remote(
                    RemoteKind::NotFound,
                    format!("Hugging Face Hub: {what}: not found (404): {which}"),
                )
            }
            429 => {
                let when = match &retry_after {
                    Some(s) => format!("the Hub asks to retry after {} s", s),
                    None => "the Hub gave no retry time".to_string(),
                };
                let hint = if self.token.is_some() {
                    ""
                } else {
                    "; set HF_TOKEN for a higher limit"
                };
                remote(
                    RemoteKind::RateLimited,
                    format!("Hugging Face Hub: {what}: rate limited (429); {when}{hint}"),
                )
            }
            s if s >= 500 => remote(
                RemoteKind::Server,
                format!("Hugging Face Hub: {what}: server error {s} (after retries): {message}"),
            ),
            s => remote(
                RemoteKind::Http,
                format!("Hugging Face Hub: {what}: HTTP {s}: {message}"),
            ),
        })
    }

    /// A `next` URL is followed only on the endpoint's own scheme and host,
    /// so the token never leaves for another server.
    fn same_origin(&self, url: &str) -> Result<()> {
        let uri: Uri = url.parse().map_err(|_| {
            remote(
                RemoteKind::BadAnswer,
                format!(
                    "Hugging Face Hub: a next-page link that is not a URL: {}",
                    url
                ),
            )
        })?;
        if uri.scheme() != self.endpoint.scheme() || uri.authority() != self.endpoint.authority() {
            return Err(remote(
                RemoteKind::BadAnswer,
                format!(
                    "Hugging Face Hub: a next-page link to another server ({}); not followed",
                    url
                ),
            ));
        }
        Ok(())
    }

    /// The commit `revision` (a branch, tag or commit) of `repo` is at, from
    /// the model-info endpoint, so that a record can name what it is of.
    pub async fn commit(&self, repo: &str, revision: &str) -> Result<String> {
        parse_repo(repo)?;
        let what = format!("revision {revision} of {repo}");
        let url = format!(
            "{}/api/models/{repo}/revision/{}",
            self.endpoint_text,
            crate::percent::component(revision)
        );
        let (body, _) = self.page(&what, &url).await?;
        #[derive(serde::Deserialize)]
        struct Info {
            sha: Option<String>,
        }
        let info: Info = serde_json::from_str(&body).map_err(|e| {
            remote(
                RemoteKind::BadAnswer,
                format!("Hugging Face Hub: {what}: not a model info: {e}"),
            )
        })?;
        match info.sha {
            Some(sha) if is_hex(&sha, 40) => Ok(sha.to_ascii_lowercase()),
            _ => Err(remote(
                RemoteKind::BadAnswer,
                format!("Hugging Face Hub: {what}: the answer names no commit (sha)"),
            )),
        }
    }

    /// Every file of `repo` at `revision`, every page of it.
    pub async fn list(&self, repo: &str, revision: &str) -> Result<Listing> {
        parse_repo(repo)?;
        let what = format!("file list of {repo} at {revision}");
        let mut url = format!(
            "{}/api/models/{repo}/tree/{}?recursive=true&expand=true",
            self.endpoint_text,
            crate::percent::component(revision)
        );
        let mut files: Vec<HubFile> = Vec::new();
        let mut pages = 0;
        loop {
            pages += 1;
            let (body, next) = self.page(&what, &url).await?;
            let entries: Vec<EntryJson> = serde_json::from_str(&body).map_err(|e| {
                remote(
                    RemoteKind::BadAnswer,
                    format!("Hugging Face Hub: {what}: page {pages} is not a tree listing: {e}"),
                )
            })?;
            for e in entries {
                if let Some(f) = file_of(&what, e)? {
                    files.push(f);
                }
            }
            if files.len() > MAX_FILES {
                return Err(remote(
                    RemoteKind::BadAnswer,
                    format!("Hugging Face Hub: {what}: over {MAX_FILES} files; refused"),
                ));
            }
            let Some(n) = next else { break };
            if pages >= MAX_PAGES {
                return Err(remote(
                    RemoteKind::BadAnswer,
                    format!(
                        "Hugging Face Hub: {what}: still more pages after {MAX_PAGES}; refused"
                    ),
                ));
            }
            self.same_origin(&n)?;
            url = n;
        }
        files.sort_by(|a, b| a.path.as_bytes().cmp(b.path.as_bytes()));
        if let Some(w) = files.windows(2).find(|w| w[0].path == w[1].path) {
            return Err(remote(
                RemoteKind::BadAnswer,
                format!("Hugging Face Hub: {what}: {} is listed twice", w[0].path),
            ));
        }
        Ok(Listing {
            repo: repo.to_string(),
            revision: revision.to_string(),
            files,
            pages,
        })
    }
}

/// A listing entry as a file to check; folders are implied by paths.
/// Anything that is not a safe path and well-formed digests refuses the
/// whole listing: a partial list would report files missing that are not.
fn file_of(what: &str, e: EntryJson) -> Result<Option<HubFile>> {
    let bad = |why: String| {
        remote(
            RemoteKind::BadAnswer,
            format!(
                "Hugging Face Hub: {what}: entry {}: {why}; the listing is refused",
                e.path
            ),
        )
    };
    if !crate::paths::is_safe_relative(&e.path) {
        return Err(bad("not a safe relative path".into()));
    }
    match e.kind.as_str() {
        "directory" => return Ok(None),
        "file" => {}
        other => return Err(bad(format!("unknown type {other:?}"))),
    }
    let oid = e.oid.as_deref().unwrap_or("");
    if !is_hex(oid, 40) {
        return Err(bad("no git blob SHA-1 (oid)".into()));
    }
    let size = e.size.ok_or_else(|| bad("no size".into()))?;
    let lfs_sha256 = match &e.lfs {
        None => None,
        Some(l) if is_hex(&l.oid, 64) && l.size == size => Some(l.oid.to_ascii_lowercase()),
        Some(l) if l.size != size => {
            return Err(bad(format!(
                "LFS size {} is not the file size {size}",
                l.size
            )))
        }
        Some(_) => return Err(bad("LFS oid is not a SHA-256".into())),
    };
    Ok(Some(HubFile {
        path: e.path.clone(),
        size,
        git_sha1: oid.to_ascii_lowercase(),
        lfs_sha256,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_headers_and_names() {
        assert_eq!(
            next_link("<https://huggingface.co/api/models/a/b/tree/main?cursor=xyz>; rel=\"next\"")
                .as_deref(),
            Some("https://huggingface.co/api/models/a/b/tree/main?cursor=xyz")
        );
        assert_eq!(next_link("<https://x/1>; rel=\"prev\""), None);
        assert_eq!(
            next_link("<https://x/1>; rel=\"prev\", <https://x/3>; rel=\"next\"").as_deref(),
            Some("https://x/3")
        );
        assert!(parse_repo("openai-community/gpt2").is_ok());
        assert!(parse_repo("gpt2").is_err());
        assert!(parse_repo("a/../b").is_err());
    }

    #[test]
    fn entries_with_unsafe_paths_or_bad_digests_refuse_the_listing() {
        let entry = |path: &str, oid: &str| EntryJson {
            kind: "file".into(),
            path: path.into(),
            oid: Some(oid.into()),
            size: Some(1),
            lfs: None,
        };
        let sha1 = "a".repeat(40);
        assert!(file_of("t", entry("a/b.txt", &sha1)).is_ok());
        for p in ["../x", "/etc/passwd", "a//b", "a/./b"] {
            assert!(file_of("t", entry(p, &sha1)).is_err(), "{p}");
        }
        assert!(file_of("t", entry("a", "xyz")).is_err());
    }
}
