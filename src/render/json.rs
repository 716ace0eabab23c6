//! The `lint --format json` contract (version 1): see README "JSON output".

use serde::Serialize;

use super::Summary;
use crate::diagnostic::Diagnostic;

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    summary: &'a Summary,
    diagnostics: Vec<JsonDiagnostic<'a>>,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    rule: &'static str,
    severity: &'static str,
    message: &'a str,
    help: Option<&'a str>,
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    principal: Option<&'a str>,
    labels: Vec<JsonLabel<'a>>,
}

/// A secondary span: 1-based lines and character columns, the end exclusive.
#[derive(Serialize)]
struct JsonLabel<'a> {
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    message: &'a str,
}

/// Renders the lint JSON document.
pub fn render(diagnostics: &[Diagnostic], summary: &Summary) -> String {
    let out = Output {
        version: 1,
        summary,
        diagnostics: diagnostics
            .iter()
            .map(|d| {
                let start = d.file.line_col(d.span.start);
                let end = d.file.line_col(d.span.end.max(d.span.start));
                JsonDiagnostic {
                    rule: d.rule.name,
                    severity: d.severity.as_str(),
                    message: &d.message,
                    help: d.help.as_deref(),
                    file: &d.file.name,
                    line: start.line,
                    column: start.column,
                    end_line: end.line,
                    end_column: end.column,
                    principal: d.principal.as_deref(),
                    labels: d
                        .secondary
                        .iter()
                        .map(|l| {
                            let start = d.file.line_col(l.span.start);
                            let end = d.file.line_col(l.span.end.max(l.span.start));
                            JsonLabel {
                                line: start.line,
                                column: start.column,
                                end_line: end.line,
                                end_column: end.column,
                                message: &l.message,
                            }
                        })
                        .collect(),
                }
            })
            .collect(),
    };
    // (see `escape::json`: the same document, with nothing a terminal or the Actions runner acts on)
    let mut s = super::escape::json(serde_json::to_string_pretty(&out).unwrap_or_default());
    s.push('\n');
    s
}
