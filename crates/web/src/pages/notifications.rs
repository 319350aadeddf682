//! The inbox (`/notifications`): newest first, unread ones marked in words and style, "mark
//! read" per entry and for all; opening an entry marks it read and goes to its link (a path on
//! this site only, never elsewhere). The email preferences form under the account
//! (`/account/notifications`) and the outbox status page for platform admins (`/admin/outbox`).
//! Every handler calls `concord_app::notifications` / `outbox`, the API's services.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_extra::extract::Form;
use concord_app::AppError;
use concord_app::notifications::{self as service, Inbox};
use concord_app::outbox::{self, OutboxStatus};
use concord_domain::notification::{
    EmailDelivery, Notification, NotificationKind, Preference, PreferencesInput,
};
use concord_domain::{FieldErrors, NotificationId};

use super::{PageCtx, PagePath, ok, page_error, render, require_sign_in, see_other};
use crate::AppState;
use crate::context::Ctx;

const PAGE_SIZE: i64 = 25;

pub fn routes() -> Vec<(&'static str, axum::routing::MethodRouter<AppState>)> {
    vec![
        ("/notifications", get(inbox_page)),
        ("/notifications/read-all", post(read_all)),
        ("/notifications/{id}/read", post(read_one)),
        ("/notifications/{id}/open", get(open)),
        (
            "/account/notifications",
            get(preferences_page).post(save_preferences),
        ),
        ("/admin/outbox", get(outbox_page)),
    ]
}

#[derive(Debug, Default, serde::Deserialize)]
struct InboxQuery {
    #[serde(default)]
    unread: Option<String>,
    cursor: Option<String>,
    done: Option<String>,
}

#[derive(Template)]
#[template(path = "notifications/inbox.html")]
struct InboxPage {
    c: PageCtx,
    inbox: Inbox,
    unread_only: bool,
    older_href: Option<String>,
    newest_href: Option<String>,
    done: Option<&'static str>,
}

impl InboxPage {
    fn kind_label(&self, n: &Notification) -> String {
        self.c.label("notifications-kind", n.kind.as_str())
    }
}

fn done_message(done: Option<&str>) -> Option<&'static str> {
    match done? {
        "read" => Some("notifications-done-read"),
        "all_read" => Some("notifications-done-all_read"),
        _ => None,
    }
}

async fn inbox_page(ctx: Ctx, Query(query): Query<InboxQuery>) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, "/notifications") {
        return redirect;
    }
    let unread_only = query.unread.as_deref().is_some_and(|u| !u.is_empty());
    let inbox = match service::inbox(
        &ctx.app,
        &ctx.actor,
        unread_only,
        query.cursor.as_deref(),
        Some(PAGE_SIZE),
    )
    .await
    {
        Ok(inbox) => inbox,
        Err(error) => return page_error(&ctx)(error).into_response(),
    };
    let filter = if unread_only { "unread=1&" } else { "" };
    let older_href = inbox
        .next_cursor
        .as_ref()
        .map(|c| format!("/notifications?{filter}cursor={}", encode(c)));
    let newest_href = query
        .cursor
        .as_ref()
        .filter(|c| !c.is_empty())
        .map(|_| format!("/notifications?{}", filter.trim_end_matches('&')));
    let mut c = PageCtx::new(&ctx, "notifications");
    // The count just read is fresher than the one read with the session.
    c.unread = inbox.unread;
    ok(&InboxPage {
        c,
        inbox,
        unread_only,
        older_href,
        newest_href,
        done: done_message(query.done.as_deref()),
    })
}

fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

async fn read_one(ctx: Ctx, PagePath(id): PagePath<NotificationId>) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, "/notifications") {
        return redirect;
    }
    match service::mark_read(&ctx.app, &ctx.actor, id).await {
        Ok(()) => see_other("/notifications?done=read"),
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

async fn read_all(ctx: Ctx) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, "/notifications") {
        return redirect;
    }
    match service::mark_all_read(&ctx.app, &ctx.actor).await {
        Ok(_) => see_other("/notifications?done=all_read"),
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

/// Marks the notification read and follows its link (only ever a path on this site).
async fn open(ctx: Ctx, PagePath(id): PagePath<NotificationId>) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, &format!("/notifications/{id}/open")) {
        return redirect;
    }
    match service::open(&ctx.app, &ctx.actor, id).await {
        Ok(link) => see_other(&link),
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

#[derive(Template)]
#[template(path = "notifications/preferences.html")]
struct PreferencesPage {
    c: PageCtx,
    preferences: Vec<Preference>,
    errors: FieldErrors,
    saved: bool,
}

impl PreferencesPage {
    fn choices(&self) -> &'static [EmailDelivery] {
        EmailDelivery::ALL
    }

    fn error_for(&self, kind: &NotificationKind) -> Option<String> {
        self.errors
            .for_field(&format!("email.{}", kind.as_str()))
            .map(|code| self.c.t(&format!("error-{code}")))
    }
}

#[derive(Debug, Default, serde::Deserialize)]
struct SavedQuery {
    done: Option<String>,
}

async fn preferences_page(ctx: Ctx, Query(query): Query<SavedQuery>) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, "/account/notifications") {
        return redirect;
    }
    match service::preferences(&ctx.app, &ctx.actor).await {
        Ok(preferences) => ok(&PreferencesPage {
            c: PageCtx::new(&ctx, "account"),
            preferences,
            errors: FieldErrors::new(),
            saved: query.done.as_deref() == Some("saved"),
        }),
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

/// The form names each kind's radio group after the kind; other fields are ignored.
async fn save_preferences(ctx: Ctx, Form(form): Form<BTreeMap<String, String>>) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, "/account/notifications") {
        return redirect;
    }
    let input = PreferencesInput {
        email: NotificationKind::ALL
            .iter()
            .filter_map(|k| {
                form.get(k.as_str())
                    .map(|v| (k.as_str().to_owned(), v.clone()))
            })
            .collect(),
    };
    match service::set_preferences(&ctx.app, &ctx.actor, &input).await {
        Ok(_) => see_other("/account/notifications?done=saved"),
        Err(AppError::Invalid(errors)) => {
            // Show the choices as submitted where they were valid, the saved ones elsewhere.
            let saved = service::preferences(&ctx.app, &ctx.actor)
                .await
                .unwrap_or_default();
            let preferences = saved
                .into_iter()
                .map(|p| Preference {
                    email: form
                        .get(p.kind.as_str())
                        .and_then(|v| EmailDelivery::parse(v))
                        .unwrap_or(p.email),
                    kind: p.kind,
                })
                .collect();
            render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &PreferencesPage {
                    c: PageCtx::new(&ctx, "account"),
                    preferences,
                    errors,
                    saved: false,
                },
            )
        }
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}

#[derive(Template)]
#[template(path = "notifications/outbox.html")]
struct OutboxPage {
    c: PageCtx,
    status: OutboxStatus,
}

async fn outbox_page(ctx: Ctx) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, "/admin/outbox") {
        return redirect;
    }
    match outbox::status(&ctx.app, &ctx.actor).await {
        Ok(status) => ok(&OutboxPage {
            c: PageCtx::new(&ctx, "admin"),
            status,
        }),
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}
