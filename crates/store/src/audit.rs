//! Reading the audit log: a collaboration's history, and the whole chain for verification.
//! (Appending happens only in [`crate::WriteTx::commit`].)

use chrono::{DateTime, Utc};
use concord_domain::CollaborationId;
use concord_domain::audit::{AuditEvent, HistoryEntry};
use uuid::Uuid;

use crate::{Handle, StoreResult, on_engine};

#[derive(sqlx::FromRow)]
struct HistoryRow {
    seq: i64,
    occurred_at: DateTime<Utc>,
    actor_id: Option<Uuid>,
    actor_name: Option<String>,
    action: String,
    object_type: String,
    object_id: String,
    changed_fields: String,
}

/// A page of a collaboration's events, newest first, strictly before sequence number `before`.
pub async fn history(
    h: &mut Handle,
    id: CollaborationId,
    before: Option<i64>,
    limit: i64,
) -> StoreResult<Vec<HistoryEntry>> {
    let rows: Vec<HistoryRow> = on_engine!(h, c => sqlx::query_as(
        "SELECT e.seq, e.occurred_at, e.actor_id, u.display_name AS actor_name, e.action, e.object_type, e.object_id, \
         e.changed_fields FROM audit_events e LEFT JOIN users u ON u.id = e.actor_id \
         WHERE e.collaboration_id = $1 AND ($2 IS NULL OR e.seq < $2) ORDER BY e.seq DESC LIMIT $3",
    )
    .bind(id.0)
    .bind(before)
    .bind(limit)
    .fetch_all(c)
    .await)?;
    Ok(rows.into_iter().map(HistoryRow::into_entry).collect())
}

impl HistoryRow {
    fn into_entry(self) -> HistoryEntry {
        HistoryEntry {
            seq: self.seq,
            occurred_at: self.occurred_at,
            actor_id: self.actor_id.map(Into::into),
            actor_name: self.actor_name,
            action: self.action,
            object_type: self.object_type,
            object_id: self.object_id,
            changed_fields: self
                .changed_fields
                .split(',')
                .filter(|f| !f.is_empty())
                .map(str::to_owned)
                .collect(),
        }
    }
}

/// Every event about one object (e.g. a stakeholder, for a person's data export), oldest first.
pub async fn for_object(
    h: &mut Handle,
    object_type: &str,
    object_id: &str,
) -> StoreResult<Vec<HistoryEntry>> {
    let rows: Vec<HistoryRow> = on_engine!(h, c => sqlx::query_as(
        "SELECT e.seq, e.occurred_at, e.actor_id, u.display_name AS actor_name, e.action, e.object_type, e.object_id, \
         e.changed_fields FROM audit_events e LEFT JOIN users u ON u.id = e.actor_id \
         WHERE e.object_type = $1 AND e.object_id = $2 ORDER BY e.seq LIMIT 10000",
    )
    .bind(object_type)
    .bind(object_id)
    .fetch_all(c)
    .await)?;
    Ok(rows.into_iter().map(HistoryRow::into_entry).collect())
}

#[derive(sqlx::FromRow)]
struct EventRow {
    seq: i64,
    occurred_at: DateTime<Utc>,
    actor_id: Option<Uuid>,
    action: String,
    object_type: String,
    object_id: String,
    collaboration_id: Option<Uuid>,
    changed_fields: String,
    salt: String,
    changes_digest: String,
    prev_hash: String,
    hash: String,
}

/// A batch of stored events after `after_seq`, in stored sequence order.
pub async fn events_after(
    h: &mut Handle,
    after_seq: i64,
    limit: i64,
) -> StoreResult<Vec<AuditEvent>> {
    let rows: Vec<EventRow> = on_engine!(h, c => sqlx::query_as(
        "SELECT seq, occurred_at, actor_id, action, object_type, object_id, collaboration_id, changed_fields, salt, \
         changes_digest, prev_hash, hash FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2",
    )
    .bind(after_seq)
    .bind(limit)
    .fetch_all(c)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|r| AuditEvent {
            seq: r.seq,
            occurred_at: r.occurred_at,
            actor_id: r.actor_id.map(|id| id.to_string()).unwrap_or_default(),
            action: r.action,
            object_type: r.object_type,
            object_id: r.object_id,
            collaboration_id: r
                .collaboration_id
                .map(|id| id.to_string())
                .unwrap_or_default(),
            changed_fields: r.changed_fields,
            salt: r.salt,
            changes_digest: r.changes_digest,
            prev_hash: r.prev_hash,
            hash: r.hash,
        })
        .collect())
}

/// The chain head as recorded: last sequence number and hash.
pub async fn head(h: &mut Handle) -> StoreResult<(i64, String)> {
    Ok(
        on_engine!(h, c => sqlx::query_as("SELECT seq, hash FROM audit_chain_head WHERE id = 1").fetch_one(c).await)?,
    )
}
