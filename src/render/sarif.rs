//! `--format sarif`: a SARIF 2.1.0 log (OASIS), one run, for GitHub code scanning and other
//! SARIF viewers. The pieces a `diff` log shares ([`artifact`], [`log`]) are public.
//!
//! - **Rules.** `tool.driver.rules` holds every built-in rule (then any policy or other rule a
//!   result names), each from its declaration: `shortDescription` the summary,
//!   `fullDescription` its "What it does", `help` its documentation (as text and Markdown),
//!   `defaultConfiguration` its default level (and `enabled: false` for a rule off by default),
//!   `properties.tags` its category, and for security rules `properties.security-severity`, the
//!   score GitHub ranks alerts by: `8.0` (high) for a rule that is an error by default, `6.0`
//!   (medium) for a warning, `3.0` (low) for an info.
//! - **Levels.** error → `error`, warning → `warning`, info → `note`.
//! - **Positions.** Lines are 1-based; columns count UTF-16 code units (SARIF's default
//!   `columnKind`, `utf16CodeUnits`, stated in the run), so a character outside the Basic
//!   Multilingual Plane counts two, unlike the one of the other formats; `endColumn` is
//!   exclusive. Secondary labels are `relatedLocations`, each with its message.
//! - **Paths.** URIs are relative to `%SRCROOT%` ([`super::location`]: the workspace or the
//!   repository root), percent-encoded; `originalUriBaseIds` gives that directory as a `file:`
//!   URI. A file outside it is given by its absolute `file:` URI.
//! - **Identity.** `partialFingerprints["awsauth/v1"]` is the baseline key of the finding
//!   ([`crate::baseline::fingerprint`] from `%SRCROOT%`: rule, file, principal), never a line:
//!   a finding keeps its identity when lines are added above it.
//!
//! Text is kept exact (the document is made safe to print by [`super::escape::json`]).

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;
use serde_json::{Value, json};

use super::location::Places;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rule_meta::{Category, Rule};
use crate::source::{SourceFile, Span};

/// The `uriBaseId` of every relative URI.
pub const SRCROOT: &str = "%SRCROOT%";

/// The key of awsauth's fingerprint in `partialFingerprints`.
pub const FINGERPRINT: &str = "awsauth/v1";

/// The SARIF level of a severity.
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// `path` percent-encoded for a URI: unreserved characters, `/` and the sub-delimiters stay;
/// everything else (`%`, `#`, `?`, `:`, white space, controls, non-ASCII bytes) is encoded.
fn encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        let keep = b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=@".contains(&b);
        if keep {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A `file:` URI of an absolute path.
fn file_uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let path = if path.starts_with('/') {
        path
    } else {
        format!("/{path}")
    };
    format!("file://{}", encode(&path))
}

/// An `artifactLocation`.
#[derive(Debug, Clone, Serialize)]
pub struct Artifact {
    uri: String,
    #[serde(rename = "uriBaseId", skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

/// The `artifactLocation` of a path as machine formats give it ([`Places::for_machines`]):
/// relative to `%SRCROOT%`, or absolute.
pub fn artifact(path: &str) -> Artifact {
    if Path::new(path).is_absolute() || path.starts_with('/') {
        Artifact {
            uri: file_uri(path),
            uri_base_id: None,
        }
    } else {
        Artifact {
            uri: encode(path),
            uri_base_id: Some(SRCROOT),
        }
    }
}

/// A `region`: 1-based lines, UTF-16 columns, `endColumn` exclusive.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

/// A message.
#[derive(Serialize)]
struct Text<'a> {
    text: std::borrow::Cow<'a, str>,
}

/// A location of a result (`id` and `message` for related locations and labels).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    #[serde(rename = "physicalLocation")]
    physical: Physical<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Physical<'a> {
    artifact_location: &'a Artifact,
    region: Region,
}

/// A `result` of the lint log.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LintResult<'a> {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text<'a>,
    locations: [Location<'a>; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location<'a>>,
    partial_fingerprints: Fingerprints,
}

#[derive(Serialize)]
struct Fingerprints {
    #[serde(rename = "awsauth/v1")]
    v1: String,
}

/// Bytes per entry of [`Columns`]' tables.
const BLOCK: usize = 1024;

/// UTF-16 columns of the files of a log, in constant time per position (a one-line JSON
/// manifest can hold thousands of findings on a line of a megabyte): a character outside the
/// Basic Multilingual Plane (four UTF-8 bytes) is one more UTF-16 unit than the character
/// columns of [`SourceFile::line_col`] count, so the column is that plus the number of such
/// characters between the line's start and the position, read from a table of their running
/// count every [`BLOCK`] bytes (built once per file that has any).
#[derive(Default)]
pub struct Columns {
    /// Per file (by address): the count of four-byte characters before each block; empty for a
    /// file without any.
    tables: HashMap<usize, Vec<usize>>,
}

/// Four-byte characters (their lead bytes) in `bytes`.
fn astral(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b >= 0xF0).count()
}

impl Columns {
    /// Four-byte characters before `offset` in `file`.
    fn before(&mut self, file: &SourceFile, offset: usize) -> usize {
        let bytes = file.text.as_bytes();
        let table = self
            .tables
            .entry(std::ptr::from_ref(file) as usize)
            .or_insert_with(|| {
                if astral(bytes) == 0 {
                    return Vec::new();
                }
                let mut acc = 0;
                let mut t = Vec::with_capacity(bytes.len() / BLOCK + 1);
                for chunk in bytes.chunks(BLOCK) {
                    t.push(acc);
                    acc += astral(chunk);
                }
                t.push(acc);
                t
            });
        if table.is_empty() {
            return 0;
        }
        let k = offset / BLOCK;
        table[k] + astral(&bytes[k * BLOCK..offset])
    }

    /// A 1-based line and UTF-16 column of a byte offset.
    fn position(&mut self, file: &SourceFile, offset: usize) -> (usize, usize) {
        let offset = file.char_span(&(offset..offset)).start;
        let lc = file.line_col(offset);
        let line_start = file.line_span(lc.line).start.min(offset);
        let extra = self.before(file, offset) - self.before(file, line_start);
        (lc.line, lc.column + extra)
    }

    /// The `region` of a span.
    pub fn region(&mut self, file: &SourceFile, span: &Span) -> Region {
        let (start_line, start_column) = self.position(file, span.start);
        let (end_line, end_column) = self.position(file, span.end.max(span.start));
        Region {
            start_line,
            start_column,
            end_line,
            end_column,
        }
    }
}

/// The first paragraph under `## What it does` of a rule's documentation, else its summary.
fn what_it_does(rule: &Rule) -> String {
    let docs = rule.docs();
    let mut lines = docs
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("## What it does"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
    let mut text = lines.next().map(str::trim).unwrap_or_default().to_owned();
    for l in lines {
        text.push(' ');
        text.push_str(l.trim());
    }
    if text.is_empty() {
        rule.summary.to_owned()
    } else {
        text
    }
}

/// The repository of the package (`repository` in `Cargo.toml`), if it names one.
fn repository() -> Option<&'static str> {
    Some(env!("CARGO_PKG_REPOSITORY")).filter(|r| !r.is_empty())
}

/// A `reportingDescriptor` of a rule.
fn descriptor(rule: &Rule) -> Value {
    let docs = rule.docs();
    let mut d = json!({
        "id": rule.name,
        "shortDescription": { "text": rule.summary },
        "fullDescription": { "text": what_it_does(rule) },
        "help": { "text": docs, "markdown": docs },
        "defaultConfiguration": { "level": level(rule.severity) },
        "properties": { "tags": [rule.category.as_str()] },
    });
    if !rule.enabled {
        d["defaultConfiguration"]["enabled"] = json!(false);
    }
    if rule.category == Category::Security {
        let score = match rule.severity {
            Severity::Error => "8.0",
            Severity::Warning => "6.0",
            Severity::Info => "3.0",
        };
        d["properties"]["security-severity"] = json!(score);
    }
    if let Some(repo) = repository() {
        d["helpUri"] = json!(format!(
            "{}/blob/main/rules/{}.md",
            repo.trim_end_matches('/'),
            rule.name
        ));
    }
    d
}

/// The SARIF log of one run: `rules` are the driver's rules, `results` the results, `base`
/// the directory `%SRCROOT%` stands for.
pub fn log<R: Serialize>(rules: &[Value], results: &[R], base: &Path) -> String {
    let mut driver = json!({
        "name": "awsauth",
        "version": env!("CARGO_PKG_VERSION"),
        "semanticVersion": env!("CARGO_PKG_VERSION"),
        "rules": rules,
    });
    if let Some(repo) = repository() {
        driver["informationUri"] = json!(repo);
    }
    let mut root = file_uri(&base.to_string_lossy());
    if !root.ends_with('/') {
        root.push('/');
    }
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": driver },
            "originalUriBaseIds": {
                SRCROOT: {
                    "uri": root,
                    "description": { "text": "the root of the repository (or the CI workspace)" },
                },
            },
            "columnKind": "utf16CodeUnits",
            "results": results,
        }],
    });
    let mut s = super::escape::json(serde_json::to_string_pretty(&doc).unwrap_or_default());
    s.push('\n');
    s
}

/// A result's message: the finding's, with its help on a line of its own.
fn message(d: &Diagnostic) -> String {
    match &d.help {
        Some(help) => format!("{}\nhelp: {help}", d.message),
        None => d.message.clone(),
    }
}

/// The rules of the log: every built-in rule, then the others the findings name (policies).
fn rules_of(diagnostics: &[Diagnostic]) -> Vec<&'static Rule> {
    let mut rules: Vec<&'static Rule> = crate::rules::RULES.to_vec();
    for d in diagnostics {
        if !rules.iter().any(|r| r.name == d.rule.name) {
            rules.push(d.rule);
        }
    }
    rules
}

/// Per file of a log (by address): its artifact and its name in the baseline key.
type Files = HashMap<usize, (Artifact, String)>;

/// One finding as a result: `rules` the driver's rules, `base` the directory `%SRCROOT%`
/// stands for.
fn result<'a>(
    d: &'a Diagnostic,
    rules: &[&'static Rule],
    files: &'a Files,
    columns: &mut Columns,
) -> LintResult<'a> {
    let (artifact, key) = &files[&(std::sync::Arc::as_ptr(&d.file) as usize)];
    let related = d
        .secondary
        .iter()
        .enumerate()
        .map(|(id, l)| Location {
            id: Some(id),
            physical: Physical {
                artifact_location: artifact,
                region: columns.region(&d.file, &l.span),
            },
            message: Some(Text {
                text: l.message.as_str().into(),
            }),
        })
        .collect();
    let fingerprint = crate::baseline::fnv1a(&[d.rule.name, key, &crate::baseline::subject(d)]);
    LintResult {
        rule_id: d.rule.name,
        rule_index: rules
            .iter()
            .position(|r| r.name == d.rule.name)
            .unwrap_or_default(),
        level: level(d.severity),
        message: Text {
            text: message(d).into(),
        },
        locations: [Location {
            id: None,
            physical: Physical {
                artifact_location: artifact,
                region: columns.region(&d.file, &d.span),
            },
            message: d.label.as_deref().map(|l| Text { text: l.into() }),
        }],
        related_locations: related,
        // the baseline key ([`crate::baseline::fingerprint`]), its file part computed once
        partial_fingerprints: Fingerprints {
            v1: format!("{fingerprint:016x}"),
        },
    }
}

/// Renders the lint findings as a SARIF log (paths from `places`' machine base).
pub fn render(diagnostics: &[Diagnostic], places: &Places) -> String {
    let rules = rules_of(diagnostics);
    let base = places.machine_base();
    let mut files = Files::new();
    for d in diagnostics {
        files
            .entry(std::sync::Arc::as_ptr(&d.file) as usize)
            .or_insert_with(|| {
                let artifact = artifact(&places.for_machines(&d.file.name));
                (artifact, crate::baseline::file_key(&d.file.name, base))
            });
    }
    let mut columns = Columns::default();
    let results: Vec<LintResult<'_>> = diagnostics
        .iter()
        .map(|d| result(d, &rules, &files, &mut columns))
        .collect();
    let descriptors: Vec<Value> = rules.iter().map(|r| descriptor(r)).collect();
    log(&descriptors, &results, base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_encoded() {
        assert_eq!(encode("a b/c%d#e?f:g.yaml"), "a%20b/c%25d%23e%3Ff%3Ag.yaml");
        assert_eq!(encode("é\n"), "%C3%A9%0A");
        assert_eq!(artifact("x/y.yaml").uri_base_id, Some(SRCROOT));
        assert_eq!(artifact("/abs/y z.yaml").uri, "file:///abs/y%20z.yaml");
    }

    #[test]
    fn columns_count_utf16_units() {
        let f = SourceFile::new("x", "a: \"👩é\" b\n");
        let b = f.text.find('b').expect("b");
        // `a: "` is 4, the emoji 2 units, `é` 1, `" ` 2: `b` is the 10th unit
        assert_eq!(Columns::default().position(&f, b), (1, 10));
        // on a long line, past blocks of the table, and on a later line
        let text = format!("{}x\n👩y", "é👩".repeat(3000));
        let f = SourceFile::new("y", text);
        let mut columns = Columns::default();
        let x = f.text.find('x').expect("x");
        assert_eq!(columns.position(&f, x), (1, 9001));
        let y = f.text.find('y').expect("y");
        assert_eq!(columns.position(&f, y), (2, 3));
    }
}
