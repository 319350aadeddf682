//! Connecting, migrating, and the two kinds of handle: a pooled connection for reads and a write
//! transaction that carries its audit events to the chain when it commits.

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use concord_domain::audit::{self, AuditEvent};
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool, Transaction};
use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::{StoreError, StoreResult};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// A pool on one of the two engines. Cheap to clone.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite {
        pool: SqlitePool,
        writer: Arc<Mutex<()>>,
    },
    Postgres {
        pool: PgPool,
    },
}

/// A connection to run queries on: pooled for reads, or the transaction of a write.
pub enum Handle {
    Sqlite(PoolConnection<Sqlite>),
    Postgres(PoolConnection<Postgres>),
    SqliteTx(Transaction<'static, Sqlite>),
    PostgresTx(Transaction<'static, Postgres>),
}

/// The engine's own connection type, borrowed from a [`Handle`].
pub enum Conn<'a> {
    Sqlite(&'a mut SqliteConnection),
    Postgres(&'a mut PgConnection),
}

impl Handle {
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            Handle::Sqlite(c) => Conn::Sqlite(c),
            Handle::Postgres(c) => Conn::Postgres(c),
            Handle::SqliteTx(t) => Conn::Sqlite(t),
            Handle::PostgresTx(t) => Conn::Postgres(t),
        }
    }
}

impl Db {
    /// Opens the database named by `url`. The engine is chosen here, once, from the scheme:
    /// `sqlite://PATH` (or `sqlite:PATH`) and `postgres://` / `postgresql://`. Anything else is an
    /// error rather than a guess.
    pub async fn connect(url: &str) -> StoreResult<Db> {
        let scheme = url.split_once(':').map(|(s, _)| s).unwrap_or("");
        match scheme {
            "sqlite" => {
                let path = url.trim_start_matches("sqlite:").trim_start_matches("//");
                let path = path.split('?').next().unwrap_or(path);
                if path.is_empty() {
                    return Err(StoreError::InvalidUrl("sqlite URL has no file path".into()));
                }
                if let Some(parent) = Path::new(path).parent()
                    && !parent.as_os_str().is_empty()
                {
                    std::fs::create_dir_all(parent)?;
                }
                let options = SqliteConnectOptions::new()
                    .filename(path)
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10))
                    .pragma("temp_store", "memory")
                    // Deleted rows are overwritten, not just unlinked: erasing a person's data
                    // must leave no readable byte of it in the file.
                    .pragma("secure_delete", "on");
                let pool = SqlitePoolOptions::new()
                    .max_connections(8)
                    // sqlx's liveness ping costs a round trip to the connection thread on every
                    // acquire; a local file does not go away (PERFORMANCE.md: +30%).
                    .test_before_acquire(false)
                    .connect_with(options)
                    .await?;
                Ok(Db::Sqlite {
                    pool,
                    writer: Arc::new(Mutex::new(())),
                })
            }
            "postgres" | "postgresql" => {
                let options = PgConnectOptions::from_str(url)
                    .map_err(|e| StoreError::InvalidUrl(e.to_string()))?;
                let pool = PgPoolOptions::new()
                    .max_connections(16)
                    .connect_with(options)
                    .await?;
                Ok(Db::Postgres { pool })
            }
            other => Err(StoreError::UnknownScheme(other.to_owned())),
        }
    }

    pub fn engine(&self) -> Engine {
        match self {
            Db::Sqlite { .. } => Engine::Sqlite,
            Db::Postgres { .. } => Engine::Postgres,
        }
    }

    /// Applies pending migrations (each engine has its own folder with the same versions and names).
    pub async fn migrate(&self) -> StoreResult<()> {
        match self {
            Db::Sqlite { pool, .. } => sqlx::migrate!("./migrations/sqlite").run(pool).await?,
            Db::Postgres { pool } => sqlx::migrate!("./migrations/postgres").run(pool).await?,
        }
        Ok(())
    }

    /// A pooled connection for reads.
    pub async fn read(&self) -> StoreResult<Handle> {
        Ok(match self {
            Db::Sqlite { pool, .. } => Handle::Sqlite(pool.acquire().await?),
            Db::Postgres { pool } => Handle::Postgres(pool.acquire().await?),
        })
    }

    /// Starts a write. On SQLite the write lock is taken up front (`BEGIN IMMEDIATE`), behind an
    /// in-process queue so waiting writers do not spin in SQLite's busy handler; on PostgreSQL the
    /// audit chain head is locked at commit.
    pub async fn write(&self) -> StoreResult<WriteTx> {
        match self {
            Db::Sqlite { pool, writer } => {
                let guard = writer.clone().lock_owned().await;
                let tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                Ok(WriteTx {
                    handle: Handle::SqliteTx(tx),
                    events: Vec::new(),
                    _writer: Some(guard),
                })
            }
            Db::Postgres { pool } => {
                let tx = pool.begin().await?;
                Ok(WriteTx {
                    handle: Handle::PostgresTx(tx),
                    events: Vec::new(),
                    _writer: None,
                })
            }
        }
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite { pool, .. } => pool.close().await,
            Db::Postgres { pool } => pool.close().await,
        }
    }
}

/// An audit event waiting for its transaction to commit; the chain fields are filled in then.
#[derive(Clone, Debug)]
pub struct PendingEvent {
    pub actor_id: Option<uuid::Uuid>,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub collaboration_id: Option<uuid::Uuid>,
    pub changed_fields: Vec<String>,
    /// Details of the change; only their salted digest is stored.
    pub details: serde_json::Value,
}

/// A unit of work: the change and its audit events, committed together or not at all.
pub struct WriteTx {
    handle: Handle,
    events: Vec<PendingEvent>,
    _writer: Option<OwnedMutexGuard<()>>,
}

impl WriteTx {
    pub fn handle(&mut self) -> &mut Handle {
        &mut self.handle
    }

    pub fn conn(&mut self) -> Conn<'_> {
        self.handle.conn()
    }

    /// Queues an audit event to be chained and written in this transaction.
    pub fn record(&mut self, event: PendingEvent) {
        self.events.push(event);
    }

    /// Appends the queued events to the audit chain and commits. Refuses to commit a change that
    /// recorded no event. Returns the sequence numbers written.
    pub async fn commit(
        mut self,
        now: DateTime<Utc>,
        salt: impl Fn() -> String,
    ) -> StoreResult<Vec<i64>> {
        if self.events.is_empty() {
            return Err(StoreError::Unaudited);
        }
        let (mut seq, mut prev_hash): (i64, String) = match self.handle.conn() {
            Conn::Sqlite(c) => {
                sqlx::query_as("SELECT seq, hash FROM audit_chain_head WHERE id = 1")
                    .fetch_one(c)
                    .await?
            }
            // The row lock serialises appends across every server on this database.
            Conn::Postgres(c) => {
                sqlx::query_as("SELECT seq, hash FROM audit_chain_head WHERE id = 1 FOR UPDATE")
                    .fetch_one(c)
                    .await?
            }
        };
        let occurred_at = audit::canonical_time(now);
        let mut written = Vec::with_capacity(self.events.len());
        let events = std::mem::take(&mut self.events);
        for pending in &events {
            seq += 1;
            let salt = salt();
            let mut event = AuditEvent {
                seq,
                occurred_at,
                actor_id: pending
                    .actor_id
                    .map(|id| id.to_string())
                    .unwrap_or_default(),
                action: pending.action.clone(),
                object_type: pending.object_type.clone(),
                object_id: pending.object_id.clone(),
                collaboration_id: pending
                    .collaboration_id
                    .map(|id| id.to_string())
                    .unwrap_or_default(),
                changed_fields: pending.changed_fields.join(","),
                changes_digest: audit::digest_changes(&salt, &pending.details),
                salt,
                prev_hash,
                hash: String::new(),
            };
            event.hash = audit::compute_hash(&event);
            crate::on_engine_exec!(self.handle, c => sqlx::query(
                "INSERT INTO audit_events (seq, occurred_at, actor_id, action, object_type, object_id, \
                 collaboration_id, changed_fields, salt, changes_digest, prev_hash, hash) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .bind(event.seq)
            .bind(event.occurred_at)
            .bind(pending.actor_id)
            .bind(&event.action)
            .bind(&event.object_type)
            .bind(&event.object_id)
            .bind(pending.collaboration_id)
            .bind(&event.changed_fields)
            .bind(&event.salt)
            .bind(&event.changes_digest)
            .bind(&event.prev_hash)
            .bind(&event.hash)
            .execute(c)
            .await)?;
            prev_hash = event.hash;
            written.push(seq);
        }
        // Outbox hooks: rows other parts deliver later, written in this same transaction so that
        // an event is delivered if and only if it committed.
        crate::webhooks::enqueue(&mut self.handle, &events, now).await?;
        crate::on_engine_exec!(self.handle, c => sqlx::query("UPDATE audit_chain_head SET seq = $1, hash = $2 WHERE id = 1")
            .bind(seq)
            .bind(&prev_hash)
            .execute(c)
            .await)?;
        match self.handle {
            Handle::SqliteTx(tx) => tx.commit().await?,
            Handle::PostgresTx(tx) => tx.commit().await?,
            Handle::Sqlite(_) | Handle::Postgres(_) => {}
        }
        Ok(written)
    }
}
