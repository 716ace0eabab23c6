//! Fork-join for the few places that split one large file's work in two, and freeing what a
//! command read off its critical path.

/// `rayon::join(a, b)`, except that `a` runs on the calling thread even outside the thread
/// pool (`rayon::join` from outside runs both closures on pool threads). The work of a single
/// input stays on the thread that would have done it alone, and so do its allocations: glibc
/// grows the heap of a thread's own malloc arena a page at a time (one `mprotect` each), the
/// main thread's in large steps.
pub(crate) fn join<A, B, RA, RB>(a: A, b: B) -> (RA, RB)
where
    A: FnOnce() -> RA + Send,
    B: FnOnce() -> RB + Send,
    RA: Send,
    RB: Send,
{
    let mut rb = None;
    let ra = rayon::in_place_scope(|scope| {
        scope.spawn(|_| rb = Some(b()));
        a()
    });
    // the scope returns once its spawned job has run (a panic in it propagates)
    (ra, rb.expect("a scoped job runs before its scope ends"))
}

/// Drops `value` on a pool thread. A command's last act was freeing what it read (the tree of
/// a 5,000-entry aws-auth: 5 % of its run, BENCHMARKS.md "Issue 18"), which the process's exit
/// does anyway: the output need not wait for it.
pub(crate) fn drop_later<T: Send + 'static>(value: T) {
    rayon::spawn(move || drop(value));
}
