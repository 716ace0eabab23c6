//! `cross-account-principal`: a mapped principal of another account than the cluster's.
use crate::arn::Arn;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::AwsAuth;
use crate::rules::{Context, active_entries};

declare_rule! {
    /// ## What it does
    /// Reports role and user mappings, SSO matchers and `mapAccounts` items whose account is not
    /// one of the cluster's accounts (`cluster.account-ids` in the configuration). Without that
    /// setting the rule is silent.
    ///
    /// ## Why is this bad?
    /// Cross-account access is valid, but it is access granted to principals another team (or
    /// company) administers: who can assume that role is decided outside this account. It is
    /// worth a deliberate review, and EKS access entries accept only `STANDARD` entries across
    /// accounts, so node-style mappings of another account cannot be migrated.
    ///
    /// ## Configuration
    /// ```yaml
    /// cluster:
    ///   account-ids: ["111122223333"]
    /// ```
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
    ///     - rolearn: arn:aws:iam::999988887777:role/vendor-support
    ///       username: vendor:{{SessionName}}
    ///       groups: [view]
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
    ///     - rolearn: arn:aws:iam::111122223333:role/vendor-support
    ///       username: vendor:{{SessionName}}
    ///       groups: [view]
    /// ```
    ///
    /// (a role in the cluster's account that the vendor's principals may assume), or accept it
    /// in the configuration: `rules.cross-account-principal.allow: [{arn: ..., reason: ...}]`.
    ///
    /// ## References
    /// - EKS user guide, access entries: non-`STANDARD` types must be in the cluster's account
    pub CROSS_ACCOUNT_PRINCIPAL = "cross-account-principal", category: Security, severity: Info,
    summary: "a principal from another account than the cluster's",
}

/// Reports principals outside the configured accounts.
pub fn check(obj: &AwsAuth, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let accounts = &cx.cluster.account_ids;
    if accounts.is_empty() || !obj.rejected.is_empty() {
        return;
    }
    let ours = || accounts.join("`, `");
    let mut report = |span: crate::source::Span, what: String, account: &str| {
        out.push(
            Diagnostic::new(
                &CROSS_ACCOUNT_PRINCIPAL,
                &obj.file,
                span,
                format!("{what} is in account `{account}`, not the cluster's (`{}`)", ours()),
            )
            .label(format!("account {account}"))
            .help("confirm this cross-account access is intended, then accept it under `rules.cross-account-principal.allow`"),
        );
    };
    for e in active_entries(obj) {
        if let Some(arn) = &e.arn {
            if let Some(a) = Arn::parse(&arn.value)
                && a.has_valid_account()
                && !accounts.iter().any(|x| x == a.account)
            {
                report(arn.span.clone(), format!("`{}`", arn.value), a.account);
            }
        } else if let Some(sso) = &e.sso
            && !accounts.contains(&sso.account_id)
        {
            report(
                e.span.clone(),
                format!("the sso matcher of `{}`", sso.permission_set_name),
                &sso.account_id,
            );
        }
    }
    for a in obj
        .accounts
        .iter()
        .filter(|a| a.stored && !a.value.is_empty())
    {
        if !accounts.contains(&a.value) {
            report(a.span.clone(), "the `mapAccounts` item".into(), &a.value);
        }
    }
}
