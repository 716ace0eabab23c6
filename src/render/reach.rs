//! `awsauth access`: per cluster, per IAM principal, its Kubernetes identity, the grants that
//! reach it and what they amount to; or the principals a request is allowed for (`--can`). As
//! text for people, or the JSON contract (README, "Who can do what").

use std::fmt::Write as _;

use serde::Serialize;

use super::access::{JsonPlace, place};
use super::escape;
use crate::model::access_entries::AuthMode;
use crate::model::cluster::{Applies, ClusterKey, From, Policy};
use crate::model::rbac::graph::Scope;
use crate::model::rbac::{Grant, PolicyRule, PrincipalAccess, Request, Via};

/// One cluster's principals with what reaches them.
pub struct View<'a> {
    /// How the cluster is told apart.
    pub key: ClusterKey,
    /// Its authentication mode, when known.
    pub mode: Option<AuthMode>,
    /// Whether the repository holds bindings of its own for it (else only the built-in ones
    /// are known).
    pub repo_rbac: bool,
    /// Its principals whose access applies (or may).
    pub people: Vec<PrincipalAccess<'a>>,
}

/// A principal a request is allowed for, with the grants that allow it.
pub struct Match<'v, 'a> {
    /// Its cluster.
    pub cluster: &'v ClusterKey,
    /// The principal.
    pub person: &'v PrincipalAccess<'a>,
    /// The grants that allow the request (the certain ones when there are any).
    pub via: Vec<&'v Grant<'a>>,
    /// Whether a certain grant allows it (`false`: only for some sessions).
    pub certain: bool,
}

/// Where a principal's access is declared: `aws-auth`, `access-entry` or `cluster-creator`.
fn declared(from: &From<'_>) -> (&'static str, JsonPlace) {
    match from {
        From::AwsAuth(_, obj, span) => ("aws-auth", place(&obj.file, span.start, None)),
        From::Entry(_, e) => (
            "access-entry",
            place(&e.file, e.span.start, Some(&e.origin.name)),
        ),
        From::Creator(_, c) => (
            "cluster-creator",
            place(&c.file, c.span.start, Some(&c.origin.name)),
        ),
    }
}

/// A binding, as JSON.
#[derive(Serialize)]
struct JsonBinding {
    kind: String,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace: Option<String>,
    /// `null` for a built-in binding.
    file: Option<String>,
    line: Option<usize>,
}

/// A rule, as JSON.
#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct JsonRule<'a> {
    api_groups: &'a [String],
    resources: &'a [String],
    verbs: &'a [String],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    resource_names: &'a [String],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    non_resource_urls: &'a [String],
}

/// A grant, as JSON.
#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct JsonGrant<'a> {
    via: &'a Via,
    /// `null` for an access policy.
    binding: Option<JsonBinding>,
    role: &'a str,
    /// `false`: the role is neither in the repository nor built in, its rules not known.
    role_known: bool,
    #[serde(flatten)]
    scope: &'a Scope,
    certain: bool,
    rules: Vec<JsonRule<'a>>,
}

fn json_grant<'a>(g: &'a Grant<'_>) -> JsonGrant<'a> {
    JsonGrant {
        via: &g.via,
        binding: g.binding.map(|b| JsonBinding {
            kind: b.kind.clone(),
            name: b.name().to_owned(),
            namespace: b.namespace().map(str::to_owned),
            file: (!b.is_builtin()).then(|| b.file.name.clone()),
            line: (!b.is_builtin()).then(|| b.file.line_col(b.span.start).line),
        }),
        role: &g.role_name,
        role_known: !g.role_missing(),
        scope: &g.scope,
        certain: g.certain,
        rules: g
            .rules
            .iter()
            .map(|r| JsonRule {
                api_groups: &r.api_groups,
                resources: &r.resources,
                verbs: &r.verbs,
                resource_names: &r.resource_names,
                non_resource_urls: &r.non_resource_urls,
            })
            .collect(),
    }
}

/// A capability, as JSON.
#[derive(Serialize)]
struct JsonReach {
    #[serde(flatten)]
    reach: crate::model::rbac::Reach,
    /// In words ("read secrets in `payments`").
    summary: String,
}

/// A principal, as JSON.
#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct JsonPrincipal<'a> {
    principal: &'a str,
    from: &'static str,
    at: JsonPlace,
    username: Option<&'a str>,
    /// Whether the username is a template (`{{SessionName}}`): a `User` subject matches it
    /// only for some sessions.
    username_templated: bool,
    groups: Vec<&'a str>,
    access_policies: Vec<&'a Policy>,
    /// `true`, or `null` when the cluster's mode is not in the repository.
    applies: Option<bool>,
    grants: Vec<JsonGrant<'a>>,
    can: Vec<JsonReach>,
}

fn json_principal<'a>(p: &'a PrincipalAccess<'_>) -> JsonPrincipal<'a> {
    let (from, at) = declared(&p.row.from);
    let username = p.row.identity.username.as_deref();
    JsonPrincipal {
        principal: &p.row.principal,
        from,
        at,
        username,
        username_templated: username.is_some_and(|u| u.contains("{{")),
        groups: p.row.identity.groups.iter().map(String::as_str).collect(),
        access_policies: p.row.identity.policies.iter().collect(),
        applies: matches!(p.row.applies, Applies::Yes).then_some(true),
        grants: p.grants.iter().map(json_grant).collect(),
        can: p
            .capabilities()
            .into_iter()
            .map(|r| JsonReach {
                summary: r.to_string(),
                reach: r,
            })
            .collect(),
    }
}

/// One cluster, as JSON.
#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct JsonCluster<'a> {
    cluster: &'a ClusterKey,
    mode: Option<AuthMode>,
    /// Whether the repository holds RBAC bindings for it (`false`: only the built-in ones
    /// are known).
    repository_rbac: bool,
    principals: Vec<JsonPrincipal<'a>>,
}

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    clusters: Vec<JsonCluster<'a>>,
}

fn finish(doc: &impl Serialize) -> String {
    let mut s = escape::json(serde_json::to_string_pretty(doc).unwrap_or_default());
    s.push('\n');
    s
}

/// The JSON document of the clusters' principals: `{"version":1,"clusters":[...]}`.
pub fn json(views: &[View<'_>]) -> String {
    let clusters = views
        .iter()
        .map(|v| JsonCluster {
            cluster: &v.key,
            mode: v.mode,
            repository_rbac: v.repo_rbac,
            principals: v.people.iter().map(json_principal).collect(),
        })
        .collect();
    finish(&Document {
        version: 1,
        clusters,
    })
}

/// The request of `--can`, as JSON.
#[derive(Serialize)]
struct JsonRequest<'a> {
    verb: &'a str,
    resource: &'a str,
    group: &'a str,
    namespace: Option<&'a str>,
    name: Option<&'a str>,
}

/// A principal the request is allowed for, as JSON.
#[derive(Serialize)]
struct JsonMatch<'a> {
    principal: &'a str,
    cluster: &'a ClusterKey,
    username: Option<&'a str>,
    groups: Vec<&'a str>,
    via: Vec<JsonGrant<'a>>,
    certain: bool,
}

#[derive(Serialize)]
struct CanDocument<'a> {
    version: u32,
    request: JsonRequest<'a>,
    principals: Vec<JsonMatch<'a>>,
}

/// The JSON document of `--can`: `{"version":1,"request":{...},"principals":[...]}`.
pub fn can_json(req: &Request, matches: &[Match<'_, '_>]) -> String {
    let principals = matches
        .iter()
        .map(|m| JsonMatch {
            principal: &m.person.row.principal,
            cluster: m.cluster,
            username: m.person.row.identity.username.as_deref(),
            groups: m
                .person
                .row
                .identity
                .groups
                .iter()
                .map(String::as_str)
                .collect(),
            via: m.via.iter().map(|g| json_grant(g)).collect(),
            certain: m.certain,
        })
        .collect();
    finish(&CanDocument {
        version: 1,
        request: JsonRequest {
            verb: &req.verb,
            resource: &req.resource,
            group: &req.group,
            namespace: req.namespace.as_deref(),
            name: req.name.as_deref(),
        },
        principals,
    })
}

fn cluster_name(key: &ClusterKey) -> String {
    match key {
        ClusterKey::Name(n) => format!("cluster {n}"),
        ClusterKey::Directory(d) if d.is_empty() => "cluster (unnamed)".to_owned(),
        ClusterKey::Directory(d) => format!("cluster (unnamed, in {d})"),
    }
}

fn at(p: &JsonPlace) -> String {
    format!("{}:{}", escape::name(&p.file), p.line)
}

/// A grant in a line: `ClusterRole/view in `payments`, via group `auditors`: RoleBinding
/// payments/auditors-view (rbac.yaml:12)`, with its limits.
fn grant_line(g: &Grant<'_>) -> String {
    let mut line = format!("{} {}, via {}", g.role_name, g.scope, g.via);
    match g.binding {
        Some(b) if b.is_builtin() => {
            let _ = write!(line, ": {} {} (built-in)", b.kind, b.name());
        }
        Some(b) => {
            let ns = b.namespace().map(|n| format!("{n}/")).unwrap_or_default();
            let place = place(&b.file, b.span.start, None);
            let _ = write!(line, ": {} {ns}{} ({})", b.kind, b.name(), at(&place));
        }
        None => {}
    }
    if g.role_missing() {
        line.push_str(if g.binding.is_some() {
            "; role not in the repository: its rules are not known"
        } else {
            "; access policy not in the built-in data: its rules are not known"
        });
    }
    if !g.certain {
        line.push_str("; only for some sessions");
    }
    line
}

/// A list of a rule in words: `*` is `every` this.
fn listed(items: &[String], every: &str) -> String {
    if items.iter().any(|i| i == "*") {
        every.to_owned()
    } else {
        items.join(", ")
    }
}

/// A rule in words: `get, list secrets`, `create deployments (apps)`, `get /healthz`,
/// `every verb on every resource (every API group)`.
fn rule_line(r: &PolicyRule) -> String {
    let verbs = listed(&r.verbs, "every verb on");
    if !r.non_resource_urls.is_empty() {
        let urls = listed(&r.non_resource_urls, "every non-resource URL");
        return format!("{verbs} {urls}");
    }
    let mut line = format!("{verbs} {}", listed(&r.resources, "every resource"));
    let groups: Vec<String> = r
        .api_groups
        .iter()
        .filter(|g| !g.is_empty())
        .cloned()
        .collect();
    if !groups.is_empty() {
        let _ = write!(line, " ({})", listed(&groups, "every API group"));
    }
    if !r.resource_names.is_empty() {
        let _ = write!(line, " named {}", r.resource_names.join(", "));
    }
    line
}

/// The identity of a principal in a line.
fn identity_line(p: &PrincipalAccess<'_>) -> String {
    let (from, place) = declared(&p.row.from);
    let id = &p.row.identity;
    let mut parts = Vec::new();
    if let Some(u) = &id.username {
        parts.push(format!("username `{u}`"));
    }
    if !id.groups.is_empty() {
        let groups: Vec<String> = id.groups.iter().map(|g| format!("`{g}`")).collect();
        parts.push(format!("groups {}", groups.join(", ")));
    }
    for pol in &id.policies {
        parts.push(format!("access policy {} ({})", pol.policy, pol.scope));
    }
    if parts.is_empty() {
        parts.push("no username, groups or access policies".to_owned());
    }
    format!("{} ({from}, {})", parts.join(", "), at(&place))
}

/// One principal, as text.
fn principal_text(p: &PrincipalAccess<'_>, rules: bool, out: &mut String) {
    let _ = writeln!(out, "{}", escape::text(&p.row.principal));
    let _ = writeln!(out, "  identity: {}", escape::text(&identity_line(p)));
    if let Some(u) = p
        .row
        .identity
        .username
        .as_deref()
        .filter(|u| u.contains("{{"))
    {
        let _ = writeln!(
            out,
            "  note: `{}` is a template: a User subject matches it only for some sessions",
            escape::text(u)
        );
    }
    if p.grants.is_empty() {
        out.push_str("  grants: none\n");
    } else {
        out.push_str("  grants:\n");
        for g in &p.grants {
            let _ = writeln!(out, "    - {}", escape::text(&grant_line(g)));
            if rules {
                for r in &g.rules {
                    let _ = writeln!(out, "        {}", escape::text(&rule_line(r)));
                }
            }
        }
    }
    let can: Vec<String> = p.capabilities().iter().map(ToString::to_string).collect();
    if can.is_empty() {
        out.push_str("  can: none of the summarised capabilities\n");
    } else {
        let _ = writeln!(out, "  can: {}", escape::text(&can.join("; ")));
    }
}

/// Each cluster's principals as text (`rules`: each grant's rules too, for `--principal`, which
/// says nothing here when it matched nothing).
pub fn table(views: &[View<'_>], rules: bool) -> String {
    let mut out = String::new();
    for v in views {
        let mode = v.mode.map_or_else(
            || "authentication mode not declared in the repository".to_owned(),
            |m| format!("authentication mode {}", m.as_str()),
        );
        let _ = writeln!(out, "{}: {mode}", escape::text(&cluster_name(&v.key)));
        if !v.repo_rbac {
            out.push_str(
                "note: the repository holds no RBAC bindings for this cluster: only built-in bindings are known\n",
            );
        }
        out.push('\n');
        for p in &v.people {
            principal_text(p, rules, &mut out);
            out.push('\n');
        }
    }
    if out.is_empty() && !rules {
        out.push_str("no aws-auth mappings or access entries found in the files read\n");
    }
    out
}

/// The principals a request is allowed for, as text (`several`: the files hold several
/// clusters, each principal says its own).
pub fn can_table(req: &Request, matches: &[Match<'_, '_>], several: bool) -> String {
    let mut out = String::new();
    let name = |m: &Match<'_, '_>| {
        if several {
            format!("{} in {}", m.person.row.principal, cluster_name(m.cluster))
        } else {
            m.person.row.principal.clone()
        }
    };
    let (sure, possibly): (Vec<_>, Vec<_>) = matches.iter().partition(|m| m.certain);
    if sure.is_empty() {
        let _ = writeln!(
            out,
            "no IAM principal can {}",
            escape::text(&req.to_string())
        );
    } else {
        let _ = writeln!(
            out,
            "IAM principals that can {}:",
            escape::text(&req.to_string())
        );
    }
    for m in &sure {
        let _ = writeln!(out, "  {}", escape::text(&name(m)));
        for g in &m.via {
            let _ = writeln!(out, "    - {}", escape::text(&grant_line(g)));
        }
    }
    if !possibly.is_empty() {
        out.push_str("possibly (only for some sessions):\n");
        for m in &possibly {
            let _ = writeln!(out, "  {}", escape::text(&name(m)));
            for g in &m.via {
                let _ = writeln!(out, "    - {}", escape::text(&grant_line(g)));
            }
        }
    }
    out
}
