//! `username-audit-trail`: a shared role mapped to a fixed username.
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::identity;
use crate::model::{AwsAuth, SectionKind};
use crate::rules::{active_entries, is_node_mapping};

declare_rule! {
    /// ## What it does
    /// Reports role mappings (other than node mappings) whose username is fixed, without
    /// `{{SessionName}}`.
    ///
    /// ## Why is this bad?
    /// Everyone who assumes the role appears under the same Kubernetes username, so the API server's
    /// audit log cannot tell them apart. EKS access entries append the session name by default.
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
    ///     - rolearn: arn:aws:iam::111122223333:role/developers
    ///       username: developer
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
    ///     - rolearn: arn:aws:iam::111122223333:role/developers
    ///       username: developer:{{SessionName}}
    ///       groups: [developers]
    /// ```
    ///
    /// ## References
    /// - EKS best practices: "Include {{`SessionName`}} in the username"
    pub USERNAME_AUDIT_TRAIL = "username-audit-trail", category: Hygiene, severity: Info,
    summary: "a shared role mapped to a fixed username",
}

/// Reports fixed usernames on shared roles.
pub fn check(obj: &AwsAuth, out: &mut Vec<Diagnostic>) {
    for entry in active_entries(obj) {
        if entry.section != SectionKind::MapRoles
            || is_node_mapping(entry)
            || entry
                .groups
                .iter()
                .any(|g| g.value == identity::SYSTEM_NODE_PROXIER)
        {
            continue;
        }
        let Some(user) = &entry.username else {
            continue;
        };
        if user.value.is_empty() || identity::has_session_name(&user.value) {
            continue;
        }
        out.push(
            Diagnostic::new(
                &USERNAME_AUDIT_TRAIL,
                &obj.file,
                user.span.clone(),
                format!(
                    "everyone who assumes this role is `{}` in the audit log",
                    user.value
                ),
            )
            .label("one name for every session")
            .help(format!("write `{}:{{{{SessionName}}}}`", user.value)),
        );
    }
}
