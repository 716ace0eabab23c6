//! Source format: RBAC objects beside aws-auth: Roles and `ClusterRoles` that can rewrite it, and
//! bindings of the `system:masters` group, read from any manifest (alone or in a `kind: List`)
//! whose text may hold them. Only what the neighbour rules need is kept, with spans.

use std::sync::Arc;

use super::{Document, Format, Reads};
use crate::model::Field;
use crate::source::{SourceFile, Span};
use crate::yaml::Node;

/// A Role, `ClusterRole`, `RoleBinding` or `ClusterRoleBinding`.
#[derive(Debug, Clone)]
pub struct RbacObject {
    /// The file.
    pub file: Arc<SourceFile>,
    /// `Role`, `ClusterRole`, `RoleBinding` or `ClusterRoleBinding`.
    pub kind: String,
    /// `metadata.name`.
    pub name: Option<Field>,
    /// `metadata.namespace`.
    pub namespace: Option<Field>,
    /// Span of the object.
    pub span: Span,
    /// The `rules` of a Role or `ClusterRole`.
    pub rules: Vec<PolicyRule>,
    /// The `subjects` of a binding.
    pub subjects: Vec<Subject>,
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
}

/// One entry of a binding's `subjects`.
#[derive(Debug, Clone)]
pub struct Subject {
    /// `kind`: `User`, `Group`, `ServiceAccount`.
    pub kind: String,
    /// `name`, with its span.
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

/// Whether a file may hold RBAC worth reading (a cheap test of its text, before parsing): a
/// Role or binding, and a grant that can rewrite aws-auth or binds `system:masters`.
pub(super) fn may_hold_rbac(text: &str) -> bool {
    static NEEDLES: super::detect::Needles<6> = super::detect::Needles::new([
        "system:masters",
        "configmaps",
        "\"*\"",
        "'*'",
        "- '*'",
        "[*]",
    ]);
    static ROLE: super::detect::Needles<1> = super::detect::Needles::new(["Role"]);
    NEEDLES.any_in(text) && ROLE.any_in(text)
}

/// The RBAC format: Roles, `ClusterRoles` and their bindings.
pub(super) const FORMAT: Format = Format {
    takes: is_rbac,
    reads: Reads::Rbac(read),
};

fn is_rbac(doc: &Document<'_>) -> bool {
    matches!(
        doc.kind,
        Some("Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding")
    )
}

/// A Role, `ClusterRole` or binding, with the rules and subjects it holds.
fn read(doc: &Document<'_>) -> Option<RbacObject> {
    let (root, kind) = (doc.root, doc.kind?);
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
            })
        })
        .collect();
    Some(RbacObject {
        file: Arc::clone(doc.file),
        kind: kind.to_owned(),
        name: field(meta.and_then(|m| m.get("name"))),
        namespace: field(meta.and_then(|m| m.get("namespace"))),
        span: root.span.clone(),
        rules,
        subjects,
    })
}
