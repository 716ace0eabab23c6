//! Text from the inputs made safe to print. File names, YAML values and configuration values come
//! from the repository under review (in a pull-request check, from an untrusted contributor), and
//! every output format shows them. Printed raw they could rewrite the terminal (ESC sequences,
//! BEL, a carriage return), hide or reorder text (Unicode bidi overrides), start new lines (`\n`,
//! U+2028, U+0085) and so forge lines of awsauth's output, or issue GitHub Actions workflow
//! commands (`::error …`, `::stop-commands::…`, the legacy `##[command]` form).
//!
//! One convention, Rust's escape syntax (as `char::escape_debug` writes it, and as `diff` showed
//! values before): `\n`, `\r`, `\t`, and `\u{1b}` (lowercase hex) for every other character that
//! is a control (C0, DEL, C1 with NEL), a bidi control or a line or paragraph separator. Other
//! text, backslashes and quotes included, is unchanged (unlike `escape_debug`): ordinary output
//! is what it always was, and an escape seen in the output is not proof that the input held the
//! character (a file may be named `a\n` literally). ripgrep prints paths as they are
//! (BurntSushi/ripgrep#2958, open) but names a NUL byte as `"\u{0}"` in its binary-file note, in
//! this same syntax; git quotes such paths with C escapes (`core.quotePath`).
//!
//! Two more rules keep text from being read as a workflow command by the GitHub Actions runner,
//! which takes a line that starts with `::` after leading white space (`TryParseV2`) or that holds
//! `##[` anywhere (`TryParse`, the legacy form) as a command:
//! - `##[` is written `##\u{5b}`, wherever it is ([`text`], [`lines`]);
//! - a line that would start with `::` has its first `:` written `\u{3a}` ([`lines`]), and a file
//!   name that starts with `:` or white space is shown as `./name` ([`name`]), so that a file
//!   named `::error file=a::x` never starts a line of `concise` output.
//!
//! Only awsauth's own annotations (`--format github`) start with `::`; JSON is kept valid by
//! [`json`], which writes the same characters as JSON escapes.

use std::borrow::Cow;

/// Whether `c` is never printed as itself: controls (C0, DEL, C1 with NEL), bidi controls, and
/// the line and paragraph separators.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{2028}'
                | '\u{2029}'
        )
}

/// Appends the escape of `c` (a character [`is_unsafe`] says is not printed as itself).
fn push_escape(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c => {
            use std::fmt::Write;
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
    }
}

/// Whether `s` needs any change from [`text`].
fn needs_text_escape(s: &str) -> bool {
    s.chars().any(is_unsafe) || s.contains("##[")
}

/// One line of text from the inputs: every unsafe character escaped (line breaks included), and
/// `##[` written `##\u{5b}`.
pub fn text(s: &str) -> Cow<'_, str> {
    if !needs_text_escape(s) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    escape_into(&mut out, s);
    Cow::Owned(out)
}

/// Escapes `s` into `out`; `##[` becomes `##\u{5b}`.
fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        if c == '[' && out.ends_with("##") {
            out.push_str("\\u{5b}");
        } else if is_unsafe(c) {
            push_escape(out, c);
        } else {
            out.push(c);
        }
    }
}

/// Characters the GitHub Actions runner skips before looking for `::` (.NET `TrimStart`: white
/// space), and a few invisible ones besides, to be safe.
fn is_leading_blank(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{180e}' | '\u{200b}' | '\u{feff}')
}

/// A file name: [`text`], and `./` before a name that starts with `:` or white space (a
/// relative path either way), so that no line that starts with a file name starts with `::`.
pub fn name(s: &str) -> Cow<'_, str> {
    let escaped = text(s);
    match escaped.chars().next() {
        Some(c) if c == ':' || is_leading_blank(c) => Cow::Owned(format!("./{escaped}")),
        _ => escaped,
    }
}

/// Whether a line of output would be read as a workflow command (`::` after leading blanks).
pub fn starts_command(line: &str) -> bool {
    line.trim_start_matches(is_leading_blank).starts_with("::")
}

/// Whether `s[i..]` starts with a Select Graphic Rendition sequence (`ESC [ 0-9;: m`, colours and
/// weights) at `s[i..]`; its length.
fn sgr_len(s: &str, i: usize) -> Option<usize> {
    let rest = s.as_bytes().get(i..)?;
    if !rest.starts_with(b"\x1b[") {
        return None;
    }
    let params = rest[2..]
        .iter()
        .take_while(|b| b.is_ascii_digit() || **b == b';' || **b == b':')
        .count();
    (rest.get(2 + params) == Some(&b'm')).then_some(3 + params)
}

/// Multi-line output about to be written (the last line of defence, for everything but JSON and
/// annotations): every unsafe character but `\n` escaped (with `keep_sgr`, colour sequences are
/// kept too: awsauth's own, values having been escaped where they were rendered), `##[` written
/// `##\u{5b}`, and a line that would start with `::` gets its first `:` written `\u{3a}`.
pub fn lines(s: &str, keep_sgr: bool) -> Cow<'_, str> {
    let clean = !s.chars().any(|c| is_unsafe(c) && c != '\n')
        && !s.contains("##[")
        && !s.split('\n').any(starts_command);
    if clean {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for (n, line) in s.split('\n').enumerate() {
        if n > 0 {
            out.push('\n');
        }
        let start = out.len();
        // runs of characters that stay as they are are copied at once
        let (mut i, mut run) = (0, 0);
        while let Some(c) = line[i..].chars().next() {
            if let Some(len) = sgr_len(line, i).filter(|_| keep_sgr) {
                i += len;
                continue;
            }
            let bracket = c == '[' && line[..i].ends_with("##");
            if bracket || is_unsafe(c) {
                out.push_str(&line[run..i]);
                if bracket {
                    out.push_str("\\u{5b}");
                } else {
                    push_escape(&mut out, c);
                }
                run = i + c.len_utf8();
            }
            i += c.len_utf8();
        }
        out.push_str(&line[run..]);
        if let Some(colon) = command_colon(&out[start..], keep_sgr) {
            out.replace_range(start + colon..=start + colon, "\\u{3a}");
        }
    }
    Cow::Owned(out)
}

/// Where the `::` of a line that the runner would read as a command starts: after blanks and
/// (with `sgr`) colour sequences, which do not hide it from the runner.
fn command_colon(line: &str, sgr: bool) -> Option<usize> {
    let mut i = 0;
    while i < line.len() {
        if let Some(len) = sgr_len(line, i).filter(|_| sgr) {
            i += len;
            continue;
        }
        let c = line[i..].chars().next()?;
        if !is_leading_blank(c) {
            return line[i..].starts_with("::").then_some(i);
        }
        i += c.len_utf8();
    }
    None
}

/// A serialized JSON document made safe to print (`serde_json` escapes only C0 controls, `"` and
/// `\`): DEL, C1 controls, bidi controls and the line separators as `\uXXXX` escapes, and `##[` as
/// `##\u005b`. These characters can only stand inside strings, where the escapes mean the same
/// characters: the document parses to the same value.
pub fn json(doc: String) -> String {
    let bytes = doc.as_bytes();
    // most documents hold nothing to rewrite: one pass the compiler vectorises says so
    let leads = bytes.chunks(64).any(|chunk| {
        chunk
            .iter()
            .fold(false, |acc, &b| acc | json_lead_not_bracket(b))
    });
    if !leads && memchr::memmem::find(bytes, b"##[").is_none() {
        return doc;
    }
    let mut out: Option<String> = None;
    // `doc[done..]` is not copied to `out` yet
    let mut done = 0;
    let mut i = 0;
    while i < bytes.len() {
        // only bytes that can start a character to rewrite are looked at: a document of plain
        // text is one pass over its bytes
        if !json_lead(bytes[i]) {
            i += 1;
            continue;
        }
        let c = doc[i..].chars().next().unwrap_or_default();
        let len = c.len_utf8();
        let rewrite = if c == '[' {
            doc[..i].ends_with("##")
        } else {
            // (serde_json has already escaped C0 controls in strings; `\n` is the layout's)
            is_unsafe(c) && c != '\n'
        };
        if rewrite {
            let o = out.get_or_insert_with(|| String::with_capacity(doc.len() + 16));
            o.push_str(&doc[done..i]);
            let mut buf = [0u16; 2];
            for unit in c.encode_utf16(&mut buf) {
                use std::fmt::Write;
                let _ = write!(o, "\\u{unit:04x}");
            }
            done = i + len;
        }
        i += len;
    }
    match out {
        None => doc,
        Some(mut o) => {
            o.push_str(&doc[done..]);
            o
        }
    }
}

/// Whether a byte of UTF-8 can start a character [`json`] rewrites: a C0 control but `\n`, DEL,
/// the lead byte of a C1 control (`C2`), of U+061C (`D8`), of the bidi controls and separators
/// of U+2000–U+2FFF (`E2`), or `[`. Never a continuation byte, so `i` stays on a boundary.
fn json_lead(b: u8) -> bool {
    json_lead_not_bracket(b) || b == b'['
}

/// [`json_lead`] but `[` (which only `##[` makes one), without branches.
fn json_lead_not_bracket(b: u8) -> bool {
    (b < 0x20) && (b != b'\n') || (b == 0x7f) || (b == 0xc2) || (b == 0xd8) || (b == 0xe2)
}

/// Source text escaped for display, with a map from the original's byte offsets to the escaped
/// text's, so that spans still point at what they pointed at.
pub struct Source {
    /// The escaped text.
    pub text: String,
    /// `(end of an escaped character in the original, bytes added up to there)`, in order.
    shifts: Vec<(usize, usize)>,
}

impl Source {
    /// The offset in [`Self::text`] of `offset` in the original.
    pub fn map(&self, offset: usize) -> usize {
        let i = self.shifts.partition_point(|(end, _)| *end <= offset);
        offset + i.checked_sub(1).map_or(0, |i| self.shifts[i].1)
    }
}

/// Source lines for display (the annotated-source renderer): unsafe characters escaped, except
/// the line breaks (`\n`, and `\r` before `\n`) and tabs, which the renderer lays out itself.
/// `None` when nothing needs escaping.
pub fn source(s: &str) -> Option<Source> {
    let keep =
        |c: char, next: Option<char>| c == '\n' || c == '\t' || (c == '\r' && next == Some('\n'));
    let mut chars = s.char_indices().peekable();
    let mut out: Option<Source> = None;
    while let Some((i, c)) = chars.next() {
        let next = chars.peek().map(|&(_, n)| n);
        let bracket = c == '[' && s[..i].ends_with("##");
        if !(bracket || (is_unsafe(c) && !keep(c, next))) {
            if let Some(o) = &mut out {
                o.text.push(c);
            }
            continue;
        }
        let o = out.get_or_insert_with(|| Source {
            text: s[..i].to_owned(),
            shifts: Vec::new(),
        });
        let before = o.text.len();
        if bracket {
            o.text.push_str("\\u{5b}");
        } else {
            push_escape(&mut o.text, c);
        }
        let added = o.text.len() - before - c.len_utf8();
        let total = o.shifts.last().map_or(0, |s| s.1) + added;
        o.shifts.push((i + c.len_utf8(), total));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_text_is_unchanged() {
        for s in [
            "fixtures/a b.yaml",
            "arn:aws:iam::111122223333:role/x",
            "a\\nb",
            "émoji 👩‍💻 and 日本語",
            "#[x] ## [y]",
        ] {
            assert!(matches!(text(s), Cow::Borrowed(_)), "{s}");
            assert!(matches!(name(s), Cow::Borrowed(_)), "{s}");
            assert!(matches!(lines(s, false), Cow::Borrowed(_)), "{s}");
            assert_eq!(json(s.to_owned()), s);
        }
        assert!(matches!(lines("one\ntwo\n", false), Cow::Borrowed(_)));
    }

    #[test]
    fn controls_are_escaped_the_rust_way() {
        assert_eq!(text("a\nb\r\tc"), "a\\nb\\r\\tc");
        assert_eq!(text("\u{1b}[2J\u{7}"), "\\u{1b}[2J\\u{7}");
        assert_eq!(text("\0\u{7f}\u{85}\u{9b}"), "\\u{0}\\u{7f}\\u{85}\\u{9b}");
        assert_eq!(text("x\u{2028}y\u{2029}"), "x\\u{2028}y\\u{2029}");
        assert_eq!(
            text("\u{202e}\u{2066}\u{200f}\u{61c}"),
            "\\u{202e}\\u{2066}\\u{200f}\\u{61c}"
        );
        // zero-width joiners stay (emoji), and so does everything printable
        assert_eq!(text("👩\u{200d}💻"), "👩\u{200d}💻");
    }

    #[test]
    fn legacy_workflow_commands_are_broken_up() {
        assert_eq!(text("x ##[error]y"), "x ##\\u{5b}error]y");
        assert_eq!(text("###[a"), "###\\u{5b}a");
        assert_eq!(
            lines("a ##[stop-commands]t\n", false),
            "a ##\\u{5b}stop-commands]t\n"
        );
    }

    #[test]
    fn names_never_start_a_command() {
        assert_eq!(name("::error file=a::pwned"), "./::error file=a::pwned");
        assert_eq!(name(" ::x"), "./ ::x");
        assert_eq!(name("\u{a0}::x"), "./\u{a0}::x");
        assert_eq!(name("a::b"), "a::b");
        assert_eq!(name("/abs/::x"), "/abs/::x");
        assert_eq!(name("\n::x"), "\\n::x");
    }

    #[test]
    fn lines_keep_line_breaks_and_defuse_commands() {
        let got = lines("ok\n::error::x\n  \u{a0}::warning::y\nz\u{1b}[2J\n", false);
        assert_eq!(
            got,
            "ok\n\\u{3a}:error::x\n  \u{a0}\\u{3a}:warning::y\nz\\u{1b}[2J\n"
        );
        for line in got.lines() {
            assert!(!starts_command(line), "{line}");
        }
        // colour sequences are kept when asked, other escapes never
        let styled = "\u{1b}[1m\u{1b}[31merror\u{1b}[0m: x\u{1b}]0;t\u{7}\n";
        assert_eq!(
            lines(styled, true),
            "\u{1b}[1m\u{1b}[31merror\u{1b}[0m: x\\u{1b}]0;t\\u{7}\n"
        );
        assert_eq!(
            lines(styled, false),
            "\\u{1b}[1m\\u{1b}[31merror\\u{1b}[0m: x\\u{1b}]0;t\\u{7}\n"
        );
        // a colour sequence does not hide a `::` from the runner
        assert_eq!(
            lines("\u{1b}[1m::error::x", true),
            "\u{1b}[1m\\u{3a}:error::x"
        );
    }

    #[test]
    fn json_stays_json() {
        let value =
            serde_json::json!({"s": "a\u{85}b\u{2028}c\u{202e}d ##[error]x \u{1b}\u{7f} 👩‍💻"});
        let doc = json(serde_json::to_string_pretty(&value).expect("serializes"));
        assert!(!doc.chars().any(|c| is_unsafe(c) && c != '\n'), "{doc}");
        assert!(!doc.contains("##["), "{doc}");
        let back: serde_json::Value = serde_json::from_str(&doc).expect("parses");
        assert_eq!(back, value);
    }

    #[test]
    fn source_spans_follow_the_escapes() {
        assert!(source("a: b\r\n\tc\n").is_none());
        let text = "k: \"a\u{1b}[2J\"\r\nv: é\u{85}x\rq\n";
        let s = source(text).expect("escapes");
        assert_eq!(s.text, "k: \"a\\u{1b}[2J\"\r\nv: é\\u{85}x\\rq\n");
        // every character still found where it went
        for (i, c) in text.char_indices() {
            if !is_unsafe(c) || c == '\n' || (c == '\r' && text[i..].starts_with("\r\n")) {
                assert_eq!(s.text[s.map(i)..].chars().next(), Some(c), "at {i}");
            }
        }
        let esc = text.find('\u{1b}').expect("esc");
        assert_eq!(&s.text[s.map(esc)..s.map(esc + 1)], "\\u{1b}");
        assert_eq!(s.map(text.len()), s.text.len());
    }
}
