//! iam-guard: judges IAM changes against least-privilege rules and answers them.
pub mod catalog;
pub mod cli;
pub mod config;
pub mod guard;

pub mod intake;

#[cfg(feature = "aws")]
pub mod aws;
pub mod lambda;
pub mod policy;
pub mod report;
pub mod rules;
