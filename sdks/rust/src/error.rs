//! The one error type of the SDK.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::types::ErrorBody;

/// Any failure of an A-TRACK call.
///
/// The service's own errors are [`Error::Api`], with its `code`, `message` and per-field
/// messages; the rest say why no usable answer came.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The client cannot be built as configured (no endpoint, no key, a bad URL...).
    #[error("A-TRACK SDK configuration: {0}")]
    Config(String),

    /// The call was refused before anything was sent (no session UUID, an empty event name...).
    #[error("A-TRACK SDK: {0}")]
    InvalidInput(String),

    /// The service answered with an error status.
    #[error("A-TRACK answered HTTP {status} ({code}): {message}")]
    Api {
        /// The HTTP status: 400, 401, 403, 404, 413, 415, 429, 503...
        status: u16,
        /// The service's error code: `invalid_payload`, `invalid_key`, `rate_limited`...
        code: String,
        message: String,
        /// Messages per field, by dotted path (`context.client.ipAddress`).
        fields: BTreeMap<String, Vec<String>>,
        /// The service's `Retry-After`, on 429 and 503.
        retry_after: Option<Duration>,
    },

    /// No answer came within the client's timeout.
    #[error("A-TRACK did not answer within {0:?}")]
    Timeout(Duration),

    /// No answer came: the connection was refused or reset, DNS failed...
    #[error("A-TRACK request failed: {0}")]
    Transport(#[source] Box<dyn std::error::Error + Send + Sync>),

    /// A successful status with a body that is not the documented JSON.
    #[error("A-TRACK answered HTTP {status} with an unexpected body: {message}")]
    Decode { status: u16, message: String },

    /// Batching mode: the SDK's queue is full (and `block_when_full` is off).
    #[error("the A-TRACK SDK's queue is full; the write was not queued")]
    QueueFull,

    /// The client was closed; it takes no more writes.
    #[error("the A-TRACK client is closed")]
    Closed,
}

impl Error {
    /// The error of an unsuccessful answer, from its status, body and `Retry-After`.
    pub(crate) fn from_answer(status: u16, body: &[u8], retry_after: Option<Duration>) -> Self {
        #[derive(serde::Deserialize)]
        struct Envelope {
            error: Option<ErrorBody>,
        }
        let error = serde_json::from_slice::<Envelope>(body)
            .ok()
            .and_then(|envelope| envelope.error)
            .unwrap_or_default();
        Error::from_body(status, error, retry_after)
    }

    /// The error a service error object stands for.
    pub(crate) fn from_body(status: u16, error: ErrorBody, retry_after: Option<Duration>) -> Self {
        let code = if error.code.is_empty() {
            format!("http_{status}")
        } else {
            error.code
        };
        let message = if error.message.is_empty() {
            format!("A-TRACK answered HTTP {status}.")
        } else {
            error.message
        };
        Error::Api {
            status,
            code,
            message,
            fields: error.fields,
            retry_after,
        }
    }

    /// The HTTP status of an [`Error::Api`] (or of an undecodable answer).
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. } | Error::Decode { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The service's error code of an [`Error::Api`].
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Api { code, .. } => Some(code),
            _ => None,
        }
    }

    /// The per-field messages of an [`Error::Api`] (empty otherwise).
    pub fn fields(&self) -> Option<&BTreeMap<String, Vec<String>>> {
        match self {
            Error::Api { fields, .. } => Some(fields),
            _ => None,
        }
    }

    /// How long the service asked to wait before trying again (429, 503).
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Api { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// Whether trying the same call again later may succeed: no answer, 408, 429 or 5xx.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Timeout(_) | Error::Transport(_) => true,
            Error::Api { status, .. } => retryable_status(*status),
            _ => false,
        }
    }
}

/// Statuses worth another attempt: the write was not taken, and may be later.
pub(crate) fn retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500 | 502 | 503 | 504)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_reads_code_message_and_fields_from_the_service_error() {
        let body = br#"{"success":false,"error":{"code":"invalid_payload","message":"Bad.",
            "fields":{"context.client.ipAddress":["Must be an IPv4 or IPv6 address."]}}}"#;
        let error = Error::from_answer(400, body, None);
        assert_eq!(error.status(), Some(400));
        assert_eq!(error.code(), Some("invalid_payload"));
        assert_eq!(
            error.fields().unwrap()["context.client.ipAddress"],
            vec!["Must be an IPv4 or IPv6 address.".to_string()]
        );
        assert_eq!(
            error.to_string(),
            "A-TRACK answered HTTP 400 (invalid_payload): Bad."
        );
        assert!(!error.is_retryable());
    }

    #[test]
    fn a_body_that_is_not_json_still_gives_a_clear_error() {
        let error = Error::from_answer(502, b"<html>Bad gateway</html>", None);
        assert_eq!(error.code(), Some("http_502"));
        assert_eq!(
            error.to_string(),
            "A-TRACK answered HTTP 502 (http_502): A-TRACK answered HTTP 502."
        );
        assert!(error.is_retryable());
    }

    #[test]
    fn rate_limits_carry_their_retry_after() {
        let body = br#"{"success":false,"error":{"code":"rate_limited","message":"Slow down."}}"#;
        let error = Error::from_answer(429, body, Some(Duration::from_secs(2)));
        assert_eq!(error.retry_after(), Some(Duration::from_secs(2)));
        assert!(error.is_retryable());
        assert!(error.fields().unwrap().is_empty());
    }
}
