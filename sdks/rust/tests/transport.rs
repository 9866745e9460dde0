//! Retries, back-off, timeouts, headers and batching, watched on the wire of a scripted
//! server (tests/stub): what a live service cannot be made to do on demand.

mod stub;

use std::time::{Duration, Instant};

use atrack_sdk::{
    ATrackClient, BatchConfig, ClientBuilder, Error, EventPayload, InitPayload, USER_AGENT,
};
use serde_json::json;

use stub::{success, Reply, Stub};

const UUID: &str = "b19412c6-6a91-4e18-890d-e2269a0d1249";

fn client(stub: &Stub) -> ClientBuilder {
    ATrackClient::builder()
        .public_key("atk_pub_test")
        .endpoint(stub.url.clone())
        .backoff(Duration::from_millis(100), Duration::from_millis(400))
}

fn event(name: &str) -> EventPayload {
    EventPayload {
        uuid: Some(UUID.into()),
        event: name.into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_503_is_retried_after_its_retry_after_with_the_same_event() {
    let stub = Stub::start(|n, request| {
        if n == 0 {
            Reply::with_retry_after(503, "1")
        } else {
            success(request)
        }
    });
    let started = Instant::now();
    let result = client(&stub)
        .build()
        .unwrap()
        .track(event("checkout_started"))
        .await
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(990),
        "waited {:?}",
        started.elapsed()
    );
    assert_eq!((result.uuid.as_str(), result.status), (UUID, Some(200)));
    let [first, second]: [_; 2] = stub.requests().try_into().unwrap();
    assert_eq!(first.path, "/event");
    assert_eq!(
        first.body["id"], second.body["id"],
        "a retry repeats the event id"
    );
    assert!(first.body["id"].as_str().unwrap().len() == 36);
    assert_eq!(first.body["timestamp"], second.body["timestamp"]);
    assert!(second.body["sent_at"].as_str().unwrap() > first.body["sent_at"].as_str().unwrap());
    assert_eq!(first.headers["user-agent"], USER_AGENT);
    assert_eq!(
        USER_AGENT,
        concat!("atrack-sdk-rust/", env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(first.headers["x-a-track-key"], "atk_pub_test");
    assert_eq!(first.headers["content-type"], "application/json");
}

#[tokio::test]
async fn a_429_without_retry_after_backs_off_with_growing_waits() {
    let stub = Stub::start(|n, request| {
        if n < 2 {
            Reply::status(429, json!({}))
        } else {
            success(request)
        }
    });
    client(&stub)
        .build()
        .unwrap()
        .track(event("x"))
        .await
        .unwrap();
    let requests = stub.requests();
    assert_eq!(requests.len(), 3);
    let first_wait = requests[1].at - requests[0].at;
    let second_wait = requests[2].at - requests[1].at;
    assert!(
        first_wait >= Duration::from_millis(50),
        "half of the 100 ms ceiling is fixed: {first_wait:?}"
    );
    assert!(
        second_wait >= Duration::from_millis(100),
        "the ceiling doubled: {second_wait:?}"
    );
}

#[tokio::test]
async fn an_init_without_uuid_sends_one_uuid_on_every_attempt() {
    let stub = Stub::start(|n, request| {
        if n == 0 {
            Reply::with_retry_after(503, "0")
        } else {
            success(request)
        }
    });
    let client = client(&stub).build().unwrap();
    let result = client.init(InitPayload::default()).await.unwrap();
    let requests = stub.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].body["uuid"], requests[1].body["uuid"]);
    assert_eq!(requests[0].body["uuid"], result.uuid.as_str());
    assert_eq!(
        client.get_user_uuid().as_deref(),
        Some(result.uuid.as_str())
    );
    client
        .set_attributes(json!({"plan": "pro"}), false)
        .await
        .unwrap();
    let attributes = &stub.requests()[2];
    assert_eq!(
        (attributes.path.as_str(), &attributes.body["uuid"]),
        ("/attributes", &requests[0].body["uuid"])
    );
    assert_eq!(attributes.body["replace"], false);
}

#[tokio::test]
async fn a_dropped_connection_is_retried_then_reported() {
    let stub = Stub::start(|n, request| {
        if n == 0 {
            Reply::Drop
        } else {
            success(request)
        }
    });
    client(&stub)
        .build()
        .unwrap()
        .track(event("x"))
        .await
        .unwrap();
    assert_eq!(stub.requests().len(), 2);

    let down = Stub::start(|_, _| Reply::Drop);
    let error = client(&down)
        .max_retries(2)
        .build()
        .unwrap()
        .track(event("x"))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    assert!(error.is_retryable());
    assert_eq!(
        down.requests().len(),
        3,
        "the first attempt and two retries"
    );
}

#[tokio::test]
async fn a_slow_answer_times_out_and_is_retried() {
    let stub = Stub::start(|n, request| {
        if n == 0 {
            Reply::Hang(Duration::from_secs(3))
        } else {
            success(request)
        }
    });
    let client = client(&stub)
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let started = Instant::now();
    client.track(event("x")).await.unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );

    let slow = Stub::start(|_, _| Reply::Hang(Duration::from_secs(3)));
    let client = client_for_timeout(&slow);
    let error = client.track(event("x")).await.unwrap_err();
    assert!(
        matches!(error, Error::Timeout(wait) if wait == Duration::from_millis(300)),
        "{error:?}"
    );
}

fn client_for_timeout(stub: &Stub) -> ATrackClient {
    client(stub)
        .timeout(Duration::from_millis(300))
        .max_retries(0)
        .build()
        .unwrap()
}

#[tokio::test]
async fn refusals_are_not_retried() {
    let body = json!({"success": false, "error": {"code": "invalid_payload", "message": "Bad.", "fields": {"event": ["Too long."]}}});
    let stub = Stub::start(move |_, _| Reply::status(400, body.clone()));
    let error = client(&stub)
        .build()
        .unwrap()
        .track(event("x"))
        .await
        .unwrap_err();
    assert_eq!(
        (error.status(), error.code()),
        (Some(400), Some("invalid_payload"))
    );
    assert_eq!(error.fields().unwrap()["event"], ["Too long.".to_string()]);
    assert_eq!(stub.requests().len(), 1);

    let large = Stub::start(|_, _| {
        Reply::status(
            413,
            json!({"success": false, "error": {"code": "payload_too_large", "message": "Big."}}),
        )
    });
    let error = client(&large)
        .build()
        .unwrap()
        .track(event("x"))
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some("payload_too_large"));
    assert_eq!(large.requests().len(), 1);
}

#[tokio::test]
async fn a_retry_after_beyond_the_maximum_comes_back_at_once() {
    let stub = Stub::start(|_, _| Reply::with_retry_after(503, "120"));
    let started = Instant::now();
    let error = client(&stub)
        .build()
        .unwrap()
        .track(event("x"))
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(
        (error.status(), error.retry_after()),
        (Some(503), Some(Duration::from_secs(120)))
    );
    assert_eq!(stub.requests().len(), 1);
}

#[tokio::test]
async fn retry_after_may_be_an_http_date() {
    let at = std::time::SystemTime::now() + Duration::from_secs(2);
    let date = httpdate::fmt_http_date(at);
    let stub = Stub::start(move |n, request| {
        if n == 0 {
            Reply::with_retry_after(429, &date)
        } else {
            success(request)
        }
    });
    let started = Instant::now();
    client(&stub)
        .build()
        .unwrap()
        .track(event("x"))
        .await
        .unwrap();
    // The date has whole seconds: the wait is between one and two seconds.
    assert!(
        started.elapsed() >= Duration::from_millis(990),
        "{:?}",
        started.elapsed()
    );
}

fn batching(stub: &Stub, config: BatchConfig) -> ATrackClient {
    client(stub).batching(config).build().unwrap()
}

fn one_lane(max_items: usize) -> BatchConfig {
    BatchConfig {
        max_items,
        flush_interval: Duration::from_secs(600),
        concurrency: 1,
        ..Default::default()
    }
}

fn sizes(stub: &Stub) -> Vec<usize> {
    stub.requests()
        .iter()
        .map(|request| request.body["batch"].as_array().map_or(0, Vec::len))
        .collect()
}

#[tokio::test]
async fn batching_sends_full_batches_then_the_rest_on_flush() {
    let stub = Stub::start(|_, request| success(request));
    let client = batching(&stub, one_lane(10));
    for n in 0..25 {
        let result = client
            .track(EventPayload {
                attributes: Some(json!({ "n": n })),
                ..event("x")
            })
            .await
            .unwrap();
        assert_eq!(
            (result.success, result.queued, result.status),
            (true, true, None)
        );
    }
    client.flush().await;
    assert_eq!(sizes(&stub), [10, 10, 5]);
    let requests = stub.requests();
    let items: Vec<_> = requests
        .iter()
        .flat_map(|request| request.body["batch"].as_array().unwrap().clone())
        .collect();
    assert!(items.iter().all(|item| item["type"] == "event"
        && item["sent_at"].is_string()
        && item["id"].is_string()));
    assert_eq!(
        items
            .iter()
            .map(|item| item["attributes"]["n"].as_u64().unwrap())
            .collect::<Vec<_>>(),
        (0..25).collect::<Vec<_>>()
    );
    assert_eq!(client.batch_stats().sent, 25);
}

#[tokio::test]
async fn a_413_splits_the_batch_and_keeps_the_order() {
    let too_large =
        json!({"success": false, "error": {"code": "payload_too_large", "message": "Big."}});
    let stub = Stub::start(move |_, request| {
        if request.body["batch"].as_array().map_or(0, Vec::len) > 4 {
            Reply::status(413, too_large.clone())
        } else {
            success(request)
        }
    });
    let client = batching(&stub, one_lane(10));
    for n in 0..10 {
        client
            .track(EventPayload {
                attributes: Some(json!({ "n": n })),
                ..event("x")
            })
            .await
            .unwrap();
    }
    client.close().await;
    assert_eq!(sizes(&stub), [10, 5, 2, 3, 5, 2, 3]);
    let accepted: Vec<u64> = stub
        .requests()
        .iter()
        .filter(|request| request.body["batch"].as_array().unwrap().len() <= 4)
        .flat_map(|request| request.body["batch"].as_array().unwrap().clone())
        .map(|item| item["attributes"]["n"].as_u64().unwrap())
        .collect();
    assert_eq!(accepted, (0..10).collect::<Vec<_>>());
    let stats = client.batch_stats();
    assert_eq!((stats.sent, stats.failed), (10, 0));
}

#[tokio::test]
async fn a_full_queue_refuses_writes_when_told_not_to_block() {
    let stub = Stub::start(|n, request| {
        std::thread::sleep(Duration::from_millis(if n == 0 { 500 } else { 0 }));
        success(request)
    });
    let config = BatchConfig {
        queue_capacity: 2,
        block_when_full: false,
        ..one_lane(1)
    };
    let client = batching(&stub, config);
    let mut refused = 0;
    for _ in 0..6 {
        match client.track(event("x")).await {
            Ok(_) => {}
            Err(Error::QueueFull) => refused += 1,
            Err(other) => panic!("{other:?}"),
        }
    }
    assert!(
        refused >= 1,
        "a queue of 2 with one write in flight takes at most 3"
    );
    client.close().await;
    let stats = client.batch_stats();
    assert_eq!((stats.queued, stats.sent), (6 - refused, 6 - refused));
}

#[tokio::test]
async fn undeliverable_batches_reach_the_error_handler() {
    let stub = Stub::start(|_, _| Reply::with_retry_after(503, "0"));
    let failed = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = std::sync::Arc::clone(&failed);
    let client = client(&stub)
        .max_retries(1)
        .on_error(move |error, write| {
            seen.lock()
                .unwrap()
                .push((error.status(), write.kind, write.uuid.clone()))
        })
        .batching(one_lane(10))
        .build()
        .unwrap();
    client.track(event("a")).await.unwrap();
    client.track(event("b")).await.unwrap();
    client.flush().await;
    assert_eq!(
        *failed.lock().unwrap(),
        [
            (Some(503), "event", UUID.to_string()),
            (Some(503), "event", UUID.to_string())
        ]
    );
    assert_eq!(client.batch_stats().failed, 2);
    assert_eq!(stub.requests().len(), 2, "one attempt and one retry");
}

#[test]
fn batching_needs_a_runtime_and_says_so() {
    let error = ATrackClient::builder()
        .public_key("k")
        .endpoint("http://127.0.0.1:9")
        .batching(BatchConfig::default())
        .build()
        .unwrap_err();
    assert!(error.to_string().contains("Tokio runtime"), "{error}");
}

#[test]
fn the_client_and_its_futures_cross_threads() {
    fn send_sync<T: Send + Sync>(_: &T) {}
    fn send<T: Send>(_: &T) {}
    let client = ATrackClient::builder()
        .public_key("k")
        .endpoint("http://127.0.0.1:9")
        .build()
        .unwrap();
    send_sync(&client);
    send(&client.track(event("x")));
    send(&client.init(InitPayload::default()));
    send(&client.set_attributes(json!({}), false));
    send(&client.session_show(UUID));
    send(&client.flush());
}
