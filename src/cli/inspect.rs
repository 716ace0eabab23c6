//! `awsauth inspect`.

use std::process::ExitCode;

use anyhow::Result;

use super::args::{InspectArgs, InspectFormat};
use super::{exit, report_failures, say};
use crate::config::Configs;
use crate::lint::inputs;
use crate::lint::inspect;
use crate::render::stdout::{Out, deliver};

/// Runs `awsauth inspect`.
pub(super) fn run(args: &InspectArgs) -> Result<ExitCode> {
    let inputs = args.input.resolved();
    let mut configs = Configs::new(args.config.choice(), &[], &[], crate::rules::RULES)?;
    let mut read = inputs::load_all(&inputs, &mut configs, &[])?;
    if !args.output.quiet {
        read.nothing_read("inspected", &inputs)
            .iter()
            .for_each(|w| say(w));
    }
    let (loads, crashes, errors) = (&read.loads, &mut read.crashes, &read.errors);
    let (out, kind) = match args.format {
        InspectFormat::Table => (inspect::tables(loads, crashes, errors.len()), Out::Text),
        InspectFormat::Json => (inspect::json(loads, crashes), Out::Json),
    };
    crate::par::drop_later(std::mem::take(&mut read.loads));
    report_failures(&read.errors, &read.crashes);
    deliver(&out, kind, args.output.output.as_deref())?;
    Ok(exit(!read.errors.is_empty() || !read.crashes.is_empty(), 0))
}
