//! A whole `lint` run, as the command line resolved it ([`Request`]): the configurations of
//! the run, the inputs loaded ([`super::inputs`]), every file linted in parallel, the unused
//! allow entries of the configurations, `--new-only` ([`super::new_only`]), baselines written
//! and applied, and whether the findings fail the run. The caller says what it is handed.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Result;
use rayon::prelude::*;

use super::inputs::{self, Crash, Inputs, Loaded, Read};
use super::new_only;
use crate::config::file::FailOn;
use crate::config::{self, Base, BaseNotice, Choice, Configs, Settings};
use crate::diagnostic::{Diagnostic, Severity};
use crate::discover::InputError;
use crate::guard;
use crate::render::{Summary, escape};
use crate::rules::RULES;

/// A `lint` run.
pub struct Request<'a> {
    /// What is read.
    pub inputs: Inputs,
    /// Which configuration applies.
    pub choice: Choice<'a>,
    /// `--select`.
    pub select: &'a [String],
    /// `--ignore`.
    pub ignore: &'a [String],
    /// `--new-only`, with the `--base` revision if one is named.
    pub new_only: Option<Option<&'a str>>,
    /// `--baseline`.
    pub baseline: Option<&'a Path>,
    /// `--write-baseline`.
    pub write_baseline: Option<&'a Path>,
    /// `--fail-on` (else the configuration's, else warning).
    pub fail_on: Option<FailOn>,
    /// Whether the number of findings a baseline hides is said (the human format).
    pub count_hidden: bool,
}

/// What a run found.
pub struct Outcome {
    /// The findings to show, sorted.
    pub diagnostics: Vec<Diagnostic>,
    /// Their counts.
    pub summary: Summary,
    /// The inputs that could not be read.
    pub errors: Vec<InputError>,
    /// The files whose processing panicked.
    pub crashes: Vec<Crash>,
    /// With `--write-baseline`: the number of findings written (then nothing is shown).
    pub written: Option<usize>,
    /// Whether a finding is at or above the `fail-on` severity.
    pub failing: bool,
}

impl Outcome {
    /// Whether an input could not be read or panicked (exit 2).
    pub fn failed(&self) -> bool {
        !self.errors.is_empty() || !self.crashes.is_empty()
    }
}

/// The configurations of the run: at the `base` commit with `--new-only`.
fn configs(
    req: &Request<'_>,
    base: Option<&(crate::git::Repo, String)>,
    notices: fn(&BaseNotice<'_>),
) -> Result<Configs> {
    let (choice, select, ignore) = (req.choice, req.select, req.ignore);
    match base {
        Some((repo, commit)) => {
            let base = Base {
                repo,
                commit,
                notices,
            };
            Configs::at_commit(choice, select, ignore, RULES, &base)
        }
        None => Configs::new(choice, select, ignore, RULES),
    }
}

/// Runs `lint`: `say` says the warnings and notes of the run on standard error as they come,
/// `notices` what reading the configuration at the base commit has to tell.
pub fn run(req: &Request<'_>, say: fn(&str), notices: fn(&BaseNotice<'_>)) -> Result<Outcome> {
    // with `--new-only`, the configuration at the base decides (fail-on, rules, excludes)
    let base = match req.new_only {
        Some(rev) => new_only::base(rev)?,
        None => None,
    };
    let mut configs = configs(req, base.as_ref(), notices)?;
    let paths = &req.inputs.paths;
    let tracked = new_only::tracked(base.as_ref(), paths)?;
    let read = inputs::load_all(&req.inputs, &mut configs, &tracked)?;
    read.nothing_read("linted", &req.inputs)
        .iter()
        .for_each(|w| say(w));
    let Read {
        loads,
        skipped,
        errors,
        mut crashes,
        ..
    } = read;
    if let Some(id) = configs.unknown_selector() {
        let hint = config::selector_hint(id, RULES);
        anyhow::bail!("unknown rule or category `{}`; {hint}", escape::text(id));
    }
    let global = configs.global(paths)?;
    let roots = inputs::walked_roots(paths);
    // every path a directory read as a whole (not file names, as pre-commit passes)
    let whole = roots.len() == paths.len().max(1);
    let mut diagnostics = lint_all(&loads, &mut crashes, &configs.all(), &roots, whole);
    let mut written = None;
    if let Some(path) = req.write_baseline {
        written = Some(write_baseline(path, &diagnostics)?);
        diagnostics.clear();
    } else {
        if req.new_only.is_some() {
            let (known, at_base) =
                new_only::findings_at_base(&loads, base.as_ref(), req.inputs.max_file_size, whole)?;
            if let (Some((_, oid)), Some(read)) = (&base, configs.read_at_base()) {
                say(&new_only::note(oid, read));
            }
            crashes.extend(at_base);
            new_only::keep_new(&mut diagnostics, &loads, &known);
        }
        if let Some(path) = req.baseline {
            let hidden = apply_baseline(path, &mut diagnostics)?;
            if hidden > 0 && req.count_hidden {
                say(&format!(
                    "{hidden} finding(s) recorded in the baseline `{}` not shown",
                    escape::text(&path.display().to_string())
                ));
            }
        }
    }
    let configmaps = loads.iter().map(|l| l.load.objects.len()).sum();
    let mut summary = Summary::new(loads.len() + skipped, configmaps, &diagnostics);
    summary.access_declarations = loads
        .iter()
        .map(|l| {
            let a = &l.load.access;
            a.entries.len() + a.associations.len() + a.configs.len()
        })
        .sum();
    summary.unreadable = errors.len();
    summary.internal_errors = crashes.len();
    let fail_on = req.fail_on.or(global.fail_on).unwrap_or(FailOn::Warning);
    crate::par::drop_later(loads);
    Ok(Outcome {
        failing: failing(&diagnostics, fail_on),
        diagnostics,
        summary,
        errors,
        crashes,
        written,
    })
}

/// The findings of every loaded file (a panic is that file's internal error, added to
/// `crashes`) and the unused allow entries of `settings` under `roots`, sorted.
fn lint_all(
    loads: &[Loaded],
    crashes: &mut Vec<Crash>,
    settings: &[Arc<Settings>],
    roots: &[PathBuf],
    whole: bool,
) -> Vec<Diagnostic> {
    // the rules across a cluster's files, before each file's own
    let files = loads.iter().map(|l| (&l.load, &*l.settings));
    let (across, crash) = super::across_files(files, "(the rules across files)", whole);
    crashes.extend(crash);
    let linted: Vec<Result<Vec<Diagnostic>, Crash>> = loads
        .par_iter()
        .zip(across)
        .map(|(l, across)| {
            guard::catch(|| {
                guard::test_trigger("lint", &l.load.file.name);
                super::lint_file_with(&l.load, l.path.as_deref(), &l.settings, across)
            })
            .map_err(|panic| Crash {
                name: l.load.file.name.clone(),
                panic,
            })
        })
        .collect();
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    for r in linted {
        match r {
            Ok(d) => diagnostics.extend(d),
            Err(c) => crashes.push(c),
        }
    }
    diagnostics.extend(super::unused_allows(settings, roots));
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    diagnostics
}

/// The folder a baseline file's paths are relative to: its own.
fn baseline_dir(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Records `diagnostics` in the baseline file `path`; the number recorded.
fn write_baseline(path: &Path, diagnostics: &[Diagnostic]) -> Result<usize> {
    let b = crate::baseline::build(diagnostics, baseline_dir(path));
    let mut text = serde_json::to_string_pretty(&b)?;
    text.push('\n');
    crate::write::write_file(path, text.as_bytes()).map_err(|e| anyhow::anyhow!(e))?;
    Ok(b.findings.len())
}

/// Removes the findings recorded in the baseline file `path`; the number removed.
fn apply_baseline(path: &Path, diagnostics: &mut Vec<Diagnostic>) -> Result<usize> {
    let b = crate::baseline::read(path).map_err(|e| anyhow::anyhow!(e))?;
    Ok(crate::baseline::filter(diagnostics, &b, baseline_dir(path)))
}

/// Whether a finding is at or above the `fail_on` severity.
fn failing(diagnostics: &[Diagnostic], fail_on: FailOn) -> bool {
    let threshold = match fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    };
    threshold.is_some_and(|t| diagnostics.iter().any(|d| d.severity >= t))
}
