//! The `weightcheck` binary: everything lives in the library's `cli` module.

fn main() {
    std::process::exit(weightcheck::cli::main());
}
