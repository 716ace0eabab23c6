//! Re-reading a section that does not parse. The authenticator drops such a section whole, so
//! every mapping written in it is lost, also those after the error point; to say which (and
//! which node roles go with them), the section is cut into its items and each item is read on
//! its own. An item that parses alone is decoded as the authenticator would have decoded it; an
//! item that does not is read line by line (and flow collections token by token) for its ARN,
//! username and groups.

use super::decode::decode_entry;
use super::yaml_v2::{Budget, lenient_item};
use crate::model::{Account, Entry, Field, Section, SectionKind, Status};
use crate::source::Span;
use crate::yaml;

/// The entries written in a `mapRoles`/`mapUsers` section that does not parse, all lost.
pub(super) fn lost_entries(section: &Section) -> Vec<Entry> {
    let text = section.text.as_str();
    let mut out = Vec::new();
    for range in item_ranges(text) {
        let item = &text[range.clone()];
        // an item with an anchor is sketched: its aliases' spans could not be moved
        let parsed = (!item.contains('&'))
            .then(|| yaml::parse_first(item).ok().flatten())
            .flatten()
            .filter(|root| root.as_seq().is_some_and(|items| !items.is_empty()));
        match parsed {
            Some(mut root) => {
                yaml::shift(&mut root, range.start);
                for item in root.as_seq().unwrap_or_default() {
                    let mut budget = Budget::display();
                    let val = lenient_item(item, &mut budget);
                    // what a lost item tolerates is not reported
                    let mut entry = decode_entry(section, &mut Vec::new(), out.len(), &val, item);
                    entry.status = Status::Lost(String::new());
                    out.push(entry);
                }
            }
            None => {
                for sketch in sketch(text, range) {
                    out.push(sketch.into_entry(section, out.len()));
                }
            }
        }
    }
    out
}

/// The accounts written in a `mapAccounts` section that does not parse (not stored).
pub(super) fn lost_accounts(section: &Section) -> Vec<Account> {
    let text = section.text.as_str();
    let mut out = Vec::new();
    let ranges = item_ranges(text);
    let values: Vec<(String, Span)> = if ranges.is_empty() {
        // `[111122223333, "444455556666"]`
        let open = text.find('[').map_or(0, |i| i + 1);
        let close = text[open..].find(']').map_or(text.len(), |i| open + i);
        let mut values = Vec::new();
        let mut at = open;
        for part in text[open..close].split(',') {
            if let Some(v) = scalar_at(text, at, at + part.len(), true) {
                values.push(v);
            }
            at += part.len() + 1;
        }
        values
    } else {
        ranges
            .into_iter()
            .filter_map(|r| {
                let line_end = text[r.start..r.end]
                    .find('\n')
                    .map_or(r.end, |i| r.start + i);
                let dash = r.start + text[r.start..line_end].find('-')? + 1;
                // a nested collection is not an account (yaml.v2 skips it too)
                if text[dash..line_end].trim_start().starts_with(['[', '{']) {
                    return None;
                }
                scalar_at(text, dash, line_end, false)
            })
            .collect()
    };
    for (value, span) in values {
        out.push(Account {
            value,
            span: section.outer(&span),
            stored: false,
        });
    }
    out
}

/// The number of leading spaces and tabs of a line.
fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches([' ', '\t']).len()
}

/// Whether a line (without its indentation) opens a block sequence item.
fn is_dash(content: &str) -> bool {
    content.starts_with("- ")
        || content.starts_with("-\t")
        || matches!(content.trim_end_matches(['\r', '\n']), "-")
}

/// The byte ranges of the top-level items of a block sequence, found line by line: an item runs
/// from its `- ` line to the next `- ` line at its indentation or less. Empty when the text has
/// no block sequence items (a flow collection, or no list at all).
fn item_ranges(text: &str) -> Vec<Span> {
    let mut starts = Vec::new();
    let mut top: Option<usize> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let content = &line[indent(line)..];
        if is_dash(content) && top.is_none_or(|t| indent(line) <= t) {
            top.get_or_insert(indent(line));
            starts.push(offset);
        }
        offset += line.len();
    }
    let mut out = Vec::with_capacity(starts.len());
    for (i, &start) in starts.iter().enumerate() {
        out.push(start..starts.get(i + 1).copied().unwrap_or(text.len()));
    }
    out
}

/// What an item that does not parse holds, as far as its text tells.
#[derive(Debug, Default)]
struct Sketch {
    /// The inner span of the item's first line (or of its ARN).
    span: Span,
    arn: Option<(String, Span)>,
    username: Option<(String, Span)>,
    groups: Vec<(String, Span)>,
}

impl Sketch {
    fn into_entry(self, section: &Section, index: usize) -> Entry {
        let field = |(value, span): (String, Span)| Field {
            value,
            span: section.outer(&span),
        };
        Entry {
            section: section.kind,
            index,
            span: section.outer(&self.span),
            arn: self.arn.map(field),
            sso: None,
            username: self.username.map(field),
            groups: self.groups.into_iter().map(field).collect(),
            status: Status::Lost(String::new()),
            note: None,
            service: None,
        }
    }
}

/// The fields the authenticator reads, as they are named in an entry (any case).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    Arn,
    Username,
    Groups,
}

fn key_of(name: &str) -> Option<Key> {
    let name = name.trim().trim_matches(['"', '\'']);
    if ["rolearn", "userarn", "arn"]
        .iter()
        .any(|k| k.eq_ignore_ascii_case(name))
    {
        Some(Key::Arn)
    } else if name.eq_ignore_ascii_case("username") {
        Some(Key::Username)
    } else if name.eq_ignore_ascii_case("groups") {
        Some(Key::Groups)
    } else {
        None
    }
}

/// A scalar written in `text[start..end]`: trimmed, a trailing comment and surrounding quotes
/// removed; `None` when empty. In flow context a plain scalar also ends at `,`, `]` and `}`.
fn scalar_at(text: &str, start: usize, end: usize, flow: bool) -> Option<(String, Span)> {
    let raw = text.get(start..end)?;
    let lead = raw.len() - raw.trim_start().len();
    let body = &raw[lead..];
    let (inner_start, len) = if let q @ ('"' | '\'') = body.chars().next()? {
        // an unclosed quote runs to the end of the line
        let close = body[1..]
            .find(q)
            .or_else(|| body[1..].find(['\r', '\n']))
            .unwrap_or(body.len() - 1);
        (1, close)
    } else {
        // up to the first line break, comment (` #`) or, in flow, `,` `]` `}`: one pass that
        // stops there (not a search of the rest of a long line for each)
        let b = body.as_bytes();
        let len = b
            .iter()
            .enumerate()
            .find_map(|(i, &c)| match c {
                b'\r' | b'\n' => Some(i),
                b',' | b']' | b'}' if flow => Some(i),
                b'#' if i > 0 && matches!(b[i - 1], b' ' | b'\t') => Some(i - 1),
                _ => None,
            })
            .unwrap_or(b.len());
        (0, body[..len].trim_end().len())
    };
    let value = body.get(inner_start..inner_start + len)?;
    if value.is_empty() {
        return None;
    }
    let at = start + lead + inner_start;
    Some((value.to_owned(), at..at + value.len()))
}

/// The items of a `[a, "b", c]` flow sequence starting at `open` (the `[`), each with its span,
/// up to the closing bracket or the end of the line.
fn flow_items(text: &str, open: usize) -> Vec<(String, Span)> {
    let rest = &text[open + 1..];
    let end = rest.find([']', '\n']).map_or(text.len(), |i| open + 1 + i);
    let mut out = Vec::new();
    let mut at = open + 1;
    for part in text[open + 1..end].split(',') {
        out.extend(scalar_at(text, at, at + part.len(), true));
        at += part.len() + 1;
    }
    out
}

/// Reads one item (or a whole flow section) that does not parse: every `key:` the authenticator
/// knows, in block or flow style. A second ARN in one item starts another sketch (a missing
/// `- `); a flow item `{...}` ends at its closing brace.
fn sketch(text: &str, range: Span) -> Vec<Sketch> {
    let first_line_end = text[range.clone()]
        .find('\n')
        .map_or(range.end, |i| range.start + i);
    let item_span = range.start + indent(&text[range.start..first_line_end])..first_line_end;
    let item_indent = indent(&text[range.start..first_line_end]);
    let mut sketcher = Sketcher {
        text,
        item_start: range.start,
        item_indent,
        out: Vec::new(),
        current: Sketch {
            span: item_span,
            ..Sketch::default()
        },
        groups_block: None,
    };
    let mut offset = range.start;
    for line in text[range].split_inclusive('\n') {
        let line_start = offset;
        offset += line.len();
        sketcher.line(line_start, line);
    }
    let Sketcher {
        mut out, current, ..
    } = sketcher;
    if current.arn.is_some() || out.is_empty() {
        out.push(current);
    }
    out.retain(|s| s.arn.is_some());
    out
}

/// The sketches of one item being read, line by line.
struct Sketcher<'t> {
    /// The section's text.
    text: &'t str,
    /// Where the item starts.
    item_start: usize,
    /// The indentation of its first line.
    item_indent: usize,
    /// The sketches done (an item with a second ARN has several).
    out: Vec<Sketch>,
    /// The sketch being read.
    current: Sketch,
    /// Groups written as `- x` lines under a `groups:` key: the indentation of that key.
    groups_block: Option<usize>,
}

/// A key found on a line ([`key_at`]), or where to look for the next one.
enum KeyAt {
    /// A key ends at `end`, its `:` at `colon`.
    Key { end: usize, colon: usize },
    /// Not a key: look again from here.
    Next(usize),
    /// No more keys on the line.
    Stop,
}

/// Whether a key starts at byte `i` of a line's content: a quoted string or a run of name
/// characters, then `:`.
fn key_at(content: &str, i: usize) -> KeyAt {
    let bytes = content.as_bytes();
    let key_start = i;
    let key_end = match bytes[i] {
        q @ (b'"' | b'\'') => match content[i + 1..].find(q as char) {
            Some(j) => i + 1 + j + 1,
            None => return KeyAt::Stop,
        },
        b if b.is_ascii_alphanumeric() || b == b'_' => {
            let n = content[i..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(content.len() - i);
            i + n
        }
        _ => return KeyAt::Next(i + content[i..].chars().next().map_or(1, char::len_utf8)),
    };
    let after = content[key_end..].trim_start_matches([' ', '\t']);
    let colon = key_end + (content.len() - key_end - after.len());
    let is_key = after.starts_with(':')
        && (bytes[key_start] == b'"'
            || bytes[key_start] == b'\''
            || after[1..].is_empty()
            || after[1..].starts_with([' ', '\t', '\r', '\n']));
    if is_key {
        KeyAt::Key {
            end: key_end,
            colon,
        }
    } else {
        KeyAt::Next(key_end.max(key_start + 1))
    }
}

/// A key's value as a sketch reads it.
struct Value<'t> {
    /// Its text, to the line's end, leading blanks trimmed.
    text: &'t str,
    /// Where it starts in the section's text.
    start: usize,
    /// Where its line ends.
    line_end: usize,
    /// Whether it is in a flow mapping.
    flow: bool,
}

impl Sketcher<'_> {
    /// Reads one line of the item, starting at `line_start`.
    fn line(&mut self, line_start: usize, line: &str) {
        let text = self.text;
        let ind = indent(line);
        let mut content = &line[ind..];
        let mut at = line_start + ind;
        if let Some(block) = self.groups_block {
            if is_dash(content) && (ind > block || (ind == block && line_start > self.item_start)) {
                if let Some(g) = scalar_at(text, at + 1, line_start + line.len(), false) {
                    self.current.groups.push(g);
                }
                return;
            }
            self.groups_block = None;
        }
        // `- ` markers before the first key (`- - x` is not an entry, but costs nothing)
        while is_dash(content) {
            content = &content[1..];
            let skip = content.len() - content.trim_start_matches([' ', '\t']).len();
            content = &content[skip..];
            at += 1 + skip;
        }
        if content.starts_with('#') {
            return;
        }
        // a bare ARN where `rolearn: ` was forgotten (`- arn:aws:iam::...:user/ci`)
        if content
            .get(..4)
            .is_some_and(|p| p.eq_ignore_ascii_case("arn:"))
            && !content[4..].starts_with([' ', '\t', '\r', '\n'])
            && self.current.arn.is_none()
        {
            self.current.arn = scalar_at(text, at, line_start + line.len(), false);
            return;
        }
        self.keys(content, at, line_start + line.len(), ind);
    }

    /// Reads every `key: value` of a line's content (several in a flow mapping); `at` is where
    /// the content starts, `ind` the line's indentation.
    fn keys(&mut self, content: &str, at: usize, line_end: usize, ind: usize) {
        let bytes = content.as_bytes();
        let mut i = 0;
        // whether a `{` comes before the current key: looked for only in what is new since the
        // last key (a flow line of many keys is read once)
        let (mut brace, mut brace_seen_to) = (false, 0);
        while i < bytes.len() {
            let key_start = i;
            let (key_end, colon) = match key_at(content, i) {
                KeyAt::Key { end, colon } => (end, colon),
                KeyAt::Next(next) => {
                    i = next;
                    continue;
                }
                KeyAt::Stop => break,
            };
            let value_start = colon + 1;
            if !brace && brace_seen_to < key_start {
                brace = memchr::memchr(b'{', &bytes[brace_seen_to..key_start]).is_some();
                brace_seen_to = key_start;
            }
            let flow = brace;
            let value_text = content[value_start..].trim_start_matches([' ', '\t']);
            let value_at = value_start + (content.len() - value_start - value_text.len());
            if let Some(key) = key_of(&content[key_start..key_end]) {
                let value = Value {
                    text: value_text,
                    start: at + value_at,
                    line_end,
                    flow,
                };
                self.set(key, &value, at + key_start..at + key_end, ind);
            }
            // the rest of a block line is the value; in a flow mapping, the next key follows a
            // `,` (a list value is skipped whole)
            if !flow {
                break;
            }
            let rest = &content[value_at..];
            let skip = if rest.starts_with('[') {
                rest.find(']').map_or(rest.len(), |j| j + 1)
            } else if rest.starts_with(['"', '\'']) {
                let q = rest.as_bytes()[0] as char;
                rest[1..].find(q).map_or(rest.len(), |j| j + 2)
            } else {
                0
            };
            let next = rest[skip..].find(',').map_or(rest.len(), |j| skip + j + 1);
            i = value_at + next;
        }
    }

    /// Takes the value of a key the authenticator reads (written at `key_span`, on a line
    /// indented by `ind`).
    fn set(&mut self, key: Key, value: &Value<'_>, key_span: Span, ind: usize) {
        let text = self.text;
        let current = &mut self.current;
        match key {
            Key::Arn => {
                if current.arn.is_some() {
                    self.out.push(std::mem::take(current));
                }
                let v = scalar_at(text, value.start, value.line_end, value.flow);
                if current.span.is_empty() {
                    current.span = v.as_ref().map_or(key_span, |(_, s)| s.clone());
                }
                current.arn = v;
            }
            Key::Username => {
                current.username = scalar_at(text, value.start, value.line_end, value.flow);
            }
            Key::Groups => {
                if value.text.starts_with('[') {
                    current.groups = flow_items(text, value.start);
                } else if value.text.trim_end().is_empty() && !value.flow {
                    current.groups.clear();
                    self.groups_block = Some(ind.max(self.item_indent));
                } else {
                    current
                        .groups
                        .extend(scalar_at(text, value.start, value.line_end, value.flow));
                }
            }
        }
    }
}

/// The flow-style fallback for a whole section with no block items (`[{"rolearn": ...}, ...]`):
/// each `{` at the top level opens an entry that runs to its closing brace.
pub(super) fn lost_flow_entries(section: &Section) -> Vec<Entry> {
    let text = section.text.as_str();
    let mut out = Vec::new();
    for range in flow_objects(text) {
        for s in sketch(text, range) {
            out.push(s.into_entry(section, out.len()));
        }
    }
    out
}

/// The ranges of the mappings of a flow sequence of mappings, by brace depth outside quotes; an
/// unclosed mapping runs to the next one or to the end.
fn flow_objects(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = None;
    let mut quote: Option<u8> = None;
    for (i, b) in text.bytes().enumerate() {
        match (quote, b) {
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'{') => {
                if depth == 0 {
                    if let Some(s) = start.take() {
                        out.push(s..i);
                    }
                    start = Some(i);
                }
                depth += 1;
            }
            (None, b'}') if depth > 0 => {
                depth -= 1;
                if depth == 0
                    && let Some(s) = start.take()
                {
                    out.push(s..i + 1);
                }
            }
            (None, b'\n') => quote = None,
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(s..text.len());
    }
    out
}

/// Which entries a lost section had: re-read item by item, or as a flow collection.
pub(super) fn lost(section: &Section) -> Vec<Entry> {
    debug_assert!(section.kind != SectionKind::MapAccounts);
    let entries = lost_entries(section);
    if entries.is_empty() {
        lost_flow_entries(section)
    } else {
        entries
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arns(entries: &[Sketch]) -> Vec<&str> {
        entries
            .iter()
            .filter_map(|s| s.arn.as_ref().map(|a| a.0.as_str()))
            .collect()
    }

    #[test]
    fn items_are_cut_at_top_level_dashes() {
        let text = "# c\n- a: 1\n  b:\n  - x\n- c: 2\n";
        let r = item_ranges(text);
        assert_eq!(
            r.iter().map(|r| &text[r.clone()]).collect::<Vec<_>>(),
            ["- a: 1\n  b:\n  - x\n", "- c: 2\n"]
        );
    }

    #[test]
    fn sketches_block_lines() {
        let text = "- \"groups\":\n  - \"system:nodes\"\n  \"rolearn\": \"arn:aws:iam::1:role/n\"\n\t\"username\": \"system:node:{{EC2PrivateDNSName}}\"\n";
        let s = sketch(text, 0..text.len());
        assert_eq!(arns(&s), ["arn:aws:iam::1:role/n"]);
        assert_eq!(
            s[0].groups.iter().map(|g| g.0.as_str()).collect::<Vec<_>>(),
            ["system:nodes"]
        );
        assert_eq!(
            s[0].username.as_ref().map(|u| u.0.as_str()),
            Some("system:node:{{EC2PrivateDNSName}}")
        );
        for (v, span) in s[0].groups.iter().chain(&s[0].arn).chain(&s[0].username) {
            assert_eq!(&text[span.clone()], v);
        }
    }

    #[test]
    fn sketches_flow_mappings() {
        let text = "[{\"groups\": [\"system:nodes\", x], \"rolearn\": \"arn:aws:iam::1:role/n\"},\n {rolearn: arn:aws:iam::1:role/x, username: [}]";
        let objects = flow_objects(text);
        assert_eq!(objects.len(), 2);
        let s: Vec<Sketch> = objects.into_iter().flat_map(|r| sketch(text, r)).collect();
        assert_eq!(arns(&s), ["arn:aws:iam::1:role/n", "arn:aws:iam::1:role/x"]);
        assert_eq!(
            s[0].groups.iter().map(|g| g.0.as_str()).collect::<Vec<_>>(),
            ["system:nodes", "x"]
        );
    }

    #[test]
    fn a_second_arn_starts_another_mapping() {
        let text = "- rolearn: a\n  username: x\n rolearn: b\n  username: y\n";
        let s = sketch(text, 0..text.len());
        assert_eq!(arns(&s), ["a", "b"]);
        assert_eq!(s[1].username.as_ref().map(|u| u.0.as_str()), Some("y"));
    }

    #[test]
    fn multi_byte_text_is_cut_on_characters() {
        for text in [
            "- é: ü\n  rolearn: \"é",
            "- rolearn: 'é\n",
            "[{rolearn: é, groups: [é",
            "- groups:\n  - é #ü\n  rolearn: x é",
        ] {
            let _ = sketch(text, 0..text.len());
            let _ = flow_objects(text);
        }
    }
}
