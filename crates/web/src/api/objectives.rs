//! `/api/v1/collaborations/{id}/objectives` and `/api/v1/objectives/{id}`.

use axum::Json;
use axum::http::StatusCode;
use concord_app::objectives::{self as service, ObjectiveView};
use concord_domain::objective::{Objective, ObjectiveInput};
use concord_domain::{CollaborationId, ObjectiveId};

use super::{ApiJson, ApiPath};
use crate::context::Ctx;
use crate::error::ApiError;

/// The collaboration's objectives, in their agreed order.
#[utoipa::path(get, path = "/api/v1/collaborations/{id}/objectives", tag = "objectives", params(("id" = String, Path)),
    responses((status = 200, body = Vec<Objective>), (status = 404, body = crate::error::Problem)))]
pub async fn list(
    ctx: Ctx,
    ApiPath(id): ApiPath<CollaborationId>,
) -> Result<Json<Vec<Objective>>, ApiError> {
    Ok(Json(service::list(&ctx.app, &ctx.actor, id).await?))
}

/// Adds an objective (coordinators and contributors). The owner must be named on the collaboration
/// and the owning organisation an active member.
#[utoipa::path(post, path = "/api/v1/collaborations/{id}/objectives", tag = "objectives", params(("id" = String, Path)),
    request_body = ObjectiveInput, security(("bearer" = [])),
    responses((status = 201, body = ObjectiveView), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn create(
    ctx: Ctx,
    ApiPath(id): ApiPath<CollaborationId>,
    ApiJson(input): ApiJson<ObjectiveInput>,
) -> Result<(StatusCode, Json<ObjectiveView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(service::create(&ctx.app, &ctx.actor, id, &input).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/objectives/{id}", tag = "objectives", params(("id" = String, Path)),
    responses((status = 200, body = ObjectiveView), (status = 404, body = crate::error::Problem)))]
pub async fn get(
    ctx: Ctx,
    ApiPath(id): ApiPath<ObjectiveId>,
) -> Result<Json<ObjectiveView>, ApiError> {
    Ok(Json(service::get(&ctx.app, &ctx.actor, id).await?))
}

/// Replaces an objective's fields. Dropping it needs a `drop_reason`.
#[utoipa::path(put, path = "/api/v1/objectives/{id}", tag = "objectives", params(("id" = String, Path)),
    request_body = ObjectiveInput, security(("bearer" = [])),
    responses((status = 200, body = ObjectiveView), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn update(
    ctx: Ctx,
    ApiPath(id): ApiPath<ObjectiveId>,
    ApiJson(input): ApiJson<ObjectiveInput>,
) -> Result<Json<ObjectiveView>, ApiError> {
    Ok(Json(
        service::update(&ctx.app, &ctx.actor, id, &input).await?,
    ))
}

/// Where to move an objective.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct MoveInput {
    /// `up` or `down`.
    pub direction: service::Move,
}

/// Moves an objective one place up or down in the collaboration's order; returns the new order.
#[utoipa::path(post, path = "/api/v1/objectives/{id}/move", tag = "objectives", params(("id" = String, Path)),
    request_body = MoveInput, security(("bearer" = [])),
    responses((status = 200, body = Vec<Objective>), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
pub async fn move_objective(
    ctx: Ctx,
    ApiPath(id): ApiPath<ObjectiveId>,
    ApiJson(input): ApiJson<MoveInput>,
) -> Result<Json<Vec<Objective>>, ApiError> {
    Ok(Json(
        service::move_objective(&ctx.app, &ctx.actor, id, input.direction).await?,
    ))
}
