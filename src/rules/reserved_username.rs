//! `reserved-username`: a username with a prefix reserved for built-in identities.
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::AwsAuth;
use crate::model::access_entries::AccessDecls;
use crate::model::identity;
use crate::rules::active_entries;

declare_rule! {
    /// ## What it does
    /// Reports usernames starting with `system:` outside node mappings (an error:
    /// `system:kube-scheduler`, `system:serviceaccount:…`, `system:admin`) and with the AWS-reserved
    /// `eks:`, `aws:`, `amazon:`, `iam:` prefixes (a warning). In an EKS access entry's `username`
    /// every one of these prefixes is an error: EKS rejects the entry.
    ///
    /// ## Why is this bad?
    /// A `system:` username impersonates a Kubernetes component or service account and inherits
    /// whatever RBAC grants it. The AWS prefixes are rejected by EKS access entries, so the mapping
    /// cannot be migrated. An access entry with one of them is not created at all:
    /// `CreateAccessEntry` fails, and with it the apply (Terraform, CloudFormation, eksctl).
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata:
    ///   name: aws-auth
    ///   namespace: kube-system
    /// data:
    ///   mapRoles: |
    ///     - rolearn: arn:aws:iam::111122223333:role/ci
    ///       username: system:kube-controller-manager
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
    ///     - rolearn: arn:aws:iam::111122223333:role/ci
    ///       username: ci:{{SessionName}}
    /// ```
    ///
    /// ## References
    /// - EKS user guide, "Create access entries": usernames can't start with `system:`, `eks:`, `aws:`, `amazon:`, `iam:`
    ///   (<https://docs.aws.amazon.com/eks/latest/userguide/creating-access-entries.html>)
    pub RESERVED_USERNAME = "reserved-username", category: Security, severity: Error,
    summary: "a username with a prefix reserved for built-in identities",
}

/// Reports reserved username prefixes.
pub fn check(obj: &AwsAuth, out: &mut Vec<Diagnostic>) {
    for entry in active_entries(obj) {
        let Some(user) = &entry.username else {
            continue;
        };
        let v = user.value.as_str();
        let d = if identity::is_system_username(v) {
            Diagnostic::new(
                &RESERVED_USERNAME,
                &obj.file,
                user.span.clone(),
                format!("username `{v}` impersonates a built-in Kubernetes identity"),
            )
            .label("a reserved `system:` name")
            .help("give the mapping its own name and grant it what it needs with RBAC")
        } else if let Some(prefix) = identity::AWS_RESERVED_PREFIXES
            .into_iter()
            .find(|p| v.starts_with(p))
        {
            Diagnostic::new(&RESERVED_USERNAME, &obj.file, user.span.clone(), format!("username `{v}` uses the AWS-reserved prefix `{prefix}`; EKS access entries reject it"))
                .label("an AWS-reserved prefix")
                .help("choose a username without `eks:`, `aws:`, `amazon:` or `iam:`")
                .severity(Severity::Warning)
        } else {
            continue;
        };
        out.push(d);
    }
}

/// Reports access entry usernames with a reserved prefix: EKS rejects every one of them. Node
/// types take no username at all (`access-entry-type` reports it).
pub fn check_access(decls: &AccessDecls, out: &mut Vec<Diagnostic>) {
    for (entry, user) in decls.written_usernames() {
        let v = user.value.as_str();
        let Some(prefix) = std::iter::once(identity::SYSTEM_PREFIX)
            .chain(identity::AWS_RESERVED_PREFIXES)
            .find(|p| v.starts_with(p))
        else {
            continue;
        };
        out.push(
            Diagnostic::new(
                &RESERVED_USERNAME,
                &entry.file,
                user.span.clone(),
                format!("access entry username `{v}` starts with the reserved prefix `{prefix}`; EKS rejects it"),
            )
            .label("a reserved prefix")
            .help("choose a username without `system:`, `eks:`, `aws:`, `amazon:` or `iam:`, such as `ci:{{SessionName}}`"),
        );
    }
}
