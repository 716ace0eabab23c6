//! `wrong-namespace`: an aws-auth `ConfigMap` the authenticator never reads.
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::{AwsAuth, SourceKind};

declare_rule! {
    /// ## What it does
    /// Reports an `aws-auth` `ConfigMap` in a namespace other than `kube-system`, and a `ConfigMap`
    /// that holds `mapRoles`/`mapUsers`/`mapAccounts` under another name. A manifest without a
    /// namespace (a kustomize patch, or one applied with `-n kube-system`) is fine.
    ///
    /// ## Why is this bad?
    /// The authenticator watches exactly one object: `metadata.name=aws-auth` in `kube-system`.
    /// Any other copy is ignored without a word, so the mappings in it never take effect.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata:
    ///   name: aws-auth
    ///   namespace: default
    /// data:
    ///   mapUsers: |
    ///     - userarn: arn:aws:iam::111122223333:user/ops
    ///       username: ops
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
    ///   mapUsers: |
    ///     - userarn: arn:aws:iam::111122223333:user/ops
    ///       username: ops
    ///       groups: [ops]
    /// ```
    ///
    /// ## References
    /// - aws-iam-authenticator `pkg/mapper/configmap/configmap.go` (the watch's field selector)
    pub WRONG_NAMESPACE = "wrong-namespace", category: Correctness, severity: Error,
    summary: "the ConfigMap is not `kube-system/aws-auth`, so the authenticator ignores it",
}

/// Reports a name or namespace the authenticator does not watch.
pub fn check(obj: &AwsAuth, out: &mut Vec<Diagnostic>) {
    let terraform = obj.kind == SourceKind::Terraform;
    if obj.kind != SourceKind::ConfigMap && !terraform {
        return;
    }
    match (&obj.name, &obj.namespace) {
        (Some(name), _) if name.value != "aws-auth" => out.push(
            Diagnostic::new(
                &WRONG_NAMESPACE,
                &obj.file,
                name.span.clone(),
                format!("configmap `{}` holds aws-auth mappings but the authenticator only reads `aws-auth`", name.value),
            )
            .label("not `aws-auth`")
            .help("name it `aws-auth` in namespace `kube-system`, or remove the mapping keys"),
        ),
        (Some(_), Some(ns)) if ns.value != "kube-system" => out.push(
            Diagnostic::new(
                &WRONG_NAMESPACE,
                &obj.file,
                ns.span.clone(),
                format!("aws-auth is in namespace `{}`; the authenticator only reads `kube-system/aws-auth`", ns.value),
            )
            .label("not `kube-system`")
            .help(if terraform {
                "set `namespace = \"kube-system\"` in the `metadata` block (the kubernetes provider's default is `default`)"
            } else {
                "set `metadata.namespace: kube-system`"
            }),
        ),
        // a name that slipped out of `metadata` is `malformed-configmap`'s finding
        // (a Terraform name that is not known may well be `aws-auth`)
        (None, _) if obj.misplaced_metadata.is_empty() && !terraform => out.push(
            Diagnostic::new(
                &WRONG_NAMESPACE,
                &obj.file,
                obj.metadata_span
                    .clone()
                    .unwrap_or(obj.span.start..obj.span.start),
                "configmap holds aws-auth mappings but has no name; the authenticator only reads `aws-auth`",
            )
            .label("no `name`")
            .help("set `metadata.name: aws-auth` (and `metadata.namespace: kube-system`)"),
        ),
        _ => {}
    }
}
