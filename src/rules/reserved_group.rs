//! `reserved-group`: a group reserved for built-in Kubernetes identities.
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::AwsAuth;
use crate::model::access_entries::{AccessDecls, CLUSTER_ADMIN_POLICY, EntryType};
use crate::model::identity;
use crate::rules::{active_entries, is_node_mapping};

declare_rule! {
    /// ## What it does
    /// Reports the groups `system:authenticated`, `system:unauthenticated`,
    /// `system:serviceaccounts[:…]`, node groups (`system:nodes`, `system:bootstrappers`,
    /// `system:node-proxier`) outside node mappings, and `eks:` groups other than `eks:kube-proxy-windows`.
    /// In an EKS access entry every `system:` group is an error (EKS rejects it, `system:masters`
    /// included), and `eks:` groups are reported as in aws-auth.
    ///
    /// ## Why is this bad?
    /// These groups carry built-in permissions: a person mapped into `system:nodes` or
    /// `system:serviceaccounts` inherits powers meant for kubelets or workloads, and `system:authenticated`
    /// is added anyway. EKS refuses to create an access entry with a `system:` group ("The
    /// kubernetes group name system:masters is invalid, it cannot start with system:"): cluster
    /// admins get the `AmazonEKSClusterAdminPolicy` access policy instead.
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
    ///
    /// ## References
    /// - Kubernetes RBAC, default roles and role bindings
    ///   (<https://kubernetes.io/docs/reference/access-authn-authz/rbac/#default-roles-and-role-bindings>)
    /// - EKS user guide, "Create access entries": Kubernetes group names
    ///   (<https://docs.aws.amazon.com/eks/latest/userguide/creating-access-entries.html>);
    ///   the API's error text: terraform-aws-modules/terraform-aws-eks#2915
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

/// Reports access entry groups EKS rejects (`system:`) or reserves for itself (`eks:`). Node
/// types take no groups at all (`access-entry-type` reports them).
pub fn check_access(decls: &AccessDecls, out: &mut Vec<Diagnostic>) {
    for entry in &decls.entries {
        if entry.kind().is_some_and(EntryType::is_node) {
            continue;
        }
        for g in &entry.groups {
            let v = g.value.as_str();
            let d = if v.starts_with(identity::SYSTEM_PREFIX) {
                Diagnostic::new(
                    &RESERVED_GROUP,
                    &entry.file,
                    g.span.clone(),
                    format!("access entry group `{v}` starts with `system:`; EKS rejects it"),
                )
                .label("EKS rejects `system:` groups")
                .help(if v == identity::SYSTEM_MASTERS {
                    format!("remove the group and associate the `{CLUSTER_ADMIN_POLICY}` access policy with a cluster scope instead")
                } else {
                    "use a group of your own and bind it with RBAC".to_owned()
                })
                .severity(Severity::Error)
            } else if v.starts_with(identity::EKS_PREFIX) {
                Diagnostic::new(
                    &RESERVED_GROUP,
                    &entry.file,
                    g.span.clone(),
                    format!(
                        "group `{v}` is reserved: EKS reserves `eks:` groups for its own components"
                    ),
                )
                .label("a reserved group")
                .help("use a group of your own and bind it with RBAC")
            } else {
                continue;
            };
            out.push(d);
        }
    }
}
