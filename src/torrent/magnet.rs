//! Magnet URIs (BEP 9): the info-hash, display name, trackers and peers.
//!
//! weightcheck never fetches metadata from peers; a magnet link is used to
//! check that a .torrent is the one a publisher meant (same info-hash).

use serde::Serialize;

use super::InfoHash;
use crate::{Error, Result};

/// A parsed magnet link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Magnet {
    /// The BitTorrent v1 info-hash from `xt=urn:btih:` (hex or base32).
    pub info_hash: InfoHash,
    /// The display name (`dn`), percent-decoded.
    pub display_name: Option<String>,
    /// Tracker URLs (`tr`, `tr.1`, ...), percent-decoded, in order.
    pub trackers: Vec<String>,
    /// Peer addresses (`x.pe`), `host:port`, percent-decoded.
    pub peers: Vec<String>,
    /// Whether the link also carries a v2 hash (`urn:btmh:`).
    pub has_v2_hash: bool,
}

impl Magnet {
    /// Parses `magnet:?xt=urn:btih:...&dn=...&tr=...&x.pe=...`.
    pub fn parse(uri: &str) -> Result<Self> {
        let bad = |msg: String| Error::Invalid(format!("magnet link: {msg}"));
        let query = uri
            .strip_prefix("magnet:?")
            .or_else(|| uri.strip_prefix("MAGNET:?"))
            .ok_or_else(|| bad("does not start with 'magnet:?'".into()))?;
        let mut info_hash = None;
        let mut display_name = None;
        let mut trackers = Vec::new();
        let mut peers = Vec::new();
        let mut has_v2_hash = false;
        for param in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = param.split_once('=').unwrap_or((param, ""));
            // Clients number repeated keys: xt.1, tr.2, ...
            let base = key.split_once('.').map_or(key, |(b, n)| {
                if n.bytes().all(|c| c.is_ascii_digit()) {
                    b
                } else {
                    key
                }
            });
            match base {
                "xt" => {
                    let v = percent_decode(value, false).map_err(bad)?;
                    if let Some(h) = strip_prefix_ci(&v, "urn:btih:") {
                        let h = InfoHash::parse(h).map_err(bad)?;
                        if info_hash.is_some_and(|prev| prev != h) {
                            return Err(bad("two different btih info-hashes".into()));
                        }
                        info_hash = Some(h);
                    } else if strip_prefix_ci(&v, "urn:btmh:").is_some() {
                        has_v2_hash = true;
                    }
                }
                "dn" => display_name = Some(percent_decode(value, true).map_err(bad)?),
                "tr" => trackers.push(percent_decode(value, false).map_err(bad)?),
                "x.pe" => peers.push(percent_decode(value, false).map_err(bad)?),
                _ => {}
            }
        }
        let info_hash = info_hash.ok_or_else(|| {
            bad(if has_v2_hash {
                "only a v2 hash (urn:btmh); v2 is not supported yet".into()
            } else {
                "no 'xt=urn:btih:' info-hash".into()
            })
        })?;
        Ok(Magnet {
            info_hash,
            display_name,
            trackers,
            peers,
            has_v2_hash,
        })
    }

    /// The info-hash in lower-case hex.
    pub fn info_hash_hex(&self) -> String {
        self.info_hash.to_string()
    }
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    if s.len() >= prefix.len()
        && s.is_char_boundary(prefix.len())
        && s[..prefix.len()].eq_ignore_ascii_case(prefix)
    {
        Some(&s[prefix.len()..])
    } else {
        None
    }
}

/// Decodes `%XX` escapes (and `+` as a space when `plus_is_space`).
fn percent_decode(s: &str, plus_is_space: bool) -> std::result::Result<String, String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hex = b
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| format!("bad percent escape at character {i} of {s:?}"))?;
                out.push(hex);
                i += 3;
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| format!("{s:?} does not decode to UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "c12fe1c06bba254a9dc9f519b335aa7c1367a88a";

    #[test]
    fn parses_hex_magnet_with_everything() {
        let m = Magnet::parse(&format!(
            "magnet:?xt=urn:btih:{}&dn=grok-1%20ckpt+v1&tr=udp%3A%2F%2Ftracker.example%3A1337&tr.1=http://b/announce&x.pe=10.0.0.1:6881&x.pe=%5B%3A%3A1%5D:51413",
            HEX.to_uppercase()
        ))
        .expect("valid");
        assert_eq!(m.info_hash_hex(), HEX);
        assert_eq!(m.display_name.as_deref(), Some("grok-1 ckpt v1"));
        assert_eq!(
            m.trackers,
            vec!["udp://tracker.example:1337", "http://b/announce"]
        );
        assert_eq!(m.peers, vec!["10.0.0.1:6881", "[::1]:51413"]);
        assert!(!m.has_v2_hash);
    }

    #[test]
    fn parses_base32() {
        // base32 of the same 20 bytes
        let m =
            Magnet::parse("magnet:?xt=urn:btih:YEX6DQDLXISUVHOJ6UM3GNNKPQJWPKEK").expect("valid");
        assert_eq!(m.info_hash_hex(), HEX);
    }

    #[test]
    fn refuses_bad_links() {
        let e = |s: &str| Magnet::parse(s).expect_err(s).to_string();
        assert!(e("http://x").contains("magnet:?"));
        assert!(e("magnet:?dn=x").contains("no 'xt=urn:btih:'"));
        assert!(e("magnet:?xt=urn:btih:abc").contains("3 characters"));
        assert!(e("magnet:?xt=urn:btih:zz2fe1c06bba254a9dc9f519b335aa7c1367a88a").contains("hex"));
        assert!(e("magnet:?xt=urn:btih:11111111111111111111111111111110").contains("base32"));
        assert!(e(&format!("magnet:?xt=urn:btih:{HEX}&dn=%zz")).contains("percent"));
        assert!(e("magnet:?xt=urn:btmh:1220abcd").contains("v2"));
    }
}
