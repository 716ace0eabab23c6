//! `unused-suppression`: a suppression comment, annotation or allow-list entry that silences
//! nothing.
use crate::config::Allow;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::source::SourceFile;
use crate::suppress::{Code, Scope, Suppression};

declare_rule! {
    /// ## What it does
    /// Reports a rule named in `# awsauth: ignore[...]`, `# awsauth: file-ignore[...]` or the
    /// `awsauth.dev/ignore` annotation that suppressed no finding, and an `allow` entry of the
    /// configuration that accepted no finding (reported when the run covered the configuration's
    /// whole directory).
    ///
    /// ## Why is this bad?
    /// A suppression outlives the finding it was written for: once the mapping is fixed or
    /// removed, the stale comment would silently hide the next real finding of that rule on the
    /// same entry. An allow entry that matches nothing is a typo or a left-over exception.
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
    ///     - rolearn: arn:aws:iam::111122223333:role/dev # awsauth: ignore[system-masters] legacy
    ///       username: dev:{{SessionName}}
    ///       groups: [developers]
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
    ///     - rolearn: arn:aws:iam::111122223333:role/dev
    ///       username: dev:{{SessionName}}
    ///       groups: [developers]
    /// ```
    ///
    /// A suppression of a rule that is turned off for the file is not reported.
    ///
    /// ## References
    /// - ruff `RUF100` (unused `noqa`), the model for this rule
    pub UNUSED_SUPPRESSION = "unused-suppression", category: Hygiene, severity: Warning,
    summary: "a suppression or allow entry that silences nothing",
}

/// An unused rule id in a suppression comment or annotation.
pub fn code(file: &std::sync::Arc<SourceFile>, s: &Suppression, c: &Code) -> Diagnostic {
    let what = match s.scope {
        Scope::Line => "suppression",
        Scope::File => "file-level suppression",
        Scope::Annotation => "annotation suppression",
    };
    let help = if s.codes.len() == 1 {
        "remove the suppression".to_owned()
    } else {
        format!("remove `{}` from the list", c.name)
    };
    Diagnostic::new(
        &UNUSED_SUPPRESSION,
        file,
        c.span.clone(),
        format!("unused {what} of `{}`: no such finding here", c.name),
    )
    .label("suppresses nothing")
    .help(help)
}

/// An allow-list entry of the configuration that matched no finding.
pub fn allow(rule: &str, a: &Allow) -> Diagnostic {
    Diagnostic::new(
        &UNUSED_SUPPRESSION,
        &a.file,
        a.span.clone(),
        format!("allow entry `{}` of `{rule}` matches no finding", a.pattern),
    )
    .label("accepts nothing")
    .help("remove the entry, or fix the ARN glob")
}
