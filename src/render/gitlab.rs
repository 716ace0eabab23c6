//! `--format gitlab`: a GitLab Code Quality report (a JSON array of issues), for the merge
//! request widget (`artifacts: reports: codequality:`).
//!
//! Each finding is an issue with `description` (the message), `check_name` (the rule id),
//! `fingerprint`, `severity`, `location.path` (relative to `CI_PROJECT_DIR`, else the
//! repository root: [`super::location`]) and `location.lines.begin`.
//!
//! - **Severity.** GitLab's scale has five steps; awsauth's three are mapped with the rule's
//!   category: info → `info`; warning → `minor`, or `major` for a security rule; error →
//!   `major`, or `critical` for a security rule. (`blocker` is not used.)
//! - **Fingerprint.** The baseline key ([`crate::baseline::fingerprint`]: rule, file,
//!   principal), so GitLab matches a finding across pipelines when lines move; GitLab drops
//!   issues with a fingerprint it has already seen, so the second and later findings with the
//!   same key in one report get `-2`, `-3`, … appended, in the report's order.

use std::collections::HashMap;

use serde::Serialize;

use super::location::Places;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rule_meta::Category;

#[derive(Serialize)]
struct Issue<'a> {
    description: &'a str,
    check_name: &'static str,
    fingerprint: String,
    severity: &'static str,
    location: Location,
}

#[derive(Serialize)]
struct Location {
    path: String,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
}

/// GitLab's severity of a finding (see the module docs).
pub fn severity(d: &Diagnostic) -> &'static str {
    let security = d.rule.category == Category::Security;
    match (d.severity, security) {
        (Severity::Info, _) => "info",
        (Severity::Warning, false) => "minor",
        (Severity::Warning, true) | (Severity::Error, false) => "major",
        (Severity::Error, true) => "critical",
    }
}

/// Renders the findings as a Code Quality report (paths from `places`' machine base).
pub fn render(diagnostics: &[Diagnostic], places: &Places) -> String {
    let base = places.machine_base();
    let mut seen: HashMap<String, usize> = HashMap::new();
    // per file (by address): its path and its name in the baseline key, computed once
    let mut files: HashMap<usize, (String, String)> = HashMap::new();
    let issues: Vec<Issue<'_>> = diagnostics
        .iter()
        .map(|d| {
            let (path, file_key) = files
                .entry(std::sync::Arc::as_ptr(&d.file) as usize)
                .or_insert_with(|| {
                    let key = crate::baseline::file_key(&d.file.name, base);
                    (places.for_machines(&d.file.name), key)
                })
                .clone();
            // the baseline key ([`crate::baseline::fingerprint`])
            let hash =
                crate::baseline::fnv1a(&[d.rule.name, &file_key, &crate::baseline::subject(d)]);
            let key = format!("{hash:016x}");
            let n = seen.entry(key.clone()).or_default();
            *n += 1;
            let fingerprint = if *n == 1 { key } else { format!("{key}-{n}") };
            Issue {
                description: &d.message,
                check_name: d.rule.name,
                fingerprint,
                severity: severity(d),
                location: Location {
                    path,
                    lines: Lines {
                        begin: d.file.line_col(d.span.start).line,
                    },
                },
            }
        })
        .collect();
    let mut s = super::escape::json(serde_json::to_string_pretty(&issues).unwrap_or_default());
    s.push('\n');
    s
}
