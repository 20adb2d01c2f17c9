//! Prose fits 100 columns: lines such as a claim's reasons and sources are
//! wrapped at words, each continuation indented under the text it
//! continues. Table rows are sized to their content instead.

/// The widest line printed, in characters.
pub const WIDTH: usize = 100;

/// `text` with every prose line over [`WIDTH`] wrapped at spaces. A
/// continuation starts under the first word after the line's indentation
/// and its label (`- `, `note: `, `why: `), so a wrapped line still reads as
/// one item. Table rows (cells apart by two or more spaces) are left as
/// they are: their columns are sized to their content, and a wrapped row
/// would no longer line up. A word longer than the line (a path, a digest)
/// is left whole, and words are not split at hyphens.
pub fn wrap(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let body = line.strip_suffix('\n').unwrap_or(line);
        let hang = hanging_indent(body);
        if body.chars().count() <= WIDTH || body[hang..].contains("  ") {
            out.push_str(line);
            continue;
        }
        let indent = " ".repeat(hang.min(WIDTH / 2));
        let options = textwrap::Options::new(WIDTH)
            .subsequent_indent(&indent)
            .break_words(false)
            .word_splitter(textwrap::WordSplitter::NoHyphenation);
        out.push_str(&textwrap::wrap(body, options).join("\n"));
        if line.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

/// Where a line's text starts: after its indentation and its label, if it
/// has one (`- `, or a word of up to 24 characters ending in `: `, with
/// the spaces that align what follows).
fn hanging_indent(line: &str) -> usize {
    let lead = line.len() - line.trim_start().len();
    let rest = &line[lead..];
    let label = if rest.starts_with("- ") {
        2
    } else {
        rest.find(": ")
            .filter(|&at| at <= 24 && !rest[..at].contains("  "))
            .map_or(0, |at| {
                let after = &rest[at + 1..];
                at + 1 + (after.len() - after.trim_start().len())
            })
    };
    lead + label
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_wrap_under_their_label_and_short_ones_stay() {
        let long = format!("   note: {}\nshort\n", "word ".repeat(40).trim_end());
        let wrapped = wrap(&long);
        for line in wrapped.lines() {
            assert!(line.chars().count() <= WIDTH, "{line}");
        }
        let lines: Vec<&str> = wrapped.lines().collect();
        assert!(lines[0].starts_with("   note: word"));
        assert!(lines[1].starts_with("         word"), "{:?}", lines[1]);
        assert_eq!(lines.last(), Some(&"short"));
        assert_eq!(wrap("a\n"), "a\n");
        let digest = "x".repeat(120);
        assert_eq!(wrap(&digest), digest, "a long word is not broken");
        let row = format!("a  b  {}", "c ".repeat(60));
        assert_eq!(wrap(&row), row, "a table row is not wrapped");
        let aligned = format!("  released:   {}", "Apache-2.0, ".repeat(12));
        let wrapped = wrap(&aligned);
        assert!(wrapped.contains("\n              Apache-2.0"), "{wrapped}");
    }
}
