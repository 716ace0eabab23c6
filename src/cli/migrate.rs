//! `awsauth migrate`: reads aws-auth as `lint` does, plans with `migrate`, prints, exits 0
//! (equivalent), 1 (a difference) or 2 (errors).

use std::process::ExitCode;

use anyhow::{Result, anyhow};

use super::args::{MigrateArgs, MigrateFormat};
use super::{exit, report_failures, say};
use crate::config::Configs;
use crate::lint::inputs;
use crate::migrate::{self, Options, iac};
use crate::model::AwsAuth;
use crate::render::escape;
use crate::render::stdout::{Out, deliver};

/// Runs `awsauth migrate`.
pub(super) fn run(args: &MigrateArgs) -> Result<ExitCode> {
    let error = |e: String| anyhow!(escape::text(&e).into_owned());
    let opts = Options::new(
        args.cluster.clone(),
        args.partition.clone(),
        args.account_id.clone(),
        args.iam_roles.as_deref(),
        args.self_managed_node_role.clone(),
    )
    .map_err(error)?;
    let inputs = args.input.resolved();
    let mut configs = Configs::new(args.config.choice(), &[], &[], crate::rules::RULES)?;
    let read = inputs::load_all(&inputs, &mut configs, &[])?;
    if !args.output.quiet {
        read.nothing_read("read", &inputs)
            .iter()
            .for_each(|w| say(w));
    }
    report_failures(&read.errors, &read.crashes);
    let objects: Vec<&AwsAuth> = read.loads.iter().flat_map(|l| &l.load.objects).collect();
    let plan = migrate::plan_from(&objects, &opts).map_err(error)?;
    let (out, kind) = match args.format {
        MigrateFormat::Table => (migrate::render::table(&plan), Out::Text),
        MigrateFormat::Json => (migrate::render::json(&plan), Out::Json),
        MigrateFormat::Terraform => (iac::terraform::render(&plan), Out::Text),
        MigrateFormat::Cloudformation => (iac::cloudformation::render(&plan), Out::Text),
        MigrateFormat::AwsCli => (iac::awscli::render(&plan), Out::Text),
        MigrateFormat::Eksctl => (iac::eksctl::render(&plan), Out::Text),
    };
    deliver(&out, kind, args.output.output.as_deref())?;
    let failed = !read.errors.is_empty() || !read.crashes.is_empty();
    Ok(exit(failed, plan.exit_code()))
}
