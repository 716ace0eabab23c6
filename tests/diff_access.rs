//! `diff` of access entries on throw-away repositories: a new cluster-admin policy association
//! is an escalation, a removed node entry a lockout, and a change of the authentication mode is
//! reported with its one-way warning; and `lint --new-only`, which compares the findings of the
//! rules across a cluster's files with theirs at the base.
mod common;

use std::path::Path;

use common::repo_with_edits as repo;

/// A change as `(kind, risks, principal, reasons)`.
type Change = (String, Vec<String>, String, String);

/// `diff --format json` of the working tree against `main`: its exit code and changes.
fn diff(dir: &Path) -> (i32, Vec<Change>) {
    let o = common::awsauth_in_repo(dir, &["diff", "--format", "json", "main"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    });
    let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();
    let changes = v["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| {
            (
                text(&c["kind"]),
                c["risks"]
                    .as_array()
                    .expect("risks")
                    .iter()
                    .map(text)
                    .collect(),
                text(&c["principal"]),
                c["reasons"]
                    .as_array()
                    .expect("reasons")
                    .iter()
                    .map(text)
                    .collect::<Vec<_>>()
                    .join(" | "),
            )
        })
        .collect();
    (o.status.code().unwrap_or(-1), changes)
}

const CLUSTER_TF: &str = r#"
resource "aws_eks_cluster" "prod" {
  name     = "prod"
  role_arn = "arn:aws:iam::111122223333:role/eks-cluster"
  access_config {
    authentication_mode                         = "API"
    bootstrap_cluster_creator_admin_permissions = false
  }
}

resource "aws_eks_access_entry" "ci" {
  cluster_name  = aws_eks_cluster.prod.name
  principal_arn = "arn:aws:iam::111122223333:role/ci"
}
"#;

const ADMIN_ASSOCIATION: &str = r#"
resource "aws_eks_access_policy_association" "ci_admin" {
  cluster_name  = aws_eks_cluster.prod.name
  principal_arn = "arn:aws:iam::111122223333:role/ci"
  policy_arn    = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
  access_scope {
    type = "cluster"
  }
}
"#;

#[test]
fn a_new_cluster_admin_association_is_an_escalation() {
    let edited = format!("{CLUSTER_TF}{ADMIN_ASSOCIATION}");
    let dir = repo(
        &[("infra/eks/main.tf", CLUSTER_TF)],
        &[("infra/eks/main.tf", &edited)],
    );
    let (code, changes) = diff(dir.path());
    assert_eq!(code, 1, "{changes:?}");
    assert_eq!(changes.len(), 1, "{changes:?}");
    let (kind, risks, principal, reasons) = &changes[0];
    assert_eq!(kind, "changed");
    assert_eq!(risks, &["escalation"]);
    assert_eq!(principal, "arn:aws:iam::111122223333:role/ci");
    assert!(reasons.contains("AmazonEKSClusterAdminPolicy"), "{reasons}");
}

const NODES: &str = "apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata:
  name: prod
  region: eu-west-1
accessConfig:
  authenticationMode: API_AND_CONFIG_MAP
  bootstrapClusterCreatorAdminPermissions: false
  accessEntries:
    - principalARN: arn:aws:iam::111122223333:role/dev
      kubernetesGroups: [developers]
    - principalARN: arn:aws:iam::111122223333:role/nodes
      type: EC2_LINUX
";

#[test]
fn a_removed_node_entry_is_a_lockout() {
    let without = NODES.replace(
        "    - principalARN: arn:aws:iam::111122223333:role/nodes\n      type: EC2_LINUX\n",
        "",
    );
    let dir = repo(&[("eks/prod.yaml", NODES)], &[("eks/prod.yaml", &without)]);
    let (code, changes) = diff(dir.path());
    assert_eq!(code, 1, "{changes:?}");
    assert_eq!(changes.len(), 1, "{changes:?}");
    let (kind, risks, principal, _) = &changes[0];
    assert_eq!(
        (kind.as_str(), risks.as_slice(), principal.as_str()),
        (
            "removed",
            &["lockout".to_owned()][..],
            "arn:aws:iam::111122223333:role/nodes"
        )
    );
}

#[test]
fn a_mode_change_is_reported_as_one_way() {
    let api = NODES.replace("API_AND_CONFIG_MAP", "API");
    let dir = repo(&[("eks/prod.yaml", NODES)], &[("eks/prod.yaml", &api)]);
    let (code, changes) = diff(dir.path());
    assert_eq!(code, 1, "{changes:?}");
    let mode: Vec<_> = changes.iter().filter(|c| c.0 == "mode-changed").collect();
    assert_eq!(mode.len(), 1, "{changes:?}");
    let (_, risks, principal, reasons) = mode[0];
    assert_eq!(principal, "cluster prod");
    // aws-auth is no longer read: whoever it alone maps is locked out
    assert_eq!(risks, &["lockout"]);
    assert!(
        reasons.contains("`API_AND_CONFIG_MAP` → `API`"),
        "{reasons}"
    );
    assert!(reasons.contains("one way"), "{reasons}");
    // a step back is rejected by EKS, and said so
    let dir = repo(&[("eks/prod.yaml", &api)], &[("eks/prod.yaml", NODES)]);
    let (_, changes) = diff(dir.path());
    let back: Vec<_> = changes.iter().filter(|c| c.0 == "mode-changed").collect();
    assert_eq!(back.len(), 1, "{changes:?}");
    assert!(back[0].3.contains("EKS rejects it"), "{}", back[0].3);
}

#[test]
fn new_only_compares_findings_across_files_with_the_base_ones() {
    // the access entry (eks/prod.yaml) and the aws-auth (eks/aws-auth.yaml) of one cluster
    // disagree at the base already: `conflicting-access`, found only with both files read
    let auth = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::111122223333:role/dev\n      username: dev\n      groups: [admins]\n";
    let edited = NODES.replace("kubernetesGroups: [developers]", "kubernetesGroups: [developers]\n    - principalARN: arn:aws:iam::111122223333:role/ops\n      kubernetesGroups: [ops]");
    let dir = repo(
        &[("eks/prod.yaml", NODES), ("eks/aws-auth.yaml", auth)],
        &[("eks/prod.yaml", &edited)],
    );
    let lint = |args: &[&str]| {
        let o = common::awsauth_in_repo(dir.path(), args);
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let all = lint(&[
        "lint",
        "--format",
        "concise",
        "--select",
        "conflicting-access",
        "eks",
    ]);
    assert!(all.contains("eks/prod.yaml:10:21"), "{all}");
    let new = lint(&[
        "lint",
        "--format",
        "concise",
        "--select",
        "conflicting-access",
        "--new-only",
        "main",
        "eks",
    ]);
    assert!(!new.contains("conflicting-access"), "{new}");
}
