//! A loopback HTTP/1.1 server that answers like the Hugging Face Hub for one
//! repository, in the shapes the Hub documents and huggingface_hub reads:
//!
//! - the tree API (`GET /api/models/{repo}/tree/{revision}?recursive=true`,
//!   huggingface_hub's `list_repo_tree`): RepoFile entries with `oid`,
//!   `size`, `lfs`; RepoFolder entries; paginated through
//!   `Link: <…>; rel="next"`;
//! - the revision API (`GET /api/models/{repo}/revision/{revision}`,
//!   `model_info`): `id`, `sha` (the commit) and `siblings`;
//! - file downloads (`HEAD`/`GET /{repo}/resolve/{revision}/{path}`,
//!   `hf_hub_download`): `X-Repo-Commit`, `ETag` (the git blob SHA-1) and,
//!   for LFS files, `X-Linked-Etag` (the SHA-256) and `X-Linked-Size`, as
//!   huggingface_hub's `get_hf_file_metadata` reads them. No `X-Xet-*`
//!   headers: clients download over plain HTTP.
//!
//! It fails the ways a client must explain: a gated repository (401 without
//! `Authorization: Bearer TOKEN`), 404, 429 with Retry-After.
//!
//! One thread per connection, `Connection: close`; the accept loop is
//! bounded in connections and in time and stops on drop. The same code runs
//! outside the tests as `examples/hub_server.rs`, the Hub of
//! scripts/bench-hf-verify.sh.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
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
    /// Path → an LFS file served from disk: the benchmark's multi-GB
    /// shards, which a server holding every file in memory could not hold.
    pub lfs_on_disk: BTreeMap<String, DiskBlob>,
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

/// An LFS file on disk, with the size and SHA-256 the Hub would list.
#[derive(Clone)]
pub struct DiskBlob {
    pub path: PathBuf,
    pub size: u64,
    pub sha256: String,
}

impl DiskBlob {
    /// Reads `path` once for its SHA-256: the Hub lists digests computed at
    /// upload, so the server computes them before it answers anyone.
    pub fn hash(path: PathBuf) -> std::io::Result<Self> {
        let mut file = std::fs::File::open(&path)?;
        let mut hasher = sha2::Sha256::new();
        let mut buf = vec![0u8; 1 << 20];
        let mut size = 0u64;
        loop {
            let n = file.read(&mut buf)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            size += n as u64;
        }
        Ok(DiskBlob {
            path,
            size,
            sha256: hex::encode(hasher.finalize()),
        })
    }
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
            lfs_on_disk: BTreeMap::new(),
            page_size: 3,
            gated_token: None,
            rate_limited: None,
            next_elsewhere: None,
            extra_entry: None,
        }
    }
}

/// The LFS pointer file git stores for a file of `size` bytes and `sha256`.
pub fn lfs_pointer(sha256: &str, size: u64) -> String {
    format!("version https://git-lfs.github.com/spec/v1\noid sha256:{sha256}\nsize {size}\n")
}

pub fn sha256_hex(content: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(content))
}

/// A request as the server saw it.
#[derive(Clone, Debug)]
pub struct SeenRequest {
    pub method: String,
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
    /// A server for one test: at most 100 connections and 60 s.
    pub fn start(model: ServedModel) -> Self {
        Self::start_bounded(model, MAX_CONNECTIONS, MAX_LIFETIME)
    }

    /// A server that stops accepting after `max_connections` connections
    /// or `lifetime`, whichever comes first (or when dropped).
    pub fn start_bounded(model: ServedModel, max_connections: usize, lifetime: Duration) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("local addr");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (seen2, stop2) = (seen.clone(), stop.clone());
        let base = format!("http://{addr}");
        let model = Arc::new(model);
        let thread = std::thread::spawn(move || {
            let started = Instant::now();
            let mut workers = Vec::new();
            // huggingface_hub downloads with 8 threads at once: a
            // connection per thread, so a long download does not hold up
            // another file's HEAD past the client's timeout.
            while !stop2.load(Ordering::Relaxed)
                && workers.len() < max_connections
                && started.elapsed() < lifetime
            {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let (model, base, seen) = (model.clone(), base.clone(), seen2.clone());
                        workers.push(std::thread::spawn(move || {
                            let _ = serve(stream, &model, &base, &seen);
                        }));
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                        std::thread::sleep(Duration::from_millis(2));
                    }
                    Err(_) => break,
                }
            }
            for w in workers {
                let _ = w.join();
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

    /// Blocks until the server has stopped accepting (its bounds) and
    /// every connection is answered.
    pub fn wait(mut self) {
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
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

enum Body {
    Bytes(Vec<u8>),
    /// The first `len` bytes of a file.
    File(PathBuf, u64),
    /// A HEAD answer: the headers of a GET, `Content-Length` included.
    Head(u64),
}

struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Body,
}

impl Answer {
    fn json(status: u16, value: serde_json::Value) -> Answer {
        Answer {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: Body::Bytes(value.to_string().into_bytes()),
        }
    }
}

fn error(status: u16, code: Option<&str>, message: &str) -> Answer {
    let mut a = Answer::json(status, serde_json::json!({ "error": message }));
    if let Some(c) = code {
        a.headers.push(("x-error-code".into(), c.into()));
    }
    a
}

fn serve(
    mut stream: TcpStream,
    model: &ServedModel,
    base: &str,
    seen: &Mutex<Vec<SeenRequest>>,
) -> std::io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    stream.set_write_timeout(Some(Duration::from_secs(30)))?;
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
    let mut request_line = lines.next().unwrap_or("").split(' ');
    let method = request_line.next().unwrap_or("").to_string();
    let target = request_line.next().unwrap_or("/").to_string();
    let mut header = BTreeMap::new();
    for l in lines {
        if let Some((k, v)) = l.split_once(':') {
            header.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let req = SeenRequest {
        method,
        path: target,
        authorization: header.get("authorization").cloned(),
    };
    seen.lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(req.clone());
    let answer = route(&req, model, base);
    let len = match &answer.body {
        Body::Bytes(b) => b.len() as u64,
        Body::File(_, n) | Body::Head(n) => *n,
    };
    let mut out = format!(
        "HTTP/1.1 {} X\r\ncontent-length: {len}\r\nconnection: close\r\n",
        answer.status
    );
    for (k, v) in &answer.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    stream.write_all(out.as_bytes())?;
    match answer.body {
        Body::Bytes(b) => stream.write_all(&b)?,
        Body::File(path, n) => {
            std::io::copy(&mut std::fs::File::open(path)?.take(n), &mut stream)?;
        }
        Body::Head(_) => {}
    }
    stream.flush()?;
    let _ = stream.shutdown(std::net::Shutdown::Both);
    Ok(())
}

/// A file of the repository as the Hub describes it.
struct Listed<'a> {
    path: &'a str,
    size: u64,
    /// The git blob SHA-1 of what git stores: the content, or for an LFS
    /// file its pointer.
    oid: String,
    /// SHA-256 of the content, for LFS files.
    lfs_sha256: Option<String>,
    content: Content<'a>,
}

enum Content<'a> {
    Memory(&'a [u8]),
    Disk(&'a Path),
}

/// Every file of `model`, by path.
fn listed(model: &ServedModel) -> Vec<Listed<'_>> {
    let mut out: Vec<Listed> = model
        .files
        .iter()
        .map(|(p, (content, lfs))| {
            let size = content.len() as u64;
            let sha = lfs.then(|| sha256_hex(content));
            Listed {
                path: p,
                size,
                oid: match &sha {
                    Some(s) => git_blob_sha1(lfs_pointer(s, size).as_bytes()),
                    None => git_blob_sha1(content),
                },
                lfs_sha256: sha,
                content: Content::Memory(content),
            }
        })
        .chain(model.lfs_on_disk.iter().map(|(p, blob)| Listed {
            path: p,
            size: blob.size,
            oid: git_blob_sha1(lfs_pointer(&blob.sha256, blob.size).as_bytes()),
            lfs_sha256: Some(blob.sha256.clone()),
            content: Content::Disk(&blob.path),
        }))
        .collect();
    out.sort_by(|a, b| a.path.cmp(b.path));
    out
}

/// The listing's entries in the Hub's order: folders and files by path.
fn entries(model: &ServedModel) -> Vec<serde_json::Value> {
    let files = listed(model);
    let mut dirs = BTreeSet::new();
    for f in &files {
        let mut d = f.path;
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
    for f in &files {
        let mut v = serde_json::json!({
            "type": "file", "oid": f.oid, "size": f.size, "path": f.path,
        });
        if let Some(sha) = &f.lfs_sha256 {
            let pointer_size = lfs_pointer(sha, f.size).len();
            v["lfs"] = serde_json::json!({"oid": sha, "size": f.size, "pointerSize": pointer_size});
            v["xetHash"] = serde_json::json!("ab".repeat(32));
        }
        out.push((f.path.to_string(), v));
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
    let api = format!("/api/models/{}/", model.repo);
    let resolve = format!("/{}/resolve/", model.repo);
    let (kind, rest) = if let Some(rev) = path.strip_prefix(&format!("{api}tree/")) {
        (Route::Tree, rev)
    } else if let Some(rev) = path.strip_prefix(&format!("{api}revision/")) {
        (Route::Revision, rev)
    } else if let Some(rest) = path.strip_prefix(&resolve) {
        (Route::Resolve, rest)
    } else {
        return error(404, Some("RepoNotFound"), "Repository not found");
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
    let (revision, file) = match kind {
        Route::Resolve => rest.split_once('/').unwrap_or((rest, "")),
        Route::Tree | Route::Revision => (rest, ""),
    };
    if revision != "main" && revision != HUB_COMMIT {
        return error(
            404,
            Some("RevisionNotFound"),
            &format!("Invalid rev id: {revision}"),
        );
    }
    match kind {
        Route::Tree => tree(model, base, path, query),
        Route::Revision => model_info(model),
        Route::Resolve => resolve_file(model, file, req.method == "HEAD"),
    }
}

enum Route {
    Tree,
    Revision,
    Resolve,
}

/// A page of the recursive listing. huggingface_hub asks with
/// `expand=false` and weightcheck with `expand=true` (the Hub then adds
/// `lastCommit` and security fields, which neither reads); both get the
/// same entries.
fn tree(model: &ServedModel, base: &str, path: &str, query: &str) -> Answer {
    if !query.split('&').any(|p| p == "recursive=true") {
        return error(
            400,
            None,
            "this test server answers recursive listings only",
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
    let mut a = Answer::json(200, serde_json::Value::Array(page));
    if end < all.len() {
        let origin = model.next_elsewhere.as_deref().unwrap_or(base);
        // The client's own parameters, then the cursor, as the Hub does.
        let kept: Vec<&str> = query
            .split('&')
            .filter(|p| !p.starts_with("cursor="))
            .collect();
        a.headers.push((
            "link".into(),
            format!(
                "<{origin}{path}?{}&cursor={end}>; rel=\"next\"",
                kept.join("&")
            ),
        ));
    }
    a
}

/// `model_info`: the commit the revision is at and the file names.
fn model_info(model: &ServedModel) -> Answer {
    let siblings: Vec<serde_json::Value> = listed(model)
        .iter()
        .map(|f| serde_json::json!({"rfilename": f.path}))
        .collect();
    Answer::json(
        200,
        serde_json::json!({
            "id": model.repo, "modelId": model.repo, "sha": HUB_COMMIT,
            "private": false, "siblings": siblings,
        }),
    )
}

/// A file download, or its HEAD: the headers huggingface_hub's
/// `get_hf_file_metadata` reads (the ETag names the blob in the cache).
fn resolve_file(model: &ServedModel, file: &str, head: bool) -> Answer {
    let files = listed(model);
    let Some(f) = files.iter().find(|f| f.path == file) else {
        let mut a = error(404, Some("EntryNotFound"), "Entry not found");
        a.headers.push(("x-repo-commit".into(), HUB_COMMIT.into()));
        return a;
    };
    let mut headers = vec![
        (
            "content-type".to_string(),
            "application/octet-stream".to_string(),
        ),
        ("x-repo-commit".into(), HUB_COMMIT.into()),
        ("etag".into(), format!("\"{}\"", f.oid)),
    ];
    if let Some(sha) = &f.lfs_sha256 {
        headers.push(("x-linked-etag".into(), format!("\"{sha}\"")));
        headers.push(("x-linked-size".into(), f.size.to_string()));
    }
    let body = match (&f.content, head) {
        (_, true) => Body::Head(f.size),
        (Content::Memory(c), false) => Body::Bytes(c.to_vec()),
        (Content::Disk(p), false) => Body::File(p.to_path_buf(), f.size),
    };
    Answer {
        status: 200,
        headers,
        body,
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
