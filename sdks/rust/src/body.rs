//! Request bodies, serialized once per write; an event's `sent_at` is added per attempt.

use crate::clock::now_rfc3339;
use crate::error::Error;
use crate::types::BatchItem;

/// A write ready to send: its JSON object, and whether `sent_at` is stamped at each attempt.
#[derive(Clone, Debug)]
pub(crate) struct Prepared {
    pub kind: &'static str,
    pub uuid: String,
    json: String,
    stamp: bool,
}

impl Prepared {
    /// The body of the item's own endpoint (`/init`, `/attributes`, `/event`).
    pub fn single(item: &BatchItem) -> Result<Self, Error> {
        let json = match item {
            BatchItem::Init(payload) => serde_json::to_string(payload),
            BatchItem::Attributes(payload) => serde_json::to_string(payload),
            BatchItem::Event(payload) => serde_json::to_string(payload),
        };
        Prepared::new(item, json)
    }

    /// The item as an element of `/batch`, with its `type`.
    pub fn tagged(item: &BatchItem) -> Result<Self, Error> {
        Prepared::new(item, serde_json::to_string(item))
    }

    fn new(item: &BatchItem, json: serde_json::Result<String>) -> Result<Self, Error> {
        let json = json.map_err(|error| {
            Error::InvalidInput(format!("cannot encode the {}: {error}", item.kind()))
        })?;
        let stamp = matches!(item, BatchItem::Event(event) if event.sent_at.is_none());
        Ok(Prepared {
            kind: item.kind(),
            uuid: item.uuid().unwrap_or_default().to_owned(),
            json,
            stamp,
        })
    }

    /// Its size in a request body (an estimate that `sent_at` can only add to).
    pub fn len(&self) -> usize {
        self.json.len() + if self.stamp { 40 } else { 0 }
    }

    /// Appends the JSON object, with `sent_at` set to `now` when it is stamped.
    pub fn write_to(&self, out: &mut Vec<u8>, now: &str) {
        if !self.stamp {
            out.extend_from_slice(self.json.as_bytes());
            return;
        }
        // Every payload serializes to a non-empty object (`event` is always there), so the
        // field goes in before the closing brace.
        let open = &self.json[..self.json.len() - 1];
        out.extend_from_slice(open.as_bytes());
        out.extend_from_slice(b",\"sent_at\":\"");
        out.extend_from_slice(now.as_bytes());
        out.extend_from_slice(b"\"}");
    }

    /// The body of a single-endpoint request, made now.
    pub fn render(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.len());
        self.write_to(&mut out, &now_rfc3339());
        out
    }

    /// The item as a JSON value (for error reports).
    pub fn to_value(&self) -> serde_json::Value {
        serde_json::from_str(&self.json).unwrap_or(serde_json::Value::Null)
    }
}

/// A `/batch` body of tagged items, made now.
pub(crate) fn batch_body(items: &[Prepared], synchronous: bool) -> Vec<u8> {
    let now = now_rfc3339();
    let size: usize = items.iter().map(|item| item.len() + 1).sum();
    let mut out = Vec::with_capacity(size + 32);
    out.extend_from_slice(b"{\"batch\":[");
    for (index, item) in items.iter().enumerate() {
        if index > 0 {
            out.push(b',');
        }
        item.write_to(&mut out, &now);
    }
    out.extend_from_slice(if synchronous {
        b"],\"synchronous\":true}"
    } else {
        b"]}"
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{AttributesPayload, EventPayload};
    use serde_json::{json, Value};

    fn event(sent_at: Option<&str>) -> BatchItem {
        BatchItem::Event(EventPayload {
            uuid: Some("b19412c6-6a91-4e18-890d-e2269a0d1249".into()),
            event: "checkout_started".into(),
            attributes: Some(json!({"cart_value": 129.99})),
            sent_at: sent_at.map(str::to_owned),
            ..Default::default()
        })
    }

    #[test]
    fn an_event_gets_the_attempts_sent_at() {
        let prepared = Prepared::single(&event(None)).unwrap();
        let body: Value = serde_json::from_slice(&prepared.render()).unwrap();
        assert_eq!(body["event"], "checkout_started");
        assert!(body["sent_at"].as_str().unwrap().ends_with('Z'));
        assert!(body.get("type").is_none());
    }

    #[test]
    fn a_relayed_sent_at_is_kept() {
        let prepared = Prepared::single(&event(Some("2026-04-12T02:10:00Z"))).unwrap();
        let body: Value = serde_json::from_slice(&prepared.render()).unwrap();
        assert_eq!(body["sent_at"], "2026-04-12T02:10:00Z");
    }

    #[test]
    fn a_batch_body_holds_tagged_items_in_order() {
        let attributes = BatchItem::Attributes(AttributesPayload {
            uuid: Some("b19412c6-6a91-4e18-890d-e2269a0d1249".into()),
            attributes: json!({"plan": "pro"}),
            ..Default::default()
        });
        let items = [
            Prepared::tagged(&event(None)).unwrap(),
            Prepared::tagged(&attributes).unwrap(),
        ];
        let body: Value = serde_json::from_slice(&batch_body(&items, true)).unwrap();
        assert_eq!(body["synchronous"], true);
        let batch = body["batch"].as_array().unwrap();
        assert_eq!(batch[0]["type"], "event");
        assert!(batch[0]["sent_at"].is_string());
        assert_eq!(batch[1]["type"], "attributes");
        assert!(batch[1].get("sent_at").is_none());
        assert!(items.iter().all(|item| item.len() > 0));
    }
}
