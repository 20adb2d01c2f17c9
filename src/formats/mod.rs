//! Decoders for the files model releases ship. Each works over a memory map
//! and reports tensors as byte ranges of it: payloads are never copied.

pub mod detect;
pub mod dtype;
pub mod grok;
pub mod index;
pub mod numpy;
pub mod pickle;
pub mod safetensors;
pub mod sentencepiece;
pub mod tensor;
pub mod torch;
pub mod writer;

pub use detect::{detect, inspect_file, inspect_located, Format, Located};
pub use dtype::DType;
pub use tensor::{Scales, StoredAs, TensorRecord};
