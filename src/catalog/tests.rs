//! The catalogue's unit tests: lookups, expansion, levels, resource types, condition keys.
use super::*;

#[test]
fn has_everything_from_the_reference_data() {
    let c = Catalog::global();
    assert_eq!(c.len(), 22_321);
    assert_eq!(SERVICES.len(), 457);
    assert_eq!(c.level("s3:GetObject"), Some(AccessLevel::Read));
    assert_eq!(c.level("IAM:attachrolepolicy"), Some(AccessLevel::PermissionsManagement));
    assert_eq!(c.level("s3:ListAllMyBuckets"), Some(AccessLevel::List));
    assert_eq!(c.level("s3:PutObjectTagging"), Some(AccessLevel::Tagging));
    // Two services share the ses prefix; it is named after its own (gen-data's override).
    assert_eq!(c.service("ses").unwrap().name, "Amazon Simple Email Service (SES)");
    let key = c.service("s3").unwrap().condition_key("s3:prefix").unwrap();
    assert_eq!((key.kind, key.multi), (KeyType::String, false));
    assert!(c.service("s3").unwrap().condition_key("aws:ResourceTag/team").is_some(), "a template key");
    assert!(c.services_defining("iam:PassedToService").any(|s| s.prefix == "iam"));
}

#[test]
fn reads_are_not_writes_whatever_their_label() {
    let c = Catalog::global();
    let m = |a: &str| c.lookup_id(a).unwrap().modifies();
    assert!(!m("quicksight:DescribeDataSetPermissions") && !m("billing:GetResourcePolicy"));
    assert!(!m("athena:GetSessionEndpoint") && !m("s3:GetObject"));
    assert!(m("iam:AttachRolePolicy") && m("s3:PutObject") && m("iam:PassRole"));
    assert!(!m("iam:GetRole"), "a read");
}

#[test]
fn actions_are_sorted_for_binary_search() {
    for s in SERVICES.iter() {
        let names: Vec<&str> = s.actions().map(|a| a.name).collect();
        assert!(names.windows(2).all(|w| cmp_ignore_case(w[0], w[1]).is_le()), "{}", s.prefix);
    }
}

#[test]
fn every_action_is_found_by_exact_lookup_in_any_case() {
    let c = Catalog::global();
    let mut n = 0;
    assert!(SERVICES.windows(2).all(|w| w[0].prefix < w[1].prefix));
    for s in SERVICES.iter() {
        for a in s.actions() {
            let full = a.full_name();
            assert_eq!(c.lookup(&full), Some(a), "{full}");
            assert_eq!(c.lookup(&full.to_ascii_uppercase()), Some(a), "{full}");
            n += 1;
        }
    }
    assert_eq!(n, c.len());
    assert_eq!(c.lookup("s3:GetObjectx"), None);
    assert_eq!(c.lookup("s3x:GetObject"), None);
    assert_eq!(c.lookup("s3:"), None);
    assert_eq!(c.lookup(":GetObject"), None);
    for s in SERVICES.iter() {
        assert_eq!(c.service(&s.prefix.to_ascii_uppercase()).map(|x| x.prefix), Some(s.prefix));
    }
    assert!(c.service("s4").is_none() && c.service("").is_none());
}

#[test]
fn expansion_yields_real_actions() {
    let c = Catalog::global();
    let gets: Vec<String> = c.expand("s3:Get*").map(|a| a.full_name()).collect();
    assert!(gets.contains(&"s3:GetObject".to_string()));
    assert!(gets.iter().all(|a| a.starts_with("s3:Get")));
    let pol: Vec<String> = c.expand("iam:*Policy*").map(|a| a.name.to_string()).collect();
    for want in ["AttachRolePolicy", "CreatePolicyVersion", "PutUserPolicy", "SetDefaultPolicyVersion"] {
        assert!(pol.iter().any(|p| p == want), "{want}");
    }
    assert!(!pol.iter().any(|p| p == "CreateRole"));
    assert_eq!(c.expand("*").count(), c.len());
    assert_eq!(c.expand("*:*").count(), c.len());
    let pats = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        c.count_distinct(&pats(&["s3:GetObject", "S3:getobject", "s3:GetObj*"])),
        c.expand("s3:GetObj*").count()
    );
    assert_eq!(c.count_distinct(&pats(&["iam:*", "IAM:*"])), c.service("iam").unwrap().len());
    assert_eq!(c.expand("IAM:*").count(), c.service("iam").unwrap().len());
}

#[test]
fn the_build_time_modifies_table_follows_the_rule() {
    // build.rs sets one bit per action; each must sit at its action's index.
    for (i, &level) in LEVELS.iter().enumerate() {
        assert_eq!(ActionId(i as u16).modifies(), verbs::modifies(level, action_name(i)), "{}", action_name(i));
    }
    assert_eq!(MODIFIES.len(), Catalog::global().len().div_ceil(64));
}

#[test]
fn range_expansion_equals_a_scan_of_every_name() {
    // matching_ids narrows by two binary searches; the truth is a glob test of every action
    // of the service. Patterns: prefixes of real names cut at every length (odd case), exact
    // names, names that fall between two real ones, and globs past the prefix.
    let c = Catalog::global();
    let scan = |svc: &'static Service, pat: &str| -> Vec<ActionId> {
        svc.ids().filter(|&i| wildcard_match(pat, action_name(i), true)).map(|i| ActionId(i as u16)).collect()
    };
    let mut checked = 0;
    for svc in SERVICES.iter().step_by(7).chain(c.service("s3")).chain(c.service("iam")).chain(c.service("ec2")) {
        let mut pats = vec![
            "*".to_string(),
            "?*".into(),
            "*Policy*".into(),
            "*s".into(),
            "Get*Object".into(),
            "**".into(),
            "***".into(),
            "*a*b*".into(),
            "*?".into(),
            "Get**".into(),
            "*".repeat(3) + "x",
        ];
        for a in svc.actions().step_by(3) {
            let n = a.name;
            pats.push(n.to_ascii_uppercase());
            pats.push(format!("{n}x"));
            pats.push(format!("{n}*"));
            for cut in (0..n.len()).step_by(2) {
                pats.push(format!("{}*", n[..cut].to_ascii_lowercase()));
                // Globs past a prefix: a middle or an end of the name.
                pats.push(format!("{}*{}*", &n[..cut / 2], n[cut..].to_ascii_uppercase().get(..3).unwrap_or("")));
                pats.push(format!("*{}", &n[cut..]));
                pats.push(format!("{}*{}", &n[..cut / 3], &n[cut..]));
            }
        }
        for p in &pats {
            let got: Vec<ActionId> = svc.matching_ids(p).collect();
            assert_eq!(got, scan(svc, p), "{}:{p}", svc.prefix);
            checked += 1;
        }
    }
    assert!(checked > 10_000, "{checked}");
}

#[test]
fn exact_index_probes_are_short() {
    // Every name found where the hash puts it or a few slots on; a weak hash shows as long
    // probe chains (lookups ten times slower) long before it shows as a wrong answer.
    let c = Catalog::global();
    let (mut total, mut worst) = (0usize, 0usize);
    for i in 0..c.len() {
        let a = c.action(ActionId::from_index(i));
        let name = a.full_name();
        let mut slot = fnv::text_hash(&name) as usize & (EXACT_SLOTS - 1);
        let mut probes = 1;
        while usize::from(EXACT[slot]) != i {
            slot = (slot + 1) & (EXACT_SLOTS - 1);
            probes += 1;
        }
        total += probes;
        worst = worst.max(probes);
    }
    let mean = total as f64 / c.len() as f64;
    eprintln!("exact index: mean {mean:.2} probes, worst {worst}");
    assert!(mean < 2.5 && worst < 40, "mean {mean:.2} probes, worst {worst}");
}

#[test]
fn unknowns_are_reported_not_matched() {
    let c = Catalog::global();
    assert_eq!(c.unknown("s4:GetObject"), Some(Unknown::Service));
    assert_eq!(c.unknown("s3:GetObjekt"), Some(Unknown::Action));
    assert_eq!(c.unknown("GetObject"), Some(Unknown::Malformed));
    assert_eq!(c.unknown("s3:Get*"), None);
    assert_eq!(c.unknown("*"), None);
}
