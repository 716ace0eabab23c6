//! `session-controlled-identity`: a privileged identity built from a caller-chosen session name.
use crate::arn::Arn;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::AwsAuth;
use crate::model::identity;
use crate::rules::active_entries;

declare_rule! {
    /// ## What it does
    /// Reports usernames built from `{{SessionName}}` or `{{SessionNameRaw}}` that are privileged: a
    /// `system:node:` username outside Fargate or hybrid mappings, or any session-named mapping that
    /// grants `system:masters`.
    ///
    /// IAM Identity Center roles (`AWSReservedSSO_*`, path `aws-reserved/sso.amazonaws.com/`) and
    /// `sso:` matchers are exempt: Identity Center sets their session name to the signed-in
    /// user's name, so `{{SessionName}}` there is trustworthy (and the documented pattern).
    ///
    /// ## Why is this bad?
    /// Whoever can assume the role chooses the session name (`aws sts assume-role
    /// --role-session-name`). With `system:node:{{SessionName}}` they can claim to be any node; with
    /// `system:masters` the audit trail says whatever they want it to.
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
    ///       username: system:node:{{SessionName}}
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
    /// - aws-iam-authenticator README (session names are caller-controlled)
    pub SESSION_CONTROLLED_IDENTITY = "session-controlled-identity", category: Security, severity: Warning,
    summary: "a privileged identity built from a caller-chosen session name",
}

/// Reports privileged session-named identities.
pub fn check(obj: &AwsAuth, out: &mut Vec<Diagnostic>) {
    for entry in active_entries(obj) {
        let Some(user) = &entry.username else {
            continue;
        };
        if !identity::has_session_name(&user.value) {
            continue;
        }
        let masters = entry
            .groups
            .iter()
            .any(|g| g.value == identity::SYSTEM_MASTERS);
        let fargate = entry
            .groups
            .iter()
            .any(|g| g.value == identity::SYSTEM_NODE_PROXIER);
        let why = if user.value.starts_with(identity::NODE_USERNAME_PREFIX) && !fargate {
            "anyone who can assume the role can name themselves any node"
        } else if masters {
            "a cluster-admin whose name the caller chooses"
        } else {
            continue;
        };
        // IAM Identity Center sets the session name of its roles to the signed-in user: there
        // `{{SessionName}}` is the recommended, trustworthy pattern
        let identity_center = entry.sso.is_some()
            || entry
                .arn
                .as_ref()
                .and_then(|a| Arn::parse(a.value.trim()))
                .is_some_and(|a| a.is_identity_center_role());
        if identity_center {
            continue;
        }
        out.push(
            Diagnostic::new(&SESSION_CONTROLLED_IDENTITY, &obj.file, user.span.clone(), format!("`{}`: {why}", user.value))
                .label("the caller picks the session name")
                .help("for EC2 nodes use `system:node:{{EC2PrivateDNSName}}`; keep session names out of privileged identities"),
        );
    }
}
