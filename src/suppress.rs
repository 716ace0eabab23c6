//! Inline suppressions: `# awsauth: ignore[rule, ...] reason` (this line, or the next one when
//! the comment stands alone; on an entry's first line, the whole entry, also inside the nested
//! YAML), `# awsauth: file-ignore[rule, ...] reason` in the comments at the top of a file, and
//! the `ConfigMap` annotation `awsauth.dev/ignore: "rule[, rule]: reason"` for generated
//! manifests without comments.

use std::ops::Range;

use crate::source::SourceFile;

/// The annotation read from a `ConfigMap`'s metadata.
pub use crate::load::ANNOTATION;

/// Where a suppression applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Its target line, or the entry starting there.
    Line,
    /// The whole file.
    File,
    /// The annotated object.
    Annotation,
}

/// One rule id named by a suppression.
#[derive(Debug, Clone)]
pub struct Code {
    /// The id as written.
    pub name: String,
    /// Byte span of the id.
    pub span: Range<usize>,
    /// Whether it suppressed a finding.
    pub used: bool,
}

/// A parsed suppression.
#[derive(Debug, Clone)]
pub struct Suppression {
    /// Where it applies.
    pub scope: Scope,
    /// The rule ids.
    pub codes: Vec<Code>,
    /// The text after the brackets.
    pub reason: String,
    /// Byte span of the directive.
    pub span: Range<usize>,
    /// Byte range of the text it covers.
    pub covers: Range<usize>,
    /// Byte offset of its `#` (of the value, for the annotation).
    pub at: usize,
}

/// A malformed suppression.
#[derive(Debug, Clone)]
pub struct Invalid {
    /// Byte span of the problem.
    pub span: Range<usize>,
    /// Byte offset of the comment's `#` (of the value, for the annotation).
    pub at: usize,
    /// What is wrong.
    pub message: String,
    /// How to write it.
    pub help: String,
}

/// Parses `ignore[a, b] reason` (the text after `awsauth:`) starting at byte `at` of the file.
fn parse_directive(text: &str, at: usize) -> Result<(Scope, Vec<Code>, String, usize), Invalid> {
    let trimmed = text.trim_start();
    let lead = text.len() - trimmed.len();
    let word_len = trimmed
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .unwrap_or(trimmed.len());
    let word = &trimmed[..word_len];
    let word_span = at + lead..at + lead + word_len;
    let scope = match word {
        "ignore" => Scope::Line,
        "file-ignore" => Scope::File,
        _ => {
            return Err(Invalid {
                at: 0,
                span: word_span,
                message: if word.is_empty() {
                    "an `awsauth:` comment without a directive".to_owned()
                } else {
                    format!("unknown suppression directive `{word}`")
                },
                help: "write `# awsauth: ignore[rule-id] reason` or `# awsauth: file-ignore[rule-id] reason`".into(),
            });
        }
    };
    let rest = &trimmed[word_len..];
    let Some(inner) = rest.strip_prefix('[') else {
        return Err(Invalid {
            at: 0,
            span: word_span,
            message: format!("`{word}` without the rules it suppresses in brackets"),
            help: format!("name the rules: `# awsauth: {word}[rule-id] reason`"),
        });
    };
    let Some(close) = inner.find(']') else {
        return Err(Invalid {
            at: 0,
            span: word_span.start..at + text.len(),
            message: format!("`{word}[` is not closed"),
            help: format!("close the list: `# awsauth: {word}[rule-id] reason`"),
        });
    };
    let list_start = at + lead + word_len + 1;
    let mut codes = Vec::new();
    let mut offset = 0;
    for part in inner[..close].split(',') {
        let name = part.trim();
        let start = list_start + offset + (part.len() - part.trim_start().len());
        offset += part.len() + 1;
        if !name.is_empty() {
            codes.push(Code {
                name: name.to_owned(),
                span: start..start + name.len(),
                used: false,
            });
        }
    }
    if codes.is_empty() {
        return Err(Invalid {
            at: 0,
            span: word_span.start..list_start + close + 1,
            message: format!("`{word}[]` names no rule"),
            help: format!("name the rules: `# awsauth: {word}[rule-id] reason`"),
        });
    }
    let reason = inner[close + 1..].trim().to_owned();
    Ok((scope, codes, reason, at + lead + word_len + 1 + close + 1))
}

/// Whether the line holds nothing but a comment (or is blank); `hcl`: Terraform's `//` starts a
/// comment too.
fn is_comment_or_blank(line: &str, hcl: bool) -> bool {
    let t = line.trim_start();
    t.is_empty() || t.starts_with('#') || (hcl && t.starts_with("//"))
}

/// The next comment marker of a line from `from`: its offset and length (`#`, or `//` in
/// Terraform).
fn next_marker(line: &str, from: usize, hcl: bool) -> Option<(usize, usize)> {
    let hash = line[from..].find('#').map(|p| (from + p, 1));
    let slashes = if hcl {
        line[from..].find("//").map(|p| (from + p, 2))
    } else {
        None
    };
    match (hash, slashes) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Finds every `# awsauth:` comment in the file, in the outer YAML and inside nested YAML
/// written as block scalars (whose lines are the file's lines).
pub fn scan(file: &SourceFile) -> (Vec<Suppression>, Vec<Invalid>) {
    let mut found = Vec::new();
    let mut invalid = Vec::new();
    let text = file.text.as_str();
    if memchr::memmem::find(text.as_bytes(), crate::load::SUPPRESSION_MARKER.as_bytes()).is_none() {
        return (found, invalid);
    }
    let hcl = crate::load::is_terraform(&file.name);
    let lines: Vec<(usize, &str)> = {
        let mut v = Vec::new();
        let mut start = 0;
        for line in text.split_inclusive('\n') {
            v.push((start, line.trim_end_matches(['\n', '\r'])));
            start += line.len();
        }
        v
    };
    // the leading block: blank lines, comments, document markers
    let top_end = lines
        .iter()
        .position(|(_, l)| {
            let t = l.trim();
            !(is_comment_or_blank(t, hcl) || t == "---" || t.starts_with('%'))
        })
        .unwrap_or(lines.len());
    // for each line, the first line of YAML at or after it (computed once: a run of comments
    // must not be searched again from each of its lines)
    let mut next_yaml = vec![None; lines.len() + 1];
    for (i, &(s, l)) in lines.iter().enumerate().rev() {
        next_yaml[i] = if is_comment_or_blank(l, hcl) {
            next_yaml[i + 1]
        } else {
            Some((s, l))
        };
    }
    for (i, (start, line)) in lines.iter().enumerate() {
        let mut search = 0;
        while let Some((hash, width)) = next_marker(line, search, hcl) {
            search = hash + width;
            let before_ok = hash == 0 || line[..hash].ends_with([' ', '\t']);
            let after = line[hash + width..].trim_start();
            if !before_ok || !after.starts_with("awsauth:") {
                continue;
            }
            let dir_at = line.len() - after.len() + "awsauth:".len();
            let directive = &line[dir_at..];
            match parse_directive(directive, start + dir_at) {
                Err(mut e) => {
                    e.at = start + hash;
                    invalid.push(e);
                }
                Ok((scope, codes, reason, end)) => {
                    let span = start + hash..end;
                    let alone = line[..hash].trim().is_empty();
                    let covers = if scope == Scope::File {
                        if i >= top_end {
                            invalid.push(Invalid {
                                at: span.start,
                                span,
                                message: "`file-ignore` below the top of the file".into(),
                                help: "move it to the comments before the first line of YAML, or use `ignore[...]` on the line".into(),
                            });
                            break;
                        }
                        0..text.len()
                    } else {
                        // a comment on its own line applies to the next line of YAML
                        let target = if alone {
                            next_yaml[i + 1]
                        } else {
                            Some((*start, *line))
                        };
                        match target {
                            Some((s, l)) => s..s + l.len(),
                            None => *start..start + line.len(),
                        }
                    };
                    found.push(Suppression {
                        scope,
                        codes,
                        reason,
                        at: span.start,
                        span,
                        covers,
                    });
                }
            }
            break;
        }
    }
    (found, invalid)
}

/// Parses the annotation value `rule[, rule]: reason` written at `span` (the value's span in the
/// file) and covering `covers`.
pub fn annotation(
    file: &SourceFile,
    value: &str,
    span: Range<usize>,
    covers: Range<usize>,
) -> Result<Suppression, Invalid> {
    let (list, reason) = value.split_once(':').unwrap_or((value, ""));
    // the written text, to point at each id when it appears verbatim
    let written = file.text.get(span.clone()).unwrap_or("");
    let mut codes = Vec::new();
    for part in list.split(',') {
        let name = part.trim();
        if name.is_empty() {
            continue;
        }
        let code_span = written.find(name).map_or(span.clone(), |p| {
            span.start + p..span.start + p + name.len()
        });
        codes.push(Code {
            name: name.to_owned(),
            span: code_span,
            used: false,
        });
    }
    if codes.is_empty() {
        return Err(Invalid {
            at: span.start,
            span,
            message: format!("the `{ANNOTATION}` annotation names no rule"),
            help: format!("write `{ANNOTATION}: \"rule-id[, rule-id]: reason\"`"),
        });
    }
    Ok(Suppression {
        scope: Scope::Annotation,
        codes,
        reason: reason.trim().to_owned(),
        at: span.start,
        span,
        covers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan_text(text: &str) -> (Vec<Suppression>, Vec<Invalid>) {
        scan(&SourceFile::new("t.yaml", text.to_owned()))
    }

    #[test]
    fn same_line_and_next_line() {
        let text = "a: 1 # awsauth: ignore[x, y] why\n# awsauth: ignore[z]\n\nb: 2\n";
        let (s, inv) = scan_text(text);
        assert!(inv.is_empty(), "{inv:?}");
        assert_eq!(s.len(), 2);
        assert_eq!(
            &text[s[0].covers.clone()],
            "a: 1 # awsauth: ignore[x, y] why"
        );
        assert_eq!(s[0].codes[1].name, "y");
        assert_eq!(&text[s[0].codes[1].span.clone()], "y");
        assert_eq!(s[0].reason, "why");
        assert_eq!(&text[s[1].covers.clone()], "b: 2");
    }

    #[test]
    fn invalid_forms() {
        let (s, inv) = scan_text(
            "a: 1 # awsauth: ignore\nb: 1 # awsauth: ignore[x\nc: 1 # awsauth: ignroe[x]\nd: 1 # awsauth: ignore[]\ne: 1 # awsauth: file-ignore[x]\n",
        );
        assert!(s.is_empty());
        let messages: Vec<&str> = inv.iter().map(|i| i.message.as_str()).collect();
        assert_eq!(messages.len(), 5, "{messages:?}");
        assert!(messages[0].contains("without the rules"));
        assert!(messages[1].contains("not closed"));
        assert!(messages[2].contains("unknown suppression directive `ignroe`"));
        assert!(messages[3].contains("names no rule"));
        assert!(messages[4].contains("below the top"));
    }

    #[test]
    fn hash_inside_a_word_is_not_a_comment() {
        let (s, inv) = scan_text("a: b#awsauth: ignore[x]\n");
        assert!(s.is_empty() && inv.is_empty());
    }

    #[test]
    fn file_ignore_at_top() {
        let (s, inv) = scan_text("# header\n# awsauth: file-ignore[x] generated\n---\na: 1\n");
        assert!(inv.is_empty());
        assert_eq!(s[0].scope, Scope::File);
    }
}
