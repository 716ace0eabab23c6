//! What a Terraform module directory makes knowable: expressions evaluated over the `.tf` files
//! of one directory and its variable files, each value keeping where it was written.
//!
//! A [`Module`] holds the parsed files; [`Module::eval`] turns an expression of one of them into a
//! [`Spanned`] value. Known: literals, templates (with `%{ if }`/`%{ for }` and `~` strip markers),
//! heredocs (with Terraform's `<<-` indentation rule, see the `template` submodule), `var.X`
//! (`terraform.tfvars` < `*.auto.tfvars` in lexical order, over the `default`), `local.X`,
//! attribute, index and splat access, `for` expressions, conditionals, `==`, `!=`, `&&`, `||`, `!`,
//! integer arithmetic and comparison, and the functions of [`super::functions`]; a variable's value
//! is converted to its `type` as Terraform converts it (the `types` submodule).
//! `aws_iam_role.NAME.arn` of a role declared in the module is known in shape (see
//! [`Module::eval`]); `aws_eks_cluster.NAME.name` and `aws_eks_access_entry.NAME.principal_arn`
//! read back the arguments. Everything else is [`Value::Unknown`] with its expression text and why;
//! nothing is guessed.
//!
//! Spans: a value keeps the spans of where it was written when that is in the file being
//! evaluated; a value defined in another file of the module (a local in `locals.tf`, a
//! `terraform.tfvars` value) is re-spanned as a whole to the expression that refers to it,
//! because diagnostics are reported in one file.
//!
//! Budgets: evaluation nests at most [`MAX_DEPTH`] levels and produces at most [`MAX_SIZE`]
//! bytes (strings, plus a few bytes per value) per call of [`Module::eval`]; past either, the
//! value is unknown, "too large to evaluate".

mod ops;
mod refs;
pub(crate) mod template;
mod types;

pub(crate) use ops::{
    Truth, equal, has_error, iteration, number_text, truth, unknown, unknown_why,
};
use ops::{binary, key_text, negate};
#[cfg(test)]
mod tests;

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::sync::Arc;

use hcl_edit::Span as _;
use hcl_edit::expr::{Expression, ForExpr, ObjectKey, UnaryOperator};
use hcl_edit::structure::{Block, Body};

use super::parse::{self, TfFile};
use super::value::{Spanned, Text, Value};
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
    /// The `default` of the `variable` block.
    Default,
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
    /// Variable name → (file, structure index of its `variable` block).
    var_blocks: HashMap<String, (usize, usize)>,
    /// Local name → (file, structure index of the `locals` block in its body).
    locals: HashMap<String, (usize, usize)>,
    /// `aws_iam_role` name → (file, structure index of the resource block).
    roles: HashMap<String, (usize, usize)>,
    /// (type, name) of a resource whose arguments references read back (`refs::ECHOED`) →
    /// (file, structure index of the resource block).
    echoed: HashMap<(String, String), (usize, usize)>,
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
            var_blocks: HashMap::new(),
            locals: HashMap::new(),
            roles: HashMap::new(),
            echoed: HashMap::new(),
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
                            VarSource::Default
                        } else {
                            VarSource::Unset
                        };
                        self.vars.insert((*name).to_owned(), source);
                        self.var_blocks.insert((*name).to_owned(), (f, i));
                    }
                    ("locals", []) => {
                        for a in block.body.attributes() {
                            self.locals.insert(a.key.as_str().to_owned(), (f, i));
                        }
                    }
                    ("resource", ["aws_iam_role", name]) => {
                        self.roles.insert((*name).to_owned(), (f, i));
                    }
                    ("resource", [kind, name]) if refs::echoes(kind) => {
                        let key = ((*kind).to_owned(), (*name).to_owned());
                        self.echoed.entry(key).or_insert((f, i));
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
            if std::path::Path::new(&base)
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("json"))
            {
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
    /// the name when known. `aws_eks_cluster.NAME.name` (and `.id`, the same value) of a
    /// cluster declared in the module is its `name` when known; `aws_eks_access_entry.NAME`'s
    /// `principal_arn` and `cluster_name` are its arguments (placeholders included). Both are
    /// moved to the reference.
    pub fn eval(&self, file: usize, expr: &Expression) -> Spanned {
        let Some(tf) = self.files.get(file) else {
            return unknown(String::new(), REJECTED, 0..0);
        };
        let ctx = Ctx::new(self);
        ctx.eval(&Site::new(file, &tf.file), expr, &[])
    }

    /// Evaluates an expression with names in scope, innermost last: a `dynamic` block's
    /// iterator, or `each` (an object with `key` and `value`) and `count` (with `index`) for a
    /// resource the caller expands; a name in scope wins over Terraform's own meaning of it.
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

impl Module {
    /// Converts a value written in file `file` to the type `ty` (HCL type syntax, e.g.
    /// `list(object({rolearn = string, groups = list(string)}))`), as Terraform converts a
    /// module input to its variable's type; a type that does not parse leaves the value as it is.
    pub fn convert(&self, file: usize, v: Spanned, ty: &str) -> Spanned {
        let (Some(tf), Ok(ty)) = (self.files.get(file), hcl_edit::parser::parse_expr(ty)) else {
            return v;
        };
        let ctx = Ctx::new(self);
        ctx.convert(&Site::new(file, &tf.file), v, &ty)
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
                let (chosen, other) = match truth(&cond.value) {
                    Truth::Known(true) => (&c.true_expr, &c.false_expr),
                    Truth::Known(false) => (&c.false_expr, &c.true_expr),
                    Truth::Unknown(why) => return unknown(site.text(&span), why, span),
                    Truth::Invalid => return unknown(site.text(&span), REJECTED, span),
                };
                let v = self.eval(site, chosen, scope);
                // the result has the branches' common type: a number or bool beside a string
                // becomes a string (`c ? 1 : "a"` is "1")
                let text = match &v.value {
                    Value::Number(n) => n.clone(),
                    Value::Bool(b) => b.to_string(),
                    _ => return v,
                };
                if let Value::String(_) = self.eval(site, other, scope).value {
                    return Spanned {
                        value: Value::String(Text::produced(text, v.span.clone())),
                        span: v.span,
                    };
                }
                return v;
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
}

/// The attribute `name` of a body (re-exported for the loader).
pub fn attribute<'a>(body: &'a Body, name: &str) -> Option<&'a hcl_edit::structure::Attribute> {
    parse::attribute(body, name)
}
