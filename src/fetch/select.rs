//! `--only GLOB`: choosing which files of a torrent to fetch.
//!
//! A pattern is matched against each file's path inside the torrent
//! (`ckpt-0/tensor00000_000`) and against the same path with the torrent's
//! name in front (`grok-1/ckpt-0/tensor00000_000`), so both spellings a
//! user may copy from a listing work. `*` and `?` stop at `/`; `**` does
//! not; `[a-z]` and `[!0-9]` are character classes.

use crate::torrent::Metainfo;
use crate::{Error, Result};

/// Whether `path` matches the glob `pattern`.
pub fn glob_match(pattern: &str, path: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let s: Vec<char> = path.chars().collect();
    matches(&p, &s)
}

fn matches(p: &[char], s: &[char]) -> bool {
    match p.first() {
        None => s.is_empty(),
        Some('*') if p.get(1) == Some(&'*') => {
            let rest = &p[2..];
            // `**/` also matches no directory at all.
            if rest.first() == Some(&'/') && matches(&rest[1..], s) {
                return true;
            }
            (0..=s.len()).any(|i| matches(rest, &s[i..]))
        }
        Some('*') => {
            let rest = &p[1..];
            for i in 0..=s.len() {
                if matches(rest, &s[i..]) {
                    return true;
                }
                if s.get(i) == Some(&'/') {
                    break;
                }
            }
            false
        }
        Some('?') => s.first().is_some_and(|&c| c != '/') && matches(&p[1..], &s[1..]),
        Some('[') => match (class(&p[1..]), s.first()) {
            (Some((ok, used)), Some(&c)) if c != '/' && ok(c) => matches(&p[1 + used..], &s[1..]),
            (Some(_), _) => false,
            // An unclosed `[` is a literal.
            (None, Some('[')) => matches(&p[1..], &s[1..]),
            (None, _) => false,
        },
        Some(&c) => s.first() == Some(&c) && matches(&p[1..], &s[1..]),
    }
}

type ClassFn = Box<dyn Fn(char) -> bool>;

/// Parses a character class after its `[`: the predicate and how many
/// pattern characters it used, including the closing `]`.
fn class(p: &[char]) -> Option<(ClassFn, usize)> {
    let (negated, start) = match p.first() {
        Some('!') | Some('^') => (true, 1),
        _ => (false, 0),
    };
    let mut ranges = Vec::new();
    let mut i = start;
    loop {
        let c = *p.get(i)?;
        if c == ']' && i > start {
            break;
        }
        if p.get(i + 1) == Some(&'-') && p.get(i + 2).is_some_and(|&e| e != ']') {
            ranges.push((c, p[i + 2]));
            i += 3;
        } else {
            ranges.push((c, c));
            i += 1;
        }
    }
    let f = move |c: char| ranges.iter().any(|&(a, b)| a <= c && c <= b) != negated;
    Some((Box::new(f), i + 1))
}

/// The files to fetch: indices into `meta.files` matched by any pattern, in
/// torrent order; every file when there are no patterns. A pattern that
/// matches nothing is an error, so a typo does not silently fetch nothing.
pub fn select(meta: &Metainfo, patterns: &[String]) -> Result<Vec<usize>> {
    if patterns.is_empty() {
        return Ok((0..meta.files.len()).collect());
    }
    let mut hit = vec![false; patterns.len()];
    let mut chosen = Vec::new();
    for (i, f) in meta.files.iter().enumerate() {
        let inner = f.relative_path();
        let outer = format!("{}/{inner}", meta.name);
        let mut any = false;
        for (k, p) in patterns.iter().enumerate() {
            if glob_match(p, &inner) || glob_match(p, &outer) {
                hit[k] = true;
                any = true;
            }
        }
        if any {
            chosen.push(i);
        }
    }
    let unmatched: Vec<&str> = patterns
        .iter()
        .zip(&hit)
        .filter(|(_, h)| !**h)
        .map(|(p, _)| p.as_str())
        .collect();
    if !unmatched.is_empty() {
        return Err(Error::Fetch(format!(
            "--only {} matches no file of the torrent (paths look like {:?})",
            unmatched.join(", "),
            meta.files
                .first()
                .map(|f| f.relative_path())
                .unwrap_or_default()
        )));
    }
    Ok(chosen)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        let yes = [
            ("ckpt-0/tensor0000*", "ckpt-0/tensor00001_000"),
            ("ckpt-0/tensor0000[0-4]_000", "ckpt-0/tensor00003_000"),
            ("ckpt-0/tensor0000[!5-9]_000", "ckpt-0/tensor00003_000"),
            ("**/tensor00001_000", "ckpt-0/tensor00001_000"),
            ("**/tensor00001_000", "tensor00001_000"),
            ("ckpt-0/**", "ckpt-0/a/b"),
            ("*.model", "tokenizer.model"),
            ("?kpt-0/*", "ckpt-0/x"),
            ("a[b", "a[b"),
            ("", ""),
        ];
        for (p, s) in yes {
            assert!(glob_match(p, s), "{p} should match {s}");
        }
        let no = [
            ("*", "ckpt-0/tensor00001_000"),
            ("ckpt-0/tensor0000[0-4]_000", "ckpt-0/tensor00005_000"),
            ("ckpt-0/tensor0000[!0-4]_000", "ckpt-0/tensor00003_000"),
            ("ckpt-?", "ckpt-/"),
            ("*.model", "dir/tokenizer.model"),
            ("abc", "abcd"),
        ];
        for (p, s) in no {
            assert!(!glob_match(p, s), "{p} should not match {s}");
        }
    }
}
