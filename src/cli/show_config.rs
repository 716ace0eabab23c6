//! `awsauth config [PATH]`: the configuration files that apply to PATH and the settings they
//! resolve to (`config::show` finds them as `lint` does).

use std::process::ExitCode;

use anyhow::Result;

use super::args::{ShowConfigArgs, ShowConfigFormat};
use crate::config::show;
use crate::render::escape;
use crate::render::stdout::{Out, emit};
use crate::rules::RULES;

/// Runs `awsauth config`.
pub(super) fn run(args: &ShowConfigArgs) -> Result<ExitCode> {
    let shown = show::show(args.config.choice(), &args.path, RULES)?;
    match args.format {
        ShowConfigFormat::Text => emit(&shown.text(), Out::Text)?,
        ShowConfigFormat::Json => emit(&escape::json(shown.json()), Out::Json)?,
    }
    Ok(ExitCode::SUCCESS)
}
