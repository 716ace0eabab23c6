//! Source format: bare fragments, documents without a `kind` that hold aws-auth keys, at the top
//! (`mapRoles: |` in a values file or a Terraform input) or under `data:` (a patch). No API
//! server reads a fragment as it is, so structured values beside the sections are skipped, not
//! rejected.

use super::data::{has_section_key, load_data};
use super::{Document, Format, Reads, finish, new_object};
use crate::model::{AwsAuth, SourceKind};

/// The fragment format.
pub(super) const FORMAT: Format = Format {
    takes: has_no_kind,
    reads: Reads::AwsAuth(load_fragment),
};

fn has_no_kind(doc: &Document<'_>) -> bool {
    doc.kind.is_none()
}

/// The aws-auth keys of a fragment, if it has any.
fn load_fragment(doc: &Document<'_>) -> Option<AwsAuth> {
    let root = doc.root;
    // a bare fragment: `mapRoles: |` at the top, or a `data:` patch without a kind
    let holder = if has_section_key(root) {
        Some(root)
    } else {
        root.get("data").filter(|d| has_section_key(d))
    }?;
    let mut obj = new_object(doc.file, doc.index, SourceKind::Fragment, root);
    load_data(doc.file, holder, &mut obj);
    finish(&mut obj);
    Some(obj)
}
