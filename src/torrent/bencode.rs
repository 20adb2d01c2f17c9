//! A strict bencode decoder and a canonical encoder.
//!
//! Strict means every value has exactly one accepted spelling: integers
//! without leading zeros or `-0`, string lengths without leading zeros,
//! dictionary keys unique and in ascending byte order, nothing after the
//! top-level value. A strict decoder cannot be tricked into hashing one
//! thing and showing another, and it makes re-encoding byte-exact.
//!
//! Every decoded value keeps the raw bytes it was decoded from, because a
//! BitTorrent info-hash is the SHA-1 of the info dictionary exactly as it
//! appears in the file, not of a re-encoding.

use std::fmt;

/// Limits that keep hostile input from exhausting the stack or memory.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Deepest allowed nesting of lists and dictionaries.
    pub max_depth: usize,
    /// Largest accepted input, in bytes.
    pub max_input: usize,
    /// Most values (of any kind) in one document.
    pub max_values: usize,
}

impl Default for Limits {
    fn default() -> Self {
        // Real .torrent files nest 5 deep and hold a few entries per file;
        // 10 million values is a multi-file torrent far beyond any release.
        Limits {
            max_depth: 64,
            max_input: 256 << 20,
            max_values: 10_000_000,
        }
    }
}

/// A decoding error at a byte offset of the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// Offset of the offending byte.
    pub offset: usize,
    /// What is wrong there.
    pub message: String,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "byte {}: {}", self.offset, self.message)
    }
}

impl std::error::Error for DecodeError {}

/// A decoded value borrowing from the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Value<'a> {
    /// Offset of the value's first byte in the input.
    pub offset: usize,
    /// The exact input bytes this value was decoded from.
    pub raw: &'a [u8],
    /// The value itself.
    pub kind: Kind<'a>,
}

/// The four bencode types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind<'a> {
    /// `i<digits>e`
    Int(i64),
    /// `<len>:<bytes>`
    Bytes(&'a [u8]),
    /// `l<values>e`
    List(Vec<Value<'a>>),
    /// `d<key><value>...e`, keys in ascending order.
    Dict(Vec<(&'a [u8], Value<'a>)>),
}

impl<'a> Value<'a> {
    /// The dictionary entry for `key`, if this is a dictionary holding it.
    pub fn get(&self, key: &str) -> Option<&Value<'a>> {
        match &self.kind {
            Kind::Dict(entries) => entries
                .binary_search_by(|(k, _)| (*k).cmp(key.as_bytes()))
                .ok()
                .map(|i| &entries[i].1),
            _ => None,
        }
    }

    /// The integer, if this is one.
    pub fn as_int(&self) -> Option<i64> {
        match self.kind {
            Kind::Int(n) => Some(n),
            _ => None,
        }
    }

    /// The byte string, if this is one.
    pub fn as_bytes(&self) -> Option<&'a [u8]> {
        match self.kind {
            Kind::Bytes(b) => Some(b),
            _ => None,
        }
    }

    /// The list items, if this is a list.
    pub fn as_list(&self) -> Option<&[Value<'a>]> {
        match &self.kind {
            Kind::List(items) => Some(items),
            _ => None,
        }
    }

    /// The dictionary entries, if this is a dictionary.
    pub fn as_dict(&self) -> Option<&[(&'a [u8], Value<'a>)]> {
        match &self.kind {
            Kind::Dict(entries) => Some(entries),
            _ => None,
        }
    }

    /// A short name of the value's type, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            Kind::Int(_) => "integer",
            Kind::Bytes(_) => "string",
            Kind::List(_) => "list",
            Kind::Dict(_) => "dictionary",
        }
    }
}

/// Decodes one complete bencoded document with the default [`Limits`].
pub fn decode(input: &[u8]) -> Result<Value<'_>, DecodeError> {
    decode_with(input, Limits::default())
}

/// Decodes one complete bencoded document; trailing bytes are an error.
pub fn decode_with(input: &[u8], limits: Limits) -> Result<Value<'_>, DecodeError> {
    if input.len() > limits.max_input {
        return Err(DecodeError {
            offset: limits.max_input,
            message: format!(
                "input is {} bytes, more than the {} byte limit",
                input.len(),
                limits.max_input
            ),
        });
    }
    let mut d = Decoder {
        input,
        pos: 0,
        limits,
        values: 0,
    };
    let value = d.value(0)?;
    if d.pos != input.len() {
        return Err(d.err(format!(
            "{} unexpected bytes after the end of the document",
            input.len() - d.pos
        )));
    }
    Ok(value)
}

struct Decoder<'a> {
    input: &'a [u8],
    pos: usize,
    limits: Limits,
    values: usize,
}

impl<'a> Decoder<'a> {
    fn err(&self, message: impl Into<String>) -> DecodeError {
        DecodeError {
            offset: self.pos,
            message: message.into(),
        }
    }

    fn peek(&self) -> Result<u8, DecodeError> {
        self.input
            .get(self.pos)
            .copied()
            .ok_or_else(|| self.err("unexpected end of input"))
    }

    fn value(&mut self, depth: usize) -> Result<Value<'a>, DecodeError> {
        self.values += 1;
        if self.values > self.limits.max_values {
            return Err(self.err(format!(
                "more than {} values in one document",
                self.limits.max_values
            )));
        }
        let start = self.pos;
        let kind = match self.peek()? {
            b'i' => Kind::Int(self.int()?),
            b'0'..=b'9' => Kind::Bytes(self.bytes()?),
            b'l' | b'd' if depth >= self.limits.max_depth => {
                return Err(self.err(format!(
                    "nesting deeper than {} levels",
                    self.limits.max_depth
                )))
            }
            b'l' => {
                self.pos += 1;
                let mut items = Vec::new();
                while self.peek()? != b'e' {
                    items.push(self.value(depth + 1)?);
                }
                self.pos += 1;
                Kind::List(items)
            }
            b'd' => {
                self.pos += 1;
                let mut entries: Vec<(&'a [u8], Value<'a>)> = Vec::new();
                while self.peek()? != b'e' {
                    let key_at = self.pos;
                    if !self.peek()?.is_ascii_digit() {
                        return Err(self.err("dictionary key is not a string"));
                    }
                    let key = self.bytes()?;
                    if let Some((prev, _)) = entries.last() {
                        if key <= *prev {
                            return Err(DecodeError {
                                offset: key_at,
                                message: format!(
                                    "dictionary key {:?} is {} (keys must be unique and sorted)",
                                    String::from_utf8_lossy(key),
                                    if key == *prev {
                                        "a duplicate"
                                    } else {
                                        "out of order"
                                    }
                                ),
                            });
                        }
                    }
                    let value = self.value(depth + 1)?;
                    entries.push((key, value));
                }
                self.pos += 1;
                Kind::Dict(entries)
            }
            other => return Err(self.err(format!("expected a value, found byte 0x{other:02x}"))),
        };
        Ok(Value {
            offset: start,
            raw: &self.input[start..self.pos],
            kind,
        })
    }

    fn int(&mut self) -> Result<i64, DecodeError> {
        let start = self.pos;
        self.pos += 1; // 'i'
        let end = self.input[self.pos..]
            .iter()
            .position(|&b| b == b'e')
            .map(|p| self.pos + p)
            .ok_or_else(|| self.err("integer without terminating 'e'"))?;
        let text = &self.input[self.pos..end];
        let digits = text.strip_prefix(b"-").unwrap_or(text);
        let bad = |msg: &str| DecodeError {
            offset: start,
            message: format!("{msg}: {:?}", String::from_utf8_lossy(text)),
        };
        if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
            return Err(bad("malformed integer"));
        }
        if digits.len() > 1 && digits[0] == b'0' {
            return Err(bad("integer with a leading zero"));
        }
        if text == b"-0" {
            return Err(bad("negative zero"));
        }
        let n = std::str::from_utf8(text)
            .ok()
            .and_then(|s| s.parse::<i64>().ok())
            .ok_or_else(|| bad("integer out of the 64-bit range"))?;
        self.pos = end + 1;
        Ok(n)
    }

    fn bytes(&mut self) -> Result<&'a [u8], DecodeError> {
        let start = self.pos;
        let colon = self.input[self.pos..]
            .iter()
            .take(21)
            .position(|&b| b == b':')
            .map(|p| self.pos + p)
            .ok_or_else(|| self.err("string length without ':'"))?;
        let digits = &self.input[self.pos..colon];
        if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
            return Err(self.err("malformed string length"));
        }
        if digits.len() > 1 && digits[0] == b'0' {
            return Err(self.err("string length with a leading zero"));
        }
        let len: usize = std::str::from_utf8(digits)
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| self.err("string length out of range"))?;
        let data_start = colon + 1;
        let remaining = self.input.len() - data_start;
        if len > remaining {
            return Err(DecodeError {
                offset: start,
                message: format!("string of {len} bytes but only {remaining} bytes remain"),
            });
        }
        self.pos = data_start + len;
        Ok(&self.input[data_start..self.pos])
    }
}

/// Appends bencode to a buffer. Dictionaries must be written with their
/// keys already in ascending byte order; [`Encoder::dict`] checks it.
#[derive(Debug, Default)]
pub struct Encoder {
    out: Vec<u8>,
}

impl Encoder {
    /// An empty encoder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Writes an integer.
    pub fn int(&mut self, n: i64) -> &mut Self {
        self.out.push(b'i');
        self.out.extend_from_slice(n.to_string().as_bytes());
        self.out.push(b'e');
        self
    }

    /// Writes a byte string.
    pub fn bytes(&mut self, b: &[u8]) -> &mut Self {
        self.out.extend_from_slice(b.len().to_string().as_bytes());
        self.out.push(b':');
        self.out.extend_from_slice(b);
        self
    }

    /// Writes a list whose items `f` writes.
    pub fn list(&mut self, f: impl FnOnce(&mut Self)) -> &mut Self {
        self.out.push(b'l');
        f(self);
        self.out.push(b'e');
        self
    }

    /// Writes a dictionary; `f` adds entries through a [`DictEncoder`].
    pub fn dict(&mut self, f: impl FnOnce(&mut DictEncoder<'_>)) -> &mut Self {
        self.out.push(b'd');
        let mut d = DictEncoder {
            enc: self,
            last: None,
        };
        f(&mut d);
        self.out.push(b'e');
        self
    }

    /// Writes already-encoded bytes verbatim.
    pub fn raw(&mut self, b: &[u8]) -> &mut Self {
        self.out.extend_from_slice(b);
        self
    }

    /// The encoded bytes.
    pub fn finish(self) -> Vec<u8> {
        self.out
    }
}

/// Writes the entries of one dictionary, in key order.
pub struct DictEncoder<'e> {
    enc: &'e mut Encoder,
    last: Option<Vec<u8>>,
}

impl DictEncoder<'_> {
    /// Writes `key` and lets `f` write its value.
    ///
    /// # Panics
    /// If `key` does not sort after the previous key: that is a bug in the
    /// caller's (fixed) key order, never a property of user data.
    pub fn entry(&mut self, key: &str, f: impl FnOnce(&mut Encoder)) -> &mut Self {
        let key = key.as_bytes();
        assert!(
            self.last.as_deref().is_none_or(|prev| prev < key),
            "bencode dictionary keys written out of order"
        );
        self.last = Some(key.to_vec());
        self.enc.bytes(key);
        f(self.enc);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_nested_values_with_raw_spans() {
        let input = b"d3:bar4:spam3:fooi42e4:infold1:ai-3eeee";
        let v = decode(input).expect("valid");
        assert_eq!(v.get("bar").and_then(Value::as_bytes), Some(&b"spam"[..]));
        assert_eq!(v.get("foo").and_then(Value::as_int), Some(42));
        let info = v.get("info").expect("info");
        assert_eq!(info.raw, b"ld1:ai-3eee");
        assert_eq!(info.offset, 27);
        assert_eq!(v.raw, &input[..]);
    }

    fn err(input: &[u8]) -> DecodeError {
        decode(input).expect_err("should be refused")
    }

    #[test]
    fn refuses_non_canonical_spellings() {
        assert!(err(b"i03e").message.contains("leading zero"));
        assert!(err(b"i-0e").message.contains("negative zero"));
        assert!(err(b"ie").message.contains("malformed"));
        assert!(err(b"i1-2e").message.contains("malformed"));
        assert!(err(b"04:spam").message.contains("leading zero"));
        assert!(err(b"i99999999999999999999e").message.contains("64-bit"));
    }

    #[test]
    fn refuses_bad_dictionaries_with_offsets() {
        let e = err(b"d1:bi1e1:ai2ee");
        assert_eq!(e.offset, 7);
        assert!(e.message.contains("out of order"), "{e}");
        let e = err(b"d1:ai1e1:ai2ee");
        assert!(e.message.contains("duplicate"), "{e}");
        assert!(err(b"di1ei2ee").message.contains("not a string"));
    }

    #[test]
    fn refuses_truncation_and_trailing_garbage() {
        assert!(err(b"5:abc").message.contains("only 3 bytes remain"));
        assert!(err(b"l").message.contains("end of input"));
        let e = err(b"i1ei2e");
        assert_eq!(e.offset, 3);
        assert!(e.message.contains("unexpected bytes"));
        assert!(err(b"").message.contains("end of input"));
        assert!(err(b"x").message.contains("0x78"));
    }

    #[test]
    fn limits_depth_and_size() {
        let deep = format!("{}{}", "l".repeat(100), "e".repeat(100));
        let e = err(deep.as_bytes());
        assert!(e.message.contains("nesting deeper than 64"), "{e}");
        assert_eq!(e.offset, 64);
        let small = Limits {
            max_input: 4,
            ..Limits::default()
        };
        assert!(decode_with(b"4:abcd", small)
            .expect_err("too big")
            .message
            .contains("limit"));
        let few = Limits {
            max_values: 2,
            ..Limits::default()
        };
        assert!(decode_with(b"li1ei2ee", few).is_err());
    }

    #[test]
    fn huge_declared_string_length_does_not_allocate() {
        let e = err(b"99999999999999999999:x");
        assert!(e.message.contains("out of range") || e.message.contains("remain"));
    }

    #[test]
    fn encoder_round_trips() {
        let mut e = Encoder::new();
        e.dict(|d| {
            d.entry("a", |e| {
                e.int(-7);
            });
            d.entry("b", |e| {
                e.list(|e| {
                    e.bytes(b"x").int(0);
                });
            });
        });
        let bytes = e.finish();
        assert_eq!(bytes, b"d1:ai-7e1:bl1:xi0eee");
        assert_eq!(decode(&bytes).expect("valid").raw, &bytes[..]);
    }
}
