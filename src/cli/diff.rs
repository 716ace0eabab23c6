//! `awsauth diff`.

use std::process::ExitCode;

use anyhow::Result;

use super::args::{DiffArgs, DiffFormat};
use crate::config::Configs;
use crate::diff::render::{self, Readers};
use crate::diff::settings::{self, FailOn, Judge, Request};
use crate::render::location::Places;
use crate::render::report;
use crate::render::stdout::{Out, deliver, deliver_styled};

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
    let (mut report, revisions, versions) = settings::run(&request, report::unusable_diff_base)?;
    report::crashes(&versions.crashed, crate::guard::REPORT);
    // files come named from the repository root (as given with `--no-index`)
    let readers = match args.format {
        DiffFormat::Human | DiffFormat::Concise => Readers::People,
        DiffFormat::Github | DiffFormat::Sarif => Readers::Machines,
        DiffFormat::Json | DiffFormat::Markdown => Readers::Contract,
    };
    let places = Places::new();
    render::place(&mut report, readers, args.no_index, &places);
    let (quiet, to) = (args.output.quiet, args.output.output.as_deref());
    let (text, kind) = match args.format {
        DiffFormat::Human => {
            let text = render::human_for(&report, &revisions, true, quiet);
            deliver_styled(&text, args.color, to)?;
            (None, Out::Text)
        }
        DiffFormat::Concise => (Some(render::concise(&report)), Out::Text),
        DiffFormat::Markdown => (Some(render::markdown(&report, &revisions)), Out::Text),
        DiffFormat::Json => (Some(render::json(&report, &revisions)), Out::Json),
        DiffFormat::Github => (Some(render::github(&report)), Out::Annotations),
        DiffFormat::Sarif => (
            Some(render::sarif(&report, places.machine_base())),
            Out::Json,
        ),
    };
    if let Some(text) = text {
        deliver(&text, kind, to)?;
    }
    report::not_read(&versions.not_read);
    if !versions.crashed.is_empty() || !versions.not_read.is_empty() {
        return Ok(ExitCode::from(2));
    }
    let failing = FailOn::any(&args.fail_on, &report);
    Ok(ExitCode::from(u8::from(failing)))
}
