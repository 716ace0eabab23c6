//! Operations on values: unknowns and budgets, re-spanning, truth, equality, arithmetic,
//! access, and numbers as Terraform prints them.

use hcl_edit::expr::BinaryOperator;

use super::{DEPENDS_ON_UNKNOWN, ERRORS, REJECTED, Site};
use crate::hcl::value::{Piece, Spanned, Text, Unknown, Value};
use crate::source::Span;

/// An unknown value.
pub(crate) fn unknown(expr: String, why: &'static str, span: Span) -> Spanned {
    Spanned {
        value: Value::Unknown(Unknown { expr, why }),
        span,
    }
}

/// The first `why` of an unknown part of a value (a partly unknown string counts), if any.
pub(crate) fn unknown_why(v: &Value) -> Option<&'static str> {
    match v {
        Value::Unknown(u) => Some(u.why),
        Value::String(t) if t.unknown => Some(DEPENDS_ON_UNKNOWN),
        Value::List(items) => items.iter().find_map(|i| unknown_why(&i.value)),
        Value::Object(entries) => entries.iter().find_map(|(k, v)| {
            if k.unknown {
                Some(DEPENDS_ON_UNKNOWN)
            } else {
                unknown_why(&v.value)
            }
        }),
        _ => None,
    }
}

/// Whether a value has a part Terraform would fail on.
pub(crate) fn has_error(v: &Value) -> bool {
    match v {
        Value::Unknown(u) => ERRORS.contains(&u.why),
        Value::List(items) => items.iter().any(|i| has_error(&i.value)),
        Value::Object(entries) => entries.iter().any(|(_, v)| has_error(&v.value)),
        _ => false,
    }
}

/// The bytes a value stands for in the size budget.
pub(crate) fn weight(v: &Spanned) -> usize {
    16 + match &v.value {
        Value::String(t) => t.value.len(),
        Value::Number(n) => n.len(),
        Value::List(items) => items.iter().map(weight).sum(),
        Value::Object(entries) => entries.iter().map(|(k, v)| k.value.len() + weight(v)).sum(),
        Value::Unknown(u) => u.expr.len(),
        Value::Null | Value::Bool(_) => 0,
    }
}

/// A value written in another file, moved as a whole to `at` (every span, every piece).
pub(crate) fn respan(v: Spanned, at: &Span) -> Spanned {
    let text = |t: Text| Text {
        pieces: if t.value.is_empty() {
            Vec::new()
        } else {
            vec![Piece {
                inner: 0,
                outer: at.clone(),
                verbatim: false,
            }]
        },
        ..t
    };
    let value = match v.value {
        Value::String(t) => Value::String(text(t)),
        Value::List(items) => Value::List(items.into_iter().map(|i| respan(i, at)).collect()),
        Value::Object(entries) => Value::Object(
            entries
                .into_iter()
                .map(|(k, v)| (text(k), respan(v, at)))
                .collect(),
        ),
        other => other,
    };
    Spanned {
        value,
        span: at.clone(),
    }
}

/// A JSON tfvars value, produced at `at`.
pub(super) fn from_json(j: &serde_json::Value, at: &Span) -> Spanned {
    let value = match j {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => match number_text(&n.to_string()) {
            Some(n) => Value::Number(n),
            None => Value::Number(n.to_string()),
        },
        serde_json::Value::String(s) => Value::String(Text::produced(s.clone(), at.clone())),
        serde_json::Value::Array(items) => {
            Value::List(items.iter().map(|i| from_json(i, at)).collect())
        }
        serde_json::Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (Text::produced(k.clone(), at.clone()), from_json(v, at)))
                .collect(),
        ),
    };
    Spanned {
        value,
        span: at.clone(),
    }
}

/// A value's truth: `true`/`false` (or the strings Terraform converts), unknown, or not a bool.
pub(crate) enum Truth {
    Known(bool),
    Unknown(&'static str),
    Invalid,
}

pub(crate) fn truth(v: &Value) -> Truth {
    match v {
        Value::Bool(b) => Truth::Known(*b),
        Value::String(t) if t.unknown => Truth::Unknown(DEPENDS_ON_UNKNOWN),
        Value::String(t) if t.value == "true" => Truth::Known(true),
        Value::String(t) if t.value == "false" => Truth::Known(false),
        Value::Unknown(u) => Truth::Unknown(u.why),
        _ => Truth::Invalid,
    }
}

/// An object key from a value: strings, numbers and bools (as Terraform converts them).
pub(super) fn key_text(k: &Spanned) -> Result<Text, &'static str> {
    match &k.value {
        Value::String(t) if !t.unknown => Ok(t.clone()),
        Value::Number(n) => Ok(Text::produced(n.clone(), k.span.clone())),
        Value::Bool(b) => Ok(Text::produced(b.to_string(), k.span.clone())),
        other => Err(unknown_why(other).unwrap_or(REJECTED)),
    }
}

/// The (key, value) pairs a `for` iterates: index and element of a list, key and value of an
/// object (in the lexical order of the keys, as cty iterates).
pub(crate) fn iteration(coll: &Spanned) -> Option<Vec<(Spanned, Spanned)>> {
    match &coll.value {
        Value::List(items) => Some(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let k = Spanned {
                        value: Value::Number(i.to_string()),
                        span: v.span.clone(),
                    };
                    (k, v.clone())
                })
                .collect(),
        ),
        Value::Object(entries) => Some({
            // cty iterates a map or object in the lexical order of its keys
            let mut sorted: Vec<&(Text, Spanned)> = entries.iter().collect();
            sorted.sort_by(|x, y| x.0.value.cmp(&y.0.value));
            sorted
                .into_iter()
                .map(|(k, v)| {
                    let key = Spanned {
                        value: Value::String(k.clone()),
                        span: v.span.clone(),
                    };
                    (key, v.clone())
                })
                .collect()
        }),
        _ => None,
    }
}

/// `v[key]` / `v.key` on an object.
pub(super) fn get_key(v: &Spanned, key: &str) -> Option<Spanned> {
    v.value.get(key).cloned()
}

/// `v[index]` on a list (`index` a non-negative integer, as a number's text).
pub(super) fn get_index(v: &Spanned, index: &str) -> Option<Spanned> {
    match &v.value {
        Value::List(items) => items.get(index.parse::<usize>().ok()?).cloned(),
        Value::Object(_) => get_key(v, index),
        _ => None,
    }
}

/// `-n`.
pub(super) fn negate(n: &str) -> String {
    match n.strip_prefix('-') {
        Some(pos) => pos.to_owned(),
        None if n == "0" => n.to_owned(),
        None => format!("-{n}"),
    }
}

/// A binary operation: equality and logic; arithmetic and ordering are not evaluated.
pub(super) fn binary(
    site: &Site<'_>,
    op: BinaryOperator,
    lhs: &Spanned,
    rhs: &Spanned,
    span: Span,
) -> Spanned {
    let text = site.text(&span);
    let value = match op {
        BinaryOperator::Eq | BinaryOperator::NotEq => match equal(&lhs.value, &rhs.value) {
            Ok(eq) => Value::Bool(eq == matches!(op, BinaryOperator::Eq)),
            Err(why) => return unknown(text, why, span),
        },
        BinaryOperator::And | BinaryOperator::Or => match (truth(&lhs.value), truth(&rhs.value)) {
            (Truth::Known(a), Truth::Known(b)) => {
                Value::Bool(if matches!(op, BinaryOperator::And) {
                    a && b
                } else {
                    a || b
                })
            }
            (Truth::Invalid, _) | (_, Truth::Invalid) => return unknown(text, REJECTED, span),
            (Truth::Unknown(why), _) | (_, Truth::Unknown(why)) => return unknown(text, why, span),
        },
        _ => match arithmetic(op, &lhs.value, &rhs.value) {
            Ok(v) => v,
            Err(why) => return unknown(text, why, span),
        },
    };
    Spanned { value, span }
}

/// Arithmetic and ordering on whole numbers (or strings of them, as Terraform converts);
/// a division only when its quotient is a short exact decimal. Fractions are not evaluated
/// (cty computes with 512-bit floats, which `f64` would not reproduce).
fn arithmetic(op: BinaryOperator, lhs: &Value, rhs: &Value) -> Result<Value, &'static str> {
    if let Some(why) = unknown_why(lhs).or_else(|| unknown_why(rhs)) {
        return Err(why);
    }
    let int = |v: &Value| -> Option<i128> {
        let n = match v {
            Value::Number(n) => n.clone(),
            Value::String(t) => number_text(&t.value)?,
            _ => return None,
        };
        n.parse::<i128>()
            .ok()
            .filter(|n| n.unsigned_abs() < 1 << 100)
    };
    let not_evaluated = "an operation awsauth does not evaluate";
    let (Some(x), Some(y)) = (int(lhs), int(rhs)) else {
        return Err(match (lhs, rhs) {
            (Value::Number(_) | Value::String(_), Value::Number(_) | Value::String(_)) => {
                not_evaluated
            }
            _ => REJECTED,
        });
    };
    let number = |n: i128| Value::Number(n.to_string());
    Ok(match op {
        BinaryOperator::Plus => number(x + y),
        BinaryOperator::Minus => number(x - y),
        BinaryOperator::Mul => number(x.checked_mul(y).ok_or(not_evaluated)?),
        BinaryOperator::Div | BinaryOperator::Mod if y == 0 => return Err(REJECTED),
        BinaryOperator::Mod => number(x % y),
        BinaryOperator::Div => {
            // x / y as a decimal with at most 18 digits after the point, when exact
            let (mut scaled, mut digits) = (x, 0u32);
            while scaled % y != 0 && digits < 18 {
                scaled = scaled.checked_mul(10).ok_or(not_evaluated)?;
                digits += 1;
            }
            if scaled % y != 0 {
                return Err(not_evaluated);
            }
            let q = (scaled / y).to_string();
            let text = if digits == 0 {
                q
            } else {
                format!("{q}e-{digits}")
            };
            Value::Number(number_text(&text).ok_or(not_evaluated)?)
        }
        BinaryOperator::Less => Value::Bool(x < y),
        BinaryOperator::LessEq => Value::Bool(x <= y),
        BinaryOperator::Greater => Value::Bool(x > y),
        BinaryOperator::GreaterEq => Value::Bool(x >= y),
        _ => return Err(REJECTED),
    })
}

/// Terraform's `==` on known values (types must match, as in Terraform: `"1" == 1` is false).
pub(crate) fn equal(a: &Value, b: &Value) -> Result<bool, &'static str> {
    if let Some(why) = unknown_why(a).or_else(|| unknown_why(b)) {
        return Err(why);
    }
    Ok(match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Number(x), Value::Number(y)) => x == y,
        (Value::String(x), Value::String(y)) => x.value == y.value,
        (Value::List(x), Value::List(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|(p, q)| equal(&p.value, &q.value) == Ok(true))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter().all(|(k, v)| {
                    b.get(&k.value)
                        .is_some_and(|w| equal(&v.value, &w.value) == Ok(true))
                })
        }
        _ => false,
    })
}

/// A number literal as Terraform prints it: plain decimal, no exponent, no leading or trailing
/// zeros (`1e3` → `1000`, `1.50` → `1.5`), exactly (cty keeps 512 bits; a decimal shift does not
/// round). `None` when it is not a number.
pub(crate) fn number_text(src: &str) -> Option<String> {
    let src = src.trim();
    let (neg, src) = match src.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, src),
    };
    let (mantissa, exp) = match src.find(['e', 'E']) {
        Some(i) => (&src[..i], src[i + 1..].parse::<i64>().ok()?),
        None => (src, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int.is_empty() && frac.is_empty()
        || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
        || exp.unsigned_abs() > 4096
    {
        return None;
    }
    let digits = format!("{int}{frac}");
    // the decimal point sits after `point` digits
    let point = i64::try_from(int.len()).ok()? + exp;
    let (int_part, frac_part) = if point <= 0 {
        let zeros = usize::try_from(-point).ok()?;
        (String::new(), format!("{}{digits}", "0".repeat(zeros)))
    } else {
        let p = usize::try_from(point).ok()?;
        if p >= digits.len() {
            (
                format!("{digits}{}", "0".repeat(p - digits.len())),
                String::new(),
            )
        } else {
            (digits[..p].to_owned(), digits[p..].to_owned())
        }
    };
    let int_part = int_part.trim_start_matches('0');
    let frac_part = frac_part.trim_end_matches('0');
    let mut out = String::new();
    let zero = int_part.is_empty() && frac_part.is_empty();
    if neg && !zero {
        out.push('-');
    }
    out.push_str(if int_part.is_empty() { "0" } else { int_part });
    if !frac_part.is_empty() {
        out.push('.');
        out.push_str(frac_part);
    }
    Some(out)
}
