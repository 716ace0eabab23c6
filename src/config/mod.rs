//! Configuration: `.awsauth.yaml` found by walking up from each linted file, `--config FILE`,
//! `extends:`, and the resolved [`Settings`] the lint pipeline and the rules read.
//!
//! The file is parsed with positions like the manifests: the YAML tree keeps spans, serde reads
//! the typed shape ([`file::ConfigFile`]) and every error, serde's or ours, is reported at the
//! line and column of the offending key or value.

pub mod at_commit;
pub mod file;
mod per_dir;
mod resolve;
pub mod show;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::{GlobMatcher, GlobSet};
use serde_json::Value;

use crate::diagnostic::{Diagnostic, Severity};
use crate::paths::{normalize, relative};
use crate::registry::{Category, Rule};
use crate::source::{SourceFile, Span};
use crate::yaml::{Node, NodeKind, Style};
use file::{ConfigFile, FailOn, Level, Profile};
pub use per_dir::{Base, BaseNotice, Choice, Configs, Invalid};

/// The files a walk reads unless told otherwise (`include`): manifests and Terraform.
pub const DEFAULT_INCLUDE: [&str; 4] = ["*.yaml", "*.yml", "*.json", "*.tf"];

/// The names a configuration file may have, in the order they are looked for.
pub const FILE_NAMES: [&str; 4] = [
    ".awsauth.yaml",
    ".awsauth.yml",
    "awsauth.yaml",
    "awsauth.yml",
];

/// The pseudo-rule under which configuration errors are rendered (they are not findings: the
/// run stops with exit 2).
pub static CONFIG_ERROR: Rule = Rule {
    name: "config",
    category: Category::Correctness,
    severity: Severity::Error,
    summary: "the configuration file is invalid",
    explanation: "",
    location: file!(),
    enabled: true,
};

/// A problem with a configuration file, at a position in it when there is one.
#[derive(Debug, Clone)]
pub struct ConfigError {
    /// The file and the offending span; `None` for I/O errors.
    pub at: Option<(Arc<SourceFile>, Span)>,
    /// The file's path, for errors without a position.
    pub path: PathBuf,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
}

impl ConfigError {
    fn at(file: &Arc<SourceFile>, span: Span, message: impl Into<String>) -> Self {
        Self {
            at: Some((Arc::clone(file), span)),
            path: PathBuf::from(&file.name),
            message: message.into(),
            help: None,
        }
    }

    fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// As a diagnostic, for the human renderer; `None` without a position.
    pub fn diagnostic(&self) -> Option<Diagnostic> {
        let (file, span) = self.at.as_ref()?;
        let mut d = Diagnostic::new(&CONFIG_ERROR, file, span.clone(), self.message.clone());
        if let Some(h) = &self.help {
            d = d.help(h.clone());
        }
        Some(d)
    }

    /// One line: `path:line:col: message`.
    pub fn concise(&self) -> String {
        match &self.at {
            Some((file, span)) => {
                let lc = file.line_col(span.start);
                format!("{}:{}:{}: {}", file.name, lc.line, lc.column, self.message)
            }
            None => format!("{}: {}", self.path.display(), self.message),
        }
    }
}

/// A rule selector: a rule or policy id, a category, or `all`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    /// Every rule.
    All,
    /// A category.
    Category(Category),
    /// One rule or policy.
    Rule(String),
}

impl Selector {
    /// How specific it is: `all` < category < rule.
    fn specificity(&self) -> u8 {
        match self {
            Self::All => 0,
            Self::Category(_) => 1,
            Self::Rule(_) => 2,
        }
    }

    /// Whether it selects `rule`.
    pub fn matches(&self, rule: &Rule) -> bool {
        match self {
            Self::All => true,
            Self::Category(c) => rule.category == *c,
            Self::Rule(r) => r == rule.name,
        }
    }
}

/// An allow-list entry of a security rule.
#[derive(Debug)]
pub struct Allow {
    /// The ARN glob as written.
    pub pattern: String,
    /// Compiled, case-insensitive.
    pub matcher: GlobMatcher,
    /// Why.
    pub reason: String,
    /// Where it was written.
    pub file: Arc<SourceFile>,
    /// Its span (the whole entry).
    pub span: Span,
    /// How many findings it accepted in this run.
    pub hits: std::sync::atomic::AtomicUsize,
}

/// Settings of one rule.
#[derive(Debug, Default)]
pub struct RuleSettings {
    /// The configured severity (`off` disables).
    pub level: Option<Level>,
    /// Accepted principals.
    pub allow: Vec<Allow>,
}

/// Per-file ignores: files matched by the globs skip the selected rules.
#[derive(Debug)]
pub struct PerFileIgnore {
    /// Directory the globs are relative to.
    pub base: PathBuf,
    /// The glob as written.
    pub pattern: String,
    /// Compiled.
    pub matcher: GlobSet,
    /// What to ignore.
    pub selectors: Vec<Selector>,
}

/// The cluster facts rules check against.
#[derive(Debug, Default)]
pub struct Cluster {
    /// The cluster's name (`cluster.name`).
    pub name: Option<String>,
    /// Account ids of the cluster.
    pub account_ids: Vec<String>,
    /// Partition of the cluster.
    pub partition: Option<String>,
    /// Linux node role ARNs.
    pub node_roles: Vec<String>,
    /// Windows node role ARNs.
    pub windows_node_roles: Vec<String>,
    /// Fargate pod execution role ARNs.
    pub fargate_roles: Vec<String>,
    /// Break-glass role globs (case-insensitive).
    pub break_glass_roles: Option<GlobSet>,
    /// The break-glass role globs as written (`awsauth config` shows them).
    pub break_glass_patterns: Vec<String>,
    /// The authenticator release line.
    pub profile: Profile,
}

impl Cluster {
    /// Whether `arn` is a configured break-glass role.
    pub fn is_break_glass(&self, arn: &str) -> bool {
        self.break_glass_roles
            .as_ref()
            .is_some_and(|g| g.is_match(arn.to_ascii_lowercase()))
    }
}

/// A compiled [`MatchFile`].
#[derive(Debug, Default)]
pub struct Matcher {
    /// ARN globs (lowercased).
    pub arn: Option<GlobSet>,
    /// Account globs.
    pub account: Option<GlobSet>,
    /// Username globs.
    pub username: Option<GlobSet>,
    /// Group globs.
    pub groups: Option<GlobSet>,
    /// Sections.
    pub section: Option<Vec<crate::model::SectionKind>>,
    /// The globs as written, for messages: `arn matching arn:aws:iam::*:role/platform-*`.
    pub description: String,
}

/// An organisation policy, ready to check.
#[derive(Debug)]
pub struct Policy {
    /// Its rule metadata (leaked once per configuration load; lives for the run).
    pub rule: &'static Rule,
    /// The configured message, if any.
    pub message: Option<String>,
    /// Applies to.
    pub when: Matcher,
    /// Must satisfy.
    pub require: Option<Matcher>,
    /// Must not satisfy.
    pub forbid: Option<Matcher>,
}

/// Resolved settings for the files under one configuration (or the defaults).
#[derive(Debug, Default)]
pub struct Settings {
    /// The configuration files read, leaf first (empty for the defaults).
    pub chain: Vec<PathBuf>,
    /// Directory of the leaf configuration file.
    pub dir: Option<PathBuf>,
    /// `fail-on`.
    pub fail_on: Option<FailOn>,
    /// `include` globs.
    pub include: Option<Vec<String>>,
    /// `exclude` globs.
    pub exclude: Option<Vec<String>>,
    /// `select`.
    pub select: Option<Vec<Selector>>,
    /// `ignore`.
    pub ignore: Vec<Selector>,
    /// `per-file-ignores`.
    pub per_file_ignores: Vec<PerFileIgnore>,
    /// Per-rule settings.
    pub rules: HashMap<&'static str, RuleSettings>,
    /// Cluster facts.
    pub cluster: Cluster,
    /// Policies.
    pub policies: Vec<Policy>,
    /// The built-in rules, handed in by the caller (configuration knows no rule of its own:
    /// rule ids are checked against this list). Empty in `Settings::default()`.
    pub builtin: &'static [&'static Rule],
}

impl Settings {
    /// The defaults, knowing the built-in rules `builtin` (e.g. `rules::RULES`).
    pub fn new(builtin: &'static [&'static Rule]) -> Self {
        Self {
            builtin,
            ..Self::default()
        }
    }

    /// The built-in rule named `id`.
    fn builtin_rule(&self, id: &str) -> Option<&'static Rule> {
        self.builtin.iter().copied().find(|r| r.name == id)
    }

    /// Whether `rule` runs (select / ignore / severity `off`), before per-file ignores.
    pub fn enabled(&self, rule: &Rule) -> bool {
        if self.rules.get(rule.name).and_then(|r| r.level) == Some(Level::Off) {
            return false;
        }
        // how specifically the rule is selected: a rule that is on by default is selected by
        // `all` (0) unless `select` says otherwise; one that is off by default (and a policy at
        // `severity: off`) runs only when named, or given a severity
        let named = self.severity_configured(rule).then_some(2);
        let selected = match &self.select {
            Some(select) => select
                .iter()
                .filter(|s| s.matches(rule))
                .filter(|s| rule.enabled || matches!(s, Selector::Rule(_)))
                .map(Selector::specificity)
                .max(),
            None if rule.enabled => Some(0),
            None => None,
        };
        let Some(selected) = selected.max(named) else {
            return false;
        };
        let ignored = self
            .ignore
            .iter()
            .filter(|s| s.matches(rule))
            .map(Selector::specificity)
            .max();
        ignored.is_none_or(|i| i < selected)
    }

    fn severity_configured(&self, rule: &Rule) -> bool {
        self.rules
            .get(rule.name)
            .and_then(|r| r.level)
            .is_some_and(|l| l != Level::Off)
    }

    /// The severity `rule` reports at, when a configured one overrides the rule's own.
    pub fn severity(&self, rule: &Rule) -> Option<Severity> {
        match self.rules.get(rule.name)?.level? {
            Level::Error => Some(Severity::Error),
            Level::Warning => Some(Severity::Warning),
            Level::Info => Some(Severity::Info),
            Level::Off => None,
        }
    }

    /// Whether `per-file-ignores` disables `rule` for the file at `path`.
    pub fn ignored_for(&self, path: Option<&Path>, rule: &Rule) -> bool {
        let Some(path) = path else { return false };
        self.per_file_ignores.iter().any(|p| {
            p.selectors.iter().any(|s| s.matches(rule)) && {
                let rel = relative(path, &p.base);
                p.matcher.is_match(&rel)
            }
        })
    }

    /// The allow list of `rule`.
    pub fn allow(&self, rule: &str) -> &[Allow] {
        self.rules.get(rule).map_or(&[], |r| &r.allow[..])
    }

    /// Every rule id and policy id known under these settings.
    pub fn known_ids(&self) -> Vec<&'static str> {
        let mut ids: Vec<&'static str> = self.builtin.iter().map(|r| r.name).collect();
        ids.extend(self.policies.iter().map(|p| p.rule.name));
        ids
    }

    /// Looks up a rule or policy by id.
    pub fn find_rule(&self, id: &str) -> Option<&'static Rule> {
        self.builtin_rule(id).or_else(|| {
            self.policies
                .iter()
                .find(|p| p.rule.name == id)
                .map(|p| p.rule)
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Reading one file

/// One parsed configuration file.
struct Layer {
    file: Arc<SourceFile>,
    root: Node,
    config: ConfigFile,
    dir: PathBuf,
}

/// YAML to JSON for serde: YAML 1.2 core scalars where it matters (`true`/`false`/`null`),
/// every other scalar a string, so `off`, `no` and `0.5` stay as written.
fn to_json(node: &Node, file: &Arc<SourceFile>, errors: &mut Vec<ConfigError>) -> Value {
    let mut budget = NODE_BUDGET;
    to_json_within(node, file, errors, &mut budget)
}

/// Aliases can make a few lines expand to billions of nodes; a configuration never needs more
/// than this many.
const NODE_BUDGET: usize = 100_000;

fn to_json_within(
    node: &Node,
    file: &Arc<SourceFile>,
    errors: &mut Vec<ConfigError>,
    budget: &mut usize,
) -> Value {
    if *budget == 0 {
        return Value::Null;
    }
    *budget -= 1;
    if *budget == 0 {
        errors.push(
            ConfigError::at(
                file,
                node.span.clone(),
                "the configuration expands to too many values",
            )
            .help(format!(
                "aliases here expand past {NODE_BUDGET} values; write the lists out"
            )),
        );
        return Value::Null;
    }
    match &node.resolved().kind {
        NodeKind::Scalar { value, style } => {
            if *style == Style::Plain && node.tag.is_none() {
                match value.as_str() {
                    "true" | "True" | "TRUE" => return Value::Bool(true),
                    "false" | "False" | "FALSE" => return Value::Bool(false),
                    "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
                    _ => {}
                }
            }
            Value::String(value.clone())
        }
        NodeKind::Seq(items) => Value::Array(
            items
                .iter()
                .map(|i| to_json_within(i, file, errors, budget))
                .collect(),
        ),
        NodeKind::Map(entries) => {
            let mut map = serde_json::Map::new();
            let mut first: HashMap<&str, &Span> = HashMap::new();
            for (k, v) in entries {
                let Some(key) = k.as_str() else {
                    errors.push(ConfigError::at(
                        file,
                        k.span.clone(),
                        format!("a key must be a string, not a {}", k.type_name()),
                    ));
                    continue;
                };
                if let Some(prev) = first.get(key) {
                    let line = file.line_col(prev.start).line;
                    errors.push(
                        ConfigError::at(file, k.span.clone(), format!("duplicate key `{key}`"))
                            .help(format!("`{key}` is first set on line {line}; keep one")),
                    );
                    continue;
                }
                first.insert(key, &k.span);
                map.insert(key.to_owned(), to_json_within(v, file, errors, budget));
            }
            Value::Object(map)
        }
        NodeKind::Alias(_) => Value::Null,
    }
}

/// A path into the document.
#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Index(usize),
}

/// The node at `path`, and the key node of its last step when that is a map key.
fn node_at<'n>(root: &'n Node, path: &[Step]) -> (&'n Node, Option<&'n Node>) {
    let mut node = root;
    let mut key = None;
    for step in path {
        let next = match step {
            Step::Key(k) => node.entry(k).map(|(kn, v)| (v, Some(kn))),
            Step::Index(i) => node.as_seq().and_then(|s| s.get(*i)).map(|n| (n, None)),
        };
        match next {
            Some((n, k)) => {
                node = n;
                key = k;
            }
            None => break,
        }
    }
    (node, key)
}

/// Where configuration files are read from: the file system ([`FileSystem`]), or another
/// source such as a commit of a repository (`awsauth diff` reads the configuration at BASE).
/// The loader itself (parsing, `extends`, resolution) is the same for every source.
pub trait Source {
    /// The bytes of the file at `path` (as the loader names it: the path given to
    /// [`load_from`], or an `extends` joined to the directory of the file naming it), or why
    /// it cannot be read (`cannot read: ...`).
    fn read(&self, path: &Path) -> Result<Vec<u8>, String>;
    /// The name shown for `path` in messages.
    fn name(&self, path: &Path) -> String;
    /// What identifies the file, to find `extends` cycles.
    fn identity(&self, path: &Path) -> PathBuf;
    /// Whether a chain that starts at `leaf` may read `target` (named by an `extends`), or
    /// why not: a pull request's configuration must not make awsauth print the first lines of
    /// a file it could not read itself ([`crate::untrusted`]).
    fn confine(&self, target: &Path, leaf: &Path) -> Result<(), String>;
}

/// The file system, as `lint` reads configurations.
#[derive(Debug, Clone, Copy, Default)]
pub struct FileSystem;

impl Source for FileSystem {
    fn read(&self, path: &Path) -> Result<Vec<u8>, String> {
        crate::untrusted::read_regular(path, crate::untrusted::CONFIG_CAP)
            .map_err(|e| format!("cannot read: {e}"))
    }

    fn name(&self, path: &Path) -> String {
        // relative to the current directory when inside it, like the linted files
        let shown = relative(path, Path::new("."));
        let shown = if shown.is_relative() {
            shown
        } else {
            path.to_owned()
        };
        shown.display().to_string()
    }

    fn identity(&self, path: &Path) -> PathBuf {
        std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned())
    }

    fn confine(&self, target: &Path, leaf: &Path) -> Result<(), String> {
        crate::untrusted::confine(target, &crate::untrusted::chain_root(leaf))
    }
}

/// The top-level keys of a configuration file (the fields of [`ConfigFile`]).
const KEYS: [&str; 11] = [
    "$schema",
    "extends",
    "select",
    "ignore",
    "fail-on",
    "include",
    "exclude",
    "per-file-ignores",
    "cluster",
    "rules",
    "policies",
];

/// Why a file that is neither named like a configuration file nor has any configuration key
/// is not read as one. Such a file may be anything `extends` or `--config` was pointed at (a
/// credentials file of the CI job, say): the error gives no line of it, nor the parser's
/// message, which can quote it.
fn not_a_configuration(
    path: &Path,
    root: Result<Option<&Node>, usize>,
    text: &str,
) -> Option<String> {
    let named = path
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| FILE_NAMES.contains(&n));
    if named {
        return None;
    }
    let why = match root {
        Err(offset) => {
            let line = text[..offset.min(text.len())].matches('\n').count() + 1;
            format!("it is not valid YAML (from line {line})")
        }
        Ok(None) => return None,
        Ok(Some(root)) => match root.as_map() {
            None => format!("it is a {}, not a mapping", root.type_name()),
            Some([]) => return None,
            Some(entries) => {
                let known = entries
                    .iter()
                    .any(|(k, _)| k.as_str().is_some_and(|k| KEYS.contains(&k)));
                if known {
                    return None;
                }
                "none of its keys is a configuration key".to_owned()
            }
        },
    };
    Some(format!(
        "not an awsauth configuration: {why} (its content is not shown)"
    ))
}

fn parse_layer(path: &Path, source: &dyn Source) -> Result<Layer, Vec<ConfigError>> {
    let io = |message: String| {
        vec![ConfigError {
            at: None,
            path: path.to_owned(),
            message,
            help: None,
        }]
    };
    let bytes = source.read(path).map_err(io)?;
    let text = String::from_utf8(bytes).map_err(|_| io("not valid UTF-8".into()))?;
    let file = SourceFile::new(source.name(path), text);
    let parsed = crate::yaml::parse_first(&file.text);
    let shape = match &parsed {
        Ok(root) => Ok(root.as_ref()),
        Err(e) => Err(e.offset),
    };
    if let Some(message) = not_a_configuration(path, shape, &file.text) {
        return Err(io(message));
    }
    let root = match parsed {
        Ok(Some(root)) => root,
        Ok(None) => Node {
            kind: NodeKind::Map(Vec::new()),
            span: 0..0,
            tag: None,
        },
        Err(e) => {
            return Err(vec![ConfigError::at(
                &file,
                e.offset..e.offset,
                format!("invalid YAML: {}", e.message),
            )]);
        }
    };
    let stream = crate::yaml::parse_stream(&file.text);
    let roots: Vec<&Node> = stream
        .documents
        .iter()
        .filter_map(|d| d.root.as_ref())
        .collect();
    if let Some(second) = roots.get(1) {
        let at = second.span.start;
        return Err(vec![
            ConfigError::at(&file, at..at, "a second YAML document in the configuration")
                .help("a configuration file holds one document; remove the `---` and what follows, or merge it"),
        ]);
    }
    if root.as_map().is_none() {
        return Err(vec![ConfigError::at(
            &file,
            root.span.clone(),
            format!(
                "the configuration must be a mapping, not a {}",
                root.type_name()
            ),
        )]);
    }
    let mut errors = Vec::new();
    let json = to_json(&root, &file, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    // serde stops at the first error: report it, drop the offending key, and try again, so
    // that one run shows every shape error of the file
    let mut json = json;
    let mut errors = Vec::new();
    let config: ConfigFile = loop {
        match serde_path_to_error::deserialize(&json) {
            Ok(c) if errors.is_empty() => break c,
            Ok(_) => {
                errors.sort_by_key(|e: &ConfigError| e.at.as_ref().map(|(_, s)| s.start));
                return Err(errors);
            }
            Err(e) => {
                errors.push(serde_error(&file, &root, &e));
                if errors.len() >= 50 || !remove_at(&mut json, &e) {
                    return Err(errors);
                }
            }
        }
    };
    let dir = path
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_owned);
    Ok(Layer {
        file,
        root,
        config,
        dir,
    })
}

/// Removes the map key an error is about (the unknown key, or the key holding the bad value;
/// for an error inside a list, the key holding the list), so the next attempt goes further.
fn remove_at(json: &mut Value, e: &serde_path_to_error::Error<serde_json::Error>) -> bool {
    let mut steps: Vec<Step> = Vec::new();
    for seg in e.path() {
        match seg {
            serde_path_to_error::Segment::Map { key } => steps.push(Step::Key(key.clone())),
            serde_path_to_error::Segment::Seq { index } => steps.push(Step::Index(*index)),
            _ => {}
        }
    }
    // the last map key on the path, with no list index after it
    let Some(cut) = steps.iter().rposition(|s| matches!(s, Step::Key(_))) else {
        return false;
    };
    let cut = steps[..=cut]
        .iter()
        .position(|s| matches!(s, Step::Index(_)))
        .map_or(cut, |first_index| {
            steps[..first_index]
                .iter()
                .rposition(|s| matches!(s, Step::Key(_)))
                .unwrap_or(usize::MAX)
        });
    if cut == usize::MAX {
        return false;
    }
    let mut node = json;
    for step in &steps[..cut] {
        node = match (step, node) {
            (Step::Key(k), Value::Object(m)) => match m.get_mut(k) {
                Some(v) => v,
                None => return false,
            },
            (Step::Index(i), Value::Array(a)) => match a.get_mut(*i) {
                Some(v) => v,
                None => return false,
            },
            _ => return false,
        };
    }
    match (&steps[cut], node) {
        (Step::Key(k), Value::Object(m)) => m.remove(k).is_some(),
        _ => false,
    }
}

/// A serde error at the key or value it is about, reworded for a YAML user.
fn serde_error(
    file: &Arc<SourceFile>,
    root: &Node,
    e: &serde_path_to_error::Error<serde_json::Error>,
) -> ConfigError {
    let mut steps = Vec::new();
    for seg in e.path() {
        match seg {
            serde_path_to_error::Segment::Map { key } => steps.push(Step::Key(key.clone())),
            serde_path_to_error::Segment::Seq { index } => steps.push(Step::Index(*index)),
            _ => {}
        }
    }
    let inner = e.inner().to_string();
    let dotted = e.path().to_string();
    // serde: "unknown field `x`, expected one of `a`, `b`"
    if let Some(rest) = inner.strip_prefix("unknown field `") {
        let name = rest.split('`').next().unwrap_or_default().to_owned();
        let expected: Vec<&str> = rest
            .split('`')
            .skip(1)
            .filter(|s| !s.is_empty() && !s.contains(',') && !s.contains(' '))
            .collect();
        let (node, key) = node_at(root, &steps);
        let span = key.unwrap_or(node).span.clone();
        let parent = dotted
            .rsplit_once('.')
            .map(|(p, _)| format!(" in `{p}`"))
            .unwrap_or_default();
        let mut err = ConfigError::at(file, span, format!("unknown key `{name}`{parent}"));
        let best = expected
            .iter()
            .map(|c| (strsim::levenshtein(&name, c), *c))
            .min();
        err = match best {
            Some((d, c)) if d <= 2 || c.starts_with(&name) => {
                err.help(format!("did you mean `{c}`?"))
            }
            _ => err.help(format!("known keys: {}", expected.join(", "))),
        };
        return err;
    }
    let (node, _) = node_at(root, &steps);
    let message = inner
        .replace("invalid type: string", "found the string")
        .replace("invalid type: sequence", "found a list")
        .replace("invalid type: map", "found a mapping")
        .replace("invalid type: boolean", "found a boolean")
        .replace("invalid type: null", "found null")
        .replace("unknown variant", "unknown value")
        .replace("missing field", "missing key")
        .replace("expected a sequence", "expected a list");
    let message = message
        .split(" at line ")
        .next()
        .unwrap_or(&message)
        .to_owned();
    let message = if dotted.is_empty() || dotted == "." {
        message
    } else {
        format!("`{dotted}`: {message}")
    };
    ConfigError::at(file, node.span.clone(), message)
}

// ---------------------------------------------------------------------------------------------
// Discovery and extends

/// The configuration file in `dir` or its nearest ancestor.
pub fn discover(dir: &Path) -> Option<PathBuf> {
    discover_with(dir, &mut HashMap::new())
}

/// [`discover`], remembering in `known` the answer for every folder on the way (absolute):
/// a walk asks for each of its folders, and the folders of a tree share their ancestors, so
/// each folder is looked into once (BENCHMARKS.md "Issue 18").
pub(crate) fn discover_with(
    dir: &Path,
    known: &mut HashMap<PathBuf, Option<PathBuf>>,
) -> Option<PathBuf> {
    let start = if dir.is_absolute() {
        dir.to_owned()
    } else {
        std::env::current_dir().ok()?.join(dir)
    };
    nearest(&normalize(&start), known)
}

fn nearest(dir: &Path, known: &mut HashMap<PathBuf, Option<PathBuf>>) -> Option<PathBuf> {
    if let Some(found) = known.get(dir) {
        return found.clone();
    }
    let found = FILE_NAMES
        .iter()
        .map(|name| dir.join(name))
        .find(|p| p.is_file())
        .or_else(|| nearest(dir.parent()?, known));
    known.insert(dir.to_owned(), found.clone());
    found
}

/// The most policies one configuration file may hold: each is checked against every mapping,
/// so their number multiplies the work and the findings of a file (a pull request's own
/// configuration must not make a `lint` of a large aws-auth take minutes).
const MAX_POLICIES: usize = 64;

/// The most files one `extends` chain may have: real chains have two or three, and each file
/// costs a read and a resolution.
const MAX_CHAIN: usize = 32;

/// Reads a configuration file and what it extends, and resolves them into settings; rule ids
/// are checked against the built-in rules `builtin` (e.g. `rules::RULES`).
pub fn load(path: &Path, builtin: &'static [&'static Rule]) -> Result<Settings, Vec<ConfigError>> {
    load_from(path, &FileSystem, builtin)
}

/// [`load`], every file of the `extends` chain read from `source`.
pub fn load_from(
    path: &Path,
    source: &dyn Source,
    builtin: &'static [&'static Rule],
) -> Result<Settings, Vec<ConfigError>> {
    // the file the chain starts from too: a `.awsauth.yaml` committed as a link to a file
    // outside the repository is not read
    if let Err(why) = source.confine(path, path) {
        return Err(vec![ConfigError {
            at: None,
            path: path.to_owned(),
            message: format!("cannot read: {why}"),
            help: Some(
                "a configuration file is a regular file of the repository (README \"Security model\")".into(),
            ),
        }]);
    }
    let mut layers = Vec::new();
    let mut seen: std::collections::HashSet<PathBuf> = std::collections::HashSet::new();
    let mut next = Some((path.to_owned(), None::<(Arc<SourceFile>, Span)>));
    while let Some((p, from)) = next.take() {
        let canonical = source.identity(&p);
        if let Some((file, span)) = &from
            && layers.len() >= MAX_CHAIN
        {
            return Err(vec![
                ConfigError::at(
                    file,
                    span.clone(),
                    format!("`extends` chain longer than {MAX_CHAIN} files"),
                )
                .help("extend a shared base directly instead of through a chain"),
            ]);
        }
        if seen.contains(&canonical) {
            let (file, span) = from.expect("a cycle has an edge");
            return Err(vec![
                ConfigError::at(
                    &file,
                    span,
                    format!("`extends` cycle: `{}` is already read", p.display()),
                )
                .help("remove one of the `extends` keys"),
            ]);
        }
        seen.insert(canonical);
        let layer = match parse_layer(&p, source) {
            Ok(l) => l,
            Err(mut errs) => {
                if let (Some((file, span)), true) = (&from, errs.iter().all(|e| e.at.is_none())) {
                    // the extended file cannot be read: say so where `extends` names it
                    for e in &mut errs {
                        let msg = format!("cannot extend `{}`: {}", p.display(), e.message);
                        *e = ConfigError::at(file, span.clone(), msg);
                    }
                }
                return Err(errs);
            }
        };
        if let Some(ext) = &layer.config.extends {
            let (node, _) = node_at(&layer.root, &[Step::Key("extends".into())]);
            let target = layer.dir.join(ext);
            if let Err(why) = source.confine(&target, path) {
                return Err(vec![
                    ConfigError::at(
                        &layer.file,
                        node.span.clone(),
                        format!("cannot extend `{}`: {why}", target.display()),
                    )
                    .help(
                        "`extends` names a configuration file of the same repository (README \"Security model\")",
                    ),
                ]);
            }
            next = Some((target, Some((Arc::clone(&layer.file), node.span.clone()))));
        }
        layers.push(layer);
    }
    resolve::resolve(&layers, builtin)
}

// ---------------------------------------------------------------------------------------------
// Selectors (resolution: `resolve.rs`)

const CATEGORIES: [(&str, Category); 4] = [
    ("correctness", Category::Correctness),
    ("security", Category::Security),
    ("hygiene", Category::Hygiene),
    ("policy", Category::Policy),
];

/// `did you mean` for an unknown id.
fn suggestion(id: &str, known: &[&str]) -> Option<String> {
    let best = known
        .iter()
        .map(|k| (strsim::levenshtein(id, k), *k))
        .min()?;
    if best.0 <= 3 {
        Some(format!("did you mean `{}`?", best.1))
    } else {
        Some("`awsauth rules` lists the rule ids; categories are correctness, security, hygiene, policy".into())
    }
}

impl Settings {
    /// Applies `--select` (replaces the configuration's `select` and `ignore`: the command line
    /// decides) and `--ignore` (added to `ignore`).
    pub fn apply_cli(&mut self, select: &[String], ignore: &[String]) -> Vec<String> {
        let ids = self.known_ids();
        let mut unknown = Vec::new();
        let mut parse = |text: &String| -> Selector {
            let text = text.trim();
            if text == "all" {
                Selector::All
            } else if let Some((_, c)) = CATEGORIES.iter().find(|(n, _)| *n == text) {
                Selector::Category(*c)
            } else {
                // a policy of another directory's configuration is known only there
                if !ids.contains(&text) {
                    unknown.push(text.to_owned());
                }
                Selector::Rule(text.to_owned())
            }
        };
        if !select.is_empty() {
            let list: Vec<Selector> = select.iter().map(&mut parse).collect();
            // the command line decides: a rule it names runs even if the file turned it off
            for s in &list {
                if let Selector::Rule(name) = s
                    && let Some(r) = self.rules.iter_mut().find(|(k, _)| **k == name.as_str())
                    && r.1.level == Some(Level::Off)
                {
                    r.1.level = None;
                }
            }
            self.select = Some(list);
            self.ignore.clear();
        }
        for i in ignore {
            let sel = parse(i);
            self.ignore.push(sel);
        }
        unknown
    }

    /// Whether `id` names a built-in rule, a category, `all`, or a policy of these settings.
    pub fn knows(&self, id: &str) -> bool {
        id == "all" || CATEGORIES.iter().any(|(n, _)| *n == id) || self.known_ids().contains(&id)
    }
}

/// What to say of a command-line selector no configuration knows: `did you mean` one of the
/// built-in rules `builtin` or a category. (The caller says it, the id escaped as it prints.)
pub fn selector_hint(id: &str, builtin: &[&Rule]) -> String {
    let mut known: Vec<&str> = builtin.iter().map(|r| r.name).collect();
    known.extend(CATEGORIES.iter().map(|(n, _)| *n));
    suggestion(id, &known).unwrap_or_default()
}

/// The commented starter configuration written by `awsauth init`.
pub const STARTER: &str = include_str!("starter.yaml");

/// Writes [`STARTER`] in the current directory (over an existing file only with `force`; never
/// through a link); the path written.
pub fn write_starter(force: bool) -> Result<&'static Path, String> {
    let path = Path::new(FILE_NAMES[0]);
    // a link (even a dangling one) is there too; writing refuses it, `--force` or not
    let there = std::fs::symlink_metadata(path).is_ok_and(|m| !m.file_type().is_symlink());
    if there && !force {
        return Err(format!(
            "`{}` already exists; use `--force` to overwrite it",
            path.display()
        ));
    }
    crate::write::write_file(path, STARTER.as_bytes())?;
    Ok(path)
}

/// The JSON Schema of the configuration file (`schema/awsauth.schema.json`).
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(ConfigFile);
    let mut s = serde_json::to_string_pretty(&schema).unwrap_or_default();
    s.push('\n');
    s
}

/// The JSON value serde reads from a configuration text (for validating examples against the
/// schema); `None` when the text is not valid YAML.
pub fn yaml_to_json(text: &str) -> Option<Value> {
    let file = SourceFile::new("config.yaml", text.to_owned());
    let root = crate::yaml::parse_first(&file.text).ok()??;
    let mut errors = Vec::new();
    let v = to_json(&root, &file, &mut errors);
    errors.is_empty().then_some(v)
}
