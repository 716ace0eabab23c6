//! Keeps the rule catalog consistent: unique names, required doc headings, examples that fire
//! and "use instead" blocks that do not, a fresh generated `rules/`, and message style.
mod common;

use awsauth::load::load_file;
use awsauth::rules::RULES;
use awsauth::source::SourceFile;

fn yaml_blocks_after(docs: &str, heading: &str) -> Option<String> {
    example_after(docs, heading).map(|(text, _)| text)
}

/// The first example block (`yaml`, or `hcl` for the Terraform rules) after a heading, with
/// the file name it is linted under.
fn example_after(docs: &str, heading: &str) -> Option<(String, &'static str)> {
    let start = docs.find(heading)? + heading.len();
    let rest = &docs[start..];
    let (open, name) = [("```yaml\n", "example.yaml"), ("```hcl\n", "example.tf")]
        .iter()
        .filter_map(|(fence, name)| Some((rest.find(fence)? + fence.len(), *name)))
        .min()?;
    let close = rest[open..].find("```")?;
    Some((rest[open..open + close].to_owned(), name))
}

/// Lints a doc block with every rule selected and the rule's `## Configuration` block, if any.
fn diagnostics_of(rule: &str, docs: &str, (text, name): &(String, &str)) -> usize {
    let load = load_file(SourceFile::new(*name, text.as_str()));
    let dir = tempfile::tempdir().expect("temp dir");
    let mut settings = match yaml_blocks_after(docs, "## Configuration") {
        Some(config) => {
            let path = dir.path().join(".awsauth.yaml");
            std::fs::write(&path, config).expect("write config");
            awsauth::config::load(&path, awsauth::rules::RULES)
                .unwrap_or_else(|e| panic!("`{rule}`: {e:?}"))
        }
        None => awsauth::config::Settings::new(awsauth::rules::RULES),
    };
    // every rule, and this one even when it is off by default
    let unknown = settings.apply_cli(&["all".to_owned(), rule.to_owned()], &[]);
    assert!(unknown.is_empty(), "{unknown:?}");
    let out = awsauth::lint::lint_file(&load, None, &settings);
    out.iter().filter(|d| d.rule.name == rule).count()
}

#[test]
fn names_are_unique_kebab_case_and_sorted() {
    let names: Vec<&str> = RULES.iter().map(|r| r.name).collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(names, sorted, "RULES must be sorted and unique");
    for n in names {
        assert!(
            n.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
            "`{n}` is not kebab-case"
        );
        assert!(
            !n.starts_with("no-") && !n.starts_with("require-"),
            "`{n}` should name the bad pattern"
        );
    }
}

#[test]
fn docs_have_the_required_sections_and_examples_behave() {
    for rule in RULES {
        let docs = rule.docs();
        for heading in [
            "## What it does",
            "## Why is this bad?",
            "## Example",
            "Use instead:",
        ] {
            assert!(
                docs.contains(heading),
                "`{}` docs lack `{heading}`",
                rule.name
            );
        }
        let example = example_after(&docs, "## Example")
            .unwrap_or_else(|| panic!("`{}`: no yaml (or hcl) Example", rule.name));
        assert!(
            diagnostics_of(rule.name, &docs, &example) > 0,
            "`{}`: the Example does not fire",
            rule.name
        );
        let fixed = example_after(&docs, "Use instead:")
            .unwrap_or_else(|| panic!("`{}`: no yaml (or hcl) Use instead", rule.name));
        assert_eq!(
            diagnostics_of(rule.name, &docs, &fixed),
            0,
            "`{}`: the Use-instead block fires",
            rule.name
        );
        assert!(
            !rule.summary.ends_with('.'),
            "`{}` summary ends with a period",
            rule.name
        );
    }
}

#[test]
fn generated_rules_directory_is_fresh() {
    let dir = common::root().join("rules");
    let stale = |name: &str, expected: &str| {
        let actual = std::fs::read_to_string(dir.join(name)).unwrap_or_default();
        assert!(
            actual == expected,
            "rules/{name} is stale; run `cargo run -- rules --format markdown --out rules/`"
        );
    };
    stale("README.md", &awsauth::registry::markdown_index(RULES));
    for rule in RULES {
        stale(&format!("{}.md", rule.name), &rule.markdown_page());
    }
    let pages = std::fs::read_dir(&dir).expect("rules/").count();
    assert_eq!(
        pages,
        RULES.len() + 1,
        "rules/ holds pages of rules that no longer exist"
    );
}

/// Messages are lowercase, specific and without a trailing period; help lines too.
#[test]
fn messages_follow_the_style() {
    let mut count = 0;
    for path in common::files(&common::root().join("fixtures"), &["yaml", "yml", "json"]) {
        if path.components().any(|c| c.as_os_str() == "differential") {
            continue;
        }
        for d in common::lint(&common::load(&path)) {
            count += 1;
            let first = d.message.chars().next().unwrap_or(' ');
            assert!(!first.is_uppercase(), "capitalised message: {}", d.message);
            assert!(!d.message.ends_with('.'), "trailing period: {}", d.message);
            assert!(
                !d.message.to_lowercase().starts_with("please"),
                "{}",
                d.message
            );
            let help = d
                .help
                .as_deref()
                .unwrap_or_else(|| panic!("no help line: {}", d.message));
            assert!(!help.ends_with('.'), "help ends with a period: {help}");
        }
    }
    assert!(count > 20);
}
