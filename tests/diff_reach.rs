//! `diff` classified by reach, on throw-away repositories: a change that lets an IAM principal
//! do more through the repository's RBAC (a binding of a mapped group, a role gaining rules) is
//! an escalation naming the principal and what it can now do; RBAC that reaches no IAM
//! principal is not reported.
mod common;

use std::path::Path;

use common::git;
use common::repo_with_edits as repo;

/// `diff --format json` of the working tree against `main`: exit code and the changes.
fn diff(dir: &Path) -> (i32, Vec<serde_json::Value>) {
    let o = common::awsauth_in_repo(dir, &["diff", "--format", "json", "main"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    });
    let changes = v["changes"].as_array().expect("changes").clone();
    (o.status.code().unwrap_or(-1), changes)
}

fn reasons(c: &serde_json::Value) -> Vec<String> {
    c["reasons"]
        .as_array()
        .expect("reasons")
        .iter()
        .map(|r| r.as_str().unwrap_or_default().to_owned())
        .collect()
}

const ROLE_ARN: &str = "arn:aws:iam::111122223333:role/ops";

/// An aws-auth that maps `role/ops` into group `ops-team`.
fn aws_auth() -> String {
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: {ROLE_ARN}\n      username: ops:{{{{SessionName}}}}\n      groups: [ops-team]\n"
    )
}

/// A Role in `kube-system` allowing `verbs` on pods, bound to group `ops-team`.
fn pod_role(verbs: &str) -> String {
    format!(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: pod-ops\n  namespace: kube-system\nrules:\n  - apiGroups: [\"\"]\n    resources: [pods]\n    verbs: [{verbs}]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: pod-ops\n  namespace: kube-system\nsubjects:\n  - kind: Group\n    name: ops-team\n    apiGroup: rbac.authorization.k8s.io\nroleRef:\n  kind: Role\n  name: pod-ops\n  apiGroup: rbac.authorization.k8s.io\n"
    )
}

/// A `ClusterRoleBinding` of `cluster-admin` to a subject.
fn admin_binding(kind: &str, name: &str) -> String {
    let ns = if kind == "ServiceAccount" {
        "\n    namespace: default"
    } else {
        "\n    apiGroup: rbac.authorization.k8s.io"
    };
    format!(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: admins\nsubjects:\n  - kind: {kind}\n    name: {name}{ns}\nroleRef:\n  kind: ClusterRole\n  name: cluster-admin\n  apiGroup: rbac.authorization.k8s.io\n"
    )
}

/// The reach changes (and the changes naming `principal`).
fn about<'a>(changes: &'a [serde_json::Value], principal: &str) -> Vec<&'a serde_json::Value> {
    changes
        .iter()
        .filter(|c| c["principal"].as_str() == Some(principal))
        .collect()
}

#[test]
fn a_new_binding_of_a_mapped_group_to_cluster_admin_is_an_escalation() {
    let dir = repo(
        &[("cluster/aws-auth.yaml", &aws_auth())],
        &[("cluster/admins.yaml", &admin_binding("Group", "ops-team"))],
    );
    let (code, changes) = diff(dir.path());
    let mine = about(&changes, ROLE_ARN);
    assert_eq!(mine.len(), 1, "{changes:#?}");
    let c = mine[0];
    assert_eq!(c["kind"], "rbac-reach", "{c:#}");
    assert_eq!(c["risks"][0], "escalation", "{c:#}");
    let r = reasons(c);
    assert!(
        r.iter().any(|x| x == "can now act as cluster-admin"),
        "{r:?}"
    );
    assert!(
        r.iter().any(|x| x.contains("ClusterRoleBinding `admins`")),
        "{r:?}"
    );
    assert_eq!(c["after"]["file"], "cluster/admins.yaml", "{c:#}");
    assert!(c["before"].is_null(), "{c:#}");
    assert_eq!(code, 1);
    // the human output says it too
    let o = common::awsauth_in_repo(dir.path(), &["diff", "main"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("can now act as cluster-admin"), "{text}");
    assert!(text.contains(ROLE_ARN), "{text}");
}

#[test]
fn a_role_gaining_delete_pods_reaches_the_mapped_principal() {
    let dir = repo(
        &[
            ("cluster/aws-auth.yaml", &aws_auth()),
            ("cluster/rbac/pods.yaml", &pod_role("get, list")),
        ],
        &[("cluster/rbac/pods.yaml", &pod_role("get, list, delete"))],
    );
    let (code, changes) = diff(dir.path());
    let mine = about(&changes, ROLE_ARN);
    assert_eq!(mine.len(), 1, "{changes:#?}");
    let c = mine[0];
    assert_eq!(c["kind"], "rbac-reach");
    assert_eq!(c["risks"][0], "escalation");
    let r = reasons(c);
    assert_eq!(r[0], "can now delete pods in `kube-system`", "{r:?}");
    assert_eq!(c["after"]["file"], "cluster/rbac/pods.yaml");
    // the role as it was: the rendered diff shows the rule that changed
    assert_eq!(c["before"]["file"], "cluster/rbac/pods.yaml");
    assert_eq!(code, 1);
}

#[test]
fn a_role_losing_rules_is_no_escalation() {
    let dir = repo(
        &[
            ("cluster/aws-auth.yaml", &aws_auth()),
            ("cluster/rbac/pods.yaml", &pod_role("get, list, delete")),
        ],
        &[("cluster/rbac/pods.yaml", &pod_role("get"))],
    );
    let (_, changes) = diff(dir.path());
    assert!(about(&changes, ROLE_ARN).is_empty(), "{changes:#?}");
}

#[test]
fn rbac_that_reaches_no_iam_principal_is_not_reported() {
    for (kind, name) in [
        ("ServiceAccount", "deployer"),
        ("Group", "nobody-maps-this"),
        ("User", "someone"),
    ] {
        let dir = repo(
            &[("cluster/aws-auth.yaml", &aws_auth())],
            &[("cluster/admins.yaml", &admin_binding(kind, name))],
        );
        let (code, changes) = diff(dir.path());
        assert!(changes.is_empty(), "{kind} {name}: {changes:#?}");
        assert_eq!(code, 0, "{kind} {name}");
    }
}

#[test]
fn a_mapping_gaining_a_group_that_a_changed_binding_reaches_says_what_it_can_do() {
    // the mapping and the binding change together: the mapping's change says what it reaches
    let before = aws_auth().replace("groups: [ops-team]", "groups: [viewers]");
    let dir = repo(
        &[("cluster/aws-auth.yaml", &before)],
        &[
            ("cluster/aws-auth.yaml", &aws_auth()),
            ("cluster/rbac/pods.yaml", &pod_role("delete")),
        ],
    );
    let (_, changes) = diff(dir.path());
    let mine = about(&changes, ROLE_ARN);
    assert_eq!(mine.len(), 1, "{changes:#?}");
    let c = mine[0];
    assert_eq!(c["kind"], "changed", "{c:#}");
    assert_eq!(c["risks"][0], "escalation", "{c:#}");
    let r = reasons(c);
    assert!(
        r.iter()
            .any(|x| x == "can now delete pods in `kube-system`"),
        "{r:?}"
    );
}

#[test]
fn system_masters_is_not_reported_twice() {
    let masters = aws_auth().replace("groups: [ops-team]", "groups: [ops-team, system:masters]");
    let dir = repo(
        &[("cluster/aws-auth.yaml", &aws_auth())],
        &[
            ("cluster/aws-auth.yaml", &masters),
            ("cluster/admins.yaml", &admin_binding("Group", "ops-team")),
        ],
    );
    let (_, changes) = diff(dir.path());
    let mine = about(&changes, ROLE_ARN);
    assert_eq!(mine.len(), 1, "{changes:#?}");
    let r = reasons(mine[0]);
    assert!(r.iter().any(|x| x.contains("system:masters")), "{r:?}");
    assert!(
        !r.iter()
            .any(|x| x.contains("cluster-admin") && x.starts_with("can now")),
        "{r:?}"
    );
}

#[test]
fn reach_is_found_between_commits_and_in_the_index() {
    // two commits (the tree walk, whose git cat-file then reads the unchanged files and the
    // configuration at BASE) and the index (a git cat-file of its own)
    let dir = repo(
        &[
            ("cluster/aws-auth.yaml", &aws_auth()),
            ("cluster/rbac/pods.yaml", &pod_role("get")),
            // unchanged and left out: read, it would make `ops-team` cluster-admin already
            ("cluster/admins.yaml", &admin_binding("Group", "ops-team")),
            (".awsauth.yaml", "exclude: [\"cluster/admins.yaml\"]\n"),
        ],
        &[("cluster/rbac/pods.yaml", &pod_role("get, delete"))],
    );
    let d = dir.path();
    git(d, &["add", "-A"]);
    let staged = common::awsauth_in_repo(d, &["diff", "--staged", "--format", "json"]);
    git(d, &["commit", "-qm", "more"]);
    let commits = common::awsauth_in_repo(d, &["diff", "main~", "main", "--format", "json"]);
    for o in [staged, commits] {
        let v = common::json(&o);
        let changes = v["changes"].as_array().expect("changes");
        assert_eq!(changes.len(), 1, "{v:#}");
        assert_eq!(changes[0]["kind"], "rbac-reach", "{v:#}");
        assert_eq!(
            reasons(&changes[0])[0],
            "can now delete pods in `kube-system`",
            "{v:#}"
        );
    }
}
