//! Batching mode: writes wait in memory and go out through `POST /batch`.
//!
//! The queue is split into lanes, one background task each; a session's writes always go
//! to the same lane, so they reach the service in the order they were made, while lanes
//! send in parallel. A lane sends when it holds `max_items` items or `max_bytes`, when the
//! oldest item has waited `flush_interval`, on `flush()`, and when the client is closed or
//! dropped.

use std::collections::hash_map::DefaultHasher;
use std::collections::VecDeque;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use crate::body::{batch_body, Prepared};
use crate::error::Error;
use crate::transport::{Key, Transport};
use crate::types::BatchResult;

/// The service's limits of one `/batch` request.
pub const MAX_BATCH_ITEMS: usize = 100;
const MAX_BATCH_BYTES: usize = 512 * 1024;

/// How batching mode gathers and sends writes.
#[derive(Clone, Debug)]
pub struct BatchConfig {
    /// Items per `/batch` request (at most 100, the service's limit). Default 100.
    pub max_items: usize,
    /// Bytes per `/batch` request (the service takes 512 KiB). Default 500 KiB.
    pub max_bytes: usize,
    /// How long the oldest queued write waits for company. Default 500 ms.
    pub flush_interval: Duration,
    /// Writes held in memory at most, over all lanes. Default 10,000.
    pub queue_capacity: usize,
    /// Lanes sending in parallel (one request in flight each). Default 4.
    pub concurrency: usize,
    /// When the queue is full: `true` (default) makes the write wait for room (back-pressure);
    /// `false` refuses it at once with [`Error::QueueFull`].
    pub block_when_full: bool,
}

impl Default for BatchConfig {
    fn default() -> Self {
        BatchConfig {
            max_items: MAX_BATCH_ITEMS,
            max_bytes: 500 * 1024,
            flush_interval: Duration::from_millis(500),
            queue_capacity: 10_000,
            concurrency: 4,
            block_when_full: true,
        }
    }
}

/// Counts of batching mode since the client was built.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BatchStats {
    /// Writes taken into the queue.
    pub queued: u64,
    /// Writes the service accepted.
    pub sent: u64,
    /// Writes the service refused, or that could not be delivered after the retries.
    pub failed: u64,
}

impl BatchStats {
    /// Writes still waiting in the queue or in flight.
    pub fn pending(&self) -> u64 {
        self.queued.saturating_sub(self.sent + self.failed)
    }
}

/// A write that batching mode could not deliver, as given to the error handler.
#[derive(Clone, Debug)]
pub struct FailedWrite {
    /// `"init"`, `"attributes"` or `"event"`.
    pub kind: &'static str,
    pub uuid: String,
    /// The item as it was queued (with its `type`).
    pub payload: serde_json::Value,
}

/// Called once per write that batching mode could not deliver.
pub type ErrorHandler = Arc<dyn Fn(&Error, &FailedWrite) + Send + Sync>;

#[derive(Default)]
struct Counters {
    queued: AtomicU64,
    sent: AtomicU64,
    failed: AtomicU64,
}

enum Command {
    Item(Prepared),
    Flush(oneshot::Sender<()>),
    Close(oneshot::Sender<()>),
}

/// The client's side of the lanes.
pub(crate) struct Batcher {
    lanes: Vec<mpsc::Sender<Command>>,
    closed: AtomicBool,
    block_when_full: bool,
    counters: Arc<Counters>,
}

impl Batcher {
    /// Starts the lanes on the current Tokio runtime.
    pub fn start(
        config: &BatchConfig,
        transport: Arc<Transport>,
        synchronous: bool,
        on_error: Option<ErrorHandler>,
    ) -> Result<Self, Error> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
            Error::Config("batching mode needs a Tokio runtime: build the client inside one".into())
        })?;
        let counters = Arc::new(Counters::default());
        let concurrency = config.concurrency.max(1);
        let capacity = (config.queue_capacity / concurrency).max(1);
        let lanes = (0..concurrency)
            .map(|_| {
                let (sender, receiver) = mpsc::channel(capacity);
                let lane = Lane {
                    transport: Arc::clone(&transport),
                    counters: Arc::clone(&counters),
                    on_error: on_error.clone(),
                    synchronous,
                    max_items: config.max_items.clamp(1, MAX_BATCH_ITEMS),
                    max_bytes: config.max_bytes.clamp(1024, MAX_BATCH_BYTES - 64),
                    flush_interval: config.flush_interval,
                };
                runtime.spawn(lane.run(receiver));
                sender
            })
            .collect();
        Ok(Batcher {
            lanes,
            closed: AtomicBool::new(false),
            block_when_full: config.block_when_full,
            counters,
        })
    }

    pub async fn enqueue(&self, item: Prepared) -> Result<(), Error> {
        if self.closed.load(Ordering::Acquire) {
            return Err(Error::Closed);
        }
        let lane = &self.lanes[lane_of(&item.uuid, self.lanes.len())];
        self.counters.queued.fetch_add(1, Ordering::Relaxed);
        let sent = if self.block_when_full {
            lane.send(Command::Item(item))
                .await
                .map_err(|_| Error::Closed)
        } else {
            lane.try_send(Command::Item(item))
                .map_err(|error| match error {
                    mpsc::error::TrySendError::Full(_) => Error::QueueFull,
                    mpsc::error::TrySendError::Closed(_) => Error::Closed,
                })
        };
        if sent.is_err() {
            self.counters.queued.fetch_sub(1, Ordering::Relaxed);
        }
        sent
    }

    /// Sends what every lane holds and waits until it was delivered (or given up on).
    pub async fn flush(&self) {
        self.each_lane(Command::Flush).await;
    }

    /// Takes no more writes, delivers what is queued, stops the lanes.
    pub async fn close(&self) {
        self.closed.store(true, Ordering::Release);
        self.each_lane(Command::Close).await;
    }

    async fn each_lane(&self, command: fn(oneshot::Sender<()>) -> Command) {
        let mut acks = Vec::with_capacity(self.lanes.len());
        for lane in &self.lanes {
            let (ack, done) = oneshot::channel();
            if lane.send(command(ack)).await.is_ok() {
                acks.push(done);
            }
        }
        for done in acks {
            // An error means the lane already ended, after delivering its queue.
            let _ = done.await;
        }
    }

    pub fn stats(&self) -> BatchStats {
        BatchStats {
            queued: self.counters.queued.load(Ordering::Relaxed),
            sent: self.counters.sent.load(Ordering::Relaxed),
            failed: self.counters.failed.load(Ordering::Relaxed),
        }
    }
}

/// A session's lane: the same one for all its writes.
fn lane_of(uuid: &str, lanes: usize) -> usize {
    let mut hasher = DefaultHasher::new();
    uuid.to_ascii_lowercase().hash(&mut hasher);
    (hasher.finish() % lanes as u64) as usize
}

/// One background sender.
struct Lane {
    transport: Arc<Transport>,
    counters: Arc<Counters>,
    on_error: Option<ErrorHandler>,
    synchronous: bool,
    max_items: usize,
    max_bytes: usize,
    flush_interval: Duration,
}

impl Lane {
    async fn run(self, mut receiver: mpsc::Receiver<Command>) {
        let mut buffer: Vec<Prepared> = Vec::new();
        let mut bytes = 0;
        let mut deadline: Option<Instant> = None;
        let mut closers = Vec::new();
        loop {
            let command = match deadline {
                None => receiver.recv().await,
                Some(at) => match tokio::time::timeout_at(at, receiver.recv()).await {
                    Ok(command) => command,
                    Err(_) => {
                        self.send(&mut buffer, &mut bytes).await;
                        deadline = None;
                        continue;
                    }
                },
            };
            match command {
                Some(Command::Item(item)) => {
                    if !buffer.is_empty() && bytes + item.len() > self.max_bytes {
                        self.send(&mut buffer, &mut bytes).await;
                    }
                    bytes += item.len() + 1;
                    buffer.push(item);
                    if buffer.len() == 1 {
                        deadline = Some(Instant::now() + self.flush_interval);
                    }
                    if buffer.len() >= self.max_items {
                        self.send(&mut buffer, &mut bytes).await;
                        deadline = None;
                    }
                }
                Some(Command::Flush(ack)) => {
                    self.send(&mut buffer, &mut bytes).await;
                    deadline = None;
                    let _ = ack.send(());
                }
                Some(Command::Close(ack)) => {
                    // Writes already in the channel are still delivered; later ones are refused.
                    receiver.close();
                    closers.push(ack);
                }
                None => break,
            }
        }
        self.send(&mut buffer, &mut bytes).await;
        for ack in closers {
            let _ = ack.send(());
        }
    }

    async fn send(&self, buffer: &mut Vec<Prepared>, bytes: &mut usize) {
        if buffer.is_empty() {
            return;
        }
        let items = std::mem::take(buffer);
        *bytes = 0;
        // A 413 splits the request in halves until each fits (or is a single item).
        let mut work: VecDeque<&[Prepared]> = VecDeque::from([&items[..]]);
        while let Some(chunk) = work.pop_front() {
            let result = self
                .transport
                .post("/batch", Key::Write, || batch_body(chunk, self.synchronous))
                .await;
            match result {
                Ok(answer) => self.account(chunk, answer.status, &answer.body),
                Err(error) if error.status() == Some(413) && chunk.len() > 1 => {
                    let (first, second) = chunk.split_at(chunk.len() / 2);
                    work.push_front(second);
                    work.push_front(first);
                }
                Err(error) => chunk.iter().for_each(|item| self.fail(&error, item)),
            }
        }
    }

    /// Counts the items of an answered batch and reports those the service refused.
    fn account(&self, chunk: &[Prepared], status: u16, body: &[u8]) {
        let answer: BatchResult = match serde_json::from_slice(body) {
            Ok(answer) => answer,
            Err(error) => {
                let error = Error::Decode {
                    status,
                    message: error.to_string(),
                };
                return chunk.iter().for_each(|item| self.fail(&error, item));
            }
        };
        for (index, item) in chunk.iter().enumerate() {
            match answer.results.get(index) {
                Some(result) if result.success => {
                    self.counters.sent.fetch_add(1, Ordering::Relaxed);
                }
                Some(result) => {
                    let body = result.error.clone().unwrap_or_default();
                    self.fail(&Error::from_body(400, body, None), item);
                }
                None => {
                    let message =
                        format!("{} results for {} items", answer.results.len(), chunk.len());
                    self.fail(&Error::Decode { status, message }, item);
                }
            }
        }
    }

    fn fail(&self, error: &Error, item: &Prepared) {
        self.counters.failed.fetch_add(1, Ordering::Relaxed);
        let failed = FailedWrite {
            kind: item.kind,
            uuid: item.uuid.clone(),
            payload: item.to_value(),
        };
        match &self.on_error {
            Some(handler) => handler(error, &failed),
            None => log::warn!(
                "A-TRACK {} write for {} not delivered: {error}",
                failed.kind,
                failed.uuid
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sessions_writes_share_one_lane_whatever_the_case() {
        let uuid = "B19412C6-6A91-4E18-890D-E2269A0D1249";
        assert_eq!(lane_of(uuid, 4), lane_of(&uuid.to_ascii_lowercase(), 4));
        let lanes: std::collections::HashSet<_> = (0..64)
            .map(|n| lane_of(&format!("00000000-0000-4000-8000-{n:012}"), 4))
            .collect();
        assert_eq!(lanes.len(), 4, "sessions spread over every lane");
    }

    #[test]
    fn pending_is_what_was_neither_sent_nor_failed() {
        let stats = BatchStats {
            queued: 10,
            sent: 6,
            failed: 1,
        };
        assert_eq!(stats.pending(), 3);
    }
}
