//! Decisions and action items: `/api/v1/collaborations/{id}/decisions` (the register),
//! `/api/v1/decisions` (public decisions of every collaboration), `/api/v1/decisions/{id}`,
//! `/api/v1/collaborations/{id}/action-items`, `/api/v1/action-items/{id}` (and its status) and
//! `/api/v1/me/action-items`.
//!
//! A decision the caller may not read (its visibility: collaboration, members, organisations or
//! public) answers 404 exactly like a missing one, and lists neither show nor count it. An action
//! item follows its decision's visibility, or the collaboration's when it has none. `decided` and
//! `rationale` are Markdown as written; the `_html` fields are the same text rendered to sanitised
//! HTML.

use axum::Json;
use axum::http::StatusCode;
use concord_app::action_items::{self, ActionItemList, ActionItemView, ItemQuery};
use concord_app::decisions::{self as service, DecisionList, DecisionView, RegisterQuery};
use concord_domain::decision::{
    ActionItem, ActionItemInput, ActionItemStatusInput, Decision, DecisionInput,
};
use concord_domain::{ActionItemId, CollaborationId, DecisionId};

use super::{ApiJson, ApiPath, ApiQuery, PageParams};
use crate::context::Ctx;
use crate::error::ApiError;
use crate::markdown;

/// A decision with its texts rendered, the action items it caused and what the caller may do.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct DecisionDetail {
    pub decision: Decision,
    /// `decided` rendered from Markdown to sanitised HTML.
    pub decided_html: String,
    /// `rationale` rendered from Markdown to sanitised HTML.
    pub rationale_html: Option<String>,
    /// Earliest due first.
    pub action_items: Vec<ActionItem>,
    /// Whether the caller may edit the decision and add action items to it.
    pub can_edit: bool,
}

impl From<DecisionView> for DecisionDetail {
    fn from(view: DecisionView) -> Self {
        Self {
            decided_html: markdown::render(&view.decision.decided),
            rationale_html: view.decision.rationale.as_deref().map(markdown::render),
            decision: view.decision,
            action_items: view.action_items,
            can_edit: view.can_edit,
        }
    }
}

/// Filters and paging of the decision register.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RegisterParams {
    /// Decided on or after this day (`YYYY-MM-DD`).
    pub from: Option<String>,
    /// Decided on or before this day (`YYYY-MM-DD`).
    pub to: Option<String>,
    /// Only the decisions of this meeting (id).
    pub meeting: Option<String>,
    /// collaboration, members, organisations or public.
    pub visibility: Option<String>,
    /// Words in the title (case-insensitive).
    pub q: Option<String>,
    /// Opaque cursor from a previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Page size, 1 to 100 (default 25).
    pub limit: Option<i64>,
}

/// The collaboration's decisions the caller may read, latest decided first. A caller who may not
/// read the collaboration gets its public decisions, or 404 when it has none.
#[utoipa::path(get, path = "/api/v1/collaborations/{id}/decisions", tag = "decisions",
    params(("id" = String, Path), RegisterParams),
    responses((status = 200, body = DecisionList), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn list(
    ctx: Ctx,
    ApiPath(id): ApiPath<CollaborationId>,
    ApiQuery(params): ApiQuery<RegisterParams>,
) -> Result<Json<DecisionList>, ApiError> {
    let query = RegisterQuery {
        from: params.from,
        to: params.to,
        meeting: params.meeting,
        visibility: params.visibility,
        q: params.q,
    };
    Ok(Json(
        service::list(
            &ctx.app,
            &ctx.actor,
            id,
            &query,
            params.cursor.as_deref(),
            params.limit,
        )
        .await?,
    ))
}

/// Records a decision (coordinators and contributors). Field errors: `decided_on` `in_future`,
/// `meeting_id` / `decided_by` not of this collaboration, `visibility` `public_on_confidential`,
/// `audience` `not_an_active_member` / `must_include_own_organisation`.
#[utoipa::path(post, path = "/api/v1/collaborations/{id}/decisions", tag = "decisions", params(("id" = String, Path)),
    request_body = DecisionInput, security(("bearer" = [])),
    responses((status = 201, body = DecisionDetail), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn create(
    ctx: Ctx,
    ApiPath(id): ApiPath<CollaborationId>,
    ApiJson(input): ApiJson<DecisionInput>,
) -> Result<(StatusCode, Json<DecisionDetail>), ApiError> {
    let view = service::create(&ctx.app, &ctx.actor, id, &input).await?;
    Ok((StatusCode::CREATED, Json(view.into())))
}

/// Public decisions of every collaboration, latest decided first (no sign-in needed).
#[utoipa::path(get, path = "/api/v1/decisions", tag = "decisions", params(PageParams),
    responses((status = 200, body = DecisionList), (status = 422, body = crate::error::Problem)))]
pub async fn public(
    ctx: Ctx,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<DecisionList>, ApiError> {
    Ok(Json(
        service::public(&ctx.app, page.cursor.as_deref(), page.limit).await?,
    ))
}

/// A decision with the action items it caused.
#[utoipa::path(get, path = "/api/v1/decisions/{id}", tag = "decisions", params(("id" = String, Path)),
    responses((status = 200, body = DecisionDetail), (status = 404, body = crate::error::Problem)))]
pub async fn get(
    ctx: Ctx,
    ApiPath(id): ApiPath<DecisionId>,
) -> Result<Json<DecisionDetail>, ApiError> {
    Ok(Json(service::get(&ctx.app, &ctx.actor, id).await?.into()))
}

/// Replaces a decision's fields (coordinators and contributors); the change is audited with the
/// fields it changed. An unchanged decision records nothing.
#[utoipa::path(put, path = "/api/v1/decisions/{id}", tag = "decisions", params(("id" = String, Path)),
    request_body = DecisionInput, security(("bearer" = [])),
    responses((status = 200, body = DecisionDetail), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn update(
    ctx: Ctx,
    ApiPath(id): ApiPath<DecisionId>,
    ApiJson(input): ApiJson<DecisionInput>,
) -> Result<Json<DecisionDetail>, ApiError> {
    Ok(Json(
        service::update(&ctx.app, &ctx.actor, id, &input)
            .await?
            .into(),
    ))
}

/// Filters and paging of a collaboration's action items.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ItemParams {
    /// open, done or cancelled.
    pub status: Option<String>,
    /// Only the items of this person (user id).
    pub owner: Option<String>,
    /// Opaque cursor from a previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// Page size, 1 to 100 (default 25).
    pub limit: Option<i64>,
}

/// The collaboration's action items the caller may read, earliest due first; `overdue` marks open
/// items past their due date.
#[utoipa::path(get, path = "/api/v1/collaborations/{id}/action-items", tag = "decisions",
    params(("id" = String, Path), ItemParams),
    responses((status = 200, body = ActionItemList), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn list_items(
    ctx: Ctx,
    ApiPath(id): ApiPath<CollaborationId>,
    ApiQuery(params): ApiQuery<ItemParams>,
) -> Result<Json<ActionItemList>, ApiError> {
    let query = ItemQuery {
        status: params.status,
        owner: params.owner,
    };
    Ok(Json(
        action_items::list(
            &ctx.app,
            &ctx.actor,
            id,
            &query,
            params.cursor.as_deref(),
            params.limit,
        )
        .await?,
    ))
}

/// Creates an open action item (coordinators and contributors). The owner must be named on the
/// collaboration (`not_named_on_collaboration`); a decision, meeting or objective must be of the
/// same collaboration (`not_in_collaboration`).
#[utoipa::path(post, path = "/api/v1/collaborations/{id}/action-items", tag = "decisions", params(("id" = String, Path)),
    request_body = ActionItemInput, security(("bearer" = [])),
    responses((status = 201, body = ActionItemView), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn create_item(
    ctx: Ctx,
    ApiPath(id): ApiPath<CollaborationId>,
    ApiJson(input): ApiJson<ActionItemInput>,
) -> Result<(StatusCode, Json<ActionItemView>), ApiError> {
    let view = action_items::create(&ctx.app, &ctx.actor, id, &input).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// The caller's open action items across their collaborations, earliest due first.
#[utoipa::path(get, path = "/api/v1/me/action-items", tag = "decisions", security(("bearer" = [])),
    responses((status = 200, body = Vec<ActionItem>), (status = 401, body = crate::error::Problem)))]
pub async fn mine(ctx: Ctx) -> Result<Json<Vec<ActionItem>>, ApiError> {
    Ok(Json(action_items::mine(&ctx.app, &ctx.actor).await?))
}

/// An action item with what the caller may do to it.
#[utoipa::path(get, path = "/api/v1/action-items/{id}", tag = "decisions", params(("id" = String, Path)),
    responses((status = 200, body = ActionItemView), (status = 404, body = crate::error::Problem)))]
pub async fn get_item(
    ctx: Ctx,
    ApiPath(id): ApiPath<ActionItemId>,
) -> Result<Json<ActionItemView>, ApiError> {
    Ok(Json(action_items::get(&ctx.app, &ctx.actor, id).await?))
}

/// Replaces an action item's fields (coordinators and contributors); audited.
#[utoipa::path(put, path = "/api/v1/action-items/{id}", tag = "decisions", params(("id" = String, Path)),
    request_body = ActionItemInput, security(("bearer" = [])),
    responses((status = 200, body = ActionItemView), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn update_item(
    ctx: Ctx,
    ApiPath(id): ApiPath<ActionItemId>,
    ApiJson(input): ApiJson<ActionItemInput>,
) -> Result<Json<ActionItemView>, ApiError> {
    Ok(Json(
        action_items::update(&ctx.app, &ctx.actor, id, &input).await?,
    ))
}

/// Sets an action item's status: open, done or cancelled (its owner, or coordinators and
/// contributors); audited.
#[utoipa::path(post, path = "/api/v1/action-items/{id}/status", tag = "decisions", params(("id" = String, Path)),
    request_body = ActionItemStatusInput, security(("bearer" = [])),
    responses((status = 200, body = ActionItemView), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn set_status(
    ctx: Ctx,
    ApiPath(id): ApiPath<ActionItemId>,
    ApiJson(input): ApiJson<ActionItemStatusInput>,
) -> Result<Json<ActionItemView>, ApiError> {
    Ok(Json(
        action_items::set_status(&ctx.app, &ctx.actor, id, &input).await?,
    ))
}
