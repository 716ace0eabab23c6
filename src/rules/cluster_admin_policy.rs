//! `cluster-admin-policy`: `AmazonEKSClusterAdminPolicy` associated with a principal, the
//! `system:masters` of access entries.
use std::sync::Arc;

use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::Field;
use crate::model::access_entries::{AccessDecls, CLUSTER_ADMIN_POLICY as ADMIN, PolicyAssociation};
use crate::rules::quoted_list;
use crate::source::{SourceFile, Span};

declare_rule! {
    /// ## What it does
    /// Reports `AmazonEKSClusterAdminPolicy` associated with an access entry's principal (in an
    /// eksctl `accessEntries` item, a CloudFormation `AccessPolicies` item, a Terraform
    /// `aws_eks_access_policy_association` or the eks module's `policy_associations`): an error
    /// at `cluster` scope, a warning at `namespace` scope. The cluster creator's entry that the
    /// eks module makes (`enable_cluster_creator_admin_permissions = true`) is reported too,
    /// naming what makes it.
    ///
    /// ## Why is this bad?
    /// `AmazonEKSClusterAdminPolicy` is the `system:masters` of access entries: every verb on
    /// every resource and non-resource URL. Unlike `system:masters` it can be revoked (delete
    /// the association), but while it is there the principal is a standing cluster-admin, and
    /// anyone who can assume the role is one too. Scoped to namespaces it still grants
    /// everything in them: their Secrets, `pods/exec`, and their roles and role bindings.
    ///
    /// Roles listed in `cluster.break-glass-roles` are reported as info, as for
    /// `system-masters`; an `allow` list of this rule silences the principals it names.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: eksctl.io/v1alpha5
    /// kind: ClusterConfig
    /// metadata:
    ///   name: payments
    ///   region: eu-west-1
    /// accessConfig:
    ///   authenticationMode: API
    ///   bootstrapClusterCreatorAdminPermissions: false
    ///   accessEntries:
    ///     - principalARN: arn:aws:iam::111122223333:role/ops
    ///       accessPolicies:
    ///         - policyARN: arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy
    ///           accessScope:
    ///             type: cluster
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// apiVersion: eksctl.io/v1alpha5
    /// kind: ClusterConfig
    /// metadata:
    ///   name: payments
    ///   region: eu-west-1
    /// accessConfig:
    ///   authenticationMode: API
    ///   bootstrapClusterCreatorAdminPermissions: false
    ///   accessEntries:
    ///     - principalARN: arn:aws:iam::111122223333:role/ops
    ///       accessPolicies:
    ///         - policyARN: arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminPolicy
    ///           accessScope:
    ///             type: namespace
    ///             namespaces: [payments]
    /// ```
    ///
    /// ## Options
    /// - `cluster.break-glass-roles`: these roles' findings are info
    /// - `rules.cluster-admin-policy.allow`: principals allowed to hold it
    ///
    /// ## References
    /// - EKS user guide, "Review access policy permissions": `AmazonEKSClusterAdminPolicy` is
    ///   `*` on every resource and non-resource URL
    ///   (<https://docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html>)
    /// - EKS user guide, "Associate access policies with access entries" (scopes)
    ///   (<https://docs.aws.amazon.com/eks/latest/userguide/access-policies.html>)
    /// - EKS best practices: least privilege for cluster access
    pub CLUSTER_ADMIN_POLICY = "cluster-admin-policy", category: Security, severity: Error,
    summary: "`AmazonEKSClusterAdminPolicy` is associated with a principal: cluster-admin through an access entry",
}

/// Reports each association of `AmazonEKSClusterAdminPolicy`, on entries and apart.
pub fn check(decls: &AccessDecls, out: &mut Vec<Diagnostic>) {
    for e in &decls.entries {
        for p in &e.policies {
            let within = e.span.clone();
            report(
                &e.file,
                p,
                &within,
                e.principal.as_ref(),
                e.implicit.as_deref(),
                out,
            );
        }
    }
    for a in &decls.associations {
        report(
            &a.file,
            &a.policy,
            &a.policy.span,
            a.principal.as_ref(),
            None,
            out,
        );
    }
}

/// What makes an implicit entry, from the reader's explanation: the text before its first
/// `: ` (`` `enable_cluster_creator_admin_permissions = true` ``).
pub(crate) fn cause(implicit: &str) -> &str {
    implicit
        .split_once(": ")
        .map_or(implicit, |(c, _)| c)
        .trim()
}

fn report(
    file: &Arc<SourceFile>,
    p: &PolicyAssociation,
    within: &Span,
    principal: Option<&Field>,
    implicit: Option<&str>,
    out: &mut Vec<Diagnostic>,
) {
    let Some(policy) = &p.policy else { return };
    // an ARN of another form is `invalid-access-policy`'s
    if !policy
        .value
        .ends_with(&format!(":cluster-access-policy/{ADMIN}"))
    {
        return;
    }
    let who = match (implicit, principal) {
        (Some(what), _) => format!("the cluster creator's entry that {} makes", cause(what)),
        (None, Some(arn)) => format!("`{}`", arn.value),
        (None, None) => "this entry".to_owned(),
    };
    let scope = p.scope.as_ref().map(|s| s.value.as_str());
    let mut d = match scope {
        Some("namespace") => Diagnostic::new(
            &CLUSTER_ADMIN_POLICY,
            file,
            policy.span.clone(),
            format!(
                "{who} is associated with `{ADMIN}` in namespaces {}: it still grants everything in them, Secrets, `pods/exec` and RBAC included",
                quoted_list(
                    &p.namespaces.iter().map(|n| n.value.as_str()).collect::<Vec<_>>(),
                    ", "
                )
            ),
        )
        .severity(Severity::Warning)
        .label("every verb on every resource of these namespaces")
        .help("associate `AmazonEKSAdminPolicy`, `AmazonEKSEditPolicy` or `AmazonEKSViewPolicy` in these namespaces instead"),
        Some("cluster") => Diagnostic::new(
            &CLUSTER_ADMIN_POLICY,
            file,
            policy.span.clone(),
            format!(
                "{who} is associated with `{ADMIN}` at cluster scope, the `system:masters` of access entries"
            ),
        )
        .label("full cluster-admin")
        .help("associate a narrower policy (`AmazonEKSAdminPolicy` in namespaces, `AmazonEKSViewPolicy`) or bind the entry's groups with RBAC; keep cluster-admin to break-glass roles (`cluster.break-glass-roles`)")
        .note("unlike `system:masters` it can be revoked, but it grants every verb on every resource and non-resource URL"),
        // not written, not known, or not a scope (`invalid-access-policy`): not known to be
        // narrower than the cluster
        _ => Diagnostic::new(
            &CLUSTER_ADMIN_POLICY,
            file,
            policy.span.clone(),
            format!(
                "{who} is associated with `{ADMIN}` at a scope not known here, cluster-admin if it is the cluster"
            ),
        )
        .severity(Severity::Warning)
        .label("cluster-admin, unless scoped to namespaces")
        .help("associate a narrower policy (`AmazonEKSAdminPolicy` in namespaces, `AmazonEKSViewPolicy`) or bind the entry's groups with RBAC"),
    };
    // labels only where the declaration is (a Terraform value may be written elsewhere)
    let inside = |s: &Span| within.start <= s.start && s.end <= within.end;
    if let Some(s) = p.scope.as_ref().filter(|s| inside(&s.span)) {
        d = d.secondary(s.span.clone(), "scope");
    }
    if implicit.is_none()
        && let Some(arn) = principal.filter(|a| inside(&a.span))
    {
        d = d.secondary(arn.span.clone(), "this principal");
    }
    out.push(d);
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_implicit_entry_is_named_by_its_cause() {
        assert_eq!(
            super::cause("`enable_cluster_creator_admin_permissions = true`: the module gives ..."),
            "`enable_cluster_creator_admin_permissions = true`"
        );
        assert_eq!(super::cause("EKS's own"), "EKS's own");
    }
}
