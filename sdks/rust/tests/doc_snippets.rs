//! The documentation's Rust examples, verbatim, run against a live service.
//!
//! Each example sits between `// snippet: NAME` and `// end snippet` exactly as the public
//! documentation (shared/seed/a-track-documentation.txt) shows it; a test checks that every
//! Rust example of the documentation is one of these copies, word for word. The endpoint
//! comes from `ATRACK_ENDPOINT`; the placeholder key `your_public_key` becomes the live
//! project's key (the JavaScript and Python runs replace it in their text); the names an
//! example assumes (`full_url`, `known_uuid`...) are the functions' arguments.

mod launcher;

use std::error::Error;
use std::path::PathBuf;

use atrack_sdk::{Context, EventPayload, InitPayload, UrlContext};
use once_cell::sync::OnceCell;
use serde_json::json;

type Outcome<T> = Result<T, Box<dyn Error>>;

static PUBLIC_KEY: OnceCell<String> = OnceCell::new();

/// The SDK's client, built the documented way, with the live project's key in place of
/// the documentation's placeholder.
struct ATrackClient;

impl ATrackClient {
    #[allow(clippy::new_ret_no_self)] // it builds the SDK's client, as the examples expect
    fn new(key: &str) -> atrack_sdk::Result<atrack_sdk::ATrackClient> {
        let key = match key {
            "your_public_key" => PUBLIC_KEY.get().expect("the live project's key"),
            other => other,
        };
        atrack_sdk::ATrackClient::new(key)
    }
}

/// "Real-Life Examples": init from an ad click, read the generated UUID, track with it.
#[rustfmt::skip] // the documentation's layout, kept as it is
async fn real_life(full_url: &str, raw_url: &str) -> Outcome<(String, String)> {
    // snippet: real_life_1_init
    let client = ATrackClient::new("your_public_key")?;

    client.init(InitPayload {
        context: Some(Context {
            url: Some(UrlContext {
                href: Some("https://a-track.io/pricing?utm_source=google&utm_campaign=spring-launch&campaign_id=cmp_123&gclid=gclid_123&fbclid=fbclid_123".to_string()),
                raw: Some("/pricing?utm_source=google&utm_campaign=spring-launch&campaign_id=cmp_123&gclid=gclid_123&fbclid=fbclid_123".to_string()),
                source_url: Some("https://partner.example.com/blog/first-touch".to_string()),
                ..Default::default()
            }),
            ..Default::default()
        }),
        ..Default::default()
    }).await?;
    // end snippet
    let first_uuid = client.get_user_uuid().expect("init made the session current");

    // snippet: real_life_2_read_uuid
    let init_result = client.init(InitPayload {
        context: Some(Context {
            url: Some(UrlContext {
                href: Some(full_url.to_string()),
                raw: Some(raw_url.to_string()),
                ..Default::default()
            }),
            ..Default::default()
        }),
        ..Default::default()
    }).await?;

    let generated_uuid = init_result.uuid;
    // end snippet
    let saved = generated_uuid.clone();

    // snippet: real_life_3_track
    client.track(EventPayload {
        uuid: Some(generated_uuid),
        event: "checkout_started".into(),
        attributes: Some(json!({
            "cart_value": 129.99,
            "currency": "USD",
            "step": "payment"
        })),
        ..Default::default()
    }).await?;
    // end snippet
    Ok((first_uuid, saved))
}

/// "Code Examples": Init with a known UUID, Set Attributes, Track Event.
#[rustfmt::skip] // the documentation's layout, kept as it is
async fn reference(known_uuid: &str, full_url: &str, raw_url: &str) -> Outcome<String> {
    // snippet: init
    let client = ATrackClient::new("your_public_key")?;

    let result = client.init(InitPayload {
        uuid: Some(known_uuid.to_string()),
        context: Some(Context {
            url: Some(UrlContext {
                href: Some(full_url.to_string()),
                raw: Some(raw_url.to_string()),
                ..Default::default()
            }),
            ..Default::default()
        }),
        ..Default::default()
    }).await?;
    // end snippet

    // snippet: set_attributes
    client.set_attributes(json!({
        "plan": "pro",
        "signup_step": "landing"
    }), false).await?;
    // end snippet

    // snippet: track
    client.track(EventPayload {
        uuid: Some(known_uuid.to_string()),
        event: "checkout_started".into(),
        attributes: Some(json!({
            "cart_value": 129.99,
            "currency": "USD"
        })),
        ..Default::default()
    }).await?;
    // end snippet
    Ok(result.uuid)
}

const LANDING: &str = "https://a-track.io/pricing?utm_source=google&utm_campaign=spring-launch&campaign_id=cmp_123&gclid=gclid_123&fbclid=fbclid_123";

#[tokio::test]
async fn the_documentations_rust_examples_run() {
    let service = match launcher::launch(&[]) {
        Some(service) => service,
        None => return,
    };
    // Before any other thread of this test binary could read the environment.
    std::env::set_var(atrack_sdk::ENDPOINT_ENV, service.endpoint());
    PUBLIC_KEY.set(service.public_key().to_owned()).unwrap();
    let reader = service.reader();
    let full_url = "https://a-track.io/pricing?utm_source=newsletter#plans";
    let raw_url = "/pricing?utm_source=newsletter";

    let (first_uuid, generated_uuid) = real_life(full_url, raw_url).await.unwrap();
    let first = reader.session_show(&first_uuid).await.unwrap().data.session;
    assert_eq!(first.url_data.href.as_deref(), Some(LANDING));
    assert_eq!(
        first.url_data.source_url.as_deref(),
        Some("https://partner.example.com/blog/first-touch")
    );
    assert_eq!(first.utm_data["utm_campaign"], "spring-launch");
    assert!(
        ["gclid", "fbclid", "fbc"]
            .iter()
            .all(|key| first.click_ids.contains_key(*key)),
        "{:?}",
        first.click_ids
    );
    assert_eq!(first.source.as_deref(), Some("google"));
    let generated = reader.session_show(&generated_uuid).await.unwrap().data;
    assert_ne!(generated_uuid, first_uuid);
    assert_eq!(generated.session.url_data.href.as_deref(), Some(full_url));
    assert_eq!(generated.events.len(), 1);
    assert_eq!(generated.events[0].name, "checkout_started");
    let expected = json!({"cart_value": 129.99, "currency": "USD", "step": "payment"});
    assert_eq!(
        serde_json::Value::Object(generated.events[0].attributes.clone()),
        expected
    );

    let known_uuid = uuid::Uuid::new_v4().to_string();
    assert_eq!(
        reference(&known_uuid, full_url, raw_url).await.unwrap(),
        known_uuid
    );
    let shown = reader.session_show(&known_uuid).await.unwrap().data;
    assert_eq!(shown.session.url_data.path.as_deref(), Some("/pricing"));
    assert_eq!(
        serde_json::Value::Object(shown.attributes),
        json!({"plan": "pro", "signup_step": "landing"})
    );
    let events: Vec<_> = shown
        .events
        .iter()
        .map(|e| {
            (
                e.name.as_str(),
                serde_json::Value::Object(e.attributes.clone()),
            )
        })
        .collect();
    assert_eq!(
        events,
        [(
            "checkout_started",
            json!({"cart_value": 129.99, "currency": "USD"})
        )]
    );
}

/// The copies above, by name, dedented.
fn copies() -> Vec<(String, String)> {
    let source = include_str!("doc_snippets.rs");
    let mut copies = Vec::new();
    let mut current: Option<(String, Vec<&str>)> = None;
    for line in source.lines() {
        let marker = line.trim();
        if let Some(name) = marker.strip_prefix("// snippet: ") {
            current = Some((name.to_owned(), Vec::new()));
        } else if marker == "// end snippet" {
            let (name, lines) = current.take().expect("an end after a start");
            copies.push((name, dedent(&lines)));
        } else if let Some((_, lines)) = current.as_mut() {
            lines.push(line);
        }
    }
    copies
}

fn dedent(lines: &[&str]) -> String {
    let indent = lines
        .iter()
        .filter(|line| !line.trim().is_empty())
        .map(|line| line.len() - line.trim_start().len())
        .min()
        .unwrap_or(0);
    lines
        .iter()
        .map(|line| line.get(indent..).unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every Rust example of the documentation: the code after each "Rust SDK" heading, up to
/// the next language's heading.
fn documented(text: &str) -> Vec<String> {
    let mut examples = Vec::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        if line.trim() != "Rust SDK" {
            continue;
        }
        let mut block = Vec::new();
        while let Some(next) = lines.peek() {
            if next.trim().ends_with(" SDK") {
                break;
            }
            block.push(lines.next().unwrap_or_default());
        }
        let block = block.join("\n").trim().to_owned();
        if block.contains(';') {
            examples.push(block);
        }
    }
    examples
}

fn documentation() -> Option<PathBuf> {
    [
        launcher::repo_root().join("../shared/seed/a-track-documentation.txt"),
        PathBuf::from("/work/shared/seed/a-track-documentation.txt"),
    ]
    .into_iter()
    .find(|path| path.is_file())
}

#[test]
fn the_copies_are_the_documentations_text() {
    let copies = copies();
    let names: Vec<&str> = copies.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(
        names,
        [
            "real_life_1_init",
            "real_life_2_read_uuid",
            "real_life_3_track",
            "init",
            "set_attributes",
            "track"
        ]
    );
    let path = match documentation() {
        Some(path) => path,
        None => {
            return eprintln!(
                "SKIPPED: the documentation (shared/seed) is not beside this checkout"
            )
        }
    };
    let text = std::fs::read_to_string(path).unwrap();
    for (name, copy) in &copies {
        assert!(
            text.contains(copy.as_str()),
            "{name} is no longer the documentation's text:\n{copy}"
        );
    }
    let documented = documented(&text);
    assert_eq!(
        documented.len(),
        copies.len(),
        "the documentation's Rust examples: {documented:#?}"
    );
    for example in &documented {
        assert!(
            copies
                .iter()
                .any(|(_, copy)| copy.trim() == example.as_str()),
            "a Rust example of the documentation is not run here:\n{example}"
        );
    }
}
