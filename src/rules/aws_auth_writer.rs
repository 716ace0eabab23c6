//! `aws-auth-writer`: a Role or `ClusterRole` that can rewrite aws-auth.
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::load::FileLoad;
use crate::rules::kind_words;

declare_rule! {
    /// ## What it does
    /// Reports a `ClusterRole`, or a Role in `kube-system`, with a rule that can create, update,
    /// patch or delete the `aws-auth` `ConfigMap`: `configmaps` (or `*`) in the core API group (or
    /// `*`) with a write verb (or `*`), and no `resourceNames` or ones that include `aws-auth`.
    /// Parity with trivy's KSV-0123.
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
    /// - trivy KSV-0123 (manage EKS IAM auth `ConfigMap`)
    pub AWS_AUTH_WRITER = "aws-auth-writer", category: Security, severity: Warning,
    summary: "a Role or ClusterRole can rewrite the aws-auth ConfigMap",
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
