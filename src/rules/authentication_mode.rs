//! `authentication-mode`: a cluster's authentication mode that keeps it on aws-auth, or is not
//! a mode.
//!
//! What one file declares is checked by [`check`] (from `rules::check_access`); what needs the
//! whole cluster across its files (access entries declared while the mode is `CONFIG_MAP`,
//! `API_AND_CONFIG_MAP` with no aws-auth left) by [`check_cluster`] (from
//! `rules::check_clusters`, over `model::cluster`).
use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::access_entries::{AccessConfig, AccessDecls, AuthMode, Tool};
use crate::model::cluster::Cluster;

declare_rule! {
    /// ## What it does
    /// Reports a cluster whose authentication mode is `CONFIG_MAP`, written or by default
    /// (CloudFormation and the Terraform AWS provider send none, and the EKS API's default is
    /// `CONFIG_MAP`), and a mode that is not one of `API`, `API_AND_CONFIG_MAP`, `CONFIG_MAP`
    /// (an error).
    ///
    /// Across the files of a cluster (see `awsauth inspect`): an access entry of a cluster whose
    /// mode is `CONFIG_MAP` (an error: EKS rejects creating it, `The cluster's authentication
    /// mode must be set to one of [API, API_AND_CONFIG_MAP]`), and, as info, a cluster in
    /// `API_AND_CONFIG_MAP` with access entries and no aws-auth mapping in the files read: the
    /// last step, `API`, not taken (check the cluster's own aws-auth first: node groups created
    /// before access entries were enabled are mapped there by EKS); and a cluster whose settings
    /// are declared twice with different modes.
    ///
    /// ## Why is this bad?
    /// In `CONFIG_MAP` mode the cluster reads the aws-auth `ConfigMap` only: access entries
    /// cannot be used, the cluster creator is an admin that nothing in the cluster shows, and
    /// aws-auth is deprecated (a single object whose mistakes lock everyone out). A value that
    /// is not a mode is rejected by EKS (the names are case-sensitive).
    ///
    /// Moving to `API_AND_CONFIG_MAP` keeps aws-auth working while access entries are added;
    /// it cannot be undone (nor can `API`), so move one step at a time.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: eksctl.io/v1alpha5
    /// kind: ClusterConfig
    /// metadata:
    ///   name: payments
    ///   region: eu-west-1
    /// accessConfig:
    ///   authenticationMode: CONFIG_MAP
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
    ///   authenticationMode: API_AND_CONFIG_MAP
    /// ```
    ///
    /// ## References
    /// - EKS user guide, "Change authentication mode to use access entries": the modes, and
    ///   that a mode that enables the EKS API cannot be turned back
    ///   (<https://docs.aws.amazon.com/eks/latest/userguide/setting-up-access-entries.html>)
    /// - EKS user guide, "Grant IAM users access to Kubernetes with EKS access entries"
    ///   (<https://docs.aws.amazon.com/eks/latest/userguide/grant-k8s-access.html>)
    /// - EKS API reference, `CreateAccessConfigRequest`: valid values and the default
    ///   (<https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateAccessConfigRequest.html>)
    pub AUTHENTICATION_MODE = "authentication-mode", category: Correctness, severity: Warning,
    summary: "a cluster reads only aws-auth (`CONFIG_MAP`), or its authentication mode is not a mode",
}

/// The mode's name in a tool.
fn field_name(tool: Tool) -> &'static str {
    match tool {
        Tool::Terraform | Tool::TerraformModule => "authentication_mode",
        Tool::Eksctl => "authenticationMode",
        Tool::CloudFormation => "AuthenticationMode",
    }
}

/// Whose default applies when the mode is not written.
fn default_source(tool: Tool) -> &'static str {
    match tool {
        Tool::Terraform => "the AWS provider sends none, and the EKS API's default is",
        Tool::TerraformModule => "the module's default is",
        Tool::Eksctl => "eksctl's default is",
        Tool::CloudFormation => "CloudFormation sends none, and the EKS API's default is",
    }
}

const MOVE: &str = "move to `API_AND_CONFIG_MAP` (one way: it cannot be turned back) and declare access as access entries";

/// A value not known from the repository (`${var.mode}`, `{{ .Values.mode }}`): an upper-case
/// word such as `ACCESS_ENTRIES` is a mistake here, not a documentation placeholder.
fn not_known(text: &str) -> bool {
    text.contains("${") || text.contains("{{") || text.contains('<')
}

/// Reports each cluster's mode that is `CONFIG_MAP` or not a mode.
pub fn check(decls: &AccessDecls, out: &mut Vec<Diagnostic>) {
    for c in &decls.configs {
        check_config(c, out);
    }
}

fn check_config(c: &AccessConfig, out: &mut Vec<Diagnostic>) {
    let name = field_name(c.origin.tool);
    match (&c.mode, c.mode()) {
        (Some(m), None) if !not_known(&m.value) => {
            let modes = [
                AuthMode::Api,
                AuthMode::ApiAndConfigMap,
                AuthMode::ConfigMap,
            ];
            let help = match modes
                .iter()
                .find(|x| x.as_str().eq_ignore_ascii_case(m.value.trim()))
            {
                Some(x) => format!("write `{}`: the modes are case-sensitive", x.as_str()),
                None => "write `API_AND_CONFIG_MAP` (or `API` once aws-auth is empty)".to_owned(),
            };
            out.push(
                Diagnostic::new(
                    &AUTHENTICATION_MODE,
                    &c.file,
                    m.span.clone(),
                    format!(
                        "`{}` is not an authentication mode; expected one of `API`, `API_AND_CONFIG_MAP`, `CONFIG_MAP`",
                        m.value
                    ),
                )
                .severity(Severity::Error)
                .label("not a mode")
                .help(help),
            );
        }
        (written, Some(AuthMode::ConfigMap)) => {
            let (span, what) = match written {
                Some(m) => (m.span.clone(), format!("`{name}` is `CONFIG_MAP`")),
                None => (
                    c.span.clone(),
                    format!(
                        "`{name}` is not written ({} `CONFIG_MAP`)",
                        default_source(c.origin.tool)
                    ),
                ),
            };
            out.push(
                Diagnostic::new(
                    &AUTHENTICATION_MODE,
                    &c.file,
                    span,
                    format!(
                        "{what}: the cluster reads only the deprecated aws-auth ConfigMap, and access entries cannot be used"
                    ),
                )
                .label("aws-auth only")
                .help(MOVE),
            );
        }
        _ => {}
    }
}

/// Reports what the cluster's mode makes of its access entries and aws-auth: entries a
/// `CONFIG_MAP` cluster rejects, and a `API_AND_CONFIG_MAP` cluster with nothing left in aws-auth.
pub fn check_cluster(c: &Cluster<'_>, out: &mut Vec<(usize, Diagnostic)>) {
    let Some(config) = c.config() else {
        return;
    };
    conflicting_modes(c, config, out);
    let at = |file: &crate::source::SourceFile, offset: usize| {
        let line = file.line_col(offset).line;
        if file.name == config.file.name {
            format!("line {line}")
        } else {
            format!("{}:{line}", file.name)
        }
    };
    let mode_at = config
        .mode
        .as_ref()
        .map_or(config.span.start, |m| m.span.start);
    match config.mode() {
        Some(AuthMode::ConfigMap) => {
            for (i, e) in &c.entries {
                if e.implicit.is_some() {
                    continue;
                }
                let span = e
                    .principal
                    .as_ref()
                    .map_or(e.span.clone(), |p| p.span.clone());
                let d = Diagnostic::new(
                    &AUTHENTICATION_MODE,
                    &e.file,
                    span,
                    format!(
                        "an access entry of a cluster whose authentication mode is `CONFIG_MAP` ({}): EKS rejects creating it",
                        at(&config.file, mode_at)
                    ),
                )
                .severity(Severity::Error)
                .label("not read in `CONFIG_MAP` mode")
                .help(MOVE);
                out.push((*i, d));
            }
        }
        Some(AuthMode::ApiAndConfigMap) if c.aws_auth.is_empty() && !c.entries.is_empty() => {
            let (i, _) = c.configs[0];
            let span = config
                .mode
                .as_ref()
                .map_or(config.span.clone(), |m| m.span.clone());
            let d = Diagnostic::new(
                &AUTHENTICATION_MODE,
                &config.file,
                span,
                "the cluster has access entries and no aws-auth mapping in the files read: the last step, `API`, is not taken",
            )
            .severity(Severity::Info)
            .label("aws-auth still read")
            .note("EKS maps the node roles of node groups created before access entries were enabled in the cluster's own aws-auth: check it is empty first")
            .help("switch to `API` (one way) once the cluster's aws-auth holds nothing");
            out.push((i, d));
        }
        _ => {}
    }
}

/// Reports the settings of a cluster declared again with another mode (two tools, or two copies,
/// naming the same cluster): which one the cluster has is not the repository's to say, and
/// `inspect` and the other rules take the first.
fn conflicting_modes(c: &Cluster<'_>, first: &AccessConfig, out: &mut Vec<(usize, Diagnostic)>) {
    let Some(mode) = first.mode() else {
        return;
    };
    for (i, other) in c.configs.iter().skip(1) {
        let Some(m) = other.mode().filter(|m| *m != mode) else {
            continue;
        };
        let line = first
            .file
            .line_col(
                first
                    .mode
                    .as_ref()
                    .map_or(first.span.start, |f| f.span.start),
            )
            .line;
        let span = other
            .mode
            .as_ref()
            .map_or(other.span.clone(), |f| f.span.clone());
        let d = Diagnostic::new(
            &AUTHENTICATION_MODE,
            &other.file,
            span,
            format!(
                "the cluster's authentication mode is `{}` here and `{}` at {}:{line}",
                m.as_str(),
                mode.as_str(),
                first.file.name
            ),
        )
        .label("declared again, differently")
        .note("`inspect` and the rules across the cluster's files take the first")
        .help("declare the cluster's access settings once, or give the copies different cluster names");
        out.push((*i, d));
    }
}
