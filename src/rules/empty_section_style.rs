//! `empty-section-style`: an empty section written as a quoted empty string.
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::AwsAuth;

declare_rule! {
    /// ## What it does
    /// Reports a section whose value is `""`, `''` or two backticks, written as text inside the
    /// string (`mapUsers: |` followed by `""`).
    ///
    /// ## Why is this bad?
    /// Authenticators since August 2023 skip these values, older ones log a parse error. `[]` (or
    /// leaving the key out) means the same everywhere.
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
    ///     ""
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
    ///   mapUsers: "[]"
    /// ```
    ///
    /// ## References
    /// - aws-iam-authenticator PRs #618, #623 (`isSkippable`)
    pub EMPTY_SECTION_STYLE = "empty-section-style", category: Hygiene, severity: Info,
    summary: "an empty section written as a quoted empty string",
}

/// Reports quoted-empty sections.
pub fn check(obj: &AwsAuth, out: &mut Vec<Diagnostic>) {
    for section in &obj.sections {
        let t = section.text.trim();
        if !matches!(t, "''" | "\"\"" | "``") {
            continue;
        }
        out.push(
            Diagnostic::new(
                &EMPTY_SECTION_STYLE,
                &obj.file,
                section.key_span.clone(),
                format!("`{}` holds `{t}`, skipped by current authenticators and a parse error for older ones", section.kind.key()),
            )
            .label("an empty section")
            .secondary(section.value_span.clone(), "an empty string written as text")
            .help(format!("write `{}: \"[]\"` or remove the key", section.kind.key())),
        );
    }
}
