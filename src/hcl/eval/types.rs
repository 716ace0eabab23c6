//! A variable's value converted to its `type`, as Terraform does before anything reads it:
//! `string`, `number` and `bool` convert between each other's text forms; `list(T)`,
//! `set(T)`, `map(T)`, `tuple([...])` convert their elements; `object({...})` keeps only the
//! declared attributes (extra ones are dropped) and gives a missing `optional(T)` attribute
//! `null` (or the `optional(T, default)` default), a missing required one being an error;
//! `set(T)` of strings, numbers or bools is ordered and deduplicated as `toset` does (a set of
//! collections keeps its order: cty orders those by hash). `any` and type expressions not
//! understood leave the value as it is.

use hcl_edit::expr::{Expression, FuncCall, ObjectKey};

use super::ops::{number_text, unknown};
use super::{Ctx, REJECTED, Site};
use crate::hcl::value::{Spanned, Text, Value};

impl<'m> Ctx<'m> {
    /// Converts `v` to the type written as `ty` at `site` (the variable's file).
    pub(super) fn convert(&self, site: &Site<'m>, v: Spanned, ty: &Expression) -> Spanned {
        if matches!(v.value, Value::Unknown(_) | Value::Null) || !self.charge(16) {
            return v;
        }
        let span = v.span.clone();
        let rejected = |v: &Spanned| unknown(site.text(&v.span), REJECTED, v.span.clone());
        match ty {
            Expression::Variable(name) => match (name.as_str(), &v.value) {
                ("string", Value::String(_)) => v,
                ("string", Value::Number(n)) => Spanned {
                    value: Value::String(Text::produced(n.clone(), span.clone())),
                    span,
                },
                ("string", Value::Bool(b)) => Spanned {
                    value: Value::String(Text::produced(b.to_string(), span.clone())),
                    span,
                },
                ("number", Value::Number(_)) | ("bool", Value::Bool(_)) => v,
                ("number", Value::String(t)) if !t.unknown => match number_text(&t.value) {
                    Some(n) => Spanned {
                        value: Value::Number(n),
                        span,
                    },
                    None => rejected(&v),
                },
                ("bool", Value::String(t)) if t.value == "true" || t.value == "false" => Spanned {
                    value: Value::Bool(t.value == "true"),
                    span,
                },
                ("string" | "number" | "bool", _) => rejected(&v),
                _ => v,
            },
            Expression::FuncCall(call) => self.convert_call(site, v, call),
            Expression::Parenthesis(p) => self.convert(site, v, p.inner()),
            _ => v,
        }
    }

    fn convert_call(&self, site: &Site<'m>, v: Spanned, call: &FuncCall) -> Spanned {
        let span = v.span.clone();
        let rejected = |v: &Spanned| unknown(site.text(&v.span), REJECTED, v.span.clone());
        let arg = call.args.iter().next();
        match (call.name.name.as_str(), v.value, arg) {
            ("list" | "set", Value::List(items), Some(t)) => {
                let items: Vec<Spanned> = items
                    .into_iter()
                    .map(|i| self.convert(site, i, t))
                    .collect();
                let list = Spanned {
                    value: Value::List(items),
                    span: span.clone(),
                };
                if call.name.name.as_str() == "set" {
                    super::super::functions::set_order(list)
                } else {
                    list
                }
            }
            ("map", Value::Object(entries), Some(t)) => Spanned {
                value: Value::Object(
                    entries
                        .into_iter()
                        .map(|(k, e)| (k, self.convert(site, e, t)))
                        .collect(),
                ),
                span,
            },
            ("tuple", Value::List(items), Some(Expression::Array(types))) => {
                if items.len() != types.len() {
                    return rejected(&Spanned {
                        value: Value::Null,
                        span,
                    });
                }
                let items = items
                    .into_iter()
                    .zip(types.iter())
                    .map(|(i, t)| self.convert(site, i, t))
                    .collect();
                Spanned {
                    value: Value::List(items),
                    span,
                }
            }
            ("object", Value::Object(entries), Some(Expression::Object(attrs))) => {
                self.convert_object(site, entries, attrs, span)
            }
            ("optional", value, Some(t)) => self.convert(site, Spanned { value, span }, t),
            ("list" | "set" | "map" | "tuple" | "object", value, _) => {
                rejected(&Spanned { value, span })
            }
            (_, value, _) => Spanned { value, span },
        }
    }

    fn convert_object(
        &self,
        site: &Site<'m>,
        mut entries: Vec<(Text, Spanned)>,
        attrs: &hcl_edit::expr::Object,
        span: crate::source::Span,
    ) -> Spanned {
        let mut out = Vec::new();
        for (key, ty) in attrs {
            let name = match key {
                ObjectKey::Ident(id) => id.as_str().to_owned(),
                ObjectKey::Expression(Expression::String(s)) => s.value().clone(),
                ObjectKey::Expression(_) => return unknown(site.text(&span), REJECTED, span),
            };
            let ty = ty.expr();
            let optional = match ty {
                Expression::FuncCall(c) if c.name.name.as_str() == "optional" => Some(c),
                _ => None,
            };
            if let Some(i) = entries.iter().position(|(k, _)| k.value == name) {
                let (k, v) = entries.swap_remove(i);
                out.push((k, self.convert(site, v, ty)));
                continue;
            }
            let Some(call) = optional else {
                // a required attribute is missing
                return unknown(site.text(&span), REJECTED, span);
            };
            let key = Text::produced(name, span.clone());
            let value = match (call.args.iter().next(), call.args.iter().nth(1)) {
                (Some(t), Some(d)) => {
                    let d = self.eval(site, d, &[]);
                    self.convert(site, d, t)
                }
                _ => Spanned {
                    value: Value::Null,
                    span: span.clone(),
                },
            };
            out.push((key, value));
        }
        Spanned {
            value: Value::Object(out),
            span,
        }
    }
}
