//! One POST to the service, with timeouts and retries (back-off with jitter, `Retry-After`).

use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, CONTENT_TYPE, RETRY_AFTER};

use crate::clock::parse_retry_after;
use crate::error::Error;

/// The user agent of every request.
pub const USER_AGENT: &str = concat!("atrack-sdk-rust/", env!("CARGO_PKG_VERSION"));

/// When and how often a failed call is tried again.
#[derive(Clone, Debug)]
pub(crate) struct RetryPolicy {
    /// Attempts after the first one.
    pub max_retries: u32,
    /// The back-off ceiling of the first retry; it doubles with each retry.
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// A `Retry-After` longer than this is not waited for: the error goes to the caller.
    pub max_retry_after: Duration,
}

impl RetryPolicy {
    /// The wait before retry number `retry` (1-based): half of the ceiling fixed, half random,
    /// so that clients failing together do not come back together.
    pub fn backoff(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1));
        let ceiling = self
            .backoff_base
            .saturating_mul(factor)
            .min(self.backoff_max);
        let half = ceiling / 2;
        half + half.mul_f64(rand::random::<f64>())
    }

    /// The wait before retrying after `error`, or `None` when it is not retried.
    fn wait_after(&self, error: &Error, retry: u32) -> Option<Duration> {
        if retry > self.max_retries || !error.is_retryable() {
            return None;
        }
        match error.retry_after() {
            Some(wait) if wait > self.max_retry_after => None,
            Some(wait) => Some(wait),
            None => Some(self.backoff(retry)),
        }
    }
}

/// Which of the project's keys a call uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Key {
    /// Writes: the public key (or the secret key when only that one is configured).
    Write,
    /// Reads and erasure: the secret key (or the public key, for projects with public reads).
    Read,
}

/// A successful answer.
#[derive(Debug)]
pub(crate) struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
}

/// The HTTP side of a client: shared by its calls and its batching lanes.
pub(crate) struct Transport {
    http: reqwest::Client,
    base: String,
    write_key: String,
    read_key: String,
    timeout: Duration,
    pub retry: RetryPolicy,
}

pub(crate) struct TransportConfig {
    pub base: String,
    pub write_key: String,
    pub read_key: String,
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub retry: RetryPolicy,
}

impl Transport {
    pub fn new(config: TransportConfig) -> Result<Self, Error> {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        let http = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .default_headers(headers)
            .timeout(config.timeout)
            .connect_timeout(config.connect_timeout)
            .tcp_nodelay(true)
            .pool_idle_timeout(Duration::from_secs(50))
            .build()
            .map_err(|error| Error::Config(format!("cannot build the HTTP client: {error}")))?;
        for key in [&config.write_key, &config.read_key] {
            HeaderValue::from_str(key)
                .map_err(|_| Error::Config("the key holds characters a header cannot".into()))?;
        }
        Ok(Transport {
            http,
            base: config.base,
            write_key: config.write_key,
            read_key: config.read_key,
            timeout: config.timeout,
            retry: config.retry,
        })
    }

    /// POST `path`, retrying what may succeed later. `body` makes each attempt's bytes
    /// (an event's `sent_at` is the time of the attempt).
    pub async fn post<F>(&self, path: &str, key: Key, body: F) -> Result<Answer, Error>
    where
        F: Fn() -> Vec<u8> + Sync,
    {
        let url = format!("{}{}", self.base, path);
        let key = match key {
            Key::Write => &self.write_key,
            Key::Read => &self.read_key,
        };
        let mut retry = 0;
        loop {
            let error = match self.attempt(&url, key, body()).await {
                Ok(answer) => return Ok(answer),
                Err(error) => error,
            };
            retry += 1;
            match self.retry.wait_after(&error, retry) {
                Some(wait) => tokio::time::sleep(wait).await,
                None => return Err(error),
            }
        }
    }

    async fn attempt(&self, url: &str, key: &str, body: Vec<u8>) -> Result<Answer, Error> {
        let request = self.http.post(url).header("x-a-track-key", key).body(body);
        let response = request
            .send()
            .await
            .map_err(|error| self.no_answer(error))?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| parse_retry_after(value, SystemTime::now()));
        let body = response
            .bytes()
            .await
            .map_err(|error| self.no_answer(error))?
            .to_vec();
        if (200..300).contains(&status) {
            Ok(Answer { status, body })
        } else {
            Err(Error::from_answer(status, &body, retry_after))
        }
    }

    fn no_answer(&self, error: reqwest::Error) -> Error {
        if error.is_timeout() {
            Error::Timeout(self.timeout)
        } else {
            Error::Transport(Box::new(error))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_retries: 3,
            backoff_base: Duration::from_millis(400),
            backoff_max: Duration::from_secs(1),
            max_retry_after: Duration::from_secs(10),
        }
    }

    #[test]
    fn back_off_doubles_keeps_half_fixed_and_stops_at_the_maximum() {
        let policy = policy();
        for _ in 0..200 {
            let first = policy.backoff(1);
            assert!(first >= Duration::from_millis(200) && first <= Duration::from_millis(400));
            let second = policy.backoff(2);
            assert!(second >= Duration::from_millis(400) && second <= Duration::from_millis(800));
            let capped = policy.backoff(30);
            assert!(capped >= Duration::from_millis(500) && capped <= Duration::from_secs(1));
        }
        let waits: std::collections::HashSet<_> = (0..50).map(|_| policy.backoff(1)).collect();
        assert!(waits.len() > 1, "the jitter is random");
    }

    #[test]
    fn retry_after_is_honoured_up_to_its_maximum() {
        let policy = policy();
        let limited = |seconds| Error::Api {
            status: 429,
            code: "rate_limited".into(),
            message: String::new(),
            fields: Default::default(),
            retry_after: Some(Duration::from_secs(seconds)),
        };
        assert_eq!(
            policy.wait_after(&limited(3), 1),
            Some(Duration::from_secs(3))
        );
        assert_eq!(policy.wait_after(&limited(11), 1), None);
        assert_eq!(policy.wait_after(&limited(3), 4), None, "after max_retries");
        let refused = Error::from_answer(400, b"{}", None);
        assert_eq!(policy.wait_after(&refused, 1), None);
        let timeout = Error::Timeout(Duration::from_secs(1));
        assert!(policy.wait_after(&timeout, 3).is_some());
    }
}
