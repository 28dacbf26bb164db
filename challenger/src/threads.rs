//! The shells' threads, lent to the engine, which has none of its own
//! ([`refute_engine::state::Join`]): a large module's code is hashed in
//! two halves at once.

use refute_engine::state::Join;

/// [`Join`] on two threads: `b` on a scoped thread, `a` on the caller's.
/// A panic in either is the caller's panic.
#[derive(Clone, Copy, Debug, Default)]
pub struct Threads;

impl Join for Threads {
    fn join<A: Send, B: Send>(&self, a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B + Send) -> (A, B) {
        std::thread::scope(|s| {
            let other = s.spawn(b);
            let a = a();
            (a, other.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
        })
    }
}
