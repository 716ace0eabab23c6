//! The fuzz targets' bodies (`fuzz/src/lib.rs`) in the ordinary test suite: every crash a fuzzer
//! found is kept under `fuzz/regressions/<target>/` and replayed here. `cargo fuzz run <target>`
//! runs the bodies on generated inputs.
mod common;

#[allow(dead_code)]
#[path = "../fuzz/src/lib.rs"]
mod bodies;

use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};

/// Runs `body` on every input, reporting each one that panics.
fn run_all(inputs: &[(String, Vec<u8>)], body: &dyn Fn(&[u8])) {
    let failed: Vec<&str> = inputs
        .iter()
        .filter(|(_, data)| std::panic::catch_unwind(AssertUnwindSafe(|| body(data))).is_err())
        .map(|(name, _)| name.as_str())
        .collect();
    assert!(failed.is_empty(), "panicked on {failed:#?}");
}

/// Every file under `dir` (any name), with its path relative to the repository root.
fn read_tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            out.extend(read_tree(&p));
        } else {
            let data = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            let name = p.strip_prefix(common::root()).unwrap_or(&p);
            out.push((name.display().to_string(), data));
        }
    }
    out
}

const TARGETS: [&str; 4] = ["load", "section", "lint", "config"];

fn body<'a>(target: &str, dir: &'a Path) -> Box<dyn Fn(&[u8]) + 'a> {
    match target {
        "load" => Box::new(bodies::load),
        "section" => Box::new(bodies::section),
        "lint" => Box::new(bodies::lint),
        _ => Box::new(move |data: &[u8]| bodies::config_in(dir, data)),
    }
}

#[test]
fn regressions_replay() {
    let root = common::root().join("fuzz/regressions");
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut total = 0;
    for entry in std::fs::read_dir(&root)
        .expect("fuzz/regressions")
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        assert!(
            TARGETS.contains(&name.as_str()),
            "fuzz/regressions/{name} is not a fuzz target ({TARGETS:?})"
        );
    }
    for target in TARGETS {
        let inputs = read_tree(&root.join(target));
        total += inputs.len();
        run_all(&inputs, &*body(target, tmp.path()));
    }
    assert!(total > 0, "no regression inputs under {}", root.display());
}
