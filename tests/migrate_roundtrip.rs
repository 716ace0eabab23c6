//! The round trip with `migrate`: the plan's infrastructure code (Terraform, CloudFormation,
//! eksctl), read back as a source beside the original aws-auth in a cluster in
//! `API_AND_CONFIG_MAP` mode, gives a joined view (`model::cluster`) in which every principal gets
//! exactly what aws-auth alone gave it — the strongest check that the plan is right, and that
//! the readers of access entries read what `migrate` writes.
//!
//! Every case of `fixtures/migrate/` whose proof says "no difference" (exit 0) is checked in each
//! format. The cluster creator's admin entry (eksctl's default `bootstrapClusterCreatorAdminPermissions`)
//! is outside aws-auth by definition and is not compared.
mod common;

use std::collections::BTreeMap;
use std::process::Command;

use awsauth::load::{FileLoad, load_file_with};
use awsauth::model::cluster::{Cluster, Identity, Part, group, join};
use awsauth::source::SourceFile;

/// The cases whose plan is equivalent (`tests/migrate.rs` pins that their proof exits 0).
const CASES: &[(&str, &[&str])] = &[
    (
        "migratable",
        &[
            "--iam-roles",
            "fixtures/migrate/iam-roles.json",
            "--self-managed-node-role",
            "karpenter-node",
        ],
    ),
    (
        "api-ready",
        &[
            "--iam-roles",
            "fixtures/migrate/iam-roles.json",
            "--self-managed-node-role",
            "karpenter-node",
        ],
    ),
    (
        "classifications",
        &[
            "--iam-roles",
            "fixtures/migrate/iam-roles.json",
            "--self-managed-node-role",
            "windows-node",
        ],
    ),
    (
        "role-paths",
        &["--iam-roles", "fixtures/migrate/iam-roles.json"],
    ),
    (
        "masters-with-groups",
        &[
            "--iam-roles",
            "fixtures/migrate/masters-with-groups/iam-roles.json",
        ],
    ),
    (
        "not-loaded",
        &["--iam-roles", "fixtures/migrate/iam-roles.json"],
    ),
    (
        "lost-section",
        &["--iam-roles", "fixtures/migrate/iam-roles.json"],
    ),
    ("escaping", &[]),
];

/// The plan of a case in a format (the proof must say it is equivalent: exit 0).
fn plan(case: &str, extra: &[&str], format: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_awsauth"))
        .args([
            "migrate",
            &format!("fixtures/migrate/{case}"),
            "--cluster",
            "prod",
            "--format",
            format,
        ])
        .args(extra)
        .current_dir(common::root())
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{case} {format}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// The files of the cluster after the plan's phase 1 and 2: the plan's code, declaring the
/// cluster in `API_AND_CONFIG_MAP` mode where the format leaves that to the user.
fn plan_files(format: &str, code: &str) -> Vec<(String, String)> {
    match format {
        "terraform" => vec![
            ("access.tf".into(), code.to_owned()),
            (
                "cluster.tf".into(),
                "resource \"aws_eks_cluster\" \"prod\" {\n  name = \"prod\"\n  access_config {\n    authentication_mode = \"API_AND_CONFIG_MAP\"\n  }\n}\n".into(),
            ),
        ],
        "cloudformation" => {
            // the template's last section is `Resources`: the cluster joins it
            assert!(!code.contains("\nOutputs:"), "{code}");
            let cluster = "  Cluster:\n    Type: AWS::EKS::Cluster\n    Properties:\n      Name: !Ref ClusterName\n      AccessConfig:\n        AuthenticationMode: API_AND_CONFIG_MAP\n";
            let code = if code.contains("\nResources:") {
                format!("{}\n{cluster}", code.trim_end())
            } else {
                format!("{}\nResources:\n{cluster}", code.trim_end())
            };
            vec![("stack.yaml".into(), code)]
        }
        "eksctl" => {
            assert!(code.contains("authenticationMode: API_AND_CONFIG_MAP"), "{code}");
            vec![("cluster.yaml".into(), code.to_owned())]
        }
        _ => unreachable!(),
    }
}

fn load_all(files: &[(String, String)]) -> Vec<FileLoad> {
    let sources: Vec<_> = files
        .iter()
        .map(|(name, text)| SourceFile::new(name.clone(), text.clone()))
        .collect();
    sources
        .iter()
        .map(|f| {
            let siblings: Vec<_> = sources
                .iter()
                .filter(|s| s.name != f.name && awsauth::load::is_terraform(&s.name))
                .cloned()
                .collect();
            load_file_with(f.clone(), &siblings)
        })
        .collect()
}

/// What each principal gets in a cluster, normalised, the creator's entry left out.
fn effective(c: &Cluster<'_>) -> BTreeMap<String, Identity> {
    join(c)
        .effective()
        .into_iter()
        .filter(|(k, _)| *k != "(the cluster's creator)")
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
}

fn clusters_of(loads: &[FileLoad]) -> Vec<Part<'_>> {
    loads
        .iter()
        .map(|l| Part {
            scope: "",
            dir: "",
            configured: None,
            access: &l.access,
            aws_auth: &l.objects,
            rbac: &l.rbac,
        })
        .collect()
}

#[test]
fn every_migratable_plan_read_back_gives_what_aws_auth_gives() {
    let mut failures = Vec::new();
    for (case, extra) in CASES {
        let aws_auth = std::fs::read_to_string(
            common::root().join(format!("fixtures/migrate/{case}/aws-auth.yaml")),
        )
        .expect("aws-auth.yaml");
        let alone = load_all(&[("aws-auth.yaml".into(), aws_auth.clone())]);
        let parts = clusters_of(&alone);
        let before = group(&parts);
        assert_eq!(before.len(), 1, "{case}");
        let expected = effective(&before[0]);
        assert!(!expected.is_empty() || *case == "lost-section", "{case}");
        for format in ["terraform", "cloudformation", "eksctl"] {
            let mut files = plan_files(format, &plan(case, extra, format));
            files.push(("aws-auth.yaml".into(), aws_auth.clone()));
            let loads = load_all(&files);
            let parts = clusters_of(&loads);
            let clusters = group(&parts);
            if clusters.len() != 1 {
                let keys: Vec<_> = clusters.iter().map(|c| format!("{:?}", c.key)).collect();
                failures.push(format!(
                    "{case} {format}: {} clusters: {keys:?}",
                    clusters.len()
                ));
                continue;
            }
            let c = &clusters[0];
            if c.mode() != Some(awsauth::model::access_entries::AuthMode::ApiAndConfigMap) {
                failures.push(format!("{case} {format}: mode {:?}", c.mode()));
            }
            let entries = c.entries.len();
            let got = effective(c);
            if got != expected {
                failures.push(format!(
                    "{case} {format} ({entries} entries): joined view differs\n  aws-auth: {expected:#?}\n  joined:   {got:#?}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
