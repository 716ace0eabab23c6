//! `awsauth access`.

use std::process::ExitCode;

use anyhow::Result;

use super::args::{AccessArgs, AccessFormat};
use super::{exit, report_failures, say};
use crate::config::Configs;
use crate::lint::inputs::{self, Read};
use crate::model::rbac::Request;
use crate::reach::{self, Format, Query};
use crate::render::escape;
use crate::render::stdout::{Out, deliver};

/// The query the arguments ask (exit 2 on a request that does not parse).
fn query(args: &AccessArgs) -> Result<Query> {
    if let Some(can) = &args.can {
        let (verb, resource) = (&can[0], &can[1]);
        let mut req = Request::parse(verb, resource, args.namespace.as_deref()).map_err(|e| {
            anyhow::anyhow!(
                "{e}\n  help: `--can VERB RESOURCE`, e.g. `--can get secrets -n payments`"
            )
        })?;
        req.name.clone_from(&args.name);
        return Ok(Query::Can(req));
    }
    Ok(args.principal.clone().map_or(Query::All, Query::Principal))
}

/// Runs `awsauth access`.
pub(super) fn run(args: &AccessArgs) -> Result<ExitCode> {
    let query = query(args)?;
    let inputs = args.input.resolved();
    let mut configs = Configs::new(args.config.choice(), &[], &[], crate::rules::RULES)?;
    let read = inputs::load_all(&inputs, &mut configs, &[])?;
    if !args.output.quiet {
        read.nothing_read("read", &inputs)
            .iter()
            .for_each(|w| say(w));
    }
    let Read {
        loads,
        errors,
        mut crashes,
        ..
    } = read;
    let (format, kind) = match args.format {
        AccessFormat::Human => (Format::Human, Out::Text),
        AccessFormat::Json => (Format::Json, Out::Json),
    };
    let outcome = reach::run(&loads, &query, format, &mut crashes);
    report_failures(&errors, &crashes);
    if let (Query::Principal(arn), false) = (&query, outcome.matched) {
        say(&format!(
            "no mapping or access entry for `{}` in the files read\n  help: check the ARN, and that the paths hold the cluster's aws-auth or access entries",
            escape::text(arn)
        ));
    }
    deliver(&outcome.text, kind, args.output.output.as_deref())?;
    Ok(exit(
        !errors.is_empty() || !crashes.is_empty(),
        u8::from(!outcome.matched),
    ))
}
