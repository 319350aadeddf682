//! `/api/v1/collaborations/{id}/charter`, its versions and sign-offs.

use axum::Json;
use concord_app::charter::{self as service, CharterView};
use concord_domain::CollaborationId;
use concord_domain::charter::{CharterInput, CharterVersionSummary};

use super::{ApiJson, ApiPath};
use crate::context::Ctx;
use crate::error::ApiError;

/// The current charter (Markdown) and, for each active member organisation, whether it has signed
/// off this version. `current` is null until the charter is written.
#[utoipa::path(get, path = "/api/v1/collaborations/{id}/charter", tag = "charter", params(("id" = String, Path)),
    responses((status = 200, body = CharterView), (status = 404, body = crate::error::Problem)))]
pub async fn get(
    ctx: Ctx,
    ApiPath(id): ApiPath<CollaborationId>,
) -> Result<Json<CharterView>, ApiError> {
    Ok(Json(service::get(&ctx.app, &ctx.actor, id).await?))
}

/// Saves a new version of the charter (coordinators). The new version starts with no sign-offs;
/// an unchanged body saves nothing.
#[utoipa::path(put, path = "/api/v1/collaborations/{id}/charter", tag = "charter", params(("id" = String, Path)),
    request_body = CharterInput, security(("bearer" = [])),
    responses((status = 200, body = CharterView), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn put(
    ctx: Ctx,
    ApiPath(id): ApiPath<CollaborationId>,
    ApiJson(input): ApiJson<CharterInput>,
) -> Result<Json<CharterView>, ApiError> {
    Ok(Json(service::edit(&ctx.app, &ctx.actor, id, &input).await?))
}

/// Every version of the charter, newest first.
#[utoipa::path(get, path = "/api/v1/collaborations/{id}/charter/versions", tag = "charter", params(("id" = String, Path)),
    responses((status = 200, body = Vec<CharterVersionSummary>), (status = 404, body = crate::error::Problem)))]
pub async fn versions(
    ctx: Ctx,
    ApiPath(id): ApiPath<CollaborationId>,
) -> Result<Json<Vec<CharterVersionSummary>>, ApiError> {
    Ok(Json(service::versions(&ctx.app, &ctx.actor, id).await?))
}

/// Signs off the current version for the caller's organisation (its admin, when the organisation
/// is an active member). Signing again is a no-op. 409 `charter_missing` when there is no charter.
#[utoipa::path(post, path = "/api/v1/collaborations/{id}/charter/sign-off", tag = "charter", params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = CharterView), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
pub async fn sign_off(
    ctx: Ctx,
    ApiPath(id): ApiPath<CollaborationId>,
) -> Result<Json<CharterView>, ApiError> {
    Ok(Json(service::sign_off(&ctx.app, &ctx.actor, id).await?))
}
