//! Output that cannot be forged: file names and values from the inputs (an untrusted pull
//! request's) never reach the terminal or the GitHub Actions runner raw, in any format or on
//! standard error. No line that is not one of awsauth's own annotations is read by the runner as
//! a workflow command (`::…` after leading white space, `##[…` anywhere), and no raw control
//! character but the line break (and, with colours asked for, awsauth's own colour sequences) is
//! printed. See README "Usage", "File names and values are escaped".
// (file names with line breaks and control characters exist on Unix only)
#![cfg(unix)]
mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::write;

/// What a hostile contributor puts in a file name or a value.
const FORGED: &str = "\n::error file=x,line=1::forged";
/// The same, as it is shown.
const FORGED_SHOWN: &str = "\\n::error file=x,line=1::forged";
/// A file name: a line break with a forged annotation, an ESC sequence and BEL.
const NAME: &str = "evil\n::error file=x,line=1::forged\u{1b}[31m\u{7}.yaml";
/// A file name that is itself an annotation.
const ANNOTATION_NAME: &str = "::error file=a::pwned.yaml";

/// An aws-auth whose values hold line breaks with forged commands, ESC sequences (clear the
/// screen, set the window title), BEL, bidi overrides, line separators and the legacy `##[`.
const VALUES: &str = r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: aws-auth
  namespace: kube-system
data:
  mapRoles: |
    - rolearn: "arn:aws:iam::111122223333:role/a\n::error file=x,line=1::forged\e[2J\a\u2028::stop-commands::tok"
      username: "x\n::error::forged\x1b]0;title\x07 \u202e ##[error]legacy \u0085::notice::nel"
      groups: [system:masters, "g\n::warning::g\u009b2J"]
  mapUsers: |
    - userarn: arn:aws:iam::111122223333:user/u
      username: u
"#;

fn run(args: &[&str], dir: &Path) -> Output {
    run_env(args, dir, &[])
}

fn run_env(args: &[&str], dir: &Path, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_awsauth"));
    cmd.args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env("HOME", dir)
        .env("GIT_CONFIG_NOSYSTEM", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("runs")
}

/// `s` without Select Graphic Rendition sequences (`ESC [ 0-9;: m`).
fn strip_sgr(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("\u{1b}[") {
        out.push_str(&rest[..i]);
        let tail = &rest[i + 2..];
        let params = tail
            .find(|c: char| !(c.is_ascii_digit() || c == ';' || c == ':'))
            .unwrap_or(tail.len());
        if tail[params..].starts_with('m') {
            rest = &tail[params + 1..];
        } else {
            // not a colour: kept, so that the check below finds the ESC
            out.push('\u{1b}');
            rest = &rest[i + 1..];
        }
    }
    out.push_str(rest);
    out
}

/// A character that must never be printed raw.
fn forbidden(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Whether `line` is one of awsauth's own annotations (`--format github`).
fn is_annotation(line: &str) -> bool {
    ["::error file=", "::warning file=", "::notice file="]
        .iter()
        .any(|p| line.starts_with(p))
        && line.contains(",title=awsauth")
}

/// Checks one stream: valid UTF-8, no forbidden character (colour sequences allowed with
/// `sgr`), no line the runner reads as a command but awsauth's annotations (with
/// `annotations`), no `##[`.
fn check_stream(what: &str, bytes: &[u8], annotations: bool, sgr: bool) {
    let text = std::str::from_utf8(bytes).unwrap_or_else(|e| panic!("{what}: not UTF-8: {e}"));
    let plain = if sgr {
        strip_sgr(text)
    } else {
        text.to_owned()
    };
    if let Some(c) = plain.chars().find(|&c| forbidden(c)) {
        panic!("{what}: raw {c:?} in:\n{text}");
    }
    for line in plain.split('\n') {
        let trimmed = line.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
        if trimmed.starts_with("::") {
            assert!(
                annotations && is_annotation(line),
                "{what}: a line the runner reads as a command: {line:?}\nin:\n{text}"
            );
        }
    }
    assert!(!text.contains("##["), "{what}: `##[` in:\n{text}");
}

/// Checks both streams of a run.
fn check(what: &str, o: &Output, annotations: bool, sgr: bool) {
    check_stream(&format!("{what} (stdout)"), &o.stdout, annotations, sgr);
    check_stream(&format!("{what} (stderr)"), &o.stderr, false, false);
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A folder with the hostile files: hostile values under a hostile name, and under a name
/// that is an annotation.
fn hostile_tree() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), NAME, VALUES);
    write(tmp.path(), ANNOTATION_NAME, VALUES);
    tmp
}

#[test]
fn lint_formats_escape_names_and_values() {
    let tmp = hostile_tree();
    let dir = tmp.path();
    for format in ["concise", "human", "json", "github"] {
        let o = run(&["lint", "--format", format, "--color", "never", "."], dir);
        assert_eq!(o.status.code(), Some(1), "{format}: {}", err(&o));
        check(format, &o, format == "github", false);
        // the hostile text is there, shown escaped (not dropped)
        assert!(out(&o).contains(FORGED_SHOWN), "{format}: {}", out(&o));
        assert!(out(&o).contains("stop-commands"), "{format}: {}", out(&o));
    }
    // the annotations are the findings, one a line, and only they start with `::`
    let o = run(&["lint", "--format", "github", "."], dir);
    let lines: Vec<String> = out(&o).lines().map(str::to_owned).collect();
    assert!(lines.len() >= 6, "{lines:#?}");
    assert!(lines.iter().all(|l| is_annotation(l)), "{lines:#?}");
    // file names in properties: escaped, then `:` and `,` as the runner expects
    assert!(
        out(&o).contains(
            "file=evil\\n%3A%3Aerror file=x%2Cline=1%3A%3Aforged\\u{1b}[31m\\u{7}.yaml,line=8,"
        ),
        "{}",
        out(&o)
    );
    // a file named like an annotation starts a concise line as `./`
    let o = run(&["lint", "--format", "concise", "."], dir);
    assert!(
        out(&o)
            .lines()
            .any(|l| l.starts_with("./::error file=a::pwned.yaml:8:16: error[")),
        "{}",
        out(&o)
    );
    assert!(
        out(&o)
            .lines()
            .any(|l| l
                .starts_with("evil\\n::error file=x,line=1::forged\\u{1b}[31m\\u{7}.yaml:8:16: ")),
        "{}",
        out(&o)
    );
    // JSON keeps the exact values (the escapes are JSON's)
    let o = run(&["lint", "--format", "json", "."], dir);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let files: Vec<&str> = v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter_map(|d| d["file"].as_str())
        .collect();
    assert!(files.contains(&NAME), "{files:?}");
    assert!(
        v.to_string().contains("##[error]legacy"),
        "the value itself is unchanged: {v}"
    );
}

#[test]
fn colours_are_the_only_escape_sequences() {
    let tmp = hostile_tree();
    let o = run(&["lint", "--color", "always", "."], tmp.path());
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    assert!(out(&o).contains("\u{1b}[1m"), "colours were asked for");
    check("human, coloured", &o, false, true);
    assert!(out(&o).contains("\\u{1b}]0;title\\u{7}"), "{}", out(&o));
    let o = run(
        &[
            "diff",
            "--no-index",
            "--color",
            "always",
            NAME,
            ANNOTATION_NAME,
        ],
        tmp.path(),
    );
    check("diff human, coloured", &o, false, true);
}

#[test]
fn source_lines_with_controls_are_escaped_and_keep_their_columns() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    // raw characters YAML lets through (a bidi override, NEL, a C1 CSI in a comment)
    let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::111122223333:role/a\n      username: \"\u{202e}\u{85}\" # \u{9b}2J\n      groups: [system:masters]\n";
    write(dir, "raw.yaml", text);
    let concise = run(&["lint", "--format", "concise", "raw.yaml"], dir);
    check("concise", &concise, false, false);
    let first = out(&concise);
    let at = first
        .lines()
        .next()
        .and_then(|l| l.split(": ").next())
        .expect("a finding")
        .to_owned();
    let human = run(&["lint", "--color", "never", "raw.yaml"], dir);
    check("human", &human, false, false);
    let shown = out(&human);
    // the source line, escaped, and the header's column is the file's (as in concise)
    assert!(
        shown.contains("username: \"\\u{202e}\\u{85}\" # \\u{9b}2J"),
        "{shown}"
    );
    assert!(shown.contains(&format!("╭▸ {at}")), "{at}:\n{shown}");
    // the underline is under the escaped character it points at
    let lines: Vec<&str> = shown.lines().collect();
    let src = lines
        .iter()
        .position(|l| l.contains("username: \""))
        .expect("source line");
    let under = lines[src + 1];
    let mark = under.find(['━', '─']).expect("underline");
    let col = |s: &str, byte: usize| s[..byte].chars().count();
    let target = lines[src].find("\\u{9b}").expect("escaped CSI");
    assert_eq!(
        col(under, mark),
        col(lines[src], target),
        "{}\n{}",
        lines[src],
        under
    );
}

#[test]
fn inspect_escapes_names_and_values() {
    let tmp = hostile_tree();
    for format in ["table", "json"] {
        let o = run(&["inspect", "--format", format, "."], tmp.path());
        assert_eq!(o.status.code(), Some(0), "{format}: {}", err(&o));
        check(&format!("inspect {format}"), &o, false, false);
        assert!(out(&o).contains(FORGED_SHOWN), "{format}: {}", out(&o));
    }
    let o = run(&["inspect", "."], tmp.path());
    assert!(
        out(&o)
            .lines()
            .any(|l| l.starts_with("./::error file=a::pwned.yaml:1: ConfigMap")),
        "{}",
        out(&o)
    );
}

#[test]
fn diff_formats_escape_names_and_values() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let old = "old\n::error file=x::o\u{1b}[2J.yaml";
    let new = "::stop-commands::tok\u{7}.yaml";
    write(
        dir,
        old,
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapUsers: |\n    - userarn: arn:aws:iam::111122223333:user/u\n      username: u\n",
    );
    write(dir, new, VALUES);
    for format in ["human", "markdown", "json", "github"] {
        let o = run(
            &[
                "diff",
                "--no-index",
                "--format",
                format,
                "--color",
                "never",
                old,
                new,
            ],
            dir,
        );
        assert_eq!(o.status.code(), Some(1), "{format}: {}{}", out(&o), err(&o));
        check(&format!("diff {format}"), &o, format == "github", false);
        assert!(
            out(&o).contains("stop-commands"),
            "{format}: the hostile text is shown: {}",
            out(&o)
        );
    }
    let o = run(&["diff", "--no-index", "--format", "github", old, new], dir);
    assert!(out(&o).lines().all(is_annotation), "{}", out(&o));
}

#[test]
fn standard_error_escapes_names_and_values() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    // per-file errors: a binary file and a broken link, under hostile names
    std::fs::write(dir.join(NAME), b"aws-auth\0mapRoles").expect("write");
    std::os::unix::fs::symlink("nowhere", dir.join(ANNOTATION_NAME)).expect("symlink");
    for format in ["human", "concise", "json", "github"] {
        let o = run(&["lint", "--format", format, "."], dir);
        assert_eq!(o.status.code(), Some(2), "{format}: {}", err(&o));
        check(
            &format!("read errors, {format}"),
            &o,
            format == "github",
            false,
        );
        assert!(err(&o).contains(FORGED_SHOWN), "{format}: {}", err(&o));
        assert!(
            err(&o).contains("error: ./::error file=a::pwned.yaml: broken symbolic link"),
            "{format}: {}",
            err(&o)
        );
    }
    // named on the command line, missing
    let o = run(&["lint", &format!("missing{FORGED}\u{1b}[2J")], dir);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    check("missing file", &o, false, false);
    assert!(err(&o).contains(FORGED_SHOWN), "{}", err(&o));
    // warnings: paths not read, globs matching nothing
    let o = run(
        &[
            "lint",
            "--stdin-filename",
            "s.yaml",
            &format!("p{FORGED}\u{7}"),
        ],
        dir,
    );
    check("stdin-filename warning", &o, false, false);
    assert!(err(&o).contains(FORGED_SHOWN), "{}", err(&o));
    let o = run(
        &[
            "lint",
            "--include",
            &format!("*.x{FORGED}\u{1b}]0;t\u{7}"),
            ".",
        ],
        dir,
    );
    check("nothing read warning", &o, false, false);
    assert!(err(&o).contains(FORGED_SHOWN), "{}", err(&o));
}

#[test]
fn configuration_errors_escape_values() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    write(
        dir,
        ".awsauth.yaml",
        "select: [\"x\\n::error file=x,line=1::forged\\e[2J\\a\"]\n\"k\\n::warning::key\\e]0;t\\a\": 1\n",
    );
    write(dir, "a.yaml", VALUES);
    for format in ["human", "github"] {
        let o = run(&["lint", "--format", format, "a.yaml"], dir);
        assert_eq!(o.status.code(), Some(2), "{format}: {}", err(&o));
        check(
            &format!("config errors, {format}"),
            &o,
            format == "github",
            false,
        );
        assert!(err(&o).contains("::warning::key"), "{format}: {}", err(&o));
    }
    // a selector on the command line that no configuration knows (`,` separates selectors)
    let o = run(
        &[
            "lint",
            "--no-config",
            "--select",
            "r\n::stop-commands::t\u{1b}[2J",
            "a.yaml",
        ],
        dir,
    );
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    check("unknown selector", &o, false, false);
    assert!(
        err(&o).contains("`r\\n::stop-commands::t\\u{1b}[2J`"),
        "{}",
        err(&o)
    );
}

// The trigger (`AWSAUTH_TEST_PANIC`) exists only in debug builds, what `cargo test` builds.
#[cfg(debug_assertions)]
#[test]
fn crash_reports_escape_names_and_messages() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    write(dir, NAME, VALUES);
    for stage in ["load", "lint"] {
        let o = run_env(
            &["lint", "--format", "github", "."],
            dir,
            &[("AWSAUTH_TEST_PANIC", &format!("{stage}:{NAME}"))],
        );
        assert_eq!(o.status.code(), Some(2), "{stage}: {}", err(&o));
        check(&format!("crash in {stage}"), &o, true, false);
        assert!(
            err(&o).starts_with(&format!(
                "error: internal error while processing `evil{FORGED_SHOWN}\\u{{1b}}[31m\\u{{7}}.yaml`: test-only panic"
            )),
            "{}",
            err(&o)
        );
    }
}

/// An aws-auth with `n` IAM users: `n` findings, several hundred kilobytes of output.
fn many_findings(n: usize) -> String {
    let mut s = String::from(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapUsers: |\n",
    );
    for i in 0..n {
        s.push_str(&format!(
            "    - userarn: arn:aws:iam::111122223333:user/u{i}\n      username: u{i}\n      groups: [g]\n"
        ));
    }
    s
}

/// Runs awsauth with a standard output whose reader has gone.
fn closed_pipe(args: &[&str], dir: &Path) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_awsauth"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawns");
    // the reader goes before awsauth writes: the output (far more than a pipe holds) meets a
    // closed pipe whatever the timing
    drop(child.stdout.take());
    child.wait_with_output().expect("waits")
}

#[test]
fn a_closed_pipe_keeps_the_exit_code_of_the_run() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    write(dir, "many.yaml", &many_findings(3000));
    write(
        dir,
        "clean.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::111122223333:role/ops\n      username: ops:{{SessionName}}\n      groups: [ops]\n",
    );
    for format in ["concise", "human", "json", "github"] {
        let o = closed_pipe(&["lint", "--format", format, "many.yaml"], dir);
        assert_eq!(o.status.code(), Some(1), "{format}: {}", err(&o));
        // quietly: no panic, no error about the pipe
        assert!(err(&o).is_empty(), "{format}: {}", err(&o));
    }
    let o = closed_pipe(&["inspect", "many.yaml"], dir);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert!(err(&o).is_empty(), "{}", err(&o));
    // a clean run is still 0, and a run that could not read a file still 2
    let o = closed_pipe(&["lint", "clean.yaml"], dir);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let o = closed_pipe(&["lint", "many.yaml", "missing.yaml"], dir);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
}

#[cfg(target_os = "linux")]
#[test]
fn a_failed_write_is_an_io_error() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), "many.yaml", &many_findings(10));
    let o = Command::new(env!("CARGO_BIN_EXE_awsauth"))
        .args(["lint", "--format", "concise", "many.yaml"])
        .current_dir(tmp.path())
        .stdout(Stdio::from(full))
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(
        err(&o).starts_with("error: cannot write to standard output"),
        "{}",
        err(&o)
    );
}

#[test]
fn a_closed_standard_error_does_not_panic() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    write(dir, "many.yaml", &many_findings(5));
    let mut child = Command::new(env!("CARGO_BIN_EXE_awsauth"))
        .args(["lint", "--format", "concise", "many.yaml", "missing.yaml"])
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawns");
    drop(child.stderr.take());
    let mut stdout = child.stdout.take().expect("stdout");
    let mut text = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut text).expect("reads");
    let status = child.wait().expect("waits");
    // the findings are printed, and the exit code is the read error's
    assert_eq!(status.code(), Some(2), "{text}");
    assert_eq!(text.lines().count(), 5, "{text}");
    let _ = std::io::stderr().flush();
}

#[test]
fn usage_errors_escape_the_arguments_they_quote() {
    let dir = tempfile::tempdir().expect("tmp");
    // a file name a hook runner passes without `--`: clap quotes it in its error
    for arg in [
        "--x\n::error file=a,line=1::forged",
        "--x\u{1b}]0;title\u{7}",
        "--x\n::stop-commands::pwned",
    ] {
        let o = run(&["lint", arg], dir.path());
        assert_eq!(o.status.code(), Some(2), "{}", err(&o));
        check("usage error", &o, false, false);
    }
}

#[test]
fn rule_listings_escape_policy_text_from_the_configuration() {
    let dir = tempfile::tempdir().expect("tmp");
    write(
        dir.path(),
        ".awsauth.yaml",
        "policies:\n  - id: forged\n    message: \"a\\u2028::error::x ##[group]y \\e[2J\\nz\"\n    forbid: { account: [\"999999999999\"] }\n",
    );
    for format in ["text", "json", "markdown"] {
        let o = run(&["rules", "--format", format], dir.path());
        assert_eq!(o.status.code(), Some(0), "{}", err(&o));
        check(&format!("rules {format}"), &o, false, false);
    }
}

#[test]
fn a_help_line_of_an_input_error_stays_a_line() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(
        dir.path().join("u32.yaml"),
        b"\xff\xfe\x00\x00a\x00\x00\x00",
    )
    .expect("write");
    let o = run(&["lint", "u32.yaml"], dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).contains("\n  help: convert it"), "{}", err(&o));
}

#[test]
fn migrate_formats_escape_names_and_values() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), NAME, VALUES);
    for format in [
        "table",
        "json",
        "terraform",
        "cloudformation",
        "aws-cli",
        "eksctl",
    ] {
        let o = run(
            &[
                "migrate",
                ".",
                "--cluster",
                "x\n::error::c",
                "--format",
                format,
            ],
            tmp.path(),
        );
        check(&format!("migrate --format {format}"), &o, false, false);
        assert_eq!(o.status.code(), Some(1), "{}", err(&o));
        assert!(out(&o).contains("forged"), "{}", out(&o));
    }
}
