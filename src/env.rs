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
}

impl Env {
    /// The process's real environment.
    pub fn main() -> io::Result<Self> {
        Ok(Env {
            out: Box::new(io::BufWriter::new(io::stdout())),
            err: Box::new(io::stderr()),
            cwd: std::env::current_dir()?,
            err_is_tty: io::stderr().is_terminal(),
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
        };
        (env, Captured { out, err })
    }

    /// Resolves a user-supplied path against the working directory.
    pub fn resolve(&self, path: impl AsRef<std::path::Path>) -> PathBuf {
        // `.` components only clutter messages; `..` is kept (symlinks make
        // removing it lexically wrong).
        self.cwd
            .join(path)
            .components()
            .filter(|c| !matches!(c, std::path::Component::CurDir))
            .collect()
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
