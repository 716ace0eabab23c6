//! `duplicate-arn`: the same principal mapped more than once.
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
    for entry in &entries {
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
    // user ARNs that differ only in case: both are stored, which one applies is undefined
    let users: Vec<_> = entries
        .iter()
        .filter(|e| e.section == SectionKind::MapUsers && e.status.is_kept())
        .filter_map(|e| e.arn.as_ref())
        .collect();
    for (i, a) in users.iter().enumerate() {
        if let Some(b) = users[..i]
            .iter()
            .find(|b| b.value != a.value && b.value.eq_ignore_ascii_case(&a.value))
        {
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
    // an `sso:` matcher and a `rolearn` for a role it matches: which one applies is undefined
    let effective_roles = || {
        entries
            .iter()
            .filter(|e| e.section == SectionKind::MapRoles && e.status.is_kept())
    };
    for matcher in effective_roles() {
        let (Some(sso), None) = (&matcher.sso, &matcher.arn) else {
            continue;
        };
        let prefix = format!(
            "role/awsreservedsso_{}_",
            sso.permission_set_name.to_ascii_lowercase()
        );
        for role in effective_roles() {
            let Some(ra) = &role.arn else { continue };
            let Some(arn) = crate::arn::Arn::parse(&ra.value) else {
                continue;
            };
            if arn.account == sso.account_id
                && arn.resource.to_ascii_lowercase().starts_with(&prefix)
            {
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
    // the same ARN in both sections: the role table is searched first
    for user in entries
        .iter()
        .filter(|e| e.section == SectionKind::MapUsers && e.status.is_kept())
    {
        let Some(ua) = &user.arn else { continue };
        let role = entries.iter().find(|e| {
            e.section == SectionKind::MapRoles
                && e.status.is_kept()
                && e.arn
                    .as_ref()
                    .is_some_and(|r| r.value.eq_ignore_ascii_case(&ua.value))
        });
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
