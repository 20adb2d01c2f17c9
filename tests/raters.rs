//! weightcheck next to the independent raters: Model Openness Tool records
//! written and read (judged by the tool's own JSON schema through the
//! Python `jsonschema` package), `report --raters` with every difference
//! explained, and hostile records refused.

mod common;

use std::path::{Path, PathBuf};

use weightcheck::report::raters::record::{self, Record};

const SEEDS: &[&str] = &["grok-1", "mixtral-8x7b", "flan-t5-xxl", "grok-2", "chatgpt"];
const MOT_RECORDS: &[&str] = &["Grok-1.yml", "Mixtral-8x7B-v0.1.yml", "T5-11b.yml"];

fn data() -> PathBuf {
    common::repo().join("tests/data/raters")
}

/// Runs scripts/validate_mot.py on `records`: one `ok`/`invalid` line each.
fn validate(records: &[PathBuf]) -> (bool, String) {
    let out = std::process::Command::new(common::python())
        .arg(common::repo().join("scripts/validate_mot.py"))
        .arg(data().join("mot/mof_schema.json"))
        .args(records)
        .output()
        .expect("run the validator");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "the validator failed to run (is jsonschema installed? scripts/setup-python.sh): {}{}",
        text,
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn every_seed_release_exports_a_record_the_schema_accepts() {
    let tmp = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for id in SEEDS {
        let file = tmp.path().join(format!("{id}.yml"));
        let (code, out, err) = common::run(
            [
                "report",
                id,
                "--format",
                "mot",
                "-o",
                file.to_str().unwrap(),
            ],
            tmp.path(),
        );
        assert_eq!(code, 0, "{id}: {err}");
        assert_eq!(out, format!("report written to {}\n", file.display()));
        files.push(file);
    }
    let (ok, text) = validate(&files);
    assert!(ok, "{text}");
    assert_eq!(
        text.lines().filter(|l| l.starts_with("ok ")).count(),
        SEEDS.len()
    );

    // The judge is not vacuous: without `producer`, which the schema
    // requires, a record fails, and so does a date PyYAML reads as a date.
    let grok = std::fs::read_to_string(&files[0]).unwrap();
    let broken = tmp.path().join("broken.yml");
    std::fs::write(&broken, grok.replace("  producer: xAI\n", "")).unwrap();
    let dated = tmp.path().join("dated.yml");
    std::fs::write(
        &dated,
        grok.replace("date: '2024-03-17'", "date: 2024-03-17"),
    )
    .unwrap();
    let (ok, text) = validate(&[broken, dated]);
    assert!(!ok);
    assert_eq!(
        text.lines().filter(|l| l.starts_with("invalid ")).count(),
        2,
        "{text}"
    );
}

#[test]
fn grok1_record_lists_what_was_released_with_licenses() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, out, err) = common::run(["report", "grok-1", "--format", "mot"], tmp.path());
    assert_eq!(code, 0, "{err}");
    common::assert_output(
        &out,
        snapbox::str![[r#"
framework:
  name: Model Openness Framework
  version: '1.0'
  date: '2024-12-15'
release:
  name: Grok-1
  date: '2024-03-17'
  type: language
  architecture: transformer decoder
  treatment: pre-trained
  producer: xAI
  repository: https://github.com/xai-org/grok-1
  huggingface: https://huggingface.co/xai-org/grok-1
  license:
    code:
      name: Apache-2.0
      path: null
    distribution:
      name: Apache-2.0
      path: null
  components:
  - name: Model architecture
    description: Code defining the model's architecture
    license: Apache-2.0
  - name: Inference code
    description: Code that runs the model
    license: Apache-2.0
  - name: Model parameters (Final)
    description: The trained model's weights
    license: Apache-2.0
  - name: Model card
    description: The model's uses, limits and performance
    license: unlicensed
  - name: Evaluation results
    description: The results of evaluating the model
    license: unlicensed

"#]],
        tmp.path(),
    );
}

/// A record's components as (name, license), `unlicensed` and no license
/// alike written `unlicensed`.
fn components(path: &Path) -> Vec<(String, String)> {
    let Record::Mot(r) = record::read(path).unwrap() else {
        panic!("{} is not a MOT record", path.display())
    };
    let mut out: Vec<(String, String)> = r
        .release
        .components
        .iter()
        .map(|c| {
            let lic = c.license.clone().unwrap_or_else(|| "unlicensed".into());
            (c.name.to_ascii_lowercase(), lic)
        })
        .collect();
    out.sort();
    out
}

#[test]
fn every_mot_record_imports_and_reexports_to_a_valid_record() {
    let tmp = tempfile::tempdir().unwrap();
    let mut exported = Vec::new();
    for name in MOT_RECORDS {
        let source = data().join("mot").join(name);
        let manifest = tmp.path().join(format!("{name}.toml"));
        let (code, out, err) = common::run(
            [
                "manifest",
                "import-mot",
                source.to_str().unwrap(),
                "-o",
                manifest.to_str().unwrap(),
            ],
            tmp.path(),
        );
        assert_eq!(code, 0, "{name}: {err}");
        assert_eq!(out, format!("manifest written to {}\n", manifest.display()));
        let again = tmp.path().join(format!("{name}.out.yml"));
        let (code, _, err) = common::run(
            [
                "report",
                "--manifest",
                manifest.to_str().unwrap(),
                "--format",
                "mot",
                "-o",
                again.to_str().unwrap(),
            ],
            tmp.path(),
        );
        assert_eq!(code, 0, "{name}: {err}");
        // The same components, the same licenses (a record's one
        // distribution license becomes its parameters' own).
        let mut want = components(&source);
        if *name == "Mixtral-8x7B-v0.1.yml" {
            for c in &mut want {
                if c.0 == "model parameters (final)" {
                    c.1 = "Apache-2.0".into();
                }
            }
        }
        assert_eq!(components(&again), want, "{name}");
        exported.push(again);
    }
    // The tool's own records, and their round trips, pass its schema.
    let mut all: Vec<PathBuf> = MOT_RECORDS
        .iter()
        .map(|n| data().join("mot").join(n))
        .collect();
    all.extend(exported);
    let (ok, text) = validate(&all);
    assert!(ok, "{text}");
}

#[test]
fn an_imported_record_marks_what_it_does_not_list_unknown() {
    let tmp = tempfile::tempdir().unwrap();
    let source = data().join("mot/Grok-1.yml");
    let (code, out, err) = common::run(
        ["manifest", "import-mot", source.to_str().unwrap()],
        tmp.path(),
    );
    assert_eq!(code, 0, "{err}");
    let m = weightcheck::manifest::Manifest::from_toml(&out, "imported").unwrap();
    let status = |kind: &str| {
        m.components
            .iter()
            .find(|c| c.kind == kind)
            .map(|c| (c.status, c.license.clone()))
    };
    use weightcheck::manifest::Status;
    assert_eq!(
        status("architecture"),
        Some((Status::Released, Some("Apache-2.0".into())))
    );
    assert_eq!(status("paper"), Some((Status::Released, None)));
    assert_eq!(status("training_code"), Some((Status::Unknown, None)));
    assert_eq!(status("tokenizer"), None);
}

/// Copies the raters' records to `tmp/tests/data/raters`, so the README's
/// commands run there as written without writing into the repository.
fn readme_tree(tmp: &Path) {
    for sub in ["mot", "eosai"] {
        let to = tmp.join("tests/data/raters").join(sub);
        std::fs::create_dir_all(&to).unwrap();
        for e in std::fs::read_dir(data().join(sub)).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// Runs a README command line (`$ weightcheck …`) in `cwd`, after checking
/// that the README shows it.
fn readme_run(line: &str, cwd: &Path) -> String {
    let readme = std::fs::read_to_string(common::repo().join("README.md")).unwrap();
    assert!(
        readme.contains(&format!("$ weightcheck {line}\n")),
        "README does not show {line}"
    );
    let (code, out, err) = common::run(line.split(' '), cwd);
    assert_eq!(code, 0, "{line}: {err}");
    out
}

#[test]
fn the_readme_rater_commands_run_as_written() {
    let tmp = tempfile::tempdir().unwrap();
    readme_tree(tmp.path());
    let dir = tmp.path();

    readme_run("report grok-1 --format mot -o grok-1.yml", dir);
    readme_run(
        "manifest import-mot tests/data/raters/mot/Mixtral-8x7B-v0.1.yml -o mixtral.toml",
        dir,
    );
    let again = readme_run("report --manifest mixtral.toml --format mot", dir);
    std::fs::write(dir.join("mixtral.yml"), again).unwrap();
    let (ok, text) = validate(&[dir.join("grok-1.yml"), dir.join("mixtral.yml")]);
    assert!(ok, "{text}");

    let out = readme_run(
        "report grok-1 --raters tests/data/raters/mot/Grok-1.yml",
        dir,
    );
    let from = out.find("== Independent raters").expect("a raters section");
    common::assert_output(
        &out[from..],
        snapbox::str![[r#"
== Independent raters

OSI's validation of OSAID 1.0: "Grok (X/Twitter)" (OSI, "2024 end of year review: Open Source AI
Definition v1.0" (opensource.org/blog/2024-end-of-year-review-open-source-ai-definition-v1-0))
  rates: Grok, as OSI named it in its validation of the definition (Grok-1 is the Grok model with
         open weights)
             weightcheck         rater
  OSAID 1.0  not open source AI  fell short of the definition  agree

Model Openness Tool (LF AI & Data; MIT-licensed records): "Grok-1"
(tests/data/raters/mot/Grok-1.yml)
  rates: this release
                            weightcheck            rater
  Model architecture        released (Apache-2.0)  listed (Apache-2.0)  agree
  Training code             not released           not listed           agree
  Inference code            released (Apache-2.0)  not listed           DIFFERS
      why: run.py, runners.py and checkpoint.py load the checkpoint and sample from it, under
           Apache-2.0; the record does not list inference code
      source: github.com/xai-org/grok-1 at 7050ed2 (run.py, runners.py, checkpoint.py)
  Evaluation code           not released           not listed           agree
  Model parameters (Final)  released (Apache-2.0)  listed (Apache-2.0)  agree
  Datasets                  not released           not listed           agree
  Model card                partial                listed (unlicensed)  agree
  Data card                 not released           not listed           agree
  Research paper            not released           listed (unlicensed)  DIFFERS
      why: the record lists a research paper but gives no path to it; xAI published no paper or
           technical report on Grok-1. The record calls it unlicensed, so it would count toward no
           MOF class either way
      source: the record's own entry (no component_path); github.com/xai-org/grok-1 README.md
  Evaluation results        partial                not listed           DIFFERS
      why: xAI's announcement of Grok-1 gives a table of benchmark results; the record does not list
           evaluation results. It is a blog post without a license, so it counts toward no MOF class
      source: xAI, "Announcing Grok" (x.ai/blog/grok, November 2023)

note: The verdicts judge the components the manifest declares; a run with --dir verifies the weight
      files and the claims, not licenses or documents.
note: No files were checked in this run: give --dir to verify the weights and compute the claims.

"#]],
        dir,
    );
}

#[test]
fn seed_releases_differ_from_the_raters_only_with_reasons_and_the_readme_shows_it() {
    let repo = common::repo();
    let args = [
        "report",
        "--compare",
        "grok-1",
        "mixtral-8x7b",
        "flan-t5-xxl",
        "grok-2",
        "chatgpt",
        "--raters",
        "tests/data/raters/mot/Grok-1.yml",
        "tests/data/raters/mot/Mixtral-8x7B-v0.1.yml",
        "tests/data/raters/mot/T5-11b.yml",
        "tests/data/raters/eosai/Grok.yaml",
        "tests/data/raters/eosai/Mistral.yaml",
        "tests/data/raters/eosai/T5.yaml",
    ];
    let mut json = args.to_vec();
    json.push("--json");
    let (code, out, err) = common::run(&json, &repo);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let differences = v["differences"].as_array().unwrap();
    assert!(!differences.is_empty());
    for d in differences {
        assert!(
            d["why"].is_string() && d["source"].is_string(),
            "unexplained: {d}"
        );
    }

    let mut md = args.to_vec();
    md.extend(["--format", "md"]);
    let (code, table, err) = common::run(&md, &repo);
    assert_eq!(code, 0, "{err}");
    let readme = std::fs::read_to_string(repo.join("README.md")).unwrap();
    let shown = format!("$ weightcheck {}", md.join(" "));
    assert!(readme.contains(&shown), "README does not show `{shown}`");
    assert!(
        readme.contains(table.trim_end()),
        "README does not show what `{shown}` prints:\n{table}"
    );
}

#[test]
fn hostile_records_are_refused_with_the_file_and_offset() {
    let tmp = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &[u8]| {
        let p = tmp.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    // Each: the file, what the error must say.
    let mut cases = vec![
        (write("binary.yml", b"ok: 1\n\xff\xfe"), "byte 6: not UTF-8 text"),
        (
            write("neither.yml", b"name: x\n"),
            "byte 0: neither a Model Openness Tool record",
        ),
        (
            write("bad-class.yaml", b"system:\n  name: X\nlicenses:\n  class: maybe\n"),
            "byte 18: licenses: class \"maybe\" is not open, partial or closed",
        ),
        (
            write(
                "other-framework.yml",
                b"framework:\n  name: Other\n  version: '1'\n  date: '2024-01-01'\nrelease:\n  name: x\n  producer: y\n",
            ),
            "is not the Model Openness Framework",
        ),
        (
            write("bad-yaml.yml", b"framework: [\n"),
            "not a rater's record",
        ),
    ];
    // A billion laughs: aliases that would expand without end.
    let mut laughs = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for (i, prev) in ["a", "b", "c", "d", "e", "f", "g", "h"].iter().enumerate() {
        let name = ["b", "c", "d", "e", "f", "g", "h", "i"][i];
        let refs = vec![format!("*{prev}"); 9].join(",");
        laughs.push_str(&format!("{name}: &{name} [{refs}]\n"));
    }
    laughs.push_str("system:\n  name: *i\n");
    cases.push((
        write("laughs.yaml", laughs.as_bytes()),
        "not a rater's record: repetition limit exceeded",
    ));
    let big = vec![b'#'; (1 << 20) + 1];
    cases.push((write("big.yml", &big), "1048577"));
    for (path, want) in &cases {
        let (code, out, err) = common::run_within(
            ["report", "grok-1", "--raters", path.to_str().unwrap()],
            tmp.path(),
            std::time::Duration::from_secs(30),
        );
        assert_eq!(code, 2, "{}: {out}{err}", path.display());
        assert!(
            err.contains(&path.display().to_string()) && err.contains(want),
            "{}: want {want:?} in {err}",
            path.display()
        );
    }
    // An Index record is not a MOT record.
    let (code, _, err) = common::run(
        [
            "manifest",
            "import-mot",
            data().join("eosai/Grok.yaml").to_str().unwrap(),
        ],
        tmp.path(),
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("an Index record, not a Model Openness Tool record"),
        "{err}"
    );
}
