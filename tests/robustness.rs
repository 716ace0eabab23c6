//! No input may panic or hang: every fixture and corpus file is cut, spliced and sprinkled with
//! the characters that break YAML (tabs, quotes, brackets, multi-byte text, CR, NUL-free noise),
//! then loaded, linted and rendered in every format.
mod common;

use awsauth::load::load_file;
use awsauth::source::SourceFile;

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % (n.max(1) as u64)).unwrap_or(0)
    }
}

fn floor_char(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn mutate(text: &str, rng: &mut Rng) -> String {
    const NOISE: &[&str] = &[
        "\t", "\"", "'", "[", "{", "{{", "}", ":", "- ", "\n", "\r\n", "é", "\u{85}", "\u{2028}",
        " ", "#", "&a", "*a", "<<: ", "|", ">", "\\", "~", "---\n",
    ];
    let mut s = text.to_owned();
    for _ in 0..=rng.below(4) {
        let at = floor_char(&s, rng.below(s.len() + 1));
        match rng.below(4) {
            0 => s.insert_str(at, NOISE[rng.below(NOISE.len())]),
            1 => {
                let end = floor_char(&s, at + rng.below(12));
                s.replace_range(at..end.max(at), "");
            }
            2 => s.truncate(at),
            _ => {
                let from = floor_char(&s, rng.below(s.len() + 1));
                let to = floor_char(&s, from + rng.below(40));
                let chunk = s[from..to.max(from)].to_owned();
                s.insert_str(at, &chunk);
            }
        }
    }
    s
}

fn exercise(name: &str, text: String) {
    let load = load_file(SourceFile::new(name, text));
    let mut diags = Vec::new();
    awsauth::rules::check_file(&load, &mut diags);
    for d in &diags {
        let _ = awsauth::render::human::render_one(d, true);
    }
    let summary = awsauth::render::Summary::new(1, load.objects.len(), &diags);
    let _ = awsauth::render::json::render(&diags, &summary);
    let _ = awsauth::render::concise(&diags);
    let places = awsauth::render::location::Places::new();
    let _ = awsauth::render::github(&diags, &places);
    let _ = awsauth::render::sarif::render(&diags, &places);
    let _ = awsauth::render::gitlab::render(&diags, &places);
    let _ = awsauth::render::junit::render(&diags, &places);
    let objects: Vec<&awsauth::model::AwsAuth> = load.objects.iter().collect();
    let _ = awsauth::render::inspect::json(&objects);
    let _ = awsauth::render::inspect::table(&objects);
}

#[test]
fn mutated_inputs_never_panic() {
    let root = common::root();
    let mut inputs = common::files(&root.join("fixtures/rules"), &["yaml", "yml", "json"]);
    inputs.extend(common::files(
        &root.join("fixtures/load"),
        &["yaml", "yml", "json"],
    ));
    inputs.extend(common::files(
        &root.join("../shared/corpus/real"),
        &["yaml", "yml", "json", "tpl"],
    ));
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    // AWSAUTH_MUTATIONS=200 cargo test --release --test robustness for a longer hunt
    let per_file: usize = std::env::var("AWSAUTH_MUTATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let mut runs = 0;
    for path in &inputs {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let name = path.display().to_string();
        exercise(&name, text.clone());
        for _ in 0..per_file {
            let mutated = mutate(&text, &mut rng);
            let result = std::panic::catch_unwind(|| exercise(&name, mutated.clone()));
            assert!(
                result.is_ok(),
                "panic on a mutation of {name}:\n{mutated:?}"
            );
            runs += 1;
        }
    }
    assert!(runs >= 10 * per_file, "{runs}");
}

#[test]
fn pathological_inputs_finish() {
    // deep nesting, alias bombs, huge scalars, endless documents
    let deep = format!(
        "data:\n  mapRoles: |\n    {}{}\n",
        "[".repeat(5000),
        "]".repeat(5000)
    );
    exercise(
        "deep.yaml",
        format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n{deep}"),
    );
    let mut bomb = String::from(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\ndata:\n  mapRoles: |\n    - a0: &a0 [x, x, x, x, x, x, x, x, x]\n",
    );
    for i in 1..12 {
        let prev = i - 1;
        bomb.push_str(&format!("      a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"));
    }
    bomb.push_str("      rolearn: arn:aws:iam::111122223333:role/x\n");
    exercise("bomb.yaml", bomb);
    exercise("docs.yaml", "---\nmapRoles: x\n".repeat(20_000));
    exercise(
        "long.yaml",
        format!(
            "data:\n  mapRoles: \"{}\"\n",
            "\\n- rolearn: é".repeat(50_000)
        ),
    );
}

/// The line shapes `surely_accepted` vouches for (where awsauth skips the re-enactment of
/// yaml.v2) never hide a failure: over every section of the fixtures and the corpus, the parse
/// error cases, and mutations of them that move, repeat and re-indent lines, a text of those
/// shapes that granit-parser accepts is one yaml.v2 accepts too.
#[test]
fn surely_accepted_sections_are_accepted_by_yaml_v2() {
    use awsauth::yaml::{parse_first, v2_error};
    let root = common::root();
    let mut texts: Vec<String> = Vec::new();
    let mut inputs = common::files(&root.join("fixtures"), &["yaml", "yml", "json"]);
    inputs.extend(common::files(
        &root.join("../shared/corpus/real"),
        &["yaml", "yml", "json"],
    ));
    for path in &inputs {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let load = load_file(SourceFile::new(path.display().to_string(), text));
        for o in &load.objects {
            texts.extend(o.sections.iter().map(|s| s.text.clone()));
        }
    }
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let mut vouched = 0;
    let mut checked = 0;
    let originals = texts.clone();
    for text in &originals {
        for _ in 0..40 {
            let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
            if lines.is_empty() {
                break;
            }
            for _ in 0..=rng.below(3) {
                let i = rng.below(lines.len());
                match rng.below(5) {
                    0 => lines[i] = format!("{}{}", " ".repeat(rng.below(4)), lines[i]),
                    1 => lines[i] = lines[i].trim_start_matches(' ').to_owned(),
                    2 => {
                        let l = lines[i].clone();
                        lines.insert(rng.below(lines.len() + 1), l);
                    }
                    3 if lines.len() > 1 => {
                        lines.remove(i);
                    }
                    _ => {
                        let j = rng.below(lines.len());
                        lines.swap(i, j);
                    }
                }
            }
            texts.push(lines.join("\n") + "\n");
        }
    }
    for text in &texts {
        checked += 1;
        if !v2_error::surely_accepted(text) || parse_first(text).is_err() {
            continue;
        }
        vouched += 1;
        assert!(
            v2_error::first_document(text).is_ok(),
            "granit-parser accepts and yaml.v2 refuses a text of the vouched shapes:\n{text}"
        );
    }
    assert!(
        vouched > 1000,
        "only {vouched} of {checked} texts vouched for"
    );
}
