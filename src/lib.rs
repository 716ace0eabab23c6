//! awsauth: lint and diff the Amazon EKS `aws-auth` ConfigMap where it lives, in Git.
pub mod source;
pub mod yaml;
pub mod load;
pub mod model;
pub mod discover;
pub mod diagnostic;
pub mod registry;
pub mod rules;
pub mod render;
pub mod cli;
