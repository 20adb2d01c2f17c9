//! The environment a command runs in: its output streams and working
//! directory. Commands write only through it, so tests run them in-process
//! and compare their exact output.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// Output streams, working directory and terminal facts for one command.
pub struct Env {
    /// Standard output.
    pub out: Box<dyn Write + Send>,
    /// Standard error (progress bars and diagnostics).
    pub err: Box<dyn Write + Send>,
    /// Directory that relative paths are resolved against.
    pub cwd: PathBuf,
    /// Whether stderr is a terminal (progress bars are drawn only then).
    pub err_is_tty: bool,
    /// Whether stdout is a terminal.
    pub out_is_tty: bool,
    /// Whether NO_COLOR was set to a non-empty value.
    pub no_color: bool,
    /// The `--color` choice.
    pub color: ColorChoice,
    /// `-q`: only problems and the verdict; no progress bars.
    pub quiet: bool,
    /// `-v` given this many times: log lines on stderr instead of bars.
    pub verbose: u8,
}

/// When to write colour (`--color`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ColorChoice {
    /// On a terminal, unless NO_COLOR says otherwise.
    #[default]
    Auto,
    /// Always, even into a pipe or a file and despite NO_COLOR.
    Always,
    /// Never.
    Never,
}

impl ColorChoice {
    /// Whether a stream gets colour. NO_COLOR (<https://no-color.org>)
    /// overrides only the automatic choice: asking for colour explicitly
    /// wins over an environment variable set once for everything.
    pub fn colors(self, is_tty: bool, no_color: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => is_tty && !no_color,
        }
    }
}

impl Env {
    /// The process's real environment.
    pub fn main() -> io::Result<Self> {
        Ok(Env {
            out: Box::new(io::BufWriter::new(io::stdout())),
            err: Box::new(io::stderr()),
            cwd: std::env::current_dir()?,
            err_is_tty: io::stderr().is_terminal(),
            out_is_tty: io::stdout().is_terminal(),
            no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
            color: ColorChoice::Auto,
            quiet: false,
            verbose: 0,
        })
    }

    /// An environment whose output is captured, for tests.
    pub fn capture(cwd: impl Into<PathBuf>) -> (Self, Captured) {
        let out = SharedBuf::default();
        let err = SharedBuf::default();
        let env = Env {
            out: Box::new(out.clone()),
            err: Box::new(err.clone()),
            cwd: cwd.into(),
            err_is_tty: false,
            out_is_tty: false,
            no_color: false,
            color: ColorChoice::Auto,
            quiet: false,
            verbose: 0,
        };
        (env, Captured { out, err })
    }

    /// Whether progress bars may be drawn: on a terminal, unless `-q` asked
    /// for silence or `-v` for log lines (which a bar would garble).
    pub fn progress(&self) -> bool {
        self.err_is_tty && !self.quiet && self.verbose == 0
    }

    /// Whether what goes to stdout may be coloured.
    pub fn out_colors(&self) -> bool {
        self.color.colors(self.out_is_tty, self.no_color)
    }

    /// Whether what goes to stderr may be coloured.
    pub fn err_colors(&self) -> bool {
        self.color.colors(self.err_is_tty, self.no_color)
    }

    /// Resolves a user-supplied path against the working directory.
    pub fn resolve(&self, path: impl AsRef<std::path::Path>) -> PathBuf {
        crate::paths::resolve(&self.cwd, path.as_ref())
    }
}

/// The captured output of an [`Env::capture`] environment.
pub struct Captured {
    out: SharedBuf,
    err: SharedBuf,
}

impl Captured {
    /// Everything written to stdout so far.
    pub fn out(&self) -> String {
        self.out.text()
    }
    /// Everything written to stderr so far.
    pub fn err(&self) -> String {
        self.err.text()
    }
}

#[derive(Clone, Default)]
struct SharedBuf(Arc<Mutex<Vec<u8>>>);

impl SharedBuf {
    fn text(&self) -> String {
        let guard = self.0.lock().unwrap_or_else(|e| e.into_inner());
        String::from_utf8_lossy(&guard).into_owned()
    }
}

impl Write for SharedBuf {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut guard = self.0.lock().unwrap_or_else(|e| e.into_inner());
        guard.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::ColorChoice::*;

    #[test]
    fn colour_follows_the_choice_the_terminal_and_no_color() {
        // (choice, is_tty, no_color) -> colour
        let cases = [
            (Auto, true, false, true),
            (Auto, false, false, false),
            (Auto, true, true, false),
            (Always, false, false, true),
            (Always, true, true, true),
            (Never, true, false, false),
        ];
        for (choice, tty, no_color, want) in cases {
            assert_eq!(
                choice.colors(tty, no_color),
                want,
                "{choice:?} {tty} {no_color}"
            );
        }
    }
}
