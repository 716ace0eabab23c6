//! `unbound-group`: a Kubernetes group mapped to a principal that no RBAC binding names.
use std::collections::BTreeSet;

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::cluster::{From, Joined};
use crate::model::identity::{AWS_RESERVED_PREFIXES, SYSTEM_PREFIX};
use crate::model::rbac::Rbac;
use crate::rules::Place;

declare_rule! {
    /// ## What it does
    /// Reports a Kubernetes group given to a principal (in an aws-auth mapping's `groups` or an
    /// access entry's `kubernetesGroups`) that no binding names as a `Group` subject: neither a
    /// `RoleBinding` or `ClusterRoleBinding` of the repository that applies to the cluster, nor
    /// one every cluster has (Kubernetes' default bindings, EKS's). It suggests the bound group
    /// within a small edit distance, when there is one.
    ///
    /// **When it runs**: only for a cluster whose RBAC the repository holds, that is, when a
    /// binding of the repository that applies to the cluster (the RBAC nearest the files that
    /// declare it, or the files whose configuration names it with `cluster.name`) names one of
    /// the groups its mappings and access entries give (or one a misspelling away from one).
    /// With no such binding the bindings of
    /// these groups live elsewhere (another repository, a Helm chart, the cluster itself), and
    /// nothing is reported: a repository holding only an operator's `ClusterRoleBinding` says
    /// nothing about the groups it maps. It is decided only when `lint` reads
    /// directories as a whole (`awsauth lint`, `awsauth lint clusters/`, a pull-request check):
    /// given file names (`awsauth lint aws-auth.yaml rbac.yaml`, as the pre-commit hook passes
    /// the changed files), the bindings of the files not named are not known, and it is not run.
    ///
    /// Groups under `system:`, and under the prefixes EKS reserves (`eks:`, `aws:`, `amazon:`,
    /// `iam:`), are left to `unknown-system-group`, `reserved-group` and the node rules; a group
    /// with a template (`{{SessionName}}`) is not known until a request, and is not reported.
    ///
    /// ## Why is this bad?
    /// Kubernetes does not check that a group exists: a mapping to a misspelt group (`deployer`
    /// for `deployers`) authenticates and grants nothing, and the person it was meant for finds
    /// out when they are locked out. A group nobody binds any longer is a dead grant that
    /// someone may bind tomorrow, giving access to principals nobody reviewed.
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
    ///       groups: [deployer]
    /// ---
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
    ///       groups: [deployers]
    /// ```
    ///
    /// ## References
    /// - Kubernetes: Using RBAC Authorization, "Referring to subjects" (groups are strings the
    ///   authenticator gives; nothing checks that a binding names them)
    /// - aws-iam-authenticator #602, kubectl-eks #20 (which groups are bound to what)
    pub UNBOUND_GROUP = "unbound-group", category: Correctness, severity: Warning,
    summary: "a group mapped to a principal that no RBAC binding names: a typo or a dead grant",
}

/// Whether a group is another rule's business, or not known until a request.
fn skipped(group: &str) -> bool {
    let lower = group.to_ascii_lowercase();
    group.is_empty()
        || group.contains("{{")
        || lower.starts_with(SYSTEM_PREFIX)
        || AWS_RESERVED_PREFIXES.iter().any(|p| lower.starts_with(p))
}

/// The group names every binding of the cluster names as `Group` subjects.
fn bound_groups<'r>(rbac: &'r Rbac<'_>) -> BTreeSet<&'r str> {
    rbac.bindings()
        .iter()
        .flat_map(|b| b.subjects.iter())
        .filter(|s| s.kind == "Group")
        .map(|s| s.name.value.as_str())
        .collect()
}

/// The bound group closest to `group`, within a small edit distance.
fn closest<'g>(group: &str, bound: &BTreeSet<&'g str>) -> Option<&'g str> {
    let lower = group.to_lowercase();
    let allowed = (group.chars().count() / 3).clamp(1, 3);
    bound
        .iter()
        .filter(|b| !skipped(b))
        .map(|b| (strsim::levenshtein(&lower, &b.to_lowercase()), *b))
        .filter(|(d, _)| *d <= allowed)
        .min()
        .map(|(_, b)| b)
}

/// Reports every group of every mapping and entry of the cluster that no binding names, when
/// the repository holds bindings of the cluster.
pub fn check(joined: &Joined<'_>, rbac: &Rbac<'_>, out: &mut Vec<(usize, Diagnostic)>) {
    if !rbac.has_bindings() {
        return;
    }
    let bound = bound_groups(rbac);
    // the repository manages the RBAC of these groups only if its bindings name one of them
    // (or one a misspelling away): bindings of other subjects alone (an operator's, a chart's)
    // say nothing of the rest
    let in_repository: BTreeSet<&str> = rbac
        .bindings()
        .iter()
        .filter(|b| !b.is_builtin())
        .flat_map(|b| &b.subjects)
        .filter(|s| s.kind == "Group")
        .map(|s| s.name.value.as_str())
        .collect();
    let manages = joined.rows.iter().any(|row| {
        Place::of(&row.from).is_some_and(|place| {
            place.groups.iter().any(|g| {
                !skipped(&g.value)
                    && (in_repository.contains(g.value.as_str())
                        || closest(&g.value, &in_repository).is_some())
            })
        })
    });
    if !manages {
        return;
    }
    for row in &joined.rows {
        let Some(place) = Place::of(&row.from) else {
            continue;
        };
        let what = match row.from {
            From::AwsAuth(..) => "aws-auth mapping",
            _ => "access entry",
        };
        let mut seen = BTreeSet::new();
        for g in place.groups {
            let group = g.value.as_str();
            if skipped(group) || bound.contains(group) || !seen.insert(group) {
                continue;
            }
            let mut d = Diagnostic::new(
                &UNBOUND_GROUP,
                place.file,
                g.span.clone(),
                format!(
                    "group `{group}` of `{}` is bound by no RoleBinding or ClusterRoleBinding: this {what} grants nothing through it",
                    row.principal
                ),
            )
            .label("no binding names this group");
            d = match closest(group, &bound) {
                Some(near) => d.help(format!("did you mean `{near}`?")),
                None => d.help(
                    "bind the group to a role, or remove it from the mapping if it is no longer used",
                ),
            };
            out.push((place.part, d));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_a_near_bound_group_only() {
        let bound: BTreeSet<&str> = ["deployers", "viewers", "system:masters"].into();
        assert_eq!(closest("deployer", &bound), Some("deployers"));
        assert_eq!(closest("Viewers", &bound), Some("viewers"));
        assert_eq!(closest("auditors", &bound), None);
        // a short name is not near everything short
        assert_eq!(closest("ops", &bound), None);
    }

    #[test]
    fn system_reserved_and_templated_groups_are_skipped() {
        assert!(skipped("system:masters"));
        assert!(skipped("System:Nodes"));
        assert!(skipped("eks:kube-proxy-windows"));
        assert!(skipped("team-{{SessionName}}"));
        assert!(!skipped("deployers"));
    }
}
