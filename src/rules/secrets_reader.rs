//! `secrets-reader`: a principal that can read Secrets in every namespace.
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::rbac::graph::Scope;
use crate::model::rbac::{Grant, Request};
use crate::rules::{Reached, at_binding, grant_words, is_cluster_admin};

declare_rule! {
    /// ## What it does
    /// Off by default (turn it on with `select: [secrets-reader]` or a `severity`).
    /// Reports an aws-auth mapping or access entry whose principal can read Secrets
    /// cluster-wide: `get`, `list` or `watch` on `secrets` (listing a Secret returns its data)
    /// through a `ClusterRoleBinding` of its groups or username, or an access policy at cluster
    /// scope. The RBAC is the repository's that applies to the cluster, over Kubernetes' and
    /// EKS's built-in roles and bindings; a grant only some sessions of a templated username
    /// could match is not certain, and is not counted.
    ///
    /// A principal that is cluster-admin (`system-masters`, `cluster-admin-policy`,
    /// `effective-cluster-admin`) is not reported again here.
    ///
    /// ## Why is this bad?
    /// Secrets hold service account tokens, database passwords and TLS keys. Reading every
    /// namespace's Secrets is often one step from cluster-admin (a token of a privileged
    /// service account), so it is worth knowing who can: an inventory for audits, off by
    /// default because many clusters grant it on purpose.
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
    ///     - rolearn: arn:aws:iam::111122223333:role/support
    ///       username: support
    ///       groups: [support]
    /// ---
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRole
    /// metadata:
    ///   name: support
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: [pods, secrets]
    ///     verbs: [get, list]
    /// ---
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRoleBinding
    /// metadata:
    ///   name: support
    /// roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: support}
    /// subjects:
    ///   - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: support}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: ClusterRole
    /// metadata:
    ///   name: support
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: [pods]
    ///     verbs: [get, list]
    /// ```
    ///
    /// ## References
    /// - Kubernetes: RBAC good practices, "Listing secrets" ("list and watch access also
    ///   implicitly allow users to read Secret contents")
    /// - trivy KSV-0041 (manage secrets), rbac-police `secret_readers`
    pub SECRETS_READER = "secrets-reader", category: Security, severity: Info,
    summary: "a principal can read Secrets in every namespace", enabled: false,
}

/// Whether a certain grant lets one read Secrets everywhere.
fn reads_secrets(g: &Grant<'_>) -> bool {
    g.certain
        && g.scope == Scope::Cluster
        && ["get", "list", "watch"]
            .iter()
            .any(|verb| Request::parse(verb, "secrets", None).is_ok_and(|req| g.allows(&req)))
}

/// Reports every principal, not cluster-admin, that can read Secrets cluster-wide.
pub fn check(reached: &Reached<'_>, out: &mut Vec<(usize, Diagnostic)>) {
    for (row, place, grants) in &reached.rows {
        if is_cluster_admin(grants) {
            continue;
        }
        let readers: Vec<&Grant<'_>> = grants.iter().filter(|g| reads_secrets(g)).collect();
        let Some(first) = readers.first() else {
            continue;
        };
        let mut d = Diagnostic::new(
            &SECRETS_READER,
            place.file,
            place.of_via(&first.via),
            format!(
                "`{}` can read Secrets in every namespace through {}",
                row.principal,
                grant_words(first),
            ),
        )
        .label("reads every Secret")
        .help("grant Secrets only in the namespaces that need them, with a RoleBinding, or `resourceNames`");
        d = at_binding(d, first, place.file, "grants Secrets cluster-wide");
        for g in &readers[1..] {
            d = d.note(format!("also through {}", grant_words(g)));
        }
        out.push((place.part, d));
    }
}
