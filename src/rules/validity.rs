//! The vocabulary the validity rules (`policy-invalid`, `policy-ineffective`) check a document
//! against, after IAM's policy grammar and the checks of IAM Access Analyzer's policy validation:
//! condition operators, the global condition keys and their types, ARN syntax, whether a policy's
//! resource pattern can name a resource of a type, and "did you mean" for misspellings.

use crate::catalog::KeyType;
pub(crate) use crate::policy::spelling::nearest;

/// The base condition operators (before `IfExists` and the `ForAllValues:` / `ForAnyValue:`
/// qualifiers), with the value type each compares.
const OPERATORS: &[(&str, Operand)] = &[
    ("StringEquals", Operand::String),
    ("StringNotEquals", Operand::String),
    ("StringEqualsIgnoreCase", Operand::String),
    ("StringNotEqualsIgnoreCase", Operand::String),
    ("StringLike", Operand::String),
    ("StringNotLike", Operand::String),
    ("NumericEquals", Operand::Numeric),
    ("NumericNotEquals", Operand::Numeric),
    ("NumericLessThan", Operand::Numeric),
    ("NumericLessThanEquals", Operand::Numeric),
    ("NumericGreaterThan", Operand::Numeric),
    ("NumericGreaterThanEquals", Operand::Numeric),
    ("DateEquals", Operand::Date),
    ("DateNotEquals", Operand::Date),
    ("DateLessThan", Operand::Date),
    ("DateLessThanEquals", Operand::Date),
    ("DateGreaterThan", Operand::Date),
    ("DateGreaterThanEquals", Operand::Date),
    ("Bool", Operand::Bool),
    ("BinaryEquals", Operand::Binary),
    ("IpAddress", Operand::Ip),
    ("NotIpAddress", Operand::Ip),
    ("ArnEquals", Operand::Arn),
    ("ArnLike", Operand::Arn),
    ("ArnNotEquals", Operand::Arn),
    ("ArnNotLike", Operand::Arn),
    ("Null", Operand::Null),
];

/// What a condition operator compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Operand {
    String,
    Numeric,
    Date,
    Bool,
    Binary,
    Ip,
    Arn,
    Null,
}

/// A condition operator taken apart.
#[derive(Debug, Clone, Copy)]
pub(super) struct Operator {
    pub operand: Operand,
    pub if_exists: bool,
    /// `ForAllValues:` or `ForAnyValue:`.
    pub set: bool,
}

/// Parses a condition operator (case-insensitively, as IAM reads them); `Err` carries the
/// nearest real operator, if one is close.
pub(super) fn operator(op: &str) -> Result<Operator, Option<&'static str>> {
    // Qualifier and IfExists split as the evaluation core reads them.
    let parts = crate::eval::conditions::operator(op);
    match OPERATORS.iter().find(|(name, _)| name.eq_ignore_ascii_case(parts.base)) {
        Some((_, operand)) => {
            Ok(Operator { operand: *operand, if_exists: parts.if_exists, set: parts.for_all || parts.for_any })
        }
        None => Err(nearest(parts.base, OPERATORS.iter().map(|(n, _)| *n))),
    }
}

/// The global condition keys (IAM User Guide, "AWS global condition context keys"), with their
/// types; `…/` keys take a tag key after the slash.
const GLOBAL_KEYS: &[(&str, KeyType)] = &[
    ("aws:AssumedRoot", KeyType::Bool),
    ("aws:CalledVia", KeyType::String),
    ("aws:CalledViaFirst", KeyType::String),
    ("aws:CalledViaLast", KeyType::String),
    ("aws:ChatbotSourceArn", KeyType::Arn),
    ("aws:CurrentTime", KeyType::Date),
    ("aws:Ec2InstanceSourcePrivateIPv4", KeyType::Ip),
    ("aws:Ec2InstanceSourceVpc", KeyType::String),
    ("aws:EpochTime", KeyType::Date),
    ("aws:FederatedProvider", KeyType::String),
    ("aws:IsMcpServiceAction", KeyType::Bool),
    ("aws:MultiFactorAuthAge", KeyType::Numeric),
    ("aws:MultiFactorAuthPresent", KeyType::Bool),
    ("aws:PrincipalAccount", KeyType::String),
    ("aws:PrincipalArn", KeyType::Arn),
    ("aws:PrincipalIsAWSService", KeyType::Bool),
    ("aws:PrincipalOrgID", KeyType::String),
    ("aws:PrincipalOrgPaths", KeyType::String),
    ("aws:PrincipalServiceName", KeyType::String),
    ("aws:PrincipalServiceNamesList", KeyType::String),
    ("aws:PrincipalTag/", KeyType::String),
    ("aws:PrincipalType", KeyType::String),
    ("aws:referer", KeyType::String),
    ("aws:RequestedRegion", KeyType::String),
    ("aws:RequestTag/", KeyType::String),
    ("aws:ResourceAccount", KeyType::String),
    ("aws:ResourceOrgID", KeyType::String),
    ("aws:ResourceOrgPaths", KeyType::String),
    ("aws:ResourceTag/", KeyType::String),
    ("aws:SecureTransport", KeyType::Bool),
    ("aws:SourceAccount", KeyType::String),
    ("aws:SourceArn", KeyType::Arn),
    ("aws:SourceIdentity", KeyType::String),
    ("aws:SourceIp", KeyType::Ip),
    ("aws:SourceOrgID", KeyType::String),
    ("aws:SourceOrgPaths", KeyType::String),
    ("aws:SourceOwner", KeyType::String),
    ("aws:SourceVpc", KeyType::String),
    ("aws:SourceVpcArn", KeyType::Arn),
    ("aws:SourceVpce", KeyType::String),
    ("aws:TagKeys", KeyType::String),
    ("aws:TokenIssueTime", KeyType::Date),
    ("aws:UserAgent", KeyType::String),
    ("aws:userid", KeyType::String),
    ("aws:username", KeyType::String),
    ("aws:ViaAWSService", KeyType::Bool),
    ("aws:VpceAccount", KeyType::String),
    ("aws:VpceOrgID", KeyType::String),
    ("aws:VpceOrgPaths", KeyType::String),
    ("aws:VpcSourceIp", KeyType::Ip),
];

/// A global key's type, when `key` is one (any case; tag keys after the slash).
pub(super) fn global_key(key: &str) -> Option<KeyType> {
    GLOBAL_KEYS
        .iter()
        .find(|(name, _)| match name.strip_suffix('/') {
            Some(prefix) => {
                key.len() > name.len() && key.as_bytes()[..name.len()].eq_ignore_ascii_case(name.as_bytes())
                    || key.eq_ignore_ascii_case(prefix)
            }
            None => key.eq_ignore_ascii_case(name),
        })
        .map(|(_, t)| *t)
}

/// The known global key nearest an unknown `aws:` key, when it is close (a misspelling).
pub(super) fn nearest_global_key(key: &str) -> Option<&'static str> {
    nearest(key, GLOBAL_KEYS.iter().map(|(n, _)| n.trim_end_matches('/')))
}

/// Partitions IAM knows.
const PARTITIONS: &[&str] =
    &["aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"];

/// What is wrong with a policy's resource ARN (pattern), if anything: `*` alone and patterns with
/// policy variables or wildcards in a part are fine as far as they go.
pub(super) fn arn_problem(pattern: &str) -> Option<String> {
    if pattern == "*" || crate::template::is_placeholder(pattern) {
        return None;
    }
    if !pattern.starts_with("arn:") {
        return Some(format!("{pattern:?} is not an ARN (it must start with \"arn:\", or be \"*\")"));
    }
    let parts: Vec<&str> = pattern.splitn(6, ':').collect();
    if parts.len() < 6 {
        return Some(format!(
            "{pattern:?} has {} of an ARN's six parts (arn:partition:service:region:account:resource)",
            parts.len()
        ));
    }
    let open = |p: &str| p.contains(['*', '?']) || p.contains("${");
    let (partition, service, region, account) = (parts[1], parts[2], parts[3], parts[4]);
    if !open(partition) && !PARTITIONS.contains(&partition) {
        return Some(format!("{pattern:?}: unknown partition {partition:?}"));
    }
    if service.is_empty() {
        return Some(format!("{pattern:?}: the service part is empty"));
    }
    if !open(service) && service.bytes().any(|b| b.is_ascii_uppercase()) {
        return Some(format!("{pattern:?}: the service part must be lower case ({:?})", service.to_lowercase()));
    }
    if !open(region) && !region.is_empty() && !is_region(region) {
        return Some(format!("{pattern:?}: {region:?} is not a region"));
    }
    let digits = account.bytes().all(|b| b.is_ascii_digit());
    if !open(account) && digits && !account.is_empty() && account.len() != 12 {
        return Some(format!("{pattern:?}: account {account:?} is not 12 digits"));
    }
    None
}

/// `us-east-1`, `us-gov-west-1`, `eu-central-2`, `cn-north-1`…
fn is_region(s: &str) -> bool {
    let mut parts = s.split('-');
    let first = parts.next().unwrap_or_default();
    let rest: Vec<&str> = parts.collect();
    first.len() == 2
        && first.bytes().all(|b| b.is_ascii_lowercase())
        && rest.len() >= 2
        && rest.last().is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        && rest[..rest.len() - 1].iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
}

/// Can a policy's resource pattern name a resource of a type with this ARN format? Both sides
/// are patterns: the policy's `*`, `?` and policy variables, the format's `${Variable}`s. The
/// format's partition, region and account hold no `:`; in the resource part a name may hold
/// anything (log groups and parameters hold `/`) except where AWS's naming rules forbid `/`
/// (bucket names), which is what tells a bucket from its objects.
pub(super) fn can_name(pattern: &str, format: &str) -> bool {
    let f = format_tokens(format);
    let mut p = Vec::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(b) = rest.bytes().next() {
        if rest.starts_with("${") {
            p.push(Tok::Any);
            rest = rest.find('}').map_or("", |e| &rest[e + 1..]);
            continue;
        }
        p.push(match b {
            b'*' => Tok::Any,
            b'?' => Tok::One,
            b => Tok::Byte(b.to_ascii_lowercase()),
        });
        rest = &rest[1..];
    }
    overlap(&p, &f)
}

/// Format variables whose values cannot hold `/`.
const NO_SLASH: &[&str] = &["BucketName"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    Byte(u8),
    /// Any run of bytes.
    Any,
    /// Any run of bytes without `/` (and, in the ARN's first five parts, without `:`).
    Segment {
        colon: bool,
    },
    /// One byte.
    One,
}

fn format_tokens(format: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut rest = format;
    let mut colons = 0;
    while let Some(start) = rest.find("${") {
        colons += rest[..start].bytes().filter(|&b| b == b':').count();
        out.extend(rest[..start].bytes().map(|b| Tok::Byte(b.to_ascii_lowercase())));
        let end = rest[start..].find('}').map_or(rest.len(), |e| start + e + 1);
        let var = &rest[start + 2..end.saturating_sub(1).max(start + 2)];
        let anything = !NO_SLASH.contains(&var);
        // Partition, region and account hold no `:`; a name in the resource part no `/`.
        out.push(match (colons < 5, anything) {
            (true, _) => Tok::Segment { colon: false },
            (false, true) => Tok::Any,
            (false, false) => Tok::Segment { colon: true },
        });
        rest = &rest[end..];
    }
    out.extend(rest.bytes().map(|b| Tok::Byte(b.to_ascii_lowercase())));
    out
}

/// Is there a string both token sequences match? A search over (i, j) positions.
fn overlap(a: &[Tok], b: &[Tok]) -> bool {
    let mut seen = vec![false; (a.len() + 1) * (b.len() + 1)];
    let mut stack = vec![(0usize, 0usize)];
    while let Some((i, j)) = stack.pop() {
        let k = i * (b.len() + 1) + j;
        if seen[k] {
            continue;
        }
        seen[k] = true;
        if i == a.len() && j == b.len() {
            return true;
        }
        let (x, y) = (a.get(i).copied(), b.get(j).copied());
        // A run token may match nothing.
        if matches!(x, Some(Tok::Any | Tok::Segment { .. })) {
            stack.push((i + 1, j));
        }
        if matches!(y, Some(Tok::Any | Tok::Segment { .. })) {
            stack.push((i, j + 1));
        }
        let (Some(x), Some(y)) = (x, y) else { continue };
        if let Some(step) = one_byte(x, y) {
            stack.push(step.apply(i, j));
        }
    }
    false
}

/// How both sides move when they consume one byte together.
#[derive(Clone, Copy)]
struct Step(bool, bool);

impl Step {
    fn apply(self, i: usize, j: usize) -> (usize, usize) {
        (i + usize::from(self.0), j + usize::from(self.1))
    }
}

/// Can `x` and `y` consume one common byte, and which of them move on (a run token stays)?
fn one_byte(x: Tok, y: Tok) -> Option<Step> {
    let stays = |t: Tok| matches!(t, Tok::Any | Tok::Segment { .. });
    let fits = |t: Tok, b: u8| match t {
        Tok::Byte(c) => c == b,
        Tok::Segment { colon } => b != b'/' && (colon || b != b':'),
        Tok::Any | Tok::One => true,
    };
    let ok = match (x, y) {
        (Tok::Byte(a), t) | (t, Tok::Byte(a)) => fits(t, a),
        // Two wildcards share any byte but `/` when one is a segment.
        _ => true,
    };
    ok.then_some(Step(!stays(x), !stays(y)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators_in_any_case_with_qualifiers() {
        assert!(operator("StringEquals").is_ok());
        assert!(operator("stringlikeifexists").unwrap().if_exists);
        assert!(operator("ForAnyValue:StringLike").unwrap().set);
        assert_eq!(operator("StringEqual").unwrap_err(), Some("StringEquals"));
        assert_eq!(operator("Whatever").unwrap_err(), None);
    }

    #[test]
    fn global_keys_and_misspellings() {
        assert_eq!(global_key("aws:SourceIp"), Some(KeyType::Ip));
        assert_eq!(global_key("AWS:PrincipalTag/team"), Some(KeyType::String));
        assert_eq!(global_key("aws:SourceIP"), Some(KeyType::Ip));
        assert_eq!(global_key("aws:SorceVpce"), None);
        assert_eq!(nearest_global_key("aws:SorceVpce"), Some("aws:SourceVpce"));
        assert_eq!(nearest_global_key("aws:Frobnicate"), None);
    }

    #[test]
    fn arns() {
        assert!(arn_problem("arn:aws:s3:::bucket/*").is_none());
        assert!(arn_problem("arn:aws:iam::111122223333:role/${aws:username}").is_none());
        assert!(arn_problem("arn:aws:s3::b/*").unwrap().contains("has 5 of an ARN's six parts"));
        assert!(arn_problem("arn:aws:S3:::b").unwrap().contains("lower case"));
        assert!(arn_problem("arn:aws:ec2:useast1:111122223333:instance/*").unwrap().contains("region"));
        assert!(arn_problem("arn:aws:iam::1234:role/x").unwrap().contains("12 digits"));
        assert!(arn_problem("arn:amazon:iam::111122223333:role/x").unwrap().contains("partition"));
        assert!(arn_problem("bucket/*").unwrap().contains("not an ARN"));
        assert!(arn_problem("arn:aws:ec2:us-gov-west-1:111122223333:instance/*").is_none());
    }

    #[test]
    fn patterns_against_formats() {
        let bucket = "arn:${Partition}:s3:::${BucketName}";
        let object = "arn:${Partition}:s3:::${BucketName}/${ObjectName}";
        assert!(can_name("arn:aws:s3:::b", bucket));
        assert!(!can_name("arn:aws:s3:::b/*", bucket), "an object is not a bucket");
        assert!(!can_name("arn:aws:s3:::b", object), "a bucket is not an object");
        assert!(can_name("arn:aws:s3:::b/*", object));
        assert!(can_name("arn:aws:s3:::*", object), "* reaches objects too");
        assert!(can_name("*", bucket));
        assert!(can_name("arn:aws:s3:::${aws:PrincipalTag/bucket}", bucket), "a variable may be the name");
        let group = "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}";
        assert!(can_name("arn:aws:logs:*:*:log-group:/aws/lambda/x", group));
        let role = "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}";
        assert!(can_name("arn:aws:iam::111122223333:role/team/*", role));
        assert!(!can_name("arn:aws:iam::111122223333:user/*", role));
        assert!(can_name("arn:aws:iam::*:role/a?c", role));
    }
}
