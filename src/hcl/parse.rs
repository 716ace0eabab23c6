//! Parsing a `.tf` file into an `hcl-edit` [`Body`] whose items, expressions and template
//! elements carry byte spans into the file.
//!
//! `hcl-edit`'s parser recurses once per nesting level, and so does dropping the tree it
//! builds: a file nested deeper than [`MAX_NESTING`] brackets or chained operators is refused
//! with a [`ParseError`] before it is parsed, so that no input can exhaust the stack.

use std::sync::Arc;

use hcl_edit::structure::{Attribute, Block, Body};

use crate::source::{SourceFile, Span};

/// The deepest nesting of brackets (`(`, `[`, `{`, `${`, `%{`) and chained operators accepted.
/// Real Terraform stays far below; `hcl-edit` would exhaust the stack far above.
pub const MAX_NESTING: usize = 128;

/// A parsed `.tf` file: the file and its body.
#[derive(Debug)]
pub struct TfFile {
    /// The file, whose text the spans of [`TfFile::body`] index.
    pub file: Arc<SourceFile>,
    /// The parsed body.
    pub body: Body,
}

/// Why a `.tf` file could not be parsed, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// What is wrong, lowercase (`invalid expression; expected ...`).
    pub message: String,
    /// Where, in the file (within its text, on character boundaries; empty only for an empty file).
    pub span: Span,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ParseError {}

/// Parses a `.tf` file, or a `.tf.json` file (Terraform's JSON syntax, transpiled into native
/// syntax at the same offsets by [`super::json::to_native`]).
pub fn parse(file: &Arc<SourceFile>) -> Result<TfFile, ParseError> {
    let body = if is_json(&file.name) {
        let mut blocks = Vec::new();
        for text in super::json::to_native(&file.text)? {
            let body = parse_text(file, &text)?;
            blocks.extend(body);
        }
        // the texts hold disjoint blocks: back in the order they are written
        blocks.sort_by_key(|s| hcl_edit::Span::span(s).map_or(0, |r| r.start));
        blocks.into_iter().collect()
    } else {
        parse_text(file, &file.text)?
    };
    Ok(TfFile {
        file: Arc::clone(file),
        body,
    })
}

/// Whether a file is in Terraform's JSON syntax (by its name, compared exactly as Terraform does).
#[allow(clippy::case_sensitive_file_extension_comparisons)]
pub fn is_json(name: &str) -> bool {
    name.ends_with(".tf.json")
}

/// Parses native syntax whose offsets are the file's.
fn parse_text(file: &SourceFile, text: &str) -> Result<Body, ParseError> {
    if let Some(at) = too_deep(text) {
        return Err(ParseError {
            message: format!("nesting deeper than {MAX_NESTING} levels"),
            span: file.char_span(&(at..at + 1)),
        });
    }
    hcl_edit::parser::parse_body(text).map_err(|err| {
        let at = err.location().offset().min(text.len());
        ParseError {
            message: lowercase_first(err.message()),
            span: file.char_span(&(at..at + 1)),
        }
    })
}

/// `hcl-edit`'s messages start lowercase already (`invalid expression; expected ...`); this
/// keeps the convention if one ever does not.
fn lowercase_first(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(c) if c.is_uppercase() => c.to_lowercase().chain(chars).collect(),
        Some(_) => message.to_owned(),
        None => "unexpected input".to_owned(),
    }
}

/// The offset where the text nests deeper than [`MAX_NESTING`], counted over-generously: every
/// opening bracket opens a level until its closer, and every run of operator characters between
/// operands (`!`, `-`, `?`, `+`, ...) counts as one more level until the end of the line, strings
/// and comments included (a false refusal needs a line of more than a hundred such levels).
fn too_deep(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut line_ops = 0usize;
    let mut in_op = false;
    for (i, b) in text.bytes().enumerate() {
        match b {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'\n' => line_ops = 0,
            _ => {}
        }
        let op = matches!(
            b,
            b'!' | b'-'
                | b'+'
                | b'*'
                | b'/'
                | b'%'
                | b'?'
                | b':'
                | b'<'
                | b'>'
                | b'='
                | b'&'
                | b'|'
        );
        if op && !in_op {
            line_ops += 1;
        }
        in_op = op;
        if depth + line_ops > MAX_NESTING {
            return Some(i);
        }
    }
    None
}

/// The attribute `name` of a body (the last one written, as `hcl-edit` keeps duplicates).
pub fn attribute<'a>(body: &'a Body, name: &str) -> Option<&'a Attribute> {
    body.attributes().filter(|a| a.key.as_str() == name).last()
}

/// The blocks of a body of type `ident` (`resource`, `locals`, ...), in source order.
pub fn blocks<'a>(body: &'a Body, ident: &'a str) -> impl Iterator<Item = &'a Block> + 'a {
    body.blocks().filter(move |b| b.ident.as_str() == ident)
}

/// The labels of a block as strings (`["aws_iam_role", "node"]`).
pub fn labels(block: &Block) -> Vec<&str> {
    block
        .labels
        .iter()
        .map(hcl_edit::structure::BlockLabel::as_str)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use hcl_edit::Span as _;

    const REALISTIC: &str = r#"locals {
  name = "ci"
  roles = [for r in var.roles : { rolearn = r.arn, username = "x-${r.name}" }]
}

resource "aws_iam_role" "node" {
  name = "eks-node"
  path = "/nodes/"
}

resource "kubernetes_config_map_v1_data" "aws_auth" {
  metadata {
    name      = "aws-auth"
    namespace = "kube-system"
  }
  force = true
  data = {
    mapRoles = <<-EOT
      - rolearn: ${aws_iam_role.node.arn}
        username: system:node:{{EC2PrivateDNSName}}
        groups: ["system:bootstrappers", "system:nodes"]
    EOT
    mapUsers = yamlencode(local.roles)
  }
}
"#;

    fn file(text: &str) -> Arc<SourceFile> {
        SourceFile::new("main.tf", text)
    }

    #[test]
    fn parse_keeps_spans_of_attributes_and_blocks() {
        let f = file(REALISTIC);
        let tf = parse(&f).expect("parses");
        let res: Vec<_> = blocks(&tf.body, "resource").collect();
        assert_eq!(res.len(), 2);
        assert_eq!(labels(res[0]), ["aws_iam_role", "node"]);
        let path = attribute(&res[0].body, "path").expect("path");
        let span = path.value.span().expect("span");
        assert_eq!(&f.text[span], "\"/nodes/\"");
    }

    #[test]
    fn parse_errors_are_lowercase_and_within_the_text() {
        for (src, want) in [
            ("a = \"unterminated", ""),
            ("a = ", "expected"),
            ("resource \"x\" {", ""),
            ("= 1", ""),
            ("a = 1 +", ""),
            ("é = ${", ""),
            (&"[".repeat(10_000), "nesting deeper than 128 levels"),
            (&format!("a = {}1", "!".repeat(5_000)), ""),
            (&format!("a = {}1", "-1 ? ".repeat(5_000)), "nesting"),
        ] {
            let f = file(src);
            let err = parse(&f).expect_err(src);
            assert!(err.message.contains(want), "{src:?}: {}", err.message);
            assert!(
                !err.message.starts_with(char::is_uppercase),
                "{}",
                err.message
            );
            assert!(err.span.end <= f.text.len(), "{src:?}: {:?}", err.span);
            assert!(f.text.is_char_boundary(err.span.start));
        }
    }

    #[test]
    fn parse_of_empty_file_is_an_empty_body() {
        assert!(parse(&file("")).expect("empty").body.is_empty());
        assert!(
            parse(&file("# only a comment\n"))
                .expect("comment")
                .body
                .is_empty()
        );
    }

    #[test]
    fn attribute_finds_the_last_written() {
        // hcl-edit accepts duplicate attributes in a body; Terraform refuses them; the last wins
        let f = file("a = 1\nb = 2\n");
        let tf = parse(&f).expect("parses");
        assert!(attribute(&tf.body, "b").is_some());
        assert!(attribute(&tf.body, "c").is_none());
    }
}

#[cfg(test)]
mod deep_tests {
    use super::*;

    #[test]
    fn deep_inputs_do_not_overflow_the_stack() {
        let n = 20_000;
        let cases = [
            format!("x = {}1\n", "!".repeat(n)),
            format!("x = {}1\n", "-".repeat(n)),
            format!("x = (1{})\n", "\n+ 1".repeat(n)),
            format!("x = (true{} 1)\n", "\n? 1 :".repeat(n)),
            format!("x = \"{}\"\n", "${\"".repeat(n)),
            format!("x = {}\n", "a.".repeat(n) + "b"),
        ];
        for src in cases {
            let f = SourceFile::new("main.tf", src);
            if let Ok(tf) = parse(&f) {
                let m = crate::hcl::eval::Module::new(vec![tf], Vec::new());
                let x = attribute(&m.files()[0].body, "x").expect("x");
                let _ = m.eval(0, &x.value);
            }
        }
    }
}
