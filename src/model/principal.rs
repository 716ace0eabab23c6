//! Who a mapping is for: one [`Principal`] type, keyed as the authenticator keys it, with its
//! display and its parsing in one place.
//!
//! The authenticator stores `mapRoles` under the lower-cased role ARN (or the SSO matcher),
//! `mapUsers` under the exact user ARN (looked up ignoring case: [`Principal::folded`] is the
//! lookup key), `mapAccounts` by account id; eksctl adds service mappings by service name and
//! namespace. Principals sort by store (roles and SSO matchers, which share one store, then
//! users, accounts, services: the order the diff lists them), then by their text, and are equal
//! when the authenticator's keys are. EKS access entries, when they are read, become one more
//! variant (an access entry is keyed by its principal ARN, exactly), listed last.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

use super::{Entry, SectionKind};

/// The prefix of an SSO matcher's text: `sso:<account>/<permission set>`.
pub const SSO_PREFIX: &str = "sso:";
/// The prefix of an account's text: `account:<id>`.
pub const ACCOUNT_PREFIX: &str = "account:";
/// The prefix of an eksctl service mapping's text: `service:<name>/<namespace>`.
pub const SERVICE_PREFIX: &str = "service:";
/// The prefix of a section's text: `section:<data key>`.
pub const SECTION_PREFIX: &str = "section:";
/// The prefix of an object's text: `object:<name>`.
pub const OBJECT_PREFIX: &str = "object:";

/// A principal of the cluster's access mappings.
#[derive(Debug, Clone)]
pub enum Principal {
    /// A `mapRoles` role ARN, lower-cased as the authenticator stores it.
    Role(String),
    /// A `mapRoles` SSO matcher: `sso:<account>/<permission set>`.
    Sso {
        /// `accountID`
        account: String,
        /// `permissionSetName`
        permission_set: String,
    },
    /// A `mapUsers` user ARN, exactly as written (the authenticator stores it so).
    User(String),
    /// A `mapAccounts` account: `account:<id>`.
    Account(String),
    /// An eksctl `serviceName` mapping: `service:<name>/<namespace>`.
    Service {
        /// `serviceName`
        name: String,
        /// `namespace`
        namespace: String,
    },
}

impl Principal {
    /// The principal an entry is stored under: `None` without an ARN or SSO matcher.
    pub fn of_entry(entry: &Entry) -> Option<Self> {
        match (&entry.sso, &entry.arn, entry.section) {
            (Some(sso), None, SectionKind::MapRoles) => Some(Self::Sso {
                account: sso.account_id.clone(),
                permission_set: sso.permission_set_name.clone(),
            }),
            (_, Some(arn), SectionKind::MapRoles) => Some(Self::Role(arn.value.to_lowercase())),
            (_, Some(arn), _) => Some(Self::User(arn.value.clone())),
            _ => None,
        }
    }

    /// Reads the text [`Display`](fmt::Display) writes (`sso:`, `account:`, `service:`
    /// prefixes; an ARN naming a `user/` is a user, any other ARN a role).
    pub fn parse(text: &str) -> Self {
        if let Some(rest) = text.strip_prefix(SSO_PREFIX)
            && let Some((account, permission_set)) = rest.split_once('/')
        {
            return Self::Sso {
                account: account.to_owned(),
                permission_set: permission_set.to_owned(),
            };
        }
        if let Some(account) = text.strip_prefix(ACCOUNT_PREFIX) {
            return Self::Account(account.to_owned());
        }
        if let Some(rest) = text.strip_prefix(SERVICE_PREFIX)
            && let Some((name, namespace)) = rest.split_once('/')
        {
            return Self::Service {
                name: name.to_owned(),
                namespace: namespace.to_owned(),
            };
        }
        match crate::arn::Arn::parse(text) {
            Some(a) if crate::arn::starts_with_ignoring_case(a.resource, "user/") => {
                Self::User(text.to_owned())
            }
            _ => Self::Role(text.to_lowercase()),
        }
    }

    /// The key the authenticator looks a request up by: role ARNs, SSO matchers and user ARNs
    /// compared ignoring case (user ARNs differing only in case are two entries that one
    /// request may reach).
    #[must_use]
    pub fn folded(self) -> Self {
        match self {
            // stored lower-cased already
            Self::Role(arn) => Self::Role(arn),
            Self::User(arn) => Self::User(arn.to_lowercase()),
            Self::Sso {
                account,
                permission_set,
            } => Self::Sso {
                account: account.to_lowercase(),
                permission_set: permission_set.to_lowercase(),
            },
            other => other,
        }
    }

    /// The position of the principal's kind in listings: roles and SSO matchers (one store),
    /// users, accounts, services.
    fn rank(&self) -> u8 {
        match self {
            Self::Role(_) | Self::Sso { .. } => 0,
            Self::User(_) => 1,
            Self::Account(_) => 2,
            Self::Service { .. } => 3,
        }
    }

    /// The pieces of the displayed text, in order.
    fn parts(&self) -> [&str; 4] {
        match self {
            Self::Role(arn) | Self::User(arn) => [arn, "", "", ""],
            Self::Sso {
                account,
                permission_set,
            } => [SSO_PREFIX, account, "/", permission_set],
            Self::Account(id) => [ACCOUNT_PREFIX, id, "", ""],
            Self::Service { name, namespace } => [SERVICE_PREFIX, name, "/", namespace],
        }
    }

    /// The section the principal is written in (`None`: an eksctl service mapping).
    pub fn section(&self) -> Option<SectionKind> {
        match self {
            Self::Role(_) | Self::Sso { .. } => Some(SectionKind::MapRoles),
            Self::User(_) => Some(SectionKind::MapUsers),
            Self::Account(_) => Some(SectionKind::MapAccounts),
            Self::Service { .. } => None,
        }
    }

    /// The account of an SSO matcher or of a `mapAccounts` entry (ARNs: see
    /// [`crate::arn::Arn`]).
    pub fn account(&self) -> Option<&str> {
        match self {
            Self::Sso { account, .. } | Self::Account(account) => Some(account),
            _ => None,
        }
    }
}

/// Two principals are the same when they are of one store (roles and SSO matchers are one)
/// and their texts are equal, as the authenticator's keys are; within a store they sort as
/// their texts do (an SSO matcher among role ARNs by its `sso:` text). Compared and hashed
/// without building the text.
impl Ord for Principal {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            // the common case (a store of role or user ARNs), compared at once
            (Self::Role(a), Self::Role(b)) | (Self::User(a), Self::User(b)) => a.cmp(b),
            _ => self.rank().cmp(&other.rank()).then_with(|| {
                let (a, b) = (self.parts(), other.parts());
                a.iter()
                    .flat_map(|s| s.bytes())
                    .cmp(b.iter().flat_map(|s| s.bytes()))
            }),
        }
    }
}

impl PartialEq for Principal {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Principal {}

impl Hash for Principal {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u8(self.rank());
        for part in self.parts() {
            state.write(part.as_bytes());
        }
        state.write_u8(0xff);
    }
}

impl PartialOrd for Principal {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Principal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for part in self.parts() {
            f.write_str(part)?;
        }
        Ok(())
    }
}

/// What a finding outside every mapping is about: a section of a source, or the whole source
/// (lint names it so in the JSON `principal`, the diff a section change). Sections come first:
/// of the two around a finding, the section says more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Enclosing {
    /// `section:<data key>`
    Section(SectionKind),
    /// `object:<name>` (`aws-auth` when the object has none).
    Object(String),
}

impl fmt::Display for Enclosing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Section(kind) => write!(f, "{SECTION_PREFIX}{}", kind.key()),
            Self::Object(name) => write!(f, "{OBJECT_PREFIX}{name}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_reads_back() {
        for text in [
            "arn:aws:iam::111122223333:role/ops",
            "arn:aws:iam::111122223333:user/Alice",
            "sso:111122223333/Admin",
            "account:111122223333",
            "service:emr-containers/jobs",
        ] {
            assert_eq!(Principal::parse(text).to_string(), text);
        }
        assert!(matches!(
            Principal::parse("arn:aws:iam::111122223333:USER/x"),
            Principal::User(_)
        ));
    }

    #[test]
    fn principals_sort_by_store_then_text() {
        let sso = Principal::Sso {
            account: "111122223333".into(),
            permission_set: "Admin".into(),
        };
        let mut all = [
            Principal::Account("1".into()),
            Principal::User("arn:a".into()),
            Principal::Role("zzz".into()),
            sso.clone(),
            Principal::Role("arn:b".into()),
        ];
        all.sort();
        let texts: Vec<String> = all.iter().map(ToString::to_string).collect();
        assert_eq!(
            texts,
            [
                "arn:b",
                "sso:111122223333/Admin",
                "zzz",
                "arn:a",
                "account:1"
            ]
        );
        // one store, one key: a role ARN spelled as a matcher is the matcher's key
        assert_eq!(Principal::Role("sso:111122223333/Admin".into()), sso);
        assert_ne!(
            Principal::User("arn:b".into()),
            Principal::Role("arn:b".into())
        );
    }
}
