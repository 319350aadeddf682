//! Security headers on every response, and the CSRF guard on every state-changing page request.
//!
//! The guard sits in front of all page routes, so no form handler can forget it: a POST without a
//! valid token bound to the visitor's session (or pre-session cookie) never reaches a handler.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use concord_app::auth;

use crate::AppState;
use crate::context::Ctx;

/// No inline script or style anywhere, so the policy needs no `unsafe-inline`.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

pub async fn headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    headers.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Largest form body accepted (file uploads included).
const FORM_LIMIT: usize = 8 * 1024 * 1024;

/// The text of one named field of a multipart body, if present.
async fn multipart_field(body: &[u8], boundary: String, name: &str) -> Option<String> {
    let mut multipart = multer::Multipart::with_reader(body, boundary);
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some(name) {
            return field.text().await.ok();
        }
    }
    None
}

/// The form field that carries the token.
pub const CSRF_FIELD: &str = "csrf_token";

fn same_origin(request: &Request) -> bool {
    let Some(origin) = request
        .headers()
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
    else {
        return true; // Non-browser clients and older browsers send none; the token still decides.
    };
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    origin.split_once("://").map(|(_, rest)| rest) == Some(host)
}

pub async fn csrf_guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if safe || request.uri().path().starts_with("/api/") {
        return next.run(request).await;
    }
    let ctx = request.extensions().get::<Ctx>().cloned();
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, FORM_LIMIT).await else {
        return crate::pages::error_page(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            ctx.as_ref(),
        );
    };
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let submitted = match multer::parse_boundary(content_type) {
        // A file upload: the token is a field of the multipart body (forms put it first).
        Ok(boundary) => multipart_field(&bytes, boundary, CSRF_FIELD).await,
        Err(_) => url::form_urlencoded::parse(&bytes)
            .find(|(k, _)| k == CSRF_FIELD)
            .map(|(_, v)| v.into_owned()),
    };
    let request = Request::from_parts(parts, Body::from(bytes));
    let valid = match (&ctx, submitted) {
        (Some(ctx), Some(token)) => {
            same_origin(&request)
                && auth::csrf_matches(&state.app.secret, &ctx.csrf_binding, &token)
        }
        _ => false,
    };
    if !valid {
        return crate::pages::error_page(StatusCode::FORBIDDEN, "form_expired", ctx.as_ref());
    }
    next.run(request).await
}
