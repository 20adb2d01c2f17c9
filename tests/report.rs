//! `weightcheck report` end to end, in-process: the Grok-1 report merged with
//! a verification of the full-size sparse layout, ChatGPT's empty release,
//! the five-release comparison, and the HTML page rendered by a real
//! headless Chromium.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::run;
use weightcheck::manifest::Manifest;
use weightcheck::synth::{self, Content};

/// The full-size Grok-1 layout as sparse files: real pickle headers and
/// trailers, holes for payloads (770 files, written in about a second).
fn sparse_grok1() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let arch = Manifest::embedded("grok-1").unwrap().architecture.unwrap();
    let written = synth::write_grok_release(dir.path(), &arch, Content::Holes).unwrap();
    assert_eq!(written.len(), 770);
    dir
}

fn grok1_report(dir: &Path, format: &str) -> String {
    let (code, out, err) = run(
        [
            "report",
            "grok-1",
            "--dir",
            dir.to_str().unwrap(),
            "--no-hash",
            "--format",
            format,
        ],
        dir,
    );
    assert_eq!(code, 0, "{out}\n{err}");
    out
}

#[test]
fn grok1_report_gives_verdicts_blockers_and_verified_claims() {
    let dir = sparse_grok1();
    let out = grok1_report(dir.path(), "text");
    if let Some(keep) = std::env::var_os("WEIGHTCHECK_REPORT_ARTIFACTS") {
        std::fs::write(Path::new(&keep).join("grok-1.txt"), &out).unwrap();
    }

    assert!(
        out.contains(
            "OSAID 1.0 (OSI Open Source AI Definition): not open source AI: \
             no data information; no training code, no evaluation code\n"
        ),
        "{out}"
    );
    assert!(out.contains("  parameters        met\n"), "{out}");
    assert!(
        out.contains("+ base-model weights: released under Apache-2.0 (OSI-approved)"),
        "{out}"
    );
    assert!(
        out.contains(
            "MOF (Model Openness Framework): no class; Class III (Open Model) blocked by 4:\n"
        ),
        "{out}"
    );
    for blocker in [
        "    - evaluation results: only partly released",
        "    - model card: only partly released",
        "    - data card: not released",
        "    - technical report — paper or technical report: not released",
    ] {
        assert!(out.contains(blocker), "missing {blocker:?} in\n{out}");
    }
    assert!(
        out.contains("availability   base-model weights     open"),
        "{out}"
    );
    assert!(
        out.contains("access         licenses               open"),
        "{out}"
    );

    // The claims, computed from the 770 decoded shards.
    let active = out
        .lines()
        .find(|l| l.contains("86B active parameters"))
        .unwrap_or_else(|| panic!("no active-parameters claim in\n{out}"));
    assert!(active.contains("86,000,000,000"), "{active}");
    assert!(active.contains("83,756,587,008"), "{active}");
    assert!(active.contains("approximately (-2.61%)"), "{active}");
    let total = out
        .lines()
        .find(|l| l.contains("314B parameters"))
        .unwrap_or_else(|| panic!("no total-parameters claim in\n{out}"));
    assert!(total.contains("315,684,820,992"), "{total}");
    assert!(
        out.contains("verified here: computed from the tensors on disk"),
        "{out}"
    );
    // What the weights cannot show stays the manifest's word.
    assert!(
        out.contains("declared by the manifest (GitHub README.md)"),
        "{out}"
    );

    // The weights component is marked verified; documents are declared.
    assert!(
        out.contains(
            "verified here: 770/770 files present, 0 missing, 0 extra, 0 wrong size; \
             770/770 structurally correct; SHA-256 not checked in this run"
        ),
        "{out}"
    );
    assert!(
        out.contains("declared by the manifest (github.com/xai-org/grok-1 model.py, run.py)"),
        "{out}"
    );

    // The inventory.
    assert!(
        out.contains("770 files (0 undecodable), 770 tensors, 315,684,820,992 parameters"),
        "{out}"
    );
    assert!(out.contains("moe/linear/w"), "{out}");
    assert!(out.contains("64 layers, each 12 tensors"), "{out}");
}

#[test]
fn grok1_json_report_carries_the_same_verdicts() {
    let dir = sparse_grok1();
    let out = grok1_report(dir.path(), "json");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["osaid"]["open_source_ai"], false);
    let conditions = v["osaid"]["conditions"].as_array().unwrap();
    let met: Vec<(&str, bool)> = conditions
        .iter()
        .map(|c| (c["name"].as_str().unwrap(), c["met"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        met,
        [
            ("data information", false),
            ("code", false),
            ("parameters", true)
        ]
    );
    assert!(v["mof"]["class"].is_null());
    assert_eq!(v["mof"]["next"], "III");
    let blocking: Vec<&str> = v["mof"]["blocking"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        blocking,
        ["evaluation_results", "model_card", "data_card", "paper"]
    );
    let active = v["claims"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["text"] == "86B active parameters")
        .unwrap();
    assert_eq!(active["computed"], 83_756_587_008u64);
    assert_eq!(active["basis"], "verified_here");
    assert_eq!(v["inventory"]["parameters"], 315_684_820_992u64);
    assert_eq!(v["inventory"]["by_layer"].as_array().unwrap().len(), 64);
}

#[test]
fn grok1_without_files_marks_everything_declared() {
    let cwd = tempfile::tempdir().unwrap();
    let (code, out, err) = run(["report", "grok-1"], cwd.path());
    assert_eq!(code, 0, "{err}");
    assert!(!out.contains("verified here"), "{out}");
    assert!(out.contains("not checked in this run"), "{out}");
    assert!(
        out.contains("No files were checked in this run: give --dir"),
        "{out}"
    );
}

#[test]
fn chatgpt_report_says_nothing_was_released() {
    let cwd = tempfile::tempdir().unwrap();
    let (code, out, err) = run(["report", "chatgpt"], cwd.path());
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(
            "\nNothing of the model was released: no weights, no code, no data. API access only.\n"
        ),
        "{out}"
    );
    assert!(
        out.contains("not open source AI: no data information"),
        "{out}"
    );
    assert!(
        out.contains(
            "MOF (Model Openness Framework): no class; Class III (Open Model) blocked by 6:"
        ),
        "{out}"
    );
    for p in [
        "base-model data",
        "end-model data",
        "base-model weights",
        "end-model weights",
        "training code",
    ] {
        let line = out
            .lines()
            .find(|l| l.starts_with("  availability") && l.contains(p))
            .unwrap_or_else(|| panic!("no {p} rating in\n{out}"));
        assert!(line.contains(" closed "), "{line}");
    }
    assert!(
        out.contains("access         licenses               closed   no weights or code released under any license"),
        "{out}"
    );
}

#[test]
fn grok2_license_keeps_it_from_open_source_and_mof() {
    let cwd = tempfile::tempdir().unwrap();
    let (code, out, err) = run(["report", "grok-2", "--format", "json"], cwd.path());
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let params = &v["osaid"]["conditions"][2];
    assert_eq!(params["name"], "parameters");
    assert_eq!(params["met"], false);
    assert_eq!(params["checks"][0]["kind"], "finetuned_weights");
    assert!(params["checks"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("Grok 2 Community License Agreement, which is not an open license"));
    let final_params = v["mof"]["blocking"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["asks"] == "final model parameters")
        .unwrap();
    assert_eq!(final_params["kind"], "finetuned_weights");
    let licenses = v["eosai"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["parameter"] == "licenses")
        .unwrap();
    assert_eq!(licenses["rating"], "partial");
}

const FIVE: [&str; 5] = ["grok-1", "mixtral-8x7b", "flan-t5-xxl", "chatgpt", "grok-2"];

#[test]
fn compare_lays_the_five_releases_side_by_side() {
    let cwd = tempfile::tempdir().unwrap();
    let mut args = vec!["report", "--compare"];
    args.extend(FIVE);
    let (code, out, err) = run(&args, cwd.path());
    assert_eq!(code, 0, "{err}");
    let header = out
        .lines()
        .find(|l| l.contains("Grok-1"))
        .unwrap_or_else(|| panic!("no header in\n{out}"));
    let mut at = 0;
    for m in FIVE {
        let name = Manifest::embedded(m).unwrap().release.name;
        let pos = header[at..]
            .find(&name)
            .unwrap_or_else(|| panic!("{name} missing or out of order in {header:?}"))
            + at;
        at = pos + name.len();
    }
    let osaid = out.lines().find(|l| l.contains("OSAID 1.0")).unwrap();
    assert_eq!(osaid.matches("not open source").count(), 5, "{osaid}");
    for row in [
        "MOF class",
        "base-model weights",
        "end-model weights",
        "licenses",
        "training code",
        "tokenizer",
    ] {
        let line = out
            .lines()
            .find(|l| l.trim_start().starts_with(row))
            .unwrap_or_else(|| panic!("no {row} row in\n{out}"));
        assert!(line.split_whitespace().count() >= 6, "{line}");
    }

    let mut args = vec!["report", "--format", "md", "--compare"];
    args.extend(FIVE);
    let (code, md, _) = run(&args, cwd.path());
    assert_eq!(code, 0);
    assert!(md.starts_with("|  | Grok-1 | "), "{md}");
    assert!(
        md.contains("| verdicts: OSAID 1.0 | not open source |"),
        "{md}"
    );
}

#[test]
fn writes_to_a_file_and_rejects_bad_usage() {
    let cwd = tempfile::tempdir().unwrap();
    let (code, out, err) = run(
        ["report", "chatgpt", "--format", "md", "-o", "chatgpt.md"],
        cwd.path(),
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("report written to "), "{out}");
    let md = std::fs::read_to_string(cwd.path().join("chatgpt.md")).unwrap();
    assert!(md.starts_with("# ChatGPT (OpenAI, 2022-11-30)"), "{md}");

    let (code, _, err) = run(["report"], cwd.path());
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = run(["report", "no-such-release"], cwd.path());
    assert_eq!(code, 2);
    assert!(err.contains("no built-in manifest"), "{err}");
    let (code, _, _) = run(["report", "grok-1", "--format", "pdf"], cwd.path());
    assert_eq!(code, 2);
}

#[test]
fn damaged_files_make_the_report_exit_1() {
    let dir = sparse_grok1();
    std::fs::remove_file(dir.path().join("ckpt-0/tensor00005_000")).unwrap();
    let (code, out, err) = run(
        [
            "report",
            "grok-1",
            "--dir",
            dir.path().to_str().unwrap(),
            "--no-hash",
        ],
        dir.path(),
    );
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(out.contains("769/770 files present, 1 missing"), "{out}");
    assert!(out.contains("result: MISMATCH"), "{out}");
    assert!(
        out.contains("the verdicts describe the release as published"),
        "{out}"
    );
}

/// Debian's Chromium; the test fails, never skips, when it is missing.
fn chromium() -> PathBuf {
    let found = ["chromium", "chromium-browser"].iter().find_map(|name| {
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|p| p.join(name))
                .find(|p| p.is_file())
        })
    });
    found.unwrap_or_else(|| {
        panic!(
            "chromium is not installed: run scripts/install-test-deps.sh \
             (Debian package `chromium`) to test the HTML report in a browser"
        )
    })
}

fn headless(chromium: &Path, profile: &Path, extra: &[String], url: &str) -> std::process::Output {
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", chromium.display()));
    assert!(
        out.status.success(),
        "chromium failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn grok1_html_report_renders_in_headless_chromium() {
    let chromium = chromium();
    let dir = sparse_grok1();
    // Artifacts go to $WEIGHTCHECK_REPORT_ARTIFACTS when set (to look at
    // the screenshot), else into the test's temporary directory.
    let keep = std::env::var_os("WEIGHTCHECK_REPORT_ARTIFACTS").map(PathBuf::from);
    let out_dir = keep.clone().unwrap_or_else(|| dir.path().join("artifacts"));
    std::fs::create_dir_all(&out_dir).unwrap();
    let html_path = out_dir.join("grok-1.html");
    let (code, out, err) = run(
        [
            "report",
            "grok-1",
            "--dir",
            dir.path().to_str().unwrap(),
            "--no-hash",
            "--format",
            "html",
            "-o",
            html_path.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{out}\n{err}");
    let html = std::fs::read_to_string(&html_path).unwrap();
    // Self-contained: nothing to fetch.
    for external in ["<script", "<link", "src=\"http", "href=\"http", "url("] {
        assert!(!html.contains(external), "the page references {external}");
    }

    let url = format!("file://{}", html_path.display());
    let profile = tempfile::tempdir().unwrap();
    let dom = headless(&chromium, profile.path(), &["--dump-dom".to_string()], &url);
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(dom.contains("Not open source AI"), "{dom}");
    assert!(dom.contains("No class"), "{dom}");
    assert!(dom.contains("Blocking Class III (Open Model)"), "{dom}");
    assert!(dom.contains("83,756,587,008"), "{dom}");
    assert!(dom.contains("<svg"), "no chart in the rendered DOM");
    assert!(dom.contains("moe/linear/w"), "{dom}");

    let png = out_dir.join("grok-1.png");
    let _ = std::fs::remove_file(&png);
    headless(
        &chromium,
        profile.path(),
        &[
            format!("--screenshot={}", png.display()),
            "--window-size=1280,2000".to_string(),
            "--hide-scrollbars".to_string(),
        ],
        &url,
    );
    let bytes =
        std::fs::read(&png).unwrap_or_else(|e| panic!("no screenshot {}: {e}", png.display()));
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    // Width and height from the IHDR chunk.
    let w = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let h = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    assert_eq!((w, h), (1280, 2000));
    // A blank page compresses to almost nothing; a rendered report does not.
    assert!(
        bytes.len() > 50_000,
        "screenshot is only {} bytes",
        bytes.len()
    );
}

#[test]
fn demo_ends_with_the_report_and_an_html_page() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo");
    let (code, out, err) = run(["demo", "--dir", demo.to_str().unwrap()], dir.path());
    assert_eq!(code, 0, "{out}\n{err}");
    let report = out
        .split("== 5/5 report")
        .nth(1)
        .unwrap_or_else(|| panic!("no report step in\n{out}"));
    assert!(
        report.contains("OSAID 1.0 (OSI Open Source AI Definition): not open source AI"),
        "{report}"
    );
    assert!(
        report.contains("verified here: 146/146 files present"),
        "{report}"
    );
    let html = demo.join("report.html");
    assert!(
        report.contains(&format!("HTML report: {}\n", html.display())),
        "{report}"
    );
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("Not open source AI"));
    assert!(out.ends_with("demo result: VERIFIED\n"), "{out}");
}
