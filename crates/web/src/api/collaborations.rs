//! `/api/v1/collaborations`: read what the caller may see; create, edit, manage members, history.

use axum::Json;
use axum::http::StatusCode;
use concord_app::AppError;
use concord_app::collaborations::{
    self as service, CollaborationView, Filter, InviteInput, PersonInput,
};
use concord_domain::audit::HistoryEntry;
use concord_domain::collaboration::{
    Collaboration, CollaborationInput, CollaborationStatus, Invitation, PolicyArea,
};
use concord_domain::{CollaborationId, OrganisationId, UserId};

use super::{ApiJson, ApiPath, ApiQuery, PageParams, list_type};
use crate::context::Ctx;
use crate::error::ApiError;

list_type!(CollaborationList, Collaboration);
list_type!(HistoryList, HistoryEntry);

/// List filters.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// proposed, active, paused, completed or cancelled.
    pub status: Option<String>,
    /// Only collaborations this organisation is an active member of.
    pub organisation_id: Option<String>,
    /// A COFOG division code, `01` to `10`.
    pub policy_area: Option<String>,
    /// Words to find in title or summary.
    pub q: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

impl ListParams {
    /// Parses filters; an unknown value is a field error, not an empty result.
    pub fn filter(&self) -> Result<Filter, AppError> {
        let blank = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let status = blank(&self.status)
            .map(|s| {
                CollaborationStatus::parse(&s)
                    .ok_or_else(|| AppError::invalid("status", "invalid_choice"))
            })
            .transpose()?;
        let organisation = blank(&self.organisation_id)
            .map(|s| {
                s.parse::<OrganisationId>()
                    .map_err(|_| AppError::invalid("organisation_id", "invalid_choice"))
            })
            .transpose()?;
        let policy_area = blank(&self.policy_area)
            .map(|s| {
                PolicyArea::parse(&s)
                    .ok_or_else(|| AppError::invalid("policy_area", "invalid_choice"))
            })
            .transpose()?;
        let text = blank(&self.q);
        if text.as_deref().is_some_and(|t| t.chars().count() > 200) {
            return Err(AppError::invalid("q", "too_long"));
        }
        Ok(Filter {
            status,
            organisation,
            policy_area,
            text,
        })
    }
}

/// Collaborations the caller may read, newest first.
#[utoipa::path(get, path = "/api/v1/collaborations", tag = "collaborations", params(ListParams),
    responses((status = 200, body = CollaborationList), (status = 422, body = crate::error::Problem)))]
pub async fn list(
    ctx: Ctx,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Json<CollaborationList>, ApiError> {
    let filter = params.filter()?;
    let page = service::list(
        &ctx.app,
        &ctx.actor,
        &filter,
        params.cursor.as_deref(),
        params.limit,
    )
    .await?;
    Ok(Json(page.into()))
}

/// Proposes a collaboration; the caller's organisation leads it and the caller coordinates it.
#[utoipa::path(post, path = "/api/v1/collaborations", tag = "collaborations", request_body = CollaborationInput,
    security(("bearer" = [])),
    responses((status = 201, body = CollaborationView), (status = 401, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn create(
    ctx: Ctx,
    ApiJson(input): ApiJson<CollaborationInput>,
) -> Result<(StatusCode, Json<CollaborationView>), ApiError> {
    let view = service::create(&ctx.app, &ctx.actor, &input).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// One collaboration with its members and what the caller may do.
#[utoipa::path(get, path = "/api/v1/collaborations/{id}", tag = "collaborations", params(("id" = String, Path)),
    responses((status = 200, body = CollaborationView), (status = 404, body = crate::error::Problem)))]
pub async fn get(
    ctx: Ctx,
    ApiPath(id): ApiPath<CollaborationId>,
) -> Result<Json<CollaborationView>, ApiError> {
    Ok(Json(service::get(&ctx.app, &ctx.actor, id).await?))
}

/// Replaces the editable fields (coordinators only). Status moves only along allowed transitions.
#[utoipa::path(put, path = "/api/v1/collaborations/{id}", tag = "collaborations", params(("id" = String, Path)),
    request_body = CollaborationInput, security(("bearer" = [])),
    responses((status = 200, body = CollaborationView), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn update(
    ctx: Ctx,
    ApiPath(id): ApiPath<CollaborationId>,
    ApiJson(input): ApiJson<CollaborationInput>,
) -> Result<Json<CollaborationView>, ApiError> {
    Ok(Json(
        service::update(&ctx.app, &ctx.actor, id, &input).await?,
    ))
}

/// Who changed what, when (members only).
#[utoipa::path(get, path = "/api/v1/collaborations/{id}/history", tag = "collaborations", params(("id" = String, Path), PageParams),
    security(("bearer" = [])),
    responses((status = 200, body = HistoryList), (status = 404, body = crate::error::Problem)))]
pub async fn history(
    ctx: Ctx,
    ApiPath(id): ApiPath<CollaborationId>,
    ApiQuery(page): ApiQuery<PageParams>,
) -> Result<Json<HistoryList>, ApiError> {
    Ok(Json(
        service::history(&ctx.app, &ctx.actor, id, page.cursor.as_deref(), page.limit)
            .await?
            .into(),
    ))
}

/// Invites an organisation as partner or observer (coordinators only).
#[utoipa::path(post, path = "/api/v1/collaborations/{id}/organisations", tag = "collaborations", params(("id" = String, Path)),
    request_body = InviteInput, security(("bearer" = [])),
    responses((status = 204), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn invite_organisation(
    ctx: Ctx,
    ApiPath(id): ApiPath<CollaborationId>,
    ApiJson(input): ApiJson<InviteInput>,
) -> Result<StatusCode, ApiError> {
    service::invite_organisation(&ctx.app, &ctx.actor, id, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A new role for a member organisation.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct RoleInput {
    pub role: String,
}

/// Changes a member organisation's role between partner and observer.
#[utoipa::path(put, path = "/api/v1/collaborations/{id}/organisations/{organisation_id}", tag = "collaborations",
    params(("id" = String, Path), ("organisation_id" = String, Path)), request_body = RoleInput, security(("bearer" = [])),
    responses((status = 204), (status = 409, body = crate::error::Problem)))]
pub async fn change_organisation_role(
    ctx: Ctx,
    ApiPath((id, org)): ApiPath<(CollaborationId, OrganisationId)>,
    ApiJson(input): ApiJson<RoleInput>,
) -> Result<StatusCode, ApiError> {
    service::change_organisation_role(&ctx.app, &ctx.actor, id, org, &input.role).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes a member organisation (not the lead) and its people, or withdraws an invitation.
#[utoipa::path(delete, path = "/api/v1/collaborations/{id}/organisations/{organisation_id}", tag = "collaborations",
    params(("id" = String, Path), ("organisation_id" = String, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 409, body = crate::error::Problem)))]
pub async fn remove_organisation(
    ctx: Ctx,
    ApiPath((id, org)): ApiPath<(CollaborationId, OrganisationId)>,
) -> Result<StatusCode, ApiError> {
    service::remove_organisation(&ctx.app, &ctx.actor, id, org).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The invited organisation's admin accepts.
#[utoipa::path(post, path = "/api/v1/collaborations/{id}/invitation/accept", tag = "collaborations", params(("id" = String, Path)),
    security(("bearer" = [])), responses((status = 204), (status = 404, body = crate::error::Problem)))]
pub async fn accept_invitation(
    ctx: Ctx,
    ApiPath(id): ApiPath<CollaborationId>,
) -> Result<StatusCode, ApiError> {
    service::respond_to_invitation(&ctx.app, &ctx.actor, id, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The invited organisation's admin declines.
#[utoipa::path(post, path = "/api/v1/collaborations/{id}/invitation/decline", tag = "collaborations", params(("id" = String, Path)),
    security(("bearer" = [])), responses((status = 204), (status = 404, body = crate::error::Problem)))]
pub async fn decline_invitation(
    ctx: Ctx,
    ApiPath(id): ApiPath<CollaborationId>,
) -> Result<StatusCode, ApiError> {
    service::respond_to_invitation(&ctx.app, &ctx.actor, id, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The organisation to hand the lead to.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct LeadInput {
    pub organisation_id: String,
}

/// Hands the lead to another active member organisation; the old lead becomes a partner.
#[utoipa::path(post, path = "/api/v1/collaborations/{id}/lead", tag = "collaborations", params(("id" = String, Path)),
    request_body = LeadInput, security(("bearer" = [])), responses((status = 204), (status = 422, body = crate::error::Problem)))]
pub async fn transfer_lead(
    ctx: Ctx,
    ApiPath(id): ApiPath<CollaborationId>,
    ApiJson(input): ApiJson<LeadInput>,
) -> Result<StatusCode, ApiError> {
    let to = input
        .organisation_id
        .trim()
        .parse()
        .map_err(|_| AppError::invalid("organisation_id", "invalid_choice"))?;
    service::transfer_lead(&ctx.app, &ctx.actor, id, to).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Names a person from a member organisation on the collaboration.
#[utoipa::path(post, path = "/api/v1/collaborations/{id}/people", tag = "collaborations", params(("id" = String, Path)),
    request_body = PersonInput, security(("bearer" = [])),
    responses((status = 204), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn add_person(
    ctx: Ctx,
    ApiPath(id): ApiPath<CollaborationId>,
    ApiJson(input): ApiJson<PersonInput>,
) -> Result<StatusCode, ApiError> {
    service::add_person(&ctx.app, &ctx.actor, id, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Changes a named person's role; the last coordinator cannot be demoted.
#[utoipa::path(put, path = "/api/v1/collaborations/{id}/people/{user_id}", tag = "collaborations",
    params(("id" = String, Path), ("user_id" = String, Path)), request_body = RoleInput, security(("bearer" = [])),
    responses((status = 204), (status = 409, body = crate::error::Problem)))]
pub async fn change_person_role(
    ctx: Ctx,
    ApiPath((id, user)): ApiPath<(CollaborationId, UserId)>,
    ApiJson(input): ApiJson<RoleInput>,
) -> Result<StatusCode, ApiError> {
    service::change_person_role(&ctx.app, &ctx.actor, id, user, &input.role).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes a named person; the last coordinator cannot be removed.
#[utoipa::path(delete, path = "/api/v1/collaborations/{id}/people/{user_id}", tag = "collaborations",
    params(("id" = String, Path), ("user_id" = String, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 409, body = crate::error::Problem)))]
pub async fn remove_person(
    ctx: Ctx,
    ApiPath((id, user)): ApiPath<(CollaborationId, UserId)>,
) -> Result<StatusCode, ApiError> {
    service::remove_person(&ctx.app, &ctx.actor, id, user).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Invitations waiting for the caller's organisation (for its admins).
#[utoipa::path(get, path = "/api/v1/invitations", tag = "collaborations", security(("bearer" = [])),
    responses((status = 200, body = Vec<Invitation>), (status = 401, body = crate::error::Problem)))]
pub async fn invitations(ctx: Ctx) -> Result<Json<Vec<Invitation>>, ApiError> {
    Ok(Json(
        service::pending_invitations(&ctx.app, &ctx.actor).await?,
    ))
}
