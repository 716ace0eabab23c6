//! `not-a-principal`: an ARN of something that cannot authenticate.
use crate::arn::Arn;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::AwsAuth;
use crate::rules::active_entries;

declare_rule! {
    /// ## What it does
    /// Reports an ARN that names something other than an IAM role, user, root or federated
    /// user: an instance profile, an IAM group, a policy, an identity provider, or a resource of
    /// another service (an EKS cluster, an EC2 instance).
    ///
    /// ## Why is this bad?
    /// Only principals call `sts:GetCallerIdentity`; nothing else can ever match. An instance
    /// profile ARN in place of the node role is a classic: the nodes never join.
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
    ///     - rolearn: arn:aws:iam::111122223333:instance-profile/eks-nodes
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
    ///     - rolearn: arn:aws:iam::111122223333:role/eks-nodes
    ///       username: system:node:{{EC2PrivateDNSName}}
    ///       groups: [system:bootstrappers, system:nodes]
    /// ```
    ///
    /// ## References
    /// - EKS user guide: "An IAM group isn't an IAM principal"; the node role, not the instance profile
    pub NOT_A_PRINCIPAL = "not-a-principal", category: Correctness, severity: Error,
    summary: "the ARN names something that cannot authenticate",
}

fn what(arn: &Arn<'_>) -> Option<String> {
    let (service, kind) = arn.kind();
    match (service.as_ref(), kind.as_ref()) {
        ("iam", "role" | "user" | "root") | ("sts", "assumed-role" | "federated-user") => None,
        ("iam", "instance-profile") => Some("an instance profile; map the role inside it".into()),
        ("iam", "group") => {
            Some("an IAM group, which is not a principal; map its members or a role".into())
        }
        ("iam", "policy") => Some("a policy, not a principal".into()),
        ("iam", t @ ("oidc-provider" | "saml-provider")) => {
            Some(format!("an identity provider (`{t}`), not a principal"))
        }
        ("iam" | "sts", t) => Some(format!("an IAM `{t}`, not a principal")),
        (service, _) => Some(format!("a resource of `{service}`, not an IAM principal")),
    }
}

/// Reports ARNs that are not principals.
pub fn check(obj: &AwsAuth, out: &mut Vec<Diagnostic>) {
    for entry in active_entries(obj) {
        let Some(field) = &entry.arn else { continue };
        let Some(arn) = Arn::parse(&field.value) else {
            continue;
        };
        let Some(what) = what(&arn) else { continue };
        out.push(
            Diagnostic::new(
                &NOT_A_PRINCIPAL,
                &obj.file,
                field.span.clone(),
                format!("`{}` never matches: it is {what}", field.value),
            )
            .label("not a principal")
            .help("map the IAM role or user that signs the requests"),
        );
    }
}
