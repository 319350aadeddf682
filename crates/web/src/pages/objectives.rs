//! Objective pages: the form to add or edit one, and its own page. The collaboration page lists
//! them (see `collaborations.rs`).

use askama::Template;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum_extra::extract::Form;
use concord_app::AppError;
use concord_app::collaborations::{self as collaborations, CollaborationView};
use concord_app::objectives::{self as service, ObjectiveView};
use concord_domain::collaboration::{MembershipStatus, OrganisationMember, PersonMember};
use concord_domain::evaluation::{Finding, smart_findings_for_objective};
use concord_domain::objective::{Objective, ObjectiveInput, ObjectiveStatus};
use concord_domain::{CollaborationId, FieldErrors, ObjectiveId};

use super::key_results::KeyResultCard;
use super::{PageCtx, PagePath, ok, page_error, render, require_sign_in, see_other};
use crate::AppState;
use crate::context::Ctx;

pub fn routes() -> Vec<(&'static str, axum::routing::MethodRouter<AppState>)> {
    vec![
        ("/collaborations/{id}/objectives/new", get(new_form)),
        (
            "/collaborations/{id}/objectives",
            axum::routing::post(create),
        ),
        ("/objectives/{id}", get(show).post(update)),
        ("/objectives/{id}/edit", get(edit_form)),
        ("/objectives/{id}/move", axum::routing::post(move_objective)),
    ]
}

/// The form's values as typed, so a rejected submission comes back intact.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct ObjectiveForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    owner_id: String,
    #[serde(default)]
    organisation_id: String,
    #[serde(default)]
    due_date: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    drop_reason: String,
}

impl ObjectiveForm {
    fn from_objective(o: &Objective) -> Self {
        ObjectiveForm {
            title: o.title.clone(),
            description: o.description.clone().unwrap_or_default(),
            owner_id: o.owner_id.map(|u| u.to_string()).unwrap_or_default(),
            organisation_id: o.organisation_id.map(|u| u.to_string()).unwrap_or_default(),
            due_date: o.due_date.map(|d| d.to_string()).unwrap_or_default(),
            status: o.status.as_str().to_owned(),
            drop_reason: o.drop_reason.clone().unwrap_or_default(),
        }
    }

    fn input(&self) -> ObjectiveInput {
        let some = |s: &String| Some(s.clone());
        ObjectiveInput {
            title: self.title.clone(),
            description: some(&self.description),
            owner_id: some(&self.owner_id),
            organisation_id: some(&self.organisation_id),
            due_date: some(&self.due_date),
            status: some(&self.status),
            drop_reason: some(&self.drop_reason),
        }
    }
}

#[derive(Template)]
#[template(path = "objectives/form.html")]
struct FormPage {
    c: PageCtx,
    collaboration_id: CollaborationId,
    collaboration_title: String,
    /// `None` when adding.
    id: Option<ObjectiveId>,
    people: Vec<PersonMember>,
    organisations: Vec<OrganisationMember>,
    statuses: &'static [ObjectiveStatus],
    form: ObjectiveForm,
    errors: FieldErrors,
}

impl FormPage {
    fn new(
        ctx: &Ctx,
        view: CollaborationView,
        id: Option<ObjectiveId>,
        form: ObjectiveForm,
        errors: FieldErrors,
    ) -> Self {
        FormPage {
            c: PageCtx::new(ctx, "collaborations"),
            collaboration_id: view.collaboration.id,
            collaboration_title: view.collaboration.title,
            id,
            people: view.people,
            organisations: view
                .organisations
                .into_iter()
                .filter(|m| m.status == MembershipStatus::Active)
                .collect(),
            statuses: ObjectiveStatus::ALL,
            form,
            errors,
        }
    }

    fn action(&self) -> String {
        match self.id {
            Some(id) => format!("/objectives/{id}"),
            None => format!("/collaborations/{}/objectives", self.collaboration_id),
        }
    }

    fn cancel_href(&self) -> String {
        match self.id {
            Some(id) => format!("/objectives/{id}"),
            None => format!("/collaborations/{}", self.collaboration_id),
        }
    }
}

async fn new_form(ctx: Ctx, PagePath(id): PagePath<CollaborationId>) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/collaborations/{id}/objectives/new")) {
        return redirect;
    }
    match collaborations::get(&ctx.app, &ctx.actor, id).await {
        Ok(view) if view.permissions.add_content => {
            let form = ObjectiveForm {
                status: "draft".into(),
                ..Default::default()
            };
            ok(&FormPage::new(&ctx, view, None, form, FieldErrors::new()))
        }
        Ok(_) => page_error(&ctx)(AppError::Forbidden).into_response(),
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

/// Re-renders the form with the errors beside the fields (the collaboration is read again to
/// offer the same choices).
async fn form_again(
    ctx: &Ctx,
    collaboration: CollaborationId,
    id: Option<ObjectiveId>,
    form: ObjectiveForm,
    errors: FieldErrors,
) -> Response {
    match collaborations::get(&ctx.app, &ctx.actor, collaboration).await {
        Ok(view) => render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &FormPage::new(ctx, view, id, form, errors),
        ),
        Err(error) => page_error(ctx)(error).into_response(),
    }
}

async fn create(
    ctx: Ctx,
    PagePath(id): PagePath<CollaborationId>,
    Form(form): Form<ObjectiveForm>,
) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/collaborations/{id}/objectives/new")) {
        return redirect;
    }
    match service::create(&ctx.app, &ctx.actor, id, &form.input()).await {
        Ok(view) => see_other(&format!("/objectives/{}?done=created", view.objective.id)),
        Err(AppError::Invalid(errors)) => form_again(&ctx, id, None, form, errors).await,
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

async fn edit_form(ctx: Ctx, PagePath(id): PagePath<ObjectiveId>) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/objectives/{id}/edit")) {
        return redirect;
    }
    let result = async {
        let objective = service::get(&ctx.app, &ctx.actor, id).await?;
        if !objective.can_edit {
            return Err(AppError::Forbidden);
        }
        let view =
            collaborations::get(&ctx.app, &ctx.actor, objective.objective.collaboration_id).await?;
        Ok((objective, view))
    }
    .await;
    match result {
        Ok((objective, view)) => ok(&FormPage::new(
            &ctx,
            view,
            Some(id),
            ObjectiveForm::from_objective(&objective.objective),
            FieldErrors::new(),
        )),
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

async fn update(
    ctx: Ctx,
    PagePath(id): PagePath<ObjectiveId>,
    Form(form): Form<ObjectiveForm>,
) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/objectives/{id}/edit")) {
        return redirect;
    }
    match service::update(&ctx.app, &ctx.actor, id, &form.input()).await {
        Ok(_) => see_other(&format!("/objectives/{id}?done=updated")),
        Err(AppError::Invalid(errors)) => match service::get(&ctx.app, &ctx.actor, id).await {
            Ok(current) => {
                form_again(
                    &ctx,
                    current.objective.collaboration_id,
                    Some(id),
                    form,
                    errors,
                )
                .await
            }
            Err(error) => page_error(&ctx)(error).into_response(),
        },
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

#[derive(Template)]
#[template(path = "objectives/show.html")]
struct ShowPage {
    c: PageCtx,
    view: ObjectiveView,
    collaboration_title: String,
    done: Option<String>,
    key_results: Vec<KeyResultCard>,
    /// The objective's own SMART findings.
    findings: Vec<Finding>,
}

impl ShowPage {
    /// Whether the objective or any of its key results has a SMART finding.
    fn anything_missing(&self) -> bool {
        !self.findings.is_empty() || self.key_results.iter().any(|k| !k.findings.is_empty())
    }
}

#[derive(Debug, Default, serde::Deserialize)]
struct DoneQuery {
    done: Option<String>,
}

async fn show(
    ctx: Ctx,
    PagePath(id): PagePath<ObjectiveId>,
    Query(query): Query<DoneQuery>,
) -> Response {
    let result = async {
        let view = service::get(&ctx.app, &ctx.actor, id).await?;
        let collaboration =
            collaborations::get(&ctx.app, &ctx.actor, view.objective.collaboration_id).await?;
        let key_results = super::key_results::cards_for_objective(&ctx, id).await?;
        Ok::<_, AppError>((view, collaboration.collaboration.title, key_results))
    }
    .await;
    match result {
        Ok((view, collaboration_title, key_results)) => {
            let done = query.done.filter(|d| d == "created" || d == "updated");
            let o = &view.objective;
            let open = matches!(o.status, ObjectiveStatus::Draft | ObjectiveStatus::Active);
            let findings = smart_findings_for_objective(
                o.owner_id.is_some(),
                o.due_date,
                key_results.len(),
                open,
                ctx.app.now().date_naive(),
            );
            ok(&ShowPage {
                c: PageCtx::new(&ctx, "collaborations"),
                view,
                collaboration_title,
                done,
                key_results,
                findings,
            })
        }
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

#[derive(Debug, Default, serde::Deserialize)]
struct MoveForm {
    #[serde(default)]
    direction: String,
}

/// The "Move up" / "Move down" buttons on the collaboration page.
async fn move_objective(
    ctx: Ctx,
    PagePath(id): PagePath<ObjectiveId>,
    Form(form): Form<MoveForm>,
) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/objectives/{id}")) {
        return redirect;
    }
    let direction = match form.direction.as_str() {
        "up" => service::Move::Up,
        "down" => service::Move::Down,
        _ => {
            return page_error(&ctx)(AppError::invalid("direction", "invalid_choice"))
                .into_response();
        }
    };
    match service::move_objective(&ctx.app, &ctx.actor, id, direction).await {
        Ok(objectives) => match objectives.first() {
            Some(first) => see_other(&format!(
                "/collaborations/{}#objectives-heading",
                first.collaboration_id
            )),
            None => see_other("/collaborations"),
        },
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}
