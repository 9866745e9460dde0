//! The official Rust SDK of A-TRACK, a self-hosted visitor tracking service.
//!
//! ```no_run
//! use atrack_sdk::{ATrackClient, Context, EventPayload, InitPayload, UrlContext};
//! use serde_json::json;
//!
//! # async fn run() -> Result<(), atrack_sdk::Error> {
//! let client = ATrackClient::new("atk_pub_...")?; // the endpoint from $ATRACK_ENDPOINT
//! let result = client.init(InitPayload {
//!     context: Some(Context {
//!         url: Some(UrlContext { href: Some("https://shop.example/pricing".into()), ..Default::default() }),
//!         ..Default::default()
//!     }),
//!     ..Default::default()
//! }).await?;
//! client.set_attributes(json!({"plan": "pro"}), false).await?;
//! client.track(EventPayload {
//!     uuid: Some(result.uuid),
//!     event: "checkout_started".into(),
//!     attributes: Some(json!({"cart_value": 129.99})),
//!     ..Default::default()
//! }).await?;
//! # Ok(())
//! # }
//! ```
//!
//! Every call is retried on network errors, timeouts, 408, 429 and 5xx (honouring
//! `Retry-After`) with exponential back-off and jitter; events carry a client-made id so a
//! retry is stored once. [`ClientBuilder::batching`] queues writes and sends them through
//! `POST /batch` in the background. See the README for the whole guide.

mod batch;
mod body;
mod client;
mod clock;
mod error;
mod transport;
mod types;

pub use batch::{BatchConfig, BatchStats, ErrorHandler, FailedWrite, MAX_BATCH_ITEMS};
pub use client::{ATrackClient, ClientBuilder, ENDPOINT_ENV};
pub use error::Error;
pub use transport::USER_AGENT;
pub use types::*;

/// The result of the SDK's calls.
pub type Result<T, E = Error> = std::result::Result<T, E>;
