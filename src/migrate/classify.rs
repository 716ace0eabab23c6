//! What each effective aws-auth mapping becomes: an access entry (type, username, Kubernetes
//! groups, access policies), an entry EKS manages itself (kept), or a blocker with its reason and
//! what to do (`DOMAIN.md` §3.2, §3.3).
//!
//! - Node roles: `system:node:{{EC2PrivateDNSName}}` → `EC2_LINUX` (`EC2_WINDOWS` with
//!   `eks:kube-proxy-windows`); `system:node:{{SessionName}}` with `system:node-proxier` →
//!   `FARGATE_LINUX`, without it → `HYBRID_LINUX` (a heuristic: said so).
//! - EKS-managed: EKS writes the Fargate pattern itself when it creates a Fargate profile; a
//!   managed node group's role cannot be told from a self-managed one's by the mapping, so an EC2
//!   node role is "possibly EKS-managed" unless `--self-managed-node-role` names it. Both are kept
//!   in aws-auth (no access entry: never duplicated) until the node group or profile is recreated.
//! - `system:masters` → `STANDARD` + `AmazonEKSClusterAdminPolicy` at cluster scope, the other
//!   groups kept as `kubernetesGroups`; everything else `STANDARD` where the access-entry rules
//!   allow the username and groups.
//! - A mapping that never matches a caller today (a role ARN with a path, a session ARN, a
//!   malformed ARN) grants nothing: it is dropped, not migrated (migrating it would grant access).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use super::paths::{IamRoles, RealArn, resolve};
use super::{Position, Sourced};
use crate::arn::{Arn, PARTITIONS, starts_with_ignoring_case};
use crate::model::access::Mapping;
use crate::model::identity::{
    EC2_NODE_USERNAME, EKS_KUBE_PROXY_WINDOWS, SESSION_NAME, SESSION_NAME_RAW,
    SESSION_NODE_USERNAME, SYSTEM_AUTHENTICATED, SYSTEM_MASTERS, SYSTEM_NODE_PROXIER,
    SYSTEM_PREFIX,
};
use crate::model::{AwsAuth, Principal, Status};

pub use crate::model::access_entries::EntryType;

/// What the plan does with a principal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Create its access entry (phase 2), then remove its aws-auth mapping (phase 4).
    Create,
    /// EKS manages it: keep the aws-auth mapping, create nothing.
    Keep,
    /// A blocker: no access entry; the aws-auth mapping stays.
    NotMigrated,
    /// It grants nothing today: nothing to migrate; phase 4 leaves it out.
    Drop,
}

impl Action {
    /// The JSON name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Keep => "keep",
            Self::NotMigrated => "not-migrated",
            Self::Drop => "drop",
        }
    }
}

/// Whether EKS manages a mapping itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Managed {
    /// EKS writes it (Fargate profiles).
    Yes,
    /// It may be a managed node group's: the mapping cannot tell.
    Possibly,
}

/// A blocker or a note: an id, what, and what to do.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// A kebab-case id.
    pub id: &'static str,
    /// What (lowercase, specific).
    pub text: String,
    /// What to do.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

fn finding(id: &'static str, text: impl Into<String>, help: Option<String>) -> Finding {
    Finding {
        id,
        text: text.into(),
        help,
    }
}

/// An access policy association.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Policy {
    /// `arn:<partition>:eks::aws:cluster-access-policy/<Name>`.
    pub policy_arn: String,
    /// `cluster`.
    pub access_scope: Scope,
}

/// An access scope.
#[derive(Debug, Clone, Serialize)]
pub struct Scope {
    /// `cluster` or `namespace`.
    #[serde(rename = "type")]
    pub kind: &'static str,
}

/// The cluster-admin access policy's name.
pub const CLUSTER_ADMIN_POLICY: &str = "AmazonEKSClusterAdminPolicy";

/// A planned access entry.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct AccessEntry {
    /// The real principal ARN (`None`: unknown, see `principal-arn-todo`).
    pub principal_arn: Option<String>,
    /// The ARN with `<...>` where the unknown part goes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal_arn_todo: Option<String>,
    /// The type.
    #[serde(rename = "type")]
    pub kind: EntryType,
    /// The username (`STANDARD`; absent: EKS's default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// `kubernetesGroups`.
    pub kubernetes_groups: Vec<String>,
    /// Policy associations.
    pub access_policies: Vec<Policy>,
}

impl AccessEntry {
    /// Whether it is associated with `AmazonEKSClusterAdminPolicy` at cluster scope.
    pub fn is_cluster_admin(&self) -> bool {
        self.access_policies.iter().any(|p| {
            p.access_scope.kind == "cluster" && p.policy_arn.ends_with(CLUSTER_ADMIN_POLICY)
        })
    }
}

/// What aws-auth gives a principal.
#[derive(Debug, Clone, Serialize)]
pub struct Granted {
    /// The username template (`None`: an account or an eksctl service).
    pub username: Option<String>,
    /// The group templates.
    pub groups: Vec<String>,
}

/// One line where a principal is written, and whether the plan keeps it.
#[derive(Debug, Clone, Serialize)]
pub struct Written {
    /// 1-based line.
    pub line: usize,
    /// The one the authenticator (and the plan) keeps.
    pub kept: bool,
}

/// One effective principal, classified.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Item {
    /// The principal as written (an ARN), or its key text (`sso:`, `account:`, `service:`).
    pub principal: String,
    /// `role`, `user`, `sso`, `account`, `service`.
    pub kind: &'static str,
    /// Where the mapping the authenticator keeps is written.
    pub position: Position,
    /// Every line the principal is written on, when more than one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub written: Vec<Written>,
    /// What aws-auth gives it.
    pub aws_auth: Granted,
    /// What the plan does.
    pub action: Action,
    /// The access-entry type it is classified as.
    #[serde(rename = "type")]
    pub entry_type: Option<EntryType>,
    /// Whether EKS manages it.
    pub eks_managed: Option<Managed>,
    /// The access entry the plan creates (`action: create`).
    pub access_entry: Option<AccessEntry>,
    /// Why it cannot be migrated.
    pub blockers: Vec<Finding>,
    /// What else to know.
    pub notes: Vec<Finding>,
    /// The written entries it stands for (indexes into `AwsAuth::entries`).
    #[serde(skip)]
    pub entries: Vec<usize>,
    /// A `mapAccounts` account.
    #[serde(skip)]
    pub account: Option<String>,
}

impl Item {
    fn block(&mut self, id: &'static str, text: impl Into<String>, help: impl Into<String>) {
        self.blockers.push(finding(id, text, Some(help.into())));
    }

    fn note(&mut self, id: &'static str, text: impl Into<String>) {
        self.notes.push(finding(id, text, None));
    }

    fn drop_because(&mut self, text: impl Into<String>, help: impl Into<String>) {
        self.action = Action::Drop;
        self.notes
            .push(finding("never-matches", text, Some(help.into())));
    }
}

/// A written entry that grants nothing today, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Inert {
    /// The ARN or matcher as written (`None`: none).
    pub principal: Option<String>,
    /// Where.
    pub position: Position,
    /// Why it grants nothing.
    pub reason: String,
}

/// What classification needs besides the mapping.
pub struct Context<'a> {
    /// The partition of policy ARNs.
    pub partition: String,
    /// The cluster's account, when known.
    pub account: Option<String>,
    /// `--iam-roles`.
    pub roles: Option<&'a IamRoles>,
    /// `--self-managed-node-role`.
    pub self_managed: &'a [String],
}

/// The partition of policy ARNs: `flag`, else the one the ARNs name (`aws` when none does);
/// `Err` when they name several.
pub fn partition(
    by_principal: &BTreeMap<Principal, Mapping>,
    flag: Option<&str>,
) -> Result<Sourced, String> {
    if let Some(p) = flag {
        return Ok(sourced(Some(p.to_owned()), "flag", None));
    }
    let named: BTreeSet<String> = by_principal
        .values()
        .filter_map(|m| Arn::parse(&m.display).map(|a| a.partition.to_lowercase()))
        .filter(|p| PARTITIONS.contains(&p.as_str()))
        .collect();
    match named.len() {
        0 => Ok(sourced(
            Some("aws".to_owned()),
            "default",
            Some("no ARN names a partition: `aws` assumed (pass `--partition`)".to_owned()),
        )),
        1 => Ok(sourced(named.into_iter().next(), "arns", None)),
        _ => Err(format!(
            "the ARNs name several partitions ({}); pass `--partition`",
            quoted(named.iter())
        )),
    }
}

/// The cluster's account: `flag`, else the account of the node roles (unknown, with why, when
/// there is none or several).
pub fn cluster_account(by_principal: &BTreeMap<Principal, Mapping>, flag: Option<&str>) -> Sourced {
    if let Some(a) = flag {
        return sourced(Some(a.to_owned()), "flag", None);
    }
    let nodes: BTreeSet<String> = by_principal
        .values()
        .filter(|m| {
            m.username
                .as_deref()
                .is_some_and(|u| u == EC2_NODE_USERNAME || u == SESSION_NODE_USERNAME)
        })
        .filter_map(|m| Arn::parse(&m.display).map(|a| a.account.to_owned()))
        .collect();
    match nodes.len() {
        1 => sourced(nodes.into_iter().next(), "node-roles", None),
        0 => sourced(
            None,
            "unknown",
            Some("no `--account-id` and no node role: node entries cannot be checked against the cluster's account".to_owned()),
        ),
        _ => sourced(
            None,
            "unknown",
            Some(format!(
                "node roles of several accounts ({}): pass `--account-id`",
                quoted(nodes.iter())
            )),
        ),
    }
}

fn sourced(value: Option<String>, source: &'static str, note: Option<String>) -> Sourced {
    Sourced {
        value,
        source,
        note,
    }
}

fn quoted<'a>(items: impl Iterator<Item = &'a String>) -> String {
    items
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every effective principal of `obj`, classified, and the written entries that grant nothing.
pub fn classify_all(
    obj: &AwsAuth,
    by_principal: &BTreeMap<Principal, Mapping>,
    ctx: &Context<'_>,
) -> (Vec<Item>, Vec<Inert>) {
    let line = |span: &crate::source::Span| obj.file.line_col(span.start).line;
    let at = |span: &crate::source::Span| Position {
        file: obj.file.name.clone(),
        line: line(span),
    };
    // the entry each shadowed entry's key finally resolves to (last wins)
    let mut winner: Vec<usize> = (0..obj.entries.len()).collect();
    for j in (0..obj.entries.len()).rev() {
        if let Status::Shadowed { by } = obj.entries[j].status {
            winner[j] = winner.get(by).copied().unwrap_or(by);
        }
    }
    let mut shadowed: HashMap<usize, Vec<usize>> = HashMap::new();
    for (j, e) in obj.entries.iter().enumerate() {
        if matches!(e.status, Status::Shadowed { .. }) {
            shadowed.entry(winner[j]).or_default().push(j);
        }
    }
    let mut items = Vec::new();
    let mut covered = vec![false; obj.entries.len()];
    for (key, m) in by_principal {
        let spans: Vec<&crate::source::Span> = if m.variants.is_empty() {
            vec![&m.span]
        } else {
            m.variants.iter().map(|(s, _)| s).collect()
        };
        let entries: Vec<usize> = spans
            .iter()
            .filter_map(|s| {
                obj.entries
                    .iter()
                    .position(|e| &e.span == *s && e.status == Status::Effective)
            })
            .collect();
        let mut item = classify_one(key, m, ctx, at(&m.span));
        item.entries.clone_from(&entries);
        for &i in &entries {
            covered[i] = true;
            let all = shadowed.get(&i).cloned().unwrap_or_default();
            for &s in &all {
                covered[s] = true;
            }
            if !all.is_empty() {
                note_duplicates(&mut item, &all, i, &line, obj);
            }
        }
        if let Principal::Account(a) = key {
            item.account = Some(a.clone());
        }
        items.push(item);
    }
    let inert = obj
        .entries
        .iter()
        .enumerate()
        .filter(|(i, _)| !covered[*i])
        .map(|(i, e)| Inert {
            principal: e.arn.as_ref().map(|a| a.value.clone()).or_else(|| e.key()),
            position: at(&e.span),
            reason: inert_reason(obj, i, &winner, &line),
        })
        .collect();
    (items, inert)
}

/// Says which of the lines a principal is written on the plan keeps, and why.
fn note_duplicates(
    item: &mut Item,
    shadowed: &[usize],
    kept: usize,
    line: &dyn Fn(&crate::source::Span) -> usize,
    obj: &AwsAuth,
) {
    let mut lines: Vec<usize> = shadowed
        .iter()
        .map(|&s| line(&obj.entries[s].span))
        .collect();
    let kept_line = line(&obj.entries[kept].span);
    item.written.extend(lines.iter().map(|&l| Written {
        line: l,
        kept: false,
    }));
    item.written.push(Written {
        line: kept_line,
        kept: true,
    });
    lines.push(kept_line);
    let shown: Vec<String> = lines.iter().map(ToString::to_string).collect();
    item.notes.push(finding(
        "duplicate",
        format!(
            "written {} times (lines {}): the plan keeps the last, line {kept_line}, as the \
             authenticator does (it stores one mapping per ARN, the last written)",
            lines.len(),
            shown.join(", ")
        ),
        Some("remove the other mappings (an access entry holds one principal once)".to_owned()),
    ));
}

/// Why a written entry no principal stands for grants nothing.
fn inert_reason(
    obj: &AwsAuth,
    i: usize,
    winner: &[usize],
    line: &dyn Fn(&crate::source::Span) -> usize,
) -> String {
    let e = &obj.entries[i];
    match &e.status {
        Status::Dropped(why) | Status::Lost(why) | Status::NotRead(why) => why.clone(),
        Status::Shadowed { .. } => format!(
            "a later mapping of the same principal (line {}) replaces it",
            line(&obj.entries[winner[i]].span)
        ),
        Status::Effective if e.note.is_some() => e.note.clone().unwrap_or_default(),
        Status::Effective => "`mapRoles` maps the same ARN, and the authenticator searches \
                              `mapRoles` first: this `mapUsers` mapping never applies"
            .to_owned(),
    }
}

/// Classifies one effective principal.
fn classify_one(key: &Principal, m: &Mapping, ctx: &Context<'_>, position: Position) -> Item {
    let mut item = Item {
        principal: m.display.clone(),
        kind: match key {
            Principal::Role(_) => "role",
            Principal::User(_) => "user",
            Principal::Sso { .. } => "sso",
            Principal::Account(_) => "account",
            Principal::Service { .. } => "service",
        },
        position,
        written: Vec::new(),
        aws_auth: Granted {
            username: m.username.clone(),
            groups: m.groups.clone(),
        },
        action: Action::Create,
        entry_type: None,
        eks_managed: None,
        access_entry: None,
        blockers: Vec::new(),
        notes: Vec::new(),
        entries: Vec::new(),
        account: None,
    };
    match key {
        Principal::Account(id) => item.block(
            "map-accounts",
            format!(
                "`mapAccounts` admits every principal of account `{id}` that has no mapping of \
                 its own (username: its ARN, no groups); access entries have no equivalent"
            ),
            "create access entries for the roles of that account that need access, then remove \
             the account from `mapAccounts`",
        ),
        Principal::Service { name, .. } => item.block(
            "eksctl-service-mapping",
            format!(
                "an eksctl `serviceName: {name}` mapping: eksctl maps the service's role itself"
            ),
            "map the service's role ARN explicitly, or let the service create its own access entry",
        ),
        Principal::Sso { .. } => {
            // as written (the key is folded)
            let (account, permission_set) = match Principal::parse(&m.display) {
                Principal::Sso {
                    account,
                    permission_set,
                } => (account, permission_set),
                _ => (String::new(), String::new()),
            };
            item.block(
            "sso-matcher",
            format!(
                "an `sso:` matcher stands for every `AWSReservedSSO_{permission_set}_*` role of \
                 account `{account}`; an access entry takes one real ARN, without wildcards (and \
                 the matcher needs the authenticator's `SSORoleMatch` feature gate, off by \
                 default: on EKS it may grant nothing today)"
            ),
            "map each role of the permission set by its ARN (`aws iam list-roles --path-prefix \
             /aws-reserved/sso.amazonaws.com/`), with the matcher's username and groups",
            );
        }
        Principal::Role(_) | Principal::User(_) => classify_arn(&mut item, m, ctx),
    }
    if m.variants.len() > 1 {
        let lines = m.variants.len();
        item.block(
            "ambiguous-duplicate",
            format!(
                "the user ARN is written in {lines} spellings differing only in case: the \
                 authenticator stores each, and a request gets either's username and groups, \
                 at random"
            ),
            "keep one mapping of this user and remove the others",
        );
    }
    if !item.blockers.is_empty() && item.action != Action::Drop {
        item.action = Action::NotMigrated;
        // an entry waiting only for its real ARN is shown, with the ARN as a TODO
        if item.blockers.iter().any(|b| b.id != "unknown-arn") {
            item.access_entry = None;
        }
    }
    item
}

/// Classifies a role or user ARN mapping.
fn classify_arn(item: &mut Item, m: &Mapping, ctx: &Context<'_>) {
    let text = m.display.clone();
    let Some(arn) = Arn::parse(&text) else {
        return item.drop_because(
            "not an ARN: it never matches a caller",
            "fix or remove it (`awsauth lint`: `malformed-arn`)",
        );
    };
    if !arn.has_valid_account()
        || !arn.region.is_empty()
        || !PARTITIONS.contains(&arn.partition.to_lowercase().as_str())
    {
        return item.drop_because(
            "the ARN has a region, an account that is not 12 digits or an unknown partition: it \
             never matches a caller",
            "fix or remove it (`awsauth lint`: `arn-pattern`)",
        );
    }
    let (service, kind) = arn.kind();
    match (service.as_ref(), kind.as_ref()) {
        ("iam", "root") => item.block(
            "root",
            format!(
                "the root user of account `{}`: EKS accepts an access entry for it but ignores it",
                arn.account
            ),
            "use a role for break-glass access, and map that role",
        ),
        ("iam", "user") => {
            item.note(
                "iam-user",
                "an IAM user: it migrates (the ARN keeps the user's path, as STS returns it), \
                 but roles are preferred: move the person to a role when you can",
            );
            standard(item, m, ctx, Some(&text), &arn);
        }
        ("iam", "role") => classify_role(item, m, ctx, &arn),
        ("sts", "federated-user") => item.block(
            "sts-principal",
            "a federated-user session: access entries take IAM roles and users, not STS sessions",
            "map the role or user the session is federated from",
        ),
        ("sts", "assumed-role") => item.drop_because(
            "an STS session ARN never matches: the authenticator compares the role's ARN",
            "map the role's ARN instead (`awsauth lint`: `session-arn`)",
        ),
        _ => item.drop_because(
            "not a role or user ARN: it never matches a caller",
            "remove it (`awsauth lint`: `not-a-principal`)",
        ),
    }
}

/// Classifies a role ARN mapping: a node type or `STANDARD`.
fn classify_role(item: &mut Item, m: &Mapping, ctx: &Context<'_>, arn: &Arn<'_>) {
    let name = arn.name();
    if arn.segments().len() > 1 {
        return item.drop_because(
            "a role ARN with a path never matches: the authenticator compares role ARNs without \
             their path, so this mapping grants nothing today",
            "migrating it would grant access it does not have; if it should, write \
             `role/<name>` in aws-auth first (`awsauth lint`: `role-arn-path`)",
        );
    }
    if starts_with_ignoring_case(name, "awsservicerolefor") {
        return item.block(
            "service-linked-role",
            format!("`{name}` is a service-linked role: access entries do not support them"),
            "leave it in aws-auth until the service has its own access (most create their own \
             access entry), or remove it if nothing uses it",
        );
    }
    let groups: BTreeSet<&str> = m.groups.iter().map(String::as_str).collect();
    let kind = match m.username.as_deref() {
        Some(EC2_NODE_USERNAME) if groups.contains(EKS_KUBE_PROXY_WINDOWS) => EntryType::Ec2Windows,
        Some(EC2_NODE_USERNAME) => EntryType::Ec2Linux,
        Some(SESSION_NODE_USERNAME) if groups.contains(SYSTEM_NODE_PROXIER) => {
            EntryType::FargateLinux
        }
        Some(SESSION_NODE_USERNAME) => EntryType::HybridLinux,
        _ => return standard(item, m, ctx, None, arn),
    };
    node(item, ctx, arn, kind);
}

/// The real ARN of a role, or a blocker.
fn role_arn(item: &mut Item, ctx: &Context<'_>, arn: &Arn<'_>) -> (Option<String>, Option<String>) {
    match resolve(ctx.roles, arn, arn.name()) {
        RealArn::Known { arn: real, path } => {
            if path != "/" {
                item.note(
                    "path-restored",
                    format!("path `{path}` restored from `--iam-roles`: the access entry needs the real ARN"),
                );
            }
            (Some(real), None)
        }
        RealArn::Todo { pattern, why, help } => {
            item.block(
                "unknown-arn",
                format!("TODO: the real ARN is unknown: {why}"),
                help,
            );
            (None, Some(pattern))
        }
    }
}

/// A node role: its type, whether EKS manages it, and its account.
fn node(item: &mut Item, ctx: &Context<'_>, arn: &Arn<'_>, kind: EntryType) {
    item.entry_type = Some(kind);
    match &ctx.account {
        Some(a) if a != arn.account => item.block(
            "cross-account-node",
            format!(
                "an access entry of type `{}` must be in the cluster's account `{a}`, and this \
                 role is in `{}`",
                kind.as_str(),
                arn.account
            ),
            "use a node role of the cluster's account (or pass the right `--account-id`)",
        ),
        Some(_) => {}
        None => item.note(
            "account-unknown",
            "the cluster's account is unknown: a node entry must be in it (pass `--account-id`)",
        ),
    }
    let self_managed = ctx
        .self_managed
        .iter()
        .any(|s| s.eq_ignore_ascii_case(arn.name()) || s.eq_ignore_ascii_case(&item.principal));
    match kind {
        EntryType::FargateLinux => {
            item.eks_managed = Some(Managed::Yes);
            item.note(
                "eks-managed",
                "EKS-managed: EKS writes this mapping when it creates a Fargate profile; keep it \
                 until the profile is recreated (EKS then creates its access entry)",
            );
        }
        EntryType::HybridLinux => item.note(
            "heuristic",
            "classified `HYBRID_LINUX` by a heuristic (`system:node:{{SessionName}}` without \
             `system:node-proxier`): confirm the role is the hybrid nodes' role",
        ),
        _ if self_managed => item.note(
            "self-managed",
            "named by `--self-managed-node-role`: migrated as a self-managed node group's role",
        ),
        _ => {
            item.eks_managed = Some(Managed::Possibly);
            item.notes.push(finding(
                "eks-managed",
                "possibly EKS-managed: a managed node group's role cannot be told from a \
                 self-managed one's by its mapping; kept until the node group is recreated",
                Some(format!(
                    "if no managed node group uses it (self-managed nodes, Karpenter), pass \
                     `--self-managed-node-role {}` to migrate it",
                    arn.name()
                )),
            ));
        }
    }
    if item.eks_managed.is_some() {
        item.action = Action::Keep;
        return;
    }
    let (principal_arn, todo) = role_arn(item, ctx, arn);
    item.access_entry = Some(AccessEntry {
        principal_arn,
        principal_arn_todo: todo,
        kind,
        username: None,
        kubernetes_groups: Vec::new(),
        access_policies: Vec::new(),
    });
}

/// A `STANDARD` entry: the groups, the username and the real ARN (`user_arn`: a user's, as
/// written; `None`: a role's, resolved).
fn standard(
    item: &mut Item,
    m: &Mapping,
    ctx: &Context<'_>,
    user_arn: Option<&str>,
    arn: &Arn<'_>,
) {
    item.entry_type = Some(EntryType::Standard);
    let mut groups = Vec::new();
    let mut policies = Vec::new();
    for g in &m.groups {
        if g == SYSTEM_MASTERS {
            if policies.is_empty() {
                policies.push(Policy {
                    policy_arn: format!(
                        "arn:{}:eks::aws:cluster-access-policy/{CLUSTER_ADMIN_POLICY}",
                        ctx.partition
                    ),
                    access_scope: Scope { kind: "cluster" },
                });
            }
        } else if g == SYSTEM_AUTHENTICATED {
            item.note(
                "redundant-group",
                "`system:authenticated` is not carried: every authenticated request is in it",
            );
        } else if g.starts_with(SYSTEM_PREFIX) {
            item.block(
                "system-group",
                format!("group `{g}`: access entries reject `system:` groups"),
                "bind the permissions the group gives to a group of your own, map that group, \
                 then migrate",
            );
        } else if g.contains("{{") {
            item.block(
                "unsupported-template",
                format!("group `{g}` holds a template: access entries substitute none in groups"),
                "map a fixed group name",
            );
        } else if !groups.contains(g) {
            groups.push(g.clone());
        }
    }
    if !policies.is_empty() {
        item.note(
            "cluster-admin",
            format!(
                "`system:masters` becomes `{CLUSTER_ADMIN_POLICY}` at cluster scope; the other \
                 groups are kept as `kubernetesGroups`"
            ),
        );
    }
    let username = check_username(
        item,
        m.username.as_deref().unwrap_or_default(),
        user_arn,
        arn,
    );
    let (principal_arn, todo) = match user_arn {
        Some(u) => (Some(u.to_owned()), None),
        None => role_arn(item, ctx, arn),
    };
    item.access_entry = Some(AccessEntry {
        principal_arn,
        principal_arn_todo: todo,
        kind: EntryType::Standard,
        username,
        kubernetes_groups: groups,
        access_policies: policies,
    });
}

/// The reserved username prefixes of access entries.
pub const RESERVED_PREFIXES: [&str; 5] = ["system:", "eks:", "aws:", "amazon:", "iam:"];

/// The username of a `STANDARD` entry (`None`: EKS's default), or a blocker.
fn check_username(
    item: &mut Item,
    username: &str,
    user_arn: Option<&str>,
    arn: &Arn<'_>,
) -> Option<String> {
    if username.is_empty() {
        let default = default_username(user_arn, arn);
        item.note(
            "default-username",
            format!("no username in aws-auth (an empty one): the access entry takes EKS's default, `{default}`"),
        );
        return None;
    }
    if let Some(p) = RESERVED_PREFIXES.iter().find(|p| username.starts_with(**p)) {
        item.block(
            "reserved-username",
            format!("username `{username}` starts with `{p}`, which access entries reserve"),
            "choose a username without `system:`, `eks:`, `aws:`, `amazon:` or `iam:` (and update \
             the RBAC bindings that name it)",
        );
        return None;
    }
    let mut rest = username;
    while let Some(open) = rest.find("{{") {
        let Some(close) = rest[open..].find("}}") else {
            break;
        };
        let template = &rest[open..open + close + 2];
        let before = &username[..username.len() - rest.len() + open];
        if template == SESSION_NAME || template == SESSION_NAME_RAW {
            if !before.contains(':') {
                item.block(
                    "session-name-without-colon",
                    format!("username `{username}`: access entries need a colon before `{template}`"),
                    format!("write e.g. `{}:{template}` (the username changes: update the RBAC bindings that name it)", before.trim_end_matches(['-', '_', '.'])),
                );
                return None;
            }
        } else {
            item.block(
                "unsupported-template",
                format!("username `{username}` holds `{template}`: access entries support only `{{{{SessionName}}}}` and `{{{{SessionNameRaw}}}}`"),
                "use a fixed username or one with `:{{SessionName}}` (update the RBAC bindings that name it)",
            );
            return None;
        }
        rest = &rest[open + close + 2..];
    }
    Some(username.to_owned())
}

/// The username EKS gives a `STANDARD` entry without one.
pub fn default_username(user_arn: Option<&str>, arn: &Arn<'_>) -> String {
    match user_arn {
        Some(u) => u.to_owned(),
        None => format!(
            "arn:{}:sts::{}:assumed-role/{}/{{{{SessionName}}}}",
            arn.partition,
            arn.account,
            arn.name()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn username(text: &str) -> (Option<String>, Vec<&'static str>) {
        let mut item = Item {
            principal: String::new(),
            kind: "role",
            position: Position {
                file: String::new(),
                line: 1,
            },
            written: Vec::new(),
            aws_auth: Granted {
                username: None,
                groups: Vec::new(),
            },
            action: Action::Create,
            entry_type: None,
            eks_managed: None,
            access_entry: None,
            blockers: Vec::new(),
            notes: Vec::new(),
            entries: Vec::new(),
            account: None,
        };
        let arn = Arn::parse("arn:aws:iam::111122223333:role/dev").unwrap();
        let out = check_username(&mut item, text, None, &arn);
        (out, item.blockers.iter().map(|b| b.id).collect())
    }

    #[test]
    fn migrate_usernames_follow_the_access_entry_rules() {
        // a colon anywhere before the session name (the user guide's `:john{{SessionName}}`)
        for ok in [
            "dev:{{SessionName}}",
            ":john{{SessionName}}",
            "a:b-{{SessionNameRaw}}",
            "ci",
        ] {
            assert_eq!(username(ok), (Some(ok.to_owned()), vec![]), "{ok}");
        }
        assert_eq!(
            username("john{{SessionName}}").1,
            ["session-name-without-colon"]
        );
        assert_eq!(
            username("{{SessionNameRaw}}").1,
            ["session-name-without-colon"]
        );
        for reserved in ["system:x", "eks:x", "aws:x", "amazon:x", "iam:x"] {
            assert_eq!(username(reserved).1, ["reserved-username"], "{reserved}");
        }
        for template in [
            "x:{{AccountID}}",
            "x:{{AccessKeyID}}",
            "x:{{EC2PrivateDNSName}}",
            "x:{{ SessionName }}",
        ] {
            assert_eq!(username(template).1, ["unsupported-template"], "{template}");
        }
        // an empty username takes EKS's default, said in a note
        assert_eq!(username(""), (None, vec![]));
        assert_eq!(
            default_username(
                None,
                &Arn::parse("arn:aws:iam::111122223333:role/dev").unwrap()
            ),
            "arn:aws:sts::111122223333:assumed-role/dev/{{SessionName}}"
        );
    }
}
