//! Every command the README and docs/ show must exist: a documented
//! subcommand or flag that weightcheck does not have fails here, so the
//! documentation cannot promise what the binary does not do.
//!
//! Three sources are read: command lines in fenced code blocks (`$
//! weightcheck …`, `weightcheck …`, `cargo run --release -- …`), inline
//! spans starting with `weightcheck `, and the command column of the
//! README's "Command reference" table (whose forms omit `weightcheck`).
//! Each gives a subcommand path, which must exist (and `--help` on it must
//! succeed), and its flags, which must exist on that
//! subcommand. Concrete example lines (no `[`, `|` or `…` placeholders) are
//! also parsed whole by the real clap parser.
//!
//! It lives beside the command line because it reads clap's definitions,
//! which the binary holds and the library does not export.

use std::path::{Path, PathBuf};

use super::Cli;
use clap::{CommandFactory, Parser};
use weightcheck::env::Env;

/// A command found in the documentation.
struct Doc {
    /// `file:line`, for messages.
    at: String,
    /// The words after `weightcheck`.
    words: Vec<String>,
    /// Whether it is a concrete example (parsed whole) or a usage form.
    concrete: bool,
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn documents() -> Vec<PathBuf> {
    let mut files = vec![repo().join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(repo().join("docs"))
        .expect("docs/ exists")
        .map(|e| e.expect("docs/ entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    docs.sort();
    files.extend(docs);
    files
}

/// Splits a shell-like line into words, honouring single and double quotes.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut quote = None;
    let mut in_word = false;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            (None, c) => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    words
}

/// The part of a command line that is weightcheck's: without a trailing
/// `# comment` and anything after a shell operator.
fn command_part(line: &str) -> &str {
    let mut end = line.len();
    for op in [" #", " && ", " ; ", " > ", " 2>"] {
        if let Some(i) = line.find(op) {
            end = end.min(i);
        }
    }
    line[..end].trim()
}

/// Whether words use usage notation (`[--opt X]`, `A | B`, `ID...`)
/// rather than concrete values; quoted values such as a glob or an elided
/// magnet link are concrete.
fn is_usage_form(words: &[String]) -> bool {
    words.iter().any(|w| {
        w.starts_with('[')
            || w.starts_with('(')
            || w == "|"
            || w.trim_end_matches(']').ends_with("...")
    })
}

fn strip_prefix(line: &str) -> Option<&str> {
    line.strip_prefix("weightcheck ")
        .or_else(|| line.strip_prefix("cargo run --release -- "))
}

/// Command lines in fenced code blocks. In a block that marks commands with
/// `$ `, only those lines are commands; a line with a word ending in `:`
/// (`weightcheck fetch: …`, `weightcheck report --compare: 5 releases`) is
/// printed output.
fn code_block_commands(file: &Path, text: &str, out: &mut Vec<Doc>) {
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        if !lines[i].starts_with("```") {
            i += 1;
            continue;
        }
        let start = i + 1;
        let mut end = start;
        while end < lines.len() && !lines[end].starts_with("```") {
            end += 1;
        }
        let block = &lines[start..end];
        let prompted = block.iter().any(|l| l.starts_with("$ "));
        for (k, line) in block.iter().enumerate() {
            let line = match (prompted, line.strip_prefix("$ ")) {
                (true, Some(l)) => l,
                (true, None) => continue,
                (false, _) => line,
            };
            let Some(rest) = strip_prefix(line) else {
                continue;
            };
            let cmd = command_part(rest);
            if cmd.split_whitespace().any(|w| w.ends_with(':')) {
                continue;
            }
            let words = shell_words(cmd);
            out.push(Doc {
                at: format!("{}:{}", name(file), start + k + 1),
                concrete: !is_usage_form(&words),
                words,
            });
        }
        i = end + 1;
    }
}

/// Inline `weightcheck …` spans outside code blocks (they may wrap lines).
fn inline_commands(file: &Path, text: &str, out: &mut Vec<Doc>) {
    let mut prose = String::new();
    let mut in_block = false;
    let mut line_of = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.starts_with("```") {
            in_block = !in_block;
            continue;
        }
        if !in_block {
            prose.push_str(line);
            prose.push(' ');
            line_of.resize(prose.len(), n + 1);
        }
    }
    let mut rest = prose.as_str();
    let mut offset = 0;
    while let Some(open) = rest.find('`') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('`') else { break };
        let span = &after[..close];
        if let Some(cmd) = strip_prefix(span) {
            let cmd = command_part(cmd);
            out.push(Doc {
                at: format!("{}:{}", name(file), line_of[offset + open]),
                words: shell_words(&cmd.replace("\\|", "|")),
                concrete: false,
            });
        }
        let used = open + 1 + close + 1;
        offset += used;
        rest = &rest[used..];
    }
}

/// The command column of the README's "Command reference" table.
fn table_commands(file: &Path, text: &str, out: &mut Vec<Doc>) {
    let mut in_table = false;
    for (n, line) in text.lines().enumerate() {
        if line.starts_with("| command |") {
            in_table = true;
            continue;
        }
        if !line.starts_with('|') {
            in_table = false;
        }
        if !in_table || line.starts_with("|---") {
            continue;
        }
        // The first cell ends at the first unescaped `|` after the opening one.
        let cells = &line[1..];
        let mut end = 0;
        let bytes = cells.as_bytes();
        while end < bytes.len() && !(bytes[end] == b'|' && (end == 0 || bytes[end - 1] != b'\\')) {
            end += 1;
        }
        let at = format!("{}:{} (command reference)", name(file), n + 1);
        let forms: Vec<Vec<String>> = cells[..end]
            .split('`')
            .skip(1)
            .step_by(2)
            .map(|span| shell_words(&span.replace("\\|", "|")))
            .collect();
        // Flags named in the description belong to the row's command.
        let command: Vec<String> = forms
            .first()
            .map(|f| {
                f.iter()
                    .take_while(|w| w.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
                    .take_while(|w| !w.starts_with('-'))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        let described = cells[end..]
            .split('`')
            .skip(1)
            .step_by(2)
            .filter(|span| span.starts_with("--"))
            .map(|span| {
                let mut words = command.clone();
                words.extend(shell_words(span));
                words
            });
        for words in forms.iter().cloned().chain(described) {
            out.push(Doc {
                at: at.clone(),
                words,
                concrete: false,
            });
        }
    }
}

/// The first cell of every other table, where it opens with a lower-case
/// word in code (`hub`, `inventory(path)`): a reader takes that for a
/// command, so it must be one. Feature names and Python functions are
/// written so they do not read as commands (plain, or `weightcheck.f()`).
fn first_column_words(file: &Path, text: &str, out: &mut Vec<Doc>) {
    let mut in_command_table = false;
    for (n, line) in text.lines().enumerate() {
        if line.starts_with("| command |") {
            in_command_table = true;
        } else if !line.starts_with('|') {
            in_command_table = false;
        }
        // A plain `weightcheck WORD` opening a row reads as that command,
        // and the name followed by anything else (` |`, a comma: `|
        // weightcheck, pieces only |`) as `weightcheck weightcheck` to a
        // reader that puts the program's name before a first column.
        if let Some(rest) = line.strip_prefix("| weightcheck") {
            let word = match rest.strip_prefix(' ') {
                Some(r) if r.starts_with(|c: char| c.is_ascii_lowercase()) => {
                    r.split_whitespace().next().unwrap_or("weightcheck")
                }
                _ => "weightcheck",
            };
            if !in_command_table {
                out.push(Doc {
                    at: format!("{}:{} (first table column)", name(file), n + 1),
                    words: vec![word.to_owned()],
                    concrete: false,
                });
            }
        }
        let Some(span) = line.strip_prefix("| `") else {
            continue;
        };
        let word: String = span
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || *c == '-')
            .collect();
        let next = span[word.len()..].chars().next();
        if in_command_table || word.is_empty() || !matches!(next, Some('`' | ' ' | '(')) {
            continue;
        }
        // A command in full (`hash DIR --torrent FILE`) is checked with its
        // flags; a Python call (`inventory(path)`) by its name only.
        let words = match (next, span.find('`')) {
            (Some(' '), Some(close)) => shell_words(&span[..close]),
            _ => vec![word],
        };
        out.push(Doc {
            at: format!("{}:{} (first table column)", name(file), n + 1),
            words,
            concrete: false,
        });
    }
}

fn name(file: &Path) -> String {
    file.strip_prefix(repo())
        .unwrap_or(file)
        .display()
        .to_string()
}

fn all_documented() -> Vec<Doc> {
    let mut docs = Vec::new();
    for file in documents() {
        let text = std::fs::read_to_string(&file).expect("read documentation");
        code_block_commands(&file, &text, &mut docs);
        inline_commands(&file, &text, &mut docs);
        if file.ends_with("README.md") {
            table_commands(&file, &text, &mut docs);
            first_column_words(&file, &text, &mut docs);
        }
    }
    docs
}

/// Follows the subcommand path of `words` and checks every flag exists on
/// the command it ends at. Returns the path, or what is wrong.
fn check_form(words: &[String]) -> Result<Vec<String>, String> {
    // Built, so that global options (--color, -q, -v) appear on every subcommand.
    let mut root = Cli::command();
    root.build();
    let mut cmd = &root;
    let mut path = Vec::new();
    let mut rest = words.iter();
    let mut remaining: Vec<&String> = Vec::new();
    for w in rest.by_ref() {
        if !cmd.has_subcommands() || w.starts_with('-') {
            remaining.push(w);
            break;
        }
        match cmd.find_subcommand(w) {
            Some(sub) => {
                path.push(w.clone());
                cmd = sub;
            }
            None => {
                return Err(format!(
                    "`{}` has no subcommand `{w}`",
                    std::iter::once("weightcheck")
                        .chain(path.iter().map(String::as_str))
                        .collect::<Vec<_>>()
                        .join(" ")
                ))
            }
        }
    }
    remaining.extend(rest);
    // `[--json|--csv]`: alternatives are checked one by one.
    for w in remaining.iter().flat_map(|w| w.split('|')) {
        let flag = w.trim_matches(|c: char| "[](),.;".contains(c));
        if let Some(long) = flag.strip_prefix("--") {
            let long = long.split('=').next().unwrap_or(long);
            if long.is_empty() || long == "help" || long == "version" {
                continue;
            }
            if !cmd.get_arguments().any(|a| {
                a.get_long() == Some(long)
                    || a.get_all_aliases().is_some_and(|al| al.contains(&long))
            }) {
                return Err(format!(
                    "`weightcheck {}` has no option --{long}",
                    path.join(" ")
                ));
            }
        } else if let Some(short) = flag.strip_prefix('-') {
            let mut chars = short.chars();
            if let (Some(c), None) = (chars.next(), chars.next()) {
                if c != 'h' && !cmd.get_arguments().any(|a| a.get_short() == Some(c)) {
                    return Err(format!(
                        "`weightcheck {}` has no option -{c}",
                        path.join(" ")
                    ));
                }
            }
        }
    }
    Ok(path)
}

#[test]
fn documentation_shows_commands_of_every_kind() {
    let docs = all_documented();
    let count = |f: &dyn Fn(&Doc) -> bool| docs.iter().filter(|d| f(d)).count();
    // The parsers above must keep finding what they are meant to find.
    assert!(count(&|d| d.concrete) >= 10, "concrete examples found");
    assert!(
        count(&|d| d.at.ends_with("(command reference)")) >= 14,
        "command reference forms found"
    );
    assert!(
        docs.iter()
            .any(|d| d.words.first().is_some_and(|w| w == "manifest")
                && d.words.get(1).is_some_and(|w| w == "pin")),
        "`manifest pin` is documented"
    );
}

#[test]
fn the_checker_refuses_what_does_not_exist() {
    let words = |s: &str| shell_words(s);
    assert_eq!(
        check_form(&words("manifest pin DIR -o FILE")),
        Ok(vec!["manifest".to_string(), "pin".to_string()])
    );
    assert_eq!(
        check_form(&words("manifest pin-everything DIR")),
        Err("`weightcheck manifest` has no subcommand `pin-everything`".to_string())
    );
    assert_eq!(
        check_form(&words("inspect PATH [--json|--yaml]")),
        Err("`weightcheck inspect` has no option --yaml".to_string())
    );
    assert_eq!(
        check_form(&words("verify DIR -Z")),
        Err("`weightcheck verify` has no option -Z".to_string())
    );
}

/// A first cell that opens with the program's name and no subcommand
/// reads as `weightcheck weightcheck`, with a comma after the name too; a
/// command in code there is checked with its flags.
#[test]
fn a_first_cell_of_the_bare_name_is_refused() {
    let text = "| tool | s |\n|---|---|\n| weightcheck, pieces only | 1 |\n\
                | weightcheck | 2 |\n| weightcheck hash DIR | 3 |\n| `hash DIR` | 4 |\n\
                | `hash DIR --no-such-flag` | 5 |\n";
    let mut docs = Vec::new();
    first_column_words(Path::new("T.md"), text, &mut docs);
    let words: Vec<&str> = docs.iter().map(|d| d.words[0].as_str()).collect();
    assert_eq!(
        words,
        ["weightcheck", "weightcheck", "hash", "hash", "hash"]
    );
    assert!(check_form(&docs[0].words).is_err());
    assert!(check_form(&docs[2].words).is_ok());
    assert!(check_form(&docs[3].words).is_ok());
    // A command in code in the first column is checked with its flags.
    assert!(check_form(&docs[4].words).is_err());
}

#[test]
fn every_documented_command_and_flag_exists() {
    let mut wrong = Vec::new();
    for d in all_documented() {
        if let Err(why) = check_form(&d.words) {
            wrong.push(format!("{}: `{}`: {why}", d.at, d.words.join(" ")));
        }
    }
    assert!(
        wrong.is_empty(),
        "documented but not in weightcheck:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn every_concrete_example_parses() {
    let mut wrong = Vec::new();
    for d in all_documented().into_iter().filter(|d| d.concrete) {
        let argv = std::iter::once("weightcheck".to_string()).chain(d.words.iter().cloned());
        if let Err(e) = Cli::try_parse_from(argv) {
            use clap::error::ErrorKind;
            if !matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                wrong.push(format!("{}: `{}`:\n{e}", d.at, d.words.join(" ")));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "documented examples clap refuses:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn help_works_for_every_documented_subcommand_path() {
    let mut paths: Vec<Vec<String>> = all_documented()
        .iter()
        .filter_map(|d| check_form(&d.words).ok())
        .collect();
    paths.push(Vec::new());
    paths.sort();
    paths.dedup();
    assert!(
        paths.contains(&vec!["manifest".to_string(), "pin".to_string()]),
        "{paths:?}"
    );
    for path in paths {
        let (mut env, cap) = Env::capture(repo());
        let argv = std::iter::once("weightcheck")
            .chain(path.iter().map(String::as_str))
            .chain(["--help"]);
        let code = super::run(argv, &mut env);
        assert!(
            code == 0,
            "weightcheck {} --help exited {code}:\n{}",
            path.join(" "),
            cap.err()
        );
        let text = cap.out();
        assert!(
            text.lines()
                .any(|l| l.starts_with("Usage: weightcheck") && l.contains(&path.join(" "))),
            "weightcheck {} --help prints no usage line:\n{text}",
            path.join(" ")
        );
    }
}
