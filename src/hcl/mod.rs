//! Terraform's language (HCL), as far as awsauth needs it: parsing with byte spans
//! (`hcl-edit`), evaluating what a module directory makes knowable ([`eval`]), and rendering
//! values as `yamlencode` and `jsonencode` do ([`encode`]), every value keeping where it was
//! written ([`value`]).

pub mod encode;
pub mod value;
