//! Review schedules and reviews with their assessments and adjustments. Callers check the policy on
//! the collaboration first.

use chrono::{DateTime, NaiveDate, Utc};
use concord_domain::evaluation::Status;
use concord_domain::review::{
    AdjustmentFields, AdjustmentKind, Review, ReviewAdjustment, ReviewAssessment, ReviewCadence,
    ReviewSchedule, ReviewSummary,
};
use concord_domain::{CollaborationId, ObjectiveId, ReviewId, UserId};
use uuid::Uuid;

use crate::{Handle, StoreResult, on_engine, on_engine_exec, parse_stored};

pub async fn schedule(
    h: &mut Handle,
    collaboration: CollaborationId,
) -> StoreResult<Option<ReviewSchedule>> {
    let row: Option<(String, NaiveDate)> = on_engine!(h, c => sqlx::query_as(
        "SELECT cadence, next_due FROM review_schedules WHERE collaboration_id = $1",
    )
    .bind(collaboration.0)
    .fetch_optional(c)
    .await)?;
    row.map(|(cadence, next_due)| {
        Ok(ReviewSchedule {
            collaboration_id: collaboration,
            cadence: parse_stored(&cadence, ReviewCadence::parse)?,
            next_due,
        })
    })
    .transpose()
}

/// Sets (or replaces) a collaboration's schedule.
pub async fn put_schedule(
    h: &mut Handle,
    collaboration: CollaborationId,
    cadence: ReviewCadence,
    next_due: NaiveDate,
) -> StoreResult<()> {
    on_engine_exec!(h, c => sqlx::query(
        "INSERT INTO review_schedules (collaboration_id, cadence, next_due) VALUES ($1, $2, $3) \
         ON CONFLICT (collaboration_id) DO UPDATE SET cadence = excluded.cadence, next_due = excluded.next_due",
    )
    .bind(collaboration.0)
    .bind(cadence.as_str())
    .bind(next_due)
    .execute(c)
    .await)?;
    Ok(())
}

pub async fn insert(
    h: &mut Handle,
    id: ReviewId,
    collaboration: CollaborationId,
    held_on: NaiveDate,
    summary: &str,
    by: UserId,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    on_engine_exec!(h, c => sqlx::query(
        "INSERT INTO reviews (id, collaboration_id, held_on, summary, recorded_by, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id.0)
    .bind(collaboration.0)
    .bind(held_on)
    .bind(summary)
    .bind(by.0)
    .bind(now)
    .execute(c)
    .await)?;
    Ok(())
}

pub async fn insert_assessment(
    h: &mut Handle,
    review: ReviewId,
    objective: ObjectiveId,
    computed: Status,
    override_status: Option<Status>,
    override_reason: Option<&str>,
) -> StoreResult<()> {
    on_engine_exec!(h, c => sqlx::query(
        "INSERT INTO review_assessments (review_id, objective_id, computed_status, override_status, override_reason) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(review.0)
    .bind(objective.0)
    .bind(computed.as_str())
    .bind(override_status.map(Status::as_str))
    .bind(override_reason)
    .execute(c)
    .await)?;
    Ok(())
}

pub async fn insert_adjustment(
    h: &mut Handle,
    review: ReviewId,
    position: i64,
    adjustment: &AdjustmentFields,
) -> StoreResult<()> {
    on_engine_exec!(h, c => sqlx::query(
        "INSERT INTO review_adjustments (review_id, position, kind, description, link) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(review.0)
    .bind(position)
    .bind(adjustment.kind.as_str())
    .bind(&adjustment.description)
    .bind(&adjustment.link)
    .execute(c)
    .await)?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    collaboration_id: Uuid,
    held_on: NaiveDate,
    summary: String,
    recorded_by_name: Option<String>,
    recorded_at: DateTime<Utc>,
}

impl From<Row> for ReviewSummary {
    fn from(row: Row) -> Self {
        ReviewSummary {
            id: row.id.into(),
            collaboration_id: row.collaboration_id.into(),
            held_on: row.held_on,
            summary: row.summary,
            recorded_by_name: row.recorded_by_name,
            recorded_at: row.recorded_at,
        }
    }
}

macro_rules! select_reviews {
    () => {
        "SELECT r.id, r.collaboration_id, r.held_on, r.summary, u.display_name AS recorded_by_name, r.recorded_at \
         FROM reviews r LEFT JOIN users u ON u.id = r.recorded_by "
    };
}

/// A collaboration's reviews, newest first.
pub async fn for_collaboration(
    h: &mut Handle,
    collaboration: CollaborationId,
) -> StoreResult<Vec<ReviewSummary>> {
    let rows: Vec<Row> = on_engine!(h, c => sqlx::query_as(concat!(
        select_reviews!(),
        "WHERE r.collaboration_id = $1 ORDER BY r.held_on DESC, r.recorded_at DESC, r.id DESC LIMIT 500"
    ))
    .bind(collaboration.0)
    .fetch_all(c)
    .await)?;
    Ok(rows.into_iter().map(Into::into).collect())
}

pub async fn collaboration_of(
    h: &mut Handle,
    id: ReviewId,
) -> StoreResult<Option<CollaborationId>> {
    let id: Option<Uuid> = on_engine!(h, c => sqlx::query_scalar("SELECT collaboration_id FROM reviews WHERE id = $1")
        .bind(id.0)
        .fetch_optional(c)
        .await)?;
    Ok(id.map(Into::into))
}

/// objective id, title, computed status, override status, override reason.
type AssessmentRow = (Uuid, String, String, Option<String>, Option<String>);

/// position, kind, description, link.
type AdjustmentRow = (i64, String, String, Option<String>);

/// A review with its assessments (in the objectives' order) and adjustments.
pub async fn get(h: &mut Handle, id: ReviewId) -> StoreResult<Option<Review>> {
    let row: Option<Row> = on_engine!(h, c => sqlx::query_as(concat!(select_reviews!(), "WHERE r.id = $1"))
        .bind(id.0)
        .fetch_optional(c)
        .await)?;
    let Some(row) = row else {
        return Ok(None);
    };
    let assessments: Vec<AssessmentRow> = on_engine!(h, c => sqlx::query_as(
        "SELECT a.objective_id, ob.title, a.computed_status, a.override_status, a.override_reason \
         FROM review_assessments a JOIN objectives ob ON ob.id = a.objective_id \
         WHERE a.review_id = $1 ORDER BY ob.position, ob.id",
    )
    .bind(id.0)
    .fetch_all(c)
    .await)?;
    let adjustments: Vec<AdjustmentRow> = on_engine!(h, c => sqlx::query_as(
        "SELECT position, kind, description, link FROM review_adjustments WHERE review_id = $1 ORDER BY position",
    )
    .bind(id.0)
    .fetch_all(c)
    .await)?;
    let assessments = assessments
        .into_iter()
        .map(|(objective_id, objective_title, computed, over, reason)| {
            Ok(ReviewAssessment {
                objective_id: objective_id.into(),
                objective_title,
                computed_status: parse_stored(&computed, Status::parse)?,
                override_status: over
                    .as_deref()
                    .map(|s| parse_stored(s, Status::parse))
                    .transpose()?,
                override_reason: reason,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    let adjustments = adjustments
        .into_iter()
        .map(|(position, kind, description, link)| {
            Ok(ReviewAdjustment {
                position,
                kind: parse_stored(&kind, AdjustmentKind::parse)?,
                description,
                link,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(Some(Review {
        review: row.into(),
        assessments,
        adjustments,
    }))
}
