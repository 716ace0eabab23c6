//! `session-arn`: an STS assumed-role session ARN never matches.
use crate::arn::Arn;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::AwsAuth;
use crate::rules::active_entries;

declare_rule! {
    /// ## What it does
    /// Reports an `arn:<partition>:sts::<account>:assumed-role/<role>/<session>` ARN (what
    /// `aws sts get-caller-identity` prints) used as a `rolearn` or `userarn`.
    ///
    /// ## Why is this bad?
    /// The authenticator turns the caller's session ARN into the IAM role ARN
    /// `arn:<partition>:iam::<account>:role/<role>` before the lookup, so a mapping written as a
    /// session ARN never matches, not even for the session it was copied from.
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
    ///     - rolearn: arn:aws:sts::111122223333:assumed-role/deployer/ci-1234
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
    /// - aws-iam-authenticator `pkg/arn/arn.go` (`Canonicalize`)
    pub SESSION_ARN = "session-arn", category: Correctness, severity: Error,
    summary: "an STS session ARN never matches; map the role's IAM ARN",
}

/// Reports assumed-role session ARNs.
pub fn check(obj: &AwsAuth, out: &mut Vec<Diagnostic>) {
    for entry in active_entries(obj) {
        let Some(field) = &entry.arn else { continue };
        let Some(arn) = Arn::parse(&field.value) else {
            continue;
        };
        if !arn.service_is("sts") || !arn.type_is("assumed-role") {
            continue;
        }
        let Some(role) = arn.segments().first().copied().filter(|r| !r.is_empty()) else {
            continue;
        };
        let canonical = arn.canonical_role(role);
        out.push(
            Diagnostic::new(
                &SESSION_ARN,
                &obj.file,
                field.span.clone(),
                format!("`{}` is a session of role `{role}`; callers are compared as `{canonical}`, so it never matches", field.value),
            )
            .label("an STS session, not a principal")
            .help(format!("write `{canonical}`")),
        );
    }
}
