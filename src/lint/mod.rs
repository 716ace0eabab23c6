//! The lint pipeline of one file: rules and policies, then the configuration (selection,
//! per-file ignores, severities, allow lists), then inline suppressions and the annotation, then
//! the findings about suppressions themselves.
//!
//! A whole run: [`inputs`] (what is read, loaded in parallel, with the settings of each
//! directory; `inspect` reads the same), [`run`] (every file linted, baselines), [`new_only`]
//! (`--new-only`); [`inspect`] renders the loaded inputs one file at a time.

pub mod inputs;
pub mod inspect;
pub mod new_only;
pub mod run;

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::Ordering;

use self::inputs::Crash;
use crate::config::Settings;
use crate::diagnostic::{Diagnostic, Severity};
use crate::guard;
use crate::load::FileLoad;
use crate::model::cluster::{self, Part};
use crate::model::{Enclosing, Principal};
use crate::paths::relative;
use crate::registry::{Category, Rule};
use crate::rules::{self, Context};
use crate::source::Span;
use crate::suppress::{self, Scope, Suppression};

/// Spans of the things a finding can be about: mappings and accounts (sorted, searched by
/// bisection: a 5,000-entry file may have thousands of findings), then sections, then objects.
/// A finding's `principal` is the [`Principal`]'s text, else `section:<key>` or `object:<name>`.
#[derive(Default)]
struct Principals {
    items: Vec<(Span, Principal)>,
    outer: Vec<(Span, Enclosing)>,
}

impl Principals {
    fn new(load: &FileLoad) -> Self {
        let mut items = Vec::new();
        let mut outer = Vec::new();
        for obj in &load.objects {
            let name = obj.name.as_ref().map_or("aws-auth", |n| n.value.as_str());
            outer.push((obj.span.clone(), Enclosing::Object(name.to_owned())));
            for s in &obj.sections {
                let span =
                    s.key_span.start.min(s.value_span.start)..s.value_span.end.max(s.key_span.end);
                outer.push((span, Enclosing::Section(s.kind)));
            }
            for e in &obj.entries {
                if let Some(p) = e.principal() {
                    items.push((e.span.clone(), p));
                }
            }
            for a in &obj.accounts {
                items.push((a.span.clone(), Principal::Account(a.value.clone())));
            }
        }
        // access entries and policy associations written in this file, named by their
        // principal ARN (a Terraform value may come from another file of the module)
        let here = |f: &std::sync::Arc<crate::source::SourceFile>| {
            std::sync::Arc::ptr_eq(f, &load.file) || f.name == load.file.name
        };
        for e in load.access.entries.iter().filter(|e| here(&e.file)) {
            if let Some(p) = &e.principal {
                items.push((e.span.clone(), Principal::parse(&p.value)));
            }
        }
        for a in load.access.associations.iter().filter(|a| here(&a.file)) {
            if let Some(p) = &a.principal {
                items.push((a.policy.span.clone(), Principal::parse(&p.value)));
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
            return Some(p.to_string());
        }
        self.outer
            .iter()
            .filter(|(s, _)| contains(s))
            .min_by_key(|(s, e)| (matches!(e, Enclosing::Object(_)), s.end - s.start))
            .map(|(_, e)| e.to_string())
    }
}

/// The rules whose findings about a break-glass role (`cluster.break-glass-roles`) are info:
/// the standing cluster-admin grants such a role exists to hold.
const BREAK_GLASS_RULES: [&str; 3] = [
    "system-masters",
    "cluster-admin-policy",
    "effective-cluster-admin",
];

/// Whether `rule` runs on the file at `path` under `settings`.
pub fn enabled_for(settings: &Settings, path: Option<&Path>, rule: &Rule) -> bool {
    settings.enabled(rule) && !settings.ignored_for(path, rule)
}

/// Lints one loaded file on its own (a cluster of its declarations alone): every finding that
/// survives the configuration and the suppressions.
pub fn lint_file(load: &FileLoad, path: Option<&Path>, settings: &Settings) -> Vec<Diagnostic> {
    let part = part(load, settings);
    let across = rules::check_clusters(&[part]).into_iter().map(|(_, d)| d);
    lint_file_with(load, path, settings, across.collect())
}

/// What a loaded file brings to the clusters (for [`rules::check_clusters`]).
pub fn part<'a>(load: &'a FileLoad, settings: &'a Settings) -> Part<'a> {
    let dir = cluster::folder(&load.file.name);
    Part {
        // a configuration's folder, as it was found (every file under it the same text)
        scope: settings
            .dir
            .as_deref()
            .and_then(Path::to_str)
            .unwrap_or(dir),
        dir,
        configured: settings.cluster.name.as_deref(),
        access: &load.access,
        aws_auth: &load.objects,
        rbac: &load.rbac,
    }
}

/// The findings of the rules across a cluster's files ([`rules::check_clusters`]) over `files`
/// (each loaded file with its settings), one vector per file in their order; a panic leaves
/// them all empty and is the internal error `name`.
pub(crate) fn across_files<'a>(
    files: impl Iterator<Item = (&'a FileLoad, &'a Settings)>,
    name: &str,
    whole: bool,
) -> (Vec<Vec<Diagnostic>>, Option<Crash>) {
    let parts: Vec<_> = files.map(|(load, settings)| part(load, settings)).collect();
    let mut across: Vec<Vec<Diagnostic>> = vec![Vec::new(); parts.len()];
    match guard::catch(|| rules::check_clusters_in(&parts, whole)) {
        Ok(found) => {
            for (i, d) in found {
                across[i].push(d);
            }
            (across, None)
        }
        Err(panic) => {
            let crash = Crash {
                name: name.to_owned(),
                panic,
            };
            (across, Some(crash))
        }
    }
}

/// Lints one loaded file, with the findings of the rules across its cluster's files that are
/// in it (`across`): every finding that survives the configuration and the suppressions.
pub fn lint_file_with(
    load: &FileLoad,
    path: Option<&Path>,
    settings: &Settings,
    across: Vec<Diagnostic>,
) -> Vec<Diagnostic> {
    let cx = Context {
        cluster: &settings.cluster,
    };
    let mut raw = across;
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
            if BREAK_GLASS_RULES.contains(&d.rule.name) && settings.cluster.is_break_glass(&arn) {
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
        let quoted = Stabber::new(quoted_spans(load));
        let in_string = |at: usize| quoted.strictly_inside(at);
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
    let hits = covered(&kept, &mut sups, |_| true, true);
    let mut hits = hits.into_iter();
    kept.retain(|_| !hits.next().unwrap_or(false));
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
        let known = settings.known_ids();
        for s in &sups {
            for c in s
                .codes
                .iter()
                .filter(|c| settings.find_rule(&c.name).is_none())
            {
                meta.push(rules::invalid_suppression::unknown(file, c, &known));
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
    for d in &mut meta {
        if let Some(sev) = settings.severity(d.rule) {
            d.severity = sev;
        }
    }
    // `file-ignore[unused-suppression]` and the annotation may silence these too
    let silenced = covered(&meta, &mut sups, |s| s.scope != Scope::Line, false);
    kept.extend(
        meta.into_iter()
            .zip(silenced)
            .filter_map(|(d, silenced)| (!silenced).then_some(d)),
    );
    kept
}

/// For each finding, whether a suppression (among those `eligible`) that names its rule covers
/// where it starts; with `mark`, every such suppression's code is marked used. Per rule, findings
/// and suppressions are swept in order of position (a heap holds the suppressions begun, by
/// where they end), so many suppressions and many findings cost n log n, not their product.
fn covered(
    diags: &[Diagnostic],
    sups: &mut [Suppression],
    eligible: impl Fn(&Suppression) -> bool,
    mark: bool,
) -> Vec<bool> {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    let mut hit = vec![false; diags.len()];
    // (rule, start, end, suppression, code), and (rule, position, finding), each sorted
    let mut codes: Vec<(&str, usize, usize, usize, usize)> = Vec::new();
    for (si, s) in sups.iter().enumerate().filter(|(_, s)| eligible(s)) {
        for (ci, c) in s.codes.iter().enumerate() {
            codes.push((&c.name, s.covers.start, s.covers.end, si, ci));
        }
    }
    if codes.is_empty() || diags.is_empty() {
        return hit;
    }
    codes.sort_unstable();
    let mut found: Vec<(&str, usize, usize)> = diags
        .iter()
        .enumerate()
        .map(|(i, d)| (d.rule.name, d.span.start, i))
        .collect();
    found.sort_unstable();
    let mut used = Vec::new();
    for group in found.chunk_by(|a, b| a.0 == b.0) {
        let rule = group[0].0;
        let first = codes.partition_point(|c| c.0 < rule);
        let last = codes.partition_point(|c| c.0 <= rule);
        let codes = &codes[first..last];
        let mut next = 0;
        // the furthest end of a suppression begun so far, and those begun not yet marked used
        let mut reach = None;
        let mut open = BinaryHeap::new();
        for &(_, at, index) in group {
            while let Some(&(_, start, end, si, ci)) = codes.get(next)
                && start <= at
            {
                reach = reach.max(Some(end));
                open.push((end, Reverse((si, ci))));
                next += 1;
            }
            hit[index] = reach.is_some_and(|r| at <= r);
            while let Some(&(end, Reverse(code))) = open.peek()
                && at <= end
            {
                used.push(code);
                open.pop();
            }
        }
    }
    if mark {
        for (si, ci) in used {
            sups[si].codes[ci].used = true;
        }
    }
    hit
}

/// Spans (byte ranges) asked whether they hold a position, each asked in log n.
struct Stabber {
    /// Sorted by start.
    spans: Vec<Span>,
    /// The furthest end among `spans[..=i]`.
    reach: Vec<usize>,
}

impl Stabber {
    fn new(mut spans: Vec<Span>) -> Self {
        spans.sort_unstable_by_key(|s| (s.start, s.end));
        let reach = spans
            .iter()
            .scan(0, |r, s| {
                *r = (*r).max(s.end);
                Some(*r)
            })
            .collect();
        Self { spans, reach }
    }

    /// Whether a span has `start < at < end`.
    fn strictly_inside(&self, at: usize) -> bool {
        let before = self.spans.partition_point(|s| s.start < at);
        before > 0 && self.reach[before - 1] > at
    }
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
