//! Parsing a long block sequence in pieces on both cores: the nested document of a 5,000-entry
//! aws-auth is most of a lint's work. The pieces join into the tree one parse would build.

use super::build::parse;
use super::{Node, NodeKind, Stream, shift};

/// Documents at least this long are parsed in pieces at once when [`split_point`] finds a safe
/// place to cut: the nested document of a 5,000-entry aws-auth is most of a lint's work.
pub(super) const SPLIT_MIN: usize = 64 * 1024;

/// Pieces at least this long are cut again: pieces of 64 to 128 KB keep both threads busy
/// when one of them runs late.
pub(super) const SPLIT_AGAIN: usize = 128 * 1024;

/// `parse(text, 1)`, in pieces on the thread pool when `text` (at least `min` bytes) is a block
/// sequence that can be cut between two of its items; halves of at least `again` bytes are cut
/// again. The result is the same either way.
pub(super) fn parse_first_split(text: &str, min: usize, again: usize) -> Stream {
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
pub(super) fn split_point(text: &str) -> Option<usize> {
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

/// The two halves as one stream (the tail's spans already shifted to offsets in `text`), when
/// each parsed without error into one document whose root is a block sequence starting where
/// [`split_point`] expects it.
pub(super) fn join_halves(text: &str, mut head: Stream, mut tail: Stream) -> Option<Stream> {
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
