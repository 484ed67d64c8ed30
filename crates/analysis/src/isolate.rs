//! Panic isolation: the boundaries where one bad input's panic (a decoder's, the store's, a
//! model's, ours) becomes an error for that input alone, and the job goes on.
//!
//! Inside [`catch`], the process's panic hook stays quiet: the caller reports the failure in
//! words ("kick.wav: panic: …"), and the raw `thread '…' panicked at …` lines (with a whole
//! backtrace when `RUST_BACKTRACE` is set) would only bury that message. The panic is logged at
//! debug level instead (`SAMPLEMIND_LOG=debug` shows it). Panics anywhere else still reach the
//! hook that was there before.

use std::cell::Cell;
use std::panic::AssertUnwindSafe;

thread_local! {
    /// How many [`catch`] calls this thread is inside.
    static GUARDED: Cell<u32> = const { Cell::new(0) };
}

/// Run `f`; a panic inside comes back as `Err` with the panic's message.
pub fn catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    install_quiet_hook();
    GUARDED.with(|g| g.set(g.get() + 1));
    let result = std::panic::catch_unwind(AssertUnwindSafe(f));
    GUARDED.with(|g| g.set(g.get().saturating_sub(1)));
    result.map_err(|payload| panic_message(payload.as_ref()))
}

/// Put the quiet hook in place (once per process; [`catch`] does it on first use). A test that
/// watches panics with a hook of its own installs it after this one, so that it sees them all.
pub fn install_quiet_hook() {
    // Under libFuzzer every panic, caught or not, must reach its hook, which aborts: that is
    // how a fuzzer finds them.
    #[cfg(not(fuzzing))]
    {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            let previous = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                if GUARDED.with(Cell::get) > 0 {
                    tracing::debug!("caught: {info}");
                } else {
                    previous(info);
                }
            }));
        });
    }
}

/// The text a panic was raised with, when it has one.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_inside_comes_back_as_its_message_and_the_thread_goes_on() {
        assert_eq!(catch(|| 7), Ok(7));
        let caught: Result<(), String> = catch(|| panic!("bad header {}", 42));
        assert_eq!(caught, Err("bad header 42".into()));
        assert_eq!(GUARDED.with(Cell::get), 0, "the guard is left");
    }
}
