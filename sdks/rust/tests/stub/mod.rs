//! A scripted HTTP/1.1 server on a free loopback port: it records each request and answers
//! what the test's script says (a status, a delay, or a dropped connection), so retries,
//! back-off, timeouts and batching can be watched from the wire.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// One request as the server saw it.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub path: String,
    pub headers: HashMap<String, String>,
    pub body: Value,
    pub at: Instant,
}

/// What the server does with a request.
pub enum Reply {
    Answer {
        status: u16,
        headers: Vec<(&'static str, String)>,
        body: Value,
    },
    /// Waits this long, then answers 200 (the client has given up by then).
    Hang(Duration),
    /// Closes the connection without answering.
    Drop,
}

impl Reply {
    pub fn status(status: u16, body: Value) -> Reply {
        Reply::Answer {
            status,
            headers: Vec::new(),
            body,
        }
    }

    pub fn with_retry_after(status: u16, retry_after: &str) -> Reply {
        let code = if status == 429 {
            "rate_limited"
        } else {
            "unavailable"
        };
        let body =
            json!({"success": false, "error": {"code": code, "message": "Try again later."}});
        Reply::Answer {
            status,
            headers: vec![("retry-after", retry_after.to_owned())],
            body,
        }
    }
}

/// The service's answer to a request: a write's result, or a result per `/batch` item.
pub fn success(request: &Recorded) -> Reply {
    if request.path == "/batch" {
        let items = request.body["batch"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let results: Vec<Value> = items
            .iter()
            .map(|item| json!({"success": true, "uuid": item["uuid"], "queued": false}))
            .collect();
        return Reply::status(
            200,
            json!({"success": true, "queued": false, "results": results}),
        );
    }
    Reply::status(
        200,
        json!({"success": true, "uuid": request.body["uuid"], "queued": false}),
    )
}

type Script = dyn Fn(usize, &Recorded) -> Reply + Send + Sync;

pub struct Stub {
    pub url: String,
    requests: Arc<Mutex<Vec<Recorded>>>,
}

impl Stub {
    /// Serves until the test process ends; `script(n, request)` answers the n-th request.
    pub fn start(script: impl Fn(usize, &Recorded) -> Reply + Send + Sync + 'static) -> Stub {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let script: Arc<Script> = Arc::new(script);
        let seen = Arc::clone(&requests);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (seen, script) = (Arc::clone(&seen), Arc::clone(&script));
                std::thread::spawn(move || serve(stream, &seen, &*script));
            }
        });
        Stub { url, requests }
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }
}

/// One request per connection: read it, record it, answer as scripted, close.
fn serve(stream: TcpStream, seen: &Mutex<Vec<Recorded>>, script: &Script) {
    let mut reader = BufReader::new(stream.try_clone().expect("a second handle"));
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    let path = line
        .split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    let mut headers = HashMap::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
        }
    }
    let length = headers
        .get("content-length")
        .and_then(|value| value.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let request = Recorded {
        path,
        headers,
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
        at: Instant::now(),
    };
    let index = {
        let mut seen = seen.lock().unwrap();
        seen.push(request.clone());
        seen.len() - 1
    };
    let (status, extra, body) = match script(index, &request) {
        Reply::Answer {
            status,
            headers,
            body,
        } => (status, headers, body),
        Reply::Hang(wait) => {
            std::thread::sleep(wait);
            (200, Vec::new(), json!({}))
        }
        Reply::Drop => return,
    };
    let body = body.to_string();
    let mut head = format!(
        "HTTP/1.1 {status} Stub\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
        body.len()
    );
    for (name, value) in extra {
        head.extend([name, ": ", &value, "\r\n"]);
    }
    let mut stream = stream;
    let _ = stream.write_all(format!("{head}\r\n{body}").as_bytes());
}
