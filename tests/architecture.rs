//! The shape of the code, checked: the command line is the binary's, not
//! the library's, the top-level modules form no import cycle, and command files stay
//! small (a clap struct, a `run`, tests; decisions live in the library).
//!
//! Imports are read from the source text (`crate::MODULE` and
//! `use crate::{A, B}` outside comments), which is how a newcomer reads
//! them too; `rustc` has no flag that prints a module graph.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to (`src/hash/io.rs` → `hash`).
fn top_module(path: &Path) -> String {
    let rel = path.strip_prefix(src()).expect("under src");
    let first = rel.components().next().expect("component");
    first
        .as_os_str()
        .to_string_lossy()
        .trim_end_matches(".rs")
        .to_string()
}

/// Code lines only: line comments and doc comments are dropped.
fn code_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().filter(|l| {
        let t = l.trim_start();
        !t.starts_with("//")
    })
}

fn modules() -> BTreeSet<String> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    files.iter().map(|f| top_module(f)).collect()
}

/// Top-level module → the top-level modules it names.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let known = modules();
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let from = top_module(&file);
        if from == "lib" || from == "main" {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("read");
        let deps = graph.entry(from.clone()).or_default();
        for line in code_lines(&text) {
            let mut rest = line;
            while let Some(at) = rest.find("crate::") {
                rest = &rest[at + "crate::".len()..];
                let names: Vec<&str> = if let Some(list) = rest.strip_prefix('{') {
                    let end = list.find('}').unwrap_or(list.len());
                    list[..end]
                        .split(',')
                        .map(|n| n.trim().split("::").next().unwrap_or("").trim())
                        .collect()
                } else {
                    let end = rest
                        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                        .unwrap_or(rest.len());
                    vec![&rest[..end]]
                };
                for name in names {
                    if name != from && known.contains(name) {
                        deps.insert(name.to_string());
                    }
                }
            }
        }
    }
    graph
}

/// The command line is the binary's (`src/main.rs` declares it): the
/// library neither declares it nor names clap, so a library user compiles
/// none of it and no engine can reach into it.
#[test]
fn the_library_holds_no_command_line() {
    let lib = std::fs::read_to_string(src().join("lib.rs")).expect("read lib.rs");
    assert!(
        !code_lines(&lib).any(|l| l.contains("mod cli")),
        "src/lib.rs declares the cli module"
    );
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut naming_clap: Vec<String> = files
        .iter()
        .filter(|f| !f.starts_with(src().join("cli")) && !f.ends_with("main.rs"))
        .filter(|f| {
            let text = std::fs::read_to_string(f).expect("read");
            let names_clap = code_lines(&text).any(|l| l.contains("clap::"));
            names_clap
        })
        .map(|f| f.display().to_string())
        .collect();
    naming_clap.sort();
    assert_eq!(naming_clap, Vec::<String>::new());
}

#[test]
fn top_level_modules_form_no_cycle() {
    let graph = graph();
    // Depth-first search with colours; a grey node reached again closes a cycle.
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        path: &mut Vec<String>,
        cycles: &mut Vec<String>,
    ) {
        state.insert(node.to_string(), 1);
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            match state.get(next.as_str()).copied().unwrap_or(0) {
                0 => visit(next, graph, state, path, cycles),
                1 => {
                    let start = path.iter().position(|p| p == next).unwrap_or(0);
                    cycles.push(format!("{} -> {next}", path[start..].join(" -> ")));
                }
                _ => {}
            }
        }
        path.pop();
        state.insert(node.to_string(), 2);
    }
    let mut state = BTreeMap::new();
    let mut cycles = Vec::new();
    for node in graph.keys() {
        if state.get(node.as_str()).copied().unwrap_or(0) == 0 {
            visit(node, &graph, &mut state, &mut Vec::new(), &mut cycles);
        }
    }
    assert_eq!(cycles, Vec::<String>::new(), "module graph: {graph:#?}");
}

#[test]
fn command_files_stay_small() {
    let mut files = Vec::new();
    rust_files(&src().join("cli"), &mut files);
    let mut big: Vec<String> = files
        .iter()
        // A test module checking every command's documentation is not a
        // command file.
        .filter(|f| !f.to_string_lossy().ends_with("_tests.rs"))
        .filter_map(|f| {
            let lines = std::fs::read_to_string(f).expect("read").lines().count();
            (lines > 260).then(|| format!("{} ({lines} lines)", f.display()))
        })
        .collect();
    big.sort();
    assert_eq!(big, Vec::<String>::new());
}
