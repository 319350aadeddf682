//! Who is asking, in which language and time zone: resolved once per request by [`resolve`] and
//! handed to handlers as the [`Ctx`] extractor.
//!
//! The API authenticates only by `Authorization: Bearer` (so it needs no CSRF defence); pages only
//! by the session cookie. A deactivated account's session or token resolves to nobody on the next
//! request, because the lookup joins on `users.active`.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use concord_app::auth;
use concord_domain::policy::Actor;
use concord_store::users::ResolvedActor;

use crate::AppState;
use crate::error::ApiError;
use crate::i18n::Lang;

pub const SESSION_COOKIE: &str = "concord_session";
/// A random value that binds the CSRF token of visitors who are not signed in (the sign-in form).
pub const PRESESSION_COOKIE: &str = "concord_presession";

/// The request's context.
#[derive(Clone, Debug)]
pub struct Ctx {
    pub app: concord_app::App,
    pub actor: Actor,
    pub user: Option<ResolvedActor>,
    /// The raw session id from the cookie, when signed in through a page.
    pub session: Option<String>,
    /// What CSRF tokens are bound to: the session id, or the pre-session cookie.
    pub csrf_binding: String,
    pub csrf_token: String,
    pub lang: Lang,
    pub tz: chrono_tz::Tz,
    /// The client address used for sign-in throttling.
    pub client: String,
    /// The request reached us over https (directly or as told by a proxy's `X-Forwarded-Proto`),
    /// so cookies must be `Secure`.
    pub https: bool,
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Ctx>().cloned().ok_or_else(|| {
            ApiError(concord_app::AppError::Internal(
                "request context missing".into(),
            ))
        })
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

fn client_address(request: &Request) -> String {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_string())
        .unwrap_or_else(|| "unknown".to_owned())
}

/// Resolves the [`Ctx`] and sets the pre-session cookie for visitors who have none.
pub async fn resolve(
    State(state): State<AppState>,
    jar: CookieJar,
    mut request: Request,
    next: Next,
) -> Response {
    let is_api = request.uri().path().starts_with("/api/");
    let client = client_address(&request);
    let https = request.uri().scheme_str() == Some("https")
        || request
            .headers()
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("https"));
    let mut session = None;
    let resolved = if is_api {
        match bearer(request.headers()) {
            Some(token) => match auth::token_actor(&state.app, token).await {
                Ok(Some(user)) => Some(user),
                Ok(None) => {
                    return ApiError(concord_app::AppError::Unauthenticated).into_response();
                }
                Err(error) => return ApiError(error).into_response(),
            },
            None => None,
        }
    } else {
        match jar.get(SESSION_COOKIE).map(|c| c.value().to_owned()) {
            Some(raw) => match auth::session_actor(&state.app, &raw).await {
                Ok(Some(user)) => {
                    session = Some(raw);
                    Some(user)
                }
                Ok(None) => None,
                Err(error) => return crate::error::PageError::plain(error).into_response(),
            },
            None => None,
        }
    };
    let mut new_presession = None;
    let csrf_binding = match (&session, jar.get(PRESESSION_COOKIE)) {
        (Some(raw), _) => raw.clone(),
        (None, Some(cookie)) if cookie.value().len() >= 32 => cookie.value().to_owned(),
        (None, _) => {
            let value = hex::encode(rand::random::<[u8; 32]>());
            new_presession = Some(value.clone());
            value
        }
    };
    let lang = Lang::negotiate(
        resolved.as_ref().and_then(|u| u.locale.as_deref()),
        request
            .headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    let tz = resolved
        .as_ref()
        .and_then(|u| u.time_zone.parse().ok())
        .unwrap_or(chrono_tz::UTC);
    let ctx = Ctx {
        app: state.app.clone(),
        actor: resolved
            .as_ref()
            .map(|u| Actor::User(u.actor.clone()))
            .unwrap_or(Actor::Anonymous),
        user: resolved,
        session,
        csrf_token: auth::csrf_token(&state.app.secret, &csrf_binding),
        csrf_binding,
        lang,
        tz,
        client,
        https,
    };
    request.extensions_mut().insert(ctx);
    let response = next.run(request).await;
    match new_presession.filter(|_| !is_api) {
        Some(value) => (
            jar.add(presession_cookie(
                value,
                state.config.secure_cookies || https,
            )),
            response,
        )
            .into_response(),
        None => response,
    }
}

fn presession_cookie(value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((PRESESSION_COOKIE, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .build()
}

/// The session cookie: HttpOnly, SameSite=Lax, Secure over https; expires with the session.
pub fn session_cookie(raw: String, secure: bool) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, raw))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(time_max_age())
        .build()
}

fn time_max_age() -> cookie::time::Duration {
    cookie::time::Duration::hours(auth::SESSION_LIFETIME_HOURS)
}

pub fn removal_cookie() -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, "")).path("/").build()
}
