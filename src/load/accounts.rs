//! Accounts decoding: yaml.v2 decoding a `mapAccounts` section straight into `[]string` (no
//! JSON step): any scalar keeps its raw text, null is "", collections are skipped with a type
//! error, and a scalar yaml.v2 cannot decode stops the decoding there.

use crate::model::{Account, DecodeIssue, DecodeIssueKind, Log, Section, SectionState};
use crate::yaml::resolve::{Scalar, resolve};
use crate::yaml::{Node, NodeKind};

/// yaml.v2 decoding straight into `[]string`: any scalar keeps its raw text, null is "",
/// collections are skipped with a type error.
pub(super) fn decode_accounts(
    section: &mut Section,
    root: Option<&Node>,
    accounts: &mut Vec<Account>,
) {
    let Some(root) = root else { return };
    let Some(items) = root.as_seq() else {
        let t = root.resolved();
        let is_null = matches!(&t.kind, NodeKind::Scalar { value, style } if resolve(value, *style, t.tag.as_deref()) == Scalar::Null);
        if !is_null {
            section.state = SectionState::NotList {
                found: root.type_name(),
                span: section.outer(&root.span),
            };
        }
        return;
    };
    for (i, item) in items.iter().enumerate() {
        let t = item.resolved();
        let span = section.outer(&item.span);
        if let NodeKind::Scalar { value, style } = &t.kind {
            let stored = match resolve(value, *style, t.tag.as_deref()) {
                Scalar::Null => String::new(),
                Scalar::Binary(decoded) => decoded,
                Scalar::Error(message) => {
                    // yaml.v2 aborts here; the slice it already sized keeps "" for the rest
                    let log = Some(Log {
                        text: format!("yaml: {message}"),
                        span: Some(span.clone()),
                        line: None,
                    });
                    section.state = SectionState::ConversionError {
                        message,
                        span: span.clone(),
                        template: false,
                        log,
                    };
                    for rest in &items[i..] {
                        accounts.push(Account {
                            value: String::new(),
                            span: section.outer(&rest.span),
                            stored: true,
                        });
                    }
                    return;
                }
                _ => value.clone(),
            };
            accounts.push(Account {
                value: stored,
                span,
                stored: true,
            });
        } else {
            section.issues.push(DecodeIssue {
                span: span.clone(),
                kind: DecodeIssueKind::ItemNotMapping {
                    found: t.type_name(),
                },
            });
            accounts.push(Account {
                value: String::new(),
                span,
                stored: false,
            });
        }
    }
}
