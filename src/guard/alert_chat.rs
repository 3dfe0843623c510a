//! Alerts for chat: AWS Chatbot's custom notification format (Slack, Microsoft Teams, Chime),
//! published to a second SNS topic that Chatbot subscribes to. One thread per principal
//! (`metadata.threadId`), so a role's alerts gather in one conversation instead of several
//! top-level messages; the fix-yourself command, console links and restore command as next steps.

use super::ports::Alert;
use serde_json::{json, Value};

/// Chatbot caps a description at about 8,000 characters; stay well under.
const MAX_DESCRIPTION: usize = 3_000;

/// The Chatbot custom notification for `alert`.
pub fn chatbot(alert: &Alert) -> Value {
    let j = &alert.json;
    let s = |v: &Value| v.as_str().map(str::to_string);
    let links = j["act"]["links"].as_array().cloned().unwrap_or_default();
    let thread = links
        .first()
        .and_then(|l| l.get(0).and_then(Value::as_str))
        .map(|who| format!("iam-guard/{}/{who}", j["account"].as_str().unwrap_or("")))
        .unwrap_or_else(|| format!("iam-guard/{}", j["account"].as_str().unwrap_or("sweep")));
    let mut steps: Vec<String> = Vec::new();
    if let Some(cmd) = s(&j["act"]["do_it_yourself"]) {
        steps.push(format!("Fix it yourself: `{cmd}`"));
    }
    if let Some(cmd) = s(&j["restore_command"]) {
        steps.push(format!("Restore if intended: `{cmd}`"));
    }
    for l in &links {
        if let (Some(what), Some(url)) = (l.get(0).and_then(Value::as_str), l.get(1).and_then(Value::as_str)) {
            steps.push(format!("<{url}|Open {what} in the console>"));
        }
    }
    let description: String = description(&alert.text);
    let keywords: Vec<String> = [s(&j["severity"]), s(&j["rule"]), s(&j["account"])].into_iter().flatten().collect();
    json!({
        "version": "1.0",
        "source": "custom",
        "id": alert.dedup_id,
        "content": {
            "textType": "client-markdown",
            "title": alert.subject,
            "description": description,
            "nextSteps": steps,
            "keywords": keywords,
        },
        "metadata": {
            "threadId": thread,
            "summary": alert.subject,
            "eventType": j["rule"].as_str().unwrap_or("sweep"),
            "relatedResources": links.iter().filter_map(|l| l.get(1).and_then(Value::as_str)).collect::<Vec<_>>(),
        }
    })
}

/// The alert's text up to its findings and the guard's answer, as a code block.
fn description(text: &str) -> String {
    let body: String = text
        .lines()
        .skip(2) // the subject, a blank line
        .take_while(|l| !l.starts_with("Fix it yourself") && !l.starts_with("Console ("))
        .collect::<Vec<_>>()
        .join("\n");
    let body: String = body.chars().take(MAX_DESCRIPTION).collect();
    format!("```\n{}\n```", body.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chat_message_threads_by_principal_and_lists_next_steps() {
        let alert = Alert {
            subject: "[HIGH] AmazonS3FullAccess attached to role app - would detach in enforce mode".into(),
            text: "[HIGH] s\n\nWhat:   AttachRolePolicy\nFindings:\n  HIGH x\nFix it yourself: aws iam detach-role-policy …\nConsole (role app): https://c/roles/app\n".into(),
            json: json!({"severity": "high", "rule": "service-full-access", "account": "111122223333",
                "act": {"do_it_yourself": "aws iam detach-role-policy --role-name app --policy-arn P",
                        "links": [["role app", "https://c/roles/app"], ["CloudTrail event", "https://c/e"]]}}),
            attributes: vec![],
            dedup_id: "e1".into(),
        };
        let v = chatbot(&alert);
        assert_eq!(v["version"], "1.0");
        assert_eq!(v["source"], "custom");
        assert_eq!(v["metadata"]["threadId"], "iam-guard/111122223333/role app");
        assert_eq!(
            v["content"]["nextSteps"][0],
            "Fix it yourself: `aws iam detach-role-policy --role-name app --policy-arn P`"
        );
        assert_eq!(v["content"]["nextSteps"][1], "<https://c/roles/app|Open role app in the console>");
        let d = v["content"]["description"].as_str().unwrap();
        assert!(d.starts_with("```\nWhat:") && !d.contains("Fix it yourself"), "{d}");
    }
}
