//! libyaml's parser, re-enacted over the scanner's tokens, and yaml.v2's node builder's own
//! check (an alias must name an anchor met before it).

use super::scanner::{Kind, Result, Scanner};
use super::{Failure, Mark, Stage};

// Parser

/// What the parser expects next (libyaml's grammar states).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    StreamStart,
    ImplicitDocumentStart,
    DocumentStart,
    DocumentContent,
    DocumentEnd,
    BlockNode,
    BlockSequenceFirstEntry,
    BlockSequenceEntry,
    IndentlessSequenceEntry,
    BlockMappingFirstKey,
    BlockMappingKey,
    BlockMappingValue,
    FlowSequenceFirstEntry,
    FlowSequenceEntry,
    FlowSequenceEntryMappingKey,
    FlowSequenceEntryMappingValue,
    FlowSequenceEntryMappingEnd,
    FlowMappingFirstKey,
    FlowMappingKey,
    FlowMappingValue,
    FlowMappingEmptyValue,
    End,
}

/// What the parser looks at in the next token.
#[derive(Debug, Clone, Copy)]
struct Peeked {
    kind: Kind,
    start: Mark,
    version: (u32, u32),
}

/// The events yaml.v2's node builder reacts to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Event {
    StreamStart,
    StreamEnd,
    DocumentStart,
    DocumentEnd,
    Alias(String, usize),
    /// A scalar or the start of a collection, with its anchor.
    Node(Option<String>),
    /// The end of a collection.
    End,
}

pub(super) struct Parser<'a> {
    scanner: Scanner<'a>,
    state: State,
    states: Vec<State>,
    marks: Vec<Mark>,
    /// `%TAG` handles of the current document and the defaults.
    handles: Vec<String>,
    /// The furthest byte any token taken so far reaches.
    consumed: usize,
    /// Where the first document's content ends: what yaml.v2 reads of the text.
    pub(super) document_end: Option<usize>,
}

impl<'a> Parser<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        Self {
            scanner: Scanner::new(text),
            state: State::StreamStart,
            states: Vec::new(),
            marks: Vec::new(),
            handles: Vec::new(),
            consumed: 0,
            document_end: None,
        }
    }

    /// yaml.v2's `Unmarshal` up to the end of the first document: events in order, aliases
    /// resolved against the anchors met so far.
    pub(super) fn load(&mut self) -> Result<()> {
        let mut anchors = std::collections::HashSet::<String>::default();
        loop {
            match self.next()? {
                Event::StreamEnd | Event::DocumentEnd => return Ok(()),
                Event::Alias(name, at) => {
                    if !anchors.contains(&name) {
                        return Err(Box::new(Failure {
                            stage: Stage::Loader,
                            problem: format!("unknown anchor '{name}' referenced"),
                            context: "",
                            problem_mark: None,
                            context_mark: None,
                            at,
                            unclosed: false,
                        }));
                    }
                }
                Event::Node(Some(anchor)) => {
                    anchors.insert(anchor);
                }
                Event::StreamStart | Event::DocumentStart | Event::Node(None) | Event::End => {}
            }
        }
    }

    fn peek(&mut self) -> Result<Peeked> {
        let t = self.scanner.peek()?;
        Ok(Peeked {
            kind: t.kind,
            start: t.start,
            version: t.version,
        })
    }

    /// The name the next token carries (after a `peek`).
    fn name(&self) -> String {
        self.scanner
            .queue
            .front()
            .map(|t| t.name.clone())
            .unwrap_or_default()
    }

    fn take(&mut self) {
        if let Some(t) = self.scanner.queue.front() {
            self.consumed = self.consumed.max(t.end);
        }
        self.scanner.take();
    }

    fn pop_state(&mut self) {
        self.state = self.states.pop().unwrap_or(State::End);
    }

    fn error(
        context: &'static str,
        context_mark: Option<Mark>,
        problem: &str,
        at: Mark,
    ) -> Box<Failure> {
        Box::new(Failure {
            stage: Stage::Parser,
            problem: problem.to_owned(),
            context,
            problem_mark: Some(at),
            context_mark,
            at: at.offset,
            unclosed: false,
        })
    }

    /// An error in the collection whose start mark is on top of `marks`.
    fn collection_error(
        &mut self,
        context: &'static str,
        problem: &str,
        at: &Peeked,
    ) -> Box<Failure> {
        let start = self.marks.pop();
        let mut failure = Self::error(context, start, problem, at.start);
        failure.unclosed = matches!(
            at.kind,
            Kind::StreamEnd | Kind::DocumentStart | Kind::DocumentEnd
        );
        failure
    }

    fn next(&mut self) -> Result<Event> {
        match self.state {
            State::StreamStart => {
                self.peek()?;
                self.take();
                self.state = State::ImplicitDocumentStart;
                Ok(Event::StreamStart)
            }
            State::ImplicitDocumentStart => self.document_start(true),
            State::DocumentStart => self.document_start(false),
            State::DocumentContent => {
                let t = self.peek()?;
                if matches!(
                    t.kind,
                    Kind::VersionDirective
                        | Kind::TagDirective
                        | Kind::DocumentStart
                        | Kind::DocumentEnd
                        | Kind::StreamEnd
                ) {
                    self.pop_state();
                    return Ok(Event::Node(None));
                }
                self.node(true, false)
            }
            State::DocumentEnd => {
                let t = self.peek()?;
                self.document_end.get_or_insert(self.consumed);
                if t.kind == Kind::DocumentEnd {
                    self.take();
                }
                self.handles.clear();
                self.state = State::DocumentStart;
                Ok(Event::DocumentEnd)
            }
            State::BlockNode => self.node(true, false),
            State::BlockSequenceFirstEntry => self.block_sequence_entry(true),
            State::BlockSequenceEntry => self.block_sequence_entry(false),
            State::IndentlessSequenceEntry => self.indentless_sequence_entry(),
            State::BlockMappingFirstKey => self.block_mapping_key(true),
            State::BlockMappingKey => self.block_mapping_key(false),
            State::BlockMappingValue => self.block_mapping_value(),
            State::FlowSequenceFirstEntry => self.flow_sequence_entry(true),
            State::FlowSequenceEntry => self.flow_sequence_entry(false),
            State::FlowSequenceEntryMappingKey => self.flow_pair_key(),
            State::FlowSequenceEntryMappingValue => self.flow_pair_value(),
            State::FlowSequenceEntryMappingEnd => {
                self.peek()?;
                self.state = State::FlowSequenceEntry;
                Ok(Event::End)
            }
            State::FlowMappingFirstKey => self.flow_mapping_key(true),
            State::FlowMappingKey => self.flow_mapping_key(false),
            State::FlowMappingValue => self.flow_mapping_value(false),
            State::FlowMappingEmptyValue => self.flow_mapping_value(true),
            State::End => Ok(Event::StreamEnd),
        }
    }

    fn document_start(&mut self, implicit: bool) -> Result<Event> {
        let mut t = self.peek()?;
        if !implicit {
            while t.kind == Kind::DocumentEnd {
                self.take();
                t = self.peek()?;
            }
        }
        let explicit = matches!(
            t.kind,
            Kind::VersionDirective | Kind::TagDirective | Kind::DocumentStart | Kind::StreamEnd
        );
        if implicit && !explicit {
            self.directives()?;
            self.states.push(State::DocumentEnd);
            self.state = State::BlockNode;
            return Ok(Event::DocumentStart);
        }
        if t.kind == Kind::StreamEnd {
            self.state = State::End;
            self.take();
            return Ok(Event::StreamEnd);
        }
        self.directives()?;
        let t = self.peek()?;
        if t.kind != Kind::DocumentStart {
            return Err(Self::error(
                "",
                None,
                "did not find expected <document start>",
                t.start,
            ));
        }
        self.states.push(State::DocumentEnd);
        self.state = State::DocumentContent;
        self.take();
        Ok(Event::DocumentStart)
    }

    fn directives(&mut self) -> Result<()> {
        let mut version = false;
        let mut own: Vec<String> = Vec::new();
        loop {
            let t = self.peek()?;
            match t.kind {
                Kind::VersionDirective => {
                    if version {
                        return Err(Self::error(
                            "",
                            None,
                            "found duplicate %YAML directive",
                            t.start,
                        ));
                    }
                    if t.version != (1, 1) {
                        return Err(Self::error(
                            "",
                            None,
                            "found incompatible YAML document",
                            t.start,
                        ));
                    }
                    version = true;
                }
                Kind::TagDirective => {
                    let name = self.name();
                    if self.handles.contains(&name) || own.contains(&name) {
                        return Err(Self::error(
                            "",
                            None,
                            "found duplicate %TAG directive",
                            t.start,
                        ));
                    }
                    own.push(name);
                }
                _ => break,
            }
            self.take();
        }
        for h in own.into_iter().chain(["!".to_owned(), "!!".to_owned()]) {
            if !self.handles.contains(&h) {
                self.handles.push(h);
            }
        }
        Ok(())
    }

    fn node(&mut self, block: bool, indentless: bool) -> Result<Event> {
        let mut t = self.peek()?;
        if t.kind == Kind::Alias {
            self.pop_state();
            let name = self.name();
            self.take();
            return Ok(Event::Alias(name, t.start.offset));
        }
        let start = t.start;
        let mut anchor = None;
        let mut tag: Option<(String, Mark)> = None;
        for _ in 0..2 {
            match t.kind {
                Kind::Anchor if anchor.is_none() => anchor = Some(self.name()),
                Kind::Tag if tag.is_none() => tag = Some((self.name(), t.start)),
                _ => break,
            }
            self.take();
            t = self.peek()?;
        }
        if let Some((handle, mark)) = &tag
            && !handle.is_empty()
            && !self.handles.contains(handle)
        {
            return Err(Self::error(
                "while parsing a node",
                Some(start),
                "found undefined tag handle",
                *mark,
            ));
        }
        let props = anchor.is_some() || tag.is_some();
        match t.kind {
            Kind::BlockEntry if indentless => {
                self.state = State::IndentlessSequenceEntry;
                Ok(Event::Node(anchor))
            }
            Kind::Scalar => {
                self.pop_state();
                self.take();
                Ok(Event::Node(anchor))
            }
            Kind::FlowSequenceStart => {
                self.state = State::FlowSequenceFirstEntry;
                Ok(Event::Node(anchor))
            }
            Kind::FlowMappingStart => {
                self.state = State::FlowMappingFirstKey;
                Ok(Event::Node(anchor))
            }
            Kind::BlockSequenceStart if block => {
                self.state = State::BlockSequenceFirstEntry;
                Ok(Event::Node(anchor))
            }
            Kind::BlockMappingStart if block => {
                self.state = State::BlockMappingFirstKey;
                Ok(Event::Node(anchor))
            }
            _ if props => {
                self.pop_state();
                Ok(Event::Node(anchor))
            }
            _ => {
                let context = if block {
                    "while parsing a block node"
                } else {
                    "while parsing a flow node"
                };
                let ends = matches!(
                    t.kind,
                    Kind::StreamEnd | Kind::DocumentStart | Kind::DocumentEnd
                );
                let at = t.start;
                let mut failure = Self::error(
                    context,
                    Some(start),
                    "did not find expected node content",
                    at,
                );
                // the text ends inside a flow collection: the cause is its opening bracket
                // (which is on the line of `start` or before it, so the log's fallback to the
                // context mark's line is unchanged)
                if !block
                    && ends
                    && let Some(open) = self.marks.last()
                {
                    failure.context_mark = Some(*open);
                    failure.unclosed = true;
                }
                Err(failure)
            }
        }
    }

    /// Takes the token that opens a collection, keeping its mark for errors.
    fn open(&mut self) -> Result<()> {
        let t = self.peek()?;
        self.marks.push(t.start);
        self.take();
        Ok(())
    }

    fn block_sequence_entry(&mut self, first: bool) -> Result<Event> {
        if first {
            self.open()?;
        }
        let t = self.peek()?;
        match t.kind {
            Kind::BlockEntry => {
                self.take();
                let t = self.peek()?;
                if matches!(t.kind, Kind::BlockEntry | Kind::BlockEnd) {
                    self.state = State::BlockSequenceEntry;
                    Ok(Event::Node(None))
                } else {
                    self.states.push(State::BlockSequenceEntry);
                    self.node(true, false)
                }
            }
            Kind::BlockEnd => {
                self.pop_state();
                self.marks.pop();
                self.take();
                Ok(Event::End)
            }
            _ => Err(self.collection_error(
                "while parsing a block collection",
                "did not find expected '-' indicator",
                &t,
            )),
        }
    }

    fn indentless_sequence_entry(&mut self) -> Result<Event> {
        let t = self.peek()?;
        if t.kind != Kind::BlockEntry {
            self.pop_state();
            return Ok(Event::End);
        }
        self.take();
        let t = self.peek()?;
        if matches!(
            t.kind,
            Kind::BlockEntry | Kind::Key | Kind::Value | Kind::BlockEnd
        ) {
            self.state = State::IndentlessSequenceEntry;
            Ok(Event::Node(None))
        } else {
            self.states.push(State::IndentlessSequenceEntry);
            self.node(true, false)
        }
    }

    fn block_mapping_key(&mut self, first: bool) -> Result<Event> {
        if first {
            self.open()?;
        }
        let t = self.peek()?;
        match t.kind {
            Kind::Key => {
                self.take();
                let t = self.peek()?;
                if matches!(t.kind, Kind::Key | Kind::Value | Kind::BlockEnd) {
                    self.state = State::BlockMappingValue;
                    Ok(Event::Node(None))
                } else {
                    self.states.push(State::BlockMappingValue);
                    self.node(true, true)
                }
            }
            Kind::BlockEnd => {
                self.pop_state();
                self.marks.pop();
                self.take();
                Ok(Event::End)
            }
            _ => Err(self.collection_error(
                "while parsing a block mapping",
                "did not find expected key",
                &t,
            )),
        }
    }

    fn block_mapping_value(&mut self) -> Result<Event> {
        let t = self.peek()?;
        self.state = State::BlockMappingKey;
        if t.kind != Kind::Value {
            return Ok(Event::Node(None));
        }
        self.take();
        let t = self.peek()?;
        if matches!(t.kind, Kind::Key | Kind::Value | Kind::BlockEnd) {
            Ok(Event::Node(None))
        } else {
            self.states.push(State::BlockMappingKey);
            self.node(true, true)
        }
    }

    fn flow_sequence_entry(&mut self, first: bool) -> Result<Event> {
        if first {
            self.open()?;
        }
        let mut t = self.peek()?;
        if t.kind != Kind::FlowSequenceEnd {
            if !first {
                if t.kind != Kind::FlowEntry {
                    return Err(self.collection_error(
                        "while parsing a flow sequence",
                        "did not find expected ',' or ']'",
                        &t,
                    ));
                }
                self.take();
                t = self.peek()?;
            }
            if t.kind == Kind::Key {
                // a single-pair mapping `[a: b]`
                self.state = State::FlowSequenceEntryMappingKey;
                self.take();
                return Ok(Event::Node(None));
            }
            if t.kind != Kind::FlowSequenceEnd {
                self.states.push(State::FlowSequenceEntry);
                return self.node(false, false);
            }
        }
        self.pop_state();
        self.marks.pop();
        self.take();
        Ok(Event::End)
    }

    fn flow_pair_key(&mut self) -> Result<Event> {
        let t = self.peek()?;
        if matches!(
            t.kind,
            Kind::Value | Kind::FlowEntry | Kind::FlowSequenceEnd
        ) {
            // yaml.v2 consumes this token here (an empty key)
            self.take();
            self.state = State::FlowSequenceEntryMappingValue;
            return Ok(Event::Node(None));
        }
        self.states.push(State::FlowSequenceEntryMappingValue);
        self.node(false, false)
    }

    fn flow_pair_value(&mut self) -> Result<Event> {
        let t = self.peek()?;
        if t.kind == Kind::Value {
            self.take();
            let t = self.peek()?;
            if !matches!(t.kind, Kind::FlowEntry | Kind::FlowSequenceEnd) {
                self.states.push(State::FlowSequenceEntryMappingEnd);
                return self.node(false, false);
            }
        }
        self.state = State::FlowSequenceEntryMappingEnd;
        Ok(Event::Node(None))
    }

    fn flow_mapping_key(&mut self, first: bool) -> Result<Event> {
        if first {
            self.open()?;
        }
        let mut t = self.peek()?;
        if t.kind != Kind::FlowMappingEnd {
            if !first {
                if t.kind != Kind::FlowEntry {
                    return Err(self.collection_error(
                        "while parsing a flow mapping",
                        "did not find expected ',' or '}'",
                        &t,
                    ));
                }
                self.take();
                t = self.peek()?;
            }
            if t.kind == Kind::Key {
                self.take();
                let t = self.peek()?;
                if matches!(t.kind, Kind::Value | Kind::FlowEntry | Kind::FlowMappingEnd) {
                    self.state = State::FlowMappingValue;
                    return Ok(Event::Node(None));
                }
                self.states.push(State::FlowMappingValue);
                return self.node(false, false);
            }
            if t.kind != Kind::FlowMappingEnd {
                self.states.push(State::FlowMappingEmptyValue);
                return self.node(false, false);
            }
        }
        self.pop_state();
        self.marks.pop();
        self.take();
        Ok(Event::End)
    }

    fn flow_mapping_value(&mut self, empty: bool) -> Result<Event> {
        let t = self.peek()?;
        self.state = State::FlowMappingKey;
        if empty || t.kind != Kind::Value {
            return Ok(Event::Node(None));
        }
        self.take();
        let t = self.peek()?;
        if matches!(t.kind, Kind::FlowEntry | Kind::FlowMappingEnd) {
            return Ok(Event::Node(None));
        }
        self.states.push(State::FlowMappingKey);
        self.node(false, false)
    }
}
