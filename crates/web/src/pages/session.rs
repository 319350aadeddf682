//! Signing in and out.

use askama::Template;
use axum::Form;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_extra::extract::CookieJar;
use concord_app::{AppError, auth};
use concord_domain::FieldErrors;

use super::{PageCtx, render, see_other};
use crate::AppState;
use crate::context::{Ctx, removal_cookie, session_cookie};

pub fn routes() -> Vec<(&'static str, axum::routing::MethodRouter<AppState>)> {
    vec![
        ("/sign-in", get(form).post(submit)),
        ("/sign-out", post(sign_out)),
    ]
}

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    c: PageCtx,
    email: String,
    next: String,
    errors: FieldErrors,
    /// A message for the whole form (wrong credentials, throttled).
    problem: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct NextParam {
    next: Option<String>,
}

/// Only same-site paths are followed after sign-in (no open redirect).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') => {
            path.to_owned()
        }
        _ => "/".to_owned(),
    }
}

async fn form(ctx: Ctx, Query(params): Query<NextParam>) -> Response {
    if ctx.user.is_some() {
        return see_other(&safe_next(params.next.as_deref()));
    }
    let page = SignInPage {
        c: PageCtx::new(&ctx, "sign-in"),
        email: String::new(),
        next: safe_next(params.next.as_deref()),
        errors: FieldErrors::new(),
        problem: None,
    };
    render(StatusCode::OK, &page)
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

async fn submit(
    ctx: Ctx,
    jar: CookieJar,
    axum::extract::State(state): axum::extract::State<AppState>,
    Form(input): Form<SignInForm>,
) -> Response {
    let next = safe_next(input.next.as_deref());
    match auth::sign_in(
        &ctx.app,
        &input.email,
        &input.password,
        &ctx.client,
        ctx.lang.code(),
    )
    .await
    {
        Ok(session) => {
            // A fresh id at sign-in: whatever id the browser had before is never promoted.
            if let Some(old) = &ctx.session {
                let _ = auth::sign_out(&ctx.app, old).await;
            }
            (
                jar.add(session_cookie(
                    session.raw_id,
                    state.config.secure_cookies || ctx.https,
                )),
                see_other(&next),
            )
                .into_response()
        }
        Err(error) => {
            let (status, errors, problem) = match &error {
                AppError::Invalid(fields) => {
                    (StatusCode::UNPROCESSABLE_ENTITY, fields.clone(), None)
                }
                AppError::InvalidCredentials => (
                    StatusCode::UNAUTHORIZED,
                    FieldErrors::new(),
                    Some(ctx.lang.t("error-invalid_credentials")),
                ),
                AppError::Throttled {
                    retry_after_seconds,
                } => {
                    let minutes = ((retry_after_seconds + 59) / 60).to_string();
                    (
                        StatusCode::TOO_MANY_REQUESTS,
                        FieldErrors::new(),
                        Some(
                            ctx.lang
                                .ta("error-too_many_attempts", &[("minutes", &minutes)]),
                        ),
                    )
                }
                _ => return super::page_error(&ctx)(error).into_response(),
            };
            let page = SignInPage {
                c: PageCtx::new(&ctx, "sign-in"),
                email: input.email.trim().to_owned(),
                next,
                errors,
                problem,
            };
            render(status, &page)
        }
    }
}

async fn sign_out(ctx: Ctx, jar: CookieJar) -> Response {
    if let Some(raw) = &ctx.session
        && let Err(error) = auth::sign_out(&ctx.app, raw).await
    {
        return super::page_error(&ctx)(error).into_response();
    }
    (jar.remove(removal_cookie()), see_other("/")).into_response()
}
