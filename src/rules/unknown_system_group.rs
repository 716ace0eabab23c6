//! `unknown-system-group`: a `system:` group that Kubernetes does not define grants nothing.
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::AwsAuth;
use crate::model::identity;
use crate::rules::active_entries;

declare_rule! {
    /// ## What it does
    /// Reports a group under `system:` (in any case) that neither Kubernetes nor EKS defines:
    /// `system:master`, `system:node`, `system:bootstrapper`, `System:Masters`, a node's username
    /// used as a group. It suggests the group that was probably meant.
    ///
    /// The known groups: `system:masters`, `system:nodes`, `system:bootstrappers` (and the
    /// `system:bootstrappers:<name>` groups of bootstrap tokens), `system:authenticated`,
    /// `system:unauthenticated`, `system:serviceaccounts` (and
    /// `system:serviceaccounts:<namespace>`), `system:monitoring`, and `system:node-proxier`,
    /// which EKS binds for Fargate pods. EKS's own `eks:` groups are not `system:` groups.
    ///
    /// ## Why is this bad?
    /// The authenticator passes any group through, and Kubernetes reserves the `system:` prefix
    /// for its own groups, so no RBAC in a cluster binds a misspelt one: the mapping silently
    /// grants nothing it was meant to (a `system:master` administrator has no access; a node
    /// mapping with `system:node` leaves its nodes `NotReady`). Group names are case-sensitive.
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
    ///       groups: [system:bootstrapper, system:node]
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
    /// - Kubernetes: Authenticating (the `system:authenticated`, `system:unauthenticated` and
    ///   service account groups), Using RBAC Authorization (default bindings, "the `system:`
    ///   prefix is reserved for Kubernetes system use"), Node Authorization (`system:nodes`),
    ///   Bootstrap tokens (`system:bootstrappers`)
    /// - EKS user guide: the Fargate pod execution role mapping (`system:node-proxier`)
    pub UNKNOWN_SYSTEM_GROUP = "unknown-system-group", category: Correctness, severity: Error,
    summary: "a `system:` group that Kubernetes does not define grants nothing",
}

/// The `system:` groups Kubernetes and EKS define.
const KNOWN: [&str; 8] = [
    identity::SYSTEM_MASTERS,
    identity::SYSTEM_NODES,
    identity::SYSTEM_BOOTSTRAPPERS,
    identity::SYSTEM_AUTHENTICATED,
    identity::SYSTEM_UNAUTHENTICATED,
    identity::SYSTEM_SERVICEACCOUNTS,
    identity::SYSTEM_MONITORING,
    identity::SYSTEM_NODE_PROXIER,
];

/// Groups with a name after the prefix: `system:serviceaccounts:<namespace>`,
/// `system:bootstrappers:<token group>`.
const KNOWN_PREFIXES: [&str; 2] = [
    identity::SERVICEACCOUNTS_PREFIX,
    identity::BOOTSTRAPPERS_PREFIX,
];

/// Whether Kubernetes or EKS defines `group`.
fn is_known(group: &str) -> bool {
    KNOWN.contains(&group)
        || KNOWN_PREFIXES
            .iter()
            .any(|p| group.len() > p.len() && group.starts_with(p))
}

/// The known group `group` was probably meant to be.
fn suggestion(group: &str) -> Option<&'static str> {
    let lower = group.to_lowercase();
    if let Some(k) = KNOWN.iter().find(|k| **k == lower) {
        return Some(k);
    }
    // `system:node:ip-...` is a node's username; `system:node` alone the group's singular
    if lower.starts_with(identity::NODE_USERNAME_PREFIX) {
        return Some(identity::SYSTEM_NODES);
    }
    let name = lower
        .strip_prefix(identity::SYSTEM_PREFIX)
        .unwrap_or(&lower);
    let (best, distance) = KNOWN
        .iter()
        .map(|k| {
            (
                *k,
                strsim::levenshtein(name, &k[identity::SYSTEM_PREFIX.len()..]),
            )
        })
        .min_by_key(|(_, d)| *d)?;
    if distance <= 2 || distance * 2 <= name.chars().count() {
        return Some(best);
    }
    // the same first letters, and no other known group shares them (`system:main`)
    let head: String = name.chars().take(2).collect();
    let mut sharing = KNOWN.iter().filter(|k| {
        head.chars().count() == 2 && k[identity::SYSTEM_PREFIX.len()..].starts_with(&head)
    });
    match (sharing.next(), sharing.next()) {
        (Some(k), None) => Some(k),
        _ => None,
    }
}

/// Reports `system:` groups that are not Kubernetes's.
pub fn check(obj: &AwsAuth, out: &mut Vec<Diagnostic>) {
    for entry in active_entries(obj) {
        for g in &entry.groups {
            let v = g.value.as_str();
            let prefixed = v
                .get(..7)
                .is_some_and(|p| p.eq_ignore_ascii_case(identity::SYSTEM_PREFIX));
            // a template renders to something else; a `- item` folded into the value is
            // `multiline-plain-scalar`'s finding
            if !prefixed || is_known(v) || v.contains("{{") || v.contains(" - ") {
                continue;
            }
            let what = if v.to_lowercase().starts_with(identity::NODE_USERNAME_PREFIX) {
                format!("group `{v}` is a node's username, not a group: nothing binds it")
            } else {
                format!("group `{v}` is not a Kubernetes group: nothing binds it")
            };
            let mut d = Diagnostic::new(
                &UNKNOWN_SYSTEM_GROUP,
                &obj.file,
                g.span.clone(),
                format!("{what}, so it grants nothing"),
            )
            .label("no such group");
            d = match suggestion(v) {
                Some(s) if s.eq_ignore_ascii_case(v) => d.help(format!(
                    "did you mean `{s}`? group names are case-sensitive"
                )),
                Some(s) => d.help(format!("did you mean `{s}`?")),
                None => d.help(
                    "use a group of your own, without the reserved `system:` prefix, and bind it with RBAC",
                ),
            };
            out.push(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        for (written, meant) in [
            ("system:master", Some("system:masters")),
            ("system:main", Some("system:masters")),
            ("system:node", Some("system:nodes")),
            ("system:bootstrapper", Some("system:bootstrappers")),
            ("System:Masters", Some("system:masters")),
            ("system:node:ip-10-0-0-1.ec2.internal", Some("system:nodes")),
            ("system:authenticate", Some("system:authenticated")),
            ("system:platform-admins", None),
        ] {
            assert_eq!(suggestion(written), meant, "{written}");
        }
        assert!(is_known("system:serviceaccounts:kube-system"));
        assert!(is_known("system:bootstrappers:kubeadm:default-node-token"));
        assert!(!is_known("system:serviceaccounts:"));
        assert!(!is_known("system:Masters"));
    }
}
