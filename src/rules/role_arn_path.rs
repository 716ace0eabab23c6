//! `role-arn-path`: a role ARN with a path never matches.
use crate::arn::Arn;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::AwsAuth;
use crate::rules::active_entries;

declare_rule! {
    /// ## What it does
    /// Reports a role ARN whose resource has a path: `role/<path>/<name>`, including IAM Identity
    /// Center roles (`role/aws-reserved/sso.amazonaws.com/...`) and service-linked roles
    /// (`role/aws-service-role/...`). The message shows the path-less ARN to write.
    ///
    /// ## Why is this bad?
    /// The authenticator compares mappings with the caller's canonical ARN, built from the STS
    /// `assumed-role` ARN, which never contains the role's path: `arn:aws:iam::<account>:role/<name>`.
    /// A `rolearn` with a path loads without a word and never matches, so whoever it was meant
    /// for (often every node of a managed node group) is refused.
    ///
    /// EKS access entries are the reverse: they need the full ARN *with* the path (EKS resolves
    /// it to the role's id), and `access-entry-role-path` reports an Identity Center role written
    /// without it there.
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
    ///     - rolearn: arn:aws:iam::111122223333:role/platform/deployer
    ///       username: deployer
    ///       groups: [deployers]
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
    ///     - rolearn: arn:aws:iam::111122223333:role/deployer
    ///       username: deployer
    ///       groups: [deployers]
    /// ```
    ///
    /// ## References
    /// - aws-iam-authenticator `pkg/arn/arn.go` (`Canonicalize`); issue #268
    /// - EKS user guide: "The role ARN can't include a path"
    pub ROLE_ARN_PATH = "role-arn-path", category: Correctness, severity: Error,
    summary: "a role ARN with a path never matches; write it without the path",
}

/// Reports role ARNs with a path.
pub fn check(obj: &AwsAuth, out: &mut Vec<Diagnostic>) {
    for entry in active_entries(obj) {
        let Some(field) = &entry.arn else { continue };
        let Some(arn) = Arn::parse(&field.value) else {
            continue;
        };
        if !arn.service_is("iam") || !arn.type_is("role") || arn.segments().len() < 2 {
            continue;
        }
        let canonical = arn.canonical_role(arn.name());
        let path = &arn.resource["role".len()..arn.resource.len() - arn.name().len()];
        let kind =
            if crate::arn::starts_with_ignoring_case(path, "/aws-reserved/sso.amazonaws.com/") {
                " (an IAM Identity Center role)"
            } else if crate::arn::starts_with_ignoring_case(path, "/aws-service-role/") {
                " (a service-linked role)"
            } else {
                ""
            };
        out.push(
            Diagnostic::new(
                &ROLE_ARN_PATH,
                &obj.file,
                field.span.clone(),
                format!("role ARN `{}` has the path `{path}`{kind}; callers are compared as `{canonical}`, so it never matches", field.value),
            )
            .label("never matches")
            .help(if field.value.contains("${") && obj.kind == crate::model::SourceKind::Terraform {
                // an ARN Terraform knows only after apply (`aws_iam_role.x.arn`): its path is
                // known, its account is not
                format!("map the ARN without the path `{path}` (build it from the role's name), or give the role no `path`")
            } else {
                format!("write `{canonical}`")
            }),
        );
    }
}
