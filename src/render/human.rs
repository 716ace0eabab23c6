//! Source-annotated diagnostics, rendered by `annotate-snippets` (the rustc/cargo/ruff look).

use annotate_snippets::renderer::DecorStyle;
use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};

use super::{Summary, escape};
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::Span;

/// Widens an empty span to the character under it so the arrow has something to point at.
fn visible(text: &str, span: &Span) -> Span {
    let mut start = span.start.min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = span.end.clamp(start, text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    if end > start {
        return start..end;
    }
    match text[start..].chars().next() {
        Some(c) if c != '\n' && c != '\r' => start..start + c.len_utf8(),
        _ => start..start,
    }
}

/// Longer source windows are not drawn (annotate-snippets would lay out the whole line).
const LONG_LINE: usize = 4096;

/// The diagnostic with its location and a short excerpt instead of the source lines.
fn render_without_source(d: &Diagnostic, level: Level<'_>, styled: bool) -> String {
    let lc = d.file.line_col(d.span.start);
    let excerpt: String = d.file.slice(&d.span).chars().take(80).collect();
    let mut group = level
        .primary_title(escape::text(&d.message))
        .id(d.rule.name)
        .element(
            Origin::path(escape::name(&d.file.name))
                .line(lc.line)
                .char_column(lc.column),
        )
        .element(Level::NOTE.message(format!(
            "`{}`: the source line is too long to show",
            escape::text(&excerpt)
        )));
    for note in &d.notes {
        group = group.element(Level::NOTE.message(escape::text(note)));
    }
    if let Some(help) = &d.help {
        group = group.element(Level::HELP.message(escape::text(help)));
    }
    let renderer = if styled {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    renderer.decor_style(DecorStyle::Unicode).render(&[group])
}

/// Renders one diagnostic; `styled` adds ANSI colours.
pub fn render_one(d: &Diagnostic, styled: bool) -> String {
    let text = d.file.text.as_str();
    let level = match d.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
        Severity::Info => Level::INFO,
    };
    // hand the renderer only the lines it shows: rendering stays linear in the output, not in
    // the file, when a large file has many findings
    let spans = std::iter::once(&d.span).chain(d.secondary.iter().map(|l| &l.span));
    let lo = spans
        .clone()
        .map(|s| s.start)
        .min()
        .unwrap_or(0)
        .min(text.len());
    let hi = spans
        .map(|s| s.end)
        .max()
        .unwrap_or(0)
        .clamp(lo, text.len());
    let first_line = d.file.line_col(lo).line;
    let window_start = d.file.line_span(first_line).start;
    let window_end = d
        .file
        .line_span(d.file.line_col(hi).line)
        .end
        .max(hi)
        .min(text.len());
    // a JSON manifest can hold a whole aws-auth on one line: show where, not the line
    if window_end - window_start > LONG_LINE {
        return render_without_source(d, level, styled);
    }
    let window = &text[window_start..window_end];
    // control characters in the source lines are shown escaped, the spans moved with them
    let escaped = escape::source(window);
    let (window, at) = match &escaped {
        Some(e) => (e.text.as_str(), Some(e)),
        None => (window, None),
    };
    let shift = |s: &Span| {
        let v = visible(text, s);
        let start = v.start.max(window_start) - window_start;
        let end = v.end.clamp(window_start, window_end) - window_start;
        at.map_or(start..end, |e| e.map(start)..e.map(end))
    };
    let mut primary = AnnotationKind::Primary.span(shift(&d.span));
    if let Some(label) = &d.label {
        primary = primary.label(escape::text(label));
    }
    let name = escape::name(&d.file.name);
    let mut snippet = Snippet::source(window)
        .line_start(first_line)
        .path(name.as_ref())
        .fold(true)
        .annotation(primary);
    for s in &d.secondary {
        snippet = snippet.annotation(
            AnnotationKind::Context
                .span(shift(&s.span))
                .label(escape::text(&s.message)),
        );
    }
    let mut group = level
        .primary_title(escape::text(&d.message))
        .id(d.rule.name)
        .element(snippet);
    for note in &d.notes {
        group = group.element(Level::NOTE.message(escape::text(note)));
    }
    if let Some(help) = &d.help {
        group = group.element(Level::HELP.message(escape::text(help)));
    }
    let report: Vec<Group<'_>> = vec![group];
    let renderer = if styled {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let out = renderer.decor_style(DecorStyle::Unicode).render(&report);
    match at {
        Some(_) => {
            // the header gives the column in the escaped line: the file's column is said
            let start = shift(&d.span).start;
            let line_start = window[..start].rfind('\n').map_or(0, |i| i + 1);
            let shown = window[line_start..start].chars().count() + 1;
            let lc = d.file.line_col(d.span.start);
            true_column(out, &name, lc.line, shown, lc.column)
        }
        None => out,
    }
}

/// `out` with the header's `name:line:shown` said as `name:line:column` (the header is the line
/// after the title, which is one line: its text is escaped).
fn true_column(out: String, name: &str, line: usize, shown: usize, column: usize) -> String {
    if shown == column {
        return out;
    }
    let from = out.find('\n').map_or(out.len(), |i| i + 1);
    let to = out[from..].find('\n').map_or(out.len(), |i| from + i);
    let wrong = format!("{name}:{line}:{shown}");
    match out[from..to].find(&wrong) {
        Some(i) => {
            let at = from + i;
            format!(
                "{}{name}:{line}:{column}{}",
                &out[..at],
                &out[at + wrong.len()..]
            )
        }
        None => out,
    }
}

/// [`render`], or only the findings with `quiet` (`--quiet`: no summary line).
pub fn report(diagnostics: &[Diagnostic], summary: &Summary, styled: bool, quiet: bool) -> String {
    if quiet {
        findings(diagnostics, styled)
    } else {
        render(diagnostics, summary, styled)
    }
}

/// Renders every diagnostic, each followed by a blank line (`--quiet`: no summary).
pub fn findings(diagnostics: &[Diagnostic], styled: bool) -> String {
    let mut out = String::new();
    for d in diagnostics {
        out.push_str(&render_one(d, styled));
        out.push_str("\n\n");
    }
    out
}

/// What was found to lint: `2 aws-auth sources`, with `and 5 access-entry declarations` when
/// there are any.
fn sources(summary: &Summary) -> String {
    let aws_auth = super::plural(summary.configmaps, "aws-auth source");
    match summary.access_declarations {
        0 => aws_auth,
        n => format!(
            "{aws_auth} and {}",
            super::plural(n, "access-entry declaration")
        ),
    }
}

/// Renders all diagnostics and a summary line.
pub fn render(diagnostics: &[Diagnostic], summary: &Summary, styled: bool) -> String {
    let mut out = findings(diagnostics, styled);
    let plural = super::plural;
    // "no problems found" is not said of a run where files could not be read (exit 2)
    let failures = summary.failures();
    if let (true, Some(f)) = (diagnostics.is_empty(), &failures) {
        out.push_str(&format!(
            "{f}; 0 findings in {} ({} scanned)\n",
            sources(summary),
            plural(summary.files_scanned, "file")
        ));
    } else if diagnostics.is_empty() {
        out.push_str(&format!(
            "no problems found in {} ({} scanned)\n",
            sources(summary),
            plural(summary.files_scanned, "file")
        ));
    } else {
        out.push_str(&format!(
            "found {}, {}, {} in {} ({} scanned){}\n",
            plural(summary.errors, "error"),
            plural(summary.warnings, "warning"),
            plural(summary.infos, "info"),
            sources(summary),
            plural(summary.files_scanned, "file"),
            failures.map(|f| format!("; {f}")).unwrap_or_default()
        ));
    }
    out
}
