//! Building the tree from `granit-parser` events: one pass, children of open collections on a
//! shared stack, aliases sharing the anchored node, and one syntax error per broken document.

use std::collections::HashMap;
use std::sync::Arc as Rc;

use granit_parser::{Event, Parser, ScalarStyle};

use super::{Document, Node, NodeKind, Stream, Style, SyntaxError};
use crate::source::Span;

/// Parser settings shared by the outer and the nested parse.
pub(super) fn options() -> granit_parser::Options {
    granit_parser::options! {
        // libyaml (and so Go's yaml.v2) adds no line feed to a block scalar ending at EOF
        block_scalar_eof_without_line_feed: true,
        emit_comments: false,
    }
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

pub(super) fn parse(text: &str, max_docs: usize) -> Stream {
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
                let node = scalar(value.into_owned(), style, start..end, tag.as_deref());
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
                let Some(frame) = stack.pop() else {
                    continue;
                };
                let anchor = frame.anchor;
                let node = close(frame, &mut pending, text, end);
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

/// A scalar node of the style the parser reports.
fn scalar(value: String, style: ScalarStyle, span: Span, tag: Option<&granit_parser::Tag>) -> Node {
    let style = match style {
        ScalarStyle::Plain => Style::Plain,
        ScalarStyle::SingleQuoted => Style::SingleQuoted,
        ScalarStyle::DoubleQuoted => Style::DoubleQuoted,
        ScalarStyle::Literal => Style::Literal,
        ScalarStyle::Folded => Style::Folded,
    };
    Node {
        kind: NodeKind::Scalar { value, style },
        span,
        tag: tag_string(tag),
    }
}

/// The collection `frame` opened, its children taken off the shared stack; `end` is where the
/// parser's closing event ends.
fn close(frame: Frame, pending: &mut Vec<Node>, text: &str, end: usize) -> Node {
    let Frame {
        map,
        start,
        anchor: _,
        tag,
        base,
    } = frame;
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
    Node {
        kind,
        span: start..end,
        tag,
    }
}
