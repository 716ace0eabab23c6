//! Configuration end to end: discovery, `extends`, precedence, errors, per-file ignores, allow
//! lists, policies, baselines, `init`, and the JSON Schema.
mod common;

use common::{stderr, write};

use std::path::Path;
use std::process::{Command, Output};

fn awsauth(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_awsauth"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("runs")
}

/// `(file, line, rule)` of every finding of a JSON run.
fn findings(o: &Output) -> Vec<(String, u64, String)> {
    let v = common::json(o);
    v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap_or_default().to_owned(),
                d["line"].as_u64().unwrap_or_default(),
                d["rule"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// A temporary tree with these files.
fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tmp");
    for (name, text) in files {
        write(dir.path(), name, text);
    }
    dir
}

fn rules_of(o: &Output) -> Vec<String> {
    findings(o).into_iter().map(|(_, _, r)| r).collect()
}

/// An aws-auth with one admin role with a static username (system-masters,
/// username-audit-trail) and one IAM user (iam-user-mapping).
const AUTH: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: aws-auth
  namespace: kube-system
data:
  mapRoles: |
    - rolearn: arn:aws:iam::111122223333:role/admin
      username: admin
      groups: [system:masters]
  mapUsers: |
    - userarn: arn:aws:iam::111122223333:user/alice
      username: alice
      groups: [view]
";

#[test]
fn schema_file_is_fresh() {
    let committed = std::fs::read_to_string(common::root().join("schema/awsauth.schema.json"))
        .expect("schema/awsauth.schema.json");
    assert_eq!(
        committed,
        awsauth::config::schema_json(),
        "schema/awsauth.schema.json is stale; run `cargo run -- schema > schema/awsauth.schema.json`"
    );
}

/// The README example and the `init` starter are valid against the schema and load.
#[test]
fn documented_configurations_validate_and_load() {
    let schema: serde_json::Value =
        serde_json::from_str(&awsauth::config::schema_json()).expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("a valid schema");
    let readme = std::fs::read_to_string(common::root().join("README.md")).expect("README");
    let section = &readme[readme
        .find("## Configuration")
        .expect("a Configuration section")..];
    let start = section.find("```yaml\n").expect("an example") + "```yaml\n".len();
    let example = &section[start..start + section[start..].find("```").expect("closed")];
    let dir = tempfile::tempdir().expect("tmp");
    // one repository (`extends` stays inside it)
    std::fs::create_dir(dir.path().join(".git")).expect("mkdir");
    write(dir.path(), "org/awsauth-base.yaml", "fail-on: error\n");
    for (name, text) in [("readme", example), ("starter", awsauth::config::STARTER)] {
        let json = awsauth::config::yaml_to_json(text).expect("YAML");
        let errors: Vec<String> = validator
            .iter_errors(&json)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:?}");
        let path = dir.path().join(format!("{name}/.awsauth.yaml"));
        write(dir.path(), &format!("{name}/.awsauth.yaml"), text);
        if let Err(e) = awsauth::config::load(&path, awsauth::rules::RULES) {
            panic!("{name}: {e:?}");
        }
    }
    // and the schema rejects what the loader rejects
    let bad = awsauth::config::yaml_to_json("selct: [all]\nfail-on: sometimes\n").expect("YAML");
    assert!(validator.iter_errors(&bad).count() >= 2);
}

#[test]
fn nearest_configuration_applies_to_each_file() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    write(root, ".awsauth.yaml", "ignore: [system-masters]\n");
    write(root, "a/aws-auth.yaml", AUTH);
    write(root, "b/.awsauth.yaml", "ignore: [iam-user-mapping]\n");
    write(root, "b/aws-auth.yaml", AUTH);
    let o = awsauth(&["lint", "--format", "json"], root);
    let got = findings(&o);
    let rules_in = |file: &str| -> Vec<String> {
        got.iter()
            .filter(|(f, _, _)| f == file)
            .map(|(_, _, r)| r.clone())
            .collect()
    };
    assert!(!rules_in("a/aws-auth.yaml").contains(&"system-masters".to_owned()));
    assert!(rules_in("a/aws-auth.yaml").contains(&"iam-user-mapping".to_owned()));
    assert!(rules_in("b/aws-auth.yaml").contains(&"system-masters".to_owned()));
    assert!(!rules_in("b/aws-auth.yaml").contains(&"iam-user-mapping".to_owned()));
    // the configuration files themselves are not linted as manifests
    assert!(
        got.iter().all(|(f, _, _)| f.ends_with("aws-auth.yaml")),
        "{got:?}"
    );
    // a file named directly finds the configuration of its directory too
    let o = awsauth(&["lint", "--format", "json", "b/aws-auth.yaml"], root);
    assert!(!rules_of(&o).contains(&"iam-user-mapping".to_owned()));
}

#[test]
fn extends_merges_and_this_file_wins() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    // one repository (`extends` stays inside it)
    std::fs::create_dir(root.join(".git")).expect("mkdir");
    write(
        root,
        "base/awsauth-base.yaml",
        "ignore: [system-masters]\nrules:\n  iam-user-mapping: {severity: error}\n  username-audit-trail: {severity: off}\nfail-on: never\n",
    );
    write(
        root,
        "repo/.awsauth.yaml",
        "extends: ../base/awsauth-base.yaml\nrules:\n  username-audit-trail: {severity: warning}\n",
    );
    write(root, "repo/aws-auth.yaml", AUTH);
    let o = awsauth(&["lint", "--format", "json", "."], &root.join("repo"));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let sev = |rule: &str| {
        v["diagnostics"]
            .as_array()
            .expect("list")
            .iter()
            .find(|d| d["rule"] == rule)
            .map(|d| d["severity"].as_str().unwrap_or_default().to_owned())
    };
    assert_eq!(sev("system-masters"), None, "ignored by the base");
    assert_eq!(
        sev("iam-user-mapping").as_deref(),
        Some("error"),
        "severity from the base"
    );
    assert_eq!(
        sev("username-audit-trail").as_deref(),
        Some("warning"),
        "this file wins"
    );
    assert_eq!(o.status.code(), Some(0), "fail-on: never from the base");
    // a cycle is an error at the `extends` key
    write(
        root,
        "repo/../base/awsauth-base.yaml",
        "extends: ../repo/.awsauth.yaml\n",
    );
    let o = awsauth(&["lint", "."], &root.join("repo"));
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("`extends` cycle"), "{}", stderr(&o));
    // a missing base is reported where `extends` names it
    write(root, "repo/.awsauth.yaml", "extends: nowhere.yaml\n");
    let o = awsauth(&["lint", "."], &root.join("repo"));
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot extend"), "{}", stderr(&o));
    assert!(stderr(&o).contains(".awsauth.yaml:1:10"), "{}", stderr(&o));
}

#[test]
fn command_line_beats_config_file_beats_discovered_file() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    write(
        root,
        ".awsauth.yaml",
        "ignore: [system-masters]\nfail-on: never\n",
    );
    write(root, "other.yaml", "ignore: [iam-user-mapping]\n");
    write(root, "aws-auth.yaml", AUTH);
    // discovered
    let o = awsauth(&["lint", "--format", "json", "aws-auth.yaml"], root);
    assert!(!rules_of(&o).contains(&"system-masters".to_owned()));
    assert_eq!(o.status.code(), Some(0));
    // --config replaces the discovered file
    let o = awsauth(
        &[
            "lint",
            "--format",
            "json",
            "--config",
            "other.yaml",
            "aws-auth.yaml",
        ],
        root,
    );
    assert!(rules_of(&o).contains(&"system-masters".to_owned()));
    assert!(!rules_of(&o).contains(&"iam-user-mapping".to_owned()));
    assert_eq!(o.status.code(), Some(1));
    // flags beat both
    let o = awsauth(
        &[
            "lint",
            "--format",
            "json",
            "--select",
            "security",
            "--ignore",
            "iam-user-mapping",
            "--fail-on",
            "error",
            "aws-auth.yaml",
        ],
        root,
    );
    assert_eq!(rules_of(&o), vec!["system-masters".to_owned()]);
    assert_eq!(o.status.code(), Some(0), "a warning under --fail-on error");
    // --no-config: the defaults
    let o = awsauth(
        &["lint", "--format", "json", "--no-config", "aws-auth.yaml"],
        root,
    );
    assert!(rules_of(&o).contains(&"system-masters".to_owned()));
    assert_eq!(o.status.code(), Some(1));
    // a configuration that cannot be read is an error naming it
    let o = awsauth(&["lint", "--config", "missing.yaml", "aws-auth.yaml"], root);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("missing.yaml: cannot read"),
        "{}",
        stderr(&o)
    );
    // an unknown selector on the command line is a usage error
    let o = awsauth(
        &["lint", "--select", "sytem-masters", "aws-auth.yaml"],
        root,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("did you mean `system-masters`"),
        "{}",
        stderr(&o)
    );
}

/// Every kind of configuration error, in one file, rendered with positions (exit 2).
#[test]
fn configuration_errors_are_reported_with_positions() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    write(root, "aws-auth.yaml", AUTH);
    let cases = [
        (
            "shape",
            "selct: [all]\nfail-on: sometimes\ncluster:\n  acount-ids: [\"1\"]\nrules:\n  system-masters:\n    allow:\n      - arn: x\n    severity: loud\nignore: security\n",
        ),
        (
            "semantics",
            "select: [securty, system-masters]\nignore: [hygine]\ncluster:\n  account-ids: [12345]\n  partition: aws-gov\n  node-roles: [\"arn:aws:iam::111122223333:user/x\"]\n  break-glass-roles: [\"arn:aws:iam::*:role/[x\"]\nrules:\n  system-mastrs: {severity: off}\n  node-mapping:\n    allow: [{arn: x, reason: y}]\n  system-masters:\n    allow:\n      - arn: \"arn:aws:iam::*:role/ok\"\n        reason: \"\"\nper-file-ignores:\n  \"legacy/**\": [nope]\npolicies:\n  - id: Bad_ID\n    forbid: {account: [\"1\"]}\n  - id: no-rule\n  - id: system-masters\n    forbid: {account: [\"1\"]}\n  - id: bad-section\n    when: {section: [mapGroups]}\n    forbid: {arn: []}\n",
        ),
        ("syntax", "select: [all\nignore: x\n"),
        ("duplicate", "select: [all]\nselect: [security]\n"),
        ("not-a-map", "- select\n"),
    ];
    let mut rendered = String::new();
    for (name, text) in cases {
        write(root, ".awsauth.yaml", text);
        let o = awsauth(&["lint", "aws-auth.yaml"], root);
        assert_eq!(o.status.code(), Some(2), "{name}");
        assert!(o.stdout.is_empty(), "{name}: nothing is linted");
        rendered.push_str(&format!("=== {name}\n{}\n", stderr(&o)));
    }
    insta::assert_snapshot!("config_errors", rendered);
}

#[test]
fn per_file_ignores_match_globs_relative_to_the_config() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    write(
        root,
        ".awsauth.yaml",
        "per-file-ignores:\n  \"legacy/**\": [security]\n  \"aws-auth-old.yaml\": [iam-user-mapping]\n",
    );
    write(root, "legacy/prod/aws-auth.yaml", AUTH);
    write(root, "current/aws-auth.yaml", AUTH);
    write(root, "deep/er/aws-auth-old.yaml", AUTH);
    let got = findings(&awsauth(&["lint", "--format", "json"], root));
    let has = |file: &str, rule: &str| got.iter().any(|(f, _, r)| f == file && r == rule);
    assert!(!has("legacy/prod/aws-auth.yaml", "system-masters"));
    assert!(!has("legacy/prod/aws-auth.yaml", "iam-user-mapping"));
    assert!(
        has("legacy/prod/aws-auth.yaml", "username-audit-trail"),
        "{got:?}"
    );
    assert!(has("current/aws-auth.yaml", "system-masters"));
    assert!(!has("deep/er/aws-auth-old.yaml", "iam-user-mapping"));
    assert!(has("deep/er/aws-auth-old.yaml", "system-masters"));
}

#[test]
fn allow_lists_accept_principals_and_report_unused_entries() {
    let dir = tree(&[
        (
            ".awsauth.yaml",
            "rules:\n  system-masters:\n    allow:\n      - arn: \"arn:aws:iam::*:role/ADMIN\"\n        reason: operators\n      - arn: \"arn:aws:iam::*:role/gone\"\n        reason: left over\n",
        ),
        ("aws-auth.yaml", AUTH),
    ]);
    let root = dir.path();
    let o = awsauth(&["lint", "--format", "json"], root);
    let got = findings(&o);
    assert!(
        !got.iter().any(|(_, _, r)| r == "system-masters"),
        "matched case-insensitively"
    );
    assert!(
        got.contains(&(".awsauth.yaml".into(), 6, "unused-suppression".into())),
        "{got:?}"
    );
    // linting one file says nothing about the rest of the tree: no unused-entry report
    let o = awsauth(&["lint", "--format", "json", "aws-auth.yaml"], root);
    assert!(!rules_of(&o).contains(&"unused-suppression".to_owned()));
}

/// An eksctl cluster with two principals holding `AmazonEKSClusterAdminPolicy`.
const EKSCTL_ADMINS: &str = "apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata:
  name: payments
  region: eu-west-1
accessConfig:
  authenticationMode: API
  bootstrapClusterCreatorAdminPermissions: false
  accessEntries:
    - principalARN: arn:aws:iam::111122223333:role/Platform-Admin
      accessPolicies:
        - policyARN: arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy
          accessScope: {type: cluster}
    - principalARN: arn:aws:iam::111122223333:role/ops
      accessPolicies:
        - policyARN: arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy
          accessScope: {type: cluster}
";

#[test]
fn allow_lists_and_break_glass_roles_cover_access_entries() {
    let dir = tree(&[
        (
            ".awsauth.yaml",
            "rules:\n  cluster-admin-policy:\n    allow:\n      - arn: \"arn:aws:iam::*:role/platform-admin\"\n        reason: platform team\n",
        ),
        ("cluster.yaml", EKSCTL_ADMINS),
    ]);
    let o = awsauth(&["lint", "--format", "json"], dir.path());
    let v = common::json(&o);
    let admin: Vec<_> = v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["rule"] == "cluster-admin-policy")
        .collect();
    assert_eq!(
        admin.len(),
        1,
        "the allowed principal is silenced: {admin:?}"
    );
    assert_eq!(admin[0]["principal"], "arn:aws:iam::111122223333:role/ops");
    assert_eq!(admin[0]["severity"], "error");
    assert!(
        !rules_of(&o).contains(&"unused-suppression".to_owned()),
        "the allow entry is used"
    );

    // a break-glass role's cluster-admin is info, as for `system-masters`
    let dir = tree(&[
        (
            ".awsauth.yaml",
            "cluster:\n  break-glass-roles: [\"arn:aws:iam::*:role/ops\"]\n",
        ),
        ("cluster.yaml", EKSCTL_ADMINS),
        (
            "tf/access.tf",
            "resource \"aws_eks_access_policy_association\" \"ops\" {\n  cluster_name  = \"payments\"\n  principal_arn = \"arn:aws:iam::111122223333:role/ops\"\n  policy_arn    = \"arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy\"\n  access_scope {\n    type = \"cluster\"\n  }\n}\n",
        ),
    ]);
    let o = awsauth(&["lint", "--format", "json"], dir.path());
    let v = common::json(&o);
    let severities: Vec<_> = v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["rule"] == "cluster-admin-policy")
        .map(|d| {
            (
                d["principal"].as_str().unwrap_or_default().to_owned(),
                d["severity"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        severities,
        [
            (
                "arn:aws:iam::111122223333:role/platform-admin".to_owned(),
                "error".to_owned()
            ),
            (
                "arn:aws:iam::111122223333:role/ops".to_owned(),
                "info".to_owned()
            ),
            // a Terraform association, written apart from its entry
            (
                "arn:aws:iam::111122223333:role/ops".to_owned(),
                "info".to_owned()
            ),
        ]
    );
}

#[test]
fn cluster_facts_feed_the_rules() {
    let dir = tree(&[
        (
            ".awsauth.yaml",
            "cluster:\n  account-ids: [\"111122223333\"]\n  partition: aws-cn\n  node-roles: [\"arn:aws:iam::111122223333:role/eks-node\"]\n  break-glass-roles: [\"arn:aws:iam::*:role/admin\"]\n",
        ),
        ("aws-auth.yaml", AUTH),
    ]);
    let root = dir.path();
    let o = awsauth(&["lint", "--format", "json"], root);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let list = v["diagnostics"].as_array().expect("list");
    let find = |rule: &str| {
        list.iter()
            .filter(|d| d["rule"] == rule)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        find("system-masters")[0]["severity"],
        "info",
        "break-glass role"
    );
    assert!(
        find("node-mapping")[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("node role `arn:aws:iam::111122223333:role/eks-node`"))
    );
    assert_eq!(
        find("unknown-partition").len(),
        2,
        "both ARNs are `aws`, the cluster is `aws-cn`"
    );
}

#[test]
fn policies_report_like_rules() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    write(
        root,
        ".awsauth.yaml",
        "policies:\n  - id: platform-only-admins\n    message: only platform roles may hold system:masters\n    when: {groups: [\"system:masters\"]}\n    require: {arn: [\"arn:aws:iam::*:role/platform-*\"]}\n  - id: no-sandbox\n    severity: warning\n    forbid: {account: [\"999999999999\"]}\n",
    );
    let auth = AUTH.replace(
        "  mapUsers: |\n",
        "    - rolearn: arn:aws:iam::999999999999:role/sandbox # awsauth: ignore[cross-account-principal]\n      username: sandbox:{{SessionName}}\n      groups: [view]\n    - rolearn: arn:aws:iam::111122223333:role/platform-ops\n      username: ops:{{SessionName}}\n      groups: [system:masters]\n  mapAccounts: |\n    - \"999999999999\"\n  mapUsers: |\n",
    );
    write(root, "aws-auth.yaml", &auth);
    let o = awsauth(&["lint", "--format", "json"], root);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let list = v["diagnostics"].as_array().expect("list");
    let of = |rule: &str| {
        list.iter()
            .filter(|d| d["rule"] == rule)
            .cloned()
            .collect::<Vec<_>>()
    };
    let admins = of("platform-only-admins");
    assert_eq!(admins.len(), 1, "{list:?}");
    assert_eq!(admins[0]["line"], 8);
    assert_eq!(admins[0]["severity"], "error");
    assert!(
        admins[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("only platform roles"))
    );
    let sandbox = of("no-sandbox");
    assert_eq!(
        sandbox.len(),
        2,
        "the role and the mapAccounts item: {sandbox:?}"
    );
    assert!(sandbox.iter().all(|d| d["severity"] == "warning"));
    // a policy can be suppressed inline and ignored by id, and `rules` lists it
    let suppressed = auth.replace(
        "role/admin\n",
        "role/admin # awsauth: ignore[platform-only-admins] founders\n",
    );
    write(root, "aws-auth.yaml", &suppressed);
    let o = awsauth(
        &["lint", "--format", "json", "--ignore", "no-sandbox"],
        root,
    );
    let rules = rules_of(&o);
    assert!(
        !rules
            .iter()
            .any(|r| r == "platform-only-admins" || r == "no-sandbox"),
        "{rules:?}"
    );
    let o = awsauth(&["rules"], root);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("platform-only-admins") && text.contains("policy"),
        "{text}"
    );
}

#[test]
fn baseline_hides_recorded_findings_even_when_lines_move() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path();
    write(root, "clusters/prod/aws-auth.yaml", AUTH);
    let o = awsauth(&["lint", "--write-baseline", "awsauth-baseline.json"], root);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let baseline = std::fs::read_to_string(root.join("awsauth-baseline.json")).expect("written");
    assert!(
        baseline.contains("\"file\": \"clusters/prod/aws-auth.yaml\""),
        "{baseline}"
    );
    assert!(
        baseline.contains("arn:aws:iam::111122223333:role/admin"),
        "{baseline}"
    );
    // lines shifted by a comment block and an extra mapping above the recorded ones
    let shifted = AUTH.replace(
        "  mapRoles: |\n",
        "  # owned by the platform team\n  # see OPS-1\n  mapRoles: |\n    - rolearn: arn:aws:iam::111122223333:role/dev\n      username: dev:{{SessionName}}\n      groups: [developers]\n",
    );
    write(root, "clusters/prod/aws-auth.yaml", &shifted);
    let o = awsauth(
        &[
            "lint",
            "--format",
            "json",
            "--baseline",
            "awsauth-baseline.json",
        ],
        root,
    );
    assert_eq!(findings(&o), Vec::new(), "nothing new");
    assert_eq!(o.status.code(), Some(0));
    // a new finding is reported, the old ones are not
    let worse = shifted.replace("groups: [developers]", "groups: [system:masters]");
    write(root, "clusters/prod/aws-auth.yaml", &worse);
    let o = awsauth(
        &[
            "lint",
            "--format",
            "json",
            "--baseline",
            "awsauth-baseline.json",
        ],
        root,
    );
    assert_eq!(
        findings(&o),
        vec![
            (
                "clusters/prod/aws-auth.yaml".into(),
                11,
                "session-controlled-identity".into()
            ),
            (
                "clusters/prod/aws-auth.yaml".into(),
                12,
                "system-masters".into()
            )
        ]
    );
    assert_eq!(o.status.code(), Some(1));
    // a missing or foreign baseline is an error
    let o = awsauth(&["lint", "--baseline", "nope.json"], root);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn init_writes_a_starter_that_loads() {
    let dir = tempfile::tempdir().expect("tmp");
    let o = awsauth(&["init"], dir.path());
    assert_eq!(o.status.code(), Some(0));
    assert!(
        awsauth::config::load(&dir.path().join(".awsauth.yaml"), awsauth::rules::RULES).is_ok()
    );
    let o = awsauth(&["init"], dir.path());
    assert_eq!(
        o.status.code(),
        Some(2),
        "an existing file is not overwritten"
    );
    assert!(stderr(&o).contains("--force"));
    assert_eq!(
        awsauth(&["init", "--force"], dir.path()).status.code(),
        Some(0)
    );
}

/// Each suppression form silences its finding; without the comments the findings are there.
#[test]
fn suppressions_silence_findings_inside_and_outside_nested_yaml() {
    let with = "# awsauth: file-ignore[username-audit-trail] shared roles, reviewed
apiVersion: v1
kind: ConfigMap
metadata:
  name: aws-auth
  namespace: default # awsauth: ignore[wrong-namespace] kustomize sets kube-system
  annotations:
    awsauth.dev/ignore: \"map-accounts: shared-services account\"
data:
  mapRoles: |
    # awsauth: ignore[system-masters] break glass (own line: the next mapping)
    - rolearn: arn:aws:iam::111122223333:role/admin
      username: admin
      groups: [system:masters]
    - rolearn: arn:aws:iam::111122223333:role/ops # awsauth: ignore[system-masters, reserved-group]
      username: ops
      groups:
        - system:masters
        - system:authenticated
  mapAccounts: |
    - \"111122223333\"
";
    let without: String = with
        .lines()
        .filter(|l| !l.trim_start().starts_with("# awsauth:") && !l.contains("awsauth.dev/ignore"))
        .flat_map(|l| [l.split(" # awsauth:").next().unwrap_or(l), "\n"])
        .collect();
    let lint = |text: &str| -> Vec<(usize, String)> {
        let load =
            awsauth::load::load_file(awsauth::source::SourceFile::new("a.yaml", text.to_owned()));
        common::lint(&load)
            .iter()
            .map(|d| (d.file.line_col(d.span.start).line, d.rule.name.to_owned()))
            .collect()
    };
    let before = lint(&without);
    for rule in [
        "username-audit-trail",
        "wrong-namespace",
        "map-accounts",
        "system-masters",
        "reserved-group",
    ] {
        assert!(
            before.iter().any(|(_, r)| r == rule),
            "{rule} fires without suppressions: {before:?}"
        );
    }
    let after = lint(with);
    assert_eq!(
        after,
        Vec::new(),
        "every finding is suppressed, and no suppression is unused"
    );
}

/// The selection rules of the README, checked on the resolved settings.
#[test]
fn selection_follows_specificity() {
    let dir = tempfile::tempdir().expect("tmp");
    let settings = |text: &str| {
        let path = dir.path().join(".awsauth.yaml");
        std::fs::write(&path, text).expect("write");
        awsauth::config::load(&path, awsauth::rules::RULES).unwrap_or_else(|e| panic!("{e:?}"))
    };
    let rule = |id: &str| awsauth::rules::find(id).expect("a rule");
    let (masters, users, pae) = (
        rule("system-masters"),
        rule("iam-user-mapping"),
        rule("prefer-access-entries"),
    );
    // without `select`: a category or `all` in `ignore` turns rules off
    let s = settings("ignore: [security]\n");
    assert!(!s.enabled(masters) && s.enabled(rule("missing-arn")));
    assert!(!settings("ignore: [all]\n").enabled(rule("missing-arn")));
    // a rule id beats its category
    let s = settings("ignore: [security]\nselect: [all, system-masters]\n");
    assert!(s.enabled(masters) && !s.enabled(users));
    // off-by-default rules run only when named or given a severity, never through `all`
    assert!(!settings("select: [all]\n").enabled(pae));
    assert!(!settings("select: [hygiene]\n").enabled(pae));
    assert!(settings("select: [all, prefer-access-entries]\n").enabled(pae));
    assert!(settings("rules: {prefer-access-entries: {severity: info}}\n").enabled(pae));
    // the command line beats `severity: off`
    let mut s = settings("rules: {system-masters: {severity: off}}\n");
    assert!(!s.enabled(masters));
    assert!(s.apply_cli(&["system-masters".into()], &[]).is_empty());
    assert!(s.enabled(masters));
    // a policy at `severity: off` does not run through `all` or `policy`, and `rules.<id>`
    // sets a policy's severity
    let s = settings(
        "select: [all, policy]\npolicies:\n  - id: quiet\n    severity: off\n    forbid: {account: [\"1\"]}\n  - id: loud\n    forbid: {account: [\"1\"]}\nrules:\n  loud: {severity: info}\n",
    );
    let (quiet, loud) = (
        s.find_rule("quiet").expect("policy"),
        s.find_rule("loud").expect("policy"),
    );
    assert!(!s.enabled(quiet) && s.enabled(loud));
    assert_eq!(s.severity(loud), Some(awsauth::diagnostic::Severity::Info));
}

#[test]
fn hostile_and_odd_configurations_are_errors_not_hangs() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join(".awsauth.yaml");
    let load = |text: &str| {
        std::fs::write(&path, text).expect("write");
        awsauth::config::load(&path, awsauth::rules::RULES)
            .err()
            .map(|e| format!("{e:?}"))
    };
    // nine levels of ten aliases each: a billion values
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..9 {
        let p = i - 1;
        text.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    text.push_str("ignore: *a8\n");
    assert!(load(&text).is_some_and(|e| e.contains("too many values")));
    assert!(
        load("select: [all]\n---\nignore: [security]\n")
            .is_some_and(|e| e.contains("second YAML document"))
    );
    assert!(
        load("policies:\n  - {id: a, forbid: {account: [\"1\"]}}\n  - {id: a, forbid: {account: [\"2\"]}}\n")
            .is_some_and(|e| e.contains("used twice"))
    );
    assert!(load("rules:\n  nope: {}\n").is_some_and(|e| e.contains("unknown rule `nope`")));
}

#[test]
fn command_line_selectors_may_name_policies_of_any_configuration_read() {
    let dir = tree(&[
        (
            "a/.awsauth.yaml",
            "policies:\n  - id: no-users\n    forbid: {section: [mapUsers]}\n",
        ),
        ("a/aws-auth.yaml", AUTH),
    ]);
    let root = dir.path();
    let o = awsauth(&["lint", "--format", "json", "a"], root);
    assert!(rules_of(&o).contains(&"no-users".to_owned()));
    let o = awsauth(
        &["lint", "--format", "json", "--ignore", "no-users", "a"],
        root,
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(!rules_of(&o).contains(&"no-users".to_owned()));
    let o = awsauth(&["lint", "--ignore", "no-userz", "a"], root);
    assert_eq!(o.status.code(), Some(2));
}

/// Cases found in review of suppressions, allow lists, baselines and excludes.
#[test]
fn review_regressions() {
    // `# awsauth:` inside a quoted string is text, not a suppression
    let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\n  annotations:\n    note: \"generated # awsauth: file-ignore[x]\"\ndata:\n  mapUsers: \"- userarn: arn:aws:iam::111122223333:user/x\\n  username: 'x # awsauth: ignore[iam-user-mapping] hidden'\\n  groups: [view]\\n\"\n";
    let load =
        awsauth::load::load_file(awsauth::source::SourceFile::new("q.yaml", text.to_owned()));
    let rules: Vec<&str> = common::lint(&load).iter().map(|d| d.rule.name).collect();
    assert!(rules.contains(&"iam-user-mapping"), "{rules:?}");
    assert!(!rules.contains(&"invalid-suppression"), "{rules:?}");
    // a template's suppressions are for what it renders: not unused
    let helm = "# awsauth: file-ignore[system-masters] rendered by helm\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: {{ .Values.adminRole }}\n      username: admin\n      groups: [system:masters]\n";
    let load =
        awsauth::load::load_file(awsauth::source::SourceFile::new("t.yaml", helm.to_owned()));
    let rules: Vec<&str> = common::lint(&load).iter().map(|d| d.rule.name).collect();
    assert_eq!(rules, vec!["templated-file"]);
    // an allow entry of a shared base is used if any directory uses it
    let dir = tree(&[
        (
            "org/base.yaml",
            "rules:\n  system-masters:\n    allow:\n      - {arn: \"arn:aws:iam::*:role/admin\", reason: operators}\n",
        ),
        ("a/.awsauth.yaml", "extends: ../org/base.yaml\n"),
        ("a/aws-auth.yaml", AUTH),
        ("b/.awsauth.yaml", "extends: ../org/base.yaml\n"),
        (
            "b/aws-auth.yaml",
            &AUTH
                .replace("role/admin", "role/other")
                .replace("[system:masters]", "[view]"),
        ),
    ]);
    let o = awsauth(&["lint", "--format", "json"], dir.path());
    assert!(
        !rules_of(&o).contains(&"unused-suppression".to_owned()),
        "{:?}",
        findings(&o)
    );
    // a baseline kept beside the tree records `../` paths, so the tree can move
    let dir = tree(&[("clusters/a.yaml", AUTH), ("ci/.keep", "")]);
    let o = awsauth(
        &["lint", "--write-baseline", "ci/baseline.json", "clusters"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(0));
    let b = std::fs::read_to_string(dir.path().join("ci/baseline.json")).expect("written");
    assert!(b.contains("\"file\": \"../clusters/a.yaml\""), "{b}");
    let moved = tempfile::tempdir().expect("tmp");
    for f in ["clusters/a.yaml", "ci/baseline.json"] {
        write(
            moved.path(),
            f,
            &std::fs::read_to_string(dir.path().join(f)).expect("read"),
        );
    }
    let o = awsauth(
        &[
            "lint",
            "--format",
            "json",
            "--baseline",
            "ci/baseline.json",
            "clusters",
        ],
        moved.path(),
    );
    assert_eq!(findings(&o), Vec::new());
    // an exclude with `/` is relative to the configuration, from wherever the walk starts
    let dir = tree(&[
        (".awsauth.yaml", "exclude: [\"charts/**/templates/**\"]\n"),
        ("charts/x/templates/aws-auth.yaml", AUTH),
        ("charts/x/aws-auth.yaml", AUTH),
    ]);
    for (cwd, arg) in [(".", "."), (".", "charts"), ("charts", ".")] {
        let o = awsauth(&["lint", "--format", "json", arg], &dir.path().join(cwd));
        let files: Vec<String> = findings(&o).into_iter().map(|(f, _, _)| f).collect();
        assert!(
            !files.iter().any(|f| f.contains("templates")),
            "{cwd} {arg}: {files:?}"
        );
        assert!(!files.is_empty());
    }
}

/// A walk reads a file's configuration only once the file may hold something, yet a broken
/// configuration beside files that hold nothing still fails the run, and every file read is
/// counted, kept or not (issue 18: the files that hold nothing are not kept).
#[test]
fn a_walk_reads_every_configuration_it_meets() {
    let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n";
    let dir = tree(&[
        ("aws-auth.yaml", AUTH),
        ("apps/web.yaml", deployment),
        ("apps/api.yaml", deployment),
        ("apps/.awsauth.yaml", "select: [all\n"),
    ]);
    let o = awsauth(&["lint", "--format", "json", "."], dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("apps/.awsauth.yaml"), "{}", stderr(&o));
    // mended, the files that hold nothing are counted among those read
    write(dir.path(), "apps/.awsauth.yaml", "select: [all]\n");
    let o = awsauth(&["lint", "--format", "json", "."], dir.path());
    assert_ne!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(common::json(&o)["summary"]["files_scanned"], 3);
    // an excluded folder's configuration is not read
    write(dir.path(), "apps/.awsauth.yaml", "select: [all\n");
    write(dir.path(), ".awsauth.yaml", "exclude: [\"apps/**\"]\n");
    let o = awsauth(&["lint", "--format", "json", "."], dir.path());
    assert_ne!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(common::json(&o)["summary"]["files_scanned"], 1);
}
