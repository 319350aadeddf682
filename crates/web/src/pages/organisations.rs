//! Organisation pages: the public directory, one organisation, and the create and edit form. They
//! call the same `organisations` service as `/api/v1/organisations`.

use askama::Template;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum_extra::extract::Form;
use concord_app::organisations as service;
use concord_app::{AppError, Page};
use concord_domain::organisation::{Organisation, OrganisationInput, OrganisationKind};
use concord_domain::policy;
use concord_domain::{FieldErrors, OrganisationId};

use super::{PageCtx, PagePath, ok, page_error, render, require_sign_in, see_other};
use crate::AppState;
use crate::context::Ctx;

pub fn routes() -> Vec<(&'static str, axum::routing::MethodRouter<AppState>)> {
    vec![
        ("/organisations", get(list).post(create)),
        ("/organisations/new", get(new_form)),
        ("/organisations/{id}", get(show).post(update)),
        ("/organisations/{id}/edit", get(edit_form)),
    ]
}

#[derive(Template)]
#[template(path = "organisations/list.html")]
struct ListPage {
    c: PageCtx,
    page: Page<Organisation>,
    /// The page link was stale or forged: say so and offer the first page.
    bad_cursor: bool,
    next_href: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
struct CursorQuery {
    cursor: Option<String>,
}

async fn list(ctx: Ctx, Query(query): Query<CursorQuery>) -> Response {
    let (page, bad_cursor) =
        match service::list(&ctx.app, &ctx.actor, query.cursor.as_deref(), None).await {
            Ok(page) => (page, false),
            Err(AppError::Invalid(_)) => (
                Page {
                    items: Vec::new(),
                    next_cursor: None,
                },
                true,
            ),
            Err(error) => return page_error(&ctx)(error).into_response(),
        };
    let next_href = page.next_cursor.as_ref().map(|cursor| {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("cursor", cursor)
            .finish();
        format!("/organisations?{query}")
    });
    let status = if bad_cursor {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render(
        status,
        &ListPage {
            c: PageCtx::new(&ctx, "organisations"),
            page,
            bad_cursor,
            next_href,
        },
    )
}

#[derive(Template)]
#[template(path = "organisations/show.html")]
struct ShowPage {
    c: PageCtx,
    organisation: Organisation,
    parent: Option<Organisation>,
    /// The viewer administers this organisation (its own admins, platform admins).
    can_edit: bool,
    can_manage_accounts: bool,
    /// Success message after a redirect.
    done: Option<&'static str>,
}

#[derive(Debug, Default, serde::Deserialize)]
struct DoneQuery {
    done: Option<String>,
}

/// Only the outcomes this page announces; anything else in the address is ignored.
fn done_message(done: Option<&str>) -> Option<&'static str> {
    match done? {
        "created" => Some("organisation-done-created"),
        "updated" => Some("organisation-done-updated"),
        _ => None,
    }
}

async fn show(
    ctx: Ctx,
    PagePath(id): PagePath<OrganisationId>,
    Query(query): Query<DoneQuery>,
) -> Response {
    let result = async {
        let organisation = service::get(&ctx.app, &ctx.actor, id).await?;
        let parent = match organisation.parent_id {
            Some(parent_id) => Some(service::get(&ctx.app, &ctx.actor, parent_id).await?),
            None => None,
        };
        Ok::<_, AppError>((organisation, parent))
    }
    .await;
    match result {
        Ok((organisation, parent)) => ok(&ShowPage {
            c: PageCtx::new(&ctx, "organisations"),
            organisation,
            parent,
            can_edit: policy::may_edit_organisation(&ctx.actor, id),
            can_manage_accounts: policy::may_manage_accounts(&ctx.actor, id, false),
            done: done_message(query.done.as_deref()),
        }),
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

/// The organisation form's values, kept as typed so a rejected submission is shown again intact.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct OrganisationForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    parent_id: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    website: String,
}

impl OrganisationForm {
    fn from_organisation(o: &Organisation) -> Self {
        OrganisationForm {
            name: o.name.clone(),
            kind: o.kind.as_str().to_owned(),
            parent_id: o.parent_id.map(|p| p.to_string()).unwrap_or_default(),
            description: o.description.clone().unwrap_or_default(),
            website: o.website.clone().unwrap_or_default(),
        }
    }

    fn input(&self) -> OrganisationInput {
        OrganisationInput {
            name: self.name.clone(),
            kind: self.kind.clone(),
            parent_id: Some(self.parent_id.clone()),
            description: Some(self.description.clone()),
            website: Some(self.website.clone()),
        }
    }
}

#[derive(Template)]
#[template(path = "organisations/form.html")]
struct FormPage {
    c: PageCtx,
    /// `None` when creating.
    id: Option<OrganisationId>,
    /// Organisations that may be chosen as the parent.
    parents: Vec<Organisation>,
    form: OrganisationForm,
    errors: FieldErrors,
}

impl FormPage {
    fn action(&self) -> String {
        match self.id {
            Some(id) => format!("/organisations/{id}"),
            None => "/organisations".to_owned(),
        }
    }

    fn kinds(&self) -> &'static [OrganisationKind] {
        OrganisationKind::ALL
    }
}

/// The form page, with every organisation but the one being edited offered as parent.
async fn form_page(
    ctx: &Ctx,
    id: Option<OrganisationId>,
    form: OrganisationForm,
    errors: FieldErrors,
    status: StatusCode,
) -> Response {
    match service::all(&ctx.app, &ctx.actor).await {
        Ok(all) => render(
            status,
            &FormPage {
                c: PageCtx::new(ctx, "organisations"),
                id,
                parents: all.into_iter().filter(|o| Some(o.id) != id).collect(),
                form,
                errors,
            },
        ),
        Err(error) => page_error(ctx)(error).into_response(),
    }
}

async fn new_form(ctx: Ctx) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, "/organisations/new") {
        return redirect;
    }
    if !policy::may_create_organisation(&ctx.actor) {
        return page_error(&ctx)(AppError::Forbidden).into_response();
    }
    form_page(
        &ctx,
        None,
        OrganisationForm::default(),
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

async fn create(ctx: Ctx, Form(form): Form<OrganisationForm>) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, "/organisations/new") {
        return redirect;
    }
    match service::create(&ctx.app, &ctx.actor, &form.input()).await {
        Ok(organisation) => see_other(&format!("/organisations/{}?done=created", organisation.id)),
        Err(AppError::Invalid(errors)) => {
            form_page(&ctx, None, form, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

async fn edit_form(ctx: Ctx, PagePath(id): PagePath<OrganisationId>) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/organisations/{id}/edit")) {
        return redirect;
    }
    let organisation = match service::get(&ctx.app, &ctx.actor, id).await {
        Ok(organisation) => organisation,
        Err(error) => return page_error(&ctx)(error).into_response(),
    };
    if !policy::may_edit_organisation(&ctx.actor, id) {
        return page_error(&ctx)(AppError::Forbidden).into_response();
    }
    form_page(
        &ctx,
        Some(id),
        OrganisationForm::from_organisation(&organisation),
        FieldErrors::new(),
        StatusCode::OK,
    )
    .await
}

async fn update(
    ctx: Ctx,
    PagePath(id): PagePath<OrganisationId>,
    Form(form): Form<OrganisationForm>,
) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/organisations/{id}/edit")) {
        return redirect;
    }
    match service::update(&ctx.app, &ctx.actor, id, &form.input()).await {
        Ok(_) => see_other(&format!("/organisations/{id}?done=updated")),
        Err(AppError::Invalid(errors)) => {
            form_page(
                &ctx,
                Some(id),
                form,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}
