//! Decisions and action items. Callers check the policy first; lists apply the decision read rule
//! (`concord_domain::decision::ReadScope::allows`) inside SQL, so a decision or action item the
//! reader may not see is never loaded, counted or paged over.
//!
//! Meetings are only read here (their title and start, to validate and show a link).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use concord_domain::decision::{
    ActionItem, ActionItemFields, ActionItemStatus, Decision, DecisionFields, DecisionPerson,
    DecisionVisibility, MeetingRef, ReadScope,
};
use concord_domain::thread::AudienceOrganisation;
use concord_domain::{
    ActionItemId, CollaborationId, DecisionId, MeetingId, OrganisationId, UserId,
};
use uuid::Uuid;

use crate::{
    Handle, StoreResult, fetch_for_ids, on_engine, on_engine_exec, parse_stored, placeholders,
};

/// The SQL form of `ReadScope::allows` for decision `d`, with `$2` "may read the collaboration",
/// `$3` "is a member" and `$4` the reader's organisation (NULL for anonymous).
macro_rules! decision_visible {
    () => {
        "(d.visibility = 'public' OR (d.visibility = 'collaboration' AND $2) \
          OR (d.visibility = 'members' AND $3) \
          OR (d.visibility = 'organisations' AND $2 AND EXISTS (SELECT 1 FROM decision_audience da \
              WHERE da.decision_id = d.id AND da.organisation_id = $4)))"
    };
}

/// The SQL form of `ReadScope::allows_item` for action item `ai` (same parameters).
macro_rules! item_visible {
    () => {
        concat!(
            "((ai.decision_id IS NULL AND $2) OR EXISTS (SELECT 1 FROM decisions d WHERE d.id = ai.decision_id AND ",
            decision_visible!(),
            "))"
        )
    };
}

/// A meeting's collaboration and what links show of it; `None` when it does not exist.
pub async fn meeting(
    h: &mut Handle,
    id: MeetingId,
) -> StoreResult<Option<(CollaborationId, MeetingRef)>> {
    let row: Option<(Uuid, String, DateTime<Utc>)> = on_engine!(h, c => sqlx::query_as(
        "SELECT collaboration_id, title, starts_at FROM meetings WHERE id = $1",
    )
    .bind(id.0)
    .fetch_optional(c)
    .await)?;
    Ok(row.map(|(collaboration, title, starts_at)| {
        (
            collaboration.into(),
            MeetingRef {
                id,
                title,
                starts_at,
            },
        )
    }))
}

// ---------------------------------------------------------------------------------------------
// Decisions

#[derive(sqlx::FromRow)]
struct DecisionRow {
    id: Uuid,
    collaboration_id: Uuid,
    collaboration_title: String,
    title: String,
    decided: String,
    rationale: Option<String>,
    meeting_id: Option<Uuid>,
    meeting_title: Option<String>,
    meeting_starts_at: Option<DateTime<Utc>>,
    decided_on: NaiveDate,
    visibility: String,
    action_item_count: i64,
    created_by: Option<Uuid>,
    created_by_name: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

macro_rules! select_decisions {
    () => {
        "SELECT d.id, d.collaboration_id, c.title AS collaboration_title, d.title, d.decided, d.rationale, \
         d.meeting_id, m.title AS meeting_title, m.starts_at AS meeting_starts_at, d.decided_on, d.visibility, \
         (SELECT count(*) FROM action_items ai WHERE ai.decision_id = d.id) AS action_item_count, \
         d.created_by, u.display_name AS created_by_name, d.created_at, d.updated_at \
         FROM decisions d JOIN collaborations c ON c.id = d.collaboration_id \
         LEFT JOIN meetings m ON m.id = d.meeting_id LEFT JOIN users u ON u.id = d.created_by "
    };
}

/// Adds the options, people and audience of the decisions: three queries for the whole page,
/// however many decisions it holds.
async fn decisions(h: &mut Handle, rows: Vec<DecisionRow>) -> StoreResult<Vec<Decision>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let list = placeholders(ids.len());
    let sql = format!(
        "SELECT decision_id, text FROM decision_options WHERE decision_id IN ({list}) \
         ORDER BY decision_id, position"
    );
    let option_rows: Vec<(Uuid, String)> = fetch_for_ids!(h, &sql, &ids)?;
    let sql = format!(
        "SELECT p.decision_id, u.id, u.display_name FROM decision_people p \
         JOIN users u ON u.id = p.user_id WHERE p.decision_id IN ({list}) \
         ORDER BY u.display_name, u.id"
    );
    let people_rows: Vec<(Uuid, Uuid, String)> = fetch_for_ids!(h, &sql, &ids)?;
    let sql = format!(
        "SELECT a.decision_id, o.id, o.name FROM decision_audience a \
         JOIN organisations o ON o.id = a.organisation_id WHERE a.decision_id IN ({list}) \
         ORDER BY o.name, o.id"
    );
    let audience_rows: Vec<(Uuid, Uuid, String)> = fetch_for_ids!(h, &sql, &ids)?;

    let mut options: HashMap<Uuid, Vec<String>> = HashMap::new();
    for (decision, text) in option_rows {
        options.entry(decision).or_default().push(text);
    }
    let mut people: HashMap<Uuid, Vec<DecisionPerson>> = HashMap::new();
    for (decision, id, name) in people_rows {
        people.entry(decision).or_default().push(DecisionPerson {
            id: id.into(),
            name,
        });
    }
    let mut audiences: HashMap<Uuid, Vec<AudienceOrganisation>> = HashMap::new();
    for (decision, id, name) in audience_rows {
        audiences
            .entry(decision)
            .or_default()
            .push(AudienceOrganisation {
                id: id.into(),
                name,
            });
    }

    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(Decision {
            id: DecisionId::from(r.id),
            collaboration_id: r.collaboration_id.into(),
            collaboration_title: r.collaboration_title,
            title: r.title,
            decided: r.decided,
            rationale: r.rationale,
            options: options.remove(&r.id).unwrap_or_default(),
            meeting: match (r.meeting_id, r.meeting_title, r.meeting_starts_at) {
                (Some(mid), Some(title), Some(starts_at)) => Some(MeetingRef {
                    id: mid.into(),
                    title,
                    starts_at,
                }),
                _ => None,
            },
            decided_by: people.remove(&r.id).unwrap_or_default(),
            decided_on: r.decided_on,
            visibility: parse_stored(&r.visibility, DecisionVisibility::parse)?,
            audience: audiences.remove(&r.id).unwrap_or_default(),
            action_item_count: r.action_item_count,
            created_by: r.created_by.map(Into::into),
            created_by_name: r.created_by_name,
            created_at: r.created_at,
            updated_at: r.updated_at,
        });
    }
    Ok(out)
}

/// The organisations of a decision's audience, by name.
pub async fn audience(
    h: &mut Handle,
    decision: DecisionId,
) -> StoreResult<Vec<AudienceOrganisation>> {
    let rows: Vec<(Uuid, String)> = on_engine!(h, c => sqlx::query_as(
        "SELECT o.id, o.name FROM decision_audience a JOIN organisations o ON o.id = a.organisation_id \
         WHERE a.decision_id = $1 ORDER BY o.name",
    )
    .bind(decision.0)
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

/// What the read rule needs about a decision: its collaboration, visibility and audience.
pub async fn decision_access(
    h: &mut Handle,
    id: DecisionId,
) -> StoreResult<Option<(CollaborationId, DecisionVisibility, Vec<OrganisationId>)>> {
    let row: Option<(Uuid, String)> = on_engine!(h, c => sqlx::query_as(
        "SELECT collaboration_id, visibility FROM decisions WHERE id = $1",
    )
    .bind(id.0)
    .fetch_optional(c)
    .await)?;
    let Some((collaboration, visibility)) = row else {
        return Ok(None);
    };
    let audience: Vec<Uuid> = on_engine!(h, c => sqlx::query_scalar(
        "SELECT organisation_id FROM decision_audience WHERE decision_id = $1",
    )
    .bind(id.0)
    .fetch_all(c)
    .await)?;
    Ok(Some((
        collaboration.into(),
        parse_stored(&visibility, DecisionVisibility::parse)?,
        audience.into_iter().map(Into::into).collect(),
    )))
}

async fn put_details(h: &mut Handle, id: DecisionId, fields: &DecisionFields) -> StoreResult<()> {
    for table in [
        "DELETE FROM decision_options WHERE decision_id = $1",
        "DELETE FROM decision_people WHERE decision_id = $1",
        "DELETE FROM decision_audience WHERE decision_id = $1",
    ] {
        on_engine_exec!(h, c => sqlx::query(table).bind(id.0).execute(c).await)?;
    }
    for (position, text) in fields.options.iter().enumerate() {
        on_engine_exec!(h, c => sqlx::query(
            "INSERT INTO decision_options (decision_id, position, text) VALUES ($1, $2, $3)",
        )
        .bind(id.0)
        .bind(i64::try_from(position).unwrap_or(i64::MAX))
        .bind(text)
        .execute(c)
        .await)?;
    }
    for user in &fields.decided_by {
        on_engine_exec!(h, c => sqlx::query("INSERT INTO decision_people (decision_id, user_id) VALUES ($1, $2)")
            .bind(id.0)
            .bind(user.0)
            .execute(c)
            .await)?;
    }
    for org in &fields.audience {
        on_engine_exec!(h, c => sqlx::query(
            "INSERT INTO decision_audience (decision_id, organisation_id) VALUES ($1, $2)",
        )
        .bind(id.0)
        .bind(org.0)
        .execute(c)
        .await)?;
    }
    Ok(())
}

pub async fn insert_decision(
    h: &mut Handle,
    id: DecisionId,
    collaboration: CollaborationId,
    fields: &DecisionFields,
    created_by: Option<UserId>,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    on_engine_exec!(h, c => sqlx::query(
        "INSERT INTO decisions (id, collaboration_id, title, decided, rationale, meeting_id, decided_on, visibility, \
         created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
    )
    .bind(id.0)
    .bind(collaboration.0)
    .bind(&fields.title)
    .bind(&fields.decided)
    .bind(fields.rationale.as_deref())
    .bind(fields.meeting_id.map(|m| m.0))
    .bind(fields.decided_on)
    .bind(fields.visibility.as_str())
    .bind(created_by.map(|u| u.0))
    .bind(now)
    .execute(c)
    .await)?;
    put_details(h, id, fields).await
}

pub async fn update_decision(
    h: &mut Handle,
    id: DecisionId,
    fields: &DecisionFields,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    on_engine_exec!(h, c => sqlx::query(
        "UPDATE decisions SET title = $2, decided = $3, rationale = $4, meeting_id = $5, decided_on = $6, \
         visibility = $7, updated_at = $8 WHERE id = $1",
    )
    .bind(id.0)
    .bind(&fields.title)
    .bind(&fields.decided)
    .bind(fields.rationale.as_deref())
    .bind(fields.meeting_id.map(|m| m.0))
    .bind(fields.decided_on)
    .bind(fields.visibility.as_str())
    .bind(now)
    .execute(c)
    .await)?;
    put_details(h, id, fields).await
}

pub async fn get_decision(h: &mut Handle, id: DecisionId) -> StoreResult<Option<Decision>> {
    let row: Option<DecisionRow> = on_engine!(h, c => sqlx::query_as(concat!(select_decisions!(), "WHERE d.id = $1"))
        .bind(id.0)
        .fetch_optional(c)
        .await)?;
    Ok(decisions(h, row.into_iter().collect()).await?.pop())
}

/// Filters of the decision register; every one optional.
#[derive(Clone, Debug, Default)]
pub struct DecisionFilter {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub meeting: Option<MeetingId>,
    pub visibility: Option<DecisionVisibility>,
    /// Words to find in the title (case-insensitive substring).
    pub text: Option<String>,
}

fn like_pattern(text: &str) -> String {
    let escaped = text
        .trim()
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// A page of the collaboration's decisions the reader may see (the read rule in SQL), latest
/// decided first, strictly after the cursor (`decided_on`, id) in that order.
pub async fn list_decisions(
    h: &mut Handle,
    collaboration: CollaborationId,
    scope: ReadScope,
    filter: &DecisionFilter,
    before: Option<(NaiveDate, DecisionId)>,
    limit: i64,
) -> StoreResult<Vec<Decision>> {
    let text = filter
        .text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(like_pattern);
    let rows: Vec<DecisionRow> = on_engine!(h, c => sqlx::query_as(concat!(
        select_decisions!(),
        "WHERE d.collaboration_id = $1 AND ", decision_visible!(),
        " AND ($5 IS NULL OR d.decided_on >= $5) AND ($6 IS NULL OR d.decided_on <= $6) \
          AND ($7 IS NULL OR d.meeting_id = $7) AND ($8 IS NULL OR d.visibility = $8) \
          AND ($9 IS NULL OR lower(d.title) LIKE $9 ESCAPE '\\') \
          AND ($10 IS NULL OR d.decided_on < $10 OR (d.decided_on = $10 AND d.id < $11)) \
          ORDER BY d.decided_on DESC, d.id DESC LIMIT $12"
    ))
    .bind(collaboration.0)
    .bind(scope.can_read)
    .bind(scope.member)
    .bind(scope.organisation.map(|o| o.0))
    .bind(filter.from)
    .bind(filter.to)
    .bind(filter.meeting.map(|m| m.0))
    .bind(filter.visibility.map(|v| v.as_str()))
    .bind(text)
    .bind(before.map(|b| b.0))
    .bind(before.map(|b| (b.1).0))
    .bind(limit)
    .fetch_all(c)
    .await)?;
    decisions(h, rows).await
}

/// Whether a collaboration has at least one public decision (its register then exists for
/// readers who may not read the collaboration itself).
pub async fn has_public_decisions(
    h: &mut Handle,
    collaboration: CollaborationId,
) -> StoreResult<bool> {
    let n: i64 = on_engine!(h, c => sqlx::query_scalar(
        "SELECT count(*) FROM decisions WHERE collaboration_id = $1 AND visibility = 'public'",
    )
    .bind(collaboration.0)
    .fetch_one(c)
    .await)?;
    Ok(n > 0)
}

/// A page of public decisions across every collaboration, latest decided first.
pub async fn public_decisions(
    h: &mut Handle,
    before: Option<(NaiveDate, DecisionId)>,
    limit: i64,
) -> StoreResult<Vec<Decision>> {
    let rows: Vec<DecisionRow> = on_engine!(h, c => sqlx::query_as(concat!(
        select_decisions!(),
        "WHERE d.visibility = 'public' \
          AND ($1 IS NULL OR d.decided_on < $1 OR (d.decided_on = $1 AND d.id < $2)) \
          ORDER BY d.decided_on DESC, d.id DESC LIMIT $3"
    ))
    .bind(before.map(|b| b.0))
    .bind(before.map(|b| (b.1).0))
    .bind(limit)
    .fetch_all(c)
    .await)?;
    decisions(h, rows).await
}

/// The decisions of a meeting (of `collaboration`) that the reader may see.
pub async fn decisions_for_meeting(
    h: &mut Handle,
    collaboration: CollaborationId,
    scope: ReadScope,
    meeting: MeetingId,
) -> StoreResult<Vec<Decision>> {
    let rows: Vec<DecisionRow> = on_engine!(h, c => sqlx::query_as(concat!(
        select_decisions!(),
        "WHERE d.collaboration_id = $1 AND ", decision_visible!(),
        " AND d.meeting_id = $5 ORDER BY d.decided_on, d.id"
    ))
    .bind(collaboration.0)
    .bind(scope.can_read)
    .bind(scope.member)
    .bind(scope.organisation.map(|o| o.0))
    .bind(meeting.0)
    .fetch_all(c)
    .await)?;
    decisions(h, rows).await
}

// ---------------------------------------------------------------------------------------------
// Action items

#[derive(sqlx::FromRow)]
struct ItemRow {
    id: Uuid,
    collaboration_id: Uuid,
    collaboration_title: String,
    title: String,
    owner_id: Uuid,
    owner_name: String,
    due_on: NaiveDate,
    status: String,
    decision_id: Option<Uuid>,
    decision_title: Option<String>,
    meeting_id: Option<Uuid>,
    meeting_title: Option<String>,
    meeting_starts_at: Option<DateTime<Utc>>,
    objective_id: Option<Uuid>,
    objective_title: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl ItemRow {
    /// `overdue` is left false: it depends on today, which the app layer knows.
    fn into_domain(self) -> StoreResult<ActionItem> {
        Ok(ActionItem {
            id: self.id.into(),
            collaboration_id: self.collaboration_id.into(),
            collaboration_title: self.collaboration_title,
            title: self.title,
            owner_id: self.owner_id.into(),
            owner_name: self.owner_name,
            due_on: self.due_on,
            status: parse_stored(&self.status, ActionItemStatus::parse)?,
            overdue: false,
            decision_id: self.decision_id.map(Into::into),
            decision_title: self.decision_title,
            meeting: match (self.meeting_id, self.meeting_title, self.meeting_starts_at) {
                (Some(id), Some(title), Some(starts_at)) => Some(MeetingRef {
                    id: id.into(),
                    title,
                    starts_at,
                }),
                _ => None,
            },
            objective_id: self.objective_id.map(Into::into),
            objective_title: self.objective_title,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

fn items(rows: Vec<ItemRow>) -> StoreResult<Vec<ActionItem>> {
    rows.into_iter().map(ItemRow::into_domain).collect()
}

macro_rules! select_items {
    () => {
        "SELECT ai.id, ai.collaboration_id, c.title AS collaboration_title, ai.title, ai.owner_id, \
         o.display_name AS owner_name, ai.due_on, ai.status, ai.decision_id, dd.title AS decision_title, \
         ai.meeting_id, m.title AS meeting_title, m.starts_at AS meeting_starts_at, ai.objective_id, \
         ob.title AS objective_title, ai.created_at, ai.updated_at \
         FROM action_items ai JOIN collaborations c ON c.id = ai.collaboration_id \
         JOIN users o ON o.id = ai.owner_id LEFT JOIN decisions dd ON dd.id = ai.decision_id \
         LEFT JOIN meetings m ON m.id = ai.meeting_id LEFT JOIN objectives ob ON ob.id = ai.objective_id "
    };
}

pub async fn insert_action_item(
    h: &mut Handle,
    id: ActionItemId,
    collaboration: CollaborationId,
    fields: &ActionItemFields,
    created_by: Option<UserId>,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    on_engine_exec!(h, c => sqlx::query(
        "INSERT INTO action_items (id, collaboration_id, title, owner_id, due_on, status, decision_id, meeting_id, \
         objective_id, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'open', $6, $7, $8, $9, $10, $10)",
    )
    .bind(id.0)
    .bind(collaboration.0)
    .bind(&fields.title)
    .bind(fields.owner_id.0)
    .bind(fields.due_on)
    .bind(fields.decision_id.map(|d| d.0))
    .bind(fields.meeting_id.map(|m| m.0))
    .bind(fields.objective_id.map(|o| o.0))
    .bind(created_by.map(|u| u.0))
    .bind(now)
    .execute(c)
    .await)?;
    Ok(())
}

pub async fn update_action_item(
    h: &mut Handle,
    id: ActionItemId,
    fields: &ActionItemFields,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    on_engine_exec!(h, c => sqlx::query(
        "UPDATE action_items SET title = $2, owner_id = $3, due_on = $4, decision_id = $5, meeting_id = $6, \
         objective_id = $7, updated_at = $8 WHERE id = $1",
    )
    .bind(id.0)
    .bind(&fields.title)
    .bind(fields.owner_id.0)
    .bind(fields.due_on)
    .bind(fields.decision_id.map(|d| d.0))
    .bind(fields.meeting_id.map(|m| m.0))
    .bind(fields.objective_id.map(|o| o.0))
    .bind(now)
    .execute(c)
    .await)?;
    Ok(())
}

pub async fn set_action_item_status(
    h: &mut Handle,
    id: ActionItemId,
    status: ActionItemStatus,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    on_engine_exec!(h, c => sqlx::query("UPDATE action_items SET status = $2, updated_at = $3 WHERE id = $1")
        .bind(id.0)
        .bind(status.as_str())
        .bind(now)
        .execute(c)
        .await)?;
    Ok(())
}

pub async fn get_action_item(h: &mut Handle, id: ActionItemId) -> StoreResult<Option<ActionItem>> {
    let row: Option<ItemRow> = on_engine!(h, c => sqlx::query_as(concat!(select_items!(), "WHERE ai.id = $1"))
        .bind(id.0)
        .fetch_optional(c)
        .await)?;
    row.map(ItemRow::into_domain).transpose()
}

/// Open action items falling due on `day`, across every collaboration (for the owners' reminder).
pub async fn open_items_due_on(h: &mut Handle, day: NaiveDate) -> StoreResult<Vec<ActionItem>> {
    let rows: Vec<ItemRow> = on_engine!(h, c => sqlx::query_as(concat!(
        select_items!(),
        "WHERE ai.status = 'open' AND ai.due_on = $1 ORDER BY ai.id"
    ))
    .bind(day)
    .fetch_all(c)
    .await)?;
    rows.into_iter().map(ItemRow::into_domain).collect()
}

/// An action item's collaboration and decision, for the read rule.
pub async fn action_item_access(
    h: &mut Handle,
    id: ActionItemId,
) -> StoreResult<Option<(CollaborationId, Option<DecisionId>)>> {
    let row: Option<(Uuid, Option<Uuid>)> = on_engine!(h, c => sqlx::query_as(
        "SELECT collaboration_id, decision_id FROM action_items WHERE id = $1",
    )
    .bind(id.0)
    .fetch_optional(c)
    .await)?;
    Ok(row.map(|(c, d)| (c.into(), d.map(Into::into))))
}

/// Filters of a collaboration's action item list.
#[derive(Clone, Debug, Default)]
pub struct ItemFilter {
    pub status: Option<ActionItemStatus>,
    pub owner: Option<UserId>,
}

/// A page of the collaboration's action items the reader may see (the read rule in SQL), earliest
/// due first, strictly after the cursor (`due_on`, id).
pub async fn list_action_items(
    h: &mut Handle,
    collaboration: CollaborationId,
    scope: ReadScope,
    filter: &ItemFilter,
    after: Option<(NaiveDate, ActionItemId)>,
    limit: i64,
) -> StoreResult<Vec<ActionItem>> {
    let rows: Vec<ItemRow> = on_engine!(h, c => sqlx::query_as(concat!(
        select_items!(),
        "WHERE ai.collaboration_id = $1 AND ", item_visible!(),
        " AND ($5 IS NULL OR ai.status = $5) AND ($6 IS NULL OR ai.owner_id = $6) \
          AND ($7 IS NULL OR ai.due_on > $7 OR (ai.due_on = $7 AND ai.id > $8)) \
          ORDER BY ai.due_on, ai.id LIMIT $9"
    ))
    .bind(collaboration.0)
    .bind(scope.can_read)
    .bind(scope.member)
    .bind(scope.organisation.map(|o| o.0))
    .bind(filter.status.map(|s| s.as_str()))
    .bind(filter.owner.map(|o| o.0))
    .bind(after.map(|a| a.0))
    .bind(after.map(|a| (a.1).0))
    .bind(limit)
    .fetch_all(c)
    .await)?;
    items(rows)
}

/// The action items of a meeting (of `collaboration`) the reader may see, earliest due first.
pub async fn action_items_for_meeting(
    h: &mut Handle,
    collaboration: CollaborationId,
    scope: ReadScope,
    meeting: MeetingId,
) -> StoreResult<Vec<ActionItem>> {
    let rows: Vec<ItemRow> = on_engine!(h, c => sqlx::query_as(concat!(
        select_items!(),
        "WHERE ai.collaboration_id = $1 AND ", item_visible!(),
        " AND ai.meeting_id = $5 ORDER BY ai.due_on, ai.id"
    ))
    .bind(collaboration.0)
    .bind(scope.can_read)
    .bind(scope.member)
    .bind(scope.organisation.map(|o| o.0))
    .bind(meeting.0)
    .fetch_all(c)
    .await)?;
    items(rows)
}

/// The action items a decision caused (visible wherever the decision is), earliest due first.
pub async fn action_items_for_decision(
    h: &mut Handle,
    decision: DecisionId,
) -> StoreResult<Vec<ActionItem>> {
    let rows: Vec<ItemRow> = on_engine!(h, c => sqlx::query_as(concat!(
        select_items!(),
        "WHERE ai.decision_id = $1 ORDER BY ai.due_on, ai.id"
    ))
    .bind(decision.0)
    .fetch_all(c)
    .await)?;
    items(rows)
}

/// Open action items a person owns, across collaborations, earliest due first (their home page;
/// the caller applies the read rule per collaboration).
pub async fn open_action_items_for(h: &mut Handle, owner: UserId) -> StoreResult<Vec<ActionItem>> {
    let rows: Vec<ItemRow> = on_engine!(h, c => sqlx::query_as(concat!(
        select_items!(),
        "WHERE ai.owner_id = $1 AND ai.status = 'open' ORDER BY ai.due_on, ai.id"
    ))
    .bind(owner.0)
    .fetch_all(c)
    .await)?;
    items(rows)
}

/// The meetings of a collaboration, latest first (the choices of a form's meeting field).
pub async fn meetings_of(
    h: &mut Handle,
    collaboration: CollaborationId,
) -> StoreResult<Vec<MeetingRef>> {
    let rows: Vec<(Uuid, String, DateTime<Utc>)> = on_engine!(h, c => sqlx::query_as(
        "SELECT id, title, starts_at FROM meetings WHERE collaboration_id = $1 ORDER BY starts_at DESC, id DESC",
    )
    .bind(collaboration.0)
    .fetch_all(c)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|(id, title, starts_at)| MeetingRef {
            id: id.into(),
            title,
            starts_at,
        })
        .collect())
}

/// A person's home organisation.
pub async fn user_organisation(
    h: &mut Handle,
    user: UserId,
) -> StoreResult<Option<OrganisationId>> {
    let id: Option<Uuid> = on_engine!(h, c => sqlx::query_scalar("SELECT organisation_id FROM users WHERE id = $1")
        .bind(user.0)
        .fetch_optional(c)
        .await)?;
    Ok(id.map(Into::into))
}
