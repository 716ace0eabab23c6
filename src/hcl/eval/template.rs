//! String templates and heredocs, evaluated as hcl/v2 does, with the pieces of every literal.
//!
//! hcl/v2 (`hclsyntax/parser_template.go`, `parseTemplateParts` and
//! `flushHeredocTemplateParts`; `scan_tokens.rl` for the tokens) works on a flat list of
//! tokens: literal tokens (in a heredoc, one per line, each ending with its `\n`, and split
//! where `${`/`%{` start), interpolations and directive markers (`%{ if }`, `%{ else }`,
//! `%{ endif }`, `%{ for }`, `%{ endfor }`). This module rebuilds that list from `hcl-edit`'s
//! tree and the raw source, then applies, in hcl/v2's order:
//!
//! 1. **Strip markers.** `${~`/`%{~` trim the trailing whitespace (Unicode) of the token just
//!    before, if it is a literal; `~}` trims the leading whitespace of the token just after, if
//!    it is a literal. In a heredoc a token ends at a line end, so a marker trims at most to the
//!    line break before it (`${~` also removes that `\n` when it starts a line) and only the rest
//!    of its line after it.
//! 2. **`<<-` indentation.** A token *starts a line* when it is the first token or follows a
//!    literal token ending in `\n`. Over the tokens starting a line: a literal made only of
//!    whitespace and ending in `\n` (a blank line) does not count and is left as it is; any
//!    other literal counts its leading whitespace characters (spaces and tabs alike, one each);
//!    an interpolation or directive starting a line counts 0 (nothing is stripped then). The
//!    smallest count is removed from the start of every counted literal. The closing marker's
//!    line is not a token and does not count. Counts are in grapheme clusters in hcl/v2; here
//!    in characters, which differ only for whitespace followed by a combining mark.
//!
//! Decoding: in a quoted template `\n`, `\r`, `\t`, `\"`, `\\`, `\uNNNN`, `\UNNNNNNNN`,
//! `$${` and `%%{` are escapes (non-verbatim pieces at the escape); in a heredoc only `$${`
//! and `%%{` are, and the rest of every line is verbatim.

use std::collections::HashMap;

use hcl_edit::Span as _;
use hcl_edit::template::{Directive, Element, HeredocTemplate, StringTemplate, Strip};

use super::{Ctx, REJECTED, Scope, Site, Truth, truth, unknown};
use crate::hcl::value::{Piece, Spanned, Text, Value};
use crate::source::{SourceFile, Span};

/// A token of hcl/v2's flat template list.
enum Tok {
    /// A literal token of the literal element starting at `key`.
    Lit { key: usize, text: Text },
    /// An interpolation or directive marker, with its strip markers.
    Ctl(Strip),
}

impl<'m> Ctx<'m> {
    /// A quoted template (`"a${x}b"`).
    pub(super) fn string_template(
        &self,
        site: &Site<'m>,
        t: &StringTemplate,
        scope: &Scope<'_>,
        span: Span,
    ) -> Spanned {
        let elements: Vec<&Element> = t.iter().collect();
        if let [Element::Interpolation(i)] = elements.as_slice() {
            // hcl/v2's TemplateWrapExpr: `"${x}"` is x itself, whatever its type
            let v = self.eval(site, &i.expr, scope);
            return Spanned {
                value: v.value,
                span,
            };
        }
        let raw_newline = |e: &Element| match e {
            Element::Literal(l) => l
                .span()
                .is_some_and(|s| site.src.text.get(s).is_some_and(|r| r.contains('\n'))),
            _ => false,
        };
        if t.iter().any(raw_newline) {
            // hcl-edit accepts a line break in a quoted string; Terraform does not
            return unknown(site.text(&span), REJECTED, span);
        }
        let mut toks = Vec::new();
        flatten(site.src, t.iter(), false, &mut toks);
        let lits = finish(toks, false);
        self.render(site, t.iter(), &lits, scope, span)
    }

    /// A heredoc (`<<EOT` or `<<-EOT`).
    pub(super) fn heredoc(
        &self,
        site: &Site<'m>,
        h: &HeredocTemplate,
        scope: &Scope<'_>,
        span: Span,
    ) -> Spanned {
        let flush = site
            .src
            .text
            .get(span.clone())
            .is_some_and(|s| s.starts_with("<<-"));
        if closes_on_first_line(site.src, h, &span) {
            return unknown(site.text(&span), REJECTED, span);
        }
        let mut toks = Vec::new();
        flatten(site.src, h.template.iter(), true, &mut toks);
        let lits = finish(toks, flush);
        self.render(site, h.template.iter(), &lits, scope, span)
    }

    fn render<'e>(
        &self,
        site: &Site<'m>,
        elements: impl Iterator<Item = &'e Element>,
        lits: &HashMap<usize, Text>,
        scope: &Scope<'_>,
        span: Span,
    ) -> Spanned {
        let mut out = Text::default();
        match self.render_into(site, elements, lits, scope, &mut out) {
            Ok(()) => Spanned {
                value: Value::String(out),
                span,
            },
            Err(why) => unknown(site.text(&span), why, span),
        }
    }

    fn render_into<'e>(
        &self,
        site: &Site<'m>,
        elements: impl Iterator<Item = &'e Element>,
        lits: &HashMap<usize, Text>,
        scope: &Scope<'_>,
        out: &mut Text,
    ) -> Result<(), &'static str> {
        for element in elements {
            let before = out.value.len();
            match element {
                Element::Literal(l) => {
                    let key = l.span().map_or(usize::MAX, |s| s.start);
                    match lits.get(&key) {
                        Some(t) => out.push_text(t),
                        None => out.push(l.value(), 0..0, false),
                    }
                }
                Element::Interpolation(i) => {
                    let v = self.eval(site, &i.expr, scope);
                    let at = i.expr.span().unwrap_or_else(|| v.span.clone());
                    out.push_text(&interpolated(site, &v, &at)?);
                }
                Element::Directive(d) => self.directive(site, d, lits, scope, out)?,
            }
            if !self.charge(out.value.len().saturating_sub(before)) {
                return Err(super::TOO_LARGE);
            }
        }
        Ok(())
    }

    fn directive(
        &self,
        site: &Site<'m>,
        d: &Directive,
        lits: &HashMap<usize, Text>,
        scope: &Scope<'_>,
        out: &mut Text,
    ) -> Result<(), &'static str> {
        let written = |out: &mut Text| {
            let span = d.span().unwrap_or(0..0);
            out.push(&site.text(&span), span, false);
            out.unknown = true;
        };
        match d {
            Directive::If(d) => {
                let c = self.eval(site, &d.if_expr.cond_expr, scope);
                match truth(&c.value) {
                    Truth::Known(true) => {
                        self.render_into(site, d.if_expr.template.iter(), lits, scope, out)?;
                    }
                    Truth::Known(false) => {
                        if let Some(e) = &d.else_expr {
                            self.render_into(site, e.template.iter(), lits, scope, out)?;
                        }
                    }
                    Truth::Unknown(_) => written(out),
                    Truth::Invalid => return Err(REJECTED),
                }
            }
            Directive::For(d) => {
                let f = &d.for_expr;
                let coll = self.eval(site, &f.collection_expr, scope);
                if let Value::Unknown(_) = coll.value {
                    written(out);
                    return Ok(());
                }
                let items = super::iteration(&coll).ok_or(REJECTED)?;
                for (k, v) in items {
                    let mut inner: Vec<(&str, Spanned)> = scope.to_vec();
                    if let Some(kv) = &f.key_var {
                        inner.push((kv.as_str(), k));
                    }
                    inner.push((f.value_var.as_str(), v));
                    self.render_into(site, f.template.iter(), lits, &inner, out)?;
                }
            }
        }
        Ok(())
    }
}

/// Whether the first line of a heredoc is its closing marker (with whitespace around it):
/// hcl/v2 ends the heredoc there, `hcl-edit` reads on to the next marker.
fn closes_on_first_line(src: &SourceFile, h: &HeredocTemplate, span: &Span) -> bool {
    let Some(text) = src.text.get(span.clone()) else {
        return false;
    };
    let mut lines = text.split('\n');
    lines.next();
    lines
        .next()
        .is_some_and(|first| first.trim() == h.delimiter.as_str())
        && text.matches('\n').count() > 1
}

/// A value interpolated at `at`: a string keeps its pieces, a number or bool is produced at
/// `at`, an unknown value is written `${expr}`; anything else is an error in Terraform.
fn interpolated(site: &Site<'_>, v: &Spanned, at: &Span) -> Result<Text, &'static str> {
    Ok(match &v.value {
        Value::String(t) => t.clone(),
        Value::Number(n) => Text::produced(n.clone(), at.clone()),
        Value::Bool(b) => Text::produced(b.to_string(), at.clone()),
        Value::Unknown(_) => {
            let mut t = Text::produced(format!("${{{}}}", site.text(at)), at.clone());
            t.unknown = true;
            t
        }
        Value::Null | Value::List(_) | Value::Object(_) => return Err(REJECTED),
    })
}

/// Walks elements in source order into hcl/v2's flat token list.
fn flatten<'e>(
    src: &SourceFile,
    elements: impl Iterator<Item = &'e Element>,
    heredoc: bool,
    toks: &mut Vec<Tok>,
) {
    for element in elements {
        match element {
            Element::Literal(l) => {
                let Some(span) = l.span() else {
                    continue;
                };
                let text = if heredoc {
                    decode(src, &span, false)
                        .unwrap_or_else(|| Text::produced(l.value(), span.clone()))
                } else {
                    decode(src, &span, true)
                        .filter(|t| t.value == **l)
                        .unwrap_or_else(|| Text::produced(l.value(), span.clone()))
                };
                if heredoc {
                    let mut start = 0;
                    for (i, _) in text.value.match_indices('\n') {
                        toks.push(Tok::Lit {
                            key: span.start,
                            text: slice(&text, start..i + 1),
                        });
                        start = i + 1;
                    }
                    if start < text.value.len() {
                        let rest = slice(&text, start..text.value.len());
                        toks.push(Tok::Lit {
                            key: span.start,
                            text: rest,
                        });
                    }
                } else {
                    toks.push(Tok::Lit {
                        key: span.start,
                        text,
                    });
                }
            }
            Element::Interpolation(i) => toks.push(Tok::Ctl(i.strip)),
            Element::Directive(d) => match &**d {
                Directive::If(d) => {
                    toks.push(Tok::Ctl(d.if_expr.strip));
                    flatten(src, d.if_expr.template.iter(), heredoc, toks);
                    if let Some(e) = &d.else_expr {
                        toks.push(Tok::Ctl(e.strip));
                        flatten(src, e.template.iter(), heredoc, toks);
                    }
                    toks.push(Tok::Ctl(d.endif_expr.strip));
                }
                Directive::For(d) => {
                    toks.push(Tok::Ctl(d.for_expr.strip));
                    flatten(src, d.for_expr.template.iter(), heredoc, toks);
                    toks.push(Tok::Ctl(d.endfor_expr.strip));
                }
            },
        }
    }
}

/// Applies strip markers and (for `<<-`) the indentation rule, and joins each literal
/// element's tokens back, keyed by the element's start.
fn finish(mut toks: Vec<Tok>, flush: bool) -> HashMap<usize, Text> {
    for i in 0..toks.len() {
        let Tok::Ctl(strip) = toks[i] else { continue };
        if let Some(Tok::Lit { text, .. }) = i.checked_sub(1).and_then(|p| toks.get_mut(p))
            && strip.strip_start()
        {
            let keep = text.value.trim_end().len();
            *text = slice(text, 0..keep);
        }
        if let Some(Tok::Lit { text, .. }) = toks.get_mut(i + 1)
            && strip.strip_end()
        {
            let drop = text.value.len() - text.value.trim_start().len();
            *text = slice(text, drop..text.value.len());
        }
    }
    if flush {
        flush_indent(&mut toks);
    }
    let mut lits: HashMap<usize, Text> = HashMap::new();
    for tok in toks {
        if let Tok::Lit { key, text } = tok {
            lits.entry(key).or_default().push_text(&text);
        }
    }
    lits
}

/// hcl/v2's `flushHeredocTemplateParts` (see the module docs).
fn flush_indent(toks: &mut [Tok]) {
    let mut min = usize::MAX;
    let mut newline = true;
    let mut adjust = Vec::new();
    for (i, tok) in toks.iter().enumerate() {
        if newline {
            newline = false;
            let spaces = match tok {
                Tok::Lit { text, .. } => {
                    let v = &text.value;
                    let trimmed = v.trim_start();
                    if trimmed.is_empty() && v.ends_with('\n') {
                        usize::MAX
                    } else {
                        adjust.push(i);
                        v[..v.len() - trimmed.len()].chars().count()
                    }
                }
                Tok::Ctl(_) => 0,
            };
            min = min.min(spaces);
        }
        if let Tok::Lit { text, .. } = tok {
            newline = text.value.ends_with('\n');
        }
    }
    for i in adjust {
        if let Tok::Lit { text, .. } = &mut toks[i] {
            let cut = text
                .value
                .char_indices()
                .nth(min)
                .map_or(text.value.len(), |(b, _)| b);
            *text = slice(text, cut..text.value.len());
        }
    }
}

/// Decodes a literal written at `span` (a quoted template's escapes when `quoted`, else only
/// `$${`/`%%{`), with a verbatim piece for every run written as is. `None` on an escape that
/// does not decode.
fn decode(src: &SourceFile, span: &Span, quoted: bool) -> Option<Text> {
    let raw = src.text.get(span.clone())?;
    let mut t = Text::default();
    let mut run = 0; // start of the current verbatim run in `raw`
    let mut i = 0;
    let bytes = raw.as_bytes();
    while i < bytes.len() {
        let (len, decoded): (usize, Option<String>) = match bytes[i] {
            b'$' | b'%'
                if bytes.get(i + 1) == Some(&bytes[i]) && bytes.get(i + 2) == Some(&b'{') =>
            {
                (3, Some(format!("{}{{", bytes[i] as char)))
            }
            b'\\' if quoted => {
                let c = *bytes.get(i + 1)?;
                let (n, ch) = match c {
                    b'n' => (2, '\n'),
                    b'r' => (2, '\r'),
                    b't' => (2, '\t'),
                    b'"' => (2, '"'),
                    b'\\' => (2, '\\'),
                    b'u' | b'U' => {
                        let n = if c == b'u' { 4 } else { 8 };
                        let hex = raw.get(i + 2..i + 2 + n)?;
                        let ch = char::from_u32(u32::from_str_radix(hex, 16).ok()?)?;
                        (2 + n, ch)
                    }
                    _ => return None,
                };
                (n, Some(ch.to_string()))
            }
            _ => (1, None),
        };
        if let Some(d) = decoded {
            if run < i {
                t.push(&raw[run..i], span.start + run..span.start + i, true);
            }
            t.push(&d, span.start + i..span.start + i + len, false);
            run = i + len;
        }
        i += len;
    }
    if run < raw.len() {
        t.push(&raw[run..], span.start + run..span.end, true);
    }
    Some(t)
}

/// A plain quoted string literal written at `span` (its quotes included), decoded to `decoded`.
pub(crate) fn quoted_literal(src: &SourceFile, span: &Span, decoded: &str) -> Text {
    let inner = if span.end >= span.start + 2 {
        span.start + 1..span.end - 1
    } else {
        span.clone()
    };
    decode(src, &inner, true)
        .filter(|t| t.value == decoded)
        .unwrap_or_else(|| Text::produced(decoded, span.clone()))
}

/// Bytes `range` of a text (on character boundaries), with its pieces.
pub(crate) fn slice(t: &Text, range: std::ops::Range<usize>) -> Text {
    let (start, end) = (range.start, range.end);
    let Some(value) = t.value.get(start..end) else {
        return Text::default();
    };
    let mut pieces = Vec::new();
    for (i, p) in t.pieces.iter().enumerate() {
        let p_end = t.pieces.get(i + 1).map_or(t.value.len(), |n| n.inner);
        if p_end <= start || p.inner >= end || p_end <= p.inner {
            continue;
        }
        let from = p.inner.max(start);
        let outer = if p.verbatim {
            let s = p.outer.start + (from - p.inner);
            s..p.outer.end.max(s)
        } else {
            p.outer.clone()
        };
        pieces.push(Piece {
            inner: from - start,
            outer,
            verbatim: p.verbatim,
        });
    }
    Text {
        value: value.to_owned(),
        pieces,
        unknown: t.unknown,
    }
}
