//! awsauth: lint and diff the Amazon EKS `aws-auth` ConfigMap where it lives, in Git.
pub mod arn;
pub mod cli;
pub mod diagnostic;
pub mod discover;
pub mod load;
pub mod model;
mod par;
pub mod rbac;
pub mod registry;
pub mod render;
pub mod rules;
pub mod source;
pub mod yaml;
