//! weightcheck: what an open-weights AI model release really contains, and
//! proof of it, byte by byte.
//!
//! The library is a set of focused engines; the `weightcheck` binary
//! (`src/main.rs`, `src/cli/`) is a thin layer that parses arguments and prints results.
//!
//! - [`formats`]: decoders for the files releases ship (Grok-1 pickles,
//!   through a pickle reader that never executes anything).
//! - [`arch`]: the tensors an architecture implies, from its published
//!   hyperparameters.
//! - [`manifest`]: release manifests (what was published, by whom, with
//!   which hashes and claims).
//! - [`verify`]: holding files on disk against a manifest.
//! - [`hash`], [`torrent`]: content hashing and BitTorrent metadata.

#![deny(missing_docs)]

pub mod arch;
pub mod create_torrent;
pub mod env;
pub mod error;
pub mod fetch;
pub mod formats;
pub mod github;
pub mod hash;
pub mod hf;
pub mod inventory;
pub mod manifest;
pub mod paths;
pub mod percent;
pub mod pin;
pub mod printer;
pub mod report;
pub mod synth;
pub mod torrent;
pub mod units;
pub mod verdict;
pub mod verify;

pub use error::{Error, Result};
