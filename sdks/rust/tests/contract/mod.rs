//! The Rust reading of the contract suite (`sdks/contract/README.md` specifies the format):
//! each case's steps played in order, raw HTTP with reqwest, calls through the SDK.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use atrack_sdk::{
    ATrackClient, BatchItem, Error, EventPayload, EventShowRequest, InitPayload, SessionShowRequest,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Map, Value};

pub const INVALID_KEY: &str = "atk_pub_0000000000000000000000000000000000000000";

/// The case files, in name order.
pub fn cases() -> Vec<PathBuf> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../contract/cases");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&folder)
        .unwrap_or_else(|error| panic!("{}: {error}", folder.display()))
        .map(|entry| entry.expect("a case file").path())
        .filter(|path| path.extension().map_or(false, |ext| ext == "json"))
        .collect();
    paths.sort();
    paths
}

/// One answer: the status (200 for any successful SDK call), the JSON, the headers.
struct Answer {
    status: u16,
    body: Value,
    headers: HashMap<String, String>,
}

/// One play of a case: fresh placeholders, shared by its steps.
pub struct Play<'a> {
    service: &'a Value,
    http: reqwest::Client,
    uuids: HashMap<String, String>,
    vars: HashMap<String, Value>,
}

impl<'a> Play<'a> {
    pub fn new(service: &'a Value) -> Self {
        Play {
            service,
            http: reqwest::Client::new(),
            uuids: HashMap::new(),
            vars: HashMap::new(),
        }
    }

    /// Plays every step; the first failing one is the error.
    pub async fn run(mut self, case: &Value) -> Result<(), String> {
        let steps = case["steps"].as_array().ok_or("the case has no steps")?;
        for (index, raw) in steps.iter().enumerate() {
            let step = self.fill(raw);
            self.step(&step)
                .await
                .map_err(|error| format!("step {} ({}): {error}", index + 1, step["name"]))?;
        }
        Ok(())
    }

    async fn step(&mut self, step: &Value) -> Result<(), String> {
        let target = match step["target"].as_str().unwrap_or("service") {
            "service" => "endpoint",
            "limited" => "limited_endpoint",
            "proxy" => "proxy_endpoint",
            other => return Err(format!("unknown target {other}")),
        };
        let endpoint = self.service[target]
            .as_str()
            .ok_or("no such endpoint")?
            .to_owned();
        if let Some(fault) = step.get("fault") {
            let url = self.service["fault_url"].as_str().ok_or("no fault_url")?;
            self.http
                .post(url)
                .header("content-type", "application/json")
                .body(fault.to_string())
                .send()
                .await
                .map_err(|error| format!("fault: {error}"))?;
        }
        let expect = &step["expect"];
        let is_call = step.get("call").is_some();
        let (mut answer, mut elapsed) = (None, Duration::ZERO);
        for _ in 0..step["attempts"].as_u64().unwrap_or(1) {
            let started = Instant::now();
            let got = if is_call {
                self.call(&endpoint, step).await?
            } else {
                self.raw(&endpoint, &step["http"]).await?
            };
            elapsed = started.elapsed();
            let done = got.status as u64 == expect["status"].as_u64().unwrap_or(0);
            answer = Some(got);
            if done {
                break;
            }
        }
        let answer = answer.ok_or("no attempt was made")?;
        check(expect, &answer, elapsed, is_call)?;
        if let Some(save) = step["save"].as_object() {
            for (name, path) in save {
                let value = dig(&answer.body, path.as_str().unwrap_or_default())
                    .ok_or_else(|| format!("nothing at {path} to save"))?;
                self.vars.insert(name.clone(), value);
            }
        }
        Ok(())
    }

    async fn raw(&self, endpoint: &str, request: &Value) -> Result<Answer, String> {
        let url = format!("{endpoint}{}", request["path"].as_str().unwrap_or_default());
        let mut builder = self.http.post(url);
        for (name, value) in request["headers"].as_object().into_iter().flatten() {
            builder = builder.header(name.as_str(), value.as_str().unwrap_or_default());
        }
        let body = match request.get("raw_body") {
            Some(raw) => raw.as_str().unwrap_or_default().as_bytes().to_vec(),
            None => serde_json::to_vec(&request["body"]).expect("a JSON body"),
        };
        let response = builder
            .body(body)
            .send()
            .await
            .map_err(|error| format!("HTTP: {error}"))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    value.to_str().unwrap_or_default().to_owned(),
                )
            })
            .collect();
        let bytes = response
            .bytes()
            .await
            .map_err(|error| format!("HTTP body: {error}"))?;
        Ok(Answer {
            status,
            body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            headers,
        })
    }

    async fn call(&self, endpoint: &str, step: &Value) -> Result<Answer, String> {
        let public = self.service["public_key"].as_str().unwrap_or_default();
        let mut builder = ATrackClient::builder().endpoint(endpoint);
        builder = match step["key"].as_str().unwrap_or("both") {
            "both" => builder
                .public_key(public)
                .secret_key(self.service["secret_key"].as_str().unwrap_or_default()),
            "public" => builder.public_key(public),
            "invalid" => builder.public_key(INVALID_KEY),
            other => return Err(format!("unknown key choice {other}")),
        };
        if let Some(retries) = step["retries"].as_u64() {
            builder = builder.max_retries(retries as u32);
        }
        let client = builder.build().map_err(|error| error.to_string())?;
        let op = step["call"]["op"].as_str().unwrap_or_default();
        let args = &step["call"]["args"];
        let result = match op {
            "init" => json_of(client.init(typed::<InitPayload>(&args["payload"])?).await),
            "track" => json_of(client.track(typed::<EventPayload>(&args["payload"])?).await),
            "set_attributes" => {
                let uuid = args["uuid"].as_str().unwrap_or_default();
                let replace = args["replace"].as_bool().unwrap_or(false);
                json_of(
                    client
                        .set_attributes_for(uuid, &args["attributes"], replace)
                        .await,
                )
            }
            "batch" => json_of(client.batch(typed::<Vec<BatchItem>>(&args["items"])?).await),
            "session_show" => json_of(
                client
                    .session_show_with(typed::<SessionShowRequest>(args)?)
                    .await,
            ),
            "event_show" => json_of(client.event_show(typed::<EventShowRequest>(args)?).await),
            "delete_session" => json_of(
                client
                    .delete_session(args["uuid"].as_str().unwrap_or_default())
                    .await,
            ),
            other => return Err(format!("unknown op {other}")),
        };
        Ok(match result {
            Ok(body) => Answer {
                status: 200,
                body,
                headers: HashMap::new(),
            },
            Err(error) => Answer {
                status: error.status().unwrap_or(0),
                body: json!({
                    "code": error.code(),
                    "fields": error.fields(),
                    "retry_after": error.retry_after().map(|wait| wait.as_secs_f64()),
                    "message": error.to_string(),
                }),
                headers: HashMap::new(),
            },
        })
    }

    /// Every string of `value`, keys included, with its placeholders replaced.
    fn fill(&mut self, value: &Value) -> Value {
        match value {
            Value::String(text) => Value::String(self.fill_text(text)),
            Value::Array(items) => Value::Array(items.iter().map(|item| self.fill(item)).collect()),
            Value::Object(members) => {
                let mut filled = Map::new();
                for (key, item) in members {
                    let key = self.fill_text(key);
                    filled.insert(key, self.fill(item));
                }
                Value::Object(filled)
            }
            other => other.clone(),
        }
    }

    fn fill_text(&mut self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find("{{") {
            let length = match rest[start..].find("}}") {
                Some(length) => length,
                None => break,
            };
            out.push_str(&rest[..start]);
            out.push_str(&self.placeholder(&rest[start + 2..start + length]));
            rest = &rest[start + length + 2..];
        }
        out.push_str(rest);
        out
    }

    fn placeholder(&mut self, inner: &str) -> String {
        let (name, argument) = inner.split_once(':').unwrap_or((inner, ""));
        match name {
            "uuid" | "UUID" => {
                let value = self
                    .uuids
                    .entry(argument.to_owned())
                    .or_insert_with(|| uuid::Uuid::new_v4().to_string())
                    .clone();
                if name == "UUID" {
                    value.to_uppercase()
                } else {
                    value
                }
            }
            "var" => match self.vars.get(argument) {
                Some(Value::String(text)) => text.clone(),
                Some(other) => other.to_string(),
                None => panic!("{{{{var:{argument}}}}} was never saved"),
            },
            "pad" => "x".repeat(argument.parse().expect("a pad length")),
            "invalid_key" => INVALID_KEY.to_owned(),
            key => self.service[key]
                .as_str()
                .unwrap_or_else(|| panic!("unknown placeholder {key}"))
                .to_owned(),
        }
    }
}

fn typed<T: DeserializeOwned>(value: &Value) -> Result<T, String> {
    serde_json::from_value(value.clone()).map_err(|error| format!("the case's arguments: {error}"))
}

fn json_of<T: Serialize>(result: Result<T, Error>) -> Result<Value, Error> {
    result.map(|value| serde_json::to_value(value).expect("SDK results serialize"))
}

fn dig(body: &Value, path: &str) -> Option<Value> {
    path.split('.')
        .try_fold(body, |value, part| match value {
            Value::Array(items) => items.get(part.parse::<usize>().ok()?),
            other => other.get(part),
        })
        .cloned()
}

fn check(expect: &Value, answer: &Answer, elapsed: Duration, is_call: bool) -> Result<(), String> {
    let wanted = expect["status"].as_u64().unwrap_or(0) as u16;
    let body = &answer.body;
    if is_call && (200..300).contains(&wanted) {
        if answer.status != 200 {
            return Err(format!("expected success, got {} {body}", answer.status));
        }
    } else if answer.status != wanted {
        return Err(format!(
            "expected HTTP {wanted}, got {} {body}",
            answer.status
        ));
    }
    let error = if is_call {
        body.clone()
    } else {
        body["error"].clone()
    };
    if let Some(code) = expect.get("error") {
        if &error["code"] != code {
            return Err(format!("expected error {code}, got {}", error["code"]));
        }
    }
    for name in expect["fields"].as_array().into_iter().flatten() {
        let name = name.as_str().unwrap_or_default();
        if error["fields"].get(name).is_none() {
            return Err(format!(
                "expected a message for field {name:?}, got {}",
                error["fields"]
            ));
        }
    }
    if expect["retry_after"] == Value::Bool(true) && body["retry_after"].is_null() {
        return Err("expected retry_after on the error".into());
    }
    for (name, pattern) in expect["headers"].as_object().into_iter().flatten() {
        let value = answer
            .headers
            .get(name)
            .ok_or_else(|| format!("expected header {name}"))?;
        match_header(pattern, value).map_err(|error| format!("header {name}: {error}"))?;
    }
    if let Some(pattern) = expect.get("json") {
        matches(pattern, body, "body")?;
    }
    let minimum = expect["min_elapsed_ms"].as_u64().unwrap_or(0);
    if elapsed < Duration::from_millis(minimum) {
        return Err(format!(
            "took only {} ms, not {minimum}",
            elapsed.as_millis()
        ));
    }
    Ok(())
}

fn match_header(pattern: &Value, value: &str) -> Result<(), String> {
    let ok = match pattern.as_str() {
        Some("<int>") => !value.is_empty() && value.bytes().all(|byte| byte.is_ascii_digit()),
        Some("<any>") => true,
        Some(expected) => value.split(';').next().unwrap_or_default().trim() == expected,
        None => false,
    };
    ok.then_some(())
        .ok_or_else(|| format!("{value:?} is not {pattern}"))
}

/// The patterns of the README: objects by listed keys, arrays item by item, `<…>` kinds.
pub fn matches(expected: &Value, actual: &Value, at: &str) -> Result<(), String> {
    match expected {
        Value::String(kind) if kind.starts_with('<') && kind.ends_with('>') => {
            let ok = match kind.as_str() {
                "<any>" => true,
                "<string>" => actual.is_string(),
                "<int>" => actual.is_i64() || actual.is_u64(),
                "<number>" => actual.is_number(),
                "<uuid>" => actual.as_str().map_or(false, is_uuid),
                "<timestamp>" => actual.as_str().map_or(false, is_timestamp),
                _ => actual == expected,
            };
            ok.then_some(())
                .ok_or_else(|| format!("{at}: {actual} is not {kind}"))
        }
        Value::Object(members) => {
            let object = actual
                .as_object()
                .ok_or_else(|| format!("{at}: expected an object, got {actual}"))?;
            for (key, pattern) in members {
                match (pattern.as_str(), object.get(key)) {
                    (Some("<absent>"), None) => {}
                    (Some("<absent>"), Some(_)) => {
                        return Err(format!("{at}.{key} should be absent"))
                    }
                    (_, None) => {
                        return Err(format!(
                            "{at}.{key} is missing (have {:?})",
                            object.keys().collect::<Vec<_>>()
                        ))
                    }
                    (_, Some(value)) => matches(pattern, value, &format!("{at}.{key}"))?,
                }
            }
            Ok(())
        }
        Value::Array(items) => {
            let array = actual
                .as_array()
                .ok_or_else(|| format!("{at}: expected an array, got {actual}"))?;
            if array.len() != items.len() {
                return Err(format!("{at}: {} items, not {}", array.len(), items.len()));
            }
            items
                .iter()
                .zip(array)
                .enumerate()
                .try_for_each(|(index, (want, got))| matches(want, got, &format!("{at}[{index}]")))
        }
        Value::Number(number) => match (number.as_f64(), actual.as_f64()) {
            (Some(want), Some(got)) if want == got => Ok(()),
            _ => Err(format!("{at}: {actual} != {expected}")),
        },
        _ if expected == actual => Ok(()),
        _ => Err(format!("{at}: {actual} != {expected}")),
    }
}

fn is_uuid(text: &str) -> bool {
    text.len() == 36
        && text.char_indices().all(|(index, c)| match index {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_digit() || ('a'..='f').contains(&c),
        })
}

fn is_timestamp(text: &str) -> bool {
    // 2026-04-12T01:52:35.000000Z
    let shape = "dddd-dd-ddTdd:dd:dd.ddddddZ";
    text.len() == shape.len()
        && text
            .chars()
            .zip(shape.chars())
            .all(|(c, s)| if s == 'd' { c.is_ascii_digit() } else { c == s })
}
