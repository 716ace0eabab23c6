//! The `awsauth` binary: parse arguments, run, map errors to exit code 2.
use std::process::ExitCode;

use awsauth::{cli, guard, render::say};
use clap::Parser;

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if e.use_stderr() => {
            // a usage error quotes the arguments, which can be file names a hook runner passed
            // (`render::escape`): said through the same escaping as every other message
            say(e.render().to_string().trim_end(), false);
            return ExitCode::from(2);
        }
        Err(e) => {
            // `--help`, `--version`
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
    };
    // a panic is an internal error (exit 2), said in one line; per-file work catches its own
    guard::install_hook();
    match guard::catch(|| cli::run(&cli)) {
        Ok(Ok(code)) => code,
        // configuration errors are already shown, with their positions
        Ok(Err(e)) if e.is::<awsauth::config::Invalid>() => ExitCode::from(2),
        Ok(Err(e)) => {
            // (file names and values in it made safe to print: `render::escape`)
            say(&format!("error: {e:#}"), false);
            ExitCode::from(2)
        }
        Err(panic) => {
            let message = format!("error: internal error: {panic}\n  help: {}", guard::REPORT);
            say(&message, false);
            ExitCode::from(2)
        }
    }
}
