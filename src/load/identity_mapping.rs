//! Source format: aws-iam-authenticator's `IAMIdentityMapping` custom resource
//! (`apiVersion: iamauthenticator.k8s.aws/v1alpha1`), one mapping per object: `spec.arn`,
//! `spec.username`, `spec.groups`. The entry is a `mapUsers` entry for an IAM user ARN and a
//! `mapRoles` entry otherwise, so the rules about roles and users apply as in aws-auth.
//!
//! What the authenticator makes of it (kubernetes-sigs/aws-iam-authenticator, main of July
//! 2026):
//! - **Only with the `CRD` backend mode.** `cmd/aws-iam-authenticator/server.go`:
//!   `--backend-mode` is an "ordered list of backends to get mappings from. The first one that
//!   returns a matching mapping wins", `MountedFile` by default; `pkg/server/server.go`
//!   (`BuildMapperChain`) starts the CRD mapper only for `CRD`. The README ("`CRD` (alpha)")
//!   says a single backend reads nothing else. A file does not say how the server runs, so the
//!   source is loaded as if the mode were on, and `inspect` says that it must be.
//! - **Keyed by the canonical ARN, ignoring case.** The mapper's controller
//!   (`pkg/mapper/crd/controller/controller.go`, `syncHandler`) writes
//!   `status.canonicalARN = arn.Canonicalize(strings.ToLower(spec.arn))` and skips an object with
//!   an empty `spec.arn`; the index (`IndexIAMIdentityMappingByCanonicalArn`) leaves out an
//!   object without a canonical ARN, so one `Canonicalize` refuses (`pkg/arn/arn.go`: an unknown
//!   partition, or not an IAM `role`, `user` or `root`, or an STS `assumed-role` or
//!   `federated-user`) never matches. `pkg/mapper/crd/mapper.go` (`Map`) looks the caller's
//!   lower-cased canonical ARN up in that index, and returns `spec.username` and `spec.groups`.
//!   An STS `assumed-role/<role>/<session>` ARN canonicalises to the role's ARN: it maps every
//!   session of the role, and is loaded as that role's ARN. A `status` written in a manifest does
//!   not matter: the controller recomputes it, and `deploy/iamidentitymapping.yaml` declares the
//!   status subresource, so the API server ignores `status` on create.
//! - **Validation.** The CRD (`deploy/iamidentitymapping.yaml`, cluster-scoped) requires
//!   `spec.arn` and `spec.username`, strings; `groups` is an optional list of strings. An object
//!   without `spec.username` is refused by the API server.
//! - **Several objects for one ARN**: `Map` takes the first object the index returns, in no
//!   defined order; each object is a source of its own here, so that is not modelled.

use super::eksctl::string_field;
use super::{Document, Format, Reads, finish, new_object, scalar_field};
use crate::arn::{Arn, PARTITIONS};
use crate::model::{AwsAuth, Entry, Field, SectionKind, SourceKind, Status};
use crate::yaml::Node;

/// The `IAMIdentityMapping` format.
pub(super) const FORMAT: Format = Format {
    takes: is_identity_mapping,
    reads: Reads::AwsAuth(|doc| Some(load_identity_mapping(doc))),
};

fn is_identity_mapping(doc: &Document<'_>) -> bool {
    doc.kind == Some("IAMIdentityMapping")
        && doc
            .root
            .get("apiVersion")
            .and_then(Node::as_str)
            .is_some_and(|v| v.starts_with("iamauthenticator.k8s.aws/"))
}

/// The one mapping of an `IAMIdentityMapping`, as the CRD mapper indexes it.
fn load_identity_mapping(doc: &Document<'_>) -> AwsAuth {
    let (file, root) = (doc.file, doc.root);
    let mut obj = new_object(file, doc.index, SourceKind::IamIdentityMapping, root);
    obj.name = scalar_field(file, root.get("metadata").and_then(|m| m.get("name")));
    let spec = root.get("spec").filter(|s| s.as_map().is_some());
    let field = |key: &str| spec.and_then(|s| string_field(s, key));
    let written = field("arn").filter(|a| !a.value.is_empty());
    let canonical = written.as_ref().map(|a| canonicalize(&a.value));
    let section = match &canonical {
        Some(Ok(c)) if Arn::parse(c).is_some_and(|a| a.type_is("user")) => SectionKind::MapUsers,
        _ => SectionKind::MapRoles,
    };
    let status = match (&canonical, spec.and_then(|s| s.get("username"))) {
        (None, _) if spec.and_then(|s| s.get("arn")).is_none() => Status::Dropped(
            "the API server rejects an IAMIdentityMapping without `spec.arn`".to_owned(),
        ),
        (None, _) => Status::Dropped(
            "the authenticator skips an IAMIdentityMapping with an empty `spec.arn`: it never matches"
                .to_owned(),
        ),
        (Some(Err(why)), _) => Status::Dropped(format!(
            "the authenticator cannot canonicalize `spec.arn` ({why}): it never matches"
        )),
        (Some(Ok(_)), None) => Status::Dropped(
            "the API server rejects an IAMIdentityMapping without `spec.username`".to_owned(),
        ),
        (Some(Ok(_)), Some(_)) => Status::Effective,
    };
    // an assumed-role ARN maps its role: loaded as the role's ARN, where it was written
    let arn = match (written, canonical) {
        (Some(a), Some(Ok(c))) if c != a.value.to_ascii_lowercase() => Some(Field {
            value: assumed_role(&a.value).unwrap_or(c),
            span: a.span,
        }),
        (a, _) => a,
    };
    obj.entries.push(Entry {
        section,
        index: 0,
        span: spec.map_or_else(|| root.span.clone(), |s| s.span.clone()),
        arn,
        sso: None,
        username: field("username"),
        groups: super::group_fields(spec),
        status,
        note: None,
        service: None,
    });
    finish(&mut obj);
    obj
}

/// `arn.Canonicalize(strings.ToLower(arn))` (`pkg/arn/arn.go`): the lower-cased ARN the mapping
/// is indexed under, or why the authenticator refuses it.
fn canonicalize(arn: &str) -> Result<String, String> {
    let lower = arn.to_lowercase();
    let parts: Vec<&str> = lower.splitn(6, ':').collect();
    if !lower.starts_with("arn:") || parts.len() < 6 {
        return Err("not an ARN".to_owned());
    }
    let (partition, service, account, resource) = (parts[1], parts[2], parts[4], parts[5]);
    if !PARTITIONS.contains(&partition) {
        return Err(format!("partition `{partition}` is not recognized"));
    }
    let pieces: Vec<&str> = resource.split('/').collect();
    match (service, pieces[0]) {
        ("sts", "federated-user") | ("iam", "role" | "user" | "root") => Ok(lower.clone()),
        ("sts", "assumed-role") if pieces.len() >= 3 => Ok(format!(
            "arn:{partition}:iam::{account}:role/{}",
            pieces[1..pieces.len() - 1].join("/")
        )),
        ("sts", "assumed-role") => Err("an assumed-role ARN without a role".to_owned()),
        ("sts" | "iam", kind) => Err(format!("`{kind}` is not an identity of `{service}`")),
        _ => Err(format!("`{service}` is not a service of identities")),
    }
}

/// The role ARN of an STS assumed-role ARN, in the case it was written.
fn assumed_role(arn: &str) -> Option<String> {
    let a = Arn::parse(arn)?;
    let pieces: Vec<&str> = a.resource.split('/').collect();
    (a.service_is("sts") && a.type_is("assumed-role") && pieces.len() >= 3).then(|| {
        format!(
            "arn:{}:iam::{}:role/{}",
            a.partition,
            a.account,
            pieces[1..pieces.len() - 1].join("/")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_arns_are_the_authenticator_s() {
        assert_eq!(
            canonicalize("arn:aws:iam::111122223333:role/Admin").as_deref(),
            Ok("arn:aws:iam::111122223333:role/admin")
        );
        assert_eq!(
            canonicalize("arn:aws:sts::111122223333:assumed-role/Team/Dev/alice").as_deref(),
            Ok("arn:aws:iam::111122223333:role/team/dev")
        );
        assert!(canonicalize("arn:aws:sts::111122223333:assumed-role/Dev").is_err());
        assert!(canonicalize("arn:aws:iam::111122223333:group/ops").is_err());
        assert!(canonicalize("arn:moon:iam::111122223333:role/x").is_err());
        assert!(canonicalize("arn:aws:s3:::bucket").is_err());
        assert!(canonicalize("111122223333").is_err());
        assert_eq!(
            assumed_role("arn:aws:sts::111122223333:assumed-role/Dev/alice").as_deref(),
            Some("arn:aws:iam::111122223333:role/Dev")
        );
    }
}
