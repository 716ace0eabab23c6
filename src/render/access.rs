//! `inspect` of a cluster's access as one picture ([`crate::model::cluster`]): every principal
//! with where it comes from (an aws-auth mapping, an access entry, the creator's admin entry),
//! its Kubernetes username, groups and access policies, and whether it applies under the
//! cluster's authentication mode. A table per cluster, or the `clusters` of the JSON document.

use serde::Serialize;

use super::escape;
use super::inspect::write_rows;
use crate::model::access_entries::AuthMode;
use crate::model::cluster::{Applies, Cluster, ClusterKey, From, Policy, Row, join};

/// One cluster in the inspect JSON document.
#[derive(Serialize)]
pub struct JsonCluster {
    cluster: ClusterKey,
    /// The mode that applies (`null`: not declared in the repository).
    mode: Option<AuthMode>,
    /// Where the mode is decided (the cluster's settings), when declared.
    #[serde(skip_serializing_if = "Option::is_none")]
    settings: Option<JsonPlace>,
    access: Vec<JsonRow>,
}

/// A place in a file (also `awsauth access`'s, in [`super::reach`]).
#[derive(Serialize)]
pub(super) struct JsonPlace {
    pub(super) file: String,
    pub(super) line: usize,
    /// How its tool names it (`aws_eks_access_entry.dev`, `accessConfig.accessEntries[0]`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) name: Option<String>,
}

/// One principal's access from one source.
#[derive(Serialize)]
struct JsonRow {
    principal: String,
    /// `aws-auth`, `access-entry` or `cluster-creator`.
    from: &'static str,
    at: JsonPlace,
    /// The access entry's type.
    #[serde(skip_serializing_if = "Option::is_none", rename = "type")]
    entry_type: Option<String>,
    username: Option<String>,
    groups: Vec<String>,
    access_policies: Vec<Policy>,
    /// `true`, `false`, or `null` when the mode is not known.
    applies: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    why: Option<String>,
}

/// The place of `offset` in `file`, with the name its tool gives it.
pub(super) fn place(
    file: &crate::source::SourceFile,
    offset: usize,
    name: Option<&str>,
) -> JsonPlace {
    JsonPlace {
        file: file.name.clone(),
        line: file.line_col(offset).line,
        name: name.map(str::to_owned),
    }
}

fn json_row(r: &Row<'_>) -> JsonRow {
    let (from, name, entry_type) = match &r.from {
        From::AwsAuth(..) => ("aws-auth", None, None),
        From::Entry(_, e) => (
            "access-entry",
            Some(e.origin.name.as_str()),
            Some(
                e.entry_type
                    .as_ref()
                    .map_or_else(|| "STANDARD".to_owned(), |t| t.value.clone()),
            ),
        ),
        From::Creator(_, c) => ("cluster-creator", Some(c.origin.name.as_str()), None),
    };
    let (file, span) = r.place();
    let at = place(file, span.start, name);
    let (applies, why) = match &r.applies {
        Applies::Yes => (Some(true), None),
        Applies::No(why) => (Some(false), Some(why.clone())),
        Applies::Unknown(why) => (None, Some(why.clone())),
    };
    JsonRow {
        principal: r.principal.clone(),
        from,
        at,
        entry_type,
        username: r.identity.username.clone(),
        groups: r.identity.groups.iter().cloned().collect(),
        access_policies: r.identity.policies.iter().cloned().collect(),
        applies,
        why,
    }
}

/// The clusters with access entries or access settings, for the JSON document.
pub fn json_clusters(clusters: &[Cluster<'_>]) -> Vec<JsonCluster> {
    clusters
        .iter()
        .filter(|c| c.has_access_entries())
        .map(|c| {
            let joined = join(c);
            JsonCluster {
                cluster: c.key.clone(),
                mode: joined.mode,
                settings: c
                    .config()
                    .map(|s| place(&s.file, s.span.start, Some(&s.origin.name))),
                access: joined.rows.iter().map(json_row).collect(),
            }
        })
        .collect()
}

/// A table per cluster with access entries or access settings.
pub fn tables(clusters: &[Cluster<'_>]) -> String {
    let mut out = String::new();
    for c in clusters.iter().filter(|c| c.has_access_entries()) {
        let joined = join(c);
        let name = match &c.key {
            ClusterKey::Name(n) => format!("cluster {n}"),
            ClusterKey::Directory(d) if d.is_empty() => "cluster (unnamed)".to_owned(),
            ClusterKey::Directory(d) => format!("cluster (unnamed, in {d})"),
        };
        let mode = match (joined.mode, c.config()) {
            (Some(m), Some(s)) => {
                let how = if s.mode.is_some() {
                    "written"
                } else {
                    "the default"
                };
                format!(
                    "authentication mode {} ({how}, {}:{})",
                    m.as_str(),
                    escape::name(&s.file.name),
                    s.file.line_col(s.span.start).line
                )
            }
            (None, Some(s)) => format!(
                "authentication mode `{}` is not one EKS knows",
                s.mode.as_ref().map_or("", |m| m.value.as_str())
            ),
            _ => "authentication mode not declared in the repository".to_owned(),
        };
        out.push_str(&format!(
            "{}: {}\n",
            escape::text(&name),
            escape::text(&mode)
        ));
        let mut rows: Vec<[String; 6]> = vec![[
            "PRINCIPAL".into(),
            "FROM".into(),
            "USERNAME".into(),
            "GROUPS".into(),
            "ACCESS POLICIES".into(),
            "APPLIES".into(),
        ]];
        // places in the file of the cluster's settings are lines; others name their file
        let home = c.config().map(|s| s.file.name.clone());
        for r in &joined.rows {
            let j = json_row(r);
            let at = if home.as_deref() == Some(j.at.file.as_str()) {
                format!("line {}", j.at.line)
            } else {
                format!("{}:{}", j.at.file, j.at.line)
            };
            let from = match &r.from {
                From::AwsAuth(..) => format!("aws-auth, {at}"),
                From::Entry(..) => format!(
                    "{} {}, {at}",
                    j.entry_type.as_deref().unwrap_or("STANDARD"),
                    j.at.name.as_deref().unwrap_or(""),
                ),
                From::Creator(..) => format!("creator admin, {at}"),
            };
            let policies: Vec<String> = j
                .access_policies
                .iter()
                .map(|p| format!("{} ({})", p.policy, p.scope))
                .collect();
            let applies = match (&j.applies, &j.why) {
                (Some(true), _) => "yes".to_owned(),
                (Some(false), Some(why)) => format!("no: {why}"),
                (_, Some(why)) => format!("?: {why}"),
                _ => "?".to_owned(),
            };
            rows.push([
                j.principal,
                from,
                j.username.unwrap_or_else(|| "-".to_owned()),
                if j.groups.is_empty() {
                    "-".to_owned()
                } else {
                    j.groups.join(", ")
                },
                if policies.is_empty() {
                    "-".to_owned()
                } else {
                    policies.join(", ")
                },
                applies,
            ]);
        }
        write_rows(rows, &mut out);
        out.push('\n');
    }
    out
}
