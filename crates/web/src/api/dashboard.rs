//! `/api/v1/collaborations/{id}/dashboard`, `/api/v1/collaborations/{id}/export/{file}` and
//! `/api/v1/organisations/{id}/portfolio`: the JSON twins of the dashboard and portfolio pages, and
//! the downloads.

use axum::Json;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use concord_app::dashboard::{self as service, CollaborationDashboard, Dataset, Format, Portfolio};
use concord_domain::{CollaborationId, OrganisationId};

use super::ApiPath;
use crate::context::Ctx;
use crate::error::ApiError;

/// A collaboration's dashboard: every objective with its key results, each with its status,
/// progress, latest value, next due date and measurements, and the status counts per objective
/// and overall. An objective's `status` is the worst of its key results' statuses (off track,
/// at risk, stale, not started, on track, achieved, from worst to best), or `not_started` without
/// key results. Owners' names are left out for anonymous readers.
#[utoipa::path(get, path = "/api/v1/collaborations/{id}/dashboard", operation_id = "collaboration_dashboard", tag = "objectives", params(("id" = String, Path)),
    responses((status = 200, body = CollaborationDashboard), (status = 404, body = crate::error::Problem)))]
pub async fn collaboration(
    ctx: Ctx,
    ApiPath(id): ApiPath<CollaborationId>,
) -> Result<Json<CollaborationDashboard>, ApiError> {
    Ok(Json(
        service::collaboration(&ctx.app, &ctx.actor, id).await?,
    ))
}

/// An organisation's portfolio: every collaboration it is an active member of that the caller may
/// read, newest first, with its objectives' and key results' status counts.
#[utoipa::path(get, path = "/api/v1/organisations/{id}/portfolio", operation_id = "organisation_portfolio", tag = "organisations", params(("id" = String, Path)),
    responses((status = 200, body = Portfolio), (status = 404, body = crate::error::Problem)))]
pub async fn portfolio(
    ctx: Ctx,
    ApiPath(id): ApiPath<OrganisationId>,
) -> Result<Json<Portfolio>, ApiError> {
    Ok(Json(service::portfolio(&ctx.app, &ctx.actor, id).await?))
}

/// The files a collaboration can be exported as: `dataset.format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
pub enum ExportFile {
    #[serde(rename = "objectives.csv")]
    #[schema(rename = "objectives.csv")]
    ObjectivesCsv,
    #[serde(rename = "objectives.json")]
    #[schema(rename = "objectives.json")]
    ObjectivesJson,
    #[serde(rename = "key-results.csv")]
    #[schema(rename = "key-results.csv")]
    KeyResultsCsv,
    #[serde(rename = "key-results.json")]
    #[schema(rename = "key-results.json")]
    KeyResultsJson,
    #[serde(rename = "measurements.csv")]
    #[schema(rename = "measurements.csv")]
    MeasurementsCsv,
    #[serde(rename = "measurements.json")]
    #[schema(rename = "measurements.json")]
    MeasurementsJson,
}

impl ExportFile {
    pub fn parts(self) -> (Dataset, Format) {
        match self {
            ExportFile::ObjectivesCsv => (Dataset::Objectives, Format::Csv),
            ExportFile::ObjectivesJson => (Dataset::Objectives, Format::Json),
            ExportFile::KeyResultsCsv => (Dataset::KeyResults, Format::Csv),
            ExportFile::KeyResultsJson => (Dataset::KeyResults, Format::Json),
            ExportFile::MeasurementsCsv => (Dataset::Measurements, Format::Csv),
            ExportFile::MeasurementsJson => (Dataset::Measurements, Format::Json),
        }
    }
}

/// Downloads a collaboration's objectives, key results or measurements. `file` is one of
/// `objectives.csv`, `objectives.json`, `key-results.csv`, `key-results.json`, `measurements.csv`,
/// `measurements.json`. CSV is UTF-8 with a header row; every text cell starting with `=`, `+`,
/// `-`, `@`, a tab or a carriage return is prefixed with `'` so that spreadsheets do not run it as
/// a formula (numbers are written as numbers). JSON is an array of objects with the same fields,
/// unescaped. The measurements file starts with the columns the CSV import reads. Sent as an
/// attachment named after the collaboration, the dataset and the day.
#[utoipa::path(get, path = "/api/v1/collaborations/{id}/export/{file}", operation_id = "export_collaboration", tag = "objectives",
    params(("id" = String, Path), ("file" = inline(ExportFile), Path)),
    responses((status = 200, description = "The file", content(
            (String = "text/csv"),
            (Vec<serde_json::Value> = "application/json"))),
        (status = 404, body = crate::error::Problem)))]
pub async fn export(
    ctx: Ctx,
    ApiPath((id, file)): ApiPath<(CollaborationId, ExportFile)>,
) -> Result<Response, ApiError> {
    let (dataset, format) = file.parts();
    let export = service::export(&ctx.app, &ctx.actor, id, dataset, format).await?;
    Ok(attachment(export))
}

/// The file as a download.
pub fn attachment(export: service::Export) -> Response {
    let mut response = export.body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(export.content_type),
    );
    // The file name is ASCII letters, digits, hyphens and one dot: safe inside quotes.
    if let Ok(value) =
        HeaderValue::from_str(&format!("attachment; filename=\"{}\"", export.filename))
    {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
