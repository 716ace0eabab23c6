//! `awsauth access`.

use super::{exit, report_failures, say};
use crate::reach::{self, Query};

/// Runs `awsauth access`.
pub(super) fn run(args: &super::args::AccessArgs) -> anyhow::Result<std::process::ExitCode> {
    let (can, ns, name) = (
        args.can.as_deref(),
        args.namespace.as_deref(),
        args.name.as_deref(),
    );
    let query = Query::new(can, ns, name, args.principal.as_deref()).map_err(anyhow::Error::msg)?;
    let inputs = args.input.resolved();
    let rules = crate::rules::RULES;
    let mut configs = crate::config::Configs::new(args.config.choice(), &[], &[], rules)?;
    let mut read = crate::lint::inputs::load_all(&inputs, &mut configs, &[])?;
    let quiet = args.output.quiet;
    let warnings = read.nothing_read("read", &inputs);
    warnings.iter().filter(|_| !quiet).for_each(|w| say(w));
    let outcome = reach::run(&read.loads, &query, args.format, &mut read.crashes);
    report_failures(&read.errors, &read.crashes);
    outcome.missing.iter().for_each(|m| say(m));
    let to = args.output.output.as_deref();
    crate::render::stdout::deliver(&outcome.text, args.format.out(), to)?;
    let failed = !read.errors.is_empty() || !read.crashes.is_empty();
    Ok(exit(failed, u8::from(!outcome.matched)))
}
