//! Decision and action item pages: a collaboration's decision register (filters, cursor pages),
//! the public register of every collaboration's public decisions, a decision with the action items
//! it caused, the forms to record and edit a decision, a collaboration's action items (filters,
//! status changes) and the form to create one. Every handler calls `concord_app::decisions` or
//! `concord_app::action_items`, the API's services.
//!
//! The record forms accept `?meeting=<id>` (and the action item form `?decision=<id>`), so a
//! meeting page can link "Record a decision". `decided` and `rationale` are Markdown, embedded
//! only after `crate::markdown::render` sanitised them. Everything works without JavaScript.

use askama::Template;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_extra::extract::Form;
use concord_app::AppError;
use concord_app::action_items::{self, ItemQuery};
use concord_app::decisions::{self as service, FormChoices, RegisterQuery};
use concord_domain::collaboration::{OrganisationMember, PersonMember, Visibility};
use concord_domain::decision::{
    ActionItem, ActionItemInput, ActionItemStatus, ActionItemStatusInput, Decision, DecisionInput,
    DecisionVisibility, MeetingRef,
};
use concord_domain::{ActionItemId, CollaborationId, DecisionId, FieldErrors};

use super::{PageCtx, PagePath, ok, page_error, render, require_sign_in, see_other};
use crate::AppState;
use crate::context::Ctx;
use crate::markdown;

const PAGE_SIZE: i64 = 25;

pub fn routes() -> Vec<(&'static str, axum::routing::MethodRouter<AppState>)> {
    vec![
        ("/collaborations/{id}/decisions", get(register)),
        (
            "/collaborations/{id}/decisions/new",
            get(new_form).post(create),
        ),
        ("/decisions", get(public_register)),
        ("/decisions/{id}", get(show)),
        ("/decisions/{id}/edit", get(edit_form).post(save_edit)),
        ("/collaborations/{id}/action-items", get(items_page)),
        (
            "/collaborations/{id}/action-items/new",
            get(new_item_form).post(create_item),
        ),
        ("/action-items/{id}/status", post(set_status)),
    ]
}

fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// The message for the first error on `field`: `decision-error-<field>-<code>` when the catalogue
/// has it, else the general `error-<code>`.
fn field_error(c: &PageCtx, errors: &FieldErrors, field: &str) -> Option<String> {
    super::field_error_worded(c, errors, field, |code| {
        format!("decision-error-{field}-{code}")
    })
}

fn error_summary(c: &PageCtx, errors: &FieldErrors) -> Vec<(String, String)> {
    super::error_summary_worded(c, errors, "decision-field", |field| {
        field_error(c, errors, field)
    })
}

fn people_names(d: &Decision) -> String {
    d.decided_by
        .iter()
        .map(|p| p.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

// ---------------------------------------------------------------------------------------------
// The register

#[derive(Debug, Default, serde::Deserialize)]
struct RegisterParams {
    from: Option<String>,
    to: Option<String>,
    meeting: Option<String>,
    visibility: Option<String>,
    q: Option<String>,
    cursor: Option<String>,
}

impl RegisterParams {
    fn query(&self) -> RegisterQuery {
        RegisterQuery {
            from: self.from.clone(),
            to: self.to.clone(),
            meeting: self.meeting.clone(),
            visibility: self.visibility.clone(),
            q: self.q.clone(),
        }
    }

    /// The filters as a query string (to keep them on the next page's link).
    fn filters(&self) -> String {
        [
            ("from", &self.from),
            ("to", &self.to),
            ("meeting", &self.meeting),
            ("visibility", &self.visibility),
            ("q", &self.q),
        ]
        .iter()
        .filter_map(|(k, v)| {
            v.as_deref()
                .filter(|v| !v.trim().is_empty())
                .map(|v| format!("{k}={}&", encode(v)))
        })
        .collect()
    }

    fn value(&self, field: &str) -> String {
        match field {
            "from" => &self.from,
            "to" => &self.to,
            "meeting" => &self.meeting,
            "visibility" => &self.visibility,
            _ => &self.q,
        }
        .clone()
        .unwrap_or_default()
    }
}

#[derive(Template)]
#[template(path = "decisions/register.html")]
struct RegisterPage {
    c: PageCtx,
    collaboration_id: CollaborationId,
    collaboration_title: String,
    decisions: Vec<Decision>,
    meetings: Vec<MeetingRef>,
    params: RegisterParams,
    errors: FieldErrors,
    can_create: bool,
    older_href: Option<String>,
    first_href: Option<String>,
}

impl RegisterPage {
    fn by(&self, d: &Decision) -> String {
        people_names(d)
    }

    fn value(&self, field: &str) -> String {
        self.params.value(field)
    }

    fn err(&self, field: &str) -> Option<String> {
        field_error(&self.c, &self.errors, field)
    }

    fn visibilities(&self) -> &'static [DecisionVisibility] {
        DecisionVisibility::ALL
    }
}

async fn register(
    ctx: Ctx,
    PagePath(id): PagePath<CollaborationId>,
    Query(params): Query<RegisterParams>,
) -> Response {
    let cursor = params.cursor.clone().filter(|c| !c.is_empty());
    let result = service::list(
        &ctx.app,
        &ctx.actor,
        id,
        &params.query(),
        cursor.as_deref(),
        Some(PAGE_SIZE),
    )
    .await;
    let (list, errors) = match result {
        Ok(list) => (list, FieldErrors::new()),
        // Bad filters: the register unfiltered, with the errors beside the filter fields.
        Err(AppError::Invalid(errors)) => {
            match service::list(
                &ctx.app,
                &ctx.actor,
                id,
                &RegisterQuery::default(),
                None,
                Some(PAGE_SIZE),
            )
            .await
            {
                Ok(list) => (list, errors),
                Err(error) => return page_error(&ctx)(error).into_response(),
            }
        }
        Err(error) => return page_error(&ctx)(error).into_response(),
    };
    let title = match collaboration_title(&ctx, id, &list.items).await {
        Ok(title) => title,
        Err(error) => return page_error(&ctx)(error).into_response(),
    };
    let meetings = service::form_choices(&ctx.app, &ctx.actor, id)
        .await
        .map(|f| f.meetings)
        .unwrap_or_default();
    let filters = params.filters();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        status,
        &RegisterPage {
            c: PageCtx::new(&ctx, "collaborations"),
            collaboration_id: id,
            collaboration_title: title,
            older_href: list.next_cursor.as_ref().map(|next| {
                format!(
                    "/collaborations/{id}/decisions?{filters}cursor={}",
                    encode(next)
                )
            }),
            first_href: cursor.map(|_| format!("/collaborations/{id}/decisions?{filters}")),
            decisions: list.items,
            meetings,
            params,
            errors,
            can_create: list.can_create,
        },
    )
}

/// The collaboration's title: from the collaboration when the reader may read it, else from its
/// public decisions (a register of public decisions only).
async fn collaboration_title(
    ctx: &Ctx,
    id: CollaborationId,
    decisions: &[Decision],
) -> Result<String, AppError> {
    match concord_app::collaborations::get(&ctx.app, &ctx.actor, id).await {
        Ok(view) => Ok(view.collaboration.title),
        Err(AppError::NotFound) => {
            if let Some(d) = decisions.first() {
                return Ok(d.collaboration_title.clone());
            }
            let public = service::list(
                &ctx.app,
                &ctx.actor,
                id,
                &RegisterQuery::default(),
                None,
                Some(1),
            )
            .await?;
            public
                .items
                .first()
                .map(|d| d.collaboration_title.clone())
                .ok_or(AppError::NotFound)
        }
        Err(error) => Err(error),
    }
}

#[derive(Debug, Default, serde::Deserialize)]
struct CursorParams {
    cursor: Option<String>,
}

#[derive(Template)]
#[template(path = "decisions/public.html")]
struct PublicPage {
    c: PageCtx,
    decisions: Vec<Decision>,
    older_href: Option<String>,
    first_href: Option<String>,
}

async fn public_register(ctx: Ctx, Query(params): Query<CursorParams>) -> Response {
    let cursor = params.cursor.filter(|c| !c.is_empty());
    match service::public(&ctx.app, cursor.as_deref(), Some(PAGE_SIZE)).await {
        Ok(list) => ok(&PublicPage {
            c: PageCtx::new(&ctx, "decisions"),
            older_href: list
                .next_cursor
                .as_ref()
                .map(|next| format!("/decisions?cursor={}", encode(next))),
            first_href: cursor.map(|_| "/decisions".to_owned()),
            decisions: list.items,
        }),
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

// ---------------------------------------------------------------------------------------------
// A decision

#[derive(Debug, Default, serde::Deserialize)]
struct DoneParams {
    done: Option<String>,
}

#[derive(Template)]
#[template(path = "decisions/show.html")]
struct ShowPage {
    c: PageCtx,
    decision: Decision,
    decided_html: String,
    rationale_html: Option<String>,
    action_items: Vec<ActionItem>,
    can_edit: bool,
    done: Option<String>,
}

impl ShowPage {
    fn audience(&self) -> String {
        self.decision
            .audience
            .iter()
            .map(|o| o.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn by(&self) -> String {
        people_names(&self.decision)
    }
}

async fn show(
    ctx: Ctx,
    PagePath(id): PagePath<DecisionId>,
    Query(params): Query<DoneParams>,
) -> Response {
    match service::get(&ctx.app, &ctx.actor, id).await {
        Ok(view) => ok(&ShowPage {
            c: PageCtx::new(&ctx, "collaborations"),
            decided_html: markdown::render(&view.decision.decided),
            rationale_html: view.decision.rationale.as_deref().map(markdown::render),
            decision: view.decision,
            action_items: view.action_items,
            can_edit: view.can_edit,
            done: params
                .done
                .filter(|d| d == "recorded" || d == "saved" || d == "item_created"),
        }),
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

// ---------------------------------------------------------------------------------------------
// Recording and editing a decision

/// The decision form as typed. Options are one per line; people and organisations arrive as
/// repeated keys (one per ticked box).
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    decided: String,
    #[serde(default)]
    rationale: String,
    #[serde(default)]
    options: String,
    #[serde(default)]
    meeting_id: String,
    #[serde(default)]
    decided_by: Vec<String>,
    #[serde(default)]
    decided_on: String,
    #[serde(default)]
    visibility: String,
    #[serde(default)]
    audience: Vec<String>,
}

impl DecisionForm {
    fn input(&self) -> DecisionInput {
        DecisionInput {
            title: self.title.clone(),
            decided: self.decided.clone(),
            rationale: self.rationale.clone(),
            options: self.options.lines().map(str::to_owned).collect(),
            meeting_id: Some(self.meeting_id.clone()),
            decided_by: self.decided_by.clone(),
            decided_on: self.decided_on.clone(),
            visibility: Some(self.visibility.clone()),
            audience: self.audience.clone(),
        }
    }

    fn of(d: &Decision) -> DecisionForm {
        DecisionForm {
            title: d.title.clone(),
            decided: d.decided.clone(),
            rationale: d.rationale.clone().unwrap_or_default(),
            options: d.options.join("\n"),
            meeting_id: d
                .meeting
                .as_ref()
                .map(|m| m.id.to_string())
                .unwrap_or_default(),
            decided_by: d.decided_by.iter().map(|p| p.id.to_string()).collect(),
            decided_on: d.decided_on.to_string(),
            visibility: d.visibility.as_str().to_owned(),
            audience: d.audience.iter().map(|o| o.id.to_string()).collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "decisions/form.html")]
struct FormPage {
    c: PageCtx,
    collaboration_id: CollaborationId,
    choices: FormChoices,
    /// Set when editing.
    decision_id: Option<DecisionId>,
    form: DecisionForm,
    errors: FieldErrors,
}

impl FormPage {
    fn action(&self) -> String {
        match self.decision_id {
            Some(id) => format!("/decisions/{id}/edit"),
            None => format!("/collaborations/{}/decisions/new", self.collaboration_id),
        }
    }

    fn back(&self) -> String {
        match self.decision_id {
            Some(id) => format!("/decisions/{id}"),
            None => format!("/collaborations/{}/decisions", self.collaboration_id),
        }
    }

    fn person_checked(&self, p: &PersonMember) -> bool {
        let id = p.user_id.to_string();
        self.form.decided_by.iter().any(|v| v.trim() == id)
    }

    fn org_checked(&self, m: &OrganisationMember) -> bool {
        let id = m.organisation_id.to_string();
        self.form.audience.iter().any(|v| v.trim() == id)
    }

    fn is_own(&self, m: &OrganisationMember) -> bool {
        self.c.org_id.as_deref() == Some(m.organisation_id.to_string().as_str())
    }

    /// A meeting id typed or linked that is not among the choices (kept so the error shows).
    fn unlisted_meeting(&self) -> Option<String> {
        let typed = self.form.meeting_id.trim();
        (!typed.is_empty()
            && !self
                .choices
                .meetings
                .iter()
                .any(|m| m.id.to_string() == typed))
        .then(|| typed.to_owned())
    }

    fn meeting_selected(&self, m: &MeetingRef) -> bool {
        self.form.meeting_id.trim() == m.id.to_string()
    }

    /// The visibilities offered (`public` not on a confidential collaboration).
    fn visibilities(&self) -> Vec<DecisionVisibility> {
        DecisionVisibility::ALL
            .iter()
            .copied()
            .filter(|v| {
                *v != DecisionVisibility::Public
                    || self.choices.collaboration_visibility != Visibility::Confidential
                    || self.form.visibility == "public"
            })
            .collect()
    }

    fn visibility_checked(&self, v: &DecisionVisibility) -> bool {
        let current = if self.form.visibility.trim().is_empty() {
            "collaboration"
        } else {
            self.form.visibility.trim()
        };
        current == v.as_str()
    }

    fn err(&self, field: &str) -> Option<String> {
        field_error(&self.c, &self.errors, field)
    }

    fn summary_items(&self) -> Vec<(String, String)> {
        error_summary(&self.c, &self.errors)
    }
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    ctx: &Ctx,
    collaboration: CollaborationId,
    decision_id: Option<DecisionId>,
    form: DecisionForm,
    errors: FieldErrors,
    status: StatusCode,
) -> Response {
    match service::form_choices(&ctx.app, &ctx.actor, collaboration).await {
        Ok(choices) => render(
            status,
            &FormPage {
                c: PageCtx::new(ctx, "collaborations"),
                collaboration_id: collaboration,
                choices,
                decision_id,
                form,
                errors,
            },
        ),
        Err(error) => page_error(ctx)(error).into_response(),
    }
}

#[derive(Debug, Default, serde::Deserialize)]
struct NewParams {
    meeting: Option<String>,
    decision: Option<String>,
}

async fn new_form(
    ctx: Ctx,
    PagePath(id): PagePath<CollaborationId>,
    Query(params): Query<NewParams>,
) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/collaborations/{id}/decisions/new")) {
        return redirect;
    }
    let form = DecisionForm {
        meeting_id: params.meeting.unwrap_or_default(),
        decided_on: ctx.app.now().date_naive().to_string(),
        ..Default::default()
    };
    form_page(&ctx, id, None, form, FieldErrors::new(), StatusCode::OK).await
}

async fn create(
    ctx: Ctx,
    PagePath(id): PagePath<CollaborationId>,
    Form(form): Form<DecisionForm>,
) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/collaborations/{id}/decisions/new")) {
        return redirect;
    }
    match service::create(&ctx.app, &ctx.actor, id, &form.input()).await {
        Ok(view) => see_other(&format!("/decisions/{}?done=recorded", view.decision.id)),
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

async fn edit_form(ctx: Ctx, PagePath(id): PagePath<DecisionId>) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/decisions/{id}/edit")) {
        return redirect;
    }
    match service::get(&ctx.app, &ctx.actor, id).await {
        Ok(view) if view.can_edit => {
            form_page(
                &ctx,
                view.decision.collaboration_id,
                Some(id),
                DecisionForm::of(&view.decision),
                FieldErrors::new(),
                StatusCode::OK,
            )
            .await
        }
        Ok(_) => page_error(&ctx)(AppError::Forbidden).into_response(),
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

async fn save_edit(
    ctx: Ctx,
    PagePath(id): PagePath<DecisionId>,
    Form(form): Form<DecisionForm>,
) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/decisions/{id}/edit")) {
        return redirect;
    }
    match service::update(&ctx.app, &ctx.actor, id, &form.input()).await {
        Ok(_) => see_other(&format!("/decisions/{id}?done=saved")),
        Err(AppError::Invalid(errors)) => match service::get(&ctx.app, &ctx.actor, id).await {
            Ok(view) => {
                form_page(
                    &ctx,
                    view.decision.collaboration_id,
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

// ---------------------------------------------------------------------------------------------
// Action items

#[derive(Debug, Default, serde::Deserialize)]
struct ItemParams {
    status: Option<String>,
    owner: Option<String>,
    cursor: Option<String>,
    done: Option<String>,
}

#[derive(Template)]
#[template(path = "decisions/action_items.html")]
struct ItemsPage {
    c: PageCtx,
    collaboration_id: CollaborationId,
    collaboration_title: String,
    items: Vec<ActionItem>,
    people: Vec<PersonMember>,
    status: String,
    owner: String,
    errors: FieldErrors,
    can_create: bool,
    next_href: Option<String>,
    first_href: Option<String>,
    done: Option<String>,
}

impl ItemsPage {
    fn statuses(&self) -> &'static [ActionItemStatus] {
        ActionItemStatus::ALL
    }

    fn may_set_status(&self, item: &ActionItem) -> bool {
        self.can_create || self.c.user_id.as_deref() == Some(item.owner_id.to_string().as_str())
    }

    fn err(&self, field: &str) -> Option<String> {
        field_error(&self.c, &self.errors, field)
    }

    fn back_here(&self) -> String {
        format!("/collaborations/{}/action-items", self.collaboration_id)
    }
}

async fn items_page(
    ctx: Ctx,
    PagePath(id): PagePath<CollaborationId>,
    Query(params): Query<ItemParams>,
) -> Response {
    let cursor = params.cursor.clone().filter(|c| !c.is_empty());
    let query = ItemQuery {
        status: params.status.clone(),
        owner: params.owner.clone(),
    };
    let (list, errors) = match action_items::list(
        &ctx.app,
        &ctx.actor,
        id,
        &query,
        cursor.as_deref(),
        Some(50),
    )
    .await
    {
        Ok(list) => (list, FieldErrors::new()),
        Err(AppError::Invalid(errors)) => match action_items::list(
            &ctx.app,
            &ctx.actor,
            id,
            &ItemQuery::default(),
            None,
            Some(50),
        )
        .await
        {
            Ok(list) => (list, errors),
            Err(error) => return page_error(&ctx)(error).into_response(),
        },
        Err(error) => return page_error(&ctx)(error).into_response(),
    };
    let title = match concord_app::collaborations::get(&ctx.app, &ctx.actor, id).await {
        Ok(view) => view.collaboration.title,
        Err(AppError::NotFound) => match list.items.first() {
            Some(item) => item.collaboration_title.clone(),
            None => match collaboration_title(&ctx, id, &[]).await {
                Ok(title) => title,
                Err(error) => return page_error(&ctx)(error).into_response(),
            },
        },
        Err(error) => return page_error(&ctx)(error).into_response(),
    };
    let people = match concord_app::collaborations::get(&ctx.app, &ctx.actor, id).await {
        Ok(view) if list.can_create || view.permissions.read_history => view.people,
        _ => Vec::new(),
    };
    let filters: String = [("status", &params.status), ("owner", &params.owner)]
        .iter()
        .filter_map(|(k, v)| {
            v.as_deref()
                .filter(|v| !v.trim().is_empty())
                .map(|v| format!("{k}={}&", encode(v)))
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(
        status,
        &ItemsPage {
            c: PageCtx::new(&ctx, "collaborations"),
            collaboration_id: id,
            collaboration_title: title,
            next_href: list.next_cursor.as_ref().map(|next| {
                format!(
                    "/collaborations/{id}/action-items?{filters}cursor={}",
                    encode(next)
                )
            }),
            first_href: cursor.map(|_| format!("/collaborations/{id}/action-items?{filters}")),
            items: list.items,
            people,
            status: params.status.unwrap_or_default(),
            owner: params.owner.unwrap_or_default(),
            errors,
            can_create: list.can_create,
            done: params
                .done
                .filter(|d| d == "item_created" || d == "status_changed"),
        },
    )
}

/// The action item form as typed.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct ItemForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    owner_id: String,
    #[serde(default)]
    due_on: String,
    #[serde(default)]
    decision_id: String,
    #[serde(default)]
    meeting_id: String,
    #[serde(default)]
    objective_id: String,
}

impl ItemForm {
    fn input(&self) -> ActionItemInput {
        ActionItemInput {
            title: self.title.clone(),
            owner_id: self.owner_id.clone(),
            due_on: self.due_on.clone(),
            decision_id: Some(self.decision_id.clone()),
            meeting_id: Some(self.meeting_id.clone()),
            objective_id: Some(self.objective_id.clone()),
        }
    }
}

#[derive(Template)]
#[template(path = "decisions/new_item.html")]
struct NewItemPage {
    c: PageCtx,
    collaboration_id: CollaborationId,
    choices: FormChoices,
    decisions: Vec<Decision>,
    objectives: Vec<(String, String)>,
    form: ItemForm,
    errors: FieldErrors,
}

impl NewItemPage {
    fn err(&self, field: &str) -> Option<String> {
        field_error(&self.c, &self.errors, field)
    }

    fn summary_items(&self) -> Vec<(String, String)> {
        error_summary(&self.c, &self.errors)
    }
}

async fn new_item_page(
    ctx: &Ctx,
    id: CollaborationId,
    form: ItemForm,
    errors: FieldErrors,
    status: StatusCode,
) -> Response {
    let result = async {
        let choices = service::form_choices(&ctx.app, &ctx.actor, id).await?;
        let decisions = service::list(
            &ctx.app,
            &ctx.actor,
            id,
            &RegisterQuery::default(),
            None,
            Some(100),
        )
        .await?
        .items;
        let objectives = concord_app::objectives::list(&ctx.app, &ctx.actor, id)
            .await?
            .into_iter()
            .map(|o| (o.id.to_string(), o.title))
            .collect();
        Ok::<_, AppError>((choices, decisions, objectives))
    }
    .await;
    match result {
        Ok((choices, decisions, objectives)) => render(
            status,
            &NewItemPage {
                c: PageCtx::new(ctx, "collaborations"),
                collaboration_id: id,
                choices,
                decisions,
                objectives,
                form,
                errors,
            },
        ),
        Err(error) => page_error(ctx)(error).into_response(),
    }
}

async fn new_item_form(
    ctx: Ctx,
    PagePath(id): PagePath<CollaborationId>,
    Query(params): Query<NewParams>,
) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/collaborations/{id}/action-items/new"))
    {
        return redirect;
    }
    let form = ItemForm {
        meeting_id: params.meeting.unwrap_or_default(),
        decision_id: params.decision.unwrap_or_default(),
        ..Default::default()
    };
    new_item_page(&ctx, id, form, FieldErrors::new(), StatusCode::OK).await
}

async fn create_item(
    ctx: Ctx,
    PagePath(id): PagePath<CollaborationId>,
    Form(form): Form<ItemForm>,
) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/collaborations/{id}/action-items/new"))
    {
        return redirect;
    }
    match action_items::create(&ctx.app, &ctx.actor, id, &form.input()).await {
        Ok(view) => match view.item.decision_id {
            Some(decision) => see_other(&format!("/decisions/{decision}?done=item_created")),
            None => see_other(&format!(
                "/collaborations/{id}/action-items?done=item_created"
            )),
        },
        Err(AppError::Invalid(errors)) => {
            new_item_page(&ctx, id, form, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    status: String,
    /// Where to come back to: a page of this site.
    #[serde(default)]
    back: String,
}

async fn set_status(
    ctx: Ctx,
    PagePath(id): PagePath<ActionItemId>,
    Form(form): Form<StatusForm>,
) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, "/") {
        return redirect;
    }
    let input = ActionItemStatusInput {
        status: form.status.clone(),
    };
    match action_items::set_status(&ctx.app, &ctx.actor, id, &input).await {
        Ok(view) => {
            // Only a path of this site, never another host.
            let back = if form.back.starts_with('/') && !form.back.starts_with("//") {
                form.back.clone()
            } else {
                format!(
                    "/collaborations/{}/action-items",
                    view.item.collaboration_id
                )
            };
            let sep = if back.contains('?') { '&' } else { '?' };
            see_other(&format!("{back}{sep}done=status_changed#item-{id}"))
        }
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}
