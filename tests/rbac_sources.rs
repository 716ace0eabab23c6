//! RBAC read from manifests and from the Terraform kubernetes provider's resources: every
//! object, rule, subject and `roleRef` with its line and column (snapshots in
//! `tests/snapshots/rbac/`), and the two forms of `fixtures/rbac-sources/` giving the same
//! grants.

mod common;

use std::collections::BTreeSet;
use std::fmt::Write as _;

use awsauth::load::FileLoad;
use awsauth::model::cluster::Identity;
use awsauth::model::rbac::{Object, Rbac, Request};
use awsauth::source::SourceFile;
use common::{load, root};

fn at(file: &SourceFile, offset: usize) -> String {
    let lc = file.line_col(offset);
    format!("{}:{}", lc.line, lc.column)
}

fn describe(l: &FileLoad) -> String {
    let f = &l.file;
    let mut out = String::new();
    for o in &l.rbac {
        let _ = write!(out, "{} `{}`", o.kind, o.name());
        if let Some(ns) = &o.namespace {
            let _ = write!(out, " in `{}` ({})", ns.value, at(f, ns.span.start));
        }
        let _ = writeln!(out, " at {}", at(f, o.span.start));
        for (k, v) in &o.labels {
            let _ = writeln!(out, "  label {k}={v}");
        }
        if let Some(a) = &o.aggregation {
            let _ = writeln!(out, "  aggregates {a:?}");
        }
        for r in &o.rules {
            let _ = writeln!(
                out,
                "  rule at {}: groups {:?} resources {:?} verbs {:?} names {:?}",
                at(f, r.span.start),
                r.api_groups,
                r.resources,
                r.verbs,
                r.resource_names
            );
        }
        for s in &o.subjects {
            let _ = writeln!(
                out,
                "  subject {} `{}` at {}",
                s.kind,
                s.name.value,
                at(f, s.name.span.start)
            );
        }
        if let Some(r) = &o.role_ref {
            let _ = writeln!(
                out,
                "  roleRef {} `{}` at {}",
                r.kind,
                r.name.value,
                at(f, r.name.span.start)
            );
        }
    }
    out
}

#[test]
fn rbac_sources_snapshots() {
    for name in ["main.tf", "rbac.yaml"] {
        let l = load(&root().join("fixtures/rbac-sources").join(name));
        insta::with_settings!({snapshot_path => "snapshots/rbac", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!(name.replace('.', "_"), describe(&l));
        });
    }
}

/// What each group of the fixture can do, as the grants' roles and scopes.
fn grants_by_group(objects: &[Object]) -> Vec<String> {
    let rbac = Rbac::new(objects);
    ["auditors", "payments-deployers", "nobody"]
        .iter()
        .map(|g| {
            let identity = Identity {
                username: Some("alice".to_owned()),
                groups: BTreeSet::from([(*g).to_owned()]),
                policies: BTreeSet::new(),
            };
            let grants: Vec<String> = rbac
                .grants(&identity)
                .iter()
                .filter(|g| !g.binding.is_some_and(Object::is_builtin))
                .map(|gr| {
                    let secrets = Request::parse("get", "secrets", Some("x")).unwrap();
                    format!(
                        "{g}: {} {} via {} (reads secrets: {})",
                        gr.role_name,
                        gr.scope,
                        gr.via,
                        gr.allows(&secrets)
                    )
                })
                .collect();
            grants.join("; ")
        })
        .collect()
}

#[test]
fn terraform_and_manifests_give_the_same_grants() {
    let tf = load(&root().join("fixtures/rbac-sources/main.tf"));
    let yaml = load(&root().join("fixtures/rbac-sources/rbac.yaml"));
    assert_eq!(tf.rbac.len(), 4, "{}", describe(&tf));
    let (a, b) = (grants_by_group(&tf.rbac), grants_by_group(&yaml.rbac));
    assert_eq!(a, b);
    // the aggregated role holds the labelled role's rule; the binding names `edit` in its namespace
    assert_eq!(
        a[0],
        "auditors: ClusterRole/readers cluster-wide via group `auditors` (reads secrets: true)"
    );
    assert!(a[1].contains("ClusterRole/edit in `payments`"), "{a:?}");
    assert_eq!(a[2], "");
}

/// `unbound-group` says what no binding uses only over directories read as a whole: given file
/// names (as pre-commit passes the changed files), the other files' bindings are not known.
#[test]
fn unbound_group_is_decided_over_directories_not_file_names() {
    let dir = tempfile::tempdir().unwrap();
    let fire =
        std::fs::read_to_string(root().join("fixtures/rules/unbound-group/fire.yaml")).unwrap();
    std::fs::write(dir.path().join("aws-auth.yaml"), fire).unwrap();
    let run = |arg: &str| {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_awsauth"))
            .current_dir(dir.path())
            .args(["lint", "--no-config", "--format", "concise", arg])
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    assert!(run(".").contains("unbound-group"), "{}", run("."));
    assert!(
        !run("aws-auth.yaml").contains("unbound-group"),
        "{}",
        run("aws-auth.yaml")
    );
}
