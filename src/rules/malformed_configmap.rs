//! `malformed-configmap`: `metadata` lost `name`/`namespace` to bad indentation.
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::{AwsAuth, SourceKind};

declare_rule! {
    /// ## What it does
    /// Reports a `ConfigMap` whose `metadata` lacks `name` or `namespace` while that key sits at
    /// the wrong indentation: beside `metadata`, or deeper inside it.
    ///
    /// ## Why is this bad?
    /// Without a name the API server refuses the object; without a namespace `kubectl apply`
    /// creates it in the current namespace. Either way the authenticator, which only reads
    /// `kube-system/aws-auth`, never sees it.
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

/// Reports misplaced metadata keys, once per object.
pub fn check(obj: &AwsAuth, out: &mut Vec<Diagnostic>) {
    let Some((key, field)) = obj.misplaced_metadata.first() else {
        return;
    };
    if obj.kind != SourceKind::ConfigMap {
        return;
    }
    let keys: Vec<String> = obj
        .misplaced_metadata
        .iter()
        .map(|(k, _)| format!("`{k}`"))
        .collect();
    let message = if keys.len() > 1 {
        format!(
            "`metadata` has no {}: they are not indented under `metadata`",
            keys.join(" and ")
        )
    } else if *key == "name" {
        format!(
            "`metadata` has no `name`: `name: {}` is not indented under `metadata`",
            field.value
        )
    } else {
        format!(
            "`metadata` has no `namespace`, so the object lands in whatever namespace is current: `namespace: {}` is not indented under `metadata`",
            field.value
        )
    };
    let mut d = Diagnostic::new(&MALFORMED_CONFIGMAP, &obj.file, field.span.clone(), message)
        .label("not part of `metadata`")
        .help(format!(
            "indent {} by two spaces under `metadata:`",
            keys.join(" and ")
        ));
    for (_, other) in obj.misplaced_metadata.iter().skip(1) {
        d = d.secondary(other.span.clone(), "not part of `metadata` either");
    }
    if let Some(span) = &obj.metadata_span {
        d = d.secondary(span.clone(), "`metadata` starts here");
    }
    out.push(d);
}
