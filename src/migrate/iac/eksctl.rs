//! eksctl: a `ClusterConfig` fragment with `accessConfig.authenticationMode` (phase 1) and
//! `accessConfig.accessEntries` (phase 2), in eksctl's field names
//! (`pkg/apis/eksctl.io/v1alpha5/access_entry.go`: `principalARN`, `type`, `kubernetesUsername`,
//! `kubernetesGroups`, `accessPolicies` with `policyARN` and `accessScope`); phases 3–5 are
//! comments. Merge it into the cluster's config (`metadata.region` is yours).

use super::{YamlKeys, comment, entries, header, later_phases, yaml, yaml_fields};
use crate::migrate::Plan;

/// eksctl's names of an access entry's fields (`pkg/apis/eksctl.io/v1alpha5/access_entry.go`).
const EKSCTL_KEYS: YamlKeys = YamlKeys {
    username: "kubernetesUsername",
    groups: "kubernetesGroups",
    policies: "accessPolicies",
    policy_arn: "policyARN",
    scope: "accessScope",
    scope_type: "type",
};

/// The fragment.
pub fn render(plan: &Plan) -> String {
    let mut out = comment(&header(plan, "eksctl ClusterConfig fragment"), "#");
    out.push_str(&format!(
        "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: {}\n  # region: your cluster's region (eksctl needs it)\naccessConfig:\n  # phase 1 [one-way]: `eksctl utils update-authentication-mode` or the console/API\n  authenticationMode: API_AND_CONFIG_MAP\n  # phase 2: the access entries and their policy associations\n",
        yaml(&plan.cluster)
    ));
    let list = entries(plan);
    if list.is_empty() {
        out.push_str("  accessEntries: []\n");
    } else {
        out.push_str("  accessEntries:\n");
    }
    for e in list {
        out.push_str(&format!(
            "    - principalARN: {}\n      type: {}\n",
            yaml(e.arn),
            e.entry.kind.as_str()
        ));
        yaml_fields(&mut out, &e, &EKSCTL_KEYS);
    }
    let later = later_phases(plan);
    if !later.is_empty() {
        out.push_str(&comment(&later, "#"));
    }
    out
}
