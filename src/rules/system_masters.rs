//! `system-masters`: identities mapped into `system:masters`.
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::AwsAuth;
use crate::model::identity;
use crate::rules::active_entries;

declare_rule! {
    /// ## What it does
    /// Reports `mapRoles`/`mapUsers` entries (and eksctl identity mappings) whose `groups`
    /// contain `system:masters`.
    ///
    /// ## Why is this bad?
    /// `system:masters` is hard-wired cluster-admin: the API server skips authorization for it,
    /// so no RBAC rule can limit or revoke it. A mapping into it is a standing super-user and a
    /// favourite persistence target.
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
    ///     - rolearn: arn:aws:iam::111122223333:role/ops
    ///       username: ops:{{SessionName}}
    ///       groups: [system:masters]
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
    ///       username: ops:{{SessionName}}
    ///       groups: [platform-admins]   # bound to a ClusterRole by RBAC
    /// ```
    ///
    /// ## References
    /// - Kubernetes: "system:masters ... bypasses all authorization"
    /// - EKS best practices: least privilege for cluster access
    pub SYSTEM_MASTERS = "system-masters", category: Security, severity: Warning,
    summary: "an identity is mapped to `system:masters`, unrevokable cluster-admin",
}

/// Reports each `system:masters` group.
pub fn check(obj: &AwsAuth, out: &mut Vec<Diagnostic>) {
    for entry in active_entries(obj) {
        let Some(group) = entry
            .groups
            .iter()
            .find(|g| g.value == identity::SYSTEM_MASTERS)
        else {
            continue;
        };
        let who = entry
            .arn
            .as_ref()
            .map_or_else(|| "this entry".to_owned(), |a| format!("`{}`", a.value));
        let mut d = Diagnostic::new(
            &SYSTEM_MASTERS,
            &obj.file,
            group.span.clone(),
            format!("{who} is mapped to `system:masters`, cluster-admin that RBAC cannot limit or revoke"),
        )
        .label("unrestricted cluster-admin")
        .help("map it to a dedicated group and grant that group a ClusterRole with RBAC");
        if let Some(arn) = &entry.arn {
            d = d.secondary(arn.span.clone(), "this identity");
        }
        out.push(d);
    }
}
