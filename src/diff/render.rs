//! Renderings of a [`Report`]: human (grouped by risk, with the changed lines), concise (one
//! line per change), Markdown (a pull request comment), JSON (contract version 1), GitHub
//! annotations and SARIF (escalations and lockouts, for code scanning).
//!
//! Files are named as the report names them (from the repository root, or as given with
//! `--no-index`); [`relocate`] turns them into the paths a format wants first
//! (`crate::render::location`): from the current directory for people, from the workspace for
//! machines. JSON keeps the report's names (its contract: from the repository root).

use crate::render::location::Places;
use serde::Serialize;

use super::{Change, Kind, Report, Risk, Side};
use crate::render::escape;

/// What was compared, for headings.
#[derive(Debug, Clone, Serialize)]
pub struct Revisions {
    /// The old side: a revision as given and its commit, or a file.
    pub base: String,
    /// The new side.
    pub head: String,
    /// The base commit, when the base is a commit of a repository.
    #[serde(skip)]
    pub base_commit: Option<String>,
}

const RISKS: [Risk; 3] = [Risk::Escalation, Risk::Lockout, Risk::AccessChange];

/// Text from the manifests for a terminal: control characters (a YAML `"\e[2K\r"` username,
/// line breaks) shown as escapes, never sent to the terminal ([`escape::text`]).
fn visible(text: &str) -> String {
    escape::text(text).into_owned()
}

/// Text from the manifests for Markdown prose: no emphasis, links, images, HTML, code spans or
/// mentions can come from it.
fn md_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // word joiners keep GitHub from turning `https://…` and `www.…` into links
    let text = visible(text)
        .replace("://", ":\u{2060}//")
        .replace("www.", "www\u{2060}.");
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            // a word joiner after `@` keeps GitHub from reading a mention
            '@' => out.push_str("@\u{2060}"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '!' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// A reason for Markdown: its `code` parts stay code spans (inert whatever they hold), the rest
/// is [`md_text`]; an unpaired backtick is text.
fn md_reason(text: &str) -> String {
    let parts: Vec<&str> = text.split('`').collect();
    let paired = parts.len() % 2 == 1;
    let mut out = String::new();
    for (i, part) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        if i % 2 == 1 && (paired || !last) {
            out.push('`');
            out.push_str(&visible(part));
            out.push('`');
        } else {
            if i % 2 == 1 {
                out.push_str("\\`");
            }
            out.push_str(&md_text(part));
        }
    }
    out
}

fn headline(c: &Change) -> String {
    let what = match c.kind {
        Kind::Added => "added",
        Kind::Removed => "removed",
        Kind::Changed => "changed",
        Kind::Moved => "moved",
        Kind::SectionLost => "section lost",
        Kind::SectionRestored => "section restored",
        Kind::SourceRemoved => "aws-auth lost",
        Kind::UnknownAdded => "unknown part added",
        Kind::UnknownRemoved => "unknown part removed",
        Kind::ModeChanged => "authentication mode changed",
        Kind::RbacReach => "reach through RBAC",
    };
    let who = c
        .principal
        .strip_prefix(crate::model::principal::SECTION_PREFIX)
        .unwrap_or(&c.principal);
    format!("{what}: {who}")
}

fn location(s: Option<&Side>) -> String {
    s.map_or_else(
        || "-".to_owned(),
        |s| format!("{}:{}", escape::name(&s.file), s.line),
    )
}

/// The changed lines as a unified diff of the mapping's text (`similar`).
fn text_diff(c: &Change) -> String {
    let old = c.before.as_ref().map_or("", |s| s.text.as_str());
    let new = c.after.as_ref().map_or("", |s| s.text.as_str());
    if old.is_empty() && new.is_empty() {
        return String::new();
    }
    let diff = similar::TextDiff::from_lines(old, new);
    let mut out = String::new();
    for change in diff.iter_all_changes() {
        let sign = match change.tag() {
            similar::ChangeTag::Delete => '-',
            similar::ChangeTag::Insert => '+',
            similar::ChangeTag::Equal => ' ',
        };
        out.push(sign);
        out.push_str(&escape::text(change.value().trim_end_matches('\n')));
        out.push('\n');
    }
    out
}

fn summary_line(r: &Report) -> String {
    if r.changes.is_empty() {
        return if !r.skipped.is_empty() {
            format!(
                "no semantic change in what was compared; {} file version(s) not compared (below)",
                r.skipped.len()
            )
        } else if r.files_changed == 0 {
            "no aws-auth mappings changed".to_owned()
        } else {
            format!(
                "no semantic change: {} aws-auth file(s) changed only in formatting, order, quoting or comments",
                r.files_changed
            )
        };
    }
    let count = |risk| r.changes.iter().filter(|c| c.primary() == risk).count();
    let parts: Vec<String> = RISKS
        .iter()
        .map(|&k| (k, count(k)))
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| format!("{n} {}", k.title()))
        .collect();
    format!(
        "{} semantic change(s) in {} aws-auth source(s): {}",
        r.changes.len(),
        r.sources_compared,
        parts.join(", ")
    )
}

/// Names every file of the changes with `to` (see the module docs).
pub fn relocate(r: &mut Report, to: &dyn Fn(&str) -> String) {
    for c in &mut r.changes {
        for side in [c.before.as_mut(), c.after.as_mut()].into_iter().flatten() {
            side.file = to(&side.file);
        }
    }
}

/// Who reads a rendering of the diff, which decides what its file names are relative to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readers {
    /// A terminal (human, concise): from the current directory.
    People,
    /// CI annotations (github, sarif): from the workspace (`render::location`).
    Machines,
    /// JSON and a pull-request comment (Markdown): from the repository root, as the contract
    /// says.
    Contract,
}

/// Names the files of `r` for `readers` (they come named from the repository root, or as given
/// with `--no-index`).
pub fn place(r: &mut Report, readers: Readers, no_index: bool, places: &Places) {
    match (readers, no_index) {
        (Readers::Machines, true) => relocate(r, &|f| places.for_machines(f)),
        (Readers::Machines, false) => relocate(r, &|f| places.root_for_machines(f)),
        (Readers::People, false) => relocate(r, &|f| places.for_people(f)),
        _ => {}
    }
}

/// The human rendering for `--quiet` or not: nothing at all when quiet and there is nothing to
/// show, no summary line when quiet.
pub fn human_for(r: &Report, revs: &Revisions, styled: bool, quiet: bool) -> String {
    if quiet && is_empty(r) {
        String::new()
    } else {
        human_with(r, revs, styled, !quiet)
    }
}

/// Whether there is nothing at all to show (`--quiet` then prints nothing).
pub fn is_empty(r: &Report) -> bool {
    r.changes.is_empty() && r.skipped.is_empty() && r.notes.is_empty()
}

/// The human rendering; `styled` adds ANSI colours (stripped again when the output is not a
/// terminal, see `--color`).
pub fn human(r: &Report, revs: &Revisions, styled: bool) -> String {
    human_with(r, revs, styled, true)
}

/// [`human`], with the summary line only when `summary` (`--quiet` leaves it out).
pub fn human_with(r: &Report, revs: &Revisions, styled: bool, summary: bool) -> String {
    use anstyle::{AnsiColor, Style};
    let paint = |style: Style, text: &str| {
        if styled {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_owned()
        }
    };
    let bold = Style::new().bold();
    let mut out = format!(
        "{}\n",
        paint(
            bold,
            &format!(
                "awsauth diff {} → {}",
                visible(&revs.base),
                visible(&revs.head)
            )
        )
    );
    for risk in RISKS {
        let group: Vec<&Change> = r.changes.iter().filter(|c| c.primary() == risk).collect();
        if group.is_empty() {
            continue;
        }
        let color = match risk {
            Risk::Escalation => AnsiColor::Red,
            Risk::Lockout => AnsiColor::Magenta,
            Risk::AccessChange => AnsiColor::Yellow,
        };
        let heading = format!("{} ({})", risk.title(), group.len());
        out.push_str(&format!(
            "\n{}\n",
            paint(bold.fg_color(Some(color.into())), &heading)
        ));
        for c in group {
            out.push_str(&format!("  {}\n", paint(bold, &visible(&headline(c)))));
            out.push_str(&format!(
                "    {} → {}\n",
                visible(&location(c.before.as_ref())),
                visible(&location(c.after.as_ref()))
            ));
            for reason in &c.reasons {
                out.push_str(&format!("    · {}\n", visible(reason)));
            }
            if !c.groups_added.is_empty() && c.kind != Kind::Added {
                out.push_str(&format!(
                    "    groups added: {}\n",
                    visible(&c.groups_added.join(", "))
                ));
            }
            if !c.groups_removed.is_empty() && c.kind != Kind::Removed {
                out.push_str(&format!(
                    "    groups removed: {}\n",
                    visible(&c.groups_removed.join(", "))
                ));
            }
            for line in text_diff(c).lines() {
                let style = match line.chars().next() {
                    Some('+') => Style::new().fg_color(Some(AnsiColor::Green.into())),
                    Some('-') => Style::new().fg_color(Some(AnsiColor::Red.into())),
                    _ => Style::new(),
                };
                out.push_str(&format!("    │ {}\n", paint(style, &visible(line))));
            }
        }
    }
    for s in &r.skipped {
        out.push_str(&format!("\nnot compared: {}\n", visible(s)));
    }
    for n in &r.notes {
        out.push_str(&format!("\nnote: {}\n", visible(n)));
    }
    if summary {
        out.push_str(&format!("\n{}\n", summary_line(r)));
    }
    out
}

/// One line per change (`path:line: risk: change: principal[: why]`, at the new side, or the
/// old one for a removal), then one per file not compared and per note.
pub fn concise(r: &Report) -> String {
    let mut out = String::new();
    for c in &r.changes {
        out.push_str(&format!(
            "{}: {}: {}\n",
            location(c.after.as_ref().or(c.before.as_ref())),
            c.primary().as_str(),
            visible(&message(c))
        ));
    }
    for s in &r.skipped {
        out.push_str(&format!("not compared: {}\n", visible(s)));
    }
    for n in &r.notes {
        out.push_str(&format!("note: {}\n", visible(n)));
    }
    out
}

/// A change in one line: its headline and, when there is one, why it matters (the detail the
/// human and Markdown renderings give; a plain access change has no reason, only the groups it
/// adds or removes).
fn message(c: &Change) -> String {
    let mut why = c.reasons.clone();
    if !c.groups_added.is_empty() && c.kind != Kind::Added {
        why.push(format!("groups added: {}", c.groups_added.join(", ")));
    }
    if !c.groups_removed.is_empty() && c.kind != Kind::Removed {
        why.push(format!("groups removed: {}", c.groups_removed.join(", ")));
    }
    if why.is_empty() {
        headline(c)
    } else {
        format!("{}: {}", headline(c), why.join("; "))
    }
}

/// Text for a Markdown table cell: one line, pipes escaped (the manifest's text must not be
/// able to add rows or headings to a pull-request comment).
fn cell(text: &str) -> String {
    text.replace(['\n', '\r'], " ").replace('|', "\\|")
}

/// An inline code span that holds any text, backticks included (control characters escaped).
fn code(text: &str) -> String {
    let text = escape::text(text);
    let text = text.as_ref();
    let longest = longest_run(text, '`');
    let fence = "`".repeat(longest + 1);
    let pad = if longest > 0 { " " } else { "" };
    cell(&format!("{fence}{pad}{text}{pad}{fence}"))
}

fn longest_run(text: &str, c: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for x in text.chars() {
        run = if x == c { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}

/// The Markdown rendering (a pull-request comment).
pub fn markdown(r: &Report, revs: &Revisions) -> String {
    let mut out = format!(
        "### awsauth: aws-auth changes {} → {}\n\n",
        code(&revs.base),
        code(&revs.head)
    );
    out.push_str(&format!("**{}**\n", summary_line(r)));
    for risk in RISKS {
        let group: Vec<&Change> = r.changes.iter().filter(|c| c.primary() == risk).collect();
        if group.is_empty() {
            continue;
        }
        let icon = match risk {
            Risk::Escalation => "🔺",
            Risk::Lockout => "⛔",
            Risk::AccessChange => "🔁",
        };
        out.push_str(&format!(
            "\n#### {icon} {} ({})\n\n",
            risk.title(),
            group.len()
        ));
        out.push_str("| change | principal | where | why |\n|---|---|---|---|\n");
        for c in &group {
            let kind = headline(c);
            let kind = kind.split(':').next().unwrap_or_default();
            let mut why = c.reasons.clone();
            if !c.groups_added.is_empty() && c.kind != Kind::Added {
                why.push(format!("groups added: {}", c.groups_added.join(", ")));
            }
            if !c.groups_removed.is_empty() && c.kind != Kind::Removed {
                why.push(format!("groups removed: {}", c.groups_removed.join(", ")));
            }
            out.push_str(&format!(
                "| {kind} | {} | {} → {} | {} |\n",
                code(&c.principal),
                code(&location(c.before.as_ref())),
                code(&location(c.after.as_ref())),
                cell(
                    &why.iter()
                        .map(|w| md_reason(w))
                        .collect::<Vec<_>>()
                        .join("; ")
                )
            ));
        }
        let diffs: Vec<String> = group
            .iter()
            .map(|c| text_diff(c))
            .filter(|d| !d.is_empty())
            .collect();
        if !diffs.is_empty() {
            let body = diffs.join("\n");
            // a fence longer than any run of backticks in the manifest's lines
            let fence = "`".repeat(longest_run(&body, '`').max(2) + 1);
            out.push_str(&format!(
                "\n<details><summary>changed lines</summary>\n\n{fence}diff\n{body}{fence}\n\n</details>\n"
            ));
        }
    }
    for s in &r.skipped {
        out.push_str(&format!("\n_not compared: {}_\n", md_text(s)));
    }
    for n in &r.notes {
        out.push_str(&format!("\n**note:** {}\n", md_reason(n)));
    }
    out
}

#[derive(Serialize)]
struct Json<'a> {
    version: u32,
    base: &'a str,
    head: &'a str,
    summary: JsonSummary,
    changes: &'a [Change],
    skipped: &'a [String],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    notes: &'a [String],
}

#[derive(Serialize)]
struct JsonSummary {
    semantic_changes: usize,
    escalation: usize,
    lockout: usize,
    access_change: usize,
    files_changed: usize,
    sources_compared: usize,
}

/// The JSON contract (version 1); see the README.
pub fn json(r: &Report, revs: &Revisions) -> String {
    let count = |risk| r.changes.iter().filter(|c| c.risks.contains(&risk)).count();
    let doc = Json {
        version: 1,
        base: &revs.base,
        head: &revs.head,
        summary: JsonSummary {
            semantic_changes: r.changes.len(),
            escalation: count(Risk::Escalation),
            lockout: count(Risk::Lockout),
            access_change: count(Risk::AccessChange),
            files_changed: r.files_changed,
            sources_compared: r.sources_compared,
        },
        changes: &r.changes,
        skipped: &r.skipped,
        notes: &r.notes,
    };
    let mut s = crate::render::escape::json(serde_json::to_string_pretty(&doc).unwrap_or_default());
    s.push('\n');
    s
}

/// GitHub Actions annotations, on the new side (or the old one for removals).
pub fn github(r: &Report) -> String {
    let esc = crate::render::github_escape;
    let mut out = String::new();
    for c in &r.changes {
        let Some(at) = c.after.as_ref().or(c.before.as_ref()) else {
            continue;
        };
        let level = match c.primary() {
            Risk::Escalation | Risk::Lockout => "error",
            Risk::AccessChange => "notice",
        };
        let message = message(c);
        out.push_str(&format!(
            "::{level} file={},line={},title={}::{}\n",
            esc(&escape::text(&at.file), true),
            at.line,
            esc(&format!("awsauth diff: {}", c.primary().title()), true),
            esc(&escape::text(&message), false)
        ));
    }
    // what was not compared (templates, unreadable versions, submodules) is not silently left
    // out of the checks' annotations either
    for s in &r.skipped {
        out.push_str(&format!(
            "::warning title={}::{}\n",
            esc("awsauth diff: not compared", true),
            esc(s, false)
        ));
    }
    out
}

/// The SARIF rules of a diff: one per risk it reports.
fn sarif_rules() -> Vec<serde_json::Value> {
    let rule = |risk: Risk, short: &str, full: &str, score: &str| {
        let id = format!("diff-{}", risk.as_str());
        serde_json::json!({
            "id": id,
            "shortDescription": { "text": short },
            "fullDescription": { "text": full },
            "help": { "text": full, "markdown": full },
            "defaultConfiguration": { "level": "error" },
            "properties": { "tags": ["security"], "security-severity": score },
        })
    };
    vec![
        rule(
            Risk::Escalation,
            "a change gives someone more power in the cluster",
            "`awsauth diff` found a change to aws-auth that gives someone more power: `system:masters`, a node identity, a whole account, an IAM user, or a wildcard-ish or cross-account principal.",
            "8.0",
        ),
        rule(
            Risk::Lockout,
            "a change locks nodes or people out of the cluster",
            "`awsauth diff` found a change to aws-auth that takes access away from nodes or people: a node mapping removed or broken, a section that no longer loads, aws-auth deleted or no longer read.",
            "7.0",
        ),
    ]
}

/// The escalations and lockouts of a diff as a SARIF log (see `crate::render::sarif`), files
/// already [`relocate`]d for machines; `base` is the directory `%SRCROOT%` stands for.
///
/// A result is placed at the change's new side (HEAD). A removed mapping has none: it is placed
/// at its old line (at BASE) in the same file, and its message says so: the mapping is gone, and
/// the reviewer looks for it where it was (the line may have moved at HEAD, and code scanning
/// cannot show a deleted line).
pub fn sarif(r: &Report, base: &std::path::Path) -> String {
    use crate::render::sarif::{FINGERPRINT, artifact, log};
    let results: Vec<serde_json::Value> = r
        .changes
        .iter()
        .filter(|c| matches!(c.primary(), Risk::Escalation | Risk::Lockout))
        .filter_map(|c| {
            let (at, removed) = match (&c.after, &c.before) {
                (Some(after), _) => (after, false),
                (None, Some(before)) => (before, true),
                (None, None) => return None,
            };
            let risk = c.primary();
            let id = format!("diff-{}", risk.as_str());
            let mut text = message(c);
            if removed {
                text.push_str(&format!(
                    " (gone at HEAD; line {} is where it was at BASE)",
                    at.line
                ));
            }
            let key = crate::baseline::fnv1a(&[&id, &at.file, &c.principal]);
            Some(serde_json::json!({
                "ruleId": id,
                "ruleIndex": usize::from(risk == Risk::Lockout),
                "level": "error",
                "message": { "text": text },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": artifact(&at.file),
                        "region": { "startLine": at.line.max(1) },
                    },
                }],
                "partialFingerprints": { FINGERPRINT: format!("{key:016x}") },
            }))
        })
        .collect();
    log(&sarif_rules(), &results, base)
}
