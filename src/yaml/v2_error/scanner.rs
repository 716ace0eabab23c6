//! libyaml's scanner, re-enacted: tokens with their start marks, and the first error.

// libyaml counts columns and indents in signed integers (`-1`: no indentation yet); the casts
// between them and byte offsets mirror its C.
#![allow(
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss,
    clippy::cast_possible_truncation
)]

use std::collections::VecDeque;

use super::{Failure, Mark, Stage};

// Characters

/// The characters the reader lets through (YAML 1.1's printable set, NEL included).
fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | ' '..='~' | '\u{85}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}')
        || c >= '\u{10000}'
}

/// The byte offset of the first character the reader refuses, looked for in the bytes: C0
/// controls but tab and line breaks, DEL, C1 controls but NEL (`C2 80`-`C2 9F`), U+FFFE and
/// U+FFFF (`EF BF BE`, `EF BF BF`).
fn first_refused(text: &str) -> Option<usize> {
    let b = text.as_bytes();
    // most texts have none of the bytes that start a refused character: look at whole blocks
    // (a loop the compiler turns into vector instructions) before looking closer
    let suspect = |c: u8| {
        (c < 0x20 && c != b'\t' && c != b'\n' && c != b'\r') || c == 0x7f || c == 0xc2 || c == 0xef
    };
    let clean = b
        .chunks(64)
        .take_while(|chunk| !chunk.iter().fold(false, |any, &c| any | suspect(c)))
        .count()
        * 64;
    let found = b
        .iter()
        .enumerate()
        .skip(clean)
        .position(|(i, &c)| match c {
            0x00..=0x08 | 0x0b | 0x0c | 0x0e..=0x1f | 0x7f => true,
            0xc2 => b
                .get(i + 1)
                .is_some_and(|&n| (0x80..=0x9f).contains(&n) && n != 0x85),
            0xef => b.get(i + 1) == Some(&0xbf) && matches!(b.get(i + 2), Some(0xbe | 0xbf)),
            _ => false,
        })
        .map(|i| i + clean);
    debug_assert!(found.is_none_or(|i| !allowed(text[i..].chars().next().unwrap_or(' '))));
    found
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// End of input is seen as NUL (the reader never lets a real NUL through).
const END: char = '\0';

fn is_breakz(c: char) -> bool {
    is_break(c) || c == END
}

fn is_blankz(c: char) -> bool {
    is_blank(c) || is_breakz(c)
}

/// libyaml's `is_alpha`: ASCII letters, digits, `_` and `-`.
fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// Characters a tag URI may hold (besides word characters).
fn is_uri(c: char) -> bool {
    is_word(c) || ";/?:@&=+$,.!~*'()[]%".contains(c)
}

// ---------------------------------------------------------------------------------------------
// Tokens

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    StreamStart,
    StreamEnd,
    VersionDirective,
    TagDirective,
    DocumentStart,
    DocumentEnd,
    BlockSequenceStart,
    BlockMappingStart,
    BlockEnd,
    FlowSequenceStart,
    FlowSequenceEnd,
    FlowMappingStart,
    FlowMappingEnd,
    BlockEntry,
    FlowEntry,
    Key,
    Value,
    Alias,
    Anchor,
    Tag,
    Scalar,
}

#[derive(Debug, Clone)]
pub(super) struct Token {
    pub(super) kind: Kind,
    pub(super) start: Mark,
    /// Anchor and alias names, tag and `%TAG` handles (empty for other tokens: no allocation).
    pub(super) name: String,
    /// `%YAML` version.
    pub(super) version: (u32, u32),
    /// Byte offset just past the token's text (its start for the zero-width tokens).
    pub(super) end: usize,
}

impl Token {
    fn new(kind: Kind, start: Mark) -> Self {
        Self {
            kind,
            start,
            name: String::new(),
            version: (0, 0),
            end: start.offset,
        }
    }

    fn ending(mut self, end: usize) -> Self {
        self.end = end;
        self
    }
}

/// A place where a plain or quoted scalar, anchor, tag or flow collection began, which a later
/// `:` may turn into a mapping key.
#[derive(Debug, Clone, Copy, Default)]
struct Candidate {
    possible: bool,
    /// In block context at the indentation column: a `:` must follow on the same line.
    required: bool,
    /// The number the candidate's first token has in the whole token stream.
    token: usize,
    mark: Mark,
}

/// Failures are boxed: they are rare, and results pass through every scanning step.
pub(super) type Result<T> = std::result::Result<T, Box<Failure>>;

/// How far libyaml lets nesting go.
const MAX_DEPTH: usize = 10_000;

/// The reader decodes its input in blocks of this many bytes; a disallowed character is
/// refused as soon as its block is decoded, before the scanner gets there.
const READ_BLOCK: usize = 512;

pub(super) struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    /// Where the scanner is (`mark.offset` is the next character).
    mark: Mark,
    /// Bytes handed to the decoder so far, and the end of the whole characters among them.
    read: usize,
    decoded: usize,
    /// Byte offset of the first character the reader refuses.
    refused: Option<usize>,

    /// Tokens scanned and not yet taken by the parser.
    pub(super) queue: VecDeque<Token>,
    /// Tokens taken by the parser so far.
    taken: usize,
    ready: bool,
    started: bool,

    /// Indentation column of the open block collection (-1 at the top), and the outer ones.
    indent: isize,
    indents: Vec<isize>,
    flow: usize,
    /// Whether a key may start here (libyaml's `simple_key_allowed`).
    key_allowed: bool,
    /// One candidate per flow level, the block level first.
    candidates: Vec<Candidate>,
    /// (token number, level) of candidates libyaml looks up by the number of the token at the
    /// head of the queue; numbers behind the head are never looked up again and are pruned.
    candidate_at: Vec<(usize, usize)>,
}

/// The length of the UTF-8 sequence a byte starts.
fn width(b: u8) -> usize {
    match b {
        0x00..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        _ => 4,
    }
}

/// The ASCII bytes that never end a plain scalar nor need a closer look (alphanumerics and
/// ``-_./@=+*'"!$%&()<>|;^~` ``), as a table: the hot loop of a long section.
const PLAIN_RUN: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    let extra = b"-_./@=+*'\"!$%&()<>|;^~`";
    let mut i = 0;
    while i < extra.len() {
        t[extra[i] as usize] = true;
        i += 1;
    }
    t
};

impl<'a> Scanner<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        // a byte-order mark is dropped by the reader and not counted
        let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
        let refused = first_refused(text);
        Self {
            text,
            bytes: text.as_bytes(),
            mark: Mark {
                offset: start,
                ..Mark::default()
            },
            read: 0,
            decoded: 0,
            refused,
            queue: VecDeque::new(),
            taken: 0,
            ready: false,
            started: false,
            indent: -1,
            indents: Vec::new(),
            flow: 0,
            key_allowed: false,
            candidates: Vec::new(),
            candidate_at: Vec::new(),
        }
    }

    // -- reading ------------------------------------------------------------------------------

    /// The byte offset `k` characters ahead (the end of the text at most).
    fn ahead(&self, k: usize) -> usize {
        let mut p = self.mark.offset;
        for _ in 0..k {
            match self.bytes.get(p) {
                Some(&b) => p += width(b),
                None => break,
            }
        }
        p.min(self.bytes.len())
    }

    /// The character `k` places ahead (END past the end).
    #[inline]
    fn ch(&self, k: usize) -> char {
        let p = if k == 0 {
            self.mark.offset
        } else {
            self.ahead(k)
        };
        match self.bytes.get(p) {
            None => END,
            Some(&b) if b < 0x80 => char::from(b),
            Some(_) => self
                .text
                .get(p..)
                .and_then(|t| t.chars().next())
                .unwrap_or(END),
        }
    }

    /// Makes sure `n` characters are decoded, as libyaml's reader does before the scanner
    /// looks at them: blocks of bytes at a time, refusing a disallowed character in any of
    /// them (so possibly before the scanner gets near it).
    #[inline]
    fn need(&mut self, n: usize) -> Result<()> {
        let Some(bad) = self.refused else {
            return Ok(());
        };
        let last = self.ahead(n.saturating_sub(1));
        while last >= self.decoded && self.read < self.bytes.len() {
            self.read = (self.read + READ_BLOCK).min(self.bytes.len());
            // a character cut by the block's end waits for the next block
            let mut end = self.read;
            while !self.text.is_char_boundary(end) {
                end -= 1;
            }
            self.decoded = end;
            if bad < self.decoded {
                return Err(Box::new(Failure {
                    stage: Stage::Reader,
                    problem: "control characters are not allowed".into(),
                    context: "",
                    problem_mark: None,
                    context_mark: None,
                    at: bad,
                    unclosed: false,
                }));
            }
        }
        Ok(())
    }

    fn skip(&mut self) {
        if let Some(&b) = self.bytes.get(self.mark.offset) {
            self.mark.offset += width(b);
            self.mark.index += 1;
            self.mark.column += 1;
        }
    }

    /// Consumes a line break (CR LF as one).
    fn skip_break(&mut self) {
        let (bytes, chars) = match (self.ch(0), self.ch(1)) {
            ('\r', '\n') => (2, 2),
            (c, _) if is_break(c) => (c.len_utf8(), 1),
            _ => return,
        };
        self.mark.offset += bytes;
        self.mark.index += chars;
        self.mark.column = 0;
        self.mark.line += 1;
    }

    fn error(&self, context: &'static str, context_mark: Mark, problem: &str) -> Box<Failure> {
        Box::new(Failure {
            stage: Stage::Scanner,
            problem: problem.to_owned(),
            context,
            problem_mark: Some(self.mark),
            context_mark: Some(context_mark),
            at: self.mark.offset,
            unclosed: false,
        })
    }

    fn at_document_marker(&self) -> bool {
        self.mark.column == 0
            && matches!(
                (self.ch(0), self.ch(1), self.ch(2)),
                ('-', '-', '-') | ('.', '.', '.')
            )
            && is_blankz(self.ch(3))
    }

    // -- the token queue ----------------------------------------------------------------------

    fn queued(&self) -> usize {
        self.queue.len()
    }

    /// Puts `token` `pos` places after the head of the queue; at the end when `pos` is past
    /// it or negative (libyaml appends a token whose place has already been handed out).
    fn insert(&mut self, pos: Option<usize>, token: Token) {
        match pos {
            Some(p) if p <= self.queue.len() => self.queue.insert(p, token),
            _ => self.queue.push_back(token),
        }
    }

    /// Queues a token ending here.
    fn push(&mut self, kind: Kind, start: Mark) {
        let end = self.mark.offset;
        self.queue.push_back(Token::new(kind, start).ending(end));
    }

    /// The next token, scanning as far as needed to know whether it starts a key.
    pub(super) fn peek(&mut self) -> Result<&Token> {
        if !self.ready {
            self.fetch_more()?;
            self.ready = true;
        }
        self.queue.front().ok_or_else(|| {
            Box::new(Failure {
                stage: Stage::Parser,
                problem: String::new(),
                context: "",
                problem_mark: Some(self.mark),
                context_mark: None,
                at: self.mark.offset,
                unclosed: false,
            })
        })
    }

    pub(super) fn take(&mut self) {
        self.ready = false;
        if self.queue.pop_front().is_some() {
            self.taken += 1;
        }
    }

    /// The level whose candidate starts at the token numbered `token`.
    fn candidate_level(&mut self, token: usize) -> Option<usize> {
        let taken = self.taken;
        self.candidate_at.retain(|&(t, _)| t >= taken);
        self.candidate_at
            .iter()
            .rev()
            .find(|&&(t, _)| t == token)
            .map(|&(_, level)| level)
    }

    fn forget_candidate(&mut self, token: usize) {
        self.candidate_at.retain(|&(t, _)| t != token);
    }

    fn fetch_more(&mut self) -> Result<()> {
        loop {
            if self.queued() > 0 {
                let Some(level) = self.candidate_level(self.taken) else {
                    break;
                };
                if !self.still_possible(level)? {
                    break;
                }
            }
            self.fetch_next()?;
        }
        Ok(())
    }

    /// Whether the candidate of `level` can still become a key: it must be on the current line
    /// and at most 1024 characters back. A stale required candidate is an error.
    fn still_possible(&mut self, level: usize) -> Result<bool> {
        let Some(c) = self.candidates.get(level).copied() else {
            return Ok(false);
        };
        if !c.possible {
            return Ok(false);
        }
        if c.mark.line < self.mark.line || c.mark.index + 1024 < self.mark.index {
            if c.required {
                return Err(self.error(
                    "while scanning a simple key",
                    c.mark,
                    "could not find expected ':'",
                ));
            }
            self.candidates[level].possible = false;
            return Ok(false);
        }
        Ok(true)
    }

    /// Records that a key may start here.
    fn save_candidate(&mut self) -> Result<()> {
        if !self.key_allowed {
            return Ok(());
        }
        let candidate = Candidate {
            possible: true,
            required: self.flow == 0 && self.indent == self.mark.column as isize,
            token: self.taken + self.queued(),
            mark: self.mark,
        };
        self.drop_candidate()?;
        let level = self.candidates.len() - 1;
        self.candidates[level] = candidate;
        self.forget_candidate(candidate.token);
        self.candidate_at.push((candidate.token, level));
        Ok(())
    }

    /// Forgets the candidate of the current level; a required one is an error.
    fn drop_candidate(&mut self) -> Result<()> {
        let level = self.candidates.len() - 1;
        let c = self.candidates[level];
        if c.possible {
            if c.required {
                return Err(self.error(
                    "while scanning a simple key",
                    c.mark,
                    "could not find expected ':'",
                ));
            }
            self.candidates[level].possible = false;
            self.forget_candidate(c.token);
        }
        Ok(())
    }

    fn enter_flow(&mut self) -> Result<()> {
        self.candidates.push(Candidate {
            token: self.taken + self.queued(),
            mark: self.mark,
            ..Candidate::default()
        });
        self.flow += 1;
        if self.flow > MAX_DEPTH {
            let mark = self.mark;
            return Err(self.error(
                "while increasing flow level",
                mark,
                &format!("exceeded max depth of {MAX_DEPTH}"),
            ));
        }
        Ok(())
    }

    fn leave_flow(&mut self) {
        if self.flow > 0 {
            self.flow -= 1;
            if let Some(c) = self.candidates.pop() {
                self.forget_candidate(c.token);
            }
        }
    }

    /// Opens a block collection at `column` when it is deeper than the current one, putting
    /// its start token before the token numbered `number` (or at the end).
    fn open_block(
        &mut self,
        column: usize,
        number: Option<usize>,
        kind: Kind,
        mark: Mark,
    ) -> Result<()> {
        if self.flow > 0 || self.indent >= column as isize {
            return Ok(());
        }
        self.indents.push(self.indent);
        self.indent = column as isize;
        if self.indents.len() > MAX_DEPTH {
            let context = self.candidates.last().map_or(self.mark, |c| c.mark);
            return Err(self.error(
                "while increasing indent level",
                context,
                &format!("exceeded max depth of {MAX_DEPTH}"),
            ));
        }
        let pos = number.and_then(|n| n.checked_sub(self.taken));
        self.insert(pos, Token::new(kind, mark));
        Ok(())
    }

    /// Closes the block collections deeper than `column`.
    fn close_blocks(&mut self, column: isize) {
        if self.flow > 0 {
            return;
        }
        while self.indent > column {
            let m = self.mark;
            self.push(Kind::BlockEnd, m);
            self.indent = self.indents.pop().unwrap_or(-1);
        }
    }

    // -- tokens ---------------------------------------------------------------------------------

    fn fetch_next(&mut self) -> Result<()> {
        self.need(1)?;
        if !self.started {
            self.started = true;
            self.indent = -1;
            self.candidates.push(Candidate::default());
            self.key_allowed = true;
            let m = self.mark;
            self.push(Kind::StreamStart, m);
            return Ok(());
        }
        self.skip_to_token()?;
        self.close_blocks(self.mark.column as isize);
        self.need(4)?;
        let c = self.ch(0);
        let next = self.ch(1);
        let col0 = self.mark.column == 0;
        match c {
            END => self.stream_end(),
            '%' if col0 => self.directive(),
            '-' | '.' if self.at_document_marker() => {
                let kind = if c == '-' {
                    Kind::DocumentStart
                } else {
                    Kind::DocumentEnd
                };
                self.close_blocks(-1);
                self.drop_candidate()?;
                self.key_allowed = false;
                let start = self.mark;
                self.skip();
                self.skip();
                self.skip();
                self.push(kind, start);
                Ok(())
            }
            '[' | '{' => {
                self.save_candidate()?;
                self.enter_flow()?;
                self.key_allowed = true;
                let kind = if c == '[' {
                    Kind::FlowSequenceStart
                } else {
                    Kind::FlowMappingStart
                };
                self.indicator(kind);
                Ok(())
            }
            ']' | '}' => {
                self.drop_candidate()?;
                self.leave_flow();
                self.key_allowed = false;
                let kind = if c == ']' {
                    Kind::FlowSequenceEnd
                } else {
                    Kind::FlowMappingEnd
                };
                self.indicator(kind);
                Ok(())
            }
            ',' => {
                self.drop_candidate()?;
                self.key_allowed = true;
                self.indicator(Kind::FlowEntry);
                Ok(())
            }
            '-' if is_blankz(next) => self.block_entry(),
            '?' if self.flow > 0 || is_blankz(next) => self.explicit_key(),
            ':' if self.flow > 0 || is_blankz(next) => self.value(),
            '*' | '&' => {
                self.save_candidate()?;
                self.key_allowed = false;
                self.anchor(c == '*')
            }
            '!' => {
                self.save_candidate()?;
                self.key_allowed = false;
                self.tag()
            }
            '|' | '>' if self.flow == 0 => {
                self.drop_candidate()?;
                self.key_allowed = true;
                self.block_scalar()
            }
            '\'' | '"' => {
                self.save_candidate()?;
                self.key_allowed = false;
                self.quoted(c == '\'')
            }
            _ if self.starts_plain(c, next) => {
                self.save_candidate()?;
                self.key_allowed = false;
                self.plain()
            }
            _ => {
                let m = self.mark;
                Err(self.error(
                    "while scanning for the next token",
                    m,
                    "found character that cannot start any token",
                ))
            }
        }
    }

    /// Whether a plain scalar starts with `c` (followed by `next`).
    fn starts_plain(&self, c: char, next: char) -> bool {
        let indicator = is_blankz(c) || "-?:,[]{}#&*!|>'\"%@`".contains(c);
        !indicator
            || (c == '-' && !is_blank(next))
            || (self.flow == 0 && (c == '?' || c == ':') && !is_blankz(next))
    }

    /// A one-character token.
    fn indicator(&mut self, kind: Kind) {
        let start = self.mark;
        self.skip();
        self.push(kind, start);
    }

    /// Skips spaces, comments and line breaks. Tabs are skipped only in flow context and where
    /// no key may start.
    fn skip_to_token(&mut self) -> Result<()> {
        loop {
            self.need(1)?;
            while self.ch(0) == ' ' || ((self.flow > 0 || !self.key_allowed) && self.ch(0) == '\t')
            {
                self.skip();
                self.need(1)?;
            }
            if self.ch(0) == '#' {
                while !is_breakz(self.ch(0)) {
                    self.skip();
                    self.need(1)?;
                }
            }
            if !is_break(self.ch(0)) {
                return Ok(());
            }
            self.need(2)?;
            self.skip_break();
            if self.flow == 0 {
                self.key_allowed = true;
            }
        }
    }

    fn stream_end(&mut self) -> Result<()> {
        // the end of the stream is on a line of its own
        if self.mark.column != 0 {
            self.mark.column = 0;
            self.mark.line += 1;
        }
        self.close_blocks(-1);
        self.drop_candidate()?;
        self.key_allowed = false;
        let m = self.mark;
        self.push(Kind::StreamEnd, m);
        Ok(())
    }

    /// In block context, a collection of `kind` opens at the current column, where a key may
    /// start (otherwise `problem`); flow context opens nothing.
    fn open_here(&mut self, problem: &str, kind: Kind) -> Result<()> {
        if self.flow == 0 {
            let m = self.mark;
            if !self.key_allowed {
                return Err(self.error("", m, problem));
            }
            self.open_block(m.column, None, kind, m)?;
        }
        Ok(())
    }

    fn block_entry(&mut self) -> Result<()> {
        self.open_here(
            "block sequence entries are not allowed in this context",
            Kind::BlockSequenceStart,
        )?;
        self.drop_candidate()?;
        self.key_allowed = true;
        self.indicator(Kind::BlockEntry);
        Ok(())
    }

    fn explicit_key(&mut self) -> Result<()> {
        self.open_here(
            "mapping keys are not allowed in this context",
            Kind::BlockMappingStart,
        )?;
        self.drop_candidate()?;
        self.key_allowed = self.flow == 0;
        self.indicator(Kind::Key);
        Ok(())
    }

    fn value(&mut self) -> Result<()> {
        let level = self.candidates.len() - 1;
        if self.still_possible(level)? {
            // the candidate becomes a key: KEY (and maybe the mapping's start) go before it
            let c = self.candidates[level];
            self.insert(
                c.token.checked_sub(self.taken),
                Token::new(Kind::Key, c.mark),
            );
            self.open_block(
                c.mark.column,
                Some(c.token),
                Kind::BlockMappingStart,
                c.mark,
            )?;
            self.candidates[level].possible = false;
            self.forget_candidate(c.token);
            self.key_allowed = false;
        } else {
            self.open_here(
                "mapping values are not allowed in this context",
                Kind::BlockMappingStart,
            )?;
            self.key_allowed = self.flow == 0;
        }
        self.indicator(Kind::Value);
        Ok(())
    }

    fn directive(&mut self) -> Result<()> {
        const CONTEXT: &str = "while scanning a directive";
        self.close_blocks(-1);
        self.drop_candidate()?;
        self.key_allowed = false;
        let start = self.mark;
        self.skip();
        let name = self.word()?;
        if name.is_empty() {
            return Err(self.error(CONTEXT, start, "could not find expected directive name"));
        }
        if !is_blankz(self.ch(0)) {
            return Err(self.error(
                CONTEXT,
                start,
                "found unexpected non-alphabetical character",
            ));
        }
        let token = match name.as_str() {
            "YAML" => {
                const YAML: &str = "while scanning a %YAML directive";
                self.skip_blanks()?;
                let major = self.version_number(start)?;
                if self.ch(0) != '.' {
                    return Err(self.error(
                        YAML,
                        start,
                        "did not find expected digit or '.' character",
                    ));
                }
                self.skip();
                let minor = self.version_number(start)?;
                let mut t = Token::new(Kind::VersionDirective, start);
                t.version = (major, minor);
                t
            }
            "TAG" => {
                const TAG: &str = "while scanning a %TAG directive";
                self.skip_blanks()?;
                let handle = self.tag_handle(true, start)?;
                self.need(1)?;
                if !is_blank(self.ch(0)) {
                    return Err(self.error(TAG, start, "did not find expected whitespace"));
                }
                self.skip_blanks()?;
                self.tag_uri(true, false, start)?;
                self.need(1)?;
                if !is_blankz(self.ch(0)) {
                    return Err(self.error(
                        TAG,
                        start,
                        "did not find expected whitespace or line break",
                    ));
                }
                let mut t = Token::new(Kind::TagDirective, start);
                t.name = handle;
                t
            }
            _ => return Err(self.error(CONTEXT, start, "found unknown directive name")),
        };
        // the rest of the line: blanks and a comment
        self.end_of_line(CONTEXT, start)?;
        self.queue.push_back(token);
        Ok(())
    }

    fn skip_blanks(&mut self) -> Result<()> {
        self.need(1)?;
        while is_blank(self.ch(0)) {
            self.skip();
            self.need(1)?;
        }
        Ok(())
    }

    fn skip_comment(&mut self) -> Result<()> {
        if self.ch(0) == '#' {
            while !is_breakz(self.ch(0)) {
                self.skip();
                self.need(1)?;
            }
        }
        Ok(())
    }

    /// Word characters from here.
    fn word(&mut self) -> Result<String> {
        self.need(1)?;
        let mut s = String::new();
        while is_word(self.ch(0)) {
            s.push(self.ch(0));
            self.skip();
            self.need(1)?;
        }
        Ok(s)
    }

    fn version_number(&mut self, start: Mark) -> Result<u32> {
        const YAML: &str = "while scanning a %YAML directive";
        self.need(1)?;
        let mut value = 0u32;
        let mut digits = 0;
        while let Some(d) = self.ch(0).to_digit(10) {
            digits += 1;
            if digits > 2 {
                return Err(self.error(YAML, start, "found extremely long version number"));
            }
            value = value * 10 + d;
            self.skip();
            self.need(1)?;
        }
        if digits == 0 {
            return Err(self.error(YAML, start, "did not find expected version number"));
        }
        Ok(value)
    }

    fn tag_error(&self, directive: bool, start: Mark, problem: &str) -> Box<Failure> {
        let context = if directive {
            "while parsing a %TAG directive"
        } else {
            "while parsing a tag"
        };
        self.error(context, start, problem)
    }

    /// `!`, `!!` or `!word!`; in a tag, `!word` not followed by `!` is returned as is (it is
    /// the start of a suffix).
    fn tag_handle(&mut self, directive: bool, start: Mark) -> Result<String> {
        self.need(1)?;
        if self.ch(0) != '!' {
            return Err(self.tag_error(directive, start, "did not find expected '!'"));
        }
        let mut s = String::from("!");
        self.skip();
        s.push_str(&self.word()?);
        if self.ch(0) == '!' {
            s.push('!');
            self.skip();
        } else if directive && s != "!" {
            return Err(self.tag_error(directive, start, "did not find expected '!'"));
        }
        Ok(s)
    }

    /// The URI part of a tag; returns how many characters it has. Without `head` (a scanned
    /// handle that turned out to start the suffix) an empty URI is an error.
    fn tag_uri(&mut self, directive: bool, head: bool, start: Mark) -> Result<usize> {
        let mut n = 0;
        self.need(1)?;
        while is_uri(self.ch(0)) {
            if self.ch(0) == '%' {
                self.uri_escape(directive, start)?;
            } else {
                self.skip();
            }
            self.need(1)?;
            n += 1;
        }
        if n == 0 && !head {
            return Err(self.tag_error(directive, start, "did not find expected tag URI"));
        }
        Ok(n)
    }

    /// `%XX` escapes making up one UTF-8 character.
    fn uri_escape(&mut self, directive: bool, start: Mark) -> Result<()> {
        let mut left: Option<u32> = None;
        loop {
            self.need(3)?;
            let (Some(hi), Some(lo)) = (self.ch(1).to_digit(16), self.ch(2).to_digit(16)) else {
                return Err(self.tag_error(directive, start, "did not find URI escaped octet"));
            };
            if self.ch(0) != '%' {
                return Err(self.tag_error(directive, start, "did not find URI escaped octet"));
            }
            let octet = hi * 16 + lo;
            let remaining = match left {
                None => match octet {
                    0x00..=0x7f => 1,
                    _ if octet & 0xe0 == 0xc0 => 2,
                    _ if octet & 0xf0 == 0xe0 => 3,
                    _ if octet & 0xf8 == 0xf0 => 4,
                    _ => {
                        return Err(self.tag_error(
                            directive,
                            start,
                            "found an incorrect leading UTF-8 octet",
                        ));
                    }
                },
                Some(n) => {
                    if octet & 0xc0 != 0x80 {
                        return Err(self.tag_error(
                            directive,
                            start,
                            "found an incorrect trailing UTF-8 octet",
                        ));
                    }
                    n
                }
            };
            self.skip();
            self.skip();
            self.skip();
            if remaining <= 1 {
                return Ok(());
            }
            left = Some(remaining - 1);
        }
    }

    fn anchor(&mut self, alias: bool) -> Result<()> {
        let start = self.mark;
        self.skip();
        let name = self.word()?;
        let c = self.ch(0);
        if name.is_empty() || !(is_blankz(c) || "?:,]}%@`".contains(c)) {
            let context = if alias {
                "while scanning an alias"
            } else {
                "while scanning an anchor"
            };
            return Err(self.error(
                context,
                start,
                "did not find expected alphabetic or numeric character",
            ));
        }
        let kind = if alias { Kind::Alias } else { Kind::Anchor };
        let mut t = Token::new(kind, start).ending(self.mark.offset);
        t.name = name;
        self.queue.push_back(t);
        Ok(())
    }

    fn tag(&mut self) -> Result<()> {
        let start = self.mark;
        self.need(2)?;
        let handle = if self.ch(1) == '<' {
            self.skip();
            self.skip();
            self.tag_uri(false, false, start)?;
            if self.ch(0) != '>' {
                return Err(self.error(
                    "while scanning a tag",
                    start,
                    "did not find the expected '>'",
                ));
            }
            self.skip();
            String::new()
        } else {
            let handle = self.tag_handle(false, start)?;
            if handle.len() > 1 && handle.ends_with('!') {
                self.tag_uri(false, false, start)?;
                handle
            } else {
                // not a handle after all: it starts the suffix of a `!` tag
                let rest = self.tag_uri(false, true, start)?;
                if handle == "!" && rest == 0 {
                    // the non-specific tag `!`
                    String::new()
                } else {
                    "!".to_owned()
                }
            }
        };
        self.need(1)?;
        if !is_blankz(self.ch(0)) {
            return Err(self.error(
                "while scanning a tag",
                start,
                "did not find expected whitespace or line break",
            ));
        }
        let mut t = Token::new(Kind::Tag, start).ending(self.mark.offset);
        t.name = handle;
        self.queue.push_back(t);
        Ok(())
    }

    fn block_scalar(&mut self) -> Result<()> {
        const CONTEXT: &str = "while scanning a block scalar";
        let start = self.mark;
        self.skip();
        self.need(1)?;
        // chomping and indentation indicators, in either order
        let mut increment: usize = 0;
        let zero = |s: &Self| s.error(CONTEXT, start, "found an indentation indicator equal to 0");
        if matches!(self.ch(0), '+' | '-') {
            self.skip();
            self.need(1)?;
            if let Some(d) = self.ch(0).to_digit(10) {
                if d == 0 {
                    return Err(zero(self));
                }
                increment = d as usize;
                self.skip();
            }
        } else if let Some(d) = self.ch(0).to_digit(10) {
            if d == 0 {
                return Err(zero(self));
            }
            increment = d as usize;
            self.skip();
            self.need(1)?;
            if matches!(self.ch(0), '+' | '-') {
                self.skip();
            }
        }
        self.end_of_line(CONTEXT, start)?;
        let mut indent: usize = if increment == 0 {
            0
        } else if self.indent >= 0 {
            self.indent.unsigned_abs() + increment
        } else {
            increment
        };
        self.block_scalar_breaks(&mut indent, start)?;
        self.need(1)?;
        while self.mark.column == indent && self.ch(0) != END {
            while !is_breakz(self.ch(0)) {
                self.skip();
                self.need(1)?;
            }
            self.need(2)?;
            self.skip_break();
            self.block_scalar_breaks(&mut indent, start)?;
        }
        let end = self.mark.offset;
        self.queue
            .push_back(Token::new(Kind::Scalar, start).ending(end));
        Ok(())
    }

    /// The indentation and empty lines before a block scalar's next line; fixes the content
    /// column from the first non-empty line when no indicator gave it.
    fn block_scalar_breaks(&mut self, indent: &mut usize, start: Mark) -> Result<()> {
        let mut deepest = 0;
        loop {
            self.need(1)?;
            while (*indent == 0 || self.mark.column < *indent) && self.ch(0) == ' ' {
                self.skip();
                self.need(1)?;
            }
            deepest = deepest.max(self.mark.column);
            if (*indent == 0 || self.mark.column < *indent) && self.ch(0) == '\t' {
                return Err(self.error(
                    "while scanning a block scalar",
                    start,
                    "found a tab character where an indentation space is expected",
                ));
            }
            if !is_break(self.ch(0)) {
                break;
            }
            self.need(2)?;
            self.skip_break();
        }
        if *indent == 0 {
            let floor = (self.indent + 1).max(1) as usize;
            *indent = deepest.max(floor);
        }
        Ok(())
    }

    fn quoted(&mut self, single: bool) -> Result<()> {
        const CONTEXT: &str = "while scanning a quoted scalar";
        const ESCAPE: &str = "while parsing a quoted scalar";
        let start = self.mark;
        self.skip();
        loop {
            self.need(4)?;
            if self.at_document_marker() {
                return Err(self.error(CONTEXT, start, "found unexpected document indicator"));
            }
            if self.ch(0) == END {
                return Err(self.error(CONTEXT, start, "found unexpected end of stream"));
            }
            while !is_blankz(self.ch(0)) {
                let c = self.ch(0);
                if single && c == '\'' {
                    if self.ch(1) != '\'' {
                        break;
                    }
                    self.skip();
                    self.skip();
                } else if !single && c == '"' {
                    break;
                } else if !single && c == '\\' && is_break(self.ch(1)) {
                    self.need(3)?;
                    self.skip();
                    self.skip_break();
                    break;
                } else if !single && c == '\\' {
                    let digits = match self.ch(1) {
                        '0' | 'a' | 'b' | 't' | '\t' | 'n' | 'v' | 'f' | 'r' | 'e' | ' ' | '"'
                        | '\'' | '\\' | 'N' | '_' | 'L' | 'P' => 0,
                        'x' => 2,
                        'u' => 4,
                        'U' => 8,
                        _ => {
                            return Err(self.error(
                                ESCAPE,
                                start,
                                "found unknown escape character",
                            ));
                        }
                    };
                    self.skip();
                    self.skip();
                    if digits > 0 {
                        self.need(digits)?;
                        let mut value: u64 = 0;
                        for k in 0..digits {
                            let Some(d) = self.ch(k).to_digit(16) else {
                                return Err(self.error(
                                    ESCAPE,
                                    start,
                                    "did not find expected hexdecimal number",
                                ));
                            };
                            value = (value << 4) + u64::from(d);
                        }
                        if (0xd800..=0xdfff).contains(&value) || value > 0x10_ffff {
                            return Err(self.error(
                                ESCAPE,
                                start,
                                "found invalid Unicode character escape code",
                            ));
                        }
                        for _ in 0..digits {
                            self.skip();
                        }
                    }
                } else {
                    self.skip();
                }
                self.need(2)?;
            }
            self.need(1)?;
            if self.ch(0) == if single { '\'' } else { '"' } {
                break;
            }
            while is_blank(self.ch(0)) || is_break(self.ch(0)) {
                if is_blank(self.ch(0)) {
                    self.skip();
                } else {
                    self.need(2)?;
                    self.skip_break();
                }
                self.need(1)?;
            }
        }
        self.skip();
        let end = self.mark.offset;
        self.queue
            .push_back(Token::new(Kind::Scalar, start).ending(end));
        Ok(())
    }

    /// The rest of a directive's or block scalar header's line: blanks, perhaps a comment, then
    /// the line break (taken) or the end.
    fn end_of_line(&mut self, context: &'static str, start: Mark) -> Result<()> {
        self.skip_blanks()?;
        self.skip_comment()?;
        if !is_breakz(self.ch(0)) {
            return Err(self.error(
                context,
                start,
                "did not find expected comment or line break",
            ));
        }
        if is_break(self.ch(0)) {
            self.need(2)?;
            self.skip_break();
        }
        Ok(())
    }

    fn plain(&mut self) -> Result<()> {
        let indent = self.indent + 1;
        let start = self.mark;
        // just past the last character of the scalar (not the blanks after it)
        let mut end = start.offset;
        let mut after_break = false;
        loop {
            self.need(4)?;
            if self.at_document_marker() || self.ch(0) == '#' {
                break;
            }
            while !is_blankz(self.ch(0)) {
                if self.refused.is_none() {
                    // a run of characters that cannot end the scalar, taken at once
                    let run = self.bytes[self.mark.offset..]
                        .iter()
                        .take_while(|&&b| PLAIN_RUN[usize::from(b)])
                        .count();
                    if run > 0 {
                        self.mark.offset += run;
                        self.mark.index += run;
                        self.mark.column += run;
                        end = self.mark.offset;
                        after_break = false;
                        continue;
                    }
                }
                let c = self.ch(0);
                if (c == ':' && is_blankz(self.ch(1)))
                    || (self.flow > 0 && matches!(c, ',' | '?' | '[' | ']' | '{' | '}'))
                {
                    break;
                }
                after_break = false;
                self.skip();
                end = self.mark.offset;
                self.need(2)?;
            }
            if !(is_blank(self.ch(0)) || is_break(self.ch(0))) {
                break;
            }
            self.need(1)?;
            while is_blank(self.ch(0)) || is_break(self.ch(0)) {
                if is_blank(self.ch(0)) {
                    if after_break && (self.mark.column as isize) < indent && self.ch(0) == '\t' {
                        return Err(self.error(
                            "while scanning a plain scalar",
                            start,
                            "found a tab character that violates indentation",
                        ));
                    }
                    self.skip();
                } else {
                    self.need(2)?;
                    self.skip_break();
                    after_break = true;
                }
                self.need(1)?;
            }
            if self.flow == 0 && (self.mark.column as isize) < indent {
                break;
            }
        }
        self.queue
            .push_back(Token::new(Kind::Scalar, start).ending(end));
        if after_break {
            self.key_allowed = true;
        }
        Ok(())
    }
}
