//! Organisations.

use chrono::{DateTime, Utc};
use concord_domain::OrganisationId;
use concord_domain::organisation::{Organisation, OrganisationFields, OrganisationKind};
use uuid::Uuid;

use crate::{Handle, StoreResult, on_engine, on_engine_exec, parse_stored};

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    name: String,
    kind: String,
    parent_id: Option<Uuid>,
    description: Option<String>,
    website: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl Row {
    fn into_domain(self) -> StoreResult<Organisation> {
        Ok(Organisation {
            id: self.id.into(),
            name: self.name,
            kind: parse_stored(&self.kind, OrganisationKind::parse)?,
            parent_id: self.parent_id.map(Into::into),
            description: self.description,
            website: self.website,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// The key that makes names unique regardless of case and surrounding space.
pub fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

pub async fn insert(
    h: &mut Handle,
    id: OrganisationId,
    f: &OrganisationFields,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    on_engine_exec!(h, c => sqlx::query(
        "INSERT INTO organisations (id, name, name_key, kind, parent_id, description, website, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
    )
    .bind(id.0)
    .bind(&f.name)
    .bind(name_key(&f.name))
    .bind(f.kind.as_str())
    .bind(f.parent_id.map(|p| p.0))
    .bind(&f.description)
    .bind(&f.website)
    .bind(now)
    .execute(c)
    .await)?;
    Ok(())
}

pub async fn update(
    h: &mut Handle,
    id: OrganisationId,
    f: &OrganisationFields,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    on_engine_exec!(h, c => sqlx::query(
        "UPDATE organisations SET name = $2, name_key = $3, kind = $4, parent_id = $5, description = $6, website = $7, \
         updated_at = $8 WHERE id = $1",
    )
    .bind(id.0)
    .bind(&f.name)
    .bind(name_key(&f.name))
    .bind(f.kind.as_str())
    .bind(f.parent_id.map(|p| p.0))
    .bind(&f.description)
    .bind(&f.website)
    .bind(now)
    .execute(c)
    .await)?;
    Ok(())
}

pub async fn get(h: &mut Handle, id: OrganisationId) -> StoreResult<Option<Organisation>> {
    let row: Option<Row> = on_engine!(h, c => sqlx::query_as(
        "SELECT id, name, kind, parent_id, description, website, created_at, updated_at FROM organisations WHERE id = $1",
    ).bind(id.0).fetch_optional(c).await)?;
    row.map(Row::into_domain).transpose()
}

/// A page of organisations in name order, after the cursor `(name_key, id)`.
pub async fn list(
    h: &mut Handle,
    after: Option<(String, OrganisationId)>,
    limit: i64,
) -> StoreResult<Vec<Organisation>> {
    let (after_key, after_id) = match after {
        Some((key, id)) => (Some(key), Some(id.0)),
        None => (None, None),
    };
    let rows: Vec<Row> = on_engine!(h, c => sqlx::query_as(
        "SELECT id, name, kind, parent_id, description, website, created_at, updated_at FROM organisations \
         WHERE ($1 IS NULL OR name_key > $1 OR (name_key = $1 AND id > $2)) ORDER BY name_key, id LIMIT $3",
    )
    .bind(after_key)
    .bind(after_id)
    .bind(limit)
    .fetch_all(c)
    .await)?;
    rows.into_iter().map(Row::into_domain).collect()
}

/// The chain of ancestors from `id`'s parent upward (bounded, in case of stored damage).
pub async fn ancestors(h: &mut Handle, id: OrganisationId) -> StoreResult<Vec<OrganisationId>> {
    let ids: Vec<Uuid> = on_engine!(h, c => sqlx::query_scalar(
        "WITH RECURSIVE up(id, depth) AS ( \
           SELECT parent_id, 1 FROM organisations WHERE id = $1 AND parent_id IS NOT NULL \
           UNION ALL \
           SELECT o.parent_id, up.depth + 1 FROM organisations o JOIN up ON o.id = up.id \
           WHERE o.parent_id IS NOT NULL AND up.depth < 64 \
         ) SELECT id FROM up ORDER BY depth",
    )
    .bind(id.0)
    .fetch_all(c)
    .await)?;
    Ok(ids.into_iter().map(Into::into).collect())
}
