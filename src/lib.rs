//! iam-guard: judges IAM changes against least-privilege rules and answers them.
pub(crate) mod arn;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod engine;
pub mod eval;
pub mod graph;
pub mod guard;

pub mod intake;
pub mod inventory;
pub mod resources;

#[cfg(feature = "aws")]
pub mod aws;
pub mod lambda;
pub mod platform;
pub mod policy;
pub mod posture;
pub(crate) mod report;
pub mod rules;
pub mod severity;
pub mod suggest;
pub(crate) mod template;
