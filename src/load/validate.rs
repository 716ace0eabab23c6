//! `Validate`: the authenticator's check of each decoded mapping (`RoleMapping.Validate`,
//! `UserMapping.Validate`); an entry that fails it is dropped, and the reason is kept.

use crate::model::{Entry, SectionKind};

/// `RoleMapping.Validate` / `UserMapping.Validate` (`pkg/config/mapper.go`).
pub(super) fn validate(entry: &Entry) -> Option<String> {
    match entry.section {
        SectionKind::MapRoles => match (&entry.arn, &entry.sso) {
            (None, None) => Some("one of rolearn or SSO must be supplied".into()),
            (Some(_), Some(_)) => Some("only one of rolearn or SSO can be supplied".into()),
            (None, Some(sso)) => {
                let account_ok = sso.account_id.len() == 12
                    && sso.account_id.bytes().all(|b| b.is_ascii_digit());
                let psn = &sso.permission_set_name;
                let psn_ok = (1..=32).contains(&psn.chars().count())
                    && psn
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c));
                if !account_ok {
                    Some(format!(
                        "sso accountID `{}` is not 12 digits",
                        sso.account_id
                    ))
                } else if !psn_ok {
                    Some(format!("sso permissionSetName `{psn}` is invalid"))
                } else if !sso.partition.is_empty()
                    && !crate::arn::PARTITIONS.contains(&sso.partition.as_str())
                {
                    Some(format!(
                        "sso partition `{}` is not a known partition",
                        sso.partition
                    ))
                } else {
                    None
                }
            }
            (Some(_), None) => None,
        },
        _ => entry
            .arn
            .is_none()
            .then(|| "value for userarn must be supplied".into()),
    }
}
