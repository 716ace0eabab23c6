//! `awsauth lint`.

use std::process::ExitCode;

use anyhow::Result;

use super::args::{LintArgs, LintFormat};
use super::{exit, report_failures, say};
use crate::lint::run::{self, Request};
use crate::render::location::Places;
use crate::render::stdout::{Out, deliver, deliver_styled};
use crate::render::{self, escape, gitlab, junit, sarif};

/// Says nothing (`--quiet`).
fn silent(_: &str) {}

/// Runs `awsauth lint`.
pub(super) fn run(args: &LintArgs) -> Result<ExitCode> {
    let quiet = args.output.quiet;
    let request = Request {
        inputs: args.input.resolved(),
        choice: args.config.choice(),
        select: &args.select,
        ignore: &args.ignore,
        new_only: args.new_only.then_some(args.base.as_deref()),
        baseline: args.baseline.as_deref(),
        write_baseline: args.write_baseline.as_deref(),
        fail_on: args.fail_on,
        count_hidden: matches!(args.format, LintFormat::Human) && !quiet,
    };
    let out = run::run(
        &request,
        if quiet { silent } else { say },
        render::report::base_notice,
    )?;
    report_failures(&out.errors, &out.crashes);
    if let (Some(n), Some(path)) = (out.written, &args.write_baseline) {
        let path = escape::text(&path.display().to_string()).into_owned();
        if !quiet {
            say(&format!("wrote {n} finding(s) to `{path}`"));
        }
        return Ok(exit(out.failed(), 0));
    }
    let (diagnostics, summary) = (&out.diagnostics, &out.summary);
    let to = args.output.output.as_deref();
    let places = Places::new();
    let (text, kind) = match args.format {
        LintFormat::Human => {
            let text = render::human::report(diagnostics, summary, true, quiet);
            deliver_styled(&text, args.color, to)?;
            return Ok(exit(out.failed(), u8::from(out.failing)));
        }
        LintFormat::Concise => (render::concise(diagnostics), Out::Text),
        LintFormat::Json => (render::json::render(diagnostics, summary), Out::Json),
        LintFormat::Github => (render::github(diagnostics, &places), Out::Annotations),
        LintFormat::Sarif => (sarif::render(diagnostics, &places), Out::Json),
        LintFormat::Gitlab => (gitlab::render(diagnostics, &places), Out::Json),
        LintFormat::Junit => (junit::render(diagnostics, &places), Out::Text),
    };
    deliver(&text, kind, to)?;
    Ok(exit(out.failed(), u8::from(out.failing)))
}
