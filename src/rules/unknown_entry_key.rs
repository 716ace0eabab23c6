//! `unknown-entry-key`: entry keys the authenticator ignores.
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::{AwsAuth, SectionKind};

declare_rule! {
    /// ## What it does
    /// Reports keys of a `mapRoles`/`mapUsers` entry other than `rolearn`/`userarn`, `username`,
    /// `groups`, `sso` and `userid` (compared case-insensitively): an error for a near miss of a
    /// known key (`role_arn`, `group`, `usename`, `arn`), info for `userid` (parsed, but not used
    /// by the `ConfigMap` backend), a warning for anything else.
    ///
    /// ## Why is this bad?
    /// Unknown keys are dropped silently. A misspelt `groups` grants nothing; a misspelt ARN key
    /// drops the whole entry.
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
    ///       username: ops
    ///       group: [ops]
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
    ///       username: ops
    ///       groups: [ops]
    /// ```
    pub UNKNOWN_ENTRY_KEY = "unknown-entry-key", category: Correctness, severity: Warning,
    summary: "an entry key the authenticator ignores",
}

/// Reports unknown keys in the items of parsed sections.
pub fn check(obj: &AwsAuth, out: &mut Vec<Diagnostic>) {
    for (section, k, key) in crate::rules::entry_keys(obj) {
        let known: &[&str] = if section.kind == SectionKind::MapRoles {
            &["rolearn", "username", "groups", "sso", "userid"]
        } else {
            &["userarn", "username", "groups", "userid"]
        };
        if known.iter().any(|n| n.eq_ignore_ascii_case(key)) && !key.eq_ignore_ascii_case("userid")
        {
            continue;
        }
        let lower = key.to_ascii_lowercase();
        let span = section.outer(&k.span);
        let normalized: String = lower.chars().filter(|c| !matches!(c, '_' | '-')).collect();
        let near = known.iter().filter(|n| **n != "userid").find(|n| {
            normalized == **n
                || strsim::levenshtein(&normalized, n) <= 2
                || (normalized == "arn" && n.ends_with("arn"))
        });
        let d = if lower == "userid" {
            Diagnostic::new(
                &UNKNOWN_ENTRY_KEY,
                &obj.file,
                span,
                "`userid` is parsed but not used by the aws-auth ConfigMap; it matches nothing"
                    .to_owned(),
            )
            .label("unused")
            .help("remove it; the ConfigMap matches by ARN only")
            .severity(Severity::Info)
        } else if let Some(n) = near {
            Diagnostic::new(
                &UNKNOWN_ENTRY_KEY,
                &obj.file,
                span,
                format!("unknown key `{key}` is ignored; did you mean `{n}`?"),
            )
            .label("ignored")
            .help(format!("rename it to `{n}`"))
            .severity(Severity::Error)
        } else {
            Diagnostic::new(
                &UNKNOWN_ENTRY_KEY,
                &obj.file,
                span,
                format!(
                    "unknown key `{key}` is ignored; expected one of {}",
                    known
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
            .label("ignored")
            .help("remove it")
        };
        out.push(d);
    }
}
