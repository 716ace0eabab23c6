//! `templated-file`: a template (Helm, Jinja, Terraform) that only parses once rendered.
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::load::FileLoad;

declare_rule! {
    /// ## What it does
    /// Notes a file that mentions aws-auth and contains Helm or Jinja syntax (`{{ .Values.x }}`,
    /// `{{- include ... }}`, `{% ... %}`), or that does not parse because of template syntax
    /// such as Terraform's `${var}`. The file is skipped.
    ///
    /// ## Why is this bad?
    /// It is not bad: templates are only YAML once rendered. awsauth cannot see the mappings, so it
    /// says so once instead of reporting a syntax error. Lint the rendered output instead.
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
    ///     {{- range .Values.roles }}
    ///     - rolearn: {{ .arn }}
    ///     {{- end }}
    ///   mapUsers: {{ toYaml .Values.users | indent 4 }}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// # lint what the template renders: `helm template my-release ./chart | awsauth lint -`
    /// apiVersion: v1
    /// kind: ConfigMap
    /// metadata:
    ///   name: aws-auth
    ///   namespace: kube-system
    /// data:
    ///   mapUsers: |
    ///     - userarn: arn:aws:iam::111122223333:user/ops
    ///       username: ops
    ///       groups: [ops]
    /// ```
    pub TEMPLATED_FILE = "templated-file", category: Correctness, severity: Info,
    summary: "a templated file was skipped; lint its rendered output",
}

/// Reports a relevant file that does not parse because of foreign template syntax.
pub fn check(load: &FileLoad, out: &mut Vec<Diagnostic>) {
    let Some(span) = &load.template else { return };
    if !load.relevant {
        return;
    }
    let snippet: String = load.file.slice(span).chars().take(40).collect();
    out.push(
        Diagnostic::new(
            &TEMPLATED_FILE,
            &load.file,
            span.clone(),
            format!("skipped a templated file: `{snippet}` is template syntax"),
        )
        .label("template syntax")
        .help("render it first and lint the output, e.g. `helm template . | awsauth lint -` or `kustomize build . | awsauth lint -`"),
    );
}
