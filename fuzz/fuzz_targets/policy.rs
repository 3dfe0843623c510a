#![no_main]
//! Any bytes into the policy parser, and whatever parses through the rule engine.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(doc) = iam_guard::policy::PolicyDocument::parse(text) {
            let engine = iam_guard::rules::Engine::new(iam_guard::config::Config::default());
            let _ = engine.judge(&iam_guard::rules::PolicyContext::default(), &doc);
        }
    }
});
