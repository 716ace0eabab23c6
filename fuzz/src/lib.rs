//! The bodies of the fuzz targets, in one place for two callers: `cargo fuzz run <target>` (the
//! one-line files in `fuzz/fuzz_targets/`) and the main crate's `cargo test` (`tests/fuzz.rs`
//! includes this file as a module and replays every input under `fuzz/regressions/<target>/`).
//!
//! A body must not panic on any input; the assertions below are the other invariants the
//! fuzzers check. Only awsauth's public API is used, by absolute paths, so the file compiles
//! both as this crate's root and as a module of a test.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use awsauth::config::Settings;
use awsauth::diagnostic::Diagnostic;
use awsauth::load::{FileLoad, load_file};
use awsauth::model::{DecodeIssue, DecodeIssueKind, Field, SectionState};
use awsauth::render::{self, Summary, human, inspect};
use awsauth::source::{SourceFile, Span};
use awsauth::yaml::{Node, NodeKind, Style};

/// `load`: one file from arbitrary bytes, read as the tool reads a file (UTF-8 or UTF-16 with a
/// byte-order mark; binary and invalid UTF-8 are errors), loaded, and shown by `inspect`.
pub fn load(data: &[u8]) {
    let Ok(file) = awsauth::discover::decode("fuzz.yaml", data.to_vec()) else {
        return;
    };
    let load = load_file(file);
    check_load(&load);
    check_prefilter("fuzz.yaml", data, &load);
    render_inspect(&load);
}

/// A file the walk's prefilter skips (`load::may_matter`, on its bytes) loads to nothing and
/// holds no suppression comment: skipping it loses nothing.
fn check_prefilter(name: &str, data: &[u8], load: &FileLoad) {
    // (a walk searches UTF-16 and UTF-32 after decoding them)
    if awsauth::discover::is_wide(data) || awsauth::load::may_matter(name, data) {
        return;
    }
    assert!(
        load.holds_nothing(),
        "{name}: the prefilter skips it, but it loads to something"
    );
    assert!(!load.file.text.contains(awsauth::load::SUPPRESSION_MARKER));
}

/// `section`: the input as the value of `mapRoles`, `mapUsers` and `mapAccounts` of a `ConfigMap`,
/// written in each scalar style; every position mapped from the nested YAML to the file must be
/// in the file, on a character boundary, and point at the text it was decoded from. The input is
/// also loaded as the YAML lists of a CAPA control plane and as an `IAMIdentityMapping`'s `spec`.
pub fn section(data: &[u8]) {
    let Ok(value) = std::str::from_utf8(data) else {
        return;
    };
    // where awsauth skips re-enacting yaml.v2 (the vouched line shapes), granit-parser's
    // acceptance must be yaml.v2's too
    if awsauth::yaml::v2_error::surely_accepted(value) && awsauth::yaml::parse_first(value).is_ok()
    {
        assert!(
            awsauth::yaml::v2_error::first_document(value).is_ok(),
            "vouched for, but yaml.v2 refuses: {value:?}"
        );
    }
    for style in Written::ALL {
        let text = configmap(value, style);
        let load = load_file(SourceFile::new(format!("{style:?}.yaml"), text));
        check_load(&load);
        check_maps(&load);
    }
    // the sources whose mappings are YAML of the manifest itself: the same text as the lists
    // of a Cluster API control plane, and as the `spec` of an `IAMIdentityMapping`
    for (name, text) in structured(value) {
        let load = load_file(SourceFile::new(name, text));
        check_load(&load);
    }
}

/// `value` written as YAML of a manifest, not inside a string: the `mapRoles` and `mapUsers`
/// of a CAPA `AWSManagedControlPlane`, and the `spec` of an `IAMIdentityMapping` (its first
/// item's `- ` made spaces).
pub fn structured(value: &str) -> [(&'static str, String); 2] {
    let indent = |text: &str, by: &str| text.replace('\n', &format!("\n{by}"));
    let list = indent(value, "      ");
    let capa = format!(
        "apiVersion: controlplane.cluster.x-k8s.io/v1beta2\nkind: AWSManagedControlPlane\nmetadata:\n  name: fuzz\nspec:\n  iamAuthenticatorConfig:\n    mapRoles:\n      {list}\n    mapUsers:\n      {list}\n"
    );
    let item = value.trim_start();
    let spec = indent(
        &item
            .strip_prefix("- ")
            .map_or_else(|| item.to_owned(), |rest| format!("  {rest}")),
        "  ",
    );
    let crd = format!(
        "apiVersion: iamauthenticator.k8s.aws/v1alpha1\nkind: IAMIdentityMapping\nmetadata:\n  name: fuzz\nspec:\n  {spec}\n"
    );
    [("capa.yaml", capa), ("iam-identity-mapping.yaml", crd)]
}

/// `lint`: one file from arbitrary bytes through the whole lint pipeline with every rule on
/// (`prefer-access-entries` too), cluster facts, allow lists and policies, under both
/// authenticator profiles; then every output format and a baseline round trip; then
/// `migrate`'s plan of it (and the input as an `--iam-roles` file).
pub fn lint(data: &[u8]) {
    lint_as("fuzz.yaml", data);
}

/// `terraform`: one `.tf` file from arbitrary bytes, parsed and evaluated (HCL, `yamlencode`,
/// `jsonencode`, heredocs, the eks module's inputs), loaded, checked like `load` (every position
/// mapped back into the file is in it, on a character boundary), then through `lint` as above;
/// then the same bytes as a `.tf.json` file (Terraform's JSON syntax, transpiled in place).
pub fn terraform(data: &[u8]) {
    for name in ["fuzz.tf", "fuzz.tf.json"] {
        let Ok(file) = awsauth::discover::decode(name, data.to_vec()) else {
            return;
        };
        let load = load_file(file);
        check_load(&load);
        check_prefilter(name, data, &load);
        check_produced_maps(&load);
        lint_as(name, data);
    }
}

/// Positions of sections Terraform produced (`yamlencode`, templates) are in the file and on
/// character boundaries; they point at what produced each character, not at a copy of it.
fn check_produced_maps(load: &FileLoad) {
    for obj in &load.objects {
        for s in &obj.sections {
            for (i, _) in s.text.char_indices() {
                check_span(&load.file, &s.outer(&(i..i + 1)), "produced position");
            }
            let Some(root) = &s.root else { continue };
            check_inner(root, &s.text);
            each_node(root, &mut |node| {
                check_span(&load.file, &s.outer(&node.span), "inner node");
            });
        }
    }
}

/// The body of `lint`, for a file named `name` (which decides how it is read).
fn lint_as(name: &str, data: &[u8]) {
    let Ok(file) = awsauth::discover::decode(name, data.to_vec()) else {
        return;
    };
    let load = load_file(file);
    let path = Path::new(name);
    for settings in lint_settings() {
        let mut diags = awsauth::lint::lint_file(&load, Some(path), settings);
        diags.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        for d in &diags {
            check_diagnostic(d);
        }
        let summary = Summary::new(1, load.objects.len(), &diags);
        // whatever the file holds, nothing it holds reaches the terminal or the runner raw
        check_printable("human", &human::render(&diags, &summary, true), true);
        check_printable("human", &human::render(&diags, &summary, false), false);
        check_printable("concise", &render::concise(&diags), false);
        check_printable("json", &render::json::render(&diags, &summary), false);
        let places = render::location::Places::new();
        check_annotations(&render::github(&diags, &places));
        check_printable("sarif", &render::sarif::render(&diags, &places), false);
        check_printable("gitlab", &render::gitlab::render(&diags, &places), false);
        check_printable("junit", &render::junit::render(&diags, &places), false);
        // a baseline of the findings hides every one of them
        let base = Path::new(".");
        let baseline = awsauth::baseline::build(&diags, base);
        let n = diags.len();
        assert_eq!(awsauth::baseline::filter(&mut diags, &baseline, base), n);
    }
    render_inspect(&load);
    render_migrate(data, &load);
    render_access(load);
}

/// `awsauth access` of the loaded file: every principal, and who can do a few things, in both
/// formats; nothing panics (a panic is caught and reported as a crash, which fails here), and
/// what is printed is printable.
fn render_access(load: FileLoad) {
    use awsauth::reach::{Format, Query, run};
    let loaded = [awsauth::lint::inputs::Loaded {
        load,
        settings: std::sync::Arc::new(Settings::new(awsauth::rules::RULES)),
        path: None,
        stdin: false,
    }];
    let can = |verb: &str, resource: &str, ns: Option<&str>| {
        let words = [verb.to_owned(), resource.to_owned()];
        Query::new(Some(&words), ns, None, None).expect("a request")
    };
    let queries = [
        Query::All,
        Query::Principal("arn:aws:iam::111122223333:role/admin".to_owned()),
        can("get", "secrets", Some("default")),
        can("*", "*", None),
    ];
    for query in &queries {
        for format in [Format::Human, Format::Json] {
            let mut crashes = Vec::new();
            let out = run(&loaded, query, format, &mut crashes);
            assert!(crashes.is_empty(), "awsauth access panicked");
            check_printable("access", &out.text, false);
        }
    }
}

/// `awsauth migrate` of the loaded file (each of its aws-auth sources planned, rendered in every
/// format), and the input read as an `--iam-roles` file (`aws iam list-roles` JSON): neither
/// panics, and what is printed is printable.
fn render_migrate(data: &[u8], load: &FileLoad) {
    let roles = std::str::from_utf8(data)
        .ok()
        .and_then(|t| awsauth::migrate::paths::IamRoles::parse(t).ok());
    let opts = awsauth::migrate::Options {
        cluster: "fuzz".to_owned(),
        partition: None,
        account_id: None,
        iam_roles: roles,
        self_managed: vec!["eks-node".to_owned()],
    };
    for obj in &load.objects {
        if let Ok(plan) = awsauth::migrate::plan(obj, &opts) {
            check_printable(
                "migrate table",
                &awsauth::migrate::render::table(&plan),
                false,
            );
            check_printable(
                "migrate json",
                &awsauth::migrate::render::json(&plan),
                false,
            );
            for (name, text) in [
                (
                    "migrate terraform",
                    awsauth::migrate::iac::terraform::render(&plan),
                ),
                (
                    "migrate cloudformation",
                    awsauth::migrate::iac::cloudformation::render(&plan),
                ),
                (
                    "migrate aws-cli",
                    awsauth::migrate::iac::awscli::render(&plan),
                ),
                (
                    "migrate eksctl",
                    awsauth::migrate::iac::eksctl::render(&plan),
                ),
            ] {
                check_printable(name, &text, false);
            }
        }
    }
}

/// `config`: a configuration file (`.awsauth.yaml`) from arbitrary bytes, in a folder of this
/// process (see [`config_in`]).
pub fn config(data: &[u8]) {
    static DIR: OnceLock<Option<PathBuf>> = OnceLock::new();
    let dir = DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("awsauth-fuzz-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).ok().map(|()| dir)
    });
    if let Some(dir) = dir {
        config_in(dir, data);
    }
}

/// The configuration loader on `data` written to `dir/.awsauth.yaml` (beside a valid
/// `base.yaml` it may extend): errors are rendered as the command line shows them, valid
/// settings are queried and lint a sample `ConfigMap`.
pub fn config_in(dir: &Path, data: &[u8]) {
    let base = dir.join("base.yaml");
    if !base.exists() && std::fs::write(&base, LINT_CONFIG).is_err() {
        return;
    }
    let path = dir.join(".awsauth.yaml");
    if std::fs::write(&path, data).is_err() {
        return;
    }
    match awsauth::config::load(&path, awsauth::rules::RULES) {
        Err(errors) => {
            for e in errors {
                let _ = e.concise();
                if let Some(d) = e.diagnostic() {
                    check_diagnostic(&d);
                    let _ = human::render_one(&d, false);
                }
            }
        }
        Ok(settings) => {
            let linted = dir.join("sub/aws-auth.yaml");
            for rule in awsauth::rules::RULES {
                let _ = settings.enabled(rule);
                let _ = settings.severity(rule);
                let _ = settings.ignored_for(Some(&linted), rule);
            }
            let _ = settings
                .cluster
                .is_break_glass("arn:aws:iam::111122223333:role/break-glass");
            let load = load_file(SourceFile::new("aws-auth.yaml", SAMPLE));
            for d in awsauth::lint::lint_file(&load, Some(&linted), &settings) {
                check_diagnostic(&d);
                let _ = human::render_one(&d, false);
            }
            let _ = awsauth::lint::unused_allows(&[std::sync::Arc::new(settings)], &[]);
        }
    }
}

/// The configuration of the `lint` target: every rule, with cluster facts and policies.
const LINT_CONFIG: &str = include_str!("../lint.awsauth.yaml");

/// The same under the release-0.5 authenticator (case-sensitive keys, no `sso`).
const LINT_CONFIG_05: &str = "extends: base.yaml\ncluster:\n  authenticator: \"0.5\"\n";

/// A `ConfigMap` for the `config` target's settings to lint.
const SAMPLE: &str = include_str!("../../fixtures/examples/aws-auth.yaml");

/// The settings of the `lint` target, read once per process from a folder removed right after.
fn lint_settings() -> &'static [Settings] {
    static SETTINGS: OnceLock<Vec<Settings>> = OnceLock::new();
    SETTINGS.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("awsauth-fuzz-lint-{}", std::process::id()));
        let write = |name: &str, text: &str| {
            std::fs::create_dir_all(&dir).expect("a temporary folder");
            let path = dir.join(name);
            std::fs::write(&path, text).expect("a temporary file");
            path
        };
        // only written: settings loaded and dropped would leak their policies' rules (leaked on
        // purpose, for the run), which LeakSanitizer reports
        write("base.yaml", LINT_CONFIG);
        let settings = [
            (".awsauth.yaml", LINT_CONFIG),
            ("release-0.5.yaml", LINT_CONFIG_05),
        ]
        .map(|(name, text)| {
            awsauth::config::load(&write(name, text), awsauth::rules::RULES)
                .unwrap_or_else(|e| panic!("the lint target's configuration: {e:?}"))
        })
        .into();
        let _ = std::fs::remove_dir_all(&dir);
        settings
    })
}

fn render_inspect(load: &FileLoad) {
    let objects: Vec<&awsauth::model::AwsAuth> = load.objects.iter().collect();
    check_printable("inspect", &inspect::table(&objects), false);
    check_printable("inspect json", &inspect::json(&objects), false);
}

// ---------------------------------------------------------------------------------------------
// Invariants

/// A span of `file`: in order, inside the text, on character boundaries.
fn check_span(file: &SourceFile, span: &Span, what: &str) {
    let text = &file.text;
    assert!(
        span.start <= span.end && span.end <= text.len(),
        "{}: {what}: span {span:?} is not inside the file ({} bytes)",
        file.name,
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{}: {what}: span {span:?} splits a character of {:?}",
        file.name,
        String::from_utf8_lossy(
            &text.as_bytes()[span.start.saturating_sub(3)..(span.end + 3).min(text.len())]
        )
    );
}

fn check_field(file: &SourceFile, field: &Field, what: &str) {
    check_span(file, &field.span, what);
}

fn check_issue(file: &SourceFile, issue: &DecodeIssue) {
    check_span(file, &issue.span, "decode issue");
    if let DecodeIssueKind::DuplicateKey { first, .. } = &issue.kind {
        check_span(file, first, "first key of a duplicate");
    }
}

/// Every span of the loaded model is a span of the file.
fn check_load(load: &FileLoad) {
    let file = &*load.file;
    for e in &load.syntax_errors {
        assert!(e.offset <= file.text.len(), "syntax error at {}", e.offset);
    }
    if let Some(t) = &load.template {
        check_span(file, t, "template");
    }
    for obj in &load.objects {
        assert!(std::sync::Arc::ptr_eq(&obj.file, &load.file));
        check_span(file, &obj.span, "object");
        for f in obj
            .name
            .iter()
            .chain(&obj.namespace)
            .chain(&obj.ignore_annotation)
        {
            check_field(file, f, "metadata field");
        }
        for (_, f) in &obj.misplaced_metadata {
            check_field(file, f, "misplaced metadata");
        }
        if let Some(s) = &obj.metadata_span {
            check_span(file, s, "metadata key");
        }
        for r in &obj.rejected {
            check_span(file, &r.key_span, "rejected key");
            check_span(file, &r.value_span, "rejected value");
        }
        for k in &obj.data_keys {
            check_field(file, k, "data key");
        }
        for s in &obj.sections {
            check_span(file, &s.key_span, "section key");
            check_span(file, &s.value_span, "section value");
            match &s.state {
                SectionState::SyntaxError { span, .. }
                | SectionState::ConversionError { span, .. }
                | SectionState::NotList { span, .. } => check_span(file, span, "section state"),
                SectionState::Loaded | SectionState::Skipped => {}
            }
            for i in &s.issues {
                check_issue(file, i);
            }
        }
        for e in &obj.entries {
            check_span(file, &e.span, "entry");
            for f in e.arn.iter().chain(&e.username).chain(&e.groups) {
                check_field(file, f, "entry field");
            }
        }
        for a in &obj.accounts {
            check_span(file, &a.span, "account");
        }
        for i in &obj.issues {
            check_issue(file, i);
        }
    }
    for r in &load.rbac {
        check_span(file, &r.span, "rbac object");
        for f in r.name.iter().chain(&r.namespace) {
            check_field(file, f, "rbac metadata");
        }
        for rule in &r.rules {
            check_span(file, &rule.span, "rbac rule");
        }
        for s in &r.subjects {
            check_field(file, &s.name, "rbac subject");
        }
        if let Some(role_ref) = &r.role_ref {
            check_field(file, &role_ref.name, "rbac roleRef");
        }
    }
    check_access(load);
    check_rbac(load);
}

/// The file's RBAC over the built-in one: what it grants a few identities, summarised, and
/// what it gains over the built-in RBAC alone, computed without a panic; every grant holds what
/// its role holds.
fn check_rbac(load: &FileLoad) {
    use awsauth::model::cluster::Identity;
    use awsauth::model::rbac::{Rbac, gained, request::capabilities};
    if load.rbac.is_empty() {
        return;
    }
    let with = Rbac::new(&load.rbac);
    let without = Rbac::new(&[]);
    let mut groups: std::collections::BTreeSet<String> = load
        .rbac
        .iter()
        .flat_map(|o| o.subjects.iter().map(|s| s.name.value.clone()))
        .take(8)
        .collect();
    groups.insert("system:masters".to_owned());
    for username in [None, Some("admin:{{SessionName}}"), Some("alice")] {
        let identity = Identity {
            username: username.map(str::to_owned),
            groups: groups.clone(),
            policies: std::collections::BTreeSet::new(),
        };
        let (after, before) = (with.grants(&identity), without.grants(&identity));
        for g in &after {
            if let Some(role) = g.role {
                assert!(g.rules.len() >= role.rules.len().min(1) || role.aggregation.is_some());
            }
        }
        let _ = capabilities(&after);
        let _ = gained(&before, &after);
    }
}

/// Every access entry, association and cluster setting is of the file, its spans in it.
fn check_access(load: &FileLoad) {
    let file = &*load.file;
    let access = &load.access;
    let policy = |p: &awsauth::model::access_entries::PolicyAssociation| {
        check_span(file, &p.span, "access policy");
        for f in p.policy.iter().chain(&p.scope).chain(&p.namespaces) {
            check_field(file, f, "access policy field");
        }
    };
    for e in &access.entries {
        assert!(std::sync::Arc::ptr_eq(&e.file, &load.file));
        check_span(file, &e.span, "access entry");
        for f in e
            .cluster
            .iter()
            .chain(&e.principal)
            .chain(&e.entry_type)
            .chain(&e.username)
            .chain(&e.groups)
        {
            check_field(file, f, "access entry field");
        }
        e.policies.iter().for_each(policy);
    }
    for a in &access.associations {
        assert!(std::sync::Arc::ptr_eq(&a.file, &load.file));
        for f in a.cluster.iter().chain(&a.principal) {
            check_field(file, f, "association field");
        }
        policy(&a.policy);
    }
    for c in &access.configs {
        assert!(std::sync::Arc::ptr_eq(&c.file, &load.file));
        check_span(file, &c.span, "access config");
        for f in c.cluster.iter().chain(&c.mode).chain(&c.bootstrap_admin) {
            check_field(file, f, "access config field");
        }
    }
}

/// Output safe to print (README "Output"): no control character but the line break (colour
/// sequences with `sgr`), no line the GitHub Actions runner reads as a workflow command (`::`
/// after white space; `##[` anywhere).
fn check_printable(what: &str, out: &str, sgr: bool) {
    let plain = if sgr {
        strip_colours(out)
    } else {
        out.to_owned()
    };
    if let Some(c) = plain
        .chars()
        .find(|&c| c != '\n' && awsauth::render::escape::is_unsafe(c))
    {
        panic!("{what}: raw {c:?} in {out:?}");
    }
    for line in plain.lines() {
        assert!(
            !awsauth::render::escape::starts_command(line),
            "{what}: a workflow command: {line:?}"
        );
    }
    assert!(!out.contains("##["), "{what}: `##[` in {out:?}");
}

/// `s` without colour sequences (`ESC [ 0-9; m`).
fn strip_colours(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("\u{1b}[") {
        out.push_str(&rest[..i]);
        let tail = &rest[i + 2..];
        let n = tail
            .find(|c: char| !(c.is_ascii_digit() || c == ';'))
            .unwrap_or(tail.len());
        if tail[n..].starts_with('m') {
            rest = &tail[n + 1..];
        } else {
            out.push('\u{1b}');
            rest = &rest[i + 1..];
        }
    }
    out.push_str(rest);
    out
}

/// `--format github`: one annotation a line, nothing raw in it.
fn check_annotations(out: &str) {
    for line in out.lines() {
        assert!(
            ["::error file=", "::warning file=", "::notice file="]
                .iter()
                .any(|p| line.starts_with(p)),
            "not an annotation: {line:?}"
        );
        assert!(
            !line.chars().any(awsauth::render::escape::is_unsafe),
            "raw control in {line:?}"
        );
    }
}

/// A finding's spans are spans of its file.
fn check_diagnostic(d: &Diagnostic) {
    check_span(&d.file, &d.span, d.rule.name);
    for l in &d.secondary {
        check_span(&d.file, &l.span, d.rule.name);
    }
}

/// The position maps of the sections: where a map is exact, every decoded character sits at
/// its outer position (or at the escape or line break it was decoded from), and an inner scalar
/// copied verbatim has its own text at its outer span (which checks where the span ends).
fn check_maps(load: &FileLoad) {
    let text = &load.file.text;
    for obj in &load.objects {
        for s in &obj.sections {
            if let Some(root) = &s.root {
                check_inner(root, &s.text);
            }
            if !s.map.is_exact() {
                // coarse: every position is the start of the value (checked by `check_load`)
                continue;
            }
            for (i, c) in s.text.char_indices() {
                let o = s.map.outer(i);
                assert!(
                    o <= text.len() && text.is_char_boundary(o),
                    "{:?} {i} maps to {o}",
                    s.style
                );
                let at = &text[o..];
                let decoded = at.starts_with(c)
                    || (s.style == Style::DoubleQuoted && at.starts_with('\\'))
                    || (matches!(c, ' ' | '\n') && at.starts_with(['\n', '\r']));
                assert!(
                    decoded,
                    "{:?}: {c:?} at {i} maps to {o}, where the file has {:?}",
                    s.style,
                    at.chars().take(8).collect::<String>()
                );
            }
            let Some(root) = &s.root else { continue };
            each_node(root, &mut |node| {
                let inner = &node.span;
                let outer = s.outer(inner);
                check_span(&load.file, &outer, "inner node");
                if !matches!(node.kind, NodeKind::Scalar { .. }) {
                    return;
                }
                // a scalar whose characters all sit one after another, each at its own copy
                // (no escape among them), has exactly its own text at its outer span
                let verbatim = s.text[inner.clone()].char_indices().all(|(k, c)| {
                    let o = s.map.outer(inner.start + k);
                    o == outer.start + k && text[o..].starts_with(c)
                });
                if verbatim {
                    assert_eq!(
                        text.get(outer.clone()),
                        s.text.get(inner.clone()),
                        "{:?}: inner {inner:?} maps to {outer:?}",
                        s.style
                    );
                }
            });
        }
    }
}

/// Inner spans are spans of the section's text.
fn check_inner(root: &Node, text: &str) {
    each_node(root, &mut |node| {
        let s = &node.span;
        assert!(
            s.start <= s.end
                && s.end <= text.len()
                && text.is_char_boundary(s.start)
                && text.is_char_boundary(s.end),
            "inner span {s:?} of a {}-byte section",
            text.len()
        );
    });
}

/// Every node of a tree, keys included (an alias's target is visited where it is anchored).
fn each_node(node: &Node, f: &mut dyn FnMut(&Node)) {
    f(node);
    match &node.kind {
        NodeKind::Scalar { .. } | NodeKind::Alias(_) => {}
        NodeKind::Seq(items) => items.iter().for_each(|i| each_node(i, f)),
        NodeKind::Map(entries) => entries.iter().for_each(|(k, v)| {
            each_node(k, f);
            each_node(v, f);
        }),
    }
}

// ---------------------------------------------------------------------------------------------
// The `section` target's ConfigMaps

/// How the `section` target writes the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Written {
    /// `|2` with the chomping the value needs.
    Literal,
    /// `>2`, the same lines (folding changes the value).
    Folded,
    /// `"..."` on one line, with escapes.
    DoubleQuoted,
    /// `"..."` broken after every `\n` with an escaped line break, as go-yaml (kubectl) writes
    /// long strings.
    DoubleQuotedWrapped,
    /// `'...'`, line breaks as empty lines.
    SingleQuoted,
    /// Plain, line breaks as empty lines.
    Plain,
    /// A JSON manifest: flow mappings and JSON strings.
    Flow,
}

impl Written {
    const ALL: [Self; 7] = [
        Self::Literal,
        Self::Folded,
        Self::DoubleQuoted,
        Self::DoubleQuotedWrapped,
        Self::SingleQuoted,
        Self::Plain,
        Self::Flow,
    ];
}

const KEYS: [&str; 3] = ["mapRoles", "mapUsers", "mapAccounts"];

/// A `ConfigMap` whose three sections hold `value`, written in `style`.
fn configmap(value: &str, style: Written) -> String {
    let written = match style {
        Written::Flow => return json_configmap(value),
        Written::Literal => block(value, '|'),
        Written::Folded => block(value, '>'),
        Written::DoubleQuoted => double_quoted(value, false),
        Written::DoubleQuotedWrapped => double_quoted(value, true),
        Written::SingleQuoted => {
            format!("'{}'", value.replace('\'', "''").replace('\n', "\n\n    "))
        }
        Written::Plain => value.replace('\n', "\n\n    "),
    };
    let mut out = String::from(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n",
    );
    for k in KEYS {
        out.push_str(&format!("  {k}: {written}\n"));
    }
    out
}

/// The `ConfigMap` as JSON (as `kubectl get -o json` prints it).
fn json_configmap(value: &str) -> String {
    let v = json_string(value);
    let data: Vec<String> = KEYS.iter().map(|k| format!("\"{k}\": {v}")).collect();
    format!(
        "{{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {{\"name\": \"aws-auth\", \"namespace\": \"kube-system\"}},\n \"data\": {{{}}}}}\n",
        data.join(",\n  ")
    )
}

/// A block scalar with an explicit indentation of 4 (the keys sit at 2) and the chomping that
/// keeps the value's trailing line breaks.
fn block(value: &str, indicator: char) -> String {
    let chomp = if !value.ends_with('\n') {
        "-"
    } else if value.ends_with("\n\n") {
        "+"
    } else {
        ""
    };
    let mut out = format!("{indicator}2{chomp}\n");
    for line in value.split_inclusive('\n') {
        if line != "\n" {
            out.push_str("    ");
        }
        out.push_str(line);
    }
    if out.ends_with('\n') {
        out.pop();
    }
    out
}

/// A double-quoted scalar: quotes, backslashes, control characters and YAML's extra line breaks
/// escaped; `wrapped` adds an escaped line break after every `\n` (and escapes the space that
/// would then start a line).
fn double_quoted(value: &str, wrapped: bool) -> String {
    let mut out = String::from("\"");
    let mut line_start = false;
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            ' ' if line_start => out.push_str("\\ "),
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}') => {
                out.push_str(&format!("\\u{:04x}", u32::from(c)));
            }
            c => out.push(c),
        }
        line_start = false;
        if wrapped && c == '\n' {
            out.push_str("\\\n    ");
            line_start = true;
        }
    }
    out.push('"');
    out
}

/// A JSON string.
fn json_string(value: &str) -> String {
    let mut out = String::from("\"");
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
