//! Fork-join for the few places that split one large file's work in two.

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
