//! Loading: finds every aws-auth mapping source in a file and loads it exactly as
//! aws-iam-authenticator does: each section is YAML 1.1 decoded by
//! yaml.v2, converted to JSON by `sigs.k8s.io/yaml`, then decoded by `encoding/json` into typed
//! entries; a failure at the first two steps drops the section, type errors leave fields empty,
//! `Validate` drops entries without an ARN, and the store is keyed last-wins.
//!
//! The modules, in the order a file goes through them:
//! - `detect`: whether a file is worth parsing at all, and whether it is a template (Helm,
//!   Jinja, Terraform) that only means something once rendered;
//! - the source formats, each turning one document into a source with spans, registered in
//!   `FORMATS`: `configmap` (`ConfigMap` manifests, also in JSON and as items of a `kind: List`),
//!   `eksctl` (`ClusterConfig`), `capa` (Cluster API AWS `AWSManagedControlPlane`
//!   `spec.iamAuthenticatorConfig`), `identity_mapping` (the authenticator's `IAMIdentityMapping`
//!   objects), `fragment` (bare `mapRoles:` fragments and `data:` patches) and [`rbac`] (Roles
//!   and bindings beside aws-auth);
//! - `data`: the `data` keys of a `ConfigMap` or fragment, and the aws-auth sections among them;
//! - `section`: one section through the authenticator's load path, a module per stage:
//!   `yaml_v2` (yaml.v2 decoding into Go values: aliases and their budget, merge keys), `json`
//!   (the conversion to JSON), `decode` (field matching into `RoleMapping`/`UserMapping`),
//!   `validate` (`Validate`), `duplicates` (duplicate keys), `accounts` (`mapAccounts`), and
//!   `rescan` (what a section that does not parse held);
//! - `finish`, here: lost and shadowed entries, and the effective store, keyed last-wins.
//!
//! # Adding a source format
//! A source format reads one kind of document: the root of a YAML (or JSON) document, or an
//! item of a top-level `kind: List`. To add one:
//! 1. Write `src/load/<format>.rs`: `//!` docs saying what the format is and what the cluster
//!    makes of it, and a `pub(super) const FORMAT: Format` with
//!    - `takes`: whether a document is of the format (by its `kind`, and whatever else tells it
//!      apart; no two formats take the same document, as the test `no_two_formats_take_a_document`
//!      checks on the fixtures);
//!    - `reads`: the source read from one document, with spans. An aws-auth source
//!      (`Reads::AwsAuth`) is an [`AwsAuth`] started with `new_object`, filled (the `data`
//!      module loads aws-auth keys and their sections; fields come with `scalar_field`) and
//!      ended with `finish`, which decides what is stored.
//! 2. Declare the module below and add its `FORMAT` to `FORMATS`: one line each.
//!
//! Access entries and clusters' access settings (`model::access_entries`) are read by the
//! `ACCESS_READERS`, offered every document of a file that may hold them
//! (`detect::may_hold_access`): eksctl's `accessConfig`, CloudFormation's `AWS::EKS::AccessEntry`
//! and `AWS::EKS::Cluster`; Terraform's are read by `terraform`.
//!
//! Files are parsed only when a cheap text test says they may hold something
//! ([`may_hold_aws_auth`], `rbac::may_hold_rbac`); a format of a new kind of source (neither
//! aws-auth mappings nor RBAC) also needs a `Reads` variant, a field of [`FileLoad`] to keep
//! it in, and a text test in [`load_file`] whose needles go to `prefilter` too (the walk
//! drops, before decoding it, a file in which [`may_matter`] finds none of them).

use std::sync::Arc;

use crate::model::access_entries::AccessDecls;
use crate::model::{AwsAuth, Effective, EffectiveRole, EffectiveUser, Field, SourceKind};
use crate::source::{SourceFile, Span};
use crate::yaml::{self, Node, SyntaxError};

mod accounts;
mod capa;
mod cloudformation;
mod configmap;
mod data;
mod decode;
mod detect;
mod duplicates;
mod eksctl;
mod fragment;
mod identity_mapping;
mod json;
mod prefilter;
pub mod rbac;
mod rescan;
mod section;
mod terraform;
mod validate;
mod yaml_v2;

pub use configmap::ANNOTATION;
pub use detect::{
    TEMPLATE_VARIABLES, find_foreign_template, find_strong_template, has_name_escapes,
    is_authenticator_variable, may_hold_access, may_hold_aws_auth, mentions_aws_auth,
};
pub use prefilter::{SUPPRESSION_MARKER, may_matter};
pub use section::is_skippable;
pub use terraform::{is_terraform, may_hold_terraform};

/// Everything found in one file.
#[derive(Debug)]
pub struct FileLoad {
    /// The file.
    pub file: Arc<SourceFile>,
    /// aws-auth sources, in document order.
    pub objects: Vec<AwsAuth>,
    /// Outer syntax errors (one per broken document).
    pub syntax_errors: Vec<SyntaxError>,
    /// Whether the file mentions aws-auth at all (decides whether a syntax error matters).
    pub relevant: bool,
    /// Template syntax that is not the authenticator's own (`{{ .Values }}`, `${var}`, `{%`):
    /// such a file is not linted, only noted.
    pub template: Option<Span>,
    /// Roles and bindings found beside the mappings (for the neighbour rules).
    pub rbac: Vec<rbac::RbacObject>,
    /// Whether the file is Terraform (its syntax errors are HCL's).
    pub terraform: bool,
    /// EKS access entries, policy associations and clusters' access settings (in place, not
    /// boxed: most files declare none, and a pointer to follow per file of a walk costs more
    /// than the bytes; BENCHMARKS.md "Issue 16").
    pub access: AccessDecls,
}

impl FileLoad {
    /// Whether loading found nothing at all: no source, syntax error, template, RBAC or
    /// access declaration, and nothing that makes the file relevant (what a file the walk's
    /// prefilter skips must load to: `load::may_matter`).
    pub fn holds_nothing(&self) -> bool {
        let a = &self.access;
        self.objects.is_empty()
            && self.syntax_errors.is_empty()
            && self.rbac.is_empty()
            && a.entries.is_empty()
            && a.associations.is_empty()
            && a.configs.is_empty()
            && self.template.is_none()
            && !self.relevant
    }
}

/// Every source format, in the order a document is offered to them: the first that takes it
/// reads it.
const FORMATS: &[Format] = &[
    configmap::FORMAT,
    eksctl::FORMAT,
    capa::FORMAT,
    identity_mapping::FORMAT,
    fragment::FORMAT,
    rbac::FORMAT,
];

/// The readers of access entries and clusters' access settings: each document is offered to
/// every one (a document may hold both aws-auth mappings and access entries, as an eksctl
/// `ClusterConfig` does).
const ACCESS_READERS: &[fn(&Document<'_>, &mut AccessDecls)] =
    &[eksctl::read_access, cloudformation::read_access];

/// A source format: which documents it takes, and what it reads from one.
struct Format {
    /// Whether a document is of this format.
    takes: fn(&Document<'_>) -> bool,
    /// What it reads from a document it takes.
    reads: Reads,
}

/// What a source format reads from a document (nothing when the document holds nothing of it),
/// which decides which files are parsed for it and where it is kept.
enum Reads {
    /// aws-auth mappings, kept in [`FileLoad::objects`]; read from files that
    /// [`may_hold_aws_auth`].
    AwsAuth(fn(&Document<'_>) -> Option<AwsAuth>),
    /// A Role, `ClusterRole` or binding, kept in [`FileLoad::rbac`]; read from files that may hold
    /// RBAC worth a look.
    Rbac(fn(&Document<'_>) -> Option<rbac::RbacObject>),
}

/// A document offered to the source formats: the root mapping of a YAML (or JSON) document, or
/// an item of a top-level `kind: List`.
struct Document<'a> {
    /// The file.
    file: &'a Arc<SourceFile>,
    /// The index of the YAML document in the file (for a list's item, the list's).
    index: usize,
    /// The document's root: a mapping.
    root: &'a Node,
    /// Its `kind`, when a string.
    kind: Option<&'a str>,
}

/// Which kinds of source a file is read for: decided from its text, before parsing.
#[derive(Debug, Clone, Copy)]
struct Wanted {
    /// aws-auth mappings.
    aws_auth: bool,
    /// RBAC objects.
    rbac: bool,
    /// Access entries and clusters' access settings.
    access: bool,
}

/// Loads every aws-auth source of a file; `siblings` are the other files of a Terraform file's
/// module directory (`.tf`, `terraform.tfvars`, `*.auto.tfvars`: see
/// [`crate::discover::module_files`]), read for the values they declare.
pub fn load_file_with(file: Arc<SourceFile>, siblings: &[Arc<SourceFile>]) -> FileLoad {
    if is_terraform(&file.name) {
        terraform::load(file, siblings)
    } else {
        load_file(file)
    }
}

/// Loads every aws-auth source of a file (a Terraform file alone, without its module's other
/// files: [`load_file_with`]).
#[allow(clippy::needless_pass_by_value)] // the file is handed over: callers keep no copy
pub fn load_file(file: Arc<SourceFile>) -> FileLoad {
    if is_terraform(&file.name) {
        return terraform::load(file, &[]);
    }
    let text = file.text.as_str();
    let relevant = mentions_aws_auth(text);
    // names spelled with escapes: parsed to find out, relevant only if an aws-auth turns up
    let escaped = !relevant && has_name_escapes(text);
    let mut out = FileLoad {
        file: Arc::clone(&file),
        objects: Vec::new(),
        syntax_errors: Vec::new(),
        relevant,
        template: None,
        rbac: Vec::new(),
        terraform: false,
        access: AccessDecls::default(),
    };
    // RBAC that can rewrite aws-auth or binds system:masters is read from any manifest
    let rbac = rbac::may_hold_rbac(text);
    let access = detect::may_hold_access(text);
    if !relevant && !rbac && !escaped && !access {
        return out;
    }
    // a broken file that declares cluster access is worth a syntax error
    out.relevant |= access;
    let normalized;
    let parse_text = match yaml::v2_line_breaks(text) {
        Some(t) => {
            normalized = t;
            normalized.as_str()
        }
        None => text,
    };
    // Helm/Jinja files are not linted whether or not they happen to parse (their values are not
    // what the cluster gets), but `inspect` still shows what they hold as written; the two
    // scans are independent, and run side by side in a large file
    let (stream, strong) = if text.len() >= 64 * 1024 {
        crate::par::join(
            || yaml::parse_stream(parse_text),
            || find_strong_template(text),
        )
    } else {
        (yaml::parse_stream(parse_text), find_strong_template(text))
    };
    out.syntax_errors = stream.errors;
    out.template = strong;
    if out.template.is_none() && !out.syntax_errors.is_empty() {
        out.template = find_foreign_template(text);
    }
    let wanted = Wanted {
        aws_auth: relevant || escaped,
        rbac,
        access,
    };
    for doc in &stream.documents {
        if let Some(root) = &doc.root {
            read_documents(&file, doc.index, root, wanted, &mut out);
        }
    }
    if escaped && !out.objects.is_empty() {
        out.relevant = true;
    }
    // a `${...}` placeholder where a mapping or a whole section should be: the file is a
    // template, and what it maps is only known once rendered
    if out.template.is_none() {
        out.template = detect::find_placeholder(&file, &out.objects);
    }
    out
}

/// Offers a YAML document to the source formats: its root, or each item of a top-level
/// `kind: List` (a list inside a list is not read).
fn read_documents(
    file: &Arc<SourceFile>,
    index: usize,
    root: &Node,
    wanted: Wanted,
    out: &mut FileLoad,
) {
    let kind = root.get("kind").and_then(Node::as_str);
    let mut offer = |root: &Node, kind: Option<&str>| {
        let document = Document {
            file,
            index,
            root,
            kind,
        };
        read_document(&document, wanted, out);
    };
    if kind == Some("List") {
        for item in root.get("items").and_then(Node::as_seq).unwrap_or_default() {
            let kind = item.get("kind").and_then(Node::as_str);
            if kind != Some("List") {
                offer(item, kind);
            }
        }
    } else {
        offer(root, kind);
    }
}

/// Reads a document with the first wanted format that takes it.
fn read_document(doc: &Document<'_>, wanted: Wanted, out: &mut FileLoad) {
    if doc.root.as_map().is_none() {
        return;
    }
    let format = FORMATS.iter().find(|f| {
        let is_wanted = match f.reads {
            Reads::AwsAuth(_) => wanted.aws_auth,
            Reads::Rbac(_) => wanted.rbac,
        };
        is_wanted && (f.takes)(doc)
    });
    match format.map(|f| &f.reads) {
        Some(Reads::AwsAuth(read)) => out.objects.extend(read(doc)),
        Some(Reads::Rbac(read)) => out.rbac.extend(read(doc)),
        None => {}
    }
    if wanted.access {
        for read in ACCESS_READERS {
            read(doc, &mut out.access);
        }
    }
}

/// A string field read from a node of the outer document (none when the node is not a string,
/// or an alias to text past the file's end).
fn scalar_field(file: &SourceFile, node: Option<&Node>) -> Option<Field> {
    let node = node?;
    node.as_str()
        .map(|v| Field {
            value: v.to_owned(),
            span: node.span.clone(),
        })
        .filter(|_| node.resolved().span.end <= file.text.len())
}

/// The `groups` of a mapping written as a YAML list (eksctl, CAPA, `IAMIdentityMapping`): each
/// item as written, a non-string as an empty group.
fn group_fields(node: Option<&Node>) -> Vec<Field> {
    node.and_then(|n| n.get("groups"))
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .map(|g| Field {
            value: g.as_str().unwrap_or_default().to_owned(),
            span: g.span.clone(),
        })
        .collect()
}

/// A source of `kind` read from a document, with nothing in it yet.
fn new_object(file: &Arc<SourceFile>, document: usize, kind: SourceKind, root: &Node) -> AwsAuth {
    new_object_at(file, document, kind, root.span.clone())
}

/// A source of `kind` spanning `span` of a file, with nothing in it yet.
fn new_object_at(file: &Arc<SourceFile>, document: usize, kind: SourceKind, span: Span) -> AwsAuth {
    AwsAuth {
        file: Arc::clone(file),
        document,
        kind,
        span,
        name: None,
        namespace: None,
        misplaced_metadata: Vec::new(),
        metadata_span: None,
        ignore_annotation: None,
        rejected: Vec::new(),
        data_keys: Vec::new(),
        sections: Vec::new(),
        entries: Vec::new(),
        accounts: Vec::new(),
        issues: Vec::new(),
        effective: Effective::default(),
        terraform: None,
    }
}

/// Sections with at least this many items are converted and decoded in two halves at once.
const PARALLEL_ITEMS: usize = 1024;

/// `items.iter().map(f).collect()`, for a long slice in two halves at once.
fn map_in_halves<T: Sync, U: Send>(items: &[T], f: impl Fn(&T) -> U + Sync) -> Vec<U> {
    if items.len() < PARALLEL_ITEMS {
        return items.iter().map(&f).collect();
    }
    let (head, tail) = items.split_at(items.len() / 2);
    let (mut out, tail) = crate::par::join(
        || {
            let mut out = Vec::with_capacity(items.len());
            out.extend(head.iter().map(&f));
            out
        },
        || tail.iter().map(&f).collect::<Vec<_>>(),
    );
    out.extend(tail);
    out
}

/// Marks lost and shadowed entries and computes the effective store
/// ([`crate::model::effective`]).
fn finish(obj: &mut AwsAuth) {
    obj.effective = Effective::settle_with(
        obj,
        |entries, roles| map_in_halves(roles, |&i| EffectiveRole::of(&entries[i])),
        |entries, users| map_in_halves(users, |&i| EffectiveUser::of(&entries[i])),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{SectionState, Status};

    /// The YAML and JSON files under a directory.
    fn manifests(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("read fixtures") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                manifests(&path, out);
            } else if path
                .extension()
                .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
            {
                out.push(path);
            }
        }
    }

    #[test]
    fn no_two_formats_take_a_document() {
        let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let mut paths = Vec::new();
        manifests(&fixtures, &mut paths);
        let mut taken = [0; FORMATS.len()];
        for path in paths {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let file = SourceFile::new(path.to_string_lossy(), text);
            let stream = yaml::parse_stream(&file.text);
            let roots = stream.documents.iter().filter_map(|d| d.root.as_ref());
            let items = roots
                .clone()
                .flat_map(|r| match r.get("kind").and_then(Node::as_str) {
                    Some("List") => r.get("items").and_then(Node::as_seq).unwrap_or_default(),
                    _ => &[],
                });
            for root in roots.chain(items).filter(|r| r.as_map().is_some()) {
                let kind = root.get("kind").and_then(Node::as_str);
                let doc = Document {
                    file: &file,
                    index: 0,
                    root,
                    kind,
                };
                let takers: Vec<usize> = (0..FORMATS.len())
                    .filter(|&i| (FORMATS[i].takes)(&doc))
                    .collect();
                assert!(takers.len() <= 1, "{}: {takers:?}", path.display());
                for i in takers {
                    taken[i] += 1;
                }
            }
        }
        // every format takes some fixture
        assert!(taken.iter().all(|&n| n > 0), "{taken:?}");
    }

    fn load(sections: &str) -> AwsAuth {
        let text = format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n{sections}"
        );
        let mut l = load_file(SourceFile::new("t.yaml", text));
        assert_eq!(l.objects.len(), 1, "{:?}", l.syntax_errors);
        l.objects.remove(0)
    }

    fn roles(obj: &AwsAuth) -> Vec<(String, String)> {
        obj.effective
            .roles
            .iter()
            .map(|r| (r.rolearn.clone().unwrap_or_default(), r.username.clone()))
            .collect()
    }

    #[test]
    fn case_variant_keys_the_one_sorting_last_wins() {
        // sigs.k8s.io/yaml sorts keys, then encoding/json matches case-insensitively
        let obj = load(
            "  mapRoles: |\n    - rolearn: arn:aws:iam::1:role/a\n      UserName: first\n      username: second\n    - roleARN: arn:aws:iam::1:role/b\n      username: x\n      Username: y\n",
        );
        assert_eq!(
            roles(&obj),
            [
                ("arn:aws:iam::1:role/a".into(), "second".into()),
                ("arn:aws:iam::1:role/b".into(), "x".into())
            ]
        );
    }

    #[test]
    fn a_wrong_typed_duplicate_leaves_the_earlier_value() {
        let obj = load(
            "  mapRoles: |\n    - rolearn: arn:aws:iam::1:role/a\n      Username: kept\n      username: 12\n",
        );
        assert_eq!(
            roles(&obj),
            [("arn:aws:iam::1:role/a".into(), "kept".into())]
        );
    }

    #[test]
    fn roles_are_last_wins_case_insensitively_users_exactly() {
        let obj = load(
            "  mapRoles: |\n    - rolearn: arn:aws:iam::1:role/Dev\n      username: a\n    - rolearn: arn:aws:iam::1:role/dev\n      username: b\n  mapUsers: |\n    - userarn: arn:aws:iam::1:user/x\n      username: a\n    - userarn: arn:aws:iam::1:user/x\n      username: b\n",
        );
        assert_eq!(
            roles(&obj),
            [("arn:aws:iam::1:role/dev".into(), "b".into())]
        );
        assert_eq!(obj.entries[0].status, Status::Shadowed { by: 1 });
        assert_eq!(obj.effective.users.len(), 1);
        assert_eq!(obj.effective.users[0].username, "b");
    }

    #[test]
    fn a_broken_section_loses_only_itself() {
        let obj = load(
            "  mapRoles: |\n    - rolearn: arn:aws:iam::1:role/a\n      username: {{SessionName}}\n  mapUsers: |\n    - userarn: arn:aws:iam::1:user/x\n  mapAccounts: |\n    - 012345678901\n    - ~\n    - {a: 1}\n",
        );
        assert!(obj.effective.roles.is_empty());
        assert!(matches!(
            obj.sections[0].state,
            SectionState::ConversionError { template: true, .. }
        ));
        assert_eq!(
            obj.entries[0].status,
            Status::Lost("`mapRoles` fails to load".into())
        );
        assert_eq!(obj.effective.users.len(), 1);
        assert_eq!(obj.effective.accounts, ["012345678901", ""]);
    }

    #[test]
    fn a_long_section_decodes_like_a_short_one() {
        // long enough to be converted and decoded in halves; every 7th role repeats an earlier
        // one in another case, every 11th has a wrong-typed username, users repeat too
        let (n, m) = (1500, 1200);
        let mut text = String::from("  mapRoles: |\n");
        for i in 0..n {
            let arn = if i % 7 == 6 {
                format!("arn:aws:iam::1:role/R{}", i % 50)
            } else {
                format!("arn:aws:iam::1:role/r{i}")
            };
            let username = if i % 11 == 0 {
                "12".into()
            } else {
                format!("u{i}")
            };
            text.push_str(&format!(
                "    - rolearn: {arn}\n      username: {username}\n"
            ));
        }
        text.push_str("  mapUsers: |\n");
        for i in 0..m {
            text.push_str(&format!(
                "    - userarn: arn:aws:iam::1:user/u{}\n",
                i % 300
            ));
        }
        let obj = load(&text);
        assert_eq!(obj.entries.len(), n + m);
        for (i, e) in obj.entries.iter().enumerate() {
            assert_eq!(e.index, if i < n { i } else { i - n });
        }
        let issues = &obj.sections[0].issues;
        assert_eq!(issues.len(), n.div_ceil(11));
        assert!(issues.windows(2).all(|w| w[0].span.start < w[1].span.start));
        // each entry stored under a key is shadowed by the next one under it
        for (i, e) in obj.entries.iter().enumerate() {
            let key = e.key().unwrap();
            let next = (i + 1..obj.entries.len()).find(|&j| {
                obj.entries[j].section == e.section && obj.entries[j].key().as_ref() == Some(&key)
            });
            match next {
                Some(by) => assert_eq!(e.status, Status::Shadowed { by }, "{i}"),
                None => assert_eq!(e.status, Status::Effective, "{i}"),
            }
        }
        let keys: Vec<String> = obj
            .effective
            .roles
            .iter()
            .map(|r| r.rolearn.clone().unwrap().to_lowercase())
            .collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]));
        let stored = obj.entries[..n]
            .iter()
            .filter(|e| e.status == Status::Effective);
        assert_eq!(keys.len(), stored.count());
        assert_eq!(obj.effective.users.len(), 300);
        assert_eq!(obj.effective.users[0].userarn, "arn:aws:iam::1:user/u0");
    }

    #[test]
    fn skippable_and_json_sections() {
        let obj = load("  mapRoles: \"''\"\n  mapUsers: '{\"userarn\": \"x\"}'\n");
        assert_eq!(obj.sections[0].state, SectionState::Skipped);
        assert!(matches!(
            obj.sections[1].state,
            SectionState::NotList {
                found: "mapping",
                ..
            }
        ));
    }
}
