//! What the access-entry sources read: every file under `fixtures/access/` (Terraform module
//! directories, eksctl configs, CloudFormation templates in YAML and JSON) is loaded and what it
//! declares (entries, policy associations, clusters' access settings) is pinned, each field with
//! its line and column, in `tests/snapshots/access/`.
mod common;

use std::fmt::Write as _;
use std::path::Path;

use awsauth::model::Field;
use awsauth::model::access_entries::{AccessDecls, PolicyAssociation};
use awsauth::source::SourceFile;
use common::{files, load, root};

/// A field as `"value"@line:col`, `-` when absent.
fn field(file: &SourceFile, f: Option<&Field>) -> String {
    match f {
        None => "-".to_owned(),
        Some(f) => {
            let lc = file.line_col(f.span.start);
            format!("{:?}@{}:{}", f.value, lc.line, lc.column)
        }
    }
}

fn fields(file: &SourceFile, fs: &[Field]) -> String {
    let items: Vec<String> = fs.iter().map(|f| field(file, Some(f))).collect();
    format!("[{}]", items.join(", "))
}

fn policy(file: &SourceFile, p: &PolicyAssociation) -> String {
    format!(
        "policy {} scope {} namespaces {}",
        field(file, p.policy.as_ref()),
        field(file, p.scope.as_ref()),
        fields(file, &p.namespaces)
    )
}

/// Everything a file declares of access entries, one item per paragraph.
pub fn describe(decls: &AccessDecls) -> String {
    let mut out = String::new();
    for c in &decls.configs {
        let f = &c.file;
        let at = f.line_col(c.span.start);
        let _ = writeln!(
            out,
            "config {} ({:?}) at {}:{}\n  cluster {}\n  mode {} (default {})\n  bootstrap-admin {} (default {})",
            c.origin.name,
            c.origin.tool,
            at.line,
            at.column,
            field(f, c.cluster.as_ref()),
            field(f, c.mode.as_ref()),
            c.default_mode.as_str(),
            field(f, c.bootstrap_admin.as_ref()),
            c.default_bootstrap_admin,
        );
    }
    for e in &decls.entries {
        let f = &e.file;
        let at = f.line_col(e.span.start);
        let _ = writeln!(
            out,
            "entry {} ({:?}) at {}:{}\n  cluster {}\n  principal {}\n  type {}\n  username {}\n  groups {}",
            e.origin.name,
            e.origin.tool,
            at.line,
            at.column,
            field(f, e.cluster.as_ref()),
            field(f, e.principal.as_ref()),
            field(f, e.entry_type.as_ref()),
            field(f, e.username.as_ref()),
            fields(f, &e.groups),
        );
        for p in &e.policies {
            let _ = writeln!(out, "  {}", policy(f, p));
        }
        if let Some(why) = &e.implicit {
            let _ = writeln!(out, "  implicit: {why}");
        }
    }
    for a in &decls.associations {
        let f = &a.file;
        let at = f.line_col(a.policy.span.start);
        let _ = writeln!(
            out,
            "association {} ({:?}) at {}:{}\n  cluster {}\n  principal {}\n  {}",
            a.origin.name,
            a.origin.tool,
            at.line,
            at.column,
            field(f, a.cluster.as_ref()),
            field(f, a.principal.as_ref()),
            policy(f, &a.policy),
        );
    }
    out
}

/// The fixture files: `.tf` and `.tf.json` files (with their module directory), YAML and JSON.
fn fixture_files() -> Vec<std::path::PathBuf> {
    files(
        &root().join("fixtures/access"),
        &["tf", "json", "yaml", "yml"],
    )
}

#[test]
fn access_fixtures_snapshots() {
    let base = root().join("fixtures/access");
    let paths = fixture_files();
    if paths.is_empty() {
        return; // no sources yet
    }
    for path in paths {
        let loaded = load(&path);
        let text = describe(&loaded.access);
        let name = path
            .strip_prefix(&base)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace(['/', '.'], "_");
        insta::with_settings!({snapshot_path => "snapshots/access", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!(name, text);
        });
    }
}

#[test]
fn every_access_fixture_declares_something() {
    for path in fixture_files() {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if name.starts_with("nothing") {
            continue;
        }
        let loaded = load(Path::new(&path));
        assert!(
            !loaded.access.is_empty(),
            "{}: declares no access entry, association or access settings",
            path.display()
        );
    }
}

/// `inspect --format json` of each cluster of `fixtures/access/joined/` (one file each): the
/// cluster's access as one picture, aws-auth alone, both under each mode, access entries alone.
#[test]
fn joined_views_inspect_snapshots() {
    let dir = root().join("fixtures/access/joined");
    for path in files(&dir, &["yaml"]) {
        let rel = path.strip_prefix(root()).unwrap_or(&path);
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_awsauth"))
            .args(["inspect", "--format", "json"])
            .arg(rel)
            .current_dir(root())
            .output()
            .expect("run awsauth");
        assert_eq!(out.status.code(), Some(0), "{}", path.display());
        let json: serde_json::Value =
            serde_json::from_slice(&out.stdout).expect("inspect prints JSON");
        let name = path
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let clusters = serde_json::to_string_pretty(&json["clusters"]).unwrap_or_default();
        insta::with_settings!({snapshot_path => "snapshots/access", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!(format!("joined_{name}"), clusters);
        });
    }
}

/// Linting a directory joins each file's aws-auth with the cluster its own file declares, even
/// when the directory declares several clusters (each `fire*` file of `conflicting-access` is a
/// cluster of its own, and the findings are exactly the per-file ones).
#[test]
fn a_directory_of_several_clusters_joins_each_file_with_its_own() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_awsauth"))
        .args([
            "lint",
            "--no-config",
            "--select",
            "conflicting-access",
            "--format",
            "concise",
            "fixtures/rules/conflicting-access",
        ])
        .current_dir(root())
        .output()
        .expect("run awsauth");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut places: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("conflicting-access"))
        .filter_map(|l| l.split(": ").next())
        .collect();
    places.sort_unstable();
    assert_eq!(
        places,
        [
            "fixtures/rules/conflicting-access/fire.tf:29:19",
            "fixtures/rules/conflicting-access/fire.yaml:11:21",
            "fixtures/rules/conflicting-access/fire.yaml:14:21",
            "fixtures/rules/conflicting-access/fire_cfn.yaml:18:21",
        ],
        "{text}"
    );
}

/// A cluster name holds within the folder of the configuration that applies (or the file's own
/// folder without one): two environments may each declare a cluster `prod`, in two accounts;
/// a configuration at their common root says they are one.
#[test]
fn a_cluster_name_holds_within_its_configuration_folder() {
    let eksctl = |groups: &str| {
        format!(
            "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: prod\n  region: eu-west-1\naccessConfig:\n  authenticationMode: API_AND_CONFIG_MAP\n  bootstrapClusterCreatorAdminPermissions: false\n  accessEntries:\n    - principalARN: arn:aws:iam::111122223333:role/dev\n      kubernetesGroups: [{groups}]\n"
        )
    };
    let auth = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::111122223333:role/dev\n      username: dev\n      groups: [admins]\n";
    let dir = tempfile::tempdir().expect("tmp");
    let d = dir.path();
    common::write(d, "staging/eks.yaml", &eksctl("viewers"));
    common::write(d, "prod/eks.yaml", &eksctl("admins"));
    common::write(d, "prod/aws-auth.yaml", auth);
    let conflicts = |extra: &[&str]| {
        let mut args = vec![
            "lint",
            "--format",
            "concise",
            "--select",
            "conflicting-access",
        ];
        args.extend(extra);
        args.push(".");
        let o = common::awsauth_in_repo(d, &args);
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .filter(|l| l.contains("conflicting-access"))
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    // each folder its own cluster: prod's entry and aws-auth differ only in the username
    // (EKS generates one for the entry), staging's entry is alone
    let apart = conflicts(&["--no-config"]);
    assert_eq!(apart.len(), 1, "{apart:?}");
    assert!(apart[0].starts_with("prod/eks.yaml:"), "{apart:?}");
    // one configuration at the root: one cluster `prod`, and staging's entry meets aws-auth too
    common::write(d, ".awsauth.yaml", "fail-on: error\n");
    let joined = conflicts(&[]);
    assert_eq!(joined.len(), 2, "{joined:?}");
    assert!(
        joined.iter().any(|l| l.starts_with("staging/eks.yaml:")),
        "{joined:?}"
    );
}
