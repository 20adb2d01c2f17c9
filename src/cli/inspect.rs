//! `weightcheck inspect PATH...`: lists the tensors in shards or
//! directories, reading only headers and trailers (never payloads).
//!
//! Output formats (schema in README, "inspect output"):
//! - table (default): one row per tensor, then totals;
//! - `--json`: `{"tensors": [Row...], "errors": [{file, error}], "totals": Totals}`;
//! - `--csv`: the table's columns, one header line.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use weightcheck::env::Env;
use weightcheck::inventory;
use weightcheck::printer::inspect;

use super::{EXIT_MISMATCH, EXIT_OK};

/// Arguments of `weightcheck inspect`.
#[derive(Debug, Args)]
pub struct Inspect {
    /// Shard files or directories (searched recursively, sorted by path).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Print JSON instead of a table.
    #[arg(long, conflicts_with = "csv")]
    json: bool,
    /// Print CSV instead of a table.
    #[arg(long)]
    csv: bool,
}

impl Inspect {
    /// Runs the command.
    pub fn run(self, env: &mut Env) -> anyhow::Result<i32> {
        let paths: Vec<PathBuf> = self.paths.iter().map(|p| env.resolve(p)).collect();
        let inventory::Inventory {
            entries,
            other_files: others,
        } = inventory::of_paths(&paths)?;
        let totals = inventory::totals(&entries);
        let rows = inspect::rows(&entries);
        let errors = inspect::errors(&entries);
        let gguf = weightcheck::printer::gguf::headers(&entries);
        let out = &mut std::io::BufWriter::new(&mut env.out);
        if self.json {
            inspect::json(out, rows, &errors, &others, &totals, gguf)?;
        } else if self.csv {
            inspect::csv(out, rows)?;
        } else {
            inspect::table(out, rows, &others, &totals, &gguf)?;
        }
        out.flush()?;
        for (_, error) in &errors {
            writeln!(env.err, "weightcheck: {error}")?;
        }
        if totals.files == 0 && errors.is_empty() {
            writeln!(env.err, "weightcheck: no tensor files found")?;
            return Ok(EXIT_MISMATCH);
        }
        Ok(if errors.is_empty() {
            EXIT_OK
        } else {
            EXIT_MISMATCH
        })
    }
}
