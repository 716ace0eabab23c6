//! Terraform's language (HCL), as far as awsauth needs it: parsing with byte spans
//! (`hcl-edit`, [`parse`]), evaluating what a module directory makes knowable ([`eval`],
//! [`functions`]), and rendering values as `yamlencode` and `jsonencode` do ([`encode`]),
//! every value keeping where it was written ([`value`]).

pub mod encode;
pub mod eval;
pub mod functions;
pub mod json;
pub mod parse;
pub mod value;
