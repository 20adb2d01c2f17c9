//! `weightcheck inspect`: list tensors without loading payloads.

use clap::Args;

use crate::env::Env;

/// Arguments of `weightcheck inspect`.
#[derive(Debug, Args)]
pub struct Inspect {}

impl Inspect {
    /// Runs the command.
    pub fn run(self, _env: &mut Env) -> anyhow::Result<i32> {
        Ok(0)
    }
}
