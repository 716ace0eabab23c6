//! The `awsauth` binary: parse arguments, run, map errors to exit code 2.
use std::process::ExitCode;

use clap::Parser;

#[allow(clippy::print_stderr)]
fn main() -> ExitCode {
    let cli = match awsauth::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match awsauth::cli::run(&cli) {
        Ok(code) => code,
        Err(e) => {
            // configuration errors are already shown, with their positions
            if !awsauth::cli::is_config_failure(&e) {
                eprintln!("error: {e:#}");
            }
            ExitCode::from(2)
        }
    }
}
