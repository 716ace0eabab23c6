//! `invalid-suppression`: a suppression comment or annotation awsauth cannot read.
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::source::SourceFile;
use crate::suppress::{Code, Invalid};

declare_rule! {
    /// ## What it does
    /// Reports `# awsauth:` comments and `awsauth.dev/ignore` annotations that do not suppress
    /// what they seem to: an unknown rule id, a missing `[...]` list, an unclosed or empty list,
    /// an unknown directive, or a `file-ignore` below the top of the file.
    ///
    /// ## Why is this bad?
    /// A misspelt suppression suppresses nothing, so the finding it was meant for stays, or it
    /// is taken for a working exception by the next reader. Telling the two apart needs a rule.
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
    ///     - rolearn: arn:aws:iam::111122223333:role/ops # awsauth: ignore[sytem-masters] on-call
    ///       username: ops:{{SessionName}}
    ///       groups: [ops]
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
    ///       username: ops:{{SessionName}}
    ///       groups: [ops]
    /// ```
    ///
    /// The forms awsauth reads: `# awsauth: ignore[rule-a, rule-b] reason` (on the line, or
    /// alone on the line before), `# awsauth: file-ignore[rule] reason` in the comments at the top
    /// of a file, and the annotation `awsauth.dev/ignore: "rule-a, rule-b: reason"`.
    ///
    /// ## References
    /// - ruff's `noqa` validation (`RUF100`, `PGH004`), the model for this rule
    pub INVALID_SUPPRESSION = "invalid-suppression", category: Correctness, severity: Warning,
    summary: "a suppression comment or annotation that cannot be read",
}

/// A malformed directive.
pub fn malformed(file: &std::sync::Arc<SourceFile>, i: &Invalid) -> Diagnostic {
    Diagnostic::new(
        &INVALID_SUPPRESSION,
        file,
        i.span.clone(),
        i.message.clone(),
    )
    .label("not a suppression")
    .help(i.help.clone())
}

/// A rule id that names no rule or policy.
pub fn unknown(file: &std::sync::Arc<SourceFile>, c: &Code, known: &[&str]) -> Diagnostic {
    // only a distance of 3 or less is suggested, and a distance is at least the difference in
    // length: a long name is not compared character by character with every id
    let longest = known.iter().map(|k| k.chars().count()).max().unwrap_or(0);
    let chars = c.name.chars().take(longest + 4).count();
    let best = known
        .iter()
        .filter(|k| chars.abs_diff(k.chars().count()) <= 3)
        .map(|k| (strsim::levenshtein(&c.name, k), *k))
        .min();
    let help = match best {
        Some((d, k)) if d <= 3 => format!("did you mean `{k}`?"),
        _ => "`awsauth rules` lists the rule ids".to_owned(),
    };
    Diagnostic::new(
        &INVALID_SUPPRESSION,
        file,
        c.span.clone(),
        format!(
            "`{}` is not a rule or policy id: this suppresses nothing",
            c.name
        ),
    )
    .label("unknown rule")
    .help(help)
}
