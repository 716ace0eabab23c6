//! The effective view of cluster access, computed once when a source is loaded: what becomes
//! of each written entry ([`Status`]: effective, shadowed, dropped, lost, not read) and what the
//! authenticator stores ([`Effective`]: principal → username and groups), then read by
//! `inspect`, the rules, lint's principals, policies and `diff` (which adds what a request
//! gets: [`super::access`]).
//!
//! The loader decides what is dropped (validation) and what is lost with a broken section while
//! it decodes; [`settle`] applies what follows from the whole object: a rejected `ConfigMap`, lost
//! sections, last-wins per key, and a `ConfigMap` the authenticator never reads.

use super::identity::is_node_mapping;
use super::{
    AwsAuth, Effective, EffectiveRole, EffectiveUser, Entry, Field, Principal, SectionKind,
    SectionState, Status,
};

/// The entries the authenticator stores, as indexes into [`AwsAuth::entries`], in key order.
#[derive(Debug, Default)]
pub struct Stores {
    /// `mapRoles` (role ARNs and SSO matchers).
    pub roles: Vec<usize>,
    /// `mapUsers`.
    pub users: Vec<usize>,
}

/// Settles the status of every entry of `obj` (lost with its section or with the whole object,
/// shadowed by a later entry of its key, not read with its `ConfigMap`) and returns what the
/// authenticator stores; `None` when it stores nothing of `obj` (rejected, or never read).
pub fn settle(obj: &mut AwsAuth) -> Option<Stores> {
    let rejected = !obj.rejected.is_empty();
    mark_lost(obj, rejected);
    // the stores, keyed last-wins: every key with the entries stored under it, in entry order
    // (a stable sort), then in key order
    let mut roles: Vec<(Principal, usize)> = Vec::new();
    let mut users: Vec<(Principal, usize)> = Vec::new();
    for (i, entry) in obj.entries.iter().enumerate() {
        if entry.status != Status::Effective || entry.note.is_some() {
            continue;
        }
        let Some(key) = entry.principal() else {
            continue;
        };
        if entry.section == SectionKind::MapRoles {
            roles.push((key, i));
        } else {
            users.push((key, i));
        }
    }
    let mut winners = |mut store: Vec<(Principal, usize)>| {
        store.sort_by(|a, b| a.0.cmp(&b.0));
        let mut out = Vec::with_capacity(store.len());
        for (j, (key, i)) in store.iter().enumerate() {
            match store.get(j + 1) {
                // a later entry with the same key replaces this one
                Some((next, by)) if next == key => {
                    obj.entries[*i].status = Status::Shadowed { by: *by };
                }
                _ => out.push(*i),
            }
        }
        out
    };
    let stores = Stores {
        roles: winners(roles),
        users: winners(users),
    };
    // a ConfigMap of another name or namespace: what it holds is never stored
    if let Some(why) = obj.not_read_because() {
        for entry in &mut obj.entries {
            if entry.status == Status::Effective {
                entry.status = Status::NotRead(why.clone());
            }
        }
        return None;
    }
    (!rejected).then_some(stores)
}

/// Marks the entries lost with the whole object (`rejected`) or with their section.
fn mark_lost(obj: &mut AwsAuth, rejected: bool) {
    // the kinds (three at most) of the lost sections, found once and not once per entry
    let mut lost_kinds: Vec<SectionKind> = obj
        .sections
        .iter()
        .filter(|s| s.is_lost())
        .map(|s| s.kind)
        .collect();
    lost_kinds.sort_unstable();
    lost_kinds.dedup();
    for entry in &mut obj.entries {
        let section_lost = lost_kinds.contains(&entry.section);
        if rejected {
            entry.status = Status::Lost("the API server rejects this ConfigMap".into());
        } else if section_lost || matches!(entry.status, Status::Lost(_)) {
            let node = if entry.arn.is_some() && is_node_mapping(entry) {
                " (a node role: its nodes cannot join)"
            } else {
                ""
            };
            entry.status = Status::Lost(format!("`{}` fails to load{node}", entry.section.key()));
        }
    }
}

/// The accounts the authenticator stores for a read, not rejected `obj`: a conversion error in
/// `mapAccounts` keeps what yaml.v2 decoded before it.
pub fn stored_accounts(obj: &AwsAuth) -> Vec<String> {
    let accounts_lost = obj.sections.iter().any(|s| {
        s.kind == SectionKind::MapAccounts
            && matches!(
                s.state,
                SectionState::SyntaxError { .. } | SectionState::NotList { .. }
            )
    });
    if accounts_lost {
        return Vec::new();
    }
    obj.accounts
        .iter()
        .filter(|a| a.stored)
        .map(|a| a.value.clone())
        .collect()
}

fn strings(fields: &[Field]) -> Vec<String> {
    fields.iter().map(|f| f.value.clone()).collect()
}

impl EffectiveRole {
    /// The role mapping a stored entry gives.
    pub fn of(e: &Entry) -> Self {
        Self {
            rolearn: e.arn.as_ref().map(|a| a.value.clone()),
            sso: e.sso.clone().filter(|_| e.arn.is_none()),
            username: e.username_value(),
            groups: strings(&e.groups),
        }
    }
}

impl EffectiveUser {
    /// The user mapping a stored entry gives.
    pub fn of(e: &Entry) -> Self {
        Self {
            userarn: e.arn.as_ref().map(|a| a.value.clone()).unwrap_or_default(),
            username: e.username_value(),
            groups: strings(&e.groups),
        }
    }
}

impl Effective {
    /// What the authenticator stores of `obj`, settling its entries' statuses ([`settle`]);
    /// `map_roles` and `map_users` build the stored mappings from the entries and the stored
    /// indexes (with [`EffectiveRole::of`] and [`EffectiveUser::of`]; the loader splits a long
    /// list in two halves at once).
    pub fn settle_with(
        obj: &mut AwsAuth,
        map_roles: impl FnOnce(&[Entry], &[usize]) -> Vec<EffectiveRole>,
        map_users: impl FnOnce(&[Entry], &[usize]) -> Vec<EffectiveUser>,
    ) -> Self {
        let Some(stores) = settle(obj) else {
            return Self::default();
        };
        Self {
            roles: map_roles(&obj.entries, &stores.roles),
            users: map_users(&obj.entries, &stores.users),
            accounts: stored_accounts(obj),
        }
    }
}

/// What a section takes with it when it is lost: how many mappings (or, for `mapAccounts`,
/// accounts) are written in it, and the ARNs of the node roles among them.
pub fn lost_mappings(obj: &AwsAuth, kind: SectionKind) -> (usize, Vec<&str>) {
    if kind == SectionKind::MapAccounts {
        return (obj.accounts.len(), Vec::new());
    }
    let lost: Vec<&Entry> = obj
        .entries
        .iter()
        .filter(|e| e.section == kind && (e.arn.is_some() || e.sso.is_some()))
        .collect();
    let nodes = lost
        .iter()
        .filter(|e| kind == SectionKind::MapRoles && is_node_mapping(e))
        .filter_map(|e| e.arn.as_ref().map(|a| a.value.as_str()))
        .collect();
    (lost.len(), nodes)
}

/// Entries that the authenticator (or eksctl) would consider: not lost with a broken section,
/// not eksctl service mappings without an ARN.
pub fn active_entries(obj: &AwsAuth) -> impl Iterator<Item = &Entry> {
    obj.entries
        .iter()
        .filter(|e| !matches!(e.status, Status::Lost(_)) && obj.rejected.is_empty())
}
