//! Announcing new messages to every server. On PostgreSQL a write announces its thread with
//! `pg_notify` inside its transaction, so the announcement goes out only if (and when) the write
//! commits, and every server sharing the database hears it through `LISTEN`. On SQLite there is
//! one server, which announces in process after committing (see `concord_app::live`).

use concord_domain::ThreadId;
use sqlx::postgres::PgListener;

use crate::{Db, Handle, StoreResult};

/// The PostgreSQL channel new-message announcements travel on.
pub const CHANNEL: &str = "concord_live";

/// Announces, when the transaction commits, that `thread` has something new (PostgreSQL only;
/// a no-op on SQLite).
pub async fn announce(h: &mut Handle, thread: ThreadId) -> StoreResult<()> {
    let query = sqlx::query("SELECT pg_notify($1, $2)")
        .bind(CHANNEL)
        .bind(thread.to_string());
    match h {
        Handle::Postgres(c) => {
            query.execute(&mut **c).await?;
        }
        Handle::PostgresTx(c) => {
            query.execute(&mut **c).await?;
        }
        Handle::Sqlite(_) | Handle::SqliteTx(_) => {}
    }
    Ok(())
}

/// A server's ear on the announcement channel (PostgreSQL).
pub struct Announcements(PgListener);

/// What the channel said.
#[derive(Debug, PartialEq, Eq)]
pub enum Heard {
    Thread(ThreadId),
    /// The connection dropped and was re-established: announcements may have been missed, so
    /// every reader should catch up.
    Reconnected,
}

impl Announcements {
    /// Starts listening; `None` on SQLite, which has nothing to listen to.
    pub async fn listen(db: &Db) -> StoreResult<Option<Announcements>> {
        let Db::Postgres { pool } = db else {
            return Ok(None);
        };
        let mut listener = PgListener::connect_with(pool).await?;
        listener.listen(CHANNEL).await?;
        Ok(Some(Announcements(listener)))
    }

    /// Waits for the next announcement. Unparseable payloads are skipped.
    pub async fn next(&mut self) -> StoreResult<Heard> {
        loop {
            match self.0.try_recv().await? {
                None => return Ok(Heard::Reconnected),
                Some(notification) => {
                    if let Ok(thread) = notification.payload().parse::<ThreadId>() {
                        return Ok(Heard::Thread(thread));
                    }
                }
            }
        }
    }
}
