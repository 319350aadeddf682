//! `/api/v1/collaborations/{id}/reviews`, `/api/v1/reviews/{id}` and
//! `/api/v1/collaborations/{id}/review-schedule`.

use axum::Json;
use axum::http::StatusCode;
use concord_app::reviews as service;
use concord_domain::review::{Review, ReviewInput, ReviewSchedule, ReviewSummary, ScheduleInput};
use concord_domain::{CollaborationId, ReviewId};

use super::{ApiJson, ApiPath};
use crate::context::Ctx;
use crate::error::ApiError;

/// The collaboration's reviews, newest first.
#[utoipa::path(get, path = "/api/v1/collaborations/{id}/reviews", tag = "reviews", params(("id" = String, Path)),
    responses((status = 200, body = Vec<ReviewSummary>), (status = 404, body = crate::error::Problem)))]
pub async fn list(
    ctx: Ctx,
    ApiPath(id): ApiPath<CollaborationId>,
) -> Result<Json<Vec<ReviewSummary>>, ApiError> {
    Ok(Json(service::list(&ctx.app, &ctx.actor, id).await?))
}

/// Records a review (coordinators and contributors). Every objective of the collaboration is
/// assessed with its computed status; `assessments` override some of them, each override with a
/// reason. The next review's due date moves one cadence after `held_on`.
#[utoipa::path(post, path = "/api/v1/collaborations/{id}/reviews", tag = "reviews", params(("id" = String, Path)),
    request_body = ReviewInput, security(("bearer" = [])),
    responses((status = 201, body = Review), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn create(
    ctx: Ctx,
    ApiPath(id): ApiPath<CollaborationId>,
    ApiJson(input): ApiJson<ReviewInput>,
) -> Result<(StatusCode, Json<Review>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(service::record(&ctx.app, &ctx.actor, id, &input).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/reviews/{id}", tag = "reviews", params(("id" = String, Path)),
    responses((status = 200, body = Review), (status = 404, body = crate::error::Problem)))]
pub async fn get(ctx: Ctx, ApiPath(id): ApiPath<ReviewId>) -> Result<Json<Review>, ApiError> {
    Ok(Json(service::get(&ctx.app, &ctx.actor, id).await?))
}

/// Sets the review cadence and the next review's due date (coordinators).
#[utoipa::path(put, path = "/api/v1/collaborations/{id}/review-schedule", tag = "reviews", params(("id" = String, Path)),
    request_body = ScheduleInput, security(("bearer" = [])),
    responses((status = 200, body = ReviewSchedule), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn set_schedule(
    ctx: Ctx,
    ApiPath(id): ApiPath<CollaborationId>,
    ApiJson(input): ApiJson<ScheduleInput>,
) -> Result<Json<ReviewSchedule>, ApiError> {
    Ok(Json(
        service::set_schedule(&ctx.app, &ctx.actor, id, &input).await?,
    ))
}

/// The review schedule and whether the next review is overdue.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ScheduleView {
    /// Absent until a coordinator sets a cadence.
    pub schedule: Option<ReviewSchedule>,
    pub overdue: bool,
}

/// The review cadence, the next review's due date, and whether it is overdue.
#[utoipa::path(get, path = "/api/v1/collaborations/{id}/review-schedule", tag = "reviews", params(("id" = String, Path)),
    responses((status = 200, body = ScheduleView), (status = 404, body = crate::error::Problem)))]
pub async fn get_schedule(
    ctx: Ctx,
    ApiPath(id): ApiPath<CollaborationId>,
) -> Result<Json<ScheduleView>, ApiError> {
    let overview = service::overview(&ctx.app, &ctx.actor, id).await?;
    Ok(Json(ScheduleView {
        schedule: overview.schedule,
        overdue: overview.overdue,
    }))
}
