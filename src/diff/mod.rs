//! The semantic diff: what a change to aws-auth does to who can get in.
//!
//! Mappings are compared the way the authenticator keys them (role ARNs case-insensitively,
//! SSO matchers, user ARNs exactly, accounts), on the *effective* mappings: a change that breaks
//! a section's YAML shows every mapping the section loses. Each change gets risk classes:
//! `escalation` (more power), `lockout` (nodes or everyone lose access), `access-change`
//! (anything else that changes who gets what).

mod access;
pub mod input;
mod reach;
pub mod render;
pub mod settings;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use serde::Serialize;

use crate::arn::Arn;
use crate::load::FileLoad;
use crate::model::access::{Mapping, mappings};
use crate::model::identity;
use crate::model::{AwsAuth, Enclosing, Principal, SectionKind, SourceKind};
use crate::source::SourceFile;

/// How risky a change is. Ordered from the most to the least severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Risk {
    /// Someone gains power: `system:masters`, a node identity, a whole account, an IAM user, a
    /// wildcard-ish or cross-account principal.
    Escalation,
    /// Nodes or people lose access: a node mapping removed or broken, a section lost, aws-auth
    /// deleted or no longer read.
    Lockout,
    /// Any other change of who gets what.
    AccessChange,
}

impl Risk {
    /// The name used on the command line and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Escalation => "escalation",
            Self::Lockout => "lockout",
            Self::AccessChange => "access-change",
        }
    }

    /// A heading.
    pub fn title(self) -> &'static str {
        match self {
            Self::Escalation => "escalation",
            Self::Lockout => "lockout",
            Self::AccessChange => "access change",
        }
    }
}

/// What happened to a mapping or a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A mapping appears.
    Added,
    /// A mapping disappears.
    Removed,
    /// A mapping's username or groups change.
    Changed,
    /// A principal moves between `mapRoles` and `mapUsers`.
    Moved,
    /// A section stops loading (parse error, wrong shape): every mapping in it is lost.
    SectionLost,
    /// A section that did not load loads again.
    SectionRestored,
    /// The aws-auth source is deleted, or is no longer read by the authenticator.
    SourceRemoved,
    /// A part of a Terraform source that the repository cannot tell (`${var.extra_roles}`)
    /// appears: it may map anyone.
    UnknownAdded,
    /// Such a part disappears: whoever it mapped may lose access.
    UnknownRemoved,
    /// A cluster's authentication mode changes (one way: EKS cannot switch back).
    ModeChanged,
    /// A principal whose mapping or access entry did not change reaches more through the
    /// repository's RBAC (a binding of one of its groups, a role gaining rules).
    RbacReach,
}

/// One side of a change: where and what.
#[derive(Debug, Clone, Serialize)]
pub struct Side {
    /// File (relative to the repository root, or as given).
    pub file: String,
    /// 1-based line of the mapping (or section, or source).
    pub line: usize,
    /// The section.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub section: Option<&'static str>,
    /// Username template.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Groups.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<String>>,
    /// The source lines of the mapping (for the rendered diff).
    #[serde(skip)]
    pub text: String,
}

impl Side {
    /// A side without a mapping: a section or a whole source, at a line of a file.
    fn place(file: &SourceFile, offset: usize, section: Option<&'static str>) -> Self {
        Self {
            file: file.name.clone(),
            line: file.line_col(offset).line,
            section,
            username: None,
            groups: None,
            text: String::new(),
        }
    }
}

/// One semantic change.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    /// What happened.
    pub kind: Kind,
    /// Its risk classes, most severe first (never empty).
    pub risks: Vec<Risk>,
    /// Why it has those risks, and other facts worth reading.
    pub reasons: Vec<String>,
    /// The principal: role ARN, `sso:<account>/<permission set>`, user ARN, `account:<id>`, or
    /// the section or source for section and source changes.
    pub principal: String,
    /// The aws-auth source: `file` and `ConfigMap` name.
    pub source: String,
    /// Before the change.
    pub before: Option<Side>,
    /// After the change.
    pub after: Option<Side>,
    /// Groups gained.
    pub groups_added: Vec<String>,
    /// Groups lost.
    pub groups_removed: Vec<String>,
}

impl Change {
    /// The most severe risk.
    pub fn primary(&self) -> Risk {
        self.risks.first().copied().unwrap_or(Risk::AccessChange)
    }
}

/// Facts the classification uses.
#[derive(Debug, Default)]
pub struct Facts {
    /// The cluster's accounts (configuration); empty: the accounts already present before.
    pub accounts: Vec<String>,
}

/// The whole comparison.
#[derive(Debug, Default, Serialize)]
pub struct Report {
    /// Semantic changes, most severe first.
    pub changes: Vec<Change>,
    /// Files that changed and hold (or held) aws-auth mappings.
    pub files_changed: usize,
    /// aws-auth sources compared.
    pub sources_compared: usize,
    /// Files that could not be compared (templates, unreadable), with why.
    pub skipped: Vec<String>,
    /// What the reader should know about how the changes were classified.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// The most of a mapping's text a change shows: whole lines up to this size, else the
/// mapping with a little context (a one-line flow sequence of 100,000 mappings must not be
/// copied into every change).
const TEXT_LIMIT: usize = 2_000;
/// The context kept each side of a mapping on a line longer than [`TEXT_LIMIT`].
const TEXT_CONTEXT: usize = 60;

/// The whole lines covering `span`, or, when they are longer than [`TEXT_LIMIT`], the span
/// (at most that long) with a little context, cut with `…`.
fn lines_of(file: &SourceFile, span: &crate::source::Span) -> String {
    let text = &file.text;
    let lines = file.lines_around(span);
    let (start, end) = if lines.len() <= TEXT_LIMIT {
        (lines.start, lines.end)
    } else {
        let span = file.char_span(span);
        let start = span.start.saturating_sub(TEXT_CONTEXT).max(lines.start);
        let end = (span.end + TEXT_CONTEXT)
            .min(span.start + TEXT_LIMIT)
            .min(lines.end);
        let cut = file.char_span(&(start..end.max(start)));
        (cut.start, cut.end)
    };
    let mut s = String::with_capacity(end - start + 8);
    if start > lines.start {
        s.push('…');
    }
    s.push_str(&text[start..end]);
    if end < lines.end {
        s.push('…');
    }
    s.push('\n');
    s
}

fn side(file: &SourceFile, m: &Mapping) -> Side {
    Side {
        file: file.name.clone(),
        line: file.line_col(m.span.start).line,
        section: Some(m.section.key()),
        username: m.username.clone(),
        groups: (m.section != SectionKind::MapAccounts).then(|| m.groups.clone()),
        text: lines_of(file, &m.span),
    }
}

/// The groups of `after` not in `before`, and those of `before` not in `after`, in order.
fn group_changes(before: &[String], after: &[String]) -> (Vec<String>, Vec<String>) {
    let b: HashSet<&str> = before.iter().map(String::as_str).collect();
    let a: HashSet<&str> = after.iter().map(String::as_str).collect();
    let added = after
        .iter()
        .filter(|g| !b.contains(g.as_str()))
        .cloned()
        .collect();
    let removed = before
        .iter()
        .filter(|g| !a.contains(g.as_str()))
        .cloned()
        .collect();
    (added, removed)
}

/// [`side`], at the case variant that holds a gained group, if the mapping merges several.
fn side_gaining(file: &SourceFile, m: &Mapping, gained: &[String]) -> Side {
    let mut s = side(file, m);
    if m.variants.is_empty() {
        return s;
    }
    let gained: HashSet<&str> = gained.iter().map(String::as_str).collect();
    if let Some((span, _)) = m
        .variants
        .iter()
        .find(|(_, g)| g.iter().any(|x| gained.contains(x.as_str())))
    {
        s.line = file.line_col(span.start).line;
        s.text = lines_of(file, span);
    }
    s
}

fn finish(mut c: Change) -> Change {
    c.risks.sort();
    c.risks.dedup();
    if c.risks.is_empty() {
        c.risks.push(Risk::AccessChange);
    }
    c
}

/// Two versions of one aws-auth source (either may be absent), with their mappings.
struct Pair<'a> {
    old: Option<&'a AwsAuth>,
    new: Option<&'a AwsAuth>,
    before: BTreeMap<Principal, Mapping>,
    after: BTreeMap<Principal, Mapping>,
    /// The source as changes name it.
    source: String,
}

/// A source as changes name it: `file (name)`, `file (eksctl)`, `file (fragment)`.
fn source_name(o: &AwsAuth) -> String {
    let name = o.name.as_ref().map_or("aws-auth", |n| n.value.as_str());
    match o.kind {
        SourceKind::ConfigMap => format!("{} ({name})", o.file.name),
        SourceKind::Eksctl => format!("{} (eksctl)", o.file.name),
        SourceKind::Fragment => format!("{} (fragment)", o.file.name),
        SourceKind::Terraform => format!(
            "{} ({})",
            o.file.name,
            o.terraform
                .as_ref()
                .map_or("terraform", |t| t.address.as_str())
        ),
        SourceKind::Capa => format!("{} (CAPA {name})", o.file.name),
        SourceKind::IamIdentityMapping => format!("{} (IAMIdentityMapping {name})", o.file.name),
    }
}

/// Compares two versions of one aws-auth source (either may be absent).
fn compare(
    old: Option<&AwsAuth>,
    new: Option<&AwsAuth>,
    broken: &HashMap<&str, String>,
    facts: &Facts,
    out: &mut Vec<Change>,
) {
    let p = Pair {
        old,
        new,
        before: old.map(mappings).unwrap_or_default(),
        after: new.map(mappings).unwrap_or_default(),
        source: new.or(old).map(source_name).unwrap_or_default(),
    };
    // the source as a whole stops loading: one lockout, not a removal per mapping
    if let Some(change) = source_removed(&p, broken) {
        out.push(change);
        return;
    }
    let lost_sections = section_changes(&p, out);
    let known_accounts: BTreeSet<String> = if facts.accounts.is_empty() {
        p.before.values().filter_map(Mapping::account).collect()
    } else {
        facts.accounts.iter().cloned().collect()
    };
    // moves between mapRoles and mapUsers: same principal, other section
    let removed: Vec<&Principal> = p
        .before
        .keys()
        .filter(|k| !p.after.contains_key(*k))
        .collect();
    let added: Vec<&Principal> = p
        .after
        .keys()
        .filter(|k| !p.before.contains_key(*k))
        .collect();
    let moved_from = moves(&p, &removed, &added);
    removed_changes(&p, &removed, &moved_from, &lost_sections, out);
    added_changes(&p, &added, &moved_from, &known_accounts, out);
    changed_changes(&p, &known_accounts, out);
    unknown_changes(&p, out);
}

/// The parts of a Terraform source not known from the repository that appear or disappear
/// (compared by section and expression): what they map cannot be said, only that it changed.
fn unknown_changes(p: &Pair<'_>, out: &mut Vec<Change>) {
    let parts = |o: Option<&AwsAuth>| -> Vec<(Option<SectionKind>, String, usize)> {
        o.and_then(|o| o.terraform.as_deref().map(|t| (o, t)))
            .map(|(o, t)| {
                t.unknowns
                    .iter()
                    .map(|u| {
                        (
                            u.section,
                            u.expr.clone(),
                            o.file.line_col(u.span.start).line,
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let (before, after) = (parts(p.old), parts(p.new));
    let same = |a: &(Option<SectionKind>, String, usize),
                b: &(Option<SectionKind>, String, usize)| {
        a.0 == b.0 && a.1 == b.1
    };
    for (kind, list, other, file) in [
        (Kind::UnknownRemoved, &before, &after, p.old),
        (Kind::UnknownAdded, &after, &before, p.new),
    ] {
        let Some(file) = file else { continue };
        for part in list.iter().filter(|x| !other.iter().any(|y| same(x, y))) {
            let section = part.0.map_or("data", SectionKind::key);
            let reason = if kind == Kind::UnknownAdded {
                format!(
                    "`${{{}}}` now adds to `{section}`: what it maps is not known from the repository",
                    part.1
                )
            } else {
                format!(
                    "`${{{}}}` no longer adds to `{section}`: whoever it mapped (not known from the repository) may lose access",
                    part.1
                )
            };
            let side = Some(Side::place(
                &file.file,
                file.file.line_span(part.2).start,
                part.0.map(SectionKind::key),
            ));
            let (before, after) = if kind == Kind::UnknownAdded {
                (None, side)
            } else {
                (side, None)
            };
            out.push(finish(Change {
                kind,
                risks: vec![Risk::AccessChange],
                reasons: vec![reason],
                principal: format!("${{{}}}", part.1),
                source: p.source.clone(),
                before,
                after,
                groups_added: Vec::new(),
                groups_removed: Vec::new(),
            }));
        }
    }
}

/// The change of a source that stops loading as a whole (deleted, broken, rejected, no longer
/// read): one lockout for all its mappings.
fn source_removed(p: &Pair<'_>, broken: &HashMap<&str, String>) -> Option<Change> {
    let (old, new, before) = (p.old, p.new, &p.before);
    if let Some(o) = old
        && o.is_loaded()
        && !before.is_empty()
        && new.is_none_or(|n| !n.is_loaded())
    {
        let why = match new {
            None => match broken.get(o.file.name.as_str()) {
                Some(e) => e.clone(),
                None => "the aws-auth source is deleted".to_owned(),
            },
            Some(n) if !n.rejected.is_empty() => format!(
                "the API server rejects the ConfigMap: `{}` is not a string",
                n.rejected[0].key
            ),
            Some(_) => {
                "the authenticator no longer reads it (name or namespace changed)".to_owned()
            }
        };
        let nodes: Vec<&str> = before
            .values()
            .filter(|m| m.is_node())
            .map(|m| m.display.as_str())
            .collect();
        let mut reasons = vec![why, format!("{} mapping(s) lost", before.len())];
        if !nodes.is_empty() {
            reasons.push(format!("nodes lose access: {}", nodes.join(", ")));
        }
        return Some(finish(Change {
            kind: Kind::SourceRemoved,
            risks: vec![Risk::Lockout],
            reasons,
            principal: source_name(o),
            source: p.source.clone(),
            before: Some(Side::place(&o.file, o.span.start, None)),
            after: new.map(|n| Side::place(&n.file, n.span.start, None)),
            groups_added: Vec::new(),
            groups_removed: Vec::new(),
        }));
    }
    None
}

/// Sections lost to a parse error, or restored; returns the lost ones, with their keys.
fn section_changes(p: &Pair<'_>, out: &mut Vec<Change>) -> HashMap<SectionKind, String> {
    let mut lost_sections: HashMap<SectionKind, String> = HashMap::new();
    let Some((o, n)) = p.old.zip(p.new) else {
        return lost_sections;
    };
    for kind in SectionKind::ALL {
        let was = o.section(kind).is_some_and(|s| !s.is_lost());
        let is_lost = n.section(kind).is_some_and(crate::model::Section::is_lost);
        let was_lost = o.section(kind).is_some_and(crate::model::Section::is_lost);
        let now = n.section(kind).is_some_and(|s| !s.is_lost());
        if was && is_lost {
            let s = n.section(kind).expect("checked");
            let lost: Vec<&Mapping> = p.before.values().filter(|m| m.section == kind).collect();
            let nodes: Vec<&str> = lost
                .iter()
                .filter(|m| m.is_node())
                .map(|m| m.display.as_str())
                .collect();
            let mut reasons = vec![format!(
                "`{}` no longer loads: {}",
                kind.key(),
                s.why_lost(&n.file).unwrap_or_default()
            )];
            reasons.push(format!("{} mapping(s) lost", lost.len()));
            if !nodes.is_empty() {
                reasons.push(format!("nodes lose access: {}", nodes.join(", ")));
            }
            lost_sections.insert(kind, kind.key().to_owned());
            out.push(finish(Change {
                kind: Kind::SectionLost,
                risks: vec![Risk::Lockout],
                reasons,
                principal: Enclosing::Section(kind).to_string(),
                source: p.source.clone(),
                before: o
                    .section(kind)
                    .map(|os| Side::place(&o.file, os.key_span.start, Some(kind.key()))),
                after: Some(Side::place(&n.file, s.key_span.start, Some(kind.key()))),
                groups_added: Vec::new(),
                groups_removed: Vec::new(),
            }));
        } else if was_lost && now {
            let s = n.section(kind).expect("checked");
            out.push(finish(Change {
                kind: Kind::SectionRestored,
                risks: vec![Risk::AccessChange],
                reasons: vec![format!("`{}` loads again", kind.key())],
                principal: Enclosing::Section(kind).to_string(),
                source: p.source.clone(),
                before: None,
                after: Some(Side::place(&n.file, s.key_span.start, Some(kind.key()))),
                groups_added: Vec::new(),
                groups_removed: Vec::new(),
            }));
        }
    }
    lost_sections
}

/// The mappings that move between `mapRoles` and `mapUsers`: each added principal with the
/// removed one it moves from.
fn moves<'p>(
    p: &'p Pair<'_>,
    removed: &[&'p Principal],
    added: &[&'p Principal],
) -> HashMap<&'p Principal, &'p Principal> {
    let mut moved_from: HashMap<&Principal, &Principal> = HashMap::new();
    // the added mappings of `mapRoles` and of `mapUsers` by identity, in order
    let mut added_by: HashMap<(SectionKind, &str), Vec<&Principal>> = HashMap::new();
    for a in added {
        if let Some(section @ (SectionKind::MapRoles | SectionKind::MapUsers)) = a.section() {
            added_by
                .entry((section, p.after[*a].identity.as_str()))
                .or_default()
                .push(a);
        }
    }
    for r in removed {
        let other = match r.section() {
            Some(SectionKind::MapRoles) => SectionKind::MapUsers,
            Some(SectionKind::MapUsers) => SectionKind::MapRoles,
            _ => continue,
        };
        if let Some(a) = added_by
            .get(&(other, p.before[*r].identity.as_str()))
            .and_then(|v| v.first())
        {
            moved_from.insert(a, r);
        }
    }
    moved_from
}

/// The removed mappings (not moved elsewhere).
fn removed_changes(
    p: &Pair<'_>,
    removed: &[&Principal],
    moved_from: &HashMap<&Principal, &Principal>,
    lost_sections: &HashMap<SectionKind, String>,
    out: &mut Vec<Change>,
) {
    let moved_targets: BTreeSet<&Principal> = moved_from.values().copied().collect();
    let (before, source, of) = (&p.before, &p.source, p.old.map(|o| &o.file));
    for key in removed {
        if moved_targets.contains(key) {
            continue;
        }
        let m = &before[*key];
        let mut risks = Vec::new();
        let mut reasons = Vec::new();
        if let Some(section) = lost_sections.get(&m.section) {
            reasons.push(format!("lost with `{section}`"));
        }
        if p.old.is_some_and(|o| o.kind == SourceKind::Capa) {
            // `pkg/cloud/services/iamauth/configmap.go` only appends to aws-auth
            reasons.push(
                "CAPA never removes a mapping from aws-auth: it stays there until deleted there too"
                    .into(),
            );
        }
        if m.is_node() {
            risks.push(Risk::Lockout);
            reasons.push("a node mapping: its nodes can no longer join".into());
        }
        out.push(finish(Change {
            kind: Kind::Removed,
            risks,
            reasons,
            principal: m.display.clone(),
            source: source.clone(),
            before: of.map(|f| side(f, m)),
            after: None,
            groups_added: Vec::new(),
            groups_removed: m.groups.clone(),
        }));
    }
}

/// The added mappings, and the moved ones.
fn added_changes(
    p: &Pair<'_>,
    added: &[&Principal],
    moved_from: &HashMap<&Principal, &Principal>,
    known_accounts: &BTreeSet<String>,
    out: &mut Vec<Change>,
) {
    let (before, after, source) = (&p.before, &p.after, &p.source);
    let (of, nf) = (p.old.map(|o| &o.file), p.new.map(|n| &n.file));
    for key in added {
        let m = &after[*key];
        let from = moved_from.get(key).map(|r| &before[*r]);
        let mut risks = Vec::new();
        let mut reasons = Vec::new();
        let old_groups: Vec<String> = from.map(|f| f.groups.clone()).unwrap_or_default();
        escalations(m, from, known_accounts, &mut risks, &mut reasons);
        if let Some(f) = from {
            reasons.push(format!(
                "moved from `{}` to `{}`",
                f.section.key(),
                m.section.key()
            ));
            if f.works_as_node() && !m.works_as_node() {
                risks.push(Risk::Lockout);
                reasons
                    .push("no longer a working node mapping: its nodes can no longer join".into());
            }
        }
        let (groups_added, groups_removed) = group_changes(&old_groups, &m.groups);
        out.push(finish(Change {
            kind: if from.is_some() {
                Kind::Moved
            } else {
                Kind::Added
            },
            risks,
            reasons,
            principal: m.display.clone(),
            source: source.clone(),
            before: from.and_then(|f| of.map(|file| side(file, f))),
            after: nf.map(|f| side_gaining(f, m, &groups_added)),
            groups_added,
            groups_removed,
        }));
    }
}

/// The mappings whose username or groups change.
fn changed_changes(p: &Pair<'_>, known_accounts: &BTreeSet<String>, out: &mut Vec<Change>) {
    let (before, after, source) = (&p.before, &p.after, &p.source);
    let (of, nf) = (p.old.map(|o| &o.file), p.new.map(|n| &n.file));
    for (key, b) in before {
        let Some(a) = after.get(key) else { continue };
        if a.username == b.username && a.group_set() == b.group_set() {
            continue; // formatting, quoting, order, repeats, comments: no semantic change
        }
        let mut risks = Vec::new();
        let mut reasons = Vec::new();
        escalations(a, Some(b), known_accounts, &mut risks, &mut reasons);
        if b.works_as_node() && !a.works_as_node() {
            risks.push(Risk::Lockout);
            match (&a.shadows_node, nf) {
                (Some(node), Some(f)) => reasons.push(format!(
                    "the node mapping at line {} is still written, but this later mapping of the same role replaces it (the authenticator keeps the last): its nodes lose their node identity and can no longer join",
                    f.line_col(node.start).line
                )),
                _ => reasons.push(
                    "no longer a working node mapping: its nodes can no longer join".into(),
                ),
            }
        }
        if a.username != b.username {
            reasons.push(format!(
                "username `{}` → `{}`",
                b.username.as_deref().unwrap_or(""),
                a.username.as_deref().unwrap_or("")
            ));
        }
        let (groups_added, groups_removed) = group_changes(&b.groups, &a.groups);
        out.push(finish(Change {
            kind: Kind::Changed,
            risks,
            reasons,
            principal: a.display.clone(),
            source: source.clone(),
            before: of.map(|f| side(f, b)),
            after: nf.map(|f| side_gaining(f, a, &groups_added)),
            groups_added,
            groups_removed,
        }));
    }
}

/// Escalation reasons of `new` compared with `old` (absent: a new mapping).
fn escalations(
    new: &Mapping,
    old: Option<&Mapping>,
    known_accounts: &BTreeSet<String>,
    risks: &mut Vec<Risk>,
    reasons: &mut Vec<String>,
) {
    let had = |g: &str| old.is_some_and(|o| o.groups.iter().any(|x| x == g));
    let has = |g: &str| new.groups.iter().any(|x| x == g);
    let mut esc = |r: String| {
        risks.push(Risk::Escalation);
        reasons.push(r);
    };
    if has(identity::SYSTEM_MASTERS) && !had(identity::SYSTEM_MASTERS) {
        esc("gains `system:masters` (cluster-admin that RBAC cannot revoke)".into());
    }
    if new.is_node() && old.is_none_or(|o| !o.is_node()) && old.is_some() {
        esc("gains a node identity".into());
    }
    if let Some(u) = new.username.as_deref()
        && u.starts_with(identity::NODE_USERNAME_PREFIX)
        && !u.contains("{{")
        && new.groups.iter().any(|g| g == identity::SYSTEM_NODES)
        && old.is_none_or(|o| o.username.as_deref() != Some(u))
    {
        esc(format!("`{u}` acts as that one node (node impersonation)"));
    }
    if let Some(u) = new.username.as_deref()
        && identity::is_reserved_username(u)
        && old.is_none_or(|o| o.username.as_deref() != Some(u))
    {
        esc(format!("username `{u}` is a built-in Kubernetes identity"));
    }
    if old.is_none() {
        // by what the ARN names, not by the section it is written in: the lookup does not
        // check the type
        let lower = new.display.to_lowercase();
        let resource = Arn::parse(&lower).map(|a| a.resource.to_owned());
        match new.section {
            SectionKind::MapAccounts => {
                esc("a new account in `mapAccounts`: every principal of it can log in".into());
            }
            _ if resource.as_deref() == Some("root") => {
                esc("the account's root user (never use root credentials)".into());
            }
            _ if resource.as_deref().is_some_and(|r| r.starts_with("user/")) => {
                esc("a new IAM-user mapping (long-lived keys)".into());
            }
            _ => {}
        }

        if new
            .identity
            .starts_with(crate::model::principal::SSO_PREFIX)
        {
            esc("a new sso matcher: every role of the permission set is mapped".into());
        } else if new.display.contains('*') {
            esc("a wildcard-ish principal".into());
        }
        if let Some(acct) = new.account()
            && !known_accounts.is_empty()
            && !known_accounts.contains(&acct)
            && new.section != SectionKind::MapAccounts
        {
            esc(format!("a principal of another account (`{acct}`)"));
        }
    }
}

/// An identity for pairing sources: kind, name, namespace (absent means `kube-system`, as
/// kustomize patches and `kubectl apply -n` have it).
fn source_identity(o: &AwsAuth) -> (u8, String, String) {
    (
        o.kind as u8,
        o.name.as_ref().map(|n| n.value.clone()).unwrap_or_default(),
        o.namespace
            .as_ref()
            .map(|n| n.value.clone())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "kube-system".to_owned()),
    )
}

/// The sources that stay once every document is applied in order: of several with one identity
/// in one file, the last.
fn last_applied(objs: Vec<&AwsAuth>) -> Vec<&AwsAuth> {
    let mut last: HashMap<(&str, (u8, String, String)), usize> = HashMap::new();
    for (i, o) in objs.iter().enumerate() {
        last.insert((o.file.name.as_str(), source_identity(o)), i);
    }
    let keep: HashSet<usize> = last.into_values().collect();
    objs.into_iter()
        .enumerate()
        .filter(|(i, _)| keep.contains(i))
        .map(|(_, o)| o)
        .collect()
}

/// How many trailing path components two file names share.
fn common_tail(a: &str, b: &str) -> usize {
    a.rsplit('/')
        .zip(b.rsplit('/'))
        .take_while(|(x, y)| x == y)
        .count()
}

/// The old and new versions of the changed files, loaded.
#[derive(Debug, Default)]
pub struct Versions {
    /// Old versions (absent when added).
    pub old: Vec<FileLoad>,
    /// New versions (absent when deleted).
    pub new: Vec<FileLoad>,
    /// Files that could not be read, with why.
    pub skipped: Vec<String>,
    /// The old and the new side are one file under two names (`--no-index OLD NEW`).
    pub same_file: bool,
    /// New versions that could not be read (`path`, why): not compared, and not deleted.
    pub unreadable: Vec<(String, String)>,
    /// Versions whose loading panicked (`path (side)`, the panic): not compared; exit 2.
    pub crashed: Vec<(String, String)>,
    /// Versions not read (`path: why (side)`, and what to do): larger than `--max-file-size`,
    /// or a working-tree file that cannot be read; not compared, and exit 2, as in `lint` (what
    /// such a file grants is unknown: padding must not hide it, nor may it pass for deleted).
    pub not_read: Vec<(String, &'static str)>,
    /// The files that did not change but hold aws-auth, access entries or RBAC, read (once, for
    /// both sides) when a changed file holds RBAC: what a changed binding or role reaches goes
    /// through the mappings and the other RBAC of the repository ([`reach`]).
    pub context: Vec<FileLoad>,
}

/// Compares the aws-auth sources of the changed files.
pub fn compare_versions(v: &Versions, facts: &Facts) -> Report {
    let mut report = Report {
        skipped: v.skipped.clone(),
        ..Report::default()
    };
    let usable = |l: &FileLoad| l.template.is_none();
    for l in v.old.iter().chain(&v.new) {
        if l.template.is_some() && !l.objects.is_empty() {
            let note = format!("{}: a template; lint what it renders", l.file.name);
            if !report.skipped.contains(&note) {
                report.skipped.push(note);
            }
        }
    }
    let olds: Vec<&AwsAuth> = v
        .old
        .iter()
        .filter(|l| usable(l))
        .flat_map(|l| &l.objects)
        .collect();
    let news: Vec<&AwsAuth> = v
        .new
        .iter()
        .filter(|l| usable(l))
        .flat_map(|l| &l.objects)
        .collect();
    // several documents of one file with one identity: the last one applied is what stays
    let (olds, news) = (last_applied(olds), last_applied(news));
    let files: BTreeSet<&str> = olds
        .iter()
        .chain(&news)
        .map(|o| o.file.name.as_str())
        .collect();
    report.files_changed = if v.same_file {
        usize::from(!files.is_empty())
    } else {
        files.len()
    };
    let pairs = pair_sources(&olds, &news, v.same_file);
    report.sources_compared = pairs.len();
    let broken = broken_files(v);
    for (o, n) in pairs {
        compare(o, n, &broken, facts, &mut report.changes);
    }
    access::changes(v, &mut report.changes);
    reach::changes(v, &mut report.changes);
    report.changes.sort_by(|a, b| {
        (
            a.primary(),
            &a.source,
            a.after.as_ref().or(a.before.as_ref()).map(|s| s.line),
        )
            .cmp(&(
                b.primary(),
                &b.source,
                b.after.as_ref().or(b.before.as_ref()).map(|s| s.line),
            ))
    });
    report
}

/// Pairs the old and new sources: by identity in the same file, then moved or renamed
/// files by the principals they share; what is left is deleted (old only) or added (new only).
fn pair_sources<'a>(
    olds: &[&'a AwsAuth],
    news: &[&'a AwsAuth],
    same_file: bool,
) -> Vec<(Option<&'a AwsAuth>, Option<&'a AwsAuth>)> {
    let mut used_new = vec![false; news.len()];
    let mut paired_old = vec![false; olds.len()];
    let mut pairs: Vec<(Option<&AwsAuth>, Option<&AwsAuth>)> = Vec::new();
    // same file: the same kind, name and namespace first (documents may be reordered), then
    // the same kind and name (a namespace change stays one source, which then may no longer
    // be read), and last the same kind (a renamed ConfigMap, no longer read)
    // (each pass looks candidates up by key: thousands of documents must not cost a scan of
    // every other one)
    let ids_old: Vec<(u8, String, String)> = olds.iter().map(|o| source_identity(o)).collect();
    let ids_new: Vec<(u8, String, String)> = news.iter().map(|n| source_identity(n)).collect();
    for strictness in [2, 1, 0] {
        let key = |o: &'_ AwsAuth, id: &'_ (u8, String, String)| {
            (
                if same_file {
                    String::new()
                } else {
                    o.file.name.clone()
                },
                id.0,
                if strictness >= 1 {
                    id.1.clone()
                } else {
                    String::new()
                },
                if strictness >= 2 {
                    id.2.clone()
                } else {
                    String::new()
                },
            )
        };
        let mut candidates: HashMap<_, std::collections::VecDeque<usize>> = HashMap::new();
        for (i, n) in news.iter().copied().enumerate() {
            if !used_new[i] {
                candidates
                    .entry(key(n, &ids_new[i]))
                    .or_default()
                    .push_back(i);
            }
        }
        for (j, o) in olds.iter().copied().enumerate() {
            if paired_old[j] {
                continue;
            }
            if let Some(i) = candidates
                .get_mut(&key(o, &ids_old[j]))
                .and_then(std::collections::VecDeque::pop_front)
            {
                used_new[i] = true;
                paired_old[j] = true;
                pairs.push((Some(o), Some(news[i])));
            }
        }
    }
    // moved or renamed files: same identity elsewhere sharing principals, the most alike path
    // first (`clusters/dev/` to `envs/dev/` rather than `envs/prod/`), then the most shared
    // (the new sources holding each principal are looked up, not every pair counted)
    let mut holding: HashMap<Principal, Vec<usize>> = HashMap::new();
    for (i, n) in news.iter().copied().enumerate() {
        if !used_new[i] {
            for k in mappings(n).into_keys() {
                holding.entry(k).or_default().push(i);
            }
        }
    }
    for (j, o) in olds.iter().copied().enumerate() {
        if paired_old[j] {
            continue;
        }
        let mut shared: HashMap<usize, usize> = HashMap::new();
        for k in mappings(o).into_keys() {
            for &i in holding.get(&k).into_iter().flatten() {
                if !used_new[i] && ids_new[i] == ids_old[j] {
                    *shared.entry(i).or_default() += 1;
                }
            }
        }
        let best = shared
            .into_iter()
            .map(|(i, n)| {
                (
                    common_tail(&o.file.name, &news[i].file.name),
                    n,
                    std::cmp::Reverse(i),
                )
            })
            .max()
            .map(|(_, _, std::cmp::Reverse(i))| i);
        match best {
            Some(i) => {
                used_new[i] = true;
                pairs.push((Some(o), Some(news[i])));
            }
            None => pairs.push((Some(o), None)),
        }
    }
    for (i, n) in news.iter().copied().enumerate() {
        if !used_new[i] {
            pairs.push((None, Some(n)));
        }
    }
    pairs
}

/// New versions that cannot be compared, with why: their YAML does not parse at all, they
/// became templates, or they cannot be read (`--no-index OLD NEW`: the old name too).
fn broken_files(v: &Versions) -> HashMap<&str, String> {
    let mut broken: HashMap<&str, String> = v
        .new
        .iter()
        .filter_map(|l| {
            if let Some(t) = &l.template {
                let lc = l.file.line_col(t.start);
                return Some((
                    l.file.name.as_str(),
                    format!(
                        "it became a template (line {}): what it renders is not compared here; lint the rendered output",
                        lc.line
                    ),
                ));
            }
            let e = l.syntax_errors.first()?;
            let lc = l.file.line_col(e.offset);
            Some((
                l.file.name.as_str(),
                format!("the file no longer parses (line {}: {}): nothing in it can be applied", lc.line, e.message),
            ))
        })
        .collect();
    for (path, why) in &v.unreadable {
        broken.insert(
            path.as_str(),
            format!("the new version cannot be read ({why}): it is not compared"),
        );
    }
    if v.same_file
        && let (Some(o), Some(why)) = (v.old.first(), broken.values().next().cloned())
    {
        broken.insert(o.file.name.as_str(), why);
    }
    broken
}

/// Loads one version of a file from its bytes (`None`: the file is absent on that side).
pub fn load_version(name: &str, bytes: Option<Vec<u8>>) -> Result<Option<FileLoad>, String> {
    load_version_with(name, bytes, &[])
}

/// [`load_version`] of a Terraform file with the other files of its module directory on the
/// same side (`siblings`, which may list the file itself: it is left out of them).
pub fn load_version_with(
    name: &str,
    bytes: Option<Vec<u8>>,
    siblings: &[Arc<SourceFile>],
) -> Result<Option<FileLoad>, String> {
    let Some(bytes) = bytes else { return Ok(None) };
    // UTF-16 (with its byte-order mark) shows what it mentions only once decoded
    let utf16 = matches!(bytes.get(..2), Some([0xFF, 0xFE] | [0xFE, 0xFF]));
    let may_hold = if crate::load::is_terraform(name) {
        crate::load::may_hold_terraform
    } else {
        |text: &str| {
            crate::load::may_hold_aws_auth(text)
                || crate::load::may_hold_access(text)
                || reach::may_hold_rbac(text)
        }
    };
    if !utf16 && !may_hold(&String::from_utf8_lossy(&bytes)) {
        return Ok(None);
    }
    let file: Arc<SourceFile> =
        crate::discover::decode(name, bytes).map_err(|e| format!("{}: {}", e.name, e.message))?;
    if utf16 && !may_hold(&file.text) {
        return Ok(None);
    }
    if siblings.is_empty() {
        return Ok(Some(crate::load::load_file(file)));
    }
    let others: Vec<Arc<SourceFile>> = siblings
        .iter()
        .filter(|s| s.name != name)
        .cloned()
        .collect();
    Ok(Some(crate::load::load_file_with(file, &others)))
}
