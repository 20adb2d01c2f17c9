//! Surviving a file truncated under a memory map. Touching a mapped page
//! past the end of a file that another process truncated raises SIGBUS,
//! whose default action kills the process with no message. The hash
//! engine reads page-cached data through maps (it costs ~10 % less CPU than
//! copying it), so each mapped read registers its range here; a SIGBUS
//! inside a registered range replaces the vanished page with a page of
//! zeros and marks the range, and the reader turns the mark into an error
//! ("changed while being read") for that file. A SIGBUS anywhere else keeps
//! its default action.
//!
//! The handler only loads atomics and calls mmap(2), both async-signal-safe.
//! libc is used directly: the handler needs `si_addr`, which the
//! signal-hook crate's safe API does not expose.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Once;

/// Mapped reads in flight at once (one per worker; more fall back to
/// read(2) in the caller).
const SLOTS: usize = 64;

static USED: [AtomicBool; SLOTS] = [const { AtomicBool::new(false) }; SLOTS];
static START: [AtomicUsize; SLOTS] = [const { AtomicUsize::new(0) }; SLOTS];
static END: [AtomicUsize; SLOTS] = [const { AtomicUsize::new(0) }; SLOTS];
static FAULTED: [AtomicBool; SLOTS] = [const { AtomicBool::new(false) }; SLOTS];
static PAGE: AtomicUsize = AtomicUsize::new(4096);
static INSTALL: Once = Once::new();
static INSTALLED: AtomicBool = AtomicBool::new(false);

/// A registered mapped range; unregisters on drop.
pub(super) struct Guard {
    slot: usize,
}

impl Guard {
    /// Whether a page of the range vanished (and was read as zeros).
    pub(super) fn faulted(&self) -> bool {
        FAULTED[self.slot].load(Ordering::Acquire)
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        START[self.slot].store(0, Ordering::Release);
        END[self.slot].store(0, Ordering::Release);
        USED[self.slot].store(false, Ordering::Release);
    }
}

/// Registers `bytes` (a mapping) for the handler; `None` when the handler
/// could not be installed or every slot is taken (the caller then reads
/// with read(2), which reports truncation as a short read).
pub(super) fn guard(bytes: &[u8]) -> Option<Guard> {
    INSTALL.call_once(install);
    if !INSTALLED.load(Ordering::Acquire) || bytes.is_empty() {
        return None;
    }
    let slot = (0..SLOTS).find(|&i| {
        USED[i]
            .compare_exchange(false, true, Ordering::AcqRel, Ordering::Relaxed)
            .is_ok()
    })?;
    let start = bytes.as_ptr() as usize;
    FAULTED[slot].store(false, Ordering::Release);
    END[slot].store(start + bytes.len(), Ordering::Release);
    START[slot].store(start, Ordering::Release);
    Some(Guard { slot })
}

fn install() {
    // SAFETY: sysconf has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if page > 0 {
        PAGE.store(page as usize, Ordering::Release);
    }
    // SAFETY: a zeroed sigaction with our handler and SA_SIGINFO is a valid
    // argument; the old action is not needed.
    let ok = unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        let handler: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) = handler;
        action.sa_sigaction = handler as usize;
        action.sa_flags = libc::SA_SIGINFO;
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(libc::SIGBUS, &action, std::ptr::null_mut()) == 0
    };
    INSTALLED.store(ok, Ordering::Release);
}

extern "C" fn handler(_sig: libc::c_int, info: *mut libc::siginfo_t, _ctx: *mut libc::c_void) {
    // SAFETY: the kernel passes a valid siginfo for SA_SIGINFO handlers.
    let addr = unsafe { (*info).si_addr() } as usize;
    let page = PAGE.load(Ordering::Acquire);
    for i in 0..SLOTS {
        let start = START[i].load(Ordering::Acquire);
        let end = END[i].load(Ordering::Acquire);
        if start == 0 || addr < start || addr >= end {
            continue;
        }
        let base = addr & !(page - 1);
        // SAFETY: the page lies in a private read-only mapping this process
        // made and still holds (the guard outlives the read); replacing it
        // with anonymous zeros only changes what that read sees.
        let mapped = unsafe {
            libc::mmap(
                base as *mut libc::c_void,
                page,
                libc::PROT_READ,
                libc::MAP_FIXED | libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if mapped != libc::MAP_FAILED {
            FAULTED[i].store(true, Ordering::Release);
            return;
        }
    }
    // Not a registered read: the default action (terminate), as before.
    // SAFETY: signal and raise are async-signal-safe.
    unsafe {
        libc::signal(libc::SIGBUS, libc::SIG_DFL);
        libc::raise(libc::SIGBUS);
    }
}
