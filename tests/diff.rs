//! `awsauth diff`, in two kinds of test.
//!
//! **Fixture pairs** (`fixtures/diff/<case>/`): what two manifests compare to. A case holds
//! `before.yaml` and `after.yaml` (or `before.tf` and `after.tf`), a one-line `README` saying
//! which behaviour it pins, an
//! optional `args` (more flags, separated by white space) and `expected.json`: the exit code, the
//! JSON report, and standard error when there is any, of
//! `awsauth diff --no-index --no-config --format json [ARGS] before.yaml after.yaml` run in the
//! case's folder (`--no-config`: a case never depends on where the repository lives). One test
//! walks every case. After a deliberate change, `AWSAUTH_BLESS=1 cargo test --test diff` (or
//! `INSTA_UPDATE=always`, which writes the insta snapshots too) rewrites the expected files;
//! review them with `git diff`. A new case is a new folder: no Rust to write.
//!
//! **Rust tests** for the rest: what needs revisions of a throw-away Git repository (commits,
//! the index, renames, shallow, partial and bare clones, hostile repositories), what is checked
//! in another rendering (human and Markdown snapshots, GitHub annotations) or on standard error,
//! and generated inputs too big for a fixture. Each is named after the behaviour it pins.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{git, json, stderr};

// ---------------------------------------------------------------------------------------------
// Running awsauth, reading its reports

/// Runs `awsauth` in `dir` with `dir` as `HOME` and no system git configuration.
fn awsauth(dir: &Path, args: &[&str]) -> Output {
    common::awsauth_in_repo(dir, args)
}

/// Runs `awsauth` like [`awsauth`], failing the test instead of waiting past a minute.
fn awsauth_within_a_minute(dir: &Path, args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_awsauth"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("HOME", dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("runs");
    let start = std::time::Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if start.elapsed() > std::time::Duration::from_secs(60) {
            let _ = child.kill();
            panic!("awsauth {args:?} hangs");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

/// `awsauth diff A B ...` (`args`) run twice: as it is, where one `git cat-file` serves the
/// trees awsauth compares, and with the pathspec `.` after them, where `git diff` compares;
/// both give the same exit code and bytes on both outputs. Returns the first.
fn walked_as_diffed(dir: &Path, args: &[&str]) -> Output {
    let walked = awsauth(dir, args);
    let mut with_pathspec = args.to_vec();
    with_pathspec.extend(["--", "."]);
    let diffed = awsauth(dir, &with_pathspec);
    assert_eq!(
        walked.status.code(),
        diffed.status.code(),
        "{args:?}: {}",
        stderr(&walked)
    );
    assert_eq!(
        String::from_utf8_lossy(&walked.stdout),
        String::from_utf8_lossy(&diffed.stdout),
        "{args:?}"
    );
    assert_eq!(stderr(&walked), stderr(&diffed), "{args:?}");
    walked
}

/// What a command printed on standard output.
fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Asserts the exit code, showing what awsauth printed otherwise.
fn exits(o: &Output, code: i32) {
    assert_eq!(o.status.code(), Some(code), "{}{}", stdout(o), stderr(o));
}

/// A change as `(kind, risks, principal)`.
type Change = (String, Vec<String>, String);

/// `(kind, risks, principal)` of each change.
fn changes(v: &serde_json::Value) -> Vec<Change> {
    v["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| {
            (
                c["kind"].as_str().unwrap_or_default().to_owned(),
                c["risks"]
                    .as_array()
                    .expect("risks")
                    .iter()
                    .map(|r| r.as_str().unwrap_or_default().to_owned())
                    .collect(),
                c["principal"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// The one change `(kind, [risk], principal)`, as [`changes`] lists it.
fn one_change(kind: &str, risk: &str, principal: &str) -> Vec<Change> {
    vec![(kind.to_owned(), vec![risk.to_owned()], principal.to_owned())]
}

/// Notes of a JSON diff report, as one string.
fn notes(v: &serde_json::Value) -> String {
    v["notes"]
        .as_array()
        .map(|n| {
            n.iter()
                .filter_map(serde_json::Value::as_str)
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// Fixture pairs

/// The folder of the fixture pairs.
fn cases_dir() -> PathBuf {
    common::root().join("fixtures/diff")
}

/// The files a case may hold.
const CASE_FILES: &[&str] = &[
    "README",
    "before.yaml",
    "after.yaml",
    "before.tf",
    "after.tf",
    "args",
    "expected.json",
];

/// Runs `awsauth diff --no-index` on the pair of `case` in `format`, with the case's `args`.
fn diff_case(case: &str, format: &str) -> Output {
    let dir = cases_dir().join(case);
    let extra = std::fs::read_to_string(dir.join("args")).unwrap_or_default();
    let mut args = vec!["diff", "--no-index", "--no-config", "--format", format];
    args.extend(extra.split_whitespace());
    if dir.join("before.tf").is_file() {
        args.extend(["before.tf", "after.tf"]);
    } else {
        args.extend(["before.yaml", "after.yaml"]);
    }
    awsauth(&dir, &args)
}

/// What `expected.json` holds: the exit code, the report (text if it is not JSON), and
/// standard error when there is any.
fn outcome(o: &Output) -> serde_json::Value {
    let report: serde_json::Value =
        serde_json::from_slice(&o.stdout).unwrap_or_else(|_| stdout(o).into());
    let mut v = serde_json::json!({ "exit": o.status.code(), "stdout": report });
    if !o.stderr.is_empty() {
        v["stderr"] = stderr(o).into();
    }
    v
}

/// Whether the run rewrites the expected files instead of comparing with them.
fn blessing() -> bool {
    std::env::var("AWSAUTH_BLESS").is_ok_and(|v| v == "1")
        || std::env::var("INSTA_UPDATE").is_ok_and(|v| v == "always")
}

/// The first lines where two texts differ, with a little context.
fn first_difference(expected: &str, got: &str) -> String {
    let (e, g): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), got.lines().collect());
    let at = e.iter().zip(&g).take_while(|(a, b)| a == b).count();
    let from = at.saturating_sub(3);
    let show = |lines: &[&str]| {
        lines
            .iter()
            .skip(from)
            .take(8)
            .copied()
            .collect::<Vec<_>>()
            .join("\n")
    };
    format!(
        "  from line {}\n  expected:\n{}\n  got:\n{}",
        from + 1,
        show(&e),
        show(&g)
    )
}

/// Checks one case folder (or rewrites its expected file); returns what is wrong.
fn check_case(dir: &Path, bless: bool) -> Option<String> {
    let name = dir
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    for entry in std::fs::read_dir(dir).expect("case folder").flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        if !CASE_FILES.contains(&file.as_str()) {
            return Some(format!(
                "{name}: unexpected file `{file}` (a case holds {CASE_FILES:?})"
            ));
        }
    }
    let readme = std::fs::read_to_string(dir.join("README")).unwrap_or_default();
    if readme.trim().is_empty() || readme.trim().lines().count() != 1 {
        return Some(format!(
            "{name}: needs a one-line README saying what the case pins"
        ));
    }
    let got = outcome(&diff_case(&name, "json"));
    let got_text = serde_json::to_string_pretty(&got).expect("json") + "\n";
    let path = dir.join("expected.json");
    if bless {
        std::fs::write(&path, got_text).expect("write expected.json");
        return None;
    }
    let Ok(text) = std::fs::read_to_string(&path) else {
        return Some(format!(
            "{name}: no expected.json (AWSAUTH_BLESS=1 writes it)"
        ));
    };
    let expected: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (expected != got).then(|| {
        let expected_text = serde_json::to_string_pretty(&expected).expect("json");
        format!("{name}:\n{}", first_difference(&expected_text, &got_text))
    })
}

/// Every case of `fixtures/diff/` compares to its `expected.json`: exit code, report, and
/// standard error.
#[test]
fn each_fixture_pair_diffs_to_its_expected_report() {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(cases_dir())
        .expect("fixtures/diff")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(dirs.len() > 30, "{} cases", dirs.len());
    let bless = blessing();
    let failures: Vec<String> = dirs.iter().filter_map(|d| check_case(d, bless)).collect();
    assert!(
        failures.is_empty(),
        "{} of {} case(s) differ (after a deliberate change: AWSAUTH_BLESS=1 cargo test --test diff, then review `git diff fixtures/diff`):\n{}",
        failures.len(),
        dirs.len(),
        failures.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// Other renderings of fixture pairs

#[test]
fn reformatting_only_says_no_semantic_change() {
    let o = diff_case("reformatting-is-no-semantic-change", "human");
    exits(&o, 0);
    assert!(stdout(&o).contains("no semantic change"), "{}", stdout(&o));
}

#[test]
fn a_username_cannot_add_markdown_headings_or_table_rows() {
    let md = stdout(&diff_case(
        "a-username-cannot-add-markdown-headings-or-table-rows",
        "markdown",
    ));
    assert!(
        !md.lines().any(|l| l.starts_with("## no semantic change")),
        "{md}"
    );
    let table_rows = md.lines().filter(|l| l.starts_with('|')).count();
    assert_eq!(table_rows, 3, "header, rule, one change: {md}");
}

#[test]
fn manifest_text_cannot_shape_markdown_or_the_terminal() {
    let case = "manifest-text-cannot-shape-markdown-or-the-terminal";
    let md = stdout(&diff_case(case, "markdown"));
    let row = md
        .lines()
        .find(|l| l.contains("role/developers"))
        .expect("row");
    assert!(!row.contains("<img"), "{row}");
    assert!(!row.contains(" ![x]"), "{row}");
    assert!(!row.contains(" @octocat"), "{row}");
    assert!(!row.contains("**b**"), "{row}");
    let human = diff_case(case, "human").stdout;
    assert!(
        !human.contains(&0x1b),
        "no escape character reaches the terminal"
    );
    assert!(!human.contains(&b'\r'));
}

// ---------------------------------------------------------------------------------------------
// `--no-index` failures

/// `--no-index` compares two readable files, and takes no pathspec.
#[test]
fn no_index_needs_two_readable_files_and_no_pathspec() {
    let t = tempfile::tempdir().expect("tmp");
    let d = t.path();
    common::write(d, "old.yaml", AUTH);
    common::write(d, "new.yaml", AUTH);
    for args in [
        &["diff", "--no-index", "old.yaml"][..],
        &["diff", "--no-index", "-", "-"],
        &["diff", "--no-index", "old.yaml", "new.yaml", "--", "x"],
    ] {
        exits(&awsauth(d, args), 2);
    }
    // a file that cannot be read is an error with its position
    std::fs::write(
        d.join("bad.yaml"),
        b"apiVersion: v1\nkind: ConfigMap\n  x: \"\xff\"\n",
    )
    .expect("write");
    let o = awsauth(d, &["diff", "--no-index", "old.yaml", "bad.yaml"]);
    exits(&o, 2);
    assert!(
        stderr(&o).contains("invalid UTF-8 at line 3"),
        "{}",
        stderr(&o)
    );
}

/// Inputs that made the diff quadratic (issue 11): thousands of documents, thousands of case
/// variants of one user ARN, a mapping with thousands of groups, a one-line flow sequence of
/// thousands of mappings. Each must finish (the watchdog allows a minute in a debug build;
/// `scripts/hostile-bench` times the release binary) with every change found.
#[test]
fn hostile_inputs_are_compared_in_linear_time() {
    type Make = fn(&str, usize) -> String;
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    let n = 5_000;
    let cases: [(&str, Make, usize); 4] = [
        // the last document of one identity is what stays applied
        ("documents", many_documents, 1),
        ("case variants", many_case_variants, 1),
        ("groups", many_groups, 1),
        ("flow", many_flow_mappings, n),
    ];
    for (name, make, expected) in cases {
        common::write(d, "old.yaml", &make("g", n));
        common::write(d, "new.yaml", &make("h", n));
        for format in ["json", "human", "markdown", "github"] {
            // (`timeout` as the watchdog: the output is bigger than a pipe holds)
            let o = Command::new("timeout")
                .args(["-k", "5", "60", env!("CARGO_BIN_EXE_awsauth")])
                .args([
                    "diff",
                    "--no-index",
                    "old.yaml",
                    "new.yaml",
                    "--format",
                    format,
                ])
                .current_dir(d)
                .env("NO_COLOR", "1")
                .output()
                .expect("runs");
            assert_ne!(o.status.code(), Some(124), "{name} {format}: hangs");
            assert_ne!(o.status.code(), Some(2), "{name} {format}: {}", stderr(&o));
            if format == "json" {
                let found = changes(&json(&o)).len();
                assert_eq!(found, expected, "{name}: {found} changes");
            }
        }
    }
}

/// The head of an aws-auth `ConfigMap`, up to `data:`.
const CM_HEAD: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n";

/// `n` aws-auth documents, one role each, in group `g`.
fn many_documents(g: &str, n: usize) -> String {
    let mut out = String::new();
    for i in 0..n {
        out.push_str(&format!("---\n{CM_HEAD}  mapRoles: |\n    - rolearn: arn:aws:iam::111122223333:role/r{i}\n      groups: [{g}]\n"));
    }
    out
}

/// `n` case variants of one user ARN, each in its own group `g<i>`.
fn many_case_variants(g: &str, n: usize) -> String {
    let mut s = format!("{CM_HEAD}  mapUsers: |\n");
    for i in 0..n {
        // `user/abcdefghijklm` with the case of each letter from the bits of `i`
        let name: String = "abcdefghijklm"
            .chars()
            .enumerate()
            .map(|(b, c)| {
                if i >> b & 1 == 1 {
                    c.to_ascii_uppercase()
                } else {
                    c
                }
            })
            .collect();
        s.push_str(&format!(
            "    - userarn: arn:aws:iam::111122223333:user/{name}\n      username: u{i}\n      groups: [{g}{i}]\n"
        ));
    }
    s
}

/// One role in `10 n` groups `g<i>`.
fn many_groups(g: &str, n: usize) -> String {
    let list: Vec<String> = (0..n * 10).map(|i| format!("{g}{i}")).collect();
    format!(
        "{CM_HEAD}  mapRoles: |\n    - rolearn: arn:aws:iam::111122223333:role/r\n      groups: [{}]\n",
        list.join(", ")
    )
}

/// `n` roles in group `g`, as one line of a flow sequence.
fn many_flow_mappings(g: &str, n: usize) -> String {
    let list: Vec<String> = (0..n)
        .map(|i| {
            format!("{{\"rolearn\":\"arn:aws:iam::111122223333:role/r{i}\",\"groups\":[\"{g}\"]}}")
        })
        .collect();
    format!("{CM_HEAD}  mapRoles: '[{}]'\n", list.join(","))
}

// ---------------------------------------------------------------------------------------------
// Throw-away repositories

const AUTH: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: aws-auth
  namespace: kube-system
data:
  mapRoles: |
    - rolearn: arn:aws:iam::111122223333:role/eks-node
      username: system:node:{{EC2PrivateDNSName}}
      groups:
        - system:bootstrappers
        - system:nodes
    - rolearn: arn:aws:iam::111122223333:role/developers
      username: dev:{{SessionName}}
      groups:
        - developers
  mapUsers: |
    - userarn: arn:aws:iam::111122223333:user/on-call
      username: on-call
      groups: [on-call]
";

/// A `mapRoles` entry of `role/admin` in `system:masters`.
const ADMIN: &str = "    - rolearn: arn:aws:iam::111122223333:role/admin\n      username: admin\n      groups: [system:masters]\n";

/// An aws-auth `ConfigMap` with a working node role and `roles` after it in `mapRoles`.
fn node_cm(roles: &str) -> String {
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::111122223333:role/eks-node\n      username: system:node:{{{{EC2PrivateDNSName}}}}\n      groups: [system:bootstrappers, system:nodes]\n{roles}"
    )
}

/// A repository on `main` with AUTH committed at `clusters/prod/aws-auth.yaml`.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    common::write(d, "clusters/prod/aws-auth.yaml", AUTH);
    common::write(d, "README.md", "cluster manifests\n");
    commit_all(d, "init");
    dir
}

/// [`repo`] with a second commit that maps the on-call user into `system:masters`.
fn escalated_repo() -> tempfile::TempDir {
    let dir = repo();
    edit(dir.path(), |t| t.replace("[on-call]", "[system:masters]"));
    git(dir.path(), &["commit", "-qam", "escalate"]);
    dir
}

/// Stages everything in `d` and commits it.
fn commit_all(d: &Path, message: &str) {
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", message]);
}

/// Rewrites `clusters/prod/aws-auth.yaml` in the working tree.
fn edit(dir: &Path, f: impl Fn(&str) -> String) {
    let p = dir.join("clusters/prod/aws-auth.yaml");
    let text = std::fs::read_to_string(&p).expect("read");
    std::fs::write(&p, f(&text)).expect("write");
}

/// A bare clone of `d` (`b.git` in the returned folder).
fn bare_clone(d: &Path) -> (tempfile::TempDir, PathBuf) {
    let bare = tempfile::tempdir().expect("tmp");
    let url = format!("file://{}", d.display());
    git(bare.path(), &["clone", "-q", "--bare", &url, "b.git"]);
    let path = bare.path().join("b.git");
    (bare, path)
}

/// Two commits: `clusters/<name>/aws-auth.yaml` with `before` for each folder, then every
/// folder moved to `envs/<name>/` with `after` in it.
fn move_folders(d: &Path, folders: &[(&str, String, String)]) {
    for (name, before, _) in folders {
        common::write(d, &format!("clusters/{name}/aws-auth.yaml"), before);
    }
    commit_all(d, "folders");
    std::fs::create_dir_all(d.join("envs")).expect("mkdir");
    for (name, _, after) in folders {
        let (from, to) = (format!("clusters/{name}"), format!("envs/{name}"));
        std::fs::rename(d.join(from), d.join(&to)).expect("mv");
        common::write(d, &format!("{to}/aws-auth.yaml"), after);
    }
    commit_all(d, "move");
}

/// Replaces the 12-character commit ids that follow a `(` by `<commit>`: they differ per run.
fn strip_commits(s: &str) -> String {
    s.split('(')
        .enumerate()
        .map(|(i, part)| {
            if i > 0 && part.len() > 12 && part[..12].chars().all(|c| c.is_ascii_hexdigit()) {
                format!("<commit>{}", &part[12..])
            } else {
                part.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("(")
}

// ---------------------------------------------------------------------------------------------
// Comparing revisions

#[test]
fn adding_system_masters_to_a_role_is_an_escalation_in_every_format() {
    let dir = repo();
    let d = dir.path();
    edit(d, |t| {
        t.replace(
            "        - developers\n",
            "        - developers\n        - system:masters\n",
        )
    });
    git(d, &["commit", "-qam", "admins"]);
    let o = awsauth(d, &["diff", "HEAD~1", "HEAD", "--format", "json"]);
    let v = json(&o);
    assert_eq!(
        changes(&v),
        one_change(
            "changed",
            "escalation",
            "arn:aws:iam::111122223333:role/developers"
        )
    );
    assert_eq!(v["changes"][0]["groups_added"][0], "system:masters");
    assert_eq!(v["changes"][0]["before"]["line"], 13);
    assert_eq!(
        v["changes"][0]["after"]["file"],
        "clusters/prod/aws-auth.yaml"
    );
    exits(&o, 1);
    // the threshold is configurable
    exits(
        &awsauth(d, &["diff", "HEAD~1", "HEAD", "--fail-on", "lockout"]),
        0,
    );
    exits(
        &awsauth(d, &["diff", "HEAD~1", "HEAD", "--fail-on", "never"]),
        0,
    );
    // the renderings
    let human = awsauth(d, &["diff", "HEAD~1", "HEAD"]);
    let md = awsauth(d, &["diff", "HEAD~1", "HEAD", "--format", "markdown"]);
    insta::assert_snapshot!("diff_escalation_human", strip_commits(&stdout(&human)));
    insta::assert_snapshot!("diff_escalation_markdown", strip_commits(&stdout(&md)));
    let gh = awsauth(d, &["diff", "HEAD~1", "HEAD", "--format", "github"]);
    assert!(stdout(&gh).starts_with(
        "::error file=clusters/prod/aws-auth.yaml,line=13,title=awsauth diff%3A escalation::"
    ));
}

/// The JSON of this change is the fixture pair
/// `a-tab-in-map-roles-loses-the-section-and-locks-out-the-nodes`.
#[test]
fn a_tab_in_map_roles_is_shown_as_a_lost_section_naming_the_node_roles() {
    let dir = repo();
    let d = dir.path();
    edit(d, |t| {
        t.replace("      username: dev:", "    \t  username: dev:")
    });
    let o = awsauth(d, &["diff", "HEAD"]);
    exits(&o, 1);
    insta::assert_snapshot!(
        "diff_tab_lockout_human",
        stdout(&o).replace(&git(d, &["rev-parse", "HEAD"])[..12], "<commit>")
    );
}

#[test]
fn deleting_the_aws_auth_manifest_locks_out_the_nodes() {
    let dir = repo();
    let d = dir.path();
    std::fs::remove_file(d.join("clusters/prod/aws-auth.yaml")).expect("rm");
    let v = json(&awsauth(d, &["diff", "HEAD", "--format", "json"]));
    assert_eq!(changes(&v)[0].0, "source-removed");
    assert!(
        v["changes"][0]["reasons"]
            .to_string()
            .contains("nodes lose access")
    );
}

#[test]
fn a_renamed_manifest_is_no_change() {
    let dir = repo();
    let d = dir.path();
    std::fs::create_dir_all(d.join("clusters/production")).expect("mkdir");
    git(
        d,
        &[
            "mv",
            "clusters/prod/aws-auth.yaml",
            "clusters/production/aws-auth.yaml",
        ],
    );
    git(d, &["commit", "-qm", "rename"]);
    let o = awsauth(d, &["diff", "HEAD~1", "HEAD", "--format", "json"]);
    let v = json(&o);
    assert_eq!(changes(&v), Vec::new(), "{v}");
    exits(&o, 0);
}

#[test]
fn deleting_one_aws_auth_and_adding_an_unrelated_one_is_no_rename() {
    let dir = repo();
    let d = dir.path();
    git(d, &["rm", "-q", "clusters/prod/aws-auth.yaml"]);
    common::write(
        d,
        "clusters/stage/aws-auth.yaml",
        &AUTH
            .replace("111122223333:role/", "444455556666:role/")
            .replace("111122223333:user/", "444455556666:user/"),
    );
    let v = json(&awsauth(d, &["diff", "HEAD", "--format", "json"]));
    assert!(
        changes(&v)
            .iter()
            .any(|c| c.0 == "source-removed" && c.1 == vec!["lockout".to_owned()]),
        "{v}"
    );
}

/// Folders moved together: each source pairs with its own (`clusters/dev` with `envs/dev`),
/// whatever moves between them in the same change.
#[test]
fn folders_moved_together_pair_each_source_with_its_own() {
    // the admin moves from stage to dev in the same change
    let dir = repo();
    let d = dir.path();
    move_folders(
        d,
        &[
            ("dev", node_cm(""), node_cm(ADMIN)),
            ("stage", node_cm(ADMIN), node_cm("")),
        ],
    );
    let o = awsauth(d, &["diff", "HEAD~1", "HEAD", "--format", "json"]);
    exits(&o, 1);
    let v = json(&o);
    let gained = v["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .find(|c| c["risks"].to_string().contains("escalation"))
        .unwrap_or_else(|| panic!("{v}"));
    assert_eq!(gained["after"]["file"], "envs/dev/aws-auth.yaml", "{v}");
    // one folder loses a role, the other keeps its admin
    let dir = repo();
    let d = dir.path();
    let dev = "    - rolearn: arn:aws:iam::111122223333:role/dev\n      username: dev\n      groups: [developers]\n";
    let ops = "    - rolearn: arn:aws:iam::111122223333:role/ops\n      username: ops\n      groups: [ops]\n";
    move_folders(
        d,
        &[
            ("dev", node_cm(&format!("{dev}{ops}")), node_cm(dev)),
            ("prod", node_cm(ADMIN), node_cm(ADMIN)),
        ],
    );
    let v = json(&awsauth(d, &["diff", "HEAD~1", "HEAD", "--format", "json"]));
    assert_eq!(
        changes(&v),
        one_change(
            "removed",
            "access-change",
            "arn:aws:iam::111122223333:role/ops"
        ),
        "{v}"
    );
}

/// A UTF-16 manifest (PowerShell `>`) is read from a commit like any other (its NUL bytes do not
/// make it binary).
#[test]
fn a_utf_16_manifest_in_a_commit_is_compared() {
    let dir = repo();
    let d = dir.path();
    let escalated = AUTH.replace("[on-call]", "[system:masters]");
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(escalated.encode_utf16().flat_map(u16::to_le_bytes));
    std::fs::write(d.join("clusters/prod/utf16.yaml"), &utf16).expect("write");
    commit_all(d, "utf-16");
    let o = awsauth(d, &["diff", "HEAD~1", "HEAD", "--format", "json"]);
    let risks: Vec<String> = changes(&json(&o)).into_iter().flat_map(|c| c.1).collect();
    assert!(risks.contains(&"escalation".to_owned()), "{}", stdout(&o));
}

#[test]
fn github_annotations_give_plain_access_changes_their_detail() {
    let dir = repo();
    let d = dir.path();
    edit(d, |t| {
        t.replace(
            "        - developers\n",
            "        - developers\n        - ops\n",
        )
    });
    git(d, &["commit", "-qam", "ops"]);
    let o = awsauth(d, &["diff", "HEAD~1", "HEAD", "--format", "github"]);
    exits(&o, 0);
    assert_eq!(
        stdout(&o),
        "::notice file=clusters/prod/aws-auth.yaml,line=13,title=awsauth diff%3A access change::changed: arn:aws:iam::111122223333:role/developers: groups added: ops\n"
    );
}

/// With and without a pathspec the same changes are seen: nested and new folders, deletions, a
/// file that becomes a folder, a symbolic link (not a manifest).
#[test]
fn whole_tree_and_pathspec_comparisons_agree() {
    let dir = repo();
    let d = dir.path();
    common::write(d, "a/b/c/aws-auth.yaml", AUTH);
    common::write(d, "a/x.yaml", AUTH);
    common::write(d, "gone.yaml", AUTH);
    commit_all(d, "more");
    let base = git(d, &["rev-parse", "HEAD"]);
    edit(d, |t| t.replace("username: on-call", "username: oncall"));
    common::write(
        d,
        "a/b/c/aws-auth.yaml",
        &AUTH.replace("[on-call]", "[system:masters]"),
    );
    std::fs::remove_file(d.join("a/x.yaml")).expect("rm");
    common::write(d, "a/x.yaml/inner.yaml", AUTH);
    std::fs::remove_file(d.join("gone.yaml")).expect("rm");
    common::write(
        d,
        "new/deep/aws-auth.yaml",
        &AUTH.replace("role/developers", "role/devs"),
    );
    #[cfg(unix)]
    std::os::unix::fs::symlink("clusters/prod/aws-auth.yaml", d.join("link.yaml"))
        .expect("symlink");
    commit_all(d, "changes");
    let walked = json(&awsauth(d, &["diff", &base, "HEAD", "--format", "json"]));
    let diffed = json(&awsauth(
        d,
        &["diff", &base, "HEAD", "--format", "json", "--", "."],
    ));
    assert_eq!(walked, diffed);
    assert!(changes(&walked).len() > 3, "{walked}");
}

#[test]
fn pathspecs_limit_the_comparison() {
    let dir = repo();
    let d = dir.path();
    common::write(
        d,
        "clusters/dev/aws-auth.yaml",
        &AUTH.replace("[on-call]", "[on-call, system:masters]"),
    );
    let all = json(&awsauth(d, &["diff", "HEAD", "--format", "json"]));
    assert!(
        !changes(&all).is_empty(),
        "the untracked file counts: {all}"
    );
    assert!(
        all["changes"]
            .as_array()
            .expect("list")
            .iter()
            .all(|c| c["after"]["file"] == "clusters/dev/aws-auth.yaml")
    );
    let only_prod = json(&awsauth(
        d,
        &["diff", "HEAD", "--format", "json", "--", "clusters/prod"],
    ));
    assert_eq!(changes(&only_prod).len(), 0, "{only_prod}");
    // relative to the current directory
    let sub = json(&awsauth(
        &d.join("clusters"),
        &["diff", "HEAD", "--format", "json", "--", "dev"],
    ));
    assert_eq!(changes(&sub), changes(&all), "{sub}");
}

#[test]
fn the_default_base_is_the_merge_base_with_the_main_branch() {
    let dir = repo();
    let d = dir.path();
    git(d, &["checkout", "-q", "-b", "feature"]);
    edit(d, |t| t.replace("username: on-call", "username: oncall"));
    git(d, &["commit", "-qam", "rename user"]);
    // main moves on meanwhile; its change is not part of this branch's diff
    git(d, &["checkout", "-q", "main"]);
    common::write(d, "clusters/prod/other.yaml", AUTH);
    commit_all(d, "main work");
    git(d, &["checkout", "-q", "feature"]);
    let v = json(&awsauth(d, &["diff", "--format", "json"]));
    assert!(
        v["base"]
            .as_str()
            .is_some_and(|b| b.starts_with("merge base with main")),
        "{v}"
    );
    assert_eq!(changes(&v).len(), 1, "{v}");
    assert_eq!(changes(&v)[0].0, "changed");
}

// ---------------------------------------------------------------------------------------------
// The working tree and the index

#[test]
fn staged_compares_head_with_the_index_only() {
    let dir = repo();
    let d = dir.path();
    edit(d, |t| {
        t.replace(
            "        - developers\n",
            "        - developers\n        - system:masters\n",
        )
    });
    git(d, &["add", "clusters/prod/aws-auth.yaml"]);
    // an unstaged change on top: removing the node role
    edit(d, |t| t.replace("role/eks-node\n", "role/eks-node-old\n"));
    let staged = json(&awsauth(d, &["diff", "--staged", "--format", "json"]));
    assert_eq!(changes(&staged).len(), 1, "{staged}");
    assert_eq!(changes(&staged)[0].1, vec!["escalation".to_owned()]);
    assert_eq!(staged["head"], "staged changes");
    let worktree = json(&awsauth(d, &["diff", "HEAD", "--format", "json"]));
    assert!(changes(&worktree).len() > 1, "{worktree}");
}

#[test]
fn staged_works_before_the_first_commit() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    common::write(
        d,
        "aws-auth.yaml",
        &AUTH.replace("[on-call]", "[system:masters]"),
    );
    git(d, &["add", "."]);
    let o = awsauth(d, &["diff", "--staged", "--format", "json"]);
    let v = json(&o);
    assert_eq!(v["base"], "no commits yet");
    assert!(
        changes(&v)
            .iter()
            .any(|c| c.1 == vec!["escalation".to_owned()]),
        "{v}"
    );
    exits(&o, 1);
    // lint --new-only: every finding is new
    let o = awsauth(d, &["lint", "--format", "json", "--new-only"]);
    assert!(!json(&o)["diagnostics"].as_array().expect("list").is_empty());
}

#[test]
fn git_diff_relative_does_not_confuse_paths_from_a_folder() {
    let dir = repo();
    let d = dir.path();
    git(d, &["config", "diff.relative", "true"]);
    edit(d, |t| t.replace("username: on-call", "username: oncall"));
    let sub = d.join("clusters/prod");
    let v = json(&awsauth(&sub, &["diff", "HEAD", "--format", "json"]));
    assert_eq!(changes(&v)[0].0, "changed", "{v}");
}

#[test]
fn a_file_that_cannot_be_decoded_is_skipped_and_the_rest_compared() {
    let dir = repo();
    let d = dir.path();
    std::fs::write(
        d.join("clusters/prod/bad.yaml"),
        b"kind: ConfigMap # aws-auth caf\xe9\n",
    )
    .expect("write");
    edit(d, |t| t.replace("username: on-call", "username: oncall"));
    let v = json(&awsauth(d, &["diff", "HEAD", "--format", "json"]));
    assert_eq!(changes(&v).len(), 1, "{v}");
    assert!(v["skipped"].to_string().contains("bad.yaml"), "{v}");
}

#[test]
fn an_unreadable_new_version_is_not_compared_nor_called_deleted() {
    let dir = repo();
    let d = dir.path();
    let path = d.join("clusters/prod/aws-auth.yaml");
    let mut bytes = node_cm(ADMIN)
        .replace("role/admin", "role/adm\u{1}n")
        .into_bytes();
    let at = bytes.iter().position(|&b| b == 1).expect("marker");
    bytes[at] = 0xff;
    std::fs::write(&path, bytes).expect("write");
    let v = json(&awsauth(d, &["diff", "HEAD", "--format", "json"]));
    assert!(v.to_string().contains("cannot be read"), "{v}");
    assert!(!v.to_string().contains("is deleted"), "{v}");
}

/// An untracked link is not followed (a committed one is no manifest either).
#[cfg(unix)]
#[test]
fn an_untracked_link_is_not_followed() {
    let dir = repo();
    let d = dir.path();
    let outside = tempfile::tempdir().expect("tmp");
    common::write(outside.path(), "x.yaml", &node_cm(ADMIN));
    std::os::unix::fs::symlink(outside.path().join("x.yaml"), d.join("link.yaml")).expect("link");
    exits(&awsauth(d, &["diff", "HEAD", "--format", "json"]), 0);
}

#[test]
fn untracked_files_of_the_whole_repository_count_from_a_folder() {
    let dir = escalated_repo();
    let d = dir.path();
    common::write(
        d,
        "clusters/new/aws-auth.yaml",
        &AUTH.replace("on-call", "new"),
    );
    std::fs::create_dir_all(d.join("docs")).expect("mkdir");
    let o = awsauth(&d.join("docs"), &["diff", "HEAD", "--format", "json"]);
    exits(&o, 1);
    assert_eq!(json(&o)["summary"]["files_changed"], 1);
}

/// A template that stays a template: the summary says what was not compared, once.
#[test]
fn a_template_that_stays_a_template_is_listed_once_as_not_compared() {
    let dir = repo();
    let d = dir.path();
    let dev = "    - rolearn: arn:aws:iam::111122223333:role/dev\n      username: dev\n      groups: [developers]\n";
    let chart = |roles: &str| {
        node_cm(roles).replace(
            "  name: aws-auth\n",
            "  name: aws-auth\n  labels: {chart: \"{{ .Chart.Name }}\"}\n",
        )
    };
    common::write(d, "chart/aws-auth.yaml", &chart(dev));
    commit_all(d, "chart");
    common::write(d, "chart/aws-auth.yaml", &chart(ADMIN));
    let out = stdout(&awsauth(d, &["diff", "HEAD"]));
    assert!(out.contains("not compared"), "{out}");
    assert!(!out.contains("no aws-auth mappings changed"), "{out}");
    assert_eq!(
        out.matches("a template; lint what it renders").count(),
        1,
        "{out}"
    );
}

#[test]
fn thousands_of_git_warnings_do_not_hang_the_diff() {
    let dir = escalated_repo();
    let d = dir.path();
    // (line endings git warns about for each file, while the diff is still being written)
    git(d, &["config", "core.autocrlf", "true"]);
    let file = |i: usize| format!("many/a-fairly-long-folder-name/file-{i:04}.txt");
    for i in 0..3000 {
        common::write(d, &file(i), "x\n");
    }
    commit_all(d, "many");
    for i in 0..3000 {
        common::write(d, &file(i), "y\n");
    }
    let o = awsauth_within_a_minute(d, &["diff", "HEAD"]);
    exits(&o, 0);
}

#[cfg(unix)]
#[test]
fn a_fifo_where_a_tracked_manifest_was_is_not_waited_on() {
    let dir = escalated_repo();
    let d = dir.path();
    let f = d.join("clusters/prod/aws-auth.yaml");
    std::fs::remove_file(&f).expect("rm");
    let made = Command::new("mkfifo").arg(&f).status().expect("mkfifo");
    assert!(made.success());
    let o = awsauth_within_a_minute(d, &["diff", "HEAD"]);
    assert_ne!(o.status.code(), None);
}

// ---------------------------------------------------------------------------------------------
// Terraform: a file is read with its module directory, as each side has it

/// `infra/main.tf`: an aws-auth written with `yamlencode`, a node role and `MAPPED` (an HCL
/// expression for a list of mappings) after it.
fn main_tf(mapped: &str) -> String {
    format!(
        r#"resource "kubernetes_config_map_v1_data" "aws_auth" {{
  metadata {{
    name      = "aws-auth"
    namespace = "kube-system"
  }}
  force = true
  data = {{
    mapRoles = yamlencode(concat(
      [
        {{
          rolearn  = "arn:aws:iam::111122223333:role/eks-node"
          username = "system:node:{{{{EC2PrivateDNSName}}}}"
          groups   = ["system:bootstrappers", "system:nodes"]
        }},
      ],
      {mapped},
    ))
  }}
}}
"#
    )
}

/// `infra/locals.tf`: `local.admins`, one mapping per name of `var.admins`, in `GROUP`.
fn locals_tf(group: &str) -> String {
    format!(
        r#"locals {{
  admins = [
    for name in var.admins : {{
      rolearn  = "arn:aws:iam::111122223333:role/${{name}}"
      username = name
      groups   = ["{group}"]
    }}
  ]
}}
"#
    )
}

/// `infra/variables.tf`: `var.admins`, empty by default.
const VARIABLES_TF: &str = "variable \"admins\" {\n  type    = list(string)\n  default = []\n}\n";

/// A repository on `main` whose `infra/` module maps `var.admins` (`["admin"]` in
/// `terraform.tfvars`) into `system:masters` through `local.admins`, in `main.tf`.
fn terraform_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    write_module(d);
    commit_all(d, "init");
    dir
}

/// Writes [`terraform_repo`]'s module into `d`.
fn write_module(d: &Path) {
    common::write(d, "infra/main.tf", &main_tf("local.admins"));
    common::write(d, "infra/locals.tf", &locals_tf("system:masters"));
    common::write(d, "infra/variables.tf", VARIABLES_TF);
    common::write(d, "infra/terraform.tfvars", "admins = [\"admin\"]\n");
}

/// Adds `intruder` to the admins of `terraform.tfvars`, in the working tree.
fn add_intruder(d: &Path) {
    common::write(
        d,
        "infra/terraform.tfvars",
        "admins = [\"admin\", \"intruder\"]\n",
    );
}

/// Asserts that the report is the one escalation of `role/intruder`, at `infra/main.tf`.
fn intruder_escalates_at_main_tf(o: &Output) {
    intruder_escalates_at(o, "infra/main.tf");
}

/// Asserts that the report is the one escalation of `role/intruder`, at `file`.
fn intruder_escalates_at(o: &Output, file: &str) {
    let v = json(o);
    assert_eq!(
        changes(&v),
        one_change(
            "added",
            "escalation",
            "arn:aws:iam::111122223333:role/intruder"
        ),
        "{v}"
    );
    assert_eq!(v["changes"][0]["after"]["file"], file, "{v}");
    exits(o, 1);
}

#[test]
fn a_change_to_terraform_tfvars_alone_is_an_escalation_at_main_tf() {
    let dir = terraform_repo();
    let d = dir.path();
    add_intruder(d);
    commit_all(d, "intruder");
    let args = ["diff", "--no-config", "--format", "json", "HEAD~1", "HEAD"];
    intruder_escalates_at_main_tf(&walked_as_diffed(d, &args));
    // a pathspec naming the variable file alone
    let mut with_pathspec = args.to_vec();
    with_pathspec.extend(["--", "infra/terraform.tfvars"]);
    intruder_escalates_at_main_tf(&awsauth(d, &with_pathspec));
    // from the folder of the module
    intruder_escalates_at_main_tf(&awsauth(&d.join("infra"), &args));
}

#[test]
fn a_change_to_terraform_tfvars_alone_is_an_escalation_staged_and_in_the_working_tree() {
    let dir = terraform_repo();
    let d = dir.path();
    add_intruder(d);
    let args = ["diff", "--no-config", "--format", "json"];
    intruder_escalates_at_main_tf(&awsauth(d, &[&args[..], &["HEAD"]].concat()));
    // not staged yet: the index is as HEAD
    let staged = [&args[..], &["--staged"]].concat();
    let o = awsauth(d, &staged);
    assert!(changes(&json(&o)).is_empty(), "{}", stdout(&o));
    exits(&o, 0);
    git(d, &["add", "infra/terraform.tfvars"]);
    intruder_escalates_at_main_tf(&awsauth(d, &staged));
    // the working tree reverts what the index holds: `--staged` still sees it
    common::write(d, "infra/terraform.tfvars", "admins = [\"admin\"]\n");
    intruder_escalates_at_main_tf(&awsauth(d, &staged));
    let o = awsauth(d, &[&args[..], &["HEAD"]].concat());
    assert!(changes(&json(&o)).is_empty(), "{}", stdout(&o));
}

#[test]
fn a_module_before_the_first_commit_is_read_with_its_variable_files() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    write_module(d);
    add_intruder(d);
    git(d, &["add", "."]);
    for args in [&["--staged"][..], &[]] {
        let o = awsauth(
            d,
            &[&["diff", "--no-config", "--format", "json"], args].concat(),
        );
        let v = json(&o);
        assert_eq!(v["base"], "no commits yet", "{args:?}");
        let mut added: Vec<String> = changes(&v).into_iter().map(|c| c.2).collect();
        added.sort();
        // both admins are known: none is an unknown value
        assert_eq!(
            added,
            [
                "arn:aws:iam::111122223333:role/admin",
                "arn:aws:iam::111122223333:role/eks-node",
                "arn:aws:iam::111122223333:role/intruder",
            ],
            "{args:?}: {v}"
        );
    }
}

#[test]
fn a_local_of_another_file_is_known_on_both_sides() {
    let dir = terraform_repo();
    let d = dir.path();
    let literal = "[{\n        rolearn  = \"arn:aws:iam::111122223333:role/admin\"\n        username = \"admin\"\n        groups   = [\"system:masters\"]\n      }]";
    // the local inlined, then used again: the same mappings on both sides, no change
    common::write(d, "infra/main.tf", &main_tf(literal));
    commit_all(d, "inline");
    common::write(d, "infra/main.tf", &main_tf("local.admins"));
    commit_all(d, "local again");
    for range in [["HEAD~2", "HEAD~1"], ["HEAD~1", "HEAD"]] {
        let o = walked_as_diffed(
            d,
            &[&["diff", "--no-config", "--format", "json"], &range[..]].concat(),
        );
        assert!(changes(&json(&o)).is_empty(), "{range:?}: {}", stdout(&o));
        exits(&o, 0);
    }
    // a change to another file that does not touch the mappings: no change
    common::write(
        d,
        "infra/variables.tf",
        &format!("{VARIABLES_TF}\nvariable \"region\" {{\n  default = \"eu-west-1\"\n}}\n"),
    );
    common::write(
        d,
        "infra/outputs.tf",
        "output \"region\" {\n  value = var.region\n}\n",
    );
    let o = awsauth(d, &["diff", "--no-config", "--format", "json", "HEAD"]);
    assert!(changes(&json(&o)).is_empty(), "{}", stdout(&o));
    exits(&o, 0);
    // a change to the local alone: the mapping it writes, at main.tf
    common::write(d, "infra/locals.tf", &locals_tf("developers"));
    let o = awsauth(d, &["diff", "--no-config", "--format", "json", "HEAD"]);
    let v = json(&o);
    assert_eq!(
        changes(&v)
            .into_iter()
            .map(|c| (c.0, c.2))
            .collect::<Vec<_>>(),
        [(
            "changed".to_owned(),
            "arn:aws:iam::111122223333:role/admin".to_owned()
        )],
        "{v}"
    );
    assert_eq!(v["changes"][0]["after"]["file"], "infra/main.tf", "{v}");
    assert_eq!(
        v["changes"][0]["groups_removed"][0], "system:masters",
        "{v}"
    );
    assert_eq!(v["changes"][0]["groups_added"][0], "developers", "{v}");
}

#[test]
fn a_variable_file_too_large_to_read_is_left_out_and_said_so_not_an_error() {
    let dir = terraform_repo();
    let d = dir.path();
    let padding = "# padding\n".repeat(400);
    common::write(
        d,
        "infra/terraform.tfvars",
        &format!("admins = [\"admin\", \"intruder\"]\n{padding}"),
    );
    let args = [
        "diff",
        "--no-config",
        "--format",
        "json",
        "--max-file-size",
        "2KiB",
    ];
    for rev in [&["HEAD"][..], &["--staged"]] {
        if rev == ["--staged"] {
            git(d, &["add", "infra/terraform.tfvars"]);
        }
        let o = awsauth(d, &[&args[..], rev].concat());
        let v = json(&o);
        assert_ne!(o.status.code(), Some(2), "{rev:?}: {v}");
        let skipped = v["skipped"].to_string();
        assert!(
            skipped.contains("infra/terraform.tfvars: ")
                && skipped.contains("compared without its values"),
            "{rev:?}: {v}"
        );
        // the variable file is not compared as a manifest
        assert!(!skipped.contains("(old)"), "{rev:?}: {v}");
    }
}

#[test]
fn no_index_reads_each_terraform_file_with_its_own_module_directory() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    for side in ["a", "b"] {
        common::write(d, &format!("{side}/main.tf"), &main_tf("local.admins"));
        common::write(
            d,
            &format!("{side}/locals.tf"),
            &locals_tf("system:masters"),
        );
        common::write(d, &format!("{side}/variables.tf"), VARIABLES_TF);
    }
    common::write(d, "a/terraform.tfvars", "admins = [\"admin\"]\n");
    common::write(
        d,
        "b/terraform.tfvars",
        "admins = [\"admin\", \"intruder\"]\n",
    );
    let o = awsauth(
        d,
        &[
            "diff",
            "--no-config",
            "--format",
            "json",
            "--no-index",
            "a/main.tf",
            "b/main.tf",
        ],
    );
    intruder_escalates_at(&o, "b/main.tf");
}

// ---------------------------------------------------------------------------------------------
// Revisions that cannot be compared

#[test]
fn revisions_that_name_no_commit_here_are_refused_with_what_git_said() {
    let dir = escalated_repo();
    let d = dir.path();
    let refused = |dir: &Path, args: &[&str], why: &str| {
        let o = awsauth(dir, args);
        exits(&o, 2);
        assert!(stderr(&o).contains(why), "{args:?}: {}", stderr(&o));
        stderr(&o)
    };
    refused(d, &["diff", "no-such-branch"], "`no-such-branch`");
    refused(d, &["diff", "HEAD~0..HEAD"], "is a range");
    refused(d, &["diff", "HEAD:clusters"], "");
    refused(
        d,
        &["diff", "HEAD^{tree}", "HEAD"],
        "does not name a commit",
    );
    refused(
        d,
        &["diff", "HEAD:clusters", "HEAD"],
        "does not name a commit",
    );
    refused(
        d,
        &["diff", "HEAD~50", "HEAD"],
        "goes past the first commit",
    );
    let unborn = tempfile::tempdir().expect("tmp");
    git(unborn.path(), &["init", "-q", "-b", "main"]);
    assert!(
        stderr(&awsauth(unborn.path(), &["diff", "HEAD"])).contains("no commits yet"),
        "an unborn branch"
    );
    // a shallow clone: what it lacks, and why
    let clone = tempfile::tempdir().expect("tmp");
    let url = format!("file://{}", d.display());
    git(clone.path(), &["clone", "-q", "--depth", "1", &url, "c"]);
    let c = clone.path().join("c");
    let err = refused(
        &c,
        &["diff", "HEAD~1", "HEAD"],
        "revision `HEAD~1` is not in this repository",
    );
    assert!(err.contains("shallow clone"), "{err}");
}

/// A revision is never read as an option, nor a pathspec: after `--` it reaches git as a
/// pathspec, matches nothing and writes nothing.
#[test]
fn arguments_that_look_like_options_are_never_revisions() {
    let dir = repo();
    let d = dir.path();
    let o = awsauth(d, &["diff", "--", "--output=/tmp/awsauth-pwned"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!Path::new("/tmp/awsauth-pwned").exists());
    // (`--output` is awsauth's own `-o FILE`; git's `--ext-diff` is no option of awsauth)
    let o = awsauth(d, &["diff", "--ext-diff=x"]);
    assert_eq!(o.status.code(), Some(2), "an unknown flag, not a revision");
}

#[test]
fn outside_a_repository_diff_points_to_no_index() {
    let empty = tempfile::tempdir().expect("tmp");
    for args in [&["diff"][..], &["diff", "--staged"]] {
        let o = awsauth(empty.path(), args);
        exits(&o, 2);
        assert!(stderr(&o).contains("--no-index"), "{}", stderr(&o));
    }
}

/// A partial clone whose blobs cannot be fetched any more: an error, not "no change".
#[test]
fn a_partial_clone_without_its_blobs_is_an_error_not_no_change() {
    let dir = escalated_repo();
    let d = dir.path();
    git(d, &["config", "uploadpack.allowFilter", "true"]);
    let (src, copy) = bare_clone(d);
    git(&copy, &["config", "uploadpack.allowFilter", "true"]);
    let pc = tempfile::tempdir().expect("tmp");
    let copy_url = format!("file://{}", copy.display());
    git(
        pc.path(),
        &[
            "clone",
            "-q",
            "--filter=blob:none",
            "--no-checkout",
            &copy_url,
            "pc",
        ],
    );
    drop(src);
    let o = awsauth(&pc.path().join("pc"), &["diff", "HEAD~1", "HEAD"]);
    exits(&o, 2);
    assert!(stderr(&o).contains("partial clone"), "{}", stderr(&o));
}

#[test]
fn files_over_the_size_limit_are_not_compared() {
    let dir = repo();
    let d = dir.path();
    edit(d, |t| format!("{t}#{}\n", "x".repeat(4000)));
    // not read (nor held), whichever reader, and the diff says so: a new version that cannot
    // be read is a lockout, and the run fails (exit 2: padding a new file past the limit must
    // not hide what it grants)
    let check = |o: &Output| {
        exits(o, 2);
        assert!(stderr(o).contains("--max-file-size"), "{}", stderr(o));
        let v = json(o);
        let skipped = v["skipped"].to_string();
        assert!(
            skipped.contains("larger than `--max-file-size` (2 KiB): not read (new)"),
            "{v}"
        );
        assert_eq!(v["summary"]["lockout"], 1, "{v}");
    };
    let two_kib = |args: &[&str]| -> Vec<String> {
        args.iter()
            .chain(&["--max-file-size", "2KiB"])
            .map(|a| (*a).to_owned())
            .collect()
    };
    let run = |args: Vec<String>| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        awsauth(d, &args)
    };
    // the working tree
    check(&run(two_kib(&["diff", "HEAD", "--format", "json"])));
    git(d, &["commit", "-qam", "big"]);
    // two commits, walked and through `git diff`
    let args = two_kib(&["diff", "HEAD~1", "HEAD", "--format", "json"]);
    check(&walked_as_diffed(
        d,
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
    ));
    // raised, it is compared
    exits(
        &awsauth(d, &["diff", "HEAD~1", "HEAD", "--format", "json"]),
        0,
    );
    // a new file over the limit: not compared, and the run fails
    common::write(
        d,
        "clusters/dev/aws-auth.yaml",
        &format!("{AUTH}#{}\n", "x".repeat(4000)),
    );
    commit_all(d, "new");
    exits(
        &run(two_kib(&["diff", "HEAD~1", "HEAD", "--format", "github"])),
        2,
    );
}

// ---------------------------------------------------------------------------------------------
// Reading commits as git does

/// A symbolic link's target, which git stores as a blob: an aws-auth `ConfigMap` if it were read as
/// a file (it must not be: a link is no manifest).
const LINK: &str = r#"{apiVersion: v1, kind: ConfigMap, metadata: {name: aws-auth, namespace: kube-system}, data: {mapUsers: "- userarn: arn:aws:iam::111122223333:user/via-link\n  username: via-link\n  groups: [system:masters]\n"}}"#;

/// Four commits over [`repo`]: nested trees added and deleted, a tree replaced by a file,
/// symbolic links and type changes, an executable bit, a submodule entry, a rename, upper-case
/// extensions, non-ASCII names, binary bytes; `v1` an annotated tag of the second.
fn commit_every_kind_of_entry(d: &Path) {
    let w = |name: &str, text: &str| common::write(d, name, text);
    w(
        "clusters/dev/aws-auth.yml",
        &AUTH.replace("eks-node", "dev-node"),
    );
    w(
        "eks/cluster.yaml",
        "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: prod\n  region: eu-west-1\niamIdentityMappings:\n  - arn: arn:aws:iam::111122223333:role/ops\n    username: ops\n    groups: [ops]\n",
    );
    w(
        "nested/deep/a/aws-auth.json",
        r#"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "aws-auth", "namespace": "kube-system"}, "data": {"mapRoles": "- rolearn: arn:aws:iam::111122223333:role/json\n  username: json\n  groups: [json]\n"}}"#,
    );
    w(
        "Ünïcode name.yaml",
        &AUTH.replace("developers", "entwickler"),
    );
    w("UPPER.YAML", &AUTH.replace("on-call", "upper"));
    commit_all(d, "two");
    git(d, &["tag", "-a", "v1", "-m", "v1"]);
    // a tree for a file, a file for a tree, deletions, renames, modes, links, binary bytes
    edit(d, |t| t.replace("[on-call]", "[on-call, system:masters]"));
    std::fs::remove_file(d.join("clusters/dev/aws-auth.yml")).expect("rm");
    std::fs::rename(d.join("eks/cluster.yaml"), d.join("eks/renamed.yaml")).expect("mv");
    std::fs::remove_dir_all(d.join("nested/deep")).expect("rm");
    w("nested/deep", "a file where a folder was\n");
    w("UPPER.YAML", &AUTH.replace("on-call", "upper2"));
    w("binary.yaml", "aws-auth\0\u{1}mapRoles\n");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(d.join("UPPER.YAML"), std::fs::Permissions::from_mode(0o755))
            .expect("chmod");
        std::os::unix::fs::symlink(LINK, d.join("link.yaml")).expect("symlink");
    }
    git(d, &["add", "-A"]);
    // a submodule entry (a commit in the tree), without a submodule checkout
    let head = git(d, &["rev-parse", "HEAD"]);
    git(
        d,
        &[
            "update-index",
            "--add",
            "--cacheinfo",
            &format!("160000,{head},sub.yaml"),
        ],
    );
    git(d, &["commit", "-qm", "three"]);
    // a link becomes a file, a file becomes a link
    #[cfg(unix)]
    {
        std::fs::remove_file(d.join("link.yaml")).expect("rm");
        w("link.yaml", &AUTH.replace("eks-node", "linked-node"));
        std::fs::remove_file(d.join("Ünïcode name.yaml")).expect("rm");
        std::os::unix::fs::symlink(LINK, d.join("Ünïcode name.yaml")).expect("symlink");
    }
    w("nested/deep", "still a file\n");
    commit_all(d, "four");
}

/// Commit-to-commit comparisons read in this process give what the git command line gives,
/// byte for byte, in every format, over every kind of tree entry and change
/// ([`commit_every_kind_of_entry`]), with annotated tags and full object ids.
#[test]
fn tree_walks_see_what_git_diff_sees() {
    let dir = repo();
    let d = dir.path();
    commit_every_kind_of_entry(d);
    let full = git(d, &["rev-parse", "HEAD~2"]);
    let pairs: [[&str; 2]; 7] = [
        ["HEAD~3", "HEAD~2"],
        ["HEAD~2", "HEAD~1"],
        ["HEAD~1", "HEAD"],
        ["HEAD~3", "HEAD"],
        ["HEAD", "HEAD~3"],
        ["v1", "main"],
        [&full, "HEAD^"],
    ];
    let mut compared = 0;
    for [a, b] in pairs {
        for format in ["json", "human", "markdown", "github"] {
            walked_as_diffed(d, &["diff", a, b, "--format", format]);
            compared += 1;
        }
        let v = json(&awsauth(d, &["diff", a, b, "--format", "json"]));
        assert!(
            v["summary"]["files_changed"].as_u64() > Some(0),
            "{a} {b}: {v}"
        );
    }
    assert_eq!(compared, 28);
    // the walk saw the links, the modes and the tree/file swaps as git does
    let principals = |a: &str, b: &str| -> Vec<String> {
        let v = json(&awsauth(d, &["diff", a, b, "--format", "json"]));
        changes(&v).into_iter().map(|c| c.2).collect()
    };
    let linked = principals("HEAD~3", "HEAD");
    assert!(
        linked.iter().any(|p| p.contains("linked-node")),
        "{linked:?}"
    );
    let lost = principals("HEAD~2", "HEAD~1");
    assert!(
        lost.iter()
            .any(|p| p.contains("nested/deep/a/aws-auth.json")),
        "{lost:?}"
    );
}

/// Revisions the walk leaves to `git diff` (other than a name or a full id with `~N`/`^N`
/// steps) give what it gives; replace refs, shallow clones and `GIT_DIR` are git's to apply,
/// in the walk as in `git diff`.
#[test]
fn commit_comparisons_read_the_repository_as_git_does() {
    let dir = repo();
    let d = dir.path();
    edit(d, |t| t.replace("[on-call]", "[system:masters]"));
    git(d, &["commit", "-qam", "second"]);
    let escalates = |dir: &Path, args: &[&str]| {
        let o = walked_as_diffed(dir, args);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stderr(&o));
    };
    escalates(d, &["diff", "HEAD@{1}", "HEAD", "--format", "json"]);
    escalates(d, &["diff", "HEAD~1", "HEAD", "--format", "json"]);
    let short = git(d, &["rev-parse", "--short", "HEAD~1"]);
    escalates(d, &["diff", &short, "HEAD", "--format", "json"]);
    escalates(d, &["diff", &format!("{short}~0"), "HEAD^0"]);
    // replace refs: git shows the replacement
    let first = git(d, &["rev-parse", "HEAD~1"]);
    let second = git(d, &["rev-parse", "HEAD"]);
    git(d, &["replace", &first, &second]);
    let o = walked_as_diffed(d, &["diff", &first, "HEAD", "--format", "json"]);
    assert_eq!(
        changes(&json(&o)),
        Vec::new(),
        "the replacement is the same commit"
    );
    git(d, &["replace", "-d", &first]);
    // a shallow clone
    let clone = tempfile::tempdir().expect("tmp");
    let url = format!("file://{}", d.display());
    git(clone.path(), &["clone", "-q", "--depth", "2", &url, "c"]);
    let c = clone.path().join("c");
    escalates(&c, &["diff", "HEAD~1", "HEAD", "--format", "json"]);
    // GIT_DIR chooses the repository for git, from any folder
    let elsewhere = tempfile::tempdir().expect("tmp");
    let o = Command::new(env!("CARGO_BIN_EXE_awsauth"))
        .args(["diff", "HEAD~1", "HEAD"])
        .current_dir(elsewhere.path())
        .env("HOME", d)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_DIR", d.join(".git"))
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
}

/// Grafts live in the common directory of a linked worktree: the walk sees them as git does.
#[test]
fn grafts_seen_from_a_linked_worktree_are_applied_as_git_applies_them() {
    let dir = escalated_repo();
    let d = dir.path();
    let first = git(d, &["rev-parse", "HEAD~1"]);
    let head = git(d, &["rev-parse", "HEAD"]);
    std::fs::write(d.join(".git/info/grafts"), format!("{head}\n")).expect("grafts");
    let wts = tempfile::tempdir().expect("tmp");
    let wt = wts.path().join("wt");
    let wt_arg = wt.to_str().expect("utf-8");
    git(d, &["worktree", "add", "-q", "--detach", wt_arg, "HEAD"]);
    walked_as_diffed(&wt, &["diff", &first, "HEAD", "--format", "json"]);
    walked_as_diffed(&wt, &["diff", "HEAD~1", "HEAD", "--format", "json"]);
}

/// A repository extension git may refuse, or one that changes where refs are (reftable): read
/// as git reads them.
#[test]
fn repository_extensions_are_read_as_git_reads_them() {
    let dir = escalated_repo();
    let d = dir.path();
    git(d, &["config", "core.repositoryformatversion", "1"]);
    git(d, &["config", "extensions.frobnicate", "true"]);
    walked_as_diffed(d, &["diff", "HEAD~1", "HEAD", "--format", "json"]);
    let rt = tempfile::tempdir().expect("tmp");
    let r = rt.path();
    git(r, &["init", "-q", "-b", "main", "--ref-format=reftable"]);
    common::write(r, "aws-auth.yaml", AUTH);
    commit_all(r, "one");
    common::write(
        r,
        "aws-auth.yaml",
        &AUTH.replace("[on-call]", "[system:masters]"),
    );
    git(r, &["commit", "-qam", "two"]);
    exits(&walked_as_diffed(r, &["diff", "HEAD~1", "HEAD"]), 1);
}

/// A bare repository is git's to judge (`safe.bareRepository`), and has no index to compare.
#[test]
fn a_bare_repository_is_compared_by_commit_and_has_no_index() {
    let dir = escalated_repo();
    let (_bare, b) = bare_clone(dir.path());
    exits(&awsauth(&b, &["diff", "HEAD~1", "HEAD"]), 1);
    let o = awsauth(&b, &["diff", "--staged"]);
    exits(&o, 2);
    assert!(stderr(&o).contains("bare repository"), "{}", stderr(&o));
}

// ---------------------------------------------------------------------------------------------
// `lint --new-only`

#[test]
fn lint_new_only_reports_what_the_change_adds() {
    let dir = repo();
    let d = dir.path();
    // the legacy finding: an IAM user mapping already at the base
    let all = awsauth(d, &["lint", "--format", "json"]);
    assert_eq!(json(&all)["diagnostics"].as_array().expect("list").len(), 1);
    let new_only = |args: &[&str]| {
        let mut all = vec!["lint", "--format", "json", "--new-only"];
        all.extend(args);
        awsauth(d, &all)
    };
    let o = new_only(&["--base", "HEAD"]);
    assert_eq!(json(&o)["diagnostics"], serde_json::json!([]));
    exits(&o, 0);
    // lines shift and a new finding appears: only the new one is reported
    edit(d, |t| {
        t.replace(
            "  mapUsers: |\n",
            "  # users\n  mapUsers: |\n    - userarn: arn:aws:iam::111122223333:user/alice\n      username: alice\n      groups: [view]\n",
        )
    });
    let o = new_only(&["--base", "HEAD"]);
    let v = json(&o);
    let list = v["diagnostics"].as_array().expect("list");
    assert_eq!(list.len(), 1, "{v}");
    assert_eq!(list[0]["principal"], "arn:aws:iam::111122223333:user/alice");
    exits(&o, 1);
    // a new file at HEAD has no base version: all its findings are new
    common::write(d, "clusters/dev/aws-auth.yaml", AUTH);
    let o = new_only(&["--base", "HEAD", "clusters/dev"]);
    assert_eq!(json(&o)["diagnostics"].as_array().expect("list").len(), 1);
}

/// The version at the base is read within `--max-file-size` too: a base version over the
/// limit is not read (never held), and the file's findings all count as new.
#[test]
fn lint_new_only_reads_the_base_within_the_size_limit() {
    let dir = repo();
    let d = dir.path();
    // the base version: the legacy finding, and 64 KiB of comments
    edit(d, |t| {
        format!(
            "{t}{}",
            "# padding padding padding padding padding padding\n".repeat(1300)
        )
    });
    commit_all(d, "pad");
    edit(d, |_| AUTH.to_owned());
    let run = |max: &str| {
        awsauth(
            d,
            &[
                "lint",
                "--format",
                "json",
                "--new-only",
                "--base",
                "HEAD",
                "--max-file-size",
                max,
            ],
        )
    };
    let o = run("16MiB");
    assert_eq!(json(&o)["diagnostics"], serde_json::json!([]));
    exits(&o, 0);
    let o = run("8KiB");
    assert_eq!(json(&o)["diagnostics"].as_array().expect("list").len(), 1);
    exits(&o, 1);
}

/// A renamed or moved file is compared with what it was: its old findings are not new.
#[test]
fn lint_new_only_follows_a_moved_file() {
    let dir = repo();
    let d = dir.path();
    std::fs::create_dir_all(d.join("envs")).expect("mkdir");
    git(d, &["mv", "clusters/prod", "envs/prod"]);
    let nothing_new = |base: &str| {
        let o = awsauth(
            d,
            &["lint", "--format", "json", "--new-only", "--base", base],
        );
        assert_eq!(
            json(&o)["diagnostics"],
            serde_json::json!([]),
            "{}",
            stderr(&o)
        );
    };
    nothing_new("HEAD");
    git(d, &["commit", "-qm", "move"]);
    nothing_new("HEAD~1");
}

/// A path of another repository, or no repository at all: an error, not "all new".
#[test]
fn lint_new_only_outside_the_repository_is_an_error() {
    let dir = repo();
    let d = dir.path();
    let other = repo();
    let o = awsauth(
        d,
        &[
            "lint",
            "--format",
            "json",
            "--new-only",
            "--base",
            "HEAD",
            other.path().to_str().expect("utf-8"),
        ],
    );
    exits(&o, 2);
    assert!(stderr(&o).contains("is outside it"), "{}", stderr(&o));
    let empty = tempfile::tempdir().expect("tmp");
    let o = awsauth(
        empty.path(),
        &["lint", "--new-only", d.to_str().expect("utf-8")],
    );
    exits(&o, 2);
    assert!(
        stderr(&o).contains("not in a git repository"),
        "{}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains("--no-index"), "{}", stderr(&o));
}

// ---------------------------------------------------------------------------------------------
// The configuration at the base decides

/// `role/dev` in `system:masters`, in a node `ConfigMap`.
fn dev_admin_cm() -> String {
    node_cm(
        "    - rolearn: arn:aws:iam::111122223333:role/dev\n      username: dev\n      groups: [system:masters]\n",
    )
}

/// The configuration's `exclude` leaves out of the diff what `lint` leaves out.
#[test]
fn exclude_leaves_out_of_the_diff_what_lint_leaves_out() {
    let dir = repo();
    let d = dir.path();
    common::write(d, ".awsauth.yaml", "exclude: [fixtures, \"legacy/**\"]\n");
    commit_all(d, "config");
    common::write(d, "tests/fixtures/aws-auth.yaml", &dev_admin_cm());
    common::write(d, "legacy/aws-auth.yaml", &dev_admin_cm());
    commit_all(d, "fixtures");
    exits(&awsauth(d, &["diff", "HEAD~1", "HEAD"]), 0);
    exits(&awsauth(d, &["diff", "HEAD~1", "HEAD", "--no-config"]), 1);
}

/// A change cannot exclude its own files: `exclude` globs it adds are not applied to it.
#[test]
fn exclude_globs_a_change_adds_are_not_applied_to_it() {
    let dir = repo();
    let d = dir.path();
    common::write(d, ".awsauth.yaml", "exclude: [fixtures, \"legacy/**\"]\n");
    commit_all(d, "config");
    common::write(
        d,
        ".awsauth.yaml",
        "exclude: [fixtures, \"legacy/**\", \"sneaky/**\"]\n",
    );
    common::write(d, "sneaky/aws-auth.yaml", &dev_admin_cm());
    commit_all(d, "sneak");
    let o = awsauth(d, &["diff", "HEAD~1", "HEAD", "--format", "json"]);
    exits(&o, 1);
    assert!(json(&o).to_string().contains("adds `exclude` globs"));
}

/// A change cannot vouch for its own accounts: `cluster.account-ids` come from the base.
#[test]
fn cluster_account_ids_come_from_the_base_configuration() {
    let dir = repo();
    let d = dir.path();
    common::write(
        d,
        ".awsauth.yaml",
        "cluster:\n  account-ids: [\"111122223333\"]\n",
    );
    commit_all(d, "accounts");
    common::write(
        d,
        ".awsauth.yaml",
        "cluster:\n  account-ids: [\"111122223333\", \"444455556666\"]\n",
    );
    common::write(
        d,
        "clusters/ext/aws-auth.yaml",
        &node_cm(
            "    - rolearn: arn:aws:iam::444455556666:role/ext\n      username: ext\n      groups: [view]\n",
        ),
    );
    commit_all(d, "trust another account");
    let v = json(&awsauth(d, &["diff", "HEAD~1", "HEAD", "--format", "json"]));
    let text = v.to_string();
    assert!(text.contains("a principal of another account"), "{v}");
    assert!(text.contains("changes `cluster.account-ids`"), "{v}");
}

#[test]
fn the_base_configuration_is_read_with_its_extends_chain() {
    let dir = repo();
    let d = dir.path();
    // a role of `account` added to the existing aws-auth
    let partner = |account: &str| {
        let role = format!(
            "    - rolearn: arn:aws:iam::{account}:role/partner\n      username: partner-{account}\n      groups: [view]\n  mapUsers: |\n"
        );
        edit(d, |t| t.replacen("  mapUsers: |\n", &role, 1));
    };
    // accounts and exclude are inherited through `extends`
    common::write(
        d,
        "org/base.yaml",
        "exclude: [fixtures]\ncluster:\n  account-ids: [\"111122223333\", \"777788889999\"]\n",
    );
    common::write(d, ".awsauth.yaml", "extends: org/base.yaml\n");
    commit_all(d, "config");
    common::write(d, "tests/fixtures/aws-auth.yaml", &node_cm(ADMIN));
    partner("777788889999");
    commit_all(d, "partner");
    let o = awsauth(d, &["diff", "HEAD~1", "HEAD", "--format", "json"]);
    exits(&o, 0);
    let v = json(&o);
    // no false note, the excluded folder not classified, the inherited account not foreign
    assert_eq!(notes(&v), "", "{v}");
    assert_eq!(
        changes(&v),
        one_change(
            "added",
            "access-change",
            "arn:aws:iam::777788889999:role/partner"
        ),
        "{v}"
    );
    // the same through the git command line (pathspecs)
    let o = awsauth(
        d,
        &["diff", "HEAD~1", "HEAD", "--format", "json", "--", "."],
    );
    exits(&o, 0);
    assert_eq!(notes(&json(&o)), "");
    // a change to the inherited file's accounts is noted and judged with the base's accounts
    common::write(
        d,
        "org/base.yaml",
        "exclude: [fixtures]\ncluster:\n  account-ids: [\"111122223333\", \"777788889999\", \"444455556666\"]\n",
    );
    partner("444455556666");
    commit_all(d, "trust another account");
    let o = awsauth(d, &["diff", "HEAD~1", "HEAD", "--format", "json"]);
    exits(&o, 1);
    let v = json(&o);
    assert!(
        notes(&v).contains(
            "changes `cluster.account-ids` (111122223333, 777788889999 → 111122223333, 444455556666, 777788889999)"
        ),
        "{v}"
    );
    assert_eq!(
        changes(&v),
        one_change(
            "added",
            "escalation",
            "arn:aws:iam::444455556666:role/partner"
        ),
        "{v}"
    );
    assert!(
        v.to_string().contains("a principal of another account"),
        "{v}"
    );
    // an inherited `exclude` the change adds is not applied to it
    common::write(
        d,
        "org/base.yaml",
        "exclude: [fixtures, legacy]\ncluster:\n  account-ids: [\"111122223333\", \"777788889999\", \"444455556666\"]\n",
    );
    common::write(d, "legacy/aws-auth.yaml", &node_cm(ADMIN));
    commit_all(d, "legacy");
    let o = awsauth(d, &["diff", "HEAD~1", "HEAD", "--format", "json"]);
    exits(&o, 1);
    let v = json(&o);
    assert!(
        notes(&v).contains("(`.awsauth.yaml`) adds `exclude` globs (legacy)"),
        "{v}"
    );
    assert_eq!(
        changes(&v)[0],
        one_change(
            "added",
            "escalation",
            "arn:aws:iam::111122223333:role/admin"
        )[0],
        "{v}"
    );
}

/// An `extends` that leaves the repository is refused, now and at the base (README "Security
/// model"); one that is not at the base commit (untracked) is read without it; a `--config` file
/// the change adds leaves the base on the defaults.
#[test]
fn a_base_configuration_outside_the_repository_or_missing_at_the_base_is_not_read() {
    let dir = repo();
    let d = dir.path();
    let admin = node_cm(ADMIN);
    let outside = tempfile::tempdir().expect("tmp");
    common::write(outside.path(), "org.yaml", "exclude: [fixtures]\n");
    let org = outside.path().join("org.yaml");
    common::write(
        d,
        ".awsauth.yaml",
        &format!("extends: {:?}\n", org.display().to_string()),
    );
    commit_all(d, "config");
    common::write(d, "fixtures/aws-auth.yaml", &admin);
    commit_all(d, "fixtures");
    let o = awsauth(d, &["diff", "HEAD~1", "HEAD", "--format", "json"]);
    exits(&o, 2);
    assert!(stderr(&o).contains("it is outside"), "{}", stderr(&o));
    // an `extends` that is not at the base commit (untracked) is read without it
    std::fs::rename(&org, d.join("org.yaml")).expect("mv");
    common::write(d, ".awsauth.yaml", "extends: org.yaml\n");
    git(d, &["add", ".awsauth.yaml"]);
    git(d, &["commit", "-qm", "extends an untracked file"]);
    common::write(d, "fixtures/aws-auth.yaml", &admin.replace("admin", "root"));
    let o = awsauth(d, &["diff", "HEAD", "--format", "json"]);
    exits(&o, 1);
    let v = json(&o);
    assert!(
        notes(&v).contains("extends `org.yaml`, which is not at the base commit: the base configuration is read without it"),
        "{v}"
    );
    assert!(notes(&v).contains("adds `exclude` globs (fixtures)"), "{v}");
    git(d, &["checkout", "-q", "."]);
    // a `--config` file the change adds: the base is judged with the defaults
    let o = awsauth(
        d,
        &[
            "diff", "HEAD~2", "HEAD", "--format", "json", "--config", "org.yaml",
        ],
    );
    exits(&o, 1);
    let v = json(&o);
    assert!(
        notes(&v).contains("`org.yaml` is not at the base commit: changes are classified with the default configuration"),
        "{v}"
    );
}

/// Errors in the base configuration are shown (as warnings) and the diff goes on with the
/// defaults for the base: what it excluded is compared.
#[test]
fn a_broken_base_configuration_is_shown_and_the_base_judged_with_the_defaults() {
    let dir = repo();
    let d = dir.path();
    let admin = node_cm(ADMIN);
    common::write(d, "fixtures/aws-auth.yaml", &admin);
    commit_all(d, "fixtures");
    common::write(d, ".awsauth.yaml", "exclude: [fixtures]\nselect: [nope]\n");
    commit_all(d, "broken config");
    common::write(d, ".awsauth.yaml", "exclude: [fixtures]\n");
    common::write(d, "fixtures/aws-auth.yaml", &admin.replace("admin", "root"));
    commit_all(d, "fix config, change fixtures");
    let o = awsauth(d, &["diff", "HEAD~1", "HEAD", "--format", "json"]);
    exits(&o, 1);
    let v = json(&o);
    let err = stderr(&o);
    assert!(
        err.contains("warning[config]: unknown rule or category `nope`"),
        "{err}"
    );
    assert!(err.contains(":.awsauth.yaml:2:10"), "{err}");
    assert!(
        err.contains("the configuration at the base commit"),
        "{err}"
    );
    assert!(
        notes(&v).contains("has errors (shown on standard error)"),
        "{v}"
    );
    assert!(!notes(&v).contains("adds `exclude`"), "{v}");
    assert_eq!(changes(&v).len(), 2, "{v}");
}

#[test]
fn a_bare_repository_uses_the_configuration_as_it_is() {
    let dir = repo();
    let d = dir.path();
    common::write(d, "fixtures/aws-auth.yaml", &node_cm(ADMIN));
    commit_all(d, "fixtures");
    let (bare, b) = bare_clone(d);
    common::write(bare.path(), "cfg.yaml", "exclude: [fixtures]\n");
    let cfg = bare.path().join("cfg.yaml");
    let cfg = cfg.to_str().expect("utf-8");
    // no working tree: no configuration belongs to the commits, and `exclude` still applies
    let o = awsauth(
        &b,
        &[
            "diff", "HEAD~1", "HEAD", "--format", "json", "--config", cfg,
        ],
    );
    exits(&o, 0);
    assert_eq!(changes(&json(&o)), [], "{}", stderr(&o));
}

/// A repository in a folder whose name is not UTF-8: the working tree is still read there
/// (the top of the repository is taken as git prints it, bytes and all), so an edit is
/// compared rather than every manifest taken for deleted; `lint --new-only` finds it too.
#[cfg(unix)]
#[test]
fn a_repository_whose_path_is_not_utf8_is_read() {
    use std::os::unix::ffi::OsStrExt;
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path().join(std::ffi::OsStr::from_bytes(b"r\xff"));
    std::fs::create_dir(&d).expect("mkdir");
    git(&d, &["init", "-q", "-b", "main"]);
    common::write(&d, "aws-auth.yaml", &node_cm(ADMIN));
    commit_all(&d, "init");
    let text = std::fs::read_to_string(d.join("aws-auth.yaml")).expect("read");
    std::fs::write(d.join("aws-auth.yaml"), text.replace(ADMIN, "")).expect("write");
    let o = awsauth(&d, &["diff", "--format", "json", "HEAD"]);
    assert_eq!(
        changes(&json(&o)),
        one_change(
            "removed",
            "access-change",
            "arn:aws:iam::111122223333:role/admin"
        ),
        "{}",
        stderr(&o)
    );
    let o = awsauth(&d, &["lint", "--new-only", "--format", "json", "."]);
    exits(&o, 0);
}

/// A folder named `.awsauth.yaml` at the base is no configuration, as on disk: passed over,
/// not taken for an object the clone lacks.
#[test]
fn a_folder_named_like_the_configuration_at_the_base_is_passed_over() {
    let dir = repo();
    let d = dir.path();
    common::write(d, ".awsauth.yaml/notes.txt", "not a configuration\n");
    common::write(d, "clusters/prod/aws-auth.yaml", &node_cm(ADMIN));
    commit_all(d, "a folder");
    edit(d, |t| t.replace(ADMIN, ""));
    commit_all(d, "remove admin");
    let o = awsauth(d, &["diff", "--format", "json", "HEAD~1", "HEAD"]);
    assert_eq!(stderr(&o), "");
    assert_eq!(
        changes(&json(&o)),
        one_change(
            "removed",
            "access-change",
            "arn:aws:iam::111122223333:role/admin"
        )
    );
}

/// A working-tree file that cannot be read is not compared (exit 2, said with what to do), and
/// never silently taken for deleted: the change says its new version cannot be read. (Skipped
/// where permissions do not stop this user, as for root.)
#[cfg(unix)]
#[test]
#[allow(clippy::print_stderr)] // a skipped test says why on stderr
fn an_unreadable_working_tree_file_is_not_taken_for_deleted() {
    use std::os::unix::fs::PermissionsExt;
    let dir = repo();
    let d = dir.path();
    edit(d, |t| t.replace("[on-call]", "[on-call, extra]"));
    let file = d.join("clusters/prod/aws-auth.yaml");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    if std::fs::read(&file).is_ok() {
        eprintln!("skipped: this user reads a file without read permission (root)");
        return;
    }
    let o = awsauth(d, &["diff", "--format", "json", "HEAD"]);
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    exits(&o, 2);
    // the source is said to be unreadable, not silently gone
    let v = json(&o);
    let reasons = v["changes"][0]["reasons"].to_string();
    assert!(reasons.contains("the new version cannot be read"), "{v}");
    let err = stderr(&o);
    assert!(
        err.contains("cannot read the working-tree file: permission denied (new)")
            && err.contains("help: make the file readable"),
        "{err}"
    );
}
