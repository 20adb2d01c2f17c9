//! Element types, with the names each format uses for them.

use serde::{Deserialize, Serialize};

/// A tensor element type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
#[allow(missing_docs)]
#[non_exhaustive]
pub enum DType {
    Bool,
    Int8,
    Uint8,
    Int16,
    Uint16,
    Int32,
    Uint32,
    Int64,
    Uint64,
    Float16,
    Bfloat16,
    Float32,
    Float64,
    Float8E4m3fn,
    Float8E5m2,
}

impl DType {
    /// Bytes per element.
    pub fn itemsize(self) -> u64 {
        use DType::*;
        match self {
            Bool | Int8 | Uint8 | Float8E4m3fn | Float8E5m2 => 1,
            Int16 | Uint16 | Float16 | Bfloat16 => 2,
            Int32 | Uint32 | Float32 => 4,
            Int64 | Uint64 | Float64 => 8,
        }
    }

    /// The name weightcheck prints (numpy's spelling).
    pub fn name(self) -> &'static str {
        use DType::*;
        match self {
            Bool => "bool",
            Int8 => "int8",
            Uint8 => "uint8",
            Int16 => "int16",
            Uint16 => "uint16",
            Int32 => "int32",
            Uint32 => "uint32",
            Int64 => "int64",
            Uint64 => "uint64",
            Float16 => "float16",
            Bfloat16 => "bfloat16",
            Float32 => "float32",
            Float64 => "float64",
            Float8E4m3fn => "float8_e4m3fn",
            Float8E5m2 => "float8_e5m2",
        }
    }

    /// Parses the name weightcheck prints (as in manifests).
    pub fn from_name(name: &str) -> Option<Self> {
        ALL.iter().copied().find(|d| d.name() == name)
    }

    /// Parses a numpy type string without byte order (`f4`, `i1`, `b1`…).
    pub fn from_numpy_code(code: &str) -> Option<Self> {
        use DType::*;
        Some(match code {
            "b1" | "?" => Bool,
            "i1" => Int8,
            "u1" => Uint8,
            "i2" => Int16,
            "u2" => Uint16,
            "i4" => Int32,
            "u4" => Uint32,
            "i8" => Int64,
            "u8" => Uint64,
            "f2" => Float16,
            "f4" => Float32,
            "f8" => Float64,
            _ => return None,
        })
    }

    /// The numpy type string (`f4`…), or `None` for ml_dtypes' types.
    pub fn numpy_code(self) -> Option<&'static str> {
        use DType::*;
        Some(match self {
            Bool => "b1",
            Int8 => "i1",
            Uint8 => "u1",
            Int16 => "i2",
            Uint16 => "u2",
            Int32 => "i4",
            Uint32 => "u4",
            Int64 => "i8",
            Uint64 => "u8",
            Float16 => "f2",
            Float32 => "f4",
            Float64 => "f8",
            Bfloat16 | Float8E4m3fn | Float8E5m2 => return None,
        })
    }

    /// The ml_dtypes class name for the types numpy lacks.
    pub fn ml_dtypes_name(self) -> Option<&'static str> {
        match self {
            DType::Bfloat16 => Some("bfloat16"),
            DType::Float8E4m3fn => Some("float8_e4m3fn"),
            DType::Float8E5m2 => Some("float8_e5m2"),
            _ => None,
        }
    }

    /// Parses a safetensors header dtype (`BF16`, `F32`, `I64`…). Types
    /// weightcheck has no variant for (`F4`, `C64`, `F8_E8M0`…) give `None`.
    pub fn from_safetensors(name: &str) -> Option<Self> {
        use DType::*;
        Some(match name {
            "BOOL" => Bool,
            "I8" => Int8,
            "U8" => Uint8,
            "I16" => Int16,
            "U16" => Uint16,
            "I32" => Int32,
            "U32" => Uint32,
            "I64" => Int64,
            "U64" => Uint64,
            "F16" => Float16,
            "BF16" => Bfloat16,
            "F32" => Float32,
            "F64" => Float64,
            "F8_E4M3" => Float8E4m3fn,
            "F8_E5M2" => Float8E5m2,
            _ => return None,
        })
    }

    /// The safetensors header spelling.
    pub fn safetensors_name(self) -> &'static str {
        use DType::*;
        match self {
            Bool => "BOOL",
            Int8 => "I8",
            Uint8 => "U8",
            Int16 => "I16",
            Uint16 => "U16",
            Int32 => "I32",
            Uint32 => "U32",
            Int64 => "I64",
            Uint64 => "U64",
            Float16 => "F16",
            Bfloat16 => "BF16",
            Float32 => "F32",
            Float64 => "F64",
            Float8E4m3fn => "F8_E4M3",
            Float8E5m2 => "F8_E5M2",
        }
    }

    /// The element type of a legacy typed storage class pickled by
    /// `torch.save` (`FloatStorage`, `BFloat16Storage`…).
    pub fn from_torch_storage(class: &str) -> Option<Self> {
        use DType::*;
        Some(match class {
            "FloatStorage" => Float32,
            "DoubleStorage" => Float64,
            "HalfStorage" => Float16,
            "BFloat16Storage" => Bfloat16,
            "LongStorage" => Int64,
            "IntStorage" => Int32,
            "ShortStorage" => Int16,
            "CharStorage" => Int8,
            "ByteStorage" => Uint8,
            "BoolStorage" => Bool,
            _ => return None,
        })
    }

    /// Parses a torch dtype name as configs write it (`torch_dtype`:
    /// `bfloat16`, `float32`, `fp16`, `torch.float16`…).
    pub fn from_torch_name(name: &str) -> Option<Self> {
        use DType::*;
        let bare = name.strip_prefix("torch.").unwrap_or(name);
        Some(match bare {
            "float32" | "float" | "fp32" => Float32,
            "float16" | "half" | "fp16" => Float16,
            "bfloat16" | "bf16" => Bfloat16,
            "float64" | "double" => Float64,
            "int8" => Int8,
            "uint8" => Uint8,
            "int16" | "short" => Int16,
            "int32" | "int" => Int32,
            "int64" | "long" => Int64,
            "bool" => Bool,
            "float8_e4m3fn" => Float8E4m3fn,
            "float8_e5m2" => Float8E5m2,
            _ => return None,
        })
    }

    /// Whether the type has a byte order (single-byte types have none).
    pub fn has_byte_order(self) -> bool {
        self.itemsize() > 1
    }
}

/// Every dtype, for lookups.
pub const ALL: [DType; 15] = {
    use DType::*;
    [
        Bool,
        Int8,
        Uint8,
        Int16,
        Uint16,
        Int32,
        Uint32,
        Int64,
        Uint64,
        Float16,
        Bfloat16,
        Float32,
        Float64,
        Float8E4m3fn,
        Float8E5m2,
    ]
};

impl std::fmt::Display for DType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safetensors_names_round_trip() {
        for d in ALL {
            assert_eq!(DType::from_safetensors(d.safetensors_name()), Some(d));
        }
        assert_eq!(DType::from_safetensors("C64"), None);
        assert_eq!(
            DType::from_torch_storage("BFloat16Storage"),
            Some(DType::Bfloat16)
        );
        assert_eq!(
            DType::from_torch_name("torch.float16"),
            Some(DType::Float16)
        );
        assert_eq!(DType::from_torch_name("auto"), None);
    }
}
