//! Account administration for platform and organisation admins: who may sign in for an
//! organisation, new accounts, and deactivation. Which organisations appear is the policy's call.

use askama::Template;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_extra::extract::Form;
use concord_app::{AppError, Page, accounts, organisations};
use concord_domain::organisation::Organisation;
use concord_domain::policy::{self, Actor};
use concord_domain::user::{AccountInput, OrgRole, User};
use concord_domain::{FieldErrors, OrganisationId, UserId};

use super::{PageCtx, PagePath, page_error, render, require_sign_in, see_other};
use crate::AppState;
use crate::context::Ctx;

pub fn routes() -> Vec<(&'static str, axum::routing::MethodRouter<AppState>)> {
    vec![
        ("/admin/accounts", get(list).post(create)),
        ("/admin/accounts/new", get(new_form)),
        ("/admin/accounts/{id}/deactivate", post(deactivate)),
        ("/admin/accounts/{id}/reactivate", post(reactivate)),
    ]
}

/// The organisations whose accounts the actor may manage, in name order; empty for anyone who
/// administers none (the pages then answer 404, like the API).
async fn manageable(ctx: &Ctx) -> Result<Vec<Organisation>, AppError> {
    Ok(organisations::all(&ctx.app, &ctx.actor)
        .await?
        .into_iter()
        .filter(|o| policy::may_manage_accounts(&ctx.actor, o.id, false))
        .collect())
}

/// The organisation named in the address, or else the actor's own.
fn chosen_organisation(ctx: &Ctx, raw: Option<&str>) -> Result<OrganisationId, AppError> {
    match raw.map(str::trim).filter(|r| !r.is_empty()) {
        Some(raw) => raw.parse().map_err(|_| AppError::NotFound),
        None => ctx
            .user
            .as_ref()
            .map(|u| u.actor.organisation_id)
            .ok_or(AppError::Unauthenticated),
    }
}

#[derive(Template)]
#[template(path = "admin/accounts.html")]
struct ListPage {
    c: PageCtx,
    actor: Actor,
    /// Offered in the picker when there is more than one.
    organisations: Vec<Organisation>,
    organisation: Organisation,
    page: Page<User>,
    next_href: Option<String>,
    /// Success message after a redirect.
    done: Option<&'static str>,
    /// A refused deactivation or reactivation, translated.
    failure: Option<String>,
}

impl ListPage {
    fn is_me(&self, user: &User) -> bool {
        self.actor.user_id() == Some(user.id)
    }

    /// Whether to offer Deactivate or Reactivate for `user`: the policy's answer, and never for
    /// oneself (the service refuses that too).
    fn can_change(&self, user: &User) -> bool {
        !self.is_me(user)
            && policy::may_manage_accounts(&self.actor, user.organisation_id, user.platform_admin)
    }
}

#[derive(Debug, Default, serde::Deserialize)]
struct ListQuery {
    organisation: Option<String>,
    cursor: Option<String>,
    done: Option<String>,
}

/// Only the outcomes this page announces; anything else in the address is ignored.
fn done_message(done: Option<&str>) -> Option<&'static str> {
    match done? {
        "created" => Some("admin-done-created"),
        "deactivated" => Some("admin-done-deactivated"),
        "reactivated" => Some("admin-done-reactivated"),
        _ => None,
    }
}

async fn list_page(
    ctx: &Ctx,
    query: ListQuery,
    failure: Option<String>,
    status: StatusCode,
) -> Response {
    let result = async {
        let id = chosen_organisation(ctx, query.organisation.as_deref())?;
        let page = accounts::list(&ctx.app, &ctx.actor, id, query.cursor.as_deref(), None).await?;
        let organisation = organisations::get(&ctx.app, &ctx.actor, id).await?;
        let organisations = manageable(ctx).await?;
        Ok::<_, AppError>((organisation, page, organisations))
    }
    .await;
    let (organisation, page, organisations) = match result {
        Ok(loaded) => loaded,
        Err(error) => return page_error(ctx)(error).into_response(),
    };
    let next_href = page.next_cursor.as_ref().map(|cursor| {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("organisation", &organisation.id.to_string())
            .append_pair("cursor", cursor)
            .finish();
        format!("/admin/accounts?{query}")
    });
    render(
        status,
        &ListPage {
            c: PageCtx::new(ctx, "admin"),
            actor: ctx.actor.clone(),
            organisations,
            organisation,
            page,
            next_href,
            done: done_message(query.done.as_deref()),
            failure,
        },
    )
}

async fn list(ctx: Ctx, Query(query): Query<ListQuery>) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, "/admin/accounts") {
        return redirect;
    }
    list_page(&ctx, query, None, StatusCode::OK).await
}

#[derive(Debug, Default, serde::Deserialize)]
struct ActiveForm {
    /// The organisation whose list the button was on, to return to it.
    #[serde(default)]
    organisation: String,
}

async fn set_active(ctx: Ctx, id: UserId, form: ActiveForm, active: bool) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, "/admin/accounts") {
        return redirect;
    }
    match accounts::set_active(&ctx.app, &ctx.actor, id, active).await {
        Ok(user) => {
            let done = if active { "reactivated" } else { "deactivated" };
            see_other(&format!(
                "/admin/accounts?organisation={}&done={done}",
                user.organisation_id
            ))
        }
        Err(error @ (AppError::Conflict(_) | AppError::Forbidden)) => {
            let message = ctx.lang.t(&format!("error-{}", error.code()));
            // Back to the list the button was on; a mangled field falls back to one's own.
            let organisation = form.organisation.trim().parse::<OrganisationId>().ok();
            let query = ListQuery {
                organisation: organisation.map(|id| id.to_string()),
                ..ListQuery::default()
            };
            list_page(&ctx, query, Some(message), crate::error::status_of(&error)).await
        }
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

async fn deactivate(
    ctx: Ctx,
    PagePath(id): PagePath<UserId>,
    Form(form): Form<ActiveForm>,
) -> Response {
    set_active(ctx, id, form, false).await
}

async fn reactivate(
    ctx: Ctx,
    PagePath(id): PagePath<UserId>,
    Form(form): Form<ActiveForm>,
) -> Response {
    set_active(ctx, id, form, true).await
}

/// The new-account form's values. The password is never sent back to the browser.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct AccountForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    organisation_id: String,
    #[serde(default)]
    org_role: String,
    /// Present (as "1") when the box is ticked.
    #[serde(default)]
    platform_admin: Option<String>,
}

impl AccountForm {
    fn input(&self) -> AccountInput {
        AccountInput {
            email: self.email.clone(),
            display_name: self.display_name.clone(),
            password: self.password.clone(),
            organisation_id: self.organisation_id.clone(),
            org_role: Some(self.org_role.clone()),
            platform_admin: self.platform_admin.is_some(),
        }
    }

    pub fn is_platform_admin(&self) -> bool {
        self.platform_admin.is_some()
    }
}

#[derive(Template)]
#[template(path = "admin/form.html")]
struct FormPage {
    c: PageCtx,
    organisations: Vec<Organisation>,
    form: AccountForm,
    errors: FieldErrors,
}

impl FormPage {
    fn roles(&self) -> &'static [OrgRole] {
        &[OrgRole::Member, OrgRole::OrgAdmin]
    }

    /// Where "Cancel" goes: the list the person came from.
    fn back(&self) -> String {
        if self.form.organisation_id.is_empty() {
            "/admin/accounts".to_owned()
        } else {
            let query = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("organisation", &self.form.organisation_id)
                .finish();
            format!("/admin/accounts?{query}")
        }
    }
}

async fn form_page(
    ctx: &Ctx,
    form: AccountForm,
    errors: FieldErrors,
    status: StatusCode,
) -> Response {
    match manageable(ctx).await {
        Ok(organisations) if organisations.is_empty() => {
            page_error(ctx)(AppError::NotFound).into_response()
        }
        Ok(organisations) => render(
            status,
            &FormPage {
                c: PageCtx::new(ctx, "admin"),
                organisations,
                form: AccountForm {
                    password: String::new(),
                    ..form
                },
                errors,
            },
        ),
        Err(error) => page_error(ctx)(error).into_response(),
    }
}

#[derive(Debug, Default, serde::Deserialize)]
struct NewQuery {
    organisation: Option<String>,
}

async fn new_form(ctx: Ctx, Query(query): Query<NewQuery>) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, "/admin/accounts/new") {
        return redirect;
    }
    let organisation_id = match chosen_organisation(&ctx, query.organisation.as_deref()) {
        Ok(id) => id.to_string(),
        Err(error) => return page_error(&ctx)(error).into_response(),
    };
    let form = AccountForm {
        organisation_id,
        org_role: OrgRole::Member.as_str().to_owned(),
        ..AccountForm::default()
    };
    form_page(&ctx, form, FieldErrors::new(), StatusCode::OK).await
}

async fn create(ctx: Ctx, Form(form): Form<AccountForm>) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, "/admin/accounts/new") {
        return redirect;
    }
    match accounts::create(&ctx.app, &ctx.actor, &form.input()).await {
        Ok(user) => see_other(&format!(
            "/admin/accounts?organisation={}&done=created",
            user.organisation_id
        )),
        Err(AppError::Invalid(errors)) => {
            form_page(&ctx, form, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}
