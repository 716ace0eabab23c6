//! Maps byte offsets inside a scalar's decoded value back to the outer file.
//!
//! `mapRoles: |` holds a YAML document inside a string. Positions found while parsing that
//! document are offsets into the *decoded* string; users need the outer file's line and column.
//! The map is a table of segments, each a run of characters copied verbatim from the source.
//! It is built by aligning the decoded value with the source text: verbatim for literal,
//! folded and plain scalars (their content is never escaped), and with a small decoder for
//! quoted scalars (escapes, `''`, line folding). When alignment fails the map is *coarse*:
//! every position maps to the start of the value, so no arrow ever points at the wrong text.

use super::Style;
use crate::source::Span;

/// Inner-to-outer offset table for one scalar.
#[derive(Debug, Clone)]
pub struct ScalarMap {
    /// `(inner_offset, outer_offset)` at the start of every verbatim run, sorted.
    segments: Vec<(usize, usize)>,
    /// For long maps (a block scalar has a run per line): for every `BUCKET` inner bytes, the
    /// number of segments starting at or before the bucket's start, so that a lookup searches
    /// only the segments of one bucket.
    index: Vec<u32>,
    /// Where coarse positions point: the start of the value in the outer file.
    start: usize,
    /// Where the value ends in the outer file: no position maps past it (an inner span that
    /// ends with the value would otherwise reach one byte further, past the end of the file).
    end: usize,
    /// Whether every inner position maps to its exact outer position.
    exact: bool,
    /// For a value that was produced rather than written (a Terraform `yamlencode`, a heredoc
    /// with interpolations): its runs, used instead of `segments`.
    runs: Option<Box<[Run]>>,
}

/// A run of a produced value ([`ScalarMap::from_runs`]): inner bytes from `inner` up to the next
/// run's start came from `outer..outer_end` in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// Where the run starts in the value.
    pub inner: usize,
    /// Where it was written in the file.
    pub outer: usize,
    /// Where what it was written as ends in the file.
    pub outer_end: usize,
    /// Whether the run is the file's text byte for byte (else every offset in it maps to
    /// `outer`, and a span ending in it ends at `outer_end`).
    pub verbatim: bool,
}

impl ScalarMap {
    /// Builds the map for a scalar node of `style` spanning `span` in `src`, whose decoded
    /// value is `value`.
    pub fn new(src: &str, span: &Span, style: Style, value: &str) -> Self {
        let start = span.start.min(src.len());
        let end = span.end.clamp(start, src.len());
        let segments = match style {
            Style::Plain => align(src, start, end, value, true),
            Style::Literal => align(src, block_content_start(src, start), end, value, false),
            Style::Folded => align(src, block_content_start(src, start), end, value, true),
            Style::SingleQuoted | Style::DoubleQuoted => {
                decode_quoted(src, start, end, style, value)
            }
        };
        match segments {
            Some(segments) => Self {
                index: bucket_index(&segments),
                segments,
                start,
                end,
                exact: true,
                runs: None,
            },
            None => Self {
                segments: Vec::new(),
                index: Vec::new(),
                start,
                end,
                exact: false,
                runs: None,
            },
        }
    }

    /// The map of a value produced from several places of the file (`span`: the whole
    /// expression, where positions no run covers point). Runs must be sorted by `inner`.
    pub fn from_runs(span: &Span, mut runs: Vec<Run>) -> Self {
        runs.sort_by_key(|r| r.inner);
        Self {
            segments: Vec::new(),
            index: Vec::new(),
            start: span.start,
            end: span.end.max(span.start),
            exact: true,
            runs: Some(runs.into_boxed_slice()),
        }
    }

    /// The run covering inner offset `inner`.
    fn run(&self, inner: usize) -> Option<&Run> {
        let runs = self.runs.as_deref()?;
        let i = runs.partition_point(|r| r.inner <= inner);
        i.checked_sub(1).map(|i| &runs[i])
    }

    /// Whether positions are exact (otherwise they all point at the start of the value).
    pub fn is_exact(&self) -> bool {
        self.exact
    }

    /// The outer byte offset of an inner byte offset.
    pub fn outer(&self, inner: usize) -> usize {
        if !self.exact {
            return self.start;
        }
        if self.runs.is_some() {
            return match self.run(inner) {
                Some(r) if r.verbatim => (r.outer + (inner - r.inner)).min(r.outer_end),
                Some(r) => r.outer,
                None => self.start,
            };
        }
        let i = match (
            self.index.get(inner / BUCKET),
            self.index.get(inner / BUCKET + 1),
        ) {
            // every segment up to `lo` starts at or before `inner`, none from `hi` on does
            (Some(&lo), Some(&hi)) => {
                let (lo, hi) = (lo as usize, hi as usize);
                lo + self.segments[lo..hi].partition_point(|&(s, _)| s <= inner)
            }
            _ => self.segments.partition_point(|&(s, _)| s <= inner),
        };
        match i.checked_sub(1).and_then(|i| self.segments.get(i)) {
            Some(&(s, o)) => (o + (inner - s)).min(self.end),
            None => self.start,
        }
    }

    /// The outer span of an inner span.
    pub fn outer_span(&self, inner: &Span) -> Span {
        let start = self.outer(inner.start);
        if self.runs.is_some() {
            let end = match self.run(inner.end.saturating_sub(1).max(inner.start)) {
                Some(r) if r.verbatim => {
                    let last = inner.end.saturating_sub(1).max(inner.start);
                    (r.outer + (last - r.inner) + 1).min(r.outer_end)
                }
                Some(r) => r.outer_end,
                None => self.end,
            };
            return start..end.max(start);
        }
        let end = if inner.end > inner.start {
            (self.outer(inner.end - 1) + 1).min(self.end)
        } else {
            start
        };
        start..end.max(start)
    }
}

/// Inner bytes per entry of [`ScalarMap::index`].
const BUCKET: usize = 64;

/// The bucket index of a long segment table (empty for short ones: a plain search is as fast).
fn bucket_index(segments: &[(usize, usize)]) -> Vec<u32> {
    let Some(&(last, _)) = segments.last() else {
        return Vec::new();
    };
    if segments.len() < 256 || u32::try_from(segments.len()).is_err() {
        return Vec::new();
    }
    let mut index = Vec::with_capacity(last / BUCKET + 2);
    let mut n = 0;
    for b in 0..=last / BUCKET + 1 {
        while n < segments.len() && segments[n].0 <= b * BUCKET {
            n += 1;
        }
        // at most `segments.len()`, which fits (checked above)
        #[allow(clippy::cast_possible_truncation)]
        index.push(n as u32);
    }
    index
}

/// A block scalar's span starts at its first content character, or at its properties; content
/// starts on the line after the header (`|`, `>-`, `|2`, ...).
fn block_content_start(src: &str, start: usize) -> usize {
    let bytes = src.as_bytes();
    // a span starting on the header line itself (anchor or tag before `|`): skip that line
    let line_start = src[..start].rfind('\n').map_or(0, |i| i + 1);
    if src[line_start..start].trim_matches([' ', '\t']).is_empty() {
        // walk back over blank lines to the header line; content begins after it
        let mut pos = line_start;
        while pos > 0 {
            let prev_start = src[..pos - 1].rfind('\n').map_or(0, |i| i + 1);
            let line = &src[prev_start..pos - 1];
            if line.trim_matches([' ', '\t', '\r']).is_empty() {
                pos = prev_start;
            } else {
                return pos;
            }
        }
        pos
    } else {
        memchr::memchr(b'\n', &bytes[start..]).map_or(src.len(), |i| start + i + 1)
    }
}

/// Aligns `value` with `src[from..to]`, where every character of `value` appears verbatim in
/// order. With `fold`, a space of the value may stand for a folded line break.
fn align(
    src: &str,
    from: usize,
    to: usize,
    value: &str,
    fold: bool,
) -> Option<Vec<(usize, usize)>> {
    let mut segments = Vec::new();
    let mut j = from;
    let mut next_expected = usize::MAX;
    let mut i = 0;
    while let Some(c) = value[i..].chars().next() {
        let sc = loop {
            let sc = src.get(j..to)?.chars().next()?;
            if sc == c || (fold && c == ' ' && sc == '\n') {
                break sc;
            }
            j += sc.len_utf8();
        };
        if j != next_expected {
            segments.push((i, j));
        }
        i += c.len_utf8();
        j += sc.len_utf8();
        // the run that follows verbatim: every character in it matches at once, so it adds no
        // segment (compared as bytes, cut back to a character boundary)
        let same = common_prefix(&value.as_bytes()[i..], &src.as_bytes()[j..to]);
        let mut run = same;
        while !value.is_char_boundary(i + run) {
            run -= 1;
        }
        i += run;
        j += run;
        next_expected = j;
    }
    segments.push((value.len(), j));
    Some(segments)
}

/// The length of the longest common prefix of two byte strings.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    const CHUNK: usize = 16;
    let n = a.len().min(b.len());
    let mut k = 0;
    while k + CHUNK <= n && a[k..k + CHUNK] == b[k..k + CHUNK] {
        k += CHUNK;
    }
    while k < n && a[k] == b[k] {
        k += 1;
    }
    k
}

/// Decodes a quoted scalar from the source, recording where every decoded character came
/// from, and checks the result against the parser's value.
fn decode_quoted(
    src: &str,
    start: usize,
    end: usize,
    style: Style,
    value: &str,
) -> Option<Vec<(usize, usize)>> {
    let quote = if style == Style::DoubleQuoted {
        '"'
    } else {
        '\''
    };
    let body = src.get(start..end)?;
    let mut chars = body.char_indices().peekable();
    if chars.next()?.1 != quote {
        return None;
    }
    let mut out = String::with_capacity(value.len());
    let mut origin: Vec<(usize, usize)> = Vec::new();
    let mut push = |out: &mut String, c: char, at: usize| {
        origin.push((out.len(), start + at));
        out.push(c);
    };
    // the closing quote: where the end of the value is
    let mut close = body.len();
    while let Some((at, c)) = chars.next() {
        match c {
            c if c == quote => {
                if quote == '\'' && chars.peek().is_some_and(|&(_, n)| n == '\'') {
                    chars.next();
                    push(&mut out, '\'', at);
                    continue;
                }
                close = at;
                break;
            }
            '\\' if quote == '"' => {
                let (_, e) = chars.next()?;
                let decoded = match e {
                    '\r' | '\n' => {
                        if e == '\r' && chars.peek().is_some_and(|&(_, n)| n == '\n') {
                            chars.next();
                        }
                        while chars.peek().is_some_and(|&(_, n)| n == ' ' || n == '\t') {
                            chars.next();
                        }
                        continue;
                    }
                    'x' | 'u' | 'U' => {
                        let n = match e {
                            'x' => 2,
                            'u' => 4,
                            _ => 8,
                        };
                        let mut code = 0u32;
                        for _ in 0..n {
                            code = code * 16 + chars.next()?.1.to_digit(16)?;
                        }
                        char::from_u32(code)?
                    }
                    e => single_escape(e)?,
                };
                push(&mut out, decoded, at);
            }
            ' ' | '\t' | '\r' | '\n' => {
                // a run of blanks: kept unless a line break follows (then folded)
                let mut run = vec![(at, c)];
                while let Some(&(a, n)) = chars.peek() {
                    if matches!(n, ' ' | '\t' | '\r' | '\n') {
                        run.push((a, n));
                        chars.next();
                    } else {
                        break;
                    }
                }
                let breaks = run.iter().filter(|&&(_, c)| c == '\n').count();
                if breaks == 0 && !run.iter().any(|&(_, c)| c == '\r') {
                    for (a, c) in run {
                        push(&mut out, c, a);
                    }
                } else {
                    let first_break = run.iter().position(|&(_, c)| c == '\n' || c == '\r')?;
                    let at = run[first_break].0;
                    if breaks <= 1 {
                        push(&mut out, ' ', at);
                    } else {
                        for _ in 1..breaks {
                            push(&mut out, '\n', at);
                        }
                    }
                }
            }
            c => push(&mut out, c, at),
        }
    }
    if out != value {
        return None;
    }
    Some(verbatim_runs(&origin, &out, start + close))
}

/// The character a one-letter escape of a double-quoted scalar stands for (`\n`, `\t`, ...).
fn single_escape(e: char) -> Option<char> {
    Some(match e {
        '0' => '\0',
        'a' => '\x07',
        'b' => '\x08',
        't' | '\t' => '\t',
        'n' => '\n',
        'v' => '\x0b',
        'f' => '\x0c',
        'r' => '\r',
        'e' => '\x1b',
        ' ' => ' ',
        '"' => '"',
        '/' => '/',
        '\\' => '\\',
        'N' => '\u{85}',
        '_' => '\u{a0}',
        'L' => '\u{2028}',
        'P' => '\u{2029}',
        _ => return None,
    })
}

/// The per-character origins of the decoded `out` compressed into verbatim runs (inner offset,
/// outer offset), ending with the end of the value at `close` (the closing quote, not into the
/// last escape).
fn verbatim_runs(origin: &[(usize, usize)], out: &str, close: usize) -> Vec<(usize, usize)> {
    let mut segments: Vec<(usize, usize)> = Vec::new();
    let mut expected = usize::MAX;
    for &(inner, outer) in origin {
        if outer != expected {
            segments.push((inner, outer));
        }
        let len = out[inner..].chars().next().map_or(1, char::len_utf8);
        expected = outer + len;
    }
    segments.push((out.len(), close));
    segments
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{NodeKind, parse_stream};

    /// Parses `src`, takes the value of `key`, and checks that every inner offset of `needle`
    /// in the decoded value maps onto the same text in the outer file.
    fn check(src: &str, key: &str, needles: &[&str]) -> ScalarMap {
        let stream = parse_stream(src);
        assert!(stream.errors.is_empty(), "{:?}", stream.errors);
        let root = stream.documents[0].root.as_ref().unwrap();
        let node = root.get(key).unwrap();
        let NodeKind::Scalar { value, style } = &node.kind else {
            panic!()
        };
        let map = ScalarMap::new(src, &node.span, *style, value);
        assert!(map.is_exact(), "{style:?} not exact");
        for needle in needles {
            let inner = value.find(needle).unwrap();
            let outer = map.outer(inner);
            assert_eq!(
                &src[outer..outer + needle.len()],
                *needle,
                "{style:?} {needle}"
            );
        }
        map
    }

    #[test]
    fn literal_folded_and_explicit_indent() {
        let src = "a: |\n  - rolearn: x\n    groups:\n    - g1\nb: >\n  - rolearn: y\n    groups: [g2]\nc: |2-\n\n    z: 1\n   w\n";
        check(src, "a", &["rolearn", "g1", "groups"]);
        check(src, "b", &["y", "g2"]);
        check(src, "c", &["z: 1", "w"]);
    }

    #[test]
    fn crlf_and_unicode() {
        let src = "é: 1\r\na: |\r\n  - rolearn: x\r\n    username: zoë\r\n    groups: [g]\r\n";
        check(src, "a", &["zoë", "groups", "g]"]);
    }

    #[test]
    fn quoted_styles() {
        let src = "a: \"- rolearn: x\\n  username: \\\"u\\\"\\n  groups:\\n  - g\\u00e9\"\nb: '- rolearn: ''x''\n\n  - g'\nc: \"- userarn: a\\\n  \\ b\\tc\n  d\"\n";
        check(src, "a", &["username", "- g"]);
        check(src, "b", &["rolearn", "- g"]);
        check(src, "c", &["userarn", "b", "d"]);
    }

    #[test]
    fn the_bucket_index_finds_what_a_plain_search_finds() {
        let mut src = String::from("a: |\n");
        for i in 0..2000 {
            src.push_str(&format!(
                "  - rolearn: r{i}\n{}\n",
                " ".repeat(2 + i % 7) + "x"
            ));
        }
        let map = check(&src, "a", &["r1999", "r0"]);
        assert!(!map.index.is_empty());
        let plain = |inner: usize| {
            let i = map.segments.partition_point(|&(s, _)| s <= inner);
            i.checked_sub(1)
                .and_then(|i| map.segments.get(i))
                .map_or(map.start, |&(s, o)| (o + (inner - s)).min(map.end))
        };
        let len = map.segments.last().unwrap().0;
        for inner in 0..len + 3 * BUCKET {
            assert_eq!(map.outer(inner), plain(inner), "{inner}");
        }
    }

    #[test]
    fn coarse_when_unaligned() {
        let map = ScalarMap::new("a: b", &(3..4), Style::Plain, "zzz");
        assert!(!map.is_exact());
        assert_eq!(map.outer(2), 3);
    }
}
