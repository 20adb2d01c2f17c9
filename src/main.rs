//! The `weightcheck` binary: argument parsing and printing over the
//! library's engines. The command line lives here, not in the library, so
//! that library users compile none of it.

mod cli;

fn main() {
    std::process::exit(cli::main());
}
