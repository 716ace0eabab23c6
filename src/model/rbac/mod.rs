//! Kubernetes RBAC, offline: the Roles, `ClusterRoles` and bindings of the repository beside
//! the ones every cluster has ([`builtin`]: Kubernetes' bootstrap policy, what EKS adds, and the
//! Kubernetes permissions of each EKS access policy), joined to what aws-auth and access
//! entries give a principal ([`Rbac::grants`]), and asked what they allow ([`Request`],
//! [`Capability`]).
//!
//! - [`Object`]: one Role, `ClusterRole`, `RoleBinding` or `ClusterRoleBinding` as written, with
//!   spans ([`read`]: from a YAML node, for the repository's manifests and the built-in data
//!   alike).
//! - [`graph`]: the objects of one cluster ([`Rbac`]): roles by name, aggregation by label
//!   selector, the bindings that reach a username and groups (by user, group, or
//!   `system:authenticated`), and the access policies of an identity.
//! - [`request`]: whether a grant allows a request (Kubernetes' own matching of verbs, API
//!   groups, resources, subresources and `resourceNames`), what a set of grants amounts to
//!   ([`Capability`]: cluster-admin, read secrets in a namespace, ...), and what a change gains.
//!
//! What is not in the repository is not guessed: a binding of a role the repository and the
//! built-in data do not hold grants nothing here, and says so ([`Grant::role_missing`]).

pub mod builtin;
pub mod graph;
pub mod request;

pub use graph::{Grant, Rbac, Via};
pub use request::{Capability, Reach, Request, gained, gained_within};

use std::collections::BTreeMap;
use std::sync::Arc;

use super::Field;
use super::cluster::{Applies, Joined, Row};
use crate::source::{SourceFile, Span};
use crate::yaml::Node;

/// A Role, `ClusterRole`, `RoleBinding` or `ClusterRoleBinding`.
#[derive(Debug, Clone)]
pub struct Object {
    /// The file (for the built-in data, its data file, named `builtin/...`).
    pub file: Arc<SourceFile>,
    /// `Role`, `ClusterRole`, `RoleBinding` or `ClusterRoleBinding`.
    pub kind: String,
    /// `metadata.name`.
    pub name: Option<Field>,
    /// `metadata.namespace`.
    pub namespace: Option<Field>,
    /// `metadata.labels`, as written (string values only).
    pub labels: Vec<(String, String)>,
    /// Span of the object.
    pub span: Span,
    /// The `rules` of a Role or `ClusterRole`.
    pub rules: Vec<PolicyRule>,
    /// The `aggregationRule.clusterRoleSelectors` of a `ClusterRole`: each selector's
    /// `matchLabels` (a role matching any selector is aggregated). A selector with
    /// `matchExpressions` is kept empty and matches nothing (said by [`Object::aggregation_unknown`]).
    pub aggregation: Option<Vec<Vec<(String, String)>>>,
    /// Whether a selector of `aggregationRule` uses `matchExpressions`, which are not evaluated.
    pub aggregation_unknown: bool,
    /// The `subjects` of a binding.
    pub subjects: Vec<Subject>,
    /// The `roleRef` of a binding.
    pub role_ref: Option<RoleRef>,
    /// Whether it is of the built-in data ([`builtin`]), not of the repository.
    pub builtin: bool,
}

impl Object {
    /// Its name, or `(unnamed)`.
    pub fn name(&self) -> &str {
        self.name.as_ref().map_or("(unnamed)", |n| n.value.as_str())
    }

    /// Its namespace, when written.
    pub fn namespace(&self) -> Option<&str> {
        self.namespace.as_ref().map(|n| n.value.as_str())
    }

    /// Whether it is a binding.
    pub fn is_binding(&self) -> bool {
        self.kind.ends_with("Binding")
    }

    /// Whether it comes from the built-in data rather than the repository.
    pub fn is_builtin(&self) -> bool {
        self.builtin
    }
}

/// One entry of a role's `rules`.
#[derive(Debug, Clone)]
pub struct PolicyRule {
    /// Span of the rule.
    pub span: Span,
    /// `apiGroups`
    pub api_groups: Vec<String>,
    /// `resources`
    pub resources: Vec<String>,
    /// `verbs`
    pub verbs: Vec<String>,
    /// `resourceNames`
    pub resource_names: Vec<String>,
    /// `nonResourceURLs`
    pub non_resource_urls: Vec<String>,
}

/// One entry of a binding's `subjects`.
#[derive(Debug, Clone)]
pub struct Subject {
    /// `kind`: `User`, `Group`, `ServiceAccount`.
    pub kind: String,
    /// `name`, with its span.
    pub name: Field,
    /// `namespace` (of a `ServiceAccount`).
    pub namespace: Option<String>,
}

/// A binding's `roleRef`.
#[derive(Debug, Clone)]
pub struct RoleRef {
    /// `Role` or `ClusterRole`.
    pub kind: String,
    /// The role's name, with its span.
    pub name: Field,
}

fn strings(node: Option<&Node>) -> Vec<String> {
    node.and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|n| n.as_str().map(str::to_owned))
        .collect()
}

fn field(node: Option<&Node>) -> Option<Field> {
    let n = node?;
    Some(Field {
        value: n.as_str()?.to_owned(),
        span: n.span.clone(),
    })
}

fn string_map(node: Option<&Node>) -> Vec<(String, String)> {
    node.and_then(Node::as_map)
        .unwrap_or_default()
        .iter()
        .filter_map(|(k, v)| Some((k.as_str()?.to_owned(), v.as_str()?.to_owned())))
        .collect()
}

/// Whether a document's `kind` is one of RBAC's four.
pub fn is_rbac_kind(kind: Option<&str>) -> bool {
    matches!(
        kind,
        Some("Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding")
    )
}

/// A Role, `ClusterRole` or binding, with what it holds (`None` when `kind` is none of them).
pub fn read(file: &Arc<SourceFile>, root: &Node, kind: &str) -> Option<Object> {
    if !is_rbac_kind(Some(kind)) {
        return None;
    }
    let meta = root.get("metadata");
    let rules = root
        .get("rules")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .map(|r| PolicyRule {
            span: r.span.clone(),
            api_groups: strings(r.get("apiGroups")),
            resources: strings(r.get("resources")),
            verbs: strings(r.get("verbs")),
            resource_names: strings(r.get("resourceNames")),
            non_resource_urls: strings(r.get("nonResourceURLs")),
        })
        .collect();
    let subjects = root
        .get("subjects")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|s| {
            Some(Subject {
                kind: s.get("kind")?.as_str()?.to_owned(),
                name: field(s.get("name"))?,
                namespace: s.get("namespace").and_then(Node::as_str).map(str::to_owned),
            })
        })
        .collect();
    let role_ref = root.get("roleRef").and_then(|r| {
        Some(RoleRef {
            kind: r.get("kind")?.as_str()?.to_owned(),
            name: field(r.get("name"))?,
        })
    });
    let mut aggregation_unknown = false;
    let aggregation = root
        .get("aggregationRule")
        .and_then(|a| a.get("clusterRoleSelectors"))
        .and_then(Node::as_seq)
        .map(|selectors| {
            selectors
                .iter()
                .map(|s| {
                    if s.get("matchExpressions").is_some() {
                        aggregation_unknown = true;
                        return Vec::new();
                    }
                    string_map(s.get("matchLabels"))
                })
                .collect()
        });
    Some(Object {
        file: Arc::clone(file),
        kind: kind.to_owned(),
        name: field(meta.and_then(|m| m.get("name"))),
        namespace: field(meta.and_then(|m| m.get("namespace"))),
        labels: string_map(meta.and_then(|m| m.get("labels"))),
        span: root.span.clone(),
        rules,
        aggregation,
        aggregation_unknown,
        subjects,
        role_ref,
        builtin: false,
    })
}

/// One principal of a cluster, with what reaches it.
#[derive(Debug, Clone)]
pub struct PrincipalAccess<'a> {
    /// The row of the joined view that applies to it (the last, as the effective view takes it).
    pub row: Row<'a>,
    /// Every grant that reaches its identity.
    pub grants: Vec<Grant<'a>>,
}

impl PrincipalAccess<'_> {
    /// What its certain grants amount to ([`request::capabilities`]).
    pub fn capabilities(&self) -> Vec<Reach> {
        request::capabilities(&self.grants)
    }
}

/// Every principal of a joined cluster whose access applies (or may: the mode not known), with
/// the grants that reach it, in the order of their keys.
pub fn principals<'a>(joined: &Joined<'a>, rbac: &Rbac<'a>) -> Vec<PrincipalAccess<'a>> {
    let mut last: BTreeMap<&str, &Row<'a>> = BTreeMap::new();
    for r in &joined.rows {
        if !matches!(r.applies, Applies::No(_)) {
            last.insert(r.key.as_str(), r);
        }
    }
    last.into_values()
        .map(|row| PrincipalAccess {
            row: row.clone(),
            grants: rbac.grants(&row.identity),
        })
        .collect()
}
