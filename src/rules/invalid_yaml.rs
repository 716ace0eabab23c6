//! `invalid-yaml`: a file that mentions aws-auth does not parse.
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::load::FileLoad;

declare_rule! {
    /// ## What it does
    /// Reports a file that mentions aws-auth (`aws-auth`, `mapRoles`, `mapUsers`, `mapAccounts`,
    /// `iamIdentityMappings`) but is not valid YAML or JSON, at the parser's line and column.
    ///
    /// ## Why is this bad?
    /// `kubectl apply`, kustomize and Argo CD refuse the file, so the change never reaches the
    /// cluster; if it is fixed by hand under pressure, the nested mappings are the next thing to break.
    /// A manifest whose indentation was lost when pasted from a web page is the usual cause.
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
    ///  mapUsers: [
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
    /// - YAML 1.1 as parsed by Go's `gopkg.in/yaml.v2` (the library kubectl and the authenticator use)
    pub INVALID_YAML = "invalid-yaml", category: Correctness, severity: Error,
    summary: "a file that mentions aws-auth is not valid YAML or JSON",
}

/// Share of indented lines below which a multi-line manifest looks flattened.
fn looks_flattened(text: &str) -> bool {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .collect();
    let indented = lines.iter().filter(|l| l.starts_with([' ', '\t'])).count();
    let parents = lines
        .iter()
        .filter(|l| l.trim_end().ends_with(':') || l.trim_end().ends_with('|'))
        .count();
    lines.len() >= 4 && parents >= 2 && indented * 10 <= lines.len()
}

/// Reports the outer syntax errors of a relevant, non-templated file.
pub fn check(load: &FileLoad, out: &mut Vec<Diagnostic>) {
    if !load.relevant || load.template.is_some() || load.terraform {
        return;
    }
    let file = &load.file;
    for err in &load.syntax_errors {
        let span = crate::rules::char_at(file, err.offset);
        let (start, end) = (span.start, span.end);
        let mut d = Diagnostic::new(
            &INVALID_YAML,
            file,
            start..end,
            format!("invalid YAML: {}", err.message),
        )
        .label("the parser stops here");
        d = if looks_flattened(&file.text) {
            d.help("the indentation of this file seems to be lost (almost every line starts at column 1), as happens when a manifest is pasted from a web page; restore the nesting under `metadata:` and `data:`")
        } else if file.text[file.line_span(file.line_col(start).line)].contains('\t') {
            d.help("YAML does not allow tabs for indentation; indent with spaces")
        } else {
            d.help("fix the syntax; every other aws-auth check needs the file to parse")
        };
        out.push(d);
    }
}
