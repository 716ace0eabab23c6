//! Source format: RBAC objects (Roles, `ClusterRoles` and their bindings) from any manifest
//! (alone or in a `kind: List`) whose text may hold them, read into [`crate::model::rbac`]'s
//! [`Object`] with spans: the neighbour rules look at them one file at a time, and the joined
//! view of a cluster (`awsauth access`, the rules across a cluster's files, `diff`) at all of
//! them.

use super::{Document, Format, Reads};
pub use crate::model::rbac::{Object as RbacObject, PolicyRule, Subject};
use crate::model::rbac::{Object, is_rbac_kind, read as read_object};

/// Whether a file may hold RBAC (a cheap test of its text, before parsing): an object of the
/// RBAC API group whose kind names a role or binding.
pub(super) fn may_hold_rbac(text: &str) -> bool {
    static ROLE: super::detect::Needles<1> = super::detect::Needles::new(["Role"]);
    GROUP.any_in(text) && ROLE.any_in(text)
}

/// The API group every RBAC manifest names (`prefilter` takes it).
pub(super) static GROUP: super::detect::Needles<1> =
    super::detect::Needles::new(["rbac.authorization.k8s.io"]);

/// The RBAC format: Roles, `ClusterRoles` and their bindings.
pub(super) const FORMAT: Format = Format {
    takes: is_rbac,
    reads: Reads::Rbac(read),
};

fn is_rbac(doc: &Document<'_>) -> bool {
    is_rbac_kind(doc.kind)
}

/// A Role, `ClusterRole` or binding, with the rules and subjects it holds.
fn read(doc: &Document<'_>) -> Option<Object> {
    read_object(doc.file, doc.root, doc.kind?)
}
