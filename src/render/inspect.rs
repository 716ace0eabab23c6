//! `inspect`: who gets which Kubernetes identity, as a table or as the JSON contract (version 1).

use serde::Serialize;

use super::escape;
use crate::model::{
    Account, AwsAuth, Effective, Entry, Principal, SectionKind, SourceKind, Sso, Status,
};

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    configmaps: Vec<JsonObject<'a>>,
    /// The clusters with access entries or access settings, each as one picture.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    clusters: Vec<super::access::JsonCluster>,
}

/// One aws-auth source of the inspect JSON document (see [`json_objects`]).
#[derive(Serialize)]
pub struct JsonObject<'a> {
    file: &'a str,
    document: usize,
    kind: SourceKind,
    name: Option<&'a str>,
    namespace: Option<&'a str>,
    effective: &'a Effective,
    /// Why nothing of it is stored, when the authenticator never reads it.
    #[serde(skip_serializing_if = "Option::is_none")]
    not_read: Option<String>,
    /// What the cluster makes of a source that is not an aws-auth `ConfigMap` (CAPA adds to
    /// aws-auth; an `IAMIdentityMapping` needs the authenticator's `CRD` backend mode).
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'static str>,
    sections: Vec<JsonSection>,
    entries: Vec<JsonEntry<'a>>,
    /// For a Terraform source: its address, how it writes aws-auth, what is not known.
    #[serde(skip_serializing_if = "Option::is_none")]
    terraform: Option<JsonTerraform<'a>>,
}

/// What a Terraform source is, in the inspect JSON document.
#[derive(Serialize)]
struct JsonTerraform<'a> {
    address: &'a str,
    what: &'a str,
    /// How it replaces what EKS wrote, when it does.
    overwrites: Option<&'a str>,
    /// Parts of the mappings not known from the repository, shown `${...}`.
    unknown: Vec<JsonUnknown<'a>>,
}

/// A part of a Terraform source not known from the repository.
#[derive(Serialize)]
struct JsonUnknown<'a> {
    section: Option<SectionKind>,
    line: usize,
    value: String,
    why: &'a str,
}

fn json_terraform(obj: &AwsAuth) -> Option<JsonTerraform<'_>> {
    let t = obj.terraform.as_deref()?;
    Some(JsonTerraform {
        address: &t.address,
        what: &t.what,
        overwrites: t.overwrites.as_ref().map(|o| o.how.value.as_str()),
        unknown: t
            .unknowns
            .iter()
            .map(|u| JsonUnknown {
                section: u.section,
                line: obj.file.line_col(u.span.start).line,
                value: format!("${{{}}}", u.expr),
                why: &u.why,
            })
            .collect(),
    })
}

/// How a data key loads: `loaded`, `skipped` (an empty value) or `lost` (with why, and the node
/// roles it takes with it).
#[derive(Serialize)]
struct JsonSection {
    section: SectionKind,
    line: usize,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    node_roles_lost: Vec<String>,
}

fn json_sections(obj: &AwsAuth) -> Vec<JsonSection> {
    obj.sections
        .iter()
        .map(|s| {
            let lost = s.is_lost();
            JsonSection {
                section: s.kind,
                line: obj.file.line_col(s.key_span.start).line,
                status: match s.state {
                    _ if lost => "lost",
                    crate::model::SectionState::Skipped => "skipped",
                    _ => "loaded",
                },
                reason: s.why_lost(&obj.file),
                node_roles_lost: if lost {
                    let (_, nodes) = crate::model::effective::lost_mappings(obj, s.kind);
                    nodes.into_iter().map(str::to_owned).collect()
                } else {
                    Vec::new()
                },
            }
        })
        .collect()
}

#[derive(Serialize)]
struct JsonEntry<'a> {
    section: SectionKind,
    index: usize,
    line: usize,
    column: usize,
    arn: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sso: Option<&'a Sso>,
    username: Option<&'a str>,
    groups: Vec<&'a str>,
    status: &'static str,
    reason: Option<String>,
}

fn status(obj: &AwsAuth, s: &Status) -> (&'static str, Option<String>) {
    match s {
        Status::Effective => ("effective", None),
        Status::Dropped(r) => ("dropped", Some(r.clone())),
        Status::Shadowed { by } => {
            let line = obj
                .entries
                .get(*by)
                .map_or(0, |e| obj.file.line_col(e.span.start).line);
            (
                "shadowed",
                Some(format!("shadowed by the entry at line {line}")),
            )
        }
        Status::Lost(r) => ("lost", Some(r.clone())),
        Status::NotRead(r) => ("not read", Some(r.clone())),
    }
}

/// Renders the inspect JSON document.
pub fn json(objects: &[&AwsAuth]) -> String {
    json_document(json_objects(objects), Vec::new())
}

/// The inspect JSON document of these sources (built with [`json_objects`], a file at a time)
/// and clusters ([`super::access::json_clusters`]).
pub fn json_document(
    configmaps: Vec<JsonObject<'_>>,
    clusters: Vec<super::access::JsonCluster>,
) -> String {
    let out = Output {
        version: 1,
        configmaps,
        clusters,
    };
    let mut s = super::escape::json(serde_json::to_string_pretty(&out).unwrap_or_default());
    s.push('\n');
    s
}

/// The sources' entries in the inspect JSON document.
pub fn json_objects<'a>(objects: &[&'a AwsAuth]) -> Vec<JsonObject<'a>> {
    objects
        .iter()
        .map(|obj| JsonObject {
            file: &obj.file.name,
            document: obj.document,
            kind: obj.kind,
            name: obj.name.as_ref().map(|n| n.value.as_str()),
            namespace: obj.namespace.as_ref().map(|n| n.value.as_str()),
            effective: &obj.effective,
            not_read: obj.not_read_because(),
            terraform: json_terraform(obj),
            note: obj.kind.note(),
            sections: json_sections(obj),
            entries: obj
                .entries
                .iter()
                .map(|e| {
                    let lc = obj.file.line_col(e.span.start);
                    let (status, mut reason) = status(obj, &e.status);
                    if reason.is_none() {
                        reason.clone_from(&e.note);
                    }
                    JsonEntry {
                        section: e.section,
                        index: e.index,
                        line: lc.line,
                        column: lc.column,
                        arn: e.arn.as_ref().map(|a| a.value.as_str()),
                        sso: e.sso.as_ref(),
                        username: e.username.as_ref().map(|u| u.value.as_str()),
                        groups: e.groups.iter().map(|g| g.value.as_str()).collect(),
                        status,
                        reason,
                    }
                })
                .collect(),
        })
        .collect()
}

fn pad(s: &str, width: usize) -> String {
    let n = s.chars().count();
    if n >= width {
        s.to_owned()
    } else {
        format!("{s}{}", " ".repeat(width - n))
    }
}

/// How many mappings a lost section takes with it, and how many are node roles: `; 4 role
/// mappings lost, 3 of them node roles`.
fn lost_count(obj: &AwsAuth, s: &crate::model::Section) -> String {
    let (n, nodes) = crate::model::effective::lost_mappings(obj, s.kind);
    let nodes = nodes.len();
    let what = match (s.kind, n) {
        (SectionKind::MapAccounts, 1) => "account",
        (SectionKind::MapAccounts, _) => "accounts",
        (SectionKind::MapRoles, 1) => "role mapping",
        (SectionKind::MapRoles, _) => "role mappings",
        (_, 1) => "user mapping",
        _ => "user mappings",
    };
    match nodes {
        0 => format!("; {n} {what} lost"),
        1 if n == 1 => format!("; {n} {what} lost, a node role"),
        1 => format!("; {n} {what} lost, 1 of them a node role"),
        _ => format!("; {n} {what} lost, {nodes} of them node roles"),
    }
}

/// Renders a table per source: one row per entry and account.
pub fn table(objects: &[&AwsAuth]) -> String {
    let mut out = String::new();
    if objects.is_empty() {
        out.push_str("no aws-auth mappings found\n");
        return out;
    }
    for obj in objects {
        let lc = obj.file.line_col(obj.span.start);
        out.push_str(&format!(
            "{}:{}: {}\n",
            escape::name(&obj.file.name),
            lc.line,
            escape::text(&heading(obj))
        ));
        let mut rows: Vec<[String; 6]> = vec![[
            "LINE".into(),
            "SECTION".into(),
            "ARN".into(),
            "USERNAME".into(),
            "GROUPS".into(),
            "STATUS".into(),
        ]];
        rows.extend(obj.entries.iter().map(|e| entry_row(obj, e)));
        rows.extend(obj.accounts.iter().map(|a| account_row(obj, a)));
        rows.extend(unknown_rows(obj));
        warnings(obj, &mut out);
        if rows.len() == 1 {
            out.push_str("  (no entries)\n\n");
            continue;
        }
        write_rows(rows, &mut out);
        out.push('\n');
    }
    out
}

/// What a source is, for the line above its table.
fn heading(obj: &AwsAuth) -> String {
    match obj.kind {
        SourceKind::ConfigMap => format!(
            "ConfigMap {}/{}",
            obj.namespace
                .as_ref()
                .map_or("(no namespace)", |n| n.value.as_str()),
            obj.name.as_ref().map_or("(no name)", |n| n.value.as_str())
        ),
        SourceKind::Eksctl => format!(
            "eksctl ClusterConfig {}",
            obj.name.as_ref().map_or("(no name)", |n| n.value.as_str())
        ),
        SourceKind::Fragment => "aws-auth data fragment".to_owned(),
        SourceKind::Terraform => match &obj.terraform {
            Some(t) => format!("Terraform {} ({})", t.address, t.what),
            None => "Terraform".to_owned(),
        },
        SourceKind::Capa => format!(
            "Cluster API control plane {}/{}",
            obj.namespace
                .as_ref()
                .map_or("(no namespace)", |n| n.value.as_str()),
            obj.name.as_ref().map_or("(no name)", |n| n.value.as_str())
        ),
        SourceKind::IamIdentityMapping => format!(
            "IAMIdentityMapping {}",
            obj.name.as_ref().map_or("(no name)", |n| n.value.as_str())
        ),
    }
}

/// The row of an entry.
fn entry_row(obj: &AwsAuth, e: &Entry) -> [String; 6] {
    let (st, reason) = status(obj, &e.status);
    let arn = match (&e.arn, &e.sso) {
        (Some(a), _) => a.value.clone(),
        (None, Some(s)) => Principal::Sso {
            account: s.account_id.clone(),
            permission_set: s.permission_set_name.clone(),
        }
        .to_string(),
        _ => "-".into(),
    };
    [
        obj.file.line_col(e.span.start).line.to_string(),
        e.section.key().into(),
        arn,
        e.username
            .as_ref()
            .map_or_else(|| "-".into(), |u| format!("{:?}", u.value)),
        if e.groups.is_empty() {
            "-".into()
        } else {
            e.groups
                .iter()
                .map(|g| g.value.as_str())
                .collect::<Vec<_>>()
                .join(",")
        },
        match reason.or_else(|| e.note.clone()) {
            // said once for the whole object, above the table
            _ if matches!(e.status, Status::NotRead(_)) => st.into(),
            Some(r) => format!("{st}: {r}"),
            None => st.into(),
        },
    ]
}

/// The row of a `mapAccounts` item.
fn account_row(obj: &AwsAuth, a: &Account) -> [String; 6] {
    let lost = obj
        .section(SectionKind::MapAccounts)
        .is_some_and(crate::model::Section::is_lost);
    [
        obj.file.line_col(a.span.start).line.to_string(),
        "mapAccounts".into(),
        a.value.clone(),
        "(its ARN)".into(),
        "-".into(),
        if lost || !obj.rejected.is_empty() {
            "lost".into()
        } else if !obj.is_read_by_authenticator() {
            "not read".into()
        } else if a.stored {
            "effective".into()
        } else {
            "dropped: not a scalar".into()
        },
    ]
}

/// The rows of the parts of a Terraform source not known from the repository.
fn unknown_rows(obj: &AwsAuth) -> Vec<[String; 6]> {
    let Some(t) = obj.terraform.as_deref() else {
        return Vec::new();
    };
    t.unknowns
        .iter()
        .map(|u| {
            [
                obj.file.line_col(u.span.start).line.to_string(),
                u.section.map_or("data", SectionKind::key).into(),
                format!("${{{}}}", u.expr),
                "?".into(),
                "?".into(),
                format!("unknown: {}", u.why),
            ]
        })
        .collect()
}

/// What is lost or unread of the whole source, above its table.
fn warnings(obj: &AwsAuth, out: &mut String) {
    if let Some(how) = obj
        .terraform
        .as_deref()
        .and_then(|t| t.overwrites.as_ref())
        .map(|o| &o.how)
    {
        out.push_str(&format!(
            "  ~ {}: what EKS wrote there is replaced\n",
            escape::text(&how.value)
        ));
    }
    for s in obj.sections.iter().filter(|s| s.is_lost()) {
        out.push_str(&format!(
            "  ! `{}` fails to load ({}): nothing in it is stored{}\n",
            s.kind.key(),
            escape::text(&s.why_lost(&obj.file).unwrap_or_default()),
            lost_count(obj, s)
        ));
    }
    if !obj.rejected.is_empty() {
        out.push_str("  ! the API server rejects this ConfigMap: nothing in it is stored\n");
    }
    if let Some(why) = obj.not_read_because() {
        out.push_str(&format!("  ! not read: {}\n", escape::text(&why)));
    }
    if let Some(note) = obj.kind.note() {
        out.push_str(&format!("  note: {note}\n"));
    }
}

/// The rows, in columns, values from the file escaped.
pub(super) fn write_rows(mut rows: Vec<[String; 6]>, out: &mut String) {
    // values from the file, escaped (the widths are the escaped text's)
    for r in &mut rows {
        for cell in r.iter_mut() {
            if let std::borrow::Cow::Owned(e) = escape::text(cell) {
                *cell = e;
            }
        }
    }
    let widths: Vec<usize> = (0..6)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    for r in &rows {
        let line: Vec<String> = (0..6)
            .map(|c| {
                if c == 5 {
                    r[c].clone()
                } else {
                    pad(&r[c], widths[c])
                }
            })
            .collect();
        out.push_str("  ");
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
}
