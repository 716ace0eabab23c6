//! IAM ARNs as the authenticator compares them: `arn:<partition>:<service>:<region>:<account>:<resource>`.
//! The caller's identity is canonicalised before lookup (`pkg/arn/arn.go`): an assumed-role
//! session becomes `arn:<p>:iam::<acct>:role/<RoleName>` **without the role's path**, user ARNs
//! keep their path, and comparison ignores case.

/// The partitions whose tokens the authenticator accepts (`pkg/endpoints/partitions.go`).
pub const PARTITIONS: [&str; 8] = [
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
];

use std::borrow::Cow;

/// An AWS account id: exactly 12 ASCII digits.
pub fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

/// `text` in ASCII lower case, borrowed when it is already.
fn lower(text: &str) -> Cow<'_, str> {
    if text.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(text.to_ascii_lowercase())
    } else {
        Cow::Borrowed(text)
    }
}

/// Whether `text` starts with `prefix` (ASCII, lower case) in any case.
pub fn starts_with_ignoring_case(text: &str, prefix: &str) -> bool {
    text.as_bytes()
        .get(..prefix.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(prefix.as_bytes()))
}

/// The six sections of an ARN, borrowed from the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arn<'a> {
    /// `aws`, `aws-cn`, ...
    pub partition: &'a str,
    /// `iam`, `sts`, ...
    pub service: &'a str,
    /// Empty for IAM.
    pub region: &'a str,
    /// 12 digits.
    pub account: &'a str,
    /// `role/path/Name`, `user/Name`, `root`, `assumed-role/Name/Session`, ...
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    /// Splits an ARN into its six sections; `None` when it is not `arn:` plus five colons. The
    /// authenticator compares ARNs ignoring case, so `ARN:AWS:IAM::...` is an ARN too; its
    /// sections keep their case (compare them with the `*_is` methods).
    pub fn parse(text: &'a str) -> Option<Self> {
        // `splitn(6, ':')` by hand: rules parse every entry's ARN, several times over
        let rest = match text.as_bytes().get(..4)? {
            b"arn:" => &text[4..],
            p if p.eq_ignore_ascii_case(b"arn:") => &text[4..],
            _ => return None,
        };
        let mut colons = rest
            .bytes()
            .enumerate()
            .filter_map(|(i, b)| (b == b':').then_some(i));
        let (a, b, c, d) = (
            colons.next()?,
            colons.next()?,
            colons.next()?,
            colons.next()?,
        );
        Some(Self {
            partition: &rest[..a],
            service: &rest[a + 1..b],
            region: &rest[b + 1..c],
            account: &rest[c + 1..d],
            resource: &rest[d + 1..],
        })
    }

    /// Whether the service is `service`, ignoring case as the authenticator does.
    pub fn service_is(&self, service: &str) -> bool {
        self.service.eq_ignore_ascii_case(service)
    }

    /// Whether the resource type is `kind` (`role`, `user`, `root`, ...), ignoring case.
    pub fn type_is(&self, kind: &str) -> bool {
        self.resource_type().eq_ignore_ascii_case(kind)
    }

    /// The service and the resource type in lower case, for matching: `("iam", "role")`
    /// (borrowed when already lower case, as they nearly always are).
    pub fn kind(&self) -> (Cow<'a, str>, Cow<'a, str>) {
        (lower(self.service), lower(self.resource_type()))
    }

    /// Whether this is an IAM Identity Center (SSO) role: `AWSReservedSSO_<PermissionSet>_<id>`,
    /// with or without its `aws-reserved/sso.amazonaws.com/` path. Identity Center sets the
    /// session name of these roles to the signed-in user's name; the caller cannot choose it.
    pub fn is_identity_center_role(&self) -> bool {
        self.service_is("iam")
            && self.type_is("role")
            && (starts_with_ignoring_case(self.resource, "role/aws-reserved/sso.amazonaws.com/")
                || starts_with_ignoring_case(self.name(), "awsreservedsso_"))
    }

    /// The resource type: the text before the first `/` (`role`, `user`, `root`, ...).
    pub fn resource_type(&self) -> &'a str {
        // by bytes: rules ask for it of every entry, several times over
        match self.resource.bytes().position(|b| b == b'/') {
            Some(i) => &self.resource[..i],
            None => self.resource,
        }
    }

    /// The segments after the resource type (path segments and the name).
    pub fn segments(&self) -> Vec<&'a str> {
        self.resource.split('/').skip(1).collect()
    }

    /// The last segment: a role's or user's name.
    pub fn name(&self) -> &'a str {
        match self.resource.bytes().rposition(|b| b == b'/') {
            Some(i) => &self.resource[i + 1..],
            None => self.resource,
        }
    }

    /// Whether the account is exactly 12 ASCII digits.
    pub fn has_valid_account(&self) -> bool {
        is_account_id(self.account)
    }

    /// The IAM role ARN the authenticator compares with for a role of this name.
    pub fn canonical_role(&self, name: &str) -> String {
        format!("arn:{}:iam::{}:role/{name}", self.partition, self.account)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_six_sections() {
        let a = Arn::parse("arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123").unwrap();
        assert_eq!(
            (a.partition, a.service, a.region, a.account),
            ("aws", "iam", "", "111122223333")
        );
        assert_eq!(a.resource_type(), "role");
        assert_eq!(a.segments().len(), 3);
        assert_eq!(a.name(), "AWSReservedSSO_Admin_0123");
        assert_eq!(
            a.canonical_role(a.name()),
            "arn:aws:iam::111122223333:role/AWSReservedSSO_Admin_0123"
        );
        assert!(a.has_valid_account());
        assert!(
            Arn::parse("arn:aws:iam::1:root")
                .is_some_and(|a| a.resource_type() == "root" && !a.has_valid_account())
        );
        assert!(Arn::parse("arn:aws:iam:role/x").is_none());
        // the same sections as splitting at the first five colons
        for text in [
            "arn:a:b:c:d:e:f:g",
            "arn:::::",
            "arn::::",
            "arn",
            "arn:",
            "arn:aws:iam::1:role/é:x",
            "xarn:a:b:c:d:e",
        ] {
            let mut p = text.splitn(6, ':');
            let split = (p.next() == Some("arn"))
                .then(|| Some((p.next()?, p.next()?, p.next()?, p.next()?, p.next()?)))
                .flatten();
            let parsed =
                Arn::parse(text).map(|a| (a.partition, a.service, a.region, a.account, a.resource));
            assert_eq!(parsed, split, "{text}");
        }
        assert!(Arn::parse("role/x").is_none());
        // the authenticator compares ARNs ignoring case
        let upper = Arn::parse("ARN:AWS:IAM::111122223333:ROLE/Ops").unwrap();
        assert!(upper.service_is("iam") && upper.type_is("role") && upper.has_valid_account());
        let (service, kind) = upper.kind();
        assert_eq!((service.as_ref(), kind.as_ref()), ("iam", "role"));
        assert!(Arn::parse("arné:a:b:c:d:e").is_none());
        for sso in [
            "arn:aws:iam::111122223333:role/AWSReservedSSO_Admin_0123456789abcdef",
            "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_0123456789abcdef",
            "ARN:AWS:IAM::111122223333:ROLE/AWS-RESERVED/SSO.AMAZONAWS.COM/AWSRESERVEDSSO_X_1",
        ] {
            assert!(Arn::parse(sso).unwrap().is_identity_center_role(), "{sso}");
        }
        assert!(
            !Arn::parse("arn:aws:iam::111122223333:role/admins")
                .unwrap()
                .is_identity_center_role()
        );
        assert!(
            !Arn::parse("arn:aws:iam::111122223333:user/AWSReservedSSO_x")
                .unwrap()
                .is_identity_center_role()
        );
    }
}
