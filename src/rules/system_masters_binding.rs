//! `system-masters-binding`: a binding whose subject is the `system:masters` group.
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::load::FileLoad;
use crate::model::identity;
use crate::rules::kind_words;

declare_rule! {
    /// ## What it does
    /// Reports a `RoleBinding` or `ClusterRoleBinding` with the subject `Group` `system:masters`.
    /// Parity with trivy's KSV-0115.
    ///
    /// ## Why is this bad?
    /// `system:masters` already bypasses authorization; binding roles to it changes nothing for
    /// its members but suggests that access is managed by RBAC when it is not. It usually means
    /// someone is preparing to map identities into `system:masters`.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRoleBinding
    /// metadata:
    ///   name: admins
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: ClusterRole
    ///   name: cluster-admin
    /// subjects:
    ///   - kind: Group
    ///     name: system:masters
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRoleBinding
    /// metadata:
    ///   name: admins
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: ClusterRole
    ///   name: cluster-admin
    /// subjects:
    ///   - kind: Group
    ///     name: platform-admins
    /// ```
    ///
    /// ## References
    /// - trivy KSV-0115
    pub SYSTEM_MASTERS_BINDING = "system-masters-binding", category: Security, severity: Warning,
    summary: "a RoleBinding or ClusterRoleBinding binds the `system:masters` group",
}

/// Reports bindings of `system:masters`.
pub fn check(load: &FileLoad, out: &mut Vec<Diagnostic>) {
    for obj in load.rbac.iter().filter(|o| o.kind.ends_with("Binding")) {
        for subject in obj
            .subjects
            .iter()
            .filter(|s| s.kind == "Group" && s.name.value == identity::SYSTEM_MASTERS)
        {
            let name = obj.name.as_ref().map_or("(unnamed)", |n| n.value.as_str());
            out.push(
                Diagnostic::new(
                    &SYSTEM_MASTERS_BINDING,
                    &obj.file,
                    subject.name.span.clone(),
                    format!("{} `{name}` binds `system:masters`, a group that RBAC cannot restrict", kind_words(&obj.kind)),
                )
                .label("the system:masters group")
                .help("bind a group of your own, and map identities to that group instead of `system:masters`"),
            );
        }
    }
}
