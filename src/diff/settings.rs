//! The configuration at BASE decides: a change may not vouch for itself. The accounts the
//! cluster trusts (`cluster.account-ids`) are those of the configuration at the base commit,
//! and a file is left out of the diff only when the configuration at the base leaves it out
//! too. A change that deletes `.awsauth.yaml` is judged by the one at BASE; only `--no-config`
//! looks for none. Each difference between the two is said in a note of the report. And what
//! fails a diff ([`FailOn`]).
//!
//! (Reading a configuration at a commit: `config::at_commit`.)

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::render::Revisions;
use super::{Change, Facts, Report, Risk, Versions};
use crate::config::at_commit::{self, AtBase, Leaf, Started};
use crate::config::{ConfigError, Settings};
use crate::registry::Rule;

/// The classes of change that fail a diff (exit 1; `--fail-on`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// More power for someone.
    Escalation,
    /// Nodes or people lose access.
    Lockout,
    /// Any other change of who gets what.
    AccessChange,
    /// Any semantic change.
    Any,
    /// Never exit 1 for changes.
    Never,
}

impl FailOn {
    /// Whether a change of `report` is of one of the classes of `list` (`never` among them:
    /// nothing fails).
    pub fn any(list: &[Self], report: &Report) -> bool {
        let fails = |c: &Change| {
            list.iter().any(|f| match f {
                Self::Any => true,
                Self::Never => false,
                Self::Escalation => c.risks.contains(&Risk::Escalation),
                Self::Lockout => c.risks.contains(&Risk::Lockout),
                Self::AccessChange => c.risks.contains(&Risk::AccessChange),
            })
        };
        !list.contains(&Self::Never) && report.changes.iter().any(fails)
    }
}

/// What a diff is judged with.
pub struct Judge<'a> {
    /// The configuration in force now (`--config`, else the current directory's).
    pub now: &'a Settings,
    /// Whether the configuration at the base commit is read (not with `--no-config`), and the
    /// file `--config` names.
    pub at_base: Option<Option<&'a Path>>,
    /// `--no-index`: two files, none left out.
    pub no_index: bool,
    /// The built-in rules (rule ids of the configuration at the base are checked against them).
    pub builtin: &'static [&'static Rule],
}

/// The facts the changes of `versions` are classified with and the notes of the report, the
/// files both configurations leave out taken out of `versions`; `unusable` says the errors of
/// a configuration at the base that cannot be used (with the file it starts from). The
/// configuration at the base is read with the git processes of `started` when there are
/// (see [`at_commit::load_with`]), else with its own.
pub fn judge(
    judge: &Judge<'_>,
    revisions: &Revisions,
    versions: &mut Versions,
    started: Option<Started>,
    unusable: fn(&[ConfigError], &str),
) -> Result<(Facts, Vec<String>)> {
    let cwd = std::env::current_dir().context("no current directory")?;
    let at_base = match (&revisions.base_commit, judge.at_base) {
        (Some(commit), Some(file)) => read_base(&cwd, commit, file, judge.builtin, started),
        _ => None,
    };
    if let Some(b) = at_base.as_ref().filter(|b| !b.errors.is_empty()) {
        unusable(&b.errors, b.leaf.as_deref().unwrap_or("?"));
    }
    apply(judge.now, at_base.as_ref(), versions, judge.no_index, &cwd)
}

/// The configuration at `commit` of the repository around `cwd`: the file `--config` names, or
/// the nearest one of the current directory; `None` in a bare repository. A base that git
/// cannot read the configuration of is an error of that configuration (then the diff is judged
/// with the defaults).
fn read_base(
    cwd: &Path,
    commit: &str,
    file: Option<&Path>,
    builtin: &'static [&'static Rule],
    started: Option<Started>,
) -> Option<AtBase> {
    let leaf = match file {
        Some(file) => Leaf::File(file),
        None => Leaf::Discover(Path::new(".")),
    };
    match started {
        Some(started) => at_commit::load_with(started, cwd, commit, leaf, builtin),
        None => at_commit::load(cwd, commit, leaf, builtin),
    }
    .unwrap_or_else(|e| {
        Some(AtBase {
            errors: vec![ConfigError {
                at: None,
                path: PathBuf::from(commit.chars().take(12).collect::<String>()),
                message: format!("cannot read the configuration: {e}"),
                help: None,
            }],
            leaf: Some(commit.chars().take(12).collect()),
            ..AtBase::default()
        })
    })
}

/// Applies the configuration at the base (`at_base`, when there is one) over the current one
/// (`now`): leaves out of `versions` the files both exclude (nothing with `no_index`), and
/// returns the facts the changes are classified with and the notes of the report.
fn apply(
    now: &Settings,
    at_base: Option<&AtBase>,
    versions: &mut Versions,
    no_index: bool,
    cwd: &Path,
) -> Result<(Facts, Vec<String>)> {
    let this = now.chain.first().map_or_else(
        || "the configuration".to_owned(),
        |p| format!("the configuration (`{}`)", p.display()),
    );
    let mut notes = Vec::new();
    // the base configuration's own findings are history: shown, and the diff goes on
    let base_ok = at_base.is_none_or(|b| b.errors.is_empty());
    if let Some(b) = at_base {
        notes.extend(b.notes.iter().cloned());
        if !b.errors.is_empty() {
            notes.push(format!(
                "the configuration at the base commit (`{}`) has errors (shown on standard error): changes are classified with the default configuration (nothing left out, no `cluster.account-ids`)",
                b.leaf.as_deref().unwrap_or("?")
            ));
        }
    }
    let excludes: Vec<String> = now.exclude.clone().unwrap_or_default();
    if let Some(b) = at_base.filter(|_| base_ok) {
        let before = b.settings.exclude.clone().unwrap_or_default();
        let added: Vec<&str> = excludes
            .iter()
            .filter(|g| !before.contains(g))
            .map(String::as_str)
            .collect();
        if !added.is_empty() {
            notes.push(format!(
                "{this} adds `exclude` globs ({}): not applied to the change that adds them",
                added.join(", ")
            ));
        }
    }
    if !excludes.is_empty() && !no_index {
        leave_out(now, &excludes, at_base, versions, cwd)?;
    }
    let mut facts = Facts {
        accounts: now.cluster.account_ids.clone(),
    };
    if let Some(b) = at_base {
        let at_base = b.settings.cluster.account_ids.clone();
        let mut now = facts.accounts.clone();
        now.sort();
        let mut then = at_base.clone();
        then.sort();
        if now != then {
            if base_ok {
                notes.push(format!(
                    "{this} changes `cluster.account-ids` ({} → {}): changes are classified with the accounts of the base",
                    if then.is_empty() { "none".to_owned() } else { then.join(", ") },
                    if now.is_empty() { "none".to_owned() } else { now.join(", ") }
                ));
            }
            facts.accounts = at_base;
        }
    }
    Ok((facts, notes))
}

/// Leaves out of `versions` the files the `excludes` of `now` leave out, and (with a base
/// commit) the configuration at the base too (an invalid glob there leaves nothing out).
fn leave_out(
    now: &Settings,
    excludes: &[String],
    at_base: Option<&AtBase>,
    versions: &mut Versions,
    cwd: &Path,
) -> Result<()> {
    let folder = |s: &Settings| {
        s.dir
            .as_ref()
            .map(|d| crate::paths::normalize(&cwd.join(d)))
            .map(|d| std::fs::canonicalize(&d).unwrap_or(d))
    };
    let Some(now) = crate::discover::Exclusions::new(excludes, folder(now).as_deref())
        .map_err(|e| anyhow::anyhow!(e))?
    else {
        return Ok(());
    };
    let then = at_base.map(|b| {
        crate::discover::Exclusions::new(
            b.settings.exclude.as_deref().unwrap_or_default(),
            folder(&b.settings).as_deref(),
        )
        .unwrap_or(None)
    });
    // (a bare repository has no top of a working tree: paths are taken from here; the top is
    // asked of git once, for the configuration at the base when it was read)
    let root = match at_base.and_then(|b| b.root.clone()) {
        Some(root) => root,
        None => crate::git::Repo::discover(cwd).map_or_else(|_| cwd.to_owned(), |r| r.root),
    };
    let root = std::fs::canonicalize(&root).unwrap_or(root);
    let excluded = |p: &str| {
        now.excludes(&root, p)
            && then
                .as_ref()
                .is_none_or(|t| t.as_ref().is_some_and(|t| t.excludes(&root, p)))
    };
    versions.old.retain(|l| !excluded(&l.file.name));
    versions.new.retain(|l| !excluded(&l.file.name));
    versions.context.retain(|l| !excluded(&l.file.name));
    versions.unreadable.retain(|(p, _)| !excluded(p));
    Ok(())
}

/// What `awsauth diff` was asked to compare.
pub struct Request<'a> {
    /// Revisions (`[BASE [HEAD]]`), or two files with `no_index`.
    pub revs: &'a [String],
    /// Only these paths.
    pub paths: &'a [String],
    /// HEAD (or BASE) against the index.
    pub staged: bool,
    /// Files over this size are not read.
    pub max_file_size: u64,
    /// What the changes are judged with.
    pub judge: Judge<'a>,
}

/// A whole comparison: both sides read, the configuration at BASE applied, the changes
/// classified. Returns the report, the revisions compared and the versions (for what could not
/// be read or crashed).
pub fn run(
    req: &Request<'_>,
    unusable: fn(&[ConfigError], &str),
) -> Result<(Report, Revisions, Versions)> {
    // the configuration at BASE is read in the repository around the current directory: git
    // finds its top while the rest is read (one process less to wait for, not one less run)
    let finding = std::env::current_dir()
        .ok()
        .filter(|_| !req.judge.no_index && req.judge.at_base.is_some())
        .map(|cwd| crate::git::Repo::start_discover(&cwd));
    let (mut versions, revisions, batch) = super::input::read(
        req.revs,
        req.paths,
        req.staged,
        req.judge.no_index,
        req.max_file_size,
    )?;
    let (facts, notes) = judge(
        &req.judge,
        &revisions,
        &mut versions,
        finding.map(|repo| Started { repo, batch }),
        unusable,
    )?;
    let mut report = super::compare_versions(&versions, &facts);
    report.notes = notes;
    Ok((report, revisions, versions))
}
