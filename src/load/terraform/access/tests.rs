use std::sync::Arc;

use super::super::{load, may_hold_terraform};
use crate::model::access_entries::{AccessDecls, AccessEntry};
use crate::source::SourceFile;

/// What `main.tf` declares, with the other files of its directory.
fn decls(main: &str, others: &[(&str, &str)]) -> AccessDecls {
    let file: Arc<SourceFile> = SourceFile::new("main.tf", main);
    let siblings: Vec<Arc<SourceFile>> = others
        .iter()
        .map(|(n, t)| SourceFile::new(*n, *t))
        .collect();
    load(file, &siblings).access
}

/// Each entry as `name principal`.
fn names(entries: &[AccessEntry]) -> Vec<String> {
    entries
        .iter()
        .map(|e| format!("{} {}", e.origin.name, e.principal_arn().unwrap_or("-")))
        .collect()
}

fn text(f: Option<&crate::model::Field>) -> &str {
    f.map_or("-", |f| f.value.as_str())
}

#[test]
fn for_each_and_count_expand_with_each_bound() {
    let d = decls(
        r#"
locals {
  entries = { b = "arn:aws:iam::111122223333:role/b", a = "arn:aws:iam::111122223333:role/a" }
}
variable "roles" {
  default = ["arn:aws:iam::111122223333:role/y", "arn:aws:iam::111122223333:role/x"]
}
variable "unknown" {}
resource "aws_eks_access_entry" "map" {
  for_each      = local.entries
  cluster_name  = "c-${each.key}"
  principal_arn = each.value
}
resource "aws_eks_access_entry" "set" {
  for_each      = toset(var.roles)
  cluster_name  = "c"
  principal_arn = each.key
}
resource "aws_eks_access_entry" "unknown" {
  for_each      = var.unknown
  cluster_name  = "c"
  principal_arn = each.value.arn
}
resource "aws_eks_access_entry" "partly" {
  for_each      = toset([var.unknown, "arn:aws:iam::111122223333:role/p"])
  cluster_name  = "c"
  principal_arn = each.key
}
resource "aws_eks_access_entry" "counted" {
  count         = 2
  cluster_name  = "c"
  principal_arn = "arn:aws:iam::111122223333:role/n${count.index}"
}
resource "aws_eks_access_entry" "none" {
  count         = 0
  cluster_name  = "c"
  principal_arn = "arn:aws:iam::111122223333:role/none"
}
"#,
        &[],
    );
    assert_eq!(
        names(&d.entries),
        [
            r#"aws_eks_access_entry.map["a"] arn:aws:iam::111122223333:role/a"#,
            r#"aws_eks_access_entry.map["b"] arn:aws:iam::111122223333:role/b"#,
            r#"aws_eks_access_entry.set["arn:aws:iam::111122223333:role/x"] arn:aws:iam::111122223333:role/x"#,
            r#"aws_eks_access_entry.set["arn:aws:iam::111122223333:role/y"] arn:aws:iam::111122223333:role/y"#,
            "aws_eks_access_entry.unknown[each.key] ${each.value.arn}",
            // (`toset` of a value not known is not known as a whole)
            "aws_eks_access_entry.partly[each.key] ${each.key}",
            "aws_eks_access_entry.counted[0] arn:aws:iam::111122223333:role/n0",
            "aws_eks_access_entry.counted[1] arn:aws:iam::111122223333:role/n1",
        ]
    );
    assert_eq!(text(d.entries[0].cluster.as_ref()), "c-a");
}

#[test]
fn unknown_values_are_placeholders_on_their_expression() {
    let main = r#"data "aws_caller_identity" "current" {}
resource "aws_eks_access_entry" "x" {
  cluster_name      = var.cluster
  principal_arn     = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/x"
  kubernetes_groups = var.groups
}
"#;
    let d = decls(
        main,
        &[(
            "variables.tf",
            "variable \"cluster\" {}\nvariable \"groups\" {}\n",
        )],
    );
    let e = &d.entries[0];
    let cluster = e.cluster.as_ref().expect("cluster");
    assert_eq!(cluster.value, "${var.cluster}");
    assert_eq!(&main[cluster.span.clone()], "var.cluster");
    assert_eq!(
        e.principal_arn(),
        Some("arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/x")
    );
    assert_eq!(e.groups.len(), 1);
    assert_eq!(e.groups[0].value, "${var.groups}");
}

#[test]
fn clusters_join_entries_on_the_same_text() {
    let main = r#"resource "aws_eks_cluster" "known" {
  name = "prod"
}
resource "aws_eks_cluster" "unknown" {
  name = var.name
}
resource "aws_eks_access_entry" "a" {
  cluster_name  = aws_eks_cluster.known.id
  principal_arn = "arn:aws:iam::111122223333:role/a"
}
resource "aws_eks_access_entry" "b" {
  cluster_name  = aws_eks_cluster.unknown.id
  principal_arn = "arn:aws:iam::111122223333:role/b"
}
variable "name" {}
"#;
    let d = decls(main, &[]);
    let clusters: Vec<&str> = d.configs.iter().map(|c| text(c.cluster.as_ref())).collect();
    assert_eq!(clusters, ["prod", "${aws_eks_cluster.unknown.name}"]);
    let entries: Vec<&str> = d.entries.iter().map(|e| text(e.cluster.as_ref())).collect();
    assert_eq!(entries, ["prod", "${aws_eks_cluster.unknown.name}"]);
    let span = d.entries[0].cluster.as_ref().expect("cluster").span.clone();
    assert_eq!(&main[span], "aws_eks_cluster.known.id");
}

/// An eks module block of `version` with `inputs`.
fn eks(version: &str, inputs: &str) -> String {
    format!(
        "module \"eks\" {{\n  source  = \"terraform-aws-modules/eks/aws\"\n  version = \"{version}\"\n{inputs}\n}}\n"
    )
}

#[test]
fn module_v20_and_v21_name_their_cluster_differently() {
    let inputs = "  cluster_name = \"twenty\"\n  name = \"twenty-one\"\n";
    for (version, want) in [
        ("~> 20.0", "twenty"),
        ("~> 21.0", "twenty-one"),
        ("20.37.2", "twenty"),
    ] {
        let d = decls(&eks(version, inputs), &[]);
        assert_eq!(d.configs.len(), 1, "{version}");
        let c = &d.configs[0];
        assert_eq!(text(c.cluster.as_ref()), want, "{version}");
        assert_eq!(
            c.mode(),
            Some(crate::model::access_entries::AuthMode::ApiAndConfigMap)
        );
        assert_eq!(c.bootstrap_admin(), Some(false));
    }
    // v21 without `name`: the module's output stands for it
    let d = decls(&eks("~> 21.0", "  cluster_name = \"old\"\n"), &[]);
    assert_eq!(
        text(d.configs[0].cluster.as_ref()),
        "${module.eks.cluster_name}"
    );
    // no access entries before v20, none from the aws-auth submodule
    for version in ["~> 19.0", "~> 18.0", "17.24.0"] {
        assert!(decls(&eks(version, inputs), &[]).is_empty(), "{version}");
    }
    let sub = "module \"a\" {\n  source = \"terraform-aws-modules/eks/aws//modules/aws-auth\"\n  version = \"~> 20.0\"\n}\n";
    assert!(decls(sub, &[]).is_empty());
    // not pinned: `cluster_name` is v20's input
    let unpinned = "module \"eks\" {\n  source = \"terraform-aws-modules/eks/aws\"\n  cluster_name = \"p\"\n}\n";
    assert_eq!(text(decls(unpinned, &[]).configs[0].cluster.as_ref()), "p");
}

#[test]
fn module_entries_the_creator_and_node_types() {
    let entries = r#"
  enable_cluster_creator_admin_permissions = true
  access_entries = {
    node = {
      principal_arn = "arn:aws:iam::111122223333:role/node"
      type          = "EC2_LINUX"
      policy_associations = {
        v = { policy_arn = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy", access_scope = { type = "cluster" } }
      }
    }
    ns = {
      principal_arn = "arn:aws:iam::111122223333:role/ns"
      policy_associations = {
        e = { policy_arn = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSEditPolicy", access_scope = { type = "namespace", namespaces = ["a", "b"] } }
      }
    }
  }
"#;
    let d = decls(
        &eks("~> 20.0", &format!("  cluster_name = \"c\"\n{entries}")),
        &[],
    );
    assert_eq!(
        names(&d.entries),
        [
            r#"module.eks.access_entries["cluster_creator"] ${data.aws_iam_session_context.current.issuer_arn}"#,
            r#"module.eks.access_entries["node"] arn:aws:iam::111122223333:role/node"#,
            r#"module.eks.access_entries["ns"] arn:aws:iam::111122223333:role/ns"#,
        ]
    );
    let creator = &d.entries[0];
    assert!(creator.implicit.is_some());
    assert_eq!(
        creator.policies[0].policy_name(),
        Some("AmazonEKSClusterAdminPolicy")
    );
    assert!(creator.policies[0].is_cluster_scope());
    // the module drops the policies of node types
    assert!(d.entries[1].policies.is_empty());
    let ns = &d.entries[2].policies[0];
    assert_eq!(text(ns.scope.as_ref()), "namespace");
    assert_eq!(ns.namespaces.len(), 2);
    assert!(d.entries.iter().all(|e| text(e.cluster.as_ref()) == "c"));

    // a user entry of the key `cluster_creator` replaces the module's
    let own = r#"
  enable_cluster_creator_admin_permissions = true
  access_entries = {
    cluster_creator = { principal_arn = "arn:aws:iam::111122223333:role/ci" }
  }
"#;
    let d = decls(&eks("~> 21.0", own), &[]);
    assert_eq!(
        names(&d.entries),
        [r#"module.eks.access_entries["cluster_creator"] arn:aws:iam::111122223333:role/ci"#]
    );
    assert!(d.entries[0].implicit.is_none());
    // the flag not known, or false: no creator entry is guessed
    let flag = "  enable_cluster_creator_admin_permissions = var.admin\n";
    assert!(decls(&eks("~> 21.0", flag), &[]).entries.is_empty());
    // a module per key: each with its name
    let each = "module \"eks\" {\n  source = \"terraform-aws-modules/eks/aws\"\n  version = \"~> 21.0\"\n  for_each = toset([\"a\", \"b\"])\n  name = \"eks-${each.key}\"\n  access_entries = { x = { principal_arn = \"arn:aws:iam::111122223333:role/${each.key}\" } }\n}\n";
    let d = decls(each, &[]);
    let clusters: Vec<String> = d
        .configs
        .iter()
        .map(|c| format!("{} {}", c.origin.name, text(c.cluster.as_ref())))
        .collect();
    assert_eq!(
        clusters,
        [r#"module.eks["a"] eks-a"#, r#"module.eks["b"] eks-b"#]
    );
    assert_eq!(
        names(&d.entries),
        [
            r#"module.eks["a"].access_entries["x"] arn:aws:iam::111122223333:role/a"#,
            r#"module.eks["b"].access_entries["x"] arn:aws:iam::111122223333:role/b"#,
        ]
    );
    // the entries not known: one stands for them
    let d = decls(&eks("~> 21.0", "  access_entries = var.entries\n"), &[]);
    assert_eq!(
        names(&d.entries),
        ["module.eks.access_entries[*] ${var.entries}"]
    );
}

#[test]
fn odd_input_declares_what_it_can_and_never_panics() {
    let main = r#"
resource "aws_eks_access_entry" "types" {
  cluster_name      = ["not", "a", "string"]
  principal_arn     = { a = 1 }
  type              = 3
  user_name         = true
  kubernetes_groups = "not-a-list"
}
resource "aws_eks_access_entry" "blocks" {
  cluster_name { x = 1 }
  principal_arn "label" {}
}
resource "aws_eks_access_entry" "bad_for_each" {
  for_each      = "string"
  principal_arn = each.key
}
resource "aws_eks_access_entry" "bad_count" {
  count         = -1
  principal_arn = "x"
}
resource "aws_eks_access_entry" "huge_count" {
  count         = 100000000000
  principal_arn = "arn:aws:iam::111122223333:role/x"
}
resource "aws_eks_access_entry" "mixed_set" {
  for_each      = [1, "arn:aws:iam::111122223333:role/s", null, [2]]
  principal_arn = each.value
}
resource "aws_eks_access_policy_association" "twice" {
  principal_arn = "arn:aws:iam::111122223333:role/x"
  access_scope {
    type = "cluster"
  }
  access_scope {
    type       = ["namespace"]
    namespaces = [1, null, "ns", ["x"]]
  }
  access_scope = "attribute"
}
resource "aws_eks_cluster" "odd" {
  name = 42
  access_config = "x"
  access_config {
    authentication_mode = ["API"]
    bootstrap_cluster_creator_admin_permissions = "maybe"
  }
}
module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 20.0"
  access_entries = {
    a = "not an object"
    b = { policy_associations = ["x"], type = { t = 1 } }
    c = { policy_associations = { p = 1, q = { access_scope = "cluster" } } }
  }
}
module "eks2" {
  source         = "terraform-aws-modules/eks/aws"
  version        = "~> 21"
  access_entries = ["a", "list"]
  name           = var.name[0]
}
resource "aws_eks_access_entry" {}
resource {}
"#;
    let d = decls(main, &[]);
    let types = &d.entries[0];
    assert_eq!(types.origin.name, "aws_eks_access_entry.types");
    assert!(types.cluster.is_none() && types.principal.is_none());
    assert_eq!(text(types.entry_type.as_ref()), "3");
    assert_eq!(text(types.username.as_ref()), "true");
    assert!(types.groups.is_empty());
    let huge = d
        .entries
        .iter()
        .filter(|e| {
            e.origin
                .name
                .starts_with("aws_eks_access_entry.huge_count[")
        })
        .count();
    assert_eq!(huge, super::MAX_INSTANCES);
    let mixed: Vec<&str> = d
        .entries
        .iter()
        .filter(|e| e.origin.name.starts_with("aws_eks_access_entry.mixed_set"))
        .filter_map(AccessEntry::principal_arn)
        .collect();
    assert_eq!(mixed, ["arn:aws:iam::111122223333:role/s"]);
    assert!(
        !d.entries
            .iter()
            .any(|e| e.origin.name.contains("bad_for_each") || e.origin.name.contains("bad_count"))
    );
    let twice = &d.associations[0];
    assert_eq!(text(twice.policy.scope.as_ref()), "cluster");
    assert_eq!(d.configs.len(), 3);
    assert_eq!(
        text(d.configs[0].cluster.as_ref()),
        "${aws_eks_cluster.odd.name}"
    );
    assert_eq!(d.configs[0].bootstrap_admin(), None);
}

#[test]
fn the_prefilter_lets_access_declarations_through() {
    for text in [
        "resource \"aws_eks_access_entry\" \"x\" {}",
        "resource \"aws_eks_access_policy_association\" \"x\" {}",
        "resource \"aws_eks_cluster\" \"x\" {}",
        "{\"resource\": {\"aws_eks_cluster\": {}}}",
        "module \"eks\" { source = \"terraform-aws-modules/eks/aws\" }",
        "module \"eks\" { source = \"git::https://github.com/terraform-aws-modules/terraform-aws-eks.git?ref=v20.8.5\" }",
        "module \"eks\" { source = \"./eks\"\n access_entries = {} }",
    ] {
        assert!(may_hold_terraform(text), "{text}");
    }
    for text in [
        "resource \"aws_s3_bucket\" \"x\" {}",
        "data \"aws_eks_cluster_auth\" \"x\" {}\nhost = data.aws_eks_cluster.x.endpoint",
    ] {
        assert!(!may_hold_terraform(text), "{text}");
    }
    // the syntax errors of a file that declares access entries matter; of one that only
    // declares a cluster, they are Terraform's to report
    let file: Arc<SourceFile> = SourceFile::new(
        "main.tf",
        "resource \"aws_eks_access_entry\" \"x\" {\n  a = \n",
    );
    let l = load(file, &[]);
    assert!(l.relevant && !l.syntax_errors.is_empty());
    let file: Arc<SourceFile> =
        SourceFile::new("main.tf", "resource \"aws_eks_cluster\" \"x\" {\n  a = \n");
    let l = load(file, &[]);
    assert!(!l.relevant && !l.syntax_errors.is_empty());
}
