//! `inspect` of the loaded inputs: each file rendered on its own (a panic while rendering one
//! is that file's internal error), then the clusters with access entries as one picture each
//! ([`crate::model::cluster`]), as tables or one JSON document.

use super::inputs::{Crash, Loaded};
use crate::guard;
use crate::model::AwsAuth;
use crate::model::cluster::{self, Cluster};
use crate::render::{Summary, access, inspect};

/// `render` on the aws-auth sources of one file (`None` without any), a panic caught as that
/// file's internal error.
fn per_file<'a, T>(
    l: &'a Loaded,
    crashes: &mut Vec<Crash>,
    render: impl FnOnce(&[&'a AwsAuth]) -> T,
) -> Option<T> {
    let objects: Vec<&AwsAuth> = l.load.objects.iter().collect();
    if objects.is_empty() {
        return None;
    }
    let name = &l.load.file.name;
    guard::catch(|| {
        guard::test_trigger("inspect", name);
        render(&objects)
    })
    .map_err(|panic| {
        crashes.push(Crash {
            name: name.clone(),
            panic,
        });
    })
    .ok()
}

/// A table per aws-auth source of `loads`; `unreadable`: the inputs that could not be read.
pub fn tables(loads: &[Loaded], crashes: &mut Vec<Crash>, unreadable: usize) -> String {
    let mut tables = String::new();
    for l in loads {
        tables.extend(per_file(l, crashes, inspect::table));
    }
    tables.extend(guarded_clusters(loads, crashes, access::tables));
    let failed = Summary {
        unreadable,
        internal_errors: crashes.len(),
        ..Summary::default()
    };
    match failed.failures() {
        // "no aws-auth mappings found" is not said of files that could not be read
        Some(f) if tables.is_empty() => {
            format!(
                "no aws-auth mappings found in the files read; {f}
"
            )
        }
        _ if tables.is_empty() => inspect::table(&[]),
        _ => tables,
    }
}

/// The JSON document of the aws-auth sources of `loads`.
pub fn json(loads: &[Loaded], crashes: &mut Vec<Crash>) -> String {
    let mut objects = Vec::new();
    for l in loads {
        objects.extend(
            per_file(l, crashes, inspect::json_objects)
                .into_iter()
                .flatten(),
        );
    }
    let clusters = guarded_clusters(loads, crashes, access::json_clusters).unwrap_or_default();
    inspect::json_document(objects, clusters)
}

/// `render` on the clusters of `loads` (`None` when a panic, caught as an internal error).
fn guarded_clusters<T>(
    loads: &[Loaded],
    crashes: &mut Vec<Crash>,
    render: impl FnOnce(&[Cluster<'_>]) -> T,
) -> Option<T> {
    let parts: Vec<_> = loads
        .iter()
        .map(|l| super::part(&l.load, &l.settings))
        .collect();
    guard::catch(|| render(&cluster::group(&parts)))
        .map_err(|panic| {
            crashes.push(Crash {
                name: "(the clusters' access)".to_owned(),
                panic,
            });
        })
        .ok()
}
