//! The command line end to end: discovery, stdin, formats, colours and exit codes.
mod common;

use common::{json, write};

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn awsauth(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_awsauth"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .output()
        .expect("runs")
}

fn with_stdin(args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_awsauth"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawns");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("writes");
    child.wait_with_output().expect("waits")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

const GOOD: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapUsers: |\n    - userarn: arn:aws:iam::111122223333:user/ops\n      username: ops\n      groups: [ops]\n";
const BAD: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::111122223333:role/eks-node\n      username: system:node:{{EC2PrivateDNSName}}\n      groups: [system:bootstrappers, system:nodes]\n    - rolearn: arn:aws:iam::111122223333:role/dev\n      username: {{SessionName}}\n";

#[test]
fn exit_codes_follow_fail_on() {
    let root = common::root();
    let fire = "fixtures/rules/unquoted-template/fire.yaml";
    let clean = "fixtures/rules/unquoted-template/no_fire.yaml";
    assert_eq!(awsauth(&["lint", fire], &root).status.code(), Some(1));
    assert_eq!(
        awsauth(&["lint", "--fail-on", "never", fire], &root)
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        awsauth(&["lint", "--fail-on", "error", fire], &root)
            .status
            .code(),
        Some(1)
    );
    let ok = awsauth(&["lint", clean], &root);
    assert_eq!(ok.status.code(), Some(0));
    assert!(stdout(&ok).contains("no problems found"), "{}", stdout(&ok));
    // an info finding fails only with --fail-on info
    let templated = "fixtures/rules/templated-file/fire.yaml";
    assert_eq!(awsauth(&["lint", templated], &root).status.code(), Some(0));
    assert_eq!(
        awsauth(&["lint", "--fail-on", "info", templated], &root)
            .status
            .code(),
        Some(1)
    );
    // usage errors are 2
    assert_eq!(
        awsauth(&["lint", "--format", "nope"], &root).status.code(),
        Some(2)
    );
    assert_eq!(
        awsauth(&["explain", "no-such-rule"], &root).status.code(),
        Some(2)
    );
}

#[test]
fn json_contract() {
    let root = common::root();
    let o = awsauth(
        &[
            "lint",
            "--format",
            "json",
            "fixtures/rules/unquoted-template/fire.yaml",
        ],
        &root,
    );
    let v = json(&o);
    assert_eq!(v["version"], 1);
    assert_eq!(v["summary"]["files_scanned"], 1);
    assert_eq!(v["summary"]["configmaps"], 1);
    assert_eq!(v["summary"]["errors"], 1);
    let d = &v["diagnostics"][0];
    assert_eq!(d["rule"], "unquoted-template");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["file"], "fixtures/rules/unquoted-template/fire.yaml");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(9), Some(17))
    );
    assert_eq!(
        (d["end_line"].as_u64(), d["end_column"].as_u64()),
        (Some(9), Some(32))
    );
    assert!(d["help"].as_str().is_some_and(|h| h.contains("quote")));
    assert!(d["principal"].is_string() || d["principal"].is_null());
    // the secondary spans, as the primary one is rendered
    assert_eq!(
        d["labels"],
        serde_json::json!([{"line": 7, "column": 3, "end_line": 7, "end_column": 11,
                            "message": "every mapping of `mapRoles` is lost"}])
    );
    let keys: Vec<&String> = d.as_object().expect("object").keys().collect();
    assert_eq!(keys.len(), 11, "{keys:?}");
}

/// A lost section's JSON finding carries the log's own position as a label when it points at
/// the cause instead (here the quote that is never closed).
#[test]
fn json_labels_carry_the_log_position() {
    let root = common::root();
    let o = awsauth(
        &[
            "lint",
            "--format",
            "json",
            "fixtures/rules/section-parse-error/fire_unclosed_quote.yaml",
        ],
        &root,
    );
    let v = json(&o);
    let d = v["diagnostics"]
        .as_array()
        .and_then(|ds| ds.iter().find(|d| d["rule"] == "section-parse-error"))
        .expect("a section-parse-error");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(11), Some(17))
    );
    assert_eq!(
        d["labels"],
        serde_json::json!([
            {"line": 14, "column": 1, "end_line": 14, "end_column": 2,
             "message": "the authenticator's log says `yaml: line 6: found unexpected end of stream`"},
            {"line": 8, "column": 3, "end_line": 8, "end_column": 11,
             "message": "every mapping of `mapUsers` is lost"}
        ])
    );
}

#[test]
fn stdin_with_a_display_name() {
    let o = with_stdin(
        &[
            "lint",
            "--format",
            "concise",
            "--stdin-filename",
            "rendered.yaml",
            "-",
        ],
        BAD,
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).starts_with("rendered.yaml:12:17: error[unquoted-template]"),
        "{}",
        stdout(&o)
    );
    let o = with_stdin(&["inspect", "--format", "json", "-"], GOOD);
    let v = json(&o);
    assert_eq!(v["configmaps"][0]["file"], "<stdin>");
    assert_eq!(
        v["configmaps"][0]["effective"]["users"][0]["username"],
        "ops"
    );
}

#[test]
fn walks_like_ripgrep() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    write(dir, "clusters/prod/aws-auth.yaml", BAD);
    write(dir, "clusters/dev/aws-auth.yml", BAD);
    write(dir, "clusters/dev/notes.txt", BAD);
    write(dir, "vendor/aws-auth.yaml", BAD);
    write(dir, ".hidden/aws-auth.yaml", BAD);
    write(dir, ".gitignore", "vendor/\n");
    let files = |o: &Output| -> Vec<String> {
        let mut f: Vec<String> = json(o)["diagnostics"]
            .as_array()
            .expect("array")
            .iter()
            .map(|d| d["file"].as_str().expect("file").to_owned())
            .collect();
        f.dedup();
        f
    };
    let o = awsauth(&["lint", "--format", "json"], dir);
    assert_eq!(
        files(&o),
        ["clusters/dev/aws-auth.yml", "clusters/prod/aws-auth.yaml"]
    );
    assert_eq!(json(&o)["summary"]["files_scanned"], 2);
    let o = awsauth(
        &[
            "lint",
            "--format",
            "json",
            "--exclude",
            "dev/**",
            "clusters",
        ],
        dir,
    );
    assert_eq!(files(&o), ["clusters/prod/aws-auth.yaml"]);
    // a directory name excludes everything below it
    let o = awsauth(
        &["lint", "--format", "json", "--exclude", "dev", "clusters"],
        dir,
    );
    assert_eq!(files(&o), ["clusters/prod/aws-auth.yaml"]);
    let o = awsauth(
        &["lint", "--format", "json", "--include", "*.txt", "."],
        dir,
    );
    assert_eq!(files(&o), ["clusters/dev/notes.txt"]);
    // a file named on the command line is always read, ignored or hidden
    let o = awsauth(
        &[
            "lint",
            "--format",
            "json",
            "vendor/aws-auth.yaml",
            ".hidden/aws-auth.yaml",
        ],
        dir,
    );
    assert_eq!(files(&o), [".hidden/aws-auth.yaml", "vendor/aws-auth.yaml"]);
}

#[cfg(unix)]
#[test]
fn bad_files_are_errors_and_the_rest_is_still_linted() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    write(dir, "a/aws-auth.yaml", BAD);
    std::fs::write(dir.join("a/binary.yaml"), b"mapRoles\0\x01\x02").expect("write");
    std::fs::write(dir.join("a/latin1.yaml"), b"data:\n  mapRoles: caf\xe9\n").expect("write");
    // bytes that name nothing awsauth reads are not decoded: no error, whatever they are
    std::fs::write(dir.join("a/image.json"), b"\x89PNG\0\x01").expect("write");
    std::fs::write(dir.join("a/notes.yaml"), b"title: caf\xe9\n").expect("write");
    std::os::unix::fs::symlink(dir.join("a/missing.yaml"), dir.join("a/broken.yaml"))
        .expect("symlink");
    let outside = tempfile::tempdir().expect("tempdir");
    write(outside.path(), "aws-auth.yaml", BAD);
    std::os::unix::fs::symlink(
        outside.path().join("aws-auth.yaml"),
        dir.join("a/outside.yaml"),
    )
    .expect("symlink");
    let o = awsauth(&["lint", "--format", "json", "a"], dir);
    assert_eq!(o.status.code(), Some(2));
    let v = json(&o);
    assert_eq!(
        v["summary"]["files_scanned"], 3,
        "aws-auth.yaml, image.json and notes.yaml: the outside link is not followed"
    );
    assert_eq!(v["diagnostics"][0]["file"], "a/aws-auth.yaml");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("a/binary.yaml: binary file"), "{err}");
    assert!(
        err.contains("a/latin1.yaml: invalid UTF-8 at line 2, column 16"),
        "{err}"
    );
    assert!(err.contains("a/broken.yaml: broken symbolic link"), "{err}");
    assert!(
        !err.contains("image.json") && !err.contains("notes.yaml"),
        "{err}"
    );
    // UTF-16 with a byte-order mark (what PowerShell's `>` writes) is read
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(BAD.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    std::fs::write(dir.join("utf16.yaml"), utf16).expect("write");
    let o = awsauth(&["lint", "--format", "concise", "utf16.yaml"], dir);
    assert!(
        stdout(&o).starts_with("utf16.yaml:12:17: error[unquoted-template]"),
        "{}",
        stdout(&o)
    );
    let o = awsauth(&["lint", "a/nope.yaml"], dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("a/nope.yaml: no such file or directory"));
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let root = common::root();
    let fire = "fixtures/rules/unquoted-template/fire.yaml";
    let piped = awsauth(&["lint", fire], &root);
    assert!(!stdout(&piped).contains('\x1b'));
    let always = awsauth(&["lint", "--color", "always", fire], &root);
    assert!(stdout(&always).contains('\x1b'));
    let never = awsauth(&["lint", "--color", "never", fire], &root);
    assert!(!stdout(&never).contains('\x1b'));
    let no_color = Command::new(env!("CARGO_BIN_EXE_awsauth"))
        .args(["lint", fire])
        .current_dir(&root)
        .env("NO_COLOR", "1")
        .output()
        .expect("runs");
    assert!(!stdout(&no_color).contains('\x1b'));
}

#[test]
fn inspect_contract_and_table() {
    let root = common::root();
    let o = awsauth(
        &[
            "inspect",
            "--format",
            "json",
            "fixtures/load/anchors.yaml",
            "fixtures/load/eksctl.yaml",
        ],
        &root,
    );
    assert_eq!(o.status.code(), Some(0));
    let v = json(&o);
    assert_eq!(v["version"], 1);
    let cm = &v["configmaps"][0];
    assert_eq!(
        (
            cm["kind"].as_str(),
            cm["namespace"].as_str(),
            cm["document"].as_u64()
        ),
        (Some("configmap"), Some("kube-system"), Some(0))
    );
    let entry = &cm["entries"][0];
    assert_eq!(entry["status"], "shadowed");
    assert_eq!(entry["reason"], "shadowed by the entry at line 14");
    assert_eq!(v["configmaps"][1]["kind"], "eksctl");
    let table = stdout(&awsauth(
        &["inspect", "fixtures/rules/section-parse-error/fire.yaml"],
        &root,
    ));
    assert!(table.contains("`mapRoles` fails to load"), "{table}");
    assert!(
        table.contains("lost: `mapRoles` fails to load")
            || table.contains("arn:aws:iam::111122223333:user/alice"),
        "{table}"
    );
}

#[test]
fn rules_and_explain() {
    let root = common::root();
    let v = json(&awsauth(&["rules", "--format", "json"], &root));
    let names: Vec<&str> = v["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .filter_map(|r| r["name"].as_str())
        .collect();
    assert_eq!(names.len(), awsauth::rules::RULES.len());
    assert!(names.contains(&"section-parse-error"));
    let o = awsauth(&["explain", "unquoted-template"], &root);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("## Why is this bad?"));
}

/// The README's example output, pinned: if this snapshot changes, update the README too.
#[test]
fn readme_example_output() {
    let root = common::root();
    let lint = awsauth(&["lint", "--color", "never", "fixtures/examples"], &root);
    assert_eq!(lint.status.code(), Some(1));
    insta::assert_snapshot!("readme_lint", stdout(&lint));
    let inspect = awsauth(&["inspect", "fixtures/examples"], &root);
    insta::assert_snapshot!("readme_inspect", stdout(&inspect));
    // the README shows this very output
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md");
    assert!(
        readme.contains(stdout(&lint).trim_end()),
        "README.md's lint example is stale"
    );
    assert!(
        readme.contains(stdout(&inspect).trim_end()),
        "README.md's inspect example is stale"
    );
}

#[test]
fn a_run_that_reads_nothing_says_so() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    write(dir, "notes.txt", BAD);
    let err = |o: &Output| String::from_utf8_lossy(&o.stderr).into_owned();
    for (command, verb) in [("lint", "linted"), ("inspect", "inspected")] {
        let o = awsauth(&[command], dir);
        assert_eq!(o.status.code(), Some(0), "{}", err(&o));
        assert!(
            err(&o).starts_with(&format!(
                "warning: nothing was {verb}: no file under `.` matches `*.yaml`, `*.yml`, `*.json`, `*.tf`\n  help: "
            )),
            "{}",
            err(&o)
        );
    }
    // a wrong `--include`
    write(dir, "aws-auth.yaml", BAD);
    let o = awsauth(&["lint", "--include", "*.yml", "."], dir);
    assert!(
        err(&o).contains("nothing was linted: no file under `.` matches `*.yml`"),
        "{}",
        err(&o)
    );
    // a file without aws-auth was still read: no warning
    let o = awsauth(&["lint", "notes.txt"], dir);
    assert_eq!(err(&o), "");
    // empty standard input (a failed `helm template` in the pipe)
    for command in ["lint", "inspect"] {
        let o = with_stdin(&[command, "-"], " \n");
        assert_eq!(o.status.code(), Some(0));
        assert!(
            err(&o).starts_with("warning: standard input is empty: nothing was "),
            "{}",
            err(&o)
        );
    }
}

#[test]
fn read_errors_are_never_no_problems_found() {
    let root = common::root();
    let clean = "fixtures/rules/unquoted-template/no_fire.yaml";
    let o = awsauth(&["lint", clean, "no-such-file.yaml"], &root);
    assert_eq!(o.status.code(), Some(2));
    let out = stdout(&o);
    assert!(!out.contains("no problems found"), "{out}");
    assert_eq!(
        out,
        "1 file could not be read (errors above); 0 findings in 1 aws-auth source (1 file scanned)\n"
    );
    let fire = "fixtures/rules/unquoted-template/fire.yaml";
    let o = awsauth(&["lint", fire, "a.yaml", "b.yaml"], &root);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stdout(&o).trim_end().ends_with(
            "in 1 aws-auth source (1 file scanned); 2 files could not be read (errors above)"
        ),
        "{}",
        stdout(&o)
    );
    let o = awsauth(&["inspect", "no-such-file.yaml"], &root);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stdout(&o),
        "no aws-auth mappings found in the files read; 1 file could not be read (errors above)\n"
    );
}

#[test]
fn stdin_filename_reads_standard_input() {
    // as ruff does: `--stdin-filename` without `-` reads standard input, never `.`
    let o = with_stdin(
        &[
            "lint",
            "--format",
            "concise",
            "--stdin-filename",
            "rendered.yaml",
        ],
        BAD,
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stdout(&o),
        "rendered.yaml:12:17: error[unquoted-template] unquoted `{{SessionName}}` is a YAML flow mapping; the authenticator logs `yaml: invalid map key: map[interface {}]interface {}{\"SessionName\":interface {}(nil)}` and drops all of `mapRoles`, including node role `arn:aws:iam::111122223333:role/eks-node`\n"
    );
    assert_eq!(String::from_utf8_lossy(&o.stderr), "");
    // paths without `-` are not read, and each is said
    let o = with_stdin(
        &[
            "inspect",
            "--format",
            "json",
            "--stdin-filename",
            "rendered.yaml",
            "fixtures",
        ],
        GOOD,
    );
    assert_eq!(o.status.code(), Some(0));
    let v = json(&o);
    assert_eq!(v["configmaps"].as_array().map(Vec::len), Some(1), "{v}");
    assert_eq!(v["configmaps"][0]["file"], "rendered.yaml");
    assert!(
        String::from_utf8_lossy(&o.stderr).starts_with(
            "warning: `fixtures` is not read: `--stdin-filename` reads standard input\n"
        ),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn diff_help_shows_the_fail_on_default_as_typed() {
    let root = common::root();
    for flag in ["--help", "-h"] {
        let o = awsauth(&["diff", flag], &root);
        assert_eq!(o.status.code(), Some(0));
        assert!(
            stdout(&o).contains("[default: escalation,lockout]"),
            "{}",
            stdout(&o)
        );
    }
}

/// `awsauth` with the test-only panic trigger set to `stage:file` (debug builds only).
#[cfg(debug_assertions)]
fn panicking(args: &[&str], dir: &Path, trigger: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_awsauth"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("RUST_BACKTRACE", "1")
        .env("AWSAUTH_TEST_PANIC", trigger)
        .env("HOME", dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("runs")
}

// The trigger (`AWSAUTH_TEST_PANIC`) exists only in debug builds, what `cargo test` builds;
// under `cargo test --release` this test is not compiled rather than passing vacuously.
#[cfg(debug_assertions)]
#[test]
fn a_panic_on_one_file_is_that_files_internal_error() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    write(dir, "a.yaml", BAD);
    write(dir, "b.yaml", BAD);
    let err = |o: &Output| String::from_utf8_lossy(&o.stderr).into_owned();
    let internal = |stage: &str| {
        format!(
            "error: internal error while processing `b.yaml`: test-only panic (AWSAUTH_TEST_PANIC={stage}:b.yaml) (at src/guard.rs:"
        )
    };
    for stage in ["load", "lint"] {
        let o = panicking(
            &["lint", "--format", "concise"],
            dir,
            &format!("{stage}:b.yaml"),
        );
        assert_eq!(o.status.code(), Some(2), "{}", err(&o));
        // the other file's findings, and only the other file's
        assert!(
            stdout(&o).starts_with("a.yaml:12:17: error[unquoted-template]"),
            "{}",
            stdout(&o)
        );
        assert!(!stdout(&o).contains("b.yaml"), "{}", stdout(&o));
        let e = err(&o);
        assert!(e.starts_with(&internal(stage)), "{e}");
        assert!(
            e.contains("please report it on the awsauth issue tracker"),
            "{e}"
        );
        // no default panic output, backtrace or not
        assert!(
            !e.contains("panicked at") && !e.contains("backtrace"),
            "{e}"
        );
        assert_eq!(e.lines().count(), 2, "{e}");
    }
    let o = panicking(&["lint"], dir, "lint:b.yaml");
    assert!(
        stdout(&o).ends_with("(2 files scanned); 1 file hit an internal error (errors above)\n"),
        "{}",
        stdout(&o)
    );
    for format in ["table", "json"] {
        let o = panicking(&["inspect", "--format", format], dir, "inspect:b.yaml");
        assert_eq!(o.status.code(), Some(2), "{}", err(&o));
        assert!(err(&o).starts_with(&internal("inspect")), "{}", err(&o));
        assert!(stdout(&o).contains("a.yaml"), "{}", stdout(&o));
        assert!(!stdout(&o).contains("b.yaml"), "{}", stdout(&o));
    }
    let v = json(&panicking(
        &["inspect", "--format", "json"],
        dir,
        "inspect:b.yaml",
    ));
    assert_eq!(v["configmaps"][0]["file"], "a.yaml");
    // `diff`: the version that panics is not compared, the others are
    let git = |args: &[&str]| {
        common::git(dir, args);
    };
    write(dir, "a.yaml", GOOD);
    write(dir, "b.yaml", GOOD);
    git(&["init", "-q", "-b", "main"]);
    git(&["add", "-A"]);
    git(&["commit", "-qm", "init"]);
    for f in ["a.yaml", "b.yaml"] {
        write(dir, f, &GOOD.replace("[ops]", "[ops, system:masters]"));
    }
    let o = panicking(&["diff", "HEAD", "--format", "json"], dir, "load:b.yaml");
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).starts_with(
        "error: internal error while processing `b.yaml (old)`: test-only panic (AWSAUTH_TEST_PANIC=load:b.yaml)"
    ), "{}", err(&o));
    let v = json(&o);
    assert_eq!(v["changes"][0]["after"]["file"], "a.yaml", "{v}");
    assert_eq!(v["changes"].as_array().map(Vec::len), Some(1), "{v}");
    assert!(
        v["skipped"]
            .to_string()
            .contains("b.yaml: an internal error"),
        "{v}"
    );
}

/// `--force-exclude` (as ruff's): the configuration's and the command line's excludes apply to
/// the files a hook names, as a walk would apply them; without it, a named file is read.
#[test]
fn force_exclude_applies_the_excludes_to_named_files() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    write(
        dir,
        ".awsauth.yaml",
        "exclude: [vendor, \"app/skip-*.yaml\"]\n",
    );
    for f in ["vendor/a.yaml", "app/a.yaml", "app/skip-1.yaml"] {
        write(dir, f, BAD);
    }
    let err = |o: &Output| String::from_utf8_lossy(&o.stderr).into_owned();
    let linted = |args: &[&str], cwd: &Path| -> (Option<i32>, Vec<String>) {
        let o = awsauth(args, cwd);
        let mut files: Vec<String> = stdout(&o)
            .lines()
            .filter_map(|l| l.split(':').next().map(str::to_owned))
            .collect();
        files.dedup();
        (o.status.code(), files)
    };
    let lint = ["lint", "--format", "concise"];
    // named: read, excluded or not
    let (code, files) = linted(&[&lint[..], &["vendor/a.yaml"]].concat(), dir);
    assert_eq!((code, files), (Some(1), vec!["vendor/a.yaml".to_owned()]));
    // forced: the folder glob, the anchored glob, a path through `..`, the folder itself
    for named in [
        "vendor/a.yaml",
        "app/skip-1.yaml",
        "./app/../vendor/a.yaml",
        "vendor",
    ] {
        let o = awsauth(&[&lint[..], &["--force-exclude", named]].concat(), dir);
        assert_eq!(o.status.code(), Some(0), "{named}: {}", err(&o));
        assert_eq!(stdout(&o), "", "{named}");
        // every file left out on purpose is not "nothing matched"
        assert_eq!(err(&o), "", "{named}");
    }
    // the others are still read
    let args = [
        &lint[..],
        &["--force-exclude", "vendor/a.yaml", "app/a.yaml"],
    ]
    .concat();
    assert_eq!(linted(&args, dir), (Some(1), vec!["app/a.yaml".to_owned()]));
    // `--exclude` too, and from a subfolder, a path outside it by its absolute path
    let args = [
        &lint[..],
        &["--force-exclude", "--exclude", "app", "app/a.yaml"],
    ]
    .concat();
    assert_eq!(linted(&args, dir), (Some(0), vec![]));
    let args = [
        &lint[..],
        &["--force-exclude", "../vendor/a.yaml", "a.yaml"],
    ]
    .concat();
    assert_eq!(
        linted(&args, &dir.join("app")),
        (Some(1), vec!["a.yaml".to_owned()])
    );
    // standard input named as an excluded file
    let o = Command::new(env!("CARGO_BIN_EXE_awsauth"))
        .args(["lint", "--format", "concise", "--force-exclude"])
        .args(["--stdin-filename", "vendor/x.yaml", "-"])
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("runs");
    assert_eq!(
        (o.status.code(), stdout(&o), err(&o)),
        (Some(0), String::new(), String::new())
    );
}

/// `lint --new-only` says why git could not be asked: no git is not "not in a git repository".
#[test]
fn new_only_without_git_says_so() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), "aws-auth.yaml", GOOD);
    let o = Command::new(env!("CARGO_BIN_EXE_awsauth"))
        .args(["lint", "--new-only", "."])
        .current_dir(tmp.path())
        .env("PATH", "")
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("cannot run `git`"), "{err}");
    assert!(!err.contains("not in a git repository"), "{err}");
}

/// `lint --new-only` on a Terraform file loads its base version with the other files of its
/// module as they were at the base: a finding that comes through a `local` in another file is
/// not new because the file changed.
#[test]
fn new_only_reads_a_terraform_module_at_the_base() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let main = |extra: &str| {
        format!(
            r#"resource "kubernetes_config_map_v1_data" "aws_auth" {{
  metadata {{
    name      = "aws-auth"
    namespace = "kube-system"
  }}
  data = {{
    mapRoles = yamlencode(concat(local.admins, [{extra}]))
  }}
}}
"#
        )
    };
    write(dir, "infra/main.tf", &main(""));
    write(
        dir,
        "infra/locals.tf",
        "locals {\n  admins = [{ rolearn = \"arn:aws:iam::111122223333:role/admin\", username = \"admin:{{SessionName}}\", groups = [\"system:masters\"] }]\n}\n",
    );
    common::git(dir, &["init", "-q", "-b", "main"]);
    common::git(dir, &["add", "."]);
    common::git(dir, &["commit", "-qm", "base"]);
    // the change adds a second cluster-admin; the first one is not new
    write(
        dir,
        "infra/main.tf",
        &main(
            r#"{ rolearn = "arn:aws:iam::111122223333:role/ops", username = "ops:{{SessionName}}", groups = ["system:masters"] }"#,
        ),
    );
    let o = awsauth(
        &[
            "lint",
            "--new-only",
            "--base",
            "HEAD",
            "--format",
            "concise",
            "--select",
            "system-masters",
            "infra",
        ],
        dir,
    );
    let out = stdout(&o);
    assert!(
        out.contains("role/ops"),
        "{out}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(!out.contains("role/admin"), "{out}");
}
