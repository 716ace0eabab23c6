//! EKS access entries: the other way an IAM principal gets a Kubernetes identity, and the
//! cluster settings that decide whether aws-auth, access entries or both are read.
//!
//! Every tool that declares them (Terraform's `aws_eks_access_entry`,
//! `aws_eks_access_policy_association` and `aws_eks_cluster.access_config`, the
//! terraform-aws-modules/eks inputs, eksctl's `accessConfig`, CloudFormation's
//! `AWS::EKS::AccessEntry` and `AWS::EKS::Cluster` `AccessConfig`) is read into the same three
//! shapes, with the span of every field in the file it is written in:
//! - [`AccessEntry`]: a principal, its type, username, groups and the access policies
//!   associated with it where the tool writes them together (eksctl, CloudFormation, the
//!   module);
//! - [`Association`]: an access policy association written apart from its entry (Terraform),
//!   joined to the entry of its principal by the cluster view;
//! - [`AccessConfig`]: a cluster's authentication mode and creator admin flag, with what applies
//!   when they are not written (each tool has its own default).
//!
//! A value that is not known from the repository (a Terraform variable without a value, another
//! resource's attribute) is a `${...}` placeholder, as in aws-auth sources.
//!
//! The facts (which types take which fields, the reserved prefixes, the policies) are those of
//! the EKS user guide and API reference, as `DOMAIN.md` and the rule docs cite them.

use std::sync::Arc;

use serde::Serialize;

use super::Field;
use crate::source::{SourceFile, Span};

/// The access-entry types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum EntryType {
    /// People and workloads: username, groups, access policies.
    #[serde(rename = "STANDARD")]
    Standard,
    /// EKS Auto Mode node roles of custom node classes.
    #[serde(rename = "EC2")]
    Ec2,
    /// EC2 Linux nodes.
    #[serde(rename = "EC2_LINUX")]
    Ec2Linux,
    /// EC2 Windows nodes.
    #[serde(rename = "EC2_WINDOWS")]
    Ec2Windows,
    /// Fargate pods.
    #[serde(rename = "FARGATE_LINUX")]
    FargateLinux,
    /// Hybrid nodes.
    #[serde(rename = "HYBRID_LINUX")]
    HybridLinux,
}

impl EntryType {
    /// Every type, in the API's order.
    pub const ALL: [Self; 6] = [
        Self::Standard,
        Self::Ec2,
        Self::Ec2Linux,
        Self::Ec2Windows,
        Self::FargateLinux,
        Self::HybridLinux,
    ];

    /// The API's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Standard => "STANDARD",
            Self::Ec2 => "EC2",
            Self::Ec2Linux => "EC2_LINUX",
            Self::Ec2Windows => "EC2_WINDOWS",
            Self::FargateLinux => "FARGATE_LINUX",
            Self::HybridLinux => "HYBRID_LINUX",
        }
    }

    /// The type of an exact API name (the API and Terraform compare case-sensitively).
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == text)
    }

    /// A node type whose username and groups EKS sets itself, and which takes no access
    /// policy (`EC2_LINUX`, `EC2_WINDOWS`, `FARGATE_LINUX`, `HYBRID_LINUX`).
    pub fn is_node(self) -> bool {
        !matches!(self, Self::Standard | Self::Ec2)
    }

    /// The identity EKS gives a node type (username template, groups); `None` for `STANDARD`
    /// and `EC2` (Auto Mode: not documented).
    pub fn node_identity(self) -> Option<(&'static str, &'static [&'static str])> {
        use super::identity::{
            EC2_NODE_USERNAME, EKS_KUBE_PROXY_WINDOWS, SESSION_NODE_USERNAME, SYSTEM_BOOTSTRAPPERS,
            SYSTEM_NODE_PROXIER, SYSTEM_NODES,
        };
        match self {
            Self::Standard | Self::Ec2 => None,
            Self::Ec2Linux => Some((EC2_NODE_USERNAME, &[SYSTEM_BOOTSTRAPPERS, SYSTEM_NODES])),
            Self::Ec2Windows => Some((
                EC2_NODE_USERNAME,
                &[SYSTEM_BOOTSTRAPPERS, SYSTEM_NODES, EKS_KUBE_PROXY_WINDOWS],
            )),
            Self::FargateLinux => Some((
                SESSION_NODE_USERNAME,
                &[SYSTEM_BOOTSTRAPPERS, SYSTEM_NODES, SYSTEM_NODE_PROXIER],
            )),
            Self::HybridLinux => {
                Some((SESSION_NODE_USERNAME, &[SYSTEM_BOOTSTRAPPERS, SYSTEM_NODES]))
            }
        }
    }
}

/// A cluster's authentication mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum AuthMode {
    /// aws-auth only.
    #[serde(rename = "CONFIG_MAP")]
    ConfigMap,
    /// Both; an access entry wins over the aws-auth mapping of the same principal.
    #[serde(rename = "API_AND_CONFIG_MAP")]
    ApiAndConfigMap,
    /// Access entries only; aws-auth is ignored.
    #[serde(rename = "API")]
    Api,
}

impl AuthMode {
    /// The API's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ConfigMap => "CONFIG_MAP",
            Self::ApiAndConfigMap => "API_AND_CONFIG_MAP",
            Self::Api => "API",
        }
    }

    /// The mode of an exact API name.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::ConfigMap, Self::ApiAndConfigMap, Self::Api]
            .into_iter()
            .find(|m| m.as_str() == text)
    }

    /// Whether aws-auth is read.
    pub fn reads_aws_auth(self) -> bool {
        self != Self::Api
    }

    /// Whether access entries are read.
    pub fn reads_access_entries(self) -> bool {
        self != Self::ConfigMap
    }
}

/// Which tool declares an access entry, association or cluster setting, and how it names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Origin {
    /// The tool.
    pub tool: Tool,
    /// How the tool names it: a Terraform address (`aws_eks_access_entry.ci`,
    /// `module.eks.access_entries["ci"]`), a CloudFormation logical id, an eksctl path
    /// (`accessConfig.accessEntries[0]`).
    pub name: String,
}

/// The tools that declare access entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tool {
    /// The Terraform AWS provider's resources.
    Terraform,
    /// terraform-aws-modules/eks (its inputs).
    #[serde(rename = "terraform-module")]
    TerraformModule,
    /// An eksctl `ClusterConfig`.
    Eksctl,
    /// A CloudFormation template (YAML or JSON).
    #[serde(rename = "cloudformation")]
    CloudFormation,
}

/// An access policy associated with a principal, with its scope.
#[derive(Debug, Clone)]
pub struct PolicyAssociation {
    /// The whole association as written.
    pub span: Span,
    /// The policy ARN (`arn:aws:eks::aws:cluster-access-policy/<Name>`), when written.
    pub policy: Option<Field>,
    /// The scope type as written (`cluster` or `namespace`), when written.
    pub scope: Option<Field>,
    /// The namespaces of a `namespace` scope.
    pub namespaces: Vec<Field>,
}

impl PolicyAssociation {
    /// The policy's name: the part after `cluster-access-policy/` (the whole text when the ARN
    /// is not of that form).
    pub fn policy_name(&self) -> Option<&str> {
        let p = self.policy.as_ref()?.value.as_str();
        Some(policy_name(p))
    }

    /// Whether the scope is the whole cluster.
    pub fn is_cluster_scope(&self) -> bool {
        self.scope.as_ref().is_some_and(|s| s.value == "cluster")
    }
}

/// The name of an access policy ARN: the part after `cluster-access-policy/` (the whole text
/// when the ARN is not of that form).
pub fn policy_name(arn: &str) -> &str {
    arn.split_once(":cluster-access-policy/")
        .map_or(arn, |(_, name)| name)
}

/// The access policy that is cluster-admin (`*` on everything, non-resource URLs included).
pub const CLUSTER_ADMIN_POLICY: &str = "AmazonEKSClusterAdminPolicy";

/// An access entry as a tool declares it.
#[derive(Debug, Clone)]
pub struct AccessEntry {
    /// The file it is written in.
    pub file: Arc<SourceFile>,
    /// Who declares it, and how it is named there.
    pub origin: Origin,
    /// The whole declaration.
    pub span: Span,
    /// The cluster's name as written (a placeholder when not known), when written.
    pub cluster: Option<Field>,
    /// The principal ARN, when written.
    pub principal: Option<Field>,
    /// The type as written (`None`: not written, `STANDARD`).
    pub entry_type: Option<Field>,
    /// The username as written (`None`: EKS generates one).
    pub username: Option<Field>,
    /// The Kubernetes groups as written.
    pub groups: Vec<Field>,
    /// The access policies written with the entry (eksctl, CloudFormation, the module).
    pub policies: Vec<PolicyAssociation>,
    /// EKS creates this entry itself (the cluster creator's admin entry of
    /// `bootstrapClusterCreatorAdminPermissions`, the module's `cluster_creator` entry): what
    /// says so.
    pub implicit: Option<String>,
}

impl AccessEntry {
    /// The type: the one written, `STANDARD` when none is; `None` when the written one is not a
    /// type (or not known).
    pub fn kind(&self) -> Option<EntryType> {
        match &self.entry_type {
            None => Some(EntryType::Standard),
            Some(t) => EntryType::parse(&t.value),
        }
    }

    /// The principal ARN's text, when written.
    pub fn principal_arn(&self) -> Option<&str> {
        self.principal.as_ref().map(|p| p.value.as_str())
    }
}

/// An access policy association written apart from its access entry (Terraform's
/// `aws_eks_access_policy_association`).
#[derive(Debug, Clone)]
pub struct Association {
    /// The file it is written in.
    pub file: Arc<SourceFile>,
    /// Who declares it, and how it is named there.
    pub origin: Origin,
    /// The cluster's name as written, when written.
    pub cluster: Option<Field>,
    /// The principal ARN, when written.
    pub principal: Option<Field>,
    /// The policy and its scope.
    pub policy: PolicyAssociation,
}

/// A cluster's access settings: which identity sources it reads, and whether its creator is
/// made an admin.
#[derive(Debug, Clone)]
pub struct AccessConfig {
    /// The file it is written in.
    pub file: Arc<SourceFile>,
    /// Who declares it (the cluster's resource, module or config), and how it is named there.
    pub origin: Origin,
    /// The cluster's declaration.
    pub span: Span,
    /// The cluster's name, when known.
    pub cluster: Option<Field>,
    /// The authentication mode as written.
    pub mode: Option<Field>,
    /// The mode that applies when none is written (the tool's default, or the API's).
    pub default_mode: AuthMode,
    /// `bootstrapClusterCreatorAdminPermissions` as written (`true`/`false`).
    pub bootstrap_admin: Option<Field>,
    /// The value that applies when it is not written (the API's default is `true`; the eks
    /// module always sends `false`).
    pub default_bootstrap_admin: bool,
}

impl AccessConfig {
    /// The mode that applies: the one written, or the default; `None` when the written one is
    /// not a mode (or not known).
    pub fn mode(&self) -> Option<AuthMode> {
        match &self.mode {
            None => Some(self.default_mode),
            Some(m) => AuthMode::parse(&m.value),
        }
    }

    /// Whether the cluster creator gets an admin access entry EKS creates: the value written,
    /// or the default; `None` when not known.
    pub fn bootstrap_admin(&self) -> Option<bool> {
        match &self.bootstrap_admin {
            None => Some(self.default_bootstrap_admin),
            Some(b) => match b.value.as_str() {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            },
        }
    }
}

/// Everything about access entries one file declares.
#[derive(Debug, Clone, Default)]
pub struct AccessDecls {
    /// Access entries, in source order.
    pub entries: Vec<AccessEntry>,
    /// Policy associations written apart from their entries.
    pub associations: Vec<Association>,
    /// Clusters' access settings.
    pub configs: Vec<AccessConfig>,
}

impl AccessDecls {
    /// The usernames written on entries that take one (not node types, whose username EKS sets
    /// itself: a username written on one is `access-entry-type`'s finding), with their entry.
    pub fn written_usernames(&self) -> impl Iterator<Item = (&AccessEntry, &Field)> {
        self.entries
            .iter()
            .filter(|e| !e.kind().is_some_and(EntryType::is_node))
            .filter_map(|e| Some((e, e.username.as_ref()?)))
    }

    /// Whether the file declares nothing of access entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty() && self.associations.is_empty() && self.configs.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_and_modes_read_only_their_exact_names() {
        for t in EntryType::ALL {
            assert_eq!(EntryType::parse(t.as_str()), Some(t));
        }
        assert_eq!(EntryType::parse("EC2_Linux"), None);
        assert!(EntryType::Ec2Linux.is_node() && !EntryType::Ec2.is_node());
        assert_eq!(AuthMode::parse("API"), Some(AuthMode::Api));
        assert_eq!(AuthMode::parse("api"), None);
        assert!(!AuthMode::Api.reads_aws_auth() && !AuthMode::ConfigMap.reads_access_entries());
    }

    #[test]
    fn a_policy_is_named_by_the_end_of_its_arn() {
        assert_eq!(
            policy_name("arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy"),
            "AmazonEKSViewPolicy"
        );
        assert_eq!(policy_name("AmazonEKSViewPolicy"), "AmazonEKSViewPolicy");
    }
}
