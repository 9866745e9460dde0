//! A live A-TRACK service for the tests: `sdks/contract/serve.py`, run with the
//! repository's virtualenv Python.
//!
//! The launcher serves until its stdin closes; the test process holds the pipe, so the
//! service ends with the tests however they end. Without the virtualenv the live tests
//! skip, except under `CI` (or `ATRACK_REQUIRE_SERVICES`), where they fail.
#![allow(dead_code)] // each test binary uses its own part of this module

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The launcher's JSON line, and the process that serves it.
pub struct Service {
    pub info: Value,
    child: Child,
    stdin: Option<ChildStdin>,
    pub log: PathBuf,
}

impl Service {
    pub fn get(&self, name: &str) -> &str {
        self.info[name]
            .as_str()
            .unwrap_or_else(|| panic!("the launcher's line has no {name}"))
    }

    pub fn endpoint(&self) -> &str {
        self.get("endpoint")
    }

    pub fn public_key(&self) -> &str {
        self.get("public_key")
    }

    pub fn secret_key(&self) -> &str {
        self.get("secret_key")
    }

    /// A client with both keys, on the service.
    pub fn reader(&self) -> atrack_sdk::ATrackClient {
        atrack_sdk::ATrackClient::builder()
            .public_key(self.public_key())
            .secret_key(self.secret_key())
            .endpoint(self.endpoint())
            .build()
            .expect("a client of the live service")
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        drop(self.stdin.take()); // the launcher's signal to stop everything it started
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The repository root (this crate is `sdks/rust`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the repository root")
}

/// Whether a test that cannot reach its services must fail rather than skip.
pub fn required() -> bool {
    ["CI", "ATRACK_REQUIRE_SERVICES"].iter().any(|name| {
        std::env::var(name)
            .map(|value| !matches!(value.as_str(), "" | "0" | "false"))
            .unwrap_or(false)
    })
}

/// The Python that runs the launcher: `$ATRACK_PYTHON`, else the repository's `.venv`.
pub fn python() -> Option<PathBuf> {
    let path = std::env::var_os("ATRACK_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join(".venv/bin/python"));
    path.exists().then_some(path)
}

/// Starts the launcher with `args`; `None` (the test skips) when it cannot run here.
pub fn launch(args: &[&str]) -> Option<Service> {
    let python = match python() {
        Some(python) => python,
        None if required() => panic!(
            "the live tests need the repository's virtualenv (source scripts/_venv.sh) or $ATRACK_PYTHON"
        ),
        None => {
            eprintln!("SKIPPED: no .venv/bin/python (source scripts/_venv.sh): live tests not run");
            return None;
        }
    };
    let log =
        std::env::temp_dir().join(format!("atrack-sdk-rust-serve-{}.log", std::process::id()));
    let log_file = std::fs::File::create(&log).expect("the launcher's log file");
    let mut child = Command::new(python)
        .arg(repo_root().join("sdks/contract/serve.py"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::from(log_file))
        .spawn()
        .expect("sdks/contract/serve.py starts");
    let stdout = child.stdout.take().expect("the launcher's stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("the launcher's line");
    let info: Value = serde_json::from_str(&line).unwrap_or_else(|_| {
        let _ = child.kill();
        panic!(
            "serve.py did not start:\n{}",
            std::fs::read_to_string(&log).unwrap_or_default()
        )
    });
    let stdin = child.stdin.take();
    Some(Service {
        info,
        child,
        stdin,
        log,
    })
}

/// Polls `check` every 100 ms until it returns `Some`, for at most `limit`.
pub async fn eventually<T, F, Fut>(limit: Duration, mut check: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + limit;
    loop {
        if let Some(value) = check().await {
            return Some(value);
        }
        if Instant::now() >= deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
