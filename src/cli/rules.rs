//! `awsauth rules` and `awsauth explain`.

use std::process::ExitCode;

use anyhow::Result;

use super::args::{RulesArgs, RulesFormat};
use crate::config::{Choice, Configs};
use crate::registry::{Rule, markdown_index};
use crate::render::stdout::{Out, emit};
use crate::render::{catalog, escape};
use crate::rules::{self, RULES};

/// Runs `awsauth rules`: the built-in catalog, plus the policies of the configuration in force
/// here.
pub(super) fn list(args: &RulesArgs) -> Result<ExitCode> {
    let here = Configs::new(args.config.choice(), &[], &[], RULES)?.global(&[])?;
    let mut all: Vec<&'static Rule> = RULES.to_vec();
    all.extend(here.policies.iter().map(|p| p.rule));
    match (args.format, &args.out) {
        (RulesFormat::Text, _) => emit(&catalog::text(&all), Out::Text)?,
        (RulesFormat::Json, _) => emit(&catalog::json(&all), Out::Json)?,
        (RulesFormat::Markdown, None) => emit(&markdown_index(RULES), Out::Text)?,
        (RulesFormat::Markdown, Some(dir)) => {
            crate::registry::write_pages(dir, RULES).map_err(|e| anyhow::anyhow!(e))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `awsauth explain`: a built-in rule, else a policy of the configuration in force here.
pub(super) fn explain(rule: &str) -> Result<ExitCode> {
    let found = match rules::find(rule) {
        Some(r) => Some(r),
        None => Configs::new(Choice::Nearest, &[], &[], RULES)?
            .global(&[])?
            .find_rule(rule),
    };
    let Some(r) = found else {
        let names: Vec<&str> = RULES.iter().map(|r| r.name).collect();
        let (rule, names) = (escape::text(rule), names.join(", "));
        anyhow::bail!("unknown rule `{rule}`; known rules: {names}");
    };
    emit(&catalog::explain(r), Out::Text)?;
    Ok(ExitCode::SUCCESS)
}
