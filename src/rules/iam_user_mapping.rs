//! `iam-user-mapping`: IAM users mapped one by one.
use crate::arn::Arn;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::{AwsAuth, SectionKind, Status};
use crate::rules::active_entries;

declare_rule! {
    /// ## What it does
    /// Reports `mapUsers` entries (and eksctl mappings of `user/` ARNs) that map an IAM user.
    ///
    /// ## Why is this bad?
    /// IAM users carry long-lived access keys, and a mapping per person has to be kept in step
    /// with every arrival and departure. AWS and the EKS best practices recommend mapping roles
    /// that people assume (through IAM Identity Center or federation) and including
    /// `{{SessionName}}` in the username for the audit trail.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata:
    ///   name: aws-auth
    ///   namespace: kube-system
    /// data:
    ///   mapUsers: |
    ///     - userarn: arn:aws:iam::111122223333:user/alice
    ///       username: alice
    ///       groups: [developers]
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata:
    ///   name: aws-auth
    ///   namespace: kube-system
    /// data:
    ///   mapRoles: |
    ///     - rolearn: arn:aws:iam::111122223333:role/developers
    ///       username: dev:{{SessionName}}
    ///       groups: [developers]
    /// ```
    ///
    /// ## References
    /// - EKS best practices, "Identity and access management": prefer roles to IAM users
    pub IAM_USER_MAPPING = "iam-user-mapping", category: Security, severity: Warning,
    summary: "an IAM user is mapped; prefer roles that people assume",
}

/// Reports each stored IAM user mapping.
pub fn check(obj: &AwsAuth, out: &mut Vec<Diagnostic>) {
    for entry in active_entries(obj) {
        if entry.section != SectionKind::MapUsers
            || !matches!(
                entry.status,
                Status::Effective | Status::NotRead(_) | Status::Shadowed { .. }
            )
        {
            continue;
        }
        let Some(field) = &entry.arn else { continue };
        if !Arn::parse(&field.value).is_some_and(|a| a.service_is("iam") && a.type_is("user")) {
            continue;
        }
        out.push(
            Diagnostic::new(
                &IAM_USER_MAPPING,
                &obj.file,
                field.span.clone(),
                format!("`{}` is an IAM user mapped directly: long-lived keys and one mapping per person", field.value),
            )
            .label("an IAM user")
            .help("map a role the user assumes instead, with `{{SessionName}}` in the username"),
        );
    }
}
