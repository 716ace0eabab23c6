//! Loading: finds every aws-auth mapping source in a file and loads it exactly as
//! aws-iam-authenticator does (see `DOMAIN.md` §1): each section is YAML 1.1 decoded by
//! yaml.v2, converted to JSON by `sigs.k8s.io/yaml`, then decoded by `encoding/json` into typed
//! entries; a failure at the first two steps drops the section, type errors leave fields empty,
//! `Validate` drops entries without an ARN, and the store is keyed last-wins.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::model::{
    Account, AwsAuth, DecodeIssue, DecodeIssueKind, Effective, EffectiveRole, EffectiveUser, Entry,
    Field, Log, Rejection, Section, SectionKind, SectionState, SourceKind, Sso, Status,
};
use crate::source::{SourceFile, Span};
use crate::yaml::resolve::{Scalar, resolve};
use crate::yaml::scalar_map::ScalarMap;
use crate::yaml::{self, Node, NodeKind, Style, SyntaxError};

mod rescan;

/// Everything found in one file.
#[derive(Debug)]
pub struct FileLoad {
    /// The file.
    pub file: Arc<SourceFile>,
    /// aws-auth sources, in document order.
    pub objects: Vec<AwsAuth>,
    /// Outer syntax errors (one per broken document).
    pub syntax_errors: Vec<SyntaxError>,
    /// Whether the file mentions aws-auth at all (decides whether a syntax error matters).
    pub relevant: bool,
    /// Template syntax that is not the authenticator's own (`{{ .Values }}`, `${var}`, `{%`):
    /// such a file is not linted, only noted.
    pub template: Option<Span>,
    /// Roles and bindings found beside the mappings (for the neighbour rules).
    pub rbac: Vec<crate::rbac::RbacObject>,
}

/// Cheap test for files worth parsing: they mention one of the names aws-auth data lives under.
pub fn mentions_aws_auth(text: &str) -> bool {
    [
        "aws-auth",
        "mapRoles",
        "mapUsers",
        "mapAccounts",
        "iamIdentityMappings",
    ]
    .iter()
    .any(|needle| memchr::memmem::find(text.as_bytes(), needle.as_bytes()).is_some())
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

/// Loads every aws-auth source of a file.
pub fn load_file(file: Arc<SourceFile>) -> FileLoad {
    let text = file.text.as_str();
    let relevant = mentions_aws_auth(text);
    // names spelled with escapes: parsed to find out, relevant only if an aws-auth turns up
    let escaped = !relevant && has_name_escapes(text);
    let mut out = FileLoad {
        file: Arc::clone(&file),
        objects: Vec::new(),
        syntax_errors: Vec::new(),
        relevant,
        template: None,
        rbac: Vec::new(),
    };
    // RBAC that can rewrite aws-auth or binds system:masters is read from any manifest
    let rbac = [
        "system:masters",
        "configmaps",
        "\"*\"",
        "'*'",
        "- '*'",
        "[*]",
    ]
    .iter()
    .any(|n| memchr::memmem::find(text.as_bytes(), n.as_bytes()).is_some())
        && memchr::memmem::find(text.as_bytes(), b"Role").is_some();
    if !relevant && !rbac && !escaped {
        return out;
    }
    let normalized;
    let parse_text = match yaml::v2_line_breaks(text) {
        Some(t) => {
            normalized = t;
            normalized.as_str()
        }
        None => text,
    };
    // Helm/Jinja files are not linted whether or not they happen to parse (their values are not
    // what the cluster gets), but `inspect` still shows what they hold as written; the two
    // scans are independent, and run side by side in a large file
    let (stream, strong) = if text.len() >= 64 * 1024 {
        crate::par::join(
            || yaml::parse_stream(parse_text),
            || find_strong_template(text),
        )
    } else {
        (yaml::parse_stream(parse_text), find_strong_template(text))
    };
    out.syntax_errors = stream.errors;
    out.template = strong;
    if out.template.is_none() && !out.syntax_errors.is_empty() {
        out.template = find_foreign_template(text);
    }
    for doc in &stream.documents {
        if let Some(root) = &doc.root {
            if relevant || escaped {
                find_objects(&file, doc.index, root, &mut out.objects, true);
            }
            if rbac {
                crate::rbac::find_rbac(&file, root, &mut out.rbac);
            }
        }
    }
    if escaped && !out.objects.is_empty() {
        out.relevant = true;
    }
    // a mapping whose ARN, username or group is a `${...}` placeholder (Terraform, envsubst):
    // the file is a template, and what it maps is only known once rendered
    if out.template.is_none() {
        out.template = out
            .objects
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
    }
    // a whole section that is a placeholder (`mapRoles: |\n  ${yamlencode(roles)}`)
    if out.template.is_none() {
        out.template = out
            .objects
            .iter()
            .flat_map(|o| &o.sections)
            .find(|s| {
                s.text.trim_start().starts_with("${") || s.text.trim_start().starts_with("%{")
            })
            .and_then(|s| {
                find_foreign_template(&file.text[s.value_span.clone()])
                    .map(|t| s.value_span.start + t.start..s.value_span.start + t.end)
            });
    }
    out
}

fn scalar_field(file: &SourceFile, node: Option<&Node>) -> Option<Field> {
    let node = node?;
    node.as_str()
        .map(|v| Field {
            value: v.to_owned(),
            span: node.span.clone(),
        })
        .filter(|_| node.resolved().span.end <= file.text.len())
}

fn find_objects(
    file: &Arc<SourceFile>,
    document: usize,
    root: &Node,
    out: &mut Vec<AwsAuth>,
    top: bool,
) {
    if root.as_map().is_none() {
        return;
    }
    let kind = root.get("kind").and_then(Node::as_str);
    match kind {
        Some("List") if top => {
            for item in root.get("items").and_then(Node::as_seq).unwrap_or_default() {
                find_objects(file, document, item, out, false);
            }
        }
        Some("ConfigMap") => {
            if let Some(obj) = load_configmap(file, document, root) {
                out.push(obj);
            }
        }
        Some("ClusterConfig")
            if root
                .get("apiVersion")
                .and_then(Node::as_str)
                .is_some_and(|v| v.starts_with("eksctl.io/")) =>
        {
            if let Some(obj) = load_eksctl(file, document, root) {
                out.push(obj);
            }
        }
        None => {
            // a bare fragment: `mapRoles: |` at the top, or a `data:` patch without a kind
            let holder = if has_section_key(root) {
                Some(root)
            } else {
                root.get("data").filter(|d| has_section_key(d))
            };
            if let Some(holder) = holder {
                let mut obj = new_object(file, document, SourceKind::Fragment, root);
                load_data(file, holder, &mut obj);
                finish(&mut obj);
                out.push(obj);
            }
        }
        _ => {}
    }
}

fn has_section_key(node: &Node) -> bool {
    node.as_map().is_some_and(|m| {
        m.iter()
            .any(|(k, _)| k.as_str().and_then(SectionKind::from_key).is_some())
    })
}

fn new_object(file: &Arc<SourceFile>, document: usize, kind: SourceKind, root: &Node) -> AwsAuth {
    AwsAuth {
        file: Arc::clone(file),
        document,
        kind,
        span: root.span.clone(),
        name: None,
        namespace: None,
        misplaced_metadata: Vec::new(),
        metadata_span: None,
        ignore_annotation: None,
        rejected: Vec::new(),
        data_keys: Vec::new(),
        sections: Vec::new(),
        entries: Vec::new(),
        accounts: Vec::new(),
        issues: Vec::new(),
        effective: Effective::default(),
    }
}

/// Records keys that appear twice in a mapping (compared exactly: outer Kubernetes keys are
/// case-sensitive).
fn outer_duplicates(node: &Node, issues: &mut Vec<DecodeIssue>) {
    let Some(map) = node.as_map() else { return };
    let mut seen: HashMap<&str, &Span> = HashMap::new();
    for (k, _) in map {
        if let Some(key) = k.as_str() {
            if let Some(first) = seen.get(key) {
                issues.push(DecodeIssue {
                    span: k.span.clone(),
                    kind: DecodeIssueKind::DuplicateKey {
                        key: key.to_owned(),
                        first: (*first).clone(),
                    },
                });
            }
            seen.insert(key, &k.span);
        }
    }
}

fn load_configmap(file: &Arc<SourceFile>, document: usize, root: &Node) -> Option<AwsAuth> {
    let metadata = root.entry("metadata");
    let meta = metadata.map(|(_, v)| v);
    let name = scalar_field(file, meta.and_then(|m| m.get("name")));
    let namespace = scalar_field(file, meta.and_then(|m| m.get("namespace")));
    // keys lost from `metadata` to bad indentation land beside it, or deeper inside it
    let mut misplaced = Vec::new();
    for (key, present) in [("name", name.is_some()), ("namespace", namespace.is_some())] {
        if !present && let Some(f) = scalar_field(file, root.get(key)) {
            misplaced.push((key, f));
        }
    }
    if misplaced.is_empty()
        && name.is_none()
        && let Some(m) = meta
    {
        find_nested_name(file, m, 0, &mut misplaced);
    }
    let data = root.get("data");
    let named = name.as_ref().is_some_and(|n| n.value == "aws-auth");
    let misplaced_named = misplaced.iter().any(|(_, f)| f.value == "aws-auth");
    if !named && !misplaced_named && !data.is_some_and(has_section_key) {
        return None;
    }
    let mut obj = new_object(file, document, SourceKind::ConfigMap, root);
    obj.name = name;
    obj.namespace = namespace;
    obj.misplaced_metadata = misplaced;
    obj.metadata_span = metadata.map(|(k, _)| k.span.clone());
    obj.ignore_annotation = scalar_field(
        file,
        meta.and_then(|m| m.get("annotations"))
            .and_then(|a| a.get(crate::suppress::ANNOTATION)),
    );
    if let Some(m) = meta {
        outer_duplicates(m, &mut obj.issues);
    }
    match data {
        Some(d) if d.as_map().is_some() => load_data(file, d, &mut obj),
        Some(d)
            if d.as_str().is_some_and(|s| {
                resolve(s, d.style().unwrap_or(Style::Plain), d.tag.as_deref()) == Scalar::Null
            }) => {}
        Some(d) => {
            let (k, _) = root.entry("data")?;
            obj.rejected.push(Rejection {
                key: "data".into(),
                key_span: k.span.clone(),
                value_span: d.span.clone(),
                found: d.type_name(),
            });
        }
        None => {}
    }
    finish(&mut obj);
    Some(obj)
}

fn find_nested_name(
    file: &SourceFile,
    node: &Node,
    depth: usize,
    out: &mut Vec<(&'static str, Field)>,
) {
    if depth > 4 {
        return;
    }
    match &node.resolved().kind {
        NodeKind::Map(entries) => {
            for (k, v) in entries {
                let key = match k.as_str() {
                    Some("name") => Some("name"),
                    Some("namespace") => Some("namespace"),
                    _ => None,
                };
                if let Some(key) = key
                    && depth > 0
                {
                    if let Some(f) = scalar_field(file, Some(v))
                        && (f.value == "aws-auth" || f.value == "kube-system")
                    {
                        out.push((key, f));
                    }
                } else {
                    find_nested_name(file, v, depth + 1, out);
                }
            }
        }
        NodeKind::Seq(items) => {
            for item in items {
                find_nested_name(file, item, depth + 1, out);
            }
        }
        _ => {}
    }
}

/// Reads the data keys of a ConfigMap (or fragment): every value must be a string, or the API
/// server rejects the object.
fn load_data(file: &Arc<SourceFile>, data: &Node, obj: &mut AwsAuth) {
    outer_duplicates(data, &mut obj.issues);
    if data.as_map().is_none() {
        return;
    }
    let mut sections: BTreeMap<SectionKind, Section> = BTreeMap::new();
    for (k, v) in crate::yaml::merged_entries(data) {
        let key = k.as_str().unwrap_or_default();
        obj.data_keys.push(Field {
            value: key.to_owned(),
            span: k.span.clone(),
        });
        let target = v.resolved();
        let string = match &target.kind {
            NodeKind::Scalar { value, style } => {
                match resolve(value, *style, target.tag.as_deref()) {
                    Scalar::Str => Some(value.as_str()),
                    // JSON null into a Go string leaves it empty
                    Scalar::Null => Some(""),
                    _ => None,
                }
            }
            _ => None,
        };
        let Some(string) = string else {
            if obj.kind == SourceKind::Fragment {
                // values files and Terraform inputs may hold structured lists; no API server here
                continue;
            }
            let found = match &target.kind {
                NodeKind::Scalar { value, style } => {
                    resolve(value, *style, target.tag.as_deref()).type_name()
                }
                _ => target.type_name(),
            };
            obj.rejected.push(Rejection {
                key: key.to_owned(),
                key_span: k.span.clone(),
                value_span: v.span.clone(),
                found,
            });
            continue;
        };
        let Some(kind) = SectionKind::from_key(key) else {
            continue;
        };
        let style = target.style().unwrap_or(Style::Plain);
        let map = ScalarMap::new(&file.text, &target.span, style, string);
        let section = Section {
            kind,
            key_span: k.span.clone(),
            value_span: v.span.clone(),
            style,
            text: string.to_owned(),
            map,
            state: SectionState::Loaded,
            root: None,
            issues: Vec::new(),
        };
        // a duplicated data key: yaml.v2 keeps the last value
        sections.insert(kind, section);
    }
    for (_, mut section) in sections {
        parse_section(&mut section, &mut obj.entries, &mut obj.accounts);
        obj.sections.push(section);
    }
}

/// The values `isSkippable` ignores: empty, `''`, `""` and two backticks.
pub fn is_skippable(text: &str) -> bool {
    matches!(text.trim(), "" | "''" | "\"\"" | "``")
}

fn parse_section(section: &mut Section, entries: &mut Vec<Entry>, accounts: &mut Vec<Account>) {
    if is_skippable(&section.text) {
        section.state = SectionState::Skipped;
        return;
    }
    let root = match yaml::parse_first(&section.text) {
        Ok(root) => root,
        Err(e) => {
            section.state = section.syntax_error(&e);
            // still show whom the section would have admitted: every mapping written in it
            if section.kind == SectionKind::MapAccounts {
                accounts.extend(rescan::lost_accounts(section));
            } else {
                entries.extend(rescan::lost(section));
            }
            return;
        }
    };
    if section.kind == SectionKind::MapAccounts {
        decode_accounts(section, root.as_ref(), accounts);
        section.root = root;
        return;
    }
    let _first_entry = entries.len();
    let result = match &root {
        None => Ok(GoVal::Null),
        Some(r) => to_go_root(r),
    }
    .and_then(|v| match find_non_finite(&v) {
        Some(node) => Err(conv_err(
            format!(
                "`{}` is a YAML 1.1 float that JSON cannot represent",
                node.as_str().unwrap_or_default()
            ),
            node,
            false,
        )),
        None => Ok(v),
    });
    match result {
        Err(err) => {
            section.state = SectionState::ConversionError {
                message: err.message,
                span: section.outer(&err.span),
                template: err.template,
                log: section.conversion_log(root.as_ref()),
            };
            // the YAML parsed: decode what each item holds, for display; all of it is lost
            if let Some(items) = root.as_ref().and_then(Node::as_seq) {
                // one budget for all items: an alias bomb is not expanded once per item
                let mut budget = Budget::display();
                for (index, item) in items.iter().enumerate() {
                    let val = lenient_item(item, &mut budget);
                    // what a lost item tolerates is not reported
                    let mut entry = decode_entry(section, &mut Vec::new(), index, &val, item);
                    entry.status = Status::Lost(String::new());
                    entries.push(entry);
                }
            }
        }
        Ok(GoVal::Null) => {}
        Ok(GoVal::Seq(items)) => {
            let decode_all = |out: &mut Vec<Entry>, items: &[(GoVal<'_>, &Node)], first: usize| {
                let mut issues = Vec::new();
                out.extend(items.iter().enumerate().map(|(i, (val, node))| {
                    decode_entry(section, &mut issues, first + i, val, node)
                }));
                issues
            };
            // a long section in two halves at once; entries and issues keep item order
            entries.reserve(items.len());
            if items.len() >= PARALLEL_ITEMS {
                let mid = items.len() / 2;
                let (head_issues, (tail, tail_issues)) = crate::par::join(
                    || decode_all(entries, &items[..mid], 0),
                    || {
                        let mut tail = Vec::with_capacity(items.len() - mid);
                        let issues = decode_all(&mut tail, &items[mid..], mid);
                        (tail, issues)
                    },
                );
                entries.extend(tail);
                section.issues.extend(head_issues);
                section.issues.extend(tail_issues);
            } else {
                let issues = decode_all(entries, &items, 0);
                section.issues.extend(issues);
            }
        }
        Ok(other) => {
            let span = root.as_ref().map_or(0..0, |r| section.outer(&r.span));
            section.state = SectionState::NotList {
                found: other.type_name(),
                span,
            };
        }
    }
    if let Some(root) = &root {
        find_duplicate_entry_keys(section, root);
    }
    section.root = root;
}

/// An item converted key by key, skipping what fails (only for showing a lost section).
fn lenient_item<'a>(item: &'a Node, budget: &mut Budget) -> GoVal<'a> {
    let Some(map) = item.as_map() else {
        return to_go(item, item, budget, false).unwrap_or(GoVal::Null);
    };
    let mut out = GoMap::default();
    for (k, v) in map {
        if let (Ok(key), Ok(val)) = (key_string(k, item), to_go(v, v, budget, false)) {
            out.insert(key, (val, v));
        }
    }
    GoVal::Map(out.finish())
}

/// The most alias-expanded nodes decoded for showing a lost section (not a yaml.v2 limit: only
/// what the tool spends on a section the authenticator refuses anyway).
const DISPLAY_ALIAS_BUDGET: usize = 1_000_000;

/// Sections with at least this many items are converted and decoded in two halves at once.
const PARALLEL_ITEMS: usize = 1024;

/// Converted sequence items with their nodes.
type GoItems<'a> = Vec<(GoVal<'a>, &'a Node)>;

/// `to_go(root, root, ..)` as one yaml.v2 decoder does it. A long sequence is converted in two
/// halves at once; the result is the one-pass result when both halves convert without
/// expanding an alias (yaml.v2's alias check cannot fail then). Otherwise the one pass runs, for
/// its exact count and error.
fn to_go_root(root: &Node) -> Result<GoVal<'_>, ConvError> {
    if let NodeKind::Seq(items) = &root.kind
        && items.len() >= PARALLEL_ITEMS
    {
        /// The items' values, and whether an alias was expanded.
        fn convert(items: &[Node]) -> (Result<GoItems<'_>, ConvError>, bool) {
            let mut budget = Budget::yaml_v2();
            let out = items
                .iter()
                .map(|item| Ok((to_go(item, item, &mut budget, false)?, item)))
                .collect();
            (out, budget.aliased > 0)
        }
        let (head, tail) = items.split_at(items.len() / 2);
        let ((head, aliased_head), (tail, aliased_tail)) =
            crate::par::join(|| convert(head), || convert(tail));
        if let (Ok(mut head), Ok(tail), false, false) = (head, tail, aliased_head, aliased_tail) {
            head.extend(tail);
            return Ok(GoVal::Seq(head));
        }
    }
    to_go(root, root, &mut Budget::yaml_v2(), false)
}

/// Bounds the work of expanding aliases: a "billion laughs" section must not hang the tool.
/// The authenticator's yaml.v2 refuses "excessive aliasing" by the share of the decoded nodes
/// that come from aliases (`decode.go`, `allowedAliasRatio`), not by a document's size: a large
/// document without aliases decodes. Counted as yaml.v2 counts: the document, each key and value,
/// an alias and, inside it, each node of its target.
struct Budget {
    /// Nodes decoded.
    decodes: usize,
    /// Nodes decoded inside an alias.
    aliased: usize,
    /// Aliases being expanded.
    depth: usize,
    /// At most this many aliased nodes (a display budget) instead of yaml.v2's ratio.
    cap: Option<usize>,
}

impl Budget {
    /// A fresh yaml.v2 decoder, its document node counted.
    const fn yaml_v2() -> Self {
        Self {
            decodes: 1,
            aliased: 0,
            depth: 0,
            cap: None,
        }
    }

    /// For showing what a lost section holds: aliases expanded up to a fixed total.
    const fn display() -> Self {
        Self {
            cap: Some(DISPLAY_ALIAS_BUDGET),
            ..Self::yaml_v2()
        }
    }

    /// Counts one node decoded at `site`; fails as yaml.v2 fails on excessive aliasing.
    fn step(&mut self, site: &Node) -> Result<(), ConvError> {
        self.decodes += 1;
        if self.depth > 0 {
            self.aliased += 1;
        }
        let excessive = match self.cap {
            Some(cap) => self.aliased > cap,
            // `d.aliasCount > 100 && d.decodeCount > 1000 && ratio > allowedAliasRatio(..)`
            #[allow(clippy::cast_precision_loss)] // counts far below 2^52
            None => {
                self.aliased > 100
                    && self.decodes > 1000
                    && self.aliased as f64 / self.decodes as f64 > allowed_alias_ratio(self.decodes)
            }
        };
        if excessive {
            return Err(conv_err(
                "document contains excessive aliasing",
                site,
                false,
            ));
        }
        Ok(())
    }
}

/// yaml.v2's `allowedAliasRatio`: 99% of a document of up to 400,000 decoded nodes may come from
/// aliases, 10% of one of 4,000,000 or more, linearly in between.
#[allow(clippy::cast_precision_loss)] // counts far below 2^52
fn allowed_alias_ratio(decodes: usize) -> f64 {
    const LOW: usize = 400_000;
    const HIGH: usize = 4_000_000;
    if decodes <= LOW {
        0.99
    } else if decodes >= HIGH {
        0.10
    } else {
        0.99 - 0.89 * ((decodes - LOW) as f64 / (HIGH - LOW) as f64)
    }
}

/// A failure that drops the whole section.
struct ConvError {
    message: String,
    span: Span,
    template: bool,
}

/// A Go value after yaml.v2 decoding into `interface{}` and `sigs.k8s.io/yaml`'s conversion to
/// JSON-able types (string map keys).
enum GoVal<'a> {
    Null,
    Bool,
    Number,
    Str(Cow<'a, str>),
    Seq(Vec<(GoVal<'a>, &'a Node)>),
    /// Sorted by key (Go's `json.Marshal` sorts map keys); value and its node.
    Map(GoMap<'a>),
    /// `.inf`/`.nan`: `json.Marshal` refuses the whole document if one is left in it.
    NonFinite(&'a Node),
}

/// A Go map after conversion: keys sorted as `json.Marshal` sorts them, each with its value and
/// the node it was read from. Built by appending, then sorted once ([`GoMap::finish`]): a flow
/// mapping of many keys must not shift a sorted vector per key.
#[derive(Default)]
struct GoMap<'a>(Vec<(Cow<'a, str>, (GoVal<'a>, &'a Node))>);

impl<'a> GoMap<'a> {
    /// Sets `key` (a later value replaces an earlier one, as in a Go map) once finished.
    fn insert(&mut self, key: Cow<'a, str>, value: (GoVal<'a>, &'a Node)) {
        self.0.push((key, value));
    }

    /// Sorts by key (stably) and keeps the last value of a key set more than once.
    fn finish(mut self) -> Self {
        self.0.sort_by(|a, b| a.0.cmp(&b.0));
        // of a run of equal keys, the last value moves into the first slot, which stays
        self.0.dedup_by(|later, kept| {
            let same = later.0 == kept.0;
            if same {
                std::mem::swap(later, kept);
            }
            same
        });
        self
    }

    /// The entries in key order.
    fn iter(&self) -> impl Iterator<Item = (&str, &(GoVal<'a>, &'a Node))> {
        self.0.iter().map(|(k, v)| (k.as_ref(), v))
    }
}

/// The first value `json.Marshal` cannot encode, if any survived into the document.
fn find_non_finite<'a>(v: &GoVal<'a>) -> Option<&'a Node> {
    match v {
        GoVal::NonFinite(n) => Some(n),
        GoVal::Seq(items) => items.iter().find_map(|(v, _)| find_non_finite(v)),
        GoVal::Map(m) => m.iter().find_map(|(_, (v, _))| find_non_finite(v)),
        _ => None,
    }
}

impl GoVal<'_> {
    fn type_name(&self) -> &'static str {
        match self {
            Self::Null => "null",
            Self::Bool => "bool",
            Self::Number | Self::NonFinite(_) => "number",
            Self::Str(_) => "string",
            Self::Seq(_) => "list",
            Self::Map(_) => "mapping",
        }
    }
}

fn conv_err(message: impl Into<String>, node: &Node, template: bool) -> ConvError {
    ConvError {
        message: message.into(),
        span: node.span.clone(),
        template,
    }
}

fn to_go<'a>(
    node: &'a Node,
    site: &'a Node,
    budget: &mut Budget,
    _key: bool,
) -> Result<GoVal<'a>, ConvError> {
    budget.step(site)?;
    if let NodeKind::Alias(target) = &node.kind {
        budget.depth += 1;
        let val = to_go(target, site, budget, false);
        budget.depth -= 1;
        return val;
    }
    let target = node;
    match &target.kind {
        NodeKind::Alias(_) => unreachable_alias(site),
        NodeKind::Scalar { value, style } => match resolve(value, *style, target.tag.as_deref()) {
            Scalar::Null => Ok(GoVal::Null),
            Scalar::Bool(_) => Ok(GoVal::Bool),
            Scalar::Int(_) | Scalar::Uint(_) => Ok(GoVal::Number),
            // only fatal if it survives into the JSON document (a later duplicate key may replace it)
            Scalar::Float(f) if !f.is_finite() => Ok(GoVal::NonFinite(site)),
            Scalar::Float(_) => Ok(GoVal::Number),
            Scalar::Str => Ok(GoVal::Str(Cow::Borrowed(value))),
            Scalar::Binary(decoded) => Ok(GoVal::Str(Cow::Owned(decoded))),
            Scalar::Error(msg) => Err(conv_err(msg, site, false)),
        },
        NodeKind::Seq(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                out.push((to_go(item, item, budget, false)?, item));
            }
            Ok(GoVal::Seq(out))
        }
        NodeKind::Map(entries) => {
            // as many keys as written, unless merges add more
            let mut out = GoMap(Vec::with_capacity(entries.len()));
            map_into(entries, site, budget, &mut out)?;
            Ok(GoVal::Map(out.finish()))
        }
    }
}

fn unreachable_alias<'a>(site: &Node) -> Result<GoVal<'a>, ConvError> {
    Err(conv_err("unresolved alias", site, false))
}

fn is_merge_key(k: &Node) -> bool {
    let t = k.resolved();
    match &t.kind {
        NodeKind::Scalar { value, style } => {
            value == "<<"
                && ((*style == Style::Plain && t.tag.is_none())
                    || t.tag.as_deref() == Some("tag:yaml.org,2002:merge"))
        }
        _ => false,
    }
}

fn map_into<'a>(
    entries: &'a [(Node, Node)],
    site: &'a Node,
    budget: &mut Budget,
    out: &mut GoMap<'a>,
) -> Result<(), ConvError> {
    for (k, v) in entries {
        if is_merge_key(k) {
            merge(v, budget, out)?;
            continue;
        }
        // yaml.v2 decodes the key too (an alias key: the alias and its target)
        budget.step(k)?;
        if matches!(k.kind, NodeKind::Alias(_)) {
            budget.depth += 1;
            let target = budget.step(k);
            budget.depth -= 1;
            target?;
        }
        let key = key_string(k, site)?;
        let val = to_go(v, v, budget, false)?;
        out.insert(key, (val, v));
    }
    Ok(())
}

fn merge<'a>(v: &'a Node, budget: &mut Budget, out: &mut GoMap<'a>) -> Result<(), ConvError> {
    let want_map = || {
        conv_err(
            "map merge requires map or sequence of maps as the value",
            v,
            false,
        )
    };
    // one map, or an alias to one, decoded into `out` (counted as yaml.v2 counts it)
    let merge_one = |node: &'a Node, budget: &mut Budget, out: &mut GoMap<'a>| match &node.kind {
        NodeKind::Map(entries) => {
            budget.step(node)?;
            map_into(entries, node, budget, out)
        }
        NodeKind::Alias(target) => match &target.resolved().kind {
            NodeKind::Map(entries) => {
                budget.step(node)?;
                budget.depth += 1;
                let merged = budget
                    .step(node)
                    .and_then(|()| map_into(entries, node, budget, out));
                budget.depth -= 1;
                merged
            }
            _ => Err(want_map()),
        },
        _ => Err(want_map()),
    };
    match &v.kind {
        NodeKind::Map(_) | NodeKind::Alias(_) => merge_one(v, budget, out),
        // yaml.v2 merges a literal sequence of maps (later ones first), not an alias to one
        NodeKind::Seq(items) => {
            for item in items.iter().rev() {
                merge_one(item, budget, out)?;
            }
            Ok(())
        }
        NodeKind::Scalar { .. } => Err(want_map()),
    }
}

/// yaml.v2 map keys become JSON object keys as `sigs.k8s.io/yaml` converts them.
fn key_string<'a>(k: &'a Node, site: &Node) -> Result<Cow<'a, str>, ConvError> {
    let t = k.resolved();
    match &t.kind {
        NodeKind::Scalar { value, style } => match resolve(value, *style, t.tag.as_deref()) {
            Scalar::Str => Ok(Cow::Borrowed(value)),
            Scalar::Binary(decoded) => Ok(Cow::Owned(decoded)),
            Scalar::Bool(b) => Ok(Cow::Owned(b.to_string())),
            Scalar::Int(i) => Ok(Cow::Owned(i.to_string())),
            Scalar::Float(f) => Ok(Cow::Owned(go_float32_key(f))),
            Scalar::Null => Err(conv_err("unsupported map key: null", k, false)),
            Scalar::Uint(_) => Err(conv_err("unsupported map key: uint64", k, false)),
            Scalar::Error(msg) => Err(conv_err(msg, k, false)),
        },
        // `{{SessionName}}` unquoted is a flow mapping whose key is a mapping
        NodeKind::Map(_) => Err(conv_err("invalid map key: a mapping", site, true)),
        _ => Err(conv_err("invalid map key: a list", site, false)),
    }
}

/// `strconv.FormatFloat(f, 'g', -1, 32)` for the common cases.
fn go_float32_key(f: f64) -> String {
    if f.is_nan() {
        return ".nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            ".inf".into()
        } else {
            "-.inf".into()
        };
    }
    #[allow(clippy::cast_possible_truncation)]
    let s = format!("{}", f as f32);
    s
}

/// `encoding/json`'s case-insensitive key match: ASCII case, plus the two non-ASCII letters
/// that fold to ASCII ones (`ſ` to `s`, the Kelvin sign to `k`).
fn go_fold_eq(field: &str, key: &str) -> bool {
    if key.is_ascii() {
        return field.eq_ignore_ascii_case(key);
    }
    let folded: String = key
        .chars()
        .map(|c| match c {
            'ſ' => 's',
            '\u{212a}' => 'k',
            c => c,
        })
        .collect();
    field.eq_ignore_ascii_case(&folded)
}

/// The struct fields of `RoleMapping`/`UserMapping` (`encoding/json` names).
fn field_for(section: SectionKind, key: &str) -> Option<&'static str> {
    let fields: &[&'static str] = match section {
        SectionKind::MapRoles => &["rolearn", "sso", "username", "groups"],
        _ => &["userarn", "username", "groups"],
    };
    fields
        .iter()
        .find(|f| **f == key)
        .or_else(|| fields.iter().find(|f| go_fold_eq(f, key)))
        .copied()
}

fn is_explicit_null(node: &Node) -> bool {
    if node.span.is_empty() {
        return false;
    }
    let t = node.resolved();
    matches!(&t.kind, NodeKind::Scalar { value, style: Style::Plain } if !value.is_empty() && t.tag.is_none())
        && node
            .as_str()
            .is_some_and(|v| matches!(v, "~" | "null" | "Null" | "NULL"))
}

fn mismatch(
    section: &Section,
    issues: &mut Vec<DecodeIssue>,
    node: &Node,
    field: &str,
    expected: &'static str,
    found: &'static str,
) {
    let span = section.outer(&node.span);
    let text = node.as_str().map_or_else(
        || {
            let written = section.text.get(node.span.clone()).unwrap_or_default();
            written.lines().next().unwrap_or_default().trim().to_owned()
        },
        str::to_owned,
    );
    issues.push(DecodeIssue {
        span,
        kind: DecodeIssueKind::TypeMismatch {
            field: field.to_owned(),
            expected,
            found,
            text,
        },
    });
}

fn found_name(val: &GoVal<'_>, node: &Node) -> &'static str {
    let t = node.resolved();
    match &t.kind {
        NodeKind::Scalar { value, style } => resolve(value, *style, t.tag.as_deref()).type_name(),
        _ => val.type_name(),
    }
}

/// `encoding/json` into a Go string: strings set it, null leaves it, anything else is a type
/// error that leaves it unchanged.
fn decode_string(
    section: &Section,
    issues: &mut Vec<DecodeIssue>,
    field: &str,
    val: &GoVal<'_>,
    node: &Node,
    slot: &mut Option<Field>,
) {
    match val {
        GoVal::Str(s) => {
            *slot = Some(Field {
                value: s.to_string(),
                span: section.outer(&node.span),
            });
        }
        GoVal::Null => {
            if is_explicit_null(node) {
                mismatch(section, issues, node, field, "a string", "null");
            }
        }
        other => {
            let found = found_name(other, node);
            mismatch(section, issues, node, field, "a string", found);
        }
    }
}

/// One item as `encoding/json` decodes it into a `RoleMapping`/`UserMapping`; what it
/// tolerates goes to `issues`.
fn decode_entry(
    section: &Section,
    issues: &mut Vec<DecodeIssue>,
    index: usize,
    val: &GoVal<'_>,
    node: &Node,
) -> Entry {
    let mut entry = Entry {
        section: section.kind,
        index,
        span: section.outer(&node.span),
        arn: None,
        sso: None,
        username: None,
        groups: Vec::new(),
        status: Status::Effective,
        note: None,
        service: None,
    };
    let GoVal::Map(map) = val else {
        let found = found_name(val, node);
        let span = section.outer(&node.span);
        issues.push(DecodeIssue {
            span,
            kind: DecodeIssueKind::ItemNotMapping { found },
        });
        entry.status = Status::Dropped(format!("the item is a {found}, not a mapping"));
        return entry;
    };
    let mut groups: Option<Vec<Field>> = None;
    for (key, (v, vnode)) in map.iter() {
        match field_for(section.kind, key) {
            Some("rolearn" | "userarn") => {
                let name = section.kind.arn_key();
                decode_string(section, issues, name, v, vnode, &mut entry.arn);
            }
            Some("username") => {
                decode_string(section, issues, "username", v, vnode, &mut entry.username)
            }
            Some("groups") => match v {
                GoVal::Seq(items) => {
                    let mut out = Vec::with_capacity(items.len());
                    for (item, inode) in items {
                        let mut slot = None;
                        match item {
                            GoVal::Str(_) => {
                                decode_string(section, issues, "groups", item, inode, &mut slot)
                            }
                            GoVal::Null => {
                                if is_explicit_null(inode) {
                                    mismatch(section, issues, inode, "groups", "a string", "null");
                                }
                            }
                            other => {
                                let found = found_name(other, inode);
                                mismatch(section, issues, inode, "groups", "a string", found);
                            }
                        }
                        out.push(slot.unwrap_or_else(|| Field {
                            value: String::new(),
                            span: section.outer(&inode.span),
                        }));
                    }
                    groups = Some(out);
                }
                GoVal::Null => groups = Some(Vec::new()),
                other => {
                    let found = found_name(other, vnode);
                    mismatch(section, issues, vnode, "groups", "a list of strings", found);
                }
            },
            Some("sso") => match v {
                GoVal::Map(fields) => {
                    let sso = entry.sso.get_or_insert_with(Sso::default);
                    for (k, (fv, fnode)) in fields.iter() {
                        let target = ["permissionSetName", "accountID", "partition"]
                            .into_iter()
                            .find(|f| *f == k)
                            .or_else(|| {
                                ["permissionSetName", "accountID", "partition"]
                                    .into_iter()
                                    .find(|f| go_fold_eq(f, k))
                            });
                        let Some(target) = target else { continue };
                        let mut slot = None;
                        decode_string(section, issues, target, fv, fnode, &mut slot);
                        if let Some(f) = slot {
                            match target {
                                "permissionSetName" => sso.permission_set_name = f.value,
                                "accountID" => sso.account_id = f.value,
                                _ => sso.partition = f.value,
                            }
                        }
                    }
                }
                GoVal::Null => entry.sso = None,
                other => {
                    // encoding/json allocates the *SSO pointer before it reports the type error,
                    // so the entry now has an (empty) SSO matcher and fails validation
                    entry.sso.get_or_insert_with(Sso::default);
                    let found = found_name(other, vnode);
                    mismatch(section, issues, vnode, "sso", "a mapping", found);
                }
            },
            _ => {}
        }
    }
    if let Some(g) = groups {
        entry.groups = g;
    }
    // json leaves "" in a string field that was written as ""; the authenticator treats it as absent
    if entry.arn.as_ref().is_some_and(|a| a.value.is_empty()) {
        entry.arn = None;
    }
    if let Some(reason) = validate(&entry) {
        entry.status = Status::Dropped(reason);
    }
    entry
}

/// `RoleMapping.Validate` / `UserMapping.Validate` (`pkg/config/mapper.go`).
fn validate(entry: &Entry) -> Option<String> {
    match entry.section {
        SectionKind::MapRoles => match (&entry.arn, &entry.sso) {
            (None, None) => Some("one of rolearn or SSO must be supplied".into()),
            (Some(_), Some(_)) => Some("only one of rolearn or SSO can be supplied".into()),
            (None, Some(sso)) => {
                let account_ok = sso.account_id.len() == 12
                    && sso.account_id.bytes().all(|b| b.is_ascii_digit());
                let psn = &sso.permission_set_name;
                let psn_ok = (1..=32).contains(&psn.chars().count())
                    && psn
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c));
                if !account_ok {
                    Some(format!(
                        "sso accountID `{}` is not 12 digits",
                        sso.account_id
                    ))
                } else if !psn_ok {
                    Some(format!("sso permissionSetName `{psn}` is invalid"))
                } else if !sso.partition.is_empty()
                    && !crate::arn::PARTITIONS.contains(&sso.partition.as_str())
                {
                    Some(format!(
                        "sso partition `{}` is not a known partition",
                        sso.partition
                    ))
                } else {
                    None
                }
            }
            (Some(_), None) => None,
        },
        _ => entry
            .arn
            .is_none()
            .then(|| "value for userarn must be supplied".into()),
    }
}

/// Mappings with at most this many keys are searched for duplicate keys pair by pair.
const SMALL_MAP: usize = 16;

fn find_duplicate_entry_keys(section: &mut Section, root: &Node) {
    let Some(items) = root.as_seq() else { return };
    let mut found = Vec::new();
    for item in items {
        let Some(map) = item.as_map() else { continue };
        // the first earlier key with the same text in any ASCII case: searched among the keys
        // before it in a small mapping, looked up in a table in a large one (a flow mapping may
        // hold thousands of keys)
        let mut seen: HashMap<String, &Node> = HashMap::new();
        for (j, (k, _)) in map.iter().enumerate() {
            let Some(key) = k.as_str() else { continue };
            let first = if map.len() <= SMALL_MAP {
                map[..j]
                    .iter()
                    .map(|(p, _)| p)
                    .find(|p| p.as_str().is_some_and(|p| p.eq_ignore_ascii_case(key)))
            } else {
                match seen.entry(key.to_ascii_lowercase()) {
                    std::collections::hash_map::Entry::Occupied(first) => Some(*first.get()),
                    std::collections::hash_map::Entry::Vacant(v) => {
                        v.insert(k);
                        None
                    }
                }
            };
            if let Some(p) = first {
                found.push((key.to_owned(), k.span.clone(), p.span.clone()));
            }
        }
    }
    for (key, span, first) in found {
        let span = section.outer(&span);
        let first = section.outer(&first);
        section.issues.push(DecodeIssue {
            span,
            kind: DecodeIssueKind::DuplicateKey { key, first },
        });
    }
}

/// yaml.v2 decoding straight into `[]string`: any scalar keeps its raw text, null is "",
/// collections are skipped with a type error.
fn decode_accounts(section: &mut Section, root: Option<&Node>, accounts: &mut Vec<Account>) {
    let Some(root) = root else { return };
    let Some(items) = root.as_seq() else {
        let t = root.resolved();
        let is_null = matches!(&t.kind, NodeKind::Scalar { value, style } if resolve(value, *style, t.tag.as_deref()) == Scalar::Null);
        if !is_null {
            section.state = SectionState::NotList {
                found: root.type_name(),
                span: section.outer(&root.span),
            };
        }
        return;
    };
    for (i, item) in items.iter().enumerate() {
        let t = item.resolved();
        let span = section.outer(&item.span);
        match &t.kind {
            NodeKind::Scalar { value, style } => {
                let stored = match resolve(value, *style, t.tag.as_deref()) {
                    Scalar::Null => String::new(),
                    Scalar::Binary(decoded) => decoded,
                    Scalar::Error(message) => {
                        // yaml.v2 aborts here; the slice it already sized keeps "" for the rest
                        let log = Some(Log {
                            text: format!("yaml: {message}"),
                            span: Some(span.clone()),
                            line: None,
                        });
                        section.state = SectionState::ConversionError {
                            message,
                            span: span.clone(),
                            template: false,
                            log,
                        };
                        for rest in &items[i..] {
                            accounts.push(Account {
                                value: String::new(),
                                span: section.outer(&rest.span),
                                stored: true,
                            });
                        }
                        return;
                    }
                    _ => value.clone(),
                };
                accounts.push(Account {
                    value: stored,
                    span,
                    stored: true,
                });
            }
            _ => {
                section.issues.push(DecodeIssue {
                    span: span.clone(),
                    kind: DecodeIssueKind::ItemNotMapping {
                        found: t.type_name(),
                    },
                });
                accounts.push(Account {
                    value: String::new(),
                    span,
                    stored: false,
                });
            }
        }
    }
}

fn load_eksctl(file: &Arc<SourceFile>, document: usize, root: &Node) -> Option<AwsAuth> {
    let (_, mappings) = root.entry("iamIdentityMappings")?;
    let mut obj = new_object(file, document, SourceKind::Eksctl, root);
    obj.name = scalar_field(file, root.get("metadata").and_then(|m| m.get("name")));
    let items = mappings.as_seq().unwrap_or_default();
    let (mut roles, mut users) = (0, 0);
    for item in items {
        let field = |key: &str| {
            let node = item.get(key)?;
            let s = node.as_str()?;
            let t = node.resolved();
            matches!(
                resolve(s, t.style().unwrap_or(Style::Plain), t.tag.as_deref()),
                Scalar::Str
            )
            .then(|| Field {
                value: s.to_owned(),
                span: node.span.clone(),
            })
        };
        if let Some(account) = field("account") {
            obj.accounts.push(Account {
                value: account.value,
                span: account.span,
                stored: true,
            });
            continue;
        }
        let arn = field("arn").filter(|a| !a.value.is_empty());
        let resource = arn
            .as_ref()
            .and_then(|a| a.value.splitn(6, ':').nth(5).map(str::to_owned))
            .unwrap_or_default();
        let section = if resource.starts_with("user/") {
            SectionKind::MapUsers
        } else {
            SectionKind::MapRoles
        };
        let index = if section == SectionKind::MapUsers {
            &mut users
        } else {
            &mut roles
        };
        let mut entry = Entry {
            section,
            index: *index,
            span: item.span.clone(),
            arn,
            sso: None,
            username: field("username"),
            groups: item
                .get("groups")
                .and_then(Node::as_seq)
                .unwrap_or_default()
                .iter()
                .map(|g| Field {
                    value: g.as_str().unwrap_or_default().to_owned(),
                    span: g.span.clone(),
                })
                .collect(),
            status: Status::Effective,
            note: None,
            service: None,
        };
        *index += 1;
        if let Some(service) = field("serviceName") {
            let ns = field("namespace").map_or_else(|| "?".to_owned(), |n| n.value);
            entry.note = Some(format!(
                "eksctl maps the `{}` service-linked role for namespace `{ns}` when it applies the config",
                service.value
            ));
            entry.service = Some((service.value, ns));
        } else if entry.arn.is_none() {
            entry.status =
                Status::Dropped("eksctl requires `arn`, `account` or `serviceName`".into());
        } else if !resource.starts_with("role/") && !resource.starts_with("user/") {
            entry.status =
                Status::Dropped("eksctl rejects it: arn is neither user nor role".into());
        }
        obj.entries.push(entry);
    }
    finish(&mut obj);
    Some(obj)
}

/// `items.iter().map(f).collect()`, for a long slice in two halves at once.
fn map_in_halves<T: Sync, U: Send>(items: &[T], f: impl Fn(&T) -> U + Sync) -> Vec<U> {
    if items.len() < PARALLEL_ITEMS {
        return items.iter().map(&f).collect();
    }
    let (head, tail) = items.split_at(items.len() / 2);
    let (mut out, tail) = crate::par::join(
        || {
            let mut out = Vec::with_capacity(items.len());
            out.extend(head.iter().map(&f));
            out
        },
        || tail.iter().map(&f).collect::<Vec<_>>(),
    );
    out.extend(tail);
    out
}

/// Marks lost and shadowed entries and computes the effective store
/// ([`crate::model::effective`]).
fn finish(obj: &mut AwsAuth) {
    obj.effective = Effective::settle_with(
        obj,
        |entries, roles| map_in_halves(roles, |&i| EffectiveRole::of(&entries[i])),
        |entries, users| map_in_halves(users, |&i| EffectiveUser::of(&entries[i])),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

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

    fn load(sections: &str) -> AwsAuth {
        let text = format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aws-auth\n  namespace: kube-system\ndata:\n{sections}"
        );
        let mut l = load_file(SourceFile::new("t.yaml", text));
        assert_eq!(l.objects.len(), 1, "{:?}", l.syntax_errors);
        l.objects.remove(0)
    }

    fn roles(obj: &AwsAuth) -> Vec<(String, String)> {
        obj.effective
            .roles
            .iter()
            .map(|r| (r.rolearn.clone().unwrap_or_default(), r.username.clone()))
            .collect()
    }

    #[test]
    fn case_variant_keys_the_one_sorting_last_wins() {
        // sigs.k8s.io/yaml sorts keys, then encoding/json matches case-insensitively
        let obj = load(
            "  mapRoles: |\n    - rolearn: arn:aws:iam::1:role/a\n      UserName: first\n      username: second\n    - roleARN: arn:aws:iam::1:role/b\n      username: x\n      Username: y\n",
        );
        assert_eq!(
            roles(&obj),
            [
                ("arn:aws:iam::1:role/a".into(), "second".into()),
                ("arn:aws:iam::1:role/b".into(), "x".into())
            ]
        );
    }

    #[test]
    fn a_wrong_typed_duplicate_leaves_the_earlier_value() {
        let obj = load(
            "  mapRoles: |\n    - rolearn: arn:aws:iam::1:role/a\n      Username: kept\n      username: 12\n",
        );
        assert_eq!(
            roles(&obj),
            [("arn:aws:iam::1:role/a".into(), "kept".into())]
        );
    }

    #[test]
    fn roles_are_last_wins_case_insensitively_users_exactly() {
        let obj = load(
            "  mapRoles: |\n    - rolearn: arn:aws:iam::1:role/Dev\n      username: a\n    - rolearn: arn:aws:iam::1:role/dev\n      username: b\n  mapUsers: |\n    - userarn: arn:aws:iam::1:user/x\n      username: a\n    - userarn: arn:aws:iam::1:user/x\n      username: b\n",
        );
        assert_eq!(
            roles(&obj),
            [("arn:aws:iam::1:role/dev".into(), "b".into())]
        );
        assert_eq!(obj.entries[0].status, Status::Shadowed { by: 1 });
        assert_eq!(obj.effective.users.len(), 1);
        assert_eq!(obj.effective.users[0].username, "b");
    }

    #[test]
    fn a_broken_section_loses_only_itself() {
        let obj = load(
            "  mapRoles: |\n    - rolearn: arn:aws:iam::1:role/a\n      username: {{SessionName}}\n  mapUsers: |\n    - userarn: arn:aws:iam::1:user/x\n  mapAccounts: |\n    - 012345678901\n    - ~\n    - {a: 1}\n",
        );
        assert!(obj.effective.roles.is_empty());
        assert!(matches!(
            obj.sections[0].state,
            SectionState::ConversionError { template: true, .. }
        ));
        assert_eq!(
            obj.entries[0].status,
            Status::Lost("`mapRoles` fails to load".into())
        );
        assert_eq!(obj.effective.users.len(), 1);
        assert_eq!(obj.effective.accounts, ["012345678901", ""]);
    }

    #[test]
    fn a_long_section_decodes_like_a_short_one() {
        // long enough to be converted and decoded in halves; every 7th role repeats an earlier
        // one in another case, every 11th has a wrong-typed username, users repeat too
        let (n, m) = (1500, 1200);
        let mut text = String::from("  mapRoles: |\n");
        for i in 0..n {
            let arn = if i % 7 == 6 {
                format!("arn:aws:iam::1:role/R{}", i % 50)
            } else {
                format!("arn:aws:iam::1:role/r{i}")
            };
            let username = if i % 11 == 0 {
                "12".into()
            } else {
                format!("u{i}")
            };
            text.push_str(&format!(
                "    - rolearn: {arn}\n      username: {username}\n"
            ));
        }
        text.push_str("  mapUsers: |\n");
        for i in 0..m {
            text.push_str(&format!(
                "    - userarn: arn:aws:iam::1:user/u{}\n",
                i % 300
            ));
        }
        let obj = load(&text);
        assert_eq!(obj.entries.len(), n + m);
        for (i, e) in obj.entries.iter().enumerate() {
            assert_eq!(e.index, if i < n { i } else { i - n });
        }
        let issues = &obj.sections[0].issues;
        assert_eq!(issues.len(), n.div_ceil(11));
        assert!(issues.windows(2).all(|w| w[0].span.start < w[1].span.start));
        // each entry stored under a key is shadowed by the next one under it
        for (i, e) in obj.entries.iter().enumerate() {
            let key = e.key().unwrap();
            let next = (i + 1..obj.entries.len()).find(|&j| {
                obj.entries[j].section == e.section && obj.entries[j].key().as_ref() == Some(&key)
            });
            match next {
                Some(by) => assert_eq!(e.status, Status::Shadowed { by }, "{i}"),
                None => assert_eq!(e.status, Status::Effective, "{i}"),
            }
        }
        let keys: Vec<String> = obj
            .effective
            .roles
            .iter()
            .map(|r| r.rolearn.clone().unwrap().to_lowercase())
            .collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]));
        let stored = obj.entries[..n]
            .iter()
            .filter(|e| e.status == Status::Effective);
        assert_eq!(keys.len(), stored.count());
        assert_eq!(obj.effective.users.len(), 300);
        assert_eq!(obj.effective.users[0].userarn, "arn:aws:iam::1:user/u0");
    }

    #[test]
    fn skippable_and_json_sections() {
        let obj = load("  mapRoles: \"''\"\n  mapUsers: '{\"userarn\": \"x\"}'\n");
        assert_eq!(obj.sections[0].state, SectionState::Skipped);
        assert!(matches!(
            obj.sections[1].state,
            SectionState::NotList {
                found: "mapping",
                ..
            }
        ));
    }

    #[test]
    fn foreign_templates() {
        assert!(find_strong_template("a: {{ .Values.x }}").is_some());
        assert!(find_strong_template("a: \"{{SessionName}}\"").is_none());
        let text = "a: {{SessionName}} ${var}";
        assert_eq!(
            find_foreign_template(text).map(|s| &text[s]),
            Some("${var}")
        );
        assert!(find_foreign_template("a: {{EC2PrivateDNSName}}").is_none());
    }
}
