//! `/api/v1/accounts` and `/api/v1/me`.

use axum::Json;
use axum::http::StatusCode;
use concord_app::accounts as service;
use concord_domain::UserId;
use concord_domain::user::{AccountInput, User};

use super::{ApiJson, ApiPath};
use crate::context::Ctx;
use crate::error::ApiError;

/// Creates an account in an organisation the caller administers.
#[utoipa::path(post, path = "/api/v1/accounts", tag = "accounts", request_body = AccountInput, security(("bearer" = [])),
    responses((status = 201, body = User), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn create(
    ctx: Ctx,
    ApiJson(input): ApiJson<AccountInput>,
) -> Result<(StatusCode, Json<User>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(service::create(&ctx.app, &ctx.actor, &input).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/accounts/{id}", tag = "accounts", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = User), (status = 404, body = crate::error::Problem)))]
pub async fn get(ctx: Ctx, ApiPath(id): ApiPath<UserId>) -> Result<Json<User>, ApiError> {
    Ok(Json(service::get(&ctx.app, &ctx.actor, id).await?))
}

/// Deactivates an account: its sessions and tokens stop working on the next request.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/deactivate", tag = "accounts", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = User), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
pub async fn deactivate(ctx: Ctx, ApiPath(id): ApiPath<UserId>) -> Result<Json<User>, ApiError> {
    Ok(Json(
        service::set_active(&ctx.app, &ctx.actor, id, false).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/accounts/{id}/reactivate", tag = "accounts", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = User), (status = 404, body = crate::error::Problem)))]
pub async fn reactivate(ctx: Ctx, ApiPath(id): ApiPath<UserId>) -> Result<Json<User>, ApiError> {
    Ok(Json(
        service::set_active(&ctx.app, &ctx.actor, id, true).await?,
    ))
}

/// The caller's own account.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = User), (status = 401, body = crate::error::Problem)))]
pub async fn me(ctx: Ctx) -> Result<Json<User>, ApiError> {
    let id = ctx
        .actor
        .user_id()
        .ok_or(concord_app::AppError::Unauthenticated)?;
    Ok(Json(service::get(&ctx.app, &ctx.actor, id).await?))
}
