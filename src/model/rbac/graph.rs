//! The RBAC of one cluster: the repository's objects over the built-in ones, roles by name with
//! their aggregated rules, and the grants that reach an identity.
//!
//! **Who a binding reaches** is Kubernetes' own subject matching: a `User` subject by the exact
//! username, a `Group` subject by one of the identity's groups, and every authenticated
//! identity is in `system:authenticated`. A username with a template (`{{SessionName}}`)
//! matches a `User` subject only for some sessions: such a grant is kept, not certain
//! ([`Grant::certain`]). `ServiceAccount` subjects are not IAM principals and reach none.
//!
//! **What a grant holds**: a `ClusterRoleBinding` gives its `ClusterRole` everywhere; a
//! `RoleBinding` gives its Role (of the binding's namespace) or `ClusterRole` in its namespace
//! (`default` when the manifest names none, as `kubectl apply` does without `-n`). A
//! `ClusterRole` with an `aggregationRule` holds the rules of every `ClusterRole` whose labels
//! match one of its selectors (recursively, as the aggregation controller settles them), beside
//! the rules it writes. A role of the repository replaces the built-in role of the same name.
//! An access policy of an access entry (or `system:masters`, which the built-in
//! `cluster-admin` binding names) is a grant of the policy's rules in its scope.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, OnceLock};

use serde::Serialize;

use super::builtin::{self, Builtin};
use super::{Object, PolicyRule, read};
use crate::model::cluster::Identity;
use crate::model::identity::SYSTEM_AUTHENTICATED;
use crate::source::SourceFile;
use crate::yaml::{self, Node};

/// Where a grant holds.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case", tag = "scope", content = "namespace")]
pub enum Scope {
    /// Everywhere: cluster-scoped resources and every namespace.
    Cluster,
    /// One namespace (for an access policy, possibly a pattern such as `dev-*`).
    Namespace(String),
}

impl Scope {
    /// Whether it holds for a request in `namespace` (`None`: a cluster-wide request, which only
    /// a cluster scope covers).
    pub fn covers(&self, namespace: Option<&str>) -> bool {
        match (self, namespace) {
            (Self::Cluster, _) => true,
            (Self::Namespace(_), None) => false,
            (Self::Namespace(pattern), Some(ns)) => glob(pattern, ns),
        }
    }
}

impl std::fmt::Display for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Cluster => f.write_str("cluster-wide"),
            Self::Namespace(ns) => write!(f, "in `{ns}`"),
        }
    }
}

/// Whether a pattern with `*` (any run of characters) matches a name; a name that is itself a
/// pattern matches the same pattern.
fn glob(pattern: &str, name: &str) -> bool {
    if pattern == name {
        return true;
    }
    // the positions of `name` each prefix of the pattern's pieces can end at: no backtracking
    let mut at = vec![false; name.len() + 1];
    at[0] = true;
    for (i, piece) in pattern.split('*').enumerate() {
        if i > 0 {
            // a `*` before this piece: any later position
            let first = at.iter().position(|&b| b);
            if let Some(first) = first {
                for (p, slot) in at.iter_mut().enumerate().skip(first) {
                    *slot = name.is_char_boundary(p);
                }
            }
        }
        let mut next = vec![false; name.len() + 1];
        for pos in (0..=name.len()).filter(|&p| at[p]) {
            if name[pos..].starts_with(piece) {
                next[pos + piece.len()] = true;
            }
        }
        at = next;
    }
    at[name.len()]
}

/// How a grant reaches an identity.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case", tag = "by", content = "name")]
pub enum Via {
    /// A `User` subject naming its username.
    User(String),
    /// A `Group` subject naming one of its groups.
    Group(String),
    /// A `Group` subject naming `system:authenticated`: every identity.
    Authenticated,
    /// An access policy of its access entry.
    Policy(String),
}

impl std::fmt::Display for Via {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::User(u) => write!(f, "user `{u}`"),
            Self::Group(g) => write!(f, "group `{g}`"),
            Self::Authenticated => write!(f, "group `{SYSTEM_AUTHENTICATED}` (everyone)"),
            Self::Policy(p) => write!(f, "access policy `{p}`"),
        }
    }
}

/// What one binding (or access policy) gives an identity.
#[derive(Debug, Clone)]
pub struct Grant<'a> {
    /// How it reaches the identity.
    pub via: Via,
    /// The binding (`None` for an access policy).
    pub binding: Option<&'a Object>,
    /// The role (`None` when neither the repository nor the built-in data holds it).
    pub role: Option<&'a Object>,
    /// The role as the binding names it (`ClusterRole/admin`), or the policy's name.
    pub role_name: String,
    /// Where it holds.
    pub scope: Scope,
    /// The rules it gives (a `ClusterRole`'s aggregated rules included).
    pub rules: Vec<&'a PolicyRule>,
    /// Whether it reaches the identity for certain: `false` when only a templated username
    /// could match the binding's `User` subject (some sessions).
    pub certain: bool,
}

impl Grant<'_> {
    /// Whether the role it names is neither in the repository nor built in.
    pub fn role_missing(&self) -> bool {
        self.role.is_none()
    }
}

/// The built-in objects and the access policies, parsed once.
pub struct Builtins {
    /// Kubernetes' and EKS's roles and bindings.
    pub objects: Vec<Object>,
    /// One `ClusterRole`-shaped object per access policy, named by the policy.
    pub policies: Vec<Object>,
}

fn parse(b: &Builtin) -> Vec<Object> {
    let file: Arc<SourceFile> = SourceFile::new(b.name, b.text);
    let stream = yaml::parse_stream(&file.text);
    let mut out = Vec::new();
    let mut offer = |node: &Node| {
        if let Some(kind) = node.get("kind").and_then(Node::as_str) {
            out.extend(read(&file, node, kind).map(|o| Object { builtin: true, ..o }));
        }
    };
    for doc in &stream.documents {
        let Some(root) = &doc.root else { continue };
        if root.get("kind").and_then(Node::as_str) == Some("List") {
            for item in root.get("items").and_then(Node::as_seq).unwrap_or_default() {
                offer(item);
            }
        } else {
            offer(root);
        }
    }
    out
}

/// The built-in data ([`builtin`]), parsed on first use.
pub fn builtins() -> &'static Builtins {
    static PARSED: OnceLock<Builtins> = OnceLock::new();
    PARSED.get_or_init(|| {
        let mut objects = parse(&builtin::KUBERNETES);
        objects.extend(parse(&builtin::EKS));
        Builtins {
            objects,
            policies: parse(&builtin::ACCESS_POLICIES),
        }
    })
}

/// The RBAC of one cluster.
pub struct Rbac<'a> {
    cluster_roles: BTreeMap<&'a str, &'a Object>,
    roles: HashMap<(&'a str, &'a str), &'a Object>,
    bindings: Vec<&'a Object>,
    policies: HashMap<&'a str, &'a Object>,
    /// The rules of each `ClusterRole`, aggregation settled when first asked for (a cluster's
    /// RBAC is built for every cluster of a walk, and most roles are never asked about).
    cluster_rules: HashMap<&'a str, OnceLock<Vec<&'a PolicyRule>>>,
    repo_bindings: usize,
}

/// The namespace an object applies in (`default` when the manifest names none).
fn namespace_of(o: &Object) -> &str {
    o.namespace().unwrap_or("default")
}

impl<'a> Rbac<'a> {
    /// The repository's objects over the built-in ones.
    pub fn new(objects: impl IntoIterator<Item = &'a Object>) -> Self {
        let builtins = builtins();
        let repo: Vec<&'a Object> = objects.into_iter().collect();
        let mut cluster_roles = BTreeMap::new();
        let mut roles = HashMap::new();
        let mut bindings = Vec::new();
        // built-in first, so that the repository's role of the same name replaces it
        for o in builtins.objects.iter().chain(repo.iter().copied()) {
            match o.kind.as_str() {
                "ClusterRole" => {
                    cluster_roles.insert(o.name(), o);
                }
                "Role" => {
                    roles.insert((namespace_of(o), o.name()), o);
                }
                _ if o.is_binding() => bindings.push(o),
                _ => {}
            }
        }
        let repo_bindings = repo.iter().filter(|o| o.is_binding()).count();
        let policies = builtins.policies.iter().map(|p| (p.name(), p)).collect();
        let cluster_rules = cluster_roles
            .keys()
            .map(|name| (*name, OnceLock::new()))
            .collect();
        Self {
            cluster_roles,
            roles,
            bindings,
            policies,
            cluster_rules,
            repo_bindings,
        }
    }

    /// Whether the repository holds bindings of its own (the built-in ones are always there).
    pub fn has_bindings(&self) -> bool {
        self.repo_bindings > 0
    }

    /// Every binding, the repository's and the built-in ones.
    pub fn bindings(&self) -> &[&'a Object] {
        &self.bindings
    }

    /// Whether some binding (of the repository or built in) names a group as a subject.
    pub fn group_is_bound(&self, group: &str) -> bool {
        self.bindings.iter().any(|b| {
            b.subjects
                .iter()
                .any(|s| s.kind == "Group" && s.name.value == group)
        })
    }

    /// The rules a role holds (a `ClusterRole`'s aggregation settled).
    pub fn rules_of(&self, role: &'a Object) -> Vec<&'a PolicyRule> {
        if role.kind == "ClusterRole"
            && let Some(rules) = self.cluster_rules.get(role.name())
        {
            return rules
                .get_or_init(|| settle(&self.cluster_roles, role.name()))
                .clone();
        }
        role.rules.iter().collect()
    }

    /// The role a binding names, when the repository or the built-in data holds it.
    pub fn role_of(&self, binding: &'a Object) -> Option<&'a Object> {
        let r = binding.role_ref.as_ref()?;
        match r.kind.as_str() {
            "ClusterRole" => self.cluster_roles.get(r.name.value.as_str()).copied(),
            "Role" if binding.kind == "RoleBinding" => self
                .roles
                .get(&(namespace_of(binding), r.name.value.as_str()))
                .copied(),
            _ => None,
        }
    }

    /// What a binding gives, through `via`.
    fn grant(&self, binding: &'a Object, via: Via, certain: bool) -> Grant<'a> {
        let role = self.role_of(binding);
        let role_name = binding.role_ref.as_ref().map_or_else(
            || "(no roleRef)".to_owned(),
            |r| format!("{}/{}", r.kind, r.name.value),
        );
        let scope = if binding.kind == "ClusterRoleBinding" {
            Scope::Cluster
        } else {
            Scope::Namespace(namespace_of(binding).to_owned())
        };
        Grant {
            via,
            binding: Some(binding),
            rules: role.map(|r| self.rules_of(r)).unwrap_or_default(),
            role,
            role_name,
            scope,
            certain,
        }
    }

    /// Every grant that reaches an identity: the bindings of its username, its groups and
    /// `system:authenticated`, and its access policies.
    pub fn grants(&self, identity: &Identity) -> Vec<Grant<'a>> {
        let mut out = Vec::new();
        let user = identity.username.as_deref();
        for b in &self.bindings {
            if let Some((via, certain)) = reaches(b, user, &identity.groups) {
                out.push(self.grant(b, via, certain));
            }
        }
        for p in &identity.policies {
            let policy = self.policies.get(p.policy.as_str()).copied();
            let scopes = match p.namespaces() {
                Some(ns) => ns
                    .into_iter()
                    .map(|n| Scope::Namespace(n.to_owned()))
                    .collect(),
                None if p.scope == "cluster" => vec![Scope::Cluster],
                None => Vec::new(),
            };
            for scope in scopes {
                out.push(Grant {
                    via: Via::Policy(p.policy.clone()),
                    binding: None,
                    role: policy,
                    role_name: p.policy.clone(),
                    scope,
                    rules: policy.map(|r| r.rules.iter().collect()).unwrap_or_default(),
                    certain: true,
                });
            }
        }
        out
    }
}

/// Whether a binding reaches a username and groups, how, and whether for certain.
fn reaches(b: &Object, user: Option<&str>, groups: &BTreeSet<String>) -> Option<(Via, bool)> {
    let mut possible = None;
    for s in &b.subjects {
        let name = s.name.value.as_str();
        match s.kind.as_str() {
            "Group" if name == SYSTEM_AUTHENTICATED => return Some((Via::Authenticated, true)),
            "Group" if groups.contains(name) => return Some((Via::Group(name.to_owned()), true)),
            "User" => match user {
                Some(u) if u == name => return Some((Via::User(name.to_owned()), true)),
                Some(u) if u.contains("{{") && template_could_be(u, name) => {
                    possible = Some((Via::User(name.to_owned()), false));
                }
                _ => {}
            },
            _ => {}
        }
    }
    possible
}

/// Whether a username template (`{{SessionName}}`, `{{AccountID}}`, ...) renders, for some
/// request, to `name`: its literal text in order, each placeholder one or more characters.
pub fn template_could_be(template: &str, name: &str) -> bool {
    /// A piece of a template: literal text, or a placeholder.
    enum Piece<'t> {
        Text(&'t str),
        Any,
    }
    /// The positions of `name` each prefix of the pieces can end at (linear in the pieces,
    /// quadratic in the name at worst: no backtracking on hostile templates).
    fn matches(pieces: &[Piece<'_>], name: &str) -> bool {
        let mut at = vec![false; name.len() + 1];
        at[0] = true;
        for piece in pieces {
            let mut next = vec![false; name.len() + 1];
            for pos in (0..=name.len()).filter(|&p| at[p]) {
                match piece {
                    Piece::Text(t) => {
                        if name[pos..].starts_with(t) {
                            next[pos + t.len()] = true;
                        }
                    }
                    Piece::Any => {
                        for end in (pos + 1..=name.len()).filter(|&e| name.is_char_boundary(e)) {
                            next[end] = true;
                        }
                    }
                }
            }
            at = next;
        }
        at[name.len()]
    }
    let mut pieces = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let Some(end) = rest[start..].find("}}") else {
            break;
        };
        pieces.push(Piece::Text(&rest[..start]));
        pieces.push(Piece::Any);
        rest = &rest[start + end + 2..];
    }
    pieces.push(Piece::Text(rest));
    matches(&pieces, name)
}

/// The rules of a `ClusterRole` with its aggregation settled: its own rules and those of every
/// `ClusterRole` its selectors match, recursively (each role once).
fn settle<'a>(roles: &BTreeMap<&'a str, &'a Object>, name: &str) -> Vec<&'a PolicyRule> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    let mut stack = vec![name.to_owned()];
    while let Some(n) = stack.pop() {
        if !seen.insert(n.clone()) {
            continue;
        }
        let Some(role) = roles.get(n.as_str()) else {
            continue;
        };
        out.extend(role.rules.iter());
        if let Some(selectors) = &role.aggregation {
            // by name (the map is ordered), pushed in reverse so that the first is settled
            // first: the same rules in the same order on every run
            let matched: Vec<&str> = roles
                .iter()
                .filter(|(_, o)| {
                    selectors.iter().any(|sel| {
                        !sel.is_empty() && sel.iter().all(|kv| o.labels.iter().any(|l| l == kv))
                    })
                })
                .map(|(other, _)| *other)
                .collect();
            stack.extend(matched.into_iter().rev().map(str::to_owned));
        }
    }
    dedupe(out)
}

/// Rules with the same content once, in their first order.
fn dedupe(rules: Vec<&PolicyRule>) -> Vec<&PolicyRule> {
    let mut seen = BTreeSet::new();
    rules
        .into_iter()
        .filter(|r| {
            seen.insert((
                r.api_groups.clone(),
                r.resources.clone(),
                r.verbs.clone(),
                r.resource_names.clone(),
                r.non_resource_urls.clone(),
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::rbac::{Capability, Request, gained, request::capabilities};

    fn objects(text: &str) -> Vec<Object> {
        parse(&Builtin {
            name: "repo/rbac.yaml",
            source: "test",
            text: Box::leak(text.to_owned().into_boxed_str()),
        })
        .into_iter()
        .map(|o| Object {
            builtin: false,
            ..o
        })
        .collect()
    }

    fn identity(user: &str, groups: &[&str]) -> Identity {
        Identity {
            username: Some(user.to_owned()),
            groups: groups.iter().map(|g| (*g).to_owned()).collect(),
            policies: BTreeSet::new(),
        }
    }

    const BINDINGS: &str = "
kind: List
items:
- kind: RoleBinding
  apiVersion: rbac.authorization.k8s.io/v1
  metadata: {name: viewers, namespace: payments}
  roleRef: {kind: ClusterRole, name: view}
  subjects: [{kind: Group, name: viewers}]
- kind: RoleBinding
  apiVersion: rbac.authorization.k8s.io/v1
  metadata: {name: admins, namespace: payments}
  roleRef: {kind: ClusterRole, name: admin}
  subjects: [{kind: User, name: 'admin:alice'}]
";

    #[test]
    fn built_in_data_grants_as_kubernetes_does() {
        let repo = objects(BINDINGS);
        let rbac = Rbac::new(&repo);
        // system:masters is bound to cluster-admin by the bootstrap policy
        let masters = rbac.grants(&identity("x", &["system:masters"]));
        assert_eq!(
            capabilities(&masters)[0].to_string(),
            "act as cluster-admin"
        );
        // `view` is aggregated from the bootstrap's aggregate-to-view roles: pods, not secrets
        let viewer = rbac.grants(&identity("x", &["viewers"]));
        let pods = Request::parse("get", "pods", Some("payments")).unwrap();
        let secrets = Request::parse("get", "secrets", Some("payments")).unwrap();
        assert!(viewer.iter().any(|g| g.allows(&pods)));
        assert!(!viewer.iter().any(|g| g.allows(&secrets)));
        assert!(
            !viewer
                .iter()
                .any(|g| g.allows(&Request::parse("get", "pods", Some("other")).unwrap()))
        );
        // `admin` aggregates `edit`, which reads secrets and creates bindings
        let caps: Vec<Capability> = capabilities(&rbac.grants(&identity("admin:alice", &[])))
            .into_iter()
            .map(|r| r.capability)
            .collect();
        assert!(caps.contains(&Capability::ReadSecrets), "{caps:?}");
        assert!(caps.contains(&Capability::GrantRbac), "{caps:?}");
        assert!(!caps.contains(&Capability::Everything), "{caps:?}");
        // a templated username reaches a User subject only possibly
        let templated = rbac.grants(&identity("admin:{{SessionName}}", &[]));
        assert!(
            templated
                .iter()
                .any(|g| !g.certain && g.role_name == "ClusterRole/admin")
        );
        assert!(capabilities(&templated).is_empty());
        // everyone is in system:authenticated, which the bootstrap binds to discovery roles
        let anyone = rbac.grants(&identity("bob", &[]));
        assert!(anyone.iter().any(|g| g.via == Via::Authenticated));
        assert!(capabilities(&anyone).is_empty());
    }

    #[test]
    fn gains_are_named_by_what_they_allow() {
        let before = objects(BINDINGS);
        let after = objects(&format!(
            "{BINDINGS}- kind: Role
  apiVersion: rbac.authorization.k8s.io/v1
  metadata: {{name: pod-janitor, namespace: kube-system}}
  rules: [{{apiGroups: [''], resources: [pods], verbs: [delete]}}]
- kind: RoleBinding
  apiVersion: rbac.authorization.k8s.io/v1
  metadata: {{name: pod-janitor, namespace: kube-system}}
  roleRef: {{kind: Role, name: pod-janitor}}
  subjects: [{{kind: Group, name: viewers}}]
- kind: RoleBinding
  apiVersion: rbac.authorization.k8s.io/v1
  metadata: {{name: lease-reader, namespace: payments}}
  roleRef: {{kind: ClusterRole, name: system:aggregate-to-view}}
  subjects: [{{kind: Group, name: viewers}}]
"
        ));
        let who = identity("x", &["viewers"]);
        let (b, a) = (
            Rbac::new(&before).grants(&who),
            Rbac::new(&after).grants(&who),
        );
        assert_eq!(gained(&b, &a), ["can now delete pods in `kube-system`"]);
        assert!(gained(&a, &b).is_empty());
        assert!(gained(&a, &a).is_empty());
        // a binding of what `view` already holds gains nothing
        let only_view = objects(&format!(
            "{BINDINGS}- kind: RoleBinding
  apiVersion: rbac.authorization.k8s.io/v1
  metadata: {{name: again, namespace: payments}}
  roleRef: {{kind: ClusterRole, name: system:aggregate-to-view}}
  subjects: [{{kind: Group, name: viewers}}]
"
        ));
        assert!(gained(&b, &Rbac::new(&only_view).grants(&who)).is_empty());
    }

    #[test]
    fn globs() {
        assert!(glob("dev-*", "dev-a"));
        assert!(glob("dev-*", "dev-*"));
        assert!(!glob("dev-*", "prod"));
        assert!(glob("*", "x"));
        assert!(glob("a*c", "abbc"));
    }

    #[test]
    fn templates() {
        assert!(template_could_be("admin:{{SessionName}}", "admin:alice"));
        assert!(!template_could_be("admin:{{SessionName}}", "alice"));
        assert!(!template_could_be("admin:{{SessionName}}", "admin:"));
        assert!(template_could_be("{{SessionName}}", "alice"));
        assert!(!template_could_be("a*b", "axb"));
        assert!(template_could_be("{{AccountID}}:{{SessionName}}", "1:x"));
    }
}
