//! The `data` of a `ConfigMap` (or of a bare fragment): every value must be a string, or the API
//! server rejects the object; the aws-auth keys among them (`mapRoles`, `mapUsers`,
//! `mapAccounts`) become sections, each loaded through the authenticator's path
//! ([`super::section`]). A data key written twice keeps its last value, as in yaml.v2.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::duplicates::outer_duplicates;
use super::section::parse_section;
use crate::model::{AwsAuth, Field, Rejection, Section, SectionKind, SectionState, SourceKind};
use crate::source::SourceFile;
use crate::yaml::resolve::{Scalar, resolve};
use crate::yaml::scalar_map::ScalarMap;
use crate::yaml::{Node, NodeKind, Style};

/// Whether a mapping has an aws-auth key (`mapRoles`, `mapUsers`, `mapAccounts`).
pub(super) fn has_section_key(node: &Node) -> bool {
    node.as_map().is_some_and(|m| {
        m.iter()
            .any(|(k, _)| k.as_str().and_then(SectionKind::from_key).is_some())
    })
}

/// Reads the data keys of a `ConfigMap` (or fragment): every value must be a string, or the API
/// server rejects the object.
pub(super) fn load_data(file: &Arc<SourceFile>, data: &Node, obj: &mut AwsAuth) {
    outer_duplicates(data, &mut obj.issues);
    if data.as_map().is_none() {
        return;
    }
    let mut sections: BTreeMap<SectionKind, Section> = BTreeMap::new();
    for (k, v) in crate::yaml::merged_entries(data) {
        let key = k.as_str().unwrap_or_default();
        obj.data_keys.push(Field {
            value: key.to_owned(),
            span: k.span.clone(),
        });
        let target = v.resolved();
        let string = match &target.kind {
            NodeKind::Scalar { value, style } => {
                match resolve(value, *style, target.tag.as_deref()) {
                    Scalar::Str => Some(value.as_str()),
                    // JSON null into a Go string leaves it empty
                    Scalar::Null => Some(""),
                    _ => None,
                }
            }
            _ => None,
        };
        let Some(string) = string else {
            if obj.kind == SourceKind::Fragment {
                // values files and Terraform inputs may hold structured lists; no API server here
                continue;
            }
            let found = match &target.kind {
                NodeKind::Scalar { value, style } => {
                    resolve(value, *style, target.tag.as_deref()).type_name()
                }
                _ => target.type_name(),
            };
            obj.rejected.push(Rejection {
                key: key.to_owned(),
                key_span: k.span.clone(),
                value_span: v.span.clone(),
                found,
            });
            continue;
        };
        let Some(kind) = SectionKind::from_key(key) else {
            continue;
        };
        let style = target.style().unwrap_or(Style::Plain);
        let map = ScalarMap::new(&file.text, &target.span, style, string);
        let section = Section {
            kind,
            key_span: k.span.clone(),
            value_span: v.span.clone(),
            style,
            text: string.to_owned(),
            map,
            state: SectionState::Loaded,
            root: None,
            issues: Vec::new(),
        };
        // a duplicated data key: yaml.v2 keeps the last value
        sections.insert(kind, section);
    }
    for (_, mut section) in sections {
        parse_section(&mut section, &mut obj.entries, &mut obj.accounts);
        obj.sections.push(section);
    }
}
