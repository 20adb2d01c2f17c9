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
//! - [`signing`]: OpenSSF model_signing bundles (signature and every digest).
//!
//! # Quick start
//!
//! The tensors of a checkpoint file, without loading or executing it
//! (safetensors, PyTorch zip, GGUF, Grok-1 pickle shards and shard indexes):
//!
//! ```no_run
//! for t in weightcheck::formats::inspect_file("model.safetensors".as_ref())? {
//!     println!("{:?} {:?} {:?}", t.name, t.shape, t.dtype);
//! }
//! # Ok::<(), weightcheck::Error>(())
//! ```
//!
//! [`formats::inspect_file`], [`verify::verify`] and [`hash::tree::plan`]
//! have examples that run.
//!
//! # Features
//!
//! All are on by default, since the binary needs them; with
//! `default-features = false` the library builds without any network client
//! or command-line dependency: 68 distinct crates in its dependency tree
//! instead of 328 (`cargo tree -e normal --prefix none`, deduplicated).
//!
//! - `bittorrent`: `fetch`, fetching and seeding over BitTorrent (librqbit).
//! - `github`: `github::api`, the GitHub REST client (octocrab); checking a
//!   local clone ([`github::local`]) needs no feature.
//! - `hub`: `hf::api`, the Hugging Face Hub's file listing (octocrab's HTTP
//!   client); checking a folder against a listing ([`hf::check`]) needs none.
//! - `cli`: what only the binary uses (clap, progress bars).

#![deny(missing_docs)]

pub mod arch;
pub mod create_torrent;
pub mod env;
pub mod error;
#[cfg(feature = "bittorrent")]
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
#[cfg(feature = "signing")]
pub mod signing;
pub mod synth;
pub mod torrent;
pub mod units;
pub mod verdict;
pub mod verify;

pub use error::{Error, Result};
