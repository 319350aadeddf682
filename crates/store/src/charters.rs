//! Charter versions and their sign-offs. Callers check the policy on the collaboration first.

use chrono::{DateTime, Utc};
use concord_domain::charter::{CharterVersion, CharterVersionSummary};
use concord_domain::{CollaborationId, OrganisationId, UserId};
use uuid::Uuid;

use crate::{Handle, StoreResult, on_engine, on_engine_exec};

#[derive(sqlx::FromRow)]
struct Row {
    collaboration_id: Uuid,
    version: i64,
    body: String,
    edited_by_name: Option<String>,
    edited_at: DateTime<Utc>,
}

impl From<Row> for CharterVersion {
    fn from(row: Row) -> Self {
        CharterVersion {
            collaboration_id: row.collaboration_id.into(),
            version: row.version,
            body: row.body,
            edited_by_name: row.edited_by_name,
            edited_at: row.edited_at,
        }
    }
}

macro_rules! select_versions {
    () => {
        "SELECT v.collaboration_id, v.version, v.body, u.display_name AS edited_by_name, v.edited_at \
         FROM charter_versions v LEFT JOIN users u ON u.id = v.edited_by WHERE v.collaboration_id = $1 "
    };
}

/// The newest version, if the collaboration has a charter.
pub async fn current(
    h: &mut Handle,
    collaboration: CollaborationId,
) -> StoreResult<Option<CharterVersion>> {
    let row: Option<Row> = on_engine!(h, c => sqlx::query_as(concat!(
        select_versions!(),
        "ORDER BY v.version DESC LIMIT 1"
    ))
    .bind(collaboration.0)
    .fetch_optional(c)
    .await)?;
    Ok(row.map(Into::into))
}

pub async fn version(
    h: &mut Handle,
    collaboration: CollaborationId,
    version: i64,
) -> StoreResult<Option<CharterVersion>> {
    let row: Option<Row> = on_engine!(h, c => sqlx::query_as(concat!(
        select_versions!(),
        "AND v.version = $2"
    ))
    .bind(collaboration.0)
    .bind(version)
    .fetch_optional(c)
    .await)?;
    Ok(row.map(Into::into))
}

/// Every version, newest first, without bodies.
pub async fn versions(
    h: &mut Handle,
    collaboration: CollaborationId,
) -> StoreResult<Vec<CharterVersionSummary>> {
    let rows: Vec<(i64, Option<String>, DateTime<Utc>)> = on_engine!(h, c => sqlx::query_as(
        "SELECT v.version, u.display_name, v.edited_at \
         FROM charter_versions v LEFT JOIN users u ON u.id = v.edited_by \
         WHERE v.collaboration_id = $1 ORDER BY v.version DESC LIMIT 1000",
    )
    .bind(collaboration.0)
    .fetch_all(c)
    .await)?;
    Ok(rows
        .into_iter()
        .map(
            |(version, edited_by_name, edited_at)| CharterVersionSummary {
                version,
                edited_by_name,
                edited_at,
            },
        )
        .collect())
}

pub async fn insert_version(
    h: &mut Handle,
    collaboration: CollaborationId,
    version: i64,
    body: &str,
    by: UserId,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    on_engine_exec!(h, c => sqlx::query(
        "INSERT INTO charter_versions (collaboration_id, version, body, edited_by, edited_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(collaboration.0)
    .bind(version)
    .bind(body)
    .bind(by.0)
    .bind(now)
    .execute(c)
    .await)?;
    Ok(())
}

/// One sign-off of a version: organisation id, signer's name, when.
pub type SignOffRow = (OrganisationId, Option<String>, DateTime<Utc>);

/// The sign-offs of one version.
pub async fn sign_offs(
    h: &mut Handle,
    collaboration: CollaborationId,
    version: i64,
) -> StoreResult<Vec<SignOffRow>> {
    let rows: Vec<(Uuid, Option<String>, DateTime<Utc>)> = on_engine!(h, c => sqlx::query_as(
        "SELECT s.organisation_id, u.display_name, s.signed_at \
         FROM charter_signoffs s LEFT JOIN users u ON u.id = s.signed_by \
         WHERE s.collaboration_id = $1 AND s.version = $2",
    )
    .bind(collaboration.0)
    .bind(version)
    .fetch_all(c)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|(org, name, at)| (org.into(), name, at))
        .collect())
}

/// Records a sign-off; returns false when the organisation had already signed this version.
pub async fn insert_sign_off(
    h: &mut Handle,
    collaboration: CollaborationId,
    version: i64,
    organisation: OrganisationId,
    by: UserId,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let inserted = on_engine_exec!(h, c => sqlx::query(
        "INSERT INTO charter_signoffs (collaboration_id, version, organisation_id, signed_by, signed_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (collaboration_id, version, organisation_id) DO NOTHING",
    )
    .bind(collaboration.0)
    .bind(version)
    .bind(organisation.0)
    .bind(by.0)
    .bind(now)
    .execute(c)
    .await)?;
    Ok(inserted > 0)
}
