//! Notifications (each person's inbox), email preferences, and the email outbox with its
//! worker leases. Callers decide who is told; every query here is scoped to one recipient.
//!
//! The outbox's delivery bookkeeping (claiming a row, marking it sent, recording a failure) runs
//! as single atomic statements on a pooled connection, outside any audited unit of work: it is
//! the worker's progress, not a change someone made (the change that queued the email is audited).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use concord_domain::notification::{
    EmailDelivery, EmailStatus, Notification, NotificationContent, NotificationKind, Preference,
};
use concord_domain::{EmailId, NotificationId, UserId};
use uuid::Uuid;

use crate::{
    Conn, Handle, StoreResult, fetch_for_ids, on_engine, on_engine_exec, parse_stored, placeholders,
};

/// Records one notification for an active `user`, with the user's email choice for `kind` in
/// force now. Returns that choice, or `None` when there is no such active user (nothing stored).
pub async fn insert(
    h: &mut Handle,
    id: NotificationId,
    user: UserId,
    kind: NotificationKind,
    content: &NotificationContent,
    actor: Option<UserId>,
    now: DateTime<Utc>,
) -> StoreResult<Option<EmailDelivery>> {
    let email: Option<String> = on_engine!(h, c => sqlx::query_scalar(
        "INSERT INTO notifications (id, user_id, kind, collaboration_id, title, link, excerpt, actor_id, created_at, email) \
         SELECT $1, u.id, $3, $4, $5, $6, $7, $8, $9, \
           COALESCE((SELECT p.email FROM notification_preferences p WHERE p.user_id = u.id AND p.kind = $3), $10) \
         FROM users u WHERE u.id = $2 AND u.active = TRUE RETURNING email",
    )
    .bind(id.0)
    .bind(user.0)
    .bind(kind.as_str())
    .bind(content.collaboration.map(|c| c.0))
    .bind(&content.title)
    .bind(&content.link)
    .bind(content.excerpt.as_deref())
    .bind(actor.map(|a| a.0))
    .bind(now)
    .bind(kind.default_delivery().as_str())
    .fetch_optional(c)
    .await)?;
    email
        .map(|e| parse_stored(&e, EmailDelivery::parse))
        .transpose()
}

/// Queues the immediate email of a notification (at most one: the unique key makes a repeat a
/// no-op).
pub async fn queue_immediate(
    h: &mut Handle,
    id: EmailId,
    user: UserId,
    notification: NotificationId,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    on_engine_exec!(h, c => sqlx::query(
        "INSERT INTO emails (id, user_id, notification_id, status, attempts, next_attempt_at, created_at) \
         VALUES ($1, $2, $3, 'waiting', 0, $4, $4) ON CONFLICT (notification_id) DO NOTHING",
    )
    .bind(id.0)
    .bind(user.0)
    .bind(notification.0)
    .bind(now)
    .execute(c)
    .await)?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct NotificationRow {
    id: Uuid,
    kind: String,
    collaboration_id: Option<Uuid>,
    title: String,
    link: String,
    excerpt: Option<String>,
    actor_id: Option<Uuid>,
    actor_name: Option<String>,
    created_at: DateTime<Utc>,
    read_at: Option<DateTime<Utc>>,
}

impl NotificationRow {
    fn into_domain(self) -> StoreResult<Notification> {
        Ok(Notification {
            id: self.id.into(),
            kind: parse_stored(&self.kind, NotificationKind::parse)?,
            collaboration_id: self.collaboration_id.map(Into::into),
            title: self.title,
            link: self.link,
            excerpt: self.excerpt,
            actor_id: self.actor_id.map(Into::into),
            actor_name: self.actor_name,
            created_at: self.created_at,
            read_at: self.read_at,
        })
    }
}

macro_rules! select_notifications {
    () => {
        "SELECT n.id, n.kind, n.collaboration_id, n.title, n.link, n.excerpt, n.actor_id, \
         a.display_name AS actor_name, n.created_at, n.read_at \
         FROM notifications n LEFT JOIN users a ON a.id = n.actor_id "
    };
}

/// A page of `user`'s inbox, newest first, strictly after the cursor (created_at, id).
pub async fn list(
    h: &mut Handle,
    user: UserId,
    unread_only: bool,
    before: Option<(DateTime<Utc>, NotificationId)>,
    limit: i64,
) -> StoreResult<Vec<Notification>> {
    let rows: Vec<NotificationRow> = on_engine!(h, c => sqlx::query_as(concat!(
        select_notifications!(),
        "WHERE n.user_id = $1 AND ($2 = FALSE OR n.read_at IS NULL) \
         AND ($3 IS NULL OR n.created_at < $3 OR (n.created_at = $3 AND n.id < $4)) \
         ORDER BY n.created_at DESC, n.id DESC LIMIT $5"
    ))
    .bind(user.0)
    .bind(unread_only)
    .bind(before.map(|b| b.0))
    .bind(before.map(|b| (b.1).0))
    .bind(limit)
    .fetch_all(c)
    .await)?;
    rows.into_iter().map(NotificationRow::into_domain).collect()
}

/// One of `user`'s notifications (someone else's is `None`, like a missing one).
pub async fn get(
    h: &mut Handle,
    user: UserId,
    id: NotificationId,
) -> StoreResult<Option<Notification>> {
    let row: Option<NotificationRow> = on_engine!(h, c => sqlx::query_as(concat!(
        select_notifications!(),
        "WHERE n.id = $1 AND n.user_id = $2"
    ))
    .bind(id.0)
    .bind(user.0)
    .fetch_optional(c)
    .await)?;
    row.map(NotificationRow::into_domain).transpose()
}

pub async fn unread_count(h: &mut Handle, user: UserId) -> StoreResult<i64> {
    Ok(on_engine!(h, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL",
    )
    .bind(user.0)
    .fetch_one(c)
    .await)?)
}

/// Marks one unread notification of `user` read; returns whether it was unread.
pub async fn mark_read(
    h: &mut Handle,
    user: UserId,
    id: NotificationId,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let n = on_engine_exec!(h, c => sqlx::query(
        "UPDATE notifications SET read_at = $3 WHERE id = $1 AND user_id = $2 AND read_at IS NULL",
    )
    .bind(id.0)
    .bind(user.0)
    .bind(now)
    .execute(c)
    .await)?;
    Ok(n == 1)
}

/// Marks all of `user`'s unread notifications read; returns how many.
pub async fn mark_all_read(h: &mut Handle, user: UserId, now: DateTime<Utc>) -> StoreResult<u64> {
    on_engine_exec!(h, c => sqlx::query(
        "UPDATE notifications SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL",
    )
    .bind(user.0)
    .bind(now)
    .execute(c)
    .await)
    .map_err(Into::into)
}

/// The choices `user` has saved (kinds without a row follow their default).
pub async fn preferences(h: &mut Handle, user: UserId) -> StoreResult<Vec<Preference>> {
    let rows: Vec<(String, String)> = on_engine!(h, c => sqlx::query_as(
        "SELECT kind, email FROM notification_preferences WHERE user_id = $1",
    )
    .bind(user.0)
    .fetch_all(c)
    .await)?;
    rows.into_iter()
        .map(|(kind, email)| {
            Ok(Preference {
                kind: parse_stored(&kind, NotificationKind::parse)?,
                email: parse_stored(&email, EmailDelivery::parse)?,
            })
        })
        .collect()
}

pub async fn set_preference(h: &mut Handle, user: UserId, p: &Preference) -> StoreResult<()> {
    on_engine_exec!(h, c => sqlx::query(
        "INSERT INTO notification_preferences (user_id, kind, email) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id, kind) DO UPDATE SET email = excluded.email",
    )
    .bind(user.0)
    .bind(p.kind.as_str())
    .bind(p.email.as_str())
    .execute(c)
    .await)?;
    Ok(())
}

/// People with notifications waiting for a digest.
pub async fn digest_recipients(h: &mut Handle) -> StoreResult<Vec<UserId>> {
    let ids: Vec<Uuid> = on_engine!(h, c => sqlx::query_scalar(
        "SELECT DISTINCT user_id FROM notifications WHERE email = 'daily_digest' AND digest_email_id IS NULL",
    )
    .fetch_all(c)
    .await)?;
    Ok(ids.into_iter().map(Into::into).collect())
}

/// Queues `user`'s digest of `day` and hands it every notification still waiting for one.
/// Returns the number carried, 0 when that day's digest already exists (another run or another
/// server made it: the unique (user, day) key) or nothing was waiting.
pub async fn queue_digest(
    h: &mut Handle,
    id: EmailId,
    user: UserId,
    day: NaiveDate,
    now: DateTime<Utc>,
) -> StoreResult<u64> {
    let inserted: Option<Uuid> = on_engine!(h, c => sqlx::query_scalar(
        "INSERT INTO emails (id, user_id, digest_date, status, attempts, next_attempt_at, created_at) \
         VALUES ($1, $2, $3, 'waiting', 0, $4, $4) ON CONFLICT (user_id, digest_date) DO NOTHING RETURNING id",
    )
    .bind(id.0)
    .bind(user.0)
    .bind(day)
    .bind(now)
    .fetch_optional(c)
    .await)?;
    if inserted.is_none() {
        return Ok(0);
    }
    let carried = on_engine_exec!(h, c => sqlx::query(
        "UPDATE notifications SET digest_email_id = $1 \
         WHERE user_id = $2 AND email = 'daily_digest' AND digest_email_id IS NULL",
    )
    .bind(id.0)
    .bind(user.0)
    .execute(c)
    .await)?;
    if carried == 0 {
        on_engine_exec!(h, c => sqlx::query("DELETE FROM emails WHERE id = $1").bind(id.0).execute(c).await)?;
    }
    Ok(carried)
}

/// Takes the lease on up to `limit` due emails for this worker until `lease_until`, counting
/// the attempt. Atomic on both engines: on PostgreSQL rows another worker holds are skipped
/// (`FOR UPDATE SKIP LOCKED`) and the outer conditions are re-checked on the row as it is after
/// any concurrent claim; SQLite runs one writer at a time.
pub async fn claim_due(
    h: &mut Handle,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: i64,
) -> StoreResult<Vec<EmailId>> {
    let ids: Vec<Uuid> = match h.conn() {
        Conn::Sqlite(c) => {
            sqlx::query_scalar(
                "UPDATE emails SET claimed_until = $2, attempts = attempts + 1 \
                 WHERE id IN (SELECT id FROM emails WHERE status = 'waiting' AND next_attempt_at <= $1 \
                   AND (claimed_until IS NULL OR claimed_until < $1) ORDER BY next_attempt_at, id LIMIT $3) \
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
                "UPDATE emails SET claimed_until = $2, attempts = attempts + 1 \
                 WHERE id IN (SELECT id FROM emails WHERE status = 'waiting' AND next_attempt_at <= $1 \
                   AND (claimed_until IS NULL OR claimed_until < $1) ORDER BY next_attempt_at, id LIMIT $3 \
                   FOR UPDATE SKIP LOCKED) \
                 AND status = 'waiting' AND (claimed_until IS NULL OR claimed_until < $1) \
                 RETURNING id",
            )
            .bind(now)
            .bind(lease_until)
            .bind(limit)
            .fetch_all(c)
            .await?
        }
    };
    Ok(ids.into_iter().map(Into::into).collect())
}

/// What the worker needs to write one email.
#[derive(Clone, Debug)]
pub struct OutboxEmail {
    pub id: EmailId,
    pub to_address: String,
    pub to_name: String,
    pub locale: Option<String>,
    pub attempts: i64,
    pub digest_date: Option<NaiveDate>,
    /// The one notification (immediate) or all those the digest carries, oldest first.
    pub notifications: Vec<Notification>,
}

pub async fn outbox_email(h: &mut Handle, id: EmailId) -> StoreResult<Option<OutboxEmail>> {
    #[allow(clippy::type_complexity)]
    let row: Option<(String, String, Option<String>, i64, Option<NaiveDate>)> = on_engine!(h, c => sqlx::query_as(
        "SELECT u.email, u.display_name, COALESCE(u.locale, u.browser_locale), e.attempts, e.digest_date FROM emails e \
         JOIN users u ON u.id = e.user_id WHERE e.id = $1",
    )
    .bind(id.0)
    .fetch_optional(c)
    .await)?;
    let Some((to_address, to_name, locale, attempts, digest_date)) = row else {
        return Ok(None);
    };
    let rows: Vec<NotificationRow> = on_engine!(h, c => sqlx::query_as(concat!(
        select_notifications!(),
        "WHERE n.digest_email_id = $1 OR n.id = (SELECT notification_id FROM emails WHERE id = $1) \
         ORDER BY n.created_at, n.id"
    ))
    .bind(id.0)
    .fetch_all(c)
    .await)?;
    Ok(Some(OutboxEmail {
        id,
        to_address,
        to_name,
        locale,
        attempts,
        digest_date,
        notifications: rows
            .into_iter()
            .map(NotificationRow::into_domain)
            .collect::<StoreResult<_>>()?,
    }))
}

pub async fn mark_sent(h: &mut Handle, id: EmailId, now: DateTime<Utc>) -> StoreResult<()> {
    on_engine_exec!(h, c => sqlx::query(
        "UPDATE emails SET status = 'sent', sent_at = $2, claimed_until = NULL, last_error = NULL WHERE id = $1",
    )
    .bind(id.0)
    .bind(now)
    .execute(c)
    .await)?;
    Ok(())
}

/// Records a failed attempt: retried at `retry_at`, or given up (`failed`) when `None`.
pub async fn mark_failed(
    h: &mut Handle,
    id: EmailId,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
) -> StoreResult<()> {
    on_engine_exec!(h, c => sqlx::query(
        "UPDATE emails SET status = CASE WHEN $3 IS NULL THEN 'failed' ELSE 'waiting' END, \
         next_attempt_at = COALESCE($3, next_attempt_at), claimed_until = NULL, last_error = $2 WHERE id = $1",
    )
    .bind(id.0)
    .bind(error)
    .bind(retry_at)
    .execute(c)
    .await)?;
    Ok(())
}

/// Outbox rows per status.
pub async fn outbox_counts(h: &mut Handle) -> StoreResult<Vec<(EmailStatus, i64)>> {
    let rows: Vec<(String, i64)> = on_engine!(h, c => sqlx::query_as(
        "SELECT status, COUNT(*) FROM emails GROUP BY status ORDER BY status",
    )
    .fetch_all(c)
    .await)?;
    rows.into_iter()
        .map(|(s, n)| Ok((parse_stored(&s, EmailStatus::parse)?, n)))
        .collect()
}

/// An email that failed at least once, for the admins' outbox page.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct FailureRow {
    pub id: Uuid,
    pub to_address: String,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: String,
}

pub async fn recent_failures(h: &mut Handle, limit: i64) -> StoreResult<Vec<FailureRow>> {
    Ok(on_engine!(h, c => sqlx::query_as(
        "SELECT e.id, u.email AS to_address, e.status, e.attempts, e.next_attempt_at, e.last_error \
         FROM emails e JOIN users u ON u.id = e.user_id WHERE e.last_error IS NOT NULL AND e.status <> 'sent' \
         ORDER BY e.next_attempt_at DESC, e.id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(c)
    .await)?)
}

/// Claims `job` for `day`: true for exactly one caller across all servers.
pub async fn claim_daily_job(
    h: &mut Handle,
    job: &str,
    day: NaiveDate,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let n = on_engine_exec!(h, c => sqlx::query(
        "INSERT INTO daily_job_runs (job, day, started_at) VALUES ($1, $2, $3) ON CONFLICT (job, day) DO NOTHING",
    )
    .bind(job)
    .bind(day)
    .bind(now)
    .execute(c)
    .await)?;
    Ok(n == 1)
}

/// The language to write to each of `users` in: their setting, else the language their browser
/// asked for when they last signed in. People with neither are left out (the caller's default).
pub async fn languages_of(
    h: &mut Handle,
    users: &[UserId],
) -> StoreResult<HashMap<UserId, String>> {
    let ids: Vec<Uuid> = users.iter().map(|u| u.0).collect();
    let mut out = HashMap::with_capacity(ids.len());
    // Bounded lists: well under both engines' limits on bound parameters.
    for chunk in ids.chunks(500) {
        let sql = format!(
            "SELECT id, COALESCE(locale, browser_locale) FROM users WHERE id IN ({}) \
             AND COALESCE(locale, browser_locale) IS NOT NULL",
            placeholders(chunk.len())
        );
        let rows: Vec<(Uuid, String)> = fetch_for_ids!(h, &sql, chunk)?;
        out.extend(rows.into_iter().map(|(id, lang)| (UserId::from(id), lang)));
    }
    Ok(out)
}

/// The active admins of an organisation (whom an invitation of the organisation concerns).
pub async fn organisation_admins(
    h: &mut Handle,
    org: concord_domain::OrganisationId,
) -> StoreResult<Vec<UserId>> {
    let ids: Vec<Uuid> = on_engine!(h, c => sqlx::query_scalar(
        "SELECT id FROM users WHERE organisation_id = $1 AND org_role = 'org_admin' AND active = TRUE ORDER BY id",
    )
    .bind(org.0)
    .fetch_all(c)
    .await)?;
    Ok(ids.into_iter().map(Into::into).collect())
}
