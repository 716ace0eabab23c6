//! Detection, before any parsing: the cheap text tests that decide whether a file is parsed at
//! all ([`may_hold_aws_auth`]), and the scans for template syntax (Helm, Jinja, Terraform,
//! envsubst) that make a file something to render first, not to lint. The authenticator's own
//! `{{SessionName}}`-style variables are not templates here.

use crate::model::AwsAuth;
use crate::source::{SourceFile, Span};

/// Cheap test for files worth parsing: they mention one of the names aws-auth data lives under.
/// A CAPA `iamAuthenticatorConfig` holds `mapRoles`/`mapUsers` keys, and `dentityMapping` is
/// in both eksctl's `iamIdentityMappings` and the authenticator's `IAMIdentityMapping`, so the
/// five searches cover every source format.
pub fn mentions_aws_auth(text: &str) -> bool {
    AWS_AUTH.any_in(text)
}

/// What a manifest declaring aws-auth mappings spells somewhere.
pub(super) static AWS_AUTH: Needles<5> = Needles::new([
    "aws-auth",
    "mapRoles",
    "mapUsers",
    "mapAccounts",
    "dentityMapping",
]);

/// Substrings searched for in every file of a walk, with their searchers built once (building
/// one per search cost more than the search in a small file).
pub(super) struct Needles<const N: usize> {
    needles: [&'static str; N],
    finders: std::sync::OnceLock<[memchr::memmem::Finder<'static>; N]>,
}

impl<const N: usize> Needles<N> {
    /// The needles.
    pub(super) const fn needles(&self) -> &[&'static str; N] {
        &self.needles
    }

    /// The needles, searched for in this order.
    pub(super) const fn new(needles: [&'static str; N]) -> Self {
        Self {
            needles,
            finders: std::sync::OnceLock::new(),
        }
    }

    /// The searchers, built on first use.
    fn finders(&self) -> &[memchr::memmem::Finder<'static>; N] {
        self.finders
            .get_or_init(|| self.needles.map(memchr::memmem::Finder::new))
    }

    /// Whether `text` holds one of the needles.
    pub(super) fn any_in(&self, text: &str) -> bool {
        self.finders()
            .iter()
            .any(|f| f.find(text.as_bytes()).is_some())
    }

    /// Whether `text` holds the needle at `index`.
    pub(super) fn has(&self, index: usize, text: &str) -> bool {
        self.finders()
            .get(index)
            .is_some_and(|f| f.find(text.as_bytes()).is_some())
    }
}

/// Whether a text has the escapes of a double-quoted YAML (or JSON) string that can spell any
/// name (`"aws\x2dauth"`, `"map\u0052oles"`, a `\`-continued line): such a file may hold aws-auth
/// without [`mentions_aws_auth`] seeing it.
pub fn has_name_escapes(text: &str) -> bool {
    let b = text.as_bytes();
    memchr::memchr_iter(b'\\', b)
        .any(|i| matches!(b.get(i + 1), Some(b'x' | b'u' | b'U' | b'\n' | b'\r')))
}

/// Whether a file may hold aws-auth data and must be parsed to know.
pub fn may_hold_aws_auth(text: &str) -> bool {
    mentions_aws_auth(text) || has_name_escapes(text)
}

/// Whether a file may declare access entries or a cluster's access settings (eksctl's
/// `accessConfig`, CloudFormation's `AccessConfig` and `AWS::EKS::AccessEntry`).
pub fn may_hold_access(text: &str) -> bool {
    // one search for what all the names share decides for nearly every file (`ccessConfig` is
    // in both spellings)
    ACCESS.has(0, text) && (ACCESS.has(1, text) || ACCESS.has(2, text))
}

/// What a manifest declaring access entries or access settings spells: the first needle is in
/// both others (one search for it decides most files); `prefilter` takes the others.
pub(super) static ACCESS: Needles<3> = Needles::new(["ccess", "ccessConfig", "::AccessEntry"]);

/// What [`has_name_escapes`] looks for: a backslash and the character after it.
pub(super) const NAME_ESCAPES: [&str; 5] = ["\\x", "\\u", "\\U", "\\\n", "\\\r"];

/// The authenticator's own template variables.
pub const TEMPLATE_VARIABLES: [&str; 5] = [
    "EC2PrivateDNSName",
    "AccountID",
    "SessionName",
    "SessionNameRaw",
    "AccessKeyID",
];

/// Whether `{{ name }}` is (a misspelling of) one of the authenticator's own variables.
pub fn is_authenticator_variable(name: &str) -> bool {
    let name = name.trim();
    // the exact names (in any case) are the common case: no edit distance needed
    if TEMPLATE_VARIABLES
        .iter()
        .any(|v| v.eq_ignore_ascii_case(name))
    {
        return true;
    }
    // an edit distance is at least the difference in length, in characters (counted only as far
    // as it matters: a long text between braces is not read to its end)
    let longest = TEMPLATE_VARIABLES
        .iter()
        .map(|v| v.len())
        .max()
        .unwrap_or(0);
    let chars = name.chars().take(longest + 3).count();
    if TEMPLATE_VARIABLES
        .iter()
        .all(|v| chars.abs_diff(v.len()) > 2)
    {
        return false;
    }
    let lower = name.to_ascii_lowercase();
    TEMPLATE_VARIABLES
        .iter()
        .any(|v| strsim::levenshtein(&lower, &v.to_ascii_lowercase()) <= 2)
}

/// Finds Helm or Jinja syntax (`{{ .x }}`, `{{- x }}`, `{{ include ... }}`, `{{ var }}`,
/// `{% x %}`) outside full-line comments: files with it only mean something once rendered.
/// `{{SessionName}}` and near-misses of the authenticator's own variables do not count.
pub fn find_strong_template(text: &str) -> Option<Span> {
    let bytes = text.as_bytes();
    let mut through = Through::new(text);
    // the line of the last `{` seen, and whether it is a full-line comment
    let mut line_end = 0;
    let mut comment = false;
    for i in memchr::memchr_iter(b'{', bytes) {
        if i >= line_end {
            let start = memchr::memrchr(b'\n', &bytes[..i]).map_or(0, |n| n + 1);
            line_end = memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |n| i + n + 1);
            comment = text[start..line_end].trim_start().starts_with('#');
        }
        if comment {
            continue;
        }
        let strong = match bytes.get(i + 1) {
            Some(b'%') => true,
            // a CloudFormation dynamic reference (`{{resolve:ssm:/name}}`), which the stack
            // resolves when it is deployed: a value not known from the repository, no template
            Some(b'{') if bytes[i + 2..].starts_with(b"resolve:") => false,
            Some(b'{') => {
                let span = through.span(i, "}}");
                // an unclosed `{{` is a typo or garbage, not a template language
                if !text[span.clone()].ends_with("}}") {
                    continue;
                }
                let inner = text[i + 2..span.end - 2]
                    .trim_start_matches('-')
                    .trim_end_matches('-')
                    .trim();
                let word_len = inner
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(inner.len());
                let word = &inner[..word_len];
                // `{{ x }}` with an expression, a pipeline, a call or another tool's variable
                !inner.is_empty()
                    && (word.is_empty()
                        || word_len < inner.len()
                        || !is_authenticator_variable(word))
            }
            _ => false,
        };
        if strong {
            let end = if bytes.get(i + 1) == Some(&b'%') {
                "%}"
            } else {
                "}}"
            };
            return Some(through.span(i, end));
        }
    }
    None
}

/// Where loaded sources hold a `${...}` placeholder (Terraform, envsubst) instead of what they
/// map: an ARN, username or group, or a whole section (`mapRoles: |\n  ${yamlencode(roles)}`).
pub(super) fn find_placeholder(file: &SourceFile, objects: &[AwsAuth]) -> Option<Span> {
    // a mapping whose ARN, username or group is a placeholder
    let in_field = objects
        .iter()
        .flat_map(|o| &o.entries)
        .flat_map(|e| e.arn.iter().chain(e.username.iter()).chain(e.groups.iter()))
        .find(|f| has_placeholder(&f.value))
        .and_then(|f| {
            let at = file.slice(&f.span).find("${")?;
            Some(f.span.start + at..f.span.start + at + 2)
        })
        .map(|s| {
            find_foreign_template(&file.text[s.start..])
                .map_or(s.clone(), |t| s.start + t.start..s.start + t.end)
        });
    // a whole section that is a placeholder
    in_field.or_else(|| {
        objects
            .iter()
            .flat_map(|o| &o.sections)
            .find(|s| {
                s.text.trim_start().starts_with("${") || s.text.trim_start().starts_with("%{")
            })
            .and_then(|s| {
                find_foreign_template(&file.text[s.value_span.clone()])
                    .map(|t| s.value_span.start + t.start..s.value_span.start + t.end)
            })
    })
}

/// Whether `text` contains `${` (looking only at its `$` signs).
fn has_placeholder(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memchr_iter(b'$', bytes).any(|i| bytes.get(i + 1) == Some(&b'{'))
}

/// The span from a `{` to the first closer after it on the same line (or the line's end), for
/// `{` positions in increasing order. Where the next line break and the next closer are is kept
/// from one call to the next, so a long line of `{` is searched once, not once per `{`.
struct Through<'t> {
    bytes: &'t [u8],
    newline: NextMatch,
    closers: [NextMatch; 3],
}

impl<'t> Through<'t> {
    fn new(text: &'t str) -> Self {
        Self {
            bytes: text.as_bytes(),
            newline: NextMatch::new(b"\n"),
            closers: [
                NextMatch::new(b"}}"),
                NextMatch::new(b"%}"),
                NextMatch::new(b"}"),
            ],
        }
    }

    /// The span from `start` to the end of the first `close` (`}}`, `%}` or `}`) after it on the
    /// same line, or to the line's end.
    fn span(&mut self, start: usize, close: &str) -> Span {
        let line_end = self.newline.at_or_after(self.bytes, start);
        let closer = self
            .closers
            .iter_mut()
            .find(|c| c.needle == close.as_bytes())
            .expect("a known closer");
        // a closer has no line break: one that starts before the line's end ends before it
        let at = closer.at_or_after(self.bytes, start);
        let end = if at < line_end {
            at + close.len()
        } else {
            line_end
        };
        start..end
    }
}

/// The first occurrence of a needle at or after a position, remembered: asked again for a
/// position not past it, it is still the answer.
struct NextMatch {
    needle: &'static [u8],
    /// The position last asked for, and the occurrence found (the haystack's length if none).
    cached: Option<(usize, usize)>,
}

impl NextMatch {
    const fn new(needle: &'static [u8]) -> Self {
        Self {
            needle,
            cached: None,
        }
    }

    fn at_or_after(&mut self, hay: &[u8], from: usize) -> usize {
        if let Some((asked, at)) = self.cached
            && asked <= from
            && from <= at
        {
            return at;
        }
        let rest = &hay[from..];
        // one- and two-byte needles by `memchr` (a `memmem` searcher per call costs more than
        // the short searches here)
        let found = match *self.needle {
            [b] => memchr::memchr(b, rest),
            [a, b] => memchr::memchr_iter(a, rest).find(|&i| rest.get(i + 1) == Some(&b)),
            _ => memchr::memmem::find(rest, self.needle),
        };
        let at = found.map_or(hay.len(), |e| from + e);
        self.cached = Some((from, at));
        at
    }
}

/// Finds template syntax of another tool (Helm, Jinja, Terraform's `${}` and `%{}`) in `text`;
/// the authenticator's own `{{SessionName}}` and friends do not count.
pub fn find_foreign_template(text: &str) -> Option<Span> {
    let bytes = text.as_bytes();
    let mut through = Through::new(text);
    for i in memchr::memchr_iter(b'{', bytes) {
        match bytes.get(i + 1) {
            Some(b'%') => return Some(through.span(i, "%}")),
            // inside a run of `{`, the same span as from the run's previous `{`: already looked at
            Some(b'{') if i > 0 && bytes[i - 1] == b'{' => {}
            Some(b'{') => {
                let span = through.span(i, "}}");
                let inner = text[span.clone()]
                    .trim_start_matches('{')
                    .trim_end_matches('}');
                if !is_authenticator_variable(inner) {
                    return Some(span);
                }
            }
            _ if i > 0 && matches!(bytes[i - 1], b'$' | b'%') => {
                return Some(through.span(i - 1, "}"));
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prefilter_sees_every_source_format() {
        for text in [
            "kind: ConfigMap\nmetadata:\n  name: aws-auth\n",
            "kind: ClusterConfig\niamIdentityMappings:\n  - arn: x\n",
            "kind: AWSManagedControlPlane\nspec:\n  iamAuthenticatorConfig:\n    mapUsers: []\n",
            "apiVersion: iamauthenticator.k8s.aws/v1alpha1\nkind: IAMIdentityMapping\n",
        ] {
            assert!(mentions_aws_auth(text), "{text}");
        }
        assert!(!mentions_aws_auth(
            "kind: Deployment\nmetadata:\n  name: identity\n"
        ));
    }

    #[test]
    fn through_remembers_what_a_search_from_scratch_finds() {
        // the span from each `{` to its closer or the line's end, as searched from scratch
        fn naive(text: &str, start: usize, close: &str) -> Span {
            let line_end = text[start..].find('\n').map_or(text.len(), |e| start + e);
            let end = text[start..line_end]
                .find(close)
                .map_or(line_end, |e| start + e + close.len());
            start..end
        }
        let texts = [
            "a {{x}} {{y\n{% z %} {{ {w}} }}\n${v} %{u}\n{{",
            "{{{{}}}}{%}}%}\n\n{}{}{{}{}}",
            "x: {{SessionName}}{{ .Values.y }}\n  - {{a\n}}b}}",
        ];
        for text in texts {
            let mut through = Through::new(text);
            for i in memchr::memchr_iter(b'{', text.as_bytes()) {
                for close in ["}}", "%}", "}"] {
                    assert_eq!(
                        through.span(i, close),
                        naive(text, i, close),
                        "{text:?} at {i}"
                    );
                }
            }
        }
    }

    #[test]
    fn template_scans_find_the_same_spans_on_long_lines() {
        let line = "{{SessionName}}".repeat(1000);
        assert_eq!(find_strong_template(&line), None);
        assert_eq!(find_foreign_template(&line), None);
        let bad = format!("{line}{{{{ .Values.x }}}}{line}");
        let at = line.len();
        assert_eq!(find_strong_template(&bad), Some(at..at + 15));
        assert_eq!(find_foreign_template(&bad), Some(at..at + 15));
        let braces = format!("{}{{{{ nope }}}}", "{".repeat(5000));
        assert_eq!(find_foreign_template(&braces), Some(0..braces.len()));
    }

    #[test]
    fn foreign_templates() {
        assert!(find_strong_template("a: {{ .Values.x }}").is_some());
        assert!(find_strong_template("a: \"{{SessionName}}\"").is_none());
        // CloudFormation's dynamic references are resolved by the stack, not rendered
        assert!(find_strong_template("ImageId: '{{resolve:ssm:/aws/service/eks/x}}'").is_none());
        assert!(find_strong_template("a: '{{resolve:ssm:/x}}'\nb: {{ .Values.x }}").is_some());
        let text = "a: {{SessionName}} ${var}";
        assert_eq!(
            find_foreign_template(text).map(|s| &text[s]),
            Some("${var}")
        );
        assert!(find_foreign_template("a: {{EC2PrivateDNSName}}").is_none());
    }
}
