//! Source format: Cluster API AWS (CAPA) `AWSManagedControlPlane`
//! (`apiVersion: controlplane.cluster.x-k8s.io/v1beta1` or `v1beta2`), whose
//! `spec.iamAuthenticatorConfig` lists `mapRoles` (`rolearn`, `username`, `groups`) and
//! `mapUsers` (`userarn`, `username`, `groups`); an `AWSManagedControlPlaneTemplate` holds the
//! same under `spec.template.spec`. Each item becomes an entry of its section, numbered as
//! written.
//!
//! What the cluster makes of it (kubernetes-sigs/cluster-api-provider-aws, main of July 2026):
//! - **CAPA adds, never replaces or removes.** `pkg/cloud/services/iamauth/reconcile.go`
//!   (`ReconcileIAMAuthenticator`) maps the node roles of the cluster's machine deployments and
//!   pools (`system:node:{{EC2PrivateDNSName}}`, `system:bootstrappers`, `system:nodes`), then
//!   each `mapRoles` and `mapUsers` item, through the `config-map` backend
//!   (`controlplane/eks/controllers/awsmanagedcontrolplane_controller.go` passes
//!   `iamauth.BackendTypeConfigMap`). `configmap.go` (`MapRole`, `MapUser`) reads the
//!   `kube-system/aws-auth` sections, skips a mapping equal (`cmp.Equal`: ARN, username and
//!   groups) to one already there, and appends any other, so a mapping of an ARN that aws-auth
//!   maps differently is added after it, and wins (the authenticator is last-wins). Nothing
//!   deletes a mapping: one removed from the spec stays in aws-auth. `saveAuthConfig` rewrites
//!   `mapRoles`/`mapUsers` with `sigs.k8s.io/yaml` (no YAML pitfall survives it; fields other than
//!   `rolearn`/`userarn`, `username` and `groups` of the existing entries are lost) and keeps
//!   the other keys. So this source's entries are what CAPA adds; the node roles are CAPA's
//!   own (the node rules do not ask for them here).
//! - **Validation rejects the whole object.** The CRD schema
//!   (`config/crd/bases/controlplane.cluster.x-k8s.io_awsmanagedcontrolplanes.yaml`) requires
//!   `rolearn`/`userarn` (`minLength: 31`), `username` and `groups`, all strings, and the
//!   webhook (`controlplane/eks/webhooks/awsmanagedcontrolplane_webhook.go`,
//!   `validateIAMAuthConfig`, calling `Validate` in `controlplane/eks/api/v1beta2/validate.go`)
//!   refuses a blank ARN or username, no groups, a value `arn.IsARN`/`arn.Parse` reject, and a
//!   role mapping whose resource does not contain `role/` (`user/` for users). The API server
//!   then refuses the object, and CAPA applies none of its mappings. awsauth drops only the
//!   failing mapping (its reason says the object is refused) and keeps checking the others, so
//!   that one mistake does not hide the findings of the rest.
//! - Keys are matched exactly (the API server prunes unknown fields such as `roleARN`), and a
//!   value that is not a string (`username: on`, read as YAML 1.1 by `kubectl`) is refused by the
//!   schema: such a value is not taken.

use super::eksctl::string_field;
use super::{Document, Format, Reads, finish, new_object, scalar_field};
use crate::model::{AwsAuth, Entry, Field, SectionKind, SourceKind, Status};
use crate::yaml::Node;

/// The CAPA format.
pub(super) const FORMAT: Format = Format {
    takes: is_capa,
    reads: Reads::AwsAuth(load_capa),
};

/// The control plane kind, and its template (for `ClusterClass`).
const KINDS: [&str; 2] = ["AWSManagedControlPlane", "AWSManagedControlPlaneTemplate"];

/// CAPA refuses ARNs shorter than this (`+kubebuilder:validation:MinLength:=31`).
const MIN_ARN_LENGTH: usize = 31;

fn is_capa(doc: &Document<'_>) -> bool {
    doc.kind.is_some_and(|k| KINDS.contains(&k))
        && doc
            .root
            .get("apiVersion")
            .and_then(Node::as_str)
            .is_some_and(|v| v.starts_with("controlplane.cluster.x-k8s.io/"))
}

/// The `spec.iamAuthenticatorConfig` of a control plane (or of its template), as CAPA adds it.
fn load_capa(doc: &Document<'_>) -> Option<AwsAuth> {
    let (file, root) = (doc.file, doc.root);
    let mut spec = root.get("spec")?;
    if doc.kind == Some(KINDS[1]) {
        spec = spec.get("template")?.get("spec")?;
    }
    let config = spec.get("iamAuthenticatorConfig")?;
    let mut obj = new_object(file, doc.index, SourceKind::Capa, root);
    let metadata = root.get("metadata");
    obj.name = scalar_field(file, metadata.and_then(|m| m.get("name")));
    obj.namespace = scalar_field(file, metadata.and_then(|m| m.get("namespace")));
    for section in [SectionKind::MapRoles, SectionKind::MapUsers] {
        let items = config
            .get(section.key())
            .and_then(Node::as_seq)
            .unwrap_or_default();
        for (index, item) in items.iter().enumerate() {
            obj.entries.push(mapping(item, section, index));
        }
    }
    finish(&mut obj);
    Some(obj)
}

/// One item of `mapRoles` or `mapUsers`, dropped when CAPA's validation refuses it.
fn mapping(item: &Node, section: SectionKind, index: usize) -> Entry {
    let field = |key: &str| string_field(item, key);
    let arn = field(section.arn_key());
    let username = field("username");
    let groups: Vec<Field> = super::group_fields(Some(item));
    let refused = refusal(
        section,
        arn.as_ref().map(|a| a.value.as_str()),
        username.as_ref().map(|u| u.value.as_str()),
        !groups.is_empty(),
    );
    Entry {
        section,
        index,
        span: item.span.clone(),
        arn: arn.filter(|a| !a.value.trim().is_empty()),
        sso: None,
        username,
        groups,
        status: refused.map_or(Status::Effective, |why| {
            Status::Dropped(format!(
                "CAPA refuses it ({why}): the API server rejects the AWSManagedControlPlane, and none of its mappings is added"
            ))
        }),
        note: None,
        service: None,
    }
}

/// Why CAPA's schema or webhook refuses a mapping (`RoleMapping.Validate`,
/// `UserMapping.Validate`), if it does; the first reason.
fn refusal(
    section: SectionKind,
    arn: Option<&str>,
    username: Option<&str>,
    has_groups: bool,
) -> Option<String> {
    let key = section.arn_key();
    let (kind, resource) = match section {
        SectionKind::MapUsers => ("user", "user/"),
        _ => ("role", "role/"),
    };
    let Some(arn) = arn.filter(|a| !a.trim().is_empty()) else {
        return Some(format!("`{key}` is required"));
    };
    if arn.chars().count() < MIN_ARN_LENGTH {
        return Some(format!(
            "`{key}` is shorter than {MIN_ARN_LENGTH} characters"
        ));
    }
    // aws-sdk-go-v2 `arn.IsARN` and `arn.Parse`: `arn:` (lower case) and six sections
    let sections: Vec<&str> = arn.splitn(6, ':').collect();
    if !arn.starts_with("arn:") || sections.len() < 6 {
        return Some(format!("`{key}` is not an ARN"));
    }
    if !sections[5].contains(resource) {
        return Some(format!("`{key}` is not a {kind} ARN"));
    }
    if username.is_none_or(|u| u.trim().is_empty()) {
        return Some("`username` is required".to_owned());
    }
    if !has_groups {
        return Some("`groups` must list at least one group".to_owned());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROLE: &str = "arn:aws:iam::111122223333:role/admin";

    #[test]
    fn validation_is_capa_s() {
        let roles = SectionKind::MapRoles;
        assert_eq!(refusal(roles, Some(ROLE), Some("admin"), true), None);
        assert_eq!(
            refusal(roles, Some(" "), Some("admin"), true).as_deref(),
            Some("`rolearn` is required")
        );
        assert_eq!(
            refusal(roles, Some("arn:aws:iam::1:role/a"), Some("a"), true).as_deref(),
            Some("`rolearn` is shorter than 31 characters")
        );
        assert_eq!(
            refusal(
                roles,
                Some("ARN:AWS:IAM::111122223333:ROLE/ADMIN"),
                Some("a"),
                true
            )
            .as_deref(),
            Some("`rolearn` is not an ARN")
        );
        assert_eq!(
            refusal(SectionKind::MapUsers, Some(ROLE), Some("admin"), true).as_deref(),
            Some("`userarn` is not a user ARN")
        );
        assert_eq!(
            refusal(roles, Some(ROLE), Some(""), true).as_deref(),
            Some("`username` is required")
        );
        assert_eq!(
            refusal(roles, Some(ROLE), Some("admin"), false).as_deref(),
            Some("`groups` must list at least one group")
        );
    }
}
