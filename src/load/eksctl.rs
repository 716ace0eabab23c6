//! Source format: eksctl's `ClusterConfig` (`apiVersion: eksctl.io/...`), whose
//! `iamIdentityMappings` eksctl writes into aws-auth when it applies the config. Each mapping
//! becomes an entry of `mapRoles` or `mapUsers` by its ARN (`account` mappings become accounts,
//! `serviceName` mappings the service-linked role eksctl maps); what eksctl refuses is dropped.
//!
//! Its `accessConfig` ([`read_access`]) declares the cluster's authentication mode (eksctl's
//! default: `API_AND_CONFIG_MAP`), `bootstrapClusterCreatorAdminPermissions` (the API's default:
//! `true`) and `accessEntries`, each with its `accessPolicies`.

use super::{Document, Format, Reads, finish, new_object, scalar_field};
use crate::model::access_entries::{
    AccessConfig, AccessDecls, AccessEntry, AuthMode, Origin, PolicyAssociation, Tool,
};
use crate::model::{Account, AwsAuth, Entry, Field, SectionKind, SourceKind, Status};
use crate::yaml::resolve::{Scalar, resolve};
use crate::yaml::{Node, Style};

/// The eksctl format.
pub(super) const FORMAT: Format = Format {
    takes: is_eksctl,
    reads: Reads::AwsAuth(load_eksctl),
};

fn is_eksctl(doc: &Document<'_>) -> bool {
    doc.kind == Some("ClusterConfig")
        && doc
            .root
            .get("apiVersion")
            .and_then(Node::as_str)
            .is_some_and(|v| v.starts_with("eksctl.io/"))
}

/// The `iamIdentityMappings` of a `ClusterConfig`, as eksctl maps them.
fn load_eksctl(doc: &Document<'_>) -> Option<AwsAuth> {
    let (file, document, root) = (doc.file, doc.index, doc.root);
    let (_, mappings) = root.entry("iamIdentityMappings")?;
    let mut obj = new_object(file, document, SourceKind::Eksctl, root);
    obj.name = scalar_field(file, root.get("metadata").and_then(|m| m.get("name")));
    let items = mappings.as_seq().unwrap_or_default();
    let (mut roles, mut users) = (0, 0);
    for item in items {
        if let Some(account) = string_field(item, "account") {
            obj.accounts.push(Account {
                value: account.value,
                span: account.span,
                stored: true,
            });
            continue;
        }
        obj.entries.push(mapping(item, &mut roles, &mut users));
    }
    finish(&mut obj);
    Some(obj)
}

/// A string value of a mapping (a number, boolean or null written bare is not one).
pub(super) fn string_field(item: &Node, key: &str) -> Option<Field> {
    let node = item.get(key)?;
    let s = node.as_str()?;
    let t = node.resolved();
    matches!(
        resolve(s, t.style().unwrap_or(Style::Plain), t.tag.as_deref()),
        Scalar::Str
    )
    .then(|| Field {
        value: s.to_owned(),
        span: node.span.clone(),
    })
}

/// A role or user mapping, numbered in its section (`roles` and `users` count them); dropped
/// when eksctl refuses it.
fn mapping(item: &Node, roles: &mut usize, users: &mut usize) -> Entry {
    let field = |key: &str| string_field(item, key);
    let arn = field("arn").filter(|a| !a.value.is_empty());
    let resource = arn
        .as_ref()
        .and_then(|a| a.value.splitn(6, ':').nth(5).map(str::to_owned))
        .unwrap_or_default();
    let section = if resource.starts_with("user/") {
        SectionKind::MapUsers
    } else {
        SectionKind::MapRoles
    };
    let index = if section == SectionKind::MapUsers {
        users
    } else {
        roles
    };
    let mut entry = Entry {
        section,
        index: *index,
        span: item.span.clone(),
        arn,
        sso: None,
        username: field("username"),
        groups: super::group_fields(Some(item)),
        status: Status::Effective,
        note: None,
        service: None,
    };
    *index += 1;
    if let Some(service) = field("serviceName") {
        let ns = field("namespace").map_or_else(|| "?".to_owned(), |n| n.value);
        entry.note = Some(format!(
            "eksctl maps the `{}` service-linked role for namespace `{ns}` when it applies the config",
            service.value
        ));
        entry.service = Some((service.value, ns));
    } else if entry.arn.is_none() {
        entry.status = Status::Dropped("eksctl requires `arn`, `account` or `serviceName`".into());
    } else if !resource.starts_with("role/") && !resource.starts_with("user/") {
        entry.status = Status::Dropped("eksctl rejects it: arn is neither user nor role".into());
    }
    entry
}

/// The `accessConfig` of a `ClusterConfig`: the cluster's access settings and its access
/// entries.
pub(super) fn read_access(doc: &Document<'_>, out: &mut AccessDecls) {
    if !is_eksctl(doc) {
        return;
    }
    let (file, root) = (doc.file, doc.root);
    let Some((key, config)) = root.entry("accessConfig") else {
        return;
    };
    let cluster = scalar_field(file, root.get("metadata").and_then(|m| m.get("name")));
    out.configs.push(AccessConfig {
        file: std::sync::Arc::clone(file),
        origin: origin("accessConfig".to_owned()),
        span: key.span.clone(),
        cluster: cluster.clone(),
        mode: scalar_field(file, config.get("authenticationMode")),
        default_mode: AuthMode::ApiAndConfigMap,
        bootstrap_admin: bool_field(config.get("bootstrapClusterCreatorAdminPermissions")),
        default_bootstrap_admin: true,
    });
    let items = config
        .get("accessEntries")
        .and_then(Node::as_seq)
        .unwrap_or_default();
    for (i, item) in items.iter().enumerate() {
        let field = |key: &str| scalar_field(file, item.get(key));
        out.entries.push(AccessEntry {
            file: std::sync::Arc::clone(file),
            origin: origin(format!("accessConfig.accessEntries[{i}]")),
            span: item.span.clone(),
            cluster: cluster.clone(),
            principal: field("principalARN"),
            entry_type: field("type"),
            username: field("kubernetesUsername"),
            groups: strings(item.get("kubernetesGroups")),
            policies: item
                .get("accessPolicies")
                .and_then(Node::as_seq)
                .unwrap_or_default()
                .iter()
                .map(|p| policy(file, p))
                .collect(),
            implicit: None,
        });
    }
}

fn origin(name: String) -> Origin {
    Origin {
        tool: Tool::Eksctl,
        name,
    }
}

/// One of `accessPolicies`.
fn policy(file: &crate::source::SourceFile, node: &Node) -> PolicyAssociation {
    let scope = node.get("accessScope");
    PolicyAssociation {
        span: node.span.clone(),
        policy: scalar_field(file, node.get("policyARN")),
        scope: scalar_field(file, scope.and_then(|s| s.get("type"))),
        namespaces: strings(scope.and_then(|s| s.get("namespaces"))),
    }
}

/// The string items of a list (a non-list holds none).
fn strings(node: Option<&Node>) -> Vec<Field> {
    node.and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|n| {
            Some(Field {
                value: n.as_str()?.to_owned(),
                span: n.span.clone(),
            })
        })
        .collect()
}

/// A boolean as `true`/`false` (YAML 1.1 spellings read as eksctl's decoder does); any other
/// scalar as written.
fn bool_field(node: Option<&Node>) -> Option<Field> {
    let node = node?;
    let text = node.as_str()?;
    let t = node.resolved();
    let value = match resolve(text, t.style().unwrap_or(Style::Plain), t.tag.as_deref()) {
        Scalar::Bool(b) => b.to_string(),
        _ => text.to_owned(),
    };
    Some(Field {
        value,
        span: node.span.clone(),
    })
}
