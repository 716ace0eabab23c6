//! Values of Terraform expressions, each with where it came from in the `.tf` file.
//!
//! Evaluation ([`super::eval`]) turns an HCL expression into a [`Spanned`] value; rendering
//! ([`super::encode`]) turns a value into the YAML or JSON text `yamlencode`/`jsonencode` would
//! produce. Strings carry [`Piece`]s, so that a position inside a string (or inside a rendered
//! document, which is a [`Text`] too) maps back to the `.tf` file exactly where the text was
//! written verbatim, and to the start of the expression that produced it everywhere else.
//!
//! What cannot be known from the repository (data sources, other modules' outputs, variables
//! without a value, resource attributes) is [`Value::Unknown`], carrying its expression text:
//! nothing is guessed. Inside a string template an unknown part is written as `${expr}` and the
//! string is marked [`Text::unknown`].

use crate::source::Span;

/// A value and the span of the expression that produced it, in the `.tf` file.
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned {
    /// The value.
    pub value: Value,
    /// Where the expression that produced it is written.
    pub span: Span,
}

/// A Terraform value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as Terraform prints it (`1`, `1.5`, `12345678901234567890`).
    Number(String),
    /// A string.
    String(Text),
    /// A list, tuple or set (a set in Terraform's order: strings sorted).
    List(Vec<Spanned>),
    /// An object or map: keys unique, in source order (renderers sort them as Terraform does).
    Object(Vec<(Text, Spanned)>),
    /// A value not known from the repository.
    Unknown(Unknown),
}

/// A value not known from the repository: what it is written as, and why it is not known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unknown {
    /// The expression's source text (`data.aws_caller_identity.current.account_id`).
    pub expr: String,
    /// Why, in a few words (`a data source`, `a variable without a value`, ...).
    pub why: &'static str,
}

/// A string with, for each run of it, where the run was written.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Text {
    /// The string.
    pub value: String,
    /// Runs of `value`, in order, covering it from offset 0 (none for a string built from
    /// nothing written, which maps to the span of its [`Spanned`]).
    pub pieces: Vec<Piece>,
    /// Whether a part of it is not known (written as `${expr}`).
    pub unknown: bool,
}

/// A run of a [`Text`]: from `inner` (a byte offset in the text) to the next piece's `inner`
/// (or the end of the text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    /// Where the run starts in the text.
    pub inner: usize,
    /// Where it was written in the `.tf` file.
    pub outer: Span,
    /// Whether the run is the file's text byte for byte (offsets map one to one, within
    /// `outer`); otherwise every offset in it maps to `outer.start` (an escape, a rendered
    /// quote, a value from elsewhere).
    pub verbatim: bool,
}

impl Text {
    /// A string written verbatim at `outer` (`value` is the file's text there).
    pub fn verbatim(value: impl Into<String>, outer: Span) -> Self {
        Self {
            value: value.into(),
            pieces: vec![Piece {
                inner: 0,
                outer,
                verbatim: true,
            }],
            unknown: false,
        }
    }

    /// A string that came from the expression at `outer` but is not its text byte for byte.
    pub fn produced(value: impl Into<String>, outer: Span) -> Self {
        Self {
            value: value.into(),
            pieces: vec![Piece {
                inner: 0,
                outer,
                verbatim: false,
            }],
            unknown: false,
        }
    }

    /// Appends `other`, keeping its pieces.
    pub fn push_text(&mut self, other: &Self) {
        let base = self.value.len();
        self.value.push_str(&other.value);
        self.pieces.extend(other.pieces.iter().map(|p| Piece {
            inner: p.inner + base,
            outer: p.outer.clone(),
            verbatim: p.verbatim,
        }));
        self.unknown |= other.unknown;
    }

    /// Appends `s`, produced at `outer` (verbatim or not).
    pub fn push(&mut self, s: &str, outer: Span, verbatim: bool) {
        if s.is_empty() {
            return;
        }
        self.pieces.push(Piece {
            inner: self.value.len(),
            outer,
            verbatim,
        });
        self.value.push_str(s);
    }

    /// The `.tf` offset of byte `inner` of the text (`fallback` when no piece covers it).
    pub fn outer(&self, inner: usize, fallback: usize) -> usize {
        let i = self.pieces.partition_point(|p| p.inner <= inner);
        match i.checked_sub(1).map(|i| &self.pieces[i]) {
            Some(p) if p.verbatim => {
                (p.outer.start + (inner - p.inner)).min(p.outer.end.max(p.outer.start))
            }
            Some(p) => p.outer.start,
            None => fallback,
        }
    }
}

impl Value {
    /// The value's type in Terraform's words, for messages (`string`, `list`, `object`, ...).
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Null => "null",
            Self::Bool(_) => "bool",
            Self::Number(_) => "number",
            Self::String(_) => "string",
            Self::List(_) => "list",
            Self::Object(_) => "object",
            Self::Unknown(_) => "unknown value",
        }
    }

    /// The string, when the value is one.
    pub fn as_text(&self) -> Option<&Text> {
        match self {
            Self::String(t) => Some(t),
            _ => None,
        }
    }

    /// The value of key `key` of an object (the last written, keys compared exactly).
    pub fn get(&self, key: &str) -> Option<&Spanned> {
        match self {
            Self::Object(entries) => entries
                .iter()
                .rev()
                .find(|(k, _)| k.value == key)
                .map(|(_, v)| v),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_map_through_pieces() {
        let mut t = Text::verbatim("arn:", 10..14);
        t.push("${x}", 20..26, false);
        t.push(":role", 30..35, true);
        assert_eq!(t.value, "arn:${x}:role");
        assert_eq!(t.outer(1, 0), 11);
        assert_eq!(t.outer(6, 0), 20);
        assert_eq!(t.outer(9, 0), 31);
        assert_eq!(Text::default().outer(3, 7), 7);
    }
}
