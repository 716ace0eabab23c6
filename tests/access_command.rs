//! `awsauth access` on `fixtures/rbac/` (the fixture's README says who should get what): who
//! can get secrets in `payments` (aggregation, `system:authenticated` and grants that hold only
//! for some sessions included), cluster-wide against in a namespace, one principal's grants,
//! a repository without RBAC, and the exit codes.
mod common;

use std::collections::BTreeSet;
use std::process::Output;

use serde_json::Value;

const PAYMENTS: &str = "fixtures/rbac/payments";
const ACCOUNT: &str = "arn:aws:iam::111122223333";

/// Runs `awsauth access ARGS` from the repository's root.
fn access(args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_awsauth"))
        .arg("access")
        .arg("--no-config")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("runs")
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The principals of a `--can` JSON document whose grants are certain (or not).
fn principals(doc: &Value, certain: bool) -> BTreeSet<String> {
    doc["principals"]
        .as_array()
        .expect("principals")
        .iter()
        .filter(|p| p["certain"] == certain)
        .map(|p| p["principal"].as_str().expect("arn").to_owned())
        .collect()
}

fn arns(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|n| format!("{ACCOUNT}:{n}")).collect()
}

#[test]
fn who_can_get_secrets_in_payments_is_exactly_the_expected_principals() {
    let o = access(&[
        PAYMENTS, "--can", "get", "secrets", "-n", "payments", "--format", "json",
    ]);
    assert_eq!(code(&o), 0, "{}", common::stderr(&o));
    let doc = common::json(&o);
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["request"]["verb"], "get");
    assert_eq!(doc["request"]["resource"], "secrets");
    assert_eq!(doc["request"]["group"], "");
    assert_eq!(doc["request"]["namespace"], "payments");
    let expected = arns(&[
        "role/platform-admin",  // cluster-admin, cluster-wide
        "role/ci",              // deployer, cluster-wide
        "role/payments-dev",    // payments-readers → secret-reader
        "user/alice",           // auditors → view, which aggregates secrets-viewer
        "role/payments-oncall", // AmazonEKSAdminPolicy in payments
    ]);
    // not support (AmazonEKSViewPolicy), not the nodes, nobody by payments-writers, and the
    // CA bundle everyone reads is one named secret, not every secret
    assert_eq!(principals(&doc, true), expected);
    assert_eq!(principals(&doc, false), BTreeSet::new());
    let alice = doc["principals"]
        .as_array()
        .expect("principals")
        .iter()
        .find(|p| p["principal"] == format!("{ACCOUNT}:user/alice"))
        .expect("alice");
    assert_eq!(alice["via"][0]["role"], "ClusterRole/view");
    assert_eq!(alice["via"][0]["via"]["name"], "auditors");
    assert_eq!(alice["via"][0]["binding"]["name"], "auditors-view");
    assert_eq!(alice["cluster"]["value"], "payments");
}

#[test]
fn cluster_wide_only_grants_that_hold_everywhere() {
    let o = access(&[PAYMENTS, "--can", "get", "secrets", "--format", "json"]);
    assert_eq!(code(&o), 0);
    let doc = common::json(&o);
    assert_eq!(doc["request"]["namespace"], Value::Null);
    assert_eq!(
        principals(&doc, true),
        arns(&["role/platform-admin", "role/ci"])
    );
    let text = stdout(&access(&[PAYMENTS, "--can", "get", "secrets"]));
    assert!(
        text.starts_with("IAM principals that can get secrets cluster-wide:\n"),
        "{text}"
    );
}

#[test]
fn system_authenticated_reaches_every_principal() {
    let args = [PAYMENTS, "--can", "get", "secrets", "-n", "payments"];
    let o = access(&[&args[..], &["--name", "payments-ca", "--format", "json"]].concat());
    assert_eq!(code(&o), 0);
    let doc = common::json(&o);
    assert_eq!(doc["request"]["name"], "payments-ca");
    let everyone = arns(&[
        "role/ci",
        "role/payments-dev",
        "role/payments-nodes",
        "role/payments-oncall",
        "role/platform-admin",
        "role/support",
        "user/alice",
    ]);
    assert_eq!(principals(&doc, true), everyone);
    let nodes = doc["principals"]
        .as_array()
        .expect("principals")
        .iter()
        .find(|p| p["principal"] == format!("{ACCOUNT}:role/payments-nodes"))
        .expect("nodes");
    assert_eq!(nodes["via"][0]["via"]["by"], "authenticated");
    assert_eq!(nodes["via"][0]["binding"]["name"], "everyone-reads-the-ca");
}

#[test]
fn a_grant_for_some_sessions_is_listed_apart_as_possible() {
    let args = [PAYMENTS, "--can", "delete", "secrets", "-n", "payments"];
    let doc = common::json(&access(&[&args[..], &["--format", "json"]].concat()));
    assert!(principals(&doc, false).contains(&format!("{ACCOUNT}:role/payments-dev")));
    assert!(!principals(&doc, true).contains(&format!("{ACCOUNT}:role/payments-dev")));
    assert!(principals(&doc, true).contains(&format!("{ACCOUNT}:role/platform-admin")));
    let text = stdout(&access(&args));
    let (sure, possibly) = text
        .split_once("possibly (only for some sessions):\n")
        .expect("a possibly section");
    assert!(!sure.contains("role/payments-dev"), "{text}");
    assert!(
        possibly.contains("via user `payments-dev:alice`")
            && possibly.contains("only for some sessions"),
        "{text}"
    );
}

#[test]
fn the_listing_says_each_principals_identity_grants_and_limits() {
    let o = access(&[PAYMENTS]);
    assert_eq!(code(&o), 0);
    let text = stdout(&o);
    assert!(text.starts_with("cluster payments: authentication mode API_AND_CONFIG_MAP\n"));
    for want in [
        "identity: username `ci`, groups `deployers` (aws-auth, fixtures/rbac/payments/aws-auth.yaml:14)",
        "ClusterRole/legacy-operator in `payments`, via group `deployers`: RoleBinding payments/deployers-legacy (fixtures/rbac/payments/rbac/payments.yaml:108); role not in the repository: its rules are not known",
        "note: `payments-dev:{{SessionName}}` is a template: a User subject matches it only for some sessions",
        "access policy AmazonEKSAdminPolicy (namespace: payments) (access-entry, fixtures/rbac/payments/cluster.yaml:19)",
        "can: act as cluster-admin",
        "can: read secrets in `payments`",
    ] {
        assert!(text.contains(want), "{want}\n{text}");
    }
    assert!(!text.contains("payments-writers"), "{text}");
    let doc = common::json(&access(&[PAYMENTS, "--format", "json"]));
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["clusters"][0]["repository-rbac"], true);
    assert_eq!(
        doc["clusters"][0]["principals"].as_array().map(Vec::len),
        Some(7)
    );
}

#[test]
fn one_principal_snapshots() {
    for (name, arn) in [
        ("ci", "role/ci"),
        ("payments_dev", "role/payments-dev"),
        ("platform_admin", "role/platform-admin"),
    ] {
        let arn = format!("{ACCOUNT}:{arn}");
        let human = access(&[PAYMENTS, "--principal", &arn]);
        assert_eq!(code(&human), 0);
        let json = access(&[PAYMENTS, "--principal", &arn, "--format", "json"]);
        assert_eq!(code(&json), 0);
        insta::with_settings!({snapshot_path => "snapshots/access_command", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!(format!("principal_{name}"), stdout(&human));
            insta::assert_snapshot!(format!("principal_{name}_json"), stdout(&json));
        });
    }
}

#[test]
fn a_role_arn_with_a_path_is_its_mapping() {
    let o = access(&[PAYMENTS, "--principal", &format!("{ACCOUNT}:role/teams/CI")]);
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).contains(&format!("\n{ACCOUNT}:role/ci\n")));
}

#[test]
fn a_query_that_matches_nothing_exits_1() {
    let o = access(&[PAYMENTS, "--principal", &format!("{ACCOUNT}:role/nobody")]);
    assert_eq!(code(&o), 1);
    assert_eq!(stdout(&o), "");
    assert!(
        common::stderr(&o).contains(&format!(
            "no mapping or access entry for `{ACCOUNT}:role/nobody` in the files read"
        )),
        "{}",
        common::stderr(&o)
    );
    let dir = tempfile::tempdir().expect("tmp");
    common::write(
        dir.path(),
        "aws-auth.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::111122223333:role/dev\n      username: dev\n      groups: [developers]\n",
    );
    let path = dir.path().to_str().expect("utf-8");
    let o = access(&[path, "--can", "get", "secrets", "-n", "payments"]);
    assert_eq!(code(&o), 1);
    assert_eq!(
        stdout(&o),
        "no IAM principal can get secrets in `payments`\n"
    );
    let o = access(&[
        path, "--can", "get", "secrets", "-n", "payments", "--format", "json",
    ]);
    assert_eq!(code(&o), 1);
    assert_eq!(common::json(&o)["principals"], serde_json::json!([]));
}

#[test]
fn without_rbac_in_the_repository_only_built_in_bindings_are_known() {
    let o = access(&["fixtures/rbac/no-rbac"]);
    assert_eq!(code(&o), 0);
    let text = stdout(&o);
    assert!(
        text.contains("note: the repository holds no RBAC bindings for this cluster: only built-in bindings are known"),
        "{text}"
    );
    // system:masters is cluster-admin through Kubernetes' own binding
    assert!(
        text.contains("ClusterRole/cluster-admin cluster-wide, via group `system:masters`: ClusterRoleBinding cluster-admin (built-in)"),
        "{text}"
    );
    let doc = common::json(&access(&["fixtures/rbac/no-rbac", "--format", "json"]));
    let cluster = &doc["clusters"][0];
    assert_eq!(cluster["repository-rbac"], false);
    let ops = cluster["principals"]
        .as_array()
        .expect("principals")
        .iter()
        .find(|p| p["principal"] == format!("{ACCOUNT}:role/ops"))
        .expect("ops");
    let admin = ops["grants"]
        .as_array()
        .expect("grants")
        .iter()
        .find(|g| g["role"] == "ClusterRole/cluster-admin")
        .expect("cluster-admin");
    assert_eq!(admin["binding"]["file"], Value::Null);
    assert_eq!(ops["can"][0]["capability"], "everything");
}

#[test]
fn bad_arguments_exit_2() {
    for args in [
        &[PAYMENTS, "--can", "get"][..],
        &[PAYMENTS, "-n", "payments"],
        &[PAYMENTS, "--name", "x"],
        &[PAYMENTS, "--can", "get", "secrets", "--principal", "x"],
        &[PAYMENTS, "--format", "yaml"],
        &[PAYMENTS, "--can", "", "secrets"],
    ] {
        let o = access(args);
        assert_eq!(code(&o), 2, "{args:?}: {}", common::stderr(&o));
        assert_eq!(stdout(&o), "", "{args:?}");
    }
    let o = access(&[PAYMENTS, "--can", " ", "secrets"]);
    assert!(
        common::stderr(&o).contains("a request needs a verb and a resource"),
        "{}",
        common::stderr(&o)
    );
}

#[test]
fn values_from_the_files_cannot_forge_lines_or_colours() {
    let dir = tempfile::tempdir().expect("tmp");
    let hostile = r#""x\u001b[31m\n::error::forged""#;
    common::write(
        dir.path(),
        "aws-auth.yaml",
        &format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::111122223333:role/dev\n      username: {hostile}\n      groups: [{hostile}]\n"
        ),
    );
    common::write(
        dir.path(),
        "rbac.yaml",
        &format!(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: {hostile}\nsubjects:\n  - kind: Group\n    name: {hostile}\nroleRef:\n  kind: ClusterRole\n  name: {hostile}\n"
        ),
    );
    let path = dir.path().to_str().expect("utf-8");
    for args in [
        &[path][..],
        &[path, "--principal", "arn:aws:iam::111122223333:role/dev"],
        &[path, "--can", "get", "pods/exec", "-n", "x"],
    ] {
        let o = access(args);
        let text = stdout(&o);
        assert!(!text.contains('\u{1b}'), "{args:?}: {text}");
        assert!(
            !text.lines().any(|l| l.trim_start().starts_with("::")),
            "{args:?}: {text}"
        );
    }
    let text = stdout(&access(&[path]));
    assert!(text.contains("role not in the repository"), "{text}");
    let doc = common::json(&access(&[path, "--format", "json"]));
    assert_eq!(
        doc["clusters"][0]["principals"][0]["username"],
        "x\u{1b}[31m\n::error::forged"
    );
}

#[test]
fn several_clusters_each_principal_says_its_cluster() {
    let o = access(&[
        "fixtures/rbac",
        "--can",
        "delete",
        "pods",
        "-n",
        "kube-system",
    ]);
    assert_eq!(code(&o), 0);
    let text = stdout(&o);
    for want in [
        "\n  arn:aws:iam::111122223333:role/ops in cluster (unnamed, in fixtures/rbac/no-rbac)\n",
        "\n  arn:aws:iam::111122223333:role/platform-admin in cluster payments\n",
    ] {
        assert!(text.contains(want), "{want}\n{text}");
    }
    let doc = common::json(&access(&["fixtures/rbac", "--format", "json"]));
    let clusters: Vec<&Value> = doc["clusters"]
        .as_array()
        .expect("clusters")
        .iter()
        .collect();
    assert_eq!(clusters.len(), 2);
    assert_eq!(clusters[0]["cluster"]["by"], "directory");
    assert_eq!(clusters[1]["cluster"]["value"], "payments");
}

#[test]
fn output_to_a_file_is_the_same_bytes() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("who.json");
    let args = [PAYMENTS, "--can", "get", "secrets", "--format", "json"];
    let printed = access(&args);
    let o = access(&[&args[..], &["-o", file.to_str().expect("utf-8")]].concat());
    assert_eq!(code(&o), 0);
    assert_eq!(stdout(&o), "");
    assert_eq!(std::fs::read(&file).expect("written"), printed.stdout);
}
