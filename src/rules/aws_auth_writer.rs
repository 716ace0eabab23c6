//! `aws-auth-writer`: a Role or `ClusterRole` that can rewrite aws-auth, and the IAM principals
//! its bindings give that to.
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::load::FileLoad;
use crate::model::rbac::{Capability, Grant, Request};
use crate::rules::{Reached, at_binding, grant_words, is_cluster_admin, kind_words};

declare_rule! {
    /// ## What it does
    /// Reports a `ClusterRole`, or a Role in `kube-system`, with a rule that can create, update,
    /// patch or delete the `aws-auth` `ConfigMap`: `configmaps` (or `*`) in the core API group (or
    /// `*`) with a write verb (or `*`), and no `resourceNames` or ones that include `aws-auth`.
    /// Parity with trivy's KSV-0123.
    ///
    /// Across a cluster's files, it also reports every aws-auth mapping and access entry whose
    /// principal such a role reaches: a binding of its groups or username (or of
    /// `system:authenticated`) to a role that may `update` or `patch` the `ConfigMap` named
    /// `aws-auth` in `kube-system` (a `ClusterRoleBinding`, or a `RoleBinding` in
    /// `kube-system`), naming the binding and the role. The RBAC is the repository's that
    /// applies to the cluster, over the built-in roles and bindings. A principal that is
    /// cluster-admin is left to `system-masters`, `cluster-admin-policy` and
    /// `effective-cluster-admin`, and what an access policy allows is not counted here. Parity
    /// with trivy's KSV-0115 and rbac-police's `eks_modify_aws_auth`.
    ///
    /// ## Why is this bad?
    /// Whoever can write aws-auth decides who is cluster-admin: one `kubectl edit` maps any IAM
    /// role to `system:masters`, or deletes the node mappings and stops the cluster.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: Role
    /// metadata:
    ///   name: config-editor
    ///   namespace: kube-system
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: [configmaps]
    ///     verbs: [get, list, update, patch]
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// apiVersion: rbac.authorization.k8s.io/v1
    /// kind: Role
    /// metadata:
    ///   name: config-editor
    ///   namespace: kube-system
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: [configmaps]
    ///     resourceNames: [coredns]
    ///     verbs: [get, list, update, patch]
    /// ```
    ///
    /// ## References
    /// - trivy KSV-0123 (manage EKS IAM auth `ConfigMap`), KSV-0115 (manage all `ConfigMaps`
    ///   of `kube-system`)
    /// - rbac-police `eks_modify_aws_auth`
    pub AWS_AUTH_WRITER = "aws-auth-writer", category: Security, severity: Warning,
    summary: "a Role or ClusterRole can rewrite the aws-auth ConfigMap, or a principal is bound to one",
}

/// Reports roles that can write aws-auth.
pub fn check(load: &FileLoad, out: &mut Vec<Diagnostic>) {
    for obj in &load.rbac {
        let scoped = match obj.kind.as_str() {
            "ClusterRole" => true,
            "Role" => obj
                .namespace
                .as_ref()
                .is_some_and(|n| n.value == "kube-system"),
            _ => false,
        };
        if !scoped {
            continue;
        }
        for rule in &obj.rules {
            let any = |v: &[String], want: &[&str]| {
                v.iter().any(|x| x == "*" || want.contains(&x.as_str()))
            };
            let writes = any(&rule.verbs, &["create", "update", "patch", "delete"]);
            let core = any(&rule.api_groups, &[""]);
            let configmaps = any(&rule.resources, &["configmaps"]);
            let named = rule.resource_names.is_empty()
                || rule.resource_names.iter().any(|n| n == "aws-auth");
            if !(writes && core && configmaps && named) {
                continue;
            }
            let name = obj.name.as_ref().map_or("(unnamed)", |n| n.value.as_str());
            out.push(
                Diagnostic::new(
                    &AWS_AUTH_WRITER,
                    &obj.file,
                    rule.span.clone(),
                    format!("{} `{name}` can rewrite the aws-auth ConfigMap, and so decide who is cluster-admin", kind_words(&obj.kind)),
                )
                .label("write access to configmaps in kube-system")
                .help("limit the rule with `resourceNames` that exclude `aws-auth`, or drop the write verbs"),
            );
        }
    }
}

/// Whether a certain grant of a binding lets one rewrite aws-auth (`update` or `patch` it).
fn rewrites(g: &Grant<'_>) -> bool {
    let update = Capability::RewriteAwsAuth.request(Some("kube-system"));
    let patch = Request {
        verb: "patch".to_owned(),
        ..update.clone()
    };
    g.certain && g.binding.is_some() && (g.allows(&update) || g.allows(&patch))
}

/// Reports every principal of a cluster, not cluster-admin, that a binding lets rewrite
/// aws-auth, at the group or username the binding names.
pub fn check_cluster(reached: &Reached<'_>, out: &mut Vec<(usize, Diagnostic)>) {
    for (row, place, grants) in &reached.rows {
        if is_cluster_admin(grants) {
            continue;
        }
        let writers: Vec<&Grant<'_>> = grants.iter().filter(|g| rewrites(g)).collect();
        let Some(first) = writers.first() else {
            continue;
        };
        let mut d = Diagnostic::new(
            &AWS_AUTH_WRITER,
            place.file,
            place.of_via(&first.via),
            format!(
                "`{}` can rewrite the aws-auth ConfigMap through {}, and so make itself cluster-admin",
                row.principal,
                grant_words(first),
            ),
        )
        .label("may update the aws-auth ConfigMap")
        .help("bind this group or username to a role whose configmap rule has `resourceNames` that exclude `aws-auth`, or drop its write verbs");
        d = at_binding(d, first, place.file, "grants write access to aws-auth");
        for g in &writers[1..] {
            d = d.note(format!("also through {}", grant_words(g)));
        }
        out.push((place.part, d));
    }
}
