//! `arn-pattern`: an ARN holds a wildcard, a placeholder, whitespace or invisible characters.
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::{AwsAuth, SourceKind};
use crate::rules::{active_entries, is_placeholder};

declare_rule! {
    /// ## What it does
    /// Reports an ARN with `*` or `?`, a template or documentation placeholder (`${var}`,
    /// `<ARN>`, `{{x}}`, `ACCOUNT_ID`), leading or trailing whitespace inside quotes, or non-ASCII and
    /// zero-width characters.
    ///
    /// ## Why is this bad?
    /// ARNs are compared as exact (case-insensitive) strings: wildcards are not patterns, and a
    /// placeholder or a stray space never matches anything. Wildcard role matching was refused upstream
    /// for security reasons.
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
    ///     - rolearn: arn:aws:iam::111122223333:role/eks-*
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
    ///     - rolearn: arn:aws:iam::111122223333:role/eks-ops
    ///       username: ops
    /// ```
    ///
    /// ## References
    /// - aws-iam-authenticator PR #416 review; containers-roadmap #474
    pub ARN_PATTERN = "arn-pattern", category: Correctness, severity: Error,
    summary: "an ARN holds a wildcard, a placeholder, whitespace or invisible characters",
}

/// Reports ARNs that are patterns or placeholders rather than ARNs.
pub fn check(obj: &AwsAuth, out: &mut Vec<Diagnostic>) {
    for entry in active_entries(obj) {
        let Some(field) = &entry.arn else { continue };
        let v = field.value.as_str();
        let problem = if memchr::memchr2(b'*', b'?', v.as_bytes()).is_some() {
            "wildcards are not patterns here; the ARN is compared as written".to_owned()
        } else if is_placeholder(v) && !(obj.kind == SourceKind::Terraform && v.contains("${")) {
            // (in Terraform, `${...}` stands for a value not known from the repository)
            "it holds a placeholder that was never filled in".to_owned()
        } else if v.trim() != v {
            if v.ends_with('\n') {
                "it ends with a line break (a block scalar keeps one)".to_owned()
            } else {
                "it has leading or trailing whitespace".to_owned()
            }
        } else if let Some(c) = v.chars().find(|c| !c.is_ascii() || c.is_ascii_control()) {
            format!(
                "it holds the character U+{:04X}, which no ARN contains",
                u32::from(c)
            )
        } else {
            continue;
        };
        out.push(
            Diagnostic::new(
                &ARN_PATTERN,
                &obj.file,
                field.span.clone(),
                format!("`{}` never matches: {problem}", v.trim()),
            )
            .label("not an exact ARN")
            .help("write the exact ARN of one role or user"),
        );
    }
}
