//! `platform-node-groups`: a Windows or Fargate node mapping without its platform group.
use crate::arn::Arn;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::AwsAuth;
use crate::model::identity;
use crate::rules::{active_entries, is_node_mapping};

declare_rule! {
    /// ## What it does
    /// Reports a node mapping of a role whose name says Windows (`windows`, `win`) without
    /// `eks:kube-proxy-windows`, and a node mapping of a pod-execution role (`Fargate`,
    /// `PodExecution` in its name) without `system:node-proxier`. Roles listed in the
    /// configuration (`cluster.windows-node-roles`, `cluster.fargate-roles`) count whatever
    /// their names.
    ///
    /// ## Why is this bad?
    /// Windows nodes need `eks:kube-proxy-windows` for kube-proxy to work, Fargate pods need
    /// `system:node-proxier`: without them, DNS and Service networking break on those nodes.
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
    ///     - rolearn: arn:aws:iam::111122223333:role/eks-windows-nodes
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
    ///     - rolearn: arn:aws:iam::111122223333:role/eks-windows-nodes
    ///       username: system:node:{{EC2PrivateDNSName}}
    ///       groups: [eks:kube-proxy-windows, system:bootstrappers, system:nodes]
    /// ```
    ///
    /// ## References
    /// - EKS user guide: Windows support, Fargate pod execution role
    pub PLATFORM_NODE_GROUPS = "platform-node-groups", category: Correctness, severity: Warning,
    summary: "a Windows or Fargate node mapping without its platform group",
}

/// Reports platform node mappings missing their group.
pub fn check(obj: &AwsAuth, cx: &crate::rules::Context<'_>, out: &mut Vec<Diagnostic>) {
    for entry in active_entries(obj) {
        if !is_node_mapping(entry) {
            continue;
        }
        let Some(arn) = &entry.arn else { continue };
        let name = Arn::parse(&arn.value)
            .map_or("", |a| a.name())
            .to_ascii_lowercase();
        let has = |g: &str| entry.groups.iter().any(|x| x.value == g);
        let words: Vec<&str> = name.split(|c: char| !c.is_ascii_alphanumeric()).collect();
        let configured = |list: &[String]| list.iter().any(|r| r.eq_ignore_ascii_case(&arn.value));
        let windows = name.contains("windows")
            || words.contains(&"win")
            || configured(&cx.cluster.windows_node_roles);
        let fargate = name.contains("fargate")
            || name.contains("podexecution")
            || configured(&cx.cluster.fargate_roles);
        let missing = if windows && !has(identity::EKS_KUBE_PROXY_WINDOWS) {
            ("a Windows node role", identity::EKS_KUBE_PROXY_WINDOWS)
        } else if fargate && !has(identity::SYSTEM_NODE_PROXIER) {
            (
                "a Fargate pod-execution role",
                identity::SYSTEM_NODE_PROXIER,
            )
        } else {
            continue;
        };
        out.push(
            Diagnostic::new(
                &PLATFORM_NODE_GROUPS,
                &obj.file,
                arn.span.clone(),
                format!(
                    "`{}` looks like {} but is not in `{}`",
                    arn.value, missing.0, missing.1
                ),
            )
            .label("missing a platform group")
            .help(format!("add `{}` to its groups", missing.1)),
        );
    }
}
