//! The diff of access entries: each cluster of the changed files ([`crate::model::cluster`]),
//! old against new, by principal — what its access entry (and the policies associated with it,
//! and the creator's admin entry) gives, and the cluster's authentication mode.
//!
//! Classified like aws-auth changes: a principal that gains `AmazonEKSClusterAdminPolicy` at
//! cluster scope (or a `system:` group) is an escalation; a node entry removed, or a mode that
//! stops reading aws-auth (`API`), a lockout; a mode change says that it cannot be undone.
//! Only the changed files are read: a cluster's declarations in unchanged files are not part of
//! the comparison (aws-auth changes are compared as they always are, by `diff::compare`).

use std::collections::BTreeMap;

use super::{Change, Kind, Risk, Side, Versions, finish};
use crate::load::FileLoad;
use crate::model::access_entries::{AuthMode, CLUSTER_ADMIN_POLICY};
use crate::model::cluster::{self, Applies, ClusterKey, From, Identity, Part, Row, join};
use crate::model::identity::SYSTEM_PREFIX;

/// What a side declares of one cluster: its mode (with where) and each principal's access
/// from access entries.
struct Declared<'a> {
    mode: Option<(AuthMode, Side)>,
    rows: BTreeMap<String, &'a Row<'a>>,
}

fn parts(loads: &[FileLoad]) -> Vec<Part<'_>> {
    loads
        .iter()
        .filter(|l| l.template.is_none())
        .map(|l| {
            let dir = cluster::folder(&l.file.name);
            Part {
                // the configuration of each side is not at hand here: names hold per folder
                scope: dir,
                dir,
                configured: None,
                access: &l.access,
                // aws-auth is compared by `compare`: only what access entries give is here
                aws_auth: &[],
                rbac: &[],
            }
        })
        .collect()
}

/// Where a row is declared, and what it gives.
fn side(r: &Row<'_>) -> Side {
    let (file, span) = r.place();
    let mut s = Side::place(file, span.start, None);
    s.username.clone_from(&r.identity.username);
    s.groups = Some(r.identity.groups.iter().cloned().collect());
    s.text = super::lines_of(file, span);
    s
}

fn source(r: &Row<'_>) -> String {
    match &r.from {
        From::Entry(_, e) => format!("{} ({})", e.file.name, e.origin.name),
        From::Creator(_, c) => format!("{} ({})", c.file.name, c.origin.name),
        From::AwsAuth(_, o, _) => o.file.name.clone(),
    }
}

/// Whether an identity is cluster-admin or holds a `system:` group.
fn powers(id: &Identity) -> Vec<String> {
    let mut out: Vec<String> = id
        .policies
        .iter()
        .filter(|p| p.policy == CLUSTER_ADMIN_POLICY && p.scope == "cluster")
        .map(|_| format!("`{CLUSTER_ADMIN_POLICY}` at cluster scope (cluster-admin)"))
        .collect();
    out.extend(
        id.groups
            .iter()
            .filter(|g| g.starts_with(SYSTEM_PREFIX) && !is_node_group(g))
            .map(|g| format!("the `{g}` group")),
    );
    out
}

fn is_node_group(g: &str) -> bool {
    crate::model::identity::NODE_GROUPS.contains(&g)
}

fn is_node(r: &Row<'_>) -> bool {
    matches!(&r.from, From::Entry(_, e) if e.kind().is_some_and(crate::model::access_entries::EntryType::is_node))
}

/// The changes of access entries between the old and new versions of the changed files.
pub(super) fn changes(v: &Versions, out: &mut Vec<Change>) {
    let (old_parts, new_parts) = (parts(&v.old), parts(&v.new));
    if old_parts
        .iter()
        .chain(&new_parts)
        .all(|p| p.access.is_empty())
    {
        return;
    }
    let (old, new) = (cluster::group(&old_parts), cluster::group(&new_parts));
    let joined_old: Vec<_> = old.iter().map(|c| (c.key.clone(), c, join(c))).collect();
    let joined_new: Vec<_> = new.iter().map(|c| (c.key.clone(), c, join(c))).collect();
    let declared = |j: &'_ [(ClusterKey, &cluster::Cluster<'_>, cluster::Joined<'_>)]| {
        j.iter().map(|(k, _, _)| k.clone()).collect::<Vec<_>>()
    };
    let mut keys = declared(&joined_old);
    keys.extend(declared(&joined_new));
    keys.sort();
    keys.dedup();
    for key in keys {
        let find = |j: &'_ [(ClusterKey, &cluster::Cluster<'_>, cluster::Joined<'_>)]| {
            j.iter().position(|(k, _, _)| *k == key)
        };
        let o = find(&joined_old).map(|i| &joined_old[i]);
        let n = find(&joined_new).map(|i| &joined_new[i]);
        let d_old = o.map(|(_, c, j)| declared_of(c, j));
        let d_new = n.map(|(_, c, j)| declared_of(c, j));
        compare_cluster(&key, d_old.as_ref(), d_new.as_ref(), out);
    }
}

fn declared_of<'a>(c: &cluster::Cluster<'_>, j: &'a cluster::Joined<'a>) -> Declared<'a> {
    let mode = c.config().and_then(|s| {
        let m = s.mode()?;
        let offset = s.mode.as_ref().map_or(s.span.start, |f| f.span.start);
        Some((m, Side::place(&s.file, offset, None)))
    });
    let rows = j
        .rows
        .iter()
        .filter(|r| !matches!(r.from, From::AwsAuth(..)))
        .map(|r| (r.key.clone(), r))
        .collect();
    Declared { mode, rows }
}

fn cluster_name(key: &ClusterKey) -> String {
    match key {
        ClusterKey::Name(n) => format!("cluster {n}"),
        ClusterKey::Directory(d) => format!("the cluster of {d}/"),
    }
}

fn compare_cluster(
    key: &ClusterKey,
    old: Option<&Declared<'_>>,
    new: Option<&Declared<'_>>,
    out: &mut Vec<Change>,
) {
    if let (Some((a, before)), Some((b, after))) = (
        old.and_then(|d| d.mode.as_ref()),
        new.and_then(|d| d.mode.as_ref()),
    ) && a != b
    {
        out.push(mode_change(key, (*a, before), (*b, after)));
    }
    let empty = BTreeMap::new();
    let rows_old = old.map_or(&empty, |d| &d.rows);
    let rows_new = new.map_or(&empty, |d| &d.rows);
    for (k, r) in rows_old {
        match rows_new.get(k) {
            None => out.push(removed(r)),
            Some(n) if !r.identity.same_access(&n.identity) || r.applies != n.applies => {
                out.push(changed(r, n));
            }
            Some(_) => {}
        }
    }
    for (k, r) in rows_new {
        if !rows_old.contains_key(k) {
            out.push(added(r));
        }
    }
}

fn base(kind: Kind, r: &Row<'_>) -> Change {
    Change {
        kind,
        risks: Vec::new(),
        reasons: Vec::new(),
        principal: r.principal.clone(),
        source: source(r),
        before: None,
        after: None,
        groups_added: Vec::new(),
        groups_removed: Vec::new(),
    }
}

fn policies(id: &Identity) -> Vec<String> {
    id.policies.iter().map(ToString::to_string).collect()
}

fn added(r: &Row<'_>) -> Change {
    let mut c = base(Kind::Added, r);
    c.after = Some(side(r));
    c.groups_added = r.identity.groups.iter().cloned().collect();
    for p in powers(&r.identity) {
        c.risks.push(Risk::Escalation);
        c.reasons.push(format!("a new access entry with {p}"));
    }
    if is_node(r) {
        c.risks.push(Risk::Escalation);
        c.reasons
            .push("a new node access entry: the role can join nodes to the cluster".into());
    }
    let p = policies(&r.identity);
    if !p.is_empty() {
        c.reasons.push(format!("access policies {}", p.join(", ")));
    }
    not_applied(r, &mut c);
    finish(c)
}

fn removed(r: &Row<'_>) -> Change {
    let mut c = base(Kind::Removed, r);
    c.before = Some(side(r));
    c.groups_removed = r.identity.groups.iter().cloned().collect();
    if is_node(r) {
        c.risks.push(Risk::Lockout);
        c.reasons.push(
            "a node access entry removed: nodes with this role can no longer join (unless aws-auth still maps it)"
                .into(),
        );
    } else {
        c.reasons
            .push("the access entry is removed: the principal loses what it gave".into());
    }
    finish(c)
}

fn changed(r: &Row<'_>, n: &Row<'_>) -> Change {
    let mut c = base(Kind::Changed, n);
    c.before = Some(side(r));
    c.after = Some(side(n));
    let (before, after) = (&r.identity, &n.identity);
    c.groups_added = after.groups.difference(&before.groups).cloned().collect();
    c.groups_removed = before.groups.difference(&after.groups).cloned().collect();
    let had = powers(before);
    for p in powers(after) {
        if !had.contains(&p) {
            c.risks.push(Risk::Escalation);
            c.reasons.push(format!("gains {p}"));
        }
    }
    let gained: Vec<String> = after
        .policies
        .difference(&before.policies)
        .map(ToString::to_string)
        .collect();
    let lost: Vec<String> = before
        .policies
        .difference(&after.policies)
        .map(ToString::to_string)
        .collect();
    if !gained.is_empty() {
        c.reasons
            .push(format!("access policies added: {}", gained.join(", ")));
    }
    if !lost.is_empty() {
        c.reasons
            .push(format!("access policies removed: {}", lost.join(", ")));
    }
    if is_node(r) && !is_node(n) {
        c.risks.push(Risk::Lockout);
        c.reasons
            .push("no longer a node access entry: nodes with this role can no longer join".into());
    }
    if before.username != after.username {
        c.reasons.push(format!(
            "username `{}` → `{}`",
            before.username.as_deref().unwrap_or("-"),
            after.username.as_deref().unwrap_or("-")
        ));
    }
    not_applied(n, &mut c);
    finish(c)
}

/// Says when a row does not apply under the mode (an entry in a `CONFIG_MAP` cluster).
fn not_applied(r: &Row<'_>, c: &mut Change) {
    if let Applies::No(why) = &r.applies {
        c.reasons.push(format!("not applied: {why}"));
    }
}

fn mode_change(
    key: &ClusterKey,
    (a, before): (AuthMode, &Side),
    (b, after): (AuthMode, &Side),
) -> Change {
    let mut c = Change {
        kind: Kind::ModeChanged,
        risks: Vec::new(),
        reasons: vec![format!(
            "authentication mode `{}` → `{}`",
            a.as_str(),
            b.as_str()
        )],
        principal: cluster_name(key),
        source: after.file.clone(),
        before: Some(before.clone()),
        after: Some(after.clone()),
        groups_added: Vec::new(),
        groups_removed: Vec::new(),
    };
    if b < a {
        c.risks.push(Risk::AccessChange);
        c.reasons.push(
            "EKS rejects it: the mode only moves from `CONFIG_MAP` to `API_AND_CONFIG_MAP` to `API`, never back"
                .into(),
        );
    } else {
        c.reasons
            .push("one way: once applied, EKS cannot switch the cluster back".into());
    }
    if a.reads_aws_auth() && !b.reads_aws_auth() {
        c.risks.push(Risk::Lockout);
        c.reasons.push(
            "aws-auth is no longer read: every principal (node roles included) mapped only there loses access"
                .into(),
        );
    }
    if !a.reads_access_entries() && b.reads_access_entries() {
        c.reasons.push(
            "access entries are read from now on, and win over the aws-auth mapping of the same principal"
                .into(),
        );
    }
    finish(c)
}
