//! What a Terraform module directory makes knowable: expressions evaluated over the `.tf` files
//! of one directory and its variable files, each value keeping where it was written.
//!
//! A [`Module`] holds the parsed files; [`Module::eval`] turns an expression of one of them into
//! a [`Spanned`] value. Known: literals, templates (with `%{ if }`/`%{ for }` and `~` strip
//! markers), heredocs (with Terraform's `<<-` indentation rule, see [`template`]), `var.X`
//! (`terraform.tfvars` < `*.auto.tfvars` in lexical order, over the `default`), `local.X`,
//! attribute, index and splat access, `for` expressions, conditionals, `==`, `!=`, `&&`, `||`,
//! `!`, and the functions of [`super::functions`]. `aws_iam_role.NAME.arn` of a role declared in
//! the module is known in shape (see [`Module::eval`]). Everything else is
//! [`Value::Unknown`] with its expression text and why; nothing is guessed.
//!
//! Spans: a value keeps the spans of where it was written when that is in the file being
//! evaluated; a value defined in another file of the module (a local in `locals.tf`, a
//! `terraform.tfvars` value) is re-spanned as a whole to the expression that refers to it,
//! because diagnostics are reported in one file.
//!
//! Budgets: evaluation nests at most [`MAX_DEPTH`] levels and produces at most [`MAX_SIZE`]
//! bytes (strings, plus a few bytes per value) per call of [`Module::eval`]; past either, the
//! value is unknown, "too large to evaluate".

pub(crate) mod template;
#[cfg(test)]
mod tests;

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::sync::Arc;

use hcl_edit::Span as _;
use hcl_edit::expr::{
    BinaryOperator, Expression, ForExpr, ObjectKey, TraversalOperator, UnaryOperator,
};
use hcl_edit::structure::{Block, Body};

use super::parse::{self, TfFile};
use super::value::{Piece, Spanned, Text, Unknown, Value};
use crate::source::{SourceFile, Span};

/// How deep evaluation nests (expressions inside expressions, locals referring to locals).
pub const MAX_DEPTH: usize = 64;
/// How many bytes one [`Module::eval`] may produce.
pub const MAX_SIZE: usize = 16 << 20;

/// Why: the budget of [`MAX_DEPTH`] or [`MAX_SIZE`] was exceeded.
pub const TOO_LARGE: &str = "too large to evaluate";
/// Why: Terraform would reject the expression (a type error, a missing key, an undefined name).
pub const REJECTED: &str = "an expression terraform would reject";
/// Why: a function awsauth does not evaluate (`jsonencode`, `file`, ...).
pub const UNSUPPORTED_FUNCTION: &str = "a function awsauth does not evaluate";
/// Why: a value computed from an unknown value.
pub const DEPENDS_ON_UNKNOWN: &str = "a value computed from an unknown value";

/// The `why`s that mean Terraform would fail (what `try` skips).
const ERRORS: &[&str] = &[
    REJECTED,
    "an undeclared variable",
    "an undefined local",
    "a local that refers to itself",
];

/// A variable's value: in a tfvars file or as a `default`.
#[derive(Debug, Clone, Copy)]
enum VarSource {
    /// Attribute `name` of tfvars file `index` (HCL).
    Tfvars(usize),
    /// Value in JSON tfvars file `index`.
    Json(usize),
    /// The `default` of the `variable` block in `.tf` file `file`, structure `index` of its body.
    Default { file: usize, index: usize },
    /// Declared without a default and not set.
    Unset,
}

/// The `.tf` files of one module directory and its variable files, ready to evaluate.
#[derive(Debug)]
pub struct Module {
    files: Vec<TfFile>,
    tfvars: Vec<TfFile>,
    json_tfvars: Vec<(Arc<SourceFile>, serde_json::Map<String, serde_json::Value>)>,
    /// A tfvars file did not parse: Terraform would stop, so no variable is known.
    tfvars_broken: bool,
    vars: HashMap<String, VarSource>,
    /// Local name → (file, structure index of the `locals` block in its body).
    locals: HashMap<String, (usize, usize)>,
    /// `aws_iam_role` name → (file, structure index of the resource block).
    roles: HashMap<String, (usize, usize)>,
}

impl Module {
    /// A module from its parsed `.tf` files and its variable files (`terraform.tfvars`,
    /// `terraform.tfvars.json`, `*.auto.tfvars`, `*.auto.tfvars.json`, by the last component of
    /// their name; other names are not read automatically by Terraform and are ignored here).
    /// Later files win, in Terraform's order: `terraform.tfvars`, `terraform.tfvars.json`,
    /// then the `*.auto.tfvars(.json)` files in lexical order of their names.
    pub fn new(files: Vec<TfFile>, tfvars: Vec<Arc<SourceFile>>) -> Self {
        let mut module = Self {
            files,
            tfvars: Vec::new(),
            json_tfvars: Vec::new(),
            tfvars_broken: false,
            vars: HashMap::new(),
            locals: HashMap::new(),
            roles: HashMap::new(),
        };
        module.index_files();
        module.read_tfvars(tfvars);
        module
    }

    fn index_files(&mut self) {
        for (f, tf) in self.files.iter().enumerate() {
            for (i, s) in tf.body.iter().enumerate() {
                let Some(block) = s.as_block() else { continue };
                let labels = parse::labels(block);
                match (block.ident.as_str(), labels.as_slice()) {
                    ("variable", [name]) => {
                        let source = if parse::attribute(&block.body, "default").is_some() {
                            VarSource::Default { file: f, index: i }
                        } else {
                            VarSource::Unset
                        };
                        self.vars.insert((*name).to_owned(), source);
                    }
                    ("locals", []) => {
                        for a in block.body.attributes() {
                            self.locals.insert(a.key.as_str().to_owned(), (f, i));
                        }
                    }
                    ("resource", ["aws_iam_role", name]) => {
                        self.roles.insert((*name).to_owned(), (f, i));
                    }
                    _ => {}
                }
            }
        }
    }

    fn read_tfvars(&mut self, tfvars: Vec<Arc<SourceFile>>) {
        let mut ordered: Vec<(u8, String, Arc<SourceFile>)> = tfvars
            .into_iter()
            .filter_map(|f| {
                let base = f
                    .name
                    .rsplit(['/', '\\'])
                    .next()
                    .unwrap_or_default()
                    .to_owned();
                let rank = match base.as_str() {
                    "terraform.tfvars" => 0,
                    "terraform.tfvars.json" => 1,
                    b if b.ends_with(".auto.tfvars") || b.ends_with(".auto.tfvars.json") => 2,
                    _ => return None,
                };
                Some((rank, base, f))
            })
            .collect();
        ordered.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        for (_, base, file) in ordered {
            if base.ends_with(".json") {
                let Ok(serde_json::Value::Object(map)) = serde_json::from_str(&file.text) else {
                    self.tfvars_broken = true;
                    continue;
                };
                for name in map.keys() {
                    if let Some(v) = self.vars.get_mut(name) {
                        *v = VarSource::Json(self.json_tfvars.len());
                    }
                }
                self.json_tfvars.push((file, map));
            } else {
                let Ok(tf) = parse::parse(&file) else {
                    self.tfvars_broken = true;
                    continue;
                };
                for a in tf.body.attributes() {
                    if let Some(v) = self.vars.get_mut(a.key.as_str()) {
                        *v = VarSource::Tfvars(self.tfvars.len());
                    }
                }
                self.tfvars.push(tf);
            }
        }
    }

    /// The module's `.tf` files, in the order given.
    pub fn files(&self) -> &[TfFile] {
        &self.files
    }

    /// The index of the `.tf` file named `name` ([`SourceFile::name`]).
    pub fn file_index(&self, name: &str) -> Option<usize> {
        self.files.iter().position(|f| f.file.name == name)
    }

    /// The blocks of type `ident` (`resource`, `module`, ...) across the module, with the index
    /// of their file, in file order then source order.
    pub fn blocks<'a>(&'a self, ident: &'a str) -> impl Iterator<Item = (usize, &'a Block)> + 'a {
        self.files
            .iter()
            .enumerate()
            .flat_map(move |(f, tf)| parse::blocks(&tf.body, ident).map(move |b| (f, b)))
    }

    /// The first block of type `ident` with exactly these labels, and its file's index.
    pub fn block<'a>(&'a self, ident: &'a str, labels: &[&str]) -> Option<(usize, &'a Block)> {
        self.blocks(ident).find(|(_, b)| parse::labels(b) == labels)
    }

    /// Evaluates `expr`, an expression written in file `file` (an index into
    /// [`Module::files`]).
    ///
    /// `aws_iam_role.NAME.arn` of a role declared in the module is a [`Value::String`] marked
    /// unknown whose text is `arn:aws:iam::${aws_iam_role.NAME.arn}:role` (one non-verbatim
    /// piece at the reference), then the role's `path` (its own pieces when written in this
    /// file; `/` at the reference when not set), then its `name` (its own pieces, or
    /// `${aws_iam_role.NAME.name}` when only `name_prefix` or nothing is set). A role declared in
    /// another file is re-spanned as a whole to the reference. `aws_iam_role.NAME.name` is
    /// the name when known.
    pub fn eval(&self, file: usize, expr: &Expression) -> Spanned {
        let Some(tf) = self.files.get(file) else {
            return unknown(String::new(), REJECTED, 0..0);
        };
        let ctx = Ctx::new(self);
        ctx.eval(&Site::new(file, &tf.file), expr, &[])
    }

    /// Evaluates an expression with names in scope (the loader's `dynamic` blocks, `for_each`).
    pub fn eval_with(
        &self,
        file: usize,
        expr: &Expression,
        scope: &[(String, Spanned)],
    ) -> Spanned {
        let Some(tf) = self.files.get(file) else {
            return unknown(String::new(), REJECTED, 0..0);
        };
        let ctx = Ctx::new(self);
        let scope: Vec<(&str, Spanned)> =
            scope.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        ctx.eval(&Site::new(file, &tf.file), expr, &scope)
    }
}

/// Where an expression is written: the `.tf` file (`None` for a tfvars file) and its text.
#[derive(Clone, Copy)]
pub(crate) struct Site<'m> {
    file: Option<usize>,
    pub(crate) src: &'m SourceFile,
}

impl<'m> Site<'m> {
    fn new(file: usize, src: &'m SourceFile) -> Self {
        Self {
            file: Some(file),
            src,
        }
    }

    /// The source text of a span.
    pub(crate) fn text(&self, span: &Span) -> String {
        self.src.slice(span).to_owned()
    }
}

/// One evaluation: the module, the budgets, the locals evaluated so far.
pub(crate) struct Ctx<'m> {
    module: &'m Module,
    depth: Cell<usize>,
    size: Cell<usize>,
    /// Locals being evaluated (a reference to one is a cycle).
    active: RefCell<Vec<String>>,
    /// Locals evaluated, as written in their own file.
    cache: RefCell<HashMap<String, Spanned>>,
}

/// Names in scope (`for` variables), innermost last.
pub(crate) type Scope<'s> = [(&'s str, Spanned)];

impl<'m> Ctx<'m> {
    fn new(module: &'m Module) -> Self {
        Self {
            module,
            depth: Cell::new(0),
            size: Cell::new(0),
            active: RefCell::new(Vec::new()),
            cache: RefCell::new(HashMap::new()),
        }
    }

    /// Counts `n` produced bytes; false once the budget is spent.
    pub(crate) fn charge(&self, n: usize) -> bool {
        let total = self.size.get().saturating_add(n);
        self.size.set(total);
        total <= MAX_SIZE
    }

    /// Evaluates an expression written at `site`, with `scope`.
    pub(crate) fn eval(&self, site: &Site<'m>, expr: &Expression, scope: &Scope<'_>) -> Spanned {
        let span = expr.span().unwrap_or(0..0);
        if self.depth.get() >= MAX_DEPTH || !self.charge(16) {
            return unknown(site.text(&span), TOO_LARGE, span);
        }
        self.depth.set(self.depth.get() + 1);
        let v = self.eval_inner(site, expr, scope, span);
        self.depth.set(self.depth.get() - 1);
        v
    }

    fn eval_inner(
        &self,
        site: &Site<'m>,
        expr: &Expression,
        scope: &Scope<'_>,
        span: Span,
    ) -> Spanned {
        let value = match expr {
            Expression::Null(_) => Value::Null,
            Expression::Bool(b) => Value::Bool(*b.value()),
            Expression::Number(_) => match number_text(site.src.slice(&span)) {
                Some(n) => Value::Number(n),
                None => return unknown(site.text(&span), REJECTED, span),
            },
            // hcl-edit accepts a line break in a quoted string; Terraform does not
            Expression::String(_) if site.src.slice(&span).contains('\n') => {
                return unknown(site.text(&span), REJECTED, span);
            }
            Expression::String(s) => {
                Value::String(template::quoted_literal(site.src, &span, s.value()))
            }
            Expression::Array(items) => {
                Value::List(items.iter().map(|e| self.eval(site, e, scope)).collect())
            }
            Expression::Object(object) => return self.object(site, object, scope, span),
            Expression::StringTemplate(t) => return self.string_template(site, t, scope, span),
            Expression::HeredocTemplate(h) => return self.heredoc(site, h, scope, span),
            Expression::Parenthesis(p) => {
                let inner = self.eval(site, p.inner(), scope);
                return Spanned {
                    value: inner.value,
                    span,
                };
            }
            Expression::Variable(_) => {
                return self
                    .traversal(site, expr, &[], scope, span.clone())
                    .unwrap_or_else(|| unknown(site.text(&span), REJECTED, span.clone()));
            }
            Expression::Traversal(t) => {
                return self
                    .traversal(site, &t.expr, &t.operators, scope, span.clone())
                    .unwrap_or_else(|| unknown(site.text(&span), REJECTED, span.clone()));
            }
            Expression::Conditional(c) => {
                let cond = self.eval(site, &c.cond_expr, scope);
                return match truth(&cond.value) {
                    Truth::Known(true) => self.eval(site, &c.true_expr, scope),
                    Truth::Known(false) => self.eval(site, &c.false_expr, scope),
                    Truth::Unknown(why) => unknown(site.text(&span), why, span),
                    Truth::Invalid => unknown(site.text(&span), REJECTED, span),
                };
            }
            Expression::FuncCall(call) => {
                return super::functions::call(self, site, call, scope, span);
            }
            Expression::UnaryOp(op) => {
                let v = self.eval(site, &op.expr, scope);
                match (op.operator.value(), truth(&v.value)) {
                    (UnaryOperator::Not, Truth::Known(b)) => Value::Bool(!b),
                    (UnaryOperator::Not, Truth::Unknown(why)) => {
                        return unknown(site.text(&span), why, span);
                    }
                    (UnaryOperator::Neg, _) => match &v.value {
                        Value::Number(n) => Value::Number(negate(n)),
                        Value::Unknown(u) => return unknown(site.text(&span), u.why, span),
                        _ => return unknown(site.text(&span), REJECTED, span),
                    },
                    (UnaryOperator::Not, Truth::Invalid) => {
                        return unknown(site.text(&span), REJECTED, span);
                    }
                }
            }
            Expression::BinaryOp(op) => {
                let lhs = self.eval(site, &op.lhs_expr, scope);
                let rhs = self.eval(site, &op.rhs_expr, scope);
                return binary(site, *op.operator.value(), &lhs, &rhs, span);
            }
            Expression::ForExpr(f) => return self.for_expr(site, f, scope, span),
        };
        Spanned { value, span }
    }

    fn object(
        &self,
        site: &Site<'m>,
        object: &hcl_edit::expr::Object,
        scope: &Scope<'_>,
        span: Span,
    ) -> Spanned {
        let mut entries: Vec<(Text, Spanned)> = Vec::new();
        for (key, value) in object {
            let key = match key {
                ObjectKey::Ident(id) => {
                    let s = id.span().unwrap_or_else(|| span.clone());
                    Text::verbatim(id.as_str(), s)
                }
                ObjectKey::Expression(e) => {
                    let k = self.eval(site, e, scope);
                    match key_text(&k) {
                        Ok(t) => t,
                        Err(why) => return unknown(site.text(&span), why, span),
                    }
                }
            };
            let v = self.eval(site, value.expr(), scope);
            match entries.iter_mut().find(|(k, _)| k.value == key.value) {
                Some(slot) => *slot = (key, v),
                None => entries.push((key, v)),
            }
        }
        Spanned {
            value: Value::Object(entries),
            span,
        }
    }

    fn for_expr(&self, site: &Site<'m>, f: &ForExpr, scope: &Scope<'_>, span: Span) -> Spanned {
        let coll = self.eval(site, &f.intro.collection_expr, scope);
        let Some(items) = iteration(&coll) else {
            let why = match &coll.value {
                Value::Unknown(u) => u.why,
                _ => REJECTED,
            };
            return unknown(site.text(&span), why, span);
        };
        let key_var = f.intro.key_var.as_ref().map(|k| k.as_str());
        let value_var = f.intro.value_var.as_str();
        let mut list = Vec::new();
        let mut entries: Vec<(Text, Spanned)> = Vec::new();
        for (k, v) in items {
            let mut inner: Vec<(&str, Spanned)> = scope.to_vec();
            if let Some(kv) = key_var {
                inner.push((kv, k));
            }
            inner.push((value_var, v));
            if let Some(cond) = &f.cond {
                let c = self.eval(site, &cond.expr, &inner);
                match truth(&c.value) {
                    Truth::Known(true) => {}
                    Truth::Known(false) => continue,
                    Truth::Unknown(why) => return unknown(site.text(&span), why, span),
                    Truth::Invalid => return unknown(site.text(&span), REJECTED, span),
                }
            }
            let value = self.eval(site, &f.value_expr, &inner);
            let Some(key_expr) = &f.key_expr else {
                list.push(value);
                continue;
            };
            let key = match key_text(&self.eval(site, key_expr, &inner)) {
                Ok(k) => k,
                Err(why) => return unknown(site.text(&span), why, span),
            };
            match entries.iter_mut().find(|(k, _)| k.value == key.value) {
                Some((_, slot)) if f.grouping => {
                    if let Value::List(group) = &mut slot.value {
                        group.push(value);
                    }
                }
                // duplicate keys without `...` are an error in Terraform
                Some(_) => return unknown(site.text(&span), REJECTED, span),
                None if f.grouping => {
                    let s = value.span.clone();
                    entries.push((
                        key,
                        Spanned {
                            value: Value::List(vec![value]),
                            span: s,
                        },
                    ));
                }
                None => entries.push((key, value)),
            }
        }
        let value = if f.key_expr.is_some() {
            Value::Object(entries)
        } else {
            Value::List(list)
        };
        Spanned { value, span }
    }

    /// A traversal `root.op...` (or a bare name when `ops` is empty); `None` when it names
    /// nothing Terraform knows (an error).
    fn traversal(
        &self,
        site: &Site<'m>,
        root: &Expression,
        ops: &[hcl_edit::Decorated<TraversalOperator>],
        scope: &Scope<'_>,
        span: Span,
    ) -> Option<Spanned> {
        let text = site.text(&span);
        let attr = |i: usize| match ops.get(i).map(|o| o.value()) {
            Some(TraversalOperator::GetAttr(id)) => Some(id.as_str()),
            _ => None,
        };
        let (base, rest) = match name_of(root) {
            Some(name) if scope.iter().any(|(n, _)| *n == name) => {
                let (_, v) = scope.iter().rev().find(|(n, _)| *n == name)?;
                (v.clone(), ops)
            }
            Some("var") => {
                let name = attr(0)?;
                let ref_span = ops_span(root, &ops[..1]).unwrap_or_else(|| span.clone());
                (self.var(site, name, ref_span), &ops[1..])
            }
            Some("local") => {
                let name = attr(0)?;
                let ref_span = ops_span(root, &ops[..1]).unwrap_or_else(|| span.clone());
                (self.local(site, name, ref_span), &ops[1..])
            }
            Some("data") => return Some(unknown(text, "a data source", span)),
            Some("module") => return Some(unknown(text, "another module's output", span)),
            Some("path" | "terraform") => {
                return Some(unknown(
                    text,
                    "a value known only when terraform runs",
                    span,
                ));
            }
            Some("each") => return Some(unknown(text, "a for_each value", span)),
            Some("count") => return Some(unknown(text, "a count index", span)),
            Some("self") => {
                return Some(unknown(
                    text,
                    "a resource attribute known after apply",
                    span,
                ));
            }
            Some("aws_iam_role") if ops.len() == 2 => match (attr(0), attr(1)) {
                (Some(name), Some(field)) if self.module.roles.contains_key(name) => {
                    return Some(self.role(site, name, field, span));
                }
                _ => {
                    return Some(unknown(
                        text,
                        "a resource attribute known after apply",
                        span,
                    ));
                }
            },
            Some(_) if attr(0).is_some() => {
                return Some(unknown(
                    text,
                    "a resource attribute known after apply",
                    span,
                ));
            }
            Some(_) => return None,
            None => (self.eval(site, root, scope), ops),
        };
        Some(self.apply_ops(site, base, rest, scope, span))
    }

    /// Applies attribute, index and splat operators to a value.
    fn apply_ops(
        &self,
        site: &Site<'m>,
        mut v: Spanned,
        ops: &[hcl_edit::Decorated<TraversalOperator>],
        scope: &Scope<'_>,
        span: Span,
    ) -> Spanned {
        for (i, op) in ops.iter().enumerate() {
            if let Value::Unknown(u) = &v.value {
                return unknown(site.text(&span), u.why, span);
            }
            let got = match op.value() {
                TraversalOperator::GetAttr(id) => get_key(&v, id.as_str()),
                TraversalOperator::Index(e) => {
                    let k = self.eval(site, e, scope);
                    match &k.value {
                        Value::Unknown(u) => return unknown(site.text(&span), u.why, span),
                        Value::Number(n) => get_index(&v, n),
                        Value::String(t) if !t.unknown => match &v.value {
                            Value::List(_) => get_index(&v, &t.value),
                            _ => get_key(&v, &t.value),
                        },
                        _ => None,
                    }
                }
                TraversalOperator::LegacyIndex(n) => get_index(&v, &n.value().to_string()),
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                    let full = matches!(op.value(), TraversalOperator::FullSplat(_));
                    let rest = &ops[i + 1..];
                    let n = if full {
                        rest.len()
                    } else {
                        rest.iter()
                            .take_while(|o| matches!(o.value(), TraversalOperator::GetAttr(_)))
                            .count()
                    };
                    let items = match v.value {
                        Value::List(items) => items,
                        Value::Null => Vec::new(),
                        other => vec![Spanned {
                            value: other,
                            span: v.span.clone(),
                        }],
                    };
                    let out = items
                        .into_iter()
                        .map(|item| self.apply_ops(site, item, &rest[..n], scope, span.clone()))
                        .collect();
                    let list = Spanned {
                        value: Value::List(out),
                        span: span.clone(),
                    };
                    return self.apply_ops(site, list, &rest[n..], scope, span);
                }
            };
            match got {
                Some(next) => v = next,
                None => return unknown(site.text(&span), REJECTED, span),
            }
        }
        Spanned {
            value: v.value,
            span: v.span,
        }
    }

    /// `var.NAME`, referred to at `at`.
    fn var(&self, site: &Site<'m>, name: &str, at: Span) -> Spanned {
        let text = site.text(&at);
        if self.module.tfvars_broken {
            return unknown(
                text,
                "a variable set in a tfvars file that does not parse",
                at,
            );
        }
        let m = self.module;
        match m.vars.get(name) {
            None => unknown(text, "an undeclared variable", at),
            Some(VarSource::Unset) => unknown(text, "a variable without a value", at),
            Some(VarSource::Tfvars(i)) => {
                let tf = &m.tfvars[*i];
                let Some(a) = parse::attribute(&tf.body, name) else {
                    return unknown(text, REJECTED, at);
                };
                let v = self.eval(
                    &Site {
                        file: None,
                        src: &tf.file,
                    },
                    &a.value,
                    &[],
                );
                respan(v, &at)
            }
            Some(VarSource::Json(i)) => {
                let (_, map) = &m.json_tfvars[*i];
                match map.get(name) {
                    Some(j) => from_json(j, &at),
                    None => unknown(text, REJECTED, at),
                }
            }
            Some(VarSource::Default { file, index }) => {
                let tf = &m.files[*file];
                let default = tf
                    .body
                    .get(*index)
                    .and_then(|s| s.as_block())
                    .and_then(|b| parse::attribute(&b.body, "default"));
                let Some(a) = default else {
                    return unknown(text, REJECTED, at);
                };
                let v = self.eval(&Site::new(*file, &tf.file), &a.value, &[]);
                if site.file == Some(*file) {
                    v
                } else {
                    respan(v, &at)
                }
            }
        }
    }

    /// `local.NAME`, referred to at `at`.
    fn local(&self, site: &Site<'m>, name: &str, at: Span) -> Spanned {
        let text = site.text(&at);
        let Some(&(file, index)) = self.module.locals.get(name) else {
            return unknown(text, "an undefined local", at);
        };
        let cached = self.cache.borrow().get(name).cloned();
        let v = if let Some(v) = cached {
            if !self.charge(weight(&v)) {
                return unknown(text, TOO_LARGE, at);
            }
            v
        } else {
            if self.active.borrow().iter().any(|n| n == name) {
                return unknown(text, "a local that refers to itself", at);
            }
            let tf = &self.module.files[file];
            let attr = tf
                .body
                .get(index)
                .and_then(|s| s.as_block())
                .and_then(|b| parse::attribute(&b.body, name));
            let Some(attr) = attr else {
                return unknown(text, REJECTED, at);
            };
            self.active.borrow_mut().push(name.to_owned());
            let v = self.eval(&Site::new(file, &tf.file), &attr.value, &[]);
            self.active.borrow_mut().pop();
            self.cache.borrow_mut().insert(name.to_owned(), v.clone());
            v
        };
        if site.file == Some(file) {
            v
        } else {
            respan(v, &at)
        }
    }

    /// `aws_iam_role.NAME.FIELD` of a role declared in the module.
    fn role(&self, site: &Site<'m>, name: &str, field: &str, at: Span) -> Spanned {
        let text = site.text(&at);
        let Some(&(file, index)) = self.module.roles.get(name) else {
            return unknown(text, "a resource attribute known after apply", at);
        };
        let tf = &self.module.files[file];
        let Some(block) = tf.body.get(index).and_then(|s| s.as_block()) else {
            return unknown(text, REJECTED, at);
        };
        let role_site = Site::new(file, &tf.file);
        let attr = |key: &str| {
            parse::attribute(&block.body, key).map(|a| self.eval(&role_site, &a.value, &[]))
        };
        let name_value = attr("name").filter(|_| attr("name_prefix").is_none());
        let v = match field {
            "name" => match name_value {
                Some(v) => v,
                None => unknown(text, "a resource attribute known after apply", at.clone()),
            },
            "arn" => {
                let mut t = Text::produced(format!("arn:aws:iam::${{{text}}}:role"), at.clone());
                t.unknown = true;
                match attr("path") {
                    None => t.push("/", at.clone(), false),
                    Some(p) => push_part(&mut t, &p, &role_site),
                }
                match name_value {
                    Some(n) => push_part(&mut t, &n, &role_site),
                    None => {
                        let s = format!("${{aws_iam_role.{name}.name}}");
                        t.push(&s, at.clone(), false);
                    }
                }
                Spanned {
                    value: Value::String(t),
                    span: at.clone(),
                }
            }
            _ => unknown(text, "a resource attribute known after apply", at.clone()),
        };
        if site.file == Some(file) {
            v
        } else {
            respan(v, &at)
        }
    }
}

/// Appends a string value to a text (a known string's pieces, anything else as `${expr}`).
fn push_part(t: &mut Text, v: &Spanned, site: &Site<'_>) {
    match &v.value {
        Value::String(s) => t.push_text(s),
        _ => {
            let s = format!("${{{}}}", site.text(&v.span));
            t.push(&s, v.span.clone(), false);
            t.unknown = true;
        }
    }
}

/// The name of a bare variable expression.
fn name_of(e: &Expression) -> Option<&str> {
    match e {
        Expression::Variable(v) => Some(v.as_str()),
        _ => None,
    }
}

/// The span from the root of a traversal to the end of `ops`.
fn ops_span(root: &Expression, ops: &[hcl_edit::Decorated<TraversalOperator>]) -> Option<Span> {
    let start = root.span()?.start;
    let end = ops
        .last()
        .and_then(|o| o.span())
        .map_or(root.span()?.end, |s| s.end);
    Some(start..end)
}

/// An unknown value.
pub(crate) fn unknown(expr: String, why: &'static str, span: Span) -> Spanned {
    Spanned {
        value: Value::Unknown(Unknown { expr, why }),
        span,
    }
}

/// The first `why` of an unknown part of a value (a partly unknown string counts), if any.
pub(crate) fn unknown_why(v: &Value) -> Option<&'static str> {
    match v {
        Value::Unknown(u) => Some(u.why),
        Value::String(t) if t.unknown => Some(DEPENDS_ON_UNKNOWN),
        Value::List(items) => items.iter().find_map(|i| unknown_why(&i.value)),
        Value::Object(entries) => entries.iter().find_map(|(k, v)| {
            if k.unknown {
                Some(DEPENDS_ON_UNKNOWN)
            } else {
                unknown_why(&v.value)
            }
        }),
        _ => None,
    }
}

/// Whether a value has a part Terraform would fail on.
pub(crate) fn has_error(v: &Value) -> bool {
    match v {
        Value::Unknown(u) => ERRORS.contains(&u.why),
        Value::List(items) => items.iter().any(|i| has_error(&i.value)),
        Value::Object(entries) => entries.iter().any(|(_, v)| has_error(&v.value)),
        _ => false,
    }
}

/// The bytes a value stands for in the size budget.
pub(crate) fn weight(v: &Spanned) -> usize {
    16 + match &v.value {
        Value::String(t) => t.value.len(),
        Value::Number(n) => n.len(),
        Value::List(items) => items.iter().map(weight).sum(),
        Value::Object(entries) => entries.iter().map(|(k, v)| k.value.len() + weight(v)).sum(),
        Value::Unknown(u) => u.expr.len(),
        Value::Null | Value::Bool(_) => 0,
    }
}

/// A value written in another file, moved as a whole to `at` (every span, every piece).
pub(crate) fn respan(v: Spanned, at: &Span) -> Spanned {
    let text = |t: Text| Text {
        pieces: if t.value.is_empty() {
            Vec::new()
        } else {
            vec![Piece {
                inner: 0,
                outer: at.clone(),
                verbatim: false,
            }]
        },
        ..t
    };
    let value = match v.value {
        Value::String(t) => Value::String(text(t)),
        Value::List(items) => Value::List(items.into_iter().map(|i| respan(i, at)).collect()),
        Value::Object(entries) => Value::Object(
            entries
                .into_iter()
                .map(|(k, v)| (text(k), respan(v, at)))
                .collect(),
        ),
        other => other,
    };
    Spanned {
        value,
        span: at.clone(),
    }
}

/// A JSON tfvars value, produced at `at`.
fn from_json(j: &serde_json::Value, at: &Span) -> Spanned {
    let value = match j {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => match number_text(&n.to_string()) {
            Some(n) => Value::Number(n),
            None => Value::Number(n.to_string()),
        },
        serde_json::Value::String(s) => Value::String(Text::produced(s.clone(), at.clone())),
        serde_json::Value::Array(items) => {
            Value::List(items.iter().map(|i| from_json(i, at)).collect())
        }
        serde_json::Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (Text::produced(k.clone(), at.clone()), from_json(v, at)))
                .collect(),
        ),
    };
    Spanned {
        value,
        span: at.clone(),
    }
}

/// A value's truth: `true`/`false` (or the strings Terraform converts), unknown, or not a bool.
pub(crate) enum Truth {
    Known(bool),
    Unknown(&'static str),
    Invalid,
}

pub(crate) fn truth(v: &Value) -> Truth {
    match v {
        Value::Bool(b) => Truth::Known(*b),
        Value::String(t) if t.unknown => Truth::Unknown(DEPENDS_ON_UNKNOWN),
        Value::String(t) if t.value == "true" => Truth::Known(true),
        Value::String(t) if t.value == "false" => Truth::Known(false),
        Value::Unknown(u) => Truth::Unknown(u.why),
        _ => Truth::Invalid,
    }
}

/// An object key from a value: strings, numbers and bools (as Terraform converts them).
fn key_text(k: &Spanned) -> Result<Text, &'static str> {
    match &k.value {
        Value::String(t) if !t.unknown => Ok(t.clone()),
        Value::Number(n) => Ok(Text::produced(n.clone(), k.span.clone())),
        Value::Bool(b) => Ok(Text::produced(b.to_string(), k.span.clone())),
        other => Err(unknown_why(other).unwrap_or(REJECTED)),
    }
}

/// The (key, value) pairs a `for` iterates: index and element of a list, key and value of an
/// object (in the order of the object).
fn iteration(coll: &Spanned) -> Option<Vec<(Spanned, Spanned)>> {
    match &coll.value {
        Value::List(items) => Some(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let k = Spanned {
                        value: Value::Number(i.to_string()),
                        span: v.span.clone(),
                    };
                    (k, v.clone())
                })
                .collect(),
        ),
        Value::Object(entries) => Some(
            entries
                .iter()
                .map(|(k, v)| {
                    let key = Spanned {
                        value: Value::String(k.clone()),
                        span: v.span.clone(),
                    };
                    (key, v.clone())
                })
                .collect(),
        ),
        _ => None,
    }
}

/// `v[key]` / `v.key` on an object.
fn get_key(v: &Spanned, key: &str) -> Option<Spanned> {
    v.value.get(key).cloned()
}

/// `v[index]` on a list (`index` a non-negative integer, as a number's text).
fn get_index(v: &Spanned, index: &str) -> Option<Spanned> {
    match &v.value {
        Value::List(items) => items.get(index.parse::<usize>().ok()?).cloned(),
        Value::Object(_) => get_key(v, index),
        _ => None,
    }
}

/// `-n`.
fn negate(n: &str) -> String {
    match n.strip_prefix('-') {
        Some(pos) => pos.to_owned(),
        None if n == "0" => n.to_owned(),
        None => format!("-{n}"),
    }
}

/// A binary operation: equality and logic; arithmetic and ordering are not evaluated.
fn binary(
    site: &Site<'_>,
    op: BinaryOperator,
    lhs: &Spanned,
    rhs: &Spanned,
    span: Span,
) -> Spanned {
    let text = site.text(&span);
    let value = match op {
        BinaryOperator::Eq | BinaryOperator::NotEq => match equal(&lhs.value, &rhs.value) {
            Ok(eq) => Value::Bool(eq == matches!(op, BinaryOperator::Eq)),
            Err(why) => return unknown(text, why, span),
        },
        BinaryOperator::And | BinaryOperator::Or => match (truth(&lhs.value), truth(&rhs.value)) {
            (Truth::Known(a), Truth::Known(b)) => {
                Value::Bool(if matches!(op, BinaryOperator::And) {
                    a && b
                } else {
                    a || b
                })
            }
            (Truth::Invalid, _) | (_, Truth::Invalid) => return unknown(text, REJECTED, span),
            (Truth::Unknown(why), _) | (_, Truth::Unknown(why)) => return unknown(text, why, span),
        },
        _ => match arithmetic(op, &lhs.value, &rhs.value) {
            Ok(v) => v,
            Err(why) => return unknown(text, why, span),
        },
    };
    Spanned { value, span }
}

/// Arithmetic and ordering on whole numbers (or strings of them, as Terraform converts);
/// a division only when its quotient is a short exact decimal. Fractions are not evaluated
/// (cty computes with 512-bit floats, which `f64` would not reproduce).
fn arithmetic(op: BinaryOperator, a: &Value, b: &Value) -> Result<Value, &'static str> {
    if let Some(why) = unknown_why(a).or_else(|| unknown_why(b)) {
        return Err(why);
    }
    let int = |v: &Value| -> Option<i128> {
        let n = match v {
            Value::Number(n) => n.clone(),
            Value::String(t) => number_text(&t.value)?,
            _ => return None,
        };
        n.parse::<i128>()
            .ok()
            .filter(|n| n.unsigned_abs() < 1 << 100)
    };
    let not_evaluated = "an operation awsauth does not evaluate";
    let (Some(x), Some(y)) = (int(a), int(b)) else {
        return Err(match (a, b) {
            (Value::Number(_) | Value::String(_), Value::Number(_) | Value::String(_)) => {
                not_evaluated
            }
            _ => REJECTED,
        });
    };
    let number = |n: i128| Value::Number(n.to_string());
    Ok(match op {
        BinaryOperator::Plus => number(x + y),
        BinaryOperator::Minus => number(x - y),
        BinaryOperator::Mul => number(x.checked_mul(y).ok_or(not_evaluated)?),
        BinaryOperator::Div | BinaryOperator::Mod if y == 0 => return Err(REJECTED),
        BinaryOperator::Mod => number(x % y),
        BinaryOperator::Div => {
            // x / y as a decimal with at most 18 digits after the point, when exact
            let (mut scaled, mut digits) = (x, 0u32);
            while scaled % y != 0 && digits < 18 {
                scaled = scaled.checked_mul(10).ok_or(not_evaluated)?;
                digits += 1;
            }
            if scaled % y != 0 {
                return Err(not_evaluated);
            }
            let q = (scaled / y).to_string();
            let text = if digits == 0 {
                q
            } else {
                format!("{q}e-{digits}")
            };
            Value::Number(number_text(&text).ok_or(not_evaluated)?)
        }
        BinaryOperator::Less => Value::Bool(x < y),
        BinaryOperator::LessEq => Value::Bool(x <= y),
        BinaryOperator::Greater => Value::Bool(x > y),
        BinaryOperator::GreaterEq => Value::Bool(x >= y),
        _ => return Err(REJECTED),
    })
}

/// Terraform's `==` on known values (types must match, as in Terraform: `"1" == 1` is false).
pub(crate) fn equal(a: &Value, b: &Value) -> Result<bool, &'static str> {
    if let Some(why) = unknown_why(a).or_else(|| unknown_why(b)) {
        return Err(why);
    }
    Ok(match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Number(x), Value::Number(y)) => x == y,
        (Value::String(x), Value::String(y)) => x.value == y.value,
        (Value::List(x), Value::List(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|(p, q)| equal(&p.value, &q.value) == Ok(true))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter().all(|(k, v)| {
                    b.get(&k.value)
                        .is_some_and(|w| equal(&v.value, &w.value) == Ok(true))
                })
        }
        _ => false,
    })
}

/// A number literal as Terraform prints it: plain decimal, no exponent, no leading or trailing
/// zeros (`1e3` → `1000`, `1.50` → `1.5`), exactly (cty keeps 512 bits; a decimal shift does not
/// round). `None` when it is not a number.
pub(crate) fn number_text(src: &str) -> Option<String> {
    let src = src.trim();
    let (neg, src) = match src.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, src),
    };
    let (mantissa, exp) = match src.find(['e', 'E']) {
        Some(i) => (&src[..i], src[i + 1..].parse::<i64>().ok()?),
        None => (src, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int.is_empty() && frac.is_empty()
        || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
        || exp.unsigned_abs() > 4096
    {
        return None;
    }
    let digits = format!("{int}{frac}");
    // the decimal point sits after `point` digits
    let point = i64::try_from(int.len()).ok()? + exp;
    let (int_part, frac_part) = if point <= 0 {
        let zeros = usize::try_from(-point).ok()?;
        (String::new(), format!("{}{digits}", "0".repeat(zeros)))
    } else {
        let p = usize::try_from(point).ok()?;
        if p >= digits.len() {
            (
                format!("{digits}{}", "0".repeat(p - digits.len())),
                String::new(),
            )
        } else {
            (digits[..p].to_owned(), digits[p..].to_owned())
        }
    };
    let int_part = int_part.trim_start_matches('0');
    let frac_part = frac_part.trim_end_matches('0');
    let mut out = String::new();
    let zero = int_part.is_empty() && frac_part.is_empty();
    if neg && !zero {
        out.push('-');
    }
    out.push_str(if int_part.is_empty() { "0" } else { int_part });
    if !frac_part.is_empty() {
        out.push('.');
        out.push_str(frac_part);
    }
    Some(out)
}

/// The attribute `name` of a body (re-exported for the loader).
pub fn attribute<'a>(body: &'a Body, name: &str) -> Option<&'a hcl_edit::structure::Attribute> {
    parse::attribute(body, name)
}
