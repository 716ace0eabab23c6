//! Source files: the text that was read, where it came from, and the line index that turns byte
//! offsets into 1-based lines and character columns. Positions are kept as byte offsets
//! everywhere else and converted here, at the edges.

use std::ops::Range;
use std::sync::Arc;

/// A byte range in a [`SourceFile`]'s text.
pub type Span = Range<usize>;

/// One input: a file on disk, standard input or (later) a blob at a revision.
#[derive(Debug)]
pub struct SourceFile {
    /// The name shown to users: the path as given or relative to the walked directory.
    pub name: String,
    /// The text, with a leading byte-order mark removed (it is not a visible column).
    pub text: String,
    /// Byte offset of the start of every line.
    line_starts: Vec<usize>,
    /// Characters before every `CHECKPOINT`-th byte, built on first use: columns on very long
    /// lines (a JSON manifest on one line) cost O(1) instead of O(line).
    char_checkpoints: std::sync::OnceLock<Vec<usize>>,
}

const CHECKPOINT: usize = 1024;

/// Characters in a byte slice: the bytes that do not continue a UTF-8 sequence.
fn count_chars(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b & 0xC0) != 0x80).count()
}

/// A 1-based line and column, the column counted in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, in Unicode scalar values (a tab counts as one).
    pub column: usize,
}

impl SourceFile {
    /// Builds a source file, dropping a UTF-8 byte-order mark.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Arc<Self> {
        let mut text = text.into();
        if text.starts_with('\u{feff}') {
            text.drain(..'\u{feff}'.len_utf8());
        }
        // a lone CR is a line break to YAML; as LF (same length) every offset stays valid and
        // lines are counted the way the parser counts them
        if text.contains('\r') {
            let bytes = text.as_bytes();
            let lone: Vec<usize> = memchr::memchr_iter(b'\r', bytes)
                .filter(|&i| bytes.get(i + 1) != Some(&b'\n'))
                .collect();
            if !lone.is_empty() {
                let mut b = std::mem::take(&mut text).into_bytes();
                for i in lone {
                    b[i] = b'\n';
                }
                text = String::from_utf8(b).unwrap_or_default();
            }
        }
        let mut line_starts = vec![0];
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        Arc::new(Self {
            name: name.into(),
            text,
            line_starts,
            char_checkpoints: std::sync::OnceLock::new(),
        })
    }

    /// The line and column of a byte offset (clamped to the text and to a char boundary).
    pub fn line_col(&self, offset: usize) -> LineCol {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let column = if offset - start < 4 * CHECKPOINT {
            count_chars(&self.text.as_bytes()[start..offset]) + 1
        } else {
            self.chars_before(offset) - self.chars_before(start) + 1
        };
        LineCol {
            line: line + 1,
            column,
        }
    }

    /// The number of characters before a byte offset (on a character boundary).
    fn chars_before(&self, offset: usize) -> usize {
        let bytes = self.text.as_bytes();
        let table = self.char_checkpoints.get_or_init(|| {
            let mut acc = 0;
            let mut out = Vec::with_capacity(bytes.len() / CHECKPOINT + 1);
            for chunk in bytes.chunks(CHECKPOINT) {
                out.push(acc);
                acc += count_chars(chunk);
            }
            out.push(acc);
            out
        });
        let k = offset / CHECKPOINT;
        table[k] + count_chars(&bytes[k * CHECKPOINT..offset])
    }

    /// `span` widened to character boundaries and clamped to the text (spans mapped through
    /// escapes can land inside a multi-byte character).
    pub fn char_span(&self, span: &Span) -> Span {
        let mut start = span.start.min(self.text.len());
        while !self.text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = span.end.clamp(start, self.text.len());
        while !self.text.is_char_boundary(end) {
            end += 1;
        }
        start..end
    }

    /// The text of a span, widened to character boundaries.
    pub fn slice(&self, span: &Span) -> &str {
        &self.text[self.char_span(span)]
    }

    /// The byte range of a 1-based line, without its line break.
    pub fn line_span(&self, line: usize) -> Span {
        let index = line.saturating_sub(1).min(self.line_starts.len() - 1);
        let start = self.line_starts[index];
        // the next line's start is one past this line's `\n` (no search along a long line)
        let mut end = self
            .line_starts
            .get(index + 1)
            .map_or(self.text.len(), |next| next - 1);
        if end > start && self.text.as_bytes()[end - 1] == b'\r' {
            end -= 1;
        }
        start..end
    }

    /// The byte range of the whole lines covering `span` (from the start of the line of its
    /// start to the end of the line of its end, without the line break), found in the line
    /// index (not by scanning the text: lines can be megabytes long).
    pub fn lines_around(&self, span: &Span) -> Span {
        let (from, to) = (
            span.start.min(self.text.len()),
            span.end.min(self.text.len()),
        );
        let first = self.line_starts.partition_point(|&s| s <= from) - 1;
        let last = self.line_starts.partition_point(|&s| s <= to.max(from)) - 1;
        let start = self.line_starts[first];
        let end = self
            .line_starts
            .get(last + 1)
            .map_or(self.text.len(), |next| next - 1);
        start..end.max(start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters_and_ignore_bom_and_crlf() {
        let f = SourceFile::new("x", "\u{feff}a: é\r\n\tb: c\r\n");
        assert_eq!(f.line_col(0), LineCol { line: 1, column: 1 });
        let b = f.text.find('b').unwrap();
        assert_eq!(f.line_col(b), LineCol { line: 2, column: 2 });
        let e = f.text.find('é').unwrap();
        assert_eq!(f.line_col(e + 2), LineCol { line: 1, column: 5 });
        assert_eq!(&f.text[f.line_span(1)], "a: é");
        let cr = SourceFile::new("z", "a: 1\rb: 2\r");
        assert_eq!(cr.line_col(5), LineCol { line: 2, column: 1 });
        let long = SourceFile::new("y", format!("{}x", "é".repeat(5000)));
        assert_eq!(
            long.line_col(long.text.len() - 1),
            LineCol {
                line: 1,
                column: 5001
            }
        );
    }
}
