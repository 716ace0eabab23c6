//! `awsauth lint`.

use std::process::ExitCode;

use anyhow::Result;

use super::args::{LintArgs, LintFormat};
use super::{exit, report_failures, say};
use crate::lint::run::{self, Request};
use crate::render::stdout::{Out, emit, emit_styled};
use crate::render::{self, escape};

/// Runs `awsauth lint`.
pub(super) fn run(args: &LintArgs) -> Result<ExitCode> {
    let request = Request {
        inputs: args.input.resolved(),
        choice: args.config.choice(),
        select: &args.select,
        ignore: &args.ignore,
        new_only: args.new_only.then_some(args.base.as_deref()),
        baseline: args.baseline.as_deref(),
        write_baseline: args.write_baseline.as_deref(),
        fail_on: args.fail_on,
        count_hidden: matches!(args.format, LintFormat::Human),
    };
    let out = run::run(&request, say, render::report::base_notice)?;
    report_failures(&out.errors, &out.crashes);
    if let (Some(n), Some(path)) = (out.written, &args.write_baseline) {
        let path = escape::text(&path.display().to_string()).into_owned();
        say(&format!("wrote {n} finding(s) to `{path}`"));
        return Ok(exit(out.failed(), 0));
    }
    let (diagnostics, summary) = (&out.diagnostics, &out.summary);
    match args.format {
        LintFormat::Human => emit_styled(
            &render::human::render(diagnostics, summary, true),
            args.color,
        )?,
        LintFormat::Concise => emit(&render::concise(diagnostics), Out::Text)?,
        LintFormat::Json => emit(&render::json::render(diagnostics, summary), Out::Json)?,
        LintFormat::Github => emit(&render::github(diagnostics), Out::Annotations)?,
    }
    Ok(exit(out.failed(), u8::from(out.failing)))
}
