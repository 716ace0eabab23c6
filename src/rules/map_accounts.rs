//! `map-accounts`: `mapAccounts` admits every principal of an account.
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::{AwsAuth, SectionKind};

declare_rule! {
    /// ## What it does
    /// Reports every account listed in `mapAccounts` (and eksctl `account:` mappings).
    ///
    /// ## Why is this bad?
    /// Any IAM user or role of a listed account that has no explicit mapping is authenticated,
    /// with its ARN as username. Nobody reviews who that is, every new role in the account gets
    /// in, and there is no EKS access-entry equivalent to migrate to.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata:
    ///   name: aws-auth
    ///   namespace: kube-system
    /// data:
    ///   mapAccounts: |
    ///     - "444455556666"
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
    ///     - rolearn: arn:aws:iam::444455556666:role/partner-readonly
    ///       username: partner:{{SessionName}}
    ///       groups: [partner-readers]
    /// ```
    ///
    /// ## References
    /// - aws-iam-authenticator `pkg/server/server.go` (the `mapAccounts` fallback)
    pub MAP_ACCOUNTS = "map-accounts", category: Security, severity: Warning,
    summary: "`mapAccounts` admits every IAM principal of an account",
}

/// Reports each stored account.
pub fn check(obj: &AwsAuth, out: &mut Vec<Diagnostic>) {
    if !obj.rejected.is_empty()
        || obj
            .section(SectionKind::MapAccounts)
            .is_some_and(crate::model::Section::is_lost)
    {
        return;
    }
    for account in obj
        .accounts
        .iter()
        .filter(|a| a.stored && !a.value.is_empty())
    {
        out.push(
            Diagnostic::new(
                &MAP_ACCOUNTS,
                &obj.file,
                account.span.clone(),
                format!("account `{}` is admitted whole: any of its IAM users and roles without a mapping can log in", account.value),
            )
            .label("every principal of this account")
            .help("map the specific roles that need access in `mapRoles` instead"),
        );
    }
}
