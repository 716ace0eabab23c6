//! Output does not depend on how many threads do the work: `lint` (every format that lists
//! findings), `inspect` and `access` of the fixtures give the same bytes with one worker thread
//! as with several (rayon's pool, sized by `RAYON_NUM_THREADS`).
mod common;

use common::root;

fn run(threads: &str, args: &[&str]) -> (Vec<u8>, Vec<u8>, Option<i32>) {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_awsauth"))
        .current_dir(root())
        .env("RAYON_NUM_THREADS", threads)
        .args(args)
        .output()
        .expect("awsauth runs");
    (o.stdout, o.stderr, o.status.code())
}

#[test]
fn one_thread_and_many_give_the_same_bytes() {
    let cases: &[&[&str]] = &[
        &["lint", "--format", "json", "fixtures"],
        &["lint", "--format", "concise", "fixtures"],
        &["lint", "--format", "sarif", "fixtures"],
        &["lint", "--format", "human", "--color", "never", "fixtures"],
        &["inspect", "--format", "json", "fixtures"],
        &["access", "--format", "json", "fixtures"],
    ];
    for args in cases {
        let one = run("1", args);
        assert!(
            !one.0.is_empty() || !one.1.is_empty(),
            "{args:?} printed nothing"
        );
        let many = run("4", args);
        assert!(
            one == many,
            "{args:?}: 1 thread and 4 differ:\n{}\n---\n{}",
            String::from_utf8_lossy(&one.0),
            String::from_utf8_lossy(&many.0)
        );
    }
}
