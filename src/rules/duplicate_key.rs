//! `duplicate-key`: the same key twice in one entry (or in `data`/`metadata`).
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::{AwsAuth, DecodeIssue, DecodeIssueKind};

declare_rule! {
    /// ## What it does
    /// Reports a key written twice in one `mapRoles`/`mapUsers` entry, including case variants
    /// (`rolearn` and `roleARN`), and a key written twice in the `ConfigMap`'s `data` or `metadata`.
    ///
    /// ## Why is this bad?
    /// yaml.v2 is non-strict: the later value silently replaces the earlier one. Entry keys are
    /// matched case-insensitively, and for case variants the winner is the one that sorts last,
    /// not the one written last. A reviewer reads one value; the cluster uses the other.
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
    ///       groups: [ops]
    ///       groups: [system:masters]
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
    pub DUPLICATE_KEY = "duplicate-key", category: Correctness, severity: Error,
    summary: "a key appears twice; one value silently replaces the other",
}

fn report(obj: &AwsAuth, issue: &DecodeIssue, out: &mut Vec<Diagnostic>) {
    let DecodeIssueKind::DuplicateKey { key, first } = &issue.kind else {
        return;
    };
    let first_text = obj.file.slice(first);
    let message = if first_text == key {
        format!("key `{key}` is written twice; only one value is used")
    } else {
        format!(
            "key `{key}` repeats `{first_text}` (keys are case-insensitive); only one value is used"
        )
    };
    out.push(
        Diagnostic::new(&DUPLICATE_KEY, &obj.file, issue.span.clone(), message)
            .label("written again here")
            .secondary(first.clone(), "first written here")
            .help("keep one of the two and delete the other"),
    );
}

/// Reports duplicate keys in entries and in the object.
pub fn check(obj: &AwsAuth, out: &mut Vec<Diagnostic>) {
    for issue in &obj.issues {
        report(obj, issue, out);
    }
    for section in &obj.sections {
        for issue in &section.issues {
            report(obj, issue, out);
        }
    }
}
