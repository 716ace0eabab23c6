//! The rules. One module per rule, named after it, holding its documentation and its check.
//! Rules only report: they read the loaded model and push [`Diagnostic`]s.

use crate::config::Cluster;
use crate::diagnostic::Diagnostic;
use crate::load::FileLoad;
use crate::model::AwsAuth;
use crate::model::Field;
use crate::model::access_entries::AccessDecls;
use crate::model::cluster::{self, Applies, From, Joined, Part, Row};
use crate::model::rbac::{Capability, Grant, Rbac, Via};
use crate::registry::Rule;
use crate::source::{SourceFile, Span};
use rayon::prelude::*;
use std::sync::Arc;

// what the rules share with the rest of the program lives in the model; named here too, as
// the rules have always called them
pub use crate::model::effective::{active_entries, lost_mappings};
pub use crate::model::identity::{
    entry_works_as_node, is_node_identity, is_node_mapping, works_as_node,
};

pub mod access_entry_role_path;
pub mod access_entry_type;
pub mod arn_pattern;
pub mod arn_section_mismatch;
pub mod association_without_entry;
pub mod authentication_mode;
pub mod aws_auth_writer;
pub mod cluster_admin_policy;
pub mod conflicting_access;
pub mod creator_admin;
pub mod cross_account_principal;
pub mod data_not_string;
pub mod duplicate_arn;
pub mod duplicate_key;
pub mod effective_cluster_admin;
pub mod empty_section_style;
pub mod group_hygiene;
pub mod iam_user_mapping;
pub mod invalid_access_policy;
pub mod invalid_access_principal;
pub mod invalid_account;
pub mod invalid_suppression;
pub mod invalid_terraform;
pub mod invalid_yaml;
pub mod malformed_arn;
pub mod malformed_configmap;
pub mod map_accounts;
pub mod missing_arn;
pub mod missing_username;
pub mod multiline_plain_scalar;
pub mod node_entry_account;
pub mod node_mapping;
pub mod noncanonical_key_case;
pub mod not_a_principal;
pub mod overwrites_node_roles;
pub mod platform_node_groups;
pub mod prefer_access_entries;
pub mod privileged_node_identity;
pub mod reserved_group;
pub mod reserved_username;
pub mod role_arn_path;
pub mod root_principal;
pub mod secrets_reader;
pub mod section_not_list;
pub mod section_parse_error;
pub mod session_arn;
pub mod session_controlled_identity;
pub mod session_name_colon;
pub mod sso_matcher;
pub mod system_masters;
pub mod system_masters_binding;
pub mod template_context;
pub mod templated_file;
pub mod unbound_group;
pub mod unknown_data_key;
pub mod unknown_entry_key;
pub mod unknown_partition;
pub mod unknown_system_group;
pub mod unknown_template;
pub mod unquoted_template;
pub mod unused_suppression;
pub mod username_audit_trail;
pub mod value_type_mismatch;
pub mod wrong_namespace;

/// Every rule, sorted by name.
pub static RULES: &[&Rule] = &[
    &access_entry_role_path::ACCESS_ENTRY_ROLE_PATH,
    &access_entry_type::ACCESS_ENTRY_TYPE,
    &arn_pattern::ARN_PATTERN,
    &arn_section_mismatch::ARN_SECTION_MISMATCH,
    &association_without_entry::ASSOCIATION_WITHOUT_ENTRY,
    &authentication_mode::AUTHENTICATION_MODE,
    &aws_auth_writer::AWS_AUTH_WRITER,
    &cluster_admin_policy::CLUSTER_ADMIN_POLICY,
    &conflicting_access::CONFLICTING_ACCESS,
    &creator_admin::CREATOR_ADMIN,
    &cross_account_principal::CROSS_ACCOUNT_PRINCIPAL,
    &data_not_string::DATA_NOT_STRING,
    &duplicate_arn::DUPLICATE_ARN,
    &duplicate_key::DUPLICATE_KEY,
    &effective_cluster_admin::EFFECTIVE_CLUSTER_ADMIN,
    &empty_section_style::EMPTY_SECTION_STYLE,
    &group_hygiene::GROUP_HYGIENE,
    &iam_user_mapping::IAM_USER_MAPPING,
    &invalid_access_policy::INVALID_ACCESS_POLICY,
    &invalid_access_principal::INVALID_ACCESS_PRINCIPAL,
    &invalid_account::INVALID_ACCOUNT,
    &invalid_suppression::INVALID_SUPPRESSION,
    &invalid_terraform::INVALID_TERRAFORM,
    &invalid_yaml::INVALID_YAML,
    &malformed_arn::MALFORMED_ARN,
    &malformed_configmap::MALFORMED_CONFIGMAP,
    &map_accounts::MAP_ACCOUNTS,
    &missing_arn::MISSING_ARN,
    &missing_username::MISSING_USERNAME,
    &multiline_plain_scalar::MULTILINE_PLAIN_SCALAR,
    &node_entry_account::NODE_ENTRY_ACCOUNT,
    &node_mapping::NODE_MAPPING,
    &noncanonical_key_case::NONCANONICAL_KEY_CASE,
    &not_a_principal::NOT_A_PRINCIPAL,
    &overwrites_node_roles::OVERWRITES_NODE_ROLES,
    &platform_node_groups::PLATFORM_NODE_GROUPS,
    &prefer_access_entries::PREFER_ACCESS_ENTRIES,
    &privileged_node_identity::PRIVILEGED_NODE_IDENTITY,
    &reserved_group::RESERVED_GROUP,
    &reserved_username::RESERVED_USERNAME,
    &role_arn_path::ROLE_ARN_PATH,
    &root_principal::ROOT_PRINCIPAL,
    &secrets_reader::SECRETS_READER,
    &section_not_list::SECTION_NOT_LIST,
    &section_parse_error::SECTION_PARSE_ERROR,
    &session_arn::SESSION_ARN,
    &session_controlled_identity::SESSION_CONTROLLED_IDENTITY,
    &session_name_colon::SESSION_NAME_COLON,
    &sso_matcher::SSO_MATCHER,
    &system_masters::SYSTEM_MASTERS,
    &system_masters_binding::SYSTEM_MASTERS_BINDING,
    &template_context::TEMPLATE_CONTEXT,
    &templated_file::TEMPLATED_FILE,
    &unbound_group::UNBOUND_GROUP,
    &unknown_data_key::UNKNOWN_DATA_KEY,
    &unknown_entry_key::UNKNOWN_ENTRY_KEY,
    &unknown_partition::UNKNOWN_PARTITION,
    &unknown_system_group::UNKNOWN_SYSTEM_GROUP,
    &unknown_template::UNKNOWN_TEMPLATE,
    &unquoted_template::UNQUOTED_TEMPLATE,
    &unused_suppression::UNUSED_SUPPRESSION,
    &username_audit_trail::USERNAME_AUDIT_TRAIL,
    &value_type_mismatch::VALUE_TYPE_MISMATCH,
    &wrong_namespace::WRONG_NAMESPACE,
];

/// Looks a rule up by name.
pub fn find(name: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|r| r.name == name)
}

/// What rules may know beyond the file: the cluster facts of the configuration.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// Cluster facts (empty without a configuration).
    pub cluster: &'a Cluster,
}

static NO_CLUSTER: std::sync::LazyLock<Cluster> = std::sync::LazyLock::new(Cluster::default);

impl Default for Context<'static> {
    fn default() -> Self {
        Self {
            cluster: &NO_CLUSTER,
        }
    }
}

/// Runs every rule over one loaded file, without configuration (the raw catalog: no
/// selection, suppressions or policies; see [`crate::lint::lint_file`] for the whole pipeline).
pub fn check_file(load: &FileLoad, out: &mut Vec<Diagnostic>) {
    check_file_with(load, &Context::default(), out);
}

/// Runs every rule over one loaded file with the cluster facts of `cx`.
pub fn check_file_with(load: &FileLoad, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    if load.template.is_some() {
        templated_file::check(load, out);
        return;
    }
    invalid_yaml::check(load, out);
    invalid_terraform::check(load, out);
    aws_auth_writer::check(load, out);
    system_masters_binding::check(load, out);
    for obj in &load.objects {
        check_object(obj, *cx, out);
    }
    if !load.access.is_empty() {
        check_access(&load.access, *cx, out);
    }
}

/// The rules of access entries, policy associations and clusters' access settings, over what
/// one file declares (the rules across a cluster's files are in `check_cluster`).
fn check_access(decls: &AccessDecls, cx: Context<'_>, out: &mut Vec<Diagnostic>) {
    invalid_access_principal::check(decls, out);
    access_entry_role_path::check(decls, out);
    access_entry_type::check(decls, out);
    node_entry_account::check(decls, &cx, out);
    reserved_username::check_access(decls, out);
    session_name_colon::check(decls, out);
    unknown_template::check_access(decls, out);
    reserved_group::check_access(decls, out);
    cluster_admin_policy::check(decls, out);
    creator_admin::check(decls, out);
    authentication_mode::check(decls, out);
    invalid_access_policy::check(decls, out);
}

fn check_object(obj: &AwsAuth, cx: Context<'_>, out: &mut Vec<Diagnostic>) {
    malformed_configmap::check(obj, out);
    wrong_namespace::check(obj, out);
    data_not_string::check(obj, out);
    section_parse_error::check(obj, out);
    unquoted_template::check(obj, out);
    section_not_list::check(obj, out);
    value_type_mismatch::check(obj, out);
    duplicate_key::check(obj, out);
    missing_arn::check(obj, out);
    sso_matcher::check(obj, &cx, out);
    role_arn_path::check(obj, out);
    session_arn::check(obj, out);
    root_principal::check(obj, out);
    system_masters::check(obj, out);
    map_accounts::check(obj, out);
    malformed_arn::check(obj, out);
    unknown_partition::check(obj, &cx, out);
    missing_username::check(obj, out);
    duplicate_arn::check(obj, out);
    unknown_data_key::check(obj, out);
    unknown_entry_key::check(obj, out);
    noncanonical_key_case::check(obj, &cx, out);
    iam_user_mapping::check(obj, out);
    not_a_principal::check(obj, out);
    arn_pattern::check(obj, out);
    arn_section_mismatch::check(obj, out);
    unknown_template::check(obj, out);
    template_context::check(obj, out);
    invalid_account::check(obj, out);
    reserved_username::check(obj, out);
    reserved_group::check(obj, out);
    unknown_system_group::check(obj, out);
    empty_section_style::check(obj, out);
    node_mapping::check(obj, &cx, out);
    overwrites_node_roles::check(obj, &cx, out);
    privileged_node_identity::check(obj, out);
    session_controlled_identity::check(obj, out);
    group_hygiene::check(obj, out);
    multiline_plain_scalar::check(obj, out);
    username_audit_trail::check(obj, out);
    platform_node_groups::check(obj, &cx, out);
    cross_account_principal::check(obj, &cx, out);
    prefer_access_entries::check(obj, out);
}

/// The rules over a cluster's declarations across files (`parts`: what each file brings, see
/// [`crate::model::cluster`]): each finding with the index of the part whose file it is in.
/// The rules of RBAC run for the clusters with RBAC of the repository or access entries.
pub fn check_clusters(parts: &[Part<'_>]) -> Vec<(usize, Diagnostic)> {
    check_clusters_in(parts, true)
}

/// [`check_clusters`], told whether `parts` are every file of the directories read (`whole`):
/// what no binding uses (`unbound-group`) is only decided then — given file names alone (as
/// pre-commit gives the changed files), the bindings of the other files are not known.
pub fn check_clusters_in(parts: &[Part<'_>], whole: bool) -> Vec<(usize, Diagnostic)> {
    if parts
        .iter()
        .all(|p| p.access.is_empty() && p.rbac.is_empty())
    {
        return Vec::new();
    }
    // clusters in parallel (a monorepo has hundreds), their findings in the clusters' order
    let found: Vec<Vec<(usize, Diagnostic)>> = cluster::group(parts)
        .par_iter()
        .map(|c| check_cluster(c, whole))
        .collect();
    found.into_iter().flatten().collect()
}

/// The rules across the files of one cluster.
fn check_cluster(c: &cluster::Cluster<'_>, whole: bool) -> Vec<(usize, Diagnostic)> {
    let mut out = Vec::new();
    let entries = c.has_access_entries();
    if !entries && c.rbac.is_empty() {
        return out;
    }
    let joined = cluster::join(c);
    if entries {
        association_without_entry::check(c, &mut out);
        authentication_mode::check_cluster(c, &mut out);
        conflicting_access::check(c, &joined, &mut out);
    }
    let rbac = Rbac::new(c.rbac.iter().map(|(_, o)| *o));
    if whole {
        unbound_group::check(&joined, &rbac, &mut out);
    }
    let reached = Reached::of(&joined, &rbac);
    effective_cluster_admin::check(&reached, &mut out);
    secrets_reader::check(&reached, &mut out);
    aws_auth_writer::check_cluster(&reached, &mut out);
    out
}

/// Where a principal's mapping or access entry is written: what a finding about it points at.
#[derive(Debug, Clone)]
pub struct Place<'a> {
    /// The index of the part (the file) it is in.
    pub part: usize,
    /// Its file.
    pub file: &'a Arc<SourceFile>,
    /// Its principal's ARN (the whole mapping or entry when none is written).
    pub principal: Span,
    /// Its username, when written.
    pub username: Option<&'a Field>,
    /// Its groups as written.
    pub groups: &'a [Field],
}

impl<'a> Place<'a> {
    /// Where a row of a joined cluster is written (`None` for the cluster creator's entry,
    /// which nothing writes as a mapping).
    pub fn of(from: &From<'a>) -> Option<Self> {
        match from {
            From::AwsAuth(i, obj, span) => {
                let e = obj.entries.iter().find(|e| e.span == *span)?;
                Some(Self {
                    part: *i,
                    file: &obj.file,
                    principal: e
                        .arn
                        .as_ref()
                        .map_or_else(|| e.span.clone(), |a| a.span.clone()),
                    username: e.username.as_ref(),
                    groups: &e.groups,
                })
            }
            From::Entry(i, e) => Some(Self {
                part: *i,
                file: &e.file,
                principal: e
                    .principal
                    .as_ref()
                    .map_or_else(|| e.span.clone(), |p| p.span.clone()),
                username: e.username.as_ref(),
                groups: &e.groups,
            }),
            From::Creator(..) => None,
        }
    }

    /// Where a grant reaches it: the group or username a binding names, else its principal.
    pub fn of_via(&self, via: &Via) -> Span {
        let field = match via {
            Via::Group(g) => self.groups.iter().find(|f| f.value == *g),
            Via::User(u) => self.username.filter(|f| f.value == *u),
            Via::Authenticated | Via::Policy(_) => None,
        };
        field.map_or_else(|| self.principal.clone(), |f| f.span.clone())
    }
}

/// The principals of a cluster whose access applies (or may: the mode not known), each at the
/// place of its mapping or entry, with the grants that reach it.
pub struct Reached<'a> {
    /// Each principal's row, where it is written, and its grants.
    pub rows: Vec<(&'a Row<'a>, Place<'a>, Vec<Grant<'a>>)>,
}

impl<'a> Reached<'a> {
    /// Every applying row of `joined` written as a mapping or an entry, with its grants.
    pub fn of(joined: &'a Joined<'a>, rbac: &Rbac<'a>) -> Self {
        let rows = joined
            .rows
            .iter()
            .filter(|r| !matches!(r.applies, Applies::No(_)))
            .filter_map(|r| Some((r, Place::of(&r.from)?, rbac.grants(&r.identity))))
            .collect();
        Self { rows }
    }
}

/// Whether certain grants make one cluster-admin: every verb on every resource, cluster-wide
/// (through `system:masters`, an access policy or a binding alike).
pub fn is_cluster_admin(grants: &[Grant<'_>]) -> bool {
    let everything = Capability::Everything.request(None);
    grants.iter().any(|g| g.certain && g.allows(&everything))
}

/// A binding and its role, as a message names them, with whom the binding names:
/// ``ClusterRoleBinding `ops` → ClusterRole `cluster-admin` (group `ops`)`` (with the namespace
/// of a `RoleBinding`); or an access policy and its scope.
pub fn grant_words(g: &Grant<'_>) -> String {
    let Some(b) = g.binding else {
        return format!("access policy `{}` ({})", g.role_name, g.scope);
    };
    let role = g
        .role_name
        .split_once('/')
        .map_or_else(|| g.role_name.clone(), |(k, n)| format!("{k} `{n}`"));
    let via = &g.via;
    match b.kind.as_str() {
        "RoleBinding" => format!(
            "RoleBinding `{}` in `{}` → {role} ({via})",
            b.name(),
            b.namespace().unwrap_or("default")
        ),
        kind => format!("{kind} `{}` → {role} ({via})", b.name()),
    }
}

/// A secondary label at a grant's binding when it is in the file of the finding (`file`).
pub fn at_binding(d: Diagnostic, g: &Grant<'_>, file: &SourceFile, label: &str) -> Diagnostic {
    match g.binding {
        Some(b) if b.file.name == file.name => {
            let span = b
                .name
                .as_ref()
                .map_or_else(|| b.span.clone(), |n| n.span.clone());
            d.secondary(span, label)
        }
        _ => d,
    }
}

/// A template or documentation placeholder instead of a value (`${var}`, `<ARN>`, `{{ x }}`,
/// `ACCOUNT_ID`): `arn-pattern`'s finding, not a malformed value.
pub fn is_placeholder(text: &str) -> bool {
    // every test below needs one of these bytes; most ARNs have none
    if !text
        .bytes()
        .any(|b| matches!(b, b'$' | b'<' | b'{' | b'*' | b'_'))
    {
        return false;
    }
    text.contains("${") || text.contains('<') || text.contains("{{") || text.contains('*') || {
        // an upper-case word where a value belongs: `AWS_ACCOUNT_ID`, `USER_ROLE_ARN`
        let word = text.rsplit([':', '/']).next().unwrap_or(text);
        text.split(':').any(|p| {
            p.len() > 3 && p.chars().all(|c| c.is_ascii_uppercase() || c == '_') && p.contains('_')
        }) || (word.len() > 3
            && word.chars().all(|c| c.is_ascii_uppercase() || c == '_')
            && word.contains('_'))
    }
}

/// `text` with each `${...}` placeholder shortened to `${}`: a placeholder of CloudFormation
/// (`${AWS::AccountId}`) or Terraform holds colons that would split an ARN at the wrong places.
pub fn mask_placeholders(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains("${") {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        out.push_str("${}");
        rest = rest[i..].find('}').map_or("", |e| &rest[i + e + 1..]);
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// The span of the character at `offset` of a file (empty at its end): where a parser stopped.
pub fn char_at(file: &crate::source::SourceFile, offset: usize) -> crate::source::Span {
    let start = file.char_span(&(offset..offset)).start;
    let end = file.text[start..]
        .chars()
        .next()
        .map_or(start, |c| start + c.len_utf8());
    start..end
}

/// Names in backticks, joined: `` `a`, `b` `` (with `sep` between them).
pub fn quoted_list<S: AsRef<str>>(names: &[S], sep: &str) -> String {
    names
        .iter()
        .map(|n| format!("`{}`", n.as_ref()))
        .collect::<Vec<_>>()
        .join(sep)
}

/// `ClusterRoleBinding` as words for a message: `cluster role binding`.
pub fn kind_words(kind: &str) -> String {
    let mut out = String::new();
    for (i, c) in kind.char_indices() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push(' ');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// Every key written in the entries of the parsed `mapRoles`/`mapUsers` sections (merge keys
/// excluded), with its section and its text.
pub fn entry_keys(
    obj: &AwsAuth,
) -> impl Iterator<Item = (&crate::model::Section, &crate::yaml::Node, &str)> {
    obj.sections
        .iter()
        .filter(|s| !s.is_lost() && s.kind != crate::model::SectionKind::MapAccounts)
        .flat_map(|s| {
            s.root
                .as_ref()
                .and_then(|r| r.as_seq())
                .unwrap_or_default()
                .iter()
                .filter_map(|item| item.as_map())
                .flatten()
                .filter_map(move |(k, _)| {
                    k.as_str().filter(|key| *key != "<<").map(|key| (s, k, key))
                })
        })
}

#[cfg(test)]
mod rbac_tests {
    use super::*;
    use crate::load::load_file;

    const AWS_AUTH: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: aws-auth
  namespace: kube-system
data:
  mapRoles: |
    - rolearn: arn:aws:iam::111122223333:role/ci
      username: ci:{{SessionName}}
      groups: [deployers, deployer]
";

    const RBAC: &str = "apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: deployers
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects:
  - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: deployers}
";

    /// The rules of the files `(name, text)` across their clusters: (part, rule, line).
    fn across(files: &[(&str, &str)]) -> Vec<(usize, &'static str, usize)> {
        let loads: Vec<FileLoad> = files
            .iter()
            .map(|(name, text)| load_file(SourceFile::new(*name, *text)))
            .collect();
        let parts: Vec<Part<'_>> = loads
            .iter()
            .map(|l| {
                let dir = l.file.name.rsplit_once('/').map_or("", |(d, _)| d);
                Part {
                    scope: "",
                    dir,
                    configured: None,
                    access: &l.access,
                    aws_auth: &l.objects,
                    rbac: &l.rbac,
                }
            })
            .collect();
        let mut out: Vec<_> = check_clusters(&parts)
            .into_iter()
            .map(|(i, d)| (i, d.rule.name, d.file.line_col(d.span.start).line))
            .collect();
        out.sort_unstable();
        out
    }

    #[test]
    fn rbac_in_another_file_of_the_cluster_reaches_the_mapping() {
        let found = across(&[
            ("prod/aws-auth.yaml", AWS_AUTH),
            ("prod/rbac/deployers.yaml", RBAC),
        ]);
        assert_eq!(
            found,
            vec![(0, "effective-cluster-admin", 10), (0, "unbound-group", 10)]
        );
    }

    #[test]
    fn rbac_of_another_cluster_does_not() {
        // the RBAC is nearer `staging`'s aws-auth: `prod`'s groups are not said to be unbound
        let found = across(&[
            ("prod/aws-auth.yaml", AWS_AUTH),
            ("staging/aws-auth.yaml", AWS_AUTH),
            ("staging/rbac.yaml", RBAC),
        ]);
        assert_eq!(
            found,
            vec![(1, "effective-cluster-admin", 10), (1, "unbound-group", 10)]
        );
        assert!(across(&[("prod/aws-auth.yaml", AWS_AUTH)]).is_empty());
    }
}
