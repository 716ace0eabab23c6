//! `node-entry-account`: a non-`STANDARD` access entry for a role of another account.
use crate::arn::Arn;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::access_entries::{AccessDecls, EntryType};
use crate::rules::Context;

declare_rule! {
    /// ## What it does
    /// Reports an EKS access entry of a type other than `STANDARD` (`EC2`, `EC2_LINUX`,
    /// `EC2_WINDOWS`, `FARGATE_LINUX`, `HYBRID_LINUX`) whose principal is in another account than
    /// the cluster's (`cluster.account-ids` in the configuration). Without that setting, or when
    /// the principal's account is not known from the repository, the rule is silent.
    ///
    /// ## Why is this bad?
    /// EKS rejects it: the principal of any other type than `STANDARD` must be in the cluster's
    /// account, so the access entry is not created and the nodes of that role cannot join.
    /// Only `STANDARD` entries may name a principal of another account.
    ///
    /// ## Configuration
    /// ```yaml
    /// cluster:
    ///   account-ids: ["111122223333"]
    /// ```
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: eksctl.io/v1alpha5
    /// kind: ClusterConfig
    /// metadata:
    ///   name: prod
    ///   region: eu-west-1
    /// accessConfig:
    ///   accessEntries:
    ///     - principalARN: arn:aws:iam::999988887777:role/nodes
    ///       type: EC2_LINUX
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// apiVersion: eksctl.io/v1alpha5
    /// kind: ClusterConfig
    /// metadata:
    ///   name: prod
    ///   region: eu-west-1
    /// accessConfig:
    ///   accessEntries:
    ///     - principalARN: arn:aws:iam::111122223333:role/nodes
    ///       type: EC2_LINUX
    /// ```
    ///
    /// ## References
    /// - EKS user guide, "Create access entries": "If the type of the access entry is anything
    ///   other than STANDARD (...), the ARN must be in the same AWS account that your cluster is in"
    ///   (<https://docs.aws.amazon.com/eks/latest/userguide/creating-access-entries.html>)
    pub NODE_ENTRY_ACCOUNT = "node-entry-account", category: Correctness, severity: Error,
    summary: "a non-`STANDARD` access entry for a principal of another account than the cluster's",
}

/// Reports non-`STANDARD` entries of another account.
pub fn check(decls: &AccessDecls, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let accounts = &cx.cluster.account_ids;
    if accounts.is_empty() {
        return;
    }
    for entry in &decls.entries {
        let Some(kind) = entry.kind().filter(|k| *k != EntryType::Standard) else {
            continue;
        };
        let Some(p) = &entry.principal else { continue };
        let text = crate::rules::mask_placeholders(&p.value);
        let Some(arn) = Arn::parse(&text) else {
            continue;
        };
        // a placeholder account (`${data.aws_caller_identity.current.account_id}`) is not known
        if !arn.has_valid_account() || accounts.iter().any(|a| a == arn.account) {
            continue;
        }
        out.push(
            Diagnostic::new(
                &NODE_ENTRY_ACCOUNT,
                &entry.file,
                p.span.clone(),
                format!(
                    "`{}` is in account `{}`, not the cluster's (`{}`); EKS rejects an access entry of type `{}` from another account",
                    p.value,
                    arn.account,
                    accounts.join("`, `"),
                    kind.as_str()
                ),
            )
            .label(format!("account {}", arn.account))
            .help("use a role of the cluster's account; only `STANDARD` entries may name another account"),
        );
    }
}
