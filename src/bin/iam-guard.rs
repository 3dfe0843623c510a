//! The `iam-guard` CLI. All logic lives in the library (`iam_guard::cli`).
fn main() -> std::process::ExitCode {
    iam_guard::cli::main()
}
