//! What a rule is: its metadata ([`Rule`]: id, [`Category`], default [`Severity`], docs). A leaf
//! module: the registry declares rules with it and diagnostics point at it, and neither of the
//! two imports the other.

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing.
    Info,
    /// Risky or likely wrong.
    Warning,
    /// Will not load, will not match, or grants what must never be granted.
    Error,
}

impl Severity {
    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Warning => "warning",
            Self::Error => "error",
        }
    }
}

/// What a rule is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// Will not load or will not match as written.
    Correctness,
    /// Grants more than intended.
    Security,
    /// Consistency and audit trail.
    Hygiene,
    /// An organisation policy from the configuration.
    Policy,
}

impl Category {
    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Correctness => "correctness",
            Self::Security => "security",
            Self::Hygiene => "hygiene",
            Self::Policy => "policy",
        }
    }
}

/// A rule's metadata.
#[derive(Debug)]
pub struct Rule {
    /// Kebab-case id naming the bad pattern.
    pub name: &'static str,
    /// Category.
    pub category: Category,
    /// Default severity.
    pub severity: Severity,
    /// One-line summary.
    pub summary: &'static str,
    /// The documentation (Markdown), from the doc comment above the declaration.
    pub explanation: &'static str,
    /// Where the rule is declared.
    pub location: &'static str,
    /// Whether it runs without being selected (`prefer-access-entries` is off by default).
    pub enabled: bool,
}
