//! `noncanonical-key-case`: entry keys spelt in another case.
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::AwsAuth;

declare_rule! {
    /// ## What it does
    /// Reports entry keys written in another case than the documented one: `roleARN`,
    /// `userARN`, `UserName`, `Groups`. With `cluster.authenticator: "0.5"` in the configuration
    /// it is an error: release-0.5 ignores such keys.
    ///
    /// ## Why is this bad?
    /// Current authenticators match entry keys case-insensitively, so they work, but
    /// `release-0.5` decodes with case-sensitive keys and ignores them: the entry loses its ARN
    /// and never matches. Tools that edit aws-auth (eksctl) also expect the lowercase keys.
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
    ///     - roleARN: arn:aws:iam::111122223333:role/ops
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
    ///   mapRoles: |
    ///     - rolearn: arn:aws:iam::111122223333:role/ops
    ///       username: ops
    /// ```
    ///
    /// ## References
    /// - aws-iam-authenticator `yaml_test.go` (crazy-case and open-source-case keys), PR #454
    pub NONCANONICAL_KEY_CASE = "noncanonical-key-case", category: Correctness, severity: Warning,
    summary: "an entry key in another case works today but not on every authenticator",
}

/// Reports known keys in another case.
pub fn check(obj: &AwsAuth, cx: &crate::rules::Context<'_>, out: &mut Vec<Diagnostic>) {
    let v05 = cx.cluster.profile == crate::config::file::Profile::V05;
    for (section, k, key) in crate::rules::entry_keys(obj) {
        let canonical = ["rolearn", "userarn", "username", "groups", "sso"]
            .into_iter()
            .find(|c| c.eq_ignore_ascii_case(key) && *c != key);
        let Some(canonical) = canonical else { continue };
        if v05 {
            // the configured authenticator is release-0.5: the key is ignored
            out.push(
                Diagnostic::new(
                    &NONCANONICAL_KEY_CASE,
                    &obj.file,
                    section.outer(&k.span),
                    format!("`{key}` is ignored by release-0.5 (`cluster.authenticator: \"0.5\"`), which only reads `{canonical}`"),
                )
                .label("ignored by this authenticator")
                .help(format!("write `{canonical}`"))
                .severity(crate::diagnostic::Severity::Error),
            );
            continue;
        }
        out.push(
            Diagnostic::new(
                &NONCANONICAL_KEY_CASE,
                &obj.file,
                section.outer(&k.span),
                format!("`{key}` works on current authenticators, but release-0.5 only reads `{canonical}`"),
            )
            .label("not the canonical spelling")
            .help(format!("write `{canonical}`")),
        );
    }
}
