//! Architecture families: from published hyperparameters alone, the tensors
//! a checkpoint must hold — names, shapes, dtypes, storage — and, where the
//! format has no names (Grok-1's shards), the file order.

use serde::Serialize;

use crate::formats::{DType, StoredAs};
use crate::manifest::Architecture;
use crate::{Error, Result};

pub mod grok1;

/// One tensor an architecture implies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExpectedTensor {
    /// Parameter path (`transformer/decoder_layer_0/moe/linear/w`).
    pub name: String,
    /// Storage kind.
    pub stored_as: StoredAs,
    /// Logical shape.
    pub shape: Vec<u64>,
    /// Stored element type.
    pub dtype: DType,
    /// Scales shape and dtype for quantized weights.
    pub scales: Option<(Vec<u64>, DType)>,
    /// Which transformer layer it belongs to, if any.
    pub layer: Option<u64>,
    /// Whether it is a mixture-of-experts expert weight (counted per
    /// selected expert in active parameters).
    pub expert: bool,
}

impl ExpectedTensor {
    /// Number of logical elements.
    pub fn elements(&self) -> u64 {
        self.shape.iter().product()
    }
}

/// The tensors of a checkpoint, in the order its files hold them.
#[derive(Debug, Clone, Serialize)]
pub struct Layout {
    /// Family name.
    pub family: String,
    /// Tensors in file order.
    pub tensors: Vec<ExpectedTensor>,
}

/// Derives the expected layout of a published architecture.
pub fn expected(arch: &Architecture) -> Result<Layout> {
    let tensors = match arch.family.as_str() {
        "grok1" => grok1::expected(&grok1::Config::from_arch(arch)?)?,
        other => {
            return Err(Error::Invalid(format!(
                "unknown architecture family {other:?} (known: grok1)"
            )))
        }
    };
    Ok(Layout {
        family: arch.family.clone(),
        tensors,
    })
}
