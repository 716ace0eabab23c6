//! The texts of conversion errors: yaml.v2's decoding into `interface{}`, `sigs.k8s.io/yaml`'s
//! key conversion and `json.Marshal`, for a document that parses.

// libyaml's signed columns (see the scanner).
#![allow(clippy::cast_sign_loss)]

use crate::source::Span;
use crate::yaml::resolve::{Scalar, resolve};
use crate::yaml::{Node, NodeKind, Style, merged_entries};

/// The text yaml.v2, `sigs.k8s.io/yaml` or `encoding/json` return for a document that parses
/// but does not convert, and the (inner) span of the node it is about; `None` when awsauth
/// cannot tell the text for sure.
///
/// yaml.v2 decodes the whole document first (a tag that does not fit, a bad merge, a mapping
/// or list used as a key abort it); `sigs.k8s.io/yaml` then turns keys into strings (a null
/// key aborts it, with a text quoting Go values, in Go's random map order: not told); last,
/// `json.Marshal` refuses a non-finite float.
pub fn conversion_log(root: &Node) -> Option<(String, Span)> {
    let mut walk = Decode::default();
    match walk.node(root, root) {
        Err(found) => return found,
        Ok(()) if walk.unworded => return None,
        Ok(()) => {}
    }
    let mut floats = Vec::new();
    if !non_finite(root, &mut floats, 0) {
        return None;
    }
    let (first, span) = floats.first()?.clone();
    // json.Marshal meets them in its own order; the text is sure when they are all alike
    floats
        .iter()
        .all(|(t, _)| *t == first)
        .then(|| (format!("json: unsupported value: {first}"), span))
}

/// How many aliases the walk follows before it gives up (yaml.v2 refuses excessive aliasing
/// with a ratio awsauth does not reproduce).
const ALIASES: usize = 100;

#[derive(Default)]
struct Decode {
    aliases: usize,
    /// How deep the walk is (aliases of nested aliases can nest deeper than the text).
    depth: usize,
    /// A key `sigs.k8s.io/yaml` refuses was met.
    unworded: bool,
}

type Found = Option<(String, Span)>;

impl Decode {
    /// yaml.v2's decoding of `n` into `interface{}` (`site`: the node that led here, an alias
    /// or `n` itself).
    fn node(&mut self, n: &Node, site: &Node) -> std::result::Result<(), Found> {
        if self.depth > 512 {
            return Err(None);
        }
        self.depth += 1;
        let out = self.node_inner(n, site);
        self.depth -= 1;
        out
    }

    fn node_inner(&mut self, n: &Node, site: &Node) -> std::result::Result<(), Found> {
        match &n.kind {
            NodeKind::Alias(target) => {
                self.aliases += 1;
                if self.aliases > ALIASES {
                    return Err(None);
                }
                self.node(target, n)
            }
            NodeKind::Scalar { value, style } => match resolve(value, *style, n.tag.as_deref()) {
                Scalar::Error(m) => Err(Some((format!("yaml: {m}"), site.span.clone()))),
                _ => Ok(()),
            },
            NodeKind::Seq(items) => items.iter().try_for_each(|i| self.node(i, i)),
            NodeKind::Map(entries) => {
                for (k, v) in entries {
                    if is_merge(k) {
                        self.merge(v)?;
                        continue;
                    }
                    self.node(k, k)?;
                    let key = k.resolved();
                    match &key.kind {
                        NodeKind::Map(_) | NodeKind::Seq(_) => {
                            let text = go_value(key, 0).map(|g| {
                                (format!("yaml: invalid map key: {g}"), site.span.clone())
                            });
                            return Err(text);
                        }
                        NodeKind::Scalar { value, style } => {
                            if matches!(
                                resolve(value, *style, key.tag.as_deref()),
                                Scalar::Null | Scalar::Uint(_)
                            ) {
                                self.unworded = true;
                            }
                        }
                        NodeKind::Alias(_) => {}
                    }
                    self.node(v, v)?;
                }
                Ok(())
            }
        }
    }

    fn merge(&mut self, v: &Node) -> std::result::Result<(), Found> {
        let refuse = || {
            Err(Some((
                "yaml: map merge requires map or sequence of maps as the value".to_owned(),
                v.span.clone(),
            )))
        };
        match &v.kind {
            NodeKind::Map(_) => self.node(v, v),
            NodeKind::Alias(target) if matches!(target.resolved().kind, NodeKind::Map(_)) => {
                self.node(v, v)
            }
            NodeKind::Seq(items) => {
                for item in items.iter().rev() {
                    if !matches!(item.resolved().kind, NodeKind::Map(_)) {
                        return refuse();
                    }
                    self.node(item, item)?;
                }
                Ok(())
            }
            _ => refuse(),
        }
    }
}

fn is_merge(k: &Node) -> bool {
    let t = k.resolved();
    matches!(&t.kind, NodeKind::Scalar { value, style }
        if value == "<<"
            && ((*style == Style::Plain && t.tag.is_none())
                || t.tag.as_deref() == Some("tag:yaml.org,2002:merge")))
}

/// The non-finite floats that reach the JSON document (a duplicate key's earlier value does
/// not), as Go prints them, with their spans; `false` when the document is too deep to tell.
fn non_finite(n: &Node, out: &mut Vec<(&'static str, Span)>, depth: usize) -> bool {
    if depth > 64 {
        return false;
    }
    let t = n.resolved();
    match &t.kind {
        NodeKind::Scalar { value, style } => {
            if let Scalar::Float(f) = resolve(value, *style, t.tag.as_deref())
                && !f.is_finite()
            {
                let text = if f.is_nan() {
                    "NaN"
                } else if f > 0.0 {
                    "+Inf"
                } else {
                    "-Inf"
                };
                out.push((text, n.span.clone()));
            }
            true
        }
        NodeKind::Seq(items) => items.iter().all(|i| non_finite(i, out, depth + 1)),
        NodeKind::Map(_) => merged_entries(t)
            .into_iter()
            .all(|(_, v)| non_finite(v, out, depth + 1)),
        NodeKind::Alias(_) => true,
    }
}

/// A decoded value as Go's `%#v` prints it (yaml.v2 decodes into `interface{}`: maps are
/// `map[interface {}]interface {}`, lists `[]interface {}`); `None` when awsauth cannot be
/// sure: map keys of different types (Go orders them by type descriptor addresses), strings
/// with characters whose escaping is not plain, deep nesting.
fn go_value(n: &Node, depth: usize) -> Option<String> {
    if depth > 16 {
        return None;
    }
    let t = n.resolved();
    match &t.kind {
        NodeKind::Scalar { value, style } => match resolve(value, *style, t.tag.as_deref()) {
            Scalar::Null => Some("interface {}(nil)".into()),
            Scalar::Bool(b) => Some(b.to_string()),
            Scalar::Int(i) => Some(i.to_string()),
            Scalar::Uint(u) => Some(format!("0x{u:x}")),
            Scalar::Float(f) => Some(go_float(f)),
            Scalar::Str => go_quote(value),
            Scalar::Binary(s) => go_quote(&s),
            Scalar::Error(_) => None,
        },
        NodeKind::Seq(items) => {
            let items: Option<Vec<String>> = items.iter().map(|i| go_value(i, depth + 1)).collect();
            Some(format!("[]interface {{}}{{{}}}", items?.join(", ")))
        }
        NodeKind::Map(_) => {
            let mut entries: Vec<(GoKey, String, String)> = Vec::new();
            for (k, v) in merged_entries(t) {
                let key = go_key(k)?;
                let text = (go_value(k, depth + 1)?, go_value(v, depth + 1)?);
                // a Go map holds one value per key (`1` and `0x1` are one key)
                entries.retain(|(other, _, _)| *other != key);
                entries.push((key, text.0, text.1));
            }
            let kinds: std::collections::HashSet<u8> = entries
                .iter()
                .filter(|(k, _, _)| *k != GoKey::Nil)
                .map(|(k, _, _)| k.kind())
                .collect();
            if kinds.len() > 1 {
                return None;
            }
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            let body: Vec<String> = entries
                .into_iter()
                .map(|(_, k, v)| format!("{k}:{v}"))
                .collect();
            Some(format!(
                "map[interface {{}}]interface {{}}{{{}}}",
                body.join(", ")
            ))
        }
        NodeKind::Alias(_) => None,
    }
}

/// A Go map key, ordered as Go's `fmt` sorts keys of one type (nil first).
#[derive(Debug, Clone, PartialEq, PartialOrd)]
enum GoKey {
    Nil,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Str(String),
}

impl GoKey {
    fn kind(&self) -> u8 {
        match self {
            Self::Nil => 0,
            Self::Bool(_) => 1,
            Self::Int(_) => 2,
            Self::Uint(_) => 3,
            Self::Float(_) => 4,
            Self::Str(_) => 5,
        }
    }

    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.partial_cmp(other).unwrap_or(std::cmp::Ordering::Equal)
    }
}

/// The key a scalar makes in a Go map; `None` for collections (they cannot be keys) and NaN.
fn go_key(k: &Node) -> Option<GoKey> {
    let t = k.resolved();
    let NodeKind::Scalar { value, style } = &t.kind else {
        return None;
    };
    Some(match resolve(value, *style, t.tag.as_deref()) {
        Scalar::Null => GoKey::Nil,
        Scalar::Bool(b) => GoKey::Bool(b),
        Scalar::Int(i) => GoKey::Int(i),
        Scalar::Uint(u) => GoKey::Uint(u),
        Scalar::Float(f) if !f.is_nan() => GoKey::Float(f),
        Scalar::Str => GoKey::Str(value.clone()),
        Scalar::Binary(s) => GoKey::Str(s),
        Scalar::Float(_) | Scalar::Error(_) => return None,
    })
}

/// `strconv.Quote` for the strings awsauth can quote exactly: ASCII (escaped as Go escapes
/// it), letters and digits beyond it (kept).
fn go_quote(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            ' '..='~' => out.push(c),
            c if c.is_ascii() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if c.is_alphanumeric() => out.push(c),
            _ => return None,
        }
    }
    out.push('"');
    Some(out)
}

/// `strconv.FormatFloat(f, 'g', -1, 64)` as `%v` prints it (`+Inf`, `1e+06`, `0.5`).
fn go_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.into();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.into();
    }
    // the shortest digits that read back as `f`, and the decimal exponent
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let negative = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let sign = if negative { "-" } else { "" };
    // %v of a float64 is %g with the shortest precision: exponent form from 1e+06 on
    if !(-4..6).contains(&exp) {
        let (first, rest) = digits.split_at(1);
        let frac = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let esign = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{first}{frac}e{esign}{:02}", exp.unsigned_abs());
    }
    let point = exp + 1;
    let body = if point <= 0 {
        format!("0.{}{digits}", "0".repeat(point.unsigned_abs() as usize))
    } else if point as usize >= digits.len() {
        format!("{digits}{}", "0".repeat(point as usize - digits.len()))
    } else {
        let (int, frac) = digits.split_at(point as usize);
        format!("{int}.{frac}")
    };
    format!("{sign}{body}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_root(text: &str) -> Node {
        crate::yaml::parse_first(text)
            .ok()
            .flatten()
            .expect("a document")
    }

    #[test]
    fn conversion_texts_are_told_when_sure() {
        let root = parse_root("- username: {{SessionName}}\n");
        assert_eq!(
            conversion_log(&root).map(|(t, _)| t).as_deref(),
            Some(
                r#"yaml: invalid map key: map[interface {}]interface {}{"SessionName":interface {}(nil)}"#
            )
        );
        let root = parse_root("- {[a, 1]: x}\n");
        assert_eq!(
            conversion_log(&root).map(|(t, _)| t).as_deref(),
            Some(r#"yaml: invalid map key: []interface {}{"a", 1}"#)
        );
        let root = parse_root("- a: .nan\n  b: .NaN\n");
        assert_eq!(
            conversion_log(&root).map(|(t, _)| t).as_deref(),
            Some("json: unsupported value: NaN")
        );
        // which one json.Marshal meets first is not told; nor sigs.k8s.io/yaml's null keys
        assert_eq!(conversion_log(&parse_root("- a: .nan\n  b: .inf\n")), None);
        assert_eq!(conversion_log(&parse_root("- ~: x\n")), None);
        // keys of different types are printed in an order Go does not define
        assert_eq!(conversion_log(&parse_root("- {{a: 1, 2: 3}: x}\n")), None);
        // values of every kind, keys sorted (the oracle's texts)
        let root = parse_root("- {{b: 1, a: [x, 2.5e7, ~]}: x}\n");
        assert_eq!(
            conversion_log(&root).map(|(t, _)| t).as_deref(),
            Some(
                r#"yaml: invalid map key: map[interface {}]interface {}{"a":[]interface {}{"x", 2.5e+07, interface {}(nil)}, "b":1}"#
            )
        );
        let root = parse_root("- {{1e6: y}: x}\n");
        assert_eq!(
            conversion_log(&root).map(|(t, _)| t).as_deref(),
            Some("yaml: invalid map key: map[interface {}]interface {}{1e+06:true}")
        );
        let root = parse_root("- <<: [a]\n");
        assert_eq!(
            conversion_log(&root).map(|(t, _)| t).as_deref(),
            Some("yaml: map merge requires map or sequence of maps as the value")
        );
    }

    #[test]
    fn go_prints_floats_and_strings_so() {
        for (f, s) in [
            (1e6, "1e+06"),
            (123_456.0, "123456"),
            (0.5, "0.5"),
            (1e-5, "1e-05"),
            (1.5e-4, "0.00015"),
            (-2.5e21, "-2.5e+21"),
            (f64::INFINITY, "+Inf"),
            (3.0, "3"),
        ] {
            assert_eq!(go_float(f), s);
        }
        assert_eq!(
            go_quote("a\"b\\\n\u{1}é").as_deref(),
            Some(r#""a\"b\\\n\x01é""#)
        );
        assert_eq!(go_quote("\u{a0}"), None);
    }
}
