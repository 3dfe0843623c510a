#![no_main]
//! Any bytes into the policy parser, and whatever parses through the rule engine. The parser's
//! typed fast path must give exactly the verdict of the Value-based reference parser.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let parsed = iam_guard::policy::PolicyDocument::parse(text);
        let reference = iam_guard::policy::PolicyDocument::parse_reference(text);
        match (&parsed, &reference) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "fast path and reference disagree"),
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
            _ => panic!("fast path and reference disagree: {parsed:?} vs {reference:?}"),
        }
        if let Ok(doc) = parsed {
            let engine = iam_guard::engine::Engine::new(iam_guard::config::Config::default());
            let _ = engine.judge(&iam_guard::rules::PolicyContext::default(), &doc);
        }
    }
});
