//! `creator-admin`: the cluster creator's admin access left on, an access entry that is not in
//! Git.
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::access_entries::{AccessConfig, AccessDecls, AccessEntry, AuthMode, Tool};
use crate::rules::cluster_admin_policy::cause;

declare_rule! {
    /// ## What it does
    /// Reports a cluster whose creator is made cluster-admin by EKS:
    /// `bootstrapClusterCreatorAdminPermissions` (`bootstrap_cluster_creator_admin_permissions`,
    /// `BootstrapClusterCreatorAdminPermissions`) set to `true`, or not written (the EKS API,
    /// eksctl and CloudFormation default it to `true`, and the Terraform provider sends none),
    /// and the eks module's
    /// `enable_cluster_creator_admin_permissions = true`. It reports as an error the flag set
    /// to `false` while the authentication mode is `CONFIG_MAP`, which EKS rejects.
    ///
    /// ## Why is this bad?
    /// EKS gives the principal that created the cluster an access entry with cluster-admin
    /// rights (the eks module makes the same with `AmazonEKSClusterAdminPolicy`). That entry is declared nowhere in Git: reviews and
    /// audits of the repository do not see it, and whoever ran the creation (a CI role, a
    /// person's SSO session) stays cluster-admin until someone deletes it by hand. With the eks
    /// module's flag, whoever applies the Terraform becomes cluster-admin.
    ///
    /// With `CONFIG_MAP`, EKS refuses `false`: `bootstrapClusterCreatorAdminPermissions must be
    /// true if cluster authentication mode is set to CONFIG_MAP`.
    ///
    /// The flag cannot change on an existing cluster (CloudFormation and Terraform replace the
    /// cluster): there, delete the creator's access entry instead.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: eksctl.io/v1alpha5
    /// kind: ClusterConfig
    /// metadata:
    ///   name: payments
    ///   region: eu-west-1
    /// accessConfig:
    ///   authenticationMode: API
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// apiVersion: eksctl.io/v1alpha5
    /// kind: ClusterConfig
    /// metadata:
    ///   name: payments
    ///   region: eu-west-1
    /// accessConfig:
    ///   authenticationMode: API
    ///   bootstrapClusterCreatorAdminPermissions: false
    ///   accessEntries:
    ///     - principalARN: arn:aws:iam::111122223333:role/platform-admin
    ///       accessPolicies:
    ///         - policyARN: arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminPolicy
    ///           accessScope:
    ///             type: namespace
    ///             namespaces: [payments]
    /// ```
    ///
    /// ## References
    /// - EKS user guide, "Grant IAM users access to Kubernetes with EKS access entries": the
    ///   creator's access entry
    ///   (<https://docs.aws.amazon.com/eks/latest/userguide/grant-k8s-access.html>)
    /// - EKS API reference, `CreateAccessConfigRequest`: `bootstrapClusterCreatorAdminPermissions`
    ///   defaults to `true`
    ///   (<https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateAccessConfigRequest.html>)
    /// - terraform-aws-modules/eks: `enable_cluster_creator_admin_permissions`
    pub CREATOR_ADMIN = "creator-admin", category: Security, severity: Warning,
    summary: "the cluster creator is made cluster-admin by an access entry that is not in Git",
}

/// The flag's name in a tool.
fn flag_name(tool: Tool) -> &'static str {
    match tool {
        Tool::Terraform | Tool::TerraformModule => "bootstrap_cluster_creator_admin_permissions",
        Tool::Eksctl => "bootstrapClusterCreatorAdminPermissions",
        Tool::CloudFormation => "BootstrapClusterCreatorAdminPermissions",
    }
}

/// Reports the creator's admin access of each cluster, and the entries made for the creator.
pub fn check(decls: &AccessDecls, out: &mut Vec<Diagnostic>) {
    for c in &decls.configs {
        check_config(c, out);
    }
    for e in &decls.entries {
        check_implicit(e, out);
    }
}

fn check_config(c: &AccessConfig, out: &mut Vec<Diagnostic>) {
    let flag = flag_name(c.origin.tool);
    match (c.bootstrap_admin(), &c.bootstrap_admin) {
        (Some(true), written) => {
            let (span, what) = match written {
                Some(f) => (f.span.clone(), format!("`{flag}` is `true`")),
                None => (
                    c.span.clone(),
                    format!("`{flag}` is not written, and defaults to `true`"),
                ),
            };
            let help = if c.mode() == Some(AuthMode::ConfigMap) {
                format!(
                    "`CONFIG_MAP` requires it: move to `API_AND_CONFIG_MAP`, declare the admin principals as access entries and set `{flag}` to `false` on new clusters (on an existing one, delete the creator's access entry)"
                )
            } else {
                format!(
                    "declare the admin principals as access entries and set `{flag}` to `false` on new clusters (changing it replaces an existing cluster: there, delete the creator's access entry)"
                )
            };
            out.push(
                Diagnostic::new(
                    &CREATOR_ADMIN,
                    &c.file,
                    span,
                    format!(
                        "{what}: whoever creates the cluster is cluster-admin through an access entry that is not in Git"
                    ),
                )
                .label("the creator's admin access entry")
                .help(help),
            );
        }
        (Some(false), Some(f)) if c.mode() == Some(AuthMode::ConfigMap) => {
            let mut d = Diagnostic::new(
                &CREATOR_ADMIN,
                &c.file,
                f.span.clone(),
                format!(
                    "`{flag}` is `false` while the authentication mode is `CONFIG_MAP`: EKS rejects it (\"bootstrapClusterCreatorAdminPermissions must be true if cluster authentication mode is set to CONFIG_MAP\")"
                ),
            )
            .severity(Severity::Error)
            .label("rejected with `CONFIG_MAP`")
            .help("move the cluster to `API_AND_CONFIG_MAP` (or `API`) and declare its admins as access entries");
            if let Some(m) = &c.mode {
                d = d.secondary(m.span.clone(), "the mode");
            }
            out.push(d);
        }
        // `false` with access entries, or not known
        _ => {}
    }
}

fn check_implicit(e: &AccessEntry, out: &mut Vec<Diagnostic>) {
    let Some(what) = &e.implicit else { return };
    let who = match e.origin.tool {
        Tool::Terraform | Tool::TerraformModule => "whoever applies this Terraform",
        Tool::Eksctl | Tool::CloudFormation => "whoever creates the cluster",
    };
    out.push(
        Diagnostic::new(
            &CREATOR_ADMIN,
            &e.file,
            e.span.clone(),
            format!(
                "{} gives {who} a cluster-admin access entry: the principal is whoever runs it, not one written in Git",
                cause(what)
            ),
        )
        .label("the creator's admin access entry")
        .help("declare the admin principals explicitly as access entries and turn this off"),
    );
}
