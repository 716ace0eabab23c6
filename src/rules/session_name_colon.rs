//! `session-name-colon`: an access entry username with the session name and no `:` before it.
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::access_entries::AccessDecls;
use crate::model::identity::{SESSION_NAME, SESSION_NAME_RAW};

declare_rule! {
    /// ## What it does
    /// Reports an EKS access entry `username` holding `{{SessionName}}` or `{{SessionNameRaw}}`
    /// without a `:` anywhere before the template: `john{{SessionName}}`. The colon need not be
    /// next to the template: `:john{{SessionName}}` and `jo:hn{{SessionName}}` are accepted.
    ///
    /// ## Why is this bad?
    /// EKS rejects the username, so the access entry is not created: `CreateAccessEntry` fails,
    /// and with it the apply (Terraform, CloudFormation, eksctl). aws-auth has no such rule, so a
    /// username copied from a `mapRoles` entry can trip over it.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: eksctl.io/v1alpha5
    /// kind: ClusterConfig
    /// metadata:
    ///   name: prod
    ///   region: eu-west-1
    /// accessConfig:
    ///   accessEntries:
    ///     - principalARN: arn:aws:iam::111122223333:role/dev
    ///       kubernetesUsername: "dev-{{SessionName}}"
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// apiVersion: eksctl.io/v1alpha5
    /// kind: ClusterConfig
    /// metadata:
    ///   name: prod
    ///   region: eu-west-1
    /// accessConfig:
    ///   accessEntries:
    ///     - principalARN: arn:aws:iam::111122223333:role/dev
    ///       kubernetesUsername: "dev:{{SessionName}}"
    /// ```
    ///
    /// ## References
    /// - EKS user guide, "Create access entries": "the username must include a colon before
    ///   `{{SessionName}}`" (<https://docs.aws.amazon.com/eks/latest/userguide/creating-access-entries.html>)
    /// - EKS user guide, "Set a custom username" (`{{SessionNameRaw}}`)
    ///   (<https://docs.aws.amazon.com/eks/latest/userguide/set-custom-username.html>)
    pub SESSION_NAME_COLON = "session-name-colon", category: Correctness, severity: Error,
    summary: "an access entry username with the session name and no `:` before it",
}

/// The first session-name template of a username and where it starts.
fn first_session_template(username: &str) -> Option<(usize, &'static str)> {
    [SESSION_NAME_RAW, SESSION_NAME]
        .into_iter()
        .filter_map(|t| username.find(t).map(|i| (i, t)))
        .min_by_key(|(i, t)| (*i, std::cmp::Reverse(t.len())))
}

/// Reports usernames EKS rejects for the missing colon.
pub fn check(decls: &AccessDecls, out: &mut Vec<Diagnostic>) {
    for (entry, user) in decls.written_usernames() {
        let v = user.value.as_str();
        let Some((at, template)) = first_session_template(v) else {
            continue;
        };
        let before = &v[..at];
        // a placeholder before the template may hold the colon
        if before.contains(':') || before.contains("${") {
            continue;
        }
        out.push(
            Diagnostic::new(
                &SESSION_NAME_COLON,
                &entry.file,
                user.span.clone(),
                format!(
                    "access entry username `{v}` has no `:` before `{template}`; EKS rejects it"
                ),
            )
            .label("no `:` before the session name")
            .help(format!(
                "put a `:` anywhere before `{template}`, as in `{}`",
                match before.strip_suffix(['-', '_', '.', '@']) {
                    // `dev-{{SessionName}}` reads best as `dev:{{SessionName}}`
                    Some(stem) if !stem.is_empty() => format!("{stem}:{}", &v[at..]),
                    _ => format!("{before}:{}", &v[at..]),
                }
            )),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::first_session_template;

    #[test]
    fn finds_the_first_template() {
        assert_eq!(
            first_session_template("a{{SessionNameRaw}}"),
            Some((1, "{{SessionNameRaw}}"))
        );
        assert_eq!(
            first_session_template("a{{SessionName}}{{SessionNameRaw}}"),
            Some((1, "{{SessionName}}"))
        );
        assert_eq!(first_session_template("a:b"), None);
    }
}
