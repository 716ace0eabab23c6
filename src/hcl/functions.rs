//! The Terraform functions awsauth evaluates, on known values: `concat`, `merge`, `flatten`,
//! `distinct`, `format` (`%s`, `%d`, `%q`, `%v`, `%%`, with flags, width and precision),
//! `tolist`, `toset`, `tomap`, `tostring`, `lower`, `upper`, `trimspace`, `join`, `split`,
//! `replace` (plain, not `/regex/`), `coalesce`, `compact`, `lookup`, `try`, `length`, `keys`,
//! `values`, `contains`, `element`.
//!
//! An argument these need to inspect that is not known makes the result unknown, with the
//! argument's why; any other function (`jsonencode`, `yamlencode`, `file`, ...) is unknown,
//! "a function awsauth does not evaluate", its arguments not evaluated: a caller that renders
//! `yamlencode(...)` evaluates the argument itself with [`super::eval::Module::eval`].
//! Strings keep their pieces where the result is made of their runs (`join`, `split`,
//! `format`'s `%s`, `trimspace`, `replace`).

use hcl_edit::expr::FuncCall;

use super::eval::template::slice;
use super::eval::{
    Ctx, DEPENDS_ON_UNKNOWN, REJECTED, Scope, Site, TOO_LARGE, UNSUPPORTED_FUNCTION, equal,
    has_error, unknown, unknown_why,
};
use super::value::{Spanned, Text, Value};
use crate::source::Span;

/// The functions evaluated here (besides `try`).
const SUPPORTED: &[&str] = &[
    "concat",
    "merge",
    "flatten",
    "distinct",
    "format",
    "tolist",
    "toset",
    "tomap",
    "tostring",
    "lower",
    "upper",
    "trimspace",
    "join",
    "split",
    "replace",
    "coalesce",
    "compact",
    "lookup",
    "length",
    "keys",
    "values",
    "contains",
    "element",
];

/// Why a function has no known result.
type Fail = &'static str;

/// Evaluates a function call written at `span`.
pub(crate) fn call(
    ctx: &Ctx<'_>,
    site: &Site<'_>,
    call: &FuncCall,
    scope: &Scope<'_>,
    span: Span,
) -> Spanned {
    let name = call.name.name.as_str();
    let supported = !call.name.is_namespaced()
        && !call.args.expand_final()
        && (name == "try" || SUPPORTED.contains(&name));
    if !supported {
        return unknown(site.text(&span), UNSUPPORTED_FUNCTION, span);
    }
    if name == "try" {
        for arg in &call.args {
            let v = ctx.eval(site, arg, scope);
            if !has_error(&v.value) {
                return Spanned {
                    value: v.value,
                    span,
                };
            }
        }
        return unknown(site.text(&span), REJECTED, span);
    }
    let args: Vec<Spanned> = call.args.iter().map(|a| ctx.eval(site, a, scope)).collect();
    match apply(ctx, name, &args, &span) {
        Ok(value) => Spanned { value, span },
        Err(why) => unknown(site.text(&span), why, span),
    }
}

fn apply(ctx: &Ctx<'_>, name: &str, args: &[Spanned], span: &Span) -> Result<Value, Fail> {
    match (name, args) {
        ("concat", _) => {
            let mut out = Vec::new();
            for a in args {
                out.extend(list(a)?.iter().cloned());
            }
            Ok(Value::List(out))
        }
        ("merge", _) => merge(args),
        ("flatten", [a]) => {
            let mut out = Vec::new();
            flatten_into(list(a)?, &mut out, 0)?;
            Ok(Value::List(out))
        }
        ("distinct", [a]) => {
            let items = list(a)?;
            deep(a)?;
            let mut out: Vec<Spanned> = Vec::new();
            for i in items {
                if !out.iter().any(|o| equal(&o.value, &i.value) == Ok(true)) {
                    out.push(i.clone());
                }
            }
            Ok(Value::List(out))
        }
        ("format", [f, rest @ ..]) => format(ctx, f, rest),
        ("tolist", [a]) => list(a).map(|l| Value::List(l.to_vec())),
        ("toset", [a]) => to_set(a),
        ("tomap", [a]) => match known(a)? {
            v @ Value::Object(_) => Ok(v.clone()),
            _ => Err(REJECTED),
        },
        ("tostring", [a]) => match known(a)? {
            Value::Null => Ok(Value::Null),
            _ => string(a).map(Value::String),
        },
        _ => apply_strings(ctx, name, args, span),
    }
}

/// The functions on strings (and `length`, `keys`, `values`, `contains`, `element`).
fn apply_strings(ctx: &Ctx<'_>, name: &str, args: &[Spanned], span: &Span) -> Result<Value, Fail> {
    match (name, args) {
        ("lower" | "upper", [a]) => {
            let t = string(a)?;
            let changed = if name == "lower" {
                t.value.to_lowercase()
            } else {
                t.value.to_uppercase()
            };
            Ok(Value::String(recase(&t, changed, span)))
        }
        ("trimspace", [a]) => {
            let t = string(a)?;
            let start = t.value.len() - t.value.trim_start().len();
            let end = t.value.trim_end().len().max(start);
            Ok(Value::String(slice(&t, start..end)))
        }
        ("join", [sep, l]) => {
            let sep = string(sep)?;
            let mut out = Text::default();
            for (i, item) in list(l)?.iter().enumerate() {
                let before = out.value.len();
                if i > 0 {
                    out.push_text(&sep);
                }
                out.push_text(&string(item)?);
                if !ctx.charge(out.value.len() - before) {
                    return Err(TOO_LARGE);
                }
            }
            Ok(Value::String(out))
        }
        ("split", [sep, s]) => Ok(split(&string(sep)?, &string(s)?, span)),
        ("replace", [s, from, to]) => replace(ctx, &string(s)?, &string(from)?, &string(to)?),
        ("coalesce", _) => {
            for a in args {
                match known(a)? {
                    Value::Null => {}
                    Value::String(t) if t.value.is_empty() => {}
                    v => return Ok(v.clone()),
                }
            }
            Err(REJECTED)
        }
        ("compact", [l]) => {
            let mut out = Vec::new();
            for item in list(l)? {
                match known(item)? {
                    Value::Null => {}
                    Value::String(t) if t.unknown => return Err(DEPENDS_ON_UNKNOWN),
                    Value::String(t) if t.value.is_empty() => {}
                    Value::String(_) => out.push(item.clone()),
                    _ => return Err(REJECTED),
                }
            }
            Ok(Value::List(out))
        }
        ("lookup", [m, k, default @ ..]) if default.len() <= 1 => {
            let key = string(k)?;
            match known(m)? {
                Value::Object(_) => {}
                _ => return Err(REJECTED),
            }
            match (m.value.get(&key.value), default) {
                (Some(v), _) => Ok(v.value.clone()),
                (None, [d]) => Ok(d.value.clone()),
                (None, _) => Err(REJECTED),
            }
        }
        ("length", [a]) => {
            let n = match known(a)? {
                Value::List(items) => items.len(),
                Value::Object(entries) => entries.len(),
                // Terraform counts grapheme clusters; characters here
                Value::String(_) => string(a)?.value.chars().count(),
                _ => return Err(REJECTED),
            };
            Ok(Value::Number(n.to_string()))
        }
        ("keys" | "values", [a]) => keys_values(name == "keys", a),
        ("contains", [l, v]) => {
            let items = list(l)?;
            deep(l)?;
            deep(v)?;
            Ok(Value::Bool(
                items.iter().any(|i| equal(&i.value, &v.value) == Ok(true)),
            ))
        }
        ("element", [l, i]) => {
            let items = list(l)?;
            let index = integer(i)?;
            if items.is_empty() {
                return Err(REJECTED);
            }
            Ok(items[index % items.len()].value.clone())
        }
        _ => Err(REJECTED),
    }
}

/// `keys` (when `keys`) or `values` of an object, in the lexical order of the keys.
fn keys_values(keys: bool, a: &Spanned) -> Result<Value, Fail> {
    let Value::Object(entries) = known(a)? else {
        return Err(REJECTED);
    };
    if entries.iter().any(|(k, _)| k.unknown) {
        return Err(DEPENDS_ON_UNKNOWN);
    }
    let mut sorted: Vec<&(Text, Spanned)> = entries.iter().collect();
    sorted.sort_by(|x, y| x.0.value.cmp(&y.0.value));
    Ok(Value::List(
        sorted
            .into_iter()
            .map(|(k, v)| {
                if keys {
                    Spanned {
                        value: Value::String(k.clone()),
                        span: k
                            .pieces
                            .first()
                            .map_or_else(|| v.span.clone(), |p| p.outer.clone()),
                    }
                } else {
                    v.clone()
                }
            })
            .collect(),
    ))
}

/// The value, when it is known at the top.
fn known(v: &Spanned) -> Result<&Value, Fail> {
    match &v.value {
        Value::Unknown(u) => Err(u.why),
        other => Ok(other),
    }
}

/// `Ok` when no part of the value is unknown.
fn deep(v: &Spanned) -> Result<(), Fail> {
    unknown_why(&v.value).map_or(Ok(()), Err)
}

/// The elements of a list.
fn list(v: &Spanned) -> Result<&[Spanned], Fail> {
    match known(v)? {
        Value::List(items) => Ok(items),
        _ => Err(REJECTED),
    }
}

/// A string, converting numbers and bools as Terraform does; a partly unknown string is unknown.
fn string(v: &Spanned) -> Result<Text, Fail> {
    match known(v)? {
        Value::String(t) if t.unknown => Err(DEPENDS_ON_UNKNOWN),
        Value::String(t) => Ok(t.clone()),
        Value::Number(n) => Ok(Text::produced(n.clone(), v.span.clone())),
        Value::Bool(b) => Ok(Text::produced(b.to_string(), v.span.clone())),
        _ => Err(REJECTED),
    }
}

/// A whole non-negative number (or a string of one).
fn integer(v: &Spanned) -> Result<usize, Fail> {
    string(v)?.value.parse::<usize>().map_err(|_| REJECTED)
}

fn merge(args: &[Spanned]) -> Result<Value, Fail> {
    let mut out: Vec<(Text, Spanned)> = Vec::new();
    for a in args {
        match known(a)? {
            Value::Null => {}
            Value::Object(entries) => {
                for (k, v) in entries {
                    if k.unknown {
                        return Err(DEPENDS_ON_UNKNOWN);
                    }
                    match out.iter_mut().find(|(o, _)| o.value == k.value) {
                        Some(slot) => *slot = (k.clone(), v.clone()),
                        None => out.push((k.clone(), v.clone())),
                    }
                }
            }
            _ => return Err(REJECTED),
        }
    }
    Ok(Value::Object(out))
}

fn flatten_into(items: &[Spanned], out: &mut Vec<Spanned>, depth: usize) -> Result<(), Fail> {
    if depth > super::eval::MAX_DEPTH {
        return Err(TOO_LARGE);
    }
    for i in items {
        match &i.value {
            Value::List(inner) => flatten_into(inner, out, depth + 1)?,
            Value::Unknown(u) => return Err(u.why),
            _ => out.push(i.clone()),
        }
    }
    Ok(())
}

/// A list converted to a set (a variable of type `set(...)`): ordered as [`to_set`] orders
/// it; a list whose order cty would not derive from its values (unknown parts, collections)
/// is kept as it is.
pub(crate) fn set_order(list: Spanned) -> Spanned {
    match to_set(&list) {
        Ok(value) => Spanned {
            value,
            span: list.span,
        },
        Err(_) => list,
    }
}

/// `toset`: distinct elements, strings in lexical order (numbers in numeric order, bools
/// false first); a mix is converted to strings, as Terraform unifies a set's type.
fn to_set(a: &Spanned) -> Result<Value, Fail> {
    let items = list(a)?;
    deep(a)?;
    let all = |f: fn(&Value) -> bool| items.iter().all(|i| f(&i.value));
    let mut out: Vec<Spanned> = if all(|v| {
        matches!(v, Value::Number(_) | Value::Bool(_) | Value::String(_))
    }) {
        let same = all(|v| matches!(v, Value::Number(_))) || all(|v| matches!(v, Value::Bool(_)));
        if same {
            items.to_vec()
        } else {
            let mut v = Vec::new();
            for i in items {
                v.push(Spanned {
                    value: Value::String(string(i)?),
                    span: i.span.clone(),
                });
            }
            v
        }
    } else if items.is_empty() {
        Vec::new()
    } else {
        // sets of collections are ordered by hash in cty
        return Err(UNSUPPORTED_FUNCTION);
    };
    out.sort_by(|x, y| match (&x.value, &y.value) {
        (Value::Number(p), Value::Number(q)) => {
            let (p, q) = (
                p.parse::<f64>().unwrap_or(0.0),
                q.parse::<f64>().unwrap_or(0.0),
            );
            p.total_cmp(&q)
        }
        (Value::Bool(p), Value::Bool(q)) => p.cmp(q),
        (Value::String(p), Value::String(q)) => p.value.cmp(&q.value),
        _ => std::cmp::Ordering::Equal,
    });
    out.dedup_by(|x, y| equal(&x.value, &y.value) == Ok(true));
    Ok(Value::List(out))
}

/// `lower`/`upper`: the pieces are kept (non-verbatim) when the length did not change.
fn recase(t: &Text, changed: String, span: &Span) -> Text {
    if changed == t.value {
        return t.clone();
    }
    if changed.len() == t.value.len() {
        let mut out = t.clone();
        out.value = changed;
        for p in &mut out.pieces {
            p.verbatim = false;
        }
        return out;
    }
    Text::produced(changed, span.clone())
}

fn split(sep: &Text, s: &Text, span: &Span) -> Value {
    let mut parts = Vec::new();
    let item = |t: Text| Spanned {
        span: t
            .pieces
            .first()
            .map_or_else(|| span.clone(), |p| p.outer.clone()),
        value: Value::String(t),
    };
    if sep.value.is_empty() {
        for (i, c) in s.value.char_indices() {
            parts.push(item(slice(s, i..i + c.len_utf8())));
        }
        return Value::List(parts);
    }
    let mut start = 0;
    for (i, _) in s.value.match_indices(&sep.value) {
        parts.push(item(slice(s, start..i)));
        start = i + sep.value.len();
    }
    parts.push(item(slice(s, start..s.value.len())));
    Value::List(parts)
}

fn replace(ctx: &Ctx<'_>, s: &Text, from: &Text, to: &Text) -> Result<Value, Fail> {
    if from.value.len() >= 2 && from.value.starts_with('/') && from.value.ends_with('/') {
        return Err(UNSUPPORTED_FUNCTION);
    }
    if from.value.is_empty() {
        let v = s.value.replace("", &to.value);
        if !ctx.charge(v.len()) {
            return Err(TOO_LARGE);
        }
        let outer = s.pieces.first().map_or(0..0, |p| p.outer.clone());
        return Ok(Value::String(Text::produced(v, outer)));
    }
    let mut out = Text::default();
    let mut start = 0;
    for (i, _) in s.value.match_indices(&from.value) {
        out.push_text(&slice(s, start..i));
        out.push_text(to);
        start = i + from.value.len();
        if !ctx.charge(to.value.len()) {
            return Err(TOO_LARGE);
        }
    }
    out.push_text(&slice(s, start..s.value.len()));
    Ok(Value::String(out))
}

/// A `%` verb of a format string.
struct Verb {
    minus: bool,
    plus: bool,
    zero: bool,
    width: usize,
    precision: Option<usize>,
    kind: char,
}

/// `format`: `%%`, and `%s`, `%d`, `%q`, `%v` with flags `-`, `+`, `0`, a width and a
/// precision (as Go's `fmt`, which cty's `format` follows). Other verbs and `%[n]` indexes are
/// not evaluated.
fn format(ctx: &Ctx<'_>, f: &Spanned, args: &[Spanned]) -> Result<Value, Fail> {
    let fmt = string(f)?;
    let mut out = Text::default();
    let mut next = 0;
    let mut run = 0;
    let bytes = fmt.value.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'%' {
            i += 1;
            continue;
        }
        out.push_text(&slice(&fmt, run..i));
        if bytes.get(i + 1) == Some(&b'%') {
            out.push_text(&slice(&fmt, i + 1..i + 2));
            i += 2;
            run = i;
            continue;
        }
        let (verb, len) = parse_verb(&fmt.value[i + 1..]).ok_or(UNSUPPORTED_FUNCTION)?;
        i += 1 + len;
        run = i;
        let arg = args.get(next).ok_or(REJECTED)?;
        next += 1;
        if !ctx.charge(verb.width) {
            return Err(TOO_LARGE);
        }
        out.push_text(&format_arg(&verb, arg)?);
    }
    out.push_text(&slice(&fmt, run..fmt.value.len()));
    if next < args.len() {
        return Err(REJECTED);
    }
    Ok(Value::String(out))
}

fn parse_verb(s: &str) -> Option<(Verb, usize)> {
    let mut v = Verb {
        minus: false,
        plus: false,
        zero: false,
        width: 0,
        precision: None,
        kind: 's',
    };
    let mut chars = s.char_indices().peekable();
    while let Some(&(_, c)) = chars.peek() {
        match c {
            '-' => v.minus = true,
            '+' => v.plus = true,
            '0' => v.zero = true,
            _ => break,
        }
        chars.next();
    }
    let digits = |chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>| {
        let mut n: Option<usize> = None;
        while let Some(&(_, c)) = chars.peek() {
            let Some(d) = c.to_digit(10) else { break };
            n = Some(n.unwrap_or(0).checked_mul(10)?.checked_add(d as usize)?);
            chars.next();
        }
        Some(n)
    };
    v.width = digits(&mut chars)?.unwrap_or(0);
    if chars.peek().map(|&(_, c)| c) == Some('.') {
        chars.next();
        v.precision = Some(digits(&mut chars)?.unwrap_or(0));
    }
    let (at, verb) = chars.next()?;
    if !matches!(verb, 's' | 'd' | 'q' | 'v') {
        return None;
    }
    v.kind = verb;
    Some((v, at + verb.len_utf8()))
}

fn format_arg(verb: &Verb, arg: &Spanned) -> Result<Text, Fail> {
    if verb.kind == 'd' {
        return format_integer(verb, arg);
    }
    let value = known(arg)?;
    let text = match (verb.kind, value) {
        ('v', Value::Number(n)) => {
            // cty prints `%v` of a number with Go's `%g`: an exponent from 1e21 or below 1e-4
            let digits = n
                .trim_start_matches('-')
                .split('.')
                .next()
                .unwrap_or_default();
            if digits.len() > 21 || n.starts_with("0.0000") || n.starts_with("-0.0000") {
                return Err(UNSUPPORTED_FUNCTION);
            }
            Text::produced(n.clone(), arg.span.clone())
        }
        ('v', Value::Bool(b)) => Text::produced(b.to_string(), arg.span.clone()),
        ('v', Value::Null) => Text::produced("null", arg.span.clone()),
        ('v', Value::String(_))
        | ('s' | 'q', Value::String(_) | Value::Number(_) | Value::Bool(_)) => {
            let t = string(arg)?;
            // precision counts characters, and 0 means none (cty)
            let t = match verb.precision {
                Some(p) if p > 0 => {
                    let end = t
                        .value
                        .char_indices()
                        .nth(p)
                        .map_or(t.value.len(), |(b, _)| b);
                    slice(&t, 0..end)
                }
                _ => t,
            };
            if verb.kind == 'q' {
                Text::produced(go_json_quote(&t.value), arg.span.clone())
            } else {
                t
            }
        }
        _ => return Err(REJECTED),
    };
    let chars = text.value.chars().count();
    if verb.width <= chars {
        return Ok(text);
    }
    // cty pads strings itself: with `0`s when the flag is given, on the right with `-`
    let pad = (if verb.zero { "0" } else { " " }).repeat(verb.width - chars);
    let mut out = Text::default();
    if verb.minus {
        out.push_text(&text);
        out.push(&pad, arg.span.clone(), false);
    } else {
        out.push(&pad, arg.span.clone(), false);
        out.push_text(&text);
    }
    Ok(out)
}

/// `%d`, as Go's `fmt` prints a big integer: `+` for a sign, `0` pads after the sign (unless
/// `-`), `-` pads on the right.
fn format_integer(verb: &Verb, arg: &Spanned) -> Result<Text, Fail> {
    if verb.precision.is_some() {
        return Err(UNSUPPORTED_FUNCTION);
    }
    let n = super::eval::number_text(&string(arg)?.value).ok_or(REJECTED)?;
    if n.contains('.') {
        return Err(REJECTED);
    }
    let (sign, digits) = match n.strip_prefix('-') {
        Some(d) => ("-", d),
        None if verb.plus => ("+", n.as_str()),
        None => ("", n.as_str()),
    };
    let len = sign.len() + digits.len();
    let pad = verb.width.saturating_sub(len);
    let s = if verb.minus {
        format!("{sign}{digits}{}", " ".repeat(pad))
    } else if verb.zero {
        format!("{sign}{}{digits}", "0".repeat(pad))
    } else {
        format!("{}{sign}{digits}", " ".repeat(pad))
    };
    Ok(Text::produced(s, arg.span.clone()))
}

/// A string quoted as Go's `encoding/json` does (what cty's `%q` uses): `<`, `>`, `&`,
/// U+2028 and U+2029 escaped as `\u....`, `\b`, `\f`, `\n`, `\r`, `\t` short, other control
/// characters as `\u00..`.
fn go_json_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", u32::from(c)));
            }
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
