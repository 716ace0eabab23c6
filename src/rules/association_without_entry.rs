//! `association-without-entry`: an access policy association for a principal that has no access
//! entry in its cluster.
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::cluster::{Cluster, principal_key};
use crate::rules::is_placeholder;

declare_rule! {
    /// ## What it does
    /// Reports an access policy association (Terraform's `aws_eks_access_policy_association`)
    /// whose principal has no access entry among the cluster's declarations in the repository.
    /// It stays silent when an entry's principal is not known from the repository (a variable,
    /// another resource's attribute), as that entry may be the one.
    ///
    /// ## Why is this bad?
    /// EKS associates policies with an access entry, not with an IAM principal: without the
    /// entry, `AssociateAccessPolicy` fails ("The specified principalArn could not be found";
    /// Terraform retries and then fails the apply). Often the entry's ARN is spelled differently
    /// (a path left out, another account), so the association names a principal nothing maps.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_eks_access_entry" "dev" {
    ///   cluster_name  = "prod"
    ///   principal_arn = "arn:aws:iam::111122223333:role/dev"
    /// }
    ///
    /// resource "aws_eks_access_policy_association" "dev" {
    ///   cluster_name  = "prod"
    ///   principal_arn = "arn:aws:iam::111122223333:role/developers"
    ///   policy_arn    = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy"
    ///   access_scope {
    ///     type = "cluster"
    ///   }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```hcl
    /// resource "aws_eks_access_entry" "dev" {
    ///   cluster_name  = "prod"
    ///   principal_arn = "arn:aws:iam::111122223333:role/dev"
    /// }
    ///
    /// resource "aws_eks_access_policy_association" "dev" {
    ///   cluster_name  = "prod"
    ///   principal_arn = aws_eks_access_entry.dev.principal_arn
    ///   policy_arn    = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy"
    ///   access_scope {
    ///     type = "cluster"
    ///   }
    /// }
    /// ```
    ///
    /// ## References
    /// - EKS user guide: "Associate access policies with access entries"
    /// - Terraform AWS provider, `aws_eks_access_policy_association`
    pub ASSOCIATION_WITHOUT_ENTRY = "association-without-entry", category: Correctness, severity: Error,
    summary: "an access policy association for a principal without an access entry",
}

/// Reports the cluster's associations whose principal has no entry.
pub fn check(c: &Cluster<'_>, out: &mut Vec<(usize, Diagnostic)>) {
    if c.associations.is_empty()
        || c.entries
            .iter()
            .any(|(_, e)| e.principal_arn().is_none_or(|p| p.contains("${")))
    {
        return;
    }
    let keys: Vec<String> = c
        .entries
        .iter()
        .filter_map(|(_, e)| e.principal_arn().map(principal_key))
        .collect();
    for (i, a) in &c.associations {
        let Some(p) = &a.principal else {
            continue;
        };
        if p.value.contains("${") || is_placeholder(&p.value) {
            continue;
        }
        let key = principal_key(&p.value);
        if keys.contains(&key) {
            continue;
        }
        let mut d = Diagnostic::new(
            &ASSOCIATION_WITHOUT_ENTRY,
            &a.file,
            p.span.clone(),
            format!("`{}` has no access entry in this cluster", p.value),
        )
        .label("no access entry for this principal")
        .help("declare an `aws_eks_access_entry` for it, and reference its `principal_arn` here");
        if let Some(near) = keys.iter().find(|k| similar(k, &key)) {
            d = d.note(format!("an access entry exists for `{near}`"));
        }
        out.push((*i, d));
    }
}

/// Whether two principal keys name the same role or user in different accounts or partitions.
fn similar(a: &str, b: &str) -> bool {
    let name = |k: &str| k.rsplit('/').next().map(str::to_owned);
    name(a) == name(b)
}
