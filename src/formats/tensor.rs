//! The format-independent description of one stored tensor.

use serde::Serialize;

use super::gguf::GgmlType;
use super::pickle::Span;
use super::DType;

/// How a tensor is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StoredAs {
    /// A plain array of `dtype` elements.
    Array,
    /// xAI's `QuantizedWeight8bit`: int8 weights times bfloat16 scales.
    QuantizedWeight8bit,
    /// A GGUF tensor of this ggml type. Its `dtype` is the numpy type of
    /// the same layout for plain types, and `uint8` (the payload as bytes)
    /// for block-quantised ones, which numpy has no type for.
    Ggml(GgmlType),
}

impl StoredAs {
    /// The name used in tables and manifests.
    pub fn name(self) -> &'static str {
        match self {
            StoredAs::Array => "ndarray",
            StoredAs::QuantizedWeight8bit => "QuantizedWeight8bit",
            StoredAs::Ggml(_) => "ggml",
        }
    }
}

/// The scales of a quantized weight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scales {
    /// Shape of the scales array (broadcast against the weight).
    pub shape: Vec<u64>,
    /// Element type (bfloat16 in Grok-1).
    pub dtype: DType,
    /// Where the scales' bytes are.
    #[serde(serialize_with = "ser_span")]
    pub data: Span,
}

/// One tensor as stored in a file: what it is and where its bytes are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TensorRecord {
    /// Name inside the file, where the format has names (Grok-1 shards have none).
    pub name: Option<String>,
    /// Storage kind.
    pub stored_as: StoredAs,
    /// Logical shape.
    pub shape: Vec<u64>,
    /// Element type of the stored values (int8 for quantized weights).
    pub dtype: DType,
    /// Where the payload bytes are.
    #[serde(serialize_with = "ser_span")]
    pub data: Span,
    /// Scales, for quantized weights. Boxed: only Grok-1's quantized
    /// weights have them, and a file of a million plain tensors should not
    /// carry room for them in every record.
    pub scales: Option<Box<Scales>>,
}

impl TensorRecord {
    /// Number of logical elements (parameters). Shapes were checked for
    /// overflow when decoded.
    pub fn elements(&self) -> u64 {
        self.shape.iter().product()
    }

    /// Whether this is a registered buffer, not a parameter ([`is_buffer`]).
    pub fn is_buffer(&self) -> bool {
        self.name.as_deref().is_some_and(is_buffer)
    }

    /// The name of its element type: the ggml type's (`Q4_K`) for a GGUF
    /// tensor, else the dtype's (`bfloat16`).
    pub fn type_name(&self) -> &'static str {
        match self.stored_as {
            StoredAs::Ggml(t) => t.name(),
            _ => self.dtype.name(),
        }
    }

    /// Payload bytes, scales included.
    pub fn payload_bytes(&self) -> u64 {
        self.data.len + self.scales.as_ref().map_or(0, |s| s.data.len)
    }
}

fn ser_span<S: serde::Serializer>(span: &Span, s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeStruct;
    let mut st = s.serialize_struct("Span", 2)?;
    st.serialize_field("offset", &span.offset)?;
    st.serialize_field("len", &span.len)?;
    st.end()
}

/// Whether a tensor named `name` is a buffer a module registers rather than
/// a trained parameter: position ids, batch-norm running statistics, rotary
/// inverse frequencies, GPT-2's causal-mask `attn.bias`. Counting them as
/// parameters inflates every parameter claim (BERT's `position_ids` add
/// 512).
pub fn is_buffer(name: &str) -> bool {
    let mut parts = name.rsplit('.');
    let last = parts.next().unwrap_or("");
    let parent = parts.next().unwrap_or("");
    matches!(
        last,
        "position_ids"
            | "running_mean"
            | "running_var"
            | "num_batches_tracked"
            | "inv_freq"
            | "masked_bias"
    ) || (parent == "attn" && last == "bias")
}

/// Multiplies dimensions, refusing a product that overflows `u64`.
pub fn checked_elements(shape: &[u64]) -> Option<u64> {
    shape.iter().try_fold(1u64, |acc, &d| acc.checked_mul(d))
}

/// Formats a shape as `8x6144x32768` (`scalar` for rank 0).
pub fn shape_str(shape: &[u64]) -> String {
    if shape.is_empty() {
        return "scalar".into();
    }
    shape
        .iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join("x")
}

/// Parses `8x6144x32768` (or `scalar`).
pub fn parse_shape(text: &str) -> Option<Vec<u64>> {
    if text == "scalar" {
        return Some(Vec::new());
    }
    text.split('x').map(|d| d.trim().parse().ok()).collect()
}
