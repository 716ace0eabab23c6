//! EKS access entries, policy associations and clusters' access settings as Terraform declares
//! them (the facts: `/work/research/eks-access-entries.md` §3.4, §3.5, §4.1, §4.2):
//! - the AWS provider's `aws_eks_access_entry` (`cluster_name`, `principal_arn`, `type`,
//!   `user_name`, `kubernetes_groups`), `aws_eks_access_policy_association` (`policy_arn` and
//!   one `access_scope { type, namespaces }`) and `aws_eks_cluster` (`access_config {
//!   authentication_mode, bootstrap_cluster_creator_admin_permissions }`; without them the API's
//!   defaults apply: `CONFIG_MAP`, and the creator made an admin);
//! - terraform-aws-modules/eks v20 and v21: `authentication_mode` (default
//!   `API_AND_CONFIG_MAP`), `access_entries` (one entry per key, its `policy_associations`
//!   with it, dropped for the node types as the module drops them), and
//!   `enable_cluster_creator_admin_permissions`, which adds an entry `cluster_creator` for
//!   whoever applies (a user entry of that key replaces it, as the module's `merge` does); the
//!   module always sends `bootstrap_cluster_creator_admin_permissions = false`.
//!
//! A resource with `for_each` over a known map or set is expanded, one declaration per key with
//! `each` bound (`aws_eks_access_entry.NAME["KEY"]`); a known `count` likewise with
//! `count.index`. Over a collection not known, one declaration stands for them all, with what
//! depends on `each` as placeholders. A value not known is a `${expr}` placeholder spanned on
//! its expression; a cluster's name not known is written as the reference to it
//! (`${aws_eks_cluster.X.name}`, `${module.X.cluster_name}`) on both sides, so that entries and
//! their cluster join on equal text.

use hcl_edit::structure::{Block, Body};

use super::eks_module::{AccessGeneration, access_generation};
use super::{Cx, string_field};
use crate::hcl::eval::iteration;
use crate::hcl::parse;
use crate::hcl::value::{Spanned, Text, Value};
use crate::model::Field;
use crate::model::access_entries::{
    AccessConfig, AccessDecls, AccessEntry, Association, AuthMode, CLUSTER_ADMIN_POLICY, EntryType,
    Origin, PolicyAssociation, Tool,
};
use crate::source::Span;

/// How many instances of one resource are expanded (a larger `count` or `for_each` is read as
/// its first ones).
const MAX_INSTANCES: usize = 1000;

/// The principal of the module's `cluster_creator` entry (the module reads it from
/// `data.aws_iam_session_context.current[0].issuer_arn`).
const CREATOR: &str = "${data.aws_iam_session_context.current.issuer_arn}";

/// What the module's `cluster_creator` entry does, for people.
const CREATOR_WHY: &str = "`enable_cluster_creator_admin_permissions = true`: the module gives \
     whoever runs `terraform apply` cluster-admin (an access entry of the principal that applies, \
     with AmazonEKSClusterAdminPolicy on the whole cluster)";

/// Reads what a block declares of access entries into `out`.
pub(super) fn read(cx: &Cx<'_>, block: &Block, labels: &[&str], out: &mut AccessDecls) {
    match (block.ident.as_str(), labels) {
        ("resource", ["aws_eks_access_entry", name]) => {
            for i in instances(cx, &block.body, &format!("aws_eks_access_entry.{name}")) {
                out.entries.push(entry(cx, block, &i));
            }
        }
        ("resource", ["aws_eks_access_policy_association", name]) => {
            let base = format!("aws_eks_access_policy_association.{name}");
            for i in instances(cx, &block.body, &base) {
                out.associations.push(association(cx, block, &i));
            }
        }
        ("resource", ["aws_eks_cluster", name]) => {
            for i in instances(cx, &block.body, &format!("aws_eks_cluster.{name}")) {
                out.configs.push(cluster(cx, block, &i));
            }
        }
        ("module", [name]) => {
            if let Some(generation) = access_generation(cx.module, 0, &block.body) {
                for i in instances(cx, &block.body, &format!("module.{name}")) {
                    module(cx, block, generation, &i, out);
                }
            }
        }
        _ => {}
    }
}

/// One instance of a resource or module: its address and the names bound in it.
#[derive(Debug)]
struct Instance {
    /// `aws_eks_access_entry.NAME`, `...NAME["KEY"]`, `...NAME[0]`.
    address: String,
    /// `each` or `count`, when known.
    scope: Vec<(String, Spanned)>,
}

impl Instance {
    /// The value of an attribute of `body` in this instance.
    fn attr(&self, cx: &Cx<'_>, body: &Body, key: &str) -> Option<Spanned> {
        parse::attribute(body, key).map(|a| cx.eval_in(&a.value, &self.scope))
    }
}

/// The instances a block declares (the caller has left out a `count` of 0 and an empty
/// `for_each`): one per key of a known `for_each`, one per index of a known `count`, else one.
fn instances(cx: &Cx<'_>, body: &Body, base: &str) -> Vec<Instance> {
    let one = |address: String| {
        vec![Instance {
            address,
            scope: Vec::new(),
        }]
    };
    if let Some(a) = parse::attribute(body, "for_each") {
        let coll = cx.eval(&a.value);
        let span = coll.span.clone();
        let pairs: Vec<(Spanned, Spanned)> = match &coll.value {
            // a set of strings: each key is its value
            Value::List(items) => items
                .iter()
                .filter(|i| matches!(i.value, Value::String(_) | Value::Unknown(_)))
                .map(|i| (i.clone(), i.clone()))
                .collect(),
            Value::Object(_) => iteration(&coll).unwrap_or_default(),
            Value::Unknown(_) => return one(format!("{base}[each.key]")),
            // Terraform rejects anything else
            _ => Vec::new(),
        };
        // keys not known (`toset([var.a, "b"])`): one instance stands for them, with `each`
        // not known
        let known = |k: &Spanned| matches!(&k.value, Value::String(t) if !t.unknown);
        let unknown_keys = pairs.iter().any(|(k, _)| !known(k));
        let mut out: Vec<Instance> = pairs
            .into_iter()
            .filter(|(k, _)| known(k))
            .take(MAX_INSTANCES)
            .map(|(k, v)| {
                let key = k
                    .value
                    .as_text()
                    .map(|t| t.value.clone())
                    .unwrap_or_default();
                let each = object(&[("key", k), ("value", v)], &span);
                Instance {
                    address: format!("{base}[{key:?}]"),
                    scope: vec![("each".to_owned(), each)],
                }
            })
            .collect();
        if unknown_keys {
            out.extend(one(format!("{base}[each.key]")));
        }
        return out;
    }
    if let Some(a) = parse::attribute(body, "count") {
        let n = cx.eval(&a.value);
        let count = match &n.value {
            Value::Number(t) => t.parse::<usize>().ok(),
            Value::String(t) if !t.unknown => t.value.parse::<usize>().ok(),
            Value::Unknown(_) => return one(base.to_owned()),
            _ => None,
        };
        return (0..count.unwrap_or(0).min(MAX_INSTANCES))
            .map(|i| {
                let index = Spanned {
                    value: Value::Number(i.to_string()),
                    span: n.span.clone(),
                };
                Instance {
                    address: format!("{base}[{i}]"),
                    scope: vec![("count".to_owned(), object(&[("index", index)], &n.span))],
                }
            })
            .collect();
    }
    one(base.to_owned())
}

/// Argument `key` of the nested block `name` of `body` (one: Terraform rejects a second, the
/// first is read); in a `.tf.json` file, where a block is written as an object (or a list of
/// them) and [`crate::hcl::json`] cannot tell it from an attribute, of that object.
fn nested(cx: &Cx<'_>, body: &Body, name: &str, i: &Instance, key: &str) -> Option<Spanned> {
    if let Some(b) = parse::blocks(body, name).next() {
        return i.attr(cx, &b.body, key);
    }
    if !parse::is_json(&cx.file.name) {
        return None;
    }
    let v = i.attr(cx, body, name)?;
    let object = match v.value {
        Value::List(items) => items.into_iter().next()?,
        _ => v,
    };
    object.value.get(key).cloned()
}

/// An object value of the given entries, at `span`.
fn object(entries: &[(&str, Spanned)], span: &Span) -> Spanned {
    Spanned {
        value: Value::Object(
            entries
                .iter()
                .map(|(k, v)| (Text::produced(*k, span.clone()), v.clone()))
                .collect(),
        ),
        span: span.clone(),
    }
}

/// An `aws_eks_access_entry`.
fn entry(cx: &Cx<'_>, block: &Block, i: &Instance) -> AccessEntry {
    let body = &block.body;
    let get = |key: &str| i.attr(cx, body, key);
    AccessEntry {
        file: cx.file.clone(),
        origin: Origin {
            tool: Tool::Terraform,
            name: i.address.clone(),
        },
        span: cx.span(block),
        cluster: get("cluster_name").and_then(|v| cluster_field(cx, v)),
        principal: get("principal_arn").and_then(text_field),
        entry_type: get("type").and_then(text_field),
        username: get("user_name").and_then(text_field),
        groups: get("kubernetes_groups")
            .map(list_fields)
            .unwrap_or_default(),
        policies: Vec::new(),
        implicit: None,
    }
}

/// An `aws_eks_access_policy_association`.
fn association(cx: &Cx<'_>, block: &Block, i: &Instance) -> Association {
    let body = &block.body;
    let get = |key: &str| i.attr(cx, body, key);
    let in_scope = |key: &str| nested(cx, body, "access_scope", i, key);
    Association {
        file: cx.file.clone(),
        origin: Origin {
            tool: Tool::Terraform,
            name: i.address.clone(),
        },
        cluster: get("cluster_name").and_then(|v| cluster_field(cx, v)),
        principal: get("principal_arn").and_then(text_field),
        policy: PolicyAssociation {
            span: cx.span(block),
            policy: get("policy_arn").and_then(text_field),
            scope: in_scope("type").and_then(text_field),
            namespaces: in_scope("namespaces").map(list_fields).unwrap_or_default(),
        },
    }
}

/// An `aws_eks_cluster`'s access settings (the API's defaults when not written).
fn cluster(cx: &Cx<'_>, block: &Block, i: &Instance) -> AccessConfig {
    let body = &block.body;
    let in_config = |key: &str| nested(cx, body, "access_config", i, key);
    // a name not known is written as the reference entries make to it
    let cluster = i.attr(cx, body, "name").map(|v| {
        string_field(&v).unwrap_or_else(|| Field {
            value: format!("${{{}.name}}", i.address),
            span: v.span,
        })
    });
    AccessConfig {
        file: cx.file.clone(),
        origin: Origin {
            tool: Tool::Terraform,
            name: i.address.clone(),
        },
        span: cx.span(block),
        cluster,
        mode: in_config("authentication_mode").and_then(text_field),
        default_mode: AuthMode::ConfigMap,
        bootstrap_admin: in_config("bootstrap_cluster_creator_admin_permissions")
            .and_then(text_field),
        default_bootstrap_admin: true,
    }
}

/// A terraform-aws-modules/eks v20 or v21 block: the cluster's access settings, the entries of
/// `access_entries` and the creator's entry.
fn module(
    cx: &Cx<'_>,
    block: &Block,
    generation: AccessGeneration,
    i: &Instance,
    out: &mut AccessDecls,
) {
    let body = &block.body;
    let get = |key: &str| i.attr(cx, body, key);
    // `create = false`: the module makes nothing
    if get("create").is_some_and(|v| v.value == Value::Bool(false)) {
        return;
    }
    let name_input = match generation {
        AccessGeneration::V20 => "cluster_name",
        AccessGeneration::V21 => "name",
    };
    let source_span =
        parse::attribute(body, "source").map_or_else(|| cx.span(block), |a| cx.span(a));
    let placeholder = |span: Span| Field {
        value: format!("${{{}.cluster_name}}", i.address),
        span,
    };
    let cluster = match get(name_input) {
        Some(v) => string_field(&v).unwrap_or_else(|| placeholder(v.span)),
        // the input's default, "": the module fails without a name
        None => placeholder(source_span),
    };
    let file = cx.file.clone();
    out.configs.push(AccessConfig {
        file: file.clone(),
        origin: Origin {
            tool: Tool::TerraformModule,
            name: i.address.clone(),
        },
        span: cx.span(block),
        cluster: Some(cluster.clone()),
        mode: get("authentication_mode").and_then(text_field),
        default_mode: AuthMode::ApiAndConfigMap,
        bootstrap_admin: None,
        default_bootstrap_admin: false,
    });
    let new_entry = |key: &str, span: Span| AccessEntry {
        file: file.clone(),
        origin: Origin {
            tool: Tool::TerraformModule,
            name: format!("{}.access_entries[{key:?}]", i.address),
        },
        span,
        cluster: Some(cluster.clone()),
        principal: None,
        entry_type: None,
        username: None,
        groups: Vec::new(),
        policies: Vec::new(),
        implicit: None,
    };
    let mut entries: Vec<(String, AccessEntry)> = Vec::new();
    let given = get("access_entries");
    match given.as_ref().map(|v| &v.value) {
        Some(Value::Object(_)) => {
            let pairs = given.as_ref().and_then(iteration).unwrap_or_default();
            for (k, v) in pairs.into_iter().take(MAX_INSTANCES) {
                let key = k
                    .value
                    .as_text()
                    .map(|t| t.value.clone())
                    .unwrap_or_default();
                let mut e = new_entry(&key, v.span.clone());
                module_entry(&mut e, &v);
                entries.push((key, e));
            }
        }
        // entries not known: one stands for them all
        Some(Value::Unknown(u)) => {
            let span = given.as_ref().map(|v| v.span.clone()).unwrap_or_default();
            let mut e = new_entry("", span.clone());
            e.origin.name = format!("{}.access_entries[*]", i.address);
            e.principal = Some(Field {
                value: format!("${{{}}}", u.expr),
                span,
            });
            entries.push((String::new(), e));
        }
        // the default `{}`, null, or a value the module rejects
        _ => {}
    }
    let creator = parse::attribute(body, "enable_cluster_creator_admin_permissions");
    if let Some(attr) = creator
        && cx.eval_in(&attr.value, &i.scope).value == Value::Bool(true)
        && !entries.iter().any(|(k, _)| k == "cluster_creator")
    {
        let span = cx.span(attr);
        let at = |value: &str| Field {
            value: value.to_owned(),
            span: span.clone(),
        };
        let mut e = new_entry("cluster_creator", span.clone());
        e.principal = Some(at(CREATOR));
        e.entry_type = Some(at(EntryType::Standard.as_str()));
        e.policies.push(PolicyAssociation {
            span: span.clone(),
            policy: Some(at(&format!(
                "arn:aws:eks::aws:cluster-access-policy/{CLUSTER_ADMIN_POLICY}"
            ))),
            scope: Some(at("cluster")),
            namespaces: Vec::new(),
        });
        e.implicit = Some(CREATOR_WHY.to_owned());
        entries.push(("cluster_creator".to_owned(), e));
    }
    // the module's map, in the order Terraform iterates it
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    out.entries.extend(entries.into_iter().map(|(_, e)| e));
}

/// The fields of one value of the module's `access_entries`.
fn module_entry(e: &mut AccessEntry, v: &Spanned) {
    if let Value::Unknown(u) = &v.value {
        e.principal = Some(Field {
            value: format!("${{{}}}", u.expr),
            span: v.span.clone(),
        });
        return;
    }
    let get = |key: &str| v.value.get(key).cloned();
    e.principal = get("principal_arn").and_then(text_field);
    e.entry_type = get("type").and_then(text_field);
    e.username = get("user_name").and_then(text_field);
    e.groups = get("kubernetes_groups")
        .map(list_fields)
        .unwrap_or_default();
    // the module associates no policy with the node types
    if e.kind().is_some_and(EntryType::is_node) {
        return;
    }
    let Some(policies) = get("policy_associations") else {
        return;
    };
    match &policies.value {
        Value::Object(_) => {
            for (_, p) in iteration(&policies).unwrap_or_default() {
                let scope = p.value.get("access_scope");
                let in_scope = |key: &str| scope.and_then(|s| s.value.get(key)).cloned();
                e.policies.push(PolicyAssociation {
                    span: p.span.clone(),
                    policy: p.value.get("policy_arn").cloned().and_then(text_field),
                    scope: in_scope("type").and_then(text_field),
                    namespaces: in_scope("namespaces").map(list_fields).unwrap_or_default(),
                });
            }
        }
        Value::Unknown(u) => e.policies.push(PolicyAssociation {
            span: policies.span.clone(),
            policy: Some(Field {
                value: format!("${{{}}}", u.expr),
                span: policies.span.clone(),
            }),
            scope: None,
            namespaces: Vec::new(),
        }),
        _ => {}
    }
}

/// A string attribute as a field: a known string, a string with `${...}` placeholders for its
/// unknown parts, a whole unknown value as `${expr}`, a number or bool as Terraform converts it;
/// `None` for null (not set) and for what Terraform rejects (a list, an object).
fn text_field(v: Spanned) -> Option<Field> {
    let value = match v.value {
        Value::String(t) => t.value,
        Value::Unknown(u) => format!("${{{}}}", u.expr),
        Value::Number(n) => n,
        Value::Bool(b) => b.to_string(),
        Value::Null | Value::List(_) | Value::Object(_) => return None,
    };
    Some(Field {
        value,
        span: v.span,
    })
}

/// A list of strings as fields (an unknown list as one placeholder).
fn list_fields(v: Spanned) -> Vec<Field> {
    match v.value {
        Value::List(items) => items.into_iter().filter_map(text_field).collect(),
        Value::Unknown(_) => text_field(v).into_iter().collect(),
        _ => Vec::new(),
    }
}

/// A cluster name as a field: a reference to a cluster whose name is not known is written as
/// the cluster's own placeholder (`aws_eks_cluster.X.id` as `${aws_eks_cluster.X.name}`), and
/// `module.X.cluster_name` of an eks module in this directory is its name input when known.
fn cluster_field(cx: &Cx<'_>, v: Spanned) -> Option<Field> {
    if let Value::Unknown(u) = &v.value {
        let parts: Vec<&str> = u.expr.trim().split('.').collect();
        match parts.as_slice() {
            ["aws_eks_cluster", name, "id"] => {
                return Some(Field {
                    value: format!("${{aws_eks_cluster.{name}.name}}"),
                    span: v.span,
                });
            }
            ["module", name, "cluster_name"] => {
                if let Some(value) = module_cluster_name(cx, name) {
                    return Some(Field {
                        value,
                        span: v.span,
                    });
                }
            }
            _ => {}
        }
    }
    text_field(v)
}

/// The cluster name of eks module `name` of this directory, when its input is a known string.
fn module_cluster_name(cx: &Cx<'_>, name: &str) -> Option<String> {
    let (file, block) = cx.module.block("module", &[name])?;
    let counted = ["count", "for_each"]
        .iter()
        .any(|k| parse::attribute(&block.body, k).is_some());
    if counted {
        return None;
    }
    let input = match access_generation(cx.module, file, &block.body)? {
        AccessGeneration::V20 => "cluster_name",
        AccessGeneration::V21 => "name",
    };
    let expr = &parse::attribute(&block.body, input)?.value;
    match cx.module.eval(file, expr).value {
        Value::String(t) if !t.unknown => Some(t.value),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
