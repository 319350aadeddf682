//! Webhook endpoints, their deliveries and attempts. Callers check the policy first.
//!
//! Deliveries are enqueued by [`enqueue`], which `WriteTx::commit` calls for the audit events of
//! every unit of work, inside its transaction: an event is delivered exactly when it commits.
//! The worker claims due rows with a lease (`claimed_until`) so several servers can run it.

use chrono::{DateTime, Utc};
use concord_domain::webhook::{
    self as domain, Attempt, Delivery, DeliveryStatus, Endpoint, Payload, PayloadObject, PayloadRef,
};
use concord_domain::{CollaborationId, UserId, WebhookDeliveryId, WebhookId};
use uuid::Uuid;

use crate::db::PendingEvent;
use crate::{Conn, Handle, StoreError, StoreResult, on_engine, on_engine_exec, parse_stored};

#[derive(sqlx::FromRow)]
struct EndpointRow {
    id: Uuid,
    collaboration_id: Uuid,
    url: String,
    description: String,
    event_kinds: String,
    active: bool,
    created_by: Option<Uuid>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    secret_rotated_at: DateTime<Utc>,
}

fn split_kinds(text: &str) -> Vec<String> {
    text.split(',')
        .filter(|k| !k.is_empty())
        .map(str::to_owned)
        .collect()
}

impl From<EndpointRow> for Endpoint {
    fn from(r: EndpointRow) -> Self {
        Endpoint {
            id: r.id.into(),
            collaboration_id: r.collaboration_id.into(),
            url: r.url,
            description: r.description,
            event_kinds: split_kinds(&r.event_kinds),
            active: r.active,
            created_by: r.created_by.map(Into::into),
            created_at: r.created_at,
            updated_at: r.updated_at,
            secret_rotated_at: r.secret_rotated_at,
        }
    }
}

macro_rules! select_endpoints {
    () => {
        "SELECT id, collaboration_id, url, description, event_kinds, active, created_by, \
         created_at, updated_at, secret_rotated_at FROM webhook_endpoints "
    };
}

/// What an endpoint is set to.
pub struct EndpointValues<'a> {
    pub url: &'a str,
    pub description: &'a str,
    pub event_kinds: &'a [String],
    pub active: bool,
}

pub async fn insert_endpoint(
    h: &mut Handle,
    id: WebhookId,
    collaboration: CollaborationId,
    values: &EndpointValues<'_>,
    secret: &str,
    created_by: Option<UserId>,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    on_engine_exec!(h, c => sqlx::query(
        "INSERT INTO webhook_endpoints (id, collaboration_id, url, description, event_kinds, active, secret, \
         secret_rotated_at, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $8, $8)",
    )
    .bind(id.0)
    .bind(collaboration.0)
    .bind(values.url)
    .bind(values.description)
    .bind(values.event_kinds.join(","))
    .bind(values.active)
    .bind(secret)
    .bind(now)
    .bind(created_by.map(|u| u.0))
    .execute(c)
    .await)?;
    Ok(())
}

pub async fn update_endpoint(
    h: &mut Handle,
    id: WebhookId,
    values: &EndpointValues<'_>,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    on_engine_exec!(h, c => sqlx::query(
        "UPDATE webhook_endpoints SET url = $2, description = $3, event_kinds = $4, active = $5, updated_at = $6 \
         WHERE id = $1",
    )
    .bind(id.0)
    .bind(values.url)
    .bind(values.description)
    .bind(values.event_kinds.join(","))
    .bind(values.active)
    .bind(now)
    .execute(c)
    .await)?;
    Ok(())
}

pub async fn set_secret(
    h: &mut Handle,
    id: WebhookId,
    secret: &str,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    on_engine_exec!(h, c => sqlx::query(
        "UPDATE webhook_endpoints SET secret = $2, secret_rotated_at = $3, updated_at = $3 WHERE id = $1",
    )
    .bind(id.0)
    .bind(secret)
    .bind(now)
    .execute(c)
    .await)?;
    Ok(())
}

/// Deletes the endpoint with its deliveries and their attempts (cascade).
pub async fn delete_endpoint(h: &mut Handle, id: WebhookId) -> StoreResult<()> {
    on_engine_exec!(h, c => sqlx::query("DELETE FROM webhook_endpoints WHERE id = $1")
        .bind(id.0)
        .execute(c)
        .await)?;
    Ok(())
}

pub async fn get_endpoint(h: &mut Handle, id: WebhookId) -> StoreResult<Option<Endpoint>> {
    let row: Option<EndpointRow> = on_engine!(h, c => sqlx::query_as(concat!(select_endpoints!(), "WHERE id = $1"))
        .bind(id.0)
        .fetch_optional(c)
        .await)?;
    Ok(row.map(Into::into))
}

pub async fn collaboration_of_endpoint(
    h: &mut Handle,
    id: WebhookId,
) -> StoreResult<Option<CollaborationId>> {
    let id: Option<Uuid> = on_engine!(h, c => sqlx::query_scalar("SELECT collaboration_id FROM webhook_endpoints WHERE id = $1")
        .bind(id.0)
        .fetch_optional(c)
        .await)?;
    Ok(id.map(Into::into))
}

/// The collaboration's endpoints, oldest first.
pub async fn list_endpoints(
    h: &mut Handle,
    collaboration: CollaborationId,
) -> StoreResult<Vec<Endpoint>> {
    let rows: Vec<EndpointRow> = on_engine!(h, c => sqlx::query_as(concat!(
        select_endpoints!(),
        "WHERE collaboration_id = $1 ORDER BY created_at, id"
    ))
        .bind(collaboration.0)
        .fetch_all(c)
        .await)?;
    Ok(rows.into_iter().map(Into::into).collect())
}

pub async fn count_endpoints(h: &mut Handle, collaboration: CollaborationId) -> StoreResult<i64> {
    Ok(on_engine!(h, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM webhook_endpoints WHERE collaboration_id = $1",
    )
    .bind(collaboration.0)
    .fetch_one(c)
    .await)?)
}

/// The payload of `event` for delivery `id`: ids and changed field names only. The audit
/// `details` are not forwarded (they may hold text and names); known ids in them are.
fn payload(id: WebhookDeliveryId, event: &PendingEvent, now: DateTime<Utc>) -> Payload {
    let mut data = serde_json::Map::new();
    data.insert(
        "changed_fields".into(),
        serde_json::Value::from(event.changed_fields.clone()),
    );
    for (key, name) in [
        ("thread", "thread_id"),
        ("meeting", "meeting_id"),
        ("objective", "objective_id"),
    ] {
        if let Some(value) = event.details.get(key).and_then(|v| v.as_str())
            && Uuid::parse_str(value).is_ok()
        {
            data.insert(name.into(), serde_json::Value::from(value));
        }
    }
    Payload {
        id,
        kind: event.action.clone(),
        occurred_at: now,
        collaboration: PayloadRef {
            id: event
                .collaboration_id
                .map(|c| c.to_string())
                .unwrap_or_default(),
        },
        object: PayloadObject {
            object_type: event.object_type.clone(),
            id: event.object_id.clone(),
        },
        actor: event.actor_id.map(|a| PayloadRef { id: a.to_string() }),
        data: serde_json::Value::Object(data),
    }
}

/// For each event of a committing unit of work that names a collaboration, one delivery per
/// active endpoint of that collaboration subscribed to the event's family. Costs one indexed
/// query per collaboration concerned (almost always one, almost always answering no rows); none
/// when no event is of a deliverable family.
pub(crate) async fn enqueue(
    h: &mut Handle,
    events: &[PendingEvent],
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let mut collaborations: Vec<Uuid> = Vec::new();
    for e in events {
        if let Some(c) = e.collaboration_id
            && domain::EVENT_FAMILIES.contains(&domain::family_of(&e.action))
            && !collaborations.contains(&c)
        {
            collaborations.push(c);
        }
    }
    for collaboration in collaborations {
        let endpoints: Vec<(Uuid, String)> = on_engine!(h, c => sqlx::query_as(
            "SELECT id, event_kinds FROM webhook_endpoints WHERE collaboration_id = $1 AND active = TRUE",
        )
        .bind(collaboration)
        .fetch_all(c)
        .await)?;
        if endpoints.is_empty() {
            continue;
        }
        for event in events
            .iter()
            .filter(|e| e.collaboration_id == Some(collaboration))
        {
            for (endpoint, kinds) in &endpoints {
                if domain::subscribed(&split_kinds(kinds), &event.action) {
                    let id = WebhookDeliveryId::new();
                    insert_delivery(h, WebhookId(*endpoint), &payload(id, event, now), now).await?;
                }
            }
        }
    }
    Ok(())
}

/// Queues `payload` for `webhook`, due now.
pub async fn insert_delivery(
    h: &mut Handle,
    webhook: WebhookId,
    payload: &Payload,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let body = serde_json::to_string(payload).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    on_engine_exec!(h, c => sqlx::query(
        "INSERT INTO webhook_deliveries (id, webhook_id, event_kind, payload, status, attempts, next_attempt_at, created_at) \
         VALUES ($1, $2, $3, $4, 'pending', 0, $5, $5)",
    )
    .bind(payload.id.0)
    .bind(webhook.0)
    .bind(&payload.kind)
    .bind(&body)
    .bind(now)
    .execute(c)
    .await)?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct DeliveryRow {
    id: Uuid,
    webhook_id: Uuid,
    event_kind: String,
    status: String,
    attempts: i64,
    created_at: DateTime<Utc>,
    next_attempt_at: Option<DateTime<Utc>>,
    last_status_code: Option<i32>,
    last_error: Option<String>,
    last_latency_ms: Option<i64>,
    last_attempt_at: Option<DateTime<Utc>>,
}

impl DeliveryRow {
    fn into_domain(self) -> StoreResult<Delivery> {
        Ok(Delivery {
            id: self.id.into(),
            webhook_id: self.webhook_id.into(),
            event_kind: self.event_kind,
            status: parse_stored(&self.status, DeliveryStatus::parse)?,
            attempts: self.attempts,
            created_at: self.created_at,
            next_attempt_at: self.next_attempt_at,
            last_status_code: self.last_status_code,
            last_error: self.last_error,
            last_latency_ms: self.last_latency_ms,
            last_attempt_at: self.last_attempt_at,
        })
    }
}

/// A page of the endpoint's deliveries, newest first (ids are time-ordered), strictly before
/// `before`.
pub async fn list_deliveries(
    h: &mut Handle,
    webhook: WebhookId,
    before: Option<WebhookDeliveryId>,
    limit: i64,
) -> StoreResult<Vec<Delivery>> {
    let rows: Vec<DeliveryRow> = on_engine!(h, c => sqlx::query_as(
        "SELECT id, webhook_id, event_kind, status, attempts, created_at, next_attempt_at, last_status_code, \
         last_error, last_latency_ms, last_attempt_at FROM webhook_deliveries \
         WHERE webhook_id = $1 AND ($2 IS NULL OR id < $2) ORDER BY id DESC LIMIT $3",
    )
    .bind(webhook.0)
    .bind(before.map(|b| b.0))
    .bind(limit)
    .fetch_all(c)
    .await)?;
    rows.into_iter().map(DeliveryRow::into_domain).collect()
}

/// (attempt, attempted_at, status_code, error, latency_ms)
type AttemptRow = (i64, DateTime<Utc>, Option<i32>, Option<String>, i64);

/// The delivery (if it belongs to `webhook`) and its attempts, oldest first.
pub async fn get_delivery(
    h: &mut Handle,
    webhook: WebhookId,
    id: WebhookDeliveryId,
) -> StoreResult<Option<(Delivery, Vec<Attempt>, String)>> {
    let row: Option<(DeliveryRow, String)> = {
        let r: Option<DeliveryRow> = on_engine!(h, c => sqlx::query_as(
            "SELECT id, webhook_id, event_kind, status, attempts, created_at, next_attempt_at, last_status_code, \
             last_error, last_latency_ms, last_attempt_at FROM webhook_deliveries WHERE id = $1 AND webhook_id = $2",
        )
        .bind(id.0)
        .bind(webhook.0)
        .fetch_optional(c)
        .await)?;
        match r {
            None => None,
            Some(r) => {
                let payload: String = on_engine!(h, c => sqlx::query_scalar(
                    "SELECT payload FROM webhook_deliveries WHERE id = $1",
                )
                .bind(id.0)
                .fetch_one(c)
                .await)?;
                Some((r, payload))
            }
        }
    };
    let Some((row, payload)) = row else {
        return Ok(None);
    };
    let attempts: Vec<AttemptRow> = on_engine!(h, c => sqlx::query_as(
        "SELECT attempt, attempted_at, status_code, error, latency_ms FROM webhook_attempts \
         WHERE delivery_id = $1 ORDER BY attempt",
    )
    .bind(id.0)
    .fetch_all(c)
    .await)?;
    let attempts = attempts
        .into_iter()
        .map(
            |(attempt, attempted_at, status_code, error, latency_ms)| Attempt {
                attempt,
                attempted_at,
                status_code,
                error,
                latency_ms,
            },
        )
        .collect();
    Ok(Some((row.into_domain()?, attempts, payload)))
}

/// A delivery claimed by a worker, with what it needs to send it.
#[derive(Debug, sqlx::FromRow)]
pub struct Claimed {
    pub id: Uuid,
    pub webhook_id: Uuid,
    pub event_kind: String,
    pub payload: String,
    pub attempts: i64,
    pub url: String,
    pub secret: String,
}

/// Claims up to `limit` pending deliveries that are due at `now` (and not leased by another
/// worker) until `lease_until`, in one atomic statement. PostgreSQL skips rows another server is
/// claiming at the same moment (`FOR UPDATE SKIP LOCKED`); SQLite has one writer at a time.
/// Deliveries of inactive endpoints wait.
pub async fn claim_due(
    h: &mut Handle,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: i64,
) -> StoreResult<Vec<Claimed>> {
    let ids: Vec<Uuid> = match h.conn() {
        Conn::Sqlite(c) => {
            sqlx::query_scalar(
                "UPDATE webhook_deliveries SET claimed_until = $2 WHERE id IN ( \
                 SELECT d.id FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.webhook_id \
                 WHERE d.status = 'pending' AND d.next_attempt_at <= $1 AND e.active = TRUE \
                 AND (d.claimed_until IS NULL OR d.claimed_until <= $1) ORDER BY d.next_attempt_at LIMIT $3) \
                 RETURNING id",
            )
            .bind(now)
            .bind(lease_until)
            .bind(limit)
            .fetch_all(c)
            .await?
        }
        Conn::Postgres(c) => {
            sqlx::query_scalar(
                "UPDATE webhook_deliveries SET claimed_until = $2 WHERE id IN ( \
                 SELECT d.id FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.webhook_id \
                 WHERE d.status = 'pending' AND d.next_attempt_at <= $1 AND e.active = TRUE \
                 AND (d.claimed_until IS NULL OR d.claimed_until <= $1) ORDER BY d.next_attempt_at LIMIT $3 \
                 FOR UPDATE OF d SKIP LOCKED) \
                 AND status = 'pending' AND (claimed_until IS NULL OR claimed_until <= $1) RETURNING id",
            )
            .bind(now)
            .bind(lease_until)
            .bind(limit)
            .fetch_all(c)
            .await?
        }
    };
    let mut claimed = Vec::with_capacity(ids.len());
    for id in ids {
        let row: Option<Claimed> = on_engine!(h, c => sqlx::query_as(
            "SELECT d.id, d.webhook_id, d.event_kind, d.payload, d.attempts, e.url, e.secret \
             FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.webhook_id WHERE d.id = $1",
        )
        .bind(id)
        .fetch_optional(c)
        .await)?;
        claimed.extend(row);
    }
    Ok(claimed)
}

/// The outcome of one attempt.
pub struct AttemptOutcome<'a> {
    pub attempt: i64,
    pub at: DateTime<Utc>,
    pub status_code: Option<i32>,
    pub error: Option<&'a str>,
    pub latency_ms: i64,
    /// Where the delivery now stands, and when to try again (pending only).
    pub status: DeliveryStatus,
    pub next_attempt_at: Option<DateTime<Utc>>,
}

/// Logs an attempt and moves the delivery on, releasing its lease. Idempotent per attempt number:
/// a worker that died between the two statements leaves a row the retry overwrites.
pub async fn record_attempt(
    h: &mut Handle,
    delivery: Uuid,
    outcome: &AttemptOutcome<'_>,
) -> StoreResult<()> {
    on_engine_exec!(h, c => sqlx::query(
        "INSERT INTO webhook_attempts (delivery_id, attempt, attempted_at, status_code, error, latency_ms) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (delivery_id, attempt) DO UPDATE SET attempted_at = excluded.attempted_at, \
         status_code = excluded.status_code, error = excluded.error, latency_ms = excluded.latency_ms",
    )
    .bind(delivery)
    .bind(outcome.attempt)
    .bind(outcome.at)
    .bind(outcome.status_code)
    .bind(outcome.error)
    .bind(outcome.latency_ms)
    .execute(c)
    .await)?;
    on_engine_exec!(h, c => sqlx::query(
        "UPDATE webhook_deliveries SET attempts = $2, status = $3, next_attempt_at = $4, claimed_until = NULL, \
         last_status_code = $5, last_error = $6, last_latency_ms = $7, last_attempt_at = $8 WHERE id = $1",
    )
    .bind(delivery)
    .bind(outcome.attempt)
    .bind(outcome.status.as_str())
    .bind(outcome.next_attempt_at)
    .bind(outcome.status_code)
    .bind(outcome.error)
    .bind(outcome.latency_ms)
    .bind(outcome.at)
    .execute(c)
    .await)?;
    Ok(())
}
