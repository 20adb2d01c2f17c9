//! The element types of GGUF tensors (ggml types) and of its metadata
//! values, by the ids the file stores.

use serde::Serialize;

use crate::formats::DType;

/// A ggml tensor type: plain numbers, or blocks of quantised values that
/// share scales. Only ids in the table below exist; a file naming another
/// is refused with the id. Held as its place in the table (sorted by id,
/// so ordering by place orders by id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GgmlType(u8);

/// (id, name, elements per block, bytes per block, numpy equivalent).
/// The sizes are the layouts of ggml's block structs; tests/gguf.rs holds
/// this table against the pinned gguf package's `GGML_QUANT_SIZES`. Ids
/// 4, 5, 31–33 and 36–38 belonged to types ggml has since removed.
const TYPES: &[(u32, &str, u64, u64, Option<DType>)] = &[
    (0, "F32", 1, 4, Some(DType::Float32)),
    (1, "F16", 1, 2, Some(DType::Float16)),
    (2, "Q4_0", 32, 18, None),
    (3, "Q4_1", 32, 20, None),
    (6, "Q5_0", 32, 22, None),
    (7, "Q5_1", 32, 24, None),
    (8, "Q8_0", 32, 34, None),
    (9, "Q8_1", 32, 40, None),
    (10, "Q2_K", 256, 84, None),
    (11, "Q3_K", 256, 110, None),
    (12, "Q4_K", 256, 144, None),
    (13, "Q5_K", 256, 176, None),
    (14, "Q6_K", 256, 210, None),
    (15, "Q8_K", 256, 292, None),
    (16, "IQ2_XXS", 256, 66, None),
    (17, "IQ2_XS", 256, 74, None),
    (18, "IQ3_XXS", 256, 98, None),
    (19, "IQ1_S", 256, 50, None),
    (20, "IQ4_NL", 32, 18, None),
    (21, "IQ3_S", 256, 110, None),
    (22, "IQ2_S", 256, 82, None),
    (23, "IQ4_XS", 256, 136, None),
    (24, "I8", 1, 1, Some(DType::Int8)),
    (25, "I16", 1, 2, Some(DType::Int16)),
    (26, "I32", 1, 4, Some(DType::Int32)),
    (27, "I64", 1, 8, Some(DType::Int64)),
    (28, "F64", 1, 8, Some(DType::Float64)),
    (29, "IQ1_M", 256, 56, None),
    (30, "BF16", 1, 2, Some(DType::Bfloat16)),
    (34, "TQ1_0", 256, 54, None),
    (35, "TQ2_0", 256, 66, None),
    (39, "MXFP4", 32, 17, None),
    (40, "NVFP4", 64, 36, None),
    (41, "Q1_0", 128, 18, None),
];

impl GgmlType {
    /// The type with this id, if ggml has one.
    pub fn from_id(id: u32) -> Option<Self> {
        TYPES
            .iter()
            .position(|t| t.0 == id)
            .map(|i| GgmlType(i as u8))
    }

    /// Every type weightcheck knows, by id.
    pub fn all() -> impl Iterator<Item = GgmlType> {
        (0..TYPES.len()).map(|i| GgmlType(i as u8))
    }

    fn entry(self) -> &'static (u32, &'static str, u64, u64, Option<DType>) {
        &TYPES[usize::from(self.0)]
    }

    /// The id stored in the file.
    pub fn id(self) -> u32 {
        self.entry().0
    }

    /// ggml's name for it (`Q4_K`).
    pub fn name(self) -> &'static str {
        self.entry().1
    }

    /// Elements per block (1 for plain types).
    pub fn block_size(self) -> u64 {
        self.entry().2
    }

    /// Bytes per block.
    pub fn type_size(self) -> u64 {
        self.entry().3
    }

    /// The numpy type of the same layout, for plain types; `None` for
    /// block-quantised ones, which have no numpy equivalent.
    pub fn dtype(self) -> Option<DType> {
        self.entry().4
    }
}

impl Serialize for GgmlType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// The type of a metadata value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum ValueType {
    U8,
    I8,
    U16,
    I16,
    U32,
    I32,
    F32,
    Bool,
    String,
    Array,
    U64,
    I64,
    F64,
}

impl ValueType {
    /// The type with this id (0–12), if any.
    pub fn from_id(id: u32) -> Option<Self> {
        use ValueType::*;
        Some(match id {
            0 => U8,
            1 => I8,
            2 => U16,
            3 => I16,
            4 => U32,
            5 => I32,
            6 => F32,
            7 => Bool,
            8 => String,
            9 => Array,
            10 => U64,
            11 => I64,
            12 => F64,
            _ => return None,
        })
    }

    /// The name weightcheck prints (`u32`, `string`, `array`).
    pub fn name(self) -> &'static str {
        use ValueType::*;
        match self {
            U8 => "u8",
            I8 => "i8",
            U16 => "u16",
            I16 => "i16",
            U32 => "u32",
            I32 => "i32",
            F32 => "f32",
            Bool => "bool",
            String => "string",
            Array => "array",
            U64 => "u64",
            I64 => "i64",
            F64 => "f64",
        }
    }

    /// Bytes of a value of a fixed-size type; `None` for strings and arrays.
    pub fn fixed_size(self) -> Option<u64> {
        use ValueType::*;
        match self {
            U8 | I8 | Bool => Some(1),
            U16 | I16 => Some(2),
            U32 | I32 | F32 => Some(4),
            U64 | I64 | F64 => Some(8),
            String | Array => None,
        }
    }

    /// The fewest bytes a value of this type takes: what an element count
    /// is held against before anything is read (a string is at least its
    /// length, an array its element type and count).
    pub fn min_size(self) -> u64 {
        match self {
            ValueType::String => 8,
            ValueType::Array => 12,
            fixed => fixed.fixed_size().unwrap_or(1),
        }
    }
}

impl Serialize for ValueType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}
