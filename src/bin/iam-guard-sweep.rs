//! `iam-guard-sweep`: the live whole-account sweep, run by `iam-guard sweep`. It is a program of
//! its own so that `iam-guard` does not carry the AWS SDK. All logic lives in the library.
fn main() -> std::process::ExitCode {
    iam_guard::cli::sweep_main()
}
