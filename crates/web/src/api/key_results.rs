//! `/api/v1/objectives/{id}/key-results`, `/api/v1/key-results/{id}` and measurements.

use axum::Json;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use concord_app::key_results::{self as service, KeyResultSummary, KeyResultView};
use concord_domain::key_result::{KeyResultInput, MeasurementInput, MeasurementRecord};
use concord_domain::{CollaborationId, KeyResultId, ObjectiveId};

use super::{ApiJson, ApiPath};
use crate::context::Ctx;
use crate::error::{ApiError, BadRequest};

/// An objective's key results with progress, status and SMART findings.
#[utoipa::path(get, path = "/api/v1/objectives/{id}/key-results", tag = "objectives", params(("id" = String, Path)),
    responses((status = 200, body = Vec<KeyResultSummary>), (status = 404, body = crate::error::Problem)))]
pub async fn list(
    ctx: Ctx,
    ApiPath(id): ApiPath<ObjectiveId>,
) -> Result<Json<Vec<KeyResultSummary>>, ApiError> {
    Ok(Json(
        service::for_objective(&ctx.app, &ctx.actor, id).await?,
    ))
}

/// Adds a key result to an objective (coordinators and contributors).
#[utoipa::path(post, path = "/api/v1/objectives/{id}/key-results", tag = "objectives", params(("id" = String, Path)),
    request_body = KeyResultInput, security(("bearer" = [])),
    responses((status = 201, body = KeyResultView), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn create(
    ctx: Ctx,
    ApiPath(id): ApiPath<ObjectiveId>,
    ApiJson(input): ApiJson<KeyResultInput>,
) -> Result<(StatusCode, Json<KeyResultView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(service::create(&ctx.app, &ctx.actor, id, &input).await?),
    ))
}

/// A key result with its evaluation, target history and measurements.
#[utoipa::path(get, path = "/api/v1/key-results/{id}", tag = "objectives", params(("id" = String, Path)),
    responses((status = 200, body = KeyResultView), (status = 404, body = crate::error::Problem)))]
pub async fn get(
    ctx: Ctx,
    ApiPath(id): ApiPath<KeyResultId>,
) -> Result<Json<KeyResultView>, ApiError> {
    Ok(Json(service::get(&ctx.app, &ctx.actor, id).await?))
}

/// Replaces a key result's fields. Changing the target needs `target_change_reason`; the old
/// target is kept as a version.
#[utoipa::path(put, path = "/api/v1/key-results/{id}", tag = "objectives", params(("id" = String, Path)),
    request_body = KeyResultInput, security(("bearer" = [])),
    responses((status = 200, body = KeyResultView), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn update(
    ctx: Ctx,
    ApiPath(id): ApiPath<KeyResultId>,
    ApiJson(input): ApiJson<KeyResultInput>,
) -> Result<Json<KeyResultView>, ApiError> {
    Ok(Json(
        service::update(&ctx.app, &ctx.actor, id, &input).await?,
    ))
}

/// Records a measurement of a key result.
#[utoipa::path(post, path = "/api/v1/key-results/{id}/measurements", tag = "objectives", params(("id" = String, Path)),
    request_body = MeasurementInput, security(("bearer" = [])),
    responses((status = 201, body = MeasurementRecord), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn record(
    ctx: Ctx,
    ApiPath(id): ApiPath<KeyResultId>,
    ApiJson(input): ApiJson<MeasurementInput>,
) -> Result<(StatusCode, Json<MeasurementRecord>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(service::record_measurement(&ctx.app, &ctx.actor, id, &input).await?),
    ))
}

/// How many rows an import stored.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ImportResult {
    pub imported: usize,
}

/// Imports measurements from CSV (`text/csv`, UTF-8) with the header `key_result_id,date,value[,source]`.
/// All or nothing: when any row is bad, nothing is stored and every bad row is listed as
/// `rows[N].column` in the problem's `errors`.
#[utoipa::path(post, path = "/api/v1/collaborations/{id}/measurements/import", tag = "objectives", params(("id" = String, Path)),
    request_body(content = String, content_type = "text/csv"), security(("bearer" = [])),
    responses((status = 201, body = ImportResult), (status = 404, body = crate::error::Problem), (status = 415, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn import(
    ctx: Ctx,
    ApiPath(id): ApiPath<CollaborationId>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type.to_ascii_lowercase().starts_with("text/csv") {
        return BadRequest::unsupported_media_type("text/csv").into_response();
    }
    match service::import_csv(&ctx.app, &ctx.actor, id, &body).await {
        Ok(imported) => (StatusCode::CREATED, Json(ImportResult { imported })).into_response(),
        Err(error) => ApiError(error).into_response(),
    }
}
