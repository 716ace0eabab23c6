//! Terraform: `aws_eks_access_entry` and `aws_eks_access_policy_association` resources (only
//! the arguments the AWS provider documents), the cluster's name a variable, phase 1 the
//! `access_config` change of the `aws_eks_cluster` (not ours) as a commented snippet. Resource
//! names come from the principal's ARN (`role_admin`), made unique with `_2`, `_3`, ….

use std::collections::HashSet;

use super::{Entry, comment, entries, hcl, header, later_phases, policy_name, unique, words};
use crate::migrate::Plan;

/// The Terraform configuration.
pub fn render(plan: &Plan) -> String {
    let mut out = comment(&header(plan, "Terraform, AWS provider"), "#");
    out.push_str(&comment(
        &[
            String::new(),
            "phase 1: authentication mode API_AND_CONFIG_MAP [one-way], on your aws_eks_cluster (not managed here):".to_owned(),
            "  resource \"aws_eks_cluster\" \"...\" {".to_owned(),
            "    access_config {".to_owned(),
            "      authentication_mode = \"API_AND_CONFIG_MAP\"".to_owned(),
            "    }".to_owned(),
            "  }".to_owned(),
            "apply it before these resources (or add depends_on on the cluster)".to_owned(),
            String::new(),
            "phase 2: the access entries and their policy associations".to_owned(),
        ],
        "#",
    ));
    out.push_str(&format!(
        "\nvariable \"cluster_name\" {{\n  type    = string\n  default = {}\n}}\n",
        hcl(&plan.cluster)
    ));
    let mut taken = HashSet::new();
    for e in entries(plan) {
        resource(&mut out, &e, &mut taken);
    }
    let later = later_phases(plan);
    if !later.is_empty() {
        out.push('\n');
        out.push_str(&comment(&later, "#"));
    }
    out
}

fn list(items: &[String]) -> String {
    let items: Vec<String> = items.iter().map(|s| hcl(s)).collect();
    format!("[{}]", items.join(", "))
}

fn resource(out: &mut String, e: &Entry<'_>, taken: &mut HashSet<String>) {
    let mut name = words(e.arn).join("_");
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        name.insert_str(0, "entry_");
    }
    let name = unique(&name, "_", taken);
    let mut args = vec![
        ("cluster_name", "var.cluster_name".to_owned()),
        ("principal_arn", hcl(e.arn)),
        ("type", hcl(e.entry.kind.as_str())),
    ];
    if let Some(u) = &e.entry.username {
        args.push(("user_name", hcl(u)));
    }
    if !e.entry.kubernetes_groups.is_empty() {
        args.push(("kubernetes_groups", list(&e.entry.kubernetes_groups)));
    }
    // aligned as `terraform fmt` aligns them
    let width = args.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    out.push_str(&format!(
        "\nresource \"aws_eks_access_entry\" \"{name}\" {{\n"
    ));
    for (k, v) in args {
        out.push_str(&format!("  {k:width$} = {v}\n"));
    }
    out.push_str("}\n");
    for p in &e.entry.access_policies {
        let policy = words(&format!("::::: {}", policy_name(&p.policy_arn))).join("_");
        let assoc = unique(&format!("{name}_{policy}"), "_", taken);
        out.push_str(&format!(
            "\nresource \"aws_eks_access_policy_association\" \"{assoc}\" {{\n  cluster_name  = var.cluster_name\n  policy_arn    = {}\n  principal_arn = {}\n\n  access_scope {{\n    type = \"{}\"\n  }}\n\n  depends_on = [aws_eks_access_entry.{name}]\n}}\n",
            hcl(&p.policy_arn),
            hcl(e.arn),
            p.access_scope.kind
        ));
    }
}
