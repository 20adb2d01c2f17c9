//! The BitTorrent v1 info-hash: SHA-1 of a torrent's bencoded info
//! dictionary, the identity magnet links, manifests and .torrent files are
//! compared by. One type so that a hex string and a base32 one, or upper
//! and lower case, can never be compared as text.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A v1 info-hash. Displays and serialises as lower-case hex.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct InfoHash(pub [u8; 20]);

impl InfoHash {
    /// Parses 40 hex digits or 32 base32 characters (both appear in magnet links).
    pub fn parse(h: &str) -> std::result::Result<Self, String> {
        let mut out = [0u8; 20];
        match h.len() {
            40 => hex::decode_to_slice(h, &mut out)
                .map_err(|_| format!("btih {h:?} is not 40 hex digits"))?,
            32 => {
                let mut acc: u64 = 0;
                let mut bits = 0;
                let mut n = 0;
                for c in h.bytes() {
                    let v = match c.to_ascii_uppercase() {
                        c @ b'A'..=b'Z' => c - b'A',
                        c @ b'2'..=b'7' => c - b'2' + 26,
                        _ => return Err(format!("btih {h:?} is not valid base32")),
                    };
                    acc = (acc << 5) | u64::from(v);
                    bits += 5;
                    if bits >= 8 {
                        bits -= 8;
                        out[n] = (acc >> bits) as u8;
                        n += 1;
                    }
                }
            }
            n => {
                return Err(format!(
                    "btih has {n} characters; expected 40 (hex) or 32 (base32)"
                ))
            }
        }
        Ok(InfoHash(out))
    }
}

impl fmt::Display for InfoHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&hex::encode(self.0))
    }
}

impl FromStr for InfoHash {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        InfoHash::parse(s)
    }
}

impl Serialize for InfoHash {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for InfoHash {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        InfoHash::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_and_base32_are_the_same_hash() {
        let hex: InfoHash = "5F96D43576E3D386C9BA65B883210A393B68210E".parse().unwrap();
        let b32: InfoHash = "L6LNINLW4PJYNSN2MW4IGIIKHE5WQIIO".parse().unwrap();
        assert_eq!(hex, b32);
        assert_eq!(hex.to_string(), "5f96d43576e3d386c9ba65b883210a393b68210e");
        assert!("5f96".parse::<InfoHash>().is_err());
    }
}
