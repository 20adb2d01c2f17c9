//! GGUF metadata values as kept in memory: typed, with long strings and
//! arrays cut to their start (their full length kept), so that what a file
//! of any size costs to hold is bounded.

use serde::ser::{Serialize, SerializeMap, Serializer};

use super::types::ValueType;

/// Elements of an array kept (and printed); the rest are read, checked
/// and counted.
pub const ARRAY_HEAD: usize = 8;

/// Bytes of a string kept: chat templates (a few KiB) fit whole.
pub const STRING_HEAD: usize = 64 * 1024;

/// A string as stored: its first [`STRING_HEAD`] bytes (invalid UTF-8
/// replaced) and its length in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Text {
    /// The kept text.
    pub text: String,
    /// Bytes in the file.
    pub len: u64,
}

/// An array as stored: its element type, its length, and its first
/// [`ARRAY_HEAD`] elements.
#[derive(Debug, Clone, PartialEq)]
pub struct Array {
    /// Type of every element.
    pub element: ValueType,
    /// Elements in the file.
    pub len: u64,
    /// The first elements.
    pub head: Vec<Value>,
}

/// One metadata value.
#[derive(Debug, Clone, PartialEq)]
#[allow(missing_docs)]
pub enum Value {
    U8(u8),
    I8(i8),
    U16(u16),
    I16(i16),
    U32(u32),
    I32(i32),
    F32(f32),
    Bool(bool),
    String(Text),
    Array(Array),
    U64(u64),
    I64(i64),
    F64(f64),
}

impl Value {
    /// Its type.
    pub fn value_type(&self) -> ValueType {
        match self {
            Value::U8(_) => ValueType::U8,
            Value::I8(_) => ValueType::I8,
            Value::U16(_) => ValueType::U16,
            Value::I16(_) => ValueType::I16,
            Value::U32(_) => ValueType::U32,
            Value::I32(_) => ValueType::I32,
            Value::F32(_) => ValueType::F32,
            Value::Bool(_) => ValueType::Bool,
            Value::String(_) => ValueType::String,
            Value::Array(_) => ValueType::Array,
            Value::U64(_) => ValueType::U64,
            Value::I64(_) => ValueType::I64,
            Value::F64(_) => ValueType::F64,
        }
    }

    /// The value for people: strings quoted (not yet escaped for a
    /// terminal), arrays as `[type; len] [first, ...]`.
    pub fn display(&self) -> String {
        match self {
            Value::U8(v) => v.to_string(),
            Value::I8(v) => v.to_string(),
            Value::U16(v) => v.to_string(),
            Value::I16(v) => v.to_string(),
            Value::U32(v) => v.to_string(),
            Value::I32(v) => v.to_string(),
            Value::F32(v) => v.to_string(),
            Value::Bool(v) => v.to_string(),
            Value::U64(v) => v.to_string(),
            Value::I64(v) => v.to_string(),
            Value::F64(v) => v.to_string(),
            Value::String(t) => format!("{:?}", t.text),
            Value::Array(a) => {
                let items: Vec<String> = a.head.iter().map(Value::display).collect();
                let more = if a.len > a.head.len() as u64 {
                    ", ..."
                } else {
                    ""
                };
                format!(
                    "[{}; {}] [{}{more}]",
                    a.element.name(),
                    a.len,
                    items.join(", ")
                )
            }
        }
    }
}

/// One key and its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Kv {
    /// The key (`general.architecture`).
    pub key: String,
    /// Its value.
    pub value: Value,
}

/// As JSON: `{"key", "type", "value"}`, with `len` for strings (bytes) and
/// arrays (elements), and `element_type` for arrays, whose `value` holds
/// the first [`ARRAY_HEAD`] elements (nested arrays as objects without a
/// key).
impl Serialize for Kv {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        typed(Some(&self.key), &self.value, s)
    }
}

/// An array element: plain JSON for scalars and strings, an object for a
/// nested array.
struct Element<'a>(&'a Value);

impl Serialize for Element<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Array(_) => typed(None, self.0, s),
            other => plain(other, s),
        }
    }
}

fn typed<S: Serializer>(key: Option<&str>, value: &Value, s: S) -> Result<S::Ok, S::Error> {
    let mut m = s.serialize_map(None)?;
    if let Some(key) = key {
        m.serialize_entry("key", key)?;
    }
    m.serialize_entry("type", &value.value_type())?;
    match value {
        Value::String(t) => m.serialize_entry("len", &t.len)?,
        Value::Array(a) => {
            m.serialize_entry("element_type", &a.element)?;
            m.serialize_entry("len", &a.len)?;
        }
        _ => {}
    }
    m.serialize_entry("value", &Plain(value))?;
    m.end()
}

/// A value without its type around it.
struct Plain<'a>(&'a Value);

impl Serialize for Plain<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        plain(self.0, s)
    }
}

fn plain<S: Serializer>(value: &Value, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Value::U8(v) => s.serialize_u8(*v),
        Value::I8(v) => s.serialize_i8(*v),
        Value::U16(v) => s.serialize_u16(*v),
        Value::I16(v) => s.serialize_i16(*v),
        Value::U32(v) => s.serialize_u32(*v),
        Value::I32(v) => s.serialize_i32(*v),
        Value::F32(v) => s.serialize_f32(*v),
        Value::Bool(v) => s.serialize_bool(*v),
        Value::U64(v) => s.serialize_u64(*v),
        Value::I64(v) => s.serialize_i64(*v),
        Value::F64(v) => s.serialize_f64(*v),
        Value::String(t) => s.serialize_str(&t.text),
        Value::Array(a) => s.collect_seq(a.head.iter().map(Element)),
    }
}
