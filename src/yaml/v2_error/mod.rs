//! What the authenticator logs when a section's nested YAML does not parse.
//!
//! `granit-parser` (a YAML 1.2 parser) tells awsauth *that* a section is broken; the text Go's
//! yaml.v2 puts in the authenticator's log, and the place its line number refers to, depend on
//! how libyaml (which yaml.v2 ports) scans: its simple-key bookkeeping, its indentation stack,
//! the token it happens to be looking at. This module re-enacts that behaviour on the nested
//! text, only far enough to find the first failure: a token scanner with libyaml's rules (what
//! may start a token where, when a possible key becomes stale, where tabs are refused) and a
//! pushdown parser over its tokens with libyaml's grammar and its error wording, followed by
//! the two checks yaml.v2 itself makes while building nodes (aliases must name a known anchor).
//! Values are not built, only recognised.
//!
//! yaml.v2's `fail` prints `yaml: line N: <problem>`: scanner errors count lines from 1, parser
//! errors ("did not find expected key", ...) from 0, so those point one line early; a problem
//! on the first line falls back to the context mark's line, and with neither there is no
//! `line N: ` at all. [`Failure::log`] builds that text; [`Failure::logged_mark`] is the place
//! the number refers to.

mod convert;
mod parser;
mod scanner;

pub use convert::conversion_log;

use crate::source::Span;

/// A position as libyaml counts it: lines and columns from 0, columns in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Mark {
    /// Byte offset in the nested text.
    pub offset: usize,
    /// Characters before it (libyaml's `index`, used for the 1024-character key limit).
    pub(super) index: usize,
    /// 0-based line.
    pub line: usize,
    /// 0-based column, in characters.
    pub column: usize,
}

/// Which part of yaml.v2 gave up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The reader: a character YAML does not allow. No marks.
    Reader,
    /// The scanner (libyaml's `yaml_SCANNER_ERROR`): its line is printed 1-based.
    Scanner,
    /// The parser (`yaml_PARSER_ERROR`): its line is printed as kept, 0-based.
    Parser,
    /// yaml.v2's node builder (`failf`): no line.
    Loader,
}

/// The first thing yaml.v2 refuses in a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// Who refused it.
    pub stage: Stage,
    /// libyaml's problem text, e.g. `did not find expected key`.
    pub problem: String,
    /// libyaml's context text, e.g. `while parsing a block mapping` (empty when none).
    pub context: &'static str,
    /// Where the problem was noticed (`None` for reader and loader failures).
    pub problem_mark: Option<Mark>,
    /// Where the construct that failed began (`None` when libyaml keeps no context).
    pub context_mark: Option<Mark>,
    /// Byte offset of what was refused, for failures without marks (a control character, an
    /// alias).
    pub at: usize,
    /// A parser error met at the end of the stream or at a document marker: the collection of
    /// the context mark is never closed.
    pub unclosed: bool,
}

impl Failure {
    /// The mark whose line the log prints, and that number as printed.
    pub fn logged(&self) -> Option<(Mark, usize)> {
        match (self.problem_mark, self.context_mark) {
            (Some(p), _) if p.line != 0 => {
                Some((p, p.line + usize::from(self.stage == Stage::Scanner)))
            }
            (_, Some(c)) if c.line != 0 => Some((c, c.line)),
            _ => None,
        }
    }

    /// The mark the log's line number refers to, if it prints one.
    pub fn logged_mark(&self) -> Option<Mark> {
        self.logged().map(|(m, _)| m)
    }

    /// The text yaml.v2 returns, as the authenticator logs it.
    pub fn log(&self) -> String {
        let problem = if self.problem.is_empty() {
            "unknown problem parsing YAML content"
        } else {
            &self.problem
        };
        match self.logged() {
            Some((_, line)) => format!("yaml: line {line}: {problem}"),
            None => format!("yaml: {problem}"),
        }
    }

    /// libyaml's context and problem, as one message.
    pub fn message(&self) -> String {
        if self.context.is_empty() {
            self.problem.clone()
        } else {
            format!("{}, {}", self.context, self.problem)
        }
    }

    /// Where the failure was noticed (the problem mark, or the offending text).
    pub fn offset(&self) -> usize {
        self.problem_mark.map_or(self.at, |m| m.offset)
    }
}

/// Whether yaml.v2 surely accepts `text` *when granit-parser does*, so that the re-enactment can
/// be skipped: every line has one of the few shapes long, generated sections are made of, where
/// the two parsers are known to agree. Checked byte by byte: printable ASCII only (no tabs,
/// carriage returns, control or non-ASCII characters, NEL, LS, PS), lines far shorter than
/// libyaml's 1,024-character key limit, and each line blank, a comment, or `- ` markers followed
/// by `key: value`, `key:` or (after a marker) a value, where a key is a plain name and a value
/// a plain scalar starting with a letter or digit (what it holds, `: ` or ` #`, both parsers
/// read alike) or a quoted string closed on its line without escapes, then perhaps a comment.
/// Anything else (flow collections, anchors, tags, directives, document markers, block scalars,
/// multi-line quoted scalars, `?`) answers no, and [`first_document`] decides. A property test
/// and the `section` fuzz target hold it to this over every corpus and mutations of them.
pub fn surely_accepted(text: &str) -> bool {
    let bytes = text.as_bytes();
    // one vectorised pass over the characters, then each line as far as its value's start
    if !printable_ascii_lines(bytes) {
        return false;
    }
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', bytes).chain(std::iter::once(bytes.len())) {
        if !simple_line(&bytes[start..end]) {
            return false;
        }
        start = end + 1;
    }
    true
}

/// Whether every byte is printable ASCII (`0x20..=0x7e`) or a line feed; eight bytes at a
/// time, with exact per-byte tests on a 64-bit word (no carry crosses a byte).
fn printable_ascii_lines(bytes: &[u8]) -> bool {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let (words, rest) = bytes.as_chunks::<8>();
    let mut bad = 0u64;
    for w in words {
        let x = u64::from_le_bytes(*w);
        // a byte of 0x7f or more: its low seven bits plus one reach the high bit, or it has it
        let high = (x | ((x & LOW7) + 0x0101_0101_0101_0101)) & HIGH;
        // a byte under 0x20: its low seven bits plus 0x60 stay under the high bit
        let low = !(((x & LOW7) + 0x6060_6060_6060_6060) | x) & HIGH;
        // a line feed: a zero byte of x ^ 0x0a..
        let t = x ^ 0x0a0a_0a0a_0a0a_0a0a;
        let line_feed = !(((t & LOW7) + LOW7) | t) & HIGH;
        bad |= high | (low & !line_feed);
    }
    bad == 0
        && rest
            .iter()
            .all(|&b| b == b'\n' || (0x20..0x7f).contains(&b))
}

/// Skips spaces.
fn skip_spaces(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|&&c| c == b' ').count();
    &b[n..]
}

/// One line of [`surely_accepted`]'s shapes (printable ASCII, checked already).
fn simple_line(line: &[u8]) -> bool {
    if line.len() > 512 {
        return false;
    }
    let mut rest = skip_spaces(line);
    if rest.is_empty() || rest[0] == b'#' {
        return true;
    }
    let mut dashed = false;
    while let Some(r) = rest.strip_prefix(b"- ") {
        rest = skip_spaces(r);
        dashed = true;
    }
    // `key:` or `key: value`, the key a plain name
    let name = rest
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'))
        .count();
    if name > 0
        && rest[0].is_ascii_alphanumeric()
        && let Some(after) = rest[name..].strip_prefix(b":")
    {
        if after.is_empty() {
            return true;
        }
        if let Some(value) = after.strip_prefix(b" ") {
            let value = skip_spaces(value);
            return value.is_empty() || value[0] == b'#' || simple_value(value);
        }
    }
    dashed && simple_value(rest)
}

/// A scalar that ends its line: plain, starting with a letter or digit, or quoted without
/// escapes and closed on the line, then perhaps ` # comment`.
fn simple_value(value: &[u8]) -> bool {
    match value.first() {
        Some(b) if b.is_ascii_alphanumeric() => true,
        Some(&q @ (b'"' | b'\'')) => {
            let body = &value[1..];
            let Some(close) = body.iter().position(|&c| c == q) else {
                return false;
            };
            let after = &body[close + 1..];
            let t = skip_spaces(after);
            !body[..close].contains(&b'\\')
                && (t.is_empty() || (t[0] == b'#' && t.len() < after.len()))
        }
        _ => false,
    }
}

/// Runs yaml.v2's parse of the first document of `text` (what `yaml.Unmarshal` reads) and
/// returns the first failure, or `None` when the document parses.
pub fn first_failure(text: &str) -> Option<Failure> {
    first_document(text).err().map(|f| *f)
}

/// Runs yaml.v2's parse of the first document of `text`: where its content ends (yaml.v2
/// reads nothing after it, not even the rest of that line: `- a ... x` is `[a]`), or the first
/// failure.
pub fn first_document(text: &str) -> std::result::Result<usize, Box<Failure>> {
    // yaml.v2 parses an empty input as a line break
    let input = if text.is_empty() { "\n" } else { text };
    let mut parser = parser::Parser::new(input);
    match parser.load() {
        Ok(()) => Ok(parser.document_end.unwrap_or(input.len()).min(text.len())),
        Err(f) => Err(f),
    }
}

// ---------------------------------------------------------------------------------------------
// Reporting

/// How awsauth reports a nested document that yaml.v2 refuses (inner offsets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explained {
    /// The parser's message, e.g. `while parsing a block mapping, did not find expected key`.
    pub message: String,
    /// What to point at: the cause when yaml.v2 notices the problem later (an unclosed quote
    /// or bracket, a key without `:`), otherwise where yaml.v2 stops.
    pub primary: Span,
    /// What the primary span shows.
    pub label: String,
    /// What the authenticator logs, if awsauth can tell.
    pub log: Option<Logged>,
}

/// The log text of a refused document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logged {
    /// `yaml: line N: <problem>` or `yaml: <problem>`.
    pub text: String,
    /// The mark whose line the text prints (`None` when it prints no line).
    pub mark: Option<Span>,
    /// That mark's 1-based line in the document.
    pub line: Option<usize>,
}

/// The span of the character at `offset` (one byte past the end).
fn char_at(text: &str, offset: usize) -> Span {
    let offset = offset.min(text.len());
    let width = text
        .get(offset..)
        .and_then(|t| t.chars().next())
        .map_or(1, char::len_utf8);
    offset..offset + width
}

/// Explains the syntax error `fallback` (granit-parser's) of a nested document as yaml.v2
/// reports it. `json`: the authenticator hands the text to `encoding/json` instead (a
/// `mapRoles`/`mapUsers` value starting with `{`), so its log is not yaml.v2's.
pub fn explain(text: &str, fallback: &super::SyntaxError, json: bool) -> Explained {
    let Some(f) = first_failure(text) else {
        return Explained {
            message: fallback.message.clone(),
            primary: char_at(text, fallback.offset),
            label: "the nested YAML breaks here".into(),
            log: None,
        };
    };
    let message = f.message();
    let at = f.offset();
    let cause = |m: Option<Mark>| m.map_or(at, |m| m.offset);
    let (primary, label) = match (f.stage, f.problem.as_str()) {
        (Stage::Scanner, "found unexpected end of stream") if f.context.contains("quoted") => (
            cause(f.context_mark),
            "this quoted string is never closed".to_owned(),
        ),
        (Stage::Scanner, "found unexpected document indicator") => (
            cause(f.context_mark),
            "this quoted string runs into a document marker".to_owned(),
        ),
        (Stage::Scanner, "could not find expected ':'") => (
            cause(f.context_mark),
            "yaml.v2 reads a key here, but no `:` follows on its line".to_owned(),
        ),
        (Stage::Parser, _) if f.unclosed && f.context.contains("flow") => {
            let open = cause(f.context_mark);
            let bracket = text
                .get(open..)
                .and_then(|t| t.chars().next())
                .unwrap_or('[');
            (open, format!("this `{bracket}` is never closed"))
        }
        _ if text.get(at..).is_some_and(|t| t.starts_with('\t')) => {
            (at, "a tab where yaml.v2 allows only spaces".to_owned())
        }
        (Stage::Reader, _) => (at, "a character yaml.v2 does not allow".to_owned()),
        (Stage::Loader, _) => (at, "an alias of an anchor not defined before it".to_owned()),
        _ => (at, "yaml.v2 stops here".to_owned()),
    };
    let log = (!json).then(|| {
        let logged = f.logged_mark();
        Logged {
            text: f.log(),
            mark: logged.map(|m| char_at(text, m.offset)),
            line: logged.map(|m| m.line + 1),
        }
    });
    Explained {
        message,
        primary: char_at(text, primary),
        label,
        log,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(text: &str) -> Option<String> {
        first_failure(text).map(|f| f.log())
    }

    /// What the Go oracle (the authenticator's libraries) answered for each document.
    #[test]
    fn printable_ascii_lines_tests_every_byte() {
        for b in 0..=255u8 {
            let ok = b == b'\n' || (0x20..0x7f).contains(&b);
            for at in 0..17 {
                let mut text = vec![b'a'; 17];
                text[at] = b;
                assert_eq!(printable_ascii_lines(&text), ok, "{b:#x} at {at}");
            }
        }
    }

    #[test]
    fn simple_shapes_are_surely_accepted_and_nothing_else() {
        for text in [
            "- rolearn: arn:aws:iam::1:role/a\n  username: team:{{SessionName}}\n  groups:\n    - system:masters # admins\n\n# end\n",
            "- userarn: \"arn:aws:iam::1:user/a\"\n  username: 'a b' # c\n  groups: \n",
            "- - a\n-   b: c#d\n",
        ] {
            assert!(surely_accepted(text), "{text:?}");
            assert!(first_document(text).is_ok(), "{text:?}");
        }
        for text in [
            "- a: {{SessionName}}{{AccountID}}\n",
            "- a: b\n  c\n",
            "- a: \"b\\n\"\n",
            "- a: 'b''c'\n",
            "- a: 'b' c\n",
            "- a:\tb\n",
            "- a: b\r\n",
            "%YAML 1.1\n---\n- a\n",
            "- a\n...\n",
            "- ...\n",
            "- a: &x b\n",
            "- a: !!str b\n",
            "- a: |\n    b\n",
            "- ? a\n",
            "- a: é\n",
            "- a: b\u{85}c\n",
            "\"a\": b\n",
            "- : a\n",
            "-\n",
            "- \n",
            "- - \n",
        ] {
            assert!(!surely_accepted(text), "{text:?}");
        }
        let long = format!("- {}: v\n", "k".repeat(1030));
        assert!(!surely_accepted(&long));
    }

    #[test]
    fn first_failures_read_as_the_authenticator_logs_them() {
        let k = "k".repeat(1030);
        let long_key = format!("- {k}: v\n");
        let cases: &[(&str, Option<&str>)] = &[
            (
                "- a\n\t- b\n",
                Some("yaml: line 2: found a tab character that violates indentation"),
            ),
            (
                "a: b: c\n",
                Some("yaml: mapping values are not allowed in this context"),
            ),
            (
                "- a: [b\n",
                Some("yaml: line 1: did not find expected ',' or ']'"),
            ),
            (
                "- a\nb: c\n",
                Some("yaml: line 1: did not find expected '-' indicator"),
            ),
            (
                "- 'x\n",
                Some("yaml: line 2: found unexpected end of stream"),
            ),
            ("- 'x", Some("yaml: found unexpected end of stream")),
            ("- \"\\q\"\n", Some("yaml: found unknown escape character")),
            (
                "%YAML 1.2\n---\n- a\n",
                Some("yaml: found incompatible YAML document"),
            ),
            ("- *x\n", Some("yaml: unknown anchor 'x' referenced")),
            // later documents are never read
            ("- a\n---\n- [\n", None),
            (
                "k: |\n\tx\n",
                Some("yaml: line 2: found a tab character where an indentation space is expected"),
            ),
            (
                "- a\u{1}\n",
                Some("yaml: control characters are not allowed"),
            ),
            // libyaml hands out the flow sequence before it sees the `:`
            ("[]: x\n", None),
            (
                "- username\n  x: y\n",
                Some("yaml: line 2: mapping values are not allowed in this context"),
            ),
            (
                &long_key,
                Some("yaml: mapping values are not allowed in this context"),
            ),
            (
                "- a: b\n  c\n",
                Some("yaml: line 3: could not find expected ':'"),
            ),
            (
                "- {a: b\n- c\n",
                Some("yaml: line 2: did not find expected ',' or '}'"),
            ),
            (
                "- a\r\n- [b\r\n",
                Some("yaml: line 2: did not find expected ',' or ']'"),
            ),
            (
                "- a\u{2028}- [b\n",
                Some("yaml: line 2: did not find expected ',' or ']'"),
            ),
            (
                "- &a.b x\n",
                Some("yaml: did not find expected alphabetic or numeric character"),
            ),
            ("- !e!x y\n", Some("yaml: found undefined tag handle")),
            // a plain scalar continued: `a - b`
            ("- a\n  - b\n", None),
            (
                "- a: 1\n - b\n",
                Some("yaml: line 1: did not find expected '-' indicator"),
            ),
            (
                "-\titem\n",
                Some("yaml: found character that cannot start any token"),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(log(text).as_deref(), *expected, "{text:?}");
        }
    }

    #[test]
    fn the_logged_line_is_the_problem_mark_or_else_the_context_mark() {
        let mark = |line| Mark {
            line,
            ..Mark::default()
        };
        let mut f = Failure {
            stage: Stage::Parser,
            problem: "did not find expected key".into(),
            context: "while parsing a block mapping",
            problem_mark: Some(mark(7)),
            context_mark: Some(mark(2)),
            at: 0,
            unclosed: false,
        };
        assert_eq!(f.log(), "yaml: line 7: did not find expected key");
        f.stage = Stage::Scanner;
        assert_eq!(f.log(), "yaml: line 8: did not find expected key");
        // on the first line: the context mark's line, as kept (even for the scanner)
        f.problem_mark = Some(mark(0));
        assert_eq!(f.log(), "yaml: line 2: did not find expected key");
        assert_eq!(f.logged_mark(), Some(mark(2)));
        f.context_mark = None;
        assert_eq!(f.log(), "yaml: did not find expected key");
        f.problem.clear();
        assert_eq!(f.log(), "yaml: unknown problem parsing YAML content");
    }

    #[test]
    fn explain_points_at_the_cause_and_keeps_the_log_mark() {
        let text = "- a: 'open\n- b\n";
        let fallback = crate::yaml::SyntaxError {
            message: "granit".into(),
            offset: 0,
        };
        let x = explain(text, &fallback, false);
        assert_eq!(x.primary, 5..6, "the opening quote");
        assert_eq!(x.label, "this quoted string is never closed");
        let log = x.log.expect("a log");
        assert_eq!(log.text, "yaml: line 3: found unexpected end of stream");
        assert_eq!(log.mark, Some(text.len()..text.len() + 1));
        assert_eq!(log.line, Some(3));
        // read as JSON by the authenticator: no yaml.v2 text
        assert!(explain("{a: [", &fallback, true).log.is_none());
        // a text yaml.v2 accepts keeps granit-parser's message
        let kept = explain("- a\n", &fallback, false);
        assert_eq!((kept.message.as_str(), kept.log), ("granit", None));
    }
}
