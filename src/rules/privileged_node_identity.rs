//! `privileged-node-identity`: a node mapping that also grants human or admin groups.
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::AwsAuth;
use crate::model::identity;
use crate::rules::{active_entries, is_node_mapping};

declare_rule! {
    /// ## What it does
    /// Reports a node-style mapping (a `system:node:` username or the `system:nodes` group) that
    /// also grants `system:masters` or any group besides the node groups.
    ///
    /// ## Why is this bad?
    /// Every pod on a node can use the node's role. A node identity with extra groups turns one
    /// compromised pod into a cluster administrator.
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
    ///     - rolearn: arn:aws:iam::111122223333:role/eks-nodes
    ///       username: system:node:{{EC2PrivateDNSName}}
    ///       groups: [system:bootstrappers, system:nodes, system:masters]
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
    ///     - rolearn: arn:aws:iam::111122223333:role/eks-nodes
    ///       username: system:node:{{EC2PrivateDNSName}}
    ///       groups: [system:bootstrappers, system:nodes]
    /// ```
    pub PRIVILEGED_NODE_IDENTITY = "privileged-node-identity", category: Security, severity: Error,
    summary: "a node mapping that also grants human or admin groups",
}

/// Reports node mappings with extra groups.
pub fn check(obj: &AwsAuth, out: &mut Vec<Diagnostic>) {
    for entry in active_entries(obj) {
        if !is_node_mapping(entry) {
            continue;
        }
        for g in entry.groups.iter().filter(|g| {
            !identity::NODE_GROUPS.contains(&g.value.as_str())
                && !g.value.is_empty()
                && !g.value.contains(' ')
        }) {
            let who = entry.arn.as_ref().map_or_else(
                || "this node mapping".to_owned(),
                |a| format!("node role `{}`", a.value),
            );
            out.push(
                Diagnostic::new(&PRIVILEGED_NODE_IDENTITY, &obj.file, g.span.clone(), format!("{who} is also in `{}`: any pod on those nodes gets it", g.value))
                    .label("more than a node needs")
                    .help("keep node mappings to `system:bootstrappers` and `system:nodes`; map people to their own roles"),
            );
        }
    }
}
