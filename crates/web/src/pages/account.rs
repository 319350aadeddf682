//! The signed-in person's own account: their details, password, language and time zone, and
//! personal API tokens. The same services back `/api/v1/me` and `/api/v1/tokens`.

use askama::Template;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum_extra::extract::Form;
use concord_app::AppError;
use concord_app::accounts::{self, PreferencesInput};
use concord_app::auth::{self, CreatedToken, PasswordChange, TokenInput};
use concord_domain::user::{ApiToken, User};
use concord_domain::{FieldErrors, TokenId};

use super::{PageCtx, PagePath, page_error, render, require_sign_in, see_other};
use crate::AppState;
use crate::context::Ctx;

pub fn routes() -> Vec<(&'static str, axum::routing::MethodRouter<AppState>)> {
    vec![
        ("/account", get(show)),
        ("/account/password", post(change_password)),
        ("/account/preferences", post(preferences)),
        ("/account/tokens", post(create_token)),
        ("/account/tokens/{id}/revoke", post(revoke_token)),
    ]
}

/// What the preferences form shows: the saved values, or those just submitted.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct PreferencesForm {
    /// Empty means "follow my browser".
    #[serde(default)]
    locale: String,
    #[serde(default)]
    time_zone: String,
}

#[derive(Template)]
#[template(path = "account/show.html")]
struct AccountPage {
    c: PageCtx,
    user: User,
    tokens: Vec<ApiToken>,
    preferences: PreferencesForm,
    /// Errors of whichever form was submitted (their field names do not overlap).
    errors: FieldErrors,
    /// The token name as typed, when creating one failed.
    token_name: String,
    /// A token just created: its secret is shown this once.
    created: Option<CreatedToken>,
    /// Success message after a redirect.
    done: Option<&'static str>,
}

impl AccountPage {
    fn languages(&self) -> [(&'static str, &'static str); 3] {
        [
            ("", "account-language-browser"),
            ("en", "account-language-en"),
            ("fr", "account-language-fr"),
        ]
    }

    fn time_zones(&self) -> impl Iterator<Item = &'static str> {
        chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name())
    }
}

/// How the page differs from its plain form after a submission.
#[derive(Default)]
struct Outcome {
    preferences: Option<PreferencesForm>,
    errors: FieldErrors,
    token_name: String,
    created: Option<CreatedToken>,
    done: Option<&'static str>,
}

async fn account_page(ctx: &Ctx, outcome: Outcome, status: StatusCode) -> Response {
    let Some(id) = ctx.actor.user_id() else {
        return page_error(ctx)(AppError::Unauthenticated).into_response();
    };
    let result = async {
        let user = accounts::get(&ctx.app, &ctx.actor, id).await?;
        let tokens = auth::list_tokens(&ctx.app, &ctx.actor).await?;
        Ok::<_, AppError>((user, tokens))
    }
    .await;
    let (user, tokens) = match result {
        Ok(loaded) => loaded,
        Err(error) => return page_error(ctx)(error).into_response(),
    };
    let preferences = outcome.preferences.unwrap_or_else(|| PreferencesForm {
        locale: user.locale.clone().unwrap_or_default(),
        time_zone: user.time_zone.clone(),
    });
    render(
        status,
        &AccountPage {
            c: PageCtx::new(ctx, "account"),
            user,
            tokens,
            preferences,
            errors: outcome.errors,
            token_name: outcome.token_name,
            created: outcome.created,
            done: outcome.done,
        },
    )
}

#[derive(Debug, Default, serde::Deserialize)]
struct DoneQuery {
    done: Option<String>,
}

/// Only the outcomes this page announces; anything else in the address is ignored.
fn done_message(done: Option<&str>) -> Option<&'static str> {
    match done? {
        "password_changed" => Some("account-done-password_changed"),
        "preferences_saved" => Some("account-done-preferences_saved"),
        "token_revoked" => Some("account-done-token_revoked"),
        _ => None,
    }
}

async fn show(ctx: Ctx, Query(query): Query<DoneQuery>) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, "/account") {
        return redirect;
    }
    let outcome = Outcome {
        done: done_message(query.done.as_deref()),
        ..Outcome::default()
    };
    account_page(&ctx, outcome, StatusCode::OK).await
}

/// A rejected form: the page again, its messages beside the fields.
async fn invalid(ctx: &Ctx, error: AppError, outcome: Outcome) -> Response {
    match error {
        AppError::Invalid(errors) => {
            let outcome = Outcome { errors, ..outcome };
            account_page(ctx, outcome, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        error => page_error(ctx)(error).into_response(),
    }
}

#[derive(Debug, Default, serde::Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

async fn change_password(ctx: Ctx, Form(form): Form<PasswordForm>) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, "/account") {
        return redirect;
    }
    let input = PasswordChange {
        current_password: form.current_password,
        new_password: form.new_password,
    };
    match auth::change_password(&ctx.app, &ctx.actor, &input, ctx.session.as_deref()).await {
        Ok(()) => see_other("/account?done=password_changed"),
        // Passwords are never echoed back.
        Err(error) => invalid(&ctx, error, Outcome::default()).await,
    }
}

async fn preferences(ctx: Ctx, Form(form): Form<PreferencesForm>) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, "/account") {
        return redirect;
    }
    let input = PreferencesInput {
        locale: Some(form.locale.clone()),
        time_zone: form.time_zone.clone(),
    };
    let valid_time_zone = |tz: &str| tz.parse::<chrono_tz::Tz>().is_ok();
    match accounts::set_preferences(&ctx.app, &ctx.actor, &input, valid_time_zone).await {
        Ok(()) => see_other("/account?done=preferences_saved"),
        Err(error) => {
            let outcome = Outcome {
                preferences: Some(form),
                ..Outcome::default()
            };
            invalid(&ctx, error, outcome).await
        }
    }
}

#[derive(Debug, Default, serde::Deserialize)]
struct TokenForm {
    #[serde(default)]
    name: String,
}

/// A new token is shown on the page itself (no redirect): its secret must not travel in a URL.
async fn create_token(ctx: Ctx, Form(form): Form<TokenForm>) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, "/account") {
        return redirect;
    }
    let input = TokenInput {
        name: form.name.clone(),
    };
    match auth::create_token(&ctx.app, &ctx.actor, &input).await {
        Ok(created) => {
            let outcome = Outcome {
                created: Some(created),
                ..Outcome::default()
            };
            account_page(&ctx, outcome, StatusCode::OK).await
        }
        Err(error) => {
            let outcome = Outcome {
                token_name: form.name,
                ..Outcome::default()
            };
            invalid(&ctx, error, outcome).await
        }
    }
}

async fn revoke_token(ctx: Ctx, PagePath(id): PagePath<TokenId>) -> Response {
    if let Err(redirect) = require_sign_in(&ctx, "/account") {
        return redirect;
    }
    match auth::revoke_token(&ctx.app, &ctx.actor, id).await {
        Ok(()) => see_other("/account?done=token_revoked"),
        Err(error) => page_error(&ctx)(error).into_response(),
    }
}
