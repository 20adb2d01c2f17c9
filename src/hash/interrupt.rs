//! Ctrl-C during hashing: finish the chunk in hand, save every stream's
//! state to the cache, and stop, so the next run continues from there
//! instead of from the last periodic checkpoint.
//!
//! The first SIGINT only raises a flag that the engine's workers poll
//! between work units (a few milliseconds apart); the handler is installed
//! with `SA_RESETHAND`, so a second Ctrl-C kills the process the usual way
//! if stopping ever takes too long. The cache file is replaced atomically,
//! so even that leaves it consistent.

use std::sync::atomic::{AtomicBool, Ordering};

static REQUESTED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_sigint(_: libc::c_int) {
    // Only an atomic store: async-signal-safe.
    REQUESTED.store(true, Ordering::SeqCst);
}

/// Installs the SIGINT handler (once is enough; again is harmless) and
/// returns the flag it raises, for [`super::engine::HashPlan::with_stop`].
/// If the handler cannot be installed, Ctrl-C keeps its default effect,
/// which the periodic checkpoints already make safe.
pub fn on_ctrl_c() -> &'static AtomicBool {
    // SAFETY: a zeroed sigaction is a valid "no flags, empty mask" value;
    // the handler only stores to an atomic.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_sigint as extern "C" fn(libc::c_int) as libc::sighandler_t;
        action.sa_flags = libc::SA_RESETHAND;
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(libc::SIGINT, &action, std::ptr::null_mut());
    }
    &REQUESTED
}
