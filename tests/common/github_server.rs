//! A loopback HTTP/1.1 server that answers like the GitHub REST API for one
//! repository, for tests. It serves the Grok-1 tree as listed in
//! tests/data/grok-1 (the real LICENSE.txt and tokenizer.model,
//! stand-ins written here for the rest), and can be told to fail in the
//! ways the client must explain: 404, rate limiting, 5xx, truncated trees.
//!
//! One std thread, one connection at a time, `Connection: close`; the
//! accept loop is bounded in connections and in time and stops on drop.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use weightcheck::github::tree::git_blob_sha1;

/// The real release commit of xai-org/grok-1.
pub const GROK_COMMIT: &str = "7050ed204b8206bb8645c7b7bbef7252f79561b0";

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/grok-1");

pub const GROK_MAGNET: &str = "magnet:?xt=urn:btih:5f96d43576e3d386c9ba65b883210a393b68210e&tr=https%3A%2F%2Facademictorrents.com%2Fannounce.php&tr=udp%3A%2F%2Ftracker.coppersurfer.tk%3A6969&tr=udp%3A%2F%2Ftracker.opentrackr.org%3A1337%2Fannounce";

/// Stand-in for the README: the published facts, in this project's words,
/// with the real magnet link.
pub fn readme_standin() -> String {
    format!(
        "# Grok-1 (stand-in README for weightcheck's tests)\n\
         \n\
         Written for weightcheck's tests from the facts the real README states;\n\
         it is not xAI's file.\n\
         \n\
         ## Model Specifications\n\
         \n\
         - Parameters: 314B\n\
         - Architecture: Mixture of 8 Experts (MoE), 2 experts used per token\n\
         - Layers: 64\n\
         - Attention heads: 48 for queries, 8 for keys/values\n\
         - Embedding size: 6,144\n\
         - Tokenization: SentencePiece tokenizer with 131,072 tokens\n\
         - Additional features: rotary embeddings (RoPE), activation sharding, 8-bit quantization\n\
         - Maximum sequence length (context): 8,192 tokens\n\
         \n\
         ## Downloading the weights\n\
         \n\
         ```\n\
         {GROK_MAGNET}\n\
         ```\n\
         \n\
         ## License\n\
         \n\
         The code and the weights are released under the Apache 2.0 license (LICENSE.txt).\n"
    )
}

/// Stand-in for run.py, written from the published hyperparameters in the
/// style of the original; it is not xAI's file.
pub const RUN_PY_STANDIN: &str = r#"# Stand-in for run.py, written for weightcheck's tests from the published
# Grok-1 hyperparameters. It is not xAI's file.
import logging

from model import LanguageModelConfig, TransformerConfig
from runners import InferenceRunner, ModelRunner, sample_from_model

CKPT_PATH = "./checkpoints/"


def main():
    grok_1_model = LanguageModelConfig(
        vocab_size=128 * 1024,
        pad_token=0,
        eos_token=2,
        sequence_len=8192,
        embedding_init_scale=1.0,
        output_multiplier_scale=0.5773502691896257,
        embedding_multiplier_scale=78.38367176906169,
        model=TransformerConfig(
            emb_size=48 * 128,
            widening_factor=8,
            key_size=128,
            num_q_heads=48,
            num_kv_heads=8,
            num_layers=64,
            attn_output_multiplier=0.08838834764831845,
            shard_activations=True,
            # Mixture of experts.
            num_experts=8,
            num_selected_experts=2,
            # Activation sharding.
            data_axis="data",
            model_axis="model",
        ),
    )
    runner = InferenceRunner(
        pad_sizes=(1024,),
        runner=ModelRunner(model=grok_1_model, bs_per_device=0.125, checkpoint_path=CKPT_PATH),
        name="local",
        load=CKPT_PATH,
        tokenizer_path="./tokenizer.model",
        local_mesh_config=(1, 8),
        between_hosts_config=(1, 1),
    )
    gen = runner.run()
    print(sample_from_model(gen, "The answer to life the universe and everything is", max_len=100))


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    main()
"#;

/// One row of tests/data/grok-1/github-tree-at-7050ed2.tsv.
pub struct TsvRow {
    pub path: String,
    pub git_sha1: String,
    pub size: u64,
}

/// The real tree of xai-org/grok-1 at 7050ed2.
pub fn grok_tree_tsv() -> Vec<TsvRow> {
    let path = format!("{DATA}/github-tree-at-7050ed2.tsv");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            TsvRow {
                path: cols[0].to_string(),
                git_sha1: cols[2].to_string(),
                size: cols[3].parse().expect("size column"),
            }
        })
        .collect()
}

/// How the server misbehaves.
#[derive(Clone, Default)]
pub struct Faults {
    /// Answer 404 to everything, as for a repository that does not exist.
    pub not_found: bool,
    /// Answer every request with this status and rate-limit headers
    /// (`x-ratelimit-remaining: 0`, `x-ratelimit-reset` = the value).
    pub rate_limit: Option<(u16, i64)>,
    /// Answer the first N tree requests with 502.
    pub tree_5xx: usize,
    /// Mark the tree as truncated.
    pub truncated: bool,
}

/// The repository the server serves.
#[derive(Clone)]
pub struct ServedRepo {
    pub full_name: String,
    pub commit: String,
    pub files: BTreeMap<String, Vec<u8>>,
    /// (path, spdx id, name) for the license API.
    pub license: Option<(String, String, String)>,
    pub faults: Faults,
}

impl ServedRepo {
    /// Every path of the real tree, with real content where tests/data has
    /// it and stand-ins elsewhere.
    pub fn grok_standins() -> Self {
        let mut files = BTreeMap::new();
        for row in grok_tree_tsv() {
            let content = match row.path.as_str() {
                "LICENSE.txt" | "tokenizer.model" => {
                    let p = format!("{DATA}/{}", row.path);
                    let content = std::fs::read(&p).unwrap_or_else(|e| panic!("{p}: {e}"));
                    // The real files must be the ones the tsv describes.
                    assert_eq!(content.len() as u64, row.size, "{p}");
                    assert_eq!(git_blob_sha1(&content), row.git_sha1, "{p}");
                    content
                }
                "README.md" => readme_standin().into_bytes(),
                "run.py" => RUN_PY_STANDIN.as_bytes().to_vec(),
                other => format!("# stand-in for {other} (weightcheck tests)\n").into_bytes(),
            };
            files.insert(row.path, content);
        }
        ServedRepo {
            full_name: "xai-org/grok-1".to_string(),
            commit: GROK_COMMIT.to_string(),
            files,
            license: Some((
                "LICENSE.txt".to_string(),
                "Apache-2.0".to_string(),
                "Apache License 2.0".to_string(),
            )),
            faults: Faults::default(),
        }
    }
}

/// A request as the server saw it.
#[derive(Clone, Debug)]
pub struct SeenRequest {
    pub path: String,
    pub authorization: Option<String>,
    pub accept: Option<String>,
}

pub struct GithubServer {
    addr: std::net::SocketAddr,
    seen: Arc<Mutex<Vec<SeenRequest>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

const MAX_CONNECTIONS: usize = 200;
const MAX_LIFETIME: Duration = Duration::from_secs(60);

impl GithubServer {
    pub fn start(repo: ServedRepo) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("local addr");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (seen2, stop2) = (seen.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let started = Instant::now();
            let mut served = 0;
            let mut tree_hits = 0;
            while !stop2.load(Ordering::Relaxed)
                && served < MAX_CONNECTIONS
                && started.elapsed() < MAX_LIFETIME
            {
                match listener.accept() {
                    Ok((stream, _)) => {
                        served += 1;
                        let _ = serve(stream, &repo, &seen2, &mut tree_hits);
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                        std::thread::sleep(Duration::from_millis(2));
                    }
                    Err(_) => break,
                }
            }
        });
        GithubServer {
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

impl Drop for GithubServer {
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
    body: Vec<u8>,
}

fn json(status: u16, v: serde_json::Value) -> Answer {
    Answer {
        status,
        headers: vec![(
            "content-type".into(),
            "application/json; charset=utf-8".into(),
        )],
        body: v.to_string().into_bytes(),
    }
}

fn not_found() -> Answer {
    json(
        404,
        serde_json::json!({"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}),
    )
}

fn serve(
    mut stream: TcpStream,
    repo: &ServedRepo,
    seen: &Mutex<Vec<SeenRequest>>,
    tree_hits: &mut usize,
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
    let request_line = lines.next().unwrap_or("");
    let target = request_line.split(' ').nth(1).unwrap_or("/").to_string();
    let mut header = BTreeMap::new();
    for l in lines {
        if let Some((k, v)) = l.split_once(':') {
            header.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let req = SeenRequest {
        path: target.clone(),
        authorization: header.get("authorization").cloned(),
        accept: header.get("accept").cloned(),
    };
    seen.lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(req.clone());
    let answer = route(&req, repo, tree_hits);
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
    stream.write_all(&answer.body)?;
    stream.flush()?;
    let _ = stream.shutdown(std::net::Shutdown::Both);
    Ok(())
}

fn route(req: &SeenRequest, repo: &ServedRepo, tree_hits: &mut usize) -> Answer {
    let f = &repo.faults;
    if let Some((status, reset)) = f.rate_limit {
        let mut a = json(
            status,
            serde_json::json!({"message": "API rate limit exceeded for 127.0.0.1."}),
        );
        a.headers.push(("x-ratelimit-limit".into(), "60".into()));
        a.headers.push(("x-ratelimit-remaining".into(), "0".into()));
        a.headers
            .push(("x-ratelimit-reset".into(), reset.to_string()));
        return a;
    }
    if f.not_found {
        return not_found();
    }
    let (path, query) = req.path.split_once('?').unwrap_or((&req.path, ""));
    let prefix = format!("/repos/{}/", repo.full_name);
    let Some(rest) = path.strip_prefix(&prefix) else {
        return not_found();
    };
    let known_ref =
        |r: &str| r == "main" || r == "HEAD" || (r.len() >= 7 && repo.commit.starts_with(r));
    if let Some(r) = rest.strip_prefix("commits/") {
        if !known_ref(r) {
            return json(
                422,
                serde_json::json!({"message": format!("No commit found for SHA: {r}")}),
            );
        }
        return json(
            200,
            serde_json::json!({"sha": repo.commit, "commit": {"message": "stand-in commit"}}),
        );
    }
    if let Some(sha) = rest.strip_prefix("git/trees/") {
        *tree_hits += 1;
        if *tree_hits <= f.tree_5xx {
            return json(502, serde_json::json!({"message": "Server Error"}));
        }
        if sha != repo.commit || query != "recursive=1" {
            return not_found();
        }
        let mut items = Vec::new();
        let mut dirs = std::collections::BTreeSet::new();
        for (p, content) in &repo.files {
            let mut d = p.as_str();
            while let Some((parent, _)) = d.rsplit_once('/') {
                dirs.insert(parent.to_string());
                d = parent;
            }
            items.push(serde_json::json!({
                "path": p, "mode": "100644", "type": "blob",
                "sha": git_blob_sha1(content), "size": content.len(),
            }));
        }
        for d in dirs {
            items.push(serde_json::json!({
                "path": d, "mode": "040000", "type": "tree",
                "sha": "0000000000000000000000000000000000000000",
            }));
        }
        return json(
            200,
            serde_json::json!({"sha": repo.commit, "tree": items, "truncated": f.truncated}),
        );
    }
    let ref_ok = query.strip_prefix("ref=").is_some_and(|r| r == repo.commit);
    if let Some(p) = rest.strip_prefix("contents/") {
        let raw = req.accept.as_deref().is_some_and(|a| a.contains("raw"));
        return match repo.files.get(p) {
            Some(content) if ref_ok && raw => Answer {
                status: 200,
                headers: vec![("content-type".into(), "application/vnd.github.raw".into())],
                body: content.clone(),
            },
            Some(_) if ref_ok => json(
                415,
                serde_json::json!({"message": "this test server serves contents raw only"}),
            ),
            _ => not_found(),
        };
    }
    if rest == "license" {
        return match &repo.license {
            Some((p, spdx, name)) if ref_ok => json(
                200,
                serde_json::json!({
                    "name": p, "path": p, "sha": git_blob_sha1(repo.files.get(p).map_or(&[][..], |c| c)),
                    "license": {"key": spdx.to_ascii_lowercase(), "name": name, "spdx_id": spdx},
                }),
            ),
            _ => not_found(),
        };
    }
    not_found()
}
