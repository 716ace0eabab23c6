//! A small lossless YAML tree with byte spans, built from `granit-parser` events.
//!
//! Mappings keep every key in source order (duplicates included) so that rules can see what the
//! authenticator's non-strict decoder silently overwrites. Aliases share the anchored node. The
//! yaml.v2 (YAML 1.1) meaning of scalars lives in [`resolve`]; mapping inner positions of an
//! embedded document back to the outer file lives in [`scalar_map`].

mod build;
pub mod resolve;
pub mod scalar_map;
mod split;
pub mod v2_error;
mod v2_quirks;

use build::parse;
use split::{SPLIT_AGAIN, SPLIT_MIN, parse_first_split};
pub use v2_quirks::v2_line_breaks;
use v2_quirks::{blank_glued_comments, v2_scan_errors};

use std::sync::Arc as Rc;

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

#[cfg(test)]
mod tests {
    use super::split::{join_halves, split_point};
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
