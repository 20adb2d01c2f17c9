//! Content hashing: SHA-256 per file, BitTorrent v1 pieces and git blob SHA-1s in one pass.
//!
//! - [`engine`]: the plan/report types and [`engine::run`].
//! - [`cache`]: the on-disk verification cache that makes re-runs instant.
//! - [`interrupt`]: Ctrl-C as "save progress and stop".

pub mod cache;
mod checkpoint;
pub mod engine;
mod exec;
pub mod interrupt;
mod io;
mod lanes;
pub mod multibuffer;
mod pieces;
mod report;
mod sigbus;
pub mod tree;

#[cfg(test)]
mod engine_tests;
