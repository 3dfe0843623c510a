//! The one configuration file (TOML). Every field is optional; the defaults catch the common
//! mistakes (admin, `*FullAccess`, public trust) with no file at all. Schema: README.md.

use crate::platform::PlatformConfig;
use crate::policy::wildcard_match;
use crate::rules::{RuleAction, Settings, RULES};
use crate::severity::Severity;
use chrono::NaiveDate;
use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;
use std::path::Path;

/// What the guard does with a finding. `alert` is the default everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Judge and alert; never change IAM.
    #[default]
    Alert,
    /// Judge, remediate what the rules' actions say, and alert.
    Enforce,
}

/// One rule's overrides (`[rules.ID]`).
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RuleConfig {
    /// Off: the rule does not run.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Replaces the rule's default severity.
    pub severity: Option<Severity>,
    /// Replaces the rule's default action.
    pub action: Option<RuleAction>,
}

fn yes() -> bool {
    true
}

/// A principal the guard never acts on (it still reports and alerts).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exemption {
    /// Principal ARN glob, e.g. `arn:aws:iam::*:role/break-glass-*`.
    pub principal: String,
    /// Mandatory: why this principal may hold broad permissions.
    pub reason: String,
    /// Optional last day (inclusive) of the exemption: `"2027-03-31"` or a TOML date.
    #[serde(default, deserialize_with = "date")]
    pub expires: Option<NaiveDate>,
}

impl Exemption {
    /// Does this exemption cover the principal today?
    pub(crate) fn covers(&self, principal_arn: &str, today: NaiveDate) -> bool {
        self.expires.is_none_or(|e| today <= e) && wildcard_match(&self.principal, principal_arn, false)
    }
}

/// The whole configuration; see README.md for the schema.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// `alert` (default) or `enforce`.
    pub mode: Mode,
    /// The guarded account's id (events carry it; set it for `check` of trust policies).
    pub account_id: Option<String>,
    /// Accounts trusted in trust policies without a finding (partners, your organisation).
    pub known_accounts: Vec<String>,
    /// Managed policy names or ARNs (globs, case-insensitive) that must never be attached.
    pub denylist: Vec<String>,
    /// Principal tag whose presence exempts a principal; its value is the reason.
    pub exempt_tag: String,
    /// Principals the guard never acts on.
    pub exemptions: Vec<Exemption>,
    /// Per-rule overrides by rule id.
    pub rules: BTreeMap<String, RuleConfig>,
    /// Least severity that raises an alert on the event path (check and sweep report all).
    pub alert_min_severity: Severity,
    /// Landing-zone and deployment roles left alone, and changes made by infrastructure as code.
    pub platform: PlatformConfig,
    /// Per-account overrides (`[[accounts]]`, a hub deployment): the first entry whose globs
    /// match the event's account applies.
    pub accounts: Vec<AccountConfig>,
    /// IAM Identity Center's home region: when set, the sweep of the account that administers
    /// Identity Center also judges every permission set there.
    pub identity_center_region: Option<String>,
    /// Where `replace` learns least privilege from, and how much evidence it needs.
    pub least_privilege: LeastPrivilege,
    /// `[posture]`: the CIS controls' thresholds and what enforce mode may do about them.
    pub posture: crate::posture::Thresholds,
}

/// `[least_privilege]`: the evidence the `replace` rule action needs before it puts a learned
/// policy on a principal.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LeastPrivilege {
    /// How many days of records before the change are read.
    pub lookback_days: u32,
    /// The records must cover at least this many days (first call to last).
    pub min_days: u32,
    /// And hold at least this many successful calls of the principal.
    pub min_calls: usize,
    /// Without enough evidence: `alert` (keep the grant, say what was learned so far) or
    /// `remediate` (detach as `remediate` would).
    pub without_evidence: WithoutEvidence,
    /// Also read IAM's action-level last-accessed data (two or more IAM calls, only when a
    /// replacement is about to be made): an action it shows attempted that the records lack
    /// (S3 objects without data events, say) means the evidence is not enough.
    pub last_accessed: bool,
}

/// What `replace` does without enough evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WithoutEvidence {
    /// Alert only, with the suggestion so far.
    Alert,
    /// Detach, as the `remediate` action does.
    Remediate,
}

impl Default for LeastPrivilege {
    fn default() -> Self {
        LeastPrivilege {
            lookback_days: 30,
            min_days: 7,
            min_calls: 10,
            without_evidence: WithoutEvidence::Alert,
            last_accessed: true,
        }
    }
}

/// Overrides for some accounts of the organization (`[[accounts]]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountConfig {
    /// Account id globs (`"222233334444"`, `"1111*"`).
    #[serde(rename = "match", default)]
    pub matches: Vec<String>,
    /// Organizational unit id globs (`"ou-ab12-prod*"`, a root `"r-ab12"`): an account under one
    /// of them, at any depth, matches. The hub looks its OUs up (Organizations ListParents).
    #[serde(default)]
    pub ous: Vec<String>,
    /// The mode in these accounts (e.g. enforce in production, alert elsewhere).
    pub mode: Option<Mode>,
    /// Replaces the denylist in these accounts.
    pub denylist: Option<Vec<String>>,
    /// Added to the exemptions in these accounts.
    #[serde(default)]
    pub exemptions: Vec<Exemption>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            mode: Mode::Alert,
            account_id: None,
            known_accounts: Vec::new(),
            denylist: ["AdministratorAccess", "PowerUserAccess", "IAMFullAccess", "*FullAccess"]
                .map(String::from)
                .to_vec(),
            exempt_tag: "iam-guard:exempt".to_string(),
            exemptions: Vec::new(),
            rules: BTreeMap::new(),
            alert_min_severity: Severity::High,
            platform: PlatformConfig::default(),
            accounts: Vec::new(),
            identity_center_region: None,
            least_privilege: LeastPrivilege::default(),
            posture: crate::posture::Thresholds::default(),
        }
    }
}

/// Why a configuration could not be loaded; each names the file and the key at fault.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// Not TOML, or a key or value of the wrong shape.
    #[error("config file {path}: {source}")]
    Toml {
        /// The file.
        path: String,
        /// The parser's message, naming the key.
        source: toml::de::Error,
    },
    /// Well-formed but wrong: an unknown rule id, a missing reason, a bad account id.
    #[error("config file {path}: {problem}")]
    Invalid {
        /// The file.
        path: String,
        /// What is wrong.
        problem: String,
    },
}

impl Config {
    /// Reads and validates a TOML file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let p = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: p.clone(), source })?;
        Config::from_toml(&text, &p)
    }

    /// Parses and validates; `origin` names the source in errors.
    pub fn from_toml(text: &str, origin: &str) -> Result<Config, ConfigError> {
        let cfg: Config = toml::from_str(text).map_err(|source| ConfigError::Toml { path: origin.into(), source })?;
        let invalid = |problem: String| ConfigError::Invalid { path: origin.into(), problem };
        for id in cfg.rules.keys() {
            if crate::rules::rule(id).is_none() {
                let known: Vec<&str> = RULES.iter().map(|r| r.id().as_str()).collect();
                return Err(invalid(format!("unknown rule id [rules.{id}] (known: {})", known.join(", "))));
            }
        }
        for (i, a) in cfg.accounts.iter().enumerate() {
            if a.matches.is_empty() && a.ous.is_empty() {
                return Err(invalid(format!(
                    "accounts[{i}] needs match = [account id globs] or ous = [organizational unit id globs]"
                )));
            }
            if let Some(g) = a.ous.iter().find(|g| {
                !(g.starts_with("ou-") || g.starts_with("r-") || g.starts_with('*'))
                    || !g.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-*?".contains(&b))
            }) {
                return Err(invalid(format!(
                    "accounts[{i}]: {g:?} is not an organizational unit id glob (ou-…, r-…; lowercase, digits, -, * and ?)"
                )));
            }
            if let Some(g) = a
                .matches
                .iter()
                .find(|g| g.is_empty() || !g.bytes().all(|b| b.is_ascii_digit() || b == b'*' || b == b'?'))
            {
                return Err(invalid(format!("accounts[{i}]: {g:?} is not an account id glob (digits, * and ?)")));
            }
            if let Some(e) = a.exemptions.iter().find(|e| e.reason.trim().is_empty()) {
                return Err(invalid(format!("accounts[{i}]: exemption {} needs a reason", e.principal)));
            }
        }
        for (i, e) in cfg.exemptions.iter().enumerate() {
            if e.reason.trim().is_empty() {
                return Err(invalid(format!("exemptions[{i}] ({}) needs a reason", e.principal)));
            }
            if e.principal.trim().is_empty() {
                return Err(invalid(format!("exemptions[{i}] has an empty principal")));
            }
        }
        if let Some(p) = cfg.platform.unknown_act_on() {
            let known: Vec<&str> = crate::platform::PLATFORM_ROLES.iter().map(|r| r.pattern).collect();
            return Err(invalid(format!(
                "[platform] act_on {p:?} is not a built-in platform role pattern (known: {})",
                known.join(", ")
            )));
        }
        for a in cfg.known_accounts.iter().chain(cfg.account_id.iter()) {
            if a.len() != 12 || !a.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid(format!("{a:?} is not a 12-digit AWS account id")));
            }
        }
        Ok(cfg)
    }

    /// Which `[[accounts]]` entry applies to an account (the first that matches), given the ids
    /// of the organizational units (and root) it sits under.
    pub fn account_entry(&self, account_id: &str, ous: &[String]) -> Option<usize> {
        self.accounts.iter().position(|a| {
            a.matches.iter().any(|g| wildcard_match(g, account_id, false))
                || a.ous.iter().any(|g| ous.iter().any(|ou| wildcard_match(g, ou, false)))
        })
    }

    /// Does some `[[accounts]]` entry match on organizational units (so an account's OUs must be
    /// looked up)?
    pub fn uses_ous(&self) -> bool {
        self.accounts.iter().any(|a| !a.ous.is_empty())
    }

    /// This configuration with `[[accounts]]` entry `i` applied (and no entries of its own).
    pub fn for_account_entry(&self, i: usize) -> Config {
        let mut c = self.clone();
        c.accounts = Vec::new();
        if let Some(a) = self.accounts.get(i) {
            if let Some(m) = a.mode {
                c.mode = m;
            }
            if let Some(d) = &a.denylist {
                c.denylist = d.clone();
            }
            c.exemptions.extend(a.exemptions.iter().cloned());
        }
        c
    }

    /// The overrides configured for a rule, if any.
    pub fn rule(&self, id: &str) -> Option<&RuleConfig> {
        self.rules.get(id)
    }

    /// What the rules need to know of this configuration.
    pub fn settings(&self) -> Settings {
        Settings {
            account_id: self.account_id.clone(),
            known_accounts: self.known_accounts.clone(),
            denylist: self.denylist.clone(),
        }
    }

    /// The exemption covering a principal today, if any.
    pub(crate) fn exemption_for(&self, principal_arn: &str, today: NaiveDate) -> Option<&Exemption> {
        self.exemptions.iter().find(|e| e.covers(principal_arn, today))
    }
}

fn date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Text(String),
        Toml(toml::value::Datetime),
    }
    let text = match Option::<Raw>::deserialize(d)? {
        None => return Ok(None),
        Some(Raw::Text(s)) => s,
        Some(Raw::Toml(dt)) => dt.to_string(),
    };
    NaiveDate::parse_from_str(&text, "%Y-%m-%d")
        .map(Some)
        .map_err(|e| serde::de::Error::custom(format!("expires {text:?} is not a YYYY-MM-DD date: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_denylist_the_seed_mistakes() {
        let c = Config::default().settings();
        for n in
            ["AdministratorAccess", "AmazonS3FullAccess", "CloudFrontFullAccess", "PowerUserAccess", "IAMFullAccess"]
        {
            assert!(c.denylisted(n, &format!("arn:aws:iam::aws:policy/{n}")).is_some(), "{n}");
        }
        assert!(c
            .denylisted(
                "AWSLambdaBasicExecutionRole",
                "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
            )
            .is_none());
        assert!(c.denylisted("ReadOnlyAccess", "arn:aws:iam::aws:policy/ReadOnlyAccess").is_none());
    }

    #[test]
    fn full_file() {
        let c = Config::from_toml(
            r#"
mode = "enforce"
account_id = "111122223333"
known_accounts = ["444455556666"]
denylist = ["AdministratorAccess", "arn:aws:iam::*:policy/legacy-*"]
[rules.unknown-action]
enabled = false
[rules.service-full-access]
severity = "critical"
action = "alert"
[[exemptions]]
principal = "arn:aws:iam::111122223333:role/break-glass"
reason = "INC-42 emergency access"
expires = 2027-01-31
[[exemptions]]
principal = "arn:aws:iam::*:role/ci-*"
reason = "CI deploys"
expires = "2026-01-01"
"#,
            "test.toml",
        )
        .unwrap();
        assert_eq!(c.mode, Mode::Enforce);
        assert!(!c.rule("unknown-action").unwrap().enabled);
        assert_eq!(c.rule("service-full-access").unwrap().severity, Some(Severity::Critical));
        let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        assert!(c.exemption_for("arn:aws:iam::111122223333:role/break-glass", today).is_some());
        assert!(c.exemption_for("arn:aws:iam::111122223333:role/ci-deploy", today).is_none(), "expired");
        let s = c.settings();
        assert!(s.denylisted("x", "arn:aws:iam::111122223333:policy/legacy-admin").is_some());
        assert!(s.known_account("111122223333") && s.known_account("444455556666") && !s.known_account("999999999999"));
        assert!(c.rule("new-credential").is_none(), "not configured here");
        assert!(Config::from_toml("[rules.new-credential]\nseverity = \"high\"", "t").is_ok(), "a registered rule");
    }

    #[test]
    fn errors_say_what_is_wrong() {
        let e = |t: &str| Config::from_toml(t, "c.toml").unwrap_err().to_string();
        assert!(e("[rules.nope]\nenabled=false").contains("unknown rule id [rules.nope]"));
        assert!(e("[[exemptions]]\nprincipal=\"x\"\nreason=\"  \"").contains("needs a reason"));
        assert!(e("[[exemptions]]\nprincipal=\"x\"").contains("reason"));
        assert!(e("mode = \"yolo\"").contains("yolo"));
        assert!(e("known_accounts = [\"12\"]").contains("12-digit"));
        assert!(e("colour = 1").contains("colour"));
        assert!(e("[[exemptions]]\nprincipal=\"x\"\nreason=\"r\"\nexpires=\"soon\"").contains("YYYY-MM-DD"));
    }
}
