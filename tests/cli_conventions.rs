//! What every command line tool is expected to do, checked on the real
//! binary: shell completions that a real bash completes with, colour only
//! where it can be seen (never into a pipe or a file, never with NO_COLOR
//! unless asked for), and a version that names the commit it was built from.

mod common;

use std::path::Path;
use std::process::Command;

/// The ESC byte that starts every ANSI style sequence.
const ESC: char = '\u{1b}';

/// `weightcheck ARGS` with stdout and stderr on a pseudo-terminal (util-linux
/// `script`), NO_COLOR set to `no_color` or removed; returns what the
/// terminal showed (whatever the exit code: a usage error is shown too).
/// Colour decided "auto" can only be seen this way.
fn on_terminal(args: &str, no_color: Option<&str>) -> String {
    common::require("script");
    let mut c = Command::new("script");
    c.args([
        "-qec",
        &format!("{} {args}", env!("CARGO_BIN_EXE_weightcheck")),
        "/dev/null",
    ]);
    match no_color {
        Some(v) => c.env("NO_COLOR", v),
        None => c.env_remove("NO_COLOR"),
    };
    let out = c.output().expect("run script");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `weightcheck ARGS` with its output piped, NO_COLOR removed.
fn piped(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_weightcheck"))
        .args(args)
        .env_remove("NO_COLOR")
        .output()
        .expect("run weightcheck");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn bash_completes_ver_to_verify() {
    common::require("bash");
    let dir = tempfile::tempdir().expect("tempdir");
    let (code, script, err) = common::run_bin(["completions", "bash"], dir.path(), dir.path());
    assert_eq!(code, 0, "{err}");
    let path = dir.path().join("weightcheck.bash");
    std::fs::write(&path, script).expect("write the script");
    // What bash does on `weightcheck ver<TAB>`: call the function that
    // `complete -p weightcheck` names with the words typed so far.
    let drive = r#"
        source "$1" || exit 1
        read -ra spec <<<"$(complete -p weightcheck)"
        for i in "${!spec[@]}"; do [[ ${spec[i]} == -F ]] && fn=${spec[i+1]}; done
        [[ -n $fn ]] || { echo "no completion function for weightcheck" >&2; exit 1; }
        COMP_WORDS=(weightcheck ver); COMP_CWORD=1
        COMP_LINE="weightcheck ver"; COMP_POINT=${#COMP_LINE}
        "$fn" weightcheck ver weightcheck
        printf '%s\n' "${COMPREPLY[@]}"
    "#;
    let out = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", drive, "bash"])
        .arg(&path)
        .output()
        .expect("run bash");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "verify\n");
}

#[test]
fn help_into_a_pipe_or_a_file_has_no_colour() {
    let dir = tempfile::tempdir().expect("tempdir");
    for args in [
        &["--help"][..],
        &["hash", "--help"],
        &["manifest", "pin", "--help"],
    ] {
        let (code, out, _) = piped(args);
        assert_eq!(code, 0, "{args:?}");
        assert!(out.contains("Usage: weightcheck"), "{args:?}: {out}");
        assert!(!out.contains(ESC), "{args:?} into a pipe: {out:?}");
    }
    // `weightcheck hash --help > h.txt`: stdout is a file.
    let file = dir.path().join("h.txt");
    let status = Command::new(env!("CARGO_BIN_EXE_weightcheck"))
        .args(["hash", "--help"])
        .env_remove("NO_COLOR")
        .stdout(std::fs::File::create(&file).expect("create h.txt"))
        .status()
        .expect("run weightcheck");
    assert!(status.success());
    let text = std::fs::read_to_string(&file).expect("read h.txt");
    assert!(text.contains("Usage: weightcheck hash"), "{text}");
    assert!(!text.contains(ESC), "{text:?}");
    // A usage error on a piped stderr.
    let (code, _, err) = piped(&["--bogus"]);
    assert_eq!(code, 2);
    assert!(err.contains("unexpected argument '--bogus'"), "{err}");
    assert!(!err.contains(ESC), "{err:?}");
}

#[test]
fn a_terminal_gets_colour_unless_no_color_or_never() {
    let styled = on_terminal("--help", None);
    assert!(styled.contains("Usage:"), "{styled}");
    assert!(styled.contains(ESC), "auto on a terminal: {styled:?}");
    for (args, no_color) in [
        ("--help", Some("1")),
        ("--help", Some("yes")),
        ("--color never --help", None),
        ("verify --help --color=never", None),
        ("--bogus", Some("1")),
    ] {
        let text = on_terminal(args, no_color);
        assert!(text.contains("Usage:"), "{args}: {text}");
        assert!(
            !text.contains(ESC),
            "{args} NO_COLOR={no_color:?}: {text:?}"
        );
    }
    // An empty NO_COLOR is not set (no-color.org).
    assert!(on_terminal("--help", Some("")).contains(ESC));
    // Asking explicitly wins over NO_COLOR.
    assert!(on_terminal("--color always --help", Some("1")).contains(ESC));
}

#[test]
fn color_always_styles_help_even_into_a_pipe() {
    for args in [
        &["--color", "always", "--help"][..],
        &["hash", "--help", "--color=always"],
    ] {
        let (code, out, _) = piped(args);
        assert_eq!(code, 0, "{args:?}");
        // clap's default style: bold and underlined section headings.
        assert!(
            out.contains("\u{1b}[1m\u{1b}[4mUsage:"),
            "{args:?}: {out:?}"
        );
    }
    let (code, _, err) = piped(&["--color", "always", "--bogus"]);
    assert_eq!(code, 2);
    assert!(err.contains(ESC), "{err:?}");
}

#[test]
fn version_names_the_commit_it_was_built_from() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (code, out, err) = common::run_bin(["--version"], dir.path(), dir.path());
    assert_eq!(code, 0, "{err}");
    let line = out
        .strip_suffix('\n')
        .unwrap_or_else(|| panic!("one line: {out:?}"));
    let rest = line
        .strip_prefix(&format!("weightcheck {}", env!("CARGO_PKG_VERSION")))
        .unwrap_or_else(|| panic!("weightcheck VERSION: {line:?}"));
    let head = head_commit(&common::repo());
    if rest.is_empty() {
        assert_eq!(
            head, None,
            "built in a git checkout, yet no commit: {line:?}"
        );
        return;
    }
    let commit = rest
        .strip_prefix(" (")
        .and_then(|r| r.strip_suffix(')'))
        .unwrap_or_else(|| panic!("VERSION (COMMIT): {line:?}"));
    let short = commit.strip_suffix("-dirty").unwrap_or(commit);
    assert!(
        short.len() >= 7 && short.bytes().all(|b| b.is_ascii_hexdigit()),
        "{line:?}"
    );
    if let Some(head) = head {
        assert!(head.starts_with(short), "{line:?} is not HEAD {head}");
    }
    assert_eq!(common::run_bin(["-V"], dir.path(), dir.path()).1, out);
}

/// HEAD's full commit, if `repo` is a git checkout and git is installed.
fn head_commit(repo: &Path) -> Option<String> {
    let out = Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(repo)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// `-v` logs weightcheck's steps to stderr through tracing, `-vv` its
/// details, `RUST_LOG` replaces the choice, and results stay on stdout.
#[test]
fn verbose_logs_go_to_stderr_and_rust_log_replaces_the_level() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("a"), b"hello").expect("write");
    let d = dir.path().to_str().expect("utf-8 path");
    let cache = tempfile::tempdir().expect("tempdir");
    let run = |args: &[&str], rust_log: Option<&str>| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_weightcheck"));
        c.args(args).env("XDG_CACHE_HOME", cache.path());
        match rust_log {
            Some(v) => c.env("RUST_LOG", v),
            None => c.env_remove("RUST_LOG"),
        };
        let out = c.output().expect("run weightcheck");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, out, err) = run(&["hash", d], None);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(err, "", "no logs without -v");
    let (code, out_v, err) = run(&["-v", "hash", d], None);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains("INFO weightcheck::hash::engine: hashing"),
        "{err}"
    );
    assert!(!err.contains("DEBUG"), "{err}");
    // The summary line says how long the reading took.
    let strip = |s: &str| {
        s.lines()
            .filter(|l| !l.starts_with("summary: "))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(strip(&out), strip(&out_v), "-v changes stderr only");
    let (_, _, err) = run(&["hash", d, "-vv"], None);
    assert!(err.contains("DEBUG weightcheck::hash::cache"), "{err}");
    let (_, _, err) = run(&["hash", d], Some("weightcheck::hash::cache=debug"));
    assert!(err.contains("DEBUG weightcheck::hash::cache"), "{err}");
    assert!(!err.contains("INFO"), "{err}");
    let (code, _, err) = run(&["-q", "-v", "hash", d], None);
    assert_eq!(code, Some(2), "-q and -v contradict each other: {err}");
}

/// A directory that is not there is named as missing, not guessed about.
#[test]
fn a_missing_directory_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (code, out, err) = common::run(["verify", "nowhere"], dir.path());
    assert_eq!((code, out.as_str()), (2, ""));
    common::assert_output(
        &err,
        "weightcheck: error: [ROOT]/nowhere: No such file or directory (os error 2)\n",
        dir.path(),
    );
}

/// Help fits 100 columns when it is not on a terminal (a file, a pager, a
/// man page), wrapped at words; on a terminal clap wraps it to the width.
#[test]
fn help_fits_100_columns() {
    let commands = [
        "",
        "inspect",
        "verify",
        "demo",
        "synth",
        "report",
        "hash",
        "torrent create",
        "torrent show",
        "torrent verify",
        "github",
        "hf",
        "fetch",
        "seed",
        "manifest pin",
        "manifest pin-torrent",
        "completions",
        "man",
    ];
    for command in commands {
        let mut args: Vec<&str> = command.split_whitespace().collect();
        args.push("--help");
        let (code, out, _) = piped(&args);
        assert_eq!(code, 0, "{command} --help");
        let wide: Vec<&str> = out.lines().filter(|l| l.chars().count() > 100).collect();
        assert!(
            wide.is_empty(),
            "weightcheck {command} --help:\n{}",
            wide.join("\n")
        );
    }
}
