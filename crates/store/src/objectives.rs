//! Objectives of collaborations. Callers check the policy on the collaboration first.

use chrono::{DateTime, NaiveDate, Utc};
use concord_domain::objective::{Objective, ObjectiveFields, ObjectiveStatus};
use concord_domain::{CollaborationId, ObjectiveId, UserId};
use uuid::Uuid;

use crate::{Handle, StoreResult, on_engine, on_engine_exec, parse_stored};

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    collaboration_id: Uuid,
    title: String,
    description: Option<String>,
    owner_id: Option<Uuid>,
    owner_name: Option<String>,
    organisation_id: Option<Uuid>,
    organisation_name: Option<String>,
    due_date: Option<NaiveDate>,
    status: String,
    drop_reason: Option<String>,
    position: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl Row {
    fn into_domain(self) -> StoreResult<Objective> {
        Ok(Objective {
            id: self.id.into(),
            collaboration_id: self.collaboration_id.into(),
            title: self.title,
            description: self.description,
            owner_id: self.owner_id.map(Into::into),
            owner_name: self.owner_name,
            organisation_id: self.organisation_id.map(Into::into),
            organisation_name: self.organisation_name,
            due_date: self.due_date,
            status: parse_stored(&self.status, ObjectiveStatus::parse)?,
            drop_reason: self.drop_reason,
            position: self.position,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

macro_rules! select_objectives {
    () => {
        "SELECT ob.id, ob.collaboration_id, ob.title, ob.description, ob.owner_id, u.display_name AS owner_name, \
         ob.organisation_id, o.name AS organisation_name, ob.due_date, ob.status, ob.drop_reason, ob.position, \
         ob.created_at, ob.updated_at FROM objectives ob \
         LEFT JOIN users u ON u.id = ob.owner_id LEFT JOIN organisations o ON o.id = ob.organisation_id "
    };
}

/// Adds an objective at the end of its collaboration's list.
pub async fn insert(
    h: &mut Handle,
    id: ObjectiveId,
    collaboration: CollaborationId,
    f: &ObjectiveFields,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    on_engine_exec!(h, c => sqlx::query(
        "INSERT INTO objectives (id, collaboration_id, title, description, owner_id, organisation_id, due_date, status, \
         drop_reason, position, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
         COALESCE((SELECT MAX(position) FROM objectives WHERE collaboration_id = $2), 0) + 1, $10, $10)",
    )
    .bind(id.0)
    .bind(collaboration.0)
    .bind(&f.title)
    .bind(&f.description)
    .bind(f.owner_id.map(|u| u.0))
    .bind(f.organisation_id.map(|o| o.0))
    .bind(f.due_date)
    .bind(f.status.as_str())
    .bind(&f.drop_reason)
    .bind(now)
    .execute(c)
    .await)?;
    Ok(())
}

pub async fn update(
    h: &mut Handle,
    id: ObjectiveId,
    f: &ObjectiveFields,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    on_engine_exec!(h, c => sqlx::query(
        "UPDATE objectives SET title = $2, description = $3, owner_id = $4, organisation_id = $5, due_date = $6, \
         status = $7, drop_reason = $8, updated_at = $9 WHERE id = $1",
    )
    .bind(id.0)
    .bind(&f.title)
    .bind(&f.description)
    .bind(f.owner_id.map(|u| u.0))
    .bind(f.organisation_id.map(|o| o.0))
    .bind(f.due_date)
    .bind(f.status.as_str())
    .bind(&f.drop_reason)
    .bind(now)
    .execute(c)
    .await)?;
    Ok(())
}

pub async fn get(h: &mut Handle, id: ObjectiveId) -> StoreResult<Option<Objective>> {
    let row: Option<Row> = on_engine!(h, c => sqlx::query_as(concat!(select_objectives!(), "WHERE ob.id = $1"))
        .bind(id.0)
        .fetch_optional(c)
        .await)?;
    row.map(Row::into_domain).transpose()
}

/// Every objective of a collaboration, in order (a collaboration has a handful, not thousands).
pub async fn for_collaboration(
    h: &mut Handle,
    collaboration: CollaborationId,
) -> StoreResult<Vec<Objective>> {
    let rows: Vec<Row> = on_engine!(h, c => sqlx::query_as(concat!(
        select_objectives!(),
        "WHERE ob.collaboration_id = $1 ORDER BY ob.position, ob.id LIMIT 500"
    ))
    .bind(collaboration.0)
    .fetch_all(c)
    .await)?;
    rows.into_iter().map(Row::into_domain).collect()
}

/// The collaboration an objective belongs to, for the policy check.
pub async fn collaboration_of(
    h: &mut Handle,
    id: ObjectiveId,
) -> StoreResult<Option<CollaborationId>> {
    let id: Option<Uuid> = on_engine!(h, c => sqlx::query_scalar("SELECT collaboration_id FROM objectives WHERE id = $1")
        .bind(id.0)
        .fetch_optional(c)
        .await)?;
    Ok(id.map(Into::into))
}

/// Objectives a person owns that are still open, across collaborations (for their home page).
pub async fn open_owned_by(h: &mut Handle, owner: UserId) -> StoreResult<Vec<Objective>> {
    let rows: Vec<Row> = on_engine!(h, c => sqlx::query_as(concat!(
        select_objectives!(),
        "WHERE ob.owner_id = $1 AND ob.status IN ('draft', 'active') ORDER BY ob.due_date, ob.id LIMIT 100"
    ))
    .bind(owner.0)
    .fetch_all(c)
    .await)?;
    rows.into_iter().map(Row::into_domain).collect()
}

/// Moves an objective to `position` (the caller swaps two neighbours inside one transaction).
pub async fn set_position(
    h: &mut Handle,
    id: ObjectiveId,
    position: i64,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    on_engine_exec!(h, c => sqlx::query("UPDATE objectives SET position = $2, updated_at = $3 WHERE id = $1")
        .bind(id.0)
        .bind(position)
        .bind(now)
        .execute(c)
        .await)?;
    Ok(())
}
