//! TEMPORARY stand-in (replaced by the real data on merge).
pub struct Builtin {
    pub name: &'static str,
    pub source: &'static str,
    pub text: &'static str,
}
pub const KUBERNETES: Builtin = Builtin {
    name: "builtin/kubernetes.yaml",
    source: "stand-in",
    text: "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: cluster-admin}\nrules:\n- {apiGroups: ['*'], resources: ['*'], verbs: ['*']}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: cluster-admin}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}\nsubjects:\n- {apiGroup: rbac.authorization.k8s.io, kind: Group, name: 'system:masters'}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: view, labels: {rbac.authorization.k8s.io/aggregate-to-edit: 'true'}}\naggregationRule:\n  clusterRoleSelectors:\n  - matchLabels: {rbac.authorization.k8s.io/aggregate-to-view: 'true'}\nrules: []\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: system:aggregate-to-view, labels: {rbac.authorization.k8s.io/aggregate-to-view: 'true'}}\nrules:\n- {apiGroups: [''], resources: [pods, configmaps], verbs: [get, list, watch]}\n",
};
pub const EKS: Builtin = Builtin {
    name: "builtin/eks.yaml",
    source: "stand-in",
    text: "",
};
pub const ACCESS_POLICIES: Builtin = Builtin {
    name: "builtin/eks-access-policies.yaml",
    source: "stand-in",
    text: "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: AmazonEKSClusterAdminPolicy}\nrules:\n- {apiGroups: ['*'], resources: ['*'], verbs: ['*']}\n",
};
