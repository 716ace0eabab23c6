//! What yaml.v2 (libyaml) reads differently from YAML 1.2 at the character level: line breaks
//! YAML 1.2 does not know, tabs it refuses, comments glued to a closing bracket, anchor names
//! and `%YAML` versions. The error messages of a full yaml.v2 parse live in [`super::v2_error`].

use granit_parser::{ScalarStyle, Scanner, StrInput, TokenType};

use super::build::{options, parse};
use super::{Node, NodeKind, Style, SyntaxError};
use crate::source::Span;

/// yaml.v2 (libyaml) reads NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR as line breaks; YAML 1.2
/// does not. NEL becomes CRLF everywhere (libyaml turns it into `\n` even in quoted scalars);
/// LS and PS become a space and CRLF outside quoted scalars (inside them libyaml keeps the
/// character in the value): the space goes before the break, so that the next line keeps the
/// column libyaml gives it. Both replacements keep the byte length, so spans stay valid.
/// `None` when the text has none of them.
pub fn v2_line_breaks(text: &str) -> Option<String> {
    fn quoted(node: &Node, spans: &mut Vec<Span>) {
        match &node.kind {
            NodeKind::Scalar {
                style: Style::SingleQuoted | Style::DoubleQuoted,
                ..
            } => spans.push(node.span.clone()),
            NodeKind::Seq(items) => items.iter().for_each(|n| quoted(n, spans)),
            NodeKind::Map(entries) => entries.iter().for_each(|(k, v)| {
                quoted(k, spans);
                quoted(v, spans);
            }),
            _ => {}
        }
    }
    // searched as bytes: a `char` set is matched one character at a time
    if ['\u{85}', '\u{2028}', '\u{2029}'].iter().all(|c| {
        memchr::memmem::find(text.as_bytes(), c.encode_utf8(&mut [0; 4]).as_bytes()).is_none()
    }) {
        return None;
    }
    let out = text.replace('\u{85}', "\r\n");
    if !out.contains(['\u{2028}', '\u{2029}']) {
        return Some(out);
    }
    let mut spans = Vec::new();
    for doc in parse(&out, usize::MAX).documents {
        if let Some(root) = &doc.root {
            quoted(root, &mut spans);
        }
    }
    spans.sort_by_key(|s| s.start);
    let mut result = String::with_capacity(out.len());
    let mut next = 0;
    for (i, c) in out.char_indices() {
        while next < spans.len() && spans[next].end <= i {
            next += 1;
        }
        let in_quotes = spans.get(next).is_some_and(|s| s.start <= i);
        match c {
            '\u{2028}' | '\u{2029}' if !in_quotes => result.push_str(" \r\n"),
            c => result.push(c),
        }
    }
    Some(result)
}

/// Where yaml.v2 (like libyaml) rejects a tab that YAML 1.2 parsers accept. Its scanner skips
/// a tab between tokens only in flow context or where a simple key may not start: a tab at the
/// start of a line (before content or a comment, or alone on it), after `- `, after `? ` and
/// after the `:` of an explicit key is "found character that cannot start any token", and the
/// section (or document) is lost. Checked against the authenticator's libraries: `-\trolearn: x`
/// and a `\t# comment` line drop the section, `username:\tx` and `[a,\tb]` do not.
/// Returns the offsets of every such tab, in order.
///
/// The same pass reports what else libyaml refuses and YAML 1.2 allows: anchor and alias names
/// outside `[0-9A-Za-z_-]`, a `%YAML` directive other than 1.1, and `?` inside a plain scalar
/// in flow context.
pub(super) fn v2_scan_errors(text: &str) -> Vec<SyntaxError> {
    let bytes = text.as_bytes();
    if memchr::memchr3(b'\t', b'&', b'*', bytes).is_none()
        && memchr::memchr2(b'%', b'?', bytes).is_none()
    {
        return Vec::new();
    }
    let scanner = Scanner::with_options(StrInput::new(text), options());
    let mut errors = Vec::new();
    let mut flow = 0usize;
    let mut allowed = true; // libyaml's `simple_key_allowed`
    let mut complex = false;
    let mut pos = 0;
    for token in scanner {
        let Ok(token) = token else { break };
        let span = token.span();
        let start = span
            .start
            .byte_offset()
            .unwrap_or(pos)
            .max(pos)
            .min(text.len());
        let end = span
            .end
            .byte_offset()
            .unwrap_or(start)
            .max(start)
            .min(text.len());
        // the gap before the token: whitespace, comments and zero-width indicators' characters
        let mut i = pos;
        while i < start {
            match bytes[i] {
                b'\t' if flow == 0 && allowed => errors.push(tab_error(i)),
                b'#' => {
                    while i < start && !matches!(bytes[i], b'\n' | b'\r') {
                        i += 1;
                    }
                    continue;
                }
                b'\n' | b'\r' => allowed = true,
                b'-' | b',' => allowed = true,
                b'?' => {
                    allowed = true;
                    complex = true;
                }
                b':' => {
                    allowed = complex && flow == 0;
                    complex = false;
                }
                _ => {}
            }
            i += 1;
        }
        match token.token_type() {
            TokenType::FlowSequenceStart | TokenType::FlowMappingStart => {
                flow += 1;
                allowed = true;
            }
            TokenType::FlowSequenceEnd | TokenType::FlowMappingEnd => {
                flow = flow.saturating_sub(1);
                allowed = false;
            }
            TokenType::FlowEntry => allowed = true,
            TokenType::Key if end > start => {
                allowed = true;
                complex = true;
            }
            TokenType::Scalar(ScalarStyle::Literal | ScalarStyle::Folded, _) => {
                allowed = true;
                // libyaml: "found a tab character where an indentation space is expected"
                if let Some(t) = block_scalar_tab(text, start, end) {
                    errors.push(tab_error(t));
                }
            }
            TokenType::Scalar(style, _) => {
                allowed = false;
                // libyaml ends a plain scalar at `?` in flow context (`[who?]` does not parse)
                if flow > 0
                    && *style == ScalarStyle::Plain
                    && let Some(q) = text[start..end].find('?')
                {
                    errors.push(SyntaxError {
                        message:
                            "a `?` inside a plain scalar in flow context, which yaml.v2 rejects"
                                .into(),
                        offset: start + q,
                    });
                }
            }
            TokenType::Anchor(name) | TokenType::Alias(name) => {
                allowed = false;
                if !name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
                {
                    errors.push(SyntaxError {
                        message: format!(
                            "anchor name `{name}` has characters yaml.v2 does not allow"
                        ),
                        offset: start,
                    });
                }
            }
            TokenType::VersionDirective(major, minor) if (*major, *minor) != (1, 1) => {
                errors.push(SyntaxError {
                    message: format!(
                        "yaml.v2 only reads `%YAML 1.1` documents, not {major}.{minor}"
                    ),
                    offset: start,
                });
            }
            TokenType::Tag(..) | TokenType::DocumentStart | TokenType::DocumentEnd => {
                allowed = false;
            }
            _ => {}
        }
        pos = end.max(pos);
    }
    errors
}

/// A tab in the indentation of a block scalar's lines: in its leading blank lines, or before
/// the content column (detected from the first non-blank line).
fn block_scalar_tab(text: &str, start: usize, end: usize) -> Option<usize> {
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    // with an explicit indentation indicator (`|2`, `>-4`) the content column is not detected
    let header_at = text[..start].rfind(['|', '>'])?;
    let header_end = text[header_at..]
        .find('\n')
        .map_or(text.len(), |i| header_at + i);
    let header = text[header_at..header_end]
        .split('#')
        .next()
        .unwrap_or_default();
    if header.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    let body = &text[line_start..end.min(text.len())];
    let mut indent: Option<usize> = None;
    let mut offset = line_start;
    for line in body.split_inclusive('\n') {
        let here = offset;
        offset += line.len();
        let content = line.trim_end_matches(['\n', '\r']);
        let spaces = content.len() - content.trim_start_matches(' ').len();
        match indent {
            None if content.trim_matches([' ', '\t']).is_empty() => {
                if let Some(t) = content.find('\t') {
                    return Some(here + t);
                }
            }
            None => {
                if content.as_bytes().get(spaces) == Some(&b'\t') {
                    return Some(here + spaces);
                }
                indent = Some(spaces);
            }
            Some(n) => {
                if let Some(t) = content.as_bytes()[..n.min(content.len())]
                    .iter()
                    .position(|&b| b == b'\t')
                {
                    return Some(here + t);
                }
            }
        }
    }
    None
}

fn tab_error(offset: usize) -> SyntaxError {
    SyntaxError {
        message: "a tab where yaml.v2 allows only spaces".into(),
        offset,
    }
}

/// Blanks out (same length, so offsets stay) comments glued to a closing bracket or quote.
pub(super) fn blank_glued_comments(text: &str) -> Option<String> {
    let mut out = text.as_bytes().to_vec();
    let mut changed = false;
    let mut i = 1;
    while i < out.len() {
        if out[i] == b'#' && matches!(out[i - 1], b']' | b'}' | b'"' | b'\'') {
            while i < out.len() && out[i] != b'\n' && out[i] != b'\r' {
                out[i] = b' ';
                i += 1;
            }
            changed = true;
        }
        i += 1;
    }
    // only ASCII bytes were replaced, and whole comments, so this stays UTF-8
    changed.then(|| String::from_utf8(out).ok()).flatten()
}
