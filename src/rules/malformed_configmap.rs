//! `malformed-configmap`: `metadata` lost `name`/`namespace` to bad indentation.
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::{AwsAuth, SourceKind};

declare_rule! {
    /// ## What it does
    /// Reports a `ConfigMap` whose `metadata` has no `name`, while a `name: aws-auth` (or a
    /// `namespace:`) sits at the wrong indentation: beside `metadata` or deeper inside it.
    ///
    /// ## Why is this bad?
    /// The object has no name, so the API server refuses it, or (with `generateName` tooling) it
    /// creates a ConfigMap the authenticator never watches. The authenticator only reads
    /// `kube-system/aws-auth`.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata:
    /// name: aws-auth
    /// namespace: kube-system
    /// data:
    ///   mapRoles: |
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
    pub MALFORMED_CONFIGMAP = "malformed-configmap", category: Correctness, severity: Error,
    summary: "the ConfigMap's `metadata` lost `name`/`namespace` to bad indentation",
}

/// Reports misplaced metadata keys.
pub fn check(obj: &AwsAuth, out: &mut Vec<Diagnostic>) {
    if obj.kind != SourceKind::ConfigMap || obj.name.is_some() {
        return;
    }
    let Some(first) = obj.misplaced_metadata.first() else {
        return;
    };
    let mut d = Diagnostic::new(
        &MALFORMED_CONFIGMAP,
        &obj.file,
        first.span.clone(),
        format!(
            "`metadata` has no `name`: `{}` is not indented under `metadata`",
            first.value
        ),
    )
    .label("not part of `metadata`")
    .help("indent `name: aws-auth` and `namespace: kube-system` by two spaces under `metadata:`");
    if let Some(span) = &obj.metadata_span {
        d = d.secondary(span.clone(), "`metadata` starts here");
    }
    out.push(d);
}
