//! Meetings: `/api/v1/collaborations/{id}/meetings`, `/api/v1/meetings/{id}` (with its agenda,
//! attendees and their answers, and `/outcomes`: its decisions and action items), agenda items (`/api/v1/agenda-items/{id}`, their order and
//! minutes), attendees and RSVPs.
//!
//! Whoever may read the collaboration reads its meetings; coordinators and contributors change
//! them. Times are sent as local `YYYY-MM-DDTHH:MM` values with an IANA `time_zone` and returned
//! in UTC. Minutes are Markdown (`minutes`); `minutes_html` is the same text rendered to sanitised
//! HTML. An RSVP from someone not invited answers 422 `invalid_input` with
//! `errors.response = not_invited`, and nothing is stored.

use axum::Json;
use axum::http::StatusCode;
use concord_app::meetings::{self as service, MeetingList, MeetingOutcomes, MeetingView};
use concord_domain::meeting::{
    AgendaItem, AgendaItemInput, Attendee, AttendeeInput, Direction, Meeting, MeetingInput,
    MinutesInput, Rsvp, RsvpInput,
};
use concord_domain::{AgendaItemId, CollaborationId, MeetingId, UserId};

use super::{ApiJson, ApiPath};
use crate::context::Ctx;
use crate::error::ApiError;
use crate::markdown;

/// An agenda item with its minutes rendered.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct AgendaItemDetail {
    pub item: AgendaItem,
    /// The minutes rendered from Markdown to sanitised HTML.
    pub minutes_html: Option<String>,
}

impl From<AgendaItem> for AgendaItemDetail {
    fn from(item: AgendaItem) -> Self {
        Self {
            minutes_html: item.minutes.as_deref().map(markdown::render),
            item,
        }
    }
}

/// A meeting with its agenda (in order) and attendees.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct MeetingDetail {
    pub meeting: Meeting,
    pub collaboration_title: String,
    pub agenda: Vec<AgendaItemDetail>,
    pub attendees: Vec<Attendee>,
    /// Whether the caller may change the meeting, its agenda, attendees and minutes.
    pub can_edit: bool,
    /// The caller's own answer, when invited.
    pub my_rsvp: Option<Rsvp>,
    pub is_past: bool,
}

impl From<MeetingView> for MeetingDetail {
    fn from(v: MeetingView) -> Self {
        Self {
            meeting: v.meeting,
            collaboration_title: v.collaboration_title,
            agenda: v.agenda.into_iter().map(Into::into).collect(),
            attendees: v.attendees,
            can_edit: v.can_edit,
            my_rsvp: v.my_rsvp,
            is_past: v.is_past,
        }
    }
}

/// Moving an agenda item.
#[derive(Clone, Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct MoveInput {
    pub direction: Direction,
}

/// The collaboration's meetings: upcoming (soonest first), then past (latest first).
#[utoipa::path(get, path = "/api/v1/collaborations/{id}/meetings", tag = "meetings",
    params(("id" = String, Path)),
    responses((status = 200, body = MeetingList), (status = 404, body = crate::error::Problem)))]
pub async fn list(
    ctx: Ctx,
    ApiPath(id): ApiPath<CollaborationId>,
) -> Result<Json<MeetingList>, ApiError> {
    Ok(Json(service::list(&ctx.app, &ctx.actor, id).await?))
}

/// Schedules a meeting (coordinators and contributors). `ends_at` must follow `starts_at`
/// (`must_be_after_start`); `time_zone` must be an IANA name (`unknown_time_zone`);
/// `online_url` must be http(s) (`invalid_url`).
#[utoipa::path(post, path = "/api/v1/collaborations/{id}/meetings", tag = "meetings", params(("id" = String, Path)),
    request_body = MeetingInput, security(("bearer" = [])),
    responses((status = 201, body = MeetingDetail), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn create(
    ctx: Ctx,
    ApiPath(id): ApiPath<CollaborationId>,
    ApiJson(input): ApiJson<MeetingInput>,
) -> Result<(StatusCode, Json<MeetingDetail>), ApiError> {
    let view = service::create(&ctx.app, &ctx.actor, id, &input).await?;
    Ok((StatusCode::CREATED, Json(view.into())))
}

/// A meeting with its agenda, minutes and attendees.
#[utoipa::path(get, path = "/api/v1/meetings/{id}", tag = "meetings", params(("id" = String, Path)),
    responses((status = 200, body = MeetingDetail), (status = 404, body = crate::error::Problem)))]
pub async fn get(
    ctx: Ctx,
    ApiPath(id): ApiPath<MeetingId>,
) -> Result<Json<MeetingDetail>, ApiError> {
    Ok(Json(service::get(&ctx.app, &ctx.actor, id).await?.into()))
}

/// The decisions taken at a meeting and the action items from it, as far as the caller may see
/// them (a decision for chosen organisations, and its items, only for their people).
#[utoipa::path(get, path = "/api/v1/meetings/{id}/outcomes", tag = "meetings", params(("id" = String, Path)),
    responses((status = 200, body = MeetingOutcomes), (status = 404, body = crate::error::Problem)))]
pub async fn outcomes(
    ctx: Ctx,
    ApiPath(id): ApiPath<MeetingId>,
) -> Result<Json<MeetingOutcomes>, ApiError> {
    Ok(Json(service::outcomes(&ctx.app, &ctx.actor, id).await?))
}

/// Changes a meeting's details; its iCalendar SEQUENCE goes up by one. A cancelled meeting
/// cannot be changed (409 `meeting_cancelled`).
#[utoipa::path(put, path = "/api/v1/meetings/{id}", tag = "meetings", params(("id" = String, Path)),
    request_body = MeetingInput, security(("bearer" = [])),
    responses((status = 200, body = MeetingDetail), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn update(
    ctx: Ctx,
    ApiPath(id): ApiPath<MeetingId>,
    ApiJson(input): ApiJson<MeetingInput>,
) -> Result<Json<MeetingDetail>, ApiError> {
    Ok(Json(
        service::update(&ctx.app, &ctx.actor, id, &input)
            .await?
            .into(),
    ))
}

/// Cancels a meeting (it stays listed, marked cancelled; SEQUENCE goes up by one).
#[utoipa::path(post, path = "/api/v1/meetings/{id}/cancel", tag = "meetings", params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = MeetingDetail), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
pub async fn cancel(
    ctx: Ctx,
    ApiPath(id): ApiPath<MeetingId>,
) -> Result<Json<MeetingDetail>, ApiError> {
    Ok(Json(
        service::cancel(&ctx.app, &ctx.actor, id).await?.into(),
    ))
}

/// Adds an item at the end of the agenda. A presenter must be a person of an active member
/// organisation (`not_a_member_person`); the time box is 1 to 480 minutes.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/agenda-items", tag = "meetings", params(("id" = String, Path)),
    request_body = AgendaItemInput, security(("bearer" = [])),
    responses((status = 201, body = AgendaItemDetail), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn add_agenda_item(
    ctx: Ctx,
    ApiPath(id): ApiPath<MeetingId>,
    ApiJson(input): ApiJson<AgendaItemInput>,
) -> Result<(StatusCode, Json<AgendaItemDetail>), ApiError> {
    let item = service::add_agenda_item(&ctx.app, &ctx.actor, id, &input).await?;
    Ok((StatusCode::CREATED, Json(item.into())))
}

/// Changes an agenda item's title, presenter, time box or notes.
#[utoipa::path(put, path = "/api/v1/agenda-items/{id}", tag = "meetings", params(("id" = String, Path)),
    request_body = AgendaItemInput, security(("bearer" = [])),
    responses((status = 200, body = AgendaItemDetail), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn update_agenda_item(
    ctx: Ctx,
    ApiPath(id): ApiPath<AgendaItemId>,
    ApiJson(input): ApiJson<AgendaItemInput>,
) -> Result<Json<AgendaItemDetail>, ApiError> {
    Ok(Json(
        service::update_agenda_item(&ctx.app, &ctx.actor, id, &input)
            .await?
            .into(),
    ))
}

/// Removes an agenda item; the later ones move up.
#[utoipa::path(delete, path = "/api/v1/agenda-items/{id}", tag = "meetings", params(("id" = String, Path)),
    security(("bearer" = [])),
    responses((status = 204), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
pub async fn delete_agenda_item(
    ctx: Ctx,
    ApiPath(id): ApiPath<AgendaItemId>,
) -> Result<StatusCode, ApiError> {
    service::delete_agenda_item(&ctx.app, &ctx.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Moves an agenda item one place `up` or `down`; answers the whole agenda in its new order.
#[utoipa::path(post, path = "/api/v1/agenda-items/{id}/move", tag = "meetings", params(("id" = String, Path)),
    request_body = MoveInput, security(("bearer" = [])),
    responses((status = 200, body = Vec<AgendaItemDetail>), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn move_agenda_item(
    ctx: Ctx,
    ApiPath(id): ApiPath<AgendaItemId>,
    ApiJson(input): ApiJson<MoveInput>,
) -> Result<Json<Vec<AgendaItemDetail>>, ApiError> {
    let agenda = service::move_agenda_item(&ctx.app, &ctx.actor, id, input.direction).await?;
    Ok(Json(agenda.into_iter().map(Into::into).collect()))
}

/// Writes the minutes of an agenda item (Markdown; empty clears them), during or after the meeting.
#[utoipa::path(put, path = "/api/v1/agenda-items/{id}/minutes", tag = "meetings", params(("id" = String, Path)),
    request_body = MinutesInput, security(("bearer" = [])),
    responses((status = 200, body = AgendaItemDetail), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn set_minutes(
    ctx: Ctx,
    ApiPath(id): ApiPath<AgendaItemId>,
    ApiJson(input): ApiJson<MinutesInput>,
) -> Result<Json<AgendaItemDetail>, ApiError> {
    Ok(Json(
        service::set_minutes(&ctx.app, &ctx.actor, id, &input)
            .await?
            .into(),
    ))
}

/// Invites a person of an active member organisation (`not_a_member_person` otherwise);
/// answers the attendees.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/attendees", tag = "meetings", params(("id" = String, Path)),
    request_body = AttendeeInput, security(("bearer" = [])),
    responses((status = 200, body = Vec<Attendee>), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn add_attendee(
    ctx: Ctx,
    ApiPath(id): ApiPath<MeetingId>,
    ApiJson(input): ApiJson<AttendeeInput>,
) -> Result<Json<Vec<Attendee>>, ApiError> {
    Ok(Json(
        service::add_attendee(&ctx.app, &ctx.actor, id, &input).await?,
    ))
}

/// Withdraws an invitation; answers the attendees.
#[utoipa::path(delete, path = "/api/v1/meetings/{id}/attendees/{user_id}", tag = "meetings",
    params(("id" = String, Path), ("user_id" = String, Path)), security(("bearer" = [])),
    responses((status = 200, body = Vec<Attendee>), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
pub async fn remove_attendee(
    ctx: Ctx,
    ApiPath((id, user)): ApiPath<(MeetingId, UserId)>,
) -> Result<Json<Vec<Attendee>>, ApiError> {
    Ok(Json(
        service::remove_attendee(&ctx.app, &ctx.actor, id, user).await?,
    ))
}

/// The caller answers their invitation: `yes`, `no` or `maybe`. Not invited: 422 with
/// `errors.response = not_invited`.
#[utoipa::path(put, path = "/api/v1/meetings/{id}/rsvp", tag = "meetings", params(("id" = String, Path)),
    request_body = RsvpInput, security(("bearer" = [])),
    responses((status = 200, body = MeetingDetail), (status = 401, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn rsvp(
    ctx: Ctx,
    ApiPath(id): ApiPath<MeetingId>,
    ApiJson(input): ApiJson<RsvpInput>,
) -> Result<Json<MeetingDetail>, ApiError> {
    Ok(Json(
        service::rsvp(&ctx.app, &ctx.actor, id, &input)
            .await?
            .into(),
    ))
}
