//! The Kubernetes and EKS identity vocabulary: the groups, username templates and reserved
//! prefixes the authenticator, the API server and EKS give a meaning to, as named items, and
//! the small predicates built on them (what a node mapping is, what a working one is, what an
//! AWS account id looks like). Rules, the loader and the diff read them from here rather than
//! spelling the literals again.

use super::Entry;

/// `system:masters`: cluster-admin, bound by the API server itself (RBAC cannot revoke it).
pub const SYSTEM_MASTERS: &str = "system:masters";
/// `system:nodes`: the group of kubelets.
pub const SYSTEM_NODES: &str = "system:nodes";
/// `system:bootstrappers`: the group nodes join the cluster with.
pub const SYSTEM_BOOTSTRAPPERS: &str = "system:bootstrappers";
/// `system:node-proxier`: the group of kube-proxy (Fargate pod-execution roles have it).
pub const SYSTEM_NODE_PROXIER: &str = "system:node-proxier";
/// `system:authenticated`: every authenticated request is in it.
pub const SYSTEM_AUTHENTICATED: &str = "system:authenticated";
/// `system:unauthenticated`: the group of anonymous requests.
pub const SYSTEM_UNAUTHENTICATED: &str = "system:unauthenticated";
/// `system:serviceaccounts`: every service account is in it.
pub const SYSTEM_SERVICEACCOUNTS: &str = "system:serviceaccounts";
/// The prefix of a namespace's service-account group: `system:serviceaccounts:<namespace>`.
pub const SERVICEACCOUNTS_PREFIX: &str = "system:serviceaccounts:";
/// The prefix of a bootstrap token's extra groups: `system:bootstrappers:<group>`.
pub const BOOTSTRAPPERS_PREFIX: &str = "system:bootstrappers:";
/// `system:monitoring`: the group allowed to read the API server's health and metrics.
pub const SYSTEM_MONITORING: &str = "system:monitoring";
/// `eks:kube-proxy-windows`: the group EKS gives Windows node roles.
pub const EKS_KUBE_PROXY_WINDOWS: &str = "eks:kube-proxy-windows";

/// The prefix of node usernames: `system:node:<node name>`.
pub const NODE_USERNAME_PREFIX: &str = "system:node:";
/// The prefix every built-in Kubernetes identity has.
pub const SYSTEM_PREFIX: &str = "system:";
/// The prefix of the users EKS binds its own cluster roles to.
pub const EKS_PREFIX: &str = "eks:";
/// Username prefixes AWS reserves: EKS access entries reject them.
pub const AWS_RESERVED_PREFIXES: [&str; 4] = ["eks:", "aws:", "amazon:", "iam:"];

/// The node username of EC2 nodes: the authenticator substitutes the instance's private DNS name.
pub const EC2_NODE_USERNAME: &str = "system:node:{{EC2PrivateDNSName}}";
/// The node username of Fargate and hybrid nodes: the authenticator substitutes the session name.
pub const SESSION_NODE_USERNAME: &str = "system:node:{{SessionName}}";

/// The template of the EC2 instance's private DNS name (nodes' usernames).
pub const EC2_PRIVATE_DNS_NAME: &str = "{{EC2PrivateDNSName}}";
/// The template of the session name, `@` replaced by `-`.
pub const SESSION_NAME: &str = "{{SessionName}}";
/// The template of the session name as it is.
pub const SESSION_NAME_RAW: &str = "{{SessionNameRaw}}";

/// Whether a username or group holds the session name (either template): what the caller
/// chooses when it assumes the role.
pub fn has_session_name(text: &str) -> bool {
    text.contains(SESSION_NAME) || text.contains(SESSION_NAME_RAW)
}

/// The groups a node mapping needs, and nothing a person should get through it.
pub const NODE_GROUPS: [&str; 4] = [
    SYSTEM_BOOTSTRAPPERS,
    SYSTEM_NODES,
    SYSTEM_NODE_PROXIER,
    EKS_KUBE_PROXY_WINDOWS,
];

/// An AWS account id: exactly 12 ASCII digits (defined with the ARNs, which hold it).
pub use crate::arn::is_account_id;

/// A node-style mapping: a `system:node:` username or the `system:nodes` group.
pub fn is_node_mapping(entry: &Entry) -> bool {
    is_node_identity(
        entry.username.as_ref().map(|u| u.value.as_str()),
        entry.groups.iter().map(|g| g.value.as_str()),
    )
}

/// A node-style identity: a `system:node:` username or the `system:nodes` group.
pub fn is_node_identity<'a>(
    username: Option<&str>,
    mut groups: impl Iterator<Item = &'a str>,
) -> bool {
    username.is_some_and(|u| u.starts_with(NODE_USERNAME_PREFIX))
        || groups.any(|g| g == SYSTEM_NODES)
}

/// A node mapping nodes can join with: `system:node:{{EC2PrivateDNSName}}` (EC2) or
/// `system:node:{{SessionName}}` (Fargate, hybrid nodes), in both `system:bootstrappers` and
/// `system:nodes`. The authenticator substitutes the templates exactly (case and spaces
/// matter): any other spelling gives a username no kubelet has.
#[allow(clippy::needless_pass_by_value)] // an iterator is passed by value
pub fn works_as_node<'a>(
    username: Option<&str>,
    groups: impl Iterator<Item = &'a str> + Clone,
) -> bool {
    let has = |g: &str| groups.clone().any(|x| x == g);
    username.is_some_and(|u| u == EC2_NODE_USERNAME || u == SESSION_NODE_USERNAME)
        && has(SYSTEM_BOOTSTRAPPERS)
        && has(SYSTEM_NODES)
}

/// [`works_as_node`] for an entry.
pub fn entry_works_as_node(entry: &Entry) -> bool {
    works_as_node(
        entry.username.as_ref().map(|u| u.value.as_str()),
        entry.groups.iter().map(|g| g.value.as_str()),
    )
}

/// A `system:` username that is a built-in identity rather than a node name.
pub fn is_system_username(username: &str) -> bool {
    username.starts_with(SYSTEM_PREFIX) && !username.starts_with(NODE_USERNAME_PREFIX)
}

/// A username of a built-in identity: a `system:` one that is not a node name, or one of the
/// `eks:` users EKS binds its cluster roles to.
pub fn is_reserved_username(username: &str) -> bool {
    is_system_username(username) || username.starts_with(EKS_PREFIX)
}
