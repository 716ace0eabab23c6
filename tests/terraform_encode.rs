//! `yamlencode` and `jsonencode` agree byte for byte with Terraform's own libraries: every case of
//! `tests/data/terraform/encode.jsonl` (recorded by `tools/tfref`, see its README; no Go needed
//! here), and of `encode_random.jsonl`, is rebuilt as a value from its recorded plain-JSON form, rendered, and compared. Every
//! string is given a made-up verbatim position in a made-up file, so the position map can be
//! checked too: each verbatim run of the output must be the made-up file's bytes where it points.

use awsauth::hcl::encode::{jsonencode, yamlencode};
use awsauth::hcl::value::{Spanned, Text, Value};
use serde_json::Value as Json;

/// The made-up `.tf` file: every string of a case written one after the other.
#[derive(Default)]
struct File {
    text: String,
}

impl File {
    /// A string "written" verbatim in the file.
    fn text(&mut self, s: &str) -> Text {
        let start = self.text.len();
        self.text.push_str(s);
        Text::verbatim(s, start..self.text.len())
    }

    /// A span in the file for a value that is not a string.
    fn mark(&mut self, s: &str) -> std::ops::Range<usize> {
        let start = self.text.len();
        self.text.push_str(s);
        start..self.text.len()
    }

    /// The value of tfref's plain-JSON form (numbers `{"number":...}`, objects `{"object":[...]}`).
    fn value(&mut self, j: &Json) -> Spanned {
        let (value, span) = match j {
            Json::Null => (Value::Null, self.mark("null")),
            Json::Bool(b) => (Value::Bool(*b), self.mark("bool")),
            Json::String(s) => {
                let t = self.text(s);
                let span = t.pieces[0].outer.clone();
                (Value::String(t), span)
            }
            Json::Array(items) => {
                let start = self.mark("[").start;
                let items = items.iter().map(|i| self.value(i)).collect();
                (Value::List(items), start..self.text.len())
            }
            Json::Object(o) => {
                let start = self.mark("{").start;
                if let Some(n) = o.get("number").and_then(Json::as_str) {
                    (Value::Number(n.to_owned()), start..self.mark(n).end)
                } else {
                    let entries = o["object"]
                        .as_array()
                        .expect("object entries")
                        .iter()
                        .map(|kv| {
                            let key = self.text(kv[0].as_str().expect("a string key"));
                            (key, self.value(&kv[1]))
                        })
                        .collect();
                    (Value::Object(entries), start..self.text.len())
                }
            }
            Json::Number(_) => panic!("numbers are recorded as {{\"number\": text}}"),
        };
        Spanned { value, span }
    }
}

/// The pieces cover the text in order from 0, and every verbatim run is the file's text there.
fn check_pieces(name: &str, what: &str, out: &Text, file: &File) {
    assert_eq!(
        out.pieces.first().map(|p| p.inner),
        Some(0),
        "{name} {what}"
    );
    for (i, p) in out.pieces.iter().enumerate() {
        let end = out.pieces.get(i + 1).map_or(out.value.len(), |n| n.inner);
        assert!(
            p.inner < end,
            "{name} {what}: piece {i} is empty or out of order"
        );
        assert!(p.outer.start <= p.outer.end && p.outer.end <= file.text.len());
        if p.verbatim {
            assert_eq!(
                &out.value[p.inner..end],
                &file.text[p.outer.start..p.outer.start + (end - p.inner)],
                "{name} {what}: verbatim piece {i} does not match the file"
            );
            assert_eq!(p.outer.len(), end - p.inner, "{name} {what}: piece {i}");
        }
    }
}

/// Renders every case of a recorded file and compares; returns how many cases there were.
fn check_recorded(file_name: &str) -> usize {
    let path = format!(
        "{}/tests/data/terraform/{file_name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let data = std::fs::read_to_string(path).expect("recorded answers");
    let mut cases = 0;
    let mut failures = Vec::new();
    for line in data.lines().filter(|l| !l.trim().is_empty()) {
        let case: Json = serde_json::from_str(line).expect("a JSON line");
        let name = case["name"].as_str().expect("name");
        let mut file = File::default();
        let v = file.value(&case["value"]);
        let yaml = yamlencode(&v).expect("known");
        let json = jsonencode(&v).expect("known");
        if yaml.value != case["yaml"].as_str().expect("yaml") {
            failures.push(format!(
                "{name}: yamlencode\n  got:  {:?}\n  want: {:?}",
                yaml.value, case["yaml"]
            ));
        }
        if json.value != case["json"].as_str().expect("json") {
            failures.push(format!(
                "{name}: jsonencode\n  got:  {:?}\n  want: {:?}",
                json.value, case["json"]
            ));
        }
        check_pieces(name, "yaml", &yaml, &file);
        check_pieces(name, "json", &json, &file);
        cases += 1;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    cases
}

#[test]
fn encodings_match_terraform() {
    let cases = check_recorded("encode.jsonl");
    assert!(cases >= 60, "only {cases} cases");
}

/// Seeded random values (`tools/tfref/cases/random.py`) built from what steers the emitter.
#[test]
fn random_encodings_match_terraform() {
    let cases = check_recorded("encode_random.jsonl");
    assert!(cases >= 300, "only {cases} cases");
}
