//! Findings: what a rule reports. Rules only build [`Diagnostic`]s; renderers print them.

use std::sync::Arc;

use crate::rule_meta::Rule;
pub use crate::rule_meta::Severity;
use crate::source::{SourceFile, Span};

/// A secondary label.
#[derive(Debug, Clone)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What it says.
    pub message: String,
}

/// One finding.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    /// The rule that found it.
    pub rule: &'static Rule,
    /// Its severity (the rule's default unless configured).
    pub severity: Severity,
    /// What is wrong: lowercase, specific, no trailing period.
    pub message: String,
    /// The file.
    pub file: Arc<SourceFile>,
    /// The offending text.
    pub span: Span,
    /// The label under the primary span.
    pub label: Option<String>,
    /// Other places worth showing.
    pub secondary: Vec<Label>,
    /// What to do about it.
    pub help: Option<String>,
    /// Extra notes (e.g. that a position is approximate).
    pub notes: Vec<String>,
    /// The principal the finding is about (a role key, user ARN, `account:<id>`, or a
    /// section), set by the lint pipeline; fingerprints and allow lists use it.
    pub principal: Option<String>,
}

impl Diagnostic {
    /// A diagnostic of `rule` at `span` with the rule's default severity.
    pub fn new(
        rule: &'static Rule,
        file: &Arc<SourceFile>,
        span: Span,
        message: impl Into<String>,
    ) -> Self {
        Self {
            rule,
            severity: rule.severity,
            message: message.into(),
            span: file.char_span(&span),
            file: Arc::clone(file),
            label: None,
            secondary: Vec::new(),
            help: None,
            notes: Vec::new(),
            principal: None,
        }
    }

    /// Sets the primary label.
    #[must_use]
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Adds a secondary label.
    #[must_use]
    pub fn secondary(mut self, span: Span, message: impl Into<String>) -> Self {
        self.secondary.push(Label {
            span: self.file.char_span(&span),
            message: message.into(),
        });
        self
    }

    /// Sets the help line.
    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a note.
    #[must_use]
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// Overrides the severity.
    #[must_use]
    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// The sort key: path, line, column, rule.
    pub fn sort_key(&self) -> (&str, usize, &'static str) {
        (&self.file.name, self.span.start, self.rule.name)
    }
}
