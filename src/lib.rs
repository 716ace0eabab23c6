//! awsauth: lint and diff the Amazon EKS `aws-auth` ConfigMap where it lives, in Git.
pub mod arn;
pub mod baseline;
pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod discover;
pub mod lint;
pub mod load;
pub mod model;
pub mod policy;
pub mod rbac;
pub mod registry;
pub mod render;
pub mod rules;
pub mod source;
pub mod suppress;
pub mod yaml;
