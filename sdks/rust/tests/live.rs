//! The SDK against a live service started by `sdks/contract/serve.py` (the embedded
//! default): the contract suite, batching mode, and a client shared across threads.

mod contract;
mod launcher;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use atrack_sdk::{
    ATrackClient, BatchConfig, Error, EventPayload, EventShowRequest, InitPayload,
    SessionShowRequest, Sort,
};
use once_cell::sync::Lazy;
use serde_json::{json, Value};

use launcher::{eventually, Service};

static SERVICE: Lazy<Option<Service>> = Lazy::new(|| launcher::launch(&[]));

fn service() -> Option<&'static Service> {
    SERVICE.as_ref()
}

fn new_uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn batching(service: &Service, config: BatchConfig) -> atrack_sdk::ClientBuilder {
    ATrackClient::builder()
        .public_key(service.public_key())
        .endpoint(service.endpoint())
        .batching(config)
}

async fn events_named(service: &Service, name: &str) -> u64 {
    let request = EventShowRequest {
        name: name.to_owned(),
        per_page: Some(1),
        ..Default::default()
    };
    service
        .reader()
        .event_show(request)
        .await
        .expect("event/show")
        .meta
        .total
}

#[tokio::test]
async fn the_sdk_plays_every_contract_case() {
    let service = match service() {
        Some(service) => service,
        None => return,
    };
    let cases = contract::cases();
    assert!(
        cases.len() >= 15,
        "the contract suite has a case per flow and error"
    );
    let mut failures = Vec::new();
    for path in &cases {
        let case: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let name = path.file_name().unwrap().to_string_lossy();
        let outcome = contract::Play::new(&service.info).run(&case).await;
        // A case the service does not meet yet reports, and fails nothing (sdks/contract/README.md).
        match (outcome, case["expected_failure"].as_str()) {
            (Ok(()), None) => {}
            (Ok(()), Some(_)) => eprintln!("{name}: expected to fail, passes through this SDK"),
            (Err(error), Some(why)) => eprintln!("{name}: expected failure ({why}): {error}"),
            (Err(error), None) => failures.push(format!("{name}: {error}")),
        }
    }
    assert!(
        failures.is_empty(),
        "contract cases failed:\n{}",
        failures.join("\n")
    );
}

#[tokio::test]
async fn a_case_expecting_the_wrong_answer_fails() {
    let service = match service() {
        Some(service) => service,
        None => return,
    };
    let mut case: Value =
        serde_json::from_str(&std::fs::read_to_string(&contract::cases()[0]).unwrap()).unwrap();
    case["steps"][0]["expect"]["status"] = json!(200); // the init really answers 201
    let error = contract::Play::new(&service.info)
        .run(&case)
        .await
        .unwrap_err();
    assert!(error.starts_with("step 1 "), "{error}");
    assert!(error.contains("expected HTTP 200, got 201"), "{error}");
}

#[test]
fn patterns_match_as_the_readme_says() {
    let pattern = json!({"a": 1, "b": "<absent>", "c": ["<uuid>", "<timestamp>"], "d": "<int>"});
    let good = json!({"a": 1.0, "c": ["b19412c6-6a91-4e18-890d-e2269a0d1249", "2026-04-12T01:52:35.000000Z"], "d": 3, "e": 0});
    assert_eq!(contract::matches(&pattern, &good, "body"), Ok(()));
    let present = json!({"a": 1, "b": null, "c": ["b19412c6-6a91-4e18-890d-e2269a0d1249", "2026-04-12T01:52:35.000000Z"], "d": 3});
    assert_eq!(
        contract::matches(&pattern, &present, "body"),
        Err("body.b should be absent".into())
    );
    let upper = json!({"a": 1, "c": ["B19412C6-6A91-4E18-890D-E2269A0D1249", "2026-04-12T01:52:35Z"], "d": 3});
    assert!(contract::matches(&pattern, &upper, "body")
        .unwrap_err()
        .contains("<uuid>"));
    let short = json!({"a": 1, "c": [], "d": 1.5});
    assert_eq!(
        contract::matches(&pattern, &short, "body"),
        Err("body.c: 0 items, not 2".into())
    );
}

#[tokio::test]
async fn batching_delivers_every_write_once_in_each_sessions_order() {
    let service = match service() {
        Some(service) => service,
        None => return,
    };
    let name = format!("batched_{}", uuid::Uuid::new_v4().simple());
    let config = BatchConfig {
        max_items: 20,
        flush_interval: Duration::from_millis(50),
        concurrency: 3,
        ..Default::default()
    };
    let client = batching(service, config).build().unwrap();
    let sessions: Vec<String> = (0..30).map(|_| new_uuid()).collect();
    for uuid in &sessions {
        let queued = client
            .init(InitPayload {
                uuid: Some(uuid.clone()),
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(queued.queued && queued.status.is_none(), "{queued:?}");
        for step in 0..10 {
            client
                .set_attributes_for(uuid, json!({ "step": step }), true)
                .await
                .unwrap();
            let event = EventPayload {
                uuid: Some(uuid.clone()),
                event: name.clone(),
                ..Default::default()
            };
            client.track(event).await.unwrap();
        }
    }
    client.close().await;
    let stats = client.batch_stats();
    assert_eq!(
        (stats.queued, stats.sent, stats.failed, stats.pending()),
        (630, 630, 0, 0)
    );
    assert_eq!(events_named(service, &name).await, 300);
    let shown = service
        .reader()
        .session_show(&sessions[7])
        .await
        .unwrap()
        .data;
    assert_eq!(
        shown.attributes,
        json!({"step": 9}).as_object().unwrap().clone(),
        "the last replace won"
    );
    assert_eq!(shown.meta.events_count, 10);
}

#[tokio::test]
async fn the_flush_interval_sends_without_a_flush() {
    let service = match service() {
        Some(service) => service,
        None => return,
    };
    let config = BatchConfig {
        flush_interval: Duration::from_millis(200),
        ..Default::default()
    };
    let client = batching(service, config).build().unwrap();
    let uuid = new_uuid();
    client
        .init(InitPayload {
            uuid: Some(uuid.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    client
        .track(EventPayload {
            event: "interval".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let reader = service.reader();
    let stored = eventually(Duration::from_secs(10), || async {
        let shown = reader.session_show(&uuid).await.ok()?;
        (shown.data.meta.events_count == 1).then_some(())
    })
    .await;
    assert!(stored.is_some(), "the interval sent the queue");
    assert_eq!(client.batch_stats().sent, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_client_sends_its_queue() {
    let service = match service() {
        Some(service) => service,
        None => return,
    };
    let config = BatchConfig {
        flush_interval: Duration::from_secs(600),
        ..Default::default()
    };
    let client = batching(service, config).build().unwrap();
    let uuid = new_uuid();
    client
        .init(InitPayload {
            uuid: Some(uuid.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    for n in 0..3 {
        let event = EventPayload {
            event: "dropped".into(),
            attributes: Some(json!({ "n": n })),
            ..Default::default()
        };
        client.track(event).await.unwrap();
    }
    drop(client);
    let reader = service.reader();
    let stored = eventually(Duration::from_secs(10), || async {
        let shown = reader.session_show(&uuid).await.ok()?;
        (shown.data.meta.events_count == 3).then_some(())
    })
    .await;
    assert!(
        stored.is_some(),
        "the queue went out when the client was dropped"
    );
}

#[tokio::test]
async fn refused_writes_reach_the_error_handler_and_the_rest_is_stored() {
    let service = match service() {
        Some(service) => service,
        None => return,
    };
    let refused = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&refused);
    let client = batching(service, BatchConfig::default())
        .on_error(move |error, write| {
            let fields: Vec<String> = error
                .fields()
                .map(|f| f.keys().cloned().collect())
                .unwrap_or_default();
            seen.lock().unwrap().push((
                write.kind,
                error.code().map(str::to_owned),
                fields,
                write.payload.clone(),
            ));
        })
        .build()
        .unwrap();
    let uuid = new_uuid();
    client
        .init(InitPayload {
            uuid: Some(uuid.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    client
        .track(EventPayload {
            event: "kept".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    client
        .track(EventPayload {
            event: "x".repeat(300),
            ..Default::default()
        })
        .await
        .unwrap();
    client.close().await;
    let refused = refused.lock().unwrap().clone();
    assert_eq!(refused.len(), 1, "{refused:?}");
    let (kind, code, fields, payload) = &refused[0];
    assert_eq!(
        (*kind, code.as_deref(), fields.as_slice()),
        ("event", Some("invalid_payload"), &["event".to_string()][..])
    );
    assert_eq!(payload["event"].as_str().map(str::len), Some(300));
    let stats = client.batch_stats();
    assert_eq!((stats.sent, stats.failed), (2, 1));
    let shown = service.reader().session_show(&uuid).await.unwrap().data;
    assert_eq!(
        shown
            .events
            .iter()
            .map(|event| event.name.as_str())
            .collect::<Vec<_>>(),
        ["kept"]
    );
    let after = client
        .track(EventPayload {
            event: "late".into(),
            ..Default::default()
        })
        .await;
    assert!(matches!(after, Err(Error::Closed)), "{after:?}");
}

fn assert_send_sync<T: Send + Sync + 'static>(_: &T) {}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_client_serves_tasks_on_many_threads() {
    let service = match service() {
        Some(service) => service,
        None => return,
    };
    let client = ATrackClient::builder()
        .public_key(service.public_key())
        .secret_key(service.secret_key())
        .endpoint(service.endpoint())
        .build()
        .unwrap();
    assert_send_sync(&client);
    let name = format!("threads_{}", uuid::Uuid::new_v4().simple());
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let client = client.clone();
            let name = name.clone();
            tokio::spawn(async move {
                let uuid = new_uuid();
                let created = client
                    .init(InitPayload {
                        uuid: Some(uuid.clone()),
                        ..Default::default()
                    })
                    .await?;
                assert_eq!(created.status, Some(201));
                for n in 0..5 {
                    let event = EventPayload {
                        uuid: Some(uuid.clone()),
                        event: name.clone(),
                        attributes: Some(json!({ "n": n })),
                        ..Default::default()
                    };
                    client.track(event).await?;
                }
                Ok::<String, Error>(uuid)
            })
        })
        .collect();
    let mut sessions = Vec::new();
    for task in tasks {
        sessions.push(task.await.unwrap().unwrap());
    }
    assert_eq!(events_named(service, &name).await, 40);
    let request = SessionShowRequest {
        uuid: sessions[3].clone(),
        events_limit: Some(2),
        sort: Some(Sort::Asc),
    };
    let shown = client.session_show_with(request).await.unwrap().data;
    assert_eq!(shown.events.len(), 2);
    assert_eq!(shown.events[0].attributes["n"], 0);
    assert_eq!(shown.meta.events_count, 2, "the events shown");
    let request = EventShowRequest {
        name,
        uuid: Some(sessions[3].clone()),
        ..Default::default()
    };
    assert_eq!(client.event_show(request).await.unwrap().meta.total, 5);
    let again = client
        .init(InitPayload {
            uuid: Some(sessions[3].clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        again.status,
        Some(200),
        "a second init continues the session"
    );
}
