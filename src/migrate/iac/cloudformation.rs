//! CloudFormation (YAML): one `AWS::EKS::AccessEntry` per principal, its policies as
//! `AccessPolicies`. The cluster is a `ClusterName` parameter whose default is `--cluster` (one
//! template for several clusters; `!Ref` keeps the name in one place); with no entry to create,
//! the template holds a `WaitConditionHandle` (a template needs a resource) and no parameter
//! (cfn-lint warns about an unused one). Logical ids are
//! `AccessEntry` and the principal's ARN in CamelCase (alphanumeric, at most 255 characters),
//! made unique with `2`, `3`, …. Phase 1 (`AccessConfig` on the `AWS::EKS::Cluster`, not ours)
//! and phases 3–5 are comments.

use std::collections::HashSet;

use super::{
    Entry, YamlKeys, comment, entries, header, later_phases, unique, words, yaml, yaml_fields,
};
use crate::migrate::Plan;

/// The template.
pub fn render(plan: &Plan) -> String {
    let mut out = comment(&header(plan, "CloudFormation"), "#");
    out.push_str(&comment(
        &[
            String::new(),
            "phase 1: authentication mode API_AND_CONFIG_MAP [one-way], on your AWS::EKS::Cluster (not in this template):".to_owned(),
            "  Properties:".to_owned(),
            "    AccessConfig:".to_owned(),
            "      AuthenticationMode: API_AND_CONFIG_MAP".to_owned(),
            "update that stack before creating this one".to_owned(),
            String::new(),
            "phase 2: the access entries and their policy associations".to_owned(),
        ],
        "#",
    ));
    out.push_str("AWSTemplateFormatVersion: \"2010-09-09\"\n");
    out.push_str("Description: EKS access entries planned by awsauth migrate from aws-auth\n");
    let list = entries(plan);
    if list.is_empty() {
        // a template needs a resource: a wait condition handle, which does nothing, says so
        out.push_str("Resources:\n  # no access entry to create\n  NothingToCreate:\n    Type: AWS::CloudFormation::WaitConditionHandle\n");
    } else {
        out.push_str(&format!(
            "Parameters:\n  ClusterName:\n    Type: String\n    Description: The EKS cluster's name\n    Default: {}\nResources:\n",
            yaml(&plan.cluster)
        ));
        let mut taken = HashSet::new();
        for e in &list {
            resource(&mut out, e, &mut taken);
        }
    }
    let later = later_phases(plan);
    if !later.is_empty() {
        out.push_str(&comment(&later, "#"));
    }
    out
}

fn resource(out: &mut String, e: &Entry<'_>, taken: &mut HashSet<String>) {
    let camel: String = words(e.arn)
        .iter()
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect();
    let mut id = format!("AccessEntry{camel}");
    id.truncate(240);
    let id = unique(&id, "", taken);
    out.push_str(&format!(
        "  {id}:\n    Type: AWS::EKS::AccessEntry\n    Properties:\n      ClusterName: !Ref ClusterName\n      PrincipalArn: {}\n      Type: {}\n",
        yaml(e.arn),
        e.entry.kind.as_str()
    ));
    yaml_fields(
        out,
        e,
        &YamlKeys {
            username: "Username",
            groups: "KubernetesGroups",
            policies: "AccessPolicies",
            policy_arn: "PolicyArn",
            scope: "AccessScope",
            scope_type: "Type",
        },
    );
}
