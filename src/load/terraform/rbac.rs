//! Kubernetes RBAC as the Terraform kubernetes provider declares it: `kubernetes_role`,
//! `kubernetes_cluster_role`, `kubernetes_role_binding` and `kubernetes_cluster_role_binding`
//! (and their `_v1` names), read into the same [`Object`] as a manifest's, with spans in the
//! `.tf` file. The provider's blocks: `metadata { name, namespace, labels }`, `rule {
//! api_groups, resources, resource_names, verbs, non_resource_urls }`, `aggregation_rule {
//! cluster_role_selectors { match_labels, match_expressions } }`, `role_ref { kind, name }`,
//! `subject { kind, name, namespace }`. A value the repository does not tell (a variable with
//! no value) is left out: a binding whose subject is not known reaches nobody here, a rule
//! whose verbs are not known allows nothing.

use std::sync::Arc;

use hcl_edit::structure::{Block, Body};

use super::{Cx, string_field};
use crate::hcl::parse;
use crate::hcl::value::Value;
use crate::model::Field;
use crate::model::rbac::{Object, PolicyRule, RoleRef, Subject};

/// The Kubernetes kind of a provider resource type.
fn kind_of(resource: &str) -> Option<&'static str> {
    match resource.strip_suffix("_v1").unwrap_or(resource) {
        "kubernetes_role" => Some("Role"),
        "kubernetes_cluster_role" => Some("ClusterRole"),
        "kubernetes_role_binding" => Some("RoleBinding"),
        "kubernetes_cluster_role_binding" => Some("ClusterRoleBinding"),
        _ => None,
    }
}

/// The RBAC object a resource block declares, if it is one.
pub(super) fn read(cx: &Cx<'_>, block: &Block, labels: &[&str]) -> Option<Object> {
    let kind = match (block.ident.as_str(), labels) {
        ("resource", [resource, _]) => kind_of(resource)?,
        _ => return None,
    };
    let body = &block.body;
    let meta = parse::blocks(body, "metadata").next();
    let field = |b: Option<&Block>, key: &str| {
        b.and_then(|b| parse::attribute(&b.body, key))
            .and_then(|a| string_field(&cx.eval(&a.value)))
    };
    let rules = parse::blocks(body, "rule")
        .map(|r| PolicyRule {
            span: cx.span(r),
            api_groups: strings(cx, &r.body, "api_groups"),
            resources: strings(cx, &r.body, "resources"),
            verbs: strings(cx, &r.body, "verbs"),
            resource_names: strings(cx, &r.body, "resource_names"),
            non_resource_urls: strings(cx, &r.body, "non_resource_urls"),
        })
        .collect();
    let mut aggregation_unknown = false;
    let aggregation = parse::blocks(body, "aggregation_rule").next().map(|a| {
        parse::blocks(&a.body, "cluster_role_selectors")
            .map(|s| {
                if parse::blocks(&s.body, "match_expressions").next().is_some() {
                    aggregation_unknown = true;
                    return Vec::new();
                }
                string_map(cx, &s.body, "match_labels")
            })
            .collect()
    });
    let subjects = parse::blocks(body, "subject")
        .filter_map(|s| {
            Some(Subject {
                kind: field(Some(s), "kind")?.value,
                name: field(Some(s), "name")?,
                namespace: field(Some(s), "namespace").map(|f| f.value),
            })
        })
        .collect();
    let role_ref = parse::blocks(body, "role_ref").next().and_then(|r| {
        Some(RoleRef {
            kind: field(Some(r), "kind")?.value,
            name: field(Some(r), "name")?,
        })
    });
    Some(Object {
        file: Arc::clone(cx.file),
        kind: kind.to_owned(),
        name: field(meta, "name"),
        namespace: field(meta, "namespace"),
        labels: meta
            .map(|m| string_map(cx, &m.body, "labels"))
            .unwrap_or_default(),
        span: cx.span(block),
        rules,
        aggregation,
        aggregation_unknown,
        subjects,
        role_ref,
        builtin: false,
    })
}

/// A list of known strings (what is not known left out).
fn strings(cx: &Cx<'_>, body: &Body, key: &str) -> Vec<String> {
    let Some(a) = parse::attribute(body, key) else {
        return Vec::new();
    };
    match cx.eval(&a.value).value {
        Value::List(items) => items
            .iter()
            .filter_map(string_field)
            .map(|f: Field| f.value)
            .collect(),
        _ => Vec::new(),
    }
}

/// A map of known strings (what is not known left out).
fn string_map(cx: &Cx<'_>, body: &Body, key: &str) -> Vec<(String, String)> {
    let Some(a) = parse::attribute(body, key) else {
        return Vec::new();
    };
    match cx.eval(&a.value).value {
        Value::Object(entries) => entries
            .iter()
            .filter(|(k, _)| !k.unknown)
            .filter_map(|(k, v)| Some((k.value.clone(), string_field(v)?.value)))
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether a Terraform file may declare RBAC (a resource of the kubernetes provider's).
pub(super) fn may_hold_rbac(text: &str) -> bool {
    NEEDLES.any_in(text)
}

/// What the kubernetes provider's RBAC resources are named with (`prefilter` takes them).
pub(in crate::load) static NEEDLES: crate::load::detect::Needles<2> =
    crate::load::detect::Needles::new(["\"kubernetes_role", "\"kubernetes_cluster_role"]);
