//! Field matching: `encoding/json` decoding one converted item into the authenticator's
//! `RoleMapping` or `UserMapping`. Keys match struct fields exactly or case-insensitively
//! ([`go_fold_eq`], [`field_for`]); a string field takes a string, is left by null and reports
//! any other type as a mismatch that leaves it unchanged ([`decode_string`]); what the decoder
//! tolerates goes to the section's issues. The decoded entry then goes through `Validate`.

use super::json::GoVal;
use super::validate::validate;
use crate::model::{DecodeIssue, DecodeIssueKind, Entry, Field, Section, SectionKind, Sso, Status};
use crate::yaml::resolve::resolve;
use crate::yaml::{Node, NodeKind, Style};

/// `encoding/json`'s case-insensitive key match: ASCII case, plus the two non-ASCII letters
/// that fold to ASCII ones (`ſ` to `s`, the Kelvin sign to `k`).
fn go_fold_eq(field: &str, key: &str) -> bool {
    if key.is_ascii() {
        return field.eq_ignore_ascii_case(key);
    }
    let folded: String = key
        .chars()
        .map(|c| match c {
            'ſ' => 's',
            '\u{212a}' => 'k',
            c => c,
        })
        .collect();
    field.eq_ignore_ascii_case(&folded)
}

/// The struct fields of `RoleMapping`/`UserMapping` (`encoding/json` names).
fn field_for(section: SectionKind, key: &str) -> Option<&'static str> {
    let fields: &[&'static str] = match section {
        SectionKind::MapRoles => &["rolearn", "sso", "username", "groups"],
        _ => &["userarn", "username", "groups"],
    };
    fields
        .iter()
        .find(|f| **f == key)
        .or_else(|| fields.iter().find(|f| go_fold_eq(f, key)))
        .copied()
}

fn is_explicit_null(node: &Node) -> bool {
    if node.span.is_empty() {
        return false;
    }
    let t = node.resolved();
    matches!(&t.kind, NodeKind::Scalar { value, style: Style::Plain } if !value.is_empty() && t.tag.is_none())
        && node
            .as_str()
            .is_some_and(|v| matches!(v, "~" | "null" | "Null" | "NULL"))
}

fn mismatch(
    section: &Section,
    issues: &mut Vec<DecodeIssue>,
    node: &Node,
    field: &str,
    expected: &'static str,
    found: &'static str,
) {
    let span = section.outer(&node.span);
    let text = node.as_str().map_or_else(
        || {
            let written = section.text.get(node.span.clone()).unwrap_or_default();
            written.lines().next().unwrap_or_default().trim().to_owned()
        },
        str::to_owned,
    );
    issues.push(DecodeIssue {
        span,
        kind: DecodeIssueKind::TypeMismatch {
            field: field.to_owned(),
            expected,
            found,
            text,
        },
    });
}

fn found_name(val: &GoVal<'_>, node: &Node) -> &'static str {
    let t = node.resolved();
    match &t.kind {
        NodeKind::Scalar { value, style } => resolve(value, *style, t.tag.as_deref()).type_name(),
        _ => val.type_name(),
    }
}

/// `encoding/json` into a Go string: strings set it, null leaves it, anything else is a type
/// error that leaves it unchanged.
fn decode_string(
    section: &Section,
    issues: &mut Vec<DecodeIssue>,
    field: &str,
    val: &GoVal<'_>,
    node: &Node,
    slot: &mut Option<Field>,
) {
    match val {
        GoVal::Str(s) => {
            *slot = Some(Field {
                value: s.to_string(),
                span: section.outer(&node.span),
            });
        }
        GoVal::Null => {
            if is_explicit_null(node) {
                mismatch(section, issues, node, field, "a string", "null");
            }
        }
        other => {
            let found = found_name(other, node);
            mismatch(section, issues, node, field, "a string", found);
        }
    }
}

/// One item as `encoding/json` decodes it into a `RoleMapping`/`UserMapping`; what it
/// tolerates goes to `issues`.
pub(super) fn decode_entry(
    section: &Section,
    issues: &mut Vec<DecodeIssue>,
    index: usize,
    val: &GoVal<'_>,
    node: &Node,
) -> Entry {
    let mut entry = Entry {
        section: section.kind,
        index,
        span: section.outer(&node.span),
        arn: None,
        sso: None,
        username: None,
        groups: Vec::new(),
        status: Status::Effective,
        note: None,
        service: None,
    };
    let GoVal::Map(map) = val else {
        let found = found_name(val, node);
        let span = section.outer(&node.span);
        issues.push(DecodeIssue {
            span,
            kind: DecodeIssueKind::ItemNotMapping { found },
        });
        entry.status = Status::Dropped(format!("the item is a {found}, not a mapping"));
        return entry;
    };
    let mut groups: Option<Vec<Field>> = None;
    for (key, (v, vnode)) in map.iter() {
        match field_for(section.kind, key) {
            Some("rolearn" | "userarn") => {
                let name = section.kind.arn_key();
                decode_string(section, issues, name, v, vnode, &mut entry.arn);
            }
            Some("username") => {
                decode_string(section, issues, "username", v, vnode, &mut entry.username);
            }
            Some("groups") => decode_groups(section, issues, v, vnode, &mut groups),
            Some("sso") => decode_sso(section, issues, v, vnode, &mut entry.sso),
            _ => {}
        }
    }
    if let Some(g) = groups {
        entry.groups = g;
    }
    // json leaves "" in a string field that was written as ""; the authenticator treats it as absent
    if entry.arn.as_ref().is_some_and(|a| a.value.is_empty()) {
        entry.arn = None;
    }
    if let Some(reason) = validate(&entry) {
        entry.status = Status::Dropped(reason);
    }
    entry
}

/// `groups` into a Go `[]string`: a list sets it (an item that is not a string stays ""), null
/// sets it empty, anything else is a type error that leaves it unchanged.
fn decode_groups(
    section: &Section,
    issues: &mut Vec<DecodeIssue>,
    v: &GoVal<'_>,
    vnode: &Node,
    groups: &mut Option<Vec<Field>>,
) {
    match v {
        GoVal::Seq(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (item, inode) in items {
                let mut slot = None;
                match item {
                    GoVal::Str(_) => {
                        decode_string(section, issues, "groups", item, inode, &mut slot);
                    }
                    GoVal::Null => {
                        if is_explicit_null(inode) {
                            mismatch(section, issues, inode, "groups", "a string", "null");
                        }
                    }
                    other => {
                        let found = found_name(other, inode);
                        mismatch(section, issues, inode, "groups", "a string", found);
                    }
                }
                out.push(slot.unwrap_or_else(|| Field {
                    value: String::new(),
                    span: section.outer(&inode.span),
                }));
            }
            *groups = Some(out);
        }
        GoVal::Null => *groups = Some(Vec::new()),
        other => {
            let found = found_name(other, vnode);
            mismatch(section, issues, vnode, "groups", "a list of strings", found);
        }
    }
}

/// `sso` into the `*SSOARNMatcher` of a `RoleMapping`: a mapping fills its fields (matched as
/// struct fields are), null clears it, anything else is a type error.
fn decode_sso(
    section: &Section,
    issues: &mut Vec<DecodeIssue>,
    v: &GoVal<'_>,
    vnode: &Node,
    matcher: &mut Option<Sso>,
) {
    match v {
        GoVal::Map(fields) => {
            let sso = matcher.get_or_insert_with(Sso::default);
            for (k, (fv, fnode)) in fields.iter() {
                let target = ["permissionSetName", "accountID", "partition"]
                    .into_iter()
                    .find(|f| *f == k)
                    .or_else(|| {
                        ["permissionSetName", "accountID", "partition"]
                            .into_iter()
                            .find(|f| go_fold_eq(f, k))
                    });
                let Some(target) = target else { continue };
                let mut slot = None;
                decode_string(section, issues, target, fv, fnode, &mut slot);
                if let Some(f) = slot {
                    match target {
                        "permissionSetName" => sso.permission_set_name = f.value,
                        "accountID" => sso.account_id = f.value,
                        _ => sso.partition = f.value,
                    }
                }
            }
        }
        GoVal::Null => *matcher = None,
        other => {
            // encoding/json allocates the *SSO pointer before it reports the type error,
            // so the entry now has an (empty) SSO matcher and fails validation
            matcher.get_or_insert_with(Sso::default);
            let found = found_name(other, vnode);
            mismatch(section, issues, vnode, "sso", "a mapping", found);
        }
    }
}
