//! `access-entry-role-path`: an IAM Identity Center role without its path in an access entry.
use crate::arn::{Arn, starts_with_ignoring_case};
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::access_entries::AccessDecls;
use crate::rules::mask_placeholders;

declare_rule! {
    /// ## What it does
    /// Reports an EKS access entry whose principal is an IAM Identity Center role
    /// (`AWSReservedSSO_<PermissionSet>_<id>`) written without its
    /// `aws-reserved/sso.amazonaws.com/` path: `role/AWSReservedSSO_Admin_0123`.
    ///
    /// This is the reverse of `role-arn-path`: aws-auth needs the ARN *without* the path,
    /// access entries need the full ARN *with* it.
    ///
    /// ## Why is this bad?
    /// EKS resolves an access entry's principal ARN to the IAM principal's id when the entry is
    /// created, and matches callers by that id. Identity Center roles always live under
    /// `/aws-reserved/sso.amazonaws.com/` (sometimes with a region segment), so the path-less ARN
    /// names no role: `CreateAccessEntry` fails ("invalid principal"), and nobody of the
    /// permission set gets in. A stripped ARN copied from aws-auth is the usual cause.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: eksctl.io/v1alpha5
    /// kind: ClusterConfig
    /// metadata:
    ///   name: prod
    ///   region: eu-west-1
    /// accessConfig:
    ///   accessEntries:
    ///     - principalARN: arn:aws:iam::111122223333:role/AWSReservedSSO_Admin_0123456789abcdef
    ///       kubernetesGroups: [admins]
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
    ///   accessEntries:
    ///     - principalARN: arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef
    ///       kubernetesGroups: [admins]
    /// ```
    ///
    /// ## References
    /// - EKS user guide, "Create access entries": "If the ARN is for an IAM role, it can include a
    ///   path. ARNs in `aws-auth` `ConfigMap` entries, can't include a path"
    ///   (<https://docs.aws.amazon.com/eks/latest/userguide/creating-access-entries.html>)
    /// - aws/containers-roadmap#185: access entries match the IAM principal id, "do not strip off
    ///   the path like you need to do in the `aws-auth` `ConfigMap`"
    /// - terraform-aws-modules/terraform-aws-eks#2969: Identity Center roles take the full ARN
    pub ACCESS_ENTRY_ROLE_PATH = "access-entry-role-path", category: Correctness, severity: Error,
    summary: "an IAM Identity Center role without its path in an access entry names no role",
}

/// Reports path-less Identity Center roles.
pub fn check(decls: &AccessDecls, out: &mut Vec<Diagnostic>) {
    for entry in &decls.entries {
        let Some(p) = &entry.principal else { continue };
        let text = mask_placeholders(&p.value);
        let Some(arn) = Arn::parse(&text) else {
            continue;
        };
        if !arn.service_is("iam")
            || !arn.type_is("role")
            || arn.resource.contains("${")
            || arn.segments().len() != 1
            || !starts_with_ignoring_case(arn.name(), "awsreservedsso_")
        {
            continue;
        }
        // the ARN as written (a placeholder account stays one) with the path inserted
        let full = match p.value.rfind(":role/") {
            Some(i) => format!(
                "{}:role/aws-reserved/sso.amazonaws.com/{}",
                &p.value[..i],
                &p.value[i + ":role/".len()..]
            ),
            None => format!(
                "arn:{}:iam::{}:role/aws-reserved/sso.amazonaws.com/{}",
                arn.partition,
                arn.account,
                arn.name()
            ),
        };
        out.push(
            Diagnostic::new(
                &ACCESS_ENTRY_ROLE_PATH,
                &entry.file,
                p.span.clone(),
                format!(
                    "role `{}` is an IAM Identity Center role without its path `aws-reserved/sso.amazonaws.com/`; an access entry needs the full ARN, so this one names no role",
                    p.value
                ),
            )
            .label("the role's path is missing")
            .help(format!(
                "write the role's full ARN, `{full}` (with the region segment, `sso.amazonaws.com/<region>/`, where the role has one: `aws iam get-role --role-name {}` shows it)",
                arn.name()
            )),
        );
    }
}
