//! `unknown-partition`: an ARN in a partition the authenticator does not know.
use crate::arn::{Arn, PARTITIONS};
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::AwsAuth;
use crate::rules::{active_entries, is_placeholder};

declare_rule! {
    /// ## What it does
    /// Reports an ARN whose partition is not one of `aws`, `aws-cn`, `aws-us-gov`, `aws-iso`,
    /// `aws-iso-b`, `aws-iso-e`, `aws-iso-f`, `aws-eusc` (a typo such as `aws-gov`, `aws-us`).
    ///
    /// ## Why is this bad?
    /// Tokens from other partitions are rejected before any lookup, and no caller's canonical
    /// ARN can carry an unknown partition: the mapping never matches.
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
    ///     - rolearn: arn:aws-gov:iam::111122223333:role/ops
    ///       username: ops
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
    ///     - rolearn: arn:aws-us-gov:iam::111122223333:role/ops
    ///       username: ops
    /// ```
    ///
    /// ## References
    /// - aws-iam-authenticator `pkg/endpoints/partitions.go`
    pub UNKNOWN_PARTITION = "unknown-partition", category: Correctness, severity: Error,
    summary: "an ARN names a partition that does not exist",
}

/// Reports unknown partitions.
pub fn check(obj: &AwsAuth, cx: &crate::rules::Context<'_>, out: &mut Vec<Diagnostic>) {
    for entry in active_entries(obj) {
        let Some(field) = &entry.arn else { continue };
        let Some(arn) = Arn::parse(&field.value) else {
            continue;
        };
        if is_placeholder(arn.partition) {
            continue;
        }
        // compared ignoring case, as the authenticator compares ARNs
        let known = PARTITIONS
            .iter()
            .any(|p| p.eq_ignore_ascii_case(arn.partition));
        let (problem, label, help) = if known {
            // a real partition, but not the cluster's: tokens from it never reach this cluster
            let Some(p) = cx
                .cluster
                .partition
                .as_deref()
                .filter(|p| !p.eq_ignore_ascii_case(arn.partition))
            else {
                continue;
            };
            (
                format!("but the cluster is in `{p}`"),
                "another partition",
                format!("write the ARN as `arn:{p}:...` (`cluster.partition` is `{p}`)"),
            )
        } else {
            let known: Vec<String> = PARTITIONS.iter().map(|p| format!("`{p}`")).collect();
            (
                "which does not exist".to_owned(),
                "unknown partition",
                format!("use one of {}", known.join(", ")),
            )
        };
        out.push(
            Diagnostic::new(
                &UNKNOWN_PARTITION,
                &obj.file,
                field.span.clone(),
                format!(
                    "`{}` is in partition `{}`, {problem}; it never matches",
                    field.value, arn.partition
                ),
            )
            .label(label)
            .help(help),
        );
    }
}
