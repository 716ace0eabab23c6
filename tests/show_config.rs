//! `awsauth config [PATH]`: the configuration files that apply to PATH (nearest first, with
//! their `extends`), found and resolved as `lint` finds them, and the settings they resolve to.
mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{stderr, write};

fn awsauth(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_awsauth"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("runs")
}

fn stdout(o: &Output) -> String {
    assert_eq!(o.status.code(), Some(0), "{}", stderr(o));
    String::from_utf8(o.stdout.clone()).expect("UTF-8")
}

/// The README's configuration (a chain: `team/.awsauth.yaml` extends `org/awsauth-base.yaml`).
const TEAM: &str = "fixtures/readme/config/team";

#[test]
fn text_shows_the_chain_and_the_resolved_settings() {
    let o = awsauth(&["config", TEAM], &common::root());
    insta::assert_snapshot!("config_text", stdout(&o));
}

#[test]
fn json_shows_the_same_for_a_file() {
    let file = format!("{TEAM}/aws-auth.yaml");
    let o = awsauth(&["config", "--format", "json", &file], &common::root());
    let text = stdout(&o);
    insta::assert_snapshot!("config_json", text);
    let v: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    // the base's `fail-on: error` is overridden, its severities kept
    assert_eq!(v["fail-on"], "warning");
    let rule = |id: &str| {
        v["rules"]
            .as_array()
            .expect("rules")
            .iter()
            .find(|r| r["id"] == id)
            .cloned()
    };
    assert_eq!(
        rule("iam-user-mapping").expect("selected")["severity"],
        "error"
    );
    assert!(rule("group-hygiene").is_none());
    assert_eq!(v["per-file-ignores"][0]["matches"], false);
}

/// What `lint` would read, in a tree: the nearest file (walking up), `--config`, `--no-config`,
/// and the run-wide keys taken from the current directory's configuration.
#[test]
fn the_files_are_those_lint_reads() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    std::fs::create_dir(root.join(".git")).expect("mkdir");
    write(root, ".awsauth.yaml", "fail-on: info\nexclude: [old]\n");
    write(root, "base.yaml", "ignore: [map-accounts]\n");
    write(
        root,
        "a/.awsauth.yaml",
        "extends: ../base.yaml\nfail-on: error\n",
    );
    write(root, "a/b/c/aws-auth.yaml", "");
    let json = |args: &[&str], cwd: &Path| -> serde_json::Value {
        serde_json::from_str(&stdout(&awsauth(args, cwd))).expect("JSON")
    };
    let v = json(&["config", "--format", "json", "a/b/c/aws-auth.yaml"], root);
    assert_eq!(
        v["files"],
        serde_json::json!(["a/.awsauth.yaml", "base.yaml"])
    );
    assert_eq!(v["ignore"], serde_json::json!(["map-accounts"]));
    // a run from the root takes `fail-on` and `exclude` from the root's file
    assert_eq!(v["run-files"], serde_json::json!([".awsauth.yaml"]));
    assert_eq!(v["fail-on"], "info");
    assert_eq!(v["exclude"], serde_json::json!(["old"]));
    // from the folder itself, one configuration for everything
    let v = json(&["config", "--format", "json"], &root.join("a"));
    assert_eq!(
        v["files"],
        serde_json::json!([".awsauth.yaml", "../base.yaml"])
    );
    assert!(v.get("run-files").is_none());
    assert_eq!(v["fail-on"], "error");
    let v = json(
        &["config", "--format", "json", "--config", "base.yaml", "a"],
        root,
    );
    assert_eq!(
        (&v["source"], &v["files"]),
        (&"--config".into(), &serde_json::json!(["base.yaml"]))
    );
    let v = json(&["config", "--format", "json", "--no-config", "a"], root);
    assert_eq!(v["files"], serde_json::json!([]));
    assert_eq!(v["fail-on"], "warning");
    let text = stdout(&awsauth(&["config", "--no-config"], root));
    assert!(
        text.starts_with("configuration files for `.`: none (--no-config)"),
        "{text}"
    );
}

#[test]
fn an_invalid_configuration_or_path_is_an_error() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    write(root, ".awsauth.yaml", "extends: base.yaml\n");
    write(root, "base.yaml", "fail-on: sometimes\n");
    let o = awsauth(&["config"], root);
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
    let err = stderr(&o);
    assert!(err.contains("base.yaml:1:10"), "{err}");
    assert!(err.contains("unknown value `sometimes`"), "{err}");
    let o = awsauth(&["config", "no/such/dir"], root);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("cannot read `no/such/dir`"),
        "{}",
        stderr(&o)
    );
}

/// File names come from the repository: escaped in the text, exact in the JSON (README "Usage",
/// "File names and values are escaped").
#[test]
fn file_names_are_escaped() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    std::fs::create_dir(root.join(".git")).expect("mkdir");
    write(
        root,
        ".awsauth.yaml",
        "extends: \"base\\e[31m\\u2028.yaml\"\n",
    );
    write(root, "base\u{1b}[31m\u{2028}.yaml", "fail-on: info\n");
    let text = stdout(&awsauth(&["config"], root));
    assert!(text.contains("  base\\u{1b}[31m\\u{2028}.yaml\n"), "{text}");
    assert!(!text.contains('\u{1b}'));
    let json = stdout(&awsauth(&["config", "--format", "json"], root));
    assert!(
        !json.contains('\u{1b}') && !json.contains('\u{2028}'),
        "{json}"
    );
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(v["files"][1], "base\u{1b}[31m\u{2028}.yaml");
}
