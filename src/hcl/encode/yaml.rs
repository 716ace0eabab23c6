//! go-cty-yaml's emitter (a port of libyaml's, through go-yaml v2), reduced to what
//! `yamlencode` asks of it: block collections, double-quoted or literal strings, plain numbers,
//! bools and null, one implicit document. The state (column, indentation stack, `whitespace`,
//! `indention`, `open_ended`) and every decision follow the Go code, so that the bytes agree,
//! including its quirks (see the parent module's docs).

use super::{Out, key_span, locate, sorted_entries};
use crate::hcl::value::{Spanned, Text, Value};
use crate::source::Span;

/// The emitter's preferred line width and indentation (go-yaml's defaults).
const BEST_WIDTH: usize = 80;
const BEST_INDENT: isize = 2;
/// The longest key written as a simple `key: value` (longer ones get `? key`).
const MAX_SIMPLE_KEY: usize = 128;

/// `yamlencode`'s text for a value with no unknown part.
pub(super) fn render(v: &Spanned) -> Text {
    let mut e = Emitter {
        out: Out::default(),
        indent: -1,
        indents: Vec::new(),
        column: 0,
        whitespace: true,
        indention: true,
        open_ended: false,
    };
    e.node(v, Context::ROOT);
    // document end (implicit), then stream end
    e.write_indent(&v.span);
    if e.open_ended {
        e.indicator("...", true, false, false, &v.span);
        e.write_indent(&v.span);
    }
    e.out.text
}

/// Where a node is written (the emitter's `*_context` flags).
#[derive(Clone, Copy)]
struct Context {
    root: bool,
    mapping: bool,
    simple_key: bool,
}

impl Context {
    const ROOT: Self = Self {
        root: true,
        mapping: false,
        simple_key: false,
    };
    const ITEM: Self = Self {
        root: false,
        mapping: false,
        simple_key: false,
    };
    const VALUE: Self = Self {
        root: false,
        mapping: true,
        simple_key: false,
    };
    const SIMPLE_KEY: Self = Self {
        root: false,
        mapping: true,
        simple_key: true,
    };
}

struct Emitter {
    out: Out,
    indent: isize,
    indents: Vec<isize>,
    /// Characters since the last line break.
    column: usize,
    /// Whether the last character written was whitespace (no space needed before an indicator).
    whitespace: bool,
    /// Whether only indentation was written on this line.
    indention: bool,
    /// Whether the document needs an explicit end marker (`...`).
    open_ended: bool,
}

/// What the emitter learns of a string before writing it (`yaml_emitter_analyze_scalar`).
struct Analysis {
    multiline: bool,
    block_allowed: bool,
}

/// Characters go-yaml writes raw in a double-quoted string (its `is_printable`).
fn printable(c: char) -> bool {
    matches!(u32::from(c), 0x0A | 0x20..=0x7E | 0xA0..=0xD7FF | 0xE000..=0xFFFD) && c != '\u{feff}'
}

/// Line breaks to the emitter (its `is_break`).
fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn analyze(s: &str) -> Analysis {
    if s.is_empty() {
        return Analysis {
            multiline: false,
            block_allowed: false,
        };
    }
    let (mut line_breaks, mut special, mut space_break, mut previous_space) =
        (false, false, false, false);
    for c in s.chars() {
        special |= !printable(c);
        if c == ' ' {
            previous_space = true;
        } else if is_break(c) {
            line_breaks = true;
            space_break |= previous_space;
            previous_space = false;
        } else {
            previous_space = false;
        }
    }
    let trailing_space = s.ends_with(' ');
    Analysis {
        multiline: line_breaks,
        block_allowed: !(trailing_space || space_break || special),
    }
}

impl Emitter {
    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        self.indents.push(self.indent);
        if self.indent < 0 {
            self.indent = if flow { BEST_INDENT } else { 0 };
        } else if !indentless {
            self.indent += BEST_INDENT;
        }
    }

    fn pop_indent(&mut self) {
        self.indent = self.indents.pop().unwrap_or(-1);
    }

    fn put(&mut self, s: &str, at: &Span) {
        self.out.put(s, at);
        self.column += s.chars().count();
    }

    fn put_break(&mut self, at: &Span) {
        self.out.put("\n", at);
        self.column = 0;
    }

    fn write_indent(&mut self, at: &Span) {
        let indent = usize::try_from(self.indent.max(0)).unwrap_or(0);
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break(at);
        }
        if self.column < indent {
            let pad = " ".repeat(indent - self.column);
            self.put(&pad, at);
        }
        self.whitespace = true;
        self.indention = true;
    }

    fn indicator(
        &mut self,
        s: &str,
        need_whitespace: bool,
        is_whitespace: bool,
        is_indention: bool,
        at: &Span,
    ) {
        if need_whitespace && !self.whitespace {
            self.put(" ", at);
        }
        self.put(s, at);
        self.whitespace = is_whitespace;
        self.indention = self.indention && is_indention;
        self.open_ended = false;
    }

    fn node(&mut self, v: &Spanned, cx: Context) {
        match &v.value {
            Value::Null | Value::Unknown(_) => self.plain("null", &v.span, cx),
            Value::Bool(b) => self.plain(if *b { "true" } else { "false" }, &v.span, cx),
            Value::Number(n) => self.plain(n, &v.span, cx),
            Value::String(t) => self.string(t, &v.span, cx),
            Value::List(items) if items.is_empty() => self.empty("[", "]", &v.span),
            Value::Object(entries) if entries.is_empty() => self.empty("{", "}", &v.span),
            Value::List(items) => {
                self.increase_indent(false, cx.mapping && !self.indention);
                for item in items {
                    self.write_indent(&item.span);
                    self.indicator("-", true, false, true, &item.span);
                    self.node(item, Context::ITEM);
                }
                self.pop_indent();
            }
            Value::Object(entries) => {
                self.increase_indent(false, false);
                for (key, value) in sorted_entries(entries) {
                    self.entry(key, value);
                }
                self.pop_indent();
            }
        }
    }

    fn entry(&mut self, key: &Text, value: &Spanned) {
        let at = key_span(key, &value.span);
        self.write_indent(&at);
        if !analyze(&key.value).multiline && key.value.len() <= MAX_SIMPLE_KEY {
            self.string(key, &at, Context::SIMPLE_KEY);
            self.indicator(":", false, false, false, &at);
        } else {
            self.indicator("?", true, false, true, &at);
            self.string(key, &at, Context::VALUE);
            self.write_indent(&at);
            self.indicator(":", true, false, true, &at);
        }
        self.node(value, Context::VALUE);
    }

    /// An empty sequence or mapping: always in flow style.
    fn empty(&mut self, open: &str, close: &str, at: &Span) {
        self.indicator(open, true, true, false, at);
        self.indicator(close, false, false, false, at);
    }

    fn plain(&mut self, s: &str, at: &Span, cx: Context) {
        self.increase_indent(true, false);
        if !self.whitespace {
            self.put(" ", at);
        }
        self.put(s, at);
        self.whitespace = false;
        self.indention = false;
        if cx.root {
            self.open_ended = true;
        }
        self.pop_indent();
    }

    fn string(&mut self, t: &Text, at: &Span, cx: Context) {
        self.out.text.unknown |= t.unknown;
        let analysis = analyze(&t.value);
        let literal = t.value.contains('\n') && analysis.block_allowed && !cx.simple_key;
        self.increase_indent(true, false);
        if literal {
            self.literal(t, at);
        } else {
            self.double_quoted(t, at, !cx.simple_key);
        }
        self.pop_indent();
    }

    /// Writes character `c` of `t` (at byte `i`) as itself.
    fn raw(&mut self, t: &Text, i: usize, c: char, at: &Span) {
        let (outer, verbatim) = locate(t, i, c.len_utf8(), at);
        let mut buf = [0u8; 4];
        self.out.push(c.encode_utf8(&mut buf), outer, verbatim);
        self.column += 1;
    }

    fn double_quoted(&mut self, t: &Text, at: &Span, allow_breaks: bool) {
        self.indicator("\"", true, false, false, at);
        let s = &t.value;
        let bom = s.starts_with('\u{feff}');
        let mut spaces = false;
        let mut chars = s.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if !printable(c) || bom || is_break(c) || c == '"' || c == '\\' {
                let (outer, _) = locate(t, i, c.len_utf8(), at);
                let e = escape(c);
                self.out.push(&e, outer, false);
                self.column += e.len();
                spaces = false;
            } else if c == ' ' {
                if allow_breaks && !spaces && self.column > BEST_WIDTH && i > 0 && i < s.len() - 1 {
                    let (outer, _) = locate(t, i, 1, at);
                    self.write_indent(&outer);
                    if chars.peek().is_some_and(|&(_, next)| next == ' ') {
                        self.put("\\", &outer);
                    }
                } else {
                    self.raw(t, i, c, at);
                }
                spaces = true;
            } else {
                self.raw(t, i, c, at);
                spaces = false;
            }
        }
        self.indicator("\"", false, false, false, at);
        self.whitespace = false;
        self.indention = false;
    }

    fn literal(&mut self, t: &Text, at: &Span) {
        let s = &t.value;
        self.indicator("|", true, false, false, at);
        if s.starts_with(' ') || s.chars().next().is_some_and(is_break) {
            self.indicator("2", false, false, false, at);
        }
        self.open_ended = false;
        let mut rev = s.chars().rev();
        let chomp = match (rev.next(), rev.next()) {
            (Some(last), _) if !is_break(last) => Some("-"),
            (Some(_), None) => Some("+"),
            (Some(_), Some(before)) if is_break(before) => Some("+"),
            _ => None,
        };
        if let Some(chomp) = chomp {
            self.indicator(chomp, false, false, false, at);
        }
        self.put_break(at);
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        for (i, c) in s.char_indices() {
            if is_break(c) {
                if c == '\n' {
                    let (outer, verbatim) = locate(t, i, 1, at);
                    self.out.push("\n", outer, verbatim);
                } else {
                    self.raw(t, i, c, at);
                }
                self.column = 0;
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent(at);
                }
                self.raw(t, i, c, at);
                self.indention = false;
                breaks = false;
            }
        }
    }
}

/// A character as a double-quoted YAML escape, the way go-yaml writes it.
fn escape(c: char) -> String {
    let short = match c {
        '\0' => '0',
        '\u{7}' => 'a',
        '\u{8}' => 'b',
        '\t' => 't',
        '\n' => 'n',
        '\u{b}' => 'v',
        '\u{c}' => 'f',
        '\r' => 'r',
        '\u{1b}' => 'e',
        '"' => '"',
        '\\' => '\\',
        '\u{85}' => 'N',
        '\u{a0}' => '_',
        '\u{2028}' => 'L',
        '\u{2029}' => 'P',
        _ => {
            let v = u32::from(c);
            return if v <= 0xFF {
                format!("\\x{v:02X}")
            } else if v <= 0xFFFF {
                format!("\\u{v:04X}")
            } else {
                format!("\\U{v:08X}")
            };
        }
    };
    format!("\\{short}")
}
