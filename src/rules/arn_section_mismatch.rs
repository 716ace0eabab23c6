//! `arn-section-mismatch`: a user ARN in mapRoles or a role ARN in mapUsers.
use crate::arn::Arn;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::{AwsAuth, SectionKind, SourceKind};
use crate::rules::active_entries;

declare_rule! {
    /// ## What it does
    /// Reports a `user/` ARN in `mapRoles` and a `role/` ARN in `mapUsers`.
    ///
    /// ## Why is this bad?
    /// The lookup ignores the section, so it works, but eksctl, access-entry migration and people
    /// classify mappings by section: the entry is misread, migrated wrongly, or edited away.
    /// Cluster API (CAPA) checks the section: a user ARN in `iamAuthenticatorConfig.mapRoles`
    /// gets the whole `AWSManagedControlPlane` rejected.
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
    ///     - rolearn: arn:aws:iam::111122223333:user/alice
    ///       username: alice
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
    ///   mapUsers: |
    ///     - userarn: arn:aws:iam::111122223333:user/alice
    ///       username: alice
    /// ```
    pub ARN_SECTION_MISMATCH = "arn-section-mismatch", category: Correctness, severity: Warning,
    summary: "a user ARN in mapRoles or a role ARN in mapUsers",
}

/// Reports ARNs in the other section.
pub fn check(obj: &AwsAuth, out: &mut Vec<Diagnostic>) {
    for entry in active_entries(obj) {
        let Some(field) = &entry.arn else { continue };
        let Some(arn) = Arn::parse(&field.value) else {
            continue;
        };
        let (service, kind) = arn.kind();
        let (expected, key) = match (entry.section, service.as_ref(), kind.as_ref()) {
            (SectionKind::MapRoles, "iam", "user") => ("mapUsers", "userarn"),
            (SectionKind::MapUsers, "iam", "role") => ("mapRoles", "rolearn"),
            _ => continue,
        };
        out.push(
            Diagnostic::new(
                &ARN_SECTION_MISMATCH,
                &obj.file,
                field.span.clone(),
                if obj.kind == SourceKind::Capa {
                    format!("`{}` belongs in `{expected}`; CAPA refuses a {} ARN in `{}`, and the API server rejects the AWSManagedControlPlane", field.value, arn.resource_type(), entry.section.key())
                } else {
                    format!("`{}` belongs in `{expected}`; it works here, but tools and people classify mappings by section", field.value)
                },
            )
            .label(format!("a {} ARN", arn.resource_type()))
            .help(format!("move the entry to `{expected}` as `{key}`")),
        );
    }
}
