//! Helpers shared by the integration tests.
#![allow(dead_code, unreachable_pub)]

use std::path::{Path, PathBuf};

use awsauth::config::Settings;
use awsauth::diagnostic::Diagnostic;
use awsauth::load::{FileLoad, is_terraform, load_file_with};
use awsauth::source::SourceFile;

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Loads a file under a name relative to the repository root.
pub fn load(path: &Path) -> FileLoad {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let name = path
        .strip_prefix(root())
        .unwrap_or(path)
        .to_string_lossy()
        .into_owned();
    let name = name
        .strip_prefix("../shared/corpus/real/")
        .map_or(name.clone(), str::to_owned);
    // a Terraform file is evaluated with the other files of its module directory
    let siblings = if is_terraform(&name) {
        awsauth::discover::module_files(path, u64::MAX)
    } else {
        Vec::new()
    };
    load_file_with(SourceFile::new(name, text), &siblings)
}

/// Runs the lint pipeline with the default settings, sorted like the CLI.
pub fn lint(load: &FileLoad) -> Vec<Diagnostic> {
    lint_with(load, None, &Settings::new(awsauth::rules::RULES))
}

/// Runs the lint pipeline with `settings`, sorted like the CLI.
pub fn lint_with(load: &FileLoad, path: Option<&Path>, settings: &Settings) -> Vec<Diagnostic> {
    let mut out = awsauth::lint::lint_file(load, path, settings);
    out.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    out
}

/// The settings of a fixture: the configuration file in its own directory, if any (never one
/// further up, so fixtures do not depend on where the repository lives).
pub fn fixture_settings(path: &Path) -> Settings {
    let dir = path.parent().unwrap_or(Path::new("."));
    for name in awsauth::config::FILE_NAMES {
        let p = dir.join(name);
        if p.is_file() {
            return awsauth::config::load(&p, awsauth::rules::RULES)
                .unwrap_or_else(|e| panic!("{}: {:?}", p.display(), e));
        }
    }
    Settings::new(awsauth::rules::RULES)
}

/// Whether a file is an awsauth configuration, not a fixture.
pub fn is_config(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| awsauth::config::FILE_NAMES.contains(&n))
}

/// Files under `dir` with one of the extensions, sorted.
pub fn files(dir: &Path, exts: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files(&p, exts));
        } else if p.extension().is_some_and(|x| exts.iter().any(|e| x == *e)) && !is_config(&p) {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// An oracle line reduced to what is compared: effective roles, users and accounts.
pub fn oracle_effective(line: &serde_json::Value) -> serde_json::Value {
    let rejected = line.get("rejected").is_some();
    let norm = |v: &serde_json::Value| -> serde_json::Value {
        let items = if rejected {
            Vec::new()
        } else {
            v.as_array().cloned().unwrap_or_default()
        };
        serde_json::Value::Array(items.into_iter().map(normalize_mapping).collect())
    };
    serde_json::json!({
        "roles": norm(&line["roles"]),
        "users": norm(&line["users"]),
        "accounts": if rejected || line["accounts"].is_null() { serde_json::json!([]) } else { line["accounts"].clone() },
    })
}

/// `groups: null` prints as null in the oracle; empty SSO fields are omitted.
pub fn normalize_mapping(mut m: serde_json::Value) -> serde_json::Value {
    if let Some(obj) = m.as_object_mut() {
        if obj.get("groups").is_none_or(serde_json::Value::is_null) {
            obj.insert("groups".into(), serde_json::json!([]));
        }
        if let Some(sso) = obj.get_mut("sso").and_then(|s| s.as_object_mut()) {
            sso.retain(|_, v| v.as_str().is_some_and(|s| !s.is_empty()));
        }
    }
    m
}

/// Our effective view of every `ConfigMap` named aws-auth in a file, as JSON like the oracle's.
pub fn our_effective(load: &FileLoad) -> Vec<serde_json::Value> {
    load.objects
        .iter()
        .filter(|o| o.kind == awsauth::model::SourceKind::ConfigMap && o.name.as_ref().is_some_and(|n| n.value == "aws-auth"))
        // the oracle also prints aws-auth of other namespaces, which the authenticator never reads
        .filter(|o| o.is_read_by_authenticator())
        .map(|o| {
            let v = serde_json::to_value(&o.effective).unwrap_or_default();
            let norm = |k: &str| serde_json::Value::Array(v[k].as_array().cloned().unwrap_or_default().into_iter().map(normalize_mapping).collect());
            serde_json::json!({"roles": norm("roles"), "users": norm("users"), "accounts": v["accounts"].clone()})
        })
        .collect()
}

/// Compares our effective mappings with recorded oracle lines (`file` relative to `base`).
/// Returns (passed, failures).
pub fn compare_with_oracle(oracle_jsonl: &Path, base: &Path) -> (usize, Vec<String>) {
    let text = std::fs::read_to_string(oracle_jsonl)
        .unwrap_or_else(|e| panic!("{}: {e}", oracle_jsonl.display()));
    let mut by_file: std::collections::BTreeMap<String, Vec<serde_json::Value>> =
        std::collections::BTreeMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).expect("oracle line is JSON");
        let file = v["file"].as_str().expect("file").to_owned();
        let ns = v["namespace"].as_str().unwrap_or_default();
        if !(ns.is_empty() || ns == "kube-system") {
            by_file.entry(file).or_default();
            continue;
        }
        by_file.entry(file).or_default().push(oracle_effective(&v));
    }
    let mut passed = 0;
    let mut failures = Vec::new();
    for (file, expected) in by_file {
        let path = base.join(&file);
        let load = load(&path);
        let ours = our_effective(&load);
        if ours.len() != expected.len() {
            failures.push(format!(
                "{file}: oracle has {} aws-auth ConfigMaps, awsauth {}",
                expected.len(),
                ours.len()
            ));
            continue;
        }
        for (i, (a, b)) in expected.iter().zip(&ours).enumerate() {
            if a == b {
                passed += 1;
            } else {
                failures.push(format!("{file} #{i}:\n  oracle:  {a}\n  awsauth: {b}"));
            }
        }
    }
    (passed, failures)
}

/// The JSON a command printed (the test fails with its output when it is not JSON).
pub fn json(o: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

/// What a command printed on standard error.
pub fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Writes `text` to `dir/name`, creating folders.
pub fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

/// Runs `git` in `dir` for a throw-away repository (a fixed identity, no system or global
/// configuration: `HOME` is `home`); fails the test when git fails; its trimmed output.
pub fn git_in(dir: &Path, home: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", home)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// [`git_in`] with `dir` as `HOME`.
pub fn git(dir: &Path, args: &[&str]) -> String {
    git_in(dir, dir, args)
}

/// Runs `awsauth` in a throw-away repository `dir`, with `dir` as `HOME` and no system git
/// configuration (nor colours).
pub fn awsauth_in_repo(dir: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_awsauth"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("HOME", dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("runs")
}

/// A throw-away repository with `files` committed on `main`, then `edits` left in the working
/// tree.
pub fn repo_with_edits(files: &[(&str, &str)], edits: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    for (name, text) in files {
        write(d, name, text);
    }
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "init"]);
    for (name, text) in edits {
        write(d, name, text);
    }
    dir
}
