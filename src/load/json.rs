//! JSON conversion: `sigs.k8s.io/yaml` turns yaml.v2's value into a JSON document before
//! `encoding/json` reads it. Map keys become strings ([`key_string`]: booleans, numbers and
//! binary keys are spelled out, null and collection keys fail), keys are sorted as `json.Marshal`
//! sorts them ([`GoMap`]), and an `.inf` or `.nan` left in the document fails the whole
//! conversion ([`find_non_finite`]). A failure here drops the section ([`ConvError`]).

use std::borrow::Cow;

use crate::source::Span;
use crate::yaml::resolve::{Scalar, resolve};
use crate::yaml::{Node, NodeKind};

/// A failure that drops the whole section.
pub(super) struct ConvError {
    /// yaml.v2's or the conversion's message.
    pub(super) message: String,
    /// Where it failed, in the section's text.
    pub(super) span: Span,
    /// Whether a `{{...}}` template written unquoted caused it.
    pub(super) template: bool,
}

/// A [`ConvError`] at `node`.
pub(super) fn conv_err(message: impl Into<String>, node: &Node, template: bool) -> ConvError {
    ConvError {
        message: message.into(),
        span: node.span.clone(),
        template,
    }
}

/// A Go value after yaml.v2 decoding into `interface{}` and `sigs.k8s.io/yaml`'s conversion to
/// JSON-able types (string map keys).
pub(super) enum GoVal<'a> {
    Null,
    Bool,
    Number,
    Str(Cow<'a, str>),
    Seq(Vec<(GoVal<'a>, &'a Node)>),
    /// Sorted by key (Go's `json.Marshal` sorts map keys); value and its node.
    Map(GoMap<'a>),
    /// `.inf`/`.nan`: `json.Marshal` refuses the whole document if one is left in it.
    NonFinite(&'a Node),
}

/// A Go map after conversion: keys sorted as `json.Marshal` sorts them, each with its value and
/// the node it was read from. Built by appending, then sorted once ([`GoMap::finish`]): a flow
/// mapping of many keys must not shift a sorted vector per key.
#[derive(Default)]
pub(super) struct GoMap<'a>(Vec<(Cow<'a, str>, (GoVal<'a>, &'a Node))>);

impl<'a> GoMap<'a> {
    /// An empty map with room for `n` keys.
    #[inline]
    pub(super) fn with_capacity(n: usize) -> Self {
        Self(Vec::with_capacity(n))
    }

    /// Sets `key` (a later value replaces an earlier one, as in a Go map) once finished.
    #[inline]
    pub(super) fn insert(&mut self, key: Cow<'a, str>, value: (GoVal<'a>, &'a Node)) {
        self.0.push((key, value));
    }

    /// Sorts by key (stably) and keeps the last value of a key set more than once.
    pub(super) fn finish(mut self) -> Self {
        self.0.sort_by(|a, b| a.0.cmp(&b.0));
        // of a run of equal keys, the last value moves into the first slot, which stays
        self.0.dedup_by(|later, kept| {
            let same = later.0 == kept.0;
            if same {
                std::mem::swap(later, kept);
            }
            same
        });
        self
    }

    /// The entries in key order.
    #[inline]
    pub(super) fn iter(&self) -> impl Iterator<Item = (&str, &(GoVal<'a>, &'a Node))> {
        self.0.iter().map(|(k, v)| (k.as_ref(), v))
    }
}

/// The first value `json.Marshal` cannot encode, if any survived into the document.
pub(super) fn find_non_finite<'a>(v: &GoVal<'a>) -> Option<&'a Node> {
    match v {
        GoVal::NonFinite(n) => Some(n),
        GoVal::Seq(items) => items.iter().find_map(|(v, _)| find_non_finite(v)),
        GoVal::Map(m) => m.iter().find_map(|(_, (v, _))| find_non_finite(v)),
        _ => None,
    }
}

impl GoVal<'_> {
    /// The JSON type's name, for messages.
    pub(super) fn type_name(&self) -> &'static str {
        match self {
            Self::Null => "null",
            Self::Bool => "bool",
            Self::Number | Self::NonFinite(_) => "number",
            Self::Str(_) => "string",
            Self::Seq(_) => "list",
            Self::Map(_) => "mapping",
        }
    }
}

/// yaml.v2 map keys become JSON object keys as `sigs.k8s.io/yaml` converts them.
#[inline]
pub(super) fn key_string<'a>(k: &'a Node, site: &Node) -> Result<Cow<'a, str>, ConvError> {
    let t = k.resolved();
    match &t.kind {
        NodeKind::Scalar { value, style } => match resolve(value, *style, t.tag.as_deref()) {
            Scalar::Str => Ok(Cow::Borrowed(value)),
            Scalar::Binary(decoded) => Ok(Cow::Owned(decoded)),
            Scalar::Bool(b) => Ok(Cow::Owned(b.to_string())),
            Scalar::Int(i) => Ok(Cow::Owned(i.to_string())),
            Scalar::Float(f) => Ok(Cow::Owned(go_float32_key(f))),
            Scalar::Null => Err(conv_err("unsupported map key: null", k, false)),
            Scalar::Uint(_) => Err(conv_err("unsupported map key: uint64", k, false)),
            Scalar::Error(msg) => Err(conv_err(msg, k, false)),
        },
        // `{{SessionName}}` unquoted is a flow mapping whose key is a mapping
        NodeKind::Map(_) => Err(conv_err("invalid map key: a mapping", site, true)),
        _ => Err(conv_err("invalid map key: a list", site, false)),
    }
}

/// `strconv.FormatFloat(f, 'g', -1, 32)` for the common cases.
fn go_float32_key(f: f64) -> String {
    if f.is_nan() {
        return ".nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            ".inf".into()
        } else {
            "-.inf".into()
        };
    }
    #[allow(clippy::cast_possible_truncation)]
    let s = format!("{}", f as f32);
    s
}
