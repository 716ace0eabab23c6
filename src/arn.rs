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
    /// Splits an ARN into its six sections; `None` when it is not `arn:` plus five colons.
    pub fn parse(text: &'a str) -> Option<Self> {
        // `splitn(6, ':')` by hand: rules parse every entry's ARN, several times over
        let rest = text.strip_prefix("arn:")?;
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

    /// The resource type: the text before the first `/` (`role`, `user`, `root`, ...).
    pub fn resource_type(&self) -> &'a str {
        self.resource.split('/').next().unwrap_or(self.resource)
    }

    /// The segments after the resource type (path segments and the name).
    pub fn segments(&self) -> Vec<&'a str> {
        self.resource.split('/').skip(1).collect()
    }

    /// The last segment: a role's or user's name.
    pub fn name(&self) -> &'a str {
        self.resource.rsplit('/').next().unwrap_or(self.resource)
    }

    /// Whether the account is exactly 12 ASCII digits.
    pub fn has_valid_account(&self) -> bool {
        self.account.len() == 12 && self.account.bytes().all(|b| b.is_ascii_digit())
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
            "ARN:a:b:c:d:e",
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
    }
}
