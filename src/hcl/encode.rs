//! Values rendered as Terraform's `yamlencode` and `jsonencode` render them, byte for byte, with
//! where every rendered byte came from.
//!
//! What the authenticator parses is the text these functions produce, so the text is modelled
//! exactly, not approximated: `tools/tfref` recorded the answers of the Go libraries Terraform
//! calls (`tests/data/terraform/encode.jsonl`) and the tests compare every byte.
//!
//! # `yamlencode` (go-cty-yaml's `Standard.Marshal`, a go-yaml v2 emitter)
//!
//! - Every string is double-quoted (`"on"`, `"{{SessionName}}"`, `"123"` stay strings), keys
//!   too; a string containing `\n` is a literal block (`|`, `|-`, `|+`, with an indentation
//!   indicator `|2` when it starts with a space or a line break) unless the emitter refuses one:
//!   a space before a line break, a trailing space, a character it will not print raw (a tab, a
//!   CR, a control character, a character outside the Basic Multilingual Plane) or a key in
//!   simple-key position turn it back into a double-quoted string.
//! - Double-quoted strings escape `"`, `\`, line breaks, control characters, U+FEFF and every
//!   character outside the Basic Multilingual Plane (`😀` is written `\U0001F600`); a string that
//!   *starts* with U+FEFF has every character escaped (the emitter tests for a byte-order mark at
//!   the start of the string, not at the character). Past column 80 a double-quoted string is
//!   folded at a single space (the space becomes a line break and an indentation; a second space
//!   is kept as `\ `); keys are never folded.
//! - A key longer than 128 bytes or with a line break is written as an explicit `? key` / `: value`.
//! - Keys are sorted by bytes (as cty sorts attribute names); numbers, bools and null are plain,
//!   and a plain scalar at the root is followed by the document end marker `...`; the text
//!   ends with a line break. Empty collections are `[]` and `{}`; a sequence that is a mapping's
//!   value is not indented.
//!
//! # `jsonencode` (go-cty's `json.Marshal` on Go's `encoding/json`)
//!
//! Compact, keys sorted by bytes, strings escaped as Go escapes them: `\"`, `\\`, `\n`, `\r`,
//! `\t`, `\b`, `\f` (Go 1.22 and later, which Terraform is built with), other control characters
//! as `\u00XX`, and, HTML-safe, `<`, `>`, `&`, U+2028 and U+2029 as `\u003c`, `\u003e`,
//! `\u0026`, `\u2028`, `\u2029`. No trailing line break.
//!
//! # Positions
//!
//! The result is a [`Text`] whose [`Piece`]s cover it in order:
//!
//! - a character of a string that is written as itself maps through the string's own pieces:
//!   where the string was written verbatim in the `.tf` file the run is verbatim (rendered offset
//!   → offset in the string → `.tf` offset, one to one), elsewhere it maps to the start of the
//!   piece it came from (an escape sequence in the `.tf`, an interpolation);
//! - a character written as an escape (`\t`, `\u003c`, a folded space) maps, not verbatim, to
//!   where that character came from;
//! - quotes, block indicators and indentation inside a scalar map to the span of the key or value
//!   they belong to (a key's span is the run of its pieces); `- `, `: `, `? `, line breaks
//!   between nodes, `[`, `]`, `{`, `}` and `,` map to the span of the item, key or collection
//!   they introduce or close; numbers, bools and null map to their value's span.
//!
//! A string built from nothing written (no pieces) maps to its value's span.

mod yaml;

use super::value::{Piece, Spanned, Text, Value};
use crate::source::Span;

/// The text `yamlencode(v)` returns, or `None` when it would be unknown (a [`Value::Unknown`]
/// anywhere in `v`). A string marked unknown is rendered as its text (`${expr}` placeholders).
pub fn yamlencode(v: &Spanned) -> Option<Text> {
    if has_unknown(v) {
        return None;
    }
    Some(yaml::render(v))
}

/// The text `jsonencode(v)` returns, or `None` when it would be unknown (a [`Value::Unknown`]
/// anywhere in `v`). A string marked unknown is rendered as its text (`${expr}` placeholders).
pub fn jsonencode(v: &Spanned) -> Option<Text> {
    if has_unknown(v) {
        return None;
    }
    let mut out = Out::default();
    json_value(&mut out, v);
    Some(out.text)
}

fn has_unknown(v: &Spanned) -> bool {
    match &v.value {
        Value::Unknown(_) => true,
        Value::List(items) => items.iter().any(has_unknown),
        Value::Object(entries) => entries.iter().any(|(_, v)| has_unknown(v)),
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => false,
    }
}

/// An object's entries in the order cty iterates them: keys sorted by bytes.
fn sorted_entries(entries: &[(Text, Spanned)]) -> Vec<&(Text, Spanned)> {
    let mut sorted: Vec<_> = entries.iter().collect();
    sorted.sort_by(|a, b| a.0.value.as_bytes().cmp(b.0.value.as_bytes()));
    sorted
}

/// The span a key was written at: from its first piece to its last (`fallback` without pieces).
fn key_span(key: &Text, fallback: &Span) -> Span {
    match (key.pieces.first(), key.pieces.last()) {
        (Some(first), Some(last)) => first.outer.start..last.outer.end.max(first.outer.start),
        _ => fallback.clone(),
    }
}

/// Where byte `at` of string `t` (a character `len` bytes long) came from, and whether verbatim.
fn locate(t: &Text, at: usize, len: usize, fallback: &Span) -> (Span, bool) {
    let i = t.pieces.partition_point(|p| p.inner <= at);
    match i.checked_sub(1).map(|i| &t.pieces[i]) {
        Some(p) if p.verbatim => {
            let start = p.outer.start + (at - p.inner);
            (start..start + len, true)
        }
        Some(p) => (p.outer.clone(), false),
        None => (fallback.clone(), false),
    }
}

/// The rendered text being built, its pieces merged where they continue each other.
#[derive(Default)]
struct Out {
    text: Text,
}

impl Out {
    /// Appends `s`, produced (not verbatim) for the source at `at`.
    fn put(&mut self, s: &str, at: &Span) {
        self.push(s, at.clone(), false);
    }

    /// Appends `s` mapped to `outer`: extends the last piece when `s` continues it.
    fn push(&mut self, s: &str, outer: Span, verbatim: bool) {
        if s.is_empty() {
            return;
        }
        let len = self.text.value.len();
        if let Some(last) = self.text.pieces.last_mut() {
            if verbatim
                && last.verbatim
                && last.outer.end == outer.start
                && last.outer.start + (len - last.inner) == outer.start
            {
                last.outer.end = outer.end;
                self.text.value.push_str(s);
                return;
            }
            if !verbatim && !last.verbatim && last.outer == outer {
                self.text.value.push_str(s);
                return;
            }
        }
        self.text.pieces.push(Piece {
            inner: len,
            outer,
            verbatim,
        });
        self.text.value.push_str(s);
    }
}

fn json_value(out: &mut Out, v: &Spanned) {
    match &v.value {
        Value::Null | Value::Unknown(_) => out.put("null", &v.span),
        Value::Bool(b) => out.put(if *b { "true" } else { "false" }, &v.span),
        Value::Number(n) => out.put(n, &v.span),
        Value::String(t) => json_string(out, t, &v.span),
        Value::List(items) => {
            out.put("[", &v.span);
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.put(",", &item.span);
                }
                json_value(out, item);
            }
            out.put("]", &v.span);
        }
        Value::Object(entries) => {
            out.put("{", &v.span);
            for (i, (key, value)) in sorted_entries(entries).into_iter().enumerate() {
                let at = key_span(key, &value.span);
                if i > 0 {
                    out.put(",", &at);
                }
                json_string(out, key, &at);
                out.put(":", &at);
                json_value(out, value);
            }
            out.put("}", &v.span);
        }
    }
}

/// A string as Go's `encoding/json` writes it (HTML-safe, `\b` and `\f` as Go 1.22 writes them).
fn json_string(out: &mut Out, t: &Text, span: &Span) {
    out.put("\"", span);
    out.text.unknown |= t.unknown;
    let mut buf = [0u8; 4];
    for (at, c) in t.value.char_indices() {
        let (outer, verbatim) = locate(t, at, c.len_utf8(), span);
        let escape = match c {
            '"' => Some("\\\"".to_owned()),
            '\\' => Some("\\\\".to_owned()),
            '\n' => Some("\\n".to_owned()),
            '\r' => Some("\\r".to_owned()),
            '\t' => Some("\\t".to_owned()),
            '\u{8}' => Some("\\b".to_owned()),
            '\u{c}' => Some("\\f".to_owned()),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => Some(format!("\\u{:04x}", u32::from(c))),
            c if u32::from(c) < 0x20 => Some(format!("\\u{:04x}", u32::from(c))),
            _ => None,
        };
        match escape {
            Some(e) => out.push(&e, outer, false),
            None => out.push(c.encode_utf8(&mut buf), outer, verbatim),
        }
    }
    out.put("\"", span);
}

#[cfg(test)]
mod tests;
