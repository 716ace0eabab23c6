//! `unknown-template`: a `{{...}}` the authenticator does not substitute.
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::AwsAuth;
use crate::model::access_entries::AccessDecls;
use crate::model::identity::{SESSION_NAME, SESSION_NAME_RAW};
use crate::rules::active_entries;

declare_rule! {
    /// ## What it does
    /// Reports `{{...}}` in a username or group other than the exact `{{EC2PrivateDNSName}}`,
    /// `{{AccountID}}`, `{{SessionName}}`, `{{SessionNameRaw}}` and `{{AccessKeyID}}` (case, spaces and
    /// typos all count), and single-brace `{SessionName}`. In an EKS access entry's `username`,
    /// where EKS documents only `{{SessionName}}` and `{{SessionNameRaw}}`, any other `{{...}}`
    /// is reported (a warning: `{{AccountID}}` or `{{EC2PrivateDNSName}}` there is not documented).
    ///
    /// ## Why is this bad?
    /// Substitution is literal and case-sensitive: anything else stays in the username or group as
    /// typed, so `system:node:{{ec2privatednsname}}` names no node and fails Node authorization.
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
    ///     - rolearn: arn:aws:iam::111122223333:role/dev
    ///       username: "dev:{{ SessionName }}"
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
    ///     - rolearn: arn:aws:iam::111122223333:role/dev
    ///       username: "dev:{{SessionName}}"
    /// ```
    ///
    /// ## References
    /// - aws-iam-authenticator `pkg/server/server.go` (`renderTemplate`)
    /// - EKS user guide, "Create access entries" and "Set a custom username": the templates of
    ///   access entry usernames (<https://docs.aws.amazon.com/eks/latest/userguide/creating-access-entries.html>)
    pub UNKNOWN_TEMPLATE = "unknown-template", category: Correctness, severity: Error,
    summary: "a `{{...}}` the authenticator does not substitute",
}

/// Finds a template that is not substituted.
fn bad_template(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut pos = 0;
    // where the next `}` is (the text's length if none), kept while it lies ahead: a run of `{`
    // without `}` is searched once, not once per `{`
    let mut close: Option<usize> = None;
    while let Some(i) = memchr::memchr(b'{', &bytes[pos..]).map(|p| pos + p) {
        let after = &text[i..];
        if let Some(inner) = after.strip_prefix("{{") {
            let end = inner.find("}}").map_or(inner.len(), |e| e);
            let name = &inner[..end];
            if !crate::load::TEMPLATE_VARIABLES.contains(&name) {
                return Some(format!("{{{{{name}}}}}"));
            }
            pos = i + 2 + end;
        } else {
            let next = match close {
                Some(c) if c > i => c,
                _ => {
                    let c = memchr::memchr(b'}', &bytes[i..]).map_or(bytes.len(), |p| i + p);
                    close = Some(c);
                    c
                }
            };
            let end = if next < bytes.len() {
                next - i + 1
            } else {
                after.len()
            };
            // without a `}`, the word stops before the last character (not inside it: `{é`)
            let mut word_end = end.saturating_sub(1).max(1);
            while !after.is_char_boundary(word_end) {
                word_end -= 1;
            }
            let word = &after[1..word_end];
            if crate::load::is_authenticator_variable(word) && end > 1 {
                return Some(after[..end].to_owned());
            }
            pos = i + 1;
        }
    }
    None
}

/// Reports templates the authenticator leaves as literal text.
pub fn check(obj: &AwsAuth, out: &mut Vec<Diagnostic>) {
    for entry in active_entries(obj) {
        for field in entry.username.iter().chain(&entry.groups) {
            let Some(bad) = bad_template(&field.value) else {
                continue;
            };
            let fix = crate::load::TEMPLATE_VARIABLES
                .iter()
                .min_by_key(|v| {
                    strsim::levenshtein(
                        &bad.to_ascii_lowercase(),
                        &format!("{{{{{}}}}}", v.to_ascii_lowercase()),
                    )
                })
                .map(|v| format!("{{{{{v}}}}}"))
                .unwrap_or_default();
            out.push(
                Diagnostic::new(
                    &UNKNOWN_TEMPLATE,
                    &obj.file,
                    field.span.clone(),
                    format!("`{bad}` is not a template the authenticator substitutes; it stays in `{}` as typed", field.value),
                )
                .label("left as literal text")
                .help(format!("write `{fix}` exactly (the names are case-sensitive, without spaces)")),
            );
        }
    }
}

/// The templates EKS documents in an access entry's username.
const ACCESS_TEMPLATES: [&str; 2] = [SESSION_NAME, SESSION_NAME_RAW];

/// Finds the first `{{...}}` EKS does not document for access entries, or a template the
/// authenticator would not substitute either (`{SessionName}`).
fn bad_access_template(text: &str) -> Option<String> {
    let mut rest = text;
    while let Some(i) = rest.find("{{") {
        let inner = &rest[i..];
        let end = inner[2..].find("}}").map_or(inner.len(), |e| e + 4);
        let template = &inner[..end];
        if !ACCESS_TEMPLATES.contains(&template) {
            return Some(template.to_owned());
        }
        rest = &inner[end..];
    }
    bad_template(text)
}

/// Reports templates of access entry usernames EKS does not document. Node types take no
/// username at all (`access-entry-type` reports it).
pub fn check_access(decls: &AccessDecls, out: &mut Vec<Diagnostic>) {
    for (entry, user) in decls.written_usernames() {
        let Some(bad) = bad_access_template(&user.value) else {
            continue;
        };
        let fix = ACCESS_TEMPLATES
            .iter()
            .min_by_key(|t| strsim::levenshtein(&bad.to_ascii_lowercase(), &t.to_ascii_lowercase()))
            .copied()
            .unwrap_or(SESSION_NAME);
        out.push(
            Diagnostic::new(
                &UNKNOWN_TEMPLATE,
                &entry.file,
                user.span.clone(),
                format!(
                    "`{bad}` in access entry username `{}` is not a template EKS documents there; EKS documents only `{SESSION_NAME}` and `{SESSION_NAME_RAW}`",
                    user.value
                ),
            )
            .label("not a documented template")
            .help(format!("write `{fix}` exactly (case-sensitive, without spaces), or a fixed text"))
            .severity(Severity::Warning),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::{bad_access_template, bad_template};

    #[test]
    fn access_entries_take_only_the_session_name_templates() {
        assert_eq!(bad_access_template("dev:{{SessionName}}"), None);
        assert_eq!(
            bad_access_template("dev:{{SessionNameRaw}}-{{SessionName}}"),
            None
        );
        assert_eq!(
            bad_access_template("{{AccountID}}:{{SessionName}}"),
            Some("{{AccountID}}".into())
        );
        assert_eq!(
            bad_access_template("dev:{{SessionName}}{{ SessionName }}"),
            Some("{{ SessionName }}".into())
        );
        assert_eq!(
            bad_access_template("dev:{{Session"),
            Some("{{Session".into())
        );
        assert_eq!(
            bad_access_template("dev:{SessionName}"),
            Some("{SessionName}".into())
        );
        assert_eq!(bad_access_template("${var.name}"), None);
    }

    #[test]
    fn finds_the_first_bad_template() {
        assert_eq!(bad_template("dev:{{SessionName}}"), None);
        assert_eq!(
            bad_template("dev:{{ SessionName }}"),
            Some("{{ SessionName }}".into())
        );
        assert_eq!(
            bad_template("{{AccountID}}-{SessionName}"),
            Some("{SessionName}".into())
        );
        assert_eq!(
            bad_template("{x} {y} {sessionname"),
            Some("{sessionname".into())
        );
        assert_eq!(bad_template("{a}{b}{{EC2PrivateDNSName}}"), None);
        assert_eq!(bad_template("{é"), None);
    }

    #[test]
    fn a_long_run_of_braces_without_a_closer_is_read_once() {
        // each `{` used to search the rest of the text for a `}`
        let text = "{a".repeat(200_000);
        let start = std::time::Instant::now();
        assert_eq!(bad_template(&text), None);
        let with_end = format!("{text}{{SessionNam}}");
        assert_eq!(bad_template(&with_end), Some("{SessionNam}".into()));
        // a hang guard for a debug build, not a benchmark
        assert!(start.elapsed() < std::time::Duration::from_secs(20));
    }
}
