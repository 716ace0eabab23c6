//! References: `var.X`, `local.X`, `aws_iam_role.NAME.arn`/`.name`, the names Terraform knows
//! only when it runs (`data.*`, `module.*`, ...), and attribute, index and splat access.

use hcl_edit::Span as _;
use hcl_edit::expr::{Expression, TraversalOperator};

use super::ops::{from_json, get_index, get_key, respan, unknown, weight};
use super::{Ctx, REJECTED, Scope, Site, TOO_LARGE, VarSource, parse};
use crate::hcl::value::{Spanned, Text, Value};
use crate::source::Span;

impl<'m> Ctx<'m> {
    /// A traversal `root.op...` (or a bare name when `ops` is empty); `None` when it names
    /// nothing Terraform knows (an error).
    pub(super) fn traversal(
        &self,
        site: &Site<'m>,
        root: &Expression,
        ops: &[hcl_edit::Decorated<TraversalOperator>],
        scope: &Scope<'_>,
        span: Span,
    ) -> Option<Spanned> {
        let text = site.text(&span);
        let attr = |i: usize| match ops.get(i).map(hcl_edit::Decorated::value) {
            Some(TraversalOperator::GetAttr(id)) => Some(id.as_str()),
            _ => None,
        };
        let (base, rest) = match name_of(root) {
            Some(name) if scope.iter().any(|(n, _)| *n == name) => {
                let (_, v) = scope.iter().rev().find(|(n, _)| *n == name)?;
                (v.clone(), ops)
            }
            Some("var") => {
                let name = attr(0)?;
                let ref_span = ops_span(root, &ops[..1]).unwrap_or_else(|| span.clone());
                (self.var(site, name, ref_span), &ops[1..])
            }
            Some("local") => {
                let name = attr(0)?;
                let ref_span = ops_span(root, &ops[..1]).unwrap_or_else(|| span.clone());
                (self.local(site, name, ref_span), &ops[1..])
            }
            Some("data") => return Some(unknown(text, "a data source", span)),
            Some("module") => return Some(unknown(text, "another module's output", span)),
            Some("path" | "terraform") => {
                return Some(unknown(
                    text,
                    "a value known only when terraform runs",
                    span,
                ));
            }
            Some("each") => return Some(unknown(text, "a for_each value", span)),
            Some("count") => return Some(unknown(text, "a count index", span)),
            Some("self") => {
                return Some(unknown(
                    text,
                    "a resource attribute known after apply",
                    span,
                ));
            }
            Some("aws_iam_role") if ops.len() == 2 => match (attr(0), attr(1)) {
                (Some(name), Some(field)) if self.module.roles.contains_key(name) => {
                    return Some(self.role(site, name, field, span));
                }
                _ => {
                    return Some(unknown(
                        text,
                        "a resource attribute known after apply",
                        span,
                    ));
                }
            },
            Some(kind) if ops.len() == 2 && echoes(kind) => {
                return Some(match (attr(0), attr(1)) {
                    (Some(name), Some(field)) => self.echo(site, kind, name, field, span),
                    _ => unknown(text, "a resource attribute known after apply", span),
                });
            }
            Some(_) if attr(0).is_some() => {
                return Some(unknown(
                    text,
                    "a resource attribute known after apply",
                    span,
                ));
            }
            Some(_) => return None,
            None => (self.eval(site, root, scope), ops),
        };
        Some(self.apply_ops(site, base, rest, scope, span))
    }

    /// Applies attribute, index and splat operators to a value.
    fn apply_ops(
        &self,
        site: &Site<'m>,
        mut v: Spanned,
        ops: &[hcl_edit::Decorated<TraversalOperator>],
        scope: &Scope<'_>,
        span: Span,
    ) -> Spanned {
        for (i, op) in ops.iter().enumerate() {
            if let Value::Unknown(u) = &v.value {
                return unknown(site.text(&span), u.why, span);
            }
            let got = match op.value() {
                TraversalOperator::GetAttr(id) => get_key(&v, id.as_str()),
                TraversalOperator::Index(e) => {
                    let k = self.eval(site, e, scope);
                    match &k.value {
                        Value::Unknown(u) => return unknown(site.text(&span), u.why, span),
                        Value::Number(n) => get_index(&v, n),
                        Value::String(t) if !t.unknown => match &v.value {
                            Value::List(_) => get_index(&v, &t.value),
                            _ => get_key(&v, &t.value),
                        },
                        _ => None,
                    }
                }
                TraversalOperator::LegacyIndex(n) => get_index(&v, &n.value().to_string()),
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                    let full = matches!(op.value(), TraversalOperator::FullSplat(_));
                    let rest = &ops[i + 1..];
                    let n = if full {
                        rest.len()
                    } else {
                        rest.iter()
                            .take_while(|o| matches!(o.value(), TraversalOperator::GetAttr(_)))
                            .count()
                    };
                    let items = match v.value {
                        Value::List(items) => items,
                        Value::Null => Vec::new(),
                        other => vec![Spanned {
                            value: other,
                            span: v.span.clone(),
                        }],
                    };
                    let out = items
                        .into_iter()
                        .map(|item| self.apply_ops(site, item, &rest[..n], scope, span.clone()))
                        .collect();
                    let list = Spanned {
                        value: Value::List(out),
                        span: span.clone(),
                    };
                    return self.apply_ops(site, list, &rest[n..], scope, span);
                }
            };
            match got {
                Some(next) => v = next,
                None => return unknown(site.text(&span), REJECTED, span),
            }
        }
        Spanned {
            value: v.value,
            span: v.span,
        }
    }

    /// `var.NAME`, referred to at `at`, converted to the variable's `type` (see [`super::types`]).
    fn var(&self, site: &Site<'m>, name: &str, at: Span) -> Spanned {
        let text = site.text(&at);
        if self.module.tfvars_broken {
            return unknown(
                text,
                "a variable set in a tfvars file that does not parse",
                at,
            );
        }
        let m = self.module;
        let Some(&(file, index)) = m.var_blocks.get(name) else {
            return unknown(text, "an undeclared variable", at);
        };
        let tf = &m.files[file];
        let block = tf.body.get(index).and_then(|s| s.as_block());
        let var_site = Site::new(file, &tf.file);
        // the value, and whether it was written in the variable's file
        let (v, home) = match m.vars.get(name) {
            None | Some(VarSource::Unset) => {
                return unknown(text, "a variable without a value", at);
            }
            Some(VarSource::Tfvars(i)) => {
                let tf = &m.tfvars[*i];
                let Some(a) = parse::attribute(&tf.body, name) else {
                    return unknown(text, REJECTED, at);
                };
                let tfvars_site = Site {
                    file: None,
                    src: &tf.file,
                };
                (respan(self.eval(&tfvars_site, &a.value, &[]), &at), false)
            }
            Some(VarSource::Json(i)) => {
                let (_, map) = &m.json_tfvars[*i];
                match map.get(name) {
                    Some(j) => (from_json(j, &at), false),
                    None => return unknown(text, REJECTED, at),
                }
            }
            Some(VarSource::Default) => {
                let Some(a) = block.and_then(|b| parse::attribute(&b.body, "default")) else {
                    return unknown(text, REJECTED, at);
                };
                (self.eval(&var_site, &a.value, &[]), true)
            }
        };
        let v = match block.and_then(|b| parse::attribute(&b.body, "type")) {
            Some(ty) => self.convert(&var_site, v, &ty.value),
            None => v,
        };
        if home && site.file == Some(file) {
            v
        } else {
            respan(v, &at)
        }
    }

    /// `local.NAME`, referred to at `at`.
    fn local(&self, site: &Site<'m>, name: &str, at: Span) -> Spanned {
        let text = site.text(&at);
        let Some(&(file, index)) = self.module.locals.get(name) else {
            return unknown(text, "an undefined local", at);
        };
        let cached = self.cache.borrow().get(name).cloned();
        let v = if let Some(v) = cached {
            if !self.charge(weight(&v)) {
                return unknown(text, TOO_LARGE, at);
            }
            v
        } else {
            if self.active.borrow().iter().any(|n| n == name) {
                return unknown(text, "a local that refers to itself", at);
            }
            let tf = &self.module.files[file];
            let attr = tf
                .body
                .get(index)
                .and_then(|s| s.as_block())
                .and_then(|b| parse::attribute(&b.body, name));
            let Some(attr) = attr else {
                return unknown(text, REJECTED, at);
            };
            self.active.borrow_mut().push(name.to_owned());
            let v = self.eval(&Site::new(file, &tf.file), &attr.value, &[]);
            self.active.borrow_mut().pop();
            self.cache.borrow_mut().insert(name.to_owned(), v.clone());
            v
        };
        if site.file == Some(file) {
            v
        } else {
            respan(v, &at)
        }
    }

    /// `aws_iam_role.NAME.FIELD` of a role declared in the module.
    fn role(&self, site: &Site<'m>, name: &str, field: &str, at: Span) -> Spanned {
        let text = site.text(&at);
        let Some(&(file, index)) = self.module.roles.get(name) else {
            return unknown(text, "a resource attribute known after apply", at);
        };
        let tf = &self.module.files[file];
        let Some(block) = tf.body.get(index).and_then(|s| s.as_block()) else {
            return unknown(text, REJECTED, at);
        };
        if ["count", "for_each"]
            .iter()
            .any(|k| parse::attribute(&block.body, k).is_some())
        {
            // `aws_iam_role.NAME.arn` of a counted role is an error; `NAME[0].arn` is not read
            return unknown(text, "a resource attribute known after apply", at);
        }
        let role_site = Site::new(file, &tf.file);
        let attr = |key: &str| {
            parse::attribute(&block.body, key).map(|a| self.eval(&role_site, &a.value, &[]))
        };
        let name_value = attr("name").filter(|_| attr("name_prefix").is_none());
        let v = match field {
            "name" => match name_value {
                Some(v) => v,
                None => unknown(text, "a resource attribute known after apply", at.clone()),
            },
            "arn" => {
                let mut t = Text::produced(format!("arn:aws:iam::${{{text}}}:role"), at.clone());
                t.unknown = true;
                match attr("path") {
                    None => t.push("/", at.clone(), false),
                    Some(p) => push_part(&mut t, &p, &role_site),
                }
                if let Some(n) = name_value {
                    push_part(&mut t, &n, &role_site);
                } else {
                    let s = format!("${{aws_iam_role.{name}.name}}");
                    t.push(&s, at.clone(), false);
                }
                Spanned {
                    value: Value::String(t),
                    span: at.clone(),
                }
            }
            _ => unknown(text, "a resource attribute known after apply", at.clone()),
        };
        if site.file == Some(file) {
            v
        } else {
            respan(v, &at)
        }
    }
}

/// Attributes of a resource that are an argument of it, read back: (type, attribute,
/// argument). `aws_eks_cluster`'s `id` is its name.
const ECHOED: &[(&str, &str, &str)] = &[
    ("aws_eks_cluster", "name", "name"),
    ("aws_eks_cluster", "id", "name"),
    ("aws_eks_access_entry", "principal_arn", "principal_arn"),
    ("aws_eks_access_entry", "cluster_name", "cluster_name"),
];

/// Whether references to resources of type `kind` are read back ([`ECHOED`]).
pub(super) fn echoes(kind: &str) -> bool {
    ECHOED.iter().any(|(k, _, _)| *k == kind)
}

impl<'m> Ctx<'m> {
    /// `KIND.NAME.FIELD` of a resource of [`ECHOED`] declared in the module (not counted):
    /// the argument it reads back, moved to the reference. A cluster's name is read back only
    /// when known (else the reference stays, the text entries and the cluster share); an
    /// access entry's arguments as they are (a placeholder of the same text on both sides).
    fn echo(&self, site: &Site<'m>, kind: &str, name: &str, field: &str, at: Span) -> Spanned {
        let text = site.text(&at);
        let after_apply = || {
            unknown(
                text.clone(),
                "a resource attribute known after apply",
                at.clone(),
            )
        };
        let Some((_, _, argument)) = ECHOED.iter().find(|(k, f, _)| *k == kind && *f == field)
        else {
            return after_apply();
        };
        let key = (kind.to_owned(), name.to_owned());
        let Some(&(file, index)) = self.module.echoed.get(&key) else {
            return after_apply();
        };
        let tf = &self.module.files[file];
        let Some(block) = tf.body.get(index).and_then(|s| s.as_block()) else {
            return after_apply();
        };
        let counted = ["count", "for_each"]
            .iter()
            .any(|k| parse::attribute(&block.body, k).is_some());
        let Some(attr) = parse::attribute(&block.body, argument).filter(|_| !counted) else {
            return after_apply();
        };
        let v = self.eval(&Site::new(file, &tf.file), &attr.value, &[]);
        let known = matches!(&v.value, Value::String(t) if !t.unknown);
        if kind == "aws_eks_cluster" && !known {
            return after_apply();
        }
        respan(v, &at)
    }
}

/// Appends a string value to a text (a known string's pieces, anything else as `${expr}`).
fn push_part(t: &mut Text, v: &Spanned, site: &Site<'_>) {
    if let Value::String(s) = &v.value {
        t.push_text(s);
    } else {
        let s = format!("${{{}}}", site.text(&v.span));
        t.push(&s, v.span.clone(), false);
        t.unknown = true;
    }
}

/// The name of a bare variable expression.
fn name_of(e: &Expression) -> Option<&str> {
    match e {
        Expression::Variable(v) => Some(v.as_str()),
        _ => None,
    }
}

/// The span from the root of a traversal to the end of `ops`.
fn ops_span(root: &Expression, ops: &[hcl_edit::Decorated<TraversalOperator>]) -> Option<Span> {
    let start = root.span()?.start;
    let end = ops
        .last()
        .and_then(hcl_edit::Span::span)
        .map_or(root.span()?.end, |s| s.end);
    Some(start..end)
}
