//! `sso-matcher`: `sso:` role entries, which match only behind an alpha feature gate.
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::{AwsAuth, SectionKind, Status};

declare_rule! {
    /// ## What it does
    /// Reports `mapRoles` entries that use the `sso:` matcher (`permissionSetName`, `accountID`,
    /// `partition`) instead of a `rolearn`. It is an error when the matcher is invalid (the
    /// authenticator drops the entry) or names a partition other than `aws` (it can never match),
    /// and always when the configuration says the authenticator is release-0.5
    /// (`cluster.authenticator: "0.5"`), which has no `sso:` support.
    ///
    /// ## Why is this bad?
    /// The SSO matcher is an alpha feature behind the `SSORoleMatch` feature gate, which is off by
    /// default and not documented for EKS: without it the entry loads and never matches. With a
    /// non-default partition the pattern the authenticator builds has an empty partition, so it
    /// cannot match either. An invalid `accountID` or `permissionSetName` fails validation and
    /// the entry is dropped.
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
    ///     - sso:
    ///         permissionSetName: Admin
    ///         accountID: "111122223333"
    ///       username: admin:{{SessionName}}
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
    ///     - rolearn: arn:aws:iam::111122223333:role/AWSReservedSSO_Admin_0123456789abcdef
    ///       username: admin:{{SessionName}}
    ///       groups: [platform-admins]
    /// ```
    ///
    /// ## References
    /// - aws-iam-authenticator `pkg/config/features.go` (`SSORoleMatch`, alpha, default off),
    ///   `pkg/config/mapper.go` (`Validate`, `SSOArnLike`), `docs/sso_role_matcher.md`
    pub SSO_MATCHER = "sso-matcher", category: Correctness, severity: Warning,
    summary: "an `sso:` matcher only works behind an alpha feature gate",
}

/// Reports every SSO matcher, as an error when it cannot work at all.
pub fn check(obj: &AwsAuth, cx: &crate::rules::Context<'_>, out: &mut Vec<Diagnostic>) {
    let v05 = cx.cluster.profile == crate::config::file::Profile::V05;
    for entry in &obj.entries {
        let Some(sso) = &entry.sso else { continue };
        if entry.section != SectionKind::MapRoles
            || entry.arn.is_some()
            || matches!(entry.status, Status::Lost(_))
        {
            continue; // both `rolearn` and `sso` is `missing-arn`'s finding
        }
        let section = obj.section(SectionKind::MapRoles);
        let span = section
            .and_then(|s| {
                let item = s.item(entry.index)?;
                let (key, _) = item
                    .as_map()?
                    .iter()
                    .rev()
                    .find(|(k, _)| k.as_str().is_some_and(|k| k.eq_ignore_ascii_case("sso")))?;
                Some(s.outer(&key.span))
            })
            .unwrap_or_else(|| entry.span.clone());
        let matcher = format!(
            "`{}` in account `{}`",
            sso.permission_set_name, sso.account_id
        );
        let d = if v05 {
            Diagnostic::new(
                &SSO_MATCHER,
                &obj.file,
                span,
                format!("release-0.5 (`cluster.authenticator: \"0.5\"`) has no sso matchers: the entry for {matcher} has no ARN and never matches"),
            )
            .label("unknown to this authenticator")
            .help("map the permission set's role ARN with `rolearn` (without its `aws-reserved/sso.amazonaws.com/` path)")
            .severity(Severity::Error)
        } else if let Status::Dropped(reason) = &entry.status {
            Diagnostic::new(&SSO_MATCHER, &obj.file, span, format!("invalid sso matcher: {reason}; the authenticator drops the entry"))
                .label("fails validation")
                .help("`accountID` must be 12 digits, `permissionSetName` 1 to 32 of `[A-Za-z0-9_+=,.@-]`, `partition` a known partition")
                .severity(Severity::Error)
        } else if !sso.partition.is_empty() && sso.partition != "aws" {
            Diagnostic::new(
                &SSO_MATCHER,
                &obj.file,
                span,
                format!("sso matcher for {matcher} in partition `{}` never matches: the authenticator builds its pattern with an empty partition", sso.partition),
            )
            .label("never matches")
            .help("map the permission set's role ARN with `rolearn` (without its `aws-reserved/sso.amazonaws.com/` path)")
            .severity(Severity::Error)
        } else {
            Diagnostic::new(
                &SSO_MATCHER,
                &obj.file,
                span,
                format!("sso matcher for permission set {matcher} only matches with the alpha feature gate `SSORoleMatch`, off by default"),
            )
            .label("never matches without the feature gate")
            .help("map the permission set's role ARN with `rolearn: arn:aws:iam::<account>:role/AWSReservedSSO_<PermissionSet>_<suffix>`")
        };
        out.push(d);
    }
}
