//! `section-parse-error`: the nested YAML of a section does not parse; the section is lost.
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::{AwsAuth, SectionKind, SectionState};
use crate::rules::is_node_mapping;

declare_rule! {
    /// ## What it does
    /// Reports a `mapRoles`, `mapUsers` or `mapAccounts` string whose nested YAML does not
    /// parse as Go's yaml.v2 parses it: tabs, bad indentation, an unterminated quote, a mapping
    /// after a list, a float JSON cannot hold (`.nan`, `.inf`), a merge of a non-mapping.
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
        let (message, span) = match &section.state {
            SectionState::SyntaxError { message, span } => (message.clone(), span.clone()),
            SectionState::ConversionError {
                message,
                span,
                template: false,
            } => (message.clone(), span.clone()),
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
        let (count_lost, nodes): (usize, Vec<String>) = if section.kind == SectionKind::MapAccounts
        {
            (obj.accounts.len(), Vec::new())
        } else {
            let lost: Vec<_> = obj
                .entries
                .iter()
                .filter(|e| e.section == section.kind && (e.arn.is_some() || e.sso.is_some()))
                .collect();
            let nodes = lost
                .iter()
                .filter(|e| is_node_mapping(e))
                .filter_map(|e| e.arn.as_ref().map(|a| a.value.clone()))
                .collect();
            (lost.len(), nodes)
        };
        let nodes = if section.kind == SectionKind::MapRoles {
            nodes
        } else {
            Vec::new()
        };
        let lost = count(count_lost, kind);
        let mut text = if lost.starts_with("0 ") {
            format!("`{key}` does not parse ({message}); the authenticator drops the whole section")
        } else {
            format!(
                "`{key}` does not parse ({message}); the authenticator drops the whole section: {lost} lost"
            )
        };
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
        let mut d = Diagnostic::new(&SECTION_PARSE_ERROR, &obj.file, span, text)
            .label("the nested YAML breaks here")
            .secondary(
                section.key_span.clone(),
                format!("every mapping of `{key}` is lost"),
            );
        d = if section.text.contains('\t') && message.contains("tab") {
            d.help("replace the tabs in the nested YAML with spaces")
        } else {
            d.help(format!("fix the nested YAML; check it with `awsauth inspect` before applying: a broken `{key}` locks nodes and people out"))
        };
        if !section.map.is_exact() {
            d = d.note("the position is approximate: the value uses escapes, so awsauth points at its start");
        }
        out.push(d);
    }
}
