//! Output formats for `lint` and `inspect`. Only this module and `cli` write to the terminal.

pub mod human;
pub mod inspect;
pub mod json;

use crate::diagnostic::{Diagnostic, Severity};

/// Counts per severity.
#[derive(Debug, Default, Clone, Copy, serde::Serialize)]
pub struct Summary {
    /// Files read.
    pub files_scanned: usize,
    /// aws-auth sources found.
    pub configmaps: usize,
    /// Error count.
    pub errors: usize,
    /// Warning count.
    pub warnings: usize,
    /// Info count.
    pub infos: usize,
    /// Files that could not be read (reported on standard error; not in the JSON contract).
    #[serde(skip)]
    pub unreadable: usize,
}

impl Summary {
    /// Counts the diagnostics.
    pub fn new(files_scanned: usize, configmaps: usize, diagnostics: &[Diagnostic]) -> Self {
        let count = |s| diagnostics.iter().filter(|d| d.severity == s).count();
        Self {
            files_scanned,
            configmaps,
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            infos: count(Severity::Info),
            unreadable: 0,
        }
    }
}

/// `path:line:col: severity[rule] message`, one line per finding.
pub fn concise(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let lc = d.file.line_col(d.span.start);
        out.push_str(&format!(
            "{}:{}:{}: {}[{}] {}\n",
            d.file.name,
            lc.line,
            lc.column,
            d.severity.as_str(),
            d.rule.name,
            d.message
        ));
    }
    out
}

/// Escapes text for a GitHub workflow command (`property`: a `key=value` property).
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

/// GitHub Actions workflow commands (`::error file=…::message`), shown as PR annotations.
pub fn github(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let start = d.file.line_col(d.span.start);
        let end = d.file.line_col(d.span.end.max(d.span.start));
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        out.push_str(&format!(
            "::{level} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
            github_escape(&d.file.name, true),
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
