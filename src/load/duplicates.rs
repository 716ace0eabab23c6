//! Duplicate-key detection. Outer Kubernetes keys (`metadata`, `data`) are compared exactly; the
//! keys of a mapping entry are compared in any ASCII case, since `encoding/json` matches fields
//! case-insensitively and the one sorting last wins. Both are reported, never decided here: what
//! is stored is decided by the decoding stages.

use std::collections::HashMap;

use crate::model::{DecodeIssue, DecodeIssueKind, Section};
use crate::source::Span;
use crate::yaml::Node;

/// Records keys that appear twice in a mapping (compared exactly: outer Kubernetes keys are
/// case-sensitive).
pub(super) fn outer_duplicates(node: &Node, issues: &mut Vec<DecodeIssue>) {
    let Some(map) = node.as_map() else { return };
    let mut seen: HashMap<&str, &Span> = HashMap::new();
    for (k, _) in map {
        if let Some(key) = k.as_str() {
            if let Some(first) = seen.get(key) {
                issues.push(DecodeIssue {
                    span: k.span.clone(),
                    kind: DecodeIssueKind::DuplicateKey {
                        key: key.to_owned(),
                        first: (*first).clone(),
                    },
                });
            }
            seen.insert(key, &k.span);
        }
    }
}

/// Mappings with at most this many keys are searched for duplicate keys pair by pair.
const SMALL_MAP: usize = 16;

/// Records the keys of a section's mappings that appear twice in any ASCII case.
pub(super) fn find_duplicate_entry_keys(section: &mut Section, root: &Node) {
    let Some(items) = root.as_seq() else { return };
    let mut found = Vec::new();
    for item in items {
        let Some(map) = item.as_map() else { continue };
        // the first earlier key with the same text in any ASCII case: searched among the keys
        // before it in a small mapping, looked up in a table in a large one (a flow mapping may
        // hold thousands of keys)
        let mut seen: HashMap<String, &Node> = HashMap::new();
        for (j, (k, _)) in map.iter().enumerate() {
            let Some(key) = k.as_str() else { continue };
            let first = if map.len() <= SMALL_MAP {
                map[..j]
                    .iter()
                    .map(|(p, _)| p)
                    .find(|p| p.as_str().is_some_and(|p| p.eq_ignore_ascii_case(key)))
            } else {
                match seen.entry(key.to_ascii_lowercase()) {
                    std::collections::hash_map::Entry::Occupied(first) => Some(*first.get()),
                    std::collections::hash_map::Entry::Vacant(v) => {
                        v.insert(k);
                        None
                    }
                }
            };
            if let Some(p) = first {
                found.push((key.to_owned(), k.span.clone(), p.span.clone()));
            }
        }
    }
    for (key, span, first) in found {
        let span = section.outer(&span);
        let first = section.outer(&first);
        section.issues.push(DecodeIssue {
            span,
            kind: DecodeIssueKind::DuplicateKey { key, first },
        });
    }
}
