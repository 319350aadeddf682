//! `/api/v1/tokens`: the caller's personal API tokens.

use axum::Json;
use axum::http::StatusCode;
use concord_app::auth::{self, CreatedToken, TokenInput};
use concord_domain::TokenId;
use concord_domain::user::ApiToken;

use super::{ApiJson, ApiPath};
use crate::context::Ctx;
use crate::error::ApiError;

#[utoipa::path(get, path = "/api/v1/tokens", tag = "tokens", security(("bearer" = [])),
    responses((status = 200, body = Vec<ApiToken>), (status = 401, body = crate::error::Problem)))]
pub async fn list(ctx: Ctx) -> Result<Json<Vec<ApiToken>>, ApiError> {
    Ok(Json(auth::list_tokens(&ctx.app, &ctx.actor).await?))
}

/// Creates a token; its secret is in this response only.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "tokens", request_body = TokenInput, security(("bearer" = [])),
    responses((status = 201, body = CreatedToken), (status = 422, body = crate::error::Problem)))]
pub async fn create(
    ctx: Ctx,
    ApiJson(input): ApiJson<TokenInput>,
) -> Result<(StatusCode, Json<CreatedToken>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(auth::create_token(&ctx.app, &ctx.actor, &input).await?),
    ))
}

#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "tokens", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 404, body = crate::error::Problem)))]
pub async fn revoke(ctx: Ctx, ApiPath(id): ApiPath<TokenId>) -> Result<StatusCode, ApiError> {
    auth::revoke_token(&ctx.app, &ctx.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
