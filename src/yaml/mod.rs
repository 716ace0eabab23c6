//! A small lossless YAML tree with byte spans, built from `granit-parser` events.
//!
//! Mappings keep every key in source order (duplicates included) so that rules can see what the
//! authenticator's non-strict decoder silently overwrites. Aliases share the anchored node. The
//! yaml.v2 (YAML 1.1) meaning of scalars lives in [`resolve`]; mapping inner positions of an
//! embedded document back to the outer file lives in [`scalar_map`].

pub mod resolve;
pub mod scalar_map;
pub mod v2_error;

use std::collections::HashMap;
use std::sync::Arc as Rc;

use granit_parser::{Event, Parser, ScalarStyle};

use crate::source::Span;

/// How a scalar was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `value`
    Plain,
    /// `'value'`
    SingleQuoted,
    /// `"value"`
    DoubleQuoted,
    /// `|`
    Literal,
    /// `>`
    Folded,
}

impl Style {
    /// How the style is named in messages.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Plain => "plain",
            Self::SingleQuoted => "single-quoted",
            Self::DoubleQuoted => "double-quoted",
            Self::Literal => "literal block",
            Self::Folded => "folded block",
        }
    }
}

/// A YAML node with its byte span in the parsed text.
#[derive(Debug, Clone)]
pub struct Node {
    /// What the node holds.
    pub kind: NodeKind,
    /// Byte span of the node's content (for block scalars: from the first content character).
    pub span: Span,
    /// The resolved tag, e.g. `tag:yaml.org,2002:str`, when one was written.
    pub tag: Option<String>,
}

/// The content of a [`Node`].
#[derive(Debug, Clone)]
pub enum NodeKind {
    /// A scalar after escape processing.
    Scalar {
        /// The scalar's text.
        value: String,
        /// How it was written.
        style: Style,
    },
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping; keys in source order, duplicates kept.
    Map(Vec<(Node, Node)>),
    /// An alias; the anchored node it refers to.
    Alias(Rc<Node>),
}

impl Node {
    /// The node an alias refers to, or the node itself.
    pub fn resolved(&self) -> &Node {
        let mut n = self;
        while let NodeKind::Alias(target) = &n.kind {
            n = target;
        }
        n
    }

    /// The scalar text, if the (resolved) node is a scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.resolved().kind {
            NodeKind::Scalar { value, .. } => Some(value),
            _ => None,
        }
    }

    /// The scalar style, if the (resolved) node is a scalar.
    pub fn style(&self) -> Option<Style> {
        match &self.resolved().kind {
            NodeKind::Scalar { style, .. } => Some(*style),
            _ => None,
        }
    }

    /// The mapping entries, if the (resolved) node is a mapping.
    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.resolved().kind {
            NodeKind::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The sequence items, if the (resolved) node is a sequence.
    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.resolved().kind {
            NodeKind::Seq(items) => Some(items),
            _ => None,
        }
    }

    /// The value of the last key whose text equals `key` (yaml.v2's last-wins for duplicates).
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// The last `(key, value)` pair whose key text equals `key`.
    pub fn entry(&self, key: &str) -> Option<&(Node, Node)> {
        self.as_map()?
            .iter()
            .rev()
            .find(|(k, _)| k.as_str() == Some(key))
    }

    /// A short name of the node's YAML type, for messages.
    pub fn type_name(&self) -> &'static str {
        match &self.resolved().kind {
            NodeKind::Scalar { .. } => "scalar",
            NodeKind::Seq(_) => "list",
            NodeKind::Map(_) => "mapping",
            NodeKind::Alias(_) => "alias",
        }
    }
}

/// A mapping's entries as yaml.v2 decodes them into a map: `<<` merge keys expanded (a mapping,
/// or a sequence of mappings where earlier ones win), and for a key written more than once only
/// its last occurrence, in the position of that occurrence.
pub fn merged_entries(node: &Node) -> Vec<(&Node, &Node)> {
    fn collect<'a>(node: &'a Node, out: &mut Vec<(&'a Node, &'a Node)>, depth: usize) {
        let Some(entries) = node.as_map() else { return };
        for (k, v) in entries {
            let merge =
                k.style() == Some(Style::Plain) && k.as_str() == Some("<<") && k.tag.is_none();
            if merge && depth < 16 {
                match &v.resolved().kind {
                    NodeKind::Map(_) => collect(v.resolved(), out, depth + 1),
                    NodeKind::Seq(items) => {
                        for item in items.iter().rev() {
                            collect(item.resolved(), out, depth + 1);
                        }
                    }
                    _ => {}
                }
            } else {
                out.push((k, v));
            }
        }
    }
    let mut all = Vec::new();
    collect(node, &mut all, 0);
    let mut seen = std::collections::HashSet::new();
    let mut out: Vec<(&Node, &Node)> = all
        .into_iter()
        .rev()
        .filter(|(k, _)| seen.insert(k.as_str().unwrap_or_default().to_owned()))
        .collect();
    out.reverse();
    out
}

/// One document of a YAML stream.
#[derive(Debug)]
pub struct Document {
    /// The root node; `None` for an empty document.
    pub root: Option<Node>,
    /// 0-based index of the document in the stream.
    pub index: usize,
}

/// A syntax error reported by the parser.
#[derive(Debug, Clone)]
pub struct SyntaxError {
    /// The parser's message, lowercase.
    pub message: String,
    /// Byte offset where the parser stopped.
    pub offset: usize,
}

/// The result of parsing a stream: the documents that parsed, and the errors met on the way.
#[derive(Debug, Default)]
pub struct Stream {
    /// Documents in order (a broken document is absent).
    pub documents: Vec<Document>,
    /// Syntax errors, one per broken document.
    pub errors: Vec<SyntaxError>,
}

/// Parser settings shared by the outer and the nested parse.
fn options() -> granit_parser::Options {
    granit_parser::options! {
        // libyaml (and so Go's yaml.v2) adds no line feed to a block scalar ending at EOF
        block_scalar_eof_without_line_feed: true,
        emit_comments: false,
    }
}

/// Parses every document of `text`. After a syntax error the parser skips to the next document,
/// as a multi-document manifest (helm template output) may have one broken document.
pub fn parse_stream(text: &str) -> Stream {
    let mut stream = parse(text, usize::MAX);
    // a document yaml.v2 would reject is dropped like any other broken document
    let tabs = v2_scan_errors(text);
    if !tabs.is_empty() {
        let starts: Vec<usize> = stream
            .documents
            .iter()
            .map(|d| d.root.as_ref().map_or(usize::MAX, |r| r.span.start))
            .collect();
        let mut broken = vec![false; stream.documents.len()];
        for err in tabs {
            // the document whose content starts last at or before the error (or the first one)
            let i = starts.iter().rposition(|&s| s <= err.offset).unwrap_or(0);
            if let Some(b) = broken.get_mut(i)
                && !*b
            {
                *b = true;
                stream.errors.push(err);
            }
        }
        let mut i = 0;
        stream.documents.retain(|_| {
            i += 1;
            !broken[i - 1]
        });
        stream.errors.sort_by_key(|e| e.offset);
    }
    stream
}

/// yaml.v2 (libyaml) reads NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR as line breaks; YAML 1.2
/// does not. NEL becomes CRLF everywhere (libyaml turns it into `\n` even in quoted scalars);
/// LS and PS become a space and CRLF outside quoted scalars (inside them libyaml keeps the
/// character in the value): the space goes before the break, so that the next line keeps the
/// column libyaml gives it. Both replacements keep the byte length, so spans stay valid.
/// `None` when the text has none of them.
pub fn v2_line_breaks(text: &str) -> Option<String> {
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

/// Parses only the first document of `text`, as yaml.v2's `Unmarshal` does: later documents
/// are neither read nor checked.
pub fn parse_first(text: &str) -> Result<Option<Node>, SyntaxError> {
    let original = text;
    let normalized;
    let text = match v2_line_breaks(text) {
        Some(t) => {
            normalized = t;
            normalized.as_str()
        }
        None => text,
    };
    // what yaml.v2 refuses that YAML 1.2 allows (tabs, `%YAML 1.2`, `{{a}}{{b}}`, ...), found
    // while the tree is built (a long document is parsed on both cores already)
    // (skipped for the plain line shapes of long generated sections, where the two parsers
    // are known to agree: a tree granit-parser builds is then what yaml.v2 reads)
    let v2 = || {
        if v2_error::surely_accepted(original) {
            Ok(original.len())
        } else {
            v2_error::first_document(original)
        }
    };
    let (mut stream, v2) = if text.len() >= SPLIT_MIN {
        rayon::join(|| parse_first_split(text, SPLIT_MIN, SPLIT_AGAIN), v2)
    } else {
        (parse(text, 1), v2())
    };
    // yaml.v2 reads nothing after the first document's content (`...` and what follows it on
    // its line, a stray `]`): neither need YAML 1.2
    let read = match &v2 {
        Ok(end) if !stream.errors.is_empty() => text.get(..*end).unwrap_or(text),
        _ => text,
    };
    if read.len() < text.len() {
        let retry = parse(read, 1);
        if retry.errors.is_empty() {
            stream = retry;
        }
    }
    if !stream.errors.is_empty()
        && let Some(blanked) = blank_glued_comments(read)
    {
        // yaml.v2 reads `[a]#x` and `"a"#x` as a value and a comment; YAML 1.2 wants a space
        let retry = parse(&blanked, 1);
        if retry.errors.is_empty() {
            stream = retry;
        }
    }
    if let Some(doc) = stream.documents.pop() {
        if let Err(f) = v2 {
            return Err(SyntaxError {
                message: f.message(),
                offset: f.offset(),
            });
        }
        return Ok(doc.root);
    }
    match stream.errors.pop() {
        Some(mut e) => {
            // point at the tab itself, not where the scanner noticed it
            if e.message.contains("tab")
                && text.as_bytes().get(e.offset) != Some(&b'\t')
                && let Some(t) = text[e.offset.min(text.len())..].find('\t')
            {
                e.offset += t;
            }
            Err(e)
        }
        // an empty stream to YAML 1.2; yaml.v2 may still refuse it (`...` alone)
        None => match v2 {
            Err(f) => Err(SyntaxError {
                message: f.message(),
                offset: f.offset(),
            }),
            Ok(_) => Ok(None),
        },
    }
}

/// Documents at least this long are parsed in pieces at once when [`split_point`] finds a safe
/// place to cut: the nested document of a 5,000-entry aws-auth is most of a lint's work.
const SPLIT_MIN: usize = 64 * 1024;

/// Pieces at least this long are cut again: pieces of 64 to 128 KB keep both threads busy
/// when one of them runs late.
const SPLIT_AGAIN: usize = 128 * 1024;

/// `parse(text, 1)`, in pieces on the thread pool when `text` (at least `min` bytes) is a block
/// sequence that can be cut between two of its items; halves of at least `again` bytes are cut
/// again. The result is the same either way.
fn parse_first_split(text: &str, min: usize, again: usize) -> Stream {
    if text.len() >= min
        && let Some(at) = split_point(text)
    {
        let (head, mut tail) = rayon::join(
            || parse_first_split(&text[..at], again, again),
            || parse_first_split(&text[at..], again, again),
        );
        // the tail's spans as offsets into `text`
        for doc in &mut tail.documents {
            if let Some(root) = &mut doc.root {
                shift(root, at);
            }
        }
        if let Some(joined) = join_halves(text, head, tail) {
            return joined;
        }
    }
    parse(text, 1)
}

/// The offset of a line that starts a top-level item of the block sequence `text` holds, near
/// its middle; `None` when the text has anything that could tie the two halves together or
/// make that line mean something else: anchors, aliases, tags, directives, explicit keys, tabs
/// and document markers, block scalars (whose span reaches into the next line's indentation)
/// and carriage returns (a lone CR breaks a line too, unseen by the search for `\n`). A quoted
/// scalar or flow collection open across the cut, or a root that is not a block sequence,
/// leaves a half that does not parse as one ([`join_halves`] checks).
fn split_point(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    if memchr::memchr3(b'&', b'*', b'!', bytes).is_some()
        || memchr::memchr3(b'%', b'?', b'\t', bytes).is_some()
        || memchr::memchr3(b'|', b'>', b'\r', bytes).is_some()
        || text.starts_with("---")
        || text.starts_with("...")
        || memchr::memmem::find(bytes, b"\n---").is_some()
        || memchr::memmem::find(bytes, b"\n...").is_some()
    {
        return None;
    }
    // the first line with content opens the root sequence: `- ` after `indent` spaces
    let mut offset = 0;
    let mut first = None;
    for line in text.split_inclusive('\n') {
        let content = line.trim_start_matches(' ');
        if !(content.trim_end().is_empty() || content.starts_with('#')) {
            first = Some((offset, line.len() - content.len()));
            break;
        }
        offset += line.len();
    }
    let (first, indent) = first?;
    let starts_item = |at: usize| {
        bytes
            .get(at..at + indent + 2)
            .is_some_and(|b| b[..indent].iter().all(|&c| c == b' ') && &b[indent..] == b"- ")
    };
    if !starts_item(first) {
        return None;
    }
    let mid = (text.len() / 2).max(first + 1);
    memchr::memchr_iter(b'\n', bytes.get(mid..)?)
        .map(|i| mid + i + 1)
        .find(|&at| starts_item(at))
}

/// Moves the spans of a tree parsed from `text[by..]` to offsets in `text`. Alias targets are
/// not moved (copying them per alias would expand an alias bomb): callers shift only trees of
/// texts without anchors.
pub(crate) fn shift(node: &mut Node, by: usize) {
    node.span = node.span.start + by..node.span.end + by;
    match &mut node.kind {
        NodeKind::Seq(items) => items.iter_mut().for_each(|n| shift(n, by)),
        NodeKind::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
            shift(k, by);
            shift(v, by);
        }),
        NodeKind::Scalar { .. } | NodeKind::Alias(_) => {}
    }
}

/// The two halves as one stream (the tail's spans already shifted to offsets in `text`), when
/// each parsed without error into one document whose root is a block sequence starting where
/// [`split_point`] expects it.
fn join_halves(text: &str, mut head: Stream, mut tail: Stream) -> Option<Stream> {
    if !head.errors.is_empty()
        || !tail.errors.is_empty()
        || head.documents.len() != 1
        || tail.documents.len() != 1
    {
        return None;
    }
    let tail_root = tail.documents.pop()?.root?;
    let head_root = head.documents[0].root.as_mut()?;
    let block_seq = |n: &Node| {
        matches!(n.kind, NodeKind::Seq(_))
            && n.tag.is_none()
            && text.as_bytes().get(n.span.start) == Some(&b'-')
    };
    if !block_seq(head_root) || !block_seq(&tail_root) {
        return None;
    }
    let end = tail_root.span.end;
    let (NodeKind::Seq(items), NodeKind::Seq(mut more)) = (&mut head_root.kind, tail_root.kind)
    else {
        return None;
    };
    items.append(&mut more);
    head_root.span.end = end;
    Some(head)
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
fn v2_scan_errors(text: &str) -> Vec<SyntaxError> {
    use granit_parser::{Scanner, StrInput, TokenType};
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
                allowed = false
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
fn blank_glued_comments(text: &str) -> Option<String> {
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

/// An open collection. Its children wait on a stack shared by all frames (from `base` on; a
/// mapping's alternate between key and value) and move into a vector of their exact number
/// when it closes: no slack capacity in a tree of many small mappings, no regrowth of large
/// sequences.
struct Frame {
    map: bool,
    start: usize,
    anchor: usize,
    tag: Option<String>,
    base: usize,
}

fn tag_string(tag: Option<&granit_parser::Tag>) -> Option<String> {
    tag.map(|t| {
        let (handle, suffix) = t.parts();
        format!("{handle}{suffix}")
    })
}

fn syntax_error(e: &granit_parser::ScanError, text: &str) -> SyntaxError {
    let offset = e
        .marker()
        .byte_offset()
        .unwrap_or_else(|| {
            text.char_indices()
                .nth(e.marker().index())
                .map_or(text.len(), |(i, _)| i)
        })
        .min(text.len());
    let mut message = e.info();
    if let Some(first) = message.get(..1) {
        let lower = first.to_lowercase();
        message.replace_range(..1, &lower);
    }
    SyntaxError { message, offset }
}

fn parse(text: &str, max_docs: usize) -> Stream {
    let mut stream = Stream::default();
    let mut parser = Parser::new_from_str_with_options(text, options());
    let mut stack: Vec<Frame> = Vec::new();
    let mut pending: Vec<Node> = Vec::new();
    let mut anchors: HashMap<usize, Rc<Node>> = HashMap::new();
    let mut root: Option<Node> = None;
    let mut index = 0;
    while let Some(result) = parser.next_event() {
        let (event, span) = match result {
            Ok(ev) => ev,
            Err(e) => {
                stream.errors.push(syntax_error(&e, text));
                stack.clear();
                pending.clear();
                anchors.clear();
                root = None;
                index += 1;
                if index >= max_docs || !matches!(parser.proceed_next_document(), Ok(true)) {
                    break;
                }
                continue;
            }
        };
        let start = span.start.byte_offset().unwrap_or(0);
        let end = span.end.byte_offset().unwrap_or(start).max(start);
        let opens_map = matches!(event, Event::MappingStart(..));
        let node = match event {
            Event::StreamStart => continue,
            Event::StreamEnd => break,
            Event::DocumentStart(..) => {
                root = None;
                anchors.clear();
                continue;
            }
            Event::DocumentEnd => {
                stream.documents.push(Document {
                    root: root.take(),
                    index,
                });
                index += 1;
                if index >= max_docs {
                    break;
                }
                continue;
            }
            Event::Scalar(value, style, anchor, tag) => {
                let style = match style {
                    ScalarStyle::Plain => Style::Plain,
                    ScalarStyle::SingleQuoted => Style::SingleQuoted,
                    ScalarStyle::DoubleQuoted => Style::DoubleQuoted,
                    ScalarStyle::Literal => Style::Literal,
                    ScalarStyle::Folded => Style::Folded,
                };
                let node = Node {
                    kind: NodeKind::Scalar {
                        value: value.into_owned(),
                        style,
                    },
                    span: start..end,
                    tag: tag_string(tag.as_deref()),
                };
                if anchor != 0 {
                    anchors.insert(anchor, Rc::new(node.clone()));
                }
                node
            }
            Event::Alias(id) => {
                let Some(target) = anchors.get(&id) else {
                    // the parser reports unknown anchors itself; be defensive anyway
                    continue;
                };
                Node {
                    kind: NodeKind::Alias(Rc::clone(target)),
                    span: start..end,
                    tag: None,
                }
            }
            Event::SequenceStart(_, anchor, tag) | Event::MappingStart(_, anchor, tag) => {
                stack.push(Frame {
                    map: opens_map,
                    start,
                    anchor,
                    tag: tag_string(tag.as_deref()),
                    base: pending.len(),
                });
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(Frame {
                    map,
                    start,
                    anchor,
                    tag,
                    base,
                }) = stack.pop()
                else {
                    continue;
                };
                let base = base.min(pending.len());
                let (kind, last_end) = if map {
                    let mut children = pending.drain(base..);
                    let mut entries = Vec::with_capacity(children.len() / 2);
                    // a key left without a value is dropped
                    while let (Some(k), Some(v)) = (children.next(), children.next()) {
                        entries.push((k, v));
                    }
                    let last = entries.last().map(|(_, v): &(Node, Node)| v.span.end);
                    (NodeKind::Map(entries), last)
                } else {
                    let items: Vec<Node> = pending.drain(base..).collect();
                    let last = items.last().map(|n| n.span.end);
                    (NodeKind::Seq(items), last)
                };
                // block collections end where their last child ends; flow ones at the bracket
                let end = if text
                    .as_bytes()
                    .get(end.saturating_sub(1))
                    .is_some_and(|b| matches!(b, b']' | b'}'))
                {
                    end
                } else {
                    last_end.unwrap_or(end).max(start)
                };
                let node = Node {
                    kind,
                    span: start..end,
                    tag,
                };
                if anchor != 0 {
                    anchors.insert(anchor, Rc::new(node.clone()));
                }
                node
            }
            _ => continue,
        };
        if stack.is_empty() {
            root = Some(node);
        } else {
            pending.push(node);
        }
    }
    stream
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_duplicates_spans_and_documents() {
        let text = "a: 1\na: 2\n---\n- x\n- &k {b: c}\n- *k\n";
        let s = parse_stream(text);
        assert!(s.errors.is_empty(), "{:?}", s.errors);
        assert_eq!(s.documents.len(), 2);
        let root = s.documents[0].root.as_ref().unwrap();
        assert_eq!(root.as_map().unwrap().len(), 2);
        assert_eq!(root.get("a").unwrap().as_str(), Some("2"));
        let seq = s.documents[1].root.as_ref().unwrap().as_seq().unwrap();
        assert_eq!(&text[seq[0].span.clone()], "x");
        assert_eq!(seq[2].get("b").unwrap().as_str(), Some("c"));
    }

    #[test]
    fn recovers_after_a_broken_document() {
        let s = parse_stream("a: [\n---\nb: 1\n");
        assert_eq!(s.errors.len(), 1);
        assert!(
            s.documents
                .iter()
                .any(|d| d.root.as_ref().and_then(|r| r.get("b")).is_some())
        );
    }

    #[test]
    fn a_split_parse_is_the_same_parse() {
        // items that end in every way a node can end, some reaching across lines
        let valid = [
            "- rolearn: arn:aws:iam::1:role/a\n  username: a:{{SessionName}}\n  groups:\n    - g\n    - h\n",
            "- {rolearn: x, groups: [a, b]}\n",
            "- [a, b]\n",
            "- rolearn: x\n  groups: [a, b]\n",
            "- rolearn: x\n  groups: {a: b}\n",
            "- rolearn: 'multi\n\n  line'\n",
            "- \"dq\n  x\"\n",
            "- a\n  b\n",
            "- a\n- b\n",
            "# comment\n",
            "\n",
            "  # indented comment\n",
            "- - nested\n  - x\n",
            "- k:\n  - v\n  - w\n",
            "- k:\n    - v\n",
            "- ''\n",
            "-\n",
            "- \n",
            "- k: v # c\n",
            "- x: [a,\n  b]\n",
            "- 'a'\n",
            "- k:\n  v\n",
            "-  k: v\n   j: w\n",
            "- [\n  a,\n  b\n  ]\n",
            "- {a: 1,\n  b: 2}\n",
            "- x\n\r\n",
            "- y\r\n",
            "- é: ü\n",
        ];
        // lines that look like items inside a quoted scalar or a flow collection, broken
        // documents, block scalars
        let tricky = [
            "- 'a\n- b'\n",
            "- \"a\n- b\"\n",
            "- [a,\n- b]\n",
            "- {a: 1,\n- b: 2}\n",
            "- k: 'a\n\n- b'\n",
            "- x: [a,\n",
            "- x: 'open\n",
            "- x: \"open\n",
            "- k: v\n k2: v\n",
            "- k: v\n   k2: v\n",
            "- k: v\n  - x\n",
            "k: v\n",
            "- |\n  text\n\n",
            "- |+\n  kept\n\n\n",
            "- >-\n  folded\n  more\n",
            "- k: |\n    lit\n  j: >\n    folded\n\n",
            // plain scalars continued at and just past the sequence's column
            "- a\nb\n",
            "- k: a\nb\n",
            "- k: a\n b\n",
            "- k: a\n - b\n",
            "- - a\n - b\n",
            "- # comment\n",
            "- \"a\\\n- b\"\n",
            // a lone CR is a line break too: a document marker after one ends the document
            "- a\r---\r- b\n",
            "- a\r...\r- b\n",
            "# c\r- a\n",
        ];
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            usize::try_from(seed % n as u64).unwrap_or(0)
        };
        let mut split = [0; 3];
        for case in 0..9000 {
            let indent = ["", "  ", " "][case % 3];
            let group = case / 3 % 3;
            let mut text = String::new();
            for _ in 0..2 + next(8) {
                let item = match group {
                    0 => valid[next(5)],
                    1 => valid[next(valid.len())],
                    _ if next(4) == 0 => tricky[next(tricky.len())],
                    _ => valid[next(valid.len())],
                };
                for line in item.split_inclusive('\n') {
                    text.push_str(indent);
                    text.push_str(line);
                }
            }
            if next(4) == 0 {
                text.truncate(text.trim_end().len());
            }
            let whole = parse(&text, 1);
            let halves = parse_first_split(&text, 0, 0);
            assert_eq!(format!("{whole:?}"), format!("{halves:?}"), "{text:?}");
            if let Some(at) = split_point(&text) {
                let mut tail = parse(&text[at..], 1);
                for doc in &mut tail.documents {
                    if let Some(root) = &mut doc.root {
                        shift(root, at);
                    }
                }
                let head = parse(&text[..at], 1);
                split[group] += usize::from(join_halves(&text, head, tail).is_some());
            }
        }
        // every group exercises the split
        assert!(split.iter().all(|&n| n > 300), "{split:?} split parses");
    }

    #[test]
    fn first_document_only() {
        assert!(parse_first("- a\n---\n- [\n").is_ok());
        assert!(parse_first("- [\n").is_err());
    }

    #[test]
    fn yaml_v2_decides_what_parses() {
        // yaml.v2 reads nothing after the first document's content
        let root = parse_first("- a\n... trailing\n").ok().flatten();
        assert_eq!(
            root.as_ref().and_then(Node::as_seq).map(<[Node]>::len),
            Some(1)
        );
        assert!(parse_first("&x\t]").is_ok());
        // what YAML 1.2 allows and yaml.v2 refuses
        for text in [
            "...\n",
            "%FOO bar\n---\n- a\n",
            "- a: {{b}}{{c}}\n",
            "- a\u{1}\n",
        ] {
            assert!(parse_first(text).is_err(), "{text:?}");
        }
        // a line separator keeps the next line's column: `b` is a key of the item
        let root = parse_first("- a: x\u{2029}  b: y\n").ok().flatten();
        let item = root.as_ref().and_then(Node::as_seq).and_then(|s| s.first());
        assert_eq!(
            item.and_then(|i| i.get("b")).and_then(Node::as_str),
            Some("y")
        );
    }
}
