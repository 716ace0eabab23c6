//! `invalid-access-principal`: an access entry principal that can never have one.
use crate::arn::{Arn, starts_with_ignoring_case};
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::access_entries::{AccessDecls, AccessEntry};
use crate::rules::{is_placeholder, mask_placeholders};

declare_rule! {
    /// ## What it does
    /// Reports an EKS access entry whose principal can never have an access entry: an STS
    /// session (`arn:aws:sts::<account>:assumed-role/<role>/<session>`), a service-linked role
    /// (`role/aws-service-role/...`), an account root (`:root`), anything else that is not an
    /// IAM role or user ARN, and a malformed ARN. An entry without a principal is reported too:
    /// the principal ARN is required. Values not known from the repository (`${...}`) are
    /// skipped.
    ///
    /// ## Why is this bad?
    /// EKS rejects the entry, so the apply fails. Access entries name IAM roles and users: a
    /// session is a temporary principal of each sign-in (name the role it assumed), EKS cannot
    /// create entries for service-linked roles (the service's access is EKS's business), and
    /// an account root or a group is no principal a caller signs in as.
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
    ///     - principalARN: arn:aws:sts::111122223333:assumed-role/admin/alice
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
    ///     - principalARN: arn:aws:iam::111122223333:role/admin
    ///       kubernetesGroups: [admins]
    /// ```
    ///
    /// ## References
    /// - EKS API reference, `CreateAccessEntry`: `principalArn` is required; "You can't use the
    ///   STS session principal type with access entries"
    ///   (<https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateAccessEntry.html>)
    /// - EKS user guide, "Create access entries": no access entries for service-linked roles
    ///   (<https://docs.aws.amazon.com/eks/latest/userguide/creating-access-entries.html>)
    pub INVALID_ACCESS_PRINCIPAL = "invalid-access-principal", category: Correctness, severity: Error,
    summary: "an access entry principal that can never have an access entry",
}

/// Reports principals EKS rejects.
pub fn check(decls: &AccessDecls, out: &mut Vec<Diagnostic>) {
    for entry in &decls.entries {
        let Some(p) = &entry.principal else {
            // EKS makes the creator's entry itself, of the caller it knows
            if entry.implicit.is_none() {
                missing(entry, out);
            }
            continue;
        };
        let v = p.value.trim();
        // a value not known from the repository: only what is written around its placeholders
        // (`arn:aws:sts::${AWS::AccountId}:assumed-role/...`) is checked
        let unknown = v.contains("${");
        if !unknown && is_placeholder(v) {
            continue;
        }
        let Some((message, label, help)) = problem(v, unknown) else {
            continue;
        };
        out.push(
            Diagnostic::new(
                &INVALID_ACCESS_PRINCIPAL,
                &entry.file,
                p.span.clone(),
                message,
            )
            .label(label)
            .help(help),
        );
    }
}

/// An entry without its principal, reported on the entry's first line.
fn missing(entry: &AccessEntry, out: &mut Vec<Diagnostic>) {
    let start = entry.span.start;
    let end = entry.file.text[start..entry.span.end.max(start)]
        .find('\n')
        .map_or(entry.span.end, |i| start + i);
    out.push(
        Diagnostic::new(
            &INVALID_ACCESS_PRINCIPAL,
            &entry.file,
            start..end,
            format!(
                "access entry `{}` has no principal ARN; it is required",
                entry.origin.name
            ),
        )
        .label("no principal")
        .help("name the IAM role or user the entry is for"),
    );
}

/// What is wrong with a principal ARN: the message, label and help.
/// With `unknown`, `v` holds `${...}` placeholders: its shape is not judged, only the service
/// and resource type written around them.
fn problem(v: &str, unknown: bool) -> Option<(String, &'static str, String)> {
    const SHAPE: &str =
        "write `arn:<partition>:iam::<12-digit account>:role/<path/name>` (or `:user/<path/name>`)";
    let masked = mask_placeholders(v);
    if unknown {
        let arn = Arn::parse(&masked)?;
        if arn.service.contains("${") || arn.resource_type().contains("${") {
            return None;
        }
    } else if let Some(problem) = crate::rules::malformed_arn::problem(v) {
        return Some((
            format!("principal `{v}` is not an IAM role or user ARN: {problem}"),
            "malformed ARN",
            SHAPE.to_owned(),
        ));
    }
    let arn = Arn::parse(&masked)?;
    if arn.service_is("sts") && arn.type_is("assumed-role") {
        let role = arn.segments().first().copied().unwrap_or_default();
        // the role's ARN as written (a placeholder account stays one)
        let role_arn = match v.find(":assumed-role/") {
            Some(i) => format!("{}:role/{role}", v[..i].replacen(":sts:", ":iam:", 1)),
            None => arn.canonical_role(role),
        };
        return Some((
            format!(
                "principal `{v}` is an STS session; access entries take the IAM role, not a session of it"
            ),
            "a temporary session",
            format!("name the role: `{role_arn}` (with the role's path, if it has one)"),
        ));
    }
    if !arn.service_is("iam") {
        return Some((
            format!(
                "principal `{v}` is not an IAM role or user ARN (service `{}`)",
                arn.service
            ),
            "not an IAM principal",
            SHAPE.to_owned(),
        ));
    }
    if arn.type_is("root") {
        return Some((
            format!("principal `{v}` is the account root; access entries take an IAM role or user"),
            "an account root",
            "name the IAM roles or users of the account that need access".to_owned(),
        ));
    }
    if arn.type_is("role") && starts_with_ignoring_case(arn.resource, "role/aws-service-role/") {
        return Some((
            format!(
                "principal `{v}` is a service-linked role; EKS creates no access entries for them"
            ),
            "a service-linked role",
            "remove the entry: the service's access is managed by AWS".to_owned(),
        ));
    }
    if !(arn.type_is("role") || arn.type_is("user")) {
        return Some((
            format!(
                "principal `{v}` is an IAM `{}`, not a role or user",
                arn.resource_type()
            ),
            "not a role or user",
            SHAPE.to_owned(),
        ));
    }
    if arn.name().is_empty() && !unknown {
        return Some((
            format!("principal `{v}` has no {} name", arn.resource_type()),
            "malformed ARN",
            SHAPE.to_owned(),
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::problem;

    #[test]
    fn only_iam_roles_and_users_are_principals() {
        for ok in [
            "arn:aws:iam::111122223333:role/dev",
            "arn:aws:iam::111122223333:role/path/to/dev",
            "arn:aws-cn:iam::111122223333:user/alice",
            "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_A_1",
        ] {
            assert_eq!(problem(ok, false), None, "{ok}");
        }
        for bad in [
            "arn:aws:sts::111122223333:assumed-role/dev/alice",
            "arn:aws:iam::111122223333:role/aws-service-role/eks.amazonaws.com/AWSServiceRoleForAmazonEKS",
            "arn:aws:iam::111122223333:root",
            "arn:aws:iam::111122223333:group/admins",
            "arn:aws:iam::1111:role/dev",
            "role/dev",
            "arn:aws:s3:::bucket",
            "arn:aws:iam::111122223333:role/",
        ] {
            assert!(problem(bad, false).is_some(), "{bad}");
        }
        assert!(problem("arn:aws:sts::${AWS::AccountId}:assumed-role/a/b", true).is_some());
        assert_eq!(problem("arn:aws:iam::${AWS::AccountId}:role/a", true), None);
        assert_eq!(problem("${aws_iam_role.a.arn}", true), None);
        assert_eq!(
            problem("arn:${var.partition}:iam::1:${var.kind}/a", true),
            None
        );
    }
}
