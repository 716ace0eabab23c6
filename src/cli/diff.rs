//! `awsauth diff`.

use std::process::ExitCode;

use anyhow::Result;

use super::args::{DiffArgs, DiffFormat};
use crate::config::Configs;
use crate::config::at_commit::Started;
use crate::diff::settings::{FailOn, Judge, judge};
use crate::diff::{self, render};
use crate::render::report;
use crate::render::stdout::{Out, emit, emit_styled};

/// Runs `awsauth diff`.
pub(super) fn run(args: &DiffArgs) -> Result<ExitCode> {
    let builtin = crate::rules::RULES;
    let (revs, paths, no_index) = (&args.revs, &args.paths, args.no_index);
    // the configuration at BASE is read in the repository around the current directory: git
    // finds its top while the rest is read (one process less to wait for, not one less run)
    let finding = std::env::current_dir()
        .ok()
        .filter(|_| !no_index && !args.config.no_config)
        .map(|cwd| crate::git::Repo::start_discover(&cwd));
    let now = Configs::new(args.config.choice(), &[], &[], builtin)?.global(&[])?;
    let (mut versions, revisions, batch) =
        diff::input::read(revs, paths, args.staged, no_index, args.max_file_size)?;
    // the configuration as it is at BASE decides (`diff::settings`)
    let at_base = (!args.config.no_config).then_some(args.config.config.as_deref());
    let judge_by = Judge {
        now: &now,
        at_base,
        no_index,
        builtin,
    };
    let (facts, notes) = judge(
        &judge_by,
        &revisions,
        &mut versions,
        finding.map(|repo| Started { repo, batch }),
        report::unusable_diff_base,
    )?;
    let mut report = diff::compare_versions(&versions, &facts);
    report.notes = notes;
    report::crashes(&versions.crashed, crate::guard::REPORT);
    match args.format {
        DiffFormat::Human => emit_styled(&render::human(&report, &revisions, true), args.color)?,
        DiffFormat::Markdown => emit(&render::markdown(&report, &revisions), Out::Text)?,
        DiffFormat::Json => emit(&render::json(&report, &revisions), Out::Json)?,
        DiffFormat::Github => emit(&render::github(&report), Out::Annotations)?,
    }
    report::oversized(&versions.oversized);
    if !versions.crashed.is_empty() || !versions.oversized.is_empty() {
        return Ok(ExitCode::from(2));
    }
    let failing = FailOn::any(&args.fail_on, &report);
    Ok(ExitCode::from(u8::from(failing)))
}
