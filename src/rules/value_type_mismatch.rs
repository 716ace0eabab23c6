//! `value-type-mismatch`: a field whose YAML 1.1 type is not what the authenticator expects.
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::{AwsAuth, DecodeIssueKind};

declare_rule! {
    /// ## What it does
    /// Reports `rolearn`, `userarn`, `username`, group items and `sso` fields that are not strings
    /// under **YAML 1.1** rules (Go's yaml.v2): `yes`/`no`/`on`/`off`/`y`/`n` are booleans, `012`
    /// is the octal integer 10, `1e3` is a float, `~` is null. Also `groups` written as a single
    /// scalar instead of a list.
    ///
    /// ## Why is this bad?
    /// `encoding/json` cannot put a number or boolean into a string field. The authenticator keeps
    /// the entry but leaves the field **empty**: a username becomes `""`, a group becomes `""`,
    /// `groups: system:masters` grants no group at all, and an ARN that is not a string drops the
    /// entry. Nothing is logged but a decode error.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata:
    ///   name: aws-auth
    ///   namespace: kube-system
    /// data:
    ///   mapRoles: |
    ///     - rolearn: arn:aws:iam::111122223333:role/ops
    ///       username: yes
    ///       groups: ops
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata:
    ///   name: aws-auth
    ///   namespace: kube-system
    /// data:
    ///   mapRoles: |
    ///     - rolearn: arn:aws:iam::111122223333:role/ops
    ///       username: "yes"
    ///       groups: [ops]
    /// ```
    ///
    /// ## References
    /// - yaml.v2 `resolve.go` (`resolveMapList`); Go `encoding/json` type errors are not fatal
    pub VALUE_TYPE_MISMATCH = "value-type-mismatch", category: Correctness, severity: Error,
    summary: "a field is not a string under YAML 1.1 rules and loads as empty",
}

/// Reports each type mismatch found while decoding.
pub fn check(obj: &AwsAuth, out: &mut Vec<Diagnostic>) {
    for section in &obj.sections {
        for issue in &section.issues {
            let DecodeIssueKind::TypeMismatch {
                field,
                expected,
                found,
                text,
            } = &issue.kind
            else {
                continue;
            };
            let effect = match (field.as_str(), *expected) {
                ("groups", "a list of strings") => "the entry gets no groups".to_owned(),
                ("groups", _) => "the group loads as an empty string".to_owned(),
                ("rolearn" | "userarn", _) => "the entry has no ARN and is dropped".to_owned(),
                ("sso", _) => "the SSO matcher is ignored".to_owned(),
                (f, _) => format!("`{f}` loads as an empty string"),
            };
            let colon_space = *found == "mapping"
                && text.split_once(": ").is_some_and(|(a, b)| {
                    !a.contains(' ') && !b.trim().is_empty() && !b.contains(' ')
                });
            let help = if colon_space {
                format!(
                    "a space after `:` makes a mapping; write `{}`",
                    text.replacen(": ", ":", 1)
                )
            } else if *expected == "a list of strings" {
                format!("write `{field}` as a list: `[{text}]`, or one `- item` per line")
            } else if *found == "null" && field == "groups" {
                "remove the empty item, or write the group's name".to_owned()
            } else if *found == "null" {
                format!("give `{field}` a value, or remove the key")
            } else if matches!(*found, "list" | "mapping") {
                format!("write `{field}` as a plain string")
            } else {
                format!("quote it: `\"{text}\"`")
            };
            let written = if text.chars().count() > 40 {
                format!("{}…", text.chars().take(40).collect::<String>())
            } else {
                text.clone()
            };
            out.push(
                Diagnostic::new(
                    &VALUE_TYPE_MISMATCH,
                    &obj.file,
                    issue.span.clone(),
                    format!(
                        "{subject} is {written_desc}, not {expected}; {effect}",
                        subject = if field == "groups" && *expected == "a string" {
                            "a `groups` item".to_owned()
                        } else {
                            format!("`{field}`")
                        },
                        written_desc = describe(&written, found)
                    ),
                )
                .label(match *found {
                    "null" => "YAML 1.1 reads this as null".to_owned(),
                    "int" => "YAML 1.1 reads this as an int".to_owned(),
                    "string" => "a string, not a list".to_owned(),
                    f => format!("YAML 1.1 reads this as a {f}"),
                })
                .help(help),
            );
        }
    }
}

fn describe(text: &str, found: &str) -> String {
    match found {
        "list" | "mapping" if !text.is_empty() => format!("a {found} (`{text}`)"),
        "list" | "mapping" => format!("a {found}"),
        "null" => "null".to_owned(),
        "string" => format!("a single string (`{text}`)"),
        _ => format!("`{text}`, a YAML 1.1 {found}"),
    }
}
