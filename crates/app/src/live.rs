//! Live updates for open thread pages. A reader subscribes to a thread; whenever the thread may
//! have something new, the subscription wakes and reads what the reader has not seen yet through
//! the ordinary service (`threads::live_batch`), so the policy is asked again for every batch
//! and a reader who loses access stops receiving.
//!
//! The hub only carries "thread X changed" signals, never content; a missed or duplicated signal
//! costs one extra read, never a lost or repeated message, because readers catch up by the
//! per-thread sequence number. SQLite (one server): the writer signals the hub after committing.
//! PostgreSQL (many servers): the writer announces inside its transaction with `pg_notify`, and each
//! server's listener (started with the first subscriber) signals its own hub.
//!
//! Edits made while a reader watches are sent too, as `edited` updates with the message's latest
//! text (each version at most once); edits from before the reader subscribed are already on the
//! page the reader holds.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use chrono::{DateTime, Utc};
use concord_domain::policy::Actor;
use concord_domain::{MessageId, ThreadId};
use concord_store::Engine;
use concord_store::live::{Announcements, Heard};
use tokio::sync::watch;

use crate::threads::{self, MessageView};
use crate::{App, AppError};

/// How long one stream lives before the client is asked to reconnect (browsers do so by themselves,
/// with `Last-Event-ID`): a reconnect re-authenticates, so an ended session stops the stream.
pub const STREAM_LIFETIME: Duration = Duration::from_secs(15 * 60);

/// Per-thread change signals of one server.
#[derive(Debug)]
pub struct LiveHub {
    threads: Mutex<HashMap<ThreadId, watch::Sender<u64>>>,
    closed: watch::Sender<bool>,
    listener_started: Mutex<bool>,
}

impl Default for LiveHub {
    fn default() -> Self {
        LiveHub {
            threads: Mutex::new(HashMap::new()),
            closed: watch::Sender::new(false),
            listener_started: Mutex::new(false),
        }
    }
}

impl LiveHub {
    fn receiver(&self, thread: ThreadId) -> watch::Receiver<u64> {
        let mut threads = self
            .threads
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        threads.retain(|_, sender| sender.receiver_count() > 0);
        threads
            .entry(thread)
            .or_insert_with(|| watch::Sender::new(0))
            .subscribe()
    }

    /// Wakes the readers of `thread`, if any.
    pub fn signal(&self, thread: ThreadId) {
        let threads = self
            .threads
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(sender) = threads.get(&thread) {
            sender.send_modify(|n| *n = n.wrapping_add(1));
        }
    }

    /// Wakes every reader (after announcements may have been missed).
    pub fn signal_all(&self) {
        let threads = self
            .threads
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for sender in threads.values() {
            sender.send_modify(|n| *n = n.wrapping_add(1));
        }
    }

    /// Ends every stream (the server is shutting down); later subscriptions end at once.
    pub fn close(&self) {
        self.closed.send_replace(true);
    }

    /// Readers subscribed right now (for tests and the benchmark).
    pub fn readers(&self) -> usize {
        let threads = self
            .threads
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        threads.values().map(watch::Sender::receiver_count).sum()
    }
}

/// Starts this server's PostgreSQL listener once. It holds the hub weakly and stops when the hub
/// is gone or closed; it reconnects after errors.
fn ensure_listener(app: &App) {
    if app.db.engine() != Engine::Postgres {
        return;
    }
    {
        let mut started = app
            .live
            .listener_started
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if *started {
            return;
        }
        *started = true;
    }
    let db = app.db.clone();
    let hub: Weak<LiveHub> = Arc::downgrade(&app.live);
    let mut closed = app.live.closed.subscribe();
    tokio::spawn(async move {
        loop {
            if *closed.borrow() || hub.strong_count() == 0 {
                return;
            }
            match Announcements::listen(&db).await {
                Ok(Some(mut announcements)) => {
                    // Anything announced before we listened is caught up by the readers.
                    if let Some(hub) = hub.upgrade() {
                        hub.signal_all();
                    }
                    loop {
                        let heard = tokio::select! {
                            heard = announcements.next() => heard,
                            _ = closed.changed() => return,
                            _ = tokio::time::sleep(Duration::from_secs(30)) => {
                                if hub.strong_count() == 0 { return; }
                                continue;
                            }
                        };
                        let Some(strong) = hub.upgrade() else { return };
                        match heard {
                            Ok(Heard::Thread(thread)) => strong.signal(thread),
                            Ok(Heard::Reconnected) => strong.signal_all(),
                            Err(error) => {
                                tracing::warn!(%error, "live listener lost its connection");
                                strong.signal_all();
                                break;
                            }
                        }
                    }
                }
                Ok(None) => return,
                Err(error) => tracing::warn!(%error, "live listener could not connect"),
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
}

/// Tells this server's readers of `thread` after a commit. On PostgreSQL the announcement made
/// inside the transaction reaches every server (this one included), so nothing is needed here.
pub(crate) fn after_commit(app: &App, thread: ThreadId) {
    if app.db.engine() == Engine::Sqlite {
        app.live.signal(thread);
    }
}

/// One reader's open stream of a thread's new messages.
#[derive(Debug)]
pub struct LiveThread {
    app: App,
    actor: Actor,
    thread: ThreadId,
    last_seen: Option<MessageId>,
    /// When the reader subscribed: edits from then on are news.
    since: DateTime<Utc>,
    /// The version of each edited message the reader has been sent (as new or as edited).
    versions_sent: HashMap<MessageId, i64>,
    changes: watch::Receiver<u64>,
    closed: watch::Receiver<bool>,
    /// Whether the first batch (catching up from `last_seen`) has been read.
    caught_up: bool,
}

/// Opens a stream of `thread` for `actor`, who has seen everything up to `after` (a message of the
/// thread; anything else, or nothing, means "from now on"). `NotFound` when the actor may not read
/// the thread.
pub async fn subscribe(
    app: &App,
    actor: &Actor,
    thread: ThreadId,
    after: Option<MessageId>,
) -> Result<LiveThread, AppError> {
    ensure_listener(app);
    // Subscribe before reading where the reader stands, so nothing committed in between is missed.
    let changes = app.live.receiver(thread);
    let since = app.now();
    let start = threads::live_start(app, actor, thread, after).await?;
    Ok(LiveThread {
        app: app.clone(),
        actor: actor.clone(),
        thread,
        last_seen: start,
        since,
        versions_sent: HashMap::new(),
        changes,
        closed: app.live.closed.subscribe(),
        caught_up: false,
    })
}

/// One thing a live reader is sent: a message new to them, or a new version of one.
#[derive(Clone, Debug)]
pub struct LiveUpdate {
    pub view: MessageView,
    /// A message edited while the reader watched (its latest text), rather than a new one.
    pub edited: bool,
}

impl LiveThread {
    /// The next updates, new messages first (oldest first) then edits; `Ok(None)` once the server
    /// is shutting down. Errors (the reader lost access: `NotFound`) end the stream.
    pub async fn next(&mut self) -> Result<Option<Vec<LiveUpdate>>, AppError> {
        loop {
            if *self.closed.borrow() {
                return Ok(None);
            }
            if !self.caught_up {
                self.caught_up = true;
                self.changes.borrow_and_update();
            } else {
                tokio::select! {
                    changed = self.changes.changed() => {
                        if changed.is_err() {
                            return Ok(None);
                        }
                    }
                    _ = self.closed.changed() => return Ok(None),
                }
            }
            let mut updates = Vec::new();
            let (fresh, edits) = threads::live_batch(
                &self.app,
                &self.actor,
                self.thread,
                self.last_seen,
                self.since,
            )
            .await?;
            if let Some(last) = fresh.last() {
                self.last_seen = Some(last.message.id);
            }
            for view in fresh {
                // Only an edited message can come back among the edits.
                if view.message.version > 1 {
                    self.versions_sent
                        .insert(view.message.id, view.message.version);
                }
                updates.push(LiveUpdate {
                    view,
                    edited: false,
                });
            }
            for view in edits {
                let sent = self.versions_sent.get(&view.message.id).copied();
                if sent.is_some_and(|v| v >= view.message.version) {
                    continue;
                }
                self.versions_sent
                    .insert(view.message.id, view.message.version);
                updates.push(LiveUpdate { view, edited: true });
            }
            if !updates.is_empty() {
                return Ok(Some(updates));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_signal_wakes_the_readers_of_that_thread_only() {
        let hub = LiveHub::default();
        let (a, b) = (ThreadId::new(), ThreadId::new());
        let mut reader_a = hub.receiver(a);
        let reader_b = hub.receiver(b);
        assert_eq!(hub.readers(), 2);
        hub.signal(a);
        assert!(reader_a.has_changed().unwrap());
        assert!(!reader_b.has_changed().unwrap());
        reader_a.borrow_and_update();
        hub.signal_all();
        assert!(reader_a.has_changed().unwrap());
        assert!(reader_b.has_changed().unwrap());
        drop(reader_b);
        let _reader_c = hub.receiver(ThreadId::new());
        assert_eq!(hub.readers(), 2, "a thread nobody reads is forgotten");
    }
}
