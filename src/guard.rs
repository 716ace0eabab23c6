//! Defence in depth against panics. The work on one file (loading it, linting it, rendering it
//! for `inspect`) runs under [`catch`]: a bug that panics on one input is reported for that file
//! as an internal error, the other files are still processed, and the exit code is 2. The panic
//! hook ([`install_hook`]) keeps the default message and backtrace out of the output: a caught
//! panic is reported once, by its catcher, with the file's name.

use std::any::Any;
use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Mutex;

/// What to do about an internal error.
pub const REPORT: &str = "this is a bug in awsauth; please report it on the awsauth issue tracker, with the input if you can share it";

thread_local! {
    /// Whether this thread runs work under [`catch`].
    static CATCHING: Cell<bool> = const { Cell::new(false) };
}

/// Where recent quiet panics happened, by message: the payload [`catch`] gets carries no
/// location, and a panic on a pool thread reaches the catcher on another thread.
static LOCATIONS: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());

/// A caught panic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Panic {
    /// The panic message, with where it happened when known:
    /// `index out of bounds: ... (at src/load.rs:12:5)`.
    pub message: String,
}

impl std::fmt::Display for Panic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Installs the panic hook: silent for panics that are caught (on a thread inside [`catch`], or
/// on a rayon pool thread, whose panics rayon hands to the thread waiting for the work), one
/// line with the message and where otherwise.
pub fn install_hook() {
    panic::set_hook(Box::new(|info| {
        let message = payload_message(info.payload());
        let at = info
            .location()
            .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
            .unwrap_or_default();
        if CATCHING.get() || rayon::current_thread_index().is_some() {
            if let Ok(mut recent) = LOCATIONS.lock() {
                if recent.len() >= 64 {
                    recent.remove(0);
                }
                recent.push((message, at));
            }
            return;
        }
        crate::render::say(
            &format!("error: internal error: {message} (at {at})\n  help: {REPORT}"),
            false,
        );
    }));
}

/// Runs `f`, catching a panic in it.
pub fn catch<T>(f: impl FnOnce() -> T) -> Result<T, Panic> {
    let was = CATCHING.replace(true);
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    CATCHING.set(was);
    result.map_err(|payload| {
        let message = payload_message(payload.as_ref());
        let at = LOCATIONS.lock().ok().and_then(|mut recent| {
            let i = recent.iter().rposition(|(m, _)| *m == message)?;
            Some(recent.remove(i).1)
        });
        Panic {
            message: match at {
                Some(at) if !at.is_empty() => format!("{message} (at {at})"),
                _ => message,
            },
        }
    })
}

fn payload_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "(no message)".to_owned()
    }
}

/// Test-only: panics when the environment variable `AWSAUTH_TEST_PANIC` is `<stage>:<file>`
/// (`load:a.yaml`, `lint:a.yaml`, `inspect:a.yaml`), so the tests can check that a panic on one
/// file is caught. Compiled only with debug assertions (what `cargo test` builds): a release
/// build (`cargo install`) has no such variable, so no user can reach it.
#[cfg(debug_assertions)]
pub fn test_trigger(stage: &str, file: &str) {
    let hit = std::env::var("AWSAUTH_TEST_PANIC").is_ok_and(|v| {
        v.strip_prefix(stage)
            .and_then(|rest| rest.strip_prefix(':'))
            .is_some_and(|name| name == file)
    });
    assert!(!hit, "test-only panic (AWSAUTH_TEST_PANIC={stage}:{file})");
}

/// Test-only (see the debug build's version): nothing in a release build.
#[cfg(not(debug_assertions))]
#[inline(always)]
pub fn test_trigger(_stage: &str, _file: &str) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_is_caught_with_its_message() {
        // (the hook is the binary's: installed here it would reword other tests' failures)
        assert_eq!(catch(|| 1), Ok(1));
        let p = catch(|| -> u8 { panic!("boom {}", 1) }).expect_err("panics");
        assert!(p.message.starts_with("boom 1"), "{p}");
        let p = catch(|| -> u8 { std::panic::panic_any(3_u8) }).expect_err("panics");
        assert!(p.message.starts_with("(no message)"), "{p}");
        // on pool threads too, reported to the thread that waits
        let p =
            catch(|| rayon::join(|| 1, || -> u8 { panic!("in the pool") })).expect_err("panics");
        assert!(p.message.starts_with("in the pool"), "{p}");
    }
}
