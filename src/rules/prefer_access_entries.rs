//! `prefer-access-entries`: each mapping, with what it becomes as an EKS access entry.
use crate::arn::Arn;
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::identity;
use crate::model::{AwsAuth, Entry, SectionKind};
use crate::rules::active_entries;

declare_rule! {
    /// ## What it does
    /// Off by default (turn it on with `select: [prefer-access-entries]` or a `severity`).
    /// Reports every aws-auth mapping with the EKS access entry it can become: `EC2_LINUX`,
    /// `EC2_WINDOWS`, `FARGATE_LINUX`, `HYBRID_LINUX`, `STANDARD` (with
    /// `AmazonEKSClusterAdminPolicy` for `system:masters`), or why it cannot be migrated
    /// automatically (other `system:` groups, `mapAccounts`, SSO matchers, root, service-linked
    /// roles).
    ///
    /// ## Why is this bad?
    /// The aws-auth `ConfigMap` is deprecated in favour of access entries: an API with IAM
    /// authorization, `CloudTrail` records, no YAML-in-a-string to break, and role ARNs that may
    /// keep their path. Migrating starts with knowing which mappings move as they are.
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
    ///     - rolearn: arn:aws:iam::111122223333:role/dev
    ///       username: dev:{{SessionName}}
    ///       groups: [developers]
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
    ///   authenticationMode: API
    ///   accessEntries:
    ///     - principalARN: arn:aws:iam::111122223333:role/dev
    ///       kubernetesGroups: [developers]
    /// ```
    ///
    /// (an access entry, here in an eksctl `ClusterConfig`, in place of the mapping).
    ///
    /// ## References
    /// - EKS user guide: "Migrating existing aws-auth `ConfigMap` entries to access entries"
    /// - eksctl `pkg/actions/accessentry/migrator.go`
    pub PREFER_ACCESS_ENTRIES = "prefer-access-entries", category: Hygiene, severity: Info,
    summary: "an aws-auth mapping that can move to an EKS access entry", enabled: false,
}

/// What a mapping becomes as an access entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Migration {
    /// An access entry of this type (`EC2_LINUX`, `STANDARD`, ...), with an access policy.
    Entry {
        /// The access-entry type.
        kind: &'static str,
        /// An access policy to associate, if any.
        policy: Option<&'static str>,
    },
    /// No automatic migration, and why.
    Manual(String),
}

/// Classifies one mapping the way eksctl's migrator and the EKS docs do.
pub fn classify(e: &Entry) -> Migration {
    let has = |g: &str| e.groups.iter().any(|x| x.value == g);
    let username = e.username.as_ref().map_or("", |u| u.value.as_str());
    if e.sso.is_some() && e.arn.is_none() {
        return Migration::Manual(
            "an sso matcher has no access-entry equivalent: list the concrete role ARNs".into(),
        );
    }
    let Some(arn) = e.arn.as_ref().and_then(|a| Arn::parse(&a.value)) else {
        return Migration::Manual("no principal ARN".into());
    };
    if arn.resource.eq_ignore_ascii_case("root") {
        return Migration::Manual("access entries ignore the account root".into());
    }
    let path = &arn.resource[arn.resource_type().len()..];
    if crate::arn::starts_with_ignoring_case(arn.name(), "awsservicerolefor")
        || crate::arn::starts_with_ignoring_case(path, "/aws-service-role/")
    {
        return Migration::Manual("service-linked roles cannot have access entries".into());
    }
    if e.section == SectionKind::MapRoles {
        if username == identity::EC2_NODE_USERNAME && has(identity::SYSTEM_NODES) {
            let kind = if has(identity::EKS_KUBE_PROXY_WINDOWS) {
                "EC2_WINDOWS"
            } else {
                "EC2_LINUX"
            };
            return Migration::Entry { kind, policy: None };
        }
        if username == identity::SESSION_NODE_USERNAME {
            let kind = if has(identity::SYSTEM_NODE_PROXIER) {
                "FARGATE_LINUX"
            } else {
                "HYBRID_LINUX"
            };
            return Migration::Entry { kind, policy: None };
        }
    }
    if has(identity::SYSTEM_MASTERS) {
        return Migration::Entry {
            kind: "STANDARD",
            policy: Some("AmazonEKSClusterAdminPolicy"),
        };
    }
    if let Some(g) = e
        .groups
        .iter()
        .find(|g| g.value.starts_with(identity::SYSTEM_PREFIX))
    {
        return Migration::Manual(format!(
            "group `{}` cannot be an access entry's Kubernetes group",
            g.value
        ));
    }
    Migration::Entry {
        kind: "STANDARD",
        policy: None,
    }
}

/// Reports each mapping with its migration.
pub fn check(obj: &AwsAuth, out: &mut Vec<Diagnostic>) {
    if !obj.rejected.is_empty() {
        return;
    }
    for e in active_entries(obj) {
        let name = e.arn.as_ref().map_or_else(
            || {
                e.sso.as_ref().map_or_else(String::new, |s| {
                    format!("the sso matcher of `{}`", s.permission_set_name)
                })
            },
            |a| format!("`{}`", a.value),
        );
        if name.is_empty() {
            continue;
        }
        let span = e
            .arn
            .as_ref()
            .map_or_else(|| e.span.clone(), |a| a.span.clone());
        let (message, help) = match classify(e) {
            Migration::Entry {
                kind,
                policy: Some(p),
            } => (
                format!("{name} can move to an access entry of type `{kind}` with `{p}`"),
                "create the access entry, then remove this mapping".to_owned(),
            ),
            Migration::Entry { kind, policy: None } => (
                format!("{name} can move to an access entry of type `{kind}`"),
                "create the access entry, then remove this mapping".to_owned(),
            ),
            Migration::Manual(why) => (
                format!("{name} cannot move to an access entry as it is: {why}"),
                "rework this mapping before switching the cluster to the `API` authentication mode"
                    .to_owned(),
            ),
        };
        out.push(
            Diagnostic::new(&PREFER_ACCESS_ENTRIES, &obj.file, span, message)
                .label("aws-auth mapping")
                .help(help),
        );
    }
    for a in obj
        .accounts
        .iter()
        .filter(|a| a.stored && !a.value.is_empty())
    {
        out.push(
            Diagnostic::new(
                &PREFER_ACCESS_ENTRIES,
                &obj.file,
                a.span.clone(),
                format!("account `{}` cannot move to an access entry: `mapAccounts` has no equivalent", a.value),
            )
            .label("aws-auth mapping")
            .help("map the account's roles one by one before switching to the `API` authentication mode"),
        );
    }
}
