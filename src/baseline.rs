//! Baselines: `awsauth lint --write-baseline FILE` records the current findings, `--baseline
//! FILE` reports only findings not in it. A finding is identified by its rule, its file (relative
//! to the baseline's directory) and its principal (role or user ARN, SSO matcher, account or
//! section), never by a line number, so edits above an entry do not bring it back.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::diagnostic::Diagnostic;

/// The file format (version 1).
#[derive(Debug, Serialize, Deserialize)]
pub struct BaselineFile {
    /// Format version.
    pub version: u32,
    /// Recorded findings.
    pub findings: Vec<Entry>,
}

/// One recorded finding.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Entry {
    /// Rule or policy id.
    pub rule: String,
    /// File, relative to the baseline's directory, with `/`.
    pub file: String,
    /// What the finding is about (principal, or the offending text).
    pub principal: String,
    /// A stable hash of the three fields above.
    pub fingerprint: String,
    /// The message when recorded (informative only).
    pub message: String,
}

/// FNV-1a, 64 bits: stable across Rust releases and platforms, unlike `DefaultHasher` (each
/// part ends with a zero byte, so parts cannot run into each other).
pub fn fnv1a(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain(std::iter::once(0)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// The principal of a finding, or its offending text when it has none.
pub fn subject(d: &Diagnostic) -> String {
    d.principal.clone().unwrap_or_else(|| {
        let text: String = d.file.slice(&d.span).trim().chars().take(120).collect();
        format!("text:{text}")
    })
}

/// The file name as recorded: relative to `base` when inside it, `/`-separated.
pub fn file_key(name: &str, base: &Path) -> String {
    let path = Path::new(name);
    let rel = if path.exists() {
        crate::paths::relative_from(path, base)
    } else {
        PathBuf::from(name)
    };
    rel.to_string_lossy().replace('\\', "/")
}

/// The fingerprint of a finding.
pub fn fingerprint(d: &Diagnostic, base: &Path) -> String {
    let file = file_key(&d.file.name, base);
    format!("{:016x}", fnv1a(&[d.rule.name, &file, &subject(d)]))
}

/// The baseline of `diagnostics`, with paths relative to `base`.
pub fn build(diagnostics: &[Diagnostic], base: &Path) -> BaselineFile {
    let mut findings: Vec<Entry> = diagnostics
        .iter()
        .map(|d| Entry {
            rule: d.rule.name.to_owned(),
            file: file_key(&d.file.name, base),
            principal: subject(d),
            fingerprint: fingerprint(d, base),
            message: d.message.clone(),
        })
        .collect();
    findings
        .sort_by(|a, b| (&a.file, &a.rule, &a.principal).cmp(&(&b.file, &b.rule, &b.principal)));
    BaselineFile {
        version: 1,
        findings,
    }
}

/// Reads a baseline file.
pub fn read(path: &Path) -> Result<BaselineFile, String> {
    let bytes = crate::untrusted::read_regular(path, crate::untrusted::BASELINE_CAP)
        .map_err(|e| format!("cannot read baseline `{}`: {e}", path.display()))?;
    // serde's message can quote the file: not shown when it is no baseline at all
    let b: BaselineFile = match serde_json::from_slice(&bytes) {
        Ok(b) => b,
        Err(e) if looks_like_baseline(&bytes) => {
            return Err(format!(
                "`{}` is not a valid awsauth baseline: {e}",
                path.display()
            ));
        }
        Err(e) => {
            return Err(format!(
                "`{}` is not an awsauth baseline (line {}: not a JSON object with `version` and `findings`; its content is not shown)",
                path.display(),
                e.line()
            ));
        }
    };
    if b.version != 1 {
        return Err(format!(
            "`{}`: unsupported baseline version {}",
            path.display(),
            b.version
        ));
    }
    Ok(b)
}

/// Whether `bytes` are a JSON object with the keys of a baseline (so a parse error's message,
/// which may quote the file, is about a baseline and can be shown).
fn looks_like_baseline(bytes: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(bytes)
        .is_ok_and(|m| m.contains_key("version") && m.contains_key("findings"))
}

/// Removes the findings recorded in `baseline` (each recorded finding hides one finding with
/// the same fingerprint); returns how many were hidden.
pub fn filter(diagnostics: &mut Vec<Diagnostic>, baseline: &BaselineFile, base: &Path) -> usize {
    let mut budget: HashMap<&str, usize> = HashMap::new();
    for f in &baseline.findings {
        *budget.entry(f.fingerprint.as_str()).or_default() += 1;
    }
    let before = diagnostics.len();
    diagnostics.retain(|d| {
        let fp = fingerprint(d, base);
        match budget.get_mut(fp.as_str()) {
            Some(n) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        }
    });
    before - diagnostics.len()
}
