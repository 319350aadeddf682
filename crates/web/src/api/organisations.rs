//! `/api/v1/organisations`: the directory of public bodies and partners.

use axum::Json;
use axum::http::StatusCode;
use concord_app::organisations as service;
use concord_domain::OrganisationId;
use concord_domain::organisation::{Organisation, OrganisationInput};
use concord_domain::user::User;

use super::{ApiJson, ApiPath, ApiQuery, PageParams, list_type};
use crate::context::Ctx;
use crate::error::ApiError;

list_type!(OrganisationList, Organisation);
list_type!(AccountList, User);

/// Organisations in name order (public directory).
#[utoipa::path(get, path = "/api/v1/organisations", tag = "organisations", params(PageParams),
    responses((status = 200, body = OrganisationList)))]
pub async fn list(
    ctx: Ctx,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<OrganisationList>, ApiError> {
    Ok(Json(
        service::list(&ctx.app, &ctx.actor, page.cursor.as_deref(), page.limit)
            .await?
            .into(),
    ))
}

/// Creates an organisation (platform admins).
#[utoipa::path(post, path = "/api/v1/organisations", tag = "organisations", request_body = OrganisationInput,
    security(("bearer" = [])),
    responses((status = 201, body = Organisation), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn create(
    ctx: Ctx,
    ApiJson(input): ApiJson<OrganisationInput>,
) -> Result<(StatusCode, Json<Organisation>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(service::create(&ctx.app, &ctx.actor, &input).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/organisations/{id}", tag = "organisations", params(("id" = String, Path)),
    responses((status = 200, body = Organisation), (status = 404, body = crate::error::Problem)))]
pub async fn get(
    ctx: Ctx,
    ApiPath(id): ApiPath<OrganisationId>,
) -> Result<Json<Organisation>, ApiError> {
    Ok(Json(service::get(&ctx.app, &ctx.actor, id).await?))
}

/// Edits an organisation (its own admins, or platform admins). A parent may not close a cycle.
#[utoipa::path(put, path = "/api/v1/organisations/{id}", tag = "organisations", params(("id" = String, Path)),
    request_body = OrganisationInput, security(("bearer" = [])),
    responses((status = 200, body = Organisation), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn update(
    ctx: Ctx,
    ApiPath(id): ApiPath<OrganisationId>,
    ApiJson(input): ApiJson<OrganisationInput>,
) -> Result<Json<Organisation>, ApiError> {
    Ok(Json(
        service::update(&ctx.app, &ctx.actor, id, &input).await?,
    ))
}

/// The organisation's accounts (its admins, or platform admins).
#[utoipa::path(get, path = "/api/v1/organisations/{id}/accounts", tag = "accounts", params(("id" = String, Path), PageParams),
    security(("bearer" = [])),
    responses((status = 200, body = AccountList), (status = 404, body = crate::error::Problem)))]
pub async fn accounts(
    ctx: Ctx,
    ApiPath(id): ApiPath<OrganisationId>,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<AccountList>, ApiError> {
    Ok(Json(
        concord_app::accounts::list(&ctx.app, &ctx.actor, id, page.cursor.as_deref(), page.limit)
            .await?
            .into(),
    ))
}
