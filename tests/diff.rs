//! `awsauth diff` on throw-away Git repositories: each risk class, renames, the index, shallow
//! clones, missing revisions, `--no-index`; JSON and exit codes asserted, human and Markdown
//! renderings snapshotted.

mod common;

use std::path::Path;

use common::{git, json, stderr};
use std::process::{Command, Output};

fn awsauth(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_awsauth"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("HOME", dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("runs")
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

/// An aws-auth ConfigMap with a working node role and `roles` after it in `mapRoles`.
fn node_cm(roles: &str) -> String {
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::111122223333:role/eks-node\n      username: system:node:{{{{EC2PrivateDNSName}}}}\n      groups: [system:bootstrappers, system:nodes]\n{roles}"
    )
}

/// Two commits: `clusters/<name>/aws-auth.yaml` with `before` for each folder, then every
/// folder moved to `envs/<name>/` with `after` in it.
fn move_folders(d: &Path, folders: &[(&str, String, String)]) {
    for (name, before, _) in folders {
        common::write(d, &format!("clusters/{name}/aws-auth.yaml"), before);
    }
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "folders"]);
    std::fs::create_dir_all(d.join("envs")).expect("mkdir");
    for (name, _, after) in folders {
        let (from, to) = (format!("clusters/{name}"), format!("envs/{name}"));
        std::fs::rename(d.join(from), d.join(&to)).expect("mv");
        common::write(d, &format!("{to}/aws-auth.yaml"), after);
    }
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "move"]);
}

/// The one change `(kind, [risk], principal)`, as [`changes`] lists it.
fn one_change(kind: &str, risk: &str, principal: &str) -> Vec<(String, Vec<String>, String)> {
    vec![(kind.to_owned(), vec![risk.to_owned()], principal.to_owned())]
}

/// Asserts the exit code, showing what awsauth printed otherwise.
fn exits(o: &Output, code: i32) {
    assert_eq!(
        o.status.code(),
        Some(code),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        stderr(o)
    );
}

/// `(kind, risks, principal)` of each change.
fn changes(v: &serde_json::Value) -> Vec<(String, Vec<String>, String)> {
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

/// A repository on `main` with AUTH committed at `clusters/prod/aws-auth.yaml`.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    std::fs::create_dir_all(d.join("clusters/prod")).expect("mkdir");
    std::fs::write(d.join("clusters/prod/aws-auth.yaml"), AUTH).expect("write");
    std::fs::write(d.join("README.md"), "cluster manifests\n").expect("write");
    git(d, &["add", "."]);
    git(d, &["commit", "-q", "-m", "init"]);
    dir
}

fn edit(dir: &Path, f: impl Fn(&str) -> String) {
    let p = dir.join("clusters/prod/aws-auth.yaml");
    let text = std::fs::read_to_string(&p).expect("read");
    std::fs::write(&p, f(&text)).expect("write");
}

#[test]
fn reformatting_only_is_no_semantic_change() {
    let dir = repo();
    let d = dir.path();
    // flow style, quotes, reordered keys, comments: the same mappings
    edit(d, |t| {
        t.replace(
            "    - rolearn: arn:aws:iam::111122223333:role/developers\n      username: dev:{{SessionName}}\n      groups:\n        - developers\n",
            "    # the developers\n    - groups: [\"developers\"]\n      username: 'dev:{{SessionName}}'\n      rolearn: ARN:aws:iam::111122223333:role/developers\n",
        )
        .replace("[on-call]", "\n        - on-call")
    });
    let o = awsauth(d, &["diff", "HEAD", "--format", "json"]);
    let v = json(&o);
    assert_eq!(changes(&v), Vec::new(), "{v}");
    assert_eq!(v["summary"]["files_changed"], 1);
    assert_eq!(o.status.code(), Some(0));
    let o = awsauth(d, &["diff", "HEAD"]);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("no semantic change"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}

#[test]
fn a_new_system_masters_is_an_escalation() {
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
        vec![(
            "changed".into(),
            vec!["escalation".into()],
            "arn:aws:iam::111122223333:role/developers".into()
        )]
    );
    assert_eq!(v["changes"][0]["groups_added"][0], "system:masters");
    assert_eq!(v["changes"][0]["before"]["line"], 13);
    assert_eq!(
        v["changes"][0]["after"]["file"],
        "clusters/prod/aws-auth.yaml"
    );
    assert_eq!(o.status.code(), Some(1));
    // the threshold is configurable
    let o = awsauth(d, &["diff", "HEAD~1", "HEAD", "--fail-on", "lockout"]);
    assert_eq!(o.status.code(), Some(0));
    let o = awsauth(d, &["diff", "HEAD~1", "HEAD", "--fail-on", "never"]);
    assert_eq!(o.status.code(), Some(0));
    // the renderings
    let human = awsauth(d, &["diff", "HEAD~1", "HEAD"]);
    let md = awsauth(d, &["diff", "HEAD~1", "HEAD", "--format", "markdown"]);
    let strip = |o: &Output| {
        let s = String::from_utf8_lossy(&o.stdout).into_owned();
        // commit ids differ per run
        let re = |s: &str| {
            s.split('(')
                .enumerate()
                .map(|(i, part)| {
                    if i > 0 && part.len() > 12 && part[..12].chars().all(|c| c.is_ascii_hexdigit())
                    {
                        format!("<commit>{}", &part[12..])
                    } else {
                        part.to_owned()
                    }
                })
                .collect::<Vec<_>>()
                .join("(")
        };
        re(&s)
    };
    insta::assert_snapshot!("diff_escalation_human", strip(&human));
    insta::assert_snapshot!("diff_escalation_markdown", strip(&md));
    let gh = awsauth(d, &["diff", "HEAD~1", "HEAD", "--format", "github"]);
    assert!(String::from_utf8_lossy(&gh.stdout).starts_with(
        "::error file=clusters/prod/aws-auth.yaml,line=13,title=awsauth diff%3A escalation::"
    ));
}

#[test]
fn a_tab_in_map_roles_is_a_lockout_listing_the_node_roles() {
    let dir = repo();
    let d = dir.path();
    edit(d, |t| {
        t.replace("      username: dev:", "    \t  username: dev:")
    });
    let o = awsauth(d, &["diff", "HEAD", "--format", "json"]);
    let v = json(&o);
    let got = changes(&v);
    assert_eq!(got[0].0, "section-lost");
    assert_eq!(got[0].1, vec!["lockout".to_owned()]);
    let reasons = v["changes"][0]["reasons"].to_string();
    assert!(
        reasons.contains("nodes lose access: arn:aws:iam::111122223333:role/eks-node"),
        "{reasons}"
    );
    assert!(reasons.contains("line 14"), "{reasons}");
    // every mapping of the section is listed as lost; the node role as a lockout
    assert!(got.contains(&(
        "removed".into(),
        vec!["lockout".into()],
        "arn:aws:iam::111122223333:role/eks-node".into()
    )));
    assert!(got.contains(&(
        "removed".into(),
        vec!["access-change".into()],
        "arn:aws:iam::111122223333:role/developers".into()
    )));
    assert_eq!(o.status.code(), Some(1));
    insta::assert_snapshot!(
        "diff_tab_lockout_human",
        String::from_utf8_lossy(&awsauth(d, &["diff", "HEAD"]).stdout)
            .replace(&git(d, &["rev-parse", "HEAD"])[..12], "<commit>")
    );
}

#[test]
fn removing_a_node_role_is_a_lockout() {
    let dir = repo();
    let d = dir.path();
    edit(d, |t| {
        t.replace(
            "    - rolearn: arn:aws:iam::111122223333:role/eks-node\n      username: system:node:{{EC2PrivateDNSName}}\n      groups:\n        - system:bootstrappers\n        - system:nodes\n",
            "",
        )
    });
    let o = awsauth(d, &["diff", "HEAD", "--format", "json"]);
    assert_eq!(
        changes(&json(&o)),
        vec![(
            "removed".into(),
            vec!["lockout".into()],
            "arn:aws:iam::111122223333:role/eks-node".into()
        )]
    );
    assert_eq!(o.status.code(), Some(1));
    // deleting aws-auth altogether
    std::fs::remove_file(d.join("clusters/prod/aws-auth.yaml")).expect("rm");
    let v = json(&awsauth(d, &["diff", "HEAD", "--format", "json"]));
    assert_eq!(changes(&v)[0].0, "source-removed");
    assert!(
        v["changes"][0]["reasons"]
            .to_string()
            .contains("nodes lose access")
    );
}

/// A later mapping of the node role (here in another case) wins over the node mapping that is
/// still written: the nodes lose their identity, and get the later mapping's groups.
#[test]
fn shadowing_a_node_mapping_is_a_lockout() {
    let dir = repo();
    let d = dir.path();
    edit(d, |t| {
        t.replace(
            "  mapUsers: |",
            "    - rolearn: arn:aws:iam::111122223333:role/EKS-Node\n      username: admin\n      groups: [system:masters]\n  mapUsers: |",
        )
    });
    let o = awsauth(d, &["diff", "HEAD", "--format", "json"]);
    exits(&o, 1);
    let v = json(&o);
    assert_eq!(
        changes(&v),
        vec![(
            "changed".into(),
            vec!["escalation".into(), "lockout".into()],
            "arn:aws:iam::111122223333:role/EKS-Node".into()
        )]
    );
    let reasons = v["changes"][0]["reasons"].to_string();
    assert!(
        reasons.contains("the node mapping at line 8 is still written, but this later mapping of the same role replaces it"),
        "{reasons}"
    );
    assert!(reasons.contains("gains `system:masters`"), "{reasons}");
    assert_eq!(v["changes"][0]["after"]["line"], 17);
    // a second node mapping of the role is no change at all
    git(d, &["checkout", "-q", "--", "."]);
    edit(d, |t| {
        t.replace(
            "  mapUsers: |",
            "    - rolearn: arn:aws:iam::111122223333:role/eks-node\n      username: system:node:{{EC2PrivateDNSName}}\n      groups: [system:nodes, system:bootstrappers]\n  mapUsers: |",
        )
    });
    let o = awsauth(d, &["diff", "HEAD", "--format", "json"]);
    exits(&o, 0);
    assert!(changes(&json(&o)).is_empty());
}

#[test]
fn a_renamed_manifest_is_no_change_and_other_changes_are_access_changes() {
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
    assert_eq!(o.status.code(), Some(0));
    // a username change, a new IAM user, a principal moved between sections
    let p = d.join("clusters/production/aws-auth.yaml");
    let text = std::fs::read_to_string(&p).expect("read");
    let text = text
        .replace("username: on-call", "username: oncall")
        .replace(
            "  mapUsers: |\n",
            "  mapUsers: |\n    - userarn: arn:aws:iam::111122223333:user/alice\n      username: alice\n      groups: [view]\n",
        );
    std::fs::write(&p, text).expect("write");
    let o = awsauth(
        d,
        &[
            "diff",
            "HEAD",
            "--format",
            "json",
            "--fail-on",
            "access-change",
        ],
    );
    let got = changes(&json(&o));
    assert!(got.contains(&(
        "changed".into(),
        vec!["access-change".into()],
        "arn:aws:iam::111122223333:user/on-call".into()
    )));
    assert!(got.contains(&(
        "added".into(),
        vec!["escalation".into()],
        "arn:aws:iam::111122223333:user/alice".into()
    )));
    assert_eq!(o.status.code(), Some(1));
}

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
fn default_base_is_the_merge_base_with_the_main_branch() {
    let dir = repo();
    let d = dir.path();
    git(d, &["checkout", "-q", "-b", "feature"]);
    edit(d, |t| t.replace("username: on-call", "username: oncall"));
    git(d, &["commit", "-qam", "rename user"]);
    // main moves on meanwhile; its change is not part of this branch's diff
    git(d, &["checkout", "-q", "main"]);
    std::fs::write(d.join("clusters/prod/other.yaml"), AUTH).expect("write");
    git(d, &["add", "."]);
    git(d, &["commit", "-qm", "main work"]);
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

#[test]
fn shallow_clones_and_missing_revisions_are_clear_errors() {
    let dir = repo();
    let d = dir.path();
    edit(d, |t| t.replace("username: on-call", "username: oncall"));
    git(d, &["commit", "-qam", "second"]);
    let clone = tempfile::tempdir().expect("tmp");
    let url = format!("file://{}", d.display());
    git(clone.path(), &["clone", "-q", "--depth", "1", &url, "c"]);
    let c = clone.path().join("c");
    let o = awsauth(&c, &["diff", "HEAD~1", "HEAD"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("revision `HEAD~1` is not in this repository"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("shallow clone"), "{}", stderr(&o));
    // the full repository: a missing branch names itself
    let o = awsauth(d, &["diff", "no-such-branch"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("`no-such-branch`"));
    // a revision is never read as an option
    // ... nor a pathspec: it reaches git after `--`, matches nothing, writes nothing
    let o = awsauth(d, &["diff", "--", "--output=/tmp/awsauth-pwned"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!Path::new("/tmp/awsauth-pwned").exists());
    let o = awsauth(d, &["diff", "--output=x"]);
    assert_eq!(o.status.code(), Some(2), "an unknown flag, not a revision");
    // outside a repository
    let empty = tempfile::tempdir().expect("tmp");
    let o = awsauth(empty.path(), &["diff"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--no-index"), "{}", stderr(&o));
}

#[test]
fn no_index_compares_two_files() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    std::fs::write(d.join("old.yaml"), AUTH).expect("write");
    std::fs::write(
        d.join("new.yaml"),
        AUTH.replace(
            "  mapUsers: |\n",
            "  mapAccounts: |\n    - \"444455556666\"\n  mapUsers: |\n",
        ),
    )
    .expect("write");
    let o = awsauth(
        d,
        &[
            "diff",
            "--no-index",
            "old.yaml",
            "new.yaml",
            "--format",
            "json",
        ],
    );
    assert_eq!(
        changes(&json(&o)),
        vec![(
            "added".into(),
            vec!["escalation".into()],
            "account:444455556666".into()
        )]
    );
    assert_eq!(o.status.code(), Some(1));
    let o = awsauth(d, &["diff", "--no-index", "old.yaml"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn pathspecs_limit_the_comparison() {
    let dir = repo();
    let d = dir.path();
    std::fs::create_dir_all(d.join("clusters/dev")).expect("mkdir");
    std::fs::write(
        d.join("clusters/dev/aws-auth.yaml"),
        AUTH.replace("[on-call]", "[on-call, system:masters]"),
    )
    .expect("write");
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
fn lint_new_only_reports_what_the_change_adds() {
    let dir = repo();
    let d = dir.path();
    // the legacy finding: an IAM user mapping already at the base
    let all = awsauth(d, &["lint", "--format", "json"]);
    assert_eq!(json(&all)["diagnostics"].as_array().expect("list").len(), 1);
    let o = awsauth(
        d,
        &["lint", "--format", "json", "--new-only", "--base", "HEAD"],
    );
    assert_eq!(json(&o)["diagnostics"], serde_json::json!([]));
    assert_eq!(o.status.code(), Some(0));
    // lines shift and a new finding appears: only the new one is reported
    edit(d, |t| {
        t.replace(
            "  mapUsers: |\n",
            "  # users\n  mapUsers: |\n    - userarn: arn:aws:iam::111122223333:user/alice\n      username: alice\n      groups: [view]\n",
        )
    });
    let o = awsauth(
        d,
        &["lint", "--format", "json", "--new-only", "--base", "HEAD"],
    );
    let v = json(&o);
    let list = v["diagnostics"].as_array().expect("list");
    assert_eq!(list.len(), 1, "{v}");
    assert_eq!(list[0]["principal"], "arn:aws:iam::111122223333:user/alice");
    assert_eq!(o.status.code(), Some(1));
    // a new file at HEAD has no base version: all its findings are new
    std::fs::create_dir_all(d.join("clusters/dev")).expect("mkdir");
    std::fs::write(d.join("clusters/dev/aws-auth.yaml"), AUTH).expect("write");
    let o = awsauth(
        d,
        &[
            "lint",
            "--format",
            "json",
            "--new-only",
            "--base",
            "HEAD",
            "clusters/dev",
        ],
    );
    assert_eq!(json(&o)["diagnostics"].as_array().expect("list").len(), 1);
    std::fs::remove_dir_all(d.join("clusters/dev")).expect("rm");
    git(d, &["checkout", "-q", "."]);
    // a renamed or moved file is compared with what it was: its old findings are not new
    std::fs::create_dir_all(d.join("envs")).expect("mkdir");
    git(d, &["mv", "clusters/prod", "envs/prod"]);
    let new_only = |args: &[&str]| {
        let mut all = vec!["lint", "--format", "json", "--new-only"];
        all.extend(args);
        awsauth(d, &all)
    };
    let nothing_new = |base: &str| {
        let o = new_only(&["--base", base]);
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
    // a path of another repository, or no repository at all: an error, not "all new"
    let other = repo();
    let o = new_only(&["--base", "HEAD", other.path().to_str().expect("utf-8")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("is outside it"), "{}", stderr(&o));
    let empty = tempfile::tempdir().expect("tmp");
    let o = awsauth(
        empty.path(),
        &["lint", "--new-only", d.to_str().expect("utf-8")],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("not in a git repository"),
        "{}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains("--no-index"), "{}", stderr(&o));
}

/// Every escalation reason, and a move between sections, on two files.
#[test]
fn escalation_reasons_and_moves() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    let old = "apiVersion: v1
kind: ConfigMap
metadata:
  name: aws-auth
  namespace: kube-system
data:
  mapRoles: |
    - rolearn: arn:aws:iam::111122223333:role/ci
      username: ci
      groups: [ci]
  mapUsers: |
    - userarn: arn:aws:iam::111122223333:role/ops
      username: ops
      groups: [ops]
";
    let new = "apiVersion: v1
kind: ConfigMap
metadata:
  name: aws-auth
  namespace: kube-system
data:
  mapRoles: |
    - rolearn: arn:aws:iam::111122223333:role/ci
      username: system:kube-controller-manager
      groups: [ci, system:nodes]
    - rolearn: arn:aws:iam::111122223333:role/ops
      username: ops
      groups: [ops]
    - rolearn: arn:aws:iam::999988887777:role/vendor
      username: vendor
      groups: [view]
    - sso:
        permissionSetName: Admin
        accountID: \"111122223333\"
      username: admin:{{SessionName}}
      groups: [view]
";
    std::fs::write(d.join("old.yaml"), old).expect("write");
    std::fs::write(d.join("new.yaml"), new).expect("write");
    let o = awsauth(
        d,
        &[
            "diff",
            "--no-index",
            "old.yaml",
            "new.yaml",
            "--format",
            "json",
        ],
    );
    let v = json(&o);
    let reasons = |principal: &str| -> String {
        v["changes"]
            .as_array()
            .expect("list")
            .iter()
            .filter(|c| c["principal"] == principal)
            .map(|c| format!("{} {}", c["kind"], c["reasons"]))
            .collect()
    };
    let ci = reasons("arn:aws:iam::111122223333:role/ci");
    assert!(
        ci.contains("gains a node identity") && ci.contains("built-in Kubernetes identity"),
        "{ci}"
    );
    let ops = reasons("arn:aws:iam::111122223333:role/ops");
    assert!(
        ops.contains("\"moved\"") && ops.contains("moved from `mapUsers` to `mapRoles`"),
        "{ops}"
    );
    assert!(
        reasons("arn:aws:iam::999988887777:role/vendor")
            .contains("another account (`999988887777`)")
    );
    assert!(
        reasons("sso:111122223333/Admin").contains("a new sso matcher"),
        "{v}"
    );
    assert_eq!(o.status.code(), Some(1));
}

/// Cases found in review: each is a semantic fact of the authenticator or of Git.
#[test]
fn review_regressions() {
    let dir = repo();
    let d = dir.path();
    let run = |args: &[&str]| json(&awsauth(d, args));
    // adding `namespace: kube-system` to a manifest without one: nothing changes
    edit(d, |t| t.replace("  namespace: kube-system\n", ""));
    git(d, &["commit", "-qam", "kustomize style"]);
    edit(d, |t| {
        t.replace(
            "  name: aws-auth\n",
            "  name: aws-auth\n  namespace: kube-system\n",
        )
    });
    assert_eq!(
        changes(&run(&["diff", "HEAD", "--format", "json"])),
        Vec::new()
    );
    // moving it to another namespace: the authenticator no longer reads it
    edit(d, |t| {
        t.replace("namespace: kube-system", "namespace: default")
    });
    let v = run(&["diff", "HEAD", "--format", "json"]);
    assert_eq!(changes(&v)[0].0, "source-removed");
    assert!(
        v["changes"][0]["reasons"]
            .to_string()
            .contains("no longer reads it"),
        "{v}"
    );
    git(d, &["checkout", "-q", "."]);
    // a node mapping that loses `system:nodes` or its template is broken: lockout
    edit(d, |t| t.replace("        - system:nodes\n", ""));
    assert_eq!(
        changes(&run(&["diff", "HEAD", "--format", "json"]))[0].1,
        vec!["lockout".to_owned()]
    );
    git(d, &["checkout", "-q", "."]);
    edit(d, |t| {
        t.replace(
            "system:node:{{EC2PrivateDNSName}}",
            "system:node:ip-10-0-0-1",
        )
    });
    // (and the one node it names is impersonated)
    assert_eq!(
        changes(&run(&["diff", "HEAD", "--format", "json"]))[0].1,
        vec!["escalation".to_owned(), "lockout".to_owned()]
    );
    git(d, &["checkout", "-q", "."]);
    // reordered groups, case of a user ARN: no semantic change
    edit(d, |t| {
        t.replace(
            "        - system:bootstrappers\n        - system:nodes\n",
            "        - system:nodes\n        - system:bootstrappers\n        - system:nodes\n",
        )
        .replace("user/on-call", "user/ON-CALL")
    });
    assert_eq!(
        changes(&run(&["diff", "HEAD", "--format", "json"])),
        Vec::new()
    );
    git(d, &["checkout", "-q", "."]);
    // `diff.relative` in the repository does not confuse paths, from a sub-directory
    git(d, &["config", "diff.relative", "true"]);
    edit(d, |t| t.replace("username: on-call", "username: oncall"));
    let sub = d.join("clusters/prod");
    let v = json(&awsauth(&sub, &["diff", "HEAD", "--format", "json"]));
    assert_eq!(changes(&v)[0].0, "changed", "{v}");
    git(d, &["checkout", "-q", "."]);
    // deleting one aws-auth and adding an unrelated one: not a rename
    git(d, &["rm", "-q", "clusters/prod/aws-auth.yaml"]);
    std::fs::create_dir_all(d.join("clusters/stage")).expect("mkdir");
    std::fs::write(
        d.join("clusters/stage/aws-auth.yaml"),
        AUTH.replace("111122223333:role/", "444455556666:role/")
            .replace("111122223333:user/", "444455556666:user/"),
    )
    .expect("write");
    let v = run(&["diff", "HEAD", "--format", "json"]);
    assert!(
        changes(&v)
            .iter()
            .any(|c| c.0 == "source-removed" && c.1 == vec!["lockout".to_owned()]),
        "{v}"
    );
    git(d, &["reset", "-q", "--hard"]);
    std::fs::remove_dir_all(d.join("clusters/stage")).expect("rm");
    // a ranges and trees are not revisions
    let o = awsauth(d, &["diff", "HEAD~0..HEAD"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("is a range"), "{}", stderr(&o));
    let o = awsauth(d, &["diff", "HEAD:clusters"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    // a file that cannot be decoded is skipped, the rest compared
    std::fs::write(
        d.join("clusters/prod/bad.yaml"),
        b"kind: ConfigMap # aws-auth caf\xe9\n",
    )
    .expect("write");
    edit(d, |t| t.replace("username: on-call", "username: oncall"));
    let o = awsauth(d, &["diff", "HEAD", "--format", "json"]);
    let v = json(&o);
    assert_eq!(changes(&v).len(), 1, "{v}");
    assert!(v["skipped"].to_string().contains("bad.yaml"), "{v}");
}

#[test]
fn staged_works_before_the_first_commit() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    std::fs::write(
        d.join("aws-auth.yaml"),
        AUTH.replace("[on-call]", "[system:masters]"),
    )
    .expect("write");
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
    assert_eq!(o.status.code(), Some(1));
    // lint --new-only: every finding is new
    let o = awsauth(d, &["lint", "--format", "json", "--new-only"]);
    assert!(!json(&o)["diagnostics"].as_array().expect("list").is_empty());
}

#[test]
fn markdown_cannot_be_shaped_by_the_manifest() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    std::fs::write(d.join("old.yaml"), AUTH).expect("write");
    std::fs::write(
        d.join("new.yaml"),
        AUTH.replace(
            "username: on-call",
            "username: \"on-call\\n\\n## no semantic change | x ```\"",
        ),
    )
    .expect("write");
    let o = awsauth(
        d,
        &[
            "diff",
            "--no-index",
            "old.yaml",
            "new.yaml",
            "--format",
            "markdown",
        ],
    );
    let md = String::from_utf8_lossy(&o.stdout);
    assert!(
        !md.lines().any(|l| l.starts_with("## no semantic change")),
        "{md}"
    );
    let table_rows = md.lines().filter(|l| l.starts_with('|')).count();
    assert_eq!(table_rows, 3, "header, rule, one change: {md}");
}

/// With and without a pathspec the same changes are seen: nested and new folders, deletions, a
/// file that becomes a folder, a symbolic link (not a manifest).
#[test]
fn whole_tree_and_pathspec_comparisons_agree() {
    let dir = repo();
    let d = dir.path();
    std::fs::create_dir_all(d.join("a/b/c")).expect("mkdir");
    std::fs::write(d.join("a/b/c/aws-auth.yaml"), AUTH).expect("write");
    std::fs::write(d.join("a/x.yaml"), AUTH).expect("write");
    std::fs::write(d.join("gone.yaml"), AUTH).expect("write");
    git(d, &["add", "."]);
    git(d, &["commit", "-qm", "more"]);
    let base = git(d, &["rev-parse", "HEAD"]);
    edit(d, |t| t.replace("username: on-call", "username: oncall"));
    std::fs::write(
        d.join("a/b/c/aws-auth.yaml"),
        AUTH.replace("[on-call]", "[system:masters]"),
    )
    .expect("write");
    std::fs::remove_file(d.join("a/x.yaml")).expect("rm");
    std::fs::create_dir_all(d.join("a/x.yaml")).expect("mkdir");
    std::fs::write(d.join("a/x.yaml/inner.yaml"), AUTH).expect("write");
    std::fs::remove_file(d.join("gone.yaml")).expect("rm");
    std::fs::create_dir_all(d.join("new/deep")).expect("mkdir");
    std::fs::write(
        d.join("new/deep/aws-auth.yaml"),
        AUTH.replace("role/developers", "role/devs"),
    )
    .expect("write");
    #[cfg(unix)]
    std::os::unix::fs::symlink("clusters/prod/aws-auth.yaml", d.join("link.yaml"))
        .expect("symlink");
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "changes"]);
    let walked = json(&awsauth(d, &["diff", &base, "HEAD", "--format", "json"]));
    let diffed = json(&awsauth(
        d,
        &["diff", &base, "HEAD", "--format", "json", "--", "."],
    ));
    assert_eq!(walked, diffed);
    assert!(changes(&walked).len() > 3, "{walked}");
}

/// A symbolic link's target, which git stores as a blob: an aws-auth ConfigMap if it were read as
/// a file (it must not be: a link is no manifest).
const LINK: &str = r#"{apiVersion: v1, kind: ConfigMap, metadata: {name: aws-auth, namespace: kube-system}, data: {mapUsers: "- userarn: arn:aws:iam::111122223333:user/via-link\n  username: via-link\n  groups: [system:masters]\n"}}"#;

/// Commit-to-commit comparisons, whose trees awsauth walks, see what `git diff` sees, byte for
/// byte in every format: nested trees added and deleted, a tree replaced by a file, symbolic
/// links and type changes, executable bits, a submodule entry, renames, upper-case extensions,
/// non-ASCII names, binary bytes, annotated tags and full object ids.
#[test]
fn tree_walks_see_what_git_diff_sees() {
    let dir = repo();
    let d = dir.path();
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
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "two"]);
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
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "four"]);
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
    let v = json(&awsauth(d, &["diff", "HEAD~3", "HEAD", "--format", "json"]));
    let principals: Vec<String> = changes(&v).into_iter().map(|c| c.2).collect();
    assert!(
        principals.iter().any(|p| p.contains("linked-node")),
        "{principals:?}"
    );
    let v = json(&awsauth(
        d,
        &["diff", "HEAD~2", "HEAD~1", "--format", "json"],
    ));
    let lost: Vec<String> = changes(&v).into_iter().map(|c| c.2).collect();
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

/// Defects a second review found in reading repositories: each case reads as git does, fails
/// closed, or says what git said.
#[test]
fn second_review_regressions_in_reading() {
    let dir = repo();
    let d = dir.path();
    edit(d, |t| t.replace("[on-call]", "[system:masters]"));
    git(d, &["commit", "-qam", "escalate"]);
    let same = walked_as_diffed;
    // grafts live in the common directory of a linked worktree
    let first = git(d, &["rev-parse", "HEAD~1"]);
    let head = git(d, &["rev-parse", "HEAD"]);
    std::fs::write(d.join(".git/info/grafts"), format!("{head}\n")).expect("grafts");
    let wts = tempfile::tempdir().expect("tmp");
    let wt = wts.path().join("wt");
    let wt_arg = wt.to_str().expect("utf-8");
    git(d, &["worktree", "add", "-q", "--detach", wt_arg, "HEAD"]);
    same(&wt, &["diff", &first, "HEAD", "--format", "json"]);
    same(&wt, &["diff", "HEAD~1", "HEAD", "--format", "json"]);
    std::fs::remove_file(d.join(".git/info/grafts")).expect("rm");
    // an extension git may refuse, or that changes where refs are (reftable)
    git(d, &["config", "core.repositoryformatversion", "1"]);
    git(d, &["config", "extensions.frobnicate", "true"]);
    same(d, &["diff", "HEAD~1", "HEAD", "--format", "json"]);
    // git itself refuses the repository now: edit its file
    git(
        d,
        &[
            "config",
            "-f",
            ".git/config",
            "--unset",
            "extensions.frobnicate",
        ],
    );
    let rt = tempfile::tempdir().expect("tmp");
    let r = rt.path();
    git(r, &["init", "-q", "-b", "main", "--ref-format=reftable"]);
    common::write(r, "aws-auth.yaml", AUTH);
    git(r, &["add", "."]);
    git(r, &["commit", "-qm", "one"]);
    common::write(
        r,
        "aws-auth.yaml",
        &AUTH.replace("[on-call]", "[system:masters]"),
    );
    git(r, &["commit", "-qam", "two"]);
    assert_eq!(same(r, &["diff", "HEAD~1", "HEAD"]).status.code(), Some(1));
    // a bare repository is git's to judge (`safe.bareRepository`)
    let bare = tempfile::tempdir().expect("tmp");
    let url = format!("file://{}", d.display());
    git(bare.path(), &["clone", "-q", "--bare", &url, "b.git"]);
    let o = awsauth(&bare.path().join("b.git"), &["diff", "HEAD~1", "HEAD"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    // a partial clone whose blobs cannot be fetched any more: an error, not "no change"
    git(d, &["config", "uploadpack.allowFilter", "true"]);
    let src = tempfile::tempdir().expect("tmp");
    let copy = src.path().join("src");
    git(
        d,
        &["clone", "-q", "--bare", &url, copy.to_str().expect("utf-8")],
    );
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
    std::fs::remove_dir_all(&copy).expect("rm");
    let p = pc.path().join("pc");
    let o = awsauth(&p, &["diff", "HEAD~1", "HEAD"]);
    exits(&o, 2);
    assert!(stderr(&o).contains("partial clone"), "{}", stderr(&o));
    // thousands of git warnings on stderr while the diff is still being written: no hang
    git(d, &["config", "core.autocrlf", "true"]);
    for i in 0..3000 {
        common::write(
            d,
            &format!("many/a-fairly-long-folder-name/file-{i:04}.txt"),
            "x\n",
        );
    }
    git(d, &["add", "."]);
    git(d, &["commit", "-qm", "many"]);
    for i in 0..3000 {
        common::write(
            d,
            &format!("many/a-fairly-long-folder-name/file-{i:04}.txt"),
            "y\n",
        );
    }
    let o = awsauth_within_a_minute(d, &["diff", "HEAD"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    git(d, &["checkout", "-q", "."]);
    git(d, &["config", "--unset", "core.autocrlf"]);
    // a FIFO where a tracked manifest was is not waited on
    #[cfg(unix)]
    {
        let f = d.join("clusters/prod/aws-auth.yaml");
        std::fs::remove_file(&f).expect("rm");
        let made = Command::new("mkfifo").arg(&f).status().expect("mkfifo");
        assert!(made.success());
        let o = awsauth_within_a_minute(d, &["diff", "HEAD"]);
        assert_ne!(o.status.code(), None);
        std::fs::remove_file(&f).expect("rm");
        git(d, &["checkout", "-q", "."]);
    }
    // untracked files of the whole repository, also from a folder
    common::write(
        d,
        "clusters/new/aws-auth.yaml",
        &AUTH.replace("on-call", "new"),
    );
    std::fs::create_dir_all(d.join("docs")).expect("mkdir");
    let o = awsauth(&d.join("docs"), &["diff", "HEAD", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(json(&o)["summary"]["files_changed"] == 1);
    std::fs::remove_dir_all(d.join("clusters/new")).expect("rm");
    // what git said, not "fetch it"
    let o = awsauth(d, &["diff", "HEAD^{tree}", "HEAD"]);
    assert!(
        stderr(&o).contains("does not name a commit"),
        "{}",
        stderr(&o)
    );
    let o = awsauth(d, &["diff", "HEAD:clusters", "HEAD"]);
    assert!(
        stderr(&o).contains("does not name a commit"),
        "{}",
        stderr(&o)
    );
    let o = awsauth(d, &["diff", "HEAD~50", "HEAD"]);
    assert!(
        stderr(&o).contains("goes past the first commit"),
        "{}",
        stderr(&o)
    );
    let unborn = tempfile::tempdir().expect("tmp");
    git(unborn.path(), &["init", "-q", "-b", "main"]);
    let o = awsauth(unborn.path(), &["diff", "HEAD"]);
    assert!(stderr(&o).contains("no commits yet"), "{}", stderr(&o));
    let empty = tempfile::tempdir().expect("tmp");
    let o = awsauth(empty.path(), &["diff", "--staged"]);
    assert!(stderr(&o).contains("--no-index"), "{}", stderr(&o));
}

/// Defects a second review found in comparing: none of them may hide an escalation.
#[test]
fn second_review_regressions_in_comparing() {
    let dir = repo();
    let d = dir.path();
    let risks =
        |o: &Output| -> Vec<String> { changes(&json(o)).into_iter().flat_map(|c| c.1).collect() };
    // a UTF-16 manifest (PowerShell `>`) is compared like any other
    let escalated = AUTH.replace("[on-call]", "[system:masters]");
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(escalated.encode_utf16().flat_map(u16::to_le_bytes));
    std::fs::write(d.join("clusters/prod/utf16.yaml"), &utf16).expect("write");
    git(d, &["add", "."]);
    git(d, &["commit", "-qm", "utf-16"]);
    let o = awsauth(d, &["diff", "HEAD~1", "HEAD", "--format", "json"]);
    assert!(
        risks(&o).contains(&"escalation".to_owned()),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    // user ARNs that differ only in case are both kept: either may apply
    let users_old = AUTH.replace(
        "    - userarn: arn:aws:iam::111122223333:user/on-call",
        "    - userarn: arn:aws:iam::111122223333:user/On-Call",
    );
    let users_new = users_old.replace(
        "  mapUsers: |\n",
        "  mapUsers: |\n    - userarn: arn:aws:iam::111122223333:user/on-call\n      username: on-call\n      groups: [system:masters]\n",
    );
    let t = tempfile::tempdir().expect("tmp");
    common::write(t.path(), "old.yaml", &users_old);
    common::write(t.path(), "new.yaml", &users_new);
    let o = awsauth(
        t.path(),
        &[
            "diff",
            "--no-index",
            "old.yaml",
            "new.yaml",
            "--format",
            "json",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(risks(&o).contains(&"escalation".to_owned()));
    // `--no-index`: one file under two names
    common::write(
        t.path(),
        "broken.yaml",
        &AUTH.replace("  mapUsers: |\n", "  mapUsers: |\n\t"),
    );
    let v = json(&awsauth(
        t.path(),
        &[
            "diff",
            "--no-index",
            "old.yaml",
            "broken.yaml",
            "--format",
            "json",
        ],
    ));
    assert_eq!(v["summary"]["files_changed"], 1, "{v}");
    assert!(!v.to_string().contains("is deleted"), "{v}");
    let o = awsauth(t.path(), &["diff", "--no-index", "-", "-"]);
    assert_eq!(o.status.code(), Some(2));
    let o = awsauth(
        t.path(),
        &["diff", "--no-index", "old.yaml", "new.yaml", "--", "x"],
    );
    assert_eq!(o.status.code(), Some(2));
    // a file that became a template is said to be one, and fails closed
    common::write(
        t.path(),
        "tmpl.yaml",
        &AUTH.replace(
            "  name: aws-auth\n",
            "  name: aws-auth\n  labels:\n    chart: \"{{ .Chart.Name }}\"\n",
        ),
    );
    let o = awsauth(
        t.path(),
        &[
            "diff",
            "--no-index",
            "old.yaml",
            "tmpl.yaml",
            "--format",
            "json",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stdout).contains("became a template"));
    // two aws-auth documents of one file swap places (other namespaces): no change
    let two = |first: &str, second: &str| {
        format!(
            "{}---\n{}",
            AUTH.replace("kube-system", first),
            AUTH.replace("kube-system", second)
                .replace("on-call", "other")
        )
    };
    common::write(d, "clusters/two.yaml", &two("kube-system", "staging"));
    git(d, &["add", "."]);
    git(d, &["commit", "-qm", "two"]);
    let swapped = format!(
        "{}---\n{}",
        AUTH.replace("kube-system", "staging")
            .replace("on-call", "other"),
        AUTH
    );
    common::write(d, "clusters/two.yaml", &swapped);
    git(d, &["commit", "-qam", "swap"]);
    let o = awsauth(d, &["diff", "HEAD~1", "HEAD", "--format", "json"]);
    exits(&o, 0);
    assert_eq!(changes(&json(&o)), Vec::new());
    // folders moved together: each source pairs with its own (`clusters/dev` with `envs/dev`)
    let admin = "    - rolearn: arn:aws:iam::111122223333:role/admin\n      username: admin\n      groups: [system:masters]\n";
    // and the admin moves from stage to dev in the same change
    move_folders(
        d,
        &[
            ("dev", node_cm(""), node_cm(admin)),
            ("stage", node_cm(admin), node_cm("")),
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
}

/// Defects a third review found: escalations and lockouts that were missed or misplaced, and
/// output the manifests could shape.
#[test]
fn third_review_regressions() {
    let t = tempfile::tempdir().expect("tmp");
    let d = t.path();
    common::write(d, "base.yaml", AUTH);
    let run = |new: &str, format: &str| {
        common::write(d, "new.yaml", new);
        awsauth(
            d,
            &[
                "diff",
                "--no-index",
                "base.yaml",
                "new.yaml",
                "--format",
                format,
            ],
        )
    };
    let classes =
        |new: &str| -> Vec<(String, Vec<String>, String)> { changes(&json(&run(new, "json"))) };
    let has = |cs: &[(String, Vec<String>, String)], risk: &str, who: &str| {
        cs.iter()
            .any(|c| c.1.contains(&risk.to_owned()) && c.2.contains(who))
    };
    // a user ARN in both sections resolves to mapRoles; removing that entry is what escalates
    let shadowed = AUTH.replace(
        "  mapUsers: |\n    - userarn: arn:aws:iam::111122223333:user/on-call\n      username: on-call\n      groups: [on-call]\n",
        "  mapUsers: |\n    - userarn: arn:aws:iam::111122223333:user/on-call\n      username: on-call\n      groups: [system:masters]\n",
    ) + "";
    let both = shadowed.replace(
        "  mapUsers: |\n",
        "    - rolearn: arn:aws:iam::111122223333:user/on-call\n      username: on-call\n      groups: [on-call]\n  mapUsers: |\n",
    );
    common::write(d, "base.yaml", &both);
    let cs = classes(&shadowed);
    assert!(has(&cs, "escalation", "user/on-call"), "{cs:?}");
    common::write(d, "base.yaml", AUTH);
    // a node username the authenticator does not substitute: nodes cannot join
    for broken in [
        "system:node:{{ec2privatednsname}}",
        "system:node:{{ EC2PrivateDNSName }}",
        "system:node:{{EC2PrivateDNSName}",
        "system:node:{{AccessKeyID}}",
        "system:node:{{EC2PrivateDNSName}}x",
    ] {
        let cs = classes(&AUTH.replace("system:node:{{EC2PrivateDNSName}}", broken));
        assert!(has(&cs, "lockout", "role/eks-node"), "{broken}: {cs:?}");
    }
    // by the principal, not the section: a user ARN in mapRoles, root, one fixed node, `eks:`
    let added = AUTH.replace(
        "  mapUsers: |\n",
        "    - rolearn: arn:aws:iam::111122223333:user/bob\n      username: bob\n      groups: [view]\n    - rolearn: arn:aws:iam::111122223333:root\n      username: root\n      groups: [view]\n    - rolearn: arn:aws:iam::111122223333:role/fixed\n      username: system:node:ip-10-0-0-1.ec2.internal\n      groups: [system:nodes]\n    - rolearn: arn:aws:iam::111122223333:role/addon\n      username: eks:addon-manager\n      groups: [view]\n  mapUsers: |\n",
    );
    let cs = classes(&added);
    for who in ["user/bob", ":root", "role/fixed", "role/addon"] {
        assert!(has(&cs, "escalation", who), "{who}: {cs:?}");
    }
    // of two documents with one identity, the last applied is what stays
    let dup = format!(
        "{AUTH}---\n{}",
        AUTH.replace(
            "    - rolearn: arn:aws:iam::111122223333:role/eks-node\n      username: system:node:{{EC2PrivateDNSName}}\n      groups:\n        - system:bootstrappers\n        - system:nodes\n",
            ""
        )
    );
    assert!(has(&classes(&dup), "lockout", "role/eks-node"));
    let cs = classes(&format!("{AUTH}---\n{AUTH}"));
    assert_eq!(
        cs,
        Vec::new(),
        "the same document twice is the same mapping"
    );
    // names spelled with escapes are still aws-auth
    let escaped = AUTH
        .replace("name: aws-auth", "name: \"aws\\x2dauth\"")
        .replace("  mapRoles: |", "  \"map\\x52oles\": |")
        .replace("role/developers", "role/x")
        .replace("        - developers", "        - system:masters");
    assert!(has(&classes(&escaped), "escalation", "role/x"));
    // case-variant users: the escalation points at the variant that adds the group
    let variant = AUTH.replace(
        "  mapUsers: |\n",
        "  mapUsers: |\n    - userarn: arn:aws:iam::111122223333:user/On-Call\n      username: on-call\n      groups: [system:masters]\n",
    );
    let v = json(&run(&variant, "json"));
    let esc = &v["changes"][0];
    assert_eq!(esc["risks"][0], "escalation", "{v}");
    assert_eq!(esc["after"]["line"], 18, "{v}");
    // a renamed ConfigMap is no longer read (not "deleted")
    let v = json(&run(
        &AUTH.replace("name: aws-auth", "name: aws-auth-old"),
        "json",
    ));
    assert!(v.to_string().contains("no longer reads it"), "{v}");
    // the manifests cannot shape the Markdown or the terminal
    let evil = AUTH.replace(
        "username: dev:{{SessionName}}\n      groups:\n        - developers",
        "username: \"dev` ![x](https://evil.example/a.png) @octocat `\"\n      groups: [developers, \"<img src=x>\", \"**b**\", \"\\e[2K\\r\"]",
    );
    let md = String::from_utf8_lossy(&run(&evil, "markdown").stdout).into_owned();
    let row = md
        .lines()
        .find(|l| l.contains("role/developers"))
        .expect("row");
    assert!(!row.contains("<img"), "{row}");
    assert!(!row.contains(" ![x]"), "{row}");
    assert!(!row.contains(" @octocat"), "{row}");
    assert!(!row.contains("**b**"), "{row}");
    let human = run(&evil, "human").stdout;
    assert!(
        !human.contains(&0x1b),
        "no escape character reaches the terminal"
    );
    assert!(!human.contains(&b'\r'));
    // ARNs are looked up ignoring case: what they name decides, whatever their case
    let upper = AUTH.replace(
        "  mapUsers: |\n",
        "    - rolearn: ARN:AWS:IAM::111122223333:USER/carol\n      username: carol\n      groups: [view]\n    - rolearn: arn:aws:iam::111122223333:ROOT\n      username: r\n      groups: [view]\n  mapUsers: |\n",
    );
    let cs = classes(&upper);
    assert!(has(&cs, "escalation", "USER/carol"), "{cs:?}");
    assert!(has(&cs, "escalation", ":ROOT"), "{cs:?}");
    // a node mapping turned into one fixed node: nodes are locked out, one node impersonated
    let fixed = AUTH.replace(
        "system:node:{{EC2PrivateDNSName}}",
        "system:node:ip-10-0-0-1.ec2.internal",
    );
    let cs = classes(&fixed);
    assert!(has(&cs, "escalation", "role/eks-node"), "{cs:?}");
    assert!(has(&cs, "lockout", "role/eks-node"), "{cs:?}");
    // an eksctl `serviceName` mapping is a principal of its own
    let eksctl = "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: demo\n  region: us-east-1\niamIdentityMappings:\n  - arn: arn:aws:iam::111122223333:role/admin\n    groups: [developers]\n    username: admin\n";
    common::write(d, "e1.yaml", eksctl);
    common::write(
        d,
        "e2.yaml",
        &format!("{eksctl}  - serviceName: emr-containers\n    namespace: emr\n"),
    );
    let v = json(&awsauth(
        d,
        &[
            "diff",
            "--no-index",
            "e1.yaml",
            "e2.yaml",
            "--format",
            "json",
        ],
    ));
    assert_eq!(
        changes(&v),
        one_change("added", "access-change", "service:emr-containers/emr"),
        "{v}"
    );
    // `--no-index`: a file that cannot be read is an error with its position
    std::fs::write(
        d.join("bad.yaml"),
        b"apiVersion: v1\nkind: ConfigMap\n  x: \"\xff\"\n",
    )
    .expect("write");
    let o = awsauth(d, &["diff", "--no-index", "base.yaml", "bad.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("invalid UTF-8 at line 3"),
        "{}",
        stderr(&o)
    );
}

/// The third review's repository cases: folders moved together, a bare repository's index,
/// untracked links, skipped files in the summary.
#[test]
fn third_review_regressions_in_repositories() {
    let dir = repo();
    let d = dir.path();
    let dev = "    - rolearn: arn:aws:iam::111122223333:role/dev\n      username: dev\n      groups: [developers]\n";
    let ops = "    - rolearn: arn:aws:iam::111122223333:role/ops\n      username: ops\n      groups: [ops]\n";
    let admin = "    - rolearn: arn:aws:iam::111122223333:role/dev\n      username: dev\n      groups: [system:masters]\n";
    move_folders(
        d,
        &[
            ("dev", node_cm(&format!("{dev}{ops}")), node_cm(dev)),
            ("prod", node_cm(admin), node_cm(admin)),
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
    // an unreadable new version is not compared, and not called deleted
    std::fs::write(
        d.join("envs/prod/aws-auth.yaml"),
        node_cm(admin)
            .replace("role/dev", "role/d\u{e9}v")
            .replace('\u{e9}', "\u{1}"),
    )
    .expect("write");
    let mut bytes = std::fs::read(d.join("envs/prod/aws-auth.yaml")).expect("read");
    let at = bytes.iter().position(|&b| b == 1).expect("marker");
    bytes[at] = 0xff;
    std::fs::write(d.join("envs/prod/aws-auth.yaml"), bytes).expect("write");
    let v = json(&awsauth(d, &["diff", "HEAD", "--format", "json"]));
    assert!(v.to_string().contains("cannot be read"), "{v}");
    assert!(!v.to_string().contains("is deleted"), "{v}");
    git(d, &["checkout", "-q", "."]);
    // a bare repository has no index
    let bare = tempfile::tempdir().expect("tmp");
    let url = format!("file://{}", d.display());
    git(bare.path(), &["clone", "-q", "--bare", &url, "b.git"]);
    let o = awsauth(&bare.path().join("b.git"), &["diff", "--staged"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("bare repository"), "{}", stderr(&o));
    // an untracked link is not followed (a committed one is no manifest either)
    #[cfg(unix)]
    {
        let outside = tempfile::tempdir().expect("tmp");
        common::write(
            outside.path(),
            "x.yaml",
            &node_cm(admin.replace("role/dev", "role/outside").as_str()),
        );
        std::os::unix::fs::symlink(outside.path().join("x.yaml"), d.join("link.yaml"))
            .expect("link");
        let o = awsauth(d, &["diff", "HEAD", "--format", "json"]);
        exits(&o, 0);
        std::fs::remove_file(d.join("link.yaml")).expect("rm");
    }
    // a template that stays a template: the summary says what was not compared
    common::write(
        d,
        "chart/aws-auth.yaml",
        &node_cm(dev).replace(
            "  name: aws-auth\n",
            "  name: aws-auth\n  labels: {chart: \"{{ .Chart.Name }}\"}\n",
        ),
    );
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "chart"]);
    common::write(
        d,
        "chart/aws-auth.yaml",
        &node_cm(admin).replace(
            "  name: aws-auth\n",
            "  name: aws-auth\n  labels: {chart: \"{{ .Chart.Name }}\"}\n",
        ),
    );
    let o = awsauth(d, &["diff", "HEAD"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("not compared"), "{out}");
    assert!(!out.contains("no aws-auth mappings changed"), "{out}");
    assert_eq!(
        out.matches("a template; lint what it renders").count(),
        1,
        "{out}"
    ); // the configuration's `exclude` leaves out what `lint` leaves out
    git(d, &["checkout", "-q", "."]);
    common::write(d, ".awsauth.yaml", "exclude: [fixtures, \"legacy/**\"]\n");
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "config"]);
    common::write(d, "tests/fixtures/aws-auth.yaml", &node_cm(admin));
    common::write(d, "legacy/aws-auth.yaml", &node_cm(admin));
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "fixtures"]);
    let o = awsauth(d, &["diff", "HEAD~1", "HEAD"]);
    exits(&o, 0);
    let o = awsauth(d, &["diff", "HEAD~1", "HEAD", "--no-config"]);
    exits(&o, 1);
    // nor exclude its own files: `exclude` globs it adds are not applied to it
    common::write(
        d,
        ".awsauth.yaml",
        "exclude: [fixtures, \"legacy/**\", \"sneaky/**\"]\n",
    );
    common::write(d, "sneaky/aws-auth.yaml", &node_cm(admin));
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "sneak"]);
    let o = awsauth(d, &["diff", "HEAD~1", "HEAD", "--format", "json"]);
    exits(&o, 1);
    assert!(json(&o).to_string().contains("adds `exclude` globs"));
    // a change cannot vouch for its own accounts: `cluster.account-ids` come from the base
    common::write(
        d,
        ".awsauth.yaml",
        "cluster:\n  account-ids: [\"111122223333\"]\n",
    );
    git(d, &["commit", "-qam", "accounts"]);
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
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "trust another account"]);
    let v = json(&awsauth(d, &["diff", "HEAD~1", "HEAD", "--format", "json"]));
    let text = v.to_string();
    assert!(text.contains("a principal of another account"), "{v}");
    assert!(text.contains("changes `cluster.account-ids`"), "{v}");
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

#[test]
fn the_base_configuration_is_read_with_its_extends_chain() {
    let dir = repo();
    let d = dir.path();
    let admin = "    - rolearn: arn:aws:iam::111122223333:role/admin\n      username: admin\n      groups: [system:masters]\n";
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
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "config"]);
    common::write(d, "tests/fixtures/aws-auth.yaml", &node_cm(admin));
    partner("777788889999");
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "partner"]);
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
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "trust another account"]);
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
    common::write(d, "legacy/aws-auth.yaml", &node_cm(admin));
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "legacy"]);
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

#[test]
fn the_base_configuration_outside_missing_or_broken() {
    let dir = repo();
    let d = dir.path();
    let admin = node_cm(
        "    - rolearn: arn:aws:iam::111122223333:role/admin\n      username: admin\n      groups: [system:masters]\n",
    );
    // an `extends` that leaves the repository is refused, now and at the base (README
    // "Security model")
    let outside = tempfile::tempdir().expect("tmp");
    common::write(outside.path(), "org.yaml", "exclude: [fixtures]\n");
    let org = outside.path().join("org.yaml");
    common::write(
        d,
        ".awsauth.yaml",
        &format!("extends: {:?}\n", org.display().to_string()),
    );
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "config"]);
    common::write(d, "fixtures/aws-auth.yaml", &admin);
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "fixtures"]);
    let o = awsauth(d, &["diff", "HEAD~1", "HEAD", "--format", "json"]);
    exits(&o, 2);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("it is outside"), "{err}");
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
    // errors in the base configuration are shown (as warnings) and the diff goes on with the
    // defaults for the base: what it excluded is compared
    std::fs::remove_file(d.join("org.yaml")).expect("rm");
    common::write(d, ".awsauth.yaml", "exclude: [fixtures]\nselect: [nope]\n");
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "broken config"]);
    common::write(d, ".awsauth.yaml", "exclude: [fixtures]\n");
    common::write(d, "fixtures/aws-auth.yaml", &admin.replace("admin", "root"));
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "fix config, change fixtures"]);
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
        String::from_utf8_lossy(&o.stdout),
        "::notice file=clusters/prod/aws-auth.yaml,line=13,title=awsauth diff%3A access change::changed: arn:aws:iam::111122223333:role/developers: groups added: ops\n"
    );
}

#[test]
fn a_bare_repository_uses_the_configuration_as_it_is() {
    let dir = repo();
    let d = dir.path();
    common::write(
        d,
        "fixtures/aws-auth.yaml",
        &node_cm(
            "    - rolearn: arn:aws:iam::111122223333:role/admin\n      username: admin\n      groups: [system:masters]\n",
        ),
    );
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "fixtures"]);
    let bare = tempfile::tempdir().expect("tmp");
    let url = format!("file://{}", d.display());
    git(bare.path(), &["clone", "-q", "--bare", &url, "b.git"]);
    common::write(bare.path(), "cfg.yaml", "exclude: [fixtures]\n");
    let cfg = bare.path().join("cfg.yaml");
    let cfg = cfg.to_str().expect("utf-8");
    // no working tree: no configuration belongs to the commits, and `exclude` still applies
    let o = awsauth(
        &bare.path().join("b.git"),
        &[
            "diff", "HEAD~1", "HEAD", "--format", "json", "--config", cfg,
        ],
    );
    exits(&o, 0);
    assert_eq!(changes(&json(&o)), [], "{}", stderr(&o));
}

/// Inputs that made the diff quadratic (issue 11): thousands of documents, thousands of case
/// variants of one user ARN, a mapping with thousands of groups, a one-line flow sequence of
/// thousands of mappings. Each must finish (the watchdog allows a minute in a debug build;
/// `scripts/hostile-bench` times the release binary) with every change found.
#[test]
fn hostile_inputs_are_compared_in_linear_time() {
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    let head = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n";
    let n = 5_000;
    let docs = |g: &str| {
        (0..n)
            .map(|i| format!("---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::111122223333:role/r{i}\n      groups: [{g}]\n"))
            .collect::<String>()
    };
    let variants = |g: &str| {
        let mut s = format!("{head}  mapUsers: |\n");
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
    };
    let groups = |g: &str| {
        let list: Vec<String> = (0..n * 10).map(|i| format!("{g}{i}")).collect();
        format!(
            "{head}  mapRoles: |\n    - rolearn: arn:aws:iam::111122223333:role/r\n      groups: [{}]\n",
            list.join(", ")
        )
    };
    let flow = |g: &str| {
        let list: Vec<String> = (0..n)
            .map(|i| {
                format!(
                    "{{\"rolearn\":\"arn:aws:iam::111122223333:role/r{i}\",\"groups\":[\"{g}\"]}}"
                )
            })
            .collect();
        format!("{head}  mapRoles: '[{}]'\n", list.join(","))
    };
    type Make<'a> = &'a dyn Fn(&str) -> String;
    let cases: [(&str, Make<'_>, usize); 4] = [
        // the last document of one identity is what stays applied
        ("documents", &docs, 1),
        ("case variants", &variants, 1),
        ("groups", &groups, 1),
        ("flow", &flow, n),
    ];
    for (name, make, expected) in cases {
        common::write(d, "old.yaml", &make("g"));
        common::write(d, "new.yaml", &make("h"));
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

/// `--max-file-size`: a version over the limit is not read (nor held), whichever reader, and
/// the diff says so (a new version that cannot be read is a lockout) and fails (exit 2: padding
/// a new file past the limit must not hide what it grants).
#[test]
fn files_over_the_size_limit_are_not_compared() {
    let dir = repo();
    let d = dir.path();
    edit(d, |t| format!("{t}#{}\n", "x".repeat(4000)));
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
    // the working tree
    check(&awsauth(
        d,
        &[
            "diff",
            "HEAD",
            "--format",
            "json",
            "--max-file-size",
            "2KiB",
        ],
    ));
    git(d, &["commit", "-qam", "big"]);
    // two commits, walked and through `git diff`
    check(&walked_as_diffed(
        d,
        &[
            "diff",
            "HEAD~1",
            "HEAD",
            "--format",
            "json",
            "--max-file-size",
            "2KiB",
        ],
    ));
    // raised, it is compared
    let o = awsauth(d, &["diff", "HEAD~1", "HEAD", "--format", "json"]);
    exits(&o, 0);
    // a new file over the limit: not compared, and the run fails
    common::write(
        d,
        "clusters/dev/aws-auth.yaml",
        &format!("{AUTH}#{}\n", "x".repeat(4000)),
    );
    git(d, &["add", "-A"]);
    git(d, &["commit", "-qm", "new"]);
    let o = awsauth(
        d,
        &[
            "diff",
            "HEAD~1",
            "HEAD",
            "--format",
            "github",
            "--max-file-size",
            "2KiB",
        ],
    );
    exits(&o, 2);
}
