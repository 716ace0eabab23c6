//! The configuration file's shape, as written: `.awsauth.yaml`. Serde reads it, schemars
//! describes it (`awsauth schema` prints the JSON Schema; `schema/awsauth.schema.json` is that
//! output, checked fresh by the tests).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

/// awsauth configuration (`.awsauth.yaml` or `awsauth.yaml`).
#[derive(Debug, Default, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(title = "awsauth configuration")]
pub struct ConfigFile {
    /// The JSON Schema an editor validates this file with (ignored by awsauth).
    #[serde(rename = "$schema")]
    pub schema: Option<String>,
    /// A configuration file this one builds on, relative to this file. This file's keys win;
    /// `rules`, `per-file-ignores` and `cluster` are merged key by key, `policies` by id.
    pub extends: Option<String>,
    /// Rules to run: rule ids, categories (`correctness`, `security`, `hygiene`, `policy`) or
    /// `all`. Default: every rule that is on by default. The most specific selector wins over
    /// `ignore`; on a tie `ignore` wins.
    pub select: Option<Vec<String>>,
    /// Rules not to run: rule ids, policy ids, categories or `all`.
    pub ignore: Option<Vec<String>>,
    /// Exit 1 when a finding is at or above this severity (default `warning`).
    pub fail_on: Option<FailOn>,
    /// Globs of files to read when walking a directory (default `*.yaml`, `*.yml`, `*.json`, `*.tf`).
    pub include: Option<Vec<String>>,
    /// Globs of files and directories to skip when walking.
    pub exclude: Option<Vec<String>>,
    /// Globs (relative to this file's directory; a glob without `/` matches a file name anywhere)
    /// mapped to the rules, categories or policies to ignore in the files they match.
    pub per_file_ignores: Option<BTreeMap<String, Vec<String>>>,
    /// Facts about the cluster that rules check against.
    pub cluster: Option<ClusterFile>,
    /// Per-rule settings, keyed by rule id.
    pub rules: Option<BTreeMap<String, RuleFile>>,
    /// Organisation policies: rules of your own over who may be mapped to what.
    pub policies: Option<Vec<PolicyFile>>,
}

/// When `awsauth lint` exits 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    /// Only errors fail.
    Error,
    /// Warnings and errors fail.
    Warning,
    /// Every finding fails.
    Info,
    /// Never exit 1 for findings.
    Never,
}

/// A severity, or `off` to disable the rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Report as an error.
    Error,
    /// Report as a warning.
    Warning,
    /// Report as information.
    Info,
    /// Do not run the rule.
    Off,
}

/// What awsauth should know about the cluster(s) these manifests configure.
#[derive(Debug, Default, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ClusterFile {
    /// The cluster's name, as its eksctl, CloudFormation or Terraform declarations name it:
    /// the aws-auth sources under this configuration belong to that cluster (its access entries
    /// and authentication mode), wherever they are.
    pub name: Option<String>,
    /// The cluster's AWS account id(s), 12 digits, quoted. `cross-account-principal` reports
    /// principals of other accounts.
    pub account_ids: Option<Vec<String>>,
    /// The cluster's partition (`aws`, `aws-cn`, `aws-us-gov`, ...). ARNs of another partition
    /// never match.
    pub partition: Option<String>,
    /// ARNs of the node instance roles (Linux): each must be mapped as a node.
    pub node_roles: Option<Vec<String>>,
    /// ARNs of the Windows node instance roles: mapped as nodes and with `eks:kube-proxy-windows`.
    pub windows_node_roles: Option<Vec<String>>,
    /// ARNs of the Fargate pod execution roles: mapped as nodes with `system:node-proxier`.
    pub fargate_roles: Option<Vec<String>>,
    /// ARNs (globs) of break-glass roles: their `system:masters` grant (`system-masters`),
    /// cluster-scoped `AmazonEKSClusterAdminPolicy` (`cluster-admin-policy`) and cluster-admin
    /// through RBAC bindings (`effective-cluster-admin`) are reported as info.
    pub break_glass_roles: Option<Vec<String>>,
    /// Which authenticator loads the `ConfigMap`: `master` (EKS today, release-0.6 and later) or
    /// `0.5` (release-0.5: case-sensitive keys, no `sso`).
    pub authenticator: Option<Profile>,
}

/// The authenticator release line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum Profile {
    /// release-0.6 and later (what EKS runs).
    #[default]
    #[serde(rename = "master")]
    Master,
    /// release-0.5.
    #[serde(rename = "0.5")]
    V05,
}

/// Settings of one rule.
#[derive(Debug, Default, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RuleFile {
    /// `error`, `warning`, `info`, or `off`. Setting a severity on a rule that is off by
    /// default turns it on.
    pub severity: Option<Level>,
    /// Security rules only: principals this rule accepts, each with the reason. An entry that
    /// matches nothing is reported by `unused-suppression`.
    pub allow: Option<Vec<AllowFile>>,
}

/// A principal a security rule accepts.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct AllowFile {
    /// A glob over the ARN (case-insensitive), e.g. `arn:aws:iam::*:role/break-glass`.
    pub arn: String,
    /// Why this principal is accepted (mandatory).
    pub reason: String,
}

/// An organisation policy.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PolicyFile {
    /// Kebab-case id, used like a rule id (in `ignore`, suppressions and baselines).
    pub id: String,
    /// The message of a finding (default: generated from the policy).
    pub message: Option<String>,
    /// Severity of a finding (default `error`).
    pub severity: Option<Level>,
    /// The mappings the policy applies to (default: every mapping).
    pub when: Option<MatchFile>,
    /// What every mapping matched by `when` must satisfy.
    pub require: Option<MatchFile>,
    /// What no mapping matched by `when` may satisfy.
    pub forbid: Option<MatchFile>,
}

/// Globs over a mapping: every field given must match (a field matches when any of its globs
/// matches; `groups` matches when any group matches any glob).
#[derive(Debug, Default, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct MatchFile {
    /// Globs over the role or user ARN (case-insensitive).
    pub arn: Option<Vec<String>>,
    /// Globs over the 12-digit account of the ARN, SSO matcher or `mapAccounts` item.
    pub account: Option<Vec<String>>,
    /// Globs over the username template.
    pub username: Option<Vec<String>>,
    /// Globs over the groups.
    pub groups: Option<Vec<String>>,
    /// Sections: `mapRoles`, `mapUsers`, `mapAccounts`.
    pub section: Option<Vec<String>>,
}
