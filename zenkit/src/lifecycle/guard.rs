//! Panics in the author's code turned into stage errors: a panic hook that
//! records the message and location of a panic inside [`guarded`], and
//! `guarded` itself.

use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

use crate::error::{Error, Result};

thread_local! {
    /// How many `guarded` calls are running on this thread.
    static GUARD_DEPTH: Cell<u32> = const { Cell::new(0) };
    /// The message and location of the last panic caught by `guarded`.
    static PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Installs, once, a panic hook that records panics inside [`guarded`] and
/// hands every other panic to the hook that was there before.
fn install_panic_hook() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if GUARD_DEPTH.with(Cell::get) == 0 {
                return previous(info);
            }
            let payload = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            let place = info
                .location()
                .map(|l| format!(" at {}:{}:{}", l.file(), l.line(), l.column()))
                .unwrap_or_default();
            PANIC.with(|p| *p.borrow_mut() = Some(format!("{payload}{place}")));
        }));
    });
}

/// Runs `f`, turning a panic into an error carrying its message and location.
pub(super) fn guarded<R>(stage: &str, f: impl FnOnce() -> Result<R>) -> Result<R> {
    install_panic_hook();
    PANIC.with(|p| p.borrow_mut().take());
    GUARD_DEPTH.with(|d| d.set(d.get() + 1));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    GUARD_DEPTH.with(|d| d.set(d.get() - 1));
    result.unwrap_or_else(|_| {
        let what = PANIC
            .with(|p| p.borrow_mut().take())
            .unwrap_or_else(|| "unknown panic".to_string());
        Err(Error::msg(format!("panic in the {stage} stage: {what}")))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panics_become_errors_with_location() {
        let err = guarded::<()>("process", || panic!("boom {}", 7)).unwrap_err();
        assert!(
            err.message()
                .starts_with("panic in the process stage: boom 7 at "),
            "{err}"
        );
        assert!(err.message().contains("guard.rs:"), "{err}");
        assert_eq!(guarded("process", || Ok(5)).unwrap(), 5);
    }

    #[test]
    fn panics_in_other_threads_leave_the_guard_balanced() {
        install_panic_hook();
        // a panic in another thread started from a guarded stage is not
        // swallowed: the thread's own result still carries it
        let outcome = guarded("process", || {
            let joined = std::thread::spawn(|| panic!("worker failed")).join();
            Ok(joined.is_err())
        });
        assert_eq!(outcome, Ok(true));
        assert_eq!(GUARD_DEPTH.with(Cell::get), 0);
    }
}
