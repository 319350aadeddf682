//! Collaboration pages: the list with filters, one collaboration with its members, the create and
//! edit form, the history, and the membership forms.

use askama::Template;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_extra::extract::Form;
use concord_app::collaborations::{self as service, CollaborationView, InviteInput, PersonInput};
use concord_app::{AppError, Page};
use concord_domain::audit::HistoryEntry;
use concord_domain::collaboration::{
    Collaboration, CollaborationInput, CollaborationStatus, MembershipStatus, OrganisationRole,
    PersonRole, PolicyArea, Visibility,
};
use concord_domain::organisation::Organisation;
use concord_domain::user::User;
use concord_domain::{CollaborationId, FieldErrors, OrganisationId, UserId};

use super::{PageCtx, PagePath, ok, page_error, render, require_sign_in, see_other};
use crate::AppState;
use crate::api::collaborations::ListParams;
use crate::context::Ctx;

pub fn routes() -> Vec<(&'static str, axum::routing::MethodRouter<AppState>)> {
    vec![
        ("/collaborations", get(list).post(create)),
        ("/collaborations/new", get(new_form)),
        ("/collaborations/{id}", get(show).post(update)),
        ("/collaborations/{id}/edit", get(edit_form)),
        ("/collaborations/{id}/history", get(history)),
        ("/collaborations/{id}/organisations", post(invite)),
        (
            "/collaborations/{id}/organisations/{organisation_id}/role",
            post(organisation_role),
        ),
        (
            "/collaborations/{id}/organisations/{organisation_id}/remove",
            post(remove_organisation),
        ),
        ("/collaborations/{id}/invitation", post(answer_invitation)),
        ("/collaborations/{id}/lead", post(transfer_lead)),
        ("/collaborations/{id}/people", post(add_person)),
        (
            "/collaborations/{id}/people/{user_id}/role",
            post(person_role),
        ),
        (
            "/collaborations/{id}/people/{user_id}/remove",
            post(remove_person),
        ),
    ]
}

/// Choice lists the templates iterate over.
pub struct Choices;

impl Choices {
    pub fn statuses(&self) -> &'static [CollaborationStatus] {
        CollaborationStatus::ALL
    }
    pub fn visibilities(&self) -> &'static [Visibility] {
        Visibility::ALL
    }
    pub fn policy_areas(&self) -> &'static [PolicyArea] {
        PolicyArea::ALL
    }
    pub fn person_roles(&self) -> &'static [PersonRole] {
        PersonRole::ALL
    }
    pub fn member_roles(&self) -> &'static [OrganisationRole] {
        &[OrganisationRole::Partner, OrganisationRole::Observer]
    }
}

#[derive(Template)]
#[template(path = "collaborations/list.html")]
struct ListPage {
    c: PageCtx,
    choices: Choices,
    page: Page<Collaboration>,
    status: String,
    policy_area: String,
    q: String,
    mine: bool,
    errors: FieldErrors,
    next_href: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
struct ListQuery {
    status: Option<String>,
    policy_area: Option<String>,
    q: Option<String>,
    /// "1" to show only my organisation's collaborations.
    mine: Option<String>,
    cursor: Option<String>,
}

async fn list(ctx: Ctx, Query(query): Query<ListQuery>) -> Response {
    let mine = query.mine.as_deref() == Some("1") && ctx.user.is_some();
    let params = ListParams {
        status: query.status.clone(),
        organisation_id: if mine {
            ctx.user
                .as_ref()
                .map(|u| u.actor.organisation_id.to_string())
        } else {
            None
        },
        policy_area: query.policy_area.clone(),
        q: query.q.clone(),
        cursor: query.cursor.clone(),
        limit: None,
    };
    let (page, errors) = match params.filter() {
        Ok(filter) => {
            match service::list(&ctx.app, &ctx.actor, &filter, query.cursor.as_deref(), None).await
            {
                Ok(page) => (page, FieldErrors::new()),
                Err(AppError::Invalid(errors)) => (
                    Page {
                        items: Vec::new(),
                        next_cursor: None,
                    },
                    errors,
                ),
                Err(error) => return page_error(&ctx)(error).into_response(),
            }
        }
        Err(AppError::Invalid(errors)) => (
            Page {
                items: Vec::new(),
                next_cursor: None,
            },
            errors,
        ),
        Err(error) => return page_error(&ctx)(error).into_response(),
    };
    let next_href = page.next_cursor.as_ref().map(|cursor| {
        let mut query_string = url::form_urlencoded::Serializer::new(String::new());
        for (key, value) in [
            ("status", &query.status),
            ("policy_area", &query.policy_area),
            ("q", &query.q),
        ] {
            if let Some(value) = value.as_deref().filter(|v| !v.is_empty()) {
                query_string.append_pair(key, value);
            }
        }
        if mine {
            query_string.append_pair("mine", "1");
        }
        query_string.append_pair("cursor", cursor);
        format!("/collaborations?{}", query_string.finish())
    });
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ListPage {
        c: PageCtx::new(&ctx, "collaborations"),
        choices: Choices,
        page,
        status: query.status.unwrap_or_default(),
        policy_area: query.policy_area.unwrap_or_default(),
        q: query.q.unwrap_or_default(),
        mine,
        errors,
        next_href,
    };
    render(status, &page)
}

/// The collaboration form's values, kept as typed so a rejected submission is shown again intact.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct CollaborationForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    problem_statement: String,
    #[serde(default)]
    policy_areas: Vec<String>,
    #[serde(default)]
    geography: String,
    #[serde(default)]
    start_date: String,
    #[serde(default)]
    end_date: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    visibility: String,
}

impl CollaborationForm {
    fn from_collaboration(c: &Collaboration) -> Self {
        CollaborationForm {
            title: c.title.clone(),
            summary: c.summary.clone(),
            problem_statement: c.problem_statement.clone().unwrap_or_default(),
            policy_areas: c
                .policy_areas
                .iter()
                .map(|a| a.as_str().to_owned())
                .collect(),
            geography: c.geography.clone().unwrap_or_default(),
            start_date: c.start_date.map(|d| d.to_string()).unwrap_or_default(),
            end_date: c.end_date.map(|d| d.to_string()).unwrap_or_default(),
            status: c.status.as_str().to_owned(),
            visibility: c.visibility.as_str().to_owned(),
        }
    }

    fn input(&self) -> CollaborationInput {
        let some = |s: &String| Some(s.clone());
        CollaborationInput {
            title: self.title.clone(),
            summary: self.summary.clone(),
            problem_statement: some(&self.problem_statement),
            policy_areas: self.policy_areas.clone(),
            geography: some(&self.geography),
            start_date: some(&self.start_date),
            end_date: some(&self.end_date),
            status: some(&self.status),
            visibility: self.visibility.clone(),
        }
    }

    pub fn has_area(&self, area: &PolicyArea) -> bool {
        self.policy_areas.iter().any(|a| a == area.as_str())
    }
}

#[derive(Template)]
#[template(path = "collaborations/form.html")]
struct FormPage {
    c: PageCtx,
    choices: Choices,
    /// `None` when creating.
    id: Option<CollaborationId>,
    /// Statuses offered: on create, proposed or active; on edit, the current one and its next.
    statuses: Vec<CollaborationStatus>,
    form: CollaborationForm,
    errors: FieldErrors,
}

impl FormPage {
    fn action(&self) -> String {
        match self.id {
            Some(id) => format!("/collaborations/{id}"),
            None => "/collaborations".to_owned(),
        }
    }
}

const CREATE_STATUSES: &[CollaborationStatus] =
    &[CollaborationStatus::Proposed, CollaborationStatus::Active];

async fn new_form(ctx: Ctx) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, "/collaborations/new") {
        return redirect;
    }
    let form = CollaborationForm {
        visibility: "partners".into(),
        status: "proposed".into(),
        ..Default::default()
    };
    ok(&FormPage {
        c: PageCtx::new(&ctx, "collaborations"),
        choices: Choices,
        id: None,
        statuses: CREATE_STATUSES.to_vec(),
        form,
        errors: FieldErrors::new(),
    })
}

async fn create(ctx: Ctx, Form(form): Form<CollaborationForm>) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, "/collaborations/new") {
        return redirect;
    }
    match service::create(&ctx.app, &ctx.actor, &form.input()).await {
        Ok(view) => see_other(&format!(
            "/collaborations/{}?done=created",
            view.collaboration.id
        )),
        Err(AppError::Invalid(errors)) => render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &FormPage {
                c: PageCtx::new(&ctx, "collaborations"),
                choices: Choices,
                id: None,
                statuses: CREATE_STATUSES.to_vec(),
                form,
                errors,
            },
        ),
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

fn edit_statuses(current: CollaborationStatus) -> Vec<CollaborationStatus> {
    std::iter::once(current)
        .chain(current.next().iter().copied())
        .collect()
}

async fn edit_form(ctx: Ctx, PagePath(id): PagePath<CollaborationId>) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/collaborations/{id}/edit")) {
        return redirect;
    }
    match service::get(&ctx.app, &ctx.actor, id).await {
        Ok(view) if view.permissions.edit => ok(&FormPage {
            c: PageCtx::new(&ctx, "collaborations"),
            choices: Choices,
            id: Some(id),
            statuses: edit_statuses(view.collaboration.status),
            form: CollaborationForm::from_collaboration(&view.collaboration),
            errors: FieldErrors::new(),
        }),
        Ok(_) => page_error(&ctx)(AppError::Forbidden).into_response(),
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

async fn update(
    ctx: Ctx,
    PagePath(id): PagePath<CollaborationId>,
    Form(form): Form<CollaborationForm>,
) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/collaborations/{id}/edit")) {
        return redirect;
    }
    match service::update(&ctx.app, &ctx.actor, id, &form.input()).await {
        Ok(_) => see_other(&format!("/collaborations/{id}?done=updated")),
        Err(AppError::Invalid(errors)) => {
            let current = service::get(&ctx.app, &ctx.actor, id)
                .await
                .map(|v| v.collaboration.status)
                .unwrap_or(CollaborationStatus::Proposed);
            render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &FormPage {
                    c: PageCtx::new(&ctx, "collaborations"),
                    choices: Choices,
                    id: Some(id),
                    statuses: edit_statuses(current),
                    form,
                    errors,
                },
            )
        }
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

/// Threads listed in the collaboration page's Discussion section; the rest are a link away.
const THREADS_SHOWN: i64 = 3;

/// Flagged stakeholders listed on the collaboration page; the rest are a link away.
const STAKEHOLDER_FLAGS_SHOWN: usize = 5;

#[derive(Template)]
#[template(path = "collaborations/show.html")]
struct ShowPage {
    c: PageCtx,
    choices: Choices,
    view: CollaborationView,
    objectives: Vec<concord_domain::objective::Objective>,
    /// Organisations that could be invited (for coordinators).
    invitable: Vec<Organisation>,
    /// People who could be named (for coordinators).
    candidates: Vec<User>,
    /// Success message key after a redirect.
    done: Option<String>,
    /// With `done=measurements_imported`: how many rows were stored.
    done_count: Option<String>,
    /// A failed membership action: which form and the message.
    failure: Option<(String, String)>,
    /// For coordinators: the due date of an overdue review.
    review_overdue: Option<chrono::NaiveDate>,
    /// The register's size and, for members, its flagged stakeholders.
    stakeholders: Option<concord_app::stakeholders::StakeholderOverview>,
    /// The most recently active threads the reader may see, and whether they may start one.
    threads: Option<concord_app::threads::ThreadList>,
    /// The next meetings (at most three) and whether the reader may schedule one.
    meetings: Option<concord_app::meetings::MeetingList>,
}

impl ShowPage {
    fn active_partners(&self) -> Vec<&concord_domain::collaboration::OrganisationMember> {
        self.view
            .organisations
            .iter()
            .filter(|m| m.status == MembershipStatus::Active && m.role != OrganisationRole::Lead)
            .collect()
    }

    /// The only coordinator cannot be removed (the service refuses), so no button is offered.
    fn is_last_coordinator(&self, person: &concord_domain::collaboration::PersonMember) -> bool {
        person.role == PersonRole::Coordinator
            && self
                .view
                .people
                .iter()
                .filter(|p| p.role == PersonRole::Coordinator)
                .count()
                == 1
    }

    /// The first few flagged stakeholders, for the Stakeholders section.
    fn first_flagged(&self) -> &[concord_app::stakeholders::FlaggedStakeholder] {
        match self.stakeholders.as_ref().and_then(|s| s.flagged.as_ref()) {
            Some(flagged) => &flagged[..flagged.len().min(STAKEHOLDER_FLAGS_SHOWN)],
            None => &[],
        }
    }

    fn stakeholder_name(&self, s: &concord_domain::stakeholder::Stakeholder) -> String {
        s.name
            .clone()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| self.c.t("stakeholder-name-withheld"))
    }

    /// "Org A, Org B": the organisations a narrower thread is kept to.
    fn thread_audience(&self, thread: &concord_domain::thread::Thread) -> String {
        super::threads::audience_names(thread)
    }

    fn failure_for(&self, form: &str) -> Option<&str> {
        self.failure
            .as_ref()
            .filter(|(f, _)| f == form)
            .map(|(_, message)| message.as_str())
    }
}

#[derive(Debug, Default, serde::Deserialize)]
struct DoneQuery {
    done: Option<String>,
    /// How many measurements an import stored.
    count: Option<u32>,
}

async fn show_page(
    ctx: &Ctx,
    id: CollaborationId,
    done: Option<String>,
    done_count: Option<u32>,
    failure: Option<(String, String)>,
    status: StatusCode,
) -> Response {
    let view = match service::get(&ctx.app, &ctx.actor, id).await {
        Ok(view) => view,
        Err(error) => return page_error(ctx)(error).into_response(),
    };
    let objectives = match concord_app::objectives::list(&ctx.app, &ctx.actor, id).await {
        Ok(objectives) => objectives,
        Err(error) => return page_error(ctx)(error).into_response(),
    };
    let (invitable, candidates) = if view.permissions.manage_members {
        let members: Vec<OrganisationId> = view
            .organisations
            .iter()
            .filter(|m| m.status != MembershipStatus::Declined)
            .map(|m| m.organisation_id)
            .collect();
        let invitable = match concord_app::organisations::all(&ctx.app, &ctx.actor).await {
            Ok(all) => all
                .into_iter()
                .filter(|o| !members.contains(&o.id))
                .collect(),
            Err(error) => return page_error(ctx)(error).into_response(),
        };
        let candidates = match service::candidates(&ctx.app, &ctx.actor, id).await {
            Ok(candidates) => candidates,
            Err(error) => return page_error(ctx)(error).into_response(),
        };
        (invitable, candidates)
    } else {
        (Vec::new(), Vec::new())
    };
    let review_overdue =
        match concord_app::reviews::overdue_for_coordinator(&ctx.app, &ctx.actor, id).await {
            Ok(due) => due,
            Err(error) => return page_error(ctx)(error).into_response(),
        };
    // One read of the register for members, a count for other readers.
    let stakeholders = match concord_app::stakeholders::overview(&ctx.app, &ctx.actor, id).await {
        Ok(overview) => Some(overview),
        Err(AppError::Forbidden | AppError::Unauthenticated | AppError::NotFound) => None,
        Err(error) => return page_error(ctx)(error).into_response(),
    };
    let threads =
        match concord_app::threads::list(&ctx.app, &ctx.actor, id, None, Some(THREADS_SHOWN)).await
        {
            Ok(list) => Some(list),
            Err(AppError::Forbidden | AppError::Unauthenticated | AppError::NotFound) => None,
            Err(error) => return page_error(ctx)(error).into_response(),
        };
    let meetings = match concord_app::meetings::list(&ctx.app, &ctx.actor, id).await {
        Ok(mut list) => {
            list.upcoming.truncate(3);
            list.past.clear();
            Some(list)
        }
        Err(AppError::Forbidden | AppError::Unauthenticated | AppError::NotFound) => None,
        Err(error) => return page_error(ctx)(error).into_response(),
    };
    let done =
        done.filter(|d| d.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_') && d.len() < 40);
    render(
        status,
        &ShowPage {
            c: PageCtx::new(ctx, "collaborations"),
            choices: Choices,
            view,
            objectives,
            invitable,
            candidates,
            done_count: done_count
                .filter(|_| done.as_deref() == Some("measurements_imported"))
                .map(|n| n.to_string()),
            done,
            failure,
            review_overdue,
            stakeholders,
            threads,
            meetings,
        },
    )
}

async fn show(
    ctx: Ctx,
    PagePath(id): PagePath<CollaborationId>,
    Query(query): Query<DoneQuery>,
) -> Response {
    show_page(&ctx, id, query.done, query.count, None, StatusCode::OK).await
}

/// After a membership form: back to the page with a success note, or the page again with the
/// failure beside the form that caused it.
async fn after_action(
    ctx: &Ctx,
    id: CollaborationId,
    form: &str,
    result: Result<(), AppError>,
    done: &str,
) -> Response {
    match result {
        Ok(()) => see_other(&format!("/collaborations/{id}?done={done}")),
        Err(error @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let message = match &error {
                AppError::Invalid(fields) => fields
                    .0
                    .first()
                    .map(|f| ctx.lang.t(&format!("error-{}", f.code)))
                    .unwrap_or_default(),
                other => ctx.lang.t(&format!("error-{}", other.code())),
            };
            let status = crate::error::status_of(&error);
            show_page(
                ctx,
                id,
                None,
                None,
                Some((form.to_owned(), message)),
                status,
            )
            .await
        }
        Err(error) => page_error(ctx)(error).into_response(),
    }
}

async fn invite(
    ctx: Ctx,
    PagePath(id): PagePath<CollaborationId>,
    Form(input): Form<InviteInput>,
) -> Response {
    let result = service::invite_organisation(&ctx.app, &ctx.actor, id, &input).await;
    after_action(&ctx, id, "invite", result, "invited").await
}

#[derive(Debug, Default, serde::Deserialize)]
struct RoleForm {
    #[serde(default)]
    role: String,
}

async fn organisation_role(
    ctx: Ctx,
    PagePath((id, org)): PagePath<(CollaborationId, OrganisationId)>,
    Form(form): Form<RoleForm>,
) -> Response {
    let result = service::change_organisation_role(&ctx.app, &ctx.actor, id, org, &form.role).await;
    after_action(&ctx, id, "organisations", result, "role_changed").await
}

async fn remove_organisation(
    ctx: Ctx,
    PagePath((id, org)): PagePath<(CollaborationId, OrganisationId)>,
) -> Response {
    let result = service::remove_organisation(&ctx.app, &ctx.actor, id, org).await;
    after_action(&ctx, id, "organisations", result, "organisation_removed").await
}

#[derive(Debug, Default, serde::Deserialize)]
struct AnswerForm {
    #[serde(default)]
    answer: String,
}

async fn answer_invitation(
    ctx: Ctx,
    PagePath(id): PagePath<CollaborationId>,
    Form(form): Form<AnswerForm>,
) -> Response {
    let accept = match form.answer.as_str() {
        "accept" => true,
        "decline" => false,
        _ => {
            return page_error(&ctx)(AppError::invalid("answer", "invalid_choice")).into_response();
        }
    };
    match service::respond_to_invitation(&ctx.app, &ctx.actor, id, accept).await {
        // After declining, the collaboration may no longer be readable: go home.
        Ok(()) if accept => see_other(&format!("/collaborations/{id}?done=accepted")),
        Ok(()) => see_other("/?done=declined"),
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

#[derive(Debug, Default, serde::Deserialize)]
struct LeadForm {
    #[serde(default)]
    organisation_id: String,
}

async fn transfer_lead(
    ctx: Ctx,
    PagePath(id): PagePath<CollaborationId>,
    Form(form): Form<LeadForm>,
) -> Response {
    let result = match form.organisation_id.trim().parse() {
        Ok(to) => service::transfer_lead(&ctx.app, &ctx.actor, id, to).await,
        Err(_) => Err(AppError::invalid("organisation_id", "invalid_choice")),
    };
    after_action(&ctx, id, "lead", result, "lead_transferred").await
}

async fn add_person(
    ctx: Ctx,
    PagePath(id): PagePath<CollaborationId>,
    Form(input): Form<PersonInput>,
) -> Response {
    let result = service::add_person(&ctx.app, &ctx.actor, id, &input).await;
    after_action(&ctx, id, "people", result, "person_added").await
}

async fn person_role(
    ctx: Ctx,
    PagePath((id, user)): PagePath<(CollaborationId, UserId)>,
    Form(form): Form<RoleForm>,
) -> Response {
    let result = service::change_person_role(&ctx.app, &ctx.actor, id, user, &form.role).await;
    after_action(&ctx, id, "people", result, "role_changed").await
}

async fn remove_person(
    ctx: Ctx,
    PagePath((id, user)): PagePath<(CollaborationId, UserId)>,
) -> Response {
    let result = service::remove_person(&ctx.app, &ctx.actor, id, user).await;
    after_action(&ctx, id, "people", result, "person_removed").await
}

#[derive(Template)]
#[template(path = "collaborations/history.html")]
struct HistoryPage {
    c: PageCtx,
    collaboration: Collaboration,
    page: Page<HistoryEntry>,
    next_href: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
struct CursorQuery {
    cursor: Option<String>,
}

async fn history(
    ctx: Ctx,
    PagePath(id): PagePath<CollaborationId>,
    Query(query): Query<CursorQuery>,
) -> Response {
    let result = async {
        let page =
            service::history(&ctx.app, &ctx.actor, id, query.cursor.as_deref(), Some(50)).await?;
        let view = service::get(&ctx.app, &ctx.actor, id).await?;
        Ok::<_, AppError>((page, view))
    }
    .await;
    match result {
        Ok((page, view)) => {
            let next_href = page
                .next_cursor
                .as_ref()
                .map(|c| format!("/collaborations/{id}/history?cursor={c}"));
            ok(&HistoryPage {
                c: PageCtx::new(&ctx, "collaborations"),
                collaboration: view.collaboration,
                page,
                next_href,
            })
        }
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}
