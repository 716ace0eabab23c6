//! The `awsauth` binary: parse arguments, run, map errors to exit code 2.
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = match awsauth::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if e.use_stderr() => {
            // a usage error quotes the arguments, which can be file names a hook runner passed
            // (`render::escape`): said through the same escaping as every other message
            awsauth::render::say(e.render().to_string().trim_end(), false);
            return ExitCode::from(2);
        }
        Err(e) => {
            // `--help`, `--version`
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
    };
    // a panic is an internal error (exit 2), said in one line; per-file work catches its own
    awsauth::guard::install_hook();
    match awsauth::guard::catch(|| awsauth::cli::run(&cli)) {
        Ok(Ok(code)) => code,
        Ok(Err(e)) => {
            // configuration errors are already shown, with their positions
            if !awsauth::cli::is_config_failure(&e) {
                // (file names and values in it made safe to print: `render::escape`)
                awsauth::render::say(&format!("error: {e:#}"), false);
            }
            ExitCode::from(2)
        }
        Err(panic) => {
            awsauth::render::say(
                &format!(
                    "error: internal error: {panic}\n  help: {}",
                    awsauth::guard::REPORT
                ),
                false,
            );
            ExitCode::from(2)
        }
    }
}
