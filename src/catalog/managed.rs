//! The AWS managed policies, embedded: an index (`managed-policies.idx`) and one zlib stream per
//! document (`managed-policies.bin`), so looking one policy up inflates only that document.

use crate::policy::{PolicyDocument, PolicyError};
use flate2::read::ZlibDecoder;
use std::io::Read;
use std::sync::OnceLock;

static INDEX: &str = include_str!("data/managed-policies.idx");
static BLOB: &[u8] = include_bytes!("data/managed-policies.bin");

/// One AWS managed policy of the embedded snapshot.
#[derive(Debug, Clone)]
pub struct ManagedPolicy {
    /// Policy name (`AdministratorAccess`).
    pub name: &'static str,
    /// Its ARN.
    pub arn: &'static str,
    /// Its path (`/`, `/service-role/`, …).
    pub path: &'static str,
    /// The default version id of the snapshot.
    pub version: &'static str,
    offset: usize,
    len: usize,
}

impl ManagedPolicy {
    /// The policy document as minified JSON.
    pub fn document_json(&self) -> String {
        let mut out = String::new();
        ZlibDecoder::new(&BLOB[self.offset..self.offset + self.len])
            .read_to_string(&mut out)
            .expect("embedded managed policy inflates");
        out
    }

    /// The parsed default document.
    pub fn document(&self) -> Result<PolicyDocument, PolicyError> {
        PolicyDocument::parse(&self.document_json())
    }
}

/// All AWS managed policies, sorted by name.
pub fn all() -> &'static [ManagedPolicy] {
    static ALL: OnceLock<Vec<ManagedPolicy>> = OnceLock::new();
    ALL.get_or_init(|| {
        INDEX
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .map(|l| {
                let f: Vec<&'static str> = l.split('\t').collect();
                ManagedPolicy {
                    name: f[0],
                    arn: f[1],
                    path: f[2],
                    version: f[3],
                    offset: f[4].parse().expect("index offset"),
                    len: f[5].parse().expect("index length"),
                }
            })
            .collect()
    })
}

/// Is this the ARN of an AWS managed policy (`arn:PARTITION:iam::aws:policy/...`), whether or not
/// the embedded data knows it? The one test of "AWS managed" (the guard and the sweep use it).
pub(crate) fn is_aws_managed(arn: &str) -> bool {
    aws_part(arn).is_some()
}

/// `iam::aws:policy/...` of an AWS managed policy ARN, any partition.
fn aws_part(arn: &str) -> Option<&str> {
    let rest = arn.strip_prefix("arn:")?;
    let (_partition, rest) = rest.split_once(':')?;
    rest.starts_with("iam::aws:policy/").then_some(rest)
}

/// Looks up an AWS managed policy by ARN (`arn:aws:iam::aws:policy/...`, any partition).
pub(crate) fn by_arn(arn: &str) -> Option<&'static ManagedPolicy> {
    let rest = aws_part(arn)?;
    let name = rest.rsplit('/').next()?;
    by_name(name).filter(|p| p.arn.split_once(":iam::").map(|x| x.1) == Some(rest.trim_start_matches("iam::")))
}

/// Looks up an AWS managed policy by name (exact case).
pub(crate) fn by_name(name: &str) -> Option<&'static ManagedPolicy> {
    let all = all();
    all.binary_search_by(|p| p.name.cmp(name)).ok().map(|i| &all[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups() {
        assert_eq!(all().len(), 1595);
        let admin = by_arn("arn:aws:iam::aws:policy/AdministratorAccess").unwrap();
        assert_eq!(admin.name, "AdministratorAccess");
        assert!(admin.document_json().contains("\"Action\":\"*\""));
        let basic = by_arn("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole").unwrap();
        assert_eq!(basic.path, "/service-role/");
        assert!(by_arn("arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole").is_none(), "path must match");
        assert!(by_arn("arn:aws:iam::123456789012:policy/AdministratorAccess").is_none());
        assert!(by_arn("arn:aws-us-gov:iam::aws:policy/AdministratorAccess").is_some());
        assert!(by_name("NoSuchPolicy").is_none());
        assert!(is_aws_managed("arn:aws-cn:iam::aws:policy/NotYetEmbedded"));
        assert!(!is_aws_managed("arn:aws:iam::123456789012:policy/AdministratorAccess"));
    }
}
