//! The aws CLI: a `sh` script (`set -eu`) with phase 1 (`update-cluster-config
//! --access-config` when the mode is still `CONFIG_MAP`, then a wait until `describe-cluster`
//! shows the new mode), phase 2 (`create-access-entry` unless `describe-access-entry` finds one,
//! `associate-access-policy`) and phases 3–5 as comments: the script can be run again after a
//! failure. Every value is one single-quoted word;
//! a value that cannot be one (a control character) and every TODO make the script exit 1
//! before it changes anything.

use super::{comment, entries, header, later_phases, sh, t, todo_count};
use crate::migrate::Plan;

/// The script.
pub fn render(plan: &Plan) -> String {
    let mut out = "#!/bin/sh\n".to_owned();
    out.push_str(&comment(&header(plan, "aws CLI"), "#"));
    out.push_str("set -eu\n");
    let todo = todo_count(plan);
    if todo > 0 {
        out.push_str(&format!(
            "# remove the next line once the TODOs above are resolved and added below\necho 'awsauth: {todo} principal(s) are TODO: this script is incomplete (see its header)' >&2; exit 1\n"
        ));
    }
    let mut body = String::new();
    let mut unsafe_values = Vec::new();
    let Some(cluster) = sh(&plan.cluster) else {
        return refuse(out, std::slice::from_ref(&plan.cluster));
    };
    body.push_str(&format!(
        "\nmode() {{\n  aws eks describe-cluster --name {cluster} --query cluster.accessConfig.authenticationMode --output text\n}}\n\n# phase 1: authentication mode API_AND_CONFIG_MAP [one-way: CONFIG_MAP cannot come back]\ncurrent=$(mode)\nif [ \"$current\" = CONFIG_MAP ]; then\n  aws eks update-cluster-config --name {cluster} --access-config authenticationMode=API_AND_CONFIG_MAP\nfi\nuntil [ \"$(mode)\" != CONFIG_MAP ]; do sleep 15; done\n\n# phase 2: the access entries and their policy associations (an entry that exists, such as\n# the cluster creator's, is not created again)\n"
    ));
    for e in entries(plan) {
        let word = |s: &str, bad: &mut Vec<String>| {
            sh(s).unwrap_or_else(|| {
                bad.push(s.to_owned());
                "''".to_owned()
            })
        };
        let arn = word(e.arn, &mut unsafe_values);
        body.push_str(&format!(
            "if ! aws eks describe-access-entry --cluster-name {cluster} --principal-arn {arn} >/dev/null 2>&1; then\n"
        ));
        let mut line = format!(
            "  aws eks create-access-entry --cluster-name {cluster} --principal-arn {arn} --type {}",
            e.entry.kind.as_str()
        );
        if let Some(u) = &e.entry.username {
            line.push_str(&format!(" --username {}", word(u, &mut unsafe_values)));
        }
        if !e.entry.kubernetes_groups.is_empty() {
            line.push_str(" --kubernetes-groups");
            for g in &e.entry.kubernetes_groups {
                line.push(' ');
                line.push_str(&word(g, &mut unsafe_values));
            }
        }
        body.push_str(&line);
        body.push_str("\nfi\n");
        for p in &e.entry.access_policies {
            body.push_str(&format!(
                "aws eks associate-access-policy --cluster-name {cluster} --principal-arn {arn} --policy-arn {} --access-scope type={}\n",
                word(&p.policy_arn, &mut unsafe_values),
                p.access_scope.kind
            ));
        }
    }
    if !unsafe_values.is_empty() {
        return refuse(out, &unsafe_values);
    }
    out.push_str(&body);
    let later = later_phases(plan);
    if !later.is_empty() {
        out.push('\n');
        out.push_str(&comment(&later, "#"));
    }
    out
}

/// The script when a value cannot be a shell word: it says which and exits 1.
fn refuse(mut out: String, values: &[String]) -> String {
    let lines: Vec<String> = values
        .iter()
        .map(|v| format!("not written: a value holds a control character: `{}`", t(v)))
        .collect();
    out.push_str(&comment(&lines, "#"));
    out.push_str(
        "echo 'awsauth: a value holds a control character: no command written' >&2; exit 1\n",
    );
    out
}
