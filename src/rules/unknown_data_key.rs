//! `unknown-data-key`: data keys the authenticator does not read.
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::{AwsAuth, SectionKind, SourceKind};

declare_rule! {
    /// ## What it does
    /// Reports keys of an aws-auth `ConfigMap`'s `data` other than `mapRoles`, `mapUsers` and
    /// `mapAccounts`: an error for a near miss (`maproles`, `MapRoles`, `mapRole`, `mapuser`),
    /// a warning for anything else.
    ///
    /// ## Why is this bad?
    /// The authenticator reads exactly those three keys, case-sensitively. `maproles` is
    /// ignored without a word, so every mapping in it is missing, node roles included.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata:
    ///   name: aws-auth
    ///   namespace: kube-system
    /// data:
    ///   maproles: |
    ///     - rolearn: arn:aws:iam::111122223333:role/ops
    ///       username: ops
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
    /// ```
    ///
    /// ## References
    /// - aws-iam-authenticator `yaml_test.go` (lower-case and crazy-case top keys load nothing)
    pub UNKNOWN_DATA_KEY = "unknown-data-key", category: Correctness, severity: Warning,
    summary: "a `data` key the authenticator does not read",
}

/// Reports unknown data keys of objects the authenticator reads.
pub fn check(obj: &AwsAuth, out: &mut Vec<Diagnostic>) {
    if obj.kind == SourceKind::Eksctl || !obj.is_read_by_authenticator() {
        return;
    }
    for key in &obj.data_keys {
        if SectionKind::from_key(&key.value).is_some() {
            continue;
        }
        let lower = key.value.to_ascii_lowercase();
        let near = SectionKind::ALL
            .into_iter()
            .find(|s| strsim::levenshtein(&lower, &s.key().to_ascii_lowercase()) <= 2);
        // a fragment's holder is often a values file with many other keys
        if near.is_none() && obj.kind == SourceKind::Fragment {
            continue;
        }
        let d = match near {
            Some(s) => Diagnostic::new(
                &UNKNOWN_DATA_KEY,
                &obj.file,
                key.span.clone(),
                format!("`{}` is not `{}`: the authenticator reads data keys case-sensitively and ignores this one", key.value, s.key()),
            )
            .label("ignored")
            .help(format!("rename it to `{}`", s.key()))
            .severity(Severity::Error),
            None => Diagnostic::new(
                &UNKNOWN_DATA_KEY,
                &obj.file,
                key.span.clone(),
                format!("the authenticator does not read `{}`; it only reads `mapRoles`, `mapUsers` and `mapAccounts`", key.value),
            )
            .label("not read")
            .help("move this data to its own ConfigMap"),
        };
        out.push(d);
    }
}
