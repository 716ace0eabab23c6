//! `multiline-plain-scalar`: a value spans lines or swallowed a mis-indented list item.
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::{AwsAuth, SectionKind};

declare_rule! {
    /// ## What it does
    /// Reports plain values in `mapRoles`/`mapUsers` that continue over several lines, or that
    /// contain ` - ` (a list item indented too far, which YAML folds into the previous value).
    ///
    /// ## Why is this bad?
    /// `- system:bootstrappers` followed by `- system:nodes` indented one space further is one
    /// group, `system:bootstrappers - system:nodes`: the node gets neither, silently. The
    /// authenticator's own test fixture `aws-auth-space-out-of-place.yaml` shows it.
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
    ///     - rolearn: arn:aws:iam::111122223333:role/eks-nodes
    ///       username: system:node:{{EC2PrivateDNSName}}
    ///       groups:
    ///         - system:bootstrappers
    ///          - system:nodes
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
    ///     - rolearn: arn:aws:iam::111122223333:role/eks-nodes
    ///       username: system:node:{{EC2PrivateDNSName}}
    ///       groups: [system:bootstrappers, system:nodes]
    /// ```
    ///
    /// ## References
    /// - aws-iam-authenticator fixture `aws-auth-space-out-of-place.yaml`
    pub MULTILINE_PLAIN_SCALAR = "multiline-plain-scalar", category: Correctness, severity: Error,
    summary: "a value spans lines or swallowed a mis-indented list item",
}

/// Reports folded plain values.
pub fn check(obj: &AwsAuth, out: &mut Vec<Diagnostic>) {
    for section in obj
        .sections
        .iter()
        .filter(|s| !s.is_lost() && s.kind != SectionKind::MapAccounts)
    {
        let Some(items) = section.root.as_ref().and_then(|r| r.as_seq()) else {
            continue;
        };
        let mut stack: Vec<&crate::yaml::Node> = items.iter().collect();
        while let Some(node) = stack.pop() {
            match &node.kind {
                crate::yaml::NodeKind::Map(entries) => stack.extend(entries.iter().map(|(_, v)| v)),
                crate::yaml::NodeKind::Seq(items) => stack.extend(items.iter()),
                crate::yaml::NodeKind::Scalar {
                    value,
                    style: crate::yaml::Style::Plain,
                } => {
                    let multiline = section
                        .text
                        .get(node.span.clone())
                        .is_some_and(|t| t.trim_end().contains('\n'));
                    // `value.contains(" - ")`, looking only at spaces
                    let bytes = value.as_bytes();
                    let dash = memchr::memchr_iter(b' ', bytes)
                        .any(|i| bytes.get(i + 1..i + 3) == Some(b"- "));
                    if !(multiline || dash) {
                        continue;
                    }
                    out.push(
                        Diagnostic::new(
                            &MULTILINE_PLAIN_SCALAR,
                            &obj.file,
                            section.outer(&node.span),
                            format!("`{value}` is one value folded from several lines; a mis-indented `- item` became part of it"),
                        )
                        .label("one value")
                        .help("put each list item on its own line at the same indentation"),
                    );
                }
                _ => {}
            }
        }
    }
}
