//! `missing-username`: a mapping without a username.
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::identity;
use crate::model::{AwsAuth, SectionKind, SourceKind, Status};
use crate::rules::active_entries;

declare_rule! {
    /// ## What it does
    /// Reports a role or user mapping whose `username` is absent or empty, or is only
    /// `{{SessionName}}`/`{{SessionNameRaw}}` in `mapUsers` (IAM users have no session name, so it
    /// renders empty).
    ///
    /// ## Why is this bad?
    /// The authenticator passes the empty username on. The API server accepts it, but aggregated
    /// APIs (`kubectl top`, metrics-server) refuse an anonymous-looking user with `Unauthorized`,
    /// and audit logs cannot tell who did what. A Cluster API `iamAuthenticatorConfig` mapping or
    /// an `IAMIdentityMapping` without a username is refused with its whole object.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata:
    ///   name: aws-auth
    ///   namespace: kube-system
    /// data:
    ///   mapRoles: |
    ///     - rolearn: arn:aws:iam::111122223333:role/ops
    ///       groups: [ops]
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata:
    ///   name: aws-auth
    ///   namespace: kube-system
    /// data:
    ///   mapRoles: |
    ///     - rolearn: arn:aws:iam::111122223333:role/ops
    ///       username: ops:{{SessionName}}
    ///       groups: [ops]
    /// ```
    ///
    /// ## References
    /// - aws-iam-authenticator issue #289; aws-cdk #5263
    pub MISSING_USERNAME = "missing-username", category: Correctness, severity: Error,
    summary: "a mapping has no username (or one that renders empty)",
}

/// Reports mappings whose username is or renders empty.
pub fn check(obj: &AwsAuth, out: &mut Vec<Diagnostic>) {
    for entry in active_entries(obj) {
        // CAPA and the `IAMIdentityMapping` schema refuse a mapping without a username: it is
        // dropped for that, among other reasons
        let refused_here = matches!(obj.kind, SourceKind::Capa | SourceKind::IamIdentityMapping);
        if (matches!(entry.status, Status::Dropped(_)) && !refused_here) || entry.note.is_some() {
            continue;
        }
        let Some(arn) = &entry.arn else { continue };
        // a username of the wrong type (`username: yes`) is `value-type-mismatch`'s finding
        let written = obj
            .section(entry.section)
            .and_then(|s| s.item(entry.index))
            .and_then(|item| item.as_map())
            .and_then(|m| {
                m.iter().rev().find(|(k, _)| {
                    k.as_str()
                        .is_some_and(|k| k.eq_ignore_ascii_case("username"))
                })
            })
            .and_then(|(_, v)| v.as_str())
            .is_some_and(|v| !v.is_empty() && !matches!(v, "~" | "null" | "Null" | "NULL"));
        if written && entry.username.is_none() {
            continue;
        }
        let username = entry.username.as_ref().map(|u| u.value.trim());
        let (message, span) = match (username, entry.section) {
            (None | Some(""), _) => (format!("`{}` has no username", arn.value), arn.span.clone()),
            (Some(identity::SESSION_NAME | identity::SESSION_NAME_RAW), SectionKind::MapUsers) => (
                format!(
                    "the username of IAM user `{}` renders empty: users have no session name",
                    arn.value
                ),
                entry
                    .username
                    .as_ref()
                    .map_or_else(|| arn.span.clone(), |u| u.span.clone()),
            ),
            _ => continue,
        };
        out.push(
            Diagnostic::new(&MISSING_USERNAME, &obj.file, span, message)
                .label("no username")
                .help("set `username`, e.g. `<team>:{{SessionName}}` for roles or the user's name for users"),
        );
    }
}
