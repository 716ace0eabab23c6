//! `awsauth migrate` end to end on `fixtures/migrate/` (each case's aws-auth says what it pins):
//! classification, blockers, duplicates, role paths, phases, the proof and its exit code; every
//! output format pinned by snapshots, and the infrastructure formats checked against the schemas
//! of their tools (lists below, with their sources; `scripts/ci-migrate-formats` runs `cfn-lint`
//! and `python-hcl2` on them in CI).
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
    ("escaping", &[], 0),
];

/// Every `--format` of `awsauth migrate`.
const FORMATS: [&str; 6] = [
    "table",
    "json",
    "terraform",
    "cloudformation",
    "aws-cli",
    "eksctl",
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
fn every_format_of_every_case_is_pinned_and_exits_as_the_proof_says() {
    for (case, extra, code) in CASES {
        let name = if extra.is_empty() {
            format!("{case}__no_iam_roles")
        } else {
            (*case).to_owned()
        };
        for format in FORMATS {
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

/// Every case's output in `format` (standard output).
fn every_output(format: &str) -> Vec<(String, String)> {
    CASES
        .iter()
        .map(|(case, extra, _)| {
            let out = migrate(case, extra, format);
            let name = format!("{case} {extra:?} --format {format}");
            (name, String::from_utf8_lossy(&out.stdout).into_owned())
        })
        .collect()
}

/// The lines that are not comments (`#`), nor blank.
fn code(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty())
}

/// The arguments of the two resources, from the AWS provider's documentation
/// (hashicorp/terraform-provider-aws `website/docs/r/eks_access_entry.html.markdown` and
/// `website/docs/r/eks_access_policy_association.html.markdown`, "Argument Reference"), with the
/// `depends_on` meta-argument; and the `variable` block's `type` and `default` (Terraform's
/// language).
const TERRAFORM: &[(&str, &[&str])] = &[
    (
        "aws_eks_access_entry",
        &[
            "cluster_name",
            "principal_arn",
            "region",
            "kubernetes_groups",
            "tags",
            "type",
            "user_name",
        ],
    ),
    (
        "aws_eks_access_policy_association",
        &[
            "region",
            "cluster_name",
            "policy_arn",
            "principal_arn",
            "access_scope",
            "depends_on",
        ],
    ),
    ("access_scope", &["type", "namespaces"]),
    ("variable", &["type", "default", "description"]),
];

#[test]
fn terraform_uses_only_the_providers_documented_arguments() {
    let mut seen = std::collections::BTreeSet::new();
    for (name, text) in every_output("terraform") {
        // the block each line is in: `resource "TYPE" "NAME" {`, `variable "NAME" {`, `access_scope {`
        let mut blocks: Vec<&str> = Vec::new();
        for line in code(&text) {
            let l = line.trim();
            if l == "}" {
                assert!(blocks.pop().is_some(), "{name}: unbalanced `}}`");
            } else if let Some(head) = l.strip_suffix('{') {
                let words: Vec<&str> = head.split_whitespace().collect();
                let block = match words.as_slice() {
                    ["resource", kind, _] => kind.trim_matches('"'),
                    [b, ..] => *b,
                    [] => panic!("{name}: `{l}`"),
                };
                if let Some(parent) = blocks.last() {
                    let allowed = TERRAFORM.iter().find(|(b, _)| b == parent).unwrap().1;
                    assert!(allowed.contains(&block), "{name}: `{block}` in `{parent}`");
                } else {
                    assert!(
                        block == "variable" || TERRAFORM.iter().any(|(b, _)| *b == block),
                        "{name}: resource `{block}`"
                    );
                }
                blocks.push(block);
            } else {
                let (arg, _) = l
                    .split_once(" = ")
                    .unwrap_or_else(|| panic!("{name}: `{l}`"));
                let arg = arg.trim();
                let parent = blocks
                    .last()
                    .unwrap_or_else(|| panic!("{name}: `{l}` outside a block"));
                let allowed = TERRAFORM.iter().find(|(b, _)| b == parent).unwrap().1;
                assert!(allowed.contains(&arg), "{name}: `{arg}` in `{parent}`");
                seen.insert(format!("{parent}.{arg}"));
            }
        }
        assert!(blocks.is_empty(), "{name}: unclosed block");
    }
    // the fixtures exercise both resources
    assert!(
        seen.contains("aws_eks_access_entry.kubernetes_groups"),
        "{seen:?}"
    );
    assert!(
        seen.contains("aws_eks_access_policy_association.policy_arn"),
        "{seen:?}"
    );
}

/// The fields of eksctl's `ClusterConfig` this output may use, by parent: `accessConfig`
/// (`AccessConfig`: `authenticationMode`, `bootstrapClusterCreatorAdminPermissions`,
/// `accessEntries`) and the access entries (eksctl-io/eksctl
/// `pkg/apis/eksctl.io/v1alpha5/access_entry.go`: `AccessEntry` `principalARN`, `type`,
/// `kubernetesGroups`, `kubernetesUsername`, `accessPolicies`; `AccessPolicy` `policyARN`,
/// `accessScope`; `AccessScope` `type`, `namespaces`), with the document's `apiVersion`, `kind`
/// and `metadata.name`.
const EKSCTL: &[(&str, &[&str])] = &[
    ("", &["apiVersion", "kind", "metadata", "accessConfig"]),
    ("metadata", &["name"]),
    (
        "accessConfig",
        &[
            "authenticationMode",
            "bootstrapClusterCreatorAdminPermissions",
            "accessEntries",
        ],
    ),
    (
        "accessEntries",
        &[
            "principalARN",
            "type",
            "kubernetesGroups",
            "kubernetesUsername",
            "accessPolicies",
        ],
    ),
    ("accessPolicies", &["policyARN", "accessScope"]),
    ("accessScope", &["type", "namespaces"]),
];

#[test]
fn eksctl_uses_only_fields_of_its_access_config_schema() {
    let mut seen = std::collections::BTreeSet::new();
    for (name, text) in every_output("eksctl") {
        // (indent, key) of the mappings the line is in
        let mut path: Vec<(usize, String)> = Vec::new();
        for line in code(&text) {
            let mut indent = line.len() - line.trim_start().len();
            let mut rest = line.trim_start();
            if let Some(item) = rest.strip_prefix("- ") {
                indent += 2;
                rest = item;
            }
            let Some((key, _)) = rest.split_once(':').filter(|_| !rest.starts_with('"')) else {
                continue; // a list's scalar item
            };
            while path.last().is_some_and(|(i, _)| *i >= indent) {
                path.pop();
            }
            let parent = path.last().map_or("", |(_, k)| k.as_str());
            let allowed = EKSCTL
                .iter()
                .find(|(p, _)| *p == parent)
                .unwrap_or_else(|| panic!("{name}: `{key}` under `{parent}`, which has no fields"))
                .1;
            assert!(allowed.contains(&key), "{name}: `{key}` under `{parent}`");
            seen.insert(format!("{parent}.{key}"));
            path.push((indent, key.to_owned()));
        }
    }
    assert!(
        seen.contains("accessEntries.kubernetesUsername"),
        "{seen:?}"
    );
    assert!(seen.contains("accessScope.type"), "{seen:?}");
}

/// The `aws eks` subcommands and flags the script may use, from the AWS CLI reference
/// (docs.aws.amazon.com/cli/latest/reference/eks/: the synopses of `create-access-entry`,
/// `associate-access-policy`, `update-cluster-config`, `describe-cluster`,
/// `describe-access-entry`), and the global options `--query` and `--output` (same reference,
/// "Global Options").
const AWS_CLI: &[(&str, &[&str])] = &[
    (
        "create-access-entry",
        &[
            "--cluster-name",
            "--principal-arn",
            "--kubernetes-groups",
            "--tags",
            "--client-request-token",
            "--username",
            "--type",
        ],
    ),
    (
        "associate-access-policy",
        &[
            "--cluster-name",
            "--principal-arn",
            "--policy-arn",
            "--access-scope",
        ],
    ),
    (
        "update-cluster-config",
        &[
            "--name",
            "--resources-vpc-config",
            "--logging",
            "--client-request-token",
            "--access-config",
        ],
    ),
    ("describe-cluster", &["--name"]),
    (
        "describe-access-entry",
        &["--cluster-name", "--principal-arn"],
    ),
];
const AWS_GLOBAL: &[&str] = &["--query", "--output"];

/// The words of one line of `sh` and whether each was quoted: blanks split, single quotes (and
/// `'\''`) joined.
fn sh_words(line: &str) -> Vec<(String, bool)> {
    let mut words = Vec::new();
    let mut word: Option<(String, bool)> = None;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' => words.extend(word.take()),
            '\'' => {
                let w = word.get_or_insert_with(|| (String::new(), true));
                w.1 = true;
                for q in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    w.0.push(q);
                }
            }
            '\\' => word
                .get_or_insert_with(|| (String::new(), true))
                .0
                .extend(chars.next()),
            c => word.get_or_insert_with(|| (String::new(), false)).0.push(c),
        }
    }
    words.extend(word);
    words
}

/// The lines of the script that are neither `aws` nor comments.
const SH_LINES: &[&str] = &[
    "set -eu",
    "mode() {",
    "}",
    "current=$(mode)",
    "if [ \"$current\" = CONFIG_MAP ]; then",
    "fi",
    "until [ \"$(mode)\" != CONFIG_MAP ]; do sleep 15; done",
];

#[test]
fn the_aws_cli_script_uses_only_real_subcommands_and_flags() {
    let mut seen = std::collections::BTreeSet::new();
    for (name, text) in every_output("aws-cli") {
        assert!(text.starts_with("#!/bin/sh\n"), "{name}");
        assert!(text.contains("\nset -eu\n"), "{name}");
        for line in code(&text) {
            let words = sh_words(line);
            let Some(at) = words.iter().position(|(w, q)| w == "aws" && !q) else {
                assert!(
                    SH_LINES.contains(&line.trim()) || line.starts_with("echo 'awsauth: "),
                    "{name}: unexpected line `{line}`"
                );
                continue;
            };
            assert!(
                matches!(
                    words[..at]
                        .iter()
                        .map(|(w, _)| w.as_str())
                        .collect::<Vec<_>>()[..],
                    [] | ["if", "!"]
                ),
                "{name}: `{line}`"
            );
            assert_eq!(words[at + 1], ("eks".to_owned(), false), "{name}: {line}");
            let sub = &words[at + 2].0;
            let allowed = AWS_CLI
                .iter()
                .find(|(s, _)| s == sub)
                .unwrap_or_else(|| panic!("{name}: `aws eks {sub}`"))
                .1;
            for (flag, _) in words[at..]
                .iter()
                .filter(|(w, q)| w.starts_with("--") && !q)
            {
                assert!(
                    allowed.contains(&flag.as_str()) || AWS_GLOBAL.contains(&flag.as_str()),
                    "{name}: `{sub} {flag}`"
                );
                seen.insert(format!("{sub} {flag}"));
            }
        }
    }
    assert!(
        seen.contains("associate-access-policy --access-scope"),
        "{seen:?}"
    );
    assert!(
        seen.contains("create-access-entry --kubernetes-groups"),
        "{seen:?}"
    );
    assert!(
        seen.contains("update-cluster-config --access-config"),
        "{seen:?}"
    );
}

#[test]
fn shell_words_survive_quotes_and_metacharacters() {
    let words: Vec<String> = sh_words(r"aws eks x --username 'it'\''s $(id) `x` ;'")
        .into_iter()
        .map(|(w, _)| w)
        .collect();
    assert_eq!(words, ["aws", "eks", "x", "--username", "it's $(id) `x` ;"]);
}

#[test]
fn a_todo_is_a_comment_never_an_entry_and_the_script_stops_first() {
    for format in ["terraform", "cloudformation", "aws-cli", "eksctl"] {
        let out = migrate("role-paths", &[], format);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("INCOMPLETE: 4 principal(s) are TODO"),
            "{format}: {text}"
        );
        for l in code(&text) {
            assert!(
                !l.contains("<path>") && !l.contains("<region>"),
                "{format}: {l}"
            );
            assert!(
                !l.contains("role/ci") && !l.contains("AWSReservedSSO"),
                "{format}: {l}"
            );
        }
    }
    let text = String::from_utf8_lossy(&migrate("role-paths", &[], "aws-cli").stdout).into_owned();
    let stop = text.find("exit 1").expect("the script stops");
    assert!(stop < text.find("\nmode() {").unwrap(), "{text}");
}

#[test]
fn eks_managed_entries_and_blockers_are_listed_never_emitted() {
    let (doc, _) = plan(
        "blockers",
        &["--iam-roles", ROLES, "--account-id", "111122223333"],
    );
    let not_created: Vec<&str> = doc["principals"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["action"] != "create")
        .map(|p| p["principal"].as_str().unwrap())
        .collect();
    assert!(!not_created.is_empty());
    for format in ["terraform", "cloudformation", "aws-cli", "eksctl"] {
        let out = migrate(
            "blockers",
            &["--iam-roles", ROLES, "--account-id", "111122223333"],
            format,
        );
        let text = String::from_utf8_lossy(&out.stdout);
        for p in &not_created {
            assert!(text.contains(p), "{format}: {p} is not listed");
            for l in code(&text) {
                assert!(
                    !l.contains(&format!("{p}'")) && !l.contains(&format!("{p}\"")),
                    "{format}: {l}"
                );
            }
        }
    }
}

#[test]
fn the_aws_cli_script_passes_every_value_to_aws_as_one_word_unchanged() {
    // run the script with an `aws` that prints its arguments, one a line
    let dir = tempfile::tempdir().unwrap();
    let aws = dir.path().join("aws");
    // `describe-cluster` says CONFIG_MAP, then API_AND_CONFIG_MAP; no access entry exists
    let state = dir.path().join("updated");
    std::fs::write(
        &aws,
        format!(
            "#!/bin/sh\ncase $2 in\n  describe-cluster) if [ -e '{s}' ]; then echo API_AND_CONFIG_MAP; else echo CONFIG_MAP; fi ;;\n  describe-access-entry) exit 254 ;;\n  update-cluster-config) : > '{s}'; for a; do printf '%s\\n' \"$a\"; done ;;\n  *) for a; do printf '%s\\n' \"$a\"; done ;;\nesac\n",
            s = state.display()
        ),
    )
    .unwrap();
    let script = dir.path().join("migrate.sh");
    std::fs::write(&script, migrate("escaping", &[], "aws-cli").stdout).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&aws, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let path = format!(
        "{}:{}",
        dir.path().display(),
        std::env::var("PATH").unwrap()
    );
    let out = Command::new("sh")
        .arg(&script)
        .env("PATH", path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let args = String::from_utf8(out.stdout).unwrap();
    let args: Vec<&str> = args.lines().collect();
    for value in [
        "update-cluster-config",
        "create-access-entry",
        "arn:aws:iam::111122223333:user/o'brien",
        "it's \"${var.x}\" %{if} $(id) `id` \\ # : - é",
        "team: '${x}' ; rm -rf / #",
        "-dash",
    ] {
        assert!(
            args.contains(&value),
            "{value} not passed as one word: {args:?}"
        );
    }
}

/// A Cluster API control plane is planned like aws-auth, with phase 4 saying that CAPA keeps
/// what is only removed from its spec; `IAMIdentityMapping` objects are no EKS source at all.
#[test]
fn capa_sources_are_planned_and_iam_identity_mappings_are_not() {
    let root = common::root();
    let run = |path: &str| {
        Command::new(env!("CARGO_BIN_EXE_awsauth"))
            .args(["migrate", path, "--cluster", "prod"])
            .current_dir(&root)
            .output()
            .expect("runs")
    };
    let out = run("fixtures/rules/system-masters/fire_capa.yaml");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("CAPA does not delete a mapping that is only removed from its spec"),
        "{stdout}"
    );
    let out = run("fixtures/load/iam-identity-mapping.yaml");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("is an `IAMIdentityMapping`, read by a self-managed aws-iam-authenticator"),
        "{stderr}"
    );
}
