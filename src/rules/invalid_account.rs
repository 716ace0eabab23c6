//! `invalid-account`: a `mapAccounts` item is not a 12-digit account id.
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::{AwsAuth, SectionKind};

declare_rule! {
    /// ## What it does
    /// Reports `mapAccounts` items that are not 12-digit account ids (an error), and unquoted numeric
    /// ids (a warning: the authenticator keeps the text, but JSON-based tools such as eksctl turn them
    /// into numbers).
    ///
    /// ## Why is this bad?
    /// An invalid id admits nobody; an unquoted one with a leading zero becomes octal or a float in
    /// every tool that decodes YAML 1.1 into numbers.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata:
    ///   name: aws-auth
    ///   namespace: kube-system
    /// data:
    ///   mapAccounts: |
    ///     - 11112222333
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
    ///   mapAccounts: |
    ///     - "111122223333"
    /// ```
    ///
    /// ## References
    /// - aws-iam-authenticator README ("Always use quotes"); eksctl issue #5928
    pub INVALID_ACCOUNT = "invalid-account", category: Correctness, severity: Error,
    summary: "a `mapAccounts` item is not a 12-digit account id",
}

/// Reports invalid account ids.
pub fn check(obj: &AwsAuth, out: &mut Vec<Diagnostic>) {
    let Some(section) = obj.section(SectionKind::MapAccounts) else {
        return;
    };
    if section.is_lost() || !obj.rejected.is_empty() {
        return;
    }
    let items = section
        .root
        .as_ref()
        .and_then(|r| r.as_seq())
        .unwrap_or_default();
    for (account, item) in obj.accounts.iter().zip(items) {
        if !account.stored {
            continue;
        }
        let digits = crate::model::identity::is_account_id(&account.value);
        let d = if !digits {
            Diagnostic::new(
                &INVALID_ACCOUNT,
                &obj.file,
                account.span.clone(),
                format!(
                    "`{}` is not a 12-digit account id; it admits nobody",
                    account.value
                ),
            )
            .label("not an account id")
            .help("write the 12-digit account id, quoted")
            .severity(Severity::Error)
        } else if item.style() == Some(crate::yaml::Style::Plain) {
            Diagnostic::new(
                &INVALID_ACCOUNT,
                &obj.file,
                account.span.clone(),
                format!(
                    "account `{}` is unquoted: tools that read YAML 1.1 numbers may change it",
                    account.value
                ),
            )
            .label("a YAML number")
            .help(format!("quote it: `\"{}\"`", account.value))
            .severity(Severity::Warning)
        } else {
            continue;
        };
        out.push(d);
    }
}
