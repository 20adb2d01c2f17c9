//! Magnet links found in free text (a README), with their info-hashes.
//!
//! A README is Markdown or HTML, so a link ends at whitespace or at the
//! characters that close Markdown and HTML constructs; `&amp;` is read as
//! `&` because HTML-escaped magnets are common in rendered READMEs.

use serde::Serialize;

/// A magnet link and what it names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MagnetLink {
    /// The link as written.
    pub uri: String,
    /// 1-based line where it appears in the text it was found in.
    pub line: usize,
    /// BitTorrent v1 info-hash, lowercase hex, when `xt=urn:btih:` is present
    /// and well-formed (40 hex digits or 32 base32 characters).
    pub info_hash: Option<String>,
    /// `dn`: the display name.
    pub display_name: Option<String>,
    /// `tr`: the trackers, percent-decoded.
    pub trackers: Vec<String>,
}

/// Every magnet link in `text`, in order.
pub fn find_magnets(text: &str) -> Vec<MagnetLink> {
    let mut out = Vec::new();
    let mut from = 0;
    // Lines are counted from the previous link on, not from the start for
    // every link (100,000 links made that quadratic).
    let (mut line, mut counted) = (1, 0);
    while let Some(rel) = text[from..].find("magnet:?") {
        let start = from + rel;
        let end = text[start..]
            .find(|c: char| c.is_whitespace() || "()[]<>\"'`|".contains(c))
            .map_or(text.len(), |e| start + e);
        line += text[counted..start].matches('\n').count();
        counted = start;
        out.push(parse_magnet(&text[start..end], line));
        from = end;
    }
    out
}

/// Parses one magnet URI (starting with `magnet:?`).
pub fn parse_magnet(uri: &str, line: usize) -> MagnetLink {
    let query = uri.strip_prefix("magnet:?").unwrap_or(uri);
    let mut link = MagnetLink {
        uri: uri.to_string(),
        line,
        info_hash: None,
        display_name: None,
        trackers: Vec::new(),
    };
    for part in query.split('&') {
        let part = part.strip_prefix("amp;").unwrap_or(part);
        let (key, value) = part.split_once('=').unwrap_or((part, ""));
        let value = percent_decode(value);
        match key {
            "xt" if link.info_hash.is_none() => {
                link.info_hash = value.strip_prefix("urn:btih:").and_then(info_hash_hex);
            }
            "dn" => link.display_name = Some(value),
            "tr" => link.trackers.push(value),
            _ => {}
        }
    }
    link
}

/// An info-hash as lowercase hex, from 40 hex digits or 32 base32 characters.
pub fn info_hash_hex(s: &str) -> Option<String> {
    if s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Some(s.to_ascii_lowercase());
    }
    if s.len() == 32 {
        return base32_decode(s).map(hex::encode);
    }
    None
}

fn base32_decode(s: &str) -> Option<Vec<u8>> {
    let mut bits: u64 = 0;
    let mut nbits = 0;
    let mut out = Vec::with_capacity(s.len() * 5 / 8);
    for c in s.bytes() {
        let v = match c.to_ascii_uppercase() {
            c @ b'A'..=b'Z' => c - b'A',
            c @ b'2'..=b'7' => c - b'2' + 26,
            _ => return None,
        };
        bits = (bits << 5) | u64::from(v);
        nbits += 5;
        if nbits >= 8 {
            nbits -= 8;
            out.push((bits >> nbits) as u8);
            bits &= (1 << nbits) - 1;
        }
    }
    Some(out)
}

/// Decodes `%XX` escapes and `+`; malformed escapes are kept as written.
pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => {
                match std::str::from_utf8(&b[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                {
                    Some(v) => {
                        out.push(v);
                        i += 3;
                    }
                    None => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const GROK: &str = "magnet:?xt=urn:btih:5f96d43576e3d386c9ba65b883210a393b68210e&tr=https%3A%2F%2Facademictorrents.com%2Fannounce.php&tr=udp%3A%2F%2Ftracker.coppersurfer.tk%3A6969&tr=udp%3A%2F%2Ftracker.opentrackr.org%3A1337%2Fannounce";

    #[test]
    fn finds_magnets_in_markdown() {
        let text = format!(
            "# Title\n\nDownload:\n```\n{GROK}\n```\nor [link]({}) and <a href=\"{}\">",
            GROK.replace("5f96d4", "5F96D4"),
            GROK.replace('&', "&amp;")
        );
        let links = find_magnets(&text);
        assert_eq!(links.len(), 3);
        for l in &links {
            assert_eq!(
                l.info_hash.as_deref(),
                Some("5f96d43576e3d386c9ba65b883210a393b68210e")
            );
            assert_eq!(l.trackers.len(), 3);
            assert_eq!(l.trackers[0], "https://academictorrents.com/announce.php");
        }
        assert_eq!(links[0].line, 5);
        assert_eq!(links[0].uri, GROK);
    }

    #[test]
    fn base32_and_bad_hashes() {
        // 20 zero bytes in base32 are 32 'A's.
        let l = parse_magnet(
            &format!("magnet:?xt=urn:btih:{}&dn=x%20y", "A".repeat(32)),
            1,
        );
        assert_eq!(l.info_hash.as_deref(), Some(&"0".repeat(40)[..]));
        assert_eq!(l.display_name.as_deref(), Some("x y"));
        assert_eq!(parse_magnet("magnet:?xt=urn:btih:1234", 1).info_hash, None);
        assert_eq!(parse_magnet("magnet:?dn=only", 1).info_hash, None);
        assert_eq!(percent_decode("a%2"), "a%2");
        assert_eq!(percent_decode("%zz%41"), "%zzA");
    }
}
