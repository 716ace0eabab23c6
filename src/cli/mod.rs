//! The command line: argument parsing ([`args`]: clap's declarations, of the commands too),
//! running a command (one module each), output and exit codes (0 clean, 1 findings, 2 usage,
//! I/O or internal error).
//!
//! Parsed arguments are resolved into the settings of the layers below (as ripgrep splits its
//! parsed arguments from its settings): configuration per directory (`config`), the lint input
//! pipeline and `--new-only` (`lint`), the configuration at BASE of a diff (`diff::settings`).
//! Nothing here decides what is read or found.

mod access;
mod args;
mod diff;
mod inspect;
mod lint;
mod migrate;
mod rules;
mod show_config;

use std::process::ExitCode;

use anyhow::Result;
use clap::CommandFactory;

pub use args::Cli;
use args::Command;

use crate::config::{self, Invalid};
use crate::discover::InputError;
use crate::lint::inputs::Crash;
use crate::render::stdout::{Out, emit};
use crate::render::{self, report};

/// A message on standard error (see [`render::say`]).
fn say(text: &str) {
    render::say(text, false);
}

/// Inputs that could not be read, and those whose processing panicked.
fn report_failures(errors: &[InputError], crashes: &[Crash]) {
    report::input_errors(errors);
    let crashes: Vec<_> = crashes.iter().map(Crash::shown).collect();
    report::crashes(&crashes, crate::guard::REPORT);
}

/// Exit 2 when an input could not be read or panicked, else `code`.
fn exit(failed: bool, code: u8) -> ExitCode {
    ExitCode::from(if failed { 2 } else { code })
}

/// Runs `awsauth init`: writes the starter configuration (over an existing file with `force`).
fn init(force: bool) -> Result<ExitCode> {
    let path = config::write_starter(force).map_err(|e| anyhow::anyhow!(e))?;
    let reads = "`awsauth lint` reads it from this directory and below";
    say(&format!("wrote `{}`; {reads}", path.display()));
    Ok(ExitCode::SUCCESS)
}

/// Runs the parsed command line.
pub fn run(cli: &Cli) -> Result<ExitCode> {
    let result = match &cli.command {
        Command::Lint(a) => lint::run(a),
        Command::Inspect(a) => inspect::run(a),
        Command::Rules(a) => rules::list(a),
        Command::Explain { rule } => rules::explain(rule),
        Command::Init { force } => init(*force),
        Command::Diff(a) => diff::run(a),
        Command::Schema => emit(&config::schema_json(), Out::Json).map(|()| ExitCode::SUCCESS),
        Command::Config(a) => show_config::run(a),
        Command::Completions { shell } => {
            let script = crate::manual::completions(Cli::command(), *shell, "awsauth");
            emit(&script, Out::Text).map(|()| ExitCode::SUCCESS)
        }
        Command::Man => {
            emit(&crate::manual::page(Cli::command()), Out::Text).map(|()| ExitCode::SUCCESS)
        }
        Command::Migrate(a) => migrate::run(a),
        Command::Access(a) => access::run(a),
    };
    // configuration errors are shown with their positions (`main` says the others)
    if let Err(Some(Invalid(errors))) = result.as_ref().map_err(|e| e.downcast_ref()) {
        report::invalid_config(errors);
    }
    result
}
