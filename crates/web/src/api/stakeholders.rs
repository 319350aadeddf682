//! Stakeholders: `/api/v1/collaborations/{id}/stakeholders` (the register, flags, CSV import and
//! export, the early-involvement window), `/api/v1/stakeholders/{id}` (with a person's data rights),
//! the engagement log, the RACI matrix and the caller's own flags and follow-ups.
//!
//! Persons' names, contact details and stakes are withheld from readers who are not members of the
//! collaboration (`personal_data_withheld` is then true); the engagement log and the flags are for
//! members only.

use axum::Json;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use concord_app::AppError;
use concord_app::stakeholders::{
    self as service, FlaggedStakeholder, FollowUp, PersonalDataExport, RaciMatrix, Register,
    RegisterQuery, StakeholderDetail,
};
use concord_domain::stakeholder::{
    Engagement, EngagementInput, Erased, IntOrText, RaciInput, StakeholderInput,
};
use concord_domain::{CollaborationId, EngagementId, StakeholderId};

use super::key_results::ImportResult;
use super::{ApiJson, ApiPath, ApiQuery, list_type};
use crate::context::Ctx;
use crate::error::{ApiError, BadRequest};

list_type!(EngagementList, Engagement);

/// The register: the power/interest grid (a stakeholder is in a "high" half from a score of 3)
/// and one page of the list, both after the filters. An unknown filter value is a field error.
#[utoipa::path(get, path = "/api/v1/collaborations/{id}/stakeholders", tag = "stakeholders",
    params(("id" = String, Path), RegisterQuery),
    responses((status = 200, body = Register), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn register(
    ctx: Ctx,
    ApiPath(id): ApiPath<CollaborationId>,
    ApiQuery(query): ApiQuery<RegisterQuery>,
) -> Result<Json<Register>, ApiError> {
    Ok(Json(
        service::register(&ctx.app, &ctx.actor, id, &query).await?,
    ))
}

/// Adds a stakeholder to the register (coordinators and contributors). `influence` and
/// `interest` are whole numbers from 1 to 5 (as JSON numbers or strings).
#[utoipa::path(post, path = "/api/v1/collaborations/{id}/stakeholders", tag = "stakeholders", params(("id" = String, Path)),
    request_body = StakeholderInput, security(("bearer" = [])),
    responses((status = 201, body = StakeholderDetail), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn create(
    ctx: Ctx,
    ApiPath(id): ApiPath<CollaborationId>,
    ApiJson(input): ApiJson<StakeholderInput>,
) -> Result<(StatusCode, Json<StakeholderDetail>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(service::create(&ctx.app, &ctx.actor, id, &input).await?),
    ))
}

/// A stakeholder with the flags they raise today and their recent engagements (both for members
/// only) and what the caller may do.
#[utoipa::path(get, path = "/api/v1/stakeholders/{id}", tag = "stakeholders", params(("id" = String, Path)),
    responses((status = 200, body = StakeholderDetail), (status = 404, body = crate::error::Problem)))]
pub async fn get(
    ctx: Ctx,
    ApiPath(id): ApiPath<StakeholderId>,
) -> Result<Json<StakeholderDetail>, ApiError> {
    Ok(Json(service::get(&ctx.app, &ctx.actor, id).await?))
}

/// Replaces a stakeholder's fields.
#[utoipa::path(put, path = "/api/v1/stakeholders/{id}", tag = "stakeholders", params(("id" = String, Path)),
    request_body = StakeholderInput, security(("bearer" = [])),
    responses((status = 200, body = StakeholderDetail), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn update(
    ctx: Ctx,
    ApiPath(id): ApiPath<StakeholderId>,
    ApiJson(input): ApiJson<StakeholderInput>,
) -> Result<Json<StakeholderDetail>, ApiError> {
    Ok(Json(
        service::update(&ctx.app, &ctx.actor, id, &input).await?,
    ))
}

/// Removes a stakeholder from the register. Engagements shared with others stay; their RACI
/// cells go.
#[utoipa::path(delete, path = "/api/v1/stakeholders/{id}", tag = "stakeholders", params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 204), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
pub async fn delete(ctx: Ctx, ApiPath(id): ApiPath<StakeholderId>) -> Result<StatusCode, ApiError> {
    service::delete(&ctx.app, &ctx.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Stakeholders needing attention, longest overdue first (members only): key stakeholders not
/// engaged within the early-involvement window, and stakeholders not engaged as often as agreed.
#[utoipa::path(get, path = "/api/v1/collaborations/{id}/stakeholders/flags", tag = "stakeholders", params(("id" = String, Path)),
    responses((status = 200, body = Vec<FlaggedStakeholder>), (status = 404, body = crate::error::Problem)))]
pub async fn flagged(
    ctx: Ctx,
    ApiPath(id): ApiPath<CollaborationId>,
) -> Result<Json<Vec<FlaggedStakeholder>>, ApiError> {
    Ok(Json(service::flagged(&ctx.app, &ctx.actor, id).await?))
}

/// Downloads the register as the caller may see it: `stakeholders.csv` or `stakeholders.json`.
/// CSV is UTF-8 with a header row (the import's columns first); text cells a spreadsheet would run
/// as a formula are prefixed with `'`. Persons' personal data is withheld from non-members.
#[utoipa::path(get, path = "/api/v1/collaborations/{id}/stakeholders/export/{file}", tag = "stakeholders",
    params(("id" = String, Path), ("file" = String, Path, description = "stakeholders.csv or stakeholders.json")),
    responses((status = 200, description = "The file", content(
            (String = "text/csv"),
            (Vec<serde_json::Value> = "application/json"))),
        (status = 404, body = crate::error::Problem)))]
pub async fn export(
    ctx: Ctx,
    ApiPath((id, file)): ApiPath<(CollaborationId, String)>,
) -> Result<Response, ApiError> {
    let export = service::export_file(&ctx.app, &ctx.actor, id, &file).await?;
    Ok(super::dashboard::attachment(export))
}

/// Imports stakeholders from CSV (`text/csv`, UTF-8, a header row naming the columns; see the
/// export's first columns). All or nothing: when any row is bad, nothing is stored and every bad
/// cell is listed as `rows[N].column` (N counts from 1 after the header), an unknown, missing or
/// repeated column as `columns.NAME`.
#[utoipa::path(post, path = "/api/v1/collaborations/{id}/stakeholders/import", tag = "stakeholders", params(("id" = String, Path)),
    request_body(content = String, content_type = "text/csv"), security(("bearer" = [])),
    responses((status = 200, body = ImportResult), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 415, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
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
        Ok(imported) => Json(ImportResult { imported }).into_response(),
        Err(error) => ApiError(error).into_response(),
    }
}

/// The early-involvement window as submitted.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct StakeholderSettingsInput {
    /// Days after the collaboration's start by which key stakeholders must have been engaged,
    /// 1 to 365.
    #[serde(default)]
    #[schema(value_type = i64)]
    pub early_window_days: IntOrText,
}

/// The collaboration's stakeholder settings.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct StakeholderSettings {
    pub early_window_days: i64,
}

/// Sets the early-involvement window (coordinators).
#[utoipa::path(put, path = "/api/v1/collaborations/{id}/stakeholder-settings", tag = "stakeholders", params(("id" = String, Path)),
    request_body = StakeholderSettingsInput, security(("bearer" = [])),
    responses((status = 200, body = StakeholderSettings), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn settings(
    ctx: Ctx,
    ApiPath(id): ApiPath<CollaborationId>,
    ApiJson(input): ApiJson<StakeholderSettingsInput>,
) -> Result<Json<StakeholderSettings>, ApiError> {
    let early_window_days =
        service::set_early_window(&ctx.app, &ctx.actor, id, &input.early_window_days).await?;
    Ok(Json(StakeholderSettings { early_window_days }))
}

/// Engagement log filters and pagination.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EngagementParams {
    /// Only engagements involving this stakeholder.
    pub stakeholder: Option<String>,
    /// Opaque cursor from a previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Page size, 1 to 100 (default 25).
    pub limit: Option<i64>,
}

/// The engagement log, newest first (members only).
#[utoipa::path(get, path = "/api/v1/collaborations/{id}/engagements", tag = "stakeholders",
    params(("id" = String, Path), EngagementParams),
    responses((status = 200, body = EngagementList), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn engagements(
    ctx: Ctx,
    ApiPath(id): ApiPath<CollaborationId>,
    ApiQuery(params): ApiQuery<EngagementParams>,
) -> Result<Json<EngagementList>, ApiError> {
    let stakeholder = params
        .stakeholder
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<StakeholderId>()
                .map_err(|_| AppError::invalid("stakeholder", "invalid_choice"))
        })
        .transpose()?;
    let page = service::engagements(
        &ctx.app,
        &ctx.actor,
        id,
        stakeholder,
        params.cursor.as_deref(),
        params.limit,
    )
    .await?;
    Ok(Json(page.into()))
}

/// Records an engagement with one or more of the collaboration's stakeholders (coordinators and
/// contributors). A follow-up needs an owner and a due date.
#[utoipa::path(post, path = "/api/v1/collaborations/{id}/engagements", tag = "stakeholders", params(("id" = String, Path)),
    request_body = EngagementInput, security(("bearer" = [])),
    responses((status = 201, body = Engagement), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn record_engagement(
    ctx: Ctx,
    ApiPath(id): ApiPath<CollaborationId>,
    ApiJson(input): ApiJson<EngagementInput>,
) -> Result<(StatusCode, Json<Engagement>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(service::record_engagement(&ctx.app, &ctx.actor, id, &input).await?),
    ))
}

/// One engagement (members only).
#[utoipa::path(get, path = "/api/v1/engagements/{id}", tag = "stakeholders", params(("id" = String, Path)),
    responses((status = 200, body = Engagement), (status = 404, body = crate::error::Problem)))]
pub async fn get_engagement(
    ctx: Ctx,
    ApiPath(id): ApiPath<EngagementId>,
) -> Result<Json<Engagement>, ApiError> {
    Ok(Json(
        service::get_engagement(&ctx.app, &ctx.actor, id).await?,
    ))
}

/// Removes an engagement from the log.
#[utoipa::path(delete, path = "/api/v1/engagements/{id}", tag = "stakeholders", params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 204), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
pub async fn delete_engagement(
    ctx: Ctx,
    ApiPath(id): ApiPath<EngagementId>,
) -> Result<StatusCode, ApiError> {
    service::delete_engagement(&ctx.app, &ctx.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Whether a follow-up is done.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct FollowUpInput {
    pub done: bool,
}

/// Marks an engagement's follow-up done or not done.
#[utoipa::path(put, path = "/api/v1/engagements/{id}/follow-up", tag = "stakeholders", params(("id" = String, Path)),
    request_body = FollowUpInput, security(("bearer" = [])),
    responses((status = 200, body = Engagement), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
pub async fn follow_up(
    ctx: Ctx,
    ApiPath(id): ApiPath<EngagementId>,
    ApiJson(input): ApiJson<FollowUpInput>,
) -> Result<Json<Engagement>, ApiError> {
    Ok(Json(
        service::set_follow_up_done(&ctx.app, &ctx.actor, id, input.done).await?,
    ))
}

/// The RACI matrix: objectives as rows, people and stakeholders as columns, and the rule breaks
/// of each row (an objective needs exactly one Accountable and at least one Responsible).
#[utoipa::path(get, path = "/api/v1/collaborations/{id}/raci", tag = "stakeholders", params(("id" = String, Path)),
    responses((status = 200, body = RaciMatrix), (status = 404, body = crate::error::Problem)))]
pub async fn raci(
    ctx: Ctx,
    ApiPath(id): ApiPath<CollaborationId>,
) -> Result<Json<RaciMatrix>, ApiError> {
    Ok(Json(service::raci(&ctx.app, &ctx.actor, id).await?))
}

/// Sets or clears one cell of the RACI matrix (coordinators and contributors). A second
/// Accountable on an objective is refused (`role`: `accountable_already_set`).
#[utoipa::path(put, path = "/api/v1/collaborations/{id}/raci", tag = "stakeholders", params(("id" = String, Path)),
    request_body = RaciInput, security(("bearer" = [])),
    responses((status = 200, body = RaciMatrix), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn set_raci(
    ctx: Ctx,
    ApiPath(id): ApiPath<CollaborationId>,
    ApiJson(input): ApiJson<RaciInput>,
) -> Result<Json<RaciMatrix>, ApiError> {
    Ok(Json(
        service::set_raci(&ctx.app, &ctx.actor, id, &input).await?,
    ))
}

/// Everything held about a stakeholder, for a subject-access request (coordinators). The export
/// itself is recorded in the audit log.
#[utoipa::path(get, path = "/api/v1/stakeholders/{id}/personal-data", tag = "stakeholders", params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = PersonalDataExport), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
pub async fn personal_data(
    ctx: Ctx,
    ApiPath(id): ApiPath<StakeholderId>,
) -> Result<Json<PersonalDataExport>, ApiError> {
    Ok(Json(
        service::export_personal_data(&ctx.app, &ctx.actor, id).await?,
    ))
}

/// Erases a person (coordinators): their entry, engagements only about them, their links to
/// shared engagements and their RACI cells. Only persons are erased (409
/// `only_persons_are_erased` otherwise).
#[utoipa::path(post, path = "/api/v1/stakeholders/{id}/erase", tag = "stakeholders", params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = Erased), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
pub async fn erase(
    ctx: Ctx,
    ApiPath(id): ApiPath<StakeholderId>,
) -> Result<Json<Erased>, ApiError> {
    Ok(Json(service::erase(&ctx.app, &ctx.actor, id).await?))
}

/// Flags on the stakeholders the caller keeps, across their collaborations.
#[utoipa::path(get, path = "/api/v1/me/stakeholder-flags", tag = "stakeholders", security(("bearer" = [])),
    responses((status = 200, body = Vec<FlaggedStakeholder>), (status = 401, body = crate::error::Problem)))]
pub async fn my_flags(ctx: Ctx) -> Result<Json<Vec<FlaggedStakeholder>>, ApiError> {
    Ok(Json(service::my_flags(&ctx.app, &ctx.actor).await?))
}

/// The caller's open follow-ups, across their collaborations.
#[utoipa::path(get, path = "/api/v1/me/follow-ups", tag = "stakeholders", security(("bearer" = [])),
    responses((status = 200, body = Vec<FollowUp>), (status = 401, body = crate::error::Problem)))]
pub async fn my_follow_ups(ctx: Ctx) -> Result<Json<Vec<FollowUp>>, ApiError> {
    Ok(Json(service::my_follow_ups(&ctx.app, &ctx.actor).await?))
}
