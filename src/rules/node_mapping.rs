//! `node-mapping`: a node mapping that the Node authorizer or the kubelet will reject.
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::identity;
use crate::model::{AwsAuth, Entry, SectionKind, SourceKind, Status};
use crate::rules::{active_entries, entry_works_as_node, is_node_mapping};

declare_rule! {
    /// ## What it does
    /// Reports node mappings that cannot work: a `system:node:` username without both
    /// `system:bootstrappers` and `system:nodes`; `system:nodes` with a username other than
    /// `system:node:{{EC2PrivateDNSName}}` or `system:node:{{SessionName}}`; a fixed node name
    /// (`system:node:ip-10-0-0-1…`); a node mapping in `mapUsers`. With node roles in the
    /// configuration (`cluster.node-roles`, `windows-node-roles`, `fargate-roles`), also a
    /// `ConfigMap` that does not map one of them, or maps it without a node identity. And a working
    /// node mapping that a later mapping of the same role (in any case) replaces with one that is
    /// not a node mapping.
    ///
    /// ## Why is this bad?
    /// Nodes join only when the kubelet's identity is `system:node:<its node name>` in the
    /// `system:nodes` group (Node authorization and `NodeRestriction`), and bootstrap needs
    /// `system:bootstrappers`. Anything else leaves nodes `NotReady`. The authenticator keeps only
    /// the last mapping of a role ARN (compared ignoring case): a later mapping of the node role
    /// for people takes the node identity away from every node of the role, and gives the nodes
    /// that mapping's username and groups instead (possibly `system:masters`).
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
    ///       groups: [system:nodes]
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
    ///
    /// ## References
    /// - Kubernetes Node authorization; EKS user guide (node role mapping)
    pub NODE_MAPPING = "node-mapping", category: Correctness, severity: Error,
    summary: "a node mapping that the Node authorizer or the kubelet will reject",
}

/// What is wrong with a node-style mapping, if anything.
fn problem(entry: &Entry) -> Option<String> {
    let username = entry.username.as_ref().map_or("", |u| u.value.as_str());
    let has = |g: &str| entry.groups.iter().any(|x| x.value == g);
    if entry.section == SectionKind::MapUsers {
        return Some("IAM users cannot be nodes: node mappings belong in `mapRoles`".into());
    }
    if let Some(name) = username.strip_prefix(identity::NODE_USERNAME_PREFIX) {
        if !name.contains("{{") {
            return Some(format!(
                "`{username}` names one fixed node; every other node of this role is refused"
            ));
        }
        let missing: Vec<&str> = [identity::SYSTEM_BOOTSTRAPPERS, identity::SYSTEM_NODES]
            .into_iter()
            .filter(|g| !has(g))
            .collect();
        if !missing.is_empty() {
            return Some(format!(
                "a node username without {}",
                missing
                    .iter()
                    .map(|g| format!("`{g}`"))
                    .collect::<Vec<_>>()
                    .join(" and ")
            ));
        }
    } else if has(identity::SYSTEM_NODES) && !has(identity::SYSTEM_NODE_PROXIER) {
        return Some(format!(
            "`system:nodes` with the username `{username}`: the Node authorizer only accepts `system:node:<node name>`"
        ));
    }
    None
}

/// Reports node mappings that cannot work.
pub fn check(obj: &AwsAuth, cx: &crate::rules::Context<'_>, out: &mut Vec<Diagnostic>) {
    configured_roles(obj, *cx, out);
    shadowed(obj, out);
    for entry in active_entries(obj) {
        if !is_node_mapping(entry) || entry.arn.is_none() {
            continue;
        }
        let Some(problem) = problem(entry) else {
            continue;
        };
        let span = entry
            .username
            .as_ref()
            .or(entry.arn.as_ref())
            .map_or_else(|| entry.span.clone(), |f| f.span.clone());
        out.push(
            Diagnostic::new(&NODE_MAPPING, &obj.file, span, format!("nodes of this mapping cannot join: {problem}"))
                .label("not a working node mapping")
                .help("use `username: system:node:{{EC2PrivateDNSName}}` with `groups: [system:bootstrappers, system:nodes]`"),
        );
    }
}

/// The configured node roles that this `ConfigMap` does not map as nodes.
fn configured_roles(obj: &AwsAuth, cx: crate::rules::Context<'_>, out: &mut Vec<Diagnostic>) {
    let c = cx.cluster;
    if obj.kind != SourceKind::ConfigMap
        || !obj.is_read_by_authenticator()
        || !obj.rejected.is_empty()
    {
        return;
    }
    // a broken `mapRoles` is `section-parse-error`'s finding, which lists the lost node roles
    if obj
        .section(SectionKind::MapRoles)
        .is_some_and(crate::model::Section::is_lost)
    {
        return;
    }
    let roles = c
        .node_roles
        .iter()
        .map(|r| (r, "cluster.node-roles"))
        .chain(
            c.windows_node_roles
                .iter()
                .map(|r| (r, "cluster.windows-node-roles")),
        )
        .chain(c.fargate_roles.iter().map(|r| (r, "cluster.fargate-roles")));
    for (role, key) in roles {
        let mapped: Vec<&Entry> = obj
            .entries
            .iter()
            .filter(|e| e.section == SectionKind::MapRoles && matches!(e.status, Status::Effective))
            .filter(|e| {
                e.arn
                    .as_ref()
                    .is_some_and(|a| a.value.eq_ignore_ascii_case(role))
            })
            .collect();
        let (span, message) = match mapped.first() {
            None => (
                obj.section(SectionKind::MapRoles)
                    .map(|s| s.key_span.clone())
                    .or_else(|| obj.name.as_ref().map(|n| n.span.clone()))
                    .unwrap_or(obj.span.start..obj.span.start),
                format!("node role `{role}` (`{key}`) is not mapped: its nodes cannot join"),
            ),
            Some(e) if !is_node_mapping(e) => (
                e.arn
                    .as_ref()
                    .map_or_else(|| e.span.clone(), |a| a.span.clone()),
                format!(
                    "node role `{role}` (`{key}`) is mapped without a node identity: its nodes cannot join"
                ),
            ),
            Some(_) => continue,
        };
        out.push(
            Diagnostic::new(&NODE_MAPPING, &obj.file, span, message)
                .label("node role")
                .help("map it with `username: system:node:{{EC2PrivateDNSName}}` and `groups: [system:bootstrappers, system:nodes]`"),
        );
    }
}

/// The entry that finally stores the key of a shadowed entry (the last of its key), unless a
/// working node mapping comes between (that one is reported instead).
fn final_winner(obj: &AwsAuth, mut by: usize) -> Option<&Entry> {
    // each shadowed entry points at the next entry of its key, so the chain is at most as long
    // as the entries
    for _ in 0..obj.entries.len() {
        let e = obj.entries.get(by)?;
        match e.status {
            Status::Shadowed { .. } if entry_works_as_node(e) => return None,
            Status::Shadowed { by: next } => by = next,
            _ => return Some(e),
        }
    }
    None
}

/// Working node mappings that a later mapping of the same role replaces with one that is not a
/// node mapping: every node of the role loses its node identity and gets the later one's.
fn shadowed(obj: &AwsAuth, out: &mut Vec<Diagnostic>) {
    for node in active_entries(obj) {
        let Status::Shadowed { by } = node.status else {
            continue;
        };
        if node.section != SectionKind::MapRoles || !entry_works_as_node(node) {
            continue;
        }
        let Some(winner) = final_winner(obj, by) else {
            continue;
        };
        if is_node_mapping(winner) {
            continue; // another node mapping: its own problems are reported on it
        }
        let (Some(arn), Some(node_arn)) = (&winner.arn, &node.arn) else {
            continue;
        };
        let line = |e: &Entry| obj.file.line_col(e.span.start).line;
        let username = winner.username.as_ref().map_or("", |u| u.value.as_str());
        let groups: Vec<&str> = winner
            .groups
            .iter()
            .map(|g| g.value.as_str())
            .filter(|g| !g.is_empty())
            .collect();
        let instead = match (username.is_empty(), groups.is_empty()) {
            (true, true) => "an empty username and no groups".to_owned(),
            (true, false) => format!("an empty username in `{}`", groups.join("`, `")),
            (false, true) => format!("`{username}` with no groups"),
            (false, false) => format!("`{username}` in `{}`", groups.join("`, `")),
        };
        let masters = if groups.contains(&identity::SYSTEM_MASTERS) {
            ", cluster-admin on every node of the role"
        } else {
            ""
        };
        out.push(
            Diagnostic::new(
                &NODE_MAPPING,
                &obj.file,
                arn.span.clone(),
                format!(
                    "this mapping of `{}` wins over the node mapping of the same role at line {}: its nodes lose their node identity (NotReady) and get {instead}{masters}",
                    arn.value,
                    line(node)
                ),
            )
            .label(format!("replaces the node mapping of line {}", line(node)))
            .secondary(node_arn.span.clone(), "this node mapping is ignored")
            .help("keep one mapping of the node role, with `username: system:node:{{EC2PrivateDNSName}}` and `groups: [system:bootstrappers, system:nodes]`; map people with another role"),
        );
    }
}
