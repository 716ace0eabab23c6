//! `reserved-group`: a group reserved for built-in Kubernetes identities.
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::AwsAuth;
use crate::model::identity;
use crate::rules::{active_entries, is_node_mapping};

declare_rule! {
    /// ## What it does
    /// Reports the groups `system:authenticated`, `system:unauthenticated`,
    /// `system:serviceaccounts[:…]`, node groups (`system:nodes`, `system:bootstrappers`,
    /// `system:node-proxier`) outside node mappings, and `eks:` groups other than `eks:kube-proxy-windows`.
    ///
    /// ## Why is this bad?
    /// These groups carry built-in permissions: a person mapped into `system:nodes` or
    /// `system:serviceaccounts` inherits powers meant for kubelets or workloads, and `system:authenticated`
    /// is added anyway.
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
    ///       groups: [system:serviceaccounts]
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
    ///     - rolearn: arn:aws:iam::111122223333:role/ci
    ///       username: ci
    ///       groups: [ci-deployers]
    /// ```
    pub RESERVED_GROUP = "reserved-group", category: Security, severity: Warning,
    summary: "a group reserved for built-in Kubernetes identities",
}

/// Reports reserved groups.
pub fn check(obj: &AwsAuth, out: &mut Vec<Diagnostic>) {
    for entry in active_entries(obj) {
        let node = is_node_mapping(entry);
        for g in &entry.groups {
            let v = g.value.as_str();
            let why = match v {
                identity::SYSTEM_AUTHENTICATED => "every authenticated user is in it already",
                identity::SYSTEM_UNAUTHENTICATED => "it is the group of anonymous requests",
                identity::SYSTEM_NODES
                | identity::SYSTEM_BOOTSTRAPPERS
                | identity::SYSTEM_NODE_PROXIER
                    if !node =>
                {
                    "it grants what kubelets may do"
                }
                _ if v == identity::SYSTEM_SERVICEACCOUNTS
                    || v.starts_with(identity::SERVICEACCOUNTS_PREFIX) =>
                {
                    "it grants what service accounts may do"
                }
                _ if v.starts_with(identity::EKS_PREFIX)
                    && v != identity::EKS_KUBE_PROXY_WINDOWS =>
                {
                    "EKS reserves `eks:` groups for its own components"
                }
                _ => continue,
            };
            out.push(
                Diagnostic::new(
                    &RESERVED_GROUP,
                    &obj.file,
                    g.span.clone(),
                    format!("group `{v}` is reserved: {why}"),
                )
                .label("a reserved group")
                .help("use a group of your own and bind it with RBAC"),
            );
        }
    }
}
