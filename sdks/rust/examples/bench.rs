//! Batching mode's throughput against a live service, next to the Python SDK's in the same
//! run, and proof that every event was stored.
//!
//! ```sh
//! cargo run --release --example bench -- [--events 200000] [--sessions 2000] [--concurrency 16] \
//!     [--python-events 50000] [--min-rate 20000] -- --queue redis://127.0.0.1:6379/11 \
//!     --database-url postgres://postgres@127.0.0.1:5432/atrack_bench --web-workers 2
//! ```
//!
//! It starts `sdks/contract/serve.py` with the arguments after the second `--` (the queue,
//! a Celery worker, PostgreSQL...). Each phase inits `--sessions` sessions, then sends its
//! events over them through one batching client and closes it: "accepted" is the events
//! divided by the time from the first event queued to `close()` returning, when the
//! service has answered every `/batch` request. Then it polls `/event/show` until the
//! phase's event count is exactly what was sent (every event stored once). The Rust SDK
//! goes first, then the Python SDK (`sdks/python`, `batching=True`, 100 items per batch)
//! with `--python-events` (0 skips it). One JSON line reports both. The exit status is 1
//! when a write failed, an event is missing, or the Rust rate is below `--min-rate`.

#[path = "../tests/launcher/mod.rs"]
mod launcher;

use std::process::Command;
use std::time::{Duration, Instant};

use atrack_sdk::{ATrackClient, BatchConfig, EventPayload, EventShowRequest, InitPayload};
use serde_json::{json, Value};

use launcher::Service;

struct Options {
    events: usize,
    python_events: usize,
    sessions: usize,
    concurrency: usize,
    min_rate: f64,
    store_timeout: Duration,
    serve_args: Vec<String>,
}

fn options() -> Options {
    let mut options = Options {
        events: 200_000,
        python_events: 50_000,
        sessions: 2_000,
        concurrency: 16,
        min_rate: 0.0,
        store_timeout: Duration::from_secs(600),
        serve_args: Vec::new(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--" {
            options.serve_args = args.by_ref().collect();
            break;
        }
        let value = args.next().unwrap_or_else(|| panic!("{arg} needs a value"));
        let number: f64 = value
            .parse()
            .unwrap_or_else(|_| panic!("{arg}: {value} is not a number"));
        match arg.as_str() {
            "--events" => options.events = number as usize,
            "--python-events" => options.python_events = number as usize,
            "--sessions" => options.sessions = (number as usize).max(1),
            "--concurrency" => options.concurrency = number as usize,
            "--min-rate" => options.min_rate = number,
            "--store-timeout" => options.store_timeout = Duration::from_secs_f64(number),
            other => panic!("unknown option {other}"),
        }
    }
    options
}

#[tokio::main]
async fn main() {
    let options = options();
    let serve_args: Vec<&str> = options.serve_args.iter().map(String::as_str).collect();
    let service = launcher::launch(&serve_args).expect("the launcher (.venv) to run the benchmark");
    let rust = rust_phase(&service, &options).await;
    let python = if options.python_events > 0 {
        Some(python_phase(&service, &options).await)
    } else {
        None
    };
    let report = json!({"queue": service.info["queue"], "sessions": options.sessions, "rust": rust, "python": python});
    println!("{report}");
    let good = |phase: &Value| phase["complete"] == true;
    let rate = rust["accepted_events_per_second"].as_f64().unwrap_or(0.0);
    if !good(&rust)
        || python.as_ref().map_or(false, |phase| !good(phase))
        || rate < options.min_rate
    {
        eprintln!("bench: FAILED (writes failed, events missing, or below --min-rate)");
        std::process::exit(1);
    }
}

async fn rust_phase(service: &Service, options: &Options) -> Value {
    let config = BatchConfig {
        concurrency: options.concurrency,
        flush_interval: Duration::from_millis(50),
        queue_capacity: 50_000,
        ..Default::default()
    };
    let client = ATrackClient::builder()
        .public_key(service.public_key())
        .endpoint(service.endpoint())
        .batching(config)
        .build()
        .expect("a batching client");
    let name = format!("bench_rust_{}", uuid::Uuid::new_v4().simple());
    let sessions: Vec<String> = (0..options.sessions)
        .map(|_| uuid::Uuid::new_v4().to_string())
        .collect();
    for uuid in &sessions {
        client
            .init(InitPayload {
                uuid: Some(uuid.clone()),
                ..Default::default()
            })
            .await
            .expect("queued");
    }
    client.flush().await;

    let cpu_before = client_cpu_seconds();
    let started = Instant::now();
    for n in 0..options.events {
        let event = EventPayload {
            uuid: Some(sessions[n % sessions.len()].clone()),
            event: name.clone(),
            attributes: Some(json!({"n": n, "path": "/pricing", "plan": "pro"})),
            ..Default::default()
        };
        client.track(event).await.expect("queued");
    }
    client.close().await;
    let accepted = started.elapsed();
    let cpu = client_cpu_seconds() - cpu_before;
    let stats = client.batch_stats();
    let (stored, stored_in) = wait_stored(
        service,
        &name,
        options.events,
        started,
        options.store_timeout,
    )
    .await;
    let complete = stats.failed == 0 && stats.sent == (options.events + options.sessions) as u64;
    json!({
        "sdk": atrack_sdk::USER_AGENT,
        "concurrency": options.concurrency,
        "events": options.events,
        "writes_sent": stats.sent,
        "writes_failed": stats.failed,
        "accepted_seconds": round(accepted.as_secs_f64()),
        "accepted_events_per_second": (options.events as f64 / accepted.as_secs_f64()).round(),
        "client_cpu_seconds": round(cpu),
        "events_stored": stored,
        "stored_seconds": round(stored_in.as_secs_f64()),
        "complete": complete && stored == options.events as u64,
    })
}

/// The Python SDK's batching mode doing the same, timed the same way, in its own process.
const PYTHON_PHASE: &str = r#"
import json, sys, time, uuid
sys.path.insert(0, sys.argv[1])
from atrack_sdk import ATrackClient
service, events, sessions, name = json.loads(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
failed = []
client = ATrackClient(public_key=service["public_key"], endpoint=service["endpoint"], batching=True,
                      batch_size=100, flush_interval=0.05, max_queue_size=events + sessions + 1,
                      on_error=lambda error, item: failed.append(item))
uuids = [str(uuid.uuid4()) for _ in range(sessions)]
for u in uuids:
    client.init({"uuid": u})
client.flush()
started = time.monotonic()
for n in range(events):
    client.track({"uuid": uuids[n % sessions], "event": name,
                  "attributes": {"n": n, "path": "/pricing", "plan": "pro"}})
client.close(timeout=3600)
print(json.dumps({"seconds": time.monotonic() - started, "failed": len(failed)}))
"#;

async fn python_phase(service: &Service, options: &Options) -> Value {
    let python = launcher::python().expect("the virtualenv's python");
    let name = format!("bench_python_{}", uuid::Uuid::new_v4().simple());
    let sdk = launcher::repo_root().join("sdks/python");
    let started = Instant::now();
    let output = Command::new(python)
        .args(["-c", PYTHON_PHASE])
        .arg(sdk)
        .arg(service.info.to_string())
        .arg(options.python_events.to_string())
        .arg(options.sessions.to_string())
        .arg(&name)
        .output()
        .expect("the Python phase runs");
    let result: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|_| {
        panic!(
            "the Python phase failed: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let seconds = result["seconds"].as_f64().unwrap_or(f64::NAN);
    let (stored, stored_in) = wait_stored(
        service,
        &name,
        options.python_events,
        started,
        options.store_timeout,
    )
    .await;
    json!({
        "sdk": "atrack-sdk-python (sdks/python)",
        "events": options.python_events,
        "writes_failed": result["failed"],
        "accepted_seconds": round(seconds),
        "accepted_events_per_second": (options.python_events as f64 / seconds).round(),
        "events_stored": stored,
        "stored_seconds": round(stored_in.as_secs_f64()),
        "complete": result["failed"] == 0 && stored == options.python_events as u64,
    })
}

/// Polls `/event/show` until `expected` events called `name` are stored (or the timeout).
async fn wait_stored(
    service: &Service,
    name: &str,
    expected: usize,
    started: Instant,
    timeout: Duration,
) -> (u64, Duration) {
    let reader = service.reader();
    let request = EventShowRequest {
        name: name.to_owned(),
        per_page: Some(1),
        ..Default::default()
    };
    let mut stored = 0;
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        stored = reader
            .event_show(request.clone())
            .await
            .map(|page| page.meta.total)
            .unwrap_or(stored);
        if stored >= expected as u64 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    (stored, started.elapsed())
}

/// This process's CPU time (user + system), from /proc: the SDK's cost, apart from the service's.
fn client_cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(") ")
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |index: usize| {
        fields
            .get(index)
            .and_then(|field| field.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0 // USER_HZ is 100 on Linux
}

fn round(seconds: f64) -> f64 {
    (seconds * 1000.0).round() / 1000.0
}
