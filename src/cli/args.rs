//! The parsed command line: clap's structs, as the user wrote them (resolved into settings by
//! the commands).

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::config::Choice;
use crate::config::file::FailOn;
use crate::lint::inputs::Inputs;
use crate::render::stdout::Color;

/// Lint and inspect the Amazon EKS aws-auth `ConfigMap` where it lives: in Git.
#[derive(Debug, Parser)]
#[command(name = "awsauth", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub(super) command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub(super) enum Command {
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
    /// Show which configuration files apply to a path, and the settings they resolve to.
    Config(ShowConfigArgs),
    /// Print the shell completion script (README "Usage" says where each shell reads it).
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: crate::manual::Shell,
    },
    /// Print the manual page (roff): `awsauth man | man -l -`.
    Man,
    /// Plan the move from aws-auth to EKS access entries, offline, with a proof of equivalence.
    Migrate(MigrateArgs),
    /// Who can do what: each IAM principal through aws-auth and access entries to RBAC.
    Access(AccessArgs),
}

#[derive(Debug, Args)]
#[command(
    after_help = "BASE defaults to the merge base of HEAD with origin/HEAD (else origin/main, \
origin/master, main, master); HEAD defaults to the working tree. Exit 1 when a change of a \
--fail-on class is found, 2 on errors."
)]
pub(super) struct DiffArgs {
    /// Revisions: `[BASE [HEAD]]`; with `--no-index`, two files (`-` for standard input).
    #[arg(value_name = "REV")]
    pub revs: Vec<String>,
    /// Only these paths (after `--`).
    #[arg(last = true, value_name = "PATH")]
    pub paths: Vec<String>,
    /// Compare HEAD (or BASE) with the staged contents: what `git commit` would record.
    #[arg(long, conflicts_with = "no_index")]
    pub staged: bool,
    /// Compare two files instead of revisions.
    #[arg(long)]
    pub no_index: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    pub format: DiffFormat,
    /// When to use colours in the human format (`auto` honours `NO_COLOR` and colours only a
    /// terminal).
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
    /// Exit 1 when a change of these classes is found (comma-separated).
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "escalation,lockout"
    )]
    pub fail_on: Vec<crate::diff::settings::FailOn>,
    /// Larger files (on either side) are not read and are listed as not compared: bytes, or
    /// with a unit (`k`, `m`, `g`: 1000; `KiB`, `MiB`, `GiB`: 1024).
    #[arg(long, value_name = "SIZE", default_value = "16MiB", value_parser = crate::discover::parse_size)]
    pub max_file_size: u64,
    #[command(flatten)]
    pub config: ConfigArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(super) enum DiffFormat {
    /// Grouped by risk, with the changed lines.
    Human,
    /// A pull-request comment.
    Markdown,
    /// The JSON contract (version 1).
    Json,
    /// GitHub Actions annotations.
    Github,
    /// One line per change: `path:line: risk: change: principal: why`.
    Concise,
    /// SARIF 2.1.0: escalations and lockouts, for code scanning.
    Sarif,
}

#[derive(Debug, Default, Args)]
pub(super) struct ConfigArgs {
    /// Use this configuration file for every input (instead of the nearest `.awsauth.yaml`).
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<std::path::PathBuf>,
    /// Ignore configuration files: built-in defaults only.
    #[arg(long)]
    pub no_config: bool,
}

#[derive(Debug, Clone, Args)]
pub(super) struct InputArgs {
    /// Files or directories to read (`-` for standard input). Default: the current directory,
    /// or standard input with `--stdin-filename`.
    pub paths: Vec<String>,
    /// Only walk files matching this glob (repeatable; default `*.yaml`, `*.yml`, `*.json`).
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,
    /// Skip files and directories matching this glob (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Read standard input under this name (its configuration is found from the name's
    /// folder); without `-` among the paths, the paths are not read.
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<String>,
    /// Apply `--exclude` and the configuration's `exclude` to the paths named on the command
    /// line (and to `--stdin-filename`) too, as a walk of the current directory would: what
    /// pre-commit hooks and editors want, since they name every file.
    #[arg(long)]
    pub force_exclude: bool,
    /// Larger files are not read (each is reported, and the run exits 2): bytes, or with a unit
    /// (`k`, `m`, `g`: 1000; `KiB`, `MiB`, `GiB`: 1024). An aws-auth `ConfigMap` holds at most
    /// about 1 MiB.
    #[arg(long, value_name = "SIZE", default_value = "16MiB", value_parser = crate::discover::parse_size)]
    pub max_file_size: u64,
}

#[derive(Debug, Args)]
pub(super) struct LintArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = LintFormat::Human)]
    pub format: LintFormat,
    /// Exit 1 when a finding is at or above this severity [default: the configuration's
    /// `fail-on`, else warning].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Run only these rules, categories or policies (comma-separated; replaces `select`).
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub select: Vec<String>,
    /// Do not run these rules, categories or policies (comma-separated; added to `ignore`).
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    pub ignore: Vec<String>,
    /// Report only findings that are not recorded in this baseline file.
    #[arg(long, value_name = "FILE", conflicts_with = "write_baseline")]
    pub baseline: Option<std::path::PathBuf>,
    /// Record the current findings in this baseline file and exit 0.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<std::path::PathBuf>,
    /// Report only findings that are not present at the base revision (same fingerprints as
    /// baselines): gate a pull request on what it adds.
    #[arg(long, conflicts_with = "write_baseline")]
    pub new_only: bool,
    /// With `--new-only`: the base revision [default: the merge base with origin/HEAD, else
    /// origin/main, origin/master, main, master].
    #[arg(long, value_name = "REV", requires = "new_only")]
    pub base: Option<String>,
    /// When to use colours (`auto` honours `NO_COLOR` and colours only a terminal).
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub(super) struct InspectArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = InspectFormat::Table)]
    pub format: InspectFormat,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Reads paths as `lint` does. Exit 0, or 1 when `--can` or `--principal` matches no \
principal; 2 on errors (usage, unreadable input)."
)]
pub(super) struct AccessArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Only the principals a request is allowed for, as `kubectl auth can-i` takes it
    /// (`--can get secrets`, `--can create pods/exec`, `--can list deployments.apps`).
    #[arg(long, num_args = 2, value_names = ["VERB", "RESOURCE"], conflicts_with = "principal")]
    pub can: Option<Vec<String>>,
    /// With `--can`: the namespace of the request [default: cluster-wide: only grants that hold
    /// everywhere].
    #[arg(short = 'n', long, value_name = "NS", requires = "can")]
    pub namespace: Option<String>,
    /// With `--can`: the object's name (for rules with `resourceNames`).
    #[arg(long, value_name = "NAME", requires = "can")]
    pub name: Option<String>,
    /// Only this principal (a role ARN with a path matches its aws-auth mapping), with every
    /// grant's rules.
    #[arg(long, value_name = "ARN")]
    pub principal: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = crate::reach::Format::Human)]
    pub format: crate::reach::Format,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub(super) struct RulesArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
    pub format: RulesFormat,
    /// With `--format markdown`: write `README.md` and one page per rule into this directory.
    #[arg(long, value_name = "DIR")]
    pub out: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Reads aws-auth as `lint` does (one source: the cluster's). Exit 0 when the plan \
grants exactly what aws-auth grants, 1 when the proof lists a difference (a blocker or a deliberate \
change), 2 on errors."
)]
pub(super) struct MigrateArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub config: ConfigArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    /// The cluster's name.
    #[arg(long, value_name = "NAME")]
    pub cluster: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = MigrateFormat::Table)]
    pub format: MigrateFormat,
    /// The output of `aws iam list-roles` (pages concatenated): restores the role paths aws-auth
    /// strips [default: every role path is a TODO].
    #[arg(long, value_name = "FILE")]
    pub iam_roles: Option<std::path::PathBuf>,
    /// The partition of the access policy ARNs [default: the one the ARNs name].
    #[arg(long, value_parser = ["aws", "aws-cn", "aws-us-gov"])]
    pub partition: Option<String>,
    /// The cluster's account: node entries must be in it [default: the node roles' account].
    #[arg(long, value_name = "ID")]
    pub account_id: Option<String>,
    /// A node role (name or ARN) that no managed node group uses: migrated as `EC2_LINUX` or
    /// `EC2_WINDOWS` instead of kept as possibly EKS-managed (repeatable).
    #[arg(long, value_name = "ROLE")]
    pub self_managed_node_role: Vec<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(super) enum MigrateFormat {
    /// Per principal, then the phases and the proof.
    Table,
    /// The JSON contract (version 1).
    Json,
    /// `aws_eks_access_entry` and `aws_eks_access_policy_association` resources.
    Terraform,
    /// A template of `AWS::EKS::AccessEntry` resources (YAML).
    Cloudformation,
    /// A `sh` script of `aws eks` commands.
    AwsCli,
    /// An eksctl `ClusterConfig` fragment (`accessConfig`).
    Eksctl,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(super) enum LintFormat {
    /// Source-annotated diagnostics.
    Human,
    /// One line per finding: `path:line:col: severity[rule] message`.
    Concise,
    /// The JSON contract (version 1).
    Json,
    /// GitHub Actions annotations.
    Github,
    /// SARIF 2.1.0 (GitHub code scanning and other SARIF viewers).
    Sarif,
    /// A GitLab Code Quality report.
    Gitlab,
    /// A JUnit XML report.
    #[allow(clippy::doc_markdown)] // a name, shown as is by `--help`
    Junit,
}

/// Where the output goes, and how much is said (`lint`, `diff`, `inspect`, `migrate`).
#[derive(Debug, Default, Args)]
pub(super) struct OutputArgs {
    /// Write the output to this file instead of standard output (the same bytes; replaced
    /// atomically, never written through a symbolic link).
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
    /// Print findings (or changes) only: no summary, and no notes or warnings on standard
    /// error (errors are still said); the exit code is unchanged.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(super) enum InspectFormat {
    /// A table per aws-auth source.
    Table,
    /// The JSON contract (version 1).
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(super) enum RulesFormat {
    /// One line per rule.
    Text,
    /// A Markdown table.
    Markdown,
    /// JSON.
    Json,
}

impl ConfigArgs {
    /// Which configuration applies.
    pub(super) fn choice(&self) -> Choice<'_> {
        match &self.config {
            _ if self.no_config => Choice::Defaults,
            Some(path) => Choice::File(path),
            None => Choice::Nearest,
        }
    }
}

impl InputArgs {
    /// The inputs to read ([`Inputs::resolved`]).
    pub(super) fn resolved(&self) -> Inputs {
        let (paths, include, exclude) = (
            self.paths.clone(),
            self.include.clone(),
            self.exclude.clone(),
        );
        let (stdin_filename, max_file_size) = (self.stdin_filename.clone(), self.max_file_size);
        let inputs = Inputs {
            paths,
            include,
            exclude,
            stdin_filename,
            max_file_size,
            force_exclude: self.force_exclude,
        };
        inputs.resolved(super::say)
    }
}

#[derive(Debug, Args)]
pub(super) struct ShowConfigArgs {
    /// The file or directory whose configuration to show (a directory: the settings of the files
    /// in it; a folder below can have a nearer configuration).
    #[arg(default_value = ".")]
    pub path: std::path::PathBuf,
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ShowConfigFormat::Text)]
    pub format: ShowConfigFormat,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(super) enum ShowConfigFormat {
    /// The files, then the settings, one per line.
    Text,
    /// JSON (version 1), keys named as in the configuration file.
    Json,
}
