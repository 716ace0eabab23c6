//! The effective view of cluster access: what the authenticator keeps of the written
//! mappings, and which entries a rule about their content looks at.

use super::identity::is_node_mapping;
use super::{AwsAuth, Entry, SectionKind, Status};

/// What a section takes with it when it is lost: how many mappings (or, for `mapAccounts`,
/// accounts) are written in it, and the ARNs of the node roles among them.
pub fn lost_mappings(obj: &AwsAuth, kind: SectionKind) -> (usize, Vec<&str>) {
    if kind == SectionKind::MapAccounts {
        return (obj.accounts.len(), Vec::new());
    }
    let lost: Vec<&Entry> = obj
        .entries
        .iter()
        .filter(|e| e.section == kind && (e.arn.is_some() || e.sso.is_some()))
        .collect();
    let nodes = lost
        .iter()
        .filter(|e| kind == SectionKind::MapRoles && is_node_mapping(e))
        .filter_map(|e| e.arn.as_ref().map(|a| a.value.as_str()))
        .collect();
    (lost.len(), nodes)
}

/// Entries that the authenticator (or eksctl) would consider: not lost with a broken section,
/// not eksctl service mappings without an ARN.
pub fn active_entries(obj: &AwsAuth) -> impl Iterator<Item = &Entry> {
    obj.entries
        .iter()
        .filter(|e| !matches!(e.status, Status::Lost(_)) && obj.rejected.is_empty())
}
