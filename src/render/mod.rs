//! Output formats for `lint` and `inspect`, one module each (`human`, `json`, `sarif`,
//! `gitlab`, `junit`, `inspect`; `concise` and `github` here), the escaping of text from the
//! inputs (`escape`), where paths are relative to (`location`), and writing the output
//! (`stdout`: standard output, or `-o FILE`). Only this module and `cli` write to the terminal.
//! `diff`'s formats are in `diff::render`, built on the same pieces.

pub mod access;
pub mod catalog;
pub mod escape;
pub mod gitlab;
pub mod human;
pub mod inspect;
pub mod json;
pub mod junit;
pub mod location;
pub mod reach;
pub mod report;
pub mod sarif;
pub mod stdout;

use crate::diagnostic::{Diagnostic, Severity};

/// Writes a message (one or more lines, without the final line break) to standard error, made
/// safe by [`escape::lines`] (colour sequences kept only when `styled`, for messages rendered
/// with colours; they are stripped again when standard error is not a terminal). A closed
/// standard error is not an error: there is nowhere left to say anything.
pub fn say(text: &str, styled: bool) {
    use std::io::Write;
    let text = escape::lines(text, styled);
    if styled {
        let mut err = anstream::stderr();
        let _ = writeln!(err, "{text}");
    } else {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "{text}");
    }
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde hands a reference
fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// Counts per severity.
#[derive(Debug, Default, Clone, Copy, serde::Serialize)]
pub struct Summary {
    /// Files read.
    pub files_scanned: usize,
    /// aws-auth sources found.
    pub configmaps: usize,
    /// Access entries, policy associations written apart and clusters' access settings found
    /// (in the JSON summary only when there are any).
    #[serde(skip_serializing_if = "is_zero")]
    pub access_declarations: usize,
    /// Error count.
    pub errors: usize,
    /// Warning count.
    pub warnings: usize,
    /// Info count.
    pub infos: usize,
    /// Files that could not be read (reported on standard error; not in the JSON contract).
    #[serde(skip)]
    pub unreadable: usize,
    /// Files whose processing hit an internal error (reported on standard error; not in the
    /// JSON contract).
    #[serde(skip)]
    pub internal_errors: usize,
}

impl Summary {
    /// Counts the diagnostics.
    pub fn new(files_scanned: usize, configmaps: usize, diagnostics: &[Diagnostic]) -> Self {
        let count = |s| diagnostics.iter().filter(|d| d.severity == s).count();
        Self {
            files_scanned,
            configmaps,
            access_declarations: 0,
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            infos: count(Severity::Info),
            unreadable: 0,
            internal_errors: 0,
        }
    }

    /// What the run could not do (`2 files could not be read (errors above)`), if anything:
    /// never to be summed up as "no problems found".
    pub fn failures(&self) -> Option<String> {
        let mut parts = Vec::new();
        if self.unreadable > 0 {
            parts.push(format!(
                "{} could not be read",
                plural(self.unreadable, "file")
            ));
        }
        if self.internal_errors > 0 {
            parts.push(format!(
                "{} hit an internal error",
                plural(self.internal_errors, "file")
            ));
        }
        (!parts.is_empty()).then(|| format!("{} (errors above)", parts.join(", ")))
    }
}

/// `1 file`, `2 files`.
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// `path:line:col: severity[rule] message`, one line per finding (names and values escaped:
/// see [`escape`]).
pub fn concise(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let lc = d.file.line_col(d.span.start);
        out.push_str(&format!(
            "{}:{}:{}: {}[{}] {}\n",
            escape::name(&d.file.name),
            lc.line,
            lc.column,
            d.severity.as_str(),
            d.rule.name,
            escape::text(&d.message)
        ));
    }
    out
}

/// Escapes text for a GitHub workflow command (`property`: a `key=value` property), as the
/// actions/toolkit's `escapeData` and `escapeProperty` do. Text from the inputs is given
/// [`escape::text`] first, so that only awsauth's own line breaks become `%0A`.
pub fn github_escape(s: &str, property: bool) -> String {
    let mut s = s
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    if property {
        s = s.replace(':', "%3A").replace(',', "%2C");
    }
    s
}

/// GitHub Actions workflow commands (`::error file=…::message`), shown as PR annotations; files
/// are named from `places`' machine base (the workspace), which GitHub resolves them against.
pub fn github(diagnostics: &[Diagnostic], places: &location::Places) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let start = d.file.line_col(d.span.start);
        let end = d.file.line_col(d.span.end.max(d.span.start));
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut message = escape::text(&d.message).into_owned();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(&escape::text(help));
        }
        out.push_str(&format!(
            "::{level} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
            github_escape(&escape::text(&places.for_machines(&d.file.name)), true),
            start.line,
            start.column,
            end.line,
            end.column,
            github_escape(&format!("awsauth({})", d.rule.name), true),
            github_escape(&message, false)
        ));
    }
    out
}
