//! A loopback HTTP/1.1 server that answers like the Hugging Face Hub's tree
//! API (`GET /api/models/{repo}/tree/{revision}?recursive=true&expand=true`,
//! huggingface_hub's `list_repo_tree`) for one repository, in the JSON
//! shapes the Hub documents (RepoFile with `oid`, `size`, `lfs`; RepoFolder),
//! paginated through `Link: <…>; rel="next"`, and failing the ways the
//! client must explain: a gated repository (401 without `Authorization:
//! Bearer TOKEN`), 404, 429 with Retry-After. It also answers the model
//! info of a revision (`GET /api/models/{repo}/revision/{revision}`,
//! huggingface_hub's `model_info`), whose `sha` names the commit.
//!
//! One std thread, one connection at a time, `Connection: close`; the
//! accept loop is bounded in connections and in time and stops on drop.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use sha2::Digest;
use weightcheck::github::tree::git_blob_sha1;

/// The commit the served repository's `main` is at.
pub const HUB_COMMIT: &str = "1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c";

/// What the server serves and how it misbehaves.
#[derive(Clone)]
pub struct ServedModel {
    /// `owner/name`.
    pub repo: String,
    /// Path → (content, stored with LFS).
    pub files: BTreeMap<String, (Vec<u8>, bool)>,
    /// Entries per page.
    pub page_size: usize,
    /// Answer 401 unless `Authorization: Bearer {token}`.
    pub gated_token: Option<String>,
    /// Answer every request with 429 and this Retry-After.
    pub rate_limited: Option<u64>,
    /// A hostile server: the first page's `next` link leads to this
    /// origin instead of the server's own.
    pub next_elsewhere: Option<String>,
    /// A hostile server: this entry is added to the listing.
    pub extra_entry: Option<serde_json::Value>,
}

impl ServedModel {
    /// A small model: config and tokenizer files (git) and two weight
    /// files (LFS), split over 2 pages.
    pub fn small() -> Self {
        let mut files = BTreeMap::new();
        let mut add = |p: &str, c: Vec<u8>, lfs: bool| {
            files.insert(p.to_string(), (c, lfs));
        };
        add(
            ".gitattributes",
            b"*.safetensors filter=lfs diff=lfs merge=lfs -text\n".to_vec(),
            false,
        );
        add(
            "config.json",
            br#"{"model_type": "llama", "hidden_size": 64}"#.to_vec(),
            false,
        );
        add(
            "tokenizer/tokenizer_config.json",
            br#"{"model_max_length": 2048}"#.to_vec(),
            false,
        );
        add(
            "model-00001-of-00002.safetensors",
            (0..50_000u32).map(|i| (i * 7 % 251) as u8).collect(),
            true,
        );
        add(
            "model-00002-of-00002.safetensors",
            (0..30_000u32).map(|i| (i * 13 % 241) as u8).collect(),
            true,
        );
        ServedModel {
            repo: "acme/tiny-model".into(),
            files,
            page_size: 3,
            gated_token: None,
            rate_limited: None,
            next_elsewhere: None,
            extra_entry: None,
        }
    }
}

/// The LFS pointer file git stores for `content`.
pub fn lfs_pointer(content: &[u8]) -> String {
    format!(
        "version https://git-lfs.github.com/spec/v1\noid sha256:{}\nsize {}\n",
        sha256_hex(content),
        content.len()
    )
}

pub fn sha256_hex(content: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(content))
}

/// A request as the server saw it.
#[derive(Clone, Debug)]
pub struct SeenRequest {
    pub path: String,
    pub authorization: Option<String>,
}

pub struct HubServer {
    addr: std::net::SocketAddr,
    seen: Arc<Mutex<Vec<SeenRequest>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

const MAX_CONNECTIONS: usize = 100;
const MAX_LIFETIME: Duration = Duration::from_secs(60);

impl HubServer {
    pub fn start(model: ServedModel) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("local addr");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (seen2, stop2) = (seen.clone(), stop.clone());
        let base = format!("http://{addr}");
        let thread = std::thread::spawn(move || {
            let started = Instant::now();
            let mut served = 0;
            while !stop2.load(Ordering::Relaxed)
                && served < MAX_CONNECTIONS
                && started.elapsed() < MAX_LIFETIME
            {
                match listener.accept() {
                    Ok((stream, _)) => {
                        served += 1;
                        let _ = serve(stream, &model, &base, &seen2);
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                        std::thread::sleep(Duration::from_millis(2));
                    }
                    Err(_) => break,
                }
            }
        });
        HubServer {
            addr,
            seen,
            stop,
            thread: Some(thread),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn requests(&self) -> Vec<SeenRequest> {
        self.seen.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl Drop for HubServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

fn error(status: u16, code: Option<&str>, message: &str) -> Answer {
    let mut headers = vec![("content-type".to_string(), "application/json".to_string())];
    if let Some(c) = code {
        headers.push(("x-error-code".into(), c.into()));
    }
    Answer {
        status,
        headers,
        body: serde_json::json!({ "error": message }).to_string(),
    }
}

fn serve(
    mut stream: TcpStream,
    model: &ServedModel,
    base: &str,
    seen: &Mutex<Vec<SeenRequest>>,
) -> std::io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    stream.set_write_timeout(Some(Duration::from_secs(5)))?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut chunk)?;
        if n == 0 || buf.len() > 64 * 1024 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let head = String::from_utf8_lossy(&buf).into_owned();
    let mut lines = head.split("\r\n");
    let target = lines
        .next()
        .unwrap_or("")
        .split(' ')
        .nth(1)
        .unwrap_or("/")
        .to_string();
    let mut header = BTreeMap::new();
    for l in lines {
        if let Some((k, v)) = l.split_once(':') {
            header.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let req = SeenRequest {
        path: target,
        authorization: header.get("authorization").cloned(),
    };
    seen.lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(req.clone());
    let answer = route(&req, model, base);
    let mut out = format!(
        "HTTP/1.1 {} X\r\ncontent-length: {}\r\nconnection: close\r\n",
        answer.status,
        answer.body.len()
    );
    for (k, v) in &answer.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    stream.write_all(out.as_bytes())?;
    stream.write_all(answer.body.as_bytes())?;
    stream.flush()?;
    let _ = stream.shutdown(std::net::Shutdown::Both);
    Ok(())
}

/// The listing's entries in the Hub's order: folders and files by path.
fn entries(model: &ServedModel) -> Vec<serde_json::Value> {
    let mut dirs = BTreeSet::new();
    for p in model.files.keys() {
        let mut d = p.as_str();
        while let Some((parent, _)) = d.rsplit_once('/') {
            dirs.insert(parent.to_string());
            d = parent;
        }
    }
    let mut out: Vec<(String, serde_json::Value)> = dirs
        .into_iter()
        .map(|d| {
            let v = serde_json::json!({"type": "directory", "oid": "0".repeat(40), "path": d});
            (d, v)
        })
        .collect();
    for (p, (content, lfs)) in &model.files {
        let v = if *lfs {
            let pointer = lfs_pointer(content);
            serde_json::json!({
                "type": "file", "oid": git_blob_sha1(pointer.as_bytes()), "size": content.len(),
                "path": p,
                "lfs": {"oid": sha256_hex(content), "size": content.len(), "pointerSize": pointer.len()},
                "xetHash": "ab".repeat(32),
            })
        } else {
            serde_json::json!({
                "type": "file", "oid": git_blob_sha1(content), "size": content.len(), "path": p,
            })
        };
        out.push((p.clone(), v));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    let mut all: Vec<serde_json::Value> = out.into_iter().map(|(_, v)| v).collect();
    if let Some(e) = &model.extra_entry {
        all.insert(0, e.clone());
    }
    all
}

fn route(req: &SeenRequest, model: &ServedModel, base: &str) -> Answer {
    if let Some(after) = model.rate_limited {
        let mut a = error(429, None, "You have exceeded our request rate limit.");
        a.headers.push(("retry-after".into(), after.to_string()));
        return a;
    }
    let (path, query) = req.path.split_once('?').unwrap_or((&req.path, ""));
    let tree = format!("/api/models/{}/tree/", model.repo);
    let info = format!("/api/models/{}/revision/", model.repo);
    let (revision, is_info) = match (path.strip_prefix(&tree), path.strip_prefix(&info)) {
        (Some(r), _) => (r, false),
        (None, Some(r)) => (r, true),
        (None, None) => return error(404, Some("RepoNotFound"), "Repository not found"),
    };
    if let Some(token) = &model.gated_token {
        if req.authorization.as_deref() != Some(&format!("Bearer {token}")) {
            return error(
                401,
                Some("GatedRepo"),
                "Access to model acme/tiny-model is restricted. You must have access to it and be authenticated to access it. Please log in.",
            );
        }
    }
    if revision != "main" && revision != HUB_COMMIT {
        return error(
            404,
            Some("RevisionNotFound"),
            &format!("Invalid rev id: {revision}"),
        );
    }
    if is_info {
        // huggingface_hub's `model_info(repo, revision=…)`: ModelInfo's `sha`
        // is the commit the revision is at.
        let siblings: Vec<_> = model
            .files
            .keys()
            .map(|p| serde_json::json!({ "rfilename": p }))
            .collect();
        return Answer {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body: serde_json::json!({
                "_id": "0123456789abcdef01234567",
                "id": model.repo,
                "modelId": model.repo,
                "sha": HUB_COMMIT,
                "private": false,
                "gated": model.gated_token.is_some(),
                "siblings": siblings,
            })
            .to_string(),
        };
    }
    let mut params = query.split('&');
    if !params.any(|p| p == "recursive=true") || !query.contains("expand=true") {
        return error(
            400,
            None,
            "this test server answers recursive expanded listings only",
        );
    }
    let cursor: usize = query
        .split('&')
        .find_map(|p| p.strip_prefix("cursor="))
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let all = entries(model);
    let end = (cursor + model.page_size).min(all.len());
    let page: Vec<_> = all.get(cursor..end).unwrap_or(&[]).to_vec();
    let mut headers = vec![("content-type".to_string(), "application/json".to_string())];
    if end < all.len() {
        let origin = model.next_elsewhere.as_deref().unwrap_or(base);
        headers.push((
            "link".into(),
            format!("<{origin}{path}?recursive=true&expand=true&cursor={end}>; rel=\"next\""),
        ));
    }
    Answer {
        status: 200,
        headers,
        body: serde_json::Value::Array(page).to_string(),
    }
}

/// Lays `model` out as a Hugging Face cache under `hub`, as huggingface_hub
/// documents it: `models--OWNER--NAME/blobs/{sha256 or git sha1}`,
/// `snapshots/{commit}/{path}` symlinks to `../../blobs/…` (relative, one
/// `..` more per directory level), `refs/main` holding the commit.
/// Returns the snapshot directory.
pub fn lay_out_cache(hub: &std::path::Path, model: &ServedModel) -> std::path::PathBuf {
    let repo = hub.join(format!("models--{}", model.repo.replace('/', "--")));
    let blobs = repo.join("blobs");
    let snap = repo.join("snapshots").join(HUB_COMMIT);
    std::fs::create_dir_all(&blobs).unwrap();
    std::fs::create_dir_all(repo.join("refs")).unwrap();
    std::fs::write(repo.join("refs/main"), HUB_COMMIT).unwrap();
    for (p, (content, lfs)) in &model.files {
        let blob = if *lfs {
            sha256_hex(content)
        } else {
            git_blob_sha1(content)
        };
        std::fs::write(blobs.join(&blob), content).unwrap();
        let link = snap.join(p);
        std::fs::create_dir_all(link.parent().unwrap()).unwrap();
        let up = "../".repeat(p.matches('/').count() + 2);
        std::os::unix::fs::symlink(format!("{up}blobs/{blob}"), &link).unwrap();
    }
    snap
}
