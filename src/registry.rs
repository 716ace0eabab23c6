//! The rule registry: every rule's metadata, declared beside its code with [`declare_rule!`].

use crate::diagnostic::Severity;

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
}

impl Category {
    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Correctness => "correctness",
            Self::Security => "security",
            Self::Hygiene => "hygiene",
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
}

/// Declares a rule's metadata from its doc comment.
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        pub $name:ident = $id:literal, category: $cat:ident, severity: $sev:ident, summary: $summary:literal,
    ) => {
        $(#[doc = $doc])*
        pub static $name: $crate::registry::Rule = $crate::registry::Rule {
            name: $id,
            category: $crate::registry::Category::$cat,
            severity: $crate::diagnostic::Severity::$sev,
            summary: $summary,
            explanation: concat!($($doc, "\n"),*),
            location: concat!(file!(), "#L", line!()),
        };
    };
}
