//! Semantics are the authenticator's: our effective mappings must equal the Go oracle's
//! (`../shared/oracle`, built on the authenticator's own YAML libraries) for the real-world
//! corpus and for the generated differential cases. The oracle's answers are recorded in
//! JSONL files, so this test needs no Go. Regenerate with `scripts/differential --write-fixtures`.
#![allow(clippy::print_stderr)] // a skipped test says why on stderr
mod common;

use common::{compare_with_oracle, files, lint, load, root};

fn corpus_dir() -> Option<std::path::PathBuf> {
    let dir = root().join("../shared/corpus/real");
    dir.join("ORACLE.jsonl").is_file().then_some(dir)
}

/// Fails unless at least `min` recorded `ConfigMaps` were compared and all agreed.
fn assert_agrees(oracle_jsonl: &std::path::Path, base: &std::path::Path, min: usize) {
    let (passed, failures) = compare_with_oracle(oracle_jsonl, base);
    assert!(passed >= min, "only {passed} ConfigMaps compared");
    assert!(
        failures.is_empty(),
        "{} disagreement(s) with the oracle:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn differential_cases_agree_with_the_oracle() {
    assert_agrees(
        &root().join("fixtures/differential/ORACLE.jsonl"),
        &root(),
        400,
    );
}

/// Inputs a review found where awsauth and the authenticator disagreed (tabs before comments,
/// tabs in flow context, `!!binary`, merge keys in `data`, anchors, directives, ...).
#[test]
fn regressions_agree_with_the_oracle() {
    assert_agrees(
        &root().join("fixtures/differential/regressions/ORACLE.jsonl"),
        &root(),
        20,
    );
}

#[test]
fn corpus_agrees_with_the_oracle() {
    let Some(dir) = corpus_dir() else {
        eprintln!("skipped: ../shared/corpus/real is absent");
        return;
    };
    assert_agrees(&dir.join("ORACLE.jsonl"), &dir, 60);
}

/// Every corpus file, broken ones included, loads, lints and renders in every format without a
/// panic; the concise output over the whole corpus is pinned so each change to it is deliberate.
#[test]
fn corpus_lints_without_panics() {
    let Some(dir) = corpus_dir() else {
        eprintln!("skipped: ../shared/corpus/real is absent");
        return;
    };
    let mut all = Vec::new();
    let mut count = 0;
    for path in files(
        &dir,
        &[
            "yaml", "yml", "json", "tpl", "template", "j2", "jinja", "sh", "example",
        ],
    ) {
        count += 1;
        let loaded = load(&path);
        let diags = lint(&loaded);
        for d in &diags {
            let _ = awsauth::render::human::render_one(d, false);
        }
        let objects: Vec<&awsauth::model::AwsAuth> = loaded.objects.iter().collect();
        let _ = awsauth::render::inspect::table(&objects);
        let _ = awsauth::render::inspect::json(&objects);
        all.extend(diags);
    }
    assert!(count >= 80, "corpus has only {count} files");
    let summary = awsauth::render::Summary::new(count, 0, &all);
    let _ = awsauth::render::json::render(&all, &summary);
    let concise = awsauth::render::concise(&all).replace(&format!("{}/", dir.display()), "");
    let concise = concise.replace("../shared/corpus/real/", "");
    insta::assert_snapshot!("corpus_concise", concise);
}
