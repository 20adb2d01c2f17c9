//! Checksum lists as coreutils writes them (`sha256sum`, `md5sum`:
//! `SHA256SUMS`, `MD5SUMS`, Llama's `checklist.chk`), and BSD-style
//! `SHA256 (NAME) = HEX` lines (`sha256sum --tag`, `shasum`, macOS `md5`).
//!
//! ```
//! use weightcheck::manifest::sums::{self, DigestKind};
//! let list = sums::parse("1faa9bc9b20fcfe81fcd4eb7166a79e6  consolidated.00.pth\n", "MD5SUMS".as_ref())?;
//! assert_eq!(list[0].kind, DigestKind::Md5);
//! # Ok::<(), weightcheck::Error>(())
//! ```
//!
//! A list pins digests, never sizes. Every name must be a safe relative
//! path ([`crate::paths::is_safe_relative`]): a list is untrusted input and
//! its names are joined to the directory being checked.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::Path;

use serde::Serialize;

use super::{FileEntry, Manifest};
use crate::paths::{is_safe_relative, read_text_limited};
use crate::{Error, Result};

/// Largest list read: 64 MiB is ~600,000 SHA-256 lines, far beyond any
/// release, and small enough to hold in memory.
pub const MAX_LIST_BYTES: u64 = 64 << 20;

/// Which digest a line gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum DigestKind {
    /// MD5 (32 hex digits): proves bytes against accidental damage only;
    /// collisions can be made on purpose.
    Md5,
    /// SHA-256 (64 hex digits).
    Sha256,
}

impl DigestKind {
    /// `md5` / `sha256`, as verdicts name it.
    pub fn name(self) -> &'static str {
        match self {
            DigestKind::Md5 => "md5",
            DigestKind::Sha256 => "sha256",
        }
    }

    /// The kind a digest of `len` hex digits is.
    fn from_hex_len(len: usize) -> Option<Self> {
        match len {
            32 => Some(DigestKind::Md5),
            64 => Some(DigestKind::Sha256),
            _ => None,
        }
    }
}

/// One line of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SumEntry {
    /// Root-relative path, `/`-separated, unescaped.
    pub path: String,
    /// The digest's kind.
    pub kind: DigestKind,
    /// The digest, lowercase hex.
    pub hex: String,
    /// 1-based line number in the list.
    pub line: usize,
    /// Byte offset of the line in the list.
    pub offset: u64,
}

/// Reads and parses the list at `path` (at most [`MAX_LIST_BYTES`]).
pub fn read(path: &Path) -> Result<Vec<SumEntry>> {
    let text = read_text_limited(path, MAX_LIST_BYTES)?;
    parse(&text, path)
}

/// Parses a list; `origin` names it in errors. Blank lines and `#`
/// comments are skipped; a name listed twice is refused.
pub fn parse(text: &str, origin: &Path) -> Result<Vec<SumEntry>> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut offset = 0u64;
    for (i, raw) in text.split_inclusive('\n').enumerate() {
        let line_no = i + 1;
        let start = offset;
        offset += raw.len() as u64;
        let bad = |message: String| Error::Sums {
            path: origin.to_path_buf(),
            line: line_no,
            offset: start,
            message,
        };
        let line = raw.strip_suffix('\n').unwrap_or(raw);
        // Lists written on Windows end lines with CR LF.
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let (kind, hex, name) = parse_line(line).map_err(bad)?;
        if !is_safe_relative(&name) {
            return Err(bad(format!(
                "unsafe path {name:?}: names must be relative, without `.`, `..`, empty components or backslashes"
            )));
        }
        if !seen.insert(name.clone()) {
            return Err(bad(format!("{name:?} is listed twice")));
        }
        out.push(SumEntry {
            path: name,
            kind,
            hex,
            line: line_no,
            offset: start,
        });
    }
    Ok(out)
}

/// One non-blank line: `(kind, lowercase hex, unescaped name)`.
fn parse_line(line: &str) -> std::result::Result<(DigestKind, String, String), String> {
    // coreutils starts a line with `\` when the name holds `\` or a newline.
    let (escaped, line) = match line.strip_prefix('\\') {
        Some(rest) => (true, rest),
        None => (false, line),
    };
    let (hex, raw_name) = if let Some(bsd) = parse_bsd(line) {
        bsd?
    } else {
        let (hex, rest) = line
            .split_once(' ')
            .ok_or("expected `HEX  NAME` (text mode) or `HEX *NAME` (binary mode)")?;
        // The digest first: a line of prose fails as "not hexadecimal".
        check_hex(hex)?;
        // The second separator character is the mode: ` ` text, `*` binary.
        // Both read the same bytes on the systems that matter here.
        let name = rest
            .strip_prefix(' ')
            .or_else(|| rest.strip_prefix('*'))
            .ok_or("expected two spaces, or a space and `*`, between the digest and the name")?;
        (hex, name)
    };
    let kind = check_hex(hex)?;
    let name = if escaped {
        unescape(raw_name)?
    } else {
        raw_name.to_string()
    };
    Ok((kind, hex.to_ascii_lowercase(), name))
}

/// `SHA256 (NAME) = HEX` / `MD5 (NAME) = HEX`: `None` when the line is not
/// in that form at all.
fn parse_bsd(line: &str) -> Option<std::result::Result<(&str, &str), String>> {
    let (algo, rest) = line.split_once(" (")?;
    let want = match algo {
        "MD5" => DigestKind::Md5,
        "SHA256" => DigestKind::Sha256,
        // Anything else of this shape is a digest this tool does not check.
        _ if !algo.is_empty() && algo.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') => {
            return Some(Err(format!(
                "unsupported digest {algo:?} (MD5 and SHA256 are read)"
            )));
        }
        _ => return None,
    };
    // The name may itself hold `) = `: the digest follows the last one.
    let Some((name, hex)) = rest.rsplit_once(") = ") else {
        return Some(Err("expected `) = HEX` after the name".into()));
    };
    if DigestKind::from_hex_len(hex.len()) != Some(want) {
        return Some(Err(format!(
            "{algo} digest must be {} hex digits, got {}",
            if want == DigestKind::Md5 { 32 } else { 64 },
            hex.len()
        )));
    }
    Some(Ok((hex, name)))
}

fn check_hex(hex: &str) -> std::result::Result<DigestKind, String> {
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("digest {:?} is not hexadecimal", truncate(hex)));
    }
    DigestKind::from_hex_len(hex.len()).ok_or_else(|| {
        format!(
            "a digest of {} hex digits is neither MD5 (32) nor SHA-256 (64)",
            hex.len()
        )
    })
}

fn truncate(s: &str) -> String {
    s.chars().take(72).collect()
}

/// coreutils' escapes: `\\` and `\n` (and `\r`, which coreutils 9 writes).
fn unescape(name: &str) -> std::result::Result<String, String> {
    let mut out = String::with_capacity(name.len());
    let mut chars = name.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('\\') => out.push('\\'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some(other) => return Err(format!("unknown escape `\\{other}` in the name")),
            None => return Err("the name ends with a lone `\\`".into()),
        }
    }
    Ok(out)
}

/// Writes `entries` as `sha256sum`/`md5sum` would (text mode), escaping
/// names the way coreutils does so the list reads back the same.
pub fn write(entries: &[SumEntry]) -> String {
    let mut out = String::new();
    for e in entries {
        let needs = e.path.contains(['\\', '\n', '\r']);
        let name = if needs {
            e.path
                .replace('\\', "\\\\")
                .replace('\n', "\\n")
                .replace('\r', "\\r")
        } else {
            e.path.clone()
        };
        let _ = writeln!(out, "{}{}  {}", if needs { "\\" } else { "" }, e.hex, name);
    }
    out
}

/// A manifest holding only what the list at `origin` says: its files (with
/// their sizes as found under `root`, since a list pins none) and digests.
pub fn manifest_of(list: &[SumEntry], origin: &Path, root: &Path) -> Result<Manifest> {
    let mut m = Manifest::from_toml(
        &format!(
            "[release]\nid = \"checksum list\"\nname = {:?}\npublisher = \"checksum list\"\ndate = \"undated\"\n",
            origin.display().to_string()
        ),
        "checksum list",
    )?;
    apply(&mut m, list, origin, root)?;
    Ok(m)
}

/// Adds the list's digests to `manifest`. When the manifest lists files,
/// every listed name must be one of them and a digest it already has must
/// agree; when it lists none, the list's files become its files, with
/// their sizes as found under `root` (a missing one stays missing). An MD5
/// the manifest's `[[listed_file]]` gives must agree too.
pub fn apply(manifest: &mut Manifest, list: &[SumEntry], origin: &Path, root: &Path) -> Result<()> {
    let conflict = |e: &SumEntry, message: String| Error::Sums {
        path: origin.to_path_buf(),
        line: e.line,
        offset: e.offset,
        message,
    };
    for e in list {
        for l in manifest.listed_files.iter().filter(|l| l.path == e.path) {
            if let (Some(want), DigestKind::Md5) = (&l.md5, e.kind) {
                if !want.eq_ignore_ascii_case(&e.hex) {
                    return Err(conflict(
                        e,
                        format!(
                            "MD5 of {:?} is {} here, {want} in the manifest {}",
                            e.path, e.hex, manifest.release.id
                        ),
                    ));
                }
            }
        }
    }
    if manifest.files.is_empty() {
        manifest.files = list
            .iter()
            .map(|e| FileEntry {
                path: e.path.clone(),
                // No size is published: the file as found is taken as is;
                // only its digest can fail it.
                size: std::fs::metadata(root.join(&e.path)).map_or(0, |m| m.len()),
                sha256: (e.kind == DigestKind::Sha256).then(|| e.hex.clone()),
                sha256_source: (e.kind == DigestKind::Sha256).then(|| origin.display().to_string()),
                md5: (e.kind == DigestKind::Md5).then(|| e.hex.clone()),
                git_sha1: None,
            })
            .collect();
        return Ok(());
    }
    let index: std::collections::HashMap<String, usize> = manifest
        .files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.path.clone(), i))
        .collect();
    for e in list {
        let Some(&i) = index.get(&e.path) else {
            return Err(conflict(
                e,
                format!(
                    "{:?} is not a file of the manifest {}",
                    e.path, manifest.release.id
                ),
            ));
        };
        let f = &mut manifest.files[i];
        let (slot, name) = match e.kind {
            DigestKind::Sha256 => (&mut f.sha256, "SHA-256"),
            DigestKind::Md5 => (&mut f.md5, "MD5"),
        };
        match slot {
            Some(want) if !want.eq_ignore_ascii_case(&e.hex) => {
                return Err(conflict(
                    e,
                    format!(
                        "{name} of {:?} is {} here, {want} in the manifest {}",
                        e.path, e.hex, manifest.release.id
                    ),
                ));
            }
            _ => *slot = Some(e.hex.clone()),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MD5: &str = "1faa9bc9b20fcfe81fcd4eb7166a79e6";
    const SHA: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    fn p(text: &str) -> Result<Vec<SumEntry>> {
        parse(text, Path::new("SUMS"))
    }

    fn err(text: &str) -> String {
        p(text).expect_err(text).to_string()
    }

    #[test]
    fn reads_text_binary_bsd_comments_and_blank_lines() {
        let text = format!(
            "# checksums\n\n{MD5}  consolidated.00.pth\n{} *dir/b.bin\r\nSHA256 (c d.txt) = {SHA}\nMD5 (x) = {MD5}\n",
            SHA.to_uppercase()
        );
        let got = p(&text).unwrap();
        let summary: Vec<_> = got
            .iter()
            .map(|e| (e.path.as_str(), e.kind, e.hex.as_str(), e.line))
            .collect();
        assert_eq!(
            summary,
            [
                ("consolidated.00.pth", DigestKind::Md5, MD5, 3),
                ("dir/b.bin", DigestKind::Sha256, SHA, 4),
                ("c d.txt", DigestKind::Sha256, SHA, 5),
                ("x", DigestKind::Md5, MD5, 6),
            ]
        );
    }

    #[test]
    fn names_keep_spaces_and_escapes_are_undone() {
        let got = p(&format!("{MD5}   lead space\n\\{MD5}  a\\nb\n")).unwrap();
        assert_eq!(got[0].path, " lead space");
        assert_eq!(got[1].path, "a\nb");
        // `\\` is a backslash, which no safe relative path holds.
        assert!(err(&format!("\\{MD5}  a\\\\b\n")).contains("unsafe path"));
    }

    #[test]
    fn refusals_name_the_line_and_byte() {
        let first = format!("{MD5}  ok\n");
        let at = first.len();
        assert_eq!(
            err(&format!("{first}{MD5}  ../x\n")),
            format!("SUMS: line 2 (byte {at}): unsafe path \"../x\": names must be relative, without `.`, `..`, empty components or backslashes")
        );
        assert_eq!(
            err(&format!("{first}{MD5}  ok\n")),
            format!("SUMS: line 2 (byte {at}): \"ok\" is listed twice")
        );
        assert_eq!(
            err("abcd  x\n"),
            "SUMS: line 1 (byte 0): a digest of 4 hex digits is neither MD5 (32) nor SHA-256 (64)"
        );
        assert_eq!(
            err("nothex\n"),
            "SUMS: line 1 (byte 0): expected `HEX  NAME` (text mode) or `HEX *NAME` (binary mode)"
        );
        assert_eq!(
            err(&format!("{MD5} x\n")),
            "SUMS: line 1 (byte 0): expected two spaces, or a space and `*`, between the digest and the name"
        );
        assert_eq!(
            err(&format!("SHA1 (x) = {MD5}\n")),
            "SUMS: line 1 (byte 0): unsupported digest \"SHA1\" (MD5 and SHA256 are read)"
        );
        assert_eq!(
            err(&format!("SHA256 (x) = {MD5}\n")),
            "SUMS: line 1 (byte 0): SHA256 digest must be 64 hex digits, got 32"
        );
        assert!(err(&format!("\\{MD5}  a\\tb\n")).contains("unknown escape `\\t`"));
        for unsafe_name in ["/etc/passwd", "a//b", "./a", "a\\b", ""] {
            assert!(
                p(&format!("{MD5}  {unsafe_name}\n")).is_err(),
                "{unsafe_name:?}"
            );
        }
    }

    #[test]
    fn write_reads_back() {
        let entries = p(&format!("{MD5}  plain\n\\{SHA}  odd\\nname\r\n")).unwrap();
        let text = write(&entries);
        assert_eq!(text, format!("{MD5}  plain\n\\{SHA}  odd\\nname\n"));
        let again = p(&text).unwrap();
        assert_eq!(again, entries);
    }

    #[test]
    fn apply_adds_digests_and_refuses_contradictions_and_strangers() {
        let toml = format!(
            "[release]\nid = \"r\"\nname = \"R\"\npublisher = \"P\"\ndate = \"2024\"\n\
             [[file]]\npath = \"a\"\nsize = 1\nsha256 = \"{SHA}\"\n\
             [[file]]\npath = \"b\"\nsize = 2\n"
        );
        let base = Manifest::from_toml(&toml, "r").unwrap();
        let apply_text = |text: &str| {
            let mut m = base.clone();
            apply(
                &mut m,
                &p(text)?,
                Path::new("SUMS"),
                Path::new("/nonexistent"),
            )
            .map(|()| m)
        };
        let m = apply_text(&format!("{SHA}  a\n{MD5}  b\n")).unwrap();
        assert_eq!(m.files[0].sha256.as_deref(), Some(SHA));
        assert_eq!(m.files[1].md5.as_deref(), Some(MD5));
        assert_eq!(m.files[1].size, 2, "sizes stay the manifest's");
        let other = SHA.replace('e', "f");
        assert_eq!(
            apply_text(&format!("{MD5}  b\n{other}  a\n"))
                .unwrap_err()
                .to_string(),
            format!(
                "SUMS: line 2 (byte 36): SHA-256 of \"a\" is {other} here, {SHA} in the manifest r"
            )
        );
        assert_eq!(
            apply_text(&format!("{MD5}  c\n")).unwrap_err().to_string(),
            "SUMS: line 1 (byte 0): \"c\" is not a file of the manifest r"
        );
    }
}
