//! iam-guard: judges IAM changes against least-privilege rules and answers them.
pub mod catalog;
pub mod config;
pub mod policy;
pub mod rules;
