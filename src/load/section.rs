//! One section through the authenticator's load path, stage by stage: skipped when empty
//! ([`is_skippable`]); parsed as YAML (a syntax error drops it, and [`super::rescan`] tells
//! what it held); `mapAccounts` decoded straight into strings ([`super::accounts`]); the others
//! decoded by yaml.v2 ([`super::yaml_v2`]), converted to JSON ([`super::json`]) and decoded item
//! by item into mappings ([`super::decode`], with `Validate`), their duplicate keys reported
//! ([`super::duplicates`]). A failure before the item decoding drops the whole section.

use super::PARALLEL_ITEMS;
use super::accounts::decode_accounts;
use super::decode::decode_entry;
use super::duplicates::find_duplicate_entry_keys;
use super::json::{ConvError, GoVal, conv_err, find_non_finite};
use super::rescan;
use super::yaml_v2::{Budget, lenient_item, to_go_root};
use crate::model::{Account, Entry, Section, SectionKind, SectionState, Status};
use crate::yaml::{self, Node};

/// The values `isSkippable` ignores: empty, `''`, `""` and two backticks.
pub fn is_skippable(text: &str) -> bool {
    matches!(text.trim(), "" | "''" | "\"\"" | "``")
}

/// Loads one section as the authenticator does: its state, its entries or accounts, its issues.
pub(super) fn parse_section(
    section: &mut Section,
    entries: &mut Vec<Entry>,
    accounts: &mut Vec<Account>,
) {
    if is_skippable(&section.text) {
        section.state = SectionState::Skipped;
        return;
    }
    let root = match yaml::parse_first(&section.text) {
        Ok(root) => root,
        Err(e) => {
            section.state = section.syntax_error(&e);
            // still show whom the section would have admitted: every mapping written in it
            if section.kind == SectionKind::MapAccounts {
                accounts.extend(rescan::lost_accounts(section));
            } else {
                entries.extend(rescan::lost(section));
            }
            return;
        }
    };
    if section.kind == SectionKind::MapAccounts {
        decode_accounts(section, root.as_ref(), accounts);
        section.root = root;
        return;
    }
    match to_json(root.as_ref()) {
        Err(err) => {
            section.state = SectionState::ConversionError {
                message: err.message,
                span: section.outer(&err.span),
                template: err.template,
                log: section.conversion_log(root.as_ref()),
            };
            entries.extend(lost_items(section, root.as_ref()));
        }
        Ok(GoVal::Null) => {}
        Ok(GoVal::Seq(items)) => decode_items(section, &items, entries),
        Ok(other) => {
            let span = root.as_ref().map_or(0..0, |r| section.outer(&r.span));
            section.state = SectionState::NotList {
                found: other.type_name(),
                span,
            };
        }
    }
    if let Some(root) = &root {
        find_duplicate_entry_keys(section, root);
    }
    section.root = root;
}

/// The section's JSON document: yaml.v2's value converted as `sigs.k8s.io/yaml` converts it,
/// failing where yaml.v2 or `json.Marshal` fails.
fn to_json(root: Option<&Node>) -> Result<GoVal<'_>, ConvError> {
    match root {
        None => Ok(GoVal::Null),
        Some(r) => to_go_root(r),
    }
    .and_then(|v| match find_non_finite(&v) {
        Some(node) => Err(conv_err(
            format!(
                "`{}` is a YAML 1.1 float that JSON cannot represent",
                node.as_str().unwrap_or_default()
            ),
            node,
            false,
        )),
        None => Ok(v),
    })
}

/// The items of a list section into entries, in item order; what the decoder tolerates goes to
/// the section's issues, in item order too.
fn decode_items(section: &mut Section, items: &[(GoVal<'_>, &Node)], entries: &mut Vec<Entry>) {
    let decode_all = |out: &mut Vec<Entry>, items: &[(GoVal<'_>, &Node)], first: usize| {
        let mut issues = Vec::new();
        out.extend(
            items
                .iter()
                .enumerate()
                .map(|(i, (val, node))| decode_entry(section, &mut issues, first + i, val, node)),
        );
        issues
    };
    // a long section in two halves at once; entries and issues keep item order
    entries.reserve(items.len());
    if items.len() >= PARALLEL_ITEMS {
        let mid = items.len() / 2;
        let (head_issues, (tail, tail_issues)) = crate::par::join(
            || decode_all(entries, &items[..mid], 0),
            || {
                let mut tail = Vec::with_capacity(items.len() - mid);
                let issues = decode_all(&mut tail, &items[mid..], mid);
                (tail, issues)
            },
        );
        entries.extend(tail);
        section.issues.extend(head_issues);
        section.issues.extend(tail_issues);
    } else {
        let issues = decode_all(entries, items, 0);
        section.issues.extend(issues);
    }
}

/// What each item of a section that parsed but failed to convert holds, for display: all of it
/// is lost.
fn lost_items(section: &Section, root: Option<&Node>) -> Vec<Entry> {
    let Some(items) = root.and_then(Node::as_seq) else {
        return Vec::new();
    };
    // one budget for all items: an alias bomb is not expanded once per item
    let mut budget = Budget::display();
    let mut entries = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let val = lenient_item(item, &mut budget);
        // what a lost item tolerates is not reported
        let mut entry = decode_entry(section, &mut Vec::new(), index, &val, item);
        entry.status = Status::Lost(String::new());
        entries.push(entry);
    }
    entries
}
