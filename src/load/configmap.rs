//! Source format: `ConfigMap` manifests, in YAML or JSON (JSON is YAML to the parser), alone or as
//! items of a `kind: List` (opened for every format by [`super::read_documents`]). A `ConfigMap`
//! is read when it is named aws-auth or its `data` has an aws-auth key; its metadata (name,
//! namespace, names lost to bad indentation, the ignore annotation) is kept for the rules, and
//! its `data` goes through [`super::data`]. The API server rejects a `ConfigMap` whose `data` is
//! not a mapping of strings: nothing of it is stored then.

use super::data::{has_section_key, load_data};
use super::duplicates::outer_duplicates;
use super::{Document, Format, Reads, finish, new_object, scalar_field};
use crate::model::{AwsAuth, Field, Rejection, SourceKind};
use crate::source::SourceFile;
use crate::yaml::resolve::{Scalar, resolve};
use crate::yaml::{Node, NodeKind, Style};

/// The annotation of a `ConfigMap`'s metadata that holds suppressions for generated manifests
/// (`awsauth.dev/ignore: "rule[, rule]: reason"`): the loader keeps its value, the suppressions
/// read it.
pub const ANNOTATION: &str = "awsauth.dev/ignore";

/// The `ConfigMap` format.
pub(super) const FORMAT: Format = Format {
    takes: is_configmap,
    reads: Reads::AwsAuth(load_configmap),
};

fn is_configmap(doc: &Document<'_>) -> bool {
    doc.kind == Some("ConfigMap")
}

/// A `ConfigMap` named aws-auth, or holding an aws-auth key in its `data`.
fn load_configmap(doc: &Document<'_>) -> Option<AwsAuth> {
    let (file, document, root) = (doc.file, doc.index, doc.root);
    let metadata = root.entry("metadata");
    let meta = metadata.map(|(_, v)| v);
    let name = scalar_field(file, meta.and_then(|m| m.get("name")));
    let namespace = scalar_field(file, meta.and_then(|m| m.get("namespace")));
    // keys lost from `metadata` to bad indentation land beside it, or deeper inside it
    let mut misplaced = Vec::new();
    for (key, present) in [("name", name.is_some()), ("namespace", namespace.is_some())] {
        if !present && let Some(f) = scalar_field(file, root.get(key)) {
            misplaced.push((key, f));
        }
    }
    if misplaced.is_empty()
        && name.is_none()
        && let Some(m) = meta
    {
        find_nested_name(file, m, 0, &mut misplaced);
    }
    let data = root.get("data");
    let named = name.as_ref().is_some_and(|n| n.value == "aws-auth");
    let misplaced_named = misplaced.iter().any(|(_, f)| f.value == "aws-auth");
    if !named && !misplaced_named && !data.is_some_and(has_section_key) {
        return None;
    }
    let mut obj = new_object(file, document, SourceKind::ConfigMap, root);
    obj.name = name;
    obj.namespace = namespace;
    obj.misplaced_metadata = misplaced;
    obj.metadata_span = metadata.map(|(k, _)| k.span.clone());
    obj.ignore_annotation = scalar_field(
        file,
        meta.and_then(|m| m.get("annotations"))
            .and_then(|a| a.get(ANNOTATION)),
    );
    if let Some(m) = meta {
        outer_duplicates(m, &mut obj.issues);
    }
    match data {
        Some(d) if d.as_map().is_some() => load_data(file, d, &mut obj),
        Some(d)
            if d.as_str().is_some_and(|s| {
                resolve(s, d.style().unwrap_or(Style::Plain), d.tag.as_deref()) == Scalar::Null
            }) => {}
        Some(d) => {
            let (k, _) = root.entry("data")?;
            obj.rejected.push(Rejection {
                key: "data".into(),
                key_span: k.span.clone(),
                value_span: d.span.clone(),
                found: d.type_name(),
            });
        }
        None => {}
    }
    finish(&mut obj);
    Some(obj)
}

/// Looks for `name: aws-auth` or `namespace: kube-system` nested inside `metadata` (lost there to
/// bad indentation).
fn find_nested_name(
    file: &SourceFile,
    node: &Node,
    depth: usize,
    out: &mut Vec<(&'static str, Field)>,
) {
    if depth > 4 {
        return;
    }
    match &node.resolved().kind {
        NodeKind::Map(entries) => {
            for (k, v) in entries {
                let key = match k.as_str() {
                    Some("name") => Some("name"),
                    Some("namespace") => Some("namespace"),
                    _ => None,
                };
                if let Some(key) = key
                    && depth > 0
                {
                    if let Some(f) = scalar_field(file, Some(v))
                        && (f.value == "aws-auth" || f.value == "kube-system")
                    {
                        out.push((key, f));
                    }
                } else {
                    find_nested_name(file, v, depth + 1, out);
                }
            }
        }
        NodeKind::Seq(items) => {
            for item in items {
                find_nested_name(file, item, depth + 1, out);
            }
        }
        _ => {}
    }
}
