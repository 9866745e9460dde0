//! Request and response bodies of the HTTP API, as its OpenAPI schema (`GET /openapi.json`)
//! describes them.
//!
//! Every optional field is an `Option` and is left out of the JSON when `None`; build the
//! payloads with `..Default::default()`. JSON objects whose keys the service does not fix
//! (attributes, `custom_data`, enrichment results) are `serde_json` values or maps. Keys the
//! service adds beyond the documented ones land in `extra` rather than being lost.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// A JSON object.
pub type JsonObject = Map<String, Value>;

/// `POST /init`: create or continue a session.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct InitPayload {
    /// A UUID you already know; without one the SDK makes one, so a retried init is one session.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<Context>,
    /// Your own JSON object, stored with the session.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_data: Option<Value>,
    /// `true` has the service process the write before it answers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub synchronous: Option<bool>,
}

/// `context` of an init: the URL, the client, and user attributes known at init.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Context {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<UrlContext>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client: Option<ClientContext>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<UserContext>,
}

/// `context.url`: where the visitor landed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UrlContext {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub referer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_url: Option<String>,
}

/// `context.client`: the visitor's client, with the documentation's camelCase names.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientContext {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub languages: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timezone_offset_minutes: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub screen_width: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub screen_height: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub viewport_width: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub viewport_height: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pixel_ratio: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub color_depth: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cookies_enabled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub touch_points: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_memory_gb: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hardware_concurrency: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connection_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connection_effective_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connection_downlink_mbps: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connection_rtt_ms: Option<f64>,
    /// Any other client field (client hints such as `brands`, say), sent as given.
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// `context.user`: attributes already known at init.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserContext {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Value>,
}

/// `POST /attributes`: merge (or replace) a session's attributes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributesPayload {
    /// The session; `None` means the client's current one (the UUID of the last init).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    /// A flat JSON object; values may be any JSON.
    #[serde(default)]
    pub attributes: Value,
    /// `true` replaces the whole set; `false` (the default) merges, overwriting equal keys.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replace: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub synchronous: Option<bool>,
}

/// `POST /event`: one event of a session.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EventPayload {
    /// The session; `None` means the client's current one (the UUID of the last init).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    /// The event's name, 1 to 255 characters (an empty one is left out, and refused).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub event: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Value>,
    /// When it happened (RFC 3339); the SDK fills in the current time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    /// The sender's clock at sending; the SDK fills it in at each attempt so the service can
    /// correct a skewed clock. Set it only when relaying events from another device.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<EventContext>,
    /// The event's id (at most 128 characters); the SDK makes one, so a retry is stored once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub synchronous: Option<bool>,
}

/// `context` of an event: the client of this event (default: the session's).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EventContext {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client: Option<ClientContext>,
}

/// One item of `POST /batch`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum BatchItem {
    Init(InitPayload),
    Attributes(AttributesPayload),
    Event(EventPayload),
}

impl BatchItem {
    /// `"init"`, `"attributes"` or `"event"`: the item's type and its endpoint's name.
    pub fn kind(&self) -> &'static str {
        match self {
            BatchItem::Init(_) => "init",
            BatchItem::Attributes(_) => "attributes",
            BatchItem::Event(_) => "event",
        }
    }

    /// The session the item writes to, when it names one.
    pub fn uuid(&self) -> Option<&str> {
        match self {
            BatchItem::Init(p) => p.uuid.as_deref(),
            BatchItem::Attributes(p) => p.uuid.as_deref(),
            BatchItem::Event(p) => p.uuid.as_deref(),
        }
    }
}

/// The answer to a write (`/init`, `/attributes`, `/event`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WriteResult {
    pub success: bool,
    /// The session's UUID.
    pub uuid: String,
    /// `true`: accepted into the service's queue (or, in batching mode, into the SDK's).
    pub queued: bool,
    /// The HTTP status: 201 when this write created the session, otherwise 200; `None` for a
    /// write the batching mode has queued in the SDK.
    #[serde(skip)]
    pub status: Option<u16>,
}

/// The answer to `POST /batch`: one result per item, in order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchResult {
    /// `true` when every item succeeded.
    pub success: bool,
    pub queued: bool,
    pub results: Vec<BatchItemResult>,
}

/// The result of one batch item.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchItemResult {
    pub success: bool,
    #[serde(default)]
    pub uuid: Option<String>,
    #[serde(default)]
    pub queued: Option<bool>,
    /// Why the item was refused.
    #[serde(default)]
    pub error: Option<ErrorBody>,
}

/// The service's error object: `{"code", "message", "fields"}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub message: String,
    /// Messages per field (dotted paths such as `context.client.ipAddress`).
    #[serde(default, deserialize_with = "null_as_default")]
    pub fields: std::collections::BTreeMap<String, Vec<String>>,
}

/// Sort order of the read endpoints, on `occurred_at`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    Asc,
    Desc,
}

/// `POST /session/show` (secret key).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionShowRequest {
    pub uuid: String,
    /// At most this many events (default 100, at most 1000).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events_limit: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sort: Option<Sort>,
}

/// `POST /event/show` (secret key): one page of the events with a name.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventShowRequest {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// Default 25, at most 500.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_page: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sort: Option<Sort>,
    /// Only this session's events.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    /// Only events that occurred at or after this time (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Only events that occurred at or before this time (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
}

/// The answer to `POST /session/show`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionShow {
    pub success: bool,
    pub data: SessionData,
}

/// `data` of `/session/show`: the session, its attributes, its latest events.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionData {
    pub session: Session,
    #[serde(default, deserialize_with = "null_as_default")]
    pub attributes: JsonObject,
    #[serde(default, deserialize_with = "null_as_default")]
    pub events: Vec<SessionEvent>,
    pub meta: SessionMeta,
}

/// The enriched session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub id: i64,
    pub uuid: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub url_data: UrlData,
    #[serde(default, deserialize_with = "null_as_default")]
    pub utm_data: JsonObject,
    #[serde(default, deserialize_with = "null_as_default")]
    pub query_params: JsonObject,
    #[serde(default, deserialize_with = "null_as_default")]
    pub click_ids: JsonObject,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub referer: Option<String>,
    #[serde(default)]
    pub ip_address: Option<String>,
    /// Geo, ASN/ISP and anonymous-IP data.
    #[serde(default, deserialize_with = "null_as_default")]
    pub ip_data: JsonObject,
    /// Browser, OS, device and bot data.
    #[serde(default, deserialize_with = "null_as_default")]
    pub device_data: JsonObject,
    #[serde(default, deserialize_with = "null_as_default")]
    pub client_attributes: JsonObject,
    #[serde(default, deserialize_with = "null_as_default")]
    pub user_attributes: JsonObject,
    #[serde(default)]
    pub custom_data: Option<Value>,
    pub created_at: String,
    pub updated_at: String,
    /// Keys beyond the documented ones (`medium`, `channel`, `first_touch`...).
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// `url_data` of a session.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UrlData {
    #[serde(default)]
    pub href: Option<String>,
    #[serde(default)]
    pub raw: Option<String>,
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub query: Option<String>,
    #[serde(default)]
    pub hash: Option<String>,
    #[serde(default)]
    pub source_url: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub query_all: JsonObject,
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// An event as `/session/show` lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionEvent {
    pub id: i64,
    pub uuid: String,
    pub name: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub attributes: JsonObject,
    pub occurred_at: String,
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// `meta` of `/session/show`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionMeta {
    pub uuid: String,
    pub events_limit: u32,
    pub events_count: u64,
    pub sort: Sort,
}

/// The answer to `POST /event/show`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventShow {
    pub success: bool,
    pub data: Vec<Event>,
    pub meta: EventShowMeta,
}

/// An event as `/event/show` lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub id: i64,
    #[serde(default)]
    pub session_id: Option<i64>,
    pub uuid: String,
    pub name: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub attributes: JsonObject,
    #[serde(default)]
    pub ip_address: Option<String>,
    #[serde(default)]
    pub user_agent: Option<String>,
    pub occurred_at: String,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// `meta` of `/event/show`: the page, with the usual paginator meaning.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventShowMeta {
    pub name: String,
    pub sort: Sort,
    pub per_page: u32,
    pub current_page: u32,
    pub last_page: u32,
    /// 1-based position of the page's first item; `None` when the page is empty.
    pub from: Option<u64>,
    /// 1-based position of the page's last item; `None` when the page is empty.
    pub to: Option<u64>,
    pub total: u64,
}

/// The answer to `POST /session/delete`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteResult {
    pub success: bool,
    pub uuid: String,
    /// Rows erased per kind (`sessions`, `attributes`, `events`).
    #[serde(default, deserialize_with = "null_as_default")]
    pub deleted: JsonObject,
}

/// `null` and a missing key both decode as the type's default (an empty map, say).
fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}
