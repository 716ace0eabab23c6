//! `awsauth migrate` end to end on `fixtures/migrate/` (each case's aws-auth says what it pins):
//! classification, blockers, duplicates, role paths, phases, the proof and its exit code; both
//! output formats pinned by snapshots.
mod common;

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

const ROLES: &str = "fixtures/migrate/iam-roles.json";

/// The cases: directory, extra arguments, exit code.
const CASES: &[(&str, &[&str], i32)] = &[
    (
        "migratable",
        &[
            "--iam-roles",
            ROLES,
            "--self-managed-node-role",
            "karpenter-node",
        ],
        0,
    ),
    (
        "api-ready",
        &[
            "--iam-roles",
            ROLES,
            "--self-managed-node-role",
            "karpenter-node",
        ],
        0,
    ),
    (
        "classifications",
        &[
            "--iam-roles",
            ROLES,
            "--self-managed-node-role",
            "windows-node",
        ],
        0,
    ),
    (
        "blockers",
        &["--iam-roles", ROLES, "--account-id", "111122223333"],
        1,
    ),
    ("duplicates", &["--iam-roles", ROLES], 1),
    ("role-paths", &["--iam-roles", ROLES], 0),
    ("role-paths", &[], 1),
    (
        "masters-with-groups",
        &[
            "--iam-roles",
            "fixtures/migrate/masters-with-groups/iam-roles.json",
        ],
        0,
    ),
    ("differ-duplicate", &[], 1),
    ("differ-template", &[], 1),
    ("differ-system-group", &[], 1),
    ("differ-empty-username", &[], 1),
    ("not-loaded", &["--iam-roles", ROLES], 0),
    ("lost-section", &["--iam-roles", ROLES], 0),
];

fn migrate(case: &str, extra: &[&str], format: &str) -> Output {
    let dir = format!("fixtures/migrate/{case}");
    Command::new(env!("CARGO_BIN_EXE_awsauth"))
        .args(["migrate", &dir, "--cluster", "prod", "--format", format])
        .args(extra)
        .current_dir(common::root())
        .output()
        .expect("runs")
}

fn plan(case: &str, extra: &[&str]) -> (Value, i32) {
    let out = migrate(case, extra, "json");
    let text = String::from_utf8_lossy(&out.stdout);
    let doc: Value = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "{case}: {e}\n{text}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (doc, out.status.code().unwrap_or(-1))
}

fn principal<'a>(doc: &'a Value, text: &str) -> &'a Value {
    doc["principals"]
        .as_array()
        .expect("principals")
        .iter()
        .find(|p| p["principal"] == text)
        .unwrap_or_else(|| panic!("no principal `{text}`"))
}

fn ids(p: &Value, key: &str) -> Vec<String> {
    p[key]
        .as_array()
        .expect("list")
        .iter()
        .map(|f| f["id"].as_str().expect("id").to_owned())
        .collect()
}

fn differences(doc: &Value, text: &str) -> Vec<String> {
    doc["proof"]["principals"]
        .as_array()
        .expect("proof")
        .iter()
        .find(|c| c["principal"] == text)
        .unwrap_or_else(|| panic!("no comparison for `{text}`"))["differences"]
        .as_array()
        .expect("differences")
        .iter()
        .map(|d| d.as_str().expect("text").to_owned())
        .collect()
}

#[test]
fn both_formats_of_every_case_are_pinned_and_exit_as_the_proof_says() {
    for (case, extra, code) in CASES {
        let name = if extra.is_empty() {
            format!("{case}__no_iam_roles")
        } else {
            (*case).to_owned()
        };
        for format in ["table", "json"] {
            let out = migrate(case, extra, format);
            assert_eq!(
                out.status.code(),
                Some(*code),
                "{name} --format {format}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
            insta::with_settings!({snapshot_path => "snapshots/migrate", prepend_module_to_snapshot => false}, {
                insta::assert_snapshot!(format!("{name}__{format}"), stdout);
            });
        }
    }
}

#[test]
fn a_fully_migratable_cluster_has_no_difference_and_exits_0() {
    let (doc, code) = plan("migratable", CASES[0].1);
    assert_eq!(code, 0);
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["proof"]["equivalent"], true);
    assert_eq!(doc["proof"]["differing"], 0);
}

#[test]
fn each_classification_gets_its_access_entry_type() {
    let (doc, _) = plan("classifications", CASES[2].1);
    let arn = |name: &str| format!("arn:aws:iam::111122223333:role/{name}");
    let class = |name: &str| {
        let p = principal(&doc, &arn(name));
        (
            p["type"].as_str().unwrap_or("-").to_owned(),
            p["action"].as_str().unwrap_or("-").to_owned(),
            p["eks-managed"].as_str().unwrap_or("-").to_owned(),
        )
    };
    let c = |t: &str, a: &str, m: &str| (t.to_owned(), a.to_owned(), m.to_owned());
    assert_eq!(class("eks-node"), c("EC2_LINUX", "keep", "possibly"));
    assert_eq!(class("windows-node"), c("EC2_WINDOWS", "create", "-"));
    assert_eq!(class("fargate-pods"), c("FARGATE_LINUX", "keep", "yes"));
    assert_eq!(class("hybrid-nodes"), c("HYBRID_LINUX", "create", "-"));
    assert!(ids(principal(&doc, &arn("hybrid-nodes")), "notes").contains(&"heuristic".to_owned()));
    assert_eq!(class("admin"), c("STANDARD", "create", "-"));
    assert_eq!(class("ci"), c("STANDARD", "create", "-"));
    // node types take no username or groups of their own
    let windows = &principal(&doc, &arn("windows-node"))["access-entry"];
    assert!(windows.get("username").is_none());
    assert_eq!(windows["kubernetes-groups"], serde_json::json!([]));
}

#[test]
fn each_blocker_is_reported_with_help_and_is_a_difference() {
    let (doc, code) = plan("blockers", CASES[3].1);
    assert_eq!(code, 1);
    let expected = [
        (
            "arn:aws:iam::111122223333:role/AWSServiceRoleForAmazonEMRContainers",
            "service-linked-role",
        ),
        ("arn:aws:iam::111122223333:role/ci", "system-group"),
        ("arn:aws:iam::111122223333:role/admin", "reserved-username"),
        (
            "arn:aws:iam::111122223333:role/viewer",
            "unsupported-template",
        ),
        (
            "arn:aws:iam::111122223333:role/dev",
            "session-name-without-colon",
        ),
        ("sso:111122223333/Admin", "sso-matcher"),
        (
            "arn:aws:iam::444455556666:role/eks-node",
            "cross-account-node",
        ),
        ("arn:aws:iam::111122223333:role/gone", "unknown-arn"),
        ("arn:aws:iam::111122223333:root", "root"),
        (
            "arn:aws:sts::111122223333:federated-user/bob",
            "sts-principal",
        ),
        ("account:777788889999", "map-accounts"),
    ];
    for (text, id) in expected {
        let p = principal(&doc, text);
        assert_eq!(ids(p, "blockers"), [id], "{text}");
        assert_eq!(p["action"], "not-migrated", "{text}");
        assert!(p["blockers"][0]["help"].is_string(), "{text}: no help");
        let diffs = differences(&doc, text);
        assert!(
            diffs.len() == 1 && diffs[0].contains(id),
            "{text}: {diffs:?}"
        );
    }
    // an IAM user migrates, with a note
    let carol = principal(&doc, "arn:aws:iam::111122223333:user/carol");
    assert_eq!(carol["action"], "create");
    assert_eq!(ids(carol, "notes"), ["iam-user"]);
    // every blocker stays in aws-auth, and `API` is not offered
    let remaining = &doc["remaining-aws-auth"];
    assert_eq!(remaining["mapRoles"].as_array().map(Vec::len), Some(8));
    assert_eq!(remaining["mapUsers"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        remaining["mapAccounts"],
        serde_json::json!(["777788889999"])
    );
    assert_eq!(doc["phases"][4]["offered"], false);
}

#[test]
fn a_role_written_twice_keeps_its_last_mapping_as_the_authenticator_does() {
    let (doc, _) = plan("duplicates", &["--iam-roles", ROLES]);
    let ci = principal(&doc, "arn:aws:iam::111122223333:role/CI");
    assert_eq!(ci["position"]["line"], 15);
    assert_eq!(
        ci["written"],
        serde_json::json!([{"line": 12, "kept": false}, {"line": 15, "kept": true}])
    );
    assert_eq!(ci["access-entry"]["username"], "ci");
    assert_eq!(
        ci["access-entry"]["kubernetes-groups"],
        serde_json::json!(["deployers"])
    );
    assert!(differences(&doc, "arn:aws:iam::111122223333:role/CI").is_empty());
}

#[test]
fn the_cases_built_to_differ_each_list_their_difference() {
    let user = "arn:aws:iam::111122223333:user/bob";
    let (doc, code) = plan("differ-duplicate", &[]);
    assert_eq!(code, 1);
    let bob = "arn:aws:iam::111122223333:user/Bob";
    assert!(differences(&doc, bob)[0].contains("ambiguous-duplicate"));
    let (doc, code) = plan("differ-template", &[]);
    assert_eq!(code, 1);
    assert!(differences(&doc, user)[0].contains("unsupported-template"));
    let (doc, code) = plan("differ-system-group", &[]);
    assert_eq!(code, 1);
    assert!(differences(&doc, user)[0].contains("system-group"));
    let (doc, code) = plan("differ-empty-username", &[]);
    assert_eq!(code, 1);
    assert_eq!(
        differences(&doc, user),
        ["username (empty) becomes `arn:aws:iam::111122223333:user/bob`"]
    );
}

#[test]
fn role_paths_are_restored_from_iam_roles_and_otherwise_are_todos() {
    let (with, code) = plan("role-paths", &["--iam-roles", ROLES]);
    assert_eq!(code, 0);
    let real =
        |doc: &Value, text: &str| principal(doc, text)["access-entry"]["principal-arn"].clone();
    let arn = |name: &str| format!("arn:aws:iam::111122223333:role/{name}");
    assert_eq!(
        real(&with, &arn("dev")),
        "arn:aws:iam::111122223333:role/teams/dev"
    );
    assert_eq!(
        real(&with, &arn("AWSReservedSSO_Admin_0123456789abcdef")),
        "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_0123456789abcdef"
    );
    assert_eq!(
        real(&with, &arn("AWSReservedSSO_ReadOnly_fedcba9876543210")),
        "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_ReadOnly_fedcba9876543210"
    );
    assert_eq!(real(&with, &arn("ci")), "arn:aws:iam::111122223333:role/ci");
    let (without, code) = plan("role-paths", &[]);
    assert_eq!(code, 1);
    for name in ["dev", "ci", "AWSReservedSSO_Admin_0123456789abcdef"] {
        let p = principal(&without, &arn(name));
        assert_eq!(p["access-entry"]["principal-arn"], Value::Null, "{name}");
        assert_eq!(ids(p, "blockers"), ["unknown-arn"], "{name}");
    }
    let sso = principal(&without, &arn("AWSReservedSSO_Admin_0123456789abcdef"));
    assert_eq!(
        sso["access-entry"]["principal-arn-todo"],
        "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/<region>/AWSReservedSSO_Admin_0123456789abcdef"
    );
    // a user ARN is real as written
    let alice = principal(&without, "arn:aws:iam::111122223333:user/ops/alice");
    assert_eq!(
        alice["access-entry"]["principal-arn"],
        "arn:aws:iam::111122223333:user/ops/alice"
    );
}

#[test]
fn system_masters_becomes_cluster_admin_in_the_clusters_partition_keeping_other_groups() {
    let (doc, code) = plan("masters-with-groups", CASES[7].1);
    assert_eq!(code, 0);
    assert_eq!(doc["partition"]["value"], "aws-cn");
    let admin = principal(&doc, "arn:aws-cn:iam::111122223333:role/admin");
    let entry = &admin["access-entry"];
    assert_eq!(entry["type"], "STANDARD");
    assert_eq!(
        entry["principal-arn"],
        "arn:aws-cn:iam::111122223333:role/admin"
    );
    assert_eq!(
        entry["kubernetes-groups"],
        serde_json::json!(["platform", "oncall"])
    );
    assert_eq!(
        entry["access-policies"],
        serde_json::json!([{"policy-arn": "arn:aws-cn:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy", "access-scope": {"type": "cluster"}}])
    );
}

#[test]
fn mappings_that_grant_nothing_today_are_not_migrated() {
    let (doc, code) = plan("not-loaded", &["--iam-roles", ROLES]);
    assert_eq!(code, 0);
    for text in [
        "arn:aws:iam::111122223333:role/teams/dev",
        "arn:aws:sts::111122223333:assumed-role/ci/session",
    ] {
        assert_eq!(principal(&doc, text)["action"], "drop", "{text}");
        assert_eq!(principal(&doc, text)["access-entry"], Value::Null, "{text}");
    }
    let lines: Vec<u64> = doc["not-loaded"]
        .as_array()
        .expect("not-loaded")
        .iter()
        .map(|i| i["position"]["line"].as_u64().expect("line"))
        .collect();
    assert_eq!(lines, [18, 24]);
}

#[test]
fn api_mode_is_offered_only_when_nothing_remains_in_aws_auth() {
    let (ready, _) = plan("api-ready", CASES[1].1);
    let last = &ready["phases"][4];
    assert_eq!(
        (last["offered"].clone(), last["one-way"].clone()),
        (Value::Bool(true), Value::Bool(true))
    );
    assert_eq!(ready["remaining-aws-auth"]["data"], "");
    let (kept, _) = plan("migratable", CASES[0].1);
    assert_eq!(kept["phases"][4]["offered"], false);
    assert!(
        kept["phases"][4]["not-offered-because"]
            .as_str()
            .is_some_and(|s| s.contains("remain in aws-auth"))
    );
}

#[test]
fn every_phase_keeps_the_nodes_and_a_cluster_admin_path() {
    for (case, extra, _) in CASES {
        let (doc, _) = plan(case, extra);
        for phase in doc["phases"].as_array().expect("phases") {
            if phase["offered"] == false {
                continue;
            }
            for check in phase["checks"].as_array().expect("checks") {
                assert_eq!(
                    check["ok"], true,
                    "{case} phase {}: {check}",
                    phase["phase"]
                );
            }
        }
    }
}

#[test]
fn the_remaining_aws_auth_loads_as_exactly_the_kept_mappings() {
    let (doc, _) = plan("blockers", CASES[3].1);
    let data = doc["remaining-aws-auth"]["data"].as_str().expect("data");
    let text = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\n{data}"
    );
    let load = awsauth::load::load_file(awsauth::source::SourceFile::new("remaining.yaml", text));
    let effective = serde_json::to_value(&load.objects[0].effective).expect("json");
    let remaining = &doc["remaining-aws-auth"];
    let sorted = |v: &Value| {
        let mut items: Vec<String> = v
            .as_array()
            .expect("list")
            .iter()
            .map(ToString::to_string)
            .collect();
        items.sort();
        items
    };
    assert_eq!(sorted(&effective["roles"]), sorted(&remaining["mapRoles"]));
    assert_eq!(sorted(&effective["users"]), sorted(&remaining["mapUsers"]));
    assert_eq!(effective["accounts"], remaining["mapAccounts"]);
}

#[test]
fn errors_exit_2() {
    let root = common::root();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_awsauth"))
            .arg("migrate")
            .args(args)
            .current_dir(&root)
            .output()
            .expect("runs")
    };
    let two = |args: &[&str], says: &str| {
        let out = run(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    };
    // several aws-auth sources: a cluster has one
    two(
        &["fixtures/migrate", "--cluster", "prod"],
        "aws-auth sources found",
    );
    two(
        &[
            "fixtures/migrate/blockers",
            "--cluster",
            "prod",
            "--account-id",
            "12",
        ],
        "not an account id",
    );
    two(
        &[
            "fixtures/migrate/blockers",
            "--cluster",
            "prod",
            "--iam-roles",
            "fixtures/migrate/blockers/aws-auth.yaml",
        ],
        "aws iam list-roles",
    );
    two(
        &[
            "fixtures/migrate/blockers",
            "--cluster",
            "prod",
            "--iam-roles",
            "no-such-file.json",
        ],
        "cannot read",
    );
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("empty.yaml"), "a: 1\n").expect("write");
    two(
        &[
            &dir.path().join("empty.yaml").to_string_lossy(),
            "--cluster",
            "prod",
        ],
        "no aws-auth source",
    );
    let mixed = dir.path().join("mixed.yaml");
    std::fs::write(&mixed, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapUsers: |\n    - userarn: arn:aws:iam::111122223333:user/a\n    - userarn: arn:aws-cn:iam::111122223333:user/b\n").expect("write");
    two(
        &[&mixed.to_string_lossy(), "--cluster", "prod"],
        "several partitions",
    );
    let out = run(&[
        &mixed.to_string_lossy(),
        "--cluster",
        "prod",
        "--partition",
        "aws",
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(Path::new(&root).join(ROLES).is_file());
}

#[test]
fn a_lost_section_grants_nothing_and_is_not_migrated_but_said_first() {
    let (doc, code) = plan("lost-section", &["--iam-roles", ROLES]);
    assert_eq!(code, 0);
    let warnings = doc["warnings"].as_array().expect("warnings");
    assert_eq!(warnings.len(), 1);
    let w = warnings[0].as_str().expect("text");
    assert!(
        w.starts_with("`mapRoles` fails to load") && w.contains("1 of them node roles"),
        "{w}"
    );
    let migrated: Vec<&str> = doc["principals"]
        .as_array()
        .expect("principals")
        .iter()
        .map(|p| p["principal"].as_str().expect("text"))
        .collect();
    assert_eq!(migrated, ["arn:aws:iam::111122223333:user/ops/alice"]);
    assert_eq!(doc["not-loaded"].as_array().map(Vec::len), Some(2));
}
