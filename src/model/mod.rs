//! The typed model every feature shares: where each aws-auth mapping came from (file, document,
//! section, entry, field, all with outer-file spans) and the *effective* view, exactly what the
//! authenticator stores after section loss, entry drops, empty fields and last-wins.
//!
//! - [`principal`]: who a mapping is for ([`Principal`]), keyed, displayed and parsed in one
//!   place; [`Enclosing`] names the section or object of a finding outside every mapping.
//! - [`effective`]: the statuses of the entries and the stores, settled once when a source is
//!   loaded, and the entries rules and policies look at.
//! - [`access`]: what a request of each principal gets (the lookup's semantics on top of the
//!   stores), which `diff` compares.
//! - [`access_entries`]: EKS access entries, policy associations and clusters' authentication
//!   modes, as Terraform, eksctl and CloudFormation declare them.
//! - [`rbac`]: Kubernetes RBAC offline (the repository's roles and bindings over the built-in
//!   ones), joined to the identities aws-auth and access entries give, and what they allow.
//! - [`identity`]: the Kubernetes and EKS identity vocabulary (`system:masters`, node groups
//!   and usernames, reserved prefixes, templates, account ids) and its predicates.
//!
//! The model imports no feature module (`load`, `rules`, `render`, `diff`, `lint`): they all
//! import it.

pub mod access;
pub mod access_entries;
pub mod cluster;
pub mod effective;
pub mod identity;
pub mod principal;
pub mod rbac;

pub use principal::{Enclosing, Principal};

use std::sync::Arc;

use serde::Serialize;

use crate::source::{SourceFile, Span};
use crate::yaml::scalar_map::ScalarMap;
use crate::yaml::v2_error;
use crate::yaml::{Node, Style, SyntaxError};

/// What kind of object a mapping source is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// A `ConfigMap` (named `aws-auth`, or holding its data keys).
    #[serde(rename = "configmap")]
    ConfigMap,
    /// An eksctl `ClusterConfig` with `iamIdentityMappings`.
    Eksctl,
    /// A bare `mapRoles:`/`mapUsers:` mapping without a `ConfigMap` around it (values files,
    /// Terraform fragments, `data:` patches).
    Fragment,
    /// A Terraform resource (`kubernetes_config_map`, `kubernetes_config_map_v1`,
    /// `kubernetes_config_map_v1_data`) or module (terraform-aws-modules/eks) that writes
    /// aws-auth; [`AwsAuth::terraform`] says which and how.
    Terraform,
    /// A Cluster API AWS (CAPA) `AWSManagedControlPlane` (or its template) with
    /// `spec.iamAuthenticatorConfig`: CAPA adds its mappings to aws-auth and never removes one.
    Capa,
    /// An aws-iam-authenticator `IAMIdentityMapping` object (`iamauthenticator.k8s.aws`), read
    /// only by an authenticator with the `CRD` backend mode.
    #[serde(rename = "iam-identity-mapping")]
    IamIdentityMapping,
}

impl SourceKind {
    /// What the cluster makes of a source of this kind, when it is not what an aws-auth
    /// `ConfigMap` is (for `inspect`).
    pub fn note(self) -> Option<&'static str> {
        match self {
            Self::ConfigMap | Self::Eksctl | Self::Fragment | Self::Terraform => None,
            Self::Capa => Some(
                "CAPA adds these mappings to aws-auth beside what is there (and maps its node roles itself); it never removes a mapping, also not one deleted from the spec",
            ),
            Self::IamIdentityMapping => Some(
                "read only by an aws-iam-authenticator started with `CRD` in `--backend-mode` (not EKS's); the first backend in that list with a mapping of the ARN wins",
            ),
        }
    }
}

/// The three data keys the authenticator reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum SectionKind {
    /// `mapRoles`
    #[serde(rename = "mapRoles")]
    MapRoles,
    /// `mapUsers`
    #[serde(rename = "mapUsers")]
    MapUsers,
    /// `mapAccounts`
    #[serde(rename = "mapAccounts")]
    MapAccounts,
}

impl SectionKind {
    /// All three, in the order the authenticator parses them does not matter; this is display order.
    pub const ALL: [Self; 3] = [Self::MapRoles, Self::MapUsers, Self::MapAccounts];

    /// The data key, exactly as the authenticator spells it.
    pub fn key(self) -> &'static str {
        match self {
            Self::MapRoles => "mapRoles",
            Self::MapUsers => "mapUsers",
            Self::MapAccounts => "mapAccounts",
        }
    }

    /// The section for an exact data key.
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.key() == key)
    }

    /// The ARN field of this section's entries.
    pub fn arn_key(self) -> &'static str {
        match self {
            Self::MapRoles => "rolearn",
            Self::MapUsers => "userarn",
            Self::MapAccounts => "account",
        }
    }
}

/// A string value with the outer-file span it was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The value as the authenticator stores it.
    pub value: String,
    /// Where it was written.
    pub span: Span,
}

/// The `sso:` matcher of a mapRoles entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Sso {
    /// `permissionSetName`
    #[serde(rename = "permissionSetName")]
    pub permission_set_name: String,
    /// `accountID`
    #[serde(rename = "accountID")]
    pub account_id: String,
    /// `partition` (may be empty)
    pub partition: String,
}

/// What became of an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Stored by the authenticator.
    Effective,
    /// Rejected by validation; the reason is the authenticator's.
    Dropped(String),
    /// A later entry with the same key replaced it.
    Shadowed {
        /// Index (in [`AwsAuth::entries`]) of the entry that wins.
        by: usize,
    },
    /// Never loaded: its section failed, or the API server rejects the `ConfigMap`.
    Lost(String),
    /// Written in a `ConfigMap` the authenticator never reads (another name or namespace than
    /// `kube-system/aws-auth`); it would be effective there.
    NotRead(String),
}

impl Status {
    /// Whether the entry is stored, or would be if the authenticator read its object: what a
    /// rule about the content of the mappings looks at.
    pub fn is_kept(&self) -> bool {
        matches!(self, Self::Effective | Self::NotRead(_))
    }
}

/// One item of `mapRoles`/`mapUsers` (or of eksctl's `iamIdentityMappings`).
#[derive(Debug, Clone)]
pub struct Entry {
    /// The section it belongs to (for eksctl: where eksctl would write it).
    pub section: SectionKind,
    /// 0-based index within its section.
    pub index: usize,
    /// Outer span of the whole item.
    pub span: Span,
    /// The role or user ARN after decoding (`None` when absent or empty).
    pub arn: Option<Field>,
    /// The SSO matcher, for `sso:` role entries.
    pub sso: Option<Sso>,
    /// The username after decoding.
    pub username: Option<Field>,
    /// The groups after decoding (non-string items are empty strings, as in Go).
    pub groups: Vec<Field>,
    /// What the authenticator does with it.
    pub status: Status,
    /// eksctl only: a note on how eksctl creates the mapping (service mappings).
    pub note: Option<String>,
    /// eksctl only: the `serviceName` and `namespace` of a service mapping.
    pub service: Option<(String, String)>,
}

impl Entry {
    /// The username as stored: empty when absent.
    pub fn username_value(&self) -> String {
        self.username
            .as_ref()
            .map(|u| u.value.clone())
            .unwrap_or_default()
    }

    /// The key the authenticator stores the entry under (roles: lowercased ARN or SSO matcher;
    /// users: the exact ARN), as a [`Principal`].
    pub fn principal(&self) -> Option<Principal> {
        Principal::of_entry(self)
    }

    /// [`Entry::principal`] as text.
    pub fn key(&self) -> Option<String> {
        self.principal().map(|p| p.to_string())
    }
}

/// One `mapAccounts` item.
#[derive(Debug, Clone)]
pub struct Account {
    /// The account as stored (yaml.v2 keeps the raw text of any scalar).
    pub value: String,
    /// Where it was written.
    pub span: Span,
    /// Whether it is stored (items that are not scalars are skipped).
    pub stored: bool,
}

/// Why a section does not load normally.
#[derive(Debug, Clone, PartialEq)]
pub enum SectionState {
    /// Parsed and decoded.
    Loaded,
    /// Empty, or one of the `''`, `""`, two-backtick values the authenticator skips.
    Skipped,
    /// A YAML syntax error: the whole section is dropped.
    SyntaxError {
        /// The parser's message.
        message: String,
        /// Outer span of what to point at: where yaml.v2 stops, or what it stops because of
        /// (the opening of a quote or bracket never closed, a key without `:`).
        span: Span,
        /// What the span shows, for its label.
        label: String,
        /// What the authenticator logs, when awsauth can tell.
        log: Option<Log>,
    },
    /// The YAML parses but yaml.v2/JSON conversion fails: the whole section is dropped.
    ConversionError {
        /// Why.
        message: String,
        /// Outer span of the offending node.
        span: Span,
        /// A mapping used as a key, typically an unquoted `{{...}}` template.
        template: bool,
        /// What the authenticator logs, when awsauth can tell (such errors name no line).
        log: Option<Log>,
    },
    /// Valid YAML, but not a list: nothing loads.
    NotList {
        /// The YAML type found.
        found: &'static str,
        /// Outer span of the value.
        span: Span,
    },
}

/// The error the authenticator logs for a lost section (`ParseMap` logs what yaml.v2,
/// `sigs.k8s.io/yaml` or `encoding/json` returned).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Log {
    /// The text, e.g. `yaml: line 4: found character that cannot start any token`.
    pub text: String,
    /// Outer span of what the text is about: for a syntax error, the mark whose line the text
    /// prints (`None` when it prints none); for a conversion error, the offending node.
    pub span: Option<Span>,
    /// For a text that prints a line: the 1-based line of the section's value it refers to
    /// (yaml.v2 prints parser errors' lines counted from 0, one less).
    pub line: Option<usize>,
}

impl Log {
    /// How the text's `line N` relates to the file, for a note: yaml.v2 counts the lines of
    /// the section's value (`key`), from 0 for parser errors; `exact`: whether the value's
    /// positions map exactly to the file.
    pub fn line_note(&self, file: &SourceFile, key: &str, exact: bool) -> Option<String> {
        let real = self.line?;
        let printed: usize = self
            .text
            .strip_prefix("yaml: line ")?
            .split(':')
            .next()?
            .parse()
            .ok()?;
        let counted = if printed + 1 == real {
            format!(
                "`line {printed}` in the log counts the lines of the `{key}` value from 0, as yaml.v2 does for this kind of error"
            )
        } else {
            format!("`line {printed}` in the log counts the lines of the `{key}` value")
        };
        let here = match &self.span {
            Some(at) if exact => {
                format!(": it is line {} of this file", file.line_col(at.start).line)
            }
            _ => String::new(),
        };
        Some(format!("{counted}{here}"))
    }
}

/// A problem found while decoding a field or an item, which the authenticator tolerates.
#[derive(Debug, Clone)]
pub struct DecodeIssue {
    /// Outer span of the offending value.
    pub span: Span,
    /// What happened.
    pub kind: DecodeIssueKind,
}

/// The kinds of [`DecodeIssue`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeIssueKind {
    /// A field got a value of the wrong type (or null) and was left empty.
    TypeMismatch {
        /// The field (lowercase name).
        field: String,
        /// The type that was expected.
        expected: &'static str,
        /// The YAML 1.1 type found.
        found: &'static str,
        /// The text as written.
        text: String,
    },
    /// A list item is not a mapping: the entry cannot hold an ARN.
    ItemNotMapping {
        /// The YAML type found.
        found: &'static str,
    },
    /// The same key twice in one entry (compared case-insensitively).
    DuplicateKey {
        /// The key as written the second time.
        key: String,
        /// Where it was first written.
        first: Span,
    },
}

/// One of `mapRoles`, `mapUsers`, `mapAccounts` inside a `ConfigMap`.
#[derive(Debug, Clone)]
pub struct Section {
    /// Which one.
    pub kind: SectionKind,
    /// Outer span of the data key.
    pub key_span: Span,
    /// Outer span of the string value.
    pub value_span: Span,
    /// How the string is written.
    pub style: Style,
    /// The decoded string: the nested YAML document.
    pub text: String,
    /// Maps offsets in `text` to the outer file.
    pub map: ScalarMap,
    /// Whether and how it loads.
    pub state: SectionState,
    /// The parsed nested document (inner offsets), when it parsed.
    pub root: Option<Node>,
    /// Problems the authenticator tolerates.
    pub issues: Vec<DecodeIssue>,
}

impl Section {
    /// The outer span of an inner span, widened to whole characters (a parse error's one-byte
    /// span may end inside a multi-byte character, and so would its outer span).
    pub fn outer(&self, inner: &Span) -> Span {
        let text = &self.text;
        let mut start = inner.start;
        while start < text.len() && !text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = inner.end;
        while end < text.len() && !text.is_char_boundary(end) {
            end += 1;
        }
        self.map.outer_span(&(start..end))
    }

    /// The inner node of the entry at `index`, when the section parsed as a list.
    pub fn item(&self, index: usize) -> Option<&Node> {
        self.root.as_ref()?.as_seq()?.get(index)
    }

    /// Why the section does not load, in a few words with the line: `YAML error at line 12:
    /// ...`; `None` when it loads.
    pub fn why_lost(&self, file: &SourceFile) -> Option<String> {
        let line = |span: &Span| file.line_col(span.start).line;
        Some(match &self.state {
            SectionState::SyntaxError {
                message, span, log, ..
            } => match log {
                Some(log) => format!(
                    "YAML error at line {}; the authenticator logs `{}`",
                    line(span),
                    log.text
                ),
                None => format!("YAML error at line {}: {message}", line(span)),
            },
            SectionState::ConversionError { span, template, .. } => {
                let what = if *template {
                    "an unquoted `{{...}}` template"
                } else {
                    "a value JSON cannot hold"
                };
                format!("{what} at line {} cannot be converted", line(span))
            }
            SectionState::NotList { found, span } => {
                format!("a {found} at line {}, not a list", line(span))
            }
            SectionState::Loaded | SectionState::Skipped => return None,
        })
    }

    /// The state of a section that does not parse (`e`: granit-parser's error), explained as
    /// yaml.v2 reports it.
    pub fn syntax_error(&self, e: &SyntaxError) -> SectionState {
        let x = v2_error::explain(&self.text, e, self.reads_as_json());
        SectionState::SyntaxError {
            message: x.message,
            span: self.outer(&x.primary),
            label: x.label,
            log: x.log.map(|l| Log {
                text: l.text,
                span: l.mark.map(|m| self.outer(&m)),
                line: l.line,
            }),
        }
    }

    /// What the authenticator logs for a section whose document (`root`) parses but does
    /// not convert, when awsauth can tell.
    pub fn conversion_log(&self, root: Option<&Node>) -> Option<Log> {
        if self.reads_as_json() {
            return None;
        }
        let (text, span) = v2_error::conversion_log(root?)?;
        Some(Log {
            text,
            span: Some(self.outer(&span)),
            line: None,
        })
    }

    /// Whether the authenticator hands the value to `encoding/json` as it is (`ToJSON` passes
    /// a value starting with `{` through), so that its errors are not yaml.v2's.
    fn reads_as_json(&self) -> bool {
        self.kind != SectionKind::MapAccounts
            && self
                .text
                .trim_start_matches(char::is_whitespace)
                .starts_with('{')
    }

    /// Whether the whole section is dropped.
    pub fn is_lost(&self) -> bool {
        matches!(
            self.state,
            SectionState::SyntaxError { .. }
                | SectionState::ConversionError { .. }
                | SectionState::NotList { .. }
        )
    }
}

/// A data value that is not a string: the API server rejects the whole `ConfigMap`.
#[derive(Debug, Clone)]
pub struct Rejection {
    /// The data key.
    pub key: String,
    /// Outer span of the key.
    pub key_span: Span,
    /// Outer span of the value.
    pub value_span: Span,
    /// The YAML type found.
    pub found: &'static str,
}

/// A mapping that survives, as stored by the authenticator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EffectiveRole {
    /// `rolearn` (absent for SSO matchers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rolearn: Option<String>,
    /// The SSO matcher.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sso: Option<Sso>,
    /// Username template.
    pub username: String,
    /// Group templates.
    pub groups: Vec<String>,
}

/// A user mapping as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EffectiveUser {
    /// `userarn`
    pub userarn: String,
    /// Username template.
    pub username: String,
    /// Group templates.
    pub groups: Vec<String>,
}

/// What the authenticator stores for one `ConfigMap`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Effective {
    /// Role mappings, sorted by key.
    pub roles: Vec<EffectiveRole>,
    /// User mappings, sorted by key.
    pub users: Vec<EffectiveUser>,
    /// Accounts, in order.
    pub accounts: Vec<String>,
}

/// One aws-auth mapping source: a `ConfigMap`, an eksctl config or a fragment.
#[derive(Debug, Clone)]
pub struct AwsAuth {
    /// The file it was read from.
    pub file: Arc<SourceFile>,
    /// 0-based document index in the file.
    pub document: usize,
    /// What it is.
    pub kind: SourceKind,
    /// Outer span of the object (the document root, or the `kind: List` item).
    pub span: Span,
    /// `metadata.name`, when present.
    pub name: Option<Field>,
    /// `metadata.namespace`, when present.
    pub namespace: Option<Field>,
    /// `name`/`namespace` keys that should sit under `metadata` but ended up elsewhere (bad
    /// indentation), with their key.
    pub misplaced_metadata: Vec<(&'static str, Field)>,
    /// Span of the `metadata` key, when present.
    pub metadata_span: Option<Span>,
    /// The `awsauth.dev/ignore` annotation (a suppression for generated manifests).
    pub ignore_annotation: Option<Field>,
    /// Data values that are not strings.
    pub rejected: Vec<Rejection>,
    /// Every key of `data` (the last of duplicates), with its span.
    pub data_keys: Vec<Field>,
    /// The sections found.
    pub sections: Vec<Section>,
    /// Role and user entries of all sections, in source order per section.
    pub entries: Vec<Entry>,
    /// mapAccounts items.
    pub accounts: Vec<Account>,
    /// Problems in the object itself (duplicate keys in `data` or `metadata`).
    pub issues: Vec<DecodeIssue>,
    /// What the authenticator stores.
    pub effective: Effective,
    /// For a Terraform source: its address, how it writes the object, and what is not known.
    pub terraform: Option<Box<Terraform>>,
}

/// What a Terraform source is and how it writes aws-auth.
#[derive(Debug, Clone, Default)]
pub struct Terraform {
    /// The address: `kubernetes_config_map_v1_data.aws_auth`, `module.eks`.
    pub address: String,
    /// What it is, for people: `kubernetes_config_map_v1_data`, `terraform-aws-modules/eks v19`.
    pub what: String,
    /// When it replaces the keys it writes, or the whole object, whatever EKS wrote there (for
    /// managed node groups and Fargate profiles): how, and where that is said.
    pub overwrites: Option<Overwrite>,
    /// Parts of the mappings not known from the repository.
    pub unknowns: Vec<UnknownPart>,
    /// Node roles the module adds on its own (for node groups it creates), with where their
    /// node groups are declared.
    pub module_node_roles: Vec<Field>,
}

/// How a Terraform source replaces what EKS wrote in aws-auth.
#[derive(Debug, Clone)]
pub struct Overwrite {
    /// How, for people (`` `force = true` takes over the keys it writes ``), and where that is
    /// written.
    pub how: Field,
    /// Whether it replaces only the data keys it writes (`kubernetes_config_map_v1_data` with
    /// `force`), not the whole object.
    pub keys_only: bool,
}

/// A part of a Terraform source not known from the repository (a variable without a value, a
/// data source, another module's output): what it is written as, why it is not known, and
/// which section it would add to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownPart {
    /// The section it belongs to (none: the whole `data`).
    pub section: Option<SectionKind>,
    /// The expression's text.
    pub expr: String,
    /// Why it is not known.
    pub why: String,
    /// Where it is written.
    pub span: Span,
}

impl AwsAuth {
    /// Why the authenticator never reads this object, if it does not.
    pub fn not_read_because(&self) -> Option<String> {
        if self.is_read_by_authenticator() {
            return None;
        }
        let namespace = self
            .namespace
            .as_ref()
            .map_or("(no namespace)", |n| n.value.as_str());
        Some(match &self.name {
            Some(name) => format!(
                "the authenticator reads only `kube-system/aws-auth`, and this is `{namespace}/{}`",
                name.value
            ),
            None => {
                "the ConfigMap has no name; the authenticator reads only `kube-system/aws-auth`"
                    .to_owned()
            }
        })
    }

    /// Whether the authenticator would ever read this object (a `ConfigMap` named `aws-auth` in
    /// `kube-system`, or with no namespace yet).
    pub fn is_read_by_authenticator(&self) -> bool {
        !matches!(self.kind, SourceKind::ConfigMap | SourceKind::Terraform)
            || (self.name.as_ref().is_some_and(|n| n.value == "aws-auth")
                && self
                    .namespace
                    .as_ref()
                    .is_none_or(|n| n.value == "kube-system"))
    }

    /// Whether the authenticator reads the source at all: a `ConfigMap` the API server accepts,
    /// named and placed as the authenticator reads it.
    pub fn is_loaded(&self) -> bool {
        self.rejected.is_empty() && self.is_read_by_authenticator()
    }

    /// The section of a kind, if present.
    pub fn section(&self, kind: SectionKind) -> Option<&Section> {
        self.sections.iter().find(|s| s.kind == kind)
    }
}
