//! The fuzz targets' bodies (`fuzz/src/lib.rs`) in the ordinary test suite: every crash a fuzzer
//! found is kept under `fuzz/regressions/<target>/` and replayed here, and the fixtures go
//! through the same bodies, so their invariants hold on known inputs too. `cargo fuzz run
//! <target>` runs the bodies on generated inputs (README, "Fuzzing").
mod common;

// the bodies are the fuzz crate's public functions, private here
#[allow(dead_code, unreachable_pub)]
#[path = "../fuzz/src/lib.rs"]
mod bodies;

use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};

/// The inputs on which `body` panics.
fn panics(inputs: &[(String, Vec<u8>)], body: &dyn Fn(&[u8])) -> Vec<String> {
    inputs
        .iter()
        .filter(|(_, data)| std::panic::catch_unwind(AssertUnwindSafe(|| body(data))).is_err())
        .map(|(name, _)| name.clone())
        .collect()
}

/// Runs `body` on every input, reporting each one that panics.
fn run_all(inputs: &[(String, Vec<u8>)], body: &dyn Fn(&[u8])) {
    let failed = panics(inputs, body);
    assert!(failed.is_empty(), "panicked on {failed:#?}");
}

/// Every file under `dir` (any name), with its path relative to the repository root.
fn read_tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            out.extend(read_tree(&p));
        } else {
            let data = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            let name = p.strip_prefix(common::root()).unwrap_or(&p);
            out.push((name.display().to_string(), data));
        }
    }
    out
}

const TARGETS: [&str; 5] = ["load", "section", "lint", "terraform", "config"];

/// A target's body (`config` writes its input in `dir`).
type Body<'a> = Box<dyn Fn(&[u8]) + 'a>;

fn body<'a>(target: &str, dir: &'a Path) -> Body<'a> {
    match target {
        "load" => Box::new(bodies::load),
        "section" => Box::new(bodies::section),
        "lint" => Box::new(bodies::lint),
        "terraform" => Box::new(bodies::terraform),
        _ => Box::new(move |data: &[u8]| bodies::config_in(dir, data)),
    }
}

#[test]
fn regressions_replay() {
    let root = common::root().join("fuzz/regressions");
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut total = 0;
    for entry in std::fs::read_dir(&root)
        .expect("fuzz/regressions")
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        assert!(
            TARGETS.contains(&name.as_str()),
            "fuzz/regressions/{name} is not a fuzz target ({TARGETS:?})"
        );
    }
    let mut failed = Vec::new();
    for target in TARGETS {
        let inputs = read_tree(&root.join(target));
        total += inputs.len();
        failed.extend(panics(&inputs, &*body(target, tmp.path())));
    }
    assert!(total > 0, "no regression inputs under {}", root.display());
    assert!(failed.is_empty(), "panicked on {failed:#?}");
}

#[test]
fn fixtures_through_the_fuzz_bodies() {
    let root = common::root();
    let mut files = read_tree(&root.join("fixtures"));
    files.extend(read_tree(&root.join("../shared/corpus/real")));
    let (configs, manifests): (Vec<_>, Vec<_>) = files.into_iter().partition(|(name, _)| {
        Path::new(name)
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| awsauth::config::FILE_NAMES.contains(&n))
    });
    assert!(manifests.len() > 100 && !configs.is_empty());
    run_all(&manifests, &bodies::load);
    run_all(&manifests, &bodies::lint);
    let terraform: Vec<(String, Vec<u8>)> = manifests
        .iter()
        .filter(|(name, _)| {
            awsauth::discover::is_module_file(name.rsplit('/').next().unwrap_or(name))
        })
        .cloned()
        .collect();
    assert!(terraform.len() >= 10, "{}", terraform.len());
    run_all(&terraform, &bodies::terraform);
    // the section target takes a section's text: the decoded values of the fixtures' sections
    let sections: Vec<(String, Vec<u8>)> = manifests
        .iter()
        .filter_map(|(name, data)| {
            Some((name, awsauth::discover::decode(name, data.clone()).ok()?))
        })
        .flat_map(|(name, file)| {
            let load = awsauth::load::load_file(file);
            let texts: Vec<_> = load
                .objects
                .iter()
                .flat_map(|o| o.sections.iter())
                .map(|s| {
                    (
                        format!("{name} {}", s.kind.key()),
                        s.text.clone().into_bytes(),
                    )
                })
                .collect();
            texts
        })
        .collect();
    assert!(sections.len() > 100, "{}", sections.len());
    run_all(&sections, &bodies::section);
    let mut configs = configs;
    configs.push((
        "src/config/starter.yaml".into(),
        awsauth::config::STARTER.as_bytes().to_vec(),
    ));
    configs.push((
        "fuzz/lint.awsauth.yaml".into(),
        std::fs::read(root.join("fuzz/lint.awsauth.yaml")).expect("lint configuration"),
    ));
    let tmp = tempfile::tempdir().expect("tempdir");
    run_all(&configs, &*body("config", tmp.path()));
}

/// The `section` body's structured wrappings are read as the formats they are written in: a
/// CAPA control plane with the value as both lists, an `IAMIdentityMapping` with it as `spec`.
#[test]
fn the_section_body_loads_its_input_as_capa_and_as_an_iam_identity_mapping() {
    let value = "- rolearn: arn:aws:iam::111122223333:role/ops\n  username: ops\n  groups: [ops]\n";
    let [(_, capa), (_, crd)] = bodies::structured(value);
    let kinds = |text: String| {
        let load = awsauth::load::load_file(awsauth::source::SourceFile::new("t.yaml", text));
        load.objects
            .iter()
            .map(|o| (o.kind, o.entries.len()))
            .collect::<Vec<_>>()
    };
    assert_eq!(kinds(capa), [(awsauth::model::SourceKind::Capa, 2)]);
    assert_eq!(
        kinds(crd),
        [(awsauth::model::SourceKind::IamIdentityMapping, 1)]
    );
}
