//! `effective-cluster-admin`: a principal that RBAC makes cluster-admin, outside
//! `system:masters` and access policies.
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::identity::SYSTEM_MASTERS;
use crate::model::rbac::graph::Scope;
use crate::model::rbac::{Capability, Grant, Via};
use crate::rules::{Reached, at_binding, grant_words};

declare_rule! {
    /// ## What it does
    /// Reports an aws-auth mapping or access entry whose groups or username reach, through a
    /// `ClusterRoleBinding`, a role that allows every verb on every resource (`*`/`*`/`*`):
    /// `cluster-admin`, or a `ClusterRole` of the repository written the same way (its
    /// aggregated rules included). The RBAC is the repository's that applies to the cluster,
    /// over Kubernetes' and EKS's built-in roles and bindings; a binding to a role neither
    /// holds grants nothing here.
    ///
    /// Cluster-admin through `system:masters` is `system-masters`' finding, and through
    /// `AmazonEKSClusterAdminPolicy` `cluster-admin-policy`'s; a binding whose `User` subject
    /// only some sessions of a templated username could match (`{{SessionName}}`) is not
    /// certain, and is not reported. Roles listed in `cluster.break-glass-roles` are reported as
    /// info, as for `system-masters`; an `allow` list of this rule silences the principals it
    /// names.
    ///
    /// ## Why is this bad?
    /// A group bound to `cluster-admin` is revocable, unlike `system:masters` (delete the
    /// binding), but while the binding is there every principal mapped to the group is a
    /// standing cluster-admin: every Secret, `pods/exec` on every pod, and the RBAC to grant
    /// anything to anyone. Reviewing aws-auth alone does not show it: the mapping says
    /// `platform`, the binding in another folder says what `platform` is.
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
    ///     - rolearn: arn:aws:iam::111122223333:role/ci
    ///       username: ci
    ///       groups: [deployers]
    /// ---
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRoleBinding
    /// metadata:
    ///   name: deployers
    /// roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
    /// subjects:
    ///   - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: deployers}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: RoleBinding
    /// metadata:
    ///   name: deployers
    ///   namespace: apps
    /// roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
    /// subjects:
    ///   - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: deployers}
    /// ```
    ///
    /// ## Options
    /// - `cluster.break-glass-roles`: these roles' findings are info
    /// - `rules.effective-cluster-admin.allow`: principals allowed to be cluster-admin
    ///
    /// ## References
    /// - Kubernetes: Using RBAC Authorization, "User-facing roles" (`cluster-admin`: "super-user
    ///   access to perform any action on any resource")
    /// - EKS best practices: least privilege for cluster access
    /// - rbac-police `cluster_admin`, kubectl-who-can, rakkess (the same question of live
    ///   clusters)
    pub EFFECTIVE_CLUSTER_ADMIN = "effective-cluster-admin", category: Security, severity: Warning,
    summary: "a principal is cluster-admin through an RBAC binding of its groups or username",
}

/// Whether a grant is cluster-admin through a binding (not `system:masters`, not a policy).
fn admin_binding(g: &Grant<'_>) -> bool {
    g.certain
        && g.binding.is_some()
        && g.scope == Scope::Cluster
        && !matches!(&g.via, Via::Group(m) if m == SYSTEM_MASTERS)
        && !matches!(g.via, Via::Policy(_))
        && g.allows(&Capability::Everything.request(None))
}

/// Reports every principal that a binding makes cluster-admin, at the group or username the
/// binding names (its principal for `system:authenticated`).
pub fn check(reached: &Reached<'_>, out: &mut Vec<(usize, Diagnostic)>) {
    for (row, place, grants) in &reached.rows {
        let admin: Vec<&Grant<'_>> = grants.iter().filter(|g| admin_binding(g)).collect();
        let Some(first) = admin.first() else {
            continue;
        };
        let mut d = Diagnostic::new(
            &EFFECTIVE_CLUSTER_ADMIN,
            place.file,
            place.of_via(&first.via),
            format!(
                "`{}` is cluster-admin through {}: revocable, unlike `system:masters`, but still cluster-admin",
                row.principal,
                grant_words(first),
            ),
        )
        .label("every verb on every resource, cluster-wide")
        .help("bind this group or username to a narrower role (`admin` or `edit` in the namespaces it needs, `view`); keep cluster-admin to break-glass roles (`cluster.break-glass-roles`)");
        d = at_binding(d, first, place.file, "binds it to cluster-admin");
        for g in &admin[1..] {
            d = d.note(format!("also through {}", grant_words(g)));
        }
        out.push((place.part, d));
    }
}
