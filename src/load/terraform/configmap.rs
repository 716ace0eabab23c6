//! `kubernetes_config_map`, `kubernetes_config_map_v1` and `kubernetes_config_map_v1_data`
//! resources (the Terraform kubernetes provider) that write `kube-system/aws-auth`.
//!
//! What the provider does, from its documentation and schema
//! (hashicorp/terraform-provider-kubernetes, `kubernetes/resource_kubernetes_config_map*.go`):
//! - `metadata.namespace` defaults to `default`: a resource without it writes `default/aws-auth`,
//!   which the authenticator never reads;
//! - `data` is a `map(string)`: numbers and booleans become their text, anything else fails
//!   the plan;
//! - `kubernetes_config_map(_v1)` owns the whole object: it cannot be created where EKS already
//!   made one, and once it exists every apply puts back exactly what it declares, removing
//!   what EKS added for managed node groups and Fargate profiles;
//! - `kubernetes_config_map_v1_data` writes only the keys it declares, with server-side apply;
//!   with `force = true` it takes them over from EKS, replacing the whole `mapRoles` string.

use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::structure::Block;

use super::{
    Cx, Rendered, add_rendered, add_unknown, new_object, render, rendered_value, string_field,
};
use crate::hcl::parse;
use crate::hcl::value::{Spanned, Text, Value};
use crate::model::{AwsAuth, Field, Overwrite, Rejection, SectionKind, Terraform};
use crate::source::Span;
use crate::yaml::Style;

/// The resource types read.
pub(super) const KINDS: [&str; 3] = [
    "kubernetes_config_map",
    "kubernetes_config_map_v1",
    "kubernetes_config_map_v1_data",
];

/// Reads a config-map resource, when it writes aws-auth (by its name, or by its data keys).
pub(super) fn read(cx: &Cx<'_>, block: &Block, kind: &str, name: &str) -> Option<AwsAuth> {
    let metadata = parse::blocks(&block.body, "metadata").next();
    let meta_field = |key: &str| {
        let attr = parse::attribute(&metadata?.body, key)?;
        Some((cx.eval(&attr.value), cx.span(&attr.key)))
    };
    let data_expr = parse::attribute(&block.body, "data").map(|a| &a.value);
    let name_value = meta_field("name");
    let named_aws_auth = name_value
        .as_ref()
        .and_then(|(v, _)| v.value.as_text())
        .is_some_and(|t| t.value == "aws-auth");
    let has_sections = data_expr.is_some_and(|d| {
        let text = cx.file.slice(&cx.span(d));
        SectionKind::ALL.iter().any(|k| text.contains(k.key()))
    });
    if !named_aws_auth && !has_sections {
        return None;
    }
    let span = cx.span(block);
    let overwrites = overwrite(cx, block, kind);
    let mut obj = new_object(
        cx,
        span.clone(),
        Terraform {
            address: format!("{kind}.{name}"),
            what: kind.to_owned(),
            overwrites,
            ..Terraform::default()
        },
    );
    obj.metadata_span = metadata.map(|m| cx.span(&m.ident));
    obj.name = name_value.as_ref().and_then(|(v, _)| string_field(v));
    // the provider's default namespace
    obj.namespace = match meta_field("namespace") {
        Some((v, _)) => string_field(&v),
        None => Some(Field {
            value: "default".to_owned(),
            span: metadata.map_or(span.start..span.start, |m| cx.span(&m.ident)),
        }),
    };
    if let Some(data) = data_expr {
        read_data(cx, &mut obj, data);
    }
    super::super::finish(&mut obj);
    Some(obj)
}

/// Reads a `kubernetes_manifest` resource whose `manifest` is the `aws-auth` `ConfigMap`
/// (`manifest = { apiVersion = "v1", kind = "ConfigMap", metadata = {...}, data = {...} }`):
/// server-side apply of the whole object, so it owns every key it writes.
pub(super) fn read_manifest(cx: &Cx<'_>, block: &Block, name: &str) -> Option<AwsAuth> {
    let manifest = &parse::attribute(&block.body, "manifest")?.value;
    let kind = object_field(manifest, "kind").map(|e| cx.eval(e));
    if kind
        .as_ref()
        .and_then(|k| k.value.as_text())
        .map(|t| t.value.as_str())
        != Some("ConfigMap")
    {
        return None;
    }
    let metadata = object_field(manifest, "metadata");
    let meta = |key: &str| {
        metadata
            .and_then(|m| object_field(m, key))
            .map(|e| cx.eval(e))
    };
    let data_expr = object_field(manifest, "data");
    let name_value = meta("name");
    let named_aws_auth = name_value
        .as_ref()
        .and_then(|v| v.value.as_text())
        .is_some_and(|t| t.value == "aws-auth");
    if !named_aws_auth {
        return None;
    }
    let span = cx.span(block);
    let label = block
        .labels
        .first()
        .map_or_else(|| cx.span(&block.ident), |l| cx.span(l));
    let mut obj = new_object(
        cx,
        span.clone(),
        Terraform {
            address: format!("kubernetes_manifest.{name}"),
            what: "kubernetes_manifest".to_owned(),
            overwrites: Some(Overwrite {
                how: Field {
                    value: "`kubernetes_manifest` applies the whole ConfigMap".to_owned(),
                    span: label,
                },
                keys_only: false,
            }),
            ..Terraform::default()
        },
    );
    obj.metadata_span = metadata.map(|m| cx.span(m));
    obj.name = name_value.as_ref().and_then(string_field);
    obj.namespace = match meta("namespace") {
        Some(v) => string_field(&v),
        None => Some(Field {
            value: "default".to_owned(),
            span: metadata.map_or(span.start..span.start, |m| cx.span(m)),
        }),
    };
    if let Some(data) = data_expr {
        read_data(cx, &mut obj, data);
    }
    super::super::finish(&mut obj);
    Some(obj)
}

/// The expression of key `key` in an object written in place (`{ key = ... }`).
fn object_field<'e>(expr: &'e Expression, key: &str) -> Option<&'e Expression> {
    let Expression::Object(object) = expr else {
        return None;
    };
    object.iter().find_map(|(k, v)| {
        let name = match k {
            ObjectKey::Ident(id) => id.as_str(),
            ObjectKey::Expression(Expression::String(s)) => s.as_str(),
            ObjectKey::Expression(_) => return None,
        };
        (name == key).then(|| v.expr())
    })
}

/// How a resource replaces what EKS wrote, if it does.
fn overwrite(cx: &Cx<'_>, block: &Block, kind: &str) -> Option<Overwrite> {
    if kind == "kubernetes_config_map_v1_data" {
        let force = parse::attribute(&block.body, "force")?;
        let v = cx.eval(&force.value);
        return matches!(v.value, Value::Bool(true)).then(|| Overwrite {
            how: Field {
                value: "`force = true` takes over the keys it writes".to_owned(),
                span: cx.span(force),
            },
            keys_only: true,
        });
    }
    // `lifecycle { ignore_changes = [data] }` (or `all`): written once, when created, and then
    // left to EKS (the eks module's `create_aws_auth_configmap` does this)
    let ignores_data = parse::blocks(&block.body, "lifecycle").any(|l| {
        parse::attribute(&l.body, "ignore_changes").is_some_and(|a| {
            let text = cx.file.slice(&cx.span(&a.value));
            text.trim() == "all"
                || text
                    .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
                    .any(|w| w == "data")
        })
    });
    if ignores_data {
        return None;
    }
    Some(Overwrite {
        how: Field {
            value: format!("`{kind}` owns the whole ConfigMap"),
            span: block
                .labels
                .first()
                .map_or_else(|| cx.span(&block.ident), |l| cx.span(l)),
        },
        keys_only: false,
    })
}

/// Reads the `data` map: each aws-auth key becomes a section. An object written in place is
/// read key by key (so that `yamlencode` keeps what is known of its argument); anything else is
/// evaluated whole.
fn read_data(cx: &Cx<'_>, obj: &mut AwsAuth, data: &Expression) {
    if let Expression::Object(object) = data {
        for (key, value) in object {
            let (name, key_span) = match key {
                ObjectKey::Ident(id) => (Some(id.as_str().to_owned()), cx.span(id)),
                ObjectKey::Expression(e) => {
                    let k = cx.eval(e);
                    (
                        k.value
                            .as_text()
                            .filter(|t| !t.unknown)
                            .map(|t| t.value.clone()),
                        k.span,
                    )
                }
            };
            let Some(name) = name else {
                continue;
            };
            let rendered = render(cx, value.expr());
            add_key(obj, &name, key_span, rendered);
        }
        return;
    }
    let v = cx.eval(data);
    match v.value {
        Value::Object(entries) => {
            for (key, value) in entries {
                let key_span = key_span(&key, &value);
                let span = value.span.clone();
                add_key(obj, &key.value, key_span, rendered_value(value, span));
            }
        }
        Value::Unknown(_) => add_unknown(obj, None, &v),
        _ => {}
    }
}

/// Adds the data key `name` with its rendered value.
fn add_key(obj: &mut AwsAuth, name: &str, key_span: Span, rendered: Rendered) {
    obj.data_keys.push(Field {
        value: name.to_owned(),
        span: key_span.clone(),
    });
    let Some(kind) = SectionKind::from_key(name) else {
        return;
    };
    if let Some(other) = &rendered.other {
        // the provider's `map(string)` refuses it: the plan fails
        obj.rejected.push(Rejection {
            key: name.to_owned(),
            key_span,
            value_span: other.span.clone(),
            found: other.value.type_name(),
        });
        return;
    }
    add_rendered(obj, kind, key_span, rendered);
}

/// Where a key of an evaluated object is written (its first piece, else the object).
pub(super) fn key_span(key: &Text, of: &Spanned) -> std::ops::Range<usize> {
    key.pieces
        .first()
        .map_or_else(|| of.span.clone(), |p| p.outer.clone())
}

/// How a section's value is written, as the nearest YAML style: a heredoc is a block, anything
/// else a quoted string.
pub(super) fn style_of(text: &str, span: &std::ops::Range<usize>) -> Style {
    if text.get(span.clone()).is_some_and(|s| s.starts_with("<<")) {
        Style::Literal
    } else {
        Style::DoubleQuoted
    }
}
