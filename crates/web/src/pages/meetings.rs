//! Meeting pages: a collaboration's meetings (upcoming, then past), the schedule and edit forms,
//! a meeting with its agenda, attendees and minutes (and the forms to change them), a printable
//! version, the `.ics` file of one meeting, the personal calendar feed and its settings page.
//! Every handler calls `concord_app::meetings`, the API's services.
//!
//! Minutes are Markdown, embedded only after `crate::markdown::render` sanitised them. Forms post,
//! redirect (303) and come back to the meeting; a rejected form is shown again with the message
//! beside the field and the values as typed.

use askama::Template;
use axum::extract::Query;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_extra::extract::Form;
use chrono::{DateTime, Utc};
use concord_app::AppError;
use concord_app::meetings::{self as service, MeetingOutcomes, MeetingView, MemberPerson};
use concord_domain::meeting::{
    self as domain, AgendaItem, AgendaItemInput, AttendeeInput, Direction, Meeting, MeetingInput,
    MeetingStatus, MinutesInput, RsvpInput,
};
use concord_domain::{AgendaItemId, CollaborationId, FieldErrors, MeetingId, UserId};

use super::{PageCtx, PagePath, ok, page_error, render, require_sign_in, see_other};
use crate::AppState;
use crate::context::Ctx;
use crate::i18n;
use crate::markdown;

pub fn routes() -> Vec<(&'static str, axum::routing::MethodRouter<AppState>)> {
    vec![
        ("/collaborations/{id}/meetings", get(list_page)),
        (
            "/collaborations/{id}/meetings/new",
            get(new_form).post(create),
        ),
        ("/meetings/{id}", get(show)),
        ("/meetings/{id}/edit", get(edit_form).post(save_edit)),
        ("/meetings/{id}/cancel", post(cancel)),
        ("/meetings/{id}/agenda", post(add_item)),
        ("/meetings/{id}/attendees", post(add_attendee)),
        (
            "/meetings/{id}/attendees/{user_id}/remove",
            post(remove_attendee),
        ),
        ("/meetings/{id}/rsvp", post(rsvp)),
        ("/meetings/{id}/print", get(print_page)),
        ("/meetings/{id}/calendar.ics", get(meeting_ics)),
        ("/agenda-items/{id}/edit", get(item_form).post(save_item)),
        (
            "/agenda-items/{id}/minutes",
            get(minutes_form).post(save_minutes),
        ),
        ("/agenda-items/{id}/move", post(move_item)),
        ("/agenda-items/{id}/delete", post(delete_item)),
        ("/calendar/{file}", get(feed)),
        ("/account/calendar", get(feed_page).post(create_feed)),
        ("/account/calendar/revoke", post(revoke_feed)),
    ]
}

/// The message for the first error on `field`: a meeting-specific one when the catalogue has it
/// (`meeting-error-ends_at-must_be_after_start`), else the general one.
fn field_error(c: &PageCtx, errors: &FieldErrors, field: &str) -> Option<String> {
    super::field_error_worded(c, errors, field, |code| format!("meeting-error-{code}"))
}

fn error_summary(c: &PageCtx, errors: &FieldErrors) -> Vec<(String, String)> {
    super::error_summary_worded(c, errors, "meeting-field", |field| {
        field_error(c, errors, field)
    })
}

/// A time in the meeting's own zone (falls back to the reader's).
fn when(c: &PageCtx, meeting: &Meeting, at: &DateTime<Utc>) -> String {
    let tz = domain::parse_time_zone(&meeting.time_zone).unwrap_or(c.tz);
    i18n::datetime(c.lang, tz, *at)
}

/// The meeting's start and end on a signed-in reader's own clock, when it differs from the
/// meeting's (a partner in another time zone sees when the meeting is for them).
fn your_times(c: &PageCtx, meeting: &Meeting) -> Option<(String, String)> {
    c.user_id.as_ref()?;
    let own = domain::parse_time_zone(&meeting.time_zone)?;
    let clock = |tz: chrono_tz::Tz| meeting.starts_at.with_timezone(&tz).naive_local();
    (clock(own) != clock(c.tz)).then(|| {
        (
            i18n::datetime(c.lang, c.tz, meeting.starts_at),
            i18n::datetime(c.lang, c.tz, meeting.ends_at),
        )
    })
}

/// The site's own address, for links inside calendar files.
fn base_url(ctx: &Ctx, headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    format!("{}://{host}", if ctx.https { "https" } else { "http" })
}

fn ics_response(body: String, filename: &str) -> Response {
    let mut response = (StatusCode::OK, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/calendar; charset=utf-8"),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("inline; filename=\"{filename}\"")) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

// ---------------------------------------------------------------------------------------------
// The list

#[derive(Template)]
#[template(path = "meetings/list.html")]
struct ListPage {
    c: PageCtx,
    collaboration_id: CollaborationId,
    collaboration_title: String,
    upcoming: Vec<Meeting>,
    past: Vec<Meeting>,
    can_create: bool,
}

impl ListPage {
    fn when(&self, m: &Meeting, at: &DateTime<Utc>) -> String {
        when(&self.c, m, at)
    }
}

async fn list_page(ctx: Ctx, PagePath(id): PagePath<CollaborationId>) -> Response {
    let result = async {
        let list = service::list(&ctx.app, &ctx.actor, id).await?;
        let view = concord_app::collaborations::get(&ctx.app, &ctx.actor, id).await?;
        Ok::<_, AppError>((list, view.collaboration.title))
    }
    .await;
    match result {
        Ok((list, collaboration_title)) => ok(&ListPage {
            c: PageCtx::new(&ctx, "collaborations"),
            collaboration_id: id,
            collaboration_title,
            upcoming: list.upcoming,
            past: list.past,
            can_create: list.can_create,
        }),
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

// ---------------------------------------------------------------------------------------------
// Schedule / edit

/// The meeting form's values as typed.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct MeetingForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    starts_at: String,
    #[serde(default)]
    ends_at: String,
    #[serde(default)]
    time_zone: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    online_url: String,
}

impl MeetingForm {
    fn input(&self) -> MeetingInput {
        MeetingInput {
            title: self.title.clone(),
            starts_at: self.starts_at.clone(),
            ends_at: self.ends_at.clone(),
            time_zone: self.time_zone.clone(),
            place: Some(self.place.clone()),
            online_url: Some(self.online_url.clone()),
        }
    }

    fn of(m: &Meeting) -> MeetingForm {
        MeetingForm {
            title: m.title.clone(),
            starts_at: domain::local_input_value(m.starts_at, &m.time_zone),
            ends_at: domain::local_input_value(m.ends_at, &m.time_zone),
            time_zone: m.time_zone.clone(),
            place: m.place.clone().unwrap_or_default(),
            online_url: m.online_url.clone().unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "meetings/form.html")]
struct FormPage {
    c: PageCtx,
    collaboration_id: CollaborationId,
    collaboration_title: String,
    /// Editing this meeting; `None` when scheduling a new one.
    meeting_id: Option<MeetingId>,
    form: MeetingForm,
    errors: FieldErrors,
}

impl FormPage {
    fn err(&self, field: &str) -> Option<String> {
        field_error(&self.c, &self.errors, field)
    }

    fn summary_items(&self) -> Vec<(String, String)> {
        error_summary(&self.c, &self.errors)
    }

    fn zones(&self) -> Vec<&'static str> {
        chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()).collect()
    }

    fn zone_selected(&self, zone: &str) -> bool {
        self.form.time_zone.trim() == zone
    }

    fn action(&self) -> String {
        match self.meeting_id {
            Some(id) => format!("/meetings/{id}/edit"),
            None => format!("/collaborations/{}/meetings/new", self.collaboration_id),
        }
    }

    fn back(&self) -> String {
        match self.meeting_id {
            Some(id) => format!("/meetings/{id}"),
            None => format!("/collaborations/{}/meetings", self.collaboration_id),
        }
    }
}

async fn form_page(
    ctx: &Ctx,
    collaboration: CollaborationId,
    meeting_id: Option<MeetingId>,
    form: MeetingForm,
    errors: FieldErrors,
    status: StatusCode,
) -> Response {
    let result = async {
        let list = service::list(&ctx.app, &ctx.actor, collaboration).await?;
        if !list.can_create {
            return Err(AppError::Forbidden);
        }
        let view = concord_app::collaborations::get(&ctx.app, &ctx.actor, collaboration).await?;
        Ok::<_, AppError>(view.collaboration.title)
    }
    .await;
    match result {
        Ok(collaboration_title) => render(
            status,
            &FormPage {
                c: PageCtx::new(ctx, "collaborations"),
                collaboration_id: collaboration,
                collaboration_title,
                meeting_id,
                form,
                errors,
            },
        ),
        Err(error) => page_error(ctx)(error).into_response(),
    }
}

async fn new_form(ctx: Ctx, PagePath(id): PagePath<CollaborationId>) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/collaborations/{id}/meetings/new")) {
        return redirect;
    }
    let form = MeetingForm {
        time_zone: ctx.tz.name().to_owned(),
        ..MeetingForm::default()
    };
    form_page(&ctx, id, None, form, FieldErrors::new(), StatusCode::OK).await
}

async fn create(
    ctx: Ctx,
    PagePath(id): PagePath<CollaborationId>,
    Form(form): Form<MeetingForm>,
) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/collaborations/{id}/meetings/new")) {
        return redirect;
    }
    match service::create(&ctx.app, &ctx.actor, id, &form.input()).await {
        Ok(view) => see_other(&format!("/meetings/{}?done=created", view.meeting.id)),
        Err(AppError::Invalid(errors)) => {
            form_page(
                &ctx,
                id,
                None,
                form,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

async fn edit_form(ctx: Ctx, PagePath(id): PagePath<MeetingId>) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/meetings/{id}/edit")) {
        return redirect;
    }
    match service::get(&ctx.app, &ctx.actor, id).await {
        Ok(view) if !view.can_edit => page_error(&ctx)(AppError::Forbidden).into_response(),
        Ok(view) => {
            form_page(
                &ctx,
                view.meeting.collaboration_id,
                Some(id),
                MeetingForm::of(&view.meeting),
                FieldErrors::new(),
                StatusCode::OK,
            )
            .await
        }
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

async fn save_edit(
    ctx: Ctx,
    PagePath(id): PagePath<MeetingId>,
    Form(form): Form<MeetingForm>,
) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/meetings/{id}/edit")) {
        return redirect;
    }
    match service::update(&ctx.app, &ctx.actor, id, &form.input()).await {
        Ok(_) => see_other(&format!("/meetings/{id}?done=updated")),
        Err(AppError::Invalid(errors)) => match service::get(&ctx.app, &ctx.actor, id).await {
            Ok(view) => {
                form_page(
                    &ctx,
                    view.meeting.collaboration_id,
                    Some(id),
                    form,
                    errors,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            Err(error) => page_error(&ctx)(error).into_response(),
        },
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

async fn cancel(ctx: Ctx, PagePath(id): PagePath<MeetingId>) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/meetings/{id}")) {
        return redirect;
    }
    match service::cancel(&ctx.app, &ctx.actor, id).await {
        Ok(_) => see_other(&format!("/meetings/{id}?done=cancelled")),
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

// ---------------------------------------------------------------------------------------------
// A meeting

/// An agenda item with its minutes rendered (the only markup embedded unescaped).
struct ItemView {
    item: AgendaItem,
    minutes_html: Option<String>,
}

/// The agenda item form's values as typed.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct ItemForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    presenter_id: String,
    #[serde(default)]
    duration_minutes: String,
    #[serde(default)]
    notes: String,
}

impl ItemForm {
    /// The input, or the error of a time box that is not a whole number.
    fn input(&self) -> Result<AgendaItemInput, FieldErrors> {
        let raw = self.duration_minutes.trim();
        let duration_minutes = if raw.is_empty() {
            None
        } else {
            Some(
                raw.parse::<i64>()
                    .map_err(|_| FieldErrors::single("duration_minutes", "not_a_number"))?,
            )
        };
        Ok(AgendaItemInput {
            title: self.title.clone(),
            presenter_id: Some(self.presenter_id.clone()),
            duration_minutes,
            notes: Some(self.notes.clone()),
        })
    }

    fn of(item: &AgendaItem) -> ItemForm {
        ItemForm {
            title: item.title.clone(),
            presenter_id: item.presenter_id.map(|p| p.to_string()).unwrap_or_default(),
            duration_minutes: item.duration_minutes.to_string(),
            notes: item.notes.clone().unwrap_or_default(),
        }
    }
}

#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct AttendeeForm {
    #[serde(default)]
    user_id: String,
}

#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct RsvpForm {
    #[serde(default)]
    response: String,
}

#[derive(Debug, Default, serde::Deserialize)]
struct ShowQuery {
    done: Option<String>,
}

/// The forms of the meeting page that may come back with errors.
#[derive(Default)]
struct ShowForms {
    item: ItemForm,
    item_errors: FieldErrors,
    attendee: AttendeeForm,
    attendee_errors: FieldErrors,
    rsvp_errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "meetings/show.html")]
struct ShowPage {
    c: PageCtx,
    view: MeetingView,
    items: Vec<ItemView>,
    outcomes: MeetingOutcomes,
    /// People who may be invited or present (editors only).
    people: Vec<MemberPerson>,
    forms: ShowForms,
    done: Option<String>,
}

#[derive(Template)]
#[template(path = "meetings/print.html")]
struct PrintPage {
    c: PageCtx,
    view: MeetingView,
    items: Vec<ItemView>,
    outcomes: MeetingOutcomes,
}

impl PrintPage {
    fn when(&self, at: &DateTime<Utc>) -> String {
        when(&self.c, &self.view.meeting, at)
    }
}

impl ShowPage {
    fn when(&self, at: &DateTime<Utc>) -> String {
        when(&self.c, &self.view.meeting, at)
    }

    fn your_times(&self) -> Option<(String, String)> {
        your_times(&self.c, &self.view.meeting)
    }

    fn cancelled(&self) -> bool {
        self.view.meeting.status == MeetingStatus::Cancelled
    }

    fn item_err(&self, field: &str) -> Option<String> {
        field_error(&self.c, &self.forms.item_errors, field)
    }

    fn attendee_err(&self) -> Option<String> {
        field_error(&self.c, &self.forms.attendee_errors, "user_id")
    }

    fn rsvp_err(&self) -> Option<String> {
        field_error(&self.c, &self.forms.rsvp_errors, "response")
    }

    fn my_answer(&self, value: &str) -> bool {
        self.view.my_rsvp.is_some_and(|r| r.as_str() == value)
    }

    /// People not yet invited.
    fn invitable(&self) -> Vec<&MemberPerson> {
        self.people
            .iter()
            .filter(|p| !self.view.attendees.iter().any(|a| a.user_id == p.user_id))
            .collect()
    }

    fn presenter_selected(&self, p: &MemberPerson) -> bool {
        self.forms.item.presenter_id.trim() == p.user_id.to_string()
    }

    fn is_last(&self, item: &ItemView) -> bool {
        self.items.last().is_some_and(|l| l.item.id == item.item.id)
    }

    fn total_minutes(&self) -> String {
        self.items
            .iter()
            .map(|i| i.item.duration_minutes)
            .sum::<i64>()
            .to_string()
    }
}

fn item_views(agenda: &[AgendaItem]) -> Vec<ItemView> {
    agenda
        .iter()
        .map(|item| ItemView {
            minutes_html: item.minutes.as_deref().map(markdown::render),
            item: item.clone(),
        })
        .collect()
}

async fn show_page(
    ctx: &Ctx,
    id: MeetingId,
    forms: ShowForms,
    done: Option<String>,
    status: StatusCode,
) -> Response {
    let result = async {
        let view = service::get(&ctx.app, &ctx.actor, id).await?;
        let people = if view.can_edit {
            service::member_people(&ctx.app, &ctx.actor, view.meeting.collaboration_id).await?
        } else {
            Vec::new()
        };
        let outcomes = service::outcomes(&ctx.app, &ctx.actor, id).await?;
        Ok::<_, AppError>((view, people, outcomes))
    }
    .await;
    match result {
        Ok((view, people, outcomes)) => render(
            status,
            &ShowPage {
                c: PageCtx::new(ctx, "collaborations"),
                items: item_views(&view.agenda),
                outcomes,
                view,
                people,
                forms,
                done: done.filter(|d| {
                    d.len() < 40 && d.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_')
                }),
            },
        ),
        Err(error) => page_error(ctx)(error).into_response(),
    }
}

async fn show(
    ctx: Ctx,
    PagePath(id): PagePath<MeetingId>,
    Query(query): Query<ShowQuery>,
) -> Response {
    show_page(&ctx, id, ShowForms::default(), query.done, StatusCode::OK).await
}

async fn print_page(ctx: Ctx, PagePath(id): PagePath<MeetingId>) -> Response {
    let result = async {
        let view = service::get(&ctx.app, &ctx.actor, id).await?;
        Ok::<_, AppError>((view, service::outcomes(&ctx.app, &ctx.actor, id).await?))
    }
    .await;
    match result {
        Ok((view, outcomes)) => ok(&PrintPage {
            c: PageCtx::new(&ctx, "collaborations"),
            items: item_views(&view.agenda),
            view,
            outcomes,
        }),
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

async fn meeting_ics(ctx: Ctx, headers: HeaderMap, PagePath(id): PagePath<MeetingId>) -> Response {
    let base = base_url(&ctx, &headers);
    match service::ics(&ctx.app, &ctx.actor, id, &base).await {
        Ok(body) => ics_response(body, &format!("meeting-{id}.ics")),
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

async fn add_item(
    ctx: Ctx,
    PagePath(id): PagePath<MeetingId>,
    Form(form): Form<ItemForm>,
) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/meetings/{id}")) {
        return redirect;
    }
    let result = match form.input() {
        Ok(input) => service::add_agenda_item(&ctx.app, &ctx.actor, id, &input).await,
        Err(errors) => Err(AppError::Invalid(errors)),
    };
    match result {
        Ok(item) => see_other(&format!("/meetings/{id}?done=item_added#item-{}", item.id)),
        Err(AppError::Invalid(errors)) => {
            let forms = ShowForms {
                item: form,
                item_errors: errors,
                ..ShowForms::default()
            };
            show_page(&ctx, id, forms, None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

async fn add_attendee(
    ctx: Ctx,
    PagePath(id): PagePath<MeetingId>,
    Form(form): Form<AttendeeForm>,
) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/meetings/{id}")) {
        return redirect;
    }
    let input = AttendeeInput {
        user_id: form.user_id.clone(),
    };
    match service::add_attendee(&ctx.app, &ctx.actor, id, &input).await {
        Ok(_) => see_other(&format!("/meetings/{id}?done=attendee_added#attendees")),
        Err(AppError::Invalid(errors)) => {
            let forms = ShowForms {
                attendee: form,
                attendee_errors: errors,
                ..ShowForms::default()
            };
            show_page(&ctx, id, forms, None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

async fn remove_attendee(
    ctx: Ctx,
    PagePath((id, user)): PagePath<(MeetingId, UserId)>,
) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/meetings/{id}")) {
        return redirect;
    }
    match service::remove_attendee(&ctx.app, &ctx.actor, id, user).await {
        Ok(_) => see_other(&format!("/meetings/{id}?done=attendee_removed#attendees")),
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

async fn rsvp(ctx: Ctx, PagePath(id): PagePath<MeetingId>, Form(form): Form<RsvpForm>) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/meetings/{id}")) {
        return redirect;
    }
    let input = RsvpInput {
        response: form.response,
    };
    match service::rsvp(&ctx.app, &ctx.actor, id, &input).await {
        Ok(_) => see_other(&format!("/meetings/{id}?done=answered#rsvp")),
        Err(AppError::Invalid(errors)) => {
            let forms = ShowForms {
                rsvp_errors: errors,
                ..ShowForms::default()
            };
            show_page(&ctx, id, forms, None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

// ---------------------------------------------------------------------------------------------
// Agenda items

#[derive(Template)]
#[template(path = "meetings/item.html")]
struct ItemPage {
    c: PageCtx,
    meeting: Meeting,
    item: AgendaItem,
    people: Vec<MemberPerson>,
    form: ItemForm,
    errors: FieldErrors,
}

impl ItemPage {
    fn err(&self, field: &str) -> Option<String> {
        field_error(&self.c, &self.errors, field)
    }

    fn summary_items(&self) -> Vec<(String, String)> {
        error_summary(&self.c, &self.errors)
    }

    fn presenter_selected(&self, p: &MemberPerson) -> bool {
        self.form.presenter_id.trim() == p.user_id.to_string()
    }
}

#[derive(Template)]
#[template(path = "meetings/minutes.html")]
struct MinutesPage {
    c: PageCtx,
    meeting: Meeting,
    item: AgendaItem,
    minutes: String,
    errors: FieldErrors,
}

impl MinutesPage {
    fn err(&self) -> Option<String> {
        field_error(&self.c, &self.errors, "minutes")
    }
}

/// The item, its meeting, and the people who may present (editors only: else `Forbidden`).
async fn item_context(
    ctx: &Ctx,
    id: AgendaItemId,
) -> Result<(MeetingView, AgendaItem, Vec<MemberPerson>), AppError> {
    let meeting = service::meeting_of_agenda_item(&ctx.app, &ctx.actor, id).await?;
    let view = service::get(&ctx.app, &ctx.actor, meeting).await?;
    if !view.can_edit {
        return Err(AppError::Forbidden);
    }
    let item = view
        .agenda
        .iter()
        .find(|a| a.id == id)
        .cloned()
        .ok_or(AppError::NotFound)?;
    let people =
        service::member_people(&ctx.app, &ctx.actor, view.meeting.collaboration_id).await?;
    Ok((view, item, people))
}

async fn item_page(
    ctx: &Ctx,
    id: AgendaItemId,
    form: Option<ItemForm>,
    errors: FieldErrors,
    status: StatusCode,
) -> Response {
    match item_context(ctx, id).await {
        Ok((view, item, people)) => render(
            status,
            &ItemPage {
                c: PageCtx::new(ctx, "collaborations"),
                form: form.unwrap_or_else(|| ItemForm::of(&item)),
                meeting: view.meeting,
                item,
                people,
                errors,
            },
        ),
        Err(error) => page_error(ctx)(error).into_response(),
    }
}

async fn item_form(ctx: Ctx, PagePath(id): PagePath<AgendaItemId>) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/agenda-items/{id}/edit")) {
        return redirect;
    }
    item_page(&ctx, id, None, FieldErrors::new(), StatusCode::OK).await
}

async fn save_item(
    ctx: Ctx,
    PagePath(id): PagePath<AgendaItemId>,
    Form(form): Form<ItemForm>,
) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/agenda-items/{id}/edit")) {
        return redirect;
    }
    let result = match form.input() {
        Ok(input) => service::update_agenda_item(&ctx.app, &ctx.actor, id, &input).await,
        Err(errors) => Err(AppError::Invalid(errors)),
    };
    match result {
        Ok(item) => see_other(&format!(
            "/meetings/{}?done=item_updated#item-{id}",
            item.meeting_id
        )),
        Err(AppError::Invalid(errors)) => {
            item_page(
                &ctx,
                id,
                Some(form),
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct MinutesForm {
    #[serde(default)]
    minutes: String,
}

async fn minutes_page(
    ctx: &Ctx,
    id: AgendaItemId,
    minutes: Option<String>,
    errors: FieldErrors,
    status: StatusCode,
) -> Response {
    match item_context(ctx, id).await {
        Ok((view, item, _)) => render(
            status,
            &MinutesPage {
                c: PageCtx::new(ctx, "collaborations"),
                minutes: minutes.unwrap_or_else(|| item.minutes.clone().unwrap_or_default()),
                meeting: view.meeting,
                item,
                errors,
            },
        ),
        Err(error) => page_error(ctx)(error).into_response(),
    }
}

async fn minutes_form(ctx: Ctx, PagePath(id): PagePath<AgendaItemId>) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/agenda-items/{id}/minutes")) {
        return redirect;
    }
    minutes_page(&ctx, id, None, FieldErrors::new(), StatusCode::OK).await
}

async fn save_minutes(
    ctx: Ctx,
    PagePath(id): PagePath<AgendaItemId>,
    Form(form): Form<MinutesForm>,
) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/agenda-items/{id}/minutes")) {
        return redirect;
    }
    let input = MinutesInput {
        minutes: form.minutes.clone(),
    };
    match service::set_minutes(&ctx.app, &ctx.actor, id, &input).await {
        Ok(item) => see_other(&format!(
            "/meetings/{}?done=minutes_saved#item-{id}",
            item.meeting_id
        )),
        Err(AppError::Invalid(errors)) => {
            minutes_page(
                &ctx,
                id,
                Some(form.minutes),
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    direction: String,
}

async fn move_item(
    ctx: Ctx,
    PagePath(id): PagePath<AgendaItemId>,
    Form(form): Form<MoveForm>,
) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/agenda-items/{id}/edit")) {
        return redirect;
    }
    let Some(direction) = Direction::parse(form.direction.trim()) else {
        return page_error(&ctx)(AppError::invalid("direction", "invalid_choice")).into_response();
    };
    match service::move_agenda_item(&ctx.app, &ctx.actor, id, direction).await {
        Ok(agenda) => match agenda.first() {
            Some(first) => see_other(&format!(
                "/meetings/{}?done=item_moved#item-{id}",
                first.meeting_id
            )),
            None => page_error(&ctx)(AppError::NotFound).into_response(),
        },
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

async fn delete_item(ctx: Ctx, PagePath(id): PagePath<AgendaItemId>) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/agenda-items/{id}/edit")) {
        return redirect;
    }
    match service::delete_agenda_item(&ctx.app, &ctx.actor, id).await {
        Ok(meeting) => see_other(&format!("/meetings/{meeting}?done=item_removed#agenda")),
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

// ---------------------------------------------------------------------------------------------
// The personal calendar feed

/// `/calendar/{token}.ics`: no session needed; the token stands for its owner.
async fn feed(ctx: Ctx, headers: HeaderMap, PagePath(file): PagePath<String>) -> Response {
    let Some(token) = file.strip_suffix(".ics") else {
        return page_error(&ctx)(AppError::NotFound).into_response();
    };
    let base = base_url(&ctx, &headers);
    match service::feed(&ctx.app, token, &base).await {
        Ok(body) => ics_response(body, "concord.ics"),
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

#[derive(Template)]
#[template(path = "meetings/feed.html")]
struct FeedPage {
    c: PageCtx,
    created_at: Option<DateTime<Utc>>,
    /// The new URL, shown once right after it was made.
    new_url: Option<String>,
    done: Option<String>,
}

async fn feed_page_render(ctx: &Ctx, new_url: Option<String>, done: Option<String>) -> Response {
    match service::feed_created_at(&ctx.app, &ctx.actor).await {
        Ok(created_at) => ok(&FeedPage {
            c: PageCtx::new(ctx, "account"),
            created_at,
            new_url,
            done,
        }),
        Err(error) => page_error(ctx)(error).into_response(),
    }
}

async fn feed_page(ctx: Ctx, Query(query): Query<ShowQuery>) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, "/account/calendar") {
        return redirect;
    }
    let done = query.done.filter(|d| d == "revoked");
    feed_page_render(&ctx, None, done).await
}

/// The feed form says what it asks for (`feed=new`), so a stray POST makes nothing.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct FeedForm {
    #[serde(default)]
    feed: String,
}

async fn create_feed(ctx: Ctx, headers: HeaderMap, Form(form): Form<FeedForm>) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, "/account/calendar") {
        return redirect;
    }
    if form.feed != "new" {
        return page_error(&ctx)(AppError::invalid("feed", "invalid_choice")).into_response();
    }
    match service::create_feed(&ctx.app, &ctx.actor).await {
        Ok(token) => {
            let url = format!("{}/calendar/{token}.ics", base_url(&ctx, &headers));
            feed_page_render(&ctx, Some(url), Some("created".into())).await
        }
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

async fn revoke_feed(ctx: Ctx) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, "/account/calendar") {
        return redirect;
    }
    match service::revoke_feed(&ctx.app, &ctx.actor).await {
        Ok(()) | Err(AppError::NotFound) => see_other("/account/calendar?done=revoked"),
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}
