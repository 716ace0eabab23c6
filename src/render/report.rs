//! What the commands say on standard error besides findings: inputs that could not be read,
//! internal errors, configuration errors (rendered like findings). Every value is escaped.

use super::{escape, human, say};
use crate::config::{BaseNotice, ConfigError};
use crate::diagnostic::Severity;
use crate::discover::InputError;

/// Inputs that could not be read, one error each.
pub fn input_errors(errors: &[InputError]) {
    for e in errors {
        // a message may have its own help line: its lines are escaped one by one
        let message: Vec<_> = e.message.split('\n').map(escape::text).collect();
        say(
            &format!("error: {}: {}", escape::name(&e.name), message.join("\n")),
            false,
        );
    }
}

/// Files whose processing panicked: (the file as shown, what panicked); `help` says where to
/// report it.
pub fn crashes(crashes: &[(String, String)], help: &str) {
    for (name, panic) in crashes {
        say(
            &format!(
                "error: internal error while processing `{}`: {}\n  help: {help}",
                escape::name(name),
                escape::text(panic),
            ),
            false,
        );
    }
}

/// Configuration errors, rendered like findings (at `severity`: the base configuration's are
/// warnings), each with a position; `kind`: `error` or `warning`, for those without one.
fn config_errors(errors: &[ConfigError], severity: Severity, kind: &str) {
    let styled = anstream::stderr().current_choice() != anstream::ColorChoice::Never;
    for e in errors {
        match e.diagnostic() {
            Some(d) => say(&human::render_one(&d.severity(severity), styled), styled),
            None => say(
                &format!("{kind}[config]: {}", escape::text(&e.concise())),
                false,
            ),
        }
    }
}

/// Configuration errors: the run stops with exit 2.
pub fn invalid_config(errors: &[ConfigError]) {
    config_errors(errors, Severity::Error, "error");
}

/// Errors of the configuration at the base commit (shown as warnings: the run goes on with the
/// default configuration for the base); `leaf`: the file it starts from, `judged`: what the
/// defaults are used for (`findings are judged`).
pub fn unusable_base_config(errors: &[ConfigError], leaf: &str, judged: &str) {
    config_errors(errors, Severity::Warning, "warning");
    say(
        &format!(
            "warning: the configuration at the base commit (`{}`) cannot be used: {judged} with the default configuration\n  help: the errors above are at the base commit; if this change fixes them, nothing more is needed",
            escape::text(leaf)
        ),
        false,
    );
}

/// [`unusable_base_config`] of a diff.
pub fn unusable_diff_base(errors: &[ConfigError], leaf: &str) {
    unusable_base_config(errors, leaf, "changes are classified");
}

/// What reading the configuration at the base commit of `lint --new-only` has to tell.
pub fn base_notice(notice: &BaseNotice<'_>) {
    match notice {
        BaseNotice::Note(note) => say(&format!("note: {}", escape::text(note)), false),
        BaseNotice::Unusable { errors, leaf } => {
            unusable_base_config(errors, leaf, "findings are judged");
        }
    }
}

/// Versions `diff` did not read (`path: why (side)`, and what to do), not compared.
pub fn not_read(files: &[(String, &str)]) {
    for (what, help) in files {
        say(
            &format!("error: {}\n  help: {help}", escape::text(what)),
            false,
        );
    }
}
