//! Source format: Terraform. A `.tf` file declares aws-auth through a
//! `kubernetes_config_map`, `kubernetes_config_map_v1` or `kubernetes_config_map_v1_data`
//! resource or a `kubernetes_manifest` of the `ConfigMap` ([`configmap`]), or through the
//! terraform-aws-modules/eks module ([`eks_module`]); it declares EKS access entries, policy
//! associations and clusters' access settings through the AWS provider's resources and the
//! module's v20 and v21 inputs ([`access`]).
//! Its values are evaluated as far as the module directory makes them knowable
//! ([`crate::hcl::eval`]: literals, locals, variable defaults and `.tfvars`, the common
//! functions), and each section's text is what the cluster gets: the string written, or what
//! `yamlencode`/`jsonencode` render ([`crate::hcl::encode`]). That text is then loaded exactly
//! like a `ConfigMap`'s, with positions mapped back into the `.tf` file through the pieces of
//! the evaluated value. What cannot be known is kept as an [`UnknownPart`], never guessed.

mod access;
mod configmap;
mod eks_module;
pub(super) mod rbac;

use std::sync::Arc;

use hcl_edit::expr::Expression;

use super::FileLoad;
use super::detect::Needles;
use crate::hcl::eval::Module;
use crate::hcl::parse;
use crate::hcl::value::{Spanned, Text, Value};
use crate::model::{
    AwsAuth, Field, Section, SectionKind, SectionState, SourceKind, Terraform, UnknownPart,
};
use crate::source::{SourceFile, Span};
use crate::yaml::scalar_map::{Run, ScalarMap};
use crate::yaml::{Style, SyntaxError};

/// Whether a file is read as Terraform (by its name, compared exactly as Terraform does).
#[allow(clippy::case_sensitive_file_extension_comparisons)]
pub fn is_terraform(name: &str) -> bool {
    name.ends_with(".tf") || name.ends_with(".tf.json")
}

/// Cheap test for Terraform files worth parsing: they name aws-auth or an input of the eks
/// module that feeds it ([`may_hold_aws_auth`]), declare access entries or a cluster's
/// access settings ([`may_hold_access`]), or Kubernetes RBAC (`rbac::may_hold_rbac`).
pub fn may_hold_terraform(text: &str) -> bool {
    may_hold_aws_auth(text) || may_hold_access(text) || rbac::may_hold_rbac(text)
}

/// Whether a Terraform file may declare aws-auth (what makes its syntax errors matter).
fn may_hold_aws_auth(text: &str) -> bool {
    AWS_AUTH.any_in(text)
}

/// What a Terraform file declaring aws-auth spells somewhere (`prefilter` takes them).
pub(super) static AWS_AUTH: Needles<5> = Needles::new([
    "aws-auth",
    "aws_auth",
    "map_roles",
    "map_users",
    "map_accounts",
]);

/// Whether a Terraform file may declare access entries, policy associations or a cluster's
/// access settings: the provider's resources (`aws_eks_access_entry`,
/// `aws_eks_access_policy_association`, `aws_eks_cluster`) or the eks module (by its source,
/// or an access input of a local copy).
fn may_hold_access(text: &str) -> bool {
    ACCESS.any_in(text)
}

/// What a Terraform file declaring access entries or access settings spells (`prefilter` takes
/// them; the first is in every name [`declares_access_entries`] looks for).
pub(super) static ACCESS: Needles<6> = Needles::new([
    ACCESS_ENTRY,
    // the resource's label (quoted: `aws_eks_cluster_auth` and references to
    // `data.aws_eks_cluster.X` are not declarations; `data "aws_eks_cluster"` passes)
    "\"aws_eks_cluster\"",
    "terraform-aws-modules/eks",
    "terraform-aws-eks",
    "access_entries",
    "authentication_mode",
]);

/// What the resources of access entries and policy associations are named with.
const ACCESS_ENTRY: &str = "aws_eks_access";

/// Whether a Terraform file declares access entries or policy associations (what makes its
/// syntax errors matter, as aws-auth's do).
fn declares_access_entries(text: &str) -> bool {
    static NEEDLES: Needles<1> = Needles::new([ACCESS_ENTRY]);
    NEEDLES.any_in(text)
}

/// What the readers of a file share: the module evaluated, and the file's index in it.
pub(super) struct Cx<'a> {
    /// The file.
    pub file: &'a Arc<SourceFile>,
    /// The module directory's files, evaluated.
    pub module: &'a Module,
}

impl Cx<'_> {
    /// The value of an expression of the file.
    pub(super) fn eval(&self, expr: &Expression) -> Spanned {
        self.module.eval(0, expr)
    }

    /// The value of an expression of the file with names in scope (`each`, `count` of a
    /// resource expanded).
    pub(super) fn eval_in(&self, expr: &Expression, scope: &[(String, Spanned)]) -> Spanned {
        if scope.is_empty() {
            self.eval(expr)
        } else {
            self.module.eval_with(0, expr, scope)
        }
    }

    /// A value of the file converted to a type (HCL type syntax), as Terraform converts a
    /// module input to its variable's type.
    pub(super) fn convert(&self, v: Spanned, ty: &str) -> Spanned {
        self.module.convert(0, v, ty)
    }

    /// The span of something parsed from the file.
    #[allow(clippy::unused_self)] // spans are the file's: one place to say so
    pub(super) fn span(&self, of: &impl hcl_edit::Span) -> Span {
        of.span().unwrap_or(0..0)
    }
}

/// Loads a `.tf` file; `siblings` are the other files of its module directory (`.tf` and
/// `.tfvars`), read for the values they declare.
#[allow(clippy::needless_pass_by_value)] // the file is handed over, as to `load_file`
pub(super) fn load(file: Arc<SourceFile>, siblings: &[Arc<SourceFile>]) -> FileLoad {
    let mut out = FileLoad {
        file: Arc::clone(&file),
        objects: Vec::new(),
        syntax_errors: Vec::new(),
        // a syntax error matters where aws-auth or an access entry is declared (a file that
        // only uses the eks module or declares a cluster keeps its errors to Terraform)
        relevant: may_hold_aws_auth(&file.text) || declares_access_entries(&file.text),
        template: None,
        rbac: Vec::new(),
        terraform: true,
        access: crate::model::access_entries::AccessDecls::default(),
    };
    if !out.relevant && !may_hold_access(&file.text) && !rbac::may_hold_rbac(&file.text) {
        return out;
    }
    let parsed = match parse::parse(&file) {
        Ok(p) => p,
        Err(e) => {
            out.syntax_errors.push(SyntaxError {
                message: e.message,
                offset: e.span.start,
            });
            return out;
        }
    };
    // the other files of the module: what cannot be parsed is left out (its values unknown)
    let mut files = vec![parsed];
    let mut tfvars = Vec::new();
    for s in siblings {
        if is_terraform(&s.name) {
            files.extend(parse::parse(s).ok());
        } else {
            tfvars.push(Arc::clone(s));
        }
    }
    let module = Module::new(files, tfvars);
    let cx = Cx {
        file: &file,
        module: &module,
    };
    let body = &module.files()[0].body;
    for block in body.blocks() {
        if !exists(&cx, block) {
            continue;
        }
        let labels = parse::labels(block);
        access::read(&cx, block, &labels, &mut out.access);
        out.rbac.extend(rbac::read(&cx, block, &labels));
        let obj = match (block.ident.as_str(), labels.as_slice()) {
            ("resource", [kind, name]) if configmap::KINDS.contains(kind) => {
                configmap::read(&cx, block, kind, name)
            }
            ("resource", ["kubernetes_manifest", name]) => {
                configmap::read_manifest(&cx, block, name)
            }
            ("module", [name]) => eks_module::read(&cx, block, name),
            _ => None,
        };
        out.objects.extend(obj);
    }
    out
}

/// Whether a resource or module block makes anything: not with a `count` of 0 or an empty
/// `for_each` (when known).
fn exists(cx: &Cx<'_>, block: &hcl_edit::structure::Block) -> bool {
    let empty = |name: &str| {
        parse::attribute(&block.body, name).is_some_and(|a| match cx.eval(&a.value).value {
            Value::Number(n) => n == "0",
            Value::List(items) => items.is_empty(),
            Value::Object(entries) => entries.is_empty(),
            _ => false,
        })
    };
    !empty("count") && !empty("for_each")
}

/// A Terraform source with nothing in it yet.
pub(super) fn new_object(cx: &Cx<'_>, span: Span, terraform: Terraform) -> AwsAuth {
    let mut obj = super::new_object_at(cx.file, 0, SourceKind::Terraform, span);
    obj.terraform = Some(Box::new(terraform));
    obj
}

/// A known string as a field (`None` for anything else).
pub(super) fn string_field(v: &Spanned) -> Option<Field> {
    match &v.value {
        Value::String(t) if !t.unknown => Some(Field {
            value: t.value.clone(),
            span: v.span.clone(),
        }),
        _ => None,
    }
}

/// Adds the section `kind` of `obj` from the string `text` (what the cluster gets), written at
/// `value_span`, keyed at `key_span`, and loads it as the authenticator does.
pub(super) fn add_section(
    obj: &mut AwsAuth,
    kind: SectionKind,
    key_span: Span,
    value_span: Span,
    text: &Text,
    style: Style,
) {
    let runs: Vec<Run> = text
        .pieces
        .iter()
        .map(|p| Run {
            inner: p.inner,
            outer: p.outer.start,
            outer_end: p.outer.end.max(p.outer.start),
            verbatim: p.verbatim,
        })
        .collect();
    let holes = if text.unknown {
        placeholder_ranges(text)
    } else {
        Vec::new()
    };
    let outside_blank = |t: &str| {
        let mut rest = t.to_owned();
        for h in holes.iter().rev() {
            rest.replace_range(h.clone(), "");
        }
        rest.trim().is_empty()
    };
    let unknown = |obj: &mut AwsAuth, why: &'static str| {
        let expr = holes
            .iter()
            .map(|h| text.value[h.start + 2..h.end - 1].to_owned())
            .collect::<Vec<_>>()
            .join(" + ");
        let v = Spanned {
            value: Value::Unknown(crate::hcl::value::Unknown { expr, why }),
            span: value_span.clone(),
        };
        add_unknown(obj, Some(kind), &v);
    };
    // the whole value is a value not known (`<<EOT\n${var.roles}\nEOT`)
    if !holes.is_empty() && outside_blank(&text.value) {
        unknown(obj, "a value not known from the repository");
        return;
    }
    let new_section = |value: String| Section {
        kind,
        key_span: key_span.clone(),
        value_span: value_span.clone(),
        style,
        text: value,
        map: ScalarMap::from_runs(&value_span, runs.clone()),
        state: SectionState::Loaded,
        root: None,
        issues: Vec::new(),
    };
    let mut section = new_section(text.value.clone());
    // (statuses that point at other entries are set later, by `finish`)
    let (mut entries, mut accounts) = (Vec::new(), Vec::new());
    super::section::parse_section(&mut section, &mut entries, &mut accounts);
    if section.is_lost() && !holes.is_empty() {
        // does it fail because of what the unknown parts are written as? The same text with
        // plain words in their place tells
        let mut neutral = text.value.clone();
        for h in &holes {
            neutral.replace_range(h.clone(), &"x".repeat(h.len()));
        }
        let mut probe = new_section(neutral);
        super::section::parse_section(&mut probe, &mut Vec::new(), &mut Vec::new());
        if !probe.is_lost() {
            unknown(
                obj,
                "a value not known from the repository, which decides how the YAML around it reads",
            );
            return;
        }
    }
    obj.entries.extend(entries);
    obj.accounts.extend(accounts);
    obj.sections.retain(|s| s.kind != kind);
    obj.sections.push(section);
}

/// Where a text holds the `${...}` of a value not known (the evaluator writes one for each
/// unknown interpolation: a piece of its own, not verbatim), as ranges of the text.
fn placeholder_ranges(text: &Text) -> Vec<std::ops::Range<usize>> {
    let ends = text
        .pieces
        .iter()
        .skip(1)
        .map(|p| p.inner)
        .chain(std::iter::once(text.value.len()));
    text.pieces
        .iter()
        .zip(ends)
        .filter(|(p, end)| {
            let s = text.value.get(p.inner..*end).unwrap_or_default();
            !p.verbatim && s.len() > 3 && s.starts_with("${") && s.ends_with('}')
        })
        .map(|(p, end)| p.inner..end)
        .collect()
}

/// Records a part of `obj`'s section `kind` that is not known.
pub(super) fn add_unknown(obj: &mut AwsAuth, kind: Option<SectionKind>, v: &Spanned) {
    let (expr, why) = match &v.value {
        Value::Unknown(u) => (u.expr.clone(), u.why.to_owned()),
        Value::String(t) => (t.value.clone(), "a part of it is not known".to_owned()),
        other => (String::new(), format!("a {}", other.type_name())),
    };
    if let Some(t) = obj.terraform.as_mut() {
        t.unknowns.push(UnknownPart {
            section: kind,
            expr,
            why,
            span: v.span.clone(),
        });
    }
}

/// What a data value gives the cluster: the text, when known, and the parts that are not.
pub(super) struct Rendered {
    /// The string the cluster gets (none when nothing of it is known).
    pub text: Option<Text>,
    /// Parts not known: whole values, or items of the list rendered.
    pub unknowns: Vec<Spanned>,
    /// The value as evaluated, when it is not a string (for a rejection).
    pub other: Option<Spanned>,
    /// Where it is written.
    pub span: Span,
}

/// The function an expression calls, with its arguments.
fn call(expr: &Expression) -> Option<(&str, Vec<&Expression>)> {
    match expr {
        Expression::FuncCall(f) if f.name.namespace.is_empty() => {
            Some((f.name.name.as_str(), f.args.iter().collect()))
        }
        Expression::Parenthesis(p) => call(p.inner()),
        _ => None,
    }
}

/// Evaluates a data value: `yamlencode(X)` and `jsonencode(X)` are rendered from what is known
/// of X (its unknown items set aside, unknown fields written `${...}`); anything else is
/// evaluated as it is.
pub(super) fn render(cx: &Cx<'_>, expr: &Expression) -> Rendered {
    let span = cx.span(expr);
    if let Some((name @ ("yamlencode" | "jsonencode"), args)) = call(expr)
        && let [arg] = args.as_slice()
    {
        let (known, unknowns) = list_parts(cx, arg);
        let text = known.and_then(|v| {
            let v = placeholders(v);
            if name == "yamlencode" {
                crate::hcl::encode::yamlencode(&v)
            } else {
                crate::hcl::encode::jsonencode(&v)
            }
        });
        return Rendered {
            text,
            unknowns,
            other: None,
            span,
        };
    }
    let v = cx.eval(expr);
    rendered_value(v, span)
}

/// What an evaluated data value gives the cluster.
pub(super) fn rendered_value(v: Spanned, span: Span) -> Rendered {
    let mut out = Rendered {
        text: None,
        unknowns: Vec::new(),
        other: None,
        span,
    };
    match &v.value {
        Value::String(t) => out.text = Some(t.clone()),
        // a `map(string)` takes numbers and booleans as their text, null as nothing
        Value::Number(n) => out.text = Some(Text::produced(n.clone(), v.span.clone())),
        Value::Bool(b) => out.text = Some(Text::produced(b.to_string(), v.span.clone())),
        Value::Null => out.text = Some(Text::default()),
        Value::Unknown(_) => out.unknowns.push(v),
        _ => out.other = Some(v),
    }
    out
}

/// The known part of a value to render, and its unknown parts: a `concat` is taken argument by
/// argument, a list item by item, so that one unknown part leaves the others known.
pub(super) fn list_parts(cx: &Cx<'_>, expr: &Expression) -> (Option<Spanned>, Vec<Spanned>) {
    let span = cx.span(expr);
    let parts: Vec<Spanned> = match call(expr) {
        Some(("concat", args)) => args.iter().map(|a| cx.eval(a)).collect(),
        _ => vec![cx.eval(expr)],
    };
    let is_list =
        parts.len() > 1 || matches!(parts.first().map(|p| &p.value), Some(Value::List(_)));
    if !is_list {
        let v = parts.into_iter().next();
        return match v {
            Some(v) if matches!(v.value, Value::Unknown(_)) => (None, vec![v]),
            v => (v, Vec::new()),
        };
    }
    let mut known = Vec::new();
    let mut unknowns = Vec::new();
    for part in parts {
        match part.value {
            Value::List(items) => {
                for item in items {
                    if matches!(item.value, Value::Unknown(_)) {
                        unknowns.push(item);
                    } else {
                        known.push(item);
                    }
                }
            }
            Value::Unknown(_) => unknowns.push(part),
            // `concat` of something that is not a list fails the plan: nothing known of it
            _ => unknowns.push(part),
        }
    }
    (
        Some(Spanned {
            value: Value::List(known),
            span,
        }),
        unknowns,
    )
}

/// A value with every unknown part inside it written as a `${...}` placeholder string.
pub(super) fn placeholders(v: Spanned) -> Spanned {
    let value = match v.value {
        Value::Unknown(u) => {
            let mut t = Text::produced(format!("${{{}}}", u.expr), v.span.clone());
            t.unknown = true;
            Value::String(t)
        }
        Value::List(items) => Value::List(items.into_iter().map(placeholders).collect()),
        Value::Object(entries) => Value::Object(
            entries
                .into_iter()
                .map(|(k, v)| (k, placeholders(v)))
                .collect(),
        ),
        other => other,
    };
    Spanned {
        value,
        span: v.span,
    }
}

/// Adds a rendered data value to `obj` as section `kind` (its unknown parts recorded).
pub(super) fn add_rendered(obj: &mut AwsAuth, kind: SectionKind, key_span: Span, r: Rendered) {
    for u in &r.unknowns {
        add_unknown(obj, Some(kind), u);
    }
    if let Some(text) = &r.text {
        let style = configmap::style_of(&obj.file.text, &r.span);
        add_section(obj, kind, key_span, r.span, text, style);
    }
}
