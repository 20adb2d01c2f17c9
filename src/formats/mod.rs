//! Decoders for the files model releases ship. Each works over a memory map
//! and reports tensors as byte ranges of it: payloads are never copied.
//! [`pyconfig`] reads the other thing releases ship that describes the
//! model: Python source with the config as keyword arguments.

pub mod detect;
pub mod dtype;
pub mod gguf;
pub mod grok;
pub mod gzip;
pub mod index;
pub mod numpy;
pub mod pickle;
pub mod pyconfig;
pub mod safetensors;
pub mod sentencepiece;
pub mod tensor;
pub mod torch;
pub mod writer;

pub use detect::{detect, inspect_file, inspect_located, Format, TensorInFile};
pub use dtype::DType;
pub use tensor::{Scales, StoredAs, TensorRecord};
