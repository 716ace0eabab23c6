//! What a request of each principal gets: the effective mappings of a source as the
//! authenticator looks them up, keyed by [`Principal`], with where each is written. Beyond the
//! stores ([`super::effective`]) it knows the lookup's semantics: user ARNs differing only in
//! case are both kept and a request may get either's username and groups (merged here), a
//! `mapUsers` entry for an ARN `mapRoles` also has never applies, and a later mapping of a
//! role may replace a working node mapping. `diff` compares two of these.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::identity;
use super::principal::{ACCOUNT_PREFIX, SSO_PREFIX};
use super::{AwsAuth, Principal, SectionKind, Status};
use crate::arn::Arn;
use crate::source::Span;

/// One mapping as the authenticator stores it, with where it is written.
#[derive(Debug, Clone)]
pub struct Mapping {
    /// The section it is written in.
    pub section: SectionKind,
    /// The case-insensitive identity across sections (for moves).
    pub identity: String,
    /// The principal as a change names it: the ARN as written, else the principal's text.
    pub display: String,
    /// The username template (several, ` | `-separated, for merged case variants; `None`
    /// for accounts and services).
    pub username: Option<String>,
    /// The group templates, in order (merged case variants: each group once).
    pub groups: Vec<String>,
    /// Where it is written (of merged case variants, the first).
    pub span: Span,
    /// Case-variant user ARNs merged into this one: where each is written, with its groups.
    pub variants: Vec<(Span, Vec<String>)>,
    /// A working node mapping of the same role written earlier, which this one replaces.
    pub shadows_node: Option<Span>,
}

impl Mapping {
    /// A principal without username or groups (an account, an eksctl service).
    fn principal_only(section: SectionKind, key: &Principal, span: &Span) -> Self {
        let display = key.to_string();
        Self {
            section,
            identity: display.clone(),
            display,
            username: None,
            groups: Vec::new(),
            span: span.clone(),
            variants: Vec::new(),
            shadows_node: None,
        }
    }

    /// Node-style: a `system:node:` username or the `system:nodes` group.
    pub fn is_node(&self) -> bool {
        identity::is_node_identity(
            self.username.as_deref(),
            self.groups.iter().map(String::as_str),
        )
    }

    /// A node mapping nodes can join with ([`identity::works_as_node`]).
    pub fn works_as_node(&self) -> bool {
        identity::works_as_node(
            self.username.as_deref(),
            self.groups.iter().map(String::as_str),
        )
    }

    /// The groups as the authorizer sees them: a set.
    pub fn group_set(&self) -> BTreeSet<&str> {
        self.groups.iter().map(String::as_str).collect()
    }

    /// The account of the principal: of an account, an SSO matcher or an ARN.
    pub fn account(&self) -> Option<String> {
        // by the text, as the keys compare (a role ARN may be written as a matcher's text)
        if let Some(a) = self.identity.strip_prefix(ACCOUNT_PREFIX) {
            return Some(a.to_owned());
        }
        if let Some(rest) = self.identity.strip_prefix(SSO_PREFIX) {
            return rest.split('/').next().map(str::to_owned);
        }
        // looked up ignoring case, `ARN:AWS:IAM::...` included
        Arn::parse(&self.display.to_lowercase()).map(|a| a.account.to_owned())
    }
}

/// The effective mappings of a source, keyed as the authenticator keys them.
pub fn mappings(obj: &AwsAuth) -> BTreeMap<Principal, Mapping> {
    let mut out = BTreeMap::new();
    // the groups and usernames of a mapping merging case variants, as sets (a file of many
    // variants must not cost a scan of the merged list per variant)
    let mut merged: HashMap<Principal, (HashSet<String>, BTreeSet<String>)> = HashMap::new();
    if !obj.is_loaded() {
        return out;
    }
    // the entry each shadowed entry's key finally resolves to (a shadowed entry points at the
    // next entry of its key), and the last working node mapping each winner replaces
    let mut last: Vec<usize> = (0..obj.entries.len()).collect();
    for j in (0..obj.entries.len()).rev() {
        if let Status::Shadowed { by } = obj.entries[j].status
            && let Some(&w) = last.get(by)
        {
            last[j] = w;
        }
    }
    let mut shadowed_nodes: HashMap<usize, &Span> = HashMap::new();
    for (j, e) in obj.entries.iter().enumerate() {
        if matches!(e.status, Status::Shadowed { .. }) && identity::entry_works_as_node(e) {
            shadowed_nodes.insert(last[j], &e.span);
        }
    }
    for (i, e) in obj.entries.iter().enumerate() {
        if e.status != Status::Effective {
            continue;
        }
        // an eksctl `serviceName` mapping: eksctl maps a service-linked role for a namespace
        // (what it grants is eksctl's); the principal is `service:<name>/<namespace>`
        if let Some((service, namespace)) = &e.service {
            let key = Principal::Service {
                name: service.clone(),
                namespace: namespace.clone(),
            };
            let mapping = Mapping::principal_only(e.section, &key, &e.span);
            out.insert(key, mapping);
            continue;
        }
        if e.note.is_some() {
            continue;
        }
        // user ARNs are stored as written but looked up ignoring case
        let Some(written) = e.principal() else {
            continue;
        };
        let display = e
            .arn
            .as_ref()
            .map_or_else(|| written.to_string(), |a| a.value.clone());
        let key = written.folded();
        let mapping = Mapping {
            section: e.section,
            identity: key.to_string().to_lowercase(),
            display,
            username: Some(e.username_value()),
            groups: e.groups.iter().map(|g| g.value.clone()).collect(),
            span: e.span.clone(),
            variants: Vec::new(),
            shadows_node: shadowed_nodes.get(&i).map(|s| (*s).clone()),
        };
        match out.entry(key) {
            std::collections::btree_map::Entry::Vacant(v) => {
                v.insert(mapping);
            }
            // user ARNs that differ only in case are both kept, and which one a request gets is
            // not determined (a Go map): the principal may get either's username and groups
            std::collections::btree_map::Entry::Occupied(mut o) => {
                let key = o.key().clone();
                let m = o.get_mut();
                let (groups, names) = merged.entry(key).or_insert_with(|| {
                    m.variants.push((m.span.clone(), m.groups.clone()));
                    (
                        m.groups.iter().cloned().collect(),
                        m.username.iter().cloned().collect(),
                    )
                });
                m.variants
                    .push((mapping.span.clone(), mapping.groups.clone()));
                for g in mapping.groups {
                    if groups.insert(g.clone()) {
                        m.groups.push(g);
                    }
                }
                names.extend(mapping.username);
            }
        }
    }
    // every username a merged principal may get, in order
    for (key, (_, names)) in merged {
        if let Some(m) = out.get_mut(&key)
            && names.len() > 1
        {
            m.username = Some(names.into_iter().collect::<Vec<_>>().join(" | "));
        }
    }
    // `Map()` searches mapRoles first: a mapUsers entry for an ARN mapRoles also has never
    // applies (removing the mapRoles entry lets it apply)
    let roles: BTreeSet<String> = out
        .iter()
        .filter(|(key, _)| key.section() == Some(SectionKind::MapRoles))
        .map(|(_, m)| m.identity.clone())
        .collect();
    out.retain(|key, m| {
        key.section() != Some(SectionKind::MapUsers) || !roles.contains(&m.identity)
    });
    for a in &obj.accounts {
        if a.stored && obj.effective.accounts.contains(&a.value) {
            let key = Principal::Account(a.value.clone());
            if let std::collections::btree_map::Entry::Vacant(v) = out.entry(key) {
                let mapping = Mapping::principal_only(SectionKind::MapAccounts, v.key(), &a.span);
                v.insert(mapping);
            }
        }
    }
    out
}
