//! The resources a call touched, as ARNs an action can be scoped to: the record's own ARNs
//! (`resources[]`, ARN-valued request parameters) that fit one of the action's resource types
//! (the catalogue's ARN formats), else the format filled from the request parameters.

use super::call::{find_str, Call};
use crate::catalog::{ActionId, ResourceType};

/// How the resources of one action's call were found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// The action takes no resource-level permission: `*` for it alone.
    Star,
    /// These ARNs, from the record.
    Exact(Vec<String>),
    /// The record did not tell every part of the ARN: those parts are `*` (noted).
    Partial(Vec<String>),
}

/// The resources of `action` in `call`.
pub fn resources(action: ActionId, call: &Call<'_>, partition: &str) -> Found {
    let types: Vec<(ResourceType, bool)> = action.resource_types().collect();
    if types.is_empty() {
        return Found::Star;
    }
    let named = named_arns(call);
    let exact: Vec<String> =
        named.iter().filter(|a| types.iter().any(|(t, _)| fits(t.arn, a))).map(|a| a.to_string()).collect();
    if !exact.is_empty() {
        return Found::Exact(dedup(exact));
    }
    if let Some(special) = special(action, call, partition) {
        return Found::Exact(special);
    }
    let filled: Vec<String> = types.iter().filter_map(|(t, _)| fill(t.arn, call, partition, false)).collect();
    if !filled.is_empty() {
        return Found::Exact(dedup(filled));
    }
    // The required type first (a request always names one), else every type.
    let required: Vec<&ResourceType> = types.iter().filter(|(_, r)| *r).map(|(t, _)| t).collect();
    let pick = if required.is_empty() { types.iter().map(|(t, _)| t).collect() } else { required };
    Found::Partial(dedup(pick.iter().filter_map(|t| fill(t.arn, call, partition, true)).collect()))
}

fn dedup(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v.dedup();
    v
}

/// Every ARN the record names: `resources[]`, then ARN-valued request parameters (two levels).
fn named_arns<'a>(call: &Call<'a>) -> Vec<&'a str> {
    let mut out: Vec<&str> = call.resources.clone();
    collect_arns(call.params, 2, &mut out);
    out
}

fn collect_arns<'a>(v: &'a serde_json::Value, depth: usize, out: &mut Vec<&'a str>) {
    match v {
        serde_json::Value::String(s) if s.starts_with("arn:") => out.push(s),
        serde_json::Value::Object(o) if depth > 0 => o.values().for_each(|v| collect_arns(v, depth - 1, out)),
        serde_json::Value::Array(a) if depth > 0 => a.iter().for_each(|v| collect_arns(v, depth - 1, out)),
        _ => {}
    }
}

/// Does a concrete ARN fit a catalogue format (`arn:${Partition}:s3:::${BucketName}/${ObjectName}`)?
/// A placeholder stands for one or more characters without `:` or `/`, except the names that
/// carry paths (`…Path`, `ObjectName`, `…Key`), which may hold `/`; region and account may be
/// empty (S3, IAM).
pub fn fits(format: &str, arn: &str) -> bool {
    fits_at(format.as_bytes(), arn.as_bytes())
}

fn fits_at(f: &[u8], a: &[u8]) -> bool {
    let Some(start) = f.windows(2).position(|w| w == b"${") else { return f == a };
    if a.len() < start || f[..start] != a[..start] {
        return false;
    }
    let Some(close) = f[start..].iter().position(|&b| b == b'}') else { return false };
    let name = &f[start + 2..start + close];
    let rest = &f[start + close + 1..];
    let slash = name.ends_with(b"Path") || name == b"ObjectName" || name.ends_with(b"Key") || name == b"RelativeId";
    let empty_ok = name == b"Region" || name == b"Account";
    let a = &a[start..];
    let mut i = 0;
    loop {
        if (i > 0 || empty_ok) && fits_at(rest, &a[i..]) {
            return true;
        }
        if i == a.len() || a[i] == b':' || (a[i] == b'/' && !slash) {
            return false;
        }
        i += 1;
    }
}

/// The format with its placeholders filled from the call; `None` when a part is unknown, unless
/// `star`, which puts `*` there.
fn fill(format: &str, call: &Call<'_>, partition: &str, star: bool) -> Option<String> {
    let mut out = String::new();
    let mut rest = format;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        let end = rest[i..].find('}')? + i;
        let name = &rest[i + 2..end];
        match value_of(name, call, partition) {
            Some(v) => out.push_str(&v),
            None if star => out.push('*'),
            None => return None,
        }
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// A placeholder's value: partition, region and account from the record, the others from the
/// request parameter of that name (`TableName` ← `tableName`), or of a known other name.
fn value_of(name: &str, call: &Call<'_>, partition: &str) -> Option<String> {
    let nonempty = |s: &str| (!s.is_empty()).then(|| s.to_string());
    match name {
        "Partition" => return Some(partition.to_string()),
        "Region" => return nonempty(call.region),
        "Account" => return nonempty(call.account),
        _ => {}
    }
    let aliases: &[&str] = match name {
        "ObjectName" => &["key"],
        "QueueName" => &["queueUrl"],
        "RoleNameWithPath" => &["roleName"],
        "UserNameWithPath" => &["userName"],
        "GroupNameWithPath" => &["groupName"],
        "ParameterNameWithoutLeadingSlash" => &["name"],
        "SecretId" => &["secretId"],
        "FunctionName" => &["functionName"],
        _ => &[],
    };
    let raw = find_str(call.params, name, 1).or_else(|| aliases.iter().find_map(|a| find_str(call.params, a, 1)))?;
    let v = match name {
        // A queue URL ends in the queue's name.
        "QueueName" => raw.rsplit('/').next().unwrap_or(raw),
        "ParameterNameWithoutLeadingSlash" => raw.trim_start_matches('/'),
        // Lambda takes a name, a partial or a full ARN (with a qualifier).
        "FunctionName" if raw.contains(":function:") => raw.split(":function:").nth(1)?.split(':').next()?,
        _ => raw,
    };
    // A value that is itself an ARN cannot be one part of another.
    (!v.is_empty() && !v.starts_with("arn:")).then(|| v.to_string())
}

/// Resources a service names in its own way.
fn special(action: ActionId, call: &Call<'_>, partition: &str) -> Option<Vec<String>> {
    let a = crate::catalog::Catalog::global().action(action);
    match (a.prefix, a.name) {
        // SES authorizes sending against the verified identity: the address or its domain.
        ("ses", "SendEmail" | "SendRawEmail" | "SendTemplatedEmail" | "SendBulkTemplatedEmail") => {
            let from = call.param("source").or_else(|| call.param("fromEmailAddress"))?;
            let addr = from.rsplit('<').next().unwrap_or(from).trim_end_matches('>').trim();
            let domain = addr.split_once('@')?.1;
            let arn = |id: &str| format!("arn:{partition}:ses:{}:{}:identity/{id}", call.region, call.account);
            Some(vec![arn(addr), arn(domain)])
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use serde_json::json;

    fn id(a: &str) -> ActionId {
        Catalog::global().lookup_id(a).unwrap()
    }

    #[test]
    fn formats_fit_concrete_arns() {
        let obj = "arn:${Partition}:s3:::${BucketName}/${ObjectName}";
        let bucket = "arn:${Partition}:s3:::${BucketName}";
        assert!(fits(obj, "arn:aws:s3:::b/backups/x.json"));
        assert!(!fits(obj, "arn:aws:s3:::b"));
        assert!(fits(bucket, "arn:aws:s3:::b"));
        assert!(!fits(bucket, "arn:aws:s3:::b/k"));
        let table = "arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}";
        assert!(fits(table, "arn:aws:dynamodb:us-east-1:111122223333:table/studentData"));
        assert!(!fits(table, "arn:aws:dynamodb:us-east-1:111122223333:table/t/index/i"));
        assert!(fits(
            "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}",
            "arn:aws:iam::111122223333:role/a/b"
        ));
    }

    fn call(v: &serde_json::Value) -> Call<'_> {
        Call::of(v).unwrap()
    }

    #[test]
    fn from_the_record_or_its_parameters() {
        let r = json!({"eventSource": "dynamodb.amazonaws.com", "eventName": "Scan", "awsRegion": "us-east-1",
            "recipientAccountId": "111122223333", "requestParameters": {"tableName": "studentData"}});
        let table = "arn:aws:dynamodb:us-east-1:111122223333:table/studentData";
        assert_eq!(resources(id("dynamodb:Scan"), &call(&r), "aws"), Found::Exact(vec![table.into()]));
        let r = json!({"eventSource": "sqs.amazonaws.com", "eventName": "SendMessage", "awsRegion": "eu-west-1",
            "recipientAccountId": "111122223333",
            "requestParameters": {"queueUrl": "https://sqs.eu-west-1.amazonaws.com/111122223333/orders"}});
        assert_eq!(
            resources(id("sqs:SendMessage"), &call(&r), "aws"),
            Found::Exact(vec!["arn:aws:sqs:eu-west-1:111122223333:orders".into()])
        );
        let r = json!({"eventSource": "monitoring.amazonaws.com", "eventName": "PutMetricData"});
        assert_eq!(resources(id("cloudwatch:PutMetricData"), &call(&r), "aws"), Found::Star);
        let r = json!({"eventSource": "dynamodb.amazonaws.com", "eventName": "Scan", "awsRegion": "us-east-1",
            "recipientAccountId": "111122223333"});
        assert_eq!(
            resources(id("dynamodb:Scan"), &call(&r), "aws"),
            Found::Partial(vec!["arn:aws:dynamodb:us-east-1:111122223333:table/*".into()])
        );
    }

    #[test]
    fn ses_sends_as_the_address_or_its_domain() {
        let r = json!({"eventSource": "ses.amazonaws.com", "eventName": "SendEmail", "awsRegion": "us-east-1",
            "recipientAccountId": "111122223333", "requestParameters": {"source": "Backups <backup@example.com>"}});
        assert_eq!(
            resources(id("ses:SendEmail"), &call(&r), "aws"),
            Found::Exact(vec![
                "arn:aws:ses:us-east-1:111122223333:identity/backup@example.com".into(),
                "arn:aws:ses:us-east-1:111122223333:identity/example.com".into()
            ])
        );
    }
}
