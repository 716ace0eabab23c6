//! What grants allow: Kubernetes' matching of a request against a rule, the capabilities a set
//! of grants amounts to, and what a change gains.
//!
//! A rule allows a request when its `verbs` hold the verb (or `*`), its `apiGroups` the API
//! group (or `*`), its `resources` the resource (or `*`, or `*/sub` for any resource's
//! subresource `sub`), and its `resourceNames` are empty or hold the request's name — as
//! Kubernetes' RBAC authorizer decides. A request for `*` is allowed only by a rule written
//! with `*`: asking whether a grant allows "everything" is asking whether it says so.

use std::collections::BTreeSet;

use serde::Serialize;

use super::PolicyRule;
use super::graph::{Grant, Scope};

/// A request, as `kubectl auth can-i` takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The verb (`get`, `create`, ..., `*`).
    pub verb: String,
    /// The API group (`""` for the core group).
    pub group: String,
    /// The resource, with its subresource (`pods/exec`).
    pub resource: String,
    /// The namespace (`None`: cluster-wide, which only a cluster-wide grant allows).
    pub namespace: Option<String>,
    /// The object's name, when the request names one.
    pub name: Option<String>,
}

/// The API group of the resources people ask about without one (`deployments` is `apps`),
/// as the API server's discovery would resolve them; anything else is the core group.
const GROUPS: &[(&str, &str)] = &[
    ("deployments", "apps"),
    ("daemonsets", "apps"),
    ("statefulsets", "apps"),
    ("replicasets", "apps"),
    ("controllerrevisions", "apps"),
    ("jobs", "batch"),
    ("cronjobs", "batch"),
    ("roles", "rbac.authorization.k8s.io"),
    ("rolebindings", "rbac.authorization.k8s.io"),
    ("clusterroles", "rbac.authorization.k8s.io"),
    ("clusterrolebindings", "rbac.authorization.k8s.io"),
    ("ingresses", "networking.k8s.io"),
    ("networkpolicies", "networking.k8s.io"),
    ("horizontalpodautoscalers", "autoscaling"),
    ("poddisruptionbudgets", "policy"),
    ("customresourcedefinitions", "apiextensions.k8s.io"),
    ("certificatesigningrequests", "certificates.k8s.io"),
    (
        "validatingwebhookconfigurations",
        "admissionregistration.k8s.io",
    ),
    (
        "mutatingwebhookconfigurations",
        "admissionregistration.k8s.io",
    ),
    ("leases", "coordination.k8s.io"),
    ("endpointslices", "discovery.k8s.io"),
    ("storageclasses", "storage.k8s.io"),
];

impl Request {
    /// A request from the words `kubectl auth can-i` takes: `secrets`, `pods/exec`,
    /// `deployments.apps`, `deployments.apps/scale`, `*`.
    ///
    /// # Errors
    /// An empty verb or resource.
    pub fn parse(verb: &str, resource: &str, namespace: Option<&str>) -> Result<Self, String> {
        let (verb, resource) = (verb.trim(), resource.trim());
        if verb.is_empty() || resource.is_empty() {
            return Err("a request needs a verb and a resource".to_owned());
        }
        let (base, sub) = match resource.split_once('/') {
            Some((b, s)) => (b, Some(s)),
            None => (resource, None),
        };
        let (name, group) = match base.split_once('.') {
            Some((n, g)) => (n.to_owned(), g.to_owned()),
            None if base == "*" => ("*".to_owned(), "*".to_owned()),
            None => {
                let lower = base.to_ascii_lowercase();
                let group = GROUPS
                    .iter()
                    .find(|(r, _)| *r == lower)
                    .map_or("", |(_, g)| g);
                (lower, group.to_owned())
            }
        };
        let resource = match sub {
            Some(s) => format!("{name}/{s}"),
            None => name,
        };
        Ok(Self {
            verb: verb.to_ascii_lowercase(),
            group,
            resource,
            namespace: namespace.map(str::to_owned),
            name: None,
        })
    }

    fn new(verb: &str, group: &str, resource: &str, namespace: Option<&str>) -> Self {
        Self {
            verb: verb.to_owned(),
            group: group.to_owned(),
            resource: resource.to_owned(),
            namespace: namespace.map(str::to_owned),
            name: None,
        }
    }
}

impl std::fmt::Display for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.verb, self.resource)?;
        if !self.group.is_empty() && self.group != "*" {
            write!(f, " ({})", self.group)?;
        }
        if let Some(n) = &self.name {
            write!(f, " `{n}`")?;
        }
        match &self.namespace {
            Some(ns) => write!(f, " in `{ns}`"),
            None => f.write_str(" cluster-wide"),
        }
    }
}

fn has(list: &[String], want: &str) -> bool {
    list.iter().any(|x| x == "*" || x == want)
}

/// Whether a rule allows a request (its namespace aside, which is the grant's).
pub fn rule_allows(rule: &PolicyRule, req: &Request) -> bool {
    let resource = rule.resources.iter().any(|r| {
        r == "*"
            || *r == req.resource
            || req
                .resource
                .split_once('/')
                .is_some_and(|(_, sub)| r.strip_prefix("*/") == Some(sub))
    });
    let named = rule.resource_names.is_empty()
        || req
            .name
            .as_ref()
            .is_some_and(|n| rule.resource_names.iter().any(|x| x == n));
    has(&rule.verbs, &req.verb) && has(&rule.api_groups, &req.group) && resource && named
}

impl Grant<'_> {
    /// Whether it allows a request.
    pub fn allows(&self, req: &Request) -> bool {
        self.scope.covers(req.namespace.as_deref())
            && self.rules.iter().any(|r| rule_allows(r, req))
    }
}

/// What a set of grants amounts to, in words people review by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Capability {
    /// Every verb on every resource (`*`/`*`/`*`): cluster-admin cluster-wide, admin of a
    /// namespace.
    Everything,
    /// Rewrite the aws-auth `ConfigMap`: decide who is cluster-admin.
    RewriteAwsAuth,
    /// Create bindings or bind and escalate roles: grant themselves more.
    GrantRbac,
    /// Impersonate service accounts.
    Impersonate,
    /// Read Secrets.
    ReadSecrets,
    /// Exec into pods.
    ExecPods,
    /// Create pods.
    CreatePods,
    /// Delete pods.
    DeletePods,
    /// Change deployments.
    ChangeWorkloads,
    /// Read every resource.
    ReadEverything,
}

impl Capability {
    /// Every capability, strongest first.
    pub const ALL: [Self; 10] = [
        Self::Everything,
        Self::RewriteAwsAuth,
        Self::GrantRbac,
        Self::Impersonate,
        Self::ReadSecrets,
        Self::ExecPods,
        Self::CreatePods,
        Self::DeletePods,
        Self::ChangeWorkloads,
        Self::ReadEverything,
    ];

    /// The request that shows it, in a namespace (or cluster-wide).
    pub fn request(self, namespace: Option<&str>) -> Request {
        let r = |verb, group, resource| Request::new(verb, group, resource, namespace);
        match self {
            Self::Everything => r("*", "*", "*"),
            Self::RewriteAwsAuth => Request {
                name: Some("aws-auth".to_owned()),
                ..Request::new("update", "", "configmaps", Some("kube-system"))
            },
            Self::GrantRbac => r("create", "rbac.authorization.k8s.io", "rolebindings"),
            Self::Impersonate => r("impersonate", "", "serviceaccounts"),
            Self::ReadSecrets => r("get", "", "secrets"),
            Self::ExecPods => r("create", "", "pods/exec"),
            Self::CreatePods => r("create", "", "pods"),
            Self::DeletePods => r("delete", "", "pods"),
            Self::ChangeWorkloads => r("patch", "apps", "deployments"),
            Self::ReadEverything => r("list", "*", "*"),
        }
    }

    /// What it lets one do, as a phrase after "can".
    pub fn phrase(self) -> &'static str {
        match self {
            Self::Everything => "do anything",
            Self::RewriteAwsAuth => "rewrite the aws-auth ConfigMap",
            Self::GrantRbac => "grant RBAC roles",
            Self::Impersonate => "impersonate service accounts",
            Self::ReadSecrets => "read secrets",
            Self::ExecPods => "exec into pods",
            Self::CreatePods => "create pods",
            Self::DeletePods => "delete pods",
            Self::ChangeWorkloads => "change deployments",
            Self::ReadEverything => "read every resource",
        }
    }
}

/// A capability where it holds.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Reach {
    /// What.
    pub capability: Capability,
    /// Where.
    #[serde(flatten)]
    pub scope: Scope,
}

impl std::fmt::Display for Reach {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.capability, &self.scope) {
            (Capability::Everything, Scope::Cluster) => f.write_str("act as cluster-admin"),
            (Capability::RewriteAwsAuth, _) => f.write_str(self.capability.phrase()),
            (c, Scope::Cluster) => write!(f, "{} in every namespace", c.phrase()),
            (c, s) => write!(f, "{} {s}", c.phrase()),
        }
    }
}

/// The namespace a capability's request is asked in, for a scope.
fn namespace_for(capability: Capability, scope: &Scope) -> Option<&str> {
    match (capability, scope) {
        (Capability::RewriteAwsAuth, _) => Some("kube-system"),
        (_, Scope::Cluster) => None,
        (_, Scope::Namespace(n)) => Some(n.as_str()),
    }
}

/// Whether certain grants allow a capability in a scope.
fn holds(grants: &[Grant<'_>], reach: &Reach) -> bool {
    let req = reach
        .capability
        .request(namespace_for(reach.capability, &reach.scope));
    grants.iter().any(|g| g.certain && g.allows(&req))
}

/// What certain grants amount to, summarised: cluster-admin says it all; a capability
/// cluster-wide is not repeated per namespace; `do anything` in a namespace says the rest of
/// that namespace. (Each grant is asked alone: every capability is one request, which one
/// rule allows; the work is linear in the grants.)
pub fn capabilities(grants: &[Grant<'_>]) -> Vec<Reach> {
    let mut found: BTreeSet<Reach> = BTreeSet::new();
    for g in grants.iter().filter(|g| g.certain) {
        for capability in Capability::ALL {
            let req = capability.request(namespace_for(capability, &g.scope));
            if g.allows(&req) {
                let scope = match capability {
                    Capability::RewriteAwsAuth => Scope::Namespace("kube-system".to_owned()),
                    _ => g.scope.clone(),
                };
                found.insert(Reach { capability, scope });
            }
        }
    }
    let has = |capability, scope: &Scope| {
        found.contains(&Reach {
            capability,
            scope: scope.clone(),
        })
    };
    let admin = has(Capability::Everything, &Scope::Cluster);
    let mut out: Vec<Reach> = found
        .iter()
        .filter(|r| {
            let everything = r.capability == Capability::Everything;
            if admin {
                return everything && r.scope == Scope::Cluster;
            }
            let ns = r.scope != Scope::Cluster && r.capability != Capability::RewriteAwsAuth;
            !(ns && has(r.capability, &Scope::Cluster)
                || ns && !everything && has(Capability::Everything, &r.scope))
        })
        .cloned()
        .collect();
    // cluster-wide first, then by namespace; strongest first within each
    out.sort_by(|a, b| (&a.scope, a.capability).cmp(&(&b.scope, b.capability)));
    out
}

/// How many rule checks [`gained`] makes at most, past the capabilities (a rule of many verbs,
/// groups, resources and names spells out their product, each asked of every rule before).
pub const MAX_CHECKS: usize = 10_000_000;

/// What `after` allows that `before` did not, in words ("can now delete pods in `kube-system`"),
/// strongest first; empty when it gains nothing. Capabilities first; then any request a rule
/// of `after` allows (each verb, API group, resource and name it writes, in its scope) that no
/// grant of `before` allows (within [`MAX_CHECKS`] rule checks).
pub fn gained(before: &[Grant<'_>], after: &[Grant<'_>]) -> Vec<String> {
    let mut budget = MAX_CHECKS;
    gained_within(before, after, &mut budget)
}

/// [`gained`] within a budget of rule checks shared by the caller's calls (a `diff` of thousands
/// of principals asks for each): past it, only the capabilities are compared.
pub fn gained_within(before: &[Grant<'_>], after: &[Grant<'_>], budget: &mut usize) -> Vec<String> {
    let mut out: Vec<String> = capabilities(after)
        .into_iter()
        .filter(|r| !holds(before, r))
        .map(|r| format!("can now {r}"))
        .collect();
    if !out.is_empty() {
        return out;
    }
    // what one request costs: a check against every rule of `before`
    let cost = before.iter().map(|b| b.rules.len()).sum::<usize>().max(1);
    for g in after.iter().filter(|g| g.certain) {
        let ns = match &g.scope {
            Scope::Cluster => None,
            Scope::Namespace(n) => Some(n.as_str()),
        };
        for rule in &g.rules {
            for req in requests(rule, ns) {
                let Some(left) = budget.checked_sub(cost) else {
                    return out;
                };
                *budget = left;
                let allowed = before.iter().any(|b| b.certain && b.allows(&req));
                if !allowed {
                    out.push(format!("can now {req}"));
                    return out;
                }
            }
        }
    }
    out
}

/// Every request a rule spells out (its verbs, groups, resources and names), in a namespace.
fn requests<'r>(rule: &'r PolicyRule, ns: Option<&'r str>) -> impl Iterator<Item = Request> + 'r {
    let names: Vec<Option<&String>> = if rule.resource_names.is_empty() {
        vec![None]
    } else {
        rule.resource_names.iter().map(Some).collect()
    };
    rule.verbs.iter().flat_map(move |v| {
        let names = names.clone();
        rule.api_groups.iter().flat_map(move |g| {
            let names = names.clone();
            rule.resources.iter().flat_map(move |r| {
                names.clone().into_iter().map(move |n| Request {
                    name: n.cloned(),
                    ..Request::new(v, g, r, ns)
                })
            })
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    fn rule(groups: &[&str], resources: &[&str], verbs: &[&str], names: &[&str]) -> PolicyRule {
        let v = |x: &[&str]| x.iter().map(|s| (*s).to_owned()).collect();
        PolicyRule {
            span: Span::default(),
            api_groups: v(groups),
            resources: v(resources),
            verbs: v(verbs),
            resource_names: v(names),
            non_resource_urls: Vec::new(),
        }
    }

    #[test]
    fn gains_are_weighed_within_a_budget() {
        use crate::model::rbac::graph::Via;
        // a hostile rule: 300 verbs on 300 resources, every request of it already allowed
        let many: Vec<String> = (0..300).map(|i| format!("x{i}")).collect();
        let refs: Vec<&str> = many.iter().map(String::as_str).collect();
        let huge = rule(&[""], &refs, &refs, &[]);
        let all = rule(&["*"], &["*"], &["*"], &[]);
        let more = rule(&[""], &["late"], &["get"], &[]);
        let grant = |rules: Vec<&'static PolicyRule>| Grant {
            via: Via::Authenticated,
            binding: None,
            role: None,
            role_name: "r".to_owned(),
            scope: Scope::Namespace("n".to_owned()),
            rules,
            certain: true,
        };
        let (huge, all, more) = (
            Box::leak(Box::new(huge)),
            Box::leak(Box::new(all)),
            Box::leak(Box::new(more)),
        );
        let before = [grant(vec![all])];
        let after = [grant(vec![huge, more])];
        // everything allowed before: nothing gained, and the budget bounds the work
        let mut budget = 1_000;
        assert!(gained_within(&before, &after, &mut budget).is_empty());
        assert_eq!(budget, 0);
        // a later call of the same diff no longer expands rules
        let narrow = [grant(vec![huge])];
        assert!(gained_within(&narrow, &after, &mut budget).is_empty());
        // with budget enough, the request nothing allowed before is named
        assert_eq!(gained(&narrow, &after), ["can now get late in `n`"]);
    }

    #[test]
    fn parses_kubectl_words() {
        let r = Request::parse("get", "deployments.apps/scale", Some("x")).unwrap();
        assert_eq!(
            (r.group.as_str(), r.resource.as_str()),
            ("apps", "deployments/scale")
        );
        let r = Request::parse("get", "deployments", None).unwrap();
        assert_eq!(r.group, "apps");
        let r = Request::parse("get", "secrets", None).unwrap();
        assert_eq!(r.group, "");
        assert!(Request::parse("", "secrets", None).is_err());
    }

    #[test]
    fn matches_as_kubernetes() {
        let req = Request::parse("create", "pods/exec", Some("a")).unwrap();
        assert!(rule_allows(
            &rule(&[""], &["pods/exec"], &["create"], &[]),
            &req
        ));
        assert!(rule_allows(&rule(&["*"], &["*/exec"], &["*"], &[]), &req));
        assert!(!rule_allows(
            &rule(&[""], &["pods"], &["create"], &[]),
            &req
        ));
        assert!(!rule_allows(&rule(&["apps"], &["*"], &["*"], &[]), &req));
        let get = Request::parse("get", "secrets", None).unwrap();
        assert!(!rule_allows(
            &rule(&[""], &["secrets"], &["get"], &["a"]),
            &get
        ));
        let everything = Request::parse("*", "*", None).unwrap();
        assert!(!rule_allows(
            &rule(&["*"], &["*"], &["get"], &[]),
            &everything
        ));
        assert!(rule_allows(&rule(&["*"], &["*"], &["*"], &[]), &everything));
    }
}
