//! Fixture harness: every file under `fixtures/rules/<rule>/` and `fixtures/load/` carries its
//! expected diagnostics inline (`# expect: [col] rule ["substring"]`; a sidecar `<file>.expect`
//! for JSON). The test fails on missing *and* unexpected diagnostics. `fire*` files are also
//! snapshotted in the human format; `fixtures/load/` files have their `inspect` JSON pinned.
mod common;

use std::path::Path;

use awsauth::diagnostic::Diagnostic;
use common::{files, fixture_settings, lint_with, load, root};

#[derive(Debug, Clone, PartialEq)]
struct Expect {
    line: usize,
    column: Option<usize>,
    rule: String,
    contains: Option<String>,
}

fn parse_spec(spec: &str, line: usize) -> Expect {
    let spec = spec.trim();
    let (column, rest) = match spec.split_once(' ') {
        Some((c, rest)) if c.chars().all(|ch| ch.is_ascii_digit()) => (c.parse().ok(), rest.trim()),
        _ => (None, spec),
    };
    let (rule, contains) = match rest.split_once(' ') {
        Some((rule, text)) => (rule, Some(text.trim().trim_matches('"').to_owned())),
        None => (rest, None),
    };
    Expect {
        line,
        column,
        rule: rule.to_owned(),
        contains,
    }
}

/// Reads inline `# expect:` comments: trailing ones apply to their line, own-line ones to the
/// next line that is not itself an annotation.
fn inline_expectations(text: &str) -> Vec<Expect> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut pending: Vec<String> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(pos) = line.find("# expect:") else {
            for spec in pending.drain(..) {
                out.push(parse_spec(&spec, i + 1));
            }
            continue;
        };
        let specs: Vec<String> = line[pos..]
            .split("# expect:")
            .filter(|s| !s.trim().is_empty())
            .map(|s| s.trim().to_owned())
            .collect();
        if line[..pos].trim().is_empty() {
            pending.extend(specs);
        } else {
            for spec in pending.drain(..) {
                out.push(parse_spec(&spec, i + 1));
            }
            for spec in specs {
                out.push(parse_spec(&spec, i + 1));
            }
        }
    }
    assert!(
        pending.is_empty(),
        "an own-line `# expect:` at the end of the file annotates nothing"
    );
    out
}

/// Sidecar `<file>.expect`: `line[:col] rule ["substring"]` per line.
fn sidecar_expectations(path: &Path) -> Vec<Expect> {
    let sidecar = path.with_extension(format!(
        "{}.expect",
        path.extension().unwrap_or_default().to_string_lossy()
    ));
    let Ok(text) = std::fs::read_to_string(&sidecar) else {
        return Vec::new();
    };
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let (pos, rest) = l.trim().split_once(' ')?;
            let (line, col) = match pos.split_once(':') {
                Some((l, c)) => (l.parse().ok()?, c.parse().ok()),
                None => (pos.parse().ok()?, None),
            };
            let mut e = parse_spec(rest, line);
            e.column = col;
            Some(e)
        })
        .collect()
}

fn matches(e: &Expect, d: &Diagnostic) -> bool {
    let lc = d.file.line_col(d.span.start);
    e.rule == d.rule.name
        && e.line == lc.line
        && e.column.is_none_or(|c| c == lc.column)
        && e.contains
            .as_ref()
            .is_none_or(|t| d.message.contains(t.as_str()))
}

fn describe(d: &Diagnostic) -> String {
    let lc = d.file.line_col(d.span.start);
    format!("{}:{} {} {:?}", lc.line, lc.column, d.rule.name, d.message)
}

/// Checks one fixture; returns a failure description.
fn check_fixture(path: &Path, only_rules: Option<&[&str]>) -> Option<String> {
    let text = std::fs::read_to_string(path).expect("fixture is UTF-8");
    let mut expected = if path.extension().is_some_and(|e| e == "json") {
        sidecar_expectations(path)
    } else {
        inline_expectations(&text)
    };
    let loaded = load(path);
    let settings = fixture_settings(path);
    let mut got: Vec<Diagnostic> = lint_with(&loaded, Some(path), &settings)
        .into_iter()
        .filter(|d| only_rules.is_none_or(|r| r.contains(&d.rule.name)))
        .collect();
    let name = path
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    if name.starts_with("no_fire") && !expected.is_empty() {
        return Some(format!(
            "{}: a no_fire fixture has expectations",
            path.display()
        ));
    }
    let mut missing = Vec::new();
    expected.retain(|e| {
        if let Some(i) = got.iter().position(|d| matches(e, d)) {
            got.remove(i);
            false
        } else {
            true
        }
    });
    for e in &expected {
        missing.push(format!(
            "  missing:    {}:{} {}{}",
            e.line,
            e.column.map_or_else(|| "*".into(), |c| c.to_string()),
            e.rule,
            e.contains
                .as_ref()
                .map_or_else(String::new, |t| format!(" {t:?}"))
        ));
    }
    let unexpected: Vec<String> = got
        .iter()
        .map(|d| format!("  unexpected: {}", describe(d)))
        .collect();
    if missing.is_empty() && unexpected.is_empty() {
        None
    } else {
        Some(format!(
            "{}\n{}\n{}",
            path.display(),
            missing.join("\n"),
            unexpected.join("\n")
        ))
    }
}

#[test]
fn rule_fixtures_have_exactly_the_expected_diagnostics() {
    let dir = root().join("fixtures/rules");
    let mut failures = Vec::new();
    let mut count = 0;
    for rule in awsauth::rules::RULES {
        let rule_dir = dir.join(rule.name);
        let fixtures = files(&rule_dir, &["yaml", "yml", "json", "tf"]);
        let fire = fixtures.iter().any(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("fire"))
        });
        let no_fire = fixtures.iter().any(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("no_fire"))
        });
        if !fire || !no_fire {
            failures.push(format!(
                "rule `{}` needs fire* and no_fire* fixtures in {}",
                rule.name,
                rule_dir.display()
            ));
        }
        for path in fixtures {
            count += 1;
            failures.extend(check_fixture(&path, Some(&[rule.name])));
        }
    }
    assert!(count > 0);
    assert!(
        failures.is_empty(),
        "{} fixture(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn fixture_directories_name_real_rules() {
    for entry in std::fs::read_dir(root().join("fixtures/rules"))
        .expect("fixtures/rules")
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        assert!(
            awsauth::rules::find(&name).is_some(),
            "fixtures/rules/{name} is not a rule"
        );
    }
}

/// The rules about loading itself; `fixtures/load/` pins these, the rule fixtures the rest.
const LOADING_RULES: &[&str] = &[
    "data-not-string",
    "duplicate-key",
    "invalid-yaml",
    "malformed-configmap",
    "missing-arn",
    "section-not-list",
    "section-parse-error",
    "templated-file",
    "unquoted-template",
    "value-type-mismatch",
    "wrong-namespace",
];

#[test]
fn load_fixtures_have_exactly_the_expected_diagnostics() {
    let fixtures = files(&root().join("fixtures/load"), &["yaml", "yml", "json"]);
    assert!(!fixtures.is_empty());
    check_all(&fixtures, Some(LOADING_RULES));
}

/// Checks every fixture of `paths` for the expectations of `rules` (all, with `None`).
fn check_all(paths: &[std::path::PathBuf], rules: Option<&[&str]>) {
    let failures: Vec<String> = paths
        .iter()
        .filter_map(|p| check_fixture(p, rules))
        .collect();
    assert!(
        failures.is_empty(),
        "{} fixture(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn load_fixtures_inspect_snapshots() {
    let base = root().join("fixtures/load");
    let paths = files(&base, &["yaml", "yml", "json"]);
    inspect_snapshots(&base, paths, "snapshots/load", false);
}

/// Pins what `inspect --format json` shows of the fixtures `paths` under `base` (with
/// `skip_empty`, only of those that hold a source).
fn inspect_snapshots(
    base: &Path,
    paths: Vec<std::path::PathBuf>,
    snapshots: &str,
    skip_empty: bool,
) {
    for path in paths {
        let loaded = load(&path);
        if skip_empty && loaded.objects.is_empty() {
            continue;
        }
        let objects: Vec<&awsauth::model::AwsAuth> = loaded.objects.iter().collect();
        let json = awsauth::render::inspect::json(&objects);
        let name = path
            .strip_prefix(base)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace(['/', '.'], "_");
        insta::with_settings!({snapshot_path => snapshots, prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!(name, json);
        });
    }
}

#[test]
fn fire_fixtures_human_snapshots() {
    let base = root().join("fixtures/rules");
    for path in files(&base, &["yaml", "yml", "json", "tf"]) {
        let file_name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if !file_name.starts_with("fire") {
            continue;
        }
        // the rule is the first folder under fixtures/rules (sub-folders hold configurations)
        let rel = path.strip_prefix(&base).unwrap_or(&path);
        let rule = rel
            .components()
            .next()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .unwrap_or_default();
        let sub: Vec<String> = rel
            .parent()
            .into_iter()
            .flat_map(Path::components)
            .skip(1)
            .map(|c| c.as_os_str().to_string_lossy().replace('.', "_"))
            .collect();
        let file_name = if sub.is_empty() {
            file_name
        } else {
            format!("{}__{file_name}", sub.join("__"))
        };
        let loaded = load(&path);
        let settings = fixture_settings(&path);
        let rendered: Vec<String> = lint_with(&loaded, Some(&path), &settings)
            .iter()
            .filter(|d| d.rule.name == rule)
            .map(|d| awsauth::render::human::render_one(d, false))
            .collect();
        assert!(
            !rendered.is_empty(),
            "{}: a fire fixture without findings",
            path.display()
        );
        let name = format!("{rule}__{}", file_name.replace('.', "_"));
        insta::with_settings!({snapshot_path => "snapshots/human", prepend_module_to_snapshot => false}, {
            insta::assert_snapshot!(name, rendered.join("\n\n"));
        });
    }
}

#[test]
fn expectation_parser() {
    let e = inline_expectations(
        "a: 1 # expect: 3 rule-a \"x y\"\n  # expect: rule-b\n  # expect: rule-c\nb: 2\n",
    );
    assert_eq!(e.len(), 3);
    assert_eq!(
        (e[0].line, e[0].column, e[0].contains.as_deref()),
        (1, Some(3), Some("x y"))
    );
    assert_eq!((e[1].line, e[1].rule.as_str()), (4, "rule-b"));
    assert_eq!((e[2].line, e[2].rule.as_str()), (4, "rule-c"));
}

/// The `.tf` and `.tf.json` files under a directory.
fn terraform_files(dir: &Path) -> Vec<std::path::PathBuf> {
    files(dir, &["tf", "json"])
        .into_iter()
        .filter(|p| awsauth::load::is_terraform(&p.to_string_lossy()))
        .collect()
}

/// Every `.tf` file under `fixtures/terraform/<case>/` (a module directory each), with every
/// rule's expectations inline, and every `.tf.json` file with its sidecar `<file>.expect`.
#[test]
fn terraform_fixtures_have_exactly_the_expected_diagnostics() {
    let fixtures = terraform_files(&root().join("fixtures/terraform"));
    assert!(fixtures.len() >= 10, "{fixtures:?}");
    assert!(
        fixtures
            .iter()
            .any(|p| p.to_string_lossy().ends_with(".tf.json")),
        "{fixtures:?}"
    );
    check_all(&fixtures, None);
}

/// What `inspect --format json` shows of each Terraform fixture that writes aws-auth.
#[test]
fn terraform_fixtures_inspect_snapshots() {
    let base = root().join("fixtures/terraform");
    inspect_snapshots(&base, terraform_files(&base), "snapshots/terraform", true);
}
