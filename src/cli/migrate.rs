//! `awsauth migrate`: reads aws-auth as `lint` does, plans with `migrate`, prints, exits 0
//! (equivalent), 1 (a difference) or 2 (errors).

use std::process::ExitCode;

use anyhow::{Context, Result, bail};

use super::args::{MigrateArgs, MigrateFormat};
use super::{exit, report_failures, say};
use crate::config::Configs;
use crate::lint::inputs::{self, Read};
use crate::migrate::{self, Options, paths::IamRoles};
use crate::model::AwsAuth;
use crate::render::escape;
use crate::render::stdout::{Out, emit};

/// Runs `awsauth migrate`.
pub(super) fn run(args: &MigrateArgs) -> Result<ExitCode> {
    if let Some(a) = &args.account_id
        && !crate::arn::is_account_id(a)
    {
        bail!(
            "`--account-id {}` is not an account id (12 digits)",
            escape::text(a)
        );
    }
    let iam_roles = match &args.iam_roles {
        Some(path) => {
            let shown = escape::name(&path.to_string_lossy()).into_owned();
            let text =
                std::fs::read_to_string(path).with_context(|| format!("cannot read `{shown}`"))?;
            Some(IamRoles::parse(&text).map_err(|e| anyhow::anyhow!("`{shown}`: {e}"))?)
        }
        None => None,
    };
    let inputs = args.input.resolved();
    let mut configs = Configs::new(args.config.choice(), &[], &[], crate::rules::RULES)?;
    let read = inputs::load_all(&inputs, &mut configs, &[])?;
    read.nothing_read("read", &inputs)
        .iter()
        .for_each(|w| say(w));
    let Read {
        loads,
        errors,
        crashes,
        ..
    } = read;
    report_failures(&errors, &crashes);
    let objects: Vec<&AwsAuth> = loads.iter().flat_map(|l| l.load.objects.iter()).collect();
    let opts = Options {
        cluster: args.cluster.clone(),
        partition: args.partition.clone(),
        account_id: args.account_id.clone(),
        iam_roles,
        self_managed: args.self_managed_node_role.clone(),
    };
    let plan = migrate::pick_source(&objects)
        .and_then(|obj| migrate::plan(obj, &opts))
        .map_err(|e| anyhow::anyhow!(escape::text(&e).into_owned()))?;
    let (out, kind) = match args.format {
        MigrateFormat::Table => (migrate::render::table(&plan), Out::Text),
        MigrateFormat::Json => (migrate::render::json(&plan), Out::Json),
    };
    emit(&out, kind)?;
    Ok(exit(
        !errors.is_empty() || !crashes.is_empty(),
        plan.exit_code(),
    ))
}
