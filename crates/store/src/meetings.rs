//! Meetings, their agenda items (with minutes), attendees and the personal calendar feeds.
//! Callers check the policy first.

use chrono::{DateTime, Utc};
use concord_domain::meeting::{
    AgendaItem, AgendaItemFields, Attendee, Meeting, MeetingFields, MeetingStatus, Rsvp,
};
use concord_domain::{AgendaItemId, CollaborationId, MeetingId, UserId};
use uuid::Uuid;

use crate::{Handle, StoreResult, on_engine, on_engine_exec, parse_stored};

#[derive(sqlx::FromRow)]
struct MeetingRow {
    id: Uuid,
    collaboration_id: Uuid,
    title: String,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    time_zone: String,
    place: Option<String>,
    online_url: Option<String>,
    status: String,
    sequence: i64,
    created_by: Option<Uuid>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl MeetingRow {
    fn into_domain(self) -> StoreResult<Meeting> {
        Ok(Meeting {
            id: self.id.into(),
            collaboration_id: self.collaboration_id.into(),
            title: self.title,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            time_zone: self.time_zone,
            place: self.place,
            online_url: self.online_url,
            status: parse_stored(&self.status, MeetingStatus::parse)?,
            sequence: self.sequence,
            created_by: self.created_by.map(Into::into),
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

macro_rules! select_meetings {
    () => {
        "SELECT m.id, m.collaboration_id, m.title, m.starts_at, m.ends_at, m.time_zone, m.place, \
         m.online_url, m.status, m.sequence, m.created_by, m.created_at, m.updated_at FROM meetings m "
    };
}

pub async fn insert_meeting(
    h: &mut Handle,
    id: MeetingId,
    collaboration: CollaborationId,
    f: &MeetingFields,
    created_by: Option<UserId>,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    on_engine_exec!(h, c => sqlx::query(
        "INSERT INTO meetings (id, collaboration_id, title, starts_at, ends_at, time_zone, place, online_url, \
         status, sequence, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'scheduled', 0, $9, $10, $10)",
    )
    .bind(id.0)
    .bind(collaboration.0)
    .bind(&f.title)
    .bind(f.starts_at)
    .bind(f.ends_at)
    .bind(&f.time_zone)
    .bind(&f.place)
    .bind(&f.online_url)
    .bind(created_by.map(|u| u.0))
    .bind(now)
    .execute(c)
    .await)?;
    Ok(())
}

/// Replaces a meeting's details and bumps its SEQUENCE in the same statement.
pub async fn update_meeting(
    h: &mut Handle,
    id: MeetingId,
    f: &MeetingFields,
    now: DateTime<Utc>,
) -> StoreResult<u64> {
    Ok(on_engine_exec!(h, c => sqlx::query(
        "UPDATE meetings SET title = $2, starts_at = $3, ends_at = $4, time_zone = $5, place = $6, \
         online_url = $7, sequence = sequence + 1, updated_at = $8 WHERE id = $1",
    )
    .bind(id.0)
    .bind(&f.title)
    .bind(f.starts_at)
    .bind(f.ends_at)
    .bind(&f.time_zone)
    .bind(&f.place)
    .bind(&f.online_url)
    .bind(now)
    .execute(c)
    .await)?)
}

/// Cancels a scheduled meeting, bumping its SEQUENCE; 0 when it was already cancelled.
pub async fn cancel_meeting(h: &mut Handle, id: MeetingId, now: DateTime<Utc>) -> StoreResult<u64> {
    Ok(on_engine_exec!(h, c => sqlx::query(
        "UPDATE meetings SET status = 'cancelled', sequence = sequence + 1, updated_at = $2 \
         WHERE id = $1 AND status = 'scheduled'",
    )
    .bind(id.0)
    .bind(now)
    .execute(c)
    .await)?)
}

pub async fn get_meeting(h: &mut Handle, id: MeetingId) -> StoreResult<Option<Meeting>> {
    let row: Option<MeetingRow> = on_engine!(h, c => sqlx::query_as(concat!(select_meetings!(), "WHERE m.id = $1"))
        .bind(id.0)
        .fetch_optional(c)
        .await)?;
    row.map(MeetingRow::into_domain).transpose()
}

/// A collaboration's meetings by start time.
pub async fn list_meetings(
    h: &mut Handle,
    collaboration: CollaborationId,
) -> StoreResult<Vec<Meeting>> {
    let rows: Vec<MeetingRow> = on_engine!(h, c => sqlx::query_as(concat!(
        select_meetings!(),
        "WHERE m.collaboration_id = $1 ORDER BY m.starts_at, m.id"
    ))
    .bind(collaboration.0)
    .fetch_all(c)
    .await)?;
    rows.into_iter().map(MeetingRow::into_domain).collect()
}

/// Meetings `user` is invited to, by start time (the caller filters by what they may read).
pub async fn meetings_of_attendee(h: &mut Handle, user: UserId) -> StoreResult<Vec<Meeting>> {
    let rows: Vec<MeetingRow> = on_engine!(h, c => sqlx::query_as(concat!(
        select_meetings!(),
        "JOIN meeting_attendees a ON a.meeting_id = m.id WHERE a.user_id = $1 ORDER BY m.starts_at, m.id"
    ))
    .bind(user.0)
    .fetch_all(c)
    .await)?;
    rows.into_iter().map(MeetingRow::into_domain).collect()
}

pub async fn collaboration_of_meeting(
    h: &mut Handle,
    id: MeetingId,
) -> StoreResult<Option<CollaborationId>> {
    let id: Option<Uuid> = on_engine!(h, c => sqlx::query_scalar("SELECT collaboration_id FROM meetings WHERE id = $1")
        .bind(id.0)
        .fetch_optional(c)
        .await)?;
    Ok(id.map(Into::into))
}

// ---------------------------------------------------------------------------------------------
// Agenda

#[derive(sqlx::FromRow)]
struct AgendaRow {
    id: Uuid,
    meeting_id: Uuid,
    position: i64,
    title: String,
    presenter_id: Option<Uuid>,
    presenter_name: Option<String>,
    duration_minutes: i64,
    notes: Option<String>,
    minutes: Option<String>,
}

impl From<AgendaRow> for AgendaItem {
    fn from(r: AgendaRow) -> Self {
        AgendaItem {
            id: r.id.into(),
            meeting_id: r.meeting_id.into(),
            position: r.position,
            title: r.title,
            presenter_id: r.presenter_id.map(Into::into),
            presenter_name: r.presenter_name,
            duration_minutes: r.duration_minutes,
            notes: r.notes,
            minutes: r.minutes,
        }
    }
}

macro_rules! select_agenda {
    () => {
        "SELECT a.id, a.meeting_id, a.position, a.title, a.presenter_id, u.display_name AS presenter_name, \
         a.duration_minutes, a.notes, a.minutes FROM agenda_items a LEFT JOIN users u ON u.id = a.presenter_id "
    };
}

pub async fn agenda(h: &mut Handle, meeting: MeetingId) -> StoreResult<Vec<AgendaItem>> {
    let rows: Vec<AgendaRow> = on_engine!(h, c => sqlx::query_as(concat!(
        select_agenda!(),
        "WHERE a.meeting_id = $1 ORDER BY a.position, a.id"
    ))
    .bind(meeting.0)
    .fetch_all(c)
    .await)?;
    Ok(rows.into_iter().map(Into::into).collect())
}

pub async fn get_agenda_item(h: &mut Handle, id: AgendaItemId) -> StoreResult<Option<AgendaItem>> {
    let row: Option<AgendaRow> = on_engine!(h, c => sqlx::query_as(concat!(select_agenda!(), "WHERE a.id = $1"))
        .bind(id.0)
        .fetch_optional(c)
        .await)?;
    Ok(row.map(Into::into))
}

/// Makes changes to a meeting's agenda take turns (see [`crate::hold_row`]): each reads the
/// positions and writes new ones before another reads, so no two items share a place.
pub async fn lock_agenda(h: &mut Handle, meeting: MeetingId) -> StoreResult<()> {
    crate::hold_row(
        h,
        "SELECT id FROM meetings WHERE id = $1 FOR UPDATE",
        meeting.0,
    )
    .await
}

/// Adds an item at the end of the agenda; returns its position.
pub async fn insert_agenda_item(
    h: &mut Handle,
    id: AgendaItemId,
    meeting: MeetingId,
    f: &AgendaItemFields,
    now: DateTime<Utc>,
) -> StoreResult<i64> {
    let last: Option<i64> = on_engine!(h, c => sqlx::query_scalar(
        "SELECT MAX(position) FROM agenda_items WHERE meeting_id = $1",
    )
    .bind(meeting.0)
    .fetch_one(c)
    .await)?;
    let position = last.unwrap_or(0) + 1;
    on_engine_exec!(h, c => sqlx::query(
        "INSERT INTO agenda_items (id, meeting_id, position, title, presenter_id, duration_minutes, notes, \
         minutes, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8, $8)",
    )
    .bind(id.0)
    .bind(meeting.0)
    .bind(position)
    .bind(&f.title)
    .bind(f.presenter_id.map(|u| u.0))
    .bind(f.duration_minutes)
    .bind(&f.notes)
    .bind(now)
    .execute(c)
    .await)?;
    Ok(position)
}

pub async fn update_agenda_item(
    h: &mut Handle,
    id: AgendaItemId,
    f: &AgendaItemFields,
    now: DateTime<Utc>,
) -> StoreResult<u64> {
    Ok(on_engine_exec!(h, c => sqlx::query(
        "UPDATE agenda_items SET title = $2, presenter_id = $3, duration_minutes = $4, notes = $5, \
         updated_at = $6 WHERE id = $1",
    )
    .bind(id.0)
    .bind(&f.title)
    .bind(f.presenter_id.map(|u| u.0))
    .bind(f.duration_minutes)
    .bind(&f.notes)
    .bind(now)
    .execute(c)
    .await)?)
}

pub async fn set_minutes(
    h: &mut Handle,
    id: AgendaItemId,
    minutes: Option<&str>,
    now: DateTime<Utc>,
) -> StoreResult<u64> {
    Ok(
        on_engine_exec!(h, c => sqlx::query("UPDATE agenda_items SET minutes = $2, updated_at = $3 WHERE id = $1")
        .bind(id.0)
        .bind(minutes)
        .bind(now)
        .execute(c)
        .await)?,
    )
}

pub async fn set_position(h: &mut Handle, id: AgendaItemId, position: i64) -> StoreResult<u64> {
    Ok(
        on_engine_exec!(h, c => sqlx::query("UPDATE agenda_items SET position = $2 WHERE id = $1")
        .bind(id.0)
        .bind(position)
        .execute(c)
        .await)?,
    )
}

pub async fn delete_agenda_item(h: &mut Handle, id: AgendaItemId) -> StoreResult<u64> {
    Ok(
        on_engine_exec!(h, c => sqlx::query("DELETE FROM agenda_items WHERE id = $1")
        .bind(id.0)
        .execute(c)
        .await)?,
    )
}

// ---------------------------------------------------------------------------------------------
// Attendees

type AttendeeRow = (Uuid, String, String, String, Option<DateTime<Utc>>);

pub async fn attendees(h: &mut Handle, meeting: MeetingId) -> StoreResult<Vec<Attendee>> {
    let rows: Vec<AttendeeRow> = on_engine!(h, c => sqlx::query_as(
        "SELECT a.user_id, u.display_name, o.name, a.rsvp, a.responded_at FROM meeting_attendees a \
         JOIN users u ON u.id = a.user_id JOIN organisations o ON o.id = u.organisation_id \
         WHERE a.meeting_id = $1 ORDER BY u.display_name, a.user_id",
    )
    .bind(meeting.0)
    .fetch_all(c)
    .await)?;
    rows.into_iter()
        .map(|(user, name, org, rsvp, responded_at)| {
            Ok(Attendee {
                user_id: user.into(),
                display_name: name,
                organisation_name: org,
                rsvp: parse_stored(&rsvp, Rsvp::parse)?,
                responded_at,
            })
        })
        .collect()
}

/// Attendees' emails, by user id (for calendar addresses; personal data).
pub async fn attendee_emails(
    h: &mut Handle,
    meeting: MeetingId,
) -> StoreResult<Vec<(UserId, String)>> {
    let rows: Vec<(Uuid, String)> = on_engine!(h, c => sqlx::query_as(
        "SELECT a.user_id, u.email FROM meeting_attendees a JOIN users u ON u.id = a.user_id WHERE a.meeting_id = $1",
    )
    .bind(meeting.0)
    .fetch_all(c)
    .await)?;
    Ok(rows.into_iter().map(|(u, e)| (u.into(), e)).collect())
}

/// The ids of everyone invited to a meeting.
pub async fn attendee_user_ids(h: &mut Handle, meeting: MeetingId) -> StoreResult<Vec<UserId>> {
    let rows: Vec<Uuid> = on_engine!(h, c => sqlx::query_scalar(
        "SELECT user_id FROM meeting_attendees WHERE meeting_id = $1 ORDER BY user_id",
    )
    .bind(meeting.0)
    .fetch_all(c)
    .await)?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// The people who may be invited or present: active users of the collaboration's active member
/// organisations, as (id, name, organisation name), by name.
pub async fn member_people(
    h: &mut Handle,
    collaboration: CollaborationId,
) -> StoreResult<Vec<(UserId, String, String)>> {
    let rows: Vec<(Uuid, String, String)> = on_engine!(h, c => sqlx::query_as(
        "SELECT u.id, u.display_name, o.name FROM users u JOIN organisations o ON o.id = u.organisation_id \
         JOIN collaboration_organisations co ON co.organisation_id = u.organisation_id \
         WHERE co.collaboration_id = $1 AND co.status = 'active' AND u.active \
         ORDER BY u.display_name, u.id",
    )
    .bind(collaboration.0)
    .fetch_all(c)
    .await)?;
    Ok(rows.into_iter().map(|(u, n, o)| (u.into(), n, o)).collect())
}

/// Is `user` an active user of an active member organisation of the collaboration?
pub async fn is_member_person(
    h: &mut Handle,
    collaboration: CollaborationId,
    user: UserId,
) -> StoreResult<bool> {
    let n: i64 = on_engine!(h, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM users u JOIN collaboration_organisations co ON co.organisation_id = u.organisation_id \
         WHERE co.collaboration_id = $1 AND co.status = 'active' AND u.active AND u.id = $2",
    )
    .bind(collaboration.0)
    .bind(user.0)
    .fetch_one(c)
    .await)?;
    Ok(n > 0)
}

/// Invites someone; 0 when they already were.
pub async fn add_attendee(
    h: &mut Handle,
    meeting: MeetingId,
    user: UserId,
    now: DateTime<Utc>,
) -> StoreResult<u64> {
    Ok(on_engine_exec!(h, c => sqlx::query(
        "INSERT INTO meeting_attendees (meeting_id, user_id, rsvp, added_at) VALUES ($1, $2, 'pending', $3) \
         ON CONFLICT (meeting_id, user_id) DO NOTHING",
    )
    .bind(meeting.0)
    .bind(user.0)
    .bind(now)
    .execute(c)
    .await)?)
}

pub async fn remove_attendee(h: &mut Handle, meeting: MeetingId, user: UserId) -> StoreResult<u64> {
    Ok(
        on_engine_exec!(h, c => sqlx::query("DELETE FROM meeting_attendees WHERE meeting_id = $1 AND user_id = $2")
        .bind(meeting.0)
        .bind(user.0)
        .execute(c)
        .await)?,
    )
}

/// Records an answer; 0 when `user` is not invited.
pub async fn set_rsvp(
    h: &mut Handle,
    meeting: MeetingId,
    user: UserId,
    rsvp: Rsvp,
    now: DateTime<Utc>,
) -> StoreResult<u64> {
    Ok(on_engine_exec!(h, c => sqlx::query(
        "UPDATE meeting_attendees SET rsvp = $3, responded_at = $4 WHERE meeting_id = $1 AND user_id = $2",
    )
    .bind(meeting.0)
    .bind(user.0)
    .bind(rsvp.as_str())
    .bind(now)
    .execute(c)
    .await)?)
}

// ---------------------------------------------------------------------------------------------
// Calendar feeds

/// Creates or replaces a user's feed token (stored as its SHA-256 only).
pub async fn put_feed(
    h: &mut Handle,
    user: UserId,
    token_hash: &str,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    on_engine_exec!(h, c => sqlx::query(
        "INSERT INTO calendar_feeds (user_id, token_hash, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at",
    )
    .bind(user.0)
    .bind(token_hash)
    .bind(now)
    .execute(c)
    .await)?;
    Ok(())
}

pub async fn delete_feed(h: &mut Handle, user: UserId) -> StoreResult<u64> {
    Ok(
        on_engine_exec!(h, c => sqlx::query("DELETE FROM calendar_feeds WHERE user_id = $1")
        .bind(user.0)
        .execute(c)
        .await)?,
    )
}

/// When the user's current feed URL was made, if they have one.
pub async fn feed_created_at(h: &mut Handle, user: UserId) -> StoreResult<Option<DateTime<Utc>>> {
    Ok(
        on_engine!(h, c => sqlx::query_scalar("SELECT created_at FROM calendar_feeds WHERE user_id = $1")
        .bind(user.0)
        .fetch_optional(c)
        .await)?,
    )
}

/// The active user a feed token hash belongs to.
pub async fn feed_user(h: &mut Handle, token_hash: &str) -> StoreResult<Option<UserId>> {
    let id: Option<Uuid> = on_engine!(h, c => sqlx::query_scalar(
        "SELECT f.user_id FROM calendar_feeds f JOIN users u ON u.id = f.user_id WHERE f.token_hash = $1 AND u.active",
    )
    .bind(token_hash)
    .fetch_optional(c)
    .await)?;
    Ok(id.map(Into::into))
}
