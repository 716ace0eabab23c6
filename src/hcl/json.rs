//! Terraform's JSON syntax (`.tf.json`), read by transpiling it into HCL native syntax whose
//! bytes sit at the offsets of the JSON bytes they come from, so that what `hcl-edit` parses
//! from it carries spans into the `.tf.json` file itself.
//!
//! [`to_native`] returns one or more native texts, each exactly as long as the JSON text and
//! blank (spaces) except where it holds blocks. In place:
//! - a block type key `"resource":` becomes the identifier `resource` (its quotes a line break
//!   and a space), label keys stay quoted strings where they are, the `{` of the body stays;
//!   the `{`, `}`, `[`, `]`, `:` and `,` of label levels and of the root object are blank;
//! - an attribute `"key": value` becomes `key = value` (the opening quote a line break, the
//!   closing one a space, the colon `=`); a nested block (`metadata` of the `kubernetes_config_map*`
//!   resources and data sources, `access_config` of `aws_eks_cluster`, `lifecycle` and `timeouts`
//!   of any) becomes `metadata {`; a body's closing `}` keeps its place when a blank precedes it,
//!   else moves one byte right (into the closer or comma that follows, which native syntax does
//!   not need) to make room for the line break native syntax needs before it;
//! - a value keeps every byte where it is (numbers, `true`, `false`, `null`, brackets, commas and
//!   colons are native syntax as written), except its strings, rewritten by [`template`] (a
//!   string that is one interpolation, `"${yamlencode(...)}"`, becomes the bare expression: the
//!   same value, and the loader sees the call).
//!
//! Blocks that share a key (several resources of one type, `"locals": [{...}, {...}]`) cannot
//! all write their header in place: a later one writes the identifier and the labels it shares
//! just before its own last label (or body), in the first text where that space is blank (the
//! bytes of the blocks the text does not hold), else goes into a new text with its header in
//! place, up to [`MAX_TEXTS`] texts (then: a [`ParseError`], for blocks too small to leave room). Such a block's span starts at that identifier,
//! a few bytes before its name. The resources that own a whole `ConfigMap` keep their type label
//! in place (its span is reported). [`crate::hcl::parse::parse`] parses every text and merges
//! the blocks in source order.
//!
//! Strings are templates in Terraform's JSON syntax (`"${var.x}"` interpolates). A JSON string
//! is decoded, then written as a native quoted template of the same length: literal text with
//! native escapes (`\"`, `\\`, `\n`, `\r`, `\t`; a control character from `\b`, `\f` or `\u00XX`
//! as the raw character, which native strings take), the inside of `${ }` and `%{ }` as native
//! expression text (so `\"` there is a bare quote). JSON escapes are at least as long as what
//! replaces them; what a string saves is written as blanks after its closing quote, or inside an
//! interpolation where a blank is harmless. A string keeps its start, and every byte before its
//! first shortened escape; past one, the literal's bytes no longer match the file and the
//! evaluator ([`crate::hcl::eval`]) spans that literal as a whole.
//!
//! The property `"//"` of the root object or of a block body is a comment (dropped, blank); in
//! an object value it is an ordinary key. A `variable`'s `type` is a string holding a type
//! expression (`"list(string)"`): its quotes become blanks. A `dynamic` block is kept as an
//! attribute (awsauth evaluates no `dynamic` block). Not JSON, or not shaped as Terraform
//! reads it: a [`ParseError`] at the offending byte.

use super::parse::{MAX_NESTING, ParseError};

/// The kinds of `kubernetes_config_map*` whose `metadata` is a block.
const CONFIG_MAPS: [&str; 3] = [
    "kubernetes_config_map",
    "kubernetes_config_map_v1",
    "kubernetes_config_map_v1_data",
];

/// The resources whose header must keep its type label in place (the loader reports it).
const OWNERS: [&str; 2] = ["kubernetes_config_map", "kubernetes_config_map_v1"];

/// Transpiles a `.tf.json` text into native texts of the same length (see the module docs).
pub fn to_native(text: &str) -> Result<Vec<String>, ParseError> {
    let root = Scanner::new(text).document()?;
    let Kind::Object(members) = &root.kind else {
        return Err(error(
            text,
            root.span.start,
            "expected a JSON object at the top level",
        ));
    };
    let mut out = Out {
        src: text,
        texts: Vec::new(),
    };
    for m in members {
        let name = key_name(text, m);
        if name == "//" {
            continue;
        }
        let Some(labels) = label_count(&name) else {
            return Err(error(
                text,
                m.key.start,
                &format!("unsupported block type `{name}`"),
            ));
        };
        let mut keys = vec![m.key.clone()];
        instances(&mut out, &m.value, labels, &mut keys)?;
    }
    Ok(out
        .texts
        .into_iter()
        .map(|t| String::from_utf8(t.buf).unwrap_or_default())
        .collect())
}

/// How many labels a top-level block type takes (`None`: not a Terraform block type).
fn label_count(name: &str) -> Option<usize> {
    match name {
        "resource" | "data" => Some(2),
        "module" | "variable" | "output" | "provider" | "check" => Some(1),
        "locals" | "terraform" | "moved" | "import" | "removed" => Some(0),
        _ => None,
    }
}

/// A key's decoded value.
fn key_name(src: &str, m: &Member) -> String {
    decode(&src[m.key.clone()])
        .into_iter()
        .map(|(c, _)| c)
        .collect()
}

/// The error at byte `at` (widened to its character).
fn error(text: &str, at: usize, message: &str) -> ParseError {
    let start = at.min(text.len());
    let end = text[start..]
        .chars()
        .next()
        .map_or(start, |c| start + c.len_utf8());
    ParseError {
        message: message.to_owned(),
        span: start..end,
    }
}

// ---------------------------------------------------------------------------------------------
// JSON, with spans

/// A JSON value and where it is.
#[derive(Debug)]
struct Node {
    span: std::ops::Range<usize>,
    kind: Kind,
}

#[derive(Debug)]
enum Kind {
    Object(Vec<Member>),
    Array(Vec<Node>),
    String,
    Other,
}

/// A property: its key (the string token, quotes included), colon and value.
#[derive(Debug)]
struct Member {
    key: std::ops::Range<usize>,
    colon: usize,
    value: Node,
}

/// A strict JSON (RFC 8259) reader keeping spans, nesting at most [`MAX_NESTING`] levels.
struct Scanner<'a> {
    src: &'a str,
    bytes: &'a [u8],
    at: usize,
    depth: usize,
}

impl<'a> Scanner<'a> {
    fn new(src: &'a str) -> Self {
        Self {
            src,
            bytes: src.as_bytes(),
            at: 0,
            depth: 0,
        }
    }

    fn fail<T>(&self, message: &str) -> Result<T, ParseError> {
        Err(error(self.src, self.at, message))
    }

    fn document(mut self) -> Result<Node, ParseError> {
        self.blank();
        let node = self.value()?;
        self.blank();
        if self.at < self.bytes.len() {
            return self.fail("unexpected text after the JSON value");
        }
        Ok(node)
    }

    fn blank(&mut self) {
        while matches!(self.bytes.get(self.at), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn value(&mut self) -> Result<Node, ParseError> {
        let start = self.at;
        match self.bytes.get(self.at) {
            Some(b'{' | b'[') => {
                self.depth += 1;
                if self.depth > MAX_NESTING {
                    return self.fail(&format!("nesting deeper than {MAX_NESTING} levels"));
                }
                let kind = if self.bytes[self.at] == b'{' {
                    Kind::Object(self.object()?)
                } else {
                    Kind::Array(self.array()?)
                };
                self.depth -= 1;
                Ok(Node {
                    span: start..self.at,
                    kind,
                })
            }
            Some(b'"') => {
                self.string()?;
                Ok(Node {
                    span: start..self.at,
                    kind: Kind::String,
                })
            }
            Some(b'-' | b'0'..=b'9') => {
                self.number()?;
                Ok(Node {
                    span: start..self.at,
                    kind: Kind::Other,
                })
            }
            _ => {
                for word in ["true", "false", "null"] {
                    if self.bytes[self.at..].starts_with(word.as_bytes()) {
                        self.at += word.len();
                        return Ok(Node {
                            span: start..self.at,
                            kind: Kind::Other,
                        });
                    }
                }
                self.fail("expected a JSON value")
            }
        }
    }

    fn object(&mut self) -> Result<Vec<Member>, ParseError> {
        self.at += 1;
        let mut members = Vec::new();
        self.blank();
        if self.bytes.get(self.at) == Some(&b'}') {
            self.at += 1;
            return Ok(members);
        }
        loop {
            self.blank();
            if self.bytes.get(self.at) != Some(&b'"') {
                return self.fail("expected a property name (a JSON string)");
            }
            let start = self.at;
            self.string()?;
            let key = start..self.at;
            self.blank();
            if self.bytes.get(self.at) != Some(&b':') {
                return self.fail("expected `:`");
            }
            let colon = self.at;
            self.at += 1;
            self.blank();
            let value = self.value()?;
            members.push(Member { key, colon, value });
            self.blank();
            match self.bytes.get(self.at) {
                Some(b',') => self.at += 1,
                Some(b'}') => {
                    self.at += 1;
                    return Ok(members);
                }
                _ => return self.fail("expected `,` or `}`"),
            }
        }
    }

    fn array(&mut self) -> Result<Vec<Node>, ParseError> {
        self.at += 1;
        let mut items = Vec::new();
        self.blank();
        if self.bytes.get(self.at) == Some(&b']') {
            self.at += 1;
            return Ok(items);
        }
        loop {
            self.blank();
            items.push(self.value()?);
            self.blank();
            match self.bytes.get(self.at) {
                Some(b',') => self.at += 1,
                Some(b']') => {
                    self.at += 1;
                    return Ok(items);
                }
                _ => return self.fail("expected `,` or `]`"),
            }
        }
    }

    fn string(&mut self) -> Result<(), ParseError> {
        self.at += 1;
        loop {
            match self.bytes.get(self.at) {
                None => return self.fail("unterminated string"),
                Some(b'"') => {
                    self.at += 1;
                    return Ok(());
                }
                Some(b'\\') => {
                    self.at += 1;
                    match self.bytes.get(self.at) {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {
                            self.at += 1;
                        }
                        Some(b'u') => {
                            let hex = self.bytes.get(self.at + 1..self.at + 5);
                            if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
                                return self.fail("invalid `\\u` escape");
                            }
                            self.at += 5;
                        }
                        _ => return self.fail("invalid escape"),
                    }
                }
                Some(&b) if b < 0x20 => return self.fail("control character in a string"),
                Some(_) => {
                    // a whole character: the text is UTF-8
                    let c = self.src[self.at..].chars().next().map_or(1, char::len_utf8);
                    self.at += c;
                }
            }
        }
    }

    fn number(&mut self) -> Result<(), ParseError> {
        let digits = |s: &mut Self| {
            let start = s.at;
            while s.bytes.get(s.at).is_some_and(u8::is_ascii_digit) {
                s.at += 1;
            }
            s.at > start
        };
        if self.bytes.get(self.at) == Some(&b'-') {
            self.at += 1;
        }
        if self.bytes.get(self.at) == Some(&b'0') {
            self.at += 1;
        } else if !digits(self) {
            return self.fail("invalid number");
        }
        if self.bytes.get(self.at) == Some(&b'.') {
            self.at += 1;
            if !digits(self) {
                return self.fail("invalid number");
            }
        }
        if matches!(self.bytes.get(self.at), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.bytes.get(self.at), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if !digits(self) {
                return self.fail("invalid number");
            }
        }
        Ok(())
    }
}

/// The characters of a JSON string token (quotes included, already validated), each with the
/// length of its source: escapes decoded, a surrogate pair joined, a lone surrogate U+FFFD.
fn decode(token: &str) -> Vec<(char, usize)> {
    let inner = token
        .get(1..token.len().saturating_sub(1))
        .unwrap_or_default();
    let mut out = Vec::new();
    let mut rest = inner;
    while let Some(c) = rest.chars().next() {
        if c != '\\' {
            out.push((c, c.len_utf8()));
            rest = &rest[c.len_utf8()..];
            continue;
        }
        let e = rest.as_bytes().get(1).copied().unwrap_or(b'\\');
        let simple = match e {
            b'"' => Some('"'),
            b'\\' => Some('\\'),
            b'/' => Some('/'),
            b'b' => Some('\u{8}'),
            b'f' => Some('\u{c}'),
            b'n' => Some('\n'),
            b'r' => Some('\r'),
            b't' => Some('\t'),
            _ => None,
        };
        if let Some(s) = simple {
            out.push((s, 2));
            rest = rest.get(2..).unwrap_or_default();
            continue;
        }
        let hex = |s: &str| s.get(2..6).and_then(|h| u32::from_str_radix(h, 16).ok());
        let Some(hi) = hex(rest) else {
            // not reached for a validated token: keep the backslash
            out.push(('\\', 1));
            rest = &rest[1..];
            continue;
        };
        let low = rest.get(6..).filter(|r| r.starts_with("\\u")).and_then(hex);
        if let (0xD800..=0xDBFF, Some(lo @ 0xDC00..=0xDFFF)) = (hi, low) {
            let c = char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00));
            out.push((c.unwrap_or('\u{FFFD}'), 12));
            rest = rest.get(12..).unwrap_or_default();
        } else {
            out.push((char::from_u32(hi).unwrap_or('\u{FFFD}'), 6));
            rest = rest.get(6..).unwrap_or_default();
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Strings

/// Where a character of a template is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ctx {
    /// The literal text of the JSON string itself.
    Top,
    /// A quoted string inside an interpolation (native syntax).
    Quoted,
    /// Inside `${ }` or `%{ }`, with the depth of braces opened in it.
    Expr(usize),
}

/// A JSON string value: its native template (see [`template`]), or, when the whole string is
/// one interpolation (`"${x}"`) on one line, the bare expression `x` with the quotes, `${`, `}`
/// (and strip markers) blank: the same value (a template that is one interpolation is that
/// value, whatever its type), and what the loader recognizes as `yamlencode(...)`.
fn value_template(token: &str) -> Vec<u8> {
    let (mut out, wrap) = template(token);
    if let Some(close) = wrap {
        for i in [0, 1, 2, close, close + 1] {
            out[i] = b' ';
        }
        if out[3] == b'~' {
            out[3] = b' ';
        }
        if out[close - 1] == b'~' {
            out[close - 1] = b' ';
        }
    }
    out
}

/// A literal character as a native quoted string writes it.
fn native_escape(c: char, buf: &mut [u8; 4]) -> &[u8] {
    match c {
        '"' => b"\\\"",
        '\\' => b"\\\\",
        '\n' => b"\\n",
        '\r' => b"\\r",
        '\t' => b"\\t",
        _ => c.encode_utf8(buf).as_bytes(),
    }
}

/// A JSON string token rewritten as a native quoted template of the same length (see the
/// module docs), and where the `}` is when the template is one interpolation.
fn template(token: &str) -> (Vec<u8>, Option<usize>) {
    let chars = decode(token);
    // top-level elements written (literal characters, interpolations), and the `}` of the last
    let mut elements = 0usize;
    let mut closed = None;
    let mut out = Vec::with_capacity(token.len());
    out.push(b'"');
    let mut debt = 0usize;
    let mut stack = vec![Ctx::Top];
    let mut i = 0;
    let mut buf = [0u8; 4];
    while i < chars.len() {
        let (c, len) = chars[i];
        debt += len;
        let next = chars.get(i + 1).map(|x| x.0);
        let ctx = *stack.last().unwrap_or(&Ctx::Top);
        let emit = |out: &mut Vec<u8>, debt: &mut usize, s: &[u8]| {
            out.extend_from_slice(s);
            *debt = debt.saturating_sub(s.len());
        };
        match ctx {
            Ctx::Top | Ctx::Quoted => {
                let escaped_intro = (c == '$' || c == '%')
                    && next == Some(c)
                    && chars.get(i + 2).map(|x| x.0) == Some('{');
                if escaped_intro {
                    // `$${` and `%%{` are literal `${` and `%{` in both syntaxes
                    debt += chars[i + 1].1 + chars[i + 2].1;
                    let b = if c == '$' { b'$' } else { b'%' };
                    emit(&mut out, &mut debt, &[b, b, b'{']);
                    elements += 2;
                    i += 3;
                    continue;
                }
                if (c == '$' || c == '%') && next == Some('{') {
                    debt += chars[i + 1].1;
                    let b = if c == '$' { b'$' } else { b'%' };
                    emit(&mut out, &mut debt, &[b, b'{']);
                    elements += usize::from(ctx == Ctx::Top && c == '$') + usize::from(c == '%');
                    stack.push(Ctx::Expr(0));
                    i += 2;
                    continue;
                }
                if ctx == Ctx::Quoted {
                    match c {
                        '\\' => {
                            // a native escape: its character goes along unchanged
                            emit(&mut out, &mut debt, b"\\");
                            if let Some(&(n, nlen)) = chars.get(i + 1) {
                                debt += nlen;
                                emit(&mut out, &mut debt, n.encode_utf8(&mut buf).as_bytes());
                                i += 1;
                            }
                        }
                        '"' => {
                            emit(&mut out, &mut debt, b"\"");
                            stack.pop();
                        }
                        _ => emit(&mut out, &mut debt, c.encode_utf8(&mut buf).as_bytes()),
                    }
                } else {
                    elements += 2;
                    emit(&mut out, &mut debt, native_escape(c, &mut buf));
                }
            }
            Ctx::Expr(depth) => {
                let pad_ok = matches!(
                    c,
                    ' ' | '\t' | '\n' | '\r' | '"' | ',' | ':' | '(' | ')' | '[' | ']' | '{' | '}'
                ) && out.last() != Some(&b'~');
                // blanks before the character, which then ends where its source ends
                let pad = debt.saturating_sub(c.len_utf8());
                if pad_ok && pad > 0 {
                    out.extend(std::iter::repeat_n(b' ', pad));
                    debt -= pad;
                }
                match c {
                    '"' => stack.push(Ctx::Quoted),
                    '{' => {
                        stack.pop();
                        stack.push(Ctx::Expr(depth + 1));
                    }
                    '}' => {
                        stack.pop();
                        if depth > 0 {
                            stack.push(Ctx::Expr(depth - 1));
                        } else if stack.len() == 1 {
                            closed = Some(out.len());
                        }
                    }
                    _ => {}
                }
                emit(&mut out, &mut debt, c.encode_utf8(&mut buf).as_bytes());
            }
        }
        i += 1;
    }
    let wrap = closed.filter(|&c| {
        elements == 1
            && stack.len() == 1
            && c + 1 == out.len()
            && out.starts_with(b"\"${")
            // a line break ends a bare expression, not an interpolation
            && !chars.iter().any(|&(ch, _)| ch == '\n' || ch == '\r')
    });
    out.push(b'"');
    out.resize(token.len().max(out.len()), b' ');
    if out.len() > token.len() {
        // not reached: nothing written is longer than its JSON source
        return (token.as_bytes().to_vec(), None);
    }
    (out, wrap)
}

/// A value's native text: its bytes as written, its strings (keys included) rewritten.
fn expression(src: &str, node: &Node) -> Vec<u8> {
    let mut out = src.as_bytes()[node.span.clone()].to_vec();
    let base = node.span.start;
    let mut put = |span: &std::ops::Range<usize>, key: bool| {
        let token = &src[span.clone()];
        let native = if key {
            template(token).0
        } else {
            value_template(token)
        };
        out[span.start - base..span.end - base].copy_from_slice(&native);
    };
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        match &n.kind {
            Kind::String => put(&n.span, false),
            Kind::Object(members) => {
                for m in members {
                    put(&m.key, true);
                    stack.push(&m.value);
                }
            }
            Kind::Array(items) => stack.extend(items),
            Kind::Other => {}
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Blocks

/// The native texts being written.
struct Out<'a> {
    src: &'a str,
    texts: Vec<Text>,
}

/// One native text: its bytes and the first offset nothing is written at yet.
struct Text {
    buf: Vec<u8>,
    free: usize,
}

/// Writes planned for one block, in increasing offsets.
struct Plan {
    writes: Vec<(usize, Vec<u8>)>,
    cursor: usize,
}

/// Why a block cannot be planned.
enum Refusal {
    /// It does not fit where it was tried.
    NoRoom,
    /// It is not shaped as Terraform reads it: where, and why.
    Bad(usize, String),
}
use Refusal::NoRoom;

impl Plan {
    fn put(&mut self, at: usize, bytes: impl Into<Vec<u8>>) -> Result<(), Refusal> {
        let bytes = bytes.into();
        if at < self.cursor {
            return Err(NoRoom);
        }
        self.cursor = at + bytes.len();
        self.writes.push((at, bytes));
        Ok(())
    }
}

/// One block to write: its type and label keys, and its body.
struct Instance<'n> {
    keys: Vec<std::ops::Range<usize>>,
    body: &'n Node,
}

/// Collects the blocks under a block type key (`labels` levels still to read) and writes them.
fn instances(
    out: &mut Out<'_>,
    node: &Node,
    labels: usize,
    keys: &mut Vec<std::ops::Range<usize>>,
) -> Result<(), ParseError> {
    let src = out.src;
    match &node.kind {
        Kind::Array(items) => {
            for item in items {
                if !matches!(item.kind, Kind::Object(_)) {
                    return Err(error(src, item.span.start, "expected a JSON object"));
                }
                instances(out, item, labels, keys)?;
            }
            Ok(())
        }
        Kind::Object(members) if labels > 0 => {
            for m in members {
                if src[m.key.clone()].contains('\\') {
                    return Err(error(
                        src,
                        m.key.start,
                        "a block label written with escapes",
                    ));
                }
                keys.push(m.key.clone());
                let r = instances(out, &m.value, labels - 1, keys);
                keys.pop();
                r?;
            }
            Ok(())
        }
        Kind::Object(_) => place(
            out,
            &Instance {
                keys: keys.clone(),
                body: node,
            },
        ),
        _ => Err(error(src, node.span.start, "expected a JSON object")),
    }
}

/// How many native texts a file may take: each is as long as the file, and parsed in full.
const MAX_TEXTS: usize = 8;

/// Writes a block into the first text it fits in (see the module docs): with its header in
/// place, else with its shared keys written before its own; in a new text while there are
/// fewer than [`MAX_TEXTS`], else wherever it fits.
fn place(out: &mut Out<'_>, inst: &Instance<'_>) -> Result<(), ParseError> {
    let src = out.src;
    let owner = src[inst.keys[0].clone()] == *"\"resource\""
        && inst
            .keys
            .get(1)
            .is_some_and(|k| OWNERS.contains(&&src[k.start + 1..k.end - 1]));
    let all = inst.keys.len();
    let preferred = if owner { 1 } else { all };
    if try_texts(out, inst, preferred)? {
        return Ok(());
    }
    if out.texts.len() < MAX_TEXTS {
        out.texts.push(Text {
            buf: vec![b' '; src.len()],
            free: 0,
        });
        if try_texts(out, inst, 0)? {
            return Ok(());
        }
    } else if try_texts(out, inst, all)? {
        return Ok(());
    }
    Err(error(
        src,
        inst.body.span.start,
        "no room to read this block: too many blocks share its type and labels",
    ))
}

/// Tries to plan a block with up to `max_j` keys written before its own, in each text.
fn try_texts(out: &mut Out<'_>, inst: &Instance<'_>, max_j: usize) -> Result<bool, ParseError> {
    for j in 0..=max_j {
        for text in &mut out.texts {
            match plan_block(out.src, inst, j, text.free) {
                Ok(plan) => {
                    commit(text, plan);
                    return Ok(true);
                }
                Err(Refusal::Bad(at, why)) => return Err(error(out.src, at, &why)),
                Err(NoRoom) => {}
            }
        }
    }
    Ok(false)
}

fn commit(text: &mut Text, plan: Plan) {
    for (at, bytes) in plan.writes {
        text.buf[at..at + bytes.len()].copy_from_slice(&bytes);
    }
    text.free = plan.cursor;
}

/// Plans a block with its first `j` keys (the type, then labels) written just before key `j`
/// (or the body) and the others in place, starting at `free`.
fn plan_block(src: &str, inst: &Instance<'_>, j: usize, free: usize) -> Result<Plan, Refusal> {
    let mut plan = Plan {
        writes: Vec::new(),
        cursor: free,
    };
    let keys = &inst.keys;
    let ident = &src[keys[0].start + 1..keys[0].end - 1];
    if j == 0 {
        plan.put(keys[0].start, format!("\n{ident}"))?;
    } else {
        let mut header = format!("\n{ident} ");
        for k in &keys[1..j] {
            header.push_str(&src[k.clone()]);
            header.push(' ');
        }
        let before = keys.get(j).map_or(inst.body.span.start, |k| k.start);
        plan.put(before.checked_sub(header.len()).ok_or(NoRoom)?, header)?;
    }
    for k in keys.iter().skip(j.max(1)) {
        plan.put(k.start, &src.as_bytes()[k.clone()])?;
    }
    let kind = keys.get(1).map(|k| &src[k.start + 1..k.end - 1]);
    let nested = |name: &str| match ident {
        "resource" | "data" => {
            matches!(name, "lifecycle" | "timeouts")
                || (name == "metadata" && kind.is_some_and(|k| CONFIG_MAPS.contains(&k)))
                || (name == "access_config" && kind == Some("aws_eks_cluster"))
        }
        _ => false,
    };
    body(src, inst.body, &mut plan, &nested, ident == "variable")?;
    Ok(plan)
}

/// Plans a block body (`{` to `}`) whose nested block names `nested` tells.
fn body(
    src: &str,
    node: &Node,
    plan: &mut Plan,
    nested: &dyn Fn(&str) -> bool,
    variable: bool,
) -> Result<(), Refusal> {
    let Kind::Object(members) = &node.kind else {
        return Err(Refusal::Bad(
            node.span.start,
            "expected a JSON object".to_owned(),
        ));
    };
    plan.put(node.span.start, "{")?;
    let mut written = false;
    for m in members {
        let raw = &src[m.key.start + 1..m.key.end - 1];
        if raw == "//" {
            continue;
        }
        written = true;
        if nested(raw) {
            let inner = match &m.value.kind {
                Kind::Object(_) => &m.value,
                Kind::Array(items) if items.is_empty() => continue,
                Kind::Array(items) if items.len() == 1 => &items[0],
                Kind::Array(items) => {
                    return Err(Refusal::Bad(
                        items[1].span.start,
                        "a second block of this type".to_owned(),
                    ));
                }
                _ => {
                    return Err(Refusal::Bad(
                        m.value.span.start,
                        "expected a JSON object".to_owned(),
                    ));
                }
            };
            plan.put(m.key.start, format!("\n{raw}"))?;
            body(src, inner, plan, &|_| false, false)?;
            continue;
        }
        if !is_identifier(raw) {
            return Err(Refusal::Bad(
                m.key.start,
                format!("`{raw}` is not a valid attribute name"),
            ));
        }
        plan.put(m.key.start, format!("\n{raw}"))?;
        plan.put(m.colon, "=")?;
        let value = &m.value;
        let text = &src[value.span.clone()];
        if variable && raw == "type" && matches!(value.kind, Kind::String) && !text.contains('\\') {
            // a type expression written as a string: its quotes blank
            plan.put(value.span.start + 1, &text.as_bytes()[1..text.len() - 1])?;
        } else {
            plan.put(value.span.start, expression(src, value))?;
        }
    }
    let close = node.span.end - 1;
    if !written {
        return plan.put(close, "}");
    }
    let blank_before = matches!(src.as_bytes()[close - 1], b' ' | b'\t' | b'\n' | b'\r');
    if blank_before && close > plan.cursor {
        plan.put(close - 1, "\n}")
    } else {
        plan.put(close.max(plan.cursor), "\n}")?;
        if plan.cursor > src.len() {
            return Err(NoRoom);
        }
        Ok(())
    }
}

/// Whether a key is a native identifier (a letter or `_`, then letters, digits, `_` or `-`).
fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

#[cfg(test)]
#[path = "json/tests.rs"]
mod tests;
