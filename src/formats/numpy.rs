//! numpy arrays as numpy and ml_dtypes pickle them, read from a parsed
//! [`Pickle`] without touching their payload.

use super::pickle::{CallKind, Escapes, Node, NodeId, Pickle, Span};
use super::tensor::checked_elements;
use super::DType;

/// A decoded numpy array: its shape, element type and where its bytes are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Array {
    /// Shape, outermost dimension first.
    pub shape: Vec<u64>,
    /// Element type.
    pub dtype: DType,
    /// The raw element bytes (C order, little-endian).
    pub data: Span,
}

/// A decoding failure at a byte offset of the pickle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// Byte offset of the opcode that made the offending value.
    pub offset: u64,
    /// What is wrong.
    pub message: String,
}

type DResult<T> = Result<T, DecodeError>;

fn fail<T>(p: &Pickle, id: NodeId, message: impl Into<String>) -> DResult<T> {
    Err(DecodeError {
        offset: p.offset(id),
        message: message.into(),
    })
}

/// An object node's call kind, callable's `(module, name)`, args and state.
type ObjectParts<'p> = (CallKind, (&'p str, &'p str), NodeId, Option<NodeId>);

fn object<'p>(p: &'p Pickle, id: NodeId) -> Option<ObjectParts<'p>> {
    match p.node(id) {
        Node::Object {
            kind,
            callable,
            args,
            state,
            ..
        } => Some((*kind, p.global(*callable)?, *args, *state)),
        _ => None,
    }
}

/// Whether a node is a pickled numpy array (either pickling of numpy 1.x or 2.x).
pub fn is_array(p: &Pickle, id: NodeId) -> bool {
    matches!(object(p, id), Some((_, (m, n), _, _))
        if ((m == "numpy.core.multiarray" || m == "numpy._core.multiarray") && n == "_reconstruct")
            || ((m == "numpy.core.numeric" || m == "numpy._core.numeric") && n == "_frombuffer"))
}

/// The payload of an array: its bytes as a span of the file, and how many
/// bytes they stand for. Protocols 3-5 store them raw (BINBYTES,
/// BYTEARRAY8); protocol 2 cannot hold bytes, so numpy writes
/// `_codecs.encode(text, 'latin1')` with one character per byte, stored as
/// UTF-8 (characters 0x80-0xFF take two bytes in the file).
fn payload(p: &Pickle, id: NodeId) -> DResult<(Span, u64)> {
    match p.node(id) {
        Node::Bytes(span) => Ok((*span, span.len)),
        _ => {
            match object(p, id) {
                Some((CallKind::Reduce, ("_codecs", "encode"), args, None)) => {
                    let a = p.seq(args).unwrap_or(&[]);
                    let [text, encoding] = a else {
                        return fail(p, args, "_codecs.encode takes (text, encoding)");
                    };
                    if p.str(*encoding) != Some("latin1") {
                        return fail(p, *encoding, "array payload encoding is not latin1");
                    }
                    match p.node(*text) {
                    Node::Str(span) => {
                        let Some(s) = p.str(*text) else {
                            return fail(p, *text, "array payload is not UTF-8 text");
                        };
                        let mut n = 0u64;
                        for c in s.chars() {
                            if u32::from(c) > 0xFF {
                                return fail(p, *text, "array payload has a character beyond latin1");
                            }
                            n += 1;
                        }
                        Ok((*span, n))
                    }
                    // Protocol 0 writes the text as raw-unicode-escape.
                    Node::EscapedStr(span, Escapes::RawUnicode) => match latin1_chars(p.bytes(*span)) {
                        Some(n) => Ok((*span, n)),
                        None => fail(p, *text, "array payload has a character beyond latin1 or a broken \\u escape"),
                    },
                    _ => fail(p, *text, "array payload is not a text string"),
                }
                }
                _ => fail(p, id, "array payload is not a bytes object"),
            }
        }
    }
}

/// How many characters raw-unicode-escape text stands for, if all are
/// latin-1: each byte is one, except `\\uXXXX` (and `\\UXXXXXXXX`), one
/// character written as an escape.
fn latin1_chars(text: &[u8]) -> Option<u64> {
    let mut n = 0u64;
    let mut i = 0;
    while i < text.len() {
        let digits = match (text[i], text.get(i + 1)) {
            (b'\\', Some(b'u')) => 4,
            (b'\\', Some(b'U')) => 8,
            _ => 0,
        };
        if digits > 0 {
            let hex = text.get(i + 2..i + 2 + digits)?;
            if !hex.iter().all(u8::is_ascii_hexdigit) {
                return None;
            }
            let hex = std::str::from_utf8(hex).ok()?;
            if u32::from_str_radix(hex, 16).ok()? > 0xFF {
                return None;
            }
            i += 2 + digits;
        } else {
            i += 1;
        }
        n += 1;
    }
    Some(n)
}

/// Decodes the array at `id`, checking that its payload holds exactly its
/// elements, in C order, little-endian.
pub fn decode_array(p: &Pickle, id: NodeId) -> DResult<Array> {
    let Some((_, (_, func), args, state)) = object(p, id).filter(|_| is_array(p, id)) else {
        return fail(
            p,
            id,
            "expected a numpy array (numpy.core.multiarray._reconstruct)",
        );
    };
    let (shape_id, dtype_id, fortran, data_id) = if func == "_frombuffer" {
        // _frombuffer(buffer, dtype, shape, order)
        let a = p.seq(args).unwrap_or(&[]);
        let [buf, dt, shape, order] = a else {
            return fail(p, args, "_frombuffer takes (buffer, dtype, shape, order)");
        };
        (*shape, *dt, p.str(*order) == Some("F"), *buf)
    } else {
        let Some(state) = state else {
            return fail(p, id, "numpy array without state (no BUILD)");
        };
        let s = p.seq(state).unwrap_or(&[]);
        let [version, shape, dt, fortran, data] = s else {
            return fail(
                p,
                state,
                format!("array state has {} items, expected 5", s.len()),
            );
        };
        if p.int(*version) != Some(1) {
            return fail(p, *version, "array state version is not 1");
        }
        let fortran = match p.node(*fortran) {
            Node::Bool(b) => *b,
            _ => return fail(p, *fortran, "array fortran flag is not a bool"),
        };
        (*shape, *dt, fortran, *data)
    };
    let shape = decode_shape(p, shape_id)?;
    let dtype = decode_dtype(p, dtype_id)?;
    if fortran && shape.iter().filter(|&&d| d > 1).count() > 1 {
        return fail(p, id, "Fortran-ordered array (only C order is supported)");
    }
    let (data, data_len) = payload(p, data_id)?;
    let Some(expected) = checked_elements(&shape).and_then(|n| n.checked_mul(dtype.itemsize()))
    else {
        return fail(p, shape_id, "shape's element count overflows 64 bits");
    };
    if data_len != expected {
        return fail(
            p,
            data_id,
            format!(
                "array payload is {} bytes but shape {:?} of {} needs {}",
                data_len, shape, dtype, expected
            ),
        );
    }
    Ok(Array { shape, dtype, data })
}

fn decode_shape(p: &Pickle, id: NodeId) -> DResult<Vec<u64>> {
    let Some(items) = p.seq(id) else {
        return fail(p, id, "array shape is not a tuple");
    };
    if items.len() > 32 {
        return fail(
            p,
            id,
            format!("array has {} dimensions (numpy allows 32)", items.len()),
        );
    }
    items
        .iter()
        .map(|&d| match p.node(d) {
            Node::Int(v) if *v >= 0 => Ok(*v as u64),
            Node::BigInt(_) => fail(p, d, "array dimension does not fit in 64 bits"),
            _ => fail(p, d, "array dimension is not a non-negative integer"),
        })
        .collect()
}

/// Decodes a pickled `numpy.dtype` (a numpy type string or an ml_dtypes type).
pub fn decode_dtype(p: &Pickle, id: NodeId) -> DResult<DType> {
    let Some((_, ("numpy", "dtype"), args, state)) = object(p, id) else {
        return fail(p, id, "expected a numpy.dtype");
    };
    let Some(&first) = p.seq(args).and_then(|a| a.first()) else {
        return fail(p, args, "numpy.dtype without arguments");
    };
    let dtype = if let Some(code) = p.str(first) {
        // Byte order may prefix the code in older pickles.
        let bare = code.trim_start_matches(['<', '>', '|', '=']);
        match DType::from_numpy_code(bare) {
            Some(d) => d,
            None => return fail(p, first, format!("unsupported numpy dtype {code:?}")),
        }
    } else if let Some(("ml_dtypes", name)) = p.global(first) {
        match super::dtype::ALL
            .iter()
            .find(|d| d.ml_dtypes_name() == Some(name))
        {
            Some(d) => *d,
            None => return fail(p, first, format!("unsupported ml_dtypes type {name}")),
        }
    } else {
        return fail(
            p,
            first,
            "numpy.dtype argument is neither a type string nor an ml_dtypes type",
        );
    };
    if let Some(state) = state {
        let order = p.seq(state).and_then(|s| s.get(1)).and_then(|&o| p.str(o));
        match order {
            Some("<") | Some("|") | Some("=") => {}
            Some(">") if dtype.has_byte_order() => {
                return fail(
                    p,
                    state,
                    format!("big-endian {dtype} (only little-endian is supported)"),
                )
            }
            Some(">") => {}
            other => {
                return fail(
                    p,
                    state,
                    format!("dtype byte order {other:?} not understood"),
                )
            }
        }
    }
    Ok(dtype)
}
