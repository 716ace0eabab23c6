//! The lint pipeline of one file: rules and policies, then the configuration (selection,
//! per-file ignores, severities, allow lists), then inline suppressions and the annotation, then
//! the findings about suppressions themselves.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::Ordering;

use crate::config::{Settings, relative};
use crate::diagnostic::{Diagnostic, Severity};
use crate::load::FileLoad;
use crate::registry::{Category, Rule};
use crate::rules::{self, Context};
use crate::source::Span;
use crate::suppress::{self, Scope, Suppression};

/// Spans of the things a finding can be about: mappings and accounts (sorted, searched by
/// bisection: a 5,000-entry file may have thousands of findings), then sections, then objects.
#[derive(Default)]
struct Principals {
    items: Vec<(Span, String)>,
    outer: Vec<(u8, Span, String)>,
}

impl Principals {
    fn new(load: &FileLoad) -> Self {
        let mut items = Vec::new();
        let mut outer = Vec::new();
        for obj in &load.objects {
            let name = obj.name.as_ref().map_or("aws-auth", |n| n.value.as_str());
            outer.push((1, obj.span.clone(), format!("object:{name}")));
            for s in &obj.sections {
                let span =
                    s.key_span.start.min(s.value_span.start)..s.value_span.end.max(s.key_span.end);
                outer.push((0, span, format!("section:{}", s.kind.key())));
            }
            for e in &obj.entries {
                if let Some(k) = e.key() {
                    items.push((e.span.clone(), k));
                }
            }
            for a in &obj.accounts {
                items.push((a.span.clone(), format!("account:{}", a.value)));
            }
        }
        items.sort_by_key(|(s, _)| (s.start, std::cmp::Reverse(s.end)));
        Self { items, outer }
    }

    fn of(&self, span: &Span) -> Option<String> {
        let contains = |s: &Span| s.start <= span.start && span.end <= s.end.max(s.start + 1);
        // the items starting at or before the finding; mappings do not nest, so the last few
        // candidates are enough (flow-style items of one line may share a start)
        let upto = self.items.partition_point(|(s, _)| s.start <= span.start);
        if let Some((_, p)) = self.items[..upto]
            .iter()
            .rev()
            .take(8)
            .filter(|(s, _)| contains(s))
            .min_by_key(|(s, _)| s.end - s.start)
        {
            return Some(p.clone());
        }
        self.outer
            .iter()
            .filter(|(_, s, _)| contains(s))
            .min_by_key(|(rank, s, _)| (*rank, s.end - s.start))
            .map(|(_, _, p)| p.clone())
    }
}

/// Whether `rule` runs on the file at `path` under `settings`.
pub fn enabled_for(settings: &Settings, path: Option<&Path>, rule: &Rule) -> bool {
    settings.enabled(rule) && !settings.ignored_for(path, rule)
}

/// Lints one loaded file: every finding that survives the configuration and the suppressions.
pub fn lint_file(load: &FileLoad, path: Option<&Path>, settings: &Settings) -> Vec<Diagnostic> {
    let cx = Context {
        cluster: &settings.cluster,
    };
    let mut raw = Vec::new();
    rules::check_file_with(load, &cx, &mut raw);
    crate::policy::check(load, settings, &mut raw);
    // naming principals allocates a key per mapping: only for files that have findings
    let principals = if raw.is_empty() {
        Principals::default()
    } else {
        Principals::new(load)
    };
    let mut kept = Vec::with_capacity(raw.len());
    for mut d in raw {
        if !enabled_for(settings, path, d.rule) {
            continue;
        }
        if let Some(s) = settings.severity(d.rule) {
            d.severity = s;
        }
        d.principal = principals.of(&d.span);
        let arn = d.principal.clone().filter(|p| p.starts_with("arn:"));
        if let Some(arn) = arn {
            if d.rule.name == "system-masters" && settings.cluster.is_break_glass(&arn) {
                d.severity = Severity::Info;
                d = d.note("a break-glass role (`cluster.break-glass-roles`)");
            }
            if d.rule.category == Category::Security
                && let Some(a) = settings
                    .allow(d.rule.name)
                    .iter()
                    .find(|a| a.matcher.is_match(arn.to_ascii_lowercase()))
            {
                a.hits.fetch_add(1, Ordering::Relaxed);
                continue;
            }
        }
        kept.push(d);
    }
    apply_suppressions(load, path, settings, kept)
}

fn apply_suppressions(
    load: &FileLoad,
    path: Option<&Path>,
    settings: &Settings,
    mut kept: Vec<Diagnostic>,
) -> Vec<Diagnostic> {
    let file = &load.file;
    let (mut sups, mut invalid) = suppress::scan(file);
    if !sups.is_empty() || !invalid.is_empty() {
        // `#` inside a quoted string (outer, or inside the nested YAML) is not a comment
        let quoted = quoted_spans(load);
        let in_string = |at: usize| quoted.iter().any(|q| q.start < at && at < q.end);
        sups.retain(|s| !in_string(s.at));
        invalid.retain(|i| !in_string(i.at));
    }
    for obj in &load.objects {
        if let Some(a) = &obj.ignore_annotation {
            match suppress::annotation(file, &a.value, a.span.clone(), obj.span.clone()) {
                Ok(s) => sups.push(s),
                Err(e) => invalid.push(e),
            }
        }
    }
    if sups.is_empty() && invalid.is_empty() {
        return kept;
    }
    // a line suppression on an entry's first line covers the whole entry
    if sups.iter().any(|s| s.scope == Scope::Line) {
        let mut starts: HashMap<usize, Vec<&Span>> = HashMap::new();
        for e in load.objects.iter().flat_map(|o| o.entries.iter()) {
            starts
                .entry(file.line_col(e.span.start).line)
                .or_default()
                .push(&e.span);
        }
        for s in sups.iter_mut().filter(|s| s.scope == Scope::Line) {
            let line = file.line_col(s.covers.start).line;
            for e in starts.get(&line).into_iter().flatten() {
                s.covers = s.covers.start.min(e.start)..s.covers.end.max(e.end);
            }
        }
    }
    let suppressed = |d: &Diagnostic, sups: &mut [Suppression]| -> bool {
        let mut hit = false;
        for s in sups.iter_mut() {
            if !(s.covers.start <= d.span.start && d.span.start <= s.covers.end) {
                continue;
            }
            for c in &mut s.codes {
                if c.name == d.rule.name {
                    c.used = true;
                    hit = true;
                }
            }
        }
        hit
    };
    kept.retain(|d| !suppressed(d, &mut sups));
    // findings about the suppressions themselves
    let mut meta = Vec::new();
    if enabled_for(
        settings,
        path,
        &rules::invalid_suppression::INVALID_SUPPRESSION,
    ) {
        for i in &invalid {
            meta.push(rules::invalid_suppression::malformed(file, i));
        }
        for s in &sups {
            for c in s
                .codes
                .iter()
                .filter(|c| settings.find_rule(&c.name).is_none())
            {
                meta.push(rules::invalid_suppression::unknown(
                    file,
                    c,
                    &settings.known_ids(),
                ));
            }
        }
    }
    // a template is not linted (only noted): its suppressions are for what it renders
    if load.template.is_none()
        && enabled_for(
            settings,
            path,
            &rules::unused_suppression::UNUSED_SUPPRESSION,
        )
    {
        for s in &sups {
            for c in s.codes.iter().filter(|c| !c.used) {
                // a suppression of a rule that is off here has nothing to do; not worth a finding
                if let Some(rule) = settings.find_rule(&c.name)
                    && enabled_for(settings, path, rule)
                {
                    meta.push(rules::unused_suppression::code(file, s, c));
                }
            }
        }
    }
    for mut d in meta {
        if let Some(sev) = settings.severity(d.rule) {
            d.severity = sev;
        }
        // `file-ignore[unused-suppression]` and the annotation may silence these too
        let silenced = sups.iter().filter(|s| s.scope != Scope::Line).any(|s| {
            s.covers.start <= d.span.start
                && d.span.start <= s.covers.end
                && s.codes.iter().any(|c| c.name == d.rule.name)
        });
        if !silenced {
            kept.push(d);
        }
    }
    kept
}

/// Outer spans of quoted scalars: of the file, and of the nested YAML of each section.
fn quoted_spans(load: &FileLoad) -> Vec<Span> {
    fn walk(node: &crate::yaml::Node, out: &mut Vec<Span>) {
        use crate::yaml::{NodeKind, Style};
        match &node.kind {
            NodeKind::Scalar { style, .. } => {
                if matches!(style, Style::SingleQuoted | Style::DoubleQuoted) {
                    out.push(node.span.clone());
                }
            }
            NodeKind::Seq(items) => items.iter().for_each(|i| walk(i, out)),
            NodeKind::Map(entries) => entries.iter().for_each(|(k, v)| {
                walk(k, out);
                walk(v, out);
            }),
            NodeKind::Alias(_) => {}
        }
    }
    let mut out = Vec::new();
    for doc in crate::yaml::parse_stream(&load.file.text).documents {
        if let Some(root) = &doc.root {
            walk(root, &mut out);
        }
    }
    for section in load.objects.iter().flat_map(|o| o.sections.iter()) {
        if let Some(root) = &section.root {
            let mut inner = Vec::new();
            walk(root, &mut inner);
            out.extend(inner.iter().map(|s| section.outer(s)));
        }
    }
    out
}

/// Findings for allow-list entries that matched nothing in any of the settings that share them
/// (an `extends` base serves several directories), when the run covered the directory of the
/// configuration that declares them (linting a single file says nothing about the others).
pub fn unused_allows(
    all: &[std::sync::Arc<Settings>],
    roots: &[std::path::PathBuf],
) -> Vec<Diagnostic> {
    // (file, offset) -> (hits, rule, entry, settings that may report it)
    let mut seen: HashMap<(String, usize), (usize, &'static str, &crate::config::Allow, bool)> =
        HashMap::new();
    for settings in all {
        let report = settings.enabled(&rules::unused_suppression::UNUSED_SUPPRESSION);
        for (rule, rs) in &settings.rules {
            for a in &rs.allow {
                let key = (a.file.name.clone(), a.span.start);
                let e = seen.entry(key).or_insert((0, rule, a, false));
                e.0 += a.hits.load(Ordering::Relaxed);
                e.3 |= report;
            }
        }
    }
    let mut out = Vec::new();
    for (hits, rule, a, report) in seen.into_values() {
        if hits > 0 || !report {
            continue;
        }
        let dir = Path::new(&a.file.name).parent().unwrap_or(Path::new(""));
        let covered = roots.iter().any(|r| {
            let rel = relative(dir, r);
            rel.is_relative() && !rel.starts_with("..")
        });
        if covered {
            out.push(rules::unused_suppression::allow(rule, a));
        }
    }
    out
}
