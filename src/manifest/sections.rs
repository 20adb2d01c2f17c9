//! Splits a manifest's TOML text into its `[[file]]` tables and the rest,
//! so that each is deserialized on its own.
//!
//! Why this exists: `toml::from_str` (toml 0.9) holds every token and every
//! event of the document and then a spanned tree (a `BTreeMap` per table)
//! before serde sees any of it — about 1.5 kB per `[[file]]` table, 1.9 GB
//! for a manifest of 10^6 files. toml has no streaming deserializer. Finding
//! where each top-level table starts needs only the token stream, which
//! toml's own lexer (`toml_parser`) yields one token at a time; nothing here
//! decodes values. Every byte is still parsed by toml: the non-`[[file]]`
//! sections as one document, each `[[file]]` table as its own, so syntax,
//! unknown keys and duplicate keys are refused by toml exactly as before.
//! What toml would have caught across the split is checked by the caller
//! (a root key `file` next to `[[file]]` tables); `[file]`, `[file.x]` and
//! `[[file.x]]` stay in the rest, where `file` then is no array and toml
//! refuses it.

use std::ops::Range;

use toml_parser::lexer::{Token, TokenKind};
use toml_parser::Source;

/// A contiguous part of the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Section {
    /// Anything but a `[[file]]` table: the root keys, other tables.
    Other(Range<usize>),
    /// A `[[file]]` table: its header and the key/value lines after it.
    File {
        /// The `[[file]]` header.
        header: Range<usize>,
        /// Everything after the header up to the next table header.
        body: Range<usize>,
    },
}

/// Calls `each` with every section of `text`, in document order (empty
/// ones left out); returns the span of a root-level key `file` (the inline
/// form, `file = [...]`), which `[[file]]` tables may not extend.
pub(super) fn split<E>(
    text: &str,
    mut each: impl FnMut(Section) -> Result<(), E>,
) -> Result<Option<Range<usize>>, E> {
    let source = Source::new(text);
    let mut tokens = source.lex();
    let mut emit = |start: usize, file: &Option<Range<usize>>, end: usize| match file {
        Some(header) => each(Section::File {
            header: header.clone(),
            body: header.end..end,
        }),
        None if start < end => each(Section::Other(start..end)),
        None => Ok(()),
    };
    // The section being read: where it starts, and its header if it is a
    // `[[file]]` table.
    let mut start = 0;
    let mut file: Option<Range<usize>> = None;
    let mut root_file_key = None;
    let mut in_root = true;
    // Nesting of arrays and inline tables inside a value: a newline there
    // does not end the expression, and a `[` there is no header.
    let mut depth = 0usize;
    // Only whitespace since the last newline outside any value.
    let mut line_start = true;
    let mut header = Vec::new();
    while let Some(token) = tokens.next() {
        match token.kind() {
            TokenKind::Eof => break,
            TokenKind::Whitespace | TokenKind::Comment => {}
            TokenKind::Newline => line_start |= depth == 0,
            TokenKind::LeftSquareBracket if line_start && depth == 0 => {
                let at = token.span().start();
                emit(start, &file, at)?;
                start = at;
                in_root = false;
                // A header is one line: read it to its newline.
                header.clear();
                header.push(token);
                for t in tokens.by_ref() {
                    if matches!(t.kind(), TokenKind::Newline | TokenKind::Eof) {
                        break;
                    }
                    header.push(t);
                }
                file = file_header(&source, &header);
            }
            kind => {
                if line_start && in_root && root_file_key.is_none() && is_file_key(&source, token) {
                    root_file_key = Some(token.span().start()..token.span().end());
                }
                line_start = false;
                match kind {
                    TokenKind::LeftSquareBracket | TokenKind::LeftCurlyBracket => depth += 1,
                    // Unbalanced brackets are a syntax error that toml
                    // reports in this section.
                    TokenKind::RightSquareBracket | TokenKind::RightCurlyBracket => {
                        depth = depth.saturating_sub(1)
                    }
                    _ => {}
                }
            }
        }
    }
    emit(start, &file, text.len())?;
    Ok(root_file_key)
}

/// The span of a header's tokens (its newline left out) if it is exactly
/// `[[file]]` (whitespace, quoting and a trailing comment allowed, as TOML
/// allows them); anything else is left to toml.
fn file_header(source: &Source<'_>, tokens: &[Token]) -> Option<Range<usize>> {
    let mut significant = tokens
        .iter()
        .filter(|t| !matches!(t.kind(), TokenKind::Whitespace | TokenKind::Comment));
    let (Some(o1), Some(o2), Some(key), Some(c1), Some(c2), None) = (
        significant.next(),
        significant.next(),
        significant.next(),
        significant.next(),
        significant.next(),
        significant.next(),
    ) else {
        return None;
    };
    let adjacent = |a: &Token, b: &Token| a.span().end() == b.span().start();
    let is = |t: &Token, k: TokenKind| t.kind() == k;
    (is(o1, TokenKind::LeftSquareBracket)
        && is(o2, TokenKind::LeftSquareBracket)
        && adjacent(o1, o2)
        && is(c1, TokenKind::RightSquareBracket)
        && is(c2, TokenKind::RightSquareBracket)
        && adjacent(c1, c2)
        && is_file_key(source, *key))
    .then(|| o1.span().start()..c2.span().end())
}

/// Whether a token is a simple key that decodes to `file` (`file`,
/// `"file"`, `'file'`, `"\u0066ile"`).
fn is_file_key(source: &Source<'_>, token: Token) -> bool {
    if !matches!(
        token.kind(),
        TokenKind::Atom | TokenKind::BasicString | TokenKind::LiteralString
    ) {
        return false;
    }
    let Some(raw) = source.get(token) else {
        return false;
    };
    let mut key = String::new();
    let mut errors: Option<toml_parser::ParseError> = None;
    raw.decode_key(&mut key, &mut errors);
    errors.is_none() && key == "file"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sections(text: &str) -> (Vec<String>, Option<String>) {
        let mut out = Vec::new();
        let key = split::<()>(text, |s| {
            out.push(match s {
                Section::Other(r) => format!("other {:?}", &text[r]),
                Section::File { header, body } => {
                    format!("file {:?} {:?}", &text[header], &text[body])
                }
            });
            Ok(())
        })
        .expect("no error from the callback");
        (out, key.map(|r| text[r].to_string()))
    }

    #[test]
    fn file_tables_are_cut_at_headers() {
        let text = "a = 1\n[release]\nid = \"x\"\n[[file]]\npath = \"p\"\n  [[ \"file\" ]] # c\nsize = 1\n[[component]]\nkind = \"k\"\n";
        let (s, key) = sections(text);
        assert_eq!(
            s,
            [
                r#"other "a = 1\n""#,
                r#"other "[release]\nid = \"x\"\n""#,
                r#"file "[[file]]" "\npath = \"p\"\n  ""#,
                r#"file "[[ \"file\" ]]" " # c\nsize = 1\n""#,
                r#"other "[[component]]\nkind = \"k\"\n""#,
            ]
        );
        assert_eq!(key, None);
    }

    #[test]
    fn brackets_inside_values_and_strings_are_no_headers() {
        let text = "x = [\n[1],\n]\ns = \"\"\"\n[[file]]\n\"\"\"\nt = { a = [\n] }\n[[file.x]]\n[file]\n[[file]] x = 1\n";
        let (s, _) = sections(text);
        assert_eq!(
            s,
            [
                "other \"x = [\\n[1],\\n]\\ns = \\\"\\\"\\\"\\n[[file]]\\n\\\"\\\"\\\"\\nt = { a = [\\n] }\\n\"",
                "other \"[[file.x]]\\n\"",
                "other \"[file]\\n\"",
                "other \"[[file]] x = 1\\n\"",
            ]
        );
    }

    #[test]
    fn a_root_file_key_is_reported() {
        let (_, key) = sections("\"file\" = []\n[[file]]\n");
        assert_eq!(key.as_deref(), Some("\"file\""));
        let (_, key) = sections("[sources]\nfile = 1\n");
        assert_eq!(key, None);
    }
}
