//! Source format: CloudFormation templates (YAML with the short-form intrinsic tags, or JSON),
//! read for EKS access entries ([`read_access`]): each `AWS::EKS::AccessEntry` resource is an
//! access entry with its `AccessPolicies`, each `AWS::EKS::Cluster` the cluster's access
//! settings (`AccessConfig`; CloudFormation's defaults: `CONFIG_MAP`, and the creator made an
//! admin). Both are named by their logical id, and spanned from the logical id to the end of
//! the resource's body.
//!
//! Values that are intrinsic functions ([`eval`]) are computed as far as the template tells, and
//! what it does not tell is a `${...}` placeholder, never a guess: `!Sub` keeps its `${...}`,
//! `!Ref P` is `${P}` (`!Ref` to a cluster of the template is its `Name` as evaluated — a
//! literal, or `${ClusterName}` for a `Name: !Ref ClusterName`, the same unknown name the
//! entries that take the parameter carry — and `${LogicalId}` when it has none: the text that
//! cluster's own settings carry), `!GetAtt
//! X.Arn` is `${X.Arn}`, `!Join` joins its parts, and any other function is
//! `${Fn::Name arg}` (`${Fn::Name ...}` when its argument is not a short literal).

use std::collections::HashMap;
use std::sync::Arc;

use super::Document;
use crate::model::Field;
use crate::model::access_entries::{
    AccessConfig, AccessDecls, AccessEntry, AuthMode, Origin, PolicyAssociation, Tool,
};
use crate::source::{SourceFile, Span};
use crate::yaml::resolve::{Scalar, resolve};
use crate::yaml::{Node, NodeKind, Style};

/// The access entry resource type.
const ACCESS_ENTRY: &str = "AWS::EKS::AccessEntry";
/// The cluster resource type.
const CLUSTER: &str = "AWS::EKS::Cluster";

/// How deep intrinsic functions are evaluated inside one another; deeper is a placeholder.
const MAX_DEPTH: usize = 32;

/// A longer argument is not written into a placeholder.
const MAX_ARGUMENT: usize = 80;

/// The access entries and clusters' access settings of a template: a document whose root has a
/// `Resources` mapping.
pub(super) fn read_access(doc: &Document<'_>, out: &mut AccessDecls) {
    if doc.kind.is_some() {
        return; // a Kubernetes object, not a template
    }
    let Some(resources) = doc.root.get("Resources").and_then(Node::as_map) else {
        return;
    };
    let cx = Cx::of(resources);
    let file = doc.file;
    for (key, resource) in resources {
        let (Some(id), Some(kind)) = (key.as_str(), resource.get("Type").and_then(Node::as_str))
        else {
            continue;
        };
        let span = key.span.start..resource.span.end.max(key.span.end);
        let props = resource.get("Properties");
        let origin = Origin {
            tool: Tool::CloudFormation,
            name: id.to_owned(),
        };
        match kind {
            ACCESS_ENTRY => out.entries.push(entry(&cx, file, origin, span, props)),
            CLUSTER => out
                .configs
                .push(config(&cx, file, origin, span, key, props)),
            _ => {}
        }
    }
}

/// An `AWS::EKS::AccessEntry`.
fn entry(
    cx: &Cx<'_>,
    file: &Arc<SourceFile>,
    origin: Origin,
    span: Span,
    props: Option<&Node>,
) -> AccessEntry {
    let get = |key: &str| props.and_then(|p| p.get(key));
    AccessEntry {
        file: Arc::clone(file),
        origin,
        span,
        cluster: cx.field(file, get("ClusterName")),
        principal: cx.field(file, get("PrincipalArn")),
        entry_type: cx.field(file, get("Type")),
        username: cx.field(file, get("Username")),
        groups: cx.fields(file, get("KubernetesGroups")),
        policies: policies(cx, file, get("AccessPolicies")),
        implicit: None,
    }
}

/// The `AccessPolicies` of an entry; a list (or an item) that is a function is one association
/// whose policy and scope are its placeholder.
fn policies(cx: &Cx<'_>, file: &SourceFile, node: Option<&Node>) -> Vec<PolicyAssociation> {
    let Some(node) = node.filter(|n| !is_absent(n)) else {
        return Vec::new();
    };
    let unknown = |node: &Node| {
        let value = cx.field(file, Some(node));
        PolicyAssociation {
            span: node.span.clone(),
            policy: value.clone(),
            scope: value,
            namespaces: Vec::new(),
        }
    };
    if intrinsic(node).is_some() {
        return vec![unknown(node)];
    }
    let items = node.as_seq().unwrap_or_default();
    items
        .iter()
        .filter(|item| !is_absent(item))
        .map(|item| {
            if intrinsic(item).is_some() {
                return unknown(item);
            }
            let scope = item.get("AccessScope");
            PolicyAssociation {
                span: item.span.clone(),
                policy: cx.field(file, item.get("PolicyArn")),
                scope: cx.field(file, scope.and_then(|s| s.get("Type"))),
                namespaces: cx.fields(file, scope.and_then(|s| s.get("Namespaces"))),
            }
        })
        .collect()
}

/// An `AWS::EKS::Cluster`'s access settings (the defaults when it has no `AccessConfig`).
fn config(
    cx: &Cx<'_>,
    file: &Arc<SourceFile>,
    origin: Origin,
    span: Span,
    key: &Node,
    props: Option<&Node>,
) -> AccessConfig {
    let access = props.and_then(|p| p.get("AccessConfig"));
    let name = props.and_then(|p| p.get("Name")).filter(|n| !is_absent(n));
    // the name `!Ref` gives: the literal one, or the placeholder entries referring to it carry
    let cluster = match (name, cx.clusters.get(origin.name.as_str())) {
        (Some(node), Some(Some(text))) => Some(Field {
            value: text.text.clone(),
            span: node.span.clone(),
        }),
        (node, _) => Some(Field {
            value: format!("${{{}}}", origin.name),
            span: node.unwrap_or(key).span.clone(),
        }),
    };
    // `AccessConfig: !If [...]`: neither setting is known (nor the defaults sure to apply)
    let unknown = access.filter(|a| intrinsic(a).is_some());
    let setting = |key: &str| {
        access
            .filter(|_| unknown.is_none())
            .and_then(|a| a.get(key))
    };
    AccessConfig {
        file: Arc::clone(file),
        span,
        cluster,
        mode: cx.field(file, unknown.or_else(|| setting("AuthenticationMode"))),
        default_mode: AuthMode::ConfigMap,
        bootstrap_admin: match unknown {
            Some(a) => cx.field(file, Some(a)),
            None => cx.boolean(file, setting("BootstrapClusterCreatorAdminPermissions")),
        },
        default_bootstrap_admin: true,
        origin,
    }
}

/// A value as far as the template tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Text {
    /// The text, with `${...}` where a part is not known.
    pub(super) text: String,
    /// Whether every part is known (no placeholder in it).
    pub(super) known: bool,
}

impl Text {
    fn known(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            known: true,
        }
    }

    fn placeholder(inner: &str) -> Self {
        Self {
            text: format!("${{{inner}}}"),
            known: false,
        }
    }
}

/// What evaluation knows of the template: its clusters, by logical id, with their `Name`
/// evaluated (a literal, or a placeholder such as `${ClusterName}` for `!Ref ClusterName`: the
/// same unknown name the entries that take the parameter carry; `None`: not written).
#[derive(Debug, Default)]
pub(super) struct Cx<'a> {
    clusters: HashMap<&'a str, Option<Text>>,
}

impl<'a> Cx<'a> {
    /// The clusters of a template's `Resources`.
    fn of(resources: &'a [(Node, Node)]) -> Self {
        let plain = Cx::default();
        let clusters = resources
            .iter()
            .filter(|(_, r)| r.get("Type").and_then(Node::as_str) == Some(CLUSTER))
            .filter_map(|(k, r)| {
                let name = r
                    .get("Properties")
                    .and_then(|p| p.get("Name"))
                    .filter(|n| !is_absent(n))
                    .and_then(|n| eval(n, &plain));
                Some((k.as_str()?, name))
            })
            .collect();
        Self { clusters }
    }

    /// A string field: its value evaluated, spanned on the value as written (none when absent,
    /// `!Ref AWS::NoValue`, null, or not a string).
    fn field(&self, file: &SourceFile, node: Option<&Node>) -> Option<Field> {
        let node = node.filter(|n| !is_absent(n))?;
        if node.resolved().span.end > file.text.len() {
            return None;
        }
        let value = eval(node, self)?;
        Some(Field {
            value: value.text,
            span: node.span.clone(),
        })
    }

    /// A list of strings: each item's field; a list that is a function is one placeholder item.
    fn fields(&self, file: &SourceFile, node: Option<&Node>) -> Vec<Field> {
        let Some(node) = node.filter(|n| !is_absent(n)) else {
            return Vec::new();
        };
        if intrinsic(node).is_some() {
            return self.field(file, Some(node)).into_iter().collect();
        }
        node.as_seq()
            .unwrap_or_default()
            .iter()
            .filter_map(|n| self.field(file, Some(n)))
            .collect()
    }

    /// A boolean as `true`/`false` (a YAML 1.1 boolean, or the strings CloudFormation takes);
    /// anything else as evaluated.
    fn boolean(&self, file: &SourceFile, node: Option<&Node>) -> Option<Field> {
        let mut field = self.field(file, node)?;
        let n = node?.resolved();
        if let NodeKind::Scalar { value, style } = &n.kind
            && !is_function_tag(n.tag.as_deref())
        {
            let b = match resolve(value, *style, n.tag.as_deref()) {
                Scalar::Bool(b) => Some(b),
                Scalar::Str if value.eq_ignore_ascii_case("true") => Some(true),
                Scalar::Str if value.eq_ignore_ascii_case("false") => Some(false),
                _ => None,
            };
            if let Some(b) = b {
                field.value = b.to_string();
            }
        }
        Some(field)
    }

    /// What `!Ref name` gives: a cluster's name (as its `Name` evaluates), or `${name}`.
    fn reference(&self, name: &str) -> Text {
        match self.clusters.get(name) {
            Some(Some(text)) => text.clone(),
            _ => Text::placeholder(name),
        }
    }
}

/// Whether a property is as good as not written: `!Ref AWS::NoValue`, or null.
fn is_absent(node: &Node) -> bool {
    let node = node.resolved();
    if let Some((name, arg)) = intrinsic(node) {
        return name == "Ref" && arg.as_str() == Some("AWS::NoValue");
    }
    match &node.kind {
        NodeKind::Scalar { value, style } => {
            node.tag.is_none()
                && *style == Style::Plain
                && matches!(resolve(value, *style, None), Scalar::Null)
        }
        _ => false,
    }
}

/// Whether a tag is a short-form function (`!Ref`, `!Sub`, ...), not one of YAML's own.
fn is_function_tag(tag: Option<&str>) -> bool {
    tag.and_then(|t| t.strip_prefix('!'))
        .is_some_and(|name| !name.is_empty() && !name.starts_with('!'))
}

/// The intrinsic function a node calls, in its long name (`Ref`, `Condition`, `Fn::Sub`), and
/// its argument: a short-form tag (`!Sub x`: the argument is the node itself, read without its
/// tag) or a mapping of one key (`{"Fn::Sub": x}`).
fn intrinsic(node: &Node) -> Option<(String, &Node)> {
    let node = node.resolved();
    if is_function_tag(node.tag.as_deref()) {
        let short = node.tag.as_deref().and_then(|t| t.strip_prefix('!'))?;
        let name = match short {
            "Ref" | "Condition" => short.to_owned(),
            _ => format!("Fn::{short}"),
        };
        return Some((name, node));
    }
    match node.as_map()? {
        [(key, arg)] => {
            let name = key.as_str()?;
            (name == "Ref" || name == "Condition" || name.starts_with("Fn::"))
                .then(|| (name.to_owned(), arg))
        }
        _ => None,
    }
}

/// A value as CloudFormation computes it, as far as the template tells: a literal string (a
/// scalar as written), or an intrinsic function; `None` when the value is not a string (a list,
/// a mapping).
pub(super) fn eval(node: &Node, cx: &Cx<'_>) -> Option<Text> {
    eval_at(node, cx, 0)
}

fn eval_at(node: &Node, cx: &Cx<'_>, depth: usize) -> Option<Text> {
    let node = node.resolved();
    if let Some((name, arg)) = intrinsic(node) {
        return Some(call(&name, arg.resolved(), cx, depth));
    }
    match &node.kind {
        NodeKind::Scalar { value, .. } => Some(Text::known(value.clone())),
        _ => None,
    }
}

/// A function's value; `arg` is read by its content, whatever its tag.
fn call(name: &str, arg: &Node, cx: &Cx<'_>, depth: usize) -> Text {
    if depth >= MAX_DEPTH {
        return opaque(name, arg);
    }
    let scalar = match &arg.kind {
        NodeKind::Scalar { value, .. } => Some(value.as_str()),
        _ => None,
    };
    let seq = arg.as_seq();
    let computed = match name {
        "Ref" => scalar.map(|s| cx.reference(s)),
        "Fn::Sub" => match (scalar, seq) {
            (Some(template), _) => Some(sub(template, &HashMap::new(), cx)),
            (None, Some([template])) => template.as_str().map(|t| sub(t, &HashMap::new(), cx)),
            (None, Some([template, vars])) => template.as_str().and_then(|t| {
                let vars = vars
                    .as_map()?
                    .iter()
                    .filter_map(|(k, v)| {
                        let value = eval_at(v, cx, depth + 1).filter(|t| t.known)?;
                        Some((k.as_str()?, value.text))
                    })
                    .collect();
                Some(sub(t, &vars, cx))
            }),
            _ => None,
        },
        "Fn::GetAtt" => match (scalar, seq) {
            (Some(path), _) if path.contains('.') => Some(Text::placeholder(path)),
            (None, Some([resource, attribute])) => {
                fn plain(n: &Node) -> Option<&str> {
                    n.as_str().filter(|_| intrinsic(n).is_none())
                }
                plain(resource)
                    .zip(plain(attribute))
                    .map(|(r, a)| Text::placeholder(&format!("{r}.{a}")))
            }
            _ => None,
        },
        "Fn::Join" => match seq {
            Some([separator, parts]) if intrinsic(separator).is_none() => {
                join(separator.as_str(), parts, cx, depth)
            }
            _ => None,
        },
        _ => None,
    };
    computed.unwrap_or_else(|| opaque(name, arg))
}

/// `Fn::Join`: the parts (each a literal or a function) joined by the separator; `None` when the
/// list is not written out or a part is not a string.
fn join(separator: Option<&str>, parts: &Node, cx: &Cx<'_>, depth: usize) -> Option<Text> {
    let separator = separator?;
    if intrinsic(parts).is_some() {
        return None; // a list only known once deployed (`!Ref` to a list, `!Split`, ...)
    }
    let mut out = Text::known(String::new());
    for (i, part) in parts.as_seq()?.iter().enumerate() {
        let part = eval_at(part, cx, depth + 1)?;
        if i > 0 {
            out.text.push_str(separator);
        }
        out.text.push_str(&part.text);
        out.known &= part.known;
    }
    Some(out)
}

/// `Fn::Sub`: each `${Name}` replaced by its variable's literal value (or, for a cluster of the
/// template, its literal name), kept as written when not known; `${!Literal}` is the literal
/// text `${Literal}`.
fn sub(template: &str, vars: &HashMap<&str, String>, cx: &Cx<'_>) -> Text {
    let mut out = Text::known(String::with_capacity(template.len()));
    let mut rest = template;
    while let Some(i) = rest.find("${") {
        out.text.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let Some(j) = after.find('}') else {
            // no closing brace: the rest is text
            out.text.push_str(&rest[i..]);
            rest = "";
            break;
        };
        let name = &after[..j];
        if let Some(literal) = name.strip_prefix('!') {
            out.text.push_str("${");
            out.text.push_str(literal);
            out.text.push('}');
        } else if let Some(value) = vars.get(name) {
            out.text.push_str(value);
        } else {
            let value = cx.reference(name);
            out.text.push_str(&value.text);
            out.known &= value.known;
        }
        rest = &after[j + 1..];
    }
    out.text.push_str(rest);
    out
}

/// The placeholder of a function not evaluated: `${Fn::Name arg}` for a short literal argument,
/// `${Fn::Name ...}` for any other.
fn opaque(name: &str, arg: &Node) -> Text {
    let arg = match &arg.kind {
        NodeKind::Scalar { value, .. }
            if value.len() <= MAX_ARGUMENT
                && !value.is_empty()
                && !value.contains(['{', '}', '$'])
                && !value.chars().any(char::is_control) =>
        {
            value.as_str()
        }
        _ => "...",
    };
    Text::placeholder(&format!("{name} {arg}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_stream;

    /// The root of a one-document YAML (or JSON) text.
    fn root(text: &str) -> Node {
        let mut s = parse_stream(text);
        assert!(s.errors.is_empty(), "{:?}", s.errors);
        s.documents.remove(0).root.expect("a document")
    }

    /// `value` of `v: <value>` evaluated, in a template whose `Resources` are `resources`.
    fn eval_in(resources: &str, value: &str) -> Option<Text> {
        let template = root(&format!("Resources:\n{resources}\n"));
        let cx = Cx::of(
            template
                .get("Resources")
                .and_then(Node::as_map)
                .unwrap_or_default(),
        );
        let doc = root(&format!("v: {value}\n"));
        eval(doc.get("v").expect("v"), &cx)
    }

    fn ev(value: &str) -> Option<Text> {
        eval_in("  {}", value)
    }

    #[allow(clippy::unnecessary_wraps)] // compared with what `eval` returns
    fn known(text: &str) -> Option<Text> {
        Some(Text::known(text))
    }

    #[allow(clippy::unnecessary_wraps)] // compared with what `eval` returns
    fn unknown(text: &str) -> Option<Text> {
        Some(Text {
            text: text.to_owned(),
            known: false,
        })
    }

    const CLUSTERS: &str = "  Named:\n    Type: AWS::EKS::Cluster\n    Properties:\n      Name: prod\n  Unnamed:\n    Type: AWS::EKS::Cluster\n  Param:\n    Type: AWS::EKS::Cluster\n    Properties:\n      Name: !Ref ClusterName";

    #[test]
    fn tags_are_kept_as_written() {
        let doc = root("a: !Ref X\nb: !GetAtt [X, Arn]\nc: !!str x\n");
        assert_eq!(doc.get("a").unwrap().tag.as_deref(), Some("!Ref"));
        assert_eq!(doc.get("b").unwrap().tag.as_deref(), Some("!GetAtt"));
        assert!(!is_function_tag(doc.get("c").unwrap().tag.as_deref()));
    }

    #[test]
    fn literals_and_non_strings() {
        assert_eq!(ev("plain"), known("plain"));
        assert_eq!(ev("'quoted'"), known("quoted"));
        assert_eq!(ev("!!str 12"), known("12"));
        assert_eq!(ev("[a, b]"), None);
        assert_eq!(ev("{a: b, c: d}"), None);
    }

    #[test]
    fn ref_short_and_long() {
        assert_eq!(ev("!Ref ClusterName"), unknown("${ClusterName}"));
        assert_eq!(ev("{\"Ref\": \"ClusterName\"}"), unknown("${ClusterName}"));
        assert_eq!(ev("!Ref AWS::AccountId"), unknown("${AWS::AccountId}"));
        assert_eq!(ev("!Ref [a]"), unknown("${Ref ...}"));
    }

    #[test]
    fn ref_to_a_cluster_is_its_name() {
        assert_eq!(eval_in(CLUSTERS, "!Ref Named"), known("prod"));
        assert_eq!(eval_in(CLUSTERS, "{Ref: Named}"), known("prod"));
        assert_eq!(eval_in(CLUSTERS, "!Ref Unnamed"), unknown("${Unnamed}"));
        // a cluster named by a parameter: the same unknown name as the parameter itself
        assert_eq!(eval_in(CLUSTERS, "!Ref Param"), unknown("${ClusterName}"));
        assert_eq!(
            eval_in(CLUSTERS, "!Sub '${Named}-${Unnamed}'"),
            unknown("prod-${Unnamed}")
        );
    }

    #[test]
    fn sub_keeps_what_it_does_not_know() {
        assert_eq!(
            ev("!Sub 'arn:aws:iam::${AWS::AccountId}:role/x'"),
            unknown("arn:aws:iam::${AWS::AccountId}:role/x")
        );
        assert_eq!(
            ev("{\"Fn::Sub\": \"arn:${AWS::Partition}:iam::1:role/x\"}"),
            unknown("arn:${AWS::Partition}:iam::1:role/x")
        );
        assert_eq!(ev("!Sub no-variables"), known("no-variables"));
        assert_eq!(ev("!Sub 'a ${!Literal} b'"), known("a ${Literal} b"));
        assert_eq!(ev("!Sub 'open ${x'"), known("open ${x"));
        assert_eq!(ev("!Sub ['${!A}', {A: x}]"), known("${A}"));
        assert_eq!(ev("!Sub {a: b}"), unknown("${Fn::Sub ...}"));
    }

    #[test]
    fn sub_with_variables() {
        assert_eq!(
            ev(
                "!Sub ['arn:aws:iam::${Account}:role/${Role}', {Account: '111122223333', Role: !Ref RoleName}]"
            ),
            unknown("arn:aws:iam::111122223333:role/${Role}")
        );
        assert_eq!(
            ev(
                "{\"Fn::Sub\": [\"${A}-${B}\", {\"A\": \"x\", \"B\": {\"Fn::Join\": [\"\", [\"y\", \"z\"]]}}]}"
            ),
            known("x-yz")
        );
        assert_eq!(ev("!Sub ['${A}', {}]"), unknown("${A}"));
        assert_eq!(ev("!Sub ['${A}']"), unknown("${A}"));
    }

    #[test]
    fn getatt_short_and_long() {
        assert_eq!(ev("!GetAtt NodeRole.Arn"), unknown("${NodeRole.Arn}"));
        assert_eq!(ev("!GetAtt [NodeRole, Arn]"), unknown("${NodeRole.Arn}"));
        assert_eq!(
            ev("{\"Fn::GetAtt\": [\"NodeRole\", \"Arn\"]}"),
            unknown("${NodeRole.Arn}")
        );
        assert_eq!(
            ev("!GetAtt [NodeRole, !Ref Attribute]"),
            unknown("${Fn::GetAtt ...}")
        );
        assert_eq!(ev("!GetAtt NodeRole"), unknown("${Fn::GetAtt NodeRole}"));
    }

    #[test]
    fn join_concatenates_its_parts() {
        assert_eq!(
            ev("!Join ['', ['arn:aws:iam::', !Ref AWS::AccountId, ':role/ci']]"),
            unknown("arn:aws:iam::${AWS::AccountId}:role/ci")
        );
        assert_eq!(ev("!Join [':', [a, b, c]]"), known("a:b:c"));
        assert_eq!(
            ev("{\"Fn::Join\": [\"/\", [\"role\", {\"Fn::Sub\": \"${Env}-ci\"}]]}"),
            unknown("role/${Env}-ci")
        );
        // a list only known once deployed, a part that is not a string, a bad separator
        assert_eq!(ev("!Join ['', !Ref Parts]"), unknown("${Fn::Join ...}"));
        assert_eq!(ev("!Join ['', [a, [b]]]"), unknown("${Fn::Join ...}"));
        assert_eq!(ev("!Join [!Ref S, [a]]"), unknown("${Fn::Join ...}"));
        assert_eq!(ev("!Join x"), unknown("${Fn::Join x}"));
    }

    #[test]
    fn other_functions_are_placeholders_of_the_whole_value() {
        assert_eq!(
            ev("!ImportValue SharedClusterName"),
            unknown("${Fn::ImportValue SharedClusterName}")
        );
        assert_eq!(ev("!If [IsProd, a, b]"), unknown("${Fn::If ...}"));
        assert_eq!(
            ev("!Select [0, !Split [',', !Ref L]]"),
            unknown("${Fn::Select ...}")
        );
        assert_eq!(
            ev("{\"Fn::FindInMap\": [\"M\", \"a\", \"b\"]}"),
            unknown("${Fn::FindInMap ...}")
        );
        assert_eq!(ev("!ImportValue '${x}'"), unknown("${Fn::ImportValue ...}"));
        // a mapping of one ordinary key is not a function
        assert_eq!(ev("{Name: x}"), None);
    }

    #[test]
    fn nesting_is_evaluated_and_bounded() {
        assert_eq!(
            ev("!Join ['', [!Sub '${A}', !Join ['-', [x, !GetAtt R.Arn]]]]"),
            unknown("${A}x-${R.Arn}")
        );
        let mut deep = "x".to_owned();
        for _ in 0..60 {
            deep = format!("{{\"Fn::Join\": [\"\", [{deep}]]}}");
        }
        let text = ev(&deep).expect("a string");
        assert!(
            text.text.starts_with("${Fn::Join") && !text.known,
            "{text:?}"
        );
        let mut shallow = "x".to_owned();
        for _ in 0..10 {
            shallow = format!("!Join ['', [{shallow}, y]]");
        }
        assert_eq!(ev(&shallow), known(&format!("x{}", "y".repeat(10))));
    }

    #[test]
    fn absent_values() {
        let doc = root("a: !Ref AWS::NoValue\nb: ~\nc: {Ref: AWS::NoValue}\nd: '~'\n");
        assert!(is_absent(doc.get("a").unwrap()));
        assert!(is_absent(doc.get("b").unwrap()));
        assert!(is_absent(doc.get("c").unwrap()));
        assert!(!is_absent(doc.get("d").unwrap()));
    }

    /// A file loaded as the tool loads it.
    fn load(name: &str, text: &str) -> crate::load::FileLoad {
        crate::load::load_file(SourceFile::new(name, text.to_owned()))
    }

    #[test]
    fn json_indented_with_tabs_is_read_like_yaml() {
        let text = "{\n\t\"Resources\": {\n\t\t\"E\": {\n\t\t\t\"Type\": \"AWS::EKS::AccessEntry\",\n\t\t\t\"Properties\": {\n\t\t\t\t\"ClusterName\": \"prod\",\n\t\t\t\t\"PrincipalArn\": {\"Fn::Sub\": \"arn:aws:iam::${AWS::AccountId}:role/x\"}\n\t\t\t}\n\t\t}\n\t}\n}\n";
        let l = load("t.json", text);
        assert!(l.syntax_errors.is_empty() && l.template.is_none(), "{l:?}");
        let e = &l.access.entries[0];
        assert_eq!(e.origin.name, "E");
        let principal = e.principal.as_ref().unwrap();
        assert_eq!(principal.value, "arn:aws:iam::${AWS::AccountId}:role/x");
        assert!(text[principal.span.clone()].starts_with("{\"Fn::Sub\""));
    }

    #[test]
    fn a_template_with_every_kind_of_tag_loads_without_errors() {
        let text = include_str!("../../fixtures/access/cloudformation/stack.yaml");
        let l = load("stack.yaml", text);
        assert!(l.relevant);
        assert!(l.syntax_errors.is_empty(), "{:?}", l.syntax_errors);
        assert_eq!(l.template, None);
        assert_eq!(l.access.configs.len(), 1);
        assert_eq!(l.access.entries.len(), 1);
    }

    #[test]
    fn a_cluster_alone_is_not_parsed_for_access() {
        // no `AccessConfig`, no access entry: the prefilter keeps the file unparsed
        let l = load(
            "t.yaml",
            "Resources:\n  C:\n    Type: AWS::EKS::Cluster\n    Properties:\n      Name: x\n",
        );
        assert!(l.access.is_empty() && !l.relevant);
    }

    #[test]
    fn odd_shapes_read_what_they_can_and_never_fail() {
        let texts = [
            "Resources: [AWS::EKS::AccessEntry]\n",
            "Resources: AWS::EKS::AccessEntry\n",
            "Resources:\n  E:\n    Type: AWS::EKS::AccessEntry\n",
            "Resources:\n  E:\n    Type: AWS::EKS::AccessEntry\n    Properties: !Ref P\n",
            "Resources:\n  E:\n    Type: AWS::EKS::AccessEntry\n    Properties:\n      PrincipalArn: !Sub {a: [b]}\n      ClusterName: !GetAtt {a: b}\n      KubernetesGroups: !Join {a: b}\n      AccessPolicies: [1, !Ref X, {AccessScope: !Ref S}]\n",
            "Resources:\n  C:\n    Type: AWS::EKS::Cluster\n    Properties:\n      AccessConfig: !If [c, {AuthenticationMode: API}, !Ref AWS::NoValue]\n",
            "Resources:\n  !Ref E: {Type: AWS::EKS::AccessEntry}\n  [k]: {Type: AWS::EKS::AccessEntry}\n",
            "Resources:\n  E: &e\n    Type: AWS::EKS::AccessEntry\n    Properties: {ClusterName: *e}\n",
        ];
        for text in texts {
            let l = load("t.yaml", text);
            for e in &l.access.entries {
                for f in e.cluster.iter().chain(&e.principal).chain(&e.groups) {
                    assert!(f.span.end <= text.len(), "{text}");
                }
            }
        }
        let l = load("t.yaml", texts[2]);
        assert_eq!(l.access.entries.len(), 1);
        assert!(l.access.entries[0].principal.is_none());
        let l = load("t.yaml", texts[5]);
        let config = &l.access.configs[0];
        assert_eq!(config.mode.as_ref().unwrap().value, "${Fn::If ...}");
        assert_eq!(config.mode(), None);
        assert_eq!(config.bootstrap_admin(), None);
    }

    #[test]
    fn a_huge_sub_is_read_in_one_pass() {
        let template = "${AWS::AccountId}${!x}".repeat(50_000);
        let text = format!(
            "Resources:\n  E:\n    Type: AWS::EKS::AccessEntry\n    Properties:\n      PrincipalArn: !Sub '{template}'\n"
        );
        let l = load("t.yaml", &text);
        let principal = l.access.entries[0].principal.as_ref().unwrap();
        assert_eq!(principal.value.len(), template.len() - 50_000);
    }
}
