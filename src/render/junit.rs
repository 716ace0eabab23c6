//! `--format junit`: a `JUnit` XML report, for CI systems that show test results (GitLab,
//! Jenkins, Azure Pipelines, `CircleCI`).
//!
//! One `<testsuite>` named `awsauth`; one `<testcase>` per file and rule with findings
//! (`classname` the file, relative to the CI workspace or the repository root as in the other
//! machine formats; `name` the rule id), failing with one `<failure>` whose text lists each
//! finding as `file:line:col: severity: message`. A run without findings has one passing
//! test case, `awsauth lint`, so the report is never empty.
//!
//! The XML is written here (a few elements need no library): text and attribute values are
//! escaped (`&`, `<`, `>`, `"`, `'`), and a character XML 1.0 cannot hold at all (controls but
//! tab and line breaks, U+FFFE, U+FFFF) is written as its Rust escape (`\u{1b}`), as awsauth
//! shows such characters everywhere ([`super::escape`]).

use std::collections::BTreeMap;

use super::location::Places;
use crate::diagnostic::Diagnostic;

/// `s` escaped for XML text or a quoted attribute value.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' => out.push(c),
            c if c.is_control() || c == '\u{fffe}' || c == '\u{ffff}' => {
                out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out
}

/// Renders the findings as a `JUnit` report (paths from `places`' machine base).
pub fn render(diagnostics: &[Diagnostic], places: &Places) -> String {
    // (file, rule) → lines of the failure, in the findings' order
    let mut cases: BTreeMap<(String, &'static str), Vec<String>> = BTreeMap::new();
    for d in diagnostics {
        // one line per finding: values escaped as everywhere (`escape`), then for XML
        let file = super::escape::name(&places.for_machines(&d.file.name)).into_owned();
        let lc = d.file.line_col(d.span.start);
        let line = format!(
            "{file}:{}:{}: {}: {}",
            lc.line,
            lc.column,
            d.severity.as_str(),
            super::escape::text(&d.message)
        );
        cases.entry((file, d.rule.name)).or_default().push(line);
    }
    let tests = cases.len().max(1);
    let failures = cases.len();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"awsauth\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\">\n"
    ));
    out.push_str(&format!(
        "  <testsuite name=\"awsauth\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">\n"
    ));
    if cases.is_empty() {
        out.push_str("    <testcase name=\"awsauth lint\" classname=\"awsauth\"/>\n");
    }
    for ((file, rule), lines) in &cases {
        let (file, rule) = (xml_escape(file), xml_escape(rule));
        let first = lines.first().map(String::as_str).unwrap_or_default();
        let summary = if lines.len() == 1 {
            first.to_owned()
        } else {
            format!("{} findings of {rule}", lines.len())
        };
        out.push_str(&format!(
            "    <testcase name=\"{rule}\" classname=\"{file}\" file=\"{file}\">\n      <failure type=\"{rule}\" message=\"{}\">{}</failure>\n    </testcase>\n",
            xml_escape(&summary),
            xml_escape(&lines.join("\n"))
        ));
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::xml_escape;

    #[test]
    fn xml_text_is_escaped() {
        assert_eq!(
            xml_escape("a<b>&\"c'\u{1b}\u{ffff}\n"),
            "a&lt;b&gt;&amp;&quot;c&apos;\\u{1b}\\u{ffff}\n"
        );
    }
}
