//! `migrate`: an offline plan from aws-auth to EKS access entries, with a proof that it grants
//! what aws-auth granted.
//!
//! It starts from the *effective* view of one aws-auth source (`model::access::mappings`: after
//! lost sections, dropped entries and last-wins, with the lookup's semantics), one principal at
//! a time:
//!
//! - [`classify`]: what each mapping becomes (an access entry type, username, Kubernetes groups
//!   and access policies; EKS-managed entries kept; blockers with why and what to do);
//! - [`paths`]: the real role ARNs access entries need (aws-auth strips role paths);
//! - [`plan`]: the phases, in the order that never locks anyone out, each checked for the nodes
//!   and a cluster-admin path, and the aws-auth that remains;
//! - [`proof`]: what each principal gets through the plan against what aws-auth gave it;
//! - [`render`]: the table and the JSON contract (version 1).
//!
//! Facts and sources: `DOMAIN.md` §1.5–1.11 (what the authenticator loads), §3.2–3.3 and §9.2
//! (access entries), §9.3 (Identity Center roles).

pub mod classify;
pub mod iac;
pub mod paths;
pub mod plan;
pub mod proof;
pub mod render;

use serde::Serialize;

use crate::model::access::mappings;
use crate::model::effective::lost_mappings;
use crate::model::{AwsAuth, SourceKind};

/// How the plan is made: the command line's choices.
#[derive(Debug, Default)]
pub struct Options {
    /// The cluster's name (`--cluster`).
    pub cluster: String,
    /// `--partition`; else inferred from the ARNs.
    pub partition: Option<String>,
    /// `--account-id`: the cluster's account; else the node roles'.
    pub account_id: Option<String>,
    /// `--iam-roles`: the real role ARNs.
    pub iam_roles: Option<paths::IamRoles>,
    /// `--self-managed-node-role`: node roles (names or ARNs) no managed node group uses.
    pub self_managed: Vec<String>,
}

impl Options {
    /// The options of a run: `iam_roles`, the file `--iam-roles` names, is read here.
    pub fn new(
        cluster: String,
        partition: Option<String>,
        account_id: Option<String>,
        iam_roles: Option<&std::path::Path>,
        self_managed: Vec<String>,
    ) -> Result<Self, String> {
        Ok(Self {
            cluster,
            partition,
            account_id,
            iam_roles: iam_roles.map(paths::IamRoles::read).transpose()?,
            self_managed,
        })
    }
}

/// A value and where it came from (`flag`, `arns`, `node-roles`, `default`, `unknown`).
#[derive(Debug, Clone, Serialize)]
pub struct Sourced {
    /// The value (`None`: unknown).
    pub value: Option<String>,
    /// Where it came from.
    pub source: &'static str,
    /// Why, when it could not be settled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A position in a file.
#[derive(Debug, Clone, Serialize)]
pub struct Position {
    /// The file, as shown.
    pub file: String,
    /// 1-based line.
    pub line: usize,
}

/// The whole plan: settings, principals, phases, proof.
#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Plan {
    /// The JSON contract's version.
    pub version: u32,
    /// The cluster.
    pub cluster: String,
    /// The partition policy ARNs use.
    pub partition: Sourced,
    /// The cluster's account.
    pub account: Sourced,
    /// The aws-auth source planned from.
    pub source: Position,
    /// What to fix before migrating: sections the authenticator loses.
    pub warnings: Vec<String>,
    /// Every effective principal, classified, in the authenticator's key order.
    pub principals: Vec<classify::Item>,
    /// Written entries that grant nothing today (lost, dropped, never applied).
    pub not_loaded: Vec<classify::Inert>,
    /// The phases.
    pub phases: Vec<plan::Phase>,
    /// The aws-auth that remains after phase 4.
    pub remaining_aws_auth: plan::Remaining,
    /// The comparison, principal by principal.
    pub proof: proof::Proof,
}

impl Plan {
    /// 0 when the plan grants exactly what aws-auth grants, 1 when the proof lists a
    /// difference.
    pub fn exit_code(&self) -> u8 {
        u8::from(!self.proof.equivalent)
    }
}

/// The one aws-auth source to plan from among `objects`: the authenticator reads exactly one
/// `kube-system/aws-auth`, so several (or none) is an error, as is one the API server rejects.
pub fn pick_source<'a>(objects: &[&'a AwsAuth]) -> Result<&'a AwsAuth, String> {
    let read: Vec<&AwsAuth> = objects
        .iter()
        .copied()
        .filter(|o| o.is_read_by_authenticator() && o.kind != SourceKind::IamIdentityMapping)
        .collect();
    let at = |o: &AwsAuth| format!("`{}:{}`", o.file.name, o.file.line_col(o.span.start).line);
    match read.as_slice() {
        [] => {
            let unread: Vec<String> = objects
                .iter()
                .filter_map(|o| Some(format!("{} ({})", at(o), o.not_read_because()?)))
                .collect();
            let mut why = "no aws-auth source found (a `kube-system/aws-auth` ConfigMap, an \
                           eksctl `iamIdentityMappings`, a Cluster API `iamAuthenticatorConfig` \
                           or a `mapRoles`/`mapUsers` fragment)"
                .to_owned();
            if !unread.is_empty() {
                why.push_str(&format!("; not read: {}", unread.join(", ")));
            }
            if let Some(crd) = objects
                .iter()
                .find(|o| o.kind == SourceKind::IamIdentityMapping)
            {
                why.push_str(&format!(
                    "; {} is an `IAMIdentityMapping`, read by a self-managed aws-iam-authenticator's `CRD` backend, not by EKS, so it has no access entries to move to",
                    at(crd)
                ));
            }
            Err(why)
        }
        [one] if !one.rejected.is_empty() => Err(format!(
            "the API server rejects the aws-auth at {}: a data value is not a string; fix it first (`awsauth lint`)",
            at(one)
        )),
        [one] => Ok(one),
        several => Err(format!(
            "{} aws-auth sources found ({}); a cluster has one: name its file",
            several.len(),
            several.iter().map(|o| at(o)).collect::<Vec<_>>().join(", ")
        )),
    }
}

/// Plans the migration of the one aws-auth source among `objects` ([`pick_source`], [`plan`]);
/// `Err` on a bad `--account-id` too.
pub fn plan_from(objects: &[&AwsAuth], opts: &Options) -> Result<Plan, String> {
    if let Some(a) = &opts.account_id
        && !crate::arn::is_account_id(a)
    {
        return Err(format!(
            "`--account-id {a}` is not an account id (12 digits)"
        ));
    }
    plan(pick_source(objects)?, opts)
}

/// Plans the migration of `obj` (see the module docs); `Err` when the partition cannot be
/// settled.
pub fn plan(obj: &AwsAuth, opts: &Options) -> Result<Plan, String> {
    let by_principal = mappings(obj);
    let partition = classify::partition(&by_principal, opts.partition.as_deref())?;
    let account = classify::cluster_account(&by_principal, opts.account_id.as_deref());
    let ctx = classify::Context {
        partition: partition.value.clone().unwrap_or_else(|| "aws".to_owned()),
        account: account.value.clone(),
        roles: opts.iam_roles.as_ref(),
        self_managed: &opts.self_managed,
    };
    let (principals, not_loaded) = classify::classify_all(obj, &by_principal, &ctx);
    let proof = proof::prove(&principals);
    let remaining = plan::remaining(obj, &principals);
    let phases = plan::phases(&opts.cluster, &principals, &remaining);
    Ok(Plan {
        version: 1,
        cluster: opts.cluster.clone(),
        partition,
        account,
        source: Position {
            file: obj.file.name.clone(),
            line: obj.file.line_col(obj.span.start).line,
        },
        warnings: lost_sections(obj),
        principals,
        not_loaded,
        phases,
        remaining_aws_auth: remaining,
        proof,
    })
}

/// The sections the authenticator loses: their mappings grant nothing today, so the plan does
/// not migrate them (that would grant access), and says so first.
fn lost_sections(obj: &AwsAuth) -> Vec<String> {
    obj.sections
        .iter()
        .filter_map(|s| {
            let why = s.why_lost(&obj.file)?;
            let (count, nodes) = lost_mappings(obj, s.kind);
            let nodes = if nodes.is_empty() {
                String::new()
            } else {
                format!(", {} of them node roles,", nodes.len())
            };
            Some(format!(
                "`{}` fails to load ({why}): its {count} mapping(s){nodes} grant nothing today and \
                 are not migrated; fix it (`awsauth lint`) and plan again",
                s.kind.key()
            ))
        })
        .collect()
}
