//! `awsauth diff`.

use std::process::ExitCode;

use anyhow::Result;

use super::args::{DiffArgs, DiffFormat};
use crate::config::Configs;
use crate::diff::render;
use crate::diff::settings::{self, FailOn, Judge, Request};
use crate::render::report;
use crate::render::stdout::{Out, emit, emit_styled};

/// Runs `awsauth diff`.
pub(super) fn run(args: &DiffArgs) -> Result<ExitCode> {
    let builtin = crate::rules::RULES;
    let now = Configs::new(args.config.choice(), &[], &[], builtin)?.global(&[])?;
    let request = Request {
        revs: &args.revs,
        paths: &args.paths,
        staged: args.staged,
        max_file_size: args.max_file_size,
        judge: Judge {
            now: &now,
            // the configuration as it is at BASE decides (`diff::settings`)
            at_base: (!args.config.no_config).then_some(args.config.config.as_deref()),
            no_index: args.no_index,
            builtin,
        },
    };
    let (report, revisions, versions) = settings::run(&request, report::unusable_diff_base)?;
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
