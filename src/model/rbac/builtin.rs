//! The RBAC objects a cluster has without them being in the repository, recorded as data with
//! where each comes from. Every text is a `kind: List` of ordinary `rbac.authorization.k8s.io/v1`
//! manifests, read with [`crate::yaml::parse_stream`] like any other file.
//!
//! - [`KUBERNETES`] (`data/rbac/kubernetes.yaml`): Kubernetes' RBAC bootstrap policy, the
//!   default cluster roles, cluster role bindings and the kube-system / kube-public roles and
//!   role bindings, from `kubernetes/kubernetes`
//!   `plugin/pkg/auth/authorizer/rbac/bootstrappolicy/testdata/` (controller roles excluded).
//!   `admin`, `edit` and `view` keep only their `aggregationRule`; the `aggregate-to-*` roles
//!   they select are present, so aggregation is computed, never pre-filled. The files were read
//!   at commits the source index held, not at one release tag: see [`KUBERNETES_VERSION`] and
//!   the file's header.
//! - [`EKS`] (`data/rbac/eks.yaml`): what Amazon EKS creates in every cluster, as far as the EKS
//!   user guide ("Default Amazon EKS created Kubernetes roles and users") documents it. Most
//!   objects are known by name only; their `rules: []` means *unknown*, not *nothing*.
//! - [`ACCESS_POLICIES`] (`data/rbac/eks-access-policies.yaml`): one ClusterRole-shaped
//!   document per EKS access policy whose permissions the user guide's access policy reference
//!   lists; the name is the policy name. A policy missing from it is unknown.

/// One file of built-in RBAC data.
#[derive(Debug, Clone, Copy)]
pub struct Builtin {
    /// How the data is named in output, e.g. `builtin/kubernetes.yaml`.
    pub name: &'static str,
    /// Where the data comes from, for people.
    pub source: &'static str,
    /// The YAML text.
    pub text: &'static str,
}

/// Which Kubernetes the bootstrap data is of. The testdata files were read at the commits the
/// source index held (no release tag could be resolved offline); their content puts the roles
/// at v1.28 or later and the namespace roles at v1.31 or later.
pub const KUBERNETES_VERSION: &str = "unpinned (v1.31+ content; kubernetes/kubernetes testdata at commits 025f2834, c60df899, 008b3652)";

/// Kubernetes' default RBAC objects.
pub const KUBERNETES: Builtin = Builtin {
    name: "builtin/kubernetes.yaml",
    source: "Kubernetes RBAC bootstrap policy (kubernetes/kubernetes plugin/pkg/auth/authorizer/rbac/bootstrappolicy/testdata: cluster-roles.yaml @025f2834, cluster-role-bindings.yaml @c60df899, namespace-roles.yaml and namespace-role-bindings.yaml @008b3652)",
    text: include_str!("../../../data/rbac/kubernetes.yaml"),
};

/// The RBAC objects Amazon EKS creates.
pub const EKS: Builtin = Builtin {
    name: "builtin/eks.yaml",
    source: "Amazon EKS user guide, \"Default Amazon EKS created Kubernetes roles and users\" (awsdocs/amazon-eks-user-guide doc_source/default-roles-users.md @080696363c6d, and an earlier version)",
    text: include_str!("../../../data/rbac/eks.yaml"),
};

/// The EKS access policies, as cluster roles named after each policy.
pub const ACCESS_POLICIES: Builtin = Builtin {
    name: "builtin/eks-access-policies.yaml",
    source: "Amazon EKS user guide, access policy permissions (awsdocs/amazon-eks-user-guide latest/ug/manage-access/k8s-access/access-policy-reference.adoc @c88259aeca48)",
    text: include_str!("../../../data/rbac/eks-access-policies.yaml"),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{Node, parse_stream};
    use std::collections::BTreeSet;

    /// The `items` of a builtin's single `kind: List` document, parsed without errors.
    fn items(b: &Builtin) -> Vec<Node> {
        let stream = parse_stream(b.text);
        assert!(stream.errors.is_empty(), "{}: {:?}", b.name, stream.errors);
        assert_eq!(stream.documents.len(), 1, "{}", b.name);
        let root = stream.documents[0].root.as_ref().expect("a document");
        assert_eq!(
            root.get("kind").and_then(Node::as_str),
            Some("List"),
            "{}",
            b.name
        );
        let items = root.get("items").and_then(Node::as_seq).expect("items");
        items.iter().map(|n| n.resolved().clone()).collect()
    }

    fn text<'a>(n: &'a Node, path: &[&str]) -> Option<&'a str> {
        let mut n = n;
        for k in path {
            n = n.get(k)?.resolved();
        }
        n.as_str()
    }

    fn kind(n: &Node) -> &str {
        text(n, &["kind"]).unwrap_or("")
    }

    fn name(n: &Node) -> &str {
        text(n, &["metadata", "name"]).unwrap_or("")
    }

    fn seq_len(n: &Node, key: &str) -> usize {
        n.get(key)
            .and_then(|v| v.resolved().as_seq())
            .map_or(0, <[Node]>::len)
    }

    // The names in kubernetes/kubernetes plugin/pkg/auth/authorizer/rbac/bootstrappolicy/testdata
    // cluster-roles.yaml @ 025f2834a128798cef30018a5e6a6ae82b5ad885.
    const CLUSTER_ROLES: &[&str] = &[
        "admin",
        "cluster-admin",
        "edit",
        "system:aggregate-to-admin",
        "system:aggregate-to-edit",
        "system:aggregate-to-view",
        "system:auth-delegator",
        "system:basic-user",
        "system:certificates.k8s.io:certificatesigningrequests:nodeclient",
        "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient",
        "system:certificates.k8s.io:kube-apiserver-client-approver",
        "system:certificates.k8s.io:kube-apiserver-client-kubelet-approver",
        "system:certificates.k8s.io:kubelet-serving-approver",
        "system:certificates.k8s.io:legacy-unknown-approver",
        "system:discovery",
        "system:heapster",
        "system:kube-aggregator",
        "system:kube-controller-manager",
        "system:kube-dns",
        "system:kube-scheduler",
        "system:kubelet-api-admin",
        "system:monitoring",
        "system:node",
        "system:node-bootstrapper",
        "system:node-problem-detector",
        "system:node-proxier",
        "system:persistent-volume-provisioner",
        "system:public-info-viewer",
        "system:service-account-issuer-discovery",
        "system:volume-scheduler",
        "view",
    ];

    // cluster-role-bindings.yaml @ c60df8997f62f861cf0cd2b13ab62271464589ed, plus the two the
    // data file marks as not from that version (system:monitoring,
    // system:service-account-issuer-discovery: upstream policy.go, unverified here).
    const CLUSTER_ROLE_BINDINGS: &[&str] = &[
        "cluster-admin",
        "system:basic-user",
        "system:discovery",
        "system:kube-controller-manager",
        "system:kube-dns",
        "system:kube-scheduler",
        "system:monitoring",
        "system:node",
        "system:node-proxier",
        "system:public-info-viewer",
        "system:service-account-issuer-discovery",
        "system:volume-scheduler",
    ];

    // namespace-roles.yaml @ 008b3652959ca58af8be3fb5b6ecfe9ae7638282, as namespace/name.
    const ROLES: &[&str] = &[
        "kube-public/system:controller:bootstrap-signer",
        "kube-system/extension-apiserver-authentication-reader",
        "kube-system/system::leader-locking-kube-controller-manager",
        "kube-system/system::leader-locking-kube-scheduler",
        "kube-system/system:controller:bootstrap-signer",
        "kube-system/system:controller:cloud-provider",
        "kube-system/system:controller:token-cleaner",
    ];

    // namespace-role-bindings.yaml @ 008b3652959ca58af8be3fb5b6ecfe9ae7638282, as namespace/name.
    const ROLE_BINDINGS: &[&str] = &[
        "kube-public/system:controller:bootstrap-signer",
        "kube-system/system::extension-apiserver-authentication-reader",
        "kube-system/system::leader-locking-kube-controller-manager",
        "kube-system/system::leader-locking-kube-scheduler",
        "kube-system/system:controller:bootstrap-signer",
        "kube-system/system:controller:cloud-provider",
        "kube-system/system:controller:token-cleaner",
    ];

    /// `namespace/name` for namespaced objects, `name` otherwise.
    fn key(n: &Node) -> String {
        match text(n, &["metadata", "namespace"]) {
            Some(ns) => format!("{ns}/{}", name(n)),
            None => name(n).to_string(),
        }
    }

    fn keys(items: &[Node], k: &str) -> BTreeSet<String> {
        items.iter().filter(|n| kind(n) == k).map(key).collect()
    }

    fn set(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|s| (*s).to_string()).collect()
    }

    /// Each binding's roleRef names a role of the right kind present in `items` (same namespace
    /// for a role binding to a namespaced role).
    fn check_bindings(b: &Builtin, items: &[Node]) {
        for n in items {
            let k = kind(n);
            if k != "ClusterRoleBinding" && k != "RoleBinding" {
                continue;
            }
            let ref_kind = text(n, &["roleRef", "kind"]).unwrap_or("");
            let ref_name = text(n, &["roleRef", "name"]).unwrap_or("");
            let target = match (k, ref_kind) {
                ("ClusterRoleBinding" | "RoleBinding", "ClusterRole") => ref_name.to_string(),
                ("RoleBinding", "Role") => {
                    format!(
                        "{}/{ref_name}",
                        text(n, &["metadata", "namespace"]).unwrap_or("")
                    )
                }
                _ => panic!("{}: {} {}: roleRef kind {ref_kind:?}", b.name, k, key(n)),
            };
            assert!(
                keys(items, ref_kind).contains(&target),
                "{}: {k} {} refers to missing {ref_kind} {target}",
                b.name,
                key(n)
            );
        }
    }

    #[test]
    fn every_text_parses() {
        for b in [&KUBERNETES, &EKS, &ACCESS_POLICIES] {
            let items = items(b);
            assert!(!items.is_empty(), "{}", b.name);
            for n in &items {
                assert_eq!(
                    text(n, &["apiVersion"]),
                    Some("rbac.authorization.k8s.io/v1"),
                    "{} {}",
                    b.name,
                    key(n)
                );
                assert!(!name(n).is_empty(), "{}: an object without a name", b.name);
            }
        }
    }

    #[test]
    fn kubernetes_data_is_complete() {
        let items = items(&KUBERNETES);
        assert_eq!(keys(&items, "ClusterRole"), set(CLUSTER_ROLES));
        assert_eq!(
            keys(&items, "ClusterRoleBinding"),
            set(CLUSTER_ROLE_BINDINGS)
        );
        assert_eq!(keys(&items, "Role"), set(ROLES));
        assert_eq!(keys(&items, "RoleBinding"), set(ROLE_BINDINGS));
        let kinds = ["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"];
        assert!(items.iter().all(|n| kinds.contains(&kind(n))));
        let total = CLUSTER_ROLES.len() + CLUSTER_ROLE_BINDINGS.len() + ROLES.len();
        assert_eq!(
            items.len(),
            total + ROLE_BINDINGS.len(),
            "duplicate objects"
        );
        for n in &items {
            if kind(n) == "ClusterRole" || kind(n) == "Role" {
                let aggregated = n.get("aggregationRule").is_some();
                assert!(
                    seq_len(n, "rules") > 0 || aggregated,
                    "{} has no rules",
                    key(n)
                );
            }
            assert_eq!(
                text(n, &["metadata", "labels", "kubernetes.io/bootstrapping"]),
                Some("rbac-defaults"),
                "{}",
                key(n)
            );
        }
        check_bindings(&KUBERNETES, &items);
        // the aggregated roles select labels some role carries
        for (role, label) in [("admin", "admin"), ("edit", "edit"), ("view", "view")] {
            let n = items
                .iter()
                .find(|n| kind(n) == "ClusterRole" && name(n) == role);
            let rule = n.and_then(|n| n.get("aggregationRule")).expect(role);
            let selector = format!("rbac.authorization.k8s.io/aggregate-to-{label}");
            let selects = rule
                .resolved()
                .get("clusterRoleSelectors")
                .and_then(|s| s.resolved().as_seq())
                .and_then(|s| s.first())
                .and_then(|s| text(s, &["matchLabels", &selector]));
            assert_eq!(selects, Some("true"), "{role}");
            let members = items
                .iter()
                .filter(|n| text(n, &["metadata", "labels", &selector]) == Some("true"))
                .count();
            assert!(members >= 1, "nothing aggregates into {role}");
        }
    }

    #[test]
    fn eks_bindings_refer_to_roles_present() {
        let items = items(&EKS);
        check_bindings(&EKS, &items);
        assert!(items.iter().all(|n| {
            let n = name(n);
            n.starts_with("eks:") || n.starts_with("aws-node") || n.starts_with("vpc-resource")
        }));
    }

    #[test]
    fn access_policies_have_rules() {
        let items = items(&ACCESS_POLICIES);
        for n in &items {
            assert_eq!(kind(n), "ClusterRole", "{}", name(n));
            assert!(name(n).starts_with("AmazonEKS"), "{}", name(n));
            assert!(seq_len(n, "rules") > 0, "{} has no rules", name(n));
        }
        let names: BTreeSet<&str> = items.iter().map(name).collect();
        assert_eq!(names.len(), items.len(), "duplicate policies");
        let admin = items
            .iter()
            .find(|n| name(n) == "AmazonEKSClusterAdminPolicy")
            .expect("cluster admin");
        let rules = admin
            .get("rules")
            .and_then(|r| r.resolved().as_seq())
            .expect("rules");
        let all = |r: &Node, key: &str| {
            r.get(key)
                .and_then(|v| v.resolved().as_seq())
                .is_some_and(|s| s.len() == 1 && s[0].resolved().as_str() == Some("*"))
        };
        assert!(
            rules
                .iter()
                .any(|r| all(r, "apiGroups") && all(r, "resources") && all(r, "verbs")),
            "AmazonEKSClusterAdminPolicy lacks */*/*"
        );
    }
}
