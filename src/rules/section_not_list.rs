//! `section-not-list`: a section that parses but is not a list, or list items that are not mappings.
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::{AwsAuth, DecodeIssueKind, SectionKind, SectionState};

declare_rule! {
    /// ## What it does
    /// Reports a `mapRoles`/`mapUsers`/`mapAccounts` string whose YAML is valid but is not a
    /// list (a single mapping, a scalar, a JSON object), and list items that are not mappings
    /// (or, in `mapAccounts`, not scalars).
    ///
    /// ## Why is this bad?
    /// The authenticator decodes each section into a list. A mapping or scalar decodes to
    /// nothing: the whole section is empty. An item that is not a mapping has no ARN, so it is
    /// dropped; a `mapAccounts` item that is a mapping is skipped.
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
    ///     userarn: arn:aws:iam::111122223333:user/ops
    ///     username: ops
    ///     groups: [ops]
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
    ///       groups: [ops]
    /// ```
    pub SECTION_NOT_LIST = "section-not-list", category: Correctness, severity: Error,
    summary: "a section is not a list, or a list item is not a mapping",
}

/// Reports non-list sections and non-mapping items.
pub fn check(obj: &AwsAuth, out: &mut Vec<Diagnostic>) {
    for section in &obj.sections {
        let key = section.kind.key();
        if let SectionState::NotList { found, span } = &section.state {
            out.push(
                Diagnostic::new(
                    &SECTION_NOT_LIST,
                    &obj.file,
                    span.clone(),
                    format!(
                        "`{key}` is a {found}, not a list; the authenticator loads nothing from it"
                    ),
                )
                .label(format!("a {found}"))
                .help("make every mapping a list item starting with `- `"),
            );
        }
        for issue in &section.issues {
            let DecodeIssueKind::ItemNotMapping { found } = &issue.kind else {
                continue;
            };
            let (message, help) = if section.kind == SectionKind::MapAccounts {
                (
                    format!(
                        "`{key}` item is a {found}, not an account id; the authenticator skips it"
                    ),
                    "write each account as a quoted 12-digit string, e.g. `- \"111122223333\"`",
                )
            } else {
                (
                    format!(
                        "`{key}` item is a {found}, not a mapping; the entry has no ARN and is dropped"
                    ),
                    "write the entry as a mapping with `rolearn`/`userarn`, `username` and `groups`",
                )
            };
            out.push(
                Diagnostic::new(&SECTION_NOT_LIST, &obj.file, issue.span.clone(), message)
                    .label(format!("a {found}"))
                    .help(help),
            );
        }
    }
}
