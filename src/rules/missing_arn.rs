//! `missing-arn`: an entry without an ARN (or with both `rolearn` and `sso`) is dropped.
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::{AwsAuth, DecodeIssueKind, SectionKind, SourceKind, Status};

declare_rule! {
    /// ## What it does
    /// Reports a `mapRoles` entry with neither `rolearn` nor `sso`, or with both, and a `mapUsers`
    /// entry without `userarn` (a typo such as `role_arn`, `rolarn` or `userArn:` with a missing
    /// letter counts as missing), an eksctl identity mapping without `arn`, a Cluster API
    /// `iamAuthenticatorConfig` mapping without `rolearn`/`userarn` and an `IAMIdentityMapping`
    /// without `spec.arn`.
    ///
    /// ## Why is this bad?
    /// The authenticator's `Validate` rejects the entry: it is dropped with a log line nobody reads,
    /// and whoever it was meant for cannot log in. CAPA's validation refuses the whole
    /// `AWSManagedControlPlane`, and the authenticator never indexes an `IAMIdentityMapping`
    /// without an ARN.
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
    ///     - role_arn: arn:aws:iam::111122223333:role/ops
    ///       username: ops
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
    ///       username: ops
    ///       groups: [ops]
    /// ```
    ///
    /// ## References
    /// - aws-iam-authenticator `pkg/config/mapper.go` (`RoleMapping.Validate`, `UserMapping.Validate`)
    pub MISSING_ARN = "missing-arn", category: Correctness, severity: Error,
    summary: "an entry has no ARN (or both `rolearn` and `sso`) and is dropped",
}

/// Reports entries dropped by validation for want of an ARN.
pub fn check(obj: &AwsAuth, out: &mut Vec<Diagnostic>) {
    for entry in &obj.entries {
        let Status::Dropped(reason) = &entry.status else {
            continue;
        };
        if entry.sso.is_some() && entry.arn.is_none() {
            continue; // an invalid SSO matcher is `sso-matcher`'s finding
        }
        // items that are not mappings, or whose ARN has the wrong type, are reported elsewhere
        let reported = obj.sections.iter().filter(|s| s.kind == entry.section).any(|s| {
            s.issues.iter().any(|i| {
                (matches!(i.kind, DecodeIssueKind::ItemNotMapping { .. }) && i.span == entry.span)
                    || (matches!(&i.kind, DecodeIssueKind::TypeMismatch { field, .. } if field == entry.section.arn_key())
                        && i.span.start >= entry.span.start
                        && i.span.end <= entry.span.end)
            })
        });
        if reported {
            continue;
        }
        let key = entry.section.arn_key();
        let (message, help) = if entry.arn.is_some() && entry.sso.is_some() {
            (
                "entry has both `rolearn` and `sso`; the authenticator drops it".to_owned(),
                "keep either `rolearn` or `sso`".to_owned(),
            )
        } else if reason.starts_with("eksctl rejects") {
            continue; // an ARN of the wrong type is `not-a-principal`'s business
        } else if reason.starts_with("eksctl") {
            (
                format!("identity mapping has no `arn`; {reason}"),
                "add `arn:`".to_owned(),
            )
        } else if matches!(obj.kind, SourceKind::Capa | SourceKind::IamIdentityMapping) {
            // the other reasons of these sources are other rules' findings
            if entry.arn.is_some() {
                continue;
            }
            let (what, help) = if obj.kind == SourceKind::Capa {
                (
                    format!(
                        "`{}` mapping {} has no `{key}`",
                        entry.section.key(),
                        entry.index + 1
                    ),
                    format!("add `{key}:`"),
                )
            } else {
                let name = obj.name.as_ref().map_or("", |n| n.value.as_str());
                (
                    format!("the IAMIdentityMapping `{name}` has no ARN"),
                    "add `arn:` under `spec`".to_owned(),
                )
            };
            (format!("{what}; {reason}"), help)
        } else {
            let keys: Vec<&str> = obj
                .section(entry.section)
                .and_then(|s| s.item(entry.index))
                .and_then(|n| n.as_map())
                .map(|m| m.iter().filter_map(|(k, _)| k.as_str()).collect())
                .unwrap_or_default();
            let what = if keys.iter().any(|k| k.eq_ignore_ascii_case(key)) {
                format!("an empty `{key}`")
            } else if let Some(near) = keys.iter().find(|k| {
                let k = k.to_ascii_lowercase();
                // prefixes in characters: a key may hold any text (`usé`)
                let head: String = k.chars().take(3).collect();
                k.contains("arn")
                    || (k.chars().count() > 3
                        && (key.starts_with(&head) || k.starts_with(&key[..4])))
            }) {
                format!("no `{key}` (`{near}` is not a key the authenticator knows)")
            } else {
                format!("no `{key}`")
            };
            (
                format!("{} entry {} has {what}; the authenticator drops it", entry.section.key(), entry.index + 1),
                match entry.section {
                    SectionKind::MapRoles => "add `rolearn: arn:aws:iam::<account>:role/<name>` (check the key's spelling)".to_owned(),
                    _ => "add `userarn: arn:aws:iam::<account>:user/<name>` (check the key's spelling)".to_owned(),
                },
            )
        };
        let span = obj.file.char_span(&entry.span);
        let start = span.start;
        let end = obj.file.text[span.clone()]
            .find('\n')
            .map_or(span.end, |i| start + i);
        out.push(
            Diagnostic::new(&MISSING_ARN, &obj.file, start..end.max(start), message)
                .label("this entry is dropped")
                .help(help),
        );
    }
}
