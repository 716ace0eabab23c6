//! `overwrites-node-roles`: Terraform replaces the `mapRoles` EKS wrote, and maps no node role.
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::{AwsAuth, SectionKind, Status};
use crate::rules::{Context, is_node_mapping};

declare_rule! {
    /// ## What it does
    /// Reports a Terraform source that replaces aws-auth's `mapRoles` (a
    /// `kubernetes_config_map_v1_data` with `force = true`, a `kubernetes_config_map` that owns
    /// the whole object, terraform-aws-modules/eks with `manage_aws_auth_configmap` or
    /// `manage_aws_auth`) when what it writes maps no node role, or leaves out one of the node
    /// roles of the configuration (`cluster.node-roles`, `windows-node-roles`, `fargate-roles`).
    /// The node roles the eks module adds for the node groups and Fargate profiles it creates
    /// (v17 to v19) count; the v20 `modules/aws-auth` submodule adds none. When a part of what it
    /// writes is not known from the repository (a variable without a value, another module's
    /// output), the finding names it and is a warning; when nothing of `mapRoles` is known, or
    /// the object is written once and then left alone (`ignore_changes = [data]`), it is silent.
    ///
    /// ## Why is this bad?
    /// EKS writes a `mapRoles` entry for the node role of every managed node group and the pod
    /// execution role of every Fargate profile. `mapRoles` is one string: writing it replaces
    /// those entries, and at the next apply every node of those groups loses its identity
    /// (`NotReady`, pods not scheduled) — the most reported failure of the eks module
    /// (terraform-aws-eks #1786, #2289, #2873, #2912, #2952).
    ///
    /// ## Example
    /// ```hcl
    /// resource "kubernetes_config_map_v1_data" "aws_auth" {
    ///   metadata {
    ///     name      = "aws-auth"
    ///     namespace = "kube-system"
    ///   }
    ///   force = true
    ///   data = {
    ///     mapRoles = yamlencode([
    ///       { rolearn = "arn:aws:iam::111122223333:role/admin", username = "admin", groups = ["platform"] },
    ///     ])
    ///   }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```hcl
    /// resource "kubernetes_config_map_v1_data" "aws_auth" {
    ///   metadata {
    ///     name      = "aws-auth"
    ///     namespace = "kube-system"
    ///   }
    ///   force = true
    ///   data = {
    ///     mapRoles = yamlencode([
    ///       {
    ///         rolearn  = "arn:aws:iam::111122223333:role/eks-nodes"
    ///         username = "system:node:{{EC2PrivateDNSName}}"
    ///         groups   = ["system:bootstrappers", "system:nodes"]
    ///       },
    ///       { rolearn = "arn:aws:iam::111122223333:role/admin", username = "admin", groups = ["platform"] },
    ///     ])
    ///   }
    /// }
    /// ```
    ///
    /// ## References
    /// - terraform-provider-kubernetes: `kubernetes_config_map_v1_data` (`force`)
    /// - EKS user guide: managed node groups and Fargate add their roles to aws-auth
    pub OVERWRITES_NODE_ROLES = "overwrites-node-roles", category: Correctness, severity: Error,
    summary: "Terraform replaces the mapRoles EKS wrote and maps no node role",
}

/// Reports a Terraform source that replaces `mapRoles` without the node roles.
pub fn check(obj: &AwsAuth, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(tf) = &obj.terraform else {
        return;
    };
    let Some(overwrite) = &tf.overwrites else {
        return;
    };
    let how = &overwrite.how;
    if !obj.is_read_by_authenticator() || !obj.rejected.is_empty() {
        return;
    }
    let roles = obj.section(SectionKind::MapRoles);
    // a broken `mapRoles` is `section-parse-error`'s finding
    if roles.is_some_and(crate::model::Section::is_lost) {
        return;
    }
    let writes_roles = roles.is_some()
        || tf.unknowns.iter().any(|u| {
            u.section != Some(SectionKind::MapUsers) && u.section != Some(SectionKind::MapAccounts)
        })
        || obj.data_keys.iter().any(|k| k.value == "mapRoles");
    // a `kubernetes_config_map_v1_data` that does not write `mapRoles` leaves it alone
    if !writes_roles && overwrite.keys_only {
        return;
    }
    // nothing of `mapRoles` known (the whole value from elsewhere): nothing to say
    if roles.is_none() && writes_roles {
        return;
    }
    let nodes: Vec<&crate::model::Entry> = obj
        .entries
        .iter()
        .filter(|e| e.section == SectionKind::MapRoles && matches!(e.status, Status::Effective))
        .filter(|e| is_node_mapping(e))
        .collect();
    let unknown: Vec<&str> = tf
        .unknowns
        .iter()
        .filter(|u| u.section.is_none_or(|s| s == SectionKind::MapRoles))
        .map(|u| u.expr.as_str())
        .collect();
    let configured = cx
        .cluster
        .node_roles
        .iter()
        .chain(&cx.cluster.windows_node_roles)
        .chain(&cx.cluster.fargate_roles);
    let missing: Vec<&String> = configured
        .filter(|role| {
            !nodes.iter().any(|e| {
                e.arn
                    .as_ref()
                    .is_some_and(|a| a.value.eq_ignore_ascii_case(role))
            })
        })
        .collect();
    let message = if nodes.is_empty() {
        "this replaces the `mapRoles` EKS wrote for managed node groups and Fargate profiles, and maps no node role".to_owned()
    } else if !missing.is_empty() {
        format!(
            "this replaces the `mapRoles` EKS wrote, and leaves out the node role{} {}",
            if missing.len() == 1 { "" } else { "s" },
            crate::rules::quoted_list(&missing, ", ")
        )
    } else {
        return;
    };
    let lost = if missing.is_empty() {
        "every node of a managed node group or Fargate profile loses its identity at the next apply (`NotReady`)".to_owned()
    } else {
        format!(
            "EKS would lose the entr{} for {}: their nodes become `NotReady`",
            if missing.len() == 1 { "y" } else { "ies" },
            crate::rules::quoted_list(&missing, ", ")
        )
    };
    // a finding that depends on what the repository cannot tell says so, and is a warning
    let message = if unknown.is_empty() {
        message
    } else {
        format!(
            "{message}, unless {} (not known from the repository) holds {}",
            crate::rules::quoted_list(&unknown, " or "),
            if missing.len() > 1 { "them" } else { "one" }
        )
    };
    let mut d = Diagnostic::new(&OVERWRITES_NODE_ROLES, &obj.file, how.span.clone(), message)
        .label(how.value.clone())
        .note(lost);
    if !unknown.is_empty() {
        d = d.severity(crate::diagnostic::Severity::Warning);
    }
    out.push(d.help(
        "map every node role (`username: system:node:{{EC2PrivateDNSName}}`, `groups: [system:bootstrappers, system:nodes]`) in what Terraform writes, or drop `force`/the resource and let EKS keep its entries",
    ));
}
