//! `awsauth config [PATH]`: which configuration files apply to a path and the settings they
//! resolve to, as ruff's `--show-settings` does. The files are found and resolved by the same
//! [`Configs`] as `lint` (nearest file of the directory, its `extends` chain, `--config`,
//! `--no-config`), so what this shows is what `lint PATH` applies.
//!
//! Nothing here prints: the caller writes [`Shown::text`] or [`Shown::json`].

use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, Result};
use serde::Serialize;

use super::file::{FailOn, Profile};
use super::{Choice, Configs, Matcher, Selector, Settings};
use crate::paths::{normalize, relative_from};
use crate::registry::Rule;

/// The files walked when the configuration names no `include`.
use super::DEFAULT_INCLUDE;

/// What applies to a path, keys named as in the configuration file.
#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Shown {
    /// The JSON contract's version.
    version: u32,
    /// The path, as given.
    path: String,
    /// How the files were chosen: `nearest`, `--config` or `--no-config`.
    source: &'static str,
    /// The configuration files, nearest first (each one extends the next); empty: the defaults.
    files: Vec<String>,
    /// `fail-on`, `include` and `exclude` concern a run as a whole: the files they come from when
    /// these are not `files` (`lint PATH` run from here takes them from the current directory's
    /// configuration).
    #[serde(skip_serializing_if = "Option::is_none")]
    run_files: Option<Vec<String>>,
    fail_on: &'static str,
    include: Vec<String>,
    exclude: Vec<String>,
    select: Option<Vec<String>>,
    ignore: Vec<String>,
    per_file_ignores: Vec<ShownIgnore>,
    cluster: ShownCluster,
    /// The rules and policies that run, with their severity and allow list.
    rules: Vec<ShownRule>,
    /// The rules and policies that do not.
    not_selected: Vec<&'static str>,
    policies: Vec<ShownPolicy>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
struct ShownIgnore {
    pattern: String,
    /// The directory the pattern is relative to.
    base: String,
    ignore: Vec<String>,
    /// Whether the pattern matches PATH (only when PATH is a file).
    #[serde(skip_serializing_if = "Option::is_none")]
    matches: Option<bool>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
struct ShownCluster {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    account_ids: Vec<String>,
    partition: Option<String>,
    node_roles: Vec<String>,
    windows_node_roles: Vec<String>,
    fargate_roles: Vec<String>,
    break_glass_roles: Vec<String>,
    authenticator: &'static str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
struct ShownRule {
    id: &'static str,
    category: &'static str,
    severity: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    allow: Vec<ShownAllow>,
}

#[derive(Debug, Serialize)]
struct ShownAllow {
    arn: String,
    reason: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
struct ShownPolicy {
    id: &'static str,
    severity: &'static str,
    selected: bool,
    message: Option<String>,
    when: Option<String>,
    require: Option<String>,
    forbid: Option<String>,
}

/// What applies to `path` (a file or a directory) under `choice`; rule ids are checked against
/// the built-in rules `builtin`. Errors: `path` cannot be read; a configuration is invalid
/// ([`super::Invalid`], shown by the caller).
pub fn show(choice: Choice<'_>, path: &Path, builtin: &'static [&'static Rule]) -> Result<Shown> {
    let meta =
        std::fs::metadata(path).with_context(|| format!("cannot read `{}`", path.display()))?;
    let dir = match path.parent() {
        _ if meta.is_dir() => path.to_owned(),
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    let mut configs = Configs::new(choice, &[], &[], builtin)?;
    let settings = configs.for_dir(&dir)?;
    let run = configs.global(&[path.to_string_lossy().into_owned()])?;
    let cwd = std::env::current_dir().context("no current directory")?;
    let shown_path = |p: &Path| shown(p, &cwd);
    let files: Vec<String> = settings.chain.iter().map(|p| shown_path(p)).collect();
    let run_files: Vec<String> = run.chain.iter().map(|p| shown_path(p)).collect();
    let (rules, not_selected) = rules(&settings);
    let file = (!meta.is_dir()).then_some(path);
    Ok(Shown {
        version: 1,
        path: path.to_string_lossy().into_owned(),
        source: match choice {
            Choice::Defaults => "--no-config",
            Choice::File(_) => "--config",
            Choice::Nearest => "nearest",
        },
        run_files: (run_files != files).then_some(run_files),
        files,
        fail_on: fail_on(run.fail_on.unwrap_or(FailOn::Warning)),
        include: run
            .include
            .clone()
            .unwrap_or_else(|| DEFAULT_INCLUDE.iter().map(|s| (*s).to_owned()).collect()),
        exclude: run.exclude.clone().unwrap_or_default(),
        select: settings
            .select
            .as_ref()
            .map(|s| s.iter().map(selector).collect()),
        ignore: settings.ignore.iter().map(selector).collect(),
        per_file_ignores: settings
            .per_file_ignores
            .iter()
            .map(|p| ShownIgnore {
                pattern: p.pattern.clone(),
                base: shown_path(&p.base),
                ignore: p.selectors.iter().map(selector).collect(),
                matches: file.map(|f| p.matcher.is_match(crate::paths::relative(f, &p.base))),
            })
            .collect(),
        cluster: cluster(&settings),
        rules,
        not_selected,
        policies: policies(&settings),
    })
}

/// A path as shown: relative to the current directory (`../x` above it), absolute when the two
/// share nothing but the root (`../../../etc/x` says less than `/etc/x`).
fn shown(path: &Path, cwd: &Path) -> String {
    let rel = relative_from(path, cwd);
    let ups = rel
        .components()
        .take_while(|c| matches!(c, Component::ParentDir))
        .count();
    let depth = cwd.components().count().saturating_sub(1);
    if ups > 0 && ups >= depth {
        let abs = std::fs::canonicalize(path).unwrap_or_else(|_| normalize(&cwd.join(path)));
        return abs.to_string_lossy().into_owned();
    }
    rel.to_string_lossy().into_owned()
}

fn fail_on(f: FailOn) -> &'static str {
    match f {
        FailOn::Error => "error",
        FailOn::Warning => "warning",
        FailOn::Info => "info",
        FailOn::Never => "never",
    }
}

fn selector(s: &Selector) -> String {
    match s {
        Selector::All => "all".to_owned(),
        Selector::Category(c) => c.as_str().to_owned(),
        Selector::Rule(r) => r.clone(),
    }
}

/// The severity `rule` reports at under `settings`.
fn severity(settings: &Settings, rule: &Rule) -> &'static str {
    settings.severity(rule).unwrap_or(rule.severity).as_str()
}

/// The built-in rules and policies that run (sorted by id), and those that do not.
fn rules(settings: &Settings) -> (Vec<ShownRule>, Vec<&'static str>) {
    let mut all: Vec<&'static Rule> = settings.builtin.to_vec();
    all.extend(settings.policies.iter().map(|p| p.rule));
    all.sort_by_key(|r| r.name);
    let (on, off): (Vec<_>, Vec<_>) = all.into_iter().partition(|r| settings.enabled(r));
    let on = on
        .into_iter()
        .map(|r| ShownRule {
            id: r.name,
            category: r.category.as_str(),
            severity: severity(settings, r),
            allow: settings
                .allow(r.name)
                .iter()
                .map(|a| ShownAllow {
                    arn: a.pattern.clone(),
                    reason: a.reason.clone(),
                })
                .collect(),
        })
        .collect();
    (on, off.into_iter().map(|r| r.name).collect())
}

fn cluster(settings: &Settings) -> ShownCluster {
    let c = &settings.cluster;
    ShownCluster {
        name: c.name.clone(),
        account_ids: c.account_ids.clone(),
        partition: c.partition.clone(),
        node_roles: c.node_roles.clone(),
        windows_node_roles: c.windows_node_roles.clone(),
        fargate_roles: c.fargate_roles.clone(),
        break_glass_roles: c.break_glass_patterns.clone(),
        authenticator: match c.profile {
            Profile::Master => "master",
            Profile::V05 => "0.5",
        },
    }
}

fn policies(settings: &Settings) -> Vec<ShownPolicy> {
    let described = |m: &Matcher| (!m.description.is_empty()).then(|| m.description.clone());
    settings
        .policies
        .iter()
        .map(|p| ShownPolicy {
            id: p.rule.name,
            severity: severity(settings, p.rule),
            selected: settings.enabled(p.rule),
            message: p.message.clone(),
            when: described(&p.when),
            require: p.require.as_ref().and_then(described),
            forbid: p.forbid.as_ref().and_then(described),
        })
        .collect()
}

impl Shown {
    /// The JSON document (not yet escaped for a terminal: the caller's renderer does that).
    pub fn json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// The text: the files, then one setting a line.
    pub fn text(&self) -> String {
        let mut out = String::new();
        let files = match (self.source, self.files.is_empty()) {
            ("--no-config", _) => "none (--no-config): the defaults".to_owned(),
            (_, true) => "none found: the defaults".to_owned(),
            (source, false) => {
                let order = if source == "--config" {
                    "the --config file, then what it extends"
                } else {
                    "nearest first, each extending the next"
                };
                format!("{order}\n  {}", self.files.join("\n  "))
            }
        };
        let _ = writeln!(out, "configuration files for `{}`: {files}", self.path);
        if let Some(run) = &self.run_files {
            let from = if run.is_empty() {
                "the defaults".to_owned()
            } else {
                run.join(", ")
            };
            let _ = writeln!(
                out,
                "fail-on, include and exclude of a run from here: {from}"
            );
        }
        let list = |l: &[String]| {
            if l.is_empty() {
                "-".to_owned()
            } else {
                l.join(", ")
            }
        };
        let _ = writeln!(out, "fail-on: {}", self.fail_on);
        let _ = writeln!(out, "include: {}", list(&self.include));
        let _ = writeln!(out, "exclude: {}", list(&self.exclude));
        let select = self
            .select
            .as_deref()
            .map_or_else(|| "(default)".to_owned(), list);
        let _ = writeln!(out, "select: {select}");
        let _ = writeln!(out, "ignore: {}", list(&self.ignore));
        self.text_per_file_ignores(&mut out);
        self.cluster.text(&mut out);
        let width = self.rules.iter().map(|r| r.id.len()).max().unwrap_or(0);
        let _ = writeln!(out, "rules ({} selected):", self.rules.len());
        for r in &self.rules {
            let _ = writeln!(out, "  {:width$}  {:8} {}", r.id, r.severity, r.category);
            for a in &r.allow {
                let _ = writeln!(out, "    allow {} ({})", a.arn, a.reason);
            }
        }
        let _ = writeln!(out, "not selected: {}", self.not_selected.join(", "));
        self.text_policies(&mut out);
        out
    }

    fn text_per_file_ignores(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "per-file-ignores:{}",
            if self.per_file_ignores.is_empty() {
                " -"
            } else {
                ""
            }
        );
        for p in &self.per_file_ignores {
            let matches = match p.matches {
                Some(true) => " (matches this file)",
                Some(false) => " (does not match this file)",
                None => "",
            };
            let (pattern, base, ignore) = (&p.pattern, &p.base, p.ignore.join(", "));
            let _ = writeln!(out, "  {pattern} (in {base}): {ignore}{matches}");
        }
    }

    fn text_policies(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "policies:{}",
            if self.policies.is_empty() { " -" } else { "" }
        );
        for p in &self.policies {
            let off = if p.selected { "" } else { ", not selected" };
            let message = p
                .message
                .as_deref()
                .map(|m| format!(": {m}"))
                .unwrap_or_default();
            let _ = writeln!(out, "  {} ({}{off}){message}", p.id, p.severity);
            for (key, m) in [
                ("when", &p.when),
                ("require", &p.require),
                ("forbid", &p.forbid),
            ] {
                if let Some(m) = m {
                    let _ = writeln!(out, "    {key} {m}");
                }
            }
        }
    }
}

impl ShownCluster {
    fn text(&self, out: &mut String) {
        let list = |l: &[String]| {
            if l.is_empty() {
                "-".to_owned()
            } else {
                l.join(", ")
            }
        };
        let _ = writeln!(out, "cluster:");
        if let Some(name) = &self.name {
            let _ = writeln!(out, "  name: {name}");
        }
        let _ = writeln!(out, "  account-ids: {}", list(&self.account_ids));
        let _ = writeln!(
            out,
            "  partition: {}",
            self.partition.as_deref().unwrap_or("-")
        );
        let _ = writeln!(out, "  node-roles: {}", list(&self.node_roles));
        let _ = writeln!(
            out,
            "  windows-node-roles: {}",
            list(&self.windows_node_roles)
        );
        let _ = writeln!(out, "  fargate-roles: {}", list(&self.fargate_roles));
        let _ = writeln!(
            out,
            "  break-glass-roles: {}",
            list(&self.break_glass_roles)
        );
        let _ = writeln!(out, "  authenticator: {}", self.authenticator);
    }
}
