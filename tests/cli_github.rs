//! `weightcheck github` against a loopback server that answers like the
//! GitHub REST API (tests/common/github_server.rs), and against local
//! clones made with the real git.

mod common;

use std::path::Path;
use std::process::Command;

use common::github_server::{GithubServer, ServedRepo, GROK_COMMIT};
use common::{EXIT_ERROR, EXIT_MISMATCH, EXIT_OK};
use snapbox::{str, IntoData};
use weightcheck::github::api::{ClientOptions, GithubRepo};
use weightcheck::github::tree::git_blob_sha1;
use weightcheck::manifest::{GitFile, Manifest};

fn wc(env_dir: &Path, args: &[&str]) -> (i32, String, String) {
    common::run(["github"].iter().chain(args), env_dir)
}

/// Whole stdout and stderr of a `github` run, `dir` (the test's temporary
/// directory) written as `[ROOT]` and the loopback server's port as
/// `[PORT]`, and `more` as in [`common::assert_redacted`].
#[track_caller]
fn assert_run(
    (out, want_out): (&str, impl IntoData),
    (err, want_err): (&str, impl IntoData),
    dir: &Path,
    more: &[(&'static str, &str)],
) {
    common::assert_redacted(&common::loopback_ports(out), want_out, dir, more);
    common::assert_redacted(&common::loopback_ports(err), want_err, dir, more);
}

/// The grok-1 manifest with its file list replaced by `repo`'s content,
/// written to `dir`.
fn served_manifest(repo: &ServedRepo, commit: &str, dir: &Path) -> std::path::PathBuf {
    let mut m = Manifest::embedded("grok-1").unwrap();
    let gh = m.sources.github.as_mut().unwrap();
    gh.commit = commit.to_string();
    gh.files = repo
        .files
        .iter()
        .map(|(p, c)| GitFile {
            path: p.clone(),
            size: c.len() as u64,
            git_sha1: git_blob_sha1(c),
            sha256: None,
        })
        .collect();
    let path = dir.join("served.toml");
    std::fs::write(&path, toml::to_string(&m).unwrap()).unwrap();
    path
}

fn json(out: &str) -> serde_json::Value {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

fn strings(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| {
            x.as_str()
                .map(str::to_string)
                .unwrap_or_else(|| x["path"].as_str().unwrap().to_string())
        })
        .collect()
}

#[test]
fn remote_everything_matches_a_manifest_of_the_served_content() {
    let repo = ServedRepo::grok_standins();
    let dir = tempfile::tempdir().unwrap();
    let manifest = served_manifest(&repo, GROK_COMMIT, dir.path());
    let server = GithubServer::start(repo);
    let (code, out, err) = wc(
        dir.path(),
        &[
            "xai-org/grok-1",
            "--manifest",
            "served.toml",
            "--api-url",
            &server.url(),
        ],
    );
    assert_eq!(code, EXIT_OK, "{out}{err}");
    assert_run(
        (
            &out,
            str![[r#"
repository  xai-org/grok-1 (GitHub API)
ref         7050ed204b8206bb8645c7b7bbef7252f79561b0 -> 7050ed204b8206bb8645c7b7bbef7252f79561b0 (the manifest's commit)
manifest    grok-1 (xai-org/grok-1 at 7050ed204b8206bb8645c7b7bbef7252f79561b0)

files: 12 match, 0 changed, 0 missing, 0 extra

magnet: 1 link(s) in README.md; manifest info-hash 5f96d43576e3d386c9ba65b883210a393b68210e
  line 20   5f96d43576e3d386c9ba65b883210a393b68210e  matches  (3 trackers)

license: manifest says Apache-2.0
  GitHub license API  Apache-2.0 (Apache License 2.0) in LICENSE.txt
  text of LICENSE.txt  Apache-2.0 (Apache License 2.0 header and all 9 sections of its terms)

config: run.py:12 LanguageModelConfig(...): 12 match, 0 differ, 0 unevaluated, 1 only in the manifest, 7 only in run.py
  match         model.emb_size = 6144  [48 * 128]
  match         eos_token = 2
  match         model.key_size = 128
  match         model.num_experts = 8
  match         model.num_kv_heads = 8
  match         model.num_layers = 64
  match         model.num_q_heads = 48
  match         model.num_selected_experts = 2
  match         pad_token = 0
  manifest only quant_input_blocks, manifest 8
  match         sequence_len = 8192
  match         vocab_size = 131072  [128 * 1024]
  match         model.widening_factor = 8
  config only   embedding_init_scale = 1.0
  config only   output_multiplier_scale = 0.5773502691896257
  config only   embedding_multiplier_scale = 78.38367176906169
  config only   model.attn_output_multiplier = 0.08838834764831845
  config only   model.shard_activations = True
  config only   model.data_axis = "data"
  config only   model.model_axis = "model"

result: OK, the repository matches the manifest

"#]],
        ),
        (&err, str![]),
        dir.path(),
        &[],
    );
    // Contents were asked for raw, at the resolved commit.
    let reqs = server.requests();
    assert!(reqs.iter().any(|r| r.path
        == format!("/repos/xai-org/grok-1/contents/run.py?ref={GROK_COMMIT}")
        && r.accept.as_deref() == Some("application/vnd.github.raw+json")));
    drop(manifest);
}

#[test]
fn remote_real_manifest_flags_standins_but_not_real_files() {
    let server = GithubServer::start(ServedRepo::grok_standins());
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = wc(
        dir.path(),
        &[
            "xai-org/grok-1",
            "--release",
            "grok-1",
            "--json",
            "--api-url",
            &server.url(),
        ],
    );
    assert_eq!(code, EXIT_MISMATCH, "{out}{err}");
    let v = json(&out);
    let matched = strings(&v["tree"]["matched"]);
    assert_eq!(matched, vec!["LICENSE.txt", "tokenizer.model"]);
    let changed = strings(&v["tree"]["changed"]);
    assert_eq!(changed.len(), 10);
    assert!(changed.contains(&"run.py".to_string()) && changed.contains(&"README.md".to_string()));
    let run_py = v["tree"]["changed"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["path"] == "run.py")
        .unwrap();
    assert_eq!(
        run_py["expected_sha1"],
        "f1e157a4a959ed8dddecabec754d11e1c9fdfb8c"
    );
    assert!(strings(&v["tree"]["missing"]).is_empty());
    assert!(strings(&v["tree"]["extra"]).is_empty());
    // The stand-ins carry the real magnet, license and hyperparameters,
    // so only the file hashes disagree.
    assert!(v["magnets"]["problems"].as_array().unwrap().is_empty());
    assert!(v["license"]["problems"].as_array().unwrap().is_empty());
    assert!(v["config"]["problems"].as_array().unwrap().is_empty());
    assert_eq!(v["origin"]["kind"], "github");
    assert_eq!(v["origin"]["commit"], GROK_COMMIT);
}

#[test]
fn remote_differences_in_readme_license_and_config_are_reported() {
    let mut repo = ServedRepo::grok_standins();
    let run_py = String::from_utf8(repo.files["run.py"].clone()).unwrap();
    repo.files.insert(
        "run.py".into(),
        run_py
            .replace("num_layers=64", "num_layers=32")
            .replace("num_kv_heads=8", "num_kv_heads=KV_HEADS")
            .into_bytes(),
    );
    let readme = String::from_utf8(repo.files["README.md"].clone()).unwrap();
    repo.files.insert(
        "README.md".into(),
        readme.replace("5f96d43576e3", "000000000000").into_bytes(),
    );
    repo.license = Some(("LICENSE.txt".into(), "MIT".into(), "MIT License".into()));
    let server = GithubServer::start(repo);
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = wc(dir.path(), &["xai-org/grok-1", "--api-url", &server.url()]);
    assert_eq!(code, EXIT_MISMATCH, "{out}{err}");
    assert_run(
        (
            &out,
            str![[r#"
repository  xai-org/grok-1 (GitHub API)
ref         7050ed204b8206bb8645c7b7bbef7252f79561b0 -> 7050ed204b8206bb8645c7b7bbef7252f79561b0 (the manifest's commit)
manifest    grok-1 (xai-org/grok-1 at 7050ed204b8206bb8645c7b7bbef7252f79561b0)

files: 2 match, 10 changed, 0 missing, 0 extra
  changed  .gitignore
           manifest  37 bytes  git sha1 24d0d7e352a110e0a751ebab210516912f0fe536
           found     46 bytes  git sha1 0c0467bd0cbd9c780e4698fecd8e103a4c11d20d
  changed  CODE_OF_CONDUCT.md
           manifest  28 bytes  git sha1 d715425a26df1fa0d49f333408339f103ca6d8f1
           found     54 bytes  git sha1 69421d862053e38668abf6c921fd98f0249824ef
  changed  README.md
           manifest  2145 bytes  git sha1 f501a07e03a00d3efff10abf1542a86e94918e59
           found     896 bytes  git sha1 17bbb7d4116e066b349d1b25cf3983f02c531770
  changed  checkpoint.py
           manifest  7392 bytes  git sha1 1c6e8785281fff3d9b9d0b062e59b3993228451e
           found     49 bytes  git sha1 310c0ad8844854308aca0b53dca73c352f66b31f
  changed  checkpoints/README.md
           manifest  99 bytes  git sha1 fc34b626a25c237697d7b971d5d9594838862f58
           found     57 bytes  git sha1 caf3d4e2e8ca499de2c8499d1557a66bab40c8fb
  changed  model.py
           manifest  45779 bytes  git sha1 87d700d9b5fde6d86dda2883192861195b7312ae
           found     44 bytes  git sha1 f1e90286a4c82f695949abcf426dde40a8f5f75d
  changed  pyproject.toml
           manifest  170 bytes  git sha1 aa55016ee5c5276727595396fc37b2ee425d2949
           found     50 bytes  git sha1 4bdc05c6ef11606a83cf5e9d6904fd1fc9518d53
  changed  requirements.txt
           manifest  146 bytes  git sha1 a61268713c66e7fca49b8b329552931cc7ceff98
           found     52 bytes  git sha1 bfb8b67ffcc1082c6899f15aa603d3064d4701f5
  changed  run.py
           manifest  2264 bytes  git sha1 f1e157a4a959ed8dddecabec754d11e1c9fdfb8c
           found     1628 bytes  git sha1 5b8d92cf86e641554f7dbf25d1bafc6e65de8742
  changed  runners.py
           manifest  21845 bytes  git sha1 452c14290f6b7b0be395898748dadce44ffe04c9
           found     46 bytes  git sha1 5723e99e2d6a75bc858970270db4b5e9ddc4c387

magnet: 1 link(s) in README.md; manifest info-hash 5f96d43576e3d386c9ba65b883210a393b68210e
  line 20   000000000000d386c9ba65b883210a393b68210e  DIFFERS  (3 trackers)

license: manifest says Apache-2.0
  GitHub license API  MIT (MIT License) in LICENSE.txt
  text of LICENSE.txt  Apache-2.0 (Apache License 2.0 header and all 9 sections of its terms)

config: run.py:12 LanguageModelConfig(...): 10 match, 1 differ, 1 unevaluated, 1 only in the manifest, 7 only in run.py
  match         model.emb_size = 6144  [48 * 128]
  match         eos_token = 2
  match         model.key_size = 128
  match         model.num_experts = 8
  UNEVALUATED   model.num_kv_heads, manifest 8  [KV_HEADS]  (name `KV_HEADS` cannot be evaluated without running Python)
  DIFFERS       model.num_layers = 32, manifest 64
  match         model.num_q_heads = 48
  match         model.num_selected_experts = 2
  match         pad_token = 0
  manifest only quant_input_blocks, manifest 8
  match         sequence_len = 8192
  match         vocab_size = 131072  [128 * 1024]
  match         model.widening_factor = 8
  config only   embedding_init_scale = 1.0
  config only   output_multiplier_scale = 0.5773502691896257
  config only   embedding_multiplier_scale = 78.38367176906169
  config only   model.attn_output_multiplier = 0.08838834764831845
  config only   model.shard_activations = True
  config only   model.data_axis = "data"
  config only   model.model_axis = "model"

result: 14 problems
  - .gitignore differs from the manifest
  - CODE_OF_CONDUCT.md differs from the manifest
  - README.md differs from the manifest
  - checkpoint.py differs from the manifest
  - checkpoints/README.md differs from the manifest
  - model.py differs from the manifest
  - pyproject.toml differs from the manifest
  - requirements.txt differs from the manifest
  - run.py differs from the manifest
  - runners.py differs from the manifest
  - README.md:20: magnet info-hash 000000000000d386c9ba65b883210a393b68210e is not the manifest's 5f96d43576e3d386c9ba65b883210a393b68210e
  - GitHub identifies the license in LICENSE.txt as MIT (MIT License), expected Apache-2.0
  - run.py: model.num_kv_heads = KV_HEADS cannot be checked: name `KV_HEADS` cannot be evaluated without running Python
  - run.py: model.num_layers = 32, the manifest says 64

"#]],
        ),
        (&err, str![]),
        dir.path(),
        &[],
    );
}

#[test]
fn remote_not_found_is_explained() {
    let mut repo = ServedRepo::grok_standins();
    repo.faults.not_found = true;
    let server = GithubServer::start(repo);
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = wc(dir.path(), &["xai-org/grok-1", "--api-url", &server.url()]);
    assert_eq!(code, EXIT_ERROR, "{out}{err}");
    assert_run(
        (&out, str![]),
        (
            &err,
            str![[r#"
weightcheck: error: GitHub API: commit 7050ed204b8206bb8645c7b7bbef7252f79561b0: not found (404) in xai-org/grok-1: the repository or ref does not exist, or the repository is private (set GITHUB_TOKEN)

"#]],
        ),
        dir.path(),
        &[],
    );
}

#[test]
fn remote_rate_limit_403_prints_the_reset_time_without_retrying() {
    let mut repo = ServedRepo::grok_standins();
    repo.faults.rate_limit = Some((403, 1_710_863_302));
    let server = GithubServer::start(repo);
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = wc(dir.path(), &["xai-org/grok-1", "--api-url", &server.url()]);
    assert_eq!(code, EXIT_ERROR, "{err}");
    assert_run(
        (&out, str![]),
        (
            &err,
            str![[r#"
weightcheck: error: GitHub API: commit 7050ed204b8206bb8645c7b7bbef7252f79561b0: rate limited (403: API rate limit exceeded for 127.0.0.1.); the limit resets at 2024-03-19 15:48:22 UTC; set GITHUB_TOKEN for a higher limit

"#]],
        ),
        dir.path(),
        &[],
    );
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn remote_rate_limit_429_is_retried_then_explained() {
    let mut repo = ServedRepo::grok_standins();
    let reset = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
        + 600;
    repo.faults.rate_limit = Some((429, reset));
    let server = GithubServer::start(repo);
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = wc(dir.path(), &["xai-org/grok-1", "--api-url", &server.url()]);
    assert_eq!(code, EXIT_ERROR, "{err}");
    let reset_utc = weightcheck::github::format_utc(reset);
    assert_run(
        (&out, str![]),
        (
            &err,
            str![[r#"
weightcheck: error: GitHub API: commit 7050ed204b8206bb8645c7b7bbef7252f79561b0: rate limited (429: API rate limit exceeded for 127.0.0.1.); the limit resets at [RESET] (in 10 min); set GITHUB_TOKEN for a higher limit

"#]],
        ),
        dir.path(),
        &[("[RESET]", &reset_utc)],
    );
    // One request and octocrab's three retries.
    assert_eq!(server.requests().len(), 4);
}

#[test]
fn remote_server_errors_are_retried() {
    let mut repo = ServedRepo::grok_standins();
    repo.faults.tree_5xx = 2;
    let dir = tempfile::tempdir().unwrap();
    let manifest = served_manifest(&repo, GROK_COMMIT, dir.path());
    let server = GithubServer::start(repo);
    let (code, out, err) = wc(
        dir.path(),
        &[
            "xai-org/grok-1",
            "--manifest",
            manifest.to_str().unwrap(),
            "--api-url",
            &server.url(),
        ],
    );
    assert_eq!(code, EXIT_OK, "{out}{err}");
    assert_run(
        (
            &out,
            str![[r#"
repository  xai-org/grok-1 (GitHub API)
ref         7050ed204b8206bb8645c7b7bbef7252f79561b0 -> 7050ed204b8206bb8645c7b7bbef7252f79561b0 (the manifest's commit)
manifest    grok-1 (xai-org/grok-1 at 7050ed204b8206bb8645c7b7bbef7252f79561b0)

files: 12 match, 0 changed, 0 missing, 0 extra

magnet: 1 link(s) in README.md; manifest info-hash 5f96d43576e3d386c9ba65b883210a393b68210e
  line 20   5f96d43576e3d386c9ba65b883210a393b68210e  matches  (3 trackers)

license: manifest says Apache-2.0
  GitHub license API  Apache-2.0 (Apache License 2.0) in LICENSE.txt
  text of LICENSE.txt  Apache-2.0 (Apache License 2.0 header and all 9 sections of its terms)

config: run.py:12 LanguageModelConfig(...): 12 match, 0 differ, 0 unevaluated, 1 only in the manifest, 7 only in run.py
  match         model.emb_size = 6144  [48 * 128]
  match         eos_token = 2
  match         model.key_size = 128
  match         model.num_experts = 8
  match         model.num_kv_heads = 8
  match         model.num_layers = 64
  match         model.num_q_heads = 48
  match         model.num_selected_experts = 2
  match         pad_token = 0
  manifest only quant_input_blocks, manifest 8
  match         sequence_len = 8192
  match         vocab_size = 131072  [128 * 1024]
  match         model.widening_factor = 8
  config only   embedding_init_scale = 1.0
  config only   output_multiplier_scale = 0.5773502691896257
  config only   embedding_multiplier_scale = 78.38367176906169
  config only   model.attn_output_multiplier = 0.08838834764831845
  config only   model.shard_activations = True
  config only   model.data_axis = "data"
  config only   model.model_axis = "model"

result: OK, the repository matches the manifest

"#]],
        ),
        (&err, str![]),
        dir.path(),
        &[],
    );
    let trees = server
        .requests()
        .iter()
        .filter(|r| r.path.contains("/git/trees/"))
        .count();
    assert_eq!(trees, 3);

    let mut repo = ServedRepo::grok_standins();
    repo.faults.tree_5xx = 10;
    let server = GithubServer::start(repo);
    let (code, out, err) = wc(dir.path(), &["xai-org/grok-1", "--api-url", &server.url()]);
    assert_eq!(code, EXIT_ERROR);
    assert_run(
        (&out, str![]),
        (
            &err,
            str![[r#"
weightcheck: error: GitHub API: tree of 7050ed204b8206bb8645c7b7bbef7252f79561b0: server error 502 (after retries): Server Error

"#]],
        ),
        dir.path(),
        &[],
    );
}

#[test]
fn remote_truncated_tree_is_refused() {
    let mut repo = ServedRepo::grok_standins();
    repo.faults.truncated = true;
    let server = GithubServer::start(repo);
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = wc(dir.path(), &["xai-org/grok-1", "--api-url", &server.url()]);
    assert_eq!(code, EXIT_ERROR, "{out}{err}");
    assert_run(
        (&out, str![]),
        (
            &err,
            str![[r#"
weightcheck: error: GitHub API: tree of 7050ed204b8206bb8645c7b7bbef7252f79561b0: GitHub truncated the recursive tree (13 entries returned), so files would be reported missing that are not; clone the repository and run `weightcheck github --local PATH` instead

"#]],
        ),
        dir.path(),
        &[],
    );
}

fn git(dir: &Path, args: &[&str]) -> String {
    common::require("git");
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=weightcheck",
            "-c",
            "user.email=test@weightcheck.invalid",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .output()
        .expect("git on PATH");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn write_repo(repo: &ServedRepo, dir: &Path) {
    for (p, c) in &repo.files {
        let full = dir.join(p);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, c).unwrap();
    }
}

#[test]
fn local_clone_reports_head_dirty_and_a_one_byte_change() {
    let repo = ServedRepo::grok_standins();
    let tmp = tempfile::tempdir().unwrap();
    let clone = tmp.path().join("grok-1");
    std::fs::create_dir(&clone).unwrap();
    write_repo(&repo, &clone);
    // Ignored files are not hashed, as with downloaded checkpoints.
    std::fs::write(
        clone.join(".gitignore"),
        "checkpoints/*\n!checkpoints/README.md\n",
    )
    .unwrap();
    let mut repo = repo;
    repo.files.insert(
        ".gitignore".into(),
        b"checkpoints/*\n!checkpoints/README.md\n".to_vec(),
    );
    std::fs::write(clone.join("checkpoints/ckpt-0"), "weights").unwrap();
    git(&clone, &["init", "-q"]);
    git(&clone, &["add", "-A"]);
    git(&clone, &["commit", "-q", "-m", "stand-in tree"]);
    let head = git(&clone, &["rev-parse", "HEAD"]);
    let manifest = served_manifest(&repo, &head, tmp.path());

    let (code, out, err) = wc(
        tmp.path(),
        &["--local", "grok-1", "--manifest", "served.toml"],
    );
    assert_eq!(code, EXIT_OK, "{out}{err}");
    assert_run(
        (
            &out,
            str![[r#"
directory   [ROOT]/grok-1
git HEAD    [HEAD] (the manifest's commit)
work tree   clean
manifest    grok-1 (xai-org/grok-1 at [HEAD])

files: 12 match, 0 changed, 0 missing, 0 extra

magnet: 1 link(s) in README.md; manifest info-hash 5f96d43576e3d386c9ba65b883210a393b68210e
  line 20   5f96d43576e3d386c9ba65b883210a393b68210e  matches  (3 trackers)

license: manifest says Apache-2.0
  text of LICENSE.txt  Apache-2.0 (Apache License 2.0 header and all 9 sections of its terms)

config: run.py:12 LanguageModelConfig(...): 12 match, 0 differ, 0 unevaluated, 1 only in the manifest, 7 only in run.py
  match         model.emb_size = 6144  [48 * 128]
  match         eos_token = 2
  match         model.key_size = 128
  match         model.num_experts = 8
  match         model.num_kv_heads = 8
  match         model.num_layers = 64
  match         model.num_q_heads = 48
  match         model.num_selected_experts = 2
  match         pad_token = 0
  manifest only quant_input_blocks, manifest 8
  match         sequence_len = 8192
  match         vocab_size = 131072  [128 * 1024]
  match         model.widening_factor = 8
  config only   embedding_init_scale = 1.0
  config only   output_multiplier_scale = 0.5773502691896257
  config only   embedding_multiplier_scale = 78.38367176906169
  config only   model.attn_output_multiplier = 0.08838834764831845
  config only   model.shard_activations = True
  config only   model.data_axis = "data"
  config only   model.model_axis = "model"

result: OK, the repository matches the manifest

"#]],
        ),
        (&err, str![]),
        tmp.path(),
        &[("[HEAD]", &head)],
    );

    let tok = clone.join("tokenizer.model");
    let mut bytes = std::fs::read(&tok).unwrap();
    let before = git_blob_sha1(&bytes);
    bytes[1000] ^= 0x01;
    let after = git_blob_sha1(&bytes);
    std::fs::write(&tok, &bytes).unwrap();
    let (code, out, err) = wc(
        tmp.path(),
        &[
            "--local",
            clone.to_str().unwrap(),
            "--manifest",
            manifest.to_str().unwrap(),
        ],
    );
    assert_eq!(code, EXIT_MISMATCH, "{out}{err}");
    assert_run(
        (
            &out,
            str![[r#"
directory   [ROOT]/grok-1
git HEAD    [HEAD] (the manifest's commit)
work tree   differs from HEAD (1 entry)
               M tokenizer.model
manifest    grok-1 (xai-org/grok-1 at [HEAD])

files: 11 match, 1 changed, 0 missing, 0 extra
  changed  tokenizer.model
           manifest  2229219 bytes  git sha1 d2ff64d9c3329cfe2296d64126ef4e23452ee07f
           found     2229219 bytes  git sha1 [AFTER]

magnet: 1 link(s) in README.md; manifest info-hash 5f96d43576e3d386c9ba65b883210a393b68210e
  line 20   5f96d43576e3d386c9ba65b883210a393b68210e  matches  (3 trackers)

license: manifest says Apache-2.0
  text of LICENSE.txt  Apache-2.0 (Apache License 2.0 header and all 9 sections of its terms)

config: run.py:12 LanguageModelConfig(...): 12 match, 0 differ, 0 unevaluated, 1 only in the manifest, 7 only in run.py
  match         model.emb_size = 6144  [48 * 128]
  match         eos_token = 2
  match         model.key_size = 128
  match         model.num_experts = 8
  match         model.num_kv_heads = 8
  match         model.num_layers = 64
  match         model.num_q_heads = 48
  match         model.num_selected_experts = 2
  match         pad_token = 0
  manifest only quant_input_blocks, manifest 8
  match         sequence_len = 8192
  match         vocab_size = 131072  [128 * 1024]
  match         model.widening_factor = 8
  config only   embedding_init_scale = 1.0
  config only   output_multiplier_scale = 0.5773502691896257
  config only   embedding_multiplier_scale = 78.38367176906169
  config only   model.attn_output_multiplier = 0.08838834764831845
  config only   model.shard_activations = True
  config only   model.data_axis = "data"
  config only   model.model_axis = "model"

result: 1 problem
  - tokenizer.model differs from the manifest

"#]],
        ),
        (&err, str![]),
        tmp.path(),
        &[("[HEAD]", &head), ("[AFTER]", &after)],
    );
    assert_eq!(before, "d2ff64d9c3329cfe2296d64126ef4e23452ee07f");
}

#[test]
fn local_plain_directory_against_the_real_manifest() {
    let repo = ServedRepo::grok_standins();
    let tmp = tempfile::tempdir().unwrap();
    write_repo(&repo, tmp.path());
    std::fs::remove_file(tmp.path().join("model.py")).unwrap();
    std::fs::write(tmp.path().join("notes.txt"), "mine").unwrap();
    let (code, out, err) = wc(
        tmp.path(),
        &["--local", ".", "--release", "grok-1", "--json"],
    );
    assert_eq!(code, EXIT_MISMATCH, "{out}{err}");
    let v = json(&out);
    assert_eq!(
        strings(&v["tree"]["matched"]),
        vec!["LICENSE.txt", "tokenizer.model"]
    );
    assert_eq!(strings(&v["tree"]["missing"]), vec!["model.py"]);
    assert_eq!(strings(&v["tree"]["extra"]), vec!["notes.txt"]);
    assert_eq!(v["origin"]["kind"], "local");
    assert!(v["origin"]["git"].is_null());
    assert!(v["config"]["problems"].as_array().unwrap().is_empty());
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(wc(dir.path(), &[]).0, EXIT_ERROR);
    assert_eq!(
        wc(
            dir.path(),
            &["--local", ".", "--ref", "main", "--release", "grok-1"]
        )
        .0,
        EXIT_ERROR
    );
    let (code, out, err) = wc(dir.path(), &["--local", "."]);
    assert_eq!(code, EXIT_ERROR);
    assert_run(
        (&out, str![]),
        (
            &err,
            str![[r#"
weightcheck: error: --local needs --release ID or --manifest FILE to compare with

"#]],
        ),
        dir.path(),
        &[],
    );
    let (code, out, err) = wc(
        dir.path(),
        &["someone/else", "--api-url", "http://127.0.0.1:9"],
    );
    assert_eq!(code, EXIT_ERROR);
    assert_run(
        (&out, str![]),
        (
            &err,
            str![[r#"
weightcheck: error: no built-in manifest for someone/else; give --release ID or --manifest FILE

"#]],
        ),
        dir.path(),
        &[],
    );
    let (code, out, err) = wc(
        dir.path(),
        &[
            "not-a-repo",
            "--release",
            "grok-1",
            "--api-url",
            "http://127.0.0.1:9",
        ],
    );
    assert_eq!(code, EXIT_ERROR);
    assert_run(
        (&out, str![]),
        (
            &err,
            str![[r#"
weightcheck: error: "not-a-repo" is not a GitHub repository name of the form OWNER/REPO

"#]],
        ),
        dir.path(),
        &[],
    );
}

#[test]
fn token_is_sent_explicitly() {
    let server = GithubServer::start(ServedRepo::grok_standins());
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut opts = ClientOptions::default();
    opts.api_url = Some(server.url());
    opts.token = Some("t0ken".into());
    let commit = rt.block_on(async {
        let repo = GithubRepo::new("xai-org/grok-1", &opts).unwrap();
        repo.commit("main").await
    });
    assert_eq!(commit.unwrap().sha, GROK_COMMIT);
    let auth = server.requests();
    assert_eq!(auth.len(), 1);
    assert_eq!(auth[0].authorization.as_deref(), Some("Bearer t0ken"));
    assert!(auth[0]
        .path
        .starts_with("/repos/xai-org/grok-1/commits/main"));
}

/// The binary reads GITHUB_TOKEN, else GH_TOKEN (the GitHub CLI's name for
/// it); a blank value counts as unset.
#[test]
fn token_comes_from_github_token_else_gh_token() {
    let cases = [
        (Some("gt"), Some("gh"), Some("Bearer gt")),
        (None, Some("gh"), Some("Bearer gh")),
        (Some(" "), Some("gh"), Some("Bearer gh")),
        (None, None, None),
    ];
    for (github_token, gh_token, want) in cases {
        let server = GithubServer::start(ServedRepo::grok_standins());
        let dir = tempfile::tempdir().expect("tempdir");
        let mut c = Command::new(env!("CARGO_BIN_EXE_weightcheck"));
        c.args(["github", "xai-org/grok-1", "--api-url", &server.url()])
            .current_dir(dir.path())
            .env("XDG_CACHE_HOME", dir.path())
            .env_remove("GITHUB_TOKEN")
            .env_remove("GH_TOKEN");
        for (name, value) in [("GITHUB_TOKEN", github_token), ("GH_TOKEN", gh_token)] {
            if let Some(v) = value {
                c.env(name, v);
            }
        }
        let out = c.output().expect("run weightcheck");
        let seen = server.requests();
        assert!(
            !seen.is_empty(),
            "no request: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        for r in &seen {
            assert_eq!(
                r.authorization.as_deref(),
                want,
                "GITHUB_TOKEN={github_token:?} GH_TOKEN={gh_token:?}: {}",
                r.path
            );
        }
    }
}

/// Nothing listening: the error names the address and the reason (the
/// refused connection), not the HTTP client's "Service Error: client error
/// (Connect)", and says what to do.
#[test]
fn an_unreachable_api_is_named_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}");
    let (code, out, err) = wc(dir.path(), &["xai-org/grok-1", "--api-url", &url]);
    assert_eq!(code, EXIT_ERROR);
    assert_run(
        (&out, str![]),
        (
            &err,
            str![[r#"
weightcheck: error: GitHub API: commit 7050ed204b8206bb8645c7b7bbef7252f79561b0: no answer from http://127.0.0.1:[PORT] (Connection refused (os error 111)); check the network, or the API's address (--api-url, WEIGHTCHECK_GITHUB_API); --local PATH checks a clone offline

"#]],
        ),
        dir.path(),
        &[],
    );
}
