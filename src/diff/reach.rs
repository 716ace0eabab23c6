//! What a change reaches through RBAC: for each cluster of the compared files, each IAM
//! principal's grants ([`crate::model::rbac::principals`]) before and after, and what the
//! repository's own Roles and bindings now give it that it did not have
//! ([`crate::model::rbac::gained`]): a binding that now reaches one of its groups, a role gaining
//! rules, a group newly mapped that a binding reaches.
//!
//! A gain is an escalation. It is added to the change the mapping or access entry already has
//! (unless that change says the same: `system:masters`, `AmazonEKSClusterAdminPolicy`), or, for
//! a principal whose mapping did not change, reported as an [`Kind::RbacReach`] change at the
//! binding or role that gives it. What only the built-in RBAC gives is left to the aws-auth and
//! access-entry comparisons. Lost permissions are not reported here.
//!
//! The mappings and RBAC of the files that did not change are read (once, for both sides:
//! [`Versions::context`]) only when a changed file holds RBAC; a change of mappings alone is
//! weighed against the RBAC of the changed files.

use std::collections::{BTreeMap, BTreeSet};

use super::{Change, Kind, Risk, Side, Versions, finish};
use crate::load::FileLoad;
use crate::model::cluster::{self, Applies, ClusterKey, Part, Row};
use crate::model::rbac::{self, Grant, Object, Rbac};

/// Whether a file's text may hold a Role or binding (before parsing).
pub(super) fn may_hold_rbac(text: &str) -> bool {
    text.contains("rbac.authorization.k8s.io") && text.contains("Role")
}

/// Whether the unchanged files are worth reading: a changed file holds RBAC on either side.
pub(super) fn wanted(v: &Versions) -> bool {
    v.old
        .iter()
        .chain(&v.new)
        .any(|l| l.template.is_none() && !l.rbac.is_empty())
}

fn parts<'a>(loads: impl Iterator<Item = &'a FileLoad>) -> Vec<Part<'a>> {
    loads
        .filter(|l| l.template.is_none())
        .map(|l| {
            let dir = l.file.name.rsplit_once('/').map_or("", |(d, _)| d);
            Part {
                // the configuration of each side is not at hand here: names hold per folder
                scope: dir,
                dir,
                configured: None,
                access: &l.access,
                aws_auth: &l.objects,
                rbac: &l.rbac,
            }
        })
        .collect()
}

/// One principal's access on one side: the row that applies and its grants.
struct Person<'a> {
    row: &'a Row<'a>,
    grants: Vec<Grant<'a>>,
}

/// The rows that apply, by key (the last, as [`rbac::principals`] takes them).
fn applying<'a>(rows: &'a [Row<'a>]) -> BTreeMap<&'a str, &'a Row<'a>> {
    let mut last = BTreeMap::new();
    for r in rows {
        if !matches!(r.applies, Applies::No(_)) {
            last.insert(r.key.as_str(), r);
        }
    }
    last
}

/// Whether a grant comes (in part) from the repository: its binding, its role, or one of its
/// rules (aggregated into a built-in role) written there.
fn from_repository(g: &Grant<'_>, repo_rules: &BTreeSet<usize>) -> bool {
    g.binding.is_some_and(|b| !b.is_builtin())
        || g.role.is_some_and(|r| !r.is_builtin())
        || g.rules
            .iter()
            .any(|r| repo_rules.contains(&std::ptr::from_ref(*r).addr()))
}

/// The changes of what principals reach through the repository's RBAC.
pub(super) fn changes(v: &Versions, out: &mut Vec<Change>) {
    let all = || v.old.iter().chain(&v.new).chain(&v.context);
    if !all().any(|l| l.template.is_none() && !l.rbac.is_empty()) {
        return;
    }
    let old_parts = parts(v.old.iter().chain(&v.context));
    let new_parts = parts(v.new.iter().chain(&v.context));
    let (old, new) = (cluster::group(&old_parts), cluster::group(&new_parts));
    let changed: BTreeSet<&str> = v.new.iter().map(|l| l.file.name.as_str()).collect();
    let rbac_changed = wanted(v);
    // what every principal's gains may cost together (a hostile role of many verbs and
    // resources reaching thousands of principals must not hang the diff)
    let mut budget = 5 * rbac::request::MAX_CHECKS;
    for c in &new {
        let before = old.iter().find(|o| o.key == c.key);
        let rbac_new = Rbac::new(c.rbac.iter().map(|(_, o)| *o));
        let rbac_old = before.map(|b| Rbac::new(b.rbac.iter().map(|(_, o)| *o)));
        let repo_rules: BTreeSet<usize> = c
            .rbac
            .iter()
            .flat_map(|(_, o)| &o.rules)
            .map(|r| std::ptr::from_ref(r).addr())
            .collect();
        if c.rbac.is_empty() {
            continue;
        }
        let joined_new = cluster::join(c);
        let joined_old = before.map(cluster::join);
        let rows_old = joined_old.as_ref().map(|j| applying(&j.rows));
        for (key, row) in applying(&joined_new.rows) {
            // no RBAC changed: the same access reaches the same (thousands of unchanged
            // mappings cost no grants)
            let unchanged = rows_old
                .as_ref()
                .and_then(|rows| rows.get(key))
                .is_some_and(|r| r.identity.same_access(&row.identity));
            if unchanged && !rbac_changed {
                continue;
            }
            let after = Person {
                row,
                grants: rbac_new.grants(&row.identity),
            };
            let before_grants = match (&rows_old, &rbac_old) {
                (Some(rows), Some(rbac)) => rows
                    .get(key)
                    .map(|r| rbac.grants(&r.identity))
                    .unwrap_or_default(),
                _ => Vec::new(),
            };
            let repo: Vec<Grant<'_>> = after
                .grants
                .iter()
                .filter(|g| from_repository(g, &repo_rules))
                .cloned()
                .collect();
            let gained = rbac::gained_within(&before_grants, &repo, &mut budget);
            if gained.is_empty() {
                continue;
            }
            report(
                &c.key,
                &after,
                &repo,
                &before_grants,
                &gained,
                &changed,
                v.old.iter().flat_map(|l| &l.rbac),
                out,
            );
        }
    }
}

/// The binding or role that gives a gain: a repository grant the principal did not have
/// before, the one whose file changed first.
fn giver<'a>(
    repo: &[Grant<'a>],
    before: &[Grant<'_>],
    changed: &BTreeSet<&str>,
) -> Option<&'a Object> {
    let new_grant = |g: &&Grant<'a>| is_new(g, before);
    let objects = |g: &Grant<'a>| [g.role, g.binding].into_iter().flatten();
    repo.iter()
        .filter(new_grant)
        .flat_map(objects)
        .find(|o| !o.is_builtin() && changed.contains(o.file.name.as_str()))
        .or_else(|| {
            repo.iter()
                .flat_map(objects)
                .find(|o| !o.is_builtin() && changed.contains(o.file.name.as_str()))
        })
        .or_else(|| repo.iter().flat_map(objects).find(|o| !o.is_builtin()))
}

/// Whether a grant is not among `before` (by binding, role and the number of its rules).
fn is_new(g: &Grant<'_>, before: &[Grant<'_>]) -> bool {
    let same = |a: Option<&Object>, b: Option<&Object>| match (a, b) {
        (Some(a), Some(b)) => a.file.name == b.file.name && a.span == b.span,
        (None, None) => true,
        _ => false,
    };
    !before.iter().any(|b| {
        same(b.binding, g.binding) && same(b.role, g.role) && b.rules.len() == g.rules.len()
    })
}

/// How a grant reaches the principal: `ClusterRoleBinding ops-admin → ClusterRole/cluster-admin
/// (group ops)`.
fn through(g: &Grant<'_>) -> String {
    let binding = g
        .binding
        .map_or_else(String::new, |b| format!("{} `{}` → ", b.kind, b.name()));
    format!("{binding}`{}` ({})", g.role_name, g.via)
}

/// Whether an existing change already says that the principal becomes cluster-admin.
fn says_cluster_admin(c: &Change) -> bool {
    c.risks.contains(&Risk::Escalation)
        && c.reasons.iter().any(|r| {
            r.contains(crate::model::identity::SYSTEM_MASTERS)
                || r.contains(crate::model::access_entries::CLUSTER_ADMIN_POLICY)
        })
}

#[allow(clippy::too_many_arguments)]
fn report<'o>(
    key: &ClusterKey,
    after: &Person<'_>,
    repo: &[Grant<'_>],
    before: &[Grant<'_>],
    gained: &[String],
    changed: &BTreeSet<&str>,
    mut old_rbac: impl Iterator<Item = &'o Object>,
    out: &mut Vec<Change>,
) {
    let row = after.row;
    let principal_key = &row.key;
    let existing = out.iter_mut().find(|c| {
        c.kind != Kind::Removed
            && c.kind != Kind::RbacReach
            && cluster::principal_key(&c.principal) == *principal_key
    });
    let ways: Vec<String> = {
        // the grants it did not have, else (a rule aggregated into a role it had) all
        let fresh: Vec<&Grant<'_>> = repo.iter().filter(|g| is_new(g, before)).collect();
        let shown = if fresh.is_empty() {
            repo.iter().collect()
        } else {
            fresh
        };
        let mut w: Vec<String> = shown.into_iter().map(through).collect();
        w.dedup();
        w
    };
    let via = format!("through {}", ways.join(", "));
    if let Some(c) = existing {
        let admin = says_cluster_admin(c);
        let new: Vec<&String> = gained
            .iter()
            .filter(|g| !(admin && g.as_str() == "can now act as cluster-admin"))
            .filter(|g| !c.reasons.contains(g))
            .collect();
        if new.is_empty() {
            return;
        }
        c.risks.push(Risk::Escalation);
        c.reasons.extend(new.into_iter().cloned());
        c.reasons.push(via);
        c.risks.sort();
        c.risks.dedup();
        return;
    }
    let giver = giver(repo, before, changed);
    let place = |o: &Object| {
        let mut s = Side::place(&o.file, o.span.start, None);
        s.text = super::lines_of(&o.file, &o.span);
        s
    };
    let (source, side, was) = match giver {
        Some(o) => (
            format!("{} ({} {})", o.file.name, o.kind, o.name()),
            Some(place(o)),
            // the object as it was, when it was there: the rendered diff shows what changed
            old_rbac.find(|b| {
                b.file.name == o.file.name
                    && b.kind == o.kind
                    && b.name() == o.name()
                    && b.namespace() == o.namespace()
            }),
        ),
        None => (cluster_label(key), None, None),
    };
    let mut reasons: Vec<String> = gained.to_vec();
    reasons.push(via);
    let mut groups: Vec<String> = row.identity.groups.iter().cloned().collect();
    groups.sort();
    if !groups.is_empty() {
        reasons.push(format!(
            "its mapping is unchanged (groups {})",
            groups
                .iter()
                .map(|g| format!("`{g}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    out.push(finish(Change {
        kind: Kind::RbacReach,
        risks: vec![Risk::Escalation],
        reasons,
        principal: row.principal.clone(),
        source,
        before: was.map(place),
        after: side,
        groups_added: Vec::new(),
        groups_removed: Vec::new(),
    }));
}

fn cluster_label(key: &ClusterKey) -> String {
    match key {
        ClusterKey::Name(n) => format!("cluster {n}"),
        ClusterKey::Directory(d) => format!("the cluster of {d}/"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(name: &str, text: &str) -> Option<FileLoad> {
        super::super::load_version(name, Some(text.as_bytes().to_vec())).expect("loads")
    }

    #[test]
    fn unchanged_files_are_read_only_when_a_changed_file_holds_rbac() {
        let auth = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n  mapRoles: |\n    - rolearn: arn:aws:iam::111122223333:role/a\n      groups: [a]\n";
        let binding = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: b\nsubjects:\n  - kind: Group\n    name: a\nroleRef:\n  kind: ClusterRole\n  name: view\n";
        // a deployment is not even loaded: nothing for the diff to hold
        assert!(load("d.yaml", "apiVersion: apps/v1\nkind: Deployment\n").is_none());
        let mut v = Versions {
            old: load("a.yaml", auth).into_iter().collect(),
            new: load("a.yaml", &auth.replace("[a]", "[a, b]"))
                .into_iter()
                .collect(),
            ..Versions::default()
        };
        assert!(!wanted(&v));
        v.new.extend(load("b.yaml", binding));
        assert_eq!(v.new.len(), 2);
        assert!(wanted(&v));
    }
}
