//! `ATrackClient`: the documented calls, and the builder that configures them.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::batch::{BatchConfig, BatchStats, Batcher, ErrorHandler, FailedWrite};
use crate::body::{batch_body, Prepared};
use crate::clock::now_rfc3339;
use crate::error::Error;
use crate::transport::{Answer, Key, RetryPolicy, Transport, TransportConfig};
use crate::types::{
    AttributesPayload, BatchItem, BatchResult, DeleteResult, EventPayload, EventShow,
    EventShowRequest, InitPayload, SessionShow, SessionShowRequest, WriteResult,
};

/// The environment variable read when no endpoint is given.
pub const ENDPOINT_ENV: &str = "ATRACK_ENDPOINT";

/// A client of one A-TRACK project.
///
/// Cheap to clone (clones share one connection pool, one batching queue and the current
/// session UUID), `Send + Sync`, and meant to be built once and shared.
#[derive(Clone)]
pub struct ATrackClient {
    inner: Arc<Inner>,
}

struct Inner {
    transport: Arc<Transport>,
    synchronous: bool,
    uuid: Mutex<Option<String>>,
    batcher: Option<Batcher>,
    key_prefix: String,
}

impl ATrackClient {
    /// A client writing with `public_key` to `$ATRACK_ENDPOINT`, with the default settings.
    ///
    /// Fails with [`Error::Config`] when `ATRACK_ENDPOINT` is not set; use
    /// [`ATrackClient::builder`] to pass the endpoint, a secret key or other settings.
    pub fn new(public_key: impl Into<String>) -> Result<Self, Error> {
        Self::builder().public_key(public_key).build()
    }

    /// A builder with the default settings.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The UUID of the last `init` (or of [`ClientBuilder::uuid`]): the session of the writes
    /// that name none.
    pub fn get_user_uuid(&self) -> Option<String> {
        self.current_uuid()
    }

    /// Makes `uuid` the session of the writes that name none (`None` forgets it).
    pub fn set_user_uuid(&self, uuid: Option<String>) {
        *self
            .inner
            .uuid
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = uuid;
    }

    /// `POST /init`: creates or continues a session, and makes it the client's current one.
    ///
    /// Without a `uuid` the SDK makes one (a random UUID), so a retried init is still one
    /// session; it is the `uuid` of the answer.
    pub async fn init(&self, payload: InitPayload) -> Result<WriteResult, Error> {
        self.write(self.prepare(BatchItem::Init(payload))?).await
    }

    /// `POST /attributes` on the current session: merges `attributes` (a JSON object) into
    /// its attributes, or with `replace` makes them the whole set.
    pub async fn set_attributes(
        &self,
        attributes: impl Serialize,
        replace: bool,
    ) -> Result<WriteResult, Error> {
        self.attributes(attributes_payload(None, attributes, replace)?)
            .await
    }

    /// `POST /attributes` on the session `uuid` (see [`ATrackClient::set_attributes`]).
    pub async fn set_attributes_for(
        &self,
        uuid: &str,
        attributes: impl Serialize,
        replace: bool,
    ) -> Result<WriteResult, Error> {
        self.attributes(attributes_payload(
            Some(uuid.to_owned()),
            attributes,
            replace,
        )?)
        .await
    }

    /// `POST /attributes` with every field (`uuid: None` is the current session).
    pub async fn attributes(&self, payload: AttributesPayload) -> Result<WriteResult, Error> {
        self.write(self.prepare(BatchItem::Attributes(payload))?)
            .await
    }

    /// `POST /event`: records an event (`uuid: None` is the current session).
    ///
    /// The SDK adds an `id` (so that a retried event is stored once), the `timestamp` of the
    /// call, and at each attempt `sent_at`, unless you set them.
    pub async fn track(&self, payload: EventPayload) -> Result<WriteResult, Error> {
        self.write(self.prepare(BatchItem::Event(payload))?).await
    }

    /// `POST /batch`: up to 100 writes in one request, each answered on its own.
    ///
    /// The items are completed as their own calls would be (UUIDs, event ids, timestamps).
    /// This sends at once, also in batching mode.
    pub async fn batch(&self, items: Vec<BatchItem>) -> Result<BatchResult, Error> {
        let prepared = items
            .into_iter()
            .map(|item| Prepared::tagged(&self.prepare(item)?))
            .collect::<Result<Vec<_>, Error>>()?;
        let answer = self
            .inner
            .transport
            .post("/batch", Key::Write, || {
                batch_body(&prepared, self.inner.synchronous)
            })
            .await?;
        decode(&answer)
    }

    /// `POST /session/show` (secret key): the enriched session, its attributes, its latest events.
    pub async fn session_show(&self, uuid: &str) -> Result<SessionShow, Error> {
        self.session_show_with(SessionShowRequest {
            uuid: uuid.to_owned(),
            ..Default::default()
        })
        .await
    }

    /// `POST /session/show` with an events limit and sort order.
    pub async fn session_show_with(
        &self,
        request: SessionShowRequest,
    ) -> Result<SessionShow, Error> {
        self.read("/session/show", &request).await
    }

    /// `POST /event/show` (secret key): one page of the events with a name.
    pub async fn event_show(&self, request: EventShowRequest) -> Result<EventShow, Error> {
        self.read("/event/show", &request).await
    }

    /// `POST /session/delete` (secret key): erases a session with its attributes and events.
    pub async fn delete_session(&self, uuid: &str) -> Result<DeleteResult, Error> {
        self.read("/session/delete", &serde_json::json!({ "uuid": uuid }))
            .await
    }

    /// Batching mode: sends every queued write and waits until each was delivered or given
    /// up on. Without batching there is nothing to wait for.
    pub async fn flush(&self) {
        if let Some(batcher) = &self.inner.batcher {
            batcher.flush().await;
        }
    }

    /// Batching mode: delivers the queue and stops; later writes fail with [`Error::Closed`].
    ///
    /// Call it before the runtime ends. Dropping the last clone of a client also sends its
    /// queue, but only while the runtime is still running.
    pub async fn close(&self) {
        if let Some(batcher) = &self.inner.batcher {
            batcher.close().await;
        }
    }

    /// Batching mode's counts (all zero without batching).
    pub fn batch_stats(&self) -> BatchStats {
        self.inner
            .batcher
            .as_ref()
            .map(Batcher::stats)
            .unwrap_or_default()
    }

    fn current_uuid(&self) -> Option<String> {
        self.inner
            .uuid
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Completes a write as documented: its session, an event's id and timestamp.
    fn prepare(&self, item: BatchItem) -> Result<BatchItem, Error> {
        let synchronous = self.inner.synchronous.then_some(true);
        Ok(match item {
            BatchItem::Init(mut payload) => {
                let uuid = payload
                    .uuid
                    .take()
                    .filter(|uuid| !uuid.is_empty())
                    .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
                self.set_user_uuid(Some(uuid.to_ascii_lowercase()));
                payload.uuid = Some(uuid);
                payload.synchronous = payload.synchronous.or(synchronous);
                BatchItem::Init(payload)
            }
            BatchItem::Attributes(mut payload) => {
                payload.uuid = Some(self.session_of(payload.uuid.take(), "set attributes")?);
                payload.synchronous = payload.synchronous.or(synchronous);
                BatchItem::Attributes(payload)
            }
            BatchItem::Event(mut payload) => {
                payload.uuid = Some(self.session_of(payload.uuid.take(), "track")?);
                payload.id = payload
                    .id
                    .or_else(|| Some(uuid::Uuid::new_v4().to_string()));
                payload.timestamp = payload.timestamp.or_else(|| Some(now_rfc3339()));
                payload.synchronous = payload.synchronous.or(synchronous);
                BatchItem::Event(payload)
            }
        })
    }

    fn session_of(&self, uuid: Option<String>, call: &str) -> Result<String, Error> {
        uuid.filter(|uuid| !uuid.is_empty())
            .or_else(|| self.current_uuid())
            .ok_or_else(|| {
                Error::InvalidInput(format!(
                    "no session UUID to {call}: call init first, or pass a uuid"
                ))
            })
    }

    async fn write(&self, item: BatchItem) -> Result<WriteResult, Error> {
        if let Some(batcher) = &self.inner.batcher {
            let prepared = Prepared::tagged(&item)?;
            let uuid = prepared.uuid.clone();
            batcher.enqueue(prepared).await?;
            return Ok(WriteResult {
                success: true,
                uuid,
                queued: true,
                status: None,
            });
        }
        let prepared = Prepared::single(&item)?;
        let path = format!("/{}", item.kind());
        let answer = self
            .inner
            .transport
            .post(&path, Key::Write, || prepared.render())
            .await?;
        let mut result: WriteResult = decode(&answer)?;
        result.status = Some(answer.status);
        if matches!(item, BatchItem::Init(_)) && !result.uuid.is_empty() {
            self.set_user_uuid(Some(result.uuid.clone()));
        }
        Ok(result)
    }

    async fn read<T: DeserializeOwned>(
        &self,
        path: &str,
        request: &impl Serialize,
    ) -> Result<T, Error> {
        let body = serde_json::to_vec(request)
            .map_err(|error| Error::InvalidInput(format!("cannot encode the request: {error}")))?;
        let answer = self
            .inner
            .transport
            .post(path, Key::Read, || body.clone())
            .await?;
        decode(&answer)
    }
}

impl fmt::Debug for ATrackClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the key itself: a log line that holds one leaks it.
        f.debug_struct("ATrackClient")
            .field("key", &format_args!("{}…", self.inner.key_prefix))
            .field("batching", &self.inner.batcher.is_some())
            .field("uuid", &self.current_uuid())
            .finish()
    }
}

fn attributes_payload(
    uuid: Option<String>,
    attributes: impl Serialize,
    replace: bool,
) -> Result<AttributesPayload, Error> {
    let attributes = serde_json::to_value(attributes)
        .map_err(|error| Error::InvalidInput(format!("cannot encode the attributes: {error}")))?;
    Ok(AttributesPayload {
        uuid,
        attributes,
        replace: Some(replace),
        synchronous: None,
    })
}

fn decode<T: DeserializeOwned>(answer: &Answer) -> Result<T, Error> {
    serde_json::from_slice(&answer.body).map_err(|error| Error::Decode {
        status: answer.status,
        message: error.to_string(),
    })
}

/// Settings of an [`ATrackClient`]; every one has a default.
#[derive(Clone)]
pub struct ClientBuilder {
    public_key: Option<String>,
    secret_key: Option<String>,
    endpoint: Option<String>,
    timeout: Duration,
    connect_timeout: Duration,
    retry: RetryPolicy,
    synchronous: bool,
    uuid: Option<String>,
    batching: Option<BatchConfig>,
    on_error: Option<ErrorHandler>,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            public_key: None,
            secret_key: None,
            endpoint: None,
            timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(5),
            retry: RetryPolicy {
                max_retries: 3,
                backoff_base: Duration::from_millis(500),
                backoff_max: Duration::from_secs(30),
                max_retry_after: Duration::from_secs(60),
            },
            synchronous: false,
            uuid: None,
            batching: None,
            on_error: None,
        }
    }
}

impl ClientBuilder {
    /// The project's public key (`atk_pub_…`): writes.
    pub fn public_key(mut self, key: impl Into<String>) -> Self {
        self.public_key = Some(key.into());
        self
    }

    /// The project's secret key (`atk_sec_…`): reads and erasure (and writes, without a public key).
    pub fn secret_key(mut self, key: impl Into<String>) -> Self {
        self.secret_key = Some(key.into());
        self
    }

    /// The service's base URL, such as `https://track.example.com`. Default: `$ATRACK_ENDPOINT`.
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// The longest one attempt may take, answer included. Default 10 s.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The longest a connection may take to open. Default 5 s.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Attempts after the first on network errors, timeouts, 408, 429 and 5xx. Default 3.
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.retry.max_retries = retries;
        self
    }

    /// The back-off before the first retry (it doubles each time, half of it random) and
    /// its maximum. Default 500 ms and 30 s.
    pub fn backoff(mut self, base: Duration, max: Duration) -> Self {
        self.retry.backoff_base = base;
        self.retry.backoff_max = max;
        self
    }

    /// The longest `Retry-After` the client waits for; a longer one returns the error to
    /// the caller at once. Default 60 s.
    pub fn max_retry_after(mut self, wait: Duration) -> Self {
        self.retry.max_retry_after = wait;
        self
    }

    /// Sends `"synchronous": true` with every write: the service processes it before it answers.
    pub fn synchronous(mut self, synchronous: bool) -> Self {
        self.synchronous = synchronous;
        self
    }

    /// The session of the writes that name none, until the next `init`.
    pub fn uuid(mut self, uuid: impl Into<String>) -> Self {
        self.uuid = Some(uuid.into());
        self
    }

    /// Batching mode: writes are queued in memory and sent through `/batch` in the background.
    pub fn batching(mut self, config: BatchConfig) -> Self {
        self.batching = Some(config);
        self
    }

    /// Batching mode: called for each write that was refused or could not be delivered
    /// (otherwise such writes are logged through the `log` crate).
    pub fn on_error(
        mut self,
        handler: impl Fn(&Error, &FailedWrite) + Send + Sync + 'static,
    ) -> Self {
        self.on_error = Some(Arc::new(handler));
        self
    }

    /// The client; [`Error::Config`] when the endpoint or a key is missing or malformed.
    /// Batching mode starts its background tasks here, so it needs a Tokio runtime.
    pub fn build(self) -> Result<ATrackClient, Error> {
        let base = resolve_endpoint(self.endpoint, std::env::var(ENDPOINT_ENV).ok())?;
        let public_key = self.public_key.filter(|key| !key.is_empty());
        let secret_key = self.secret_key.filter(|key| !key.is_empty());
        let (write_key, read_key) = match (public_key, secret_key) {
            (Some(public), Some(secret)) => (public, secret),
            (Some(key), None) | (None, Some(key)) => (key.clone(), key),
            (None, None) => {
                return Err(Error::Config(
                    "a public key (or a secret key) is required".into(),
                ))
            }
        };
        let key_prefix: String = write_key.chars().take(12).collect();
        let transport = Arc::new(Transport::new(TransportConfig {
            base,
            write_key,
            read_key,
            timeout: self.timeout,
            connect_timeout: self.connect_timeout,
            retry: self.retry,
        })?);
        let batcher = match &self.batching {
            Some(config) => Some(Batcher::start(
                config,
                Arc::clone(&transport),
                self.synchronous,
                self.on_error,
            )?),
            None => None,
        };
        Ok(ATrackClient {
            inner: Arc::new(Inner {
                transport,
                synchronous: self.synchronous,
                uuid: Mutex::new(self.uuid.map(|uuid| uuid.to_ascii_lowercase())),
                batcher,
                key_prefix,
            }),
        })
    }
}

/// The base URL: the option, else `$ATRACK_ENDPOINT`; an http(s) URL without a trailing slash.
fn resolve_endpoint(option: Option<String>, environment: Option<String>) -> Result<String, Error> {
    let endpoint = option
        .or(environment)
        .map(|endpoint| endpoint.trim().to_owned())
        .filter(|endpoint| !endpoint.is_empty())
        .ok_or_else(|| {
            Error::Config(format!(
                "no endpoint: pass .endpoint(\"https://track.example.com\") to the builder or set {ENDPOINT_ENV}"
            ))
        })?;
    let url = reqwest::Url::parse(&endpoint).map_err(|error| {
        Error::Config(format!("the endpoint {endpoint:?} is not a URL: {error}"))
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(Error::Config(format!(
            "the endpoint {endpoint:?} is not an http(s) URL"
        )));
    }
    if url.scheme() == "https" && !cfg!(any(feature = "native-tls", feature = "rustls-tls")) {
        return Err(Error::Config(format!(
            "the endpoint {endpoint:?} is https, but the crate was built without TLS \
             (enable the native-tls or rustls-tls feature)"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::Config(format!(
            "the endpoint {endpoint:?} must not have a query or fragment"
        )));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_endpoint_option_wins_and_loses_its_trailing_slash() {
        assert_eq!(
            resolve_endpoint(
                Some("http://track.example.com/".into()),
                Some("http://other".into())
            )
            .unwrap(),
            "http://track.example.com"
        );
        assert_eq!(
            resolve_endpoint(Some("http://127.0.0.1:8000/atrack/".into()), None).unwrap(),
            "http://127.0.0.1:8000/atrack"
        );
    }

    #[test]
    fn the_environment_gives_the_endpoint_when_no_option_does() {
        let endpoint = resolve_endpoint(None, Some("http://track.example.com/".into()));
        assert_eq!(endpoint.unwrap(), "http://track.example.com");
    }

    #[test]
    fn neither_option_nor_environment_is_a_clear_error_at_construction() {
        let error = resolve_endpoint(None, None).unwrap_err();
        assert!(matches!(error, Error::Config(_)));
        assert_eq!(
            error.to_string(),
            "A-TRACK SDK configuration: no endpoint: pass .endpoint(\"https://track.example.com\") \
             to the builder or set ATRACK_ENDPOINT"
        );
    }

    #[test]
    fn a_bad_endpoint_is_a_configuration_error() {
        for bad in [
            "track.example.com",
            "ftp://track.example.com",
            "https://track.example.com/?a=1",
            "  ",
        ] {
            let error = ClientBuilder::default()
                .public_key("k")
                .endpoint(bad)
                .build()
                .unwrap_err();
            assert!(matches!(error, Error::Config(_)), "{bad}: {error}");
        }
    }

    #[test]
    fn https_needs_a_tls_feature() {
        let endpoint = resolve_endpoint(Some("https://track.example.com".into()), None);
        if cfg!(any(feature = "native-tls", feature = "rustls-tls")) {
            assert_eq!(endpoint.unwrap(), "https://track.example.com");
        } else {
            assert!(endpoint.unwrap_err().to_string().contains("without TLS"));
        }
    }

    #[test]
    fn a_key_is_required() {
        let error = ClientBuilder::default()
            .endpoint("http://127.0.0.1:1")
            .build()
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "A-TRACK SDK configuration: a public key (or a secret key) is required"
        );
    }

    #[test]
    fn debug_output_never_holds_the_key() {
        let client = ATrackClient::builder()
            .public_key("atk_pub_0123456789abcdefSECRETPART")
            .endpoint("http://127.0.0.1:1")
            .build()
            .unwrap();
        let shown = format!("{client:?}");
        assert!(shown.contains("atk_pub_0123"), "{shown}");
        assert!(!shown.contains("SECRETPART"), "{shown}");
    }

    #[test]
    fn writes_without_a_session_are_refused_before_sending() {
        let client = ATrackClient::builder()
            .public_key("k")
            .endpoint("http://127.0.0.1:1")
            .build()
            .unwrap();
        let event = client.prepare(BatchItem::Event(EventPayload {
            event: "x".into(),
            ..Default::default()
        }));
        assert!(matches!(event, Err(Error::InvalidInput(_))));
    }

    #[test]
    fn prepare_gives_init_a_uuid_and_events_an_id_and_timestamp() {
        let client = ATrackClient::builder()
            .public_key("k")
            .endpoint("http://127.0.0.1:1")
            .build()
            .unwrap();
        let init = match client
            .prepare(BatchItem::Init(InitPayload::default()))
            .unwrap()
        {
            BatchItem::Init(init) => init,
            _ => panic!("an init stays an init"),
        };
        let uuid = init.uuid.unwrap();
        assert_eq!(uuid::Uuid::parse_str(&uuid).unwrap().get_version_num(), 4);
        assert_eq!(client.get_user_uuid(), Some(uuid.clone()));
        let track = |payload| match client.prepare(BatchItem::Event(payload)).unwrap() {
            BatchItem::Event(event) => event,
            _ => panic!("an event stays an event"),
        };
        let first = track(EventPayload {
            event: "x".into(),
            ..Default::default()
        });
        let second = track(EventPayload {
            event: "x".into(),
            ..Default::default()
        });
        assert_eq!(first.uuid.as_deref(), Some(uuid.as_str()));
        assert_ne!(first.id, second.id);
        assert!(first.timestamp.unwrap().ends_with('Z'));
        let kept = track(EventPayload {
            event: "x".into(),
            id: Some("mine".into()),
            ..Default::default()
        });
        assert_eq!(kept.id.as_deref(), Some("mine"));
    }
}
