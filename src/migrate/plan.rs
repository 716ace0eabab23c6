//! The phases, in the order that never locks anyone out (`DOMAIN.md` §3.2–3.3, §9.2), and the
//! aws-auth that remains after the migrated mappings are removed.
//!
//! 1. Authentication mode `API_AND_CONFIG_MAP`: both are read, access entries win for the same
//!    principal. (One-way already: access entries cannot be turned off again.)
//! 2. Create the access entries and policy associations.
//! 3. Verify.
//! 4. Remove the migrated mappings from aws-auth: what remains is emitted (EKS-managed entries
//!    and blockers kept, mappings that grant nothing left out).
//! 5. Optionally `API`, one-way: offered only when nothing remains in aws-auth.
//!
//! Each phase says who has access after it and checks, from the plan itself, that every node
//! role that works today keeps a path in, and that a cluster-admin path survives.

use serde::Serialize;

use super::classify::{Action, Item};
use crate::model::identity::{SYSTEM_MASTERS, works_as_node};
use crate::model::{AwsAuth, EffectiveRole, EffectiveUser, SectionKind, SourceKind};

/// One check of a phase.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// `nodes` or `cluster-admin`.
    pub what: &'static str,
    /// Whether it holds.
    pub ok: bool,
    /// Why.
    pub detail: String,
}

/// One phase of the plan.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Phase {
    /// 1 to 5.
    pub phase: u8,
    /// What it does.
    pub title: String,
    /// The authentication mode during and after it.
    pub authentication_mode: &'static str,
    /// Whether it cannot be undone.
    pub one_way: bool,
    /// Whether the plan offers it.
    pub offered: bool,
    /// Why not, when it does not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_offered_because: Option<String>,
    /// What to do.
    pub steps: Vec<String>,
    /// Who has access after it.
    pub access_after: String,
    /// The checks.
    pub checks: Vec<Check>,
}

/// The aws-auth after phase 4: the mappings kept, and the `data` to write.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Remaining {
    /// `mapRoles`, as stored.
    #[serde(rename = "mapRoles")]
    pub map_roles: Vec<EffectiveRole>,
    /// `mapUsers`, as stored.
    #[serde(rename = "mapUsers")]
    pub map_users: Vec<EffectiveUser>,
    /// `mapAccounts`.
    #[serde(rename = "mapAccounts")]
    pub map_accounts: Vec<String>,
    /// The `data:` of the `ConfigMap` to write (empty: nothing remains).
    pub data: String,
    /// The source is an eksctl `ClusterConfig` (its `iamIdentityMappings` are what to edit).
    #[serde(skip)]
    pub eksctl: bool,
    /// The source is a Cluster API `AWSManagedControlPlane` (its `iamAuthenticatorConfig` is
    /// what to edit; CAPA never deletes a mapping from aws-auth).
    #[serde(skip)]
    pub capa: bool,
}

impl Remaining {
    /// Whether nothing remains.
    pub fn is_empty(&self) -> bool {
        self.map_roles.is_empty() && self.map_users.is_empty() && self.map_accounts.is_empty()
    }
}

/// Whether an item's mapping stays in aws-auth after phase 4.
fn stays(item: &Item) -> bool {
    matches!(item.action, Action::Keep | Action::NotMigrated)
}

/// The aws-auth that remains after phase 4 (written entries in source order; shadowed
/// duplicates left out).
pub fn remaining(obj: &AwsAuth, items: &[Item]) -> Remaining {
    let mut kept: Vec<usize> = items
        .iter()
        .filter(|i| stays(i))
        .flat_map(|i| i.entries.iter().copied())
        .collect();
    kept.sort_unstable();
    let mut out = Remaining::default();
    for i in kept {
        let e = &obj.entries[i];
        if e.service.is_some() {
            continue;
        }
        match e.section {
            SectionKind::MapRoles => out.map_roles.push(EffectiveRole::of(e)),
            SectionKind::MapUsers => out.map_users.push(EffectiveUser::of(e)),
            SectionKind::MapAccounts => {}
        }
    }
    out.map_accounts = obj
        .effective
        .accounts
        .iter()
        .filter(|a| {
            items
                .iter()
                .any(|i| stays(i) && i.account.as_ref() == Some(a))
        })
        .cloned()
        .collect();
    out.data = data_yaml(&out);
    out.eksctl = obj.kind == SourceKind::Eksctl;
    out.capa = obj.kind == SourceKind::Capa;
    out
}

/// A string as a YAML double-quoted scalar (JSON's escapes are YAML's).
fn q(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

fn push_identity(out: &mut String, username: &str, groups: &[String]) {
    if !username.is_empty() {
        out.push_str(&format!("      username: {}\n", q(username)));
    }
    if groups.is_empty() {
        out.push_str("      groups: []\n");
    } else {
        out.push_str("      groups:\n");
        for g in groups {
            out.push_str(&format!("        - {}\n", q(g)));
        }
    }
}

/// The `data:` of the remaining aws-auth, every value double-quoted.
fn data_yaml(r: &Remaining) -> String {
    if r.is_empty() {
        return String::new();
    }
    let mut out = String::from("data:\n");
    if !r.map_roles.is_empty() {
        out.push_str("  mapRoles: |\n");
        for role in &r.map_roles {
            match (&role.rolearn, &role.sso) {
                (Some(arn), _) => out.push_str(&format!("    - rolearn: {}\n", q(arn))),
                (None, Some(sso)) => {
                    out.push_str("    - sso:\n");
                    out.push_str(&format!(
                        "        permissionSetName: {}\n",
                        q(&sso.permission_set_name)
                    ));
                    out.push_str(&format!("        accountID: {}\n", q(&sso.account_id)));
                    if !sso.partition.is_empty() {
                        out.push_str(&format!("        partition: {}\n", q(&sso.partition)));
                    }
                }
                (None, None) => continue,
            }
            push_identity(&mut out, &role.username, &role.groups);
        }
    }
    if !r.map_users.is_empty() {
        out.push_str("  mapUsers: |\n");
        for user in &r.map_users {
            out.push_str(&format!("    - userarn: {}\n", q(&user.userarn)));
            push_identity(&mut out, &user.username, &user.groups);
        }
    }
    if !r.map_accounts.is_empty() {
        out.push_str("  mapAccounts: |\n");
        for a in &r.map_accounts {
            out.push_str(&format!("    - {}\n", q(a)));
        }
    }
    out
}

/// Who has a path in during a phase: `aws_auth_all` (phases 1–3: every mapping), `aws_auth_kept`
/// (phase 4: the remaining ones), `entries` (phase 2 on).
#[derive(Clone, Copy)]
struct Reads {
    aws_auth_all: bool,
    aws_auth_kept: bool,
    entries: bool,
}

/// How an item gets in during a phase, if it does.
fn path_of(item: &Item, r: Reads) -> Option<&'static str> {
    let entry = item.action == Action::Create
        && item
            .access_entry
            .as_ref()
            .is_some_and(|e| e.principal_arn.is_some());
    if r.entries && entry {
        Some("access entry")
    } else if item.action != Action::Drop && (r.aws_auth_all || (r.aws_auth_kept && stays(item))) {
        Some("aws-auth")
    } else {
        None
    }
}

fn is_node(item: &Item) -> bool {
    item.action != Action::Drop
        && works_as_node(
            item.aws_auth.username.as_deref(),
            item.aws_auth.groups.iter().map(String::as_str),
        )
}

fn is_admin(item: &Item) -> bool {
    item.action != Action::Drop && item.aws_auth.groups.iter().any(|g| g == SYSTEM_MASTERS)
}

/// The two checks of a phase.
fn checks(items: &[Item], r: Reads) -> Vec<Check> {
    let nodes: Vec<&Item> = items.iter().filter(|i| is_node(i)).collect();
    let lost: Vec<&str> = nodes
        .iter()
        .filter(|i| path_of(i, r).is_none())
        .map(|i| i.principal.as_str())
        .collect();
    let node_check = Check {
        what: "nodes",
        ok: lost.is_empty(),
        detail: if nodes.is_empty() {
            "no working node role is mapped in aws-auth".to_owned()
        } else if lost.is_empty() {
            let (by_entry, by_map) = count(&nodes, r);
            format!(
                "every node role keeps a path in: {by_entry} through access entries, {by_map} through aws-auth"
            )
        } else {
            format!("node roles lose access: {}", quoted(&lost))
        },
    };
    let admins_before = items.iter().filter(|i| is_admin(i)).count();
    let admins: Vec<String> = items
        .iter()
        .filter(|i| {
            let via_entry = path_of(i, r) == Some("access entry")
                && i.access_entry
                    .as_ref()
                    .is_some_and(super::classify::AccessEntry::is_cluster_admin);
            via_entry || (path_of(i, r) == Some("aws-auth") && is_admin(i))
        })
        .map(|i| format!("`{}` ({})", i.principal, path_of(i, r).unwrap_or_default()))
        .collect();
    let admin_check = Check {
        what: "cluster-admin",
        ok: !admins.is_empty() || admins_before == 0,
        detail: match (admins.is_empty(), admins_before) {
            (false, _) => format!("cluster-admin through {}", admins.join(", ")),
            (true, 0) => {
                "aws-auth maps no `system:masters` principal: the cluster creator's access \
                          is the only admin path, before and after"
                    .to_owned()
            }
            (true, _) => "no cluster-admin path is left (only the cluster creator's, if EKS keeps \
                          one)"
                .to_owned(),
        },
    };
    vec![node_check, admin_check]
}

fn count(items: &[&Item], r: Reads) -> (usize, usize) {
    let by_entry = items
        .iter()
        .filter(|i| path_of(i, r) == Some("access entry"))
        .count();
    (by_entry, items.len() - by_entry)
}

fn quoted(items: &[&str]) -> String {
    items
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Who has access during a phase, in a sentence.
fn access_after(items: &[Item], r: Reads) -> String {
    let live: Vec<&Item> = items.iter().filter(|i| i.action != Action::Drop).collect();
    let (by_entry, by_map) = (
        live.iter()
            .filter(|i| path_of(i, r) == Some("access entry"))
            .count(),
        live.iter()
            .filter(|i| path_of(i, r) == Some("aws-auth"))
            .count(),
    );
    let cut = live.len() - by_entry - by_map;
    let mut s =
        format!("{by_entry} principal(s) through access entries, {by_map} through aws-auth");
    if cut > 0 {
        s.push_str(&format!(", {cut} without access (blockers)"));
    }
    s
}

/// The five phases (see the module docs).
pub fn phases(cluster: &str, items: &[Item], remaining: &Remaining) -> Vec<Phase> {
    let r123 = Reads {
        aws_auth_all: true,
        aws_auth_kept: true,
        entries: false,
    };
    let r2 = Reads {
        entries: true,
        ..r123
    };
    let r4 = Reads {
        aws_auth_all: false,
        aws_auth_kept: true,
        entries: true,
    };
    let r5 = Reads {
        aws_auth_all: false,
        aws_auth_kept: false,
        entries: true,
    };
    let created: Vec<&Item> = items.iter().filter(|i| path_of(i, r5).is_some()).collect();
    let phase = |n: u8, title: String, mode, r: Reads, steps: Vec<String>| Phase {
        phase: n,
        title,
        authentication_mode: mode,
        one_way: n == 1 || n == 5,
        offered: true,
        not_offered_because: None,
        steps,
        access_after: access_after(items, r),
        checks: checks(items, r),
    };
    let mut out = vec![
        phase(
            1,
            "switch the authentication mode to `API_AND_CONFIG_MAP`".into(),
            "API_AND_CONFIG_MAP",
            r123,
            steps_1(cluster),
        ),
        phase(
            2,
            format!(
                "create {} access entr{} and their policy associations",
                created.len(),
                if created.len() == 1 { "y" } else { "ies" }
            ),
            "API_AND_CONFIG_MAP",
            r2,
            steps_2(&created),
        ),
        phase(
            3,
            "verify".into(),
            "API_AND_CONFIG_MAP",
            r2,
            steps_3(cluster, &created, items),
        ),
        phase(
            4,
            "remove the migrated mappings from aws-auth".into(),
            "API_AND_CONFIG_MAP",
            r4,
            steps_4(cluster, remaining),
        ),
        phase(
            5,
            "optionally, switch the authentication mode to `API`".into(),
            "API",
            r5,
            vec![format!(
                "`aws eks update-cluster-config --name {cluster} --access-config authenticationMode=API` (one-way: aws-auth is no longer read, and `API_AND_CONFIG_MAP` cannot come back)"
            )],
        ),
    ];
    let last = &mut out[4];
    let failing: Vec<&str> = last
        .checks
        .iter()
        .filter(|c| !c.ok)
        .map(|c| c.what)
        .collect();
    let why = if !remaining.is_empty() {
        let kept = items.iter().filter(|i| stays(i)).count();
        Some(format!(
            "{kept} principal(s) remain in aws-auth (EKS-managed entries or blockers): `API` would lock them out"
        ))
    } else if !failing.is_empty() {
        Some(format!("the checks fail: {}", failing.join(", ")))
    } else {
        None
    };
    if let Some(why) = why {
        last.offered = false;
        last.not_offered_because = Some(why);
    }
    out
}

fn steps_1(cluster: &str) -> Vec<String> {
    vec![
        format!(
            "`aws eks update-cluster-config --name {cluster} --access-config authenticationMode=API_AND_CONFIG_MAP` (one-way: `CONFIG_MAP` cannot come back; aws-auth is still read)"
        ),
        format!(
            "wait for the update: `aws eks describe-cluster --name {cluster} --query cluster.accessConfig`"
        ),
        format!(
            "list the entries EKS created (the cluster creator's, managed node groups', Fargate profiles'): `aws eks list-access-entries --cluster-name {cluster}`; a principal planned below that already has one is not created again"
        ),
    ]
}

fn steps_2(created: &[&Item]) -> Vec<String> {
    let mut out = Vec::new();
    for i in created {
        let Some(e) = &i.access_entry else { continue };
        let arn = e.principal_arn.clone().unwrap_or_default();
        let mut s = format!(
            "create an access entry of type `{}` for `{arn}`",
            e.kind.as_str()
        );
        if let Some(u) = &e.username {
            s.push_str(&format!(", username `{u}`"));
        }
        if !e.kubernetes_groups.is_empty() {
            let groups: Vec<&str> = e.kubernetes_groups.iter().map(String::as_str).collect();
            s.push_str(&format!(", kubernetesGroups {}", quoted(&groups)));
        }
        out.push(s);
        for p in &e.access_policies {
            out.push(format!(
                "associate `{}` with `{arn}`, access scope `{}`",
                p.policy_arn, p.access_scope.kind
            ));
        }
    }
    if out.is_empty() {
        out.push("nothing to create".to_owned());
    }
    out
}

fn steps_3(cluster: &str, created: &[&Item], items: &[Item]) -> Vec<String> {
    let mut out = vec![format!(
        "`aws eks list-access-entries --cluster-name {cluster}` lists every entry of phase 2"
    )];
    for i in created {
        let Some(e) = &i.access_entry else { continue };
        let arn = e.principal_arn.clone().unwrap_or_default();
        out.push(format!("`aws eks describe-access-entry --cluster-name {cluster} --principal-arn {arn}` shows the type, username and groups planned"));
        if !e.access_policies.is_empty() {
            out.push(format!("`aws eks list-associated-access-policies --cluster-name {cluster} --principal-arn {arn}` shows its policies"));
        }
    }
    out.push("as each migrated person or workload, `kubectl auth whoami` shows the username and groups of the proof below".to_owned());
    out.push("`kubectl get nodes`: every node stays `Ready`".to_owned());
    let kept: Vec<&str> = items
        .iter()
        .filter(|i| i.action == Action::Keep)
        .map(|i| i.principal.as_str())
        .collect();
    if !kept.is_empty() {
        out.push(format!(
            "for the EKS-managed roles kept ({}), `aws eks list-access-entries --cluster-name {cluster}` shows whether EKS created their access entries; only a role that has one may leave aws-auth (AWS: removing an EKS-created mapping without its access entry breaks the cluster), by planning again without it",
            quoted(&kept)
        ));
    }
    out
}

fn steps_4(cluster: &str, remaining: &Remaining) -> Vec<String> {
    if remaining.is_empty() {
        vec!["nothing remains in aws-auth: empty its `mapRoles`, `mapUsers` and `mapAccounts` (keep the `ConfigMap` until phase 5)".to_owned()]
    } else if remaining.capa {
        vec!["remove each migrated mapping from the `iamAuthenticatorConfig` of the `AWSManagedControlPlane` and from the `mapRoles`/`mapUsers` of aws-auth (CAPA does not delete a mapping that is only removed from its spec); what remains is below (EKS-managed entries and blockers kept, duplicates and mappings that grant nothing left out)".to_owned()]
    } else if remaining.eksctl {
        vec![format!(
            "remove each migrated mapping from aws-auth (`eksctl delete iamidentitymapping --cluster {cluster} --arn ARN --all`: eksctl does not delete a mapping that is only removed from the `ClusterConfig`) and from the `iamIdentityMappings` of the `ClusterConfig`; what remains is below (EKS-managed entries and blockers kept, duplicates and mappings that grant nothing left out)"
        )]
    } else {
        vec!["replace the `data` of aws-auth with the remaining aws-auth below (EKS-managed entries and blockers kept, duplicates and mappings that grant nothing left out)".to_owned()]
    }
}
