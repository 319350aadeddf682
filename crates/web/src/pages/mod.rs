//! Server-rendered HTML pages. Each handler parses the request, calls the same `concord_app`
//! service as its API twin, and renders an askama template (escaped by default). Every page works
//! without JavaScript; forms post with the CSRF token the `security::csrf_guard` checks.

pub mod account;
pub mod admin;
pub mod charter;
pub mod collaborations;
pub mod dashboard;
pub mod decisions;
pub mod engagements;
pub mod help;
pub mod home;
pub mod key_results;
pub mod meetings;
pub mod notifications;
pub mod objectives;
pub mod organisations;
pub mod reviews;
pub mod session;
pub mod stakeholders;
pub mod threads;
pub mod webhooks;

use askama::Template;
use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, NaiveDate, Utc};
use concord_app::AppError;
use concord_domain::FieldErrors;
use concord_domain::user::OrgRole;

use crate::AppState;
use crate::context::Ctx;
use crate::error::PageError;
use crate::i18n::{self, Lang};

/// Every page route as (path, method router). The router is built from this list, and the route
/// coverage test walks it, so a page cannot exist without a policy test naming it.
pub fn routes() -> Vec<(&'static str, axum::routing::MethodRouter<AppState>)> {
    let mut all = Vec::new();
    all.extend(home::routes());
    all.extend(session::routes());
    all.extend(collaborations::routes());
    all.extend(objectives::routes());
    all.extend(key_results::routes());
    all.extend(help::routes());
    all.extend(dashboard::routes());
    all.extend(reviews::routes());
    all.extend(charter::routes());
    all.extend(organisations::routes());
    all.extend(account::routes());
    all.extend(admin::routes());
    all.extend(stakeholders::routes());
    all.extend(engagements::routes());
    all.extend(threads::routes());
    all.extend(meetings::routes());
    all.extend(decisions::routes());
    all.extend(notifications::routes());
    all.extend(webhooks::routes());
    all
}

pub fn router() -> Router<AppState> {
    routes()
        .into_iter()
        .fold(Router::new(), |router, (path, method_router)| {
            router.route(path, method_router)
        })
}

/// What every template needs: language, time zone, CSRF token, who is signed in, where we are.
#[derive(Clone, Debug)]
pub struct PageCtx {
    pub lang: Lang,
    pub tz: chrono_tz::Tz,
    pub csrf: String,
    pub user_name: Option<String>,
    pub user_id: Option<String>,
    pub org_id: Option<String>,
    pub is_platform_admin: bool,
    pub is_org_admin: bool,
    /// Unread notifications, read with the session (no query of its own).
    pub unread: i64,
    /// The navigation section to mark current.
    pub nav: &'static str,
}

impl PageCtx {
    pub fn new(ctx: &Ctx, nav: &'static str) -> PageCtx {
        let user = ctx.user.as_ref();
        PageCtx {
            lang: ctx.lang,
            tz: ctx.tz,
            csrf: ctx.csrf_token.clone(),
            user_name: user.map(|u| u.display_name.clone()),
            user_id: user.map(|u| u.actor.id.to_string()),
            org_id: user.map(|u| u.actor.organisation_id.to_string()),
            is_platform_admin: user.is_some_and(|u| u.actor.platform_admin),
            is_org_admin: user.is_some_and(|u| u.actor.org_role == OrgRole::OrgAdmin),
            unread: user.map_or(0, |u| u.unread_notifications),
            nav,
        }
    }

    pub fn signed_in(&self) -> bool {
        self.user_name.is_some()
    }

    /// The header's unread count: "99+" beyond 99 (the session reads at most 100).
    pub fn unread_text(&self) -> String {
        if self.unread > 99 {
            "99+".to_owned()
        } else {
            self.unread.to_string()
        }
    }

    pub fn can_administer(&self) -> bool {
        self.is_platform_admin || self.is_org_admin
    }

    /// A message from the catalogue.
    pub fn t(&self, key: &str) -> String {
        self.lang.t(key)
    }

    /// A message with one named argument.
    pub fn t1(&self, key: &str, name: &str, value: &str) -> String {
        self.lang.ta(key, &[(name, value)])
    }

    /// A message with two named arguments.
    pub fn t2(&self, key: &str, name1: &str, value1: &str, name2: &str, value2: &str) -> String {
        self.lang.ta(key, &[(name1, value1), (name2, value2)])
    }

    /// The label of an enum value, e.g. `status-active`.
    pub fn label(&self, prefix: &str, value: &str) -> String {
        self.lang.t(&format!("{prefix}-{value}"))
    }

    pub fn datetime(&self, at: &DateTime<Utc>) -> String {
        i18n::datetime(self.lang, self.tz, *at)
    }

    /// Machine-readable form for `<time datetime>`.
    pub fn iso(&self, at: &DateTime<Utc>) -> String {
        at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    }

    pub fn date(&self, day: &NaiveDate) -> String {
        i18n::date(self.lang, *day)
    }

    pub fn opt_date(&self, day: &Option<NaiveDate>) -> String {
        day.as_ref()
            .map(|d| self.date(d))
            .unwrap_or_else(|| self.t("not-set"))
    }

    /// The translated message for the first error on `field`, if any.
    pub fn error_for(&self, errors: &FieldErrors, field: &str) -> Option<String> {
        errors
            .for_field(field)
            .map(|code| self.t(&format!("error-{code}")))
    }
}

/// Renders a template into a response with `status`.
/// The message for the first error on `field`: the feature's own wording (`specific(code)`, e.g.
/// `thread-error-audience-must_include_own_organisation`) when the catalogue has it, else the
/// general one for the code.
pub fn field_error_worded(
    c: &PageCtx,
    errors: &FieldErrors,
    field: &str,
    specific: impl Fn(&str) -> String,
) -> Option<String> {
    let code = errors.for_field(field)?;
    let specific = specific(code);
    let message = c.t(&specific);
    Some(if message == specific {
        c.t(&format!("error-{code}"))
    } else {
        message
    })
}

/// Every error of a form as (field, "Field: message"), for the summary above it: labels are
/// `{label_prefix}-{field}`, messages what `message` says for the field.
pub fn error_summary_worded(
    c: &PageCtx,
    errors: &FieldErrors,
    label_prefix: &str,
    message: impl Fn(&str) -> Option<String>,
) -> Vec<(String, String)> {
    errors
        .0
        .iter()
        .map(|e| {
            let text = message(&e.field).unwrap_or_default();
            let label = c.t(&format!("{label_prefix}-{}", e.field));
            (
                e.field.clone(),
                c.t2("error-summary-item", "field", &label, "message", &text),
            )
        })
        .collect()
}

pub fn render<T: Template>(status: StatusCode, template: &T) -> Response {
    match template.render() {
        Ok(html) => {
            let mut response = (status, html).into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            response
        }
        Err(error) => {
            tracing::error!(%error, "template failed to render");
            (StatusCode::INTERNAL_SERVER_ERROR, "Internal error").into_response()
        }
    }
}

/// Renders a page with status 200.
pub fn ok<T: Template>(template: &T) -> Response {
    render(StatusCode::OK, template)
}

/// After a successful form post: see the result (POST/redirect/GET).
pub fn see_other(location: &str) -> Response {
    Redirect::to(location).into_response()
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    c: PageCtx,
    status: u16,
    code: String,
}

/// An error page in the site's layout and the reader's language.
pub fn error_page(status: StatusCode, code: &str, ctx: Option<&Ctx>) -> Response {
    let c = match ctx {
        Some(ctx) => PageCtx::new(ctx, ""),
        None => PageCtx {
            lang: Lang::En,
            tz: chrono_tz::UTC,
            csrf: String::new(),
            user_name: None,
            user_id: None,
            org_id: None,
            is_platform_admin: false,
            is_org_admin: false,
            unread: 0,
            nav: "",
        },
    };
    render(
        status,
        &ErrorPage {
            c,
            status: status.as_u16(),
            code: code.to_owned(),
        },
    )
}

pub async fn not_found(ctx: Option<axum::Extension<Ctx>>, uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        return crate::error::ApiError(AppError::NotFound).into_response();
    }
    error_page(
        StatusCode::NOT_FOUND,
        "not_found",
        ctx.as_ref().map(|c| &c.0),
    )
}

/// Wraps an app error for a page, keeping the reader's language.
pub fn page_error(ctx: &Ctx) -> impl Fn(AppError) -> PageError + '_ {
    move |error| PageError {
        error,
        ctx: Some(ctx.clone()),
    }
}

/// Redirects anonymous visitors to sign in, returning afterwards to `back`.
#[allow(clippy::result_large_err)] // the error is the handler's own early response; boxing buys nothing
pub fn require_sign_in(ctx: &Ctx, back: &str) -> Result<(), Response> {
    if ctx.user.is_some() {
        Ok(())
    } else {
        let encoded: String = url::form_urlencoded::byte_serialize(back.as_bytes()).collect();
        Err(see_other(&format!("/sign-in?next={encoded}")))
    }
}

/// Path parameters for pages; an unparsable id is the same 404 page as a missing one.
#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(PageNotFound))]
pub struct PagePath<T>(pub T);

pub struct PageNotFound;

impl From<axum::extract::rejection::PathRejection> for PageNotFound {
    fn from(_: axum::extract::rejection::PathRejection) -> Self {
        PageNotFound
    }
}

impl IntoResponse for PageNotFound {
    fn into_response(self) -> Response {
        error_page(StatusCode::NOT_FOUND, "not_found", None)
    }
}

/// The uploaded file's bytes; `None` when no file (or an empty one) was sent.
pub(crate) async fn uploaded_file(
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Option<Vec<u8>> {
    let mut multipart = multipart.ok()?;
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some("file") {
            return field
                .bytes()
                .await
                .ok()
                .filter(|b| !b.is_empty())
                .map(|b| b.to_vec());
        }
    }
    None
}
