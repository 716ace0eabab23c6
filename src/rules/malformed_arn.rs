//! `malformed-arn`: an ARN that cannot equal any caller's canonical ARN.
use crate::arn::Arn;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::AwsAuth;
use crate::rules::{active_entries, is_placeholder};

declare_rule! {
    /// ## What it does
    /// Reports a `rolearn`/`userarn` that is not a well-formed IAM ARN: not `arn:` and five
    /// colon-separated sections, a bare role or user name, a region (IAM ARNs have none), or an
    /// account that is not 12 digits.
    ///
    /// ## Why is this bad?
    /// Nothing validates ARNs when the map is loaded; the authenticator compares the text with
    /// the caller's canonical ARN, `arn:<partition>:iam::<12-digit account>:role/<name>`. A
    /// malformed ARN never matches, silently.
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
    ///     - userarn: arn:aws:iam:eu-west-1:111122223333:user/ops
    ///       username: ops
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
    ///   mapUsers: |
    ///     - userarn: arn:aws:iam::111122223333:user/ops
    ///       username: ops
    /// ```
    ///
    /// ## References
    /// - aws-iam-authenticator `pkg/arn/arn.go`; aws-cdk issue #4545 (a region in a user ARN)
    pub MALFORMED_ARN = "malformed-arn", category: Correctness, severity: Error,
    summary: "an ARN is malformed and can never match",
}

/// What is wrong with an ARN's shape, if anything.
pub(crate) fn problem(text: &str) -> Option<String> {
    let Some(arn) = Arn::parse(text) else {
        return Some(
            if text
                .get(..4)
                .is_some_and(|p| p.eq_ignore_ascii_case("arn:"))
            {
                "it does not have the six `:`-separated sections of an ARN".into()
            } else {
                "it is not an ARN (it should start with `arn:`)".into()
            },
        );
    };
    if !arn.region.is_empty() && (arn.service_is("iam") || arn.service_is("sts")) {
        return Some(format!(
            "IAM ARNs have no region, but this one has `{}`",
            arn.region
        ));
    }
    if !arn.has_valid_account() {
        return Some(format!("the account `{}` is not 12 digits", arn.account));
    }
    None
}

/// Reports malformed ARNs (placeholders are `arn-pattern`'s business).
pub fn check(obj: &AwsAuth, out: &mut Vec<Diagnostic>) {
    for entry in active_entries(obj) {
        let Some(field) = &entry.arn else { continue };
        if is_placeholder(&field.value) {
            continue;
        }
        let Some(problem) = problem(field.value.trim()) else {
            continue;
        };
        out.push(
            Diagnostic::new(&MALFORMED_ARN, &obj.file, field.span.clone(), format!("`{}` never matches: {problem}", field.value))
                .label("malformed ARN")
                .help("write `arn:<partition>:iam::<12-digit account>:role/<name>` (or `:user/<path/name>` in mapUsers)"),
        );
    }
}
