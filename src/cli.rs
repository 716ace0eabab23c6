//! The command line: argument parsing, running a command, exit codes (0 clean, 1 findings,
//! 2 usage, I/O or internal error).

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, Severity};
use crate::discover::{InputError, WalkOptions, collect_inputs, read_input};
use crate::load::{FileLoad, load_file};
use crate::model::AwsAuth;
use crate::render::{self, Summary};
use crate::rules;

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
}

#[derive(Debug, Args)]
struct InputArgs {
    /// Files or directories to read (`-` for standard input). Default: the current directory.
    paths: Vec<String>,
    /// Only walk files matching this glob (repeatable; default `*.yaml`, `*.yml`, `*.json`).
    #[arg(long, value_name = "GLOB")]
    include: Vec<String>,
    /// Skip files and directories matching this glob (repeatable).
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,
    /// The name to show for standard input.
    #[arg(long, value_name = "NAME")]
    stdin_filename: Option<String>,
}

#[derive(Debug, Args)]
struct LintArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = LintFormat::Human)]
    format: LintFormat,
    /// Exit 1 when a finding is at or above this severity.
    #[arg(long, value_enum, default_value_t = FailOn::Warning)]
    fail_on: FailOn,
    /// When to use colours (`auto` honours NO_COLOR and colours only a terminal).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
}

#[derive(Debug, Args)]
struct InspectArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = InspectFormat::Table)]
    format: InspectFormat,
}

#[derive(Debug, Args)]
struct RulesArgs {
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
enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Writes to stdout; a closed pipe (`awsauth ... | head`) ends the program quietly.
fn emit(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        r => r.context("cannot write to standard output"),
    }
}

#[allow(clippy::print_stderr)]
fn report_input_errors(errors: &[InputError]) {
    for e in errors {
        eprintln!("error: {}: {}", e.name, e.message);
    }
}

/// Reads and loads every input in parallel; results come back sorted by file name.
fn load_all(args: &InputArgs) -> Result<(Vec<FileLoad>, Vec<InputError>)> {
    let mut opts = WalkOptions::default();
    if !args.include.is_empty() {
        opts.include.clone_from(&args.include);
    }
    opts.exclude.clone_from(&args.exclude);
    let (inputs, mut errors) = collect_inputs(&args.paths, &opts, args.stdin_filename.as_deref())
        .map_err(|e| anyhow::anyhow!(e))?;
    let results: Vec<Result<FileLoad, InputError>> = inputs
        .par_iter()
        .map(|input| read_input(input).map(load_file))
        .collect();
    let mut loads = Vec::new();
    for r in results {
        match r {
            Ok(l) => loads.push(l),
            Err(e) => errors.push(e),
        }
    }
    Ok((loads, errors))
}

fn lint(args: &LintArgs) -> Result<ExitCode> {
    let (loads, errors) = load_all(&args.input)?;
    let mut diagnostics: Vec<Diagnostic> = loads
        .par_iter()
        .flat_map_iter(|l| {
            let mut out = Vec::new();
            rules::check_file(l, &mut out);
            out
        })
        .collect();
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    let configmaps = loads.iter().map(|l| l.objects.len()).sum();
    let summary = Summary::new(loads.len(), configmaps, &diagnostics);
    report_input_errors(&errors);
    match args.format {
        LintFormat::Human => {
            let choice = match args.color {
                ColorChoice::Auto => anstream::ColorChoice::Auto,
                ColorChoice::Always => anstream::ColorChoice::Always,
                ColorChoice::Never => anstream::ColorChoice::Never,
            };
            let text = render::human::render(&diagnostics, &summary, true);
            let mut out = anstream::AutoStream::new(std::io::stdout().lock(), choice);
            match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
                r => r.context("cannot write to standard output")?,
            }
        }
        LintFormat::Concise => emit(&render::concise(&diagnostics))?,
        LintFormat::Json => emit(&render::json::render(&diagnostics, &summary))?,
        LintFormat::Github => emit(&render::github(&diagnostics))?,
    }
    if !errors.is_empty() {
        return Ok(ExitCode::from(2));
    }
    let threshold = match args.fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    };
    let failing = threshold.is_some_and(|t| diagnostics.iter().any(|d| d.severity >= t));
    Ok(ExitCode::from(u8::from(failing)))
}

fn inspect(args: &InspectArgs) -> Result<ExitCode> {
    let (loads, errors) = load_all(&args.input)?;
    let objects: Vec<&AwsAuth> = loads.iter().flat_map(|l| l.objects.iter()).collect();
    report_input_errors(&errors);
    match args.format {
        InspectFormat::Table => emit(&render::inspect::table(&objects))?,
        InspectFormat::Json => emit(&render::inspect::json(&objects))?,
    }
    Ok(ExitCode::from(if errors.is_empty() { 0 } else { 2 }))
}

fn list_rules(args: &RulesArgs) -> Result<ExitCode> {
    let mut out = String::new();
    match args.format {
        RulesFormat::Text => {
            let width = rules::RULES.iter().map(|r| r.name.len()).max().unwrap_or(0);
            for r in rules::RULES {
                out.push_str(&format!(
                    "{:width$}  {:11}  {:7}  {}\n",
                    r.name,
                    r.category.as_str(),
                    r.severity.as_str(),
                    r.summary
                ));
            }
        }
        RulesFormat::Markdown => {
            let index = crate::registry::markdown_index(rules::RULES);
            if let Some(dir) = &args.out {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create `{}`", dir.display()))?;
                let write = |name: String, text: String| {
                    let path = dir.join(name);
                    std::fs::write(&path, text)
                        .with_context(|| format!("cannot write `{}`", path.display()))
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
            let list: Vec<serde_json::Value> = rules::RULES
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "name": r.name, "category": r.category, "severity": r.severity, "summary": r.summary,
                    })
                })
                .collect();
            out = serde_json::to_string_pretty(&serde_json::json!({"version": 1, "rules": list}))?;
            out.push('\n');
        }
    }
    emit(&out)?;
    Ok(ExitCode::SUCCESS)
}

fn explain(rule: &str) -> Result<ExitCode> {
    let Some(r) = rules::find(rule) else {
        let names: Vec<&str> = rules::RULES.iter().map(|r| r.name).collect();
        anyhow::bail!("unknown rule `{rule}`; known rules: {}", names.join(", "));
    };
    emit(&format!(
        "# {}\n\ncategory: {}, default severity: {}\n\n{}\n\n{}",
        r.name,
        r.category.as_str(),
        r.severity.as_str(),
        r.summary,
        r.explanation
            .lines()
            .map(|l| l.strip_prefix(' ').unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n")
    ))?;
    Ok(ExitCode::SUCCESS)
}

/// Runs the parsed command line.
pub fn run(cli: &Cli) -> Result<ExitCode> {
    match &cli.command {
        Command::Lint(a) => lint(a),
        Command::Inspect(a) => inspect(a),
        Command::Rules(a) => list_rules(a),
        Command::Explain { rule } => explain(rule),
    }
}
