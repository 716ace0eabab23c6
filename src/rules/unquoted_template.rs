//! `unquoted-template`: `username: {{SessionName}}` without quotes drops the whole section.
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::model::identity;
use crate::model::{AwsAuth, SectionState};

declare_rule! {
    /// ## What it does
    /// Reports a value in `mapRoles`/`mapUsers` that starts with `{` without quotes, typically
    /// `username: {{SessionName}}`.
    ///
    /// ## Why is this bad?
    /// A value starting with `{` is YAML flow-mapping syntax: `{{SessionName}}` is a mapping whose
    /// key is a mapping. yaml.v2 fails with `invalid map key` and the authenticator (master and
    /// 0.6) drops the **whole section**: every mapping in it, node roles included. On 0.5 the field
    /// is silently empty. The authenticator's README quotes the macro for this reason.
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
    ///     - rolearn: arn:aws:iam::111122223333:role/dev
    ///       username: {{SessionName}}
    ///       groups: [dev]
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
    ///     - rolearn: arn:aws:iam::111122223333:role/dev
    ///       username: "dev:{{SessionName}}"
    ///       groups: [dev]
    /// ```
    ///
    /// ## References
    /// - aws-iam-authenticator PR #454 (a production outage with `invalid map key`)
    pub UNQUOTED_TEMPLATE = "unquoted-template", category: Correctness, severity: Error,
    summary: "an unquoted `{{...}}` value makes the whole section fail to load",
}

/// Reports the template that broke a section.
pub fn check(obj: &AwsAuth, out: &mut Vec<Diagnostic>) {
    for section in &obj.sections {
        let SectionState::ConversionError {
            span,
            template: true,
            log,
            ..
        } = &section.state
        else {
            continue;
        };
        let written = obj.file.slice(span);
        let written = if section.map.is_exact() && !written.contains('\n') {
            written.to_owned()
        } else {
            "{{...}}".to_owned()
        };
        let key = section.kind.key();
        let nodes: Vec<String> = obj
            .entries
            .iter()
            .filter(|e| e.section == section.kind)
            .filter(|e| {
                e.groups.iter().any(|g| g.value == identity::SYSTEM_NODES)
                    || e.username
                        .as_ref()
                        .is_some_and(|u| u.value.starts_with(identity::NODE_USERNAME_PREFIX))
            })
            .filter_map(|e| e.arn.as_ref().map(|a| format!("`{}`", a.value)))
            .collect();
        let mut message = match log {
            Some(log) => format!(
                "unquoted `{written}` is a YAML flow mapping; the authenticator logs `{}` and drops all of `{key}`",
                log.text
            ),
            None => format!(
                "unquoted `{written}` is a YAML flow mapping; the authenticator drops all of `{key}`"
            ),
        };
        if !nodes.is_empty() {
            message.push_str(&format!(
                ", including node role{} {}",
                if nodes.len() == 1 { "" } else { "s" },
                nodes.join(", ")
            ));
        }
        let mut d = Diagnostic::new(&UNQUOTED_TEMPLATE, &obj.file, span.clone(), message)
            .label("a mapping, not a string")
            .secondary(
                section.key_span.clone(),
                format!("every mapping of `{key}` is lost"),
            )
            .help(format!("quote the value: `\"{written}\"`"));
        if !section.map.is_exact() {
            d = d.note("the position is approximate: the value uses escapes, so awsauth points at its start");
        }
        out.push(d);
    }
}
