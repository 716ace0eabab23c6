//! `group-hygiene`: an empty, repeated or padded group.
use std::collections::HashSet;

use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::AwsAuth;
use crate::rules::active_entries;

declare_rule! {
    /// ## What it does
    /// Reports groups that are empty strings (a warning: `- ""`, `- ~`), repeated, or surrounded
    /// by whitespace.
    ///
    /// ## Why is this bad?
    /// An empty group is granted to nobody and hides a mistake; `" system:masters"` is not
    /// `system:masters`; repeated groups make reviews harder.
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
    ///     - rolearn: arn:aws:iam::111122223333:role/dev
    ///       username: dev
    ///       groups: [dev, dev]
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
    ///       username: dev
    ///       groups: [dev]
    /// ```
    pub GROUP_HYGIENE = "group-hygiene", category: Hygiene, severity: Info,
    summary: "an empty, repeated or padded group",
}

/// Reports group list problems.
pub fn check(obj: &AwsAuth, out: &mut Vec<Diagnostic>) {
    for entry in active_entries(obj) {
        // the groups seen so far, in a table when there are many (a pairwise search of a list
        // of thousands would be quadratic)
        let mut seen: HashSet<&str> = HashSet::new();
        let many = entry.groups.len() > 16;
        for (i, g) in entry.groups.iter().enumerate() {
            let repeated = if many {
                !seen.insert(g.value.as_str())
            } else {
                entry.groups[..i].iter().any(|p| p.value == g.value)
            };
            // a wrong-typed item also loads empty; that is `value-type-mismatch`'s finding
            let written_empty = matches!(
                obj.file.slice(&g.span).trim(),
                "" | "\"\"" | "''" | "~" | "null" | "Null" | "NULL"
            );
            let (message, severity) = if g.value.is_empty() && !written_empty {
                continue;
            } else if g.value.is_empty() {
                (
                    "an empty group is granted to nobody".to_owned(),
                    Severity::Warning,
                )
            } else if g.value.trim() != g.value {
                (
                    format!(
                        "group `{}` has surrounding whitespace, so it is not `{}`",
                        g.value,
                        g.value.trim()
                    ),
                    Severity::Info,
                )
            } else if repeated {
                (
                    format!("group `{}` is listed twice", g.value),
                    Severity::Info,
                )
            } else {
                continue;
            };
            out.push(
                Diagnostic::new(&GROUP_HYGIENE, &obj.file, g.span.clone(), message)
                    .label("this group")
                    .help("list each group once, as a plain name")
                    .severity(severity),
            );
        }
    }
}
