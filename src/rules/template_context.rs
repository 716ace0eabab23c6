//! `template-context`: a template that renders empty or fails where it is used.
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::identity;
use crate::model::{AwsAuth, SectionKind};
use crate::rules::active_entries;

declare_rule! {
    /// ## What it does
    /// Reports `{{SessionName}}`, `{{SessionNameRaw}}` or `{{EC2PrivateDNSName}}` in `mapUsers`, and
    /// `{{EC2PrivateDNSName}}` on a Fargate mapping (`system:node-proxier`).
    ///
    /// ## Why is this bad?
    /// IAM users have no session name: the session templates render empty, and
    /// `{{EC2PrivateDNSName}}` fails the login because the session is not an EC2 instance ID. Fargate
    /// sessions are not instance IDs either.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata:
    ///   name: aws-auth
    ///   namespace: kube-system
    /// data:
    ///   mapUsers: |
    ///     - userarn: arn:aws:iam::111122223333:user/alice
    ///       username: "alice:{{SessionName}}"
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
    ///     - userarn: arn:aws:iam::111122223333:user/alice
    ///       username: alice
    /// ```
    ///
    /// ## References
    /// - aws-iam-authenticator `pkg/token/token.go`, `pkg/server/server.go`
    pub TEMPLATE_CONTEXT = "template-context", category: Correctness, severity: Error,
    summary: "a template that renders empty or fails where it is used",
}

/// Reports templates used where their value does not exist.
pub fn check(obj: &AwsAuth, out: &mut Vec<Diagnostic>) {
    for entry in active_entries(obj) {
        let fargate = entry
            .groups
            .iter()
            .any(|g| g.value == identity::SYSTEM_NODE_PROXIER);
        for field in entry.username.iter().chain(&entry.groups) {
            let problem = if entry.section == SectionKind::MapUsers {
                if field.value.contains(identity::EC2_PRIVATE_DNS_NAME) {
                    "`{{EC2PrivateDNSName}}` fails every login of an IAM user, which has no EC2 session"
                } else if identity::has_session_name(&field.value) {
                    "IAM users have no session name, so the template renders empty"
                } else {
                    continue;
                }
            } else if fargate && field.value.contains(identity::EC2_PRIVATE_DNS_NAME) {
                "Fargate sessions are not EC2 instances, so `{{EC2PrivateDNSName}}` fails the login"
            } else {
                continue;
            };
            out.push(
                Diagnostic::new(
                    &TEMPLATE_CONTEXT,
                    &obj.file,
                    field.span.clone(),
                    format!("`{}`: {problem}", field.value),
                )
                .label("no value here")
                .help(if fargate {
                    "use `system:node:{{SessionName}}` for Fargate"
                } else {
                    "use a fixed name for IAM users"
                }),
            );
        }
    }
}
