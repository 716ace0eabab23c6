//! `data-not-string`: a data value that is not a string; the API server rejects the `ConfigMap`.
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::AwsAuth;

declare_rule! {
    /// ## What it does
    /// Reports a `data` value of an aws-auth `ConfigMap` that is a YAML list, mapping, number or
    /// boolean instead of a string, typically `mapRoles:` written without the `|`.
    ///
    /// ## Why is this bad?
    /// `ConfigMap` data values must be strings. The API server rejects the whole object, so the
    /// change never applies (and a pipeline that ignores the failure keeps the old mappings).
    /// The authenticator's own fixture `aws-auth-missing-bar.yaml` shows the mistake.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata:
    ///   name: aws-auth
    ///   namespace: kube-system
    /// data:
    ///   mapRoles:
    ///     - rolearn: arn:aws:iam::111122223333:role/node
    ///       username: system:node:{{EC2PrivateDNSName}}
    ///       groups: [system:bootstrappers, system:nodes]
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
    ///     - rolearn: arn:aws:iam::111122223333:role/node
    ///       username: system:node:{{EC2PrivateDNSName}}
    ///       groups: [system:bootstrappers, system:nodes]
    /// ```
    pub DATA_NOT_STRING = "data-not-string", category: Correctness, severity: Error,
    summary: "a ConfigMap data value is not a string; the API server rejects the object",
}

/// Reports each non-string data value.
pub fn check(obj: &AwsAuth, out: &mut Vec<Diagnostic>) {
    for r in &obj.rejected {
        let help = if matches!(r.found, "list" | "mapping") {
            format!(
                "write `{}: |` and indent the {} under it as a string",
                r.key, r.found
            )
        } else {
            format!("quote the value of `{}` so it is a string", r.key)
        };
        out.push(
            Diagnostic::new(
                &DATA_NOT_STRING,
                &obj.file,
                r.value_span.clone(),
                format!(
                    "`{}` is {} {}, not a string; the API server rejects this ConfigMap",
                    r.key,
                    article(r.found),
                    r.found
                ),
            )
            .label(format!("{} {}", article(r.found), r.found))
            .secondary(r.key_span.clone(), "data values must be strings")
            .help(help),
        );
    }
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}
