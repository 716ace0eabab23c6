//! Organisation policies from the configuration (`policies:`), checked against every mapping
//! like a built-in rule: `when` picks the mappings, `require` is what they must satisfy,
//! `forbid` what they must not.

use crate::config::{Matcher, Policy, Settings};
use crate::diagnostic::Diagnostic;
use crate::load::FileLoad;
use crate::model::effective::active_entries;
use crate::model::{AwsAuth, SectionKind};
use crate::source::Span;

/// What a policy looks at in one mapping.
#[derive(Debug)]
struct Subject<'a> {
    /// The ARN, lowercased once (ARN globs match ignoring case).
    arn_lower: Option<String>,
    account: Option<&'a str>,
    username: Option<&'a str>,
    groups: Vec<&'a str>,
    section: SectionKind,
    span: Span,
    /// How to name the mapping in a message.
    name: String,
}

impl Matcher {
    fn matches(&self, s: &Subject<'_>) -> bool {
        let one = |set: &Option<globset::GlobSet>, v: Option<&str>| match set {
            None => true,
            Some(g) => v.is_some_and(|v| g.is_match(v)),
        };
        one(&self.arn, s.arn_lower.as_deref())
            && one(&self.account, s.account)
            && one(&self.username, s.username)
            && self
                .groups
                .as_ref()
                .is_none_or(|g| s.groups.iter().any(|x| g.is_match(x)))
            && self.section.as_ref().is_none_or(|k| k.contains(&s.section))
    }
}

fn subjects(obj: &AwsAuth) -> Vec<Subject<'_>> {
    let mut out = Vec::new();
    for e in active_entries(obj) {
        let arn = e.arn.as_ref().map(|a| a.value.as_str());
        let account = arn
            .and_then(crate::arn::Arn::parse)
            .map(|a| a.account)
            .or(e.sso.as_ref().map(|s| s.account_id.as_str()));
        let name = match (arn, &e.sso) {
            (Some(a), _) => format!("`{a}`"),
            (None, Some(s)) => format!("the sso matcher of `{}`", s.permission_set_name),
            _ => format!("{} item {}", e.section.key(), e.index + 1),
        };
        out.push(Subject {
            arn_lower: arn.map(str::to_ascii_lowercase),
            account,
            username: e.username.as_ref().map(|u| u.value.as_str()),
            groups: e.groups.iter().map(|g| g.value.as_str()).collect(),
            section: e.section,
            span: e
                .arn
                .as_ref()
                .map_or_else(|| e.span.clone(), |a| a.span.clone()),
            name,
        });
    }
    if obj.rejected.is_empty() {
        for a in obj.accounts.iter().filter(|a| a.stored) {
            out.push(Subject {
                arn_lower: None,
                account: Some(&a.value),
                username: None,
                groups: Vec::new(),
                section: SectionKind::MapAccounts,
                span: a.span.clone(),
                name: format!("account `{}`", a.value),
            });
        }
    }
    out
}

/// The most findings one policy reports in one aws-auth source; the rest are counted in one
/// more finding. Policies multiply the findings of a file (a configuration of a pull request
/// with 64 policies matching everything made 12.8 million findings of a 200,000-mapping file:
/// 55 s and 9 GB).
const MAX_PER_POLICY: usize = 100;

fn check_one(policy: &Policy, obj: &AwsAuth, subjects: &[Subject<'_>], out: &mut Vec<Diagnostic>) {
    let id = policy.rule.name;
    let mut found = 0;
    let mut first_unshown = None;
    for s in subjects {
        if !policy.when.matches(s) {
            continue;
        }
        let message = if let Some(req) = policy.require.as_ref().filter(|r| !r.matches(s)) {
            format!(
                "{} breaks policy `{id}`: requires {}",
                s.name, req.description
            )
        } else if let Some(f) = policy.forbid.as_ref().filter(|f| f.matches(s)) {
            format!("{} breaks policy `{id}`: forbids {}", s.name, f.description)
        } else {
            continue;
        };
        found += 1;
        if found > MAX_PER_POLICY {
            first_unshown.get_or_insert(s.span.clone());
            continue;
        }
        let message = match &policy.message {
            Some(m) => format!("{}: {m}", s.name),
            None => message,
        };
        out.push(
            Diagnostic::new(policy.rule, &obj.file, s.span.clone(), message)
                .label(format!("policy `{id}`"))
                .help(format!(
                    "change the mapping, or see policy `{id}` in {}",
                    policy.rule.location.replace("#L", " line ")
                )),
        );
    }
    if let Some(span) = first_unshown {
        let more = found - MAX_PER_POLICY;
        out.push(
            Diagnostic::new(
                policy.rule,
                &obj.file,
                span,
                format!("{more} more mapping(s) from here on break policy `{id}` (at most {MAX_PER_POLICY} are reported one by one)"),
            )
            .label(format!("policy `{id}`"))
            .help("fix the mappings above and run again to see the next ones"),
        );
    }
}

/// Checks every policy of `settings` against the mappings of one file.
pub fn check(load: &FileLoad, settings: &Settings, out: &mut Vec<Diagnostic>) {
    if load.template.is_some() {
        return;
    }
    if settings.policies.is_empty() {
        return;
    }
    // each mapping's subject is built once, not once per policy
    let objects: Vec<(&AwsAuth, Vec<Subject<'_>>)> =
        load.objects.iter().map(|o| (o, subjects(o))).collect();
    for policy in &settings.policies {
        for (obj, subjects) in &objects {
            check_one(policy, obj, subjects, out);
        }
    }
}
