//! Stakeholders, engagements and RACI cells. Callers check the policy on the collaboration first.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use concord_domain::stakeholder::{
    Attitude, EngagedStakeholder, Engagement, EngagementChannel, EngagementFields,
    EngagementFrequency, Erased, Quadrant, RaciParty, RaciRole, Stakeholder, StakeholderFields,
    StakeholderKind,
};
use concord_domain::{CollaborationId, EngagementId, ObjectiveId, StakeholderId, UserId};
use uuid::Uuid;

use crate::{Handle, StoreError, StoreResult, on_engine, on_engine_exec, parse_stored};

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    collaboration_id: Uuid,
    name: String,
    kind: String,
    stake: Option<String>,
    influence: i32,
    interest: i32,
    quadrant: String,
    attitude: String,
    frequency: String,
    owner_id: Option<Uuid>,
    owner_name: Option<String>,
    organisation_id: Option<Uuid>,
    email: Option<String>,
    phone: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    last_engaged_on: Option<NaiveDate>,
    engagement_count: i64,
}

fn score(value: i32) -> StoreResult<u8> {
    u8::try_from(value).map_err(|_| StoreError::Corrupt(format!("score {value}")))
}

impl Row {
    fn into_domain(self) -> StoreResult<Stakeholder> {
        Ok(Stakeholder {
            id: self.id.into(),
            collaboration_id: self.collaboration_id.into(),
            name: Some(self.name),
            kind: parse_stored(&self.kind, StakeholderKind::parse)?,
            stake: self.stake,
            influence: score(self.influence)?,
            interest: score(self.interest)?,
            quadrant: parse_stored(&self.quadrant, Quadrant::parse)?,
            attitude: parse_stored(&self.attitude, Attitude::parse)?,
            frequency: parse_stored(&self.frequency, EngagementFrequency::parse)?,
            owner_id: self.owner_id.map(Into::into),
            owner_name: self.owner_name,
            organisation_id: self.organisation_id.map(Into::into),
            email: self.email,
            phone: self.phone,
            personal_data_withheld: false,
            last_engaged_on: self.last_engaged_on,
            engagement_count: self.engagement_count,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

macro_rules! select_stakeholders {
    () => {
        "SELECT s.id, s.collaboration_id, s.name, s.kind, s.stake, s.influence, s.interest, s.quadrant, \
         s.attitude, s.frequency, s.owner_id, u.display_name AS owner_name, s.organisation_id, s.email, s.phone, \
         s.created_at, s.updated_at, s.last_engaged_on, s.engagement_count \
         FROM stakeholders s LEFT JOIN users u ON u.id = s.owner_id "
    };
}

/// The largest register a collaboration may hold; reads of the whole register stop here.
pub const REGISTER_MAX: i64 = 10_000;

pub async fn insert(
    h: &mut Handle,
    id: StakeholderId,
    collaboration: CollaborationId,
    f: &StakeholderFields,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    on_engine_exec!(h, c => sqlx::query(
        "INSERT INTO stakeholders (id, collaboration_id, name, kind, stake, influence, interest, quadrant, attitude, \
         frequency, owner_id, organisation_id, email, phone, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)",
    )
    .bind(id.0)
    .bind(collaboration.0)
    .bind(&f.name)
    .bind(f.kind.as_str())
    .bind(&f.stake)
    .bind(i32::from(f.influence))
    .bind(i32::from(f.interest))
    .bind(f.quadrant().as_str())
    .bind(f.attitude.as_str())
    .bind(f.frequency.as_str())
    .bind(f.owner_id.map(|u| u.0))
    .bind(f.organisation_id.map(|o| o.0))
    .bind(&f.email)
    .bind(&f.phone)
    .bind(now)
    .execute(c)
    .await)?;
    Ok(())
}

pub async fn update(
    h: &mut Handle,
    id: StakeholderId,
    f: &StakeholderFields,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    on_engine_exec!(h, c => sqlx::query(
        "UPDATE stakeholders SET name = $2, kind = $3, stake = $4, influence = $5, interest = $6, quadrant = $7, \
         attitude = $8, frequency = $9, owner_id = $10, organisation_id = $11, email = $12, phone = $13, \
         updated_at = $14 WHERE id = $1",
    )
    .bind(id.0)
    .bind(&f.name)
    .bind(f.kind.as_str())
    .bind(&f.stake)
    .bind(i32::from(f.influence))
    .bind(i32::from(f.interest))
    .bind(f.quadrant().as_str())
    .bind(f.attitude.as_str())
    .bind(f.frequency.as_str())
    .bind(f.owner_id.map(|u| u.0))
    .bind(f.organisation_id.map(|o| o.0))
    .bind(&f.email)
    .bind(&f.phone)
    .bind(now)
    .execute(c)
    .await)?;
    Ok(())
}

pub async fn get(h: &mut Handle, id: StakeholderId) -> StoreResult<Option<Stakeholder>> {
    let row: Option<Row> = on_engine!(h, c => sqlx::query_as(concat!(select_stakeholders!(), "WHERE s.id = $1"))
        .bind(id.0)
        .fetch_optional(c)
        .await)?;
    row.map(Row::into_domain).transpose()
}

/// The collaboration a stakeholder belongs to, for the policy check.
pub async fn collaboration_of(
    h: &mut Handle,
    id: StakeholderId,
) -> StoreResult<Option<CollaborationId>> {
    let id: Option<Uuid> = on_engine!(h, c => sqlx::query_scalar("SELECT collaboration_id FROM stakeholders WHERE id = $1")
        .bind(id.0)
        .fetch_optional(c)
        .await)?;
    Ok(id.map(Into::into))
}

/// The whole register of a collaboration (filtering and sorting are done by the caller, which
/// also needs every row for the grid and the flags).
pub async fn for_collaboration(
    h: &mut Handle,
    collaboration: CollaborationId,
) -> StoreResult<Vec<Stakeholder>> {
    match h.conn() {
        // sqlx hands SQLite rows over one at a time from its worker thread; a register of
        // thousands costs more in that hand-over than in the query. One aggregated JSON row
        // avoids it (as the dashboard's measurements do): with 2,000 stakeholders the register
        // API served 71 req/s this way against 36 req/s reading rows, in one same-run check.
        crate::Conn::Sqlite(c) => {
            let document: Option<String> = sqlx::query_scalar(
                "SELECT json_group_array(json_array(json_array(lower(hex(s.id)), lower(hex(s.collaboration_id)), s.name, \
                 s.kind, s.stake, s.influence, s.interest, s.quadrant, s.attitude, s.frequency), \
                 json_array(lower(hex(s.owner_id)), u.display_name, lower(hex(s.organisation_id)), s.email, s.phone, \
                 s.created_at, s.updated_at, s.last_engaged_on, s.engagement_count))) \
                 FROM (SELECT * FROM stakeholders WHERE collaboration_id = $1 ORDER BY id LIMIT $2) s \
                 LEFT JOIN users u ON u.id = s.owner_id",
            )
            .bind(collaboration.0)
            .bind(REGISTER_MAX)
            .fetch_one(c)
            .await?;
            decode_register(document.as_deref().unwrap_or("[]"))
        }
        crate::Conn::Postgres(c) => {
            let rows: Vec<Row> = sqlx::query_as(concat!(
                select_stakeholders!(),
                "WHERE s.collaboration_id = $1 ORDER BY s.id LIMIT $2"
            ))
            .bind(collaboration.0)
            .bind(REGISTER_MAX)
            .fetch_all(c)
            .await?;
            rows.into_iter().map(Row::into_domain).collect()
        }
    }
}

/// One stakeholder as SQLite's `json_array` writes it, in [`for_collaboration`]'s column order
/// (two arrays, since serde reads tuples of at most 16).
type RegisterTuple = (
    (
        String,
        String,
        String,
        String,
        Option<String>,
        i32,
        i32,
        String,
        String,
        String,
    ),
    (
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        String,
        String,
        Option<String>,
        i64,
    ),
);

fn decode_register(document: &str) -> StoreResult<Vec<Stakeholder>> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("aggregated register: {what}"));
    let uuid = |hex: &str| Uuid::parse_str(hex).map_err(|_| corrupt("id"));
    // `hex(NULL)` is the empty string.
    let optional_uuid = |hex: Option<String>| -> StoreResult<Option<Uuid>> {
        hex.filter(|h| !h.is_empty()).map(|h| uuid(&h)).transpose()
    };
    let time = |text: &str| -> StoreResult<DateTime<Utc>> {
        DateTime::parse_from_rfc3339(text)
            .or_else(|_| DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f%:z"))
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| corrupt("time"))
    };
    let rows: Vec<RegisterTuple> =
        serde_json::from_str(document).map_err(|e| corrupt(&e.to_string()))?;
    rows.into_iter()
        .map(|(a, r)| {
            Row {
                id: uuid(&a.0)?,
                collaboration_id: uuid(&a.1)?,
                name: a.2,
                kind: a.3,
                stake: a.4,
                influence: a.5,
                interest: a.6,
                quadrant: a.7,
                attitude: a.8,
                frequency: a.9,
                owner_id: optional_uuid(r.0)?,
                owner_name: r.1,
                organisation_id: optional_uuid(r.2)?,
                email: r.3,
                phone: r.4,
                created_at: time(&r.5)?,
                updated_at: time(&r.6)?,
                last_engaged_on: r
                    .7
                    .map(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").map_err(|_| corrupt("date")))
                    .transpose()?,
                engagement_count: r.8,
            }
            .into_domain()
        })
        .collect()
}

pub async fn count(h: &mut Handle, collaboration: CollaborationId) -> StoreResult<i64> {
    Ok(
        on_engine!(h, c => sqlx::query_scalar("SELECT COUNT(*) FROM stakeholders WHERE collaboration_id = $1")
        .bind(collaboration.0)
        .fetch_one(c)
        .await)?,
    )
}

/// A stakeholder someone keeps, with what the flag rules need about its collaboration.
#[derive(Clone, Debug)]
pub struct OwnedStakeholder {
    pub stakeholder: Stakeholder,
    pub collaboration_title: String,
    pub collaboration_start: NaiveDate,
    pub early_window_days: i64,
}

#[derive(sqlx::FromRow)]
struct OwnedRow {
    #[sqlx(flatten)]
    row: Row,
    collaboration_title: String,
    collaboration_start: Option<NaiveDate>,
    collaboration_created_at: DateTime<Utc>,
    early_window_days: i32,
}

/// Stakeholders a person keeps the relationship with, across collaborations (their home page).
pub async fn owned_by(h: &mut Handle, owner: UserId) -> StoreResult<Vec<OwnedStakeholder>> {
    let rows: Vec<OwnedRow> = on_engine!(h, c => sqlx::query_as(
        "SELECT s.id, s.collaboration_id, s.name, s.kind, s.stake, s.influence, s.interest, s.quadrant, \
         s.attitude, s.frequency, s.owner_id, u.display_name AS owner_name, s.organisation_id, s.email, s.phone, \
         s.created_at, s.updated_at, s.last_engaged_on, s.engagement_count, \
         co.title AS collaboration_title, co.start_date AS collaboration_start, \
         co.created_at AS collaboration_created_at, co.early_window_days \
         FROM stakeholders s JOIN collaborations co ON co.id = s.collaboration_id \
         LEFT JOIN users u ON u.id = s.owner_id \
         WHERE s.owner_id = $1 AND co.status <> 'closed' ORDER BY co.title, s.name LIMIT 1000",
    )
    .bind(owner.0)
    .fetch_all(c)
    .await)?;
    rows.into_iter()
        .map(|r| {
            Ok(OwnedStakeholder {
                collaboration_title: r.collaboration_title,
                collaboration_start: r
                    .collaboration_start
                    .unwrap_or_else(|| r.collaboration_created_at.date_naive()),
                early_window_days: i64::from(r.early_window_days),
                stakeholder: r.row.into_domain()?,
            })
        })
        .collect()
}

/// Of `ids`, those that are stakeholders of `collaboration`.
pub async fn existing_in(
    h: &mut Handle,
    collaboration: CollaborationId,
    ids: &[StakeholderId],
) -> StoreResult<Vec<StakeholderId>> {
    let mut found = Vec::with_capacity(ids.len());
    for id in ids {
        if collaboration_of(h, *id).await? == Some(collaboration) {
            found.push(*id);
        }
    }
    Ok(found)
}

/// The early-involvement window of a collaboration, in days.
pub async fn early_window_days(h: &mut Handle, collaboration: CollaborationId) -> StoreResult<i64> {
    let days: Option<i32> = on_engine!(h, c => sqlx::query_scalar("SELECT early_window_days FROM collaborations WHERE id = $1")
        .bind(collaboration.0)
        .fetch_optional(c)
        .await)?;
    Ok(days.map_or(
        concord_domain::stakeholder::DEFAULT_EARLY_WINDOW_DAYS,
        i64::from,
    ))
}

pub async fn set_early_window_days(
    h: &mut Handle,
    collaboration: CollaborationId,
    days: i64,
) -> StoreResult<()> {
    let days = i32::try_from(days).map_err(|_| StoreError::Corrupt(format!("window {days}")))?;
    on_engine_exec!(h, c => sqlx::query("UPDATE collaborations SET early_window_days = $2 WHERE id = $1")
        .bind(collaboration.0)
        .bind(days)
        .execute(c)
        .await)?;
    Ok(())
}

pub async fn delete(h: &mut Handle, id: StakeholderId) -> StoreResult<()> {
    on_engine_exec!(h, c => sqlx::query("DELETE FROM raci_assignments WHERE party_kind = 'stakeholder' AND party_id = $1")
        .bind(id.0)
        .execute(c)
        .await)?;
    on_engine_exec!(h, c => sqlx::query("DELETE FROM stakeholders WHERE id = $1")
        .bind(id.0)
        .execute(c)
        .await)?;
    Ok(())
}

/// Erases a stakeholder and everything that is only about them: engagements that involved no
/// one else (their summaries are about this person), their links to shared engagements, and
/// their RACI cells.
pub async fn erase(h: &mut Handle, id: StakeholderId) -> StoreResult<Erased> {
    let engagements_deleted = on_engine_exec!(h, c => sqlx::query(
        "DELETE FROM engagements WHERE id IN (SELECT es.engagement_id FROM engagement_stakeholders es \
         WHERE es.stakeholder_id = $1 AND NOT EXISTS (SELECT 1 FROM engagement_stakeholders o \
         WHERE o.engagement_id = es.engagement_id AND o.stakeholder_id <> $1))",
    )
    .bind(id.0)
    .execute(c)
    .await)?;
    let engagements_unlinked = on_engine_exec!(h, c => sqlx::query("DELETE FROM engagement_stakeholders WHERE stakeholder_id = $1")
        .bind(id.0)
        .execute(c)
        .await)?;
    let raci_cells = on_engine_exec!(h, c => sqlx::query("DELETE FROM raci_assignments WHERE party_kind = 'stakeholder' AND party_id = $1")
        .bind(id.0)
        .execute(c)
        .await)?;
    on_engine_exec!(h, c => sqlx::query("DELETE FROM stakeholders WHERE id = $1")
        .bind(id.0)
        .execute(c)
        .await)?;
    Ok(Erased {
        engagements_deleted,
        engagements_unlinked,
        raci_cells,
    })
}

/// After an erasure has committed: make the freed bytes unreadable. On SQLite, secure_delete has
/// zeroed them in the database file; the write-ahead log still holds the old pages until a
/// checkpoint copies them back and truncates it. On PostgreSQL, a plain VACUUM only marks dead
/// row versions reusable, leaving their bytes in the heap files, and the planner statistics may
/// hold sampled values: `VACUUM (FULL, ANALYZE)` rewrites the four tables and refreshes the
/// statistics (it locks them briefly; erasures are rare). Old write-ahead log segments keep the
/// bytes until PostgreSQL recycles them, which Concord cannot force.
///
/// Returns false when SQLite could not finish the checkpoint because a reader still needed the
/// old pages (the caller retries).
pub async fn scrub_after_erasure(h: &mut Handle) -> StoreResult<bool> {
    match h.conn() {
        crate::Conn::Sqlite(c) => {
            let (busy, _, _): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
                .fetch_one(&mut *c)
                .await?;
            Ok(busy == 0)
        }
        crate::Conn::Postgres(c) => {
            sqlx::query(
                "VACUUM (FULL, ANALYZE) stakeholders, engagements, engagement_stakeholders, raci_assignments",
            )
            .execute(&mut *c)
            .await?;
            Ok(true)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Engagements

#[derive(sqlx::FromRow)]
struct EngagementRow {
    id: Uuid,
    collaboration_id: Uuid,
    engaged_on: NaiveDate,
    channel: String,
    summary: String,
    outcome: Option<String>,
    follow_up: Option<String>,
    follow_up_owner_id: Option<Uuid>,
    follow_up_owner_name: Option<String>,
    follow_up_due: Option<NaiveDate>,
    follow_up_done: bool,
    recorded_by: Option<Uuid>,
    created_at: DateTime<Utc>,
    stakeholder_id: Option<Uuid>,
    stakeholder_name: Option<String>,
    stakeholder_kind: Option<String>,
}

/// Folds one row per (engagement, stakeholder) into engagements, keeping the rows' order.
fn fold_engagements(rows: Vec<EngagementRow>) -> StoreResult<Vec<Engagement>> {
    let mut out: Vec<Engagement> = Vec::new();
    for r in rows {
        let stakeholder = match (r.stakeholder_id, r.stakeholder_kind.as_deref()) {
            (Some(id), Some(kind)) => Some(EngagedStakeholder {
                id: id.into(),
                name: r.stakeholder_name.clone(),
                kind: parse_stored(kind, StakeholderKind::parse)?,
            }),
            _ => None,
        };
        if let Some(last) = out.last_mut()
            && last.id.0 == r.id
        {
            last.stakeholders.extend(stakeholder);
            continue;
        }
        out.push(Engagement {
            id: r.id.into(),
            collaboration_id: r.collaboration_id.into(),
            engaged_on: r.engaged_on,
            channel: parse_stored(&r.channel, EngagementChannel::parse)?,
            summary: r.summary,
            outcome: r.outcome,
            stakeholders: stakeholder.into_iter().collect(),
            follow_up: r.follow_up,
            follow_up_owner_id: r.follow_up_owner_id.map(Into::into),
            follow_up_owner_name: r.follow_up_owner_name,
            follow_up_due: r.follow_up_due,
            follow_up_done: r.follow_up_done,
            recorded_by: r.recorded_by.map(Into::into),
            created_at: r.created_at,
        });
    }
    for engagement in &mut out {
        engagement
            .stakeholders
            .sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    }
    Ok(out)
}

macro_rules! select_engagements {
    ($inner:expr) => {
        concat!(
            "SELECT e.id, e.collaboration_id, e.engaged_on, e.channel, e.summary, e.outcome, e.follow_up, \
             e.follow_up_owner_id, fu.display_name AS follow_up_owner_name, e.follow_up_due, e.follow_up_done, \
             e.recorded_by, e.created_at, s.id AS stakeholder_id, s.name AS stakeholder_name, \
             s.kind AS stakeholder_kind FROM (",
            $inner,
            ") e LEFT JOIN users fu ON fu.id = e.follow_up_owner_id \
             LEFT JOIN engagement_stakeholders es ON es.engagement_id = e.id \
             LEFT JOIN stakeholders s ON s.id = es.stakeholder_id \
             ORDER BY e.engaged_on DESC, e.id DESC"
        )
    };
}

pub async fn insert_engagement(
    h: &mut Handle,
    id: EngagementId,
    collaboration: CollaborationId,
    f: &EngagementFields,
    recorded_by: Option<UserId>,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    on_engine_exec!(h, c => sqlx::query(
        "INSERT INTO engagements (id, collaboration_id, engaged_on, channel, summary, outcome, follow_up, \
         follow_up_owner_id, follow_up_due, follow_up_done, recorded_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, FALSE, $10, $11)",
    )
    .bind(id.0)
    .bind(collaboration.0)
    .bind(f.engaged_on)
    .bind(f.channel.as_str())
    .bind(&f.summary)
    .bind(&f.outcome)
    .bind(&f.follow_up)
    .bind(f.follow_up_owner_id.map(|u| u.0))
    .bind(f.follow_up_due)
    .bind(recorded_by.map(|u| u.0))
    .bind(now)
    .execute(c)
    .await)?;
    for stakeholder in &f.stakeholder_ids {
        on_engine_exec!(h, c => sqlx::query(
            "INSERT INTO engagement_stakeholders (engagement_id, stakeholder_id, engaged_on) VALUES ($1, $2, $3)",
        )
        .bind(id.0)
        .bind(stakeholder.0)
        .bind(f.engaged_on)
        .execute(c)
        .await)?;
    }
    refresh_engagement_stats(h, &f.stakeholder_ids).await
}

pub async fn get_engagement(h: &mut Handle, id: EngagementId) -> StoreResult<Option<Engagement>> {
    let rows: Vec<EngagementRow> = on_engine!(h, c => sqlx::query_as(select_engagements!(
        "SELECT * FROM engagements WHERE id = $1"
    ))
    .bind(id.0)
    .fetch_all(c)
    .await)?;
    Ok(fold_engagements(rows)?.pop())
}

pub async fn collaboration_of_engagement(
    h: &mut Handle,
    id: EngagementId,
) -> StoreResult<Option<CollaborationId>> {
    let id: Option<Uuid> = on_engine!(h, c => sqlx::query_scalar("SELECT collaboration_id FROM engagements WHERE id = $1")
        .bind(id.0)
        .fetch_optional(c)
        .await)?;
    Ok(id.map(Into::into))
}

/// A page of a collaboration's engagements, newest first, strictly before `before` (a date and
/// an id), optionally only those involving one stakeholder. Fetches `limit` engagements.
pub async fn engagements(
    h: &mut Handle,
    collaboration: CollaborationId,
    stakeholder: Option<StakeholderId>,
    before: Option<(NaiveDate, EngagementId)>,
    limit: i64,
) -> StoreResult<Vec<Engagement>> {
    let rows: Vec<EngagementRow> = on_engine!(h, c => sqlx::query_as(select_engagements!(
        "SELECT * FROM engagements WHERE collaboration_id = $1 \
         AND ($2 IS NULL OR EXISTS (SELECT 1 FROM engagement_stakeholders f \
              WHERE f.engagement_id = engagements.id AND f.stakeholder_id = $2)) \
         AND ($3 IS NULL OR engaged_on < $3 OR (engaged_on = $3 AND id < $4)) \
         ORDER BY engaged_on DESC, id DESC LIMIT $5"
    ))
    .bind(collaboration.0)
    .bind(stakeholder.map(|s| s.0))
    .bind(before.map(|b| b.0))
    .bind(before.map(|b| (b.1).0))
    .bind(limit)
    .fetch_all(c)
    .await)?;
    fold_engagements(rows)
}

pub async fn delete_engagement(h: &mut Handle, id: EngagementId) -> StoreResult<()> {
    let involved: Vec<Uuid> = on_engine!(h, c => sqlx::query_scalar(
        "SELECT stakeholder_id FROM engagement_stakeholders WHERE engagement_id = $1",
    )
    .bind(id.0)
    .fetch_all(c)
    .await)?;
    on_engine_exec!(h, c => sqlx::query("DELETE FROM engagements WHERE id = $1")
        .bind(id.0)
        .execute(c)
        .await)?;
    let involved: Vec<StakeholderId> = involved.into_iter().map(Into::into).collect();
    refresh_engagement_stats(h, &involved).await
}

/// Recomputes the stored last-engaged date and engagement count of these stakeholders (after an
/// engagement naming them was recorded or deleted, in the same transaction).
async fn refresh_engagement_stats(
    h: &mut Handle,
    stakeholders: &[StakeholderId],
) -> StoreResult<()> {
    for id in stakeholders {
        on_engine_exec!(h, c => sqlx::query(
            "UPDATE stakeholders SET \
             last_engaged_on = (SELECT MAX(es.engaged_on) FROM engagement_stakeholders es WHERE es.stakeholder_id = $1), \
             engagement_count = (SELECT COUNT(*) FROM engagement_stakeholders es WHERE es.stakeholder_id = $1) \
             WHERE id = $1",
        )
        .bind(id.0)
        .execute(c)
        .await)?;
    }
    Ok(())
}

pub async fn set_follow_up_done(h: &mut Handle, id: EngagementId, done: bool) -> StoreResult<()> {
    on_engine_exec!(h, c => sqlx::query("UPDATE engagements SET follow_up_done = $2 WHERE id = $1")
        .bind(id.0)
        .bind(done)
        .execute(c)
        .await)?;
    Ok(())
}

/// An open follow-up someone owns, with its collaboration's title (their home page).
#[derive(Clone, Debug)]
pub struct OwnedFollowUp {
    pub engagement: Engagement,
    pub collaboration_title: String,
}

/// Open follow-ups a person owns, soonest due first.
pub async fn open_follow_ups_for(h: &mut Handle, owner: UserId) -> StoreResult<Vec<OwnedFollowUp>> {
    let rows: Vec<EngagementRow> = on_engine!(h, c => sqlx::query_as(select_engagements!(
        "SELECT * FROM engagements WHERE follow_up_owner_id = $1 AND follow_up_done = FALSE \
         ORDER BY follow_up_due, id LIMIT 100"
    ))
    .bind(owner.0)
    .fetch_all(c)
    .await)?;
    let mut engagements = fold_engagements(rows)?;
    engagements.sort_by(|a, b| a.follow_up_due.cmp(&b.follow_up_due).then(a.id.cmp(&b.id)));
    // One title query per collaboration, not per follow-up.
    let mut titles: HashMap<CollaborationId, String> = HashMap::new();
    let mut out = Vec::with_capacity(engagements.len());
    for engagement in engagements {
        let collaboration = engagement.collaboration_id;
        let title = match titles.get(&collaboration) {
            Some(title) => title.clone(),
            None => {
                let title: String = on_engine!(h, c => sqlx::query_scalar("SELECT title FROM collaborations WHERE id = $1")
                    .bind(collaboration.0)
                    .fetch_one(c)
                    .await)?;
                titles.insert(collaboration, title.clone());
                title
            }
        };
        out.push(OwnedFollowUp {
            engagement,
            collaboration_title: title,
        });
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// RACI

/// One assigned cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RaciAssignment {
    pub objective_id: ObjectiveId,
    pub party: RaciParty,
    pub role: RaciRole,
}

fn raci_row(
    (objective, kind, party, role): (Uuid, String, Uuid, String),
) -> StoreResult<RaciAssignment> {
    let party = match kind.as_str() {
        "user" => RaciParty::User(party.into()),
        "stakeholder" => RaciParty::Stakeholder(party.into()),
        other => return Err(StoreError::Corrupt(format!("party kind {other:?}"))),
    };
    Ok(RaciAssignment {
        objective_id: objective.into(),
        party,
        role: parse_stored(&role, RaciRole::parse)?,
    })
}

pub async fn raci_for_collaboration(
    h: &mut Handle,
    collaboration: CollaborationId,
) -> StoreResult<Vec<RaciAssignment>> {
    let rows: Vec<(Uuid, String, Uuid, String)> = on_engine!(h, c => sqlx::query_as(
        "SELECT objective_id, party_kind, party_id, role FROM raci_assignments WHERE collaboration_id = $1 \
         ORDER BY objective_id, party_kind, party_id",
    )
    .bind(collaboration.0)
    .fetch_all(c)
    .await)?;
    rows.into_iter().map(raci_row).collect()
}

pub async fn raci_for_objective(
    h: &mut Handle,
    objective: ObjectiveId,
) -> StoreResult<Vec<RaciAssignment>> {
    let rows: Vec<(Uuid, String, Uuid, String)> = on_engine!(h, c => sqlx::query_as(
        "SELECT objective_id, party_kind, party_id, role FROM raci_assignments WHERE objective_id = $1 \
         ORDER BY party_kind, party_id",
    )
    .bind(objective.0)
    .fetch_all(c)
    .await)?;
    rows.into_iter().map(raci_row).collect()
}

/// RACI cells naming a party (for a person's data export).
pub async fn raci_for_party(h: &mut Handle, party: RaciParty) -> StoreResult<Vec<RaciAssignment>> {
    let rows: Vec<(Uuid, String, Uuid, String)> = on_engine!(h, c => sqlx::query_as(
        "SELECT objective_id, party_kind, party_id, role FROM raci_assignments WHERE party_kind = $1 AND party_id = $2 \
         ORDER BY objective_id",
    )
    .bind(party.kind())
    .bind(party.uuid())
    .fetch_all(c)
    .await)?;
    rows.into_iter().map(raci_row).collect()
}

/// Sets one cell, or clears it when `role` is `None`.
pub async fn set_raci(
    h: &mut Handle,
    collaboration: CollaborationId,
    objective: ObjectiveId,
    party: RaciParty,
    role: Option<RaciRole>,
) -> StoreResult<()> {
    on_engine_exec!(h, c => sqlx::query(
        "DELETE FROM raci_assignments WHERE objective_id = $1 AND party_kind = $2 AND party_id = $3",
    )
    .bind(objective.0)
    .bind(party.kind())
    .bind(party.uuid())
    .execute(c)
    .await)?;
    if let Some(role) = role {
        on_engine_exec!(h, c => sqlx::query(
            "INSERT INTO raci_assignments (objective_id, collaboration_id, party_kind, party_id, role) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(objective.0)
        .bind(collaboration.0)
        .bind(party.kind())
        .bind(party.uuid())
        .bind(role.as_str())
        .execute(c)
        .await)?;
    }
    Ok(())
}
