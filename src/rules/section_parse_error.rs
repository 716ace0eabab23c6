//! `section-parse-error`: the nested YAML of a section does not parse; the section is lost.
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::{AwsAuth, SectionKind, SectionState};
use crate::rules::lost_mappings;

declare_rule! {
    /// ## What it does
    /// Reports a `mapRoles`, `mapUsers` or `mapAccounts` string whose nested YAML does not
    /// parse as Go's yaml.v2 parses it: tabs, bad indentation, an unterminated quote, a mapping
    /// after a list, a float JSON cannot hold (`.nan`, `.inf`), a merge of a non-mapping.
    ///
    /// The finding quotes the error the authenticator logs, such as `yaml: line 4: found
    /// character that cannot start any token`, and points where that error points. yaml.v2
    /// numbers the lines of the string, not of the file, and counts them from 0 for parser
    /// errors (`did not find expected key`, ...), so those name the line before; an error on
    /// the string's first line names none. An unclosed quote or bracket is shown where it opens,
    /// with the log's own position (the end of the string) as a second label.
    ///
    /// ## Why is this bad?
    /// The authenticator drops the **whole section** and keeps going: every role mapping is gone,
    /// node roles included, so nodes go `NotReady` and people are locked out. The store is replaced,
    /// not merged, so the previous good mappings are lost too. The error only appears in the
    /// control plane's authenticator log.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata:
    ///   name: aws-auth
    ///   namespace: kube-system
    /// data:
    ///   mapRoles: |
    ///     - rolearn: arn:aws:iam::111122223333:role/node
    ///       username: system:node:{{EC2PrivateDNSName}}
    ///     groups: [system:bootstrappers, system:nodes]
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata:
    ///   name: aws-auth
    ///   namespace: kube-system
    /// data:
    ///   mapRoles: |
    ///     - rolearn: arn:aws:iam::111122223333:role/node
    ///       username: system:node:{{EC2PrivateDNSName}}
    ///       groups: [system:bootstrappers, system:nodes]
    /// ```
    ///
    /// ## References
    /// - aws-iam-authenticator `ParseMap` ("Only saving data that was good"), PR #607
    pub SECTION_PARSE_ERROR = "section-parse-error", category: Correctness, severity: Error,
    summary: "a section's nested YAML does not parse; every mapping in it is lost",
}

/// "1 role mapping" / "3 role mappings"
fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// Reports sections lost to a syntax or conversion error (unquoted templates have their own rule).
pub fn check(obj: &AwsAuth, out: &mut Vec<Diagnostic>) {
    for section in &obj.sections {
        let (message, span, label, log, syntax) = match &section.state {
            SectionState::SyntaxError {
                message,
                span,
                label,
                log,
            } => (message, span, label.as_str(), log.as_ref(), true),
            SectionState::ConversionError {
                message,
                span,
                template: false,
                log,
            } => (
                message,
                span,
                "the nested YAML breaks here",
                log.as_ref(),
                false,
            ),
            _ => continue,
        };
        let key = section.kind.key();
        let kind = match section.kind {
            SectionKind::MapRoles => "role mapping",
            SectionKind::MapUsers => "user mapping",
            SectionKind::MapAccounts => "account",
        };
        // every mapping written in the section is lost: decoded (when the YAML parsed and only
        // its conversion failed) or re-read item by item (when it does not parse)
        let (count_lost, nodes) = lost_mappings(obj, section.kind);
        let lost = count(count_lost, kind);
        // a syntax error's log says what the parser's message says
        let mut text = match log {
            Some(log) if syntax => format!(
                "`{key}` does not parse; the authenticator logs `{}`",
                log.text
            ),
            Some(log) => format!(
                "`{key}` does not parse ({message}); the authenticator logs `{}`",
                log.text
            ),
            None => format!("`{key}` does not parse ({message});"),
        };
        text.push_str(if log.is_some() {
            " and drops the whole section"
        } else {
            " the authenticator drops the whole section"
        });
        if !lost.starts_with("0 ") {
            text.push_str(&format!(": {lost} lost"));
        }
        if !nodes.is_empty() {
            text.push_str(&format!(
                ", including node role{} {}",
                if nodes.len() == 1 { "" } else { "s" },
                nodes
                    .iter()
                    .map(|a| format!("`{a}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        let mut d =
            Diagnostic::new(&SECTION_PARSE_ERROR, &obj.file, span.clone(), text).label(label);
        if let Some(log) = log
            && let Some(at) = &log.span
            && at != span
        {
            d = d.secondary(
                at.clone(),
                format!("the authenticator's log says `{}`", log.text),
            );
        }
        d = d.secondary(
            section.key_span.clone(),
            format!("every mapping of `{key}` is lost"),
        );
        d = if section.text.contains('\t') && (message.contains("tab") || label.contains("tab")) {
            d.help("replace the tabs in the nested YAML with spaces")
        } else {
            d.help(format!("fix the nested YAML; check it with `awsauth inspect` before applying: a broken `{key}` locks nodes and people out"))
        };
        if let Some(note) = log.and_then(|l| l.line_note(&obj.file, key, section.map.is_exact())) {
            d = d.note(note);
        }
        if !section.map.is_exact() {
            d = d.note("the position is approximate: the value uses escapes, so awsauth points at its start");
        }
        out.push(d);
    }
}
