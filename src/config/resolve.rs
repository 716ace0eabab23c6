//! Resolution: the layers of a configuration (the leaf file and what it extends) merged into
//! [`Settings`], base first so each file overrides what it extends, every value checked and
//! every error reported at its position. One function per part of the file: the top-level
//! keys, `cluster`, `rules`, `policies`; selectors are checked once every layer is read, when
//! every policy id is known.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};

use super::file::{self, Level, MatchFile};
use super::{
    Allow, CATEGORIES, Cluster, ConfigError, Layer, MAX_POLICIES, Matcher, PerFileIgnore, Policy,
    Selector, Settings, Step, node_at, suggestion,
};
use crate::diagnostic::Severity;
use crate::registry::{Category, Rule};
use crate::source::{SourceFile, Span};

fn glob(pattern: &str, case_insensitive: bool) -> Result<Glob, String> {
    GlobBuilder::new(pattern)
        .case_insensitive(case_insensitive)
        .literal_separator(false)
        .build()
        .map_err(|e| e.kind().to_string())
}

struct Resolver<'a> {
    errors: Vec<ConfigError>,
    layer: &'a Layer,
}

impl Resolver<'_> {
    fn span(&self, path: &[Step]) -> Span {
        node_at(&self.layer.root, path).0.span.clone()
    }

    fn key_span(&self, path: &[Step]) -> Span {
        let (node, key) = node_at(&self.layer.root, path);
        key.unwrap_or(node).span.clone()
    }

    fn error(&mut self, span: Span, message: impl Into<String>, help: Option<String>) {
        let mut e = ConfigError::at(&self.layer.file, span, message);
        e.help = help;
        self.errors.push(e);
    }

    fn globs(&mut self, path: &[Step], patterns: &[String], lower: bool) -> Option<GlobSet> {
        let mut b = GlobSetBuilder::new();
        for (i, p) in patterns.iter().enumerate() {
            let text = if lower {
                p.to_ascii_lowercase()
            } else {
                p.clone()
            };
            match glob(&text, lower) {
                Ok(g) => {
                    b.add(g);
                }
                Err(e) => {
                    let mut at = path.to_vec();
                    at.push(Step::Index(i));
                    let span = self.span(&at);
                    self.error(span, format!("invalid glob `{p}`: {e}"), None);
                }
            }
        }
        b.build().ok()
    }

    fn matcher(&mut self, path: &[Step], m: &MatchFile) -> Matcher {
        let mut out = Matcher::default();
        let mut parts = Vec::new();
        let mut field = |r: &mut Self, name: &str, globs: &Option<Vec<String>>, lower: bool| {
            let g = globs.as_ref()?;
            let mut at = path.to_vec();
            at.push(Step::Key(name.into()));
            if g.is_empty() {
                let span = r.span(&at);
                r.error(
                    span,
                    format!("`{name}` is empty: it would match nothing"),
                    None,
                );
            }
            parts.push(format!("{name} matching {}", g.join(" or ")));
            r.globs(&at, g, lower)
        };
        out.arn = field(self, "arn", &m.arn, true);
        out.account = field(self, "account", &m.account, false);
        out.username = field(self, "username", &m.username, false);
        out.groups = field(self, "groups", &m.groups, false);
        if let Some(sections) = &m.section {
            let mut kinds = Vec::new();
            for (i, s) in sections.iter().enumerate() {
                if let Some(k) = crate::model::SectionKind::from_key(s) {
                    kinds.push(k);
                } else {
                    let mut at = path.to_vec();
                    at.extend([Step::Key("section".into()), Step::Index(i)]);
                    let span = self.span(&at);
                    self.error(
                        span,
                        format!("unknown section `{s}`"),
                        Some("sections are `mapRoles`, `mapUsers` and `mapAccounts`".into()),
                    );
                }
            }
            parts.push(format!("section {}", sections.join(" or ")));
            out.section = Some(kinds);
        }
        out.description = parts.join(" and ");
        out
    }

    /// Reads role ARNs of the cluster facts, each checked to be a role ARN.
    fn role_arns(&mut self, key: &str, arns: Option<&[String]>) -> Vec<String> {
        let mut out = Vec::new();
        for (i, a) in arns.unwrap_or_default().iter().enumerate() {
            let ok =
                crate::arn::Arn::parse(a).is_some_and(|p| p.service_is("iam") && p.type_is("role"));
            if ok {
                out.push(a.to_ascii_lowercase());
            } else {
                let span = self.span(&[
                    Step::Key("cluster".into()),
                    Step::Key(key.into()),
                    Step::Index(i),
                ]);
                self.error(
                    span,
                    format!("`{a}` is not an IAM role ARN"),
                    Some("write `arn:aws:iam::<account>:role/<name>`".into()),
                );
            }
        }
        out
    }
}

/// Selectors are resolved after the merge, when every policy id is known.
struct RawSelector {
    text: String,
    file: Arc<SourceFile>,
    span: Span,
}

fn raw_selectors(r: &Resolver<'_>, key: &str, list: Option<&[String]>) -> Option<Vec<RawSelector>> {
    Some(
        list?
            .iter()
            .enumerate()
            .map(|(i, text)| RawSelector {
                text: text.clone(),
                file: Arc::clone(&r.layer.file),
                span: r.span(&[Step::Key(key.into()), Step::Index(i)]),
            })
            .collect(),
    )
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// What the layers say that is checked once every layer is read (selectors name policies of
/// any layer), gathered base first.
#[derive(Default)]
struct Gathered {
    select: Option<Vec<RawSelector>>,
    ignore: Option<Vec<RawSelector>>,
    /// `per-file-ignores`: pattern → (the directory of its file, selectors, where).
    pfi: BTreeMap<String, (PathBuf, Vec<RawSelector>, Arc<SourceFile>, Span)>,
    /// `rules:` keys that are not built-in rules (policy ids, or unknown).
    rule_keys: Vec<(String, Arc<SourceFile>, Span, file::RuleFile)>,
    policies: Vec<Policy>,
}

/// The layers (the leaf first) resolved into settings, rule ids checked against `builtin`;
/// every error, at its position.
pub(super) fn resolve(
    layers: &[Layer],
    builtin: &'static [&'static Rule],
) -> Result<Settings, Vec<ConfigError>> {
    let mut settings = Settings {
        chain: layers.iter().map(|l| PathBuf::from(&l.file.name)).collect(),
        dir: layers.first().map(|l| l.dir.clone()),
        ..Settings::new(builtin)
    };
    let mut errors = Vec::new();
    let mut gathered = Gathered::default();
    // the base first, so each file overrides what it extends
    for layer in layers.iter().rev() {
        let mut r = Resolver {
            errors: Vec::new(),
            layer,
        };
        let c = &layer.config;
        top_level(&mut r, &mut settings, &mut gathered);
        if let Some(cl) = &c.cluster {
            cluster(&mut r, cl, &mut settings.cluster);
        }
        rules(&mut r, &mut settings, &mut gathered.rule_keys);
        policies(&mut r, &settings, &mut gathered.policies);
        errors.append(&mut r.errors);
    }
    settings.policies = std::mem::take(&mut gathered.policies);
    rule_keys(&mut settings, gathered.rule_keys, &mut errors);
    let ids = settings.known_ids();
    settings.select = gathered.select.map(|s| selectors(s, &ids, &mut errors));
    settings.ignore = gathered
        .ignore
        .map(|s| selectors(s, &ids, &mut errors))
        .unwrap_or_default();
    for (pattern, (base, sels, file, span)) in gathered.pfi {
        let selectors = selectors(sels, &ids, &mut errors);
        match per_file_ignore(base, pattern, selectors) {
            Ok(p) => settings.per_file_ignores.push(p),
            Err((pattern, e)) => errors.push(ConfigError::at(
                &file,
                span,
                format!("invalid glob `{pattern}`: {e}"),
            )),
        }
    }
    if errors.is_empty() {
        Ok(settings)
    } else {
        errors.sort_by_key(|e| e.at.as_ref().map(|(f, s)| (f.name.clone(), s.start)));
        Err(errors)
    }
}

/// The top-level keys of a layer: `fail-on`, `include`, `exclude` (their globs checked),
/// `select`, `ignore` and `per-file-ignores` (gathered).
fn top_level(r: &mut Resolver<'_>, settings: &mut Settings, gathered: &mut Gathered) {
    let layer = r.layer;
    let c = &layer.config;
    if let Some(v) = c.fail_on {
        settings.fail_on = Some(v);
    }
    if let Some(v) = &c.include {
        settings.include = Some(v.clone());
    }
    if let Some(v) = &c.exclude {
        settings.exclude = Some(v.clone());
    }
    // the globs are checked here, each error at its position; discovery builds the matcher
    for (key, list) in [("include", &c.include), ("exclude", &c.exclude)] {
        r.globs(
            &[Step::Key(key.into())],
            list.as_deref().unwrap_or(&[]),
            false,
        );
    }
    if let Some(s) = raw_selectors(r, "select", c.select.as_deref()) {
        gathered.select = Some(s);
    }
    if let Some(s) = raw_selectors(r, "ignore", c.ignore.as_deref()) {
        gathered.ignore = Some(s);
    }
    for (pattern, list) in c.per_file_ignores.iter().flatten() {
        let at = [
            Step::Key("per-file-ignores".into()),
            Step::Key(pattern.clone()),
        ];
        let sels = list
            .iter()
            .enumerate()
            .map(|(i, text)| {
                let mut p = at.to_vec();
                p.push(Step::Index(i));
                RawSelector {
                    text: text.clone(),
                    file: Arc::clone(&layer.file),
                    span: r.span(&p),
                }
            })
            .collect();
        gathered.pfi.insert(
            pattern.clone(),
            (
                layer.dir.clone(),
                sels,
                Arc::clone(&layer.file),
                r.key_span(&at),
            ),
        );
    }
}

/// `cluster:` of a layer, over what the layers below set.
fn cluster(r: &mut Resolver<'_>, cl: &file::ClusterFile, cluster: &mut Cluster) {
    if let Some(name) = &cl.name {
        cluster.name = Some(name.clone());
    }
    if let Some(ids) = &cl.account_ids {
        cluster.account_ids.clear();
        for (i, id) in ids.iter().enumerate() {
            if id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) {
                cluster.account_ids.push(id.clone());
            } else {
                let span = r.span(&[
                    Step::Key("cluster".into()),
                    Step::Key("account-ids".into()),
                    Step::Index(i),
                ]);
                r.error(
                    span,
                    format!("`{id}` is not a 12-digit account id"),
                    Some("quote account ids so leading zeros are kept: `\"012345678901\"`".into()),
                );
            }
        }
    }
    if let Some(p) = &cl.partition {
        if crate::arn::PARTITIONS.contains(&p.as_str()) {
            cluster.partition = Some(p.clone());
        } else {
            let span = r.span(&[Step::Key("cluster".into()), Step::Key("partition".into())]);
            r.error(
                span,
                format!("unknown partition `{p}`"),
                Some(format!(
                    "partitions are {}",
                    crate::arn::PARTITIONS.join(", ")
                )),
            );
        }
    }
    if cl.node_roles.is_some() {
        cluster.node_roles = r.role_arns("node-roles", cl.node_roles.as_deref());
    }
    if cl.windows_node_roles.is_some() {
        cluster.windows_node_roles =
            r.role_arns("windows-node-roles", cl.windows_node_roles.as_deref());
    }
    if cl.fargate_roles.is_some() {
        cluster.fargate_roles = r.role_arns("fargate-roles", cl.fargate_roles.as_deref());
    }
    if let Some(g) = &cl.break_glass_roles {
        let at = [
            Step::Key("cluster".into()),
            Step::Key("break-glass-roles".into()),
        ];
        cluster.break_glass_roles = r.globs(&at, g, true);
        cluster.break_glass_patterns.clone_from(g);
    }
    if let Some(p) = cl.authenticator {
        cluster.profile = p;
    }
}

/// `rules:` of a layer: severities and allow lists of built-in rules; the other keys are
/// gathered in `rule_keys` (policies are known once every layer is read).
fn rules(
    r: &mut Resolver<'_>,
    settings: &mut Settings,
    rule_keys: &mut Vec<(String, Arc<SourceFile>, Span, file::RuleFile)>,
) {
    let layer = r.layer;
    for (id, rc) in layer.config.rules.iter().flatten() {
        let at = [Step::Key("rules".into()), Step::Key(id.clone())];
        let key_span = r.key_span(&at);
        let Some(rule) = settings.builtin_rule(id) else {
            rule_keys.push((id.clone(), Arc::clone(&layer.file), key_span, rc.clone()));
            continue;
        };
        let entry = settings.rules.entry(rule.name).or_default();
        if let Some(l) = rc.severity {
            entry.level = Some(l);
        }
        if let Some(allow) = &rc.allow {
            if rule.category != Category::Security {
                let span = r.key_span(&[
                    Step::Key("rules".into()),
                    Step::Key(id.clone()),
                    Step::Key("allow".into()),
                ]);
                r.error(
                    span,
                    format!("`{id}` is a {} rule and takes no allow list", rule.category.as_str()),
                    Some("allow lists belong to security rules; use `per-file-ignores` or a suppression comment".into()),
                );
                continue;
            }
            entry.allow = allow_list(r, &at, allow);
        }
    }
}

/// The allow list of a security rule at `at`.
fn allow_list(r: &mut Resolver<'_>, at: &[Step], allow: &[file::AllowFile]) -> Vec<Allow> {
    let mut list = Vec::new();
    for (i, a) in allow.iter().enumerate() {
        let mut p = at.to_vec();
        p.extend([Step::Key("allow".into()), Step::Index(i)]);
        let span = r.span(&p);
        if a.reason.trim().is_empty() {
            let mut rp = p.clone();
            rp.push(Step::Key("reason".into()));
            let rs = r.span(&rp);
            r.error(
                rs,
                "an allow entry needs a reason",
                Some("say why this principal may have it".into()),
            );
        }
        match glob(&a.arn.to_ascii_lowercase(), true) {
            Ok(g) => list.push(Allow {
                pattern: a.arn.clone(),
                matcher: g.compile_matcher(),
                reason: a.reason.clone(),
                file: Arc::clone(&r.layer.file),
                span,
                hits: std::sync::atomic::AtomicUsize::new(0),
            }),
            Err(e) => {
                let mut ap = p.clone();
                ap.push(Step::Key("arn".into()));
                let s = r.span(&ap);
                r.error(s, format!("invalid glob `{}`: {e}", a.arn), None);
            }
        }
    }
    list
}

/// `policies:` of a layer, each over a policy of the same id below.
fn policies(r: &mut Resolver<'_>, settings: &Settings, policies: &mut Vec<Policy>) {
    let c = &r.layer.config;
    let too_many = c.policies.as_ref().is_some_and(|p| p.len() > MAX_POLICIES);
    if too_many {
        let span = r.key_span(&[Step::Key("policies".into())]);
        r.error(
            span,
            format!("more than {MAX_POLICIES} policies"),
            Some(
                "each policy is checked against every mapping: merge policies that share a `when`"
                    .into(),
            ),
        );
    }
    let mut ids_here: HashMap<&str, usize> = HashMap::new();
    // (none is read from a file that has too many)
    let read = if too_many { 0 } else { usize::MAX };
    for (i, p) in c.policies.iter().flatten().take(read).enumerate() {
        if let Some(first) = ids_here.insert(p.id.as_str(), i) {
            let span = r.span(&[
                Step::Key("policies".into()),
                Step::Index(i),
                Step::Key("id".into()),
            ]);
            r.error(
                span,
                format!("policy id `{}` is used twice", p.id),
                Some(format!(
                    "the first is policies[{first}]; give each policy its own id"
                )),
            );
            continue;
        }
        if let Some(policy) = policy(r, settings, i, p) {
            policies.retain(|q| q.rule.name != p.id);
            policies.push(policy);
        }
    }
}

/// The policy `policies[i]` of a layer; `None` (with an error) when it is invalid.
fn policy(
    r: &mut Resolver<'_>,
    settings: &Settings,
    i: usize,
    p: &file::PolicyFile,
) -> Option<Policy> {
    let at = [Step::Key("policies".into()), Step::Index(i)];
    let id_span = r.span(&[at[0].clone(), at[1].clone(), Step::Key("id".into())]);
    let kebab = !p.id.is_empty()
        && p.id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !p.id.starts_with('-');
    if !kebab {
        r.error(
            id_span,
            format!("policy id `{}` is not kebab-case", p.id),
            Some("use lowercase letters, digits and `-`, e.g. `platform-only-admins`".into()),
        );
        return None;
    }
    if settings.builtin_rule(&p.id).is_some()
        || CATEGORIES.iter().any(|(c, _)| *c == p.id)
        || p.id == "all"
    {
        r.error(
            id_span,
            format!("policy id `{}` is already a rule or category id", p.id),
            Some("choose another id".into()),
        );
        return None;
    }
    if p.require.is_none() && p.forbid.is_none() {
        let span = r.span(&at);
        r.error(span, format!("policy `{}` has neither `require` nor `forbid`", p.id), Some("add `require:` (what matching mappings must satisfy) or `forbid:` (what they must not)".into()));
        return None;
    }
    let when = match &p.when {
        Some(m) => r.matcher(&[at[0].clone(), at[1].clone(), Step::Key("when".into())], m),
        None => Matcher::default(),
    };
    let require = p.require.as_ref().map(|m| {
        r.matcher(
            &[at[0].clone(), at[1].clone(), Step::Key("require".into())],
            m,
        )
    });
    let forbid = p.forbid.as_ref().map(|m| {
        r.matcher(
            &[at[0].clone(), at[1].clone(), Step::Key("forbid".into())],
            m,
        )
    });
    let rule = policy_rule(
        r.layer,
        p,
        id_span,
        &when,
        require.as_ref(),
        forbid.as_ref(),
    );
    Some(Policy {
        rule,
        message: p.message.clone(),
        when,
        require,
        forbid,
    })
}

/// The rule metadata of a policy (leaked: a configuration is read once per run), declared at
/// `id_span`; its summary is the policy's `message`, else what it requires and forbids.
fn policy_rule(
    layer: &Layer,
    p: &file::PolicyFile,
    id_span: Span,
    when: &Matcher,
    require: Option<&Matcher>,
    forbid: Option<&Matcher>,
) -> &'static Rule {
    let severity = match p.severity {
        Some(Level::Warning) => Severity::Warning,
        Some(Level::Info) => Severity::Info,
        _ => Severity::Error,
    };
    let summary = p.message.clone().unwrap_or_else(|| {
        let mut parts = Vec::new();
        if let Some(m) = require {
            parts.push(format!("require {}", m.description));
        }
        if let Some(m) = forbid {
            parts.push(format!("forbid {}", m.description));
        }
        let scope = if when.description.is_empty() {
            "every mapping".to_owned()
        } else {
            format!("mappings with {}", when.description)
        };
        format!("{scope}: {}", parts.join("; "))
    });
    let lc = layer.file.line_col(id_span.start);
    Box::leak(Box::new(Rule {
        name: leak(p.id.clone()),
        category: Category::Policy,
        severity,
        summary: leak(summary.clone()),
        explanation: leak(format!(
            " An organisation policy declared in `{}`.\n\n {summary}\n",
            layer.file.name
        )),
        location: leak(format!("{}#L{}", layer.file.name, lc.line)),
        enabled: p.severity != Some(Level::Off),
    }))
}

/// Rule ids under `rules:` that are not built-in rules: a policy's severity, else an error.
fn rule_keys(
    settings: &mut Settings,
    keys: Vec<(String, Arc<SourceFile>, Span, file::RuleFile)>,
    errors: &mut Vec<ConfigError>,
) {
    for (id, file, span, rc) in keys {
        // `rules.<policy-id>`: a policy's severity can be set like a rule's
        if let Some(p) = settings.policies.iter().find(|p| p.rule.name == id) {
            if rc.allow.is_some() {
                errors.push(
                    ConfigError::at(&file, span, format!("policy `{id}` takes no allow list"))
                        .help("narrow the policy's `when` instead"),
                );
            } else if let Some(level) = rc.severity {
                settings.rules.entry(p.rule.name).or_default().level = Some(level);
            }
            continue;
        }
        let mut e = ConfigError::at(&file, span, format!("unknown rule `{id}` in `rules`"));
        e.help = suggestion(&id, &settings.known_ids());
        errors.push(e);
    }
}

/// Selectors, checked against the rule and policy ids `ids`.
fn selectors(list: Vec<RawSelector>, ids: &[&str], errors: &mut Vec<ConfigError>) -> Vec<Selector> {
    let mut out = Vec::new();
    for s in list {
        if s.text == "all" {
            out.push(Selector::All);
        } else if let Some((_, c)) = CATEGORIES.iter().find(|(n, _)| *n == s.text) {
            out.push(Selector::Category(*c));
        } else if ids.contains(&s.text.as_str()) {
            out.push(Selector::Rule(s.text));
        } else {
            let mut e = ConfigError::at(
                &s.file,
                s.span,
                format!("unknown rule or category `{}`", s.text),
            );
            let mut known: Vec<&str> = ids.to_vec();
            known.extend(CATEGORIES.iter().map(|(n, _)| *n));
            e.help = suggestion(&s.text, &known);
            errors.push(e);
        }
    }
    out
}

/// A `per-file-ignores` entry: a pattern without `/` matches a file name anywhere below
/// `base`; the pattern and why when it is not a valid glob.
fn per_file_ignore(
    base: PathBuf,
    pattern: String,
    selectors: Vec<Selector>,
) -> Result<PerFileIgnore, (String, String)> {
    let anchored = if pattern.contains('/') {
        pattern.trim_start_matches("./").to_owned()
    } else {
        format!("**/{pattern}")
    };
    match glob(&anchored, false).and_then(|g| {
        GlobSetBuilder::new()
            .add(g)
            .build()
            .map_err(|e| e.to_string())
    }) {
        Ok(matcher) => Ok(PerFileIgnore {
            base,
            pattern,
            matcher,
            selectors,
        }),
        Err(e) => Err((pattern, e)),
    }
}
