//! The plan as a table for people (principals, the aws-auth that remains, phases, proof,
//! summary) and as the JSON contract (version 1, documented in the README). Values from the
//! inputs are escaped here (`render::escape`); standard output escapes again.

use super::Plan;
use super::classify::{Action, Finding, Item};
use crate::render::escape;

/// The JSON document: the [`Plan`] serialized, made safe to print.
pub fn json(plan: &Plan) -> String {
    let mut doc = serde_json::to_string_pretty(plan).unwrap_or_default();
    doc.push('\n');
    escape::json(doc)
}

fn t(s: &str) -> String {
    escape::text(s).into_owned()
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        return "none".to_owned();
    }
    items
        .iter()
        .map(|g| format!("`{}`", t(g)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The table.
pub fn table(plan: &Plan) -> String {
    let mut out = header(plan);
    for w in &plan.warnings {
        out.push_str(&format!("warning: {}\n", t(w)));
    }
    out.push_str("\nprincipals\n");
    for item in &plan.principals {
        principal(&mut out, item);
    }
    if !plan.not_loaded.is_empty() {
        out.push_str("\nwritten but granting nothing today (not migrated)\n");
        for i in &plan.not_loaded {
            out.push_str(&format!(
                "  {}:{}  {}\n    {}\n",
                escape::name(&i.position.file),
                i.position.line,
                t(i.principal.as_deref().unwrap_or("(no ARN)")),
                t(&i.reason)
            ));
        }
    }
    phases(&mut out, plan);
    proof(&mut out, plan);
    summary(&mut out, plan);
    out
}

fn header(plan: &Plan) -> String {
    let settled = |s: &super::Sourced, what: &str| match (&s.value, &s.note) {
        (Some(v), None) => format!("{what} `{}` ({})", t(v), s.source),
        (Some(v), Some(n)) => format!("{what} `{}` ({}: {})", t(v), s.source, t(n)),
        (None, n) => format!("{what} unknown ({})", t(n.as_deref().unwrap_or(""))),
    };
    format!(
        "migration plan for cluster `{}` from {}:{}\n{}; {}\n",
        t(&plan.cluster),
        escape::name(&plan.source.file),
        plan.source.line,
        settled(&plan.partition, "partition"),
        settled(&plan.account, "account"),
    )
}

fn finding(out: &mut String, kind: &str, f: &Finding) {
    out.push_str(&format!("    {kind}[{}]: {}\n", f.id, t(&f.text)));
    if let Some(h) = &f.help {
        out.push_str(&format!("      help: {}\n", t(h)));
    }
}

fn principal(out: &mut String, item: &Item) {
    out.push_str(&format!(
        "  {}:{}  {}\n",
        escape::name(&item.position.file),
        item.position.line,
        t(&item.principal)
    ));
    let username = match item.aws_auth.username.as_deref() {
        None => "no username".to_owned(),
        Some("") => "username (empty)".to_owned(),
        Some(u) => format!("username `{}`", t(u)),
    };
    out.push_str(&format!(
        "    aws-auth: {username}, groups {}\n",
        list(&item.aws_auth.groups)
    ));
    let class = item.entry_type.map_or("-", |k| k.as_str());
    let managed = match item.eks_managed {
        Some(super::classify::Managed::Yes) => ", EKS-managed",
        Some(super::classify::Managed::Possibly) => ", possibly EKS-managed",
        None => "",
    };
    out.push_str(&format!(
        "    plan: {} ({class}{managed})\n",
        match item.action {
            Action::Create => "create an access entry",
            Action::Keep => "keep in aws-auth",
            Action::NotMigrated => "not migrated: kept in aws-auth",
            Action::Drop => "drop: grants nothing today",
        }
    ));
    if let Some(e) = &item.access_entry {
        let arn = match (&e.principal_arn, &e.principal_arn_todo) {
            (Some(a), _) => format!("`{}`", t(a)),
            (None, Some(p)) => format!("TODO `{}`", t(p)),
            (None, None) => "TODO".to_owned(),
        };
        let mut line = format!("    access entry: {} {arn}", e.kind.as_str());
        if let Some(u) = &e.username {
            line.push_str(&format!(", username `{}`", t(u)));
        }
        if !e.kubernetes_groups.is_empty() {
            line.push_str(&format!(
                ", kubernetesGroups {}",
                list(&e.kubernetes_groups)
            ));
        }
        for p in &e.access_policies {
            line.push_str(&format!(
                ", policy `{}` ({} scope)",
                t(&p.policy_arn),
                p.access_scope.kind
            ));
        }
        out.push_str(&line);
        out.push('\n');
    }
    for b in &item.blockers {
        finding(out, "blocker", b);
    }
    for n in &item.notes {
        finding(out, "note", n);
    }
}

fn phases(out: &mut String, plan: &Plan) {
    out.push_str("\nphases\n");
    for p in &plan.phases {
        let one_way = if p.one_way { " [one-way]" } else { "" };
        out.push_str(&format!("  {}. {}{one_way}\n", p.phase, t(&p.title)));
        if let Some(why) = &p.not_offered_because {
            out.push_str(&format!("     not offered: {}\n", t(why)));
            continue;
        }
        for s in &p.steps {
            out.push_str(&format!("     - {}\n", t(s)));
        }
        if p.phase == 4 && !plan.remaining_aws_auth.data.is_empty() {
            out.push_str("     remaining aws-auth:\n");
            for l in plan.remaining_aws_auth.data.lines() {
                out.push_str(&format!("       {}\n", t(l)));
            }
        }
        out.push_str(&format!("     access after: {}\n", p.access_after));
        for c in &p.checks {
            let mark = if c.ok { "ok" } else { "FAIL" };
            out.push_str(&format!("     {mark} {}: {}\n", c.what, t(&c.detail)));
        }
    }
}

fn proof(out: &mut String, plan: &Plan) {
    out.push_str("\nproof of equivalence\n");
    for c in &plan.proof.principals {
        let verdict = if c.differences.is_empty() {
            "equivalent".to_owned()
        } else {
            format!("{} difference(s)", c.differences.len())
        };
        out.push_str(&format!("  {}: {verdict}\n", t(&c.principal)));
        for d in &c.differences {
            out.push_str(&format!("    - {}\n", t(d)));
        }
        for e in &c.equivalences {
            out.push_str(&format!("    = {}\n", t(e)));
        }
    }
}

fn summary(out: &mut String, plan: &Plan) {
    let n = |a: Action| plan.principals.iter().filter(|i| i.action == a).count();
    out.push_str(&format!(
        "\n{} principal(s): {} to create, {} kept (EKS-managed), {} not migrated (blockers), {} dropped (grant nothing)\n",
        plan.principals.len(),
        n(Action::Create),
        n(Action::Keep),
        n(Action::NotMigrated),
        n(Action::Drop),
    ));
    if plan.proof.equivalent {
        out.push_str("the plan grants exactly what aws-auth grants\n");
    } else {
        out.push_str(&format!(
            "the plan differs from aws-auth for {} principal(s): see the proof (exit 1)\n",
            plan.proof.differing
        ));
    }
}
