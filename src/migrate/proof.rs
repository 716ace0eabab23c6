//! The proof of equivalence: for every principal, what it gets through the plan (its access
//! entry's username, Kubernetes groups and access policies; or its aws-auth mapping, kept)
//! against what aws-auth gave it, by the same semantics `diff` compares with (the effective
//! mapping, groups as a set). Every difference is listed; the plan is equivalent when there is
//! none.
//!
//! Two equivalences are applied, and said where they are: `AmazonEKSClusterAdminPolicy` at
//! cluster scope stands for `system:masters`, and the `system:` groups and node username of a
//! node type are what EKS gives that type itself (`DOMAIN.md` §3.2–3.3). `system:authenticated`
//! is in every authenticated request's groups, so it is never a difference.

use std::collections::BTreeSet;

use serde::Serialize;

use super::classify::{Action, EntryType, Granted, Item, default_username};
use crate::arn::Arn;
use crate::model::identity::{SYSTEM_AUTHENTICATED, SYSTEM_MASTERS};

/// What the plan gives a principal.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Planned {
    /// `access-entry`, `aws-auth` (kept), or `nothing`.
    pub through: &'static str,
    /// The username.
    pub username: Option<String>,
    /// The Kubernetes groups.
    pub groups: Vec<String>,
    /// The access policies, by name.
    pub access_policies: Vec<String>,
}

/// One principal compared.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Comparison {
    /// The principal, as in the plan.
    pub principal: String,
    /// What aws-auth gives it.
    pub aws_auth: Granted,
    /// What the plan gives it.
    pub planned: Planned,
    /// Every difference.
    pub differences: Vec<String>,
    /// The equivalences applied.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub equivalences: Vec<String>,
}

/// The proof.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Proof {
    /// No difference.
    pub equivalent: bool,
    /// How many principals differ.
    pub differing: usize,
    /// Every principal.
    pub principals: Vec<Comparison>,
}

/// Compares every principal (see the module docs).
pub fn prove(items: &[Item]) -> Proof {
    let principals: Vec<Comparison> = items.iter().map(compare).collect();
    let differing = principals
        .iter()
        .filter(|c| !c.differences.is_empty())
        .count();
    Proof {
        equivalent: differing == 0,
        differing,
        principals,
    }
}

fn nothing() -> Planned {
    Planned {
        through: "nothing",
        username: None,
        groups: Vec::new(),
        access_policies: Vec::new(),
    }
}

fn compare(item: &Item) -> Comparison {
    let mut c = Comparison {
        principal: item.principal.clone(),
        aws_auth: item.aws_auth.clone(),
        planned: nothing(),
        differences: Vec::new(),
        equivalences: Vec::new(),
    };
    match item.action {
        Action::Drop => c
            .equivalences
            .push("it never matches a caller today: it grants nothing, before and after".into()),
        Action::Keep => {
            c.planned = Planned {
                through: "aws-auth",
                username: item.aws_auth.username.clone(),
                groups: item.aws_auth.groups.clone(),
                access_policies: Vec::new(),
            };
            c.equivalences
                .push("EKS-managed: its aws-auth mapping is kept, unchanged".into());
        }
        Action::NotMigrated => {
            let ids: Vec<&str> = item.blockers.iter().map(|b| b.id).collect();
            c.differences.push(format!(
                "no access entry ({}): it keeps its aws-auth mapping only while aws-auth is read",
                ids.join(", ")
            ));
        }
        Action::Create => compare_entry(item, &mut c),
    }
    c
}

/// Compares a planned access entry with the aws-auth mapping.
fn compare_entry(item: &Item, c: &mut Comparison) {
    let Some(entry) = &item.access_entry else {
        return;
    };
    let admin = entry.is_cluster_admin();
    let (username, groups): (Option<String>, Vec<String>) =
        if let Some((username, groups)) = entry.kind.node_identity() {
            c.equivalences.push(format!(
                "`{}` gives the node username `{username}` and the groups {} itself",
                entry.kind.as_str(),
                quoted(groups.iter().copied())
            ));
            (
                Some(username.to_owned()),
                groups.iter().map(|g| (*g).to_owned()).collect(),
            )
        } else {
            let username = entry.username.clone().or_else(|| {
                let arn = Arn::parse(&item.principal)?;
                // by the ARN's type: a role ARN written in `mapUsers` is still a role
                let user = arn.type_is("user").then_some(item.principal.as_str());
                Some(default_username(user, &arn))
            });
            (username, entry.kubernetes_groups.clone())
        };
    c.planned = Planned {
        through: "access-entry",
        username: username.clone(),
        groups: groups.clone(),
        access_policies: entry
            .access_policies
            .iter()
            .map(|p| {
                let name = p.policy_arn.rsplit('/').next().unwrap_or_default();
                format!("{name} ({} scope)", p.access_scope.kind)
            })
            .collect(),
    };
    if admin {
        c.equivalences.push(
            "`AmazonEKSClusterAdminPolicy` at cluster scope stands for `system:masters`".into(),
        );
    }
    let before_name = item.aws_auth.username.clone().unwrap_or_default();
    let after_name = username.unwrap_or_default();
    if before_name != after_name {
        c.differences.push(format!(
            "username {} becomes {}",
            shown(&before_name),
            shown(&after_name)
        ));
    }
    let set = |gs: &[String]| -> BTreeSet<String> {
        gs.iter()
            .filter(|g| *g != SYSTEM_AUTHENTICATED)
            .cloned()
            .collect()
    };
    let before = set(&item.aws_auth.groups);
    let mut after = set(&groups);
    if admin {
        after.insert(SYSTEM_MASTERS.to_owned());
    }
    for g in before.difference(&after) {
        c.differences.push(format!("group `{g}` is lost"));
    }
    for g in after.difference(&before) {
        c.differences.push(format!("group `{g}` is gained"));
    }
    if entry.kind != EntryType::Standard && !c.differences.is_empty() {
        c.differences.push(format!(
            "(an access entry of type `{}` takes no username or groups of its own)",
            entry.kind.as_str()
        ));
    }
}

fn shown(username: &str) -> String {
    if username.is_empty() {
        "(empty)".to_owned()
    } else {
        format!("`{username}`")
    }
}

fn quoted<'a>(items: impl Iterator<Item = &'a str>) -> String {
    items
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
