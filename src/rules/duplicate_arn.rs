//! `duplicate-arn`: the same principal mapped more than once.
use std::collections::HashMap;
use std::collections::hash_map::Entry;

use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::{AwsAuth, SectionKind, Status};
use crate::rules::active_entries;

declare_rule! {
    /// ## What it does
    /// Reports an ARN mapped more than once: role ARNs that are equal ignoring case (the last
    /// one wins), user ARNs written twice (the last wins) or differing only in case (which one
    /// applies is undefined: an error), a role matched both by a `rolearn` and by an `sso:` matcher
    /// (undefined too: an error), and an ARN in both `mapRoles` and `mapUsers` (the role mapping
    /// wins).
    ///
    /// ## Why is this bad?
    /// The authenticator keeps one mapping per key without a word. A reviewer reads the first
    /// entry; the cluster uses another. For case-variant user ARNs, Go's map iteration decides.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata:
    ///   name: aws-auth
    ///   namespace: kube-system
    /// data:
    ///   mapRoles: |
    ///     - rolearn: arn:aws:iam::111122223333:role/ops
    ///       username: ops
    ///       groups: [ops]
    ///     - rolearn: arn:aws:iam::111122223333:role/OPS
    ///       username: ops-admin
    ///       groups: [platform-admins]
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata:
    ///   name: aws-auth
    ///   namespace: kube-system
    /// data:
    ///   mapRoles: |
    ///     - rolearn: arn:aws:iam::111122223333:role/ops
    ///       username: ops
    ///       groups: [ops, platform-admins]
    /// ```
    ///
    /// ## References
    /// - aws-iam-authenticator `pkg/mapper/configmap/configmap.go` (`saveMap`), `mapper.go` (roles first)
    pub DUPLICATE_ARN = "duplicate-arn", category: Correctness, severity: Warning,
    summary: "a principal is mapped more than once; only one mapping applies",
}

/// Reports shadowed entries, case-variant user ARNs and ARNs in both sections.
pub fn check(obj: &AwsAuth, out: &mut Vec<Diagnostic>) {
    let entries: Vec<_> = active_entries(obj).collect();
    shadowed(obj, &entries, out);
    let has_users = case_variants(obj, &entries, out);
    sso_overlaps(obj, &entries, out);
    if has_users {
        in_both_sections(obj, &entries, out);
    }
}

/// Entries replaced by a later entry of their key.
fn shadowed(obj: &AwsAuth, entries: &[&crate::model::Entry], out: &mut Vec<Diagnostic>) {
    for entry in entries {
        let Some(arn) = &entry.arn else { continue };
        if let Status::Shadowed { by } = entry.status
            && let Some(winner) = obj.entries.get(by)
        {
            let line = obj.file.line_col(winner.span.start).line;
            let mut d = Diagnostic::new(
                &DUPLICATE_ARN,
                &obj.file,
                arn.span.clone(),
                format!("`{}` is mapped again at line {line}, and that mapping wins; this one is ignored", arn.value),
            )
            .label("ignored")
            .help("merge the two entries into one");
            if let Some(w) = &winner.arn {
                d = d.secondary(w.span.clone(), "this mapping wins");
            }
            out.push(d);
        }
    }
}

/// User ARNs that differ only in case; returns whether there are kept user mappings.
fn case_variants(
    obj: &AwsAuth,
    entries: &[&crate::model::Entry],
    out: &mut Vec<Diagnostic>,
) -> bool {
    // user ARNs that differ only in case: both are stored, which one applies is undefined
    let users: Vec<_> = entries
        .iter()
        .filter(|e| e.section == SectionKind::MapUsers && e.status.is_kept())
        .filter_map(|e| e.arn.as_ref())
        .collect();
    // per ARN ignoring case: the first spelling, and the first spelling that differs from it
    // (an ARN's earliest other spelling is one of the two: one pass, not one per pair)
    let mut spellings: HashMap<String, (usize, Option<usize>)> = HashMap::new();
    for (i, a) in users.iter().enumerate() {
        let other = match spellings.entry(a.value.to_ascii_lowercase()) {
            Entry::Vacant(v) => {
                v.insert((i, None));
                None
            }
            Entry::Occupied(mut o) => {
                let (first, differing) = o.get_mut();
                if users[*first].value == a.value {
                    *differing
                } else {
                    differing.get_or_insert(i);
                    Some(*first)
                }
            }
        };
        if let Some(b) = other.map(|j| users[j]) {
            out.push(
                Diagnostic::new(
                    &DUPLICATE_ARN,
                    &obj.file,
                    a.span.clone(),
                    format!("`{}` and `{}` differ only in case: both are stored and which one applies is undefined", a.value, b.value),
                )
                .label("a case variant")
                .secondary(b.span.clone(), "the other variant")
                .help("keep one mapping, spelled as IAM spells the user")
                .severity(Severity::Error),
            );
        }
    }
    !users.is_empty()
}

/// Role ARNs also matched by an `sso:` matcher.
fn sso_overlaps(obj: &AwsAuth, entries: &[&crate::model::Entry], out: &mut Vec<Diagnostic>) {
    // an `sso:` matcher and a `rolearn` for a role it matches: which one applies is undefined
    let effective_roles = || {
        entries
            .iter()
            .filter(|e| e.section == SectionKind::MapRoles && e.status.is_kept())
    };
    // role ARNs by account and lower-cased resource, sorted: a matcher's roles are one range
    // (built only for a section with a matcher)
    let mut by_resource: Vec<(&str, String, usize, &crate::model::Entry)> = Vec::new();
    if effective_roles().any(|e| e.sso.is_some() && e.arn.is_none()) {
        by_resource.extend(effective_roles().enumerate().filter_map(|(i, role)| {
            let arn = crate::arn::Arn::parse(&role.arn.as_ref()?.value)?;
            Some((arn.account, arn.resource.to_ascii_lowercase(), i, *role))
        }));
        by_resource.sort_unstable_by(|a, b| (a.0, &a.1, a.2).cmp(&(b.0, &b.1, b.2)));
    }
    for matcher in effective_roles() {
        let (Some(sso), None) = (&matcher.sso, &matcher.arn) else {
            continue;
        };
        let prefix = format!(
            "role/awsreservedsso_{}_",
            sso.permission_set_name.to_ascii_lowercase()
        );
        let account = sso.account_id.as_str();
        let from = by_resource.partition_point(|r| (r.0, r.1.as_str()) < (account, &prefix));
        let mut matched: Vec<_> = by_resource[from..]
            .iter()
            .take_while(|r| r.0 == account && r.1.starts_with(&prefix))
            .map(|r| (r.2, r.3))
            .collect();
        // in the order of the file
        matched.sort_unstable_by_key(|m| m.0);
        for (_, role) in matched {
            let Some(ra) = &role.arn else { continue };
            out.push(
                Diagnostic::new(
                    &DUPLICATE_ARN,
                    &obj.file,
                    ra.span.clone(),
                    format!(
                        "`{}` is also matched by the sso matcher for `{}`; which mapping applies is undefined",
                        ra.value, sso.permission_set_name
                    ),
                )
                .label("matched twice")
                .secondary(matcher.span.clone(), "this sso matcher matches it too")
                .help("keep either the `rolearn` or the `sso` mapping")
                .severity(Severity::Error),
            );
        }
    }
}

/// ARNs in both `mapRoles` and `mapUsers`.
fn in_both_sections(obj: &AwsAuth, entries: &[&crate::model::Entry], out: &mut Vec<Diagnostic>) {
    // the same ARN in both sections: the role table is searched first (the first kept role with
    // each ARN, ignoring case)
    let mut roles: HashMap<String, &crate::model::Entry> = HashMap::new();
    for e in entries
        .iter()
        .filter(|e| e.section == SectionKind::MapRoles && e.status.is_kept())
    {
        if let Some(ra) = &e.arn {
            roles.entry(ra.value.to_ascii_lowercase()).or_insert(*e);
        }
    }
    for user in entries
        .iter()
        .filter(|e| e.section == SectionKind::MapUsers && e.status.is_kept())
    {
        let Some(ua) = &user.arn else { continue };
        let role = roles.get(&ua.value.to_ascii_lowercase());
        if let Some(ra) = role.and_then(|r| r.arn.as_ref()) {
            out.push(
                Diagnostic::new(
                    &DUPLICATE_ARN,
                    &obj.file,
                    ua.span.clone(),
                    format!("`{}` is also in mapRoles, which the authenticator searches first; this user mapping is never used", ua.value),
                )
                .label("never used")
                .secondary(ra.span.clone(), "this mapping wins")
                .help("keep the mapping in the section that matches the ARN's type"),
            );
        }
    }
}
