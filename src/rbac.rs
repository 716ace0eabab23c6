//! RBAC objects beside aws-auth: Roles and ClusterRoles that can rewrite it, and bindings of the
//! `system:masters` group. Only what the neighbour rules need is kept, with spans.

use std::sync::Arc;

use crate::model::Field;
use crate::source::{SourceFile, Span};
use crate::yaml::Node;

/// A Role, ClusterRole, RoleBinding or ClusterRoleBinding.
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
    /// The `rules` of a Role or ClusterRole.
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

/// Collects the RBAC objects of a document (and of a `kind: List`).
pub fn find_rbac(file: &Arc<SourceFile>, root: &Node, out: &mut Vec<RbacObject>) {
    let Some(kind) = root.get("kind").and_then(Node::as_str) else {
        return;
    };
    match kind {
        "List" => {
            for item in root.get("items").and_then(Node::as_seq).unwrap_or_default() {
                if item.get("kind").and_then(Node::as_str) != Some("List") {
                    find_rbac(file, item, out);
                }
            }
        }
        "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding" => {
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
            out.push(RbacObject {
                file: Arc::clone(file),
                kind: kind.to_owned(),
                name: field(meta.and_then(|m| m.get("name"))),
                namespace: field(meta.and_then(|m| m.get("namespace"))),
                span: root.span.clone(),
                rules,
                subjects,
            });
        }
        _ => {}
    }
}
