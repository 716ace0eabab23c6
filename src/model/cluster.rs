//! A cluster's access as one picture: the aws-auth sources and the access entries that declare
//! the same cluster, joined by principal, with the authentication mode deciding which apply.
//!
//! **Which sources are one cluster** ([`group`]): every access entry, policy association and
//! cluster setting names its cluster (eksctl's `metadata.name`, CloudFormation's and Terraform's
//! `ClusterName`/`cluster_name`, as written or as a `${...}` placeholder that stands for the same
//! unknown name); an aws-auth source names none (but eksctl's `iamIdentityMappings`, of the
//! cluster its config names), and belongs to the cluster its configuration
//! names (`cluster.name`) or, failing that, to the one cluster declared in its file, or else
//! in its directory. What
//! has no name and no named cluster beside it is a cluster of its directory. A name holds
//! within a scope ([`Part::scope`]): the folder of the configuration that applies, or the
//! file's own folder without one — two folders may each declare a cluster `prod` (in two
//! accounts), and a configuration at their common root says they are one.
//!
//! **What applies** ([`join`]): the mode of the cluster's settings (its tool's default when not
//! written; not known when no setting is in the repository). `CONFIG_MAP` reads only aws-auth;
//! `API` only access entries; `API_AND_CONFIG_MAP` both, and an access entry wins over the
//! aws-auth mapping of the same principal (EKS user guide, "Migrating existing aws-auth `ConfigMap`
//! entries to access entries"). Principals are matched as each mechanism matches them: aws-auth
//! looks a role up without its path, an access entry holds the role's full ARN, so both are keyed
//! by the role without its path (and users by their ARN), ignoring case.
//!
//! **What a principal gets** ([`Identity`]): its username, Kubernetes groups and access
//! policies; a node type's identity is what EKS gives it, and an entry without a username gets
//! the one EKS generates. Compared [normalised](Identity::normalized), so that equal access
//! compares equal: `system:masters` is `AmazonEKSClusterAdminPolicy` at cluster scope.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use super::access::{self, Mapping};
use super::access_entries::{
    AccessConfig, AccessDecls, AccessEntry, Association, AuthMode, CLUSTER_ADMIN_POLICY, EntryType,
    PolicyAssociation, policy_name,
};
use super::identity::{SYSTEM_AUTHENTICATED, SYSTEM_MASTERS};
use super::rbac::Object;
use super::{AwsAuth, Principal, SourceKind};
use crate::arn::Arn;
use crate::source::{SourceFile, Span};

/// What one file brings to the clusters.
#[derive(Debug, Clone, Copy)]
pub struct Part<'a> {
    /// Where the names it gives a cluster hold: the folder of its configuration, or its own
    /// folder without one (two folders may each hold a cluster `prod`, in two accounts).
    pub scope: &'a str,
    /// Its directory (the cluster of sources that name none).
    pub dir: &'a str,
    /// The cluster its configuration names (`cluster.name`), if any.
    pub configured: Option<&'a str>,
    /// Its access entries, associations and cluster settings.
    pub access: &'a AccessDecls,
    /// Its aws-auth sources.
    pub aws_auth: &'a [AwsAuth],
    /// Its Roles, `ClusterRoles` and bindings.
    pub rbac: &'a [Object],
}

/// The folder of a file's name (`envs/prod` of `envs/prod/eks.tf`; empty at the top).
pub fn folder(name: &str) -> &str {
    name.rsplit_once('/').map_or("", |(d, _)| d)
}

/// How a cluster is told apart.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case", tag = "by", content = "value")]
pub enum ClusterKey {
    /// Its name as written (or the placeholder standing for it).
    Name(String),
    /// Its directory: nothing names it.
    Directory(String),
}

/// The sources of one cluster; each item with the index of its file among the parts.
#[derive(Debug, Clone)]
pub struct Cluster<'a> {
    /// How it is told apart.
    pub key: ClusterKey,
    /// Where its name holds ([`Part::scope`]).
    pub scope: String,
    /// Its access settings (normally one).
    pub configs: Vec<(usize, &'a AccessConfig)>,
    /// Its access entries.
    pub entries: Vec<(usize, &'a AccessEntry)>,
    /// Its policy associations written apart.
    pub associations: Vec<(usize, &'a Association)>,
    /// Its aws-auth sources.
    pub aws_auth: Vec<(usize, &'a AwsAuth)>,
    /// The RBAC objects of the repository that apply to it ([`group`] says which).
    pub rbac: Vec<(usize, &'a Object)>,
    /// The folders of the files that declare it.
    folders: BTreeSet<String>,
}

impl Cluster<'_> {
    fn new(scope: &str, key: ClusterKey) -> Self {
        Self {
            key,
            scope: scope.to_owned(),
            configs: Vec::new(),
            entries: Vec::new(),
            associations: Vec::new(),
            aws_auth: Vec::new(),
            rbac: Vec::new(),
            folders: BTreeSet::new(),
        }
    }

    /// Whether anything of access entries declares it (a cluster of aws-auth alone is what
    /// the rest of awsauth already shows).
    pub fn has_access_entries(&self) -> bool {
        !(self.configs.is_empty() && self.entries.is_empty() && self.associations.is_empty())
    }

    /// The cluster's settings that decide its mode: the first declared (`None` when the
    /// repository holds none).
    pub fn config(&self) -> Option<&AccessConfig> {
        self.configs.first().map(|(_, c)| *c)
    }

    /// The mode that applies, when known.
    pub fn mode(&self) -> Option<AuthMode> {
        self.config()?.mode()
    }
}

/// The cluster names a part's declarations give.
fn names_in(p: &Part<'_>) -> BTreeSet<String> {
    let name_of = |f: Option<&super::Field>| f.map(|f| f.value.clone());
    let d = p.access;
    let mut names: BTreeSet<String> = d
        .configs
        .iter()
        .filter_map(|c| name_of(c.cluster.as_ref()))
        .collect();
    names.extend(d.entries.iter().filter_map(|e| name_of(e.cluster.as_ref())));
    names.extend(
        d.associations
            .iter()
            .filter_map(|a| name_of(a.cluster.as_ref())),
    );
    names
}

/// The cluster of `key` in `scope`, made empty when new.
fn at<'m, 'a>(
    clusters: &'m mut BTreeMap<(String, ClusterKey), Cluster<'a>>,
    p: &Part<'_>,
    key: ClusterKey,
) -> &'m mut Cluster<'a> {
    let c = clusters
        .entry((p.scope.to_owned(), key.clone()))
        .or_insert_with(|| Cluster::new(p.scope, key));
    if !c.folders.contains(p.dir) {
        c.folders.insert(p.dir.to_owned());
    }
    c
}

/// The clusters the parts declare, in a stable order (by key).
pub fn group<'a>(parts: &[Part<'a>]) -> Vec<Cluster<'a>> {
    let mut clusters: BTreeMap<(String, ClusterKey), Cluster<'a>> = BTreeMap::new();
    // the named clusters of each directory
    let mut named: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for p in parts {
        named.entry(p.dir).or_default().extend(names_in(p));
    }
    // what names no cluster: the configured one, else the one named in its file, else the one
    // named in its directory
    let fallback = |p: &Part<'_>| {
        if let Some(n) = p.configured {
            return ClusterKey::Name(n.to_owned());
        }
        let only = |names: &BTreeSet<String>| {
            (names.len() == 1).then(|| names.iter().next().cloned().unwrap_or_default())
        };
        match only(&names_in(p)).or_else(|| named.get(p.dir).and_then(only)) {
            Some(name) => ClusterKey::Name(name),
            None => ClusterKey::Directory(p.dir.to_owned()),
        }
    };
    let key_of = |f: Option<&super::Field>, p: &Part<'_>| {
        f.map_or_else(|| fallback(p), |f| ClusterKey::Name(f.value.clone()))
    };
    for (i, p) in parts.iter().enumerate() {
        for c in &p.access.configs {
            at(&mut clusters, p, key_of(c.cluster.as_ref(), p))
                .configs
                .push((i, c));
        }
        for e in &p.access.entries {
            at(&mut clusters, p, key_of(e.cluster.as_ref(), p))
                .entries
                .push((i, e));
        }
        for a in &p.access.associations {
            at(&mut clusters, p, key_of(a.cluster.as_ref(), p))
                .associations
                .push((i, a));
        }
        for o in p.aws_auth {
            // an eksctl config's mappings are of the cluster it names
            let named = (o.kind == SourceKind::Eksctl).then_some(o.name.as_ref());
            let key = named
                .flatten()
                .map_or_else(|| fallback(p), |n| ClusterKey::Name(n.value.clone()));
            at(&mut clusters, p, key).aws_auth.push((i, o));
        }
    }
    let mut clusters: Vec<Cluster<'a>> = clusters.into_values().collect();
    assign_rbac(parts, &mut clusters);
    clusters
}

/// The leading runs of whole folders of a path, shortest first (`a/b/c`: `a`, `a/b`,
/// `a/b/c`), up to an empty folder name (a leading or doubled `/`).
fn folder_prefixes(path: &str) -> impl Iterator<Item = &str> {
    let mut end = 0;
    path.split('/').take_while(|f| !f.is_empty()).map(move |f| {
        end += if end == 0 { f.len() } else { f.len() + 1 };
        &path[..end]
    })
}

/// Gives each RBAC object to its clusters: the cluster its configuration names
/// (`cluster.name`), else the clusters declared nearest to its file (the longest run of
/// folders shared with a file that declares them; all of them when they tie, so RBAC in a
/// folder of its own beside one cluster is that cluster's).
fn assign_rbac<'a>(parts: &[Part<'a>], clusters: &mut [Cluster<'a>]) {
    let nearest = Nearest::new(
        clusters
            .iter()
            .map(|c| c.folders.iter().map(String::as_str)),
    );
    for (i, p) in parts.iter().enumerate() {
        if p.rbac.is_empty() {
            continue;
        }
        let named = p.configured.and_then(|n| {
            clusters
                .iter()
                .position(|c| c.scope == p.scope && c.key == ClusterKey::Name(n.to_owned()))
        });
        let targets = match named {
            Some(c) => vec![c],
            None => nearest.of(p.dir).to_vec(),
        };
        for c in targets {
            clusters[c].rbac.extend(p.rbac.iter().map(|o| (i, o)));
        }
    }
}

/// The clusters nearest to a folder: those sharing the most leading folders with one of the
/// folders of their files; all of them when none shares any. Every run of leading folders
/// of every cluster's folders is kept with the clusters under it (in order), so a folder's
/// nearest clusters are those under its longest run found: a lookup per folder of its path,
/// not a comparison with every cluster (a monorepo has hundreds of both).
struct Nearest {
    under: HashMap<String, Vec<usize>>,
    all: Vec<usize>,
}

impl Nearest {
    /// Over the folders of each cluster, in the clusters' order.
    fn new<'f>(clusters: impl Iterator<Item = impl Iterator<Item = &'f str>>) -> Self {
        let mut under: HashMap<String, Vec<usize>> = HashMap::new();
        let mut count = 0;
        for (c, folders) in clusters.enumerate() {
            count = c + 1;
            for f in folders {
                for prefix in folder_prefixes(f) {
                    let list = under.entry(prefix.to_owned()).or_default();
                    if list.last() != Some(&c) {
                        list.push(c);
                    }
                }
            }
        }
        Self {
            under,
            all: (0..count).collect(),
        }
    }

    /// The indices of the clusters nearest to the folder `dir`, in order.
    fn of(&self, dir: &str) -> &[usize] {
        let prefixes: Vec<&str> = folder_prefixes(dir).collect();
        prefixes
            .iter()
            .rev()
            .find_map(|prefix| self.under.get(*prefix))
            .unwrap_or(&self.all)
    }
}

/// The key a principal is matched by across aws-auth and access entries: a role ARN without
/// its path, a user ARN as it is, both lower-cased; any other text (a placeholder, an SSO
/// matcher, an account) as it is.
pub fn principal_key(text: &str) -> String {
    let lower = text.to_lowercase();
    match Arn::parse(&lower) {
        Some(arn) if arn.service_is("iam") && arn.type_is("role") => arn.canonical_role(arn.name()),
        _ => lower,
    }
}

/// An access policy and its scope, as compared.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Policy {
    /// The policy's name (`AmazonEKSViewPolicy`).
    pub policy: String,
    /// `cluster`, or the namespaces (sorted), or the scope as written when it is neither.
    pub scope: String,
}

impl Policy {
    fn of(p: &PolicyAssociation) -> Option<Self> {
        let policy = policy_name(&p.policy.as_ref()?.value).to_owned();
        let scope = match p.scope.as_ref().map(|s| s.value.as_str()) {
            Some("cluster") => "cluster".to_owned(),
            Some("namespace") => {
                let ns: BTreeSet<&str> = p.namespaces.iter().map(|n| n.value.as_str()).collect();
                format!(
                    "namespace: {}",
                    ns.into_iter().collect::<Vec<_>>().join(", ")
                )
            }
            Some(other) => other.to_owned(),
            None => "?".to_owned(),
        };
        Some(Self { policy, scope })
    }

    /// The namespaces of a namespace scope (`None` for any other scope).
    pub fn namespaces(&self) -> Option<Vec<&str>> {
        let list = self.scope.strip_prefix("namespace: ")?;
        Some(list.split(", ").filter(|n| !n.is_empty()).collect())
    }

    fn cluster_admin() -> Self {
        Self {
            policy: CLUSTER_ADMIN_POLICY.to_owned(),
            scope: "cluster".to_owned(),
        }
    }
}

/// `` `AmazonEKSViewPolicy` (cluster) ``: the policy's name in backticks, then its scope.
impl std::fmt::Display for Policy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`{}` ({})", self.policy, self.scope)
    }
}

/// What a principal gets, as its source gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Identity {
    /// The Kubernetes username (template), when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// The Kubernetes groups, as a set (`system:masters` is a policy here).
    pub groups: BTreeSet<String>,
    /// The access policies with their scopes.
    #[serde(rename = "access-policies")]
    pub policies: BTreeSet<Policy>,
}

impl Identity {
    /// What an aws-auth mapping gives.
    fn of_mapping(m: &Mapping) -> Self {
        Self {
            username: m.username.clone().filter(|u| !u.is_empty()),
            groups: m.groups.iter().cloned().collect(),
            policies: BTreeSet::new(),
        }
    }

    /// The same access, written one way: `system:masters` as `AmazonEKSClusterAdminPolicy` at
    /// cluster scope, without `system:authenticated` (every request has it).
    #[must_use]
    pub fn normalized(&self) -> Self {
        let mut n = self.clone();
        n.groups.remove(SYSTEM_AUTHENTICATED);
        if n.groups.remove(SYSTEM_MASTERS) {
            n.policies.insert(Policy::cluster_admin());
        }
        n
    }

    /// Whether two identities give the same access ([`Identity::normalized`]).
    pub fn same_access(&self, other: &Self) -> bool {
        self.normalized() == other.normalized()
    }

    /// What an access entry gives, with the policies associated apart (`more`).
    fn of_entry<'p>(e: &'p AccessEntry, more: impl Iterator<Item = &'p PolicyAssociation>) -> Self {
        let kind = e.kind();
        let node = kind.and_then(EntryType::node_identity);
        let (username, groups) = match node {
            Some((user, groups)) => (
                Some(user.to_owned()),
                groups.iter().map(|g| (*g).to_owned()).collect(),
            ),
            None => (
                e.username
                    .as_ref()
                    .map(|u| u.value.clone())
                    .or_else(|| e.principal_arn().and_then(generated_username)),
                e.groups.iter().map(|g| g.value.clone()).collect(),
            ),
        };
        let policies = if kind.is_some_and(EntryType::is_node) {
            BTreeSet::new()
        } else {
            e.policies
                .iter()
                .chain(more)
                .filter_map(Policy::of)
                .collect()
        };
        Self {
            username,
            groups,
            policies,
        }
    }
}

/// The username EKS gives a `STANDARD` entry without one: the user's ARN, or the role's session
/// ARN without its path (`None` for what is not an IAM ARN).
pub fn generated_username(principal: &str) -> Option<String> {
    let arn = Arn::parse(principal)?;
    if !arn.service_is("iam") {
        return None;
    }
    if arn.type_is("user") {
        return Some(principal.to_owned());
    }
    Some(format!(
        "arn:{}:sts::{}:assumed-role/{}/{{{{SessionName}}}}",
        arn.partition,
        arn.account,
        arn.name()
    ))
}

/// Where a row of the joined view comes from.
#[derive(Debug, Clone)]
pub enum From<'a> {
    /// An aws-auth mapping (the index of its file, the source, where the mapping is written).
    AwsAuth(usize, &'a AwsAuth, Span),
    /// An access entry (the index of its file).
    Entry(usize, &'a AccessEntry),
    /// The admin entry EKS makes for whoever creates the cluster
    /// (`bootstrapClusterCreatorAdminPermissions`), with the settings that say so.
    Creator(usize, &'a AccessConfig),
}

/// Whether a row applies under the cluster's mode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "applies", content = "why")]
pub enum Applies {
    /// It does.
    Yes,
    /// It does not, and why.
    No(String),
    /// Not known: the mode is not in the repository.
    Unknown(String),
}

/// One principal's access from one source.
#[derive(Debug, Clone)]
pub struct Row<'a> {
    /// The principal as written (a role ARN of an access entry with its path).
    pub principal: String,
    /// The key it is matched by ([`principal_key`]).
    pub key: String,
    /// Where it comes from.
    pub from: From<'a>,
    /// What it gives.
    pub identity: Identity,
    /// Whether it applies.
    pub applies: Applies,
}

impl Row<'_> {
    /// Where the row is written: its file, and the span of the mapping, entry or settings.
    pub fn place(&self) -> (&SourceFile, &Span) {
        match &self.from {
            From::AwsAuth(_, o, span) => (&o.file, span),
            From::Entry(_, e) => (&e.file, &e.span),
            From::Creator(_, c) => (&c.file, &c.span),
        }
    }
}

/// A cluster's access, joined.
#[derive(Debug, Clone)]
pub struct Joined<'a> {
    /// The mode that applies, when known.
    pub mode: Option<AuthMode>,
    /// Every principal's rows, by key; within a key, aws-auth rows first.
    pub rows: Vec<Row<'a>>,
}

impl Joined<'_> {
    /// What each principal finally gets, [normalised](Identity::normalized): the identity of
    /// the row that applies, by key (rows whose application is not known count as applying).
    pub fn effective(&self) -> BTreeMap<&str, Identity> {
        let mut out = BTreeMap::new();
        for r in &self.rows {
            if !matches!(r.applies, Applies::No(_)) {
                out.insert(r.key.as_str(), r.identity.normalized());
            }
        }
        out
    }
}

/// The policy associations of a cluster written apart from their entries, by principal key.
fn associations_by_key<'a>(c: &Cluster<'a>) -> BTreeMap<String, Vec<&'a PolicyAssociation>> {
    let mut out: BTreeMap<String, Vec<&PolicyAssociation>> = BTreeMap::new();
    for (_, a) in &c.associations {
        if let Some(p) = &a.principal {
            out.entry(principal_key(&p.value))
                .or_default()
                .push(&a.policy);
        }
    }
    out
}

/// The cluster's access as one picture.
pub fn join<'a>(c: &Cluster<'a>) -> Joined<'a> {
    let mode = c.mode();
    let mut rows = Vec::new();
    let unknown = || {
        Applies::Unknown(
            "the cluster's authentication mode is not declared in the repository".to_owned(),
        )
    };
    let entry_keys: BTreeSet<String> = c
        .entries
        .iter()
        .filter_map(|(_, e)| e.principal_arn().map(principal_key))
        .collect();
    for (i, obj) in &c.aws_auth {
        for (p, m) in access::mappings(obj) {
            let key = match &p {
                Principal::Role(_) | Principal::User(_) => principal_key(&m.display),
                _ => p.to_string(),
            };
            let applies = match mode {
                None => unknown(),
                Some(AuthMode::Api) => {
                    Applies::No("the cluster's mode is `API`: aws-auth is not read".to_owned())
                }
                Some(AuthMode::ApiAndConfigMap) if entry_keys.contains(&key) => {
                    Applies::No("an access entry of the same principal takes precedence".to_owned())
                }
                Some(_) => Applies::Yes,
            };
            rows.push(Row {
                principal: m.display.clone(),
                key,
                identity: Identity::of_mapping(&m),
                from: From::AwsAuth(*i, obj, m.span.clone()),
                applies,
            });
        }
    }
    let apart = associations_by_key(c);
    let entry_applies = || match mode {
        None => unknown(),
        Some(AuthMode::ConfigMap) => Applies::No(
            "the cluster's mode is `CONFIG_MAP`: access entries are not read".to_owned(),
        ),
        Some(_) => Applies::Yes,
    };
    for (i, e) in &c.entries {
        let Some(principal) = e.principal_arn() else {
            continue;
        };
        let key = principal_key(principal);
        let more = apart.get(&key).into_iter().flatten().copied();
        rows.push(Row {
            principal: principal.to_owned(),
            identity: Identity::of_entry(e, more),
            key,
            from: From::Entry(*i, e),
            applies: entry_applies(),
        });
    }
    if let Some((i, config)) = c.configs.first()
        && config.bootstrap_admin() == Some(true)
    {
        let mut policies = BTreeSet::new();
        policies.insert(Policy::cluster_admin());
        rows.push(Row {
            principal: "(the cluster's creator)".to_owned(),
            key: "(the cluster's creator)".to_owned(),
            from: From::Creator(*i, config),
            identity: Identity {
                username: None,
                groups: BTreeSet::new(),
                policies,
            },
            // EKS makes the creator an admin in every mode (in `CONFIG_MAP`, outside aws-auth)
            applies: Applies::Yes,
        });
    }
    rows.sort_by(|a, b| a.key.cmp(&b.key));
    Joined { mode, rows }
}

#[cfg(test)]
mod tests {
    /// The nearest clusters are those of the definition: the most leading folders shared with
    /// one of a cluster's folders, all the clusters when none shares any.
    #[test]
    fn nearest_clusters_share_the_most_leading_folders() {
        let depth = |a: &str, b: &str| {
            a.split('/')
                .zip(b.split('/'))
                .take_while(|(x, y)| x == y && !x.is_empty())
                .count()
        };
        let clusters: [&[&str]; 5] = [&["a/b"], &["a/bc", "x"], &["a/b/c"], &["/a"], &[""]];
        let nearest = super::Nearest::new(clusters.iter().map(|c| c.iter().copied()));
        let dirs = [
            "", "a", "ab", "a/b", "a/bc/d", "a/b/c/d", "a/b/cd", "/a", "x/y", "q", "a//b",
        ];
        for dir in dirs {
            let best = |c: &[&str]| c.iter().map(|f| depth(f, dir)).max().unwrap_or(0);
            let top = clusters.iter().map(|c| best(c)).max().unwrap_or(0);
            let want: Vec<usize> = (0..clusters.len())
                .filter(|&c| best(clusters[c]) == top)
                .collect();
            assert_eq!(nearest.of(dir), want.as_slice(), "{dir:?}");
        }
    }

    use super::*;

    #[test]
    fn roles_match_without_their_path_and_ignoring_case() {
        assert_eq!(
            principal_key("arn:aws:iam::111122223333:role/platform/Admin"),
            principal_key("arn:aws:iam::111122223333:role/admin")
        );
        assert_ne!(
            principal_key("arn:aws:iam::111122223333:user/team/bob"),
            principal_key("arn:aws:iam::111122223333:user/bob")
        );
        assert_eq!(principal_key("${var.role}"), "${var.role}");
    }

    #[test]
    fn eks_generates_a_session_username_for_roles_and_the_arn_for_users() {
        assert_eq!(
            generated_username("arn:aws:iam::111122223333:role/a/b/dev").as_deref(),
            Some("arn:aws:sts::111122223333:assumed-role/dev/{{SessionName}}")
        );
        assert_eq!(
            generated_username("arn:aws:iam::111122223333:user/ops").as_deref(),
            Some("arn:aws:iam::111122223333:user/ops")
        );
        assert_eq!(generated_username("${var.x}"), None);
    }
}
