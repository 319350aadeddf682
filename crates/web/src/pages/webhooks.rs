//! Webhook pages for a collaboration's coordinators: the endpoints, the form to add or change one,
//! the page that shows a new secret (once: after creation or rotation, never again), deleting,
//! sending a test event, and each endpoint's deliveries (newest first, paged). Every handler calls
//! `concord_app::webhooks`, the API's services; to anyone but a coordinator these pages are 404.

use askama::Template;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_extra::extract::Form;
use concord_app::webhooks::{self as service, EndpointWithSecret};
use concord_app::{AppError, collaborations};
use concord_domain::webhook::{Delivery, EVENT_FAMILIES, Endpoint, EndpointInput};
use concord_domain::{CollaborationId, FieldErrors, WebhookId};

use super::{PageCtx, PagePath, ok, page_error, render, require_sign_in, see_other};
use crate::AppState;
use crate::context::Ctx;

const DELIVERIES_PAGE_SIZE: i64 = 25;

pub fn routes() -> Vec<(&'static str, axum::routing::MethodRouter<AppState>)> {
    vec![
        ("/collaborations/{id}/webhooks", get(list_page)),
        (
            "/collaborations/{id}/webhooks/new",
            get(new_form).post(create),
        ),
        ("/webhooks/{id}/edit", get(edit_form).post(save_edit)),
        ("/webhooks/{id}/delete", post(delete)),
        ("/webhooks/{id}/rotate-secret", post(rotate)),
        ("/webhooks/{id}/test", post(send_test)),
        ("/webhooks/{id}/deliveries", get(deliveries_page)),
        ("/help/webhooks", get(help)),
    ]
}

/// The message for the first error on `field`: a specific one (`webhook-error-url-address_not_allowed`)
/// when the catalogue has it, else the general one.
fn field_error(c: &PageCtx, errors: &FieldErrors, field: &str) -> Option<String> {
    super::field_error_worded(c, errors, field, |code| {
        format!("webhook-error-{field}-{code}")
    })
}

fn error_summary(c: &PageCtx, errors: &FieldErrors) -> Vec<(String, String)> {
    super::error_summary_worded(c, errors, "webhook-field", |field| {
        field_error(c, errors, field)
    })
}

fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

fn kinds_text(c: &PageCtx, kinds: &[String]) -> String {
    kinds
        .iter()
        .map(|k| c.t(&format!("webhook-kind-{k}")))
        .collect::<Vec<_>>()
        .join(", ")
}

async fn title_of(ctx: &Ctx, id: CollaborationId) -> Result<String, AppError> {
    Ok(collaborations::get(&ctx.app, &ctx.actor, id)
        .await?
        .collaboration
        .title)
}

#[derive(Debug, Default, serde::Deserialize)]
struct DoneQuery {
    done: Option<String>,
    cursor: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// The list

#[derive(Template)]
#[template(path = "webhooks/list.html")]
struct ListPage {
    c: PageCtx,
    collaboration_id: CollaborationId,
    collaboration_title: String,
    endpoints: Vec<Endpoint>,
    done: Option<String>,
}

impl ListPage {
    fn kinds(&self, e: &Endpoint) -> String {
        kinds_text(&self.c, &e.event_kinds)
    }
}

async fn list_page(
    ctx: Ctx,
    PagePath(id): PagePath<CollaborationId>,
    Query(query): Query<DoneQuery>,
) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/collaborations/{id}/webhooks")) {
        return redirect;
    }
    let result = async {
        let list = service::list(&ctx.app, &ctx.actor, id).await?;
        Ok::<_, AppError>((list, title_of(&ctx, id).await?))
    }
    .await;
    match result {
        Ok((list, collaboration_title)) => ok(&ListPage {
            c: PageCtx::new(&ctx, "collaborations"),
            collaboration_id: id,
            collaboration_title,
            endpoints: list.items,
            done: query
                .done
                .filter(|d| ["updated", "deleted"].contains(&d.as_str())),
        }),
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

// ---------------------------------------------------------------------------------------------
// The form (new and edit)

/// The form's values as typed. Kinds arrive as repeated `event_kinds` keys; an unticked
/// `active` box sends nothing.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct EndpointForm {
    #[serde(default)]
    url: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    event_kinds: Vec<String>,
    #[serde(default)]
    active: Option<String>,
}

impl EndpointForm {
    fn input(&self) -> EndpointInput {
        EndpointInput {
            url: self.url.clone(),
            description: self.description.clone(),
            event_kinds: self.event_kinds.clone(),
            active: self.active.is_some(),
        }
    }

    fn from_endpoint(e: &Endpoint) -> EndpointForm {
        EndpointForm {
            url: e.url.clone(),
            description: e.description.clone(),
            event_kinds: e.event_kinds.clone(),
            active: e.active.then(|| "on".to_owned()),
        }
    }
}

#[derive(Template)]
#[template(path = "webhooks/form.html")]
struct FormPage {
    c: PageCtx,
    collaboration_id: CollaborationId,
    collaboration_title: String,
    /// `None` for a new endpoint.
    webhook_id: Option<WebhookId>,
    form: EndpointForm,
    errors: FieldErrors,
}

impl FormPage {
    fn kinds(&self) -> &'static [&'static str] {
        EVENT_FAMILIES
    }

    fn checked(&self, kind: &str) -> bool {
        self.form.event_kinds.iter().any(|k| k.trim() == kind)
    }

    fn err(&self, field: &str) -> Option<String> {
        field_error(&self.c, &self.errors, field)
    }

    fn summary_items(&self) -> Vec<(String, String)> {
        error_summary(&self.c, &self.errors)
    }

    fn action(&self) -> String {
        match self.webhook_id {
            Some(id) => format!("/webhooks/{id}/edit"),
            None => format!("/collaborations/{}/webhooks/new", self.collaboration_id),
        }
    }
}

async fn form_page(
    ctx: &Ctx,
    collaboration: CollaborationId,
    webhook: Option<WebhookId>,
    form: EndpointForm,
    errors: FieldErrors,
    status: StatusCode,
) -> Response {
    let result = async {
        // Coordinators only (404 to others), then the title.
        service::list(&ctx.app, &ctx.actor, collaboration).await?;
        title_of(ctx, collaboration).await
    }
    .await;
    match result {
        Ok(collaboration_title) => render(
            status,
            &FormPage {
                c: PageCtx::new(ctx, "collaborations"),
                collaboration_id: collaboration,
                collaboration_title,
                webhook_id: webhook,
                form,
                errors,
            },
        ),
        Err(error) => page_error(ctx)(error).into_response(),
    }
}

async fn new_form(ctx: Ctx, PagePath(id): PagePath<CollaborationId>) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/collaborations/{id}/webhooks/new")) {
        return redirect;
    }
    let form = EndpointForm {
        active: Some("on".into()),
        ..EndpointForm::default()
    };
    form_page(&ctx, id, None, form, FieldErrors::new(), StatusCode::OK).await
}

async fn create(
    ctx: Ctx,
    PagePath(id): PagePath<CollaborationId>,
    Form(form): Form<EndpointForm>,
) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/collaborations/{id}/webhooks/new")) {
        return redirect;
    }
    match service::create(&ctx.app, &ctx.actor, id, &form.input()).await {
        Ok(created) => secret_page(&ctx, created, "created", StatusCode::CREATED).await,
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

async fn edit_form(ctx: Ctx, PagePath(id): PagePath<WebhookId>) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/webhooks/{id}/edit")) {
        return redirect;
    }
    match service::get(&ctx.app, &ctx.actor, id).await {
        Ok(endpoint) => {
            form_page(
                &ctx,
                endpoint.collaboration_id,
                Some(id),
                EndpointForm::from_endpoint(&endpoint),
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
    PagePath(id): PagePath<WebhookId>,
    Form(form): Form<EndpointForm>,
) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/webhooks/{id}/edit")) {
        return redirect;
    }
    match service::update(&ctx.app, &ctx.actor, id, &form.input()).await {
        Ok(endpoint) => see_other(&format!(
            "/collaborations/{}/webhooks?done=updated",
            endpoint.collaboration_id
        )),
        Err(AppError::Invalid(errors)) => match service::get(&ctx.app, &ctx.actor, id).await {
            Ok(endpoint) => {
                form_page(
                    &ctx,
                    endpoint.collaboration_id,
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
// Secret, delete, test

#[derive(Template)]
#[template(path = "webhooks/secret.html")]
struct SecretPage {
    c: PageCtx,
    collaboration_title: String,
    created: EndpointWithSecret,
    /// `created` or `rotated`.
    why: &'static str,
}

impl SecretPage {
    fn done_message(&self) -> String {
        self.c.t(&format!("webhook-done-{}", self.why))
    }
}

async fn secret_page(
    ctx: &Ctx,
    created: EndpointWithSecret,
    why: &'static str,
    status: StatusCode,
) -> Response {
    match title_of(ctx, created.endpoint.collaboration_id).await {
        Ok(collaboration_title) => {
            let mut response = render(
                status,
                &SecretPage {
                    c: PageCtx::new(ctx, "collaborations"),
                    collaboration_title,
                    created,
                    why,
                },
            );
            // The secret must not linger in a cache.
            response.headers_mut().insert(
                axum::http::header::CACHE_CONTROL,
                axum::http::HeaderValue::from_static("no-store"),
            );
            response
        }
        Err(error) => page_error(ctx)(error).into_response(),
    }
}

async fn rotate(ctx: Ctx, PagePath(id): PagePath<WebhookId>) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/webhooks/{id}/edit")) {
        return redirect;
    }
    match service::rotate_secret(&ctx.app, &ctx.actor, id).await {
        Ok(created) => secret_page(&ctx, created, "rotated", StatusCode::OK).await,
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

async fn delete(ctx: Ctx, PagePath(id): PagePath<WebhookId>) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/webhooks/{id}/edit")) {
        return redirect;
    }
    let result = async {
        let endpoint = service::get(&ctx.app, &ctx.actor, id).await?;
        service::delete(&ctx.app, &ctx.actor, id).await?;
        Ok::<_, AppError>(endpoint.collaboration_id)
    }
    .await;
    match result {
        Ok(collaboration) => see_other(&format!(
            "/collaborations/{collaboration}/webhooks?done=deleted"
        )),
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

async fn send_test(ctx: Ctx, PagePath(id): PagePath<WebhookId>) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/webhooks/{id}/deliveries")) {
        return redirect;
    }
    match service::send_test(&ctx.app, &ctx.actor, id).await {
        Ok(_) => see_other(&format!("/webhooks/{id}/deliveries?done=test")),
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

// ---------------------------------------------------------------------------------------------
// Deliveries

#[derive(Template)]
#[template(path = "webhooks/deliveries.html")]
struct DeliveriesPage {
    c: PageCtx,
    collaboration_title: String,
    endpoint: Endpoint,
    deliveries: Vec<Delivery>,
    older_href: Option<String>,
    newest_href: Option<String>,
    done: Option<String>,
}

impl DeliveriesPage {
    fn status(&self, d: &Delivery) -> String {
        self.c.t(&format!("webhook-status-{}", d.status.as_str()))
    }

    fn code(&self, d: &Delivery) -> String {
        d.last_status_code
            .map(|s| s.to_string())
            .unwrap_or_else(|| "–".into())
    }

    fn latency(&self, d: &Delivery) -> String {
        d.last_latency_ms
            .map(|ms| self.c.t1("webhook-latency-ms", "ms", &ms.to_string()))
            .unwrap_or_else(|| "–".into())
    }
}

async fn deliveries_page(
    ctx: Ctx,
    PagePath(id): PagePath<WebhookId>,
    Query(query): Query<DoneQuery>,
) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/webhooks/{id}/deliveries")) {
        return redirect;
    }
    let cursor = query.cursor.as_deref().filter(|c| !c.is_empty());
    let result = async {
        let endpoint = service::get(&ctx.app, &ctx.actor, id).await?;
        let page =
            service::deliveries(&ctx.app, &ctx.actor, id, cursor, Some(DELIVERIES_PAGE_SIZE))
                .await?;
        let title = title_of(&ctx, endpoint.collaboration_id).await?;
        Ok::<_, AppError>((endpoint, page, title))
    }
    .await;
    match result {
        Ok((endpoint, page, collaboration_title)) => ok(&DeliveriesPage {
            c: PageCtx::new(&ctx, "collaborations"),
            collaboration_title,
            older_href: page
                .next_cursor
                .as_ref()
                .map(|next| format!("/webhooks/{id}/deliveries?cursor={}", encode(next))),
            newest_href: cursor.map(|_| format!("/webhooks/{id}/deliveries")),
            endpoint,
            deliveries: page.items,
            done: query.done.filter(|d| d == "test"),
        }),
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

// ---------------------------------------------------------------------------------------------
// Help for receivers

#[derive(Template)]
#[template(path = "webhooks/help.html")]
struct HelpPage {
    c: PageCtx,
    replay_window: i64,
}

impl HelpPage {
    fn kinds(&self) -> &'static [&'static str] {
        EVENT_FAMILIES
    }
}

/// How deliveries look and how a receiver verifies them (public: receivers' developers need it).
async fn help(ctx: Ctx) -> Response {
    ok(&HelpPage {
        c: PageCtx::new(&ctx, ""),
        replay_window: concord_domain::webhook::REPLAY_WINDOW_SECONDS,
    })
}
