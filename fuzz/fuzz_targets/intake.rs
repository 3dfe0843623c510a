#![no_main]
//! Any bytes into the intake: parsed, ignored or an error, never a panic.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = iam_guard::intake::parse_str(text);
    }
});
