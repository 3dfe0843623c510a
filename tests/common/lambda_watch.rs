//! The real Lambda binary under `cargo lambda watch` (the Lambda runtime API emulator), and
//! `cargo lambda invoke` against it: what tests/lambda_e2e.rs and tests/faults_lambda.rs run.

use super::{free_port, tool};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// `cargo lambda watch` and the function it runs, killed together (own process group).
pub(crate) struct Watch(Child);

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-TERM", "--", &format!("-{}", self.0.id())]).status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `cargo lambda watch` serving the Lambda binary with the settings of `env_file`, once it
/// listens; its log goes to `dir/watch.log`.
pub(crate) fn start(dir: &Path, env_file: &Path) -> (Watch, u16) {
    let port = free_port();
    let log = std::fs::File::create(dir.join("watch.log")).unwrap();
    let watch = Watch(
        Command::new(tool("cargo-lambda"))
            .args(["lambda", "watch", "--invoke-address", "127.0.0.1", "--invoke-port", &port.to_string()])
            .arg("--env-file")
            .arg(env_file)
            .args(["--bin", "iam-guard-lambda", "--ignore-changes"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdout(Stdio::null())
            .stderr(log)
            .process_group(0)
            .spawn()
            .expect("cargo lambda watch starts"),
    );
    let deadline = Instant::now() + Duration::from_secs(120);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "cargo lambda watch did not listen: {}",
            std::fs::read_to_string(dir.join("watch.log")).unwrap()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    (watch, port)
}

/// `cargo lambda invoke` with the payload in `file`: the function's reply, or its error (a
/// failed invocation, as Lambda would retry it).
pub(crate) fn invoke(port: u16, file: &Path) -> Result<serde_json::Value, String> {
    let out = Command::new(tool("cargo-lambda"))
        .args([
            "lambda",
            "invoke",
            "iam-guard-lambda",
            "--invoke-address",
            "127.0.0.1",
            "--invoke-port",
            &port.to_string(),
        ])
        .arg("--data-file")
        .arg(file)
        .args(["--output-format", "json"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .map_err(|e| format!("cargo lambda invoke: {e}"))?;
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    if !out.status.success() {
        return Err(text);
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).map_err(|e| format!("not JSON ({e}): {text}"))?;
    if v.get("errorType").is_some() || v.get("errorMessage").is_some() {
        return Err(text);
    }
    Ok(v)
}

/// Writes `dir/lambda.env`: the Lambda talking to `endpoint` with dummy credentials in
/// us-east-1, alerting to `topic`, with the `IAM_GUARD_*` settings of `extra` (lines `K=V`).
pub(crate) fn env_file(dir: &Path, endpoint: &str, topic: &str, extra: &[&str]) -> std::path::PathBuf {
    let path = dir.join("lambda.env");
    let mut text = format!(
        "AWS_ENDPOINT_URL={endpoint}\nAWS_ACCESS_KEY_ID=testing\nAWS_SECRET_ACCESS_KEY=testing\nAWS_REGION=us-east-1\n\
         IAM_GUARD_TOPIC_ARN={topic}\n"
    );
    for line in extra {
        text.push_str(line);
        text.push('\n');
    }
    std::fs::write(&path, text).unwrap();
    path
}
