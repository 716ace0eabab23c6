//! `conflicting-access`: a principal mapped in aws-auth and given an access entry, with
//! different access.
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::access_entries::AuthMode;
use crate::model::cluster::{Cluster, From, Identity, Joined, Row};

declare_rule! {
    /// ## What it does
    /// Reports an access entry whose principal also has an aws-auth mapping in the same cluster
    /// that gives it a different Kubernetes username, groups or access, and says which one the
    /// cluster applies under its authentication mode. `system:masters` and
    /// `AmazonEKSClusterAdminPolicy` at cluster scope count as the same access; a mapping and an
    /// entry that give the same access (the state in the middle of a migration) are not reported.
    ///
    /// ## Why is this bad?
    /// In `API_AND_CONFIG_MAP` mode the access entry wins and the aws-auth mapping is silently
    /// ignored: whoever reads aws-auth sees access the principal does not have (or misses the
    /// access it does have). In `CONFIG_MAP` mode the entry is not read yet, and switching the mode
    /// (which cannot be undone) changes this principal's access at once.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: eksctl.io/v1alpha5
    /// kind: ClusterConfig
    /// metadata:
    ///   name: prod
    ///   region: eu-west-1
    /// accessConfig:
    ///   authenticationMode: API_AND_CONFIG_MAP
    ///   accessEntries:
    ///     - principalARN: arn:aws:iam::111122223333:role/dev
    ///       kubernetesGroups: [viewers]
    /// iamIdentityMappings:
    ///   - arn: arn:aws:iam::111122223333:role/dev
    ///     username: dev
    ///     groups: [developers]
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// apiVersion: eksctl.io/v1alpha5
    /// kind: ClusterConfig
    /// metadata:
    ///   name: prod
    ///   region: eu-west-1
    /// accessConfig:
    ///   authenticationMode: API_AND_CONFIG_MAP
    ///   accessEntries:
    ///     - principalARN: arn:aws:iam::111122223333:role/dev
    ///       kubernetesUsername: dev
    ///       kubernetesGroups: [developers]
    /// ```
    ///
    /// ## References
    /// - EKS user guide: "Migrating existing aws-auth `ConfigMap` entries to access entries"
    ///   ("Access entries take precedence over `ConfigMap` entries for the same IAM principal")
    pub CONFLICTING_ACCESS = "conflicting-access", category: Correctness, severity: Warning,
    summary: "a principal in aws-auth and in an access entry with different access",
}

/// Reports every access entry whose principal's aws-auth mapping gives different access.
pub fn check(c: &Cluster<'_>, joined: &Joined<'_>, out: &mut Vec<(usize, Diagnostic)>) {
    for row in &joined.rows {
        let From::Entry(i, entry) = &row.from else {
            continue;
        };
        let Some(p) = &entry.principal else {
            continue;
        };
        // the aws-auth mappings of the same principal
        let mapped = |r: &&Row<'_>| r.key == row.key && matches!(r.from, From::AwsAuth(..));
        for other in joined.rows.iter().filter(mapped) {
            if other.identity.same_access(&row.identity) {
                continue;
            }
            let (file, span) = other.place();
            let line = file.line_col(span.start).line;
            let at = if file.name == entry.file.name {
                format!("line {line}")
            } else {
                format!("{}:{line}", file.name)
            };
            let (message, severity) = match c.mode() {
                Some(AuthMode::ApiAndConfigMap) => (
                    format!(
                        "this access entry overrides the aws-auth mapping of the principal at {at}, which gives different access"
                    ),
                    Severity::Warning,
                ),
                Some(AuthMode::ConfigMap) => (
                    format!(
                        "the aws-auth mapping at {at} applies (mode `CONFIG_MAP`); this entry, with different access, replaces it once access entries are enabled"
                    ),
                    Severity::Warning,
                ),
                Some(AuthMode::Api) => continue,
                None => (
                    format!(
                        "the aws-auth mapping at {at} gives this principal different access; which one applies depends on the cluster's authentication mode, not declared here"
                    ),
                    Severity::Info,
                ),
            };
            let d = Diagnostic::new(&CONFLICTING_ACCESS, &entry.file, p.span.clone(), message)
                .label("also mapped in aws-auth")
                .note(format!(
                    "aws-auth gives {}; the access entry gives {}",
                    describe(&other.identity),
                    describe(&row.identity)
                ))
                .help("give both the same access while both exist, or remove the aws-auth mapping")
                .severity(severity);
            out.push((*i, d));
        }
    }
}

/// What an identity gives, in a few words.
fn describe(id: &Identity) -> String {
    let mut parts = Vec::new();
    if let Some(u) = &id.username {
        parts.push(format!("username `{u}`"));
    }
    if !id.groups.is_empty() {
        let g: Vec<String> = id.groups.iter().map(|g| format!("`{g}`")).collect();
        parts.push(format!("groups {}", g.join(", ")));
    }
    for p in &id.policies {
        parts.push(p.to_string());
    }
    if parts.is_empty() {
        "no username, group or policy".to_owned()
    } else {
        parts.join(", ")
    }
}
