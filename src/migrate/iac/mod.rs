//! The plan as infrastructure code: Terraform ([`terraform`]), CloudFormation
//! ([`cloudformation`]), an aws CLI script ([`awscli`]) and an eksctl `ClusterConfig` fragment
//! ([`eksctl`]), all from the same [`Plan`] as the table and the JSON.
//!
//! Each carries the phases as far as its tool can express them, and comments where it cannot:
//! phase 1 (the authentication mode `API_AND_CONFIG_MAP`), phase 2 (the access entries and their
//! policy associations, the only part emitted as code), phases 3–5 (verify, the aws-auth that
//! remains, `API`) as comments. What is not migrated is never emitted as code: a principal whose
//! real ARN is unknown is a TODO comment (never a guessed ARN) and the output says it is
//! incomplete (the aws CLI script exits 1 before doing anything); EKS-managed entries, blockers
//! and mappings that grant nothing are listed in comments. Values are escaped for their format
//! ([`hcl`], [`yaml`], [`sh`]); values in comments are escaped as one line of text.

pub mod awscli;
pub mod cloudformation;
pub mod eksctl;
pub mod terraform;

use super::Plan;
use super::classify::{AccessEntry, Action, Item};
use crate::render::escape;

/// An access entry the output creates: its principal's real ARN and what it gets.
pub(crate) struct Entry<'a> {
    /// The real principal ARN.
    pub arn: &'a str,
    /// The planned entry.
    pub entry: &'a AccessEntry,
}

/// The entries to create, in the plan's order (principals whose real ARN is known).
pub(crate) fn entries(plan: &Plan) -> Vec<Entry<'_>> {
    plan.principals
        .iter()
        .filter(|i| i.action == Action::Create)
        .filter_map(|i| {
            let entry = i.access_entry.as_ref()?;
            Some(Entry {
                arn: entry.principal_arn.as_deref()?,
                entry,
            })
        })
        .collect()
}

/// The principals left to a person (TODO: unknown ARN, blockers), as comment lines without the
/// comment marker.
pub(crate) fn todos(plan: &Plan) -> Vec<String> {
    let mut out = Vec::new();
    for i in plan.principals.iter().filter(|i| is_todo(i)) {
        out.push(format!("TODO {}:", t(&i.principal)));
        if let Some(e) = &i.access_entry
            && e.principal_arn.is_none()
        {
            let arn = e.principal_arn_todo.as_deref().unwrap_or("(unknown)");
            out.push(format!(
                "  planned: {} entry for `{}` (fill in the real ARN){}",
                e.kind.as_str(),
                t(arn),
                entry_summary(e)
            ));
        }
        for b in &i.blockers {
            out.push(format!("  blocker[{}]: {}", b.id, t(&b.text)));
            if let Some(h) = &b.help {
                out.push(format!("    help: {}", t(h)));
            }
        }
    }
    out
}

/// Whether the plan leaves `item` to a person.
fn is_todo(item: &Item) -> bool {
    item.action == Action::NotMigrated
        || (item.action == Action::Create
            && item
                .access_entry
                .as_ref()
                .is_some_and(|e| e.principal_arn.is_none()))
}

/// How many principals are TODO.
pub(crate) fn todo_count(plan: &Plan) -> usize {
    plan.principals.iter().filter(|i| is_todo(i)).count()
}

fn entry_summary(e: &AccessEntry) -> String {
    let mut s = String::new();
    if let Some(u) = &e.username {
        s.push_str(&format!(", username `{}`", t(u)));
    }
    if !e.kubernetes_groups.is_empty() {
        let g: Vec<String> = e
            .kubernetes_groups
            .iter()
            .map(|g| format!("`{}`", t(g)))
            .collect();
        s.push_str(&format!(", kubernetesGroups {}", g.join(", ")));
    }
    for p in &e.access_policies {
        s.push_str(&format!(
            ", policy `{}` ({} scope)",
            t(&p.policy_arn),
            p.access_scope.kind
        ));
    }
    s
}

/// The header every format starts with (comment lines without the marker): what this is, the
/// warnings, phase 1, and what is not emitted (TODOs, EKS-managed, dropped).
pub(crate) fn header(plan: &Plan, tool: &str) -> Vec<String> {
    let mut out = vec![
        format!(
            "awsauth migrate: access entries for cluster `{}` from {}:{} ({tool})",
            t(&plan.cluster),
            escape::name(&plan.source.file),
            plan.source.line
        ),
        "apply the phases in order; only phase 2 is code here, the others are comments".to_owned(),
    ];
    if !plan.proof.equivalent {
        out.push(format!(
            "WARNING: the plan differs from aws-auth for {} principal(s) (see `awsauth migrate --format table`)",
            plan.proof.differing
        ));
    }
    for w in &plan.warnings {
        out.push(format!("warning: {}", t(w)));
    }
    let todo = todos(plan);
    if !todo.is_empty() {
        out.push(format!(
            "INCOMPLETE: {} principal(s) are TODO and not emitted below:",
            todo_count(plan)
        ));
        out.extend(todo);
    }
    for i in &plan.principals {
        match i.action {
            Action::Keep => out.push(format!(
                "kept in aws-auth, not emitted (EKS-managed: keep until the node group or profile is recreated): {}",
                t(&i.principal)
            )),
            Action::Drop => out.push(format!(
                "not emitted (grants nothing today): {}",
                t(&i.principal)
            )),
            Action::Create | Action::NotMigrated => {}
        }
    }
    for i in &plan.not_loaded {
        out.push(format!(
            "not emitted (written but grants nothing today): {} ({})",
            t(i.principal.as_deref().unwrap_or("(no ARN)")),
            t(&i.reason)
        ));
    }
    out
}

/// Phases 3 to 5 (comment lines without the marker).
pub(crate) fn later_phases(plan: &Plan) -> Vec<String> {
    let mut out = Vec::new();
    for p in plan.phases.iter().filter(|p| p.phase >= 3) {
        let one_way = if p.one_way { " [one-way]" } else { "" };
        out.push(format!("phase {}: {}{one_way}", p.phase, t(&p.title)));
        if let Some(why) = &p.not_offered_because {
            out.push(format!("  not offered: {}", t(why)));
            continue;
        }
        for s in &p.steps {
            out.push(format!("  - {}", t(s)));
        }
        if p.phase == 4 && !plan.remaining_aws_auth.data.is_empty() {
            out.push("  remaining aws-auth:".to_owned());
            for l in plan.remaining_aws_auth.data.lines() {
                out.push(format!("    {}", t(l)));
            }
        }
    }
    out
}

/// Lines as comments with `marker` (`#`), blank lines kept bare.
pub(crate) fn comment(lines: &[String], marker: &str) -> String {
    lines
        .iter()
        .map(|l| {
            if l.is_empty() {
                format!("{marker}\n")
            } else {
                format!("{marker} {l}\n")
            }
        })
        .collect()
}

/// One line of text from the inputs, for a comment.
pub(crate) fn t(s: &str) -> String {
    escape::text(s).into_owned()
}

/// Whether `c` must be escaped in a YAML or HCL string: what [`escape::is_unsafe`] says, every
/// control and the non-characters YAML does not allow.
fn needs_escape(c: char) -> bool {
    escape::is_unsafe(c) || c.is_control() || matches!(c, '\u{feff}' | '\u{fffe}' | '\u{ffff}')
}

/// A quoted HCL string: `\`, `"` and controls escaped, and the template sequences `${` and `%{`
/// written `$${` and `%%{` (literal).
pub fn hcl(s: &str) -> String {
    let mut out = String::from("\"");
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if needs_escape(c) => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The YAML keys of an access entry's optional fields, as a tool spells them.
pub(crate) struct YamlKeys {
    /// The username.
    pub username: &'static str,
    /// The Kubernetes groups.
    pub groups: &'static str,
    /// The access policies.
    pub policies: &'static str,
    /// A policy's ARN.
    pub policy_arn: &'static str,
    /// A policy's scope.
    pub scope: &'static str,
    /// The scope's type.
    pub scope_type: &'static str,
}

/// The username, groups and access policies of `e` as YAML fields indented by six spaces (the
/// same shape in CloudFormation's `Properties` and eksctl's `accessEntries`), keyed by `keys`.
pub(crate) fn yaml_fields(out: &mut String, e: &Entry<'_>, keys: &YamlKeys) {
    if let Some(u) = &e.entry.username {
        out.push_str(&format!("      {}: {}\n", keys.username, yaml(u)));
    }
    if !e.entry.kubernetes_groups.is_empty() {
        out.push_str(&format!("      {}:\n", keys.groups));
        for g in &e.entry.kubernetes_groups {
            out.push_str(&format!("        - {}\n", yaml(g)));
        }
    }
    if !e.entry.access_policies.is_empty() {
        out.push_str(&format!("      {}:\n", keys.policies));
        for p in &e.entry.access_policies {
            out.push_str(&format!(
                "        - {}: {}\n          {}:\n            {}: {}\n",
                keys.policy_arn,
                yaml(&p.policy_arn),
                keys.scope,
                keys.scope_type,
                p.access_scope.kind
            ));
        }
    }
}

/// A double-quoted YAML scalar (a string whatever it holds): `\`, `"` and every character YAML
/// does not print escaped.
pub fn yaml(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A single-quoted shell word (`'` written `'\''`), or `None` when `s` holds a character the
/// output would have to escape (a control, a bidi control): a shell word cannot show it safely.
pub fn sh(s: &str) -> Option<String> {
    if s.chars().any(needs_escape) {
        return None;
    }
    Some(format!("'{}'", s.replace('\'', r"'\''")))
}

/// A name made of the ASCII letters and digits of `arn`'s resource (`role/path/name` →
/// `["role", "path", "name"]`), lower-cased, in words.
pub(crate) fn words(arn: &str) -> Vec<String> {
    let resource = arn.splitn(6, ':').nth(5).unwrap_or(arn);
    resource
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect()
}

/// The policy's name (`AmazonEKSClusterAdminPolicy`) from its ARN.
pub(crate) fn policy_name(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

/// `name`, or `name` with the first free suffix `2`, `3`, … (joined by `sep`) when `taken`.
pub(crate) fn unique(
    name: &str,
    sep: &str,
    taken: &mut std::collections::HashSet<String>,
) -> String {
    let mut n = 1;
    let mut candidate = name.to_owned();
    while !taken.insert(candidate.clone()) {
        n += 1;
        candidate = format!("{name}{sep}{n}");
    }
    candidate
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped_for_their_format() {
        assert_eq!(hcl("a\"b\\c${x}%{y}$z\n"), r#""a\"b\\c$${x}%%{y}$z\n""#);
        assert_eq!(hcl("{{SessionName}}"), r#""{{SessionName}}""#);
        assert_eq!(hcl("a\u{202e}b"), r#""a\u202Eb""#);
        assert_eq!(yaml("a\"b\\c\u{1b}: #x"), r#""a\"b\\c\u001B: #x""#);
        assert_eq!(sh("it's $(x) `y`").as_deref(), Some(r"'it'\''s $(x) `y`'"));
        assert_eq!(sh("a\nb"), None);
    }

    #[test]
    fn names_come_from_the_arn_resource() {
        assert_eq!(
            words("arn:aws:iam::1:role/a-b/Admin.x"),
            ["role", "a", "b", "admin", "x"]
        );
        let mut taken = std::collections::HashSet::new();
        assert_eq!(unique("a", "_", &mut taken), "a");
        assert_eq!(unique("a", "_", &mut taken), "a_2");
    }
}
