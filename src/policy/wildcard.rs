//! IAM wildcard matching: `*` matches any run of characters (including none), `?` exactly one.
//! Action names compare case-insensitively (IAM treats `IAM:*` like `iam:*`); resource ARNs
//! compare case-sensitively.

/// Matches `text` against an IAM glob `pattern`. ASCII case folding when `ignore_case`.
pub(crate) fn wildcard_match(pattern: &str, text: &str, ignore_case: bool) -> bool {
    let p = pattern.as_bytes();
    let t = text.as_bytes();
    let eq = |a: u8, b: u8| {
        if ignore_case {
            a.eq_ignore_ascii_case(&b)
        } else {
            a == b
        }
    };
    // Classic linear-time glob with a single backtrack point (the last `*`).
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == b'?' || (p[pi] != b'*' && eq(p[pi], t[ti]))) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == b'*' {
        pi += 1;
    }
    pi == p.len()
}

/// Splits an action pattern at its first `:` into service and action parts. A byte scan: on
/// strings this short it beats `str::split_once`'s generic char searcher, and it is on the
/// rules' hot path.
pub(crate) fn split_service(pattern: &str) -> Option<(&str, &str)> {
    let i = pattern.bytes().position(|b| b == b':')?;
    Some((&pattern[..i], &pattern[i + 1..]))
}

/// Case-insensitive action match: `action_matches("s3:Get*", "S3:GetObject")`.
pub(crate) fn action_matches(pattern: &str, action: &str) -> bool {
    wildcard_match(pattern, action, true)
}

/// True when a pattern is made only of `*`, `?`-free wildcards and separators, so it matches
/// every action (`*`, `*:*`, `**:*`).
pub fn is_match_all_action(pattern: &str) -> bool {
    // Called for every pattern of every statement: the first byte of a real name settles it.
    let b = pattern.as_bytes();
    b.iter().all(|&c| c == b'*' || c == b':') && b.contains(&b'*') && b.iter().filter(|&&c| c == b':').count() <= 1
}

/// True when a resource pattern matches every ARN: `*`, `arn:*`, `arn:*:*:*:*:*`.
pub(crate) fn is_match_all_resource(pattern: &str) -> bool {
    if pattern.is_empty() {
        return false;
    }
    if pattern.bytes().all(|b| b == b'*') {
        return true;
    }
    let Some((first, rest)) = split_service(pattern) else { return false };
    if !first.eq_ignore_ascii_case("arn") && !first.bytes().all(|b| b == b'*') {
        return false;
    }
    // `arn:*` covers everything; otherwise every segment must be `*` so that resource paths
    // with further colons are still covered: only `*` and `:`, and no empty segment. (A byte
    // scan: a real ARN fails at its first byte.)
    let r = rest.as_bytes();
    !r.is_empty()
        && r.iter().all(|&b| b == b'*' || b == b':')
        && r[0] != b':'
        && r[r.len() - 1] != b':'
        && !r.windows(2).any(|w| w == b"::")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_and_question() {
        assert!(wildcard_match("s3:Get*", "s3:GetObject", false));
        assert!(wildcard_match("*", "", false));
        assert!(wildcard_match("s3:?etObject", "s3:GetObject", false));
        assert!(!wildcard_match("s3:?etObject", "s3:etObject", false));
        assert!(wildcard_match("iam:*Policy*", "iam:AttachRolePolicy", false));
        assert!(wildcard_match("iam:*Policy*", "iam:PutUserPolicy", false));
        assert!(!wildcard_match("iam:*Policy*", "iam:CreateRole", false));
        assert!(wildcard_match("a*b*c", "aXXbYYbZc", false));
        assert!(!wildcard_match("a*b*c", "aXXbYYbZ", false));
        assert!(wildcard_match("**", "anything", false));
    }

    #[test]
    fn case_rules() {
        assert!(action_matches("IAM:*", "iam:CreateUser"));
        assert!(action_matches("iam:createuser", "iam:CreateUser"));
        assert!(!wildcard_match("arn:aws:s3:::Bucket", "arn:aws:s3:::bucket", false));
    }

    #[test]
    fn match_all_forms() {
        for p in ["*", "*:*", "**", "**:*"] {
            assert!(is_match_all_action(p), "{p}");
        }
        for p in ["s3:*", "*:Get*", "iam:*", ":", "*:*:*"] {
            assert!(!is_match_all_action(p), "{p}");
        }
        for p in ["*", "arn:*", "arn:*:*:*:*:*", "ARN:*:*", "*:*", "arn:*:*:*:*:*:*", "arn:**:*"] {
            assert!(is_match_all_resource(p), "{p}");
        }
        for p in [
            "arn:aws:s3:::*",
            "arn:aws:*:*:123456789012:*",
            "arn:",
            "",
            "arn:*::*",
            "arn:*:",
            "arn::*",
            "x:*",
            "arn:*:a*",
        ] {
            assert!(!is_match_all_resource(p), "{p}");
        }
    }
}
