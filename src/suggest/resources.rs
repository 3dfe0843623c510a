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

/// The resources of `action` in `call`: for each of the action's resource types the record's
/// ARNs that fit it, else the type's format filled from the request; a required type the record
/// does not name gets its format with the unknown parts as `*` (partial).
pub fn resources(action: ActionId, call: &Call<'_>, partition: &str) -> Found {
    let types: Vec<(ResourceType, bool)> = action.resource_types().collect();
    if types.is_empty() {
        return Found::Star;
    }
    if let Some(special) = special(action, call, partition) {
        return Found::Exact(special);
    }
    let named = named_arns(call);
    let mut out = Vec::new();
    let mut unmet = Vec::new();
    for (t, required) in &types {
        let exact: Vec<String> = named.iter().filter(|a| fits(t.arn, a)).map(|a| a.to_string()).collect();
        let found = if exact.is_empty() { fill(t.arn, call, partition, false) } else { exact };
        if !found.is_empty() {
            out.extend(found);
        } else if *required {
            unmet.push(t);
        }
    }
    if out.is_empty() && unmet.is_empty() {
        // One optional type the record does not name (cloudwatch:PutMetricData's dataset): the
        // request names no resource, which only `*` allows.
        if let [(_, false)] = types[..] {
            return Found::Star;
        }
        // Several optional types (s3:GetObject's object or access-point object): the request
        // names one of them; any of them, the unknown parts as `*`.
        unmet = types.iter().map(|(t, _)| t).collect();
    }
    if unmet.is_empty() {
        return Found::Exact(dedup(out));
    }
    out.extend(unmet.iter().flat_map(|t| fill(t.arn, call, partition, true)));
    Found::Partial(dedup(out))
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

/// At most this many ARNs from one format (a request naming many instances).
const MAX_FILLED: usize = 20;

/// The format with its placeholders filled from the call, one ARN per combination of the values
/// the request holds (several instance ids: several ARNs); none when a part is unknown, unless
/// `star`, which puts `*` there.
fn fill(format: &str, call: &Call<'_>, partition: &str, star: bool) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut rest = format;
    while let Some(i) = rest.find("${") {
        let lit = &rest[..i];
        out.iter_mut().for_each(|o| o.push_str(lit));
        let Some(end) = rest[i..].find('}').map(|e| e + i) else { return vec![] };
        let mut values = values_of(&rest[i + 2..end], call, partition);
        if values.is_empty() {
            if !star {
                return vec![];
            }
            values.push("*".into());
        }
        out = out.iter().flat_map(|o| values.iter().map(move |v| format!("{o}{v}"))).take(MAX_FILLED).collect();
        rest = &rest[end + 1..];
    }
    out.iter_mut().for_each(|o| o.push_str(rest));
    out
}

/// A placeholder's values: partition, region and account from the record, the others from the
/// request parameters of that name (`TableName` ← `tableName`) or of a known other name, at the
/// top level, else anywhere below (`instancesSet.items[].instanceId`).
fn values_of(name: &str, call: &Call<'_>, partition: &str) -> Vec<String> {
    let nonempty = |s: &str| if s.is_empty() { vec![] } else { vec![s.to_string()] };
    match name {
        "Partition" => return vec![partition.to_string()],
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
    let keys: Vec<&str> = std::iter::once(name).chain(aliases.iter().copied()).collect();
    let top: Vec<&str> = keys.iter().filter_map(|k| find_str(call.params, k, 1)).take(1).collect();
    let raw = if top.is_empty() { keys.iter().flat_map(|k| find_all(call.params, k, 5)).collect() } else { top };
    let mut out: Vec<String> = raw.into_iter().filter_map(|raw| part_of(name, raw)).collect();
    out.sort();
    out.dedup();
    out
}

/// One value as the part of an ARN it names.
fn part_of(name: &str, raw: &str) -> Option<String> {
    let v = match name {
        // A queue URL ends in the queue's name.
        "QueueName" => raw.rsplit('/').next().unwrap_or(raw),
        "ParameterNameWithoutLeadingSlash" => raw.trim_start_matches('/'),
        // Lambda takes a name, a partial or a full ARN (with a qualifier).
        "FunctionName" if raw.contains(":function:") => raw.split(":function:").nth(1)?.split(':').next()?,
        _ => raw,
    };
    // A value that is itself an ARN cannot be one part of another.
    if v.is_empty() || v.starts_with("arn:") {
        return None;
    }
    // A secret's ARN ends in six random characters after its name.
    Some(if name == "SecretId" { format!("{v}-??????") } else { v.to_string() })
}

/// Every string under a key of this name (any case), in objects and arrays `depth` levels deep.
fn find_all<'a>(v: &'a serde_json::Value, name: &str, depth: usize) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut stack = vec![(v, depth)];
    while let Some((v, d)) = stack.pop() {
        match v {
            serde_json::Value::Object(o) => {
                for (k, x) in o {
                    match x.as_str() {
                        Some(s) if k.eq_ignore_ascii_case(name) => out.push(s),
                        _ if d > 0 => stack.push((x, d - 1)),
                        _ => {}
                    }
                }
            }
            serde_json::Value::Array(a) if d > 0 => stack.extend(a.iter().map(|x| (x, d - 1))),
            _ => {}
        }
    }
    out
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
