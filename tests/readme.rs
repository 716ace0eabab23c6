//! The README's examples cannot drift: each fenced block marked with an HTML comment (invisible
//! on GitHub) is checked, and unmarked blocks are prose to this test.
//!
//! - `<!-- readme-test -->` (or `<!-- readme-test: exit 1 -->`) before a ```` ```console ````
//!   block: each `$ awsauth ...` line runs (from the repository root, `NO_COLOR=1`, no standard
//!   input unless the line ends with `< FILE`) and must print exactly the lines that follow it
//!   (standard output, then standard error) and exit with the code given (default 0).
//! - `<!-- readme-file: PATH -->` before a block: the block is the file PATH of the repository,
//!   line for line (configurations and manifests the shown commands run on live in
//!   `fixtures/readme/`).
//!
//! After a deliberate change, `AWSAUTH_BLESS=1 cargo test --test readme` rewrites the outputs
//! and file blocks in README.md (from the real runs and files); review them with `git diff`.
mod common;

use std::path::Path;
use std::process::{Command, Stdio};

const TEST: &str = "<!-- readme-test";
const FILE: &str = "<!-- readme-file: ";

/// A marked block: the marker line, and the block's body lines (between the fences).
struct Block {
    marker: String,
    /// Index of the first body line (after the opening fence), and of the closing fence.
    body: std::ops::Range<usize>,
}

fn blocks(lines: &[&str]) -> Vec<Block> {
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if !(line.starts_with(TEST) || line.starts_with(FILE)) {
            continue;
        }
        let fence = lines.get(i + 1).copied().unwrap_or_default();
        assert!(
            fence.starts_with("```"),
            "README.md:{}: a marker must be followed by a fenced block",
            i + 1
        );
        let close = lines[i + 2..]
            .iter()
            .position(|l| *l == "```")
            .unwrap_or_else(|| panic!("README.md:{}: the block is not closed", i + 2));
        out.push(Block {
            marker: (*line).to_owned(),
            body: i + 2..i + 2 + close,
        });
    }
    out
}

/// The words of a command line: spaces split, `'...'` and `"..."` quote (no escapes).
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word: Option<String> = None;
    let mut quote = None;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.get_or_insert_default().push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                word.get_or_insert_default();
            }
            (None, ' ') => out.extend(word.take()),
            (None, c) => word.get_or_insert_default().push(c),
        }
    }
    out.extend(word);
    out
}

/// Runs one `$ awsauth ...` line: its output (stdout then stderr) and exit code.
fn run(line: &str) -> (String, i32) {
    let mut args = words(line);
    assert_eq!(
        args.first().map(String::as_str),
        Some("awsauth"),
        "README commands run awsauth: `{line}`"
    );
    let stdin = match args.iter().position(|a| a == "<") {
        Some(at) => {
            let file = args.get(at + 1).expect("a file after `<`").clone();
            args.truncate(at);
            let f = std::fs::File::open(common::root().join(&file)).expect("stdin file");
            Stdio::from(f)
        }
        None => Stdio::null(),
    };
    let o = Command::new(env!("CARGO_BIN_EXE_awsauth"))
        .args(&args[1..])
        .current_dir(common::root())
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_WORKSPACE")
        .env_remove("CI_PROJECT_DIR")
        .stdin(stdin)
        .output()
        .expect("runs");
    let mut text = String::from_utf8_lossy(&o.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&o.stderr));
    (text, o.status.code().unwrap_or(-1))
}

/// The body a `console` block should have: each command line with its real output.
fn console(body: &[&str], exit: i32, problems: &mut Vec<String>) -> Vec<String> {
    let mut out = Vec::new();
    for line in body.iter().filter_map(|l| l.strip_prefix("$ ")) {
        let (text, code) = run(line);
        if code != exit {
            problems.push(format!("`{line}` exited {code}, the README says {exit}"));
        }
        out.push(format!("$ {line}"));
        // (blank lines at the end of an output are not shown)
        out.extend(text.trim_end().lines().map(str::to_owned));
    }
    out
}

/// The marked blocks as they should be, and what differs.
fn expected(readme: &str) -> (Vec<String>, Vec<String>) {
    let lines: Vec<&str> = readme.lines().collect();
    let mut fixed: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
    let mut problems = Vec::new();
    // from the last block up, so the line numbers of the earlier ones hold
    for b in blocks(&lines).iter().rev() {
        let body = &lines[b.body.clone()];
        let want: Vec<String> = if let Some(path) = b.marker.strip_prefix(FILE) {
            let path = path.trim_end_matches("-->").trim();
            let text = std::fs::read_to_string(common::root().join(path))
                .unwrap_or_else(|e| panic!("{path}: {e}"));
            text.lines().map(str::to_owned).collect()
        } else {
            let exit = b
                .marker
                .split("exit ")
                .nth(1)
                .and_then(|s| s.trim_end_matches("-->").trim().parse().ok())
                .unwrap_or(0);
            console(body, exit, &mut problems)
        };
        if want != body {
            let first = want.iter().zip(body).position(|(w, h)| w != h);
            let i = first.unwrap_or(want.len().min(body.len()));
            let shown = |l: Option<&str>| l.map_or("(nothing)".to_owned(), |l| format!("`{l}`"));
            problems.push(format!(
                "README.md:{}: the block under `{}` differs: the README has {}, awsauth {}",
                b.body.start + i + 1,
                b.marker,
                shown(body.get(i).copied()),
                shown(want.get(i).map(String::as_str)),
            ));
            fixed.splice(b.body.clone(), want);
        }
    }
    (fixed, problems)
}

#[test]
fn readme_examples_are_what_awsauth_prints() {
    let path = common::root().join("README.md");
    let readme = std::fs::read_to_string(&path).expect("README.md");
    let (fixed, problems) = expected(&readme);
    let marked = blocks(&readme.lines().collect::<Vec<_>>()).len();
    assert!(marked >= 6, "only {marked} marked blocks in README.md");
    if problems.is_empty() {
        return;
    }
    if std::env::var("AWSAUTH_BLESS").is_ok_and(|v| v == "1") {
        let mut text = fixed.join("\n");
        text.push('\n');
        std::fs::write(&path, text).expect("write README.md");
        return;
    }
    let problems: Vec<String> = problems.into_iter().rev().collect();
    panic!(
        "{} README example(s) are stale (after a deliberate change: AWSAUTH_BLESS=1 cargo test \
         --test readme, then review `git diff README.md`):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn the_runner_reads_markers_and_command_lines() {
    let text = "x\n<!-- readme-test: exit 1 -->\n```console\n$ awsauth a\nout\n```\n\
                ```console\n$ not marked\n```\n";
    let lines: Vec<&str> = text.lines().collect();
    let found = blocks(&lines);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].body, 3..5);
    assert_eq!(
        words("awsauth lint 'a b' \"c\" - < f.yaml"),
        ["awsauth", "lint", "a b", "c", "-", "<", "f.yaml"]
    );
    assert!(Path::new(env!("CARGO_BIN_EXE_awsauth")).exists());
}
