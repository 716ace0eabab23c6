//! A lost section is reported with the text the authenticator logs, at the place that text
//! points to: `section-parse-error` and `unquoted-template` compared with the Go oracle's
//! `section_error_messages` (the authenticator's own libraries), recorded as JSONL so that no
//! Go is needed. Over broken sections from `scripts/gen_parse_errors.py` (regenerate with
//! `scripts/gen_parse_errors.py --record fixtures/parse-errors/ORACLE.jsonl`) and over the
//! real-world corpus (`../shared/corpus/real`, skipped when absent).
//!
//! For a log text with `line N`, the finding's primary span or one of its labels must start
//! on line N of the section's value (line N+1 for parser errors: yaml.v2 prints those lines
//! counted from 0), found in the outer file by decoding the literal block or double-quoted
//! string here, independently of awsauth's own position map.
#![allow(clippy::print_stderr)] // a skipped test says why on stderr
mod common;

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use awsauth::diagnostic::Diagnostic;
use awsauth::model::{AwsAuth, Section, SourceKind};
use awsauth::source::SourceFile;
use awsauth::yaml::Style;
use common::{lint, load, root};

/// libyaml's parser errors (the others are the scanner's): yaml.v2 prints their line as
/// libyaml keeps it, counted from 0.
const PARSER_PROBLEMS: &[&str] = &[
    "did not find expected <stream-start>",
    "did not find expected <document start>",
    "did not find expected node content",
    "did not find expected '-' indicator",
    "did not find expected key",
    "did not find expected ',' or ']'",
    "did not find expected ',' or '}'",
    "found undefined tag handle",
    "found duplicate %YAML directive",
    "found incompatible YAML document",
    "found duplicate %TAG directive",
];

/// What was compared.
#[derive(Default)]
struct Tally {
    /// Lost sections whose log text was compared.
    texts: usize,
    /// Of those, the ones whose position was checked too.
    positions: usize,
    /// Lost sections whose log text awsauth does not claim to know (and need not).
    untold: usize,
    /// Files awsauth skips as templates.
    templates: usize,
    failures: Vec<String>,
}

/// The line of the section's value (1-based) a log text refers to.
fn value_line(log: &str) -> Option<usize> {
    let (n, problem) = log.strip_prefix("yaml: line ")?.split_once(": ")?;
    let n: usize = n.parse().ok()?;
    Some(if PARSER_PROBLEMS.contains(&problem) {
        n + 1
    } else {
        n
    })
}

/// The text between the first "logs `" and the following "` and drops".
fn claimed_log(d: &Diagnostic) -> Option<&str> {
    let rest = d.message.split_once("logs `")?.1;
    Some(rest.split_once("` and drops")?.0)
}

/// A decoded scalar: the value, `(offset in the value, outer offset)` of every character, and
/// the offset of the closing quote.
type Decoded = (String, Vec<(usize, usize)>, usize);

/// A double-quoted scalar (or JSON string) decoded from the opening quote at `q`.
fn decode_double_quoted(src: &str, q: usize) -> Option<Decoded> {
    let body = src.get(q..)?;
    let mut it = body.char_indices().peekable();
    if it.next()?.1 != '"' {
        return None;
    }
    let mut out = String::new();
    let mut origin = Vec::new();
    let push = |out: &mut String, origin: &mut Vec<(usize, usize)>, c: char, at: usize| {
        origin.push((out.len(), q + at));
        out.push(c);
    };
    let blank = |c: char| c == ' ' || c == '\t';
    while let Some((at, c)) = it.next() {
        match c {
            '"' => return Some((out, origin, q + at)),
            '\\' => {
                let (_, e) = it.next()?;
                let hex = |it: &mut std::iter::Peekable<std::str::CharIndices<'_>>, n: usize| {
                    let mut v = 0u32;
                    for _ in 0..n {
                        v = v * 16 + it.next()?.1.to_digit(16)?;
                    }
                    Some(v)
                };
                let decoded = match e {
                    '\n' | '\r' => {
                        if e == '\r' && it.peek().is_some_and(|&(_, n)| n == '\n') {
                            it.next();
                        }
                        while it.peek().is_some_and(|&(_, n)| blank(n)) {
                            it.next();
                        }
                        continue;
                    }
                    'n' => '\n',
                    't' | '\t' => '\t',
                    'r' => '\r',
                    '"' | '\\' | '/' | ' ' => e,
                    '0' => '\0',
                    'a' => '\u{7}',
                    'b' => '\u{8}',
                    'e' => '\u{1b}',
                    'f' => '\u{c}',
                    'v' => '\u{b}',
                    'N' => '\u{85}',
                    '_' => '\u{a0}',
                    'L' => '\u{2028}',
                    'P' => '\u{2029}',
                    'x' => char::from_u32(hex(&mut it, 2)?)?,
                    'U' => char::from_u32(hex(&mut it, 8)?)?,
                    'u' => {
                        let v = hex(&mut it, 4)?;
                        if (0xd800..0xdc00).contains(&v) {
                            // a JSON surrogate pair
                            it.next();
                            it.next();
                            let low = hex(&mut it, 4)?;
                            char::from_u32(0x10000 + ((v - 0xd800) << 10) + (low - 0xdc00))?
                        } else {
                            char::from_u32(v)?
                        }
                    }
                    _ => return None,
                };
                push(&mut out, &mut origin, decoded, at);
            }
            ' ' | '\t' | '\n' | '\r' => {
                // blanks are kept unless a line break follows them: then the breaks fold
                let mut run = vec![(at, c)];
                while let Some(&(a, n)) = it.peek() {
                    if blank(n) || n == '\n' || n == '\r' {
                        run.push((a, n));
                        it.next();
                    } else {
                        break;
                    }
                }
                let breaks = run.iter().filter(|&&(_, c)| c == '\n').count();
                match run.iter().position(|&(_, c)| c == '\n') {
                    None => {
                        for (a, c) in run {
                            push(&mut out, &mut origin, c, a);
                        }
                    }
                    Some(first) => {
                        let at = run[first].0;
                        if breaks == 1 {
                            push(&mut out, &mut origin, ' ', at);
                        }
                        for _ in 1..breaks {
                            push(&mut out, &mut origin, '\n', at);
                        }
                    }
                }
            }
            c => push(&mut out, &mut origin, c, at),
        }
    }
    None
}

/// Offsets (in `text`) where every line starts, as libyaml counts lines (CR LF is one
/// break; CR, LF, NEL, LS and PS each end a line).
fn line_starts(text: &str) -> Vec<usize> {
    let mut starts = vec![0];
    let mut it = text.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        match c {
            '\r' if it.peek().is_some_and(|&(_, n)| n == '\n') => {
                it.next();
                starts.push(i + 2);
            }
            '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}' => starts.push(i + c.len_utf8()),
            _ => {}
        }
    }
    starts
}

/// The outer byte range holding line `line` (1-based) of the section's value; `None` for
/// styles this test does not decode. A line past the last one (yaml.v2 puts the end of the
/// stream on a line of its own) is the end of the value.
fn outer_range(file: &SourceFile, section: &Section, line: usize) -> Option<Range<usize>> {
    let text = &file.text;
    let lines = line_starts(&section.text).len();
    match section.style {
        Style::Literal => {
            // content starts on the line after the `|` header
            let header = text[..section.value_span.start.min(text.len())].rfind('|')?;
            let starts = line_starts(text);
            let header_line = starts.partition_point(|&s| s <= header) - 1;
            let at = |l: usize| starts.get(l).copied().unwrap_or(text.len());
            if line > lines {
                // the end of the last line, before its break
                let end = text[..at(header_line + lines + 1)]
                    .trim_end_matches(['\n', '\r'])
                    .len();
                return Some(end..end + 1);
            }
            Some(at(header_line + line)..at(header_line + line + 1).max(at(header_line + line) + 1))
        }
        Style::DoubleQuoted => {
            let (value, origin, close) = decode_double_quoted(text, section.value_span.start)?;
            if value != section.text {
                return None;
            }
            let starts = line_starts(&value);
            let outer_of = |inner: usize| {
                origin
                    .iter()
                    .find(|&&(i, _)| i >= inner)
                    .map_or(close, |&(_, o)| o)
            };
            if line > lines {
                return Some(close..close + 1);
            }
            let from = outer_of(*starts.get(line - 1)?);
            let to = starts.get(line).map_or(close + 1, |&s| outer_of(s));
            Some(from..to.max(from + 1))
        }
        _ => None,
    }
}

/// The aws-auth `ConfigMaps` of a load, in order (as the oracle prints them).
fn configmaps(load: &awsauth::load::FileLoad) -> Vec<&AwsAuth> {
    load.objects
        .iter()
        .filter(|o| {
            o.kind == SourceKind::ConfigMap
                && o.name.as_ref().is_some_and(|n| n.value == "aws-auth")
        })
        .collect()
}

/// Compares one section of one `ConfigMap` with the oracle's message for it.
fn compare_section(
    tally: &mut Tally,
    at: &str,
    obj: &AwsAuth,
    diags: &[Diagnostic],
    key: &str,
    oracle: &serde_json::Map<String, serde_json::Value>,
) {
    let expected = oracle.get(key).and_then(|v| v.as_str());
    let decode = oracle.get(&format!("{key}:decode")).is_some();
    let section = obj.sections.iter().find(|s| s.kind.key() == key);
    let findings: Vec<&Diagnostic> = match section {
        Some(section) => {
            let key_span = obj.file.char_span(&section.key_span);
            diags
                .iter()
                .filter(|d| matches!(d.rule.name, "section-parse-error" | "unquoted-template"))
                .filter(|d| d.secondary.iter().any(|l| l.span == key_span))
                .collect()
        }
        None => Vec::new(),
    };
    let fail = |tally: &mut Tally, why: String| tally.failures.push(format!("{at} {key}: {why}"));
    let Some(expected) = expected else {
        // the authenticator keeps the section (or reads it as JSON, with JSON's errors)
        for d in &findings {
            if !decode || claimed_log(d).is_some() {
                fail(
                    tally,
                    format!("the oracle logs nothing, awsauth says: {}", d.message),
                );
            }
        }
        return;
    };
    // yaml.v2 type errors in mapAccounts keep the other accounts: not a lost section
    if expected.starts_with("yaml: unmarshal errors") {
        return;
    }
    let (Some(section), [d]) = (section, findings.as_slice()) else {
        fail(
            tally,
            format!(
                "the oracle logs `{expected}`, awsauth has {} finding(s)",
                findings.len()
            ),
        );
        return;
    };
    let Some(ours) = claimed_log(d) else {
        // texts that quote Go values in Go's random map order are not told
        if expected.starts_with("Unsupported map key") {
            tally.untold += 1;
        } else {
            fail(
                tally,
                format!(
                    "the oracle logs `{expected}`, awsauth does not say: {}",
                    d.message
                ),
            );
        }
        return;
    };
    tally.texts += 1;
    if ours != expected {
        fail(
            tally,
            format!("the oracle logs `{expected}`, awsauth says `{ours}`"),
        );
        return;
    }
    let Some(line) = value_line(expected) else {
        return;
    };
    let Some(range) = outer_range(&obj.file, section, line) else {
        return;
    };
    tally.positions += 1;
    let spans = std::iter::once(&d.span).chain(d.secondary.iter().map(|l| &l.span));
    if !spans.clone().any(|s| range.contains(&s.start)) {
        let shown: Vec<String> = spans
            .map(|s| {
                let lc = obj.file.line_col(s.start);
                format!("{}:{}", lc.line, lc.column)
            })
            .collect();
        let want = obj.file.line_col(range.start);
        fail(
            tally,
            format!(
                "`{expected}` is about line {} of the file, awsauth points at {}",
                want.line,
                shown.join(", ")
            ),
        );
    }
}

/// Compares every `ConfigMap` of a recorded oracle file (paths relative to `base`).
fn compare(oracle_jsonl: &Path, base: &Path) -> Tally {
    let text = std::fs::read_to_string(oracle_jsonl)
        .unwrap_or_else(|e| panic!("{}: {e}", oracle_jsonl.display()));
    let mut by_file: BTreeMap<String, Vec<serde_json::Value>> = BTreeMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).expect("oracle line is JSON");
        let file = v["file"].as_str().expect("file").to_owned();
        by_file.entry(file).or_default().push(v);
    }
    let mut tally = Tally::default();
    for (file, lines) in by_file {
        let loaded = load(&base.join(&file));
        let diags = lint(&loaded);
        // awsauth does not lint a template (`{{ .Values.x }}`): what it renders is linted
        if diags.iter().any(|d| d.rule.name == "templated-file") {
            tally.templates += 1;
            continue;
        }
        let ours = configmaps(&loaded);
        if ours.len() != lines.len() {
            tally.failures.push(format!(
                "{file}: the oracle has {} aws-auth ConfigMaps, awsauth {}",
                lines.len(),
                ours.len()
            ));
            continue;
        }
        for (i, (line, obj)) in lines.iter().zip(ours).enumerate() {
            let messages = line["section_error_messages"]
                .as_object()
                .cloned()
                .unwrap_or_default();
            for key in ["mapRoles", "mapUsers", "mapAccounts"] {
                compare_section(
                    &mut tally,
                    &format!("{file} #{i}"),
                    obj,
                    &diags,
                    key,
                    &messages,
                );
            }
        }
    }
    tally
}

fn assert_agrees(tally: &Tally, texts: usize, positions: usize) {
    eprintln!(
        "{} log texts compared ({} with positions), {} not told, {} templates skipped",
        tally.texts, tally.positions, tally.untold, tally.templates
    );
    assert!(
        tally.failures.is_empty(),
        "{} disagreement(s) with the oracle:\n{}",
        tally.failures.len(),
        tally.failures.join("\n")
    );
    assert!(
        tally.texts >= texts && tally.positions >= positions,
        "only {} log texts ({} with positions) compared",
        tally.texts,
        tally.positions
    );
}

#[test]
fn generated_parse_errors_are_reported_as_the_authenticator_logs_them() {
    let oracle = root().join("fixtures/parse-errors/ORACLE.jsonl");
    // every case has its recorded answer (a case the oracle could not read would go unchecked)
    let recorded = std::fs::read_to_string(&oracle)
        .expect("ORACLE.jsonl")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .count();
    let cases = common::files(
        &root().join("fixtures/parse-errors/cases"),
        &["yaml", "json"],
    );
    assert_eq!(recorded, cases.len(), "cases without an oracle answer");
    let tally = compare(&oracle, &root());
    assert_agrees(&tally, 400, 300);
    assert!(tally.untold <= 20, "{} texts not told", tally.untold);
    assert_eq!(
        tally.templates, 0,
        "generated cases must not look like templates"
    );
}

#[test]
fn corpus_parse_errors_are_reported_as_the_authenticator_logs_them() {
    let dir = root().join("../shared/corpus/real");
    if !dir.join("ORACLE.jsonl").is_file() {
        eprintln!("skipped: ../shared/corpus/real is absent");
        return;
    }
    let tally = compare(&dir.join("ORACLE.jsonl"), &dir);
    assert_agrees(&tally, 1, 1);
}

#[test]
fn value_lines_follow_yaml_v2() {
    // scanner errors are printed 1-based, parser errors 0-based
    assert_eq!(
        value_line("yaml: line 4: found character that cannot start any token"),
        Some(4)
    );
    assert_eq!(
        value_line("yaml: line 7: did not find expected key"),
        Some(8)
    );
    assert_eq!(value_line("yaml: found unexpected end of stream"), None);
    let (value, origin, close) = decode_double_quoted(
        r#"x: "a\n\tb\
  \ c" "#,
        3,
    )
    .expect("decodes");
    assert_eq!(value, "a\n\tb c");
    assert_eq!(close, 17);
    assert_eq!(origin[2], (2, 7));
}
