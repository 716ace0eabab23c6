//! Role paths: the real ARN an access entry needs for an aws-auth role ARN.
//!
//! The authenticator compares a role's ARN *without its path* (STS assumed-role ARNs carry none),
//! so aws-auth holds `role/<name>`; an access entry is bound to the principal's unique id and
//! takes the real ARN, path included (`DOMAIN.md` §1.7, §3.3, §9.2). The path is not in aws-auth:
//! `--iam-roles FILE` (the JSON of `aws iam list-roles`, pages concatenated, or of
//! `aws iam get-role`) gives it, by partition, account and role name (IAM role names are unique ignoring
//! case). Without it the path is unknown, and an unknown path is a TODO, never a guess: even
//! an IAM Identity Center role's path, `aws-reserved/sso.amazonaws.com/[<region>/]`, has a
//! region segment only when Identity Center is not in us-east-1 (§1.11, §9.3).

use std::collections::HashMap;

use serde::Deserialize;

use crate::arn::{Arn, starts_with_ignoring_case};

/// The roles of `--iam-roles`: real ARN by (partition, account, lower-case role name).
#[derive(Debug, Default)]
pub struct IamRoles {
    by_name: HashMap<(String, String, String), Listed>,
}

/// One role as listed.
#[derive(Debug, Clone)]
struct Listed {
    arn: String,
    path: String,
}

#[derive(Deserialize)]
struct Page {
    #[serde(rename = "Roles", default)]
    roles: Vec<Role>,
    /// `aws iam get-role` prints one role.
    #[serde(rename = "Role")]
    role: Option<Role>,
}

#[derive(Deserialize)]
struct Role {
    #[serde(rename = "RoleName")]
    name: String,
    #[serde(rename = "Path", default)]
    path: Option<String>,
    #[serde(rename = "Arn")]
    arn: String,
}

impl IamRoles {
    /// Reads `--iam-roles FILE` ([`IamRoles::parse`]); errors name the file.
    pub fn read(path: &std::path::Path) -> Result<Self, String> {
        let shown = crate::render::escape::name(&path.to_string_lossy()).into_owned();
        let text =
            std::fs::read_to_string(path).map_err(|e| format!("cannot read `{shown}`: {e}"))?;
        Self::parse(&text).map_err(|e| format!("`{shown}`: {e}"))
    }

    /// Reads the output of `aws iam list-roles` (several pages concatenated, as
    /// `--no-paginate` pages printed one after the other are) or `aws iam get-role`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut out = Self::default();
        let mut pages = 0usize;
        for page in serde_json::Deserializer::from_str(text).into_iter::<Page>() {
            let page = page.map_err(|e| {
                format!("not the JSON of `aws iam list-roles` (`{{\"Roles\": [...]}}`): {e}")
            })?;
            pages += 1;
            for role in page.roles.into_iter().chain(page.role) {
                let Some(arn) = Arn::parse(&role.arn) else {
                    return Err(format!(
                        "role `{}` has the ARN `{}`, which is not an ARN",
                        role.name, role.arn
                    ));
                };
                let key = (
                    arn.partition.to_lowercase(),
                    arn.account.to_owned(),
                    role.name.to_lowercase(),
                );
                let path = role.path.unwrap_or_else(|| "/".to_owned());
                out.by_name.insert(
                    key,
                    Listed {
                        arn: role.arn.clone(),
                        path,
                    },
                );
            }
        }
        if pages == 0 {
            return Err(
                "no JSON document in it (expected the output of `aws iam list-roles`)".into(),
            );
        }
        Ok(out)
    }

    /// How many roles are listed.
    pub fn len(&self) -> usize {
        self.by_name.len()
    }

    /// Whether no role is listed.
    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }
}

/// What is known of a role's real ARN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RealArn {
    /// The ARN, from `--iam-roles`; `path`: the role's path (`/` when it has none).
    Known {
        /// The ARN as IAM lists it.
        arn: String,
        /// The path.
        path: String,
    },
    /// Unknown: the ARN with a placeholder, why, and how to find it.
    Todo {
        /// The ARN with `<...>` where the unknown part goes.
        pattern: String,
        /// Why it is unknown.
        why: String,
        /// How to find it.
        help: String,
    },
}

/// Whether a role name is an IAM Identity Center (SSO) role's.
pub fn is_sso_role(name: &str) -> bool {
    starts_with_ignoring_case(name, "awsreservedsso_")
}

/// The real ARN of the role `name` of the ARN `arn` (as written in aws-auth, without a path).
pub fn resolve(roles: Option<&IamRoles>, arn: &Arn<'_>, name: &str) -> RealArn {
    let key = (
        arn.partition.to_lowercase(),
        arn.account.to_owned(),
        name.to_lowercase(),
    );
    if let Some(listed) = roles.and_then(|r| r.by_name.get(&key)) {
        return RealArn::Known {
            arn: listed.arn.clone(),
            path: listed.path.clone(),
        };
    }
    let get_role = format!("aws iam get-role --role-name {name} --query Role.Arn");
    if is_sso_role(name) {
        return RealArn::Todo {
            pattern: format!(
                "arn:{}:iam::{}:role/aws-reserved/sso.amazonaws.com/<region>/{name}",
                arn.partition, arn.account
            ),
            why: "an IAM Identity Center role: its path is `aws-reserved/sso.amazonaws.com/`, \
                  followed by Identity Center's region unless that is us-east-1; awsauth cannot \
                  tell which"
                .to_owned(),
            help: format!(
                "run `{get_role}`, or pass `--iam-roles` with the output of `aws iam list-roles \
                 --path-prefix /aws-reserved/sso.amazonaws.com/`"
            ),
        };
    }
    let pattern = format!(
        "arn:{}:iam::{}:role/<path>/{name}",
        arn.partition, arn.account
    );
    match roles {
        Some(_) => RealArn::Todo {
            pattern,
            why: format!(
                "role `{name}` of account `{}` is not in the `--iam-roles` file: it may have been \
                 deleted, or the file lists another account",
                arn.account
            ),
            help: format!(
                "run `{get_role}`; a role that no longer exists grants nothing: remove its mapping"
            ),
        },
        None => RealArn::Todo {
            pattern,
            why: "aws-auth holds role ARNs without their path, and an access entry needs the real \
                  ARN"
            .to_owned(),
            help: format!(
                "pass `--iam-roles` with the output of `aws iam list-roles` (or run `{get_role}`)"
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGES: &str = r#"{"Roles":[{"RoleName":"ops","Path":"/teams/","Arn":"arn:aws:iam::111122223333:role/teams/ops","RoleId":"AROA1"}],"Marker":"x"}
{"Roles":[{"RoleName":"AWSReservedSSO_Admin_0123456789abcdef","Path":"/aws-reserved/sso.amazonaws.com/eu-west-1/","Arn":"arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_0123456789abcdef"},{"RoleName":"ci","Path":"/","Arn":"arn:aws:iam::111122223333:role/ci"}]}"#;

    fn real(roles: Option<&IamRoles>, text: &str) -> RealArn {
        let arn = Arn::parse(text).unwrap();
        resolve(roles, &arn, arn.name())
    }

    #[test]
    fn migrate_paths_are_restored_from_concatenated_pages_by_account_and_name() {
        let roles = IamRoles::parse(PAGES).unwrap();
        assert_eq!(roles.len(), 3);
        let known = |arn: &str, path: &str| RealArn::Known {
            arn: arn.into(),
            path: path.into(),
        };
        assert_eq!(
            real(Some(&roles), "arn:aws:iam::111122223333:role/OPS"),
            known("arn:aws:iam::111122223333:role/teams/ops", "/teams/")
        );
        // no path is a known path: `/`
        assert_eq!(
            real(Some(&roles), "arn:aws:iam::111122223333:role/ci"),
            known("arn:aws:iam::111122223333:role/ci", "/")
        );
        // another account's (or partition's) role of the same name is not this one
        for other in [
            "arn:aws:iam::444455556666:role/ci",
            "arn:aws-cn:iam::111122223333:role/ci",
        ] {
            assert!(
                matches!(real(Some(&roles), other), RealArn::Todo { .. }),
                "{other}"
            );
        }
    }

    #[test]
    fn migrate_paths_are_never_guessed() {
        let RealArn::Todo { pattern, .. } = real(None, "arn:aws:iam::111122223333:role/ci") else {
            panic!("a path without --iam-roles is unknown");
        };
        assert_eq!(pattern, "arn:aws:iam::111122223333:role/<path>/ci");
        let RealArn::Todo { pattern, why, .. } = real(
            None,
            "arn:aws:iam::111122223333:role/AWSReservedSSO_Dev_0123456789abcdef",
        ) else {
            panic!("an SSO role's region is unknown");
        };
        assert!(pattern.contains("aws-reserved/sso.amazonaws.com/<region>/"));
        assert!(why.contains("us-east-1"));
        assert!(IamRoles::parse("").is_err());
        assert!(IamRoles::parse("{\"Roles\": 3}").is_err());
    }
}
