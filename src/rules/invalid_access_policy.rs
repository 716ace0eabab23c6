//! `invalid-access-policy`: an access policy association EKS rejects, or whose policy is not
//! one EKS has.
use std::collections::HashMap;
use std::sync::Arc;

use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::access_entries::{AccessDecls, EntryType, PolicyAssociation, Tool};
use crate::rules::{is_placeholder, quoted_list};
use crate::source::SourceFile;

declare_rule! {
    /// ## What it does
    /// Reports access policy associations EKS rejects:
    /// - a policy ARN not of the form `arn:<partition>:eks::aws:cluster-access-policy/<Name>`
    ///   (an IAM policy ARN such as `arn:aws:iam::aws:policy/AmazonEKSClusterPolicy` is a
    ///   common mistake);
    /// - an access scope whose type is missing or is not `cluster` or `namespace`, a `cluster`
    ///   scope with namespaces, a `namespace` scope without any;
    /// - the same policy twice on one access entry;
    /// - more than 20 policies on one CloudFormation `AWS::EKS::AccessEntry`.
    ///
    /// It warns about a policy name that is not one of the access policies awsauth knows (the
    /// user guide's, the Auto Mode and hybrid nodes policies, and the newer ones
    /// `aws eks list-access-policies` lists). Policies on node-type entries are
    /// `access-entry-type`'s.
    ///
    /// ## Why is this bad?
    /// Access policies are a fixed set EKS owns, named by ARNs with no region and the literal
    /// account `aws`; IAM policies cannot be associated with an access entry. EKS (and eksctl,
    /// CloudFormation, Terraform at apply time) rejects the association, so the principal
    /// does not get the access the file shows.
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
    ///   bootstrapClusterCreatorAdminPermissions: false
    ///   accessEntries:
    ///     - principalARN: arn:aws:iam::111122223333:role/dev
    ///       accessPolicies:
    ///         - policyARN: arn:aws:iam::aws:policy/AmazonEKSViewPolicy
    ///           accessScope:
    ///             type: cluster
    ///             namespaces: [payments]
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
    ///     - principalARN: arn:aws:iam::111122223333:role/dev
    ///       accessPolicies:
    ///         - policyARN: arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy
    ///           accessScope:
    ///             type: namespace
    ///             namespaces: [payments]
    /// ```
    ///
    /// ## References
    /// - EKS user guide, "Review access policy permissions": the policies and their ARNs
    ///   (<https://docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html>)
    /// - EKS user guide, "Associate access policies with access entries": scopes, each policy
    ///   once per entry
    ///   (<https://docs.aws.amazon.com/eks/latest/userguide/access-policies.html>)
    /// - CloudFormation, `AWS::EKS::AccessEntry` `AccessPolicies` (at most 20) and
    ///   `AccessScope`
    ///   (<https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-eks-accessentry.html>)
    pub INVALID_ACCESS_POLICY = "invalid-access-policy", category: Correctness, severity: Error,
    summary: "an access policy association EKS rejects, or an access policy EKS does not have",
}

/// The access policies EKS has, by name. Source: the EKS user guide's access policy reference
/// (`access-policy-reference.adoc`, policy updates up to 2024-12-02): the user-facing
/// policies, the Auto Mode policies and the hybrid nodes policy.
pub const KNOWN_POLICIES: &[&str] = &[
    "AmazonEKSAdminPolicy",
    "AmazonEKSAdminViewPolicy",
    "AmazonEKSClusterAdminPolicy",
    "AmazonEKSEditPolicy",
    "AmazonEKSViewPolicy",
    // Auto Mode
    "AmazonEKSAutoNodePolicy",
    "AmazonEKSBlockStorageClusterPolicy",
    "AmazonEKSBlockStoragePolicy",
    "AmazonEKSComputeClusterPolicy",
    "AmazonEKSComputePolicy",
    "AmazonEKSLoadBalancingClusterPolicy",
    "AmazonEKSLoadBalancingPolicy",
    "AmazonEKSNetworkingClusterPolicy",
    "AmazonEKSNetworkingPolicy",
    // hybrid nodes
    "AmazonEKSHybridPolicy",
];

/// Newer access policies, named in `aws eks list-access-policies` output (the live user guide
/// page and a 2026 capture) but not in the stored policy reference: their names are known,
/// their permissions are not verified here.
pub const NEWER_POLICIES: &[&str] = &[
    "AIDevOpsAgentAccessPolicy",
    "AmazonAIOpsAssistantPolicy",
    "AmazonARCRegionSwitchScalingPolicy",
    "AmazonEKSACKPolicy",
    "AmazonEKSArgoCDClusterPolicy",
    "AmazonEKSArgoCDPolicy",
    "AmazonEKSEventPolicy",
    "AmazonEKSKROPolicy",
    "AmazonEKSPodIdentityPolicy",
    "AmazonEKSSecretAdminPolicy",
    "AmazonEKSSecretReaderPolicy",
    "AmazonEMRJobPolicy",
    "AmazonSagemakerHyperpodClusterPolicy",
    "AmazonSagemakerHyperpodControllerPolicy",
    "AmazonSagemakerHyperpodSpacePolicy",
    "AmazonSagemakerHyperpodSpaceTemplatePolicy",
    "AmazonSagemakerHyperpodSystemNamespacePolicy",
    "AmazonSagemakerHyperpodUserClusterPolicy",
];

/// CloudFormation's `AccessPolicies` `maxItems`.
const CFN_MAX_POLICIES: usize = 20;

/// Field names of an association in a tool: the policy ARN, the scope, its type, its
/// namespaces.
fn names(tool: Tool) -> [&'static str; 3] {
    match tool {
        Tool::Terraform | Tool::TerraformModule => {
            ["policy_arn", "access_scope.type", "access_scope.namespaces"]
        }
        Tool::Eksctl => ["policyARN", "accessScope.type", "accessScope.namespaces"],
        Tool::CloudFormation => ["PolicyArn", "AccessScope.Type", "AccessScope.Namespaces"],
    }
}

fn known(name: &str) -> Option<&'static str> {
    KNOWN_POLICIES
        .iter()
        .chain(NEWER_POLICIES)
        .find(|k| k.eq_ignore_ascii_case(name))
        .copied()
}

/// Reports each association's policy ARN and scope, duplicates on an entry, and CloudFormation
/// entries over the limit.
pub fn check(decls: &AccessDecls, out: &mut Vec<Diagnostic>) {
    for e in &decls.entries {
        // policies on a node type are `access-entry-type`'s finding
        if e.kind().is_some_and(EntryType::is_node) {
            continue;
        }
        let tool = e.origin.tool;
        let mut first: HashMap<&str, &PolicyAssociation> = HashMap::new();
        for p in &e.policies {
            check_association(&e.file, tool, p, out);
            let Some(arn) = p.policy.as_ref().filter(|a| !is_placeholder(&a.value)) else {
                continue;
            };
            if let Some(before) = first.get(arn.value.as_str()) {
                let mut d = Diagnostic::new(
                    &INVALID_ACCESS_POLICY,
                    &e.file,
                    arn.span.clone(),
                    format!("`{}` is associated twice with this entry", arn.value),
                )
                .label("associated again")
                .help("keep one association: EKS associates each policy once per entry, with one scope");
                if let Some(b) = &before.policy {
                    d = d.secondary(b.span.clone(), "first associated here");
                }
                out.push(d);
            } else {
                first.insert(&arn.value, p);
            }
        }
        if tool == Tool::CloudFormation
            && let Some(p) = e.policies.get(CFN_MAX_POLICIES)
        {
            out.push(
                Diagnostic::new(
                    &INVALID_ACCESS_POLICY,
                    &e.file,
                    p.span.clone(),
                    format!(
                        "this access entry has {} access policies; CloudFormation takes at most {CFN_MAX_POLICIES}",
                        e.policies.len()
                    ),
                )
                .label("over the limit")
                .help("keep at most 20 policies on the entry: the permissions of policies add up, so fewer broader ones (scoped to more namespaces) do the same"),
            );
        }
    }
    for a in &decls.associations {
        check_association(&a.file, a.origin.tool, &a.policy, out);
    }
}

/// What is wrong with a policy ARN: a message and a help line; `None` when it is well formed.
/// The name of a well-formed ARN is checked apart.
/// A part not known (`arn:${AWS::Partition}:...`) is taken to be right; an ARN not known as a
/// whole, or a documentation placeholder, has no problem.
fn arn_problem(arn: &str) -> Option<(String, String)> {
    let masked = mask_unknown(arn);
    let parts: Vec<&str> = masked.splitn(6, ':').collect();
    let partial = arn.contains("${");
    if (partial && (parts.len() < 6 || parts[0] != "arn")) || (!partial && is_placeholder(arn)) {
        return None;
    }
    let is = |i: usize, ok: &dyn Fn(&str) -> bool| parts[i].contains("${") || ok(parts[i]);
    let well_formed = parts.len() == 6
        && parts[0] == "arn"
        && is(1, &|p| p.starts_with("aws"))
        && is(2, &|p| p == "eks")
        && is(3, &str::is_empty)
        && is(4, &|p| p == "aws")
        && is(5, &|p| {
            p.strip_prefix("cluster-access-policy/")
                .is_some_and(|n| !n.is_empty() && !n.contains('/'))
        });
    if well_formed {
        return None;
    }
    let name = arn.rsplit(['/', ':']).next().unwrap_or(arn);
    let partition = parts
        .get(1)
        .filter(|p| parts[0] == "arn" && p.starts_with("aws"))
        .copied()
        .unwrap_or("aws");
    let suggestion = known(name).map_or_else(
        || format!("`arn:{partition}:eks::aws:cluster-access-policy/<Name>`"),
        |k| format!("`arn:{partition}:eks::aws:cluster-access-policy/{k}`"),
    );
    let what = if parts.len() == 6 && parts[0] == "arn" && parts[2] == "iam" {
        "an IAM policy ARN, not an EKS access policy".to_owned()
    } else if !arn.starts_with("arn:") {
        "not an ARN".to_owned()
    } else if parts.len() == 6 && parts[2] == "eks" && parts[4] != "aws" {
        "not an access policy ARN (the account of an access policy is the literal `aws`)".to_owned()
    } else if parts.len() == 6 && parts[2] == "eks" && !parts[3].is_empty() {
        "not an access policy ARN (an access policy ARN has no region)".to_owned()
    } else {
        "not an access policy ARN".to_owned()
    };
    Some((
        format!(
            "`{arn}` is {what}; expected `arn:<partition>:eks::aws:cluster-access-policy/<Name>`"
        ),
        format!("write {suggestion} (`aws eks list-access-policies` lists them)"),
    ))
}

fn check_association(
    file: &Arc<SourceFile>,
    tool: Tool,
    p: &PolicyAssociation,
    out: &mut Vec<Diagnostic>,
) {
    let [policy_key, type_key, namespaces_key] = names(tool);
    let report = |span: crate::source::Span, msg: String, label: &str, help: String| {
        Diagnostic::new(&INVALID_ACCESS_POLICY, file, span, msg)
            .label(label.to_owned())
            .help(help)
    };
    match &p.policy {
        None => out.push(report(
            p.span.clone(),
            format!("this association names no policy (`{policy_key}`)"),
            "no policy",
            format!("write `{policy_key}`: `arn:aws:eks::aws:cluster-access-policy/<Name>`"),
        )),
        Some(arn) => {
            let name = arn
                .value
                .rsplit_once(":cluster-access-policy/")
                .map(|(_, n)| n);
            if let Some((msg, help)) = arn_problem(&arn.value) {
                out.push(report(arn.span.clone(), msg, "not an access policy", help));
            } else if let Some(name) = name.filter(|n| !is_placeholder(n)) {
                // also `arn:${partition}:eks::aws:cluster-access-policy/AmazonEKSViewPolicy`
                check_name(file, arn, name, out);
            }
        }
    }
    let Some(scope) = &p.scope else {
        // associations not known as a whole (the module's `policy_associations = var.x`)
        if p.policy.as_ref().is_some_and(|a| whole_unknown(&a.value)) {
            return;
        }
        out.push(report(
            p.span.clone(),
            format!("this association has no scope type (`{type_key}`)"),
            "no scope",
            format!("write `{type_key}`: `cluster`, or `namespace` with `{namespaces_key}`"),
        ));
        return;
    };
    if is_placeholder(&scope.value) {
        return;
    }
    let namespaces: Vec<_> = p.namespaces.iter().collect();
    match scope.value.as_str() {
        "cluster" => {
            // a list not known (`namespaces = var.namespaces`) may be empty
            if let Some(first) = namespaces
                .first()
                .filter(|_| !namespaces.iter().all(|n| whole_unknown(&n.value)))
            {
                out.push(
                    report(
                        first.span.clone(),
                        format!(
                            "a `cluster` scope takes no namespaces, but this one lists {}",
                            quoted_list(
                                &namespaces.iter().map(|n| n.value.as_str()).collect::<Vec<_>>(),
                                ", "
                            )
                        ),
                        "namespaces of a cluster scope",
                        "remove the namespaces, or make the scope `namespace` to limit the policy to them".to_owned(),
                    )
                    .secondary(scope.span.clone(), "cluster scope"),
                );
            }
        }
        "namespace" => {
            if namespaces.is_empty() {
                out.push(report(
                    scope.span.clone(),
                    format!("a `namespace` scope without namespaces (`{namespaces_key}`)"),
                    "no namespaces",
                    format!("list the namespaces in `{namespaces_key}` (wildcards such as `dev-*` are allowed)"),
                ));
            }
        }
        other => {
            let help = if other.eq_ignore_ascii_case("cluster")
                || other.eq_ignore_ascii_case("namespace")
            {
                format!(
                    "write `{}`: the scope types are lower case",
                    other.to_ascii_lowercase()
                )
            } else {
                "write `cluster`, or `namespace` with the namespaces".to_owned()
            };
            out.push(report(
                scope.span.clone(),
                format!("`{other}` is not an access scope type; expected `cluster` or `namespace`"),
                "not a scope type",
                help,
            ));
        }
    }
}

/// The text with each `${...}` placeholder (which may hold `:`, as `${AWS::Partition}`)
/// written `${}`.
fn mask_unknown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("${") {
        out.push_str(&rest[..at]);
        let mut depth = 0usize;
        let mut end = rest.len();
        for (i, c) in rest[at + 1..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = at + 1 + i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        out.push_str("${}");
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// A value not known at all from the repository: one `${...}` placeholder.
fn whole_unknown(text: &str) -> bool {
    text.starts_with("${") && text.ends_with('}') && text.matches("${").count() == 1
}

fn check_name(
    file: &Arc<SourceFile>,
    arn: &crate::model::Field,
    name: &str,
    out: &mut Vec<Diagnostic>,
) {
    let help = match known(name) {
        Some(k) if k == name => return,
        Some(k) => format!("write `{k}`: policy names are case-sensitive"),
        None => format!(
            "check the name against `aws eks list-access-policies`; the user guide's are {}",
            quoted_list(&KNOWN_POLICIES[..5], ", ")
        ),
    };
    out.push(
        Diagnostic::new(
            &INVALID_ACCESS_POLICY,
            file,
            arn.span.clone(),
            format!("`{name}` is not an access policy awsauth knows"),
        )
        .severity(Severity::Warning)
        .label("unknown access policy")
        .help(help),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_masked_whole_even_with_colons() {
        assert_eq!(
            mask_unknown("arn:${AWS::Partition}:eks::aws:cluster-access-policy/${Fn::If {a}}"),
            "arn:${}:eks::aws:cluster-access-policy/${}"
        );
        assert_eq!(mask_unknown("no placeholder"), "no placeholder");
        assert_eq!(mask_unknown("arn:${unclosed"), "arn:${}");
    }

    #[test]
    fn access_policy_arns_are_checked_in_their_known_parts() {
        for ok in [
            "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy",
            "arn:aws-us-gov:eks::aws:cluster-access-policy/AmazonEKSViewPolicy",
            "arn:${AWS::Partition}:eks::aws:cluster-access-policy/AmazonEKSViewPolicy",
            "${var.policy_arn}",
            "arn:aws:eks::aws:cluster-access-policy/${var.name}",
        ] {
            assert!(arn_problem(ok).is_none(), "{ok}");
        }
        let problem = |arn: &str| arn_problem(arn).map(|(m, _)| m).unwrap_or_default();
        assert!(
            problem("arn:aws:iam::aws:policy/AdministratorAccess").contains("an IAM policy ARN")
        );
        assert!(
            problem("arn:${p}:iam::aws:policy/AdministratorAccess").contains("an IAM policy ARN")
        );
        assert!(problem("arn:aws:eks:eu-west-1:aws:cluster-access-policy/X").contains("no region"));
        assert!(
            problem("arn:aws:eks::111122223333:cluster-access-policy/X").contains("literal `aws`")
        );
        assert!(problem("AmazonEKSViewPolicy").contains("not an ARN"));
        assert!(
            problem("arn:aws:eks::aws:access-policy/AmazonEKSViewPolicy")
                .contains("not an access policy ARN")
        );
    }

    #[test]
    fn known_policy_names_have_no_duplicates_and_the_admin_policy_is_known() {
        let mut all: Vec<_> = KNOWN_POLICIES.iter().chain(NEWER_POLICIES).collect();
        let n = all.len();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), n);
        assert_eq!(
            known("amazoneksclusteradminpolicy"),
            Some(crate::model::access_entries::CLUSTER_ADMIN_POLICY)
        );
    }
}
