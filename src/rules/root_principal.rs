//! `root-principal`: a mapping for an account's root user.
use crate::arn::Arn;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::AwsAuth;
use crate::rules::active_entries;

declare_rule! {
    /// ## What it does
    /// Reports a mapping whose ARN is `arn:<partition>:iam::<account>:root`.
    ///
    /// ## Why is this bad?
    /// It matches only the account's root user: credentials that should never be used for
    /// day-to-day work and cannot be scoped down. Teams usually write it believing it covers the
    /// whole account (that is `mapAccounts`, itself discouraged). EKS access entries ignore it, so
    /// it cannot be migrated either.
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
    ///     - userarn: arn:aws:iam::111122223333:root
    ///       username: admin
    ///       groups: [platform-admins]
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
    ///     - rolearn: arn:aws:iam::111122223333:role/platform-admin
    ///       username: admin:{{SessionName}}
    ///       groups: [platform-admins]
    /// ```
    ///
    /// ## References
    /// - aws-iam-authenticator `pkg/arn/arn.go` (the root ARN is kept as is)
    /// - AWS: "Safeguard your root user credentials"
    pub ROOT_PRINCIPAL = "root-principal", category: Security, severity: Error,
    summary: "a mapping for the account's root user",
}

/// Reports root-user ARNs.
pub fn check(obj: &AwsAuth, out: &mut Vec<Diagnostic>) {
    for entry in active_entries(obj) {
        let Some(field) = &entry.arn else { continue };
        let Some(arn) = Arn::parse(&field.value) else {
            continue;
        };
        if !arn.service_is("iam") || !arn.resource.eq_ignore_ascii_case("root") {
            continue;
        }
        out.push(
            Diagnostic::new(
                &ROOT_PRINCIPAL,
                &obj.file,
                field.span.clone(),
                format!(
                    "`{}` is the root user of account `{}`",
                    field.value, arn.account
                ),
            )
            .label("the account's root user")
            .help(
                "map a role that people assume instead; root credentials should stay locked away",
            ),
        );
    }
}
