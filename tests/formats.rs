//! The machine formats end to end (SARIF, GitLab Code Quality, `JUnit`, GitHub annotations),
//! `-o FILE`, `--quiet`, and which directory paths are relative to.
#![allow(clippy::print_stderr)] // a skipped test says why on stderr
mod common;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::process::{Command, Output};

use common::{git, json, write};

/// Runs `awsauth` in `dir` with `env` set, no CI workspace variables (unless `env` sets them)
/// and no colours.
fn run_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_awsauth"));
    c.args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir);
    for v in awsauth::render::location::CI_BASES {
        c.env_remove(v);
    }
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("runs")
}

fn run(dir: &Path, args: &[&str]) -> Output {
    run_env(dir, args, &[])
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// An aws-auth `ConfigMap` with `users` as its `mapUsers` entries.
fn users_cm(users: &[&str]) -> String {
    let mut s = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapUsers: |\n".to_owned();
    for u in users {
        s.push_str(&format!(
            "    - userarn: arn:aws:iam::111122223333:user/{u}\n      username: {u}\n      groups: [system:masters]\n"
        ));
    }
    s
}

/// A folder that is the top of a repository (a `.git` folder with `HEAD`: found by walking up,
/// as git finds it).
fn repo_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tmp");
    write(dir.path(), ".git/HEAD", "ref: refs/heads/main\n");
    dir
}

/// The SARIF schema of `../shared`, if it is there.
fn sarif_validator() -> Option<jsonschema::Validator> {
    let path = common::root().join("../shared/schemas/sarif-schema-2.1.0.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("skipped: ../shared/schemas/sarif-schema-2.1.0.json is absent");
        return None;
    };
    // the published schema's `language` pattern has an unescaped `]`, a literal to ECMA-262
    // but an error to the `jsonschema` crate's check of the schema: escaped, same meaning
    let text = text.replace(
        r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#,
        r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}\\]?$""#,
    );
    let schema: serde_json::Value = serde_json::from_str(&text).expect("the schema is JSON");
    Some(
        jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .expect("a valid schema"),
    )
}

fn assert_valid_sarif(validator: &jsonschema::Validator, doc: &serde_json::Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .take(10)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}: {errors:#?}");
}

/// Every rule's `partialFingerprints` value, by rule and message.
fn fingerprints(doc: &serde_json::Value) -> BTreeMap<(String, String), (String, u64)> {
    doc["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            (
                (
                    r["ruleId"].as_str().expect("id").to_owned(),
                    r["message"]["text"].as_str().expect("text").to_owned(),
                ),
                (
                    r["partialFingerprints"]["awsauth/v1"]
                        .as_str()
                        .expect("fingerprint")
                        .to_owned(),
                    r["locations"][0]["physicalLocation"]["region"]["startLine"]
                        .as_u64()
                        .expect("line"),
                ),
            )
        })
        .collect()
}

#[test]
fn sarif_over_the_fixtures_validates_against_the_schema() {
    let Some(validator) = sarif_validator() else {
        return;
    };
    let root = common::root();
    let o = run(&root, &["lint", "fixtures", "--format", "sarif"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let doc = json(&o);
    assert_valid_sarif(&validator, &doc, "lint fixtures");
    let run = &doc["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    // every rule, with its documentation; security rules scored for code scanning
    for rule in awsauth::rules::RULES {
        let d = rules
            .iter()
            .find(|d| d["id"] == rule.name)
            .unwrap_or_else(|| panic!("{} missing", rule.name));
        assert_eq!(d["shortDescription"]["text"], rule.summary);
        assert_eq!(d["help"]["markdown"], rule.docs());
        assert!(
            !d["fullDescription"]["text"]
                .as_str()
                .expect("text")
                .is_empty()
        );
        let tags = d["properties"]["tags"].as_array().expect("tags");
        assert!(tags.contains(&rule.category.as_str().into()), "{d}");
        let security = rule.category == awsauth::registry::Category::Security;
        assert_eq!(tags.contains(&"security".into()), security, "{d}");
        let score = d["properties"]["security-severity"].as_str();
        assert_eq!(score.is_some(), security, "{d}");
        assert!(score.is_none_or(|s| s.parse::<f64>().is_ok_and(|x| x > 0.0 && x <= 10.0)));
    }
    // each result points at its rule, at a path from the repository root
    for r in run["results"].as_array().expect("results") {
        let index = usize::try_from(r["ruleIndex"].as_u64().expect("index")).expect("usize");
        assert_eq!(rules[index]["id"], r["ruleId"]);
        let artifact = &r["locations"][0]["physicalLocation"]["artifactLocation"];
        assert_eq!(artifact["uriBaseId"], "%SRCROOT%");
        assert!(
            artifact["uri"]
                .as_str()
                .expect("uri")
                .starts_with("fixtures/")
        );
    }
    // secondary labels are related locations
    assert!(
        run["results"]
            .as_array()
            .expect("results")
            .iter()
            .any(|r| r["relatedLocations"][0]["message"]["text"].is_string())
    );
}

#[test]
fn sarif_of_the_examples_is_snapshotted() {
    let root = common::root();
    let o = run(&root, &["lint", "fixtures/examples", "--format", "sarif"]);
    let mut doc = json(&o);
    if let Some(v) = sarif_validator() {
        assert_valid_sarif(&v, &doc, "lint fixtures/examples");
    }
    // the rules' documentation is checked above and in `rules/`: not repeated here
    let run = &mut doc["runs"][0];
    for d in run["tool"]["driver"]["rules"]
        .as_array_mut()
        .expect("rules")
    {
        d["help"] = "[docs]".into();
        d["fullDescription"] = "[what it does]".into();
        // (present once `Cargo.toml` names the `repository`)
        if let Some(o) = d.as_object_mut() {
            o.remove("helpUri");
        }
    }
    if let Some(o) = run["tool"]["driver"].as_object_mut() {
        o.remove("informationUri");
    }
    run["originalUriBaseIds"]["%SRCROOT%"]["uri"] = "file:///[root]/".into();
    run["tool"]["driver"]["version"] = "[version]".into();
    run["tool"]["driver"]["semanticVersion"] = "[version]".into();
    let text = serde_json::to_string_pretty(&doc).expect("serializes");
    insta::assert_snapshot!("sarif_examples", text);
}

#[test]
fn a_sarif_fingerprint_survives_lines_inserted_above() {
    let dir = repo_dir();
    let d = dir.path();
    let cm = users_cm(&["alice", "bob"]);
    write(d, "clusters/aws-auth.yaml", &cm);
    let before = fingerprints(&json(&run(d, &["lint", "--format", "sarif"])));
    write(
        d,
        "clusters/aws-auth.yaml",
        &format!("# a comment\n# and another\n\n{cm}"),
    );
    let after = fingerprints(&json(&run(d, &["lint", "--format", "sarif"])));
    assert!(before.len() >= 4, "{before:?}");
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );
    for (k, (fp, line)) in &before {
        let (fp2, line2) = &after[k];
        assert_eq!(fp, fp2, "{k:?}");
        assert_eq!(line + 3, *line2, "{k:?}: the finding moved");
    }
    // the baseline key from the repository root
    let baseline = d.join("baseline.json");
    let b = baseline.to_string_lossy();
    run(d, &["lint", "--write-baseline", &b]);
    let recorded: HashSet<String> = json_file(&baseline)["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["fingerprint"].as_str().expect("fp").to_owned())
        .collect();
    let sarif: HashSet<String> = after.values().map(|(fp, _)| fp.clone()).collect();
    assert_eq!(recorded, sarif);
    // from a subdirectory, the same identities
    let sub = fingerprints(&json(&run(
        &d.join("clusters"),
        &["lint", "--format", "sarif"],
    )));
    assert_eq!(sub, after);
}

fn json_file(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("JSON")
}

#[test]
fn gitlab_fingerprints_are_unique_even_for_repeated_findings() {
    let dir = repo_dir();
    let d = dir.path();
    // the same user mapped twice: findings with the same rule, file and principal
    write(d, "a.yaml", &users_cm(&["alice", "alice", "bob"]));
    write(d, "b/a.yaml", &users_cm(&["alice"]));
    let o = run(d, &["lint", "--format", "gitlab"]);
    assert_eq!(o.status.code(), Some(1));
    let issues = json(&o);
    let issues = issues.as_array().expect("an array");
    let baseline_keys: Vec<String> =
        json(&run(d, &["lint", "--format", "sarif"]))["runs"][0]["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|r| {
                r["partialFingerprints"]["awsauth/v1"]
                    .as_str()
                    .expect("fp")
                    .to_owned()
            })
            .collect();
    let distinct: HashSet<&String> = baseline_keys.iter().collect();
    assert!(
        distinct.len() < baseline_keys.len(),
        "no repeated finding: {baseline_keys:?}"
    );
    let fps: HashSet<&str> = issues
        .iter()
        .map(|i| i["fingerprint"].as_str().expect("fp"))
        .collect();
    assert_eq!(fps.len(), issues.len(), "{issues:#?}");
    // the baseline key, with `-2`, `-3`, … on repeats
    for fp in &fps {
        let key = fp.split('-').next().expect("a key");
        assert!(distinct.contains(&key.to_owned()), "{fp}");
    }
    for i in issues {
        assert!(i["description"].as_str().is_some_and(|s| !s.is_empty()));
        assert!(i["check_name"].is_string());
        let severity = i["severity"].as_str().expect("severity");
        assert!(
            ["info", "minor", "major", "critical"].contains(&severity),
            "{severity}"
        );
        let path = i["location"]["path"].as_str().expect("path");
        assert!(path == "a.yaml" || path == "b/a.yaml", "{path}");
        assert!(
            i["location"]["lines"]["begin"]
                .as_u64()
                .is_some_and(|l| l > 0)
        );
    }
    // `system-masters` is a security warning: major
    assert!(
        issues
            .iter()
            .any(|i| i["check_name"] == "system-masters" && i["severity"] == "major")
    );
    // and over the fixtures
    let o = run(
        &common::root(),
        &["lint", "fixtures/rules", "--format", "gitlab"],
    );
    let issues = json(&o);
    let issues = issues.as_array().expect("an array");
    let fps: HashSet<&str> = issues
        .iter()
        .map(|i| i["fingerprint"].as_str().expect("fp"))
        .collect();
    assert_eq!(fps.len(), issues.len());
}

#[test]
fn junit_parses_with_a_case_per_file_and_rule() {
    let dir = repo_dir();
    let d = dir.path();
    write(d, "a.yaml", &users_cm(&["alice", "bob"]));
    // a hostile name and value: markup characters must not break the XML
    write(d, "x<&\"'>.yaml", &users_cm(&["o'<b>&\"c"]));
    write(
        d,
        "clean.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other\n",
    );
    let o = run(d, &["lint", "--format", "junit"]);
    assert_eq!(o.status.code(), Some(1));
    let xml = stdout(&o);
    let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("{e}:\n{xml}"));
    let findings = json(&run(d, &["lint", "--format", "json"]));
    let mut expected: BTreeMap<(String, String), Vec<u64>> = BTreeMap::new();
    for f in findings["diagnostics"].as_array().expect("diagnostics") {
        expected
            .entry((
                f["file"].as_str().expect("file").to_owned(),
                f["rule"].as_str().expect("rule").to_owned(),
            ))
            .or_default()
            .push(f["line"].as_u64().expect("line"));
    }
    let cases: Vec<roxmltree::Node<'_, '_>> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), expected.len(), "{xml}");
    let suite = doc
        .descendants()
        .find(|n| n.has_tag_name("testsuite"))
        .expect("a suite");
    assert_eq!(
        suite.attribute("tests"),
        Some(expected.len().to_string().as_str())
    );
    assert_eq!(
        suite.attribute("failures"),
        Some(expected.len().to_string().as_str())
    );
    for case in cases {
        let file = case.attribute("classname").expect("classname");
        let rule = case.attribute("name").expect("name");
        let lines = &expected[&(file.to_owned(), rule.to_owned())];
        let failure = case
            .children()
            .find(|n| n.has_tag_name("failure"))
            .expect("a failure");
        let text = failure.text().expect("text");
        assert_eq!(text.lines().count(), lines.len(), "{text}");
        for (l, n) in text.lines().zip(lines) {
            assert!(l.starts_with(&format!("{file}:{n}:")), "{l}");
        }
    }
    assert!(xml.contains("x&lt;&amp;&quot;&apos;&gt;.yaml"), "{xml}");
    // no finding: one passing case
    let o = run(d, &["lint", "--format", "junit", "clean.yaml"]);
    assert_eq!(o.status.code(), Some(0));
    let xml = stdout(&o);
    let doc = roxmltree::Document::parse(&xml).expect("parses");
    let cases = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .count();
    assert_eq!(cases, 1);
    assert!(!xml.contains("<failure"));
}

/// The properties and message of a workflow command line, decoded as the runner decodes them.
fn parse_annotation(line: &str) -> (String, HashMap<String, String>, String) {
    let unescape = |s: &str| {
        s.replace("%0D", "\r")
            .replace("%0A", "\n")
            .replace("%3A", ":")
            .replace("%2C", ",")
            .replace("%25", "%")
    };
    let rest = line.strip_prefix("::").expect("a command");
    let (head, message) = rest.split_once("::").expect("a message");
    let (level, props) = head.split_once(' ').unwrap_or((head, ""));
    let props = props
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').expect("key=value");
            (k.to_owned(), unescape(v))
        })
        .collect();
    (level.to_owned(), props, unescape(message))
}

#[test]
fn github_annotations_hold_for_hostile_names_and_messages() {
    let dir = repo_dir();
    let d = dir.path();
    let name = "100%,a:b\r\n::error file=x::pwned.yaml";
    write(
        d,
        &format!("sub/{name}"),
        &users_cm(&["a%25b,c:d::warning::x"]),
    );
    // from a subdirectory: the annotation names the file from the repository root
    let o = run(&d.join("sub"), &["lint", "--format", "github"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let out = stdout(&o);
    let findings = json(&run(&d.join("sub"), &["lint", "--format", "json"]));
    let n = findings["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .len();
    assert!(n >= 2);
    assert_eq!(out.lines().count(), n, "{out}");
    for line in out.lines() {
        assert!(
            line.starts_with("::error ")
                || line.starts_with("::warning ")
                || line.starts_with("::notice "),
            "{line}"
        );
        let (_, props, message) = parse_annotation(line);
        // the escaped name (`\r`, `\n` as Rust escapes), whole, under `file=`
        assert_eq!(
            props["file"], "sub/100%,a:b\\r\\n::error file=x::pwned.yaml",
            "{line}"
        );
        assert!(props["line"].parse::<usize>().is_ok());
        assert!(props["title"].starts_with("awsauth("));
        assert!(!message.contains('\r'));
    }
    assert!(out.contains("a%2525b,c:d::warning::x"), "{out}");
    // with a workspace, names are from it
    let ws = d.to_string_lossy().into_owned();
    let o = run_env(
        &d.join("sub"),
        &["lint", "--format", "github"],
        &[("GITHUB_WORKSPACE", &ws)],
    );
    assert!(
        stdout(&o).contains("file=sub/100%25%2Ca%3Ab"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn output_files_get_the_bytes_of_standard_output() {
    let dir = repo_dir();
    let d = dir.path();
    write(d, "a.yaml", &users_cm(&["alice", "bob"]));
    let file = d.join("out.txt");
    let f = file.to_string_lossy().into_owned();
    for format in [
        "human", "concise", "json", "github", "sarif", "gitlab", "junit",
    ] {
        let o = run(d, &["lint", "--format", format, "a.yaml"]);
        let _ = std::fs::remove_file(&file);
        let w = run(d, &["lint", "--format", format, "-o", &f, "a.yaml"]);
        assert_eq!(o.status.code(), Some(1), "{format}");
        assert_eq!(w.status.code(), Some(1), "{format}");
        assert!(w.stdout.is_empty(), "{format}");
        assert_eq!(std::fs::read(&file).expect("written"), o.stdout, "{format}");
    }
    for format in ["table", "json"] {
        let o = run(d, &["inspect", "--format", format, "a.yaml"]);
        let w = run(
            d,
            &["inspect", "--format", format, "--output", &f, "a.yaml"],
        );
        assert_eq!((o.status.code(), w.status.code()), (Some(0), Some(0)));
        assert_eq!(std::fs::read(&file).expect("written"), o.stdout, "{format}");
    }
    // a link in its place is refused: exit 2
    #[cfg(unix)]
    {
        let link = d.join("link.txt");
        std::os::unix::fs::symlink(d.join("elsewhere.txt"), &link).expect("symlink");
        let l = link.to_string_lossy().into_owned();
        let o = run(d, &["lint", "-o", &l, "a.yaml"]);
        assert_eq!(o.status.code(), Some(2));
        assert!(!d.join("elsewhere.txt").exists());
    }
}

#[test]
fn quiet_prints_only_findings_and_keeps_exit_codes() {
    let dir = repo_dir();
    let d = dir.path();
    write(d, "bad.yaml", &users_cm(&["alice"]));
    write(
        d,
        "good.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::111122223333:role/eks-node\n      username: system:node:{{EC2PrivateDNSName}}\n      groups: [system:bootstrappers, system:nodes]\n",
    );
    let o = run(d, &["lint", "--quiet", "good.yaml"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(o.stdout.is_empty() && o.stderr.is_empty(), "{}", stdout(&o));
    let loud = run(d, &["lint", "good.yaml"]);
    assert!(stdout(&loud).contains("no problems found"));
    let o = run(d, &["lint", "-q", "bad.yaml"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.contains("system-masters") && !out.contains("found "),
        "{out}"
    );
    // an empty run says nothing
    let o = run(d, &["lint", "-q", "--include", "*.nothing"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        o.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // errors are still said, and still exit 2
    let o = run(d, &["lint", "-q", "missing.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!o.stderr.is_empty());
    // a diff with nothing to say says nothing
    let o = run(d, &["diff", "-q", "--no-index", "good.yaml", "good.yaml"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(o.stdout.is_empty(), "{}", stdout(&o));
}

/// A repository with a commit, then a working tree where `clusters/prod/aws-auth.yaml` gains a
/// `system:masters` user and loses its node role.
fn diffed_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    let node = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::111122223333:role/eks-node\n      username: system:node:{{EC2PrivateDNSName}}\n      groups: [system:bootstrappers, system:nodes]\n";
    write(d, "clusters/prod/aws-auth.yaml", node);
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "init"]);
    write(d, "clusters/prod/aws-auth.yaml", &users_cm(&["alice"]));
    dir
}

#[test]
fn diff_sarif_reports_escalations_and_lockouts() {
    let dir = diffed_repo();
    let d = dir.path();
    let o = run(&d.join("clusters"), &["diff", "HEAD", "--format", "sarif"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let doc = json(&o);
    if let Some(v) = sarif_validator() {
        assert_valid_sarif(&v, &doc, "diff");
    }
    let results = doc["runs"][0]["results"].as_array().expect("results");
    let ids: Vec<&str> = results
        .iter()
        .map(|r| r["ruleId"].as_str().expect("id"))
        .collect();
    assert!(
        ids.contains(&"diff-escalation") && ids.contains(&"diff-lockout"),
        "{ids:?}"
    );
    for r in results {
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(
            loc["artifactLocation"]["uri"],
            "clusters/prod/aws-auth.yaml"
        );
        assert!(loc["region"]["startLine"].as_u64().is_some_and(|l| l > 0));
    }
    // the removed node role is at its BASE line, said so
    let lockout = results
        .iter()
        .find(|r| r["ruleId"] == "diff-lockout")
        .expect("a lockout");
    assert!(
        lockout["message"]["text"]
            .as_str()
            .expect("text")
            .contains("at BASE")
    );
}

#[test]
fn lint_and_diff_name_files_alike() {
    let dir = diffed_repo();
    let d = dir.path();
    let sub = d.join("clusters");
    // for people: from the current directory
    let diff = stdout(&run(&sub, &["diff", "HEAD", "--format", "concise"]));
    assert!(diff.lines().count() >= 2, "{diff}");
    for line in diff.lines() {
        assert!(line.starts_with("prod/aws-auth.yaml:"), "{line}");
    }
    let lint = stdout(&run(&sub, &["lint", "--format", "concise"]));
    assert!(lint.starts_with("prod/aws-auth.yaml:"), "{lint}");
    let human = stdout(&run(&sub, &["diff", "HEAD"]));
    assert!(
        human.contains("prod/aws-auth.yaml:") && !human.contains("clusters/prod"),
        "{human}"
    );
    // for machines: from the repository root
    for out in [
        stdout(&run(&sub, &["diff", "HEAD", "--format", "github"])),
        stdout(&run(&sub, &["lint", "--format", "github"])),
    ] {
        assert!(!out.is_empty());
        for line in out.lines() {
            assert!(
                line.contains(" file=clusters/prod/aws-auth.yaml,"),
                "{line}"
            );
        }
    }
    // a workspace above the repository
    let ws = d.parent().expect("parent").to_string_lossy().into_owned();
    let top = d.file_name().expect("name").to_string_lossy().into_owned();
    for args in [
        &["diff", "HEAD", "--format", "github"][..],
        &["lint", "--format", "github"],
    ] {
        let out = stdout(&run_env(&sub, args, &[("GITHUB_WORKSPACE", &ws)]));
        assert!(
            out.contains(&format!(" file={top}/clusters/prod/aws-auth.yaml,")),
            "{out}"
        );
    }
}

#[test]
fn diff_output_files_get_the_bytes_of_standard_output() {
    let dir = diffed_repo();
    let d = dir.path();
    let file = tempfile::tempdir().expect("tmp");
    let f = file.path().join("out").to_string_lossy().into_owned();
    for format in ["human", "concise", "markdown", "json", "github", "sarif"] {
        let o = run(d, &["diff", "HEAD", "--format", format]);
        let w = run(d, &["diff", "HEAD", "--format", format, "-o", &f]);
        assert_eq!(
            (o.status.code(), w.status.code()),
            (Some(1), Some(1)),
            "{format}"
        );
        assert!(w.stdout.is_empty());
        assert_eq!(std::fs::read(&f).expect("written"), o.stdout, "{format}");
    }
}

#[cfg(unix)]
#[test]
fn machine_paths_keep_the_names_of_links_inside_the_tree() {
    let dir = repo_dir();
    let d = dir.path();
    write(d, "real/aws-auth.yaml", &users_cm(&["alice"]));
    std::os::unix::fs::symlink(d.join("real"), d.join("current")).expect("symlink");
    let o = run(d, &["lint", "--format", "gitlab", "current/aws-auth.yaml"]);
    let issues = json(&o);
    let paths: HashSet<&str> = issues
        .as_array()
        .expect("an array")
        .iter()
        .map(|i| i["location"]["path"].as_str().expect("path"))
        .collect();
    assert_eq!(paths, HashSet::from(["current/aws-auth.yaml"]));
    // outside the repository: the absolute path
    let outside = tempfile::tempdir().expect("tmp");
    write(outside.path(), "x.yaml", &users_cm(&["bob"]));
    let x = outside.path().join("x.yaml").to_string_lossy().into_owned();
    let o = run(d, &["lint", "--format", "sarif", &x]);
    let doc = json(&o);
    let artifact =
        &doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert!(
        artifact["uri"]
            .as_str()
            .expect("uri")
            .starts_with("file:///"),
        "{artifact}"
    );
    assert!(artifact["uriBaseId"].is_null());
}
