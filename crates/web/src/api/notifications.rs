//! The caller's own notifications and email preferences: `/api/v1/notifications` and
//! `/api/v1/notification-preferences`. Someone else's notification answers 404 like a missing one.

use axum::Json;
use axum::http::StatusCode;
use concord_app::notifications::{self as service, Inbox};
use concord_domain::NotificationId;
use concord_domain::notification::{Preference, PreferencesInput};

use super::{ApiJson, ApiPath, ApiQuery};
use crate::context::Ctx;
use crate::error::ApiError;

/// Which page of the inbox.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InboxParams {
    /// Only unread notifications.
    #[serde(default)]
    pub unread: bool,
    /// Opaque cursor from a previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Page size, 1 to 100 (default 25).
    pub limit: Option<i64>,
}

/// The caller's notifications, newest first, with the unread count.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications", params(InboxParams), security(("bearer" = [])),
    responses((status = 200, body = Inbox), (status = 401, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn list(
    ctx: Ctx,
    ApiQuery(params): ApiQuery<InboxParams>,
) -> Result<Json<Inbox>, ApiError> {
    Ok(Json(
        service::inbox(
            &ctx.app,
            &ctx.actor,
            params.unread,
            params.cursor.as_deref(),
            params.limit,
        )
        .await?,
    ))
}

/// How many of the caller's notifications are unread.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct UnreadCount {
    pub unread: i64,
}

#[utoipa::path(get, path = "/api/v1/notifications/unread-count", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = UnreadCount), (status = 401, body = crate::error::Problem)))]
pub async fn unread_count(ctx: Ctx) -> Result<Json<UnreadCount>, ApiError> {
    Ok(Json(UnreadCount {
        unread: service::unread_count(&ctx.app, &ctx.actor).await?,
    }))
}

/// Marks one notification read (reading one already read changes nothing).
#[utoipa::path(post, path = "/api/v1/notifications/{id}/read", tag = "notifications", params(("id" = String, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 401, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
pub async fn mark_read(
    ctx: Ctx,
    ApiPath(id): ApiPath<NotificationId>,
) -> Result<StatusCode, ApiError> {
    service::mark_read(&ctx.app, &ctx.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// How many notifications a "mark all read" marked.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Marked {
    pub marked: u64,
}

/// Marks all the caller's notifications read.
#[utoipa::path(post, path = "/api/v1/notifications/read-all", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = Marked), (status = 401, body = crate::error::Problem)))]
pub async fn mark_all_read(ctx: Ctx) -> Result<Json<Marked>, ApiError> {
    Ok(Json(Marked {
        marked: service::mark_all_read(&ctx.app, &ctx.actor).await?,
    }))
}

/// The caller's email choice for every kind (`immediate`, `daily_digest` or `off`; the in-app
/// inbox always gets every notification).
#[utoipa::path(get, path = "/api/v1/notification-preferences", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = Vec<Preference>), (status = 401, body = crate::error::Problem)))]
pub async fn preferences(ctx: Ctx) -> Result<Json<Vec<Preference>>, ApiError> {
    Ok(Json(service::preferences(&ctx.app, &ctx.actor).await?))
}

/// Changes the caller's email choices; kinds left out keep theirs. An unknown kind or choice
/// answers 422 (`email.<kind>`: `invalid_choice`) and changes nothing.
#[utoipa::path(put, path = "/api/v1/notification-preferences", tag = "notifications", request_body = PreferencesInput, security(("bearer" = [])),
    responses((status = 200, body = Vec<Preference>), (status = 401, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn set_preferences(
    ctx: Ctx,
    ApiJson(input): ApiJson<PreferencesInput>,
) -> Result<Json<Vec<Preference>>, ApiError> {
    Ok(Json(
        service::set_preferences(&ctx.app, &ctx.actor, &input).await?,
    ))
}
