//! The command line: argument parsing, running a command, exit codes (0 clean, 1 findings,
//! 2 usage, I/O or internal error).

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use rayon::prelude::*;

use crate::config::file::FailOn;
use crate::config::{self, ConfigError, Settings};
use crate::diagnostic::{Diagnostic, Severity};
use crate::discover::{InputError, WalkOptions, collect_inputs, read_input};
use crate::guard;
use crate::load::{FileLoad, load_file};
use crate::model::AwsAuth;
use crate::render::{self, Summary, escape};
use crate::rules;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Lint and inspect the Amazon EKS aws-auth ConfigMap where it lives: in Git.
#[derive(Debug, Parser)]
#[command(name = "awsauth", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Find aws-auth mappings and report mistakes and risks.
    Lint(LintArgs),
    /// Show who gets which Kubernetes identity, as the authenticator will load it.
    Inspect(InspectArgs),
    /// List the rules.
    Rules(RulesArgs),
    /// Explain a rule.
    Explain {
        /// The rule id, e.g. `section-parse-error`.
        rule: String,
    },
    /// Compare the aws-auth mappings of two revisions by principal, classified by risk.
    Diff(DiffArgs),
    /// Write a commented starter `.awsauth.yaml` in the current directory.
    Init {
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Print the JSON Schema of the configuration file.
    Schema,
}

#[derive(Debug, Args)]
#[command(
    after_help = "BASE defaults to the merge base of HEAD with origin/HEAD (else origin/main, \
origin/master, main, master); HEAD defaults to the working tree. Exit 1 when a change of a \
--fail-on class is found, 2 on errors."
)]
struct DiffArgs {
    /// Revisions: `[BASE [HEAD]]`; with `--no-index`, two files (`-` for standard input).
    #[arg(value_name = "REV")]
    revs: Vec<String>,
    /// Only these paths (after `--`).
    #[arg(last = true, value_name = "PATH")]
    paths: Vec<String>,
    /// Compare HEAD (or BASE) with the staged contents: what `git commit` would record.
    #[arg(long, conflicts_with = "no_index")]
    staged: bool,
    /// Compare two files instead of revisions.
    #[arg(long)]
    no_index: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    format: DiffFormat,
    /// When to use colours in the human format (`auto` honours NO_COLOR and colours only a
    /// terminal).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Exit 1 when a change of these classes is found (comma-separated).
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "escalation,lockout"
    )]
    fail_on: Vec<DiffFailOn>,
    /// Larger files (on either side) are not read and are listed as not compared: bytes, or
    /// with a unit (`k`, `m`, `g`: 1000; `KiB`, `MiB`, `GiB`: 1024).
    #[arg(long, value_name = "SIZE", default_value = "16MiB", value_parser = crate::discover::parse_size)]
    max_file_size: u64,
    #[command(flatten)]
    config: ConfigArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum DiffFormat {
    /// Grouped by risk, with the changed lines.
    Human,
    /// A pull-request comment.
    Markdown,
    /// The JSON contract (version 1).
    Json,
    /// GitHub Actions annotations.
    Github,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DiffFailOn {
    /// More power for someone.
    Escalation,
    /// Nodes or people lose access.
    Lockout,
    /// Any other change of who gets what.
    AccessChange,
    /// Any semantic change.
    Any,
    /// Never exit 1 for changes.
    Never,
}

#[derive(Debug, Default, Args)]
struct ConfigArgs {
    /// Use this configuration file for every input (instead of the nearest `.awsauth.yaml`).
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    config: Option<std::path::PathBuf>,
    /// Ignore configuration files: built-in defaults only.
    #[arg(long)]
    no_config: bool,
}

#[derive(Debug, Clone, Args)]
struct InputArgs {
    /// Files or directories to read (`-` for standard input). Default: the current directory,
    /// or standard input with `--stdin-filename`.
    paths: Vec<String>,
    /// Only walk files matching this glob (repeatable; default `*.yaml`, `*.yml`, `*.json`).
    #[arg(long, value_name = "GLOB")]
    include: Vec<String>,
    /// Skip files and directories matching this glob (repeatable).
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,
    /// Read standard input under this name (its configuration is found from the name's
    /// folder); without `-` among the paths, the paths are not read.
    #[arg(long, value_name = "NAME")]
    stdin_filename: Option<String>,
    /// Larger files are not read (each is reported, and the run exits 2): bytes, or with a unit
    /// (`k`, `m`, `g`: 1000; `KiB`, `MiB`, `GiB`: 1024). An aws-auth ConfigMap holds at most
    /// about 1 MiB.
    #[arg(long, value_name = "SIZE", default_value = "16MiB", value_parser = crate::discover::parse_size)]
    max_file_size: u64,
}

impl InputArgs {
    /// The inputs as read: `--stdin-filename` reads standard input (as ruff does); without `-`
    /// among the paths, the paths named are not read, and each is said on standard error.
    fn resolved(&self) -> Self {
        let mut me = self.clone();
        if self.stdin_filename.is_some() && !self.paths.iter().any(|p| p == "-") {
            for p in &self.paths {
                say(&format!(
                    "warning: `{}` is not read: `--stdin-filename` reads standard input\n  help: add `-` to the paths to read both",
                    escape::text(p)
                ));
            }
            me.paths = vec!["-".to_owned()];
        }
        me
    }
}

#[derive(Debug, Args)]
struct LintArgs {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    config: ConfigArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = LintFormat::Human)]
    format: LintFormat,
    /// Exit 1 when a finding is at or above this severity [default: the configuration's
    /// `fail-on`, else warning].
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
    /// Run only these rules, categories or policies (comma-separated; replaces `select`).
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    select: Vec<String>,
    /// Do not run these rules, categories or policies (comma-separated; added to `ignore`).
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    ignore: Vec<String>,
    /// Report only findings that are not recorded in this baseline file.
    #[arg(long, value_name = "FILE", conflicts_with = "write_baseline")]
    baseline: Option<std::path::PathBuf>,
    /// Record the current findings in this baseline file and exit 0.
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<std::path::PathBuf>,
    /// Report only findings that are not present at the base revision (same fingerprints as
    /// baselines): gate a pull request on what it adds.
    #[arg(long, conflicts_with = "write_baseline")]
    new_only: bool,
    /// With `--new-only`: the base revision [default: the merge base with origin/HEAD, else
    /// origin/main, origin/master, main, master].
    #[arg(long, value_name = "REV", requires = "new_only")]
    base: Option<String>,
    /// When to use colours (`auto` honours NO_COLOR and colours only a terminal).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
}

#[derive(Debug, Args)]
struct InspectArgs {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    config: ConfigArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = InspectFormat::Table)]
    format: InspectFormat,
}

#[derive(Debug, Args)]
struct RulesArgs {
    #[command(flatten)]
    config: ConfigArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
    format: RulesFormat,
    /// With `--format markdown`: write `README.md` and one page per rule into this directory.
    #[arg(long, value_name = "DIR")]
    out: Option<std::path::PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LintFormat {
    /// Source-annotated diagnostics.
    Human,
    /// One line per finding: `path:line:col: severity[rule] message`.
    Concise,
    /// The JSON contract (version 1).
    Json,
    /// GitHub Actions annotations.
    Github,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum InspectFormat {
    /// A table per aws-auth source.
    Table,
    /// The JSON contract (version 1).
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum RulesFormat {
    /// One line per rule.
    Text,
    /// A Markdown table.
    Markdown,
    /// JSON.
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// What is written to standard output, for the last line of defence against text from the
/// inputs (values have been escaped where they were rendered; see `render::escape`).
#[derive(Clone, Copy)]
enum Out {
    /// Text: every control character but the line breaks escaped, no line read as a workflow
    /// command.
    Text,
    /// A JSON document (escaped by the renderers, `render::escape::json`).
    Json,
    /// `--format github`: awsauth's own workflow commands, one a line, their values escaped.
    Annotations,
}

/// Whether the reader of standard output has gone (`awsauth lint | head -1`).
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// The result of a write to standard output: a closed pipe (`awsauth lint | head`) is not an
/// error: the rest of the output is dropped and the exit code is still the run's (1 with
/// findings: `set -o pipefail` sees them); any other write error is an I/O error (exit 2).
fn written(result: std::io::Result<()>) -> Result<()> {
    match result {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            STDOUT_CLOSED.store(true, Ordering::Relaxed);
            Ok(())
        }
        r => r.context("cannot write to standard output"),
    }
}

/// Writes to stdout (see [`Out`] and [`written`]).
fn emit(text: &str, kind: Out) -> Result<()> {
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return Ok(());
    }
    let text = match kind {
        Out::Text => escape::lines(text, false),
        // (each JSON renderer escapes its document: `escape::json`)
        Out::Json | Out::Annotations => std::borrow::Cow::Borrowed(text),
    };
    let mut out = std::io::stdout().lock();
    written(out.write_all(text.as_bytes()).and_then(|()| out.flush()))
}

/// Writes styled text to stdout, keeping or stripping the colours per `--color` (see
/// [`emit`]; awsauth's colour sequences are the only ones kept).
fn emit_styled(text: &str, color: ColorChoice) -> Result<()> {
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return Ok(());
    }
    let choice = match color {
        ColorChoice::Auto => anstream::ColorChoice::Auto,
        ColorChoice::Always => anstream::ColorChoice::Always,
        ColorChoice::Never => anstream::ColorChoice::Never,
    };
    let text = escape::lines(text, true);
    let mut out = anstream::AutoStream::new(std::io::stdout().lock(), choice);
    written(out.write_all(text.as_bytes()).and_then(|()| out.flush()))
}

/// A message on standard error (see [`render::say`]).
fn say(text: &str) {
    render::say(text, false);
}

fn report_input_errors(errors: &[InputError]) {
    for e in errors {
        // a message may have its own help line: its lines are escaped one by one
        let message: Vec<_> = e.message.split('\n').map(escape::text).collect();
        say(&format!(
            "error: {}: {}",
            escape::name(&e.name),
            message.join("\n")
        ));
    }
}

/// A file whose processing panicked (caught: the other files are still processed; exit 2).
struct Crash {
    /// The file, as shown.
    name: String,
    /// What panicked.
    panic: guard::Panic,
}

fn report_crashes(crashes: &[Crash]) {
    for c in crashes {
        say(&format!(
            "error: internal error while processing `{}`: {}\n  help: {}",
            escape::name(&c.name),
            escape::text(&c.panic.message),
            guard::REPORT
        ));
    }
}

/// Prints configuration errors (rendered like findings) to standard error.
fn report_config_errors(errors: &[ConfigError]) {
    let styled = anstream::stderr().current_choice() != anstream::ColorChoice::Never;
    for e in errors {
        match e.diagnostic() {
            Some(d) => render::say(&render::human::render_one(&d, styled), styled),
            None => say(&format!("error[config]: {}", escape::text(&e.concise()))),
        }
    }
}

/// Errors of the configuration at the base commit of a diff (shown as warnings: the diff goes
/// on with the default configuration for the base).
fn report_base_config_errors(errors: &[ConfigError], leaf: &str, judged: &str) {
    let styled = anstream::stderr().current_choice() != anstream::ColorChoice::Never;
    for e in errors {
        match e.diagnostic() {
            Some(d) => render::say(
                &render::human::render_one(&d.severity(Severity::Warning), styled),
                styled,
            ),
            None => say(&format!("warning[config]: {}", escape::text(&e.concise()))),
        }
    }
    say(&format!(
        "warning: the configuration at the base commit (`{}`) cannot be used: {judged} with the default configuration\n  help: the errors above are at the base commit; if this change fixes them, nothing more is needed",
        escape::text(leaf)
    ));
}

/// Configuration errors stop the run with exit 2 (after every error is shown).
#[derive(Debug)]
struct ConfigFailure;

impl std::fmt::Display for ConfigFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("invalid configuration")
    }
}

impl std::error::Error for ConfigFailure {}

/// `lint --new-only`: the configuration files as they are at the base commit (a pull request
/// cannot relax its own check, as with `diff`).
struct AtBaseCommit {
    cwd: PathBuf,
    commit: String,
    tree: crate::diff::base::Tree,
    /// The configuration files read (`<commit>:<path>`), for the note on standard error.
    read: Vec<String>,
}

/// Settings for each input: `--no-config`, `--config FILE`, or the nearest configuration file
/// of each input's directory (at the base commit with `lint --new-only`); CLI `--select` /
/// `--ignore` applied on top.
struct Configs {
    fixed: Option<Arc<Settings>>,
    at_base: Option<AtBaseCommit>,
    by_dir: HashMap<PathBuf, Arc<Settings>>,
    by_file: HashMap<PathBuf, Arc<Settings>>,
    select: Vec<String>,
    ignore: Vec<String>,
    /// Command-line selectors not known to some configuration (checked once all are read).
    unknown: Vec<String>,
}

impl Configs {
    fn new(args: &ConfigArgs, select: &[String], ignore: &[String]) -> Result<Self> {
        let mut me = Self {
            fixed: None,
            at_base: None,
            by_dir: HashMap::new(),
            by_file: HashMap::new(),
            select: select.to_vec(),
            ignore: ignore.to_vec(),
            unknown: Vec::new(),
        };
        if args.no_config {
            me.fixed = Some(me.finish(Settings::new(rules::RULES))?);
        } else if let Some(path) = &args.config {
            let settings = config::load(path, rules::RULES).map_err(|e| {
                report_config_errors(&e);
                ConfigFailure
            })?;
            me.fixed = Some(me.finish(settings)?);
        }
        Ok(me)
    }

    /// [`Configs::new`], every configuration file read as it is at `commit` of `repo`.
    fn at_commit(
        args: &ConfigArgs,
        select: &[String],
        ignore: &[String],
        repo: &crate::git::Repo,
        commit: &str,
    ) -> Result<Self> {
        if args.no_config {
            return Self::new(args, select, ignore);
        }
        let mut me = Self::new(&ConfigArgs::default(), select, ignore)?;
        me.at_base = Some(AtBaseCommit {
            cwd: std::env::current_dir().context("no current directory")?,
            commit: commit.to_owned(),
            tree: crate::diff::base::Tree::new(repo, commit)?,
            read: Vec::new(),
        });
        if let Some(path) = &args.config {
            let s = me.load_at_base(crate::diff::base::Leaf::File(path))?;
            me.fixed = Some(s);
        }
        Ok(me)
    }

    /// The settings of a configuration file as it is at the base commit; the defaults (with a
    /// warning) when it has errors there.
    fn load_at_base(&mut self, leaf: crate::diff::base::Leaf<'_>) -> Result<Arc<Settings>> {
        let b = self.at_base.as_mut().expect("reading at the base commit");
        let at =
            crate::diff::base::load(&b.cwd, &b.commit, leaf, rules::RULES)?.unwrap_or_default();
        for note in &at.notes {
            say(&format!("note: {}", escape::text(note)));
        }
        let name = at.leaf.clone().unwrap_or_else(|| "?".to_owned());
        let settings = if at.errors.is_empty() {
            at.settings
        } else {
            report_base_config_errors(&at.errors, &name, "findings are judged");
            Settings::new(rules::RULES)
        };
        b.read.push(name);
        self.finish(settings)
    }

    fn finish(&mut self, mut settings: Settings) -> Result<Arc<Settings>> {
        let unknown = settings.apply_cli(&self.select, &self.ignore);
        self.unknown.extend(unknown);
        Ok(Arc::new(settings))
    }

    /// Command-line selectors that no configuration of the run knows are usage errors.
    fn check_selectors(&self) -> Result<()> {
        let all = self.all();
        for id in &self.unknown {
            if !all.iter().any(|s| s.knows(id)) {
                anyhow::bail!(
                    "unknown rule or category `{}`; {}",
                    escape::text(id),
                    config::selector_hint(id, rules::RULES)
                );
            }
        }
        Ok(())
    }

    /// The settings that apply to files in `dir`.
    fn for_dir(&mut self, dir: &Path) -> Result<Arc<Settings>> {
        if let Some(s) = &self.fixed {
            return Ok(Arc::clone(s));
        }
        if let Some(s) = self.by_dir.get(dir) {
            return Ok(Arc::clone(s));
        }
        if let Some(b) = &self.at_base {
            let found = b.tree.leaf_for(dir);
            let key = found.clone().unwrap_or_default();
            let settings = match (self.by_file.get(&key), found) {
                (Some(s), _) => Arc::clone(s),
                (None, Some(leaf)) => self.load_at_base(crate::diff::base::Leaf::File(&leaf))?,
                (None, None) => self.finish(Settings::new(rules::RULES))?,
            };
            self.by_file.insert(key, Arc::clone(&settings));
            self.by_dir.insert(dir.to_owned(), Arc::clone(&settings));
            return Ok(settings);
        }
        let found = config::discover(dir);
        let settings = match &found {
            Some(path) if self.by_file.contains_key(path) => Arc::clone(&self.by_file[path]),
            Some(path) => {
                let s = config::load(path, rules::RULES).map_err(|e| {
                    report_config_errors(&e);
                    ConfigFailure
                })?;
                let s = self.finish(s)?;
                self.by_file.insert(path.clone(), Arc::clone(&s));
                s
            }
            None => {
                let key = PathBuf::new();
                if let Some(s) = self.by_file.get(&key) {
                    Arc::clone(s)
                } else {
                    let s = self.finish(Settings::new(rules::RULES))?;
                    self.by_file.insert(key, Arc::clone(&s));
                    s
                }
            }
        };
        self.by_dir.insert(dir.to_owned(), Arc::clone(&settings));
        Ok(settings)
    }

    /// The settings of the run as a whole (`include`, `exclude`, `fail-on`): `--config`, else
    /// the current directory's configuration, else the first path's.
    fn global(&mut self, paths: &[String]) -> Result<Arc<Settings>> {
        let here = self.for_dir(Path::new("."))?;
        if !here.chain.is_empty() || self.fixed.is_some() {
            return Ok(here);
        }
        match paths.iter().find(|p| *p != "-") {
            Some(p) => {
                let p = Path::new(p);
                let dir = if p.is_dir() {
                    p
                } else {
                    p.parent().unwrap_or(Path::new("."))
                };
                self.for_dir(dir)
            }
            None => Ok(here),
        }
    }

    /// Every distinct settings object handed out.
    fn all(&self) -> Vec<Arc<Settings>> {
        let mut out: Vec<Arc<Settings>> = self.fixed.iter().cloned().collect();
        out.extend(self.by_file.values().cloned());
        out
    }
}

/// The directory whose configuration applies to an input.
fn input_dir(input: &crate::discover::Input, stdin_filename: Option<&str>) -> PathBuf {
    let path = match input {
        crate::discover::Input::Path { path, .. } => path.clone(),
        crate::discover::Input::Stdin { .. } => PathBuf::from(stdin_filename.unwrap_or("-")),
    };
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    }
}

/// One input, loaded, with the settings and path that apply to it.
struct Loaded {
    load: FileLoad,
    settings: Arc<Settings>,
    path: Option<PathBuf>,
    /// Read from standard input.
    stdin: bool,
}

/// What [`load_all`] read: the loaded inputs, the inputs that could not be read, those whose
/// loading panicked, and the include globs of the walk.
struct Read {
    loads: Vec<Loaded>,
    errors: Vec<InputError>,
    crashes: Vec<Crash>,
    include: Vec<String>,
}

/// Says on standard error when a run read nothing (no file matched, empty standard input): a
/// clean result would otherwise hide a wrong path, glob or pipe. `verb`: `linted`, `inspected`.
fn warn_if_nothing_read(verb: &str, args: &InputArgs, read: &Read) {
    for l in read.loads.iter().filter(|l| l.stdin) {
        if l.load.file.text.trim().is_empty() {
            say(&format!(
                "warning: standard input is empty: nothing was {verb}\n  help: check the command that writes to it (e.g. `helm template . | awsauth lint -`)"
            ));
        }
    }
    if read.loads.is_empty() && read.errors.is_empty() && read.crashes.is_empty() {
        let paths = if args.paths.is_empty() {
            "`.`".to_owned()
        } else {
            args.paths
                .iter()
                .map(|p| format!("`{}`", escape::text(p)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let globs = read
            .include
            .iter()
            .map(|g| format!("`{}`", escape::text(g)))
            .collect::<Vec<_>>()
            .join(", ");
        say(&format!(
            "warning: nothing was {verb}: no file under {paths} matches {globs}\n  help: name the files, or choose which are read with `--include GLOB` (`--exclude` and the configuration's `exclude` leave files out)"
        ));
    }
}

/// Reads and loads every input in parallel; results come back sorted by file name.
fn load_all(args: &InputArgs, configs: &mut Configs, tracked: &[PathBuf]) -> Result<Read> {
    let global = configs.global(&args.paths)?;
    let mut opts = WalkOptions::default();
    if !args.include.is_empty() {
        opts.include.clone_from(&args.include);
    } else if let Some(i) = &global.include {
        opts.include.clone_from(i);
    }
    opts.exclude.clone_from(&args.exclude);
    // the configuration's excludes: a glob without `/` matches a name anywhere (the walk prunes
    // with it); one with `/` is relative to the configuration's directory
    let (names, anchored): (Vec<String>, Vec<String>) = global
        .exclude
        .iter()
        .flatten()
        .cloned()
        .partition(|e| !e.contains('/'));
    opts.exclude.extend(names);
    let cwd = std::env::current_dir().unwrap_or_default();
    let dir = global
        .dir
        .as_ref()
        .map(|d| crate::paths::normalize(&cwd.join(d)));
    let anchored = crate::discover::Exclusions::new(&anchored, dir.as_deref())
        .map_err(|e| anyhow::anyhow!(e))?;
    let (mut inputs, mut errors) =
        collect_inputs(&args.paths, &opts, args.stdin_filename.as_deref())
            .map_err(|e| anyhow::anyhow!(e))?;
    let also =
        crate::discover::tracked_inputs(tracked, &opts, &inputs).map_err(|e| anyhow::anyhow!(e))?;
    inputs.extend(also);
    if let Some(ex) = &anchored {
        inputs.retain(|i| match i {
            // a file named on the command line is always read
            crate::discover::Input::Path { path, .. }
                if !args.paths.iter().any(|p| Path::new(p) == path) =>
            {
                !ex.excludes(&cwd, &path.to_string_lossy())
            }
            _ => true,
        });
    }
    let include = opts.include.clone();
    let mut jobs = Vec::with_capacity(inputs.len());
    for input in inputs {
        let settings = configs.for_dir(&input_dir(&input, args.stdin_filename.as_deref()))?;
        let path = match &input {
            crate::discover::Input::Path { path, .. } => Some(path.clone()),
            crate::discover::Input::Stdin { .. } => args.stdin_filename.as_ref().map(PathBuf::from),
        };
        jobs.push((input, settings, path));
    }
    let results: Vec<Result<Result<Loaded, Crash>, InputError>> = jobs
        .into_par_iter()
        .map(|(input, settings, path)| {
            read_input(&input, args.max_file_size).map(|file| {
                let name = file.name.clone();
                guard::catch(|| {
                    guard::test_trigger("load", &file.name);
                    load_file(file)
                })
                .map(|load| Loaded {
                    load,
                    settings,
                    path,
                    stdin: matches!(input, crate::discover::Input::Stdin { .. }),
                })
                .map_err(|panic| Crash { name, panic })
            })
        })
        .collect();
    let mut loads = Vec::new();
    let mut crashes = Vec::new();
    for r in results {
        match r {
            Ok(Ok(l)) => loads.push(l),
            Ok(Err(c)) => crashes.push(c),
            Err(e) => errors.push(e),
        }
    }
    Ok(Read {
        loads,
        errors,
        crashes,
        include,
    })
}

/// The directories the run walked as a whole (unused allow entries are only reported there).
fn walked_roots(paths: &[String]) -> Vec<PathBuf> {
    if paths.is_empty() {
        return vec![PathBuf::from(".")];
    }
    paths
        .iter()
        .map(PathBuf::from)
        .filter(|p| p.is_dir())
        .collect()
}

/// The repository and base commit of `lint --new-only`; `None` before the first commit (then
/// everything is new).
fn new_only_base(base: Option<&str>) -> Result<Option<(crate::git::Repo, String)>> {
    let cwd = std::env::current_dir().context("no current directory")?;
    let repo = crate::git::Repo::discover(&cwd).map_err(|_| {
        anyhow::anyhow!(
            "`--new-only` compares with a git revision, and `{}` is not in a git repository",
            cwd.display()
        )
    })?;
    if base.is_none() && repo.head_unborn() {
        return Ok(None);
    }
    let oid = match base {
        Some(rev) => repo.resolve(rev)?,
        None => repo.default_base()?.1,
    };
    Ok(Some((repo, oid)))
}

/// The findings of the linted files as they are at the base revision, as a baseline, and the
/// files whose base version panicked (their findings all count as new).
fn findings_at_base(
    loads: &[Loaded],
    base: Option<&(crate::git::Repo, String)>,
) -> Result<(crate::baseline::BaselineFile, Vec<Crash>)> {
    let Some((repo, oid)) = base else {
        // no commits yet: everything is new
        return Ok((crate::baseline::build(&[], Path::new(".")), Vec::new()));
    };
    let oid = oid.as_str();
    // a file renamed or moved since the base is compared with what it was there
    let renamed = repo.renames_since(oid)?;
    let mut wanted = Vec::new();
    for l in loads {
        let Some(path) = l.path.as_deref() else {
            continue;
        };
        let Some(rel) = repo.root_relative(path) else {
            anyhow::bail!(
                "`--new-only` compares with a revision of the repository at `{}`, and `{}` is outside it; run awsauth from the repository that holds it",
                repo.root.display(),
                path.display()
            );
        };
        let at_base = renamed.get(&rel).cloned().unwrap_or(rel);
        wanted.push((at_base, l));
    }
    let paths: Vec<String> = wanted.iter().map(|(p, _)| p.clone()).collect();
    let mut blobs = repo.read_at(oid, &paths)?;
    let results: Vec<Result<Vec<Diagnostic>, Crash>> = wanted
        .into_iter()
        .filter_map(|(p, l)| Some((blobs.remove(&p).flatten()?, l)))
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|(bytes, l)| {
            // the same name as today's file, so fingerprints compare
            match crate::discover::decode(&l.load.file.name, bytes) {
                Ok(file) => guard::catch(|| {
                    let load = load_file(file);
                    crate::lint::lint_file(&load, l.path.as_deref(), &l.settings)
                })
                .map_err(|panic| Crash {
                    name: format!("{} (at the base revision)", l.load.file.name),
                    panic,
                }),
                Err(_) => Ok(Vec::new()),
            }
        })
        .collect();
    let mut old = Vec::new();
    let mut crashes = Vec::new();
    for r in results {
        match r {
            Ok(d) => old.extend(d),
            Err(c) => crashes.push(c),
        }
    }
    Ok((crate::baseline::build(&old, Path::new(".")), crashes))
}

fn lint(args: &LintArgs) -> Result<ExitCode> {
    let input = args.input.resolved();
    // with `--new-only`, the configuration at the base decides (fail-on, rules, excludes)
    let base = if args.new_only {
        new_only_base(args.base.as_deref())?
    } else {
        None
    };
    let mut configs = match &base {
        Some((repo, oid)) => {
            Configs::at_commit(&args.config, &args.select, &args.ignore, repo, oid)?
        }
        None => Configs::new(&args.config, &args.select, &args.ignore)?,
    };
    // every file git tracks is read (`.ignore`, `.gitignore` and hidden folders are the change's
    // to edit too)
    // (paths outside the repository are an error of their own, below)
    let tracked = match &base {
        Some((repo, _)) => {
            let inside: Vec<String> = input
                .paths
                .iter()
                .filter(|p| *p != "-" && repo.root_relative(Path::new(p)).is_some())
                .cloned()
                .collect();
            if input.paths.is_empty() || !inside.is_empty() {
                repo.tracked(&inside)?
            } else {
                Vec::new()
            }
        }
        None => Vec::new(),
    };
    let read = load_all(&input, &mut configs, &tracked)?;
    warn_if_nothing_read("linted", &input, &read);
    let Read {
        loads,
        errors,
        mut crashes,
        ..
    } = read;
    configs.check_selectors()?;
    let global = configs.global(&input.paths)?;
    let linted: Vec<Result<Vec<Diagnostic>, Crash>> = loads
        .par_iter()
        .map(|l| {
            guard::catch(|| {
                guard::test_trigger("lint", &l.load.file.name);
                crate::lint::lint_file(&l.load, l.path.as_deref(), &l.settings)
            })
            .map_err(|panic| Crash {
                name: l.load.file.name.clone(),
                panic,
            })
        })
        .collect();
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    for r in linted {
        match r {
            Ok(d) => diagnostics.extend(d),
            Err(c) => crashes.push(c),
        }
    }
    let roots = walked_roots(&input.paths);
    diagnostics.extend(crate::lint::unused_allows(&configs.all(), &roots));
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    if let Some(path) = &args.write_baseline {
        let base = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let b = crate::baseline::build(&diagnostics, base);
        let mut text = serde_json::to_string_pretty(&b)?;
        text.push('\n');
        crate::write::write_file(path, text.as_bytes()).map_err(|e| anyhow::anyhow!(e))?;
        report_input_errors(&errors);
        report_crashes(&crashes);
        say(&format!(
            "wrote {} finding(s) to `{}`",
            b.findings.len(),
            escape::text(&path.display().to_string())
        ));
        return Ok(ExitCode::from(if errors.is_empty() && crashes.is_empty() {
            0
        } else {
            2
        }));
    }
    if args.new_only {
        let (known, at_base) = findings_at_base(&loads, base.as_ref())?;
        if let (Some((_, oid)), Some(b)) = (&base, &configs.at_base) {
            let short: String = oid.chars().take(12).collect();
            let read = if b.read.is_empty() {
                "none there: the defaults".to_owned()
            } else {
                b.read.join(", ")
            };
            say(&format!(
                "note: `--new-only` judges the change with the configuration of the base revision {short} ({}): a change to `.awsauth.yaml` applies once it is merged",
                escape::text(&read)
            ));
        }
        crashes.extend(at_base);
        // allow-list entries live in the configuration, not in the linted files
        diagnostics.retain(|d| loads.iter().any(|l| Arc::ptr_eq(&l.load.file, &d.file)));
        crate::baseline::filter(&mut diagnostics, &known, Path::new("."));
    }
    if let Some(path) = &args.baseline {
        let base = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let b = crate::baseline::read(path).map_err(|e| anyhow::anyhow!(e))?;
        let hidden = crate::baseline::filter(&mut diagnostics, &b, base);
        if hidden > 0 && matches!(args.format, LintFormat::Human) {
            say(&format!(
                "{hidden} finding(s) recorded in the baseline `{}` not shown",
                escape::text(&path.display().to_string())
            ));
        }
    }
    let configmaps = loads.iter().map(|l| l.load.objects.len()).sum();
    let mut summary = Summary::new(loads.len(), configmaps, &diagnostics);
    summary.unreadable = errors.len();
    summary.internal_errors = crashes.len();
    report_input_errors(&errors);
    report_crashes(&crashes);
    match args.format {
        LintFormat::Human => {
            let text = render::human::render(&diagnostics, &summary, true);
            emit_styled(&text, args.color)?;
        }
        LintFormat::Concise => emit(&render::concise(&diagnostics), Out::Text)?,
        LintFormat::Json => emit(&render::json::render(&diagnostics, &summary), Out::Json)?,
        LintFormat::Github => emit(&render::github(&diagnostics), Out::Annotations)?,
    }
    if !errors.is_empty() || !crashes.is_empty() {
        return Ok(ExitCode::from(2));
    }
    let threshold = match args.fail_on.or(global.fail_on).unwrap_or(FailOn::Warning) {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    };
    let failing = threshold.is_some_and(|t| diagnostics.iter().any(|d| d.severity >= t));
    Ok(ExitCode::from(u8::from(failing)))
}

/// `render` on the aws-auth sources of one file (`None` without any), a panic caught as that
/// file's internal error.
fn per_file<'a, T>(
    l: &'a Loaded,
    crashes: &mut Vec<Crash>,
    render: impl FnOnce(&[&'a AwsAuth]) -> T,
) -> Option<T> {
    let objects: Vec<&AwsAuth> = l.load.objects.iter().collect();
    if objects.is_empty() {
        return None;
    }
    let name = &l.load.file.name;
    guard::catch(|| {
        guard::test_trigger("inspect", name);
        render(&objects)
    })
    .map_err(|panic| {
        crashes.push(Crash {
            name: name.clone(),
            panic,
        });
    })
    .ok()
}

fn inspect(args: &InspectArgs) -> Result<ExitCode> {
    let input = args.input.resolved();
    let mut configs = Configs::new(&args.config, &[], &[])?;
    let read = load_all(&input, &mut configs, &[])?;
    warn_if_nothing_read("inspected", &input, &read);
    let Read {
        loads,
        errors,
        mut crashes,
        ..
    } = read;
    // each file rendered on its own: a bug in one is that file's error
    let out = match args.format {
        InspectFormat::Table => {
            let mut tables = String::new();
            for l in &loads {
                if let Some(t) = per_file(l, &mut crashes, render::inspect::table) {
                    tables.push_str(&t);
                }
            }
            let failed = Summary {
                unreadable: errors.len(),
                internal_errors: crashes.len(),
                ..Summary::default()
            };
            match failed.failures() {
                // "no aws-auth mappings found" is not said of files that could not be read
                Some(f) if tables.is_empty() => {
                    format!("no aws-auth mappings found in the files read; {f}\n")
                }
                _ if tables.is_empty() => render::inspect::table(&[]),
                _ => tables,
            }
        }
        InspectFormat::Json => {
            let mut objects = Vec::new();
            for l in &loads {
                objects.extend(
                    per_file(l, &mut crashes, render::inspect::json_objects)
                        .into_iter()
                        .flatten(),
                );
            }
            render::inspect::json_document(objects)
        }
    };
    report_input_errors(&errors);
    report_crashes(&crashes);
    let kind = match args.format {
        InspectFormat::Table => Out::Text,
        InspectFormat::Json => Out::Json,
    };
    emit(&out, kind)?;
    Ok(ExitCode::from(if errors.is_empty() && crashes.is_empty() {
        0
    } else {
        2
    }))
}

/// Whether `e` is the configuration failure (already reported) rather than another error.
pub fn is_config_failure(e: &anyhow::Error) -> bool {
    e.downcast_ref::<ConfigFailure>().is_some()
}

fn list_rules(args: &RulesArgs) -> Result<ExitCode> {
    let mut out = String::new();
    // the built-in catalog, plus the policies of the configuration in force here
    let mut configs = Configs::new(&args.config, &[], &[])?;
    let here = configs.global(&[])?;
    let mut all: Vec<&'static crate::registry::Rule> = rules::RULES.to_vec();
    all.extend(here.policies.iter().map(|p| p.rule));
    match args.format {
        RulesFormat::Text => {
            let width = all.iter().map(|r| r.name.len()).max().unwrap_or(0);
            for r in &all {
                let off = if r.enabled { "" } else { " (off by default)" };
                out.push_str(&format!(
                    "{:width$}  {:11}  {:7}  {}{off}\n",
                    r.name,
                    r.category.as_str(),
                    r.severity.as_str(),
                    // (a policy's summary is the configuration's text)
                    escape::text(r.summary)
                ));
            }
        }
        RulesFormat::Markdown => {
            let index = crate::registry::markdown_index(rules::RULES);
            if let Some(dir) = &args.out {
                crate::write::create_folder(dir).map_err(|e| anyhow::anyhow!(e))?;
                let write = |name: String, text: String| {
                    // (never through a link, as every file awsauth writes: `write`)
                    crate::write::write_file(&dir.join(name), text.as_bytes())
                        .map_err(|e| anyhow::anyhow!(e))
                };
                write("README.md".into(), index)?;
                for r in rules::RULES {
                    write(format!("{}.md", r.name), r.markdown_page())?;
                }
                return Ok(ExitCode::SUCCESS);
            }
            out = index;
        }
        RulesFormat::Json => {
            let list: Vec<serde_json::Value> = all
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "name": r.name, "category": r.category, "severity": r.severity, "summary": r.summary,
                        "enabled": r.enabled,
                    })
                })
                .collect();
            // (policy summaries come from the configuration)
            out = escape::json(serde_json::to_string_pretty(
                &serde_json::json!({"version": 1, "rules": list}),
            )?);
            out.push('\n');
        }
    }
    let kind = match args.format {
        RulesFormat::Json => Out::Json,
        RulesFormat::Text | RulesFormat::Markdown => Out::Text,
    };
    emit(&out, kind)?;
    Ok(ExitCode::SUCCESS)
}

fn explain(rule: &str) -> Result<ExitCode> {
    // built-in rules, then the policies of the configuration in force here
    let found = match rules::find(rule) {
        Some(r) => Some(r),
        None => {
            let mut configs = Configs::new(
                &ConfigArgs {
                    config: None,
                    no_config: false,
                },
                &[],
                &[],
            )?;
            configs.global(&[])?.find_rule(rule)
        }
    };
    let Some(r) = found else {
        let names: Vec<&str> = rules::RULES.iter().map(|r| r.name).collect();
        anyhow::bail!(
            "unknown rule `{}`; known rules: {}",
            escape::text(rule),
            names.join(", ")
        );
    };
    emit(
        &format!(
            "# {}\n\ncategory: {}, default severity: {}\n\n{}\n\n{}",
            r.name,
            r.category.as_str(),
            r.default_shown(),
            r.summary,
            r.explanation
                .lines()
                .map(|l| l.strip_prefix(' ').unwrap_or(l))
                .collect::<Vec<_>>()
                .join("\n")
        ),
        Out::Text,
    )?;
    Ok(ExitCode::SUCCESS)
}

fn diff(args: &DiffArgs) -> Result<ExitCode> {
    use crate::diff;
    let mut configs = Configs::new(&args.config, &[], &[])?;
    let settings = configs.global(&[])?;
    let facts = diff::Facts {
        accounts: settings.cluster.account_ids.clone(),
    };
    let (versions, revisions) = if args.no_index {
        let [old, new] = args.revs.as_slice() else {
            anyhow::bail!("`--no-index` compares two files: `awsauth diff --no-index OLD NEW`");
        };
        if old == "-" && new == "-" {
            anyhow::bail!("standard input can be only one of the two files");
        }
        if !args.paths.is_empty() {
            anyhow::bail!(
                "`--no-index` compares the two files named; pathspecs (`-- PATH`) are for revisions"
            );
        }
        diff::input::from_files(old, new, args.max_file_size).map_err(|e| anyhow::anyhow!(e))?
    } else {
        if args.revs.len() > 2 {
            anyhow::bail!("at most two revisions: `awsauth diff [BASE [HEAD]] [-- PATH...]`");
        }
        let cwd = std::env::current_dir().context("no current directory")?;
        diff::input::from_git(
            &cwd,
            &args.revs,
            args.staged,
            &args.paths,
            args.max_file_size,
        )?
    };
    let mut versions = versions;
    let mut facts = facts;
    let mut notes = Vec::new();
    let cwd = std::env::current_dir().context("no current directory")?;
    // the configuration as it is at BASE decides (a change may not vouch for itself): the
    // accounts the cluster trusts, and which files are left out
    // (also without a configuration now: a change that deletes `.awsauth.yaml` is judged by
    // the one at BASE; only `--no-config` looks for none)
    let configured = !args.config.no_config;
    let at_base = match &revisions.base_commit {
        Some(commit) if configured => {
            let leaf = match &args.config.config {
                Some(file) => diff::base::Leaf::File(file),
                None => diff::base::Leaf::Discover(Path::new(".")),
            };
            // a base that git cannot read the configuration of is judged with the defaults
            diff::base::load(&cwd, commit, leaf, rules::RULES).unwrap_or_else(|e| {
                Some(diff::base::AtBase {
                    errors: vec![ConfigError {
                        at: None,
                        path: PathBuf::from(commit.chars().take(12).collect::<String>()),
                        message: format!("cannot read the configuration: {e}"),
                        help: None,
                    }],
                    leaf: Some(commit.chars().take(12).collect()),
                    ..diff::base::AtBase::default()
                })
            })
        }
        _ => None,
    };
    let this = settings.chain.first().map_or_else(
        || "the configuration".to_owned(),
        |p| format!("the configuration (`{}`)", p.display()),
    );
    // the base configuration's own findings are history: shown, and the diff goes on
    let base_ok = at_base.as_ref().is_none_or(|b| b.errors.is_empty());
    if let Some(b) = &at_base {
        notes.extend(b.notes.iter().cloned());
        if !b.errors.is_empty() {
            report_base_config_errors(
                &b.errors,
                b.leaf.as_deref().unwrap_or("?"),
                "changes are classified",
            );
            notes.push(format!(
                "the configuration at the base commit (`{}`) has errors (shown on standard error): changes are classified with the default configuration (nothing left out, no `cluster.account-ids`)",
                b.leaf.as_deref().unwrap_or("?")
            ));
        }
    }
    let excludes: Vec<String> = settings.exclude.clone().unwrap_or_default();
    if let Some(b) = at_base.as_ref().filter(|_| base_ok) {
        let before = b.settings.exclude.clone().unwrap_or_default();
        let added: Vec<&str> = excludes
            .iter()
            .filter(|g| !before.contains(g))
            .map(String::as_str)
            .collect();
        if !added.is_empty() {
            notes.push(format!(
                "{this} adds `exclude` globs ({}): not applied to the change that adds them",
                added.join(", ")
            ));
        }
    }
    if !excludes.is_empty() && !args.no_index {
        let folder = |s: &Settings| {
            s.dir
                .as_ref()
                .map(|d| crate::paths::normalize(&cwd.join(d)))
                .map(|d| std::fs::canonicalize(&d).unwrap_or(d))
        };
        let now = crate::discover::Exclusions::new(&excludes, folder(&settings).as_deref())
            .map_err(|e| anyhow::anyhow!(e))?;
        // with a base commit, a file is left out only when the base configuration leaves it
        // out too (an invalid glob there leaves nothing out)
        let then = at_base.as_ref().map(|b| {
            crate::discover::Exclusions::new(
                b.settings.exclude.as_deref().unwrap_or_default(),
                folder(&b.settings).as_deref(),
            )
            .unwrap_or(None)
        });
        if let Some(now) = now {
            // (a bare repository has no top of a working tree: paths are taken from here)
            let root = crate::git::Repo::discover(&cwd).map_or_else(|_| cwd.clone(), |r| r.root);
            let root = std::fs::canonicalize(&root).unwrap_or(root);
            let excluded = |p: &str| {
                now.excludes(&root, p)
                    && then
                        .as_ref()
                        .is_none_or(|t| t.as_ref().is_some_and(|t| t.excludes(&root, p)))
            };
            versions.old.retain(|l| !excluded(&l.file.name));
            versions.new.retain(|l| !excluded(&l.file.name));
            versions.unreadable.retain(|(p, _)| !excluded(p));
        }
    }
    if let Some(b) = &at_base {
        let at_base = b.settings.cluster.account_ids.clone();
        let mut now = facts.accounts.clone();
        now.sort();
        let mut then = at_base.clone();
        then.sort();
        if now != then {
            if base_ok {
                notes.push(format!(
                    "{this} changes `cluster.account-ids` ({} → {}): changes are classified with the accounts of the base",
                    if then.is_empty() { "none".to_owned() } else { then.join(", ") },
                    if now.is_empty() { "none".to_owned() } else { now.join(", ") }
                ));
            }
            facts.accounts = at_base;
        }
    }
    let mut report = diff::compare_versions(&versions, &facts);
    report.notes = notes;
    let crashes: Vec<Crash> = versions
        .crashed
        .iter()
        .map(|(name, message)| Crash {
            name: name.clone(),
            panic: guard::Panic {
                message: message.clone(),
            },
        })
        .collect();
    report_crashes(&crashes);
    match args.format {
        DiffFormat::Human => {
            let text = diff::render::human(&report, &revisions, true);
            emit_styled(&text, args.color)?;
        }
        DiffFormat::Markdown => emit(&diff::render::markdown(&report, &revisions), Out::Text)?,
        DiffFormat::Json => emit(&diff::render::json(&report, &revisions), Out::Json)?,
        DiffFormat::Github => emit(&diff::render::github(&report), Out::Annotations)?,
    }
    let fails = |c: &diff::Change| {
        args.fail_on.iter().any(|f| match f {
            DiffFailOn::Any => true,
            DiffFailOn::Never => false,
            DiffFailOn::Escalation => c.risks.contains(&diff::Risk::Escalation),
            DiffFailOn::Lockout => c.risks.contains(&diff::Risk::Lockout),
            DiffFailOn::AccessChange => c.risks.contains(&diff::Risk::AccessChange),
        })
    };
    for o in &versions.oversized {
        say(&format!(
            "error: {}\n  help: raise the limit with `--max-file-size`, e.g. `--max-file-size 64MiB`",
            escape::text(o)
        ));
    }
    if !crashes.is_empty() || !versions.oversized.is_empty() {
        return Ok(ExitCode::from(2));
    }
    let failing = !args.fail_on.contains(&DiffFailOn::Never) && report.changes.iter().any(fails);
    Ok(ExitCode::from(u8::from(failing)))
}

fn init(force: bool) -> Result<ExitCode> {
    let path = Path::new(config::FILE_NAMES[0]);
    // a link (even a dangling one) is there too; writing refuses it, `--force` or not
    let there = std::fs::symlink_metadata(path).is_ok_and(|m| !m.file_type().is_symlink());
    if there && !force {
        anyhow::bail!(
            "`{}` already exists; use `--force` to overwrite it",
            path.display()
        );
    }
    crate::write::write_file(path, config::STARTER.as_bytes()).map_err(|e| anyhow::anyhow!(e))?;
    say(&format!(
        "wrote `{}`; `awsauth lint` reads it from this directory and below",
        path.display()
    ));
    Ok(ExitCode::SUCCESS)
}

/// Runs the parsed command line.
pub fn run(cli: &Cli) -> Result<ExitCode> {
    match &cli.command {
        Command::Lint(a) => lint(a),
        Command::Inspect(a) => inspect(a),
        Command::Rules(a) => list_rules(a),
        Command::Explain { rule } => explain(rule),
        Command::Init { force } => init(*force),
        Command::Diff(a) => diff(a),
        Command::Schema => {
            emit(&config::schema_json(), Out::Json)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
