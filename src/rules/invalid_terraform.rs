//! `invalid-terraform`: a Terraform file that declares aws-auth does not parse.
use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::load::FileLoad;

declare_rule! {
    /// ## What it does
    /// Reports a `.tf` file that mentions aws-auth (`aws-auth`, `aws_auth`, `map_roles`,
    /// `map_users`, `map_accounts`) but is not valid HCL, at the parser's line and column.
    ///
    /// ## Why is this bad?
    /// `terraform plan` refuses the whole configuration, so no change reaches the cluster, and
    /// awsauth cannot check the mappings the file declares.
    ///
    /// ## Example
    /// ```hcl
    /// resource "kubernetes_config_map_v1_data" "aws_auth" {
    ///   data = {
    ///     mapRoles = yamlencode([
    ///       { rolearn = "arn:aws:iam::111122223333:role/admin", username = "admin" }
    ///   }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```hcl
    /// resource "kubernetes_config_map_v1_data" "aws_auth" {
    ///   data = {
    ///     mapRoles = yamlencode([
    ///       { rolearn = "arn:aws:iam::111122223333:role/admin", username = "admin" }
    ///     ])
    ///   }
    /// }
    /// ```
    ///
    /// ## References
    /// - HCL native syntax specification (hashicorp/hcl, `hclsyntax/spec.md`)
    pub INVALID_TERRAFORM = "invalid-terraform", category: Correctness, severity: Error,
    summary: "a Terraform file that declares aws-auth is not valid HCL",
}

/// Reports the syntax errors of a relevant Terraform file.
pub fn check(load: &FileLoad, out: &mut Vec<Diagnostic>) {
    if !load.relevant || !load.terraform {
        return;
    }
    let file = &load.file;
    for err in &load.syntax_errors {
        let span = crate::rules::char_at(file, err.offset);
        let (start, end) = (span.start, span.end);
        out.push(
            Diagnostic::new(
                &INVALID_TERRAFORM,
                file,
                start..end,
                format!("invalid HCL: {}", err.message),
            )
            .label("the parser stops here")
            .help("fix the syntax (`terraform fmt` points at it too); every other aws-auth check needs the file to parse"),
        );
    }
}
