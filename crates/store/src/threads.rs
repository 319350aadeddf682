//! Threads and messages. Callers check the policy (and the thread's audience) first.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use concord_domain::thread::{AudienceOrganisation, Mentionable, Message, MessageVersion, Thread};
use concord_domain::{CollaborationId, MessageId, OrganisationId, ThreadId, UserId};
use uuid::Uuid;

use crate::{Handle, StoreResult, on_engine, on_engine_exec};

#[derive(sqlx::FromRow)]
struct ThreadRow {
    id: Uuid,
    collaboration_id: Uuid,
    title: String,
    created_by: Option<Uuid>,
    created_by_name: Option<String>,
    created_at: DateTime<Utc>,
    last_message_at: DateTime<Utc>,
    message_count: i64,
}

impl ThreadRow {
    fn into_domain(self, audience: Vec<AudienceOrganisation>) -> Thread {
        Thread {
            id: self.id.into(),
            collaboration_id: self.collaboration_id.into(),
            title: self.title,
            audience,
            created_by: self.created_by.map(Into::into),
            created_by_name: self.created_by_name,
            created_at: self.created_at,
            last_message_at: self.last_message_at,
            message_count: self.message_count,
        }
    }
}

macro_rules! select_threads {
    () => {
        "SELECT t.id, t.collaboration_id, t.title, t.created_by, u.display_name AS created_by_name, t.created_at, \
         t.last_message_at, t.message_count FROM threads t LEFT JOIN users u ON u.id = t.created_by "
    };
}

pub async fn insert_thread(
    h: &mut Handle,
    id: ThreadId,
    collaboration: CollaborationId,
    title: &str,
    audience: &[OrganisationId],
    created_by: Option<UserId>,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    on_engine_exec!(h, c => sqlx::query(
        "INSERT INTO threads (id, collaboration_id, title, created_by, created_at, last_message_at, message_count) \
         VALUES ($1, $2, $3, $4, $5, $5, 0)",
    )
    .bind(id.0)
    .bind(collaboration.0)
    .bind(title)
    .bind(created_by.map(|u| u.0))
    .bind(now)
    .execute(c)
    .await)?;
    for org in audience {
        on_engine_exec!(h, c => sqlx::query("INSERT INTO thread_audience (thread_id, organisation_id) VALUES ($1, $2)")
            .bind(id.0)
            .bind(org.0)
            .execute(c)
            .await)?;
    }
    Ok(())
}

/// The organisations of a thread's audience (empty: the whole collaboration).
pub async fn audience(h: &mut Handle, thread: ThreadId) -> StoreResult<Vec<AudienceOrganisation>> {
    let rows: Vec<(Uuid, String)> = on_engine!(h, c => sqlx::query_as(
        "SELECT o.id, o.name FROM thread_audience a JOIN organisations o ON o.id = a.organisation_id \
         WHERE a.thread_id = $1 ORDER BY o.name",
    )
    .bind(thread.0)
    .fetch_all(c)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|(id, name)| AudienceOrganisation {
            id: id.into(),
            name,
        })
        .collect())
}

pub async fn get_thread(h: &mut Handle, id: ThreadId) -> StoreResult<Option<Thread>> {
    let row: Option<ThreadRow> = on_engine!(h, c => sqlx::query_as(concat!(select_threads!(), "WHERE t.id = $1"))
        .bind(id.0)
        .fetch_optional(c)
        .await)?;
    match row {
        None => Ok(None),
        Some(row) => {
            let audience = audience(h, id).await?;
            Ok(Some(row.into_domain(audience)))
        }
    }
}

pub async fn collaboration_of_thread(
    h: &mut Handle,
    id: ThreadId,
) -> StoreResult<Option<CollaborationId>> {
    let id: Option<Uuid> = on_engine!(h, c => sqlx::query_scalar("SELECT collaboration_id FROM threads WHERE id = $1")
        .bind(id.0)
        .fetch_optional(c)
        .await)?;
    Ok(id.map(Into::into))
}

/// A page of the collaboration's threads that someone of `org` may read (the audience rule in
/// SQL, so invisible threads are never counted or paged over), most recently active first,
/// strictly after the cursor (`last_message_at`, id) in that order.
pub async fn list_threads(
    h: &mut Handle,
    collaboration: CollaborationId,
    org: Option<OrganisationId>,
    before: Option<(DateTime<Utc>, ThreadId)>,
    limit: i64,
) -> StoreResult<Vec<Thread>> {
    let rows: Vec<ThreadRow> = on_engine!(h, c => sqlx::query_as(concat!(
        select_threads!(),
        "WHERE t.collaboration_id = $1 \
         AND (NOT EXISTS (SELECT 1 FROM thread_audience a WHERE a.thread_id = t.id) \
              OR EXISTS (SELECT 1 FROM thread_audience a WHERE a.thread_id = t.id AND a.organisation_id = $2)) \
         AND ($3 IS NULL OR t.last_message_at < $3 OR (t.last_message_at = $3 AND t.id < $4)) \
         ORDER BY t.last_message_at DESC, t.id DESC LIMIT $5"
    ))
    .bind(collaboration.0)
    .bind(org.map(|o| o.0))
    .bind(before.map(|b| b.0))
    .bind(before.map(|b| (b.1).0))
    .bind(limit)
    .fetch_all(c)
    .await)?;
    // The audiences of the narrowed threads this reader may see (those naming their
    // organisation), in one query.
    let named: Vec<(Uuid, Uuid, String)> = on_engine!(h, c => sqlx::query_as(
        "SELECT a.thread_id, o.id, o.name FROM thread_audience a JOIN threads t ON t.id = a.thread_id \
         JOIN organisations o ON o.id = a.organisation_id WHERE t.collaboration_id = $1 \
         AND EXISTS (SELECT 1 FROM thread_audience mine WHERE mine.thread_id = t.id AND mine.organisation_id = $2) \
         ORDER BY o.name",
    )
    .bind(collaboration.0)
    .bind(org.map(|o| o.0))
    .fetch_all(c)
    .await)?;
    let mut audiences: HashMap<Uuid, Vec<AudienceOrganisation>> = HashMap::new();
    for (thread, id, name) in named {
        audiences
            .entry(thread)
            .or_default()
            .push(AudienceOrganisation {
                id: id.into(),
                name,
            });
    }
    Ok(rows
        .into_iter()
        .map(|row| {
            let audience = audiences.remove(&row.id).unwrap_or_default();
            row.into_domain(audience)
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct MessageRow {
    id: Uuid,
    thread_id: Uuid,
    author_id: Option<Uuid>,
    author_name: Option<String>,
    body: String,
    version: i64,
    seq: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<MessageRow> for Message {
    fn from(r: MessageRow) -> Self {
        Message {
            id: r.id.into(),
            thread_id: r.thread_id.into(),
            author_id: r.author_id.map(Into::into),
            author_name: r.author_name,
            body: r.body,
            version: r.version,
            seq: r.seq,
            mentions: Vec::new(),
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

macro_rules! select_messages {
    () => {
        "SELECT m.id, m.thread_id, m.author_id, u.display_name AS author_name, m.body, m.version, m.seq, \
         m.created_at, m.updated_at FROM messages m LEFT JOIN users u ON u.id = m.author_id "
    };
}

/// Adds a message (its first version) and moves the thread's activity time and count. The
/// message's `seq` is taken by bumping the thread's count first: that row lock is held until
/// commit, so messages of one thread commit in `seq` order on both engines.
pub async fn insert_message(
    h: &mut Handle,
    id: MessageId,
    thread: ThreadId,
    author: Option<UserId>,
    body: &str,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let seq: i64 = on_engine!(h, c => sqlx::query_scalar(
        "UPDATE threads SET message_count = message_count + 1, \
         last_message_at = CASE WHEN last_message_at < $2 THEN $2 ELSE last_message_at END \
         WHERE id = $1 RETURNING message_count",
    )
    .bind(thread.0)
    .bind(now)
    .fetch_one(c)
    .await)?;
    on_engine_exec!(h, c => sqlx::query(
        "INSERT INTO messages (id, thread_id, author_id, body, seq, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 1, $6, $6)",
    )
    .bind(id.0)
    .bind(thread.0)
    .bind(author.map(|u| u.0))
    .bind(body)
    .bind(seq)
    .bind(now)
    .execute(c)
    .await)?;
    insert_version(h, id, 1, body, now).await?;
    Ok(())
}

async fn insert_version(
    h: &mut Handle,
    id: MessageId,
    version: i64,
    body: &str,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    on_engine_exec!(h, c => sqlx::query(
        "INSERT INTO message_versions (message_id, version, body, written_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(id.0)
    .bind(version)
    .bind(body)
    .bind(now)
    .execute(c)
    .await)?;
    Ok(())
}

/// Replaces a message's text with a new version, keeping the old one. Returns the new version.
pub async fn edit_message(
    h: &mut Handle,
    id: MessageId,
    body: &str,
    now: DateTime<Utc>,
) -> StoreResult<i64> {
    // One statement reads and bumps the version, so concurrent edits get distinct numbers.
    let next: i64 = on_engine!(h, c => sqlx::query_scalar(
        "UPDATE messages SET body = $2, version = version + 1, updated_at = $3 WHERE id = $1 RETURNING version",
    )
    .bind(id.0)
    .bind(body)
    .bind(now)
    .fetch_one(c)
    .await)?;
    insert_version(h, id, next, body, now).await?;
    Ok(next)
}

pub async fn get_message(h: &mut Handle, id: MessageId) -> StoreResult<Option<Message>> {
    let row: Option<MessageRow> = on_engine!(h, c => sqlx::query_as(concat!(select_messages!(), "WHERE m.id = $1"))
        .bind(id.0)
        .fetch_optional(c)
        .await)?;
    Ok(row.map(Into::into))
}

pub async fn thread_of_message(h: &mut Handle, id: MessageId) -> StoreResult<Option<ThreadId>> {
    let id: Option<Uuid> = on_engine!(h, c => sqlx::query_scalar("SELECT thread_id FROM messages WHERE id = $1")
        .bind(id.0)
        .fetch_optional(c)
        .await)?;
    Ok(id.map(Into::into))
}

/// Messages committed after `after` (all from the start when `None`), in commit order: what a
/// reader who has seen up to `after` has not seen yet.
pub async fn messages_after(
    h: &mut Handle,
    thread: ThreadId,
    after: Option<MessageId>,
    limit: i64,
) -> StoreResult<Vec<Message>> {
    let rows: Vec<MessageRow> = on_engine!(h, c => sqlx::query_as(concat!(
        select_messages!(),
        "WHERE m.thread_id = $1 AND m.seq > COALESCE((SELECT a.seq FROM messages a WHERE a.id = $2 AND a.thread_id = $1), 0) \
         ORDER BY m.seq LIMIT $3"
    ))
    .bind(thread.0)
    .bind(after.map(|m| m.0))
    .bind(limit)
    .fetch_all(c)
    .await)?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Messages of the thread edited at or after `since`, in thread order (for live readers).
pub async fn messages_edited_since(
    h: &mut Handle,
    thread: ThreadId,
    since: DateTime<Utc>,
) -> StoreResult<Vec<Message>> {
    let rows: Vec<MessageRow> = on_engine!(h, c => sqlx::query_as(concat!(
        select_messages!(),
        "WHERE m.thread_id = $1 AND m.version > 1 AND m.updated_at >= $2 ORDER BY m.seq LIMIT 200"
    ))
    .bind(thread.0)
    .bind(since)
    .fetch_all(c)
    .await)?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// The `limit` messages written just before `before` (the latest ones when `None`), returned
/// oldest first: a thread opens on its newest page and pages back in time.
pub async fn messages_before(
    h: &mut Handle,
    thread: ThreadId,
    before: Option<MessageId>,
    limit: i64,
) -> StoreResult<Vec<Message>> {
    let rows: Vec<MessageRow> = on_engine!(h, c => sqlx::query_as(concat!(
        select_messages!(),
        "WHERE m.thread_id = $1 AND ($2 IS NULL OR m.seq < (SELECT b.seq FROM messages b WHERE b.id = $2 AND b.thread_id = $1)) \
         ORDER BY m.seq DESC LIMIT $3"
    ))
    .bind(thread.0)
    .bind(before.map(|m| m.0))
    .bind(limit)
    .fetch_all(c)
    .await)?;
    let mut messages: Vec<Message> = rows.into_iter().map(Into::into).collect();
    messages.reverse();
    Ok(messages)
}

/// Every text a message has had, oldest first.
pub async fn versions(h: &mut Handle, id: MessageId) -> StoreResult<Vec<MessageVersion>> {
    let rows: Vec<(i64, String, DateTime<Utc>)> = on_engine!(h, c => sqlx::query_as(
        "SELECT version, body, written_at FROM message_versions WHERE message_id = $1 ORDER BY version",
    )
    .bind(id.0)
    .fetch_all(c)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|(version, body, written_at)| MessageVersion {
            version,
            body,
            written_at,
        })
        .collect())
}

/// The people a message in `thread` may mention: those named on its collaboration, still active,
/// and (for a narrower thread) of one of its organisations.
pub async fn mentionable(h: &mut Handle, thread: ThreadId) -> StoreResult<Vec<Mentionable>> {
    let rows: Vec<(Uuid, String)> = on_engine!(h, c => sqlx::query_as(
        "SELECT u.id, u.display_name FROM threads t \
         JOIN collaboration_people cp ON cp.collaboration_id = t.collaboration_id \
         JOIN users u ON u.id = cp.user_id \
         WHERE t.id = $1 AND u.active \
         AND (NOT EXISTS (SELECT 1 FROM thread_audience a WHERE a.thread_id = t.id) \
              OR u.organisation_id IN (SELECT a.organisation_id FROM thread_audience a WHERE a.thread_id = t.id)) \
         ORDER BY u.display_name, u.id",
    )
    .bind(thread.0)
    .fetch_all(c)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|(id, display_name)| Mentionable {
            user_id: id.into(),
            display_name,
        })
        .collect())
}

/// Records who a message mentions now, replacing what an earlier version mentioned. Returns the
/// people mentioned now who were not before (whom to tell).
pub async fn set_mentions(
    h: &mut Handle,
    message: MessageId,
    people: &[UserId],
) -> StoreResult<Vec<UserId>> {
    let before: Vec<Uuid> = on_engine!(h, c => sqlx::query_scalar(
        "SELECT user_id FROM message_mentions WHERE message_id = $1",
    )
    .bind(message.0)
    .fetch_all(c)
    .await)?;
    let before: Vec<UserId> = before.into_iter().map(Into::into).collect();
    for gone in before.iter().filter(|u| !people.contains(u)) {
        on_engine_exec!(h, c => sqlx::query("DELETE FROM message_mentions WHERE message_id = $1 AND user_id = $2")
            .bind(message.0)
            .bind(gone.0)
            .execute(c)
            .await)?;
    }
    let mut added = Vec::new();
    for person in people.iter().filter(|u| !before.contains(u)) {
        on_engine_exec!(h, c => sqlx::query("INSERT INTO message_mentions (message_id, user_id) VALUES ($1, $2)")
            .bind(message.0)
            .bind(person.0)
            .execute(c)
            .await)?;
        added.push(*person);
    }
    Ok(added)
}

/// Fills in whom each message mentions, with one query for the whole page (none when no message
/// contains an `@`).
pub async fn attach_mentions(h: &mut Handle, messages: &mut [Message]) -> StoreResult<()> {
    let (Some(first), Some(last)) = (messages.first(), messages.last()) else {
        return Ok(());
    };
    if !messages.iter().any(|m| m.body.contains('@')) {
        return Ok(());
    }
    let thread = first.thread_id;
    let (low, high) = (
        messages.iter().map(|m| m.seq).min().unwrap_or(first.seq),
        messages.iter().map(|m| m.seq).max().unwrap_or(last.seq),
    );
    let rows: Vec<(Uuid, Uuid, String)> = on_engine!(h, c => sqlx::query_as(
        "SELECT mm.message_id, u.id, u.display_name FROM messages m \
         JOIN message_mentions mm ON mm.message_id = m.id JOIN users u ON u.id = mm.user_id \
         WHERE m.thread_id = $1 AND m.seq BETWEEN $2 AND $3 ORDER BY u.display_name",
    )
    .bind(thread.0)
    .bind(low)
    .bind(high)
    .fetch_all(c)
    .await)?;
    let mut by_message: HashMap<MessageId, Vec<Mentionable>> = HashMap::new();
    for (message, user, display_name) in rows {
        by_message
            .entry(message.into())
            .or_default()
            .push(Mentionable {
                user_id: user.into(),
                display_name,
            });
    }
    for message in messages.iter_mut() {
        if let Some(mentions) = by_message.remove(&message.id) {
            message.mentions = mentions;
        }
    }
    Ok(())
}

/// The newest message of a thread (where a live reader who has seen nothing yet starts).
pub async fn latest_message(h: &mut Handle, thread: ThreadId) -> StoreResult<Option<MessageId>> {
    let id: Option<Uuid> = on_engine!(h, c => sqlx::query_scalar(
        "SELECT id FROM messages WHERE thread_id = $1 ORDER BY seq DESC LIMIT 1",
    )
    .bind(thread.0)
    .fetch_optional(c)
    .await)?;
    Ok(id.map(Into::into))
}
