//! Decoders for the files model releases ship. Each works over a memory map
//! and reports tensors as byte ranges of it: payloads are never copied.

pub mod dtype;
pub mod grok;
pub mod numpy;
pub mod pickle;
pub mod tensor;
pub mod writer;

pub use dtype::DType;
pub use tensor::{Scales, StoredAs, TensorRecord};
